"""Tabular results as pandas DataFrames or astropy Tables, built from one dict of columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import require


class TableMixin:
    """`to_pandas()` and `to_table()` for a result that defines `columns()` (name -> 1-D array)."""

    def columns(self) -> dict[str, np.ndarray]:  # pragma: no cover - defined by each result
        raise NotImplementedError

    def to_pandas(self) -> Any:
        """The result as a pandas DataFrame (the [pandas] extra)."""
        pandas = require("pandas", "pandas", "to_pandas()")
        return pandas.DataFrame(self.columns())

    def to_table(self) -> Any:
        """The result as an astropy Table (the [astro] extra)."""
        table = require("astropy.table", "astro", "to_table()")
        return table.Table(self.columns())
