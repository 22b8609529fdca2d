"""Type names of the public signatures: array inputs, and the choices each option takes.

Each choice is a `typing.Literal`, so type checkers see the allowed strings and tools can list
them: ``typing.get_args(pixelsmith.types.Mode)``. The command line builds its choices from these.
"""

from __future__ import annotations

from typing import Literal

from numpy.typing import ArrayLike

__all__ = [
    "ArrayLike",
    "BlockFunc",
    "Boundary",
    "Crop",
    "NccCrop",
    "DrrMethod",
    "DrrOutput",
    "FillMethod",
    "Mode",
    "NanPolicy",
    "PercentileMethod",
    "PixelOrder",
    "Statistic",
]

Mode = Literal["reflect", "mirror", "nearest", "wrap", "constant", "grid-mirror", "grid-wrap", "grid-constant"]
Crop = Literal["same", "valid"]
NccCrop = Literal["valid", "same", "full"]
NanPolicy = Literal["propagate", "omit"]
Boundary = Literal["trim", "pad"]
FillMethod = Literal["harmonic", "biharmonic", "nearest", "gaussian"]
DrrMethod = Literal["joseph", "trilinear", "siddon"]
DrrOutput = Literal["intensity", "line_integral"]
PixelOrder = Literal["row_col", "xy"]
PercentileMethod = Literal["linear", "lower", "higher", "nearest", "midpoint", "scipy"]
Statistic = Literal[
    "mean", "sum", "var", "std", "min", "max", "count", "median", "percentile", "range", "majority", "variety"
]
BlockFunc = Literal["mean", "sum", "var", "std", "min", "max", "count_nonzero", "fraction_nonzero"]
