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

    Block by block of `w` rows, whole row segments at a time: the suffix extremes of
    one block and the prefix extremes of the next stay in two small buffers (in
    cache), and the inner loops run along contiguous memory.
    """
    n = src.shape[0]
    m = dst.shape[0]
    block = src[:, c0:c1]
    suffix = np.empty((w, c1 - c0), src.dtype)
    prefix = np.empty((w, c1 - c0), src.dtype)
    for start in range(0, m, w):
        stop = min(start + w, n)  # block k: rows start..stop-1, suffix extremes
        suffix[stop - 1 - start] = block[stop - 1]
        for i in range(stop - 2, start - 1, -1):
            _extreme_rows_into(suffix[i - start], suffix[i + 1 - start], block[i], take_max)
        nxt = stop  # block k + 1: prefix extremes of the rows a window starting in block k reaches
        last = min(start + 2 * w - 1, n)
        if nxt < last:
            prefix[0] = block[nxt]
            for i in range(nxt + 1, last):
                _extreme_rows_into(prefix[i - nxt], prefix[i - 1 - nxt], block[i], take_max)
        for i in range(start, min(start + w, m)):
            if i == start:
                dst[i, c0:c1] = suffix[0]
            else:  # the window i..i+w-1: the rest of block k, then block k+1 up to row i + w - 1
                _extreme_rows_into(dst[i, c0:c1], suffix[i - start], prefix[i - start - 1], take_max)


@kernel
def extreme_box_band(padded, dst, w0, w1, take_max, c0, c1):
    """Box extremes of the output columns c0..c1-1: rows pass, then columns pass, all within the band.

    `padded` holds the image with w0 - 1 extra rows and w1 - 1 extra columns (the
    edge mode already applied); the band's row extremes stay in a buffer of the
    band's width, so the two passes share the cache and no image-sized
    intermediate is made.
    """
    n = padded.shape[0]
    rows = np.empty((n, c1 - c0), padded.dtype)
    extreme_along_rows(padded[:, c0 : c1 + w1 - 1], rows, w1, take_max, 0, n)
    extreme_along_columns(rows, dst[:, c0:c1], w0, take_max, 0, c1 - c0)
