"""Colormap inversion, RGB(A) handling, masked colour statistics, outlines."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from scipy import ndimage as ndi

from pixelsmith import (
    PixelsmithError,
    PixelsmithValueError,
    as_rgb,
    invert_colormap,
    masked_stats,
    outline_paths,
    plot_outline,
)
from pixelsmith.outline import _shoelace

PALETTE = [
    "#000004",
    "#1b0c41",
    "#4a0c6b",
    "#781c6d",
    "#a52c60",
    "#cf4446",
    "#ed6925",
    "#fb9b06",
    "#f7d13d",
    "#fcffa4",
    "#a0ffa0",
    "#00ff00",
]


def field(shape=(200, 300)):
    yy, xx = np.mgrid[: shape[0], : shape[1]] / max(shape)
    return 0.5 + 0.5 * np.sin(6 * xx) * np.cos(4 * yy)


def render(values, cmap):
    return np.rint(colormaps[cmap](values)[..., :3] * 255).astype(np.uint8)


def distinct_entries(cmap):
    table = np.rint(colormaps[cmap](np.arange(colormaps[cmap].N))[:, :3] * 255)
    codes = (table[:, 0] * 65536 + table[:, 1] * 256 + table[:, 2]).astype(int)
    _, counts = np.unique(codes, return_counts=True)
    return codes, dict(zip(*np.unique(codes, return_counts=True), strict=True))


@pytest.mark.parametrize("cmap", ["viridis", "jet", "inferno", "magma"])
def test_recovers_values_within_half_a_step_where_colours_are_distinct(cmap):
    truth = field()
    back = invert_colormap(render(truth, cmap), cmap, vmin=-20, vmax=120)
    n = colormaps[cmap].N
    step = 140 / n
    entry = np.minimum((truth * n).astype(int), n - 1)
    codes, counts = distinct_entries(cmap)
    unique_colour = np.vectorize(lambda i: counts[codes[i]] == 1)(entry)
    err = np.abs(back - (-20 + 140 * truth))
    assert err[unique_colour].max() <= step / 2 + 1e-9
    # where entries share a colour the error is at most half the run of equal entries
    assert err.max() <= step * max(counts.values()) / 2 + 1e-9


def test_palette_is_interpolated_along_its_curve():
    from matplotlib.colors import LinearSegmentedColormap

    truth = field()
    smooth = LinearSegmentedColormap.from_list("p", PALETTE, N=8192)
    rendered = np.rint(smooth(truth)[..., :3] * 255).astype(np.uint8)
    back = invert_colormap(rendered, PALETTE)
    assert np.abs(back - truth).max() < 0.5 / (len(PALETTE) - 1) / 8  # far below a palette step


def test_borders_text_and_alpha():
    truth = field((60, 80))
    image = render(truth, "viridis")
    image[:5] = 255  # white border
    image[30, 10:40] = 0  # black text
    back = invert_colormap(image, "viridis")
    assert np.isnan(back[:5]).all() and np.isnan(back[30, 10:40]).all()
    assert np.isfinite(back[5:30]).all()
    kept = invert_colormap(image, "viridis", max_distance=np.inf)
    assert np.isfinite(kept).all()
    rgba = np.concatenate([image, np.full((60, 80, 1), 255, np.uint8)], axis=-1)
    np.testing.assert_array_equal(invert_colormap(rgba, "viridis"), back)
    rgba[0, 0, 3] = 10
    with pytest.raises(PixelsmithError, match="transparent"):
        invert_colormap(rgba, "viridis")
    float_image = image / 255.0
    np.testing.assert_allclose(invert_colormap(float_image, "viridis"), back, equal_nan=True, atol=0.5 / 256)


def test_as_rgb_gray_rgb_rgba():
    gray = np.array([[0, 128, 255]], np.uint8)
    np.testing.assert_allclose(as_rgb(gray)[0, 1], [128 / 255] * 3)
    rgba = np.array([[[1.0, 0.0, 0.0, 0.25]]])
    np.testing.assert_allclose(as_rgb(rgba, background=(0, 0, 1)), [[[0.25, 0.0, 0.75]]])
    assert as_rgb(np.zeros((2, 2, 1), np.uint16)).shape == (2, 2, 3)
    with pytest.raises(PixelsmithError, match="channels"):
        as_rgb(np.zeros((2, 2, 5)))
    with pytest.raises(PixelsmithError, match="divide"):
        as_rgb(np.full((2, 2, 3), 200.0))


def test_masked_stats(rng):
    image = rng.uniform(0, 255, size=(40, 50, 3))
    mask = rng.random((40, 50)) > 0.7
    stats = masked_stats(image, mask)
    np.testing.assert_allclose(stats.mean, image[mask].mean(axis=0))
    np.testing.assert_allclose(stats.std, image[mask].std(axis=0))
    assert stats.count == mask.sum()
    first = masked_stats(np.moveaxis(image, -1, 0), mask, channel_axis=0)
    np.testing.assert_allclose(first.mean, stats.mean)
    with pytest.raises(PixelsmithError, match="shape of the image.s pixels"):
        masked_stats(image, mask[:-1])
    with pytest.raises(PixelsmithError, match="boolean"):
        masked_stats(image, mask.astype(int))


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: invert_colormap(np.zeros((4, 4)), "jet"), "3-D"),
        (lambda: invert_colormap(np.zeros((4, 4, 2)), "jet"), "3 (RGB) or 4"),
        (lambda: invert_colormap(np.zeros((4, 4, 3)), "not-a-map"), "not a matplotlib colormap"),
        (lambda: invert_colormap(np.zeros((4, 4, 3)), [[1, 2]]), "(N, 3)"),
        (lambda: invert_colormap(np.zeros((4, 4, 3)), "jet", max_distance=0), "`max_distance`"),
        (lambda: invert_colormap(np.zeros((4, 4, 3)), "jet", vmin=np.nan), "`vmin`"),
    ],
)
def test_invert_bad_input(call, words):
    with pytest.raises(PixelsmithError) as info:
        call()
    assert words in str(info.value)


# --- outlines ------------------------------------------------------------------------------------


def test_single_pixel_is_a_square_of_four_vertices():
    mask = np.zeros((3, 3), bool)
    mask[1, 1] = True
    (path,) = outline_paths(mask)
    assert sorted(map(tuple, path.tolist())) == [(0.5, 0.5), (0.5, 1.5), (1.5, 0.5), (1.5, 1.5)]


def test_areas_components_and_holes_on_random_masks(rng):
    for _ in range(200):
        mask = rng.random((14, 19)) < 0.5
        paths = outline_paths(mask)
        assert sum(_shoelace(p) for p in paths) == pytest.approx(mask.sum())
        n_regions = ndi.label(mask)[1]  # 4-connected
        n_holes = ndi.label(np.pad(~mask, 1, constant_values=True), np.ones((3, 3)))[1] - 1
        assert len(paths) == n_regions + n_holes
        assert sum(_shoelace(p) > 0 for p in paths) == n_regions  # outer boundaries positive, holes negative
        for p in paths:
            steps = np.diff(np.vstack([p, p[:1]]), axis=0)
            assert ((steps[:, 0] == 0) ^ (steps[:, 1] == 0)).all()  # axis-aligned, no zero steps
            turns = steps[:, 0] * np.roll(steps[:, 1], -1) - steps[:, 1] * np.roll(steps[:, 0], -1)
            assert (turns != 0).all()  # collinear vertices merged


def test_diagonal_pixels_are_separate_and_values_select_labels():
    assert len(outline_paths(np.eye(3, dtype=bool))) == 3
    labels = np.zeros((6, 6), int)
    labels[1:3, 1:3] = 3
    labels[3:5, 3:5] = 2
    (path,) = outline_paths(labels, 3)
    assert _shoelace(path) == 4
    assert outline_paths(labels, 7) == []


@pytest.mark.parametrize("origin", ["upper", "lower"])
def test_plot_outline_aligns_with_imshow(origin):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = np.zeros((10, 20), int)
    labels[2:5, 3:9] = 3
    fig, ax = plt.subplots()
    extent = (100.0, 300.0, 0.0, 50.0)
    ax.imshow(labels, extent=extent, origin=origin)
    (line,) = plot_outline(ax, labels, 3, extent=extent, origin=origin, color="w")
    x, y = line.get_data()
    assert x.min() == pytest.approx(100 + 3 * 10) and x.max() == pytest.approx(100 + 9 * 10)
    rows = (2, 5)  # region rows 2..4: edges at 2 and 5 pixel heights of 5 units
    expected = sorted([50 - r * 5 for r in rows]) if origin == "upper" else sorted([r * 5 for r in rows])
    assert [y.min(), y.max()] == pytest.approx(expected)
    fig.canvas.draw()  # renders headless
    plt.close(fig)


def test_plt_imread_float_rgba_takes_the_8_bit_path_and_equals_uint8():
    """Issue 20: float32 RGBA in 0..1 (what plt.imread returns for a PNG) gives the uint8 answer."""
    import io

    import matplotlib.pyplot as plt

    values = np.add.outer(np.linspace(0, 1, 120), np.linspace(0, 1, 90)) / 2
    buffer = io.BytesIO()
    plt.imsave(buffer, values, cmap="jet", format="png")
    buffer.seek(0)
    rgba = plt.imread(buffer)
    assert rgba.dtype == np.float32 and rgba.shape == (120, 90, 4)
    as_uint8 = np.rint(rgba * 255).astype(np.uint8)
    np.testing.assert_array_equal(invert_colormap(rgba, "jet"), invert_colormap(as_uint8, "jet"))
    # off the 8-bit grid: resolved to 1/65535, so within a hair of the exact projection of the same colour
    shifted = np.clip(rgba[..., :3].astype(np.float64) + 0.4 / 255, 0, 1)
    back = invert_colormap(shifted, "jet", max_distance=np.inf)
    assert np.nanmax(np.abs(back - invert_colormap(as_uint8, "jet"))) < 0.01


def test_eight_bit_codes_kernel_matches_numpy():
    from pixelsmith._kernels.color import eight_bit_codes

    rng = np.random.default_rng(1)
    levels = rng.integers(0, 256, size=(7, 5, 4))
    rgba = (levels / 255).astype(np.float32)
    codes, ok = eight_bit_codes(rgba[..., :3], 1e-3)
    expected = (levels[..., 0] << 16 | levels[..., 1] << 8 | levels[..., 2]).ravel()
    assert ok and np.array_equal(codes, expected)
    rgba[3, 2, 1] += 0.3 / 255
    assert not eight_bit_codes(rgba[..., :3], 1e-3)[1]
    assert not eight_bit_codes(np.full((1, 1, 3), np.nan), 1e-3)[1]


@pytest.mark.parametrize("extent", [(0, 1), "left", (0, 1, 2, np.nan)])
def test_plot_outline_names_a_bad_extent(extent):
    """Issue 27: extent=(0, 1) gave 'not enough values to unpack'."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from expect import raises_naming

    fig, ax = plt.subplots()
    try:
        with raises_naming(PixelsmithValueError, "extent"):
            plot_outline(ax, np.eye(4, dtype=bool), extent=extent)
    finally:
        plt.close(fig)
