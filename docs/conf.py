"""Sphinx configuration of the pixelsmith site: the API from the docstrings, the cookbook, the gallery.

Built by ``make docs`` into build/docs/index.html; ``tests/test_docs.py`` builds it and fails on any warning.
"""

from __future__ import annotations

import os

import pixelsmith

project = "pixelsmith"
author = "the pixelsmith developers"
copyright = "2026, the pixelsmith developers"  # noqa: A001 (Sphinx's name)
version = release = pixelsmith.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_heading_anchors = 3

autodoc_typehints = "none"  # the numpydoc sections say it, once
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_validation_checks = set()  # tools/check_docstrings.py validates, in make lint
default_role = "py:obj"
nitpicky = False

html_theme = "alabaster"
html_title = f"pixelsmith {release}"
# the gallery (make docs renders it first) is copied beside the pages
# html_extra_path copies a folder's contents to the site's root: make docs renders the gallery into
# <folder>/gallery, so it lands at gallery/index.html beside the pages
_extra = os.environ.get("PIXELSMITH_DOCS_GALLERY")
html_extra_path = [os.path.abspath(_extra)] if _extra else []
