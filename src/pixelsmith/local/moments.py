"""Moving-window statistics: mean, sum, var, std, min, max and count, N-D, NaN-aware.

All seven functions share one signature (its parameter text written once, in
`pixelsmith._docstrings`) and one call: `_plan.run_statistic` validates and picks
the path (a fused one-pass kernel, or the tiling engine `_engine.py`, whose float64
tiles keep memory at input + output + a few MB per thread). The numbers match a
float64 two-pass reference (see `local_var` for how variances stay accurate).
"""

from __future__ import annotations

from typing import Any

from .._deprecate import renamed_keywords
from .._docstrings import fill_doc
from .._xarray import labelled
from ..types import ArrayLike, Crop, Mode, NanPolicy
from ._plan import run_statistic

__all__ = [
    "local_mean",
    "local_sum",
    "local_var",
    "local_std",
    "local_min",
    "local_max",
    "local_count",
]


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_mean(
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
    """Mean of each moving window.

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
        Window means, the input's shape for ``crop='same'``.

    {sum_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_mean
    >>> local_mean(np.array([1.0, 2.0, 3.0, 10.0]), 3)
    array([1.33333333, 2.        , 5.        , 7.66666667])
    >>> local_mean(np.array([1.0, np.nan, 3.0]), 3, nan_policy="omit")
    array([1., 2., 3.])
    """
    return run_statistic("mean", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_sum(
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
    """Sum of each moving window.

    Every window sum is formed from its own elements only (at most two partial
    sums, never a running sum), so there is no drift along the array.

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
        Window sums.

    {sum_notes}

    Examples
    --------
    A 3 x 3 x 3 sum over only the windows that fit inside (MATLAB's
    ``convn(A, ones(3, 3, 3), 'valid')``):

    >>> import numpy as np
    >>> from pixelsmith import local_sum
    >>> local_sum(np.ones((4, 5, 6)), 3, crop="valid").shape
    (2, 3, 4)
    >>> float(local_sum(np.ones((4, 5, 6)), 3, crop="valid")[0, 0, 0])
    27.0
    """
    return run_statistic("sum", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_var(
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
    ddof: float = 0,
):
    """Variance of each moving window, never negative, accurate with large offsets.

    How it stays accurate: each tile of the array is shifted by a reference
    value near its data (the median of a sample) before the window sums of
    ``x`` and ``x**2`` are formed in float64, and each window sum is combined
    only from its own elements. The familiar ``uniform_filter(x**2) -
    uniform_filter(x)**2`` recipe loses ``log10(mean**2 / var)`` digits (all of
    them in float32 for ``1e4 + N(0, 1)`` data, giving negative variances); here
    results match a float64 two-pass reference to about 1e-12 relative, and are
    rounded once to float32 for float32 input.

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
    ddof : float, default 0
        Delta degrees of freedom: the divisor is ``n - ddof`` with ``n`` the
        number of values in the window (NaN where ``n <= ddof``).

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Window variances, >= 0.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_var
    >>> x = np.float32(1e4) + np.array([0, 1, 0, 1, 0], dtype=np.float32)
    >>> local_var(x, 3, crop="valid")
    array([0.22222222, 0.22222222, 0.22222222], dtype=float32)
    """
    return run_statistic("var", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype, ddof)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_std(
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
    ddof: float = 0,
):
    """Standard deviation of each moving window (the square root of `local_var`).

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
    ddof : float, default 0
        Delta degrees of freedom, as in `numpy.std`.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Window standard deviations.

    Examples
    --------
    A 2-D window over each frame of a stack, with a disk footprint:

    >>> import numpy as np
    >>> from pixelsmith import local_std
    >>> stack = np.random.default_rng(0).normal(size=(4, 32, 32))
    >>> yy, xx = np.mgrid[-2:3, -2:3]
    >>> local_std(stack, footprint=yy**2 + xx**2 <= 4, axes=(1, 2)).shape
    (4, 32, 32)
    """
    return run_statistic("std", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype, ddof)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_min(
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
    """Minimum of each moving window (van Herk / Gil-Werman: 3 comparisons per pixel).

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
        Window minima (float, by the dtype rule; integers up to 2**53 are exact).

    {extreme_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_min
    >>> local_min(np.array([5, 3, 8, 1, 9]), 3, mode="nearest")
    array([3., 3., 1., 1., 1.])
    """
    return run_statistic("min", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_max(
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
    """Maximum of each moving window (van Herk / Gil-Werman: 3 comparisons per pixel).

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
        Window maxima.

    {extreme_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_max
    >>> local_max(np.array([5, 3, 8, 1, 9]), 3, mode="nearest")
    array([5., 8., 8., 9., 9.])
    """
    return run_statistic("max", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)


@renamed_keywords(a="image")
@labelled
@fill_doc
def local_count(
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
    """Number of non-NaN values in each moving window.

    Values beyond the edges count as `mode` makes them: with
    ``mode='constant', cval=np.nan`` only the pixels inside the array count.
    `nan_policy` is accepted for a uniform signature; NaNs are never counted.

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
        Output dtype, default int64.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Counts per window.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import local_count
    >>> local_count(np.array([1.0, np.nan, 3.0, 4.0]), 3, mode="constant", cval=np.nan)
    array([1, 2, 2, 2])
    """
    return run_statistic("count", image, size, footprint, mode, cval, crop, nan_policy, axes, dtype)
