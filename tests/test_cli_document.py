"""`pixelsmith page-blocks`, `unshuffle`, `straighten`."""

from __future__ import annotations

import json

import numpy as np
from skimage import data
from typer.testing import CliRunner

from pixelsmith.cli import app
from pixelsmith.datasets import synthetic_page
from pixelsmith.io import read_image, write_image

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_page_blocks_json_and_csv(tmp_path):
    sample = synthetic_page((1200, 900), seed=6)
    write_image(tmp_path / "page.png", sample.image)
    res = _invoke("page-blocks", tmp_path / "page.png", "--rows", "--json")
    assert res.exit_code == 0, res.output
    found = json.loads(res.output)
    assert [(b["top"], b["bottom"], b["kind"]) for b in found["blocks"]] == sample.blocks
    assert abs(found["line_pitch"] - 48) <= 1
    plain = _invoke("page-blocks", tmp_path / "page.png", "--rows", "-q")
    lines = plain.output.splitlines()
    assert lines[0] == "top,bottom,kind" and len(lines) == len(sample.blocks) + 1


def test_unshuffle_writes_the_original(tmp_path):
    photo = data.astronaut()
    bounds = [0, 70, 150, 260, 330, 420, 512]
    pieces = [photo[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    shuffled = np.concatenate([pieces[i] for i in (3, 0, 5, 1, 4, 2)], axis=1)
    write_image(tmp_path / "s.png", shuffled)
    res = _invoke("unshuffle", tmp_path / "s.png", tmp_path / "r.png", "--strips", "6", "--json")
    assert res.exit_code == 0, res.output
    assert np.array_equal(read_image(tmp_path / "r.png"), photo)
    assert json.loads(res.output)["order"] == [1, 3, 5, 0, 4, 2]
    res = _invoke("unshuffle", tmp_path / "s.png", tmp_path / "r.png")
    assert res.exit_code == 2 and "--overwrite" in res.output
    res = _invoke("unshuffle", tmp_path / "s.png", tmp_path / "r2.png", "--cuts", "0,a")
    assert res.exit_code == 2 and "--cuts" in res.output


def test_straighten_from_unordered_skeleton_csv(tmp_path):
    image = np.tile(np.arange(200, dtype=np.uint8), (80, 1))
    cols = np.arange(20, 180)
    rows = np.rint(40 + 6 * np.sin(cols / 20.0))
    points = np.random.default_rng(0).permutation(np.column_stack([rows, cols]))
    (tmp_path / "c.csv").write_text("row,col\n" + "\n".join(f"{r:.0f},{c:.0f}" for r, c in points))
    write_image(tmp_path / "img.png", image)
    res = _invoke(
        "straighten", tmp_path / "img.png", tmp_path / "band.png", "--curve", tmp_path / "c.csv", "--height", "15"
    )
    assert res.exit_code == 0, res.output
    band = read_image(tmp_path / "band.png")
    assert band.dtype == np.uint8 and band.shape[0] == 15
    assert abs(int(band[7, 0]) - 20) <= 1  # the band starts at the curve's first column
    res = _invoke(
        "straighten", tmp_path / "img.png", tmp_path / "b2.png", "--curve", tmp_path / "c.csv", "--height", "0"
    )
    assert res.exit_code == 2 and "`height`" in res.output


def _pdf_of(path, pages, dpi=100):
    """A PDF whose pages hold these images at `dpi` (as a scanner writes a PDF), through matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for image in pages:
            figure = plt.figure(figsize=(image.shape[1] / dpi, image.shape[0] / dpi), dpi=dpi)
            figure.figimage(image, cmap="gray", vmin=0, vmax=255)
            pdf.savefig(figure, dpi=dpi)
            plt.close(figure)
    return path


def test_page_blocks_finds_two_columns_in_reading_order_from_a_pdf_page_and_draws_them(tmp_path):
    """Issue 30: two text columns whose lines do not align came back as one figure; PDF needed pdftoppm."""
    from pixelsmith.datasets import two_column_page

    page, truth = two_column_page((1400, 1100), seed=2)
    pdf = _pdf_of(tmp_path / "paper.pdf", [np.full_like(page, 255), page])
    res = _invoke("page-blocks", pdf, "--page", "2", "--dpi", "100", "--overlay", tmp_path / "o.png", "--json")
    assert res.exit_code == 0, res.output
    found = json.loads(res.output)["blocks"]
    assert len(found) == len(truth)
    for got, want in zip(found, truth, strict=True):
        assert got["kind"] == want[4]
        assert max(abs(got[k] - v) for k, v in zip(("top", "bottom", "left", "right"), want[:4], strict=True)) <= 3
    drawn = read_image(tmp_path / "o.png")
    assert drawn.ndim == 3 and drawn.shape[0] > 500
    res = _invoke("page-blocks", pdf, "--page", "3")
    assert res.exit_code == 2 and "`page` 3" in res.output and "2 page(s)" in res.output
    res = _invoke("page-blocks", pdf, "--overlay", tmp_path / "o.jpg")
    assert res.exit_code == 2 and ".png" in res.output


def test_deskew_writes_the_page_straight(tmp_path):
    from pixelsmith.document import page_blocks

    tilted = synthetic_page((900, 700), seed=4, skew_degrees=-2.0).image
    write_image(tmp_path / "t.png", tilted)
    res = _invoke("deskew", tmp_path / "t.png", tmp_path / "s.png")
    assert res.exit_code == 0, res.output
    assert "skew 2.0" in res.output
    straight = read_image(tmp_path / "s.png")
    assert straight.shape == tilted.shape and straight.dtype == tilted.dtype
    assert abs(page_blocks(straight).skew_degrees) < 0.1
    assert len(page_blocks(straight)) == len(synthetic_page((900, 700), seed=4).blocks)
