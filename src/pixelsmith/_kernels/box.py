"""Box sums and means of a 2-D image, fused: one pass over the rows, no gathered tiles.

The arithmetic is the tiling engine's (`local/_engine.py` with `_kernels/window.py`),
operation for operation, so the results are the same bits as the engine's and
as its dask path:

- every value is converted to float64; edges come from `row_map` / `col_map`
  (source index, or -1 for the constant `cval`), as the engine's gathered tile;
- the rows (axis 0) are reduced first, then the columns;
- a window of at most `DIRECT_MAX` values along an axis is summed directly,
  left to right; a longer one is van Herk / Gil-Werman: two partial sums of
  its own values, in blocks aligned to the global padded grid (`phase`), so
  no running sum ever subtracts and no value outside the window leaks in;
- mean = sum / count + 0.0, sum = sum + 0.0 (the engine adds `count * shift`
  with shift 0), then the cast to the output dtype.

A band of output rows streams through the input: the column sums of the
current window live in one float64 row (direct: rebuilt per row from its
rows; Gil-Werman: a forward sum `fwd` updated per row, plus the backward sums
of the block that the window's first row lies in, kept in a ring of `w`
rows). Memory: a few rows of float64 per thread.
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .rows import copy_into, fill_edges, source_into
from .window import DIRECT_MAX


@kernel
def _row_add(x, source, cval, into):
    """into[:] += float64 values of input row `source` (-1: cval)."""
    if source < 0:
        for j in range(into.shape[0]):
            into[j] += cval
    else:
        row = x[source]
        for j in range(into.shape[0]):
            into[j] += row[j]


@kernel
def _add_rows(into, fresh, a, b, c, d, terms):
    """into[:] = a + b (+ c (+ d)) (`fresh`) or (into + a (+ b ...)), added left to right: the first `terms`
    (1-4) of a, b, c, d. Up to four rows a pass, so `into` is read and written once per four rows."""
    n = into.shape[0]
    if fresh:  # (terms >= 2) in float64 from the first addition, as the engine's float64 block adds
        if terms == 2:
            for j in range(n):
                into[j] = np.float64(a[j]) + np.float64(b[j])
        elif terms == 3:
            for j in range(n):
                into[j] = (np.float64(a[j]) + np.float64(b[j])) + c[j]
        else:
            for j in range(n):
                into[j] = ((np.float64(a[j]) + np.float64(b[j])) + c[j]) + d[j]
    elif terms == 1:
        for j in range(n):
            into[j] += a[j]
    elif terms == 2:
        for j in range(n):
            into[j] = (into[j] + a[j]) + b[j]
    elif terms == 3:
        for j in range(n):
            into[j] = ((into[j] + a[j]) + b[j]) + c[j]
    else:
        for j in range(n):
            into[j] = (((into[j] + a[j]) + b[j]) + c[j]) + d[j]


@kernel
def direct_rows(x, row_map, p0, p1, cval, into):
    """into[:] = the sum of padded rows p0 .. p1 - 1, added top to bottom; four rows a pass where no row is
    cval (a 3-row window is one pass over `into`, 5 rows two)."""
    constant = False
    for p in range(p0, p1):
        constant |= row_map[p] < 0
    if constant or p1 - p0 < 2:
        source_into(x, row_map[p0], cval, into)
        for p in range(p0 + 1, p1):
            _row_add(x, row_map[p], cval, into)
        return
    p = p0
    while p < p1:
        terms = min(p1 - p, 4)
        last = p + terms - 1  # rows past the last term stand in for the unused ones
        a, b = x[row_map[p]], x[row_map[min(p + 1, last)]]
        c, d = x[row_map[min(p + 2, last)]], x[row_map[last]]
        _add_rows(into, p == p0, a, b, c, d, terms)
        p += terms


@kernel
def _backward_block(x, row_map, block_start, block_stop, cval, ring, w):
    """ring[p % w] = sum of padded rows p .. block_stop - 1 (added from the bottom up), for p in the block."""
    last = block_stop - 1
    source_into(x, row_map[last], cval, ring[last % w])
    for p in range(last - 1, block_start - 1, -1):
        below = ring[(p + 1) % w]
        here = ring[p % w]
        source = row_map[p]
        if source < 0:
            for j in range(here.shape[0]):
                here[j] = below[j] + cval
        else:
            row = x[source]
            for j in range(here.shape[0]):
                here[j] = below[j] + row[j]


@kernel
def gil_werman_columns(x, row_map, s, w, phase, cval, starting, fwd, ring, column):
    """column[:] = the sum down each column of padded rows s .. s + w - 1, Gil-Werman style.

    `fwd` holds the forward sums of the block of the window's last row e up to
    e, advanced by one row per call; `ring[p % w]` the backward sums of the
    block of its first row s, made when e finishes a block (the windows after
    it start inside that block). `starting`: the first row of a band, which
    builds both from scratch.
    """
    e = s + w - 1
    whole_block = (s + phase) % w == 0  # the window is exactly one block: its sum is fwd alone
    combined = False
    if starting:
        block_e = e - (e + phase) % w
        source_into(x, row_map[block_e], cval, fwd)
        for p in range(block_e + 1, e + 1):
            _row_add(x, row_map[p], cval, fwd)
        if not whole_block:
            block_s = s - (s + phase) % w
            _backward_block(x, row_map, max(block_s, 0), block_s + w, cval, ring, w)
    elif (e + phase) % w == 0:
        source_into(x, row_map[e], cval, fwd)
    elif not whole_block and row_map[e] >= 0:  # the common case: advance fwd and combine in one pass
        here = ring[s % w]
        below = x[row_map[e]]
        for j in range(column.shape[0]):
            f = fwd[j] + below[j]
            fwd[j] = f
            column[j] = here[j] + f
        combined = True
    else:
        _row_add(x, row_map[e], cval, fwd)
    if whole_block:
        for j in range(column.shape[0]):
            column[j] = fwd[j]
    elif not combined:
        here = ring[s % w]
        for j in range(column.shape[0]):
            column[j] = here[j] + fwd[j]
    if (e + 1 + phase) % w == 0:  # e ends its block: the next windows start inside it
        _backward_block(x, row_map, e + 1 - w, e + 1, cval, ring, w)


@kernel
def horizontal_sums(vp, w, phase, fwd, bwd, n_out, out_row):
    """out_row[j] = sum of vp[j .. j + w - 1], as `window.sliding_last` computes it (direct or Gil-Werman)."""
    n = vp.shape[0]
    if w <= DIRECT_MAX:
        for j in range(n_out):
            out_row[j] = vp[j]
        for k in range(1, w):
            shifted = vp[k : k + n_out]  # a slice: `vp[j + k]` would test for a negative index in the loop
            for j in range(n_out):
                out_row[j] += shifted[j]
        return
    first = (w - phase % w) % w
    for b0 in range(first - w if first else 0, n, w):
        b1 = min(b0 + w, n)
        b0 = max(b0, 0)
        fwd[b0] = vp[b0]
        for j in range(b0 + 1, b1):
            fwd[j] = fwd[j - 1] + vp[j]
        bwd[b1 - 1] = vp[b1 - 1]
        for j in range(b1 - 2, b0 - 1, -1):
            bwd[j] = bwd[j + 1] + vp[j]
    ahead = fwd[w - 1 : w - 1 + n_out]
    for j in range(n_out):
        out_row[j] = bwd[j] + ahead[j]
    for j in range((w - phase % w) % w, n_out, w):  # windows that are one whole block
        out_row[j] = fwd[j + w - 1]


@kernel
def _finish_row(first, a, b, c, d, terms, mean, count, out_row):
    """out_row[:] = (first + a (+ b (+ c (+ d)))) / count + 0.0 (mean) or that sum + 0.0 (sum), added left to
    right: the window's last 1-4 additions (`terms`) fused with the output. True if a result is not finite
    (x - x is 0 only for finite x: an OR of integers, which vectorises where a float sum of flags could not
    be reordered). Each case is a loop of its own, written out: a helper summing `terms` values, or the
    mean / sum choice inside the loop, kept the four-term loop from vectorising (1.7x slower)."""
    bad = False
    n = out_row.shape[0]
    if mean:
        if terms == 1:
            for j in range(n):
                value = (first[j] + a[j]) / count + 0.0
                out_row[j] = value
                bad |= value - value != 0.0
        elif terms == 2:
            for j in range(n):
                value = ((first[j] + a[j]) + b[j]) / count + 0.0
                out_row[j] = value
                bad |= value - value != 0.0
        elif terms == 3:
            for j in range(n):
                value = (((first[j] + a[j]) + b[j]) + c[j]) / count + 0.0
                out_row[j] = value
                bad |= value - value != 0.0
        else:
            for j in range(n):
                value = ((((first[j] + a[j]) + b[j]) + c[j]) + d[j]) / count + 0.0
                out_row[j] = value
                bad |= value - value != 0.0
    elif terms == 1:
        for j in range(n):
            value = first[j] + a[j] + 0.0
            out_row[j] = value
            bad |= value - value != 0.0
    elif terms == 2:
        for j in range(n):
            value = ((first[j] + a[j]) + b[j]) + 0.0
            out_row[j] = value
            bad |= value - value != 0.0
    elif terms == 3:
        for j in range(n):
            value = (((first[j] + a[j]) + b[j]) + c[j]) + 0.0
            out_row[j] = value
            bad |= value - value != 0.0
    else:
        for j in range(n):
            value = ((((first[j] + a[j]) + b[j]) + c[j]) + d[j]) + 0.0
            out_row[j] = value
            bad |= value - value != 0.0
    return bad


@kernel
def _output_row(total, mean, count, out_row):
    """out_row[:] = total / count + 0.0 (mean) or total + 0.0 (sum); True if a result is not finite."""
    bad = False
    if mean:
        for j in range(out_row.shape[0]):
            value = total[j] / count + 0.0
            out_row[j] = value
            bad |= value - value != 0.0
    else:
        for j in range(out_row.shape[0]):
            value = total[j] + 0.0
            out_row[j] = value
            bad |= value - value != 0.0
    return bad


@kernel
def _direct_row(vp, w, n_out, mean, count, partial, out_row):
    """`horizontal_sums` for 2 <= w <= DIRECT_MAX (left to right, the same additions) and the output in as few
    passes as the additions allow: up to five values (w <= 5) in the output's own pass; longer windows sum
    their first four in `partial` first, and the rest (at most four: DIRECT_MAX is 8) in the output's pass.
    Each pass reads and writes a float64 row, so a pass saved is time saved: 1.1-1.2x at w2-w8 on one
    thread, where `partial` had taken all but the window's last value."""
    first = vp[:n_out]
    k = 1
    if w > 5:
        partial = partial[:n_out]
        _add_rows(partial, True, vp[:n_out], vp[1 : 1 + n_out], vp[2 : 2 + n_out], vp[3 : 3 + n_out], 4)
        first = partial
        k = 4
    terms = w - k
    last = k + terms - 1  # values past the last term stand in for the unused ones
    a, b = vp[k : k + n_out], vp[min(k + 1, last) : min(k + 1, last) + n_out]
    c, d = vp[min(k + 2, last) : min(k + 2, last) + n_out], vp[last : last + n_out]
    return _finish_row(first, a, b, c, d, terms, mean, count, out_row)


GROUP = 8  # output rows whose column sums are formed together: 8 independent dependency chains


@kernel
def _gil_werman_chains(vp, w, phase, fwd, bwd):
    """The forward (`fwd`) and backward (`bwd`) partial sums in each Gil-Werman block of the GROUP rows of vp,
    as `horizontal_sums` adds them.

    A row's partial sums are a chain of dependent additions. The GROUP chains
    are carried side by side in registers (8 named accumulators), so the adder
    works on eight independent chains instead of waiting on one.
    """
    n = vp.shape[1]
    v0, v1, v2, v3, v4, v5, v6, v7 = vp[0], vp[1], vp[2], vp[3], vp[4], vp[5], vp[6], vp[7]
    f0, f1, f2, f3, f4, f5, f6, f7 = fwd[0], fwd[1], fwd[2], fwd[3], fwd[4], fwd[5], fwd[6], fwd[7]
    g0, g1, g2, g3, g4, g5, g6, g7 = bwd[0], bwd[1], bwd[2], bwd[3], bwd[4], bwd[5], bwd[6], bwd[7]
    first = (w - phase % w) % w
    for b0 in range(first - w if first else 0, n, w):
        b1 = min(b0 + w, n)
        b0 = max(b0, 0)
        a0, a1, a2, a3, a4, a5, a6, a7 = v0[b0], v1[b0], v2[b0], v3[b0], v4[b0], v5[b0], v6[b0], v7[b0]
        f0[b0], f1[b0], f2[b0], f3[b0], f4[b0], f5[b0], f6[b0], f7[b0] = a0, a1, a2, a3, a4, a5, a6, a7
        for j in range(b0 + 1, b1):
            a0 += v0[j]
            a1 += v1[j]
            a2 += v2[j]
            a3 += v3[j]
            a4 += v4[j]
            a5 += v5[j]
            a6 += v6[j]
            a7 += v7[j]
            f0[j], f1[j], f2[j], f3[j], f4[j], f5[j], f6[j], f7[j] = a0, a1, a2, a3, a4, a5, a6, a7
        k = b1 - 1
        a0, a1, a2, a3, a4, a5, a6, a7 = v0[k], v1[k], v2[k], v3[k], v4[k], v5[k], v6[k], v7[k]
        g0[k], g1[k], g2[k], g3[k], g4[k], g5[k], g6[k], g7[k] = a0, a1, a2, a3, a4, a5, a6, a7
        for j in range(b1 - 2, b0 - 1, -1):
            a0 += v0[j]
            a1 += v1[j]
            a2 += v2[j]
            a3 += v3[j]
            a4 += v4[j]
            a5 += v5[j]
            a6 += v6[j]
            a7 += v7[j]
            g0[j], g1[j], g2[j], g3[j], g4[j], g5[j], g6[j], g7[j] = a0, a1, a2, a3, a4, a5, a6, a7


@kernel
def horizontal_group(vp, rows, w, phase, fwd, bwd, n_out, sums):
    """`horizontal_sums` (Gil-Werman) for the GROUP rows of vp at once, with the same additions in the same order;
    rows past `rows` are computed and ignored."""
    _gil_werman_chains(vp, w, phase, fwd, bwd)
    first = (w - phase % w) % w
    for r in range(rows):
        forward = fwd[r]
        backward = bwd[r]
        row = sums[r]
        ahead = forward[w - 1 : w - 1 + n_out]  # a slice: no negative-index test in the loop
        for j in range(n_out):
            row[j] = backward[j] + ahead[j]
        for j in range(first, n_out, w):  # windows that are one whole block (no integer division per value)
            row[j] = forward[j + w - 1]


@kernel
def _group_output(fwd, bwd, rows, w, phase, n_out, mean, count, out, r_out):
    """`horizontal_group` and `_output_row` in one pass: out[r_out + r, j] = (bwd[r, j] + fwd[r, j + w - 1])
    / count + 0.0 (mean) or that sum + 0.0 (sum); True if a result is not finite.

    A window that is one whole block is fwd alone: its bwd is set to 0.0
    first (no later window reads it), which adds the same bits (0.0 + x is x,
    and -0.0 turns +0.0 as the output's + 0.0 turns it). One float64 row
    written and read again less per row: 1.1x at w15 and w31 on one thread.
    The join and the output are `_finish_row`'s with one term.
    """
    first = (w - phase % w) % w
    bad = False
    for r in range(rows):
        backward = bwd[r]
        for j in range(first, n_out, w):
            backward[j] = 0.0
        ahead = fwd[r, w - 1 : w - 1 + n_out]
        bad |= _finish_row(backward[:n_out], ahead, ahead, ahead, ahead, 1, mean, count, out[r_out + r])
    return bad


@kernel
def box_rows(x, row_map, col_map, w0, w1, phase0, phase1, cval, mean, count, check_finite, r0, r1, out):
    """Box sums (or means when `mean`) of output rows r0..r1-1 into `out`; False if any value is not finite.

    Output row i reads padded rows i .. i + w0 - 1 (`row_map`) and output
    column j padded columns j .. j + w1 - 1 (`col_map`). `phase0`/`phase1`:
    the global padded index of padded row / column 0 (the Gil-Werman grid).
    `check_finite`: test every result as it is written, in the pass that
    writes it (a non-finite input makes some result non-finite, and a float64
    sum can overflow); False where none can be (integers, a finite cval).
    Testing the results instead of the rows read is one pass over each row
    less: with the window's last addition fused into the output, 1.4x at w3
    and w5 on one thread.
    """
    n1 = x.shape[1]
    n_out1 = out.shape[1]
    width = col_map.shape[0]
    lo1 = w1 // 2  # padded columns lo1 .. lo1 + n1 - 1 are the input's columns, in order (every mode)
    padded = np.empty((GROUP, width))  # the window's sum down each padded column, for a group of rows
    sums = np.empty((GROUP, n_out1))
    fwd_h = np.empty((GROUP, width))
    bwd_h = np.empty((GROUP, width))
    constant_column = cval
    for _ in range(1, w0):
        constant_column += cval
    direct = w0 <= DIRECT_MAX
    ring = np.empty((w0 if not direct else 1, n1))
    fwd = np.empty(n1)
    bad = False
    # short row windows are summed one row at a time (its buffers stay in L1); Gil-Werman rows go
    # GROUP at a time for their register-carried chains
    step = 1 if w1 <= DIRECT_MAX else GROUP
    for group in range(r0, r1, step):
        rows = min(step, r1 - group)
        for r in range(rows):
            i = group + r
            column = padded[r, lo1 : lo1 + n1]
            if direct:  # padded rows i .. i + w0 - 1
                direct_rows(x, row_map, i, i + w0, cval, column)
            else:
                gil_werman_columns(x, row_map, i, w0, phase0, cval, i == r0, fwd, ring, column)
            fill_edges(padded[r], col_map, lo1, n1, constant_column)
        if 2 <= w1 <= DIRECT_MAX:  # the last addition and the output in one pass
            for r in range(rows):
                bad |= _direct_row(padded[r], w1, n_out1, mean, count, sums[r], out[group + r])
            continue
        if w1 == 1:
            for r in range(rows):
                horizontal_sums(padded[r], w1, phase1, fwd_h[0], bwd_h[0], n_out1, sums[r])
            for r in range(rows):
                bad |= _output_row(sums[r], mean, count, out[group + r])
        else:
            _gil_werman_chains(padded, w1, phase1, fwd_h, bwd_h)
            bad |= _group_output(fwd_h, bwd_h, rows, w1, phase1, n_out1, mean, count, out, group)
    return not (check_finite and bad)


@kernel
def _int_row_add(x, source, cval, subtract, into):
    """into[:] += (or -= when `subtract`) input row `source`, or `cval` for -1, in `into`'s integer type."""
    if source < 0:
        if subtract:
            for j in range(into.shape[0]):
                into[j] -= cval
        else:
            for j in range(into.shape[0]):
                into[j] += cval
        return
    row = x[source]
    if subtract:
        for j in range(into.shape[0]):
            into[j] -= row[j]
    else:
        for j in range(into.shape[0]):
            into[j] += row[j]


@kernel
def box_int_rows(x, row_map, col_map, w0, w1, cval, mean, count, acc, r0, r1, out):
    """Box sums (or means) of an integer image in exact integer arithmetic: output rows r0..r1-1 into `out`.

    Every partial sum is an integer below 2**53 (the caller checks the bound),
    so it is exact in the accumulator (`acc`'s dtype, int32 or int64) and in
    float64: any order of additions gives the same number, and the engine's
    float64 sums give the same bits. That frees the order: column sums run
    down the image (add the row entering the window, subtract the one
    leaving: exact, so no drift), rows by direct sums (w1 <= 8) or by blocks
    of 1, 2, 4, .. values (the set bits of w1), all vectorised.
    """
    n1 = x.shape[1]
    width = col_map.shape[0]
    n_out = out.shape[1]
    lo1 = w1 // 2
    column = np.zeros(n1, acc.dtype)
    padded = np.empty(width, acc.dtype)
    level = np.empty(width, acc.dtype)
    spare = np.empty(width, acc.dtype)
    sums = np.empty(width, acc.dtype)
    constant = cval * w0  # a column of cval rows
    for p in range(r0, r0 + w0 - 1):
        _int_row_add(x, row_map[p], cval, False, column)
    for i in range(r0, r1):
        _int_row_add(x, row_map[i + w0 - 1], cval, False, column)
        inner = padded[lo1 : lo1 + n1]
        for j in range(n1):
            inner[j] = column[j]
        fill_edges(padded, col_map, lo1, n1, constant)
        total = sums[:n_out]
        if w1 <= DIRECT_MAX:
            first = padded[:n_out]
            for j in range(n_out):
                total[j] = first[j]
            for k in range(1, w1):
                shifted = padded[k : k + n_out]
                for j in range(n_out):
                    total[j] += shifted[j]
        else:
            # `level` holds the sums of `span` values from each position; for every set bit of w1 (lowest
            # first) one block of that length is added, the blocks laid end to end; then `span` doubles,
            # each pass reading one buffer and writing the other (so it vectorises)
            for j in range(n_out):
                total[j] = 0
            copy_into(level, padded)
            span, offset, flip = 1, 0, False
            while span <= w1:
                # chosen by a flag: swapping the two array variables instead runs 2.5x slower in numba
                now, other = (spare, level) if flip else (level, spare)
                if w1 & span:
                    block = now[offset : offset + n_out]
                    for j in range(n_out):
                        total[j] += block[j]
                    offset += span
                if 2 * span > w1:
                    break
                m = width - 2 * span + 1
                low, high, into = now[:m], now[span : span + m], other[:m]
                for j in range(m):
                    into[j] = low[j] + high[j]
                flip = not flip
                span *= 2
        out_row = out[i]
        if mean:
            for j in range(n_out):
                out_row[j] = np.float64(total[j]) / count + 0.0
        else:
            for j in range(n_out):
                out_row[j] = np.float64(total[j]) + 0.0
        _int_row_add(x, row_map[i], cval, True, column)
