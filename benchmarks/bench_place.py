"""Stamp placement: pixelsmith beside the scipy answers people are given.

Anchors (all scipy): `ndimage.shift` of a frame-sized zero-padded copy; `ndimage.shift`
of a zero-padded stamp added into its box; `RectBivariateSpline` of the stamp
evaluated over the whole frame. The stamp is a 32 x 32 Gaussian (sigma 3 px);
errors are against the analytic Gaussian at the placed centre, relative to the
peak, worst over 200 random sub-pixel placements. Slow anchors are timed on a
few placements and extrapolated (marked in the note).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi
from scipy.interpolate import RectBivariateSpline

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time, threads  # noqa: E402

N, SIGMA = 32, 3.0
SC = (N - 1) / 2


def gaussian(shape, center, sigma=SIGMA):
    yy, xx = np.indices(shape, dtype=float)
    return np.exp(-((yy - center[0]) ** 2 + (xx - center[1]) ** 2) / (2 * sigma**2))


STAMP = gaussian((N, N), (SC, SC))


def shift_frame(frame, center):
    """Answer 1: the stamp pasted into a frame-sized zero array, then the whole frame shifted."""
    big = np.zeros(frame.shape, np.float64)
    whole = np.floor(np.asarray(center) - SC).astype(int)
    r0, c0 = whole
    big[max(r0, 0) : r0 + N, max(c0, 0) : c0 + N] = STAMP[max(-r0, 0) :, max(-c0, 0) :][
        : frame.shape[0] - r0, : frame.shape[1] - c0
    ]
    frame += ndi.shift(big, np.asarray(center) - SC - whole, order=3, mode="constant")
    return frame


def shift_padded(frame, center, weight=1.0, margin=4):
    """Answer 2: a zero-padded stamp shifted by the fractional offset and added into its box."""
    padded = np.pad(STAMP, margin) * weight
    offset = np.asarray(center) - SC
    whole = np.floor(offset).astype(int)
    shifted = ndi.shift(padded, offset - whole, order=3, mode="constant")
    r0, c0 = whole - margin
    h, w = padded.shape
    rs, cs = max(r0, 0), max(c0, 0)
    re, ce = min(r0 + h, frame.shape[0]), min(c0 + w, frame.shape[1])
    if re > rs and ce > cs:
        frame[rs:re, cs:ce] += shifted[rs - r0 : re - r0, cs - c0 : ce - c0]
    return frame


SPLINE = RectBivariateSpline(np.arange(N), np.arange(N), STAMP, kx=3, ky=3, s=0)


def spline_frame(frame, center):
    """Answer 3: a RectBivariateSpline of the stamp evaluated over the whole frame (zero outside the stamp)."""
    rows = np.arange(frame.shape[0]) - center[0] + SC
    cols = np.arange(frame.shape[1]) - center[1] + SC
    values = SPLINE(rows, cols)
    inside = ((rows >= 0) & (rows <= N - 1))[:, None] & ((cols >= 0) & (cols <= N - 1))[None, :]
    frame += np.where(inside, values, 0.0)
    return frame


def worst_error(place, rng, count=200):
    side = N + 24
    worst = 0.0
    for center in rng.uniform(side / 2 - 1, side / 2 + 1, size=(count, 2)):
        frame = place(np.zeros((side, side)), center)
        worst = max(worst, float(np.abs(frame - gaussian((side, side), center)).max()))
    return worst


def main():
    table = Table("bench_place")
    table.start()
    rng = np.random.default_rng(3)

    errors = {
        "cubic": worst_error(lambda f, c: ps.add_stamp(f, STAMP, c), rng),
        "linear": worst_error(lambda f, c: ps.add_stamp(f, STAMP, c, order=1), rng),
        "lanczos3": worst_error(lambda f, c: ps.add_stamp(f, STAMP, c, order="lanczos3"), rng),
        "shift-frame": worst_error(shift_frame, rng, 20),
        "shift-padded": worst_error(shift_padded, rng),
        "spline-frame": worst_error(spline_frame, rng, 50),
    }
    print(
        "# worst error / peak vs the analytic Gaussian (sigma 3, 32x32), 200 placements: "
        + ", ".join(f"{k} {v:.2e}" for k, v in errors.items())
    )

    # one stamp: the cost must not grow with the frame
    for shape in [(100, 50), (2048, 2048), (4096, 4096)]:
        frame = np.zeros(shape, np.float32)
        center = (shape[0] / 2 + 0.37, shape[1] / 2 - 0.21)
        t_ours, _ = best_time(lambda frame=frame, center=center: ps.add_stamp(frame, STAMP, center), repeat=20)
        big = np.zeros(shape, np.float64)
        t_frame, _ = best_time(lambda big=big, center=center: shift_frame(big, center), repeat=1, warmup=0)
        label = f"{shape[0]}x{shape[1]}"
        table.add(
            "one stamp",
            label,
            t_ours,
            "ndimage.shift frame-sized",
            t_frame,
            errors["cubic"],
            note=f"anchor error {errors['shift-frame']:.1e}",
        )
        t_pad, _ = best_time(lambda big=big, center=center: shift_padded(big, center), repeat=20)
        table.add(
            "one stamp",
            label,
            t_ours,
            "ndimage.shift padded stamp",
            t_pad,
            errors["cubic"],
            note=f"anchor error {errors['shift-padded']:.1e}",
        )

    # 10,000 stamps into a 4096^2 float32 frame
    shape, count = (4096, 4096), 10_000
    centers = rng.uniform(-10, 4106, size=(count, 2))
    weights = rng.uniform(10, 1000, size=count)
    frame = np.zeros(shape, np.float32)
    t_ours, _ = best_time(lambda: ps.add_stamps(frame, STAMP, centers, weights=weights), repeat=3)
    pairs = list(zip(centers, weights, strict=True))
    t_loop, _ = best_time(lambda: [ps.add_stamp(frame, STAMP, c, weight=w) for c, w in pairs], repeat=1)
    ours = ps.add_stamps(np.zeros(shape, np.float64), STAMP, centers, weights=weights)

    def scipy_padded():
        out = np.zeros(shape, np.float64)
        for c, w in zip(centers, weights, strict=True):
            shift_padded(out, c, w)
        return out

    t_pad, theirs = best_time(scipy_padded, repeat=1, warmup=0)
    diff = float(np.abs(ours - theirs).max() / weights.max())
    size = "10k 32^2 in 4096^2"
    # each placement reads and writes its box of the frame (37 x 37 for a cubic 32 x 32 stamp)
    box = STAMP.shape[0] + 5
    moved = count * box * box * frame.itemsize * 2
    table.add("add_stamps", size, t_ours, "loop of add_stamp", t_loop, 0.0, note="bit-identical", moved=moved)
    table.add(
        "add_stamps",
        size,
        t_ours,
        "ndimage.shift padded stamp loop",
        t_pad,
        diff,
        note="max |ours - scipy| / max weight",
        moved=moved,
    )
    with threads(1):  # scipy's loop is single-threaded anyway
        t_one, _ = best_time(lambda: ps.add_stamps(frame, STAMP, centers, weights=weights), repeat=3)
    table.add(
        "add_stamps 1 thread",
        size,
        t_one,
        "ndimage.shift padded stamp loop",
        t_pad,
        diff,
        note="max |ours - scipy| / max weight",
        moved=moved,
    )
    few = 3
    t0 = time.perf_counter()
    big = np.zeros(shape)
    for c in centers[:few]:
        shift_frame(big, c)
    t_frame = (time.perf_counter() - t0) / few * count
    table.add(
        "add_stamps",
        size,
        t_ours,
        "ndimage.shift frame-sized (extrap.)",
        t_frame,
        errors["cubic"],
        note=f"timed {few}, x{count // few}",
    )
    t0 = time.perf_counter()
    for c in centers[:few]:
        spline_frame(big, c)
    t_spline = (time.perf_counter() - t0) / few * count
    table.add(
        "add_stamps",
        size,
        t_ours,
        "RectBivariateSpline frame (extrap.)",
        t_spline,
        errors["cubic"],
        note=f"timed {few}, x{count // few}; anchor error {errors['spline-frame']:.1e}",
    )
    table.save()


if __name__ == "__main__":
    main()
