"""``python -m pixelsmith.gallery --out DIR``."""

from . import main

raise SystemExit(main())
