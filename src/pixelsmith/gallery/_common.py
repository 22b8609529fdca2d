"""What every gallery section shares: the Section record and the panel figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Section"]


@dataclass
class Section:
    title: str
    question: str
    code: str
    images: list[tuple[str, str]] = field(default_factory=list)  # (file name, caption)
    figures: dict[str, str] = field(default_factory=dict)


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
