"""The `pixelsmith` command: one sub-command per capability (typer + rich).

Every sub-command validates its paths first (never overwrites an input, needs
--overwrite to replace an output), prints one clear line on error with a
non-zero exit code, and writes outputs atomically.
"""

from __future__ import annotations

import typer

from .. import __version__
from . import color_cmd, document_cmd, gallery_cmd, images_cmd, local_cmd, render_cmd, sources_cmd, warmup_cmd, xray_cmd

app = typer.Typer(
    name="pixelsmith",
    help="Fast, correct array-image operations for science, on your files.",
    no_args_is_help=True,
    add_completion=True,  # pixelsmith --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pixelsmith {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """pixelsmith: moving-window statistics, block reductions and more, on rasters and images."""


# each command module declares its commands at module level (as rasterio's `rio` does); the app holds them all
_MODULES = (local_cmd, render_cmd, sources_cmd, images_cmd, color_cmd, document_cmd, xray_cmd, gallery_cmd, warmup_cmd)
for _module in _MODULES:
    app.registered_commands.extend(_module.commands.registered_commands)


def _run_one_line_usage_errors() -> int:
    """Run the command; click's usage errors (a bad option value, a missing argument) become one line."""
    import importlib

    # the click that typer uses (recent typer versions vendor their own copy)
    click_errors = importlib.import_module(typer.BadParameter.__module__)
    no_args = getattr(click_errors, "NoArgsIsHelpError", ())
    command = typer.main.get_command(app)
    try:
        result = command.main(prog_name="pixelsmith", standalone_mode=False)
    except no_args as exc:
        exc.show()
        return exc.exit_code
    except click_errors.UsageError as exc:
        where = (
            f"pixelsmith {exc.ctx.command_path.split(' ', 1)[1]} --help"
            if exc.ctx and " " in exc.ctx.command_path
            else "pixelsmith --help"
        )
        typer.echo(f"error: {exc.format_message()} (see {where})", err=True)
        return exc.exit_code
    except click_errors.ClickException as exc:
        typer.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except typer.Abort:
        raise KeyboardInterrupt from None
    return result if isinstance(result, int) else 0


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
        sys.exit(_run_one_line_usage_errors())
    except Terminated:
        print("error: terminated (SIGTERM); no output was written", file=sys.stderr)
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        print("error: interrupted; no output was written", file=sys.stderr)
        sys.exit(128 + signal.SIGINT)
    except MemoryError as exc:
        print(
            f"error: out of memory ({exc or 'an allocation failed'}); no output was written. "
            "Use --chunks to work in blocks, or a smaller problem",
            file=sys.stderr,
        )
        sys.exit(1)
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        import os

        if os.environ.get("PIXELSMITH_DEBUG"):
            raise
        text = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"error: unexpected {type(exc).__name__}: {text}; no output was written "
            "(set PIXELSMITH_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        sys.exit(1)
