"""Order statistics of moving windows beside scipy, OpenCV and generic_filter (issue 19's new statistics).

4000 x 4000 float32 for the median (scipy.ndimage.median_filter: single-threaded
selection per pixel); NaN-omit and the generic_filter anchors are timed on a
crop and extrapolated per pixel (generic_filter calls Python once per pixel).
3x3 and 5x5 medians (uint8, float32) are timed beside cv2.medianBlur, and uint8 medians of 7x7
to 31x31 (OpenCV's histogram method) on all threads and on one. GB/s counts the input read
once and the output written once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402
from _common import threads as run_on  # noqa: E402


def _gbs(array: np.ndarray, seconds: float) -> str:
    return f"{2 * array.nbytes / seconds / 1e9:.2f} GB/s moved"


def main():
    table = Table("bench_local_order")
    table.start()
    rng = np.random.default_rng(0)
    image = rng.random((4000, 4000)).astype(np.float32)
    for w in (5, 15):
        t_ours, ours = best_time(lambda w=w: ps.local_median(image, w), repeat=1)
        with run_on(1):  # scipy's filter is single-threaded: the ratio a one-core machine sees
            t_one, _ = best_time(lambda w=w: ps.local_median(image, w), repeat=1)
        t_scipy, theirs = best_time(lambda w=w: ndi.median_filter(image, w), repeat=1, warmup=0)
        for label, t in ((f"local_median w{w}", t_ours), (f"local_median w{w} 1 thread", t_one)):
            table.add(
                label,
                "4000^2 f32",
                t,
                "scipy median_filter",
                t_scipy,
                float(np.abs(ours - theirs).max()),
                note=_gbs(image, t),
            )

    crop = image[:300, :300].copy()
    holes = image.copy()
    holes[rng.random(image.shape) < 0.1] = np.nan  # 10 % nodata over the whole 4000^2 raster
    t_ours, ours = best_time(lambda: ps.local_median(holes, 5, nan_policy="omit"), repeat=1)
    small = np.ascontiguousarray(holes[:300, :300])
    t_crop, theirs = best_time(lambda: ndi.generic_filter(small, np.nanmedian, 5), repeat=1, warmup=0)
    t_generic = t_crop * holes.size / small.size  # per pixel, extrapolated: the full run takes minutes
    crop_error = float(np.nanmax(np.abs(ps.local_median(small, 5, nan_policy="omit") - theirs)))
    table.add(
        "local_median w5 omit NaN",
        "4000^2 f32, 10% NaN",
        t_ours,
        "generic_filter(np.nanmedian) extrap.",
        t_generic,
        crop_error,
        note=f"anchor timed on 300^2 ({t_crop:.2f} s) and scaled per pixel",
    )

    u8 = (image * 255).astype(np.uint8)
    # OpenCV replicates edges: mode="nearest"; a median is a value, so uint8 out. 3x3 and 5x5 take comparator
    # networks; larger windows OpenCV's histogram median (Perreault-Hebert, one thread) beside our sliding
    # histograms, on all threads and on one (the ratio a smaller machine sees)
    cases = [(3, None, "networks"), (5, None, "networks")]
    cases += [(k, threads, "sliding histograms") for k in (7, 15, 31) for threads in (None, 1)]
    for k, threads, how in cases:
        repeat = 5 if k <= 5 else 3
        with run_on(threads):
            t_ours, ours = best_time(lambda k=k: ps.local_median(u8, k, mode="nearest", dtype=np.uint8), repeat=repeat)
            t_cv, theirs = best_time(lambda k=k: cv2.medianBlur(u8, k), repeat=repeat)
        table.add(
            f"local_median w{k} uint8" + (" 1 thread" if threads else ""),
            "4000^2 u8",
            t_ours,
            f"cv2.medianBlur(k={k})",
            t_cv,
            float(np.abs(ours.astype(np.int16) - theirs).max()),
            note=f"dtype=uint8; {how}; {_gbs(u8, t_ours)}",
        )
    for k in (3, 5):  # OpenCV's float32 median: ksize 3 and 5 only
        t_ours, ours = best_time(lambda k=k: ps.local_median(image, k, mode="nearest"), repeat=5)
        t_cv, theirs = best_time(lambda k=k: cv2.medianBlur(image, k), repeat=5)
        table.add(
            f"local_median w{k} f32",
            "4000^2 f32",
            t_ours,
            f"cv2.medianBlur(k={k})",
            t_cv,
            float(np.abs(ours - theirs).max()),
            note=_gbs(image, t_ours),
        )

    landcover = rng.integers(0, 12, size=(300, 300)).astype(np.int16)
    for name, func, generic in (
        ("local_majority w5", ps.local_majority, lambda v: np.bincount(v.astype(int)).argmax()),
        ("local_variety w5", ps.local_variety, lambda v: len(np.unique(v))),
    ):
        t_ours, ours = best_time(lambda func=func: func(landcover, 5))
        t_generic, theirs = best_time(
            lambda generic=generic: ndi.generic_filter(landcover, generic, 5), repeat=1, warmup=0
        )
        table.add(
            name,
            "300^2 int16",
            t_ours,
            "generic_filter(python)",
            t_generic,
            float(np.abs(ours.astype(float) - theirs).max()),
        )

    def spread(values):
        return values.max() - values.mean()

    small = image[:300, :300].copy()  # the size: per-call overhead shows here
    t_small, _ = best_time(lambda: ps.local_apply(small, spread, 5), repeat=5)
    with run_on(1):
        t_small_one, _ = best_time(lambda: ps.local_apply(small, spread, 5), repeat=5)
    t_generic, theirs = best_time(lambda: ndi.generic_filter(small, spread, 5), repeat=1, warmup=0)
    error = float(np.abs(ps.local_apply(small, spread, 5) - theirs).max())
    for label, t in (("local_apply w5", t_small), ("local_apply w5 1 thread", t_small_one)):
        table.add(label, "300^2 f32", t, "generic_filter(same function)", t_generic, error)
    big = image[:2000, :2000]
    t_ours, _ = best_time(lambda: ps.local_apply(big, spread, 5))
    t_crop, theirs = best_time(lambda: ndi.generic_filter(crop, spread, 5), repeat=1, warmup=0)
    error = float(np.abs(ps.local_apply(crop, spread, 5) - theirs).max())
    table.add(
        "local_apply w5",
        "2000^2 f32",
        t_ours,
        "generic_filter(same function) extrap.",
        t_crop * big.size / crop.size,
        error,
        note=f"anchor timed on 300^2 ({t_crop:.2f} s), scaled per pixel",
    )
    table.save()


if __name__ == "__main__":
    main()
