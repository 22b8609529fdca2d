"""Gap filling: pixelsmith beside scikit-image, OpenCV and astropy on the same holes.

A smooth 1024^2 field (sum of Gaussians and sinusoids) with 10 % of its pixels
missing in disks of radius 3-15. Error = RMSE over the missing pixels. OpenCV
needs 8 bits: the field is scaled to 0..255, inpainted, scaled back (that
quantization is part of its answer). astropy's interpolate_replace_nans leaves
pixels farther than its kernel from data unfilled; its RMSE is over the filled ones.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import cv2
import numpy as np
from astropy.convolution import Gaussian2DKernel, interpolate_replace_nans
from skimage.restoration import inpaint_biharmonic

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time, threads  # noqa: E402


def rmse(result, truth, mask):
    values = result[mask] - truth[mask]
    return float(np.sqrt(np.nanmean(values**2)))


def main():
    table = Table("bench_fill")
    table.start()
    truth = ps.datasets.smooth_field((1024, 1024))
    mask = ps.datasets.blob_holes((1024, 1024), 0.1)
    holes = np.where(mask, np.nan, truth)
    size = f"1024^2, {mask.mean():.1%} holes"

    t_sk, sk = best_time(lambda: inpaint_biharmonic(np.where(mask, 0.0, truth), mask), repeat=1)
    lo, hi = truth.min(), truth.max()
    u8 = np.rint((truth - lo) / (hi - lo) * 255).astype(np.uint8)
    t_cv, cv = best_time(lambda: cv2.inpaint(u8, mask.astype(np.uint8), 3, cv2.INPAINT_NS))
    cv = cv / 255.0 * (hi - lo) + lo
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ap, ap = best_time(lambda: interpolate_replace_nans(holes, Gaussian2DKernel(2.0)), repeat=1)
    unfilled = int(np.isnan(ap[mask]).sum())
    anchors = [
        ("skimage inpaint_biharmonic", t_sk, rmse(sk, truth, mask)),
        ("OpenCV inpaint NS (8-bit)", t_cv, rmse(cv, truth, mask)),
        (f"astropy replace_nans ({unfilled} left)", t_ap, rmse(ap, truth, mask)),
    ]
    moved = holes.nbytes * 2  # the image read and the filled copy written: the floor a fill cannot beat
    for method in ("biharmonic", "harmonic", "gaussian", "nearest"):
        t_ours, ours = best_time(lambda m=method: ps.fill_nans(holes, method=m), repeat=2)
        err = rmse(ours, truth, mask)
        for name, t_anchor, err_anchor in anchors:
            table.add(
                f"fill_nans {method}",
                size,
                t_ours,
                name,
                t_anchor,
                err,
                note=f"RMSE; anchor RMSE {err_anchor:.2e}",
                moved=moved,
            )
        with threads(1):  # the anchors run on one thread
            t_one, _ = best_time(lambda m=method: ps.fill_nans(holes, method=m), repeat=2)
        name, t_anchor, err_anchor = anchors[0]
        table.add(
            f"fill_nans {method} 1 thread",
            size,
            t_one,
            name,
            t_anchor,
            err,
            note=f"RMSE; anchor RMSE {err_anchor:.2e}",
            moved=moved,
        )
    table.save()


if __name__ == "__main__":
    main()
