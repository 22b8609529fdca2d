"""Write `src/pixelsmith/_kernels/median_network.py`: 3x3 and 5x5 box medians as comparator networks.

`python tools/gen_median_network.py` regenerates the module (then `ruff format` it).

A comparator network is a fixed list of (min, max) exchanges, so its code is
straight-line: the loop over a row's pixels vectorises (64 uint8 lanes per
AVX-512 instruction). The networks are derived here, not copied:

1. Batcher's odd-even merge sort for the next power of two of wires, with the
   missing wires taken as +inf on the highest indices (their comparators do nothing).
2. Each window's columns are sorted first (shared by the m windows that
   contain a column), so the median stage only has to be right for inputs
   whose columns are sorted.
3. Comparators are removed one at a time, from the last, while the network
   still gives the right answer on every 0-1 input of that kind. By the 0-1
   principle a comparator network that selects the k-th smallest of every
   0-1 input selects it of every input, so this check is a proof.
4. Only the comparator outputs that a later comparator (or the answer) reads
   are computed.

For m = 5: 9 comparators sort a column, and 134 min/max operations take the
median of 25 from five sorted columns. For m = 3: 3 comparators, and the
classic median of (largest minimum, median of medians, smallest maximum),
12 operations where the pruned sorting network needs 20.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

TARGET = Path(__file__).parent.parent / "src" / "pixelsmith" / "_kernels" / "median_network.py"


def batcher(n: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sort on n = 2**k wires: (i, j) with i < j puts the min on i."""
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


def apply(pairs: list[tuple[int, int]], values: np.ndarray) -> np.ndarray:
    """The network on columns of `values` (wires along axis 0)."""
    values = values.copy()
    for i, j in pairs:
        low, high = np.minimum(values[i], values[j]), np.maximum(values[i], values[j])
        values[i], values[j] = low, high
    return values


def pruned(pairs: list[tuple[int, int]], wires: int, inputs: np.ndarray, wanted) -> list[tuple[int, int]]:
    """Drop comparators touching pad wires (>= wires), then each one whose removal keeps `wanted(output)` true."""
    pairs = [(i, j) for i, j in pairs if j < wires]
    for index in range(len(pairs) - 1, -1, -1):
        trial = pairs[:index] + pairs[index + 1 :]
        if wanted(apply(trial, inputs)):
            pairs = trial
    return pairs


def column_sort(m: int) -> list[tuple[int, int]]:
    """A network sorting m values, checked on all 2**m 0-1 inputs."""
    inputs = np.array(list(itertools.product((0, 1), repeat=m)), dtype=np.uint8).T
    expected = np.sort(inputs, axis=0)
    return pruned(batcher(1 << (m - 1).bit_length()), m, inputs, lambda out: np.array_equal(out, expected))


def sorted_column_inputs(m: int) -> np.ndarray:
    """All 0-1 windows (wire c*m + r = rank r of column c) whose m columns are each sorted: (m*m, (m+1)**m)."""
    windows = []
    for zeros in itertools.product(range(m + 1), repeat=m):
        window = []
        for z in zeros:
            window += [0] * z + [1] * (m - z)
        windows.append(window)
    return np.array(windows, dtype=np.uint8).T


def three_by_three() -> list[tuple[int, int]]:
    """3x3 from sorted columns: the median of (largest column minimum, median of the column medians,
    smallest column maximum), a classic result (Paeth, Graphics Gems 1990), as comparators; the median
    ends on wire 4 like the pruned sorting network's."""
    largest_low = [(0, 3), (3, 6)]  # wire 6: max of the minima (wires 0, 3, 6)
    smallest_high = [(2, 5), (2, 8)]  # wire 2: min of the maxima (wires 2, 5, 8)
    middle = [(1, 4), (4, 7), (1, 4)]  # wire 4: median of the medians (wires 1, 4, 7)
    final = [(2, 4), (4, 6), (2, 4)]  # wire 4: median of wires 2, 4, 6
    return largest_low + smallest_high + middle + final


def median_of_sorted_columns(m: int) -> list[tuple[int, int]]:
    """A network leaving the median of m*m values on wire m*m // 2, given sorted columns; checked on all
    0-1 inputs. The pruned sorting network, or for m = 3 the classic one when it needs fewer operations."""
    n = m * m
    inputs = sorted_column_inputs(m)
    expected = np.sort(inputs, axis=0)[n // 2]

    def right(out: np.ndarray) -> bool:
        return np.array_equal(out[n // 2], expected)

    candidates = [pruned(batcher(1 << (n - 1).bit_length()), n, inputs, right)]
    if m == 3:
        candidates.append(pruned(three_by_three(), n, inputs, right))
    assert all(right(apply(net, inputs)) for net in candidates)
    return min(candidates, key=lambda net: sum(a + b for *_, a, b in live(net, {n // 2})))


def live(pairs: list[tuple[int, int]], answers: set[int]) -> list[tuple[int, int, bool, bool]]:
    """(i, j, min needed, max needed) for the comparators whose outputs are read later or are an answer."""
    needed = set(answers)
    steps = []
    for i, j in reversed(pairs):
        want_min, want_max = i in needed, j in needed
        if want_min or want_max:
            steps.append((i, j, want_min, want_max))
            needed |= {i, j}
    return steps[::-1]


def network_lines(steps, name, indent: str) -> list[str]:
    lines = []
    for i, j, want_min, want_max in steps:
        a, b = f"{name}{i}", f"{name}{j}"
        if want_min and want_max:
            lines.append(f"{indent}{a}, {b} = min({a}, {b}), max({a}, {b})")
        elif want_min:
            lines.append(f"{indent}{a} = min({a}, {b})")
        else:
            lines.append(f"{indent}{b} = max({a}, {b})")
    return lines


def kernel_source(m: int) -> str:
    n = m * m
    sort_steps = live(column_sort(m), set(range(m)))
    median_steps = live(median_of_sorted_columns(m), {n // 2})
    ops = sum(a + b for *_, a, b in median_steps)
    body = [
        "",
        "",
        "@kernel",
        f"def median{m}_rows(x, row_map, col_map, fill, check_nan, r0, r1, out):",
        f'    """{m}x{m} box median of output rows r0..r1-1 into `out`; False if the rows read hold NaN.',
        "",
        f"    Output row i reads padded rows i .. i + {m - 1} (`row_map`: source row, -1 for `fill`);",
        f"    output column j padded columns j .. j + {m - 1} (`col_map`). Per output row: each padded",
        f"    column's {m} values are sorted ({len(sort_steps)} comparators), then each window's median is",
        f"    selected from its {m} sorted columns ({ops} min/max operations), all in the input's dtype.",
        '    """',
        "    n1 = x.shape[1]",
        "    width = col_map.shape[0]",
        "    n_out = out.shape[1]",
        f"    ring = np.empty(({m}, width), x.dtype)  # padded rows, row p in slot p % {m}",
        f"    ranks = np.empty(({m}, width), x.dtype)  # ranks[r, q]: the r-th smallest of padded column q",
        "    flags = np.zeros(n1)",
        f"    for p in range(r0, r0 + {m - 1}):",
        f"        padded_row(x, row_map[p], col_map, {m // 2}, 0, fill, ring[p % {m}])",
        "        if check_nan:",
        "            nan_flags(x, row_map[p], flags)",
        "    for i in range(r0, r1):",
        f"        e = i + {m - 1}",
        f"        padded_row(x, row_map[e], col_map, {m // 2}, 0, fill, ring[e % {m}])",
        "        if check_nan:",
        "            nan_flags(x, row_map[e], flags)",
    ]
    body += [f"        a{r} = ring[(i + {r}) % {m}]" for r in range(m)]
    body += [f"        s{r} = ranks[{r}]" for r in range(m)]
    body += ["        for q in range(width):"]
    body += [f"            c{r} = a{r}[q]" for r in range(m)]
    body += network_lines(sort_steps, "c", "            ")
    body += [f"            s{r}[q] = c{r}" for r in range(m)]
    body += ["        # slices, indexed from 0: `s[q + d]` would test for a negative index and not vectorise"]
    for d in range(m):
        for r in range(m):
            body.append(f"        t{d * m + r} = s{r}[{d} : {d} + n_out]")
    body += ["        target = out[i]", "        for j in range(n_out):"]
    body += [f"            w{k} = t{k}[j]" for k in range(n)]
    body += network_lines(median_steps, "w", "            ")
    body += [f"            target[j] = w{n // 2}"]
    body += ["    return not check_nan or all_zero(flags)"]
    return "\n".join(body)


def module_source() -> str:
    header = [
        '"""3x3 and 5x5 box medians as comparator networks, rows streamed (GENERATED: do not edit).',
        "",
        "Written by `tools/gen_median_network.py`, which derives the networks and",
        "proves them on every 0-1 input (see its docstring). Exact in any dtype",
        "(only min and max), so the input's dtype is kept; NaN is reported, not ordered.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import numpy as np",
        "",
        "from . import kernel",
        "from .rows import all_zero, nan_flags, padded_row",
    ]
    return "\n".join(header) + kernel_source(3) + kernel_source(5) + "\n"


if __name__ == "__main__":
    TARGET.write_text(module_source())
    print(f"written {TARGET}")
