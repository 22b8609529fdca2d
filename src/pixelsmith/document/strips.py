"""Reassemble an image that was cut into vertical strips and shuffled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, as_image_array, check_positive_int

__all__ = ["Unshuffled", "unshuffle_strips", "find_cuts", "strip_dissimilarity"]

_EXACT_UP_TO = 12  # strips; beyond, a heuristic path plus local improvement


@dataclass(frozen=True)
class Unshuffled:
    """Result of `unshuffle_strips`.

    Attributes
    ----------
    image : numpy.ndarray
        The strips put back in order.
    order : numpy.ndarray of int
        Input strip indices, left to right in the reconstruction.
    cuts : numpy.ndarray of int
        Columns of the input where a strip starts (the first strip starts at 0).
    """

    image: np.ndarray
    order: np.ndarray
    cuts: np.ndarray


def _float_image(image: Any) -> np.ndarray:
    arr = as_image_array(image, "image", ndim=(2, 3), allow_dask=False,
                         hint="pass a gray (H, W) or colour (H, W, C) image")
    values = np.asarray(arr, dtype=np.float64)
    if values.ndim == 2:
        values = values[..., None]
    if values.shape[-1] == 4:
        values = values[..., :3]  # alpha carries no edge information
    if not np.isfinite(values).all():
        raise PixelsmithValueError("`image` contains NaN or inf; fill them first (pixelsmith.fill_nans)")
    return values


def find_cuts(image: Any, n_strips: int | None = None) -> np.ndarray:
    """Columns where a strip starts: outliers of the column-to-column difference profile.

    Each boundary's score is the row-average of ``log(jump / jumps beside it)``:
    a cut makes nearly every row jump more than its neighbourhood (even in
    smooth areas), a natural vertical edge only the rows it crosses. Scores are
    measured in robust standard deviations of the profile. With `n_strips`, the
    ``n_strips - 1`` best-scoring boundaries (never adjacent) are the cuts;
    without, every boundary scoring above 8 is.

    Returns
    -------
    numpy.ndarray of int
        Start columns of the strips, beginning with 0.
    """
    values = _float_image(image)
    width = values.shape[1]
    if width < 2:
        return np.array([0])
    # per row: the jump across each boundary against the jumps just beside it; a cut is a
    # boundary where most rows jump more than their neighbourhood (a natural edge moves only
    # the rows it crosses, and a cut through a smooth area still stands out row by row)
    jump = np.abs(np.diff(values, axis=1)).sum(axis=2)  # (H, W - 1)
    eps = 0.01 * (np.percentile(values, 99) - np.percentile(values, 1)) + 1e-12
    padded = np.pad(jump, ((0, 0), (1, 1)), mode="edge")
    beside = 0.5 * (padded[:, :-2] + padded[:, 2:])
    score = np.log((jump + eps) / (beside + eps)).mean(axis=0)
    centre = np.median(score)
    spread = 1.4826 * np.median(np.abs(score - centre)) or (np.abs(score - centre).mean() or 1.0)
    z = (score - centre) / spread
    order = np.argsort(-z, kind="stable")
    chosen: list[int] = []
    want = None if n_strips is None else n_strips - 1
    for j in order:
        if want is not None and len(chosen) == want:
            break
        if want is None and z[j] <= 8:
            break
        if all(abs(j - c) > 1 for c in chosen):
            chosen.append(int(j))
    if want is not None and len(chosen) < want:
        raise PixelsmithValueError(f"found only {len(chosen) + 1} strips, `n_strips` is {n_strips}")
    return np.array([0] + sorted(c + 1 for c in chosen))


def strip_dissimilarity(strips: list[np.ndarray]) -> np.ndarray:
    """D[a, b]: how badly strip b continues strip a to its right (0 = perfectly).

    Per row, each side predicts the other's edge column by extrapolating its own
    gradient (``2 x[-1] - x[-2]``); the two prediction errors are divided by
    the row's own variation near the edges of both strips (smooth rows must
    match closely, textured rows may differ more), and ``log1p`` of that ratio
    is averaged over the rows so a few odd rows cannot dominate.
    """
    n = len(strips)
    every = np.concatenate([s.ravel() for s in strips])
    eps = 0.01 * (np.percentile(every, 99) - np.percentile(every, 1)) + 1e-12

    def edge(s: np.ndarray, last: bool):
        """(edge column, the prediction beyond it, per-row variation near it)."""
        if s.shape[1] == 1:
            return s[:, 0], s[:, 0], np.zeros(s.shape[0])
        if last:
            near = s[:, -min(4, s.shape[1]):]
            return s[:, -1], 2 * s[:, -1] - s[:, -2], np.abs(np.diff(near, axis=1)).sum(axis=2).mean(axis=1)
        near = s[:, : min(4, s.shape[1])]
        return s[:, 0], 2 * s[:, 0] - s[:, 1], np.abs(np.diff(near, axis=1)).sum(axis=2).mean(axis=1)

    rights = [edge(s, True) for s in strips]
    lefts = [edge(s, False) for s in strips]
    cost = np.full((n, n), np.inf)
    for a in range(n):
        last_a, beyond_a, vary_a = rights[a]
        for b in range(n):
            if a == b:
                continue
            first_b, before_b, vary_b = lefts[b]
            error = np.abs(beyond_a - first_b).sum(axis=1) + np.abs(before_b - last_a).sum(axis=1)
            cost[a, b] = float(np.mean(np.log1p(error / (vary_a + vary_b + eps))))
    return cost


def _best_path_exact(cost: np.ndarray) -> list[int]:
    """Held-Karp over subsets: the cheapest path visiting every strip once (any start, any end)."""
    n = len(cost)
    full = 1 << n
    best = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, np.int64)
    for v in range(n):
        best[1 << v, v] = 0.0
    for subset in range(1, full):
        row = best[subset]
        ends = np.flatnonzero(np.isfinite(row))
        if not len(ends):
            continue
        for v in range(n):
            if subset & (1 << v):
                continue
            candidates = row[ends] + cost[ends, v]
            k = int(np.argmin(candidates))
            nxt = subset | (1 << v)
            if candidates[k] < best[nxt, v]:
                best[nxt, v] = candidates[k]
                parent[nxt, v] = ends[k]
    end = int(np.argmin(best[full - 1]))
    path, subset = [end], full - 1
    while parent[subset, path[-1]] >= 0:
        prev = int(parent[subset, path[-1]])
        subset &= ~(1 << path[-1])
        path.append(prev)
    return path[::-1]


def _path_cost(cost: np.ndarray, path: list[int]) -> float:
    return float(sum(cost[a, b] for a, b in zip(path[:-1], path[1:], strict=True)))


def _best_path_heuristic(cost: np.ndarray) -> list[int]:
    """Greedy paths from every start, then moves of single strips and runs until nothing improves."""
    n = len(cost)
    best_path, best_value = None, np.inf
    for start in range(n):
        path, free = [start], set(range(n)) - {start}
        while free:
            nxt = min(free, key=lambda v: cost[path[-1], v])
            path.append(nxt)
            free.remove(nxt)
        value = _path_cost(cost, path)
        if value < best_value:
            best_path, best_value = path, value
    path = best_path
    improved = True
    while improved:  # or-opt: move a run of 1..3 strips elsewhere
        improved = False
        for length in (1, 2, 3):
            for i in range(n - length + 1):
                run, rest = path[i:i + length], path[:i] + path[i + length:]
                for j in range(len(rest) + 1):
                    candidate = rest[:j] + run + rest[j:]
                    value = _path_cost(cost, candidate)
                    if value < best_value - 1e-12:
                        path, best_value, improved = candidate, value, True
                        break
                if improved:
                    break
            if improved:
                break
    return path


def unshuffle_strips(image: Any, *, n_strips: int | None = None, cuts: Any = None) -> Unshuffled:
    """Put back in order an image cut into vertical strips and shuffled.

    Finds the cuts (unless `cuts` is given; see `find_cuts`; with `n_strips`
    it takes a few spare candidates, because a spare cut only splits a strip
    into pieces that are put straight back together), measures how well
    each strip's right edge continues into every other strip's left edge
    (`strip_dissimilarity`, gradient continuation both ways), and orders the
    strips along the cheapest path through that directed graph: exact dynamic
    programming up to 12 strips, greedy paths plus moves of runs of strips
    beyond. Strips may have different widths.

    Parameters
    ----------
    image : array_like, (H, W) or (H, W, C)
    n_strips : int, optional
        How many strips (helps the cut detection).
    cuts : sequence of int, optional
        Start columns of the strips (0 may be omitted).

    Returns
    -------
    Unshuffled
        ``image`` (reordered), ``order`` (input strip indices left to right) and ``cuts``.

    Examples
    --------
    >>> import numpy as np
    >>> yy, xx = np.mgrid[:60, :90]
    >>> photo = np.sin(xx / 13.0) + np.cos(yy / 9.0 + xx / 31.0)
    >>> edges = [0, 20, 35, 60, 90]
    >>> pieces = [photo[:, a:b] for a, b in zip(edges[:-1], edges[1:])]
    >>> shuffled = np.hstack([pieces[i] for i in (2, 0, 3, 1)])
    >>> result = unshuffle_strips(shuffled, cuts=[0, 25, 45, 75])
    >>> result.order.tolist(), bool(np.array_equal(result.image, photo))
    ([1, 3, 0, 2], True)
    """
    original = as_image_array(image, "image", ndim=(2, 3), allow_dask=False)
    values = _float_image(original)
    width = values.shape[1]
    if n_strips is not None:
        n_strips = check_positive_int(n_strips, "n_strips")
        if n_strips > width:
            raise PixelsmithValueError(f"`n_strips` {n_strips} is larger than the image width {width}")
    detected = cuts is None
    if detected:
        # over-segment on purpose: a spare cut splits a strip into pieces that the ordering puts
        # straight back together, while a missed cut cannot be repaired later
        spare = 0 if n_strips is None else min(max(2, n_strips // 2), max(0, (width - 1) // 3 - n_strips))
        starts = find_cuts(values, None if n_strips is None else n_strips + spare)
    else:
        starts = np.unique(np.concatenate([[0], np.asarray(cuts, dtype=np.int64)]))
        if starts.min() < 0 or starts.max() >= width:
            raise PixelsmithValueError(f"`cuts` must lie in 0..{width - 1}, got {list(cuts)}")
    bounds = list(starts) + [width]
    strips = [values[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    if len(strips) == 1:
        return Unshuffled(np.array(original), np.array([0]), starts)
    cost = strip_dissimilarity(strips)
    order = _best_path_exact(cost) if len(strips) <= _EXACT_UP_TO else _best_path_heuristic(cost)
    pieces = [np.asarray(original)[:, bounds[i]:bounds[i + 1]] for i in order]
    image_out = np.concatenate(pieces, axis=1)
    if detected:  # pieces that came back next to their input neighbour were one strip
        joined = {b for a, b in zip(order[:-1], order[1:], strict=True) if b == a + 1}
        keep = [i for i in range(len(strips)) if i not in joined]
        strip_of_piece = np.cumsum([i not in joined for i in range(len(strips))]) - 1
        starts = starts[keep]
        order = [int(strip_of_piece[i]) for i in order if i not in joined]
    return Unshuffled(image_out, np.array(order), starts)
