"""The `pixelsmith` command, through typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith.cli import app
from pixelsmith.io import read_raster, write_image

runner = CliRunner()
TRANSFORM = from_origin(401000.0, 5120000.0, 10.0, 10.0)


@pytest.fixture
def raster(tmp_path, rng, geotiff_writer):
    data = (800 + rng.normal(size=(300, 260))).astype(np.float32)
    data[40:50, 60:75] = -32768
    return geotiff_writer(tmp_path / "in.tif", data, transform=TRANSFORM, nodata=-32768)


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _check_georef(path):
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == 32633 and ds.transform == TRANSFORM and ds.nodata == -32768


@pytest.mark.parametrize("stat", ["mean", "sum", "var", "std", "min", "max"])
def test_local_matches_library_and_keeps_georeferencing(raster, tmp_path, stat):
    out = tmp_path / f"{stat}.tif"
    result = _invoke("local", raster, out, "--stat", stat, "--size", "3", "--quiet")
    assert result.exit_code == 0, result.output
    _check_georef(out)
    expected = getattr(ps, f"local_{stat}")(read_raster(raster).data, 3)
    np.testing.assert_array_equal(read_raster(out).data, expected)


def test_local_with_a_window_far_beyond_the_raster(raster, tmp_path):
    """Issue 27: `--size 100000` on a 300 x 260 raster was refused as needing hundreds of GiB."""
    out = tmp_path / "wide.tif"
    result = _invoke("local", raster, out, "--size", "100000", "--nan", "omit", "--quiet")
    assert result.exit_code == 0, result.output
    _check_georef(out)
    expected = ps.local_mean(read_raster(raster).data, 100_000, nan_policy="omit")
    np.testing.assert_array_equal(read_raster(out).data, expected)
    assert np.isfinite(expected).all()


def test_local_chunked_equals_in_memory_bit_for_bit(raster, tmp_path):
    mem, chunked = tmp_path / "mem.tif", tmp_path / "chunked.tif"
    assert _invoke("local", raster, mem, "--stat", "std", "--size", "5", "--nan", "omit", "-q").exit_code == 0
    res = _invoke("local", raster, chunked, "--stat", "std", "--size", "5", "--nan", "omit", "--chunks", "64", "-q")
    assert res.exit_code == 0, res.output
    _check_georef(chunked)
    np.testing.assert_array_equal(read_raster(chunked).data, read_raster(mem).data)


def test_local_footprint_and_modes(raster, tmp_path):
    out = tmp_path / "disk.tif"
    res = _invoke(
        "local", raster, out, "--stat", "max", "--footprint", "disk:3", "--mode", "wrap", "--chunks", "100", "-q"
    )
    assert res.exit_code == 0, res.output
    disk = np.add.outer(np.arange(-3, 4) ** 2, np.arange(-3, 4) ** 2) <= 9
    expected = ps.local_max(read_raster(raster).data, footprint=disk, mode="wrap")
    np.testing.assert_array_equal(read_raster(out).data, expected)


@pytest.mark.slow  # a real cluster or process
def test_local_with_a_real_local_cluster(raster, tmp_path):
    mem, dist = tmp_path / "mem.tif", tmp_path / "dist.tif"
    assert _invoke("local", raster, mem, "--stat", "var", "--size", "7", "-q").exit_code == 0
    res = _invoke("local", raster, dist, "--stat", "var", "--size", "7", "--chunks", "128", "--workers", "2", "-q")
    assert res.exit_code == 0, res.output
    np.testing.assert_array_equal(read_raster(dist).data, read_raster(mem).data)


@pytest.mark.slow  # a real cluster or process
def test_local_with_an_existing_scheduler(raster, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=2, host="127.0.0.1", dashboard_address=None, processes=True
    ) as cluster:
        out = tmp_path / "sched.tif"
        res = _invoke(
            "local", raster, out, "--stat", "mean", "--chunks", "128", "--scheduler", cluster.scheduler_address, "-q"
        )
        assert res.exit_code == 0, res.output
    np.testing.assert_array_equal(read_raster(out).data, ps.local_mean(read_raster(raster).data, 3))


def test_blocks_scales_the_transform(raster, tmp_path):
    out = tmp_path / "dens.tif"
    res = _invoke("blocks", raster, out, "--block", "10", "--func", "mean", "--chunks", "64", "-q")
    assert res.exit_code == 0, res.output
    with rasterio.open(out) as ds:
        assert ds.transform.a == 100.0 and ds.transform.e == -100.0 and ds.crs.to_epsg() == 32633
        assert ds.shape == (30, 26)
    np.testing.assert_allclose(read_raster(out).data, ps.block_reduce(read_raster(raster).data, 10), rtol=1e-6)


def test_plain_image_in_and_npy_out(tmp_path, rng):
    img = (rng.random((40, 30)) * 255).astype(np.uint8)
    src = write_image(tmp_path / "img.png", img)
    out = tmp_path / "out.npy"
    res = _invoke("local", src, out, "--stat", "max", "-q")
    assert res.exit_code == 0, res.output
    np.testing.assert_array_equal(np.load(out), ps.local_max(img, 3))
    rgb = write_image(tmp_path / "rgb.png", np.dstack([img] * 3))
    res = _invoke("local", rgb, tmp_path / "o.npy")
    assert res.exit_code == 2 and "colour channels" in res.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["{raster}", "{raster}"], "is the input"),
        (["{raster}", "{existing}"], "pass --overwrite"),
        (["{missing}", "{out}"], "does not exist"),
        (["{bad}", "{out}"], "not a raster"),
        (["{raster}", "{out}", "--stat", "mode"], "percentile:Q"),
        (["{raster}", "{out}", "--stat", "percentile:101"], "0..100"),
        (["{raster}", "{out}", "--footprint", "annulus:5,2"], "R1 <= R2"),
        (["{raster}", "{out}", "--footprint", "ring:3"], "disk:R"),
        (["{raster}", "{out}", "--band", "4"], "between 1 and 1"),
        (["{raster}", "{out}", "--size", "0"], "`size`"),
        (["{raster}", "{nofolder}"], "does not exist"),
    ],
)
def test_refusals_are_one_line_and_nonzero(raster, tmp_path, args, words):
    (tmp_path / "existing.tif").write_bytes(b"x")
    (tmp_path / "bad.tif").write_text("not a raster")
    names = {
        "raster": raster,
        "existing": tmp_path / "existing.tif",
        "missing": tmp_path / "missing.tif",
        "bad": tmp_path / "bad.tif",
        "out": tmp_path / "out.tif",
        "nofolder": tmp_path / "no" / "o.tif",
    }
    res = _invoke("local", *[a.format(**names) for a in args])
    assert res.exit_code != 0
    assert words in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out.tif").exists()
    assert (tmp_path / "existing.tif").read_bytes() == b"x"


def test_overwrite_replaces_output(raster, tmp_path):
    out = tmp_path / "o.tif"
    out.write_bytes(b"old")
    assert _invoke("local", raster, out, "--overwrite", "-q").exit_code == 0
    _check_georef(out)


def test_version_and_help_examples():
    assert _invoke("--version").output.strip() == f"pixelsmith {ps.__version__}"
    commands = [c.name for c in app.registered_commands]
    assert {"local", "blocks", "gallery", "render"} <= set(commands)
    for command in commands:
        text = _invoke(command, "--help").output
        assert "Example" in text and f"pixelsmith {command}" in text


@pytest.mark.slow  # a real cluster or process
def test_console_script_as_subprocess(raster, tmp_path):
    out = tmp_path / "sub.tif"
    done = subprocess.run(
        [sys.executable, "-m", "pixelsmith", "local", str(raster), str(out), "--stat", "std", "--chunks", "128", "-q"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    _check_georef(out)
    np.testing.assert_array_equal(read_raster(out).data, ps.local_std(read_raster(raster).data, 3))
    failed = subprocess.run(
        [sys.executable, "-m", "pixelsmith", "local", str(raster), str(out)], capture_output=True, text=True
    )
    assert failed.returncode == 2 and failed.stderr.strip().count("\n") == 0
    assert "pass --overwrite" in failed.stderr


def test_disk_full_during_write_leaves_nothing(raster, tmp_path, disk_full_on_write):
    disk_full_on_write(2)
    res = _invoke("local", raster, tmp_path / "o.tif", "--chunks", "64", "-q")
    assert res.exit_code == 1
    assert "No space left on device" in res.output and "no output was written" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tif"]


def test_chunked_constant_mode_with_a_cval_float32_cannot_hold_is_bit_identical(tmp_path, rng):
    """Issue 18: the --chunks path padded in the input dtype, so --cval 0.1 became float32(0.1) there
    (visible on values near 0, where float32 output keeps the difference)."""
    small = tmp_path / "small.tif"
    with rasterio.open(
        small,
        "w",
        driver="GTiff",
        width=260,
        height=300,
        count=1,
        dtype="float32",
        crs="EPSG:32633",
        transform=TRANSFORM,
    ) as dst:
        dst.write((1e-3 * rng.normal(size=(300, 260))).astype(np.float32), 1)
    mem, chunked = tmp_path / "mem.tif", tmp_path / "chunked.tif"
    options = ("--stat", "mean", "--size", "7", "--mode", "constant", "--cval", "0.1", "-q")
    assert _invoke("local", small, mem, *options).exit_code == 0
    res = _invoke("local", small, chunked, *options, "--chunks", "64")
    assert res.exit_code == 0, res.output
    np.testing.assert_array_equal(read_raster(chunked).data, read_raster(mem).data)


def test_band_zero_is_refused_not_read_as_band_one(raster, tmp_path):
    res = _invoke("local", raster, tmp_path / "o.tif", "--band", "0", "-q")
    assert res.exit_code != 0 and "--band" in res.output and "from 1" in res.output
    assert not (tmp_path / "o.tif").exists()


@pytest.mark.parametrize(
    ("stat", "call"),
    [
        ("median", lambda a, **k: ps.local_median(a, **k)),
        ("percentile:90", lambda a, **k: ps.local_percentile(a, 90, **k)),
        ("range", lambda a, **k: ps.local_range(a, **k)),
        ("majority", lambda a, **k: ps.local_majority(np.round(a), **k)),
        ("variety", lambda a, **k: ps.local_variety(np.round(a), **k)),
    ],
)
def test_order_statistics_from_the_cli_in_memory_and_chunked(raster, tmp_path, stat, call):
    data = read_raster(raster).data
    source = raster
    if stat in ("majority", "variety"):  # categories: round the values to a few classes first
        source = tmp_path / "classes.tif"
        with rasterio.open(raster) as src:
            profile = src.profile
        with rasterio.open(source, "w", **profile) as dst:
            dst.write(np.round(data).astype(np.float32), 1)
    ring = np.add.outer(np.arange(-4, 5) ** 2, np.arange(-4, 5) ** 2)
    ring = (ring <= 16) & (ring >= 4)
    expected = call(data, footprint=ring, nan_policy="omit")
    for extra in ((), ("--chunks", "64")):
        out = tmp_path / f"{stat.split(':')[0]}{len(extra)}.tif"
        res = _invoke("local", source, out, "--stat", stat, "--footprint", "annulus:2,4", "--nan", "omit", "-q", *extra)
        assert res.exit_code == 0, res.output
        np.testing.assert_array_equal(read_raster(out).data, expected.astype(np.float32))


def test_box_footprint_is_a_window_size(raster, tmp_path):
    out = tmp_path / "box.tif"
    assert _invoke("local", raster, out, "--stat", "max", "--footprint", "box:5", "-q").exit_code == 0
    np.testing.assert_array_equal(read_raster(out).data, ps.local_max(read_raster(raster).data, 5))


def test_shell_completion_completes_commands_and_options():
    """Issue 17: completion is on (pixelsmith --install-completion); bash asks through these variables."""
    import os

    def complete(words: str, index: int) -> str:
        env = dict(os.environ, _PIXELSMITH_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(index))
        script = "from pixelsmith._entry import main; main()"
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True).stdout

    assert complete("pixelsmith lo", 1).split() == ["local"]
    assert "--stat" in complete("pixelsmith local in.tif out.tif --st", 4).split()
    assert "--install-completion" in _invoke("--help").output


def test_library_warnings_are_one_line_each_and_go_with_a_failure(tmp_path, monkeypatch):
    """Issue 27: astropy's and the library's warnings reached stderr in Python's two-line form."""
    import warnings

    np.save(tmp_path / "in.npy", np.ones((20, 30), np.float32))
    real = ps.local_stat

    def warning_twice(*args, **kwargs):
        for _ in range(2):
            warnings.warn("weak evidence\nsecond line", ps.PixelsmithWarning, stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(ps, "local_stat", warning_twice)
    res = _invoke("local", tmp_path / "in.npy", tmp_path / "out.npy", "-q")
    assert res.exit_code == 0, res.output
    assert res.output.count("warning: weak evidence") == 1 and "second line" not in res.output
    assert "warnings.warn" not in res.output

    def warning_then_failing(*args, **kwargs):
        warnings.warn("noise", ps.PixelsmithWarning, stacklevel=2)
        raise ps.PixelsmithValueError("`size` is wrong")

    monkeypatch.setattr(ps, "local_stat", warning_then_failing)
    res = _invoke("local", tmp_path / "in.npy", tmp_path / "out2.npy", "-q")
    assert res.exit_code == 2 and res.output.strip().splitlines() == ["error: `size` is wrong"]


def test_local_percentile_method_scipy_equals_percentile_filter(tmp_path):
    """Issue 31: --percentile-method scipy gives scipy.ndimage.percentile_filter's numbers."""
    from scipy import ndimage as ndi
    from typer.testing import CliRunner

    from pixelsmith.cli import app

    image = np.random.default_rng(4).random((20, 30))
    np.save(tmp_path / "in.npy", image)
    args = ["local", str(tmp_path / "in.npy"), str(tmp_path / "out.npy"), "--stat", "percentile:90", "--size", "5"]
    result = CliRunner().invoke(app, [*args, "--percentile-method", "scipy", "-q"])
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), ndi.percentile_filter(image, 90, size=5))
    result = CliRunner().invoke(app, [*args, "--percentile-method", "bogus", "--overwrite"])
    assert result.exit_code == 2 and "--percentile-method" in result.output
