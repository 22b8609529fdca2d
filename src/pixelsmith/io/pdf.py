"""Document pages from PDF files (pypdfium2, the [document] extra) or image files, as arrays."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_allocation, check_finite_scalar, require

__all__ = ["read_page", "is_pdf_path", "pdf_page_count"]

_POINTS_PER_INCH = 72.0


def is_pdf_path(path: str | os.PathLike) -> bool:
    """True for ``.pdf`` names."""
    return str(path).lower().endswith(".pdf")


def _open(path: Path) -> Any:
    pdfium = require("pypdfium2", "document", "reading PDF pages")
    if not path.is_file():
        raise FileNotFoundError(f"input {str(path)!r} does not exist")
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise PixelsmithValueError(f"input {str(path)!r} could not be read as PDF ({exc})") from None


def pdf_page_count(path: str | os.PathLike) -> int:
    """The number of pages of a PDF file."""
    document = _open(Path(path))
    try:
        return len(document)
    finally:
        document.close()


def read_page(path: str | os.PathLike, *, page: int = 1, dpi: float = 200.0, color: bool = False) -> np.ndarray:
    """One page of a scanned document: a PDF page rendered at `dpi`, or an image file as it is.

    PDF pages are rendered with PDFium (pypdfium2: a wheel with no system
    libraries, so no poppler or ``pdftoppm`` is needed). A scan stored as PDF
    holds its page as an image; 200-300 dpi renders it near its own resolution.

    Parameters
    ----------
    path : str or path-like
        ``.pdf``, or any image `read_image` reads (PNG, JPEG, TIFF...).
    page : int, default 1
        The page, counting from 1 (as PDF viewers do); image files have one.
    dpi : float, default 200
        Rendering resolution of a PDF page, dots per inch.
    color : bool, default False
        RGB ``(H, W, 3)`` instead of grey ``(H, W)`` for a PDF page.

    Returns
    -------
    numpy.ndarray
        uint8 ``(H, W)`` (or ``(H, W, 3)``) for a PDF page; an image file's pixels as stored.

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> path = os.path.join(tempfile.mkdtemp(), "letter.pdf")
    >>> figure = plt.figure(figsize=(8.5, 11))       # one US-letter page
    >>> _ = figure.text(0.1, 0.9, "Dear reader,"); figure.savefig(path); plt.close(figure)
    >>> read_page(path, dpi=100).shape                # 8.5 x 11 inches at 100 dpi
    (1100, 850)
    """
    p = Path(path)
    if isinstance(page, bool) or not isinstance(page, (int, np.integer)):
        raise PixelsmithValueError(f"`page` must be a page number counting from 1, got {page!r}")
    if not is_pdf_path(p):
        if page != 1:
            raise PixelsmithValueError(f"`page` {page}: {str(p)!r} is an image, a single page; pass page=1")
        from .image import read_image

        return read_image(p)
    dpi = check_finite_scalar(dpi, "dpi")
    if dpi <= 0:
        raise PixelsmithValueError(f"`dpi` must be > 0 dots per inch (200-300 for scans), got {dpi}")
    document = _open(p)
    try:
        count = len(document)
        if not 1 <= page <= count:
            raise PixelsmithValueError(f"`page` {page} is not in {str(p)!r}, which has {count} page(s) (1 to {count})")
        sheet = document[int(page) - 1]
        width, height = sheet.get_size()
        scale = dpi / _POINTS_PER_INCH
        check_allocation(
            4.0 * width * scale * height * scale,
            "dpi",
            dpi,
            f"a {width * scale:.0f} x {height * scale:.0f} pixel rendering of page {page}",
            "use 200-300 dpi",
        )
        try:
            # rev_byteorder: RGB, not PDFium's native BGR
            pixels = sheet.render(scale=scale, grayscale=not color, rev_byteorder=color).to_numpy()
        except Exception as exc:  # PDFium's errors for damaged page content
            raise PixelsmithValueError(f"page {page} of {str(p)!r} could not be rendered ({exc})") from None
    finally:
        document.close()
    pixels = np.ascontiguousarray(pixels)
    if color:
        return pixels[..., :3]
    return pixels[..., 0] if pixels.ndim == 3 else pixels
