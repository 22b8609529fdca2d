"""Raster and image I/O: georeferencing kept, nodata as NaN, lazy reads, atomic writes."""

from __future__ import annotations

import os

import dask.array as da
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

import pixelsmith as ps
from pixelsmith import PixelsmithTypeError, PixelsmithValueError
from pixelsmith.io import read_image, read_raster, write_image, write_raster

TRANSFORM = from_origin(512345.0, 4987654.0, 30.0, 20.0)


@pytest.fixture
def geotiff(tmp_path, rng, geotiff_writer):
    data = (500 + 10 * rng.normal(size=(70, 90))).astype(np.float32)
    data[5:9, 7:12] = -9999
    path = geotiff_writer(
        tmp_path / "dem.tif", data, transform=TRANSFORM, nodata=-9999, band_names=["elevation"], tags={"source": "test"}
    )
    return path, data


def test_read_raster_keeps_georeferencing_and_nodata(geotiff):
    path, data = geotiff
    r = read_raster(path)
    assert r.crs.to_epsg() == 32633 and r.transform == TRANSFORM and r.nodata == -9999
    assert r.band_names == ("elevation",) and r.tags["source"] == "test"
    assert r.data.dtype == np.float32
    assert np.isnan(r.data[5:9, 7:12]).all() and np.isnan(r.data).sum() == 20
    assert (~r.mask).sum() == 20
    np.testing.assert_array_equal(r.data[~np.isnan(r.data)], data[data != -9999])


def test_chunked_read_is_lazy_and_equal(geotiff):
    path, _ = geotiff
    lazy = read_raster(path, chunks=32)
    assert isinstance(lazy.data, da.Array) and lazy.data.chunks[0] == (32, 32, 6)
    np.testing.assert_array_equal(lazy.data.compute(), read_raster(path).data)


def test_integer_raster_with_nodata_becomes_float(tmp_path):
    path = tmp_path / "int.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=3,
        count=2,
        dtype="uint16",
        crs="EPSG:4326",
        transform=from_origin(10, 50, 0.1, 0.1),
        nodata=0,
    ) as dst:
        dst.write(np.arange(24, dtype=np.uint16).reshape(2, 3, 4))
    r = read_raster(path)
    assert r.data.shape == (2, 3, 4) and r.data.dtype == np.float32 and np.isnan(r.data[0, 0, 0])
    assert read_raster(path, band=2).data.shape == (3, 4)


def test_write_raster_roundtrip_like(geotiff, tmp_path):
    path, _ = geotiff
    src = read_raster(path)
    out = tmp_path / "out.tif"
    write_raster(out, src.data * 2, like=src)
    back = read_raster(out)
    assert back.crs == src.crs and back.transform == src.transform and back.nodata == -9999
    assert back.band_names == ("elevation",)
    np.testing.assert_array_equal(back.data, src.data * 2)
    with rasterio.open(out) as ds:  # NaN went to disk as the nodata value
        assert (ds.read(1) == -9999).sum() == 20


def test_write_raster_streams_dask_blocks(geotiff, tmp_path):
    path, _ = geotiff
    lazy = read_raster(path, chunks=(16, 40))
    seen = []
    out = write_raster(
        tmp_path / "lazy.tif", lazy.data + 1, like=lazy, progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (len(seen), len(seen)) and len(seen) == lazy.data.npartitions
    np.testing.assert_array_equal(read_raster(out).data, read_raster(path).data + 1)


def test_write_raster_sizes_gdal_cache_in_bytes_and_writes_alone(geotiff, tmp_path, monkeypatch):
    # rasterio passes GDAL_CACHEMAX to GDALSetCacheMax64 as given: 128 meant 128 bytes, every block a flush,
    # and flushes from the pool's reading threads raced the writer (tiles read back as nodata)
    from rasterio.env import get_gdal_config

    from pixelsmith.io._gdal_access import GDAL_ACCESS, WRITE_CACHE_BYTES

    path, _ = geotiff
    lazy = read_raster(path, chunks=16)
    cache_sizes, exclusive = [], []
    original = rasterio.io.DatasetWriter.write

    def watched_write(self, *args, **kwargs):
        exclusive.append(GDAL_ACCESS._writing and GDAL_ACCESS._readers == 0)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetWriter, "write", watched_write)
    out = write_raster(
        tmp_path / "out.tif",
        lazy.data * 2,
        like=lazy,
        progress=lambda done, total: cache_sizes.append(get_gdal_config("GDAL_CACHEMAX")),
    )
    assert set(cache_sizes) == {WRITE_CACHE_BYTES} and len(cache_sizes) == lazy.data.npartitions
    assert WRITE_CACHE_BYTES >= 64 * 2**20  # room for hundreds of 256 x 256 float32 tiles
    assert len(exclusive) == lazy.data.npartitions and all(exclusive)
    np.testing.assert_array_equal(read_raster(out).data, read_raster(path).data * 2)


def test_gdal_access_lock_lets_reads_overlap_and_writes_wait():
    import threading

    from pixelsmith.io._gdal_access import _SharedExclusiveLock

    lock = _SharedExclusiveLock()
    events = []
    first_reader_in, release_reader = threading.Event(), threading.Event()

    def reader(name, hold):
        with lock.shared():
            events.append(f"{name} in")
            if hold:
                first_reader_in.set()
                release_reader.wait(5)
            events.append(f"{name} out")

    def writer():
        with lock.exclusive():
            events.append("writer in")
            events.append("writer out")

    held = threading.Thread(target=reader, args=("r1", True))
    held.start()
    assert first_reader_in.wait(5)
    overlapping = threading.Thread(target=reader, args=("r2", False))
    overlapping.start()
    overlapping.join(5)
    assert events == ["r1 in", "r2 in", "r2 out"]  # readers share
    waiting_writer = threading.Thread(target=writer)
    waiting_writer.start()
    while not lock._writers_waiting:
        threading.Event().wait(0.001)
    late_reader = threading.Thread(target=reader, args=("r3", False))
    late_reader.start()
    threading.Event().wait(0.05)
    assert events[-1] == "r2 out"  # the writer waits for r1, and r3 waits behind the writer
    release_reader.set()
    for t in (held, waiting_writer, late_reader):
        t.join(5)
    assert events[3:] == ["r1 out", "writer in", "writer out", "r3 in", "r3 out"]


def test_lazy_raster_refuses_a_file_replaced_since_it_was_opened(tmp_path):
    path = tmp_path / "a.tif"
    write_raster(path, np.zeros((40, 40), np.float32), transform=TRANSFORM, crs="EPSG:32633")
    before = read_raster(path, chunks=16)
    assert read_raster(path, chunks=16).data.name == before.data.name  # same file, same dask keys
    opened = path.stat().st_mtime_ns
    write_raster(path, np.ones((40, 40), np.float32), transform=TRANSFORM, crs="EPSG:32633")
    later = max(path.stat().st_mtime_ns, opened + 10**7)  # a replacement lands a clock tick or more later
    os.utime(path, ns=(later, later))
    after = read_raster(path, chunks=16)
    assert after.data.name != before.data.name
    assert float(after.data.sum().compute()) == 1600.0
    with pytest.raises(PixelsmithValueError, match="changed since it was opened"):
        (after.data - before.data).compute()
    stamp = path.stat().st_mtime_ns
    with open(path, "r+b") as rewritten:  # rewritten in place (same inode and size): a byte changed
        rewritten.seek(-1, 2)
        last = rewritten.read(1)
        rewritten.seek(-1, 2)
        rewritten.write(bytes([last[0] ^ 1]))
    os.utime(path, ns=(stamp + 10**7, stamp + 10**7))  # later, as a real rewrite is (not within one clock tick)
    with pytest.raises(PixelsmithValueError, match="changed since it was opened"):
        after.data.compute()


def test_write_raster_failure_leaves_no_file(geotiff, tmp_path, disk_full_on_write):
    path, _ = geotiff
    lazy = read_raster(path, chunks=16)
    disk_full_on_write(3)
    with pytest.raises(OSError, match="No space"):
        write_raster(tmp_path / "full.tif", lazy.data, like=lazy)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dem.tif"]


def test_read_raster_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_raster(tmp_path / "missing.tif")
    bad = tmp_path / "bad.tif"
    bad.write_text("not a raster")
    with pytest.raises(PixelsmithValueError, match="not a raster"):
        read_raster(bad)
    plain = tmp_path / "plain.tif"
    write_image(plain, np.zeros((8, 8), np.float32))
    with pytest.raises(PixelsmithValueError, match="no georeferencing"):
        read_raster(plain)
    assert read_raster(plain, require_georeferencing=False).data.shape == (8, 8)
    good = tmp_path / "good.tif"
    write_raster(good, np.zeros((4, 4), np.float32), transform=TRANSFORM, crs="EPSG:32633")
    with pytest.raises(PixelsmithValueError, match="`band` must be between 1 and 1"):
        read_raster(good, band=2)


@pytest.mark.parametrize("suffix, dtype", [(".png", np.uint8), (".tif", np.float32), (".npy", np.float64)])
def test_image_roundtrip(tmp_path, suffix, dtype, rng):
    a = (rng.random((12, 10)) * 200).astype(dtype)
    path = write_image(tmp_path / f"a{suffix}", a)
    np.testing.assert_array_equal(read_image(path), a)


def test_image_errors(tmp_path):
    with pytest.raises(PixelsmithValueError, match="unsupported format '.xyz'"):
        read_image(tmp_path / "a.xyz")
    with pytest.raises(PixelsmithTypeError, match="8- or 16-bit"):
        write_image(tmp_path / "a.png", np.zeros((3, 3)))
    with pytest.raises(FileNotFoundError):
        read_image(tmp_path / "missing.png")
    assert not list(tmp_path.iterdir())


def test_outputs_get_normal_permissions(tmp_path):
    import os
    import stat

    umask = os.umask(0o022)
    try:
        path = write_image(tmp_path / "p.npy", np.zeros(3))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("damage", ["png-chunk", "tiff-truncated"])
def test_a_damaged_image_is_named_with_what_is_wrong(tmp_path, damage):
    """Issue 27: a corrupt PNG gave 'unexpected SyntaxError: broken PNG file', a truncated TIFF 'Error -5'."""
    import tifffile
    from typer.testing import CliRunner

    from pixelsmith.cli import app
    from pixelsmith.io import read_image, write_image

    if damage == "png-chunk":
        write_image(tmp_path / "ok.png", np.zeros((20, 20), np.uint8))
        raw = (tmp_path / "ok.png").read_bytes()
        path = tmp_path / "bad.png"
        path.write_bytes(raw[:40] + b"\x00" * 20 + raw[60:])
    else:
        tifffile.imwrite(tmp_path / "ok.tif", np.random.default_rng(0).random((200, 200)), compression="zlib")
        raw = (tmp_path / "ok.tif").read_bytes()
        path = tmp_path / "bad.tif"
        path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(
        PixelsmithValueError, match="could not be read as .* \\(damaged or not that format\\)"
    ) as caught:
        read_image(path)
    assert str(path) in str(caught.value)
    result = CliRunner().invoke(app, ["equalize", str(path), str(tmp_path / "eq.tif"), "-q"])
    assert result.exit_code != 0 and "unexpected" not in result.output and "damaged" in result.output


def test_read_page_renders_pdf_pages_without_poppler(tmp_path):
    """Issue 30: document commands needed poppler's pdftoppm for a PDF; pypdfium2 is a plain wheel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from pixelsmith.datasets import synthetic_page
    from pixelsmith.io import read_page

    page = synthetic_page((300, 240), seed=1).image
    path = tmp_path / "scan.pdf"
    with PdfPages(path) as pdf:
        for image in (page, 255 - page):
            figure = plt.figure(figsize=(2.4, 3.0), dpi=100)
            figure.figimage(image, cmap="gray", vmin=0, vmax=255)
            pdf.savefig(figure, dpi=100)
            plt.close(figure)
        red = plt.figure(figsize=(1, 1))
        red.patch.set_facecolor((1.0, 0.0, 0.0))
        pdf.savefig(red, facecolor=(1.0, 0.0, 0.0))
        plt.close(red)
    first = read_page(path, dpi=100)
    assert first.dtype == np.uint8 and first.ndim == 2 and abs(first.shape[0] - 300) <= 1
    overlap = first[:300, :240].astype(int)
    assert np.mean(np.abs(overlap - page[: overlap.shape[0], : overlap.shape[1]])) < 8  # the scan, as drawn
    second = read_page(path, page=2, dpi=100)
    assert np.mean(np.abs(second[:300, :240].astype(int) - (255 - page[: second.shape[0], :240]))) < 8
    assert read_page(path, page=2, dpi=200).shape[0] == pytest.approx(600, abs=2)
    np.testing.assert_array_equal(read_page(path, page=3, dpi=20, color=True)[5, 5], [255, 0, 0])  # RGB, not BGR
    with pytest.raises(ps.PixelsmithValueError, match=r"`page` 4 .* 3 page\(s\)"):
        read_page(path, page=4)
    with pytest.raises(ps.PixelsmithValueError, match="`dpi`"):
        read_page(path, dpi=0)
    with pytest.raises(ps.PixelsmithValueError, match="`dpi`"):
        read_page(path, dpi=1e6)  # refused before rendering gigapixels
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ps.PixelsmithValueError, match="broken.pdf.*could not be read as PDF"):
        read_page(broken)
    png = tmp_path / "page.png"
    ps.io.write_image(png, page)
    np.testing.assert_array_equal(read_page(png), page)
    with pytest.raises(ps.PixelsmithValueError, match="`page` 2"):
        read_page(png, page=2)
