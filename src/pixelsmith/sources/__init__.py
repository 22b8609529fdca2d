"""Sources: peaks in 1-D to 3-D, cluster centres of point clouds, aperture sums over images and stacks."""

from .apertures import ApertureSums, aperture_sums
from .clusters import cluster_center
from .peaks import Peaks, find_peaks, robust_noise

__all__ = ["ApertureSums", "Peaks", "aperture_sums", "cluster_center", "find_peaks", "robust_noise"]
