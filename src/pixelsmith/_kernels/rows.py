"""Row helpers shared by the streamed window kernels (box sums, extremes, variance, footprints, median
networks): copying and filling padded rows, and the per-column flags that report NaN or inf.

Every kernel here is a plain cached call (not inlined into its callers: that multiplied compile
time) that LLVM still inlines where it pays. Loops index slices rather than ``a[j + s]`` and copy
with explicit loops rather than slice assignment: both keep numba's loops vectorised.
"""

from __future__ import annotations

from . import kernel


@kernel
def copy_into(into, source):
    """into[:] = source as a plain loop: numba's slice assignment of an array does not vectorise."""
    for j in range(into.shape[0]):
        into[j] = source[j]


@kernel
def fill_edges(padded, col_map, lo1, n1, fill):
    """The padded columns outside lo1 .. lo1 + n1 - 1 of a row whose inside is filled: copies of the inside
    column `col_map` names, or `fill` for -1 (the edge `mode`, applied after the columns' reduction)."""
    for jp in range(lo1):
        source = col_map[jp]
        padded[jp] = padded[lo1 + source] if source >= 0 else fill
    for jp in range(lo1 + n1, col_map.shape[0]):
        source = col_map[jp]
        padded[jp] = padded[lo1 + source] if source >= 0 else fill


@kernel
def all_zero(flags):
    """True if every flag is 0 (streamed kernels add ``value * 0`` per column: NaN where a value was NaN or inf)."""
    for j in range(flags.shape[0]):
        if flags[j] != 0:
            return False
    return True


@kernel
def source_into(x, source, fill, into):
    if source < 0:
        for j in range(into.shape[0]):
            into[j] = fill
    else:
        row = x[source]
        for j in range(into.shape[0]):
            into[j] = row[j]


@kernel
def nan_flags(x, source, flags):
    """flags[:] += row * 0: NaN wherever input row `source` holds NaN or inf (-1, the cval: nothing).

    Extremes could take inf, but it is rare and the engine answers it; box sums need it caught."""
    if source >= 0:
        row = x[source]
        for j in range(flags.shape[0]):
            flags[j] += row[j] * 0


@kernel
def holds_nonfinite(x, source):
    """Whether input row `source` holds NaN or inf (-1, the cval: False): an OR over the row, vectorised,
    where `nan_flags` adds into a float64 flag per column. x - x stays in the row's own type (x * 0, an
    integer 0, made float32 rows float64: half the values a vector)."""
    if source < 0:
        return False
    row = x[source]
    bad = False
    for j in range(row.shape[0]):
        bad |= row[j] - row[j] != 0
    return bad


@kernel
def pair_into(into, a, b, take_max):
    """into[:] = extreme(a, b) elementwise (branch outside the loop: it vectorises)."""
    if take_max:
        for j in range(into.shape[0]):
            into[j] = max(a[j], b[j])
    else:
        for j in range(into.shape[0]):
            into[j] = min(a[j], b[j])


@kernel
def padded_row(x, source, col_map, lo1, c0, fill, into):
    """into[jj] = padded column c0 + jj of input row `source` (-1: all `fill`); interior copied contiguously."""
    wp = into.shape[0]
    if source < 0:
        for jj in range(wp):
            into[jj] = fill
        return
    row = x[source]
    n1 = row.shape[0]
    first = min(max(lo1 - c0, 0), wp)  # padded columns before the input's first column
    last = min(max(lo1 + n1 - c0, first), wp)  # ... and after its last
    for jj in range(first):
        c = col_map[c0 + jj]
        into[jj] = row[c] if c >= 0 else fill
    offset = c0 - lo1
    inside, source_part = into[first:last], row[first + offset : last + offset]
    for jj in range(last - first):
        inside[jj] = source_part[jj]
    for jj in range(last, wp):
        c = col_map[c0 + jj]
        into[jj] = row[c] if c >= 0 else fill
