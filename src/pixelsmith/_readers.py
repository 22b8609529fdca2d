"""Which on-disk reader stands behind a lazily read dask array: one small registry, shared by io and local.

`io.read_raster(path, chunks=...)` registers the reader behind the dask array it
returns; the window statistics (`local/_dask.py`) look it up, so each output block
reads its block plus halo straight from the file instead of through neighbouring
chunks. Neither side imports the other. Entries are weak: a reader lives as long as
the dask arrays (graphs) that hold it, and then leaves the registry by itself.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["register_reader", "reader_behind"]

_READERS: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def register_reader(array_name: str, reader: Any) -> None:
    """Record that the dask array named `array_name` reads its chunks from `reader`."""
    _READERS[array_name] = reader


def reader_behind(array: Any) -> Any:
    """The reader registered for `array` (a dask array, unchanged since it was read), or None."""
    name = getattr(array, "name", None)
    return None if name is None else _READERS.get(name)
