"""`pixelsmith gallery`: render every capability on sample data into an HTML page."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import one_line_errors


def register(app: typer.Typer) -> None:
    @app.command(
        "gallery",
        epilog="Example:  pixelsmith gallery --out build/gallery",
    )
    @one_line_errors
    def gallery(
        out: Path = typer.Option(Path("build/gallery"), "--out", help="Output folder."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the path of index.html."),
    ) -> None:
        """Render the gallery of every capability (inputs, outputs, code, figures)."""
        import time

        from .. import gallery as gallery_module

        t0 = time.perf_counter()
        index = gallery_module.render(out, progress=None if quiet else lambda msg: typer.echo(msg, err=True))
        if not quiet:
            typer.echo(f"gallery written in {time.perf_counter() - t0:.1f} s:", err=True)
        typer.echo(str(index.resolve()))
