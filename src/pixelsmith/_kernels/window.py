"""Moving-window kernels: gathers with boundary indices and sliding reductions.

Every kernel works on a 3-D view ``(outer, n, inner)`` of a C-contiguous float64
array: reducing or gathering along the middle axis covers any axis of an N-D
array (reshape ``shape[:k], shape[k], shape[k+1:]``), and the inner loop runs
over contiguous memory. Kernels never validate; `pixelsmith.local` does.

Operation codes: 0 = sum, 1 = min, 2 = max.
"""

from __future__ import annotations

import numpy as np

from . import kernel

OP_SUM = 0
OP_MIN = 1
OP_MAX = 2


@kernel
def _combine(a, b, op):
    if op == 0:
        return a + b
    if op == 1:
        return a if a <= b else b
    return a if a >= b else b


@kernel
def take_axis(src, idx, cval, out):
    """``out[o, m, :] = src[o, idx[m], :]``, or `cval` where ``idx[m] < 0``."""
    n_outer, _, n_inner = src.shape
    for o in range(n_outer):
        for m in range(idx.shape[0]):
            k = idx[m]
            if k < 0:
                for i in range(n_inner):
                    out[o, m, i] = cval
            else:
                for i in range(n_inner):
                    out[o, m, i] = src[o, k, i]


# Windows up to this length are reduced directly (w operations per element,
# vectorised); longer ones with van Herk / Gil-Werman (3 per element).
DIRECT_MAX = 8


@kernel
def sliding_axis(src, w, op, phase, out):
    """Reduce every run of `w` consecutive elements along the middle axis.

    ``out[o, j, :] = op(src[o, j:j + w, :])`` for ``j < n - w + 1``. The inner
    axis is contiguous, so every loop below runs over it (SIMD-friendly).
    `phase` is the global position of element 0 modulo `w`: blocks start where
    ``(j + phase) % w == 0``, so a window's value does not depend on where the
    array was cut into tiles or chunks.

    Long windows use the van Herk / Gil-Werman scheme: the axis is cut into
    blocks of `w`; inside each block a forward (`g`) and a backward (`h`)
    cumulative reduction are kept, and every window is ``h[j] (+) g[j + w - 1]``.
    This costs three operations per element whatever `w`, and, unlike a
    running sum, it never subtracts: a window's value combines only its own
    elements, so there is no drift and a huge outlier leaves no residue.
    """
    n_outer, n, n_inner = src.shape
    n_out = n - w + 1
    if w <= DIRECT_MAX:
        for o in range(n_outer):
            for j in range(n_out):
                for i in range(n_inner):
                    out[o, j, i] = src[o, j, i]
                for k in range(1, w):
                    for i in range(n_inner):
                        out[o, j, i] = _combine(out[o, j, i], src[o, j + k, i], op)
        return
    g = np.empty((n, n_inner))
    h = np.empty((n, n_inner))
    first = (w - phase % w) % w
    for o in range(n_outer):
        for b0 in range(first - w if first else 0, n, w):
            b1 = min(b0 + w, n)
            b0 = max(b0, 0)
            for i in range(n_inner):
                g[b0, i] = src[o, b0, i]
                h[b1 - 1, i] = src[o, b1 - 1, i]
            for j in range(b0 + 1, b1):
                for i in range(n_inner):
                    g[j, i] = _combine(g[j - 1, i], src[o, j, i], op)
            for j in range(b1 - 2, b0 - 1, -1):
                for i in range(n_inner):
                    h[j, i] = _combine(h[j + 1, i], src[o, j, i], op)
        for j in range(n_out):
            e = j + w - 1
            if (j + phase) % w == 0:
                for i in range(n_inner):
                    out[o, j, i] = g[e, i]
            else:
                for i in range(n_inner):
                    out[o, j, i] = _combine(h[j, i], g[e, i], op)


@kernel
def sliding_last(src, w, op, phase, out):
    """`sliding_axis` along the last (contiguous) axis of a 2-D array."""
    n_rows, n = src.shape
    n_out = n - w + 1
    if w <= DIRECT_MAX:
        for r in range(n_rows):
            for j in range(n_out):
                out[r, j] = src[r, j]
            for k in range(1, w):
                for j in range(n_out):
                    out[r, j] = _combine(out[r, j], src[r, j + k], op)
        return
    g = np.empty(n)
    h = np.empty(n)
    first = (w - phase % w) % w
    for r in range(n_rows):
        for b0 in range(first - w if first else 0, n, w):
            b1 = min(b0 + w, n)
            b0 = max(b0, 0)
            g[b0] = src[r, b0]
            for j in range(b0 + 1, b1):
                g[j] = _combine(g[j - 1], src[r, j], op)
            h[b1 - 1] = src[r, b1 - 1]
            for j in range(b1 - 2, b0 - 1, -1):
                h[j] = _combine(h[j + 1], src[r, j], op)
        for j in range(n_out):
            e = j + w - 1
            out[r, j] = g[e] if (j + phase) % w == 0 else _combine(h[j], g[e], op)


@kernel
def combine_runs(stacked, run_table, offsets, row_bases, n_last, op, out):
    """Combine precomputed run reductions into arbitrary-footprint windows.

    `stacked[l]` holds, for the flattened padded block, the reduction of the
    run of length ``lengths[l]`` that starts at each element (along the last
    axis). A footprint is a list of runs ``(run_table[r], offsets[r])``; output
    row `o` starts at flat position ``row_bases[o]`` of the padded block, so
    ``out[o, j] = op over r of stacked[run_table[r], row_bases[o] + j + offsets[r]]``.
    """
    n_rows = row_bases.shape[0]
    n_runs = run_table.shape[0]
    for o in range(n_rows):
        base = row_bases[o] + offsets[0]
        lay = run_table[0]
        for j in range(n_last):
            out[o, j] = stacked[lay, base + j]
        for r in range(1, n_runs):
            base = row_bases[o] + offsets[r]
            lay = run_table[r]
            for j in range(n_last):
                out[o, j] = _combine(out[o, j], stacked[lay, base + j], op)


@kernel
def finalize_moments(s1, s2, count, scalar_count, ddof, shift, stat, out):
    """Turn window sums into the requested statistic, written to `out` (flat).

    ``s1``/``s2`` are sums of ``x - shift`` and ``(x - shift)**2``; `count` the
    number of values per window (one value when `scalar_count`). stat: 0 sum,
    1 mean, 2 var, 3 std. Windows without values give NaN; variances are
    clamped at 0 (they can only dip below through rounding).
    """
    for p in range(out.shape[0]):
        n = count[0] if scalar_count else count[p]
        if n <= 0.0:
            out[p] = np.nan
            continue
        if stat == 0:
            out[p] = s1[p] + n * shift
            continue
        if stat == 1:
            out[p] = s1[p] / n + shift
            continue
        denom = n - ddof
        if denom <= 0.0:
            out[p] = np.nan
            continue
        v = (s2[p] - s1[p] * (s1[p] / n)) / denom
        if v < 0.0:
            v = 0.0
        out[p] = np.sqrt(v) if stat == 3 else v
