"""xarray.DataArray in, DataArray out: the one place that unwraps and rewraps labelled arrays.

Functions whose result has the input's shape return a DataArray with the
input's dims, coords, attrs and name (rioxarray's CRS and transform live in
those, so they travel too); a dask-backed DataArray stays lazy. What described
the input's stored values and no longer describes a computed result is dropped,
as xarray's own arithmetic does: the ``encoding`` (on-disk dtype, scale_factor,
_FillValue: rioxarray would otherwise write a float result back as int16) and
summary attributes (GDAL's ``STATISTICS_*``, ``actual_range``).

`axes` may name dimensions (``axes=("y", "x")``). Dimensions that index
separate images (`NOT_WINDOWED_DIMS`: band, time, channel) are left out of a
window unless `axes` names them, so a six-band Landsat scene is filtered band by
band. xarray itself is never imported here: an input is recognised by its type's
module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# dimensions that index separate images, never spanned by a window unless `axes` names them
NOT_WINDOWED_DIMS = frozenset({"band", "bands", "time", "channel", "channels"})

# attributes that summarise the input's values and are wrong for any computed result
_STALE_ATTRIBUTE_PREFIXES = ("STATISTICS_",)
_STALE_ATTRIBUTES = frozenset({"actual_range"})


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


def _takes_axes_default_none(func: Callable[..., Any]) -> bool:
    import inspect

    parameter = inspect.signature(func).parameters.get("axes")
    return parameter is not None and parameter.default is None


def windowed_dims(a: Any) -> tuple[int, ...] | None:
    """Axis numbers a default window spans: all but band/time/channel; None when that is every axis.

    When every dimension is one of those (a 1-D time series), the window spans them all.
    """
    kept = tuple(i for i, dim in enumerate(a.dims) if dim not in NOT_WINDOWED_DIMS)
    if not kept or len(kept) == a.ndim:
        return None
    return kept


def _spans_every_axis(value: Any, ndim: int) -> bool:
    """A per-axis size given for every dimension (``size=(1, 5, 5)``): the caller chose the window in full."""
    if value is None or isinstance(value, (int, float, str)):
        return False
    try:
        return len(value) == ndim
    except TypeError:
        return False


def _default_axes(a: Any, args: tuple, kwargs: dict, names: tuple[str, ...]) -> Any:
    """`axes` for a DataArray when the caller gave none: leave band/time/channel dimensions out.

    A size or footprint given for every dimension (``size=(1, 5, 5)``) already says what is spanned.
    """
    kept = windowed_dims(a)
    if kept is None:
        return None
    for position, name in enumerate(names):
        value = args[position] if position < len(args) else kwargs.get(name)
        if name == "footprint" and value is not None and getattr(value, "ndim", 0) == a.ndim:
            return None
        if name in ("size", "block") and _spans_every_axis(value, a.ndim):
            return None
    return kept


def _choose_axes(a: Any, args: tuple, kwargs: dict, names: tuple[str, ...], by_default: bool) -> None:
    """`axes` given by dimension name -> numbers; not given (and `by_default`) -> all but band/time/channel."""
    if kwargs.get("axes") is not None:
        kwargs["axes"] = _named_axes(a, kwargs["axes"])
    elif by_default:
        kwargs["axes"] = _default_axes(a, args, kwargs, names)


def result_like(a: Any, data: Any) -> Any:
    """`data` labelled as `a`: dims, coords, attrs and name kept; encoding and summary attributes dropped."""
    result = a.copy(data=data)  # dask data stays lazy
    result.encoding = {}
    result.attrs = fresh_attrs(a.attrs)
    return result


def fresh_attrs(attrs: dict) -> dict:
    """The attributes that still describe a result computed from the input."""
    return {
        key: value
        for key, value in attrs.items()
        if key not in _STALE_ATTRIBUTES and not str(key).startswith(_STALE_ATTRIBUTE_PREFIXES)
    }


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
    import inspect

    first = _first_parameter(func)
    names = tuple(inspect.signature(func).parameters)
    chooses_axes = _takes_axes_default_none(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        a, args, kwargs = _unwrapped(first, args, kwargs)
        if a is None:
            return func(*args, **kwargs)
        _choose_axes(a, args, kwargs, names, chooses_axes)
        for name in _ALIGNED_ARGUMENTS:
            if name in kwargs:
                kwargs[name] = _aligned(a, kwargs[name], name)
        result = func(*args, **kwargs)
        if getattr(result, "shape", None) == a.shape:
            return result_like(a, result)
        return result

    return wrapper  # type: ignore[return-value]


def coarsened(sizes_of: Callable[[Any, int, Any], tuple[int, ...]]) -> Callable[[F], F]:
    """Let a block reduction take a DataArray: the result's coordinates are the block centres.

    `sizes_of(block, ndim, axes)` gives the block length along every axis. A
    dimension coordinate becomes the mean of each block's coordinates (the
    centre of the block for a regular grid, so a GeoTIFF-like grid stays a grid
    with the block's pixel size); the partial last block of ``boundary="pad"``
    gets the mean of the coordinates it holds. Other coordinates along a reduced
    dimension are dropped. rioxarray's stored ``GeoTransform`` is dropped too,
    so rioxarray derives the coarser transform from the new coordinates.
    """

    def decorate(func: F) -> F:
        first = _first_parameter(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            a, args, kwargs = _unwrapped(first, args, kwargs)
            if a is None:
                return func(*args, **kwargs)
            _choose_axes(a, args, kwargs, ("image", "block"), True)
            result = func(*args, **kwargs)
            block = args[1] if len(args) > 1 else kwargs["block"]
            return _coarse_like(a, result, sizes_of(block, a.ndim, kwargs["axes"]))

        return wrapper  # type: ignore[return-value]

    return decorate


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
    return type(a)(result, dims=a.dims, coords=coords, attrs=fresh_attrs(a.attrs), name=a.name)
