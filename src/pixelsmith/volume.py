"""A CT volume in patient millimetres: voxels, spacing, origin and orientation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import PixelsmithValueError, as_image_array, check_choice

__all__ = ["Volume"]


@dataclass(frozen=True)
class Volume:
    """Voxels indexed (slice, row, col) with their place in patient space (mm, DICOM LPS axes).

    Attributes
    ----------
    data : numpy.ndarray, (S, R, C) float32
        HU (``units="hu"``, from DICOM) or linear attenuation per mm (``units="mu"``).
    spacing : numpy.ndarray, (3,)
        Millimetres between voxel centres along (slice, row, col).
    origin : numpy.ndarray, (3,)
        Patient position (x, y, z mm) of the centre of voxel (0, 0, 0).
    direction : numpy.ndarray, (3, 3)
        Unit vectors, as columns, of the slice, row and column index axes in
        patient space (DICOM: the slice normal, ImageOrientationPatient[3:6],
        ImageOrientationPatient[0:3]).
    units : {'hu', 'mu'}
    """

    data: np.ndarray
    spacing: np.ndarray
    origin: np.ndarray
    direction: np.ndarray
    units: str = "hu"

    def __post_init__(self) -> None:
        """A hand-built Volume is checked like one from `from_array` or a DICOM series."""
        data = as_image_array(
            self.data,
            "data",
            ndim=3,
            allow_dask="a volume is projected from memory",
            allow_bool=False,
            hint="a volume is indexed (slice, row, col)",
        )
        check_choice(self.units, "units", ("hu", "mu"))
        spacing = _vector(self.spacing, "spacing", 3)
        if not (spacing > 0).all():
            raise PixelsmithValueError(f"`spacing` must be three distances > 0 mm, got {spacing.tolist()}")
        origin = _vector(self.origin, "origin", 3)
        try:
            direction = np.asarray(self.direction, dtype=np.float64)
        except (TypeError, ValueError):
            raise PixelsmithValueError(
                f"`direction` must be a 3 x 3 matrix of numbers, got {self.direction!r}"
            ) from None
        if (
            direction.shape != (3, 3)
            or not np.isfinite(direction).all()
            or not np.allclose(direction.T @ direction, np.eye(3), atol=1e-4)
        ):
            raise PixelsmithValueError(
                "`direction` must hold three orthogonal unit vectors as columns (the slice, row and column "
                f"axes in patient space), got {np.round(direction, 4).tolist()}; np.eye(3) for an axis-aligned volume"
            )
        # frozen dataclass: store the checked, normalized fields
        object.__setattr__(self, "data", np.asarray(data, dtype=np.float32))
        object.__setattr__(self, "spacing", spacing)
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "direction", direction)

    @property
    def affine(self) -> np.ndarray:
        """4 x 4 matrix from (slice, row, col, 1) indices to patient (x, y, z, 1) mm."""
        out = np.eye(4)
        out[:3, :3] = self.direction * self.spacing[None, :]
        out[:3, 3] = self.origin
        return out

    @property
    def center(self) -> np.ndarray:
        """Patient position of the volume's centre."""
        middle = (np.asarray(self.data.shape, dtype=np.float64) - 1) / 2
        return self.origin + (self.direction * self.spacing[None, :]) @ middle

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.data.shape)

    @classmethod
    def from_array(
        cls, a: Any, spacing: Any = (1.0, 1.0, 1.0), *, units: str = "hu", origin: Any = None, direction: Any = None
    ) -> Volume:
        """A Volume from a plain (slice, row, col) array.

        Default orientation: slices along patient z (superior), rows along y
        (posterior), columns along x (left); default origin puts the volume's
        centre at (0, 0, 0).

        Examples
        --------
        >>> import numpy as np
        >>> vol = Volume.from_array(np.zeros((10, 20, 30)), (2.0, 1.0, 1.0), units="mu")
        >>> vol.center.tolist(), vol.affine[:3, 0].tolist()
        ([0.0, 0.0, 0.0], [0.0, 0.0, 2.0])
        """
        arr = as_image_array(
            a, "a", ndim=3, allow_dask="a volume is projected from memory", hint="a volume is indexed (slice, row, col)"
        )
        check_choice(units, "units", ("hu", "mu"))
        sp = np.asarray(spacing, dtype=np.float64)
        if sp.shape != (3,) or not (np.isfinite(sp).all() and (sp > 0).all()):
            raise PixelsmithValueError(f"`spacing` must be three positive millimetre values, got {spacing!r}")
        d = (
            np.array([[0.0, 0, 1], [0, 1, 0], [1, 0, 0]])
            if direction is None
            else np.asarray(direction, dtype=np.float64)
        )
        if d.shape != (3, 3) or not np.allclose(d.T @ d, np.eye(3), atol=1e-6):
            raise PixelsmithValueError("`direction` must be a 3 x 3 matrix with orthonormal columns")
        data = np.ascontiguousarray(arr, dtype=np.float32)
        if origin is None:
            middle = (np.asarray(data.shape, dtype=np.float64) - 1) / 2
            o = -(d * sp[None, :]) @ middle
        else:
            o = np.asarray(origin, dtype=np.float64)
            if o.shape != (3,) or not np.isfinite(o).all():
                raise PixelsmithValueError(f"`origin` must be three finite millimetre values, got {origin!r}")
        return cls(data, sp, o, d, units)


def _vector(value: Any, name: str, count: int) -> np.ndarray:
    try:
        vector = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise PixelsmithValueError(f"`{name}` must be {count} numbers, got {value!r}") from None
    if vector.size != count or not np.isfinite(vector).all():
        raise PixelsmithValueError(f"`{name}` must be {count} finite numbers, got {value!r}")
    return vector
