"""`make lint`: every public function documents its Parameters, Returns and Examples (numpydoc).

Public means exported in ``__all__`` of pixelsmith and of its public subpackages.
Classes (results, geometry) must have a docstring with an Attributes or
Parameters section. Deprecated aliases are skipped: they point to their new name.
"""

from __future__ import annotations

import inspect
import sys
import warnings

from numpydoc.validate import validate

# GL08 no docstring, PR01 a parameter undocumented, PR02 a documented one that does not exist,
# RT01 no Returns, EX01 no Examples
CHECKS = ("GL08", "PR01", "PR02", "RT01", "EX01")
MODULES = (
    "pixelsmith",
    "pixelsmith.io",
    "pixelsmith.xray",
    "pixelsmith.document",
    "pixelsmith.datasets",
    "pixelsmith.footprints",
    "pixelsmith.limits",
    "pixelsmith.local",
)


def problems() -> list[str]:
    import importlib

    found = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj) or inspect.isclass(obj) and issubclass(obj, BaseException):
                continue  # modules, the version string, exceptions
            doc = inspect.getdoc(obj) or ""
            if "Deprecated alias" in doc:
                continue
            where = f"{module_name}.{name}"
            if inspect.isclass(obj):
                if not doc or ("Attributes\n" not in doc and "Parameters\n" not in doc and "unpacks as" not in doc):
                    found.append(f"{where}: a public class needs a docstring with Attributes or Parameters")
                continue
            target = inspect.unwrap(obj)
            result = validate(f"{target.__module__}.{target.__qualname__}")
            found += [f"{where}: {code} {message}" for code, message in result["errors"] if code in CHECKS]
    return found


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    errors = problems()
    for line in errors:
        print(line)
    print(f"docstrings: {len(errors)} problem(s)" if errors else "docstrings: every public function documented")
    sys.exit(1 if errors else 0)
