"""`pixelsmith warmup`: compile every kernel into numba's cache, for images, nodes and CI caches."""

from __future__ import annotations

import time

import typer

from ._common import fail, one_line_errors

# this module's commands, defined at module level; `pixelsmith.cli` adds them to the one app
commands = typer.Typer()


@commands.command(
    "warmup", epilog="Example:  pixelsmith warmup   (then NUMBA_CACHE_DIR, or the package folder, holds the cache)"
)
@one_line_errors
def warmup(
    group: list[str] = typer.Option(None, "--group", help="Compile only this family (repeatable); default: all."),
    processes: int = typer.Option(None, "--processes", min=1, help="Worker processes; default: one per CPU."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    native: bool = typer.Option(
        False, "--native", help="Compile for this CPU even where the shipped portable (x86-64-v3) code loads."
    ),
) -> None:
    """Compile every kernel for this machine now, so that no later first call waits for the compiler.

    pixelsmith ships compiled kernels for x86-64-v3 CPUs (AVX2); warmup compiles what they do not cover
    here (another numba or Python, another CPU family), or everything for this CPU with --native. Run it
    once where numba's cache outlives the process: in a Docker image, on each cluster node (or in the
    dask worker image), in a CI cache. NUMBA_CACHE_DIR names the cache folder (by default numba writes
    beside the installed package, or under ~/.cache when that is read-only).
    """
    from .. import warmup as compile_all

    names = group or list(compile_all.groups)
    unknown = [n for n in names if n not in compile_all.groups]
    if unknown:
        fail(f"--group {unknown[0]!r} is not a kernel family; choose from {', '.join(compile_all.groups)}")
    t0 = time.perf_counter()
    if quiet:
        compile_all(names, processes=processes, native=native)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("warmup: {task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task("compiling", total=len(names))

            def step(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, description=f"{name} done")

            compile_all(names, processes=processes, progress=step, native=native)
        typer.echo(f"warmed up {len(names)} kernel families in {time.perf_counter() - t0:.0f} s", err=True)
