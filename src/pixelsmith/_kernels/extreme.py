"""Box minimum / maximum of a 2-D image, rows streamed: exact in any dtype (no arithmetic, so it is kept).

`box_extreme_rows` forms, for each output row, the extreme down the columns
of its window, then along the row:

- down the columns, a window of up to `DIRECT_MAX` rows is compared
  directly (two rows a pass); a longer one by van Herk / Gil-Werman: the
  padded rows are cut into blocks of `w`, a running extreme from the block's
  start (`fwd`) and the suffix extremes of the previous block (`ring`) give
  every window as ``extreme(suffix[i], prefix[i + w - 1])``, three
  comparisons per value whatever `w`; every pass runs along a whole row, so
  it vectorises;
- along the row, by doubling: windows of 2, 4, 8, ... values, and two
  overlapping halves give any length (extremes are idempotent), so
  log2(w) + 1 vectorised passes. A van Herk pass along the row is a serial
  chain per row and ran 2-4x slower for every window tried (3 to 31).

Edges come from index maps (no padded copy of the image)."""

from __future__ import annotations

import numpy as np

from . import kernel
from .rows import all_zero, copy_into, fill_edges, nan_flags, pair_into, source_into

DIRECT_MAX = 8  # windows up to this length: extreme of the values directly (w - 1 comparisons, vectorised)


@kernel
def _extreme_with(into, other, take_max):
    """into[:] = extreme(into, other): one branch outside the loop, so it vectorises."""
    if take_max:
        for j in range(into.shape[0]):
            into[j] = max(into[j], other[j])
    else:
        for j in range(into.shape[0]):
            into[j] = min(into[j], other[j])


@kernel
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


@kernel
def _direct_extreme(x, row_map, p0, p1, fill, take_max, into):
    """into[:] = extreme of padded rows p0 .. p1 - 1: two rows a pass where no row is `fill`."""
    constant = False
    for p in range(p0, p1):
        constant |= row_map[p] < 0
    if constant or p1 - p0 < 2:
        source_into(x, row_map[p0], fill, into)
        for p in range(p0 + 1, p1):
            _extreme_source(x, row_map[p], fill, take_max, into)
        return
    pair_into(into, x[row_map[p0]], x[row_map[p0 + 1]], take_max)
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


@kernel
def _row_windows(v, w, take_max, pairs, spare, out):
    """out[j] = extreme of v[j .. j + w - 1], by doubling: windows of 2, 4, 8, .. (overlapping halves give
    any length, extremes being idempotent), so about log2(w) + 1 vectorised passes instead of w.

    Each doubling reads one buffer and writes the other (`pairs`, `spare`): a pass
    in place, reading ahead of what it writes, would not vectorise.
    """
    n_out = out.shape[0]
    n = v.shape[0]
    if w == 1:
        copy_into(out, v)
        return
    pair_into(pairs[: n - 1], v[: n - 1], v[1:], take_max)  # pairs[j] = extreme of v[j .. j + span - 1]
    span, flip = 2, False
    while 2 * span <= w:
        # chosen by a flag: swapping the two array variables instead runs 2.5x slower in numba
        now, other = (spare, pairs) if flip else (pairs, spare)
        m = n - 2 * span + 1
        pair_into(other[:m], now[:m], now[span : span + m], take_max)
        flip = not flip
        span *= 2
    now = spare if flip else pairs
    shift = w - span
    pair_into(out, now[:n_out], now[shift : shift + n_out], take_max)


@kernel
def _suffix_block(x, row_map, block_start, block_stop, fill, take_max, ring, w):
    """ring[p % w] = extreme of padded rows p .. block_stop - 1, for p in the block."""
    last = block_stop - 1
    source_into(x, row_map[last], fill, ring[last % w])
    for p in range(last - 1, block_start - 1, -1):
        here = ring[p % w]
        copy_into(here, ring[(p + 1) % w])
        _extreme_source(x, row_map[p], fill, take_max, here)


@kernel
def box_extreme_rows(x, row_map, col_map, w0, w1, take_max, fill, check_nan, r0, r1, out):
    """Box min or max of output rows r0..r1-1 into `out` (any dtype); False if the rows read hold NaN.

    Output row i reads padded rows i .. i + w0 - 1 (`row_map`: source row,
    or -1 for `fill`) and output column j padded columns j .. j + w1 - 1
    (`col_map`). Everything stays in the input's dtype until the write.
    """
    n1 = x.shape[1]
    width = col_map.shape[0]
    lo1 = w1 // 2  # padded columns lo1 .. lo1 + n1 - 1 are the input's columns
    padded = np.empty(width, x.dtype)
    pairs = np.empty(width, x.dtype)
    spare = np.empty(width, x.dtype)
    direct = w0 <= DIRECT_MAX
    ring = np.empty((1 if direct else w0, n1), x.dtype)
    fwd = np.empty(n1, x.dtype)
    flags = np.zeros(n1)
    if check_nan:  # every row the band reads, once: the first window's rows, then each new last row
        for p in range(r0, r0 + w0 - 1):
            nan_flags(x, row_map[p], flags)
    column = padded[lo1 : lo1 + n1]
    for i in range(r0, r1):
        e = i + w0 - 1
        if check_nan:
            nan_flags(x, row_map[e], flags)
        if direct:
            _direct_extreme(x, row_map, i, e + 1, fill, take_max, column)
        else:
            # van Herk down the columns: fwd = extreme of e's block up to e; ring = suffix extremes
            # of the block of i (made when the previous block ended)
            if i == r0 or (e % w0) == 0:
                block_e = e - e % w0
                source_into(x, row_map[block_e], fill, fwd)
                for p in range(block_e + 1, e + 1):
                    _extreme_source(x, row_map[p], fill, take_max, fwd)
                if i == r0 and i % w0 != 0:
                    block_i = i - i % w0
                    _suffix_block(x, row_map, block_i, block_i + w0, fill, take_max, ring, w0)
            else:
                _extreme_source(x, row_map[e], fill, take_max, fwd)
            if i % w0 != 0:
                pair_into(column, fwd, ring[i % w0], take_max)
            else:
                copy_into(column, fwd)
            if (e + 1) % w0 == 0:
                _suffix_block(x, row_map, e + 1 - w0, e + 1, fill, take_max, ring, w0)
        fill_edges(padded, col_map, lo1, n1, fill)
        _row_windows(padded, w1, take_max, pairs, spare, out[i])
    return not check_nan or all_zero(flags)
