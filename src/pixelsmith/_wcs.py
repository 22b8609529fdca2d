"""Pixel <-> sky through an astropy WCS, in pixelsmith's (row, col) order: one home for the axis swap.

pixelsmith's (row, col), integers at pixel centres, is astropy's 0-based
(x, y) = (col, row): ``pixel_to_world_values(col, row)``. Anything with a
``wcs`` attribute (a `FitsImage`) is accepted where a WCS is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import PixelsmithTypeError, PixelsmithValueError


def celestial_wcs(wcs: Any, name: str = "wcs") -> Any:
    """The celestial part of `wcs` (an astropy WCS, or an object with a ``wcs`` attribute), checked."""
    if hasattr(wcs, "wcs") and not hasattr(wcs, "pixel_to_world_values"):
        wcs = wcs.wcs  # a FitsImage: its celestial WCS or None
    if wcs is None:
        raise PixelsmithValueError(f"`{name}`: this image has no celestial WCS (CTYPE1/2 such as RA---TAN)")
    if not hasattr(wcs, "celestial"):
        raise PixelsmithTypeError(
            f"`{name}` must be an astropy.wcs.WCS (or a FitsImage), got {type(wcs).__name__}; "
            "build one with astropy.wcs.WCS(header)"
        )
    if not wcs.has_celestial:
        raise PixelsmithValueError(f"`{name}` has no celestial axes (CTYPE1/2 such as RA---TAN)")
    return wcs.celestial


def pixels_to_sky(wcs: Any, rows: Any, cols: Any) -> tuple[np.ndarray, np.ndarray]:
    """(ra, dec) in degrees of pixel positions."""
    ra, dec = celestial_wcs(wcs).pixel_to_world_values(np.asarray(cols, np.float64), np.asarray(rows, np.float64))
    return np.asarray(ra, dtype=np.float64), np.asarray(dec, dtype=np.float64)


def sky_to_pixels(wcs: Any, ra: Any, dec: Any) -> np.ndarray:
    """(row, col) positions, shape (N, 2), of sky positions in degrees."""
    ra = np.asarray(ra, dtype=np.float64).reshape(-1)
    dec = np.asarray(dec, dtype=np.float64).reshape(-1)
    if ra.shape != dec.shape or not (np.isfinite(ra).all() and np.isfinite(dec).all()):
        raise PixelsmithValueError("`ra` and `dec` must be finite degrees of equal length")
    x, y = celestial_wcs(wcs).world_to_pixel_values(ra, dec)
    return np.column_stack([np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64)])
