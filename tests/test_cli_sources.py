"""`pixelsmith peaks` and `pixelsmith apertures`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rasterio.transform import from_origin
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith.cli import app
from pixelsmith.io.table import read_points_csv

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def field(tmp_path):
    stars = ps.datasets.star_field((128, 160), 25, snr=(20, 60), min_separation=10, seed=3)
    path = tmp_path / "field.npy"
    np.save(path, stars.image)
    return path, stars


def test_peaks_to_csv_equals_the_library(tmp_path, field):
    path, stars = field
    out = tmp_path / "peaks.csv"
    res = _invoke("peaks", path, "--nsigma", "5", "--min-distance", "3", "--subpixel", "--out", out)
    assert res.exit_code == 0, res.output
    table = read_points_csv(out, ["row", "col"], optional=["height"])
    expected = ps.find_peaks(stars.image, nsigma=5, min_distance=3, subpixel=True)
    np.testing.assert_allclose(np.column_stack([table["row"], table["col"]]), expected.coords, atol=1e-6)
    assert len(table["row"]) == len(stars.positions)


def test_peaks_json_and_stdout(field):
    path, stars = field
    res = _invoke("peaks", path, "--nsigma", "5", "--max-peaks", "3", "--json")
    rows = json.loads(res.output)
    assert len(rows) == 3 and set(rows[0]) == {"row", "col", "height"}
    assert rows[0]["height"] >= rows[1]["height"] >= rows[2]["height"]
    plain = _invoke("peaks", path, "--nsigma", "5", "--max-peaks", "2")
    assert plain.output.splitlines()[0] == "row,col,height" and len(plain.output.splitlines()) == 3


def test_peaks_of_a_geotiff_get_map_coordinates(tmp_path, field, geotiff_writer):
    _, stars = field
    path = geotiff_writer(tmp_path / "g.tif", stars.image, transform=from_origin(1000.0, 2000.0, 2.0, 2.0))
    res = _invoke("peaks", path, "--nsigma", "5", "--max-peaks", "1", "--json")
    row = json.loads(res.output)[0]
    assert row["map_x"] == pytest.approx(1000.0 + 2.0 * (row["col"] + 0.5))
    assert row["map_y"] == pytest.approx(2000.0 - 2.0 * (row["row"] + 0.5))


def test_apertures_image_and_stack(tmp_path, field):
    path, stars = field
    peaks_csv = tmp_path / "p.csv"
    assert _invoke("peaks", path, "--nsigma", "5", "--out", peaks_csv, "-q").exit_code == 0
    out = tmp_path / "sums.csv"
    res = _invoke("apertures", path, "--at", peaks_csv, "--radius", "4", "--annulus", "6,9", "--out", out)
    assert res.exit_code == 0, res.output
    table = read_points_csv(out, ["row", "col"], optional=["sum", "area", "background", "net"])
    centers = np.column_stack([table["row"], table["col"]])
    expected = ps.aperture_sums(stars.image, centers, 4.0, annulus=(6, 9))
    np.testing.assert_allclose(table["net"], expected.net, rtol=1e-6, atol=1e-5)

    import tifffile

    stack_path = tmp_path / "stack.tif"
    tifffile.imwrite(stack_path, np.stack([stars.image, 2 * stars.image]))
    res = _invoke("apertures", stack_path, "--at", peaks_csv, "--radius", "4", "--json")
    rows = json.loads(res.output)
    assert len(rows) == 2 * len(centers) and rows[-1]["frame"] == 1
    first = [r["sum"] for r in rows if r["frame"] == 0]
    second = [r["sum"] for r in rows if r["frame"] == 1]
    np.testing.assert_allclose(second, 2 * np.array(first), rtol=1e-6)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["apertures", "{data}", "--at", "{csv}", "--radius", "-1"], "`radius`"),
        (["apertures", "{data}", "--at", "{csv}", "--radius", "2", "--annulus", "9,4"], "r_in < r_out"),
        (["apertures", "{data}", "--at", "{csv}", "--radius", "2", "--annulus", "x"], "R_IN,R_OUT"),
        (["apertures", "{data}", "--at", "{bad}", "--radius", "2"], "data row 1 holds 'x'"),
        (["peaks", "{data}", "--out", "{txt}"], ".csv"),
        (["peaks", "{data}", "--min-distance", "0"], "`min_distance`"),
        (["peaks", "{missing}"], "does not exist"),
    ],
)
def test_refusals(tmp_path, field, args, words):
    path, _ = field
    (tmp_path / "c.csv").write_text("row,col\n5,5\n")
    (tmp_path / "bad.csv").write_text("row,col\n5,x\n")
    names = {
        "data": path,
        "csv": tmp_path / "c.csv",
        "bad": tmp_path / "bad.csv",
        "txt": tmp_path / "o.txt",
        "missing": tmp_path / "none.npy",
    }
    res = _invoke(*[a.format(**names) for a in args])
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output
