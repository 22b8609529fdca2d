"""The one helper that runs a windowed operation on dask arrays.

Each block is extended by the exact halo with `dask.array.overlap.overlap`
('periodic' for mode='wrap', nothing at the other array edges), and the numpy
engine computes the block with the halo trimmed. At an array edge the block's
own edge *is* the array's edge, so the engine's `mode` extension there is the
same as in memory; every block is made at least ``halo + 1`` long so that the
reflected rows are inside it. Hence chunked results equal in-memory results
exactly, across chunk boundaries, for every mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._modes import edge_indices
from .._readers import reader_behind
from .._runs import index_runs
from .._validate import require
from . import _engine as engine


def safe_chunks(chunks: tuple[int, ...], min_size: int) -> tuple[int, ...]:
    """Merge chunks shorter than `min_size` into a neighbour (one chunk may stay short)."""
    merged: list[int] = []
    for c in chunks:
        if merged and (merged[-1] < min_size or c < min_size):
            merged[-1] += c
        else:
            merged.append(c)
    if len(merged) > 1 and merged[-1] < min_size:
        merged[-2] += merged.pop()
    return tuple(merged)


def cell_chunks(chunks: tuple[int, ...], cell: int, *, up: bool = True) -> tuple[int, ...]:
    """Chunks of whole cells (grid cells, or blocks of a reduction): the largest chunk rounded up (or down)
    to a multiple of `cell`, at least one cell; the last chunk takes the rest."""
    n = sum(chunks)
    multiple = -(-max(chunks) // cell) if up else max(chunks) // cell
    size = max(cell, multiple * cell)
    if size >= n:
        return (n,)
    sizes = [size] * (n // size)
    if n - sum(sizes):
        sizes.append(n - sum(sizes))
    return tuple(sizes)


def map_window(a: Any, spec: engine.WindowSpec, crop: str) -> Any:
    """Apply the engine blockwise to dask array `a`; same chunks as `a` for 'same'."""
    da = require("dask.array", "dask", "working on dask arrays")

    reader = reader_behind(a)
    if reader is not None and crop == "same" and a.ndim == 2 and all(len(set(c[:-1])) <= 1 for c in a.chunks):
        # a raster read lazily: each task reads its block plus halo from the file, no neighbour is read
        return map_window_reader(reader, spec, (a.chunks[0][0], a.chunks[1][0]))

    lo, hi = spec.lo, spec.hi
    depth = {ax: max(l_, h_) for ax, (l_, h_) in enumerate(zip(lo, hi, strict=True))}
    # whole grid cells per chunk: the engine then cuts the same tiles as in memory
    cells = engine.grid_cells(spec.window, a.shape)
    work_chunks = tuple(safe_chunks(cell_chunks(c, cells[ax]), depth[ax] + 1) for ax, c in enumerate(a.chunks))
    work = a.rechunk(work_chunks) if work_chunks != a.chunks else a
    periodic = {
        ax: crop == "same" and spec.mode == "wrap" and len(work.chunks[ax]) > 1 and depth[ax] > 0
        for ax in range(a.ndim)
    }
    boundary = {ax: ("periodic" if periodic[ax] else "none") for ax in range(a.ndim)}
    # an axis held in one chunk needs no overlap (its halo comes from `mode`)
    overlap_depth = {ax: d if len(work.chunks[ax]) > 1 else 0 for ax, d in depth.items()}
    grown = da.overlap.overlap(work, depth=overlap_depth, boundary=boundary)

    starts = [tuple(int(v) for v in np.cumsum((0,) + c[:-1])) for c in work.chunks]
    out_chunks = []
    for ax, chunks in enumerate(work.chunks):
        if crop == "valid" and depth[ax]:
            sizes = list(chunks)
            sizes[0] -= lo[ax]
            sizes[-1] -= hi[ax]
            out_chunks.append(tuple(sizes))
        else:
            out_chunks.append(chunks)

    def block_trims(location: tuple[int, ...], counts: tuple[int, ...]):
        trim_lo, trim_hi = [], []
        for ax in range(a.ndim):
            d = depth[ax]
            first, last = location[ax] == 0, location[ax] == counts[ax] - 1
            if periodic[ax]:
                trim_lo.append(d)
                trim_hi.append(d)
                continue
            # an inner side carries the full halo; an array edge carries none,
            # except that 'valid' drops the windows that would need one
            edge_lo = lo[ax] if crop == "valid" else 0
            edge_hi = hi[ax] if crop == "valid" else 0
            trim_lo.append(edge_lo if first else d)
            trim_hi.append(edge_hi if last else d)
        return tuple(trim_lo), tuple(trim_hi)

    def run_block(block, block_info=None):
        info = block_info[0]
        location = info["chunk-location"]
        trim_lo, trim_hi = block_trims(location, info["num-chunks"])
        core_start = tuple(starts[ax][i] for ax, i in enumerate(location))
        origin = tuple(c - t for c, t in zip(core_start, trim_lo, strict=True))
        if crop == "valid":  # the first block starts at the array edge, trimmed by lo
            origin = tuple(c if i == 0 else c - t for c, t, i in zip(core_start, trim_lo, location, strict=True))
        return engine.compute(block, spec, trim_lo, trim_hi, origin=origin, global_shape=a.shape)

    result = grown.map_blocks(run_block, chunks=tuple(out_chunks), dtype=spec.out_dtype)
    if crop == "same" and result.chunks != a.chunks:
        result = result.rechunk(a.chunks)
    return result


def map_window_reader(reader: Any, spec: engine.WindowSpec, chunks: tuple[int, int]) -> Any:
    """Windowed statistic of a 2-D on-disk raster as a dask array of independent tasks.

    Each output block is one task that reads exactly its padded region from
    `reader` (``reader.read(rows, cols)``; rows/cols beyond the edges mapped by
    `spec.mode`, so 'wrap' reads the far side) and runs the engine on it. No
    task depends on another: nothing is read twice, memory is a few blocks,
    and the tasks suit a dask.distributed cluster. Chunks are rounded to the
    engine's grid cells, so the result is bit-identical to the in-memory one.
    """
    da = require("dask.array", "dask", "working on dask arrays")

    shape = tuple(reader.shape)
    cells = engine.grid_cells(spec.window, shape)
    out_chunks = tuple(
        cell_chunks(tuple([c] * (n // c) + ([n % c] if n % c else [])), cell)
        for n, c, cell in zip(shape, chunks, cells, strict=True)
    )
    lo, hi = spec.lo, spec.hi

    def task(block_info=None):
        (r0, r1), (c0, c1) = block_info[None]["array-location"]
        rows = edge_indices(r0 - lo[0], r1 + hi[0], shape[0], spec.mode)
        cols = edge_indices(c0 - lo[1], c1 + hi[1], shape[1], spec.mode)
        # float64 like the in-memory gather: a `cval` such as 0.1 must not be rounded to the input's float32
        padded = np.full((rows.size, cols.size), spec.cval, dtype=np.float64)
        for ro, rs, rn in index_runs(rows):
            for co, cs, cn in index_runs(cols):
                padded[ro : ro + rn, co : co + cn] = reader.read(slice(rs, rs + rn), slice(cs, cs + cn))
        return engine.compute(padded, spec, lo, hi, origin=(r0 - lo[0], c0 - lo[1]), global_shape=shape)

    return da.map_blocks(task, chunks=out_chunks, dtype=spec.out_dtype, meta=np.empty((0, 0), dtype=spec.out_dtype))
