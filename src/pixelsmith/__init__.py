"""pixelsmith: fast, correct, N-D array-image operations for science.

The public API is re-exported here. Conventions: coordinates in array index
order ``(row, col[, ...])`` with integer values at pixel centres; float32 stays
float32, everything else is computed in float64; numpy in -> numpy out, dask
in -> dask out with the same chunks.
"""

from __future__ import annotations

from . import datasets, document
from ._validate import PixelsmithError, PixelsmithTypeError, PixelsmithValueError, PixelsmithWarning
from .blocks import StackStats, block_reduce, density_map
from .color import ChannelStats, as_rgb, invert_colormap, masked_stats
from .correlate import BestLag, CrossCorrelation, Matches, best_lag, ccf, find_matches, match_template, ncc
from .exposure import equalize_hist
from .fill import fill_nans
from .local import (
    local_count,
    local_max,
    local_mean,
    local_min,
    local_std,
    local_sum,
    local_var,
)
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

__version__ = "0.1.0"

# subpackages with heavier dependencies load on first use: `import pixelsmith` stays light,
# and `ps.xray.drr` or `ps.io.read_raster` work without importing them by hand
_LAZY_SUBPACKAGES = ("io", "xray", "gallery", "cli")


def __getattr__(name: str):
    if name in _LAZY_SUBPACKAGES:
        import importlib

        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'pixelsmith' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBPACKAGES))


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
    "__version__",
    "datasets",
    "document",
    "io",
    "xray",
]
