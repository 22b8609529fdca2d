"""Histogram equalization of a stack: pixelsmith (one vectorized pass) beside a scikit-image loop.

(1800, 1, 96, 96) stacks as in the question: uint8, float64 (gamma-distributed, and
`np.random.rand` as the asker had it) and float32. Error = max |difference| from the
scikit-image loop. uint8 stacks also beside a loop of OpenCV's `equalizeHist`, which
defines the result differently (uint8 out, (cdf - cdf_min) scaling): time only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from skimage.exposure import equalize_hist as sk_equalize

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time, threads  # noqa: E402


def main():
    table = Table("bench_exposure")
    table.start()
    rng = np.random.default_rng(0)
    stacks = {
        "uint8": rng.integers(0, 200, size=(1800, 1, 96, 96), dtype=np.uint8),
        "float64": rng.gamma(2.0, 1.0, size=(1800, 1, 96, 96)),
        "float32": rng.gamma(2.0, 1.0, size=(1800, 1, 96, 96)).astype(np.float32),
        "float64 np.random.rand": rng.random((1800, 1, 96, 96)),
    }
    for name, stack in stacks.items():
        t_ours, ours = best_time(lambda s=stack: ps.equalize_hist(s))
        t_sk, theirs = best_time(lambda s=stack: np.stack([sk_equalize(f) for f in s]), repeat=1)
        err = float(np.abs(ours.astype(np.float64) - theirs).max())
        moved = stack.nbytes + ours.nbytes
        size = f"(1800,1,96,96) {name}"
        table.add("equalize_hist", size, t_ours, "skimage equalize_hist loop", t_sk, err, moved=moved)
        with threads(1):  # the scikit-image loop runs on one thread anyway
            t_one, _ = best_time(lambda s=stack: ps.equalize_hist(s))
        table.add("equalize_hist 1 thread", size, t_one, "skimage equalize_hist loop", t_sk, err, moved=moved)
        if name == "uint8":
            t_cv, _ = best_time(lambda s=stack: np.stack([cv2.equalizeHist(f[0]) for f in s]))
            note = "OpenCV writes uint8 (its own rounding), pixelsmith float64 (scikit-image's numbers)"
            table.add("equalize_hist", size, t_ours, "cv2.equalizeHist loop", t_cv, "n/a", note=note, moved=moved)
    table.save()


if __name__ == "__main__":
    main()
