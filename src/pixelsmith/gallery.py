"""Render each capability on sample data into an HTML page with PNGs (`make demo`).

Run ``python -m pixelsmith.gallery --out build/gallery``; it prints the path of
``index.html``. Sections are small functions that return a `Section`; the page
shows the inputs and outputs side by side, the code that made them, and key
figures (error against a reference, time).
"""

from __future__ import annotations

import argparse
import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Section:
    title: str
    question: str
    code: str
    images: list[tuple[str, str]] = field(default_factory=list)  # (file name, caption)
    figures: dict[str, str] = field(default_factory=dict)


def _save_panels(path: Path, panels: list[tuple[str, np.ndarray, str]], suptitle: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.0), squeeze=False)
    for ax, (title, image, cmap) in zip(axes[0], panels, strict=True):
        im = ax.imshow(image, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    tmp.replace(path)


def section_local_statistics(out: Path) -> Section:
    from . import local_max, local_mean, local_min, local_std
    from .datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float32)
    t0 = time.perf_counter()
    mean = local_mean(dem, 9)
    rough = local_std(dem, 5)
    yy, xx = np.mgrid[-6:7, -6:7]
    relief = local_max(dem, footprint=yy**2 + xx**2 <= 36) - local_min(dem, footprint=yy**2 + xx**2 <= 36)
    elapsed = time.perf_counter() - t0
    from scipy import ndimage as ndi

    reference = ndi.generic_filter(dem.astype(np.float64), np.std, size=5, mode="reflect")
    err = float(np.max(np.abs(rough - reference)))
    name = "local_statistics.png"
    _save_panels(
        out / name,
        [
            ("input: Jacksboro DEM (m)", dem, "terrain"),
            ("local_mean, 9 x 9", mean, "terrain"),
            ("local_std, 5 x 5 (roughness)", rough, "magma"),
            ("relief in a disk of radius 6", relief, "viridis"),
        ],
    )
    return Section(
        title="Moving-window statistics on a DEM",
        question="Local mean, standard deviation and relief of a raster, with any window shape.",
        code=(
            "dem = jacksboro_dem().elevation.astype(np.float32)\n"
            "mean = local_mean(dem, 9)\n"
            "rough = local_std(dem, 5)\n"
            "disk = yy**2 + xx**2 <= 36\n"
            "relief = local_max(dem, footprint=disk) - local_min(dem, footprint=disk)"
        ),
        images=[(name, "DEM, 9x9 mean, 5x5 std, disk relief")],
        figures={
            "time for all four (s)": f"{elapsed:.3f}",
            "max |local_std - generic_filter(np.std)| (m)": f"{err:.2e}",
        },
    )


def section_offset_variance(out: Path) -> Section:
    from scipy import ndimage as ndi

    from . import local_var
    from .datasets import offset_noise

    x = offset_noise((256, 256), 1e4, dtype=np.float32)
    ours = local_var(x, 5)
    recipe = ndi.uniform_filter(x * x, 5) - ndi.uniform_filter(x, 5) ** 2
    truth = ndi.generic_filter(x.astype(np.float64), np.var, size=5)
    name = "offset_variance.png"
    _save_panels(
        out / name,
        [
            ("input: 1e4 + N(0, 1), float32", x, "gray"),
            ("uniform_filter recipe", recipe, "coolwarm"),
            ("pixelsmith local_var", ours, "viridis"),
        ],
    )
    return Section(
        title="Variance that survives a large offset",
        question="Why does my local variance come out negative? (E[x^2] - E[x]^2 in float32)",
        code="var = local_var(x, 5)  # x = 1e4 + N(0, 1), float32",
        images=[(name, "input, the common recipe, pixelsmith")],
        figures={
            "negative variances, recipe": f"{float(np.mean(recipe < 0)):.1%}",
            "negative variances, pixelsmith": f"{float(np.mean(ours < 0)):.1%}",
            "max relative error, recipe": f"{float(np.max(np.abs(recipe - truth) / truth)):.2e}",
            "max relative error, pixelsmith": f"{float(np.max(np.abs(ours - truth) / truth)):.2e}",
        },
    )


def section_blocks_and_stacks(out: Path) -> Section:
    from . import StackStats, density_map
    from .datasets import jacksboro_dem, noisy_stack

    dem = jacksboro_dem().elevation.astype(np.float64)
    steep = np.hypot(*np.gradient(dem)) > 15
    density = density_map(steep, 8)
    stack = noisy_stack(40, (96, 96))
    stats = StackStats()
    for frame in stack:
        stats.add(frame)
    err = float(np.max(np.abs(stats.std() - stack.std(axis=0))))
    name = "blocks_and_stacks.png"
    _save_panels(
        out / name,
        [
            ("steep pixels (slope > 15 m/px)", steep, "gray"),
            ("density_map, 8 x 8 blocks", density, "inferno"),
            ("frame 0 of a noisy stack", stack[0], "gray"),
            ("StackStats per-pixel std", stats.std(), "magma"),
        ],
    )
    return Section(
        title="Density maps and streaming stack statistics",
        question="Fraction of set pixels per block; per-pixel variance of a stack too big for memory.",
        code=(
            "density = density_map(steep, 8)\n"
            "stats = StackStats()\n"
            "for frame in frames:\n"
            "    stats.add(frame)\n"
            "std = stats.std()"
        ),
        images=[(name, "mask, density, a frame, per-pixel std")],
        figures={"max |StackStats.std - np.std(stack, axis=0)|": f"{err:.1e}"},
    )


def section_stamps(out: Path) -> Section:
    from . import add_stamp, add_stamps
    from .datasets import gaussian_psf

    psf = gaussian_psf(15, 2.0)
    rng = np.random.default_rng(4)
    centers = rng.uniform(-5, 261, size=(400, 2))
    fluxes = rng.uniform(50, 500, size=400)
    frame = np.zeros((256, 256), np.float32)
    t0 = time.perf_counter()
    add_stamps(frame, psf, centers, weights=fluxes)
    elapsed = time.perf_counter() - t0
    one = add_stamp(np.zeros((24, 24)), psf, (11.4, 12.7), zoom=1.0)
    yy, xx = np.mgrid[:24, :24]
    truth = np.exp(-((yy - 11.4) ** 2 + (xx - 12.7) ** 2) / 8.0)
    truth *= psf.sum() / truth.sum()
    err = float(np.abs(one - truth).max() / truth.max())
    stretched = add_stamp(np.zeros((48, 48)), _letter_f(), (23.5, 23.5), zoom=2.5,
                          rotation=30, order=1, flux="sample")
    name = "stamps.png"
    _save_panels(
        out / name,
        [
            ("stamp: Gaussian PSF, sigma 2", psf, "gray"),
            ("add_stamp at (11.4, 12.7)", one, "gray"),
            ("400 stars with add_stamps", np.sqrt(np.clip(frame, 0, None)), "gray"),
            ("'F' stamp, zoom 2.5, rotated 30 deg", stretched, "gray"),
        ],
    )
    return Section(
        title="Stamps at sub-pixel positions",
        question="Add a small PSF to a big frame centred at (23.4, 22.6), interpolated, maybe rescaled.",
        code=(
            "add_stamp(frame, psf, (11.4, 12.7))                # cubic spline, flux kept\n"
            "add_stamps(frame, psf, centers, weights=fluxes)    # thousands, threaded\n"
            "add_stamp(frame, stamp, (23.5, 23.5), zoom=2.5, rotation=30, order=1)\n"
            "# CLI: pixelsmith render --stamp psf.npy --catalog stars.csv --shape 4096,4096 field.tif"
        ),
        images=[(name, "PSF, one placement, a star field (sqrt stretch), a zoomed and rotated stamp")],
        figures={
            "400 stamps into 256 x 256 (s)": f"{elapsed:.4f}",
            "max error vs analytic Gaussian / peak": f"{err:.1e}",
            "flux kept (sum placed / sum stamp)": f"{float(one.sum() / psf.sum()):.9f}",
        },
    )


def section_sources(out: Path) -> Section:
    from . import aperture_sums, cluster_center, find_peaks
    from .datasets import star_field

    field = star_field((256, 256), 60, sigma=1.5, snr=(8, 80), min_separation=8, seed=11)
    t0 = time.perf_counter()
    peaks = find_peaks(field.image, nsigma=5, min_distance=3, smooth=1.5, subpixel=True)
    sums = aperture_sums(field.image, peaks.coords, 4.0, annulus=(7.0, 10.0))
    elapsed = time.perf_counter() - t0
    from scipy.spatial import cKDTree

    distance, nearest = cKDTree(field.positions).query(peaks.coords)
    match = distance < 1.5
    true_flux = field.fluxes[nearest[match]]
    flux_err = float(np.median(np.abs(sums.net[match] - true_flux) / true_flux))
    rng = np.random.default_rng(2)
    cloud = np.vstack([rng.normal([1.3, -0.4], 0.3, (3000, 2)), rng.uniform(-4, 4, (12000, 2))])
    centre = cluster_center(cloud)[0]
    hist, xe, ye = np.histogram2d(cloud[:, 0], cloud[:, 1], bins=80)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = "sources.png"
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.4))
    axes[0].imshow(field.image, cmap="gray", vmax=np.percentile(field.image, 99.5))
    axes[0].set_title(f"input: {len(field.positions)} stars, peak SNR 8-80")
    axes[1].imshow(field.image, cmap="gray", vmax=np.percentile(field.image, 99.5))
    axes[1].plot(peaks.coords[:, 1], peaks.coords[:, 0], "o", mfc="none", mec="tab:orange", ms=9)
    axes[1].set_title(f"find_peaks(nsigma=5): {len(peaks)} found")
    axes[2].imshow(hist.T, origin="lower", extent=(xe[0], xe[-1], ye[0], ye[-1]), cmap="magma")
    axes[2].plot(centre[0], centre[1], "c+", ms=16, mew=2)
    axes[2].set_title("cluster_center of a noisy 2-D histogram")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(out / name, dpi=90)
    plt.close(fig)
    return Section(
        title="Peaks, aperture sums and cluster centres",
        question="Find stars above N sigma, sum a circle around each, and find the centre of the densest cluster.",
        code=(
            "peaks = find_peaks(image, nsigma=5, min_distance=3, smooth=1.5, subpixel=True)\n"
            "sums = aperture_sums(image, peaks.coords, 4.0, annulus=(7.0, 10.0))   # .net = flux\n"
            "centre = cluster_center(points)[0]\n"
            "# CLI: pixelsmith peaks field.tif --nsigma 5 --out peaks.csv\n"
            "#      pixelsmith apertures field.tif --at peaks.csv --radius 4 --annulus 7,10 --out sums.csv"
        ),
        images=[(name, "star field, detected peaks, cluster centre")],
        figures={
            "stars found / true": f"{int(match.sum())} / {len(field.positions)}",
            "rms position error (px)": f"{float(np.sqrt(np.mean(distance[match] ** 2))):.3f}",
            "median |net flux - true| / true": f"{flux_err:.3f}",
            "cluster centre error (true 1.3, -0.4)": f"{float(np.hypot(*(centre - [1.3, -0.4]))):.4f}",
            "peaks + apertures time (s)": f"{elapsed:.3f}",
        },
    )


def section_fill(out: Path) -> Section:
    from . import fill_nans
    from .datasets import blob_holes, jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float64)
    mask = blob_holes(dem.shape, 0.1, radii=(2, 8), seed=5)
    holes = np.where(mask, np.nan, dem)
    t0 = time.perf_counter()
    filled = {m: fill_nans(holes, method=m) for m in ("biharmonic", "harmonic", "nearest")}
    elapsed = time.perf_counter() - t0
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
        figures={**{f"RMSE {m} (m)": f"{v:.3f}" for m, v in rmse.items()},
                 "three fills (s)": f"{elapsed:.3f}"},
    )


def section_correlation(out: Path) -> Section:
    from . import best_lag, match_template, ncc
    from .datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float64)
    template = dem[120:160, 200:250].copy()
    rng = np.random.default_rng(6)
    scene = dem + rng.normal(0, 5, dem.shape)
    t0 = time.perf_counter()
    surface = ncc(scene, template, mode="same")
    best = match_template(scene, template)
    elapsed = time.perf_counter() - t0
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
            ("ncc(scene, template, mode='same')", surface, "RdBu_r"),
        ],
    )
    return Section(
        title="Normalized cross-correlation and template matching",
        question="A fast normalized cross-correlation in N-D, the best match, and R's ccf with its best lag.",
        code=(
            "surface = ncc(scene, template, mode='same')        # Pearson r of every window, FFT-based\n"
            "best = match_template(scene, template)            # top-left corner, sub-pixel\n"
            "lags, r = ccf(x, y); lag, r_max = best_lag(x, y)  # R's definition\n"
            "# CLI: pixelsmith match scene.tif template.tif --n 5"
        ),
        images=[(name, "scene, template, NCC surface")],
        figures={
            "best match (top-left, true 120, 200)": f"{best.positions[0][0]:.2f}, {best.positions[0][1]:.2f}",
            "score": f"{best.scores[0]:.4f}",
            "best lag of a series shifted by 12": f"{lag} (r = {r:.3f})",
            "ncc + match time (s)": f"{elapsed:.3f}",
        },
    )


def section_equalize(out: Path) -> Section:
    from . import equalize_hist
    from .datasets import noisy_stack

    stack = noisy_stack(200, (96, 96))
    rng = np.random.default_rng(8)
    stack = (stack - stack.min()) ** (1 + 2 * rng.random((200, 1, 1)))  # each frame its own contrast
    t0 = time.perf_counter()
    equalized = equalize_hist(stack)
    elapsed = time.perf_counter() - t0
    try:  # the anchor is in the [bench] extra
        from skimage.exposure import equalize_hist as sk_equalize

        err_text = f"{float(np.abs(equalized[:20] - np.stack([sk_equalize(f) for f in stack[:20]])).max()):.1e}"
    except ImportError:
        err_text = "scikit-image not installed"
    name = "equalize.png"
    _save_panels(
        out / name,
        [("frame 0", stack[0], "gray"), ("frame 1", stack[1], "gray"),
         ("equalized frame 0", equalized[0], "gray"), ("equalized frame 1", equalized[1], "gray")],
    )
    return Section(
        title="Histogram equalization of a whole stack",
        question="Equalize each of 1800 grayscale images stored as one (1800, 1, 96, 96) array.",
        code="equalized = equalize_hist(stack)   # each image on its own, one vectorized pass\n"
             "# CLI: pixelsmith equalize frames.tif frames_eq.tif",
        images=[(name, "two frames before and after")],
        figures={"200 frames (s)": f"{elapsed:.4f}",
                 "max |difference| from skimage per frame": err_text},
    )


def section_colour_and_outlines(out: Path) -> Section:
    from matplotlib import colormaps

    from . import invert_colormap, outline_paths, plot_outline
    from .datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float64)
    lo, hi = float(dem.min()), float(dem.max())
    shot = np.rint(colormaps["jet"]((dem - lo) / (hi - lo))[..., :3] * 255).astype(np.uint8)
    shot[:12] = 255  # a white title band
    shot[150:154, 40:200] = 0  # black "text"
    t0 = time.perf_counter()
    back = invert_colormap(shot, "jet", vmin=lo, vmax=hi)
    elapsed = time.perf_counter() - t0
    valid = np.isfinite(back)
    err = float(np.max(np.abs(back[valid] - dem[valid])))
    labels = np.digitize(dem, [450, 650, 850])
    paths = outline_paths(labels, 2)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(out / name, dpi=90)
    plt.close(fig)
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
            "inversion time (s)": f"{elapsed:.3f}",
        },
    )


def section_document(out: Path) -> Section:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .datasets import synthetic_page
    from .document import order_curve_points, page_blocks, straighten, unshuffle_strips

    sample = synthetic_page((1400, 1000), seed=2, noise=1e-4, skew_degrees=0.5)
    t0 = time.perf_counter()
    layout = page_blocks(sample.image)
    t_layout = time.perf_counter() - t0

    photo = _grace_hopper()
    rng = np.random.default_rng(3)
    bounds = np.r_[0, np.sort(rng.choice(np.arange(10, photo.shape[1] - 10), 11, replace=False)), photo.shape[1]]
    pieces = [photo[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    shuffled = np.concatenate([pieces[i] for i in rng.permutation(12)], axis=1)
    t0 = time.perf_counter()
    restored = unshuffle_strips(shuffled, n_strips=12)
    t_strips = time.perf_counter() - t0

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
    for a in fig.axes:
        a.set_xticks([])
        a.set_yticks([])
    fig.tight_layout()
    fig.savefig(out / name, dpi=80)
    plt.close(fig)
    right = sum(1 for got, want in zip(layout, sample.blocks, strict=False)
                if abs(got.top - want[0]) <= 2 and abs(got.bottom - want[1]) <= 2 and got.kind == want[2])
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
            "page_blocks time (s)": f"{t_layout:.2f}",
            "strips restored exactly": str(bool(np.array_equal(restored.image, photo))),
            "unshuffle time (s)": f"{t_strips:.2f}",
        },
    )


def section_drr(out: Path) -> Section:
    from .xray import Geometry, drr, phantom, phantom_line_integrals, to_display

    shape, spacing = (128, 128, 128), (1.5, 1.5, 1.5)
    volume = phantom(shape, spacing)
    t0 = time.perf_counter()
    views = {}
    for angle in (0.0, 90.0):
        geometry = Geometry.c_arm(volume, sid=600, sdd=1000, angle=angle, shape=(256, 256), pixel_spacing=1.4)
        views[angle] = (geometry, drr(volume, geometry, output="line_integral"))
    elapsed = time.perf_counter() - t0
    geometry, integrals = views[0.0]
    pixels = geometry.detector.pixel_centers().reshape(-1, 3)
    exact = phantom_line_integrals(np.repeat(geometry.source[None], len(pixels), 0), pixels, shape,
                                   spacing).reshape(integrals.shape)
    body = exact > 0.05 * exact.max()
    error = float(np.mean(np.abs(integrals[body] - exact[body]) / exact[body]))
    name = "drr.png"
    _save_panels(
        out / name,
        [
            ("phantom, middle slice (mu / mm)", volume.data[64], "gray"),
            ("DRR, AP (angle 0)", to_display(np.exp(-views[0.0][1])), "gray"),
            ("DRR, lateral (angle 90)", to_display(np.exp(-views[90.0][1])), "gray"),
            ("error vs closed form (line integral)", integrals - exact, "coolwarm"),
        ],
    )
    return Section(
        title="Simulated X-rays (DRR) from a CT volume",
        question="From a CT volume, a source and a detector: the X-ray image through the whole body.",
        code=(
            "volume = read_dicom_series('ct_folder/')        # or xray.phantom(...)\n"
            "view = Geometry.c_arm(volume, sid=600, sdd=1000, angle=90, shape=(256, 256), pixel_spacing=1.4)\n"
            "image = drr(volume, view)                       # Siddon: exact path lengths, Beer-Lambert\n"
            "# CLI: pixelsmith drr ct_folder/ lateral.png --angle 90 --sid 600 --sdd 1000"
        ),
        images=[(name, "phantom slice, AP and lateral DRRs, error against the closed form")],
        figures={
            "two 256 x 256 DRRs of 128^3 (s)": f"{elapsed:.2f}",
            "mean relative error vs closed form (AP)": f"{error:.2%}",
        },
    )


def layout_first_line(page: np.ndarray) -> int:
    from .document import page_blocks

    first = page_blocks(page)[0]
    return (first.top + first.bottom) // 2


def _grace_hopper() -> np.ndarray:
    import os

    import matplotlib

    from .io import read_image

    return read_image(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))


def _letter_f() -> np.ndarray:
    """A 15 x 15 'F': an asymmetric stamp that shows orientation."""
    f = np.zeros((15, 15))
    f[2:13, 4:6] = 1
    f[2:4, 4:11] = 1
    f[7:9, 4:9] = 1
    return f


SECTIONS: list[Callable[[Path], Section]] = [
    section_local_statistics,
    section_offset_variance,
    section_blocks_and_stacks,
    section_stamps,
    section_sources,
    section_fill,
    section_correlation,
    section_equalize,
    section_colour_and_outlines,
    section_document,
    section_drr,
]


def render(out_dir: str | Path, *, progress: Callable[[str], None] | None = None) -> Path:
    """Render every section into `out_dir`; returns the path of index.html."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for i, make in enumerate(SECTIONS, 1):
        if progress:
            progress(f"[{i}/{len(SECTIONS)}] {make.__name__.removeprefix('section_')}")
        sections.append(make(out))
    index = out / "index.html"
    tmp = index.with_suffix(".tmp")
    tmp.write_text(_page(sections), encoding="utf-8")
    tmp.replace(index)
    return index


def _page(sections: list[Section]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>pixelsmith gallery</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
        "img{max-width:100%}pre{background:#f4f4f4;padding:.6em}"
        "table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 8px}</style>",
        "</head><body><h1>pixelsmith gallery</h1>",
    ]
    for s in sections:
        parts.append(f"<h2>{html.escape(s.title)}</h2><p><em>{html.escape(s.question)}</em></p>")
        parts.append(f"<pre>{html.escape(s.code)}</pre>")
        for name, caption in s.images:
            parts.append(f"<figure><img src='{html.escape(name)}' alt='{html.escape(caption)}'>"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        if s.figures:
            rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                           for k, v in s.figures.items())
            parts.append(f"<table>{rows}</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the pixelsmith gallery.")
    parser.add_argument("--out", default="build/gallery", help="output folder (default build/gallery)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    index = render(args.out, progress=lambda msg: print(msg, flush=True))
    print(f"gallery written in {time.perf_counter() - t0:.1f} s: {index.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
