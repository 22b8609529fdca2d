"""Stack statistics and 1-D peaks (issue 30): pixelsmith beside plain numpy and scipy, one thread and all.

- StackStats.add: ten 128^3 float32 volumes added one by one, against a plain
  numpy float64 Welford loop over the same volumes (the variance compared).
- StackStats.add_many: forty 128^3 volumes as one (128, 128, 128, 40) array,
  ``add_many(big, axis=-1)`` against ``big.var(axis=3)``.
- find_peaks on 1e6 samples of a moving average of noise against
  ``scipy.signal.find_peaks`` (the same indices asserted).

Each row runs with one thread and with all (``NUMBA_NUM_THREADS`` read per call);
the error column is the max relative difference of the variances, or the
number of differing peak indices.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from scipy.signal import find_peaks as scipy_find_peaks

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402


def numpy_welford(volumes):
    mean = np.zeros(volumes[0].shape)
    m2 = np.zeros(volumes[0].shape)
    for n, volume in enumerate(volumes, 1):
        x = volume.astype(np.float64)
        delta = x - mean
        mean += delta / n
        m2 += delta * (x - mean)
    return m2 / len(volumes)


def stack_add(volumes):
    stats = ps.StackStats(shape=volumes[0].shape)
    for volume in volumes:
        stats.add(volume)
    return stats.var()


def relative_error(got, want):
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))


def with_threads(count, func):
    previous = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = str(count)
    try:
        return func()
    finally:
        if previous is None:
            del os.environ["NUMBA_NUM_THREADS"]
        else:
            os.environ["NUMBA_NUM_THREADS"] = previous


def main():
    table = Table("bench_stack")
    table.start()
    rng = np.random.default_rng(0)
    volumes = [rng.normal(100.0, 3.0, (128, 128, 128)).astype(np.float32) for _ in range(10)]
    big = rng.normal(100.0, 3.0, (128, 128, 128, 40)).astype(np.float32)
    signal = np.convolve(rng.normal(size=1_000_000), np.ones(25) / 25, mode="same")
    every = os.cpu_count() or 1
    for threads in sorted({1, every}):
        label = f"{threads} thread" + ("s" if threads > 1 else "")
        t_numpy, want = best_time(lambda: numpy_welford(volumes))
        t_ours, got = with_threads(threads, lambda: best_time(lambda: stack_add(volumes)))
        moved = 10 * volumes[0].nbytes + 10 * volumes[0].size * 2 * (3 * 8 + 8 + 8 + 1 + 2 * 8)
        table.add(
            f"StackStats.add, {label}", "10 x 128^3 f32", t_ours, "numpy float64 Welford loop", t_numpy,
            relative_error(got, want), moved=moved,
        )  # fmt: skip
        t_var, want = best_time(lambda: big.var(axis=3, dtype=np.float64))
        t_many, got = with_threads(threads, lambda: best_time(lambda: ps.StackStats().add_many(big, axis=-1).var()))
        table.add(
            f"StackStats.add_many, {label}", "128^3 x 40 f32", t_many, "numpy var(axis=3)", t_var,
            relative_error(got, want), moved=big.nbytes + big[..., 0].size * 2 * (6 * 8 + 1),
        )  # fmt: skip
        t_scipy, theirs = best_time(lambda: scipy_find_peaks(signal)[0])
        t_peaks, ours = with_threads(threads, lambda: best_time(lambda: ps.find_peaks(signal).indices))
        differ = int(len(np.setxor1d(ours, theirs)))
        table.add(
            f"find_peaks 1-D, {label}", "1e6 samples", t_peaks, "scipy.signal.find_peaks", t_scipy, differ,
            note="error = indices that differ",
        )  # fmt: skip
    table.save()


if __name__ == "__main__":
    main()
