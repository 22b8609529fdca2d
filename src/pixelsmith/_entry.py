"""The `pixelsmith` console script: says which extra to install when the CLI's own packages are missing."""

from __future__ import annotations

import sys

# the packages the command itself imports (the [cli] extra)
_CLI_PACKAGES = {"typer", "rich", "click", "imageio", "tifffile"}


def main() -> None:
    try:
        from .cli import main as cli_main
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _CLI_PACKAGES:
            raise
        print(
            f"error: the pixelsmith command needs the optional package {exc.name!r}: "
            'pip install "pixelsmith[cli]" (or pixelsmith[all])',
            file=sys.stderr,
        )
        sys.exit(1)
    cli_main()
