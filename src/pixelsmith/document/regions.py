"""Page layout in two dimensions: columns, paragraphs, headings and figures in reading order (XY-cut).

`page_blocks` splits a page at blank rows only, so two columns whose lines do
not line up come back as one tall block. `page_regions` cuts recursively: a
region is split at its widest run of blank columns (a gutter) or of blank rows
(between paragraphs, around figures), whichever stands out more against what
is expected of it, until no such run is left (the XY-cut of Nagy and Seth,
1984). The order of the cuts is the reading order: top to bottom, and left
column before right. Each leaf is told text from figure by its line
structure: text is rows of ink separated by blank rows, each line broken by
blank columns between letters and words; a large heading is one such line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._runs import true_runs
from .._validate import WHOLE_PICTURE, PixelsmithValueError, check_finite_scalar
from .._xarray import labelled
from .layout import _contrast, _contrast_of_gray, _gray, _thresholds, _tone_mask

__all__ = ["Region", "PageRegions", "page_regions", "deskew", "skew_angle", "plot_blocks"]


@dataclass(frozen=True)
class Region:
    """A rectangle of the page: rows ``top..bottom`` and columns ``left..right`` (inclusive).

    Attributes
    ----------
    top, bottom, left, right : int
        The region's ink bounds.
    kind : {'text', 'figure'}
        Lines of text (a paragraph, a column, a heading) or a figure (photo, drawing).
    lines : int
        Text lines in the region (0 for a figure).
    line_height : float
        The median height of its lines in pixels (NaN for a figure): a heading's is larger.
    """

    top: int
    bottom: int
    left: int
    right: int
    kind: str
    lines: int = 0
    line_height: float = float("nan")

    @property
    def slices(self) -> tuple[slice, slice]:
        """``page[region.slices]`` is the region."""
        return slice(self.top, self.bottom + 1), slice(self.left, self.right + 1)


@dataclass(frozen=True)
class PageRegions:
    """The regions of a page in reading order, with the body text's line height.

    Behaves as the list of regions (``len``, iteration, indexing).

    Attributes
    ----------
    regions : list of Region
        Top to bottom within a column, columns left to right.
    line_height : float
        The body text's line height in pixels (NaN on a page without text).
    """

    regions: list[Region] = field(default_factory=list)
    line_height: float = float("nan")

    def __len__(self) -> int:
        return len(self.regions)

    def __iter__(self) -> Iterator[Region]:
        return iter(self.regions)

    def __getitem__(self, index: int) -> Region:
        return self.regions[index]


def page_regions(page: Any, *, column_gap: float | None = None, paragraph_gap: float | None = None) -> PageRegions:
    """The text and figure regions of a page, in reading order: columns found by their gutters.

    Parameters
    ----------
    page : array_like
        Gray (H, W), RGB or RGBA; dark-on-light or light-on-dark. Deskew a
        tilted scan first (`deskew`): the cuts are along rows and columns.
    column_gap : float, optional
        Narrowest gutter (blank columns) that separates columns. Default: 0.6
        body line heights (a word space is a fifth to a third of one).
    paragraph_gap : float, optional
        Fewest blank rows that separate regions above one another. Default:
        twice the usual blank gap between lines (so lines of one paragraph
        stay together), at least a third of a line height. A figure (ink
        taller than 2.5 lines without a blank row) is cut from the lines
        above and below it at any blank row.

    Returns
    -------
    PageRegions
        `Region` rectangles (top, bottom, left, right, kind, lines,
        line_height) in reading order, and the body line height.

    Examples
    --------
    >>> from pixelsmith.datasets import two_column_page
    >>> page, truth = two_column_page(seed=1)
    >>> found = page_regions(page)
    >>> [(r.kind, r.left < page.shape[1] // 2) for r in found][:5]
    [('text', True), ('text', True), ('text', True), ('figure', True), ('text', True)]
    """
    gray = _gray(page)
    if gray.size == 0:
        raise PixelsmithValueError("`page` is empty")
    contrast, level = _contrast_of_gray(gray, with_level=True)
    ink_level, tone_level, strong, noise = _thresholds(contrast)
    if strong < max(8 * noise, 0.04):  # nothing stands out from the paper
        return PageRegions()
    ink = _without_specks(contrast > ink_level)
    speck = 0  # specks are removed above: any ink left makes a row or column inky
    line = _body_line_height(ink, speck)
    if not np.isfinite(line):
        return PageRegions()
    column_gap = 0.6 * line if column_gap is None else _positive(column_gap, "column_gap")
    leaves: list[tuple[int, int, int, int]] = []
    _cut(ink, (0, ink.shape[0], 0, ink.shape[1]), line, column_gap, paragraph_gap, speck, leaves)
    regions = [_describe(ink, leaf, line, speck) for leaf in leaves]
    regions = _grow_figures(regions, _tone_mask(contrast, level, tone_level, strong, noise))
    return PageRegions(regions, line)


def _grow_figures(regions: list[Region], tone: np.ndarray) -> list[Region]:
    """A figure is everything that differs from the paper, not only its dark ink: each grows up and
    down through the rows toned across most of its width (a pale sky, a light fill), up to the
    region above or below it."""
    grown = []
    for region in regions:
        if region.kind != "figure":
            grown.append(region)
            continue
        columns = slice(region.left, region.right + 1)
        beside = [r for r in regions if r is not region and r.left <= region.right and r.right >= region.left]
        ceiling = max((r.bottom + 1 for r in beside if r.bottom < region.top), default=0)
        floor = min((r.top - 1 for r in beside if r.top > region.bottom), default=tone.shape[0] - 1)
        top, bottom = region.top, region.bottom
        while top > ceiling and tone[top - 1, columns].mean() >= _TONED:
            top -= 1
        while bottom < floor and tone[bottom + 1, columns].mean() >= _TONED:
            bottom += 1
        grown.append(dataclasses.replace(region, top=top, bottom=bottom))
    return grown


_TONED = 0.5  # of a figure's width: a row toned this much belongs to the figure


def _positive(value: Any, name: str) -> float:
    value = check_finite_scalar(value, name)
    if value <= 0:
        raise PixelsmithValueError(f"`{name}` must be > 0 pixels, got {value}")
    return value


def _without_specks(ink: np.ndarray) -> np.ndarray:
    """Ink without isolated specks of one to three pixels (scanner noise; the dot of an i is larger)."""
    from scipy import ndimage

    labels, count = ndimage.label(ink, structure=np.ones((3, 3), bool))
    if not count:
        return ink
    sizes = np.bincount(labels.ravel())
    keep = sizes >= 4
    keep[0] = False
    return keep[labels]


def _row_runs(ink: np.ndarray, speck: int) -> list[tuple[int, int]]:
    """(start, stop) of the runs of inky rows."""
    return [tuple(r) for r in true_runs(ink.sum(axis=1) > speck).tolist()]


def _body_line_height(ink: np.ndarray, speck: int) -> float:
    """The usual text-line height, from the row runs of eight vertical strips (each within one column of
    a multi-column page): the median of the runs holding real ink (not dots, not figures' few)."""
    heights, masses = [], []
    for strip in np.array_split(ink, 8, axis=1):
        if strip.shape[1] == 0:
            continue
        for start, stop in _row_runs(strip, max(1, speck // 4)):
            heights.append(stop - start)
            masses.append(int(strip[start:stop].sum()))
    if not heights:
        return float("nan")
    heights_a, masses_a = np.array(heights, float), np.array(masses, float)
    return float(np.median(heights_a[masses_a >= 0.25 * np.median(masses_a)]))


def _cut(ink, box, line, column_gap, paragraph_gap, speck, leaves) -> None:
    """XY-cut `box` = (top, bottom, left, right), half-open; append its leaves in reading order."""
    top, bottom, left, right = _ink_bounds(ink, box, speck)
    if bottom <= top or right <= left:
        return
    part = ink[top:bottom, left:right]
    rows = true_runs(part.sum(axis=1) <= speck)  # blank rows
    cols = true_runs(part.sum(axis=0) <= speck)  # blank columns, scanner specks allowed
    rows = rows[(rows[:, 0] > 0) & (rows[:, 1] < part.shape[0])] if len(rows) else rows
    cols = cols[(cols[:, 0] > 0) & (cols[:, 1] < part.shape[1])] if len(cols) else cols
    row_limit = paragraph_gap if paragraph_gap is not None else _paragraph_gap(rows, part, speck, line)
    wide_rows = rows[(rows[:, 1] - rows[:, 0] >= row_limit) | _beside_a_figure(rows, part, speck, line)]
    wide_cols = cols[cols[:, 1] - cols[:, 0] >= column_gap] if len(cols) else cols
    # a single line is never cut into columns: its word gaps are blank columns too
    if part.shape[0] < 1.5 * line:
        wide_cols = wide_cols[:0]
    if not len(wide_rows) and not len(wide_cols):
        leaves.append((top, bottom, left, right))
        return
    # the wider gap first (XY-cut's rule): a gutter is wider than paragraph gaps that happen to share rows
    # across two columns (a row cut there would interleave the columns), and the gap under a heading is
    # wider than a word space of the heading that happens to line up with the gutter
    widest_row = int((wide_rows[:, 1] - wide_rows[:, 0]).max()) if len(wide_rows) else 0
    widest_col = int((wide_cols[:, 1] - wide_cols[:, 0]).max()) if len(wide_cols) else 0
    if widest_col > widest_row:
        edges = [0, *[int(c) for gap in wide_cols for c in gap], part.shape[1]]
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            _cut(ink, (top, bottom, left + a, left + b), line, column_gap, paragraph_gap, speck, leaves)
    else:  # one cut, at the widest gap: a heading across both columns is cut off before the columns split
        start, stop = (int(v) for v in wide_rows[int(np.argmax(wide_rows[:, 1] - wide_rows[:, 0]))])
        for a, b in ((0, start), (stop, part.shape[0])):
            _cut(ink, (top + a, top + b, left, right), line, column_gap, paragraph_gap, speck, leaves)


def _beside_a_figure(blank_runs: np.ndarray, part: np.ndarray, speck: int, line: float) -> np.ndarray:
    """Which blank runs border ink taller than 2.5 lines (a figure): cut there, however narrow."""
    if not len(blank_runs):
        return np.zeros(0, bool)
    inky = true_runs(part.sum(axis=1) > speck)
    tall = inky[inky[:, 1] - inky[:, 0] > 2.5 * line]
    edges = set(tall[:, 0].tolist()) | set(tall[:, 1].tolist())
    return np.array([int(stop) in edges or int(start) in edges for start, stop in blank_runs], bool)


def _paragraph_gap(blank_runs: np.ndarray, part: np.ndarray, speck: int, line: float) -> float:
    """Twice the usual blank gap between the region's lines, at least a third of a line height.

    Only gaps between two runs of real line height count: the blank rows between a line and its
    detached dots or accents are narrower than the gaps between lines.
    """
    inky = true_runs(part.sum(axis=1) > speck)
    tall = {int(b) for a, b in inky if b - a >= 0.5 * line}, {int(a) for a, b in inky if b - a >= 0.5 * line}
    between = [stop - start for start, stop in blank_runs.tolist() if start in tall[0] and stop in tall[1]]
    if not between:
        return max(line / 3, 2.0)
    return max(2.0 * float(np.median(between)) + 1, line / 3, 2.0)


def _ink_bounds(ink, box, speck) -> tuple[int, int, int, int]:
    top, bottom, left, right = box
    part = ink[top:bottom, left:right]
    rows = np.flatnonzero(part.sum(axis=1) > 0)
    cols = np.flatnonzero(part.sum(axis=0) > 0)
    if not len(rows) or part.sum() <= speck:
        return top, top, left, left
    return top + int(rows[0]), top + int(rows[-1]) + 1, left + int(cols[0]), left + int(cols[-1]) + 1


def _describe(ink: np.ndarray, leaf: tuple[int, int, int, int], line: float, speck: int) -> Region:
    """Text or figure, by line structure: text lines are rows of ink broken by blank columns."""
    top, bottom, left, right = leaf
    part = ink[top:bottom, left:right]
    runs = _row_runs(part, max(1, speck // 4)) or [(0, part.shape[0])]
    text_rows, heights = 0, []
    for start, stop in runs:
        band = part[start:stop]
        gaps = np.count_nonzero(band.sum(axis=0) == 0) / band.shape[1]  # letter and word spaces
        if stop - start <= 2.5 * line or gaps >= 0.12:
            text_rows += stop - start
            if stop - start >= 0.5 * line:  # dots and accents detached from their line are not lines
                heights.append(stop - start)
    kind = "text" if text_rows >= 0.6 * sum(b - a for a, b in runs) else "figure"
    if kind == "figure":
        return Region(top, bottom - 1, left, right - 1, "figure")
    height = float(np.median(heights)) if heights else float(max(b - a for a, b in runs))
    return Region(top, bottom - 1, left, right - 1, "text", max(len(heights), 1), height)


def skew_angle(page: Any, *, max_degrees: float = 3.0) -> float:
    """The skew of a page's text lines in degrees, as `deskew` undoes it (0 below 0.05 degrees).

    The shear within `max_degrees` that makes the ink's row profile sharpest,
    searched in 0.25 degree steps, then 0.02 (`page_blocks` measures it so too).

    Parameters
    ----------
    page : array_like
        Gray (H, W) or colour (H, W, C).
    max_degrees : float, default 3
        The widest skew searched for.

    Returns
    -------
    float
        Degrees, as `PageLayout.skew_degrees` reports them.

    Examples
    --------
    >>> from pixelsmith.datasets import synthetic_page
    >>> round(skew_angle(synthetic_page((900, 700), seed=3, skew_degrees=1.5).image), 2)
    -1.5
    """
    from .layout import _skew

    limit = _positive(max_degrees, "max_degrees")
    if limit > 45:
        raise PixelsmithValueError(f"`max_degrees` {limit:g} is not a skew; rotate a page on its side first")
    contrast = _contrast(page)
    rows, cols = np.nonzero(contrast > _thresholds(contrast)[0])
    return _skew(rows, cols, contrast.shape[1], limit)


@labelled
def deskew(page: Any, *, angle: float | None = None, max_degrees: float = 3.0) -> np.ndarray:
    """The page rotated so that its text lines run along the rows.

    The skew is measured as `page_blocks` measures it (the shear that makes the
    ink's row profile sharpest, within `max_degrees`) unless `angle` is given;
    the page is rotated about its centre by that angle (scipy.ndimage.rotate,
    linear), the corners filled with the paper's brightness.

    Parameters
    ----------
    page : array_like
        Gray (H, W) or colour (H, W, C).
    angle : float, optional
        The skew in degrees, as `PageLayout.skew_degrees` reports it.
    max_degrees : float, default 3
        The widest skew searched for.

    Returns
    -------
    numpy.ndarray
        The same shape and dtype as `page`.

    Examples
    --------
    >>> from pixelsmith.datasets import synthetic_page
    >>> from pixelsmith.document import page_blocks
    >>> tilted = synthetic_page((900, 700), seed=3, skew_degrees=1.5).image
    >>> round(page_blocks(tilted).skew_degrees, 2), abs(page_blocks(deskew(tilted)).skew_degrees) < 0.1
    (-1.5, True)
    """
    from scipy.ndimage import rotate

    from .._validate import as_image_array

    pixels = as_image_array(
        page, "page", ndim=(2, 3), allow_dask=WHOLE_PICTURE, hint="pass one page scan, gray or colour"
    )
    angle = skew_angle(pixels, max_degrees=max_degrees) if angle is None else check_finite_scalar(angle, "angle")
    if angle == 0:
        return np.array(pixels, copy=True)
    paper = np.median(pixels.reshape(-1, *pixels.shape[2:]), axis=0)  # most of a page is paper, light or dark
    out = np.empty_like(pixels)
    planes = [pixels] if pixels.ndim == 2 else [pixels[..., c] for c in range(pixels.shape[2])]
    fills = [float(paper)] if pixels.ndim == 2 else [float(v) for v in np.atleast_1d(paper)]
    for index, (plane, fill) in enumerate(zip(planes, fills, strict=True)):
        turned = rotate(plane.astype(np.float64), angle, reshape=False, order=1, mode="constant", cval=fill)
        if out.dtype.kind in "ui":
            info = np.iinfo(out.dtype)
            turned = np.clip(np.rint(turned), info.min, info.max)
        if pixels.ndim == 2:
            out[...] = turned
        else:
            out[..., index] = turned
    return out


def plot_blocks(page: Any, layout: Any, ax: Any = None) -> Any:
    """Draw a page with its layout on top: a rectangle per block or region, coloured by kind, numbered
    in reading order (text blue, figures orange).

    Parameters
    ----------
    page : array_like
        The page scan.
    layout : PageRegions or PageLayout
        From `page_regions`, or `page_blocks` (whose blocks span the page's width).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from pixelsmith.datasets import two_column_page
    >>> page, _ = two_column_page(seed=1)
    >>> ax = plot_blocks(page, page_regions(page))
    >>> len(ax.patches)
    10
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .layout import PageLayout

    pixels = _as_display_page(page)
    if isinstance(layout, PageLayout):
        boxes = [(b.top, b.bottom, 0, pixels.shape[1] - 1, b.kind) for b in layout]
    elif isinstance(layout, PageRegions):
        boxes = [(r.top, r.bottom, r.left, r.right, r.kind) for r in layout]
    else:
        raise PixelsmithValueError(
            f"`layout` must be what page_regions or page_blocks returned, got {type(layout).__name__}"
        )
    if ax is None:
        height, width = pixels.shape[:2]
        _, ax = plt.subplots(figsize=(8, 8 * height / max(width, 1)))
    ax.imshow(pixels, cmap="gray" if pixels.ndim == 2 else None)
    colours = {"text": "tab:blue", "figure": "tab:orange"}
    for number, (top, bottom, left, right, kind) in enumerate(boxes, 1):
        colour = colours.get(kind, "tab:green")
        ax.add_patch(
            Rectangle((left - 0.5, top - 0.5), right - left + 1, bottom - top + 1, fill=False, edgecolor=colour, lw=1.5)
        )
        ax.text(left, top, f"{number} {kind}", color="white", fontsize=8, va="bottom",
                bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.5})  # fmt: skip
    ax.set_axis_off()
    return ax


def _as_display_page(page: Any) -> np.ndarray:
    """The page's pixels as matplotlib shows them (gray or RGB(A)), checked."""
    from .._validate import as_image_array

    return np.asarray(
        as_image_array(page, "page", ndim=(2, 3), allow_dask=WHOLE_PICTURE, hint="pass one page scan, gray or colour")
    )
