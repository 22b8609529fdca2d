"""Order statistics of moving windows against brute force, scipy's generic_filter and dask (issue 19)."""

from __future__ import annotations

import itertools
import warnings

import dask.array as da
import numpy as np
import pytest
from scipy import ndimage as ndi

import naive
import pixelsmith as ps
from pixelsmith import PixelsmithError

MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]
STATS = {
    "median": (lambda a, **k: ps.local_median(a, **k), {"stat": "percentile", "q": 50.0}),
    "percentile 90": (lambda a, **k: ps.local_percentile(a, 90, **k), {"stat": "percentile", "q": 90.0}),
    "percentile 7.5": (lambda a, **k: ps.local_percentile(a, 7.5, **k), {"stat": "percentile", "q": 7.5}),
    "range": (lambda a, **k: ps.local_range(a, **k), {"stat": "range"}),
    "majority": (lambda a, **k: ps.local_majority(a, **k), {"stat": "majority"}),
    "variety": (lambda a, **k: ps.local_variety(a, **k), {"stat": "variety"}),
}


def _data(shape, seed, categorical=False):
    rng = np.random.default_rng(seed)
    if categorical:
        return rng.integers(0, 4, size=shape).astype(np.float64)
    return np.round(rng.normal(size=shape), 1)  # repeated values: ties for ranks and majority


@pytest.mark.parametrize("name", list(STATS))
@pytest.mark.parametrize("mode", MODES)
def test_order_statistics_match_brute_force(name, mode):
    func, reference = STATS[name]
    categorical = name in ("majority", "variety")
    for shape, window in [((31,), (5,)), ((13, 17), (3, 4)), ((6, 7, 8), (3, 1, 3))]:
        a = _data(shape, len(shape), categorical)
        got = func(a, size=window, mode=mode, cval=1.0)
        want = naive.local_order(a, window=window, mode=mode, cval=1.0, **reference)
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"{name} {mode} {shape}")


@pytest.mark.parametrize("name", list(STATS))
def test_footprints_nan_policies_and_valid_crop(name):
    func, reference = STATS[name]
    a = _data((15, 16), 3, name in ("majority", "variety"))
    a[[2, 7, 7, 11], [3, 0, 9, 15]] = np.nan
    disk = np.add.outer(np.arange(-2, 3) ** 2, np.arange(-2, 3) ** 2) <= 4
    for policy in ("propagate", "omit"):
        got = func(a, footprint=disk, nan_policy=policy)
        want = naive.local_order(a, window=disk.shape, footprint=disk, nan_policy=policy, **reference)
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"{name} {policy}")
    valid = func(a, size=4, crop="valid", nan_policy="omit")
    np.testing.assert_allclose(
        valid, naive.local_order(a, window=(4, 4), crop="valid", nan_policy="omit", **reference), rtol=1e-12
    )


def test_generic_filter_with_the_obvious_functions():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(40, 50))
    np.testing.assert_array_equal(ps.local_median(a, 5), ndi.generic_filter(a, np.median, 5))
    np.testing.assert_array_equal(ps.local_median(a, 5), ndi.median_filter(a, 5))  # odd windows: scipy's too
    np.testing.assert_allclose(ps.local_percentile(a, 90, 5), ndi.generic_filter(a, lambda v: np.percentile(v, 90), 5))
    holes = a.copy()
    holes[rng.random(a.shape) < 0.2] = np.nan
    np.testing.assert_allclose(ps.local_median(holes, 5, nan_policy="omit"), ndi.generic_filter(holes, np.nanmedian, 5))
    landcover = rng.integers(0, 6, size=(40, 50)).astype(np.int16)
    np.testing.assert_array_equal(
        ps.local_majority(landcover, 3), ndi.generic_filter(landcover, lambda v: np.bincount(v.astype(int)).argmax(), 3)
    )
    np.testing.assert_array_equal(
        ps.local_variety(landcover, 3), ndi.generic_filter(landcover, lambda v: len(np.unique(v)), 3)
    )
    np.testing.assert_array_equal(ps.local_range(a, 4), ndi.maximum_filter(a, 4) - ndi.minimum_filter(a, 4))


def test_dtypes_follow_the_rules():
    rng = np.random.default_rng(6)
    f32 = rng.random((20, 20)).astype(np.float32)
    assert ps.local_median(f32, 3).dtype == np.float32
    np.testing.assert_array_equal(ps.local_median(f32, 3), ndi.median_filter(f32, 3))
    classes = rng.integers(0, 9, size=(20, 20)).astype(np.uint8)
    assert ps.local_majority(classes, 3).dtype == np.uint8
    assert ps.local_variety(classes, 3).dtype == np.int64
    assert ps.local_median(classes, 3).dtype == np.float64


@pytest.mark.parametrize("name", list(STATS))
def test_dask_equals_numpy_bit_for_bit(name):
    func, _ = STATS[name]
    a = _data((60, 70), 7, name in ("majority", "variety"))
    a[10, 10] = np.nan
    lazy = func(da.from_array(a, chunks=(17, 23)), size=5, nan_policy="omit", mode="wrap")
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), func(a, size=5, nan_policy="omit", mode="wrap"))


def test_local_apply_is_generic_filter_compiled():
    import numba

    rng = np.random.default_rng(8)
    a = rng.normal(size=(30, 40))

    def spread(values):
        return values.max() - values.mean()

    np.testing.assert_allclose(ps.local_apply(a, spread, 5), ndi.generic_filter(a, spread, 5), rtol=1e-12)
    jitted = numba.njit(spread)
    np.testing.assert_allclose(
        ps.local_apply(a, jitted, (3, 5), mode="nearest"),
        ndi.generic_filter(a, spread, (3, 5), mode="nearest"),
        rtol=1e-12,
    )
    holes = a.copy()
    holes[5, 5] = np.nan
    omitted = ps.local_apply(holes, spread, 3, nan_policy="omit")
    np.testing.assert_allclose(omitted, naive.local_order(holes, "apply", (3, 3), nan_policy="omit", func=spread))
    lazy = ps.local_apply(da.from_array(a, chunks=(11, 13)), jitted, 5)
    np.testing.assert_array_equal(lazy.compute(), ps.local_apply(a, jitted, 5))


def test_local_apply_window_kernel_is_one_compilation_for_every_user_function():
    """Issue 26: the window kernel takes the user's function as a C callback, so it is cached and shipped
    instead of compiled again for each function in each process (0.3-0.5 s of a first call)."""
    from pixelsmith._kernels import rank

    a = np.random.default_rng(3).normal(size=(20, 30))
    for func in (lambda v: v.max() - v.mean(), lambda v: v.min(), lambda v: np.median(v) + len(v)):
        np.testing.assert_allclose(ps.local_apply(a, func, 3), ndi.generic_filter(a, func, 3), rtol=1e-12)
    assert len({signature[4] for signature in rank.window_apply.signatures}) == 1  # one callback type


@pytest.mark.parametrize("case", ["rows longer than a batch", "windows larger than a batch"])
@pytest.mark.parametrize("omit_nan", [False, True])
def test_window_apply_batches_against_numpy(case, omit_nan):
    """The kernel gathers windows in batches (one callback call each): rows longer than a batch, windows of
    more values than a batch holds (one window a call), and windows left empty by omitted NaN."""
    import numba

    from pixelsmith._kernels import callback, rank
    from pixelsmith.local._callback import window_callback

    rng = np.random.default_rng(4)
    width = 25 if case == "rows longer than a batch" else callback.BATCH_VALUES + 1
    block = rng.normal(size=(1, 3 * callback.BATCH_VALUES // 25 if width == 25 else width + 40))
    offsets = np.arange(width, dtype=np.int64)
    block[0, -1] = np.nan  # only in the last window
    if omit_nan:
        block[0, ::7] = np.nan
        block[0, 100:140] = np.nan  # 16 windows of 25 values with nothing left
    n_last = block.shape[1] - offsets[-1]
    out = np.full((1, n_last), -1.0)
    jitted = numba.njit(lambda v: v.sum() * 2.0 + len(v))
    stop = np.zeros(1, np.uint8)
    assert (
        rank.window_apply(block, offsets, np.zeros(1, np.int64), n_last, window_callback(jitted), omit_nan, stop, out)
        == -1
    )
    for j in range(n_last):
        values = block[0, j + offsets]
        if omit_nan:
            values = values[~np.isnan(values)]
        expected = values.sum() * 2.0 + len(values) if len(values) else np.nan
        np.testing.assert_allclose(out[0, j], expected, rtol=1e-12)


def test_window_apply_names_the_first_window_whose_function_raised():
    """The kernel returns the failing window's index (past the first batch of a row), finished up to it."""
    import numba

    from pixelsmith._kernels import rank
    from pixelsmith.local._callback import window_callback

    def above_100_raises(values):
        if values.max() > 100.0:
            raise ValueError("too large")
        return values.sum()

    block = np.random.default_rng(6).random((2, 3000))
    block[1, 2000] = 500.0  # in row 1, windows 1976 .. 2000 hold it (batches of 655 windows of 25)
    offsets = np.arange(25, dtype=np.int64)
    n_last = 3000 - 24
    out = np.full((2, n_last), -1.0)
    callback = window_callback(numba.njit(above_100_raises))
    failed = rank.window_apply(block, offsets, np.array([0, 3000]), n_last, callback, False, np.zeros(1, np.uint8), out)
    assert failed == n_last + 1976
    expected = np.lib.stride_tricks.sliding_window_view(block, 25, axis=1).sum(axis=-1)
    np.testing.assert_allclose(out[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(out[1, :1976], expected[1, :1976], rtol=1e-12)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_local_apply_raises_the_user_functions_own_exception(threads, monkeypatch):
    """A C callback cannot raise: the window whose function raised is run again in Python, so the user
    sees their own exception, not a silent NaN or 0 for that window."""
    import numba

    monkeypatch.setenv("NUMBA_NUM_THREADS", threads)
    a = np.random.default_rng(5).random((300, 300))
    a[250, 280] = 2.0

    def picky(values):
        if values.max() > 1.5 and values.max() < 3.0:
            raise ValueError("a value above 1.5")
        return values.mean()

    with pytest.raises(ValueError, match="a value above 1.5"):
        ps.local_apply(a, picky, 5)

    @numba.njit
    def divides(values):
        return 1.0 / (values[0] - values[0]) if 1.5 < values[0] < 3.0 else values[0]

    with pytest.raises(ZeroDivisionError):
        ps.local_apply(a, divides, 3)
    a[250, 280] = np.nan
    with pytest.raises(ZeroDivisionError):  # the window rerun in Python is the same after omitting NaN
        ps.local_apply(a, lambda v: 1.0 / (len(v) - 8) if len(v) < 9 else v[0], 3, nan_policy="omit")


def test_a_function_that_raises_only_in_compiled_code_is_named():
    from pixelsmith.local._callback import raise_from_window

    with pytest.raises(PixelsmithError, match="`func`.*run again"):
        raise_from_window(lambda v: v.sum(), np.ones((4, 4)), np.arange(3), 2, False)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: ps.local_percentile(np.ones((5, 5)), 101), "`q`"),
        (lambda: ps.local_percentile(np.ones((5, 5)), np.nan), "`q`"),
        (lambda: ps.local_apply(np.ones((5, 5)), "max"), "`func`"),
        (lambda: ps.local_apply(np.ones((5, 5)), lambda v: {"a": v}), "`func`"),
        (lambda: ps.local_median(np.ones((5, 5)), 0), "`size`"),
        (lambda: ps.local_median(np.ones((5, 5)) + 1j, 3), "`image`"),
    ],
)
def test_bad_arguments_are_named(call, argument):
    with pytest.raises(PixelsmithError) as caught:
        call()
    assert argument in str(caught.value)


@pytest.mark.slow  # exhaustive grid: make test runs it, make test-fast skips it
@pytest.mark.parametrize("mode", MODES)
def test_large_boxes_take_the_ranked_kernel_and_match_brute_force(mode, monkeypatch):
    """Boxes of 64+ values count ranks in a Fenwick tree: the same order statistics, the same bits as sorting."""
    import pixelsmith.local._engine as engine

    a = _data((23, 29), 11)  # ties included
    a[[1, 5, 5, 17], [2, 0, 28, 13]] = np.nan
    windows, policies, percentiles = [(9, 9), (7, 11), (3, 25)], ("propagate", "omit"), (50.0, 10.0, 100.0)
    cases = [(w, p, q) for w in windows for p in policies for q in percentiles]
    ranked = [ps.local_percentile(a, q, w, mode=mode, cval=0.5, nan_policy=p) for w, p, q in cases]
    for got, (window, policy, q) in zip(ranked, cases, strict=True):
        assert window[0] * window[1] >= engine.RANKED_FROM
        want = naive.local_order(a, "percentile", window, mode=mode, cval=0.5, nan_policy=policy, q=q)
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"{window} {policy} {q}")
    monkeypatch.setattr(engine, "RANKED_FROM", 10**9)  # the sorted-window kernel
    for got, (window, policy, q) in zip(ranked, cases, strict=True):
        np.testing.assert_array_equal(got, ps.local_percentile(a, q, window, mode=mode, cval=0.5, nan_policy=policy))


@pytest.mark.slow  # every mode and dtype against the slow engine
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
def test_3x3_and_5x5_medians_by_network_equal_the_engine(dtype, monkeypatch, answered):
    """Box medians of 3x3 and 5x5 windows run comparator networks (`_kernels/median_network.py`): the
    engine's values (ties, every mode, windows taller than the array), in the input's dtype when asked."""
    import pixelsmith.local._plan as plan

    rng = np.random.default_rng(31)
    image = rng.integers(0, 40, (260, 300)).astype(dtype)  # few values: many ties
    thin = rng.integers(0, 200, (2, 40_000)).astype(dtype)
    cases = [(a, size, mode) for a in (image, thin) for size in (3, 5) for mode in MODES]
    record = answered(plan, "_median_network")
    fast = [ps.local_median(a, size, mode=mode, cval=7) for a, size, mode in cases]
    own = [ps.local_median(a, size, mode=mode, cval=7, dtype=dtype) for a, size, mode in cases]
    assert len(record) == 2 * len(cases) and all(record)
    monkeypatch.setattr(plan, "_median_network_applies", lambda *args: False)
    for got, mine, (a, size, mode) in zip(fast, own, cases, strict=True):
        want = ps.local_median(a, size, mode=mode, cval=7)
        assert got.dtype == want.dtype and mine.dtype == dtype
        np.testing.assert_array_equal(got, want, err_msg=f"{size} {mode} {a.shape}")
        np.testing.assert_array_equal(mine, want)
    expected = naive.local_order(image.astype(np.float64), "percentile", (5, 5), mode="wrap")
    np.testing.assert_array_equal(fast[MODES.index("wrap") + len(MODES)], expected)


@pytest.mark.slow  # the 0-1 proof
def test_median_networks_hand_nan_to_the_engine_and_are_proved_on_zero_one_inputs():
    import sys
    from pathlib import Path

    import pixelsmith.local._plan as plan

    image = np.random.default_rng(32).random((300, 300))
    spec = plan.window_spec("percentile", image.shape, image.dtype, 5)
    assert plan._median_network_applies(image, spec, "same")
    holes = image.copy()
    holes[299, 7] = np.nan  # the last row: read only by the last windows
    assert plan._median_network(holes, spec, np.dtype(np.float64)) is None
    got = ps.local_median(holes, 5, nan_policy="omit")
    np.testing.assert_array_equal(got, naive.local_order(holes, "percentile", (5, 5), nan_policy="omit"))
    # the networks: sorting every 0-1 column, and the median of every 0-1 window of sorted columns
    sys.path.insert(0, str(Path(__file__).parent.parent / "tools"))
    import gen_median_network as gen

    for m in (3, 5):
        inputs = gen.sorted_column_inputs(m)
        median = gen.apply(gen.median_of_sorted_columns(m), inputs)[m * m // 2]
        np.testing.assert_array_equal(median, np.sort(inputs, axis=0)[m * m // 2])
        columns = np.array(list(__import__("itertools").product((0, 1), repeat=m)), np.uint8).T
        np.testing.assert_array_equal(gen.apply(gen.column_sort(m), columns), np.sort(columns, axis=0))
    assert (
        gen.module_source().splitlines()[0]
        == Path(plan.__file__).parent.parent.joinpath("_kernels", "median_network.py").read_text().splitlines()[0]
    )


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_majority_and_variety_are_exact_for_labels_beyond_two_to_the_53(dtype):
    """Issue 27: 2**53 + 1 and 2**53 read as one label in float64 (variety 1, majority 2**53); a uint64 label
    2**64 - 1 came back as 0. Labels keep their value and dtype end to end."""
    base = 2**53 if dtype == np.int64 else 2**64 - 7
    rng = np.random.default_rng(3)
    labels = (np.array(base, dtype) + rng.integers(0, 4, (12, 15)).astype(dtype)).astype(dtype)
    majority = ps.local_majority(labels, 3, mode="nearest")
    variety = ps.local_variety(labels, 3, mode="nearest")
    assert majority.dtype == dtype
    padded = np.pad(labels, 1, mode="edge")
    for i in range(labels.shape[0]):
        for j in range(labels.shape[1]):
            window = [int(v) for v in padded[i : i + 3, j : j + 3].ravel()]
            counts = {v: window.count(v) for v in set(window)}
            best = max(counts.values())
            assert int(majority[i, j]) == min(v for v, c in counts.items() if c == best)  # ties: the smallest
            assert int(variety[i, j]) == len(counts)
    exact = np.array([[2**53 + 1, 2**53, 2**53 + 1]])
    assert ps.local_variety(exact, 3).tolist() == [[2, 2, 2]]
    assert ps.local_majority(exact, 3).tolist() == [[2**53 + 1] * 3]


def test_local_apply_refuses_a_function_that_reads_outside_its_window():
    """Issue 27: v[100] on a 5 x 5 window returned garbage (compiled code does not check indices)."""
    from expect import raises_naming

    image = np.random.default_rng(5).random((20, 20))
    with raises_naming(ps.PixelsmithValueError, "func") as caught:
        ps.local_apply(image, lambda v: v[100], 5)
    assert "window of 25 values" in str(caught.value)
    last = ps.local_apply(image, lambda v: v[24], 5)  # the last value of the window: fine
    np.testing.assert_array_equal(last, ps.local_apply(image, lambda v: v[-1], 5))


@pytest.mark.parametrize("size", [3, 4, (3, 7), 9])  # 9 x 9 = 81 values: the ranked (Fenwick) path
@pytest.mark.parametrize("q", [0, 10, 33.3, 50, 90, 100])
def test_method_scipy_equals_percentile_filter_exactly(size, q):
    """Issue 31: local_percentile used numpy's interpolation and percentile_filter picks an order statistic."""
    rng = np.random.default_rng(11)
    image = rng.random((30, 41))
    got = ps.local_percentile(image, q, size, method="scipy")
    np.testing.assert_array_equal(got, ndi.percentile_filter(image, q, size=size, mode="reflect"))


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
@pytest.mark.parametrize("window", ["box 5", "box 9", "disk"])
def test_numpy_s_methods_against_np_percentile_with_nans_omitted(method, window):
    from numpy.lib.stride_tricks import sliding_window_view

    rng = np.random.default_rng(12)
    image = rng.random((22, 27))
    image[rng.random(image.shape) < 0.15] = np.nan
    shape = {"box 5": (5, 5), "box 9": (9, 9), "disk": (7, 7)}[window]
    footprint = ps.footprints.disk(3) if window == "disk" else np.ones(shape, bool)
    padded = np.pad(image, [(s // 2, s // 2) for s in shape], mode="symmetric")
    windows = sliding_window_view(padded, shape)[..., footprint]
    for q in (0, 12.5, 37.5, 50, 62.5, 90, 100):
        got = ps.local_percentile(image, q, footprint=footprint, nan_policy="omit", method=method)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nanpercentile(windows, q, axis=-1, method=method)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15, err_msg=f"{method} q={q}")


def test_method_is_checked_and_named():
    from expect import raises_naming

    with raises_naming(ps.PixelsmithValueError, "method"):
        ps.local_percentile(np.ones((5, 5)), 50, 3, method="inverted_cdf")
    with raises_naming(ps.PixelsmithValueError, "method"):
        ps.local_stat(np.ones((5, 5)), "mean", 3, method="scipy")
    np.testing.assert_array_equal(
        ps.local_stat(np.arange(9.0), "percentile", 4, q=90, method="scipy"),
        ndi.percentile_filter(np.arange(9.0), 90, size=4),
    )


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [(np.uint8, 0, 256), (np.int16, -90, 150), (np.uint16, 3000, 3200), (np.int32, -5, 5), (np.bool_, 0, 2)],
)
def test_integer_box_percentiles_by_sliding_histograms_equal_numpy(dtype, low, high, answered):
    """Issue 31: a 2-D box percentile of whole numbers spanning under 256 values slides 256-bin histograms
    (`_kernels/histogram_rank.py`): numpy's percentile of every window, every method, more than one strip
    of columns, windows even and odd, and the same values as the sorted-window kernels."""
    from numpy.lib.stride_tricks import sliding_window_view

    import pixelsmith.local._engine as engine

    rng = np.random.default_rng(41)
    image = rng.integers(low, high, (70, 600)).astype(dtype)
    record = answered(engine, "_histogram_low")
    for size, q, method in [(7, 50, "linear"), ((4, 6), 50, "linear"), (15, 90, "linear"), (9, 25, "nearest"),
                            (5, 62.5, "midpoint"), ((3, 8), 10, "lower"), (11, 75, "higher")]:  # fmt: skip
        shape = (size, size) if np.isscalar(size) else size
        got = ps.local_percentile(image, q, size, method=method, mode="nearest")
        padded = np.pad(image.astype(np.float64), [(s // 2, s - 1 - s // 2) for s in shape], mode="edge")
        want = np.percentile(sliding_window_view(padded, shape), q, axis=(-2, -1), method=method)
        np.testing.assert_array_equal(got, want, err_msg=f"{dtype.__name__} {size} q={q} {method}")
    assert record and all(record)
    scipy_rule = ps.local_percentile(image, 30, 7, method="scipy")
    np.testing.assert_array_equal(scipy_rule, ndi.percentile_filter(image.astype(np.float64), 30, size=7))


def test_the_packed_rank_equals_a_cumulative_sum():
    """Issue 31: `_packed_rank` ranks 16 uint16 counts without a loop (counts under 2**15): how many
    leading counts keep the running count at most k, and their sum, as a cumulative sum says; a rank
    past every count (the rank above, in a later segment) keeps all 16."""
    from pixelsmith._kernels import histogram_rank as khr

    rng = np.random.default_rng(43)
    for n in (1, 2, 49, 961, 10000, khr.PACKED_MAX - 1):
        for spread in (1, 3, 16):  # all values in one bin, in a few, everywhere
            values = rng.integers(0, spread, n) + rng.integers(0, 17 - spread)
            counts = np.bincount(values, minlength=16).astype(np.uint16)
            words = [np.uint64(w) for w in counts.view(np.uint64)]
            cumulative = np.cumsum(counts)
            for k in {0, n - 1, n // 2, n, *rng.integers(0, n, 5).tolist()}:
                lanes, below = khr._packed_rank(k, *words)
                want = int(np.searchsorted(cumulative, k, side="right"))
                assert (int(lanes), int(below)) == (want, int(cumulative[want - 1]) if want else 0), (n, spread, k)


@pytest.mark.parametrize("q", [50, 90, 37.5])
def test_sliding_histograms_bring_each_segment_up_to_date_only_when_used(q):
    """Issue 31: the window's fine counts of a segment (16 values) are made only when a rank falls in it:
    caught up step by step, summed afresh a whole window later, and the rank above read from the next
    segment where the two ranks straddle segments. Plateaus, steps across segment edges and noise
    exercise each path; numpy's percentile of every window is the truth."""
    from numpy.lib.stride_tricks import sliding_window_view

    rng = np.random.default_rng(45)
    columns = np.arange(600)
    image = np.where((columns // 37) % 2, 15, 16)[None, :] + np.zeros((40, 1), int)  # two values across an edge
    image[:, 300:] = (columns[300:] // 5) % 256  # a ramp through every segment
    image[20:, :] += rng.integers(0, 3, (20, 600))  # noise that moves ranks from step to step
    image = np.clip(image, 0, 255).astype(np.uint8)
    for size in (5, 8, (3, 40)):
        shape = (size, size) if np.isscalar(size) else size
        got = ps.local_percentile(image, q, size, mode="nearest")
        padded = np.pad(image.astype(np.float64), [(s // 2, s - 1 - s // 2) for s in shape], mode="edge")
        want = np.percentile(sliding_window_view(padded, shape), q, axis=(-2, -1))
        np.testing.assert_array_equal(got, want, err_msg=f"{size} q={q}")


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_byte_images_slide_histograms_over_the_image_itself(dtype, monkeypatch):
    """Issue 31: a 2-D uint8 or int8 image large enough for the fused kernels takes its box percentiles
    straight from the image (`_plan._byte_percentile`: no float64 tiles), its edges through index maps and
    its rows split over the threads; numpy's percentile of every window of the padded image, every mode,
    and `dtype=` the input's own is numpy's cast of that."""
    from numpy.lib.stride_tricks import sliding_window_view

    import pixelsmith.local._plan as plan

    calls = []
    real = plan._byte_percentile
    monkeypatch.setattr(plan, "_byte_percentile", lambda *args: calls.append(1) or real(*args))
    info = np.iinfo(dtype)
    image = np.random.default_rng(46).integers(info.min, info.max + 1, (130, 520)).astype(dtype)
    image[:40, :100] = info.max  # a plateau at the top of the range, beside the noise
    numpy_modes = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}
    for size, q, mode in [(7, 50, "reflect"), ((6, 9), 50, "nearest"), (15, 90, "mirror"), (4, 25, "wrap"),
                          (9, 62.5, "constant")]:  # fmt: skip
        shape = (size, size) if np.isscalar(size) else size
        pads = [(s // 2, s - 1 - s // 2) for s in shape]
        if mode == "constant":
            padded = np.pad(image.astype(np.float64), pads, constant_values=info.min + 3)
            got = ps.local_percentile(image, q, size, mode=mode, cval=info.min + 3)
        else:
            padded = np.pad(image.astype(np.float64), pads, mode=numpy_modes[mode])
            got = ps.local_percentile(image, q, size, mode=mode)
        want = np.percentile(sliding_window_view(padded, shape), q, axis=(-2, -1))
        np.testing.assert_array_equal(got, want, err_msg=f"{size} q={q} {mode}")
        same_dtype = ps.local_percentile(image, q, size, mode=mode, cval=info.min + 3, dtype=dtype)
        np.testing.assert_array_equal(same_dtype, want.astype(dtype), err_msg=f"{size} q={q} {mode} dtype")
    assert len(calls) == 10


def test_a_window_of_32768_values_or_more_takes_the_counted_ranks(answered):
    """The packed ranks need windows under 32768 values: 181 x 181 (32761) slides histograms, 183 x 181
    (33123) takes the float path's counted ranks, and both are exact."""
    import pixelsmith.local._engine as engine

    image = np.random.default_rng(44).integers(0, 256, (24, 31)).astype(np.uint8)
    for size, histograms in (((181, 181), True), ((183, 181), False)):
        record = answered(engine, "_histogram_low")
        got = ps.local_median(image, size, mode="reflect")
        np.testing.assert_array_equal(got, naive.local_order(image, "percentile", size, mode="reflect"))
        assert record and all(answer == histograms for answer in record), size


def test_sliding_histograms_step_aside_where_they_cannot_be_exact(answered):
    import pixelsmith.local._engine as engine

    rng = np.random.default_rng(42)
    wide = rng.integers(0, 1000, (40, 50)).astype(np.int16)  # 1000 values: beyond 256 bins
    narrow = rng.integers(0, 200, (40, 50)).astype(np.uint8)
    record = answered(engine, "_histogram_low")
    cases = [
        (wide, {}),
        (narrow, {"mode": "constant", "cval": 0.5}),  # a fractional cval: not whole numbers
        (narrow, {"mode": "constant", "cval": 900}),  # the padding widens the span beyond 256
        (narrow.astype(np.float32), {}),  # floats: the sorted windows
    ]
    for image, options in cases:
        got = ps.local_median(image, 7, **options)
        want = naive.local_order(image, "percentile", (7, 7), **options)
        np.testing.assert_array_equal(got, want)
    assert record == [False, False]  # asked for the wide span and the wide padding; never for cval 0.5 or floats


_SLOW_APPLY = """
import signal, sys, time
import numba, numpy as np, pixelsmith as ps

@numba.njit
def slow(v):  # about 0.2 ms a window: the 600 x 600 image below would take a minute or more
    s = 0.0
    for i in range(200_000):
        s += v[i % v.size] * 1e-9
    return s

ps.local_apply(np.ones((4, 4)), slow, 3)  # compiled here, before the clock starts
image = np.random.default_rng(0).random((600, 600))
print("started", flush=True)
try:
    ps.local_apply(image, slow, 5)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("threads", ["1", "2"])  # one thread: the work would have run in the caller's thread
def test_ctrl_c_stops_a_slow_local_apply_within_a_second_or_two(threads):
    """Issue 27: a slow user function ignored Ctrl-C until its tile ended (15 s and more)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, NUMBA_NUM_THREADS=threads)
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_APPLY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.5)  # well inside the first tiles
        child.send_signal(signal.SIGINT)
        # a hang guard, not a timing: the uninterrupted run takes about a minute, so stopping within
        # 10 s means the interrupt reached the kernels (TimeoutExpired otherwise)
        out, err = child.communicate(timeout=10)
    finally:
        child.kill()
    assert child.returncode == 3, (out, err)
    assert out.strip() == "interrupted"


@pytest.mark.parametrize(("size", "q"), [((9, 9), 50), ((15, 11), 90), ((31, 31), 25)])
def test_ranked_percentiles_in_cells_equal_numpy_and_the_whole_tile(size, q, monkeypatch):
    """Issue 31: 2-D float box percentiles of 64 values or more count ranks at three levels per cell of
    96 x 96 outputs (or twice the window): numpy's percentile of every window, NaN omitted or
    propagated, and the same values with one cell per tile."""
    from numpy.lib.stride_tricks import sliding_window_view

    import pixelsmith.local._engine as engine

    rng = np.random.default_rng(45)
    image = rng.normal(size=(230, 270)).astype(np.float32)
    image[rng.random(image.shape) < 0.01] = np.nan
    padded = np.pad(image.astype(np.float64), [(s // 2, s - 1 - s // 2) for s in size], mode="symmetric")
    windows = sliding_window_view(padded, size)
    got = ps.local_percentile(image, q, size, nan_policy="omit")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows
        want = np.nanpercentile(windows, q, axis=(-2, -1))
    # numpy interpolates between the two order statistics in float64, pixelsmith as `_sorted_percentile`: an ulp
    np.testing.assert_allclose(got, want.astype(np.float32), rtol=2e-7, atol=0)
    propagated = ps.local_percentile(image, q, size)
    assert np.isnan(propagated[np.isnan(windows).any(axis=(-2, -1))]).all()
    monkeypatch.setattr(engine, "RANKED_CELL", 10**6)  # one cell per tile
    np.testing.assert_array_equal(ps.local_percentile(image, q, size, nan_policy="omit"), got)


def test_ranks_counted_in_groups_equal_the_fenwick_tree():
    """`box_percentile_counted` (a cell's ranks counted one by one and in groups of 16) finds the same order
    statistics as `box_percentile_ranked` (a Fenwick tree): every q, NaN omitted and propagated, windows
    3 x 3 to 41 x 9, on noise, on a sawtooth whose windows' ranks climb and fall across many groups, and on
    a checkerboard whose median jumps between its two values at every step (each search starts where the
    last one stopped, and strides 16 groups at a time when far)."""
    from pixelsmith._kernels import rank as kr
    from pixelsmith.local._engine import percentile_positions

    rng = np.random.default_rng(46)
    windows = ((3, 3), (15, 15), (41, 9), (9, 41))
    for (wr, wc), kind in itertools.product(windows, ("noise", "sawtooth", "checkerboard")):
        shape = (60 + wr, 70 + wc)
        if kind == "noise":
            block = rng.normal(size=shape)
        elif kind == "sawtooth":  # up for 20 columns, down for 20, each row offset: ranks sweep the cell both ways
            columns = np.abs((np.arange(shape[1]) % 40) - 20).astype(float)
            block = columns[None, :] * 50 + np.arange(shape[0])[:, None] + rng.random(shape)
        else:
            block = (np.add.outer(np.arange(shape[0]), np.arange(shape[1])) % 2) + rng.random(shape) * 1e-3
        block[rng.random(block.shape) < 0.03] = np.nan
        flat = block.reshape(-1)
        order = np.argsort(flat, kind="stable")
        ranks = np.empty(flat.size, np.int32)
        ranks[order] = np.arange(flat.size, dtype=np.int32)
        n_finite = int(flat.size - np.isnan(flat).sum())
        column = np.arange(wr, dtype=np.int64) * block.shape[1]
        bases = np.arange(61, dtype=np.int64) * block.shape[1]
        for q in (0, 12.5, 50, 90, 100):
            positions = percentile_positions(q, "linear", wr * wc)
            for omit in (True, False):
                outs = [np.empty((61, 71)), np.empty((61, 71))]
                for kernel, out in zip((kr.box_percentile_counted, kr.box_percentile_ranked), outs, strict=True):
                    kernel(ranks, flat[order], n_finite, column, bases, 71, wc, positions, omit, out)
                np.testing.assert_array_equal(outs[0], outs[1], err_msg=f"{kind} {wr}x{wc} q={q} omit={omit}")
