"""Deterministic sample data: generators, and loaders of files that ship with dependencies.

Nothing is downloaded. Tests, benchmarks and the gallery all draw from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DEM",
    "jacksboro_dem",
    "offset_noise",
    "noisy_stack",
    "gaussian_psf",
    "StarField",
    "star_field",
    "smooth_field",
    "blob_holes",
    "SamplePage",
    "synthetic_page",
    "two_column_page",
]


@dataclass(frozen=True)
class DEM:
    """A small digital elevation model in geographic coordinates.

    Attributes
    ----------
    elevation : numpy.ndarray
        Heights in metres, indexed (row, col); row 0 is the northern edge.
    bounds : tuple of float
        ``(west, south, east, north)`` in degrees.
    pixel_size : float
        Pixel size in degrees.
    """

    elevation: np.ndarray
    bounds: tuple[float, float, float, float]
    pixel_size: float


def jacksboro_dem() -> DEM:
    """The Jacksboro fault DEM that ships with matplotlib (344 x 403, int16 metres).

    Returns
    -------
    DEM
        ``elevation`` (int16 metres), ``bounds`` (west, south, east, north in
        degrees) and ``pixel_size`` (degrees).

    Examples
    --------
    >>> from pixelsmith.datasets import jacksboro_dem
    >>> dem = jacksboro_dem()
    >>> dem.elevation.shape
    (344, 403)
    """
    from matplotlib import cbook

    data = cbook.get_sample_data("jacksboro_fault_dem.npz")
    bounds = tuple(float(data[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
    return DEM(np.asarray(data["elevation"]), bounds, float(data["dx"]))


def offset_noise(shape: tuple[int, ...], offset: float = 1e4, *, dtype=np.float32, seed: int = 0) -> np.ndarray:
    """``offset + N(0, 1)`` noise: the case where E[x**2] - E[x]**2 loses its digits.

    Parameters
    ----------
    shape : tuple of int
        The array's shape.
    offset : float, default 1e4
        Added to unit Gaussian noise.
    dtype : numpy dtype, default float32
        Of the result.
    seed : int, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> from pixelsmith.datasets import offset_noise
    >>> offset_noise((2, 3)).dtype
    dtype('float32')
    """
    rng = np.random.default_rng(seed)
    return (offset + rng.standard_normal(shape)).astype(dtype)


def noisy_stack(n_frames: int = 40, shape: tuple[int, int] = (96, 96), *, seed: int = 0) -> np.ndarray:
    """A stack of noisy frames of a moving Gaussian spot, shape ``(n_frames, *shape)``.

    The noise level grows from left to right, so per-pixel variance maps show
    a gradient (a check for streaming statistics).

    Parameters
    ----------
    n_frames : int, default 40
        Frames in the stack.
    shape : (int, int), default (96, 96)
        Rows and columns of a frame.
    seed : int, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray, (n_frames, rows, cols) float32

    Examples
    --------
    >>> from pixelsmith.datasets import noisy_stack
    >>> noisy_stack(5, (8, 8)).shape
    (5, 8, 8)
    """
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[: shape[0], : shape[1]].astype(np.float64)
    frames = np.empty((n_frames,) + tuple(shape))
    sigma_noise = 0.05 + 0.5 * cols / max(shape[1] - 1, 1)
    for t in range(n_frames):
        r0 = shape[0] * (0.3 + 0.4 * t / max(n_frames - 1, 1))
        c0 = shape[1] * 0.5
        spot = np.exp(-((rows - r0) ** 2 + (cols - c0) ** 2) / (2 * (shape[0] / 10) ** 2))
        frames[t] = 10 + 5 * spot + sigma_noise * rng.standard_normal(shape)
    return frames


def gaussian_psf(size: int = 15, sigma: float = 1.5) -> np.ndarray:
    """A normalised (sum 1) circular Gaussian stamp of ``size x size`` centred at ``(size - 1) / 2``.

    Parameters
    ----------
    size : int, default 15
        Side of the stamp in pixels.
    sigma : float, default 1.5
        Gaussian sigma in pixels.

    Returns
    -------
    numpy.ndarray, (size, size) float64

    Examples
    --------
    >>> psf = gaussian_psf(11, 2.0)
    >>> psf.shape, round(float(psf.sum()), 12)
    ((11, 11), 1.0)
    """
    c = (size - 1) / 2
    yy, xx = np.mgrid[:size, :size]
    psf = np.exp(-((yy - c) ** 2 + (xx - c) ** 2) / (2 * sigma**2))
    return psf / psf.sum()


@dataclass(frozen=True)
class StarField:
    """A synthetic star field: the image, the true positions (row, col), fluxes and the noise sigma.

    Attributes
    ----------
    image : numpy.ndarray, float32
        Stars plus noise.
    positions : numpy.ndarray, (N, 2)
        True (row, col) of every star.
    fluxes : numpy.ndarray, (N,)
        Total flux of every star.
    noise : float
        Standard deviation of the noise.
    psf : numpy.ndarray
        The star's stamp (normalised Gaussian).
    """

    image: np.ndarray
    positions: np.ndarray
    fluxes: np.ndarray
    noise: float
    psf: np.ndarray


def star_field(
    shape: tuple[int, int] = (512, 512),
    n_stars: int = 200,
    *,
    sigma: float = 1.5,
    snr: tuple[float, float] = (10.0, 100.0),
    noise: float = 1.0,
    background: float = 0.0,
    min_separation: float = 0.0,
    border: int = 8,
    seed: int = 0,
) -> StarField:
    """Gaussian stars at random sub-pixel positions on Gaussian noise (float32).

    `snr` bounds each star's peak height in units of `noise`; stars keep
    `border` pixels from the edges and, when `min_separation` > 0, that far
    from each other (positions are drawn, then too-close ones are dropped).

    Parameters
    ----------
    shape : (int, int), default (512, 512)
        Rows and columns of the image.
    n_stars : int, default 200
        Stars drawn (fewer remain when `min_separation` drops some).
    sigma : float, default 1.5
        Gaussian sigma of every star in pixels.
    snr : (float, float), default (10, 100)
        Range of peak heights in units of `noise` (uniform).
    noise : float, default 1.0
        Standard deviation of the Gaussian noise.
    background : float, default 0.0
        Added to every pixel.
    min_separation : float, default 0.0
        Minimum distance between stars in pixels.
    border : int, default 8
        Stars keep this many pixels from the edges.
    seed : int, default 0
        Random seed.

    Returns
    -------
    StarField
        ``image`` (float32), ``positions`` ((N, 2) row, col), ``fluxes``, ``noise`` and ``psf``.

    Examples
    --------
    >>> field = star_field((128, 128), 20, seed=1)
    >>> field.image.shape, field.positions.shape[1]
    ((128, 128), 2)
    """
    from .place import add_stamps

    rng = np.random.default_rng(seed)
    positions = rng.uniform(border, np.array(shape) - 1 - border, size=(n_stars, 2))
    if min_separation > 0:
        keep: list[int] = []
        for i, p in enumerate(positions):
            if all(np.hypot(*(p - positions[j])) >= min_separation for j in keep):
                keep.append(i)
        positions = positions[keep]
    size = int(2 * np.ceil(4 * sigma) + 1)
    psf = gaussian_psf(size, sigma)
    peaks = rng.uniform(snr[0], snr[1], size=len(positions)) * noise
    fluxes = peaks / psf.max()
    image = np.full(shape, background, np.float32)
    add_stamps(image, psf, positions, weights=fluxes)
    image += rng.normal(0.0, noise, size=shape).astype(np.float32)
    return StarField(image, positions, fluxes, noise, psf)


def smooth_field(shape: tuple[int, int] = (1024, 1024), *, seed: int = 0) -> np.ndarray:
    """A smooth test surface (sum of Gaussians and sinusoids, values about -2..3), float64.

    Parameters
    ----------
    shape : (int, int), default (1024, 1024)
        Rows and columns.
    seed : int, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray, float64

    Examples
    --------
    >>> smooth_field((64, 64)).shape
    (64, 64)
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[: shape[0], : shape[1]] / max(shape)
    field = np.zeros(shape)
    for _ in range(12):
        cy, cx = rng.uniform(0, 1, 2)
        width = rng.uniform(0.05, 0.2)
        field += rng.uniform(-1, 1) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * width**2))
    for _ in range(4):
        ky, kx = rng.uniform(1, 6, 2)
        field += 0.3 * np.sin(2 * np.pi * (ky * yy + kx * xx) + rng.uniform(0, 2 * np.pi))
    return field


def blob_holes(
    shape: tuple[int, int] = (1024, 1024), fraction: float = 0.1, *, radii: tuple[float, float] = (3, 15), seed: int = 0
) -> np.ndarray:
    """A boolean mask of random disks covering about `fraction` of the pixels (True = missing).

    Parameters
    ----------
    shape : (int, int), default (1024, 1024)
        Rows and columns.
    fraction : float, default 0.1
        Approximate fraction of pixels covered.
    radii : (float, float), default (3, 15)
        Range of disk radii in pixels.
    seed : int, default 0
        Random seed.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> mask = blob_holes((256, 256), 0.1)
    >>> bool(0.09 < mask.mean() < 0.12)
    True
    """
    rng = np.random.default_rng(seed)
    mask = np.zeros(shape, bool)
    r_max = int(np.ceil(radii[1]))
    yy, xx = np.mgrid[-r_max : r_max + 1, -r_max : r_max + 1]
    while mask.mean() < fraction:
        for _ in range(max(1, int(fraction * mask.size / (np.pi * np.mean(radii) ** 2) / 8))):
            r = rng.uniform(*radii)
            cy, cx = rng.integers(r_max, np.array(shape) - r_max)
            disk = yy**2 + xx**2 <= r * r
            mask[cy - r_max : cy + r_max + 1, cx - r_max : cx + r_max + 1] |= disk
    return mask


@dataclass(frozen=True)
class SamplePage:
    """A synthetic page scan and its true layout: blocks as (top, bottom, kind) rows, inclusive.

    Attributes
    ----------
    image : numpy.ndarray, uint8
        The page.
    blocks : list of (int, int, str)
        True ``(top, bottom, kind)`` of every block, top to bottom.
    line_height, line_pitch : float
        Text-line height and pitch in pixels.
    """

    image: np.ndarray
    blocks: list
    line_height: float
    line_pitch: float


def _text_line(
    page: np.ndarray, top: int, left: int, right: int, rng: np.random.Generator, ascenders: bool
) -> tuple[int, int]:
    """Draw one line of word-like marks; returns the rows (first, last) that hold ink.

    x-height 22 px from `top` + 9; ascenders and i-dots reach 9 px above it,
    descenders 9 px below. Lines without ascenders still get dots, separated
    from the letters by blank rows (the fragments `page_blocks` must merge).
    """
    x_top, x_bottom = top + 9, top + 9 + 21
    rows_used = [x_top, x_bottom]
    col = left
    dotted = descended = raised = False
    while col < right - 40:
        for _ in range(rng.integers(2, 8)):
            w = int(rng.integers(8, 17))
            if col + w >= right:
                break
            page[x_top : x_bottom + 1, col : col + w] = 0
            kind = rng.random()
            if (kind < 0.2 or not raised) and ascenders:
                page[top:x_top, col : col + 3] = 0
                raised = True
            elif kind < 0.35 or not dotted:
                page[top : top + 4, col + 2 : col + 6] = 0  # the dot: rows top..top+3, blank until x_top
                dotted = True
            if kind > 0.8 or not descended:
                page[x_bottom + 1 : x_bottom + 10, col + w - 3 : col + w] = 0
                descended = True
            col += w + 3
        col += 14
    rows_used += [top, x_bottom + 9]
    return min(rows_used), max(rows_used)


def synthetic_page(
    shape: tuple[int, int] = (3000, 2000),
    *,
    seed: int = 0,
    noise: float = 0.0,
    skew_degrees: float = 0.0,
    light_on_dark: bool = False,
) -> SamplePage:
    """A page of word-like text lines, full-width figures and a figure with text beside it.

    Text lines are 40 px tall (ascenders, x-height, descenders) on a 48 px
    pitch. `noise` adds that fraction of random dark/light specks; `skew_degrees`
    rotates the page about its centre (the true rows are those at the centre column).

    Parameters
    ----------
    shape : (int, int), default (3000, 2000)
        Rows and columns of the page.
    seed : int, default 0
        Random seed for the words and figures.
    noise : float, default 0.0
        Fraction of pixels turned into random specks.
    skew_degrees : float, default 0.0
        Rotation of the page about its centre.
    light_on_dark : bool, default False
        Light text on dark paper (the page inverted).

    Returns
    -------
    SamplePage
        ``image`` (uint8) and ``blocks``, the true ``(top, bottom, kind)`` of every block.

    Examples
    --------
    >>> sample = synthetic_page((1200, 900), seed=2)
    >>> sample.image.shape, sample.blocks[0][2]
    ((1200, 900), 'text')
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    page = np.full(shape, 255, np.uint8)
    margin = max(40, w // 20)
    blocks = []
    y = margin
    plan = ["text"] * 6 + ["figure"] + ["text"] * 5 + ["wrap"] + ["text"] * 30
    for item in plan:
        if item == "text":
            if y + 40 > h - margin:
                break
            first, last = _text_line(page, y, margin, w - margin, rng, ascenders=rng.random() < 0.6)
            blocks.append((first, last, "text"))
            y += 48
        elif item == "figure":
            fig_h = int(rng.integers(180, 320))
            if y + fig_h > h - margin:
                continue
            y += 20
            page[y : y + fig_h, margin : w - margin] = 200
            page[y : y + fig_h, margin : margin + 4] = 0
            page[y : y + fig_h, w - margin - 4 : w - margin] = 0
            page[y : y + 4, margin : w - margin] = 0
            page[y + fig_h - 4 : y + fig_h, margin : w - margin] = 0
            yy, xx = np.mgrid[: fig_h - 8, : w - 2 * margin - 8]
            pattern = 128 + 100 * np.sin(xx / 23.0) * np.cos(yy / 17.0)
            page[y + 4 : y + fig_h - 4, margin + 4 : w - margin - 4] = pattern.astype(np.uint8)
            blocks.append((y, y + fig_h - 1, "figure"))
            y += fig_h + 28
        else:  # a figure on the left with text lines beside it: one figure block
            n_lines = 5
            fig_h = n_lines * 48 - 8
            if y + fig_h > h - margin:
                continue
            split = margin + (w - 2 * margin) * 2 // 5
            page[y : y + fig_h, margin:split] = 60
            first_row, last_row = y, y + fig_h - 1
            for k in range(n_lines):
                first, last = _text_line(page, y + 48 * k, split + 30, w - margin, rng, ascenders=True)
                first_row, last_row = min(first_row, first), max(last_row, last)
            blocks.append((first_row, last_row, "figure"))
            y += fig_h + 28
    if noise > 0:
        specks = rng.random(shape) < noise
        page[specks] = rng.choice(np.array([0, 255], np.uint8), size=int(specks.sum()))
    if skew_degrees:
        from scipy.ndimage import rotate

        page = rotate(page, skew_degrees, reshape=False, order=1, cval=255, mode="constant")
    if light_on_dark:
        page = 255 - page
    return SamplePage(page, blocks, 40.0, 48.0)


def _heading(page: np.ndarray, top: int, left: int, right: int, rng: np.random.Generator) -> tuple[int, int, int]:
    """A large one-line heading (letters 56 px tall); returns (first row, last row, last column) of its ink."""
    col = left
    for word in range(int(rng.integers(2, 4))):
        for _ in range(rng.integers(3, 7)):
            width = int(rng.integers(20, 34))
            if col + width >= right:
                break
            page[top : top + 56, col : col + width] = 0
            col += width + 8
        col += 28 if word < 3 else 0
    return top, top + 55, col - 37


def two_column_page(shape: tuple[int, int] = (2200, 1700), *, seed: int = 0) -> tuple[Any, list]:
    """A two-column page whose lines do not line up across the columns, with a heading and a figure.

    A large one-line heading spans the top; below it a left column of three
    paragraphs with a figure between the second and third, and a right column
    whose lines sit on another pitch and offset (so no blank row crosses the
    page). For `page_regions`: ``truth`` lists ``(top, bottom, left, right,
    kind)`` of every region in reading order (the heading, the left column's
    paragraphs and figure, the right column's paragraphs).

    Parameters
    ----------
    shape : (int, int), default (2200, 1700)
        Rows and columns of the page, at least (1000, 800).
    seed : int, default 0
        Random seed for the words, paragraph lengths and the figure's height.

    Returns
    -------
    (numpy.ndarray, list)
        The uint8 page and its true regions.

    Examples
    --------
    >>> page, truth = two_column_page(seed=1)
    >>> page.shape, truth[0][4], [kind for *_, kind in truth].count("figure")
    ((2200, 1700), 'text', 1)
    """
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in shape)
    if h < 1000 or w < 800:
        from ._validate import PixelsmithValueError

        raise PixelsmithValueError(f"`shape` must be at least (1000, 800) for two columns of 40 px lines, got {shape}")
    page = np.full((h, w), 255, np.uint8)
    margin = max(60, w // 16)
    gutter = max(60, w // 20)
    middle = w // 2
    truth = []
    first, last, end = _heading(page, margin, margin, w - margin, rng)
    truth.append((first, last, margin, end, "text"))
    body = last + 60

    def paragraph(y: int, left: int, right: int, lines: int, pitch: int) -> int:
        rows, extent = [], []
        for k in range(lines):
            if y + k * pitch + 40 > h - margin:
                break
            top_row, bottom_row = _text_line(page, y + k * pitch, left, right, rng, ascenders=True)
            rows += [top_row, bottom_row]
            ink_cols = np.flatnonzero((page[top_row : bottom_row + 1, left:right] < 128).any(axis=0))
            extent += [left + int(ink_cols[0]), left + int(ink_cols[-1])]
        if rows:
            truth.append((min(rows), max(rows), min(extent), max(extent), "text"))
        return y + lines * pitch + 36

    left_edge, left_right = margin, middle - gutter // 2
    y = body
    for lines in (int(rng.integers(5, 9)), int(rng.integers(4, 7))):
        y = paragraph(y, left_edge, left_right, lines, 48)
    fig_h = min(int(rng.integers(240, 360)), h - margin - y)
    if fig_h >= 120:  # a figure only where it fits
        yy, xx = np.mgrid[:fig_h, : left_right - left_edge]
        pattern = 128 + 100 * np.sin(xx / 19.0) * np.cos(yy / 13.0)
        page[y : y + fig_h, left_edge:left_right] = pattern.astype(np.uint8)
        truth.append((y, y + fig_h - 1, left_edge, left_right - 1, "figure"))
        y += fig_h + 44
        paragraph(y, left_edge, left_right, int(rng.integers(4, 8)), 48)
    y = body + 17  # the right column: another offset and pitch
    right_edge = middle + gutter // 2
    while y + 40 < h - margin:
        y = paragraph(y, right_edge, w - margin, int(rng.integers(5, 10)), 53)
    return page, truth
