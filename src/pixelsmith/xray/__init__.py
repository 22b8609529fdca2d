"""Simulated X-rays (DRR) from CT volumes: geometry, physics, projectors, phantoms."""

from .geometry import Detector, Geometry
from .phantom import phantom, phantom_ellipsoids, phantom_line_integrals
from .physics import hu_to_mu, water_and_air_mu
from .project import drr, drr_sweep, project_parallel, to_display
from .volume import Volume

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
