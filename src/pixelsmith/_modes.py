"""Edge modes: how an array is extended beyond its edges (scipy.ndimage's names and conventions)."""

from __future__ import annotations

import numpy as np

# the names users may give -> the mode the kernels implement
MODE_ALIASES = {
    "reflect": "reflect",
    "grid-mirror": "reflect",
    "mirror": "mirror",
    "nearest": "nearest",
    "wrap": "wrap",
    "grid-wrap": "wrap",
    "constant": "constant",
    "grid-constant": "constant",
}


def edge_indices(start: int, stop: int, n: int, mode: str) -> np.ndarray:
    """Source indices for positions ``start..stop-1`` of an axis of length `n`.

    Positions outside ``[0, n)`` are mapped by `mode` (scipy.ndimage
    conventions, repeated periodically for halos longer than the axis);
    'constant' marks them with -1.
    """
    i = np.arange(start, stop, dtype=np.int64)
    if mode == "constant":
        return np.where((i >= 0) & (i < n), i, -1)
    if mode == "nearest":
        return np.clip(i, 0, n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect":
        p = i % (2 * n)
        return np.where(p < n, p, 2 * n - 1 - p)
    # mirror: period 2n - 2; a single element mirrors onto itself
    if n == 1:
        return np.zeros_like(i)
    p = i % (2 * n - 2)
    return np.where(p < n, p, 2 * n - 2 - p)
