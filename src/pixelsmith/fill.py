"""Fill NaN (or masked) pixels from their neighbours: harmonic, biharmonic, nearest, Gaussian.

The harmonic and biharmonic fills solve a sparse linear system whose unknowns
are the hole pixels only, so the cost follows the holes, not the image. Both
use the discrete Laplacian over in-bounds neighbours (2 * ndim of them inside
the array, fewer at its edges: a zero-flux boundary), in any number of dimensions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._deprecate import renamed_keywords
from ._validate import (
    PixelsmithTypeError,
    PixelsmithValueError,
    as_image_array,
    check_bool_mask,
    check_choice,
    check_finite_scalar,
    check_positive_int,
    is_dask_array,
    result_float_dtype,
)
from ._xarray import labelled
from .types import ArrayLike, FillMethod

__all__ = ["fill_nans"]

METHODS = ("harmonic", "biharmonic", "nearest", "gaussian")
# below this the Gaussian's weight one pixel away (exp(-1 / (2 sigma^2))) is < 1e-21: no useful reach
_MIN_SIGMA = 0.1


@renamed_keywords(a="image")
@labelled
def fill_nans(
    image: ArrayLike,
    *,
    method: FillMethod = "harmonic",
    mask: Any = None,
    sigma: float = 2.0,
    max_iter: int | None = None,
    channel_axis: int | None | str = "auto",
) -> np.ndarray:
    """Fill the NaN pixels of `image` (and those `mask` marks) from the surrounding known pixels.

    Parameters
    ----------
    image : array_like, any number of dimensions
        Data with holes (NaN). Integer input is filled in float64.
    method : {'harmonic', 'biharmonic', 'nearest', 'gaussian'}, default 'harmonic'
        - 'harmonic': solve Laplace's equation on the holes with the known
          pixels as boundary values: the smoothest fill without overshoot
          (values stay within the boundary's range).
        - 'biharmonic': solve the biharmonic equation on the holes (the fill of
          scikit-image's ``inpaint_biharmonic``); continues gradients across
          holes, most accurate on smooth data, may overshoot.
        - 'nearest': value of the nearest known pixel (Euclidean; ties by the
          distance transform's scan order).
        - 'gaussian': normalized convolution with a Gaussian of `sigma`
          (astropy's ``interpolate_replace_nans`` idea), repeated on what is
          still missing until every hole is filled.
    mask : array_like of bool, optional
        Extra pixels to fill (True = fill), same shape as `image`; NaN pixels are
        always filled.
    sigma : float, default 2.0
        Gaussian sigma in pixels for 'gaussian', at least 0.1.
    max_iter : int, optional
        'gaussian': at most this many passes (default: as many as needed,
        each pass reaches about 3 sigma further into the holes).
    channel_axis : int, None or 'auto', default 'auto'
        Axis of colour channels, filled one channel at a time. 'auto': a 3-D
        `image` whose last axis has 3 or 4 entries is an (H, W, RGB[A]) image and is
        filled channel by channel (filling it as a volume would mix the
        colours); anything else has no channel axis. Pass None to fill such an
        array as a 3-D volume, or an axis for channels elsewhere.

    Returns
    -------
    numpy.ndarray
        A filled copy; float32 input stays float32, other input gives float64.
        Without holes the result is an unchanged copy.

    Examples
    --------
    >>> import numpy as np
    >>> yy, xx = np.mgrid[:50, :60]
    >>> truth = np.sin(xx / 9.0) + np.cos(yy / 7.0)
    >>> holes = truth.copy()
    >>> holes[20:28, 30:37] = np.nan
    >>> filled = fill_nans(holes)                      # harmonic
    >>> bool(np.abs(filled - truth).max() < 0.15)
    True
    >>> bool(np.abs(fill_nans(holes, method="biharmonic") - truth).max() < 0.005)
    True
    """
    if is_dask_array(image):
        raise PixelsmithTypeError(
            "`image` is a dask array, and a fill needs each hole whole; call .compute() first "
            "(or map fill_nans over overlapping blocks larger than the holes)"
        )
    arr = as_image_array(image, "image", allow_dask=False)
    check_choice(method, "method", METHODS)
    dtype = result_float_dtype(arr.dtype)
    out = np.array(arr, dtype=dtype)  # always a copy
    holes = np.isnan(out) if out.dtype.kind == "f" else np.zeros(out.shape, bool)
    if mask is not None:
        holes |= check_bool_mask(mask, "mask", [out.shape], "fill", what=f"of `image` {out.shape}", allow_empty=True)
    if np.isinf(out).any():
        raise PixelsmithValueError("`image` contains inf; replace it with NaN to fill it, or with a finite value")
    if method == "gaussian":
        sigma = check_finite_scalar(sigma, "sigma")
        if not sigma >= _MIN_SIGMA:
            raise PixelsmithValueError(
                f"`sigma` must be at least {_MIN_SIGMA} pixels for method='gaussian', got {sigma}: a narrower "
                "kernel gives the next pixel no weight at all; for the value of the nearest known pixel use "
                "method='nearest'"
            )
    if max_iter is not None:
        max_iter = check_positive_int(max_iter, "max_iter")

    if isinstance(channel_axis, str):
        if channel_axis != "auto":
            raise PixelsmithValueError(f"`channel_axis` must be an axis, None or 'auto', got {channel_axis!r}")
        channel_axis = -1 if out.ndim == 3 and out.shape[-1] in (3, 4) else None
    if channel_axis is not None:
        axis = channel_axis + out.ndim if channel_axis < 0 else channel_axis
        if not 0 <= axis < out.ndim:
            raise PixelsmithValueError(f"`channel_axis` {channel_axis} is out of range for {out.ndim}-D `image`")
        for c in range(out.shape[axis]):
            index = (slice(None),) * axis + (c,)
            out[index] = _fill_one(out[index], holes[index], method, sigma, max_iter, f"channel {c} of `image`")
        return out
    return _fill_one(out, holes, method, sigma, max_iter, "`image`")


def _fill_one(
    x: np.ndarray, holes: np.ndarray, method: str, sigma: float, max_iter: int | None, what: str
) -> np.ndarray:
    if not holes.any():
        return x
    if holes.all():
        raise PixelsmithValueError(f"{what} has no known pixels (all NaN or masked); nothing to fill from")
    if method == "nearest":
        from scipy.ndimage import distance_transform_edt

        index = distance_transform_edt(holes, return_distances=False, return_indices=True)
        x[holes] = x[tuple(i[holes] for i in index)]
        return x
    if method == "gaussian":
        return _normalized_convolution(x, holes, sigma, max_iter)
    if method == "harmonic" and x.ndim == 2:
        return _harmonic_2d(x, holes)
    x[holes] = _solve_holes(x, holes, biharmonic=method == "biharmonic")
    return x


# a hole whose banded factor would hold more values than this goes to the sparse solver instead
_BANDED_VALUES = 1 << 24  # 128 MB of float64


def _harmonic_2d(x: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """The harmonic fill of a 2-D image, hole by hole: a banded Cholesky per hole (`_kernels/fill.py`),
    holes in groups on the thread pool; a hole too wide for a band goes to the sparse solver."""
    from ._kernels import fill as _k
    from ._parallel import n_threads, run_each

    # 4-connected: exactly the independent systems (int32 as scipy.ndimage.label, int64 past 2**31 pixels);
    # the mask in C order (a byte per pixel), so a Fortran-ordered image loads the one shipped kernel
    holes = np.ascontiguousarray(holes)
    labels = np.empty(holes.shape, np.int32 if holes.size < 2**31 - 2 else np.int64)
    n_holes = _k.label_holes(holes, labels)
    missing = np.flatnonzero(holes)
    hole_of = labels.ravel()[missing] - 1
    order = np.argsort(hole_of, kind="stable")  # grouped by hole, raster order within each
    pixels = missing[order]
    starts = np.searchsorted(hole_of[order], np.arange(n_holes + 1))
    local = np.full(holes.size, -1, np.int64)
    bands = _k.hole_bands(pixels, starts, x.shape[1], local)
    sizes = np.diff(starts)
    banded = sizes * (bands + 1) <= _BANDED_VALUES
    values = np.ascontiguousarray(x, dtype=np.float64)  # a channel of a colour image is a strided view
    missing_mask = np.ascontiguousarray(holes)
    out = values.copy()
    work = sizes * (bands + 1.0) ** 2
    # groups of about equal work, largest holes first, so threads finish together
    groups: list[list[int]] = [[] for _ in range(max(1, min(int(banded.sum()), 16 * n_threads())))]
    load = np.zeros(len(groups))
    for h in np.flatnonzero(banded)[np.argsort(-work[banded], kind="stable")]:
        g = int(np.argmin(load))
        groups[g].append(int(h))
        load[g] += work[h]
    run_each(
        [np.array(g, np.int64) for g in groups if g],
        lambda chosen: _k.solve_holes_2d(values, missing_mask, pixels, starts, bands, local, chosen, out),
    )
    if not banded.all():
        wide = np.isin(labels, np.flatnonzero(~banded) + 1)
        out[wide] = _solve_holes(values, wide, biharmonic=False)
    x[holes] = out[holes]
    return x


def _normalized_convolution(x: np.ndarray, holes: np.ndarray, sigma: float, max_iter: int | None) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    known = ~holes
    passes = 0
    radius = max(1, int(4.0 * sigma + 0.5))
    while not known.all():
        if max_iter is not None and passes >= max_iter:
            raise PixelsmithValueError(
                f"'gaussian' fill left {int((~known).sum())} pixels empty after max_iter={max_iter} passes; "
                "raise max_iter or sigma"
            )
        weight = known.astype(np.float64)
        # at least one pixel of reach: scipy's radius round(4 sigma) is 0 below sigma 0.125, and a pass
        # that reaches no hole would repeat forever
        numerator = gaussian_filter(np.where(known, x, 0.0).astype(np.float64), sigma, mode="constant", radius=radius)
        denominator = gaussian_filter(weight, sigma, mode="constant", radius=radius)
        # a pixel is filled once its kernel holds at least 1 % of known weight
        reach = (~known) & (denominator > 1e-2)
        if not reach.any():  # far from any data: accept whatever weight there is
            reach = (~known) & (denominator > 0)
        if not reach.any():  # cannot happen for sigma >= _MIN_SIGMA; never loop without progress
            raise PixelsmithValueError(f"'gaussian' fill made no progress with `sigma` {sigma}; use a larger sigma")
        x[reach] = numerator[reach] / denominator[reach]
        known = known | reach
        passes += 1
    return x


def _solve_holes(x: np.ndarray, holes: np.ndarray, *, biharmonic: bool) -> np.ndarray:
    """Values of the hole pixels: L u = 0 (harmonic) or L L u = 0 (biharmonic) with known pixels fixed."""
    # the pixels the equations touch: holes, plus 1 (harmonic) or 2 (biharmonic) rings
    region = _dilate(holes, 2 if biharmonic else 1)
    ids = np.full(x.shape, -1, np.int64)
    region_idx = np.flatnonzero(region)
    ids.ravel()[region_idx] = np.arange(len(region_idx))
    lap = _laplacian(ids, region, x.shape)
    unknown = ids[holes]  # C order, so increasing
    if biharmonic:
        inner = ids[_dilate(holes, 1)]  # Laplacian rows that the unknowns' L L rows combine
        system = lap[unknown][:, inner] @ lap[inner]  # symmetric positive definite
    else:
        system = -lap[unknown]  # symmetric positive definite
    system = system.tocsc()
    is_unknown = np.zeros(len(region_idx), bool)
    is_unknown[unknown] = True
    values = x.ravel()[region_idx]
    rhs = -(system[:, ~is_unknown] @ values[~is_unknown])
    matrix = system[:, is_unknown].tocsr()
    # orderings measured fastest with SuperLU on blob-shaped holes
    return _solve_by_component(matrix, rhs, "MMD_AT_PLUS_A" if biharmonic else "NATURAL").astype(x.dtype)


def _solve_by_component(matrix, rhs: np.ndarray, ordering: str) -> np.ndarray:
    """Solve an SPD system block by block: its connected components, grouped, factorized in threads.

    Separate holes give independent blocks; smaller factorizations are cheaper,
    and SuperLU releases the GIL, so groups run in parallel.
    """

    from scipy.sparse.csgraph import connected_components
    from scipy.sparse.linalg import splu

    from ._parallel import n_threads, run_each

    n_comp, labels = connected_components(matrix, directed=False)
    n_groups = min(n_comp, 16 * n_threads())  # measured: smaller blocks factor faster
    sizes = np.bincount(labels, minlength=n_comp)
    # largest components first, each to the lightest group
    group_of = np.empty(n_comp, np.int64)
    load = np.zeros(n_groups)
    for comp in np.argsort(-sizes, kind="stable"):
        g = int(np.argmin(load))
        group_of[comp] = g
        load[g] += sizes[comp] ** 1.5  # factorization cost grows faster than the size
    member_group = group_of[labels]
    solution = np.empty(len(rhs))

    def solve(g: int) -> None:
        members = np.flatnonzero(member_group == g)
        if not len(members):
            return
        block = matrix[members][:, members].tocsc()
        factor = splu(block, permc_spec=ordering, diag_pivot_thresh=0.0, options={"SymmetricMode": True})
        solution[members] = factor.solve(rhs[members])

    run_each(range(n_groups), solve)
    return solution


def _dilate(mask: np.ndarray, steps: int) -> np.ndarray:
    from scipy.ndimage import binary_dilation, generate_binary_structure

    return binary_dilation(mask, generate_binary_structure(mask.ndim, 1), iterations=steps)


def _laplacian(ids: np.ndarray, region: np.ndarray, shape: tuple[int, ...]):
    """Sparse Laplacian rows for every region pixel, over its in-bounds neighbours that are in the region.

    Rows whose neighbours leave the region are only used when those rows are
    not needed (the region is dilated far enough for the rows we combine).
    """
    from scipy.sparse import coo_matrix

    n = int(region.sum())
    rows, cols, vals = [], [], []
    coords = np.nonzero(region)
    here = ids[coords]
    degree = np.zeros(n)
    for axis in range(len(shape)):
        for step in (-1, 1):
            nb = list(coords)
            nb[axis] = coords[axis] + step
            inside = (nb[axis] >= 0) & (nb[axis] < shape[axis])
            nb_ids = np.full(n, -1, np.int64)
            nb_ids[inside] = ids[tuple(c[inside] for c in nb)]
            degree += inside
            ok = nb_ids >= 0
            rows.append(here[ok])
            cols.append(nb_ids[ok])
            vals.append(np.ones(int(ok.sum())))
    rows.append(here)
    cols.append(here)
    vals.append(-degree)
    return coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
