"""Machine code shipped with the package, so that a first call loads instead of compiling (issue 26).

numba compiles a kernel on its first call and caches the machine code on disk;
a fresh machine, CI job, notebook or dask worker pays seconds per kernel and
dtype. ``prebuilt.zip`` holds numba's own cache entries for every kernel
exercised by `pixelsmith.warmup`, compiled ahead of time for a portable
target: x86-64-v3 (AVX2, FMA, BMI2: every x86-64 CPU since 2013-2015), so
the same code runs on AMD and Intel parts alike. ``tools/build_prebuilt.py``
(``make prebuilt``) builds it.

Each kernel's cache is layered: numba's usual on-disk cache first (what this
machine compiled for its own CPU, e.g. by ``pixelsmith warmup --native``),
then the archive, then the compiler. An archive entry is used only when
everything numba itself keys a cache on matches: the numba version, the
Python version, the kernel's source file (its SHA-256) and bytecode, the
argument types, and a CPU that has every feature the code was compiled for.
Anything else (another numba, an ARM machine, an edited kernel) falls back to
compiling, exactly as without the archive. ``PIXELSMITH_PREBUILT_KERNELS=0``
turns the archive off.

Both layers also key every entry on the whole kernel package (`package_stamp`):
numba alone keys a kernel on its own file, not on the helpers it calls from
other modules, whose code is compiled into it, so an edited or upgraded
helper would otherwise leave its callers' cached code stale.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import pickle
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import numba
from numba.core.caching import FunctionCache

ARCHIVE = Path(__file__).with_name("prebuilt.zip")
MANIFEST = "manifest.json"
# the portable target: the x86-64-v3 level, named as LLVM names it, with its features spelled out
# (numba keys a cache entry on the CPU name and the feature string)
TARGET_CPU = "x86-64-v3"
TARGET_FEATURES = (
    "+64bit,+avx,+avx2,+bmi,+bmi2,+cmov,+cx16,+cx8,+f16c,+fma,+fxsr,+lzcnt,+mmx,+movbe,"
    "+popcnt,+sahf,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+xsave"
)
SWITCH = "PIXELSMITH_PREBUILT_KERNELS"


def python_tag() -> str:
    """The tag numba's cache file names carry: ``py311`` for CPython 3.11."""
    return f"py{sys.version_info[0]}{sys.version_info[1]}{getattr(sys, 'abiflags', '')}"


def usable(manifest: dict[str, Any], numba_version: str, tag: str, triple: str, host_features: dict[str, bool]) -> bool:
    """Whether code built as `manifest` describes can run here and be keyed as numba keys it."""
    if manifest.get("numba") != numba_version or manifest.get("python") != tag:
        return False
    if manifest.get("triple") != triple:
        return False
    needed = [name[1:] for name in str(manifest.get("features", "")).split(",") if name.startswith("+")]
    return all(host_features.get(name, False) for name in needed)


class _Archive:
    """The open archive: one index per kernel, read on first use; reads under a lock (thread pool)."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self._zip = zipfile.ZipFile(path)
        self._lock = threading.Lock()
        self._indexes: dict[str, tuple[bytes, dict[Any, str]] | None] = {}
        self.magic = tuple(manifest["magic"])

    def _read(self, member: str) -> bytes | None:
        with self._lock:
            try:
                return self._zip.read(member)
            except KeyError:
                return None

    def _index(self, filename_base: str) -> tuple[bytes, dict[Any, str]] | None:
        if filename_base not in self._indexes:
            raw = self._read(f"{filename_base}.nbi")
            entry = None
            if raw is not None:
                # numba's index format: the numba version pickled alone, then (source stamp, {key: data file})
                stream = io.BytesIO(raw)
                if pickle.load(stream) == numba.__version__:
                    entry = pickle.loads(stream.read())
            self._indexes[filename_base] = entry
        return self._indexes[filename_base]

    def load(self, filename_base: str, stamp: bytes, key: Any) -> Any:
        """The cached payload for `key`, or None when absent or built from another source."""
        index = self._index(filename_base)
        if index is None or index[0] != stamp:
            return None
        name = index[1].get(key)
        raw = None if name is None else self._read(name)
        return None if raw is None else pickle.loads(raw)


@functools.cache
def archive() -> _Archive | None:
    """The archive when it is present, switched on and usable on this machine; else None."""
    if os.environ.get(SWITCH, "1").strip().lower() in ("0", "false", "no", "off") or not ARCHIVE.is_file():
        return None
    try:
        with zipfile.ZipFile(ARCHIVE) as opened:
            manifest = json.loads(opened.read(MANIFEST))
        import llvmlite.binding as llvm

        features = dict(llvm.get_host_cpu_features())
        triple = llvm.get_process_triple()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        return None  # an unreadable archive is no archive: numba compiles as before
    if not usable(manifest, numba.__version__, python_tag(), triple, features):
        return None
    return _Archive(ARCHIVE, manifest)


class _Magic:
    """Stands in for a codegen when computing an index key for the archive's target."""

    def __init__(self, magic: tuple[Any, ...]) -> None:
        self._magic = magic

    def magic_tuple(self) -> tuple[Any, ...]:
        return self._magic


@functools.cache
def package_stamp(folder: Path = ARCHIVE.parent) -> str:
    """SHA-256 of every module of the kernel package (names and contents), read once per process."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class LayeredCache(FunctionCache):
    """numba's function cache, then the archive: what this machine compiled wins, the archive beats compiling."""

    def _index_key(self, sig: Any, codegen: Any) -> Any:
        # numba keys an entry on the kernel's own file and bytecode, not on the kernels it calls from other
        # modules, whose code is compiled into it: after an edit of rows.py (or an upgrade that changes it)
        # every caller elsewhere would load its old machine code. The whole package's stamp joins the key.
        signature, magic, hashes = super()._index_key(sig, codegen)
        return signature, magic, (*hashes, package_stamp())

    def load_overload(self, sig: Any, target_context: Any) -> Any:
        # numba refreshes the target context before every cache load: the first refresh in a process
        # imports all of numba's implementation registries (0.1-0.3 s), which only compiling uses (the
        # compiler refreshes for itself). Loading machine code needs the runtime (NRT) alone.
        from numba.core.runtime import rtsys

        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)

    def _load_overload(self, sig: Any, target_context: Any) -> Any:
        data = super()._load_overload(sig, target_context)
        if data is not None or not self._enabled:
            return data
        shipped = archive()
        if shipped is None:
            return None
        key = self._index_key(sig, _Magic(shipped.magic))
        payload = shipped.load(self._impl.filename_base, self._impl.locator.get_source_stamp(), key)
        return None if payload is None else self._impl.rebuild(target_context, payload)


def layer(dispatcher: Any) -> Any:
    """Give a cached numba dispatcher the layered cache (the archive behind numba's own)."""
    dispatcher._cache = LayeredCache(dispatcher.py_func)
    return dispatcher
