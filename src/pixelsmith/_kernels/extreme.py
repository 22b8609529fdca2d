"""Box minimum / maximum of a 2-D image, rows streamed: exact in any dtype (no arithmetic, so it is kept).

`box_extreme_rows` forms, for each output row, the extreme down the columns
of its window, then along the row:

- down the columns, a window of up to `DIRECT_MAX` rows is compared
  directly (up to five rows in the first pass, three a pass after); a longer
  one by van Herk / Gil-Werman: the padded rows are cut into blocks of `w`, a
  running extreme from the block's start (`fwd`) and the suffix extremes of
  the previous block (`ring`) give every window as
  ``extreme(suffix[i], prefix[i + w - 1])``, three comparisons per value
  whatever `w` (the prefix's step and the join in one pass); every pass runs
  along a whole row, so it vectorises;
- along the row, windows of 3 to 5 values directly, longer ones by doubling
  (windows of 2, 4, 8, ... values) and four overlapping spans (extremes are
  idempotent), so log2(w) vectorised passes. A van Herk pass along the row
  is a serial chain per row and ran 2-4x slower for every window tried.

Each pass streams a row through the core's cache, so the passes are what a
window costs: fewer, each reading more rows, ran 1.4-2.4x faster (3x3 to 31x31).

Edges come from index maps (no padded copy of the image)."""

from __future__ import annotations

import numpy as np

from . import kernel
from .rows import copy_into, fill_edges, holds_nonfinite, pair_into, source_into

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
    """into[:] = extreme of padded rows p0 .. p1 - 1: up to five rows a pass where no row is `fill`."""
    constant = False
    for p in range(p0, p1):
        constant |= row_map[p] < 0
    if constant or p1 - p0 < 2:
        source_into(x, row_map[p0], fill, into)
        for p in range(p0 + 1, p1):
            _extreme_source(x, row_map[p], fill, take_max, into)
        return
    # the first pass takes 2 to 5 rows so that the rest go three a pass (into and three rows): windows of
    # 3 to 5 rows in one pass, 6 to 8 in two; each pass streams `into` once, so fewer is faster (1.4-2x)
    count = p1 - p0
    first = count if count <= 5 else (3 if count % 3 == 0 else (4 if count % 3 == 1 else 5))
    a = x[row_map[p0]]
    b = x[row_map[p0 + 1]]
    if first == 2:
        pair_into(into, a, b, take_max)
    else:  # rows beyond `first` are not read: `a` stands in
        c = x[row_map[p0 + 2]]
        d = x[row_map[p0 + 3]] if first > 3 else a
        e = x[row_map[p0 + 4]] if first > 4 else a
        _extreme_of(into, a, b, c, d, e, first, take_max)
    for p in range(p0 + first, p1, 3):
        a = x[row_map[p]]
        b = x[row_map[p + 1]]
        c = x[row_map[p + 2]]
        if take_max:
            for j in range(into.shape[0]):
                into[j] = max(into[j], max(max(a[j], b[j]), c[j]))
        else:
            for j in range(into.shape[0]):
                into[j] = min(into[j], min(min(a[j], b[j]), c[j]))


@kernel
def _extreme_of(into, a, b, c, d, e, k, take_max):
    """into[j] = extreme of the j-th values of the first `k` (3, 4 or 5) of a .. e, in one pass: the rows of a
    window down the columns, or a row's shifted views along it (a branch per `k` and per extreme outside
    the loops, so each loop vectorises)."""
    if k == 3:
        if take_max:
            for j in range(into.shape[0]):
                into[j] = max(max(a[j], b[j]), c[j])
        else:
            for j in range(into.shape[0]):
                into[j] = min(min(a[j], b[j]), c[j])
    elif k == 4:
        if take_max:
            for j in range(into.shape[0]):
                into[j] = max(max(a[j], b[j]), max(c[j], d[j]))
        else:
            for j in range(into.shape[0]):
                into[j] = min(min(a[j], b[j]), min(c[j], d[j]))
    elif take_max:
        for j in range(into.shape[0]):
            into[j] = max(max(max(a[j], b[j]), max(c[j], d[j])), e[j])
    else:
        for j in range(into.shape[0]):
            into[j] = min(min(min(a[j], b[j]), min(c[j], d[j])), e[j])


@kernel
def _row_windows(v, w, take_max, pairs, spare, out):
    """out[j] = extreme of v[j .. j + w - 1]: windows of 3 to 5 directly, longer ones by doubling.

    Doubling builds windows of 2, 4, 8, .. up to the span s with 2 s <= w < 4 s,
    then takes four of them, at j, j + s, j + w - 2 s and j + w - s: the first
    two and the last two cover the window's halves, overlapping where they must
    (extremes are idempotent). So log2(w) vectorised passes, the last reading
    four values: one pass fewer than doubling up to w / 2 and taking two.

    Each doubling reads one buffer and writes the other (`pairs`, `spare`): a pass
    in place, reading ahead of what it writes, would not vectorise.
    """
    n_out = out.shape[0]
    n = v.shape[0]
    if w == 1:
        copy_into(out, v)
        return
    if w == 2:
        pair_into(out, v[:n_out], v[1 : 1 + n_out], take_max)
        return
    if w <= 5:  # one pass reading w values from the core's cache beats two or three doubling passes
        _extreme_of(out, v, v[1:], v[2:], v[3:] if w > 3 else v, v[4:] if w > 4 else v, w, take_max)
        return
    pair_into(pairs[: n - 1], v[: n - 1], v[1:], take_max)  # pairs[j] = extreme of v[j .. j + span - 1]
    span, flip = 2, False
    while 4 * span <= w:
        # chosen by a flag: swapping the two array variables instead runs 2.5x slower in numba
        now, other = (spare, pairs) if flip else (pairs, spare)
        m = n - 2 * span + 1
        pair_into(other[:m], now[:m], now[span : span + m], take_max)
        flip = not flip
        span *= 2
    now = spare if flip else pairs
    a, b = now[:n_out], now[span : span + n_out]
    c, d = now[w - 2 * span : w - 2 * span + n_out], now[w - span : w - span + n_out]
    if take_max:
        for j in range(n_out):
            out[j] = max(max(a[j], b[j]), max(c[j], d[j]))
    else:
        for j in range(n_out):
            out[j] = min(min(a[j], b[j]), min(c[j], d[j]))


@kernel
def _advance_and_join(fwd, row, suffix, take_max, into):
    """fwd[:] = extreme(fwd, row); into[:] = extreme(fwd, suffix): van Herk's two steps of a row in one pass."""
    if take_max:
        for j in range(into.shape[0]):
            f = max(fwd[j], row[j])
            fwd[j] = f
            into[j] = max(f, suffix[j])
    else:
        for j in range(into.shape[0]):
            f = min(fwd[j], row[j])
            fwd[j] = f
            into[j] = min(f, suffix[j])


@kernel
def _suffix_block(x, row_map, block_start, block_stop, fill, take_max, ring, w):
    """ring[p % w] = extreme of padded rows p .. block_stop - 1, for p in the block."""
    last = block_stop - 1
    source_into(x, row_map[last], fill, ring[last % w])
    for p in range(last - 1, block_start - 1, -1):
        here = ring[p % w]
        if row_map[p] >= 0:  # one pass, not a copy and then the extreme
            pair_into(here, ring[(p + 1) % w], x[row_map[p]], take_max)
        else:
            copy_into(here, ring[(p + 1) % w])
            _extreme_source(x, -1, fill, take_max, here)


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
    bad = False
    if check_nan:  # every row the band reads, once: the first window's rows, then each new last row
        for p in range(r0, r0 + w0 - 1):
            bad |= holds_nonfinite(x, row_map[p])
    column = padded[lo1 : lo1 + n1]
    joined = False  # the row's column extremes are made already
    for i in range(r0, r1):
        e = i + w0 - 1
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
            elif row_map[e] >= 0 and i % w0 != 0:  # the usual row: fwd advanced and joined in one pass
                _advance_and_join(fwd, x[row_map[e]], ring[i % w0], take_max, column)
                joined = True
            else:
                _extreme_source(x, row_map[e], fill, take_max, fwd)
            if joined:
                joined = False
            elif i % w0 != 0:
                pair_into(column, fwd, ring[i % w0], take_max)
            else:
                copy_into(column, fwd)
            if (e + 1) % w0 == 0:
                _suffix_block(x, row_map, e + 1 - w0, e + 1, fill, take_max, ring, w0)
        if check_nan:  # the new last row, read again after the pass that brought it from memory: 2-8 % faster
            bad |= holds_nonfinite(x, row_map[e])
        fill_edges(padded, col_map, lo1, n1, fill)
        _row_windows(padded, w1, take_max, pairs, spare, out[i])
    return not bad
