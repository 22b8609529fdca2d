"""`pixelsmith fill`, `equalize`, `match`."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
import tifffile
from rasterio.transform import from_origin
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith.cli import app
from pixelsmith.io import read_image, read_raster, write_image

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_fill_geotiff_keeps_georeferencing_and_fills_nodata(tmp_path):
    truth = ps.datasets.smooth_field((80, 90), seed=2).astype(np.float32)
    data = truth.copy()
    data[30:40, 20:35] = -9999
    path = tmp_path / "gaps.tif"
    transform = from_origin(500000.0, 4100000.0, 30.0, 30.0)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=90,
        height=80,
        count=1,
        dtype="float32",
        crs="EPSG:32611",
        transform=transform,
        nodata=-9999,
    ) as dst:
        dst.write(data, 1)
    out = tmp_path / "filled.tif"
    res = _invoke("fill", path, out, "--method", "biharmonic", "-q")
    assert res.exit_code == 0, res.output
    filled = read_raster(out)
    assert filled.transform == transform and filled.crs.to_epsg() == 32611
    expected = ps.fill_nans(read_raster(path).data, method="biharmonic")
    np.testing.assert_allclose(filled.data, expected, rtol=1e-6)
    assert np.isfinite(filled.data).all()


def test_fill_colour_png_with_mask(tmp_path, rng):
    image = np.clip(ps.datasets.smooth_field((60, 70))[..., None] * 60 + 120 + np.array([0, 20, -20]), 0, 255).astype(
        np.uint8
    )
    damaged = image.copy()
    damaged[20:26, 30:40] = 255
    mask = np.zeros((60, 70), np.uint8)
    mask[20:26, 30:40] = 1
    write_image(tmp_path / "in.png", damaged)
    write_image(tmp_path / "mask.png", mask)
    res = _invoke("fill", tmp_path / "in.png", tmp_path / "out.png", "--mask", tmp_path / "mask.png", "-q")
    assert res.exit_code == 0, res.output
    restored = read_image(tmp_path / "out.png")
    assert restored.dtype == np.uint8 and restored.shape == image.shape
    holes = np.repeat(mask[..., None] != 0, 3, axis=-1)
    expected = ps.fill_nans(damaged, mask=holes, channel_axis=-1)
    np.testing.assert_array_equal(restored, np.clip(np.rint(expected), 0, 255).astype(np.uint8))
    np.testing.assert_array_equal(restored[~holes], image[~holes])


def test_equalize_stack_equals_library(tmp_path, rng):
    stack = rng.integers(0, 180, size=(6, 32, 40), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "s.tif", stack)
    res = _invoke("equalize", tmp_path / "s.tif", tmp_path / "eq.npy")
    assert res.exit_code == 0 and "6 image(s)" in res.output
    np.testing.assert_array_equal(np.load(tmp_path / "eq.npy"), ps.equalize_hist(stack))
    res = _invoke("equalize", tmp_path / "s.tif", tmp_path / "eq.png")
    assert res.exit_code == 2 and ".tif or .npy" in res.output


def test_match_prints_positions_and_scores(tmp_path, rng):
    from scipy.ndimage import gaussian_filter

    scene = gaussian_filter(rng.normal(size=(120, 140)), 1.5)
    np.save(tmp_path / "scene.npy", scene)
    np.save(tmp_path / "part.npy", scene[40:60, 70:95])
    res = _invoke("match", tmp_path / "scene.npy", tmp_path / "part.npy", "--n", "2", "--json")
    rows = json.loads(res.output)
    assert len(rows) == 2 and abs(rows[0]["row"] - 40) < 0.05 and abs(rows[0]["col"] - 70) < 0.05
    assert rows[0]["score"] == pytest.approx(1.0)
    plain = _invoke("match", tmp_path / "scene.npy", tmp_path / "part.npy")
    assert plain.output.splitlines()[0] == "row,col,score"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["fill", "{img}", "{img}"], "is the input"),
        (["fill", "{img}", "{out}", "--method", "magic"], "magic"),
        (["fill", "{img}", "{out}", "--mask", "{small}"], "must match"),
        (["match", "{img}", "{missing}"], "does not exist"),
        (["match", "{small}", "{img}"], "larger than `image`"),
        (["equalize", "{img}", "{out}", "--nbins", "0"], "`nbins`"),
    ],
)
def test_refusals(tmp_path, rng, args, words):
    np.save(tmp_path / "img.npy", rng.normal(size=(30, 30)))
    np.save(tmp_path / "small.npy", rng.normal(size=(10, 10)))
    names = {
        "img": tmp_path / "img.npy",
        "small": tmp_path / "small.npy",
        "out": tmp_path / "o.npy",
        "missing": tmp_path / "none.npy",
    }
    res = _invoke(*[a.format(**names) for a in args])
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output
