"""Moving-window statistics: moments (mean, sum, var, std, min, max, count) and order statistics
(median, percentile, range, majority, variety, any numba reduction), with one tiling engine.

- `moments`: the moment family (signatures and docstrings);
- `order`: the order statistics and `local_apply`;
- `by_name`: `local_stat`, any of them chosen by name;
- `_plan`: `window_spec` (the argument checks) and the choice of fast path for every statistic;
- `_engine`: tiles, halos and edge modes around the numba kernels (threads from `pixelsmith._parallel`);
- `_dask`: the engine blockwise on dask arrays, bit-identical to memory.
"""

from .by_name import local_stat, local_stat_dtype  # noqa: I001 (after the functions it dispatches to)
from .moments import local_count, local_max, local_mean, local_min, local_std, local_sum, local_var
from .order import local_apply, local_majority, local_median, local_percentile, local_range, local_variety

__all__ = [
    "local_mean",
    "local_sum",
    "local_var",
    "local_std",
    "local_min",
    "local_max",
    "local_count",
    "local_median",
    "local_percentile",
    "local_range",
    "local_majority",
    "local_variety",
    "local_apply",
    "local_stat",
    "local_stat_dtype",
]
