"""Block reduction, density maps, and streaming statistics across stacks."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._deprecate import renamed_keywords
from ._kernels.blocks import block_reduce_rows
from ._parallel import n_threads, run_each, run_in_ranges
from ._validate import (
    PixelsmithTypeError,
    PixelsmithValueError,
    PixelsmithWarning,
    as_image_array,
    as_real,
    check_choice,
    check_positive_int,
    is_dask_array,
    normalize_axes,
    result_float_dtype,
)
from ._xarray import coarsened
from .types import ArrayLike, BlockFunc, Boundary

__all__ = ["block_reduce", "density_map", "StackStats"]

BLOCK_FUNCS = {
    "sum": 0,
    "mean": 1,
    "var": 2,
    "std": 3,
    "min": 4,
    "max": 5,
    "count_nonzero": 6,
    "fraction_nonzero": 7,
}
_NUMPY_FUNCS: dict[str, Callable] = {
    "sum": np.sum,
    "mean": np.mean,
    "var": np.var,
    "std": np.std,
    "min": np.min,
    "max": np.max,
    "count_nonzero": lambda v, axis: np.count_nonzero(v, axis=axis).astype(np.float64),
    "fraction_nonzero": lambda v, axis: np.count_nonzero(v, axis=axis) / math.prod(v.shape[ax] for ax in axis),
}


def block_sizes(block: Any, ndim: int, axes: Any = None) -> tuple[int, ...]:
    """The block length along every axis: `block` along `axes` (all axes when None), 1 elsewhere."""
    spanned = normalize_axes(axes, ndim)
    if isinstance(block, (int, np.integer)) and not isinstance(block, bool):
        per_axis = (check_positive_int(block, "block"),) * len(spanned)
    else:
        try:
            per_axis = tuple(check_positive_int(b, "block") for b in block)
        except TypeError:
            raise PixelsmithTypeError(f"`block` must be an int or a tuple of ints, got {block!r}") from None
        if len(per_axis) != len(spanned):
            raise PixelsmithValueError(
                f"`block` must have one size per reduced axis ({len(spanned)}: axes {spanned}), got {tuple(block)}; "
                "use 1 for axes that should not be reduced, or pass axes= to name the reduced axes"
            )
    sizes = [1] * ndim
    for ax, size in zip(spanned, per_axis, strict=True):
        sizes[ax] = size
    return tuple(sizes)


@renamed_keywords(a="image")
@coarsened(block_sizes)
def block_reduce(
    image: ArrayLike,
    block: int | tuple[int, ...],
    func: BlockFunc | Callable = "mean",
    *,
    boundary: Boundary = "trim",
    cval: float = 0.0,
    axes: Any = None,
):
    """Reduce non-overlapping blocks of an N-D array.

    Parameters
    ----------
    image : array_like, dask.array.Array or xarray.DataArray
        Input array, any number of dimensions.
    block : int or tuple of int
        Block size along every axis (one int for all axes; 1 leaves an axis).
    func : str or callable, default 'mean'
        One of 'mean', 'sum', 'var', 'std', 'min', 'max', 'count_nonzero',
        'fraction_nonzero', or a numpy-style reduction ``f(view, axis=tuple)``
        such as ``np.median``. Variances are population variances (ddof 0),
        computed two-pass per block.
    boundary : {'trim', 'pad'}, default 'trim'
        What to do with a partial block at the end of an axis: 'trim' drops it
        (output ``n // block``), 'pad' completes it with `cval` (output
        ``ceil(n / block)``, as scikit-image's ``block_reduce``).
    cval : float, default 0.0
        Fill value for ``boundary='pad'``.
    axes : int, str or tuple, optional
        The axes the blocks span (dimension names for a DataArray); `block`
        gives one size per axis in `axes` and the other axes are kept whole.
        Default: every axis, except that a DataArray's ``band``, ``time`` and
        ``channel`` dimensions are kept unless named.

    Returns
    -------
    numpy.ndarray, dask.array.Array or xarray.DataArray
        Reduced array, float64 (float32 for float32 input and mean/var/std/min/max).
        A DataArray comes back on the block centres' coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import block_reduce
    >>> block_reduce(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> block_reduce(np.arange(5.0), 2, "sum", boundary="pad")
    array([1., 5., 4.])
    """
    image = as_image_array(image, "image")
    blocks = block_sizes(block, image.ndim, axes)
    check_choice(boundary, "boundary", ("trim", "pad"))
    if not callable(func):
        check_choice(func, "func", tuple(BLOCK_FUNCS))
    cval = as_real(cval, "cval")
    if boundary == "trim":
        for ax, (n, b) in enumerate(zip(image.shape, blocks, strict=True)):
            if n < b:
                raise PixelsmithValueError(
                    f"`block` {b} is larger than axis {ax} (length {n}) with boundary='trim', "
                    "which would leave nothing; use boundary='pad' or a smaller block"
                )
    if is_dask_array(image):
        return _block_reduce_dask(image, blocks, func, boundary, cval)
    return _block_reduce_numpy(image, blocks, func, boundary, cval)


def _out_dtype(a_dtype: np.dtype, func: Any) -> np.dtype:
    if func in ("mean", "var", "std", "min", "max"):
        return result_float_dtype(a_dtype)
    return np.dtype(np.float64)


def _block_reduce_numpy(a, blocks, func, boundary, cval):
    if a.dtype == bool:
        a = a.view(np.uint8)
    if boundary == "trim":
        out_shape = tuple(n // b for n, b in zip(a.shape, blocks, strict=True))
    else:
        out_shape = tuple(-(-n // b) for n, b in zip(a.shape, blocks, strict=True))
    if callable(func) or a.ndim > 2:
        return _block_reduce_generic(a, blocks, func, boundary, cval, out_shape)
    x2 = a.reshape(1, -1) if a.ndim == 1 else a
    b0, b1 = (1, blocks[0]) if a.ndim == 1 else blocks
    shape2 = (1, out_shape[0]) if a.ndim == 1 else out_shape
    if boundary == "trim":  # only whole blocks take part
        x2 = x2[: shape2[0] * b0, : shape2[1] * b1]
    out = np.empty(shape2, dtype=np.float64)
    code = BLOCK_FUNCS[func]
    bands = _row_bands(shape2[0], x2.shape[1] * b0)

    def run(band):
        block_reduce_rows(x2, b0, b1, code, cval, band[0], band[1], out)

    run_each(bands, run)
    return out.reshape(out_shape).astype(_out_dtype(a.dtype, func), copy=False)


def _row_bands(n_rows: int, elements_per_row: int) -> list[tuple[int, int]]:
    rows = max(1, (1 << 20) // max(elements_per_row, 1))
    rows = min(rows, max(1, -(-n_rows // (4 * n_threads()))))
    return [(r, min(r + rows, n_rows)) for r in range(0, n_rows, rows)]


def _block_reduce_generic(a, blocks, func, boundary, cval, out_shape):
    """Any ndim or a callable: numpy on a blocked view, a slab of rows at a time."""
    reducer = func if callable(func) else _NUMPY_FUNCS[func]
    out = None
    slab = max(1, (1 << 22) // max(1, a[:1].size * blocks[0]))
    for s0 in range(0, out_shape[0], slab):
        s1 = min(s0 + slab, out_shape[0])
        part = a[s0 * blocks[0] : s1 * blocks[0]]
        if boundary == "pad":
            pad = [(0, o * b - n) for o, b, n in zip((s1 - s0,) + out_shape[1:], blocks, part.shape, strict=True)]
            if any(p for _, p in pad):
                part = np.pad(part, pad, mode="constant", constant_values=cval)
        else:
            part = part[tuple(slice(0, o * b) for o, b in zip((s1 - s0,) + out_shape[1:], blocks, strict=True))]
        view_shape = []
        for o, b in zip((s1 - s0,) + out_shape[1:], blocks, strict=True):
            view_shape += [o, b]
        view = part.reshape(view_shape)
        if not callable(func) and func in ("sum", "mean", "var", "std"):
            view = view.astype(np.float64)
        res = np.asarray(reducer(view, axis=tuple(range(1, 2 * a.ndim, 2))))
        if out is None:
            dtype = res.dtype if callable(func) else np.float64
            out = np.empty(out_shape, dtype=dtype)
        out[s0:s1] = res
    if callable(func):
        return out
    return out.astype(_out_dtype(a.dtype, func), copy=False)


def _block_reduce_dask(a, blocks, func, boundary, cval):
    """Chunks rounded to whole blocks, each chunk reduced independently."""
    from .local._dask import cell_chunks

    work = a.rechunk(tuple(cell_chunks(c, b, up=False) for c, b in zip(a.chunks, blocks, strict=True)))
    out_chunks = []
    for sizes, b in zip(work.chunks, blocks, strict=True):
        per = [s // b for s in sizes[:-1]]
        last = sizes[-1] // b if boundary == "trim" else -(-sizes[-1] // b)
        out_chunks.append(tuple(per + [last]))
    sample = _block_reduce_numpy(np.zeros((1,) * a.ndim, a.dtype), (1,) * a.ndim, func, "trim", cval)

    def run(chunk):
        if any(s == 0 for s in chunk.shape):
            return np.empty(tuple(s // b for s, b in zip(chunk.shape, blocks, strict=True)), sample.dtype)
        return _block_reduce_numpy(chunk, blocks, func, boundary, cval)

    return work.map_blocks(run, chunks=tuple(out_chunks), dtype=sample.dtype)


@renamed_keywords(binary="image")
@coarsened(block_sizes)
def density_map(image: ArrayLike, block: int | tuple[int, ...], *, boundary: Boundary = "trim", axes: Any = None):
    """Fraction of nonzero pixels in each block (a pixel-density map).

    Parameters
    ----------
    image : array_like, dask.array.Array or xarray.DataArray
        Mask or any array; nonzero counts as set.
    block : int or tuple of int
        Block size along every axis.
    boundary : {'trim', 'pad'}, default 'trim'
        'pad' counts missing pixels of a partial last block as unset.
    axes : int, str or tuple, optional
        The axes the blocks span, as in `block_reduce`.

    Returns
    -------
    numpy.ndarray, dask.array.Array or xarray.DataArray
        Fractions in [0, 1], float64.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import density_map
    >>> mask = np.zeros((4, 4), bool); mask[:2, :1] = True
    >>> density_map(mask, 2)
    array([[0.5, 0. ],
           [0. , 0. ]])
    """
    return block_reduce(image, block, "fraction_nonzero", boundary=boundary, axes=axes)


class StackStats:
    """Streaming per-pixel statistics across a stack that need not fit in memory.

    Frames (or chunks of frames) are added one at a time; each value updates
    its pixel's mean and variance in one pass (Welford's update, in float64, on
    data shifted by a per-pixel reference: the pixel's first finite value), so
    a large offset costs no digits and the result equals ``np.var(stack,
    axis=0)`` to about 1e-13 relative whatever the order or chunking; `merge`
    joins accumulators with Chan et al.'s pairwise formulas. Each call reads
    its frames once and makes no frame-sized temporary. NaN values are skipped
    per pixel (`count` says how many values each pixel has seen).

    Parameters
    ----------
    shape : tuple of int, optional
        Frame shape; when omitted, the shape of the first frame added. Frames
        may have any number of dimensions (a 3-D volume is one frame).

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith import StackStats
    >>> rng = np.random.default_rng(0)
    >>> stack = rng.normal(100.0, 2.0, size=(50, 8, 8))
    >>> stats = StackStats()
    >>> for frame in stack:                       # one frame at a time
    ...     _ = stats.add(frame)
    >>> bool(np.allclose(stats.var(), np.var(stack, axis=0), rtol=1e-12))
    True
    >>> chunked = StackStats()
    >>> for chunk in np.array_split(stack, 7):    # or chunks of frames along an axis
    ...     _ = chunked.add_many(chunk)
    >>> bool(np.allclose(chunked.var(), stats.var(), rtol=1e-12))
    True
    >>> volumes = StackStats(shape=(4, 5, 6))     # 3-D frames: [x, y, z] volumes, k of them
    >>> for volume in rng.normal(size=(10, 4, 5, 6)):
    ...     _ = volumes.add(volume)
    >>> volumes.var().shape
    (4, 5, 6)
    """

    def __init__(self, shape: tuple[int, ...] | None = None):
        if shape is not None:
            sizes = [shape] if isinstance(shape, (int, np.integer)) else shape
            try:
                ok = not isinstance(sizes, (str, bytes)) and all(
                    isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in sizes
                )
            except TypeError:
                ok = False
            if not ok:
                raise PixelsmithValueError(
                    f"`shape` must be the frame shape, non-negative ints such as (512, 512), got {shape!r}"
                )
            shape = tuple(int(n) for n in sizes)
        self._shape = shape
        # per-pixel state over the flattened frame (see _kernels.stack): made on the first frame
        self._count: np.ndarray | None = None  # finite values per pixel: the moments' count
        self._uniform: int | None = None  # while every value added was finite: the count of every pixel
        self._infinite: np.ndarray | None = None  # infinite values per pixel (count + infinite: non-NaN)
        self._signs: np.ndarray | None = None  # bit 1: a +inf was seen, bit 2: a -inf
        self._ref: np.ndarray | None = None  # per-pixel shift (the first finite value); moments are of x - ref
        self._mean: np.ndarray | None = None
        self._m2: np.ndarray | None = None
        self._min: np.ndarray | None = None
        self._max: np.ndarray | None = None

    def _ensure_state(self, shape: tuple[int, ...]) -> None:
        if self._shape is None:
            self._shape = shape
        if shape != self._shape:
            raise PixelsmithValueError(
                f"frames must all have shape {self._shape}, got {shape}; "
                "add() takes one frame, add_many() a chunk of frames stacked along an axis"
            )
        if self._count is None:
            size = math.prod(shape)
            self._count = np.zeros(size, dtype=np.int64)  # stale while _uniform is not None
            self._uniform = 0
            self._infinite = np.zeros(size, dtype=np.int64)
            self._signs = np.zeros(size, dtype=np.uint8)
            self._ref = np.zeros(size, dtype=np.float64)
            self._mean = np.zeros(size, dtype=np.float64)
            self._m2 = np.zeros(size, dtype=np.float64)
            self._min = np.full(size, np.inf)
            self._max = np.full(size, -np.inf)

    def add(self, frame: Any) -> StackStats:
        """Add one frame (any number of dimensions; a 3-D volume is one frame); returns self.

        The first frame sets the frame shape (unless `shape` was given). Nothing
        is guessed from the number of dimensions: for a chunk of frames stacked
        along an axis use `add_many`.
        """
        frame = as_image_array(frame, "frame", allow_dask="frames are streamed in one by one")
        if self._shape is not None and frame.shape != self._shape and frame.shape[1:] == self._shape:
            warnings.warn(
                "StackStats.add() of a chunk of frames is deprecated: add() takes one frame; "
                "use add_many(frames) for a chunk along axis 0",
                DeprecationWarning,
                stacklevel=2,
            )
            return self.add_many(frame)
        if self._shape is None and frame.ndim == 3:  # one volume, or a stack of frames? say both readings once
            warnings.warn(
                f"StackStats.add() took the 3-D array of shape {frame.shape} as ONE frame (a volume); if it holds "
                f"{frame.shape[0]} frames of {frame.shape[1:]}, use add_many(stack, axis=0), or state the frame "
                f"shape with StackStats(shape=...) (this warning then goes)",
                PixelsmithWarning,
                stacklevel=2,
            )
        return self._add_chunk(frame[np.newaxis])

    def add_many(self, frames: Any, *, axis: int = 0) -> StackStats:
        """Add a chunk of frames stacked along `axis` (default 0); returns self.

        ``add_many(chunk)`` equals ``for f in chunk: add(f)`` to about 1e-13 relative.
        """
        frames = as_image_array(
            frames,
            "frames",
            allow_dask="chunks are streamed in one by one (for block in stack.blocks: add_many(block))",
        )
        if frames.ndim < 1:
            raise PixelsmithValueError("`frames` must have an axis of frames, got a scalar; use add() for one frame")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -frames.ndim <= axis < frames.ndim:
            raise PixelsmithValueError(f"`axis` must be an integer axis of the {frames.ndim}-D `frames`, got {axis!r}")
        return self._add_chunk(np.moveaxis(frames, axis, 0))

    def _add_chunk(self, frames: np.ndarray) -> StackStats:
        """One pass over the chunk's values, in parallel over ranges of pixels (`_kernels.stack`)."""
        self._ensure_state(frames.shape[1:])
        if frames.dtype == bool:
            frames = frames.view(np.uint8)
        flat = frames.reshape(frames.shape[0], -1)  # a view for stacks along any axis of a C-ordered array
        if flat.shape[0] == 1 and self._add_finite_frame(np.ascontiguousarray(flat[0])):  # copies only odd layouts
            return self
        from ._kernels.stack import accumulate, accumulate_pixel_major

        self._materialize_counts()
        state = (self._count, self._infinite, self._signs, self._ref, self._mean, self._m2, self._min, self._max)
        # frames next to each other in memory (stacked along the last axis): pixel by pixel
        kernel = accumulate_pixel_major if abs(flat.strides[0]) < abs(flat.strides[1]) else accumulate
        run_in_ranges(flat.shape[1], lambda lo, hi: kernel(flat, lo, hi, *state), minimum=1 << 15)
        return self

    def _add_finite_frame(self, frame: np.ndarray) -> bool:
        """The common case of `add`: every value so far finite, and this frame's too. False, adding nothing,
        when that does not hold."""
        from ._kernels.stack import all_finite, welford_same_count

        if self._uniform is None:
            return False
        size = frame.shape[0]
        flags = []
        run_in_ranges(size, lambda lo, hi: flags.append(all_finite(frame, lo, hi)), minimum=1 << 15)
        if not all(flags):
            return False
        n_a, moments = self._uniform, (self._ref, self._mean, self._m2, self._min, self._max)
        run_in_ranges(size, lambda lo, hi: welford_same_count(frame, lo, hi, n_a, *moments), minimum=1 << 15)
        self._uniform += 1
        return True

    def _materialize_counts(self) -> None:
        """Per-pixel counts from here on (a NaN, an infinity or a chunk of frames may make them differ)."""
        if self._uniform is not None:
            self._count.fill(self._uniform)
            self._uniform = None

    def _counts(self) -> np.ndarray:
        return self._count if self._uniform is None else np.full(self._count.shape, self._uniform, np.int64)

    def merge(self, other: StackStats) -> StackStats:
        """Fold another accumulator (e.g. from another worker) into this one (Chan et al.'s pairwise update)."""
        if not isinstance(other, StackStats):
            raise PixelsmithTypeError(f"`other` must be a StackStats, got {type(other).__name__}")
        if other._count is None:
            return self
        self._ensure_state(other._shape)
        self._materialize_counts()
        n_a, n_b = self._count, other._counts()
        # where this side has no finite value yet, take the other's reference (and its moments) as they are
        self._ref = np.where(n_a > 0, self._ref, other._ref)
        mean_b = other._mean + (other._ref - self._ref)
        n = n_a + n_b
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(n > 0, n_b / np.maximum(n, 1), 0.0)
        delta = mean_b - self._mean
        self._mean += delta * frac
        self._m2 += other._m2 + delta * delta * n_a * frac
        self._count = n
        self._infinite += other._infinite
        self._signs |= other._signs
        np.fmin(self._min, other._min, out=self._min)
        np.fmax(self._max, other._max, out=self._max)
        return self

    def _require_data(self) -> None:
        if self._count is None:
            raise PixelsmithValueError("no frames added yet; call add(frame) first")

    def _frame(self, values: np.ndarray) -> np.ndarray:
        """A per-pixel result in the frame's shape, NaN where no value was seen."""
        return np.where((self._counts() > 0) | (self._infinite > 0), values, np.nan).reshape(self._shape)

    @property
    def count(self) -> np.ndarray:
        """Number of non-NaN values seen per pixel (infinities included)."""
        self._require_data()
        return (self._counts() + self._infinite).reshape(self._shape)

    @property
    def mean(self) -> np.ndarray:
        """Per-pixel mean (NaN where no value was seen); +-inf where one was seen, NaN for both, as numpy."""
        self._require_data()
        plus, minus = (self._signs & 1) > 0, (self._signs & 2) > 0
        infinite = np.where(plus & minus, np.nan, np.where(plus, np.inf, -np.inf))
        finite = np.where(self._counts() > 0, self._mean + self._ref, np.nan)
        return self._frame(np.where(plus | minus, infinite, finite))

    def var(self, ddof: int = 0) -> np.ndarray:
        """Per-pixel variance with divisor ``count - ddof`` (NaN where that is <= 0, or where an inf was seen)."""
        self._require_data()
        denom = self._counts() - ddof
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = np.where(denom > 0, self._m2 / np.maximum(denom, 1), np.nan)
        return np.where(self._infinite > 0, np.nan, variance).reshape(self._shape)

    def std(self, ddof: int = 0) -> np.ndarray:
        """Per-pixel standard deviation."""
        return np.sqrt(self.var(ddof))

    @property
    def min(self) -> np.ndarray:
        """Per-pixel minimum (NaN where no value was seen)."""
        self._require_data()
        return self._frame(self._min)

    @property
    def max(self) -> np.ndarray:
        """Per-pixel maximum (NaN where no value was seen)."""
        self._require_data()
        return self._frame(self._max)
