"""Ray casting through a voxel volume: exact Siddon/Jacobs path lengths, or trilinear sampling.

Everything happens in continuous voxel-index space (slice, row, col), where
voxel (k, i, j) covers [k - 0.5, k + 0.5] x [i - 0.5, i + 0.5] x [j - 0.5, j + 0.5];
the affine map from patient mm keeps the ray parameter t, so a parameter step
times the ray's length in mm is a length in mm, whatever the voxel shape.
A ray runs from `a` (t = 0) to `b` (t = 1).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

SIDDON, TRILINEAR = 0, 1


@njit(cache=True, nogil=True)
def _clip(a, b, shape):
    """Parameters (t_in, t_out) where the segment a->b is inside the volume's box; t_in >= t_out: a miss."""
    t_in = 0.0
    t_out = 1.0
    for ax in range(3):
        d = b[ax] - a[ax]
        lo = -0.5
        hi = shape[ax] - 0.5
        if d == 0.0:  # parallel to this axis: inside the slab or a miss
            if a[ax] < lo or a[ax] > hi:
                return 1.0, 0.0
            continue
        t0 = (lo - a[ax]) / d
        t1 = (hi - a[ax]) / d
        if t0 > t1:
            t0, t1 = t1, t0
        t_in = max(t_in, t0)
        t_out = min(t_out, t1)
    return t_in, t_out


@njit(cache=True, nogil=True)
def siddon(mu, a, b):
    """Sum over the voxels the segment crosses of mu times the parameter length inside each."""
    shape = mu.shape
    t_in, t_out = _clip(a, b, shape)
    if t_in >= t_out:
        return 0.0
    index = np.empty(3, np.int64)
    step = np.empty(3, np.int64)
    t_next = np.empty(3)
    dt = np.empty(3)
    t_mid = 0.5 * (t_in + min(t_out, t_in + 1e-9))
    for ax in range(3):
        d = b[ax] - a[ax]
        p = a[ax] + t_mid * d
        i = int(math.floor(p + 0.5))
        index[ax] = min(max(i, 0), shape[ax] - 1)
        if d > 0.0:
            step[ax] = 1
            t_next[ax] = (index[ax] + 0.5 - a[ax]) / d
            dt[ax] = 1.0 / d
        elif d < 0.0:
            step[ax] = -1
            t_next[ax] = (index[ax] - 0.5 - a[ax]) / d
            dt[ax] = -1.0 / d
        else:
            step[ax] = 0
            t_next[ax] = np.inf
            dt[ax] = np.inf
    total = 0.0
    t = t_in
    while t < t_out:
        ax = 0
        if t_next[1] < t_next[ax]:
            ax = 1
        if t_next[2] < t_next[ax]:
            ax = 2
        t_exit = min(t_next[ax], t_out)
        value = mu[index[0], index[1], index[2]]
        if value != 0.0:  # air costs nothing but the step
            total += value * (t_exit - t)
        t = t_exit
        index[ax] += step[ax]
        if index[ax] < 0 or index[ax] >= shape[ax]:
            break
        t_next[ax] += dt[ax]
    return total


@njit(cache=True, nogil=True, inline="always")
def _trilinear_at(mu, p0, p1, p2):
    n0, n1, n2 = mu.shape
    p0 = min(max(p0, 0.0), n0 - 1.0)
    p1 = min(max(p1, 0.0), n1 - 1.0)
    p2 = min(max(p2, 0.0), n2 - 1.0)
    i0 = min(int(p0), n0 - 2) if n0 > 1 else 0
    i1 = min(int(p1), n1 - 2) if n1 > 1 else 0
    i2 = min(int(p2), n2 - 2) if n2 > 1 else 0
    f0 = p0 - i0
    f1 = p1 - i1
    f2 = p2 - i2
    j0 = min(i0 + 1, n0 - 1)
    j1 = min(i1 + 1, n1 - 1)
    j2 = min(i2 + 1, n2 - 1)
    c00 = mu[i0, i1, i2] * (1 - f2) + mu[i0, i1, j2] * f2
    c01 = mu[i0, j1, i2] * (1 - f2) + mu[i0, j1, j2] * f2
    c10 = mu[j0, i1, i2] * (1 - f2) + mu[j0, i1, j2] * f2
    c11 = mu[j0, j1, i2] * (1 - f2) + mu[j0, j1, j2] * f2
    return (c00 * (1 - f1) + c01 * f1) * (1 - f0) + (c10 * (1 - f1) + c11 * f1) * f0


@njit(cache=True, nogil=True)
def trilinear(mu, a, b, step):
    """Trapezoid rule over samples every `step` voxels (index space) of the clipped segment."""
    t_in, t_out = _clip(a, b, mu.shape)
    if t_in >= t_out:
        return 0.0
    length = math.sqrt((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2 + (b[2] - a[2]) ** 2) * (t_out - t_in)
    n = max(1, int(math.ceil(length / step)))
    dt = (t_out - t_in) / n
    total = 0.0
    for k in range(n + 1):
        t = t_in + k * dt
        w = 0.5 if (k == 0 or k == n) else 1.0
        total += w * _trilinear_at(mu, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2]))
    return total * dt


BLOCK = 8  # voxels per side of the empty-space blocks


@njit(cache=True, nogil=True)
def trilinear_skipping(mu, occupied, a, b, step):
    """`trilinear` for volumes >= 2 voxels per axis, jumping over blocks where every sample is 0.

    `occupied[bk, bi, bj]` is False only when the voxels of cells in that block,
    and the next voxel along each axis, are all 0: samples there add exactly 0,
    so skipping them changes nothing. The cell's 8 corners are kept between
    samples (half-voxel steps mostly stay in the same cell).
    """
    n0, n1, n2 = mu.shape
    t_in, t_out = _clip(a, b, mu.shape)
    if t_in >= t_out:
        return 0.0
    d0, d1, d2 = b[0] - a[0], b[1] - a[1], b[2] - a[2]
    n = max(1, int(math.ceil(math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) * (t_out - t_in) / step)))
    dt = (t_out - t_in) / n
    q0 = q1 = q2 = -1
    c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = 0.0
    total = 0.0
    k = 0
    while k <= n:
        t = t_in + k * dt
        x0 = min(max(a[0] + t * d0, 0.0), n0 - 1.0)
        x1 = min(max(a[1] + t * d1, 0.0), n1 - 1.0)
        x2 = min(max(a[2] + t * d2, 0.0), n2 - 1.0)
        i0 = min(int(x0), n0 - 2)
        i1 = min(int(x1), n1 - 2)
        i2 = min(int(x2), n2 - 2)
        if not occupied[i0 // BLOCK, i1 // BLOCK, i2 // BLOCK]:
            # the first sample index past the block, along whichever axis leaves it first
            leave = np.inf
            for lo_cell, x, dd in ((i0 - i0 % BLOCK, a[0], d0), (i1 - i1 % BLOCK, a[1], d1),
                                   (i2 - i2 % BLOCK, a[2], d2)):
                if dd > 0:
                    leave = min(leave, (lo_cell + BLOCK - x) / dd)
                elif dd < 0:
                    leave = min(leave, (lo_cell - x) / dd)
            k_next = int(math.ceil((leave - t_in) / dt)) if leave < np.inf else n + 1
            k = max(k_next, k + 1)
            continue
        if i0 != q0 or i1 != q1 or i2 != q2:
            q0, q1, q2 = i0, i1, i2
            c0 = mu[i0, i1, i2]
            c1 = mu[i0, i1, i2 + 1]
            c2 = mu[i0, i1 + 1, i2]
            c3 = mu[i0, i1 + 1, i2 + 1]
            c4 = mu[i0 + 1, i1, i2]
            c5 = mu[i0 + 1, i1, i2 + 1]
            c6 = mu[i0 + 1, i1 + 1, i2]
            c7 = mu[i0 + 1, i1 + 1, i2 + 1]
        f0 = x0 - i0
        f1 = x1 - i1
        f2 = x2 - i2
        e00 = c0 + f2 * (c1 - c0)
        e01 = c2 + f2 * (c3 - c2)
        e10 = c4 + f2 * (c5 - c4)
        e11 = c6 + f2 * (c7 - c6)
        low = e00 + f1 * (e01 - e00)
        value = low + f0 * ((e10 + f1 * (e11 - e10)) - low)
        total += (0.5 if (k == 0 or k == n) else 1.0) * value
        k += 1
    return total * dt


@njit(cache=True, nogil=True)
def render_rows(mu, occupied, to_index, source_w, center_w, u_w, v_w, rows_total, cols_total, row0, row1,
                parallel, direction_w, reach, method, step, supersample, out):
    """Effective line integrals (mm^-1 x mm) for detector rows row0..row1-1 into out[row - row0, :].

    World geometry is mapped to index space with the 3 x 4 matrix `to_index`.
    Cone beam: every ray from the source to a point of the pixel. Parallel:
    rays along `direction_w` through the pixel, `reach` mm to each side.
    With supersampling, k x k sub-rays per pixel; their intensities are averaged
    (exp(-L)) and the result is returned as -log(mean).
    """
    skipping = occupied.shape[0] > 0  # empty for volumes only 1 voxel thick along an axis
    a = np.empty(3)
    b = np.empty(3)
    world_a = np.empty(3)
    world_b = np.empty(3)
    k = supersample
    for r in range(row0, row1):
        for c in range(cols_total):
            acc = 0.0
            first = 0.0
            for sa in range(k):
                for sb in range(k):
                    dr = r - (rows_total - 1) / 2.0 + (sa + 0.5) / k - 0.5
                    dc = c - (cols_total - 1) / 2.0 + (sb + 0.5) / k - 0.5
                    for ax in range(3):
                        pixel = center_w[ax] + dc * u_w[ax] + dr * v_w[ax]
                        if parallel:
                            world_a[ax] = pixel - reach * direction_w[ax]
                            world_b[ax] = pixel + reach * direction_w[ax]
                        else:
                            world_a[ax] = source_w[ax]
                            world_b[ax] = pixel
                    length = math.sqrt((world_b[0] - world_a[0]) ** 2 + (world_b[1] - world_a[1]) ** 2
                                       + (world_b[2] - world_a[2]) ** 2)
                    for ax in range(3):
                        a[ax] = to_index[ax, 0] * world_a[0] + to_index[ax, 1] * world_a[1] \
                            + to_index[ax, 2] * world_a[2] + to_index[ax, 3]
                        b[ax] = to_index[ax, 0] * world_b[0] + to_index[ax, 1] * world_b[1] \
                            + to_index[ax, 2] * world_b[2] + to_index[ax, 3]
                    if method == SIDDON:
                        value = siddon(mu, a, b) * length
                    elif skipping:
                        value = trilinear_skipping(mu, occupied, a, b, step) * length
                    else:
                        value = trilinear(mu, a, b, step) * length
                    if k == 1:
                        first = value
                    else:
                        acc += math.exp(-value)
            out[r - row0, c] = first if k == 1 else -math.log(acc / (k * k))
