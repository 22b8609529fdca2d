"""`pixelsmith page-blocks`, `unshuffle` and `straighten`: document-scan helpers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from ._common import check_paths, fail, one_line_errors
from ._options import Json, Overwrite, Quiet


def _read(path: Path) -> np.ndarray:
    from ..io import read_image

    if not path.exists():
        fail(f"input {str(path)!r} does not exist")
    return read_image(path)


def _as_like(values: np.ndarray, like: np.ndarray, suffix: str) -> np.ndarray:
    """Float results back to the input's integer type for 8/16-bit image formats."""
    if suffix in (".png", ".jpg", ".jpeg", ".bmp") and like.dtype.kind in "ui":
        info = np.iinfo(like.dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(like.dtype)
    return values


# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "page-blocks",
    epilog=(
        "Prints one line per block: top,bottom,kind (rows, inclusive), then the line height,\n"
        "pitch and skew on stderr.\n\n"
        "Examples:\n\n"
        "  pixelsmith page-blocks scan_012.png\n\n"
        "  pixelsmith page-blocks scan_012.png --json"
    ),
)
@one_line_errors
def page_blocks_cmd(
    page: Path = typer.Argument(..., help="Page scan (.png, .jpg, .tif)."),
    min_gap: int = typer.Option(2, "--min-gap", help="Blocks closer than this many blank rows are one."),
    figure_min_height: float = typer.Option(
        None, "--figure-min-height", help="Blocks taller than this (px) are figures."
    ),
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Split a page scan into text-line and figure blocks at blank rows."""
    from ..document import page_blocks

    layout = page_blocks(_read(page), min_gap=min_gap, figure_min_height=figure_min_height)
    rows = [{"top": b.top, "bottom": b.bottom, "kind": b.kind} for b in layout]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "blocks": rows,
                    "line_height": _finite(layout.line_height),
                    "line_pitch": _finite(layout.line_pitch),
                    "skew_degrees": layout.skew_degrees,
                }
            )
        )
        return
    typer.echo("top,bottom,kind")
    for r in rows:
        typer.echo(f"{r['top']},{r['bottom']},{r['kind']}")
    if not quiet:
        typer.echo(
            f"{len(rows)} blocks; line height {layout.line_height:.1f} px, pitch "
            f"{layout.line_pitch:.1f} px, skew {layout.skew_degrees:.2f} deg",
            err=True,
        )


@commands.command(
    "unshuffle",
    epilog=(
        "Examples:\n\n"
        "  pixelsmith unshuffle shuffled.png restored.png --strips 6\n\n"
        "  pixelsmith unshuffle shuffled.png restored.png --cuts 0,87,160,301 --json"
    ),
)
@one_line_errors
def unshuffle(
    image: Path = typer.Argument(..., help="Image made of shuffled vertical strips."),
    output: Path = typer.Argument(..., help="Reassembled image."),
    strips: int = typer.Option(None, "--strips", help="Number of strips, if known."),
    cuts: str = typer.Option(None, "--cuts", help="Start columns of the strips, comma-separated."),
    as_json: Json = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Put back in order an image cut into vertical strips and shuffled."""
    from ..document import unshuffle_strips
    from ..io import write_image

    check_paths([image], output, overwrite)
    starts = None
    if cuts is not None:
        try:
            starts = [int(c) for c in cuts.split(",")]
        except ValueError:
            fail(f"--cuts must be comma-separated column numbers, got {cuts!r}")
    result = unshuffle_strips(_read(image), n_strips=strips, cuts=starts)
    write_image(output, result.image)
    if as_json:
        typer.echo(json.dumps({"order": result.order.tolist(), "cuts": result.cuts.tolist()}))
    elif not quiet:
        typer.echo(f"{len(result.order)} strips, order {result.order.tolist()}; wrote {output}", err=True)


@commands.command(
    "straighten",
    epilog=(
        "The curve CSV holds row,col points along the line's centre (a header may name them;\n"
        "x,y work too); unordered skeleton pixels are ordered first.\n\n"
        "Example:\n\n"
        "  pixelsmith straighten page.png line.png --curve points.csv --height 60"
    ),
)
@one_line_errors
def straighten_cmd(
    image: Path = typer.Argument(..., help="Image with a curved text line."),
    output: Path = typer.Argument(..., help="The rectified band."),
    curve: Path = typer.Option(..., "--curve", help="CSV of row,col points along the line."),
    height: int = typer.Option(..., "--height", help="Band height in pixels."),
    spacing: float = typer.Option(1.0, "--spacing", help="Arc length between output columns."),
    ordered: bool = typer.Option(False, "--ordered", help="The points are already in order."),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Straighten the band of pixels around a curved text line."""
    from ..document import order_curve_points, straighten
    from ..io import write_image
    from ..io.table import read_points_csv

    check_paths([image, curve], output, overwrite)
    table = read_points_csv(curve, ["row", "col"], name="--curve")
    points = np.column_stack([table["row"], table["col"]])
    if not ordered:
        points = order_curve_points(points)
    pixels = _read(image)
    band = straighten(pixels, points, height=height, spacing=spacing)
    write_image(output, _as_like(band, pixels, output.suffix.lower()))
    if not quiet:
        typer.echo(f"wrote a {band.shape[0]} x {band.shape[1]} band to {output}", err=True)


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


__all__ = ["commands"]
