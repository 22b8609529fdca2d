"""Block reduction, density maps and streaming stack statistics."""

from __future__ import annotations

import warnings

import dask.array as da
import numpy as np
import pytest
from skimage.measure import block_reduce as sk_block_reduce

import naive
import pixelsmith as ps
from pixelsmith import PixelsmithTypeError, PixelsmithValueError

FUNCS = ["sum", "mean", "var", "std", "min", "max", "count_nonzero", "fraction_nonzero"]


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("boundary", ["trim", "pad"])
@pytest.mark.parametrize("shape, block", [((17,), (4,)), ((13, 22), (3, 5)), ((7, 9, 10), (2, 4, 3))])
def test_block_reduce_matches_brute_force(func, boundary, shape, block, rng):
    a = rng.integers(-3, 4, size=shape).astype(np.float64) * 1.5
    result = ps.block_reduce(a, block, func, boundary=boundary, cval=2.0)
    expected = naive.block_reduce(a, block, func, boundary=boundary, cval=2.0)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


def test_block_reduce_matches_skimage(rng):
    img = rng.integers(0, 256, size=(120, 97), dtype=np.uint8)
    for func, np_func in [("mean", np.mean), ("max", np.max), ("min", np.min), ("sum", np.sum)]:
        ours = ps.block_reduce(img, (8, 8), func, boundary="pad", cval=0)
        theirs = sk_block_reduce(img, (8, 8), np_func, cval=0)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_block_reduce_callable_and_nan(rng):
    a = rng.normal(size=(12, 12))
    np.testing.assert_allclose(
        ps.block_reduce(a, 4, np.median), naive_median := np.median(a.reshape(3, 4, 3, 4), axis=(1, 3))
    )
    assert naive_median.shape == (3, 3)
    a[0, 0] = np.nan
    out = ps.block_reduce(a, 4, "max")
    assert np.isnan(out[0, 0]) and not np.isnan(out[0, 1:]).any()
    assert np.isnan(ps.block_reduce(a, 4, "mean")[0, 0])


def test_block_reduce_dtypes_and_variance_accuracy(rng):
    a = (1e4 + rng.standard_normal((64, 64))).astype(np.float32)
    out = ps.block_reduce(a, 8, "var")
    assert out.dtype == np.float32
    ref = np.var(a.astype(np.float64).reshape(8, 8, 8, 8), axis=(1, 3))
    np.testing.assert_allclose(out, ref, rtol=1e-5)
    assert ps.block_reduce(a > 1e4, 8, "fraction_nonzero").dtype == np.float64


def test_block_reduce_dask(rng):
    a = rng.normal(size=(100, 90))
    x = da.from_array(a, chunks=(30, 25))
    for func in FUNCS:
        for boundary in ("trim", "pad"):
            lazy = ps.block_reduce(x, (8, 7), func, boundary=boundary)
            np.testing.assert_allclose(
                lazy.compute(), ps.block_reduce(a, (8, 7), func, boundary=boundary), rtol=1e-12, atol=1e-14
            )


def test_density_map(rng):
    mask = rng.random((40, 30)) < 0.3
    dens = ps.density_map(mask, 10)
    np.testing.assert_allclose(dens, mask.reshape(4, 10, 3, 10).mean(axis=(1, 3)))
    assert dens.min() >= 0 and dens.max() <= 1


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: ps.block_reduce(np.ones((4, 4)), 0), PixelsmithValueError, "`block`"),
        (lambda: ps.block_reduce(np.ones((4, 4)), (2, 2, 2)), PixelsmithValueError, "one size per reduced axis"),
        (lambda: ps.block_reduce(np.ones((4, 4)), 2, "median"), PixelsmithValueError, "`func`"),
        (lambda: ps.block_reduce(np.ones((4, 4)), 8), PixelsmithValueError, "larger than axis"),
        (lambda: ps.block_reduce(np.ones((4, 4)), 2, boundary="x"), PixelsmithValueError, "`boundary`"),
        (lambda: ps.block_reduce(np.ones((4, 4)), "2"), PixelsmithTypeError, "`block`"),
    ],
)
def test_block_reduce_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_stack_stats_equals_numpy_in_any_chunking(rng):
    stack = 1e6 + rng.normal(0.0, 3.0, size=(101, 9, 7))
    stats = ps.StackStats()
    for chunk in np.array_split(stack, 13):
        stats.add_many(chunk)
    np.testing.assert_allclose(stats.var(), np.var(stack, axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.var(ddof=1), np.var(stack, axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(stats.mean, stack.mean(axis=0), rtol=1e-14)
    np.testing.assert_array_equal(stats.min, stack.min(axis=0))
    np.testing.assert_array_equal(stats.max, stack.max(axis=0))
    assert (stats.count == 101).all()
    # frame by frame, and merging two halves computed separately
    a, b = ps.StackStats(), ps.StackStats()
    for frame in stack[:40]:
        a.add(frame)
    b.add_many(stack[40:])
    a.merge(b)
    np.testing.assert_allclose(a.var(), np.var(stack, axis=0), rtol=1e-12)
    np.testing.assert_allclose(a.std(), np.std(stack, axis=0), rtol=1e-12)


def test_stack_stats_skips_nan_and_checks_shapes(rng):
    stack = rng.normal(size=(20, 4, 4))
    stack[::3, 0, 0] = np.nan
    stack[:, 1, 1] = np.nan
    stats = ps.StackStats(shape=(4, 4)).add_many(stack)
    with warnings.catch_warnings():  # the reference warns for its all-NaN pixels
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = np.nanvar(stack, axis=0)
    np.testing.assert_allclose(stats.var(), reference, rtol=1e-12)
    assert stats.count[0, 0] == 13 and stats.count[1, 1] == 0
    assert np.isnan(stats.mean[1, 1]) and np.isnan(stats.max[1, 1])
    with pytest.raises(PixelsmithValueError, match="shape"):
        stats.add(np.ones((5, 5)))
    with pytest.raises(PixelsmithValueError, match="no frames"):
        ps.StackStats().mean  # noqa: B018


def test_stack_stats_of_3d_volumes_is_per_voxel(rng):
    """Issue 20: (10, 10, 10) volumes fed one by one gave a (10, 10) result (the first axis taken as frames)."""
    volumes = rng.normal(5.0, 2.0, size=(10, 10, 10, 7))  # the asker's [x, y, z, k]
    stats = ps.StackStats()
    with pytest.warns(ps.PixelsmithWarning, match=r"add_many\(stack, axis=0\)"):  # issue 27: say both readings
        stats.add(volumes[..., 0])
    for k in range(1, volumes.shape[-1]):
        stats.add(volumes[..., k])  # once: the frame shape is set now
    assert stats.var().shape == (10, 10, 10)
    stated = ps.StackStats(shape=(10, 10, 10))  # the frame shape stated: no doubt, no warning
    for k in range(volumes.shape[-1]):
        stated.add(volumes[..., k])
    np.testing.assert_array_equal(stated.var(), stats.var())
    np.testing.assert_allclose(stats.var(), np.var(volumes, axis=-1), rtol=1e-12)
    along_last = ps.StackStats().add_many(volumes, axis=-1)
    np.testing.assert_allclose(along_last.var(), stats.var(), rtol=1e-12)
    with pytest.raises(PixelsmithValueError, match="`axis`"):
        ps.StackStats().add_many(volumes, axis=4)


def test_stack_stats_add_of_a_chunk_is_a_deprecated_alias_of_add_many(rng):
    stack = rng.normal(size=(6, 3, 4))
    stats = ps.StackStats().add(stack[0])
    with pytest.warns(DeprecationWarning, match="add_many"):
        stats.add(stack[1:])
    np.testing.assert_allclose(stats.var(), np.var(stack, axis=0), rtol=1e-12)


@pytest.mark.parametrize("shape", [5, (512, 512), [3, 4, 5]])
def test_stack_stats_takes_a_shape_as_int_or_sequence(shape):
    stats = ps.StackStats(shape=shape)
    stats.add(np.ones((5,) if shape == 5 else tuple(shape)))
    assert stats.var().shape == ((5,) if shape == 5 else tuple(shape))


@pytest.mark.parametrize("shape", ["512", (5.5, 3), (-1, 4), object()])
def test_stack_stats_refuses_a_shape_that_is_not_one_naming_it(shape):
    from expect import raises_naming

    with raises_naming(PixelsmithValueError, "shape"):
        ps.StackStats(shape=shape)


def test_block_reduce_axes_choose_the_reduced_axes():
    cube = np.random.default_rng(7).random((3, 8, 10))
    np.testing.assert_array_equal(ps.block_reduce(cube, 2, axes=(1, 2)), ps.block_reduce(cube, (1, 2, 2)))
    np.testing.assert_array_equal(
        ps.block_reduce(cube, (4, 5), "max", axes=(-2, -1)), ps.block_reduce(cube, (1, 4, 5), "max")
    )
    np.testing.assert_array_equal(ps.density_map(cube > 0.5, 2, axes=2), ps.density_map(cube > 0.5, (1, 1, 2)))
    with pytest.raises(ps.PixelsmithValueError, match="one size per reduced axis"):
        ps.block_reduce(cube, (2, 2, 2), axes=(1, 2))


def test_stack_stats_fast_and_general_paths_give_numpy_s_answer_in_any_mix():
    """Issue 30: finite frames take a count-free Welford kernel; a NaN, an inf or a chunk switches to per-pixel
    counts mid-stream. Every mix must give numpy's nan-aware answer, large offsets included."""
    rng = np.random.default_rng(12)
    stack = 1e6 + rng.normal(0, 2.0, (30, 17, 19))  # a large offset: the reference must keep the digits
    stack[20, 3, 4] = np.nan
    stack[25:, 5, 6] = np.nan
    want_mean, want_var = np.nanmean(stack, axis=0), np.nanvar(stack, axis=0, ddof=1)
    fast_then_general = ps.StackStats()
    for frame in stack:
        fast_then_general.add(frame.astype(np.float64))
    chunked = ps.StackStats().add_many(stack[:7]).add_many(np.moveaxis(stack[7:], 0, -1), axis=-1)
    halves = ps.StackStats()
    for frame in stack[:15]:
        halves.add(frame)
    other = ps.StackStats()
    for frame in stack[15:]:
        other.add(frame)
    halves.merge(other)
    for stats in (fast_then_general, chunked, halves):
        np.testing.assert_allclose(stats.mean, want_mean, rtol=1e-14)
        np.testing.assert_allclose(stats.var(ddof=1), want_var, rtol=1e-9)
        np.testing.assert_array_equal(stats.count, np.sum(~np.isnan(stack), axis=0))
        np.testing.assert_array_equal(stats.min, np.nanmin(stack, axis=0))
        np.testing.assert_array_equal(stats.max, np.nanmax(stack, axis=0))
    single = ps.StackStats()
    for frame in stack[:20].astype(np.float32):  # the count-free path throughout
        single.add(frame)
    np.testing.assert_allclose(single.var(), stack[:20].astype(np.float32).astype(np.float64).var(axis=0), rtol=1e-10)
    assert single.count.dtype == np.int64 and (single.count == 20).all()
