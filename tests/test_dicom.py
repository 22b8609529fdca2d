"""read_dicom_series on synthetic series written with pydicom, and on pydicom's own CT file."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from pixelsmith import PixelsmithError
from pixelsmith.io.dicom import list_dicom_series, read_dicom_series
from pixelsmith.xray import Geometry, Volume, drr


def write_series(
    folder,
    hu,
    *,
    spacing=(2.5, 0.8, 0.7),
    origin=(-100.0, -90.0, 30.0),
    orientation=(1, 0, 0, 0, 1, 0),
    series_uid=None,
    slope=2.0,
    intercept=-1024.0,
    skip=(),
    rng=None,
    description="test",
    prefix="img",
):
    """One DICOM file per slice, named in a shuffled order; returns the series UID."""
    folder.mkdir(exist_ok=True)
    series_uid = series_uid or generate_uid()
    row_dir, col_dir = np.array(orientation[:3], float), np.array(orientation[3:], float)
    normal = np.cross(row_dir, col_dir)
    names = (rng or np.random.default_rng(0)).permutation(len(hu))
    for k, plane in enumerate(hu):
        if k in skip:
            continue
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        name = folder / f"{prefix}{names[k]:04d}.dcm"
        ds = FileDataset(str(name), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.Modality = "CT"
        ds.SeriesInstanceUID = series_uid
        ds.SeriesDescription = description
        ds.Rows, ds.Columns = plane.shape
        ds.PixelSpacing = [spacing[1], spacing[2]]
        ds.SliceThickness = 5.0  # deliberately not the spacing
        ds.ImageOrientationPatient = list(orientation)
        ds.ImagePositionPatient = list(np.asarray(origin) + k * spacing[0] * normal)
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation = 1
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        stored = np.rint((plane - intercept) / slope).astype(np.int16)
        ds.PixelData = stored.tobytes()
        ds.save_as(name, enforce_file_format=True)
    return series_uid


@pytest.fixture
def ct(rng):
    return (rng.integers(-500, 1500, size=(9, 12, 10)) * 2 - 1024).astype(np.float32)


def test_series_comes_back_sorted_scaled_and_placed(tmp_path, ct):
    write_series(tmp_path / "s", ct)
    (tmp_path / "s" / "README.txt").write_text("not dicom")
    with pytest.warns(UserWarning, match="skipped 1"):
        volume = read_dicom_series(tmp_path / "s")
    np.testing.assert_array_equal(volume.data, ct)
    np.testing.assert_allclose(volume.spacing, [2.5, 0.8, 0.7])
    np.testing.assert_allclose(volume.affine @ [3, 4, 5, 1], [-100 + 5 * 0.7, -90 + 4 * 0.8, 30 + 3 * 2.5, 1])


def test_oblique_orientation_is_kept(tmp_path, ct):
    t = np.radians(30)
    orientation = (np.cos(t), np.sin(t), 0.0, 0.0, 0.0, -1.0)  # a tilted, coronal-like acquisition
    write_series(tmp_path / "o", ct, orientation=orientation)
    volume = read_dicom_series(tmp_path / "o")
    row_dir, col_dir = np.array(orientation[:3]), np.array(orientation[3:])
    np.testing.assert_allclose(volume.direction[:, 2], row_dir, atol=1e-12)
    np.testing.assert_allclose(volume.direction[:, 1], col_dir, atol=1e-12)
    np.testing.assert_array_equal(volume.data, ct)
    # a fiducial voxel lands where the projection matrix says, through the oblique affine
    data = np.full_like(ct, -1000.0)  # air
    data[4, 6, 5] = 3000.0
    bright = Volume(data, volume.spacing, volume.origin, volume.direction, "hu")
    view = Geometry.c_arm(bright, sid=300, sdd=500, angle=10, shape=(64, 64), pixel_spacing=0.5)
    image = drr(bright, view, output="line_integral")
    image = np.where(image > 0.5 * image.max(), image, 0.0)
    centroid = (np.indices(image.shape) * image).sum(axis=(1, 2)) / image.sum()  # the voxel's shadow
    h = view.projection_matrix() @ (bright.affine @ [4, 6, 5, 1])
    assert np.abs(centroid - h[:2] / h[2]).max() <= 0.5


def test_several_series_need_a_choice(tmp_path, ct):
    first = write_series(tmp_path / "two", ct, description="soft tissue")
    second = write_series(tmp_path / "two", ct[:4] + 7, description="bone", prefix="bone")
    with pytest.raises(PixelsmithError, match="2 series") as info:
        read_dicom_series(tmp_path / "two")
    assert first in str(info.value) and "bone" in str(info.value)
    assert read_dicom_series(tmp_path / "two", series=second).shape == (4, 12, 10)
    assert {v["slices"] for v in list_dicom_series(tmp_path / "two").values()} == {9, 4}


def test_missing_slice_is_an_error_or_resampled(tmp_path, ct):
    write_series(tmp_path / "gap", ct, skip=(4,))
    with pytest.raises(PixelsmithError, match="missing slice"):
        read_dicom_series(tmp_path / "gap")
    volume = read_dicom_series(tmp_path / "gap", uneven="resample")
    assert volume.shape == (9, 12, 10) and volume.spacing[0] == pytest.approx(2.5)
    np.testing.assert_allclose(volume.data[4], (ct[3] + ct[5]) / 2)
    np.testing.assert_array_equal(volume.data[5], ct[5])


def test_mixed_sizes_empty_folder_and_missing_folder(tmp_path, ct):
    uid = write_series(tmp_path / "mixed", ct[:3])
    write_series(tmp_path / "mixed_b", np.zeros((2, 5, 5), np.float32), series_uid=uid, origin=(-100.0, -90.0, 60.0))
    import shutil

    for f in (tmp_path / "mixed_b").iterdir():
        shutil.move(str(f), tmp_path / "mixed" / f"b_{f.name}")
    with pytest.raises(PixelsmithError, match="mixes slice sizes"):
        read_dicom_series(tmp_path / "mixed")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PixelsmithError, match="no DICOM image"):
        read_dicom_series(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        read_dicom_series(tmp_path / "nowhere")


def test_real_ct_file_shipped_with_pydicom():
    import pydicom

    path = get_testdata_file("CT_small.dcm")
    volume = read_dicom_series(path)
    ds = pydicom.dcmread(path)
    np.testing.assert_array_equal(volume.data[0], ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept))
    np.testing.assert_allclose(volume.origin, np.asarray(ds.ImagePositionPatient, float))
    assert volume.spacing[1] == pytest.approx(float(ds.PixelSpacing[0]))


def _break_one_slice(folder, edit):
    import pydicom

    victim = sorted(folder.glob("*.dcm"))[3]
    ds = pydicom.dcmread(victim)
    edit(ds)
    ds.save_as(victim, enforce_file_format=True)
    return victim.name


@pytest.mark.parametrize(
    ("edit", "tag"),
    [
        (lambda ds: delattr(ds, "ImagePositionPatient"), "ImagePositionPatient (0020,0032) is missing"),
        (lambda ds: setattr(ds, "PixelSpacing", [0, 0.7]), "PixelSpacing (0028,0030) must be > 0"),
        (lambda ds: setattr(ds, "ImageOrientationPatient", [1, 0, 0, 1, 0, 0]), "ImageOrientationPatient (0020,0037)"),
        (lambda ds: setattr(ds, "ImageOrientationPatient", [0, 0, 0, 0, 0, 0]), "ImageOrientationPatient (0020,0037)"),
        (lambda ds: setattr(ds, "RescaleSlope", "1e400"), "RescaleSlope (0028,1053)"),
        (lambda ds: setattr(ds, "RescaleSlope", 0), "RescaleSlope (0028,1053)"),
        (lambda ds: setattr(ds, "SamplesPerPixel", 3), "SamplesPerPixel (0028,0002)"),
        (lambda ds: setattr(ds, "NumberOfFrames", 4), "NumberOfFrames (0028,0008)"),
        (lambda ds: setattr(ds, "PixelData", ds.PixelData[:100]), "PixelData (7FE0,0010) cannot be decoded"),
    ],
)
def test_a_broken_slice_is_an_error_naming_the_file_and_tag(tmp_path, ct, edit, tag):
    """Issue 18: a slice without a position was dropped with a misleading warning, spacing 0 and degenerate
    orientations were accepted, RGB / multi-frame files came back as 4-D 'volumes', a slope of 1e400 gave inf."""
    folder = tmp_path / "series"
    write_series(folder, ct)
    name = _break_one_slice(folder, edit)
    with pytest.raises(PixelsmithError) as caught:
        read_dicom_series(folder)
    assert name in str(caught.value) and tag in str(caught.value)


def test_a_truncated_file_is_an_error_naming_it(tmp_path, ct):
    folder = tmp_path / "series"
    write_series(folder, ct)
    victim = sorted(folder.glob("*.dcm"))[2]
    victim.write_bytes(victim.read_bytes()[:-150])  # the header reads, the pixel data stops short
    with pytest.raises(PixelsmithError, match=victim.name):
        read_dicom_series(folder)


def test_non_image_files_are_still_skipped_with_a_warning(tmp_path, ct):
    folder = tmp_path / "series"
    write_series(folder, ct)
    (folder / "notes.txt").write_text("not DICOM")
    with pytest.warns(UserWarning, match="notes.txt"):
        volume = read_dicom_series(folder)
    assert volume.shape == ct.shape


def test_an_unknown_transfer_syntax_and_huge_rows_columns_are_named_not_raised_from_deep_inside(tmp_path):
    """Issue 27: a file whose TransferSyntaxUID is no transfer syntax raised pydicom's bare ValueError, and
    Rows x Columns of 60000 raised a MemoryError for 53.6 GiB."""
    import pydicom

    from pixelsmith import PixelsmithValueError
    from pixelsmith.io import read_volume

    hu = np.random.default_rng(0).integers(-1000, 1000, (4, 16, 16)).astype(np.float32)
    write_series(tmp_path / "odd", hu, slope=1.0, intercept=0.0)
    first = sorted((tmp_path / "odd").iterdir())[0]
    ds = pydicom.dcmread(first)
    ds.file_meta.TransferSyntaxUID = "1.2.3.4.5"
    ds.save_as(first, enforce_file_format=False)
    with pytest.raises(PixelsmithValueError, match=rf"{first.name}.*TransferSyntaxUID \(0002,0010\).*1\.2\.3\.4\.5"):
        read_volume(tmp_path / "odd")
    write_series(tmp_path / "huge", hu, slope=1.0, intercept=0.0)
    for path in (tmp_path / "huge").iterdir():
        ds = pydicom.dcmread(path)
        ds.Rows = ds.Columns = 60000
        ds.save_as(path, enforce_file_format=False)
    with pytest.raises(PixelsmithValueError, match=r"60000 x 60000.*GiB.*Rows \(0028,0010\)"):
        read_volume(tmp_path / "huge")


def test_mixed_pixel_spacing_and_a_tilted_gantry_are_refused_not_placed_wrongly(tmp_path):
    """Issue 27: slices with different PixelSpacing took the first's, and a tilted-gantry series (slices shifted
    sideways as they advance) became an orthogonal volume, silently sheared."""
    import pydicom

    from pixelsmith import PixelsmithValueError
    from pixelsmith.io import read_volume

    hu = np.random.default_rng(1).integers(-1000, 1000, (5, 12, 12)).astype(np.float32)
    write_series(tmp_path / "mixed", hu, slope=1.0, intercept=0.0)
    some = sorted((tmp_path / "mixed").iterdir())[2]
    ds = pydicom.dcmread(some)
    ds.PixelSpacing = [0.9, 0.9]
    ds.save_as(some, enforce_file_format=False)
    with pytest.raises(PixelsmithValueError, match=r"different PixelSpacing \(0028,0030\)"):
        read_volume(tmp_path / "mixed")
    write_series(tmp_path / "tilted", hu, slope=1.0, intercept=0.0)
    for path in (tmp_path / "tilted").iterdir():
        ds = pydicom.dcmread(path)
        x, y, z = (float(v) for v in ds.ImagePositionPatient)
        ds.ImagePositionPatient = [x, y + 0.35 * (z - 30.0), z]  # 19 degrees of tilt: y shifts as z advances
        ds.GantryDetectorTilt = 19.3
        ds.save_as(path, enforce_file_format=False)
    with pytest.raises(PixelsmithValueError, match=r"19\.3 degrees off their normal.*GantryDetectorTilt"):
        read_volume(tmp_path / "tilted")
