"""Simulated X-rays (DRR) from CT volumes: geometry, physics, projectors, phantoms.

Names load on first use, so `pixelsmith.xray.Volume` comes without the projectors
and their kernels. `Volume` itself lives in `pixelsmith.volume`, a neutral place that
the DICOM and NIfTI readers build it from without importing this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what static tools and IDEs see
    from ..volume import Volume
    from .geometry import Detector, Geometry
    from .phantom import phantom, phantom_ellipsoids, phantom_line_integrals
    from .physics import hu_to_mu, water_and_air_mu
    from .project import drr, drr_sweep, project_parallel, to_display

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

__all__ = [
    "Detector",
    "Geometry",
    "Volume",
    "drr",
    "drr_sweep",
    "hu_to_mu",
    "phantom",
    "phantom_ellipsoids",
    "phantom_line_integrals",
    "project_parallel",
    "to_display",
    "water_and_air_mu",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        where = _WHERE[name]
        value = getattr(importlib.import_module(where if where.startswith("..") else f".{where}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pixelsmith.xray' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
