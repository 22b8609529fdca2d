"""Old public names keep working for one release, with a DeprecationWarning that names the new one."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

REMOVED_IN = "0.3"


def renamed_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old keyword names of a function's parameters (``@renamed_keywords(a="image")``)."""

    def decorate(func: F) -> F:
        import inspect

        names = list(inspect.signature(func).parameters)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs or new in names[: len(args)]:
                        from ._validate import PixelsmithTypeError

                        raise PixelsmithTypeError(
                            f"{func.__name__}() got both `{new}` and its deprecated name `{old}`; give only `{new}`"
                        )
                    warnings.warn(
                        f"{func.__name__}({old}=...) is deprecated; use {new}=... "
                        f"(the old name goes in pixelsmith {REMOVED_IN})",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def renamed_function(func: F, old_name: str) -> F:
    """`func` under its old name: same behaviour, a DeprecationWarning naming the new one."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"pixelsmith.{old_name} is deprecated; use pixelsmith.{func.__name__} "
            f"(the old name goes in pixelsmith {REMOVED_IN})",
            DeprecationWarning,
            stacklevel=2,
        )
        return func(*args, **kwargs)

    wrapper.__name__ = old_name
    wrapper.__qualname__ = old_name
    wrapper.__doc__ = f"Deprecated alias of `{func.__name__}`, kept for one release.\n\n{func.__doc__ or ''}"
    return wrapper  # type: ignore[return-value]


def renamed_attribute(new: str, old: str) -> property:
    """A read-only property under the old name of a result field."""

    def getter(self: Any) -> Any:
        warnings.warn(
            f"{type(self).__name__}.{old} is deprecated; use .{new} (the old name goes in pixelsmith {REMOVED_IN})",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, new)

    return property(getter, doc=f"Deprecated name of `{new}`.")
