"""How much one call may allocate, and the check every memory-hungry parameter goes through.

pixelsmith refuses, before allocating anything, a parameter whose work would need
more than half the machine's physical memory, with a message naming the
parameter, its value, the estimate and a fix. Scripts and tools built on
pixelsmith (the command line among them) check their own allocations the same way.
"""

from __future__ import annotations

from ._validate import check_allocation, memory_budget

__all__ = ["check_allocation", "memory_budget"]
