"""`pixelsmith page-blocks`, `deskew`, `unshuffle` and `straighten`: document-scan helpers (images or PDF pages)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from ._common import check_paths, fail, one_line_errors
from ._options import Json, Overwrite, Quiet


def _read(path: Path, page: int = 1, dpi: float = 200.0) -> np.ndarray:
    """An image file, or one page of a PDF rendered at `dpi` (`io.read_page`)."""
    from ..io import read_page

    if not path.exists():
        fail(f"input {str(path)!r} does not exist")
    return read_page(path, page=page, dpi=dpi)


PAGE_OPTION = typer.Option(1, "--page", help="Page of a PDF input, counting from 1.")
DPI_OPTION = typer.Option(200.0, "--dpi", help="Resolution a PDF page is rendered at (dots per inch).")


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
        "Prints one line per region in reading order: top,bottom,left,right,kind,lines (pixels,\n"
        "inclusive; columns found by their gutters), then the body line height on stderr. --rows\n"
        "gives the row-only split instead: top,bottom,kind per text line or figure.\n\n"
        "Examples:\n\n"
        "  pixelsmith page-blocks scan_012.png\n\n"
        "  pixelsmith page-blocks paper.pdf --page 3 --overlay page3_blocks.png\n\n"
        "  pixelsmith page-blocks scan_012.png --rows --json"
    ),
)
@one_line_errors
def page_blocks_cmd(
    page: Path = typer.Argument(..., help="Page scan (.png, .jpg, .tif) or PDF."),
    page_number: int = PAGE_OPTION,
    dpi: float = DPI_OPTION,
    rows: bool = typer.Option(False, "--rows", help="Split at blank rows only (one block per text line)."),
    overlay: Path = typer.Option(None, "--overlay", help="Also draw the blocks over the page into this PNG."),
    min_gap: int = typer.Option(2, "--min-gap", help="With --rows: blocks closer than this many blank rows are one."),
    figure_min_height: float = typer.Option(
        None, "--figure-min-height", help="With --rows: blocks taller than this (px) are figures."
    ),
    as_json: Json = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Find the text and figure regions of a page scan, in reading order (or its rows, with --rows)."""
    from ..document import page_blocks, page_regions

    if overlay is not None:
        if overlay.suffix.lower() != ".png":
            fail(f"--overlay {str(overlay)!r} must be a .png file")
        check_paths([page], overlay, overwrite)
    pixels = _read(page, page_number, dpi)
    if rows:
        layout = page_blocks(pixels, min_gap=min_gap, figure_min_height=figure_min_height)
        table = [{"top": b.top, "bottom": b.bottom, "kind": b.kind} for b in layout]
        summary = {"line_height": _finite(layout.line_height), "line_pitch": _finite(layout.line_pitch),
                   "skew_degrees": layout.skew_degrees}  # fmt: skip
        said = (f"line height {layout.line_height:.1f} px, pitch {layout.line_pitch:.1f} px, "
                f"skew {layout.skew_degrees:.2f} deg")  # fmt: skip
    else:
        layout = page_regions(pixels)
        table = [
            {"top": r.top, "bottom": r.bottom, "left": r.left, "right": r.right, "kind": r.kind, "lines": r.lines}
            for r in layout
        ]
        summary = {"line_height": _finite(layout.line_height)}
        said = f"body line height {layout.line_height:.1f} px"
    if overlay is not None:
        _draw_overlay(overlay, pixels, layout)
    if as_json:
        typer.echo(json.dumps({"blocks": table, **summary}))
    else:
        names = ["top", "bottom", "kind"] if rows else ["top", "bottom", "left", "right", "kind", "lines"]
        typer.echo(",".join(names))
        for r in table:
            typer.echo(",".join(str(r[n]) for n in names))
    if not quiet and not as_json:
        typer.echo(f"{len(table)} blocks; {said}" + (f"; drew {overlay}" if overlay else ""), err=True)


def _draw_overlay(path: Path, pixels: np.ndarray, layout) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..document import plot_blocks
    from ..io import write_figure

    ax = plot_blocks(pixels, layout)
    write_figure(path, ax.figure)
    plt.close(ax.figure)


@commands.command(
    "deskew",
    epilog=(
        "Measures the skew of the text lines (up to --max-degrees) and writes the page rotated\n"
        "straight; the angle is printed on stderr.\n\n"
        "Examples:\n\n"
        "  pixelsmith deskew tilted.png straight.png\n\n"
        "  pixelsmith deskew scan.pdf page2.png --page 2 --dpi 300"
    ),
)
@one_line_errors
def deskew_cmd(
    page: Path = typer.Argument(..., help="Page scan (.png, .jpg, .tif) or PDF."),
    output: Path = typer.Argument(..., help="The straightened page (.png, .tif, .npy)."),
    page_number: int = PAGE_OPTION,
    dpi: float = DPI_OPTION,
    max_degrees: float = typer.Option(3.0, "--max-degrees", help="Widest skew searched for."),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Rotate a page scan so that its text lines run straight."""
    from ..document import deskew, skew_angle
    from ..io import write_image

    check_paths([page], output, overwrite)
    pixels = _read(page, page_number, dpi)
    angle = skew_angle(pixels, max_degrees=max_degrees)
    write_image(output, deskew(pixels, angle=angle))
    if not quiet:
        typer.echo(f"skew {angle:.2f} deg; wrote {output}", err=True)


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
    image: Path = typer.Argument(..., help="Image made of shuffled vertical strips (or a PDF page)."),
    output: Path = typer.Argument(..., help="Reassembled image."),
    page_number: int = PAGE_OPTION,
    dpi: float = DPI_OPTION,
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
    result = unshuffle_strips(_read(image, page_number, dpi), n_strips=strips, cuts=starts)
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
    image: Path = typer.Argument(..., help="Image with a curved text line (or a PDF page)."),
    output: Path = typer.Argument(..., help="The rectified band."),
    page_number: int = PAGE_OPTION,
    dpi: float = DPI_OPTION,
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
    pixels = _read(image, page_number, dpi)
    band = straighten(pixels, points, height=height, spacing=spacing)
    write_image(output, _as_like(band, pixels, output.suffix.lower()))
    if not quiet:
        typer.echo(f"wrote a {band.shape[0]} x {band.shape[1]} band to {output}", err=True)


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


__all__ = ["commands"]
