"""The engine behind every moving-window statistic: tiles, edges, reductions.

The output is computed tile by tile. For each tile the needed input region
(tile plus halo) is gathered into a small float64 block, with the array edges
extended by `mode` through index maps (no padded copy of the whole array is
ever made), reduced with the kernels in `_kernels.window`, and written into the
output. Tiles run on a thread pool (the kernels release the GIL), so peak
memory is the input, the output and a few megabytes per thread.

Accuracy of variances: each tile's data are shifted by a reference value
(the median of a sample of the tile) before the sums of ``x`` and ``x**2`` are
formed in float64, and every window sum is combined from at most two partial
sums of its own elements (van Herk / Gil-Werman), never from a running sum.
The rounding error of ``(S2 - S1**2 / n) / n`` is then about
``eps64 * (1 + (mean - ref)**2 / var)`` relative, instead of
``eps * mean**2 / var`` for the ``E[x**2] - E[x]**2`` recipe.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._kernels import footprint as kf
from .._kernels import histogram_rank as khr
from .._kernels import rank as kr
from .._kernels import window as kw
from .._modes import edge_indices
from .._parallel import run_each, stop_flag
from .._runs import true_runs
from ._callback import raise_from_window, window_callback

# Elements of float64 per gathered tile: large enough to amortise the halo and
# Python overhead, small enough to stay in cache and keep memory flat.
TILE_ELEMENTS = 1 << 18
# Boxes of at least this many values take the ranked percentile kernels (counted in cells, or a Fenwick tree).
RANKED_FROM = 64
# 2-D boxes are taken in cells of at least this many outputs a side (`_ranked_in_cells`)
RANKED_CELL = 96
# Below this many output elements a thread pool costs more than it saves.
SERIAL_BELOW = 1 << 16


STAT_SUM, STAT_MEAN, STAT_VAR, STAT_STD = 0, 1, 2, 3
# order statistics: each window's values are gathered and reduced (see _kernels/rank.py)
ORDER_STATS = {
    "percentile": kr.OP_PERCENTILE,
    "range": kr.OP_RANGE,
    "majority": kr.OP_MAJORITY,
    "variety": kr.OP_VARIETY,
    "apply": -1,
}
MOMENT_STATS = {"sum": STAT_SUM, "mean": STAT_MEAN, "var": STAT_VAR, "std": STAT_STD}


@dataclass(frozen=True)
class WindowSpec:
    """Everything a tile needs to know; built once by the public function."""

    stat: str  # sum, mean, var, std, min, max, count
    window: tuple[int, ...]  # window length along every axis (1 = not windowed)
    footprint: np.ndarray | None  # full-ndim boolean, None for a full box
    mode: str
    cval: float
    omit_nan: bool
    ddof: float
    out_dtype: np.dtype
    q: float = 50.0  # percentile (0..100) for the 'percentile' statistic
    reducer: Any = None  # a numba-compiled function of one 1-D array, for 'apply'
    method: str = "linear"  # how the percentile is taken between order statistics (PERCENTILE_METHODS)

    @property
    def positions(self) -> np.ndarray:
        """The percentile's fractional rank among n sorted values, for every n up to the window's count."""
        return percentile_positions(self.q, self.method, self.volume)

    @property
    def lo(self) -> tuple[int, ...]:
        return tuple(w // 2 for w in self.window)

    @property
    def hi(self) -> tuple[int, ...]:
        return tuple(w - 1 - w // 2 for w in self.window)

    @property
    def volume(self) -> int:
        if self.footprint is not None:
            return int(self.footprint.sum())
        return math.prod(self.window)


# numpy's names, and scipy.ndimage.percentile_filter's rank rule
PERCENTILE_METHODS = ("linear", "lower", "higher", "nearest", "midpoint", "scipy")


@functools.lru_cache(maxsize=64)
def percentile_positions(q: float, method: str, count: int) -> np.ndarray:
    """``positions[n]``: where the `q`-th percentile of n sorted values lies (index 0 is never used).

    numpy's methods start from the virtual index ``q / 100 * (n - 1)``: 'linear'
    interpolates at it, 'lower' and 'higher' take the order statistic below or
    above, 'nearest' the nearer one (ties to the even index, as numpy), and
    'midpoint' halfway between lower and higher. 'scipy' is the rank of
    scipy.ndimage.percentile_filter: ``int(n * q / 100)``, ``n - 1`` at q = 100.
    """
    n = np.arange(count + 1, dtype=np.float64)
    virtual = q / 100.0 * np.maximum(n - 1, 0)
    if method == "linear":
        positions = virtual
    elif method == "lower":
        positions = np.floor(virtual)
    elif method == "higher":
        positions = np.ceil(virtual)
    elif method == "nearest":
        positions = np.rint(virtual)
    elif method == "midpoint":
        positions = np.floor(virtual) + np.where(virtual > np.floor(virtual), 0.5, 0.0)
    else:  # scipy
        positions = np.where(q >= 100.0, n - 1, np.floor(n * q / 100.0))
    positions = np.clip(positions, 0, np.maximum(n - 1, 0))
    positions.flags.writeable = False
    return positions


class Scratch:
    """Work buffers reused from tile to tile within one `compute` call, per thread.

    A tile's temporaries are megabytes; allocated afresh for every tile, each
    one is new memory from the operating system and pays a page fault per 4 KB
    on first touch, which costs more than the arithmetic. Buffers are keyed by
    purpose and shape (tiles mostly share a shape), so a result still in use is
    never handed out again; all are dropped when the call returns.
    """

    def __init__(self) -> None:
        self._buffers: dict[tuple, np.ndarray] = {}

    def get(self, purpose: str, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
        key = (threading.get_ident(), purpose, shape, np.dtype(dtype).str)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = np.empty(shape, dtype=dtype)
        return buffer


def compute(x: np.ndarray, spec: WindowSpec, trim_lo, trim_hi, origin=None, global_shape=None) -> np.ndarray:
    """Windowed statistic of `x` over the output region ``trim_lo .. n - trim_hi``.

    Windows that reach beyond `x` are completed with `spec.mode` relative to
    `x` itself. ``trim = 0`` gives the 'same' result; ``trim = (lo, hi)`` the
    'valid' one; the dask path trims the halo it was given. `origin` is the
    global index of ``x[0, ...]`` (dask blocks): tiles are cells of a global
    grid, so every output value is computed the same way in memory and in
    chunks, bit for bit; the dask paths pass the whole array's `global_shape` for that.
    """
    origin = (0,) * x.ndim if origin is None else tuple(origin)
    out_shape = tuple(n - a - b for n, a, b in zip(x.shape, trim_lo, trim_hi, strict=True))
    out = np.empty(out_shape, dtype=spec.out_dtype)
    if out.size == 0:
        return out
    start = tuple(o + t for o, t in zip(origin, trim_lo, strict=True))
    tiles = list(plan_tiles(start, out_shape, grid_cells(spec.window, global_shape or x.shape)))

    scratch = Scratch()

    def run(tile: tuple[slice, ...]) -> None:
        out[tile] = _tile_result(x, spec, tile, trim_lo, start, scratch)

    # order statistics over large footprints and user functions can take seconds per tile: Ctrl-C
    # must reach them (their kernels poll `stop_flag`)
    run_each(tiles, run, serial=out.size < SERIAL_BELOW, interruptible=spec.stat in ORDER_STATS)
    return out


def grid_cells(window: tuple[int, ...], shape: tuple[int, ...] | None = None) -> tuple[int, ...]:
    """Tile size along each axis: a global grid fixed by ndim, window and the array's shape.

    About TILE_ELEMENTS output elements per cell. Leading axes are taken one
    index at a time unless the window spans them (3-D windows), in which case
    thicker, narrower cells keep the halo overhead down. For such windows,
    when the last axis is shorter than its cell (a (1000, 1000, 6) volume), the
    cell along the axis before it grows by the same factor, so tiles keep their size instead of
    multiplying (each tile costs a fixed Python overhead). The dask paths pass
    the whole array's shape, so chunks cut exactly the tiles memory does.
    """
    ndim = len(window)
    if ndim == 1:
        return (TILE_ELEMENTS,)
    deep = any(w > 1 for w in window[:-2])
    leading = tuple((16 if w > 1 else 1) for w in window[:-2])
    rows, cols = (64, 256) if deep else (256, 1024)
    if deep and shape is not None and 0 < shape[-1] < cols:
        rows = min(rows * (cols // shape[-1]), max(shape[-2], 1) + rows)
        cols = shape[-1]
    return leading + (rows, cols)


def plan_tiles(start: tuple[int, ...], out_shape: tuple[int, ...], cells: tuple[int, ...]):
    """Output tiles (local slices): the global grid cells cut to the output region."""
    per_axis = []
    for s, n, c in zip(start, out_shape, cells, strict=True):
        bounds = [0]
        nxt = (s // c + 1) * c - s  # first global cell boundary inside the region
        while nxt < n:
            bounds.append(nxt)
            nxt += c
        bounds.append(n)
        per_axis.append([slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    return itertools.product(*per_axis)


def _gather(x: np.ndarray, tile, trim_lo, spec: WindowSpec, shift_for_var: bool, scratch: Scratch | None = None):
    """The tile's input region plus halo as a C-contiguous float64 block.

    Returns ``(block, shift)``; `block` holds ``x - shift`` (shift 0 unless
    a variance is wanted) with the edges completed by ``spec.mode``.
    """
    lo, hi = spec.lo, spec.hi
    view_index = []
    remaps: list[np.ndarray | None] = []
    taken = x
    for ax, sl in enumerate(tile):
        start = trim_lo[ax] + sl.start - lo[ax]
        stop = trim_lo[ax] + sl.stop + hi[ax]
        n = x.shape[ax]
        if start >= 0 and stop <= n:
            view_index.append(slice(start, stop))
            remaps.append(None)
            continue
        idx = edge_indices(start, stop, n, spec.mode)
        used = np.unique(idx[idx >= 0])
        if used.size == 0:  # only constant padding along this axis
            view_index.append(slice(0, 1))
            remaps.append(np.full(idx.shape, -1, dtype=np.int64))
        elif used[-1] - used[0] + 1 == used.size:  # one contiguous run of rows
            view_index.append(slice(int(used[0]), int(used[-1]) + 1))
            remaps.append(np.where(idx >= 0, idx - used[0], -1))
        else:  # e.g. 'wrap' at an edge: fetch only the rows needed
            view_index.append(slice(None))
            remaps.append((ax, used, np.where(idx >= 0, np.searchsorted(used, idx), -1)))
    taken = x[tuple(view_index)]
    for ax, entry in enumerate(remaps):
        if isinstance(entry, tuple):
            _, used, remap = entry
            taken = np.take(taken, used, axis=ax)
            remaps[ax] = remap
    # the reference comes from the tile's own pixels (never the halo), so it is
    # the same whichever way the halo was obtained (in memory or dask overlap)
    core = x[tuple(slice(t + sl.start, t + sl.stop) for t, sl in zip(trim_lo, tile, strict=True))]
    shift = reference_value(core) if shift_for_var else 0.0
    cval = spec.cval - shift
    padded = _pad_in_place(taken, remaps, shift, cval, scratch)
    if padded is not None:
        return padded, shift
    block = np.empty(taken.shape, dtype=np.float64)
    np.subtract(taken, shift, out=block, dtype=np.float64, casting="unsafe")
    for ax, remap in enumerate(remaps):
        if remap is None:
            continue
        shape = block.shape
        outer, inner = math.prod(shape[:ax]), math.prod(shape[ax + 1 :])
        grown = np.empty(shape[:ax] + (remap.size,) + shape[ax + 1 :], dtype=np.float64)
        kw.take_axis(
            block.reshape(outer, shape[ax], inner),
            remap,
            cval,
            grown.reshape(outer, remap.size, inner),
        )
        block = grown
    return block, shift


def _pad_in_place(
    taken: np.ndarray, remaps: list, shift: float, cval: float, scratch: Scratch | None = None
) -> np.ndarray | None:
    """The padded block in one allocation: `taken` copied once into its interior, the halo slabs
    filled in place axis by axis (later axes over the full extent of earlier ones, so corners come
    out as the sequential per-axis takes make them). None when a remap does not hold `taken`
    as one straight run (e.g. 'wrap' fetching rows from both ends): the caller takes the general path.
    """
    shape, interior = [], []
    for ax, remap in enumerate(remaps):
        m = taken.shape[ax]
        if remap is None:
            shape.append(m)
            interior.append(slice(0, m))
            continue
        starts = np.flatnonzero(remap == 0)
        offset = next(
            (int(o) for o in starts if o + m <= remap.size and np.array_equal(remap[o : o + m], np.arange(m))), None
        )
        if offset is None:
            return None
        shape.append(remap.size)
        interior.append(slice(offset, offset + m))
    shape = tuple(shape)
    block = np.empty(shape, dtype=np.float64) if scratch is None else scratch.get("block", shape)
    np.subtract(taken, shift, out=block[tuple(interior)], dtype=np.float64, casting="unsafe")
    for ax, remap in enumerate(remaps):
        if remap is None:
            continue
        inside = interior[ax]
        head = (slice(None),) * ax
        for position in itertools.chain(range(inside.start), range(inside.stop, remap.size)):
            source = int(remap[position])
            if source < 0:
                block[head + (position,)] = cval
            else:
                block[head + (position,)] = block[head + (inside.start + source,)]
    return block


def reference_value(core: np.ndarray) -> float:
    """A value near the tile's data (median of a finite sample), for shifting."""
    step = [max(1, n // 7) for n in core.shape]
    sample = np.asarray(core[tuple(slice(None, None, s) for s in step)], dtype=np.float64).ravel()
    sample = sample[np.isfinite(sample)]
    return float(np.median(sample)) if sample.size else 0.0


def _tile_result(x: np.ndarray, spec: WindowSpec, tile, trim_lo, start, scratch: Scratch | None = None) -> np.ndarray:
    stat = spec.stat
    block, shift = _gather(x, tile, trim_lo, spec, shift_for_var=stat in ("var", "std"), scratch=scratch)
    # global position of the block's first element along each axis, for kernels
    # whose grouping must not depend on where the tile begins
    phases = tuple(g + sl.start - lo for g, sl, lo in zip(start, tile, spec.lo, strict=True))
    tw = TileWindow(spec.window, spec.footprint, phases)
    if stat in ORDER_STATS:
        return _order_statistic(block, spec, integers=x.dtype.kind in "uib" and float(spec.cval).is_integer())
    may_have_nan = x.dtype.kind == "f" or math.isnan(spec.cval)
    # a NaN anywhere makes the sum NaN (so does inf - inf, which then just takes the exact look)
    with np.errstate(over="ignore", invalid="ignore"):  # huge values summing to inf are not NaN: no warning
        nan_mask = np.isnan(block) if may_have_nan and math.isnan(float(block.sum())) else None
    if nan_mask is not None and not nan_mask.any():
        nan_mask = None
    volume = float(spec.volume)

    if stat == "count":
        if nan_mask is None:
            out_shape = tuple(s.stop - s.start for s in tile)
            return np.full(out_shape, volume)
        return window_reduce((~nan_mask).astype(np.float64), tw, kw.OP_SUM)

    if stat in ("min", "max"):
        op = kw.OP_MIN if stat == "min" else kw.OP_MAX
        if nan_mask is None:
            return window_reduce(block, tw, op, scratch, "value")
        block[nan_mask] = np.inf if stat == "min" else -np.inf
        result = window_reduce(block, tw, op, scratch, "value")
        nan_count = window_reduce(nan_mask.astype(np.float64), tw, kw.OP_SUM, scratch, "nan")
        empty = nan_count >= volume - 0.5 if spec.omit_nan else nan_count > 0.5
        result[empty] = np.nan
        return result

    with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected below, not warned about
        result = _moments(block, nan_mask, tw, spec, shift, scratch)
    if not np.isfinite(result).all():
        # an overflow of the sums (values near 1e300, squares beyond 1e308) or honest NaN/inf:
        # look again at the data and, for huge magnitudes, redo the tile scaled by a power of two
        # (exact), so a finite answer stays finite
        if _largest_magnitude(x, tile, trim_lo, spec) > _HUGE:  # (honest NaN tiles stop here, cheaply)
            again, shift = _gather(x, tile, trim_lo, spec, shift_for_var=stat in ("var", "std"))
            largest = float(np.nanmax(np.abs(np.where(np.isfinite(again), again, 0.0))))
            exponent = int(np.ceil(np.log2(max(largest, 1.0)))) - 500  # values come down to about 2^500
            again_nan = np.isnan(again) if nan_mask is not None else None
            scaled = np.ldexp(again, -exponent)
            code = MOMENT_STATS[stat]
            power = 2 if code == STAT_VAR else 1
            with np.errstate(over="ignore", invalid="ignore"):  # a variance beyond 1e308 is inf
                small = _moments(scaled, again_nan, tw, spec, float(np.ldexp(shift, -exponent)), None)
                result = np.ldexp(small, power * exponent)
    return result


def _largest_magnitude(x: np.ndarray, tile, trim_lo, spec: WindowSpec) -> float:
    """The largest |value| (inf for an infinity) the tile's windows read, the cval included, without copying."""
    region = x[
        tuple(
            slice(max(t + sl.start - lo, 0), t + sl.stop + hi)
            for t, sl, lo, hi in zip(trim_lo, tile, spec.lo, spec.hi, strict=True)
        )
    ]
    if region.size == 0:
        return 0.0
    with warnings.catch_warnings():  # an all-NaN region is simply not huge
        warnings.simplefilter("ignore", RuntimeWarning)
        top, bottom = float(np.nanmax(region)), float(np.nanmin(region))  # reductions: no copy
    largest = max(abs(top), abs(bottom))  # inf for an infinity: the tile then gets the exact look
    if largest != largest:  # all NaN
        largest = 0.0
    return max(largest, abs(spec.cval) if math.isfinite(spec.cval) else 0.0)


# beyond this magnitude a tile's squares (var, std) or sums may overflow float64; see `_tile_result`
_HUGE = 2.0**500


def _moments(
    block: np.ndarray,
    nan_mask: np.ndarray | None,
    tw: TileWindow,
    spec: WindowSpec,
    shift: float,
    scratch: Scratch | None,
) -> np.ndarray:
    """Sum, mean, var or std of every window of a gathered block (sums of ``x - shift``)."""
    code = MOMENT_STATS[spec.stat]
    volume = float(spec.volume)
    if nan_mask is not None and spec.omit_nan:
        block[nan_mask] = 0.0
        count = window_reduce((~nan_mask).astype(np.float64), tw, kw.OP_SUM).reshape(-1)
        scalar_count = False
    else:
        count = np.array([volume])
        scalar_count = True
    s1 = window_reduce(block, tw, kw.OP_SUM, scratch, "s1")
    if s1 is block:  # a window of 1 along every axis: the sums are the block, which is squared next
        s1 = block.copy()
    if code >= STAT_VAR:
        np.multiply(block, block, out=block)
        s2 = window_reduce(block, tw, kw.OP_SUM, scratch, "s2").reshape(-1)
    else:
        s2 = s1.reshape(-1)  # unused by sum/mean
    result = np.empty(s1.shape, dtype=np.float64) if scratch is None else scratch.get("result", s1.shape)
    kw.finalize_moments(s1.reshape(-1), s2, count, scalar_count, float(spec.ddof), shift, code, result.reshape(-1))
    return result


def _row_bases(out_shape: tuple[int, ...], strides: np.ndarray) -> np.ndarray:
    """Flat offset of the first element of every output row (all axes but the last); [0] for 1-D."""
    bases = np.zeros(out_shape[:-1], dtype=np.int64)
    for ax, n in enumerate(out_shape[:-1]):
        shape = [1] * (len(out_shape) - 1)
        shape[ax] = n
        bases = bases + (np.arange(n, dtype=np.int64) * strides[ax]).reshape(shape)
    return bases.reshape(-1) if bases.ndim else np.zeros(1, dtype=np.int64)


def _ranked_percentile(block, spec: WindowSpec, column, bases, out_shape, width: int, out, counted: bool) -> None:
    """The box percentile of every window of `block` by ranks: counted one by one and in groups (`counted`,
    a cell's block) or in a Fenwick tree (any block)."""
    flat = np.ascontiguousarray(block).reshape(-1)
    # NaN last. Any order of equal values gives the same k-th value, so no stable sort: numpy's default
    # (vectorised) argsort is 3.8x the stable one on a cell's 12100 values, a quarter of a w15 median
    order = np.argsort(flat)
    ranks = np.empty(flat.size, dtype=np.int32)
    ranks[order] = np.arange(flat.size, dtype=np.int32)
    n_finite = int(flat.size - np.count_nonzero(np.isnan(flat)))
    kernel = kr.box_percentile_counted if counted else kr.box_percentile_ranked
    kernel(ranks, flat[order], n_finite, column, bases, out_shape[-1], width, spec.positions, spec.omit_nan, out)


def _ranked_in_cells(block: np.ndarray, spec: WindowSpec, out_shape: tuple[int, ...]) -> np.ndarray:
    """`_order_statistic`'s box percentile of a 2-D block by ranks, cell by cell of outputs (RANKED_CELL a
    side, or twice the window where that is larger, so the halo a cell re-reads stays small): a cell's
    block holds tens of thousands of values, few enough to count ranks one by one and in groups
    (`kr.box_percentile_counted`) and to keep the counters in the core's cache. Issue 31: 4-6x the
    Fenwick tree over a whole tile, at windows 9 to 101; the same order statistics, so identical results."""
    out = np.empty(out_shape, dtype=np.float64)
    wr, wc = spec.window
    side = max(RANKED_CELL, 2 * max(wr, wc))
    for r0 in range(0, out_shape[0], side):
        for c0 in range(0, out_shape[1], side):
            cell = np.ascontiguousarray(block[r0 : r0 + side + wr - 1, c0 : c0 + side + wc - 1])
            cell_out = (cell.shape[0] - wr + 1, cell.shape[1] - wc + 1)
            column = np.arange(wr, dtype=np.int64) * cell.shape[1]
            bases = np.arange(cell_out[0], dtype=np.int64) * cell.shape[1]
            part = np.empty(cell_out)
            _ranked_percentile(cell, spec, column, bases, cell_out, wc, part, counted=True)
            out[r0 : r0 + side, c0 : c0 + side] = part
    return out


def _order_statistic(block: np.ndarray, spec: WindowSpec, integers: bool = False) -> np.ndarray:
    """Median, percentile, range, majority, variety or a user reduction of every window of a padded block.

    `integers`: the block holds whole numbers (an integer image, an integral `cval`), so a 2-D box
    percentile over a tile whose values span fewer than 256 takes the sliding-histogram kernel.
    """
    footprint = spec.footprint if spec.footprint is not None else np.ones(spec.window, dtype=bool)
    strides = np.array(block.strides, dtype=np.int64) // block.itemsize
    offsets = (np.argwhere(footprint) @ strides).astype(np.int64)
    out_shape = tuple(b - w + 1 for b, w in zip(block.shape, spec.window, strict=True))
    bases = _row_bases(out_shape, strides)
    out = np.empty((bases.size, out_shape[-1]), dtype=np.float64)
    low = _histogram_low(block, spec) if integers else None
    if low is not None:  # constant work per pixel, whatever the window
        wr, wc = spec.window
        rows, columns = (np.arange(n, dtype=np.int64) for n in block.shape)  # the block is padded already
        khr.box_percentile_histogram(block, rows, columns, low, low, wr, wc, spec.positions, 0, out.shape[0], out)
    elif spec.stat == "percentile" and spec.footprint is None:  # a box: slide a sorted window along the rows
        column = (np.argwhere(np.ones(spec.window[:-1] + (1,), dtype=bool)) @ strides).astype(np.int64)
        width = spec.window[-1]
        if column.size * width >= RANKED_FROM:  # large boxes: count ranks in a tree instead of shifting values
            if block.ndim == 2:
                return _ranked_in_cells(block, spec, out_shape)
            _ranked_percentile(block, spec, column, bases, out_shape, width, out, counted=False)
        else:
            kr.box_percentile(block, column, bases, out_shape[-1], width, spec.positions, spec.omit_nan, out)
    elif spec.stat == "apply":
        callback = window_callback(spec.reducer)
        failed = kr.window_apply(block, offsets, bases, out_shape[-1], callback, spec.omit_nan, stop_flag(), out)
        if failed >= 0:
            row, column = divmod(failed, out_shape[-1])
            raise_from_window(spec.reducer, block, offsets, int(bases[row]) + column, spec.omit_nan)
    else:
        kr.window_order_stat(
            block, offsets, bases, out_shape[-1], ORDER_STATS[spec.stat], spec.positions, spec.omit_nan,
            stop_flag(), out,
        )  # fmt: skip
    return out.reshape(out_shape)


def _histogram_low(block: np.ndarray, spec: WindowSpec) -> float | None:
    """The smallest value of a 2-D block for `box_percentile_histogram`, or None where it does not apply:
    not a box percentile, not 2-D, values spanning 256 or more, or a window of 32768 values or more
    (beyond the kernel's packed ranks: such windows take the counted ranks of the float path)."""
    if spec.stat != "percentile" or spec.footprint is not None or block.ndim != 2 or spec.volume >= khr.PACKED_MAX:
        return None
    low, high = float(block.min()), float(block.max())
    return low if high - low < khr.BINS else None  # NaN (an integer image's NaN cval) fails the test too


@dataclass(frozen=True)
class TileWindow:
    """The window of one tile: shape, footprint, and the global phase of the
    tile's first padded element along each axis (for tiling-independent sums)."""

    window: tuple[int, ...]
    footprint: np.ndarray | None
    phases: tuple[int, ...]


def window_reduce(
    block: np.ndarray, tw: TileWindow, op: int, scratch: Scratch | None = None, purpose: str = ""
) -> np.ndarray:
    """Reduce a padded block over the window (box: separable; footprint: runs).

    With `scratch`, the per-axis results go to its buffers for `purpose` (each
    pass has its own shape, so a pass never reads the buffer it writes).
    """
    if tw.footprint is None:
        for ax, w in enumerate(tw.window):
            if w > 1:
                shape = block.shape[:ax] + (block.shape[ax] - w + 1,) + block.shape[ax + 1 :]
                into = None if scratch is None else scratch.get(f"{purpose}{ax}", shape)
                block = _slide(block, ax, w, op, tw.phases[ax], into)
        return block
    return _reduce_footprint(block, tw.footprint, op, tw.phases)


def _slide(block: np.ndarray, ax: int, w: int, op: int, phase: int, into: np.ndarray | None = None) -> np.ndarray:
    """Sliding reduction of length `w` along axis `ax` of a C-contiguous block (into `into` when given)."""
    shape = block.shape
    outer, n, inner = math.prod(shape[:ax]), shape[ax], math.prod(shape[ax + 1 :])
    reduced = np.empty(shape[:ax] + (n - w + 1,) + shape[ax + 1 :], dtype=np.float64) if into is None else into
    if inner == 1:
        kw.sliding_last(block.reshape(outer, n), w, op, phase % w, reduced.reshape(outer, n - w + 1))
    else:
        kw.sliding_axis(block.reshape(outer, n, inner), w, op, phase % w, reduced.reshape(outer, n - w + 1, inner))
    return reduced


def footprint_runs(footprint: np.ndarray) -> list[tuple[tuple[int, ...], int, int]]:
    """Decompose a footprint into runs along its last axis: (row index, start, length)."""
    return [
        (row, start, stop - start)
        for row in np.ndindex(footprint.shape[:-1])
        for start, stop in true_runs(footprint[row]).tolist()
    ]


def _reduce_footprint(block: np.ndarray, footprint: np.ndarray, op: int, phases) -> np.ndarray:
    """Arbitrary footprint: 1-D run reductions along the last axis, then combined.

    Costs (number of runs) operations per pixel instead of (footprint size).
    A footprint that is flat along the last axis is moved so its runs are long.
    Run sums come from doubling tables (`_kernels/footprint.py`): no running
    sum, and the same additions in the same order as the fused 2-D path.
    """
    run_axis = max(ax for ax, s in enumerate(footprint.shape) if s > 1) if footprint.size > 1 else block.ndim - 1
    if run_axis != block.ndim - 1:
        moved = np.ascontiguousarray(np.moveaxis(block, run_axis, -1))
        moved_phases = tuple(phases[:run_axis]) + tuple(phases[run_axis + 1 :]) + (phases[run_axis],)  # as the axes
        result = _reduce_footprint(moved, np.moveaxis(footprint, run_axis, -1), op, moved_phases)
        return np.ascontiguousarray(np.moveaxis(result, -1, run_axis))
    runs = footprint_runs(footprint)
    lengths = sorted({length for _, _, length in runs})
    layer_of = {length: i for i, length in enumerate(lengths)}
    n_last = block.shape[-1]
    rows = block.size // n_last
    stacked = np.zeros((len(lengths), rows, n_last), dtype=np.float64)
    flat_block = block.reshape(rows, n_last)
    for length, layer in layer_of.items():
        reduced = np.empty((rows, n_last - length + 1), dtype=np.float64)
        if op == kw.OP_SUM:  # tree sums from doubling tables: what the fused 2-D kernel adds, bit for bit
            kf.doubling_run_sums(flat_block, length, reduced)
        else:
            kw.sliding_last(flat_block, length, op, phases[-1] % length, reduced)
        stacked[layer, :, : n_last - length + 1] = reduced
    strides = np.array([s // block.itemsize for s in block.strides], dtype=np.int64)
    out_shape = tuple(b - f + 1 for b, f in zip(block.shape, footprint.shape, strict=True))
    run_table = np.array([layer_of[length] for _, _, length in runs], dtype=np.int64)
    offsets = np.array([int(np.dot(row, strides[:-1])) + start for row, start, _ in runs], dtype=np.int64)
    bases = _row_bases(out_shape, strides)
    result = np.empty((bases.size, out_shape[-1]), dtype=np.float64)
    kw.combine_runs(stacked.reshape(len(lengths), -1), run_table, offsets, bases, out_shape[-1], op, result)
    return result.reshape(out_shape)
