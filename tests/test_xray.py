"""DRR: exact chord lengths, Beer-Lambert, conservation, orientation, consistency, the phantom's closed form."""

from __future__ import annotations

import numpy as np
import pytest

from pixelsmith import PixelsmithError
from pixelsmith.xray import (
    Detector,
    Geometry,
    Volume,
    drr,
    hu_to_mu,
    phantom,
    phantom_line_integrals,
    project_parallel,
    to_display,
    water_and_air_mu,
)


def box_chords(lo, hi, sources, targets):
    """Exact length of each segment inside the axis-aligned box [lo, hi] (slab method)."""
    d = targets - sources
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = (lo - sources) / d
        t1 = (hi - sources) / d
    t_in = np.nanmax(np.where(d != 0, np.minimum(t0, t1), -np.inf), axis=1)
    t_out = np.nanmin(np.where(d != 0, np.maximum(t0, t1), np.inf), axis=1)
    inside_flat = np.all((d != 0) | ((sources >= lo) & (sources <= hi)), axis=1)
    t_in, t_out = np.clip(t_in, 0, 1), np.clip(t_out, 0, 1)
    return np.where(inside_flat & (t_out > t_in), (t_out - t_in) * np.linalg.norm(d, axis=1), 0.0)


def random_geometry(rng, volume, shape=(12, 14)):
    direction = rng.normal(size=3)
    direction /= np.linalg.norm(direction)
    source = volume.center - rng.uniform(150, 400) * direction
    u = np.cross(direction, rng.normal(size=3))
    u /= np.linalg.norm(u)
    v = np.cross(direction, u)
    det = Detector(center=volume.center + rng.uniform(50, 200) * direction + rng.normal(0, 5, 3),
                   u=u * rng.uniform(2, 6), v=v * rng.uniform(2, 6), shape=shape)
    return Geometry(source=source, detector=det)


@pytest.mark.parametrize("method", ["siddon", "trilinear"])
def test_uniform_box_gives_the_exact_chord_length(rng, method):
    volume = Volume.from_array(np.full((20, 30, 25), 0.02, np.float32), (2.0, 1.5, 1.0), units="mu",
                               origin=(-10.0, 5.0, 3.0))
    half = np.array([25 * 1.0, 30 * 1.5, 20 * 2.0]) / 2  # x (cols), y (rows), z (slices)
    lo, hi = volume.center - half, volume.center + half
    for _ in range(8):
        geometry = random_geometry(rng, volume)
        ours = drr(volume, geometry, output="line_integral", method=method, step=0.25)
        pixels = geometry.detector.pixel_centers().reshape(-1, 3)
        exact = 0.02 * box_chords(lo, hi, np.repeat(geometry.source[None], len(pixels), 0), pixels)
        tolerance = 1e-6 if method == "siddon" else 2e-2
        np.testing.assert_allclose(ours.ravel(), exact, rtol=tolerance, atol=1e-9)


def test_rays_parallel_to_axes_and_missing_rays():
    volume = Volume.from_array(np.full((10, 10, 10), 0.125, np.float32), units="mu")
    det = Detector(center=(0.0, 100.0, 0.0), u=(1.0, 0, 0), v=(0, 0, -1.0), shape=(1, 1))
    along_y = drr(volume, Geometry((0.0, -100.0, 0.0), det), output="line_integral")
    assert along_y[0, 0] == pytest.approx(1.25, rel=1e-12)  # 10 voxels of 1 mm, along an axis
    far = Detector(center=(500.0, 100.0, 0.0), u=(1.0, 0, 0), v=(0, 0, -1.0), shape=(1, 1))
    assert drr(volume, Geometry((500.0, -100.0, 0.0), far), i0=7.0)[0, 0] == 7.0  # a miss gives i0


def test_water_slab_follows_beer_lambert():
    water, _ = water_and_air_mu(70)
    thickness = 30
    slab = Volume.from_array(np.zeros((40, thickness, 40), np.float32), (1.0, 1.0, 1.0), units="hu")
    det = Detector(center=(0.0, 300.0, 0.0), u=(0.5, 0, 0), v=(0, 0, -0.5), shape=(3, 3))
    image = drr(slab, Geometry((0.0, -300.0, 0.0), det), i0=1000.0)
    # the central pixel's ray runs along y through the whole slab (mu kept in float32)
    assert image[1, 1] == pytest.approx(1000 * np.exp(-float(np.float32(water)) * thickness), rel=1e-9)
    assert hu_to_mu(np.array([-3000.0]), 70)[0] == 0.0


@pytest.mark.parametrize("angle", [0.0, 37.0, 90.0, 200.0])
def test_parallel_beam_conserves_mass(rng, angle):
    # a smooth volume that vanishes at its faces: point-sampled rays then integrate the shadow
    # accurately (a sharp-edged box would add the sampling error of its outline)
    z, y, x = np.mgrid[:16, :20, :18]
    blob = np.exp(-(((z - 7.5) * 1.5) ** 2 + (y - 9.5) ** 2 + ((x - 8.5) * 1.2) ** 2) / (2 * 3.5**2))
    volume = Volume.from_array((0.05 * blob).astype(np.float32), (1.5, 1.0, 1.2), units="mu")
    t = np.radians(angle)
    direction = np.array([np.sin(t), np.cos(t), 0.3])
    direction /= np.linalg.norm(direction)
    from pixelsmith.xray.project import _default_detector

    coarse = _default_detector(volume, direction)
    det = Detector(coarse.center, coarse.u / 2, coarse.v / 2, (2 * coarse.shape[0], 2 * coarse.shape[1]))
    image = project_parallel(volume, direction, det, supersample=4)  # pixel area well sampled
    pixel_area = np.linalg.norm(np.cross(det.u, det.v))
    voxel_volume = float(np.prod(volume.spacing))
    assert image.sum() * pixel_area == pytest.approx(volume.data.sum(dtype=float) * voxel_volume, rel=1e-3)


def test_projection_matrix_predicts_where_a_fiducial_lands(rng):
    data = np.zeros((40, 40, 40), np.float32)
    data[5:35, 5:10, 5:10] = 0.05  # an L: a long arm along slices ...
    data[5:10, 5:10, 5:30] = 0.05  # ... and a short one along columns
    fiducial = (20, 30, 12)
    data[fiducial] = 50.0
    volume = Volume.from_array(data, (1.0, 1.2, 0.9), units="mu")
    for angle in (0.0, 90.0, 180.0, 33.0):
        view = Geometry.c_arm(volume, sid=400, sdd=700, angle=angle, shape=(96, 96), pixel_spacing=1.0)
        image = drr(volume, view, output="line_integral")
        world = volume.affine @ np.array([*fiducial, 1.0])
        h = view.projection_matrix() @ world
        predicted = h[:2] / h[2]
        brightest = np.unravel_index(np.argmax(image), image.shape)
        assert np.abs(np.array(brightest) - predicted).max() <= 1.0, (angle, brightest, predicted)


def test_zero_and_180_degree_parallel_views_mirror():
    rng = np.random.default_rng(3)
    volume = Volume.from_array(rng.uniform(0, 0.03, size=(12, 14, 16)).astype(np.float32), units="mu")
    front = project_parallel(volume, (0.0, 1.0, 0.0))
    back = project_parallel(volume, (0.0, -1.0, 0.0))
    np.testing.assert_allclose(back, front[:, ::-1], rtol=1e-10, atol=1e-12)


def test_far_source_equals_parallel_projection():
    volume = phantom((48, 48, 48), (2.0, 2.0, 2.0))
    from pixelsmith.xray.project import _default_detector

    grid = _default_detector(volume, np.array([0.0, 1.0, 0.0]))
    # pixel centres off the voxel boundaries, so that no ray runs exactly along a voxel face
    det = Detector(grid.center + 0.3 * grid.u + 0.3 * grid.v, grid.u, grid.v, grid.shape)
    far = Geometry(source=volume.center - 1e7 * np.array([0.0, 1.0, 0.0]), detector=Detector(
        center=det.center + 200 * np.array([0.0, 1.0, 0.0]), u=det.u, v=det.v, shape=det.shape))
    cone = drr(volume, far, output="line_integral")
    parallel = project_parallel(volume, (0.0, 1.0, 0.0), det)
    np.testing.assert_allclose(cone, parallel, atol=1e-4 * parallel.max())


def test_rotating_the_view_equals_rotating_the_volume():
    volume = phantom((40, 48, 44), (2.0, 2.0, 2.0))
    turned = Volume.from_array(np.ascontiguousarray(np.rot90(volume.data, 1, axes=(1, 2))), (2.0, 2.0, 2.0),
                               units="mu")
    view = Geometry.c_arm(volume, sid=500, sdd=900, angle=0.0, shape=(40, 40), pixel_spacing=2.5)
    turned_view = Geometry.c_arm(turned, sid=500, sdd=900, angle=-90.0, shape=(40, 40), pixel_spacing=2.5)
    a = drr(volume, view, output="line_integral")
    b = drr(turned, turned_view, output="line_integral")
    # np.rot90 on (row=y, col=x) turns the patient by +90 degrees about z; turning the view by -90
    # degrees follows it, so both images must be the same
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_siddon_and_fine_trilinear_agree_on_a_smooth_phantom():
    z, y, x = np.mgrid[:48, :48, :48] - 23.5
    smooth = (0.02 * np.exp(-(x**2 + y**2 + z**2) / (2 * 12.0**2))).astype(np.float32)
    volume = Volume.from_array(smooth, (1.5, 1.5, 1.5), units="mu")
    view = Geometry.c_arm(volume, sid=400, sdd=700, angle=25, tilt=10, shape=(48, 48), pixel_spacing=2.5)
    a = drr(volume, view, output="line_integral", method="siddon")
    b = drr(volume, view, output="line_integral", method="trilinear", step=0.25)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.999


def test_uniform_cube_has_no_stripes():
    cube = Volume.from_array(np.full((64, 64, 64), 0.02, np.float32), (1.0, 1.0, 1.0), units="mu")
    view = Geometry.c_arm(cube, sid=300, sdd=600, angle=20, shape=(80, 80), pixel_spacing=0.9)
    for method in ("trilinear", "siddon"):
        image = drr(cube, view, output="line_integral", method=method)
        inner = image[20:60, 20:60]
        second = np.abs(inner[2:] - 2 * inner[1:-1] + inner[:-2])  # row-to-row oscillation
        assert second.max() < 1e-3, (method, second.max())


def test_tiles_equal_the_whole_render():
    volume = phantom((32, 32, 32), (3.0, 3.0, 3.0))
    view = Geometry.c_arm(volume, sid=400, sdd=700, angle=15, shape=(40, 30), pixel_spacing=3.0)
    whole = drr(volume, view)
    d = view.detector
    top = Detector(center=d.center - 10 * d.v, u=d.u, v=d.v, shape=(20, 30))  # rows 0..19
    part = drr(volume, Geometry(view.source, top))
    np.testing.assert_array_equal(part, whole[:20])


def test_supersampling_averages_intensities():
    volume = phantom((32, 32, 32), (3.0, 3.0, 3.0))
    view = Geometry.c_arm(volume, sid=400, sdd=700, shape=(10, 10), pixel_spacing=6.0)
    coarse = drr(volume, view, supersample=3)
    d = view.detector
    fine = drr(volume, Geometry(view.source, Detector(d.center, d.u / 3, d.v / 3, (30, 30))))
    np.testing.assert_allclose(coarse, fine.reshape(10, 3, 10, 3).mean(axis=(1, 3)), rtol=1e-12)


@pytest.mark.parametrize("method", ["siddon", "trilinear"])
def test_phantom_line_integrals_match_the_closed_form(method):
    shape, spacing = (192, 192, 192), (1.0, 1.0, 1.0)
    volume = phantom(shape, spacing, oversample=2)
    for angle, tilt in ((30.0, 10.0), (90.0, 0.0)):
        view = Geometry.c_arm(volume, sid=600, sdd=1000, angle=angle, tilt=tilt, shape=(48, 48), pixel_spacing=5.0)
        ours = drr(volume, view, output="line_integral", method=method)
        pixels = view.detector.pixel_centers().reshape(-1, 3)
        exact = phantom_line_integrals(np.repeat(view.source[None], len(pixels), 0), pixels, shape,
                                       spacing).reshape(ours.shape)
        body = exact > 0.05 * exact.max()
        error = np.mean(np.abs(ours[body] - exact[body]) / exact[body])
        # the voxel model's own error (thin skull shell at 1 mm voxels) dominates; see the note
        assert error < 0.012, (angle, error)


def test_to_display_bone_is_bright():
    image = np.array([[1.0, 0.5, 0.1]])
    shown = to_display(image, window=(0.0, 2.5))
    assert shown[0, 0] < shown[0, 1] < shown[0, 2]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda v, g: drr(v, g, method="ray"), "`method`"),
        (lambda v, g: drr(v, g, step=2.0), "`step`"),
        (lambda v, g: drr(v, g, supersample=0), "`supersample`"),
        (lambda v, g: drr(np.zeros((3, 3, 3)), g), "Volume"),
        (lambda v, g: Geometry.c_arm(v, sid=900, sdd=500), "sid < sdd"),
        (lambda v, g: Geometry(source=g.detector.center, detector=g.detector), "plane"),
        (lambda v, g: Detector(center=(0, 0, 0), u=(1, 0, 0), v=(2, 0, 0), shape=(3, 3)), "parallel"),
        (lambda v, g: Volume.from_array(np.zeros((3, 3)), (1, 1, 1)), "3-D"),
        (lambda v, g: Volume.from_array(np.zeros((3, 3, 3)), (1, 0, 1)), "`spacing`"),
        (lambda v, g: project_parallel(v, (0, 0, 0)), "`direction`"),
        (lambda v, g: hu_to_mu(0.0, energy_kev=500), "`energy_kev`"),
    ],
)
def test_bad_input(call, words):
    volume = Volume.from_array(np.zeros((4, 4, 4), np.float32))
    geometry = Geometry.c_arm(volume, shape=(4, 4))
    with pytest.raises(PixelsmithError) as info:
        call(volume, geometry)
    assert words in str(info.value)


def test_empty_space_skipping_changes_nothing(monkeypatch):
    import pixelsmith.xray.project as project

    volume = phantom((48, 40, 56), (2.0, 2.5, 1.5))
    view = Geometry.c_arm(volume, sid=400, sdd=700, angle=35, tilt=-15, shape=(40, 44), pixel_spacing=3.0)
    skipped = drr(volume, view, output="line_integral", method="trilinear")
    assert not project._occupancy(volume.data).all()  # there is air to skip
    real = project._occupancy
    monkeypatch.setattr(project, "_occupancy", lambda mu: np.ones_like(real(mu)))
    np.testing.assert_array_equal(drr(volume, view, output="line_integral", method="trilinear"), skipped)
