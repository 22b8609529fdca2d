"""Deterministic sample data: generators, and loaders of files that ship with dependencies.

Nothing is downloaded. Tests, benchmarks and the gallery all draw from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DEM", "jacksboro_dem", "offset_noise", "noisy_stack"]


@dataclass(frozen=True)
class DEM:
    """A small digital elevation model in geographic coordinates.

    Attributes
    ----------
    elevation : numpy.ndarray
        Heights in metres, indexed (row, col); row 0 is the northern edge.
    bounds : tuple of float
        ``(west, south, east, north)`` in degrees.
    pixel_size : float
        Pixel size in degrees.
    """

    elevation: np.ndarray
    bounds: tuple[float, float, float, float]
    pixel_size: float


def jacksboro_dem() -> DEM:
    """The Jacksboro fault DEM that ships with matplotlib (344 x 403, int16 metres).

    Examples
    --------
    >>> from pixelsmith.datasets import jacksboro_dem
    >>> dem = jacksboro_dem()
    >>> dem.elevation.shape
    (344, 403)
    """
    from matplotlib import cbook

    data = cbook.get_sample_data("jacksboro_fault_dem.npz")
    bounds = tuple(float(data[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
    return DEM(np.asarray(data["elevation"]), bounds, float(data["dx"]))


def offset_noise(shape: tuple[int, ...], offset: float = 1e4, *, dtype=np.float32, seed: int = 0) -> np.ndarray:
    """``offset + N(0, 1)`` noise: the case where E[x**2] - E[x]**2 loses its digits.

    Examples
    --------
    >>> from pixelsmith.datasets import offset_noise
    >>> offset_noise((2, 3)).dtype
    dtype('float32')
    """
    rng = np.random.default_rng(seed)
    return (offset + rng.standard_normal(shape)).astype(dtype)


def noisy_stack(n_frames: int = 40, shape: tuple[int, int] = (96, 96), *, seed: int = 0) -> np.ndarray:
    """A stack of noisy frames of a moving Gaussian spot, shape ``(n_frames, *shape)``.

    The noise level grows from left to right, so per-pixel variance maps show
    a gradient (a check for streaming statistics).

    Examples
    --------
    >>> from pixelsmith.datasets import noisy_stack
    >>> noisy_stack(5, (8, 8)).shape
    (5, 8, 8)
    """
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[: shape[0], : shape[1]].astype(np.float64)
    frames = np.empty((n_frames,) + tuple(shape))
    sigma_noise = 0.05 + 0.5 * cols / max(shape[1] - 1, 1)
    for t in range(n_frames):
        r0 = shape[0] * (0.3 + 0.4 * t / max(n_frames - 1, 1))
        c0 = shape[1] * 0.5
        spot = np.exp(-((rows - r0) ** 2 + (cols - c0) ** 2) / (2 * (shape[0] / 10) ** 2))
        frames[t] = 10 + 5 * spot + sigma_noise * rng.standard_normal(shape)
    return frames
