"""Box minimum / maximum by van Herk / Gil-Werman: three comparisons per value whatever the window.

Along an axis, the padded line is cut into blocks of `w` values; within each
block a running extreme from the left (g) and from the right (h) gives every
window's extreme as ``extreme(h[i], g[i + w - 1])``. Exact in any dtype (no
arithmetic), so the input's own dtype is kept.

`box_extreme_rows` streams the rows of a 2-D image: edges come from index
maps (no padded copy), the columns' extremes of a window are formed first
(directly for short windows, van Herk down the columns for long ones), then
the rows' (by doubling for short windows, van Herk for long ones).
"""

from __future__ import annotations

import numpy as np

from . import kernel

GROUP = 8  # output rows whose row extremes are formed together (eight van Herk chains in registers)
DIRECT_MAX = 8  # windows up to this length: extreme of the values directly (w - 1 comparisons, vectorised)


@kernel(inline=True)
def _ext(a, b, take_max):
    return max(a, b) if take_max else min(a, b)


@kernel(inline=True)
def _source_into(x, source, fill, into):
    if source < 0:
        for j in range(into.shape[0]):
            into[j] = fill
    else:
        row = x[source]
        for j in range(into.shape[0]):
            into[j] = row[j]


@kernel(inline=True)
def _extreme_with(into, other, take_max):
    """into[:] = extreme(into, other): one branch outside the loop, so it vectorises."""
    if take_max:
        for j in range(into.shape[0]):
            into[j] = max(into[j], other[j])
    else:
        for j in range(into.shape[0]):
            into[j] = min(into[j], other[j])


@kernel(inline=True)
def _extreme_source(x, source, fill, take_max, into):
    """into[:] = extreme(into, row `source` of x, or `fill` for -1)."""
    if source < 0:
        if take_max:
            for j in range(into.shape[0]):
                into[j] = max(into[j], fill)
        else:
            for j in range(into.shape[0]):
                into[j] = min(into[j], fill)
    else:
        _extreme_with(into, x[source], take_max)


@kernel(inline=True)
def _nan_flags(x, source, flags):
    """flags[:] += row * 0: NaN wherever the row held NaN (inf * 0 too; inf is fine for extremes but rare)."""
    if source >= 0:
        row = x[source]
        for j in range(flags.shape[0]):
            flags[j] += row[j] * 0


@kernel(inline=True)
def _pair_into(into, a, b, take_max):
    """into[:] = extreme(a, b) elementwise (branch outside the loop: it vectorises)."""
    if take_max:
        for j in range(into.shape[0]):
            into[j] = max(a[j], b[j])
    else:
        for j in range(into.shape[0]):
            into[j] = min(a[j], b[j])


@kernel(inline=True)
def _direct_extreme(x, row_map, p0, p1, fill, take_max, into):
    """into[:] = extreme of padded rows p0 .. p1 - 1: two rows a pass where no row is `fill`."""
    constant = False
    for p in range(p0, p1):
        constant |= row_map[p] < 0
    if constant or p1 - p0 < 2:
        _source_into(x, row_map[p0], fill, into)
        for p in range(p0 + 1, p1):
            _extreme_source(x, row_map[p], fill, take_max, into)
        return
    _pair_into(into, x[row_map[p0]], x[row_map[p0 + 1]], take_max)
    p = p0 + 2
    while p + 1 < p1:
        a = x[row_map[p]]
        b = x[row_map[p + 1]]
        if take_max:
            for j in range(into.shape[0]):
                into[j] = max(into[j], max(a[j], b[j]))
        else:
            for j in range(into.shape[0]):
                into[j] = min(into[j], min(a[j], b[j]))
        p += 2
    if p < p1:
        _extreme_with(into, x[row_map[p]], take_max)


@kernel(inline=True)
def _short_windows(v, w, take_max, pairs, out):
    """out[j] = extreme of v[j .. j + w - 1] for w <= 8, by doubling: windows of 2, 4 (overlapping halves
    give any length, extremes being idempotent), so about log2(w) + 1 passes instead of w."""
    n_out = out.shape[0]
    n = v.shape[0]
    if w == 1:
        out[:] = v[:n_out]
        return
    _pair_into(pairs[: n - 1], v[: n - 1], v[1:], take_max)  # pairs[j] = extreme of v[j .. j + span - 1]
    span = 2
    while 2 * span <= w:
        _pair_into(pairs[: n - 2 * span + 1], pairs[: n - 2 * span + 1], pairs[span : n - span + 1], take_max)
        span *= 2
    shift = w - span
    _pair_into(out, pairs[:n_out], pairs[shift : shift + n_out], take_max)


@kernel(inline=True)
def _suffix_block(x, row_map, block_start, block_stop, fill, take_max, ring, w):
    """ring[p % w] = extreme of padded rows p .. block_stop - 1, for p in the block."""
    last = block_stop - 1
    _source_into(x, row_map[last], fill, ring[last % w])
    for p in range(last - 1, block_start - 1, -1):
        here = ring[p % w]
        here[:] = ring[(p + 1) % w]
        _extreme_source(x, row_map[p], fill, take_max, here)


@kernel(inline=True)
def _rows_extreme(vp, rows, w, take_max, fwd, bwd, n_out, result):
    """result[r, j] = extreme of vp[r, j .. j + w - 1] for the GROUP rows (van Herk; rows past `rows` ignored).

    The running extremes of the eight rows are carried side by side in
    registers: eight independent chains instead of one waiting on itself.
    """
    n = vp.shape[1]
    v0, v1, v2, v3, v4, v5, v6, v7 = vp[0], vp[1], vp[2], vp[3], vp[4], vp[5], vp[6], vp[7]
    f0, f1, f2, f3, f4, f5, f6, f7 = fwd[0], fwd[1], fwd[2], fwd[3], fwd[4], fwd[5], fwd[6], fwd[7]
    g0, g1, g2, g3, g4, g5, g6, g7 = bwd[0], bwd[1], bwd[2], bwd[3], bwd[4], bwd[5], bwd[6], bwd[7]
    for b0 in range(0, n, w):
        b1 = min(b0 + w, n)
        a0, a1, a2, a3, a4, a5, a6, a7 = v0[b0], v1[b0], v2[b0], v3[b0], v4[b0], v5[b0], v6[b0], v7[b0]
        f0[b0], f1[b0], f2[b0], f3[b0], f4[b0], f5[b0], f6[b0], f7[b0] = a0, a1, a2, a3, a4, a5, a6, a7
        for j in range(b0 + 1, b1):
            a0 = _ext(a0, v0[j], take_max)
            a1 = _ext(a1, v1[j], take_max)
            a2 = _ext(a2, v2[j], take_max)
            a3 = _ext(a3, v3[j], take_max)
            a4 = _ext(a4, v4[j], take_max)
            a5 = _ext(a5, v5[j], take_max)
            a6 = _ext(a6, v6[j], take_max)
            a7 = _ext(a7, v7[j], take_max)
            f0[j], f1[j], f2[j], f3[j], f4[j], f5[j], f6[j], f7[j] = a0, a1, a2, a3, a4, a5, a6, a7
        k = b1 - 1
        a0, a1, a2, a3, a4, a5, a6, a7 = v0[k], v1[k], v2[k], v3[k], v4[k], v5[k], v6[k], v7[k]
        g0[k], g1[k], g2[k], g3[k], g4[k], g5[k], g6[k], g7[k] = a0, a1, a2, a3, a4, a5, a6, a7
        for j in range(b1 - 2, b0 - 1, -1):
            a0 = _ext(a0, v0[j], take_max)
            a1 = _ext(a1, v1[j], take_max)
            a2 = _ext(a2, v2[j], take_max)
            a3 = _ext(a3, v3[j], take_max)
            a4 = _ext(a4, v4[j], take_max)
            a5 = _ext(a5, v5[j], take_max)
            a6 = _ext(a6, v6[j], take_max)
            a7 = _ext(a7, v7[j], take_max)
            g0[j], g1[j], g2[j], g3[j], g4[j], g5[j], g6[j], g7[j] = a0, a1, a2, a3, a4, a5, a6, a7
    for r in range(rows):
        f = fwd[r]
        g = bwd[r]
        out = result[r]
        if take_max:
            for j in range(n_out):
                out[j] = max(g[j], f[j + w - 1])
        else:
            for j in range(n_out):
                out[j] = min(g[j], f[j + w - 1])


@kernel
def box_extreme_rows(x, row_map, col_map, w0, w1, take_max, fill, check_nan, r0, r1, out):
    """Box min or max of output rows r0..r1-1 into `out` (any dtype); False if the rows read hold NaN.

    Output row i reads padded rows i .. i + w0 - 1 (`row_map`: source row,
    or -1 for `fill`) and output column j padded columns j .. j + w1 - 1
    (`col_map`). Everything stays in the input's dtype until the write.
    """
    n1 = x.shape[1]
    width = col_map.shape[0]
    n_out1 = out.shape[1]
    lo1 = w1 // 2  # padded columns lo1 .. lo1 + n1 - 1 are the input's columns
    padded = np.empty((GROUP, width), x.dtype)
    result = np.empty((GROUP, n_out1), x.dtype)
    fwd_h = np.empty((GROUP, width), x.dtype)
    bwd_h = np.empty((GROUP, width), x.dtype)
    direct = w0 <= DIRECT_MAX
    ring = np.empty((1 if direct else w0, n1), x.dtype)
    fwd = np.empty(n1, x.dtype)
    flags = np.zeros(n1)
    if check_nan:  # every row the band reads, once: the first window's rows, then each new last row
        for p in range(r0, r0 + w0 - 1):
            _nan_flags(x, row_map[p], flags)
    for group in range(r0, r1, GROUP):
        rows = min(GROUP, r1 - group)
        for r in range(rows):
            i = group + r
            e = i + w0 - 1
            if check_nan:
                _nan_flags(x, row_map[e], flags)
            column = padded[r, lo1 : lo1 + n1]
            if direct:
                _direct_extreme(x, row_map, i, e + 1, fill, take_max, column)
            else:
                # van Herk down the columns: fwd = extreme of e's block up to e; ring = suffix extremes
                # of the block of i (made when the previous block ended)
                if i == r0 or (e % w0) == 0:
                    block_e = e - e % w0
                    _source_into(x, row_map[block_e], fill, fwd)
                    for p in range(block_e + 1, e + 1):
                        _extreme_source(x, row_map[p], fill, take_max, fwd)
                    if i == r0 and i % w0 != 0:
                        block_i = i - i % w0
                        _suffix_block(x, row_map, block_i, block_i + w0, fill, take_max, ring, w0)
                else:
                    _extreme_source(x, row_map[e], fill, take_max, fwd)
                column[:] = fwd
                if i % w0 != 0:
                    _extreme_with(column, ring[i % w0], take_max)
                if (e + 1) % w0 == 0:
                    _suffix_block(x, row_map, e + 1 - w0, e + 1, fill, take_max, ring, w0)
            for jp in range(lo1):
                source = col_map[jp]
                padded[r, jp] = padded[r, lo1 + source] if source >= 0 else fill
            for jp in range(lo1 + n1, width):
                source = col_map[jp]
                padded[r, jp] = padded[r, lo1 + source] if source >= 0 else fill
        if w1 <= DIRECT_MAX:
            for r in range(rows):
                _short_windows(padded[r], w1, take_max, fwd_h[r], result[r])
        else:
            _rows_extreme(padded, rows, w1, take_max, fwd_h, bwd_h, n_out1, result)
        for r in range(rows):
            target = out[group + r]
            row = result[r]
            for j in range(n_out1):
                target[j] = row[j]
    if check_nan:
        for j in range(n1):
            if flags[j] != 0:
                return False
    return True
