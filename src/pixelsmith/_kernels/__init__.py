"""Private numba kernels: pure functions on plain arrays, no validation.

Every kernel is declared with `kernel`, so the numba options are stated once:
compiled machine code is cached on disk, behind it the machine code shipped in
``prebuilt.zip`` (see `_prebuilt`: a fresh install loads instead of compiling),
and the GIL is released so the thread pool of `pixelsmith._parallel` runs
kernels side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import njit

from ._prebuilt import layer
from ._startup import defer_blas_probe

defer_blas_probe()


def kernel(
    func: Callable[..., Any] | None = None,
    *,
    inline: bool = False,
    fastmath: bool | set[str] = False,
    ieee_division: bool = False,
) -> Any:
    """``@kernel`` or ``@kernel(inline=True, fastmath={...})``: numba's njit with pixelsmith's options.

    `inline` copies a helper's numba IR into every caller. It multiplies compile
    time (a user's first call pays it: box variance took 24-31 s inlined, 11 s
    as plain calls), and LLVM inlines plain calls between kernels where that
    pays, so it is kept only where it was measured to pay at run time (the DRR
    ray samplers, 1.4-1.9x). `fastmath`
    takes LLVM flags, given only where the kernel documents why the change of
    rounding is harmless. `ieee_division` divides as IEEE 754 does (x / 0 is
    inf or NaN, numba's error_model 'numpy') instead of checking for 0 and
    raising ZeroDivisionError, a branch that keeps LLVM from vectorising the
    loop (2x for the NCC quotient); given only where the kernel says why its
    divisor cannot be 0. A kernel that calls a user's function takes it as a
    C callback (`callback.py`), so it too is cached.
    """
    options: dict[str, Any] = {"cache": True, "nogil": True}
    if inline:
        options["inline"] = "always"
    if fastmath:
        options["fastmath"] = fastmath
    if ieee_division:
        options["error_model"] = "numpy"

    def decorate(py_func: Callable[..., Any]) -> Any:
        # numba's cache, with the prebuilt archive behind it (a copy rebuilt from a pickle, on a
        # dask worker say, keeps cache=True: numba's cache alone)
        dispatcher = njit(**options)(py_func)
        return layer(dispatcher)

    return decorate if func is None else decorate(func)
