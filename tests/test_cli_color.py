"""`pixelsmith uncolor` and `pixelsmith outline`."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith.cli import app
from pixelsmith.io import read_image, write_image

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def rendered(tmp_path):
    yy, xx = np.mgrid[:40, :60]
    values = (xx + yy) / 98.0
    image = np.rint(colormaps["inferno"](values)[..., :3] * 255).astype(np.uint8)
    image[:3] = 255
    path = tmp_path / "shot.png"
    write_image(path, image)
    return path, values


def test_uncolor_to_csv_and_tif(tmp_path, rendered):
    path, values = rendered
    res = _invoke("uncolor", path, "--cmap", "inferno", "--vmin", "-20", "--vmax", "120", "--out", tmp_path / "t.csv")
    assert res.exit_code == 0, res.output
    grid = np.loadtxt(tmp_path / "t.csv", delimiter=",")
    assert grid.shape == (40, 60) and np.isnan(grid[:3]).all()
    assert np.abs(grid[3:] - (-20 + 140 * values[3:])).max() <= 140 / 256 / 2 + 1e-4
    res = _invoke("uncolor", path, "--cmap", "inferno", "--out", tmp_path / "t.tif", "-q")
    assert res.exit_code == 0
    np.testing.assert_allclose(
        read_image(tmp_path / "t.tif"),
        ps.invert_colormap(read_image(path), "inferno").astype(np.float32),
        equal_nan=True,
    )


def test_uncolor_palette_and_refusals(tmp_path, rendered):
    path, _ = rendered
    res = _invoke("uncolor", path, "--cmap", "#000004,#781c6d,#ed6925,#fcffa4", "--out", tmp_path / "v.npy", "-q")
    assert res.exit_code == 0, res.output
    assert np.load(tmp_path / "v.npy").shape == (40, 60)
    res = _invoke("uncolor", path, "--cmap", "nosuchmap", "--out", tmp_path / "v2.npy")
    assert res.exit_code == 2 and "not a matplotlib colormap" in res.output
    res = _invoke("uncolor", path, "--cmap", "jet", "--out", tmp_path / "v.png")
    assert res.exit_code == 2 and ".csv, .tif or .npy" in res.output


def test_outline_figure(tmp_path, rng):
    labels = np.zeros((50, 70), np.uint8)
    labels[10:30, 20:50] = 3
    labels[15:20, 25:30] = 0
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "image.npy", rng.normal(size=(50, 70)))
    res = _invoke(
        "outline", tmp_path / "labels.npy", tmp_path / "o.png", "--value", "3", "--over", tmp_path / "image.npy"
    )
    assert res.exit_code == 0, res.output
    figure = read_image(tmp_path / "o.png")
    assert figure.ndim == 3 and figure.shape[0] > 100
    red = (figure[..., 0] > 200) & (figure[..., 1] < 60) & (figure[..., 2] < 60)
    assert red.sum() > 100  # the outline is drawn
    res = _invoke("outline", tmp_path / "labels.npy", tmp_path / "o2.png", "--value", "9")
    assert res.exit_code == 2 and "value 9" in res.output
