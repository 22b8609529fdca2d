"""equalize_hist: scikit-image per image, exactly; masks, axes, dtypes, dask, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.exposure import equalize_hist as sk_equalize

from pixelsmith import PixelsmithError, equalize_hist


def sk_loop(stack, **kwargs):
    return np.stack([sk_equalize(frame, **kwargs) for frame in stack])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.int32, np.float64, np.float32])
def test_equals_scikit_image_per_image(rng, dtype):
    if np.dtype(dtype).kind == "f":
        stack = (rng.normal(size=(40, 33, 29)) ** 3).astype(dtype)
    else:
        low = -300 if np.dtype(dtype).kind == "i" else 0
        stack = rng.integers(low, 250, size=(40, 33, 29)).astype(dtype)
    ours = equalize_hist(stack)
    theirs = sk_loop(stack)
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, atol=1e-12 if dtype != np.float32 else 0, rtol=0)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.bool_])
def test_one_byte_images_take_a_table_with_the_same_numbers(rng, dtype, monkeypatch):
    """1-byte stacks map through one 256-entry table per image: scikit-image's numbers, and the general
    integer kernel's bits, with and without masks (values outside a mask's range clamp)."""
    import pixelsmith.exposure as exposure

    stack = rng.integers(-100 if dtype == np.int8 else 0, 120 if dtype != np.bool_ else 2, (40, 33, 29)).astype(dtype)
    stack[5] = stack[5, 0, 0]  # a constant image
    shared = rng.random((33, 29)) > 0.5
    each = rng.random(stack.shape) > 0.7
    each[:, 0, 0] = True
    calls = []
    real = exposure._k.equalize_byte_rows
    monkeypatch.setattr(exposure._k, "equalize_byte_rows", lambda *args: calls.append(1) or real(*args))
    results = [equalize_hist(stack), equalize_hist(stack, where=shared), equalize_hist(stack, where=each)]
    assert calls
    as_numbers = stack.astype(np.uint8) if dtype == np.bool_ else stack
    np.testing.assert_allclose(results[0], sk_loop(as_numbers), atol=1e-12)
    np.testing.assert_allclose(results[1], sk_loop(as_numbers, mask=shared), atol=1e-12)
    wide = stack.astype(np.int16)  # two bytes: the general integer kernel
    for got, where in zip(results, (None, shared, each), strict=True):
        np.testing.assert_array_equal(got, equalize_hist(wide, where=where))


@pytest.mark.parametrize("nbins", [2, 17, 256, 1000])
def test_nbins_and_constant_images(rng, nbins):
    stack = rng.random((10, 20, 20))
    stack[3] = 0.25  # a constant image: numpy widens the range by 0.5
    np.testing.assert_allclose(equalize_hist(stack, nbins=nbins), sk_loop(stack, nbins=nbins), atol=1e-12)


def test_masks_per_stack_and_per_image(rng):
    stack = rng.normal(size=(12, 30, 30))
    shared = rng.random((30, 30)) > 0.5
    np.testing.assert_allclose(equalize_hist(stack, where=shared), sk_loop(stack, mask=shared), atol=1e-12)
    each = rng.random(stack.shape) > 0.5
    expected = np.stack([sk_equalize(f, mask=m) for f, m in zip(stack, each, strict=True)])
    np.testing.assert_allclose(equalize_hist(stack, where=each), expected, atol=1e-12)


def test_question_shape_and_axes(rng):
    stack = rng.integers(0, 256, size=(30, 1, 24, 24), dtype=np.uint8)
    ours = equalize_hist(stack)
    assert ours.shape == stack.shape
    np.testing.assert_allclose(ours[:, 0], sk_loop(stack[:, 0]), atol=1e-12)
    channels_first = np.moveaxis(stack[:, 0], 0, -1)  # (24, 24, 30): images along the last axis
    moved = equalize_hist(channels_first, axes=(0, 1))
    np.testing.assert_allclose(np.moveaxis(moved, -1, 0), ours[:, 0], atol=1e-12)


def test_nan_needs_a_mask(rng):
    stack = rng.random((3, 10, 10))
    stack[0, 2, 2] = np.nan
    with pytest.raises(PixelsmithError, match="where"):
        equalize_hist(stack)
    out = equalize_hist(stack, where=~np.isnan(stack))
    assert np.isnan(out[0, 2, 2]) and np.isfinite(np.delete(out.ravel(), 22)).all()


def test_dask_equals_numpy(rng):
    import dask.array as da

    stack = rng.random((20, 16, 16))
    lazy = equalize_hist(da.from_array(stack, chunks=(6, 8, 8)))
    np.testing.assert_array_equal(lazy.compute(), equalize_hist(stack))


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: equalize_hist(np.ones((3, 4, 4)), nbins=0), "`nbins`"),
        (lambda: equalize_hist(np.ones((3, 4, 4)), where=np.ones((5, 5), bool)), "`where` must have the shape"),
        (lambda: equalize_hist(np.ones((3, 4, 4)), where=np.zeros((4, 4), bool)), "no pixel"),
        (lambda: equalize_hist(np.ones((3, 4, 4)), axes=(1, 5)), "axes"),
        (lambda: equalize_hist(np.array([[0, 2**40]], dtype=np.int64)), "integer values"),
        (lambda: equalize_hist(np.ones((3, 4, 4)) + 1j), "complex"),
    ],
)
def test_bad_input(call, words):
    with pytest.raises(PixelsmithError) as info:
        call()
    assert words in str(info.value)


def test_the_one_pass_float_path_equals_skimage_including_its_rare_fallbacks():
    """Issue 31: float images are ranged, binned and mapped in one pass; flat images and large offsets go the
    way numpy goes, and a range of a few denormals (bins of zero width) is refused as numpy refuses it (it
    divided by zero inside the kernel before)."""
    from skimage import exposure

    rng = np.random.default_rng(21)
    for dtype in (np.float64, np.float32):
        stack = rng.random((6, 1, 20, 24)).astype(dtype)
        stack[1] = 3.25  # flat: widened by 0.5 on each side
        stack[2] = stack[2] * 1e6 + 1e9  # a large offset
        got = equalize_hist(stack)
        want = np.stack([exposure.equalize_hist(image[0])[None] for image in stack])
        np.testing.assert_array_equal(got, want)
        assert got.dtype == dtype
    narrow = rng.random((3, 1, 20, 24))
    narrow[1, 0, :, :12], narrow[1, 0, :, 12:] = 0.0, 1e-320  # bins of zero width: numpy.histogram refuses
    for where in (None, np.ones(narrow.shape, bool)):  # the one-pass and the two-pass path
        with pytest.raises(PixelsmithError, match=r"image 1 of `stack`.*`nbins` 256"):
            equalize_hist(narrow, where=where)


def test_bins_found_by_arithmetic_are_numpys_or_the_row_takes_the_edges():
    """Issue 31: a whole float row's bins and interpolation intervals come from (v - first) * scale where
    no edge or centre is within 8x the rounding of both; the result is numpy's, bit for
    bit; pixels on an edge or a centre are compared against it; rows whose edges round by a thousandth
    of a bin or more are left (False) to the comparing path."""
    from skimage import exposure

    from pixelsmith._kernels import exposure as kernels

    rng = np.random.default_rng(22)
    rows = {
        "uniform": rng.random(4000),
        "normal": rng.normal(5, 3, 4000),
        "offset": 1e6 + rng.random(4000) * 1e-3,
        "whole numbers": rng.integers(-500, 500, 4000).astype(np.float64),
        "float32": rng.random(4000).astype(np.float32),
        "float32 offset": (1e4 + rng.normal(0, 1, 4000)).astype(np.float32),
    }
    taken = 0
    for name, row in rows.items():
        for nbins in (10, 256, 1000):
            counts, edges = np.histogram(row, nbins)
            centres = ((edges[:-1] + edges[1:]) / 2).astype(row.dtype)
            want = np.interp(row, centres, np.cumsum(counts) / row.size)
            out = np.empty(row.size)
            buffers = (np.zeros(nbins, np.int64), np.empty(nbins), np.empty(nbins), np.empty(row.size, np.int32))
            eps = float(np.finfo(row.dtype).eps)
            quick = kernels._equalize_row_guessed(
                row, edges.astype(row.dtype), centres, eps, False, *buffers, np.empty(row.size, np.int32),
                np.zeros((3, nbins + 1)), out,
            )  # fmt: skip
            if quick:
                taken += 1
                np.testing.assert_array_equal(out, want, err_msg=f"{name} {nbins}")
            if nbins == 256 and row.dtype == np.float64:
                np.testing.assert_array_equal(exposure.equalize_hist(row), want)
    assert taken == 13  # all but the rows far from 0 in narrow bins (offset at 256 and 1000, float32 offset)
    on_edge = rng.random(4000)
    on_edge[7] = np.linspace(on_edge.min(), on_edge.max(), 257)[100]  # exactly an edge of bin 100
    on_edge[8] = (on_edge[7] + np.linspace(on_edge.min(), on_edge.max(), 257)[101]) / 2  # a centre
    counts, edges = np.histogram(on_edge, 256)
    centres = (edges[:-1] + edges[1:]) / 2
    buffers = (np.zeros(256, np.int64), np.empty(256), np.empty(256), np.empty(4000, np.int32))
    out = np.empty(4000)
    assert kernels._equalize_row_guessed(
        on_edge, edges, centres, 2.0**-52, False, *buffers, np.empty(4000, np.int32), np.zeros((3, 257)), out
    )
    np.testing.assert_array_equal(out, np.interp(on_edge, centres, np.cumsum(counts) / 4000))
