"""Streaming per-pixel moments across a stack: each chunk of frames reduced per pixel, then merged.

State per pixel (all 1-D over the flattened frame): `count` finite values,
`infinite` infinite values (bit 0 of `signs`: a +inf was seen, bit 1: a
-inf), `ref` (a value of the pixel: the moments are of ``x - ref``, so a large
offset costs no digits), `mean` and `m2` of ``x - ref``, and `lo`/`hi` over
the non-NaN values.

A chunk is taken a block of pixels at a time: its sums, then its squared
deviations from its own mean (two passes over values still in cache), then
one merge into the state (Chan et al.'s pairwise update; with one frame it is
Welford's). A block whose values are all finite takes loops without branches,
which the compiler vectorises; a block with NaN or infinities is redone
value by value, pixel by pixel (`_mixed_pixel`).
"""

from __future__ import annotations

import numpy as np

from . import kernel

# bytes of one block's chunk of frames: they stay in cache between the two passes
_BLOCK_BYTES = 1 << 17


@kernel
def accumulate(frames, start, stop, count, infinite, signs, ref, mean, m2, lo, hi):
    """Add ``frames[f, p]`` for every frame f and pixels ``start <= p < stop``."""
    n_frames = frames.shape[0]
    block = max(64, min(4096, _BLOCK_BYTES // max(1, n_frames * frames.itemsize)))
    chunk_sum = np.empty(block)
    chunk_m2 = np.empty(block)
    chunk_lo = np.empty(block)
    chunk_hi = np.empty(block)
    for b0 in range(start, stop, block):
        b1 = min(b0 + block, stop)
        width = b1 - b0
        if not _finite_block(frames, b0, width, count, ref, chunk_sum, chunk_lo, chunk_hi):
            for p in range(b0, b1):  # a NaN or an infinity in the block: value by value, pixel by pixel
                _mixed_pixel(frames, p, count, infinite, signs, ref, mean, m2, lo, hi)
            continue
        chunk_m2[:width] = 0.0
        for k in range(width):  # the chunk's own mean, kept in chunk_sum
            chunk_sum[k] /= n_frames
        if n_frames > 1:
            for f in range(n_frames):  # squared deviations from the chunk's mean
                for k in range(width):
                    d = float(frames[f, b0 + k]) - ref[b0 + k] - chunk_sum[k]
                    chunk_m2[k] += d * d
        for k in range(width):
            _merge(b0 + k, n_frames, chunk_sum[k], chunk_m2[k], chunk_lo[k], chunk_hi[k], count, mean, m2, lo, hi)


@kernel
def _merge(p, n_b, mean_b, m2_b, lo_b, hi_b, count, mean, m2, lo, hi):
    """Fold one pixel's chunk moments (mean and m2 of x - ref) into its state: Chan et al.'s update."""
    n_a = count[p]
    n = max(n_a + n_b, 1)
    delta = mean_b - mean[p]
    share = n_b / n
    mean[p] += delta * share
    m2[p] += m2_b + delta * delta * n_a * share
    count[p] = n_a + n_b
    lo[p] = min(lo[p], lo_b)
    hi[p] = max(hi[p], hi_b)


@kernel
def accumulate_pixel_major(frames, start, stop, count, infinite, signs, ref, mean, m2, lo, hi):
    """`accumulate` for chunks whose frames lie next to each other in memory (a stack along its last axis):
    each pixel's values are one short contiguous run, summed with four accumulators (a single one would
    wait on every add)."""
    n_frames = frames.shape[0]
    last = n_frames - n_frames % 4
    for p in range(start, stop):
        shift = ref[p] if count[p] > 0 else float(frames[0, p])
        s0 = s1 = s2 = s3 = 0.0
        low, high = np.inf, -np.inf
        for f in range(0, last, 4):
            x0, x1, x2, x3 = (
                float(frames[f, p]),
                float(frames[f + 1, p]),
                float(frames[f + 2, p]),
                float(frames[f + 3, p]),
            )
            s0 += x0 - shift
            s1 += x1 - shift
            s2 += x2 - shift
            s3 += x3 - shift
            low = min(low, min(min(x0, x1), min(x2, x3)))
            high = max(high, max(max(x0, x1), max(x2, x3)))
        for f in range(last, n_frames):
            x = float(frames[f, p])
            s0 += x - shift
            low = min(low, x)
            high = max(high, x)
        total = (s0 + s1) + (s2 + s3)
        if total - total != 0.0:  # a NaN or an infinity: this pixel value by value
            _mixed_pixel(frames, p, count, infinite, signs, ref, mean, m2, lo, hi)
            continue
        ref[p] = shift
        mean_b = total / n_frames
        q0 = q1 = q2 = q3 = 0.0
        for f in range(0, last, 4):
            d0 = float(frames[f, p]) - shift - mean_b
            d1 = float(frames[f + 1, p]) - shift - mean_b
            d2 = float(frames[f + 2, p]) - shift - mean_b
            d3 = float(frames[f + 3, p]) - shift - mean_b
            q0 += d0 * d0
            q1 += d1 * d1
            q2 += d2 * d2
            q3 += d3 * d3
        for f in range(last, n_frames):
            d = float(frames[f, p]) - shift - mean_b
            q0 += d * d
        _merge(p, n_frames, mean_b, (q0 + q1) + (q2 + q3), low, high, count, mean, m2, lo, hi)


@kernel
def _mixed_pixel(frames, p, count, infinite, signs, ref, mean, m2, lo, hi):
    """One pixel's chunk with NaN or infinities: NaN skipped, infinities counted apart."""
    n_b = 0
    total = 0.0
    low, high = np.inf, -np.inf
    for f in range(frames.shape[0]):
        x = float(frames[f, p])
        if x != x:
            continue
        low = min(low, x)
        high = max(high, x)
        if x - x != 0.0:
            infinite[p] += 1
            signs[p] |= 1 if x > 0 else 2
            continue
        if count[p] == 0 and n_b == 0:
            ref[p] = x
        n_b += 1
        total += x - ref[p]
    mean_b = total / max(n_b, 1)
    m2_b = 0.0
    for f in range(frames.shape[0]):
        x = float(frames[f, p])
        if x - x == 0.0:
            d = x - ref[p] - mean_b
            m2_b += d * d
    _merge(p, n_b, mean_b, m2_b, low, high, count, mean, m2, lo, hi)


@kernel
def _finite_block(frames, b0, width, count, ref, chunk_sum, chunk_lo, chunk_hi):
    """Sums (of x - ref) and extremes of a block without a branch per value; False when a value is not finite."""
    for k in range(width):
        if count[b0 + k] == 0:
            ref[b0 + k] = frames[0, b0 + k]  # a NaN here fails the block; the mixed pass then sets it
        chunk_sum[k] = 0.0
        chunk_lo[k] = np.inf
        chunk_hi[k] = -np.inf
    for f in range(frames.shape[0]):
        for k in range(width):
            x = float(frames[f, b0 + k])
            chunk_sum[k] += x - ref[b0 + k]
            chunk_lo[k] = min(chunk_lo[k], x)
            chunk_hi[k] = max(chunk_hi[k], x)
    total = 0.0
    for k in range(width):
        total += chunk_sum[k] * 0.0  # NaN when any sum is: a NaN or an infinity was summed
    return total == 0.0


@kernel
def all_finite(x, start, stop):
    """True when ``x[start:stop]`` holds no NaN and no infinity (one vectorised read, no temporary)."""
    finite = True
    for p in range(start, stop):
        finite &= x[p] - x[p] == 0.0  # an and-reduction vectorises; a float sum would chain every add
    return finite


@kernel
def welford_same_count(x, start, stop, n_a, ref, mean, m2, lo, hi):
    """One all-finite frame (contiguous) into pixels that have all seen `n_a` values: Welford's update with
    the count a scalar (the count array is not read or written, a sixth less memory traffic)."""
    if n_a == 0:  # the first frame is the reference: moments of x - ref start at 0
        for p in range(start, stop):
            value = float(x[p])
            ref[p] = value
            mean[p] = 0.0
            m2[p] = 0.0
            lo[p] = min(lo[p], value)
            hi[p] = max(hi[p], value)
        return
    share = 1.0 / (n_a + 1)
    for p in range(start, stop):
        value = float(x[p])
        d = value - ref[p]
        delta = d - mean[p]
        updated = mean[p] + delta * share
        mean[p] = updated
        m2[p] += delta * (d - updated)
        lo[p] = min(lo[p], value)
        hi[p] = max(hi[p], value)
