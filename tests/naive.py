"""Slow, obviously correct references for the kernels (float64, brute force).

Each builds every window explicitly with `sliding_window_view` on an array
padded by `numpy.pad`, and reduces it with numpy's own (two-pass) functions.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# scipy.ndimage mode -> numpy.pad mode
NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


def pad_like_scipy(a: np.ndarray, pads, mode: str, cval: float = 0.0) -> np.ndarray:
    if mode == "constant":
        return np.pad(a, pads, mode="constant", constant_values=cval)
    if mode == "mirror":
        # numpy's 'reflect' on a length-1 axis repeats it, as scipy's mirror does
        return np.pad(a, pads, mode="reflect")
    return np.pad(a, pads, mode=NP_PAD[mode])


def local_stat(
    a, stat, window, *, footprint=None, mode="reflect", cval=0.0, crop="same", nan_policy="propagate", ddof=0
):
    """Reference moving-window statistic; `window` has one length per axis."""
    a = np.asarray(a, dtype=np.float64)
    window = tuple(window)
    if crop == "same":
        pads = [(w // 2, w - 1 - w // 2) for w in window]
        p = pad_like_scipy(a, pads, mode, cval)
    else:
        p = a
    v = sliding_window_view(p, window)
    out_shape = v.shape[: a.ndim]
    vals = v.reshape(out_shape + (-1,))
    if footprint is not None:
        vals = vals[..., np.asarray(footprint, bool).reshape(-1)]
    omit = nan_policy == "omit"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if stat == "count":
            return np.sum(~np.isnan(vals), axis=-1)
        if stat == "sum":
            if omit:
                s = np.nansum(vals, axis=-1)
                return np.where(np.all(np.isnan(vals), axis=-1), np.nan, s)
            return np.sum(vals, axis=-1)
        funcs = {
            "mean": (np.mean, np.nanmean),
            "min": (np.min, np.nanmin),
            "max": (np.max, np.nanmax),
        }
        if stat in funcs:
            return funcs[stat][omit](vals, axis=-1)
        n = np.sum(~np.isnan(vals), axis=-1) if omit else np.full(out_shape, vals.shape[-1])
        var = (np.nanvar if omit else np.var)(vals, axis=-1, ddof=0) * n
        var = np.where(n - ddof > 0, var / np.maximum(n - ddof, 1e-300), np.nan)
        return np.sqrt(var) if stat == "std" else var


def local_order(
    a, stat, window, *, footprint=None, mode="reflect", cval=0.0, crop="same", nan_policy="propagate", q=50.0, func=None
):
    """Reference order statistic of every window: numpy on each window's values, one window at a time."""
    a = np.asarray(a, dtype=np.float64)
    window = tuple(window)
    pads = [(w // 2, w - 1 - w // 2) for w in window]
    p = pad_like_scipy(a, pads, mode, cval) if crop == "same" else a
    v = sliding_window_view(p, window)
    out = np.empty(v.shape[: a.ndim])
    keep = None if footprint is None else np.asarray(footprint, bool).reshape(-1)
    for idx in np.ndindex(*out.shape):
        vals = v[idx].reshape(-1)
        if keep is not None:
            vals = vals[keep]
        if np.isnan(vals).any():
            if nan_policy != "omit":
                out[idx] = np.nan
                continue
            vals = vals[~np.isnan(vals)]
        if vals.size == 0:
            out[idx] = np.nan
        elif stat == "percentile":
            out[idx] = np.percentile(vals, q)
        elif stat == "range":
            out[idx] = vals.max() - vals.min()
        elif stat == "majority":
            values, counts = np.unique(vals, return_counts=True)
            out[idx] = values[np.argmax(counts)]  # np.unique sorts: ties go to the smallest
        elif stat == "variety":
            out[idx] = len(np.unique(vals))
        else:
            out[idx] = func(vals)
    return out


def block_reduce(a, block, func, boundary="trim", cval=0.0):
    """Reference block reduction: python loop over blocks."""
    a = np.asarray(a, dtype=np.float64)
    if boundary == "pad":
        pads = [(0, (-n) % b) for n, b in zip(a.shape, block, strict=True)]
        a = np.pad(a, pads, constant_values=cval)
    out_shape = tuple(n // b for n, b in zip(a.shape, block, strict=True))
    out = np.empty(out_shape)
    for idx in np.ndindex(out_shape):
        sl = tuple(slice(i * b, (i + 1) * b) for i, b in zip(idx, block, strict=True))
        vals = a[sl].ravel()
        out[idx] = {
            "sum": np.sum,
            "mean": np.mean,
            "var": np.var,
            "std": np.std,
            "min": np.min,
            "max": np.max,
            "count_nonzero": np.count_nonzero,
            "fraction_nonzero": lambda v: np.count_nonzero(v) / v.size,
        }[func](vals)
    return out


# --- stamps --------------------------------------------------------------------------------------


def _interp_weights_1d(order, x):
    """Taps (indices, weights) of the 1-D interpolants at coordinate x, written from the formulas."""
    if order == 0:
        return np.array([np.floor(x + 0.5)], int), np.array([1.0])
    base = np.floor(x)
    t = x - base
    if order == 1:
        return np.array([base, base + 1], int), np.array([1 - t, t])
    if order == 3:
        idx = base + np.arange(-1, 3)
        d = np.abs(x - idx)
        w = np.where(d < 1, 2 / 3 - d**2 + d**3 / 2, np.where(d < 2, (2 - d) ** 3 / 6, 0.0))
        return idx.astype(int), w
    idx = base + np.arange(-2, 4)
    d = x - idx
    w = np.where(np.abs(d) < 3, np.sinc(d) * np.sinc(d / 3), 0.0)
    return idx.astype(int), w / w.sum()


def place_stamp(
    shape, stamp, center, *, stamp_center=None, zoom=1.0, rotation=0.0, order=3, flux="preserve", weight=1.0
):
    """Reference `add_stamp` into zeros: every frame pixel mapped back and interpolated by hand."""
    from scipy.ndimage import spline_filter

    stamp = np.asarray(stamp, float)
    nd = stamp.ndim
    sc = (np.array(stamp.shape) - 1) / 2 if stamp_center is None else np.asarray(stamp_center, float)
    zoom = np.broadcast_to(np.asarray(zoom, float), (nd,))
    rot = np.eye(nd)
    if rotation:
        t = np.radians(rotation)
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    minv = np.linalg.inv(rot @ np.diag(zoom))
    pad = 6  # as the kernel: the spline prefilter then sees the same array
    key = {0: 0, 1: 1, 3: 3, "lanczos3": 5}[order]
    data = np.pad(stamp, pad)
    if key == 3:
        data = spline_filter(data, order=3, mode="mirror")
    radius = {0: 0.5, 1: 1.0, 3: 2.0, 5: 3.0}[key]
    out = np.zeros(shape)
    for p in np.ndindex(*shape):
        s = sc + minv @ (np.array(p, float) - np.asarray(center, float))
        if np.any(s < -radius) or np.any(s > np.array(stamp.shape) - 1 + radius):
            continue
        taps = [_interp_weights_1d(key, s[d] + pad) for d in range(nd)]
        value = 0.0
        for combo in np.ndindex(*[len(t[0]) for t in taps]):
            index = tuple(taps[d][0][combo[d]] for d in range(nd))
            if all(0 <= index[d] < data.shape[d] for d in range(nd)):
                value += np.prod([taps[d][1][combo[d]] for d in range(nd)]) * data[index]
        out[p] = value
    if flux == "preserve":
        out *= stamp.sum() / out.sum()
    return weight * out


# --- peaks and apertures -------------------------------------------------------------------------


def local_peaks(a, *, threshold=-np.inf, border=1, min_distance=1.0):
    """Reference peaks: every equal-valued connected component with no higher neighbour, reported at the
    member nearest its centroid (ties: lowest flat index), then threshold, border, greedy suppression."""
    from scipy import ndimage as ndi

    a = np.asarray(a, float)
    structure = np.ones((3,) * a.ndim, bool)
    found = []
    for value in np.unique(a[np.isfinite(a)]):
        labels, count = ndi.label(a == value, structure)
        for k in range(1, count + 1):
            members = labels == k
            ring = ndi.binary_dilation(members, structure) & ~members
            if np.any(a[ring] > value) or value < threshold:
                continue
            idx = np.argwhere(members)
            if (np.minimum(idx, np.array(a.shape) - 1 - idx) < border).any():
                continue
            d = ((idx - idx.mean(axis=0)) ** 2).sum(axis=1)
            best = idx[np.flatnonzero(d == d.min())[0]]  # argwhere is in flat (C) order
            found.append((value, np.ravel_multi_index(tuple(best), a.shape), tuple(best)))
    found.sort(key=lambda f: (-f[0], f[1]))
    if a.ndim == 1:  # scipy.signal.find_peaks(distance=...): rank ascending positions by argsort, walk from the end
        found.sort(key=lambda f: f[1])
        found = [found[i] for i in np.argsort(np.array([f[0] for f in found], float))[::-1]]
    kept = []
    for value, _, pos in found:
        if all(np.sqrt(np.sum(np.subtract(pos, q) ** 2)) >= min_distance for _, q in kept):
            kept.append((value, pos))
    kept.sort(key=lambda f: (-f[0], np.ravel_multi_index(f[1], a.shape)))  # reported strongest first
    return np.array([p for _, p in kept], int).reshape(-1, a.ndim), np.array([v for v, _ in kept])


def disk_pixel_overlap(cy, cx, r, i, j):
    """Area of pixel (i, j) inside the disk, by adaptive quadrature over the pixel's columns."""
    from scipy.integrate import quad

    y0, y1, x0, x1 = i - 0.5 - cy, i + 0.5 - cy, j - 0.5 - cx, j + 0.5 - cx

    def height(x):
        if abs(x) >= r:
            return 0.0
        h = np.sqrt(r * r - x * x)
        return max(min(y1, h) - max(y0, -h), 0.0)

    kinks = [p for p in (-r, r) if x0 < p < x1]
    kinks += [s * np.sqrt(r * r - y * y) for y in (y0, y1) for s in (-1, 1) if abs(y) < r]
    kinks = sorted(k for k in kinks if x0 < k < x1)
    edges = [x0, *kinks, x1]
    return sum(
        quad(height, lo, hi, epsabs=1e-14, epsrel=1e-13)[0] for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    )


# --- fill, correlation --------------------------------------------------------------------------------


def harmonic_fill(a):
    """Dense reference: each NaN pixel equals the mean of its in-bounds 4/6-neighbours (Laplace, zero flux)."""
    a = np.asarray(a, float)
    holes = np.argwhere(np.isnan(a))
    index = {tuple(h): k for k, h in enumerate(holes)}
    m = np.zeros((len(holes), len(holes)))
    rhs = np.zeros(len(holes))
    for k, h in enumerate(holes):
        for axis in range(a.ndim):
            for step in (-1, 1):
                q = list(h)
                q[axis] += step
                if not 0 <= q[axis] < a.shape[axis]:
                    continue
                m[k, k] -= 1
                if tuple(q) in index:
                    m[k, index[tuple(q)]] += 1
                else:
                    rhs[k] -= a[tuple(q)]
    out = a.copy()
    out[tuple(holes.T)] = np.linalg.solve(m, rhs)
    return out


def ncc_valid(image, template, mask=None):
    """Pearson correlation of the template with every valid window, one window at a time."""
    image = np.asarray(image, float)
    template = np.asarray(template, float)
    use = np.ones(template.shape, bool) if mask is None else np.asarray(mask, bool)
    t = template[use]
    t = t - t.mean()
    windows = sliding_window_view(image, template.shape)
    out = np.zeros(windows.shape[: image.ndim])
    for idx in np.ndindex(*out.shape):
        w = windows[idx][use]
        w = w - w.mean()
        denom = np.sqrt((w * w).sum() * (t * t).sum())
        out[idx] = 0.0 if denom < 1e-12 else (w * t).sum() / denom
    return out


def _segment_in_box(a, b, shape):
    """Ray parameters (t_in, t_out) of segment a->b inside the voxel box [-0.5, n - 0.5] per axis."""
    t_in, t_out = 0.0, 1.0
    for ax in range(3):
        d = b[ax] - a[ax]
        if d == 0:
            if not -0.5 <= a[ax] <= shape[ax] - 0.5:
                return 1.0, 0.0
            continue
        t0, t1 = sorted(((-0.5 - a[ax]) / d, (shape[ax] - 0.5 - a[ax]) / d))
        t_in, t_out = max(t_in, t0), min(t_out, t1)
    return t_in, t_out


def siddon_ray(mu, a, b):
    """Sum of mu times the parameter length of a->b (index space) inside each voxel: every voxel-face
    crossing listed and sorted, each piece looked up at its midpoint."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    t_in, t_out = _segment_in_box(a, b, mu.shape)
    if t_in >= t_out:
        return 0.0
    ts = [t_in, t_out]
    for ax in range(3):
        d = b[ax] - a[ax]
        if d != 0:
            faces = np.arange(mu.shape[ax] + 1) - 0.5
            t = (faces - a[ax]) / d
            ts.extend(t[(t > t_in) & (t < t_out)])
    ts = np.unique(ts)
    mid = (ts[:-1] + ts[1:]) / 2
    points = a[:, None] + (b - a)[:, None] * mid[None, :]
    index = np.clip(np.floor(points + 0.5).astype(int), 0, np.array(mu.shape)[:, None] - 1)
    return float(np.sum(mu[tuple(index)].astype(float) * np.diff(ts)))


def _clamped_trilinear(mu, points):
    """Trilinear values of mu at points (3, n), positions clamped to [0, size - 1] (edge voxels extend)."""
    size = np.array(mu.shape)[:, None]
    points = np.clip(points, 0, size - 1)
    low = np.clip(np.floor(points).astype(int), 0, np.maximum(size - 2, 0))
    frac = points - low
    high = np.minimum(low + 1, size - 1)
    values = np.zeros(points.shape[1])
    for corner in np.ndindex(2, 2, 2):
        index = tuple(np.where(c, high[ax], low[ax]) for ax, c in enumerate(corner))
        weight = np.prod([np.where(c, frac[ax], 1 - frac[ax]) for ax, c in enumerate(corner)], axis=0)
        values += weight * mu[index]
    return values


def joseph_ray(mu, a, b):
    """Joseph's projector by its definition: on the major axis m (largest |b - a| component), the
    plane values G(i) are the volume at the ray's point in plane i (bilinear there, edges clamped);
    the integrand is np.interp through them (constant beyond the first and last plane), integrated
    exactly over the clipped segment (trapezoids between its breakpoints); per unit of t."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    t_in, t_out = _segment_in_box(a, b, mu.shape)
    if t_in >= t_out:
        return 0.0
    d = b - a
    m = int(np.argmax(np.abs(d)))
    planes = np.arange(mu.shape[m], dtype=float)
    points = a[:, None] + d[:, None] * ((planes - a[m]) / d[m])[None, :]
    points[m] = planes
    values = _clamped_trilinear(mu, points)
    lo, hi = sorted((a[m] + t_in * d[m], a[m] + t_out * d[m]))
    breaks = np.concatenate([[lo], planes[(planes > lo) & (planes < hi)], [hi]])
    return float(np.trapezoid(np.interp(breaks, planes, values), breaks)) / abs(d[m])


def trilinear_ray(mu, a, b, step):
    """Trapezoid rule over trilinear samples every `step` voxels of the clipped segment, edges clamped."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    t_in, t_out = _segment_in_box(a, b, mu.shape)
    if t_in >= t_out:
        return 0.0
    n = max(1, int(np.ceil(np.linalg.norm(b - a) * (t_out - t_in) / step - 1e-9)))
    t = t_in + (t_out - t_in) * np.arange(n + 1) / n
    size = np.array(mu.shape)[:, None]
    points = np.clip(a[:, None] + (b - a)[:, None] * t[None, :], 0, size - 1)
    low = np.clip(np.floor(points).astype(int), 0, np.maximum(size - 2, 0))
    frac = points - low
    high = np.minimum(low + 1, size - 1)
    values = np.zeros(n + 1)
    for corner in np.ndindex(2, 2, 2):
        index = tuple(np.where(c, high[ax], low[ax]) for ax, c in enumerate(corner))
        weight = np.prod([np.where(c, frac[ax], 1 - frac[ax]) for ax, c in enumerate(corner)], axis=0)
        values += weight * mu[index]
    return float(np.trapezoid(values, dx=(t_out - t_in) / n))


def occupied_blocks(mu, block):
    """Blocks whose cells may read a non-zero voxel: any non-zero in the block or its +1 neighbours."""
    shape = tuple(-(-n // block) for n in mu.shape)
    core = np.zeros(shape, bool)
    for q in np.ndindex(*shape):
        core[q] = np.any(mu[tuple(slice(c * block, (c + 1) * block) for c in q)] != 0)
    out = np.zeros(shape, bool)
    for q in np.ndindex(*shape):
        out[q] = core[tuple(slice(c, c + 2) for c in q)].any()
    return out


def true_runs(flags):
    """[start, stop) of every run of True, by walking the array."""
    runs, start = [], None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append([start, i])
            start = None
    return runs


def index_runs(indices):
    """(position, first index, length) of runs of consecutive non-negative indices, by walking."""
    runs = []
    for i, value in enumerate(indices):
        if value < 0:
            continue
        if runs and runs[-1][0] + runs[-1][2] == i and runs[-1][1] + runs[-1][2] == value:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((i, int(value), 1))
    return runs


def sliding_extreme(padded, w, axis, take_max):
    """Max (or min) of every run of `w` values along `axis`: numpy over every window."""
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(padded, w, axis=axis)
    return windows.max(axis=-1) if take_max else windows.min(axis=-1)
