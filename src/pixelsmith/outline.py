"""Outlines of labelled regions along pixel edges, and drawing them over an imshow."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import WHOLE_PICTURE, PixelsmithTypeError, PixelsmithValueError, as_image_array, check_choice

__all__ = ["outline_paths", "plot_outline"]


def outline_paths(labels: Any, value: Any = True) -> list[np.ndarray]:
    """Closed outlines of the region where ``labels == value``, along pixel edges.

    Each boundary is one continuous path of (row, col) vertices at pixel
    corners (half-integers: pixel (i, j) spans i - 0.5 .. i + 0.5), with
    collinear vertices merged, so a single pixel is a square of 4 vertices.
    Outer boundaries run counter-clockwise on screen (imshow, row 0 at the top)
    and holes clockwise: the shoelace areas of all paths add up to the pixel
    count. Pixels touching only at a corner are separate regions (4-connectivity).

    Parameters
    ----------
    labels : array_like, 2-D
        A label image or a boolean mask.
    value : scalar, default True
        The label to outline.

    Returns
    -------
    list of numpy.ndarray, each (K, 2)
        One array per boundary (not repeating the first vertex), largest first.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.zeros((4, 5), int)
    >>> labels[1:3, 1:4] = 3
    >>> [p.tolist() for p in outline_paths(labels, 3)]
    [[[2.5, 0.5], [2.5, 3.5], [0.5, 3.5], [0.5, 0.5]]]
    """
    arr = as_image_array(
        labels,
        "labels",
        ndim=2,
        allow_dask=WHOLE_PICTURE,
        hint="outline one 2-D label image",
    )
    if np.ndim(value) != 0:
        raise PixelsmithValueError(
            f"`value` must be one label (a scalar), got {value!r}; for several labels at once pass "
            "np.isin(labels, values) as `labels`"
        )
    region = np.asarray(arr == value)
    if not region.any():
        return []
    from ._kernels.outline import trace

    rows, cols, starts = trace(np.ascontiguousarray(region))
    paths = [np.column_stack([rows[a:b], cols[a:b]]) for a, b in zip(starts[:-1], starts[1:], strict=True)]
    paths.sort(key=lambda p: -abs(_shoelace(p)))
    return paths


def _shoelace(path: np.ndarray) -> float:
    """Signed area, positive for a path counter-clockwise on screen (rows grow downwards)."""
    x, y = path[:, 1], path[:, 0]
    return -0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def plot_outline(
    ax: Any,
    labels: Any,
    value: Any = True,
    *,
    extent: tuple[float, float, float, float] | None = None,
    origin: str = "upper",
    **line_kwargs: Any,
) -> list:
    """Draw the outlines of ``labels == value`` on `ax`, aligned with ``ax.imshow(..., extent, origin)``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    labels, value
        As in `outline_paths`.
    extent, origin
        The same values given to ``imshow`` (defaults as imshow's).
    **line_kwargs
        Passed to ``ax.plot`` (default: a 1.5-point red line).

    Returns
    -------
    list of matplotlib.lines.Line2D

    Examples
    --------
    >>> import numpy as np, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> aperture = np.zeros((20, 30), int)
    >>> aperture[5:12, 8:20] = 3
    >>> fig, ax = plt.subplots()
    >>> _ = ax.imshow(np.random.default_rng(0).random((20, 30)), cmap="gray")
    >>> lines = plot_outline(ax, aperture, 3, color="yellow")
    >>> len(lines)
    1
    >>> plt.close(fig)
    """
    if not callable(getattr(ax, "plot", None)):
        raise PixelsmithTypeError(
            f"`ax` must be a matplotlib Axes (something with .plot), got {type(ax).__name__}; "
            "e.g. fig, ax = plt.subplots()"
        )
    check_choice(origin, "origin", ("upper", "lower"))
    shape = np.shape(labels)
    if len(shape) != 2:
        raise PixelsmithValueError(f"`labels` must be 2-D, got shape {shape}")
    h, w = shape
    if extent is None:
        extent = (-0.5, w - 0.5, h - 0.5, -0.5) if origin == "upper" else (-0.5, w - 0.5, -0.5, h - 0.5)
    try:
        left, right, bottom, top = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise PixelsmithValueError(
            f"`extent` must be (left, right, bottom, top) as for ax.imshow, got {extent!r}"
        ) from None
    if not np.all(np.isfinite([left, right, bottom, top])):
        raise PixelsmithValueError(f"`extent` must be finite (left, right, bottom, top), got {extent!r}")
    style = {"color": "red", "linewidth": 1.5}
    style.update(line_kwargs)
    lines = []
    for path in outline_paths(labels, value):
        closed = np.vstack([path, path[:1]])
        x = left + (closed[:, 1] + 0.5) * (right - left) / w
        frac = (closed[:, 0] + 0.5) / h  # 0 at the first row's outer edge
        y = top + frac * (bottom - top) if origin == "upper" else bottom + frac * (top - bottom)
        lines.extend(ax.plot(x, y, **style))
    return lines
