"""GeoTIFF (and any GDAL raster) reading and writing with rasterio, windowed for scale.

`read_raster` keeps the georeferencing (transform, CRS, nodata, band names,
tags) beside the pixels; nodata pixels become NaN for float work and the
validity mask is kept. With ``chunks=`` the pixels are a lazily read dask
array, one windowed read per chunk. `write_raster` writes numpy or dask data
(block by block, never materialising a dask array) to a temporary file beside
the destination and renames it into place.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._readers import register_reader
from .._validate import PixelsmithTypeError, PixelsmithValueError, is_dask_array, require, unmasked
from ._atomic import atomic_path
from ._gdal_access import GDAL_ACCESS, WRITE_CACHE_BYTES

__all__ = ["Raster", "RasterReader", "open_raster", "read_raster", "write_raster", "map_raster", "pixel_to_map"]

# chunks smaller than this along an axis (that is longer than it) cost more in scheduling than in work:
# map_raster and the command line's --chunks refuse them alike
MIN_CHUNK = 16


@dataclass(frozen=True)
class Raster:
    """Pixels plus georeferencing.

    Attributes
    ----------
    data : numpy.ndarray or dask.array.Array
        ``(rows, cols)`` for one band, ``(bands, rows, cols)`` for several.
    transform : affine.Affine
        Pixel (col, row) -> map (x, y) of the pixel's upper-left corner.
    crs : rasterio.crs.CRS or None
        Coordinate reference system.
    nodata : float or None
        The file's nodata value (such pixels are NaN in float `data`).
    band_names : tuple of str or None
        Band descriptions.
    tags : dict
        Dataset tags (metadata) of the file.
    mask : numpy.ndarray, dask.array.Array or None
        True where a pixel is valid (not nodata); None when the file has no nodata.
    """

    data: Any
    transform: Any
    crs: Any = None
    nodata: float | None = None
    band_names: tuple[str | None, ...] = ()
    tags: dict = field(default_factory=dict)
    mask: Any = None

    def with_data(self, data: Any, **changes: Any) -> Raster:
        """Same georeferencing, new pixels (the mask is dropped unless given)."""
        return replace(self, data=data, mask=changes.pop("mask", None), **changes)

    def pixel_size_metres(self) -> tuple[float, float]:
        """(row, col) pixel size in metres, for windows given in map units (`pixelsmith.footprints`).

        Refused, with the reason, for a raster without a CRS or in a geographic
        CRS (a degree of longitude is not a fixed number of metres).

        Examples
        --------
        >>> from rasterio.transform import from_origin
        >>> Raster(None, from_origin(500000, 4e6, 30, 10), "EPSG:32633").pixel_size_metres()
        (10.0, 30.0)
        """
        if self.crs is None:
            raise PixelsmithValueError(
                "the raster has no CRS, so its pixels have no size in metres; give the window in pixels"
            )
        from rasterio.crs import CRS

        crs = CRS.from_user_input(self.crs)
        if not crs.is_projected:
            raise PixelsmithValueError(
                f"the raster's CRS ({crs.to_string()}) is geographic: its pixels are degrees, not a fixed number "
                "of metres; reproject it to a projected CRS (e.g. its UTM zone) or give the window in pixels"
            )
        to_metres = float(crs.linear_units_factor[1])
        a, b, _, d, e, _ = tuple(self.transform)[:6]
        return (float(np.hypot(b, e)) * to_metres, float(np.hypot(a, d)) * to_metres)

    def to_xarray(self, name: str | None = None) -> Any:
        """The pixels as an ``xarray.DataArray`` with map coordinates, lazily when `data` is a dask array.

        Dims are ``("y", "x")``, or ``("band", "y", "x")`` with 1-based band
        numbers and a ``band_name`` coordinate. ``x``/``y`` are the map
        coordinates of pixel centres. The CRS and transform are stored the way
        rioxarray reads them (a ``spatial_ref`` coordinate with ``crs_wkt`` and
        ``GeoTransform``), so ``.rio.crs`` works when rioxarray is installed;
        ``attrs`` keep the nodata value and the file's tags.

        Parameters
        ----------
        name : str, optional
            The DataArray's name.

        Returns
        -------
        xarray.DataArray

        Examples
        --------
        >>> import numpy as np
        >>> from rasterio.transform import from_origin
        >>> raster = Raster(np.zeros((2, 3), np.float32), from_origin(500000, 4e6, 30, 30), "EPSG:32633")
        >>> da = raster.to_xarray("dem")
        >>> da.dims, da.x.values.tolist(), da.y.values.tolist()
        (('y', 'x'), [500015.0, 500045.0, 500075.0], [3999985.0, 3999955.0])
        """
        xr = require("xarray", "xarray", "Raster.to_xarray")
        if self.data is None:
            raise PixelsmithValueError("this Raster holds no pixels (data=None); read it with read_raster")
        a, b, c, d, e, f = tuple(self.transform)[:6]
        if b != 0 or d != 0:
            raise PixelsmithValueError(
                "a rotated or sheared transform has no 1-D x/y coordinates; warp the raster to a north-up grid first"
            )
        rows, cols = self.data.shape[-2:]
        coords: dict[str, Any] = {"y": f + e * (np.arange(rows) + 0.5), "x": c + a * (np.arange(cols) + 0.5)}
        dims: tuple[str, ...] = ("y", "x")
        if self.data.ndim == 3:
            dims = ("band", "y", "x")
            coords["band"] = np.arange(1, self.data.shape[0] + 1)
            if any(self.band_names):
                coords["band_name"] = ("band", [n or "" for n in self.band_names])
        spatial_ref = {"GeoTransform": f"{c} {a} {b} {f} {d} {e}"}
        if self.crs is not None:
            from rasterio.crs import CRS

            wkt = CRS.from_user_input(self.crs).to_wkt()
            spatial_ref.update(crs_wkt=wkt, spatial_ref=wkt)
        coords["spatial_ref"] = ((), 0, spatial_ref)
        attrs: dict[str, Any] = dict(self.tags)
        if self.nodata is not None:
            attrs["nodata"] = self.nodata
        return xr.DataArray(self.data, dims=dims, coords=coords, attrs=attrs, name=name)


def pixel_to_map(transform: Any, coords: Any) -> tuple[np.ndarray, np.ndarray]:
    """Map (x, y) of (row, col) pixel positions, integers being pixel centres (GDAL's transform is to corners).

    Parameters
    ----------
    transform : affine.Affine
        The raster's transform (`Raster.transform`).
    coords : array_like, (N, 2)
        (row, col) positions, as `find_peaks` returns them.

    Returns
    -------
    x, y : numpy.ndarray
        Map coordinates in the raster's CRS.

    Examples
    --------
    >>> from affine import Affine
    >>> x, y = pixel_to_map(Affine(30, 0, 500000, 0, -30, 4e6), [[0, 0], [2, 1]])
    >>> x.tolist(), y.tolist()
    ([500015.0, 500045.0], [3999985.0, 3999925.0])
    """
    from .._validate import as_points

    points = as_points(coords, "coords", accept_one=True)
    a, b, c, d, e, f = tuple(transform)[:6]
    cols, rows = points[:, 1] + 0.5, points[:, 0] + 0.5
    return a * cols + b * rows + c, d * cols + e * rows + f


def _open(path: str | os.PathLike):
    rasterio = require("rasterio", "geo", "reading and writing GeoTIFFs")
    from rasterio.errors import RasterioIOError

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"input {str(p)!r} does not exist")
    if p.is_dir():
        raise PixelsmithValueError(f"input {str(p)!r} is a folder, not a raster file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NotGeoreferencedWarning: we check ourselves
            return rasterio.open(p)
    except RasterioIOError as exc:
        raise PixelsmithValueError(
            f"input {str(p)!r} is not a raster GDAL can read ({str(exc).splitlines()[0]})"
        ) from None


def _signature(path: str | os.PathLike) -> tuple[int, int]:
    """What changes when a file is replaced or rewritten: modification time and size.

    Not the inode: a dask worker on another machine (or in another container)
    may see the same file on shared storage under another inode number.
    """
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _float_dtype_for(dtype: np.dtype) -> np.dtype:
    """Smallest float that holds every value exactly (for NaN as nodata)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return dtype
    return np.dtype(np.float32) if dtype.itemsize <= 2 else np.dtype(np.float64)


@dataclass(frozen=True)
class RasterReader:
    """A picklable, lazily opened window reader (what each dask task uses).

    Reading opens the file per call, so it is safe from threads and processes.
    ``reader[rows, cols]`` (slices) returns float data with nodata as NaN.
    A file replaced or rewritten since it was opened is refused, not read:
    its new blocks would silently mix with blocks already read.
    """

    path: str
    bands: tuple[int, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    nodata: float | None
    squeeze: bool
    signature: tuple[int, int] = (0, 0)  # the file's (mtime in ns, size) when opened

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def read(self, rows: slice, cols: slice) -> np.ndarray:
        from rasterio.windows import Window

        window = Window(cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)
        if _signature(self.path) != self.signature:
            raise PixelsmithValueError(
                f"input {self.path!r} changed since it was opened (replaced, rewritten or removed); "
                "open it again (read_raster) to read its new contents"
            )
        with GDAL_ACCESS.shared(), _open(self.path) as src:
            raw = src.read(list(self.bands), window=window)
        data = raw.astype(self.dtype, copy=False)
        if self.nodata is not None:
            invalid = np.isnan(raw) if np.isnan(self.nodata) else raw == self.nodata
            if invalid.any():
                data = data.copy() if data is raw else data
                data[invalid] = np.nan
        return data[0] if self.squeeze else data

    def __getitem__(self, index):
        """numpy-style slicing, for `dask.array.from_array`."""
        if not isinstance(index, tuple):
            index = (index,)
        index = index + (slice(None),) * (self.ndim - len(index))
        norm = [slice(*s.indices(n)) if isinstance(s, slice) else s for s, n in zip(index, self.shape, strict=True)]
        if self.squeeze:
            rows, cols = norm
            lead = ()
        else:
            lead, rows, cols = (norm[0],), norm[1], norm[2]
        if any(s.step not in (None, 1) for s in (rows, cols)):
            raise PixelsmithValueError("RasterReader supports contiguous slices only")
        empty_rows = rows.stop <= rows.start
        empty_cols = cols.stop <= cols.start
        if empty_rows or empty_cols:
            shape = (max(rows.stop - rows.start, 0), max(cols.stop - cols.start, 0))
            out = np.empty(((len(self.bands),) if not self.squeeze else ()) + shape, self.dtype)
        else:
            out = self.read(rows, cols)
        return out[lead] if lead else out


def open_raster(
    path: str | os.PathLike, band: int | None = None, *, require_georeferencing: bool = True
) -> tuple[RasterReader, Raster]:
    """Open a raster without reading pixels: its window reader and its georeferencing.

    The returned `Raster` has ``data=None``; `read_raster` documents the arguments.
    """
    with GDAL_ACCESS.shared(), _open(path) as src:
        if require_georeferencing and src.crs is None and src.transform.is_identity:
            raise PixelsmithValueError(
                f"input {str(path)!r} has no georeferencing (no CRS, identity transform); "
                "read it with pixelsmith.io.read_image, or pass require_georeferencing=False"
            )
        if band is not None:
            if isinstance(band, bool) or not isinstance(band, (int, np.integer)):
                raise PixelsmithTypeError(f"`band` must be an int (1-based), got {band!r}")
            if not 1 <= band <= src.count:
                raise PixelsmithValueError(f"`band` must be between 1 and {src.count} for {str(path)!r}, got {band}")
            bands = (int(band),)
        else:
            bands = tuple(range(1, src.count + 1))
        nodata = src.nodata
        file_dtype = np.dtype(src.dtypes[bands[0] - 1])
        dtype = _float_dtype_for(file_dtype) if nodata is not None else file_dtype
        squeeze = len(bands) == 1
        shape = (src.height, src.width) if squeeze else (len(bands), src.height, src.width)
        reader = RasterReader(str(path), bands, shape, dtype, nodata, squeeze, _signature(path))
        meta = dict(
            transform=src.transform,
            crs=src.crs,
            nodata=nodata,
            band_names=tuple(src.descriptions[b - 1] for b in bands),
            tags=src.tags(),
        )
    return reader, Raster(data=None, **meta)


def read_raster(
    path: str | os.PathLike,
    band: int | None = None,
    *,
    chunks: int | tuple[int, int] | None = None,
    require_georeferencing: bool = True,
) -> Raster:
    """Read a GeoTIFF (or any raster GDAL reads) with its georeferencing.

    Parameters
    ----------
    path : str or path-like
        Raster file.
    band : int, optional
        1-based band number (GDAL's convention). Default: every band; a
        single-band file gives a 2-D array.
    chunks : int or (int, int), optional
        Return a lazily read dask array with chunks of this many rows x cols
        (one windowed read per chunk), for rasters larger than memory.
    require_georeferencing : bool, default True
        Refuse files with neither a CRS nor a transform (plain images); read
        those with `read_image`, or pass False.

    Returns
    -------
    Raster
        Pixels (nodata as NaN, in the smallest exact float type when the file
        has a nodata value; the file's dtype otherwise) and georeferencing.

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os
    >>> from rasterio.transform import from_origin
    >>> from pixelsmith.io import read_raster, write_raster
    >>> path = os.path.join(tempfile.mkdtemp(), "dem.tif")
    >>> r = write_raster(path, np.arange(12, dtype=np.float32).reshape(3, 4),
    ...                  transform=from_origin(500000, 4e6, 30, 30), crs="EPSG:32633")
    >>> raster = read_raster(path)
    >>> raster.data.shape, raster.crs.to_epsg(), raster.transform.a
    ((3, 4), 32633, 30.0)
    """
    reader, meta = open_raster(path, band, require_georeferencing=require_georeferencing)
    shape, squeeze = reader.shape, reader.squeeze
    if chunks is None:
        data = reader.read(slice(0, shape[-2]), slice(0, shape[-1]))
    else:
        import dask.array as da
        from dask.base import tokenize

        rc = _check_chunks(chunks)
        dask_chunks = rc if squeeze else (1,) + rc
        data = da.from_array(
            reader,
            chunks=dask_chunks,
            asarray=False,
            lock=False,
            fancy=False,
            name=f"read-raster-{Path(path).name}-{tokenize(reader, rc)}",
        )
        if squeeze:  # window statistics of this array read each block plus halo straight from the file
            register_reader(data.name, reader)
    mask = None
    if meta.nodata is not None:
        mask = ~np.isnan(data) if data.dtype.kind == "f" else None
    return replace(meta, data=data, mask=mask)


def write_raster(
    path: str | os.PathLike,
    raster_or_array: Raster | Any,
    *,
    like: Raster | str | os.PathLike | None = None,
    transform: Any = None,
    crs: Any = None,
    nodata: float | None | str = "like",
    band_names: Iterable[str | None] | None = None,
    compress: str | None = "deflate",
    tiled: bool = True,
    progress: Any = None,
) -> Path:
    """Write pixels as a GeoTIFF, atomically, keeping georeferencing.

    Parameters
    ----------
    path : str or path-like
        Destination; written to a temporary file beside it, then renamed.
    raster_or_array : Raster, numpy.ndarray or dask.array.Array
        ``(rows, cols)`` or ``(bands, rows, cols)``. A dask array is computed
        and written block by block.
    like : Raster or path, optional
        Take transform, CRS, nodata and band names from here (explicit
        arguments win). A `Raster` passed as data is its own `like`.
    transform, crs : optional
        Georeferencing (affine transform; anything rasterio's CRS accepts).
    nodata : float, None or 'like'
        Nodata value. Default: that of `like`, else NaN for float data with
        NaNs. NaN pixels are written as this value.
    band_names : sequence of str, optional
        Band descriptions.
    compress : str or None, default 'deflate'
        GDAL compression.
    tiled : bool, default True
        Write 256 x 256 tiles (fast windowed reads later).
    progress : callable, optional
        Called as ``progress(done, total)`` after each written block.

    Returns
    -------
    pathlib.Path
        The destination path.

    Examples
    --------
    See `read_raster`.
    """
    rasterio = require("rasterio", "geo", "reading and writing GeoTIFFs")
    from rasterio.windows import Window

    if isinstance(raster_or_array, Raster):
        like = raster_or_array if like is None else like
        data = raster_or_array.data
    else:
        data = raster_or_array
    if not is_dask_array(data):
        data = np.asarray(unmasked(data, "data", "data.filled(np.nan) to write masked values as nodata"))
    if data.ndim not in (2, 3):
        raise PixelsmithValueError(
            f"raster data must be 2-D (rows, cols) or 3-D (bands, rows, cols), got shape {tuple(data.shape)}"
        )
    if data.dtype.kind not in "biuf":
        raise PixelsmithTypeError(f"raster data must be numeric, got dtype {data.dtype}")
    if isinstance(like, (str, os.PathLike)):
        like = read_raster(like, chunks=1 << 30, require_georeferencing=False)
    like_meta = like if isinstance(like, Raster) else None
    transform = transform if transform is not None else (like_meta.transform if like_meta else None)
    crs = crs if crs is not None else (like_meta.crs if like_meta else None)
    if nodata == "like":
        nodata = like_meta.nodata if like_meta else None
        if nodata is None and data.dtype.kind == "f":
            nodata = float("nan")
    names = tuple(band_names) if band_names is not None else (like_meta.band_names if like_meta else ())
    count = 1 if data.ndim == 2 else data.shape[0]
    rows, cols = data.shape[-2:]
    dtype = np.dtype(np.uint8) if data.dtype == bool else data.dtype
    if nodata is not None and not np.isnan(nodata) and dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= nodata <= info.max:
            raise PixelsmithValueError(f"`nodata` {nodata} does not fit the data type {dtype}")
    profile = dict(
        driver="GTiff",
        width=cols,
        height=rows,
        count=count,
        dtype=dtype.name,
        transform=transform,
        crs=crs,
        nodata=nodata,
    )
    if compress:
        profile["compress"] = compress
    if tiled and rows >= 16 and cols >= 16:
        profile.update(tiled=True, blockxsize=min(256, _tile(cols)), blockysize=min(256, _tile(rows)))
    if dtype.kind == "f" and compress:
        profile["predictor"] = 3 if dtype.itemsize in (4, 8) else 1

    def prepared(block: np.ndarray) -> np.ndarray:
        block = np.asarray(block)
        if block.dtype == bool:
            block = block.astype(np.uint8)
        if nodata is not None and not np.isnan(nodata) and block.dtype.kind == "f":
            block = np.where(np.isnan(block), nodata, block).astype(dtype, copy=False)
        return block

    def write(block: np.ndarray, index: tuple[slice, ...] | None) -> None:
        """Write a block at `index` (None: the whole raster), with no other GDAL access beside it."""
        block = prepared(block)
        if data.ndim == 2:
            bands: int | list[int] = 1
        else:
            first, last = (0, count) if index is None else (index[0].start, index[0].stop)
            bands = list(range(first + 1, last + 1))
        window = None if index is None else Window.from_slices(index[-2], index[-1])
        with GDAL_ACCESS.exclusive():
            dst.write(block, bands, window=window)

    # GDAL's block cache defaults to 5% of RAM; written blocks need little of it
    with atomic_path(path, ".tif") as tmp, rasterio.Env(GDAL_CACHEMAX=WRITE_CACHE_BYTES):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NotGeoreferencedWarning for plain arrays
            with GDAL_ACCESS.exclusive():
                dst = rasterio.open(tmp, "w", **profile)
            try:
                for i, name in enumerate(names[:count], 1):
                    if name:
                        dst.set_band_description(i, name)
                if like_meta is not None and like_meta.tags:
                    dst.update_tags(**like_meta.tags)
                if is_dask_array(data):
                    from ..scale import iter_computed_blocks  # the computing is not io's: blocks arrive done

                    for done, total, index, block in iter_computed_blocks(data):
                        write(block, index)
                        if progress:
                            progress(done, total)
                else:
                    write(data, None)
                    if progress:
                        progress(1, 1)
            finally:
                with GDAL_ACCESS.exclusive():  # closing flushes the blocks still in the cache
                    dst.close()
    return Path(path)


def map_raster(
    func: Callable[[Any], Any],
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    band: int | None = None,
    chunks: int | tuple[int, int] = 2048,
    block: int | tuple[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Apply `func` to a raster larger than memory, chunk by chunk, and write a GeoTIFF that keeps its place.

    The raster is read lazily (`read_raster` with `chunks`) and given to `func`
    as a dask array; `func` returns a dask array built from pixelsmith
    functions (or any dask code), which is computed and written block by
    block, so memory stays at a few chunks whatever the raster's size. A
    window statistic (`local_std`, ...) of one band reads each chunk plus its
    halo straight from the file, and equals the in-memory result bit for bit.

    Parameters
    ----------
    func : callable
        ``func(data) -> result``: `data` is a (rows, cols) dask array (or
        (bands, rows, cols) without `band` on a multi-band file), nodata as NaN.
    src : str or path-like
        The input raster (any GDAL format).
    dst : str or path-like
        The output GeoTIFF, written atomically.
    band : int, optional
        1-based band to read; default every band.
    chunks : int or (int, int), default 2048
        Rows and columns per chunk.
    block : int or (int, int), optional
        For a result smaller than the input (a block reduction): input pixels
        per output pixel, to scale the transform. Inferred when the shapes leave
        no doubt.
    progress : callable, optional
        ``progress(done, total)`` after each written block.

    Returns
    -------
    pathlib.Path
        The destination.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from rasterio.transform import from_origin
    >>> import pixelsmith as ps
    >>> from pixelsmith.io import map_raster, read_raster, write_raster
    >>> folder = tempfile.mkdtemp()
    >>> dem = np.random.default_rng(0).normal(size=(300, 200)).cumsum(0).astype(np.float32)
    >>> _ = write_raster(os.path.join(folder, "dem.tif"), dem, transform=from_origin(0, 3000, 10, 10), crs="EPSG:32633")
    >>> _ = map_raster(lambda a: ps.local_std(a, 5), os.path.join(folder, "dem.tif"),
    ...                os.path.join(folder, "rough.tif"), chunks=128)
    >>> bool(np.array_equal(read_raster(os.path.join(folder, "rough.tif")).data, ps.local_std(dem, 5)))
    True
    >>> _ = map_raster(lambda a: ps.block_reduce(a, 4), os.path.join(folder, "dem.tif"),
    ...                os.path.join(folder, "coarse.tif"), chunks=128)
    >>> read_raster(os.path.join(folder, "coarse.tif")).transform.a
    40.0
    """
    rows_chunk, cols_chunk = _check_chunks(chunks)
    with GDAL_ACCESS.shared(), _open(src) as probe:
        height, width = probe.height, probe.width
    if min(rows_chunk, height) < min(MIN_CHUNK, height) or min(cols_chunk, width) < min(MIN_CHUNK, width):
        tasks = -(-height // rows_chunk) * -(-width // cols_chunk)
        raise PixelsmithValueError(
            f"`chunks` {chunks!r} would make {tasks} tasks for a {height} x {width} raster, each costing more to "
            f"schedule than to compute; use chunks of at least {MIN_CHUNK} rows and columns (e.g. 2048)"
        )
    raster = read_raster(src, band, chunks=chunks)
    result = func(raster.data)
    if not hasattr(result, "shape") or np.ndim(result) not in (2, 3):
        raise PixelsmithTypeError(f"`func` must return a 2-D or (bands, rows, cols) array, got {type(result).__name__}")
    rows, cols = raster.data.shape[-2:]
    out_rows, out_cols = result.shape[-2:]
    transform = raster.transform
    if (out_rows, out_cols) != (rows, cols):
        factors = _block_factors((rows, cols), (out_rows, out_cols), block)
        from affine import Affine

        transform = raster.transform @ Affine.scale(factors[1], factors[0])
    like = raster.with_data(None, transform=transform)
    return write_raster(dst, result, like=like, nodata=default_nodata(like, result.dtype), progress=progress)


def default_nodata(like: Raster | None, dtype: Any) -> float | str | None:
    """The nodata of a result written like `like`: the source's ('like'), else NaN for floats, else none."""
    if like is not None and like.nodata is not None:
        return "like"
    return float("nan") if np.dtype(dtype).kind == "f" else None


def _block_factors(shape: tuple[int, int], out: tuple[int, int], block: Any) -> tuple[int, int]:
    """Input pixels per output pixel along rows and cols: given, or the one factor the shapes allow."""
    if block is not None:
        factors = (block, block) if isinstance(block, (int, np.integer)) else tuple(block)
        return int(factors[0]), int(factors[1])
    found = []
    for n, m in zip(shape, out, strict=True):
        fits = [b for b in range(1, n + 1) if n // b == m or -(-n // b) == m]
        if len(fits) != 1:
            raise PixelsmithValueError(
                f"the result's shape {out} is not the raster's {shape}; pass block= (input pixels per output "
                "pixel) so the transform can be scaled" + ("" if fits else ", or write the result with write_raster")
            )
        found.append(fits[0])
    return found[0], found[1]


def _tile(n: int) -> int:
    """Largest multiple of 16 not above n (GDAL needs tile sizes in 16s)."""
    return max(16, (n // 16) * 16)


def _check_chunks(chunks: Any) -> tuple[int, int]:
    """``chunks`` as (rows, cols) of positive integers, or a clear error."""
    pair = (chunks, chunks) if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool) else chunks
    try:
        rows, cols = pair
    except (TypeError, ValueError):
        raise PixelsmithValueError(f"`chunks` must be an int or (rows, cols), got {chunks!r}") from None
    for value in (rows, cols):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise PixelsmithValueError(f"`chunks` must be positive integers (rows, cols), got {chunks!r}; e.g. 2048")
    return int(rows), int(cols)
