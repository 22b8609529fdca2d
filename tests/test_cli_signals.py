"""A killed or racing CLI run leaves nothing half-written and nothing behind (issue 18).

A long `pixelsmith local --chunks` run is stopped with SIGTERM (what `timeout` and job
schedulers send) and with SIGKILL, then the folder is inspected. SIGTERM unwinds and
removes the temporary file; SIGKILL cannot be caught, so its temporary file stays until
the next write of the same output removes it (its process is gone).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from pixelsmith.io._atomic import atomic_path, create_exclusively

pytestmark = pytest.mark.slow  # real processes, signals and a 3000^2 raster (make test-fast skips it)


@pytest.fixture
def big_raster(tmp_path, geotiff_writer):
    return geotiff_writer(tmp_path / "in.tif", np.random.default_rng(0).normal(size=(3000, 3000)).astype(np.float32))


def _start(raster, output, *extra):
    command = [
        sys.executable,
        "-m",
        "pixelsmith",
        "local",
        str(raster),
        str(output),
        "--stat",
        "std",
        "--size",
        "41",
        "--chunks",
        "256",
        "-q",
        *extra,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_temporary(folder, name, process, timeout=300.0):  # a first run may compile kernels
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.name.startswith(f".{name}.pixelsmith-")]
        if found:
            return found
        if process.poll() is not None:
            pytest.fail(f"the run ended before writing: {process.communicate()}")
        time.sleep(0.05)
    pytest.fail("no temporary file appeared")


def test_sigterm_removes_the_temporary_file_and_writes_nothing(big_raster, tmp_path):
    output = tmp_path / "out.tif"
    process = _start(big_raster, output)
    _wait_for_temporary(tmp_path, "out.tif", process)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert "terminated" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tif"]


def test_sigkill_leaves_a_temporary_file_that_the_next_run_removes(big_raster, tmp_path):
    output = tmp_path / "out.tif"
    process = _start(big_raster, output)
    leftovers = _wait_for_temporary(tmp_path, "out.tif", process)
    process.kill()
    process.communicate(timeout=60)
    assert not output.exists() and all(p.exists() for p in leftovers)  # SIGKILL cannot be caught
    rerun = subprocess.run(
        [
            sys.executable,
            "-m",
            "pixelsmith",
            "local",
            str(big_raster),
            str(output),
            "--stat",
            "mean",
            "--size",
            "3",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tif", "out.tif"]


def test_a_temporary_file_of_a_live_process_is_kept(tmp_path):
    live = tmp_path / f".out.tif.pixelsmith-{os.getppid()}-abcd.tif"  # our parent is alive
    live.write_bytes(b"partial")
    with atomic_path(tmp_path / "out.tif") as tmp:
        tmp.write_bytes(b"done")
    assert live.exists() and (tmp_path / "out.tif").read_bytes() == b"done"


def test_a_second_writer_of_the_same_new_output_fails_instead_of_replacing_it(tmp_path):
    output = tmp_path / "new.csv"
    create_exclusively(output)
    with pytest.raises(FileExistsError, match="another process"):
        with atomic_path(output) as tmp:
            tmp.write_text("second run")
            output.write_text("first run")  # the other run finished while this one was writing
    assert output.read_text() == "first run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]


def test_two_concurrent_cli_runs_to_one_new_output_one_wins_one_fails_clearly(big_raster, tmp_path):
    output = tmp_path / "out.tif"
    runs = [_start(big_raster, output), _start(big_raster, output)]
    results = [(run.wait(timeout=300), run.communicate()[1]) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0 and codes[1] in (1, 2), results
    loser = next(err for code, err in results if code != 0)
    # normally both pass the start check and the second fails at the end; if one run was that much
    # faster, the other is refused at the start: both are one clean line
    assert ("another process" in loser or "exists" in loser) and "Traceback" not in loser
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tif", "out.tif"]


def test_an_exclusive_registration_lasts_one_write_and_overwrite_releases_it(tmp_path):
    output = tmp_path / "out.txt"
    create_exclusively(output)
    with atomic_path(output) as tmp:
        tmp.write_text("first")
    create_exclusively(output, exclusive=False)  # what --overwrite does in the same process later
    with atomic_path(output) as tmp:
        tmp.write_text("second")
    assert output.read_text() == "second"
    with atomic_path(output) as tmp:  # and a plain write after one exclusive write replaces as before
        tmp.write_text("third")
    assert output.read_text() == "third"
