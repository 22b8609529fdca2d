"""Public window shapes (issue 29, and issue 28's map units): pixels and map units, checked like every input."""

from __future__ import annotations

import numpy as np
import pytest

import pixelsmith as ps
from expect import raises_naming
from pixelsmith import PixelsmithTypeError, PixelsmithValueError
from pixelsmith.footprints import annulus, box, disk


def _brute_disk(radius, dy=1.0, dx=1.0, inner=0.0):
    ry, rx = int(radius // dy), int(radius // dx)
    out = np.zeros((2 * ry + 1, 2 * rx + 1), bool)
    for i in range(-ry, ry + 1):
        for j in range(-rx, rx + 1):
            d = np.hypot(i * dy, j * dx)
            out[i + ry, j + rx] = inner - 1e-9 <= d <= radius + 1e-9
    return out


@pytest.mark.parametrize("radius", [0, 0.5, 1, 2.5, 3, 7.2])
def test_disk_in_pixels_is_the_centres_within_the_radius(radius):
    np.testing.assert_array_equal(disk(radius), _brute_disk(radius))


@pytest.mark.parametrize(("radius", "spacing"), [(150.0, (30.0, 30.0)), (60.0, (30.0, 10.0)), (25.0, 10.0)])
def test_disk_in_map_units_is_an_ellipse_of_pixels(radius, spacing):
    dy, dx = (spacing, spacing) if np.isscalar(spacing) else spacing
    np.testing.assert_array_equal(disk(radius, spacing=spacing), _brute_disk(radius, dy, dx))


def test_annulus_keeps_the_ring_and_equals_disk_minus_inner_disk():
    ring = annulus(2, 4)
    np.testing.assert_array_equal(ring, _brute_disk(4, inner=2))
    assert not ring[4, 4] and ring[4, 0] and ring[4, 2]


def test_box_counts_odd_pixels_of_the_size():
    assert box(3).shape == (3, 3) and box(3).all()
    assert box(90.0, spacing=(30.0, 10.0)).shape == (3, 9)
    assert box((4, 6)).shape == (5, 7)  # an even size rounds up to the centred odd window


def test_a_disk_footprint_computes_the_windowed_statistic(rng):
    image = rng.random((40, 50))
    np.testing.assert_array_equal(ps.local_max(image, footprint=disk(3)), ps.local_max(image, footprint=_brute_disk(3)))


@pytest.mark.parametrize(
    ("call", "cls", "name"),
    [
        (lambda: disk(-1), PixelsmithValueError, "radius"),
        (lambda: disk(np.nan), PixelsmithValueError, "radius"),
        (lambda: disk(np.inf), PixelsmithValueError, "radius"),
        (lambda: disk("3"), PixelsmithTypeError, "radius"),
        (lambda: disk(1e9), PixelsmithValueError, "radius"),  # refused before a 4e18-byte mask
        (lambda: disk(3, spacing=0), PixelsmithValueError, "spacing"),
        (lambda: disk(3, spacing=(1, 2, 3)), PixelsmithValueError, "spacing"),
        (lambda: disk(3, spacing=(1, -2)), PixelsmithValueError, "spacing"),
        (lambda: annulus(3, 2), PixelsmithValueError, "inner"),
        (lambda: box(-2), PixelsmithValueError, "size"),
        (lambda: box(1e12), PixelsmithValueError, "size"),
    ],
)
def test_bad_parameters_are_refused_naming_them(call, cls, name):
    with raises_naming(cls, name):
        call()


def _cli_local(source, output, footprint):
    from typer.testing import CliRunner

    from pixelsmith.cli import app

    return CliRunner().invoke(app, ["local", str(source), str(output), "--footprint", footprint, "-q"])


@pytest.mark.parametrize(
    ("crs", "pixel", "footprint", "expected"),
    [
        ("EPSG:32633", (30.0, 30.0), "disk:150m", disk(5)),
        ("EPSG:32633", (30.0, 10.0), "annulus:0.05km,0.1km", annulus(50, 100, spacing=(30.0, 10.0))),
        ("EPSG:32633", (30.0, 30.0), "box:90m", None),  # 3 x 3: the separable path, as --size 3
        ("EPSG:2263", (10.0, 10.0), "disk:35ft", disk(35 * 0.3048 / (10.0 * 1200 / 3937))),  # US survey feet
    ],
)
def test_cli_footprints_in_map_units_on_a_projected_raster(tmp_path, geotiff_writer, crs, pixel, footprint, expected):
    """Issue 28: raster users think in metres: --footprint disk:150m on a 30 m grid is a 5-pixel disk."""
    from rasterio.transform import from_origin

    from pixelsmith.io import read_raster

    values = np.random.default_rng(3).random((40, 50)).astype(np.float32)
    transform = from_origin(500000, 4e6, pixel[1], pixel[0])
    source = geotiff_writer(tmp_path / "dem.tif", values, transform=transform, crs=crs)
    result = _cli_local(source, tmp_path / "out.tif", footprint)
    assert result.exit_code == 0, result.output
    got = read_raster(tmp_path / "out.tif").data
    want = ps.local_mean(values, 3) if expected is None else ps.local_mean(values, footprint=expected)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_cli_map_units_are_refused_with_the_reason_for_degrees_and_plain_images(tmp_path, geotiff_writer):
    from rasterio.transform import from_origin

    values = np.random.default_rng(4).random((20, 30)).astype(np.float32)
    geographic = geotiff_writer(tmp_path / "ll.tif", values, transform=from_origin(10, 50, 0.01, 0.01), crs="EPSG:4326")
    result = _cli_local(geographic, tmp_path / "o.tif", "disk:150m")
    assert result.exit_code == 2 and "geographic" in result.output and "reproject" in result.output
    plain = tmp_path / "plain.npy"
    np.save(plain, values)
    result = _cli_local(plain, tmp_path / "o.npy", "disk:150m")
    assert result.exit_code == 2 and "not georeferenced" in result.output
    projected = geotiff_writer(tmp_path / "p.tif", values)
    result = _cli_local(projected, tmp_path / "o2.tif", "annulus:2,150m")
    assert result.exit_code == 2 and "mixes pixels and map units" in result.output
    assert not (tmp_path / "o.tif").exists() and not (tmp_path / "o2.tif").exists()
