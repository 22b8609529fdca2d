"""Percentiles of every box window of a 2-D block of small integers, by sliding histograms.

The histogram median of Perreault and Hebert (2007): constant work per output
pixel whatever the window. Each column of the block keeps a 256-bin histogram
of the `wr` values in the current band of rows, beside a 16-bin coarse
histogram (bins of 16 values); as the band moves down a row, each column loses
one value and gains one. Along a row, the window's histograms are the sum of
`wc` columns': a step right adds the entering column's and subtracts the
leaving one's. The counts are uint16 packed four to a uint64, so a step is 68
word additions and subtractions, which vectorise; a lane never carries into
its neighbour, because a window count (at most ``wr * wc < 65536``, checked by
the caller) is never negative and the entering column is added before the
leaving one, which the window contains, is subtracted. The rank is found in
the coarse bins, then in the 16 fine bins of the one that holds it, without
branching (a loop that stops at the bin mispredicts its exit at nearly every
pixel): for windows of fewer than 32768 values four packed counts at a time
(`_kth_packed`, 1.35x the whole kernel), otherwise one count at a time.

Values are ``block - low``, integers in [0, 256): the caller checks that. The
rank and interpolation are `rank._sorted_percentile`'s, so the results are
identical to the sorted-window kernels.
"""

from __future__ import annotations

import numpy as np

from . import kernel

BINS = 256
SEGMENT = 16  # fine bins per coarse bin
COARSE = BINS  # where the coarse counts start in a row of uint16 counts
WORDS = (BINS + BINS // SEGMENT) // 4  # uint64 words per histogram: 256 fine + 16 coarse uint16 counts
WORDS_PER_SEGMENT = SEGMENT // 4  # the 16 counts of a segment, or the 16 coarse counts
COARSE_WORD = COARSE // 4
STRIP = 256  # output columns per strip


@kernel
def _kth(k, window):
    """The value (bin) of rank `k` (0-based) in the window's uint16 counts."""
    segment = 0
    below = 0
    running = 0
    for s in range(BINS // SEGMENT):
        count = np.int64(window[COARSE + s])
        running += count
        inside = running <= k
        segment += inside
        below += count * inside
    lo = segment * SEGMENT
    t = 0
    for i in range(SEGMENT):
        below += np.int64(window[lo + i])
        t += below <= k
    return lo + t


# Ranks in packed counts: a word of four uint16 counts times LANES holds in each lane the running count
# of the lanes up to it; (k with each lane's high bit set) minus that leaves a lane's high bit set exactly
# where the running count is at most k, with no borrow between lanes while counts and k stay below 2**15
LANES = np.uint64(0x0001000100010001)
HIGH = np.uint64(0x8000800080008000)
LANE_MASK = np.uint64(0xFFFF)
PACKED_MAX = 1 << 15  # windows of fewer values use the packed rank


@kernel
def _rank_in_words(k, window_words, first, carry):
    """(lanes, below): how many of the 16 uint16 counts in words first..first+3 keep the running count,
    starting from `carry`, at most `k`; and the running count after the last of them."""
    k_lanes = np.uint64(k) * LANES | HIGH
    lanes = np.uint64(0)
    below = carry
    for w in range(WORDS_PER_SEGMENT):
        running = window_words[first + w] * LANES + carry * LANES
        hits = ((k_lanes - running) & HIGH) >> np.uint64(15)
        n_hits = (hits * LANES) >> np.uint64(48)  # running counts only grow: the hits are the first lanes
        last_hit = (n_hits + np.uint64(3)) & np.uint64(3)
        at_last_hit = (running >> (last_hit << np.uint64(4))) & LANE_MASK
        below = at_last_hit if n_hits > np.uint64(0) else below
        lanes += n_hits
        carry = running >> np.uint64(48)
    return lanes, below


@kernel
def _kth_packed(k, window_words):
    """`_kth` for windows of fewer than `PACKED_MAX` values: four lanes at a time, no chain of 32 additions."""
    segment, below = _rank_in_words(k, window_words, COARSE_WORD, np.uint64(0))
    fine, _ = _rank_in_words(k, window_words, np.int64(segment) * WORDS_PER_SEGMENT, below)
    return np.int64(segment) * SEGMENT + np.int64(fine)


@kernel
def _move(counts, block, row, delta, low):
    """Add `delta` (+1 or -1) to every column's histograms for the values of `row`."""
    for c in range(block.shape[1]):
        v = int(block[row, c] - low)
        counts[c, v] += delta
        counts[c, COARSE + (v >> 4)] += delta


@kernel
def box_percentile_histogram(block, low, wr, wc, positions, out):
    """``out[r, j]``: the percentile (`positions[wr * wc]`) of ``block[r:r+wr, j:j+wc]``.

    Output columns go in strips of `STRIP`, so that the strip's column histograms
    (544 bytes a column) stay in the core's cache.
    """
    n_out = out.shape[1]
    columns = np.zeros((min(n_out, STRIP) + wc - 1, WORDS), np.uint64)
    for start in range(0, n_out, STRIP):
        stop = min(start + STRIP, n_out)
        _strip(block[:, start : stop + wc - 1], low, wr, wc, positions, columns, out[:, start:stop])


@kernel
def _strip(block, low, wr, wc, positions, columns, out):
    n_rows, n_out = out.shape
    columns[:] = 0
    counts = columns.view(np.uint16)
    window_words = np.zeros(WORDS, np.uint64)
    window = window_words.view(np.uint16)
    n = wr * wc
    position = positions[n]
    k = int(np.floor(position))
    frac = position - k
    interpolate = frac != 0.0 and k + 1 < n
    packed = n < PACKED_MAX
    for i in range(wr):
        _move(counts, block, i, 1, low)
    for r in range(n_rows):
        if r > 0:  # the band of rows moves down one
            _move(counts, block, r - 1, -1, low)
            _move(counts, block, r + wr - 1, 1, low)
        window_words[:] = 0
        for c in range(wc):
            for t in range(WORDS):
                window_words[t] += columns[c, t]
        for j in range(n_out):
            if j > 0:
                entering = j + wc - 1
                leaving = j - 1
                for t in range(WORDS):
                    window_words[t] = window_words[t] + columns[entering, t] - columns[leaving, t]
            value = low + (_kth_packed(k, window_words) if packed else _kth(k, window))
            if interpolate:
                upper = low + (_kth_packed(k + 1, window_words) if packed else _kth(k + 1, window))
                out[r, j] = value + (upper - value) * frac
            else:
                out[r, j] = value
