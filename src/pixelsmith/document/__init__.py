"""Document scans: page-layout blocks, shuffled-strip reassembly, curved text-line straightening."""

from .strips import Unshuffled, unshuffle_strips

__all__ = ["Unshuffled", "unshuffle_strips"]
