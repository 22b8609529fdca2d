"""CLI file handling: open an input as raster or image, save a result like its input."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import is_dask_array
from ._common import fail

RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img", ".jp2"}


@dataclass(frozen=True)
class Source:
    """An opened input: either a georeferenced raster (lazy reader) or a plain image."""

    path: Path
    shape: tuple[int, ...]
    dtype: np.dtype
    reader: Any = None  # RasterReader for georeferenced rasters
    raster: Any = None  # Raster metadata (data unread) for georeferenced rasters
    image: np.ndarray | None = None
    fits: Any = None  # FitsImage (header, WCS) for FITS inputs

    def array(self) -> np.ndarray:
        if self.image is not None:
            return self.image
        return self.reader.read(slice(0, self.shape[0]), slice(0, self.shape[1]))

    def lazy(self, chunks: int):
        import dask.array as da

        if self.image is not None:
            return da.from_array(self.image, chunks=chunks)
        from ..io.raster import read_raster

        return read_raster(self.reader.path, self.reader.bands[0], chunks=chunks).data

    def coarsened(self, block: tuple[int, int]) -> Source:
        """Metadata for a block-reduced output: pixel size times the block."""
        if self.raster is None:
            return self
        from affine import Affine

        transform = self.raster.transform @ Affine.scale(block[1], block[0])
        return replace(self, raster=self.raster.with_data(None, transform=transform, nodata=None))


def load_input(path: Path, *, band: int | None, hdu: Any = None) -> Source:
    """Open `path`: GeoTIFF-like files through rasterio (lazily), FITS with its header, others as images."""
    from ..io import read_image
    from ..io.fits import is_fits_path, read_fits
    from ..io.raster import open_raster

    if band is not None and band < 1:
        fail(f"--band counts from 1 (the first band or channel), got {band}")
    if is_fits_path(path):
        fits_image = read_fits(path, hdu=hdu)
        data = fits_image.data
        if data.ndim == 3:  # a cube: one plane, as for the bands of a raster
            if band is None:
                fail(f"input {str(path)!r} is a FITS cube of {data.shape[0]} planes; pick one with --band N")
            if band > data.shape[0]:
                fail(f"--band must be between 1 and {data.shape[0]} for {str(path)!r}, got {band}")
            data = data[band - 1]
        elif data.ndim == 2 and band not in (None, 1):
            fail(f"--band must be 1 for {str(path)!r}, which has one plane, got {band}")
        if data.ndim != 2:
            fail(f"input {str(path)!r} must be a 2-D image (or a cube with --band), got shape {data.shape}")
        return Source(path, tuple(data.shape), data.dtype, image=data, fits=fits_image)
    if path.suffix.lower() in RASTER_SUFFIXES:
        from .._validate import PixelsmithValueError

        try:
            reader, raster = open_raster(path, 1 if band is None else band)
        except PixelsmithValueError as exc:
            if "no georeferencing" not in str(exc):
                raise
        else:
            return Source(path, tuple(reader.shape), reader.dtype, reader=reader, raster=raster)
    image = read_image(path)
    if image.ndim == 3 and band is not None:
        if not 1 <= band <= image.shape[-1]:
            fail(f"--band must be between 1 and {image.shape[-1]} for {str(path)!r}, got {band}")
        image = image[..., band - 1]
    elif image.ndim == 3 and image.shape[-1] in (3, 4):
        fail(f"input {str(path)!r} has {image.shape[-1]} colour channels; pick one with --band N")
    elif image.ndim == 2 and band not in (None, 1):
        fail(f"--band must be 1 for {str(path)!r}, which has one band, got {band}")
    if image.ndim != 2:
        fail(f"input {str(path)!r} must be a 2-D image, got shape {image.shape}")
    return Source(path, image.shape, image.dtype, image=image)


def check_output_format(output: Path, dtype: Any) -> None:
    """Before any work: refuse an output whose format cannot hold `dtype` (floats in a PNG, say)."""
    from ..io.fits import is_fits_path
    from ..io.image import format_holds

    if is_fits_path(output) or output.suffix.lower() in RASTER_SUFFIXES or format_holds(output, dtype):
        return
    fail(
        f"output {str(output)!r}: {output.suffix.lower()} holds 8- or 16-bit integers, and the result is "
        f"{np.dtype(dtype)}; write .tif, .fits or .npy"
    )


def save_output(output: Path, result: Any, source: Source, progress) -> None:
    """Write `result` to `output` like `source`: GeoTIFF with its georeferencing, or an image."""
    from ..io import write_image
    from ..io.raster import write_raster

    suffix = output.suffix.lower()
    if suffix in (".tif", ".tiff") and (source.raster is not None or is_dask_array(result)):
        like = source.raster
        write_raster(
            output,
            result,
            like=like,
            progress=progress,
            nodata="like"
            if like is not None and like.nodata is not None
            else (float("nan") if np.dtype(result.dtype).kind == "f" else None),
        )
        return
    if is_dask_array(result):
        from ..io.raster import iter_computed_blocks

        out = np.empty(result.shape, result.dtype)
        for done, total, index, block in iter_computed_blocks(result):
            out[index] = block
            progress(done, total)
        result = out
    from ..io.fits import is_fits_path, write_fits

    if is_fits_path(output) and source.fits is not None and np.shape(result) == source.shape:
        write_fits(output, result, like=source.fits)  # same pixel grid: header, WCS and BUNIT kept
    else:
        write_image(output, result)
    progress(1, 1)
