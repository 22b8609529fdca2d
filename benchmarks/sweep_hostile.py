"""Count what every public array function does with hostile input (issue 18's report table).

Uses the table and inputs of tests/test_adversarial.py: layouts and byte orders (must equal
the native float64 answer), odd shapes, dtypes, NaN/inf placements (must answer or refuse
clearly), and refusals (masked, complex, object, strings: must name the argument). Prints
one row per function: cases, equal answers, clean refusals, silent wrong answers, hangs,
tracebacks (any exception that is not a pixelsmith error). Not a speed benchmark.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from pixelsmith import PixelsmithError  # noqa: E402
from test_adversarial import PUBLIC, _hostile_arrays, _image, _same, _variants, time_limit  # noqa: E402


def classify(call, want=None, must_refuse_naming=None) -> str:
    try:
        with time_limit(30):
            got = call()
    except TimeoutError:
        return "hang"
    except PixelsmithError as exc:
        if must_refuse_naming and f"`{must_refuse_naming}`" not in str(exc):
            return "traceback"  # a refusal that does not name its argument counts as unhelpful
        return "clean error"
    except Exception:  # noqa: BLE001 - what the sweep counts
        return "traceback"
    if must_refuse_naming:
        return "silent wrong"
    if want is None:
        return "answered"
    try:
        _same(got, want)
    except AssertionError:
        return "silent wrong"
    return "equal"


def main() -> None:
    columns = ["equal", "answered", "clean error", "silent wrong", "hang", "traceback"]
    print(f"{'function':<18} | {'cases':>5} | " + " | ".join(f"{c:>12}" for c in columns))
    print("-" * (28 + 15 * len(columns)))
    totals = dict.fromkeys(columns, 0)
    for name, (func, arg) in PUBLIC.items():
        a = _image()
        want = func(a.copy())
        outcomes = [classify(lambda v=v, f=func: f(v), want) for _, v in _variants(a)]
        outcomes += [classify(lambda v=v, f=func: f(v), func(a.astype(np.float32))) for v in (a.astype(">f4"),)]
        outcomes += [classify(lambda v=v, f=func: f(v)) for v in _hostile_arrays().values()]
        masked = np.ma.masked_array(a, mask=np.zeros(a.shape, bool))
        masked[3, 4] = np.ma.masked
        for bad in (masked, a + 1j, a.astype(object), np.full(a.shape, "x")):
            outcomes.append(classify(lambda v=bad, f=func: f(v), must_refuse_naming=arg))
        counts = {c: outcomes.count(c) for c in columns}
        for c in columns:
            totals[c] += counts[c]
        print(f"{name:<18} | {len(outcomes):>5} | " + " | ".join(f"{counts[c]:>12}" for c in columns))
    print(f"{'total':<18} | {sum(totals.values()):>5} | " + " | ".join(f"{totals[c]:>12}" for c in columns))


if __name__ == "__main__":
    main()
