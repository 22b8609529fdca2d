"""CT volumes from the files users hold: compressed DICOM, Enhanced multi-frame DICOM, NIfTI (issue 16)."""

from __future__ import annotations

import nibabel
import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import (
    EnhancedCTImageStorage,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
    generate_uid,
)

from pixelsmith import PixelsmithError
from pixelsmith.io import read_dicom_series, read_nifti, read_volume, write_nifti
from pixelsmith.xray import Geometry, Volume, drr
from test_dicom import write_series


@pytest.fixture
def ct(rng):
    return (rng.integers(-500, 1500, size=(7, 40, 36)) * 2 - 1024).astype(np.float32)


def _volumes_equal(a: Volume, b: Volume, atol: float = 1e-9) -> None:
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_allclose(a.affine, b.affine, atol=atol)
    assert a.units == b.units


@pytest.mark.parametrize("syntax", [RLELossless, JPEGLSLossless, JPEG2000Lossless], ids=["rle", "jpeg-ls", "j2k"])
def test_a_compressed_series_reads_like_the_uncompressed_one(tmp_path, ct, syntax):
    write_series(tmp_path / "plain", ct)
    write_series(tmp_path / "packed", ct)
    for path in (tmp_path / "packed").glob("*.dcm"):
        ds = pydicom.dcmread(path)
        ds.compress(syntax, ds.pixel_array)
        ds.save_as(path, enforce_file_format=True)
    assert pydicom.dcmread(next((tmp_path / "packed").glob("*.dcm"))).file_meta.TransferSyntaxUID == syntax
    _volumes_equal(read_volume(tmp_path / "packed"), read_volume(tmp_path / "plain"))


@pytest.mark.parametrize("name", ["MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "MR_small_RLE.dcm"])
def test_pydicom_s_own_compressed_files_decode_like_the_plain_one(name):
    _volumes_equal(read_volume(get_testdata_file(name)), read_volume(get_testdata_file("MR_small.dcm")))


def test_a_missing_decoder_is_one_clear_error(tmp_path, ct, monkeypatch):
    write_series(tmp_path / "packed", ct)
    for path in (tmp_path / "packed").glob("*.dcm"):
        ds = pydicom.dcmread(path)
        ds.compress(JPEG2000Lossless, ds.pixel_array)
        ds.save_as(path, enforce_file_format=True)

    def no_decoder(self, *args, **kwargs):
        raise RuntimeError("Unable to decode the pixel data as no plugins are available")

    monkeypatch.setattr(pydicom.dataset.Dataset, "pixel_array", property(no_decoder))
    with pytest.raises(PixelsmithError, match=r"JPEG 2000.*pip install \"pixelsmith\[dicom\]\""):
        read_volume(tmp_path / "packed")


def _enhanced_ct(path, hu, *, spacing=(2.5, 0.8, 0.7), origin=(-100.0, -90.0, 30.0), shuffle=None, slope=2.0):
    """One Enhanced CT file: frames in `shuffle` order, positions and rescale in functional groups."""
    intercept = -1024.0
    order = np.arange(len(hu)) if shuffle is None else np.asarray(shuffle)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = EnhancedCTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = EnhancedCTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CT"
    ds.SeriesInstanceUID = generate_uid()
    ds.Rows, ds.Columns = hu.shape[1:]
    ds.NumberOfFrames = len(hu)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"

    def item(**values):
        d = Dataset()
        for key, value in values.items():
            setattr(d, key, value)
        return d

    shared = Dataset()
    shared.PlaneOrientationSequence = [item(ImageOrientationPatient=[1, 0, 0, 0, 1, 0])]
    shared.PixelMeasuresSequence = [item(PixelSpacing=[spacing[1], spacing[2]], SliceThickness=5.0)]
    shared.PixelValueTransformationSequence = [item(RescaleSlope=slope, RescaleIntercept=intercept)]
    ds.SharedFunctionalGroupsSequence = [shared]
    frames = []
    for k in order:
        frame = Dataset()
        frame.PlanePositionSequence = [item(ImagePositionPatient=list(np.asarray(origin) + [0, 0, k * spacing[0]]))]
        frames.append(frame)
    ds.PerFrameFunctionalGroupsSequence = frames
    ds.PixelData = np.rint((hu[order] - intercept) / slope).astype(np.int16).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return ds


def test_an_enhanced_multiframe_ct_reads_like_the_same_series_of_slices(tmp_path, ct):
    write_series(tmp_path / "slices", ct)
    _enhanced_ct(tmp_path / "enhanced.dcm", ct, shuffle=[3, 0, 6, 1, 5, 2, 4])  # frames out of order
    _volumes_equal(read_volume(tmp_path / "enhanced.dcm"), read_volume(tmp_path / "slices"))
    (tmp_path / "folder").mkdir()
    _enhanced_ct(tmp_path / "folder" / "ct.dcm", ct)
    _volumes_equal(read_dicom_series(tmp_path / "folder"), read_volume(tmp_path / "slices"))


def test_an_enhanced_file_with_a_per_frame_rescale_and_a_broken_frame(tmp_path, ct):
    ds = _enhanced_ct(tmp_path / "e.dcm", ct)
    ds.PerFrameFunctionalGroupsSequence[4].PlanePositionSequence[0].ImagePositionPatient = [0, 0]
    ds.save_as(tmp_path / "e.dcm", enforce_file_format=True)
    with pytest.raises(PixelsmithError, match=r"e\.dcm frame 5: ImagePositionPatient \(0020,0032\) must hold 3"):
        read_volume(tmp_path / "e.dcm")


def test_a_multiframe_file_without_frame_positions_is_refused(tmp_path, ct):
    ds = _enhanced_ct(tmp_path / "e.dcm", ct)
    del ds.PerFrameFunctionalGroupsSequence
    ds.save_as(tmp_path / "e.dcm", enforce_file_format=True)
    with pytest.raises(PixelsmithError, match="PerFrameFunctionalGroupsSequence"):
        read_volume(tmp_path / "e.dcm")


def test_nifti_written_from_a_dicom_volume_gives_the_same_volume_and_drr(tmp_path, ct):
    write_series(tmp_path / "ct", ct, orientation=(0.8, 0.6, 0, -0.6, 0.8, 0))  # oblique
    dicom = read_volume(tmp_path / "ct")
    for name in ("ct.nii", "ct.nii.gz"):
        write_nifti(tmp_path / name, dicom)
        nifti = read_volume(tmp_path / name)
        np.testing.assert_array_equal(nifti.data, dicom.data)
        np.testing.assert_allclose(nifti.affine, dicom.affine, atol=1e-4)  # NIfTI stores the affine as float32
        geometry = Geometry.c_arm(dicom, 400, 600, 30, 10, shape=(24, 20), pixel_spacing=1.5)
        np.testing.assert_allclose(drr(nifti, geometry), drr(dicom, geometry), rtol=1e-5)


def test_nibabel_s_example_image_is_placed_in_lps():
    import os

    path = os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii")
    image = nibabel.load(path)
    volume = read_nifti(path)
    i, j, k = 5, 7, 3
    ras = image.affine @ [i, j, k, 1]
    lps = volume.affine @ [k, j, i, 1]
    np.testing.assert_allclose(lps[:3], [-ras[0], -ras[1], ras[2]], atol=1e-4)
    assert volume.data[k, j, i] == pytest.approx(float(image.get_fdata()[i, j, k]))


def test_nifti_units_4d_and_shear(tmp_path):
    data = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    metres = nibabel.Nifti1Image(data, np.diag([0.001, 0.002, 0.003, 1]))
    metres.header.set_xyzt_units("meter")
    nibabel.save(metres, tmp_path / "m.nii")
    assert read_nifti(tmp_path / "m.nii").spacing.tolist() == pytest.approx([3.0, 2.0, 1.0])
    nibabel.save(nibabel.Nifti1Image(data[..., None], np.eye(4)), tmp_path / "one.nii")
    assert read_nifti(tmp_path / "one.nii").shape == (5, 4, 3)
    nibabel.save(nibabel.Nifti1Image(np.stack([data, data], -1), np.eye(4)), tmp_path / "four.nii")
    with pytest.raises(PixelsmithError, match=r"shape \(3, 4, 5, 2\)"):
        read_nifti(tmp_path / "four.nii")
    shear = np.eye(4)
    shear[0, 1] = 0.5
    nibabel.save(nibabel.Nifti1Image(data, shear), tmp_path / "shear.nii")
    with pytest.raises(PixelsmithError, match="shear"):
        read_nifti(tmp_path / "shear.nii")
    (tmp_path / "bad.nii").write_bytes(b"not a nifti file at all" * 20)
    with pytest.raises(PixelsmithError, match="could not be read as NIfTI"):
        read_volume(tmp_path / "bad.nii")
    with pytest.raises(PixelsmithError, match="units"):
        read_volume(tmp_path / "one.nii", units="kelvin")


def test_integer_hu_is_written_as_int16_and_read_back_exactly(tmp_path, ct):
    """Issue 28: write_nifti stored an int16 CT as float32, twice the size."""
    write_series(tmp_path / "ct", ct)
    dicom = read_volume(tmp_path / "ct")
    assert np.array_equal(dicom.data, np.round(dicom.data))  # whole HU, as DICOM stores them
    small, large = write_nifti(tmp_path / "ct.nii", dicom), write_nifti(tmp_path / "f.nii", dicom, dtype="float32")
    assert nibabel.load(small).get_data_dtype() == np.int16 and nibabel.load(large).get_data_dtype() == np.float32
    assert small.stat().st_size < 0.6 * large.stat().st_size
    np.testing.assert_array_equal(read_nifti(small).data, dicom.data)
    wide = Volume.from_array(np.arange(24.0).reshape(2, 3, 4) * 2000 + 1000, (1.0, 1.0, 1.0))  # 1000..47000
    shifted = write_nifti(tmp_path / "wide.nii.gz", wide)
    assert nibabel.load(shifted).get_data_dtype() == np.int16 and nibabel.load(shifted).dataobj.inter != 0
    np.testing.assert_array_equal(read_nifti(shifted).data, wide.data)
    fractional = Volume.from_array(np.full((2, 3, 4), 0.25), (1.0, 1.0, 1.0))
    assert nibabel.load(write_nifti(tmp_path / "mu.nii", fractional)).get_data_dtype() == np.float32
    import pixelsmith as ps_errors
    from expect import raises_naming

    with raises_naming(ps_errors.PixelsmithValueError, "dtype"):
        write_nifti(tmp_path / "x.nii", fractional, dtype="int16")


def test_simpleitk_reads_the_same_ct_and_round_trips_with_every_voxel_in_place(tmp_path, ct):
    """Issue 28: Volume.spacing is (slice, row, col); SimpleITK's (x, y, z). The converters keep every voxel's place."""
    import SimpleITK as sitk

    write_series(tmp_path / "ct", ct, orientation=(0.8, 0.6, 0, -0.6, 0.8, 0))  # oblique
    ours = read_volume(tmp_path / "ct")
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path / "ct")))
    theirs = Volume.from_simpleitk(reader.Execute())
    np.testing.assert_array_equal(theirs.data, ours.data)
    np.testing.assert_allclose(theirs.affine, ours.affine, atol=1e-6)
    image = ours.to_simpleitk()
    assert image.GetSize() == ours.shape[::-1]
    np.testing.assert_allclose(image.GetSpacing(), ours.spacing[::-1])
    for k, j, i in [(0, 0, 0), (3, 5, 7), (ours.shape[0] - 1, 2, ours.shape[2] - 1)]:
        np.testing.assert_allclose(image.TransformIndexToPhysicalPoint((i, j, k)), (ours.affine @ [k, j, i, 1])[:3])
        assert image.GetPixel(i, j, k) == ours.data[k, j, i]
    again = Volume.from_simpleitk(image)
    np.testing.assert_array_equal(again.data, ours.data)
    np.testing.assert_allclose(again.affine, ours.affine, atol=1e-12)
    with pytest.raises(PixelsmithError, match="3-D scalar"):
        Volume.from_simpleitk(sitk.Image(4, 5, sitk.sitkFloat32))
