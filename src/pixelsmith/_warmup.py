"""Compile every kernel ahead of time, into numba's on-disk cache (issue 26).

pixelsmith ships machine code for its kernels (``_kernels/prebuilt.zip``,
compiled for x86-64-v3), so on most machines a first call loads instead of
compiling. What the archive cannot serve (another numba or Python version, a
CPU without AVX2, an ARM machine, an uncommon dtype) numba compiles on the
first call and caches on disk. `warmup` pays that up front, in parallel
processes, by running each public function on a small input in the dtypes
that matter; ``native=True`` compiles everything for this machine's own CPU
instead of loading the portable code. Run it where the cache outlives the
process: a Docker image, a cluster node or worker image, a CI cache
(``NUMBA_CACHE_DIR`` names the folder; by default numba writes beside the
installed package, or in ``~/.cache`` when that is read-only).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

__all__ = ["WARMUP_GROUPS", "warmup"]

# image dtypes compiled for: float32 and float64 (computed as themselves), and the integer images that
# scientific files hold (8- and 16-bit cameras and scanners, 16-bit signed CT and DEMs, 32-bit label
# images and counts)
_IMAGE_DTYPES = (np.float32, np.float64, np.uint8, np.uint16, np.int16, np.int32)
# integer dtypes that the block, stack, aperture and histogram kernels read as they are (a cast would be
# an image-sized copy): compiled too, so their first call loads (it compiled for 1-2.3 s); the local_*
# family casts them at its gate
_RARE_INTEGERS = (np.int8, np.uint32, np.int64, np.uint64)


def _rare_integer_images() -> Iterator[np.ndarray]:
    base = np.random.default_rng(0).random((64, 64)) * 100
    for dtype in _RARE_INTEGERS:
        yield base.astype(dtype)


def _images(shapes=((40, 48), (256, 260))):
    """Each dtype at two sizes: small images take the tiling engine, large ones the fused one-pass kernels."""
    rng = np.random.default_rng(0)
    for shape in shapes:
        base = rng.random(shape)
        for dtype in _IMAGE_DTYPES:
            yield base.astype(dtype) if np.dtype(dtype).kind == "f" else (base * 200).astype(dtype)


def _box_moments() -> None:
    import pixelsmith as ps

    for image in _images():
        for size in (3, 15):  # direct sums and Gil-Werman blocks
            ps.local_mean(image, size)
            ps.local_sum(image, size)
        ps.local_mean(image, 5, dtype=np.float32)
    ps.local_count(np.ones((40, 48), bool), 3)


def _box_variance() -> None:
    import pixelsmith as ps

    for image in _images():
        for size in (3, 15):
            ps.local_std(image, size)
            ps.local_var(image, size)


def _box_extremes() -> None:
    import pixelsmith as ps

    for image in _images():
        for size in (3, 15):
            ps.local_max(image, size)
            ps.local_min(image, size, dtype=image.dtype)
        ps.local_range(image, 5)


def _footprints() -> None:
    import pixelsmith as ps

    yy, xx = np.mgrid[-3:4, -3:4]
    disk = yy**2 + xx**2 <= 9
    for image in _images():
        ps.local_max(image, footprint=disk)
        ps.local_min(image, footprint=disk, dtype=image.dtype)
        ps.local_mean(image, footprint=disk)
        ps.local_std(image, footprint=disk)


def _medians() -> None:
    import pixelsmith as ps

    for image in _images():
        for size in (3, 5, 7, 9):  # comparator networks (3, 5), sorted windows (7), ranks counted (9: 81 values)
            ps.local_median(image, size)
            ps.local_median(image, size, dtype=image.dtype)
        ps.local_percentile(image, 90, 5)
    signed_bytes = (np.random.default_rng(0).random((256, 260)) * 200 - 100).astype(np.int8)  # byte histograms
    ps.local_median(signed_bytes, 7)
    ps.local_median(signed_bytes, 7, dtype=np.int8)
    labels = (np.random.default_rng(0).random((40, 48)) * 5).astype(np.int16)
    ps.local_majority(labels, 5)
    ps.local_variety(labels, 5)
    # the engine's rank kernels take float64 tiles of the data's own rank: signals and volumes (CT,
    # microscopy stacks) are kernels of their own; a first 3-D median compiled for 5-7 s
    for data in (np.random.default_rng(0).random(300), np.random.default_rng(0).random((12, 14, 16))):
        for size in (3, 7):
            ps.local_median(data, size)
        ps.local_percentile(data, 90, 3)
        ps.local_range(data, 3)
        ps.local_majority((data * 5).astype(np.int16), 3)
        ps.local_variety((data * 5).astype(np.int16), 3)
    for image in (np.zeros(50), np.zeros((40, 48)), np.zeros((6, 8, 10))):  # local_apply's window kernel,
        ps.local_apply(image, _spread, 3)  # one per block rank, whatever the user's function (a callback)


def _spread(values: np.ndarray) -> float:
    return values.max() - values.min()


def _nan_aware() -> None:
    import pixelsmith as ps

    for image in _images():
        if image.dtype.kind != "f":
            continue
        gappy = image.copy()
        gappy[3, 4] = np.nan
        for stat in (ps.local_mean, ps.local_std, ps.local_max, ps.local_median):
            stat(gappy, 5, nan_policy="omit")
            stat(gappy, 5)


def _blocks_and_stacks() -> None:
    import pixelsmith as ps

    for image in _images(((64, 64),)):  # Fortran-ordered images (MATLAB files, nibabel, transposes)
        ps.block_reduce(np.asfortranarray(image), 4)
    ps.density_map(np.asfortranarray(np.ones((40, 48), bool)), 8)
    for image in (*_images(), *_rare_integer_images()):
        ps.block_reduce(image, 4)
        ps.block_reduce(image, 4, "max")
        ps.block_reduce(image, 7)  # blocks that do not divide the image: a strided view of its whole blocks
    ps.density_map(np.ones((40, 48), bool), 8)
    ps.density_map(np.ones((45, 50), bool), 8)
    for dtype in (np.float32, np.float64, np.uint16, np.uint8, np.int16, np.int32, *_RARE_INTEGERS):
        frames = (np.random.default_rng(0).random((3, 16, 16)) * 100).astype(dtype)
        stats = ps.StackStats()
        for frame in frames:  # finite frames: the count-free kernel
            stats.add(frame)
        stats.add_many(frames)  # chunks: per-pixel counts
        stats.add_many(np.moveaxis(frames, 0, -1), axis=-1)  # frames along the last axis: a strided view
        stats.std()


def _sources() -> None:
    import pixelsmith as ps

    stars = ps.datasets.star_field((96, 96), 8)
    for image in (stars.image, stars.image.astype(np.float64)):
        peaks = ps.find_peaks(image, nsigma=5, min_distance=3, sigma=1.5, subpixel=True)
        for view in (image[:, 5:90], image.T):  # a cut-out and a transposed image reach the kernels as views
            ps.find_peaks(view)
        ps.aperture_sums(image, peaks.coords, 3.0, annulus=(5, 7))
        ps.robust_noise(image)
    for dtype in (np.float32, np.float64):
        series = np.array([1.0, 2.0, 3.0, 2.0, 1.0, 4.0, 1.0], dtype)
        ps.find_peaks(series)
        ps.find_peaks(series, min_distance=2)
    for image in (*_images(((64, 64),)), *_rare_integer_images(), np.ones((64, 64), bool)):
        ps.aperture_sums(image, [[30.0, 30.0]], 3.0)  # counts and integer images as they are
    for image in _images(((64, 64),)):  # Fortran-ordered images and cut-outs reach the kernel as they are
        ps.aperture_sums(np.asfortranarray(image), [[30.0, 30.0]], 3.0)
        ps.aperture_sums(image[::2, 1:], [[20.0, 20.0]], 3.0)
    ps.cluster_center(np.random.default_rng(0).normal(2.0, 0.3, (200, 2)))


def _stamps() -> None:
    import pixelsmith as ps

    psf = ps.datasets.gaussian_psf(9, 1.5)
    for dtype in (np.float32, np.float64):
        field = np.zeros((64, 64), dtype)
        ps.add_stamp(field, psf.astype(dtype), (20.4, 30.6))
        ps.add_stamps(field, psf.astype(dtype), np.array([[10.2, 12.7], [40.5, 33.3]]), weights=np.ones(2))
        ps.add_stamp(field, psf.astype(dtype), (30.5, 30.0), zoom=2.0, rotation=30, order="lanczos3")


def _images_and_pictures() -> None:
    import pixelsmith as ps

    for image in _rare_integer_images():
        ps.equalize_hist(image)
    for image in _images(((64, 64),)):
        ps.equalize_hist(image)
        ps.ncc(image, image[10:20, 12:24])
        if image.dtype.kind == "f":
            ps.ncc(image.T, image[10:20, 12:24])  # a transposed (Fortran-ordered) image
    gappy = np.random.default_rng(0).random((48, 48))
    gappy[20:24, 20:24] = np.nan
    for method in ("harmonic", "biharmonic", "nearest", "gaussian"):
        ps.fill_nans(gappy, method=method)
    for image in (gappy, gappy.astype(np.float32)):
        ps.fill_nans(np.asfortranarray(image))  # Fortran-ordered (MATLAB files, nibabel, transposes)
    ps.outline_paths(gappy > 0.5)
    ps.masked_stats(np.ones((16, 16, 3), np.uint8), np.ones((16, 16), bool))
    from matplotlib import colormaps

    shot = (colormaps["jet"](np.linspace(0, 1, 100).reshape(10, 10))[..., :3] * 255).astype(np.uint8)
    ps.invert_colormap(shot, "jet", vmin=-20, vmax=120)
    page = ps.datasets.synthetic_page()
    ps.document.page_blocks(page.image)


def _xrays() -> None:
    import dataclasses

    from . import xray

    head = xray.phantom((24, 24, 24), (2.0, 2.0, 2.0))
    in_hu = dataclasses.replace(head, data=head.data * 5000.0 - 1000.0, units="hu")  # as read from DICOM
    view = xray.Geometry.c_arm(head, sid=600, sdd=1000, angle=30, shape=(16, 16), pixel_spacing=2.5)
    for volume in (head, in_hu):
        for method in ("joseph", "siddon", "trilinear"):
            xray.drr(volume, view, method=method)


# one group per family of kernels: a group runs in one process, so no two processes compile the same
# kernel at once (numba's cache index is written whole by the process that compiled last); the slowest
# first, so that the last process to finish is not one that started late
WARMUP_GROUPS: dict[str, Callable[[], None]] = {
    "box variance": _box_variance,
    "medians and ranks": _medians,
    "box mean and sum": _box_moments,
    "box min and max": _box_extremes,
    "NaN-aware windows": _nan_aware,
    "footprints": _footprints,
    "blocks and stacks": _blocks_and_stacks,
    "peaks and apertures": _sources,
    "stamps": _stamps,
    "images and pictures": _images_and_pictures,
    "simulated X-rays": _xrays,
}


def _run_group(name: str) -> str:
    """Run one group (in a worker process); PixelsmithWarnings of the tiny inputs are expected."""
    import warnings

    from ._validate import PixelsmithWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PixelsmithWarning)
        WARMUP_GROUPS[name]()
    return name


@contextlib.contextmanager
def _prebuilt_switched_off(off: bool) -> Iterator[None]:
    """While the worker processes start, tell them (their environment) to skip the shipped code."""
    from ._kernels._prebuilt import SWITCH

    before = os.environ.get(SWITCH)
    if off:
        os.environ[SWITCH] = "0"
    try:
        yield
    finally:
        if off and before is None:
            os.environ.pop(SWITCH, None)
        elif off:
            os.environ[SWITCH] = before


def warmup(
    groups: list[str] | None = None,
    *,
    processes: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    native: bool = False,
) -> list[str]:
    """Compile pixelsmith's kernels into numba's on-disk cache ahead of the first real call.

    Each group of kernels (box moments, medians, DRR, ...) runs its public
    functions on small inputs, in the dtypes that matter (float32, float64,
    uint8, uint16, int16, int32; int8, uint32, int64 and uint64 where a
    kernel reads them as they are), in its own process; afterwards a new process's
    first call loads machine code from the cache instead of compiling.

    Parameters
    ----------
    groups : list of str, optional
        Which families to compile; default: all of them ('box variance',
        'medians and ranks', 'box mean and sum', 'box min and max',
        'NaN-aware windows', 'footprints', 'blocks and stacks', 'peaks and
        apertures', 'stamps', 'images and pictures', 'simulated X-rays'), also
        listed in ``warmup.groups``.
    processes : int, optional
        Worker processes; default: the number of CPUs (at most the number of
        groups). 1 runs the groups in this process.
    progress : callable, optional
        Called as ``progress(done, total, name)`` after each group finishes.
    native : bool, default False
        Compile for this machine's CPU even where the shipped portable code
        (x86-64-v3) would load; numba's cache then serves the native code
        first. Always runs in worker processes, which skip the shipped code.

    Returns
    -------
    list of str
        The groups compiled, in the order they finished.

    Examples
    --------
    >>> import pixelsmith as ps
    >>> ps.warmup(["blocks and stacks"], processes=1)
    ['blocks and stacks']
    """
    from ._validate import PixelsmithValueError

    names = list(WARMUP_GROUPS) if groups is None else list(groups)
    unknown = [n for n in names if n not in WARMUP_GROUPS]
    if unknown:
        raise PixelsmithValueError(f"`groups` has unknown names {unknown}; choose from {sorted(WARMUP_GROUPS)}")
    if processes is not None and processes < 1:
        raise PixelsmithValueError(f"`processes` must be at least 1, got {processes}")
    workers = min(processes or os.cpu_count() or 1, max(len(names), 1))
    done: list[str] = []
    if workers == 1 and not native:
        for name in names:
            done.append(_run_group(name))
            if progress is not None:
                progress(len(done), len(names), name)
        return done
    # fresh interpreters ("spawn"): a forked child would inherit this process's numba threads and listeners
    context = multiprocessing.get_context("spawn")
    with _prebuilt_switched_off(native), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_run_group, name) for name in names]
        for future in as_completed(futures):
            done.append(future.result())
            if progress is not None:
                progress(len(done), len(names), done[-1])
    return done


warmup.groups = tuple(WARMUP_GROUPS)  # type: ignore[attr-defined]  # the family names, for tools and the CLI
