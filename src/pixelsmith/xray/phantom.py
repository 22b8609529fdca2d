"""A 3-D Shepp-Logan-like head phantom: voxelised, with exact line integrals in closed form."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_positive_int
from ..volume import Volume

__all__ = ["phantom", "phantom_ellipsoids", "phantom_line_integrals"]

# (value, centre (x, y, z), semi-axes (a, b, c), rotation about z in degrees), in units of the
# half-extent of the volume along each axis; values add where ellipsoids overlap. The layout
# follows the 3-D Shepp-Logan head (Kak & Slaney's 2-D table extended to 3-D) with a thicker skull
# and no sub-voxel features, so that a voxelised copy at ~1.5 mm is a fair model of it; values
# are multiples of water's mu.
_TABLE = (
    (1.0, (0.0, 0.0, 0.0), (0.69, 0.92, 0.81), 0.0),
    (-0.8, (0.0, -0.0184, 0.0), (0.62, 0.83, 0.73), 0.0),
    (-0.2, (0.22, 0.0, 0.0), (0.11, 0.31, 0.22), -18.0),
    (-0.2, (-0.22, 0.0, 0.0), (0.16, 0.41, 0.28), 18.0),
    (0.2, (0.0, 0.35, -0.15), (0.21, 0.25, 0.41), 0.0),
    (0.2, (0.0, 0.1, 0.25), (0.07, 0.07, 0.07), 0.0),
    (0.2, (0.0, -0.12, 0.25), (0.07, 0.07, 0.07), 0.0),
    (0.2, (-0.1, -0.6, 0.0), (0.07, 0.05, 0.08), 0.0),
    (0.2, (0.0, -0.6, 0.0), (0.05, 0.05, 0.05), 0.0),
    (0.2, (0.1, -0.6, 0.0), (0.05, 0.07, 0.05), 0.0),
)
WATER_MU = 0.02  # per mm, close to water at 70 keV


def phantom_ellipsoids(shape: tuple[int, int, int], spacing: Any = (1.0, 1.0, 1.0)):
    """The phantom's ellipsoids in patient mm for a volume of `shape` and `spacing` centred at the origin.

    Parameters
    ----------
    shape : (int, int, int)
        Voxels along (slice, row, col); the phantom is scaled to fill it.
    spacing : sequence of 3 float, default (1.0, 1.0, 1.0)
        Millimetres between voxel centres.

    Returns
    -------
    list of tuple
        ``(mu per mm, centre (3,), rotation (3, 3), semi-axes (3,))`` per ellipsoid.

    Examples
    --------
    >>> parts = phantom_ellipsoids((64, 64, 64))
    >>> len(parts) > 5, parts[0][1].shape, parts[0][2].shape
    (True, (3,), (3, 3))
    """
    sp = np.asarray(spacing, dtype=np.float64)
    # patient half-extents along x (cols), y (rows), z (slices)
    half = np.array([shape[2] * sp[2], shape[1] * sp[1], shape[0] * sp[0]]) / 2
    out = []
    for value, centre, axes, angle in _TABLE:
        t = np.radians(angle)
        rotation = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
        out.append((value * WATER_MU, np.asarray(centre) * half, rotation, np.asarray(axes) * half))
    return out


_SLAB_VOXELS = 1 << 22  # voxels per slab of temporaries (32 MB of float64)


def phantom(
    shape: tuple[int, int, int] = (128, 128, 128), spacing: Any = (1.0, 1.0, 1.0), *, oversample: int = 2
) -> Volume:
    """The phantom voxelised into a `Volume` of linear attenuation per mm (units 'mu').

    Each voxel holds the phantom's mean over the voxel: exact along x (the
    chord of each ellipsoid through a row of voxels is solved in closed form)
    and sampled at ``oversample^2`` points across y and z. The work runs in
    slabs of slices, so temporaries stay small whatever the volume's size.
    Default orientation of `Volume.from_array`: slices along z, rows along y,
    columns along x, centred at the origin.

    Parameters
    ----------
    shape : (int, int, int), default (128, 128, 128)
        Voxels along (slice, row, col).
    spacing : sequence of 3 float, default (1.0, 1.0, 1.0)
        Millimetres between voxel centres along (slice, row, col).
    oversample : int, default 2
        Samples per voxel along y and z (``oversample^2`` per voxel).

    Returns
    -------
    Volume
        Linear attenuation per mm, float32, units 'mu'.

    Examples
    --------
    >>> vol = phantom((32, 32, 32), (2.0, 2.0, 2.0))
    >>> vol.units, vol.shape, round(float(vol.data.max()), 3)
    ('mu', (32, 32, 32), 0.02)
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3 or min(shape) < 2:
        raise PixelsmithValueError(f"`shape` must be three sizes >= 2, got {shape!r}")
    oversample = check_positive_int(oversample, "oversample")
    sp = np.asarray(spacing, dtype=np.float64)
    data = np.zeros(shape, np.float32)
    offsets = (np.arange(oversample) + 0.5) / oversample - 0.5
    middle = (np.asarray(shape) - 1) / 2
    for value, centre, rotation, axes in phantom_ellipsoids(shape, sp):
        # only the voxels of the ellipsoid's bounding box (patient x, y, z -> index col, row, slice)
        reach = np.abs(rotation) @ axes
        lo_xyz, hi_xyz = centre - reach, centre + reach
        lo = np.maximum(np.floor(np.array([lo_xyz[2], lo_xyz[1], lo_xyz[0]]) / sp + middle - 1), 0).astype(int)
        hi = np.minimum(
            np.ceil(np.array([hi_xyz[2], hi_xyz[1], hi_xyz[0]]) / sp + middle + 1), np.asarray(shape) - 1
        ).astype(int)
        x = (np.arange(lo[2], hi[2] + 1) - middle[2]) * sp[2]  # voxel centres along x
        rows = slice(lo[1], hi[1] + 1)
        cols = slice(lo[2], hi[2] + 1)
        slab = max(1, _SLAB_VOXELS // ((hi[1] - lo[1] + 1) * len(x)))
        for k0 in range(lo[0], hi[0] + 1, slab):
            k1 = min(k0 + slab, hi[0] + 1)
            k = np.arange(k0, k1) - middle[0]
            i = np.arange(lo[1], hi[1] + 1) - middle[1]
            covered = np.zeros((k1 - k0, len(i), len(x)))
            for oz in offsets:
                for oy in offsets:
                    left, right = _chord_in_x(
                        centre, rotation, axes, (k[:, None] + oz) * sp[0], (i[None, :] + oy) * sp[1]
                    )
                    # the length of [left, right] inside each voxel [x - dx/2, x + dx/2]
                    inside = np.minimum(right[..., None], x + sp[2] / 2) - np.maximum(left[..., None], x - sp[2] / 2)
                    covered += np.maximum(inside, 0.0)
            data[k0:k1, rows, cols] += (value / (sp[2] * oversample**2) * covered).astype(np.float32)
    return Volume.from_array(data, sp, units="mu")


def _chord_in_x(
    centre: np.ndarray, rotation: np.ndarray, axes: np.ndarray, z: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ends (left, right) of the ellipsoid's chord along x at each (z, y); left == right where it misses.

    The rotation is about z, so at fixed (y, z) the inside is one interval of x,
    the roots of a quadratic in ux = x - centre_x.
    """
    uy, uz = y - centre[1], z - centre[2]
    r = rotation
    qa = r[0, 0] ** 2 / axes[0] ** 2 + r[0, 1] ** 2 / axes[1] ** 2
    qb = (r[0, 0] * r[1, 0] / axes[0] ** 2 + r[0, 1] * r[1, 1] / axes[1] ** 2) * uy
    qc = (r[1, 0] ** 2 / axes[0] ** 2 + r[1, 1] ** 2 / axes[1] ** 2) * uy**2 + (uz / axes[2]) ** 2 - 1.0
    half = np.sqrt(np.maximum(qb * qb - qa * qc, 0.0)) / qa
    mid = centre[0] - qb / qa
    return mid - half, mid + half


def phantom_line_integrals(
    sources: Any, targets: Any, shape: tuple[int, int, int] = (128, 128, 128), spacing: Any = (1.0, 1.0, 1.0)
) -> np.ndarray:
    """Exact integrals of the phantom's mu along the segments sources[n] -> targets[n] (patient mm).

    Each ellipsoid contributes its value times the chord length of the segment
    inside it (a quadratic in the ray parameter, in the ellipsoid's unit-sphere frame).

    Parameters
    ----------
    sources, targets : array_like, shape (N, 3)
        Segment ends in patient mm.
    shape : (int, int, int), default (128, 128, 128)
        The phantom's volume, as for `phantom`.
    spacing : sequence of 3 float, default (1.0, 1.0, 1.0)
        Its voxel spacing in mm.

    Returns
    -------
    numpy.ndarray, shape (N,)
        Line integrals of mu (dimensionless).

    Examples
    --------
    >>> import numpy as np
    >>> line = phantom_line_integrals([[0.0, -500.0, 0.0]], [[0.0, 500.0, 0.0]], (64, 64, 64))
    >>> line.shape
    (1,)
    """
    a = np.atleast_2d(np.asarray(sources, dtype=np.float64))
    b = np.atleast_2d(np.asarray(targets, dtype=np.float64))
    if a.shape != b.shape or a.shape[-1] != 3:
        raise PixelsmithValueError(f"`sources` and `targets` must both be (N, 3), got {a.shape} and {b.shape}")
    total = np.zeros(len(a))
    d = b - a
    for value, centre, rotation, axes in phantom_ellipsoids(shape, spacing):
        p = ((a - centre) @ rotation) / axes
        q = (d @ rotation) / axes
        qq = (q * q).sum(axis=1)
        pq = (p * q).sum(axis=1)
        pp = (p * p).sum(axis=1)
        disc = pq * pq - qq * (pp - 1.0)
        hit = (disc > 0) & (qq > 0)
        root = np.sqrt(np.where(hit, disc, 0.0))
        t0 = np.clip((-pq - root) / np.where(hit, qq, 1.0), 0.0, 1.0)
        t1 = np.clip((-pq + root) / np.where(hit, qq, 1.0), 0.0, 1.0)
        total += np.where(hit, value * (t1 - t0) * np.linalg.norm(d, axis=1), 0.0)
    return total
