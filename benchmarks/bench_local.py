"""Moving-window and block statistics: pixelsmith beside scipy, OpenCV and scikit-image.

Data: 4000 x 4000 float32 ``1e4 + N(0, 1)`` (the offset case), windows 5 and 15;
block reduction on a 12000 x 12000 uint8 image with 8 x 8 blocks. Errors are
against a float64 two-pass brute-force reference on an interior crop.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage as ndi
from skimage.measure import block_reduce as sk_block_reduce

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import naive  # noqa: E402
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402


def crop_reference(x, stat, w, crop):
    """float64 two-pass reference for the windows centred in `crop` (interior)."""
    (r0, r1), (c0, c1) = crop
    h = w // 2
    region = x[r0 - h : r1 + h, c0 - h : c1 + h].astype(np.float64)
    return naive.local_stat(region, stat, (w, w), crop="valid")


def max_rel_error(result, reference, crop):
    (r0, r1), (c0, c1) = crop
    got = np.asarray(result[r0:r1, c0:c1], dtype=np.float64)
    return float(np.max(np.abs(got - reference) / np.maximum(np.abs(reference), 1e-300)))


def main():
    table = Table("bench_local")
    table.start()
    x = ps.datasets.offset_noise((4000, 4000), 1e4, dtype=np.float32, seed=1)
    crop = ((1500, 1800), (2000, 2300))
    size = "4000^2 f32"
    # every row on x reads it and writes an image of its size: GB/s beside the machine's copy bandwidth
    add = functools.partial(table.add, moved=2 * x.nbytes)
    for w in (5, 15):
        ref_mean = crop_reference(x, "mean", w, crop)
        ref_var = crop_reference(x, "var", w, crop)
        t_ours, ours = best_time(lambda w=w: ps.local_mean(x, w))
        err = max_rel_error(ours, ref_mean, crop)
        t, r = best_time(lambda w=w: ndi.uniform_filter(x, w))
        add(
            f"local_mean w{w}",
            size,
            t_ours,
            "scipy uniform_filter",
            t,
            err,
            f"anchor err {max_rel_error(r, ref_mean, crop):.1e}",
        )
        t, r = best_time(lambda w=w: cv2.boxFilter(x, -1, (w, w), borderType=cv2.BORDER_REFLECT))
        add(
            f"local_mean w{w}",
            size,
            t_ours,
            "cv2.boxFilter",
            t,
            err,
            f"anchor err {max_rel_error(r, ref_mean, crop):.1e}",
        )

        t_ours, ours = best_time(lambda w=w: ps.local_var(x, w))
        err = max_rel_error(ours, ref_var, crop)
        neg = float(np.mean(ours < 0))

        def scipy_recipe(w=w):
            m = ndi.uniform_filter(x, w)
            return ndi.uniform_filter(x * x, w) - m * m

        def cv_recipe(w=w):
            m = cv2.boxFilter(x, -1, (w, w), borderType=cv2.BORDER_REFLECT)
            m2 = cv2.sqrBoxFilter(x, -1, (w, w), borderType=cv2.BORDER_REFLECT)
            return m2 - m * m

        for name, func in (("scipy uniform_filter recipe", scipy_recipe), ("cv2 box/sqrBox recipe", cv_recipe)):
            t, r = best_time(func)
            add(
                f"local_var w{w}",
                size,
                t_ours,
                name,
                t,
                err,
                f"anchor err {max_rel_error(r, ref_var, crop):.1e}, "
                f"negative: anchor {np.mean(r < 0):.0%}, ours {neg:.0%}",
            )
        # generic_filter is per pixel in Python-level callbacks: time a crop, scale up
        small = x[:200, :200]
        t_small, _ = best_time(lambda w=w, small=small: ndi.generic_filter(small, np.var, size=w), repeat=1, warmup=0)
        t_full = t_small * x.size / small.size
        add(
            f"local_var w{w}",
            size,
            t_ours,
            "generic_filter(np.var) (extrap.)",
            t_full,
            err,
            "timed on 200^2, scaled by pixel count",
        )

        t_ours, ours = best_time(lambda w=w: ps.local_max(x, w))
        t, r = best_time(lambda w=w: ndi.maximum_filter(x, w))
        add(f"local_max w{w}", size, t_ours, "scipy maximum_filter", t, float(np.max(np.abs(ours - r))))
        kernel = np.ones((w, w), np.uint8)
        t, r = best_time(lambda kernel=kernel: cv2.dilate(x, kernel, borderType=cv2.BORDER_REFLECT))
        add(f"local_max w{w}", size, t_ours, "cv2.dilate", t, float(np.max(np.abs(ours - r))))

    disk = np.add.outer(np.arange(-7, 8) ** 2, np.arange(-7, 8) ** 2) <= 49
    t_ours, ours = best_time(lambda: ps.local_max(x, footprint=disk))
    t, r = best_time(lambda: ndi.maximum_filter(x, footprint=disk), repeat=1)
    add("local_max disk r7", size, t_ours, "scipy maximum_filter(footprint)", t, float(np.max(np.abs(ours - r))))
    t, r = best_time(lambda: cv2.dilate(x, disk.astype(np.uint8), borderType=cv2.BORDER_REFLECT))
    add("local_max disk r7", size, t_ours, "cv2.dilate(disk)", t, float(np.max(np.abs(ours - r))))

    img = np.random.default_rng(2).integers(0, 256, size=(12000, 12000), dtype=np.uint8)
    t_ours, ours = best_time(lambda: ps.block_reduce(img, 8, "mean"))
    t, r = best_time(lambda: sk_block_reduce(img, (8, 8), np.mean), repeat=2)
    table.add(
        "block_reduce mean 8x8",
        "12000^2 u8",
        t_ours,
        "skimage block_reduce(np.mean)",
        t,
        float(np.max(np.abs(ours - r))),
        moved=img.nbytes + ours.nbytes,
    )
    t_ours, ours = best_time(lambda: ps.density_map(img > 200, 8))
    t, r = best_time(lambda: sk_block_reduce(img > 200, (8, 8), np.mean), repeat=2)
    table.add(
        "density_map 8x8",
        "12000^2 bool",
        t_ours,
        "skimage block_reduce(np.mean)",
        t,
        float(np.max(np.abs(ours - r))),
        moved=img.nbytes + ours.nbytes,
    )
    table.save()


if __name__ == "__main__":
    main()
