"""Peaks of 1-D to 3-D arrays: thresholds relative to a robust noise estimate, plateaus, suppression."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._deprecate import renamed_keywords
from .._kernels import peaks as _k
from .._robust import MAD_TO_SIGMA
from .._validate import PixelsmithValueError, as_image_array, check_finite_scalar
from ..types import ArrayLike
from ._tables import TableMixin

__all__ = ["Peaks", "find_peaks", "robust_noise"]

# Noise estimates use at most this many values (a regular subsample beyond)
_MAX_SAMPLES = 1_000_000


# why these two refuse dask arrays, and the way out
_PEAKS_NEED_ALL = (
    "peaks are a global ranking (a threshold from the whole image's noise, strongest first, min_distance "
    "across chunk borders); for an image larger than memory, find peaks per block with map_overlap and merge"
)
_NOISE_NEEDS_ALL = "the noise level is one number of the whole image; pass a computed subsample (image[::4, ::4])"


class Peaks(TableMixin):
    """Peaks found by `find_peaks`, strongest first.

    Attributes
    ----------
    coords : numpy.ndarray, shape (N, ndim)
        Positions in array index order, sorted by descending height; int64, or
        float64 with ``subpixel=True``.
    heights : numpy.ndarray, shape (N,)
        Values of the searched array (smoothed when ``sigma`` is given) at the peak pixels.
    threshold : float
        The threshold that was applied (``-inf`` when none).
    noise : float or None
        The robust noise estimate used by ``nsigma`` (None when not needed).
    ra, dec : numpy.ndarray or None
        Sky positions in degrees (ICRS or the WCS's frame) when found with
        ``wcs=`` or from `with_sky`; `to_table` gives them as one ``skycoord``
        column, as photutils' finders do.
    """

    def __init__(
        self,
        coords: np.ndarray,
        heights: np.ndarray,
        threshold: float,
        noise: float | None,
        ra: np.ndarray | None = None,
        dec: np.ndarray | None = None,
    ) -> None:
        self._coords, self._heights = coords, heights
        self._by_position: tuple[np.ndarray, np.ndarray] | None = None
        self.threshold, self.noise, self.ra, self.dec = threshold, noise, ra, dec

    @classmethod
    def _in_position_order(cls, coords: np.ndarray, heights: np.ndarray, threshold: float, noise: Any) -> Peaks:
        """1-D peaks in ascending position: `indices` needs no sort, and the strongest-first order is made
        on first use of `coords` or `heights` (a sort of 1e5 heights costs twice scipy's whole search)."""
        peaks = cls(None, None, threshold, noise)  # type: ignore[arg-type]
        peaks._by_position = (coords, heights)
        return peaks

    def _strongest_first(self) -> None:
        if self._coords is None and self._by_position is not None:
            coords, heights = self._by_position
            order = np.argsort(-heights, kind="stable")  # ties keep position order
            self._coords, self._heights = coords[order], heights[order]

    @property
    def coords(self) -> np.ndarray:
        self._strongest_first()
        return self._coords

    @property
    def heights(self) -> np.ndarray:
        self._strongest_first()
        return self._heights

    def __repr__(self) -> str:
        ndim = (self._coords if self._coords is not None else self._by_position[0]).shape[1]
        return f"Peaks({len(self)} peaks, {ndim}-D, threshold={self.threshold:.6g}, noise={self.noise})"

    @property
    def indices(self) -> np.ndarray:
        """1-D only: the peak indices in ascending order, as `scipy.signal.find_peaks` returns them."""
        if self._by_position is not None:
            positions = self._by_position[0][:, 0]
            return positions if positions.dtype.kind == "i" else np.sort(np.rint(positions).astype(np.int64))
        if self.coords.shape[1] != 1:
            raise PixelsmithValueError("`indices` is for 1-D input; use `coords` for N-D peaks")
        return np.sort(np.rint(self.coords[:, 0]).astype(np.int64))

    def __len__(self) -> int:
        return len(self._heights if self._heights is not None else self._by_position[1])

    def with_sky(self, wcs: Any) -> Peaks:
        """These peaks with ``ra`` and ``dec`` (degrees) from a celestial WCS: 2-D peaks only.

        Parameters
        ----------
        wcs : astropy.wcs.WCS or FitsImage
            The image's WCS (``pixelsmith.io.read_fits(path)`` is accepted as is).

        Examples
        --------
        >>> import numpy as np
        >>> from astropy.wcs import WCS
        >>> from pixelsmith import find_peaks
        >>> wcs = WCS(naxis=2)
        >>> wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
        >>> wcs.wcs.crval, wcs.wcs.crpix, wcs.wcs.cdelt = [150, 2], [3, 3], [-1e-4, 1e-4]
        >>> image = np.zeros((5, 5)); image[2, 2] = 1.0
        >>> peaks = find_peaks(image).with_sky(wcs)
        >>> float(peaks.ra[0]), float(peaks.dec[0])
        (150.0, 2.0)
        """
        from .._wcs import pixels_to_sky

        if self.coords.shape[1] != 2:
            raise PixelsmithValueError(
                f"`with_sky` needs 2-D peaks (row, col); these have {self.coords.shape[1]} coordinates"
            )
        ra, dec = pixels_to_sky(wcs, self.coords[:, 0], self.coords[:, 1])
        return Peaks(self.coords, self.heights, self.threshold, self.noise, ra=ra, dec=dec)

    def to_table(self) -> Any:
        """The peaks as an astropy Table; sky positions as one ``skycoord`` column (a SkyCoord)."""
        table = super().to_table()
        if self.ra is not None:
            from astropy.coordinates import SkyCoord

            table.remove_columns(["ra", "dec"])
            table["skycoord"] = SkyCoord(self.ra, self.dec, unit="deg")
        return table

    def columns(self) -> dict[str, np.ndarray]:
        """One column per coordinate ((plane,) row, col; or index in 1-D), then height, then ra, dec when known.

        Examples
        --------
        >>> import numpy as np
        >>> from pixelsmith import find_peaks
        >>> list(find_peaks(np.outer(np.eye(5)[2], np.eye(5)[2])).columns())
        ['row', 'col', 'height']
        """
        names = {1: ["index"], 2: ["row", "col"], 3: ["plane", "row", "col"]}[self.coords.shape[1]]
        table = {name: self.coords[:, k] for k, name in enumerate(names)}
        table["height"] = self.heights
        if self.ra is not None:
            table["ra"], table["dec"] = self.ra, self.dec
        return table


@renamed_keywords(a="image")
def robust_noise(image: ArrayLike, *, max_samples: int = _MAX_SAMPLES) -> float:
    """Standard deviation of the noise from the median absolute deviation: ``1.4826 * MAD``.

    ``MAD = median(|a - median(a)|)`` over the finite values. For Gaussian noise
    this estimates sigma; sparse sources and outliers barely move it (up to half
    the pixels may be signal before it breaks down). Arrays with more than
    `max_samples` finite values use a regular subsample (every k-th value in
    memory order), which changes the estimate by about 0.1 % for 1e6 samples
    and keeps it fast and deterministic.

    Parameters
    ----------
    image : array_like
        Any array; NaN and inf are ignored.
    max_samples : int, default 1_000_000
        Above this many finite values, a regular subsample is used.

    Returns
    -------
    float
        The noise standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(0, 2.0, 100_000)
    >>> x[:500] = 1e6   # bright sources do not matter
    >>> round(robust_noise(x), 1)
    2.0
    """
    values = np.asarray(as_image_array(image, "image", allow_dask=_NOISE_NEEDS_ALL))
    return _median_and_noise(values, max_samples)[1]


def _median_and_noise(values: np.ndarray, max_samples: int = _MAX_SAMPLES) -> tuple[float, float]:
    """(median, 1.4826 * MAD) of the finite values, on a regular subsample when large."""
    flat = values.ravel()
    if flat.size > max_samples:
        flat = flat[:: -(-flat.size // max_samples)]
    flat = flat.astype(np.float64)
    finite = np.isfinite(flat)
    if not finite.all():
        flat = flat[finite]
    if flat.size == 0:
        raise PixelsmithValueError("`image` has no finite values; a noise level needs data")
    centre = float(np.median(flat))
    return centre, float(MAD_TO_SIGMA * np.median(np.abs(flat - centre)))


def _border_width(exclude_border: Any) -> int:
    if isinstance(exclude_border, bool):
        return 1 if exclude_border else 0
    if isinstance(exclude_border, numbers.Integral) and exclude_border >= 0:
        return int(exclude_border)
    raise PixelsmithValueError(f"`exclude_border` must be True, False or an integer >= 0, got {exclude_border!r}")


@renamed_keywords(a="image", smooth="sigma", max_peaks="max_count")
def find_peaks(
    image: ArrayLike,
    *,
    min_distance: float = 1,
    threshold: float | None = None,
    nsigma: float | None = None,
    sigma: float | None = None,
    exclude_border: bool | int = True,
    max_count: int | None = None,
    subpixel: bool = False,
    wcs: Any = None,
) -> Peaks:
    """Local maxima of a 1-D, 2-D or 3-D array, strongest first.

    A peak is a pixel higher than all its neighbours (the 3 x 3 [x 3] block), or
    a plateau (connected equal pixels) with no higher neighbour, reported once at
    its member nearest the plateau's centroid (rounded down between two, like
    scipy). Candidates at or below the threshold are dropped; then, from the
    highest down, any peak closer than `min_distance` (Euclidean, pixels) to a
    kept one is dropped (in 1-D in exactly the order scipy.signal.find_peaks
    uses for `distance`, so equal heights resolve as scipy resolves them).

    Parameters
    ----------
    image : array_like, 1-D to 3-D
        Data; NaN pixels are never peaks.
    min_distance : float, default 1
        Kept peaks are at least this far apart (1 keeps every local maximum).
    threshold : float, optional
        Absolute threshold: peaks must be at least this high (as scipy's `height`).
    nsigma : float, optional
        Threshold relative to the noise: ``median + nsigma * robust_noise``, both
        measured on the searched (smoothed) array (on a regular subsample of 1e6
        values when larger, see `robust_noise`). With `threshold` too, the higher wins.
    sigma : float, optional
        Sigma (pixels) of a Gaussian applied first (scipy.ndimage.gaussian_filter,
        mode 'nearest'); the noise-suppressing step of "my peak finder is too
        sensitive". NaN pixels are filled with the median for smoothing only.
    exclude_border : bool or int, default True
        Drop peaks (and plateaus touching) within this many pixels of an edge.
        True means 1: a peak needs a lower neighbour on every side, so an edge
        pixel is never a peak (as in scipy.signal.find_peaks; scikit-image's
        peak_local_max uses `min_distance` instead, pass that to match it).
    max_count : int, optional
        Keep at most this many (the highest).
    subpixel : bool, default False
        Refine positions by a Gaussian fit: a least-squares quadratic through
        ``log(value - median)`` (median as for `nsigma`) over the 3 x 3 [x 3] block around each peak
        (exact for Gaussian peaks; the raw values where some are not above the
        median). Its vertex is used when it is a maximum within half a pixel,
        else the per-axis parabola through the peak and its two neighbours,
        clipped to +-0.5. Plateaus give their centroid. With noise, pass
        `sigma` close to the PSF sigma (a matched filter) for the best positions.
    wcs : astropy.wcs.WCS or FitsImage, optional
        A celestial WCS of a 2-D image: the peaks get ``ra`` and ``dec``
        (degrees), as `Peaks.with_sky` gives them.

    Returns
    -------
    Peaks
        ``coords`` (N, ndim), ``heights``, the ``threshold`` and ``noise`` used;
        ``indices`` for 1-D input (ascending, as scipy).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1])
    >>> p = find_peaks(x)
    >>> x[p.indices].tolist()
    [5, 3, 6]
    >>> p.heights.tolist()            # strongest first
    [6.0, 5.0, 3.0]
    >>> find_peaks(x, min_distance=8).indices.tolist()
    [4, 17]
    """
    arr = as_image_array(
        image,
        "image",
        ndim=(1, 2, 3),
        allow_dask=_PEAKS_NEED_ALL,
        hint="pass one image or volume; for a stack of images loop over it",
    )
    if wcs is not None:  # checked before the search, not after it
        from .._wcs import celestial_wcs

        celestial_wcs(wcs)
        if arr.ndim != 2:
            raise PixelsmithValueError(f"`wcs` places 2-D peaks on the sky; `image` has {arr.ndim} dimensions")
    # float32 stays float32 (comparisons are exact in either); everything else is float64
    data = np.asarray(arr, dtype=np.float32 if arr.dtype == np.float32 else np.float64)
    if not _k.any_finite(data.reshape(-1)):
        raise PixelsmithValueError("`image` has no finite values (all NaN or inf); nothing can be a peak")
    min_distance = check_finite_scalar(min_distance, "min_distance")
    if min_distance < 1:
        raise PixelsmithValueError(f"`min_distance` must be >= 1, got {min_distance}")
    border = _border_width(exclude_border)
    if max_count is not None and (
        isinstance(max_count, bool) or not isinstance(max_count, numbers.Integral) or max_count < 1
    ):
        raise PixelsmithValueError(f"`max_count` must be a positive integer or None, got {max_count!r}")

    if sigma is not None:
        sigma = check_finite_scalar(sigma, "sigma")
        if sigma < 0:
            raise PixelsmithValueError(f"`sigma` must be >= 0 (a Gaussian sigma in pixels), got {sigma}")
        if sigma > max(data.shape):  # refused before scipy spends minutes on a kernel wider than the image
            taps = 2 * int(4 * sigma + 0.5) + 1
            raise PixelsmithValueError(
                f"`sigma` {sigma:g} is wider than the image {tuple(data.shape)}: its Gaussian kernel would have "
                f"{taps:.3g} taps per axis ({float(taps) * data.size * data.ndim:.3g} multiply-adds) and flatten "
                "every peak; use a sigma near the PSF's, in pixels (a few)"
            )
        if sigma > 0:
            from scipy.ndimage import gaussian_filter

            finite = np.isfinite(data)
            filled = np.where(finite, data, np.median(data[finite])) if not finite.all() else data
            data = gaussian_filter(filled, sigma, mode="nearest")
            data[~finite] = np.nan

    level = -np.inf
    noise = None
    if threshold is not None:
        level = check_finite_scalar(threshold, "threshold")
    if nsigma is not None:
        k = check_finite_scalar(nsigma, "nsigma")
        centre, noise = _median_and_noise(data)
        level = max(level, centre + k * noise)

    if data.ndim == 1 and min_distance == 1 and max_count is None:  # scipy's case: no ranking needed
        coords, heights, centroids = _candidates_1d(data, level, border)
        if subpixel:
            coords = _refine(data, coords, centroids)
        return Peaks._in_position_order(coords, heights, float(level), noise)
    coords, heights, centroids = (_candidates_1d if data.ndim == 1 else _candidates)(data, level, border)
    order = np.lexsort((_flat(coords, data.shape), -heights))  # highest first; ties by position
    coords, heights, centroids = coords[order], heights[order], centroids[order]
    if min_distance > 1 and len(coords):
        suppress_order = _suppression_order(coords, heights, data.ndim)
        keep = _k.suppress_close(_as3(coords[suppress_order]), _shape3(data.shape), float(min_distance))
        kept = np.zeros(len(coords), bool)
        kept[suppress_order[keep]] = True
        coords, heights, centroids = coords[kept], heights[kept], centroids[kept]
    if max_count is not None:
        coords, heights, centroids = coords[:max_count], heights[:max_count], centroids[:max_count]
    if subpixel:
        coords = _refine(data, coords, centroids)
    found = Peaks(coords=coords, heights=heights, threshold=float(level), noise=noise)
    return found if wcs is None else found.with_sky(wcs)


def _candidates_1d(data: np.ndarray, level: float, border: int):
    """1-D peaks (strict and plateaus) above `level`, away from the border band, in ascending position."""
    capacity = min(1 << 20, data.shape[0] // 2 + 1)  # np.empty: only the pages written are touched
    parts = []
    start = 0
    while start < data.shape[0]:
        buffers = np.empty(capacity, np.int64), np.empty(capacity, data.dtype), np.empty(capacity)
        count, start = _k.maxima_1d(data, float(level), border, start, *buffers)
        parts.append([buffer[:count] for buffer in buffers])
    positions, heights, centroids = (
        parts[0] if len(parts) == 1 else [np.concatenate(p) for p in zip(*parts, strict=True)]
    )
    return positions[:, None], heights, centroids[:, None]


def _suppression_order(coords: np.ndarray, heights: np.ndarray, ndim: int) -> np.ndarray:
    """The order in which peaks claim their `min_distance` neighbourhood (indices into `coords`).

    N-D: highest first, ties by position (the documented rule). 1-D follows
    scipy.signal.find_peaks(distance=...) exactly: it ranks the peaks (in
    ascending position) by ``np.argsort`` of their float64 heights and walks
    that ranking from its end, so among equal heights the one numpy's argsort
    puts last (the rightmost, for short runs of ties) claims first.
    """
    if ndim != 1 or not len(coords):
        return np.arange(len(coords))
    by_position = np.argsort(coords[:, 0], kind="stable")
    ranking = np.argsort(heights[by_position].astype(np.float64))  # scipy's call, scipy's tie order
    return by_position[ranking[::-1]]


def _shape3(shape: tuple[int, ...]) -> tuple[int, int, int]:
    return (1,) * (3 - len(shape)) + tuple(shape)


def _as3(coords: np.ndarray) -> np.ndarray:
    out = np.zeros((len(coords), 3), np.int64)
    out[:, 3 - coords.shape[1] :] = coords
    return out


def _flat(coords: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if not len(coords):
        return np.zeros(0, np.int64)
    return np.ravel_multi_index(tuple(coords.T), shape)


def _candidates(data: np.ndarray, level: float, border: int):
    """Strict peaks and resolved plateaus above `level`, away from the border band."""
    nd = data.ndim
    view = data.reshape(_shape3(data.shape))
    strict, seeds = _k.find_maxima(view, float(level))
    reps, cents, edges = _k.resolve_plateaus(view, seeds)
    strict_coords = np.column_stack(np.unravel_index(strict, data.shape)).astype(np.int64).reshape(-1, nd)
    rep_coords = np.column_stack(np.unravel_index(reps, data.shape)).astype(np.int64).reshape(-1, nd)
    coords = np.concatenate([strict_coords, rep_coords])
    centroids = np.concatenate([np.full((len(strict), nd), np.nan), cents[:, 3 - nd :]])
    shape = np.array(data.shape)
    near_edge = np.concatenate(
        [
            np.minimum(strict_coords, shape - 1 - strict_coords).min(axis=1, initial=1 << 62),
            edges[:, 3 - nd :].min(axis=1, initial=1 << 62),
        ]
    )
    keep = near_edge >= border
    coords, centroids = coords[keep], centroids[keep]
    heights = data[tuple(coords.T)] if len(coords) else np.zeros(0)
    return coords, heights, centroids


def _refine(data: np.ndarray, coords: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Sub-pixel positions from the 3^ndim block around each peak (see `find_peaks`, `subpixel`)."""
    nd = data.ndim
    out = coords.astype(np.float64)
    if not len(coords):
        return out
    offsets = np.array(list(np.ndindex(*(3,) * nd))) - 1  # (3^nd, nd), centre at index 3^nd // 2
    idx = np.clip(coords[:, None, :] + offsets[None, :, :], 0, np.array(data.shape) - 1)
    values = data[tuple(np.moveaxis(idx, -1, 0))]
    values = np.where(np.isfinite(values), values, data[tuple(coords.T)][:, None])
    # a Gaussian peak is a quadratic in log(value - background): fit that where it is defined
    above = values - _median_and_noise(data)[0]
    logs = (above > 0).all(axis=1)
    fitted = values.copy()
    fitted[logs] = np.log(above[logs])
    shift, good = _quadratic_vertex(fitted, offsets)
    centre = fitted[:, len(offsets) // 2]
    for axis in range(nd):  # fallback: the parabola through the peak and its two neighbours
        unit = np.zeros(nd, int)
        unit[axis] = 1
        lo = fitted[:, int(np.flatnonzero((offsets == -unit).all(axis=1))[0])]
        hi = fitted[:, int(np.flatnonzero((offsets == unit).all(axis=1))[0])]
        curvature = lo - 2 * centre + hi
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(curvature < 0, 0.5 * (lo - hi) / curvature, 0.0)
        shift[~good, axis] = np.clip(step, -0.5, 0.5)[~good]
    out += shift
    plateau = np.isfinite(centroids).all(axis=1)
    out[plateau] = centroids[plateau]
    return out


def _quadratic_vertex(values: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares quadratic through each row of `values` at `offsets`; its vertex and whether
    it is a maximum within half a pixel."""
    n, nd = len(values), offsets.shape[1]
    pairs = [(i, j) for i in range(nd) for j in range(i, nd)]
    design = np.column_stack(
        [np.ones(len(offsets))] + [offsets[:, i] for i in range(nd)] + [offsets[:, i] * offsets[:, j] for i, j in pairs]
    )
    params = values @ np.linalg.pinv(design).T
    grad = params[:, 1 : 1 + nd]
    hess = np.zeros((n, nd, nd))
    for q, (i, j) in enumerate(pairs):
        c = params[:, 1 + nd + q]
        if i == j:
            hess[:, i, i] = 2 * c
        else:
            hess[:, i, j] = hess[:, j, i] = c
    shift = np.full((n, nd), np.nan)
    concave = (np.linalg.eigvalsh(hess) < 0).all(axis=1)
    if concave.any():
        shift[concave] = np.linalg.solve(hess[concave], -grad[concave][..., None])[..., 0]
    good = concave & (np.abs(shift) <= 0.5).all(axis=1)
    return shift, good
