"""Block-reduction kernel for 2-D arrays (the common, benchmarked case).

Function codes: 0 sum, 1 mean, 2 var, 3 std, 4 min, 5 max, 6 count_nonzero,
7 fraction_nonzero. Variances are two-pass per block (exact mean first).
Partial blocks at the end are completed with `cval` (boundary='pad').
"""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def block_reduce_rows(x, b0, b1, func, cval, row_start, row_stop, out):
    """Reduce the blocks of output rows ``row_start..row_stop-1`` into `out`."""
    n0, n1 = x.shape
    m1 = out.shape[1]
    volume = b0 * b1
    acc = np.empty(m1)
    mean = np.empty(m1)
    for j in range(row_start, row_stop):
        r0 = j * b0
        r1 = min(r0 + b0, n0)
        if func == 4:
            acc[:] = np.inf
        elif func == 5:
            acc[:] = -np.inf
        else:
            acc[:] = 0.0
        for r in range(r0, r1):
            for k in range(m1):
                c0 = k * b1
                c1 = min(c0 + b1, n1)
                a = acc[k]
                for c in range(c0, c1):
                    v = np.float64(x[r, c])
                    if func <= 3:
                        a += v
                    elif func == 4:
                        if v < a or v != v:
                            a = v if a == a else a
                    elif func == 5:
                        if v > a or v != v:
                            a = v if a == a else a
                    else:
                        a += 1.0 if v != 0 else 0.0
                acc[k] = a
        for k in range(m1):
            c0 = k * b1
            missing = volume - (r1 - r0) * (min(c0 + b1, n1) - c0)
            if missing > 0:
                if func <= 3:
                    acc[k] += missing * cval
                elif func == 4:
                    acc[k] = cval if cval < acc[k] else acc[k]
                elif func == 5:
                    acc[k] = cval if cval > acc[k] else acc[k]
                elif cval != 0:
                    acc[k] += missing
        if func == 0 or func == 4 or func == 5 or func == 6:
            for k in range(m1):
                out[j, k] = acc[k]
            continue
        if func == 1 or func == 7:
            for k in range(m1):
                out[j, k] = acc[k] / volume
            continue
        # variance: second pass around the exact block mean
        for k in range(m1):
            mean[k] = acc[k] / volume
            acc[k] = 0.0
        for r in range(r0, r1):
            for k in range(m1):
                c0 = k * b1
                c1 = min(c0 + b1, n1)
                a = acc[k]
                m = mean[k]
                for c in range(c0, c1):
                    d = np.float64(x[r, c]) - m
                    a += d * d
                acc[k] = a
        for k in range(m1):
            c0 = k * b1
            missing = volume - (r1 - r0) * (min(c0 + b1, n1) - c0)
            if missing > 0:
                d = cval - mean[k]
                acc[k] += missing * d * d
            v = acc[k] / volume
            out[j, k] = np.sqrt(v) if func == 3 else v
