"""Write-then-rename: an output file is either complete or absent, never half-written.

Three guarantees, and what each rests on:

- The final name only ever appears complete: the data goes to a temporary file
  beside it (same file system), renamed into place at the end.
- A failure, Ctrl-C or SIGTERM (the CLI turns SIGTERM into an exception)
  removes the temporary file. SIGKILL cannot be caught: the temporary file
  stays, named ``.<output>.pixelsmith-<pid>-XXXX<suffix>``, and the next write
  to the same output removes every such file whose process is gone.
- An output registered with `create_exclusively` (the CLI does this when
  ``--overwrite`` is not given) is linked into place only if nothing exists
  there yet, so of two runs writing the same new output, the second fails
  clearly instead of silently replacing the first.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_EXCLUSIVE: set[Path] = set()
_MARK = ".pixelsmith-"


def create_exclusively(path: str | os.PathLike, exclusive: bool = True) -> None:
    """Make the next write of `path` fail if a file appears there before the data is complete.

    Of two processes writing the same new output, the second then fails
    clearly instead of silently replacing the first. A registration lasts for
    one write: the atomic writer releases it when the write ends.

    Parameters
    ----------
    path : str or path-like
        The output the next `write_*` call of `pixelsmith.io` will write.
    exclusive : bool, default True
        False withdraws the registration (the write may replace a file).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from pixelsmith.io import create_exclusively, write_image
    >>> path = os.path.join(tempfile.mkdtemp(), "out.npy")
    >>> create_exclusively(path)
    >>> _ = write_image(path, np.zeros(3))   # nothing was there: written
    """
    if exclusive:
        _EXCLUSIVE.add(Path(path).absolute())
    else:
        _EXCLUSIVE.discard(Path(path).absolute())


def _temp_prefix(dest: Path) -> str:
    return f".{dest.name}{_MARK}"


def remove_stale_temporaries(dest: Path) -> list[Path]:
    """Remove temporary files of `dest` left by processes that no longer run (killed with SIGKILL)."""
    folder = dest.parent if str(dest.parent) else Path(".")
    removed = []
    prefix = _temp_prefix(dest)
    for leftover in folder.glob(f"{prefix}*"):
        pid_text = leftover.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or no way to tell: keep its file
    return True


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the destination folder; move it into place on success.

    The temporary file lives beside the destination (same file system, so the
    rename is atomic) and is removed if the body raises (disk full, crash of
    the computation, Ctrl-C, SIGTERM in the CLI).
    """
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"output folder {str(folder)!r} does not exist; create it first")
    remove_stale_temporaries(dest)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f"{_temp_prefix(dest)}{os.getpid()}-", suffix=suffix or dest.suffix, dir=folder
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes 0600 files; an output should get the usual 0666 & ~umask
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        if dest.absolute() in _EXCLUSIVE:
            _link_exclusively(tmp, dest)
        else:
            os.replace(tmp, dest)
    finally:
        _EXCLUSIVE.discard(dest.absolute())  # one write per registration
        with contextlib.suppress(OSError):
            tmp.unlink()


def _link_exclusively(tmp: Path, dest: Path) -> None:
    """Give the finished file its name only if that name is still free (an atomic create)."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise FileExistsError(
            f"output {str(dest)!r} was created by another process while this one was writing; "
            "nothing was replaced (pass --overwrite to replace it)"
        ) from None
    except OSError:  # a file system without hard links: check, then rename (a narrow race remains)
        if dest.exists():
            raise FileExistsError(
                f"output {str(dest)!r} was created by another process while this one was writing; "
                "nothing was replaced (pass --overwrite to replace it)"
            ) from None
        os.replace(tmp, dest)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Write many files as one output: into a temporary folder beside `path`, moved into `path` at the end.

    If `path` does not exist yet, the finished folder is renamed into place in
    one step, so it appears complete or not at all; if it exists, each finished
    file replaces its namesake there. On any failure inside the block (a full
    disk, an error, Ctrl-C, SIGTERM in the command line) the temporary folder
    is removed, and nothing new remains.

    Parameters
    ----------
    path : str or path-like
        The output folder; its parent must exist.

    Yields
    ------
    pathlib.Path
        The temporary folder to write into.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from pixelsmith.io import atomic_folder, write_image
    >>> views = os.path.join(tempfile.mkdtemp(), "views")
    >>> with atomic_folder(views) as folder:
    ...     for n in range(3):
    ...         _ = write_image(folder / f"view_{n}.npy", np.full(4, n))
    >>> sorted(os.listdir(views))
    ['view_0.npy', 'view_1.npy', 'view_2.npy']
    """
    import shutil

    dest = Path(path)
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"output folder {str(parent)!r} does not exist; create it first")
    tmp = Path(tempfile.mkdtemp(prefix=f"{_temp_prefix(dest)}{os.getpid()}-", dir=parent))
    try:
        yield tmp
        if not dest.exists():
            os.rename(tmp, dest)  # one step: the folder appears complete
            return
        for item in sorted(tmp.iterdir()):
            os.replace(item, dest / item.name)
        tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
