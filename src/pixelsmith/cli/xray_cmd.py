"""`pixelsmith drr`: a simulated X-ray of a CT volume (DICOM series or file, NIfTI) or of the built-in phantom."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from ._common import check_paths, fail, one_line_errors, progress_bar
from ._files import check_output_format
from ._options import Overwrite, Quiet


def _triple(text: str | None, name: str) -> np.ndarray | None:
    if text is None:
        return None
    try:
        values = np.array([float(v) for v in text.split(",")])
    except ValueError:
        fail(f"{name} must be three numbers x,y,z in mm, got {text!r}")
    if values.shape != (3,):
        fail(f"{name} must be three numbers x,y,z in mm, got {text!r}")
    return values


_MAX_VIEWS = 100_000  # views in one sweep


def _parse_angles(text: str | None) -> list[float] | None:
    """``0:360:2`` -> [0, 2, ..., 358] (STOP excluded, as Python's range); ``0,90,180`` -> those."""
    if text is None:
        return None
    try:
        if ":" in text:
            start, stop, step = (float(v) for v in text.split(":"))
            if step == 0 or not np.isfinite([start, stop, step]).all():
                raise ValueError
            count = max(0, int(np.ceil((stop - start) / step)))
            if count > _MAX_VIEWS:  # counted before np.arange allocates them (0:3e9:1 would be 24 GB)
                fail(f"--angles {text!r} gives {count} views, more than {_MAX_VIEWS} in one sweep; split the sweep")
            values = list(np.arange(start, stop, step))
        else:
            values = [float(v) for v in text.split(",")]
    except ValueError:
        fail(f"--angles must be START:STOP:STEP (e.g. 0:360:2) or A,B,C in degrees, got {text!r}")
    if not values:
        fail(f"--angles {text!r} gives no angle; STOP is excluded (0:360:2 gives 0, 2, ..., 358)")
    if len(values) > _MAX_VIEWS:
        fail(f"--angles {text!r} gives {len(values)} views, more than {_MAX_VIEWS} in one sweep; split the sweep")
    return [round(float(v), 10) for v in values]


def _view_name(index: int) -> str:
    return f"view_{index:04d}.png"


def _check_sweep_folder(folder: Path, count: int, overwrite: bool) -> None:
    """The sweep's folder, checked without touching it (it is written whole at the end): existing views
    are replaced only with --overwrite."""
    if folder.exists() and not folder.is_dir():
        fail(f"output {str(folder)!r} must be a folder for --angles (it will hold view_0000.png ...)")
    if not folder.parent.exists():
        fail(f"output folder {str(folder.parent)!r} does not exist")
    if not folder.exists():
        return
    clashes = [folder / _view_name(n) for n in range(count) if (folder / _view_name(n)).exists()]
    clashes += [folder / name for name in ("views.csv", "views.json") if (folder / name).exists()]
    if clashes and not overwrite:
        fail(f"output {str(clashes[0])!r} exists (and {len(clashes) - 1} more); pass --overwrite to replace them")


def _write_sweep(
    output: Path, angles: list[float], geometries: list, images: np.ndarray, tif: Path | None, kind: str
) -> None:
    """Every view, views.csv, views.json and the --tif stack, as one output: all written into a temporary
    folder (and the stack atomically) before anything is moved into place, so a failure leaves nothing new."""
    from ..io import atomic_folder, write_image

    with atomic_folder(output) as folder:
        _write_views(folder, angles, geometries, images, kind)
        if tif is not None:
            write_image(tif, images.astype(np.float32))


def _write_views(folder: Path, angles: list[float], geometries: list, images: np.ndarray, kind: str) -> None:
    """The views as images, and each one's geometry: views.csv (one row per view, flat columns) and
    views.json (the same, nested), with the 3 x 4 projection matrix in pixelsmith's (row, col) order."""
    import json

    from ..io import write_image
    from ..io.table import write_csv
    from ..xray import to_display

    for n, image in enumerate(images):
        write_image(folder / _view_name(n), to_display(image, intensity=kind == "intensity"))
    described = [g.describe() for g in geometries]
    table: dict[str, np.ndarray] = {
        "index": np.arange(len(angles)),
        "angle": np.asarray(angles, float),
        "file": np.array([_view_name(n) for n in range(len(angles))]),
    }
    for key in ("source", "detector_center", "detector_u", "detector_v"):
        for axis, name in enumerate("xyz"):
            table[f"{key}_{name}"] = np.array([d[key][axis] for d in described])
    table["rows"] = np.array([d["detector_shape"][0] for d in described])
    table["cols"] = np.array([d["detector_shape"][1] for d in described])
    for i in range(3):
        for j in range(4):
            table[f"p{i}{j}"] = np.array([d["projection_matrix"][i][j] for d in described])
    write_csv(folder / "views.csv", table, float_format="%.10g")
    views = [
        {"index": n, "angle": float(a), "file": _view_name(n), **d}
        for n, (a, d) in enumerate(zip(angles, described, strict=True))
    ]
    (folder / "views.json").write_text(
        json.dumps({"units": "mm, patient LPS", "pixel_order": "row_col", "views": views}, indent=1)
    )


# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "drr",
    epilog=(
        "Geometry: either a C-arm view around the volume centre (--angle, --tilt, --sid, --sdd) or\n"
        "explicit vectors in patient mm (--source, --detector-center, --detector-u, --detector-v,\n"
        "u and v being one pixel step along a detector row and down a column).\n\n"
        "Examples:\n\n"
        "  pixelsmith drr ct_series/ ap.png --angle 0 --sid 1000 --sdd 1500 --shape 512,512\n\n"
        "  pixelsmith drr ct_series/ lat.png --angle 90 --tif lat_line_integrals.tif --output line_integral\n\n"
        "  pixelsmith drr --phantom phantom.png\n\n"
        "A sweep (C-arm rotation): --angles START:STOP:STEP (degrees, STOP excluded) or A,B,C writes\n"
        "OUTPUT/view_0000.png ... and each view's geometry (source, detector centre, u, v, shape and 3 x 4\n"
        "projection matrix) in OUTPUT/views.csv and OUTPUT/views.json;\n"
        "--tif then writes every view as one (views, rows, cols) float32 TIFF stack:\n\n"
        "  pixelsmith drr ct.nii.gz sweep/ --angles 0:360:2 --tif sweep.tif"
    ),
)
@one_line_errors
def drr_cmd(
    series: Path = typer.Argument(
        None, help="CT volume: DICOM series folder, DICOM file (Enhanced too) or .nii/.nii.gz."
    ),
    output: Path = typer.Argument(None, help="Output picture (.png, 8-bit, bone bright)."),
    phantom: bool = typer.Option(False, "--phantom", help="Use the built-in 3-D Shepp-Logan-like phantom."),
    series_uid: str = typer.Option(None, "--series", help="SeriesInstanceUID when the folder holds several."),
    angle: float = typer.Option(0.0, "--angle", help="C-arm angle in degrees (0 = AP, 90 = lateral)."),
    angles: str = typer.Option(
        None, "--angles", help="A sweep of C-arm angles: START:STOP:STEP or A,B,C; OUTPUT is then a folder."
    ),
    tilt: float = typer.Option(0.0, "--tilt", help="Cranial tilt in degrees."),
    sid: float = typer.Option(1000.0, "--sid", help="Source to isocentre distance (mm)."),
    sdd: float = typer.Option(1500.0, "--sdd", help="Source to detector distance (mm)."),
    source: str = typer.Option(None, "--source", help="Source position x,y,z (mm)."),
    detector_center: str = typer.Option(None, "--detector-center", help="Detector centre x,y,z (mm)."),
    detector_u: str = typer.Option(None, "--detector-u", help="One pixel step along a detector row (mm)."),
    detector_v: str = typer.Option(None, "--detector-v", help="One pixel step down a detector column (mm)."),
    shape: str = typer.Option("512,512", "--shape", help="Detector rows,cols."),
    pixel_spacing: float = typer.Option(0.8, "--pixel-spacing", help="Detector pixel size (mm), C-arm mode."),
    method: str = typer.Option(
        "joseph",
        "--method",
        help="joseph (one bilinear sample per volume plane; fastest, no moire), trilinear (samples every "
        "0.5 voxel) or siddon (exact voxel path lengths).",
    ),
    supersample: int = typer.Option(1, "--supersample", help="k x k rays per pixel."),
    energy: float = typer.Option(70.0, "--energy", help="Photon energy (keV) for HU -> mu."),
    output_kind: str = typer.Option("intensity", "--output", help="intensity or line_integral (for --tif)."),
    tif: Path = typer.Option(None, "--tif", help="Also write the float values as a TIFF."),
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Simulated X-ray (DRR): perspective projection of a CT volume from a source to a detector."""
    from ..io import read_volume, write_image
    from ..xray import Detector, Geometry, drr, drr_sweep, to_display
    from ..xray import phantom as make_phantom

    if phantom and output is None:
        series, output = None, series
    if output is None:
        fail("give an OUTPUT .png (and a SERIES folder, or --phantom)")
    sweep = _parse_angles(angles)
    if sweep is None and output.suffix.lower() != ".png":
        fail(f"output {str(output)!r} must be .png; use --tif for float values")
    if not phantom and series is None:
        fail("give a CT volume (DICOM series folder, DICOM file or NIfTI), or --phantom")
    if output_kind not in ("intensity", "line_integral"):
        fail(f"--output must be intensity or line_integral, got {output_kind!r}")
    inputs = [] if phantom else [series]
    if sweep is not None:
        _check_sweep_folder(output, len(sweep), overwrite)
    else:
        check_paths(inputs, output, overwrite)
    if tif is not None:
        check_paths(inputs, tif, overwrite)
        check_output_format(tif, np.float32, len(sweep) if sweep is not None else 1)  # before any view is drawn
    try:
        rows, cols = (int(v) for v in shape.split(","))
    except ValueError:
        fail(f"--shape must be ROWS,COLS (e.g. 512,512), got {shape!r}")
    if phantom:
        volume = make_phantom((160, 160, 160), (1.25, 1.25, 1.25))
    else:
        with progress_bar(f"reading {series.name}", quiet) as update:
            volume = read_volume(series, series=series_uid, progress=update)
    vectors = [
        _triple(v, n)
        for v, n in (
            (source, "--source"),
            (detector_center, "--detector-center"),
            (detector_u, "--detector-u"),
            (detector_v, "--detector-v"),
        )
    ]
    if sweep is not None:
        if any(v is not None for v in vectors):
            fail("--angles sweeps the C-arm around the volume; it cannot be combined with --source/--detector-*")
        geometries = [
            Geometry.c_arm(volume, sid, sdd, a, tilt, shape=(rows, cols), pixel_spacing=pixel_spacing) for a in sweep
        ]
        with progress_bar(f"projecting {len(sweep)} views", quiet) as update:
            images = drr_sweep(
                volume,
                geometries,
                output=output_kind,
                energy_kev=energy,
                method=method,
                supersample=supersample,
                progress=update,
            )
        _write_sweep(output, sweep, geometries, images, tif, output_kind)
        if not quiet:
            typer.echo(f"wrote {len(sweep)} views to {output}" + (f" and {tif}" if tif else ""), err=True)
        return
    if any(v is not None for v in vectors):
        if any(v is None for v in vectors):
            fail("explicit geometry needs all of --source, --detector-center, --detector-u, --detector-v")
        geometry = Geometry(vectors[0], Detector(vectors[1], vectors[2], vectors[3], (rows, cols)))
    else:
        geometry = Geometry.c_arm(volume, sid, sdd, angle, tilt, shape=(rows, cols), pixel_spacing=pixel_spacing)
    with progress_bar("projecting", quiet) as update:
        values = drr(
            volume,
            geometry,
            output=output_kind,
            energy_kev=energy,
            method=method,
            supersample=supersample,
            progress=update,
        )
    write_image(output, to_display(values, intensity=output_kind == "intensity"))  # atomic
    if tif is not None:
        write_image(tif, values.astype(np.float32))
    if not quiet:
        shape_text = "x".join(str(s) for s in volume.shape)
        typer.echo(
            f"projected a {shape_text} volume onto {rows}x{cols}; wrote {output}" + (f" and {tif}" if tif else ""),
            err=True,
        )


__all__ = ["commands"]
