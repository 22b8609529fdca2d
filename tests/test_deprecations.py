"""Every renamed public name still works for one release, warns with the new name, and gives the same answer."""

from __future__ import annotations

import numpy as np
import pytest

import pixelsmith as ps
from pixelsmith import PixelsmithError

RNG = np.random.default_rng(5)
IMAGE = RNG.normal(size=(30, 36))
TEMPLATE = IMAGE[8:16, 10:20].copy()
POINTS = RNG.normal(size=(400, 2))

# (call with the old name, call with the new name, old name, new name)
RENAMED_KEYWORDS = [
    *[
        (lambda f=f: f(a=IMAGE), lambda f=f: f(image=IMAGE), "a", "image")
        for f in (ps.local_mean, ps.local_sum, ps.local_var, ps.local_std, ps.local_min, ps.local_max)
    ],
    *[
        (lambda f=f: f(a=IMAGE), lambda f=f: f(image=IMAGE), "a", "image")
        for f in (ps.local_count, ps.local_median, ps.local_range, ps.local_majority, ps.local_variety)
    ],
    (lambda: ps.local_percentile(a=IMAGE, q=30), lambda: ps.local_percentile(image=IMAGE, q=30), "a", "image"),
    (
        lambda: ps.local_apply(a=IMAGE, func=lambda v: v.max()),
        lambda: ps.local_apply(image=IMAGE, func=lambda v: v.max()),
        "a",
        "image",
    ),
    (lambda: ps.block_reduce(a=IMAGE, block=3), lambda: ps.block_reduce(image=IMAGE, block=3), "a", "image"),
    (
        lambda: ps.density_map(binary=IMAGE > 0, block=3),
        lambda: ps.density_map(image=IMAGE > 0, block=3),
        "binary",
        "image",
    ),
    (lambda: ps.fill_nans(a=IMAGE), lambda: ps.fill_nans(image=IMAGE), "a", "image"),
    (lambda: ps.find_peaks(a=IMAGE).coords, lambda: ps.find_peaks(image=IMAGE).coords, "a", "image"),
    (
        lambda: ps.find_peaks(IMAGE, smooth=1.5).coords,
        lambda: ps.find_peaks(IMAGE, sigma=1.5).coords,
        "smooth",
        "sigma",
    ),
    (
        lambda: ps.find_peaks(IMAGE, max_peaks=3).coords,
        lambda: ps.find_peaks(IMAGE, max_count=3).coords,
        "max_peaks",
        "max_count",
    ),
    (lambda: ps.robust_noise(a=IMAGE), lambda: ps.robust_noise(image=IMAGE), "a", "image"),
    (
        lambda: ps.aperture_sums(data=IMAGE, centers=[(10, 10)], radius=3).sums,
        lambda: ps.aperture_sums(image=IMAGE, centers=[(10, 10)], radius=3).sums,
        "data",
        "image",
    ),
    (lambda: ps.cluster_center(POINTS, smooth=3.0), lambda: ps.cluster_center(POINTS, sigma=3.0), "smooth", "sigma"),
    (lambda: ps.cluster_center(POINTS, n=2), lambda: ps.cluster_center(POINTS, max_count=2), "n", "max_count"),
    (lambda: ps.ncc(IMAGE, TEMPLATE, mode="same"), lambda: ps.ncc(IMAGE, TEMPLATE, crop="same"), "mode", "crop"),
    (
        lambda: ps.ncc(IMAGE, TEMPLATE, mask=TEMPLATE > 0),
        lambda: ps.ncc(IMAGE, TEMPLATE, where=TEMPLATE > 0),
        "mask",
        "where",
    ),
    (
        lambda: ps.find_matches(IMAGE, TEMPLATE, n=2).coords,
        lambda: ps.find_matches(IMAGE, TEMPLATE, max_count=2).coords,
        "n",
        "max_count",
    ),
    (lambda: ps.equalize_hist(images=IMAGE), lambda: ps.equalize_hist(stack=IMAGE), "images", "stack"),
    (
        lambda: ps.equalize_hist(IMAGE, mask=IMAGE > 0),
        lambda: ps.equalize_hist(IMAGE, where=IMAGE > 0),
        "mask",
        "where",
    ),
    (
        lambda: ps.masked_stats(np.dstack([IMAGE] * 3), mask=IMAGE > 0).mean,
        lambda: ps.masked_stats(np.dstack([IMAGE] * 3), where=IMAGE > 0).mean,
        "mask",
        "where",
    ),
    (
        lambda: ps.invert_colormap(rgb=np.zeros((2, 2, 3)), cmap="gray"),
        lambda: ps.invert_colormap(image=np.zeros((2, 2, 3)), cmap="gray"),
        "rgb",
        "image",
    ),
]


@pytest.mark.parametrize(("old", "new", "old_name", "new_name"), RENAMED_KEYWORDS)
def test_old_keyword_warns_with_the_new_name_and_gives_the_same_answer(old, new, old_name, new_name):
    with pytest.warns(DeprecationWarning, match=rf"\({old_name}=\.\.\.\) is deprecated; use {new_name}="):
        got = old()
    np.testing.assert_array_equal(got, new())


def test_old_and_new_keyword_together_is_an_error():
    with pytest.raises(PixelsmithError, match="both `image` and its deprecated name `a`"):
        ps.local_mean(IMAGE, a=IMAGE)


def test_match_template_is_find_matches_under_its_old_name():
    with pytest.warns(DeprecationWarning, match="pixelsmith.match_template is deprecated; use pixelsmith.find_matches"):
        old = ps.match_template(IMAGE, TEMPLATE, max_count=2)
    new = ps.find_matches(IMAGE, TEMPLATE, max_count=2)
    np.testing.assert_array_equal(old.coords, new.coords)
    with pytest.warns(DeprecationWarning, match=r"Matches.positions is deprecated; use .coords"):
        np.testing.assert_array_equal(new.positions, new.coords)


def test_tuple_results_became_named_and_still_unpack():
    x = RNG.normal(size=50)
    y = np.roll(x, 3)
    lags, r = ps.ccf(x, y, 5)
    result = ps.ccf(x, y, 5)
    np.testing.assert_array_equal(result.lags, lags)
    np.testing.assert_array_equal(result.r, r)
    lag, value = ps.best_lag(y, x)
    assert ps.best_lag(y, x).lag == lag == 3 and ps.best_lag(y, x).r == value


def test_the_cli_accepts_the_old_option_names(tmp_path):
    from typer.testing import CliRunner

    from pixelsmith.cli import app

    np.save(tmp_path / "scene.npy", IMAGE)
    np.save(tmp_path / "part.npy", TEMPLATE)
    runner = CliRunner()
    old = runner.invoke(app, ["match", str(tmp_path / "scene.npy"), str(tmp_path / "part.npy"), "--n", "2"])
    new = runner.invoke(app, ["match", str(tmp_path / "scene.npy"), str(tmp_path / "part.npy"), "--max-count", "2"])
    assert old.exit_code == new.exit_code == 0 and old.output == new.output
    stars = ps.datasets.star_field((60, 60), 5, seed=3).image
    np.save(tmp_path / "stars.npy", stars)
    old = runner.invoke(app, ["peaks", str(tmp_path / "stars.npy"), "--smooth", "1", "--max-peaks", "3"])
    new = runner.invoke(app, ["peaks", str(tmp_path / "stars.npy"), "--sigma", "1", "--max-count", "3"])
    assert old.exit_code == new.exit_code == 0 and old.output == new.output
