"""`pixelsmith render`: a star field from a PSF stamp and a CSV catalogue of row,col,flux."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ._common import check_paths, fail, one_line_errors
from ._options import Overwrite, Quiet


class Order(str, Enum):
    nearest = "0"
    linear = "1"
    cubic = "3"
    lanczos3 = "lanczos3"


class Flux(str, Enum):
    preserve = "preserve"
    sample = "sample"


def parse_shape(text: str) -> tuple[int, int]:
    try:
        rows, cols = (int(p) for p in text.split(","))
    except ValueError:
        fail(f"--shape must be ROWS,COLS (e.g. 4096,4096), got {text!r}")
    if rows < 1 or cols < 1:
        fail(f"--shape must be positive, got {text!r}")
    from ..limits import check_allocation

    check_allocation(
        8.0 * rows * cols,
        "--shape",
        text,
        "the float32 frame and its writing",
        "render a smaller frame, or tiles of it",
    )
    return rows, cols


# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "render",
    epilog=(
        "The catalogue is CSV with columns row,col[,flux] (a header may name them; x,y also work).\n\n"
        "Example:\n\n"
        "  pixelsmith render --stamp psf.npy --catalog stars.csv --shape 4096,4096 field.tif --order 3"
    ),
)
@one_line_errors
def render(
    output: Path = typer.Argument(..., help="Output image: .tif (float32) or .npy."),
    stamp: Path = typer.Option(..., "--stamp", help="The PSF/stamp: .npy, .tif or an 8/16-bit image."),
    catalog: Path = typer.Option(..., "--catalog", help="CSV of row,col[,flux] positions (pixel centres)."),
    shape: str = typer.Option(..., "--shape", help="Frame size ROWS,COLS."),
    order: Order = typer.Option(Order.cubic, "--order", help="Interpolation: 0, 1, 3 or lanczos3."),
    zoom: float = typer.Option(1.0, "--zoom", help="Stamp pixel size in frame pixels."),
    rotation: float = typer.Option(0.0, "--rotation", help="Degrees, counter-clockwise on screen."),
    flux: Flux = typer.Option(Flux.preserve, "--flux", help="preserve the stamp's sum, or sample it."),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Render a star field: add the stamp at every catalogue position, weighted by its flux."""
    import numpy as np

    from ..io import read_image, write_image
    from ..io.table import read_points_csv
    from ..place import add_stamps

    check_paths([stamp, catalog], output, overwrite)
    if output.suffix.lower() not in (".tif", ".tiff", ".npy"):
        fail(f"output {str(output)!r} must be .tif or .npy (the field is float32)")
    frame_shape = parse_shape(shape)
    psf = read_image(stamp)
    if psf.ndim == 3 and psf.shape[-1] in (3, 4):
        fail(f"--stamp {str(stamp)!r} has {psf.shape[-1]} colour channels; save one channel as .npy or .tif")
    table = read_points_csv(catalog, ["row", "col"], optional=["flux"])
    centers = np.column_stack([table["row"], table["col"]])
    weights = table.get("flux")
    frame = np.zeros(frame_shape, np.float32)
    order_value = int(order.value) if order.value.isdigit() else order.value
    add_stamps(frame, psf, centers, weights=weights, zoom=zoom, rotation=rotation, order=order_value, flux=flux.value)
    write_image(output, frame)
    if not quiet:
        inside = ((centers >= -0.5) & (centers < np.array(frame_shape) - 0.5)).all(axis=1)
        typer.echo(
            f"rendered {len(centers)} stamps ({int((~inside).sum())} centred outside the frame) into {output}",
            err=True,
        )


__all__ = ["commands"]
