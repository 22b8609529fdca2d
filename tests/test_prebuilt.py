"""The machine code shipped in ``_kernels/prebuilt.zip`` (issue 26): built from these kernels, loaded by
a fresh process with an empty numba cache instead of compiling, the same answers as code compiled here,
and declined (numba compiles, as before) wherever numba's own cache key would not match."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import zipfile
from pathlib import Path

import numba
import numpy as np
import pytest

from expect import compiles_in_fresh_process
from pixelsmith._kernels import _prebuilt

KERNELS = Path(_prebuilt.__file__).parent


def _fresh_process(code: str, tmp_path: Path, prebuilt: str = "1") -> list[str]:
    return compiles_in_fresh_process(code, tmp_path / f"cache-{prebuilt}", prebuilt == "1", cwd=tmp_path)


def _manifest() -> dict:
    with zipfile.ZipFile(_prebuilt.ARCHIVE) as archive:
        return json.loads(archive.read(_prebuilt.MANIFEST))


def test_the_archive_was_built_from_these_kernels():
    """A kernel edited after the last ``make prebuilt`` would silently fall back to compiling."""
    manifest = _manifest()
    modules = {p.name: p for p in KERNELS.glob("*.py") if not p.name.startswith("_")}
    stale = sorted(
        name
        for name, path in modules.items()
        if manifest["sources"].get(name) != hashlib.sha256(path.read_bytes()).hexdigest()
    )
    gone = sorted(set(manifest["sources"]) - set(modules))
    assert not stale and not gone, f"_kernels/prebuilt.zip is older than {stale + gone}: run `make prebuilt`"
    # and what numba checks at load time: each index's source stamp is its module's hash
    with zipfile.ZipFile(_prebuilt.ARCHIVE) as archive:
        indexes = [n for n in archive.namelist() if n.endswith(".nbi")]
        assert len(indexes) > 100
        for name in indexes:
            stream = io.BytesIO(archive.read(name))
            assert pickle.load(stream) == manifest["numba"]
            stamp, overloads = pickle.loads(stream.read())
            module = name.split(".")[0] + ".py"
            assert stamp.hex() == manifest["sources"][module], name
            assert all(tuple(key[1]) == tuple(manifest["magic"]) for key in overloads), name


def test_the_archive_targets_the_portable_cpu():
    manifest = _manifest()
    assert manifest["magic"][1:] == [_prebuilt.TARGET_CPU, _prebuilt.TARGET_FEATURES]
    assert manifest["features"] == _prebuilt.TARGET_FEATURES


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, True),
        ({"numba": "0.1.0"}, False),
        ({"python": "py27"}, False),
        ({"triple": "aarch64-unknown-linux-gnu"}, False),
        ({"features": "+avx2,+avx512f"}, False),
    ],
)
def test_usable_only_where_numba_would_key_the_same_code_and_the_cpu_runs_it(change, expected):
    manifest = {"numba": "0.68.1", "python": "py311", "triple": "x86_64-unknown-linux-gnu", "features": "+avx2,+fma"}
    manifest.update(change)
    host = {"avx2": True, "fma": True, "avx512f": False, "sse2": True}
    assert _prebuilt.usable(manifest, "0.68.1", "py311", "x86_64-unknown-linux-gnu", host) is expected


def test_an_unreadable_archive_or_the_switch_means_no_archive(tmp_path, monkeypatch):
    broken = tmp_path / "prebuilt.zip"
    broken.write_bytes(b"not a zip")
    monkeypatch.setattr(_prebuilt, "ARCHIVE", broken)
    _prebuilt.archive.cache_clear()
    try:
        assert _prebuilt.archive() is None
        monkeypatch.setattr(_prebuilt, "ARCHIVE", tmp_path / "absent.zip")
        _prebuilt.archive.cache_clear()
        assert _prebuilt.archive() is None
        monkeypatch.undo()
        monkeypatch.setenv(_prebuilt.SWITCH, "0")
        _prebuilt.archive.cache_clear()
        assert _prebuilt.archive() is None
    finally:
        monkeypatch.undo()
        _prebuilt.archive.cache_clear()


def _archive_serves_this_machine() -> bool:
    _prebuilt.archive.cache_clear()
    return _prebuilt.archive() is not None


@pytest.mark.slow
def test_a_fresh_process_with_an_empty_cache_compiles_nothing(tmp_path):
    """Every kernel the warmup exercises (the public functions in the dtypes that matter) loads."""
    compiled = _fresh_process("ps.warmup(processes=1)", tmp_path)
    if _archive_serves_this_machine():
        # local_apply compiles the user's function (here the warmup's stand-in, `_spread`) and the numba
        # library code it calls; every pixelsmith kernel loads, local_apply's window kernel included
        assert "pixelsmith._warmup._spread" in compiled
        assert [name for name in compiled if name.startswith("pixelsmith.")] == ["pixelsmith._warmup._spread"]
        assert all(name.startswith("numba.") for name in compiled if name != "pixelsmith._warmup._spread")
    else:  # another numba or CPU: the archive steps aside and numba compiles, as without it
        manifest = _manifest()
        assert compiled, f"archive declined (numba {numba.__version__} vs {manifest['numba']}) yet nothing compiled"


# inputs beyond the common dtypes and layouts, each of which compiled on a first call before the archive held
# its kernels: integers the block, aperture, stack and histogram kernels read as they are (1-2.3 s); a CT
# volume's or a signal's rank filters (the engine's tiles have the data's rank: a first 3-D median took
# 5-7 s); Fortran-ordered images (MATLAB files, nibabel, transposes) in the block, aperture, density and
# fill kernels (1-2.3 s)
UNCOMMON_INPUTS = {
    "rare integers": (
        "img0 = np.random.default_rng(0).random((50, 60)) * 90\n"
        "for dt in (np.int8, np.uint32, np.int64, np.uint64, np.int16, bool):\n"
        "    img = img0.astype(dt); ps.block_reduce(img, 4); ps.block_reduce(img, 4, 'max')\n"
        "    ps.aperture_sums(img, [[20.0, 20.0]], 3.0); s = ps.StackStats(); s.add(img); s.std()\n"
        "    ps.equalize_hist(img) if dt is not bool else None"
    ),
    "volumes and signals": (
        "cube = np.random.default_rng(0).random((10, 12, 14)).astype(np.float32)\n"
        "for data in (cube, cube[0, 0], (cube * 200).astype(np.uint8), (cube * 200).astype(np.int16)):\n"
        "    ps.local_median(data, 3); ps.local_percentile(data, 90, 5); ps.local_range(data, 3)\n"
        "ps.local_majority((cube * 5).astype(np.int16), 3)"
    ),
    "Fortran order": (
        "img = np.asfortranarray(np.random.default_rng(0).random((60, 70)))\n"
        "for data in (img, img.astype(np.float32)):\n"
        "    ps.block_reduce(data, 4); ps.aperture_sums(data, [[30.0, 30.0]], 3.0)\n"
        "    ps.aperture_sums(data[::2, 1:], [[10.0, 10.0]], 3.0); ps.fill_nans(np.where(data > 0.9, np.nan, data))\n"
        "ps.density_map(img > 0.5, 8)"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("inputs", UNCOMMON_INPUTS)
def test_uncommon_dtypes_ranks_and_layouts_load_their_kernels_too(tmp_path, inputs):
    compiled = _fresh_process(UNCOMMON_INPUTS[inputs], tmp_path)
    if _archive_serves_this_machine():
        assert [name for name in compiled if name.startswith("pixelsmith.")] == []


@pytest.mark.slow
def test_shipped_and_locally_compiled_code_give_the_same_answers(tmp_path):
    code = (
        "rng = np.random.default_rng(3); img = rng.random((70, 90), np.float32); img[5, 6] = np.nan; "
        "u8 = (rng.random((70, 90)) * 255).astype(np.uint8); "
        "np.savez('out.npz', std=ps.local_std(img, 5), med=ps.local_median(u8, 5), "
        "mx=ps.local_max(img, 7), omit=ps.local_mean(img, 5, nan_policy='omit'), "
        "blocks=ps.block_reduce(u8, 4), peaks=ps.find_peaks(ps.datasets.star_field((80, 80), 6).image).coords)"
    )
    shipped = _fresh_process(code, tmp_path, prebuilt="1")
    with np.load(tmp_path / "out.npz") as f:
        first = {k: f[k] for k in f.files}
    native = _fresh_process(code, tmp_path, prebuilt="0")
    assert native, "with the archive off and an empty cache numba must compile"
    if _archive_serves_this_machine():
        assert shipped == []
    with np.load(tmp_path / "out.npz") as f:
        for name in f.files:
            np.testing.assert_allclose(f[name], first[name], rtol=1e-6, equal_nan=True, err_msg=name)
        np.testing.assert_array_equal(f["med"], first["med"])  # an order statistic: exact
        np.testing.assert_array_equal(f["peaks"], first["peaks"])


_HELPER = "from . import kernel\n\n\n@kernel\ndef helper(x):\n    return x + {step}\n"
_CALLER = "from . import kernel\nfrom .helper import helper\n\n\n@kernel\ndef caller(x):\n    return helper(x) * 2\n"


def test_an_edited_helper_reaches_its_cached_callers_in_other_modules(tmp_path):
    """numba keys a cached kernel on its own file only; the helpers it calls from other modules are compiled
    into it. Each entry is also keyed on the whole kernel package, so a caller whose file did not change
    is compiled again after its helper changed, instead of loading its old machine code."""
    import shutil

    from expect import fresh_python

    package = tmp_path / "fakepkg" / "_kernels"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    for name in ("__init__.py", "_prebuilt.py", "_startup.py"):  # the real decorator and cache layers
        shutil.copy(KERNELS / name, package / name)
    (package / "caller.py").write_text(_CALLER)
    code = (
        f"import os, sys; os.environ['NUMBA_CACHE_DIR'] = {str(tmp_path / 'cache')!r}; "
        f"sys.path.insert(0, {str(tmp_path)!r}); from fakepkg._kernels.caller import caller; print(caller(1))"
    )
    answers = []
    for step in (1, 2):
        (package / "helper.py").write_text(_HELPER.format(step=step))
        answers.append(fresh_python(code))
    assert answers == ["4", "6"]  # (1 + 1) * 2, then (1 + 2) * 2: not the first helper's cached code
    assert fresh_python(code) == "6" and list((tmp_path / "cache").rglob("caller*.nbi"))  # and it is cached
