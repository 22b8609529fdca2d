"""Peak memory of local_std on a 12000 x 12000 float32 image (measured in a child process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# Compiling kernels costs LLVM a few hundred MB once; a separate process fills
# numba's on-disk cache first so the measurement sees only the computation.
WARM_UP = "import numpy as np, pixelsmith as ps; ps.local_std(np.ones((300, 1100), np.float32), 3)"

SCRIPT = textwrap.dedent(
    """
    import json, resource
    import numpy as np
    import pixelsmith as ps
    ps.local_std(np.ones((64, 64), np.float32), 3)          # load the cached kernels
    img = np.random.default_rng(0).standard_normal((12000, 12000), dtype=np.float32)
    out = ps.local_std(img, 3)
    check = float(out[5000:5003, 7000:7003].mean())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak": peak, "input": img.nbytes, "check": check}))
    """
)


@pytest.mark.slow
def test_local_std_peak_memory_under_three_inputs():
    subprocess.run([sys.executable, "-c", WARM_UP], check=True)
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert 0.5 < report["check"] < 1.5  # std of N(0, 1) over 3 x 3 windows, averaged
    # input and output included; the interpreter and libraries count too
    assert report["peak"] < 3 * report["input"], report
