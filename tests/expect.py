"""The one idiom of error tests: the exact exception class, and the argument named in backticks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def raises_naming(exception: type[BaseException], argument: str) -> Iterator[pytest.ExceptionInfo]:
    """``with raises_naming(PixelsmithValueError, "size"): ...``: that class exactly, naming `argument`."""
    with pytest.raises(exception) as caught:
        yield caught
    assert type(caught.value) is exception, f"{type(caught.value).__name__} raised, {exception.__name__} expected"
    assert f"`{argument}`" in str(caught.value), f"the message does not name `{argument}`: {caught.value}"
