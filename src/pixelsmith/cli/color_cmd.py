"""`pixelsmith uncolor` and `pixelsmith outline`: colormap inversion and region outlines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from ._common import check_paths, fail, one_line_errors
from ._options import Overwrite, Quiet

# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "uncolor",
    epilog=(
        "--cmap takes a matplotlib colormap name or a comma-separated palette of hex colours.\n"
        "Pixels not on the colormap (borders, text) become NaN (empty in .png, 'nan' in .csv).\n\n"
        "Examples:\n\n"
        "  pixelsmith uncolor ir_shot.png --cmap jet --vmin -20 --vmax 120 --out temps.csv\n\n"
        "  pixelsmith uncolor map.png --cmap '#000004,#781c6d,#ed6925,#fcffa4' --out values.tif"
    ),
)
@one_line_errors
def uncolor(
    image: Path = typer.Argument(..., help="Image rendered with a colormap (.png, .jpg, .tif)."),
    cmap: str = typer.Option(..., "--cmap", help="Colormap name or comma-separated hex colours."),
    out: Path = typer.Option(..., "--out", help="Output: .csv (grid), .tif or .npy (float32)."),
    vmin: float = typer.Option(0.0, "--vmin", help="Value at the colormap's low end."),
    vmax: float = typer.Option(1.0, "--vmax", help="Value at the colormap's high end."),
    max_distance: float = typer.Option(
        None, "--max-distance", help="Colour distance (0..1 RGB) beyond which a pixel is NaN."
    ),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Recover scalar values from an image rendered with a colormap."""
    from ..color import invert_colormap
    from ..io import read_image, write_image
    from ..io.table import write_grid_csv

    check_paths([image], out, overwrite)
    if out.suffix.lower() not in (".csv", ".tif", ".tiff", ".npy"):
        fail(f"--out {str(out)!r} must be .csv, .tif or .npy")
    rgb = read_image(image)
    palette = cmap.split(",") if "," in cmap else cmap
    values = invert_colormap(rgb, palette, vmin=vmin, vmax=vmax, max_distance=max_distance)
    if out.suffix.lower() == ".csv":
        write_grid_csv(out, values)
    else:
        write_image(out, values.astype(np.float32))
    if not quiet:
        typer.echo(
            f"wrote {values.shape[0]} x {values.shape[1]} values ({int(np.isnan(values).sum())} not on "
            f"the colormap) to {out}",
            err=True,
        )


@commands.command(
    "outline",
    epilog=(
        "Examples:\n\n"
        "  pixelsmith outline aperture.npy outline.png --value 3 --over image.tif\n\n"
        "  pixelsmith outline mask.png outline.png"
    ),
)
@one_line_errors
def outline(
    mask: Path = typer.Argument(..., help="Label image or mask (.npy, .tif, .png)."),
    output: Path = typer.Argument(..., help="Output .png (or .pdf/.svg) figure."),
    value: int = typer.Option(None, "--value", help="Label to outline; default: every non-zero pixel."),
    over: Path = typer.Option(None, "--over", help="Gray image to draw under the outline."),
    color: str = typer.Option("red", "--color", help="Line colour."),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Draw the outline of a region (along pixel edges) over an image, as a figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..color import as_rgb
    from ..io import read_image
    from ..io.image import write_figure
    from ..outline import plot_outline

    check_paths([mask] + ([over] if over else []), output, overwrite)
    if output.suffix.lower() not in (".png", ".pdf", ".svg"):
        fail(f"output {str(output)!r} must be .png, .pdf or .svg")
    labels = read_image(mask)
    if labels.ndim == 3:
        labels = labels[..., :3].max(axis=-1) if labels.shape[-1] in (3, 4) else labels
    if labels.ndim != 2:
        fail(f"--mask {str(mask)!r} must be a 2-D label image, got shape {labels.shape}")
    region = labels != 0 if value is None else labels == value
    if not region.any():
        fail(f"no pixel of {str(mask)!r} has {'a non-zero value' if value is None else f'value {value}'}")
    background = labels if over is None else read_image(over)
    if background.shape[:2] != labels.shape:
        fail(f"--over image has shape {background.shape[:2]}, the mask {labels.shape}; they must match")
    fig, ax = plt.subplots(figsize=(8, 8 * labels.shape[0] / labels.shape[1]))
    if background.ndim == 3:
        ax.imshow(as_rgb(background))
    else:
        ax.imshow(background, cmap="gray")
    plot_outline(ax, region, True, color=color)
    ax.set_axis_off()
    write_figure(output, fig)
    plt.close(fig)
    if not quiet:
        typer.echo(f"wrote {output}", err=True)


__all__ = ["commands"]
