"""From Hounsfield units to linear attenuation per millimetre at a photon energy."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, check_finite_scalar

__all__ = ["hu_to_mu", "water_and_air_mu"]

# Mass attenuation coefficients mu/rho (cm^2/g, coherent scattering included) of liquid water and
# dry air (near sea level), from the NIST tables of Hubbell & Seltzer (NIST Standard Reference
# Database 126, "X-Ray Mass Attenuation Coefficients").
_ENERGY_KEV = np.array([30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 150.0])
_WATER_CM2_G = np.array([0.3756, 0.2683, 0.2269, 0.2059, 0.1837, 0.1707, 0.1505])
_AIR_CM2_G = np.array([0.3538, 0.2485, 0.2080, 0.1875, 0.1662, 0.1541, 0.1356])
_WATER_G_CM3 = 1.0
_AIR_G_CM3 = 1.205e-3


def water_and_air_mu(energy_kev: float = 70.0) -> tuple[float, float]:
    """Linear attenuation (per mm) of water and air at `energy_kev` (log-log interpolation of the table).

    Parameters
    ----------
    energy_kev : float, default 70.0
        Effective photon energy in keV.

    Returns
    -------
    (float, float)
        mu of water and of air, per mm.

    Examples
    --------
    >>> water, air = water_and_air_mu(60)
    >>> round(water, 5), round(air, 8)
    (0.02059, 2.259e-05)
    """
    e = check_finite_scalar(energy_kev, "energy_kev")
    if not _ENERGY_KEV[0] <= e <= _ENERGY_KEV[-1]:
        raise PixelsmithValueError(
            f"`energy_kev` must be within {_ENERGY_KEV[0]:g}..{_ENERGY_KEV[-1]:g} keV (the table), got {e}"
        )
    log_e = np.log(e)
    water = np.exp(np.interp(log_e, np.log(_ENERGY_KEV), np.log(_WATER_CM2_G))) * _WATER_G_CM3 / 10.0
    air = np.exp(np.interp(log_e, np.log(_ENERGY_KEV), np.log(_AIR_CM2_G))) * _AIR_G_CM3 / 10.0
    return float(water), float(air)


def hu_line(energy_kev: float, dtype: type = np.float64) -> tuple[Any, Any]:
    """(scale, offset) of ``mu = offset + HU * scale`` at `energy_kev`, in `dtype`: the numbers `hu_to_mu`
    uses, and the projectors too when they read an HU volume directly."""
    water, air = water_and_air_mu(energy_kev)
    return dtype(1e-3 * (water - air)), dtype(water)


def hu_to_mu(hu: Any, energy_kev: float = 70.0) -> np.ndarray:
    """Linear attenuation per mm from Hounsfield units: ``mu = mu_w + HU / 1000 (mu_w - mu_air)``.

    This inverts the definition ``HU = 1000 (mu - mu_w) / (mu_w - mu_air)`` with
    the water and air values at `energy_kev` (`water_and_air_mu`). Values that
    would be negative (below air, e.g. padding of -2000) are clipped to 0.
    float32 stays float32.

    Parameters
    ----------
    hu : array_like
        Hounsfield units.
    energy_kev : float, default 70.0
        Effective photon energy in keV (the table covers 20-150 keV).

    Returns
    -------
    numpy.ndarray
        mu per mm, >= 0; float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> mu = hu_to_mu(np.array([-1000.0, 0.0, 1000.0]), 60)
    >>> np.round(mu, 5).tolist()
    [2e-05, 0.02059, 0.04116]
    """
    values = np.asarray(hu)
    dtype = np.float32 if values.dtype == np.float32 else np.float64
    mu = np.empty(values.shape, dtype)
    flat_in, flat_out = values.reshape(-1), mu.reshape(-1)  # reshape copies only a non-contiguous input
    scale, offset = hu_line(energy_kev, dtype)
    # a slab at a time, in place: the three operations run on values still in cache, so a CT volume is
    # converted in about one pass over memory (the whole-array expression took four, plus temporaries)
    step = 1 << 18
    for start in range(0, flat_out.size, step):
        part = flat_out[start : start + step]
        np.multiply(flat_in[start : start + step], scale, out=part, casting="unsafe")
        part += offset
        np.maximum(part, 0, out=part)
    return mu
