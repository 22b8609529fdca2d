"""Every input check and the project's error classes, in one place.

Public functions validate once, here, and then call kernels that trust their
input. Messages follow one pattern: name the argument, say what it got and what
it needs, e.g. "`stamp` must be 2-D, got shape (10, 10, 4); pass a single channel".
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "PixelsmithError",
    "PixelsmithValueError",
    "PixelsmithTypeError",
    "is_dask_array",
    "as_image_array",
    "check_choice",
    "normalize_axes",
    "normalize_window",
    "check_footprint",
    "check_positive_int",
    "check_finite_scalar",
    "result_float_dtype",
    "check_out_dtype",
    "as_points",
    "as_real",
    "check_allocation",
    "PixelsmithWarning",
    "PixelsmithImportError",
    "require",
]


class PixelsmithError(Exception):
    """Base class of every error pixelsmith raises on purpose."""


class PixelsmithValueError(PixelsmithError, ValueError):
    """An argument has the right type but an unusable value (shape, range, NaN...)."""


class PixelsmithTypeError(PixelsmithError, TypeError):
    """An argument has a type or dtype pixelsmith cannot work with."""


class PixelsmithImportError(PixelsmithError, ImportError):
    """An optional dependency is missing; the message names the extra that brings it."""


def require(module: str, extra: str, what: str) -> Any:
    """Import an optional dependency, or raise one clear error naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise PixelsmithImportError(
            f'{what} needs the optional package {module.split(".")[0]!r}: pip install "pixelsmith[{extra}]" '
            "(or pixelsmith[all])"
        ) from None


class PixelsmithWarning(UserWarning):
    """A result was computed, but on weak evidence: the message says what was measured."""


def is_dask_array(a: Any) -> bool:
    """True for a dask array, without importing dask when it is not in use."""
    module = type(a).__module__
    return module.startswith("dask.") and hasattr(a, "chunks") and hasattr(a, "dask")


def _shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


# why colour, outline, document and display functions refuse dask arrays (the reason `as_image_array` states)
WHOLE_PICTURE = "a picture is processed whole (it fits in memory by nature)"


def unmasked(value: Any, name: str, fill: str) -> Any:
    """`value` without a numpy mask: a masked array with masked values is refused, naming `name` and the two
    fixes (`fill`, the filled array that says what the mask means, or ``.data`` to ignore it); one without
    masked values passes as its data. Every array argument goes through here, the image and the rest alike."""
    # a masked array exists only once numpy.ma is imported: numpy loads it lazily (27 ms), and a first call
    # in a fresh process need not pay that to learn that its plain array has no mask
    ma = vars(np).get("ma")
    if ma is not None and isinstance(value, ma.MaskedArray):
        masked = int(ma.count_masked(value))
        if masked:
            raise PixelsmithTypeError(
                f"`{name}` is a numpy masked array with {masked} masked value(s), and a mask is never applied "
                f"silently: pass {fill}, or {name}.data to ignore the mask"
            )
        return ma.getdata(value)
    return value


def as_image_array(
    a: Any,
    name: str,
    *,
    ndim: int | Iterable[int] | None = None,
    allow_empty: bool = False,
    allow_bool: bool = True,
    allow_dask: bool | str = True,
    hint: str = "",
) -> Any:
    """Return `a` as a numpy (or dask) array of real numbers, or raise a clear error.

    The one input gate of the public functions. Complex, object and string
    dtypes are refused; booleans become uint8 views of 0/1 values when
    `allow_bool` (so statistics count them as numbers). Big-endian data (as
    astropy's FITS reader returns it) is converted to native byte order, so
    kernels see the same bits as for native input; float16 is widened to
    float32 (no kernel computes in half precision). A numpy masked array with
    masked values is refused with the two ways to say what the mask means: a
    mask is never silently dropped.

    `allow_dask` is True (a dask array passes through lazily), or False or a
    reason (a dask array is refused, with the reason and the way out).
    """
    if a is None:
        raise PixelsmithTypeError(f"`{name}` must be an array, got None")
    a = unmasked(
        a, name, f"{name}.filled(np.nan) to treat masked values as missing (with nan_policy='omit' where the function "
        "has it)"
    )  # fmt: skip
    if not (allow_dask is True and is_dask_array(a)):
        if is_dask_array(a):
            reason = allow_dask if isinstance(allow_dask, str) else "this function needs the whole array in memory"
            raise PixelsmithTypeError(f"`{name}` is a dask array, and {reason}; call .compute() first")
        try:
            a = np.asarray(a)
        except (ValueError, TypeError) as exc:  # ragged lists and the like
            raise PixelsmithTypeError(
                f"`{name}` must be array-like with a regular shape, got {type(a).__name__}: {exc}"
            ) from None
    dtype = np.dtype(a.dtype)
    if not dtype.isnative:
        dtype = dtype.newbyteorder("=")
        a = a.astype(dtype)
    if dtype == np.float16:
        dtype = np.dtype(np.float32)
        a = a.astype(dtype)
    if dtype.kind == "c":
        raise PixelsmithTypeError(
            f"`{name}` must be real-valued, got complex dtype {dtype}; pass np.abs(a), a.real or a.imag"
        )
    if dtype.kind not in "biuf":
        raise PixelsmithTypeError(
            f"`{name}` must have a numeric dtype, got {dtype}; convert it with np.asarray(a, float)"
        )
    if dtype.kind == "b" and not allow_bool:
        raise PixelsmithTypeError(f"`{name}` must be numeric, got a boolean array; pass a.astype(float)")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
        if a.ndim not in allowed:
            want = f"{allowed[0]}-D" if len(allowed) == 1 else " or ".join(f"{d}-D" for d in allowed)
            raise PixelsmithValueError(
                f"`{name}` must be {want}, got shape {_shape_text(a.shape)}" + (f"; {hint}" if hint else "")
            )
    if a.ndim == 0:
        raise PixelsmithValueError(f"`{name}` must have at least one dimension, got a scalar")
    if not allow_empty and any(int(s) == 0 for s in a.shape):
        raise PixelsmithValueError(f"`{name}` must not be empty, got shape {_shape_text(a.shape)}")
    return a


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """Return `value` if it is one of `choices`, else raise naming all of them."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise PixelsmithValueError(f"`{name}` must be one of {listed}; got {value!r}")
    return value


def check_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """An integer >= `minimum` (bools are refused: `True` is not a size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise PixelsmithTypeError(f"`{name}` must be an integer, got {value!r}")
    if int(value) < minimum:
        raise PixelsmithValueError(f"`{name}` must be >= {minimum}, got {int(value)}")
    return int(value)


def check_finite_scalar(value: Any, name: str) -> float:
    """A finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise PixelsmithTypeError(f"`{name}` must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise PixelsmithValueError(f"`{name}` must be finite, got {value!r}")
    return value


def memory_budget() -> int:
    """Bytes one call may allocate: half the machine's physical memory (1 GiB where it cannot be read).

    Returns
    -------
    int

    Examples
    --------
    >>> from pixelsmith.limits import memory_budget
    >>> memory_budget() > 0
    True
    """
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) // 2
    except (AttributeError, ValueError, OSError):
        return 1 << 30


def check_allocation(nbytes: float, name: str, value: Any, what: str, fix: str) -> None:
    """Refuse, before allocating, a parameter value whose work needs more memory than the budget.

    The message names the argument, its value, what it would allocate, and the fix.

    Parameters
    ----------
    nbytes : float
        The estimate (inf and NaN are refused too).
    name : str
        The parameter (an argument name, or a command-line option).
    value : object
        Its value, as the user gave it.
    what : str
        What the memory is for.
    fix : str
        What to do instead.

    Raises
    ------
    PixelsmithValueError
        When `nbytes` exceeds `memory_budget()`.

    Examples
    --------
    >>> from pixelsmith.limits import check_allocation
    >>> check_allocation(1e6, "size", 5, "the windows", "use a smaller size")   # a megabyte: fine
    """
    budget = memory_budget()
    if not nbytes <= budget:  # also catches inf and NaN estimates
        raise PixelsmithValueError(
            f"`{name}` {value!r} would need {_bytes_text(nbytes)} for {what}, more than the "
            f"{_bytes_text(budget)} one call may use (half this machine's memory); {fix}"
        )


def _bytes_text(nbytes: float) -> str:
    if not np.isfinite(nbytes):
        return "an unbounded amount"
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{int(nbytes)} bytes"


def as_real(value: Any, name: str) -> float:
    """A real number (NaN and inf allowed: a `cval` may be NaN), or a clear error naming `name`."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise PixelsmithTypeError(f"`{name}` must be a real number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PixelsmithTypeError(f"`{name}` must be a real number, got {value!r}") from None


def normalize_axes(axes: Any, ndim: int, name: str = "axes") -> tuple[int, ...]:
    """Sorted, non-negative, unique axis numbers; None means every axis."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, numbers.Integral) and not isinstance(axes, bool):
        axes = (axes,)
    try:
        items = list(axes) if not isinstance(axes, (str, bytes)) else None
    except TypeError:
        items = None
    if items is None or not all(isinstance(ax, numbers.Integral) and not isinstance(ax, bool) for ax in items):
        raise PixelsmithTypeError(
            f"`{name}` must be None, an int or a sequence of ints, got {axes!r}; e.g. {name}=(0, 1)"
        )
    raw = [int(ax) for ax in items]
    out = []
    for ax in raw:
        if not -ndim <= ax < ndim:
            raise PixelsmithValueError(f"`{name}` contains {ax}, out of range for an array with {ndim} dimensions")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise PixelsmithValueError(f"`{name}` must not repeat an axis, got {tuple(raw)}")
    if not out:
        raise PixelsmithValueError(f"`{name}` must name at least one axis, got {tuple(raw)}")
    return tuple(sorted(out))


def normalize_window(size: Any, axes: tuple[int, ...], ndim: int, name: str = "size") -> tuple[int, ...]:
    """Window length along every axis of the array (1 on axes outside `axes`)."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        per_axis = [int(size)] * len(axes)
    else:
        try:
            per_axis = [check_positive_int(s, name) for s in size]
        except TypeError:
            raise PixelsmithTypeError(f"`{name}` must be an int or a tuple of ints, got {size!r}") from None
        if len(per_axis) != len(axes):
            raise PixelsmithValueError(
                f"`{name}` has {len(per_axis)} entries but the window spans {len(axes)} axes "
                f"{axes}; give one length per axis or a single int"
            )
    for s in per_axis:
        if s < 1:
            raise PixelsmithValueError(f"`{name}` must be >= 1 along every axis, got {size!r}")
    window = [1] * ndim
    for ax, s in zip(axes, per_axis, strict=True):
        window[ax] = s
    return tuple(window)


def check_footprint(footprint: Any, axes: tuple[int, ...], ndim: int) -> np.ndarray:
    """A boolean footprint over `axes`, returned expanded to the array's ndim."""
    fp = np.asarray(unmasked(footprint, "footprint", "footprint.filled(False) to leave masked elements out"))
    if fp.dtype.kind not in "biu":
        raise PixelsmithTypeError(f"`footprint` must be a boolean array, got dtype {fp.dtype}; pass footprint > 0")
    if fp.ndim != len(axes):
        raise PixelsmithValueError(
            f"`footprint` must have one dimension per windowed axis ({len(axes)}: axes {axes}), "
            f"got shape {_shape_text(fp.shape)}; pass axes= to choose the axes it spans"
        )
    if fp.size == 0 or not fp.any():
        raise PixelsmithValueError("`footprint` must select at least one element, got an empty or all-False array")
    fp = fp.astype(bool)
    full_shape = [1] * ndim
    for ax, s in zip(axes, fp.shape, strict=True):
        full_shape[ax] = s
    return fp.reshape(full_shape)


def check_bool_mask(
    value: Any, name: str, shapes: Sequence[tuple[int, ...]], meaning: str, *, what: str = "", allow_empty: bool = False
) -> np.ndarray:
    """The one validator of `where=` (pixels to use) and `mask=` (pixels to fill) arguments.

    A boolean array of one of `shapes` (described by `what`), else a
    PixelsmithTypeError (dtype) or PixelsmithValueError (shape, nothing
    selected) naming the argument; `meaning` says what True means.
    """
    mask = np.asarray(unmasked(value, name, f"{name}.filled(False) to count masked pixels as False"))
    if mask.dtype != bool:
        raise PixelsmithTypeError(
            f"`{name}` must be boolean (True = {meaning}), got dtype {mask.dtype}; e.g. labels == 3 or ~np.isnan(x)"
        )
    if tuple(mask.shape) not in [tuple(s) for s in shapes]:
        expected = what or " or ".join(str(tuple(s)) for s in shapes)
        raise PixelsmithValueError(f"`{name}` must have the shape {expected}, got {mask.shape}")
    if not allow_empty and not mask.any():
        raise PixelsmithValueError(f"`{name}` selects no pixel; it must mark at least one ({meaning})")
    return mask


def all_finite(a: np.ndarray) -> bool:
    """True when every element of the float array `a` is finite: a sum first (no array-sized mask; a finite
    sum means no NaN or inf), the element test only when the sum is not finite (overflow, or a NaN or inf)."""
    # float32 and float16 sum in float64, where they cannot overflow; an overflowing float64 sum only sends
    # us to the element test
    wide = np.float64 if a.dtype.itemsize < 8 else None
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(a, axis=None, dtype=wide)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())


def result_float_dtype(dtype: Any) -> np.dtype:
    """The one dtype rule: float32 (and float16) stay float32, everything else float64."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_out_dtype(dtype: Any, name: str = "dtype") -> np.dtype | None:
    """Validate a user-requested output dtype (None keeps the default rule)."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise PixelsmithTypeError(f"`{name}` must be a numpy dtype, got {dtype!r}") from None
    if dt.kind not in "iuf":
        raise PixelsmithTypeError(f"`{name}` must be an integer or floating dtype, got {dt}; e.g. dtype=np.float64")
    return dt


def as_points(
    points: Any,
    name: str,
    ndim: int = 2,
    *,
    single: bool = False,
    accept_one: bool = False,
    min_count: int = 0,
    max_abs: float | None = 1e12,
) -> np.ndarray:
    """Positions as an (N, ndim) float64 array of finite values, or a clear error.

    `single`: exactly one position of `ndim` numbers (returned as (1, ndim)).
    `accept_one`: a lone position (ndim,) is taken as one row. `max_abs`:
    larger magnitudes cannot be pixel coordinates (None: any finite value).
    """
    if np.iscomplexobj(points):
        raise PixelsmithTypeError(
            f"`{name}` must be real (row, col[, ...]) positions, got complex numbers; "
            "for x + iy positions pass np.column_stack([z.imag, z.real])"
        )
    points = unmasked(points, name, f"{name}[~np.ma.getmaskarray({name}).any(axis=-1)].data to drop masked rows")
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise PixelsmithTypeError(
            f"`{name}` must be numbers, {ndim} per position in (row, col[, ...]) order, got {type(points).__name__}"
        ) from None
    if single:
        if arr.shape != (ndim,):
            raise PixelsmithValueError(
                f"`{name}` must hold {ndim} coordinates in (row, col[, ...]) order, got shape {arr.shape}"
            )
        arr = arr[None]
    elif accept_one and arr.shape == (ndim,):
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != ndim:
        raise PixelsmithValueError(
            f"`{name}` must be an (N, {ndim}) array of positions, got shape {arr.shape}; "
            "for separate x and y lists use np.column_stack([y, x])"
        )
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise PixelsmithValueError(
            f"`{name}` must be finite: {int(bad.sum())} position(s) hold NaN or inf, the first "
            f"{arr[first].tolist()} at index {first}; drop them, e.g. {name}[np.isfinite({name}).all(axis=1)]"
        )
    if len(arr) < min_count:
        raise PixelsmithValueError(f"`{name}` needs at least {min_count} points, got {len(arr)}")
    if max_abs is not None and arr.size and np.abs(arr).max() > max_abs:
        raise PixelsmithValueError(f"`{name}` has coordinates beyond +-{max_abs:g}; they cannot be pixels")
    return arr
