"""Simulated X-rays (DRR) from CT volumes: geometry, physics, projectors, phantoms.

Names load on first use, so `pixelsmith.xray.Volume` comes without the projectors
and their kernels. `Volume` itself lives in `pixelsmith.volume`, a neutral place that
the DICOM and NIfTI readers build it from without importing this package.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Detector": "geometry",
    "Geometry": "geometry",
    "Volume": "..volume",
    "drr": "project",
    "drr_sweep": "project",
    "project_parallel": "project",
    "to_display": "project",
    "hu_to_mu": "physics",
    "water_and_air_mu": "physics",
    "phantom": "phantom",
    "phantom_ellipsoids": "phantom",
    "phantom_line_integrals": "phantom",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        where = _WHERE[name]
        value = getattr(importlib.import_module(where if where.startswith("..") else f".{where}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pixelsmith.xray' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
