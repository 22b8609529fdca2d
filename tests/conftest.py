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
