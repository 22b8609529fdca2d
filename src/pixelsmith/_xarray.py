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


def labelled(func: F) -> F:
    """Let `func` (first argument: the array) take and return xarray DataArrays."""

    @functools.wraps(func)
    def wrapper(a: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_data_array(a):
            return func(a, *args, **kwargs)
        if "axes" in kwargs:
            kwargs["axes"] = _named_axes(a, kwargs["axes"])
        result = func(a.data, *args, **kwargs)
        if getattr(result, "shape", None) == a.shape:
            return a.copy(data=result)  # dims, coords, attrs and name kept; dask data stays lazy
        return result

    return wrapper  # type: ignore[return-value]
