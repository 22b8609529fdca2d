"""Peaks, robust noise, cluster centres and aperture sums against scipy, photutils and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from photutils.aperture import ApertureStats, CircularAnnulus, CircularAperture, aperture_photometry
from scipy import signal
from scipy.spatial import cKDTree

import pixelsmith as ps
from naive import disk_pixel_overlap, local_peaks
from pixelsmith import PixelsmithError, aperture_sums, cluster_center, find_peaks, robust_noise
from pixelsmith._kernels.apertures import exact_overlap

# --- 1-D peaks: the question and scipy ------------------------------------------------------------


def test_the_question_example():
    x = np.array([1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1])
    peaks = find_peaks(x)
    assert x[peaks.indices].tolist() == [5, 3, 6]
    assert peaks.heights.tolist() == [6, 5, 3]
    assert peaks.coords[:, 0].tolist() == [17, 4, 10]
    np.testing.assert_array_equal(peaks.indices, signal.find_peaks(x)[0])


@pytest.mark.parametrize(
    "x",
    [
        [0, 1, 1, 0],
        [0, 2, 2, 2, 0],
        [3, 3, 1],
        [1, 3, 3, 3],
        [0, 1, 1, 2, 0],
        [0, 5, 5, 1, 5, 5, 5, 5, 0],
        [1, 1, 1, 1],
    ],
)
def test_plateaus_like_scipy(x):
    x = np.array(x, float)
    np.testing.assert_array_equal(find_peaks(x).indices, signal.find_peaks(x)[0])


def test_random_sequences_agree_with_scipy_height_and_distance(rng):
    for _ in range(150):
        ints = rng.integers(0, 4, size=80).astype(float)  # many plateaus
        np.testing.assert_array_equal(find_peaks(ints).indices, signal.find_peaks(ints)[0])
        x = np.cumsum(rng.normal(size=300)) + 3 * np.sin(np.arange(300) / 7)
        for distance in (1, 2, 5, 7.5, 20):
            for height in (None, float(np.median(x))):
                ours = find_peaks(x, min_distance=distance, threshold=height).indices
                theirs = signal.find_peaks(x, height=height, distance=distance)[0]
                np.testing.assert_array_equal(ours, theirs)


# --- N-D peaks against brute force ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(40,), (23, 31), (9, 11, 10)])
def test_nd_peaks_match_brute_force(rng, shape):
    for trial in range(6):
        a = rng.integers(0, 6, size=shape).astype(float)  # plenty of plateaus and shoulders
        for min_distance, border, threshold in [(1, 1, None), (2.5, 0, 2.0), (4, 2, None)]:
            peaks = find_peaks(a, min_distance=min_distance, exclude_border=border, threshold=threshold)
            coords, heights = local_peaks(
                a, threshold=-np.inf if threshold is None else threshold, border=border, min_distance=min_distance
            )
            np.testing.assert_array_equal(peaks.coords, coords, err_msg=f"{trial} {min_distance} {border}")
            np.testing.assert_array_equal(peaks.heights, heights)


def test_plateau_gives_one_peak_at_its_centre_and_shoulders_none():
    a = np.zeros((9, 9))
    a[2:5, 3:6] = 4.0  # 3 x 3 plateau
    a[6:8, 6:8] = 2.0  # 2 x 2 plateau: centroid (6.5, 6.5) -> first member nearest
    a[1, 1] = 3.0
    a[1, 2] = 3.0  # a shoulder: touches the 4-plateau diagonally? no: (1,2) neighbours (2,3)
    peaks = find_peaks(a, exclude_border=False)
    assert (3, 4) in map(tuple, peaks.coords.tolist())
    assert (6, 6) in map(tuple, peaks.coords.tolist())
    assert (1, 1) not in map(tuple, peaks.coords.tolist()) and (1, 2) not in map(tuple, peaks.coords.tolist())
    refined = find_peaks(a, exclude_border=False, subpixel=True)
    assert [3.0, 4.0] in refined.coords.tolist() and [6.5, 6.5] in refined.coords.tolist()


def test_nan_is_never_a_peak_and_never_blocks_one():
    a = np.zeros((7, 7))
    a[3, 3] = 5.0
    a[3, 4] = np.nan
    a[1, 5] = np.nan
    peaks = find_peaks(a)
    assert peaks.coords.tolist() == [[3, 3]]


# --- noise-relative thresholds, smoothing, positions ------------------------------------------------


def test_robust_noise_ignores_sources(rng):
    x = rng.normal(10.0, 3.0, size=(400, 400))
    x[::7, ::7] += 1e4
    assert abs(robust_noise(x) - 3.0) < 0.1
    assert robust_noise(np.array([np.nan, 1.0, 3.0])) == pytest.approx(1.482602218505602)


def test_nsigma_threshold_is_median_plus_k_noise(rng):
    x = np.round(rng.normal(5.0, 2.0, size=(120, 120)), 1)  # rounded: plateaus too
    peaks = find_peaks(x, nsigma=3)
    assert peaks.noise == pytest.approx(robust_noise(x))
    assert peaks.threshold == pytest.approx(np.median(x) + 3 * robust_noise(x))
    assert (peaks.heights >= peaks.threshold).all()
    expected, _ = local_peaks(x, threshold=peaks.threshold)
    np.testing.assert_array_equal(peaks.coords, expected)


@pytest.mark.parametrize("sigma", [1.0, 1.5, 2.5])
def test_noise_free_gaussians_are_located_to_a_hundredth(rng, sigma):
    psf = ps.datasets.gaussian_psf(int(8 * sigma) | 1, sigma)
    for center in rng.uniform(30, 34, size=(30, 2)):
        image = ps.add_stamp(np.zeros((64, 64)), psf, center)
        peak = find_peaks(image, subpixel=True, max_count=1)
        assert np.abs(peak.coords[0] - center).max() < 0.01


@pytest.mark.parametrize(("sigma", "seed"), [(1.0, 0), (1.5, 1), (2.5, 2)])
def test_star_fields_recall_precision_and_positions(sigma, seed):
    field = ps.datasets.star_field((512, 512), 300, sigma=sigma, snr=(10, 100), min_separation=4 * sigma + 4, seed=seed)
    peaks = find_peaks(field.image, nsigma=5, min_distance=3, sigma=sigma, subpixel=True)
    distance, nearest = cKDTree(field.positions).query(peaks.coords)
    match = distance < 1.5
    recall = len(set(nearest[match])) / len(field.positions)
    precision = match.mean()
    assert recall >= 0.99 and precision >= 0.99, (recall, precision)
    assert np.sqrt(np.mean(distance[match] ** 2)) < 0.1
    assert np.median(distance[match]) < 0.05


def test_smoothing_tames_noise_peaks(rng):
    x = rng.normal(size=(200, 200))
    assert len(find_peaks(x, sigma=3, nsigma=3)) < len(find_peaks(x, nsigma=3)) / 5


def test_max_count_and_border(rng):
    a = rng.normal(size=(50, 50))
    all_peaks = find_peaks(a, exclude_border=False)
    top = find_peaks(a, exclude_border=False, max_count=5)
    np.testing.assert_array_equal(top.coords, all_peaks.coords[:5])
    inner = find_peaks(a, exclude_border=4)
    assert ((inner.coords >= 4) & (inner.coords <= 45)).all()


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: find_peaks(np.zeros((2, 2, 2, 2))), "1-D or 2-D or 3-D"),
        (lambda: find_peaks(np.full((5, 5), np.nan)), "no finite values"),
        (lambda: find_peaks(np.zeros(5), min_distance=0.5), "`min_distance`"),
        (lambda: find_peaks(np.zeros(5), max_count=0), "`max_count`"),
        (lambda: find_peaks(np.zeros(5), exclude_border=-1), "`exclude_border`"),
        (lambda: find_peaks(np.zeros(5), sigma=-1), "`sigma`"),
        (lambda: find_peaks(np.zeros(5), nsigma=np.nan), "`nsigma`"),
        (lambda: find_peaks(np.zeros((4, 4))).indices, "1-D"),
        (lambda: robust_noise(np.full(3, np.nan)), "no finite values"),
    ],
)
def test_peaks_bad_input(call, words):
    with pytest.raises(PixelsmithError, match=None) as info:
        call()
    assert words in str(info.value)


# --- cluster centres -----------------------------------------------------------------------------------


@pytest.mark.slow  # exhaustive grid: make test runs it, make test-fast skips it
def test_cluster_centre_within_five_hundredths_of_sigma_for_any_bin_size(rng):
    for _ in range(4):
        centre, sigma = rng.uniform(-5, 5, 2), 0.7
        points = np.vstack([rng.normal(centre, sigma, (5000, 2)), rng.uniform(-20, 20, (20000, 2))])
        for bin_size in (None, 0.1, 0.2, 0.35, 0.7):
            found = cluster_center(points, bin_size=bin_size)
            assert found.shape == (1, 2)
            assert np.hypot(*(found[0] - centre)) < 0.05 * sigma, bin_size


def test_two_clusters_densest_first(rng):
    points = np.vstack(
        [rng.normal([0, 0], 0.5, (3000, 2)), rng.normal([6, 3], 0.5, (1500, 2)), rng.uniform(-10, 10, (5000, 2))]
    )
    found = cluster_center(points, max_count=2)
    assert np.hypot(*found[0]) < 0.05 and np.hypot(*(found[1] - [6, 3])) < 0.05


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"points": np.zeros((5, 3))}, "(N, 2)"),
        ({"points": [[0, 1], [np.nan, 2]]}, "NaN"),
        ({"points": np.zeros((5, 2)), "bin_size": 0}, "`bin_size`"),
        ({"points": np.zeros((5, 2)), "sigma": 0}, "`sigma`"),
        ({"points": np.zeros((1, 2))}, "at least 2"),
        ({"points": np.zeros((5, 2)), "max_count": 0}, "`max_count`"),
    ],
)
def test_cluster_bad_input(kwargs, words):
    with pytest.raises(PixelsmithError) as info:
        cluster_center(**kwargs)
    assert words in str(info.value)


# --- aperture sums -------------------------------------------------------------------------------------


def test_exact_overlap_matches_quadrature(rng):
    for _ in range(300):
        r = rng.uniform(0.2, 12)
        cy, cx = rng.uniform(-0.5, 0.5, 2)
        i, j = rng.integers(-int(r) - 1, int(r) + 2, 2)
        ours = exact_overlap(j - 0.5 - cx, j + 0.5 - cx, i - 0.5 - cy, i + 0.5 - cy, r)
        assert abs(ours - disk_pixel_overlap(cy, cx, r, i, j)) < 1e-11


@pytest.mark.parametrize("method", ["exact", "center", "subpixel"])
@pytest.mark.parametrize("radius", [0.3, 5.0, 15.0])
def test_aperture_sums_equal_photutils(rng, method, radius):
    image = rng.uniform(1, 2, size=(256, 256))
    centers = rng.uniform(-20, 276, size=(10_000 if radius == 5.0 else 2000, 2))
    ours = aperture_sums(image, centers, radius, method=method)
    theirs = aperture_photometry(image, CircularAperture(centers[:, ::-1], radius), method=method, subpixels=5)[
        "aperture_sum"
    ].value
    outside = ~np.isfinite(theirs)  # photutils gives NaN where nothing overlaps
    assert (ours.sums[outside] == 0).all() and (ours.areas[outside] == 0).all()
    inside = ~outside
    # 1e-10 relative; the absolute floor covers slivers of 1e-6 pixel at the image edge
    np.testing.assert_allclose(ours.sums[inside], theirs[inside], rtol=1e-10, atol=1e-13)
    area = CircularAperture(centers[inside][:, ::-1], radius).area_overlap(image, method=method, subpixels=5)
    np.testing.assert_allclose(ours.areas[inside], area, rtol=1e-10, atol=1e-13)


def test_partly_outside_sums_the_inside_and_reports_the_area():
    image = np.ones((40, 40))
    res = aperture_sums(image, [(-0.5, 20.0), (20.0, 20.0), (-30.0, 5.0)], 4.0)
    np.testing.assert_allclose(res.sums, [8 * np.pi, 16 * np.pi, 0.0], rtol=1e-13)
    np.testing.assert_allclose(res.areas, res.sums)


def test_annulus_background_equals_photutils_median(rng):
    image = rng.normal(100, 5, size=(200, 200))
    centers = rng.uniform(20, 180, size=(300, 2))
    res = aperture_sums(image, centers, 4.0, annulus=(7.0, 11.0))
    stats = ApertureStats(image, CircularAnnulus(centers[:, ::-1], 7.0, 11.0))
    np.testing.assert_allclose(res.background, stats.median, rtol=1e-12)
    np.testing.assert_allclose(res.net, res.sums - res.background * res.areas)


def test_stack_in_one_pass_equals_each_frame(rng):
    stack = rng.normal(size=(7, 64, 80)).astype(np.float32)
    centers = rng.uniform(-3, 70, size=(50, 2))
    res = aperture_sums(stack, centers, 3.5, annulus=(5, 8))
    assert res.sums.shape == (7, 50)
    for t in range(7):
        single = aperture_sums(stack[t], centers, 3.5, annulus=(5, 8))
        np.testing.assert_array_equal(res.sums[t], single.sums)
        np.testing.assert_array_equal(res.background[t], single.background)


def test_dask_stack_gives_the_same_numbers(rng):
    import dask.array as da

    stack = rng.normal(size=(10, 40, 40))
    centers = rng.uniform(0, 40, size=(20, 2))
    lazy = aperture_sums(da.from_array(stack, chunks=(3, 20, 20)), centers, 3.0, annulus=(4, 6))
    eager = aperture_sums(stack, centers, 3.0, annulus=(4, 6))
    np.testing.assert_array_equal(lazy.sums.compute(), eager.sums)
    np.testing.assert_array_equal(lazy.net.compute(), eager.net)


def test_nan_policy():
    image = np.ones((30, 30))
    image[15, 15] = np.nan
    assert np.isnan(aperture_sums(image, [(15, 15)], 3.0).sums[0])
    omitted = aperture_sums(image, [(15, 15)], 3.0, nan_policy="omit")
    assert omitted.sums[0] == pytest.approx(9 * np.pi - 1)
    assert omitted.areas[0] == pytest.approx(9 * np.pi - 1)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: aperture_sums(np.ones((9, 9)), np.ones((3, 3)), 2.0), "(N, 2)"),
        (lambda: aperture_sums(np.ones((9, 9)), [(1, 1)], -2.0), "`radius` must be > 0"),
        (lambda: aperture_sums(np.ones((9, 9)), [(1, 1)], 2.0, annulus=(5, 3)), "r_in < r_out"),
        (lambda: aperture_sums(np.ones((2, 3, 9, 9)), [(1, 1)], 2.0), "(H, W) or a stack (T, H, W)"),
        (lambda: aperture_sums(np.full((9, 9), np.nan), [(4, 4)], 2.0), "all NaN"),
        (lambda: aperture_sums(np.ones((9, 9)), [(1, np.nan)], 2.0), "finite"),
        (lambda: aperture_sums(np.ones((9, 9)), [(1, 1)], 2.0, method="area"), "`method`"),
        (lambda: aperture_sums(np.ones((9, 9)), [(1, 1)], 2.0, subpixels=0), "`subpixels`"),
    ],
)
def test_aperture_bad_input(call, words):
    with pytest.raises(PixelsmithError) as info:
        call()
    assert words in str(info.value)


def test_1d_min_distance_breaks_ties_exactly_as_scipy():
    """Issue 20: [0, 5, 0, 5, 0, 0] with distance 3 keeps index 3 in scipy; so must we, on any integer series."""
    from scipy.signal import find_peaks as scipy_find_peaks

    assert ps.find_peaks(np.array([0, 5, 0, 5, 0, 0]), min_distance=3).indices.tolist() == [3]
    rng = np.random.default_rng(20)
    for _ in range(3000):
        x = rng.integers(0, int(rng.integers(2, 9)), size=int(rng.integers(3, 300)))
        distance = float(rng.choice([1.5, 2, 3, 4, 5.5, 12]))
        ours = ps.find_peaks(x, min_distance=distance).indices
        theirs = scipy_find_peaks(x, distance=distance)[0]
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{x.tolist()} {distance}")


def test_2d_min_distance_keeps_its_documented_rule():
    """N-D: highest first, equal heights by position (the first in C order claims first)."""
    image = np.zeros((7, 9))
    image[3, 2] = image[3, 5] = 4.0
    assert ps.find_peaks(image, min_distance=4).coords.tolist() == [[3, 2]]


def test_center_method_is_d_below_r_and_a_hair_more_matches_the_askers_closed_mask():
    """Issue 20: integer centre and radius 75: the asker's mask uses d <= r, method='center' uses d < r."""
    image = np.random.default_rng(21).random((300, 300))
    yy, xx = np.mgrid[:300, :300]
    cy, cx, r = 150, 140, 75
    closed = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
    ones = np.ones_like(image)
    assert closed.sum() - aperture_sums(ones, [(cy, cx)], r, method="center").sums[0] == 20
    np.testing.assert_allclose(
        aperture_sums(image, [(cy, cx)], r + 1e-9, method="center").sums[0], image[closed].sum(), rtol=1e-12
    )


def test_results_as_pandas_and_astropy_tables():
    field = ps.datasets.star_field((128, 128), 15, seed=6)
    peaks = find_peaks(field.image, nsigma=5, subpixel=True)
    frame = peaks.to_pandas()
    assert list(frame.columns) == ["row", "col", "height"] and len(frame) == len(peaks)
    np.testing.assert_array_equal(frame[["row", "col"]].to_numpy(), peaks.coords)
    table = peaks.to_table()
    np.testing.assert_array_equal(table["height"], peaks.heights)
    stack = np.stack([field.image, 2 * field.image])
    sums = aperture_sums(stack, peaks.coords, 3.0, annulus=(5, 7))
    long = sums.to_pandas()
    assert list(long.columns) == ["frame", "id", "sum", "area", "background", "net"]
    assert len(long) == 2 * len(peaks)
    np.testing.assert_allclose(long.loc[long["frame"] == 1, "sum"].to_numpy(), sums.sums[1])
    one = aperture_sums(field.image, peaks.coords, 3.0).to_table()
    assert one.colnames == ["id", "sum", "area"]
    assert find_peaks(np.array([0.0, 3.0, 0.0, 1.0, 0.0])).to_pandas().columns.tolist() == ["index", "height"]


@pytest.mark.parametrize("sigma", [1e6, 1e7, 41.0])
def test_a_smoothing_wider_than_the_image_is_refused_up_front(sigma):
    """Issue 27: sigma=1e6 ran for 56 s inside scipy; now refused at once, with the estimate."""
    from expect import raises_naming, time_limit

    with time_limit(5), raises_naming(ps.PixelsmithValueError, "sigma") as caught:
        ps.find_peaks(np.random.default_rng(0).random((40, 36)), sigma=sigma)
    assert "taps per axis" in str(caught.value)
    assert (
        ps.find_peaks(np.random.default_rng(0).random((40, 36)), sigma=40.0) is not None
    )  # as wide as the image: answered


def test_the_1d_walk_equals_brute_force_with_nans_plateaus_edges_and_thresholds(rng):
    """Issue 30: 1-D peaks have their own one-walk kernel (scipy's speed); it must give what the N-D rule gives."""
    for trial in range(60):
        a = rng.integers(0, 5, size=int(rng.integers(1, 60))).astype(float)
        a[rng.random(a.size) < 0.1] = np.nan
        for border, threshold in [(0, None), (1, None), (3, 2.0), (0, 4.0)]:
            peaks = find_peaks(a, exclude_border=border, threshold=threshold) if np.isfinite(a).any() else None
            if peaks is None:
                continue
            coords, heights = local_peaks(a, threshold=-np.inf if threshold is None else threshold, border=border)
            np.testing.assert_array_equal(peaks.coords, coords, err_msg=f"{trial} {border} {threshold} {a}")
            np.testing.assert_array_equal(peaks.heights, heights)
            np.testing.assert_array_equal(peaks.indices, np.sort(coords[:, 0]))
            assert len(peaks) == len(coords)


def test_1d_indices_need_no_ranking_and_subpixel_positions_stay_in_order(rng):
    x = np.convolve(rng.normal(size=20_000), np.ones(9) / 9, mode="same")
    peaks = find_peaks(x)
    np.testing.assert_array_equal(peaks.indices, signal.find_peaks(x)[0])
    assert np.all(np.diff(peaks.heights) <= 0)  # strongest first when asked
    refined = find_peaks(x, subpixel=True)
    np.testing.assert_array_equal(refined.indices, peaks.indices)
    assert np.abs(np.sort(refined.coords[:, 0]) - peaks.indices).max() <= 0.5


@pytest.mark.parametrize("sigma", [0.1, 0.7, 2.0, 3.3])
def test_cluster_density_is_scipys_gaussian_with_zero_edges(rng, sigma):
    from scipy.ndimage import gaussian_filter

    from pixelsmith.sources.clusters import _gaussian_smoothed

    hist = rng.poisson(3.0, size=(37, 52)).astype(np.float64)
    expected = gaussian_filter(hist, sigma, mode="constant")
    np.testing.assert_allclose(_gaussian_smoothed(hist, sigma), expected, rtol=0, atol=1e-14 * expected.max())


def test_a_first_cluster_center_leaves_scipy_ndimage_unloaded():
    from expect import fresh_python

    code = (
        "import sys, numpy as np, pixelsmith as ps; "
        "ps.cluster_center(np.random.default_rng(0).normal([3.0, -1.0], 0.2, size=(500, 2))); "
        "print('scipy.ndimage' in sys.modules)"
    )
    assert fresh_python(code) == "False"
