"""How a moving-window statistic is computed: the one planner behind `moments.py` and `order.py`.

`window_spec` validates a call once and freezes it into an engine
`WindowSpec`; `run_statistic` then picks the path: dask arrays go blockwise
(`_dask.py`), 1-D and 2-D arrays (and stacks framed over their last two axes)
take a fused one-pass kernel where one applies (box sums and means, box
variance, box and footprint extremes, footprint sums, 3x3 and 5x5 median
networks), and everything else the tiling engine (`_engine.py`). Every fused
path computes the engine's bits, and hands back None where its rules stop
(NaN, overflow), so the engine answers those.

Each fused path prepares its arrays and one ``rows(r0, r1) -> bool`` call on a
kernel; `_rows_fused` runs it over the thread pool and says whether every range
answered.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._modes import MODE_ALIASES
from .._parallel import n_threads, run_in_ranges
from .._validate import (
    PixelsmithValueError,
    as_image_array,
    as_real,
    check_allocation,
    check_choice,
    check_footprint,
    check_out_dtype,
    is_dask_array,
    memory_budget,
    normalize_axes,
    normalize_window,
    result_float_dtype,
)
from ..types import Crop, Mode, NanPolicy
from . import _engine as engine
from . import _huge

__all__ = ["window_spec", "run_statistic"]


def window_spec(
    stat: str,
    shape: tuple[int, ...],
    in_dtype: Any,
    size: Any = 3,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
    ddof: float = 0.0,
    q: float = 50.0,
    reducer: Any = None,
    method: str = "linear",
    in_memory: bool = False,
) -> engine.WindowSpec:
    """Validate the window arguments for an array of `shape`/`in_dtype` into a spec.

    Shared by the array functions below and by the CLI's out-of-core path. `in_memory`: the caller
    computes a numpy array whole, so a box window beyond the memory budget of the tiles is left to
    `_huge` (see `run_statistic`) instead of refused.
    """
    ndim = len(shape)
    axes_t = normalize_axes(axes, ndim)
    check_choice(stat, "stat", ("mean", "sum", "var", "std", "min", "max", "count", *engine.ORDER_STATS))
    check_choice(mode, "mode", tuple(MODE_ALIASES))
    check_choice(crop, "crop", ("same", "valid"))
    check_choice(nan_policy, "nan_policy", ("propagate", "omit"))
    check_choice(method, "method", engine.PERCENTILE_METHODS)
    try:
        cval = float(cval)
    except (TypeError, ValueError):
        raise PixelsmithValueError(f"`cval` must be a real number, got {cval!r}") from None
    ddof = as_real(ddof, "ddof")
    if not np.isfinite(ddof) or ddof < 0:
        raise PixelsmithValueError(f"`ddof` must be a finite number >= 0, got {ddof!r}")

    fp = None
    if footprint is not None:
        fp = check_footprint(footprint, axes_t, ndim)
        window = fp.shape
        if fp.all():
            fp = None  # a full box: the separable path is exact and faster
    else:
        window = normalize_window(size, axes_t, ndim)

    out_dtype = check_out_dtype(dtype)
    if out_dtype is None:
        categorical = np.dtype(in_dtype).kind in "iub"  # integer input cannot hold NaN
        if stat == "count" or (stat == "variety" and categorical):
            out_dtype = np.dtype(np.int64)
        elif stat == "majority" and categorical:
            out_dtype = np.dtype(in_dtype)  # a value of the input: categories keep their dtype
        else:
            out_dtype = result_float_dtype(in_dtype)
    if crop == "valid":
        for ax, (n, w) in enumerate(zip(shape, window, strict=True)):
            if n < w:
                raise PixelsmithValueError(
                    f"crop='valid' needs every windowed axis at least as long as the window; "
                    f"axis {ax} has length {n} < window {w}; use crop='same' or a smaller size"
                )
    # a window far beyond the array: tiles would need its halo, so it is refused, not allocated, unless
    # the statistic separates and the caller (numpy input) lets `_huge` compute it in closed form
    if not (in_memory and _huge.applies(stat, fp, crop) and _tiles_beyond_budget(window, shape, fp)):
        name, value = ("footprint", f"of shape {tuple(window)}") if footprint is not None else ("size", size)
        check_allocation(
            _tile_bytes(window, shape, fp),
            name,
            value,
            f"the windows of an array of shape {tuple(shape)}",
            _HUGE_FIX
            if _huge.applies(stat, fp, crop)
            else "use a window no larger than the array (a window "
            "beyond it only repeats the `mode` edges; local_mean, _sum, _var, _std, _min, _max and _range of a "
            "box compute any size)",
        )
    return engine.WindowSpec(
        stat=stat,
        window=tuple(int(w) for w in window),
        footprint=fp,
        mode=MODE_ALIASES[mode],
        cval=cval,
        omit_nan=nan_policy == "omit",
        ddof=ddof,
        out_dtype=out_dtype,
        q=float(q),
        reducer=reducer,
        method=method,
    )


_HUGE_FIX = "compute in memory (a numpy array, not dask chunks), or use a window no larger than the array"


def _tile_bytes(window: tuple[int, ...], shape: tuple[int, ...], fp: np.ndarray | None) -> float:
    """What the tiles of the engine would allocate: each holds its cell plus the window's halo along every
    axis, in float64, a few times over (block, per-axis sums, squares), on up to two threads at once."""
    cells = engine.grid_cells(tuple(int(w) for w in window), tuple(shape))
    tile_values = math.prod(min(c, max(n, 1)) + w - 1 for c, n, w in zip(cells, shape, window, strict=True))
    # a footprint's tile also stacks one reduced copy per distinct run length (a disk of radius R: about R)
    layers = 4 + (_distinct_run_lengths(fp) if fp is not None else 0)
    return float(layers * 8 * tile_values * min(2, n_threads()))


def _tiles_beyond_budget(window: tuple[int, ...], shape: tuple[int, ...], fp: np.ndarray | None) -> bool:
    return not _tile_bytes(window, shape, fp) <= memory_budget()


def _distinct_run_lengths(footprint: np.ndarray) -> int:
    """How many distinct lengths the runs of True along the footprint's last axis have (vectorised)."""
    rows = footprint.reshape(-1, footprint.shape[-1]).astype(np.int8)
    edges = np.diff(np.pad(rows, ((0, 0), (1, 1))), axis=1)
    starts, stops = np.nonzero(edges == 1)[1], np.nonzero(edges == -1)[1]
    return int(np.unique(stops - starts).size)


def run_statistic(
    stat: str,
    a: Any,
    size: Any,
    footprint: Any,
    mode: str,
    cval: float,
    crop: str,
    nan_policy: str,
    axes: Any,
    dtype: Any,
    ddof: float = 0.0,
    q: float = 50.0,
    reducer: Any = None,
    method: str = "linear",
):
    """Validate once, then compute `stat` on numpy or dask input by the path that applies (module docstring)."""
    a = as_image_array(a, "image")
    if a.dtype == bool:
        a = a.astype(np.uint8)
    in_memory = not is_dask_array(a)
    spec = window_spec(
        stat, a.shape, a.dtype, size, footprint, mode, cval, crop, nan_policy, axes, dtype, ddof, q, reducer, method,
        in_memory,
    )  # fmt: skip
    out_dtype = spec.out_dtype
    if out_dtype.kind != "f":  # counts are accumulated in float64, converted at the end
        spec = dataclasses.replace(spec, out_dtype=np.dtype(np.float64))
    if (
        in_memory
        and _huge.applies(spec.stat, spec.footprint, crop)
        and _tiles_beyond_budget(spec.window, a.shape, None)
    ):
        check_allocation(
            8.0 * a.size * 6,  # float64 copies: values, squares, NaN counts, prefix sums, result
            "size",
            size,
            f"a box window beyond an array of shape {a.shape}",
            "use a window no larger than the array, which is computed a few tiles at a time",
        )
        result = _huge.compute(a, spec.stat, spec.window, spec.mode, spec.cval, spec.omit_nan, spec.ddof)
    elif is_dask_array(a):
        from ._dask import map_window

        result = map_window(a, spec, crop)
    elif (fused := _fused_frames(a, spec, crop, out_dtype)) is not None:
        result = fused
    else:
        trim_lo = spec.lo if crop == "valid" else (0,) * a.ndim
        trim_hi = spec.hi if crop == "valid" else (0,) * a.ndim
        result = engine.compute(a, spec, trim_lo, trim_hi)
    if result.dtype != out_dtype:
        result = result.astype(out_dtype)
    return result


def _fused(a: np.ndarray, spec: engine.WindowSpec, crop: str, out_dtype: np.dtype, into=None) -> np.ndarray | None:
    """The one-pass kernel for a 1-D or 2-D array where one applies (written into `into` when given), else None."""
    if _box_extreme_applies(a, spec, crop):
        return _box_extreme(a, spec, out_dtype, into)
    if spec.footprint is None and spec.stat in ("sum", "mean"):
        return _box_sum(a, spec, crop, into)
    if spec.footprint is None and spec.stat in ("var", "std"):
        return _box_variance(a, spec, crop, into)
    if _median_network_applies(a, spec, crop):
        return _median_network(a, spec, out_dtype, into)
    if _byte_percentile_applies(a, spec, crop):
        return _byte_percentile(a, spec, out_dtype, into)
    if _footprint_applies(a, spec, crop):
        return _footprint_fused(a, spec, out_dtype, into)
    return None


def _fused_frames(a: np.ndarray, spec: engine.WindowSpec, crop: str, out_dtype: np.dtype) -> np.ndarray | None:
    """`_fused` for a 1-D or 2-D array, and frame by frame for a stack whose window spans only its last two
    axes (bands of a raster, frames of a movie), each frame written into its place in one output."""
    if a.ndim <= 2:
        return _fused(a, spec, crop, out_dtype)
    if crop != "same" or any(w != 1 for w in spec.window[:-2]):
        return None
    frame_spec = dataclasses.replace(
        spec,
        window=spec.window[-2:],
        footprint=None if spec.footprint is None else spec.footprint.reshape(spec.footprint.shape[-2:]),
    )
    frames = np.ascontiguousarray(a).reshape(-1, *a.shape[-2:])
    first = _fused(frames[0], frame_spec, crop, out_dtype)
    if first is None:
        return None
    out = np.empty(frames.shape, first.dtype)
    out[0] = first
    for k in range(1, len(frames)):
        if _fused(frames[k], frame_spec, crop, out_dtype, out[k]) is None:  # NaN in a frame: the engine's rules
            return None
    return out.reshape(a.shape)


def _output(image: np.ndarray, dtype: np.dtype, into: np.ndarray | None) -> np.ndarray:
    """The fused kernels' output: `into` (a frame of a stack's output, that dtype) or a new array."""
    return np.empty(image.shape, dtype) if into is None else into.reshape(image.shape)


def _box_extreme_applies(a: np.ndarray, spec: engine.WindowSpec, crop: str) -> bool:
    """The fused van Herk path (`_box_extreme`): a full box over a 1-D or 2-D array, 'same' extent.

    A NaN cval needs the engine's rules, and an integer array padded with a
    `cval` its dtype cannot hold would change the answer; both stay on the
    general path (so do NaN values in the data: the kernel reports them).
    """
    if spec.stat not in ("min", "max") or spec.footprint is not None or crop != "same" or a.ndim not in (1, 2):
        return False
    if a.size < engine.SERIAL_BELOW or a.dtype.kind not in "fiu":
        return False
    if spec.mode == "constant" and (np.isnan(spec.cval) or (a.dtype.kind in "iu" and spec.cval != int(spec.cval))):
        return False
    if spec.mode == "constant" and a.dtype.kind in "iu":
        info = np.iinfo(a.dtype)
        if not info.min <= spec.cval <= info.max:
            return False
    return True


def _footprint_applies(a: np.ndarray, spec: engine.WindowSpec, crop: str) -> bool:
    """The fused footprint path (`_footprint_fused`): min, max, sum or mean over a footprint of a 1-D or 2-D
    array, 'same' extent, runs along the rows (a footprint one column wide keeps the engine's moved axis)."""
    if spec.footprint is None or spec.stat not in ("min", "max", "sum", "mean") or spec.footprint.shape[-1] < 2:
        return False
    if spec.stat in ("sum", "mean"):
        return crop == "same" and a.ndim in (1, 2) and a.size >= engine.SERIAL_BELOW and a.dtype.kind in "fiu"
    return _box_extreme_applies(a, dataclasses.replace(spec, footprint=None), crop)


# bytes of doubling tables a thread keeps for one strip of columns (rows x levels x strip): about L2
_FOOTPRINT_RING_BYTES = 1 << 20
# ... and the most a thread may hold when the footprint is too large for that (e.g. 1000 x 1000)
_FOOTPRINT_RING_LIMIT = 1 << 26


def _footprint_fused(a: np.ndarray, spec: engine.WindowSpec, dtype: np.dtype, into=None) -> np.ndarray | None:
    """Min, max, sum or mean over a footprint, rows streamed with doubling tables (`_kernels/footprint.py`).

    Extremes take two table lookups per run of the footprint (exact, in the
    input's dtype); sums add the runs' binary blocks in float64, the engine's
    additions in the engine's order. None when the data hold NaN (extremes)
    or a result is not finite (sums): the engine's rules answer those.
    """
    from .._kernels import footprint as _kf

    image, window, row_map, col_map = _rows_and_edge_maps(a, spec)
    footprint = spec.footprint.reshape(window)
    runs = engine.footprint_runs(footprint)
    longest = max(length for _, _, length in runs)
    levels = longest.bit_length()  # tables for blocks of 1, 2, .., 2**(levels - 1) values
    fh, fw = window
    extreme = spec.stat in ("min", "max")
    item = image.dtype.itemsize if extreme else 8
    strip = max(64, _FOOTPRINT_RING_BYTES // (fh * levels * item) - fw + 1)
    strip = min(strip, image.shape[1])
    if fh * levels * (strip + fw - 1) * item > _FOOTPRINT_RING_LIMIT:  # a footprint near the image's size:
        return None  # the engine's tiles, whose memory window_spec has checked, rather than huge rings
    lo1 = fw // 2
    if extreme:
        table = np.array([(row[0], start, n, n.bit_length() - 1) for row, start, n in runs], dtype=np.int64)
        fill = np.asarray(spec.cval if spec.mode == "constant" else 0).astype(image.dtype)[()]
        out = _output(image, image.dtype if dtype == image.dtype else spec.out_dtype, into)
    else:
        terms, table = [], []
        for row, start, n in runs:
            first = len(terms)
            offset = 0
            for k in range(n.bit_length() - 1, -1, -1):  # the set bits of the length, highest first
                if n >> k & 1:
                    terms.append((k, offset))
                    offset += 1 << k
            table.append((row[0], start, first, len(terms)))
        table = np.array(table, dtype=np.int64)
        terms = np.array(terms, dtype=np.int64)
        out = _output(image, spec.out_dtype, into)

    def rows(r0: int, r1: int) -> bool:
        if extreme:
            return _kf.footprint_extreme_rows(
                image, row_map, col_map, lo1, table, levels, fh, fw, spec.stat == "max", fill,
                image.dtype.kind == "f", strip, r0, r1, out,
            )  # fmt: skip
        mean_of = float(spec.volume) if spec.stat == "mean" else 0.0
        return _kf.footprint_sum_rows(
            image, row_map, col_map, lo1, table, terms, levels, fh, fw, float(spec.cval), mean_of,
            strip, r0, r1, out,
        )  # fmt: skip

    return out.reshape(a.shape) if _rows_fused(image.shape[0], rows) else None


def _rows_fused(count: int, rows: Callable[[int, int], Any]) -> bool:
    """``rows(r0, r1)`` over 0..count in ranges on the thread pool; True when every call answered truthy
    (the fused kernels return False where they met what only the engine's rules answer: NaN, overflow)."""
    answers: list[Any] = []
    run_in_ranges(count, lambda r0, r1: answers.append(rows(r0, r1)), minimum=2)
    return all(answers)


def _rows_and_edge_maps(a: np.ndarray, spec: engine.WindowSpec):
    """For the fused box kernels: `a` as a C-contiguous 2-D image (1-D as one row), the 2-D window, and for
    rows and columns the source index of every padded position (-1: `cval`), as `spec.mode` extends the edges."""
    from .._modes import edge_indices

    image = np.ascontiguousarray(a).reshape((1,) * (2 - a.ndim) + a.shape)
    window = (1,) * (2 - a.ndim) + tuple(spec.window)
    maps = [edge_indices(-(w // 2), n + w - 1 - w // 2, n, spec.mode) for n, w in zip(image.shape, window, strict=True)]
    return image, window, maps[0], maps[1]


def _box_extreme(a: np.ndarray, spec: engine.WindowSpec, dtype: np.dtype | None = None, into=None) -> np.ndarray | None:
    """Box minimum or maximum in the input's dtype, rows streamed (`_kernels/extreme.py`); None if NaN is met.

    Edges come from index maps (no padded copy); direct comparisons for
    windows up to 8, van Herk / Gil-Werman (3 comparisons a value) beyond.
    Written straight into `dtype` when that is the input's own (extremes are
    exact: ``dtype=np.uint8`` on a uint8 image moves 1 byte a pixel, not 8).
    """
    from .._kernels import extreme as _kx

    image, window, row_map, col_map = _rows_and_edge_maps(a, spec)
    fill = np.asarray(spec.cval if spec.mode == "constant" else 0).astype(image.dtype)[()]
    out = _output(image, image.dtype if dtype == image.dtype else spec.out_dtype, into)

    def rows(r0: int, r1: int) -> bool:
        return _kx.box_extreme_rows(
            image, row_map, col_map, window[0], window[1], spec.stat == "max", fill, image.dtype.kind == "f",
            r0, r1, out,
        )  # fmt: skip

    return out.reshape(a.shape) if _rows_fused(image.shape[0], rows) else None


def _box_sum(a: np.ndarray, spec: engine.WindowSpec, crop: str, into=None) -> np.ndarray | None:
    """Box sum or mean of a 1-D or 2-D array in one fused pass (`_kernels/box.py`); None where it does not apply.

    The same arithmetic as the engine, bit for bit, without gathering tiles:
    2-3x faster. A result that is not finite everywhere (NaN or inf in the
    data, an overflow) is recomputed by the engine, whose rules cover those.
    """
    if spec.stat not in ("sum", "mean") or spec.footprint is not None or crop != "same" or a.ndim not in (1, 2):
        return None
    if a.size < engine.SERIAL_BELOW or a.dtype.kind not in "fiu":
        return None
    from .._kernels import box as _kb

    image, window, row_map, col_map = _rows_and_edge_maps(a, spec)
    out = _output(image, spec.out_dtype, into)
    if (accumulator := _exact_integer_accumulator(image.dtype, spec)) is not None:
        constant = accumulator.dtype.type(spec.cval if spec.mode == "constant" else 0)

        def integer_rows(r0: int, r1: int) -> bool:
            _kb.box_int_rows(
                image, row_map, col_map, window[0], window[1], constant, spec.stat == "mean", float(spec.volume),
                accumulator, r0, r1, out,
            )  # fmt: skip
            return True  # exact integer sums: always finite

        _rows_fused(image.shape[0], integer_rows)
        return out.reshape(a.shape)
    lo = [w // 2 for w in window]
    check = image.dtype.kind == "f" or not math.isfinite(spec.cval)  # integers with a finite cval: always finite

    def rows(r0: int, r1: int) -> bool:
        return _kb.box_rows(
            image, row_map, col_map, window[0], window[1], -lo[0], -lo[1], float(spec.cval), spec.stat == "mean",
            float(spec.volume), check, r0, r1, out,
        )  # fmt: skip

    return out.reshape(a.shape) if _rows_fused(image.shape[0], rows) else None


def _exact_integer_accumulator(dtype: np.dtype, spec: engine.WindowSpec) -> np.ndarray | None:
    """An empty int32 or int64 array (its dtype is the accumulator) when every window sum of this integer
    image is an integer below 2**53, so any order of additions gives the engine's float64 bits; else None."""
    if dtype.kind not in "iu" or dtype.itemsize > 4:
        return None
    cval = spec.cval if spec.mode == "constant" else 0.0
    if cval != int(cval):  # a fractional (or NaN) constant: float sums
        return None
    info = np.iinfo(dtype)
    largest = max(abs(int(info.min)), int(info.max), abs(int(cval))) * spec.volume
    if largest >= 2**53:
        return None
    return np.empty(0, np.int32 if largest < 2**31 else np.int64)


def _box_variance(a: np.ndarray, spec: engine.WindowSpec, crop: str, into=None) -> np.ndarray | None:
    """Box variance or std of a 1-D or 2-D array, fused per tile (`_kernels/variance.py`); None where it does
    not apply or a result is not finite (the engine then answers, with its rules for NaN and overflow).

    The engine's tiles, shifts and additions, so the same bits as the engine and its dask path, 2-3x faster.
    """
    if spec.stat not in ("var", "std") or spec.footprint is not None or crop != "same" or a.ndim not in (1, 2):
        return None
    if a.size < engine.SERIAL_BELOW or a.dtype.kind not in "fiu":
        return None
    from .._kernels import variance as _kv

    image, window, row_map, col_map = _rows_and_edge_maps(a, spec)
    tiles, shifts = [], []
    for tile in engine.plan_tiles((0,) * a.ndim, a.shape, engine.grid_cells(spec.window, a.shape)):
        shifts.append(engine.reference_value(a[tile]))
        rows = tile[0] if a.ndim == 2 else slice(0, 1)
        tiles.append((rows.start, rows.stop, tile[-1].start, tile[-1].stop))
    tiles, shifts = np.array(tiles, dtype=np.int64), np.array(shifts)
    out = _output(image, spec.out_dtype, into)

    def some_tiles(t0: int, t1: int) -> bool:
        return _kv.box_var_tiles(
            image, row_map, col_map, window[0], window[1], tiles[t0:t1], shifts[t0:t1], float(spec.cval),
            float(spec.ddof), spec.stat == "std", out,
        )  # fmt: skip

    return out.reshape(a.shape) if _rows_fused(len(tiles), some_tiles) else None


def _median_network_applies(a: np.ndarray, spec: engine.WindowSpec, crop: str) -> bool:
    """3x3 and 5x5 box medians of a 2-D array, 'same' extent, by comparator networks (`_median_network`)."""
    if (
        spec.stat != "percentile"
        or spec.q != 50.0
        or spec.method != "linear"
        or a.ndim != 2
        or spec.window not in ((3, 3), (5, 5))
    ):
        return False
    return _box_extreme_applies(a, dataclasses.replace(spec, stat="max", footprint=None), crop)


def _byte_percentile_applies(a: np.ndarray, spec: engine.WindowSpec, crop: str) -> bool:
    """Box percentiles of a 2-D uint8 or int8 array, 'same' extent, by sliding histograms read straight
    from the image (`_byte_percentile`); windows of fewer than 32768 values (the kernel's packed ranks)."""
    from .._kernels.histogram_rank import PACKED_MAX

    if spec.stat != "percentile" or spec.footprint is not None or a.ndim != 2 or a.dtype not in (np.uint8, np.int8):
        return False
    return spec.volume < PACKED_MAX and _box_extreme_applies(a, dataclasses.replace(spec, stat="max"), crop)


def _byte_percentile(a: np.ndarray, spec: engine.WindowSpec, dtype: np.dtype, into=None) -> np.ndarray:
    """`_kernels/histogram_rank.py` on the image itself: no float64 copy of each tile, and written straight
    into `dtype` when that is the input's own (a median of bytes is a byte unless interpolated, and numpy's
    cast truncates an interpolated one as the kernel's store does)."""
    from .._kernels import histogram_rank as khr

    image, window, row_map, col_map = _rows_and_edge_maps(a, spec)
    fill = np.asarray(spec.cval if spec.mode == "constant" else 0).astype(image.dtype)[()]
    low = int(np.iinfo(image.dtype).min)  # every value and `fill` lie in [low, low + 256)
    out = _output(image, image.dtype if dtype == image.dtype else spec.out_dtype, into)
    wr, wc = window

    def rows(r0: int, r1: int) -> bool:
        khr.box_percentile_histogram(image, row_map, col_map, fill, low, wr, wc, spec.positions, r0, r1, out)
        return True

    _rows_fused(image.shape[0], rows)
    return out


def _median_network(a: np.ndarray, spec: engine.WindowSpec, dtype: np.dtype, into=None) -> np.ndarray | None:
    """3x3 or 5x5 box median by a comparator network (`_kernels/median_network.py`); None if NaN is met.

    Only min and max, so exact in the input's dtype, and written straight into
    `dtype` when that is the input's own (``dtype=np.uint8`` moves 1 byte a pixel).
    """
    from .._kernels import median_network as _km

    image, _, row_map, col_map = _rows_and_edge_maps(a, spec)
    fill = np.asarray(spec.cval if spec.mode == "constant" else 0).astype(image.dtype)[()]
    out = _output(image, image.dtype if dtype == image.dtype else spec.out_dtype, into)
    kernel = _km.median3_rows if spec.window == (3, 3) else _km.median5_rows

    def rows(r0: int, r1: int) -> bool:
        return kernel(image, row_map, col_map, fill, image.dtype.kind == "f", r0, r1, out)

    return out if _rows_fused(image.shape[0], rows) else None
