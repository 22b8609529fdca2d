"""Harmonic fill of the holes of a 2-D image: one banded Cholesky factorisation per hole.

Each hole (a 4-connected component of missing pixels) is an independent system
``degree(p) u(p) - sum of its missing neighbours u(q) = sum of its known
neighbours``: symmetric positive definite (the 5-point Laplacian with the known
pixels fixed). Numbered in raster order, a pixel's coupled neighbours are at
most one row of the hole away, so the matrix is banded with a half-bandwidth of
about the hole's width, and a banded Cholesky costs ``n * band**2 / 2``: for
the blob-shaped holes of a scan or a map, far less than a general sparse
factorisation with its bookkeeping, and no Python per hole.
"""

from __future__ import annotations

import math

import numpy as np

from . import kernel


@kernel
def _root(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # halve the path as it is walked
        i = parent[i]
    return i


@kernel
def label_holes(holes, labels):
    """labels[:] = the 4-connected components of the True pixels of 2-D `holes`, numbered 1, 2, .. in the
    raster order of their first pixel (0 elsewhere, as scipy.ndimage.label); returns their count.

    One raster pass gives each pixel the provisional label of its upper or left neighbour, joining the two
    labels when both exist (union-find); a second pass numbers the roots by first appearance.
    """
    rows, cols = holes.shape
    parent = np.empty(holes.size // 2 + 2, labels.dtype)
    provisional = 0
    for i in range(rows):
        for j in range(cols):
            if not holes[i, j]:
                labels[i, j] = 0
                continue
            up = labels[i - 1, j] if i > 0 else 0
            left = labels[i, j - 1] if j > 0 else 0
            if up == 0 and left == 0:
                provisional += 1
                parent[provisional] = provisional
                labels[i, j] = provisional
            elif up == 0 or left == 0 or up == left:
                labels[i, j] = max(up, left)
            else:
                a, b = _root(parent, up), _root(parent, left)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                labels[i, j] = min(a, b)
    final = np.zeros(provisional + 1, labels.dtype)
    count = 0
    for i in range(rows):
        for j in range(cols):
            if labels[i, j]:
                r = _root(parent, labels[i, j])
                if final[r] == 0:
                    count += 1
                    final[r] = count
                labels[i, j] = final[r]
    return count


@kernel
def hole_bands(pixels, starts, width, local):
    """Half-bandwidth of every hole's system; `local[p]` becomes pixel p's index within its hole."""
    n_holes = starts.shape[0] - 1
    bands = np.zeros(n_holes, np.int64)
    for h in range(n_holes):
        for i in range(starts[h], starts[h + 1]):
            local[pixels[i]] = i - starts[h]
        band = 0
        for i in range(starts[h], starts[h + 1]):
            p = pixels[i]
            # a missing 4-neighbour is in the same hole, so its index is set (the others stay -1)
            if p >= width and local[p - width] >= 0:
                band = max(band, (i - starts[h]) - local[p - width])
            if p % width > 0 and local[p - 1] >= 0:
                band = max(band, 1)
        bands[h] = band
    return bands


@kernel
def solve_holes_2d(image, missing, pixels, starts, bands, local, holes, out):
    """Solve the holes listed in `holes` (indices into `starts`) of the 2-D `image` with mask `missing`,
    writing each missing pixel's value into `out` (flat, like the image).

    `pixels` are the flat indices of the missing pixels grouped by hole (raster order within
    each hole), `local[p]` a pixel's index within its hole and `bands` each hole's
    half-bandwidth (`hole_bands`).
    """
    n_rows, width = image.shape
    flat = image.reshape(-1)
    gone = missing.reshape(-1)
    result = out.reshape(-1)
    for t in range(holes.shape[0]):
        h = holes[t]
        first = starts[h]
        n = starts[h + 1] - first
        band = bands[h]
        factor = np.zeros((n, band + 1))  # factor[i, k] = L[i, i - k]
        rhs = np.zeros(n)
        for i in range(n):
            p = pixels[first + i]
            r, c = p // width, p % width
            degree = 0.0
            for q, inside in (
                (p - width, r > 0),
                (p + width, r < n_rows - 1),
                (p - 1, c > 0),
                (p + 1, c < width - 1),
            ):
                if not inside:
                    continue
                degree += 1.0
                if gone[q]:
                    j = local[q]
                    if j < i:  # the lower triangle: L is filled row by row below
                        factor[i, i - j] = -1.0
                else:
                    rhs[i] += flat[q]
            factor[i, 0] = degree
        # banded Cholesky, row by row: A = L L^T, L overwriting the lower band of A
        for i in range(n):
            for k in range(min(band, i), 0, -1):  # L[i, j] for j = i - k, left to right
                j = i - k
                s = factor[i, k]
                for m in range(k + 1, min(band, i) + 1):  # columns i - m < j shared by rows i and j
                    s -= factor[i, m] * factor[j, m - k]
                factor[i, k] = s / factor[j, 0]
            s = factor[i, 0]
            for m in range(1, min(band, i) + 1):
                s -= factor[i, m] * factor[i, m]
            factor[i, 0] = math.sqrt(s)
        # L y = rhs, then L^T x = y
        for i in range(n):
            s = rhs[i]
            for m in range(1, min(band, i) + 1):
                s -= factor[i, m] * rhs[i - m]
            rhs[i] = s / factor[i, 0]
        for i in range(n - 1, -1, -1):
            s = rhs[i]
            for m in range(1, min(band, n - 1 - i) + 1):
                s -= factor[i + m, m] * rhs[i + m]
            rhs[i] = s / factor[i, 0]
        for i in range(n):
            result[pixels[first + i]] = rhs[i]
