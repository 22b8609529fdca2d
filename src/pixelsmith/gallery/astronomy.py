"""Gallery sections: stamps at sub-pixel positions; peaks, apertures and cluster centres."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._common import Section, _pyplot, _save_figure, _save_panels, timed


def section_stamps(out: Path) -> Section:
    from .. import add_stamp, add_stamps
    from ..datasets import gaussian_psf

    psf = gaussian_psf(15, 2.0)
    rng = np.random.default_rng(4)
    centers = rng.uniform(-5, 261, size=(400, 2))
    fluxes = rng.uniform(50, 500, size=400)

    def render_frame():
        frame = np.zeros((256, 256), np.float32)
        add_stamps(frame, psf, centers, weights=fluxes)
        return frame

    frame, timing = timed(render_frame)
    one = add_stamp(np.zeros((24, 24)), psf, (11.4, 12.7), zoom=1.0)
    yy, xx = np.mgrid[:24, :24]
    truth = np.exp(-((yy - 11.4) ** 2 + (xx - 12.7) ** 2) / 8.0)
    truth *= psf.sum() / truth.sum()
    err = float(np.abs(one - truth).max() / truth.max())
    stretched = add_stamp(np.zeros((48, 48)), _letter_f(), (23.5, 23.5), zoom=2.5, rotation=30, order=1, flux="sample")
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
            **timing.figures("400 stamps into 256 x 256 (s)", 4),
            "max error vs analytic Gaussian / peak": f"{err:.1e}",
            "flux kept (sum placed / sum stamp)": f"{float(one.sum() / psf.sum()):.9f}",
        },
    )


def section_sources(out: Path) -> Section:
    from .. import aperture_sums, cluster_center, find_peaks
    from ..datasets import star_field

    field = star_field((256, 256), 60, sigma=1.5, snr=(8, 80), min_separation=8, seed=11)

    def measure():
        peaks = find_peaks(field.image, nsigma=5, min_distance=3, sigma=1.5, subpixel=True)
        return peaks, aperture_sums(field.image, peaks.coords, 4.0, annulus=(7.0, 10.0))

    (peaks, sums), timing = timed(measure)
    from scipy.spatial import cKDTree

    distance, nearest = cKDTree(field.positions).query(peaks.coords)
    match = distance < 1.5
    true_flux = field.fluxes[nearest[match]]
    flux_err = float(np.median(np.abs(sums.net[match] - true_flux) / true_flux))
    rng = np.random.default_rng(2)
    cloud = np.vstack([rng.normal([1.3, -0.4], 0.3, (3000, 2)), rng.uniform(-4, 4, (12000, 2))])
    centre = cluster_center(cloud)[0]
    hist, xe, ye = np.histogram2d(cloud[:, 0], cloud[:, 1], bins=80)

    plt = _pyplot()

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
    _save_figure(fig, out / name)
    return Section(
        title="Peaks, aperture sums and cluster centres",
        question="Find stars above N sigma, sum a circle around each, and find the centre of the densest cluster.",
        code=(
            "peaks = find_peaks(image, nsigma=5, min_distance=3, sigma=1.5, subpixel=True)\n"
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
            **timing.figures("peaks + apertures time (s)"),
        },
    )


def _letter_f() -> np.ndarray:
    """A 15 x 15 'F': an asymmetric stamp that shows orientation."""
    f = np.zeros((15, 15))
    f[2:13, 4:6] = 1
    f[2:4, 4:11] = 1
    f[7:9, 4:9] = 1
    return f
