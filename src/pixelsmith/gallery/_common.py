"""What every gallery section shares: the Section record and the panel figure."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Section", "Timing", "timed"]


@dataclass
class Section:
    title: str
    question: str
    code: str
    images: list[tuple[str, str]] = field(default_factory=list)  # (file name, caption)
    figures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timing:
    """A section's timing: `seconds` warm (machine code loaded), and what compiling cost its first run."""

    seconds: float
    compile_seconds: float = 0.0

    def figures(self, label: str, digits: int = 3) -> dict[str, str]:
        """``{label: warm seconds}``, plus a line for the compilation when the first run paid one."""
        rows = {label: f"{self.seconds:.{digits}f}"}
        if self.compile_seconds > 0:
            rows["first run on this machine: compiling kernels (s, once; cached after)"] = f"{self.compile_seconds:.1f}"
        return rows


def timed(work: Callable[[], Any]) -> tuple[Any, Timing]:
    """``work()`` and its warm time: a first run that compiled kernels is run again, so the gallery
    publishes what a user's second call costs, and says apart how long compiling took (issue 26)."""
    from numba.core import event

    spent = event.TimingListener()
    t0 = time.perf_counter()
    with event.install_listener("numba:compile", spent):
        result = work()
    seconds = time.perf_counter() - t0
    compile_seconds = spent.duration if spent.done else 0.0
    if compile_seconds > 0:
        t0 = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - t0
    return result, Timing(seconds, compile_seconds)


def _pyplot():
    """matplotlib.pyplot on the headless Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_figure(fig, path: Path, dpi: int = 90) -> None:
    """Hide the ticks, lay out, write atomically (temp file then rename) and close the figure."""
    for ax in fig.axes:
        if ax.get_label() != "<colorbar>":
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=dpi)
    _pyplot().close(fig)
    tmp.replace(path)


def _save_panels(path: Path, panels: list[tuple[str, np.ndarray, str]], suptitle: str = "") -> None:
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.0), squeeze=False)
    for ax, (title, image, cmap) in zip(axes[0], panels, strict=True):
        im = ax.imshow(image, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    if suptitle:
        fig.suptitle(suptitle)
    _save_figure(fig, path)
