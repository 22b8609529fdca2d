"""Hostile inputs for every public array function, driven by one table (issue 18).

Each call must either equal the result for the same data as a plain C-contiguous,
native-order float64 array, or raise a pixelsmith error that names the argument.
Anything else (a numba or scipy traceback, a silently different answer, a hang)
fails. Every call runs under a time limit, so a hang fails instead of blocking CI.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pixelsmith as ps
from expect import raises_naming, time_limit
from pixelsmith import PixelsmithError


def _image(shape=(24, 30), seed=0) -> np.ndarray:
    """Values in 0.2 .. 0.75 (valid colours too), a peak near (9.3, 14.6), a little texture."""
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    rng = np.random.default_rng(seed)
    return 0.2 + 0.5 * np.exp(-((yy - 9.3) ** 2 + (xx - 14.6) ** 2) / 6.0) + 0.05 * rng.random(shape)


TEMPLATE = np.ascontiguousarray(_image()[5:12, 10:18])


def _spread(values):
    return values.max() - values.mean()


# name -> (function of one array, the argument name the errors must use)
PUBLIC = {
    "local_mean": (lambda a: ps.local_mean(a, 3), "image"),
    "local_sum": (lambda a: ps.local_sum(a, (3, 5)), "image"),
    "local_var": (lambda a: ps.local_var(a, 3, nan_policy="omit"), "image"),
    "local_std": (lambda a: ps.local_std(a, 4, mode="constant", cval=0.1), "image"),
    "local_min": (lambda a: ps.local_min(a, 3), "image"),
    "local_max": (lambda a: ps.local_max(a, footprint=np.eye(3, dtype=bool)), "image"),
    "local_count": (lambda a: ps.local_count(a, 3), "image"),
    "local_median": (lambda a: ps.local_median(a, 3, nan_policy="omit"), "image"),
    "local_percentile": (lambda a: ps.local_percentile(a, 80, (3, 5)), "image"),
    "local_range": (lambda a: ps.local_range(a, footprint=np.eye(3, dtype=bool)), "image"),
    "local_majority": (lambda a: ps.local_majority(a, 3), "image"),
    "local_variety": (lambda a: ps.local_variety(a, 3, mode="constant"), "image"),
    "local_apply": (lambda a: ps.local_apply(a, _spread, 3), "image"),
    "local_stat": (lambda a: ps.local_stat(a, "percentile", 3, q=75), "image"),
    "block_reduce": (lambda a: ps.block_reduce(a, 3, "mean"), "image"),
    "block_reduce var": (lambda a: ps.block_reduce(a, (2, 3), "var"), "image"),
    "density_map": (lambda a: ps.density_map(a, 3), "image"),
    "equalize_hist": (lambda a: ps.equalize_hist(a), "stack"),
    "fill_nans": (lambda a: ps.fill_nans(a, method="harmonic"), "image"),
    "find_peaks": (lambda a: ps.find_peaks(a, min_distance=2).coords, "image"),
    "robust_noise": (lambda a: ps.robust_noise(a), "image"),
    "aperture_sums": (lambda a: ps.aperture_sums(a, [(9.3, 14.6), (3, 3)], 2.5).sums, "image"),
    "ncc": (lambda a: ps.ncc(a, TEMPLATE), "image"),
    "find_matches": (lambda a: ps.find_matches(a, TEMPLATE).coords, "image"),
    "StackStats": (lambda a: ps.StackStats().add(a).add(a).add(TEMPLATE.mean() + np.zeros(np.shape(a))).var(), "frame"),
    "as_rgb": (lambda a: ps.as_rgb(a), "image"),
    "page_blocks": (lambda a: [(b.top, b.bottom, b.kind) for b in ps.document.page_blocks(a)], "page"),
    "paper_level": (lambda a: ps.document.paper_level(a), "page"),
    "page_regions": (
        lambda a: [(r.top, r.bottom, r.left, r.right, r.kind) for r in ps.document.page_regions(a)],
        "page",
    ),
    "skew_angle": (lambda a: ps.document.skew_angle(a), "page"),
    "deskew": (lambda a: ps.document.deskew(a, angle=1.0), "page"),
    "cut_scores": (lambda a: ps.document.strips.cut_scores(a), "image"),
    "straighten": (
        lambda a: ps.document.straighten(a, np.column_stack([np.full(20, 11.5), np.arange(5.0, 25)]), height=5),
        "image",
    ),
    "to_display": (lambda a: ps.xray.to_display(a), "image"),
}


def _same(got, want) -> None:
    if isinstance(want, list):
        assert got == want
    else:
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def _variants(a: np.ndarray):
    """(label, array holding the same numbers) pairs for the equality cases."""
    reversed_view = np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1]
    readonly = a.copy()
    readonly.flags.writeable = False
    padded = np.zeros((a.shape[0] * 2, a.shape[1] * 3))
    padded[::2, ::3] = a
    return [
        ("big-endian", a.astype(">f8")),
        ("Fortran order", np.asfortranarray(a)),
        ("negative strides", reversed_view),
        ("strided view", padded[::2, ::3]),
        ("read-only", readonly),
        ("list", a.tolist()),
        ("masked, nothing masked", np.ma.masked_array(a, mask=np.zeros(a.shape, bool))),
    ]


@pytest.mark.parametrize("name", list(PUBLIC))
def test_layouts_and_byte_orders_give_the_native_answer(name):
    func, _ = PUBLIC[name]
    a = _image()
    with time_limit(30):
        want = func(a.copy())
        for label, variant in _variants(a):
            try:
                got = func(variant)
            except PixelsmithError:
                continue  # a clear refusal is allowed; a different answer is not
            _same(got, want), label


@pytest.mark.parametrize("name", list(PUBLIC))
def test_float32_big_endian_equals_native_float32_and_float16_computes_as_float32(name):
    func, _ = PUBLIC[name]
    a = _image().astype(np.float32)
    with time_limit(30):
        want = func(a.copy())
        _same(func(a.astype(">f4")), want)
        half = a.astype(np.float16)
        _same(func(half), func(half.astype(np.float32)))


@pytest.mark.parametrize("name", list(PUBLIC))
def test_a_data_array_gives_the_numpy_answer(name):
    """Issue 16: every public array function takes an xarray.DataArray; same-shape results come back labelled."""
    import xarray as xr

    func, _ = PUBLIC[name]
    a = _image()
    labelled = xr.DataArray(a, dims=("y", "x"), coords={"y": np.arange(a.shape[0]) * 2.0}, attrs={"units": "adu"})
    with time_limit(30):
        got, want = func(labelled), func(a)
    if isinstance(got, xr.DataArray):
        assert got.attrs == {"units": "adu"} and got.dims == ("y", "x")
        got = got.values
    _same(got, want)


# functions that take a dask array lazily; every other one refuses it with its reason (issue 17)
LAZY = {n for n in PUBLIC if n.startswith(("local_", "block_reduce", "density_map", "equalize_hist"))}


@pytest.mark.parametrize("name", list(PUBLIC))
def test_a_dask_array_is_computed_lazily_or_refused_with_the_reason(name):
    import dask.array as da

    func, _ = PUBLIC[name]
    a = _image()
    lazy = da.from_array(a, chunks=(12, 15))
    if name in LAZY:
        got = func(lazy)
        _same(got.compute() if hasattr(got, "compute") else got, func(a))
        return
    with pytest.raises(PixelsmithError) as refused:
        func(lazy)
    message = str(refused.value)
    assert "is a dask array, and" in message and ".compute()" in message, message


@pytest.mark.parametrize("name", list(PUBLIC))
def test_refusals_name_the_argument(name):
    func, arg = PUBLIC[name]
    a = _image()
    masked = np.ma.masked_array(a, mask=np.zeros(a.shape, bool))
    masked[3, 4] = np.ma.masked
    with time_limit(30):
        for bad in [masked, a + 1j, a.astype(object), np.full(a.shape, "x")]:
            with raises_naming(ps.PixelsmithTypeError, arg):  # a wrong kind of array is a type error
                func(bad)


def test_masked_values_are_never_silently_used():
    """Issue 18/16: a masked 1e6 leaked into its neighbours' means. Now the mask is refused with the two
    ways to say what it means, and filled(np.nan) with nan_policy='omit' gives the masked-out answer."""
    a = np.arange(25.0).reshape(5, 5)
    masked = np.ma.masked_array(a, mask=np.zeros(a.shape, bool))
    masked[2, 2] = 1e6
    masked[2, 2] = np.ma.masked
    with pytest.raises(PixelsmithError, match=r"filled\(np\.nan\)"):
        ps.local_mean(masked, 3, nan_policy="omit")
    honoured = ps.local_mean(masked.filled(np.nan), 3, nan_policy="omit")
    assert honoured.max() < 100


# --- the cases of the hostile sweep, one by one ------------------------------------------------------


def test_window_of_one_gives_zero_variance():
    x = np.array([10.0, 10.5, 10.2, 9.9])
    np.testing.assert_array_equal(ps.local_var(x, 1), np.zeros(4))
    np.testing.assert_array_equal(ps.local_std(np.random.default_rng(1).random((5, 6)), 1), np.zeros((5, 6)))
    np.testing.assert_array_equal(ps.local_mean(x, 1), x)


def test_huge_values_give_finite_statistics_where_the_answer_is_finite():
    x = np.array([1e300, 2e300, 3e300, 1e300, 2e300])
    got = ps.local_std(x, 3, mode="nearest")
    assert np.isfinite(got).all()
    edge = np.r_[x[0], x, x[-1]] / 1e300  # 'nearest' padding; the reference works at scale 1
    reference = [np.std(edge[i : i + 3]) * 1e300 for i in range(5)]
    np.testing.assert_allclose(got, reference, rtol=1e-12)
    assert np.isinf(ps.local_var(np.array([1e300, -1e300, 1e300]), 3)).all()  # the variance itself overflows
    t = np.arange(60.0)
    small = ps.ccf(np.sin(t / 5), np.cos(t / 7))[1]
    np.testing.assert_allclose(ps.ccf(1e300 * np.sin(t / 5), 1e300 * np.cos(t / 7))[1], small, atol=1e-15)
    np.testing.assert_allclose(ps.ccf(1e-300 * np.sin(t / 5), np.cos(t / 7))[1], small, atol=1e-15)


def test_stack_statistics_with_infinities_follow_numpy():
    frames = np.array([[np.inf, 1.0, -np.inf, np.nan], [1.0, 2.0, np.inf, 5.0], [3.0, 4.0, 0.0, np.nan]])
    one_by_one = ps.StackStats()
    for frame in frames:
        one_by_one.add(frame)
    along_last = ps.StackStats().add_many(np.ascontiguousarray(frames.T), axis=-1)  # pixel by pixel
    for stats in (one_by_one, along_last, ps.StackStats().add_many(frames)):
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(stats.mean, np.nanmean(frames, axis=0), rtol=1e-15)
            np.testing.assert_array_equal(np.isnan(stats.var()), np.isnan(np.nanvar(frames, axis=0)))
        np.testing.assert_array_equal(stats.count, [3, 3, 3, 1])
        np.testing.assert_array_equal(stats.max, np.nanmax(frames, axis=0))
        np.testing.assert_array_equal(stats.min, np.nanmin(frames, axis=0))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: ps.local_median(np.zeros((10, 10)), 100_000), "`size`"),  # a box mean computes any size
        (lambda: ps.aperture_sums(np.zeros((10, 10)), [(5, 5)], 1e6), "`radius`"),
        (lambda: ps.aperture_sums(np.zeros((10, 10)), [(5, 5)], 2.0, annulus=(4, 1e7)), "`annulus`"),
        (
            lambda: ps.aperture_sums(np.zeros((10, 10)), [(5, 5)], 2.0, method="subpixel", subpixels=100_000),
            "`subpixels`",
        ),
        (lambda: ps.add_stamp(np.zeros((10, 10)), np.ones((3, 3)), (5, 5), zoom=1e6), "`zoom`"),
        (lambda: ps.cluster_center(np.random.default_rng(0).random((100, 2)), sigma=1e9), "`sigma`"),
        (
            lambda: ps.document.straighten(
                np.zeros((30, 40)), np.column_stack([np.full(30, 10.0), np.arange(30.0)]), height=5, spacing=1e-9
            ),
            "`spacing`",
        ),
    ],
)
def test_parameters_that_scale_memory_or_time_are_refused_before_allocating(call, argument):
    with time_limit(10), raises_naming(ps.PixelsmithValueError, argument.strip("`")) as caught:
        call()
    assert "would need" in str(caught.value) or "would test" in str(caught.value)


def test_gaussian_fill_finishes_or_refuses_for_any_sigma():
    """sigma < 0.125 once looped forever (radius 0); below ~0.026 the weights underflow to 0."""
    a = np.arange(36.0).reshape(6, 6)
    a[2:4, 2:4] = np.nan
    for sigma in (0.1, 0.124, 0.5):
        with time_limit(10):
            assert np.isfinite(ps.fill_nans(a, method="gaussian", sigma=sigma)).all()
    for sigma in (1e-6, 0.02, 0.0, -1.0):
        with time_limit(10), pytest.raises(PixelsmithError, match="`sigma`"):
            ps.fill_nans(a, method="gaussian", sigma=sigma)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: ps.local_mean(np.zeros((5, 5)), 3, axes="x"), "`axes`"),
        (lambda: ps.local_mean(np.zeros((5, 5)), 3, axes=(0.5,)), "`axes`"),
        (lambda: ps.local_var(np.zeros((5, 5)), 3, ddof="a"), "`ddof`"),
        (lambda: ps.block_reduce(np.zeros((5, 5)), 2, boundary="pad", cval="x"), "`cval`"),
        (lambda: ps.equalize_hist(np.array([[0, 2**62], [-(2**62), 5]], np.int64)), "`stack`"),
        (lambda: ps.cluster_center(np.random.default_rng(0).random((50, 2)), bin_size=(1, 2, 3)), "`bin_size`"),
        (lambda: ps.outline_paths(np.eye(4, dtype=int), [1, 2]), "`value`"),
        (lambda: ps.plot_outline(None, np.eye(4, dtype=int), 1), "`ax`"),
        (
            lambda: ps.document.straighten(
                np.zeros((30, 40)), np.column_stack([np.full(30, 10.0), np.arange(30.0)]), height=5, order=7
            ),
            "`order`",
        ),
        (
            lambda: ps.document.straighten(
                np.zeros((30, 40)), np.column_stack([np.full(30, 10.0), np.arange(30.0)]), height=5, smoothing=-1
            ),
            "`smoothing`",
        ),
        (lambda: ps.add_stamps(np.zeros((20, 20)), np.ones((3, 3)), np.array([[5 + 1j, 5]])), "`centers`"),
        (lambda: ps.cluster_center(np.random.default_rng(0).random((50, 2)) + 1j), "`points`"),
        (lambda: ps.document.order_curve_points(np.column_stack([np.arange(9.0), np.arange(9.0)]) + 1j), "`points`"),
        (lambda: ps.add_stamp(np.zeros((20, 20), ">f4"), np.ones((3, 3)), (5, 5)), "`frame`"),
        (lambda: ps.xray.to_display("abc"), "`image`"),
        (lambda: ps.xray.to_display(np.ones((4, 4)), window=(1, 2, 3)), "`window`"),
        (lambda: ps.find_peaks(np.eye(5), wcs=3), "`wcs`"),
        (lambda: ps.document.order_curve_points(np.column_stack([np.arange(9.0)] * 2), max_gap=-1), "`max_gap`"),
        (lambda: ps.find_peaks(np.eye(5)).with_sky("EPSG:4326"), "`wcs`"),
        (lambda: ps.block_reduce(np.zeros((4, 4)), 2, axes=(5,)), "`axes`"),
        (lambda: ps.density_map(np.zeros((4, 4)), (2, 2), axes=0), "`block`"),
    ],
)
def test_bad_arguments_get_an_error_that_names_them(call, argument):
    with time_limit(10), pytest.raises(PixelsmithError) as caught:
        call()
    assert argument in str(caught.value)


def test_straighten_keeps_float32():
    image = np.random.default_rng(2).random((30, 40)).astype(np.float32)
    curve = np.column_stack([np.full(20, 12.0), np.arange(5.0, 25)])
    band = ps.document.straighten(image, curve, height=5)
    assert band.dtype == np.float32
    np.testing.assert_allclose(band, ps.document.straighten(image.astype(float), curve, height=5), rtol=1e-6)


def test_subpackages_load_lazily_and_on_attribute_access():
    import subprocess
    import sys

    code = (
        "import sys, pixelsmith as ps; heavy = [m for m in ('dask', 'rasterio', 'pydicom', 'pixelsmith.xray') "
        "if m in sys.modules]; assert not heavy, heavy; "
        "assert callable(ps.xray.drr) and callable(ps.io.read_raster) and callable(ps.document.page_blocks)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", list(PUBLIC))
def test_four_threads_on_shared_inputs_give_the_single_thread_answer(name):
    """As photutils tests it: shared input arrays, concurrent calls, identical results."""
    from concurrent.futures import ThreadPoolExecutor

    func, _ = PUBLIC[name]
    shared = _image((48, 60))
    shared.flags.writeable = False  # a function that wrote into its input would fail here
    want = func(shared)
    with time_limit(60), ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: func(shared), range(8)))
    for got in results:
        _same(got, want)


def _hostile_arrays():
    a = _image()
    nan_start, nan_middle, nan_end = a.copy(), a.copy(), a.copy()
    nan_start[0, 0] = np.nan
    nan_middle[12, 15] = np.nan
    nan_end[-1, -1] = np.nan
    inf_middle = a.copy()
    inf_middle[12, 15] = np.inf
    return {
        "0-size axis": np.zeros((0, 5)),
        "1x1": np.ones((1, 1)),
        "1xN": a[:1].copy(),
        "Nx1": a[:, :1].copy(),
        "NaN at start": nan_start,
        "NaN in the middle": nan_middle,
        "NaN at the end": nan_end,
        "inf in the middle": inf_middle,
        "all NaN": np.full((6, 7), np.nan),
        "bool": a > 0.4,
        "int8": (a * 100).astype(np.int8),
        "uint16": (a * 60000).astype(np.uint16),
        "uint64": (a * 1e6).astype(np.uint64),
        "5-D": np.ones((2, 2, 2, 3, 3)),
        "scalar": np.float64(3.0),
        "None": None,
    }


@pytest.mark.parametrize("name", list(PUBLIC))
def test_hostile_inputs_answer_or_refuse_clearly(name):
    """Each call returns (a PixelsmithWarning on weak evidence is an answer), or raises a pixelsmith error:
    never another exception or warning, never a hang."""
    func, _ = PUBLIC[name]
    for label, bad in _hostile_arrays().items():
        with time_limit(30), warnings.catch_warnings():
            warnings.simplefilter("ignore", ps.PixelsmithWarning)
            try:
                func(bad)
            except PixelsmithError:
                pass
            except Exception as exc:  # noqa: BLE001 - the point of the test
                pytest.fail(f"{name} on {label}: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("name", [n for n in PUBLIC if n.startswith(("local_", "block_reduce"))])
def test_integer_input_is_computed_as_float64(name):
    func, _ = PUBLIC[name]
    counts = (_image() * 1000).astype(np.uint16)
    np.testing.assert_array_equal(func(counts), func(counts.astype(np.float64)))


@pytest.mark.parametrize("stat", ["mean", "var", "max", "count"])
def test_dask_with_ragged_chunks_smaller_than_the_halo_equals_numpy(stat):
    import dask.array as da

    a = _image((40, 50))
    a[7, 9] = np.nan
    func = getattr(ps, f"local_{stat}")
    lazy = da.from_array(a, chunks=((3, 11, 2, 24), (5, 1, 30, 14)))  # chunks of 1-3 against a halo of 4
    with time_limit(60):
        np.testing.assert_array_equal(func(lazy, 9, nan_policy="omit").compute(), func(a, 9, nan_policy="omit"))


def test_footprint_over_the_leading_axes_of_a_channel_last_image():
    """Issue 18: an AxisError for a legitimate channel-last call."""
    import naive

    rgb = _image((20, 20))[..., None] * np.array([1.0, 2.0, 3.0])
    disk = np.add.outer(np.arange(-2, 3) ** 2, np.arange(-2, 3) ** 2) <= 4
    got = ps.local_mean(rgb, footprint=disk, axes=(0, 1))
    for channel in range(3):
        want = naive.local_stat(rgb[..., channel], "mean", disk.shape, footprint=disk)
        np.testing.assert_allclose(got[..., channel], want, rtol=1e-12)


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_windows_larger_than_the_array_match_brute_force(mode):
    import naive

    a = _image((5, 7))
    for window in [(9, 3), (12, 15), (5, 30)]:
        got = ps.local_mean(a, window, mode=mode, cval=0.5)
        np.testing.assert_allclose(got, naive.local_stat(a, "mean", window, mode=mode, cval=0.5), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: ps.local_mean(np.ones((5, 5)), 0), "`size`"),
        (lambda: ps.local_mean(np.ones((5, 5)), -3), "`size`"),
        (lambda: ps.local_mean(np.ones((5, 5)), 2.5), "`size`"),
        (lambda: ps.local_mean(np.ones((5, 5)), True), "`size`"),
        (lambda: ps.block_reduce(np.ones((5, 5)), 0), "`block`"),
        (lambda: ps.find_peaks(np.ones(9), min_distance=-1), "`min_distance`"),
        (lambda: ps.find_peaks(np.ones(9), max_count=0), "`max_count`"),
        (lambda: ps.aperture_sums(np.ones((9, 9)), [(4, 4)], -1.0), "`radius`"),
        (lambda: ps.aperture_sums(np.ones((9, 9)), [(4, 4)], np.nan), "`radius`"),
        (lambda: ps.fill_nans(np.ones((4, 4)), method="gaussian", sigma=np.inf), "`sigma`"),
        (lambda: ps.equalize_hist(np.ones((4, 4)), nbins=0), "`nbins`"),
        (lambda: ps.cluster_center(np.ones((10, 2)), max_count=0), "`max_count`"),
        (lambda: ps.add_stamp(np.zeros((9, 9)), np.ones((3, 3)), (4, 4), zoom=0), "`zoom`"),
        (lambda: ps.document.unshuffle_strips(np.ones((9, 9)), n_strips=0), "`n_strips`"),
        (lambda: ps.StackStats().add_many(np.ones((3, 4, 4)), axis=3), "`axis`"),
    ],
)
def test_zero_negative_fractional_and_boolean_parameters_are_named(call, argument):
    with time_limit(10), pytest.raises(PixelsmithError) as caught:
        call()
    assert argument in str(caught.value)


# results that are not float32 for float32 input, and why (each says so in its docstring or conventions.md)
NOT_FLOAT32 = {
    "local_count": np.int64,  # counts
    "find_peaks": np.int64,  # pixel indices
    "density_map": np.float64,  # fractions, from any input (masks are bool)
    "aperture_sums": np.float64,  # sums of many pixels, float64 like photutils
    "StackStats": np.float64,  # streamed float64 accumulators
    "as_rgb": np.float64,  # colour in [0, 1] from any dtype
    "cut_scores": np.float64,  # scores in robust sigmas
    "to_display": np.uint8,  # a picture
    "ncc": np.float64,  # TEMPLATE is float64: float32 needs both image and template float32
    "find_matches": np.float64,  # positions with sub-pixel refinement
}


@pytest.mark.parametrize(
    "name", [n for n in PUBLIC if n not in ("page_blocks", "page_regions", "skew_angle", "robust_noise")]
)
def test_float32_in_gives_float32_out_unless_documented(name):
    """Issue 17: one dtype rule across the API (float32 stays float32), with its exceptions listed."""
    func, _ = PUBLIC[name]
    result = np.asarray(func(_image().astype(np.float32)))
    assert result.dtype == np.dtype(NOT_FLOAT32.get(name, np.float32)), result.dtype


def test_ncc_keeps_float32_when_both_inputs_are_float32():
    image = _image().astype(np.float32)
    assert ps.ncc(image, image[3:9, 4:12]).dtype == np.float32
    assert ps.ncc(image, image[3:9, 4:12].astype(np.float64)).dtype == np.float64


def _masked(values, every=3):
    """A numpy masked array with some masked values (the mask is what a user meant, never to be dropped)."""
    values = np.asarray(values)
    mask = np.zeros(values.shape, bool)
    mask.flat[::every] = True
    return np.ma.MaskedArray(values, mask=mask)


_IMG = _image((24, 30))
SECONDARY_MASKED = {
    "ncc where": (lambda: ps.ncc(_IMG, TEMPLATE, where=_masked(np.ones(_IMG.shape, bool))), "where"),
    "equalize_hist where": (lambda: ps.equalize_hist(_IMG, where=_masked(np.ones(_IMG.shape, bool))), "where"),
    "masked_stats mask": (
        lambda: ps.masked_stats(np.ones((24, 30, 3), np.uint8), _masked(np.ones((24, 30), bool))),
        "where",
    ),
    "fill_nans mask": (lambda: ps.fill_nans(_IMG, mask=_masked(_IMG > 0.5)), "mask"),
    "footprint": (lambda: ps.local_mean(_IMG, footprint=_masked(np.ones((3, 3), bool))), "footprint"),
    "stamp centres": (
        lambda: ps.add_stamps(np.zeros((30, 30)), np.ones((3, 3)), _masked(np.full((4, 2), 10.0))),
        "centers",
    ),
    "stamp weights": (
        lambda: ps.add_stamps(np.zeros((30, 30)), np.ones((3, 3)), np.full((4, 2), 10.0), weights=_masked(np.ones(4))),
        "weights",
    ),
    "cluster points": (lambda: ps.cluster_center(_masked(np.random.default_rng(0).normal(size=(50, 2)))), "points"),
    "curve points": (lambda: ps.document.order_curve_points(_masked(np.full((10, 2), 3.0))), "points"),
    "write_image data": (lambda: ps.io.write_image("never.npy", _masked(_IMG)), "array"),
}


@pytest.mark.parametrize("name", list(SECONDARY_MASKED))
def test_a_masked_secondary_argument_is_refused_like_a_masked_image(name, tmp_path, monkeypatch):
    """Issue 27: 16 places dropped the mask of a masked array passed as a secondary argument."""
    monkeypatch.chdir(tmp_path)
    call, argument = SECONDARY_MASKED[name]
    with raises_naming(ps.PixelsmithTypeError, argument) as caught:
        call()
    assert "masked array" in str(caught.value) and ".data to ignore the mask" in str(caught.value)
    assert not (tmp_path / "never.npy").exists()
