"""Moving-window statistics against brute force, scipy, and their own properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi

import naive
import pixelsmith as ps
from expect import raises_naming
from pixelsmith import PixelsmithTypeError, PixelsmithValueError

STATS = ["mean", "sum", "var", "std", "min", "max", "count"]
MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]
FUNCS = {s: getattr(ps, f"local_{s}") for s in STATS}

# (shape, box window, footprint shape): even sizes and windows longer than an axis included
CASES = {
    1: ((23,), (30,), (6,)),
    2: ((13, 11), (4, 3), (5, 4)),
    3: ((7, 6, 5), (3, 2, 3), (3, 3, 2)),
    4: ((5, 4, 4, 3), (3, 2, 3, 2), (2, 3, 2, 3)),
}


def _footprint(shape, seed=3):
    fp = np.random.default_rng(seed).random(shape) > 0.4
    fp.flat[0] = True
    return fp


def _check(result, expected, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(result, expected, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("stat", STATS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
@pytest.mark.parametrize("kind", ["box", "footprint"])
def test_matches_brute_force(stat, mode, ndim, kind, rng):
    shape, box, fp_shape = CASES[ndim]
    a = rng.normal(5.0, 2.0, size=shape)
    if kind == "box":
        result = FUNCS[stat](a, box, mode=mode, cval=1.5)
        expected = naive.local_stat(a, stat, box, mode=mode, cval=1.5)
    else:
        fp = _footprint(fp_shape)
        result = FUNCS[stat](a, footprint=fp, mode=mode, cval=1.5)
        expected = naive.local_stat(a, stat, fp_shape, footprint=fp, mode=mode, cval=1.5)
    assert result.shape == a.shape
    _check(result, expected)


@pytest.mark.parametrize("stat", STATS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("nan_policy", ["propagate", "omit"])
@pytest.mark.parametrize("kind", ["box", "footprint"])
def test_nan_policies_match_brute_force(stat, mode, nan_policy, kind, rng):
    a = rng.normal(size=(14, 12))
    a[rng.random(a.shape) < 0.15] = np.nan
    a[2:7, 3:8] = np.nan  # a hole wider than the window: windows with no value
    if kind == "box":
        args, ref_window, fp = {"size": 3}, (3, 3), None
    else:
        fp = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
        args, ref_window = {"footprint": fp}, (3, 3)
    result = FUNCS[stat](a, mode=mode, nan_policy=nan_policy, **args)
    expected = naive.local_stat(a, stat, ref_window, footprint=fp, mode=mode, nan_policy=nan_policy)
    _check(result, expected)
    if nan_policy == "omit" and stat != "count":
        assert np.isnan(result[4, 5])  # the window sees only NaN


@pytest.mark.parametrize("mode", MODES)
def test_agrees_with_scipy_ndimage(mode, rng):
    a = rng.normal(size=(40, 37))
    size = (5, 4)
    _check(ps.local_mean(a, size, mode=mode, cval=2.0), ndi.uniform_filter(a, size, mode=mode, cval=2.0))
    _check(ps.local_min(a, size, mode=mode, cval=2.0), ndi.minimum_filter(a, size, mode=mode, cval=2.0))
    _check(ps.local_max(a, size, mode=mode, cval=2.0), ndi.maximum_filter(a, size, mode=mode, cval=2.0))
    disk = np.add.outer(np.arange(-3, 4) ** 2, np.arange(-3, 4) ** 2) <= 9
    _check(
        ps.local_max(a, footprint=disk, mode=mode),
        ndi.maximum_filter(a, footprint=disk, mode=mode),
    )
    _check(
        ps.local_var(a, footprint=disk, mode=mode),
        ndi.generic_filter(a, np.var, footprint=disk, mode=mode),
    )


@pytest.mark.parametrize("stat", ["mean", "sum", "var", "std", "min", "max"])
def test_crop_valid_is_the_inner_part(stat, rng):
    a = rng.normal(size=(9, 10, 11))
    size = (3, 4, 5)
    result = FUNCS[stat](a, size, crop="valid")
    assert result.shape == (7, 7, 7)
    _check(result, naive.local_stat(a, stat, size, crop="valid"))
    # the same windows sit inside the 'same' result, for any mode
    same = FUNCS[stat](a, size, mode="wrap")
    _check(result, same[1:-1, 2:-1, 2:-2])


def test_axes_window_per_frame(rng):
    stack = rng.normal(size=(4, 20, 18))
    result = ps.local_std(stack, 5, axes=(1, 2))
    for t in range(4):
        _check(result[t], ps.local_std(stack[t], 5))
    # negative axes and a single axis
    _check(ps.local_mean(stack, 3, axes=-1), naive.local_stat(stack, "mean", (1, 1, 3)))


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 1e-4)])
@pytest.mark.parametrize("size", [3, 5, 15])
def test_variance_accuracy_with_large_offset(dtype, rtol, size, rng):
    # 1e4 + N(0, 1): the E[x^2] - E[x]^2 recipe loses every float32 digit here
    a = (1e4 + rng.standard_normal((300, 700))).astype(dtype)
    result = ps.local_var(a, size)
    assert result.dtype == dtype
    expected = naive.local_stat(a.astype(np.float64), "var", (size, size))
    assert np.all(result >= 0)
    np.testing.assert_allclose(result, expected, rtol=rtol)
    np.testing.assert_allclose(ps.local_std(a, size), np.sqrt(expected), rtol=rtol)


def test_variance_accuracy_across_many_tiles(rng):
    # larger than several grid cells and threads: tiles meet without seams
    a = 1e6 + rng.standard_normal((700, 2300))
    result = ps.local_var(a, 7, mode="wrap")
    expected = naive.local_stat(a, "var", (7, 7), mode="wrap")
    np.testing.assert_allclose(result, expected, rtol=1e-9)


def test_outlier_leaves_no_residue():
    # a running sum would carry the rounding error of 1e12**2 into later windows
    a = np.ones(2000)
    a[::2] = 2.0
    a[100] = 1e12
    var = ps.local_var(a, 21)
    expected = naive.local_stat(a, "var", (21,))
    np.testing.assert_allclose(var[200:], expected[200:], rtol=1e-12)
    np.testing.assert_array_equal(ps.local_sum(a, 21)[200:], naive.local_stat(a, "sum", (21,))[200:])


def test_dtypes():
    a8 = np.arange(30, dtype=np.uint8).reshape(5, 6)
    assert ps.local_mean(a8).dtype == np.float64
    assert ps.local_max(a8).dtype == np.float64
    assert ps.local_count(a8).dtype == np.int64
    assert ps.local_mean(a8.astype(np.float32)).dtype == np.float32
    assert ps.local_mean(a8, dtype=np.float32).dtype == np.float32
    assert ps.local_sum(a8 > 10).dtype == np.float64
    np.testing.assert_array_equal(ps.local_sum(a8 > 10, 3), naive.local_stat(a8 > 10, "sum", (3, 3)))


def test_count_with_nan_cval_counts_inside_pixels():
    a = np.ones((4, 5))
    count = ps.local_count(a, 3, mode="constant", cval=np.nan)
    assert count[0, 0] == 4 and count[1, 1] == 9 and count[0, 2] == 6
    mean = ps.local_mean(a * 2, 3, mode="constant", cval=np.nan, nan_policy="omit")
    np.testing.assert_array_equal(mean, 2.0)


def test_ddof():
    a = np.arange(10.0)
    _check(ps.local_var(a, 3, ddof=1), naive.local_stat(a, "var", (3,), ddof=1))
    assert np.isnan(ps.local_var(a, 1, ddof=1)).all()


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: ps.local_mean(np.ones((4, 4)), 0), PixelsmithValueError, "`size`"),
        (lambda: ps.local_mean(np.ones((4, 4)), (3, 3, 3)), PixelsmithValueError, "`size` has 3"),
        (lambda: ps.local_mean(np.ones((4, 4)), 2.5), PixelsmithTypeError, "`size`"),
        (lambda: ps.local_mean(np.ones((4, 4)), mode="edge"), PixelsmithValueError, "`mode`"),
        (lambda: ps.local_mean(np.ones((4, 4)), crop="full"), PixelsmithValueError, "`crop`"),
        (lambda: ps.local_mean(np.ones((4, 4)), nan_policy="raise"), PixelsmithValueError, "nan_policy"),
        (lambda: ps.local_mean(np.ones((4, 4)) * 1j), PixelsmithTypeError, "complex"),
        (lambda: ps.local_mean(np.ones((0, 4))), PixelsmithValueError, "empty"),
        (lambda: ps.local_mean(np.float64(3.0)), PixelsmithValueError, "scalar"),
        (lambda: ps.local_mean(np.array(["a", "b"])), PixelsmithTypeError, "numeric"),
        (lambda: ps.local_mean(np.ones((4, 4)), footprint=np.ones(3, bool)), PixelsmithValueError, "footprint"),
        (
            lambda: ps.local_mean(np.ones((4, 4)), footprint=np.zeros((3, 3), bool)),
            PixelsmithValueError,
            "at least one",
        ),
        (lambda: ps.local_mean(np.ones((4, 4)), axes=(0, 2)), PixelsmithValueError, "`axes`"),
        (lambda: ps.local_mean(np.ones((4, 4)), axes=(0, 0)), PixelsmithValueError, "repeat"),
        (lambda: ps.local_mean(np.ones((4, 4)), 5, crop="valid"), PixelsmithValueError, "crop='valid'"),
        (lambda: ps.local_var(np.ones((4, 4)), ddof=-1), PixelsmithValueError, "`ddof`"),
        (lambda: ps.local_mean(np.ones((4, 4)), dtype=complex), PixelsmithTypeError, "`dtype`"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace("[", r"\[")):
        call()


def test_errors_are_value_and_type_errors():
    with pytest.raises(ValueError):
        ps.local_mean(np.ones(3), mode="nope")
    with pytest.raises(TypeError):
        ps.local_mean(np.ones(3, complex))


def test_even_size_follows_scipy_origin(rng):
    a = rng.normal(size=(12, 12))
    _check(ps.local_mean(a, 4), ndi.uniform_filter(a, 4))
    _check(ps.local_max(a, (2, 6)), ndi.maximum_filter(a, (2, 6)))


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None)
@given(
    a=arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=finite),
    size=st.integers(1, 6),
    mode=st.sampled_from(MODES),
)
def test_properties_var_nonnegative_and_ordering(a, size, mode):
    var = ps.local_var(a, size, mode=mode)
    assert np.all(var >= 0)
    lo, mean, hi = (
        ps.local_min(a, size, mode=mode),
        ps.local_mean(a, size, mode=mode),
        ps.local_max(a, size, mode=mode),
    )
    tol = 1e-9 * (1 + np.abs(a).max())
    assert np.all(lo <= mean + tol) and np.all(mean <= hi + tol)


@pytest.mark.slow  # exhaustive grid: make test runs it, make test-fast skips it
@pytest.mark.parametrize("stat", ["min", "max"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.uint16, np.int16])
def test_the_box_extreme_path_equals_the_general_engine(stat, dtype, monkeypatch):
    """Box min/max of large 1-D and 2-D arrays run van Herk / Gil-Werman in the input's dtype: same answers."""
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(7)
    image = (rng.normal(size=(300, 257)) * 40 + 100).astype(dtype)
    line = image.reshape(-1)[:70_001]
    func = getattr(ps, f"local_{stat}")
    cases = [(image, size, mode) for size in (7, 8, 15, (5, 31), (1, 8)) for mode in MODES]
    cases += [(line, size, mode) for size in (7, 16) for mode in MODES]
    thin = image.reshape(-1)[: 3 * 25_000].reshape(3, 25_000)  # windows longer than an axis: pads repeat
    cases += [(thin, size, mode) for size in ((9, 3), (7, 4)) for mode in MODES]
    fast = [func(a, size, mode=mode, cval=7.0) for a, size, mode in cases]
    assert plan._box_extreme_applies(image, plan.window_spec(stat, image.shape, image.dtype, 9), "same")
    monkeypatch.setattr(plan, "_box_extreme_applies", lambda *args: False)
    for got, (a, size, mode) in zip(fast, cases, strict=True):
        want = func(a, size, mode=mode, cval=7.0)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{size} {mode} {a.shape}")


@pytest.mark.parametrize(
    ("stat", "dtype"),
    [("mean", np.float32), ("mean", np.float64), ("mean", np.uint8), ("sum", np.float64), ("sum", np.int16)],
)  # float64 data: the only kind whose sums of a few values round, so the only one that shows their order
def test_the_fused_box_sum_equals_the_engine_bit_for_bit(stat, dtype, monkeypatch):
    """Box sums and means of large 1-D and 2-D arrays run one fused pass (`_kernels/box.py`) with the
    engine's own arithmetic: the same bits, so numpy and dask (which tiles with the engine) agree exactly."""
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(17)
    image = (rng.normal(size=(300, 257)) * 40 + 1e4).astype(dtype) if dtype != np.uint8 else None
    if image is None:
        image = rng.integers(0, 256, (300, 257)).astype(np.uint8)
    line = image.reshape(-1)[:70_001]
    func = getattr(ps, f"local_{stat}")
    # 2-8: passes of 1-4 rows; the row's last 1-4 additions fused with the output (w 2-5 alone, 6-8 after a pass)
    sizes = (3, 8, 9, 31, (4, 17), (13, 2), (1, 12), (40, 1), (5, 6), (6, 7), (7, 5), (17, 4))
    cases = [(image, size, mode) for size in sizes for mode in MODES]
    cases += [(line, size, mode) for size in (3, 16) for mode in MODES]
    thin = image.reshape(-1)[: 3 * 25_000].reshape(3, 25_000)  # windows longer than an axis: pads repeat
    # (1, 600): Gil-Werman blocks of 600 values along the row; (7, 11): many short blocks a row
    cases += [(thin, size, mode) for size in ((9, 3), (7, 11), (1, 600)) for mode in MODES]
    calls = []
    real = plan._box_sum
    monkeypatch.setattr(plan, "_box_sum", lambda *args: calls.append(1) or real(*args))
    fast = [func(a, size, mode=mode, cval=1.5) for a, size, mode in cases]
    assert len(calls) == len(cases)
    monkeypatch.setattr(plan, "_box_sum", lambda *args: None)
    for got, (a, size, mode) in zip(fast, cases, strict=True):
        want = func(a, size, mode=mode, cval=1.5)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{size} {mode} {a.shape}")


def test_the_fused_box_sum_kernel_matches_numpy_in_any_band_of_rows():
    """The kernel against tests/naive.py, called on uneven bands of rows (as threads split the work)."""
    import naive
    from pixelsmith._kernels import box
    from pixelsmith._modes import edge_indices

    rng = np.random.default_rng(18)
    image = rng.normal(size=(61, 47)).astype(np.float32)
    for w0, w1, mode in ((3, 5, "reflect"), (9, 17, "constant"), (31, 4, "wrap"), (12, 9, "mirror"), (1, 1, "nearest")):
        row_map = edge_indices(-(w0 // 2), 61 + w0 - 1 - w0 // 2, 61, mode)
        col_map = edge_indices(-(w1 // 2), 47 + w1 - 1 - w1 // 2, 47, mode)
        out = np.empty((61, 47))
        for r0, r1 in ((0, 7), (7, 8), (8, 40), (40, 61)):
            assert box.box_rows(
                image,
                row_map,
                col_map,
                w0,
                w1,
                -(w0 // 2),
                -(w1 // 2),
                2.0,
                True,
                w0 * w1,
                True,
                r0,
                r1,
                out,
            )
        expected = naive.local_stat(image, "mean", (w0, w1), mode=mode, cval=2.0)
        np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-13)
    holes = image.copy()
    holes[30, 20] = np.inf
    huge = np.full((61, 47), 1e308)  # finite values whose sums overflow: only the results tell
    for w1 in (1, 3, 5, 17):  # one column, the fused direct sums, Gil-Werman
        row_map = edge_indices(-1, 62, 61, "reflect")
        col_map = edge_indices(-(w1 // 2), 47 + w1 - 1 - w1 // 2, 47, "reflect")
        out = np.empty((61, 47))
        for mean in (True, False):
            args = (row_map, col_map, 3, w1, -1, -(w1 // 2), 0.0, mean, 3.0 * w1)
            assert not box.box_rows(holes, *args, True, 0, 61, out), w1  # an inf read
            assert not box.box_rows(huge, *args, True, 0, 61, out), w1  # an inf result
            assert box.box_rows(huge, *args, False, 0, 61, out), w1  # not asked: integers cannot overflow
            assert box.box_rows(image, *args, True, 0, 61, out), w1
    assert np.all(ps.local_mean(np.full((300, 300), 1e308), 3) == 1e308)  # the engine rescales: finite


def test_the_fused_box_sum_has_no_drift_and_hands_nan_to_the_engine():
    """Every window sum is formed from its own values only (direct, or two Gil-Werman partial sums):
    a 1e12 outlier leaves no residue, and a 1e4 offset keeps float32 means within float32 rounding."""
    import naive

    rng = np.random.default_rng(19)
    ones = 1.0 + rng.random((400, 300))
    ones[100, 100] = 1e12
    for size in (5, 21):
        got = ps.local_sum(ones, size)
        expected = naive.local_stat(ones, "sum", (size, size))
        away = np.ones(ones.shape, bool)
        away[100 - size : 100 + size, 100 - size : 100 + size] = False
        np.testing.assert_allclose(got[away], expected[away], rtol=1e-14)
    offset = (1e4 + rng.standard_normal((300, 250))).astype(np.float32)
    for size in (3, 15):
        np.testing.assert_allclose(
            ps.local_mean(offset, size), naive.local_stat(offset, "mean", (size, size)), rtol=2**-24
        )
    holes = offset.copy()
    holes[50, 60] = np.nan
    assert np.isnan(ps.local_mean(holes, 5)[52, 62]) and not np.isnan(ps.local_mean(holes, 5)[53, 62])
    omit = ps.local_mean(holes, 5, nan_policy="omit")
    np.testing.assert_allclose(omit, naive.local_stat(holes, "mean", (5, 5), nan_policy="omit"), rtol=2**-24)


def test_the_box_extreme_path_leaves_nan_and_unholdable_cvals_to_the_engine():
    import pixelsmith.local._plan as plan

    image = np.random.default_rng(8).random((300, 300))
    spec = plan.window_spec("max", image.shape, image.dtype, 9)
    assert plan._box_extreme_applies(image, spec, "same")
    assert plan._box_extreme(image, spec) is not None
    holes = image.copy()
    holes[5, 5] = np.nan
    assert plan._box_extreme(holes, spec) is None  # the kernel reports the NaN; the engine answers
    # NaN or inf anywhere (the band's first rows, each new last row), float32 or float64, short or long windows
    for dtype, bad, (r, c), size in itertools.product(
        (np.float32, np.float64), (np.nan, np.inf, -np.inf), ((0, 0), (299, 150), (150, 299)), (3, 9)
    ):
        spoiled = image.astype(dtype)
        spoiled[r, c] = bad
        assert plan._box_extreme(spoiled, plan.window_spec("max", image.shape, dtype, size)) is None, (dtype, bad)
    assert np.isnan(ps.local_max(holes, 9)[5, 5]) and np.isnan(ps.local_max(holes, 9)[7, 7])
    assert not np.isnan(ps.local_max(holes, 9)[5, 10])
    counts = (image * 200).astype(np.uint8)
    half = plan.window_spec("max", counts.shape, counts.dtype, 9, mode="constant", cval=0.5)
    assert not plan._box_extreme_applies(counts, half, "same")
    assert ps.local_max(counts * 0, 9, mode="constant", cval=0.5)[0, 0] == 0.5


def test_van_herk_kernels_match_the_numpy_reference():
    """The fused box min/max kernel against numpy over every window, on uneven bands of rows."""
    import naive
    from pixelsmith._kernels import extreme
    from pixelsmith._modes import edge_indices

    rng = np.random.default_rng(9)
    cases = ((1, 2, "reflect"), (5, 13, "wrap"), (13, 5, "constant"), (37, 8, "mirror"), (9, 53, "nearest"))
    for dtype in (np.float32, np.uint8, np.int16):
        image = (rng.normal(size=(37, 53)) * 50).astype(dtype)
        for w0, w1, mode in cases:
            row_map = edge_indices(-(w0 // 2), 37 + w0 - 1 - w0 // 2, 37, mode)
            col_map = edge_indices(-(w1 // 2), 53 + w1 - 1 - w1 // 2, 53, mode)
            pads = [(w0 // 2, w0 - 1 - w0 // 2), (w1 // 2, w1 - 1 - w1 // 2)]
            padded = naive.pad_like_scipy(image, pads, mode, 3)
            for take_max in (True, False):
                out = np.empty((37, 53))
                for r0, r1 in ((0, 5), (5, 6), (6, 30), (30, 37)):
                    assert extreme.box_extreme_rows(
                        image, row_map, col_map, w0, w1, take_max, dtype(3), dtype == np.float32, r0, r1, out
                    )
                expected = naive.sliding_extreme(naive.sliding_extreme(padded, w0, 0, take_max), w1, 1, take_max)
                np.testing.assert_array_equal(out, expected, err_msg=f"{dtype} {w0} {w1} {mode} {take_max}")
    holes = np.ones((20, 20), np.float32)
    holes[19, 3] = np.nan  # the last row: read only by the band's last windows
    maps = edge_indices(-1, 21, 20, "reflect")
    assert not extreme.box_extreme_rows(holes, maps, maps, 3, 3, True, np.float32(0), True, 0, 20, np.empty((20, 20)))


def test_box_extremes_take_every_short_window_in_few_passes():
    """Windows of 1 to 9 along each axis: the first pass of 2 to 5 rows and then three a pass, the one-pass
    rows of 3 to 5 and the pairs-then-four rows of 6 to 8, against numpy, with `fill` rows and columns."""
    import naive
    from pixelsmith._kernels import extreme
    from pixelsmith._modes import edge_indices

    rng = np.random.default_rng(11)
    for dtype in (np.float32, np.uint8):
        image = (rng.normal(size=(23, 29)) * 50 + 60).astype(dtype)
        for mode in ("constant", "reflect"):
            for w0 in range(1, 10):
                for w1 in range(1, 10):
                    row_map = edge_indices(-(w0 // 2), 23 + w0 - 1 - w0 // 2, 23, mode)
                    col_map = edge_indices(-(w1 // 2), 29 + w1 - 1 - w1 // 2, 29, mode)
                    pads = [(w0 // 2, w0 - 1 - w0 // 2), (w1 // 2, w1 - 1 - w1 // 2)]
                    padded = naive.pad_like_scipy(image, pads, mode, 3)
                    for take_max in (True, False):
                        out = np.empty((23, 29), dtype)
                        fine = extreme.box_extreme_rows(
                            image, row_map, col_map, w0, w1, take_max, dtype(3), dtype == np.float32, 0, 23, out
                        )
                        expected = naive.sliding_extreme(
                            naive.sliding_extreme(padded, w0, 0, take_max), w1, 1, take_max
                        )
                        assert fine
                        np.testing.assert_array_equal(out, expected, err_msg=f"{dtype} {w0} {w1} {mode} {take_max}")
    maps = edge_indices(-2, 22, 20, "reflect")
    for row, value in ((0, np.nan), (10, np.inf), (19, -np.inf)):  # the first window, the middle, the last row
        holes = np.ones((20, 20), np.float32)
        holes[row, 7] = value
        out = np.empty((20, 20))
        assert not extreme.box_extreme_rows(holes, maps, maps, 5, 5, True, np.float32(0), True, 0, 20, out)


def test_box_extremes_in_the_inputs_own_integer_dtype():
    """dtype= the input's integer dtype: the fused kernel writes it directly, the same values as the default."""
    rng = np.random.default_rng(10)
    for dtype in (np.uint8, np.uint16, np.int16):
        image = rng.integers(0, 250, (300, 260)).astype(dtype)
        for size, mode in ((3, "reflect"), (5, "constant"), (15, "wrap"), ((31, 4), "nearest")):
            for func in (ps.local_min, ps.local_max):
                own = func(image, size, mode=mode, cval=7, dtype=dtype)
                assert own.dtype == dtype
                np.testing.assert_array_equal(own, func(image, size, mode=mode, cval=7))


def _disk(r):
    d = np.arange(-r, r + 1)
    return np.add.outer(d**2, d**2) <= r * r


@pytest.mark.parametrize(
    ("stat", "dtype"),
    [("min", np.float32), ("max", np.uint8), ("max", np.int16), ("sum", np.float64), ("mean", np.float32)]
    + [("mean", np.uint16), ("min", np.float64)],
)
def test_the_fused_footprint_path_equals_the_engine_bit_for_bit(stat, dtype, monkeypatch, answered):
    """Footprints over large 1-D and 2-D arrays stream doubling tables (`_kernels/footprint.py`); the engine
    forms run sums from the same tables in the same order, so sums agree to the bit (numpy and dask too)."""
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(23)
    image = (rng.normal(size=(300, 257)) * 40 + 1e3).astype(dtype)
    long_run = np.zeros((3, 40), bool)
    long_run[0, 2:33] = True  # a run of 31: five doubling terms
    long_run[2, ::3] = True
    footprints = [_disk(3), _disk(7), rng.random((6, 9)) > 0.4, long_run, np.array([[1, 0, 1, 1]], bool)]
    func = getattr(ps, f"local_{stat}")
    cases = [(image, fp, mode) for fp in footprints for mode in MODES]
    line = image.reshape(-1)[:70_001]
    cases += [(line, np.array([1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1], bool), mode) for mode in MODES]
    thin = image.reshape(-1)[: 3 * 25_000].reshape(3, 25_000)  # windows taller than the array: pads repeat
    cases += [(thin, _disk(4), mode) for mode in MODES]
    record = answered(plan, "_footprint_fused")
    fast = [func(a, footprint=fp, mode=mode, cval=7.0) for a, fp, mode in cases]
    assert len(record) == len(cases) and all(record)
    monkeypatch.setattr(plan, "_footprint_applies", lambda *args: False)
    for got, (a, fp, mode) in zip(fast, cases, strict=True):
        want = func(a, footprint=fp, mode=mode, cval=7.0)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{fp.shape} {mode} {a.shape}")


def test_the_footprint_kernels_match_numpy_in_any_band_and_strip():
    """Both kernels against tests/naive.py on uneven bands of rows and strips of columns narrower than the
    image (as threads and the cache-sized strips split the work)."""
    import naive
    from pixelsmith._kernels import footprint as kf
    from pixelsmith._modes import edge_indices
    from pixelsmith.local import _engine as engine

    rng = np.random.default_rng(24)
    image = rng.normal(size=(41, 57)).astype(np.float32)
    for fp, mode in ((_disk(2), "reflect"), (rng.random((7, 12)) > 0.5, "constant"), (_disk(9), "wrap")):
        fp[fp.shape[0] // 2, 0] = True  # at least one run in the middle row, whatever the draw
        fh, fw = fp.shape
        row_map = edge_indices(-(fh // 2), 41 + fh - 1 - fh // 2, 41, mode)
        col_map = edge_indices(-(fw // 2), 57 + fw - 1 - fw // 2, 57, mode)
        runs = engine.footprint_runs(fp)
        levels = max(n for _, _, n in runs).bit_length()
        extremes = np.array([(row[0], s, n, n.bit_length() - 1) for row, s, n in runs], dtype=np.int64)
        terms, sums = [], []
        for row, s, n in runs:
            first, offset = len(terms), 0
            for k in range(n.bit_length() - 1, -1, -1):
                if n >> k & 1:
                    terms.append((k, offset))
                    offset += 1 << k
            sums.append((row[0], s, first, len(terms)))
        for strip in (5, 16, 57):
            lowest, highest, mean = (np.empty((41, 57)) for _ in range(3))
            for r0, r1 in ((0, 6), (6, 7), (7, 30), (30, 41)):
                for take_max, out in ((False, lowest), (True, highest)):
                    assert kf.footprint_extreme_rows(
                        image, row_map, col_map, fw // 2, extremes, levels, fh, fw, take_max, np.float32(2),
                        True, strip, r0, r1, out,
                    )  # fmt: skip
                assert kf.footprint_sum_rows(
                    image, row_map, col_map, fw // 2, np.array(sums), np.array(terms), levels, fh, fw, 2.0,
                    float(fp.sum()), strip, r0, r1, mean,
                )  # fmt: skip
            for stat, got in (("min", lowest), ("max", highest), ("mean", mean)):
                want = naive.local_stat(image, stat, fp.shape, footprint=fp, mode=mode, cval=2.0)
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=f"{stat} {fp.shape} {strip}")
    holes = image.copy()
    holes[40, 3] = np.nan  # the last row: read only by the band's last windows
    maps = edge_indices(-1, 42, 41, "reflect"), edge_indices(-1, 58, 57, "reflect")
    table = np.array([(0, 1, 1, 0), (1, 0, 3, 1), (2, 1, 1, 0)], dtype=np.int64)
    out = np.empty((41, 57))
    assert not kf.footprint_extreme_rows(holes, *maps, 1, table, 2, 3, 3, True, np.float32(0), True, 8, 0, 41, out)


def test_doubling_run_sums_match_numpy():
    from pixelsmith._kernels import footprint as kf

    block = np.random.default_rng(25).normal(size=(3, 70))
    for length in (1, 2, 7, 8, 31, 70):
        out = np.empty((3, 71 - length))
        kf.doubling_run_sums(block, length, out)
        want = np.array([np.convolve(row, np.ones(length), mode="valid") for row in block])
        np.testing.assert_allclose(out, want, rtol=1e-13, atol=1e-13)


def test_footprint_sums_have_no_drift_and_leave_nan_to_the_engine():
    """Run sums are tree sums of their own values: a 1e12 outlier leaves no residue; NaN takes the engine's rules."""
    import naive

    rng = np.random.default_rng(26)
    values = 1.0 + rng.random((400, 300))
    values[100, 100] = 1e12
    disk = _disk(7)
    got = ps.local_sum(values, footprint=disk)
    expected = naive.local_stat(values, "sum", disk.shape, footprint=disk)
    away = np.ones(values.shape, bool)
    away[92:109, 92:109] = False
    np.testing.assert_allclose(got[away], expected[away], rtol=1e-14)
    offset = (1e4 + rng.standard_normal((300, 250))).astype(np.float32)
    want = naive.local_stat(offset, "mean", disk.shape, footprint=disk)
    np.testing.assert_allclose(ps.local_mean(offset, footprint=disk), want, rtol=2**-24)
    holes = offset.copy()
    holes[50, 60] = np.nan
    for func in (ps.local_mean, ps.local_max):
        assert np.isnan(func(holes, footprint=disk)[50, 67]) and not np.isnan(func(holes, footprint=disk)[50, 68])
        omit = func(holes, footprint=disk, nan_policy="omit")
        stat = "mean" if func is ps.local_mean else "max"
        want = naive.local_stat(holes, stat, disk.shape, footprint=disk, nan_policy="omit")
        np.testing.assert_allclose(omit, want, rtol=2**-24)


@pytest.mark.slow  # exhaustive grid: make test runs it, make test-fast skips it
@pytest.mark.parametrize(
    ("stat", "dtype"), [("var", np.float32), ("std", np.float64), ("var", np.uint8), ("std", np.int16)]
)
def test_the_fused_box_variance_equals_the_engine_bit_for_bit(stat, dtype, monkeypatch, answered):
    """Box var/std of large 1-D and 2-D arrays run fused per tile (`_kernels/variance.py`) with the engine's
    tiles, shifts and additions: the same bits, so numpy and dask agree exactly."""
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(27)
    image = (rng.normal(size=(300, 1300)) * 40 + 1e3).astype(dtype)  # two tile columns, two tile rows
    line = image.reshape(-1)[:300_001]  # two 1-D tiles
    func = getattr(ps, f"local_{stat}")
    cases = [(image, size, mode) for size in (3, 8, 9, 31, (4, 17), (13, 2), (1, 12), (40, 1)) for mode in MODES]
    cases += [(line, size, mode) for size in (3, 16, 700) for mode in MODES]  # 700: blocks of 700 values
    record = answered(plan, "_box_variance")
    fast = [func(a, size, mode=mode, cval=1.5, ddof=1) for a, size, mode in cases]
    assert len(record) == len(cases) and all(record)
    monkeypatch.setattr(plan, "_box_variance", lambda *args: None)
    for got, (a, size, mode) in zip(fast, cases, strict=True):
        want = func(a, size, mode=mode, cval=1.5, ddof=1)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{size} {mode} {a.shape}")


def test_the_fused_box_variance_is_exact_on_offsets_and_leaves_nan_to_the_engine():
    """1e4 + N(0, 1) in float32: variances within float32 rounding of the float64 two-pass reference
    (the E[x^2] - E[x]^2 recipe in float32 loses every digit here); NaN and ddof >= n take the engine's rules."""
    import naive
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(28)
    offset = (1e4 + rng.standard_normal((300, 300))).astype(np.float32)
    for size in (3, 15):
        want = naive.local_stat(offset, "var", (size, size))
        np.testing.assert_allclose(ps.local_var(offset, size), want, rtol=2**-23)
    spec = plan.window_spec("var", offset.shape, offset.dtype, 5)
    assert plan._box_variance(offset, spec, "same") is not None
    holes = offset.copy()
    holes[50, 60] = np.nan
    assert plan._box_variance(holes, spec, "same") is None
    got = ps.local_var(holes, 5, nan_policy="omit")
    np.testing.assert_allclose(got, naive.local_stat(holes, "var", (5, 5), nan_policy="omit"), rtol=2**-22)
    assert np.isnan(ps.local_var(holes, 5)[52, 62])
    assert np.all(np.isnan(ps.local_var(offset, 3, ddof=9)))
    huge = np.full((300, 300), 1e300)  # squares beyond float64: the engine rescales
    assert np.all(ps.local_std(huge, 3) == 0)


def test_integer_box_sums_are_exact_in_integer_arithmetic():
    """Integer images whose window sums stay below 2**53 are summed in int32 / int64 (running column sums,
    row blocks by set bits): exact, so equal to the float64 reference whatever the order."""
    import naive
    import pixelsmith.local._plan as plan
    from pixelsmith._kernels import box
    from pixelsmith._modes import edge_indices

    spec = plan.window_spec("sum", (10, 10), np.uint8, 31)
    assert plan._exact_integer_accumulator(np.dtype(np.uint8), spec).dtype == np.int32
    assert plan._exact_integer_accumulator(np.dtype(np.uint32), spec).dtype == np.int64
    assert plan._exact_integer_accumulator(np.dtype(np.int64), spec) is None  # sums may pass 2**53
    half = plan.window_spec("sum", (10, 10), np.uint8, 3, mode="constant", cval=0.5)
    assert plan._exact_integer_accumulator(np.dtype(np.uint8), half) is None  # a fractional cval
    rng = np.random.default_rng(29)
    for dtype in (np.uint8, np.int8, np.int16, np.uint32):
        info = np.iinfo(dtype)
        image = rng.integers(info.min, info.max, (37, 61), endpoint=True).astype(dtype)
        for w0, w1, mode in ((3, 9, "reflect"), (8, 16, "constant"), (5, 31, "wrap"), (1, 37, "nearest")):
            row_map = edge_indices(-(w0 // 2), 37 + w0 - 1 - w0 // 2, 37, mode)
            col_map = edge_indices(-(w1 // 2), 61 + w1 - 1 - w1 // 2, 61, mode)
            accumulator = np.empty(0, np.int64 if dtype == np.uint32 else np.int32)
            out = np.empty((37, 61))
            for r0, r1 in ((0, 4), (4, 5), (5, 37)):
                box.box_int_rows(
                    image, row_map, col_map, w0, w1, accumulator.dtype.type(-3), False, 0.0, accumulator, r0, r1, out
                )
            expected = naive.local_stat(image, "sum", (w0, w1), mode=mode, cval=-3)
            np.testing.assert_array_equal(out, expected, err_msg=f"{dtype} {w0} {w1} {mode}")


def test_the_thread_pool_is_kept_and_nested_work_runs_inline():
    from pixelsmith import _parallel

    seen = []

    def outer(item):
        _parallel.run_each(list(range(4)), lambda inner: seen.append((item, inner)))

    _parallel.run_each(list(range(6)), outer)
    assert sorted(seen) == [(a, b) for a in range(6) for b in range(4)]
    if _parallel.n_threads() > 1:
        assert _parallel._pool(_parallel.n_threads()) is _parallel._pool(_parallel.n_threads())


def test_stacks_take_the_fused_kernels_frame_by_frame(answered, monkeypatch):
    """A (bands, H, W) stack with a window over the last two axes runs each frame through the fused kernels,
    into one output: the engine's bits; a NaN in one frame hands the whole stack to the engine's rules."""
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(30)
    stack = (rng.normal(size=(3, 260, 270)) * 30 + 500).astype(np.float32)
    disk = _disk(3)[None]
    calls = (
        (ps.local_mean, {"size": (1, 5, 5)}),
        (ps.local_var, {"size": 9, "axes": (1, 2)}),
        (ps.local_max, {"size": (1, 15, 3), "mode": "wrap"}),
        (ps.local_median, {"size": (1, 5, 5), "mode": "nearest"}),
        (ps.local_min, {"footprint": disk, "mode": "constant", "cval": 2.0}),
        (ps.local_sum, {"footprint": disk}),
    )
    record = answered(plan, "_fused")
    fast = [func(stack, **kwargs) for func, kwargs in calls]
    assert len(record) >= len(calls) and all(record)
    holes = stack.copy()
    holes[2, 10, 10] = np.nan
    with_nan = [func(holes, **kwargs) for func, kwargs in calls]
    monkeypatch.setattr(plan, "_fused_frames", lambda *args: None)
    for got, nan_got, (func, kwargs) in zip(fast, with_nan, calls, strict=True):
        np.testing.assert_array_equal(got, func(stack, **kwargs), err_msg=f"{func.__name__} {kwargs}")
        np.testing.assert_array_equal(nan_got, func(holes, **kwargs), err_msg=f"{func.__name__} NaN")
    assert np.isnan(with_nan[0][2, 10, 10]) and not np.isnan(with_nan[0][1, 10, 10])


def test_a_footprint_near_the_image_size_takes_the_engine_not_huge_rings(monkeypatch):
    """Rings of doubling tables beyond _FOOTPRINT_RING_LIMIT a thread (64 MB; here lowered to 1 MB) are not
    made: the engine's tiles answer, whose memory window_spec checked before anything was allocated."""
    import pixelsmith.local._plan as plan

    monkeypatch.setattr(plan, "_FOOTPRINT_RING_LIMIT", 1 << 20)
    image = np.random.default_rng(33).random((400, 400))
    big = np.ones((301, 301), bool)
    big[150, 150] = False  # not a full box
    spec = plan.window_spec("max", image.shape, image.dtype, footprint=big)
    assert plan._footprint_applies(image, spec, "same")
    assert plan._footprint_fused(image, spec, spec.out_dtype) is None  # 301 x 9 x 364 x 8 bytes > 1 MB
    small = plan.window_spec("max", image.shape, image.dtype, footprint=_disk(15))
    assert plan._footprint_fused(image, small, small.out_dtype) is not None
    np.testing.assert_array_equal(ps.local_max(image, footprint=big)[200, 200], image[50:351, 50:351][big].max())


@pytest.mark.parametrize("stat", ["mean", "sum", "var", "std", "min", "max", "count", "median", "range", "variety"])
def test_local_stat_by_name_is_the_named_function(stat):
    image = np.random.default_rng(7).integers(0, 9, (30, 40)).astype(np.float64)
    want = getattr(ps, f"local_{stat}")(image, 5, mode="nearest")
    np.testing.assert_array_equal(ps.local_stat(image, stat, 5, mode="nearest"), want)


def test_local_stat_passes_q_and_ddof_and_refuses_them_elsewhere():
    image = np.random.default_rng(8).random((20, 30))
    np.testing.assert_array_equal(ps.local_stat(image, "percentile", 3, q=90), ps.local_percentile(image, 90, 3))
    np.testing.assert_array_equal(ps.local_stat(image, "std", 3, ddof=1), ps.local_std(image, 3, ddof=1))
    with raises_naming(ps.PixelsmithValueError, "q"):
        ps.local_stat(image, "mean", 3, q=90)
    with raises_naming(ps.PixelsmithValueError, "ddof"):
        ps.local_stat(image, "max", 3, ddof=1)
    with raises_naming(ps.PixelsmithValueError, "stat"):
        ps.local_stat(image, "mode", 3)


@pytest.mark.parametrize(
    ("dtype", "stat", "extra"),
    [(np.uint8, "max", {}), (np.uint8, "max", {"dtype": np.uint8}), (np.float32, "std", {}), (np.int16, "median", {})],
)
def test_local_stat_dtype_is_the_dtype_local_stat_returns(dtype, stat, extra):
    image = (np.random.default_rng(9).random((20, 24)) * 100).astype(dtype)
    assert (
        ps.local.local_stat_dtype(image.shape, image.dtype, stat, 3, **extra)
        == ps.local_stat(image, stat, 3, **extra).dtype
    )


def test_local_stat_dtype_checks_before_anything_is_read():
    with raises_naming(ps.PixelsmithValueError, "size"):
        ps.local.local_stat_dtype((300, 400), np.float32, "median", 10**7)
    # a box mean of any size is computed (in closed form), so its dtype is answered
    assert ps.local.local_stat_dtype((300, 400), np.float32, "mean", 10**7) == np.float32


def test_a_footprint_far_beyond_the_array_is_refused_with_its_real_cost():
    """Issue 27: --footprint disk:5999 on 300 x 400 passed the check, then died allocating 3.89 TiB
    (the engine stacks one reduced copy per distinct run length, which the estimate now counts)."""
    from expect import time_limit

    with time_limit(60), raises_naming(PixelsmithValueError, "footprint") as caught:
        ps.local_max(np.zeros((300, 400), np.float32), footprint=ps.footprints.disk(5999))
    assert "TiB" in str(caught.value) and "no larger than the array" in str(caught.value)


_HUGE_STATS = {
    "sum": ps.local_sum, "mean": ps.local_mean, "var": ps.local_var, "std": ps.local_std, "count": ps.local_count,
    "min": ps.local_min, "max": ps.local_max, "range": ps.local_range,
}  # fmt: skip


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
@pytest.mark.parametrize("stat", list(_HUGE_STATS))
def test_windows_far_beyond_the_array_in_closed_form_equal_the_tiles(stat, mode):
    """Issue 27: `local/_huge.py` computes a box window of any size per axis in closed form; here against
    the tiled engine on windows it can still hold (many periods of the mode beyond a 5 x 6 array)."""
    from pixelsmith.local import _huge

    rng = np.random.default_rng(5)
    image = rng.normal(3.0, 2.0, (5, 6))
    gappy = image.copy()
    gappy[1, 2] = gappy[4, 0] = np.nan
    cases = [
        (image, (1003, 57), 0.7, "propagate"),
        (image, (4, 1000), 0.7, "propagate"),  # one axis small, an even window
        (image, (8, 13), np.nan, "omit"),  # NaN beyond the edges, counted out
        (gappy, (1001, 1002), -1.5, "propagate"),
        (gappy, (37, 5), 2.0, "omit"),
        (image[:1], (1, 999), 0.0, "propagate"),  # a one-row image: mirror's period is its own
    ]
    for a, window, cval, policy in cases:
        want = _HUGE_STATS[stat](a, window, mode=mode, cval=cval, nan_policy=policy)
        got = _huge.compute(a, stat, window, mode, cval, policy == "omit", 0.0)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=f"{window} {policy}")


def test_a_window_beyond_the_memory_budget_is_computed_not_refused(monkeypatch):
    """The issue's case: `size` 100000 over 300 x 400 was refused as needing 600 GiB."""
    import pixelsmith.local._plan as plan
    from pixelsmith.local import _huge

    dem = np.random.default_rng(6).normal(500, 40, (300, 400)).astype(np.float32)
    calls = []
    real = _huge.compute
    monkeypatch.setattr(_huge, "compute", lambda *args: calls.append(args[1]) or real(*args))
    mean = ps.local_mean(dem, 100_000)
    low = ps.local_min(dem, 100_000, mode="constant", cval=-1.0)
    assert calls == ["mean", "min"] and mean.dtype == np.float32
    # every window holds so many whole periods (reflect: 600 rows, 800 columns) that the mean is the array's
    np.testing.assert_allclose(mean, dem.mean(dtype=np.float64), rtol=2e-5)
    assert (low == -1.0).all()  # every window reaches the constant beyond the edges
    # order statistics do not separate: refused, naming what does compute any size
    with pytest.raises(ps.PixelsmithValueError, match="local_mean, _sum, _var"):
        ps.local_median(dem, 100_000)
    # and dask chunks would need the halo: refused with the fix
    import dask.array as da

    with pytest.raises(ps.PixelsmithValueError, match="compute in memory"):
        ps.local_mean(da.from_array(dem, chunks=100), 100_000)
    # below the budget the tiles answer as before
    monkeypatch.setattr(plan, "memory_budget", lambda: 1 << 40)
    calls.clear()
    ps.local_mean(dem[:20, :20], 301)
    assert calls == []
