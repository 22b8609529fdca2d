"""The `pixelsmith` command: one sub-command per capability (typer + rich).

Every sub-command validates its paths first (never overwrites an input, needs
--overwrite to replace an output), prints one clear line on error with a
non-zero exit code, and writes outputs atomically.
"""

from __future__ import annotations

import typer

from .. import __version__
from . import color_cmd, document_cmd, gallery_cmd, images_cmd, local_cmd, render_cmd, sources_cmd, xray_cmd

app = typer.Typer(
    name="pixelsmith",
    help="Fast, correct array-image operations for science, on your files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pixelsmith {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """pixelsmith: moving-window statistics, block reductions and more, on rasters and images."""


local_cmd.register(app)
render_cmd.register(app)
sources_cmd.register(app)
images_cmd.register(app)
color_cmd.register(app)
document_cmd.register(app)
xray_cmd.register(app)
gallery_cmd.register(app)


class Terminated(BaseException):
    """SIGTERM (what `timeout` and job schedulers send) as an exception, so temporary files are removed."""


def _terminate(signum, frame):
    raise Terminated()


def main() -> None:
    """Console-script entry point: SIGTERM unwinds like Ctrl-C (no temporary file is left), exit 143."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except Terminated:
        print("error: terminated (SIGTERM); no output was written", file=sys.stderr)
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        print("error: interrupted; no output was written", file=sys.stderr)
        sys.exit(128 + signal.SIGINT)
