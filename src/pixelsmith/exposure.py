"""Histogram equalization of image stacks: every image on its own, all in one vectorized pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._deprecate import renamed_keywords
from ._kernels import exposure as _k
from ._parallel import n_threads, run_in_ranges
from ._validate import (
    PixelsmithValueError,
    as_image_array,
    check_bool_mask,
    check_positive_int,
    is_dask_array,
    normalize_axes,
    result_float_dtype,
)
from ._xarray import labelled
from .types import ArrayLike

__all__ = ["equalize_hist"]

_MAX_INTEGER_BINS = 1 << 24


@renamed_keywords(images="stack", mask="where")
@labelled
def equalize_hist(stack: ArrayLike, *, nbins: int = 256, axes: tuple[int, ...] = (-2, -1), where: Any = None) -> Any:
    """Histogram-equalize each image of a stack separately (scikit-image's ``equalize_hist`` per image).

    Every image (the sub-array over `axes`, e.g. each 96 x 96 frame of a
    (1800, 1, 96, 96) array) is mapped through its own cumulative histogram, in
    one pass over the stack with no Python loop per image.

    Conventions, as scikit-image: float images use `nbins` equal bins between
    the image's (masked) minimum and maximum, bin membership as numpy.histogram;
    integer images use one bin per integer value (`nbins` is ignored); each pixel
    becomes the CDF interpolated at its value between bin centres
    (numpy.interp). For float32 input the CDF is rounded to float32 before the
    interpolation and the result is float32, exactly as scikit-image does.

    Parameters
    ----------
    stack : array_like, dask.array.Array or xarray.DataArray
        Any number of images stacked along the axes not in `axes`; int, uint, bool or float.
    nbins : int, default 256
        Bins for float images.
    axes : tuple of int, default (-2, -1)
        The axes of one image.
    where : array_like of bool, optional
        Pixels that make the histogram (True = use), either the shape of
        `stack` or of one image (the same for all). Every pixel is mapped.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Values in [0, 1]; float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> stack = np.random.default_rng(0).integers(0, 200, size=(1800, 1, 96, 96), dtype=np.uint8)
    >>> out = equalize_hist(stack)
    >>> out.shape, out.dtype, float(out.max())
    ((1800, 1, 96, 96), dtype('float64'), 1.0)
    """
    if is_dask_array(stack):
        return _dask_equalize(stack, nbins=nbins, axes=axes, mask=where)
    arr = as_image_array(stack, "stack", allow_dask=False)
    nbins = check_positive_int(nbins, "nbins")
    image_axes = normalize_axes(axes, arr.ndim)
    if arr.dtype == np.bool_:
        arr = arr.view(np.uint8)
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    rest = [a for a in range(arr.ndim) if a not in image_axes]
    moved = np.transpose(arr, rest + list(image_axes))
    stack_shape = moved.shape[: len(rest)]
    image_shape = moved.shape[len(rest) :]
    pixels = int(np.prod(image_shape))
    rows = np.ascontiguousarray(moved.reshape(-1, pixels))
    use = _mask_rows(where, arr.shape, rest, image_axes, rows.shape, image_shape)

    # float32 rows are answered in float32 (the CDF computed in float64, rounded once as it is written)
    out = np.empty(rows.shape, np.float32 if rows.dtype == np.float32 else np.float64)
    if rows.dtype.itemsize == 1 and rows.dtype.kind in "iu":  # 256 values: one table per image, no range pass
        bits = rows.view(np.uint8)
        every = np.ones((1, 0), np.bool_) if where is None else use  # (1, 0): no mask to read
        run_in_ranges(
            len(rows),
            lambda r0, r1: _k.equalize_byte_rows(bits, every, rows.dtype.kind == "i", out, r0, r1),
            minimum=2 * n_threads(),
        )
    elif rows.dtype.kind in "iu":
        lows, highs = _integer_ranges(rows, use)
        run_in_ranges(
            len(rows), lambda r0, r1: _k.equalize_int_rows(rows, use, lows, highs, out, r0, r1), minimum=2 * n_threads()
        )
    elif where is None and rows.shape[1] > 0 and _float_whole_rows(rows, nbins, out):
        pass  # every pixel counts: ranges, bins and the mapping in one pass over each image
    else:
        edges, centers = _float_bins(rows, use, nbins, where is None)
        round32 = rows.dtype == np.float32

        def work(r0: int, r1: int) -> None:
            _k.equalize_float_rows(rows, use, edges, centers, round32, out, r0, r1)

        run_in_ranges(len(rows), work, minimum=2 * n_threads())
    result = out.reshape(stack_shape + image_shape)
    result = np.transpose(result, np.argsort(rest + list(image_axes)))
    return result.astype(np.float32 if arr.dtype == np.float32 else np.float64, copy=False)


def _float_whole_rows(rows: np.ndarray, nbins: int, out: np.ndarray) -> bool:
    """Equalize float rows whose every pixel counts, each in one pass (`_k.equalize_float_rows_whole`).

    False, leaving the work to the two-pass path, when some row has a zero-width bin (numpy.linspace then
    changes its formula for all rows). NaN or inf is refused as the two-pass path refuses it.
    """
    status = np.zeros(len(rows), np.int8)
    round32 = rows.dtype == np.float32
    run_in_ranges(
        len(rows),
        lambda r0, r1: _k.equalize_float_rows_whole(rows, nbins, round32, out, r0, r1, status),
        minimum=2 * n_threads(),
    )
    if (status == 1).any():
        if not np.isinf(rows).any():
            raise PixelsmithValueError(
                "`stack` contains NaN; pass where=~np.isnan(stack) to build the histograms from the other pixels"
            )
        raise PixelsmithValueError(
            "`stack` has NaN or inf among the pixels used for the histograms; exclude them with `where`"
        )
    if (status == 3).any():
        _refuse_narrow(int(np.flatnonzero(status == 3)[0]), nbins)
    return not (status == 2).any()


def _refuse_narrow(image: int, nbins: int) -> None:
    raise PixelsmithValueError(
        f"image {image} of `stack` spans a range too small for `nbins` {nbins} bins of finite width (a few "
        "denormal numbers apart), as numpy.histogram refuses it; rescale the image or use fewer bins"
    )


def _mask_rows(
    mask: Any,
    shape: tuple[int, ...],
    rest: list[int],
    image_axes: tuple[int, ...],
    rows_shape: tuple[int, int],
    image_shape: tuple[int, ...],
) -> np.ndarray:
    if mask is None:
        return np.ones((1, rows_shape[1]), np.bool_)
    m = check_bool_mask(
        mask, "where", [shape, image_shape], "use", what=f"of `stack` {shape} or of one image {image_shape}"
    )
    if m.shape == image_shape:
        return np.ascontiguousarray(m.reshape(1, -1))
    use = np.ascontiguousarray(np.transpose(m, rest + list(image_axes)).reshape(rows_shape))
    if not use.any(axis=1).all():
        raise PixelsmithValueError("`where` selects no pixel in some image; each image needs at least one")
    return use


def _masked(rows: np.ndarray, use: np.ndarray, fill: float) -> np.ndarray:
    if use.shape[0] == 1 and use.all():
        return rows
    return np.where(np.broadcast_to(use, rows.shape), rows, fill)


def _integer_ranges(rows: np.ndarray, use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    info = np.iinfo(rows.dtype)
    lows = _masked(rows, use, info.max).min(axis=1).astype(np.int64)
    highs = _masked(rows, use, info.min).max(axis=1).astype(np.int64)
    # the span in uint64: int64 data spanning more than 2^63 would wrap around to a negative span
    if (highs.astype(np.uint64) - lows.astype(np.uint64)).max(initial=0) >= _MAX_INTEGER_BINS:
        raise PixelsmithValueError(
            f"`stack` spans more than {_MAX_INTEGER_BINS} integer values in one image (one bin per value); "
            "convert to float to use `nbins` bins"
        )
    return lows, highs


def _float_bins(rows: np.ndarray, use: np.ndarray, nbins: int, every_pixel: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-row bin edges and centres computed as numpy.histogram / scikit-image compute them.

    NaN or inf among the pixels used is an error (a histogram of them is undefined).
    """
    dtype = rows.dtype
    if use.shape[0] == 1 and use.all():  # every pixel counts: ranges and the NaN check in one threaded pass
        first = np.empty(len(rows), dtype)
        last = np.empty(len(rows), dtype)
        bad = np.empty(len(rows), np.bool_)
        run_in_ranges(len(rows), lambda r0, r1: _k.row_ranges(rows, first, last, bad, r0, r1), minimum=2 * n_threads())
        flawed = bool(bad.any())
    else:
        first = _masked(rows, use, np.inf).min(axis=1).astype(dtype)
        last = _masked(rows, use, -np.inf).max(axis=1).astype(dtype)
        flawed = not (np.isfinite(rows) | ~use).all()
    if flawed:
        if every_pixel and not np.isinf(rows).any():
            raise PixelsmithValueError(
                "`stack` contains NaN; pass where=~np.isnan(stack) to build the histograms from the other pixels"
            )
        raise PixelsmithValueError(
            "`stack` has NaN or inf among the pixels used for the histograms; exclude them with `where`"
        )
    flat = first == last  # numpy widens an empty range by 0.5 on each side
    first = np.where(flat, first - dtype.type(0.5), first).astype(dtype)
    last = np.where(flat, last + dtype.type(0.5), last).astype(dtype)
    edges = np.linspace(first, last, nbins + 1, axis=-1, dtype=dtype)
    narrow = ~(np.diff(edges, axis=1) > 0).all(axis=1)
    if narrow.any():
        _refuse_narrow(int(np.flatnonzero(narrow)[0]), nbins)
    centers = (edges[:, :-1] + edges[:, 1:]) / dtype.type(2.0)
    return np.ascontiguousarray(edges), np.ascontiguousarray(centers)


def _dask_equalize(images, *, nbins, axes, mask):
    image_axes = normalize_axes(axes, images.ndim)
    if mask is not None and np.shape(mask) != tuple(images.shape[a] for a in image_axes):
        raise PixelsmithValueError("with a dask `stack`, `where` must have the shape of one image")
    whole = images.rechunk({a: -1 for a in image_axes})
    dtype = result_float_dtype(images.dtype)
    return whole.map_blocks(equalize_hist, nbins=nbins, axes=image_axes, where=mask, dtype=dtype)
