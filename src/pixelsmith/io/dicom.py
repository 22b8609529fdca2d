"""Read a CT series (a folder of slices, or one Enhanced multi-frame file) into a `Volume` (HU, patient mm).

Compressed transfer syntaxes (JPEG Lossless, JPEG-LS, JPEG 2000, RLE) decode
through pydicom's pixel-data plugins, which the ``[dicom]`` extra installs.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_allocation, check_choice, require

__all__ = ["read_dicom_series", "list_dicom_series"]

# Slices whose spacing differs from the median by more than this fraction are "uneven"
_SPACING_TOLERANCE = 0.01

# Enhanced (multi-frame) files keep per-slice attributes in functional groups: (sequence, attributes in it)
_FUNCTIONAL_GROUPS = (
    ("PlanePositionSequence", ("ImagePositionPatient",)),
    ("PlaneOrientationSequence", ("ImageOrientationPatient",)),
    ("PixelMeasuresSequence", ("PixelSpacing", "SliceThickness")),
    ("PixelValueTransformationSequence", ("RescaleSlope", "RescaleIntercept")),
)


@dataclass(frozen=True)
class _Slice:
    """One plane of the volume: its checked header and how to read its stored values."""

    label: str  # a file name, or "file.dcm frame 12", for error messages
    header: Any  # a pydicom Dataset holding this plane's geometry and rescale
    read: Callable[[], np.ndarray]  # stored values of this plane, 2-D


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


def _frame_count(ds: Any) -> int:
    try:
        return int(getattr(ds, "NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        return 1


def list_dicom_series(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """The image series in a folder: SeriesInstanceUID -> {description, modality, slices}.

    Parameters
    ----------
    path : str or path-like
        A folder (searched recursively) or one DICOM file.

    Returns
    -------
    dict
        SeriesInstanceUID -> ``{"description", "modality", "slices"}`` (frames
        of a multi-frame file count as slices).

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> list(list_dicom_series(get_testdata_file("CT_small.dcm")).values())
    [{'description': '', 'modality': 'CT', 'slices': 1}]
    """
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
        entry["slices"] += _frame_count(ds)
    return series


def read_dicom_series(
    path: str | os.PathLike,
    *,
    series: str | None = None,
    uneven: str = "error",
    progress: Callable[[int, int], None] | None = None,
):
    """Read one CT series into a `Volume` of Hounsfield units (float32), indexed (slice, row, col).

    Parameters
    ----------
    path : str or path-like
        A folder of DICOM files (searched recursively), one slice file, or one
        Enhanced (multi-frame) CT file.
    series : str, optional
        The SeriesInstanceUID to read when the folder holds several (the error
        lists them).
    uneven : {'error', 'resample'}
        Missing or unevenly spaced slices are an error, or are resampled onto
        an even grid (linear interpolation).
    progress : callable, optional
        Called as ``progress(done, total)`` while reading headers and pixels.

    Returns
    -------
    Volume
        HU voxels with spacing, origin and direction in patient mm (LPS).

    Notes
    -----
    - Non-DICOM and non-image files in the folder are skipped with a warning.
    - Slices are sorted by their position along the slice normal
      (ImageOrientationPatient row x column cosines, dotted with
      ImagePositionPatient), never by file name.
    - RescaleSlope / RescaleIntercept are applied per slice.
    - Spacing: PixelSpacing for rows and columns; between slices, the measured
      distance of the positions (not SliceThickness, which may differ; a single
      slice falls back to SliceThickness).
    - The Volume's origin is the first slice's ImagePositionPatient and its
      direction holds the slice normal and the orientation cosines, so oblique
      acquisitions keep their geometry.
    - Enhanced multi-frame files: each frame's position, orientation, pixel
      spacing and rescale come from its per-frame functional groups (or the
      shared ones). Compressed pixel data (JPEG Lossless, JPEG-LS, JPEG 2000,
      RLE) is decoded by pydicom's plugins from the ``[dicom]`` extra.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> volume = read_dicom_series(get_testdata_file("CT_small.dcm"))
    >>> volume.shape, volume.units, volume.spacing.round(4).tolist()
    ((1, 128, 128), 'hu', [5.0, 0.6615, 0.6615])
    """
    pydicom = require("pydicom", "dicom", "reading DICOM")

    from ..volume import Volume

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
            f"{uid} ({getattr(items[0][1], 'SeriesDescription', '') or 'no description'}, "
            f"{sum(_frame_count(ds) for _, ds in items)} slices)"
            for uid, items in groups.items()
        )
        raise PixelsmithValueError(f"{str(folder)!r} holds {len(groups)} series; choose one with series=...: {listing}")
    if series is not None and series not in groups:
        raise PixelsmithValueError(f"series {series!r} is not in {str(folder)!r}; found: {', '.join(groups)}")
    slices = [
        plane
        for file_path, ds in groups[series if series is not None else next(iter(groups))]
        for plane in _planes_of(file_path, ds, pydicom)
    ]
    for plane in slices:
        _check_slice_header(plane.label, plane.header)
    first = slices[0].header
    sizes = {(int(s.header.Rows), int(s.header.Columns)) for s in slices}
    if len(sizes) > 1:
        raise PixelsmithValueError(f"the series mixes slice sizes {sorted(sizes)}; it cannot form one volume")
    orientation = np.asarray(first.ImageOrientationPatient, dtype=np.float64)
    row_dir, col_dir = orientation[:3], orientation[3:]  # along a row (columns grow), along a column (rows grow)
    for plane in slices:
        if not np.allclose(np.asarray(plane.header.ImageOrientationPatient, dtype=np.float64), orientation, atol=1e-4):
            raise PixelsmithValueError("the slices of the series have different ImageOrientationPatient")
    normal = np.cross(row_dir, col_dir)
    normal /= np.linalg.norm(normal)
    positions = np.array([np.dot(np.asarray(s.header.ImagePositionPatient, dtype=np.float64), normal) for s in slices])
    order = np.argsort(positions, kind="stable")
    slices = [slices[i] for i in order]
    positions = positions[order]
    if len(positions) > 1 and np.min(np.diff(positions)) < 1e-6:
        raise PixelsmithValueError("two slices share a position; the series holds duplicates or several volumes")
    _check_spacing_and_tilt(slices, normal)

    pixel_spacing = np.asarray(first.PixelSpacing, dtype=np.float64)  # (between rows, between columns)
    rows, cols = sizes.pop()
    check_allocation(
        4.0 * len(slices) * rows * cols,
        "path",
        str(path),
        f"a volume of {len(slices)} slices of Rows x Columns {rows} x {cols} (float32), as the headers say "
        f"(the first: {slices[0].label})",
        "check Rows (0028,0010) and Columns (0028,0011) of the files, or read a smaller series",
    )
    data = np.empty((len(slices), rows, cols), np.float32)
    for n, plane in enumerate(slices):
        slope = float(getattr(plane.header, "RescaleSlope", 1.0))
        intercept = float(getattr(plane.header, "RescaleIntercept", 0.0))
        data[n] = plane.read().astype(np.float32) * np.float32(slope) + np.float32(intercept)
        if progress is not None:
            progress(n + 1, len(slices))

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
    origin = np.asarray(slices[0].header.ImagePositionPatient, dtype=np.float64)
    direction = np.column_stack([normal, col_dir, row_dir])
    spacing = np.array([step, pixel_spacing[0], pixel_spacing[1]])
    return Volume(np.ascontiguousarray(data, dtype=np.float32), spacing, origin, direction, "hu")


def _planes_of(file_path: Path, ds: Any, pydicom: Any) -> list[_Slice]:
    """The planes of one file: itself for a classic slice, every frame of an Enhanced multi-frame file."""
    frames = _frame_count(ds)
    if frames == 1:
        return [_Slice(file_path.name, ds, lambda: _decoded(file_path, pydicom, 1))]
    if "PerFrameFunctionalGroupsSequence" not in ds:
        raise _bad(
            file_path.name,
            "NumberOfFrames (0028,0008)",
            f"is {frames}, but the file has no PerFrameFunctionalGroupsSequence (5200,9230) placing each frame",
            "only Enhanced multi-frame CT files can be read as volumes; export the series as single-frame slices",
        )
    per_frame = ds.PerFrameFunctionalGroupsSequence
    if len(per_frame) != frames:
        raise _bad(
            file_path.name,
            "PerFrameFunctionalGroupsSequence (5200,9230)",
            f"has {len(per_frame)} items for {frames} frames",
        )
    shared = ds.SharedFunctionalGroupsSequence[0] if ds.get("SharedFunctionalGroupsSequence") else None
    all_frames = functools.lru_cache(maxsize=1)(lambda: _decoded(file_path, pydicom, frames))
    return [
        _Slice(f"{file_path.name} frame {k + 1}", _frame_header(ds, shared, per_frame[k]), lambda k=k: all_frames()[k])
        for k in range(frames)
    ]


def _frame_header(ds: Any, shared: Any, frame: Any) -> Any:
    """A flat header for one frame: the file's image attributes plus the frame's functional groups."""
    from pydicom.dataset import Dataset

    header = Dataset()
    for keyword in ("Rows", "Columns", "SamplesPerPixel", "PhotometricInterpretation", "SliceThickness"):
        if keyword in ds:
            setattr(header, keyword, ds.data_element(keyword).value)
    for sequence, keywords in _FUNCTIONAL_GROUPS:
        for source in (shared, frame):  # the frame's own group wins over the shared one
            if source is not None and source.get(sequence):
                item = source.data_element(sequence).value[0]
                for keyword in keywords:
                    if keyword in item:
                        setattr(header, keyword, item.data_element(keyword).value)
    return header


def _bad(label: str, tag: str, problem: str, fix: str = "fix or remove that file") -> PixelsmithValueError:
    return PixelsmithValueError(f"{label}: {tag} {problem}; {fix}")


def _numbers(ds: Any, keyword: str, count: int, label: str, tag: str) -> np.ndarray:
    """A header's numeric values, exactly `count` of them and finite, or a clear error naming file and tag."""
    if keyword not in ds or ds.data_element(keyword).value in (None, ""):
        raise _bad(label, tag, "is missing", "the slice cannot be placed in the volume; fix or remove that file")
    try:
        values = np.asarray(ds.data_element(keyword).value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise _bad(label, tag, f"is not numeric ({ds.data_element(keyword).value!r})") from None
    if values.size != count or not np.isfinite(values).all():
        raise _bad(label, tag, f"must hold {count} finite numbers, got {values.tolist()}")
    return values


def _check_slice_header(label: str, ds: Any) -> None:
    """The geometry of one slice: position, orientation (unit, orthogonal cosines), pixel spacing (> 0)."""
    _numbers(ds, "ImagePositionPatient", 3, label, "ImagePositionPatient (0020,0032)")
    cosines = _numbers(ds, "ImageOrientationPatient", 6, label, "ImageOrientationPatient (0020,0037)")
    row_dir, col_dir = cosines[:3], cosines[3:]
    if (
        abs(np.linalg.norm(row_dir) - 1) > 1e-3
        or abs(np.linalg.norm(col_dir) - 1) > 1e-3
        or abs(np.dot(row_dir, col_dir)) > 1e-3
    ):
        raise _bad(
            label,
            "ImageOrientationPatient (0020,0037)",
            f"must be two orthogonal unit vectors, got {cosines.tolist()}",
        )
    spacing = _numbers(ds, "PixelSpacing", 2, label, "PixelSpacing (0028,0030)")
    if not (spacing > 0).all():
        raise _bad(label, "PixelSpacing (0028,0030)", f"must be > 0 mm, got {spacing.tolist()}")
    samples = int(getattr(ds, "SamplesPerPixel", 1) or 1)
    if samples != 1:
        raise _bad(
            label,
            "SamplesPerPixel (0028,0002)",
            f"is {samples} ({getattr(ds, 'PhotometricInterpretation', 'colour')}): a colour image, not a CT slice",
            "a CT series holds gray slices; remove the colour images (secondary captures) from the folder",
        )
    rescale = (("RescaleSlope", "RescaleSlope (0028,1053)"), ("RescaleIntercept", "RescaleIntercept (0028,1052)"))
    for keyword, tag in rescale:
        if keyword in ds:
            value = _numbers(ds, keyword, 1, label, tag)[0]
            if abs(value) > 1e6 or (keyword == "RescaleSlope" and value == 0):
                raise _bad(label, tag, f"is {value:g}, not a plausible CT rescale")


def _check_spacing_and_tilt(slices: list, normal: np.ndarray) -> None:
    """Refuse what one Volume cannot hold without a silent error: slices with different PixelSpacing, and
    slices stacked off their normal (a tilted gantry makes a sheared volume)."""
    spacings = {tuple(np.round(np.asarray(s.header.PixelSpacing, dtype=np.float64), 6)) for s in slices}
    if len(spacings) > 1:
        raise PixelsmithValueError(
            f"the slices of the series have different PixelSpacing (0028,0030): {sorted(spacings)}; one volume "
            "needs one pixel size: resample the slices to one spacing first (or read one series of them)"
        )
    if len(slices) < 2:
        return
    first = np.asarray(slices[0].header.ImagePositionPatient, dtype=np.float64)
    last = np.asarray(slices[-1].header.ImagePositionPatient, dtype=np.float64)
    step = last - first
    along = float(np.dot(step, normal))
    sideways = float(np.linalg.norm(step - along * normal))
    tilt = float(np.degrees(np.arctan2(sideways, abs(along))))
    if tilt > 0.5:  # a gantry tilt shifts each slice sideways: the voxel grid is sheared
        said = slices[0].header.get("GantryDetectorTilt")
        recorded = f" (GantryDetectorTilt (0018,1120) says {float(said):g} degrees)" if said is not None else ""
        raise PixelsmithValueError(
            f"the slices are stacked {tilt:.1f} degrees off their normal{recorded}: a tilted-gantry series is a "
            "sheared grid, which a Volume (orthogonal axes) would place wrongly; resample it onto an "
            "orthogonal grid first (e.g. SimpleITK.Resample, then Volume.from_simpleitk)"
        )


def _decoded(file_path: Path, pydicom: Any, frames: int) -> np.ndarray:
    """The stored values of a file, (rows, cols) or (frames, rows, cols), or a clear error naming the file."""
    try:
        ds = pydicom.dcmread(file_path)
    except Exception as exc:  # a file whose header read fine but whose rest is truncated
        raise _bad(file_path.name, "the file", f"cannot be read to its end ({exc})") from None
    if "PixelData" not in ds:
        raise _bad(file_path.name, "PixelData (7FE0,0010)", "is missing")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plugin chatter about unused options
            pixels = ds.pixel_array
    except Exception as exc:  # truncated data, a compressed syntax without its decoder, ...
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", str(syntax))
        if syntax is not None and not getattr(syntax, "is_transfer_syntax", True):
            raise _bad(
                file_path.name,
                "TransferSyntaxUID (0002,0010)",
                f"is {str(syntax)!r}, which is not a DICOM transfer syntax, so its pixels cannot be decoded",
                "rewrite the file with a standard syntax (e.g. gdcmconv --raw) or remove it",
            ) from None
        hint = (
            'install the decoders for it: pip install "pixelsmith[dicom]" '
            "(pylibjpeg, pylibjpeg-libjpeg, pylibjpeg-openjpeg, pyjpegls)"
            if syntax is not None and syntax.is_compressed
            else "the file is damaged; fix or remove it"
        )
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _bad(file_path.name, "PixelData (7FE0,0010)", f"cannot be decoded ({name}: {message})", hint) from None
    expected = (frames, int(ds.Rows), int(ds.Columns)) if frames > 1 else (int(ds.Rows), int(ds.Columns))
    if pixels.shape != expected:
        raise _bad(file_path.name, "PixelData (7FE0,0010)", f"decodes to shape {pixels.shape}, not {expected}")
    return pixels


def _resample_slices(data: np.ndarray, positions: np.ndarray, step: float) -> tuple[np.ndarray, float]:
    """Linear interpolation along the slice axis onto an even grid from the first to the last position."""
    count = int(round((positions[-1] - positions[0]) / step)) + 1
    grid = positions[0] + np.arange(count) * step
    upper = np.clip(np.searchsorted(positions, grid, side="right"), 1, len(positions) - 1)
    lower = upper - 1
    weight = ((grid - positions[lower]) / (positions[upper] - positions[lower])).astype(np.float32)
    out = data[lower] * (1 - weight)[:, None, None] + data[upper] * weight[:, None, None]
    return out.astype(np.float32), float(step)
