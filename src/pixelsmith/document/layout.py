"""Page layout: split a page scan at blank rows into text-line and figure blocks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._robust import MAD_TO_SIGMA
from .._runs import true_runs
from .._validate import WHOLE_PICTURE, PixelsmithValueError, PixelsmithWarning, as_image_array, check_positive_int
from .._xarray import labelled

__all__ = ["Block", "PageLayout", "page_blocks", "ink_mask", "paper_level"]


@dataclass(frozen=True)
class Block:
    """Rows ``top..bottom`` (inclusive) of the page; `kind` is 'text' (one line) or 'figure'.

    Attributes
    ----------
    top, bottom : int
        First and last row of the block (inclusive); `stop` is ``bottom + 1``.
    kind : {'text', 'figure'}
        One text line, or a figure (photo, drawing, table).
    """

    top: int
    bottom: int
    kind: str

    @property
    def height(self) -> int:
        """Rows in the block."""
        return self.bottom - self.top + 1

    @property
    def stop(self) -> int:
        """One past `bottom`, for slicing: ``page[block.top:block.stop]``."""
        return self.bottom + 1


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

    arr = as_image_array(
        page,
        "page",
        ndim=(2, 3),
        allow_dask=WHOLE_PICTURE,
        hint="pass a gray (H, W), RGB or RGBA page image",
    )
    if arr.ndim == 3:
        return as_rgb(arr).mean(axis=-1)
    if arr.dtype.kind in "iu":  # gray levels as they are: `_light_paper` makes float32 of them, the same
        return np.asarray(arr)  # values as through float64, without a page-sized float64 copy
    values = np.asarray(arr, dtype=np.float64)
    if not np.isfinite(values).all():
        raise PixelsmithValueError("`page` contains NaN or inf")
    return values


_GRID_CELLS = 48  # paper-level cells along the page's shorter side
_PAPER_PERCENTILE = 90  # of a cell: paper, as long as a tenth of the cell is paper
_TONE_FRACTION = 0.1  # of the strong-ink contrast: a figure's light tones (sky, pale fills) still count
_NOT_PAPER = 0.1  # a cell this much darker than the paper's envelope is not paper
_TONE_SMOOTHING_MAX = 31  # widest box averaged to find light tones under noise
_SURFACE_DEGREE = 5  # of the illumination surface: gradients, vignettes, a gutter at one edge
_SKEW_SAMPLES = 50_000  # ink pixels used to find the skew (a regular subsample)


def _light_paper(gray: np.ndarray) -> np.ndarray:
    """The page with light paper: a dark page (light-on-dark) is flipped, as float32."""
    sample = gray[::4, ::4]
    lo, median, hi = np.percentile(sample, [0.1, 50, 99.9])
    values = gray.astype(np.float32)
    return (np.float32(hi + lo) - values) if median < 0.5 * (lo + hi) else values


def _hat_weights(n: int, cell: float, cells: int) -> np.ndarray:
    """(n, cells) linear-interpolation weights from cell centres to pixel positions.

    Beyond the outer cell centres (half a cell) the line through the last two is extended.
    """
    position = (np.arange(n) + 0.5) / cell - 0.5
    left = np.clip(np.floor(position).astype(np.int64), 0, max(cells - 2, 0))
    frac = position - left
    weights = np.zeros((n, cells), np.float32)
    weights[np.arange(n), left] = 1 - frac
    if cells > 1:
        weights[np.arange(n), left + 1] += frac
    return weights


@labelled
def paper_level(page: Any) -> np.ndarray:
    """The paper's brightness at every pixel: the page's illumination, for flat-fielding.

    The page is cut into square cells (48 along its shorter side); a cell's paper level is
    its 90th percentile (of every other row and column) (paper, wherever a tenth of the cell is paper). Cells much
    darker than a smooth robust fit of all cells (figures, dark photos) are not
    paper; their level is filled from the paper cells around them (harmonic
    fill), and the grid is interpolated bilinearly to every pixel. A dark page
    (light text on dark paper) is flipped first, so the result is the level of
    the flipped page.

    Parameters
    ----------
    page : array_like, (H, W) gray or (H, W, 3|4) colour
        The page scan.

    Returns
    -------
    numpy.ndarray, (H, W)
        The paper's level at every pixel (float32), in the page's units.

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith.datasets import synthetic_page
    >>> page = synthetic_page((600, 400), seed=0).image.astype(float)
    >>> shaded = page * np.linspace(1.0, 0.5, 400)          # darker towards the right
    >>> level = paper_level(shaded)
    >>> bool(np.allclose(level[300, [50, 350]], 255 * np.linspace(1.0, 0.5, 400)[[50, 350]], rtol=0.03))
    True
    """
    return _paper_level(_light_paper(_gray(page)))


def _paper_level(values: np.ndarray) -> np.ndarray:
    """`paper_level` of a page already made light (`_light_paper`), float32."""
    from ..fill import fill_nans

    height, width = values.shape
    sample = values[::2, ::2]  # a quarter of the pixels is plenty for a percentile
    side = max(2, int(round(min(sample.shape) / _GRID_CELLS)))  # cell side in sample pixels
    rows, cols = -(-sample.shape[0] // side), -(-sample.shape[1] // side)
    padded = np.pad(sample, ((0, rows * side - sample.shape[0]), (0, cols * side - sample.shape[1])), mode="edge")
    cells = padded.reshape(rows, side, cols, side).transpose(0, 2, 1, 3).reshape(rows, cols, side * side)
    k = int(round(_PAPER_PERCENTILE / 100 * (side * side - 1)))
    grid = np.partition(cells, k, axis=-1)[..., k].astype(np.float64)
    paper = _paper_cells(grid)
    if not paper.all():
        grid = fill_nans(np.where(paper, grid, np.nan), channel_axis=None)
    cell = 2.0 * side  # in page pixels
    level = _hat_weights(height, cell, rows) @ grid.astype(np.float32) @ _hat_weights(width, cell, cols).T
    return np.maximum(level, np.float32(1e-6), out=level)


def _paper_cells(grid: np.ndarray, rounds: int = 4) -> np.ndarray:
    """Cells whose level lies on the page's smooth illumination (paper), not below it (figures).

    First guess: paper is the bright part of a page, so cells close to the
    upper envelope (a grey closing over half the page, which bridges any
    figure smaller than that) are paper. Then a cubic surface is fitted to the
    paper cells (smooth illumination: gradients, vignettes) and every cell is
    judged against it again, a few rounds: cells more than `_NOT_PAPER` below
    it are figures or dark photos.
    """
    from ..local import local_max, local_min

    size = tuple(max(3, (n // 2) | 1) for n in grid.shape)
    # a grey closing (scipy.ndimage.grey_closing, the same values: extremes are exact), without importing
    # scipy.ndimage on a first call (0.2-0.4 s)
    closed = local_min(local_max(grid, size, mode="nearest"), size, mode="nearest")
    paper = grid >= (1.0 - _NOT_PAPER) * closed
    if grid.size < 20:
        return paper
    rows, cols = grid.shape
    yy, xx = np.mgrid[:rows, :cols]
    y, x = (yy.ravel() / max(rows - 1, 1)) * 2 - 1, (xx.ravel() / max(cols - 1, 1)) * 2 - 1
    design = np.stack([y**a * x**b for a in range(_SURFACE_DEGREE + 1) for b in range(_SURFACE_DEGREE + 1 - a)], axis=1)
    level = grid.ravel()
    for _ in range(rounds):
        keep = paper.ravel()
        if keep.sum() < 2 * design.shape[1]:
            break
        coef, *_ = np.linalg.lstsq(design[keep], level[keep], rcond=None)
        updated = (level >= (1.0 - _NOT_PAPER) * (design @ coef)).reshape(grid.shape)
        if (updated == paper).all():
            break
        paper = updated
    return paper


def _contrast(page: Any) -> np.ndarray:
    """(paper - pixel) / paper, at least 0: how much darker than the local paper each pixel is."""
    return _contrast_of_gray(_gray(page))


def _contrast_of_gray(gray: np.ndarray, with_level: bool = False) -> Any:
    """`_contrast` of a page `_gray` has made (and checked) already; `with_level` adds the paper level.

    On light paper (a dark page is flipped first) ink and figures are darker
    than the paper; a pixel brighter than the estimated level is paper.
    The level is what `_tone_mask` needs.
    """
    values = _light_paper(gray)
    level = _paper_level(values)  # not paper_level(values): the page is light and float32 already
    contrast = np.subtract(level, values, out=values)  # in place: no more page-sized temporaries
    np.maximum(contrast, 0, out=contrast)
    contrast /= level
    return (contrast, level) if with_level else contrast


def _thresholds(contrast: np.ndarray) -> tuple[float, float, float, float]:
    """(ink threshold, tone threshold, strong-ink contrast, noise) measured on the contrast image.

    The noise is measured on differences of neighbouring pixels (sigma * sqrt(2) each, robustly):
    the spread of the contrast itself counts the ink and figures as noise, which on a noisy, shaded
    page raised the thresholds above the text.
    """
    sample = contrast[::2, ::2]
    neighbours = np.abs(np.diff(contrast[::2], axis=1))
    noise = MAD_TO_SIGMA * float(np.median(neighbours)) / np.sqrt(2.0) if neighbours.size else 0.0
    strong = float(np.percentile(sample, 99.9))
    ink = max(0.5 * strong, 6 * noise, 1e-6)
    tone = min(ink, max(_TONE_FRACTION * strong, 6 * noise, 1e-6))
    return ink, tone, strong, noise


def _tone_mask(contrast: np.ndarray, level: np.ndarray, tone_level: float, strong: float, noise: float) -> np.ndarray:
    """Pixels toned like a figure (light tones included): `contrast` above `tone_level`; or, where
    noise puts that level above a tenth of the strong ink, the contrast averaged over k x k pixels
    (noise / k) above a tenth of the strong ink: a pale sky under scanner noise is still a figure.

    Averaged paper is not 0: the paper level is a high percentile of the noisy paper (`paper_level`),
    so paper pixels lie 1.28 sigma below it on average and their clipped contrast averages 1.33
    sigma, sigma being the scanner's noise over the local level (`level`: darker where shaded).
    """
    wanted = _TONE_FRACTION * strong
    if 6 * noise <= wanted:
        return contrast > tone_level
    from scipy.ndimage import uniform_filter

    local_noise = noise * float(np.median(level)) / level  # the noise is additive in gray levels
    # wide enough that the noisiest (darkest) paper averages to well under a tenth of the strong ink
    worst = float(np.percentile(local_noise[::4, ::4], 95))
    k = min(_TONE_SMOOTHING_MAX, int(np.ceil(9 * worst / wanted)) | 1)
    averaged = uniform_filter(contrast, k, mode="nearest") - 1.33 * local_noise
    return averaged > np.maximum(wanted, 6 * local_noise / k)


def ink_mask(page: Any) -> np.ndarray:
    """True where the page has ink: much darker than the local paper (lighter, on a dark page).

    The page is flat-fielded first (`paper_level`: the paper's brightness at
    every pixel), so uneven illumination (a phone photo, a book gutter, a
    vignette) does not hide ink in the darker parts. A pixel is ink when it
    differs from the local paper by more than half the strong-ink contrast
    (99.9th percentile of the contrasts) and by more than 6 robust noise sigmas.
    Dark-on-light and light-on-dark pages both work.

    Parameters
    ----------
    page : array_like, (H, W) gray or (H, W, 3|4) colour
        The page scan.

    Returns
    -------
    numpy.ndarray of bool, (H, W)
        True on ink.

    Examples
    --------
    >>> import numpy as np
    >>> page = np.full((40, 60), 230.0) * np.linspace(1.0, 0.6, 60)   # paper darkening to the right
    >>> page[10:14, 5:55] = 20                                       # one dark bar of ink
    >>> mask = ink_mask(page)
    >>> int(mask.sum()), bool(mask[10:14, 5:55].all())
    (200, True)
    """
    contrast = _contrast(page)
    return contrast > _thresholds(contrast)[0]


def _skew(rows: np.ndarray, cols: np.ndarray, width: int, limit: float = 3.0) -> float:
    """The shear (degrees) that makes the row profile of the ink sharpest (largest sum of squares)."""
    if len(rows) < 50:
        return 0.0
    if len(rows) > _SKEW_SAMPLES:  # a regular subsample is plenty for a profile
        step = len(rows) // _SKEW_SAMPLES + 1
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
    """[first, last] rows (inclusive, as blocks are) of every run of non-blank rows."""
    return [[start, stop - 1] for start, stop in true_runs(nonblank).tolist()]


def _typical_height(blocks: list[list[int]], profile: np.ndarray) -> float:
    """The median height of the blocks that hold real ink (at least a quarter of the median block's).

    Most blocks of a page are text lines: their median is the line height. Dots
    and accents (little ink) are left out; figures are few, so they cannot move it.
    """
    heights = np.array([b - a + 1 for a, b in blocks], dtype=np.float64)
    mass = np.array([profile[a : b + 1].sum() for a, b in blocks], dtype=np.float64)
    return float(np.median(heights[mass >= 0.25 * np.median(mass)]))


def page_blocks(
    page: Any, *, blank_threshold: int | None = None, min_gap: int = 2, figure_min_height: float | None = None
) -> PageLayout:
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
    threshold = (
        max(2, int(np.ceil(0.002 * width)))
        if blank_threshold is None
        else check_positive_int(blank_threshold, "blank_threshold", minimum=0)
    )
    contrast, level = _contrast_of_gray(gray, with_level=True)
    ink_level, tone_level, strong, noise = _thresholds(contrast)
    blank = strong < max(8 * noise, 0.04)  # nothing stands out from the paper
    ink = contrast > ink_level
    rows, cols = np.nonzero(ink)
    if blank or not len(rows):
        return PageLayout()
    skew = _skew(rows, cols, width)
    shift = np.tan(np.radians(skew))

    def row_profile(mask_rows: np.ndarray, mask_cols: np.ndarray, offset: int) -> np.ndarray:
        straight = np.rint(mask_rows - shift * (mask_cols - width / 2)).astype(np.int64) - offset
        return np.bincount(straight[straight >= 0], minlength=height - offset)

    offset = min(0, int(np.floor(-np.abs(shift) * width / 2)))
    profile = row_profile(rows, cols, offset)
    merged = _merge_gaps(_runs(profile > threshold), min_gap)
    tone_rows, tone_cols = np.nonzero(_tone_mask(contrast, level, tone_level, strong, noise))
    tone_runs = _merge_gaps(_runs(row_profile(tone_rows, tone_cols, offset)[: len(profile)] > threshold), min_gap)
    if not merged and not tone_runs:
        _warn_empty(strong, noise, ink_level)
        return PageLayout(skew_degrees=skew)
    line = _typical_height(merged, profile) if merged else np.inf
    merged = _merge_fragments(merged, line) if merged else merged
    if merged:
        line = _typical_height(merged, profile)
    tall = figure_min_height if figure_min_height is not None else 2.5 * line
    spans = [[a, b, "figure" if b - a + 1 > tall else "text"] for a, b in merged]
    spans = _extend_figures(spans, tone_runs, tall, min_gap)
    blocks = [Block(a + offset, b + offset, kind) for a, b, kind in spans]
    text = [b for b in blocks if b.kind == "text"]
    line_height = float(np.median([b.height for b in text])) if text else float("nan")
    pitches = [
        b2.top - b1.top for b1, b2 in zip(text[:-1], text[1:], strict=True) if b2.top - b1.bottom < 2 * line_height
    ]
    pitch = float(np.median(pitches)) if pitches else float("nan")
    return PageLayout(blocks, line_height, pitch, skew)


def _merge_gaps(runs: list[list[int]], min_gap: int) -> list[list[int]]:
    """Join runs separated by fewer than `min_gap` blank rows."""
    if not runs:
        return []
    merged = [list(runs[0])]
    for top, bottom in runs[1:]:
        if top - merged[-1][1] - 1 < min_gap:
            merged[-1][1] = bottom
        else:
            merged.append([top, bottom])
    return merged


def _extend_figures(spans: list[list], tone_runs: list[list[int]], tall: float, min_gap: int) -> list[list]:
    """A figure is everything that differs from the paper, not only its dark ink.

    Each figure grows to the run of toned rows (light tones included: a pale
    sky, a light fill) that holds it, never into a neighbouring block; a toned
    run taller than a figure that holds no block at all is a figure of its own.
    """
    spans = sorted(spans, key=lambda s: s[0])
    for top, bottom in tone_runs:
        inside = [k for k, (a, b, _) in enumerate(spans) if a <= bottom and b >= top]
        if not inside:
            if bottom - top + 1 > tall:
                spans.append([top, bottom, "figure"])
                spans.sort(key=lambda s: s[0])
            continue
        if any(spans[k][2] == "figure" for k in inside) and len(inside) > 1:
            # one toned area holds a figure and other ink (the darker parts of a noisy photo, read
            # as lines): all of it is the figure
            first, last = inside[0], inside[-1]
            spans[first : last + 1] = [[spans[first][0], max(spans[k][1] for k in inside), "figure"]]
            inside = [first]
        for k in inside:
            if spans[k][2] != "figure":
                continue
            above = spans[k - 1][1] + min_gap + 1 if k > 0 else top
            below = spans[k + 1][0] - min_gap - 1 if k + 1 < len(spans) else bottom
            spans[k][0] = min(spans[k][0], max(top, above))
            spans[k][1] = max(spans[k][1], min(bottom, below))
    return spans


def _warn_empty(strong: float, noise: float, ink_level: float) -> None:
    warnings.warn(
        f"`page` is not blank (its strongest marks differ from the paper by {strong:.3f} of the paper level, "
        f"noise {noise:.4f}) but no row holds enough ink above the threshold {ink_level:.3f}; pass "
        "`blank_threshold=` lower, or check that the page is a gray/RGB scan",
        PixelsmithWarning,
        stacklevel=3,
    )


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
