"""Stamp rendering kernels: resample a small array at a sub-pixel offset and add it to a frame.

Everything works on 3-D arrays; a 2-D stamp is a ``(1, h, w)`` view whose first
axis uses the identity interpolation (order code 0, zoom 1, centre 0), so one
kernel serves 2-D and 3-D. Interpolation codes per axis: 0 nearest, 1 linear,
3 cubic B-spline (on prefiltered coefficients), 5 Lanczos-3 (normalised taps).

Coordinates: the stamp is given as `coef`, its samples (or spline coefficients)
padded by `pad` elements on each side, so stamp index ``s`` lives at coef index
``s + pad``. A frame pixel ``p`` maps to stamp index ``s = sc + M (p - c)``
with ``M`` the inverse of the stamp-to-frame matrix.
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel

NEAREST, LINEAR, CUBIC, LANCZOS3 = 0, 1, 3, 5


@kernel
def n_taps(order):
    if order == NEAREST:
        return 1
    if order == LINEAR:
        return 2
    if order == CUBIC:
        return 4
    return 6


@kernel
def support_radius(order):
    """How far beyond the first/last sample (in stamp pixels) the interpolant is kept."""
    if order == NEAREST:
        return 0.5
    if order == LINEAR:
        return 1.0
    if order == CUBIC:
        return 2.0
    return 3.0


@kernel
def _sinc(x):
    if x == 0.0:
        return 1.0
    px = math.pi * x
    return math.sin(px) / px


@kernel
def tap_weights(order, x, ncoef, w):
    """Weights of the taps for coef coordinate `x`; returns the first tap's index.

    The wrapper pads the stamp so that every tap of a position inside the
    support lies in ``0..ncoef-1``; inner loops therefore read without checks.
    """
    i = math.floor(x)
    t = x - i
    if order == NEAREST:
        first = int(math.floor(x + 0.5))
        w[0] = 1.0
    elif order == LINEAR:
        first = int(i)
        w[0] = 1.0 - t
        w[1] = t
    elif order == CUBIC:
        first = int(i) - 1
        u = 1.0 - t
        t2 = t * t
        w[0] = u * u * u / 6.0
        w[1] = (3.0 * t2 * t - 6.0 * t2 + 4.0) / 6.0
        w[2] = (-3.0 * t2 * t + 3.0 * t2 + 3.0 * t + 1.0) / 6.0
        w[3] = t2 * t / 6.0
    else:
        first = int(i) - 2
        total = 0.0
        for j in range(6):
            d = x - (first + j)
            v = _sinc(d) * _sinc(d / 3.0) if abs(d) < 3.0 else 0.0
            w[j] = v
            total += v
        for j in range(6):
            w[j] /= total
    if first < 0 or first + n_taps(order) > ncoef:
        # unreachable with the wrapper's padding; kept so a bad call reads zeros, never out of bounds
        first = 0
        for j in range(n_taps(order)):
            w[j] = 0.0
    return first


@kernel
def _axis_table(order, x0, step, n_out, ncoef):
    """Tap index and weights for every output position ``x0 + step * k`` along one axis."""
    taps = n_taps(order)
    first = np.empty(n_out, np.int64)
    weights = np.zeros((n_out, taps))
    for k in range(n_out):
        first[k] = tap_weights(order, x0 + step * k, ncoef, weights[k])
    return first, weights


@kernel
def _separable_box(coef, orders, lo, shape, x0, step):
    """Resample `coef` on the output box: along each axis ``x = x0 + step * k``."""
    fa, wa = _axis_table(orders[0], x0[0], step[0], shape[0], coef.shape[0])
    fb, wb = _axis_table(orders[1], x0[1], step[1], shape[1], coef.shape[1])
    fc, wc = _axis_table(orders[2], x0[2], step[2], shape[2], coef.shape[2])
    ta, tb, tc = wa.shape[1], wb.shape[1], wc.shape[1]
    # coef ranges the box touches along axes a and b (clipped to the array)
    a0 = max(fa[0], 0)
    a1 = min(fa[shape[0] - 1] + ta, coef.shape[0])
    b0 = max(fb[0], 0)
    b1 = min(fb[shape[1] - 1] + tb, coef.shape[1])
    na = max(a1 - a0, 0)
    nb = max(b1 - b0, 0)
    # pass 1: along the last axis
    t1 = np.zeros((na, nb, shape[2]))
    for i in range(na):
        for j in range(nb):
            row = coef[a0 + i, b0 + j]
            for k in range(shape[2]):
                acc = 0.0
                f = fc[k]
                for q in range(tc):
                    acc += wc[k, q] * row[f + q]
                t1[i, j, k] = acc
    # pass 2: along the middle axis
    t2 = np.zeros((na, shape[1], shape[2]))
    for i in range(na):
        for j in range(shape[1]):
            f = fb[j] - b0
            for q in range(tb):
                wq = wb[j, q]
                for k in range(shape[2]):
                    t2[i, j, k] += wq * t1[i, f + q, k]
    # pass 3: along the first axis
    out = np.zeros((shape[0], shape[1], shape[2]))
    for i in range(shape[0]):
        f = fa[i] - a0
        for q in range(ta):
            wq = wa[i, q]
            for j in range(shape[1]):
                for k in range(shape[2]):
                    out[i, j, k] += wq * t2[f + q, j, k]
    return out


@kernel
def _shifted_box_2d(plane, order, shape, x0, t1, out):
    """A pure translation of a 2-D stamp: the same taps for every output row and column.

    Same numbers as `_separable_box` with unit steps, in two short convolutions
    that the compiler vectorizes, into ``out[0, :h, :w]`` through ``t1``: scratch
    arrays the caller reuses for every stamp (large enough for any box).
    """
    taps = n_taps(order)
    wr = np.zeros(taps)
    wc = np.zeros(taps)
    fr = tap_weights(order, x0[1], plane.shape[0], wr)
    fc = tap_weights(order, x0[2], plane.shape[1], wc)
    h, w = shape[1], shape[2]
    rows = h + taps - 1
    if taps == 4:  # cubic, written out so that the loop over k vectorizes: the same sums in the same order
        c0, c1, c2, c3 = wc[0], wc[1], wc[2], wc[3]
        for i in range(rows):
            src = plane[fr + i, fc : fc + w + 3]
            dst = t1[i]
            for k in range(w):
                acc = 0.0
                acc += c0 * src[k]
                acc += c1 * src[k + 1]
                acc += c2 * src[k + 2]
                acc += c3 * src[k + 3]
                dst[k] = acc
        r0, r1, r2, r3 = wr[0], wr[1], wr[2], wr[3]
        for i in range(h):
            dst = out[0, i]
            a, b, c, d = t1[i], t1[i + 1], t1[i + 2], t1[i + 3]
            for k in range(w):
                acc = 0.0
                acc += r0 * a[k]
                acc += r1 * b[k]
                acc += r2 * c[k]
                acc += r3 * d[k]
                dst[k] = acc
        return out
    for i in range(rows):
        src = plane[fr + i]
        dst = t1[i]
        for k in range(w):
            dst[k] = 0.0
        for q in range(taps):
            wq = wc[q]
            for k in range(w):
                dst[k] += wq * src[fc + q + k]
    for i in range(h):
        dst = out[0, i]
        for k in range(w):
            dst[k] = 0.0
        for q in range(taps):
            wq = wr[q]
            src = t1[i + q]
            for k in range(w):
                dst[k] += wq * src[k]
    return out


@kernel
def _affine_box_2d(coef, order, lo, shape, center, stamp_center, minv, pad, n_stamp, radius):
    """Resample a 2-D stamp (coef[0]) under a general 2x2 map on the output box."""
    taps = n_taps(order)
    wr = np.zeros(taps)
    wc = np.zeros(taps)
    plane = coef[0]
    out = np.zeros((1, shape[1], shape[2]))
    for i in range(shape[1]):
        dr = lo[1] + i - center[1]
        for j in range(shape[2]):
            dc = lo[2] + j - center[2]
            sr = stamp_center[1] + minv[1, 1] * dr + minv[1, 2] * dc
            sc = stamp_center[2] + minv[2, 1] * dr + minv[2, 2] * dc
            if sr < -radius or sr > n_stamp[1] - 1 + radius or sc < -radius or sc > n_stamp[2] - 1 + radius:
                continue
            fr = tap_weights(order, sr + pad[1], plane.shape[0], wr)
            fc = tap_weights(order, sc + pad[2], plane.shape[1], wc)
            acc = 0.0
            for p in range(taps):
                inner = 0.0
                for q in range(taps):
                    inner += wc[q] * plane[fr + p, fc + q]
                acc += wr[p] * inner
            out[0, i, j] = acc
    return out


@kernel
def _box_bounds(center, stamp_center, amat, radius, n_stamp, lo, hi):
    """Integer frame box (inclusive) that holds the stamp's support after the map `amat`.

    The support spans stamp indices ``-radius .. n - 1 + radius`` per axis.
    """
    for d in range(3):
        # the extreme of sum_e amat[d, e] * offs[e] over the corners, axis by axis
        low = center[d]
        high = center[d]
        for e in range(3):
            a = amat[d, e] * (-radius[e] - stamp_center[e])
            b = amat[d, e] * (n_stamp[e] - 1 + radius[e] - stamp_center[e])
            low += min(a, b)
            high += max(a, b)
        # a hair of tolerance so exact boundary positions round the same way on every stamp
        lo[d] = int(math.ceil(low - 1e-9))
        hi[d] = int(math.floor(high + 1e-9))


@kernel
def _is_grid_aligned(center, stamp_center, separable, zoom):
    if not separable:
        return False
    for d in range(3):
        if zoom[d] != 1.0:
            return False
        off = center[d] - stamp_center[d]
        if off != math.floor(off):
            return False
    return True


@kernel
def add_stamps_clipped(
    frame,
    samples,
    coef,
    pad,
    orders,
    radius,
    stamp_center,
    amat,
    minv,
    separable,
    centers,
    weights,
    preserve,
    stamp_sum,
    jacobian,
    clip_lo,
    clip_hi,
):
    """Add every stamp whose box meets the clip window ``clip_lo..clip_hi-1``, in input order.

    `samples` is the zero-padded stamp (grid-aligned placements add it directly,
    bit-exact); `coef` is what the interpolation reads (spline coefficients for
    cubic). Flux: with `preserve`, each placement is scaled so its unclipped box
    sums to ``stamp_sum`` (falling back to `jacobian` when that sum vanishes).
    Returns the number of stamps that touched the window.
    """
    n_stamp = np.empty(3, np.int64)
    zoom = np.empty(3)
    for d in range(3):
        n_stamp[d] = samples.shape[d] - 2 * pad[d]
        zoom[d] = amat[d, d]
    lo = np.empty(3, np.int64)
    hi = np.empty(3, np.int64)
    # scratch of the pure translations, reused by every stamp: no allocation per placement
    box_rows = n_stamp[1] + 2 * int(math.ceil(radius[1])) + 2
    box_cols = n_stamp[2] + 2 * int(math.ceil(radius[2])) + 2
    rows_scratch = np.empty((box_rows + 6, box_cols))
    box_scratch = np.empty((1, box_rows, box_cols))
    touched = 0
    for n in range(centers.shape[0]):
        center = centers[n]
        _box_bounds(center, stamp_center, amat, radius, n_stamp, lo, hi)
        outside = False
        for d in range(3):
            if hi[d] < clip_lo[d] or lo[d] >= clip_hi[d] or hi[d] < lo[d]:
                outside = True
        if outside:
            continue
        touched += 1
        if _is_grid_aligned(center, stamp_center, separable, zoom):
            # the interpolant reproduces the samples at integer offsets: add them exactly
            box = np.empty(3, np.int64)
            for d in range(3):
                box[d] = int(center[d] - stamp_center[d])
            scale = weights[n]
            k0, k1 = max(box[2], clip_lo[2]), min(box[2] + n_stamp[2], clip_hi[2])
            for i in range(max(box[0], clip_lo[0]), min(box[0] + n_stamp[0], clip_hi[0])):
                for j in range(max(box[1], clip_lo[1]), min(box[1] + n_stamp[1], clip_hi[1])):
                    _add_row(
                        frame[i, j, k0:k1],
                        samples[i - box[0] + pad[0], j - box[1] + pad[1]],
                        k0 - box[2] + pad[2],
                        scale,
                    )
            continue
        shape = np.empty(3, np.int64)
        for d in range(3):
            shape[d] = hi[d] - lo[d] + 1
        if separable:
            x0 = np.empty(3)
            step = np.empty(3)
            for d in range(3):
                step[d] = minv[d, d]
                x0[d] = stamp_center[d] + step[d] * (lo[d] - center[d]) + pad[d]
            if (
                shape[0] == 1
                and step[1] == 1.0
                and step[2] == 1.0
                and orders[0] == NEAREST
                and shape[1] <= box_rows
                and shape[2] <= box_cols
            ):
                out = _shifted_box_2d(coef[0], orders[1], shape, x0, rows_scratch, box_scratch)
            else:
                out = _separable_box(coef, orders, lo, shape, x0, step)
        else:
            out = _affine_box_2d(coef, orders[1], lo, shape, center, stamp_center, minv, pad, n_stamp, radius[1])
        scale = weights[n]
        if preserve:
            total = 0.0
            magnitude = 0.0
            for i in range(shape[0]):  # the box only: `out` may be the larger scratch
                for j in range(shape[1]):
                    for k in range(shape[2]):
                        v = out[i, j, k]
                        total += v
                        magnitude += abs(v)
            if stamp_sum != 0.0 and abs(total) > 1e-12 * magnitude:
                scale *= stamp_sum / total
            else:
                scale *= jacobian
        k0, k1 = max(lo[2], clip_lo[2]), min(hi[2] + 1, clip_hi[2])
        for i in range(max(lo[0], clip_lo[0]), min(hi[0] + 1, clip_hi[0])):
            for j in range(max(lo[1], clip_lo[1]), min(hi[1] + 1, clip_hi[1])):
                _add_row(frame[i, j, k0:k1], out[i - lo[0], j - lo[1]], k0 - lo[2], scale)
    return touched


@kernel
def _add_row(target, source, offset, scale):
    """``target[k] += scale * source[offset + k]``: one row of a placement, a loop the compiler vectorizes."""
    for k in range(target.shape[0]):
        target[k] += scale * source[offset + k]
