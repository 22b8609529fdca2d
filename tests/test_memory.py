"""Peak memory of local_std on a 12000 x 12000 float32 image (measured in a child process).

The issue's bound is 3x the input's bytes for the whole process, input and output included.
A process's baseline (interpreter, numpy, numba and LLVM, and any JIT compilation, which
depends on the state of numba's on-disk cache) is not the algorithm's memory, so the child
records its RSS once the kernels are loaded, resets the kernel's peak-RSS counter, and the
test bounds what the computation adds: under 2.5x the input. That equals the 3x total for a
baseline of 0.5x (288 MB); the measured baseline is about 0.28 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    import pixelsmith as ps

    def status(key):
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024

    ps.local_std(np.ones((300, 1100), np.float32), 3)   # load or compile the kernels
    baseline = status("VmRSS:")
    with open("/proc/self/clear_refs", "w") as fh:        # reset VmHWM to the current RSS
        fh.write("5")
    img = np.random.default_rng(0).standard_normal((12000, 12000), dtype=np.float32)
    out = ps.local_std(img, 3)
    check = float(out[5000:5003, 7000:7003].mean())
    peak = status("VmHWM:")
    print(json.dumps({"peak": peak, "baseline": baseline, "input": img.nbytes, "check": check}))
    """
)


@pytest.mark.slow
def test_local_std_peak_memory_under_three_inputs():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert 0.5 < report["check"] < 1.5  # std of N(0, 1) over 3 x 3 windows, averaged
    added = report["peak"] - report["baseline"]
    assert added < 2.5 * report["input"], report  # input + output + temporaries
    assert report["peak"] >= 2 * report["input"]  # the measurement saw input and output
