"""Page layout: split a page scan at blank rows into text-line and figure blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, as_image_array, check_positive_int

__all__ = ["Block", "PageLayout", "page_blocks", "ink_mask"]


@dataclass(frozen=True)
class Block:
    """Rows ``top..bottom`` (inclusive) of the page; `kind` is 'text' (one line) or 'figure'."""

    top: int
    bottom: int
    kind: str

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1


@dataclass(frozen=True)
class PageLayout:
    """The blocks of a page, top to bottom, with what was measured on the way.

    Behaves as the list of blocks (``len``, iteration, indexing).

    Attributes
    ----------
    blocks : list of Block
    line_height : float
        Typical text-line height in pixels (NaN without text).
    line_pitch : float
        Typical distance between the tops of consecutive text lines (NaN with fewer than two).
    skew_degrees : float
        The page's skew that was corrected before the rows were profiled.
    """

    blocks: list[Block] = field(default_factory=list)
    line_height: float = float("nan")
    line_pitch: float = float("nan")
    skew_degrees: float = 0.0

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __getitem__(self, index: int) -> Block:
        return self.blocks[index]


def _gray(page: Any) -> np.ndarray:
    from ..color import as_rgb

    arr = as_image_array(page, "page", ndim=(2, 3), allow_dask=False,
                         hint="pass a gray (H, W), RGB or RGBA page image")
    if arr.ndim == 3:
        return as_rgb(arr).mean(axis=-1)
    values = np.asarray(arr, dtype=np.float64)
    if not np.isfinite(values).all():
        raise PixelsmithValueError("`page` contains NaN or inf")
    return values


def ink_mask(page: Any) -> np.ndarray:
    """True where the page has ink: far from the background level, on either side.

    The background is the median (most of a page is paper), so dark-on-light
    and light-on-dark pages both work. A pixel is ink when it differs from the
    background by more than half the strong-ink contrast (99.9th percentile of
    the differences) and by more than 6 robust noise sigmas.
    """
    gray = _gray(page)
    background = float(np.median(gray))
    difference = np.abs(gray - background)
    noise = 1.4826 * float(np.median(difference))
    strong = float(np.percentile(difference, 99.9))
    return difference > max(0.5 * strong, 6 * noise, 1e-12)


def _skew(rows: np.ndarray, cols: np.ndarray, width: int, limit: float = 3.0) -> float:
    """The shear (degrees) that makes the row profile of the ink sharpest (largest sum of squares)."""
    if len(rows) < 50:
        return 0.0
    if len(rows) > 200_000:  # a regular subsample is plenty for a profile
        step = len(rows) // 200_000 + 1
        rows, cols = rows[::step], cols[::step]
    centred = cols - width / 2

    def sharpness(angle: float) -> float:
        shifted = np.rint(rows - np.tan(np.radians(angle)) * centred).astype(np.int64)
        counts = np.bincount(shifted - shifted.min())
        return float(np.dot(counts, counts))

    angles = np.arange(-limit, limit + 1e-9, 0.25)
    best = angles[int(np.argmax([sharpness(a) for a in angles]))]
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.02)
    best = fine[int(np.argmax([sharpness(a) for a in fine]))]
    return float(best) if abs(best) >= 0.05 else 0.0  # below the search resolution: no skew


def _runs(nonblank: np.ndarray) -> list[list[int]]:
    edges = np.diff(np.concatenate([[0], nonblank.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1) - 1
    return [[int(a), int(b)] for a, b in zip(starts, stops, strict=True)]


def _typical_height(blocks: list[list[int]], profile: np.ndarray) -> float:
    """The median height of the blocks that hold real ink (at least a quarter of the median block's).

    Most blocks of a page are text lines: their median is the line height. Dots
    and accents (little ink) are left out; figures are few, so they cannot move it.
    """
    heights = np.array([b - a + 1 for a, b in blocks], dtype=np.float64)
    mass = np.array([profile[a:b + 1].sum() for a, b in blocks], dtype=np.float64)
    return float(np.median(heights[mass >= 0.25 * np.median(mass)]))


def page_blocks(page: Any, *, blank_threshold: int | None = None, min_gap: int = 2,
                figure_min_height: float | None = None) -> PageLayout:
    """Split a page into horizontal blocks at blank rows: one block per text line, one per figure.

    Steps: find the ink (`ink_mask`), estimate and undo a slight skew (up to 3
    degrees, by the sharpest row profile), count ink pixels per row, split at
    blank rows, merge blocks closer than `min_gap` rows, then merge fragments
    (dots of an i, accents, detached descenders: blocks shorter than half a
    line) into the nearest line. The typical line height is the
    median height of the blocks with real ink (not dots); blocks taller than
    `figure_min_height` are figures. A
    figure beside text (text wrapping an illustration) has no blank rows, so
    that whole region comes out as one figure block, while the lines above and
    below stay one per block.

    Parameters
    ----------
    page : array_like
        Gray (H, W), RGB or RGBA; dark-on-light or light-on-dark.
    blank_threshold : int, optional
        Most ink pixels a row may hold and still be blank (scanner specks).
        Default ``max(2, 0.002 * width)``.
    min_gap : int, default 2
        Blocks separated by fewer blank rows than this are one block.
    figure_min_height : float, optional
        Default 2.5 typical line heights.

    Returns
    -------
    PageLayout
        The blocks (rows in the page's coordinates at its centre column), the
        line height, the line pitch and the skew found. A blank page gives no blocks.

    Examples
    --------
    >>> from pixelsmith.datasets import synthetic_page
    >>> sample = synthetic_page(seed=1)
    >>> layout = page_blocks(sample.image)
    >>> [(b.top, b.bottom, b.kind) for b in layout] == sample.blocks
    True
    """
    gray = _gray(page)
    if gray.size == 0:
        raise PixelsmithValueError("`page` is empty")
    height, width = gray.shape
    min_gap = check_positive_int(min_gap, "min_gap", minimum=1)
    threshold = max(2, int(np.ceil(0.002 * width))) if blank_threshold is None else \
        check_positive_int(blank_threshold, "blank_threshold", minimum=0)
    ink = ink_mask(gray)
    rows, cols = np.nonzero(ink)
    if not len(rows):
        return PageLayout()
    skew = _skew(rows, cols, width)
    straight = np.rint(rows - np.tan(np.radians(skew)) * (cols - width / 2)).astype(np.int64)
    offset = min(0, int(straight.min()))
    profile = np.bincount(straight - offset, minlength=height - offset)
    runs = _runs(profile > threshold)
    if not runs:
        return PageLayout(skew_degrees=skew)
    merged = [runs[0]]
    for top, bottom in runs[1:]:
        if top - merged[-1][1] - 1 < min_gap:
            merged[-1][1] = bottom
        else:
            merged.append([top, bottom])
    merged = _merge_fragments(merged, _typical_height(merged, profile))
    tall = figure_min_height if figure_min_height is not None else 2.5 * _typical_height(merged, profile)
    blocks = [Block(a + offset, b + offset, "figure" if b - a + 1 > tall else "text") for a, b in merged]
    text = [b for b in blocks if b.kind == "text"]
    line_height = float(np.median([b.height for b in text])) if text else float("nan")
    pitches = [b2.top - b1.top for b1, b2 in zip(text[:-1], text[1:], strict=True)
               if b2.top - b1.bottom < 2 * line_height]
    pitch = float(np.median(pitches)) if pitches else float("nan")
    return PageLayout(blocks, line_height, pitch, skew)


def _merge_fragments(blocks: list[list[int]], line: float) -> list[list[int]]:
    """Merge blocks shorter than half a line into the nearer neighbour, when that gap is under a line."""
    blocks = [list(b) for b in blocks]
    changed = True
    while changed and len(blocks) > 1:
        changed = False
        for k, (top, bottom) in enumerate(blocks):
            if bottom - top + 1 >= 0.5 * line:
                continue
            gap_up = top - blocks[k - 1][1] - 1 if k > 0 else np.inf
            gap_down = blocks[k + 1][0] - bottom - 1 if k + 1 < len(blocks) else np.inf
            if min(gap_up, gap_down) >= line:
                continue
            if gap_down <= gap_up:
                blocks[k + 1][0] = top
            else:
                blocks[k - 1][1] = bottom
            del blocks[k]
            changed = True
            break
    return blocks
