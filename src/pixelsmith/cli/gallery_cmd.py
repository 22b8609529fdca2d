"""`pixelsmith gallery`: render every capability on sample data into an HTML page."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import one_line_errors

# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
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
    if quiet:
        index = gallery_module.render(out)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("gallery: {task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as bar:
            task = bar.add_task("", total=len(gallery_module.SECTIONS))

            def step(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=name)

            index = gallery_module.render(out, progress=step)
    if not quiet:
        typer.echo(f"gallery written in {time.perf_counter() - t0:.1f} s:", err=True)
    typer.echo(str(index.resolve()))
