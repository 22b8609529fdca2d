"""What numba does once per process before the first kernel runs, made cheaper.

Loading a kernel's machine code from the cache needs numba's runtime alone;
numba also imports all of its implementation registries first (0.1-0.3 s,
once per process), which only compiling uses. `_prebuilt.LayeredCache`
therefore loads without them, and the compiler imports them when something
is compiled (a user's function for `local_apply`, a kernel not in the cache).

One of those registries, ``numba.np.arraymath``, asks at import whether
scipy's BLAS can be imported (it decides whether ``np.cov`` and friends use
``np.dot``). Answering that imports ``scipy.linalg``: 0.3 s, although no
pixelsmith kernel uses BLAS. `defer_blas_probe` has that one question
answered from whether scipy is installed (a dependency of pixelsmith, so it
is), without importing it; ``np.dot`` in a user's own numba function still
imports ``scipy.linalg`` when it is compiled, as numba always does.
"""

from __future__ import annotations

import importlib.util


def defer_blas_probe() -> None:
    """Have numba's BLAS probe answered without importing scipy.linalg, once: for arraymath's import.

    ``numba.np.linalg.ensure_blas`` is replaced by a stand-in until its first
    call, which is arraymath's own probe at import (numba imports arraymath
    before it compiles anything that could need BLAS); the stand-in then puts
    numba's probe back, and passes any later call to it. Does nothing where
    numba's layout differs from the one this was written against, or where
    arraymath is already imported (the probe has run, as numba wrote it).
    """
    try:
        import numba.np
        from numba.np import linalg
    except ImportError:
        return
    probe = getattr(linalg, "ensure_blas", None)
    if probe is None or "arraymath" in vars(numba.np):
        return
    answered: list[bool] = []

    def scipy_is_installed() -> None:
        if answered:  # a later caller holding the stand-in: numba's own probe
            probe()
            return
        answered.append(True)
        linalg.ensure_blas = probe
        if importlib.util.find_spec("scipy") is None:
            raise ImportError("scipy is needed for linear algebra")

    linalg.ensure_blas = scipy_is_installed
