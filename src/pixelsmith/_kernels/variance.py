"""Box variance and standard deviation of a 2-D image, fused, tile by tile: the engine's arithmetic.

The tiling engine (`local/_engine.py`) shifts each tile's values by a
reference near them (`shift`, from the tile's own pixels), then sums
``v = x - shift`` and ``v * v`` over every window in float64 and finishes
with ``(S2 - S1 * (S1 / n)) / (n - ddof)``. This kernel does the same
operations in the same order on the same tiles, but streams each tile's
rows through a ring of shifted rows instead of gathering float64 blocks and
squaring them in separate passes, so the results are the engine's bits (and
the dask path's, which tiles the same way).

Each padded row of a tile (edges through `row_map` / `col_map`) is turned
into ``v`` and ``v * v`` once, into a ring of ``2 * w0`` rows that
`box.direct_rows` / `box.gil_werman_columns` read as if it were the image
(`ring_map` sends a padded row to its slot); the column sums then go through
`box.horizontal_sums` along the row.
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .box import GROUP, direct_rows, gil_werman_columns, horizontal_group, horizontal_sums
from .rows import all_zero
from .window import DIRECT_MAX


@kernel
def _shifted_row(x, source, col_map, c0, lo1, shift, cval_shifted, values, squares):
    """values[jj] = x[source, padded column c0 + jj] - shift (cval - shift for -1), squares = values**2."""
    width = values.shape[0]
    if source < 0:
        for jj in range(width):
            values[jj] = cval_shifted
            squares[jj] = cval_shifted * cval_shifted
        return
    row = x[source]
    n1 = row.shape[0]
    first = min(max(lo1 - c0, 0), width)  # padded columns before the input's first one
    last = min(max(lo1 + n1 - c0, first), width)
    for jj in range(first):
        c = col_map[c0 + jj]
        v = np.float64(row[c]) - shift if c >= 0 else cval_shifted
        values[jj] = v
        squares[jj] = v * v
    inside, vals, sq = row[first + c0 - lo1 : last + c0 - lo1], values[first:last], squares[first:last]
    for jj in range(last - first):
        v = np.float64(inside[jj]) - shift
        vals[jj] = v
        sq[jj] = v * v
    for jj in range(last, width):
        c = col_map[c0 + jj]
        v = np.float64(row[c]) - shift if c >= 0 else cval_shifted
        values[jj] = v
        squares[jj] = v * v


@kernel
def box_var_tiles(x, row_map, col_map, w0, w1, tiles, shifts, cval, ddof, std, out):
    """Variance (std when `std`) of the box windows of every tile ``(r0, r1, c0, c1)`` into `out`.

    Padded row p is input row ``row_map[p]`` (-1: `cval`), padded column q
    input column ``col_map[q]``; output (i, j) reads padded rows i .. i + w0 - 1
    and columns j .. j + w1 - 1, the Gil-Werman grids anchored at padded
    index 0 = global -(w // 2). Returns False if any result is not finite
    (NaN or inf in the data, sums beyond float64): the engine answers those.
    """
    lo0, lo1 = w0 // 2, w1 // 2
    phase0, phase1 = -lo0, -lo1
    n = float(w0 * w1)
    denom = n - ddof
    if denom <= 0.0:  # ddof >= n: every result is NaN, by the engine's rules
        return False
    slots = 2 * w0  # rows a window and the Gil-Werman block before it can read
    ring_map = np.empty(row_map.shape[0], np.int64)
    for p in range(row_map.shape[0]):
        ring_map[p] = p % slots
    most = 0
    for t in range(tiles.shape[0]):
        most = max(most, tiles[t, 3] - tiles[t, 2])
    width = most + w1 - 1
    values = np.empty((slots, width))
    squares = np.empty((slots, width))
    col1 = np.empty((GROUP, width))  # column sums of a group of output rows (v, then v * v)
    col2 = np.empty((GROUP, width))
    fwd1 = np.empty(width)
    fwd2 = np.empty(width)
    ring1 = np.empty((w0, width))
    ring2 = np.empty((w0, width))
    fwd_h = np.empty((GROUP, width))
    bwd_h = np.empty((GROUP, width))
    s1 = np.empty((GROUP, most))
    s2 = np.empty((GROUP, most))
    flags = np.zeros(most)
    direct = w0 <= DIRECT_MAX
    for t in range(tiles.shape[0]):
        r0, r1, c0, c1 = tiles[t, 0], tiles[t, 1], tiles[t, 2], tiles[t, 3]
        n_out = c1 - c0
        wp = n_out + w1 - 1
        shift = shifts[t]
        cval_shifted = cval - shift
        for p in range(max(r0 - w0 + 1, 0), r0 + w0 - 1):  # rows the first window and its block read
            _shifted_row(
                x, row_map[p], col_map, c0, lo1, shift, cval_shifted, values[p % slots, :wp], squares[p % slots, :wp]
            )
        for group in range(r0, r1, GROUP):
            rows = min(GROUP, r1 - group)
            for r in range(rows):
                i = group + r
                e = i + w0 - 1
                _shifted_row(
                    x,
                    row_map[e],
                    col_map,
                    c0,
                    lo1,
                    shift,
                    cval_shifted,
                    values[e % slots, :wp],
                    squares[e % slots, :wp],
                )
                c1v, c2v = col1[r, :wp], col2[r, :wp]
                # whole ring rows (C-contiguous, so the loops vectorise); only the first wp columns are used
                if direct:
                    direct_rows(values, ring_map, i, e + 1, 0.0, c1v)
                    direct_rows(squares, ring_map, i, e + 1, 0.0, c2v)
                else:
                    gil_werman_columns(values, ring_map, i, w0, phase0, 0.0, i == r0, fwd1[:wp], ring1, c1v)
                    gil_werman_columns(squares, ring_map, i, w0, phase0, 0.0, i == r0, fwd2[:wp], ring2, c2v)
            if w1 <= DIRECT_MAX:
                for r in range(rows):
                    horizontal_sums(col1[r, :wp], w1, phase1 + c0, fwd_h[0], bwd_h[0], n_out, s1[r, :n_out])
                    horizontal_sums(col2[r, :wp], w1, phase1 + c0, fwd_h[0], bwd_h[0], n_out, s2[r, :n_out])
            else:  # eight rows' Gil-Werman chains side by side (the same additions in the same order)
                horizontal_group(col1, rows, w1, phase1 + c0, fwd_h, bwd_h, n_out, s1)
                horizontal_group(col2, rows, w1, phase1 + c0, fwd_h, bwd_h, n_out, s2)
            for r in range(rows):
                a, b = s1[r, :n_out], s2[r, :n_out]
                target = out[group + r, c0:c1]
                checked = flags[:n_out]
                for j in range(n_out):  # as window.finalize_moments
                    v = (b[j] - a[j] * (a[j] / n)) / denom
                    if v < 0.0:
                        v = 0.0
                    if std:
                        v = np.sqrt(v)
                    checked[j] += v * 0.0
                    target[j] = v
    return all_zero(flags)
