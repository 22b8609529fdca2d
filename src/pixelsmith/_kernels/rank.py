"""Order statistics of every window of a padded block: median, percentile, range, majority, variety.

The block is C-contiguous float64 with its halo; a window is a list of flat
offsets (the footprint's True elements) from its first element, and output
positions are ``bases[r] + j`` for row bases over the leading axes and j along
the last axis. Each window's values are copied to a buffer and reduced there,
so any footprint costs the same per element. Kernels never validate.

Operation codes: 0 percentile (`positions[n]`: the fractional rank of the
percentile among n sorted values, per method, made by `local._engine.percentile_positions`;
the median is linear q = 50), 1 range (max - min), 2 majority (most frequent value, the
smallest on ties), 3 variety (number of distinct values).
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .callback import BATCH_VALUES, STOPPED, data_pointer

OP_PERCENTILE = 0
OP_RANGE = 1
OP_MAJORITY = 2
OP_VARIETY = 3


@kernel
def _swap(buf, i, j):
    t = buf[i]
    buf[i] = buf[j]
    buf[j] = t


@kernel
def _select(buf, n, k):
    """Move the k-th smallest of buf[:n] to buf[k], smaller ones before it (quickselect, median of three)."""
    lo, hi = 0, n - 1
    while hi > lo:
        mid = (lo + hi) >> 1
        if buf[mid] < buf[lo]:
            _swap(buf, mid, lo)
        if buf[hi] < buf[lo]:
            _swap(buf, hi, lo)
        if buf[hi] < buf[mid]:
            _swap(buf, hi, mid)
        pivot = buf[mid]
        i, j = lo, hi
        while i <= j:
            while buf[i] < pivot:
                i += 1
            while buf[j] > pivot:
                j -= 1
            if i <= j:
                _swap(buf, i, j)
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return


@kernel
def _percentile(buf, n, positions):
    position = positions[n]
    k = int(np.floor(position))
    _select(buf, n, k)
    low = buf[k]
    frac = position - k
    if frac == 0.0 or k + 1 >= n:
        return low
    high = buf[k + 1]
    for t in range(k + 2, n):  # the next order statistic: the smallest of the upper part
        if buf[t] < high:
            high = buf[t]
    return low + (high - low) * frac


@kernel
def _small_majority_or_variety(buf, n, op):
    """Majority (most frequent, smallest on ties) or number of distinct values, by counting equals."""
    best = buf[0]
    best_count = 0
    distinct = 0
    for t in range(n):
        v = buf[t]
        count = 0
        earlier = 0
        for u in range(n):
            same = buf[u] == v
            count += same
            earlier += same and u < t
        if earlier == 0:
            distinct += 1
        if count > best_count or (count == best_count and v < best):
            best, best_count = v, count
    return float(distinct) if op == OP_VARIETY else best


@kernel
def _reduce(buf, n, op, positions):
    if op == OP_PERCENTILE:
        return _percentile(buf, n, positions)
    if op == OP_RANGE:
        lo = buf[0]
        hi = buf[0]
        for t in range(1, n):
            v = buf[t]
            if v < lo:
                lo = v
            if v > hi:
                hi = v
        return hi - lo
    if n <= 64:  # small windows: count equal values directly (vectorises; no sort)
        return _small_majority_or_variety(buf, n, op)
    values = buf[:n]
    values.sort()  # in place: no allocation per window
    if op == OP_VARIETY:
        distinct = 1
        for t in range(1, n):
            if values[t] != values[t - 1]:
                distinct += 1
        return float(distinct)
    best, best_count, run = values[0], 1, 1  # OP_MAJORITY
    for t in range(1, n):
        run = run + 1 if values[t] == values[t - 1] else 1
        if run > best_count:
            best, best_count = values[t], run
    return best


@kernel
def window_order_stat(block, offsets, bases, n_last, op, positions, omit_nan, stop, out):
    """out[r, j] = the statistic of block.flat[bases[r] + j + offsets] (NaN values skipped when omit_nan;
    a window with NaN and not omit_nan, or with no values, gives NaN). Returns early, leaving `out`
    unfinished, once ``stop[0]`` is raised (the caller was interrupted): polled every row."""
    flat = block.reshape(-1)
    k = offsets.shape[0]
    buf = np.empty(k)
    for r in range(bases.shape[0]):
        if stop[0]:
            return
        for j in range(n_last):
            start = bases[r] + j
            n = 0
            has_nan = False
            for t in range(k):
                v = flat[start + offsets[t]]
                if v != v:
                    has_nan = True
                    continue
                buf[n] = v
                n += 1
            if n == 0 or (has_nan and not omit_nan):
                out[r, j] = np.nan
            else:
                out[r, j] = _reduce(buf, n, op, positions)


@kernel
def window_apply(block, offsets, bases, n_last, func, omit_nan, stop, out):
    """out[r, j] = the user's function of the window's values, through `func`, a `callback.WINDOW_CALLBACK`.

    The windows of a row are gathered in batches of `callback.BATCH_VALUES`
    values at most, and each batch is one call of `func` (one indirect call a
    batch, not a window). Returns -1 when done, or ``r * n_last + j`` for the
    first window whose function raised (`out` is unfinished from there: the
    caller runs that window again in Python for the user's exception).
    Returns early, leaving `out` unfinished, once ``stop[0]`` is raised: the
    callback polls it every window (a user's function may take any time).
    """
    flat = block.reshape(-1)
    k = offsets.shape[0]
    batch = max(1, min(n_last, BATCH_VALUES // max(k, 1)))
    values = np.empty((batch, k))
    counts = np.empty(batch, np.intp)
    for r in range(bases.shape[0]):
        for j0 in range(0, n_last, batch):
            m = min(batch, n_last - j0)
            for i in range(m):
                start = bases[r] + j0 + i
                window = values[i]
                n = 0
                for t in range(k):
                    v = flat[start + offsets[t]]
                    if omit_nan and v != v:
                        continue
                    window[n] = v
                    n += 1
                counts[i] = n
            results = out[r, j0 : j0 + m]
            failed = func(data_pointer(values), k, data_pointer(counts), m, data_pointer(results), data_pointer(stop))
            if failed == STOPPED:
                return -1
            if failed >= 0:
                return r * n_last + j0 + failed
    return -1


@kernel
def _bisect_left(sorted_values, n, v):
    if n <= 64:  # small windows: a branch-free count vectorises and never mispredicts
        count = 0
        for t in range(n):
            count += sorted_values[t] < v
        return count
    base = 0  # larger: a binary search whose step is a conditional move, not a branch
    length = n
    while length > 1:
        half = length >> 1
        base += half * (sorted_values[base + half - 1] < v)
        length -= half
    return base + (sorted_values[base] < v)


@kernel
def _replace(sorted_values, n, old, new):
    """Replace one entry equal to `old` by `new`, keeping sorted_values[:n] sorted (one shift of the span between)."""
    i = _bisect_left(sorted_values, n, old)
    j = _bisect_left(sorted_values, n, new)
    if j > i:
        for t in range(i, j - 1):
            sorted_values[t] = sorted_values[t + 1]
        sorted_values[j - 1] = new
    else:
        for t in range(i, j, -1):
            sorted_values[t] = sorted_values[t - 1]
        sorted_values[j] = new


@kernel
def _insert(sorted_values, n, v):
    j = _bisect_left(sorted_values, n, v)
    for t in range(n, j, -1):
        sorted_values[t] = sorted_values[t - 1]
    sorted_values[j] = v


@kernel
def _remove(sorted_values, n, v):
    i = _bisect_left(sorted_values, n, v)
    for t in range(i, n - 1):
        sorted_values[t] = sorted_values[t + 1]


@kernel
def _sorted_percentile(sorted_values, n, positions):
    position = positions[n]  # the same rank as _percentile: identical results
    k = int(np.floor(position))
    low = sorted_values[k]
    frac = position - k
    if frac == 0.0 or k + 1 >= n:
        return low
    return low + (sorted_values[k + 1] - low) * frac


@kernel
def box_percentile(block, column, bases, n_last, width, positions, omit_nan, out):
    """`window_order_stat` percentile for a full box, sliding along the last axis.

    A window is `width` consecutive "columns" along the last axis, a column being
    the values at flat offsets `column` (the box's extent over the other axes).
    Each output row keeps its window's values sorted; a step along the row
    replaces one column (a binary search and one short shift per value) instead
    of selecting from scratch. NaN values are counted, not stored.
    """
    flat = block.reshape(-1)
    k = column.shape[0]
    values = np.empty(k * width)
    for r in range(bases.shape[0]):
        base = bases[r]
        n = 0
        nan_count = 0
        for c in range(width):
            for t in range(k):
                v = flat[base + c + column[t]]
                if v != v:
                    nan_count += 1
                else:
                    values[n] = v
                    n += 1
        values[:n] = np.sort(values[:n])
        for j in range(n_last):
            if j > 0:
                for t in range(k):
                    old = flat[base + j - 1 + column[t]]
                    new = flat[base + j + width - 1 + column[t]]
                    if old == old and new == new:
                        _replace(values, n, old, new)
                    else:
                        if old != old:
                            nan_count -= 1
                        else:
                            _remove(values, n, old)
                            n -= 1
                        if new != new:
                            nan_count += 1
                        else:
                            _insert(values, n, new)
                            n += 1
            if n == 0 or (nan_count > 0 and not omit_nan):
                out[r, j] = np.nan
            else:
                out[r, j] = _sorted_percentile(values, n, positions)


@kernel
def _tree_add(tree, index, delta):
    """Fenwick (binary indexed) tree: add `delta` at 0-based `index`."""
    i = index + 1
    while i < tree.shape[0]:
        tree[i] += delta
        i += i & (-i)


@kernel
def _tree_kth(tree, k, top):
    """0-based index of the k-th (0-based) present element; `top` is the largest power of two <= size."""
    position = 0
    step = top
    while step > 0:
        nxt = position + step
        if nxt < tree.shape[0] and tree[nxt] <= k:
            position = nxt
            k -= tree[nxt]
        step >>= 1
    return position


@kernel
def box_percentile_ranked(ranks, sorted_values, n_finite, column, bases, n_last, width, positions, omit_nan, out):
    """`box_percentile` for large boxes: the window's values are counted by rank in a Fenwick tree.

    `ranks` holds each value's rank in the block (NaN ranked last, from `n_finite`) and
    `sorted_values` the block's values in rank order. A step along a row adds and removes
    one column (log-time each) and a percentile is one or two k-th-rank searches; the
    value found is the same order statistic as the sorted window holds, so results are
    identical to `box_percentile`.
    """
    k = column.shape[0]
    tree = np.zeros(n_finite + 1, np.int32)
    top = 1
    while top * 2 <= n_finite:
        top *= 2
    for r in range(bases.shape[0]):
        base = bases[r]
        n = 0
        nan_count = 0
        for c in range(width):
            for t in range(k):
                rank = ranks[base + c + column[t]]
                if rank >= n_finite:
                    nan_count += 1
                else:
                    _tree_add(tree, rank, 1)
                    n += 1
        for j in range(n_last):
            if j > 0:
                for t in range(k):
                    old = ranks[base + j - 1 + column[t]]
                    if old >= n_finite:
                        nan_count -= 1
                    else:
                        _tree_add(tree, old, -1)
                        n -= 1
                    new = ranks[base + j + width - 1 + column[t]]
                    if new >= n_finite:
                        nan_count += 1
                    else:
                        _tree_add(tree, new, 1)
                        n += 1
            if n == 0 or (nan_count > 0 and not omit_nan):
                out[r, j] = np.nan
                continue
            position = positions[n]  # the rank of _sorted_percentile: identical results
            kk = int(np.floor(position))
            low = sorted_values[_tree_kth(tree, kk, top)]
            frac = position - kk
            if frac == 0.0 or kk + 1 >= n:
                out[r, j] = low
            else:
                out[r, j] = low + (sorted_values[_tree_kth(tree, kk + 1, top)] - low) * frac
        for c in range(width):  # empty the tree for the next row
            for t in range(k):
                rank = ranks[base + n_last - 1 + c + column[t]]
                if rank < n_finite:
                    _tree_add(tree, rank, -1)


# Ranks counted at two levels, for the blocks of a cell (`box_percentile_counted`): each rank and groups of 16
# ranks, so adding or removing a value is two increments. A window's k-th value moves little from one step
# to the next, so each k-th search starts from the group where the last one stopped (`_count_kth`). A third
# level (groups of 256) for the searches' long walks cost more in increments than it saved (1.2-1.3x)
_MID = 4  # log2 of the ranks per group
STRIDE = 16  # groups summed at once where a search walks far (a median jumping between two clusters)


@kernel
def _count_add(each, groups, rank, delta):
    each[rank] += delta
    groups[rank >> _MID] += delta


@kernel
def _groups_sum(groups, start):
    total = 0
    for g in range(start, start + STRIDE):
        total += groups[g]
    return total


@kernel
def _count_kth(each, groups, k, g, below):
    """(rank, g, below): the 0-based rank of the k-th (0-based) counted value, through the groups of ranks,
    then the ranks. The walk starts at group `g`, with `below` values counted in the groups before it, and
    returns where it stopped, for the next search to start there. After `STRIDE` groups it strides
    `STRIDE` groups at a time (their sum), so a far jump costs tens of steps, not hundreds; `groups` has
    `STRIDE` zeros past its last group for that."""
    k -= below
    walked = 0
    while k < 0:  # the k-th lies before group g
        g -= 1
        below -= groups[g]
        k += groups[g]
        walked += 1
        if walked == STRIDE:
            while g >= STRIDE:
                total = _groups_sum(groups, g - STRIDE)
                if k + total >= 0:
                    break
                g -= STRIDE
                below -= total
                k += total
    while groups[g] <= k:  # the k-th lies in group g or after
        k -= groups[g]
        below += groups[g]
        g += 1
        walked += 1
        if walked == STRIDE:
            while True:
                total = _groups_sum(groups, g)
                if total > k:
                    break
                g += STRIDE
                below += total
                k -= total
    r = g << _MID
    while each[r] <= k:
        k -= each[r]
        r += 1
    return r, g, below


# A kernel of its own, the same walk as box_percentile_ranked: one kernel switching between the counters by
# a flag measured 2.5x slower (numba keeps the switch as a branch in the hot loop, inlined or not)
@kernel
def box_percentile_counted(ranks, sorted_values, n_finite, column, bases, n_last, width, positions, omit_nan, out):
    """`box_percentile_ranked` with the window's ranks counted at two levels instead of in a Fenwick tree.

    For the blocks of one cell of outputs (tens of thousands of values): a step
    along a row is 2 x `column` increments of two counters each, and a
    percentile one or two k-th searches that start where the last one stopped,
    where the tree took 17 dependent steps an update (4-6x). The order
    statistic found is the same, so the results are identical.
    """
    k = column.shape[0]
    each = np.zeros(n_finite + 1, np.int32)
    groups = np.zeros((n_finite >> _MID) + 2 + STRIDE, np.int32)
    for r in range(bases.shape[0]):
        base = bases[r]
        n = 0
        nan_count = 0
        group = 0  # the group where the last search stopped, and how many values lie in the groups before it
        below = 0
        for c in range(width):
            for t in range(k):
                rank = ranks[base + c + column[t]]
                if rank >= n_finite:
                    nan_count += 1
                else:
                    _count_add(each, groups, rank, 1)
                    n += 1
        for j in range(n_last):
            if j > 0:
                for t in range(k):
                    old = ranks[base + j - 1 + column[t]]
                    if old >= n_finite:
                        nan_count -= 1
                    else:
                        _count_add(each, groups, old, -1)
                        below -= (old >> _MID) < group
                        n -= 1
                    new = ranks[base + j + width - 1 + column[t]]
                    if new >= n_finite:
                        nan_count += 1
                    else:
                        _count_add(each, groups, new, 1)
                        below += (new >> _MID) < group
                        n += 1
            if n == 0 or (nan_count > 0 and not omit_nan):
                out[r, j] = np.nan
                continue
            position = positions[n]  # the rank of _sorted_percentile: identical results
            kk = int(np.floor(position))
            at, group, below = _count_kth(each, groups, kk, group, below)
            low = sorted_values[at]
            frac = position - kk
            if frac == 0.0 or kk + 1 >= n:
                out[r, j] = low
            else:
                at, group, below = _count_kth(each, groups, kk + 1, group, below)
                out[r, j] = low + (sorted_values[at] - low) * frac
        for c in range(width):  # empty the counters for the next row
            for t in range(k):
                rank = ranks[base + n_last - 1 + c + column[t]]
                if rank < n_finite:
                    _count_add(each, groups, rank, -1)
