"""Peaks and aperture sums: pixelsmith beside scikit-image and photutils.

- find_peaks vs skimage.feature.peak_local_max on a 2048^2 star field with 500
  sources (sigma 1.5 px, peak SNR 10-100): time, recall/precision at 1.5 px, and
  the rms position error (pixelsmith with subpixel refinement; skimage integer).
- aperture_sums vs photutils aperture_photometry (CircularAperture, exact) for
  1,000 and 10,000 apertures of r = 5 and r = 15 on 512^2, and on a
  (100, 512, 512) stack vs a loop of photutils over the frames.
  The error column is the max relative difference of the sums.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from photutils.aperture import CircularAperture, aperture_photometry
from scipy.spatial import cKDTree
from skimage.feature import peak_local_max

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402


def score(found, truth):
    distance, nearest = cKDTree(truth).query(found)
    match = distance < 1.5
    recall = len(set(nearest[match])) / len(truth)
    return recall, float(match.mean()), float(np.sqrt(np.mean(distance[match] ** 2)))


def main():
    table = Table("bench_sources")
    table.start()

    field = ps.datasets.star_field((2048, 2048), 500, sigma=1.5, snr=(10, 100), min_separation=10, seed=7)
    image = field.image
    threshold = float(np.median(image) + 5 * ps.robust_noise(image))
    t_ours, peaks = best_time(lambda: ps.find_peaks(image, nsigma=5, min_distance=3))
    t_sk, sk = best_time(lambda: peak_local_max(image, min_distance=3, threshold_abs=threshold))
    r1, p1, e1 = score(peaks.coords, field.positions)
    r2, p2, e2 = score(sk, field.positions)
    table.add(
        "find_peaks nsigma=5",
        "2048^2, 500 src",
        t_ours,
        "skimage peak_local_max",
        t_sk,
        e1,
        note=f"error = rms px; ours recall/precision {r1:.3f}/{p1:.3f}, skimage {r2:.3f}/{p2:.3f} rms {e2:.3f}",
    )
    t_sub, sub = best_time(lambda: ps.find_peaks(image, nsigma=5, min_distance=3, sigma=1.5, subpixel=True))
    r3, p3, e3 = score(sub.coords, field.positions)
    table.add(
        "find_peaks smooth+subpixel",
        "2048^2, 500 src",
        t_sub,
        "skimage peak_local_max",
        t_sk,
        e3,
        note=f"recall/precision {r3:.3f}/{p3:.3f}; skimage rms {e2:.3f} px (integer positions)",
    )

    rng = np.random.default_rng(5)
    img = rng.uniform(1, 2, size=(512, 512))
    for count in (1000, 10_000):
        for radius in (5.0, 15.0):
            centers = rng.uniform(-10, 522, size=(count, 2))
            aperture = CircularAperture(centers[:, ::-1], radius)
            t_ours, ours = best_time(lambda c=centers, r=radius: ps.aperture_sums(img, c, r))
            t_ph, theirs = best_time(lambda a=aperture: aperture_photometry(img, a, method="exact"), repeat=1)
            theirs = theirs["aperture_sum"].value
            ok = np.isfinite(theirs) & (theirs > 1e-6)
            err = float(np.max(np.abs(ours.sums[ok] - theirs[ok]) / theirs[ok]))
            table.add("aperture_sums exact", f"{count} r={radius:g} 512^2", t_ours, "photutils exact", t_ph, err)

    stack = rng.normal(100, 5, size=(100, 512, 512)).astype(np.float32)
    centers = rng.uniform(0, 512, size=(1000, 2))
    aperture = CircularAperture(centers[:, ::-1], 5.0)
    t_ours, ours = best_time(lambda: ps.aperture_sums(stack, centers, 5.0), repeat=2)

    def photutils_loop():
        return np.stack([aperture_photometry(frame, aperture, method="exact")["aperture_sum"].value for frame in stack])

    t_ph, theirs = best_time(photutils_loop, repeat=1, warmup=0)
    err = float(np.max(np.abs(ours.sums - theirs) / np.abs(theirs)))
    table.add("aperture_sums stack", "(100,512,512) 1k r=5", t_ours, "photutils loop over frames", t_ph, err)
    t_ann, _ = best_time(lambda: ps.aperture_sums(stack, centers, 5.0, annulus=(8, 12)), repeat=1)
    table.add(
        "aperture_sums + annulus",
        "(100,512,512) 1k r=5",
        t_ann,
        "photutils loop (no annulus)",
        t_ph,
        float("nan"),
        note="annulus medians for every frame included in pixelsmith's time",
    )
    table.save()


if __name__ == "__main__":
    main()
