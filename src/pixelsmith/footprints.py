"""Window shapes for the `footprint=` of the `local_*` functions: disks, annuli and boxes, in pixels or
in map units.

Raster users think in metres: a 150 m disk on a 30 m grid is a disk of radius 5
pixels, and on a grid of 30 m by 10 m an ellipse 11 pixels tall and 31 wide.
Pass the pixel size as ``spacing=(row spacing, column spacing)``, in array index
order like every coordinate in pixelsmith, and the radius in the same units. A
pixel belongs to the footprint when its centre lies within the radius of the
centre pixel's centre.

Each builder returns a boolean array with an odd length along both axes (the
window is centred), checked against the memory budget before it is allocated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import PixelsmithValueError, check_allocation, check_finite_scalar

__all__ = ["annulus", "box", "disk"]


def disk(radius: float, spacing: Any = (1.0, 1.0)) -> np.ndarray:
    """A disk: the pixels whose centres lie at most `radius` from the centre pixel's.

    Parameters
    ----------
    radius : float
        In the units of `spacing` (pixels by default); 0 gives the centre pixel alone.
    spacing : float or (float, float), default (1.0, 1.0)
        Pixel size along rows and columns (array index order), e.g. ``(30.0, 30.0)``
        metres; the disk is an ellipse in pixels where the two differ.

    Returns
    -------
    numpy.ndarray of bool, shape (2 * rr + 1, 2 * rc + 1)
        ``rr = floor(radius / spacing[0])``, ``rc = floor(radius / spacing[1])``.

    Examples
    --------
    >>> from pixelsmith.footprints import disk
    >>> disk(1).astype(int)
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 1, 0]])
    >>> disk(150.0, spacing=(30.0, 30.0)).shape   # 150 m on a 30 m grid: radius 5 pixels
    (11, 11)
    """
    return _ring(0.0, radius, spacing, "radius")


def annulus(inner: float, outer: float, spacing: Any = (1.0, 1.0)) -> np.ndarray:
    """A ring: the pixels whose centres lie between `inner` and `outer` (both included) from the centre's.

    Parameters
    ----------
    inner, outer : float
        Radii in the units of `spacing`, ``0 <= inner <= outer``.
    spacing : float or (float, float), default (1.0, 1.0)
        Pixel size along rows and columns (array index order).

    Returns
    -------
    numpy.ndarray of bool
        Centred, odd-sized, as `disk` of `outer`.

    Examples
    --------
    >>> from pixelsmith.footprints import annulus
    >>> annulus(1, 1).astype(int)
    array([[0, 1, 0],
           [1, 0, 1],
           [0, 1, 0]])
    """
    return _ring(inner, outer, spacing, "outer")


def _ring(inner: float, outer: float, spacing: Any, _name: str) -> np.ndarray:
    """The pixels between `inner` and `outer` from the centre; `_name` is what the caller calls `outer`."""
    dy, dx = _spacing(spacing)
    inner = check_finite_scalar(inner, "inner")
    outer = check_finite_scalar(outer, _name)
    if _name == "radius" and outer < 0:
        raise PixelsmithValueError(f"`radius` must be >= 0, got {outer!r}")
    if inner < 0 or outer < inner:
        raise PixelsmithValueError(f"`inner` and `outer` need 0 <= inner <= outer, got {inner!r} and {outer!r}")
    rows, cols = 2.0 * np.floor(outer / dy) + 1, 2.0 * np.floor(outer / dx) + 1  # floats: no overflow yet
    check_allocation(
        rows * cols,
        _name,
        outer,
        "the footprint's mask (one byte a pixel)",
        "use a smaller radius or a coarser spacing",
    )
    half = (int(rows) // 2, int(cols) // 2)
    yy = np.arange(-half[0], half[0] + 1)[:, None] * dy
    xx = np.arange(-half[1], half[1] + 1)[None, :] * dx
    d2 = yy**2 + xx**2
    # a relative tolerance, so that a radius an exact multiple of the spacing keeps the pixels on the circle
    eps = 1e-9 * max(outer, dy, dx) ** 2
    return (d2 <= outer**2 + eps) & (d2 >= inner**2 - eps)


def box(size: Any, spacing: Any = (1.0, 1.0)) -> np.ndarray:
    """A full rectangle `size` wide (in the units of `spacing`), centred: every pixel True.

    A box footprint computes the same numbers as ``size=`` in pixels (the fast
    separable path takes ``size=`` directly); this builder is for sizes in map
    units.

    Parameters
    ----------
    size : float or (float, float)
        Extent along rows and columns, in the units of `spacing`; the pixel
        count is the odd number ``2 * floor(size / 2 / spacing) + 1``.
    spacing : float or (float, float), default (1.0, 1.0)
        Pixel size along rows and columns (array index order).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> from pixelsmith.footprints import box
    >>> box(90.0, spacing=(30.0, 10.0)).shape   # 90 m: 3 rows of 30 m, 9 columns of 10 m
    (3, 9)
    """
    dy, dx = _spacing(spacing)
    sizes = _pair(size, "size")
    for value in sizes:
        if value < 0:
            raise PixelsmithValueError(f"`size` must be >= 0, got {size!r}")
    counts = [2 * int(np.floor(s / 2.0 / d + 1e-9)) + 1 for s, d in zip(sizes, (dy, dx), strict=True)]
    check_allocation(
        float(counts[0]) * counts[1], "size", size, "the footprint's mask", "use a smaller size or a coarser spacing"
    )
    return np.ones(counts, dtype=bool)


def _pair(value: Any, name: str) -> tuple[float, float]:
    values = np.atleast_1d(np.asarray(value, dtype=object)).tolist()
    if len(values) == 1:
        values = values * 2
    if len(values) != 2:
        raise PixelsmithValueError(f"`{name}` must be one number or (rows, cols), got {value!r}")
    first, second = (check_finite_scalar(v, name) for v in values)
    return first, second


def _spacing(spacing: Any) -> tuple[float, float]:
    dy, dx = _pair(spacing, "spacing")
    if dy <= 0 or dx <= 0:
        raise PixelsmithValueError(f"`spacing` must be positive (row, col) pixel sizes, got {spacing!r}")
    return dy, dx
