"""`pixelsmith peaks` and `pixelsmith apertures`: source finding and aperture sums to CSV."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import typer

from .. import PixelsmithError
from ._common import check_paths, fail, one_line_errors, parse_hdu
from ._files import load_input, load_planes
from ._options import Band, Bands, Frames, Hdu, Json, Overwrite, Quiet

# sky coordinates in degrees need more than 6 decimals (1e-6 deg = 3.6 mas): 1e-10 deg
_FORMATS = {"ra": "%.10f", "dec": "%.10f"}


def _emit(table: dict[str, np.ndarray], out: Path | None, as_json: bool, quiet: bool, what: str) -> None:
    """Write `table` to --out (CSV), or print it to stdout as CSV or JSON."""
    from ..io.table import write_csv

    if out is not None:
        write_csv(out, table, float_format=_FORMATS)
        if not quiet:
            typer.echo(f"wrote {len(next(iter(table.values())))} {what} to {out}", err=True)
        return
    if as_json:
        columns = [
            [None if isinstance(x, float) and not np.isfinite(x) else x for x in v.tolist()] for v in table.values()
        ]
        rows = [dict(zip(table, values, strict=True)) for values in zip(*columns, strict=True)]
        typer.echo(json.dumps(rows))  # NaN becomes null: valid JSON
        return
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(list(table))
    for values in zip(*(v.tolist() for v in table.values()), strict=True):
        row = zip(table, values, strict=True)
        writer.writerow([_FORMATS.get(name, "%.6f") % v if isinstance(v, float) else v for name, v in row])


def _check_out(inputs: list[Path], out: Path | None, overwrite: bool) -> None:
    if out is None:
        for src in inputs:
            if not src.exists():
                fail(f"input {str(src)!r} does not exist")
        return
    if out.suffix.lower() != ".csv":
        fail(f"--out {str(out)!r} must be a .csv file")
    check_paths(inputs, out, overwrite)


def _load_data(path: Path, band: int | None, hdu=None) -> tuple[np.ndarray, object]:
    """An image (H, W), or a stack (T, H, W) from a multi-page TIFF, .npy or FITS cube; and the FitsImage."""
    from ..io import read_image
    from ..io.fits import is_fits_path, read_fits

    if is_fits_path(path):
        fits_image = read_fits(path, hdu=hdu)
        data = fits_image.data
        if band is not None:
            return load_input(path, band=band, hdu=hdu).array(), fits_image
        if data.ndim not in (2, 3):
            fail(f"input {str(path)!r} must be an image or a cube (frames, rows, cols), got shape {data.shape}")
        return data, fits_image
    if path.suffix.lower() in (".npy", ".tif", ".tiff"):
        data = read_image(path)
        if data.ndim == 3 and data.shape[-1] in (3, 4) and path.suffix.lower() != ".npy":
            fail(f"input {str(path)!r} looks like colour ({data.shape}); pick a channel with --band N")
        if data.ndim in (2, 3) and band is None:
            return data, None
    return load_input(path, band=band).array(), None


def _catalog_centers(at: Path, fits_image) -> tuple[np.ndarray, dict[str, np.ndarray], Any]:
    """(row, col) centres, the catalogue's sky columns, and its ids (`io.catalog.read_catalog`)."""
    from ..io.catalog import SkyOnlyCatalogError, read_catalog

    wcs = fits_image if fits_image is not None and fits_image.wcs is not None else None
    try:
        catalog = read_catalog(at, wcs=wcs)
    except SkyOnlyCatalogError:
        fail(f"--at {str(at)!r} gives ra,dec: the image must be a FITS file with a celestial WCS to place them")
    except PixelsmithError as exc:
        fail(str(exc).replace("catalog ", "--at ", 1))
    sky = {} if catalog.ra is None else {"ra": catalog.ra, "dec": catalog.dec}
    return catalog.positions, sky, catalog.ids


def _peak_table(found, source) -> dict[str, np.ndarray]:
    """row, col, height, and map_x/map_y (GeoTIFF) or ra/dec (FITS with a celestial WCS)."""
    table = {"row": found.coords[:, 0], "col": found.coords[:, 1], "height": found.heights}
    if source.raster is not None:
        from ..io.raster import pixel_to_map

        table["map_x"], table["map_y"] = pixel_to_map(source.raster.transform, found.coords)
    if source.fits is not None and source.fits.wcs is not None:
        sky = found.with_sky(source.fits)
        table["ra"], table["dec"] = sky.ra, sky.dec
    return table


# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "peaks",
    epilog=(
        "Writes row,col,height (strongest first); a GeoTIFF adds map_x,map_y, a FITS file with a "
        "celestial WCS ra,dec (degrees). With --band all or --frames, a first column band (from 1) or "
        "frame (from 0) says where each peak was found.\n\n"
        "Examples:\n\n"
        "  pixelsmith peaks field.tif --nsigma 5 --min-distance 3 --out peaks.csv\n\n"
        "  pixelsmith peaks image.png --band 1 --sigma 1.5 --subpixel --json"
    ),
)
@one_line_errors
def peaks(
    image: Path = typer.Argument(..., help="Image or raster to search."),
    out: Path = typer.Option(None, "--out", help="CSV to write; default: print to stdout."),
    nsigma: float = typer.Option(None, "--nsigma", help="Threshold: median + N x robust noise."),
    threshold: float = typer.Option(None, "--threshold", help="Absolute threshold."),
    min_distance: float = typer.Option(1.0, "--min-distance", help="Minimum distance between peaks (px)."),
    sigma: float = typer.Option(
        None, "--sigma", "--smooth", help="Gaussian sigma (px) applied first (--smooth: old name)."
    ),
    subpixel: bool = typer.Option(False, "--subpixel", help="Refine positions to sub-pixel precision."),
    max_count: int = typer.Option(
        None, "--max-count", "--max-peaks", help="Keep at most this many (--max-peaks: old name)."
    ),
    exclude_border: int = typer.Option(1, "--exclude-border", help="Ignore peaks this close to an edge."),
    band: Bands = None,
    frames: Frames = False,
    hdu: Hdu = None,
    as_json: Json = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Find peaks (local maxima) above a threshold, strongest first (per band or frame with several)."""
    from ..sources import find_peaks

    _check_out([image], out, overwrite)
    planes = load_planes(image, band=band, hdu=parse_hdu(hdu), frames=frames)
    tables = []
    for number, source in zip(planes.numbers, planes.sources, strict=True):
        found = find_peaks(
            source.array(),
            min_distance=min_distance,
            threshold=threshold,
            nsigma=nsigma,
            sigma=sigma,
            exclude_border=exclude_border,
            max_count=max_count,
            subpixel=subpixel,
        )
        # bands count from 1 (GDAL, --band); frames from 0, as apertures' frame column and numpy index a stack
        label = number if planes.kind == "band" else number - 1
        table = {} if planes.single else {planes.kind: np.full(len(found.heights), label)}
        table.update(_peak_table(found, source))
        tables.append(table)
        if not quiet and (out is not None):
            noise = f", noise {found.noise:.4g}" if found.noise is not None else ""
            where = "" if planes.single else f"{planes.kind} {number}: "
            typer.echo(f"{where}threshold {found.threshold:.4g}{noise}", err=True)
    table = {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}
    _emit(table, out, as_json, quiet, "peaks")


@commands.command(
    "apertures",
    epilog=(
        "Writes id,row,col,sum,area[,background,net]; a stack adds a frame column (long format).\n\n"
        "Examples:\n\n"
        "  pixelsmith apertures field.tif --at peaks.csv --radius 5 --annulus 8,12 --out sums.csv\n\n"
        "  pixelsmith apertures stack.tif --at stars.csv --radius 3 --method center --json\n\n"
        "  pixelsmith apertures cube.fits --at catalog.csv --radius 4   (catalog with ra,dec columns)"
    ),
)
@one_line_errors
def apertures(
    data: Path = typer.Argument(..., help="Image, or stack (multi-page TIFF, FITS cube, .npy of shape T,H,W)."),
    at: Path = typer.Option(
        ...,
        "--at",
        help="Catalogue: CSV, ECSV, FITS table, VOTable or SExtractor .cat with row,col (pixelsmith), "
        "xcentroid,ycentroid (photutils), X_IMAGE,Y_IMAGE (SExtractor, 1-based), or ra,dec for a FITS with WCS; "
        "an id or NUMBER column is carried to the output.",
    ),
    radius: float = typer.Option(..., "--radius", help="Aperture radius in pixels."),
    annulus: str = typer.Option(None, "--annulus", help="Background annulus R_IN,R_OUT (pixels)."),
    method: str = typer.Option("exact", "--method", help="exact, center or subpixel (as photutils)."),
    nan: str = typer.Option("propagate", "--nan", help="NaN pixels: propagate or omit."),
    out: Path = typer.Option(None, "--out", help="CSV to write; default: print to stdout."),
    band: Band = None,
    hdu: Hdu = None,
    as_json: Json = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Sum pixels in circular apertures (exact overlap) in an image or every frame of a stack."""
    from ..sources import aperture_sums

    _check_out([data, at], out, overwrite)
    ring = None
    if annulus is not None:
        try:
            ring = tuple(float(v) for v in annulus.split(","))
        except ValueError:
            fail(f"--annulus must be R_IN,R_OUT (e.g. 8,12), got {annulus!r}")
    pixels, fits_image = _load_data(data, band, parse_hdu(hdu))
    centers, sky, ids = _catalog_centers(at, fits_image)
    res = aperture_sums(pixels, centers, radius, annulus=ring, method=method, nan_policy=nan)
    n = len(centers)
    frames = res.sums.shape[0] if res.sums.ndim == 2 else 1
    table = {}
    if res.sums.ndim == 2:
        table["frame"] = np.repeat(np.arange(frames), n)
    table["id"] = np.tile(np.arange(n) if ids is None else ids, frames)  # the catalogue's own ids when it has them
    table["row"] = np.tile(centers[:, 0], frames)
    table["col"] = np.tile(centers[:, 1], frames)
    for name, values in sky.items():  # the catalog's own sky positions, beside the pixels they fell on
        table[name] = np.tile(values, frames)
    table["sum"] = res.sums.ravel()
    table["area"] = res.areas.ravel()
    if ring is not None:
        table["background"] = res.background.ravel()
        table["net"] = res.net.ravel()
    _emit(table, out, as_json, quiet, "aperture sums")


__all__ = ["commands"]
