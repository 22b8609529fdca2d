"""The CLI's side of files: `pixelsmith.io.files` reads any input and writes like it; this module parses
the options (--band) and says the library's refusals in the command's own option names."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import PixelsmithValueError
from ..io.files import Planes, Source, check_writable, read_any, read_plane, write_like
from ._common import fail

__all__ = ["Planes", "Source", "check_output_format", "load_input", "load_planes", "save_planes", "stack_planes"]

# the library names its arguments; the command says its options (the FITS reader's own messages about a
# missing HDU keep naming `hdu`, as the API user and the command user both pass it by that name)
_OPTION_NAMES = (
    ("`band`='all'", "--band all"),
    ("`band`=N", "--band N"),
    ("`frames`=True", "--frames"),
    ("`band`", "--band"),
    ("`hdu` chooses", "--hdu chooses"),
)


@contextlib.contextmanager
def _as_options() -> Iterator[None]:
    try:
        yield
    except PixelsmithValueError as exc:
        text = str(exc)
        for argument, option in _OPTION_NAMES:
            text = text.replace(argument, option)
        fail(text)


def parse_bands(text: str | None) -> list[int] | str | None:
    """``--band``: ``3`` -> [3], ``1,4`` -> [1, 4], ``all`` -> 'all'."""
    if text is None:
        return None
    if text.strip().lower() == "all":
        return "all"
    try:
        numbers = [int(v) for v in text.split(",")]
    except ValueError:
        fail(f"--band must be N, N,M,... or all (bands count from 1), got {text!r}")
    if any(n < 1 for n in numbers):
        fail(f"--band counts from 1 (the first band or channel), got {text!r}")
    return numbers


def load_input(path: Path, *, band: int | None, hdu: Any = None) -> Source:
    """One 2-D plane of `path` (`io.files.read_plane`), refusals in option names."""
    with _as_options():
        return read_plane(path, band=band, hdu=hdu)


def load_planes(path: Path, *, band: str | None, hdu: Any = None, frames: bool = False) -> Planes:
    """The planes of `path` to process (`io.files.read_any`), from the --band text."""
    with _as_options():
        return read_any(path, band=parse_bands(band), hdu=hdu, frames=frames)


def check_output_format(output: Path, dtype: Any, planes: int = 1) -> None:
    """Before any work: the output's format must hold the result (`io.files.check_writable`)."""
    with _as_options():
        check_writable(output, dtype, planes)


def stack_planes(results: list[Any], planes: Planes) -> list[Any] | Any:
    """The per-plane results, as `write_like` takes them (it stacks them like the input)."""
    return results[0] if len(results) == 1 else list(results)


def save_planes(output: Path, result: Any, planes: Planes, progress, *, source: Source | None = None) -> None:
    """Write a per-plane result like its input (`io.files.write_like`), the command line as its history."""
    write_like(output, result, planes, progress=progress, source=source, history=command_history())


def command_history() -> str:
    """What a FITS output's HISTORY card says was done: the version, the command and its settings."""
    from .. import __version__
    from ._common import running_command

    running = running_command.get()
    if running is None:
        return f"pixelsmith {__version__}"
    name, settings = running
    said = " ".join(
        f"{key}={getattr(value, 'value', value)}"
        for key, value in settings.items()
        if value is not None and value is not False and key not in ("quiet", "overwrite", "output")
    )
    return f"pixelsmith {__version__}: {name} {said}".rstrip()
