"""FITS in and out: native byte order, header and WCS kept, the CLI on FITS files (issue 16, first part)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS
from typer.testing import CliRunner

import pixelsmith as ps
from pixelsmith import PixelsmithError, PixelsmithValueError
from pixelsmith.cli import app
from pixelsmith.io import read_fits, read_image, write_fits


def _tan_header(shape):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [150.1, 2.2]
    wcs.wcs.crpix = [shape[1] / 2, shape[0] / 2]
    wcs.wcs.cdelt = [-0.0002, 0.0002]
    header = wcs.to_header()
    header["BUNIT"] = "adu"
    header["OBJECT"] = "COSMOS test"
    return header


@pytest.fixture
def field(tmp_path):
    """A star field written as big-endian float32 FITS with a TAN WCS, as telescopes deliver them."""
    stars = ps.datasets.star_field((80, 96), 12, seed=4)
    path = tmp_path / "field.fits"
    fits.PrimaryHDU(stars.image.astype(">f4"), header=_tan_header(stars.image.shape)).writeto(path)
    return path, stars


def test_read_gives_native_order_equal_values_header_and_wcs(field):
    path, stars = field
    image = read_fits(path)
    assert image.data.dtype == np.float32 and image.data.dtype.isnative
    np.testing.assert_array_equal(image.data, stars.image.astype(np.float32))
    assert image.header["BUNIT"] == "adu" and image.wcs is not None
    np.testing.assert_array_equal(read_image(path), image.data)
    np.testing.assert_array_equal(ps.local_mean(fits.getdata(path), 3), ps.local_mean(image.data, 3))


def test_write_keeps_the_header_and_wcs_and_is_atomic(field, tmp_path):
    path, _ = field
    image = read_fits(path)
    out = tmp_path / "smooth.fits.gz"
    write_fits(out, ps.local_median(image.data, 3), like=image)
    back = read_fits(out)
    assert back.header["OBJECT"] == "COSMOS test" and back.header["BUNIT"] == "adu"
    for xy in [(0.0, 0.0), (40.5, 33.2)]:
        assert back.wcs.pixel_to_world(*xy).separation(image.wcs.pixel_to_world(*xy)).deg < 1e-12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["field.fits", "smooth.fits.gz"]


def test_the_first_hdu_with_data_is_chosen_and_others_by_name(tmp_path):
    path = tmp_path / "mef.fits"
    science = fits.ImageHDU(np.ones((4, 5), np.float32), name="SCI")
    weight = fits.ImageHDU(np.full((4, 5), 2.0, np.float32), name="WHT")
    fits.HDUList([fits.PrimaryHDU(), science, weight]).writeto(path)
    assert read_fits(path).hdu == 1
    assert read_fits(path, hdu="WHT").data[0, 0] == 2.0 and read_fits(path, hdu=2).hdu == 2
    with pytest.raises(PixelsmithError, match="`hdu`.*WHT"):
        read_fits(path, hdu="ERR")


def test_a_file_that_is_not_fits_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.fits"
    bad.write_bytes(b"SIMPLE  = nonsense" + bytes(100))
    with pytest.raises(PixelsmithError, match="bad.fits"):
        read_fits(bad)


def test_cli_fits_in_fits_out_keeps_the_wcs(field, tmp_path):
    path, _ = field
    out = tmp_path / "out.fits"
    result = CliRunner().invoke(app, ["local", str(path), str(out), "--stat", "median", "--size", "5", "-q"])
    assert result.exit_code == 0, result.output
    back, original = read_fits(out), read_fits(path)
    np.testing.assert_array_equal(back.data, ps.local_median(original.data, 5))
    assert back.wcs.pixel_to_world(10, 20).separation(original.wcs.pixel_to_world(10, 20)).deg < 1e-12


def test_cli_peaks_on_fits_gives_ra_dec_that_agree_with_astropy(field, tmp_path):
    path, stars = field
    table = tmp_path / "peaks.csv"
    result = CliRunner().invoke(app, ["peaks", str(path), "--nsigma", "5", "--subpixel", "--out", str(table), "-q"])
    assert result.exit_code == 0, result.output
    rows = np.genfromtxt(table, delimiter=",", names=True)
    assert len(rows) >= 8
    sky = read_fits(path).wcs.pixel_to_world(rows["col"], rows["row"])
    np.testing.assert_allclose(rows["ra"], sky.ra.deg, atol=1e-9)
    np.testing.assert_allclose(rows["dec"], sky.dec.deg, atol=1e-9)


def test_cli_fits_cube_plane_by_band(tmp_path):
    cube = np.random.default_rng(3).random((4, 20, 30)).astype(">f8")
    path = tmp_path / "cube.fits"
    fits.PrimaryHDU(cube).writeto(path)
    out = tmp_path / "plane.fits"
    result = CliRunner().invoke(app, ["local", str(path), str(out), "--band", "3", "-q"])
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(read_fits(out).data, ps.local_mean(cube[2].astype(float), 3))
    refused = CliRunner().invoke(app, ["local", str(path), str(tmp_path / "x.fits"), "-q"])
    assert refused.exit_code == 2 and "--band" in refused.output


def test_cli_hdu_option_by_name_version_and_index(tmp_path):
    path = tmp_path / "mef.fits"
    science = fits.ImageHDU(np.ones((12, 15), np.float32), name="SCI")
    weight = fits.ImageHDU(np.full((12, 15), 2.0, np.float32), name="WHT")
    fits.HDUList([fits.PrimaryHDU(), science, weight]).writeto(path)
    for hdu, value in (("WHT", 2.0), ("SCI,1", 1.0), ("2", 2.0), (None, 1.0)):
        out = tmp_path / f"o{hdu}.fits".replace(",", "_")
        args = ["local", str(path), str(out), "-q"] + (["--hdu", hdu] if hdu else [])
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert read_fits(out).data[5, 5] == value
    result = CliRunner().invoke(app, ["peaks", str(path), "--hdu", "ERR", "-q"])
    assert result.exit_code == 2 and "`hdu`" in result.output


def _astropy_data(name):
    import os

    import astropy.io.fits.tests as fits_tests

    return os.path.join(os.path.dirname(fits_tests.__file__), "data", name)


@pytest.mark.parametrize(
    ("name", "hdu"),
    [("test0.fits", None), ("test0.fits", ("SCI", 3)), ("scale.fits", None), ("compressed_image.fits", None)],
)
def test_astropy_s_own_files_read_in_native_order_with_their_scaling(name, hdu):
    """Real files that ship with astropy: multi-extension, BSCALE/BZERO, tile-compressed."""
    path = _astropy_data(name)
    image = read_fits(path, hdu=hdu)
    with fits.open(path) as hdus:
        index = image.hdu
        want = hdus[index].data
        if hdu is not None:
            assert hdus[index].name == hdu[0] and hdus[index].ver == hdu[1]
    assert image.data.dtype.isnative
    np.testing.assert_array_equal(image.data, want)
    if image.data.ndim == 2 and min(image.data.shape) >= 3:
        np.testing.assert_array_equal(ps.local_mean(image.data, 3), ps.local_mean(np.asarray(want), 3))


def test_tables_are_skipped_by_default_and_refused_by_name(tmp_path):
    """Issue 27: a catalog HDU gave AttributeError: 'BinTableHDU' object has no attribute 'shape'."""
    from astropy.io import fits
    from astropy.table import Table

    from expect import raises_naming

    image = np.arange(20.0).reshape(4, 5)
    table = fits.table_to_hdu(Table({"x": [1.0, 2.0], "y": [3.0, 4.0]}))
    table.name = "CAT"
    fits.HDUList([fits.PrimaryHDU(), table, fits.ImageHDU(image, name="SCI")]).writeto(tmp_path / "mix.fits")
    np.testing.assert_array_equal(read_fits(tmp_path / "mix.fits").data, image)  # the table is passed over
    for choice in (1, "CAT"):
        with raises_naming(PixelsmithValueError, "hdu") as caught:
            read_fits(tmp_path / "mix.fits", hdu=choice)
        assert "is a table (BinTableHDU)" in str(caught.value) and "2: SCI (4x5)" in str(caught.value)


def test_float16_is_written_as_float32_exactly(tmp_path):
    """Issue 27: write_fits of float16 raised astropy's KeyError: 'float16'."""
    values = np.linspace(-3, 3, 12, dtype=np.float16).reshape(3, 4)
    write_fits(tmp_path / "half.fits", values)
    back = read_fits(tmp_path / "half.fits").data
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, values.astype(np.float32))


def _hst_like_flt(path, shape=(60, 70)):
    """A multi-extension frame as HST delivers them: observation keywords in an empty primary, SCI/ERR/DQ."""
    primary = fits.PrimaryHDU()
    primary.header.update(
        {"TELESCOP": "HST", "INSTRUME": "ACS", "EXPTIME": 507.0, "FILTER1": "F606W", "DATE-OBS": "2004-03-06"}
    )
    science = ps.datasets.star_field(shape, 10, seed=8).image.astype(">f4")
    hdus = [
        primary,
        fits.ImageHDU(science, header=_tan_header(shape), name="SCI"),
        fits.ImageHDU(np.ones(shape, ">f4"), name="ERR"),
        fits.ImageHDU(np.zeros(shape, ">i2"), name="DQ"),
    ]
    fits.HDUList(hdus).writeto(path)
    return path


def test_cli_keeps_the_primary_header_the_extension_and_says_what_it_did(tmp_path):
    """Issue 28: `pixelsmith local flt.fits m.fits` dropped TELESCOP, INSTRUME, EXPTIME, FILTER, DATE-OBS."""
    source = _hst_like_flt(tmp_path / "j8bt06nyq_flt.fits")
    out = tmp_path / "m.fits"
    result = CliRunner().invoke(app, ["local", str(source), str(out), "--stat", "median", "-q"])
    assert result.exit_code == 0, result.output
    with fits.open(out) as written, fits.open(source) as original:
        assert len(written) == 2 and written[0].data is None and written[1].name == "SCI"
        for key in ("TELESCOP", "INSTRUME", "EXPTIME", "FILTER1", "DATE-OBS"):
            assert written[0].header[key] == original[0].header[key]
        history = " ".join(written[1].header["HISTORY"])
        assert "pixelsmith" in history and "median" in history
        np.testing.assert_array_equal(written[1].data, ps.local_median(original[1].data.astype(np.float32), 3))
        here, there = WCS(written[1].header), WCS(original[1].header)
        assert here.pixel_to_world(12, 30).separation(there.pixel_to_world(12, 30)).deg < 1e-12
    again = read_fits(out)  # and pixelsmith reads its own output back to the same science HDU
    assert again.hdu == 1 and again.primary_header["TELESCOP"] == "HST"


def test_write_fits_history_and_an_extension_written_back_as_one():
    import tempfile

    folder = tempfile.mkdtemp()
    image = read_fits(_hst_like_flt(f"{folder}/in.fits"), hdu="ERR")
    out = write_fits(f"{folder}/out.fits", image.data * 2, like=image, history=["step one", "step two"])
    with fits.open(out) as written:
        assert written[0].header["INSTRUME"] == "ACS" and written[1].name == "ERR"
        assert list(written[1].header["HISTORY"]) == ["step one", "step two"]
    plain = write_fits(f"{folder}/plain.fits", image.data, header=image.header)  # a header alone: one HDU
    with fits.open(plain) as written:
        assert len(written) == 1 and "INSTRUME" not in written[0].header
