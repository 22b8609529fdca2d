"""Normalized cross-correlation (N-D, FFT), template matching, and R-style ccf of two series."""

from __future__ import annotations

import itertools
import math
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._deprecate import renamed_attribute, renamed_function, renamed_keywords
from ._parallel import n_threads, run_each
from ._validate import (
    PixelsmithTypeError,
    PixelsmithValueError,
    all_finite,
    as_image_array,
    check_bool_mask,
    check_choice,
    check_positive_int,
    is_dask_array,
    result_float_dtype,
)
from ._xarray import labelled
from .types import ArrayLike, NccCrop

__all__ = ["ncc", "find_matches", "match_template", "Matches", "ccf", "best_lag", "CrossCorrelation", "BestLag"]

# A window whose variance sum is below this times the magnitude of the sums it
# came from is flat (zero variance up to rounding): its NCC is 0.
_FLAT_EPS = 64 * np.finfo(float).eps


# overlap-save blocks: an FFT of about this many samples per axis (at least 4 template lengths) costs far
# less than one image-sized FFT when the template is small, and each block is an independent task
_BLOCK_LENGTH = 512


def _fast_length(n: int) -> int:
    """The smallest ``2**a * 3**b * 5**c`` at least `n`: a length pocketfft transforms at full speed.

    (scipy's ``next_fast_len(n, real=True)``, without importing ``scipy.fft``.)
    """
    best = 1 << max(0, n - 1).bit_length()  # a power of two always qualifies
    odd = 1  # 3**b * 5**c
    while odd < best:
        five = odd
        while five < best:
            length = five
            while length < n:
                length *= 2
            best = min(best, length)
            five *= 5
        odd *= 3
    return best


def _block_shape(image_shape: tuple[int, ...], template_shape: tuple[int, ...]) -> tuple[int, ...]:
    """FFT size per axis for the overlap-save blocks: fast lengths, never beyond the whole (padded) image."""
    return tuple(
        min(_fast_length(max(4 * t, _BLOCK_LENGTH)), _fast_length(int(n)))
        for n, t in zip(image_shape, template_shape, strict=True)
    )


def _valid_correlations(image: np.ndarray, kernels: list[np.ndarray], offset: float = 0.0) -> list[np.ndarray]:
    """``sum_k (image[i + k] - offset) * kernel[k]`` at every valid position, for each kernel (all of one shape).

    Overlap-save: the image is cut into blocks of `_block_shape` samples whose
    valid outputs tile the result; each block is one real FFT, multiplied by
    every kernel's transform and transformed back (float64 throughout; each block
    less `offset` on its own, so the image needs no centred copy). Blocks
    run on the thread pool (pocketfft releases the GIL). numpy's FFT is the same
    pocketfft as ``scipy.fft`` (the same bits here, as fast), and it is loaded
    with numpy: ``scipy.fft`` costs a first call 0.25 s of imports. Each thread
    transforms in buffers of its own, reused block after block: fresh arrays
    for every transform took half the time (their pages faulted in anew).
    """
    from numpy.fft import ifftn, irfft, rfftn

    shape = kernels[0].shape
    out_shape = tuple(n - t + 1 for n, t in zip(image.shape, shape, strict=True))
    fshape = _block_shape(image.shape, shape)
    spectrum_shape = fshape[:-1] + (fshape[-1] // 2 + 1,)
    step = tuple(f - t + 1 for f, t in zip(fshape, shape, strict=True))  # valid outputs per block and axis
    flipped = [k[(slice(None, None, -1),) * k.ndim] for k in kernels]
    axes = tuple(range(image.ndim))
    transforms = [rfftn(k, fshape, axes) for k in flipped]
    outs = [np.empty(out_shape) for _ in kernels]
    origins = list(itertools.product(*(range(0, o, s) for o, s in zip(out_shape, step, strict=True))))
    own = threading.local()

    def block(origin: tuple[int, ...]) -> None:
        if not hasattr(own, "piece"):
            own.piece, own.full = np.empty(fshape), np.empty(fshape)
            own.spectrum, own.product = np.empty(spectrum_shape, complex), np.empty(spectrum_shape, complex)
            own.mixed = np.empty(spectrum_shape, complex)
        piece = image[tuple(slice(o, o + f) for o, f in zip(origin, fshape, strict=True))]
        if piece.shape != fshape:  # at the far edges: zero-padded
            own.piece.fill(0.0)
        np.subtract(piece, offset, out=own.piece[tuple(slice(0, n) for n in piece.shape)], dtype=np.float64)
        spectrum = _fft_into(rfftn, own.piece, fshape, axes, own.spectrum)
        target = tuple(slice(o, min(o + s, n)) for o, s, n in zip(origin, step, out_shape, strict=True))
        source = tuple(slice(t - 1, t - 1 + (sl.stop - sl.start)) for t, sl in zip(shape, target, strict=True))
        for transform, out in zip(transforms, outs, strict=True):
            product = np.multiply(spectrum, transform, out=own.product)
            if image.ndim == 1:
                out[target] = _fft_into(irfft, product, fshape[0], -1, own.full)[source]
                continue
            # irfftn's steps (the inverse along the leading axes, then the real inverse along the last), the
            # last only for the rows that are kept: a quarter of that pass saved at 512 / 128
            mixed = _fft_into(ifftn, product, fshape[:-1], axes[:-1], own.mixed)
            rows = source[0]
            full = _fft_into(irfft, mixed[rows], fshape[-1], -1, own.full[rows])
            out[target] = full[(slice(None),) + source[1:]]

    run_each(origins, block)
    return outs


# numpy's FFTs write into a given array from numpy 2.0 on
_FFT_TAKES_OUT = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


def _fft_into(transform: Any, x: np.ndarray, size: Any, axes: Any, out: np.ndarray) -> np.ndarray:
    """``transform(x, size, axes)`` (numpy's ``rfftn``, ``ifftn`` or ``irfft``: sizes and axes as each takes
    them) written into `out` where numpy can (2.0 on), else a new array."""
    if _FFT_TAKES_OUT:
        return transform(x, size, axes, out=out)
    return transform(x, size, axes)


def _window_sums(x: np.ndarray, window: tuple[int, ...]) -> np.ndarray:
    """Sums of every valid window of `x` from a summed-area table (float64)."""
    table = np.zeros(tuple(n + 1 for n in x.shape))
    table[(slice(1, None),) * x.ndim] = x
    for axis in range(x.ndim):
        np.cumsum(table, axis=axis, out=table)
    out_shape = tuple(n - w + 1 for n, w in zip(x.shape, window, strict=True))
    total = np.zeros(out_shape)
    for corner in itertools.product((0, 1), repeat=x.ndim):
        index = tuple(slice(w, w + o) if c else slice(0, o) for c, w, o in zip(corner, window, out_shape, strict=True))
        sign = (-1) ** (x.ndim - sum(corner))
        total += sign * table[index]
    return total, float(np.abs(table).max())


def _pad_for_mode(image: np.ndarray, template_shape: tuple[int, ...], mode: str) -> np.ndarray:
    if mode == "valid":
        return image
    if mode == "same":  # the template's centre (shape // 2) over each pixel, zeros beyond the edges
        pads = [(t // 2, (t - 1) // 2) for t in template_shape]
    else:  # full: every overlap
        pads = [(t - 1, t - 1) for t in template_shape]
    return np.pad(image, pads, mode="constant")


@renamed_keywords(mode="crop", mask="where")
@labelled
def ncc(
    image: ArrayLike, template: ArrayLike, *, crop: NccCrop = "valid", where: ArrayLike | None = None
) -> np.ndarray:
    """Normalized cross-correlation: the Pearson correlation of `template` with every window of `image`.

    ``r(i) = sum_k (I[i+k] - mean_i) (T[k] - mean_T) / sqrt(sum (I - mean_i)^2 * sum (T - mean_T)^2)``
    over the window at ``i``, computed with FFTs (cost ~ image size, not image x
    template) and summed-area tables for the window statistics. Values lie in
    [-1, 1]; windows of zero variance (flat image areas) give 0, never NaN.
    Accuracy: the window statistics come from float64 sums of the mean-removed
    image, so a window of variance ``v`` is off by about
    ``1e-16 * range**2 / v`` in r (``range`` = the image's max - min):
    negligible unless a window is nearly flat next to the image's range.

    Parameters
    ----------
    image, template : array_like, same number of dimensions (1-D, 2-D, 3-D, ...)
        The template must not be larger than the image along any axis ('valid')
        and must not be constant.
    crop : {'valid', 'same', 'full'}, default 'valid'
        Output extent. 'valid': windows fully inside, shape ``image - template + 1``; the value
        at ``i`` is for the window whose first (top-left) element is ``i``.
        'same': shape of `image`, the window centred (template centre
        ``shape // 2``) on each pixel, the image zero-padded (scikit-image's
        ``match_template(pad_input=True)``). 'full': every partial overlap.
    where : array_like of bool, optional
        Template pixels to use (True = use): masked NCC, statistics over those
        positions only.

    Returns
    -------
    numpy.ndarray
        The correlation surface: float32 for float32 image and template,
        float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> image = rng.normal(size=(60, 80))
    >>> r = ncc(image, image[20:31, 35:50])
    >>> np.unravel_index(r.argmax(), r.shape), round(float(r.max()), 12)
    ((np.int64(20), np.int64(35)), 1.0)
    """
    for name, value in (("image", image), ("template", template)):
        if is_dask_array(value):
            raise PixelsmithTypeError(
                f"`{name}` is a dask array, and an FFT correlation needs the whole image; call .compute() first "
                "(for an image larger than memory, correlate overlapping tiles)"
            )
    img = as_image_array(image, "image", allow_dask=False)
    tpl = as_image_array(template, "template", allow_dask=False)
    check_choice(crop, "crop", ("valid", "same", "full"))
    if img.ndim != tpl.ndim:
        raise PixelsmithValueError(
            f"`template` must have the dimensions of `image` ({img.ndim}-D), got shape {tpl.shape}; "
            "for an RGB pair convert both to gray first"
        )
    out_dtype = result_float_dtype(np.promote_types(img.dtype, tpl.dtype))  # computed in float64 throughout
    as_given = img  # the caller's array, or a view of it: never written
    if img.dtype not in (np.float32, np.float64) or not img.flags.c_contiguous:
        img = np.ascontiguousarray(img, dtype=np.float64)
    tpl = tpl.astype(np.float64, copy=False)
    for name, value in (("image", img), ("template", tpl)):
        if not all_finite(value):
            raise PixelsmithValueError(f"`{name}` contains NaN or inf; fill them first (pixelsmith.fill_nans)")
    weights = None
    if where is not None:
        weights = check_bool_mask(
            where, "where", [tpl.shape], "use this template pixel", what=f"of the template {tpl.shape}"
        )
    used = tpl[weights] if weights is not None else tpl
    centred_tpl = tpl - used.mean()
    if weights is not None:
        centred_tpl = np.where(weights, centred_tpl, 0.0)
    tpl_energy = float((centred_tpl**2).sum())
    if tpl_energy <= 1e-24 * max(float((used**2).sum()), 1e-300):
        raise PixelsmithValueError("`template` is constant (zero variance); its correlation is undefined")

    padded = _pad_for_mode(img, tpl.shape, crop)
    if any(p < t for p, t in zip(padded.shape, tpl.shape, strict=True)):
        raise PixelsmithValueError(
            f"`template` {tpl.shape} is larger than `image` {img.shape} along an axis; use crop='same' or "
            "'full', or a smaller template"
        )
    # offset-free: keeps the window variances accurate
    mean = float(img.mean(dtype=np.float64))
    lead = (1,) * (3 - img.ndim) if img.ndim <= 3 else None
    if weights is None and lead is not None:
        from ._kernels import ncc as _k

        # the image as given (C-ordered float32 or float64), centred on the fly by the FFT blocks and the
        # kernels: no image-sized copy (a padded crop is a copy of our own already)
        numerator = _valid_correlations(padded, [centred_tpl], offset=mean)[0]
        w0, w1, w2 = lead + tpl.shape
        x3 = padded.reshape(lead + padded.shape)
        result = numerator.reshape(lead + numerator.shape)  # a view: finalized in place
        bound = _k.flat_bound(x3, mean, w0, w1, w2, _FLAT_EPS)
        if w0 > 1:
            _k.finalize(x3, mean, w0, w1, w2, result, tpl_energy, bound)
        else:  # bands of output rows that start where the running sums restart: same bits as one pass
            rows = result.shape[1]
            band = w1 * max(1, -(-rows // (4 * n_threads() * w1)))
            starts = list(range(0, rows, band))
            run_each(
                starts,
                lambda r0: _k.finalize_rows(x3, mean, w1, w2, result, tpl_energy, bound, r0, min(r0 + band, rows)),
            )
        return numerator.astype(out_dtype, copy=False)
    # float64, in place where `padded` is a float64 copy of our own (an image-sized temporary less)
    own = padded is not as_given and padded.dtype == np.float64
    x = np.subtract(padded, mean, out=padded) if own else np.subtract(padded, mean, dtype=np.float64)
    numerator, *sums = _valid_correlations(x, [centred_tpl] + ([] if weights is None else [weights.astype(float)]))
    if weights is None:
        n = float(tpl.size)
        s1, scale1 = _window_sums(x, tpl.shape)
        s2, scale2 = _window_sums(x * x, tpl.shape)
    else:
        n = float(weights.sum())
        w = weights.astype(np.float64)
        s1 = sums[0]
        [s2] = _valid_correlations(x * x, [w])
        scale1 = float(np.abs(x).sum())
        scale2 = float((x * x).sum())
    variance_n = s2 - s1 * s1 / n
    # rounding bound of the window sums: below it a window is flat
    flat = variance_n <= _FLAT_EPS * (scale2 + scale1 * scale1 / n)
    denominator = np.sqrt(np.where(flat, 1.0, variance_n) * tpl_energy)
    result = np.where(flat, 0.0, numerator / denominator)
    return np.clip(result, -1.0, 1.0).astype(out_dtype, copy=False)


@dataclass(frozen=True)
class Matches:
    """Best matches of `find_matches`, best first.

    Attributes
    ----------
    coords : numpy.ndarray, shape (n, ndim)
        Index of the template's first (top-left) element in the image, float with
        sub-pixel refinement.
    scores : numpy.ndarray, shape (n,)
        NCC at the integer peak.
    """

    coords: np.ndarray
    scores: np.ndarray

    positions = renamed_attribute("coords", "positions")


@renamed_keywords(n="max_count", mask="where")
def find_matches(
    image: ArrayLike,
    template: ArrayLike,
    *,
    max_count: int = 1,
    min_distance: float | None = None,
    subpixel: bool = True,
    where: Any = None,
) -> Matches:
    """Where `template` matches best in `image`: the `max_count` highest NCC peaks.

    The correlation surface itself is `ncc` (scikit-image calls that surface
    ``match_template``; pixelsmith's old ``match_template`` is this function).

    Parameters
    ----------
    image, template : array_like
        As in `ncc` ('valid' windows).
    max_count : int, default 1
        At most this many matches.
    min_distance : float, optional
        Minimum distance between matches; default half the template's smallest side.
    subpixel : bool, default True
        Refine each position by a quadratic fit of the NCC around the peak.
    where : array_like of bool, optional
        Template pixels to use, as in `ncc`.

    Returns
    -------
    Matches
        ``coords`` (template's top-left corner, index order) and ``scores``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> image = rng.normal(size=(100, 100))
    >>> best = find_matches(image, image[40:52, 10:30], subpixel=False)
    >>> best.coords.tolist(), round(float(best.scores[0]), 6)
    ([[40, 10]], 1.0)
    """
    from .sources import find_peaks

    max_count = check_positive_int(max_count, "max_count")
    surface = ncc(image, template, where=where)
    if min_distance is None:
        min_distance = max(1.0, min(np.shape(template)) / 2)
    peaks = find_peaks(surface, min_distance=min_distance, exclude_border=False, max_count=max_count)
    coords = peaks.coords
    if subpixel and len(coords):
        coords = _refine_on_surface(surface, coords)
    return Matches(coords=coords, scores=peaks.heights.astype(np.float64))


match_template = renamed_function(find_matches, "match_template")


def _refine_on_surface(surface: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Per-axis parabola through each peak and its neighbours (clipped to +-0.5; edges stay put)."""
    out = coords.astype(np.float64)
    for k, c in enumerate(coords):
        for axis in range(surface.ndim):
            if c[axis] == 0 or c[axis] == surface.shape[axis] - 1:
                continue
            lo, hi = list(c), list(c)
            lo[axis] -= 1
            hi[axis] += 1
            a, b, d = surface[tuple(lo)], surface[tuple(c)], surface[tuple(hi)]
            curvature = a - 2 * b + d
            if curvature < 0:
                out[k, axis] += float(np.clip(0.5 * (a - d) / curvature, -0.5, 0.5))
    return out


def _series(x: Any, name: str) -> np.ndarray:
    arr = as_image_array(x, name, ndim=1, allow_dask=False, hint="pass a 1-D series")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise PixelsmithValueError(f"`{name}` contains NaN or inf; R's ccf would need na.action too")
    return arr


class CrossCorrelation(NamedTuple):
    """`ccf`'s result; unpacks as ``lags, r = ccf(x, y)``."""

    lags: np.ndarray
    r: np.ndarray


class BestLag(NamedTuple):
    """`best_lag`'s result; unpacks as ``lag, r = best_lag(x, y)``."""

    lag: int
    r: float


def ccf(x: Any, y: Any, max_lag: int | None = None) -> CrossCorrelation:
    """Cross-correlation of two series as R's ``ccf(x, y)`` defines it.

    ``r(k) = sum_t (x[t+k] - mean(x)) (y[t] - mean(y)) / (n * sd(x) * sd(y))``
    with the overall means, standard deviations with divisor n, and the sum over
    the ``n - |k|`` overlapping terms (so large lags shrink toward 0, as in R).
    Lag k compares x at time t + k with y at time t: a peak at a positive k
    means y leads x by k samples.

    Parameters
    ----------
    x, y : array_like, 1-D, same length >= 2
    max_lag : int, optional
        Largest absolute lag; default R's ``floor(10 * log10(n / 2))``, at most n - 1.

    Returns
    -------
    CrossCorrelation
        ``lags`` (int, ``-max_lag .. max_lag``) and ``r`` (float), a named
        tuple: ``lags, r = ccf(x, y)`` or ``ccf(x, y).r``.

    Examples
    --------
    >>> lags, r = ccf([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], max_lag=1)
    >>> lags.tolist(), [round(v, 4) for v in r.tolist()]
    ([-1, 0, 1], [0.5, 0.8, 0.2])
    """
    a, b = _series(x, "x"), _series(y, "y")
    if len(a) != len(b):
        raise PixelsmithValueError(f"`x` and `y` must have the same length, got {len(a)} and {len(b)}")
    n = len(a)
    if n < 2:
        raise PixelsmithValueError(f"`x` and `y` need at least 2 values, got {n}")
    if max_lag is None:
        max_lag = int(math.floor(10 * math.log10(n / 2))) if n > 2 else 1
    max_lag = min(check_positive_int(max_lag, "max_lag", minimum=0), n - 1)
    # a correlation does not depend on scale: bring each series to ~1 by a power of two (exact), so
    # values near 1e300 cannot overflow the squares and products
    a, b = (np.ldexp(v, -int(np.frexp(np.abs(v).max())[1])) for v in (a, b))
    da, db = a - a.mean(), b - b.mean()
    sa, sb = math.sqrt((da**2).mean()), math.sqrt((db**2).mean())
    if sa == 0 or sb == 0:
        raise PixelsmithValueError("`x` or `y` is constant; its correlation is undefined")
    from scipy.signal import correlate

    full = correlate(da, db, mode="full")  # full[n - 1 + k] = sum_t da[t + k] db[t]
    lags = np.arange(-max_lag, max_lag + 1)
    return CrossCorrelation(lags, full[n - 1 + lags] / (n * sa * sb))


def best_lag(x: Any, y: Any, max_lag: int | None = None) -> BestLag:
    """The lag of the largest (most positive) `ccf` value and that value.

    Parameters
    ----------
    x, y : array_like, 1-D, same length >= 2
        As in `ccf`.
    max_lag : int, optional
        As in `ccf`.

    Returns
    -------
    BestLag
        ``lag`` (int) and ``r`` (float), a named tuple: ``lag, r = best_lag(x, y)``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(200)
    >>> y = np.sin(t / 9.0)
    >>> x = np.roll(y, 7)         # x[t + 7] == y[t]
    >>> best_lag(x, y).lag
    7
    """
    lags, r = ccf(x, y, max_lag)
    k = int(np.argmax(r))
    return BestLag(int(lags[k]), float(r[k]))
