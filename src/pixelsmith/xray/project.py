"""Digitally reconstructed radiographs: cone-beam and parallel projections of a Volume."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .._kernels import drr as _k
from .._kernels import render as _kr
from .._parallel import run_each, run_in_ranges
from .._validate import (
    WHOLE_PICTURE,
    PixelsmithTypeError,
    PixelsmithValueError,
    all_finite,
    as_image_array,
    check_allocation,
    check_choice,
    check_finite_scalar,
    check_positive_int,
)
from .._xarray import labelled
from ..types import ArrayLike, DrrMethod, DrrOutput
from ..volume import Volume
from .geometry import Detector, Geometry
from .physics import hu_line

__all__ = ["drr", "drr_sweep", "project_parallel", "to_display"]


class _Attenuation(NamedTuple):
    """A volume as the projectors read it: float32 `values`, turned into mu by the line `to_mu`
    (scale, offset, floor; `_kernels.drr.as_mu`)."""

    values: np.ndarray
    to_mu: np.ndarray


_AS_IS = np.array([1.0, 0.0, -np.inf], np.float32)  # a volume already in mu: every value as it is


def _attenuation(volume: Volume, energy_kev: float, *, check_finite: bool = True) -> _Attenuation:
    """The volume's float32 values and their line to mu; with `check_finite`, refused when a mu is NaN or inf.

    An HU volume is not converted: the kernels apply `hu_to_mu`'s line, with
    its clip at 0, to each voxel they read (issue 31: converting a copy took
    30-40 % of a dense view's time, and doubled its memory).

    A single view skips the up-front check (a float64 pass over the whole
    volume, ~15 % of a dense view) and checks its projection instead: a NaN or
    inf voxel on any ray makes that ray non-finite (`_check_projection`).
    """
    if not isinstance(volume, Volume):
        raise PixelsmithTypeError(
            f"`volume` must be a pixelsmith.xray.Volume, got {type(volume).__name__}; use Volume.from_array(a, "
            "spacing) or read_dicom_series(folder)"
        )
    values = np.ascontiguousarray(volume.data, dtype=np.float32)
    if volume.units == "hu":
        scale, offset = hu_line(energy_kev, np.float32)
        mu = _Attenuation(values, np.array([scale, offset, 0.0], np.float32))
    else:
        mu = _Attenuation(values, _AS_IS)
    if check_finite and not all_finite(values):
        _refuse_non_finite(mu)
    return mu


def _refuse_non_finite(mu: _Attenuation) -> None:
    """Refuse a volume with voxels whose mu is NaN or inf (-inf HU is clipped to 0 mu, like -3000)."""
    scale, offset, floor = mu.to_mu
    bad = 0
    for plane in mu.values:  # a slice at a time: no volume-sized temporary
        as_mu = plane * scale + offset
        bad += int(np.count_nonzero(~np.isfinite(np.where(as_mu < floor, floor, as_mu))))
    if bad:
        raise PixelsmithValueError(
            f"`volume` has {bad} NaN or infinite voxels, which would turn every ray through them into NaN; "
            "replace them first (e.g. np.nan_to_num(data, nan=-1000.0) for HU padding, or pixelsmith.fill_nans)"
        )


def _check_projection(integrals: np.ndarray, mu: _Attenuation) -> np.ndarray:
    """`integrals`, after refusing the volume if a ray met a NaN or inf voxel (finite mu gives finite sums)."""
    if not all_finite(integrals):
        _refuse_non_finite(mu)
    return integrals


def _occupancy_for(mu: _Attenuation, method: str) -> np.ndarray:
    """The air-skipping block map for trilinear rays (empty when unused); computed once per volume."""
    if method == "trilinear" and min(mu.values.shape) >= 2:
        return _occupancy(mu)
    return np.zeros((0, 0, 0), np.bool_)


def _render(
    volume: Volume,
    mu: _Attenuation,
    detector: Detector,
    *,
    source: Any = None,
    direction: Any = None,
    method: str,
    step: float,
    supersample: int,
    progress: Callable[[int, int], None] | None,
    occupied: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    to_index = np.linalg.inv(volume.affine)[:3]
    rows, cols = detector.shape
    if out is None:
        # the image in float64, plus the caller's conversion (intensity or display) of the same size
        check_allocation(
            16.0 * rows * cols,
            "detector.shape",
            (rows, cols),
            "the projected image",
            "use a detector of at most a few thousand pixels a side",
        )
        out = np.empty((rows, cols))
    parallel = direction is not None
    extent = np.linalg.norm(np.asarray(volume.shape) * volume.spacing)
    reach = float(extent + np.linalg.norm(detector.center - volume.center))
    code = {"siddon": _kr.SIDDON, "trilinear": _kr.TRILINEAR, "joseph": _kr.JOSEPH}[method]
    src = np.zeros(3) if source is None else np.asarray(source, np.float64)
    dirv = np.zeros(3) if direction is None else np.asarray(direction, np.float64)
    bands = _bands(rows)

    if occupied is None:
        occupied = _occupancy_for(mu, method)

    def work(band: tuple[int, int]) -> None:
        _kr.render_band(
            mu.values,
            mu.to_mu,
            occupied,
            to_index,
            src,
            detector.center,
            detector.u,
            detector.v,
            rows,
            cols,
            band[0],
            band[1],
            parallel,
            dirv,
            reach,
            code,
            step,
            supersample,
            out,
        )

    run_each(bands, work, progress=progress)
    return out


BAND_ROWS = 16  # detector rows per kernel call; the kernel takes the band's rays in tiles of 16 columns
DEFAULT_STEP = 0.5  # voxels between trilinear samples


def _bands(rows: int) -> list[tuple[int, int]]:
    """(row0, row1) of each kernel call: bands of `BAND_ROWS` detector rows."""
    return [(r, min(r + BAND_ROWS, rows)) for r in range(0, rows, BAND_ROWS)]


def _occupancy(mu: _Attenuation) -> np.ndarray:
    """Blocks of `_k.BLOCK` voxels whose cells may read a non-zero mu.

    A cell in block q reads voxels up to the first voxel of block q + 1 along
    each axis, so a block counts as occupied when it or any of its +1
    neighbours (in any combination of axes) holds a non-zero voxel.
    """
    b = _k.BLOCK
    core = np.zeros(tuple(-(-n // b) for n in mu.values.shape), np.bool_)
    run_in_ranges(core.shape[0], lambda q0, q1: _k.nonzero_blocks(mu.values, mu.to_mu, q0, q1, core), minimum=2)
    shape = core.shape
    occupied = np.zeros_like(core)
    for d0 in (0, 1):
        for d1 in (0, 1):
            for d2 in (0, 1):
                occupied[: shape[0] - d0, : shape[1] - d1, : shape[2] - d2] |= core[d0:, d1:, d2:]
    return occupied


def _options(method: str, step: float | None, supersample: int, output: str, i0: float) -> tuple[float, int, float]:
    check_choice(method, "method", ("joseph", "siddon", "trilinear"))
    check_choice(output, "output", ("intensity", "line_integral"))
    if step is not None and method != "trilinear":
        raise PixelsmithValueError(
            f"`step` sets the sample spacing of method='trilinear' only, got step={step!r} with method={method!r} "
            "('joseph' samples once per volume plane, 'siddon' every voxel crossed); drop `step`, or pass "
            "method='trilinear'"
        )
    step = check_finite_scalar(DEFAULT_STEP if step is None else step, "step")
    if not 0 < step <= 1:
        raise PixelsmithValueError(f"`step` must be in (0, 1] voxels (at most one voxel between samples), got {step}")
    supersample = check_positive_int(supersample, "supersample")
    i0 = check_finite_scalar(i0, "i0")
    if i0 <= 0:
        raise PixelsmithValueError(f"`i0` must be > 0, got {i0}")
    return step, supersample, i0


def drr(
    volume: Volume,
    geometry: Geometry,
    *,
    output: DrrOutput = "intensity",
    i0: float = 1.0,
    energy_kev: float = 70.0,
    method: DrrMethod = "joseph",
    step: float | None = None,
    supersample: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """A perspective (cone-beam) X-ray image of `volume` as seen by `geometry`.

    Every ray runs from the source to a detector pixel centre, traced in the
    volume's voxel-index space through the inverse of its affine (so oblique
    DICOM orientations are honoured). Intensity follows Beer-Lambert,
    ``I = i0 exp(-integral of mu ds)``; rays that miss the volume give `i0`.

    Parameters
    ----------
    volume : Volume
        HU volumes are converted with `hu_to_mu` at `energy_kev`; 'mu' volumes are used as they are.
    geometry : Geometry
        Source and detector in the volume's patient mm.
    output : {'intensity', 'line_integral'}
    i0 : float
        Unattenuated intensity.
    energy_kev : float, default 70.0
        Effective photon energy in keV for the HU-to-mu conversion
        (`hu_to_mu`); unused for volumes already in 'mu'.
    method : {'joseph', 'trilinear', 'siddon'}, default 'joseph'
        'joseph': along the axis the ray advances most in voxel index (its
        major axis), one bilinear sample in every volume plane it crosses;
        between planes the integrand is the straight line through those
        samples, integrated exactly over the ray's part inside the volume
        (Joseph's projector; a uniform volume gives the exact chord). Half the
        voxel reads of trilinear at step 0.5 and no interpolation along the
        major axis: the fastest, and as accurate on smooth anatomy.
        'trilinear': trilinear samples every `step` voxels, trapezoid weights
        (half at the ends); blocks of 8^3 voxels where mu is exactly 0 are
        skipped, which leaves the sum unchanged. 'siddon': exact path lengths
        through every voxel crossed (Jacobs' incremental walk; ray parameters
        in float64). Samples are interpolated in float32 like the volume and
        summed in float64 (in a vectorised order: ~1e-15 relative). Siddon is
        exact for the voxel model, but along an array axis its error against
        the smooth object adds up coherently (it is the sum along that axis);
        the interpolating methods smooth that out.
    step : float, optional
        Sample spacing in voxels for 'trilinear' only (default 0.5; at most 1;
        0.5 or less avoids aliasing stripes). Refused with the other methods.
    supersample : int, default 1
        k x k rays per detector pixel, intensities averaged (use when detector
        pixels are coarser than the voxels).
    progress : callable, optional
        Called with (done, total) as bands of rows finish.

    Returns
    -------
    numpy.ndarray, detector shape, float64
        Intensities, or line integrals ``-log(I / i0)`` (dimensionless).

    Notes
    -----
    The default method is Joseph's projector [1]_: one bilinear sample in each volume plane a ray
    crosses. 'siddon' computes the exact path length through every voxel [2]_, by Jacobs'
    incremental walk [3]_.

    References
    ----------
    .. [1] P. M. Joseph, "An improved algorithm for reprojecting rays through pixel images", IEEE
           Transactions on Medical Imaging 1(3), 192-196 (1982). https://doi.org/10.1109/TMI.1982.4307572
    .. [2] R. L. Siddon, "Fast calculation of the exact radiological path for a three-dimensional CT
           array", Medical Physics 12(2), 252-255 (1985). https://doi.org/10.1118/1.595715
    .. [3] F. Jacobs, E. Sundermann, B. De Sutter, M. Christiaens and I. Lemahieu, "A fast algorithm to
           calculate the exact radiological path through a pixel or voxel space", Journal of Computing and
           Information Technology 6(1), 89-94 (1998).

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith.xray import Geometry, Volume, drr
    >>> cube = Volume.from_array(np.full((40, 40, 40), 0.02, np.float32), (1.0, 1.0, 1.0), units="mu")
    >>> view = Geometry.c_arm(cube, sid=500, sdd=800, shape=(64, 64), pixel_spacing=1.0)
    >>> image = drr(cube, view, output="line_integral")
    >>> round(float(image[31, 31]), 4)            # a central ray: 40 mm of mu = 0.02 / mm
    0.8
    """
    step, supersample, i0 = _options(method, step, supersample, output, i0)
    if not isinstance(geometry, Geometry):
        raise PixelsmithTypeError(f"`geometry` must be a pixelsmith.xray.Geometry, got {type(geometry).__name__}")
    mu = _attenuation(volume, energy_kev, check_finite=False)
    integrals = _render(
        volume,
        mu,
        geometry.detector,
        source=geometry.source,
        method=method,
        step=step,
        supersample=supersample,
        progress=progress,
    )
    _check_projection(integrals, mu)
    return integrals if output == "line_integral" else i0 * np.exp(-integrals)


def drr_sweep(
    volume: Volume,
    geometries: Sequence[Geometry],
    *,
    output: DrrOutput = "intensity",
    i0: float = 1.0,
    energy_kev: float = 70.0,
    method: DrrMethod = "joseph",
    step: float | None = None,
    supersample: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Many views of one volume (a C-arm rotation, a CBCT scan): `drr` for each geometry, prepared once.

    The NaN check and the air-skipping block map are computed once for the
    whole sweep, not per view (an HU volume is read as it is, converted voxel
    by voxel as rays read it); each view is then exactly
    what `drr` returns for it (bit for bit).

    Parameters
    ----------
    volume : Volume
        As for `drr`.
    geometries : sequence of Geometry
        The views; their detectors must share one shape.
    output, i0, energy_kev, method, step, supersample
        As for `drr`.
    progress : callable, optional
        Called with (done, total) over the bands of rows of every view: one bar for the sweep.

    Returns
    -------
    numpy.ndarray, (views, rows, cols), float64

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith.xray import Geometry, Volume, drr, drr_sweep
    >>> head = Volume.from_array(np.full((20, 24, 24), 0.02, np.float32), units="mu")
    >>> views = [Geometry.c_arm(head, 300, 500, angle, shape=(16, 16), pixel_spacing=3.0) for angle in (0, 90, 180)]
    >>> images = drr_sweep(head, views)
    >>> images.shape, bool(np.array_equal(images[1], drr(head, views[1])))
    ((3, 16, 16), True)
    """
    step, supersample, i0 = _options(method, step, supersample, output, i0)
    if isinstance(geometries, Geometry) or not isinstance(geometries, Sequence):
        raise PixelsmithTypeError(
            "`geometries` must be a sequence (list) of pixelsmith.xray.Geometry, got "
            f"{type(geometries).__name__}; for one view use drr(volume, geometry)"
        )
    if len(geometries) == 0:
        raise PixelsmithValueError("`geometries` is empty; give at least one view")
    for n, geometry in enumerate(geometries):
        if not isinstance(geometry, Geometry):
            raise PixelsmithTypeError(
                f"`geometries[{n}]` must be a pixelsmith.xray.Geometry, got {type(geometry).__name__}"
            )
    shapes = {tuple(g.detector.shape) for g in geometries}
    if len(shapes) > 1:
        raise PixelsmithValueError(
            f"the detectors of `geometries` have different shapes {sorted(shapes)}; a sweep stacks views of one shape"
        )
    rows, cols = shapes.pop()
    views = len(geometries)
    check_allocation(
        8.0 * views * rows * cols + 8.0 * rows * cols,
        "geometries",
        f"{views} views of {rows} x {cols}",
        "the stack of projected images",
        "render fewer views per call (split the sweep) or use a smaller detector",
    )
    mu = _attenuation(volume, energy_kev)
    occupied = _occupancy_for(mu, method)
    out = np.empty((views, rows, cols))
    bands = len(_bands(rows))
    for n, geometry in enumerate(geometries):
        view_progress = None if progress is None else (lambda done, _, n=n: progress(n * bands + done, views * bands))
        _render(
            volume,
            mu,
            geometry.detector,
            source=geometry.source,
            method=method,
            step=step,
            supersample=supersample,
            progress=view_progress,
            occupied=occupied,
            out=out[n],
        )
        if output == "intensity":
            np.multiply(np.exp(-out[n]), i0, out=out[n])  # as drr: i0 * exp(-L)
    return out


def _default_detector(volume: Volume, direction: np.ndarray) -> Detector:
    """Perpendicular to `direction` through the volume's centre, covering it, at the finest voxel spacing."""
    helper = np.array([0.0, 0.0, -1.0]) if abs(direction[2]) < 0.9 else np.array([0.0, 1.0, 0.0])
    v = helper - np.dot(helper, direction) * direction
    v /= np.linalg.norm(v)
    u = np.cross(v, direction)
    pixel = float(volume.spacing.min())
    corners = np.array(
        [
            [a, b, c]
            for a in (-0.5, volume.shape[0] - 0.5)
            for b in (-0.5, volume.shape[1] - 0.5)
            for c in (-0.5, volume.shape[2] - 0.5)
        ]
    )
    world = corners @ (volume.direction * volume.spacing[None, :]).T + volume.origin - volume.center
    rows = int(np.ceil(np.ptp(world @ v) / pixel)) + 1
    cols = int(np.ceil(np.ptp(world @ u) / pixel)) + 1
    return Detector(center=volume.center, u=u * pixel, v=v * pixel, shape=(rows, cols))


def project_parallel(
    volume: Volume,
    direction: Any,
    detector: Detector | None = None,
    *,
    output: DrrOutput = "line_integral",
    i0: float = 1.0,
    energy_kev: float = 70.0,
    method: DrrMethod = "joseph",
    step: float | None = None,
    supersample: int = 1,
) -> np.ndarray:
    """A parallel-beam projection of `volume` along any `direction` (patient mm vector), not only array axes.

    Each ray runs along `direction` through a detector pixel centre, across the
    whole volume. The default detector is perpendicular to the direction,
    centred on the volume, covering it, with pixels of the finest voxel spacing.

    Parameters
    ----------
    volume : Volume
        As for `drr`.
    direction : sequence of 3 float
        The beam direction in patient mm (any length, not zero).
    detector : Detector, optional
        Where the rays land; default as described above.
    output : {'line_integral', 'intensity'}, default 'line_integral'
        Line integrals (a sinogram row, the input of reconstruction), or
        Beer-Lambert intensities ``i0 exp(-L)``.
    i0, energy_kev, method, step, supersample
        As for `drr`.

    Returns
    -------
    numpy.ndarray, detector shape, float64

    Examples
    --------
    >>> import numpy as np
    >>> from pixelsmith.xray import Volume, project_parallel
    >>> vol = Volume.from_array(np.ones((8, 10, 12), np.float32), units="mu")
    >>> image = project_parallel(vol, (0, 1, 0))   # along +y: through the 10 rows of 1 mm
    >>> float(image.max())
    10.0
    """
    step, supersample, i0 = _options(method, step, supersample, output, i0)
    d = np.asarray(direction, dtype=np.float64)
    if d.shape != (3,) or not np.isfinite(d).all() or np.linalg.norm(d) == 0:
        raise PixelsmithValueError(f"`direction` must be a non-zero (x, y, z) vector, got {direction!r}")
    d = d / np.linalg.norm(d)
    mu = _attenuation(volume, energy_kev, check_finite=False)
    det = _default_detector(volume, d) if detector is None else detector
    integrals = _render(volume, mu, det, direction=d, method=method, step=step, supersample=supersample, progress=None)
    _check_projection(integrals, mu)
    return integrals if output == "line_integral" else i0 * np.exp(-integrals)


@labelled
def to_display(
    image: ArrayLike, *, gamma: float = 1.0, window: tuple[float, float] | None = None, intensity: bool = True
) -> np.ndarray:
    """8-bit picture of a DRR with the radiograph convention: more attenuation is brighter (bone white).

    An intensity image is turned into line integrals (``-log(I / I.max())``)
    first; `window` (low, high) clips the line integrals (default: the 0.5 and
    99.5 percentiles), `gamma` shapes the contrast.

    Parameters
    ----------
    image : array_like, (rows, cols)
        A DRR: intensities (default) or line integrals (``intensity=False``).
    gamma : float, default 1.0
        Exponent applied to the windowed values in [0, 1].
    window : (float, float), optional
        Line integrals shown black and white; default the 0.5 and 99.5 percentiles.
    intensity : bool, default True
        Whether `image` holds intensities (True) or line integrals (False).

    Returns
    -------
    numpy.ndarray of uint8, (rows, cols)
        0 (no attenuation) to 255 (most).

    Examples
    --------
    >>> import numpy as np
    >>> picture = to_display(np.exp(-np.linspace(0, 3, 12).reshape(3, 4)))
    >>> picture.dtype.name, int(picture[0, 0]), int(picture[-1, -1])
    ('uint8', 0, 255)
    """
    values = np.asarray(
        as_image_array(
            image,
            "image",
            ndim=2,
            allow_dask=WHOLE_PICTURE,
            hint="pass one DRR image (rows, cols)",
        ),
        dtype=np.float64,
    )
    if not np.isfinite(values).all():
        raise PixelsmithValueError("`image` contains NaN or inf; a DRR from pixelsmith.xray.drr has none")
    if window is not None:
        if np.shape(window) != (2,):
            raise PixelsmithValueError(f"`window` must be (low, high) line integrals, got {window!r}")
        window = tuple(check_finite_scalar(v, "window") for v in window)
    if intensity:
        peak = values.max()
        if not peak > 0:
            raise PixelsmithValueError("`image` has no positive intensity to display")
        values = -np.log(np.clip(values / peak, 1e-12, None))
    lo, hi = np.percentile(values, [0.5, 99.5]) if window is None else window
    if not hi > lo:
        hi = lo + 1.0
    scaled = np.clip((values - lo) / (hi - lo), 0, 1) ** check_finite_scalar(gamma, "gamma")
    return np.rint(scaled * 255).astype(np.uint8)
