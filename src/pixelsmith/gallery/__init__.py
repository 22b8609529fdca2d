"""Render each capability on sample data into an HTML page with PNGs (`make demo`).

Run ``python -m pixelsmith.gallery --out build/gallery``; it prints the path of
``index.html``. Sections are small functions that return a `Section`; the page
shows the inputs and outputs side by side, the code that made them, and key
figures (error against a reference, time).
"""

from __future__ import annotations

import argparse
import html
import time
from collections.abc import Callable
from pathlib import Path

from ._common import Section
from .astronomy import section_sources, section_stamps
from .documents import section_document
from .images import section_colour_and_outlines, section_correlation, section_equalize, section_fill
from .rasters import (
    section_blocks_and_stacks,
    section_local_statistics,
    section_offset_variance,
    section_order_statistics,
)
from .xrays import section_drr

__all__ = ["SECTIONS", "Section", "main", "render"]

SECTIONS: list[Callable[[Path], Section]] = [
    section_local_statistics,
    section_order_statistics,
    section_offset_variance,
    section_blocks_and_stacks,
    section_stamps,
    section_sources,
    section_fill,
    section_correlation,
    section_equalize,
    section_colour_and_outlines,
    section_document,
    section_drr,
]


def render(out_dir: str | Path, *, progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Render every section into `out_dir`; returns the path of index.html.

    `progress` is called with (sections done, total, name of the next section).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for i, make in enumerate(SECTIONS):
        if progress:
            progress(i, len(SECTIONS), make.__name__.removeprefix("section_"))
        sections.append(make(out))
    if progress:
        progress(len(SECTIONS), len(SECTIONS), "done")
    index = out / "index.html"
    tmp = index.with_suffix(".tmp")
    tmp.write_text(_page(sections), encoding="utf-8")
    tmp.replace(index)
    return index


def _page(sections: list[Section]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>pixelsmith gallery</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
        "img{max-width:100%}pre{background:#f4f4f4;padding:.6em}"
        "table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 8px}</style>",
        "</head><body><h1>pixelsmith gallery</h1>",
    ]
    for s in sections:
        parts.append(f"<h2>{html.escape(s.title)}</h2><p><em>{html.escape(s.question)}</em></p>")
        parts.append(f"<pre>{html.escape(s.code)}</pre>")
        for name, caption in s.images:
            parts.append(
                f"<figure><img src='{html.escape(name)}' alt='{html.escape(caption)}'>"
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
        if s.figures:
            rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in s.figures.items())
            parts.append(f"<table>{rows}</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the pixelsmith gallery.")
    parser.add_argument("--out", default="build/gallery", help="output folder (default build/gallery)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    index = render(
        args.out,
        progress=lambda done, total, name: print(f"[{done + 1}/{total}] {name}", flush=True) if done < total else None,
    )
    print(f"gallery written in {time.perf_counter() - t0:.1f} s: {index.resolve()}")
    return 0
