"""pixelsmith: fast, correct, N-D array-image operations for science.

The public API is re-exported here. Conventions: coordinates in array index
order ``(row, col[, ...])`` with integer values at pixel centres; float32 stays
float32, everything else is computed in float64; numpy in -> numpy out, dask
in -> dask out with the same chunks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._validate import PixelsmithError, PixelsmithTypeError, PixelsmithValueError, PixelsmithWarning

__version__ = "0.1.0"

# Every public name is loaded on first use, as scikit-image does: `import pixelsmith` costs
# little more than `import numpy`, and numba and scipy load with the first function that needs
# them. name -> the module (relative to this package) that defines it.
_LAZY_NAMES = {
    "StackStats": ".blocks",
    "block_reduce": ".blocks",
    "density_map": ".blocks",
    "ChannelStats": ".color",
    "as_rgb": ".color",
    "invert_colormap": ".color",
    "masked_stats": ".color",
    "BestLag": ".correlate",
    "CrossCorrelation": ".correlate",
    "Matches": ".correlate",
    "best_lag": ".correlate",
    "ccf": ".correlate",
    "find_matches": ".correlate",
    "match_template": ".correlate",
    "ncc": ".correlate",
    "equalize_hist": ".exposure",
    "fill_nans": ".fill",
    "local_count": ".local",
    "local_max": ".local",
    "local_mean": ".local",
    "local_min": ".local",
    "local_std": ".local",
    "local_sum": ".local",
    "local_var": ".local",
    "local_apply": ".local.order",
    "local_majority": ".local.order",
    "local_median": ".local.order",
    "local_percentile": ".local.order",
    "local_range": ".local.order",
    "local_variety": ".local.order",
    "local_stat": ".local.by_name",
    "outline_paths": ".outline",
    "plot_outline": ".outline",
    "add_stamp": ".place",
    "add_stamps": ".place",
    "ApertureSums": ".sources",
    "Peaks": ".sources",
    "aperture_sums": ".sources",
    "cluster_center": ".sources",
    "find_peaks": ".sources",
    "robust_noise": ".sources",
    "warmup": "._warmup",
}
# subpackages, also loaded on first use: `ps.xray.drr` or `ps.io.read_raster` work without importing them
_LAZY_SUBPACKAGES = ("datasets", "document", "footprints", "io", "xray", "gallery", "cli")

if TYPE_CHECKING:  # what static tools and IDEs see
    from . import datasets, document, footprints, io, xray
    from ._warmup import warmup
    from .blocks import StackStats, block_reduce, density_map
    from .color import ChannelStats, as_rgb, invert_colormap, masked_stats
    from .correlate import BestLag, CrossCorrelation, Matches, best_lag, ccf, find_matches, match_template, ncc
    from .exposure import equalize_hist
    from .fill import fill_nans
    from .local import local_count, local_max, local_mean, local_min, local_std, local_sum, local_var
    from .local.by_name import local_stat
    from .local.order import (
        local_apply,
        local_majority,
        local_median,
        local_percentile,
        local_range,
        local_variety,
    )
    from .outline import outline_paths, plot_outline
    from .place import add_stamp, add_stamps
    from .sources import ApertureSums, Peaks, aperture_sums, cluster_center, find_peaks, robust_noise


def __getattr__(name: str):
    import importlib

    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name], __name__), name)
    elif name in _LAZY_SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'pixelsmith' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES) | set(_LAZY_SUBPACKAGES))


__all__ = [
    "PixelsmithError",
    "PixelsmithWarning",
    "PixelsmithTypeError",
    "PixelsmithValueError",
    "StackStats",
    "ChannelStats",
    "as_rgb",
    "invert_colormap",
    "masked_stats",
    "outline_paths",
    "plot_outline",
    "Matches",
    "CrossCorrelation",
    "BestLag",
    "best_lag",
    "ccf",
    "equalize_hist",
    "fill_nans",
    "find_matches",
    "match_template",
    "ncc",
    "ApertureSums",
    "Peaks",
    "aperture_sums",
    "cluster_center",
    "find_peaks",
    "robust_noise",
    "add_stamp",
    "add_stamps",
    "block_reduce",
    "density_map",
    "local_count",
    "local_max",
    "local_mean",
    "local_min",
    "local_std",
    "local_sum",
    "local_var",
    "local_median",
    "local_percentile",
    "local_range",
    "local_majority",
    "local_variety",
    "local_apply",
    "local_stat",
    "warmup",
    "__version__",
    "datasets",
    "document",
    "io",
    "xray",
    "footprints",
]
