"""``python -m pixelsmith`` runs the command-line interface."""

from .cli import main

main()
