"""The one run-length helper, against walking the array (tests/naive.py)."""

from __future__ import annotations

import numpy as np

import naive
from pixelsmith._runs import index_runs, true_runs


def test_runs_of_true_and_of_consecutive_indices(rng):
    for _ in range(300):
        n = int(rng.integers(0, 40))
        flags = rng.random(n) < rng.random()
        assert true_runs(flags).tolist() == naive.true_runs(flags)
        indices = np.cumsum(rng.integers(0, 3, n)) * (rng.random(n) < 0.9) - (rng.random(n) < 0.1)
        indices[rng.random(n) < 0.1] = -1
        assert index_runs(indices) == naive.index_runs(indices.tolist())
