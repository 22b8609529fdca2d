"""Plain images and arrays: PNG/JPEG (imageio), TIFF stacks (tifffile), NPY (numpy)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithError, PixelsmithTypeError, PixelsmithValueError, require, unmasked
from ._atomic import atomic_path

__all__ = ["read_image", "write_image", "IMAGE_SUFFIXES"]

IMAGE_SUFFIXES = {
    ".png": "imageio",
    ".jpg": "imageio",
    ".jpeg": "imageio",
    ".bmp": "imageio",
    ".gif": "imageio",
    ".tif": "tifffile",
    ".tiff": "tifffile",
    ".npy": "numpy",
}


def format_holds(path: str | os.PathLike, dtype: Any) -> bool:
    """Whether the image format of `path` can store `dtype` (PNG/JPEG/BMP/GIF: 8- or 16-bit integers only)."""
    return IMAGE_SUFFIXES.get(Path(path).suffix.lower()) != "imageio" or np.dtype(dtype) in (
        np.uint8,
        np.uint16,
        np.bool_,
    )


def _suffix(path: str | os.PathLike, name: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        known = ", ".join(sorted(IMAGE_SUFFIXES))
        raise PixelsmithValueError(
            f"`{name}` {str(path)!r} has an unsupported format {suffix or '(none)'!r}; use one of {known}, .fits"
        )
    return suffix


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image or array file into a numpy array.

    PNG/JPEG/BMP/GIF give ``(H, W)`` or ``(H, W, C)``; a multi-page TIFF gives
    ``(pages, H, W)``; NPY gives the stored array; FITS (``.fits``, ``.fit``,
    ``.fits.gz``) the first HDU with image data, in native byte order (use
    `pixelsmith.io.read_fits` for its header and WCS).

    Parameters
    ----------
    path : str or path-like
        ``.png``, ``.jpg``, ``.bmp``, ``.gif``, ``.tif``/``.tiff``, ``.npy`` or FITS.

    Returns
    -------
    numpy.ndarray
        The pixels, in the file's dtype.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from pixelsmith.io import read_image, write_image
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> _ = write_image(path, np.eye(3))
    >>> read_image(path)[1, 1]
    np.float64(1.0)
    """
    from .fits import is_fits_path, read_fits

    if is_fits_path(path):
        return read_fits(path).data
    suffix = _suffix(path, "path")
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"input {str(p)!r} does not exist")
    try:
        kind = IMAGE_SUFFIXES[suffix]
        if kind == "numpy":
            return np.load(p, allow_pickle=False)
        if kind == "tifffile":
            tifffile = require("tifffile", "cli", "reading and writing TIFF images")

            return tifffile.imread(p)
        iio = require("imageio.v3", "cli", "reading and writing PNG/JPEG images")

        return np.asarray(iio.imread(p))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a decoder's any failure (PIL's SyntaxError, zlib.error, ...) is a bad file
        if isinstance(exc, PixelsmithError):
            raise
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PixelsmithValueError(
            f"input {str(p)!r} could not be read as {suffix} (damaged or not that format): {reason}"
        ) from None


def write_image(path: str | os.PathLike, array: Any) -> Path:
    """Write an array atomically as PNG/JPEG (8/16-bit integers), TIFF (any numeric) or NPY.

    Parameters
    ----------
    path : str or path-like
        Destination; its suffix chooses the format. Written to a temporary file
        beside it, then renamed.
    array : array_like
        ``(H, W)``, ``(H, W, 3|4)`` colour, or for TIFF an ``(N, H, W)`` stack of
        pages; NPY takes any shape. PNG and JPEG take 8- and 16-bit integers only.

    Returns
    -------
    pathlib.Path
        The destination.

    Examples
    --------
    See `read_image`.
    """
    from .fits import is_fits_path, write_fits

    if is_fits_path(path):
        return write_fits(path, array)
    suffix = _suffix(path, "path")
    a = np.asarray(unmasked(array, "array", "array.filled(value) with the value masked pixels should hold"))
    if a.dtype.kind not in "biuf":
        raise PixelsmithTypeError(f"`array` must be numeric to write an image, got dtype {a.dtype}")
    kind = IMAGE_SUFFIXES[suffix]
    if kind != "numpy" and not (a.ndim == 2 or (a.ndim == 3 and (kind == "tifffile" or a.shape[-1] in (3, 4)))):
        raise PixelsmithValueError(
            f"`array` must be an image, (H, W) or (H, W, 3|4){' or a (N, H, W) stack' if kind == 'tifffile' else ''}"
            f" for {suffix}, got shape {a.shape}; write .npy for other shapes"
        )
    if not format_holds(path, a.dtype):
        raise PixelsmithTypeError(
            f"{suffix} holds 8- or 16-bit integers, got {a.dtype}; write .tif or .npy for float data, "
            "or scale to uint8 first"
        )
    with atomic_path(path) as tmp:
        if kind == "numpy":
            with open(tmp, "wb") as fh:
                np.save(fh, a, allow_pickle=False)
        elif kind == "tifffile":
            tifffile = require("tifffile", "cli", "reading and writing TIFF images")

            # a (N, H, W) stack is N gray pages, never "RGB planes" (tifffile's guess for N = 3 or 4)
            colour = a.ndim == 3 and a.shape[-1] in (3, 4) and a.dtype.kind in "bu"
            tifffile.imwrite(tmp, a, photometric="rgb" if colour else "minisblack")
        else:
            iio = require("imageio.v3", "cli", "reading and writing PNG/JPEG images")

            iio.imwrite(tmp, a.astype(np.uint8) if a.dtype == bool else a, extension=suffix)
    return Path(path)


def write_figure(path: str | os.PathLike, figure: Any, *, dpi: int = 100) -> Path:
    """Save a matplotlib figure atomically (``.png``, ``.pdf``, ``.svg``): a failed save leaves no file.

    Parameters
    ----------
    path : str or path-like
        Destination; its suffix chooses the format.
    figure : matplotlib.figure.Figure
        The figure (e.g. an image with `pixelsmith.plot_outline` drawn on it).
    dpi : int, default 100
        Resolution of raster formats.

    Returns
    -------
    pathlib.Path
        The destination.

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> path = write_figure(os.path.join(tempfile.mkdtemp(), "plot.png"), fig)
    >>> path.suffix, path.stat().st_size > 0
    ('.png', True)
    >>> plt.close(fig)
    """
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".pdf", ".svg"):
        raise PixelsmithValueError(f"`path` {str(path)!r} must end in .png, .pdf or .svg")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=dpi, bbox_inches="tight", format=suffix.lstrip("."))
    return Path(path)
