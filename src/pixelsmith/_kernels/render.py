"""Detector images: every pixel's ray through the volume, by any of the three projectors.

A call renders a band of detector rows; inside it, rays are taken in tiles
`TILE` columns wide, so neighbouring rays read neighbouring voxels while they
are in cache, and one call per band keeps the dispatch from Python small.
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel
from .drr import ray_ends, siddon, sub_ray_offset, trilinear, trilinear_skipping
from .joseph import finish, planes_sum, ray_setup

SIDDON, TRILINEAR, JOSEPH = 0, 1, 2
TILE = 16  # detector columns per tile


@kernel
def render_band(
    mu,
    to_mu,
    occupied,
    to_index,
    source_w,
    center_w,
    u_w,
    v_w,
    rows_total,
    cols_total,
    row0,
    row1,
    parallel,
    direction_w,
    reach,
    method,
    step,
    supersample,
    out,
):
    """Effective line integrals (mm^-1 x mm) of detector rows row0..row1-1 into out.

    Rays as in `drr.ray_ends`; the volume's values are read as mu through
    `to_mu` (`drr.as_mu`). `occupied`: the air-skipping block map for
    trilinear (empty: no skipping). With supersampling, k x k sub-rays per
    pixel; their intensities are averaged (exp(-L)) and the result is
    returned as -log(mean).
    """
    skipping = occupied.shape[0] > 0  # empty for volumes only 1 voxel thick along an axis
    flat = mu.ravel()
    shape = mu.shape
    a = np.empty(3)
    b = np.empty(3)
    fp = np.empty((7, 1))  # Joseph's per-ray parameters
    ip = np.empty((5, 1), np.int64)
    k = supersample
    for tile_col in range(0, cols_total, TILE):
        for r in range(row0, row1):
            for c in range(tile_col, min(tile_col + TILE, cols_total)):
                acc = 0.0
                value = 0.0
                for sa in range(k):
                    for sb in range(k):
                        dr, dc = sub_ray_offset(r, c, rows_total, cols_total, sa, sb, k)
                        length = ray_ends(
                            to_index, source_w, center_w, u_w, v_w, dr, dc, parallel, direction_w, reach, a, b
                        )
                        if method == JOSEPH:
                            value = 0.0
                            if ray_setup(shape, a, b, fp, ip, 0):
                                value = (
                                    finish(flat, to_mu, shape, fp, ip, 0, planes_sum(flat, to_mu, shape, fp, ip, 0))
                                    * length
                                )
                        elif method == SIDDON:
                            value = siddon(mu, to_mu, a, b) * length
                        elif skipping:
                            value = trilinear_skipping(mu, to_mu, occupied, a, b, step) * length
                        else:
                            value = trilinear(mu, to_mu, a, b, step) * length
                        if k > 1:
                            acc += math.exp(-value)
                out[r, c] = value if k == 1 else -math.log(acc / (k * k))
