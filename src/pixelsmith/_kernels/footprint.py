"""Min, max and sum over an arbitrary 2-D footprint, rows streamed: doubling tables per row.

A footprint is a list of runs: (row offset dy, column offset s, length L).
For every padded input row a table of doublings is built once:
``T[0] = row`` and ``T[k][j] = op(T[k-1][j], T[k-1][j + 2**(k-1)])``, the
reduction of the ``2**k`` values from `j`. A run is then read from its row's
table without any further pass over the data:

- min / max (Urbach and Wilkinson's chord method): two overlapping lookups,
  ``op(T[k][j + s], T[k][j + s + L - 2**k])`` with ``2**k <= L < 2**(k+1)``;
  extremes are idempotent, so the overlap is harmless and the result exact.
- sum: the set bits of L, highest first, each a disjoint block
  (``T[k1][j + s] + T[k2][j + s + 2**k1] + ...``). Every window sum adds only
  its own values in a fixed tree, so there is no running sum and no drift,
  and a value does not depend on where the image was cut into bands or chunks.
  Bound: a window's float64 sum is within about ``(log2(L_max) + 2 * runs) * eps64``
  of the sum of its |values| (tree depth plus the adds across runs), whatever
  the image size; tested with a 1e12 outlier and a 1e4 offset.
  The engine (`local._engine`) adds the same terms in the same order, so the
  two agree bit for bit.

Per output pixel: two lookups per run for extremes (a disk of radius r has
2r + 1 runs), popcount(L) for sums; building the tables costs log2(width)
operations per input pixel. Output columns go in strips so that the ring of
tables (rows x levels x strip) stays in cache.
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .rows import all_zero, copy_into, padded_row, pair_into


@kernel
def _doublings(table, wp, op):
    """table[k][j] = op over table[0][j .. j + 2**k - 1], for j < wp - 2**k + 1 (op 0 sum, 1 min, 2 max)."""
    half = 1
    for k in range(1, table.shape[0]):
        n = wp - 2 * half + 1
        if n <= 0:
            break
        prev, later, here = table[k - 1, :n], table[k - 1, half : half + n], table[k, :n]
        if op == 0:
            for j in range(n):
                here[j] = prev[j] + later[j]
        else:
            pair_into(here, prev, later, op == 2)
        half *= 2


@kernel
def footprint_extreme_rows(
    x, row_map, col_map, lo1, runs, levels, fh, fw, take_max, fill, check_nan, strip, r0, r1, out
):
    """Min or max over the footprint of output rows r0..r1-1 into `out`; False if the rows read hold NaN.

    `runs[r] = (dy, s, length, level)` with ``2**level <= length``. Output row
    i reads padded rows i .. i + fh - 1 (`row_map`: source row, -1 for `fill`),
    output column j padded columns j .. j + fw - 1 (`col_map`); padded column
    `lo1` is input column 0. Tables stay in the input's dtype.
    """
    n_out1 = out.shape[1]
    ring = np.empty((fh, levels, strip + fw - 1), x.dtype)
    acc = np.empty(strip, x.dtype)
    flags = np.zeros(strip + fw - 1)
    n_runs = runs.shape[0]
    for c0 in range(0, n_out1, strip):
        n = min(strip, n_out1 - c0)
        wp = n + fw - 1
        for p in range(r0, r1 + fh - 1):
            table = ring[p % fh]  # the whole slot: a C-contiguous view keeps the loops vectorised
            padded_row(x, row_map[p], col_map, lo1, c0, fill, table[0, :wp])
            if check_nan:
                row = table[0, :wp]
                for jj in range(wp):
                    flags[jj] += row[jj] * 0
            _doublings(table, wp, 2 if take_max else 1)
            i = p - fh + 1  # the output row whose window this row completes
            if i < r0:
                continue
            for r in range(n_runs):
                dy, s, length, k = runs[r, 0], runs[r, 1], runs[r, 2], runs[r, 3]
                t = ring[(i + dy) % fh, k]
                s2 = s + length - (1 << k)
                # slices, indexed from 0: an index `j + s` would carry numba's negative-index
                # wrap test into the loop and keep it from vectorising (5x slower)
                u, v, a = t[s : s + n], t[s2 : s2 + n], acc[:n]
                if r == 0:
                    pair_into(a, u, v, take_max)
                elif take_max:
                    for j in range(n):
                        a[j] = max(a[j], max(u[j], v[j]))
                else:
                    for j in range(n):
                        a[j] = min(a[j], min(u[j], v[j]))
            copy_into(out[i, c0 : c0 + n], acc)
    return not check_nan or all_zero(flags)


@kernel
def _term(rows, terms, t, s, n):
    """The `n` table values of term `t` of a run starting at column `s` (a slice of its level)."""
    offset = s + terms[t, 1]
    return rows[terms[t, 0], offset : offset + n]


@kernel
def footprint_sum_rows(x, row_map, col_map, lo1, runs, terms, levels, fh, fw, fill, mean_of, strip, r0, r1, out):
    """Sum (or mean, when `mean_of` > 0: the sum divided by it) over the footprint, float64 tables.

    `runs[r] = (dy, s, first term, end term)`; `terms[t] = (level, offset)`:
    run r's sum is ``T[level][j + s + offset]`` added over its terms in order.
    Returns False if any result is not finite (NaN or inf in the data, an
    overflow): the engine's rules answer those.
    """
    n_out1 = out.shape[1]
    ring = np.empty((fh, levels, strip + fw - 1))
    acc = np.empty(strip)
    part = np.empty(strip)
    check = np.zeros(strip)
    n_runs = runs.shape[0]
    for c0 in range(0, n_out1, strip):
        n = min(strip, n_out1 - c0)
        wp = n + fw - 1
        for p in range(r0, r1 + fh - 1):
            table = ring[p % fh]  # the whole slot: a C-contiguous view keeps the loops vectorised
            padded_row(x, row_map[p], col_map, lo1, c0, fill, table[0, :wp])
            _doublings(table, wp, 0)
            i = p - fh + 1
            if i < r0:
                continue
            a = acc[:n]
            for r in range(n_runs):
                dy, s, t0, t1 = runs[r, 0], runs[r, 1], runs[r, 2], runs[r, 3]
                rows = ring[(i + dy) % fh]
                # slices, not `j + offset` indices (see footprint_extreme_rows); runs of up to three
                # terms are added in one pass, the same additions in the same order as the general loop
                u = _term(rows, terms, t0, s, n)
                if t1 - t0 == 1:
                    if r == 0:
                        copy_into(a, u)
                    else:
                        for j in range(n):
                            a[j] += u[j]
                    continue
                v = _term(rows, terms, t0 + 1, s, n)
                if t1 - t0 == 2:
                    if r == 0:
                        for j in range(n):
                            a[j] = u[j] + v[j]
                    else:
                        for j in range(n):
                            a[j] += u[j] + v[j]
                    continue
                w = _term(rows, terms, t0 + 2, s, n)
                into = a if r == 0 else part[:n]
                for j in range(n):
                    into[j] = (u[j] + v[j]) + w[j]
                for t in range(t0 + 3, t1):
                    more = _term(rows, terms, t, s, n)
                    for j in range(n):
                        into[j] += more[j]
                if r > 0:
                    for j in range(n):
                        a[j] += into[j]
            target = out[i, c0 : c0 + n]
            checked = check[:n]
            if mean_of > 0:
                for j in range(n):
                    value = a[j] / mean_of + 0.0
                    checked[j] += value * 0
                    target[j] = value
            else:
                for j in range(n):
                    value = a[j] + 0.0
                    checked[j] += value * 0
                    target[j] = value
    return all_zero(check)


@kernel
def doubling_run_sums(block, length, out):
    """out[r, j] = sum of block[r, j .. j + length - 1] by the doubling tables' terms (the fused kernel's order)."""
    n_rows, n = block.shape
    n_out = n - length + 1
    levels = 1
    while (1 << levels) <= length:
        levels += 1
    table = np.empty((levels, n))
    for r in range(n_rows):
        copy_into(table[0], block[r])
        _doublings(table, n, 0)
        top = levels - 1
        into = out[r]
        copy_into(into, table[top, :n_out])
        offset = 1 << top
        for k in range(top - 1, -1, -1):
            if length & (1 << k):
                more = table[k, offset : offset + n_out]
                for j in range(n_out):
                    into[j] += more[j]
                offset += 1 << k
