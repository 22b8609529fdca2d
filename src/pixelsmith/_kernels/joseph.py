"""Joseph's projector: along each ray's major axis, one bilinear sample per volume plane crossed.

A ray whose index-space direction changes axis m the most crosses every
plane m = i once; there the volume is read bilinearly in the plane (four
voxels, float32 lerps, edges clamped). Along m the integrand is taken as the
piecewise-linear curve through those plane values (constant beyond the first
and last planes, as the clamped trilinear volume is), and integrated exactly
over the part of the ray inside the volume's box: every plane fully inside
weighs 1, the partial intervals at both ends are trapezoids. A uniform volume
therefore gives the exact chord length, and the samples are exact along m
(no interpolation between planes).

Plane values are float32 like the volume and summed in float64.
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel
from .drr import as_mu, clip, inside  # inside: the same sample-range test as trilinear's, on planes

# a ray's float parameters: in-plane positions c + i k on the two other axes, the box extent [lo, hi]
# along the major axis, and the parameter t per plane; its int parameters: the major axis, the planes
# i0..i1 (inclusive) inside the box, and the planes u0..u1 (exclusive) needing no clamps
CA, KA, CB, KB, LO, HI, SCALE = range(7)
MAJOR, I0, I1, U0, U1 = range(5)


@kernel(inline=True)
def _plane_value(flat, to_mu, sm, sa, sb, na, nb, i, pa, pb):
    """Bilinear value in plane i at in-plane position (pa, pb), clamped to the plane's edge voxels."""
    pa = min(max(pa, 0.0), na - 1.0)
    pb = min(max(pb, 0.0), nb - 1.0)
    ia = min(int(pa), na - 2) if na > 1 else 0
    ib = min(int(pb), nb - 2) if nb > 1 else 0
    da = sa if na > 1 else 0
    db = sb if nb > 1 else 0
    fa = np.float32(pa - ia)
    fb = np.float32(pb - ib)
    base = np.uint64(i * sm + ia * sa + ib * sb)
    v00 = as_mu(flat[base], to_mu)
    v01 = as_mu(flat[base + np.uint64(db)], to_mu)
    v10 = as_mu(flat[base + np.uint64(da)], to_mu)
    v11 = as_mu(flat[base + np.uint64(da + db)], to_mu)
    e0 = v00 + fb * (v01 - v00)
    e1 = v10 + fb * (v11 - v10)
    return e0 + fa * (e1 - e0)


@kernel(inline=True)
def _inner_value(flat, to_mu, sm, sa, sb, i, pa, pb):
    """`_plane_value` for a position known to lie inside [0, n - 1) on both axes: no clamps."""
    ia = int(pa)
    ib = int(pb)
    fa = np.float32(pa - ia)
    fb = np.float32(pb - ib)
    base = np.uint64(i * sm + ia * sa + ib * sb)
    v00 = as_mu(flat[base], to_mu)
    v01 = as_mu(flat[base + np.uint64(sb)], to_mu)
    v10 = as_mu(flat[base + np.uint64(sa)], to_mu)
    v11 = as_mu(flat[base + np.uint64(sa + sb)], to_mu)
    e0 = v00 + fb * (v01 - v00)
    e1 = v10 + fb * (v11 - v10)
    return e0 + fa * (e1 - e0)


@kernel(inline=True)
def _axes(shape, m):
    """(sm, sa, sb, na, nb): the flat strides of the major axis and the two in-plane axes, and their sizes."""
    if m == 0:
        return shape[1] * shape[2], shape[2], 1, shape[1], shape[2]
    if m == 1:
        return shape[2], shape[1] * shape[2], 1, shape[0], shape[2]
    return 1, shape[1] * shape[2], shape[2], shape[0], shape[1]


@kernel(inline=True)
def ray_setup(shape, a, b, fp, ip, j):
    """Joseph parameters of the segment a -> b (index space) into fp[:, j] and ip[:, j]; False: a miss."""
    t_in, t_out = clip(a, b, shape)
    if t_in >= t_out:
        return False
    d0, d1, d2 = abs(b[0] - a[0]), abs(b[1] - a[1]), abs(b[2] - a[2])
    if d0 >= d1 and d0 >= d2:
        m, ax, bx = 0, 1, 2
    elif d1 >= d2:
        m, ax, bx = 1, 0, 2
    else:
        m, ax, bx = 2, 0, 1
    dm = b[m] - a[m]
    ka = (b[ax] - a[ax]) / dm
    kb = (b[bx] - a[bx]) / dm
    ca = a[ax] - a[m] * ka
    cb = a[bx] - a[m] * kb
    lo = a[m] + t_in * dm
    hi = a[m] + t_out * dm
    if lo > hi:
        lo, hi = hi, lo
    i0 = int(math.ceil(lo))
    i1 = int(math.floor(hi))
    u0, u1 = inside(ca, ka, shape[ax], i0, i1 + 1)
    v0, v1 = inside(cb, kb, shape[bx], i0, i1 + 1)
    fp[CA, j], fp[KA, j], fp[CB, j], fp[KB, j] = ca, ka, cb, kb
    fp[LO, j], fp[HI, j], fp[SCALE, j] = lo, hi, 1.0 / abs(dm)
    ip[MAJOR, j], ip[I0, j], ip[I1, j] = m, i0, i1
    first_inner = min(max(u0, v0), i1 + 1)  # within i0..i1 + 1 even when no plane is inside
    ip[U0, j], ip[U1, j] = first_inner, max(first_inner, min(u1, v1, i1 + 1))
    return True


@kernel(inline=True)
def _node(flat, to_mu, shape, fp, ip, j, i):
    """The plane value G(i) of ray j, the plane index clamped to the volume (constant beyond its faces)."""
    sm, sa, sb, na, nb = _axes(shape, ip[MAJOR, j])
    i = min(max(i, 0), shape[ip[MAJOR, j]] - 1)
    return _plane_value(flat, to_mu, sm, sa, sb, na, nb, i, fp[CA, j] + i * fp[KA, j], fp[CB, j] + i * fp[KB, j])


# The float64 sum of a ray's plane values may be reassociated, so LLVM vectorises the loop with gathers
# (1.3x); the order changes the result by rounding only (~1e-15 relative), and a ray's value depends on
# the ray alone (not on the tile it is rendered in). Contraction may fuse the position c + i k into one
# FMA; the plane value is continuous, so that moves the result by rounding only too.
_SUM_MATH = {"contract", "reassoc"}


@kernel(fastmath=_SUM_MATH)
def _clamped_sum(flat, to_mu, sm, sa, sb, na, nb, ca, ka, cb, kb, i_from, i_to, total):
    for i in range(i_from, i_to):
        total += _plane_value(flat, to_mu, sm, sa, sb, na, nb, i, ca + i * ka, cb + i * kb)
    return total


@kernel(fastmath=_SUM_MATH)
def _inner_sum(flat, to_mu, sm, sa, sb, ca, ka, cb, kb, i_from, i_to, total):
    for i in range(i_from, i_to):
        total += _inner_value(flat, to_mu, sm, sa, sb, i, ca + i * ka, cb + i * kb)
    return total


@kernel
def planes_sum(flat, to_mu, shape, fp, ip, j):
    """The sum of ray j's plane values G(i0) .. G(i1): clamped near the volume's faces, unclamped inside."""
    sm, sa, sb, na, nb = _axes(shape, ip[MAJOR, j])
    ca, ka, cb, kb = fp[CA, j], fp[KA, j], fp[CB, j], fp[KB, j]
    i0, i1, u0, u1 = ip[I0, j], ip[I1, j] + 1, ip[U0, j], ip[U1, j]
    total = _clamped_sum(flat, to_mu, sm, sa, sb, na, nb, ca, ka, cb, kb, i0, u0, 0.0)
    total = _inner_sum(flat, to_mu, sm, sa, sb, ca, ka, cb, kb, u0, u1, total)
    return _clamped_sum(flat, to_mu, sm, sa, sb, na, nb, ca, ka, cb, kb, max(u0, u1), i1, total)


@kernel
def finish(flat, to_mu, shape, fp, ip, j, total):
    """Ray j's integral (parameter-t units) from the sum of its plane values i0..i1: the end trapezoids."""
    lo, hi = fp[LO, j], fp[HI, j]
    i0, i1 = ip[I0, j], ip[I1, j]
    if i0 > i1:  # between two planes: the linear curve at the midpoint
        below = i1
        g0 = _node(flat, to_mu, shape, fp, ip, j, below)
        g1 = _node(flat, to_mu, shape, fp, ip, j, below + 1)
        return (hi - lo) * (g0 + (0.5 * (lo + hi) - below) * (g1 - g0)) * fp[SCALE, j]
    first = _node(flat, to_mu, shape, fp, ip, j, i0)
    last = _node(flat, to_mu, shape, fp, ip, j, i1)
    before = _node(flat, to_mu, shape, fp, ip, j, i0 - 1)
    after = _node(flat, to_mu, shape, fp, ip, j, i1 + 1)
    head = i0 - lo  # the part of the interval (i0 - 1, i0) inside the box
    tail = hi - i1
    at_lo = first + head * (before - first)
    at_hi = last + tail * (after - last)
    ends = 0.5 * head * (at_lo + first) + 0.5 * tail * (last + at_hi) - 0.5 * (first + last)
    return (total + ends) * fp[SCALE, j]


@kernel
def joseph(mu, to_mu, a, b):
    """Joseph's integral of one segment a -> b (index space), in parameter-t units (times the length in mm
    gives mm x mu)."""
    fp = np.empty((7, 1))
    ip = np.empty((5, 1), np.int64)
    if not ray_setup(mu.shape, a, b, fp, ip, 0):
        return 0.0
    flat = mu.ravel()
    return finish(flat, to_mu, mu.shape, fp, ip, 0, planes_sum(flat, to_mu, mu.shape, fp, ip, 0))
