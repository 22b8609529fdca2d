"""Document scans: page-layout blocks, shuffled-strip reassembly, curved text-line straightening."""

from .curves import order_curve_points, straighten
from .layout import Block, PageLayout, page_blocks
from .strips import Unshuffled, unshuffle_strips

__all__ = ["Block", "PageLayout", "Unshuffled", "order_curve_points", "page_blocks", "straighten",
           "unshuffle_strips"]
