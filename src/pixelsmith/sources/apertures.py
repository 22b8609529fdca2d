"""Sums of pixel values in circular apertures, over one image or a whole stack in one pass."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._deprecate import renamed_keywords
from .._kernels import apertures as _k
from .._parallel import n_threads, run_in_ranges
from .._validate import (
    PixelsmithValueError,
    as_image_array,
    as_points,
    check_allocation,
    check_choice,
    check_finite_scalar,
    check_positive_int,
    is_dask_array,
)
from ..types import ArrayLike, NanPolicy
from ._tables import TableMixin

__all__ = ["ApertureSums", "aperture_sums"]

_METHODS = {"exact": _k.EXACT, "center": _k.CENTER, "subpixel": _k.SUBPIXEL}
_MAX_SUBPIXEL_SAMPLES = 2e10  # sub-pixel centres tested per call: about a minute on 2 cores


@dataclass(frozen=True)
class ApertureSums(TableMixin):
    """Result of `aperture_sums`; arrays are (N,) for an image and (T, N) for a stack.

    Attributes
    ----------
    sums : numpy.ndarray
        Weighted pixel sums inside each aperture (the part inside the image).
    areas : numpy.ndarray
        The aperture area those sums cover, in pixels: inside the image and, with
        ``nan_policy="omit"``, on non-NaN pixels. ``pi r^2`` for an aperture fully inside.
    background : numpy.ndarray or None
        With `annulus`: the per-pixel background, median of the annulus pixels.
    net : numpy.ndarray or None
        With `annulus`: ``sums - background * areas``.
    """

    sums: np.ndarray
    areas: np.ndarray
    background: np.ndarray | None = None
    net: np.ndarray | None = None

    def columns(self) -> dict[str, np.ndarray]:
        """id (the aperture's row in `centers`), sum, area[, background, net]; a stack adds frame (long format).

        Examples
        --------
        >>> import numpy as np
        >>> from pixelsmith import aperture_sums
        >>> list(aperture_sums(np.ones((9, 9)), [(4, 4)], 2.0, annulus=(3, 4)).columns())
        ['id', 'sum', 'area', 'background', 'net']
        """
        sums = np.atleast_2d(self.sums)
        frames, count = sums.shape
        table = {}
        if np.ndim(self.sums) == 2:
            table["frame"] = np.repeat(np.arange(frames), count)
        table["id"] = np.tile(np.arange(count), frames)
        for name in ("sums", "areas", "background", "net"):
            values = getattr(self, name)
            if values is not None:
                table[name.rstrip("s") if name in ("sums", "areas") else name] = np.atleast_2d(values).reshape(-1)
        return table


@dataclass(frozen=True)
class _Boxes:
    """Pixel boxes and flattened weights of N apertures (computed once, used for every frame)."""

    row0: np.ndarray
    col0: np.ndarray
    height: np.ndarray
    width: np.ndarray
    start: np.ndarray
    weights: np.ndarray


def _boxes(centers: np.ndarray, r_in: float, r_out: float, method: int, subpixels: int) -> _Boxes:
    # pixels whose square [i - 0.5, i + 0.5] meets [c - r, c + r]
    first = np.ceil(centers - r_out - 0.5).astype(np.int64)
    last = np.floor(centers + r_out + 0.5).astype(np.int64)
    size = np.maximum(last - first + 1, 0)
    counts = size[:, 0] * size[:, 1]
    start = np.zeros(len(centers), np.int64)
    np.cumsum(counts[:-1], out=start[1:])
    weights = np.zeros(int(counts.sum()))
    boxes = _Boxes(first[:, 0].copy(), first[:, 1].copy(), size[:, 0].copy(), size[:, 1].copy(), start, weights)
    run_in_ranges(
        len(centers),
        lambda n0, n1: _k.fill_weights(
            centers,
            r_in,
            r_out,
            method,
            subpixels,
            boxes.row0,
            boxes.col0,
            boxes.height,
            boxes.width,
            boxes.start,
            weights,
            n0,
            n1,
        ),
    )
    return boxes


def _over_stack(stack: np.ndarray, n_apertures: int, kernel) -> None:
    """Split the (frames x apertures) work: by frames for stacks, by apertures for one image."""
    n_frames = stack.shape[0]
    if n_frames >= 2 * n_threads():
        run_in_ranges(n_frames, lambda t0, t1: kernel(t0, t1, 0, n_apertures), minimum=2)
    else:
        run_in_ranges(n_apertures, lambda n0, n1: kernel(0, n_frames, n0, n1))


def _radii(radius: Any, annulus: Any) -> tuple[float, tuple[float, float] | None]:
    r = check_finite_scalar(radius, "radius")
    if r <= 0:
        raise PixelsmithValueError(f"`radius` must be > 0 (pixels), got {r}")
    if annulus is None:
        return r, None
    try:
        r_in, r_out = (float(v) for v in annulus)
    except (TypeError, ValueError):
        raise PixelsmithValueError(f"`annulus` must be (r_in, r_out), got {annulus!r}") from None
    if not (np.isfinite(r_in) and np.isfinite(r_out)) or r_in < 0 or r_in >= r_out:
        raise PixelsmithValueError(f"`annulus` must be (r_in, r_out) with 0 <= r_in < r_out, got {annulus!r}")
    return r, (r_in, r_out)


@renamed_keywords(data="image")
def aperture_sums(
    image: ArrayLike,
    centers: Any,
    radius: float,
    *,
    annulus: tuple[float, float] | None = None,
    method: str = "exact",
    subpixels: int = 5,
    nan_policy: NanPolicy = "propagate",
) -> ApertureSums:
    """Sum the pixels inside circles of `radius` around `centers`, in one image or every frame of a stack.

    The pixel weights of each aperture are computed once and applied to every
    frame: a (T, H, W) stack is read in one pass, frames in parallel.

    Parameters
    ----------
    image : array_like or dask.array.Array, (H, W) or (T, H, W)
        One image or a stack of images. A dask stack gives dask results, chunked along T.
    centers : array_like, shape (N, 2)
        Aperture centres in (row, col) order, pixel centres at integers (photutils
        takes (x, y) = (col, row)).
    radius : float
        Aperture radius in pixels.
    annulus : (float, float), optional
        ``(r_in, r_out)`` of a background annulus around each centre. The
        background per pixel is the median of the finite annulus pixels whose
        centres satisfy ``r_in <= d < r_out`` (photutils' 'center' rule, as its
        ApertureStats median); ``net = sums - background * areas``.
    method : {'exact', 'center', 'subpixel'}, default 'exact'
        Pixel weights as in photutils: the exact area of the pixel inside the
        circle; 1 when the pixel centre is inside (``d < r``, so with integer
        centres and radii the pixels at exactly ``d = r`` are out: pass
        ``radius + 1e-9`` to match a hand-made ``d <= r`` mask); the fraction of
        ``subpixels x subpixels`` sub-pixel centres inside.
    subpixels : int, default 5
        Sub-pixel grid for ``method="subpixel"``.
    nan_policy : {'propagate', 'omit'}, default 'propagate'
        'omit' leaves NaN pixels out of the sums and the areas.

    Returns
    -------
    ApertureSums
        ``sums``, ``areas`` and, with `annulus`, ``background`` and ``net``:
        shape (N,) for an image, (T, N) for a stack. Apertures partly outside
        the image sum the inside part; ``areas`` says how much was covered.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.ones((50, 50))
    >>> res = aperture_sums(image, [(25.3, 24.1), (-0.5, 10.0)], 5.0)   # the edge of row 0 is at -0.5
    >>> np.round(res.sums, 6).tolist()          # pi r^2, then the half inside the image
    [78.539816, 39.269908]
    >>> stack = np.stack([image, 2 * image, 3 * image])
    >>> aperture_sums(stack, [(25.3, 24.1)], 5.0).sums.shape
    (3, 1)
    """
    if is_dask_array(image):
        return _dask_aperture_sums(
            image, centers, radius, annulus=annulus, method=method, subpixels=subpixels, nan_policy=nan_policy
        )
    arr = as_image_array(
        image,
        "image",
        ndim=(2, 3),
        allow_dask=False,
        hint="pass one image (H, W) or a stack (T, H, W); squeeze or reshape other axes",
    )
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    check_choice(method, "method", tuple(_METHODS))
    check_choice(nan_policy, "nan_policy", ("propagate", "omit"))
    if isinstance(subpixels, numbers.Integral) and not isinstance(subpixels, bool):
        subpixels = check_positive_int(subpixels, "subpixels")
    else:
        raise PixelsmithValueError(f"`subpixels` must be a positive integer, got {subpixels!r}")
    pts = as_points(centers, "centers", accept_one=True)
    r, ring = _radii(radius, annulus)

    stack = arr if arr.ndim == 3 else arr[None]
    n, n_frames = len(pts), stack.shape[0]
    outer = r if ring is None else max(r, ring[1])
    box_pixels = n * (2 * outer + 3) ** 2  # every aperture's bounding box holds its weights
    check_allocation(
        8.0 * box_pixels,
        "annulus" if ring is not None and ring[1] > r else "radius",
        annulus if ring is not None and ring[1] > r else radius,
        f"the pixel weights of {n} aperture(s)",
        "use radii within the image",
    )
    if method == "subpixel" and box_pixels * subpixels**2 > _MAX_SUBPIXEL_SAMPLES:
        raise PixelsmithValueError(
            f"`subpixels` {subpixels} would test {box_pixels * subpixels**2:.1e} sub-pixel centres "
            f"({n} aperture(s) of radius {r:g}), beyond the {_MAX_SUBPIXEL_SAMPLES:.0e} that finish in about a "
            "minute; use method='exact' (the limit of many subpixels, computed exactly) or fewer subpixels"
        )
    sums = np.zeros((n_frames, n))
    areas = np.zeros((n_frames, n))
    boxes = _boxes(pts, 0.0, r, _METHODS[method], subpixels)
    _over_stack(
        stack,
        n,
        lambda t0, t1, n0, n1: _k.sum_apertures(
            stack,
            t0,
            t1,
            n0,
            n1,
            boxes.row0,
            boxes.col0,
            boxes.height,
            boxes.width,
            boxes.start,
            boxes.weights,
            nan_policy == "omit",
            sums,
            areas,
        ),
    )
    if n and stack.dtype.kind == "f" and not np.isfinite(sums).any() and np.isnan(stack).all():
        raise PixelsmithValueError("`image` is all NaN; there is nothing to sum")
    background = net = None
    if ring is not None:
        background = np.zeros((n_frames, n))
        ring_boxes = _boxes(pts, ring[0], ring[1], _k.CENTER, 1)
        _over_stack(
            stack,
            n,
            lambda t0, t1, n0, n1: _k.annulus_medians(
                stack,
                t0,
                t1,
                n0,
                n1,
                ring_boxes.row0,
                ring_boxes.col0,
                ring_boxes.height,
                ring_boxes.width,
                ring_boxes.start,
                ring_boxes.weights,
                background,
            ),
        )
        net = sums - background * areas
    if arr.ndim == 2:
        sums, areas = sums[0], areas[0]
        if ring is not None:
            background, net = background[0], net[0]
    return ApertureSums(sums, areas, background, net)


def _dask_aperture_sums(data, centers, radius, **options) -> ApertureSums:
    """Stacks larger than memory: each block of frames (whole images) is one task."""

    if data.ndim != 3:
        raise PixelsmithValueError(
            f"`image` is a dask array, and one image {data.shape} is summed in memory (dask is for (T, H, W) "
            "stacks of frames); call .compute() first"
        )
    pts = as_points(centers, "centers", accept_one=True)
    _radii(radius, options.get("annulus"))
    stack = data.rechunk({1: -1, 2: -1})
    n = len(pts)
    fields = 4 if options.get("annulus") is not None else 2

    def block(frames):
        res = aperture_sums(frames, pts, radius, **options)
        parts = [res.sums, res.areas] + ([res.background, res.net] if fields == 4 else [])
        return np.stack(parts, axis=-1)

    packed = stack.map_blocks(block, dtype=np.float64, chunks=(stack.chunks[0], (n,), (fields,)))
    parts = [packed[..., k] for k in range(fields)]
    return ApertureSums(parts[0], parts[1], *(parts[2:] if fields == 4 else (None, None)))
