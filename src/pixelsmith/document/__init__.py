"""Document scans: page-layout blocks, shuffled-strip reassembly, curved text-line straightening."""

from .layout import Block, PageLayout, page_blocks
from .strips import Unshuffled, unshuffle_strips

__all__ = ["Block", "PageLayout", "Unshuffled", "page_blocks", "unshuffle_strips"]
