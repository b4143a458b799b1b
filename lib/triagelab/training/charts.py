"""Timeline charts drawn ahead of time in one background thread and kept as PNG bytes."""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Callable, Hashable

logger = logging.getLogger(__name__)

_open_caches: weakref.WeakSet[ChartCache] = weakref.WeakSet()


@atexit.register
def _close_open_caches() -> None:
    # Daemon threads are stopped abruptly at interpreter exit, and a thread stopped inside
    # matplotlib's C++ drawing code aborts the process, so every cache still drawing is
    # closed first. atexit handlers run before the daemon threads are stopped.
    for cache in list(_open_caches):
        cache.close()


Draw = Callable[[Hashable], bytes]
Ready = Callable[[Hashable, bytes], None]
Failed = Callable[[Hashable, BaseException], None]


class ChartCache:
    """PNG charts by key, drawn by one daemon thread in order of priority.

    A chart is drawn once and kept. The listener set with `listen` is called back from the
    drawing thread for every chart drawn or failed. One thread draws, so matplotlib is never
    used by two threads at once. `draw` must still build its figure without pyplot, because
    pyplot's global figure registry is not thread-safe.

    A failure is logged with its traceback and passed to the listener. A failed key is not
    kept, so requesting it again draws it again and reports a failure again.

    Parameters
    ----------
    draw
        Function that draws the chart of a key and returns PNG bytes.
    """

    def __init__(self, draw: Draw) -> None:
        self._draw = draw
        self._on_ready: Ready | None = None
        self._on_error: Failed | None = None
        self._charts: dict[Hashable, bytes] = {}
        self._pending: dict[Hashable, int] = {}
        self._drawing: Hashable | None = None
        self._condition = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        _open_caches.add(self)

    def listen(self, on_ready: Ready | None, on_error: Failed | None) -> None:
        """Set the functions called with each chart drawn and each failure, replacing others."""
        with self._condition:
            self._on_ready = on_ready
            self._on_error = on_error

    def get(self, key: Hashable) -> bytes | None:
        """Return the PNG of `key` if it has been drawn."""
        with self._condition:
            return self._charts.get(key)

    def request(self, priorities: dict[Hashable, int]) -> None:
        """Queue the charts not drawn yet, a lower priority number first.

        Keys still pending from earlier requests keep their place only if named again, so a
        trainee who jumps around the queue does not wait for charts of cases left behind.
        """
        with self._condition:
            if self._closed:
                return
            self._pending = {
                key: priority
                for key, priority in priorities.items()
                if key not in self._charts and key != self._drawing
            }
            if self._pending and self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="triagelab-charts", daemon=True
                )
                self._thread.start()
            self._condition.notify()

    def wait(self, key: Hashable, timeout: float) -> bytes | None:
        """Block until the chart of `key` is drawn or `timeout` seconds pass; return it."""
        with self._condition:
            self._condition.wait_for(
                lambda: key in self._charts or (key not in self._pending and key != self._drawing),
                timeout=timeout,
            )
            return self._charts.get(key)

    def close(self) -> None:
        """Stop the drawing thread after the chart it is drawing; pending charts are dropped."""
        with self._condition:
            self._closed = True
            self._pending.clear()
            self._condition.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def _next_key(self) -> Hashable | None:
        with self._condition:
            self._condition.wait_for(lambda: self._closed or bool(self._pending))
            if self._closed:
                return None
            key = min(self._pending, key=self._pending.__getitem__)
            del self._pending[key]
            self._drawing = key
            return key

    def _run(self) -> None:
        while (key := self._next_key()) is not None:
            try:
                png = self._draw(key)
                with self._condition:
                    self._charts[key] = png
                    on_ready = self._on_ready
                if on_ready is not None:
                    on_ready(key, png)
            except Exception as err:
                logger.exception("drawing or showing the timeline chart %s failed", key)
                self._report_error(key, err)
            finally:
                with self._condition:
                    self._drawing = None
                    self._condition.notify_all()

    def _report_error(self, key: Hashable, err: Exception) -> None:
        # A failing error callback must not end the thread, or no chart would be drawn again.
        with self._condition:
            on_error = self._on_error
        if on_error is None:
            return
        try:
            on_error(key, err)
        except Exception:
            logger.exception("reporting the failed timeline chart %s failed too", key)
