"""Colour: colormap inversion (rendered image -> scalars), RGB(A) normalization, statistics under a mask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._deprecate import renamed_keywords
from ._validate import (
    WHOLE_PICTURE,
    PixelsmithTypeError,
    PixelsmithValueError,
    as_image_array,
    check_bool_mask,
    check_finite_scalar,
)
from .types import ArrayLike

__all__ = ["invert_colormap", "as_rgb", "masked_stats", "ChannelStats"]

# Default distance (RGB in 0..1) beyond which a colour is not on the colormap: about 20/255,
# wide enough for JPEG noise, narrow enough to reject white borders, black text and grey grids
DEFAULT_MAX_DISTANCE = 20 / 255
# a float colour within this many 8-bit levels of k / 255 is that 8-bit colour (float32 holds k / 255
# to about 1.5e-5 levels; any real in-between colour is much farther)
_EIGHT_BIT_TOLERANCE = 1e-3


def as_rgb(image: ArrayLike, *, background: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> np.ndarray:
    """Any gray, RGB or RGBA image as float RGB in [0, 1], shape (H, W, 3).

    Gray (H, W) or (H, W, 1) is repeated into three channels; RGBA is composited
    over `background` (``rgb * alpha + background * (1 - alpha)``), so an alpha
    channel never leaks into code that expects three values per pixel.
    Integers are scaled by their dtype's maximum (uint8 / 255, uint16 / 65535);
    floats must already be in [0, 1].

    Parameters
    ----------
    image : array_like, (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
        Gray, RGB or RGBA; integers of any width or floats in [0, 1].
    background : (float, float, float), default (1.0, 1.0, 1.0)
        RGB in [0, 1] under transparent pixels (white).

    Returns
    -------
    numpy.ndarray, (H, W, 3) float64
        RGB in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> rgba = np.zeros((1, 2, 4), np.uint8)
    >>> rgba[0, 0] = (255, 0, 0, 255)     # opaque red
    >>> rgba[0, 1] = (255, 0, 0, 0)       # fully transparent
    >>> as_rgb(rgba).tolist()
    [[[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]]
    """
    arr = as_image_array(
        image,
        "image",
        ndim=(2, 3),
        allow_dask=WHOLE_PICTURE,
        hint="pass a gray (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image",
    )
    if arr.ndim == 3 and arr.shape[-1] not in (1, 3, 4):
        raise PixelsmithValueError(
            f"`image` must have 1, 3 or 4 channels in its last axis, got shape {arr.shape}; "
            "for channels first use np.moveaxis(image, 0, -1)"
        )
    values = _unit_range(arr, "image")
    if values.ndim == 2:
        values = values[..., None]
    if values.shape[-1] == 1:
        return np.repeat(values, 3, axis=-1)
    if values.shape[-1] == 3:
        return values
    bg = np.asarray(background, dtype=np.float64)
    if bg.shape != (3,) or not ((bg >= 0) & (bg <= 1)).all():
        raise PixelsmithValueError(f"`background` must be three values in [0, 1], got {background!r}")
    alpha = values[..., 3:4]
    return values[..., :3] * alpha + bg * (1.0 - alpha)


def _unit_range(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype == np.bool_:
        return arr.astype(np.float64)
    if arr.dtype.kind in "ui":
        if arr.dtype.kind == "i" and arr.min() < 0:
            raise PixelsmithValueError(f"`{name}` has negative integers; colours must be >= 0")
        return arr.astype(np.float64) / np.iinfo(arr.dtype).max
    values = arr.astype(np.float64)
    if not np.isfinite(values).all() or values.min() < 0 or values.max() > 1:
        raise PixelsmithValueError(
            f"float `{name}` must hold colours in [0, 1] (got {values.min():g}..{values.max():g}); "
            "divide 0..255 data by 255"
        )
    return values


def _curve(cmap: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Vertices (K, 3) of the colormap's colour curve and the scalar (0..1) at each vertex.

    A matplotlib colormap renders value v with entry floor(v N) of its N-entry
    table, so entry i stands for [i/N, (i+1)/N) and its vertex gets the centre
    (i + 0.5) / N. A palette of K colours is a curve through them at k / (K - 1).
    """
    from matplotlib import colormaps, colors

    if isinstance(cmap, str):
        try:
            cmap = colormaps[cmap]
        except KeyError:
            raise PixelsmithValueError(
                f"`cmap` {cmap!r} is not a matplotlib colormap name; e.g. 'viridis', 'jet', 'inferno'"
            ) from None
    if isinstance(cmap, colors.Colormap):
        n = cmap.N
        table = cmap(np.arange(n))[:, :3]
        return table.astype(np.float64), (np.arange(n) + 0.5) / n, True
    try:
        palette = np.array([colors.to_rgb(c) for c in cmap]) if not isinstance(cmap, np.ndarray) else cmap
    except (TypeError, ValueError):
        raise PixelsmithTypeError(
            f"`cmap` must be a colormap name or object, an (N, 3) array or a list of colours, got {cmap!r}"
        ) from None
    palette = np.asarray(palette, dtype=np.float64)
    if palette.ndim != 2 or palette.shape[1] not in (3, 4) or len(palette) < 2:
        raise PixelsmithValueError(f"`cmap` as an array must have shape (N >= 2, 3), got {palette.shape}")
    if palette.max() > 1:
        palette = palette / 255.0
    return palette[:, :3], np.linspace(0.0, 1.0, len(palette)), False


def _project(colours: np.ndarray, vertices: np.ndarray, params: np.ndarray, samples: int):
    """Nearest point on the polyline through `vertices`: (parameter, distance) per colour."""
    from scipy.spatial import cKDTree

    k = len(vertices)
    seg_start, seg_end = vertices[:-1], vertices[1:]
    # dense samples along the polyline find the few segments worth an exact projection
    per_segment = max(1, int(np.ceil(samples / max(k - 1, 1))))
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)
    dense = (seg_start[:, None, :] + t[None, :, None] * (seg_end - seg_start)[:, None, :]).reshape(-1, 3)
    dense = np.vstack([dense, vertices[-1:]])
    owner = np.minimum(np.arange(len(dense)) // per_segment, k - 2)
    _, nearest = cKDTree(dense).query(colours, k=min(4, len(dense)), workers=-1)
    nearest = nearest.reshape(len(colours), -1)
    best_d = np.full(len(colours), np.inf)
    best_p = np.zeros(len(colours))
    for col in range(nearest.shape[1]):
        for shift in (-1, 0, 1):
            seg = np.clip(owner[nearest[:, col]] + shift, 0, k - 2)
            a, b = seg_start[seg], seg_end[seg]
            ab = b - a
            length2 = (ab * ab).sum(axis=1)
            u = np.where(length2 > 0, ((colours - a) * ab).sum(axis=1) / np.where(length2 > 0, length2, 1), 0.0)
            u = np.clip(u, 0.0, 1.0)
            point = a + u[:, None] * ab
            d = np.sqrt(((colours - point) ** 2).sum(axis=1))
            p = params[seg] + u * (params[seg + 1] - params[seg])
            better = d < best_d
            best_d = np.where(better, d, best_d)
            best_p = np.where(better, p, best_p)
    return best_p, best_d


@renamed_keywords(rgb="image")
def invert_colormap(
    image: ArrayLike,
    cmap: Any,
    *,
    vmin: float = 0.0,
    vmax: float = 1.0,
    max_distance: float | None = None,
    samples: int = 1024,
) -> np.ndarray:
    """Scalar values back from an image rendered with a colormap (a false-colour plot, an IR camera shot).

    Each distinct colour is looked up once (rendered images hold few distinct
    colours) and mapped to the nearest point of the colormap's colour curve,
    interpolating between table entries, so exact table colours give their
    entry's value and in-between colours (resampling, JPEG) land in between.

    Parameters
    ----------
    image : array_like, (H, W, 3) or (H, W, 4)
        uint8 or float in [0, 1] (as ``plt.imread`` returns a PNG: float32
        colours that are 8-bit values up to rounding take the uint8 path, other
        float colours are resolved to 1/65535). RGBA must be opaque (alpha at its maximum).
    cmap : str, matplotlib Colormap, (N, 3) array or list of colours
        A colormap name ('jet', 'viridis', ...) or object: entry i of its N-entry
        table stands for values [i/N, (i+1)/N) and is returned as the centre
        (i + 0.5) / N. An array or list of colours (hex strings work) is a
        palette interpolated linearly, its colours at 0, 1/(K-1), ..., 1.
    vmin, vmax : float
        The data range the colormap spans: results are ``vmin + t (vmax - vmin)``.
    max_distance : float, optional
        Colours farther than this (Euclidean, RGB in 0..1) from the curve are
        not data (borders, text, grid lines) and give NaN. Default 20/255;
        ``np.inf`` keeps everything.
    samples : int, default 1024
        Density of the samples used to find the nearest curve segments.

    Returns
    -------
    numpy.ndarray, (H, W) float64

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib import colormaps
    >>> values = np.linspace(0, 1, 50).reshape(5, 10)
    >>> rendered = (colormaps["inferno"](values)[..., :3] * 255).round().astype(np.uint8)
    >>> back = invert_colormap(rendered, "inferno", vmin=-20, vmax=120)
    >>> bool(np.abs(back - (-20 + 140 * values)).max() <= 140 / 256 / 2 + 1e-9)
    True
    """
    arr = as_image_array(
        image,
        "image",
        ndim=3,
        allow_dask=WHOLE_PICTURE,
        hint="pass an (H, W, 3) RGB image",
    )
    if arr.shape[-1] not in (3, 4):
        raise PixelsmithValueError(f"`image` must have 3 (RGB) or 4 (RGBA) channels, got shape {arr.shape}")
    lo, hi = check_finite_scalar(vmin, "vmin"), check_finite_scalar(vmax, "vmax")
    limit = DEFAULT_MAX_DISTANCE if max_distance is None else float(max_distance)
    if not limit > 0:
        raise PixelsmithValueError(f"`max_distance` must be > 0, got {max_distance!r}")
    if arr.shape[-1] == 4:
        opaque = np.iinfo(arr.dtype).max if arr.dtype.kind in "ui" else 1.0
        if (arr[..., 3] != opaque).any():
            raise PixelsmithValueError(
                "`image` has transparent pixels (alpha below its maximum); composite it first with "
                "pixelsmith.color.as_rgb(image, background=...) or drop the alpha channel"
            )
        arr = arr[..., :3]
    vertices, params, is_table = _curve(cmap)
    h, w = arr.shape[:2]
    exact = None
    distinct = None
    if arr.dtype.kind == "f":  # 8-bit colours stored as floats (plt.imread of a PNG) take the uint8 path
        from ._kernels.color import eight_bit_codes

        codes, eight_bit = eight_bit_codes(arr, _EIGHT_BIT_TOLERANCE)
        if eight_bit:
            distinct, inverse = _distinct_codes(codes)
    elif arr.dtype == np.uint8:
        distinct, inverse = _distinct_codes(_codes(arr).ravel())
    if distinct is not None:
        colours = np.stack([(distinct >> 16) & 255, (distinct >> 8) & 255, distinct & 255], axis=1) / 255.0
        if is_table:
            exact = _table_matches(distinct, vertices, params)
    else:
        # other colours: 16 bits per channel (steps of 1.5e-5, far below a colormap's 1/256), one int64
        # code per pixel, so finding the distinct colours is a 1-D sort instead of a row-wise unique
        quantized = np.rint(_unit_range(arr, "image").reshape(-1, 3) * 65535).astype(np.int64)
        codes = (quantized[:, 0] << 32) | (quantized[:, 1] << 16) | quantized[:, 2]
        distinct, inverse = np.unique(codes, return_inverse=True)
        colours = np.stack([distinct >> 32, (distinct >> 16) & 65535, distinct & 65535], axis=1) / 65535.0
    t, distance = _project(colours, vertices, params, samples)
    if exact is not None:  # a colour of the 8-bit table is that entry (the middle of equal entries)
        hit = np.isfinite(exact)
        t[hit], distance[hit] = exact[hit], 0.0
    result = lo + t * (hi - lo)
    result[distance > limit] = np.nan
    return result[inverse.ravel()].reshape(h, w)


def _distinct_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(codes, return_inverse=True) for 24-bit colour codes, in O(N) through a 2^24 table."""
    if codes.size < (1 << 16):  # the table costs more than sorting a small image
        return np.unique(codes, return_inverse=True)
    present = np.zeros(1 << 24, bool)
    present[codes] = True
    distinct = np.flatnonzero(present).astype(codes.dtype)
    slot = np.empty(1 << 24, np.int32)  # only the distinct codes are ever read
    slot[distinct] = np.arange(len(distinct), dtype=np.int32)
    return distinct, slot[codes]


def _codes(rgb8: np.ndarray) -> np.ndarray:
    """24-bit integer per uint8 RGB colour."""
    return (rgb8[..., 0].astype(np.int32) << 16) | (rgb8[..., 1].astype(np.int32) << 8) | rgb8[..., 2]


def _table_matches(distinct: np.ndarray, vertices: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Parameter of each distinct 24-bit colour that equals an 8-bit-rounded table entry (NaN otherwise).

    Entries that round to the same colour share it; the colour then stands for
    all of them and gets the middle of their parameters.
    """
    table_codes = _codes(np.rint(vertices * 255).astype(np.uint8))
    order = np.argsort(table_codes, kind="stable")
    sorted_codes = table_codes[order]
    unique_codes, first, counts = np.unique(sorted_codes, return_index=True, return_counts=True)
    sums = np.add.reduceat(params[order], first)
    middle = sums / counts
    where = np.searchsorted(unique_codes, distinct)
    where = np.clip(where, 0, len(unique_codes) - 1)
    found = unique_codes[where] == distinct
    return np.where(found, middle[where], np.nan)


@dataclass(frozen=True)
class ChannelStats:
    """Per-channel statistics of the pixels under a mask: arrays of shape (C,).

    Attributes
    ----------
    mean, std : numpy.ndarray, (C,) float64
        Mean and standard deviation (ddof=0) of each channel.
    count : int
        Pixels used.
    """

    mean: np.ndarray
    std: np.ndarray
    count: int


@renamed_keywords(mask="where")
def masked_stats(image: ArrayLike, where: Any, *, channel_axis: int = -1) -> ChannelStats:
    """Mean, standard deviation (ddof=0) and pixel count of each channel where `where` is True.

    Parameters
    ----------
    image : array_like, (H, W, C)
        A colour (or any multi-channel) image.
    where : array_like of bool, (H, W)
        The pixels to use (True = use), e.g. ``labels == 3``.
    channel_axis : int, default -1
        The axis of the channels.

    Returns
    -------
    ChannelStats
        ``mean`` and ``std`` (float64, shape (C,)) and ``count`` (pixels used).

    Examples
    --------
    >>> import numpy as np
    >>> img = np.zeros((4, 4, 3))
    >>> img[1:3, 1:3] = (200, 150, 40)          # the object; the rest is black background
    >>> stats = masked_stats(img, img.sum(axis=-1) > 0)
    >>> stats.mean.tolist(), stats.count
    ([200.0, 150.0, 40.0], 4)
    """
    arr = as_image_array(
        image,
        "image",
        ndim=3,
        allow_dask=WHOLE_PICTURE,
        hint="pass an (H, W, C) colour image",
    )
    values = np.moveaxis(np.asarray(arr), channel_axis, -1)  # a view: only the picked pixels are converted
    m = check_bool_mask(where, "where", [values.shape[:2]], "use", what=f"of the image's pixels {values.shape[:2]}")
    count = int(m.sum())
    picked = values[m].astype(np.float64)
    mean = picked.mean(axis=0)
    picked -= mean  # two-pass variance, in place
    std = np.sqrt(np.einsum("ij,ij->j", picked, picked) / count)
    return ChannelStats(mean=mean, std=std, count=count)
