"""Source catalogues as astronomers hold them: ECSV, FITS tables, VOTable, SExtractor, CSV.

A catalogue is read with astropy's ``Table.read`` when astropy is installed
(pandas reads plain CSV when it is installed and astropy is not; the
hand-written CSV reader of `pixelsmith.io.table` is the fallback with no
extra). Positions are found by column name, with the index base each tool
uses:

==========================================  ==========  ================
columns                                     written by  first pixel
==========================================  ==========  ================
``row``, ``col`` (or ``y``, ``x``)          pixelsmith  0
``xcentroid``, ``ycentroid``                photutils   0
``x_centroid``/``xcenter``/``x_fit``, y...  photutils   0
``X_IMAGE``, ``Y_IMAGE`` (``XWIN_IMAGE``)   SExtractor  1
``ra``, ``dec`` / ``ALPHA_J2000``, ...      any         (sky, degrees)
``skycoord``, ``sky_centroid`` (SkyCoord)   photutils   (sky)
==========================================  ==========  ================

Sky columns may hold degrees or sexagesimal text (``10:00:28.6``, hours for
RA). An ``id``, ``NUMBER``, ``label``, ``source_id`` or ``name`` column is kept
as the catalogue's ids.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError

__all__ = ["Catalog", "read_catalog"]

# (x column, y column, index of the first pixel): pixel positions, most specific first
_PIXEL_COLUMNS = (
    ("col", "row", 0),
    ("x", "y", 0),
    ("xcentroid", "ycentroid", 0),
    ("x_centroid", "y_centroid", 0),
    ("xcenter", "ycenter", 0),
    ("x_fit", "y_fit", 0),
    ("x_peak", "y_peak", 0),
    ("x_image", "y_image", 1),
    ("xwin_image", "ywin_image", 1),
    ("xpeak_image", "ypeak_image", 1),
)
_SKY_COLUMNS = (("ra", "dec"), ("alpha_j2000", "delta_j2000"), ("raj2000", "dej2000"), ("ra_icrs", "de_icrs"))
_SKYCOORD_COLUMNS = ("skycoord", "sky_centroid", "skycoord_peak", "sky_center")
_ID_COLUMNS = ("id", "number", "label", "source_id", "name", "objid")
_TABLE_FORMATS = {
    ".ecsv": "ascii.ecsv",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
    ".fits.gz": "fits",
    ".xml": "votable",
    ".vot": "votable",
    ".votable": "votable",
    ".cat": "ascii.sextractor",
    ".csv": "ascii.csv",
}


class SkyOnlyCatalogError(PixelsmithValueError):
    """A catalogue with sky positions only, read without a WCS to place them (the CLI words it for FITS)."""


@dataclass(frozen=True)
class Catalog:
    """Positions and ids of a catalogue's sources.

    Attributes
    ----------
    positions : numpy.ndarray, shape (N, 2)
        (row, col), 0-based, pixel centres at integers (pixelsmith's
        convention, whatever the file's index base was).
    ids : numpy.ndarray or None
        The catalogue's own ids, when it has an id column.
    ra, dec : numpy.ndarray or None
        Sky positions in degrees, when the catalogue gives them.
    source : str
        Which columns the positions came from (``"X_IMAGE/Y_IMAGE, 1-based"``).
    """

    positions: np.ndarray
    ids: np.ndarray | None
    ra: np.ndarray | None
    dec: np.ndarray | None
    source: str

    def __len__(self) -> int:
        return len(self.positions)


def read_catalog(path: str | os.PathLike, *, wcs: Any = None) -> Catalog:
    """Read source positions (and ids) from a catalogue file.

    Parameters
    ----------
    path : str or path-like
        ECSV, FITS table, VOTable, SExtractor ASCII (``.cat``) or CSV; see the
        module for the column names recognised.
    wcs : astropy.wcs.WCS or FitsImage, optional
        Places a catalogue that has only sky positions on the image. A
        catalogue with pixel columns uses them (they are what was measured).

    Returns
    -------
    Catalog
        0-based (row, col) positions, ids and sky positions when present.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "sextractor.csv"
    >>> _ = path.write_text("NUMBER,X_IMAGE,Y_IMAGE\\n7,11.0,21.0\\n")
    >>> catalog = read_catalog(path)
    >>> catalog.positions.tolist(), catalog.ids.tolist()
    ([[20.0, 10.0]], [7])
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"catalog {str(p)!r} does not exist")
    columns = _read_columns(p)
    by_name = {name.lower(): name for name in columns}
    if not columns or not len(next(iter(columns.values()))):
        raise PixelsmithValueError(f"catalog {str(p)!r} has no rows")
    ids = _ids(columns, by_name)
    ra, dec = _sky(columns, by_name, p)
    for x_name, y_name, base in _PIXEL_COLUMNS:
        if x_name in by_name and y_name in by_name:
            x = _numbers(columns[by_name[x_name]], by_name[x_name], p)
            y = _numbers(columns[by_name[y_name]], by_name[y_name], p)
            where = f"{by_name[x_name]}/{by_name[y_name]}, {base}-based"
            return Catalog(np.column_stack([y - base, x - base]), ids, ra, dec, where)
    if ra is not None:
        if wcs is None:
            raise SkyOnlyCatalogError(
                f"catalog {str(p)!r} gives sky positions only: pass `wcs` (the image's, e.g. read_fits(...)) "
                "to place them on the image"
            )
        from .._wcs import sky_to_pixels

        return Catalog(sky_to_pixels(wcs, ra, dec), ids, ra, dec, "ra/dec through the WCS")
    pixel_names = ", ".join(f"{x}/{y}" for x, y, _ in _PIXEL_COLUMNS[:5]) + ", X_IMAGE/Y_IMAGE"
    raise PixelsmithValueError(
        f"catalog {str(p)!r} has columns {list(columns)} but no positions; name them row,col (0-based), "
        f"or use one of {pixel_names}, or ra,dec (with a WCS)"
    )


def _read_columns(p: Path) -> dict[str, Any]:
    """Column name -> values, through astropy, pandas or the plain CSV reader (whichever is installed)."""
    suffix = "".join(p.suffixes[-2:]).lower() if p.name.lower().endswith(".gz") else p.suffix.lower()
    try:
        from astropy.table import Table
    except ImportError:
        return _read_columns_without_astropy(p, suffix)
    fmt = _TABLE_FORMATS.get(suffix)
    if fmt is None and _looks_like_sextractor(p):
        fmt = "ascii.sextractor"
    try:
        table = Table.read(p, format=fmt) if fmt else Table.read(p, format="ascii")
    except Exception as exc:  # astropy raises many types for files it cannot parse
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PixelsmithValueError(
            f"catalog {str(p)!r} could not be read as a table ({fmt or 'ascii, format guessed'}): {message}"
        ) from None
    return {name: table[name] for name in table.colnames}


def _read_columns_without_astropy(p: Path, suffix: str) -> dict[str, Any]:
    if suffix not in (".csv", ".txt", ""):
        raise PixelsmithValueError(
            f"catalog {str(p)!r}: reading {suffix} tables needs astropy; pip install 'pixelsmith[astro]', "
            "or pass a CSV with row,col columns"
        )
    try:
        import pandas
    except ImportError:
        from .table import csv_columns, read_points_csv

        names = csv_columns(p)
        wanted = ["row", "col"] if {"row", "col"} <= names or {"y", "x"} <= names else ["ra", "dec"]
        optional = ["id"] if "id" in names else []
        return read_points_csv(p, wanted, optional=optional, name="catalog")
    try:
        frame = pandas.read_csv(p, comment="#", skipinitialspace=True)
    except Exception as exc:  # pandas' parser errors
        raise PixelsmithValueError(f"catalog {str(p)!r} could not be read as CSV: {exc}") from None
    return {str(name).strip(): frame[name].to_numpy() for name in frame.columns}


def _looks_like_sextractor(p: Path) -> bool:
    with p.open("rb") as handle:
        return handle.read(64).lstrip().startswith(b"#   1 ")


def _numbers(values: Any, name: str, p: Path) -> np.ndarray:
    raw = np.asarray(getattr(values, "value", values))
    try:
        out = raw.astype(np.float64)
    except (TypeError, ValueError):
        bad = next(i for i, v in enumerate(raw.tolist()) if not _all_numbers(v))
        raise PixelsmithValueError(
            f"catalog {str(p)!r}: column {name!r} must hold numbers; data row {bad + 1} holds {raw.tolist()[bad]!r}"
        ) from None
    missing = ~np.isfinite(out) | np.asarray(getattr(values, "mask", False))
    if missing.any():
        bad = int(np.flatnonzero(missing)[0])
        raise PixelsmithValueError(
            f"catalog {str(p)!r}: column {name!r} has a missing or non-finite value in data row {bad + 1}; "
            "drop or fill that row first"
        )
    return out


def _ids(columns: dict[str, Any], by_name: dict[str, str]) -> np.ndarray | None:
    for key in _ID_COLUMNS:
        if key in by_name:
            ids = np.asarray(columns[by_name[key]])
            return np.char.strip(ids.astype(str)) if ids.dtype.kind == "S" else ids  # FITS text is bytes
    return None


def _sky(columns: dict[str, Any], by_name: dict[str, str], p: Path) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(ra, dec) in degrees from a SkyCoord column or a pair of columns (degrees or sexagesimal text)."""
    for key in _SKYCOORD_COLUMNS:
        column = columns.get(by_name.get(key, ""))
        if column is not None and hasattr(column, "icrs"):
            return np.asarray(column.icrs.ra.deg, np.float64), np.asarray(column.icrs.dec.deg, np.float64)
    for ra_name, dec_name in _SKY_COLUMNS:
        if ra_name in by_name and dec_name in by_name:
            ra, dec = columns[by_name[ra_name]], columns[by_name[dec_name]]
            if np.asarray(ra).dtype.kind in "USO" and not _all_numbers(ra):
                return _sexagesimal(np.asarray(ra), np.asarray(dec), p)
            ra_unit, dec_unit = getattr(ra, "unit", None), getattr(dec, "unit", None)
            ra = ra.quantity.to_value("deg") if ra_unit is not None else ra
            dec = dec.quantity.to_value("deg") if dec_unit is not None else dec
            return _numbers(ra, by_name[ra_name], p), _numbers(dec, by_name[dec_name], p)
    return None, None


def _all_numbers(values: Any) -> bool:
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _sexagesimal(ra: np.ndarray, dec: np.ndarray, p: Path) -> tuple[np.ndarray, np.ndarray]:
    """Text such as ``10:00:28.6`` / ``+02:12:21`` (RA in hours, as catalogues write it)."""
    try:
        from astropy import units
        from astropy.coordinates import SkyCoord
    except ImportError:
        raise PixelsmithValueError(
            f"catalog {str(p)!r} writes ra/dec as text; reading sexagesimal needs astropy: "
            "pip install 'pixelsmith[astro]'"
        ) from None
    try:
        sky = SkyCoord([str(v) for v in ra], [str(v) for v in dec], unit=(units.hourangle, units.deg))
    except ValueError as exc:
        raise PixelsmithValueError(f"catalog {str(p)!r}: ra/dec text could not be read: {exc}") from None
    return np.asarray(sky.ra.deg, np.float64), np.asarray(sky.dec.deg, np.float64)
