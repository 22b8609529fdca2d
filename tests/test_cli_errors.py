"""Every CLI failure is one line on stderr with a non-zero exit, through the real entry point (issue 18)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import rasterio

pytestmark = pytest.mark.slow  # every case a real `python -m pixelsmith` process (make test-fast skips it)


@pytest.fixture
def folder(tmp_path, geotiff_writer):
    geotiff_writer(tmp_path / "in.tif", np.random.default_rng(0).normal(size=(100, 120)).astype(np.float32))
    np.save(tmp_path / "psf.npy", np.ones((5, 5), np.float32))
    (tmp_path / "stars.csv").write_text("row,col\n10,10\n")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 20)
    return tmp_path


def _run(folder, *args):
    done = subprocess.run(
        [sys.executable, "-m", "pixelsmith", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stderr.strip().splitlines()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("local", "in.tif", "o.tif", "--chunks", "0"), "--chunks"),
        (("local", "in.tif", "o.tif", "--stat", "bogus"), "--stat"),
        (("local",), "Missing argument"),
        (("nosuch",), "No such command"),
        (("local", "in.tif", "o.tif", "--stat", "median", "--size", "100000"), "`size`"),
        (("local", "in.tif", "o.tif", "--footprint", "disk:1e9"), "--footprint"),
        (("local", "in.tif", "o.tif", "--band", "0"), "--band"),
        (("render", "--stamp", "psf.npy", "--catalog", "stars.csv", "--shape", "2000000,2000000", "o.tif"), "--shape"),
        (("render", "--stamp", "psf.npy", "--catalog", "binary.csv", "--shape", "100,100", "o.tif"), "not a text CSV"),
        (("drr", "--phantom", "o.png", "--shape", "200000,200000", "-q"), "detector.shape"),
    ],
)
def test_one_clear_line_and_no_output(folder, args, words):
    code, lines = _run(folder, *args)
    assert code != 0
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and words in errors[0], lines
    assert not any("Traceback" in line for line in lines)
    assert not any(p.name.startswith("o.") or ".pixelsmith-" in p.name for p in folder.iterdir())


def test_gdal_write_failure_says_why_in_one_line(folder, monkeypatch):
    """GDAL reports a full disk as 'Write failed. See previous exception', the reason chained."""
    from rasterio.errors import RasterioIOError
    from typer.testing import CliRunner

    from pixelsmith.cli import _common, app

    def failing_write(self, *args, **kwargs):
        try:
            raise RuntimeError("TIFFAppendToStrip:Write error at scanline 64")
        except RuntimeError as cause:
            raise RasterioIOError("Write failed. See previous exception for details.") from cause

    monkeypatch.setattr(rasterio.io.DatasetWriter, "write", failing_write)
    monkeypatch.setattr(_common, "_nearly_full", lambda output: True)
    result = CliRunner().invoke(app, ["local", str(folder / "in.tif"), str(folder / "o.tif"), "-q"])
    assert result.exit_code == 1
    assert "no space left on device (TIFFAppendToStrip:Write error at scanline 64)" in result.output
    assert "See previous exception" not in result.output
    assert not any(p.name.startswith("o.") or ".pixelsmith-" in p.name for p in folder.iterdir())


@pytest.mark.parametrize(("image", "band"), [("gray.png", "2"), ("rgb.png", "4"), ("in.tif", "5"), ("rgb.png", "-1")])
def test_band_outside_the_input_is_refused_for_every_format(folder, image, band):
    import imageio.v3 as iio

    iio.imwrite(folder / "gray.png", np.zeros((20, 30), np.uint8))
    iio.imwrite(folder / "rgb.png", np.zeros((20, 30, 3), np.uint8))
    code, lines = _run(folder, "local", image, "o.tif", "--band", band, "-q")
    assert code == 2 and len(lines) == 1 and "band" in lines[0]
    assert not (folder / "o.tif").exists()


def test_an_output_format_that_cannot_hold_the_result_is_refused_before_the_work(folder):
    import imageio.v3 as iio

    iio.imwrite(folder / "gray.png", (np.random.default_rng(0).random((40, 50)) * 255).astype(np.uint8))
    code, lines = _run(folder, "local", "gray.png", "o.png", "--stat", "mean", "-q")
    assert code == 2 and len(lines) == 1 and ".png holds 8- or 16-bit integers" in lines[0]
    code, lines = _run(folder, "blocks", "in.tif", "o.png", "-q")
    assert code == 2 and "write .tif, .fits or .npy" in lines[0]
    code, _ = _run(folder, "local", "gray.png", "o.png", "--stat", "majority", "-q")  # uint8 stays uint8
    assert code == 0 and (folder / "o.png").exists()
