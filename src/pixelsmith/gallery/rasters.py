"""Gallery sections: moving-window statistics, variance with an offset, density maps and stack statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._common import Section, _save_panels, timed


def section_local_statistics(out: Path) -> Section:
    from .. import local_max, local_mean, local_min, local_std
    from ..datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float32)
    yy, xx = np.mgrid[-6:7, -6:7]
    disk = yy**2 + xx**2 <= 36

    def measure():
        relief = local_max(dem, footprint=disk) - local_min(dem, footprint=disk)
        return local_mean(dem, 9), local_std(dem, 5), relief

    (mean, rough, relief), timing = timed(measure)
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
            **timing.figures("time for all four (s)"),
            "max |local_std - generic_filter(np.std)| (m)": f"{err:.2e}",
        },
    )


def section_offset_variance(out: Path) -> Section:
    from scipy import ndimage as ndi

    from .. import local_var
    from ..datasets import offset_noise

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
    from .. import StackStats, density_map
    from ..datasets import jacksboro_dem, noisy_stack

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


def section_order_statistics(out: Path) -> Section:
    from scipy import ndimage as ndi

    from .. import local_majority, local_median, local_percentile, local_variety
    from ..datasets import jacksboro_dem

    dem = jacksboro_dem().elevation.astype(np.float32)
    gappy = dem.copy()
    gappy[np.random.default_rng(0).random(dem.shape) < 0.1] = np.nan  # 10 % nodata
    classes = np.digitize(dem, np.percentile(dem, [20, 40, 60, 80])).astype(np.uint8)  # a 5-class "land cover"

    def measure():
        return (
            local_median(gappy, 7, nan_policy="omit"),
            local_percentile(gappy, 90, 7, nan_policy="omit"),
            local_majority(classes, 7),
            local_variety(classes, 7),
        )

    (median, p90, majority, variety), timing = timed(measure)
    crop = gappy[:80, :80].astype(np.float64)
    reference = ndi.generic_filter(crop, np.nanmedian, size=7, mode="reflect")
    err = float(np.nanmax(np.abs(local_median(crop, 7, nan_policy="omit") - reference)))
    name = "order_statistics.png"
    _save_panels(
        out / name,
        [
            ("DEM with 10 % nodata", gappy, "terrain"),
            ("local_median 7 x 7, NaN omitted", median, "terrain"),
            ("local_percentile 90", p90, "terrain"),
            ("local_majority of 5 classes", majority, "tab10"),
            ("local_variety (classes per window)", variety, "viridis"),
        ],
    )
    return Section(
        title="Moving median, percentile, majority and variety",
        question="The fast generic_filter: order statistics of every window, NaN ignored, categories counted.",
        code=(
            "median = local_median(gappy, 7, nan_policy='omit')\n"
            "p90 = local_percentile(gappy, 90, 7, nan_policy='omit')\n"
            "majority = local_majority(classes, 7)   # uint8 classes stay uint8\n"
            "variety = local_variety(classes, 7)"
        ),
        images=[(name, "nodata DEM, median, 90th percentile, majority class, number of classes")],
        figures={
            **timing.figures("time for all four (s)"),
            "max |local_median - generic_filter(np.nanmedian)| (m)": f"{err:.2e}",
        },
    )
