"""Colour-code kernels: float RGB that holds 8-bit values -> 24-bit codes in one pass."""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def eight_bit_codes(rgb, tolerance):
    """24-bit codes of an (H, W, >=3) float RGB(A) view in [0, 1] whose values are k / 255 within `tolerance` levels.

    Reads the first three channels of any strided view (no copy). Returns
    (codes int32 (H * W,), True) when every value is such a level, else
    (partial codes, False); values outside [0, 1] or NaN also give False (the caller reports them).
    """
    h, w = rgb.shape[0], rgb.shape[1]
    codes = np.empty(h * w, np.int32)
    for i in range(h):
        for j in range(w):
            code = 0
            for c in range(3):
                scaled = rgb[i, j, c] * 255.0
                level = np.floor(scaled + 0.5)
                if not (abs(scaled - level) <= tolerance and 0.0 <= level <= 255.0):
                    return codes, False
                code = (code << 8) | int(level)
            codes[i * w + j] = code
    return codes, True
