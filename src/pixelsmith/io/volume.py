"""`read_volume`: one entry point for CT volumes, whatever file they come in."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .._validate import check_choice
from .nifti import is_nifti_path, read_nifti

__all__ = ["read_volume"]


def read_volume(
    path: str | os.PathLike,
    *,
    series: str | None = None,
    uneven: str = "error",
    units: str = "hu",
    progress: Callable[[int, int], None] | None = None,
):
    """Read a CT volume from a DICOM series folder, one DICOM file (Enhanced multi-frame too), or NIfTI.

    Parameters
    ----------
    path : str or path-like
        A folder of DICOM slices; a single DICOM file (one slice, or an
        Enhanced multi-frame CT); or a ``.nii`` / ``.nii.gz`` file.
    series : str, optional
        DICOM only: the SeriesInstanceUID when the folder holds several.
    uneven : {'error', 'resample'}
        DICOM only: what to do with missing or unevenly spaced slices.
    units : {'hu', 'mu'}, default 'hu'
        NIfTI only (DICOM CT is always HU): what the voxel values are.
    progress : callable, optional
        DICOM only: ``progress(done, total)`` while reading.

    Returns
    -------
    Volume
        Voxels indexed (slice, row, col) in patient LPS millimetres, the DICOM
        convention; NIfTI's RAS affine is converted (x and y change sign).

    See Also
    --------
    pixelsmith.io.read_dicom_series, pixelsmith.io.read_nifti

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> from pixelsmith.io import read_volume
    >>> read_volume(get_testdata_file("CT_small.dcm")).shape
    (1, 128, 128)
    """
    check_choice(units, "units", ("hu", "mu"))
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"input {str(p)!r} does not exist")
    if p.is_file() and is_nifti_path(p):
        return read_nifti(p, units=units)
    from .dicom import read_dicom_series

    return read_dicom_series(p, series=series, uneven=uneven, progress=progress)
