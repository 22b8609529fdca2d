"""Document scans: page layout (rows, and columns in reading order), deskewing, shuffled-strip
reassembly, curved text-line straightening."""

from .curves import order_curve_points, straighten
from .layout import Block, PageLayout, ink_mask, page_blocks, paper_level
from .regions import PageRegions, Region, deskew, page_regions, plot_blocks, skew_angle
from .strips import Unshuffled, unshuffle_strips

__all__ = [
    "Block",
    "PageLayout",
    "PageRegions",
    "Region",
    "Unshuffled",
    "deskew",
    "ink_mask",
    "order_curve_points",
    "page_blocks",
    "page_regions",
    "paper_level",
    "plot_blocks",
    "skew_angle",
    "straighten",
    "unshuffle_strips",
]
