"""A missing optional package gives one clear error naming the extra to install (issue 16)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("blocked", "call", "extra"),
    [
        ("rasterio", "from pixelsmith.io import read_raster; read_raster('x.tif')", "geo"),
        ("pydicom", "from pixelsmith.io.dicom import read_dicom_series; read_dicom_series('.')", "dicom"),
        (
            "nibabel",
            "import tempfile, pathlib; p = pathlib.Path(tempfile.mkdtemp()) / 'ct.nii'; p.write_bytes(b'x'); "
            "from pixelsmith.io import read_volume; read_volume(p)",
            "nifti",
        ),
        (
            "xarray",
            "import numpy as np; from pixelsmith.io import Raster; Raster(np.zeros((2, 2)), None).to_xarray()",
            "xarray",
        ),
        (
            "imageio",
            "import tempfile, pathlib; p = pathlib.Path(tempfile.mkdtemp()) / 'x.png'; p.write_bytes(b'x'); "
            "from pixelsmith.io import read_image; read_image(p)",
            "cli",
        ),
        (
            "dask",
            "import numpy as np, pixelsmith as ps; from pixelsmith.local._dask import cell_chunks; "
            "from pixelsmith.local import _dask; _dask.map_window(np.zeros((4, 4)), None, 'same')",
            "dask",
        ),
    ],
)
def test_the_library_names_the_extra(blocked, call, extra):
    done = _run(
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from pixelsmith import PixelsmithError\n"
        f"try:\n    {call}\nexcept PixelsmithError as exc:\n    print(exc)\n"
    )
    assert done.returncode == 0, done.stderr
    assert f"pixelsmith[{extra}]" in done.stdout and blocked in done.stdout


def test_the_command_names_the_cli_extra():
    done = _run(
        "import sys; sys.modules['typer'] = None; sys.argv = ['pixelsmith', '--help']\n"
        "from pixelsmith._entry import main\nmain()"
    )
    assert done.returncode == 1
    assert 'pip install "pixelsmith[cli]"' in done.stderr and "Traceback" not in done.stderr
