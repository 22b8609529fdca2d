"""Gallery section: page blocks, shuffled strips and a straightened line."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._common import Section, _pyplot, _save_figure, timed


def section_document(out: Path) -> Section:
    plt = _pyplot()

    from ..datasets import synthetic_page
    from ..document import order_curve_points, page_blocks, straighten, unshuffle_strips

    sample = synthetic_page((1400, 1000), seed=2, noise=1e-4, skew_degrees=0.5)
    layout, t_layout = timed(lambda: page_blocks(sample.image))

    photo = _grace_hopper()
    rng = np.random.default_rng(3)
    # 12 strips of random widths, none narrower than 16 columns (a shredder's strips, not 1-pixel slivers)
    widths = 16 + np.floor(rng.dirichlet(np.ones(12)) * (photo.shape[1] - 12 * 16)).astype(int)
    widths[-1] += photo.shape[1] - widths.sum()
    bounds = np.r_[0, np.cumsum(widths)]
    pieces = [photo[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    shuffle = rng.permutation(12)
    while np.any(np.diff(shuffle) == 1):  # no strip left beside its neighbour: every cut is there to find
        shuffle = rng.permutation(12)
    shuffled = np.concatenate([pieces[i] for i in shuffle], axis=1)
    restored, t_strips = timed(lambda: unshuffle_strips(shuffled, n_strips=12))

    page = synthetic_page((300, 700), seed=4).image.astype(np.float64)
    rows, cols = np.mgrid[: page.shape[0] + 60, : page.shape[1]].astype(float)
    bend = 10 * np.sin(2 * np.pi * cols / 350)
    from scipy.ndimage import map_coordinates

    bent = map_coordinates(page, [rows - 30 - bend, cols], order=1, cval=255)
    first = layout_first_line(page)
    line_cols = np.arange(40, 660)
    skeleton = np.column_stack([np.rint(first + 30 + 10 * np.sin(2 * np.pi * line_cols / 350)), line_cols])
    band = straighten(bent, order_curve_points(rng.permutation(skeleton)), height=50)

    name = "document.png"
    fig = plt.figure(figsize=(14, 8))
    grid = fig.add_gridspec(2, 3)
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(sample.image, cmap="gray")
    for b in layout:
        ax.axhspan(b.top, b.bottom, color="tab:orange" if b.kind == "figure" else "tab:blue", alpha=0.3)
    ax.set_title(f"page_blocks: {len(layout)} blocks (skew {layout.skew_degrees:.2f} deg)")
    ax = fig.add_subplot(grid[0, 1])
    ax.imshow(shuffled)
    ax.set_title("12 shuffled strips")
    ax = fig.add_subplot(grid[0, 2])
    ax.imshow(restored.image)
    ax.set_title("unshuffle_strips")
    ax = fig.add_subplot(grid[1, 1])
    ax.imshow(bent[: first + 110], cmap="gray")
    ax.plot(skeleton[:, 1], skeleton[:, 0], "r-", linewidth=1)
    ax.set_title("a bent text line and its skeleton")
    ax = fig.add_subplot(grid[1, 2])
    ax.imshow(band, cmap="gray")
    ax.set_title("straighten(..., height=50)")
    _save_figure(fig, out / name, dpi=80)
    right = sum(
        1
        for got, want in zip(layout, sample.blocks, strict=False)
        if abs(got.top - want[0]) <= 2 and abs(got.bottom - want[1]) <= 2 and got.kind == want[2]
    )
    columns, regions, t_regions, warned, horse_result = _columns_and_a_silhouette(out, plt)
    return Section(
        title="Document scans: page blocks, shuffled strips, curved lines",
        question="Find the figures among the text lines; reassemble shuffled strips; straighten a curved line.",
        code=(
            "layout = page_blocks(page)              # Block(top, bottom, kind) per line / figure\n"
            "restored = unshuffle_strips(shuffled, n_strips=12).image\n"
            "band = straighten(page, order_curve_points(skeleton_pixels), height=50)\n"
            "# CLI: pixelsmith page-blocks page.png --json\n"
            "#      pixelsmith unshuffle shuffled.png restored.png --strips 12\n"
            "#      pixelsmith straighten page.png band.png --curve skeleton.csv --height 50\n"
            "regions = page_regions(page)            # Region(top, bottom, left, right, kind, lines)\n"
            "plot_blocks(page, regions)              # CLI: pixelsmith page-blocks scan.pdf --overlay o.png"
        ),
        images=[
            (name, "page blocks, strips before and after, a bent line straightened"),
            (columns, "two columns in reading order; a silhouette's strips and the orders that fit it"),
        ],
        figures={
            "blocks right (within 2 rows) / true": f"{right} / {len(sample.blocks)}",
            **t_layout.figures("page_blocks time (s)", 2),
            "strips restored exactly": str(bool(np.array_equal(restored.image, photo))),
            **t_strips.figures("unshuffle time (s)", 2),
            "two-column regions found / true": f"{regions}",
            **t_regions.figures("page_regions time (s)", 2),
            "silhouette strips: warning": warned,
            "silhouette: orders offered (best first)": ", ".join(
                f"{a.tolist()} {s:.2f}" for a, s in zip(horse_result.alternatives, horse_result.scores, strict=True)
            ),
        },
    )


def _columns_and_a_silhouette(out: Path, plt):
    """A two-column page with its regions drawn, and a silhouette whose strips several orders fit."""
    import warnings

    from skimage import data

    from ..datasets import two_column_page
    from ..document import page_regions, plot_blocks, unshuffle_strips

    page, truth = two_column_page(seed=1)
    found, t_regions = timed(lambda: page_regions(page))
    right = sum(
        1
        for r, t in zip(found, truth, strict=False)
        if r.kind == t[4]
        and max(abs(a - b) for a, b in zip((r.top, r.bottom, r.left, r.right), t[:4], strict=True)) <= 3
    )
    horse = (~data.horse()).astype(np.uint8) * 255
    bounds = np.linspace(0, horse.shape[1], 5).astype(int)
    pieces = [horse[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    shuffled = np.hstack([pieces[i] for i in (2, 0, 3, 1)])
    cuts = np.cumsum([0] + [pieces[i].shape[1] for i in (2, 0, 3, 1)])[:-1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = unshuffle_strips(shuffled, cuts=cuts)
    said = [str(w.message) for w in caught if "runner-up" in str(w.message)]
    name = "document_regions.png"
    fig = plt.figure(figsize=(14, 8))
    grid = fig.add_gridspec(2, 2, width_ratios=(1.1, 1))
    plot_blocks(page, found, ax=fig.add_subplot(grid[:, 0]))
    fig.axes[0].set_title(f"page_regions: {len(found)} regions in reading order")
    ax = fig.add_subplot(grid[0, 1])
    ax.imshow(shuffled, cmap="gray")
    ax.set_title("a silhouette in 4 shuffled strips")
    ax = fig.add_subplot(grid[1, 1])
    ax.imshow(result.image, cmap="gray")
    ax.set_title(
        f"best order {result.order.tolist()}, cost {result.scores[0]:.2f}: warned, runner-up {result.scores[1]:.2f}"
    )
    _save_figure(fig, out / name, dpi=70)
    warned = said[0][:90] + "..." if said else "none"
    return name, f"{right} / {len(truth)}", t_regions, warned, result


def layout_first_line(page: np.ndarray) -> int:
    from ..document import page_blocks

    first = page_blocks(page)[0]
    return (first.top + first.bottom) // 2


def _grace_hopper() -> np.ndarray:
    import os

    import matplotlib

    from ..io import read_image

    return read_image(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))
