"""Type names of the public signatures: array inputs and the choices each option takes."""

from __future__ import annotations

from typing import Literal

from numpy.typing import ArrayLike

__all__ = ["ArrayLike", "Boundary", "Crop", "NccCrop", "DrrMethod", "DrrOutput", "FillMethod", "Mode", "NanPolicy"]

Mode = Literal["reflect", "mirror", "nearest", "wrap", "constant", "grid-mirror", "grid-wrap", "grid-constant"]
Crop = Literal["same", "valid"]
NccCrop = Literal["valid", "same", "full"]
NanPolicy = Literal["propagate", "omit"]
Boundary = Literal["trim", "pad"]
FillMethod = Literal["harmonic", "biharmonic", "nearest", "gaussian"]
DrrMethod = Literal["joseph", "trilinear", "siddon"]
DrrOutput = Literal["intensity", "line_integral"]
