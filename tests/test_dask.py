"""Dask arrays in, dask arrays out: same chunks, bit-identical numbers."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pixelsmith as ps
from pixelsmith.local._dask import cell_chunks, safe_chunks

STATS = ["mean", "sum", "var", "std", "min", "max", "count"]
MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]


@pytest.mark.parametrize("stat", STATS)
@pytest.mark.parametrize("mode", MODES)
def test_dask_equals_numpy_bit_for_bit(stat, mode, rng):
    a = 50.0 + rng.normal(size=(130, 1500))
    a[rng.random(a.shape) < 0.01] = np.nan
    func = getattr(ps, f"local_{stat}")
    chunks = (40, 700)  # chunk edges that cut both windows and grid cells
    for kwargs in (
        {"size": (5, 6)},
        {"size": 11, "nan_policy": "omit"},
        {"footprint": np.eye(4, dtype=bool), "nan_policy": "omit"},
    ):
        expected = func(a, mode=mode, cval=3.0, **kwargs)
        lazy = func(da.from_array(a, chunks=chunks), mode=mode, cval=3.0, **kwargs)
        assert isinstance(lazy, da.Array)
        assert lazy.chunks == da.from_array(a, chunks=chunks).chunks
        np.testing.assert_array_equal(lazy.compute(), expected)


def test_dask_3d_stack_with_axes_and_small_chunks(rng):
    a = rng.normal(size=(6, 50, 45)).astype(np.float32)
    x = da.from_array(a, chunks=(2, 7, 9))  # chunks shorter than the halo
    for mode in MODES:
        expected = ps.local_std(a, 9, axes=(1, 2), mode=mode)
        result = ps.local_std(x, 9, axes=(1, 2), mode=mode)
        assert result.chunks == x.chunks and result.dtype == np.float32
        np.testing.assert_array_equal(result.compute(), expected)
    full3d = ps.local_var(x, 3).compute()
    np.testing.assert_array_equal(full3d, ps.local_var(a, 3))


def test_dask_crop_valid(rng):
    a = rng.normal(size=(60, 70))
    x = da.from_array(a, chunks=(25, 30))
    result = ps.local_mean(x, (5, 4), crop="valid")
    np.testing.assert_array_equal(result.compute(), ps.local_mean(a, (5, 4), crop="valid"))


def test_window_longer_than_the_array_in_dask(rng):
    a = rng.normal(size=(9, 40))
    x = da.from_array(a, chunks=(3, 10))
    for mode in MODES:
        np.testing.assert_array_equal(
            ps.local_max(x, (25, 3), mode=mode).compute(), ps.local_max(a, (25, 3), mode=mode)
        )


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    crow=st.integers(1, 15),
    ccol=st.integers(1, 15),
    size=st.integers(1, 9),
    mode=st.sampled_from(MODES),
)
def test_property_dask_equals_numpy(rows, cols, crow, ccol, size, mode):
    a = np.random.default_rng(rows * 41 + cols).normal(size=(rows, cols))
    x = da.from_array(a, chunks=(crow, ccol))
    np.testing.assert_array_equal(ps.local_var(x, size, mode=mode).compute(), ps.local_var(a, size, mode=mode))


def test_chunk_helpers():
    assert safe_chunks((10, 10, 3), 5) == (10, 13)
    assert safe_chunks((2, 2, 2, 2), 5) == (8,)
    assert sum(cell_chunks((300, 300, 100), 256)) == 700
    assert all(c % 256 == 0 for c in cell_chunks((300, 300, 100), 256)[:-1])


@pytest.mark.parametrize("mode", MODES)
def test_3d_window_over_a_short_last_axis_is_bit_identical_in_chunks(mode, rng):
    """The grid for a (rows, cols, 6) volume grows its cells along cols; chunks must cut the same tiles."""
    a = 10.0 + rng.normal(size=(40, 700, 6))
    for stat in ("mean", "var", "max"):
        func = getattr(ps, f"local_{stat}")
        expected = func(a, 3, mode=mode, cval=1.5)
        lazy = func(da.from_array(a, chunks=(15, 230, 6)), 3, mode=mode, cval=1.5)
        np.testing.assert_array_equal(lazy.compute(), expected)


def test_in_place_padding_equals_the_general_per_axis_path(rng):
    from pixelsmith.local import _engine as engine

    taken = rng.normal(size=(5, 7, 3))
    remaps = [np.array([1, 0, 1, 2, 3, 4, 3]), None, np.array([-1, -1, 0, 1, 2, -1])]
    fast = engine._pad_in_place(taken, remaps, 0.5, -9.0)
    slow = taken - 0.5
    for ax, remap in enumerate(remaps):
        if remap is not None:
            slow = np.where(
                (remap < 0).reshape([-1 if k == ax else 1 for k in range(3)]),
                -9.0,
                np.take(slow, np.maximum(remap, 0), axis=ax),
            )
    np.testing.assert_array_equal(fast, slow)
    assert engine._pad_in_place(taken, [np.array([4, 0, 1, 2, 3, 4, 0]), None, None], 0.0, 0.0) is not None
    assert engine._pad_in_place(taken, [np.array([4, 3, 0, 2]), None, None], 0.0, 0.0) is None


@pytest.mark.parametrize("stat", ["mean", "max", "var"])
def test_footprint_over_leading_axes_of_a_channel_last_stack_is_bit_identical_in_chunks(stat, rng):
    a = 5.0 + rng.normal(size=(40, 50, 3))
    disk = np.add.outer(np.arange(-3, 4) ** 2, np.arange(-3, 4) ** 2) <= 9
    func = getattr(ps, f"local_{stat}")
    expected = func(a, footprint=disk, axes=(0, 1))
    lazy = func(da.from_array(a, chunks=(13, 17, 3)), footprint=disk, axes=(0, 1))
    np.testing.assert_array_equal(lazy.compute(), expected)
