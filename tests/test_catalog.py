"""Catalogues as astronomers hold them (issue 28): ECSV, FITS tables, VOTable, SExtractor, photutils, sexagesimal."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS
from typer.testing import CliRunner

import pixelsmith as ps
from expect import raises_naming
from pixelsmith.cli import app
from pixelsmith.io import read_fits
from pixelsmith.io.catalog import read_catalog


def _tan_wcs(shape):
    from test_fits import _tan_header

    return WCS(_tan_header(shape))


@pytest.fixture
def field(tmp_path):
    stars = ps.datasets.star_field((80, 96), 10, seed=5)
    path = tmp_path / "flt.fits"
    fits.PrimaryHDU(stars.image.astype(np.float32), header=_tan_wcs(stars.image.shape).to_header()).writeto(path)
    return path, stars


def _apertures(image, catalog, *extra):
    result = CliRunner().invoke(app, ["apertures", str(image), "--at", str(catalog), "--radius", "3", "--json", *extra])
    assert result.exit_code == 0, result.output
    import json

    return json.loads(result.stdout)


def _sums(image_path, positions):
    return ps.aperture_sums(read_fits(image_path).data, positions, 3).sums


def test_an_ecsv_written_by_pixelsmith_s_own_to_table_is_read_back(field, tmp_path):
    """The reported case: `--at cat.ecsv` from to_table() failed on its header 'row col height ra dec'."""
    path, _ = field
    peaks = ps.find_peaks(read_fits(path).data, nsigma=5, wcs=read_fits(path))
    assert len(peaks) >= 5
    for name, table in (("cat.ecsv", peaks.to_table()), ("plain.ecsv", Table(peaks.columns()))):
        table.write(tmp_path / name)
        rows = _apertures(path, tmp_path / name)
        np.testing.assert_allclose([r["sum"] for r in rows], _sums(path, peaks.coords), rtol=1e-6)
    sky_only = peaks.to_table()
    sky_only.remove_columns(["row", "col"])  # only the SkyCoord column left: placed through the image's WCS
    sky_only.write(tmp_path / "sky.ecsv")
    catalog = read_catalog(tmp_path / "sky.ecsv", wcs=read_fits(path))
    np.testing.assert_allclose(catalog.positions, peaks.coords, atol=1e-6)


def test_sextractor_catalogues_are_one_based_and_keep_their_numbers(field, tmp_path):
    path, stars = field
    truth = stars.positions[:6]
    numbers = np.array([11, 12, 15, 17, 21, 30])
    columns = [
        fits.Column(name="NUMBER", format="J", array=numbers),
        fits.Column(name="X_IMAGE", format="D", array=truth[:, 1] + 1),
        fits.Column(name="Y_IMAGE", format="D", array=truth[:, 0] + 1),
    ]
    fits.BinTableHDU.from_columns(columns).writeto(tmp_path / "se.fits")
    text = ["#   1 NUMBER          Running object number", "#   2 X_IMAGE         Object position along x  [pixel]"]
    text += ["#   3 Y_IMAGE         Object position along y  [pixel]"]
    text += [f"{n:10d} {x + 1:10.3f} {y + 1:10.3f}" for n, (y, x) in zip(numbers, truth, strict=True)]
    (tmp_path / "se.cat").write_text("\n".join(text) + "\n")
    for name in ("se.fits", "se.cat"):
        catalog = read_catalog(tmp_path / name)
        np.testing.assert_allclose(catalog.positions, truth, atol=1e-3)
        assert catalog.ids.tolist() == numbers.tolist() and "1-based" in catalog.source
        rows = _apertures(path, tmp_path / name)
        assert [r["id"] for r in rows] == numbers.tolist()  # carried through to the output
        np.testing.assert_allclose([r["sum"] for r in rows], _sums(path, catalog.positions), rtol=1e-6)


def test_photutils_own_tables_as_votable_and_fits(field, tmp_path):
    from photutils.detection import DAOStarFinder

    path, stars = field
    image = read_fits(path).data
    found = DAOStarFinder(fwhm=3.0, threshold=5 * ps.robust_noise(image))(image - np.median(image))
    assert len(found) >= 5
    found.write(tmp_path / "dao.ecsv")
    found.meta.clear()  # photutils' version dict is not a FITS card or a VOTable value
    found.write(tmp_path / "dao.xml", format="votable")
    found.write(tmp_path / "dao.fits")
    for name in ("dao.ecsv", "dao.xml", "dao.fits"):
        catalog = read_catalog(tmp_path / name)
        y_name, x_name = ("y_centroid", "x_centroid") if "y_centroid" in found.colnames else ("ycentroid", "xcentroid")
        expected = np.column_stack([found[y_name], found[x_name]])
        np.testing.assert_allclose(catalog.positions, expected)
        assert catalog.ids.tolist() == list(found["id"])


def test_sexagesimal_and_degree_sky_columns_through_the_fits_wcs(field, tmp_path):
    path, stars = field
    wcs = read_fits(path)
    ra, dec = wcs.sky_coordinates(stars.positions[:4])
    sky = SkyCoord(ra, dec, unit="deg")
    hms = sky.ra.to_string(unit="hourangle", sep=":", precision=4)
    dms = sky.dec.to_string(unit="deg", sep=":", precision=3, alwayssign=True)
    lines = ["name,ra,dec"] + [f"s{i},{a},{d}" for i, (a, d) in enumerate(zip(hms, dms, strict=True))]
    (tmp_path / "hms.csv").write_text("\n".join(lines) + "\n")
    catalog = read_catalog(tmp_path / "hms.csv", wcs=wcs)
    np.testing.assert_allclose(catalog.positions, stars.positions[:4], atol=2e-3)  # 1e-4 s of RA ~ 0.0075 px
    assert catalog.ids.tolist() == ["s0", "s1", "s2", "s3"]
    rows = _apertures(path, tmp_path / "hms.csv")
    assert [r["id"] for r in rows] == ["s0", "s1", "s2", "s3"] and {"ra", "dec"} <= set(rows[0])


def test_a_catalogue_without_positions_or_a_wcs_is_refused_naming_what_it_has(field, tmp_path):
    path, _ = field
    (tmp_path / "flux.csv").write_text("id,flux\n1,2.5\n")
    with pytest.raises(ps.PixelsmithValueError, match=r"flux\.csv.*\['id', 'flux'\].*row,col.*X_IMAGE"):
        read_catalog(tmp_path / "flux.csv")
    (tmp_path / "sky.csv").write_text("ra,dec\n150.1,2.2\n")
    with pytest.raises(ps.PixelsmithValueError, match=r"sky\.csv.*sky positions only: pass `wcs`"):
        read_catalog(tmp_path / "sky.csv")
    (tmp_path / "gap.csv").write_text("row,col\n1,2\n,3\n")
    with pytest.raises(ps.PixelsmithValueError, match=r"gap\.csv.*column .row.*data row 2"):
        read_catalog(tmp_path / "gap.csv")
    png = tmp_path / "plain.png"
    ps.io.write_image(png, np.zeros((10, 10), np.uint8))
    result = CliRunner().invoke(app, ["apertures", str(png), "--at", str(tmp_path / "sky.csv"), "--radius", "2"])
    assert result.exit_code == 2 and "celestial WCS" in result.output


def test_find_peaks_with_a_wcs_gives_sky_positions_and_a_skycoord_column(field):
    path, _ = field
    image = read_fits(path)
    peaks = ps.find_peaks(image.data, nsigma=5, wcs=image.wcs)
    ra, dec = image.sky_coordinates(peaks.coords)
    np.testing.assert_array_equal(peaks.ra, ra)
    np.testing.assert_array_equal(ps.find_peaks(image.data, nsigma=5).with_sky(image).dec, dec)
    table = peaks.to_table()
    assert isinstance(table["skycoord"], SkyCoord) and "ra" not in table.colnames
    np.testing.assert_allclose(table["skycoord"].ra.deg, ra)
    assert {"ra", "dec"} <= set(peaks.to_pandas().columns)
    with raises_naming(ps.PixelsmithValueError, "wcs"):
        ps.find_peaks(np.zeros((3, 4, 5)), wcs=image.wcs)
    with raises_naming(ps.PixelsmithTypeError, "wcs"):
        ps.find_peaks(image.data, wcs="EPSG:4326")


def test_without_astropy_plain_csv_is_read_by_pandas_or_by_hand(tmp_path, monkeypatch):
    """The fallbacks of read_catalog when the [astro] extra (and pandas) are not installed."""
    import sys

    (tmp_path / "pix.csv").write_text("id,x,y\n7,10.5,3.0\n8,1.0,2.0\n")
    (tmp_path / "t.ecsv").write_text("# %ECSV 1.0\nrow col\n1 2\n")
    monkeypatch.setitem(sys.modules, "astropy.table", None)  # an import of it now fails
    by_pandas = read_catalog(tmp_path / "pix.csv")
    np.testing.assert_array_equal(by_pandas.positions, [[3.0, 10.5], [2.0, 1.0]])
    assert by_pandas.ids.tolist() == [7, 8]
    with pytest.raises(ps.PixelsmithValueError, match=r"\.ecsv tables needs astropy.*pixelsmith\[astro\]"):
        read_catalog(tmp_path / "t.ecsv")
    monkeypatch.setitem(sys.modules, "pandas", None)
    by_hand = read_catalog(tmp_path / "pix.csv")
    np.testing.assert_array_equal(by_hand.positions, by_pandas.positions)
    assert by_hand.ids.tolist() == [7.0, 8.0]
