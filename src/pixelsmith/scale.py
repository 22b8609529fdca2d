"""Computing a dask array block by block, on a dask.distributed cluster when one is active.

The writers in `pixelsmith.io` write what they are given; when that is a dask
array too large for memory, they take its blocks from `iter_computed_blocks` as
the blocks finish, so at most a few are in memory at once. The scheduling lives
here, not in io: io reads and writes, this module computes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["active_client", "iter_computed_blocks"]


def iter_computed_blocks(arr: Any, in_flight: int | None = None) -> Iterator[tuple[int, int, tuple, np.ndarray]]:
    """Compute a dask array block by block: yields ``(done, total, slices, block)``.

    At most `in_flight` blocks are computed but not yet consumed, so memory
    stays at a few blocks whatever the array size. Uses the active
    dask.distributed client when there is one (blocks come back to this
    process to be written), else a local thread pool.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    starts = [np.cumsum((0,) + c[:-1]) for c in arr.chunks]
    indices = list(np.ndindex(*arr.numblocks))
    total = len(indices)

    def slices_of(idx):
        return tuple(slice(int(s[i]), int(s[i]) + c[i]) for s, c, i in zip(starts, arr.chunks, idx, strict=True))

    client = active_client()
    if client is not None:
        from distributed import as_completed

        in_flight = in_flight or 2 * max(1, len(client.nthreads()))
        pending = iter(indices)
        futures = {}
        for idx in _take(pending, in_flight):
            futures[client.compute(arr.blocks[idx])] = idx
        done = 0
        queue = as_completed(list(futures))
        for fut in queue:
            idx = futures.pop(fut)
            block = fut.result()
            fut.release()
            done += 1
            for nxt in _take(pending, 1):
                new = client.compute(arr.blocks[nxt])
                futures[new] = nxt
                queue.add(new)
            yield done, total, slices_of(idx), block
        return

    from ._parallel import n_threads

    # not _parallel.run_each: blocks are yielded as they finish, with at most `workers` in memory
    workers = in_flight or n_threads()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = iter(indices)
        running = {pool.submit(_compute_block, arr, idx): idx for idx in _take(pending, workers)}
        done = 0
        while running:
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in finished:
                idx = running.pop(fut)
                done += 1
                for nxt in _take(pending, 1):
                    running[pool.submit(_compute_block, arr, nxt)] = nxt
                yield done, total, slices_of(idx), fut.result()


def _compute_block(arr, idx):
    # each block's graph is computed on its own thread; no nested thread pools
    return arr.blocks[idx].compute(scheduler="synchronous")


def _take(iterator, n):
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out


def active_client():
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:
        return None
