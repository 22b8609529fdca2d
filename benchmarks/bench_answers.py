"""The seed questions' own one-line answers beside pixelsmith, on the askers' kinds of data (issue 20).

Where the work is the same (a 3 x 3 x 3 mean, masked channel statistics) pixelsmith
should be at least as fast. Where pixelsmith does more (a cluster centre refined by
mean shift instead of a histogram bin; page blocks that survive uneven illumination),
the extra cost is the price of the better answer: the "max error" column shows what
it buys, measured against the known truth.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402


def histogram_peak(points: np.ndarray, bins: int = 100) -> np.ndarray:
    """The common answer: the centre of the fullest bin of a 2-D histogram."""
    counts, row_edges, col_edges = np.histogram2d(points[:, 0], points[:, 1], bins=bins)
    i, j = np.unravel_index(counts.argmax(), counts.shape)
    return np.array([(row_edges[i] + row_edges[i + 1]) / 2, (col_edges[j] + col_edges[j + 1]) / 2])


def row_mean_blocks(page: np.ndarray) -> list[tuple[int, int]]:
    """The common answer: rows whose mean is near white are blank; split there."""
    blank = page.mean(axis=1) > 250
    edges = np.diff(np.concatenate([[1], blank.astype(np.int8), [1]]))
    return list(zip(np.flatnonzero(edges == -1), np.flatnonzero(edges == 1) - 1, strict=True))


def main():
    table = Table("bench_answers")
    table.start()
    rng = np.random.default_rng(0)

    # "3-D local averages": a (1000, 1000, 6) volume, a 3 x 3 x 3 mean
    volume = rng.random((1000, 1000, 6))
    t_ours, ours = best_time(lambda: ps.local_mean(volume, 3), repeat=5)
    t_scipy, theirs = best_time(lambda: ndi.uniform_filter(volume, 3), repeat=5)
    table.add(
        "local_mean 3x3x3",
        "(1000,1000,6) f8",
        t_ours,
        "scipy uniform_filter(x, 3)",
        t_scipy,
        float(np.abs(ours - theirs).max()),
    )

    # "mean colour under a mask": a corn cob on a transparent background
    image = np.zeros((1000, 1000, 3), np.uint8)
    image[200:800, 300:700] = (210, 170, 40)
    image += rng.integers(0, 20, image.shape).astype(np.uint8)
    mask = image.sum(axis=-1) > 100
    t_ours, stats = best_time(lambda: ps.masked_stats(image, mask), repeat=9)
    t_mean, mean = best_time(lambda: image[mask].mean(axis=0), repeat=9)
    t_both, (_, std) = best_time(lambda: (image[mask].mean(axis=0), image[mask].std(axis=0)), repeat=9)
    table.add(
        "masked_stats",
        "1000^2 RGB",
        t_ours,
        "image[mask].mean(axis=0)",
        t_mean,
        float(np.abs(stats.mean - mean).max()),
        note="fancy index: mean only",
    )
    table.add(
        "masked_stats",
        "1000^2 RGB",
        t_ours,
        "image[mask].mean + .std",
        t_both,
        float(np.abs(stats.std - std).max()),
        note="the same work: mean and std",
    )

    # "centre of the most obvious cluster": 3000 points in a cluster, 15000 uniform
    truth = np.array([1.5, -2.0])
    points = np.vstack([rng.normal(truth, 0.3, (3000, 2)), rng.uniform(-5, 5, (15000, 2))])
    t_ours, centre = best_time(lambda: ps.cluster_center(points)[0], repeat=7)
    t_naive, naive = best_time(lambda: histogram_peak(points), repeat=7)
    table.add(
        "cluster_center",
        "18000 points",
        t_ours,
        "histogram2d(bins=100).argmax",
        t_naive,
        float(np.hypot(*(centre - truth))),
        note=f"distance to the true centre; the fullest bin is {np.hypot(*(naive - truth)):.3f} off",
    )

    # "find the images among the text lines": a page photographed with 40 % darkening across it
    sample = ps.datasets.synthetic_page((3000, 2000), seed=0)
    shaded = (sample.image * np.linspace(1.0, 0.6, sample.image.shape[1])).astype(np.uint8)
    t_ours, layout = best_time(lambda: ps.document.page_blocks(shaded))
    t_naive, naive_blocks = best_time(lambda: row_mean_blocks(shaded))
    wrong = sum((b.top, b.bottom, b.kind) != want for b, want in zip(layout, sample.blocks, strict=False))
    wrong += abs(len(layout) - len(sample.blocks))
    truth_rows = {(a, b) for a, b, _ in sample.blocks}
    naive_wrong = len(truth_rows.symmetric_difference({(int(a), int(b)) for a, b in naive_blocks}))
    table.add(
        "page_blocks",
        "3000x2000, 40% shade",
        t_ours,
        "row-mean threshold split",
        t_naive,
        float(wrong),
        note=f"blocks wrong: pixelsmith {wrong} of {len(sample.blocks)}, naive {naive_wrong}",
    )
    table.save()


if __name__ == "__main__":
    main()
