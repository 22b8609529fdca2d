"""Build ``src/pixelsmith/_kernels/prebuilt.zip``: every kernel's machine code for a portable CPU.

Runs `pixelsmith warmup` in a child process with an empty ``NUMBA_CACHE_DIR``,
numba told to compile for x86-64-v3 (``NUMBA_CPU_NAME`` and
``NUMBA_CPU_FEATURES``) and the current archive switched off, then packs the
cache numba wrote (its own index and data files, unchanged) with a manifest
saying what the code needs: the numba and Python versions, the target triple,
the CPU features, and each kernel module's SHA-256. Members are compressed one
by one (LZMA), so a first call reads only its own kernel's entries. The file
is written beside and renamed into place; member dates are fixed, so the same
inputs give the same bytes.

Run it (``make prebuilt``) after changing anything under ``_kernels/`` or
upgrading numba; ``tests/test_prebuilt.py`` fails until then, naming the
kernel files that changed.

Run: ``python tools/build_prebuilt.py``
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "src" / "pixelsmith" / "_kernels"
sys.path.insert(0, str(ROOT / "src"))

from pixelsmith._kernels import _prebuilt  # noqa: E402

FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def compile_into(cache_dir: Path) -> None:
    """Run every warmup group in a child whose numba compiles for the portable target into `cache_dir`."""
    env = dict(os.environ)
    env.update(
        NUMBA_CACHE_DIR=str(cache_dir),
        NUMBA_CPU_NAME=_prebuilt.TARGET_CPU,
        NUMBA_CPU_FEATURES=_prebuilt.TARGET_FEATURES,
        PYTHONPATH=str(ROOT / "src"),
    )
    env[_prebuilt.SWITCH] = "0"  # compile everything: entries loaded from the old archive would not be written
    subprocess.run([sys.executable, "-m", "pixelsmith", "warmup", "--quiet"], env=env, check=True)


def magic_of(cache_dir: Path) -> list[str]:
    """The (triple, CPU, features) numba keyed the new entries on, read back from one index."""
    import pickle

    index = next(cache_dir.rglob("*.nbi"))
    with index.open("rb") as f:
        pickle.load(f)  # the numba version
        _stamp, overloads = pickle.loads(f.read())
    return list(next(iter(overloads))[1])


def main() -> None:
    import llvmlite.binding as llvm
    import numba

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pixelsmith-prebuilt-") as tmp:
        cache_dir = Path(tmp)
        compile_into(cache_dir)
        folders = [p for p in cache_dir.iterdir() if p.is_dir()]
        if len(folders) != 1 or not folders[0].name.startswith("_kernels"):
            raise SystemExit(f"expected numba's cache of _kernels alone, found {[p.name for p in folders]}")
        entries = sorted(p for p in folders[0].iterdir() if p.suffix in (".nbi", ".nbc"))
        magic = magic_of(cache_dir)
        if magic[1:] != [_prebuilt.TARGET_CPU, _prebuilt.TARGET_FEATURES]:
            raise SystemExit(f"numba compiled for {magic[1]!r}, not {_prebuilt.TARGET_CPU!r}")
        manifest = {
            "numba": numba.__version__,
            "python": _prebuilt.python_tag(),
            "triple": llvm.get_process_triple(),
            "features": _prebuilt.TARGET_FEATURES,
            "magic": magic,
            "sources": {
                p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(KERNELS.glob("*.py"))
                if not p.name.startswith("_")
            },
        }
        partial = _prebuilt.ARCHIVE.with_suffix(".zip.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_LZMA) as archive:
            info = zipfile.ZipInfo(_prebuilt.MANIFEST, FIXED_DATE)
            archive.writestr(info, json.dumps(manifest, indent=1, sort_keys=True), zipfile.ZIP_DEFLATED)
            for path in entries:
                archive.writestr(zipfile.ZipInfo(path.name, FIXED_DATE), path.read_bytes(), zipfile.ZIP_LZMA)
        partial.replace(_prebuilt.ARCHIVE)
    size = _prebuilt.ARCHIVE.stat().st_size / 1e6
    print(
        f"{_prebuilt.ARCHIVE.relative_to(ROOT)}: {len(entries)} cache files, {size:.1f} MB, "
        f"numba {numba.__version__}, {manifest['python']}, {_prebuilt.TARGET_CPU}, "
        f"{time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
