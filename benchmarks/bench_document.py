"""Document helpers: time and quality on page-sized inputs, beside the naive answers.

- page_blocks on a 3000 x 2000 synthetic page (exact blocks known) vs the naive
  "split where the row mean is brighter than a threshold" answer.
- unshuffle_strips on a 2000-px-wide photograph cut into 24 strips vs a greedy
  chain by plain pixel difference of the edge columns.
- straighten of a 1200-px curved line, 60 px band.
The error column counts wrong blocks / misplaced strips / band RMSE (0..255).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from skimage import data, transform

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402


def naive_blocks(page):
    """The common answer: rows whose mean is near white are blank; split there."""
    blank = page.mean(axis=1) > 250
    edges = np.diff(np.concatenate([[1], blank.astype(int), [1]]))
    return list(zip(np.flatnonzero(edges == -1), np.flatnonzero(edges == 1) - 1, strict=True))


def naive_unshuffle(image, starts):
    """Greedy: start anywhere, always append the strip whose left column differs least."""
    bounds = list(starts) + [image.shape[1]]
    strips = [image[:, a:b].astype(float) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    order, free = [0], set(range(1, len(strips)))
    while free:
        nxt = min(free, key=lambda j: np.abs(strips[order[-1]][:, -1] - strips[j][:, 0]).mean())
        order.append(nxt)
        free.remove(nxt)
    return order


def main():
    table = Table("bench_document")
    table.start()
    sample = ps.datasets.synthetic_page((3000, 2000), seed=0, noise=1e-4)
    # the same page evenly lit, and darkening by 40 % from left to right (a phone photo): the
    # flat-fielding that page_blocks pays for is what keeps the second row right
    shaded = (sample.image * np.linspace(1.0, 0.6, sample.image.shape[1])).astype(np.uint8)
    for size, page in (("3000x2000 page", sample.image), ("3000x2000, 40% shade", shaded)):
        t_ours, layout = best_time(lambda page=page: ps.document.page_blocks(page))
        wrong = sum(
            1 for got, want in zip(layout, sample.blocks, strict=False) if (got.top, got.bottom, got.kind) != want
        ) + abs(len(layout) - len(sample.blocks))
        t_naive, naive = best_time(lambda page=page: naive_blocks(page))
        truth = {(a, b) for a, b, _ in sample.blocks}
        naive_wrong = len(truth.symmetric_difference({(int(a), int(b)) for a, b in naive}))
        table.add(
            "page_blocks",
            size,
            t_ours,
            "row-mean threshold split",
            t_naive,
            float(wrong),
            note=f"blocks wrong: pixelsmith {wrong} of {len(sample.blocks)}, naive {naive_wrong} "
            f"({len(naive)} blocks found)",
        )

    photo = (transform.resize(data.astronaut(), (1500, 2000), order=1) * 255).round().astype(np.uint8)
    from test_document import cut_and_shuffle

    shuffled, order, starts = cut_and_shuffle(photo, 24, 0)
    t_ours, result = best_time(lambda: ps.document.unshuffle_strips(shuffled, n_strips=24), repeat=1)
    exact = bool(np.array_equal(result.image, photo))
    t_given, given = best_time(lambda: ps.document.unshuffle_strips(shuffled, cuts=starts), repeat=1)
    t_naive, naive = best_time(lambda: naive_unshuffle(shuffled, starts), repeat=1)
    naive_right = sum(1 for a, b in zip(naive[:-1], naive[1:], strict=True) if order[b] == order[a] + 1)
    table.add(
        "unshuffle_strips (find cuts)",
        "2000 px, 24 strips",
        t_ours,
        "greedy pixel difference",
        t_naive,
        0.0 if exact else float("nan"),
        note=f"exact: {exact}; cuts given: {t_given:.2f} s; greedy keeps {naive_right}/23 joins right",
    )

    from test_document import bent_page

    page, bent, curve, centre = bent_page(8.0, 300.0)
    t_ours, band = best_time(lambda: ps.document.straighten(bent, np.rint(curve), height=60))
    original = page[centre - 30 : centre + 30, 40 : 40 + band.shape[1]]
    rows = min(len(original), len(band))
    rmse = float(np.sqrt(np.mean((band[:rows, : original.shape[1]] - original[:rows]) ** 2)))
    unbent = bent[centre + 10 : centre + 70, 40 : 40 + band.shape[1]]
    table.add(
        "straighten",
        f"{band.shape[1]} px line, h=60",
        t_ours,
        "no straightening (crop)",
        0.0,
        rmse,
        note=f"RMSE of the crop {float(np.sqrt(np.mean((unbent - original[: len(unbent)]) ** 2))):.1f}",
    )
    table.save()


if __name__ == "__main__":
    main()
