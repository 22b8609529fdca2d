"""Histogram equalization of many images at once (one image per row of a 2-D view).

Float images: bins are given as edges per image (computed like numpy.histogram);
each value's bin is found by the same arithmetic numpy uses, then corrected
against the edges, so memberships equal numpy's. Integer images: one bin per
integer from the image's minimum. The CDF is interpolated like numpy.interp.
"""

from __future__ import annotations

import numpy as np

from . import kernel


@kernel
def _bin_of(v, e, first, scale, nbins):
    """numpy.histogram's bin of v (first <= v <= last): an arithmetic guess (within one bin),
    corrected against the edges as numpy corrects it; branch-free for speed."""
    b = min(int((v - first) * scale), nbins - 1)
    b -= np.int64(v < e[b])
    b += np.int64((b != nbins - 1) & (v >= e[b + 1]))
    return b


@kernel
def _bin_searched(v, e, nbins):
    """numpy.histogram's bin of v by search: the last edge at or below v (the last bin is closed)."""
    b = 0
    while b < nbins - 1 and e[b + 1] <= v:
        b += 1
    return b


@kernel
def row_ranges(images, lows, highs, bad, r0, r1):
    """Minimum and maximum of rows r0..r1-1 in one pass; bad[r] says the row holds NaN or inf."""
    for r in range(r0, r1):
        row = images[r]
        lo = np.inf
        hi = -np.inf
        flawed = False
        for p in range(row.shape[0]):
            v = row[p]
            flawed |= not (np.abs(v) < np.inf)  # NaN and +-inf
            lo = min(lo, v)
            hi = max(hi, v)
        lows[r] = lo
        highs[r] = hi
        bad[r] = flawed


@kernel
def equalize_float_rows(images, use, edges, centers, cdf_round32, out, r0, r1):
    """Rows r0..r1-1 of `images` (N, P): histogram over the pixels where `use`, then the CDF at every pixel."""
    nbins = edges.shape[1] - 1
    hist = np.zeros(nbins, np.int64)
    cdf = np.empty(nbins)
    slopes = np.empty(nbins)
    bins = np.empty(images.shape[1], np.int32)  # each pixel's bin, found once
    for r in range(r0, r1):
        mask_row = use[r] if use.shape[0] > 1 else use[0]
        _equalize_row(images[r], mask_row, True, edges[r], centers[r], cdf_round32, hist, cdf, slopes, bins, out[r])


@kernel
def equalize_float_rows_whole(images, nbins, cdf_round32, out, r0, r1, status):
    """`equalize_float_rows` when every pixel counts, with each row's range and bins found in the same pass
    over it (the row is then in cache): one read of the stack instead of two.

    The edges are numpy.linspace's, operation for operation, in the rows' dtype. `status[r]`: 0 done,
    1 the row holds NaN or inf, 2 a bin width of 0 (numpy.linspace then takes another formula for
    every row: the caller computes those rows the other way).
    """
    width = images.shape[1]
    # constants and the ramp 0..nbins in the rows' dtype: numba would widen float32 op int to float64,
    # and numpy.linspace computes in the dtype of its ends
    typed = np.empty(3, images.dtype)
    typed[0], typed[1], typed[2] = 0.5, 2.0, nbins
    ramp = np.empty(nbins + 1, images.dtype)
    for b in range(nbins + 1):
        ramp[b] = b
    edges = np.empty(nbins + 1, images.dtype)
    centers = np.empty(nbins, images.dtype)
    hist = np.zeros(nbins, np.int64)
    cdf = np.empty(nbins)
    slopes = np.empty(nbins)
    bins = np.empty(width, np.int32)
    intervals = np.empty(width, np.int32)
    tables = np.zeros((3, nbins + 1))
    eps = 2.220446049250313e-16 if images.itemsize == 8 else 1.1920928955078125e-07  # the rows' precision
    no_mask = np.ones(1, np.bool_)
    for r in range(r0, r1):
        row = images[r]
        first = row[0]
        last = row[0]
        flawed = False
        for p in range(width):
            v = row[p]
            flawed |= not (np.abs(v) < np.inf)
            first = min(first, v)
            last = max(last, v)
        if flawed:
            status[r] = 1
            continue
        if first == last:  # numpy widens an empty range by 0.5 on each side
            first = first - typed[0]
            last = last + typed[0]
        step = (last - first) / typed[2]
        if step == 0:
            status[r] = 2
            continue
        narrow = False
        for b in range(nbins):
            edges[b] = ramp[b] * step + first
            narrow |= b > 0 and not edges[b] > edges[b - 1]
        edges[nbins] = last
        if narrow or not edges[nbins] > edges[nbins - 1]:  # bins of zero width: numpy refuses them
            status[r] = 3
            continue
        for b in range(nbins):
            centers[b] = (edges[b] + edges[b + 1]) / typed[1]
        if not _equalize_row_guessed(
            row, edges, centers, eps, cdf_round32, hist, cdf, slopes, bins, intervals, tables, out[r]
        ):
            _equalize_row(row, no_mask, False, edges, centers, cdf_round32, hist, cdf, slopes, bins, out[r])
        status[r] = 0


@kernel
def _cdf_and_slopes(hist, xp, cdf_round32, cdf, slopes):
    """The histogram's normalised running count at each bin centre `xp`, and the slope from each centre
    to the next, as numpy.interp computes them (in float64)."""
    nbins = hist.shape[0]
    total = 0
    for b in range(nbins):
        total += hist[b]
    running = 0
    for b in range(nbins):
        running += hist[b]
        c = running / total
        cdf[b] = np.float32(c) if cdf_round32 else c
    for b in range(nbins - 1):
        gap = np.float64(xp[b + 1]) - np.float64(xp[b])
        # two centres that round to one value (a range of a few denormals): a step, not a division by zero
        slopes[b] = (cdf[b + 1] - cdf[b]) / gap if gap != 0 else 0.0


@kernel(inline=True)
def _near_an_edge(v, f, first, last, margin):
    """Whether a pixel at fraction `f` of its guessed bin lies within `margin` of the bin's edges or centre,
    where rounding could put it on the other side; the first and last edges are the row's own extremes,
    so exact whatever the rounding."""
    return ((f <= margin) & (v != first)) | ((f >= 1.0 - margin) & (v != last)) | (abs(f - 0.5) <= margin)


@kernel
def _guessed_bins(row, first, last, scale, top, margin, bins, intervals):
    """Every pixel's bin and interpolation interval from its place t = (v - first) * scale (vectorised).

    The bin is int(t); the interval is the bin from its centre on, else the
    one before, stored plus one (0: below the first centre). A pixel within
    `margin` of an edge or a centre, where rounding could put it on the other
    side, gets the interval -1 instead: the caller places it exactly.
    Returns how many pixels are so near.
    """
    count = 0
    for p in range(row.shape[0]):
        v = row[p]
        t = (v - first) * scale
        b = min(np.int32(t), top)
        f = t - b
        near = np.int32(_near_an_edge(v, f, first, last, margin))
        interval = b + np.int32(f >= 0.5)
        bins[p] = b
        intervals[p] = interval - near * (interval + 1)  # -1 when near
        count += near
    return count


@kernel
def _equalize_row_guessed(row, e, xp, eps, cdf_round32, hist, cdf, slopes, bins, intervals, tables, out_row):
    """`_equalize_row` for a row whose every pixel counts and lies within its edges, by arithmetic
    (issue 31: 1.9x): each pixel's bin and interval come from its place in bins, numpy's wherever the
    edge or centre is farther than `margin` (8x the rounding of both, `eps` the rows' precision); the
    few pixels nearer are compared against the edges and centres themselves, as the histogram is
    counted (float32 rows have a few in every row: a second pass over the row cost 2x). The CDF is then
    read from tables by interval, flat below the first centre and from the last on. False, with nothing
    written, when the edges' rounding is a thousandth of a bin or more (values far from 0 in narrow
    bins): the caller compares every pixel then.
    """
    nbins = e.shape[0] - 1
    first = e[0]
    last = e[nbins]
    scale = nbins / (last - first)
    margin = 8.0 * eps * ((abs(first) + abs(last)) * scale + nbins)
    if not margin < 1e-3:  # also a range of a few denormals, whose scale overflows
        return False
    near = _guessed_bins(row, first, last, scale, nbins - 1, margin, bins, intervals)
    hist[:] = 0
    if near == 0:  # float64 rows, mostly
        for p in range(row.shape[0]):
            hist[bins[p]] += 1
    else:
        for p in range(row.shape[0]):
            if intervals[p] < 0:  # near an edge or a centre: against them
                v = row[p]
                b = _bin_of(v, e, first, scale, nbins)
                bins[p] = b
                intervals[p] = b + np.int32(v >= xp[b])
            hist[bins[p]] += 1
    _cdf_and_slopes(hist, xp, cdf_round32, cdf, slopes)
    slope_of, centre_of, cdf_of = tables[0], tables[1], tables[2]  # by interval + 1
    cdf_of[0] = cdf[0]
    for b in range(nbins):
        cdf_of[b + 1] = cdf[b]
        centre_of[b + 1] = xp[b]
    for b in range(nbins - 1):
        slope_of[b + 1] = slopes[b]
    slope_of[nbins] = 0.0
    for p in range(row.shape[0]):
        i = intervals[p]
        out_row[p] = slope_of[i] * (np.float64(row[p]) - centre_of[i]) + cdf_of[i]
    return True


@kernel
def _equalize_row(row, mask_row, masked, e, xp, cdf_round32, hist, cdf, slopes, bins, out_row):
    """One image: its histogram over `e` (the pixels where `mask_row`, or all when not `masked`), then
    the CDF interpolated at every pixel as numpy.interp does."""
    nbins = e.shape[0] - 1
    first = e[0]
    scale = nbins / (e[nbins] - first)
    guess = np.abs(scale) < np.inf  # a range of a few denormals overflows the arithmetic guess: search instead
    hist[:] = 0
    for p in range(row.shape[0]):
        v = row[p]
        if not (v >= first and v <= e[nbins]):  # outside the range, or NaN: no bin
            bins[p] = -1
            continue
        b = _bin_of(v, e, first, scale, nbins) if guess else _bin_searched(v, e, nbins)
        bins[p] = b  # kept for the interpolation pass below
        if not masked or mask_row[p]:
            hist[b] += 1
    _cdf_and_slopes(hist, xp, cdf_round32, cdf, slopes)
    last = nbins - 1
    lo = xp[0]
    hi = xp[last]
    for p in range(row.shape[0]):
        v = row[p]
        if v >= lo and v < hi:  # the common case first: between the first and last bin centres
            # the interpolation interval is the value's bin, or the one before (below its centre)
            j = np.int64(bins[p])
            j -= np.int64(v < xp[j])
            out_row[p] = slopes[j] * (np.float64(v) - np.float64(xp[j])) + cdf[j]
        elif v < lo:
            out_row[p] = cdf[0]
        elif v >= hi:
            out_row[p] = cdf[last]
        else:  # NaN (outside the mask)
            out_row[p] = v


@kernel
def equalize_int_rows(images, use, lows, highs, out, r0, r1):
    """Integer rows: one bin per value from lows[r] to highs[r] (the masked range)."""
    for r in range(r0, r1):
        low = lows[r]
        nbins = highs[r] - low + 1
        hist = np.zeros(nbins, np.int64)
        row = images[r]
        mask_row = use[r] if use.shape[0] > 1 else use[0]
        for p in range(row.shape[0]):
            if mask_row[p]:
                hist[row[p] - low] += 1
        total = 0
        for b in range(nbins):
            total += hist[b]
        cdf = np.empty(nbins)
        running = 0
        for b in range(nbins):
            running += hist[b]
            cdf[b] = running / total
        # numpy.interp at an integer x equal to a bin centre returns that bin's CDF exactly,
        # so a lookup table gives the same numbers; beyond the range it clamps
        for p in range(row.shape[0]):
            k = row[p] - low
            out[r, p] = cdf[0] if k < 0 else (cdf[nbins - 1] if k >= nbins else cdf[k])


@kernel
def equalize_byte_rows(images, use, signed, out, r0, r1):
    """1-byte integer rows (`images` as uint8 bits; `signed`: they are int8): `equalize_int_rows`' numbers
    through a 256-entry table per image, with no range pass and no branch per pixel.

    The histogram is indexed by the bits; the CDF runs over the values in
    order (for int8, bits ``k ^ 0x80`` for the k-th smallest), from the
    smallest counted value to the largest, and is clamped beyond them.
    """
    hist = np.zeros(256, np.int64)
    table = np.empty(256)
    flip = 0x80 if signed else 0
    for r in range(r0, r1):
        for b in range(256):
            hist[b] = 0
        row = images[r]
        if use.shape[0] == 1 and use.shape[1] == 0:  # every pixel counts
            for p in range(row.shape[0]):
                hist[row[p]] += 1
        else:
            mask_row = use[r] if use.shape[0] > 1 else use[0]
            for p in range(row.shape[0]):
                hist[row[p]] += np.int64(mask_row[p])
        low = 0
        while hist[low ^ flip] == 0:
            low += 1
        high = 255
        while hist[high ^ flip] == 0:
            high -= 1
        total = 0
        for k in range(low, high + 1):
            total += hist[k ^ flip]
        running = 0
        for k in range(low, high + 1):
            running += hist[k ^ flip]
            table[k ^ flip] = running / total
        for k in range(low):
            table[k ^ flip] = table[low ^ flip]
        for k in range(high + 1, 256):
            table[k ^ flip] = table[high ^ flip]
        out_row = out[r]
        for p in range(row.shape[0]):
            out_row[p] = table[row[p]]
