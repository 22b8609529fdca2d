"""First-call cost of every public function: a fresh process, an empty numba cache (issue 26).

A user's first call pays numba's compilation; scipy, scikit-image and OpenCV pay
nothing. For each public function this script starts a fresh Python process with
an empty ``NUMBA_CACHE_DIR``, times the first call on a small input, then the
second call in the same process (warm), then starts one more fresh process on the
now-filled cache and times its first call (loaded from the cache), and one more
in which another function has made its first call before (numba is up: what
each further function costs a process that already used pixelsmith). It also times
``import pixelsmith`` beside ``import numpy``, and prints the slowest kernels'
compile times (numba's compile events) so a new fast path cannot silently add
seconds. A first call's time includes numba's start-up (its import and the
loading of its registries, ~0.5 s together) unless the setup already paid it.

Run: ``python benchmarks/bench_cold_start.py [name ...]``; ``--threads 1`` pins
numba and the thread pool to one thread (what a busy CI machine sees).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
RESULTS = Path(__file__).parent / "results"

# the setup most calls share: a 300 x 300 float32 image
F32 = "img = np.random.default_rng(0).random((300, 300), np.float32)"

# one small, typical call per public function: (name, setup, call)
CALLS: dict[str, tuple[str, str]] = {
    "local_mean": (F32, "ps.local_mean(img, 5)"),
    "local_sum": (F32, "ps.local_sum(img, 5)"),
    "local_std": (F32, "ps.local_std(img, 5)"),
    "local_std uint8": (
        "img = np.random.default_rng(0).integers(0, 255, (300, 300), np.uint8)",
        "ps.local_std(img, 5)",
    ),
    "local_var w15": (F32, "ps.local_var(img, 15)"),
    "local_max": (F32, "ps.local_max(img, 5)"),
    "local_min w15": (F32, "ps.local_min(img, 15)"),
    "local_max disk": (
        F32 + "; yy, xx = np.mgrid[-3:4, -3:4]",
        "ps.local_max(img, footprint=yy**2 + xx**2 <= 9)",
    ),
    "local_mean disk": (
        F32 + "; yy, xx = np.mgrid[-3:4, -3:4]",
        "ps.local_mean(img, footprint=yy**2 + xx**2 <= 9)",
    ),
    "local_count": (F32, "ps.local_count(img > 0.5, 5)"),
    "local_median": (F32, "ps.local_median(img, 5)"),
    "local_median w7": (F32, "ps.local_median(img, 7)"),
    "local_percentile": (
        F32,
        "ps.local_percentile(img, 90, 7)",
    ),
    "local_range": (F32, "ps.local_range(img, 5)"),
    "local_majority": (
        "img = np.random.default_rng(0).integers(0, 5, (300, 300)).astype(np.int16)",
        "ps.local_majority(img, 5)",
    ),
    "local_variety": (
        "img = np.random.default_rng(0).integers(0, 5, (300, 300)).astype(np.int16)",
        "ps.local_variety(img, 5)",
    ),
    "local_apply": (
        F32,
        "ps.local_apply(img, lambda v: v.max() - v.mean(), 5)",
    ),
    "block_reduce": (F32, "ps.block_reduce(img, 4)"),
    "density_map": ("img = np.random.default_rng(0).random((300, 300)) > 0.5", "ps.density_map(img, 8)"),
    "StackStats": (
        "frames = np.random.default_rng(0).random((5, 64, 64), np.float32)",
        "s = ps.StackStats(); [s.add(f) for f in frames]; s.std()",
    ),
    "add_stamp": (
        "field = np.zeros((300, 300), np.float32); psf = ps.datasets.gaussian_psf(15, 2.0)",
        "ps.add_stamp(field, psf, (100.4, 120.6))",
    ),
    "add_stamps": (
        "field = np.zeros((300, 300), np.float32); psf = ps.datasets.gaussian_psf(15, 2.0);"
        " c = np.random.default_rng(0).uniform(0, 300, (50, 2))",
        "ps.add_stamps(field, psf, c)",
    ),
    "find_peaks": (
        "stars = ps.datasets.star_field((300, 300), 30)",
        "ps.find_peaks(stars.image, nsigma=5, min_distance=3)",
    ),
    "aperture_sums": (
        "stars = ps.datasets.star_field((300, 300), 30)",
        "ps.aperture_sums(stars.image, stars.positions, 4.0, annulus=(7, 10))",
    ),
    "cluster_center": (
        "pts = np.random.default_rng(0).normal(2.0, 0.3, (500, 2))",
        "ps.cluster_center(pts)",
    ),
    "robust_noise": (F32, "ps.robust_noise(img)"),
    "fill_nans": (
        "img = np.random.default_rng(0).random((300, 300)); img[100:110, 100:110] = np.nan",
        "ps.fill_nans(img)",
    ),
    "ncc": (
        F32,
        "ps.ncc(img, img[100:130, 100:140])",
    ),
    "find_matches": (
        F32,
        "ps.find_matches(img, img[100:130, 100:140])",
    ),
    "equalize_hist": (
        F32,
        "ps.equalize_hist(img)",
    ),
    "equalize_hist uint8": (
        "img = np.random.default_rng(0).integers(0, 255, (300, 300), np.uint8)",
        "ps.equalize_hist(img)",
    ),
    "invert_colormap": (
        "from matplotlib import colormaps;"
        " shot = (colormaps['jet'](np.linspace(0, 1, 100).reshape(10, 10))[..., :3] * 255).astype(np.uint8)",
        "ps.invert_colormap(shot, 'jet', vmin=-20, vmax=120)",
    ),
    "masked_stats": (
        "img = np.random.default_rng(0).integers(0, 255, (300, 300, 3), np.uint8); m = img[..., 0] > 100",
        "ps.masked_stats(img, m)",
    ),
    "outline_paths": ("img = np.random.default_rng(0).random((300, 300)) > 0.5", "ps.outline_paths(img)"),
    "page_blocks": ("page = ps.datasets.synthetic_page()", "ps.document.page_blocks(page.image)"),
    "xray.drr": (
        "from pixelsmith import xray; head = xray.phantom((32, 32, 32), (2.0, 2.0, 2.0));"
        " view = xray.Geometry.c_arm(head, sid=600, sdd=1000, angle=90, shape=(64, 64), pixel_spacing=2.5)",
        "xray.drr(head, view)",
    ),
    "xray.drr siddon": (
        "from pixelsmith import xray; head = xray.phantom((32, 32, 32), (2.0, 2.0, 2.0));"
        " view = xray.Geometry.c_arm(head, sid=600, sdd=1000, angle=90, shape=(64, 64), pixel_spacing=2.5)",
        "xray.drr(head, view, method='siddon')",
    ),
}

# targets of issue 26: the local family and these at most 1 s, everything else at most 2 s
ONE_SECOND = {
    "block_reduce",
    "find_peaks",
    "aperture_sums",
    "ncc",
    "equalize_hist",
    "equalize_hist uint8",
    "density_map",
}

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
t_numpy = time.perf_counter() - t0
import pixelsmith as ps
t_import = time.perf_counter() - t0
setup, call, primer = sys.argv[1], sys.argv[2], sys.argv[3]
exec(setup)
# numba's own start-up (its import, ~0.3 s) is part of a first call, unless the setup already paid it
t0 = time.perf_counter()
compiles = {}
from numba.core import event

class Timer(event.Listener):
    def __init__(self):
        self.started = {}

    def on_start(self, ev):
        self.started[id(ev.data["dispatcher"]), str(ev.data["args"])] = time.perf_counter()

    def on_end(self, ev):
        key = id(ev.data["dispatcher"]), str(ev.data["args"])
        spent = time.perf_counter() - self.started.pop(key, time.perf_counter())
        d = ev.data["dispatcher"]
        name = d.py_func.__module__.rsplit(".", 1)[-1] + "." + d.py_func.__qualname__
        compiles[name] = compiles.get(name, 0.0) + spent

event.register("numba:compile", Timer())
if primer:
    exec(primer)  # another function's first call: numba is up, its start-up is paid
    t0 = time.perf_counter()
exec(call)
first = time.perf_counter() - t0
t0 = time.perf_counter()
exec(call)
warm = time.perf_counter() - t0
print(json.dumps({"first": first, "warm": warm, "import": t_import, "numpy": t_numpy, "compiles": compiles}))
"""


# a first call of another function: what a process that already used pixelsmith has paid (numba's start-up)
PRIMER = "ps.local_max(np.ones((8, 8), np.float32), 3)"
PRIMER_OF_MAX = "ps.local_sum(np.ones((8, 8), np.float32), 3)"


def run_child(setup: str, call: str, cache_dir: str, threads: int | None, primer: str = "") -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    if threads:
        env["NUMBA_NUM_THREADS"] = str(threads)
        env["PIXELSMITH_THREADS"] = str(threads)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, setup, call, primer],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def import_times(repeat: int = 5) -> tuple[float, float]:
    """Best wall time of ``import numpy`` and of ``import pixelsmith`` in fresh processes."""

    def best(stmt: str) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True)
            times.append(time.perf_counter() - t0)
        return min(times)

    return best("import numpy"), best("import numpy, pixelsmith")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="functions to measure (default: all)")
    parser.add_argument("--threads", type=int, default=None, help="pin numba and the pool to this many threads")
    args = parser.parse_args()
    names = args.names or list(CALLS)
    unknown = [n for n in names if n not in CALLS]
    if unknown:
        parser.error(f"unknown names {unknown}; choose from {sorted(CALLS)}")

    t_numpy, t_ps = import_times()
    print(f"import numpy {t_numpy:.3f} s, import numpy + pixelsmith {t_ps:.3f} s (+{t_ps - t_numpy:.3f} s)")
    print(
        f"{'function':<22} | {'first (cold) s':>14} | {'target s':>8} | {'from cache s':>12} | "
        f"{'cache, numba up s':>17} | {'warm s':>8}"
    )
    rows = []
    all_compiles: dict[str, float] = {}
    for name in names:
        setup, call = CALLS[name]
        with tempfile.TemporaryDirectory() as cache:
            cold = run_child(setup, call, cache, args.threads)
            cached = run_child(setup, call, cache, args.threads)
            primer = PRIMER_OF_MAX if "local_max" in call else PRIMER
            loaded = run_child(setup, call, cache, args.threads, primer)
        target = 1.0 if name.startswith("local_") and name != "local_apply" or name in ONE_SECOND else 2.0
        mark = "" if cold["first"] <= target else "  over target"
        print(
            f"{name:<22} | {cold['first']:>14.2f} | {target:>8.1f} | {cached['first']:>12.3f} | "
            f"{loaded['first']:>17.3f} | {cold['warm']:>8.4f}{mark}",
            flush=True,
        )
        for kernel_name, seconds in cold["compiles"].items():
            all_compiles[kernel_name] = max(all_compiles.get(kernel_name, 0.0), seconds)
        rows.append({"function": name, "first_s": cold["first"], "target_s": target, "cached_s": cached["first"]})
        rows[-1]["cached_numba_up_s"] = loaded["first"]
        rows[-1]["warm_s"] = cold["warm"]
    print("\nslowest kernel compiles (seconds, including the helpers each compiles):")
    for kernel_name, seconds in sorted(all_compiles.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {seconds:6.2f}  {kernel_name}")
    RESULTS.mkdir(exist_ok=True)
    out = {"import_numpy_s": t_numpy, "import_pixelsmith_s": t_ps, "rows": rows, "compiles": all_compiles}
    (RESULTS / "bench_cold_start.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
