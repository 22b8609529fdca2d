"""Stamp placement: exactness, the hand-written reference, analytic Gaussians, scipy, flux, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi

from naive import place_stamp
from pixelsmith import PixelsmithError, add_stamp, add_stamps, datasets

ORDERS = [0, 1, 3, "lanczos3"]


def gaussian(shape, center, sigma, amplitude=1.0):
    """Analytic Gaussian on the pixel centres of `shape`; `sigma` a scalar, per-axis, or a 2x2 covariance."""
    grids = np.indices(shape, dtype=float)
    d = np.stack([g - c for g, c in zip(grids, center, strict=True)], axis=-1)
    cov = np.asarray(sigma, float)
    if cov.ndim < 2:
        cov = np.diag(np.broadcast_to(cov, (len(shape),)) ** 2)
    q = np.einsum("...i,ij,...j->...", d, np.linalg.inv(cov), d)
    return amplitude * np.exp(-q / 2)


def gaussian_stamp(n, sigma, ndim=2):
    c = (n - 1) / 2
    return gaussian((n,) * ndim, (c,) * ndim, sigma)


# --- exactness -----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_aligned_placement_is_exactly_a_slice_add(rng, order, dtype):
    stamp = rng.normal(size=(7, 6)).astype(dtype)
    frame = rng.normal(size=(30, 25)).astype(dtype)
    expected = frame.copy()
    # stamp centre (3, 2.5) -> centre (10, 12.5): offset (7, 10), integral
    add_stamp(frame, stamp, (10.0, 12.5), order=order)
    expected[7:14, 10:16] += stamp
    np.testing.assert_array_equal(frame, expected)


@pytest.mark.parametrize("order", ORDERS)
def test_grid_aligned_3d_and_clipped_with_weight(rng, order):
    stamp = rng.normal(size=(5, 4, 3))
    frame = np.zeros((6, 8, 9))
    add_stamp(frame, stamp, (0.0, 7.5, 1.0), order=order, weight=2.5)  # offset (-2, 6, 0)
    expected = np.zeros((6, 8, 9))
    expected[0:3, 6:8, 0:3] += 2.5 * stamp[2:5, 0:2, :]
    np.testing.assert_array_equal(frame, expected)


# --- the hand-written reference ------------------------------------------------------------------


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("flux", ["preserve", "sample"])
def test_matches_reference_shift_zoom_rotation(rng, order, flux):
    stamp = rng.uniform(0, 1, size=(6, 5))
    for zoom, rotation in [(1.0, 0.0), ((1.7, 0.6), 0.0), (1.3, 33.0), (0.8, -115.0)]:
        center = rng.uniform(12, 18, 2)
        frame = np.zeros((30, 30))
        add_stamp(frame, stamp, center, zoom=zoom, rotation=rotation, order=order, flux=flux, stamp_center=(2.2, 1.9))
        ref = place_stamp(
            (30, 30), stamp, center, zoom=zoom, rotation=rotation, order=order, flux=flux, stamp_center=(2.2, 1.9)
        )
        np.testing.assert_allclose(frame, ref, atol=1e-12, rtol=0, err_msg=f"zoom={zoom} rot={rotation}")


@pytest.mark.slow  # exhaustive grid: make test runs it, make test-fast skips it
@pytest.mark.parametrize("order", [1, 3, "lanczos3"])
def test_matches_reference_3d(rng, order):
    stamp = rng.uniform(0, 1, size=(4, 5, 3))
    center = rng.uniform(8, 10, 3)
    frame = np.zeros((18, 18, 18))
    add_stamp(frame, stamp, center, zoom=(1.0, 1.4, 0.7), order=order)
    ref = place_stamp((18, 18, 18), stamp, center, zoom=(1.0, 1.4, 0.7), order=order)
    np.testing.assert_allclose(frame, ref, atol=1e-12, rtol=0)


# --- analytic truths and scipy -------------------------------------------------------------------


def scipy_shift_placement(shape, stamp, center, order=3, margin=8):
    """The scipy answer: shift a zero-padded stamp by the fractional offset and add it into its box."""
    padded = np.pad(stamp, margin)
    offset = np.asarray(center) - (np.array(stamp.shape) - 1) / 2
    whole = np.floor(offset).astype(int)
    shifted = ndi.shift(padded, offset - whole, order=order, mode="constant")
    frame = np.zeros(shape)
    r0, c0 = whole - margin
    frame[r0 : r0 + padded.shape[0], c0 : c0 + padded.shape[1]] += shifted
    return frame


@pytest.mark.parametrize(("n", "sigma", "tolerance"), [(10, 1.5, 6e-3), (32, 3.0, 3e-4)])
def test_gaussian_at_random_subpixel_centres(rng, n, sigma, tolerance):
    stamp = gaussian_stamp(n, sigma)
    side = n + 24
    worst = worst_scipy = 0.0
    for center in rng.uniform(side / 2 - 1, side / 2 + 1, size=(1000, 2)):
        frame = add_stamp(np.zeros((side, side)), stamp, center)
        truth = gaussian((side, side), center, sigma)
        err = np.abs(frame - truth).max()
        err_scipy = np.abs(scipy_shift_placement((side, side), stamp, center) - truth).max()
        assert err <= err_scipy * (1 + 1e-6) + 1e-12, (center, err, err_scipy)
        assert abs(frame.sum() - stamp.sum()) <= 1e-6 * stamp.sum()
        worst, worst_scipy = max(worst, err), max(worst_scipy, err_scipy)
    assert worst <= tolerance, worst


@pytest.mark.parametrize("order", [1, "lanczos3"])
def test_other_orders_are_close_to_the_analytic_gaussian(rng, order):
    stamp = gaussian_stamp(32, 3.0)
    for center in rng.uniform(27, 29, size=(50, 2)):
        frame = add_stamp(np.zeros((56, 56)), stamp, center, order=order)
        err = np.abs(frame - gaussian((56, 56), center, 3.0)).max()
        # linear: the textbook bound h^2/8 * max|f''| per axis, 2 * (1/8) * (1/sigma^2)
        assert err < (2 / 8 / 9.0 if order == 1 else 4e-3), err


def test_agrees_with_scipy_shift_away_from_edges(rng):
    stamp = gaussian_stamp(16, 2.0) + rng.uniform(0, 0.05, (16, 16))
    for center in rng.uniform(20, 22, size=(20, 2)):
        ours = add_stamp(np.zeros((44, 44)), stamp, center, flux="sample")
        theirs = scipy_shift_placement((44, 44), stamp, center, margin=10)
        # inside the stamp's own extent; beyond it scipy keeps the spline's far ringing (< 1e-3)
        inside = (np.abs(np.indices((44, 44)) - center[:, None, None]) <= 7.5).all(axis=0)
        np.testing.assert_allclose(ours[inside], theirs[inside], atol=1e-6 * np.abs(stamp).max(), rtol=0)
        assert np.abs(ours - theirs).max() < 2e-3 * np.abs(stamp).max()


def test_zoom_matches_scaled_gaussian(rng):
    stamp = gaussian_stamp(32, 3.0)
    for zoom in [(2.0, 2.0), (1.5, 0.75)]:
        center = rng.uniform(49, 51, 2)
        sampled = add_stamp(np.zeros((100, 100)), stamp, center, zoom=zoom, flux="sample")
        truth = gaussian((100, 100), center, 3.0 * np.array(zoom))
        assert np.abs(sampled - truth).max() < 1e-3
        kept = add_stamp(np.zeros((100, 100)), stamp, center, zoom=zoom)
        assert abs(kept.sum() - stamp.sum()) < 1e-6 * stamp.sum()
        np.testing.assert_allclose(kept, truth / np.prod(zoom), atol=2e-3 / np.prod(zoom))


def test_rotation_matches_rotated_covariance(rng):
    stamp = gaussian((40, 40), (19.5, 19.5), (2.0, 5.0))  # elongated along columns
    for angle in [30.0, 90.0, 200.0]:
        center = rng.uniform(29, 31, 2)
        frame = add_stamp(np.zeros((60, 60)), stamp, center, rotation=angle, flux="sample")
        t = np.radians(angle)
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        truth = gaussian((60, 60), center, rot @ np.diag([4.0, 25.0]) @ rot.T)
        assert np.abs(frame - truth).max() < 2e-3, angle


def test_rotation_sense_is_counter_clockwise_on_screen(rng):
    stamp = rng.uniform(size=(5, 5))
    frame = add_stamp(np.zeros((5, 5)), stamp, (2.0, 2.0), rotation=90.0, order=1, flux="sample")
    np.testing.assert_allclose(frame, np.rot90(stamp), atol=1e-12)
    turned = ndi.rotate(stamp, 90.0, reshape=False, order=1)
    np.testing.assert_allclose(frame, turned, atol=1e-12)


def test_3d_voxel_gaussian(rng):
    stamp = gaussian_stamp(15, 2.0, ndim=3)
    center = rng.uniform(14, 16, 3)
    frame = add_stamp(np.zeros((30, 30, 30), np.float32), stamp, center)
    truth = gaussian((30, 30, 30), center, 2.0)
    assert np.abs(frame - truth).max() < 2e-3
    assert abs(frame.sum(dtype=float) - stamp.sum()) < 1e-5 * stamp.sum()


@settings(max_examples=40, deadline=None)
@given(
    row=st.floats(5, 25),
    col=st.floats(5, 25),
    zoom=st.floats(0.6, 2.5),
    angle=st.floats(-180, 180),
    order=st.sampled_from(ORDERS),
)
def test_flux_is_preserved_when_inside(row, col, zoom, angle, order):
    stamp = gaussian_stamp(9, 1.8) + 0.1
    frame = add_stamp(np.zeros((70, 70)), stamp, (row + 20, col + 20), zoom=zoom, rotation=angle, order=order)
    assert abs(frame.sum() - stamp.sum()) <= 1e-6 * stamp.sum()


# --- clipping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ORDERS)
def test_clipped_part_equals_window_of_a_larger_frame(rng, order):
    stamp = rng.uniform(size=(9, 7))
    for center in [(-2.3, 4.6), (18.7, 21.2), (10.1, -3.9)]:
        big = add_stamp(np.zeros((60, 60)), stamp, (center[0] + 20, center[1] + 20), order=order, rotation=20)
        small = add_stamp(np.zeros((20, 22)), stamp, center, order=order, rotation=20)
        np.testing.assert_allclose(small, big[20:40, 20:42], atol=1e-12, rtol=0)


def test_stamp_entirely_outside_adds_nothing(rng):
    frame = rng.normal(size=(20, 20))
    before = frame.copy()
    add_stamp(frame, np.ones((5, 5)), (-10.0, 5.0))
    add_stamps(frame, np.ones((5, 5)), [[5.0, 40.0], [1e9, -1e9]])
    np.testing.assert_array_equal(frame, before)


# --- many stamps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ndim", [2, 3])
def test_add_stamps_equals_a_loop_of_add_stamp(rng, ndim):
    shape = (200, 150) if ndim == 2 else (40, 30, 30)
    stamp = rng.uniform(size=(11,) * ndim).astype(np.float32)
    centers = rng.uniform(-5, np.array(shape) + 5, size=(300, ndim))
    weights = rng.uniform(0.5, 2, 300)
    fast = add_stamps(np.zeros(shape, np.float32), stamp, centers, weights=weights, zoom=1.3)
    slow = np.zeros(shape, np.float32)
    for c, w in zip(centers, weights, strict=True):
        add_stamp(slow, stamp, c, weight=w, zoom=1.3)
    np.testing.assert_array_equal(fast, slow)


@pytest.mark.parametrize(
    "options",
    [{}, {"order": 1}, {"order": "lanczos3"}, {"rotation": 33.0, "zoom": 0.8}, {"stamp_center": (-40.0, 70.5)},
     {"flux": "sample"}],
)  # fmt: skip
def test_add_stamps_tile_by_tile_equals_a_loop_of_add_stamp(rng, options):
    """Issue 31: many stamps into a 2-D frame go tile by tile (cache-sized tiles; each tile adds the stamps
    that reach it, in input order), with written-out cubic rows: the serial loop's numbers, bit for bit,
    for stamps crossing tile edges, leaving the frame, rotated, zoomed, or anchored far outside themselves."""
    import pixelsmith.place as place

    shape = (700, 2300)  # 3 x 3 tiles
    stamp = rng.uniform(size=(21, 17))
    centers = np.concatenate([
        rng.uniform(-30, np.array(shape) + 30, size=(400, 2)),
        [[255.5, 1023.7], [256.2, 1024.1], [511.9, 2047.5]],  # on tile corners
    ])  # fmt: skip
    weights = rng.uniform(0.5, 2, len(centers))
    assert len(centers) >= place._TILED_FROM and shape[0] > 2 * place._TILE[0] and shape[1] > 2 * place._TILE[1]
    for dtype in (np.float32, np.float64):
        fast = add_stamps(np.zeros(shape, dtype), stamp, centers, weights=weights, **options)
        slow = np.zeros(shape, dtype)
        for c, w in zip(centers, weights, strict=True):
            add_stamp(slow, stamp, c, weight=w, **options)
        np.testing.assert_array_equal(fast, slow)
        assert np.count_nonzero(fast) > 0.05 * fast.size or "stamp_center" in options


def test_add_stamps_with_no_centres_is_a_no_op():
    frame = np.ones((5, 5))
    add_stamps(frame, np.ones((3, 3)), np.zeros((0, 2)))
    np.testing.assert_array_equal(frame, 1.0)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: add_stamp(f, np.ones((5, 5, 4)), (3, 3)), "RGBA"),
        (lambda f: add_stamp(f, np.ones((5, 5, 3)), (3, 3)), "RGB"),
        (lambda f: add_stamp(f, np.ones(5), (3, 3)), "`stamp` must be 2-D"),
        (lambda f: add_stamp(f, np.array([[1.0, np.nan]]), (3, 3)), "NaN"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3, 1)), "`center`"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (np.nan, 3)), "finite"),
        (lambda f: add_stamps(f, np.ones((3, 3)), np.ones((4, 3))), "(N, 2)"),
        (lambda f: add_stamps(f, np.ones((3, 3)), [[1, np.inf]]), "finite"),
        (lambda f: add_stamps(f, np.ones((3, 3)), np.ones((4, 2)), weights=np.ones(3)), "`weights`"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3), zoom=0), "`zoom` must be > 0"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3), zoom=(1, -2)), "`zoom` must be > 0"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3), zoom=(1, 2, 3)), "`zoom` must have 2"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3), order=2), "`order`"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3), flux="sum"), "`flux`"),
        (lambda f: add_stamp(f.astype(int), np.ones((3, 3)), (3, 3)), "float32 or float64"),
        (lambda f: add_stamp(np.zeros((4, 4, 4)), np.ones((3, 3, 3)), (1, 1, 1), rotation=10), "`rotation`"),
        (lambda f: add_stamp(f, np.ones((3, 3)), (3, 3), weight=np.nan), "`weight`"),
        (lambda f: add_stamp(f, np.ones((0, 3)), (3, 3)), "empty"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(PixelsmithError) as info:
        call(np.zeros((10, 10)))
    assert message in str(info.value)


def test_read_only_and_dask_frames_are_refused():
    frame = np.zeros((5, 5))
    frame.flags.writeable = False
    with pytest.raises(PixelsmithError, match="read-only"):
        add_stamp(frame, np.ones((3, 3)), (2, 2))
    import dask.array as da

    with pytest.raises(PixelsmithError, match="dask"):
        add_stamp(da.zeros((5, 5)), np.ones((3, 3)), (2, 2))


def test_the_askers_x_y_coordinates_land_at_row_y_column_x():
    """Issue 20: the question's `coords = 23.4, 22.6` are (x, y); both answers put the centre at row 22.6,
    column 23.4. In pixelsmith's (row, col) order that is add_stamp(frame, psf, (y, x))."""
    psf = datasets.gaussian_psf(15, 2.0)
    frame = np.zeros((64, 64))
    x, y = 23.4, 22.6
    add_stamp(frame, psf, (y, x))
    rows, cols = np.indices(frame.shape)
    centroid = np.array([(rows * frame).sum(), (cols * frame).sum()]) / frame.sum()
    np.testing.assert_allclose(centroid, [22.6, 23.4], atol=0.01)


@pytest.mark.parametrize(
    "shape", [(2,), (3,), (5,), (33,), (70,), (2, 2), (3, 7), (44, 44), (31, 100), (9, 1, 5), (20, 21, 70), (1, 1)]
)
def test_cubic_spline_coefficients_equal_scipys_mirror_prefilter(rng, shape):
    # lengths across the 32-step blocks of the last axis, single samples, and every axis of a 3-D stamp
    from pixelsmith._bspline import cubic_spline_coefficients

    samples = rng.normal(size=shape)
    expected = ndi.spline_filter(samples, order=3, mode="mirror", output=np.float64)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(cubic_spline_coefficients(samples), expected, rtol=0, atol=1e-15 * scale)


def test_cubic_spline_coefficients_interpolate_their_samples(rng):
    from pixelsmith._bspline import cubic_spline_coefficients

    samples = rng.normal(size=(40, 50))
    c = np.pad(cubic_spline_coefficients(samples), 1, mode="reflect")  # 'mirror' continuation, one sample out
    at_samples = c[:-2] + 4 * c[1:-1] + c[2:]
    at_samples = (at_samples[:, :-2] + 4 * at_samples[:, 1:-1] + at_samples[:, 2:]) / 36
    np.testing.assert_allclose(at_samples, samples, atol=1e-12)


def test_a_first_cubic_stamp_leaves_scipy_ndimage_unloaded():
    # numba's own import loads the scipy package (a version check, 0.02 s); ndimage would cost 0.2-0.3 s
    from expect import fresh_python

    code = (
        "import sys, numpy as np, pixelsmith as ps; "
        "f = np.zeros((64, 64)); ps.add_stamp(f, ps.datasets.gaussian_psf(15, 2.0), (30.3, 20.6), order=3); "
        "print(sorted(m for m in sys.modules if m.startswith(('scipy.ndimage', 'scipy.linalg', 'scipy.sparse'))))"
    )
    assert fresh_python(code) == "[]"
