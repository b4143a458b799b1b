"""Run shard tasks on an engine: in this process, in local processes or on a Dask cluster.

Every engine runs the same task, a function of the shard index alone that writes the
shard's files itself and returns a small summary, so the files are the same whichever
engine ran them and only summaries travel back to the caller.
"""

from __future__ import annotations

import logging
import re
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, TypeVar

from triagelab.exceptions import InputError, TriagelabError

logger = logging.getLogger(__name__)

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")
# A Dask scheduler address: an optional protocol (tcp:// by default), a host (a name,
# IPv4 or bracketed IPv6) and a port.
SCHEDULER_ADDRESS = re.compile(r"(?:[a-z]+://)?(?:\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})")
# Seconds to wait for a Dask scheduler given by address.
CONNECT_TIMEOUT_S = 30
T = TypeVar("T")


def run_tasks(
    task: Callable[[int], T],
    count: int,
    *,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
) -> Iterator[T]:
    """Run `task(0)` ... `task(count - 1)` and yield each result as it finishes.

    Parameters
    ----------
    task
        A picklable function of the shard index.
    count
        Number of shards.
    engine
        `local` runs the tasks in this process (one worker) or in `workers` local
        processes; `dask` runs them on a Dask distributed cluster.
    workers
        Local processes, or the number of workers of the Dask cluster started on
        127.0.0.1 when no `scheduler` is given.
    scheduler
        Address of a running Dask scheduler, such as `tcp://127.0.0.1:8786`. Its workers
        must see the output folder at the same path.

    Raises
    ------
    InputError
        If `engine`, `workers` or `scheduler` is invalid (see `check_engine`). The check
        runs when this function is called, before the first task.
    TriagelabError
        If the Dask scheduler at `scheduler` cannot be reached.
    """
    check_engine(engine, workers, scheduler)
    return _run(task, count, engine, workers, scheduler)


def _run(
    task: Callable[[int], T], count: int, engine: str, workers: int, scheduler: str | None
) -> Iterator[T]:
    if engine == "dask":
        yield from _run_dask(task, count, workers, scheduler)
    elif workers == 1 or count <= 1:
        for index in range(count):
            yield task(index)
    else:
        yield from _run_processes(task, count, workers)


def check_engine(engine: str, workers: int, scheduler: str | None) -> None:
    """Check the engine settings of a build.

    Raises
    ------
    InputError
        If `engine` is unknown, `workers` is below 1, `scheduler` is given without the
        dask engine, or `scheduler` is not an address such as `tcp://127.0.0.1:8786`.
    """
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine `{engine}`; expected one of {', '.join(ENGINES)}",
            field="engine",
            value=engine,
        )
    if workers < 1:
        raise InputError(
            f"invalid `workers` {workers}; expected 1 or more",
            field="workers",
            value=workers,
        )
    if scheduler is not None and engine != "dask":
        raise InputError(
            "`scheduler` needs the dask engine; add `--engine dask`",
            field="scheduler",
            value=scheduler,
        )
    address = SCHEDULER_ADDRESS.fullmatch(scheduler) if scheduler is not None else None
    if scheduler is not None and (address is None or not 1 <= int(address.group(1)) <= 65535):
        raise InputError(
            f"invalid `scheduler` address {scheduler!r}; expected [PROTOCOL://]HOST:PORT "
            "with a port from 1 to 65535, such as tcp://127.0.0.1:8786",
            field="scheduler",
            value=scheduler,
        )


def _run_processes(task: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    # At most two tasks per worker are queued, so finished results never pile up. Workers
    # ignore Ctrl-C, which this process handles: it stops queueing and lets them finish.
    with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts) as pool:
        pending: set[Future[T]] = set()
        submitted = 0
        while submitted < count or pending:
            while submitted < count and len(pending) < 2 * workers:
                pending.add(pool.submit(task, submitted))
                submitted += 1
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_dask(
    task: Callable[[int], T], count: int, workers: int, scheduler: str | None
) -> Iterator[T]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as err:
        raise InputError(
            "the dask engine needs dask[distributed]; install it with "
            "`pip install 'triagelab[dask]'`",
            field="engine",
            value="dask",
        ) from err

    cluster: Any = None
    if scheduler is None:
        # The scheduler always serves HTTP; a free port on 127.0.0.1 lets two builds run
        # at once, and the dashboard pages stay off.
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            scheduler_kwargs={"dashboard": False},
            processes=True,
        )
        client = Client(cluster)
        logger.info("started a local Dask cluster with %d workers", workers)
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as err:
            raise TriagelabError(
                f"could not connect to the Dask scheduler at {scheduler} ({err}); check that "
                "it is running and reachable from this machine"
            ) from err
        logger.info("connected to the Dask scheduler at %s", scheduler)
    try:
        futures = client.map(task, range(count), pure=False)
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
