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

    The axis order is numpy's: ``data[slice, row, col]``, and `spacing` is
    (slice, row, col) too. SimpleITK and ITK state sizes and spacings the other
    way round, (x, y, z) = (col, row, slice): a CT with 0.7 mm pixels and 2.5 mm
    slices is ``spacing == [2.5, 0.7, 0.7]`` here and ``GetSpacing() ==
    (0.7, 0.7, 2.5)`` there. `to_simpleitk` and `from_simpleitk` convert.

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

    def to_simpleitk(self) -> Any:
        """This volume as a ``SimpleITK.Image`` (float32), placed where it is (the [simpleitk] extra).

        SimpleITK's index (x, y, z) is this volume's (col, row, slice); spacing,
        origin and direction are converted so every voxel lands on the same
        patient point (ITK works in LPS, as DICOM and pixelsmith do).

        Returns
        -------
        SimpleITK.Image

        Examples
        --------
        >>> import numpy as np
        >>> vol = Volume.from_array(np.zeros((10, 20, 30)), (2.5, 0.7, 0.7))
        >>> image = vol.to_simpleitk()
        >>> image.GetSize(), image.GetSpacing()
        ((30, 20, 10), (0.7, 0.7, 2.5))
        >>> Volume.from_simpleitk(image).spacing.tolist()
        [2.5, 0.7, 0.7]
        """
        sitk = _simpleitk("Volume.to_simpleitk")
        image = sitk.GetImageFromArray(self.data)  # numpy (slice, row, col) is ITK's (x, y, z) reversed
        image.SetSpacing([float(v) for v in self.spacing[::-1]])
        image.SetOrigin([float(v) for v in self.origin])
        image.SetDirection([float(v) for v in self.direction[:, ::-1].ravel()])  # columns: x, y, z index axes
        return image

    @classmethod
    def from_simpleitk(cls, image: Any, *, units: str = "hu") -> Volume:
        """A Volume from a 3-D ``SimpleITK.Image`` (as ``sitk.ReadImage`` or a series reader gives it).

        Parameters
        ----------
        image : SimpleITK.Image
            Scalar, 3-D.
        units : {'hu', 'mu'}, default 'hu'
            What the voxel values are.

        Returns
        -------
        Volume
            Indexed (slice, row, col) = ITK's (z, y, x); see `to_simpleitk`.
        """
        sitk = _simpleitk("Volume.from_simpleitk")
        if not isinstance(image, sitk.Image):
            raise PixelsmithValueError(f"`image` must be a SimpleITK.Image, got {type(image).__name__}")
        if image.GetDimension() != 3 or image.GetNumberOfComponentsPerPixel() != 1:
            raise PixelsmithValueError(
                f"`image` must be a 3-D scalar image, got {image.GetDimension()}-D with "
                f"{image.GetNumberOfComponentsPerPixel()} components per voxel"
            )
        data = sitk.GetArrayFromImage(image)  # (z, y, x) = (slice, row, col)
        spacing = np.asarray(image.GetSpacing(), dtype=np.float64)[::-1]
        direction = np.asarray(image.GetDirection(), dtype=np.float64).reshape(3, 3)[:, ::-1]
        return cls(data, spacing, np.asarray(image.GetOrigin(), dtype=np.float64), direction, units)


def _simpleitk(what: str) -> Any:
    from ._validate import require

    return require("SimpleITK", "simpleitk", what)


def _vector(value: Any, name: str, count: int) -> np.ndarray:
    try:
        vector = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise PixelsmithValueError(f"`{name}` must be {count} numbers, got {value!r}") from None
    if vector.size != count or not np.isfinite(vector).all():
        raise PixelsmithValueError(f"`{name}` must be {count} finite numbers, got {value!r}")
    return vector
