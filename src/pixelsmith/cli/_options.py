"""Options shared by sub-commands, declared once so names and help read the same everywhere."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, get_args

import typer

from .. import types
from ..io.raster import MIN_CHUNK


def choices(name: str, literal: Any) -> Any:
    """A typer choice (a str Enum) of the values a library Literal type allows, so the two cannot drift."""
    values = get_args(literal)
    return Enum(name, [(value, value) for value in values], type=str)


Mode = choices("Mode", types.Mode)
NanPolicy = choices("NanPolicy", types.NanPolicy)
FillMethod = choices("FillMethod", types.FillMethod)
BlockFunc = choices("BlockFunc", types.BlockFunc)
PercentileMethod = choices("PercentileMethod", types.PercentileMethod)

Band = Annotated[int | None, typer.Option("--band", help="Band to use (1-based); default: the first.")]
Hdu = Annotated[
    str | None,
    typer.Option("--hdu", help="FITS HDU: INDEX, NAME or NAME,VER; default: the first HDU with image data."),
]
Chunks = Annotated[
    int | None,
    typer.Option(
        "--chunks", min=MIN_CHUNK, help="Process out-of-core in chunks of this many rows and columns (e.g. 2048)."
    ),
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", help="Start a local dask.distributed cluster with N worker processes on 127.0.0.1."),
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Use an existing dask.distributed scheduler, e.g. tcp://10.0.0.5:8786."),
]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or messages.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
Bands = Annotated[
    str | None,
    typer.Option(
        "--band",
        help="Band(s), 1-based: N, N,M,... or all (each band on its own, written as a multi-band output).",
    ),
]
Frames = Annotated[
    bool,
    typer.Option("--frames", help="Process each frame of a stack (TIFF pages, FITS cube, 3-D .npy) on its own."),
]
