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
    shuffled = np.concatenate([pieces[i] for i in rng.permutation(12)], axis=1)
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
    return Section(
        title="Document scans: page blocks, shuffled strips, curved lines",
        question="Find the figures among the text lines; reassemble shuffled strips; straighten a curved line.",
        code=(
            "layout = page_blocks(page)              # Block(top, bottom, kind) per line / figure\n"
            "restored = unshuffle_strips(shuffled, n_strips=12).image\n"
            "band = straighten(page, order_curve_points(skeleton_pixels), height=50)\n"
            "# CLI: pixelsmith page-blocks page.png --json\n"
            "#      pixelsmith unshuffle shuffled.png restored.png --strips 12\n"
            "#      pixelsmith straighten page.png band.png --curve skeleton.csv --height 50"
        ),
        images=[(name, "page blocks, strips before and after, a bent line straightened")],
        figures={
            "blocks right (within 2 rows) / true": f"{right} / {len(sample.blocks)}",
            **t_layout.figures("page_blocks time (s)", 2),
            "strips restored exactly": str(bool(np.array_equal(restored.image, photo))),
            **t_strips.figures("unshuffle time (s)", 2),
        },
    )


def layout_first_line(page: np.ndarray) -> int:
    from ..document import page_blocks

    first = page_blocks(page)[0]
    return (first.top + first.bottom) // 2


def _grace_hopper() -> np.ndarray:
    import os

    import matplotlib

    from ..io import read_image

    return read_image(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))
