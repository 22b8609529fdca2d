"""Out-of-core scale: a large float32 GeoTIFF through `pixelsmith local`, and
chunked local_std beside dask-image's uniform-filter recipe on the same dask array.

Usage: python benchmarks/bench_scale.py [N]   (N x N pixels, default 20000 = 1.6 GB)

Reports wall time and peak resident memory (summed over the process tree, so
dask workers count), and the bit-identity / max error of the outputs against
the in-memory numpy result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402
from _common import Table  # noqa: E402
from pixelsmith.io import read_raster, write_raster  # noqa: E402


class PeakRSS:
    """Samples the summed RSS of a process and its descendants every 50 ms."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                total = sum(p.memory_info().rss for p in procs if p.is_running())
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def make_input(path: Path, n: int) -> None:
    profile = dict(
        driver="GTiff",
        width=n,
        height=n,
        count=1,
        dtype="float32",
        crs="EPSG:32633",
        transform=from_origin(400000, 5e6, 10, 10),
        nodata=-9999,
        tiled=True,
        blockxsize=256,
        blockysize=256,
    )
    rng = np.random.default_rng(0)
    with rasterio.open(path, "w", **profile) as dst:
        for r in range(0, n, 1000):
            rows = min(1000, n - r)
            dst.write(1000 + rng.standard_normal((rows, n), dtype=np.float32), 1, window=Window(0, r, n, rows))


def run_cli(args: list[str]):
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pixelsmith", *args])
    with PeakRSS(proc.pid) as rss:
        proc.wait()
    if proc.returncode:
        raise SystemExit(f"pixelsmith failed: {args}")
    return time.perf_counter() - t0, rss.peak


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    table = Table("bench_scale")
    table.start()
    with tempfile.TemporaryDirectory(dir=os.environ.get("PIXELSMITH_BENCH_DIR")) as tmp:
        tmp = Path(tmp)
        src = tmp / "big.tif"
        make_input(src, n)
        size = f"{n}^2 f32 ({n * n * 4 / 1e9:.1f} GB)"
        out1, out2 = tmp / "std.tif", tmp / "std_workers.tif"
        t1, m1 = run_cli(["local", str(src), str(out1), "--stat", "std", "--size", "5", "--chunks", "2048", "-q"])
        t2, m2 = run_cli(
            ["local", str(src), str(out2), "--stat", "std", "--size", "5", "--chunks", "2048", "--workers", "2", "-q"]
        )
        print(f"# CLI --chunks 2048: {t1:.1f} s, peak {m1 / 1e9:.2f} GB (process tree)")
        print(f"# CLI --chunks 2048 --workers 2: {t2:.1f} s, peak {m2 / 1e9:.2f} GB (process tree)")

        # in-memory numpy result for the identity check (this machine has the memory for it)
        full = read_raster(src).data
        expected = ps.local_std(full, 5)
        for out in (out1, out2):
            got = read_raster(out).data
            identical = np.array_equal(got, expected, equal_nan=True)
            print(f"# {out.name}: bit-identical to in-memory numpy: {identical}")
        with rasterio.open(out1) as a, rasterio.open(src) as b:
            print(f"# georeferencing kept: {a.crs == b.crs and a.transform == b.transform and a.nodata == b.nodata}")
        crop = (slice(n // 2, n // 2 + 200), slice(n // 3, n // 3 + 200))
        region = full[n // 2 - 2 : n // 2 + 202, n // 3 - 2 : n // 3 + 202].astype(np.float64)
        sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
        import naive

        reference = np.sqrt(naive.local_stat(region, "var", (5, 5), crop="valid"))
        del full, expected, got

        # in-process: the same dask array through both libraries, streamed to disk
        from dask_image import ndfilters

        lazy = read_raster(src, chunks=2048).data
        proc = psutil.Process()

        def dask_image_std():
            m = ndfilters.uniform_filter(lazy, 5, mode="reflect")
            m2 = ndfilters.uniform_filter(lazy * lazy, 5, mode="reflect")
            return np.sqrt(np.maximum(m2 - m * m, 0))

        rows = {}
        for name, make in (
            ("pixelsmith local_std", lambda: ps.local_std(lazy, 5)),
            ("dask_image uniform recipe", dask_image_std),
        ):
            out = tmp / f"{name.split()[0]}.tif"
            baseline = proc.memory_info().rss
            t0 = time.perf_counter()
            with PeakRSS(proc.pid) as rss:
                write_raster(out, make(), like=read_raster(src, chunks=2048))
            elapsed = time.perf_counter() - t0
            rss.peak -= baseline  # what the computation added
            got = read_raster(out).data[crop].astype(np.float64)
            err = float(np.max(np.abs(got - reference) / reference))
            rows[name] = (elapsed, rss.peak, err)
            print(f"# {name}: {elapsed:.1f} s, peak added {rss.peak / 1e9:.2f} GB, max rel error {err:.1e}")
            out.unlink()
        ours, theirs = rows["pixelsmith local_std"], rows["dask_image uniform recipe"]
        table.add(
            "local_std w5 dask (time)",
            size,
            ours[0],
            "dask_image.ndfilters recipe",
            theirs[0],
            ours[2],
            f"anchor err {theirs[2]:.1e}; added peak GB ours {ours[1] / 1e9:.2f}, anchor {theirs[1] / 1e9:.2f}",
        )
        table.add(
            "CLI local std --chunks 2048",
            size,
            t1,
            "(in-process dask path above)",
            ours[0],
            ours[2],
            f"peak {m1 / 1e9:.2f} GB; --workers 2: {t2:.1f} s, peak {m2 / 1e9:.2f} GB",
        )
    table.save()


if __name__ == "__main__":
    main()
