"""The import graph the design promises (issue 29): data flows file -> io -> array -> operation -> io -> file."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "pixelsmith"


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in the file (function-level imports too), as absolute names."""
    module = "pixelsmith." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                root = ".".join(base + ([node.module] if node.module else []))
            else:
                root = node.module or ""
            found.add(root)
            found.update(f"{root}.{alias.name}" for alias in node.names)
    return found


def test_io_imports_no_operation():
    """io reads and writes: it never imports the window statistics, the X-ray projectors or the kernels."""
    forbidden = ("pixelsmith.local", "pixelsmith.xray", "pixelsmith._kernels", "pixelsmith._parallel")
    for path in sorted((PACKAGE / "io").glob("*.py")):
        bad = sorted(m for m in _imports(path) if m.startswith(forbidden))
        assert not bad, f"{path.name} imports {bad}"


def test_no_module_reaches_another_through_sys_modules():
    users = [p.name for p in PACKAGE.rglob("*.py") if "sys.modules" in p.read_text()]
    assert users == []


def test_the_import_helper_resolves_relative_imports():
    names = _imports(PACKAGE / "io" / "dicom.py")
    assert "pixelsmith.volume.Volume" in names and "pixelsmith._validate" in names


def test_command_line_choices_are_the_library_literals():
    """The CLI builds its option choices from pixelsmith.types, and the library checks the same names."""
    from typing import get_args

    from pixelsmith import types
    from pixelsmith.blocks import BLOCK_FUNCS
    from pixelsmith.cli import _options
    from pixelsmith.local.by_name import STATISTICS

    for name in ("Mode", "NanPolicy", "FillMethod", "BlockFunc", "PercentileMethod"):
        assert [m.value for m in getattr(_options, name)] == list(get_args(getattr(types, name)))
    assert sorted(BLOCK_FUNCS) == sorted(get_args(types.BlockFunc))
    assert STATISTICS == get_args(types.Statistic)
    from pixelsmith.local._engine import PERCENTILE_METHODS

    assert PERCENTILE_METHODS == get_args(types.PercentileMethod)


def test_the_xray_names_listed_are_the_names_loaded():
    from pixelsmith import xray

    assert sorted(xray.__all__) == sorted(xray._WHERE)
    assert all(getattr(xray, name) is not None for name in xray.__all__)


def test_the_command_line_imports_public_names_only():
    """cli/ glues public functions: no private module or name of the library (its own _common etc. aside)."""
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for name in _imports(path):
            if not name.startswith("pixelsmith.") or name.startswith("pixelsmith.cli."):
                continue
            private = [part for part in name.split(".")[1:] if part.startswith("_") and not part.startswith("__")]
            assert not private, f"{path.name} imports {name}"


def test_commands_are_defined_at_module_level():
    for path in sorted((PACKAGE / "cli").glob("*_cmd.py")):
        text = path.read_text()
        assert "def register(" not in text and "\n@commands.command(" in text, path.name
