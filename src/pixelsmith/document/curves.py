"""Curved text lines: order a skeleton's pixels into a path, and straighten the band along it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import (
    WHOLE_PICTURE,
    PixelsmithValueError,
    as_image_array,
    as_points,
    check_allocation,
    check_choice,
    check_finite_scalar,
    check_positive_int,
    result_float_dtype,
)

__all__ = ["order_curve_points", "straighten"]


def order_curve_points(points: Any, *, neighbours: int = 8, max_gap: float | None = None) -> np.ndarray:
    """Order an unordered set of curve points (a skeleton's pixels) into a path from one end to the other.

    Builds a graph joining each point to those of its `neighbours` nearest
    points within 1.5 times the typical point spacing. Each connected piece is
    ordered by its longest shortest path (two sweeps of Dijkstra); spurs and
    stray points off that path are dropped. A skeleton broken by a gap (a
    faint letter, a crease) comes in several pieces: starting from the longest,
    pieces past either end of the path (along the line from its start to its
    end) are joined end to end across gaps up to `max_gap` pixels, nearest first.
    Pieces past an end that are left out (a gap wider than `max_gap`) are
    named in a `PixelsmithWarning` with their gap; marks beside the path (the
    dot of an i, an accent) are dropped like spurs.

    Parameters
    ----------
    points : array_like, (N, 2)
        (row, col) positions, e.g. ``np.argwhere(skeleton)``.
    neighbours : int, default 8
    max_gap : float, optional
        The widest gap (pixels) bridged between pieces. Default: a quarter of
        the longest piece's length (a few line heights on a text line), and at
        least 25 point spacings (25 px for a pixel skeleton); 0 keeps the
        longest piece alone.

    Returns
    -------
    numpy.ndarray, (M, 2)
        The path, starting at the end with the smaller column (left to right for a text line).

    Examples
    --------
    >>> import numpy as np
    >>> cols = np.arange(50)
    >>> rows = np.rint(20 + 5 * np.sin(cols / 8.0))
    >>> shuffled = np.random.default_rng(0).permutation(np.column_stack([rows, cols]))
    >>> path = order_curve_points(shuffled)
    >>> bool(np.array_equal(path[:, 1], cols))
    True
    >>> broken = np.column_stack([rows, cols])[np.r_[0:20, 28:50]]   # a gap of 8 columns
    >>> order_curve_points(broken)[:, 1].tolist() == list(range(20)) + list(range(28, 50))
    True
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    pts = as_points(points, "points")
    if len(pts) < 2:
        raise PixelsmithValueError(f"`points` needs at least 2 points, got {len(pts)}")
    if max_gap is not None:
        max_gap = check_finite_scalar(max_gap, "max_gap")
        if max_gap < 0:
            raise PixelsmithValueError(f"`max_gap` must be >= 0 pixels (0: no bridging), got {max_gap}")
    k = min(check_positive_int(neighbours, "neighbours") + 1, len(pts))
    distance, index = cKDTree(pts).query(pts, k=k)
    # only links between close neighbours (1.5 x the typical spacing: the diagonal of a pixel
    # skeleton, not the next-but-one pixel), so the path cannot skip points on the way
    reach = 1.5 * float(np.median(distance[:, 1]))
    near = distance[:, 1:] <= reach
    rows = np.repeat(np.arange(len(pts)), k - 1).reshape(len(pts), k - 1)[near]
    graph = coo_matrix((distance[:, 1:][near], (rows, index[:, 1:][near])), shape=(len(pts), len(pts)))
    graph = graph.maximum(graph.T).tocsr()
    count, labels = connected_components(graph, directed=False)
    pieces = [_longest_path(graph, pts, np.flatnonzero(labels == label)) for label in range(count)]
    pieces.sort(key=_length, reverse=True)
    chain = pieces.pop(0)
    spacing = float(np.median(distance[:, 1]))
    gap_limit = max(0.25 * _length(chain), 25 * spacing) if max_gap is None else max_gap
    gaps: list[float] = []
    while pieces:
        joined = _nearest_continuation(chain, pieces, gap_limit)
        if joined is None:
            break
        position, piece, at_end, gap = joined
        pieces.pop(position)
        gaps.append(gap)
        chain = np.vstack([chain, piece]) if at_end else np.vstack([piece, chain])
    beyond = [piece for piece in pieces if _beyond(chain, piece, True) or _beyond(chain, piece, False)]
    if beyond:  # pieces beside the path (letters' dots and ascenders) are dropped like spurs
        _warn_dropped(chain, beyond, gap_limit, max_gap is None)
    return chain if chain[0, 1] <= chain[-1, 1] else chain[::-1]


def _longest_path(graph: Any, pts: np.ndarray, members: np.ndarray) -> np.ndarray:
    """The points of one connected piece along its longest shortest path (spurs dropped)."""
    from scipy.sparse.csgraph import dijkstra

    if len(members) == 1:
        return pts[members]
    sub = graph[members][:, members]
    far = dijkstra(sub, directed=False, indices=0)
    a = int(np.argmax(far))
    from_a, predecessors = dijkstra(sub, directed=False, indices=a, return_predecessors=True)
    b = int(np.argmax(from_a))
    path = [b]
    while path[-1] != a:
        path.append(int(predecessors[path[-1]]))
    return pts[members][path]


def _length(piece: np.ndarray) -> float:
    return float(np.hypot(*np.diff(piece, axis=0).T).sum()) if len(piece) > 1 else 0.0


def _beyond(chain: np.ndarray, piece: np.ndarray, at_end: bool) -> bool:
    """Whether `piece` lies past the chain's end (or start), along the line from its start to its end:
    a piece of the curve itself, not a mark beside it (whose centre falls within the chain's extent)."""
    axis = chain[-1] - chain[0]
    span = float(np.hypot(*axis))
    if span == 0:
        return True
    along = chain @ (axis / span)
    centre = float(piece.mean(axis=0) @ (axis / span))
    return centre > along.max() if at_end else centre < along.min()


def _nearest_continuation(chain: np.ndarray, pieces: list[np.ndarray], limit: float):
    """(index, piece oriented to attach, attach at the chain's end?, gap) of the nearest piece past one of
    the chain's ends within `limit` pixels; None when there is none."""
    best = None
    for at_end in (True, False):
        tip = chain[-1] if at_end else chain[0]
        for position, piece in enumerate(pieces):
            if not _beyond(chain, piece, at_end):
                continue
            for first in (True, False):  # which end of the piece meets the chain
                gap = float(np.hypot(*((piece[0] if first else piece[-1]) - tip)))
                if gap <= limit and (best is None or gap < best[3]):
                    best = (position, piece if first == at_end else piece[::-1], at_end, gap)
    return best


def _warn_dropped(chain: np.ndarray, pieces: list[np.ndarray], limit: float, default: bool) -> None:
    import warnings

    from .._validate import PixelsmithWarning

    def gap_to_chain(piece: np.ndarray) -> float:
        ends = np.array([chain[0], chain[-1]])
        return float(np.min(np.hypot(*(piece[:, None, :] - ends[None, :, :]).transpose(2, 0, 1))))

    described = [
        f"{len(p)} points around (row {p[:, 0].mean():.0f}, col {p[:, 1].mean():.0f}), {gap_to_chain(p):.0f} px away"
        for p in pieces[:5]
    ]
    more = f" and {len(pieces) - 5} more" if len(pieces) > 5 else ""
    limit_text = f"max_gap {limit:.0f} px" + (
        " (the default: a quarter of the longest piece, at least 25 point spacings)" if default else ""
    )
    warnings.warn(
        f"order_curve_points kept a path of {len(chain)} points and dropped {len(pieces)} piece(s) that do not "
        f"continue it within {limit_text}: {'; '.join(described)}{more}; raise max_gap to bridge wider gaps, "
        "or order the pieces yourself",
        PixelsmithWarning,
        stacklevel=3,
    )


def straighten(
    image: Any, curve: Any, *, height: int, spacing: float = 1.0, order: int = 1, smoothing: float | None = None
) -> np.ndarray:
    """Rectify the band of `height` pixels centred on a curved line: one output column per arc-length step.

    A smoothing parametric spline (scipy.interpolate.splprep) goes through the
    ordered `curve` points; at every `spacing` pixels of arc length it samples
    the image along the spline's normal, from ``-(height - 1) / 2`` to
    ``+(height - 1) / 2`` pixels (output row 0 on the side of smaller rows for a
    left-to-right curve), with scipy.ndimage.map_coordinates.

    Parameters
    ----------
    image : array_like, (H, W) or (H, W, C)
    curve : array_like, (N, 2)
        (row, col) points along the line's centre, in order (use
        `order_curve_points` for a skeleton).
    height : int
        Rows of the output band.
    spacing : float, default 1.0
        Arc length (pixels) between output columns.
    order : int, default 1
        Interpolation order for map_coordinates (0-5).
    smoothing : float, optional
        The spline's smoothing factor ``s`` (scipy.interpolate.splprep), used on
        the points as given. Default (None): real-valued points are
        interpolated (``s = 0``); integer points (a pixel skeleton, e.g.
        ``np.argwhere(skeletonize(ink))``) are first replaced by the line's
        centre line, measured from the data at the scale of the band: half a
        band `height` is trimmed at each end (where a skeleton forks into the
        corners of the line), the rest is smoothed by a local quadratic over 1.5
        band heights (letters wiggle the skeleton on that scale, while the
        line's own curvature is far gentler), and the ends are extended along
        their tangents.

    Returns
    -------
    numpy.ndarray, (height, L) or (height, L, C)
        float32 for float32 images (map_coordinates computes in the image's precision), else float64.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.tile(np.arange(100.0), (60, 1))          # value = column
    >>> curve = np.column_stack([np.full(50, 30.0), np.arange(20.0, 70.0)])
    >>> band = straighten(image, curve, height=9)
    >>> band.shape, float(band[4, 0]), float(band[4, -1])
    ((9, 50), 20.0, 69.0)
    """
    from scipy.interpolate import splev, splprep
    from scipy.ndimage import map_coordinates

    arr = as_image_array(image, "image", ndim=(2, 3), allow_dask=WHOLE_PICTURE)
    pts = as_points(curve, "curve")
    height = check_positive_int(height, "height")
    check_choice(order, "order", (0, 1, 2, 3, 4, 5))
    spacing = check_finite_scalar(spacing, "spacing")
    if spacing <= 0:
        raise PixelsmithValueError(f"`spacing` must be > 0 pixels, got {spacing}")
    pts = _distinct(pts)
    if len(pts) < 4:
        raise PixelsmithValueError(f"`curve` needs at least 4 distinct points for a cubic spline, got {len(pts)}")
    if smoothing is None:
        # real-valued points are followed exactly; pixel positions (a skeleton of the ink) wiggle
        # with the letters and fork at the ends: replace them by the line's own centre line
        if np.all(pts == np.rint(pts)):
            pts = _distinct(_skeleton_centre_line(pts, height))
        s = 0.0
    else:
        s = check_finite_scalar(smoothing, "smoothing")
        if s < 0:
            raise PixelsmithValueError(f"`smoothing` must be >= 0 (splprep's s) or None, got {smoothing!r}")
    try:
        tck, _ = splprep([pts[:, 0], pts[:, 1]], s=s, k=3)
    except (ValueError, TypeError) as error:  # FITPACK's "Invalid inputs" and the like
        raise PixelsmithValueError(
            f"no smoothing spline fits `curve` ({len(pts)} points) with `smoothing` {s:g}: {error}; "
            "leave `smoothing` at None (the default) or pass a different value"
        ) from None
    # arc length on a dense parameter grid, then equal steps of `spacing`
    dense = np.linspace(0.0, 1.0, max(2000, 20 * len(pts)))
    r, c = splev(dense, tck)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(r), np.diff(c)))])
    check_allocation(
        8.0 * 6 * height * (arc[-1] / spacing + 1),
        "spacing",
        spacing,
        f"{arc[-1] / spacing + 1:.3g} output columns of {height} samples along a {arc[-1]:.0f}-pixel curve",
        "use a spacing of about a pixel (the default 1.0)",
    )
    steps = np.arange(0.0, arc[-1] + 1e-9, spacing)
    u = np.interp(steps, arc, dense)
    r, c = splev(u, tck)
    dr, dc = splev(u, tck, der=1)
    norm = np.hypot(dr, dc)
    norm[norm == 0] = 1.0
    # the normal that points to larger rows for a curve running to larger columns
    down_r, down_c = dc / norm, -dr / norm
    offsets = np.arange(height) - (height - 1) / 2.0
    sample_r = r[None, :] + offsets[:, None] * down_r[None, :]
    sample_c = c[None, :] + offsets[:, None] * down_c[None, :]
    values = np.asarray(arr, dtype=result_float_dtype(arr.dtype))  # float32 stays float32
    if values.ndim == 2:
        return map_coordinates(values, [sample_r, sample_c], order=order, mode="nearest")
    return np.stack(
        [
            map_coordinates(values[..., ch], [sample_r, sample_c], order=order, mode="nearest")
            for ch in range(values.shape[-1])
        ],
        axis=-1,
    )


def _skeleton_centre_line(pts: np.ndarray, height: int) -> np.ndarray:
    """The centre line of a pixel skeleton of a text line of band height `height` (see `straighten`)."""
    from scipy.signal import savgol_filter

    trim = int(round(height / 2))
    if len(pts) <= 4 * trim + 8:  # too short to lose its ends
        trim = 0
    core = pts[trim : len(pts) - trim]
    window = min(int(1.5 * height) | 1, len(core) if len(core) % 2 else len(core) - 1)
    if window < 5:
        return pts
    smooth = savgol_filter(core, window, 2, axis=0, mode="interp")
    step = max(1, window // 4)  # knots every quarter window: the spline cannot wiggle between them
    body = np.vstack([smooth[::step], smooth[-1:]])
    if not trim:
        return body
    spacing = float(np.median(np.hypot(*np.diff(core, axis=0).T)))

    def extension(end: np.ndarray, inner: np.ndarray) -> np.ndarray:
        direction = (end - inner) / max(float(np.hypot(*(end - inner))), 1e-12)
        return end + direction * spacing * np.arange(trim, 0, -step)[:, None]

    reach = min(step, len(smooth) - 1)
    head = extension(smooth[0], smooth[reach])
    tail = extension(smooth[-1], smooth[-1 - reach])[::-1]
    return np.vstack([head, body, tail])


def _distinct(pts: np.ndarray) -> np.ndarray:
    """Drop points equal to their predecessor: splprep refuses repeated points."""
    keep = np.concatenate([[True], np.any(np.diff(pts, axis=0) != 0, axis=1)])
    return pts[keep]
