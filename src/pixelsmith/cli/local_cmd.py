"""`pixelsmith local` and `pixelsmith blocks`: window and block statistics of a raster or image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from ._common import (
    check_paths,
    dask_cluster,
    fail,
    one_line_errors,
    parse_footprint,
    parse_hdu,
    parse_size,
    parse_stat,
    progress_bar,
)
from ._files import Planes, check_output_format, load_planes, save_planes, stack_planes
from ._options import (
    Bands,
    BlockFunc,
    Chunks,
    Frames,
    Hdu,
    Mode,
    NanPolicy,
    Overwrite,
    PercentileMethod,
    Quiet,
    Scheduler,
    Workers,
)

# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "local",
    epilog=(
        "Examples:\n\n"
        "  pixelsmith local dem.tif roughness.tif --stat std --size 3\n\n"
        "  pixelsmith local big.tif var5.tif --stat var --size 5 --chunks 2048 --workers 2\n\n"
        "  pixelsmith local img.png mean.tif --stat mean --footprint disk:4 --nan omit\n\n"
        "  pixelsmith local landcover.tif diversity.tif --stat variety --footprint annulus:2,5\n\n"
        "  pixelsmith local dem.tif p90.tif --stat percentile:90 --footprint box:15\n\n"
        "  pixelsmith local landsat.tif smooth.tif --stat mean --size 5 --band all\n\n"
        "  pixelsmith local cube.fits cube_med.fits --stat median --size 3 --frames"
    ),
)
@one_line_errors
def local(
    input: Path = typer.Argument(..., help="Input raster (GeoTIFF...) or image (.png, .tif, .npy)."),
    output: Path = typer.Argument(..., help="Output file (.tif keeps georeferencing; .npy)."),
    stat: str = typer.Option(
        "mean",
        "--stat",
        help=(
            "Statistic of each window: mean, sum, var, std, min, max, count, median, percentile:Q, range, "
            "majority, variety."
        ),
    ),
    size: str = typer.Option("3", "--size", help="Window size: N or ROWS,COLS."),
    footprint: str = typer.Option(
        None,
        "--footprint",
        help=(
            "Window shape instead of --size: disk:R, annulus:R1,R2 or box:N in pixels, or with a unit "
            "(m, km, ft) on a projected raster: disk:150m."
        ),
    ),
    mode: Mode = typer.Option(Mode.reflect, "--mode", help="How edges are extended (scipy.ndimage)."),
    cval: float = typer.Option(0.0, "--cval", help="Value beyond the edges for --mode constant."),
    nan: NanPolicy = typer.Option(NanPolicy.propagate, "--nan", help="NaN/nodata: propagate or omit."),
    ddof: float = typer.Option(0.0, "--ddof", help="Delta degrees of freedom for var/std."),
    percentile_method: PercentileMethod = typer.Option(
        PercentileMethod.linear,
        "--percentile-method",
        help="For percentile: numpy's linear, lower, higher, nearest, midpoint, or scipy (percentile_filter's rank).",
    ),
    band: Bands = None,
    frames: Frames = False,
    hdu: Hdu = None,
    chunks: Chunks = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Moving-window statistic (mean, sum, var, std, min, max, count, median, percentile, range,
    majority, variety) of a raster or image."""
    from ..local import local_stat_dtype

    check_paths([input], output, overwrite)
    name, q = parse_stat(stat)
    window = parse_size(size)
    planes = load_planes(input, band=band, hdu=parse_hdu(hdu), frames=frames)
    source = planes.sources[0]
    fp = parse_footprint(footprint, lambda: _pixel_size_metres(source))
    if isinstance(fp, (int, tuple)):  # a box is a plain window size
        window, fp = fp, None
    # every argument checked against the input, and the output format against the result, before the work
    out_dtype = local_stat_dtype(
        source.shape, source.dtype, name, window, footprint=fp, mode=mode.value, cval=cval, nan_policy=nan.value,
        ddof=ddof, q=q, method=percentile_method.value if name == "percentile" else "linear",
    )  # fmt: skip
    check_output_format(output, out_dtype, len(planes.sources))
    options = {"footprint": fp, "mode": mode.value, "cval": cval, "nan_policy": nan.value}

    def statistic(data):
        from .. import local_stat

        extra = (
            {"q": q, "method": percentile_method.value}
            if name == "percentile"
            else {"ddof": ddof}
            if name in ("var", "std")
            else {}
        )
        return local_stat(data, name, window, **extra, **options)

    with dask_cluster(workers, scheduler, quiet):
        if chunks and _streams(planes, output):
            _map_raster(statistic, input, output, planes, chunks, f"local {stat}", quiet)
            return
        distributed = chunks or workers or scheduler
        results = [statistic(plane.lazy(chunks or 2048) if distributed else plane.array()) for plane in planes.sources]
        _save(output, stack_planes(results, planes), planes, f"local {stat}", quiet)


@commands.command(
    "blocks",
    epilog=(
        "Examples:\n\n"
        "  pixelsmith blocks mask.tif density.tif --block 8 --func fraction_nonzero\n\n"
        "  pixelsmith blocks dem.tif coarse.tif --block 4 --func mean --chunks 2048"
    ),
)
@one_line_errors
def blocks(
    input: Path = typer.Argument(..., help="Input raster or image."),
    output: Path = typer.Argument(..., help="Output file; a GeoTIFF gets the coarser pixel size."),
    block: str = typer.Option("8", "--block", help="Block size: N or ROWS,COLS."),
    func: BlockFunc = typer.Option(BlockFunc.mean, "--func", help="Reduction of each block."),
    boundary: str = typer.Option("trim", "--boundary", help="Partial blocks: trim or pad."),
    band: Bands = None,
    frames: Frames = False,
    hdu: Hdu = None,
    chunks: Chunks = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Block reduction (density maps, block means...) of a raster or image."""
    from ..blocks import block_reduce

    check_paths([input], output, overwrite)
    if boundary not in ("trim", "pad"):
        fail(f"--boundary must be trim or pad, got {boundary!r}")
    sizes = parse_size(block)
    sizes = (sizes, sizes) if isinstance(sizes, int) else sizes
    planes = load_planes(input, band=band, hdu=parse_hdu(hdu), frames=frames)
    check_output_format(output, np.float64, len(planes.sources))  # block statistics are float
    with dask_cluster(workers, scheduler, quiet):
        if chunks and _streams(planes, output):

            def reduce(data):
                return block_reduce(data, sizes, func.value, boundary=boundary)

            _map_raster(reduce, input, output, planes, chunks, f"blocks {func.value}", quiet, block=sizes)
            return
        distributed = chunks or workers or scheduler
        results = [
            block_reduce(
                plane.lazy(chunks or 2048) if distributed else plane.array(), sizes, func.value, boundary=boundary
            )
            for plane in planes.sources
        ]
        coarse = planes.sources[0].coarsened(sizes)
        _save(output, stack_planes(results, planes), planes, f"blocks {func.value}", quiet, source=coarse)


def _pixel_size_metres(source) -> tuple[float, float]:
    if source.raster is None:
        from .. import PixelsmithValueError

        raise PixelsmithValueError(f"{source.path.name} is not georeferenced (no CRS); give the window in pixels")
    return source.raster.pixel_size_metres()


def _streams(planes: Planes, output: Path) -> bool:
    """One band of a georeferenced raster into a GeoTIFF: the case pixelsmith.io.map_raster streams."""
    return planes.single and planes.sources[0].reader is not None and output.suffix.lower() in (".tif", ".tiff")


def _map_raster(func, input: Path, output: Path, planes: Planes, chunks: int, what: str, quiet: bool, **kw) -> None:
    from ..io.raster import map_raster

    with progress_bar(f"{what} -> {output.name}", quiet) as update:
        map_raster(func, input, output, band=planes.numbers[0], chunks=chunks, progress=update, **kw)
    if not quiet:
        typer.echo(f"wrote {output}", err=True)


def _save(output: Path, result, planes: Planes, what: str, quiet: bool, *, source=None) -> None:
    """Write the result like its input, with a progress bar, and say where."""
    with progress_bar(f"{what} -> {output.name}", quiet) as update:
        save_planes(output, result, planes, update, source=source)
    if not quiet:
        typer.echo(f"wrote {output}", err=True)


__all__ = ["commands"]
