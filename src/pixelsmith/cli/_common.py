"""What every sub-command shares: one-line errors, safe output paths, clusters, progress."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from .. import PixelsmithError

EXIT_USAGE = 2  # bad arguments or refused paths
EXIT_FAILURE = 1  # the work itself failed (I/O, disk full, ...)


class CliError(Exception):
    """An error to show as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE):
    raise CliError(message, code)


# the running command's name and settings, for what an output records of how it was made (FITS HISTORY)
running_command: contextvars.ContextVar[tuple[str, dict[str, Any]] | None] = contextvars.ContextVar(
    "running_command", default=None
)


def one_line_errors(command: Callable) -> Callable:
    """Turn expected failures into ``error: ...`` on stderr and a non-zero exit."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        import warnings

        running_command.set((command.__name__.removesuffix("_cmd").replace("_", "-"), dict(kwargs)))
        with (
            _gdal_messages() as gdal,
            compile_notice(quiet=bool(kwargs.get("quiet"))),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            try:
                result = command(*args, **kwargs)
            except BaseException as exc:
                _explain(exc, gdal, kwargs.get("output"))  # a failure says one line: its warnings go with it
                raise
        _say_warnings(caught)
        return result

    return wrapper


def _say_warnings(caught: list) -> None:
    """Each distinct warning a command raised (pixelsmith's, astropy's, GDAL's...) as one stderr line,
    instead of Python's two-line form with a source line."""
    seen = set()
    for record in caught:
        text = str(record.message).strip().splitlines()[0] if str(record.message).strip() else ""
        key = (record.category.__name__, text)
        if text and key not in seen:
            seen.add(key)
            typer.echo(f"warning: {text}", err=True)


COMPILING = "compiling kernels for this machine, first run only (`pixelsmith warmup` does it ahead of time)"


def _compile_notice_listener() -> Any:
    """A numba event listener that prints `COMPILING` on stderr, once, when numba starts compiling a
    kernel that is not in its cache yet, instead of seconds of silence before the progress bar moves.

    Loading a cached kernel raises no compile event, so a warm machine prints nothing. A plain line,
    not a second spinner: the command's own progress bar is the live display (two would fight over
    the terminal). Made on demand: numba is imported only by a command that runs.
    """
    import threading

    from numba.core import event

    class CompileNotice(event.Listener):
        def __init__(self) -> None:
            self.lock = threading.Lock()  # kernels also compile in the thread pool's workers
            self.said = False

        def on_start(self, ev: Any) -> None:
            with self.lock:
                if not self.said:
                    self.said = True
                    typer.echo(f"pixelsmith: {COMPILING}", err=True)

        def on_end(self, ev: Any) -> None:
            pass

    return CompileNotice()


@contextlib.contextmanager
def compile_notice(quiet: bool = False) -> Iterator[None]:
    """Say on stderr when numba compiles during the command (the first run on a machine)."""
    if quiet:
        yield
        return
    try:
        from numba.core import event
    except ImportError:  # the kernels cannot run either; their own error says why
        yield
        return
    notice = _compile_notice_listener()
    event.register("numba:compile", notice)
    try:
        yield
    finally:
        event.unregister("numba:compile", notice)


class _Recorder(logging.Handler):
    """Keeps GDAL's error messages (rasterio logs them) instead of letting them reach stderr."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextlib.contextmanager
def _gdal_messages() -> Iterator[_Recorder]:
    logger = logging.getLogger("rasterio")
    recorder = _Recorder()
    previous = logger.propagate
    logger.addHandler(recorder)
    logger.propagate = False
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)
        logger.propagate = previous


def _explain(exc: BaseException, gdal: _Recorder, output: Any = None) -> None:
    """One line for an expected failure; anything else goes on to the entry point's last resort."""
    if "See previous exception" in str(exc):  # GDAL's reason is chained or logged, not in the message
        detail = str(exc.__cause__ or "") or (gdal.messages[-1] if gdal.messages else "")
        reason = "GDAL could not write the output"
        if output is not None and _nearly_full(Path(output)):
            reason = "no space left on device"
        _die(
            f"{reason} ({detail.strip() or str(exc).split('.')[0]}) while writing {str(output)!r}; "
            "no output was written",
            EXIT_FAILURE,
        )
    if isinstance(exc, CliError):
        _die(str(exc), exc.code)
    if isinstance(exc, PixelsmithError):
        _die(str(exc), EXIT_USAGE)
    if isinstance(exc, FileExistsError):  # another run created the output first
        _die(str(exc), EXIT_FAILURE)
    if isinstance(exc, FileNotFoundError):
        _die(str(exc) if not exc.filename else f"{exc.strerror}: {exc.filename}", EXIT_USAGE)
    if isinstance(exc, PermissionError):
        _die(f"permission denied: {exc.filename or exc}", EXIT_FAILURE)
    if isinstance(exc, OSError):  # disk full, I/O errors; the output was never renamed into place
        _die(
            f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}; no output was written",
            EXIT_FAILURE,
        )
    if isinstance(exc, _rasterio_errors()):
        _die(f"raster error: {str(exc).splitlines()[0]}", EXIT_FAILURE)
    raise exc


def _nearly_full(output: Path) -> bool:
    """True when the output's file system has less than 1 % or 64 MiB free."""
    import shutil

    try:
        usage = shutil.disk_usage(output.parent if str(output.parent) else Path("."))
    except OSError:
        return False
    return usage.free < max(usage.total // 100, 0) or usage.free < (64 << 20)


def _rasterio_errors() -> tuple[type[BaseException], ...]:
    try:
        from rasterio.errors import RasterioError

        return (RasterioError,)
    except ImportError:  # pragma: no cover - rasterio is in [geo]
        return ()


def _die(message: str, code: int):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def check_paths(inputs: list[Path], output: Path, overwrite: bool) -> None:
    """Refuse to overwrite an input (ever) or an existing output (without --overwrite)."""
    for src in inputs:
        if not src.exists():
            fail(f"input {str(src)!r} does not exist")
        same_file = output.exists() and os.path.samefile(src, output)
        if same_file or output.resolve() == src.resolve():
            fail(f"output {str(output)!r} is the input; choose another output path")
    if output.exists() and not overwrite:
        fail(f"output {str(output)!r} exists; pass --overwrite to replace it")
    from ..io import create_exclusively

    # without --overwrite, if another run creates the output meanwhile, fail at the end instead of replacing it
    create_exclusively(output, exclusive=not overwrite)
    if output.exists() and output.is_dir():
        fail(f"output {str(output)!r} is a folder; give a file name")
    if not output.parent.exists():
        fail(f"output folder {str(output.parent)!r} does not exist")
    if not os.access(output.parent, os.W_OK):
        fail(f"output folder {str(output.parent)!r} is not writable", EXIT_FAILURE)


@contextlib.contextmanager
def dask_cluster(workers: int | None, scheduler: str | None, quiet: bool) -> Iterator[Any]:
    """A dask.distributed client for --workers N (local cluster on 127.0.0.1) or --scheduler."""
    if workers is None and scheduler is None:
        yield None
        return
    if workers is not None and scheduler is not None:
        fail("give --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        fail(f"--workers must be >= 1, got {workers}")
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            fail(f"cannot reach the dask scheduler at {scheduler!r}: {exc}", EXIT_FAILURE)
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        if not quiet:
            typer.echo(f"started a local dask cluster with {workers} workers at {cluster.scheduler_address}", err=True)
        yield client


@contextlib.contextmanager
def progress_bar(description: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar fed with (done, total); silent with --quiet."""
    if quiet:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


# a disk this wide is already a 160 MB mask, far wider than any window that means something
_MAX_DISK_RADIUS = 6000


# lengths in map units (--footprint disk:150m) -> metres
_LENGTH_UNITS = {"m": 1.0, "km": 1000.0, "ft": 0.3048}


def parse_footprint(text: str | None, pixel_size: Callable[[], tuple[float, float]] | None = None):
    """``disk:R`` (d <= R), ``annulus:R1,R2`` (R1 <= d <= R2) -> boolean footprint; ``box:N`` -> the int N.

    Lengths in pixels, or in metres, km or feet with a unit (``disk:150m``), converted through
    `pixel_size()`, the input's (row, col) pixel size in metres (which refuses a geographic CRS).
    A box in pixels is a plain window size (the separable path), so it comes back as a size for ``--size``.
    """
    if text is None:
        return None

    usage = (
        f"--footprint must be disk:R, annulus:R1,R2 or box:N with 0 <= R < {_MAX_DISK_RADIUS} pixels "
        "(e.g. disk:3), or lengths with a unit on a projected raster (disk:150m, annulus:100m,300m, box:1km)"
    )
    kind, _, value = text.partition(":")
    numbers, units = [], set()
    for item in value.split(","):
        item = item.strip()
        unit = next((u for u in sorted(_LENGTH_UNITS, key=len, reverse=True) if item.endswith(u)), "")
        try:
            numbers.append(float(item.removesuffix(unit)) if unit else float(item))
        except ValueError:
            fail(f"{usage}, got {text!r}")
        units.add(unit)
    if len(units) > 1:
        fail(f"--footprint {text!r} mixes pixels and map units; give every length the same way")
    unit = units.pop()
    spacing = (1.0, 1.0)
    if unit:
        if pixel_size is None:
            fail(f"--footprint {text!r} gives map units; this command takes the footprint in pixels")
        try:
            metres = pixel_size()
        except PixelsmithError as exc:
            fail(f"--footprint {text!r} is in map units but {exc}")
        numbers = [n * _LENGTH_UNITS[unit] for n in numbers]
        spacing = metres
    from .. import footprints

    if kind == "box":
        if len(numbers) != 1 or numbers[0] < 0:
            fail(f"{usage}; box takes one length, got {text!r}")
        if not unit:
            if not numbers[0].is_integer() or not 1 <= numbers[0] <= 2 * _MAX_DISK_RADIUS:
                fail(f"{usage}; box:N takes a whole number N >= 1, got {text!r}")
            return int(numbers[0])
        counts = footprints.box(numbers[0], spacing=spacing).shape
        return counts if counts[0] != counts[1] else counts[0]
    shape = {"disk": 1, "annulus": 2}.get(kind)
    pixels = [n / min(spacing) for n in numbers]
    if shape is None or len(numbers) != shape or not all(0 <= r < _MAX_DISK_RADIUS for r in pixels):
        fail(f"{usage}, got {text!r}")
    inner, outer = (0.0, numbers[0]) if kind == "disk" else (numbers[0], numbers[1])
    if outer < inner:
        fail(f"--footprint annulus:R1,R2 needs R1 <= R2, got {text!r}")
    footprint = footprints.disk(outer, spacing) if kind == "disk" else footprints.annulus(inner, outer, spacing)
    if not footprint.any():
        fail(f"--footprint {text!r} holds no pixel")
    return footprint


def parse_hdu(text: str | None):
    """``--hdu``: ``2`` -> 2, ``SCI`` -> 'SCI', ``SCI,2`` -> ('SCI', 2)."""
    if text is None:
        return None
    if text.strip().isdigit():
        return int(text)
    name, _, version = text.partition(",")
    if not version:
        return name.strip()
    if not version.strip().isdigit():
        fail(f"--hdu must be INDEX, NAME or NAME,VER (e.g. SCI,1), got {text!r}")
    return name.strip(), int(version)


def parse_stat(text: str) -> tuple[str, float]:
    """``mean`` ... ``variety`` or ``percentile:Q`` -> (statistic, q); median is percentile 50."""
    name, _, value = text.partition(":")
    plain = ("mean", "sum", "var", "std", "min", "max", "count", "median", "range", "majority", "variety")
    if name == "percentile":
        try:
            q = float(value)
        except ValueError:
            q = float("nan")
        if not 0 <= q <= 100:
            fail(f"--stat percentile:Q needs Q in 0..100 (e.g. percentile:90), got {text!r}")
        return "percentile", q
    if name not in plain or value:
        fail(f"--stat must be one of {', '.join(plain)} or percentile:Q, got {text!r}")
    return ("percentile", 50.0) if name == "median" else (name, 50.0)


def parse_size(text: str) -> int | tuple[int, ...]:
    """``5`` or ``5,3`` -> 5 or (5, 3)."""
    try:
        parts = tuple(int(p) for p in text.split(","))
    except ValueError:
        fail(f"--size must be an integer or rows,cols (e.g. 5 or 5,3), got {text!r}")
    return parts[0] if len(parts) == 1 else parts
