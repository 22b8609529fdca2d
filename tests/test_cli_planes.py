"""Multi-band rasters and stacks through the CLI: --band all, --band N,M and --frames (issue 16, item 5)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from rasterio.transform import from_origin
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith.cli import app
from pixelsmith.io import read_fits, read_image, read_raster, write_raster
from test_fits import _tan_header

runner = CliRunner()
NAMES = ("coastal", "blue", "green", "red", "nir", "swir")


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def landsat(tmp_path, rng):
    """A 6-band float32 GeoTIFF with band descriptions and nodata holes, like a Landsat scene."""
    data = rng.normal(1000, 200, size=(6, 70, 90)).astype(np.float32)
    data[:, 10:14, 20:25] = -9999.0
    path = tmp_path / "landsat.tif"
    write_raster(
        path, data, transform=from_origin(300000, 4.2e6, 30, 30), crs="EPSG:32631", nodata=-9999.0, band_names=NAMES
    )
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["local", "--stat", "std", "--size", "5", "--nan", "omit"],
        ["local", "--stat", "median", "--footprint", "disk:2"],
        ["blocks", "--block", "4", "--func", "mean"],
        ["fill", "--method", "harmonic"],
    ],
    ids=["local-std", "local-median", "blocks", "fill"],
)
def test_band_all_equals_six_single_band_runs_and_keeps_georeferencing(landsat, tmp_path, command):
    verb, *options = command
    res = _invoke(verb, landsat, tmp_path / "all.tif", "--band", "all", *options, "-q")
    assert res.exit_code == 0, res.output
    together = read_raster(tmp_path / "all.tif")
    assert together.data.shape[0] == 6 and together.band_names == NAMES
    assert together.crs.to_epsg() == 32631
    source = read_raster(landsat)
    scale = 4 if verb == "blocks" else 1
    assert together.transform.a == 30 * scale and together.transform.c == source.transform.c
    for band in range(1, 7):
        out = tmp_path / f"b{band}.tif"
        res = _invoke(verb, landsat, out, "--band", str(band), *options, "-q")
        assert res.exit_code == 0, res.output
        np.testing.assert_array_equal(together.data[band - 1], read_raster(out).data)


def test_a_band_list_and_the_chunked_path(landsat, tmp_path):
    res = _invoke("local", landsat, tmp_path / "two.tif", "--band", "5,4", "--stat", "mean", "--chunks", "32", "-q")
    assert res.exit_code == 0, res.output
    two = read_raster(tmp_path / "two.tif")
    assert two.band_names == ("nir", "red")
    source = read_raster(landsat)
    np.testing.assert_array_equal(two.data[0], ps.local_mean(source.data[4], 3))


def test_several_bands_without_a_choice_are_refused_not_band_one(landsat, tmp_path):
    """It silently wrote band 1 only."""
    res = _invoke("local", landsat, tmp_path / "o.tif", "-q")
    assert res.exit_code == 2 and "6 bands" in res.output and "--band all" in res.output
    res = _invoke("local", landsat, tmp_path / "o.png", "--band", "all", "-q")
    assert res.exit_code == 2 and "6 bands or frames" in res.output
    res = _invoke("local", landsat, tmp_path / "o.tif", "--band", "2,9", "-q")
    assert res.exit_code == 2 and "between 1 and 6" in res.output
    res = _invoke("local", landsat, tmp_path / "o.tif", "--band", "two", "-q")
    assert res.exit_code == 2 and "--band" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landsat.tif"]


@pytest.mark.parametrize("suffix", [".npy", ".tif", ".fits"])
def test_frames_of_a_stack_each_get_a_2d_window(tmp_path, rng, suffix):
    stack = rng.normal(size=(5, 30, 40)).astype(np.float32)
    path = tmp_path / f"stack{suffix}"
    if suffix == ".fits":
        header = _tan_header(stack.shape[1:])
        fits.PrimaryHDU(stack.astype(">f4"), header=header).writeto(path)
    else:
        ps.io.write_image(path, stack)
    res = _invoke("local", path, tmp_path / "o.tif", "-q")
    assert res.exit_code == 2 and "5 frames" in res.output and "--frames" in res.output
    out = tmp_path / f"med{suffix}"
    res = _invoke("local", path, out, "--stat", "median", "--size", "3", "--frames", "-q")
    assert res.exit_code == 0, res.output
    expected = np.stack([ps.local_median(frame, 3) for frame in stack])
    np.testing.assert_array_equal(read_image(out), expected)
    if suffix == ".fits":  # the cube keeps its header and WCS
        back = read_fits(out)
        assert back.header["OBJECT"] == "COSMOS test" and back.wcs is not None
    res = _invoke("fill", path, tmp_path / f"f{suffix}", "--frames", "-q")
    assert res.exit_code == 0, res.output


def test_peaks_per_band_and_per_frame(landsat, tmp_path, rng):
    res = _invoke("peaks", landsat, "--band", "all", "--nsigma", "3", "--out", tmp_path / "p.csv", "-q")
    assert res.exit_code == 0, res.output
    table = np.genfromtxt(tmp_path / "p.csv", delimiter=",", names=True)
    assert set(table["band"].astype(int)) == set(range(1, 7))
    source = read_raster(landsat)
    for band in (1, 6):
        found = ps.find_peaks(source.data[band - 1], nsigma=3)
        mine = table[table["band"] == band]
        np.testing.assert_array_equal(mine["row"], found.coords[:, 0])
        assert {"map_x", "map_y"} <= set(table.dtype.names)
    stack = np.stack([ps.datasets.star_field((40, 50), 5, seed=s).image for s in range(3)]).astype(np.float32)
    np.save(tmp_path / "stack.npy", stack)
    res = _invoke("peaks", tmp_path / "stack.npy", "--frames", "--nsigma", "5", "--json")
    assert res.exit_code == 0, res.output
    import json

    rows = json.loads(res.output)
    assert {r["frame"] for r in rows} == {0, 1, 2}  # frames count from 0, as in apertures
    assert len([r for r in rows if r["frame"] == 1]) == len(ps.find_peaks(stack[1], nsigma=5).heights)


def test_apertures_on_a_fits_cube_with_an_ra_dec_catalog(tmp_path):
    stars = ps.datasets.star_field((60, 70), 8, seed=2)
    cube = np.stack([stars.image, 2 * stars.image, 3 * stars.image]).astype(np.float32)
    path = tmp_path / "cube.fits"
    fits.PrimaryHDU(cube, header=_tan_header(cube.shape[1:])).writeto(path)
    image = read_fits(path)
    centers = np.asarray(stars.positions, float)
    ra, dec = image.sky_coordinates(centers)
    np.savetxt(
        tmp_path / "sky.csv", np.column_stack([ra, dec]), delimiter=",", header="ra,dec", comments="", fmt="%.12f"
    )
    np.savetxt(tmp_path / "pix.csv", centers, delimiter=",", header="row,col", comments="", fmt="%.9f")
    outs = []
    for catalog in ("sky", "pix"):
        out = tmp_path / f"{catalog}_sums.csv"
        res = _invoke("apertures", path, "--at", tmp_path / f"{catalog}.csv", "--radius", "3", "--out", out, "-q")
        assert res.exit_code == 0, res.output
        outs.append(np.genfromtxt(out, delimiter=",", names=True))
    sky, pix = outs
    assert "ra" in sky.dtype.names and len(sky) == 3 * len(centers)
    np.testing.assert_allclose(sky["row"], pix["row"], atol=1e-6)
    np.testing.assert_allclose(sky["sum"], pix["sum"], rtol=1e-6)
    np.testing.assert_allclose(sky["sum"][sky["frame"] == 2], 3 * sky["sum"][sky["frame"] == 0], rtol=1e-5)
    plain = tmp_path / "plain.npy"
    np.save(plain, cube)
    res = _invoke("apertures", plain, "--at", tmp_path / "sky.csv", "--radius", "3", "-q")
    assert res.exit_code == 2 and "celestial WCS" in res.output


def test_hdu_on_every_command_that_reads_a_fits_image(tmp_path):
    science = ps.datasets.star_field((40, 50), 6, seed=1).image.astype(np.float32)
    hdus = fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((40, 50), np.float32), name="SCI")])
    hdus.append(fits.ImageHDU(science, name="SCI", ver=2))
    path = tmp_path / "multi.fits"
    hdus.writeto(path)
    runs = {
        "blocks": (["blocks", path, tmp_path / "b.npy", "--block", "5", "--hdu", "SCI,2"], ps.block_reduce(science, 5)),
        "fill": (["fill", path, tmp_path / "f.npy", "--hdu", "2"], science),
        "equalize": (["equalize", path, tmp_path / "e.npy", "--hdu", "SCI,2"], ps.equalize_hist(science)),
    }
    for verb, (args, want) in runs.items():
        res = _invoke(*args, "-q")
        assert res.exit_code == 0, (verb, res.output)
        np.testing.assert_array_equal(np.load(args[2]), want)
    ps.io.write_image(tmp_path / "plain.npy", science)
    ps.io.write_image(tmp_path / "part.npy", science[10:25, 12:30])
    res = _invoke("match", path, tmp_path / "part.npy", "--hdu", "SCI,2", "--json")
    assert res.exit_code == 0, res.output
    import json

    best = json.loads(res.output)[0]
    assert round(best["row"]) == 10 and round(best["col"]) == 12 and best["score"] > 0.999
    res = _invoke("local", tmp_path / "plain.npy", tmp_path / "o.npy", "--hdu", "2", "-q")
    assert res.exit_code == 2 and "not one" in res.output
