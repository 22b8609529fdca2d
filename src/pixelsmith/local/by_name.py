"""One moving-window statistic chosen by name: what a command line, a config file or a loop over
statistics holds, without a table of functions of its own."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_choice
from ..types import ArrayLike, Crop, Mode, NanPolicy, PercentileMethod, Statistic
from . import moments, order

__all__ = ["STATISTICS", "local_stat", "local_stat_dtype"]

STATISTICS: tuple[str, ...] = get_args(Statistic)


@fill_doc
def local_stat(
    image: ArrayLike,
    stat: Statistic,
    size: int | tuple[int, ...] = 3,
    *,
    q: float = 50.0,
    ddof: float = 0.0,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
    method: PercentileMethod = "linear",
):
    """The moving-window statistic named `stat`: ``local_stat(img, "std", 5)`` is ``local_std(img, 5)``.

    Parameters
    ----------
    {image}
    stat : {{'mean', 'sum', 'var', 'std', 'min', 'max', 'count', 'median', 'percentile', 'range', \
'majority', 'variety'}}
        The statistic; each is the function ``local_<stat>``, whose docstring
        says what it computes.
    {size}
    q : float, default 50.0
        Percentile in 0..100, for ``stat='percentile'`` only.
    ddof : float, default 0.0
        Delta degrees of freedom, for 'var' and 'std' only.
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    {dtype}
    method : str, default 'linear'
        How a percentile lies between order statistics, for 'percentile' only
        (see `local_percentile`: numpy's names, or 'scipy').

    Returns
    -------
    numpy.ndarray, dask.array.Array or xarray.DataArray
        As the function ``local_<stat>`` returns it.

    Examples
    --------
    >>> import numpy as np
    >>> import pixelsmith as ps
    >>> image = np.arange(12.0).reshape(3, 4)
    >>> bool(np.array_equal(ps.local_stat(image, "std", 3), ps.local_std(image, 3)))
    True
    >>> ps.local_stat(np.array([1.0, 5.0, 2.0, 8.0]), "percentile", 3, q=100)
    array([5., 5., 8., 8.])
    """
    check_choice(stat, "stat", STATISTICS)
    options = dict(footprint=footprint, mode=mode, cval=cval, crop=crop, nan_policy=nan_policy, axes=axes, dtype=dtype)
    if stat != "percentile" and q != 50.0:
        raise _unused("q", q, stat, "percentile")
    if stat != "percentile" and method != "linear":
        raise _unused("method", method, stat, "percentile")
    if stat not in ("var", "std") and ddof != 0.0:
        raise _unused("ddof", ddof, stat, "var or std")
    if stat in ("var", "std"):
        return getattr(moments, f"local_{stat}")(image, size, ddof=ddof, **options)
    if stat == "percentile":
        return order.local_percentile(image, q, size, method=method, **options)
    module = moments if hasattr(moments, f"local_{stat}") else order
    return getattr(module, f"local_{stat}")(image, size, **options)


def local_stat_dtype(
    shape: tuple[int, ...],
    image_dtype: Any,
    stat: Statistic,
    size: int | tuple[int, ...] = 3,
    *,
    q: float = 50.0,
    ddof: float = 0.0,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
    method: PercentileMethod = "linear",
) -> np.dtype:
    """Check a `local_stat` call on an image of `shape` and `image_dtype` without computing it.

    Every argument is checked as `local_stat` checks it (a window too large
    for memory is refused here, before any pixel is read), and the dtype of the
    result comes back: a tool can refuse an output format that cannot hold
    it before it reads a large file.

    Parameters
    ----------
    shape : tuple of int
        The image's shape.
    image_dtype : dtype
        The image's dtype.
    stat, size, q, ddof, footprint, mode, cval, crop, nan_policy, axes, dtype
        As for `local_stat`.

    method : str, default 'linear'
        The percentile's method, checked as `local_percentile` checks it.

    Returns
    -------
    numpy.dtype
        The dtype `local_stat` would return.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith.local import local_stat_dtype
    >>> local_stat_dtype((4000, 4000), np.uint8, "max", 5)
    dtype('float64')
    >>> local_stat_dtype((4000, 4000), np.uint8, "max", 5, dtype=np.uint8)
    dtype('uint8')
    """
    from ._plan import window_spec

    check_choice(stat, "stat", STATISTICS)
    name = "percentile" if stat == "median" else stat
    spec = window_spec(
        name,
        tuple(shape),
        np.dtype(image_dtype),
        size,
        footprint,
        mode,
        cval,
        crop,
        nan_policy,
        axes,
        dtype,
        ddof,
        q,
        method=method,
        in_memory=True,
    )  # fmt: skip  (a dtype query allocates nothing: any window size is answered)
    return spec.out_dtype


def _unused(name: str, value: float, stat: str, which: str) -> Exception:
    from .._validate import PixelsmithValueError

    return PixelsmithValueError(f"`{name}` {value!r} applies to stat={which} only, not {stat!r}; leave it out")
