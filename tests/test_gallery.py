"""The demo gallery renders, every image is non-trivial, and every link resolves."""

from __future__ import annotations

import re

import pytest
from matplotlib.image import imread

from pixelsmith import gallery

pytestmark = pytest.mark.slow  # renders every section (make test-fast skips it)


def test_gallery_renders_every_section(tmp_path):
    index = gallery.render(tmp_path / "g")
    page = index.read_text()
    links = re.findall(r"src='([^']+)'", page)
    assert len(links) == len(gallery.SECTIONS) + 1  # the document section has two pictures
    for link in links:
        path = index.parent / link
        assert path.is_file(), link
        pixels = imread(path)
        assert pixels.std() > 0.05, f"{link} looks blank"
    assert not list(index.parent.glob("*.tmp*"))  # atomic writes left nothing behind
    # the key figures back up what the pictures claim
    figures = dict(re.findall(r"<td>([^<]*)</td><td>([^<]*)</td>", page))
    assert figures["strips restored exactly"] == "True"
    assert float(figures["max |local_median - generic_filter(np.nanmedian)| (m)"]) == 0.0
    found, true = figures["stars found / true"].split(" / ")
    assert found == true
    right, blocks = figures["blocks right (within 2 rows) / true"].split(" / ")
    assert right == blocks
    right, regions = figures["two-column regions found / true"].split(" / ")
    assert right == regions
    assert figures["silhouette strips: warning"].startswith("the order found")
    assert float(figures["mean relative error vs closed form (AP)"].rstrip("%")) < 2.0


def test_gallery_main_prints_the_path(tmp_path, capsys):
    assert gallery.main(["--out", str(tmp_path / "out")]) == 0
    assert str((tmp_path / "out" / "index.html").resolve()) in capsys.readouterr().out
