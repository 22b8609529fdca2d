"""Box statistics whose window reaches far beyond the array, in closed form along each axis (issue 27).

A tile of the engine holds its cell plus the window's halo along every axis at
once, so a 100000-wide window over a 300 x 400 raster would need 600 GiB. But a
box sum or extreme separates into one pass per axis, and along one axis the
values beyond the array follow the mode: periodically for 'reflect', 'mirror'
and 'wrap' (periods 2n, 2n - 2 and n), as one repeated value on each side for
'constant' and 'nearest'. So a window's sum is a whole number of periods (an
integer count times the period's sum, so nothing cancels) plus a difference of
prefix sums over one period; and a window's extreme is the line's extreme once
the window spans a period, or (past an end of the array) a prefix or suffix
extreme beside the outside value. Memory is a few arrays of the input's size
and time does not depend on the window. NaN is counted by the same sums, so
both NaN policies hold; values are shifted by the array's mean before sums of
squares, as the engine shifts them.
"""

from __future__ import annotations

import math

import numpy as np

from .._modes import edge_indices

# the statistics computed here: moments, counts and extremes of a box
STATS = ("sum", "mean", "var", "std", "count", "min", "max", "range")
PERIODIC = ("reflect", "mirror", "wrap")


def applies(stat: str, footprint: object, crop: str) -> bool:
    """Whether a window beyond the memory budget can be computed here instead of refused."""
    return stat in STATS and footprint is None and crop == "same"


def _period(n: int, mode: str) -> int:
    return {"wrap": n, "reflect": 2 * n, "mirror": max(2 * n - 2, 1)}[mode]


def _windows(n: int, w: int, lo: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) of each output position's window along an axis of length n."""
    starts = np.arange(n, dtype=np.int64) - lo
    return starts, starts + w


def window_sums(v: np.ndarray, axis: int, w: int, lo: int, mode: str, outside: float) -> np.ndarray:
    """Sum of every `w`-long window along `axis` of float64 `v`; 'constant' pads with `outside`."""
    line = np.moveaxis(v, axis, -1)
    n = line.shape[-1]
    starts, stops = _windows(n, w, lo)
    if mode in PERIODIC:
        p = _period(n, mode)
        cumulative = np.zeros(line.shape[:-1] + (p + 1,))
        np.cumsum(line[..., edge_indices(0, p, n, mode)], axis=-1, out=cumulative[..., 1:])
        whole_start, part_start = np.divmod(starts, p)
        whole_stop, part_stop = np.divmod(stops, p)
        out = (whole_stop - whole_start) * cumulative[..., p:] + (
            cumulative[..., part_stop] - cumulative[..., part_start]
        )
    else:
        cumulative = np.zeros(line.shape[:-1] + (n + 1,))
        np.cumsum(line, axis=-1, out=cumulative[..., 1:])
        inside = cumulative[..., np.clip(stops, 0, n)] - cumulative[..., np.clip(starts, 0, n)]
        before = np.minimum(stops, 0) - np.minimum(starts, 0)  # positions < 0 in each window
        after = np.maximum(stops, n) - np.maximum(starts, n)  # positions >= n
        if mode == "constant":
            out = inside + outside * (before + after)
        else:  # nearest: the end values repeat
            out = inside + line[..., :1] * before + line[..., -1:] * after
    return np.moveaxis(out, -1, axis)


def window_extremes(v: np.ndarray, axis: int, w: int, lo: int, mode: str, outside: float, op: np.ufunc) -> np.ndarray:
    """``op`` (np.maximum or np.minimum) over every `w`-long window along `axis` of NaN-free `v`."""
    line = np.moveaxis(v, axis, -1)
    n = line.shape[-1]
    starts, stops = _windows(n, w, lo)
    if mode in PERIODIC and w >= _period(n, mode):  # every window holds a whole period: every value
        out = np.broadcast_to(op.reduce(line, axis=-1, keepdims=True), line.shape)
    elif mode in PERIODIC or w <= n:  # the window's own values, at most 3n of them per line
        source = edge_indices(-lo, n - lo + w - 1, n, mode)
        extended = line[..., np.maximum(source, 0)]
        if mode == "constant":
            extended = np.where(source >= 0, extended, outside)
        out = _sliding(extended, w, op)
    else:  # 'constant' or 'nearest', the window longer than the line: every window passes an end
        left, right = (outside, outside) if mode == "constant" else (line[..., :1], line[..., -1:])
        prefix = op.accumulate(line, axis=-1)
        suffix = op.accumulate(line[..., ::-1], axis=-1)[..., ::-1]
        whole = prefix[..., -1:]
        past_left, past_right = starts < 0, stops > n
        out = np.where(
            past_left & past_right,
            op(op(left, right), whole),
            np.where(
                past_left,
                op(left, prefix[..., np.clip(stops - 1, 0, n - 1)]),
                op(right, suffix[..., np.clip(starts, 0, n - 1)]),
            ),
        )
    return np.moveaxis(np.ascontiguousarray(out), -1, axis)


def _sliding(extended: np.ndarray, w: int, op: np.ufunc) -> np.ndarray:
    """``op`` over each `w` consecutive values along the last axis (van Herk / Gil-Werman blocks)."""
    m = extended.shape[-1]
    count = m - w + 1
    blocks = -(-m // w) * w
    padded = np.full(extended.shape[:-1] + (blocks,), -np.inf if op is np.maximum else np.inf)
    padded[..., :m] = extended
    shaped = padded.reshape(extended.shape[:-1] + (blocks // w, w))
    forward = op.accumulate(shaped, axis=-1).reshape(padded.shape)
    backward = op.accumulate(shaped[..., ::-1], axis=-1)[..., ::-1].reshape(padded.shape)
    return op(backward[..., :count], forward[..., w - 1 : w - 1 + count])


def compute(a: np.ndarray, stat: str, window: tuple[int, ...], mode: str, cval: float, omit_nan: bool, ddof: float):
    """`stat` of every box window of `a` (float64 result), for windows of any size ('same' extent)."""
    x = np.asarray(a, dtype=np.float64)
    nan = np.isnan(x)
    lows = [w // 2 for w in window]
    axes = [ax for ax, w in enumerate(window) if w > 1]
    volume = float(math.prod(window))

    def passes(values: np.ndarray, outside: float, combine) -> np.ndarray:
        for ax in axes:
            values = combine(values, ax, window[ax], lows[ax], mode, outside)
            if combine is window_sums:
                outside *= window[ax]  # a whole padded line beyond the array sums `w` outside values
        return values

    nan_count = (
        passes(nan.astype(np.float64), float(np.isnan(cval)), window_sums) if (nan.any() or np.isnan(cval)) else None
    )
    valid = volume - nan_count if nan_count is not None else np.full(x.shape, volume)
    if stat == "count":
        return valid
    if stat in ("min", "max", "range"):
        results = []
        for op, fill in ((np.minimum, np.inf), (np.maximum, -np.inf)):
            if stat in ("min", "max") and (op is np.minimum) != (stat == "min"):
                continue
            finite_cval = fill if np.isnan(cval) else cval
            results.append(
                passes(np.where(nan, fill, x), finite_cval, lambda v, *args, op=op: window_extremes(v, *args, op))
            )
        out = results[0] if stat != "range" else results[1] - results[0]
    else:
        finite = np.isfinite(x)
        center = float(np.mean(x[finite])) if finite.any() else 0.0
        shifted = np.where(nan, 0.0, x - center)
        outside = 0.0 if np.isnan(cval) else cval - center
        s1 = passes(shifted, outside, window_sums)
        with np.errstate(invalid="ignore", divide="ignore"):
            if stat == "sum":
                out = s1 + center * valid
            elif stat == "mean":
                out = s1 / valid + center
            else:
                s2 = passes(shifted * shifted, outside * outside, window_sums)
                out = np.maximum(s2 - s1 * s1 / valid, 0.0) / (valid - ddof)
                out[valid - ddof <= 0] = np.nan
                if stat == "std":
                    out = np.sqrt(out)
    if nan_count is not None:  # a window with NaN under 'propagate', or with no value at all
        out = np.where(((nan_count > 0) & (not omit_nan)) | (valid == 0), np.nan, out)
    return out
