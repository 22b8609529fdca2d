"""Disk footprints against OpenCV and scipy (issue 19): min, max and mean on 4000 x 4000 images.

Data: float32 ``1e4 + N(0, 1)`` and uint8 noise; disks of radius 3, 7 and 15
(``dy**2 + dx**2 <= r**2``), reflect edges (OpenCV's BORDER_REFLECT), all threads.

Anchors, same data, same process: `cv2.erode` / `cv2.dilate` with the disk
as structuring element (min/max; exact, so the max error must be 0),
`cv2.filter2D` with the normalized disk (mean; float32 accumulation, DFT for
large kernels), and `scipy.ndimage.maximum_filter` / `correlate` with the
footprint (one run, radius 3 and 7 only: radius 15 takes minutes). Mean
errors are relative to a float64 reference on an interior crop. GB/s: bytes
read plus written per second, beside the machine's copy bandwidth.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, bandwidth_gb_s, best_time  # noqa: E402

SIDE = 4000
RADII = (3, 7, 15)
CROP = (slice(1500, 1600), slice(2000, 2100))


def disk(r: int) -> np.ndarray:
    d = np.arange(-r, r + 1)
    return np.add.outer(d**2, d**2) <= r * r


def mean_error(result: np.ndarray, image: np.ndarray, fp: np.ndarray) -> float:
    """Max relative error of window means on the crop against float64 correlation."""
    r = fp.shape[0] // 2
    rows, cols = CROP
    region = image[rows.start - r : rows.stop + r, cols.start - r : cols.stop + r].astype(np.float64)
    reference = ndi.correlate(region, fp / fp.sum(), mode="constant")[r:-r, r:-r]
    return float(np.max(np.abs(result[CROP].astype(np.float64) - reference) / np.abs(reference)))


def radius_rows(table: Table, size: str, image: np.ndarray, r: int, peak: float) -> None:
    """The rows of one image and one disk radius: min and max (and, for float32, mean) against the anchors."""
    fp = disk(r)
    element = fp.astype(np.uint8)
    reflect = {"borderType": cv2.BORDER_REFLECT}
    own = {"dtype": image.dtype}  # extremes are exact: written in the input's dtype (default float64 for ints)

    def note(t: float, out: np.ndarray) -> str:
        return f"{(image.nbytes + out.nbytes) / t / 1e9:.1f} GB/s of ~{peak:.0f}; output {out.dtype}"

    for stat, anchor_name, anchor in (
        ("min", "cv2.erode(disk)", lambda: cv2.erode(image, element, **reflect)),
        ("max", "cv2.dilate(disk)", lambda: cv2.dilate(image, element, **reflect)),
    ):
        func = getattr(ps, f"local_{stat}")
        t_ours, ours = best_time(lambda func=func: func(image, footprint=fp, **own), repeat=5)
        t_cv, theirs = best_time(anchor, repeat=5)
        error = float(np.max(np.abs(ours.astype(np.float64) - theirs)))
        table.add(f"local_{stat} disk r{r}", size, t_ours, anchor_name, t_cv, error, note=note(t_ours, ours))
    if image.dtype != np.float32:
        return
    if r <= 7:
        t_sp, theirs = best_time(lambda: ndi.maximum_filter(image, footprint=fp, mode="reflect"), repeat=1, warmup=0)
        error = float(np.max(np.abs(ours.astype(np.float64) - theirs)))
        table.add(f"local_max disk r{r}", size, t_ours, "scipy maximum_filter(footprint)", t_sp, error)
    t_ours, ours = best_time(lambda: ps.local_mean(image, footprint=fp), repeat=5)
    kernel = (fp / fp.sum()).astype(np.float32)
    t_cv, theirs = best_time(lambda: cv2.filter2D(image, -1, kernel, **reflect), repeat=5)
    error = mean_error(ours, image, fp)
    note_text = f"{note(t_ours, ours)}; filter2D error {mean_error(theirs, image, fp):.1e}"
    table.add(f"local_mean disk r{r}", size, t_ours, "cv2.filter2D(disk/n)", t_cv, error, note=note_text)
    if r <= 7:
        t_sp, _ = best_time(lambda: ndi.correlate(image, kernel, mode="reflect"), repeat=1, warmup=0)
        table.add(f"local_mean disk r{r}", size, t_ours, "scipy correlate(disk/n)", t_sp, error)


def main() -> None:
    table = Table("bench_footprint")
    table.start()
    peak = bandwidth_gb_s()
    print(f"# machine copy bandwidth ~{peak:.1f} GB/s (read + write)")
    rng = np.random.default_rng(1)
    images = {
        "f32": ps.datasets.offset_noise((SIDE, SIDE), 1e4, dtype=np.float32, seed=1),
        "u8": rng.integers(0, 256, (SIDE, SIDE)).astype(np.uint8),
    }
    for name, image in images.items():
        for r in RADII:
            radius_rows(table, f"{SIDE}^2 {name}", image, r, peak)
    table.save()


if __name__ == "__main__":
    main()
