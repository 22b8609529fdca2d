"""What every gallery section shares: the Section record and the panel figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Section", "_save_panels"]


@dataclass
class Section:
    title: str
    question: str
    code: str
    images: list[tuple[str, str]] = field(default_factory=list)  # (file name, caption)
    figures: dict[str, str] = field(default_factory=dict)


def _save_panels(path: Path, panels: list[tuple[str, np.ndarray, str]], suptitle: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.0), squeeze=False)
    for ax, (title, image, cmap) in zip(axes[0], panels, strict=True):
        im = ax.imshow(image, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    tmp.replace(path)
