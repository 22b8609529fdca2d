"""Shared helpers for the benchmark scripts: best-of timing and the results table.

Every script times pixelsmith and its anchors in one process on the same data,
prints ``task | size | pixelsmith s | anchor | anchor s | ratio | max error``
and writes the same rows to ``benchmarks/results/<script>.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
import time
from pathlib import Path


def best_time(func, *, repeat: int = 3, warmup: int = 1):
    """Best wall time of `repeat` runs after `warmup` runs; returns (seconds, last result)."""
    result = None
    for _ in range(warmup):
        result = func()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


@contextlib.contextmanager
def threads(n: int | None):
    """Run pixelsmith (NUMBA_NUM_THREADS, read per call) and OpenCV, when loaded, on `n` threads; None:
    unchanged. A ratio that holds on one thread holds on a smaller machine."""
    if n is None:
        yield
        return
    cv2 = sys.modules.get("cv2")
    before = os.environ.get("NUMBA_NUM_THREADS")
    cv_before = cv2.getNumThreads() if cv2 is not None else None
    os.environ["NUMBA_NUM_THREADS"] = str(n)
    if cv2 is not None:
        cv2.setNumThreads(n)
    try:
        yield
    finally:
        if cv2 is not None:
            cv2.setNumThreads(cv_before)
        if before is None:
            os.environ.pop("NUMBA_NUM_THREADS")
        else:
            os.environ["NUMBA_NUM_THREADS"] = before


def bandwidth_gb_s() -> float:
    """The machine's copy bandwidth (bytes read plus written per second) on a 512 MiB array, best of 3."""
    import numpy as np

    a = np.ones(2**26)
    b = np.empty_like(a)
    t, _ = best_time(lambda: np.copyto(b, a), repeat=3)
    return 2 * a.nbytes / t / 1e9


class Table:
    def __init__(self, name: str):
        self.name = name
        self.rows: list[dict] = []
        self.peak: float | None = None

    def add(self, task, size, ours_s, anchor, anchor_s, max_error, note="", moved=None):
        """One row; `moved` (bytes pixelsmith reads plus writes) adds its GB/s beside the machine's bandwidth."""
        if moved is not None:
            if self.peak is None:
                self.peak = bandwidth_gb_s()
            rate = f"{moved / ours_s / 1e9:.1f} GB/s of ~{self.peak:.0f}"
            note = f"{rate}; {note}" if note else rate
        row = {
            "task": task,
            "size": size,
            "pixelsmith_s": ours_s,
            "anchor": anchor,
            "anchor_s": anchor_s,
            "ratio": anchor_s / ours_s if ours_s else float("nan"),
            "max_error": max_error,
            "note": note,
        }
        self.rows.append(row)
        print(self._fmt(row), flush=True)

    @staticmethod
    def header() -> str:
        return (
            f"{'task':<26} | {'size':<16} | {'pixelsmith s':>12} | {'anchor':<34} | "
            f"{'anchor s':>9} | {'ratio':>6} | {'max error':>9}"
        )

    @staticmethod
    def _fmt(r) -> str:
        err = r["max_error"]
        err_text = f"{err:9.2e}" if isinstance(err, float) else f"{err!s:>9}"
        note = f"  {r['note']}" if r["note"] else ""
        return (
            f"{r['task']:<26} | {r['size']:<16} | {r['pixelsmith_s']:>12.4f} | {r['anchor']:<34} | "
            f"{r['anchor_s']:>9.4f} | {r['ratio']:>6.2f} | {err_text}{note}"
        )

    def start(self):
        print(f"# {self.name} on {platform.machine()} with {os.cpu_count()} CPUs, python {platform.python_version()}")
        print("# ratio = anchor time / pixelsmith time (> 1: pixelsmith is faster)")
        print(self.header())
        print("-" * len(self.header()))

    def save(self) -> Path:
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        path = out / f"{self.name}.json"
        path.write_text(
            json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "rows": self.rows}, indent=2)
        )
        print(f"# written {path}")
        return path
