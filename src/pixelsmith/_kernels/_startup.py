"""What numba does once per process before the first kernel runs, made cheaper.

numba's ``numba.np.arraymath`` asks at import whether scipy's BLAS can be
imported (it decides whether ``np.cov`` and friends use ``np.dot``). Answering
that imports ``scipy.linalg``, 0.3 s of a fresh process's 0.9 s first call,
although no pixelsmith kernel uses BLAS. `defer_blas_probe` answers it from
whether scipy is installed (a dependency of pixelsmith, so it is), without
importing it; ``np.dot`` in a user's own numba function still imports
``scipy.linalg`` when it is compiled, as numba always does.
"""

from __future__ import annotations

import importlib.util


def defer_blas_probe() -> None:
    """Import ``numba.np.arraymath`` with its BLAS probe answered without importing scipy.linalg.

    Does nothing where numba's layout differs from the one this was written
    against, or where arraymath is already imported (the probe has run, as numba
    wrote it: slower, never wrong).
    """
    try:
        from numba.np import linalg
    except ImportError:
        return
    probe = getattr(linalg, "ensure_blas", None)
    if probe is None:
        return

    def scipy_is_installed() -> None:
        if importlib.util.find_spec("scipy") is None:
            raise ImportError("scipy is needed for linear algebra")

    linalg.ensure_blas = scipy_is_installed
    try:
        from numba.np import arraymath
    finally:
        linalg.ensure_blas = probe
    # arraymath bound the stand-in by name; later callers get numba's own probe
    if getattr(arraymath, "ensure_blas", None) is scipy_is_installed:
        arraymath.ensure_blas = probe
