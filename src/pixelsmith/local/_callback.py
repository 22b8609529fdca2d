"""`local_apply`'s user function as the C callback its cached window kernel calls (`_kernels/callback.py`).

The callback is compiled once per user function and process (a dask worker
makes its own: a compiled callback does not travel by pickle), while the
kernel that calls it loads from the cache. A window whose function raised is
run once more in Python, so the user sees their own exception.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError

_CALLBACKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # numba dispatcher -> its callback
_LOCK = threading.Lock()  # tiles run on threads: compile each callback once


def window_callback(jitted: Any) -> Any:
    """The `WINDOW_CALLBACK` of a numba-compiled reduction of one 1-D float64 array (compiled on first use)."""
    with _LOCK:
        callback = _CALLBACKS.get(jitted)
        if callback is None:
            callback = _compile_callback(jitted)
            _CALLBACKS[jitted] = callback
    return callback


def _compile_callback(jitted: Any) -> Any:
    import numba

    from .._kernels.callback import STOPPED, WINDOW_CALLBACK

    def call(values, width, counts, n, results, stop):
        windows = numba.carray(values, (n, width))
        for i in range(n):
            if stop[0]:
                return STOPPED
            count = counts[i]
            if count == 0:
                results[i] = np.nan
                continue
            try:
                results[i] = jitted(windows[i, :count])
            except Exception:  # a C callback cannot raise: say which window, the kernel stops there
                return i
        return -1

    return numba.cfunc(WINDOW_CALLBACK)(call)


def raise_from_window(jitted: Any, block: np.ndarray, offsets: np.ndarray, start: int, omit_nan: bool) -> None:
    """Run the window at flat position `start` of `block` in Python, where the user's function raises its
    own exception (with its traceback) instead of the callback's flag."""
    values = block.reshape(-1)[start + offsets]
    if omit_nan:
        values = values[~np.isnan(values)]
    jitted(np.ascontiguousarray(values))
    raise PixelsmithValueError(  # a function that raised in compiled code but not when run again
        f"`func` {getattr(jitted, '__name__', jitted)!r} raised an exception in compiled code for one window "
        "but not when that window was run again; make it depend only on the window's values"
    )
