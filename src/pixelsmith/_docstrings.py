"""Parameter descriptions written once, so every docstring says the same thing.

Use ``@fill_doc`` on a function whose docstring contains ``{size}``, ``{mode}``...
(plain `str.format` fields; literal braces in docstrings must be doubled).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

# the papers behind the box extremes and block sums, cited by several docstrings
_VAN_HERK_GIL_WERMAN = """\
    .. [1] M. van Herk, "A fast algorithm for local minimum and maximum filters on rectangular and
           octagonal kernels", Pattern Recognition Letters 13(7), 517-521 (1992).
           https://doi.org/10.1016/0167-8655(92)90069-C
    .. [2] J. Gil and M. Werman, "Computing 2-D min, median, and max filters", IEEE Transactions on Pattern
           Analysis and Machine Intelligence 15(5), 504-507 (1993). https://doi.org/10.1109/34.211471"""

DOCS = {
    "extreme_notes": """Notes
    -----
    A full box is computed by van Herk and Gil-Werman's method [1]_ [2]_: three comparisons per
    value whatever the window, in blocks aligned to a global grid so that tiles and dask chunks give
    the same answer. A footprint (a disk, an annulus) is cut into runs along the rows, each run read
    from tables of doublings, as Urbach and Wilkinson describe [3]_. Extremes are exact in any
    dtype.

    References
    ----------
"""
    + _VAN_HERK_GIL_WERMAN
    + """
    .. [3] E. R. Urbach and M. H. F. Wilkinson, "Efficient 2-D grayscale morphological transformations with
           arbitrary flat structuring elements", IEEE Transactions on Image Processing 17(1), 1-8 (2008).
           https://doi.org/10.1109/TIP.2007.912582""",
    "sum_notes": """Notes
    -----
    Long windows are summed by van Herk and Gil-Werman's blocks [1]_ [2]_: two partial sums of the
    window's own values, in blocks aligned to a global grid, so no running sum ever subtracts (no
    drift, and an outlier leaves no residue) and tiles and dask chunks give the same bits.

    References
    ----------
"""
    + _VAN_HERK_GIL_WERMAN,
    "image": """image : array_like, dask.array.Array or xarray.DataArray
        Input array, any number of dimensions, real dtype (bool, int, float).
        A dask array gives a dask array with the same chunks; a DataArray a
        DataArray with the same dims, coords and attrs.""",
    "size": """size : int or tuple of int, default 3
        Window length along each axis in `axes` (one int for all of them).
        Even lengths follow scipy.ndimage: the window of output ``i`` covers
        ``i - size // 2`` to ``i + (size - 1) // 2``. Ignored when `footprint`
        is given.""",
    "footprint": """footprint : array_like of bool, optional
        Arbitrary window shape (e.g. a disk), one dimension per axis in `axes`;
        True marks the elements that take part. Its centre is element
        ``shape // 2``, as in scipy.ndimage.""",
    "mode": """mode : {'reflect', 'nearest', 'mirror', 'wrap', 'constant'}, default 'reflect'
        How the array is extended beyond its edges, as in scipy.ndimage:
        'reflect' ``(d c b a | a b c d | d c b a)``, 'mirror'
        ``(d c b | a b c d | c b a)``, 'nearest' ``(a a a | a b c d | d d d)``,
        'wrap' ``(a b c d | a b c d | a b c d)``, 'constant'
        ``(k k k | a b c d | k k k)`` with ``k = cval``. The aliases
        'grid-mirror', 'grid-wrap' and 'grid-constant' are accepted.""",
    "cval": """cval : float, default 0.0
        Value outside the edges when ``mode='constant'``. ``cval=np.nan`` with
        ``nan_policy='omit'`` makes edge windows use only the pixels inside.""",
    "crop": """crop : {'same', 'valid'}, default 'same'
        'same' returns the input's shape; 'valid' returns only the windows that
        lie fully inside the array (MATLAB ``convn(..., 'valid')``), shape
        ``n - size + 1`` along each windowed axis, so `mode` plays no part.""",
    "nan_policy": """nan_policy : {'propagate', 'omit'}, default 'propagate'
        'propagate': a window holding a NaN gives NaN. 'omit': statistics over
        the non-NaN values of each window; a window with none gives NaN.""",
    "axes": """axes : int or sequence of int, optional
        Axes the window spans (default: all). Other axes are handled
        independently, e.g. ``axes=(1, 2)`` for a 2-D window over each frame of
        a ``(T, H, W)`` stack.""",
    "dtype": """dtype : numpy dtype, optional
        Output dtype. Default: float32 for float32 (and float16) input,
        float64 otherwise. Accumulation is always float64 (integer sums
        below 2**53: exact integers). Min, max, and 3x3 / 5x5 medians
        are values of the input: ``dtype=image.dtype`` keeps an integer
        image's dtype, exactly, and writes 1-2 bytes a pixel instead of 8.""",
}


def fill_doc(func: F) -> F:
    """Substitute the shared parameter texts into ``func.__doc__``."""
    if func.__doc__:
        func.__doc__ = func.__doc__.format(**DOCS)
    return func
