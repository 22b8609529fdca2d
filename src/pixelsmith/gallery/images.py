"""Gallery sections: gap filling, cross-correlation, stack equalization, colormap inversion and outlines."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._common import Section, _pyplot, _save_figure, _save_panels, timed


def section_fill(out: Path) -> Section:
    from .. import fill_nans
    from ..datasets import blob_holes, jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float64)
    mask = blob_holes(dem.shape, 0.1, radii=(2, 8), seed=5)
    holes = np.where(mask, np.nan, dem)
    filled, timing = timed(lambda: {m: fill_nans(holes, method=m) for m in ("biharmonic", "harmonic", "nearest")})
    rmse = {m: float(np.sqrt(np.mean((f[mask] - dem[mask]) ** 2))) for m, f in filled.items()}
    name = "fill.png"
    _save_panels(
        out / name,
        [
            ("input: DEM with 10 % missing (NaN)", holes, "terrain"),
            ("fill_nans biharmonic", filled["biharmonic"], "terrain"),
            ("error of harmonic (m)", filled["harmonic"] - dem, "coolwarm"),
            ("error of biharmonic (m)", filled["biharmonic"] - dem, "coolwarm"),
        ],
    )
    return Section(
        title="Filling NaN gaps",
        question="My raster has NaN regions; fill them with values from the neighbours.",
        code=(
            "filled = fill_nans(dem, method='biharmonic')   # or 'harmonic', 'nearest', 'gaussian'\n"
            "# CLI: pixelsmith fill dem_with_gaps.tif dem_filled.tif --method harmonic"
        ),
        images=[(name, "holes, biharmonic fill, errors of harmonic and biharmonic")],
        figures={**{f"RMSE {m} (m)": f"{v:.3f}" for m, v in rmse.items()}, **timing.figures("three fills (s)")},
    )


def section_correlation(out: Path) -> Section:
    from .. import best_lag, find_matches, ncc
    from ..datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float64)
    template = dem[120:160, 200:250].copy()
    rng = np.random.default_rng(6)
    scene = dem + rng.normal(0, 5, dem.shape)
    (surface, best), timing = timed(lambda: (ncc(scene, template, crop="same"), find_matches(scene, template)))
    t = np.arange(400)
    y = np.sin(t / 13.0) + 0.5 * rng.normal(size=400)
    x = np.roll(y, 12) + 0.3 * rng.normal(size=400)
    lag, r = best_lag(x, y, max_lag=40)
    name = "correlation.png"
    _save_panels(
        out / name,
        [
            ("scene: DEM + noise", scene, "terrain"),
            ("template (40 x 50 crop)", template, "terrain"),
            ("ncc(scene, template, crop='same')", surface, "RdBu_r"),
        ],
    )
    return Section(
        title="Normalized cross-correlation and template matching",
        question="A fast normalized cross-correlation in N-D, the best match, and R's ccf with its best lag.",
        code=(
            "surface = ncc(scene, template, crop='same')        # Pearson r of every window, FFT-based\n"
            "best = find_matches(scene, template)              # top-left corner, sub-pixel\n"
            "lags, r = ccf(x, y); lag, r_max = best_lag(x, y)  # R's definition\n"
            "# CLI: pixelsmith match scene.tif template.tif --n 5"
        ),
        images=[(name, "scene, template, NCC surface")],
        figures={
            "best match (top-left, true 120, 200)": f"{best.coords[0][0]:.2f}, {best.coords[0][1]:.2f}",
            "score": f"{best.scores[0]:.4f}",
            "best lag of a series shifted by 12": f"{lag} (r = {r:.3f})",
            **timing.figures("ncc + match time (s)"),
        },
    )


def section_equalize(out: Path) -> Section:
    from .. import equalize_hist
    from ..datasets import noisy_stack

    stack = noisy_stack(200, (96, 96))
    rng = np.random.default_rng(8)
    stack = (stack - stack.min()) ** (1 + 2 * rng.random((200, 1, 1)))  # each frame its own contrast
    equalized, timing = timed(lambda: equalize_hist(stack))
    try:  # the anchor is in the [bench] extra
        from skimage.exposure import equalize_hist as sk_equalize

        err_text = f"{float(np.abs(equalized[:20] - np.stack([sk_equalize(f) for f in stack[:20]])).max()):.1e}"
    except ImportError:
        err_text = "scikit-image not installed"
    name = "equalize.png"
    _save_panels(
        out / name,
        [
            ("frame 0", stack[0], "gray"),
            ("frame 1", stack[1], "gray"),
            ("equalized frame 0", equalized[0], "gray"),
            ("equalized frame 1", equalized[1], "gray"),
        ],
    )
    return Section(
        title="Histogram equalization of a whole stack",
        question="Equalize each of 1800 grayscale images stored as one (1800, 1, 96, 96) array.",
        code="equalized = equalize_hist(stack)   # each image on its own, one vectorized pass\n"
        "# CLI: pixelsmith equalize frames.tif frames_eq.tif",
        images=[(name, "two frames before and after")],
        figures={**timing.figures("200 frames (s)", 4), "max |difference| from skimage per frame": err_text},
    )


def section_colour_and_outlines(out: Path) -> Section:
    from matplotlib import colormaps

    from .. import invert_colormap, outline_paths, plot_outline
    from ..datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float64)
    lo, hi = float(dem.min()), float(dem.max())
    shot = np.rint(colormaps["jet"]((dem - lo) / (hi - lo))[..., :3] * 255).astype(np.uint8)
    shot[:12] = 255  # a white title band
    shot[150:154, 40:200] = 0  # black "text"
    back, timing = timed(lambda: invert_colormap(shot, "jet", vmin=lo, vmax=hi))
    valid = np.isfinite(back)
    err = float(np.max(np.abs(back[valid] - dem[valid])))
    labels = np.digitize(dem, [450, 650, 850])
    paths = outline_paths(labels, 2)

    plt = _pyplot()

    name = "colour_outline.png"
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
    axes[0].imshow(shot)
    axes[0].set_title("input: jet rendering with a border and text")
    im = axes[1].imshow(back, cmap="terrain")
    axes[1].set_title("invert_colormap -> elevation (NaN blank)")
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    axes[2].imshow(dem, cmap="gray")
    plot_outline(axes[2], labels, 2, color="orange", linewidth=1)
    axes[2].set_title("outline of 650-850 m over the DEM")
    _save_figure(fig, out / name)
    return Section(
        title="Colormap inversion and region outlines",
        question="Get the scalar values back from a jet-coloured image; outline a labelled region, not each pixel.",
        code=(
            "values = invert_colormap(shot, 'jet', vmin=lo, vmax=hi)   # off-colormap pixels -> NaN\n"
            "plot_outline(ax, labels, 2, color='orange')              # after ax.imshow(...)\n"
            "# CLI: pixelsmith uncolor shot.png --cmap jet --vmin -20 --vmax 120 --out temps.csv\n"
            "#      pixelsmith outline labels.npy outline.png --value 2 --over dem.tif"
        ),
        images=[(name, "rendered image, recovered values, outlines")],
        figures={
            "max error (m) / one colormap step (m)": f"{err:.2f} / {(hi - lo) / 256:.2f}",
            "pixels marked not-data (border + text)": f"{int((~valid).sum())}",
            "outline paths (outer + holes)": f"{len(paths)}",
            **timing.figures("inversion time (s)"),
        },
    )
