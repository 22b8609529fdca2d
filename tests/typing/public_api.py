"""Type-checked, never run: the public API as a user calls it (`make lint` runs mypy on this file).

mypy reads pixelsmith's annotations (the package ships py.typed) and checks these calls against
them, so a wrong or missing annotation on a public signature fails lint. The library's internals
are not checked here (--follow-imports=silent).
"""

# ruff: noqa: F841  (the assigned names are what mypy checks)
from __future__ import annotations

import numpy as np

import pixelsmith as ps
from pixelsmith import footprints, io, xray


def calls() -> None:
    """Never called: mypy checks these lines against the annotations."""
    img = np.zeros((64, 64), np.float32)
    rough: np.ndarray = ps.local_std(img, 5)
    relief = ps.local_max(img, footprint=footprints.disk(3)) - ps.local_min(img, footprint=footprints.annulus(1, 3))
    inner = ps.local_mean(img, 3, crop="valid", mode="nearest", nan_policy="omit")
    p90 = ps.local_percentile(img, 90, 7)
    by_name = ps.local_stat(img, "median", (3, 5), mode="grid-wrap")
    spread = ps.local_apply(img, lambda v: v.max() - v.mean(), 5)
    coarse = ps.block_reduce(img, (4, 4), "max", boundary="pad")
    density = ps.density_map(img > 0.5, 8)
    stats = ps.StackStats()
    stats.add(img)
    per_pixel = stats.std()
    field = np.zeros((128, 128), np.float32)
    ps.add_stamp(field, np.ones((5, 5), np.float32), (22.6, 23.4))
    ps.add_stamps(field, np.ones((5, 5), np.float32), np.array([[10.0, 12.0]]), weights=np.ones(1))
    peaks = ps.find_peaks(img, nsigma=5, min_distance=3)
    coords: np.ndarray = peaks.coords
    sums = ps.aperture_sums(img, coords, 4.0, annulus=(7, 10))
    filled = ps.fill_nans(img, method="biharmonic")
    r = ps.ncc(img, img[10:20, 10:20])
    best = ps.find_matches(img, img[10:20, 10:20], max_count=3)
    equalized = ps.equalize_hist(img)
    paths = ps.outline_paths(img > 0.5)
    groups: list[str] = ps.warmup(["stamps"], processes=1)
    head = xray.phantom((32, 32, 32), (2.0, 2.0, 2.0))
    view = xray.Geometry.c_arm(head, sid=600, sdd=1000, angle=90, shape=(16, 16), pixel_spacing=2.5)
    radiograph = xray.drr(head, view, output="line_integral", method="siddon")
    raster = io.read_raster("dem.tif")
