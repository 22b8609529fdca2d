"""Order statistics of moving windows: median, percentile, range, majority, variety, and any reduction.

The same signature family and engine as `pixelsmith.local` (modes, `crop`,
`axes`, footprints, N-D, `nan_policy`, dask in -> dask out bit for bit): each
window's values are gathered and reduced by a numba kernel (quickselect for
ranks), tiles in parallel threads. ``nan_policy="omit"`` really ignores NaN:
the statistic of the window's other values (NaN when it has none).
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

import numpy as np

from .._deprecate import renamed_keywords
from .._docstrings import fill_doc
from .._validate import PixelsmithTypeError, PixelsmithValueError, check_finite_scalar
from .._xarray import labelled
from ..types import ArrayLike, Crop, Mode, NanPolicy, PercentileMethod
from ._plan import run_statistic

__all__ = ["local_median", "local_percentile", "local_range", "local_majority", "local_variety", "local_apply"]

_JITTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Python function -> its numba compilation


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_median(
    image: ArrayLike,
    size: int | tuple[int, ...] = 3,
    *,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
):
    """Median of each moving window (the mean of the two middle values for an even count, as numpy).

    Parameters
    ----------
    {image}
    {size}
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    {dtype}

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Window medians; float32 input stays float32 (a median is one of the values, or the mean of two).

    Notes
    -----
    3 x 3 and 5 x 5 boxes of 2-D arrays use comparator networks: each column sorted once per row,
    then the median of the sorted columns, derived from Batcher's merge network [1]_ by pruning
    every comparator the median does not need and proved on every 0-1 input (the 3 x 3 one is the
    classic median of the largest column minimum, the median of medians and the smallest column
    maximum [2]_). Only min and max: exact in any dtype. Other windows use a ranked window kernel.

    References
    ----------
    .. [1] K. E. Batcher, "Sorting networks and their applications", AFIPS Spring Joint Computer
           Conference, 307-314 (1968). https://doi.org/10.1145/1468075.1468121
    .. [2] A. W. Paeth, "Median finding on a 3x3 grid", in Graphics Gems, A. S. Glassner (ed.), Academic
           Press, 171-175 (1990).

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_median
    >>> local_median(np.array([1.0, 9.0, 2.0, 8.0, 3.0]), 3)
    array([1., 2., 8., 3., 3.])
    >>> local_median(np.array([1.0, np.nan, 5.0, 6.0]), 3, nan_policy="omit")
    array([1. , 3. , 5.5, 6. ])
    """
    return run_statistic("percentile", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype, q=50.0)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_percentile(
    image: ArrayLike,
    q: float,
    size: int | tuple[int, ...] = 3,
    *,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
    method: PercentileMethod = "linear",
):
    """The `q`-th percentile of each moving window, numpy's way (linear interpolation) or scipy's.

    Parameters
    ----------
    {image}
    q : float
        Percentile in 0..100 (0 is the minimum, 50 the median, 100 the maximum).
    {size}
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    {dtype}
    method : {{'linear', 'lower', 'higher', 'nearest', 'midpoint', 'scipy'}}, default 'linear'
        Between which order statistics the percentile lies: numpy's methods of
        the same names (``np.percentile(window, q, method=...)``), or 'scipy',
        the rank ``int(n * q / 100)`` of scipy.ndimage.percentile_filter (``n -
        1`` at q = 100), which equals ``percentile_filter`` exactly and none of
        numpy's methods in general (on random data numpy's 'linear' differs
        from it at 97 % of the pixels).

    Returns
    -------
    numpy.ndarray or dask.array.Array
        ``np.percentile(window, q, method=method)`` for every window (``np.nanpercentile`` with 'omit').

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_percentile
    >>> local_percentile(np.arange(6.0), 90, 5, mode="nearest")
    array([1.6, 2.6, 3.6, 4.6, 5. , 5. ])
    >>> local_percentile(np.arange(6.0), 90, 5, mode="nearest", method="scipy")   # percentile_filter's rank
    array([2., 3., 4., 5., 5., 5.])
    """
    q = check_finite_scalar(q, "q")
    if not 0 <= q <= 100:
        raise PixelsmithValueError(f"`q` must be a percentile in 0..100, got {q}")
    return run_statistic(
        "percentile", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype, q=q, method=method
    )


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_range(
    image: ArrayLike,
    size: int | tuple[int, ...] = 3,
    *,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
):
    """Maximum minus minimum of each moving window (relief, texture).

    Parameters
    ----------
    {image}
    {size}
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    {dtype}

    Returns
    -------
    numpy.ndarray or dask.array.Array

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_range
    >>> local_range(np.array([1.0, 4.0, 2.0, 8.0]), 3)
    array([3., 3., 6., 6.])
    """
    return run_statistic("range", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_majority(
    image: ArrayLike,
    size: int | tuple[int, ...] = 3,
    *,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
):
    """The most frequent value of each moving window (categorical rasters: land cover, labels).

    Ties go to the smallest value (as ``np.bincount(window).argmax()``).

    Parameters
    ----------
    {image}
    {size}
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    dtype : numpy dtype, optional
        Default: the input's integer dtype (a majority is one of the values); float input gives float.

    Returns
    -------
    numpy.ndarray or dask.array.Array

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_majority
    >>> local_majority(np.array([3, 3, 1, 1, 1, 2], np.uint8), 3)
    array([3, 3, 1, 1, 1, 2], dtype=uint8)
    """
    return _categorical("majority", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_variety(
    image: ArrayLike,
    size: int | tuple[int, ...] = 3,
    *,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
):
    """The number of distinct values in each moving window (categorical rasters: land-cover diversity).

    Parameters
    ----------
    {image}
    {size}
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    dtype : numpy dtype, optional
        Default int64 for integer input; float64 for float input (a window with
        NaN under 'propagate' has no count).

    Returns
    -------
    numpy.ndarray or dask.array.Array

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_variety
    >>> local_variety(np.array([3, 3, 1, 2, 2, 2]), 3)
    array([1, 2, 3, 2, 1, 1])
    """
    return _categorical("variety", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_apply(
    image: ArrayLike,
    func: Any,
    size: int | tuple[int, ...] = 3,
    *,
    footprint: Any = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    crop: Crop = "same",
    nan_policy: NanPolicy = "propagate",
    axes: Any = None,
    dtype: Any = None,
):
    """Any reduction of each moving window's values, compiled with numba: the fast ``generic_filter``.

    Parameters
    ----------
    {image}
    func : callable
        ``func(values) -> number`` for a 1-D float64 array of one window's values
        (in footprint order; NaN skipped with 'omit'). A numba ``@njit`` function
        is used as is; a plain Python function is compiled with ``numba.njit``
        (it must then use only what numba supports: numpy on arrays, loops, math).
        An exception it raises for any window is raised here, as in Python.
    {size}
    {footprint}
    {mode}
    {cval}
    {crop}
    {nan_policy}
    {axes}
    {dtype}

    Returns
    -------
    numpy.ndarray or dask.array.Array

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_apply
    >>> def spread(values):
    ...     return values.max() - values.mean()
    >>> local_apply(np.array([1.0, 4.0, 2.0, 8.0]), spread, 3)
    array([2.        , 1.66666667, 3.33333333, 2.        ])
    """
    reducer = _compiled(func)
    _reads_within_its_window(func, image, size, footprint, axes)
    return run_statistic("apply", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype, reducer=reducer)


def _categorical(stat: str, image: Any, size, footprint, mode, cval, crop, nan_policy, axes, dtype):
    """Majority or variety, exact for any integer labels.

    The window engine counts in float64, where integers beyond 2**53 collide
    (2**53 + 1 reads as 2**53). Such labels (64-bit integer images) are first
    replaced by their rank among the values present, which keeps their order
    (ties still go to the smallest label) and fits float64 exactly; a majority
    is mapped back to the label itself, in the input's dtype.
    """
    a = image if isinstance(image, np.ndarray) else None
    if a is None or a.dtype.kind not in "iu" or a.dtype.itemsize < 8 or a.size == 0:
        return run_statistic(stat, image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)
    if -(2**53) <= int(a.min()) and int(a.max()) <= 2**53:
        return run_statistic(stat, image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)
    values = np.unique(a)
    constant = mode in ("constant", "grid-constant")
    if constant:  # the edge value is a label too
        info = np.iinfo(a.dtype)
        if not (isinstance(cval, (int, np.integer)) or float(cval).is_integer()) or not info.min <= cval <= info.max:
            raise PixelsmithValueError(
                f"`cval` {cval!r} is not a label of the {a.dtype} image (an integer in its range); "
                "pass an integer cval, or another mode"
            )
        values = np.union1d(values, np.array([int(cval)], dtype=a.dtype))
    ranks = np.searchsorted(values, a).astype(np.int64)
    rank_cval = float(np.searchsorted(values, np.array(int(cval), dtype=a.dtype))) if constant else cval
    if stat == "variety":
        return run_statistic(stat, ranks, size, footprint, mode, rank_cval, crop, nan_policy, axes, dtype)
    winners = run_statistic(stat, ranks, size, footprint, mode, rank_cval, crop, nan_policy, axes, None)
    labels = values[winners.astype(np.int64)]
    return labels if dtype is None else labels.astype(dtype)


def _reads_within_its_window(func: Any, image: Any, size: Any, footprint: Any, axes: Any) -> None:
    """Run `func` once in Python on a window's worth of values: compiled code does not check indices, so
    ``v[100]`` on a 5 x 5 window would read whatever lies beyond it, silently. Refused here, by name."""
    from ._plan import window_spec

    shape = tuple(np.shape(image))
    if not shape:
        return  # the input's own check says what is wrong with it
    spec = window_spec("apply", shape, np.float64, size, footprint, "reflect", 0.0, "same", "propagate", axes)
    count = int(spec.volume)
    try:
        getattr(func, "py_func", func)(np.linspace(0.0, 1.0, count))
    except IndexError as exc:
        raise PixelsmithValueError(
            f"`func` {getattr(func, '__name__', func)!r} reads outside its window of {count} values ({exc}); "
            f"index only within len(values) (a window of size {size} holds {count})"
        ) from None
    except Exception:  # noqa: BLE001 - any other trouble of the Python trial is not ours to judge; numba ran it
        return


def _compiled(func: Any):
    """A numba-compiled version of `func`, checked once on a small array so typing errors surface here."""
    if not callable(func):
        raise PixelsmithTypeError(f"`func` must be a function of one 1-D array, got {type(func).__name__}")
    import numba

    if hasattr(func, "py_func"):
        jitted = func
    else:  # compile a Python function once, not on every call (each compile also costs a kernel specialisation)
        try:
            jitted = _JITTED.get(func)
        except TypeError:  # not weak-referenceable (a builtin)
            jitted = None
        if jitted is None:
            jitted = numba.njit(func)
            with contextlib.suppress(TypeError):
                _JITTED[func] = jitted
    try:
        value = jitted(np.array([1.0, 2.0, 4.0]))
        float(value)
    except Exception as exc:  # numba's TypingError and friends: say it in one line, naming the argument
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PixelsmithTypeError(
            f"`func` must compile with numba.njit and return a number for a 1-D float64 array ({first}); "
            "use numpy on the array, loops and math, or scipy.ndimage.generic_filter for Python-only code"
        ) from None
    return jitted
