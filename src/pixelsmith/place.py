"""Sub-pixel stamp placement: add a small array (a PSF, a Gaussian) into a frame.

The cost of a placement is proportional to the stamp, never to the frame: the
stamp is resampled only on the frame pixels its support covers. Coordinates are
in array index order ``(row, col[, ...])`` with integer values at pixel centres.

Interpolation model: the stamp is a function that is zero outside its samples.
``order=3`` is the interpolating cubic B-spline of the zero-padded stamp (the
model of ``scipy.ndimage.shift(order=3)`` on a zero-padded stamp), ``1`` is
(bi/tri)linear, ``0`` nearest (ties round up), ``"lanczos3"`` the normalised
Lanczos-3 kernel. The resampled stamp is kept where it can be non-zero: up to
0.5, 1, 2 or 3 stamp pixels beyond the outermost samples for these orders.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._bspline import cubic_spline_coefficients
from ._kernels import stamps as _k
from ._parallel import n_threads, run_each
from ._validate import (
    PixelsmithTypeError,
    PixelsmithValueError,
    as_image_array,
    as_points,
    check_allocation,
    check_choice,
    check_finite_scalar,
    is_dask_array,
    unmasked,
)

__all__ = ["add_stamp", "add_stamps"]

_ORDERS = {0: _k.NEAREST, 1: _k.LINEAR, 3: _k.CUBIC, "lanczos3": _k.LANCZOS3}
# Zero padding around the stamp: taps reach 3 beyond the support (5 for Lanczos),
# and 6 keeps the spline prefilter's boundary out of reach (0.268**12 ~ 1e-7).
_PAD = 6
# Coordinates beyond this are refused: they could not index any frame anyway.
_MAX_COORD = 1e12
# Stamps up to this many elements keep their prepared coefficients in a small cache.
_CACHE_MAX_ELEMENTS = 1 << 16
# Below this many stamps a thread pool costs more than it saves.
_SERIAL_BELOW = 64


@dataclass(frozen=True)
class _StampPlan:
    """A validated stamp, prepared once for any number of placements (3-D views)."""

    samples: np.ndarray  # zero-padded stamp, float64, 3-D
    coef: np.ndarray  # what interpolation reads: samples, or their spline coefficients
    pad: np.ndarray
    orders: np.ndarray
    radius: np.ndarray
    stamp_center: np.ndarray
    amat: np.ndarray  # stamp offset -> frame offset
    minv: np.ndarray
    separable: bool
    preserve: bool
    stamp_sum: float
    jacobian: float


def _check_frame(frame: Any) -> np.ndarray:
    if is_dask_array(frame):
        raise PixelsmithTypeError(
            "`frame` must be a numpy array (stamps are added in place), got a dask array; "
            "render into numpy blocks or call .compute() first"
        )
    if not isinstance(frame, np.ndarray):
        raise PixelsmithTypeError(
            f"`frame` must be a numpy array (stamps are added in place), got {type(frame).__name__}; "
            "create one with np.zeros(shape, np.float32)"
        )
    if frame.dtype.kind == "f" and not frame.dtype.isnative and frame.dtype.itemsize in (4, 8):
        raise PixelsmithTypeError(
            f"`frame` is big-endian {frame.dtype.newbyteorder('=')} ({frame.dtype.str}, as FITS files hold it), "
            "which cannot be written in place; pass frame = frame.astype(frame.dtype.newbyteorder('=')) and "
            "keep that array"
        )
    if frame.dtype not in (np.float32, np.float64):
        raise PixelsmithTypeError(
            f"`frame` must be float32 or float64 to receive interpolated values, got {frame.dtype}; "
            "pass frame.astype(np.float32)"
        )
    if frame.ndim not in (2, 3):
        raise PixelsmithValueError(f"`frame` must be 2-D or 3-D, got shape {frame.shape}")
    if not frame.flags.writeable:
        raise PixelsmithValueError("`frame` is read-only; pass a writeable copy (frame.copy())")
    return frame


def _check_stamp(stamp: Any, ndim: int) -> np.ndarray:
    arr = np.asarray(stamp) if not is_dask_array(stamp) else stamp
    if getattr(arr, "ndim", 0) == ndim + 1 and ndim == 2 and arr.shape[-1] in (3, 4):
        channels = "RGBA" if arr.shape[-1] == 4 else "RGB"
        raise PixelsmithValueError(
            f"`stamp` must be 2-D like `frame`, got shape {arr.shape}, which looks like {channels} "
            "colour channels; pass one channel (stamp[..., 0]) or a gray image"
        )
    arr = as_image_array(stamp, "stamp", ndim=ndim, allow_dask=False, hint=f"a {ndim}-D frame takes a {ndim}-D stamp")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise PixelsmithValueError(
            f"`stamp` contains {int(bad.sum())} NaN or infinite values; replace them first (e.g. np.nan_to_num(stamp))"
        )
    return arr


def _per_axis(value: Any, name: str, ndim: int) -> np.ndarray:
    """A scalar or one finite number per axis."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        values = [check_finite_scalar(value, name)] * ndim
    else:
        try:
            values = [float(v) for v in value]
        except (TypeError, ValueError):
            raise PixelsmithTypeError(f"`{name}` must be a number or {ndim} numbers, got {value!r}") from None
        if len(values) != ndim:
            raise PixelsmithValueError(f"`{name}` must have {ndim} values (one per axis), got {len(values)}")
        for v in values:
            check_finite_scalar(v, name)
    return np.asarray(values)


def _padded_and_coefficients(stamp: np.ndarray, spline: bool) -> tuple[np.ndarray, np.ndarray]:
    """The zero-padded stamp and what interpolation reads from it; small stamps are cached.

    The cache is keyed by the stamp's bytes (not its identity), so a stamp that is
    modified between calls is never served stale; it spares loops of `add_stamp`
    the spline prefilter.
    """
    if stamp.size > _CACHE_MAX_ELEMENTS:
        return _pad_and_filter(stamp.tobytes(), stamp.shape, spline)
    return _cached_pad_and_filter(stamp.tobytes(), stamp.shape, spline)


def _pad_and_filter(data: bytes, shape: tuple[int, ...], spline: bool) -> tuple[np.ndarray, np.ndarray]:
    padded = np.pad(np.frombuffer(data, np.float64).reshape(shape), _PAD)
    coef = padded
    if spline:
        # mirror boundary on the zero margin: the prefilter's edge is out of the stamp's reach
        coef = cubic_spline_coefficients(padded)
    padded.flags.writeable = False
    coef.flags.writeable = False
    return padded, coef


_cached_pad_and_filter = functools.lru_cache(maxsize=16)(_pad_and_filter)


def _prepare(
    frame: np.ndarray, stamp: Any, stamp_center: Any, zoom: Any, rotation: Any, order: Any, flux: str
) -> _StampPlan:
    ndim = frame.ndim
    arr = _check_stamp(stamp, ndim)
    if isinstance(order, bool) or order not in _ORDERS:
        raise PixelsmithValueError(f"`order` must be one of 0, 1, 3, 'lanczos3'; got {order!r}")
    check_choice(flux, "flux", ("preserve", "sample"))
    zooms = _per_axis(zoom, "zoom", ndim)
    if (zooms <= 0).any():
        raise PixelsmithValueError(f"`zoom` must be > 0, got {zoom!r}")
    # the kernels walk the zoomed stamp's bounding box (rotated: its diagonal) with per-pixel weights
    box = (np.hypot.reduce(np.asarray(arr.shape, float) + 2 * _PAD) * zooms.max() + 2) ** ndim
    check_allocation(
        16.0 * box,
        "zoom",
        zoom,
        f"the footprint of the zoomed {arr.shape} stamp",
        "use a zoom that keeps the stamp within a few frames' size",
    )
    angle = check_finite_scalar(rotation, "rotation")
    if ndim == 3 and angle % 360.0 != 0.0:
        raise PixelsmithValueError(f"`rotation` is for 2-D stamps; got {angle} with a 3-D frame")
    if stamp_center is None:
        center = (np.asarray(arr.shape, float) - 1.0) / 2.0
    else:
        center = as_points(stamp_center, "stamp_center", ndim, single=True, max_abs=_MAX_COORD)[0]

    # 3-D views: a 2-D stamp gets a leading axis with identity interpolation
    code = _ORDERS[order]
    lead = 3 - ndim
    padded, coef = _padded_and_coefficients(arr, code == _k.CUBIC)
    shape3 = (1,) * lead
    pad = np.array([0] * lead + [_PAD] * ndim, np.int64)
    orders = np.array([_k.NEAREST] * lead + [code] * ndim, np.int64)
    radius = np.array([0.0] * lead + [_k.support_radius(code)] * ndim)
    amat = np.eye(3)
    rad = math.radians(angle)
    rot = np.eye(ndim)
    if ndim == 2 and angle % 360.0 != 0.0:
        # positive angles turn the stamp counter-clockwise as shown by imshow (row 0 on top),
        # like scipy.ndimage.rotate
        rot = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]])
    amat[lead:, lead:] = rot @ np.diag(zooms)
    minv = np.eye(3)
    minv[lead:, lead:] = np.diag(1.0 / zooms) @ rot.T
    return _StampPlan(
        samples=padded.reshape(shape3 + padded.shape),
        coef=coef.reshape(shape3 + coef.shape),
        pad=pad,
        orders=orders,
        radius=radius,
        stamp_center=np.concatenate([np.zeros(lead), center]),
        amat=amat,
        minv=minv,
        separable=bool(angle % 360.0 == 0.0),
        preserve=flux == "preserve",
        stamp_sum=float(arr.sum()),
        jacobian=float(1.0 / np.prod(zooms)),
    )


def _render(frame: np.ndarray, plan: _StampPlan, centers: np.ndarray, weights: np.ndarray, threads: int) -> None:
    view = frame.reshape((1,) * (3 - frame.ndim) + frame.shape)
    centers3 = np.zeros((len(centers), 3))
    centers3[:, 3 - frame.ndim :] = centers
    band_axis = 3 - frame.ndim  # rows of a 2-D frame, planes of a 3-D one
    extent = view.shape[band_axis]

    def run(lo: int, hi: int) -> int:
        clip_lo = np.zeros(3, np.int64)
        clip_hi = np.asarray(view.shape, np.int64)
        clip_lo[band_axis], clip_hi[band_axis] = lo, hi
        return add(centers3, weights, clip_lo, clip_hi)

    def run_tile(some_centers: np.ndarray, some_weights: np.ndarray, r0: int, r1: int, c0: int, c1: int) -> int:
        return add(some_centers, some_weights, np.array([0, r0, c0]), np.array([1, r1, c1]))

    def add(some_centers: np.ndarray, some_weights: np.ndarray, clip_lo: np.ndarray, clip_hi: np.ndarray) -> int:
        return _k.add_stamps_clipped(
            view,
            plan.samples,
            plan.coef,
            plan.pad,
            plan.orders,
            plan.radius,
            plan.stamp_center,
            plan.amat,
            plan.minv,
            plan.separable,
            some_centers,
            some_weights,
            plan.preserve,
            plan.stamp_sum,
            plan.jacobian,
            clip_lo,
            clip_hi,
        )

    if frame.ndim == 2 and len(centers) >= _TILED_FROM:
        _render_tiles(view, plan, centers3, weights, run_tile)
        return
    if threads <= 1 or len(centers) < _SERIAL_BELOW or extent < 2 * threads:
        run(0, extent)
        return
    # Disjoint bands of the frame, one task each: no two threads write the same pixel,
    # and each band adds its stamps in input order, so the sum is the serial one.
    n_bands = min(extent, 4 * threads)
    edges = np.linspace(0, extent, n_bands + 1).astype(int)
    run_each(list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)), lambda band: run(*band))


# many stamps into a 2-D frame go tile by tile: a tile of the frame stays in the core's cache while its
# stamps are added (in a frame of 64 MB, stamps at scattered positions each missed the cache on every row)
_TILED_FROM = 64
_TILE = (256, 1024)  # rows, columns: 1 MB of float32 (measured: taller tiles repeat fewer stamps)


def _render_tiles(view: np.ndarray, plan: _StampPlan, centers3: np.ndarray, weights: np.ndarray, run_tile) -> None:
    """Add the stamps tile by tile: each tile gets the stamps whose box can reach it, in input order, and
    clips them to itself, so every pixel still receives its stamps in input order (the serial sum)."""
    n_stamp = np.array(plan.samples.shape) - 2 * np.asarray(plan.pad)
    radius, anchor = np.asarray(plan.radius, float), np.asarray(plan.stamp_center, float)
    # how far a stamp's box can reach from its centre along rows and columns (conservative): the farthest
    # support index from the anchor, through the map
    farthest = np.maximum(np.abs(-radius - anchor), np.abs(n_stamp - 1 + radius - anchor)) + 1.0
    reach = np.abs(plan.amat) @ farthest + 2.0
    rows, cols = view.shape[1], view.shape[2]
    tiles_r, tiles_c = -(-rows // _TILE[0]), -(-cols // _TILE[1])
    first_r = np.clip(np.floor((centers3[:, 1] - reach[1]) / _TILE[0]), 0, tiles_r - 1).astype(np.int64)
    last_r = np.clip(np.floor((centers3[:, 1] + reach[1]) / _TILE[0]), 0, tiles_r - 1).astype(np.int64)
    first_c = np.clip(np.floor((centers3[:, 2] - reach[2]) / _TILE[1]), 0, tiles_c - 1).astype(np.int64)
    last_c = np.clip(np.floor((centers3[:, 2] + reach[2]) / _TILE[1]), 0, tiles_c - 1).astype(np.int64)
    span_r, span_c = last_r - first_r + 1, last_c - first_c + 1
    # every (tile, stamp) pair, then grouped by tile with the stamps kept in input order (stable sort)
    stamp = np.repeat(np.arange(len(centers3)), span_r * span_c)
    within = np.arange(len(stamp)) - np.repeat(np.cumsum(span_r * span_c) - span_r * span_c, span_r * span_c)
    tile = (first_r[stamp] + within // span_c[stamp]) * tiles_c + first_c[stamp] + within % span_c[stamp]
    order = np.argsort(tile, kind="stable")
    tile, stamp = tile[order], stamp[order]
    bounds = np.searchsorted(tile, np.arange(tiles_r * tiles_c + 1))
    jobs = [t for t in range(tiles_r * tiles_c) if bounds[t + 1] > bounds[t]]

    def work(t: int) -> None:
        mine = stamp[bounds[t] : bounds[t + 1]]
        r0, c0 = (t // tiles_c) * _TILE[0], (t % tiles_c) * _TILE[1]
        run_tile(centers3[mine], weights[mine], r0, min(r0 + _TILE[0], rows), c0, min(c0 + _TILE[1], cols))

    run_each(jobs, work)


def add_stamp(
    frame: np.ndarray,
    stamp: Any,
    center: Sequence[float],
    *,
    stamp_center: Sequence[float] | None = None,
    zoom: float | Sequence[float] = 1.0,
    rotation: float = 0.0,
    order: int | str = 3,
    flux: str = "preserve",
    weight: float = 1.0,
) -> np.ndarray:
    """Add `stamp` to `frame` in place, with `stamp_center` landing at sub-pixel `center`.

    The work is proportional to the stamp: only the frame pixels under the
    resampled stamp are touched. Parts outside the frame are clipped; a stamp
    entirely outside adds nothing.

    Parameters
    ----------
    frame : numpy.ndarray, float32 or float64, 2-D or 3-D
        Receives the stamp (modified in place).
    stamp : array_like
        The stamp, same number of dimensions as `frame`; finite values.
    center : sequence of float
        Where `stamp_center` lands, in frame index order: ``(row, col)`` for a 2-D frame,
        ``(plane, row, col)`` for a 3-D one.
    stamp_center : sequence of float, optional
        The stamp point that is placed at `center`, in stamp index coordinates.
        Default: the geometric centre ``(n - 1) / 2`` along each axis.
    zoom : float or sequence of float, default 1.0
        Size of one stamp pixel in frame pixels (per axis or one for all); 2
        doubles the stamp's extent. Zooms below 1 point-sample the stamp (blur
        it first to avoid aliasing).
    rotation : float, default 0.0
        Degrees, 2-D only; positive turns the stamp counter-clockwise as shown
        by ``imshow`` with row 0 on top (the scipy.ndimage.rotate sense).
    order : {0, 1, 3, 'lanczos3'}, default 3
        Interpolation: nearest, linear, cubic B-spline, normalised Lanczos-3.
    flux : {'preserve', 'sample'}, default 'preserve'
        'preserve' scales each placement so that the resampled stamp (before
        clipping) sums to ``weight * stamp.sum()``: zoom 2 spreads the same flux
        over 4x the pixels. 'sample' adds ``weight`` times the stamp evaluated
        as a function. (A stamp summing to 0 is scaled by ``1 / prod(zoom)``.)
    weight : float, default 1.0
        Multiplies the placed stamp (a star's flux, say).

    Returns
    -------
    numpy.ndarray
        `frame`, for chaining.

    Notes
    -----
    A grid-aligned placement (``center - stamp_center`` integral, zoom 1, no
    rotation) is exactly ``frame[r0:r0 + h, c0:c0 + w] += weight * stamp`` for
    every `order`: all these interpolants reproduce their samples.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import add_stamp
    >>> yy, xx = np.mgrid[:9, :9]
    >>> psf = np.exp(-((yy - 4) ** 2 + (xx - 4) ** 2) / (2 * 1.5**2))
    >>> frame = np.zeros((40, 40), np.float32)
    >>> _ = add_stamp(frame, psf, (23.4, 22.6))
    >>> round(float(frame.sum() / psf.sum()), 6)
    1.0
    >>> np.unravel_index(frame.argmax(), frame.shape)
    (np.int64(23), np.int64(23))
    """
    _check_frame(frame)
    plan = _prepare(frame, stamp, stamp_center, zoom, rotation, order, flux)
    centers = as_points(center, "center", frame.ndim, single=True, max_abs=_MAX_COORD)
    w = check_finite_scalar(weight, "weight")
    _render(frame, plan, centers, np.array([w]), threads=1)
    return frame


def add_stamps(
    frame: np.ndarray,
    stamp: Any,
    centers: Any,
    *,
    weights: Any = None,
    stamp_center: Sequence[float] | None = None,
    zoom: float | Sequence[float] = 1.0,
    rotation: float = 0.0,
    order: int | str = 3,
    flux: str = "preserve",
) -> np.ndarray:
    """Add `stamp` at many sub-pixel `centers` (an N x ndim array), in place, in parallel.

    Gives the same numbers as a loop of `add_stamp` over the rows of `centers`
    (bit for bit: every frame pixel receives its stamps in input order), much
    faster: the stamp is prepared once and the frame is split into bands of
    rows that threads fill independently.

    Parameters
    ----------
    frame : numpy.ndarray, float32 or float64, 2-D or 3-D
        Receives the stamps (modified in place).
    stamp : array_like
        The stamp, same number of dimensions as `frame`.
    centers : array_like, shape (N, ndim)
        Positions in frame index order ``(row, col[, ...])``; for x/y lists pass
        ``np.column_stack([y, x])``.
    weights : array_like, shape (N,), optional
        Per-stamp multipliers (fluxes); default 1.
    stamp_center, zoom, rotation, order, flux
        As in `add_stamp`, shared by every placement.

    Returns
    -------
    numpy.ndarray
        `frame`.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import add_stamps
    >>> yy, xx = np.mgrid[:15, :15]
    >>> psf = np.exp(-((yy - 7) ** 2 + (xx - 7) ** 2) / (2 * 2.0**2))
    >>> psf /= psf.sum()
    >>> rng = np.random.default_rng(0)
    >>> stars = rng.uniform(20, 480, size=(1000, 2))
    >>> flux = rng.uniform(100, 1000, size=1000)
    >>> frame = add_stamps(np.zeros((500, 500), np.float32), psf, stars, weights=flux)
    >>> bool(abs(frame.sum() - flux.sum()) < 1e-3 * flux.sum())
    True
    """
    _check_frame(frame)
    plan = _prepare(frame, stamp, stamp_center, zoom, rotation, order, flux)
    points = as_points(centers, "centers", frame.ndim, max_abs=_MAX_COORD)
    if weights is None:
        w = np.ones(len(points))
    else:
        weights = unmasked(weights, "weights", "weights.filled(0.0) to give masked stamps no flux")
        try:
            w = np.asarray(weights, np.float64)
        except (TypeError, ValueError):
            raise PixelsmithTypeError(f"`weights` must be numbers, got {weights!r}") from None
        if w.shape != (len(points),):
            raise PixelsmithValueError(
                f"`weights` must have one value per centre, shape ({len(points)},), got shape {w.shape}"
            )
        if not np.isfinite(w).all():
            first = int(np.flatnonzero(~np.isfinite(w))[0])
            raise PixelsmithValueError(f"`weights` must be finite, got {w[first]} at index {first}")
    _render(frame, plan, points, w, threads=n_threads())
    return frame
