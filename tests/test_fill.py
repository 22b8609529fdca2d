"""fill_nans: dense references, scikit-image's biharmonic, quality on a smooth field, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.restoration import inpaint_biharmonic

import pixelsmith as ps
from naive import harmonic_fill
from pixelsmith import PixelsmithError, fill_nans


def holes_in(truth, mask):
    x = truth.copy()
    x[mask] = np.nan
    return x


@pytest.mark.parametrize("shape", [(40,), (17, 23), (7, 9, 8)])
def test_harmonic_equals_dense_solve(rng, shape):
    a = rng.normal(size=shape)
    a[rng.random(shape) < 0.3] = np.nan
    np.testing.assert_allclose(fill_nans(a), harmonic_fill(a), atol=1e-10)


def test_harmonic_stays_within_the_boundary_range(rng):
    a = rng.uniform(0, 1, size=(60, 60))
    a[10:40, 15:45] = np.nan
    filled = fill_nans(a)
    inner = filled[10:40, 15:45]
    assert inner.min() >= np.nanmin(a) - 1e-12 and inner.max() <= np.nanmax(a) + 1e-12


def test_biharmonic_matches_scikit_image_quality():
    truth = ps.datasets.smooth_field((256, 256), seed=3)
    mask = ps.datasets.blob_holes((256, 256), 0.1, seed=3)
    ours = fill_nans(holes_in(truth, mask), method="biharmonic")
    theirs = inpaint_biharmonic(np.where(mask, 0.0, truth), mask)
    rmse = np.sqrt(np.mean((ours[mask] - truth[mask]) ** 2))
    rmse_sk = np.sqrt(np.mean((theirs[mask] - truth[mask]) ** 2))
    assert rmse <= 1.1 * rmse_sk, (rmse, rmse_sk)


def test_quality_order_on_a_smooth_field():
    truth = ps.datasets.smooth_field((256, 256), seed=1)
    mask = ps.datasets.blob_holes((256, 256), 0.1, seed=1)
    x = holes_in(truth, mask)
    rmse = {
        m: np.sqrt(np.mean((fill_nans(x, method=m)[mask] - truth[mask]) ** 2))
        for m in ("biharmonic", "harmonic", "gaussian", "nearest")
    }
    assert rmse["biharmonic"] < rmse["harmonic"] < rmse["gaussian"] < rmse["nearest"], rmse


def test_nearest_takes_the_nearest_known_value():
    a = np.array([[1.0, np.nan, np.nan, np.nan, 5.0]])
    filled = fill_nans(a, method="nearest")[0]
    assert filled[1] == 1.0 and filled[3] == 5.0 and filled[2] in (1.0, 5.0)  # the middle is a tie


def test_gaussian_fills_large_holes_by_repeating(rng):
    a = rng.normal(size=(80, 80))
    a[10:70, 10:70] = np.nan  # far bigger than 3 sigma
    filled = fill_nans(a, method="gaussian", sigma=1.5)
    assert np.isfinite(filled).all()
    with pytest.raises(PixelsmithError, match="max_iter"):
        fill_nans(a, method="gaussian", sigma=1.0, max_iter=1)


def test_gaussian_single_pass_is_normalized_convolution(rng):
    from scipy.ndimage import gaussian_filter

    a = rng.normal(size=(40, 40))
    a[20, 20] = np.nan
    known = np.isfinite(a)
    expected = (
        gaussian_filter(np.where(known, a, 0), 2.0, mode="constant")[20, 20]
        / gaussian_filter(known * 1.0, 2.0, mode="constant")[20, 20]
    )
    assert fill_nans(a, method="gaussian")[20, 20] == pytest.approx(expected, rel=1e-12)


def test_mask_dtype_channels_and_no_holes(rng):
    a = rng.normal(size=(30, 30)).astype(np.float32)
    mask = np.zeros(a.shape, bool)
    mask[5:9, 5:9] = True
    filled = fill_nans(a, mask=mask)
    assert filled.dtype == np.float32
    np.testing.assert_array_equal(filled[~mask], a[~mask])
    assert not np.allclose(filled[mask], a[mask])
    same = fill_nans(a)
    assert same is not a and np.array_equal(same, a)
    rgb = rng.uniform(size=(20, 20, 3))
    rgb[5:8, 5:8, :] = np.nan
    per_channel = fill_nans(rgb, channel_axis=-1)
    for c in range(3):
        np.testing.assert_allclose(per_channel[..., c], fill_nans(rgb[..., c]))
    assert fill_nans(np.arange(12).reshape(3, 4)).dtype == np.float64


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: fill_nans(np.full((4, 4), np.nan)), "no known pixels"),
        (lambda: fill_nans(np.ones((4, 4)), method="magic"), "`method`"),
        (lambda: fill_nans(np.ones((4, 4)), mask=np.ones((3, 3), bool)), "`mask` must have the shape"),
        (lambda: fill_nans(np.ones((4, 4)), mask=np.ones((4, 4))), "boolean"),
        (lambda: fill_nans(np.array([1.0, np.inf])), "inf"),
        (lambda: fill_nans(np.ones((4, 4)), method="gaussian", sigma=0), "`sigma`"),
        (lambda: fill_nans(np.ones((4, 4)), channel_axis=5), "`channel_axis`"),
    ],
)
def test_bad_input(call, words):
    with pytest.raises(PixelsmithError) as info:
        call()
    assert words in str(info.value)


def test_colour_image_is_filled_channel_by_channel_by_default():
    """Issue 20: an (H, W, 3) float image without channel_axis was filled as a volume, mixing the colours."""
    yy, xx = np.mgrid[:64, :80]
    rgb = np.stack([np.sin(xx / 9.0), np.cos(yy / 7.0), 0.5 + 0.0 * xx], axis=-1)  # three unrelated channels
    gappy = rgb.copy()
    gappy[20:30, 30:42, :] = np.nan
    auto = ps.fill_nans(gappy, method="biharmonic")
    explicit = ps.fill_nans(gappy, method="biharmonic", channel_axis=-1)
    np.testing.assert_array_equal(auto, explicit)
    assert np.abs(auto - rgb).max() < 0.02
    as_volume = ps.fill_nans(gappy, method="biharmonic", channel_axis=None)  # the old behaviour, on request
    assert np.abs(as_volume - rgb).max() > 0.05
    rgba = np.concatenate([gappy, np.ones((64, 80, 1))], axis=-1)
    np.testing.assert_array_equal(ps.fill_nans(rgba, method="biharmonic")[..., :3], auto)
    volume = np.where(np.isnan(gappy[..., :1]), np.nan, np.ones((64, 80, 5)))  # 5 planes: not colour
    assert np.isfinite(ps.fill_nans(volume)).all()
    with pytest.raises(PixelsmithError, match="`channel_axis`"):
        ps.fill_nans(gappy, channel_axis="guess")


def test_gaussian_fill_with_a_tiny_sigma_finishes():
    """Issue 18: sigma < 0.125 gave a kernel of radius 0 and an endless loop (0.1 is the smallest allowed)."""
    a = np.arange(36.0).reshape(6, 6)
    a[2:4, 2:4] = np.nan
    filled = ps.fill_nans(a, method="gaussian", sigma=0.1)
    assert np.isfinite(filled).all()
    nearest = ps.fill_nans(a, method="nearest")
    assert np.abs(filled - nearest)[2:4, 2:4].max() <= np.ptp(a[np.isfinite(a)])


@pytest.mark.parametrize("wide_limit", [None, 50])
def test_harmonic_2d_by_banded_cholesky_per_hole_equals_the_dense_solve(rng, monkeypatch, wide_limit):
    """Issue 31: a 2-D harmonic fill solves each hole with a banded Cholesky (`_kernels/fill.py`): the dense
    solve's values for holes of every shape (single pixels, edges and corners, a hole across the whole
    width, nested rings); holes whose band would be too large go to the sparse solver (`wide_limit`)."""
    import pixelsmith.fill as fill

    if wide_limit is not None:
        monkeypatch.setattr(fill, "_BANDED_VALUES", wide_limit)
    a = rng.normal(size=(31, 37))
    a[rng.random(a.shape) < 0.12] = np.nan  # scattered pixels and small clusters
    a[0, 0] = a[30, 36] = a[0, 20] = np.nan  # corners and an edge
    a[12:15, :] = np.nan  # a band across the whole width: one hole touching both sides
    a[20:27, 5:12] = np.nan
    a[22:25, 7:10] = 5.0  # a known island inside a hole: a ring
    filled = fill_nans(a)
    np.testing.assert_allclose(filled, harmonic_fill(a), rtol=0, atol=1e-11)
    single = fill_nans(a.astype(np.float32))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, harmonic_fill(a.astype(np.float32)), atol=1e-5)


def test_holes_are_labelled_as_scipy_labels_them():
    """The harmonic fill's own 4-connected labelling (no scipy.ndimage import on a first call) numbers the
    holes as scipy.ndimage.label does: 1, 2, .. in the raster order of their first pixel."""
    from scipy.ndimage import label

    from pixelsmith._kernels import fill as kernels

    rng = np.random.default_rng(12)
    checker = (np.add.outer(np.arange(9), np.arange(7)) % 2).astype(bool)  # the most components a size holds
    spiral = np.zeros((9, 9), bool)
    spiral[1, 1:8], spiral[1:8, 7], spiral[7, 1:8], spiral[3:8, 1], spiral[3, 1:6], spiral[3:6, 5] = (True,) * 6
    cases = [checker, ~checker, spiral, np.ones((5, 6), bool), np.zeros((4, 3), bool), np.ones((1, 1), bool)]
    cases += [rng.random(tuple(rng.integers(1, 50, 2))) < p for p in (0.2, 0.45, 0.6, 0.9)]
    cases += [np.eye(6, dtype=bool), np.eye(6, dtype=bool)[::-1]]  # diagonal: 4-connected, so apart
    for holes in cases:
        expected, count = label(holes)
        labels = np.full(holes.shape, -7, np.int32)
        assert kernels.label_holes(holes, labels) == count
        np.testing.assert_array_equal(labels, expected)


def test_harmonic_fill_and_page_layout_leave_scipy_ndimage_unloaded():
    from expect import fresh_python

    code = (
        "import sys, numpy as np, pixelsmith as ps; "
        "a = np.random.default_rng(0).random((60, 70)); a[a < 0.2] = np.nan; ps.fill_nans(a, method='harmonic'); "
        "ps.document.page_blocks(ps.datasets.synthetic_page((600, 400), seed=0).image); "
        "print('scipy.ndimage' in sys.modules)"
    )
    assert fresh_python(code) == "False"
