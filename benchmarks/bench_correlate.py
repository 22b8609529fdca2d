"""Normalized cross-correlation: pixelsmith beside scikit-image and OpenCV (2048^2 image, 128^2 template).

Errors are the max |difference| from scikit-image's float64 match_template.
OpenCV computes in float32; it is given the raw data (as its users do) and,
separately, mean-centred data (its best case).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from skimage.feature import match_template as sk_match

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time, threads  # noqa: E402


def main():
    table = Table("bench_correlate")
    table.start()
    rng = np.random.default_rng(0)
    from skimage import data, transform

    real = transform.resize(data.camera().astype(np.float64), (2048, 2048), order=1) + rng.normal(0, 2, (2048, 2048))
    for label, image in (("random", rng.normal(size=(2048, 2048))), ("camera x4", real)):
        template = image[700:828, 900:1028] + rng.normal(0, 0.3 * image.std(), (128, 128))
        t_ours, ours = best_time(lambda im=image, t=template: ps.ncc(im, t))
        t_sk, sk = best_time(lambda im=image, t=template: sk_match(im, t), repeat=1)
        err = float(np.abs(ours - sk).max())
        size = f"2048^2 / 128^2 {label}"
        moved = image.nbytes + ours.nbytes  # an FFT method is compute-bound: GB/s says how far from a copy
        table.add("ncc valid", size, t_ours, "skimage match_template", t_sk, err, moved=moved)
        im32, t32 = image.astype(np.float32), template.astype(np.float32)
        t_cv, cv = best_time(lambda a=im32, b=t32: cv2.matchTemplate(a, b, cv2.TM_CCOEFF_NORMED))
        table.add(
            "ncc valid",
            size,
            t_ours,
            "OpenCV TM_CCOEFF_NORMED",
            t_cv,
            err,
            note=f"OpenCV max error vs skimage {float(np.abs(cv - sk).max()):.1e}",
            moved=moved,
        )
        with threads(1):  # both sides on one thread: the ratio a smaller machine sees
            t_one, _ = best_time(lambda im=image, t=template: ps.ncc(im, t))
            t_cv_one, _ = best_time(lambda a=im32, b=t32: cv2.matchTemplate(a, b, cv2.TM_CCOEFF_NORMED))
        table.add("ncc valid 1 thread", size, t_one, "OpenCV TM_CCOEFF_NORMED, 1 thread", t_cv_one, err, moved=moved)
        c32, ct32 = (image - image.mean()).astype(np.float32), (template - template.mean()).astype(np.float32)
        t_cvc, cvc = best_time(lambda a=c32, b=ct32: cv2.matchTemplate(a, b, cv2.TM_CCOEFF_NORMED))
        table.add(
            "ncc valid",
            size,
            t_ours,
            "OpenCV, centred input",
            t_cvc,
            err,
            note=f"OpenCV max error vs skimage {float(np.abs(cvc - sk).max()):.1e}",
            moved=moved,
        )
    x = rng.normal(size=100_000)
    y = np.roll(x, 17) + rng.normal(size=100_000)
    t_ours, (lags, r) = best_time(lambda: ps.ccf(y, x, max_lag=50))
    t_np, full = best_time(lambda: np.correlate(y - y.mean(), x - x.mean(), mode="full"), repeat=1)
    ref = full[len(x) - 1 - 50 : len(x) + 50] / (len(x) * x.std() * y.std())
    table.add(
        "ccf",
        "1e5 samples, lag 50",
        t_ours,
        "np.correlate full",
        t_np,
        float(np.abs(r - ref).max()),
        note=f"best lag {ps.best_lag(y, x, 50)[0]} (true 17)",
    )
    table.save()


if __name__ == "__main__":
    main()
