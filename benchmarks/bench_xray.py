"""DRR speed: 512 x 512 detector, 512 x 512 x 300 volume, every method, warm, all threads.

Reports seconds, rays/s and voxel samples/s (trilinear: trapezoid samples on the
clipped rays, skipped air included; Siddon: voxels crossed, counted from the face
crossings of every ray) beside the machine's memory bandwidth (a large numpy
copy), and beside the naive answers: the sum along an array axis (parallel,
axis-aligned only) and a numpy ray marcher (map_coordinates along every ray,
timed on a band of rows and extrapolated).
Error: max |difference| of the line integrals from Siddon's exact values.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.ndimage import map_coordinates

sys.path.insert(0, str(Path(__file__).parent))
from _common import Table, best_time  # noqa: E402
from pixelsmith.xray import Geometry, drr, phantom  # noqa: E402


def bandwidth_gb_s() -> float:
    a = np.ones(2**27)  # 1 GiB
    b = np.empty_like(a)
    t, _ = best_time(lambda: np.copyto(b, a), repeat=3)
    return 2 * a.nbytes / t / 1e9


def numpy_marcher(volume, geometry, rows, step=0.5):
    """The straightforward answer: sample every ray with map_coordinates at `step` voxels."""
    to_index = np.linalg.inv(volume.affine)
    det = geometry.detector
    pixels = det.pixel_centers(rows=rows).reshape(-1, 3)
    src = to_index[:3, :3] @ geometry.source + to_index[:3, 3]
    ends = pixels @ to_index[:3, :3].T + to_index[:3, 3]
    lengths = np.linalg.norm(ends - src, axis=1)
    n = int(np.ceil(lengths.max() / step))
    t = np.linspace(0, 1, n + 1)
    out = np.empty(len(pixels))
    for k in range(len(pixels)):
        points = src[:, None] + (ends[k] - src)[:, None] * t[None, :]
        values = map_coordinates(volume.data, points, order=1, mode="constant")
        out[k] = np.trapezoid(values, dx=1.0 / n) * np.linalg.norm(pixels[k] - geometry.source)
    return out.reshape(-1, det.shape[1])


def ray_counts(volume, geometry, step=0.5):
    """(trilinear samples, Siddon voxels crossed) summed over every ray, computed in index space with numpy."""
    to_index = np.linalg.inv(volume.affine)
    a = to_index[:3, :3] @ geometry.source + to_index[:3, 3]
    b = geometry.detector.pixel_centers().reshape(-1, 3) @ to_index[:3, :3].T + to_index[:3, 3]
    d = b - a
    size = np.asarray(volume.shape, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t0, t1 = (-0.5 - a) / d, (size - 0.5 - a) / d
    t_in = np.clip(np.nanmax(np.minimum(t0, t1), axis=1), 0, 1)
    t_out = np.clip(np.nanmin(np.maximum(t0, t1), axis=1), 0, 1)
    hit = t_out > t_in
    length = np.linalg.norm(d, axis=1) * (t_out - t_in)
    samples = np.sum(np.maximum(1, np.ceil(length[hit] / step)) + 1)
    enter = a + t_in[:, None] * d
    leave = a + t_out[:, None] * d
    crossed = np.abs(np.floor(leave + 0.5) - np.floor(enter + 0.5)).sum(axis=1) + 1
    return float(samples), float(crossed[hit].sum())


def main():
    table = Table("bench_xray")
    table.start()
    t0 = time.perf_counter()
    volume = phantom((300, 512, 512), (1.0, 0.6, 0.6), oversample=1)
    print(f"# phantom voxelised in {time.perf_counter() - t0:.1f} s; memory bandwidth ~{bandwidth_gb_s():.1f} GB/s")
    geometry = Geometry.c_arm(volume, sid=700, sdd=1100, angle=20, shape=(512, 512), pixel_spacing=0.9)
    rays = 512 * 512
    samples, crossed = ray_counts(volume, geometry)
    t_siddon, exact = best_time(lambda: drr(volume, geometry, output="line_integral", method="siddon"), repeat=2)
    t_tri, tri = best_time(lambda: drr(volume, geometry, output="line_integral", method="trilinear"), repeat=2)
    table.add(
        "drr siddon",
        "512^2 from 512^2x300",
        t_siddon,
        "sum along an axis (AP only)",
        0.0,
        0.0,
        note=f"{rays / t_siddon / 1e6:.2f} M rays/s, {crossed / t_siddon / 1e6:.0f} M voxels crossed/s",
    )
    err = float(np.abs(tri - exact).max())
    t_sum, _ = best_time(lambda: volume.data.sum(axis=1), repeat=2)
    table.add(
        "drr trilinear step 0.5",
        "512^2 from 512^2x300",
        t_tri,
        "sum along an axis (AP only)",
        t_sum,
        err,
        note=f"{rays / t_tri / 1e6:.2f} M rays/s, {samples / t_tri / 1e6:.0f} M samples/s "
        f"({samples / 1e6:.0f} M samples, air blocks skipped)",
    )
    t_joseph, joseph = best_time(lambda: drr(volume, geometry, output="line_integral"), repeat=2)
    table.add(
        "drr joseph (default)",
        "512^2 from 512^2x300",
        t_joseph,
        "drr trilinear step 0.5",
        t_tri,
        float(np.abs(joseph - exact).max()),
        note=f"{rays / t_joseph / 1e6:.2f} M rays/s; error vs Siddon's exact values (trilinear: {err:.2e})",
    )
    band = slice(256, 258)
    t0 = time.perf_counter()
    slow = numpy_marcher(volume, geometry, band)
    t_band = time.perf_counter() - t0
    t_numpy = t_band * 512 / 2
    table.add(
        "drr trilinear step 0.5",
        "512^2 from 512^2x300",
        t_tri,
        "numpy map_coordinates marcher",
        t_numpy,
        float(np.abs(slow - tri[band]).max()),
        note="timed on 2 rows, extrapolated to 512",
    )
    table.save()


if __name__ == "__main__":
    main()
