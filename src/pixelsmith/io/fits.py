"""FITS images with their header and WCS (astropy), read in native byte order, written atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, require, unmasked
from ._atomic import atomic_path

__all__ = ["FitsImage", "read_fits", "write_fits", "is_fits_path"]

FITS_SUFFIXES = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz")


def is_fits_path(path: str | os.PathLike) -> bool:
    """True for the usual FITS names, compressed ones (``.fits.gz``) included."""
    return str(path).lower().endswith(FITS_SUFFIXES)


@dataclass(frozen=True)
class FitsImage:
    """The pixels of one FITS HDU and its header.

    Attributes
    ----------
    data : numpy.ndarray
        In native byte order (FITS stores big-endian), BSCALE/BZERO applied.
    header : astropy.io.fits.Header
    hdu : int
        The index of the HDU that was read.
    primary_header : astropy.io.fits.Header or None
        The primary header (telescope, instrument, exposure, filter, date) when
        the image came from an extension; `write_fits` writes it back in front.
    """

    data: np.ndarray
    header: Any
    hdu: int
    primary_header: Any = None

    @property
    def wcs(self) -> Any:
        """The celestial WCS (astropy.wcs.WCS) of the image, or None when the header has none."""
        wcs_module = require("astropy.wcs", "astro", "reading a FITS WCS")
        wcs = wcs_module.WCS(self.header, naxis=2) if "CTYPE1" in self.header else None
        return wcs if wcs is not None and wcs.has_celestial else None

    def sky_coordinates(self, coords: Any) -> tuple[np.ndarray, np.ndarray]:
        """(ra, dec) in degrees of (row, col) pixel positions, through the celestial WCS.

        pixelsmith's (row, col) with integers at pixel centres is astropy's
        0-based (x, y) = (col, row), so ``pixel_to_world_values(col, row)``.
        """
        from .._validate import as_points
        from .._wcs import pixels_to_sky

        points = as_points(coords, "coords", accept_one=True)
        return pixels_to_sky(self, points[:, 0], points[:, 1])

    def pixel_coordinates(self, ra: Any, dec: Any) -> np.ndarray:
        """(row, col) pixel positions, shape (N, 2), of sky positions (degrees): the inverse of `sky_coordinates`.

        Examples
        --------
        >>> import numpy as np
        >>> from astropy.io import fits
        >>> header = fits.Header({"CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN", "CRVAL1": 150.0,
        ...                       "CRVAL2": 2.0, "CRPIX1": 11.0, "CRPIX2": 6.0,
        ...                       "CDELT1": -1e-4, "CDELT2": 1e-4})
        >>> image = FitsImage(np.zeros((12, 20), np.float32), header, 0)
        >>> image.pixel_coordinates([150.0], [2.0]).round(6).tolist()
        [[5.0, 10.0]]
        """
        from .._wcs import sky_to_pixels

        return sky_to_pixels(self, ra, dec)


def _choose_hdu(hdus: Any, hdu: Any, path: Path) -> int:
    def describe(i: int, h: Any) -> str:
        if not getattr(h, "is_image", False):  # a table: rows, not a shape
            return f"{i}: {h.name or 'PRIMARY'} (a {type(h).__name__}, {len(h.data) if h.data is not None else 0} rows)"
        shape = "x".join(map(str, h.shape)) if getattr(h, "data", None) is not None else "no data"
        return f"{i}: {h.name or 'PRIMARY'} ({shape})"

    def image(index: int) -> int:
        if not getattr(hdus[index], "is_image", False):
            raise PixelsmithValueError(
                f"`hdu` {hdu!r} of {str(path)!r} is a table ({type(hdus[index]).__name__}), not an image; "
                f"choose an image HDU: {listing}"
            )
        return index

    listing = ", ".join(describe(i, h) for i, h in enumerate(hdus))
    if hdu is None:
        for index, item in enumerate(hdus):
            if getattr(item, "is_image", False) and item.data is not None and item.data.ndim >= 1:
                return index
        raise PixelsmithValueError(f"{str(path)!r} has no HDU with image data; its HDUs: {listing}")
    if isinstance(hdu, (int, np.integer)) and not isinstance(hdu, bool):
        if not 0 <= hdu < len(hdus):
            raise PixelsmithValueError(f"`hdu` {hdu} is not in {str(path)!r}; its HDUs: {listing}")
        return image(int(hdu))
    key = hdu if isinstance(hdu, tuple) else (str(hdu), 1)
    try:
        return image(hdus.index_of(key))
    except KeyError:
        raise PixelsmithValueError(f"`hdu` {hdu!r} is not in {str(path)!r}; its HDUs: {listing}") from None


def read_fits(path: str | os.PathLike, *, hdu: int | str | tuple[str, int] | None = None) -> FitsImage:
    """Read one image HDU of a FITS file: pixels in native byte order, header and WCS kept.

    Parameters
    ----------
    path : str or path-like
        ``.fits``, ``.fit``, ``.fts``, optionally gzipped.
    hdu : int, str or (str, int), optional
        The HDU by index, EXTNAME or (EXTNAME, EXTVER). Default: the first
        HDU holding image data (the primary HDU of a simple file, the first
        extension of a file whose primary HDU is empty).

    Returns
    -------
    FitsImage
        ``data``, ``header``, ``hdu`` and ``wcs`` (celestial, or None).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "frame.fits")
    >>> _ = write_fits(path, np.arange(12.0).reshape(3, 4))
    >>> image = read_fits(path)
    >>> image.data.dtype.isnative, image.data.shape
    (True, (3, 4))
    """
    fits = require("astropy.io.fits", "astro", "reading FITS files")
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"FITS file {str(p)!r} does not exist")
    try:
        hdus = fits.open(p, memmap=False)
    except (OSError, ValueError, TypeError) as exc:
        raise PixelsmithValueError(f"{str(p)!r} could not be read as FITS: {str(exc).splitlines()[0]}") from None
    with hdus:
        try:
            index = _choose_hdu(hdus, hdu, p)
            data = hdus[index].data
        except (OSError, ValueError, TypeError, EOFError) as exc:  # truncated files and the like
            raise PixelsmithValueError(f"{str(p)!r} could not be read as FITS: {str(exc).splitlines()[0]}") from None
        if data is None:
            raise PixelsmithValueError(f"HDU {index} of {str(p)!r} holds no data")
        header = hdus[index].header.copy()
        primary = hdus[0].header.copy() if index > 0 else None
    data = np.asarray(data)
    if not data.dtype.isnative:
        data = data.astype(data.dtype.newbyteorder("="))
    return FitsImage(np.ascontiguousarray(data), header, index, primary)


def write_fits(
    path: str | os.PathLike,
    data: Any,
    *,
    header: Any = None,
    like: FitsImage | None = None,
    history: str | list[str] | None = None,
) -> Path:
    """Write an image as FITS, atomically, with the header (and so the WCS) of `like` or `header`.

    The structural keywords (BITPIX, NAXISn, BSCALE/BZERO) follow the data;
    everything else (WCS, BUNIT, observation keywords) is copied. Give a header
    only when `data` is on the same pixel grid as the image it came from. An
    image read from an extension (an HST ``SCI`` HDU) is written back the same
    way: the primary header first (TELESCOP, INSTRUME, EXPTIME, FILTER,
    DATE-OBS), then an image extension with the extension's header and EXTNAME.

    Parameters
    ----------
    path : str or path-like
        Destination (``.fits``, ``.fit``, ``.fts``, optionally ``.gz``).
    data : array_like
        The image or cube.
    header : astropy.io.fits.Header, optional
        Keywords to copy.
    like : FitsImage, optional
        Copy the header of this image, and its primary header when it came from
        an extension (`header` wins when both are given).
    history : str or list of str, optional
        HISTORY cards added to the image's header: what was done to the pixels
        (astropy's convention; the CLI writes its command line).

    Returns
    -------
    pathlib.Path
        The destination.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "smooth.fits")
    >>> _ = write_fits(path, np.ones((3, 4)), history="local_mean, size 5")
    >>> read_fits(path).header["HISTORY"][0]
    'local_mean, size 5'
    """
    fits = require("astropy.io.fits", "astro", "writing FITS files")
    array = np.asarray(unmasked(data, "data", "data.filled(np.nan) to write masked values as NaN"))
    if array.dtype.kind not in "biuf":
        raise PixelsmithValueError(f"`data` must be numeric to write FITS, got dtype {array.dtype}")
    if array.dtype == bool:
        array = array.astype(np.uint8)
    if array.dtype == np.float16:  # FITS has no 16-bit float; float32 holds every float16 value exactly
        array = array.astype(np.float32)
    source = header if header is not None else like.header if like is not None else None
    primary = like.primary_header if like is not None and header is None else None
    copied = _copied_cards(fits, source)
    for line in [history] if isinstance(history, str) else history or []:
        copied.add_history(line)
    if primary is None:
        hdus = fits.HDUList([fits.PrimaryHDU(array, header=copied)])
    else:
        hdus = fits.HDUList([fits.PrimaryHDU(header=_copied_cards(fits, primary)), fits.ImageHDU(array, header=copied)])
    with atomic_path(path, ".fits") as tmp:
        hdus.writeto(tmp, overwrite=True, output_verify="silentfix")
    return Path(path)


# keywords that describe the HDU's layout, rewritten by astropy from the data written
_STRUCTURAL = {"SIMPLE", "BITPIX", "EXTEND", "BSCALE", "BZERO", "XTENSION", "PCOUNT", "GCOUNT", "CHECKSUM", "DATASUM"}


def _copied_cards(fits: Any, source: Any) -> Any:
    copied = fits.Header()
    if source is not None:
        for card in source.cards:
            if card.keyword in _STRUCTURAL or card.keyword.startswith("NAXIS"):
                continue
            copied.append(card)
    return copied
