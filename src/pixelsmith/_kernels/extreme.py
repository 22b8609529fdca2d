"""Box minimum / maximum by van Herk / Gil-Werman: three comparisons per value whatever the window.

Along an axis, the padded line is cut into blocks of `w` values; within each
block a running extreme from the left (g) and from the right (h) gives every
window's extreme as ``extreme(h[i], g[i + w - 1])``. Exact in any dtype (no
arithmetic), so the input's own dtype is kept.
"""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def extreme_along_rows(src, dst, w, take_max, r0, r1):
    """dst[r, j] = extreme of src[r, j : j + w] for rows r0..r1-1 (src is padded: w - 1 more columns)."""
    n = src.shape[1]
    g = np.empty(n, src.dtype)
    h = np.empty(n, src.dtype)
    m = dst.shape[1]
    for r in range(r0, r1):
        row = src[r]
        for start in range(0, n, w):
            stop = min(start + w, n)
            acc = row[start]
            g[start] = acc
            for i in range(start + 1, stop):
                v = row[i]
                acc = max(acc, v) if take_max else min(acc, v)
                g[i] = acc
            acc = row[stop - 1]
            h[stop - 1] = acc
            for i in range(stop - 2, start - 1, -1):
                v = row[i]
                acc = max(acc, v) if take_max else min(acc, v)
                h[i] = acc
        out = dst[r]
        for j in range(m):
            a = h[j]
            b = g[j + w - 1]
            out[j] = max(a, b) if take_max else min(a, b)


@kernel(inline=True)
def _extreme_rows_into(target, a, b, take_max):
    """target[:] = elementwise max (or min) of rows a and b: one branch outside the loop, so it vectorises."""
    if take_max:
        for c in range(target.shape[0]):
            target[c] = max(a[c], b[c])
    else:
        for c in range(target.shape[0]):
            target[c] = min(a[c], b[c])


@kernel
def extreme_along_columns(src, dst, w, take_max, c0, c1):
    """dst[i, c] = extreme of src[i : i + w, c] for columns c0..c1-1 (src is padded: w - 1 more rows).

    Whole row segments at a time, so the inner loops run along contiguous memory.
    """
    n = src.shape[0]
    m = dst.shape[0]
    block = src[:, c0:c1]
    g = np.empty((n, c1 - c0), src.dtype)
    h = np.empty((n, c1 - c0), src.dtype)
    for start in range(0, n, w):
        stop = min(start + w, n)
        g[start] = block[start]
        for i in range(start + 1, stop):
            _extreme_rows_into(g[i], g[i - 1], block[i], take_max)
        h[stop - 1] = block[stop - 1]
        for i in range(stop - 2, start - 1, -1):
            _extreme_rows_into(h[i], h[i + 1], block[i], take_max)
    for i in range(m):
        _extreme_rows_into(dst[i, c0:c1], h[i], g[i + w - 1], take_max)
