"""NIfTI volumes (nibabel) as `Volume`s, with the RAS affine converted to DICOM's patient LPS axes.

A NIfTI array is indexed (i, j, k) and its affine maps those indices to RAS
millimetres (+x towards the patient's Right, +y Anterior, +z Superior).
pixelsmith's `Volume` is indexed (slice, row, col) = (k, j, i) in DICOM's LPS
axes (+x Left, +y Posterior, +z Superior). The frames differ by the sign of x
and y: ``LPS = diag(-1, -1, 1) @ RAS``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithTypeError, PixelsmithValueError, check_choice, require
from ._atomic import atomic_path

__all__ = ["read_nifti", "write_nifti", "is_nifti_path"]

_RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0])
# NIfTI spatial units -> millimetres; files that say nothing ("unknown") are taken as mm, as every tool does
_UNIT_TO_MM = {"mm": 1.0, "meter": 1000.0, "micron": 1e-3, "unknown": 1.0}


def is_nifti_path(path: str | os.PathLike) -> bool:
    """True for ``.nii`` and ``.nii.gz`` names."""
    name = str(path).lower()
    return name.endswith(".nii") or name.endswith(".nii.gz")


def read_nifti(path: str | os.PathLike, *, units: str = "hu"):
    """Read a NIfTI-1/2 file (``.nii``, ``.nii.gz``) into a `Volume`.

    Parameters
    ----------
    path : str or path-like
        The file.
    units : {'hu', 'mu'}, default 'hu'
        What the voxel values are: Hounsfield units (CT converted from DICOM)
        or linear attenuation per mm. NIfTI does not record it.

    Returns
    -------
    Volume
        float32 voxels (``scl_slope``/``scl_inter`` applied) indexed
        (slice, row, col) = the file's (k, j, i), with spacing, origin and
        direction from the affine (sform, else qform) in patient LPS mm.

    Notes
    -----
    A 4-D file is read when its fourth axis has length 1. Affines with shear
    cannot be a `Volume` (orthogonal axes) and are refused. Lengths in metres
    or microns (``xyzt_units``) are converted to mm.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from pixelsmith.xray import Volume
    >>> from pixelsmith.io import read_nifti, write_nifti
    >>> volume = Volume.from_array(np.arange(24.0).reshape(2, 3, 4), (2.0, 1.0, 0.5))
    >>> path = write_nifti(os.path.join(tempfile.mkdtemp(), "ct.nii.gz"), volume)
    >>> back = read_nifti(path)
    >>> back.shape, back.spacing.tolist(), bool(np.allclose(back.affine, volume.affine))
    ((2, 3, 4), [2.0, 1.0, 0.5], True)
    """
    nibabel = require("nibabel", "nifti", "reading NIfTI volumes")
    from ..volume import Volume

    check_choice(units, "units", ("hu", "mu"))
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"input {str(p)!r} does not exist")
    try:
        image = nibabel.load(p)
        data = np.asanyarray(image.dataobj)  # scaling applied, native order
    except Exception as exc:  # nibabel raises several types for damaged files
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PixelsmithValueError(f"input {str(p)!r} could not be read as NIfTI ({message})") from None
    if data.ndim == 4 and data.shape[3] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise PixelsmithValueError(
            f"input {str(p)!r} holds an array of shape {data.shape}; a volume needs 3 axes (i, j, k)"
        )
    if data.dtype.kind not in "biuf":
        raise PixelsmithTypeError(f"input {str(p)!r} holds {data.dtype} voxels; a volume needs numbers")
    affine = np.asarray(image.affine, dtype=np.float64)
    space_unit = image.header.get_xyzt_units()[0] if hasattr(image.header, "get_xyzt_units") else "mm"
    affine[:3] *= _UNIT_TO_MM.get(space_unit, 1.0)
    steps = _RAS_TO_LPS @ affine[:3, :3]  # patient step per index i, j, k
    # (slice, row, col) = (k, j, i)
    volume_steps = steps[:, ::-1]
    spacing = np.linalg.norm(volume_steps, axis=0)
    if not (np.isfinite(volume_steps).all() and (spacing > 0).all()):
        raise PixelsmithValueError(f"input {str(p)!r} has a degenerate affine {np.round(affine, 4).tolist()}")
    direction = volume_steps / spacing
    if not np.allclose(direction.T @ direction, np.eye(3), atol=1e-4):
        raise PixelsmithValueError(
            f"input {str(p)!r}: its affine has shear (the voxel axes are not orthogonal); resample it onto an "
            "orthogonal grid first (e.g. with nibabel.processing.resample_to_output)"
        )
    voxels = np.ascontiguousarray(np.transpose(data, (2, 1, 0)), dtype=np.float32)
    return Volume(voxels, spacing, _RAS_TO_LPS @ affine[:3, 3], direction, units)


def write_nifti(path: str | os.PathLike, volume: Any, *, dtype: str = "auto") -> Path:
    """Write a `Volume` as NIfTI-1 (``.nii`` or ``.nii.gz``), atomically.

    The voxels are stored (i, j, k) = (col, row, slice), and the affine in RAS
    (sform and qform), so other tools (ITK-SNAP, 3D Slicer, nibabel) show the
    volume where DICOM placed it. See `read_nifti`.

    Integer voxels (CT in Hounsfield units, as DICOM stores them) are written as
    int16, with ``scl_inter`` shifting a range that does not fit int16 but
    spans at most 65536 values: half the size of float32, and every value kept.

    Parameters
    ----------
    path : str or path-like
        Destination ending in ``.nii`` or ``.nii.gz``.
    volume : Volume
        What to write.
    dtype : {'auto', 'int16', 'float32'}, default 'auto'
        'auto' stores int16 when every voxel is a whole number in a span of
        65536 values, float32 otherwise; 'int16' refuses voxels it would change.

    Returns
    -------
    pathlib.Path
        The destination.

    Examples
    --------
    See `read_nifti`.
    """
    nibabel = require("nibabel", "nifti", "writing NIfTI volumes")
    from ..volume import Volume

    if not isinstance(volume, Volume):
        raise PixelsmithTypeError(f"`volume` must be a pixelsmith.xray.Volume, got {type(volume).__name__}")
    if not is_nifti_path(path):
        raise PixelsmithValueError(f"`path` {str(path)!r} must end in .nii or .nii.gz")
    check_choice(dtype, "dtype", ("auto", "int16", "float32"))
    intercept = None if dtype == "float32" else _int16_intercept(volume.data)
    if dtype == "int16" and intercept is None:
        raise PixelsmithValueError(
            "`dtype` 'int16' would change voxels: they are not all whole numbers within a span of 65536 "
            "(or some are NaN); use dtype='float32' or 'auto'"
        )
    steps = volume.direction * volume.spacing[None, :]  # LPS step per (slice, row, col)
    affine = np.eye(4)
    affine[:3, :3] = _RAS_TO_LPS @ steps[:, ::-1]  # RAS step per (i, j, k) = (col, row, slice)
    affine[:3, 3] = _RAS_TO_LPS @ volume.origin
    voxels = np.transpose(volume.data, (2, 1, 0))
    if intercept is None:
        image = nibabel.Nifti1Image(voxels, affine)
    else:
        stored = np.empty(voxels.shape, np.int16)
        np.subtract(voxels, intercept, out=stored, casting="unsafe")  # exact: whole numbers within int16
        image = nibabel.Nifti1Image(stored, affine)
        image.header.set_slope_inter(1.0, float(intercept))
    image.header.set_xyzt_units("mm")
    image.header.set_sform(affine, code=1)  # scanner coordinates
    image.header.set_qform(affine, code=1)
    suffix = ".nii.gz" if str(path).lower().endswith(".gz") else ".nii"
    with atomic_path(path, suffix) as tmp:
        nibabel.save(image, tmp)
    return Path(path)


def _int16_intercept(data: np.ndarray) -> float | None:
    """The offset that stores `data` exactly as int16 (0 when it fits as is), or None when it cannot.

    Checked a slab of slices at a time, so no whole-volume temporary is made.
    """
    if data.size == 0 or data.dtype.kind not in "biuf":
        return None
    lo, hi = float(np.min(data)), float(np.max(data))
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > 65535:
        return None
    if data.dtype.kind == "f":
        slab = max(1, (1 << 22) // max(1, data[:1].size))
        for start in range(0, data.shape[0], slab):
            part = data[start : start + slab]
            if not np.array_equal(part, np.round(part)):
                return None
    return 0.0 if lo >= -32768 and hi <= 32767 else lo + 32768
