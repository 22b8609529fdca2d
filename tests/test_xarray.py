"""xarray.DataArray in, DataArray out, with dims, coords, attrs and name kept (issue 16, first part)."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pytest
import xarray as xr

import pixelsmith as ps

SAME_SHAPE = {
    "local_mean": lambda a, **k: ps.local_mean(a, 3, **k),
    "local_sum": lambda a, **k: ps.local_sum(a, 3, **k),
    "local_var": lambda a, **k: ps.local_var(a, 3, **k),
    "local_std": lambda a, **k: ps.local_std(a, 3, **k),
    "local_min": lambda a, **k: ps.local_min(a, 3, **k),
    "local_max": lambda a, **k: ps.local_max(a, 3, **k),
    "local_count": lambda a, **k: ps.local_count(a, 3, **k),
    "local_median": lambda a, **k: ps.local_median(a, 3, **k),
    "local_percentile": lambda a, **k: ps.local_percentile(a, 75, 3, **k),
    "local_range": lambda a, **k: ps.local_range(a, 3, **k),
    "local_majority": lambda a, **k: ps.local_majority(np.round(a) if isinstance(a, np.ndarray) else a.round(), 3, **k),
    "local_variety": lambda a, **k: ps.local_variety(np.round(a) if isinstance(a, np.ndarray) else a.round(), 3, **k),
    "local_apply": lambda a, **k: ps.local_apply(a, lambda v: v.max() - v.min(), 3, **k),
    "fill_nans": lambda a, **k: ps.fill_nans(a, **k),
    "equalize_hist": lambda a, **k: ps.equalize_hist(a, **k),
}


def _dem(chunks=None):
    rng = np.random.default_rng(1)
    values = 100 + rng.normal(size=(30, 40)).cumsum(axis=1)
    values[4, 7] = np.nan
    data = da.from_array(values, chunks=chunks) if chunks else values
    return xr.DataArray(
        data,
        dims=("y", "x"),
        name="elevation",
        coords={"y": 4000000.0 - 10 * np.arange(30), "x": 500000.0 + 10 * np.arange(40)},
        attrs={"units": "m", "crs": "EPSG:32633"},
    )


@pytest.mark.parametrize("name", list(SAME_SHAPE))
def test_a_data_array_comes_back_labelled_with_equal_values(name):
    func = SAME_SHAPE[name]
    dem = _dem()
    if name in ("equalize_hist",):
        dem = dem.fillna(100.0)
    got = func(dem)
    assert isinstance(got, xr.DataArray)
    assert got.dims == dem.dims and got.name == dem.name and got.attrs == dem.attrs
    for dim in dem.dims:
        np.testing.assert_array_equal(got[dim].values, dem[dim].values)
    np.testing.assert_array_equal(got.values, func(dem.values))


@pytest.mark.parametrize("name", ["local_mean", "local_std", "local_median", "local_majority"])
def test_a_dask_backed_data_array_stays_lazy_and_equal(name):
    func = SAME_SHAPE[name]
    lazy = func(_dem(chunks=(11, 13)), nan_policy="omit")
    assert isinstance(lazy, xr.DataArray) and isinstance(lazy.data, da.Array)
    np.testing.assert_array_equal(lazy.values, func(_dem().values, nan_policy="omit"))


def test_axes_by_dimension_name():
    stack = xr.DataArray(np.random.default_rng(2).random((3, 20, 25)), dims=("band", "y", "x"))
    by_name = ps.local_mean(stack, 5, axes=("y", "x"))
    np.testing.assert_array_equal(by_name.values, ps.local_mean(stack.values, 5, axes=(1, 2)))
    with pytest.raises(ps.PixelsmithError, match="`axes`.*'time'"):
        ps.local_mean(stack, 5, axes=("time",))


def test_a_result_of_another_shape_is_a_plain_array():
    valid = ps.local_mean(_dem(), 3, crop="valid")
    assert isinstance(valid, np.ndarray) and valid.shape == (28, 38)
