"""Read a CT series from a folder of DICOM files into a `pixelsmith.xray.Volume` (HU, patient mm)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_choice, require

__all__ = ["read_dicom_series", "list_dicom_series"]

# Slices whose spacing differs from the median by more than this fraction are "uneven"
_SPACING_TOLERANCE = 0.01


def _headers(folder: Path, progress: Callable[[int, int], None] | None):
    """(path, dataset without pixels) for every readable DICOM image file; others are skipped with a warning."""
    pydicom = require("pydicom", "dicom", "reading DICOM")
    from pydicom.errors import InvalidDicomError

    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else [folder]
    found, skipped = [], []
    for n, path in enumerate(files, 1):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError, EOFError):
            skipped.append(path.name)
            continue
        if "SeriesInstanceUID" not in ds or "Rows" not in ds:  # not an image (a report, a DICOMDIR)
            skipped.append(path.name)
            continue
        found.append((path, ds))  # an image: its geometry is checked once its series is chosen
        if progress is not None:
            progress(n, len(files))
    if skipped:
        warnings.warn(
            f"skipped {len(skipped)} non-image or non-DICOM file(s) in {str(folder)!r}: "
            f"{', '.join(skipped[:5])}{' ...' if len(skipped) > 5 else ''}",
            stacklevel=3,
        )
    return found


def list_dicom_series(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """The image series in a folder: SeriesInstanceUID -> {description, modality, slices}."""
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"DICOM folder {str(folder)!r} does not exist")
    series: dict[str, dict[str, Any]] = {}
    for _, ds in _headers(folder, None):
        entry = series.setdefault(
            str(ds.SeriesInstanceUID),
            {
                "description": str(getattr(ds, "SeriesDescription", "")),
                "modality": str(getattr(ds, "Modality", "")),
                "slices": 0,
            },
        )
        entry["slices"] += 1
    return series


def read_dicom_series(
    path: str | os.PathLike,
    *,
    series: str | None = None,
    uneven: str = "error",
    progress: Callable[[int, int], None] | None = None,
):
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
    pydicom = require("pydicom", "dicom", "reading DICOM")

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
        listing = "; ".join(
            f"{uid} ({getattr(items[0][1], 'SeriesDescription', '') or 'no description'}, {len(items)} slices)"
            for uid, items in groups.items()
        )
        raise PixelsmithValueError(f"{str(folder)!r} holds {len(groups)} series; choose one with series=...: {listing}")
    if series is not None and series not in groups:
        raise PixelsmithValueError(f"series {series!r} is not in {str(folder)!r}; found: {', '.join(groups)}")
    items = groups[series if series is not None else next(iter(groups))]

    for file_path, ds in items:
        _check_slice_header(file_path, ds)
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
        pixels, slope, intercept = _slice_pixels(file_path, pydicom)
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
                    "interpolate onto an even grid"
                )
            data, step = _resample_slices(data, positions, step)
    origin = np.asarray(items[0][1].ImagePositionPatient, dtype=np.float64)
    direction = np.column_stack([normal, col_dir, row_dir])
    spacing = np.array([step, pixel_spacing[0], pixel_spacing[1]])
    return Volume(np.ascontiguousarray(data, dtype=np.float32), spacing, origin, direction, "hu")


def _bad(file_path: Path, tag: str, problem: str, fix: str = "fix or remove that file") -> PixelsmithValueError:
    return PixelsmithValueError(f"{file_path.name}: {tag} {problem}; {fix}")


def _numbers(ds: Any, keyword: str, count: int, file_path: Path, tag: str) -> np.ndarray:
    """A header's numeric values, exactly `count` of them and finite, or a clear error naming file and tag."""
    if keyword not in ds or ds.data_element(keyword).value in (None, ""):
        raise _bad(file_path, tag, "is missing", "the slice cannot be placed in the volume; fix or remove that file")
    try:
        values = np.asarray(ds.data_element(keyword).value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise _bad(file_path, tag, f"is not numeric ({ds.data_element(keyword).value!r})") from None
    if values.size != count or not np.isfinite(values).all():
        raise _bad(file_path, tag, f"must hold {count} finite numbers, got {values.tolist()}")
    return values


def _check_slice_header(file_path: Path, ds: Any) -> None:
    """The geometry of one slice: position, orientation (unit, orthogonal cosines), pixel spacing (> 0)."""
    _numbers(ds, "ImagePositionPatient", 3, file_path, "ImagePositionPatient (0020,0032)")
    cosines = _numbers(ds, "ImageOrientationPatient", 6, file_path, "ImageOrientationPatient (0020,0037)")
    row_dir, col_dir = cosines[:3], cosines[3:]
    if (
        abs(np.linalg.norm(row_dir) - 1) > 1e-3
        or abs(np.linalg.norm(col_dir) - 1) > 1e-3
        or abs(np.dot(row_dir, col_dir)) > 1e-3
    ):
        raise _bad(
            file_path,
            "ImageOrientationPatient (0020,0037)",
            f"must be two orthogonal unit vectors, got {cosines.tolist()}",
        )
    spacing = _numbers(ds, "PixelSpacing", 2, file_path, "PixelSpacing (0028,0030)")
    if not (spacing > 0).all():
        raise _bad(file_path, "PixelSpacing (0028,0030)", f"must be > 0 mm, got {spacing.tolist()}")
    samples = int(getattr(ds, "SamplesPerPixel", 1) or 1)
    if samples != 1:
        raise _bad(
            file_path,
            "SamplesPerPixel (0028,0002)",
            f"is {samples} ({getattr(ds, 'PhotometricInterpretation', 'colour')}): a colour image, not a CT slice",
            "a CT series holds gray slices; remove the colour images (secondary captures) from the folder",
        )
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if frames != 1:
        raise _bad(
            file_path,
            "NumberOfFrames (0028,0008)",
            f"is {frames}: a multi-frame (Enhanced) image, not one slice of a series",
            "reading multi-frame CT files is not supported yet; export the series as single-frame slices",
        )
    rescale = (("RescaleSlope", "RescaleSlope (0028,1053)"), ("RescaleIntercept", "RescaleIntercept (0028,1052)"))
    for keyword, tag in rescale:
        if keyword in ds:
            value = _numbers(ds, keyword, 1, file_path, tag)[0]
            if abs(value) > 1e6 or (keyword == "RescaleSlope" and value == 0):
                raise _bad(file_path, tag, f"is {value:g}, not a plausible CT rescale")


def _slice_pixels(file_path: Path, pydicom: Any) -> tuple[np.ndarray, float, float]:
    """One slice's stored values (float32) and its rescale, or a clear error naming the file."""
    try:
        ds = pydicom.dcmread(file_path)
    except Exception as exc:  # a file whose header read fine but whose rest is truncated
        raise _bad(file_path, "the file", f"cannot be read to its end ({exc})") from None
    if "PixelData" not in ds:
        raise _bad(file_path, "PixelData (7FE0,0010)", "is missing")
    try:
        pixels = ds.pixel_array
    except Exception as exc:  # truncated data, a compressed syntax without its decoder, ...
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", str(syntax))
        hint = (
            "install pydicom's decoder plugins for it (pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg)"
            if syntax is not None and getattr(syntax, "is_compressed", False)
            else "the file is damaged; fix or remove it"
        )
        raise _bad(
            file_path, "PixelData (7FE0,0010)", f"cannot be decoded ({name}: {str(exc).splitlines()[0]})", hint
        ) from None
    if pixels.ndim != 2:
        raise _bad(file_path, "PixelData (7FE0,0010)", f"decodes to shape {pixels.shape}, not one 2-D slice")
    slope = float(getattr(ds, "RescaleSlope", 1.0))
    intercept = float(getattr(ds, "RescaleIntercept", 0.0))
    return pixels.astype(np.float32), slope, intercept


def _resample_slices(data: np.ndarray, positions: np.ndarray, step: float) -> tuple[np.ndarray, float]:
    """Linear interpolation along the slice axis onto an even grid from the first to the last position."""
    count = int(round((positions[-1] - positions[0]) / step)) + 1
    grid = positions[0] + np.arange(count) * step
    upper = np.clip(np.searchsorted(positions, grid, side="right"), 1, len(positions) - 1)
    lower = upper - 1
    weight = ((grid - positions[lower]) / (positions[upper] - positions[lower])).astype(np.float32)
    out = data[lower] * (1 - weight)[:, None, None] + data[upper] * weight[:, None, None]
    return out.astype(np.float32), float(step)
