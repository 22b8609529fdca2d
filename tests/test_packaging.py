"""The package as a user installs it (issue 29): an sdist, a wheel built from it, installed into a fresh
virtual environment (not this source tree), runs its command and imports with its data files."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    return done


@pytest.mark.slow
def test_the_built_wheel_installs_and_runs_outside_the_source_tree(tmp_path):
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT))  # sdist, then the wheel from it
    (wheel,) = dist.glob("pixelsmith-*.whl")
    env_dir = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(env_dir))
    python = env_dir / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel))
    # the dependencies come from this environment's site-packages, as a plain path entry: its .pth files
    # (the editable install of the source tree among them) are not processed, so pixelsmith is the wheel's
    site = Path(sysconfig.get_paths(vars={"base": str(env_dir), "platbase": str(env_dir)})["purelib"])
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = _run(str(python), "-c", "import pixelsmith, pathlib; print(pathlib.Path(pixelsmith.__file__))", env=env)
    installed = Path(where.stdout.strip())
    assert env_dir in installed.parents and (installed.parent / "py.typed").is_file()
    assert (installed.parent / "_kernels" / "prebuilt.zip").is_file()  # the shipped machine code (issue 26)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "empty-numba-cache")
    assert "local" in _run(str(env_dir / "bin" / "pixelsmith"), "--help", env=env).stdout
    image = np.random.default_rng(0).random((30, 40)).astype(np.float32)
    np.save(tmp_path / "in.npy", image)
    done = _run(
        str(env_dir / "bin" / "pixelsmith"), "local", "in.npy", "out.npy", "--stat", "median",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    import pixelsmith as ps
    from pixelsmith._kernels import _prebuilt

    if _prebuilt.archive() is not None:  # the installed wheel's first run loads its kernels: no compile notice
        assert "compiling" not in done.stderr, done.stderr

    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), ps.local_median(image, 3))
