"""The documentation site builds from the docstrings, cookbook and conventions without a single warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a whole Sphinx build (make test-fast skips it)

ROOT = Path(__file__).resolve().parent.parent


def test_the_site_builds_without_warnings(tmp_path):
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-b", "html", str(ROOT / "docs"), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    api = (out / "api.html").read_text()
    import pixelsmith as ps

    for name in [n for n in ps.__all__ if not n.startswith("_") and callable(getattr(ps, n))]:
        assert f'id="pixelsmith.{name}"' in api, name  # every public name has its entry
    for page in ("index.html", "cookbook.html", "conventions.html", "gallery.html"):
        assert (out / page).is_file()
