"""Reassemble an image that was cut into vertical strips and shuffled."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._robust import MAD_TO_SIGMA
from .._validate import WHOLE_PICTURE, PixelsmithValueError, PixelsmithWarning, as_image_array, check_positive_int

__all__ = ["Unshuffled", "unshuffle_strips", "find_cuts", "cut_scores", "strip_dissimilarity"]

_EXACT_UP_TO = 12  # strips; beyond, a heuristic path plus local improvement
_CONFIDENT_CUT = 6.0  # robust sigmas: a weaker accepted cut is reported (measured on moon, camera, text)
_SURE_CUT = 8.0  # robust sigmas of the local score: no second look needed
# the best order must beat the runner-up by this much total join cost (mean log error ratio per row) to be
# reported without a warning: measured, textured and smooth photos win by 0.47-2.5, binary silhouettes and
# blank-margined pages by 0.0-0.37, where several orders join about equally well
_CLEAR_MARGIN = 0.4
_ALTERNATIVES = 3  # orders reported in Unshuffled.alternatives
_ENUMERATE_UP_TO = 8  # strips: every order is scored (8! = 40320); beyond, the best with one join forbidden


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
    alternatives : list of numpy.ndarray
        The best orders found, best first (``alternatives[0]`` is `order`), up
        to 12 strips: when they score about the same (`scores`), the image does
        not say which is right and a `PixelsmithWarning` says so.
    scores : numpy.ndarray
        The total join cost of each alternative (lower joins better).
    """

    image: np.ndarray
    order: np.ndarray
    cuts: np.ndarray
    alternatives: list = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _float_image(image: Any) -> np.ndarray:
    arr = as_image_array(
        image,
        "image",
        ndim=(2, 3),
        allow_dask=WHOLE_PICTURE,
        hint="pass a gray (H, W) or colour (H, W, C) image",
    )
    values = np.ascontiguousarray(arr, dtype=np.float64)  # one layout: BLAS sums in one order, the same bits
    if values.ndim == 2:
        values = values[..., None]
    if values.shape[-1] == 4:
        values = values[..., :3]  # alpha carries no edge information
    if not np.isfinite(values).all():
        raise PixelsmithValueError("`image` contains NaN or inf; fill them first (pixelsmith.fill_nans)")
    return values


_MAX_PAIR_COLUMNS = 4096  # columns compared pairwise (W x W costs); wider images use the best local candidates


def _column_predictions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column (one row each): the column, its prediction of the next one and of the previous one.

    A side predicts its neighbour by continuing its own gradient (``2 x[c] - x[c - 1]``),
    as in `strip_dissimilarity`.
    """
    height, width, channels = values.shape
    flat = values.transpose(1, 0, 2).reshape(width, height * channels)
    ahead = np.vstack([flat[:1], 2 * flat[1:] - flat[:-1]])
    behind = np.vstack([2 * flat[:-1] - flat[1:], flat[-1:]])
    return flat, ahead, behind


def _local_cut_scores(values: np.ndarray) -> np.ndarray:
    """Per boundary: row-average of ``log(jump / jumps beside it)`` (strong on textured images)."""
    jump = np.abs(np.diff(values, axis=1)).sum(axis=2)  # (H, W - 1)
    eps = 0.01 * (np.percentile(values, 99) - np.percentile(values, 1)) + 1e-12
    padded = np.pad(jump, ((0, 0), (1, 1)), mode="edge")
    beside = 0.5 * (padded[:, :-2] + padded[:, 2:])
    return np.log((jump + eps) / (beside + eps)).mean(axis=0)


def _partner_cut_scores(values: np.ndarray) -> np.ndarray:
    """Per boundary j: how much better columns j and j + 1 join elsewhere than with each other.

    At a cut, the column left of it continues into the first column of its true
    neighbour strip (somewhere else in the image) far better than into the
    column beside it; at a natural boundary nothing continues a column better
    than its own neighbour. This finds cuts through smooth, low-texture areas
    where the jump across the cut alone is lost in the noise. A boundary's own
    join is judged by the better of its two one-sided predictions, so the
    boundary beside a cut (whose two-column prediction on one side crosses the
    cut) does not inherit the cut's error.
    """
    width = values.shape[1]
    columns = np.arange(width)
    if width > _MAX_PAIR_COLUMNS:  # the best local candidates and their neighbours
        keep = np.argsort(-_local_cut_scores(values))[: _MAX_PAIR_COLUMNS // 2]
        columns = np.unique(np.clip(np.concatenate([keep, keep + 1]), 0, width - 1))
    flat, ahead, behind = (m[columns] for m in _column_predictions(values))
    per_value = 1.0 / flat.shape[1]

    def sq(rows: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", rows, rows)

    # pairs[a, b]: mean squared error of column b placed right after column a, both sides predicting
    pairs = sq(ahead)[:, None] + sq(flat)[None, :] - 2.0 * (ahead @ flat.T)
    pairs += sq(behind)[None, :] + sq(flat)[:, None] - 2.0 * (flat @ behind.T)
    pairs = np.maximum(pairs, 0.0) * per_value
    pairs[np.abs(columns[:, None] - columns[None, :] - 1) <= 2] = np.inf  # the column itself or beside it
    best_after = pairs.min(axis=1)
    best_before = pairs.min(axis=0)
    neighbour = np.flatnonzero(np.diff(columns) == 1)  # boundaries whose two columns were both compared
    forward = sq(ahead[neighbour] - flat[neighbour + 1]) * per_value
    backward = sq(behind[neighbour + 1] - flat[neighbour]) * per_value
    own = 2.0 * np.minimum(forward, backward)
    eps = 1e-3 * float(np.median(forward + backward)) + 1e-12  # two near-perfect joins are no evidence
    score = np.full(width - 1, -np.inf)
    other = np.minimum(best_after[neighbour], best_before[neighbour + 1])
    score[columns[neighbour]] = np.log((own + eps) / (other + eps))
    return score


def _robust_z(score: np.ndarray) -> np.ndarray:
    finite = np.isfinite(score)
    centre = np.median(score[finite])
    spread = MAD_TO_SIGMA * np.median(np.abs(score[finite] - centre))
    spread = spread or (np.abs(score[finite] - centre).mean() or 1.0)
    return np.where(finite, (score - centre) / spread, -np.inf)


def cut_scores(image: Any) -> np.ndarray:
    """Evidence for a cut at each of the ``W - 1`` column boundaries, in robust standard deviations.

    The larger of two scores, each measured against the spread of all boundaries:
    a local one (at a cut nearly every row jumps more than beside it; strong on
    textured images) and a partner one (the columns on either side continue some
    other column of the image far better than each other; strong on smooth ones).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 3, 80)
    >>> photo = np.sin(x[None, :] * 3 + np.linspace(0, 2, 40)[:, None])
    >>> shuffled = np.hstack([photo[:, 50:], photo[:, :50]])
    >>> int(np.argmax(cut_scores(shuffled)))    # the boundary between columns 29 and 30
    29
    """
    values = _float_image(image)
    if values.shape[1] < 2:
        return np.zeros(0)
    return np.maximum(_robust_z(_local_cut_scores(values)), _robust_z(_partner_cut_scores(values)))


def find_cuts(image: Any, n_strips: int | None = None) -> np.ndarray:
    """Columns where a strip starts, from the boundary scores of `cut_scores`.

    With `n_strips`, the ``n_strips - 1`` best-scoring boundaries at least 3
    columns apart are the cuts; without, every boundary scoring above 8.

    Returns
    -------
    numpy.ndarray of int
        Start columns of the strips, beginning with 0.

    Examples
    --------
    >>> import numpy as np
    >>> photo = np.add.outer(np.arange(30.0), np.arange(40.0) ** 1.5)
    >>> find_cuts(np.hstack([photo[:, 25:], photo[:, :25]]), n_strips=2).tolist()
    [0, 15]
    """
    values = _float_image(image)
    width = values.shape[1]
    if width < 2:
        return np.array([0])
    z = cut_scores(values)
    chosen: list[int] = []
    want = None if n_strips is None else n_strips - 1
    for j in np.argsort(-z, kind="stable"):
        if want is not None and len(chosen) == want:
            break
        if (want is None and z[j] <= 8) or not np.isfinite(z[j]):
            break
        if all(abs(j - c) > 2 for c in chosen):
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
            near = s[:, -min(4, s.shape[1]) :]
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
                run, rest = path[i : i + length], path[:i] + path[i + length :]
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

    With `n_strips`, cuts are found in two stages: the local jump score alone
    (sharp on textured images), accepted when every cut scores above 8 robust
    sigmas and no join of the result shows a seam; otherwise (smooth,
    low-texture images) the combined score of `cut_scores`, choosing the cuts
    jointly with the ordering: over-segment, order, merge pieces that come
    back as neighbours, and add candidates while fewer than `n_strips` strips
    survive. A `PixelsmithWarning` reports what was measured when the result
    is in doubt: a seam where two strips meet, or an accepted cut below 6
    robust sigmas. Images with large flat areas (binary silhouettes) can be
    ambiguous beyond any score: several orders join equally well.

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
    original = as_image_array(image, "image", ndim=(2, 3), allow_dask=WHOLE_PICTURE)
    values = _float_image(original)
    width = values.shape[1]
    if n_strips is not None:
        n_strips = check_positive_int(n_strips, "n_strips")
        if n_strips > width:
            raise PixelsmithValueError(f"`n_strips` {n_strips} is larger than the image width {width}")
        if n_strips == 1 and cuts is None:
            return Unshuffled(np.array(original), np.array([0]), np.array([0]))
    if cuts is not None:
        starts = np.unique(np.concatenate([[0], np.asarray(cuts, dtype=np.int64)]))
        if starts.min() < 0 or starts.max() >= width:
            raise PixelsmithValueError(f"`cuts` must lie in 0..{width - 1}, got {list(cuts)}")
        return _result(original, values, starts, _order_pieces(values, starts))
    if n_strips is None:
        starts = find_cuts(values)
        starts, order = _merge_neighbours(starts, _order_pieces(values, starts))
        return _result(original, values, starts, order)
    return _unshuffle_n(original, values, n_strips)


def _result(original, values, starts, order, n_strips: int | None = None) -> Unshuffled:
    """The reassembly with its alternatives; a warning when the best order does not clearly win or the image
    is mostly two flat values, and a refusal or a warning when `n_strips` strips were not found."""
    if len(starts) > 1 and _mostly_two_values(values):
        warnings.warn(
            "the image is mostly two flat values (a silhouette or a line drawing): its cuts and joins are "
            "judged on the outline alone, where a spurious cut or a wrong join looks like a right one; check "
            "the result (result.alternatives holds the runners-up)",
            PixelsmithWarning,
            stacklevel=3,
        )
    if n_strips is not None and len(starts) < n_strips:
        if len(starts) == 1:
            raise PixelsmithValueError(
                f"`n_strips` is {n_strips} but no cut was found that an ordering could use: every boundary "
                "candidate joins back to its neighbour as well as anywhere else (a smooth or flat image, or one "
                "that is not shuffled); pass `cuts=` (the start columns of the strips), with which the order "
                "is found"
            )
        warnings.warn(
            f"found {len(starts)} of the {n_strips} strips asked for: pieces that stayed next to their "
            "neighbour in the shuffle have no cut to find, and are returned joined (a weak cut on a smooth "
            "image looks the same); pass `cuts=` to place every strip",
            PixelsmithWarning,
            stacklevel=3,
        )
    if n_strips is not None and len(starts) > n_strips:
        warnings.warn(
            f"found {len(starts)} pieces where {n_strips} strips were asked for: a cut the ordering could not "
            "put back together is in doubt (a flat or binary image has edges that look like cuts); check the "
            "result or pass `cuts=`",
            PixelsmithWarning,
            stacklevel=3,
        )
    alternatives, scores = [np.array(order)], np.zeros(1)
    if 2 < len(starts) <= _EXACT_UP_TO or len(starts) == 2:
        ranked = _ranked_orders(_piece_costs(values, starts))
        others = [(path, value) for path, value in ranked if list(path) != list(order)]
        best = _path_cost(_piece_costs(values, starts), list(order))
        alternatives = [np.array(order)] + [np.array(path) for path, _ in others[: _ALTERNATIVES - 1]]
        scores = np.array([best] + [value for _, value in others[: _ALTERNATIVES - 1]])
        if len(scores) > 1 and scores[1] - scores[0] < _CLEAR_MARGIN:
            warnings.warn(
                f"the order found (join cost {scores[0]:.3f}) does not clearly beat the runner-up "
                f"{alternatives[1].tolist()} (cost {scores[1]:.3f}): several orders join about equally well "
                "(flat areas, a binary silhouette or blank margins carry no evidence); the candidates are in "
                "result.alternatives, best first",
                PixelsmithWarning,
                stacklevel=3,
            )
    image = _reassemble(original, starts, order)
    return Unshuffled(image, np.array(order), starts, alternatives, scores)


def _mostly_two_values(values: np.ndarray) -> bool:
    """Whether nine tenths of the pixels hold one of two values (a binary or posterised image)."""
    sample = values[:: max(1, values.shape[0] // 256), :: max(1, values.shape[1] // 256)].reshape(-1, values.shape[-1])
    _, counts = np.unique(sample, axis=0, return_counts=True)
    return bool(np.sort(counts)[-2:].sum() >= 0.9 * len(sample))


def _piece_costs(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    bounds = list(starts) + [values.shape[1]]
    return strip_dissimilarity([values[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)])


def _ranked_orders(cost: np.ndarray) -> list[tuple[list[int], float]]:
    """The best few orders by total join cost, best first: every order up to 8 strips; beyond, the best
    path and the best paths with one of its joins forbidden (the runner-up differs in at least one)."""
    import itertools

    n = len(cost)
    if n <= _ENUMERATE_UP_TO:
        orders = np.array(list(itertools.permutations(range(n))))
        totals = cost[orders[:, :-1], orders[:, 1:]].sum(axis=1)
        best = np.argsort(totals, kind="stable")[: _ALTERNATIVES + 1]
        return [(orders[k].tolist(), float(totals[k])) for k in best]
    best = _best_path_exact(cost)
    found = {tuple(best): _path_cost(cost, best)}
    for a, b in zip(best[:-1], best[1:], strict=True):
        forbidden = cost.copy()
        forbidden[a, b] = np.inf
        path = _best_path_exact(forbidden)
        if np.isfinite(_path_cost(forbidden, path)):
            found[tuple(path)] = _path_cost(cost, path)
    return sorted(((list(p), v) for p, v in found.items()), key=lambda item: item[1])


def _order_pieces(values: np.ndarray, starts: np.ndarray) -> list[int]:
    bounds = list(starts) + [values.shape[1]]
    strips = [values[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    if len(strips) == 1:
        return [0]
    cost = strip_dissimilarity(strips)
    return _best_path_exact(cost) if len(strips) <= _EXACT_UP_TO else _best_path_heuristic(cost)


def _reassemble(original: np.ndarray, starts: np.ndarray, order: list[int]) -> np.ndarray:
    bounds = list(starts) + [original.shape[1]]
    return np.concatenate([np.asarray(original)[:, bounds[i] : bounds[i + 1]] for i in order], axis=1)


def _merge_neighbours(starts: np.ndarray, order: list[int]) -> tuple[np.ndarray, list[int]]:
    """Pieces that came back next to their input neighbour were one strip: drop the cut between them."""
    joined = {b for a, b in zip(order[:-1], order[1:], strict=True) if b == a + 1}
    keep = [i for i in range(len(starts)) if i not in joined]
    strip_of_piece = np.cumsum([i not in joined for i in range(len(starts))]) - 1
    return starts[keep], [int(strip_of_piece[i]) for i in order if i not in joined]


def _unshuffle_n(original: np.ndarray, values: np.ndarray, n_strips: int) -> Unshuffled:
    """Cuts for a known strip count, in two stages.

    1. The local score alone (sharp on textured images), a few spare candidates,
       order, merge pieces that come back as neighbours. Accepted when it gives
       `n_strips` strips whose cuts all score above `_SURE_CUT`.
    2. Otherwise (smooth, low-texture images) the cuts are chosen jointly with the
       ordering on the combined score (`cut_scores`): over-segment, order, merge,
       and take more candidates while fewer than `n_strips` strips survive.
    """
    local = _robust_z(_local_cut_scores(values))
    spare = min(max(2, n_strips // 2), max(0, (values.shape[1] - 1) // 3 - n_strips))
    first = _try_cuts(values, _separated_candidates(local, min_gap=2), n_strips - 1 + spare)
    if len(first[0]) == 1 or local[first[0][1:] - 1].min() > _SURE_CUT:
        # fewer than n_strips strips here means some stayed neighbours in the shuffle (nothing to find);
        # a missed cut would leave a seam in the result as strong as the cuts that were found
        # a misordered join shows as a seam where two pieces meet; a seam elsewhere is the image's own
        # edge (a missed cut would be weaker than every accepted one, so no whole-image test can see it)
        weakest_first = local[first[0][1:] - 1].min() if len(first[0]) > 1 else np.inf
        joins = _joins(first[0], first[1], values.shape[1])
        if _seam(_reassemble(values, *first), local_only=True, at=joins)[1] < weakest_first:
            return _result(original, values, first[0], first[1], n_strips)
    z = cut_scores(values)
    ranked = _separated_candidates(z, min_gap=3)
    extra = max(2, n_strips // 2)
    while True:
        count = min(len(ranked), n_strips - 1 + extra)
        merged, order = _try_cuts(values, ranked, count)
        if len(merged) >= n_strips or count == len(ranked) or count + 1 >= _EXACT_UP_TO or extra > 3 * n_strips:
            break
        extra += n_strips - len(merged)
    chosen = z[merged[1:] - 1]
    weakest = float(chosen.min()) if len(chosen) else np.inf
    column, seam = _seam(_reassemble(values, merged, order), at=_joins(merged, order, values.shape[1]))
    if seam >= min(weakest, 2 * _CONFIDENT_CUT):
        warnings.warn(
            f"the reassembled image shows a seam where two strips meet (columns {column} and {column + 1}, "
            f"score {seam:.1f} robust sigmas, as strong as the cuts found): the order is likely wrong; "
            "pass `cuts=` if you know them",
            PixelsmithWarning,
            stacklevel=3,
        )
    elif weakest < _CONFIDENT_CUT:
        # (candidates the ordering put back together are the image's own edges, no doubt about the cuts)
        warnings.warn(
            f"weak evidence for the cuts (a smooth or low-texture image): the weakest accepted cut scores "
            f"{weakest:.1f} robust sigmas ({len(merged)} strips found, {n_strips} asked for); check the result "
            "or pass `cuts=`",
            PixelsmithWarning,
            stacklevel=3,
        )
    return _result(original, values, merged, order, n_strips)


def _joins(starts: np.ndarray, order: list[int], width: int) -> np.ndarray:
    """Boundaries (column j between j and j + 1) of the reassembled image where two pieces meet."""
    widths = np.diff(np.append(starts, width))[order]
    return np.cumsum(widths)[:-1] - 1


def _seam(result: np.ndarray, local_only: bool = False, at: np.ndarray | None = None) -> tuple[int, float]:
    """The strongest cut evidence left in a reassembled image (a correct one has none): (boundary, score).

    `at` limits the search to those boundaries (the joins between pieces)."""
    if result.shape[1] < 4 or (at is not None and not len(at)):
        return 0, float("-inf")
    scores = _robust_z(_local_cut_scores(result)) if local_only else cut_scores(result)
    if at is not None:
        masked = np.full(scores.shape, -np.inf)
        masked[at] = scores[at]
        scores = masked
    worst = int(np.argmax(scores))
    return worst, float(scores[worst])


def _try_cuts(values: np.ndarray, ranked: list[int], count: int) -> tuple[np.ndarray, list[int]]:
    """Cut at the `count` best boundaries, order the pieces, merge pieces that came back as neighbours."""
    starts = np.array([0] + sorted(int(j) + 1 for j in ranked[:count]))
    return _merge_neighbours(starts, _order_pieces(values, starts))


def _separated_candidates(z: np.ndarray, min_gap: int) -> list[int]:
    """Boundaries by decreasing score, skipping any within `min_gap` - 1 of a better one."""
    taken = np.zeros(len(z) + 2 * min_gap, bool)
    ranked = []
    for j in np.argsort(-z, kind="stable"):
        if not np.isfinite(z[j]):
            break
        if j < 2 or j > len(z) - 3:  # a strip of one or two columns at an edge is the image's border
            continue
        if not taken[j + min_gap]:
            ranked.append(int(j))
            taken[j + 1 : j + 2 * min_gap] = True
    return ranked
