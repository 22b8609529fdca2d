"""Readers and writers: GeoTIFF (rasterio, windowed), FITS (astropy), images and arrays, CT volumes
(DICOM, NIfTI), source catalogues (ECSV, FITS tables, VOTable, SExtractor, CSV), and any of them in with
the result written like it (`read_any`, `write_like`). I/O never computes."""

from ._atomic import atomic_folder, create_exclusively
from .catalog import Catalog, read_catalog
from .dicom import list_dicom_series, read_dicom_series
from .files import Planes, Source, check_writable, read_any, read_plane, write_like
from .fits import FitsImage, read_fits, write_fits
from .image import read_image, write_figure, write_image
from .nifti import read_nifti, write_nifti
from .pdf import read_page
from .raster import Raster, map_raster, pixel_to_map, read_raster, write_raster
from .table import write_grid_csv
from .volume import read_volume

__all__ = [
    "read_any",
    "read_plane",
    "write_like",
    "check_writable",
    "create_exclusively",
    "atomic_folder",
    "Planes",
    "Source",
    "Raster",
    "read_raster",
    "write_raster",
    "map_raster",
    "pixel_to_map",
    "read_image",
    "read_page",
    "write_image",
    "write_figure",
    "write_grid_csv",
    "Catalog",
    "read_catalog",
    "FitsImage",
    "read_fits",
    "write_fits",
    "read_volume",
    "read_dicom_series",
    "list_dicom_series",
    "read_nifti",
    "write_nifti",
]
