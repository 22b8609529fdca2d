"""Any file in, the result written like it (issue 29): io.read_any / read_plane / write_like / check_writable
for GeoTIFF (one band and many), FITS, PNG, TIFF stacks and .npy, and their refusals naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

import pixelsmith as ps
from expect import raises_naming
from pixelsmith import PixelsmithValueError
from pixelsmith.io import check_writable, read_any, read_fits, read_plane, read_raster, write_image, write_like


def test_a_georeferenced_band_is_written_back_with_its_georeferencing(tmp_path, geotiff_writer, rng):
    from rasterio.transform import from_origin

    data = rng.normal(100, 5, (40, 50)).astype(np.float32)
    data[3, 4] = -9999
    path = geotiff_writer(tmp_path / "dem.tif", data, transform=from_origin(300000, 4.2e6, 30, 30), nodata=-9999)
    planes = read_any(path)
    assert planes.single and planes.kind == "band" and planes.sources[0].raster is not None
    result = ps.local_mean(planes.sources[0].array(), 3, nan_policy="omit")
    write_like(tmp_path / "out.tif", result, planes)
    written, source = read_raster(tmp_path / "out.tif"), read_raster(path)
    assert written.transform == source.transform and written.crs == source.crs and written.nodata == -9999
    np.testing.assert_array_equal(written.data, result)


def test_every_band_in_and_one_multi_band_output_with_the_band_names(tmp_path, geotiff_writer, rng):
    data = rng.normal(0, 1, (3, 20, 30)).astype(np.float32)
    path = geotiff_writer(tmp_path / "bands.tif", data, band_names=["red", "green", "nir"])
    with raises_naming(PixelsmithValueError, "band"):  # three bands: never the first one silently
        read_any(path)
    planes = read_any(path, band="all")
    assert planes.numbers == [1, 2, 3] and not planes.single
    results = [ps.local_max(p.array(), 3) for p in planes.sources]
    check_writable(tmp_path / "max.tif", results[0].dtype, len(results))
    write_like(tmp_path / "max.tif", results, planes)
    written = read_raster(tmp_path / "max.tif")
    assert written.band_names == ("red", "green", "nir")
    np.testing.assert_array_equal(written.data, np.stack(results))
    np.testing.assert_array_equal(read_plane(path, band=2).array(), data[1])


def test_fits_keeps_its_header(tmp_path):
    from astropy.io import fits

    data = np.arange(120, dtype=np.float32).reshape(10, 12)
    header = fits.Header({"BUNIT": "electron", "EXPTIME": 300.0})
    fits.PrimaryHDU(data, header=header).writeto(tmp_path / "frame.fits")
    planes = read_any(tmp_path / "frame.fits")
    write_like(tmp_path / "smooth.fits", ps.local_median(planes.sources[0].array(), 3), planes)
    written = read_fits(tmp_path / "smooth.fits")
    assert written.header["BUNIT"] == "electron" and written.header["EXPTIME"] == 300.0


def test_images_stacks_and_arrays(tmp_path, rng):
    picture = rng.integers(0, 255, (16, 20)).astype(np.uint8)
    write_image(tmp_path / "p.png", picture)
    plane = read_plane(tmp_path / "p.png")
    np.testing.assert_array_equal(plane.array(), picture)
    with raises_naming(PixelsmithValueError, "band"):  # one band only
        read_plane(tmp_path / "p.png", band=2)
    with pytest.raises(PixelsmithValueError, match="holds 8- or 16-bit integers"):
        check_writable(tmp_path / "mean.png", np.float64)
    stack = rng.random((4, 12, 14)).astype(np.float32)
    np.save(tmp_path / "stack.npy", stack)
    with raises_naming(PixelsmithValueError, "frames"):  # four frames: choose
        read_any(tmp_path / "stack.npy")
    frames = read_any(tmp_path / "stack.npy", frames=True)
    assert frames.kind == "frame" and frames.numbers == [1, 2, 3, 4]
    write_like(tmp_path / "out.npy", [ps.local_std(f.array(), 3) for f in frames.sources], frames)
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), np.stack([ps.local_std(s, 3) for s in stack]))


def test_refusals_name_the_argument(tmp_path, rng):
    np.save(tmp_path / "a.npy", rng.random((5, 6)))
    with raises_naming(PixelsmithValueError, "hdu"):
        read_any(tmp_path / "a.npy", hdu=1)
    with raises_naming(PixelsmithValueError, "band"):
        read_any(tmp_path / "a.npy", band=0)
    with raises_naming(PixelsmithValueError, "band"):
        read_any(tmp_path / "a.npy", band="some")
