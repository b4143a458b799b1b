"""Run shard tasks on an engine: in this process, in local processes or on a Dask cluster.

Every engine runs the same task, a function of the shard index alone that writes the
shard's files itself and returns a small summary, so the files are the same whichever
engine ran them and only summaries travel back to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, TypeVar

from triagelab.exceptions import InputError

logger = logging.getLogger(__name__)

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")
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
        If `engine` or `workers` is invalid, or `scheduler` is given without the dask engine.
    """
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine `{engine}`; expected one of {', '.join(ENGINES)}",
            field="engine",
            value=engine,
        )
    if workers < 1:
        raise InputError(
            f"invalid number of workers {workers}; expected 1 or more",
            field="workers",
            value=workers,
        )
    if scheduler is not None and engine != "dask":
        raise InputError(
            "`scheduler` needs the dask engine; add `--engine dask`",
            field="scheduler",
            value=scheduler,
        )
    if engine == "dask":
        yield from _run_dask(task, count, workers, scheduler)
    elif workers == 1 or count <= 1:
        for index in range(count):
            yield task(index)
    else:
        yield from _run_processes(task, count, workers)


def _run_processes(task: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    # At most two tasks per worker are queued, so finished results never pile up.
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: set[Future[T]] = set()
        submitted = 0
        while submitted < count or pending:
            while submitted < count and len(pending) < 2 * workers:
                pending.add(pool.submit(task, submitted))
                submitted += 1
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


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
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        )
        client = Client(cluster)
        logger.info("started a local Dask cluster with %d workers", workers)
    else:
        client = Client(scheduler)
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
