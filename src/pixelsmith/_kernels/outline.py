"""Chain the open pixel sides of a region into closed boundaries (corner grid of (H+1) x (W+1)).

Sides are directed so that each pixel is circled top-right -> top-left ->
bottom-left -> bottom-right; sides shared by two region pixels never appear, the
rest form closed loops. At a corner touched by two diagonal pixels the walk
turns left (keeps hugging the same pixel), so such pixels stay separate.
Only corners where the direction changes are recorded.
"""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def _turns(a, b, c, width):
    """Whether the step a -> b and the step b -> c (corner indices) go in different directions."""
    return (b // width - a // width != c // width - b // width) or (b % width - a % width != c % width - b % width)


@kernel
def _record(corner, width, rows, cols, count):
    rows[count] = corner // width - 0.5
    cols[count] = corner % width - 0.5
    return count + 1


@kernel
def trace(region):
    h, w = region.shape
    width = w + 1
    n_corners = (h + 1) * width
    count = np.zeros(n_corners, np.int64)
    target = np.empty((n_corners, 2), np.int64)
    total = 0
    for i in range(h):
        for j in range(w):
            if not region[i, j]:
                continue
            up = i > 0 and region[i - 1, j]
            left = j > 0 and region[i, j - 1]
            down = i < h - 1 and region[i + 1, j]
            right = j < w - 1 and region[i, j + 1]
            sides = (
                (up, i * width + j + 1, i * width + j),
                (left, i * width + j, (i + 1) * width + j),
                (down, (i + 1) * width + j, (i + 1) * width + j + 1),
                (right, (i + 1) * width + j + 1, i * width + j + 1),
            )
            for closed, a, b in sides:
                if not closed:
                    target[a, count[a]] = b
                    count[a] += 1
                    total += 1
    rows = np.empty(total)
    cols = np.empty(total)
    starts = np.empty(total + 1, np.int64)
    n_paths = 0
    n_vertices = 0
    # start only where the way is unambiguous (one side leaves the corner): every loop has such a
    # corner, and starting at a corner touched by two diagonal pixels could pick the wrong side
    for first in range(n_corners):
        while count[first] == 1:
            starts[n_paths] = n_vertices
            n_paths += 1
            current = first
            previous = -1
            second = -1
            while True:
                k = count[current] - 1
                if count[current] == 2 and previous >= 0:
                    # two ways on: take the left turn of the incoming direction
                    dr = current // width - previous // width
                    dc = current % width - previous % width
                    want = (current // width - dc) * width + (current % width + dr)
                    k = 0 if target[current, 0] == want else 1
                nxt = target[current, k]
                if k == 0 and count[current] == 2:
                    target[current, 0] = target[current, 1]
                count[current] -= 1
                if previous < 0:
                    second = nxt  # to judge the closing corner at the end
                elif _turns(previous, current, nxt, width):
                    n_vertices = _record(current, width, rows, cols, n_vertices)
                previous, current = current, nxt
                if current == first:
                    if _turns(previous, current, second, width):
                        n_vertices = _record(current, width, rows, cols, n_vertices)
                    break
    starts[n_paths] = n_vertices
    return rows[:n_vertices], cols[:n_vertices], starts[: n_paths + 1]
