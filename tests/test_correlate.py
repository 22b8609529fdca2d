"""ncc, find_matches, ccf: brute force, scikit-image, OpenCV, hand-checked values."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage.feature import match_template as sk_match

from expect import fresh_python
from naive import ncc_valid
from pixelsmith import PixelsmithError, best_lag, ccf, find_matches, ncc


@pytest.mark.parametrize("shape,tshape", [((60,), (7,)), ((30, 41), (5, 8)), ((12, 15, 11), (3, 4, 5))])
def test_ncc_equals_brute_force(rng, shape, tshape):
    image = rng.normal(size=shape)
    template = rng.normal(size=tshape)
    np.testing.assert_allclose(ncc(image, template), ncc_valid(image, template), atol=1e-10)


def test_masked_ncc_equals_brute_force(rng):
    image = rng.normal(size=(30, 35))
    template = rng.normal(size=(7, 6))
    mask = rng.random((7, 6)) > 0.4
    np.testing.assert_allclose(ncc(image, template, where=mask), ncc_valid(image, template, mask), atol=1e-10)


def test_ncc_equals_skimage_and_opencv_on_random_and_real_images(rng):
    from skimage import data

    for image in (rng.normal(size=(200, 230)), data.camera().astype(np.float64), data.coins().astype(float)):
        template = image[50:81, 60:101] + rng.normal(size=(31, 41)) * 5
        ours = ncc(image, template)
        np.testing.assert_allclose(ours, sk_match(image, template), atol=1e-6)
        # OpenCV works in float32: fed raw 0..255 pixels it drifts by ~3e-3, so give it centred data
        # (NCC does not change); our float64 result needs no such help (it equals skimage to 1e-12)
        cv = cv2.matchTemplate(
            (image - image.mean()).astype(np.float32),
            (template - template.mean()).astype(np.float32),
            cv2.TM_CCOEFF_NORMED,
        )
        np.testing.assert_allclose(ours, cv, atol=1e-4)


@pytest.mark.parametrize("mode", ["same", "full"])
def test_padded_modes(rng, mode):
    image = rng.normal(size=(40, 50))
    template = rng.normal(size=(6, 9))
    ours = ncc(image, template, crop=mode)
    if mode == "same":
        np.testing.assert_allclose(ours, sk_match(image, template, pad_input=True), atol=1e-10)
    else:
        padded = np.pad(image, [(5, 5), (8, 8)])
        np.testing.assert_allclose(ours, ncc_valid(padded, template), atol=1e-10)


def test_a_crop_of_itself_scores_one_at_its_position(rng):
    image = rng.normal(size=(120, 150)) + 1e4  # a large offset must not matter
    r = ncc(image, image[33:60, 70:99])
    assert np.unravel_index(r.argmax(), r.shape) == (33, 70)
    assert r.max() == pytest.approx(1.0, abs=1e-12)
    assert r.min() >= -1 and r.max() <= 1


def test_flat_windows_give_zero_not_nan(rng):
    image = rng.normal(size=(50, 60))
    image[10:35, 10:45] = 3.0
    r = ncc(image, rng.normal(size=(5, 5)))
    assert np.isfinite(r).all()
    assert (r[12:28, 12:38] == 0).all()


def test_find_matches_positions_and_subpixel(rng):
    from scipy.ndimage import shift

    image = rng.normal(size=(150, 150))
    from scipy.ndimage import gaussian_filter

    image = gaussian_filter(image, 2.0)
    template = image[60:90, 40:70]
    moved = shift(image, (0.3, -0.4), order=3)
    best = find_matches(moved, template)
    np.testing.assert_allclose(best.coords[0], [60.3, 39.6], atol=0.1)
    two = find_matches(image, template, max_count=2, subpixel=False)
    assert two.coords[0].tolist() == [60, 40] and len(two.scores) == 2
    assert two.scores[0] >= two.scores[1]


def test_ccf_hand_checked_values():
    # x - mean = [-2,-1,0,1,2], y - mean = [-1,-2,1,0,2]; sd(x) = sd(y) = sqrt(2); n sd sd = 10
    # lag 0: 2+2+0+0+4 = 8 -> 0.8; lag 1: sum x[t+1] y[t] = 1+0+1+0 = 2 -> 0.2; lag -1: 4-1+0+2 = 5 -> 0.5
    lags, r = ccf([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], max_lag=2)
    assert lags.tolist() == [-2, -1, 0, 1, 2]
    # lag 2: x[2]y[0] + x[3]y[1] + x[4]y[2] = 0 - 2 + 2 = 0; lag -2: x[0]y[2] + x[1]y[3] + x[2]y[4] = -2 + 0 + 0
    np.testing.assert_allclose(r, [-0.2, 0.5, 0.8, 0.2, 0.0], atol=1e-15)


def test_ccf_formula_and_default_lag(rng):
    x, y = rng.normal(size=97), rng.normal(size=97)
    lags, r = ccf(x, y)
    assert lags.max() == int(np.floor(10 * np.log10(97 / 2)))
    dx, dy = x - x.mean(), y - y.mean()
    for k, value in zip(lags, r, strict=True):
        pairs = sum(dx[t + k] * dy[t] for t in range(max(0, -k), min(97, 97 - k)))
        assert value == pytest.approx(pairs / (97 * dx.std() * dy.std()), abs=1e-12)


def test_best_lag_finds_the_shift():
    t = np.arange(300)
    y = np.sin(t / 11.0) + 0.3 * np.sin(t / 3.7)
    assert best_lag(np.roll(y, 5), y)[0] == 5
    assert best_lag(np.roll(y, -8), y)[0] == -8


_RNG = np.random.default_rng(7)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: ncc(_RNG.random((5, 5)), _RNG.random((7, 3))), "larger than `image`"),
        (lambda: ncc(_RNG.random((9, 9)), np.ones((3, 3))), "constant"),
        (lambda: ncc(np.ones((9, 9)), np.ones(3)), "dimensions"),
        (lambda: ncc(np.full((9, 9), np.nan), _RNG.random((3, 3))), "NaN"),
        (lambda: ncc(_RNG.random((9, 9)), _RNG.random((3, 3)), crop="circular"), "`crop`"),
        (lambda: ncc(_RNG.random((9, 9)), _RNG.random((3, 3)), where=np.zeros((3, 3), bool)), "selects no pixel"),
        (lambda: ccf([1, 2, 3], [1, 2]), "same length"),
        (lambda: ccf([1, 1, 1], [1, 2, 3]), "constant"),
        (lambda: ccf(np.ones((3, 3)), np.ones((3, 3))), "1-D"),
    ],
)
def test_bad_input(call, words):
    with pytest.raises(PixelsmithError) as info:
        call()
    assert words in str(info.value)


def test_finalizing_in_bands_gives_the_bits_of_one_pass(rng):
    """ncc finalizes bands of output rows on threads; bands start where the running sums restart."""
    from pixelsmith._kernels import ncc as kernels

    x = rng.normal(size=(1, 90, 70)) + 1e3  # an offset: rounding would show
    w1, w2 = 7, 9
    numerator = rng.normal(size=(1, 90 - w1 + 1, 70 - w2 + 1))
    bound = kernels.flat_bound(x, 0.0, 1, w1, w2, 1e-14)
    whole = numerator.copy()
    kernels.finalize_rows(x, 0.0, w1, w2, whole, 3.0, bound, 0, whole.shape[1])
    bands = numerator.copy()
    for start in range(0, bands.shape[1], 2 * w1):
        kernels.finalize_rows(x, 0.0, w1, w2, bands, 3.0, bound, start, min(start + 2 * w1, bands.shape[1]))
    np.testing.assert_array_equal(bands, whole)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernels_centre_on_the_fly_to_the_bits_of_a_centred_copy(rng, dtype):
    """The image is read as given, less its mean in float64: what numpy's centred float64 copy holds."""
    from pixelsmith._kernels import ncc as kernels

    x = (rng.normal(size=(1, 60, 50)) * 3 + 1e3).astype(dtype)
    offset = float(x.mean(dtype=np.float64))
    centred = np.subtract(x, offset, dtype=np.float64)
    w1, w2 = 5, 8
    numerator = rng.normal(size=(1, 60 - w1 + 1, 50 - w2 + 1))
    bound = kernels.flat_bound(x, offset, 1, w1, w2, 1e-14)
    assert bound == kernels.flat_bound(centred, 0.0, 1, w1, w2, 1e-14)
    on_the_fly, from_copy = numerator.copy(), numerator.copy()
    kernels.finalize_rows(x, offset, w1, w2, on_the_fly, 3.0, bound, 0, on_the_fly.shape[1])
    kernels.finalize_rows(centred, 0.0, w1, w2, from_copy, 3.0, bound, 0, from_copy.shape[1])
    np.testing.assert_array_equal(on_the_fly, from_copy)
    volume = x.reshape(3, 20, 50)  # 3-D windows (2, 5, 8): the whole-volume path
    a = rng.normal(size=(2, 16, 43))
    b = a.copy()
    kernels.finalize(volume, offset, 2, w1, w2, a, 3.0, bound)
    kernels.finalize(np.subtract(volume, offset, dtype=np.float64), 0.0, 2, w1, w2, b, 3.0, bound)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ncc_makes_no_centred_copy_of_the_image(rng, dtype, monkeypatch):
    """The FFT blocks and the window sums centre the image as they read it: no image-sized temporary."""
    import tracemalloc

    monkeypatch.setenv("NUMBA_NUM_THREADS", "2")  # the blocks in flight: about 12 MB per thread
    image = rng.random((2000, 2000)).astype(dtype)
    template = image[300:332, 500:540].copy()
    ncc(image, template)  # kernels loaded, FFT plans made
    tracemalloc.start()
    try:
        result = ncc(image, template)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    numerator = result.size * 8  # float64 sums, finalized in place
    result_copy = result.nbytes if dtype == np.float32 else 0
    # a centred float64 copy alone would be 32 MB (0.9 of it is the bound); two threads' blocks take 24 MB
    assert peak < numerator + result_copy + 0.9 * image.size * 8, (peak, numerator, result_copy)
    expected = ncc(image.astype(np.float64), template.astype(np.float64))
    np.testing.assert_allclose(result, expected, atol=1e-6 if dtype == np.float32 else 1e-12)


def test_ncc_leaves_its_inputs_alone_and_refuses_nan_or_inf_in_either(rng):
    """The image is centred in place only where it is pixelsmith's own float64 copy; the finite check sums
    first and looks at every element only when the sum is not finite (an overflow is not a refusal)."""
    image = rng.random((60, 70))
    template = image[10:25, 30:44].copy()
    for given in (image, image.astype(np.float32), np.asfortranarray(image)):
        before = given.copy()
        for crop in ("valid", "same", "full"):
            ncc(given, template.astype(given.dtype), crop=crop)
            np.testing.assert_array_equal(given, before)
    for bad in (np.nan, np.inf, -np.inf):
        spoiled = image.copy()
        spoiled[5, 6] = bad
        with pytest.raises(PixelsmithError, match="`image` contains NaN or inf"):
            ncc(spoiled, template)
        spoiled_template = template.copy()
        spoiled_template[2, 3] = bad
        with pytest.raises(PixelsmithError, match="`template` contains NaN or inf"):
            ncc(image, spoiled_template)
    from pixelsmith._validate import all_finite

    assert all_finite(np.full(10, 1e308))  # finite, though its sum overflows: no false refusal
    assert not all_finite(np.array([1.0, np.nan])) and not all_finite(np.array([np.inf, -np.inf]))


def test_fast_lengths_are_scipys_without_importing_it():
    from scipy.fft import next_fast_len

    from pixelsmith.correlate import _fast_length

    assert [_fast_length(n) for n in range(1, 5001)] == [next_fast_len(n, real=True) for n in range(1, 5001)]
    assert _fast_length(2**20 + 1) == next_fast_len(2**20 + 1, real=True)


def test_ncc_does_not_load_scipy_fft():
    # numpy's pocketfft: a first ncc call does not pay scipy.fft's imports (0.25 s)
    code = (
        "import sys, numpy as np, pixelsmith as ps; x = np.random.default_rng(0).random((40, 50)); "
        "ps.ncc(x, x[5:15, 10:22]); print('scipy.fft' in sys.modules)"
    )
    assert fresh_python(code) == "False"


def test_without_fft_outputs_numpy_1_gives_the_same_bits(rng, monkeypatch):
    """numpy before 2.0 cannot write an FFT into a given array: new arrays then, the same numbers."""
    import pixelsmith.correlate as correlate

    image = rng.normal(size=(700, 650))
    template = image[100:140, 200:230] + rng.normal(0, 0.1, (40, 30))
    with_outputs = ncc(image, template)
    monkeypatch.setattr(correlate, "_FFT_TAKES_OUT", False)
    np.testing.assert_array_equal(ncc(image, template), with_outputs)
