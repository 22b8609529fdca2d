"""Every ```python block of docs/cookbook.md runs, on its own, in a temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "cookbook.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", COOKBOOK.read_text(), flags=re.S | re.M)


def _title(index: int) -> str:
    text = COOKBOOK.read_text()
    start = [m.start() for m in re.finditer(r"^```python\n", text, flags=re.M)][index]
    headings = re.findall(r"^#+ (.+)$", text[:start], flags=re.M)
    return headings[-1] if headings else str(index)


def test_the_cookbook_has_its_entries():
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[_title(i)[:40] for i in range(len(BLOCKS))])
def test_cookbook_block_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = compile(BLOCKS[index], f"cookbook block {index}: {_title(index)}", "exec")
    exec(code, {"__name__": f"cookbook_{index}"})
