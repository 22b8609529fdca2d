"""Box window kernels against OpenCV (issue 19): mean, sum, min, max on 4000 x 4000 images.

Data: float32 ``1e4 + N(0, 1)`` (the offset case), uint8 and uint16 noise;
windows 3, 5, 15 and 31, reflect edges (OpenCV's BORDER_REFLECT), all threads;
``--threads 1`` runs both sides on one thread (the ratio a smaller machine sees),
``--data f32`` only the float32 image.

Anchors, same data, same process: `cv2.blur` (mean in the input's dtype,
rounded for integers), `cv2.boxFilter(ddepth=CV_64F)` (mean as float64, the
like-for-like output for integer inputs, whose pixelsmith mean is float64),
`cv2.boxFilter(normalize=False)` (sum), `cv2.erode` / `cv2.dilate` (min/max),
and for var/std the recipe users assemble, ``sqrBoxFilter - boxFilter**2``
(in float32 for float32 data: it goes negative on the offset image).
Max error: means and sums relative to a float64 reference on an interior
crop; min/max against OpenCV, which is exact for them. GB/s: bytes read plus
bytes written per second, beside the machine's copy bandwidth.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import naive  # noqa: E402
import pixelsmith as ps  # noqa: E402
from _common import Table, bandwidth_gb_s, best_time, threads  # noqa: E402

SIDE = 4000
WINDOWS = (3, 5, 15, 31)
CROP = ((1500, 1600), (2000, 2100))


def images() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {
        "f32": ps.datasets.offset_noise((SIDE, SIDE), 1e4, dtype=np.float32, seed=1),
        "u8": rng.integers(0, 256, (SIDE, SIDE)).astype(np.uint8),
        "u16": rng.integers(0, 65536, (SIDE, SIDE)).astype(np.uint16),
    }


def relative_error(result: np.ndarray, image: np.ndarray, stat: str, w: int) -> float:
    (r0, r1), (c0, c1) = CROP
    h = w // 2
    region = image[r0 - h : r1 + h, c0 - h : c1 + h].astype(np.float64)
    reference = naive.local_stat(region, stat, (w, w), crop="valid")
    got = result[r0:r1, c0:c1].astype(np.float64)
    return float(np.max(np.abs(got - reference) / np.maximum(np.abs(reference), 1e-300)))


def recipe_var(image: np.ndarray, w: int, depth: int) -> np.ndarray:
    """The variance users assemble from OpenCV: E[x^2] - E[x]^2 from boxFilter and sqrBoxFilter."""
    mean = cv2.boxFilter(image, depth, (w, w), borderType=cv2.BORDER_REFLECT)
    mean_sq = cv2.sqrBoxFilter(image, depth, (w, w), borderType=cv2.BORDER_REFLECT)
    return mean_sq - mean * mean


def recipe_std(image: np.ndarray, w: int, depth: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # the recipe's negative variances give NaN, as they would for its users
        return np.sqrt(recipe_var(image, w, depth))


def calls(name: str, image: np.ndarray, w: int) -> list[tuple]:
    """(task, pixelsmith call, anchor name, anchor call) for one image and window."""
    reflect = {"borderType": cv2.BORDER_REFLECT}
    kernel = np.ones((w, w), np.uint8)
    mean_depth, mean_anchor = (-1, "cv2.boxFilter") if name == "f32" else (cv2.CV_64F, "cv2.boxFilter CV_64F")
    return [
        ("local_mean", lambda: ps.local_mean(image, w), "cv2.blur", lambda: cv2.blur(image, (w, w), **reflect)),
        (
            "local_mean",
            lambda: ps.local_mean(image, w),
            mean_anchor,
            lambda: cv2.boxFilter(image, mean_depth, (w, w), **reflect),
        ),
        (
            "local_sum",
            lambda: ps.local_sum(image, w),
            "cv2.boxFilter normalize=False CV_64F",
            lambda: cv2.boxFilter(image, cv2.CV_64F, (w, w), normalize=False, **reflect),
        ),
        (
            "local_var",
            lambda: ps.local_var(image, w),
            "cv2 box/sqrBox recipe",
            lambda: recipe_var(image, w, mean_depth),
        ),
        (
            "local_std",
            lambda: ps.local_std(image, w),
            "cv2 recipe + sqrt",
            lambda: recipe_std(image, w, mean_depth),
        ),
        ("local_min", lambda: ps.local_min(image, w), "cv2.erode", lambda: cv2.erode(image, kernel, **reflect)),
        ("local_max", lambda: ps.local_max(image, w), "cv2.dilate", lambda: cv2.dilate(image, kernel, **reflect)),
    ] + (
        []
        if name == "f32"
        else [  # extremes are exact: dtype= the input's own dtype writes it directly (the default is float64)
            (
                "local_mean dtype=float32",
                lambda: ps.local_mean(image, w, dtype=np.float32),
                "cv2.boxFilter CV_32F",
                lambda: cv2.boxFilter(image, cv2.CV_32F, (w, w), **reflect),
            ),
            (
                "local_min dtype=input",
                lambda: ps.local_min(image, w, dtype=image.dtype),
                "cv2.erode",
                lambda: cv2.erode(image, kernel, **reflect),
            ),
            (
                "local_max dtype=input",
                lambda: ps.local_max(image, w, dtype=image.dtype),
                "cv2.dilate",
                lambda: cv2.dilate(image, kernel, **reflect),
            ),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="pixelsmith and OpenCV on this many threads")
    parser.add_argument("--data", nargs="*", default=None, help="images to run (f32, u8, u16; default all)")
    args = parser.parse_args()
    table = Table("bench_box" if args.threads is None else f"bench_box_{args.threads}_threads")
    table.start()
    peak = bandwidth_gb_s()
    print(f"# machine copy bandwidth ~{peak:.1f} GB/s (read + write); threads: {args.threads or 'all'}")
    for name, image in images().items():
        if args.data and name not in args.data:
            continue
        size = f"{SIDE}^2 {name}"
        for w in WINDOWS:
            runs = calls(name, image, w)
            for task, ours_call, anchor, anchor_call in runs:
                with threads(args.threads):
                    t_ours, ours = best_time(ours_call, repeat=5)
                    t_anchor, theirs = best_time(anchor_call, repeat=5)
                note = ""
                if task.startswith(("local_min", "local_max")):
                    error = float(np.max(np.abs(ours.astype(np.float64) - theirs)))
                else:
                    error = relative_error(ours, image, task.split()[0].removeprefix("local_"), w)
                if task.startswith("local_var"):
                    anchor_error = relative_error(theirs, image, "var", w)
                    note = f"; recipe: {np.mean(theirs < 0):.0%} negative, error {anchor_error:.1e}"
                moved = (image.nbytes + ours.nbytes) / t_ours / 1e9
                table.add(
                    f"{task} w{w}",
                    size,
                    t_ours,
                    anchor,
                    t_anchor,
                    error,
                    note=f"{moved:.1f} GB/s of ~{peak:.0f}; output {ours.dtype}{note}",
                )
    table.save()


if __name__ == "__main__":
    main()
