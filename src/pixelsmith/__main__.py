"""``python -m pixelsmith`` runs the command-line interface."""

from ._entry import main

main()
