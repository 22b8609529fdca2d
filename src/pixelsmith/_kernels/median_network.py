"""3x3 and 5x5 box medians as comparator networks, rows streamed (GENERATED: do not edit).

Written by `tools/gen_median_network.py`, which derives the networks and
proves them on every 0-1 input (see its docstring). Exact in any dtype
(only min and max), so the input's dtype is kept; NaN is reported, not ordered.
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .rows import all_zero, nan_flags, padded_row


@kernel
def median3_rows(x, row_map, col_map, fill, check_nan, r0, r1, out):
    """3x3 box median of output rows r0..r1-1 into `out`; False if the rows read hold NaN.

    Output row i reads padded rows i .. i + 2 (`row_map`: source row, -1 for `fill`);
    output column j padded columns j .. j + 2 (`col_map`). Per output row: each padded
    column's 3 values are sorted (3 comparators), then each window's median is
    selected from its 3 sorted columns (12 min/max operations), all in the input's dtype.
    """
    n1 = x.shape[1]
    width = col_map.shape[0]
    n_out = out.shape[1]
    ring = np.empty((3, width), x.dtype)  # padded rows, row p in slot p % 3
    ranks = np.empty((3, width), x.dtype)  # ranks[r, q]: the r-th smallest of padded column q
    flags = np.zeros(n1)
    for p in range(r0, r0 + 2):
        padded_row(x, row_map[p], col_map, 1, 0, fill, ring[p % 3])
        if check_nan:
            nan_flags(x, row_map[p], flags)
    for i in range(r0, r1):
        e = i + 2
        padded_row(x, row_map[e], col_map, 1, 0, fill, ring[e % 3])
        if check_nan:
            nan_flags(x, row_map[e], flags)
        a0 = ring[(i + 0) % 3]
        a1 = ring[(i + 1) % 3]
        a2 = ring[(i + 2) % 3]
        s0 = ranks[0]
        s1 = ranks[1]
        s2 = ranks[2]
        for q in range(width):
            c0 = a0[q]
            c1 = a1[q]
            c2 = a2[q]
            c0, c1 = min(c0, c1), max(c0, c1)
            c0, c2 = min(c0, c2), max(c0, c2)
            c1, c2 = min(c1, c2), max(c1, c2)
            s0[q] = c0
            s1[q] = c1
            s2[q] = c2
        # slices, indexed from 0: `s[q + d]` would test for a negative index and not vectorise
        t0 = s0[0 : 0 + n_out]
        t1 = s1[0 : 0 + n_out]
        t2 = s2[0 : 0 + n_out]
        t3 = s0[1 : 1 + n_out]
        t4 = s1[1 : 1 + n_out]
        t5 = s2[1 : 1 + n_out]
        t6 = s0[2 : 2 + n_out]
        t7 = s1[2 : 2 + n_out]
        t8 = s2[2 : 2 + n_out]
        target = out[i]
        for j in range(n_out):
            w0 = t0[j]
            w1 = t1[j]
            w2 = t2[j]
            w3 = t3[j]
            w4 = t4[j]
            w5 = t5[j]
            w6 = t6[j]
            w7 = t7[j]
            w8 = t8[j]
            w3 = max(w0, w3)
            w6 = max(w3, w6)
            w2 = min(w2, w5)
            w2 = min(w2, w8)
            w1, w4 = min(w1, w4), max(w1, w4)
            w4 = min(w4, w7)
            w4 = max(w1, w4)
            w2, w4 = min(w2, w4), max(w2, w4)
            w4 = min(w4, w6)
            w4 = max(w2, w4)
            target[j] = w4
    return not check_nan or all_zero(flags)


@kernel
def median5_rows(x, row_map, col_map, fill, check_nan, r0, r1, out):
    """5x5 box median of output rows r0..r1-1 into `out`; False if the rows read hold NaN.

    Output row i reads padded rows i .. i + 4 (`row_map`: source row, -1 for `fill`);
    output column j padded columns j .. j + 4 (`col_map`). Per output row: each padded
    column's 5 values are sorted (9 comparators), then each window's median is
    selected from its 5 sorted columns (134 min/max operations), all in the input's dtype.
    """
    n1 = x.shape[1]
    width = col_map.shape[0]
    n_out = out.shape[1]
    ring = np.empty((5, width), x.dtype)  # padded rows, row p in slot p % 5
    ranks = np.empty((5, width), x.dtype)  # ranks[r, q]: the r-th smallest of padded column q
    flags = np.zeros(n1)
    for p in range(r0, r0 + 4):
        padded_row(x, row_map[p], col_map, 2, 0, fill, ring[p % 5])
        if check_nan:
            nan_flags(x, row_map[p], flags)
    for i in range(r0, r1):
        e = i + 4
        padded_row(x, row_map[e], col_map, 2, 0, fill, ring[e % 5])
        if check_nan:
            nan_flags(x, row_map[e], flags)
        a0 = ring[(i + 0) % 5]
        a1 = ring[(i + 1) % 5]
        a2 = ring[(i + 2) % 5]
        a3 = ring[(i + 3) % 5]
        a4 = ring[(i + 4) % 5]
        s0 = ranks[0]
        s1 = ranks[1]
        s2 = ranks[2]
        s3 = ranks[3]
        s4 = ranks[4]
        for q in range(width):
            c0 = a0[q]
            c1 = a1[q]
            c2 = a2[q]
            c3 = a3[q]
            c4 = a4[q]
            c0, c1 = min(c0, c1), max(c0, c1)
            c2, c3 = min(c2, c3), max(c2, c3)
            c0, c2 = min(c0, c2), max(c0, c2)
            c1, c3 = min(c1, c3), max(c1, c3)
            c1, c2 = min(c1, c2), max(c1, c2)
            c0, c4 = min(c0, c4), max(c0, c4)
            c2, c4 = min(c2, c4), max(c2, c4)
            c1, c2 = min(c1, c2), max(c1, c2)
            c3, c4 = min(c3, c4), max(c3, c4)
            s0[q] = c0
            s1[q] = c1
            s2[q] = c2
            s3[q] = c3
            s4[q] = c4
        # slices, indexed from 0: `s[q + d]` would test for a negative index and not vectorise
        t0 = s0[0 : 0 + n_out]
        t1 = s1[0 : 0 + n_out]
        t2 = s2[0 : 0 + n_out]
        t3 = s3[0 : 0 + n_out]
        t4 = s4[0 : 0 + n_out]
        t5 = s0[1 : 1 + n_out]
        t6 = s1[1 : 1 + n_out]
        t7 = s2[1 : 1 + n_out]
        t8 = s3[1 : 1 + n_out]
        t9 = s4[1 : 1 + n_out]
        t10 = s0[2 : 2 + n_out]
        t11 = s1[2 : 2 + n_out]
        t12 = s2[2 : 2 + n_out]
        t13 = s3[2 : 2 + n_out]
        t14 = s4[2 : 2 + n_out]
        t15 = s0[3 : 3 + n_out]
        t16 = s1[3 : 3 + n_out]
        t17 = s2[3 : 3 + n_out]
        t18 = s3[3 : 3 + n_out]
        t19 = s4[3 : 3 + n_out]
        t20 = s0[4 : 4 + n_out]
        t21 = s1[4 : 4 + n_out]
        t22 = s2[4 : 4 + n_out]
        t23 = s3[4 : 4 + n_out]
        t24 = s4[4 : 4 + n_out]
        target = out[i]
        for j in range(n_out):
            w0 = t0[j]
            w1 = t1[j]
            w2 = t2[j]
            w3 = t3[j]
            w4 = t4[j]
            w5 = t5[j]
            w6 = t6[j]
            w7 = t7[j]
            w8 = t8[j]
            w9 = t9[j]
            w10 = t10[j]
            w11 = t11[j]
            w12 = t12[j]
            w13 = t13[j]
            w14 = t14[j]
            w15 = t15[j]
            w16 = t16[j]
            w17 = t17[j]
            w18 = t18[j]
            w19 = t19[j]
            w20 = t20[j]
            w21 = t21[j]
            w22 = t22[j]
            w23 = t23[j]
            w24 = t24[j]
            w4, w5 = min(w4, w5), max(w4, w5)
            w14, w15 = min(w14, w15), max(w14, w15)
            w5, w7 = min(w5, w7), max(w5, w7)
            w8, w10 = min(w8, w10), max(w8, w10)
            w9, w11 = min(w9, w11), max(w9, w11)
            w12, w14 = min(w12, w14), max(w12, w14)
            w5, w6 = min(w5, w6), max(w5, w6)
            w9, w10 = min(w9, w10), max(w9, w10)
            w13, w14 = min(w13, w14), max(w13, w14)
            w0, w4 = min(w0, w4), max(w0, w4)
            w1, w5 = min(w1, w5), max(w1, w5)
            w2, w6 = min(w2, w6), max(w2, w6)
            w8, w12 = min(w8, w12), max(w8, w12)
            w10, w14 = min(w10, w14), max(w10, w14)
            w11, w15 = min(w11, w15), max(w11, w15)
            w16, w20 = min(w16, w20), max(w16, w20)
            w17, w21 = min(w17, w21), max(w17, w21)
            w18, w22 = min(w18, w22), max(w18, w22)
            w19, w23 = min(w19, w23), max(w19, w23)
            w2, w4 = min(w2, w4), max(w2, w4)
            w3, w5 = min(w3, w5), max(w3, w5)
            w10, w12 = min(w10, w12), max(w10, w12)
            w11, w13 = min(w11, w13), max(w11, w13)
            w18, w20 = min(w18, w20), max(w18, w20)
            w19, w21 = min(w19, w21), max(w19, w21)
            w1, w2 = min(w1, w2), max(w1, w2)
            w3, w4 = min(w3, w4), max(w3, w4)
            w5, w6 = min(w5, w6), max(w5, w6)
            w9, w10 = min(w9, w10), max(w9, w10)
            w11, w12 = min(w11, w12), max(w11, w12)
            w13, w14 = min(w13, w14), max(w13, w14)
            w17, w18 = min(w17, w18), max(w17, w18)
            w19, w20 = min(w19, w20), max(w19, w20)
            w8 = max(w0, w8)
            w9 = max(w1, w9)
            w2, w10 = min(w2, w10), max(w2, w10)
            w3, w11 = min(w3, w11), max(w3, w11)
            w4, w12 = min(w4, w12), max(w4, w12)
            w5, w13 = min(w5, w13), max(w5, w13)
            w6 = min(w6, w14)
            w7 = min(w7, w15)
            w4, w8 = min(w4, w8), max(w4, w8)
            w5, w9 = min(w5, w9), max(w5, w9)
            w6, w10 = min(w6, w10), max(w6, w10)
            w7, w11 = min(w7, w11), max(w7, w11)
            w20, w24 = min(w20, w24), max(w20, w24)
            w4 = max(w2, w4)
            w3, w5 = min(w3, w5), max(w3, w5)
            w6, w8 = min(w6, w8), max(w6, w8)
            w7, w9 = min(w7, w9), max(w7, w9)
            w10, w12 = min(w10, w12), max(w10, w12)
            w11, w13 = min(w11, w13), max(w11, w13)
            w22, w24 = min(w22, w24), max(w22, w24)
            w3, w4 = min(w3, w4), max(w3, w4)
            w5, w6 = min(w5, w6), max(w5, w6)
            w7, w8 = min(w7, w8), max(w7, w8)
            w9, w10 = min(w9, w10), max(w9, w10)
            w11, w12 = min(w11, w12), max(w11, w12)
            w21, w22 = min(w21, w22), max(w21, w22)
            w23, w24 = min(w23, w24), max(w23, w24)
            w19 = max(w3, w19)
            w20 = max(w4, w20)
            w21 = max(w5, w21)
            w6 = min(w6, w22)
            w7 = min(w7, w23)
            w8 = min(w8, w24)
            w16 = max(w8, w16)
            w17 = max(w9, w17)
            w10 = min(w10, w18)
            w11 = min(w11, w19)
            w12 = min(w12, w20)
            w13 = min(w13, w21)
            w10 = max(w6, w10)
            w11 = max(w7, w11)
            w12 = min(w12, w16)
            w13 = min(w13, w17)
            w12 = max(w10, w12)
            w11 = min(w11, w13)
            w12 = max(w11, w12)
            target[j] = w12
    return not check_nan or all_zero(flags)
