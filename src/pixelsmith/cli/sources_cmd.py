"""`pixelsmith peaks` and `pixelsmith apertures`: source finding and aperture sums to CSV."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import typer

from ._common import check_paths, fail, one_line_errors, parse_hdu
from ._files import load_input
from ._options import Band, Hdu, Json, Overwrite, Quiet

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


def _load_data(path: Path, band: int | None) -> np.ndarray:
    """An image (H, W), or a stack (T, H, W) from a multi-page TIFF or .npy."""
    from ..io import read_image

    if path.suffix.lower() in (".npy", ".tif", ".tiff"):
        data = read_image(path)
        if data.ndim == 3 and data.shape[-1] in (3, 4) and path.suffix.lower() != ".npy":
            fail(f"input {str(path)!r} looks like colour ({data.shape}); pick a channel with --band N")
        if data.ndim in (2, 3) and band is None:
            return data
    return load_input(path, band=band).array()


def register(app: typer.Typer) -> None:
    @app.command(
        "peaks",
        epilog=(
            "Writes row,col,height (strongest first); a GeoTIFF adds map_x,map_y, a FITS file with a "
            "celestial WCS ra,dec (degrees).\n\n"
            "Examples:\n\n"
            "  pixelsmith peaks field.tif --nsigma 5 --min-distance 3 --out peaks.csv\n\n"
            "  pixelsmith peaks image.png --band 1 --smooth 1.5 --subpixel --json"
        ),
    )
    @one_line_errors
    def peaks(
        image: Path = typer.Argument(..., help="Image or raster to search."),
        out: Path = typer.Option(None, "--out", help="CSV to write; default: print to stdout."),
        nsigma: float = typer.Option(None, "--nsigma", help="Threshold: median + N x robust noise."),
        threshold: float = typer.Option(None, "--threshold", help="Absolute threshold."),
        min_distance: float = typer.Option(1.0, "--min-distance", help="Minimum distance between peaks (px)."),
        smooth: float = typer.Option(None, "--smooth", help="Gaussian sigma (px) applied first."),
        subpixel: bool = typer.Option(False, "--subpixel", help="Refine positions to sub-pixel precision."),
        max_peaks: int = typer.Option(None, "--max-peaks", help="Keep at most this many."),
        exclude_border: int = typer.Option(1, "--exclude-border", help="Ignore peaks this close to an edge."),
        band: Band = None,
        hdu: Hdu = None,
        as_json: Json = False,
        overwrite: Overwrite = False,
        quiet: Quiet = False,
    ) -> None:
        """Find peaks (local maxima) above a threshold, strongest first."""
        from ..sources import find_peaks

        _check_out([image], out, overwrite)
        source = load_input(image, band=band, hdu=parse_hdu(hdu))
        found = find_peaks(
            source.array(),
            min_distance=min_distance,
            threshold=threshold,
            nsigma=nsigma,
            smooth=smooth,
            exclude_border=exclude_border,
            max_peaks=max_peaks,
            subpixel=subpixel,
        )
        table = {"row": found.coords[:, 0], "col": found.coords[:, 1], "height": found.heights}
        if source.raster is not None:
            a, b, c, d, e, f = tuple(source.raster.transform)[:6]
            cols, rows = found.coords[:, 1] + 0.5, found.coords[:, 0] + 0.5  # pixel centres
            table["map_x"], table["map_y"] = a * cols + b * rows + c, d * cols + e * rows + f
        if source.fits is not None and source.fits.wcs is not None and len(found.coords):
            table["ra"], table["dec"] = source.fits.sky_coordinates(found.coords)
        if not quiet and (out is not None):
            noise = f", noise {found.noise:.4g}" if found.noise is not None else ""
            typer.echo(f"threshold {found.threshold:.4g}{noise}", err=True)
        _emit(table, out, as_json, quiet, "peaks")

    @app.command(
        "apertures",
        epilog=(
            "Writes id,row,col,sum,area[,background,net]; a stack adds a frame column (long format).\n\n"
            "Examples:\n\n"
            "  pixelsmith apertures field.tif --at peaks.csv --radius 5 --annulus 8,12 --out sums.csv\n\n"
            "  pixelsmith apertures stack.tif --at stars.csv --radius 3 --method center --json"
        ),
    )
    @one_line_errors
    def apertures(
        data: Path = typer.Argument(..., help="Image, or stack (multi-page TIFF, .npy of shape T,H,W)."),
        at: Path = typer.Option(..., "--at", help="CSV with row,col columns (e.g. from pixelsmith peaks)."),
        radius: float = typer.Option(..., "--radius", help="Aperture radius in pixels."),
        annulus: str = typer.Option(None, "--annulus", help="Background annulus R_IN,R_OUT (pixels)."),
        method: str = typer.Option("exact", "--method", help="exact, center or subpixel (as photutils)."),
        nan: str = typer.Option("propagate", "--nan", help="NaN pixels: propagate or omit."),
        out: Path = typer.Option(None, "--out", help="CSV to write; default: print to stdout."),
        band: Band = None,
        as_json: Json = False,
        overwrite: Overwrite = False,
        quiet: Quiet = False,
    ) -> None:
        """Sum pixels in circular apertures (exact overlap) in an image or every frame of a stack."""
        from ..io.table import read_points_csv
        from ..sources import aperture_sums

        _check_out([data, at], out, overwrite)
        ring = None
        if annulus is not None:
            try:
                ring = tuple(float(v) for v in annulus.split(","))
            except ValueError:
                fail(f"--annulus must be R_IN,R_OUT (e.g. 8,12), got {annulus!r}")
        points = read_points_csv(at, ["row", "col"], name="--at")
        centers = np.column_stack([points["row"], points["col"]])
        pixels = _load_data(data, band)
        res = aperture_sums(pixels, centers, radius, annulus=ring, method=method, nan_policy=nan)
        n = len(centers)
        frames = res.sums.shape[0] if res.sums.ndim == 2 else 1
        table = {}
        if res.sums.ndim == 2:
            table["frame"] = np.repeat(np.arange(frames), n)
        table["id"] = np.tile(np.arange(n), frames)
        table["row"] = np.tile(centers[:, 0], frames)
        table["col"] = np.tile(centers[:, 1], frames)
        table["sum"] = res.sums.ravel()
        table["area"] = res.areas.ravel()
        if ring is not None:
            table["background"] = res.background.ravel()
            table["net"] = res.net.ravel()
        _emit(table, out, as_json, quiet, "aperture sums")


__all__ = ["register"]
