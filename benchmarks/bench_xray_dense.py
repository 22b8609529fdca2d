"""DRR on a dense body-sized CT (issue 15): every view direction, against a plain numba marcher and ITK.

The volume is 300 x 512 x 512 float32 at 1 mm in which soft tissue fills most of
the field and a bone ellipsoid sits inside: little air for the block skipping
to remove (the phantom of bench_xray.py is mostly air). Detector 512 x 512.
Views: AP (rays along the row axis), lateral (along the contiguous column axis),
an oblique C-arm view (35 deg, tilt 20 deg) and rays along the slice axis.
Methods: the default 'joseph' (one bilinear sample per plane) and 'siddon' on
the CT in Hounsfield units, as a DICOM series gives it (issue 31: each voxel is
converted as it is read), and 'trilinear' (samples every 0.5 voxel, like the
marcher below) on mu. Every direction runs on all threads, then on one thread
(pixelsmith, the marcher and ITK alike): a ratio that holds on one thread holds
on a smaller machine.

Anchors, same data, same process, warm:
- a plain numba `prange` marcher written here: clip each ray to the box, then
  trilinear samples every 0.5 voxel, `fastmath=True`, no skipping;
- ITK's classic DRR (`RayCastInterpolateImageFunction` in a
  `ResampleImageFilter`), when `itk` is installed (`pip install -e ".[bench-itk]"`).

Each time is min / median / max of 5 runs; the table's ratio uses the minimum.
Max error: the largest |difference| of line integrals from Siddon's exact values,
relative to the largest line integral. GB/s: the volume read once plus the image written,
per second (a lower bound on what a view moves), beside the machine's copy bandwidth.
Also reported: a 36-view sweep in views/s.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np
from numba import njit, prange

sys.path.insert(0, str(Path(__file__).parent))
from _common import Table, threads  # noqa: E402
from pixelsmith.xray import Detector, Geometry, Volume, drr, drr_sweep  # noqa: E402

RUNS = 5


def dense_volume() -> Volume:
    slices, rows, cols = 300, 512, 512
    z, y, x = np.ogrid[:slices, :rows, :cols]
    body = (((y - 256) / 230.0) ** 2 + ((x - 256) / 250.0) ** 2 <= 1).astype(np.float32)
    mu = np.broadcast_to(np.float32(0.0002) + np.float32(0.0188) * body, (slices, rows, cols)).astype(np.float32)
    mu += np.random.default_rng(0).normal(0, 0.0005, size=mu.shape).astype(np.float32) * body
    mu[((z - 150) / 120.0) ** 2 + ((y - 280) / 60.0) ** 2 + ((x - 220) / 50.0) ** 2 <= 1] = 0.045
    return Volume.from_array(mu, (1.0, 1.0, 1.0), units="mu")


def views(volume: Volume) -> dict[str, Geometry]:
    c = volume.center
    return {
        "AP (along rows)": Geometry.c_arm(volume, 1000, 1500, 0, shape=(512, 512), pixel_spacing=1.0),
        "lateral (along cols)": Geometry.c_arm(volume, 1000, 1500, 90, shape=(512, 512), pixel_spacing=1.0),
        "oblique 35/20 deg": Geometry.c_arm(volume, 1000, 1500, 35, 20, shape=(512, 512), pixel_spacing=1.0),
        "along slices": Geometry(
            c - np.array([0.0, 0.0, 1000.0]),
            Detector(c + np.array([0.0, 0.0, 500.0]), (1, 0, 0), (0, 1, 0), (512, 512)),
        ),
    }


@njit(parallel=True, fastmath=True, cache=True)
def plain_marcher(mu, to_index, src, center, u, v, rows, cols, step, out):
    """What a numba user writes first: clip each ray to the box, trilinear samples every `step` voxels."""
    n0, n1, n2 = mu.shape
    a0 = to_index[0, 0] * src[0] + to_index[0, 1] * src[1] + to_index[0, 2] * src[2] + to_index[0, 3]
    a1 = to_index[1, 0] * src[0] + to_index[1, 1] * src[1] + to_index[1, 2] * src[2] + to_index[1, 3]
    a2 = to_index[2, 0] * src[0] + to_index[2, 1] * src[1] + to_index[2, 2] * src[2] + to_index[2, 3]
    for r in prange(rows):
        for c in range(cols):
            x = center[0] + (c - (cols - 1) / 2) * u[0] + (r - (rows - 1) / 2) * v[0]
            y = center[1] + (c - (cols - 1) / 2) * u[1] + (r - (rows - 1) / 2) * v[1]
            z = center[2] + (c - (cols - 1) / 2) * u[2] + (r - (rows - 1) / 2) * v[2]
            d0 = to_index[0, 0] * x + to_index[0, 1] * y + to_index[0, 2] * z + to_index[0, 3] - a0
            d1 = to_index[1, 0] * x + to_index[1, 1] * y + to_index[1, 2] * z + to_index[1, 3] - a1
            d2 = to_index[2, 0] * x + to_index[2, 1] * y + to_index[2, 2] * z + to_index[2, 3] - a2
            t_in, t_out = 0.0, 1.0
            for start, delta, size in ((a0, d0, n0), (a1, d1, n1), (a2, d2, n2)):
                if delta != 0.0:
                    ta, tb = (0.0 - start) / delta, (size - 1.0 - start) / delta
                    t_in, t_out = max(t_in, min(ta, tb)), min(t_out, max(ta, tb))
            n = int(math.ceil(math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) * max(t_out - t_in, 0.0) / step))
            total = 0.0
            for k in range(n + 1 if n > 0 else 0):
                t = t_in + (t_out - t_in) * k / n
                p0, p1, p2 = a0 + t * d0, a1 + t * d1, a2 + t * d2
                if p0 < 0 or p1 < 0 or p2 < 0 or p0 >= n0 - 1 or p1 >= n1 - 1 or p2 >= n2 - 1:
                    continue
                i, j, m = int(p0), int(p1), int(p2)
                f, g, h = p0 - i, p1 - j, p2 - m
                c00 = mu[i, j, m] * (1 - h) + mu[i, j, m + 1] * h
                c01 = mu[i, j + 1, m] * (1 - h) + mu[i, j + 1, m + 1] * h
                c10 = mu[i + 1, j, m] * (1 - h) + mu[i + 1, j, m + 1] * h
                c11 = mu[i + 1, j + 1, m] * (1 - h) + mu[i + 1, j + 1, m + 1] * h
                total += (c00 * (1 - g) + c01 * g) * (1 - f) + (c10 * (1 - g) + c11 * g) * f
            length = math.sqrt((x - src[0]) ** 2 + (y - src[1]) ** 2 + (z - src[2]) ** 2)
            out[r, c] = total * length * (t_out - t_in) / n if n > 0 else 0.0


def run_plain(volume: Volume, geometry: Geometry, threads: int | None = None) -> np.ndarray:
    det = geometry.detector
    out = np.empty(det.shape)
    to_index = np.ascontiguousarray(np.linalg.inv(volume.affine)[:3])
    before = numba.get_num_threads()
    numba.set_num_threads(threads or before)
    try:
        plain_marcher(volume.data, to_index, geometry.source, det.center, det.u, det.v, *det.shape, 0.5, out)
    finally:
        numba.set_num_threads(before)
    return out


def itk_drr(volume: Volume, geometry: Geometry, threads: int | None = None):
    """ITK's classic DRR; line integrals of mu (threshold 0), or None without itk."""
    try:
        import itk
    except ImportError:
        return None
    itk.MultiThreaderBase.SetGlobalDefaultNumberOfThreads(threads or os.cpu_count() or 1)
    image_type = itk.Image[itk.F, 3]
    image = itk.image_from_array(volume.data)  # ITK index (i, j, k) = array (k, j, i)
    image.SetSpacing([float(s) for s in volume.spacing[::-1]])
    image.SetOrigin([float(o) for o in volume.origin])
    image.SetDirection(itk.matrix_from_array(np.ascontiguousarray(volume.direction[:, ::-1])))
    det = geometry.detector
    rows, cols = det.shape
    u, v = np.asarray(det.u, float), np.asarray(det.v, float)
    su, sv = np.linalg.norm(u), np.linalg.norm(v)
    transform = itk.Euler3DTransform[itk.D].New()
    interpolator = itk.RayCastInterpolateImageFunction[image_type, itk.D].New()
    interpolator.SetTransform(transform)
    interpolator.SetThreshold(0.0)
    interpolator.SetFocalPoint([float(x) for x in geometry.source])
    resample = itk.ResampleImageFilter[image_type, image_type].New()
    resample.SetInput(image)
    resample.SetInterpolator(interpolator)
    resample.SetTransform(transform)
    resample.SetDefaultPixelValue(0)
    resample.SetSize([cols, rows, 1])
    resample.SetOutputSpacing([su, sv, 1.0])
    resample.SetOutputOrigin([float(x) for x in det.center - (cols - 1) / 2 * u - (rows - 1) / 2 * v])
    resample.SetOutputDirection(itk.matrix_from_array(np.column_stack([u / su, v / sv, np.cross(u / su, v / sv)])))
    resample.Update()
    return itk.array_from_image(resample.GetOutput())[0].astype(np.float64)


def timed(func, runs: int = RUNS):
    """(min, median, max) seconds of `runs` warm runs, and the last result."""
    result = func()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return (min(times), float(np.median(times)), max(times)), result


def spread(t) -> str:
    return f"min/med/max {t[0]:.3f}/{t[1]:.3f}/{t[2]:.3f} s"


def hu_row(table: Table, volume: Volume) -> None:
    """Issue 31's own case: the CT in Hounsfield units, as read from DICOM, one AP view of 512^2 rays at
    1.5 mm: as fast as the same CT in mu, and against the marcher and ITK (on mu) on the same view."""
    hu = in_hu(volume)
    view = Geometry.c_arm(volume, 1000, 1500, 0, shape=(512, 512), pixel_spacing=1.5)
    in_mu_t, in_mu = timed(lambda: drr(volume, view, output="line_integral"))
    in_hu_t, in_hu_image = timed(lambda: drr(hu, view, output="line_integral"))
    table.add(
        "joseph AP 1.5 mm, CT in HU", "512^2 <- 300x512^2", in_hu_t[0], "the same CT in mu", in_mu_t[0],
        float(np.abs(in_hu_image - in_mu).max() / in_mu.max()),
        note=f"HU {spread(in_hu_t)}, mu {spread(in_mu_t)}: the ratio is what reading HU costs",
    )  # fmt: skip
    exact = drr(volume, view, output="line_integral", method="siddon")
    scale = float(exact.max())
    error = float(np.abs(in_hu_image - exact).max()) / scale
    plain_t, _ = timed(lambda: run_plain(volume, view), runs=3)
    table.add("joseph AP 1.5 mm, CT in HU", "512^2 <- 300x512^2", in_hu_t[0], "plain numba prange marcher (mu)",
              plain_t[0], error)  # fmt: skip
    if itk_drr(volume, view) is not None:
        itk_t = timed(lambda: itk_drr(volume, view), runs=2)[0]
        table.add("joseph AP 1.5 mm, CT in HU", "512^2 <- 300x512^2", in_hu_t[0],
                  "ITK RayCastInterpolateImageFunction (mu)", itk_t[0], error)  # fmt: skip


def in_hu(volume: Volume) -> Volume:
    """The same CT in Hounsfield units, as read from DICOM (issue 31's case: no converted copy is made)."""
    from pixelsmith.xray.physics import water_and_air_mu

    water, air = water_and_air_mu(70.0)
    return dataclasses.replace(volume, data=(volume.data - water) * np.float32(1000.0 / (water - air)), units="hu")


def directions(table: Table, volume: Volume, n_threads: int | None) -> None:
    """Every view direction: Joseph (the default) and Siddon on the CT in HU, trilinear on mu (all threads
    only), against the marcher and ITK on mu, all on `n_threads` threads (None: all)."""
    hu = in_hu(volume)
    label_threads = "all threads" if n_threads is None else f"{n_threads} thread{'s' * (n_threads > 1)}"
    rays = 512 * 512
    # bytes a view moves at least: the whole dense volume read once, the float64 image written
    moved = volume.data.nbytes + rays * 8
    for name, geometry in views(volume).items():
        with threads(n_threads):
            exact_t, exact = timed(lambda g=geometry: drr(hu, g, output="line_integral", method="siddon"))
        scale = float(exact.max())
        plain_t, plain = timed(lambda g=geometry: run_plain(volume, g, n_threads), runs=3)
        itk_image = itk_drr(volume, geometry, n_threads)
        itk_t = timed(lambda g=geometry: itk_drr(volume, g, n_threads), runs=2)[0] if itk_image is not None else None
        for method in ("joseph", "trilinear") if n_threads is None else ("joseph",):
            data = hu if method == "joseph" else volume
            with threads(n_threads):
                ours_t, ours = timed(lambda g=geometry, m=method, d=data: drr(d, g, output="line_integral", method=m))
            error = float(np.abs(ours - exact).max()) / scale
            label = f"{method}{' (default), CT in HU' if method == 'joseph' else ''} {name}, {label_threads}"
            table.add(
                label,
                "512^2 <- 300x512^2",
                ours_t[0],
                "plain numba prange marcher (mu)",
                plain_t[0],
                error,
                note=f"ours {spread(ours_t)}, {rays / ours_t[0] / 1e6:.2f} M rays/s; anchor {spread(plain_t)}, "
                f"anchor error {float(np.abs(plain - exact).max()) / scale:.1e}",
                moved=moved,
            )
            if itk_t is not None:
                table.add(
                    label,
                    "512^2 <- 300x512^2",
                    ours_t[0],
                    "ITK RayCastInterpolateImageFunction (mu)",
                    itk_t[0],
                    error,
                    note=f"ITK {spread(itk_t)}, ITK error {float(np.abs(itk_image - exact).max()) / scale:.1e}",
                )
        if itk_t is None:
            print("# itk is not installed: pip install -e '.[bench-itk]' for ITK's RayCast DRR anchor")
            continue
        table.add(
            f"siddon, CT in HU {name}, {label_threads}",
            "512^2 <- 300x512^2",
            exact_t[0],
            "ITK RayCastInterpolateImageFunction (mu)",
            itk_t[0],
            0.0,
            note=f"ours {spread(exact_t)}, {rays / exact_t[0] / 1e6:.2f} M rays/s",
            moved=moved,
        )


def main() -> None:
    table = Table("bench_xray_dense")
    table.start()
    volume = dense_volume()
    print(f"# dense CT {volume.shape} float32, {volume.data.nbytes / 1e6:.0f} MB; detector 512 x 512; {RUNS} runs each")
    for n_threads in (None, 1):
        directions(table, volume, n_threads)
    hu_row(table, volume)
    sweep = [Geometry.c_arm(volume, 1000, 1500, a, shape=(512, 512), pixel_spacing=1.0) for a in range(0, 360, 10)]
    first = drr(volume, sweep[0])
    t0 = time.perf_counter()
    stack = drr_sweep(volume, sweep)
    t_sweep = time.perf_counter() - t0
    t0 = time.perf_counter()
    for geometry in sweep:
        drr(volume, geometry)
    t_single = time.perf_counter() - t0
    table.add(
        "drr_sweep 36 views",
        "512^2 <- 300x512^2",
        t_sweep,
        "36 drr calls",
        t_single,
        float(np.abs(stack[0] - first).max()),
        note=f"{len(sweep) / t_sweep:.2f} views/s",
    )
    table.save()


if __name__ == "__main__":
    main()
