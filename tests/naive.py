"""Slow, obviously correct references for the kernels (float64, brute force).

Each builds every window explicitly with `sliding_window_view` on an array
padded by `numpy.pad`, and reduces it with numpy's own (two-pass) functions.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# scipy.ndimage mode -> numpy.pad mode
NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


def pad_like_scipy(a: np.ndarray, pads, mode: str, cval: float = 0.0) -> np.ndarray:
    if mode == "constant":
        return np.pad(a, pads, mode="constant", constant_values=cval)
    if mode == "mirror":
        # numpy's 'reflect' on a length-1 axis repeats it, as scipy's mirror does
        return np.pad(a, pads, mode="reflect")
    return np.pad(a, pads, mode=NP_PAD[mode])


def local_stat(a, stat, window, *, footprint=None, mode="reflect", cval=0.0, crop="same",
               nan_policy="propagate", ddof=0):
    """Reference moving-window statistic; `window` has one length per axis."""
    a = np.asarray(a, dtype=np.float64)
    window = tuple(window)
    if crop == "same":
        pads = [(w // 2, w - 1 - w // 2) for w in window]
        p = pad_like_scipy(a, pads, mode, cval)
    else:
        p = a
    v = sliding_window_view(p, window)
    out_shape = v.shape[: a.ndim]
    vals = v.reshape(out_shape + (-1,))
    if footprint is not None:
        vals = vals[..., np.asarray(footprint, bool).reshape(-1)]
    omit = nan_policy == "omit"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if stat == "count":
            return np.sum(~np.isnan(vals), axis=-1)
        if stat == "sum":
            if omit:
                s = np.nansum(vals, axis=-1)
                return np.where(np.all(np.isnan(vals), axis=-1), np.nan, s)
            return np.sum(vals, axis=-1)
        funcs = {
            "mean": (np.mean, np.nanmean),
            "min": (np.min, np.nanmin),
            "max": (np.max, np.nanmax),
        }
        if stat in funcs:
            return funcs[stat][omit](vals, axis=-1)
        n = np.sum(~np.isnan(vals), axis=-1) if omit else np.full(out_shape, vals.shape[-1])
        var = (np.nanvar if omit else np.var)(vals, axis=-1, ddof=0) * n
        var = np.where(n - ddof > 0, var / np.maximum(n - ddof, 1e-300), np.nan)
        return np.sqrt(var) if stat == "std" else var


def block_reduce(a, block, func, boundary="trim", cval=0.0):
    """Reference block reduction: python loop over blocks."""
    a = np.asarray(a, dtype=np.float64)
    if boundary == "pad":
        pads = [(0, (-n) % b) for n, b in zip(a.shape, block, strict=True)]
        a = np.pad(a, pads, constant_values=cval)
    out_shape = tuple(n // b for n, b in zip(a.shape, block, strict=True))
    out = np.empty(out_shape)
    for idx in np.ndindex(out_shape):
        sl = tuple(slice(i * b, (i + 1) * b) for i, b in zip(idx, block, strict=True))
        vals = a[sl].ravel()
        out[idx] = {
            "sum": np.sum, "mean": np.mean, "var": np.var, "std": np.std, "min": np.min, "max": np.max,
            "count_nonzero": np.count_nonzero,
            "fraction_nonzero": lambda v: np.count_nonzero(v) / v.size,
        }[func](vals)
    return out
