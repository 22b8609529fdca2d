"""Normalized cross-correlation, final step: window statistics by separable prefix sums, in place.

Works on 3-D views (1-D and 2-D inputs get leading singleton axes) of the image
as given, float32 or float64, less an `offset` (its mean) subtracted on the fly
in float64: no image-sized centred copy. Window sums
are differences of prefix sums along one axis at a time (rows, then columns,
then planes), so each rounding error is bounded by the prefix of one line,
never the whole image.
"""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def _row_windows(row, offset, w2, p1, p2, out1, out2):
    """Sums of `row` - `offset` and its square over every window of w2 (from prefix sums); returns the row totals."""
    run1 = 0.0
    run2 = 0.0
    p1[0] = 0.0
    p2[0] = 0.0
    for k in range(row.shape[0]):
        v = row[k] - offset
        run1 += v
        run2 += v * v
        p1[k + 1] = run1
        p2[k + 1] = run2
    for k in range(out1.shape[0]):
        out1[k] = p1[k + w2] - p1[k]
        out2[k] = p2[k + w2] - p2[k]
    return run1, run2


@kernel
def window_moments(x, offset, w0, w1, w2):
    """Sums of x - offset and its square over every valid (w0, w1, w2) window, and the largest prefix magnitudes."""
    n0, n1, n2 = x.shape
    o0, o1, o2 = n0 - w0 + 1, n1 - w1 + 1, n2 - w2 + 1
    plane1 = np.empty((n0, o1, o2))
    plane2 = np.empty((n0, o1, o2))
    p1 = np.empty(n2 + 1)
    p2 = np.empty(n2 + 1)
    rows1 = np.empty((n1, o2))
    rows2 = np.empty((n1, o2))
    c1 = np.zeros(o2)
    c2 = np.zeros(o2)
    big1 = 0.0
    big2 = 0.0
    for i in range(n0):
        for j in range(n1):
            total1, total2 = _row_windows(x[i, j], offset, w2, p1, p2, rows1[j], rows2[j])
            big1 = max(big1, abs(total1))
            big2 = max(big2, total2)
        # columns: a running window sum over rows, recomputed from scratch every w1 rows so
        # rounding never accumulates beyond one window
        for j in range(o1):
            fresh = j % w1 == 0
            for k in range(o2):
                if fresh:
                    a = 0.0
                    b = 0.0
                    for q in range(j, j + w1):
                        a += rows1[q, k]
                        b += rows2[q, k]
                else:
                    a = c1[k] + (rows1[j + w1 - 1, k] - rows1[j - 1, k])
                    b = c2[k] + (rows2[j + w1 - 1, k] - rows2[j - 1, k])
                c1[k] = a
                c2[k] = b
                plane1[i, j, k] = a
                plane2[i, j, k] = b
                big1 = max(big1, abs(a))
                big2 = max(big2, b)
    if w0 == 1:
        return plane1, plane2, big1, big2
    s1 = np.zeros((o0, o1, o2))
    s2 = np.zeros((o0, o1, o2))
    for i in range(o0):
        for q in range(i, i + w0):
            s1[i] += plane1[q]
            s2[i] += plane2[q]
    return s1, s2, big1 * w0, big2 * w0


@kernel
def _row_bounds(x, offset):
    """Largest row totals of |x - offset| and its square: bounds for every window sum built from row prefixes."""
    n0, n1, n2 = x.shape
    big1 = 0.0
    big2 = 0.0
    for i in range(n0):
        for j in range(n1):
            a = 0.0
            b = 0.0
            for k in range(n2):
                v = x[i, j, k] - offset
                a += abs(v)
                b += v * v
            big1 = max(big1, a)
            big2 = max(big2, b)
    return big1, big2


# the divisors are n >= 1 and the square root of a variance above the flat bound times the template's
# energy (checked > 0 by the caller): never 0, so IEEE division (no ZeroDivisionError test) lets the loop
# vectorise, 2x
@kernel(ieee_division=True)
def _to_ncc(numerator, i, j, a, b, n, tpl_energy, bound):
    """NCC of the output row numerator[i, j] in place, from its windows' sums `a` of x and `b` of x^2."""
    o2 = numerator.shape[2]
    for k in range(o2):
        var_n = b[k] - a[k] * a[k] / n
        if var_n <= bound:
            numerator[i, j, k] = 0.0
        else:
            r = numerator[i, j, k] / np.sqrt(var_n * tpl_energy)
            numerator[i, j, k] = min(1.0, max(-1.0, r))


@kernel
def flat_bound(x, offset, w0, w1, w2, eps_scale):
    """Rounding bound of the window variance sums of x - offset: a window below it is flat (NCC 0)."""
    n = float(w0 * w1 * w2)
    big1, big2 = _row_bounds(x, offset)
    return eps_scale * (w0 * w1 * big2 + (w0 * w1 * big1) ** 2 / n)


@kernel
def finalize(x, offset, w0, w1, w2, numerator, tpl_energy, bound):
    """Turn `numerator` (valid cross-correlations of x - offset with the centred template) into NCC, in place."""
    n = float(w0 * w1 * w2)
    s1, s2, _, _ = window_moments(x, offset, w0, w1, w2)
    for i in range(numerator.shape[0]):
        for j in range(numerator.shape[1]):
            _to_ncc(numerator, i, j, s1[i, j], s2[i, j], n, tpl_energy, bound)


@kernel
def finalize_rows(x, offset, w1, w2, numerator, tpl_energy, bound, first, stop):
    """`finalize` for 2-D windows, output rows first..stop-1 of the 2-D (or 1-D) plane ``x[0]``.

    The row window sums live in a ring of w1 + 1 rows (no image-sized
    temporaries). The column sums restart from scratch every w1 output rows,
    so rounding never accumulates; bands that start on such a row (first % w1
    == 0) give the same bits as one pass over all rows.
    """
    n = float(w1 * w2)
    n2 = x.shape[2]
    o2 = n2 - w2 + 1
    ring = w1 + 1
    rows1 = np.empty((ring, o2))
    rows2 = np.empty((ring, o2))
    p1 = np.empty(n2 + 1)
    p2 = np.empty(n2 + 1)
    c1 = np.zeros(o2)
    c2 = np.zeros(o2)
    for j in range(first, stop + w1 - 1):
        slot = j % ring
        _row_windows(x[0, j], offset, w2, p1, p2, rows1[slot], rows2[slot])
        jj = j - w1 + 1  # the output row whose window ends at row j
        if jj < first:
            continue
        if jj % w1 == 0:  # recompute from scratch now and then: rounding never accumulates
            c1[:] = 0.0
            c2[:] = 0.0
            for q in range(jj, j + 1):
                s = q % ring
                for k in range(o2):
                    c1[k] += rows1[s, k]
                    c2[k] += rows2[s, k]
        else:
            old = (jj - 1) % ring
            for k in range(o2):
                c1[k] += rows1[slot, k] - rows1[old, k]
                c2[k] += rows2[slot, k] - rows2[old, k]
        _to_ncc(numerator, 0, jj, c1, c2, n, tpl_energy, bound)
