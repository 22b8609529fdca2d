import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def disk_full_on_write(monkeypatch):
    """Make the n-th rasterio block write fail with ENOSPC (a full disk); call it with n."""
    import errno

    import rasterio

    original = rasterio.io.DatasetWriter.write

    def arm(n: int) -> None:
        calls = {"n": 0}

        def write(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == n:
                raise OSError(errno.ENOSPC, "No space left on device")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(rasterio.io.DatasetWriter, "write", write)

    return arm


@pytest.fixture
def answered(monkeypatch):
    """``record = answered(module, "name")``: wraps ``module.name`` so that each call appends whether it
    answered (returned something other than None), for tests that a fast path really ran."""

    def wrap(module, name):
        record = []
        real = getattr(module, name)

        def spy(*args):
            result = real(*args)
            record.append(result is not None)
            return result

        monkeypatch.setattr(module, name, spy)
        return record

    return wrap


def write_geotiff(path, data, *, transform=None, crs="EPSG:32633", nodata=None, band_names=(), tags=None):
    """Write `data` ((rows, cols) or (bands, rows, cols)) as a GeoTIFF through rasterio itself, not through
    pixelsmith's writer, so reader tests do not lean on the code they test. Returns `path`."""
    import rasterio
    from rasterio.transform import from_origin

    data = np.asarray(data)
    stack = data[None] if data.ndim == 2 else data
    profile = dict(
        driver="GTiff",
        width=stack.shape[2],
        height=stack.shape[1],
        count=stack.shape[0],
        dtype=stack.dtype.name,
        crs=crs,
        transform=transform if transform is not None else from_origin(500000, 4000000, 10, 10),
        nodata=nodata,
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(stack)
        for band, name in enumerate(band_names, 1):
            dst.set_band_description(band, name)
        if tags:
            dst.update_tags(**tags)
    return path


@pytest.fixture
def geotiff_writer():
    """The `write_geotiff` helper, as a fixture for the tests that make GeoTIFF inputs."""
    return write_geotiff
