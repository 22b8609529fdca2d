"""A user's numba function called through a C callback, so the kernel that calls it is cached.

A kernel handed a numba dispatcher is specialised on that very function: it
compiles again in every process and for every user function (0.3-0.5 s of a
first `local_apply`) and cannot be cached. Handed a first-class function of one
fixed signature, `WINDOW_CALLBACK`, it is the same machine code for any user
function, cached and shipped like every other kernel.

The kernel gathers a batch of windows and makes one call for the batch; the
callback (made by `pixelsmith.local._callback`) loops over its windows, so
the user's function is called directly there, where numba may inline it.
A C callback cannot raise: it catches any exception of the user's function
and returns the window's index; the kernel stops there and says which window
failed, so the caller can run that window again in Python, where the user's
own exception is raised.
"""

from __future__ import annotations

from numba import types
from numba.core.extending import intrinsic

# intp callback(values, width, counts, n, results, stop): results[i] = the user's function of
# values[i * width : i * width + counts[i]] (NaN for an empty window) for i < n; returns -1 when done,
# i if the function raised for window i, STOPPED once stop[0] is raised (polled every window)
WINDOW_CALLBACK = types.intp(
    types.CPointer(types.float64),
    types.intp,
    types.CPointer(types.intp),
    types.intp,
    types.CPointer(types.float64),
    types.CPointer(types.uint8),
)
STOPPED = -2
BATCH_VALUES = 1 << 14  # values gathered for one call: 128 KB, in the core's cache


@intrinsic
def data_pointer(typingctx, array):
    """The address of a contiguous array's first element as a typed pointer, to hand to a callback."""
    if not isinstance(array, types.Array):
        return None

    def codegen(context, builder, signature, args):
        return context.make_array(array)(context, builder, value=args[0]).data

    return types.CPointer(array.dtype)(array), codegen
