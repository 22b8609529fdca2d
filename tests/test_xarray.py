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


def test_same_shape_results_of_other_functions_are_labelled():
    dem = _dem().fillna(100.0)
    for func in (
        lambda a: ps.ncc(a, np.asarray(a)[5:10, 5:12], crop="same"),
        lambda a: ps.document.paper_level(a),
        lambda a: ps.xray.to_display(a),
    ):
        got = func(dem)
        assert isinstance(got, xr.DataArray) and got.dims == dem.dims and got.attrs == dem.attrs
        np.testing.assert_array_equal(got.values, func(dem.values))


@pytest.mark.parametrize("chunks", [None, (11, 13)])
def test_block_reductions_come_back_on_the_block_centres(chunks):
    dem = _dem(chunks)
    coarse = ps.block_reduce(dem, (3, 4), "mean")
    assert isinstance(coarse, xr.DataArray) and coarse.shape == (10, 10) and coarse.attrs == dem.attrs
    assert isinstance(coarse.data, da.Array) == (chunks is not None)
    np.testing.assert_allclose(coarse.y.values, 4000000.0 - 10 * (np.arange(10) * 3 + 1))
    np.testing.assert_allclose(coarse.x.values, 500000.0 + 10 * (np.arange(10) * 4 + 1.5))
    np.testing.assert_array_equal(coarse.values, ps.block_reduce(_dem().values, (3, 4), "mean"))
    padded = ps.density_map(dem > 100, 7, boundary="pad")
    assert padded.shape == (5, 6)
    np.testing.assert_allclose(padded.x.values[-1], 500000.0 + 10 * np.mean([35, 36, 37, 38, 39]))


def test_raster_to_xarray_is_what_rioxarray_reads_and_survives_the_api(tmp_path):
    import rioxarray  # in the test extra: the check is that rioxarray reads our labels
    from rasterio.transform import from_origin

    from pixelsmith.io import read_raster, write_raster

    values = np.random.default_rng(3).normal(size=(3, 40, 50)).astype(np.float32)
    path = tmp_path / "r.tif"
    write_raster(path, values, transform=from_origin(500000, 4e6, 30, 30), crs="EPSG:32633", band_names="abc")
    for chunks in (None, 16):
        labelled = read_raster(path, chunks=chunks).to_xarray("refl")
        assert labelled.dims == ("band", "y", "x") and labelled.band_name.values.tolist() == ["a", "b", "c"]
        assert isinstance(labelled.data, da.Array) == (chunks is not None)
        direct = rioxarray.open_rasterio(path)
        np.testing.assert_allclose(labelled.x.values, direct.x.values)
        np.testing.assert_allclose(labelled.y.values, direct.y.values)
        assert labelled.rio.crs == direct.rio.crs and labelled.rio.transform() == direct.rio.transform()
        smooth = ps.local_mean(labelled, 3, axes=("y", "x"))
        assert smooth.rio.crs.to_epsg() == 32633 and smooth.rio.transform() == direct.rio.transform()
        coarse = ps.block_reduce(labelled, (1, 2, 2))
        assert coarse.rio.transform().a == 60 and coarse.rio.transform().c == 500000
        np.testing.assert_array_equal(smooth.values, ps.local_mean(values, 3, axes=(1, 2)))


def test_a_where_data_array_is_paired_by_dimension_name_not_position():
    """Issue 27: where= with dims ("x", "y") was applied by position to an image with dims ("y", "x")."""
    import xarray as xr

    rng = np.random.default_rng(4)
    image = xr.DataArray(rng.random((20, 30)), dims=("y", "x"))
    use = rng.random((20, 30)) > 0.3
    by_position = ps.equalize_hist(image, where=use)
    transposed = xr.DataArray(use.T, dims=("x", "y"))
    np.testing.assert_array_equal(ps.equalize_hist(image, where=transposed).values, by_position.values)
    from expect import raises_naming

    with raises_naming(ps.PixelsmithValueError, "where"):
        ps.equalize_hist(image, where=xr.DataArray(use, dims=("row", "col")))


def test_a_computed_result_drops_the_inputs_encoding_and_statistics_so_rioxarray_writes_floats(
    tmp_path, geotiff_writer
):
    """Issue 28: local_std of an int16 DEM opened masked came back with the int16 encoding: 22.32 written as 22."""
    import rioxarray

    rng = np.random.default_rng(5)
    elevation = (1000 + rng.normal(0, 30, (40, 50))).astype(np.int16)
    elevation[3, 4] = -9999
    source = geotiff_writer(
        tmp_path / "elev.tif", elevation, nodata=-9999, tags={"STATISTICS_MEAN": "1000.1", "units": "m"}
    )
    dem = rioxarray.open_rasterio(source, masked=True).squeeze("band", drop=True)
    assert dem.encoding["dtype"] == "int16" and "STATISTICS_MEAN" in dem.attrs
    spread = ps.local_std(dem, 3, axes=("y", "x"), nan_policy="omit")
    assert spread.encoding == {} and "STATISTICS_MEAN" not in spread.attrs and spread.attrs["units"] == "m"
    spread.rio.to_raster(tmp_path / "s.tif")
    back = rioxarray.open_rasterio(tmp_path / "s.tif").squeeze("band", drop=True)
    assert back.dtype == np.float32
    expected = ps.local_std(dem.values, 3, nan_policy="omit")
    np.testing.assert_allclose(back.values, expected, rtol=1e-6)
    assert np.abs(expected - np.round(expected)).max() > 0.1  # the fractions a stored int16 would have lost
    assert back.rio.crs == dem.rio.crs and back.rio.transform() == dem.rio.transform()
    coarse = ps.block_reduce(dem, 2)
    assert "STATISTICS_MEAN" not in coarse.attrs and coarse.encoding == {}


def test_band_time_and_channel_dimensions_are_not_windowed_unless_named(tmp_path, geotiff_writer):
    """Issue 28: local_std(open_rasterio(six-band scene), 5) used a 5 x 5 x 5 window across the bands."""
    import rioxarray

    bands = np.random.default_rng(6).integers(0, 255, (6, 30, 40)).astype(np.uint8)
    scene = rioxarray.open_rasterio(geotiff_writer(tmp_path / "L7.tif", bands))
    per_band = np.stack([ps.local_std(b, 5) for b in bands])
    np.testing.assert_array_equal(ps.local_std(scene, 5).values, per_band)
    np.testing.assert_array_equal(ps.local_std(scene, (1, 5, 5)).values, per_band)  # the full size, as before
    across = ps.local_std(scene, 5, axes=("band", "y", "x")).values
    np.testing.assert_array_equal(across, ps.local_std(bands, 5))
    assert not np.array_equal(across, per_band)
    movie = xr.DataArray(bands.astype(np.float32), dims=("y", "x", "time"))  # the kept dimension may come last
    np.testing.assert_array_equal(ps.local_median(movie, 3).values, ps.local_median(movie.values, 3, axes=(0, 1)))
    series = xr.DataArray(np.arange(10.0), dims=("time",))  # nothing else to window: time is windowed
    np.testing.assert_array_equal(ps.local_mean(series, 3).values, ps.local_mean(np.arange(10.0), 3))
    coarse = ps.block_reduce(scene, 2)
    assert coarse.shape == (6, 15, 20)
    np.testing.assert_array_equal(coarse.values, ps.block_reduce(bands, (1, 2, 2)))
    np.testing.assert_array_equal(ps.block_reduce(scene, 2, axes="x").values, ps.block_reduce(bands, (1, 1, 2)))
