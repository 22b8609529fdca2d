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

    if band is not None and band < 1:
        fail(f"--band counts from 1 (the first band or channel), got {band}")
    _check_hdu_for(path, hdu)
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
    opened = _open_georeferenced(path, band)
    if opened is not None:
        reader, raster = opened
        if len(reader.bands) > 1:  # no --band on a multi-band raster: never band 1 silently
            fail(
                f"input {str(path)!r} has {len(reader.bands)} bands; pick one with --band N, or --band all "
                "(where the command takes it) to process each"
            )
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


def check_output_format(output: Path, dtype: Any, planes: int = 1) -> None:
    """Before any work: refuse an output whose format cannot hold the result (floats or a stack in a PNG)."""
    from ..io.fits import is_fits_path
    from ..io.image import format_holds

    holds_stacks = is_fits_path(output) or output.suffix.lower() in RASTER_SUFFIXES | {".npy"}
    if planes > 1 and not holds_stacks:
        fail(f"output {str(output)!r}: a result of {planes} bands or frames needs .tif, .fits or .npy")
    if is_fits_path(output) or output.suffix.lower() in RASTER_SUFFIXES or format_holds(output, dtype):
        return
    fail(
        f"output {str(output)!r}: {output.suffix.lower()} holds 8- or 16-bit integers, and the result is "
        f"{np.dtype(dtype)}; write .tif, .fits or .npy"
    )


def save_output(output: Path, result: Any, source: Source, progress) -> None:
    """Write `result` to `output` like `source`: GeoTIFF with its georeferencing, or an image."""
    from ..io import write_image
    from ..io.raster import default_nodata, write_raster

    suffix = output.suffix.lower()
    if suffix in (".tif", ".tiff") and (source.raster is not None or is_dask_array(result)):
        like = source.raster
        write_raster(output, result, like=like, progress=progress, nodata=default_nodata(like, result.dtype))
        return
    if is_dask_array(result):
        from ..scale import iter_computed_blocks

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


@dataclass(frozen=True)
class Planes:
    """The planes a command processes one by one: raster bands, or frames of a stack (TIFF pages, FITS cube)."""

    sources: list[Source]
    numbers: list[int]  # 1-based band or frame numbers, as --band counts
    kind: str  # "band" or "frame"
    channels_last: bool = False  # the planes were the channels of a colour image

    @property
    def single(self) -> bool:
        return len(self.sources) == 1


def parse_bands(text: str | None) -> list[int] | str | None:
    """``--band``: ``3`` -> [3], ``1,4`` -> [1, 4], ``all`` -> 'all'."""
    if text is None:
        return None
    if text.strip().lower() == "all":
        return "all"
    try:
        numbers = [int(v) for v in text.split(",")]
    except ValueError:
        fail(f"--band must be N, N,M,... or all (bands count from 1), got {text!r}")
    if any(n < 1 for n in numbers):
        fail(f"--band counts from 1 (the first band or channel), got {text!r}")
    return numbers


def load_planes(path: Path, *, band: str | None, hdu: Any = None, frames: bool = False) -> Planes:
    """Open `path` as the planes to process: one (a 2-D image, or --band N) or several (--band all, --frames)."""
    from ..io import read_image
    from ..io.fits import is_fits_path, read_fits

    selection = parse_bands(band)
    _check_hdu_for(path, hdu)
    if not frames and isinstance(selection, list) and len(selection) == 1:
        return Planes([load_input(path, band=selection[0], hdu=hdu)], selection, "band")
    if is_fits_path(path):
        fits_image = read_fits(path, hdu=hdu)
        stack, kind, fits = fits_image.data, "frame", fits_image
    elif (opened := _open_georeferenced(path, None)) is not None:
        from ..io.raster import open_raster

        numbers = _chosen(selection, frames, len(opened[0].bands), path, "bands")
        sources = []
        for number in numbers:
            reader, raster = open_raster(path, number)
            sources.append(Source(path, tuple(reader.shape), reader.dtype, reader=reader, raster=raster))
        return Planes(sources, numbers, "band")
    else:
        stack, kind, fits = read_image(path), "frame", None
    channels_last = stack.ndim == 3 and stack.shape[-1] in (3, 4) and fits is None and path.suffix.lower() != ".npy"
    if channels_last:
        stack, kind = np.moveaxis(stack, -1, 0), "band"
    if stack.ndim == 2:
        stack = stack[None]
    if stack.ndim != 3:
        fail(f"input {str(path)!r} must be an image or a stack of images (frames, rows, cols), got {stack.shape}")
    what = "colour channels" if channels_last else "frames"
    numbers = _chosen(selection, frames, stack.shape[0], path, what)
    sources = [Source(path, tuple(stack.shape[1:]), stack.dtype, image=stack[n - 1], fits=fits) for n in numbers]
    return Planes(sources, numbers, kind, channels_last)


def _check_hdu_for(path: Path, hdu: Any) -> None:
    from ..io.fits import is_fits_path

    if hdu is not None and not is_fits_path(path):
        fail(f"--hdu chooses an HDU of a FITS file; {str(path)!r} is not one (.fits, .fit, .fts, .fits.gz)")


def _open_georeferenced(path: Path, band: int | None) -> Any:
    """(reader, raster) of a georeferenced raster file (every band when `band` is None), or None for
    any other file: a plain image, or a TIFF without georeferencing, is read as an image."""
    if path.suffix.lower() not in RASTER_SUFFIXES:
        return None
    from .._validate import PixelsmithValueError
    from ..io.raster import open_raster

    try:
        return open_raster(path, band)
    except PixelsmithValueError as exc:
        if "no georeferencing" not in str(exc):
            raise
        return None


def _chosen(selection: list[int] | str | None, frames: bool, count: int, path: Path, what: str) -> list[int]:
    """The 1-based plane numbers chosen by --band / --frames out of `count`."""
    if selection is None and not frames:
        if count == 1:
            return [1]
        hint = "--frames to process each frame" if what == "frames" else f"--band all to process each of the {what}"
        fail(f"input {str(path)!r} has {count} {what}; pass {hint}, or pick one with --band N")
    if selection is None or selection == "all":
        return list(range(1, count + 1))
    bad = [n for n in selection if n > count]
    if bad:
        fail(f"--band must be between 1 and {count} for {str(path)!r}, got {bad[0]}")
    return list(selection)


def stack_planes(results: list[Any], planes: Planes) -> Any:
    """One result per plane -> one array: (planes, rows, cols), or (rows, cols, channels) for colour input."""
    if len(results) == 1:
        return results[0]
    if any(is_dask_array(r) for r in results):
        import dask.array as da

        return da.stack(results, axis=-1 if planes.channels_last else 0)
    return np.stack(results, axis=-1 if planes.channels_last else 0)


def save_planes(output: Path, result: Any, planes: Planes, progress, *, source: Source | None = None) -> None:
    """Write a per-plane result like its input: a multi-band GeoTIFF keeps georeferencing and band names."""
    source = planes.sources[0] if source is None else source
    if planes.single:
        save_output(output, result, source, progress)
        return
    if source.raster is not None:
        names = tuple((s.raster.band_names or (None,))[0] for s in planes.sources)
        source = replace(source, raster=replace(source.raster, band_names=names))
    elif source.fits is not None and planes.kind == "frame":
        source = replace(source, shape=tuple(source.fits.data.shape))  # the whole cube keeps its header
    save_output(output, result, source, progress)
