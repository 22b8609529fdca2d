"""Small CSV tables of points (catalogues, peaks, aperture sums): read with line-numbered errors, write atomically."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError
from ._atomic import atomic_path

__all__ = ["read_points_csv", "write_csv"]

# Header aliases: (x, y) columns are image columns and rows
_ALIASES = {"y": "row", "x": "col", "column": "col", "r": "row", "c": "col"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_points_csv(
    path: str | os.PathLike, columns: Sequence[str], *, optional: Sequence[str] = (), name: str = "catalog"
) -> dict[str, np.ndarray]:
    """Read numeric columns from a CSV file, by header name or by position.

    A first line that is not all numbers is a header; names are matched without
    case, and ``y``/``x`` mean ``row``/``col``. Without a header the columns are
    taken in the order ``columns + optional``. Blank lines and lines starting with
    ``#`` are skipped. Any malformed line raises an error naming the file and line.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "stars.csv")
    >>> from pathlib import Path
    >>> _ = Path(path).write_text("x,y,flux\\n10.5,3,100\\n")
    >>> read_points_csv(path, ["row", "col"], optional=["flux"])["row"]
    array([3.])
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{name} {str(p)!r} does not exist")
    wanted = list(columns) + list(optional)
    values: dict[str, list[float]] = {c: [] for c in wanted}
    try:
        return _read_rows(p, columns, wanted, values, name)
    except UnicodeDecodeError as exc:
        raise PixelsmithValueError(
            f"{name} {str(p)!r} is not a text CSV file (byte {exc.start} is not UTF-8 text); "
            "pass a comma-separated table of numbers with a header row"
        ) from None
    except csv.Error as exc:
        raise PixelsmithValueError(f"{name} {str(p)!r} is not a readable CSV table: {exc}") from None


def csv_columns(path: str | os.PathLike) -> set[str]:
    """The lower-case column names of a CSV's header line (empty when the first line is all numbers)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"catalog {str(p)!r} does not exist")
    try:
        with p.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                fields = [f.strip() for f in row]
                if not fields or not any(fields) or fields[0].startswith("#"):
                    continue
                try:
                    [float(f) for f in fields]
                except ValueError:
                    return {f.lower() for f in fields}
                return set()
    except (UnicodeDecodeError, csv.Error):
        return set()  # read_points_csv says what is wrong with the file
    return set()


def _read_rows(
    p: Path, columns: Sequence[str], wanted: list[str], values: dict[str, list[float]], name: str
) -> dict[str, np.ndarray]:
    positions: dict[str, int] | None = None
    with p.open(newline="", encoding="utf-8-sig") as handle:
        for line_no, row in enumerate(csv.reader(handle), start=1):
            fields = [f.strip() for f in row]
            if not fields or not any(fields) or fields[0].startswith("#"):
                continue
            if positions is None:
                if not all(_is_number(f) for f in fields if f):
                    header = [_ALIASES.get(f.lower(), f.lower()) for f in fields]
                    missing = [c for c in columns if c not in header]
                    if missing:
                        raise PixelsmithValueError(
                            f"{name} {str(p)!r} line {line_no}: header {fields} lacks column(s) "
                            f"{', '.join(missing)}; name them {', '.join(wanted)} (x/y also work)"
                        )
                    positions = {c: header.index(c) for c in wanted if c in header}
                    continue
                positions = {c: i for i, c in enumerate(wanted) if i < len(fields)}
                if len(fields) < len(columns):
                    raise PixelsmithValueError(
                        f"{name} {str(p)!r} line {line_no}: expected {len(columns)}+ columns "
                        f"({', '.join(wanted)}), got {len(fields)}: {','.join(row)!r}"
                    )
            try:
                for c, i in positions.items():
                    number = float(fields[i])
                    if not np.isfinite(number):
                        raise ValueError
                    values[c].append(number)
            except (ValueError, IndexError):
                raise PixelsmithValueError(
                    f"{name} {str(p)!r} line {line_no}: expected finite numbers for "
                    f"{', '.join(positions)}, got {','.join(row)!r}"
                ) from None
    if positions is None or not values[columns[0]]:
        raise PixelsmithValueError(f"{name} {str(p)!r} has no data rows")
    return {c: np.asarray(v) for c, v in values.items() if c in positions}


def write_csv(
    path: str | os.PathLike, table: Mapping[str, Sequence], *, float_format: str | Mapping[str, str] = "%.6f"
) -> Path:
    """Write equal-length columns as CSV with a header, atomically.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.csv")
    >>> _ = write_csv(path, {"row": [1.0, 2.5], "col": [3, 4]})
    >>> from pathlib import Path
    >>> Path(path).read_text().splitlines()
    ['row,col', '1.000000,3', '2.500000,4']
    """
    names = list(table)
    cols = [np.asarray(table[n]) for n in names]
    lengths = {len(c) for c in cols}
    if len(lengths) > 1:
        raise PixelsmithValueError(f"columns of unequal length: {dict(zip(names, map(len, cols), strict=True))}")
    # one format for every float column, or one per column name (e.g. more digits for sky coordinates)
    formats = {n: float_format if isinstance(float_format, str) else float_format.get(n, "%.6f") for n in names}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for i in range(lengths.pop() if lengths else 0):
        writer.writerow([formats[n] % c[i] if c.dtype.kind == "f" else c[i] for n, c in zip(names, cols, strict=True)])
    with atomic_path(path) as tmp:
        tmp.write_text(buffer.getvalue())
    return Path(path)


def write_grid_csv(path: str | os.PathLike, grid: Any, *, float_format: str = "%.6g") -> Path:
    """Write a 2-D array as CSV rows (no header), atomically; NaN is written as ``nan``.

    Parameters
    ----------
    path : str or path-like
        Destination.
    grid : array_like, 2-D
        The values, one CSV row per array row.
    float_format : str, default '%.6g'
        printf-style format of each value.

    Returns
    -------
    pathlib.Path
        The destination.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from pathlib import Path
    >>> path = write_grid_csv(os.path.join(tempfile.mkdtemp(), "g.csv"), [[1.5, np.nan], [3, 4]])
    >>> Path(path).read_text().splitlines()
    ['1.5,nan', '3,4']
    """
    values = np.asarray(grid, dtype=np.float64)
    if values.ndim != 2:
        raise PixelsmithValueError(f"`grid` must be 2-D (rows of values), got shape {values.shape}")
    buffer = io.StringIO()
    np.savetxt(buffer, values, delimiter=",", fmt=float_format)
    with atomic_path(path) as tmp:
        tmp.write_text(buffer.getvalue())
    return Path(path)
