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
