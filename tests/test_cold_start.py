"""Fast from the first call (issue 26): a light import, `warmup` into numba's cache, a warm cache on
dask workers, the CLI's compile notice, and guards and timings that leave compilation out."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import pixelsmith as ps
from expect import compile_watch, compiles_in_fresh_process, fresh_python, time_limit


def test_import_pixelsmith_loads_neither_numba_nor_scipy():
    code = (
        "import sys, pixelsmith as ps; "
        "heavy = sorted(m for m in ('numba', 'scipy', 'matplotlib', 'dask') if m in sys.modules); "
        "print(','.join(heavy))"
    )
    assert fresh_python(code) == ""


def test_the_first_kernel_call_leaves_scipy_linalg_unloaded_and_blas_working():
    # a kernel loaded from the cache leaves numba's implementation registries unimported (0.1-0.3 s of a
    # first call), and so scipy.linalg, which numba's BLAS probe would import (0.3 s); when a user's function
    # is compiled, the registries load, the probe is answered without scipy.linalg, numba's own probe is
    # back for later callers, and np.dot and np.cov compile and run
    code = (
        "import sys, numpy as np, pixelsmith as ps; "
        "ps.local_mean(np.ones((20, 20), np.float32), 3); "
        "loaded = [m for m in ('scipy.linalg', 'numba.np.arraymath') if m in sys.modules]; "
        "import numba; from numba.np import linalg; "
        "numba.njit(lambda a: a.sum())(np.ones(3)); "
        "probe_loaded = 'scipy.linalg' in sys.modules; "
        "from numba.np import arraymath; "
        "dot = numba.njit(lambda a, b: np.dot(a, b)); cov = numba.njit(lambda a: np.cov(a)); "
        "a = np.arange(6.0).reshape(2, 3); "
        "print(loaded, probe_loaded, arraymath._HAVE_BLAS, linalg.ensure_blas.__module__, "
        "np.array_equal(dot(a, a.T), a @ a.T), np.allclose(cov(a), np.cov(a)))"
    )
    assert fresh_python(code).split() == ["[]", "False", "True", "numba.np.linalg", "True", "True"]


def test_every_public_name_loads_on_first_use():
    code = (
        "import pixelsmith as ps; missing = [n for n in ps.__all__ if getattr(ps, n, None) is None]; "
        "from pixelsmith import local_std, find_peaks; print(missing, sorted(set(ps.__all__) - set(dir(ps))))"
    )
    assert fresh_python(code) == "[] []"
    with pytest.raises(AttributeError, match="no attribute 'local_nonesuch'"):
        ps.local_nonesuch  # noqa: B018


@pytest.mark.slow
def test_warmup_fills_the_cache_that_a_new_process_loads(tmp_path):
    cache = tmp_path / "numba-cache"
    warm = compiles_in_fresh_process("ps.warmup(['blocks and stacks'], processes=1)", cache)
    assert any("block" in name for name in warm), warm  # the cache was empty: the kernels compiled
    image = "np.random.default_rng(1).random((40, 48), np.float32)"
    assert compiles_in_fresh_process(f"ps.block_reduce({image}, 4); ps.density_map({image} > 0.5, 8)", cache) == []


def test_warmup_refuses_unknown_groups_and_process_counts():
    with pytest.raises(ps.PixelsmithValueError, match="`groups`"):
        ps.warmup(["nonesuch"])
    with pytest.raises(ps.PixelsmithValueError, match="`processes`"):
        ps.warmup(["stamps"], processes=0)


@pytest.mark.slow
def test_warmup_command_and_its_one_line_error(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PIXELSMITH_PREBUILT_KERNELS="0")
    run = [sys.executable, "-m", "pixelsmith", "warmup"]
    done = subprocess.run([*run, "--group", "nonesuch"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--group 'nonesuch'" in done.stderr
    done = subprocess.run(
        [*run, "--group", "blocks and stacks", "--processes", "2"], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    assert "warmed up 1 kernel families" in done.stderr


@pytest.mark.slow
def test_dask_workers_load_a_warm_cache(tmp_path, monkeypatch):
    """A cluster's worker processes share the cache (NUMBA_CACHE_DIR on shared storage, or warmup run in
    the worker image): the first task on a fresh worker compiles nothing."""
    from distributed import Client, LocalCluster

    cache = tmp_path / "shared-cache"
    compiles_in_fresh_process("ps.warmup(['blocks and stacks'], processes=1)", cache)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))  # the workers' environment
    monkeypatch.setenv("PIXELSMITH_PREBUILT_KERNELS", "0")  # numba's cache alone serves them

    def first_task():
        from numba.core import event

        import pixelsmith

        listener = event.RecordingListener()
        with event.install_listener("numba:compile", listener):
            reduced = pixelsmith.block_reduce(np.arange(40 * 48, dtype=np.float32).reshape(40, 48), 4)
        return len(listener.buffer), float(reduced.sum())

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        compiled, total = client.submit(first_task, pure=False).result(timeout=600)
    assert compiled == 0
    assert total == pytest.approx(float(np.arange(40 * 48).sum()) / 16)


@pytest.mark.slow
def test_the_command_says_when_it_compiles_and_is_silent_when_cached(tmp_path):
    np.save(tmp_path / "in.npy", np.random.default_rng(0).random((40, 50)).astype(np.float32))
    # a machine the shipped code cannot serve (another numba, say): numba compiles, and says so
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PIXELSMITH_PREBUILT_KERNELS="0")

    def run(output):
        command = [sys.executable, "-m", "pixelsmith", "local", "in.npy", output, "--stat", "max", "--size", "3"]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        return done.stderr

    first = run("a.npy")
    assert first.count("compiling kernels for this machine, first run only") == 1, first
    assert "compiling" not in run("b.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))


def test_time_limit_leaves_compilation_out():
    compile_watch.install()
    with pytest.raises(TimeoutError, match="a hang"), time_limit(0.2):
        time.sleep(1.0)
    with time_limit(0.2):  # numba "compiling" for 1 s: the guard waits, it does not fire
        compile_watch.active += 1
        try:
            time.sleep(1.0)
        finally:
            compile_watch.active -= 1


def test_gallery_timing_is_warm_and_names_the_compilation():
    from numba import njit

    from pixelsmith.gallery._common import timed

    calls = []

    @njit(cache=False)
    def doubled(x):
        return 2 * x

    def work():
        calls.append(1)
        return doubled(21)

    result, timing = timed(work)
    assert result == 42 and len(calls) == 2  # compiled on the first run, so timed again warm
    assert timing.compile_seconds > 0 and "compiling kernels" in " ".join(timing.figures("t (s)"))
    result, timing = timed(work)
    assert len(calls) == 3 and timing.compile_seconds == 0 and list(timing.figures("t (s)")) == ["t (s)"]
