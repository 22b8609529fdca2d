"""`pixelsmith render` and the CSV catalogue reader."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith.cli import app
from pixelsmith.io import read_image
from pixelsmith.io.table import read_points_csv, write_csv

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def psf(tmp_path):
    yy, xx = np.mgrid[:11, :11]
    stamp = np.exp(-((yy - 5) ** 2 + (xx - 5) ** 2) / (2 * 1.7**2))
    path = tmp_path / "psf.npy"
    np.save(path, stamp / stamp.sum())
    return path


def test_render_equals_add_stamps(tmp_path, psf, rng):
    stars = np.column_stack([rng.uniform(0, 64, 50), rng.uniform(0, 80, 50), rng.uniform(10, 100, 50)])
    catalog = tmp_path / "stars.csv"
    catalog.write_text("row,col,flux\n" + "\n".join(",".join(repr(float(v)) for v in s) for s in stars) + "\n")
    out = tmp_path / "field.tif"
    res = _invoke("render", out, "--stamp", psf, "--catalog", catalog, "--shape", "64,80", "--zoom", "1.2")
    assert res.exit_code == 0, res.output
    assert "rendered 50 stamps" in res.output
    field = read_image(out)
    assert field.dtype == np.float32 and field.shape == (64, 80)
    expected = ps.add_stamps(np.zeros((64, 80), np.float32), np.load(psf), stars[:, :2], weights=stars[:, 2], zoom=1.2)
    np.testing.assert_array_equal(field, expected)


def test_render_xy_header_and_no_flux(tmp_path, psf):
    catalog = tmp_path / "xy.csv"
    catalog.write_text("# two stars\nx,y\n10,20\n\n30.5,5\n")
    out = tmp_path / "f.npy"
    assert _invoke("render", out, "--stamp", psf, "--catalog", catalog, "--shape", "40,40", "-q").exit_code == 0
    field = np.load(out)
    assert np.unravel_index(field.argmax(), field.shape) in {(20, 10), (5, 30), (5, 31)}
    assert abs(field.sum() - 2.0) < 1e-5


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("row,col,flux\n1,2,3\n4,abc,6\n", "line 3"),
        ("row,col\n1,2\n3\n", "line 3"),
        ("a,b\n1,2\n", "lacks column(s) row, col"),
        ("1,nan\n", "finite"),
        ("row,col\n", "no data rows"),
    ],
)
def test_malformed_catalogue_names_the_line(tmp_path, psf, content, words):
    catalog = tmp_path / "bad.csv"
    catalog.write_text(content)
    res = _invoke("render", tmp_path / "o.tif", "--stamp", psf, "--catalog", catalog, "--shape", "10,10")
    assert res.exit_code == 2
    assert words in res.output and "bad.csv" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o.tif").exists()


def test_render_refusals(tmp_path, psf):
    catalog = tmp_path / "c.csv"
    catalog.write_text("1,2\n")
    rgb = tmp_path / "rgb.npy"
    np.save(rgb, np.ones((5, 5, 3)))
    cases = [
        (["--shape", "10x10"], "ROWS,COLS"),
        (["--shape", "10,10", "--zoom", "0"], "`zoom`"),
        (["--shape", "10,10", "--order", "2"], "--order"),
    ]
    for extra, words in cases:
        res = _invoke("render", tmp_path / "o.tif", "--stamp", psf, "--catalog", catalog, *extra)
        assert res.exit_code == 2 and words in res.output, res.output
    res = _invoke("render", tmp_path / "o.tif", "--stamp", rgb, "--catalog", catalog, "--shape", "9,9")
    assert res.exit_code == 2 and "colour channels" in res.output
    res = _invoke("render", psf, "--stamp", psf, "--catalog", catalog, "--shape", "9,9")
    assert res.exit_code == 2 and "is the input" in res.output
    res = _invoke("render", tmp_path / "o.png", "--stamp", psf, "--catalog", catalog, "--shape", "9,9")
    assert res.exit_code == 2 and ".tif or .npy" in res.output


def test_write_csv_round_trip(tmp_path):
    path = write_csv(
        tmp_path / "t.csv", {"row": np.array([1.5, 2.0]), "col": np.array([3.25, 4.0]), "id": np.array([7, 8])}
    )
    back = read_points_csv(path, ["row", "col"], optional=["id"])
    np.testing.assert_array_equal(back["col"], [3.25, 4.0])
    np.testing.assert_array_equal(back["id"], [7, 8])
