"""Circular-aperture kernels: pixel weights (exact overlap, centre, subpixel) and sums over stacks.

Pixel (i, j) covers ``[i - 0.5, i + 0.5] x [j - 0.5, j + 0.5]``. An aperture's
weights live in a box (rows ``row0 .. row0 + height - 1``, same for columns),
flattened into one array for all apertures at offset ``start``.
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel

EXACT, CENTER, SUBPIXEL = 0, 1, 2


@kernel
def _segment(t, r):
    """Area under the circle's upper half from 0 to t (0 <= t <= r): integral of sqrt(r^2 - x^2)."""
    return 0.5 * (t * math.sqrt(max(r * r - t * t, 0.0)) + r * r * math.asin(min(t / r, 1.0)))


@kernel
def _quadrant(x, y, r):
    """Signed area of the disk (centre 0, radius r) inside the rectangle spanned by (0, 0) and (x, y)."""
    sign = 1.0
    if x < 0.0:
        sign = -sign
        x = -x
    if y < 0.0:
        sign = -sign
        y = -y
    x = min(x, r)
    y = min(y, r)
    if x * x + y * y <= r * r:
        return sign * x * y
    xc = math.sqrt(r * r - y * y)  # where the arc is at height y; xc < x here
    return sign * (y * xc + _segment(x, r) - _segment(xc, r))


@kernel
def exact_overlap(dx0, dx1, dy0, dy1, r):
    """Exact area of the disk (centre 0, radius r) inside the rectangle [dx0, dx1] x [dy0, dy1]."""
    # corners: fully inside when the farthest corner is, fully outside when the nearest point is
    fx = max(abs(dx0), abs(dx1))
    fy = max(abs(dy0), abs(dy1))
    if fx * fx + fy * fy <= r * r:
        return (dx1 - dx0) * (dy1 - dy0)
    nx = 0.0 if dx0 <= 0.0 <= dx1 else min(abs(dx0), abs(dx1))
    ny = 0.0 if dy0 <= 0.0 <= dy1 else min(abs(dy0), abs(dy1))
    if nx * nx + ny * ny >= r * r:
        return 0.0
    return _quadrant(dx1, dy1, r) - _quadrant(dx0, dy1, r) - _quadrant(dx1, dy0, r) + _quadrant(dx0, dy0, r)


@kernel
def fill_weights(centers, r_in, r_out, method, subpixels, row0, col0, height, width, start, weights, n0, n1):
    """Weights of apertures n0..n1-1: the disk of radius r_out minus the disk of r_in (r_in = 0: a disk).

    EXACT subtracts exact overlaps; CENTER tests pixel centres (r_in <= d < r_out,
    as photutils); SUBPIXEL tests ``subpixels x subpixels`` sub-centres the same way.
    """
    for n in range(n0, n1):
        cy = centers[n, 0]
        cx = centers[n, 1]
        st = start[n]
        w = width[n]
        for i in range(height[n]):
            dy = row0[n] + i - cy
            for j in range(w):
                dx = col0[n] + j - cx
                if method == EXACT:
                    value = exact_overlap(dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5, r_out)
                    if r_in > 0.0:
                        value -= exact_overlap(dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5, r_in)
                elif method == CENTER:
                    d2 = dx * dx + dy * dy
                    value = 1.0 if (d2 < r_out * r_out and d2 >= r_in * r_in) else 0.0
                else:
                    inside = 0
                    for a in range(subpixels):
                        sy = dy - 0.5 + (a + 0.5) / subpixels
                        for b in range(subpixels):
                            sx = dx - 0.5 + (b + 0.5) / subpixels
                            d2 = sx * sx + sy * sy
                            if d2 < r_out * r_out and d2 >= r_in * r_in:
                                inside += 1
                    value = inside / (subpixels * subpixels)
                weights[st + i * w + j] = value


@kernel
def sum_apertures(stack, t0, t1, n0, n1, row0, col0, height, width, start, weights, omit_nan, sums, areas):
    """Weighted sums and covered areas for frames t0..t1-1 and apertures n0..n1-1 (parts inside the image)."""
    n_rows, n_cols = stack.shape[1], stack.shape[2]
    for t in range(t0, t1):
        frame = stack[t]
        for n in range(n0, n1):
            r0 = row0[n]
            c0 = col0[n]
            w = width[n]
            st = start[n]
            acc = 0.0
            area = 0.0
            for i in range(max(0, -r0), min(height[n], n_rows - r0)):
                base = st + i * w
                for j in range(max(0, -c0), min(w, n_cols - c0)):
                    wt = weights[base + j]
                    if wt == 0.0:
                        continue
                    v = np.float64(frame[r0 + i, c0 + j])
                    if omit_nan and v != v:
                        continue
                    acc += wt * v
                    area += wt
            sums[t, n] = acc
            areas[t, n] = area


@kernel
def annulus_medians(stack, t0, t1, n0, n1, row0, col0, height, width, start, weights, out):
    """Median of the finite pixels with weight 1 (centre rule) of each annulus; NaN when there are none."""
    n_rows, n_cols = stack.shape[1], stack.shape[2]
    biggest = 0
    for n in range(n0, n1):
        biggest = max(biggest, height[n] * width[n])
    buffer = np.empty(biggest)
    for t in range(t0, t1):
        frame = stack[t]
        for n in range(n0, n1):
            r0 = row0[n]
            c0 = col0[n]
            w = width[n]
            st = start[n]
            k = 0
            for i in range(max(0, -r0), min(height[n], n_rows - r0)):
                base = st + i * w
                for j in range(max(0, -c0), min(w, n_cols - c0)):
                    if weights[base + j] == 1.0:
                        v = np.float64(frame[r0 + i, c0 + j])
                        if v == v:
                            buffer[k] = v
                            k += 1
            out[t, n] = np.median(buffer[:k]) if k > 0 else np.nan
