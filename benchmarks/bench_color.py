"""Colormap inversion: pixelsmith beside the scipy.cluster.vq recipe and a cKDTree lookup.

A smooth 1000 x 1000 field rendered with viridis and jet (8-bit), with a white
border; then the same jet image saved as a PNG and read back with plt.imread
(float32 RGBA in 0..1, issue 20's asker's input) beside the uint8 path and the
answer's vq recipe on that float input. Errors are in colormap steps (1/256 of the range) over the data pixels;
the anchors give the white border a value, pixelsmith gives NaN.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from scipy.cluster.vq import vq
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table, best_time  # noqa: E402


def main():
    table = Table("bench_color")
    table.start()
    yy, xx = np.mgrid[:1000, :1000] / 1000
    truth = 0.5 + 0.5 * np.sin(6 * xx) * np.cos(4 * yy)
    for name in ("viridis", "jet"):
        cmap = colormaps[name]
        image = np.rint(cmap(truth)[..., :3] * 255).astype(np.uint8)
        image[:10] = 255
        data = slice(10, None)
        gradient = cmap(np.linspace(0, 1, cmap.N))[:, :3]

        def recipe(image=image, gradient=gradient):
            code, _ = vq(image.reshape(-1, 3).astype(np.float64) / 255, gradient)
            return (code / (len(gradient) - 1)).reshape(image.shape[:2])

        def kdtree(image=image, gradient=gradient):
            _, index = cKDTree(gradient).query(image.reshape(-1, 3) / 255.0, workers=2)
            return (index / (len(gradient) - 1)).reshape(image.shape[:2])

        t_ours, ours = best_time(lambda image=image, name=name: ps.invert_colormap(image, name))
        err = float(np.nanmax(np.abs(ours[data] - truth[data])) * cmap.N)
        nan_border = bool(np.isnan(ours[:10]).all())
        for label, func in (("scipy.cluster.vq recipe", recipe), ("cKDTree, 2 threads", kdtree)):
            t_anchor, theirs = best_time(func, repeat=2)
            anchor_err = float(np.abs(theirs[data] - truth[data]).max() * cmap.N)
            table.add(
                "invert_colormap",
                f"1000^2 {name}",
                t_ours,
                label,
                t_anchor,
                err,
                note=f"steps; anchor {anchor_err:.2f} steps; border NaN: {nan_border}",
            )
    _plt_imread_rows(table, truth)
    table.save()


def _plt_imread_rows(table: Table, truth: np.ndarray) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    plt.imsave(buffer, truth, cmap="jet", vmin=0, vmax=1, format="png")
    buffer.seek(0)
    rgba = plt.imread(buffer)  # float32 (1000, 1000, 4) in 0..1
    as_uint8 = np.rint(rgba[..., :3] * 255).astype(np.uint8)
    gradient = colormaps["jet"](np.linspace(0, 1, 256))[:, :3]
    t_float, from_float = best_time(lambda: ps.invert_colormap(rgba, "jet"))
    t_uint8, from_uint8 = best_time(lambda: ps.invert_colormap(as_uint8, "jet"))
    same = float(np.nanmax(np.abs(from_float - from_uint8)))
    table.add(
        "invert_colormap float RGBA",
        "1000^2 plt.imread",
        t_float,
        "pixelsmith on the uint8 image",
        t_uint8,
        same,
        note="max |float - uint8| (0 = same answer); ratio < 1 = float slower",
    )

    def recipe():
        code, _ = vq(rgba[..., :3].reshape(-1, 3).astype(np.float64), gradient)
        return (code / 255).reshape(rgba.shape[:2])

    t_vq, theirs = best_time(recipe, repeat=2)
    err = float(np.nanmax(np.abs(from_float - truth)) * 256)
    table.add(
        "invert_colormap float RGBA",
        "1000^2 plt.imread",
        t_float,
        "vq recipe on the float RGBA",
        t_vq,
        err,
        note=f"steps; anchor {float(np.abs(theirs - truth).max() * 256):.2f} steps",
    )


if __name__ == "__main__":
    main()
