"""The centre of the densest cluster(s) of a 2-D point cloud."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._deprecate import renamed_keywords
from .._validate import PixelsmithValueError, as_points, check_allocation, check_finite_scalar, check_positive_int
from .peaks import find_peaks

__all__ = ["cluster_center"]

_MAX_BINS = 4096  # per axis


def _bin_sizes(pts: np.ndarray, bin_size: Any) -> np.ndarray:
    if bin_size is None:
        # Freedman-Diaconis per axis: 2 IQR / N^(1/3), a histogram that follows the densest structure
        q75, q25 = np.percentile(pts, [75, 25], axis=0)
        sizes = 2.0 * (q75 - q25) / len(pts) ** (1 / 3)
        span = np.ptp(pts, axis=0)
        sizes = np.where(sizes > 0, sizes, np.where(span > 0, span / 64, 1.0))
    else:
        try:
            sizes = np.broadcast_to(np.asarray(bin_size, dtype=np.float64), (2,)).copy()
        except (TypeError, ValueError):
            raise PixelsmithValueError(
                f"`bin_size` must be one positive number or two (one per axis), got {bin_size!r}"
            ) from None
        if not (np.isfinite(sizes).all() and (sizes > 0).all()):
            raise PixelsmithValueError(f"`bin_size` must be > 0 (one value or one per axis), got {bin_size!r}")
    span = np.ptp(pts, axis=0)
    too_many = span / sizes > _MAX_BINS
    if too_many.any():
        if bin_size is not None:
            raise PixelsmithValueError(
                f"`bin_size` {bin_size!r} gives more than {_MAX_BINS} bins along an axis (span {span.tolist()}); "
                "pass a larger bin size"
            )
        sizes = np.where(too_many, span / _MAX_BINS, sizes)
    return sizes


def _mean_shift(pts: np.ndarray, start: np.ndarray, bandwidth: np.ndarray, max_iter: int = 200) -> np.ndarray:
    """Move `start` to the nearest mode of the Gaussian kernel density of `pts` (per-axis bandwidth).

    Works on the two coordinate columns separately: 1-D array operations are
    several times faster than reductions along the short axis of an (N, 2) array.
    """
    x = start.astype(np.float64).copy()
    rows, cols = (np.ascontiguousarray(pts[:, k]) for k in (0, 1))
    scaled_rows, scaled_cols = rows / bandwidth[0], cols / bandwidth[1]
    for _ in range(max_iter):
        d2 = (scaled_rows - x[0] / bandwidth[0]) ** 2
        d2 += (scaled_cols - x[1] / bandwidth[1]) ** 2
        w = np.exp(-0.5 * d2)
        w[d2 >= 25.0] = 0.0  # beyond 5 bandwidths a weight is < 4e-6
        total = w.sum()
        if total == 0:
            break
        new = np.array([np.dot(w, rows), np.dot(w, cols)]) / total
        if (np.abs(new - x) < 1e-9 * bandwidth).all():
            return new
        x = new
    return x


def _cluster_width(pts: np.ndarray, mode: np.ndarray, bandwidth: np.ndarray) -> np.ndarray:
    """Per-axis sigma of a Gaussian cluster at `mode`, deconvolved from the kernel-weighted spread.

    Points weighted by a Gaussian kernel of width h around a Gaussian cluster of
    width s have variance ``1 / (1 / s^2 + 1 / h^2)``; solve for s.
    """
    d = (pts - mode) / bandwidth
    w = np.exp(-0.5 * (d**2).sum(axis=1))
    var = (w[:, None] * (pts - mode) ** 2).sum(axis=0) / w.sum()
    inv = 1.0 / np.maximum(var, 1e-300) - 1.0 / bandwidth**2
    return np.where(inv > 0, 1.0 / np.sqrt(np.maximum(inv, 1e-300)), bandwidth)


@renamed_keywords(smooth="sigma", n="max_count")
def cluster_center(
    points: Any, *, bin_size: float | tuple[float, float] | None = None, sigma: float = 2.0, max_count: int = 1
) -> np.ndarray:
    """Centre(s) of the densest cluster(s) of a 2-D point cloud, in the points' own coordinates.

    Steps: a 2-D histogram, Gaussian smoothing of the counts (`sigma` bins),
    its `n` highest peaks, then each refined by mean shift on the points
    themselves (Gaussian kernel, bandwidth ``sigma * bin_size`` per axis) to the
    mode of the kernel density, and once more with the kernel widened to the
    cluster's own width (estimated from the kernel-weighted spread). The
    refinement works on the points, not on the bins, so the answer barely moves
    when `bin_size` changes, and isolated noise points cannot form a peak of
    their own after smoothing.

    Parameters
    ----------
    points : array_like, shape (N, 2)
        The points, in any coordinate order (the result uses the same order).
    bin_size : float or (float, float), optional
        Histogram bin size per axis. Default: the Freedman-Diaconis width
        ``2 IQR / N^(1/3)`` per axis.
    sigma : float, default 2.0
        Gaussian sigma in bins for the histogram, and the mean-shift bandwidth in bins.
    max_count : int, default 1
        At most this many clusters, densest first. Fewer rows come back when
        the density has fewer distinct modes.

    Returns
    -------
    numpy.ndarray, shape (k, 2), k <= max_count
        Cluster centres, densest first.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> cluster = rng.normal([3.0, -1.0], 0.2, size=(2000, 2))
    >>> noise = rng.uniform(-10, 10, size=(8000, 2))
    >>> centre = cluster_center(np.vstack([cluster, noise]))[0]
    >>> np.round(centre, 1).tolist()
    [3.0, -1.0]
    """
    pts = as_points(points, "points", min_count=2, max_abs=None)
    sigma = check_finite_scalar(sigma, "sigma")
    if sigma <= 0:
        raise PixelsmithValueError(f"`sigma` must be > 0 (bins), got {sigma}")
    max_count = check_positive_int(max_count, "max_count")
    sizes = _bin_sizes(pts, bin_size)
    lo = pts.min(axis=0) - 3 * sigma * sizes  # a margin so a cluster at the edge is still a peak
    bins_float = np.ceil((pts.max(axis=0) + 3 * sigma * sizes - lo) / sizes)
    check_allocation(
        24.0 * float(np.prod(bins_float)),
        "sigma",
        sigma,
        f"a {bins_float[0]:.3g} x {bins_float[1]:.3g} histogram (a margin of 3 x sigma bins on each side)",
        "sigma is in bins: a few bins (the default 2) is what a peak needs",
    )
    bins = bins_float.astype(int)
    hist, _, _ = np.histogram2d(
        pts[:, 0],
        pts[:, 1],
        bins=bins,
        range=[(lo[0], lo[0] + bins[0] * sizes[0]), (lo[1], lo[1] + bins[1] * sizes[1])],
    )
    density = _gaussian_smoothed(hist, sigma)
    peaks = find_peaks(density, min_distance=max(2.0 * sigma, 1.0), exclude_border=False, threshold=1e-12)
    bandwidth = sigma * sizes
    centres: list[np.ndarray] = []
    for coord in peaks.coords:
        start = lo + (coord + 0.5) * sizes
        mode = _mean_shift(pts, start, bandwidth)
        # widen the kernel to the cluster's own width: the mode estimate then uses
        # the whole cluster and no longer depends on the bin size
        width = _cluster_width(pts, mode, bandwidth)
        if (width > bandwidth).any():
            mode = _mean_shift(pts, mode, np.maximum(width, bandwidth))
        if all((np.abs(mode - c) > 0.5 * bandwidth).any() for c in centres):
            centres.append(mode)
        if len(centres) == max_count:
            break
    return np.array(centres).reshape(-1, 2)


def _gaussian_smoothed(hist: np.ndarray, sigma: float) -> np.ndarray:
    """`hist` smoothed by a Gaussian of `sigma` bins, zero beyond its edges.

    The kernel of ``scipy.ndimage.gaussian_filter(hist, sigma, mode='constant')``
    (taps out to 4 sigma, normalised), as a sum of shifted copies per axis: a
    histogram is small, and importing scipy.ndimage would cost a first call
    0.2-0.3 s.
    """
    radius = int(4.0 * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    taps = np.exp(-0.5 * (offsets / sigma) ** 2)
    taps /= taps.sum()
    out = hist.astype(np.float64)
    for axis in range(out.ndim):
        n = out.shape[axis]
        widths = [(0, 0)] * out.ndim
        widths[axis] = (radius, radius)
        padded = np.moveaxis(np.pad(out, widths), axis, 0)  # zeros beyond the edges
        out = np.moveaxis(sum(tap * padded[k : k + n] for k, tap in enumerate(taps)), 0, axis)
    return out
