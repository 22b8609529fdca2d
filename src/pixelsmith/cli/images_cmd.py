"""`pixelsmith fill`, `pixelsmith equalize` and `pixelsmith match`: gap filling, stack equalization, templates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from ._common import check_paths, fail, one_line_errors, parse_hdu, progress_bar
from ._files import check_output_format, load_input, load_planes, save_planes, stack_planes
from ._options import Band, Bands, FillMethod, Frames, Hdu, Json, Overwrite, Quiet

COLOUR_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp"}


def _read_mask(path: Path | None, shape: tuple[int, ...]) -> np.ndarray | None:
    if path is None:
        return None
    from ..io import read_image

    mask = read_image(path)
    if mask.ndim == 3 and mask.shape[-1] in (3, 4):
        mask = mask[..., :3].max(axis=-1)
    if mask.shape != shape[:2]:
        fail(f"--mask {str(path)!r} has shape {mask.shape}, the image has {shape[:2]}; they must match")
    return mask != 0


# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "fill",
    epilog=(
        "NaN pixels (GeoTIFF nodata included) and --mask pixels (non-zero) are filled; colour images\n"
        "are filled channel by channel.\n\n"
        "Examples:\n\n"
        "  pixelsmith fill dem_with_gaps.tif dem_filled.tif --method harmonic\n\n"
        "  pixelsmith fill photo.png restored.png --mask scratches.png --method biharmonic\n\n"
        "  pixelsmith fill sentinel.tif filled.tif --band all\n\n"
        "  pixelsmith fill frames.tif filled_frames.tif --frames"
    ),
)
@one_line_errors
def fill(
    input: Path = typer.Argument(..., help="Raster or image with gaps."),
    output: Path = typer.Argument(..., help="Output file (same kind as the input)."),
    method: FillMethod = typer.Option(FillMethod.harmonic, "--method", help="How to fill."),
    mask: Path = typer.Option(None, "--mask", help="Image whose non-zero pixels are filled too."),
    sigma: float = typer.Option(2.0, "--sigma", help="Gaussian sigma (px) for --method gaussian."),
    band: Bands = None,
    frames: Frames = False,
    hdu: Hdu = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Fill NaN / nodata / masked pixels from their neighbours."""
    from ..fill import fill_nans
    from ..io import read_image, write_image

    check_paths([input] + ([mask] if mask else []), output, overwrite)
    if input.suffix.lower() in COLOUR_SUFFIXES and band is None and not frames:
        image = read_image(input)
        holes = _read_mask(mask, image.shape)
        if holes is not None and image.ndim == 3:
            holes = np.repeat(holes[..., None], image.shape[-1], axis=-1)
        filled = fill_nans(
            image, method=method.value, mask=holes, sigma=sigma, channel_axis=-1 if image.ndim == 3 else None
        )
        if output.suffix.lower() in COLOUR_SUFFIXES:
            info = np.iinfo(image.dtype) if image.dtype.kind in "ui" else np.iinfo(np.uint8)
            filled = np.clip(np.rint(filled), info.min, info.max).astype(
                image.dtype if image.dtype.kind in "ui" else np.uint8
            )
        write_image(output, filled)
    else:
        planes = load_planes(input, band=band, hdu=parse_hdu(hdu), frames=frames)
        check_output_format(output, np.float32, len(planes.sources))
        holes = _read_mask(mask, planes.sources[0].shape)
        results = []
        for plane in planes.sources:  # each band or frame is filled from its own pixels
            data = plane.array()
            filled = fill_nans(data, method=method.value, mask=holes, sigma=sigma)
            results.append(
                filled.astype(np.float32) if filled.dtype == np.float64 and data.dtype == np.float32 else filled
            )
        with progress_bar(f"fill {method.value} -> {output.name}", quiet) as update:
            save_planes(output, stack_planes(results, planes), planes, update)
    if not quiet:
        typer.echo(f"wrote {output}", err=True)


@commands.command(
    "equalize",
    epilog=(
        "A stack is a multi-page TIFF or a .npy of shape (T, H, W) or (T, 1, H, W); each image is\n"
        "equalized on its own. PNG output is scaled to 8 bits.\n\n"
        "Example:\n\n"
        "  pixelsmith equalize frames.tif frames_eq.tif --nbins 256"
    ),
)
@one_line_errors
def equalize(
    stack: Path = typer.Argument(..., help="Image stack (multi-page TIFF, .npy) or one image."),
    output: Path = typer.Argument(..., help="Output .tif or .npy (values 0..1), or .png for one image."),
    nbins: int = typer.Option(256, "--nbins", help="Histogram bins for float images."),
    hdu: Hdu = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Histogram-equalize every image of a stack (scikit-image's equalize_hist per image)."""
    from ..exposure import equalize_hist
    from ..io import read_image, write_image

    check_paths([stack], output, overwrite)
    if hdu is not None:
        from ..io.fits import is_fits_path, read_fits

        if not is_fits_path(stack):
            fail(f"--hdu is for FITS input; {str(stack)!r} is not a FITS file")
        data = read_fits(stack, hdu=parse_hdu(hdu)).data
    else:
        data = read_image(stack)
    if data.ndim == 3 and data.shape[-1] in (3, 4) and stack.suffix.lower() in COLOUR_SUFFIXES:
        fail(f"input {str(stack)!r} is a colour image; equalize a gray image or a stack of them")
    out = equalize_hist(data, nbins=nbins)
    if output.suffix.lower() in COLOUR_SUFFIXES:
        if out.ndim != 2:
            fail(f"output {str(output)!r}: a stack of {out.shape[0]} images needs .tif or .npy")
        out = np.rint(out * 255).astype(np.uint8)
    write_image(output, out)
    if not quiet:
        count = 1 if data.ndim == 2 else int(np.prod(data.shape[:-2]))
        typer.echo(f"equalized {count} image(s) into {output}", err=True)


@commands.command(
    "match",
    epilog=(
        "Prints row,col (the template's top-left corner in the image) and the NCC score, best first.\n\n"
        "Examples:\n\n"
        "  pixelsmith match scene.png part.png --max-count 5\n\n"
        "  pixelsmith match scene.tif part.tif --json"
    ),
)
@one_line_errors
def match(
    image: Path = typer.Argument(..., help="Image to search."),
    template: Path = typer.Argument(..., help="Template image (smaller)."),
    max_count: int = typer.Option(1, "--max-count", "--n", help="At most this many matches (--n: old name)."),
    min_distance: float = typer.Option(None, "--min-distance", help="Minimum distance between matches."),
    band: Band = None,
    hdu: Hdu = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Find a template in an image by normalized cross-correlation."""
    from ..correlate import find_matches

    for path in (image, template):
        if not path.exists():
            fail(f"input {str(path)!r} does not exist")
    scene = load_input(image, band=band, hdu=parse_hdu(hdu)).array()
    part = load_input(template, band=band).array()
    found = find_matches(scene, part, max_count=max_count, min_distance=min_distance)
    rows = [
        {"row": float(p[0]), "col": float(p[1]), "score": float(s)}
        for p, s in zip(found.coords, found.scores, strict=True)
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    typer.echo("row,col,score")
    for r in rows:
        typer.echo(f"{r['row']:.3f},{r['col']:.3f},{r['score']:.6f}")


__all__ = ["commands"]
