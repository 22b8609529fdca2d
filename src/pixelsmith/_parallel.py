"""The one thread pool of pixelsmith: how many threads, and how work is spread over them.

Numba kernels release the GIL, so plain threads run them in parallel without
copying arrays to processes. Every parallel site of the library goes through
these two helpers, so the thread count (NUMBA_NUM_THREADS) is honoured
everywhere and small jobs run inline.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

__all__ = ["n_threads", "run_each", "run_in_ranges", "stop_flag"]


def n_threads() -> int:
    """Worker threads: NUMBA_NUM_THREADS if set, else the CPU count."""
    env = os.environ.get("NUMBA_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return os.cpu_count() or 1


def run_each(
    items: Sequence[T],
    work: Callable[[T], Any],
    *,
    serial: bool = False,
    progress: Callable[[int, int], None] | None = None,
    interruptible: bool = False,
) -> None:
    """``work(item)`` for every item on the thread pool (inline when `serial`, one item or one thread).

    `progress` is called as ``progress(done, total)`` after each item, from this thread.
    `interruptible`: for work whose single item can run long (a user's function per window): the
    items always run on pool threads, one at a time when they would have run inline, while this
    thread waits where Ctrl-C reaches it; then `stop_flag` is raised for the items' kernels to
    poll, and KeyboardInterrupt is re-raised once they have returned.
    """
    total = len(items)
    inside_pool = getattr(_worker, "active", False)
    if interruptible and not inside_pool and total:
        inline = serial or total <= 1 or n_threads() == 1
        _run_interruptibly(items, work, 1 if inline else n_threads(), progress)
        return
    # inline as well inside a worker of the pool: a worker waiting on the pool it runs in could deadlock
    if serial or total <= 1 or n_threads() == 1 or inside_pool:
        for done, item in enumerate(items, 1):
            work(item)
            if progress is not None:
                progress(done, total)
        return
    for done, _ in enumerate(_pool(n_threads()).map(work, items), 1):
        if progress is not None:
            progress(done, total)


def _run_interruptibly(
    items: Sequence[T], work: Callable[[T], Any], threads: int, progress: Callable[[int, int], None] | None
) -> None:
    """`run_each` for long items: on Ctrl-C (or any failure) raise the items' stop flag, cancel the items
    not started, wait for the running ones (their kernels poll the flag) and re-raise."""
    flag = np.zeros(1, dtype=np.uint8)

    def item_work(item: T) -> Any:
        _worker.stop = flag  # this thread's kernels poll it (`stop_flag`)
        try:
            return work(item)
        finally:
            _worker.stop = _NEVER

    futures = [_pool(threads).submit(item_work, item) for item in items]
    try:
        for done, future in enumerate(futures, 1):
            future.result()  # a lock wait: Ctrl-C interrupts it
            if progress is not None:
                progress(done, len(items))
    except BaseException:
        flag[0] = 1
        for future in futures:
            future.cancel()
        wait(futures)
        raise


# the flag outside an interruptible run: never raised
_NEVER = np.zeros(1, dtype=np.uint8)


def stop_flag() -> np.ndarray:
    """The one-element uint8 array this thread's long kernels poll: nonzero means return now.

    Inside an item of ``run_each(..., interruptible=True)`` it is that run's flag, raised when the
    caller is interrupted; elsewhere a flag that is never raised.
    """
    return getattr(_worker, "stop", _NEVER)


_worker = threading.local()
_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _mark_worker() -> None:
    _worker.active = True


def _pool(threads: int) -> ThreadPoolExecutor:
    """The process's pool of `threads` workers, made once: starting threads costs about 0.25 ms a call,
    a tenth of a fast kernel's time. (Executor.map cancels the items not yet started if the caller stops.)"""
    with _pools_lock:
        pool = _pools.get(threads)
        if pool is None:
            pool = _pools[threads] = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix="pixelsmith", initializer=_mark_worker
            )
        return pool


def run_in_ranges(count: int, work: Callable[[int, int], Any], *, minimum: int = 64) -> None:
    """``work(lo, hi)`` over 0..count in contiguous ranges (4 per thread); inline below `minimum` items."""
    threads = n_threads()
    if count < minimum or threads == 1:
        work(0, count)
        return
    edges = np.linspace(0, count, 4 * threads + 1).astype(int)
    run_each(list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)), lambda r: work(*r))
