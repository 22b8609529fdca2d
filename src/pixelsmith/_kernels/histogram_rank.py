"""Percentiles of every box window of a 2-D block of small integers, by sliding histograms.

The histogram median of Perreault and Hebert (2007): constant work per output
pixel whatever the window. Each column of the block keeps a 256-bin histogram
of the `wr` values in the current band of rows, beside a 16-bin coarse
histogram (bins of 16 values: the segments); as the band moves down a row,
each column loses one value and gains one. Along a row, the window's
histograms are the sum of `wc` columns'.

A step right updates only the window's coarse counts (the entering column's
added, the leaving one's subtracted). The window's fine counts are kept per
segment and brought up to date only when a rank falls in that segment: from
the step they were last made at, a column pair at a time, or summed afresh
over the window's columns when they are a whole window behind (the paper's
lazy update). So a step reads 4 coarse words and, usually, 4 fine words of
each column, instead of all 68 (the whole kernel on one thread: 1.05x at w7,
1.15x at w15, 1.2x at w31, 1.4x for an interpolated w16 median). The search is
written out in the step loop, not in a helper: numba's inlining of it, or a
loop over the one or two ranks wanted, ran 8-10 % slower. The rank above
(interpolation) is read from the same counts unless it lies in a later
segment. The fine counts of the segment the last rank fell in stay in
registers from step to step; they go to memory (`window`) only when the rank
moves to another segment (8 % of the steps of a 31 x 31 median of noise).
As the band moves down, each column loses its top value and gains its new
bottom one in one pass over the columns.

The counts are uint16 packed four to a uint64 word, 16 to a segment; word
additions and subtractions are exact while every count of the result lies in
[0, 65536). The rank in 16 counts is found without a loop
(`_packed_rank`): the word that holds it from the words' totals, then the
lane within that word, four lanes at once, which needs counts and ranks
below 2**15: the caller gives windows of fewer than `PACKED_MAX` values.
Searching the one word instead of all four halves the multiplications: with
the registers and the one-pass row move above, 1.2-1.3x on one thread at
w15 and w31 (4000^2 uint8 noise), where the kernel had fallen just behind
OpenCV's `medianBlur` at w31.

Values are ``block - low``, integers in [0, 256): the caller checks that. The
rank and interpolation are `rank._sorted_percentile`'s, so the results are
identical to the sorted-window kernels.
"""

from __future__ import annotations

import numpy as np

from . import kernel

BINS = 256
SEGMENT = 16  # fine bins per coarse bin (a segment): four packed words
SEGMENTS = BINS // SEGMENT
WORDS = SEGMENT // 4
STRIP = 256  # output columns per strip: the strip's column histograms stay in the core's cache

# Ranks in packed counts: a word of four uint16 counts times LANES holds in each lane the running count
# of the lanes up to it; (k with each lane's high bit set) minus that leaves a lane's high bit set exactly
# where the running count is at most k, with no borrow between lanes while counts and k stay below 2**15
LANES = np.uint64(0x0001000100010001)
HIGH = np.uint64(0x8000800080008000)
LANE_MASK = np.uint64(0xFFFF)
PACKED_MAX = 1 << 15  # windows must hold fewer values


@kernel(inline=True)
def _packed_rank(k, w0, w1, w2, w3):
    """(lanes, below) for the 16 uint16 counts of words w0..w3 in lane order, counts and k below 2**15:
    how many leading counts keep the running count at most `k`, and the sum of those counts."""
    top = np.uint64(48)
    kk = np.uint64(k)
    t0 = (w0 * LANES) >> top  # the running total at the end of each word (a word times LANES: its lanes' sums)
    t1 = t0 + ((w1 * LANES) >> top)
    t2 = t1 + ((w2 * LANES) >> top)
    word = w0
    base = np.uint64(0)
    whole = np.uint64(0)
    if kk >= t0:
        word = w1
        base = t0
        whole = np.uint64(4)
    if kk >= t1:
        word = w2
        base = t1
        whole = np.uint64(8)
    if kk >= t2:  # (a rank past every count ends here with all 16 lanes kept)
        word = w3
        base = t2
        whole = np.uint64(12)
    # plain ifs on the totals, no loop: LLVM may make them selects (the fine bin follows the data, no pattern)
    within = ((((kk - base) * LANES) | HIGH) - word * LANES) & HIGH  # high bit: running count <= k
    ones = within >> np.uint64(15)
    lanes = (ones * LANES) >> top
    kept = ((word & (ones * LANE_MASK)) * LANES) >> top
    return whole + lanes, base + kept


@kernel(inline=True)
def _window_counts(columns, j, wc):
    """The window's four words of counts at step `j`: the sum of ``columns[j : j + wc]``."""
    f0 = f1 = f2 = f3 = np.uint64(0)
    for c in range(j, j + wc):
        f0 += columns[c, 0]
        f1 += columns[c, 1]
        f2 += columns[c, 2]
        f3 += columns[c, 3]
    return f0, f1, f2, f3


@kernel(inline=True)
def _slide(w0, w1, w2, w3, entering, leaving):
    """Four words of window counts one step right: the entering column's added, the leaving one's taken."""
    return (
        w0 + entering[0] - leaving[0],
        w1 + entering[1] - leaving[1],
        w2 + entering[2] - leaving[2],
        w3 + entering[3] - leaving[3],
    )


@kernel
def _bin_afresh(rank, c0, c1, c2, c3, fine, j, wc):
    """The bin of `rank` in the window at step `j` (coarse counts c0..c3), its fine counts summed afresh."""
    segment, below = _packed_rank(rank, c0, c1, c2, c3)
    s = np.int64(segment)
    f0, f1, f2, f3 = _window_counts(fine[s], j, wc)
    fine_bin, _ = _packed_rank(rank - np.int64(below), f0, f1, f2, f3)
    return s * SEGMENT + np.int64(fine_bin)


@kernel
def _move(coarse16, fine16, image, source, col_map, fill, delta, low):
    """Add `delta` (+1 or -1) to every column's histograms for the values of image row `source`
    (-1: `fill`), its columns taken through `col_map` (-1: `fill`)."""
    for c in range(col_map.shape[0]):
        column = col_map[c]
        value = image[source, column] if source >= 0 and column >= 0 else fill
        v = int(value - low)
        fine16[v >> 4, c, v & 15] += delta  # segment v // 16, count v % 16
        coarse16[c, v >> 4] += delta


@kernel
def _move_down(coarse16, fine16, image, leaving, entering, col_map, fill, low):
    """Every column's histograms one row down: the values of image row `leaving` taken out, those of row
    `entering` put in (-1, or a column of -1: `fill`)."""
    for c in range(col_map.shape[0]):
        column = col_map[c]
        out_value = image[leaving, column] if leaving >= 0 and column >= 0 else fill
        in_value = image[entering, column] if entering >= 0 and column >= 0 else fill
        v = int(out_value - low)
        u = int(in_value - low)
        fine16[v >> 4, c, v & 15] -= 1
        coarse16[c, v >> 4] -= 1
        fine16[u >> 4, c, u & 15] += 1
        coarse16[c, u >> 4] += 1


@kernel
def box_percentile_histogram(image, row_map, col_map, fill, low, wr, wc, positions, r0, r1, out):
    """``out[r, j]`` for output rows r0 .. r1 - 1: the percentile (`positions[wr * wc]`) of the window of
    padded rows ``row_map[r : r + wr]`` and columns ``col_map[j : j + wc]`` of `image` (-1: `fill`).

    Output columns go in strips of `STRIP`. A strip's histograms are
    ``coarse[c]`` (a column's 16 coarse counts) and ``fine[s, c]`` (its 16
    counts in segment s), so one segment's columns lie side by side.
    """
    n_out = out.shape[1]
    n_columns = min(n_out, STRIP) + wc - 1
    coarse = np.zeros((n_columns, WORDS), np.uint64)
    fine = np.zeros((SEGMENTS, n_columns, WORDS), np.uint64)
    coarse16, fine16 = coarse.view(np.uint16), fine.view(np.uint16)  # the same counts, one by one
    for start in range(0, n_out, STRIP):
        stop = min(start + STRIP, n_out)
        strip = (col_map[start : stop + wc - 1], start, stop)  # its padded columns, its output columns
        _strip(image, row_map, strip, fill, low, wr, wc, positions, r0, r1, coarse, fine, coarse16, fine16, out)


@kernel
def _strip(image, row_map, strip, fill, low, wr, wc, positions, r0, r1, coarse, fine, coarse16, fine16, out):
    col_map, start, stop = strip
    n_out = stop - start
    coarse[:] = 0
    fine[:] = 0
    window = np.zeros((SEGMENTS, WORDS), np.uint64)  # the window's fine counts of each segment ...
    made_at = np.empty(SEGMENTS, np.int64)  # ... as they were at this step
    n = wr * wc
    position = positions[n]
    k = int(np.floor(position))
    frac = position - k
    interpolate = frac != 0.0 and k + 1 < n  # between ranks k and k + 1
    for p in range(r0, r0 + wr):
        _move(coarse16, fine16, image, row_map[p], col_map, fill, 1, low)
    for r in range(r0, r1):
        if r > r0:  # the band of rows moves down one
            _move_down(coarse16, fine16, image, row_map[r - 1], row_map[r + wr - 1], col_map, fill, low)
        made_at[:] = -wc  # no segment's window counts are made in this row yet
        c0, c1, c2, c3 = _window_counts(coarse, 0, wc)
        cur_s = -1  # the segment whose window counts f0..f3 hold, made at step cur_at
        cur_at = -wc
        f0 = f1 = f2 = f3 = np.uint64(0)
        for j in range(n_out):
            if j > 0:
                c0, c1, c2, c3 = _slide(c0, c1, c2, c3, coarse[j + wc - 1], coarse[j - 1])
            segment, below = _packed_rank(k, c0, c1, c2, c3)
            s = np.int64(segment)
            columns = fine[s]
            if s != cur_s:  # park the held segment's counts, take up this one's
                if cur_s >= 0:
                    made = window[cur_s]
                    made[0], made[1], made[2], made[3] = f0, f1, f2, f3
                    made_at[cur_s] = cur_at
                cur_s = s
                cur_at = made_at[s]
                if j - cur_at < wc:
                    made = window[s]
                    f0, f1, f2, f3 = made[0], made[1], made[2], made[3]
            if j - cur_at >= wc:  # a whole window behind, or not made in this row: sum afresh
                f0, f1, f2, f3 = _window_counts(columns, j, wc)
            else:
                for step in range(cur_at + 1, j + 1):
                    f0, f1, f2, f3 = _slide(f0, f1, f2, f3, columns[step + wc - 1], columns[step - 1])
            cur_at = j
            fine_bin, _ = _packed_rank(k - np.int64(below), f0, f1, f2, f3)
            value = s * SEGMENT + np.int64(fine_bin)
            if interpolate:
                fine_bin, _ = _packed_rank(k + 1 - np.int64(below), f0, f1, f2, f3)
                if fine_bin < SEGMENT:
                    upper = s * SEGMENT + np.int64(fine_bin)
                else:  # rank k + 1 lies in a later segment
                    upper = _bin_afresh(k + 1, c0, c1, c2, c3, fine, j, wc)
                out[r, start + j] = low + value + (upper - value) * frac
            else:
                out[r, start + j] = low + value
