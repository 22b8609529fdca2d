"""xarray.DataArray in, DataArray out: the one place that unwraps and rewraps labelled arrays.

Functions whose result has the input's shape return a DataArray with the
input's dims, coords, attrs and name (rioxarray's CRS and transform live in
those, so they travel too); a dask-backed DataArray stays lazy. `axes` may name
dimensions (``axes=("y", "x")``). xarray itself is never imported here: an
input is recognised by its type's module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def is_data_array(a: Any) -> bool:
    return type(a).__module__.startswith("xarray.") and type(a).__name__ == "DataArray"


def _named_axes(array: Any, axes: Any) -> Any:
    """Dimension names in `axes` -> axis numbers of `array`."""
    from ._validate import PixelsmithValueError

    if axes is None:
        return None
    single = isinstance(axes, str)
    items = [axes] if single else list(axes) if isinstance(axes, (tuple, list)) else [axes]
    numbers = []
    for item in items:
        if isinstance(item, str):
            if item not in array.dims:
                raise PixelsmithValueError(f"`axes` names dimension {item!r}, not one of {array.dims}")
            numbers.append(array.get_axis_num(item))
        else:
            numbers.append(item)
    return numbers[0] if single else tuple(numbers)


def _first_parameter(func: Callable[..., Any]) -> str:
    import inspect

    return next(iter(inspect.signature(func).parameters))


def _unwrapped(first: str, args: tuple, kwargs: dict) -> tuple[Any, tuple, dict]:
    """(the DataArray or None, the arguments with its data in its place)."""
    a = args[0] if args else kwargs.get(first)
    if not is_data_array(a):
        return None, args, kwargs
    if args:
        return a, (a.data, *args[1:]), kwargs
    return a, args, {**kwargs, first: a.data}


# per-pixel arguments that pair with the image pixel by pixel: a DataArray is matched by dimension name
_ALIGNED_ARGUMENTS = ("where", "mask")


def _aligned(a: Any, value: Any, name: str) -> Any:
    """A DataArray `value` (where=, mask=) in the image's dimension order, by name; plain arrays as they are.

    Pairing by position would pair (x, y) with (y, x) silently; names that differ from the image's are
    refused, as is a size that differs along a named dimension.
    """
    if not is_data_array(value):
        return value
    from ._validate import PixelsmithValueError

    if set(value.dims) != set(a.dims):
        raise PixelsmithValueError(
            f"`{name}` has dimensions {tuple(value.dims)} and the image {tuple(a.dims)}; a DataArray is paired "
            f"with the image by dimension name: rename its dimensions (or pass {name}.values to pair by position)"
        )
    value = value.transpose(*a.dims)
    if value.shape != a.shape:
        raise PixelsmithValueError(
            f"`{name}` has sizes {dict(value.sizes)} and the image {dict(a.sizes)}; they must match by name"
        )
    return value.data


def labelled(func: F) -> F:
    """Let `func` (first argument: the array, by position or by name) take and return xarray DataArrays."""
    first = _first_parameter(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        a, args, kwargs = _unwrapped(first, args, kwargs)
        if a is None:
            return func(*args, **kwargs)
        if "axes" in kwargs:
            kwargs["axes"] = _named_axes(a, kwargs["axes"])
        for name in _ALIGNED_ARGUMENTS:
            if name in kwargs:
                kwargs[name] = _aligned(a, kwargs[name], name)
        result = func(*args, **kwargs)
        if getattr(result, "shape", None) == a.shape:
            return a.copy(data=result)  # dims, coords, attrs and name kept; dask data stays lazy
        return result

    return wrapper  # type: ignore[return-value]


def coarsened(func: F) -> F:
    """Let a block reduction take a DataArray: the result's coordinates are the block centres.

    A dimension coordinate becomes the mean of each block's coordinates (the
    centre of the block for a regular grid, so a GeoTIFF-like grid stays a grid
    with the block's pixel size); the partial last block of ``boundary="pad"``
    gets the mean of the coordinates it holds. Other coordinates along a reduced
    dimension are dropped. rioxarray's stored ``GeoTransform`` is dropped too,
    so rioxarray derives the coarser transform from the new coordinates.
    """

    first = _first_parameter(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        a, args, kwargs = _unwrapped(first, args, kwargs)
        if a is None:
            return func(*args, **kwargs)
        result = func(*args, **kwargs)
        block = args[1] if len(args) > 1 else kwargs["block"]
        sizes = (block,) * a.ndim if isinstance(block, int) else tuple(block)
        return _coarse_like(a, result, sizes)

    return wrapper  # type: ignore[return-value]


def _coarse_like(a: Any, result: Any, sizes: tuple[int, ...]) -> Any:
    import numpy as np

    reduced = {dim for dim, size in zip(a.dims, sizes, strict=True) if size != 1}
    coords = {}
    for name, coord in a.coords.items():
        if name in a.dims and name in reduced:
            values = np.asarray(coord.values)
            if values.dtype.kind not in "iuf":
                continue
            size = sizes[a.dims.index(name)]
            count = result.shape[a.dims.index(name)]
            coords[name] = (name, [values[k * size : (k + 1) * size].mean() for k in range(count)], coord.attrs)
        elif not set(coord.dims) & reduced:
            attrs = {k: v for k, v in coord.attrs.items() if k != "GeoTransform"}
            coords[name] = (coord.dims, coord.values, attrs)
    return type(a)(result, dims=a.dims, coords=coords, attrs=dict(a.attrs), name=a.name)
