"""Local-maximum kernels on 3-D views (1-D and 2-D arrays get leading singleton axes).

A pixel is a strict peak when it exceeds the threshold and every neighbour
(3 x 3 x 3, clipped at the edges) is lower. A pixel with an equal neighbour and
no higher one seeds a plateau; `resolve_plateaus` flood-fills each plateau
(equal values, full connectivity) and keeps it when no neighbour of the whole
plateau is higher. NaN is never a peak and never blocks one (NaN > v is False).
"""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def _append(buffer, count, value):
    if count == buffer.shape[0]:
        grown = np.empty(2 * count, np.int64)
        grown[:count] = buffer
        buffer = grown
    buffer[count] = value
    return buffer


@kernel
def find_maxima(data, threshold):
    """Flat indices of strict peaks, and of plateau seeds (maxima with an equal neighbour)."""
    n0, n1, n2 = data.shape
    seeds = np.empty(64, np.int64)
    strict = np.empty(1024, np.int64)
    count = 0
    n_seeds = 0
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                v = data[i, j, k]
                if not v >= threshold:
                    continue
                is_max = True
                flat = False
                for a in range(max(i - 1, 0), min(i + 2, n0)):
                    for b in range(max(j - 1, 0), min(j + 2, n1)):
                        for c in range(max(k - 1, 0), min(k + 2, n2)):
                            if a == i and b == j and c == k:
                                continue
                            u = data[a, b, c]
                            if u > v:
                                is_max = False
                            elif u == v:
                                flat = True
                if not is_max:
                    continue
                if flat:
                    seeds = _append(seeds, n_seeds, (i * n1 + j) * n2 + k)
                    n_seeds += 1
                else:
                    strict = _append(strict, count, (i * n1 + j) * n2 + k)
                    count += 1
    return strict[:count], seeds[:n_seeds]


@kernel
def resolve_plateaus(data, seeds):
    """One representative per true plateau maximum.

    Returns (flat index of the member nearest the centroid, centroid (P, 3),
    smallest distance of a member to any edge along each axis (P, 3)).
    """
    n0, n1, n2 = data.shape
    visited = np.zeros(data.shape, np.uint8)
    queue = np.empty(64, np.int64)
    reps = []
    cents = []
    edges = []
    for start in seeds:
        i0 = start // (n1 * n2)
        j0 = (start // n2) % n1
        k0 = start % n2
        if visited[i0, j0, k0] == 1:
            continue
        v = data[i0, j0, k0]
        queue[0] = start
        visited[i0, j0, k0] = 1
        head, tail = 0, 1
        is_max = True
        s0 = s1 = s2 = 0.0
        e0, e1, e2 = n0, n1, n2
        while head < tail:
            f = queue[head]
            head += 1
            i = f // (n1 * n2)
            j = (f // n2) % n1
            k = f % n2
            s0 += i
            s1 += j
            s2 += k
            e0 = min(e0, i, n0 - 1 - i)
            e1 = min(e1, j, n1 - 1 - j)
            e2 = min(e2, k, n2 - 1 - k)
            for a in range(max(i - 1, 0), min(i + 2, n0)):
                for b in range(max(j - 1, 0), min(j + 2, n1)):
                    for c in range(max(k - 1, 0), min(k + 2, n2)):
                        u = data[a, b, c]
                        if u > v:
                            is_max = False
                        elif u == v and visited[a, b, c] == 0:
                            visited[a, b, c] = 1
                            if tail == queue.shape[0]:
                                grown = np.empty(2 * tail, np.int64)
                                grown[:tail] = queue
                                queue = grown
                            queue[tail] = (a * n1 + b) * n2 + c
                            tail += 1
        if not is_max:
            continue
        c0, c1, c2 = s0 / tail, s1 / tail, s2 / tail
        best = -1
        best_d = np.inf
        for q in range(tail):
            f = queue[q]
            d = ((f // (n1 * n2)) - c0) ** 2 + (((f // n2) % n1) - c1) ** 2 + ((f % n2) - c2) ** 2
            if d < best_d or (d == best_d and f < best):
                best_d = d
                best = f
        reps.append(best)
        cents.append((c0, c1, c2))
        edges.append((e0, e1, e2))
    rep_arr = np.empty(len(reps), np.int64)
    cent_arr = np.empty((len(reps), 3))
    edge_arr = np.empty((len(reps), 3), np.int64)
    for p in range(len(reps)):
        rep_arr[p] = reps[p]
        cent_arr[p, 0], cent_arr[p, 1], cent_arr[p, 2] = cents[p]
        edge_arr[p, 0], edge_arr[p, 1], edge_arr[p, 2] = edges[p]
    return rep_arr, cent_arr, edge_arr


@kernel
def suppress_close(coords, shape, min_distance):
    """Greedy non-maximum suppression: `coords` (N, 3 int) in priority order; keep[i] False when
    an earlier kept peak lies closer than `min_distance` (Euclidean)."""
    n = coords.shape[0]
    keep = np.zeros(n, np.bool_)
    taken = np.zeros(shape, np.uint8)
    reach = int(np.ceil(min_distance)) - 1 if min_distance > 1 else 0
    limit = min_distance * min_distance
    r0 = reach if shape[0] > 1 else 0
    r1 = reach if shape[1] > 1 else 0
    r2 = reach if shape[2] > 1 else 0
    for p in range(n):
        i, j, k = coords[p, 0], coords[p, 1], coords[p, 2]
        if taken[i, j, k] == 1:
            continue
        keep[p] = True
        for a in range(max(i - r0, 0), min(i + r0 + 1, shape[0])):
            for b in range(max(j - r1, 0), min(j + r1 + 1, shape[1])):
                for c in range(max(k - r2, 0), min(k + r2 + 1, shape[2])):
                    if (a - i) ** 2 + (b - j) ** 2 + (c - k) ** 2 < limit:
                        taken[a, b, c] = 1
    return keep


@kernel
def maxima_1d(x, threshold, border, start, positions, heights, centroids):
    """1-D peaks in one walk from `start`: strict maxima and flat-topped plateaus, in ascending position.

    A peak's position is its middle member (rounded down between two, as
    scipy) and its centroid NaN for a single sample; peaks with a member within
    `border` of an end are skipped. Writes into `positions`, `heights` and `centroids`
    until they are full; returns (peaks written, where to resume:
    ``x.shape[0]`` when the walk is done). Fixed buffers, refilled by the
    caller, keep the walk free of reallocation (growing arrays inside the loop
    made it four times slower). NaN is never a peak and never blocks one.
    """
    n = x.shape[0]
    capacity = positions.shape[0]
    count = 0
    i = start
    while i < n:
        v = x[i]
        if i > 0 and x[i - 1] >= v:  # inside a rise or a plateau begun before (or v is NaN: skipped below)
            i += 1
            continue
        right = i
        while right + 1 < n and x[right + 1] == v:
            right += 1
        if (right + 1 < n and x[right + 1] > v) or not v >= threshold:  # a step up, below, or NaN
            i = right + 1
            continue
        if min(i, n - 1 - right) >= border:
            if count == capacity:
                return count, i
            positions[count] = (i + right) // 2
            heights[count] = v
            centroids[count] = np.nan if right == i else 0.5 * (i + right)
            count += 1
        i = right + 1
    return count, n


@kernel
def any_finite(flat):
    """True when some value is finite: stops at the first (an O(n) temporary for every call otherwise)."""
    for value in flat:
        if value - value == 0.0:
            return True
    return False
