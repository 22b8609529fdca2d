"""Read a CT series from a folder of DICOM files into a `pixelsmith.xray.Volume` (HU, patient mm)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_choice

__all__ = ["read_dicom_series", "list_dicom_series"]

# Slices whose spacing differs from the median by more than this fraction are "uneven"
_SPACING_TOLERANCE = 0.01


def _headers(folder: Path, progress: Callable[[int, int], None] | None):
    """(path, dataset without pixels) for every readable DICOM image file; others are skipped with a warning."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else [folder]
    found, skipped = [], []
    for n, path in enumerate(files, 1):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError, EOFError):
            skipped.append(path.name)
            continue
        if "SeriesInstanceUID" not in ds or "ImagePositionPatient" not in ds or "Rows" not in ds:
            skipped.append(path.name)
            continue
        found.append((path, ds))
        if progress is not None:
            progress(n, len(files))
    if skipped:
        warnings.warn(f"skipped {len(skipped)} non-image or non-DICOM file(s) in {str(folder)!r}: "
                      f"{', '.join(skipped[:5])}{' ...' if len(skipped) > 5 else ''}", stacklevel=3)
    return found


def list_dicom_series(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """The image series in a folder: SeriesInstanceUID -> {description, modality, slices}."""
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"DICOM folder {str(folder)!r} does not exist")
    series: dict[str, dict[str, Any]] = {}
    for _, ds in _headers(folder, None):
        entry = series.setdefault(str(ds.SeriesInstanceUID), {
            "description": str(getattr(ds, "SeriesDescription", "")), "modality": str(getattr(ds, "Modality", "")),
            "slices": 0})
        entry["slices"] += 1
    return series


def read_dicom_series(path: str | os.PathLike, *, series: str | None = None, uneven: str = "error",
                      progress: Callable[[int, int], None] | None = None):
    """Read one CT series into a `Volume` of Hounsfield units (float32), indexed (slice, row, col).

    - Files are grouped by SeriesInstanceUID; with several series, pick one
      with `series` (the error lists them). Non-DICOM and non-image files are
      skipped with a warning.
    - Slices are sorted by their position along the slice normal
      (ImageOrientationPatient row x column cosines, dotted with
      ImagePositionPatient), never by file name.
    - RescaleSlope / RescaleIntercept are applied per slice.
    - Spacing: PixelSpacing for rows and columns; between slices, the measured
      distance of the positions (not SliceThickness, which may differ; a single
      slice falls back to SliceThickness). Missing or unevenly spaced slices are
      an error, or resampled onto an even grid (linear) with ``uneven="resample"``.
    - The Volume's origin is the first slice's ImagePositionPatient and its
      direction holds the slice normal and the orientation cosines, so oblique
      acquisitions keep their geometry.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> volume = read_dicom_series(get_testdata_file("CT_small.dcm"))
    >>> volume.shape, volume.units, volume.spacing.round(4).tolist()
    ((1, 128, 128), 'hu', [5.0, 0.6615, 0.6615])
    """
    import pydicom

    from ..xray.volume import Volume

    check_choice(uneven, "uneven", ("error", "resample"))
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"DICOM folder {str(folder)!r} does not exist")
    headers = _headers(folder, progress)
    if not headers:
        raise PixelsmithValueError(f"no DICOM image files found in {str(folder)!r}")
    groups: dict[str, list] = {}
    for item in headers:
        groups.setdefault(str(item[1].SeriesInstanceUID), []).append(item)
    if series is None and len(groups) > 1:
        listing = "; ".join(f"{uid} ({getattr(items[0][1], 'SeriesDescription', '') or 'no description'}, "
                            f"{len(items)} slices)" for uid, items in groups.items())
        raise PixelsmithValueError(f"{str(folder)!r} holds {len(groups)} series; choose one with series=...: {listing}")
    if series is not None and series not in groups:
        raise PixelsmithValueError(f"series {series!r} is not in {str(folder)!r}; found: {', '.join(groups)}")
    items = groups[series if series is not None else next(iter(groups))]

    first = items[0][1]
    sizes = {(int(ds.Rows), int(ds.Columns)) for _, ds in items}
    if len(sizes) > 1:
        raise PixelsmithValueError(f"the series mixes slice sizes {sorted(sizes)}; it cannot form one volume")
    orientation = np.asarray(first.ImageOrientationPatient, dtype=np.float64)
    row_dir, col_dir = orientation[:3], orientation[3:]  # along a row (columns grow), along a column (rows grow)
    for _, ds in items:
        if not np.allclose(np.asarray(ds.ImageOrientationPatient, dtype=np.float64), orientation, atol=1e-4):
            raise PixelsmithValueError("the slices of the series have different ImageOrientationPatient")
    normal = np.cross(row_dir, col_dir)
    normal /= np.linalg.norm(normal)
    positions = np.array([np.dot(np.asarray(ds.ImagePositionPatient, dtype=np.float64), normal) for _, ds in items])
    order = np.argsort(positions, kind="stable")
    items = [items[i] for i in order]
    positions = positions[order]
    if len(positions) > 1 and np.min(np.diff(positions)) < 1e-6:
        raise PixelsmithValueError("two slices share a position; the series holds duplicates or several volumes")

    pixel_spacing = np.asarray(first.PixelSpacing, dtype=np.float64)  # (between rows, between columns)
    slices = []
    for n, (file_path, _) in enumerate(items, 1):
        ds = pydicom.dcmread(file_path)
        if "PixelData" not in ds:
            raise PixelsmithValueError(f"{file_path.name} has no pixel data")
        pixels = ds.pixel_array.astype(np.float32)
        slope = float(getattr(ds, "RescaleSlope", 1.0))
        intercept = float(getattr(ds, "RescaleIntercept", 0.0))
        slices.append(pixels * np.float32(slope) + np.float32(intercept))
        if progress is not None:
            progress(n, len(items))
    data = np.stack(slices)

    if len(positions) == 1:
        step = float(getattr(first, "SliceThickness", 1.0) or 1.0)
    else:
        gaps = np.diff(positions)
        step = float(np.median(gaps))
        if np.max(np.abs(gaps - step)) > _SPACING_TOLERANCE * step:
            worst = int(np.argmax(np.abs(gaps - step)))
            if uneven == "error":
                kind = "missing slice" if gaps[worst] > 1.5 * step else "uneven slice spacing"
                raise PixelsmithValueError(
                    f"{kind}: slices at {positions[worst]:.3f} and {positions[worst + 1]:.3f} mm are "
                    f"{gaps[worst]:.3f} mm apart, the series' step is {step:.3f} mm; pass uneven='resample' to "
                    "interpolate onto an even grid")
            data, step = _resample_slices(data, positions, step)
    origin = np.asarray(items[0][1].ImagePositionPatient, dtype=np.float64)
    direction = np.column_stack([normal, col_dir, row_dir])
    spacing = np.array([step, pixel_spacing[0], pixel_spacing[1]])
    return Volume(np.ascontiguousarray(data, dtype=np.float32), spacing, origin, direction, "hu")


def _resample_slices(data: np.ndarray, positions: np.ndarray, step: float) -> tuple[np.ndarray, float]:
    """Linear interpolation along the slice axis onto an even grid from the first to the last position."""
    count = int(round((positions[-1] - positions[0]) / step)) + 1
    grid = positions[0] + np.arange(count) * step
    upper = np.clip(np.searchsorted(positions, grid, side="right"), 1, len(positions) - 1)
    lower = upper - 1
    weight = ((grid - positions[lower]) / (positions[upper] - positions[lower])).astype(np.float32)
    out = data[lower] * (1 - weight)[:, None, None] + data[upper] * weight[:, None, None]
    return out.astype(np.float32), float(step)

