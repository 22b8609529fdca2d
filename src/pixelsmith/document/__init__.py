"""Document scans: page-layout blocks, shuffled-strip reassembly, curved text-line straightening."""

from .curves import order_curve_points, straighten
from .layout import Block, PageLayout, ink_mask, page_blocks, paper_level
from .strips import Unshuffled, unshuffle_strips

__all__ = [
    "Block",
    "PageLayout",
    "Unshuffled",
    "ink_mask",
    "order_curve_points",
    "page_blocks",
    "paper_level",
    "straighten",
    "unshuffle_strips",
]
