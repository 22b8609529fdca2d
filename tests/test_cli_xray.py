"""`pixelsmith drr` on the phantom and on a synthetic DICOM series."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from pixelsmith.cli import app
from pixelsmith.io import read_image
from pixelsmith.io.dicom import read_dicom_series
from pixelsmith.xray import Detector, Geometry, drr
from test_dicom import write_series

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_phantom_picture(tmp_path):
    res = _invoke("drr", "--phantom", tmp_path / "p.png", "--shape", "64,64", "--pixel-spacing", "4", "-q")
    assert res.exit_code == 0, res.output
    picture = read_image(tmp_path / "p.png")
    assert picture.shape == (64, 64) and picture.dtype == np.uint8
    assert picture[32, 32] > picture[0, 0]  # the head is brighter than the air around it


def test_series_with_explicit_geometry_and_tif(tmp_path, rng):
    hu = rng.integers(-1000, 1500, size=(8, 20, 18)).astype(np.float32)
    write_series(tmp_path / "ct", hu, slope=1.0, intercept=0.0)
    args = [
        "--source",
        "0,-400,40",
        "--detector-center",
        "0,300,40",
        "--detector-u",
        "1,0,0",
        "--detector-v",
        "0,0,-1",
        "--shape",
        "30,30",
    ]
    res = _invoke(
        "drr",
        tmp_path / "ct",
        tmp_path / "d.png",
        *args,
        "--output",
        "line_integral",
        "--tif",
        tmp_path / "d.tif",
        "-q",
    )
    assert res.exit_code == 0, res.output
    volume = read_dicom_series(tmp_path / "ct")
    geometry = Geometry((0, -400, 40), Detector((0, 300, 40), (1, 0, 0), (0, 0, -1), (30, 30)))
    expected = drr(volume, geometry, output="line_integral")
    np.testing.assert_allclose(read_image(tmp_path / "d.tif"), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["{out}"], "SERIES"),
        (["{missing}", "{out}"], "does not exist"),
        (["--phantom", "{tif}"], ".png"),
        (["--phantom", "{out}", "--source", "1,2"], "three numbers"),
        (["--phantom", "{out}", "--source", "1,2,3"], "needs all of"),
        (["--phantom", "{out}", "--sid", "2000", "--sdd", "1000"], "sid < sdd"),
        (["--phantom", "{out}", "--output", "counts"], "--output"),
    ],
)
def test_refusals(tmp_path, args, words):
    names = {"out": tmp_path / "o.png", "missing": tmp_path / "nowhere", "tif": tmp_path / "o.tif"}
    res = _invoke("drr", *[a.format(**names) for a in args])
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output


def test_nifti_and_dicom_inputs_give_the_same_picture(tmp_path, rng):
    """Issue 16: `pixelsmith drr` takes any volume `read_volume` reads."""
    from pixelsmith.io import write_nifti

    hu = rng.integers(-1000, 1500, size=(8, 20, 18)).astype(np.float32)
    write_series(tmp_path / "ct", hu, slope=1.0, intercept=0.0)
    write_nifti(tmp_path / "ct.nii.gz", read_dicom_series(tmp_path / "ct"))
    pictures = []
    for source in (tmp_path / "ct", tmp_path / "ct.nii.gz"):
        out = tmp_path / f"{source.name}.png"
        tif = tmp_path / f"{source.name}.tif"
        res = _invoke("drr", source, out, "--shape", "24,24", "--pixel-spacing", "2", "--tif", tif, "-q")
        assert res.exit_code == 0, res.output
        pictures.append(read_image(tif))
    np.testing.assert_allclose(pictures[1], pictures[0], rtol=1e-5)


def test_a_sweep_writes_one_picture_per_angle_a_listing_and_a_stack(tmp_path, rng):
    from pixelsmith.xray import drr_sweep, to_display

    hu = rng.integers(-1000, 1500, size=(8, 20, 18)).astype(np.float32)
    write_series(tmp_path / "ct", hu, slope=1.0, intercept=0.0)
    out = tmp_path / "sweep"
    args = ["drr", tmp_path / "ct", out, "--angles", "0:360:90", "--shape", "16,16", "--pixel-spacing", "2"]
    res = _invoke(*args, "--tif", tmp_path / "s.tif", "--output", "line_integral", "-q")
    assert res.exit_code == 0, res.output
    files = [f"view_{n:04d}.png" for n in range(4)] + ["views.csv", "views.json"]
    assert sorted(p.name for p in out.iterdir()) == files
    listing = np.genfromtxt(out / "views.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert listing["angle"].tolist() == [0.0, 90.0, 180.0, 270.0]
    volume = read_dicom_series(tmp_path / "ct")
    views = [Geometry.c_arm(volume, 1000, 1500, a, shape=(16, 16), pixel_spacing=2.0) for a in (0, 90, 180, 270)]
    expected = drr_sweep(volume, views)
    # issue 28: each view's geometry, which another tool can take: the matrices and vectors give the same views
    import json

    described = json.loads((out / "views.json").read_text())["views"]
    for n, view in enumerate(views):
        matrix = np.array([[listing[f"p{i}{j}"][n] for j in range(4)] for i in range(3)])
        np.testing.assert_allclose(matrix, view.projection_matrix(), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(described[n]["projection_matrix"], view.projection_matrix(), rtol=1e-12)
        source = [listing[f"source_{a}"][n] for a in "xyz"]
        np.testing.assert_allclose(source, view.source, atol=1e-6)
        rebuilt = Geometry.from_projection_matrix(matrix, (listing["rows"][n], listing["cols"][n]), volume, sdd=1500)
        np.testing.assert_allclose(rebuilt.detector.center, view.detector.center, atol=1e-6)
        np.testing.assert_allclose(drr_sweep(volume, [rebuilt])[0], expected[n], rtol=1e-5)
    np.testing.assert_array_equal(read_image(out / "view_0002.png"), to_display(expected[2]))
    np.testing.assert_allclose(read_image(tmp_path / "s.tif"), -np.log(expected), rtol=1e-5, atol=1e-6)
    res = _invoke(*args, "-q")
    assert res.exit_code == 2 and "--overwrite" in res.output
    res = _invoke(*args, "--overwrite", "-q")
    assert res.exit_code == 0, res.output
    for bad in ("0:360:0", "90:0:10", "a,b"):
        res = _invoke("drr", "--phantom", tmp_path / "x", "--angles", bad, "-q")
        assert res.exit_code == 2 and "--angles" in res.output, res.output


@pytest.mark.parametrize(
    "extra",
    [["--tif", "stack.png"], ["--shape", "0,0"], ["--method", "bogus"], ["--source", "1,2,3"], ["--angles", "inf,0"]],
)
def test_a_refused_sweep_creates_no_folder(tmp_path, extra):
    """Issue 27: the sweep's folder was created before anything was validated, and --tif x.png refused last."""
    args = ["drr", "--phantom", tmp_path / "views", "--angles", "0,90", "--shape", "8,8", *extra, "-q"]
    res = _invoke(*[str(tmp_path / a) if a == "stack.png" else a for a in args])
    assert res.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [], res.output


def test_a_sweep_that_fails_while_writing_leaves_nothing(tmp_path, monkeypatch):
    """Issue 27: a full disk left 37 files behind; now the views live in a temporary folder until all are done."""
    import errno

    import pixelsmith.io.table as table

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(table, "write_csv", full)
    res = _invoke("drr", "--phantom", tmp_path / "views", "--angles", "0:360:30", "--shape", "8,8", "-q")
    assert res.exit_code != 0 and res.output.count("\n") == 1, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_sweep_of_billions_of_views_is_refused_before_they_are_counted_out(tmp_path):
    """Issue 27: --angles 0:3e9:1 allocated 24 GB of angles and died with a MemoryError pointing at --chunks."""
    from expect import time_limit

    with time_limit(20):
        res = _invoke("drr", "--phantom", tmp_path / "views", "--angles", "0:3e9:1", "-q")
    assert res.exit_code == 2 and "3000000000 views" in res.output and "--chunks" not in res.output
    assert not (tmp_path / "views").exists()
