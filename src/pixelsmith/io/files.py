"""Any image file in, the result written like it: GeoTIFF (georeferenced, lazily), FITS (header and WCS),
TIFF stacks, PNG/JPEG and .npy, chosen by what the file is.

`read_any` opens a file as the planes a computation works on one by one (the
bands of a raster, the frames of a stack or cube, the channels of a colour
image), `read_plane` one 2-D plane of it; `write_like` writes a result like its
input (a GeoTIFF keeps its transform, CRS, nodata and band names, a FITS file
its header and WCS, anything else as an image or array), atomically. Nothing
here computes: a dask result is written block by block as `pixelsmith.scale`
computes it.

Examples
--------
>>> import numpy as np, tempfile, os
>>> import pixelsmith as ps
>>> from pixelsmith.io import read_any, write_like
>>> folder = tempfile.mkdtemp()
>>> np.save(os.path.join(folder, "in.npy"), np.arange(12.0).reshape(3, 4))
>>> planes = read_any(os.path.join(folder, "in.npy"))
>>> result = ps.local_mean(planes.sources[0].array(), 3)
>>> write_like(os.path.join(folder, "out.npy"), result, like=planes)
>>> bool(np.array_equal(np.load(os.path.join(folder, "out.npy")), result))
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import PixelsmithValueError, is_dask_array

__all__ = ["Planes", "Source", "check_writable", "read_any", "read_plane", "write_like"]


def fail(message: str):
    """Refuse the file or the choice, naming the argument (the CLI says the same with its option names)."""
    raise PixelsmithValueError(message)


RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img", ".jp2"}


@dataclass(frozen=True)
class Source:
    """One opened plane of an input: a georeferenced raster band (read lazily) or an image in memory.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    shape : tuple of int
        (rows, cols).
    dtype : numpy.dtype
        The pixels' dtype as read (nodata as NaN for a raster with nodata).
    reader : RasterReader or None
        Windowed reader of a georeferenced raster band.
    raster : Raster or None
        Its georeferencing (transform, CRS, nodata, band names), without pixels.
    image : numpy.ndarray or None
        The pixels of any other input.
    fits : FitsImage or None
        Header and WCS of a FITS input.
    """

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
        from .raster import read_raster

        return read_raster(self.reader.path, self.reader.bands[0], chunks=chunks).data

    def coarsened(self, block: tuple[int, int]) -> Source:
        """Metadata for a block-reduced output: pixel size times the block."""
        if self.raster is None:
            return self
        from affine import Affine

        transform = self.raster.transform @ Affine.scale(block[1], block[0])
        return replace(self, raster=self.raster.with_data(None, transform=transform, nodata=None))


def read_plane(path: str | os.PathLike, *, band: int | None = None, hdu: Any = None) -> Source:
    """One 2-D plane of `path`: a GeoTIFF-like file through rasterio (lazily), FITS with its header, others
    as images; `band` (1-based) picks a band, a cube's plane or a colour channel.

    Parameters
    ----------
    path : str or path-like
    band : int, optional
        1-based band, FITS plane or colour channel; needed when the file holds several.
    hdu : int, str or (str, int), optional
        FITS HDU (default: the first with image data); refused for other files.

    Returns
    -------
    Source
        ``.array()`` reads the pixels, ``.lazy(chunks)`` gives a dask array.

    Examples
    --------
    See the module's example.
    """
    path = Path(path)
    from .fits import is_fits_path, read_fits
    from .image import read_image

    if band is not None and band < 1:
        fail(f"`band` counts from 1 (the first band or channel), got {band}")
    _check_hdu_for(path, hdu)
    if is_fits_path(path):
        fits_image = read_fits(path, hdu=hdu)
        data = fits_image.data
        if data.ndim == 3:  # a cube: one plane, as for the bands of a raster
            if band is None:
                fail(f"input {str(path)!r} is a FITS cube of {data.shape[0]} planes; pick one with `band`=N")
            if band > data.shape[0]:
                fail(f"`band` must be between 1 and {data.shape[0]} for {str(path)!r}, got {band}")
            data = data[band - 1]
        elif data.ndim == 2 and band not in (None, 1):
            fail(f"`band` must be 1 for {str(path)!r}, which has one plane, got {band}")
        if data.ndim != 2:
            fail(f"input {str(path)!r} must be a 2-D image (or a cube with `band`), got shape {data.shape}")
        return Source(path, tuple(data.shape), data.dtype, image=data, fits=fits_image)
    opened = _open_georeferenced(path, band)
    if opened is not None:
        reader, raster = opened
        if len(reader.bands) > 1:  # no band chosen on a multi-band raster: never band 1 silently
            fail(
                f"input {str(path)!r} has {len(reader.bands)} bands; pick one with `band`=N, or take each "
                "with `band`='all'"
            )
        return Source(path, tuple(reader.shape), reader.dtype, reader=reader, raster=raster)
    image = read_image(path)
    if image.ndim == 3 and band is not None:
        if not 1 <= band <= image.shape[-1]:
            fail(f"`band` must be between 1 and {image.shape[-1]} for {str(path)!r}, got {band}")
        image = image[..., band - 1]
    elif image.ndim == 3 and image.shape[-1] in (3, 4):
        fail(f"input {str(path)!r} has {image.shape[-1]} colour channels; pick one with `band`=N")
    elif image.ndim == 2 and band not in (None, 1):
        fail(f"`band` must be 1 for {str(path)!r}, which has one band, got {band}")
    if image.ndim != 2:
        fail(f"input {str(path)!r} must be a 2-D image, got shape {image.shape}")
    return Source(path, image.shape, image.dtype, image=image)


def check_writable(output: str | os.PathLike, dtype: Any, planes: int = 1) -> None:
    """Refuse, before any work, an output whose format cannot hold the result (floats or a stack in a PNG).

    Parameters
    ----------
    output : str or path-like
        The file `write_like` will write.
    dtype : dtype
        The result's dtype.
    planes : int, default 1
        Bands or frames in the result.

    Examples
    --------
    >>> from pixelsmith.io import check_writable
    >>> check_writable("out.tif", "float64", planes=6)   # a GeoTIFF holds it
    """
    from .fits import is_fits_path
    from .image import format_holds

    output = Path(output)
    holds_stacks = is_fits_path(output) or output.suffix.lower() in RASTER_SUFFIXES | {".npy"}
    if planes > 1 and not holds_stacks:
        fail(f"output {str(output)!r}: a result of {planes} bands or frames needs .tif, .fits or .npy")
    if is_fits_path(output) or output.suffix.lower() in RASTER_SUFFIXES or format_holds(output, dtype):
        return
    fail(
        f"output {str(output)!r}: {output.suffix.lower()} holds 8- or 16-bit integers, and the result is "
        f"{np.dtype(dtype)}; write .tif, .fits or .npy"
    )


def _write_source_like(output: Path, result: Any, source: Source, progress, history: str | None) -> None:
    """Write `result` to `output` like `source`: GeoTIFF with its georeferencing, or an image."""
    from .image import write_image
    from .raster import default_nodata, write_raster

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
    from .fits import is_fits_path, write_fits

    if is_fits_path(output) and source.fits is not None and np.shape(result) == source.shape:
        write_fits(output, result, like=source.fits, history=history)  # same grid: headers, WCS and BUNIT kept
    else:
        write_image(output, result)
    progress(1, 1)


@dataclass(frozen=True)
class Planes:
    """The planes of an input, processed one by one: raster bands, frames of a stack, or colour channels.

    Attributes
    ----------
    sources : list of Source
        One a plane.
    numbers : list of int
        Their 1-based numbers in the file.
    kind : {'band', 'frame'}
        What the planes are.
    channels_last : bool
        The planes were the channels of a colour image (results are stacked
        along the last axis again).
    """

    sources: list[Source]
    numbers: list[int]  # 1-based band or frame numbers, as `band` counts
    kind: str  # "band" or "frame"
    channels_last: bool = False  # the planes were the channels of a colour image

    @property
    def single(self) -> bool:
        return len(self.sources) == 1


def read_any(
    path: str | os.PathLike, *, band: int | list[int] | str | None = None, hdu: Any = None, frames: bool = False
) -> Planes:
    """Open any image file as the planes to process one by one: the bands of a raster, the frames of a
    stack (TIFF pages, FITS cube, 3-D .npy), or the channels of a colour image.

    Parameters
    ----------
    path : str or path-like
        GeoTIFF (or any GDAL raster with georeferencing), FITS, TIFF, PNG, JPEG or .npy.
    band : int, list of int or 'all', optional
        1-based bands (frames, channels) to take; 'all' takes every one. A file of
        several planes needs it (or `frames`); a single plane needs none.
    hdu : int, str or (str, int), optional
        FITS HDU (default: the first with image data); refused for other files.
    frames : bool, default False
        Take every frame of a stack.

    Returns
    -------
    Planes
        ``.sources`` (one `Source` a plane), ``.numbers`` (1-based), ``.kind`` ('band' or 'frame').

    Examples
    --------
    See the module's example.
    """
    from .fits import is_fits_path, read_fits
    from .image import read_image

    path = Path(path)
    selection = [band] if isinstance(band, int) and not isinstance(band, bool) else band
    if (
        selection is not None
        and selection != "all"
        and not (isinstance(selection, list) and all(isinstance(n, int) and n >= 1 for n in selection))
    ):
        fail(f"`band` must be a 1-based number, a list of them or 'all', got {band!r}")
    _check_hdu_for(path, hdu)
    if not frames and isinstance(selection, list) and len(selection) == 1:
        return Planes([read_plane(path, band=selection[0], hdu=hdu)], selection, "band")
    if is_fits_path(path):
        fits_image = read_fits(path, hdu=hdu)
        stack, kind, fits = fits_image.data, "frame", fits_image
    elif (opened := _open_georeferenced(path, None)) is not None:
        from .raster import open_raster

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
    from .fits import is_fits_path

    if hdu is not None and not is_fits_path(path):
        fail(f"`hdu` chooses an HDU of a FITS file; {str(path)!r} is not one (.fits, .fit, .fts, .fits.gz)")


def _open_georeferenced(path: Path, band: int | None) -> Any:
    """(reader, raster) of a georeferenced raster file (every band when `band` is None), or None for
    any other file: a plain image, or a TIFF without georeferencing, is read as an image."""
    if path.suffix.lower() not in RASTER_SUFFIXES:
        return None
    from .raster import open_raster

    try:
        return open_raster(path, band)
    except PixelsmithValueError as exc:
        if "no georeferencing" not in str(exc):
            raise
        return None


def _chosen(selection: list[int] | str | None, frames: bool, count: int, path: Path, what: str) -> list[int]:
    """The 1-based plane numbers chosen by `band` / `frames` out of `count`."""
    if selection is None and not frames:
        if count == 1:
            return [1]
        hint = (
            "`frames`=True to process each frame" if what == "frames" else f"`band`='all' to process each of the {what}"
        )
        fail(f"input {str(path)!r} has {count} {what}; pass {hint}, or pick one with `band`=N")
    if selection is None or selection == "all":
        return list(range(1, count + 1))
    bad = [n for n in selection if n > count]
    if bad:
        fail(f"`band` must be between 1 and {count} for {str(path)!r}, got {bad[0]}")
    return list(selection)


def _stack(results: list[Any], planes: Planes) -> Any:
    """One result per plane -> one array: (planes, rows, cols), or (rows, cols, channels) for colour input."""
    if len(results) == 1:
        return results[0]
    if any(is_dask_array(r) for r in results):
        import dask.array as da

        return da.stack(results, axis=-1 if planes.channels_last else 0)
    return np.stack(results, axis=-1 if planes.channels_last else 0)


def write_like(
    path: str | os.PathLike,
    result: Any,
    like: Planes | Source,
    *,
    progress: Any = None,
    source: Source | None = None,
    history: str | None = None,
) -> None:
    """Write `result` like the file `like` was read from, atomically.

    A GeoTIFF keeps the transform, CRS, nodata and band names (for a result on
    a coarser grid, pass `source` from ``Source.coarsened``), a FITS file of the
    same shape its header and WCS; anything else is written as an image or
    array by its suffix. A dask result is computed and written block by block.

    Parameters
    ----------
    path : str or path-like
        The output; check it first with `check_writable`.
    result : numpy.ndarray, dask.array.Array or list of them
        One array (one plane, or every plane stacked along axis 0, or along
        the last axis for the channels of a colour image), or one array per
        plane of `like`.
    like : Planes or Source
        What `read_any` or `read_plane` returned.
    progress : callable, optional
        ``progress(done, total)`` after each written block.
    source : Source, optional
        The metadata to write with, when not `like`'s own (a coarser grid).
    history : str, optional
        What was done, written as a HISTORY card of a FITS output (the CLI
        writes its command line).

    Examples
    --------
    See the module's example.
    """
    output = Path(path)
    progress = progress or (lambda done, total: None)
    planes = like if isinstance(like, Planes) else Planes([like], [1], "band")
    if isinstance(result, (list, tuple)):
        result = _stack(list(result), planes)
    source = planes.sources[0] if source is None else source
    if planes.single:
        _write_source_like(output, result, source, progress, history)
        return
    if source.raster is not None:
        names = tuple((s.raster.band_names or (None,))[0] for s in planes.sources)
        source = replace(source, raster=replace(source.raster, band_names=names))
    elif source.fits is not None and planes.kind == "frame":
        source = replace(source, shape=tuple(source.fits.data.shape))  # the whole cube keeps its header
    _write_source_like(output, result, source, progress, history)
