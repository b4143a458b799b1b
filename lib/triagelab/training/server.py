"""Serve the trainee notebook with Voila on the loopback interface."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from triagelab.dataset import open_dataset
from triagelab.exceptions import InputError
from triagelab.training.settings import (
    ENV_DATASET,
    ENV_MODE,
    ENV_TRAINEE,
    check_mode,
    check_trainee_id,
    read_roster,
)

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
# Kernels Voila keeps started ahead of page requests, by default. Each holds the queue and
# its charts in memory, and starting one takes a core for seconds.
POOL_SIZE = 1
# Voila looks for templates under `<folder>/voila/templates/<name>` of every folder on the
# Jupyter data path, so the app's folder goes first on JUPYTER_PATH.
TEMPLATE_ROOT = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "triagelab"


def exercise_notebook() -> Path:
    """Return the trainee notebook of the source checkout."""
    return Path(__file__).resolve().parents[3] / "notebooks" / "training" / "triage_exercise.ipynb"


def voila_command(notebook: Path, port: int, pool_size: int = POOL_SIZE) -> list[str]:
    """Return the Voila command line that serves `notebook` on 127.0.0.1:`port` only.

    `port_retries=0` makes Voila fail on a busy port instead of moving to another port that
    the trainee was not given. `pool_size` kernels are kept started ahead of page requests:
    each runs the notebook up to `wait_for_page_request` (imports, dataset check, reading
    the queue and drawing its charts), so a page request only signs the trainee in. After a
    request takes one, Voila starts the next. With 0, every page request starts a kernel.
    The page is rendered with the `triagelab` template, which `voila_environment` puts on
    Voila's template path.
    """
    preheat = ["--preheat_kernel=True", f"--pool_size={pool_size}"] if pool_size > 0 else []
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        "--no-browser",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.template={TEMPLATE}",
        *preheat,
    ]


def voila_environment(base: dict[str, str], root: Path, mode: str, trainee: str) -> dict[str, str]:
    """Return the environment of the Voila process: `base`, the app settings and the template.

    The dataset, mode and trainee reach the notebook as environment variables, because
    Voila cannot pass papermill parameters. `TEMPLATE_ROOT` goes first on JUPYTER_PATH, so
    Voila finds the `triagelab` page template, whose page loads nothing from other hosts.
    """
    environment = dict(base)
    environment.update({ENV_DATASET: str(root), ENV_MODE: mode, ENV_TRAINEE: trainee.strip()})
    earlier = environment.get("JUPYTER_PATH", "")
    environment["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT), earlier) if p)
    return environment


def check_app_inputs(
    dataset: str | Path, port: int, mode: str, trainee: str, pool_size: int = POOL_SIZE
) -> Path:
    """Check what `triagelab app` was given and return the dataset folder as an absolute path.

    Raises
    ------
    InputError
        For a missing or changed dataset, a port outside 1-65535, a negative pool size, an
        unknown mode, a build with its answer key in exam mode, or a trainee id that is
        invalid or not on the roster.
    """
    if not 1 <= port <= 65535:
        raise InputError(
            f"--port {port} is out of range; use 1 to 65535", field="--port", value=port
        )
    if pool_size < 0:
        raise InputError(
            f"--pool-size {pool_size} is negative; use 0 to start a kernel per page request, "
            "or the number of kernels to keep ready",
            field="--pool-size",
            value=pool_size,
        )
    check_mode(mode, "--mode")
    opened = open_dataset(dataset)
    opened.verify()
    if mode == "exam" and opened.has_key:
        raise InputError(
            f"{opened.root}: exam mode serves trainee bundles only, and this build has its answer "
            "key (key/); run `triagelab bundle BUILT_DIR --out DIR` and serve the bundle",
            path=opened.root,
            field="--mode",
            value=mode,
        )
    roster = read_roster(opened.root)
    if trainee:
        trainee = check_trainee_id(trainee)
        if roster is not None and trainee not in roster:
            raise InputError(
                f"--trainee `{trainee}` is not on the roster {opened.root / 'roster.csv'}",
                field="--trainee",
                value=trainee,
            )
    return opened.root.resolve()


def serve(
    dataset: str | Path,
    *,
    port: int = DEFAULT_PORT,
    mode: str = "practice",
    trainee: str = "",
    pool_size: int = POOL_SIZE,
) -> None:
    """Replace this process with a Voila server for the trainee notebook; never returns."""
    root = check_app_inputs(dataset, port, mode, trainee, pool_size)
    notebook = exercise_notebook()
    if not notebook.is_file():
        raise InputError(f"{notebook}: trainee notebook not found in the checkout", path=notebook)
    environment = voila_environment(dict(os.environ), root, mode, trainee)
    command = voila_command(notebook, port, pool_size)
    logger.info("serving %s (%s mode) at http://%s:%d/", root, mode, HOST, port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, environment)
