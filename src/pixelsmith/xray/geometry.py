"""Projection geometry in patient millimetres: an X-ray source point and a flat detector."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_finite_scalar

__all__ = ["Detector", "Geometry"]


def _vector(value: Any, name: str) -> np.ndarray:
    v = np.asarray(value, dtype=np.float64)
    if v.shape != (3,) or not np.isfinite(v).all():
        raise PixelsmithValueError(f"`{name}` must be three finite millimetre values (x, y, z), got {value!r}")
    return v


@dataclass(frozen=True)
class Detector:
    """A flat detector: pixel (row, col) has its centre at
    ``center + (col - (ncols - 1) / 2) * u + (row - (nrows - 1) / 2) * v``.

    `u` is one pixel step along a row (to the next column), `v` one pixel step
    down a column (to the next row), both in patient mm; their lengths are the
    pixel spacing. `shape` is (nrows, ncols).

    Attributes
    ----------
    center : numpy.ndarray, (3,)
        Patient position (mm) of the detector's centre.
    u, v : numpy.ndarray, (3,)
        One pixel step along a row and down a column (mm).
    shape : (int, int)
        (nrows, ncols).
    """

    center: np.ndarray
    u: np.ndarray
    v: np.ndarray
    shape: tuple[int, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "center", _vector(self.center, "center"))
        object.__setattr__(self, "u", _vector(self.u, "u"))
        object.__setattr__(self, "v", _vector(self.v, "v"))
        shape = tuple(int(s) for s in self.shape)
        if len(shape) != 2 or min(shape) < 1:
            raise PixelsmithValueError(f"detector `shape` must be (rows, cols) >= 1, got {self.shape!r}")
        object.__setattr__(self, "shape", shape)
        if np.linalg.norm(np.cross(self.u, self.v)) < 1e-12 * np.linalg.norm(self.u) * np.linalg.norm(self.v):
            raise PixelsmithValueError("detector `u` and `v` must not be parallel (or zero)")

    def pixel_centers(self, rows: slice = slice(None), cols: slice = slice(None)) -> np.ndarray:
        """Patient positions (..., 3) of the pixel centres of a block of the detector."""
        r = np.arange(self.shape[0])[rows] - (self.shape[0] - 1) / 2
        c = np.arange(self.shape[1])[cols] - (self.shape[1] - 1) / 2
        return self.center + r[:, None, None] * self.v + c[None, :, None] * self.u


@dataclass(frozen=True)
class Geometry:
    """One view: the source point and the detector, in patient mm.

    Attributes
    ----------
    source : numpy.ndarray, (3,)
        The X-ray source, patient mm.
    detector : Detector
        Where the rays land. `Geometry.c_arm` builds a radiograph view.
    """

    source: np.ndarray
    detector: Detector

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", _vector(self.source, "source"))
        normal = np.cross(self.detector.u, self.detector.v)
        if abs(float(np.dot(self.source - self.detector.center, normal))) < 1e-9 * np.linalg.norm(normal):
            raise PixelsmithValueError("the source lies in the detector's plane; no ray can reach the detector")

    def projection_matrix(self) -> np.ndarray:
        """3 x 4 matrix P with ``P @ (x, y, z, 1) = w (row, col, 1)``: where a patient point lands.

        (row, col) are detector pixel indices, integers at pixel centres (as
        `Detector`). Points on the source side of the detector's plane have w > 0.

        Examples
        --------
        >>> import numpy as np
        >>> det = Detector(center=(0, 500, 0), u=(1, 0, 0), v=(0, 0, -1), shape=(101, 101))
        >>> p = Geometry(source=(0, -500, 0), detector=det).projection_matrix()
        >>> h = p @ np.array([10.0, 0.0, 0.0, 1.0])
        >>> (h[:2] / h[2]).round(6).tolist()     # 10 mm at the isocentre -> 20 px on the detector
        [50.0, 70.0]
        """
        d = self.detector
        basis = np.column_stack([d.v, d.u, d.center - self.source])  # (row, col, 1) ~ basis^-1 (X - S)
        inverse = np.linalg.inv(basis)
        shift = np.array([[1.0, 0, (d.shape[0] - 1) / 2], [0, 1, (d.shape[1] - 1) / 2], [0, 0, 1]])
        return shift @ inverse @ np.column_stack([np.eye(3), -self.source])

    @classmethod
    def c_arm(
        cls,
        volume: Any,
        sid: float = 1000.0,
        sdd: float = 1500.0,
        angle: float = 0.0,
        tilt: float = 0.0,
        *,
        shape: tuple[int, int] = (512, 512),
        pixel_spacing: float = 0.8,
    ) -> Geometry:
        """A radiograph / C-arm view around the volume's centre (the isocentre).

        At ``angle=0`` the beam runs anterior to posterior (an AP view): the
        source sits `sid` mm in front of the isocentre (patient -y, DICOM LPS),
        the detector `sdd` mm from the source behind the patient. Detector rows
        run from head to feet and columns from the patient's right to left, so
        the image reads like a radiograph facing the patient. `angle` (degrees)
        turns source and detector about the patient's long axis (90: beam from
        the patient's left to right, a lateral); `tilt` (degrees) turns them
        toward the head (cranial) about the detector's row direction.
        """
        try:
            center = np.asarray(getattr(volume, "center", volume), dtype=np.float64)
        except (TypeError, ValueError):
            center = np.empty(0)
        if center.shape != (3,) or not np.all(np.isfinite(center)):
            raise PixelsmithValueError(
                f"`volume` must be a Volume (or its centre, 3 finite patient-mm coordinates), got "
                f"{type(volume).__name__}{' of shape ' + str(np.shape(volume)) if hasattr(volume, 'shape') else ''}; "
                "pass the Volume the view is of (pixelsmith.io.read_volume, xray.phantom)"
            )
        sid = check_finite_scalar(sid, "sid")
        sdd = check_finite_scalar(sdd, "sdd")
        if not 0 < sid < sdd:
            raise PixelsmithValueError(f"need 0 < sid < sdd (source-isocentre < source-detector), got {sid}, {sdd}")
        spacing = check_finite_scalar(pixel_spacing, "pixel_spacing")
        if spacing <= 0:
            raise PixelsmithValueError(f"`pixel_spacing` must be > 0 mm, got {spacing}")
        a = math.radians(check_finite_scalar(angle, "angle"))
        t = math.radians(check_finite_scalar(tilt, "tilt"))
        spin = np.array([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0], [0.0, 0.0, 1.0]])
        # AP view before turning: beam along +y, columns along +x (patient left), rows along -z (feet)
        beam = np.array([0.0, 1.0, 0.0])
        u = np.array([1.0, 0.0, 0.0])
        v = np.array([0.0, 0.0, -1.0])
        lean = _rotation(u, t)
        beam, v = lean @ beam, lean @ v
        beam, u, v = spin @ beam, spin @ u, spin @ v
        source = center - sid * beam
        detector = Detector(center=source + sdd * beam, u=u * spacing, v=v * spacing, shape=shape)
        return cls(source=source, detector=detector)


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation matrix about a unit `axis` by `angle` radians."""
    x, y, z = axis / np.linalg.norm(axis)
    k = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * (k @ k)
