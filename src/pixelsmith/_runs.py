"""Runs of consecutive True values (footprint rows, page rows with ink) and of consecutive indices."""

from __future__ import annotations

import numpy as np


def true_runs(flags: np.ndarray) -> np.ndarray:
    """``(k, 2)`` int array of the ``[start, stop)`` of every run of True in a 1-D array."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.asarray(flags, dtype=np.int8), [0]))))
    return edges.reshape(-1, 2)


def index_runs(indices: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs ``(position, first index, length)`` of consecutive indices; negative entries (padding) are skipped."""
    indices = np.asarray(indices)
    steps_on = np.diff(indices) == 1  # entry j + 1 continues entry j
    runs = []
    for start, stop in true_runs(indices >= 0).tolist():
        breaks = start + 1 + np.flatnonzero(~steps_on[start : stop - 1])
        bounds = [start, *breaks.tolist(), stop]
        runs += [(a, int(indices[a]), b - a) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return runs
