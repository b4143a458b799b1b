"""Case queue, trainee bundle and answer key of a built dataset."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from triagelab.dataset import TRAINEE_DIRS, atomic_folder, open_dataset, write_manifest
from triagelab.exceptions import DatasetError

logger = logging.getLogger(__name__)


def write_bundle(built: str | Path, out: str | Path, *, exercise: str | None = None) -> Path:
    """Copy a built dataset without its answer key to `out/<scenario id>`.

    The bundle keeps the manifest's fields and fingerprint but lists only the files it
    contains, so a trainee can verify it without learning anything about the key. It
    leaves out the seed, with which `triagelab build` would rebuild the key.
    `exercise`, when given, is stored in the manifest under "exercise", so the trainee
    app can name the exercise in the submissions it writes.
    """
    dataset = open_dataset(built)
    dataset.verify()
    target = Path(out) / dataset.scenario_id
    if target.resolve() == dataset.root.resolve():
        raise DatasetError(
            f"{out}: the bundle would overwrite the build; choose another --out",
            path=out,
            field="--out",
        )
    info = {
        k: v for k, v in dataset.manifest.items() if k not in {"files", "fingerprint", "schema"}
    }
    info["scenario"] = {k: v for k, v in info["scenario"].items() if k != "seed"}
    info["bundle"] = True
    if exercise is not None:
        info["exercise"] = exercise
    with atomic_folder(target) as staging:
        for name in TRAINEE_DIRS:
            shutil.copytree(dataset.root / name, staging / name)
        manifest = write_manifest(staging, info)
    if manifest["fingerprint"] != dataset.fingerprint:
        raise DatasetError(f"{target}: bundle fingerprint differs from the build's", path=target)
    logger.info("wrote trainee bundle %s", target)
    return target
