"""pixelsmith.io.map_raster: the public out-of-core entry point the CLI's --chunks path uses (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest
from rasterio.transform import from_origin

import pixelsmith as ps
from pixelsmith import PixelsmithError, PixelsmithValueError
from pixelsmith.io import map_raster, read_raster, write_raster


@pytest.fixture
def dem(tmp_path, rng):
    values = (1000 + rng.normal(size=(150, 130)).cumsum(axis=0)).astype(np.float32)
    values[40:44, 50:60] = -9999.0
    path = tmp_path / "dem.tif"
    write_raster(path, values, transform=from_origin(500000, 4e6, 30, 30), crs="EPSG:32633", nodata=-9999.0)
    return path


@pytest.mark.parametrize(
    "func",
    [
        lambda a: ps.local_std(a, 5, nan_policy="omit"),
        lambda a: ps.local_median(a, footprint=np.ones((3, 5), bool), mode="wrap"),
        lambda a: ps.local_max(a, 7, mode="constant", cval=0.1),
    ],
    ids=["std", "median-wrap", "max-constant"],
)
def test_window_statistics_stream_from_the_file_and_equal_memory(dem, tmp_path, func, monkeypatch):
    import pixelsmith.local._dask as dask_layer

    reads = []
    real = dask_layer.map_window_reader
    monkeypatch.setattr(dask_layer, "map_window_reader", lambda *a, **k: reads.append(1) or real(*a, **k))
    out = tmp_path / "out.tif"
    map_raster(func, dem, out, chunks=48)
    assert reads, "a window statistic of a lazily read raster reads block + halo from the file"
    whole = read_raster(dem)
    np.testing.assert_array_equal(read_raster(out).data, func(whole.data))
    assert read_raster(out).transform == whole.transform and read_raster(out).crs == whole.crs


def test_block_reductions_get_the_coarser_transform(dem, tmp_path):
    out = tmp_path / "coarse.tif"
    map_raster(lambda a: ps.block_reduce(a, (5, 10), "mean"), dem, out, chunks=64)
    coarse = read_raster(out)
    assert coarse.data.shape == (30, 13)
    assert (coarse.transform.a, coarse.transform.e) == (300, -150) and coarse.transform.c == 500000
    np.testing.assert_allclose(coarse.data, ps.block_reduce(read_raster(dem).data, (5, 10)), equal_nan=True)


def test_unclear_results_are_refused(dem, tmp_path):
    with pytest.raises(PixelsmithError, match="block="):
        map_raster(lambda a: a[:1, :1], dem, tmp_path / "a.tif")
    with pytest.raises(PixelsmithError, match="`func` must return"):
        map_raster(lambda a: float(a.sum()), dem, tmp_path / "b.tif")
    assert not (tmp_path / "a.tif").exists() and not (tmp_path / "b.tif").exists()


@pytest.mark.parametrize("chunks", [1, (4, 2048), (2048, 8)])
def test_chunks_too_small_to_pay_for_their_tasks_are_refused_with_the_count(dem, tmp_path, chunks):
    """Issue 27: chunks=1 on a 150 x 130 raster ran for minutes; the CLI's --chunks minimum is the same rule."""
    from expect import raises_naming, time_limit

    with time_limit(10), raises_naming(PixelsmithValueError, "chunks") as caught:
        map_raster(lambda a: ps.local_mean(a, 3), dem, tmp_path / "out.tif", chunks=chunks)
    assert "tasks for a 150 x 130 raster" in str(caught.value)
    assert not (tmp_path / "out.tif").exists()


def test_a_chunk_larger_than_a_small_raster_is_one_task(tmp_path):
    path = tmp_path / "tiny.tif"
    write_raster(path, np.ones((10, 12), np.float32), transform=from_origin(0, 100, 10, 10), crs="EPSG:32633")
    map_raster(lambda a: ps.local_mean(a, 3), path, tmp_path / "out.tif", chunks=5000)
    np.testing.assert_array_equal(read_raster(tmp_path / "out.tif").data, np.ones((10, 12), np.float32))
