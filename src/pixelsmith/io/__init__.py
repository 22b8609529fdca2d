"""Readers and writers: GeoTIFF (rasterio, windowed), FITS (astropy), images and arrays. I/O never computes."""

from .fits import FitsImage, read_fits, write_fits
from .image import read_image, write_image
from .raster import Raster, read_raster, write_raster

__all__ = ["Raster", "read_raster", "write_raster", "read_image", "write_image", "FitsImage", "read_fits", "write_fits"]
