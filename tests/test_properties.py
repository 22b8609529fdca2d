"""Hypothesis properties of the numeric families against the brute-force references (issue 18).

Windows, blocks, NCC, apertures and NaN filling, on small arrays hypothesis chooses
(NaN included where a function takes it), compared with tests/naive.py.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import naive
import pixelsmith as ps

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)  # the same examples on every CI run
MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]
values = st.floats(-1e3, 1e3, allow_nan=False, width=64)
small_2d = st.tuples(st.integers(1, 9), st.integers(1, 9))


@SETTINGS
@given(
    a=arrays(np.float64, small_2d, elements=values),
    window=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stat=st.sampled_from(["mean", "sum", "var", "std", "min", "max", "count"]),
    mode=st.sampled_from(MODES),
    holes=st.integers(0, 3),
    seed=st.integers(0, 2**16),
)
def test_windows_match_brute_force(a, window, stat, mode, holes, seed):
    rng = np.random.default_rng(seed)
    a = a.copy()
    a.flat[rng.choice(a.size, min(holes, a.size), replace=False)] = np.nan
    func = getattr(ps, f"local_{stat}")
    got = func(a, window, mode=mode, cval=2.5, nan_policy="omit")
    want = naive.local_stat(a, stat, window, mode=mode, cval=2.5, nan_policy="omit")
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * (1 + np.nanmax(np.abs(a), initial=0)))


@SETTINGS
@given(
    a=arrays(np.float64, small_2d, elements=values),
    block=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    func=st.sampled_from(["sum", "mean", "var", "std", "min", "max", "count_nonzero"]),
    boundary=st.sampled_from(["trim", "pad"]),
)
def test_blocks_match_brute_force(a, block, func, boundary):
    if boundary == "trim" and any(n < b for n, b in zip(a.shape, block, strict=True)):
        return  # refused (tested elsewhere): the block is larger than the array
    got = ps.block_reduce(a, block, func, boundary=boundary, cval=1.5)
    want = naive.block_reduce(a, block, func, boundary=boundary, cval=1.5)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * (1 + np.abs(a).max()))


@SETTINGS
@given(
    image=arrays(np.float64, st.tuples(st.integers(6, 14), st.integers(6, 14)), elements=values),
    shape=st.tuples(st.integers(2, 5), st.integers(2, 5)),
    corner=st.tuples(st.integers(0, 8), st.integers(0, 8)),
)
def test_ncc_matches_brute_force(image, shape, corner):
    r0, c0 = min(corner[0], image.shape[0] - shape[0]), min(corner[1], image.shape[1] - shape[1])
    template = image[r0 : r0 + shape[0], c0 : c0 + shape[1]].copy()
    if np.ptp(template) < 1e-6:
        return  # a flat template has no correlation (refused, tested elsewhere)
    got = ps.ncc(image, template)
    want = naive.ncc_valid(image, template)
    windows = np.lib.stride_tricks.sliding_window_view(image, shape)
    variance = windows.var(axis=(-2, -1))
    flat = np.array([[np.ptp(windows[i, j]) < 1e-6 for j in range(want.shape[1])] for i in range(want.shape[0])])
    # the documented bound: about 1e-16 * range^2 / window variance (nearly flat windows lose digits)
    bound = 1e-9 + 1e-14 * np.ptp(image) ** 2 / np.maximum(variance, 1e-300)
    assert np.all(np.abs(got - want)[~flat] <= bound[~flat])
    assert np.all(np.abs(got) <= 1 + 1e-9)


@SETTINGS
@given(cy=st.floats(2, 17), cx=st.floats(2, 17), radius=st.floats(0.5, 6), seed=st.integers(0, 2**16))
def test_center_apertures_match_a_mask(cy, cx, radius, seed):
    image = np.random.default_rng(seed).random((20, 20))
    yy, xx = np.mgrid[:20, :20]
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 < radius**2
    got = ps.aperture_sums(image, [(cy, cx)], radius, method="center")
    np.testing.assert_allclose(got.sums[0], image[inside].sum(), rtol=1e-12, atol=1e-12)
    assert got.areas[0] == inside.sum()
    exact = ps.aperture_sums(np.ones((20, 20)), [(cy, cx)], radius).sums[0]
    inner = all(radius <= min(c, 19 - c) + 0.5 for c in (cy, cx))
    if inner:  # fully inside the image: the exact area is the disk's
        np.testing.assert_allclose(exact, np.pi * radius**2, rtol=1e-9)


@SETTINGS
@given(
    a=arrays(np.float64, st.tuples(st.integers(3, 8), st.integers(3, 8)), elements=st.floats(-10, 10)),
    seed=st.integers(0, 2**16),
    holes=st.integers(1, 6),
)
def test_harmonic_fill_matches_the_dense_solve_and_stays_within_bounds(a, seed, holes):
    rng = np.random.default_rng(seed)
    gappy = a.copy()
    gappy.flat[rng.choice(a.size, min(holes, a.size - 1), replace=False)] = np.nan
    got = ps.fill_nans(gappy, method="harmonic")
    np.testing.assert_allclose(got, naive.harmonic_fill(gappy), atol=1e-9)
    known = gappy[np.isfinite(gappy)]
    assert got.min() >= known.min() - 1e-9 and got.max() <= known.max() + 1e-9
