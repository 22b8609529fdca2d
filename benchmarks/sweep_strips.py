"""Shuffled strips, never wrong in silence (issue 30): a sweep of images, strip counts and widths.

Images: textured photos (astronaut, coffee, chelsea), smooth ones (camera,
moon), a binary silhouette (horse) and text (scikit-image's ``text``); 4, 6,
8 and 12 strips of equal or random widths, shuffled, then reassembled with
``n_strips=`` and with the true ``cuts=``. Each result is counted as exact,
warned (a PixelsmithWarning: the result is in doubt), refused (a
PixelsmithError saying why), or wrong in silence, the one outcome that must
not happen.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
from skimage import color, data

sys.path.insert(0, str(Path(__file__).parent))
import pixelsmith as ps  # noqa: E402

IMAGES = {
    "astronaut (textured)": lambda: color.rgb2gray(data.astronaut()),
    "coffee (textured)": lambda: color.rgb2gray(data.coffee()),
    "chelsea (textured)": lambda: color.rgb2gray(data.chelsea()),
    "camera (smooth)": lambda: data.camera().astype(float),
    "moon (smooth)": lambda: data.moon().astype(float),
    "horse (silhouette)": lambda: (~data.horse()).astype(float),
    "text": lambda: data.text().astype(float),
}


def shuffled_case(image, n, widths, rng):
    width = image.shape[1]
    if widths == "equal":
        bounds = np.linspace(0, width, n + 1).astype(int)
    else:
        while True:
            bounds = np.sort(np.r_[0, rng.choice(np.arange(12, width - 12), n - 1, replace=False), width])
            if np.diff(bounds).min() >= 12:
                break
    pieces = [image[:, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    while True:
        order = rng.permutation(n)
        if not np.any(np.diff(order) == 1):  # no piece next to its neighbour: every cut is there to find
            break
    cuts = np.cumsum([0] + [pieces[i].shape[1] for i in order])[:-1]
    return np.hstack([pieces[i] for i in order]), cuts


def outcome(image, shuffled, **kwargs) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ps.document.unshuffle_strips(shuffled, **kwargs)
        except ps.PixelsmithError:
            return "refused"
    if result.image.shape == image.shape and np.array_equal(result.image, image):
        return "exact"
    return "warned" if any(issubclass(w.category, ps.PixelsmithWarning) for w in caught) else "SILENT"


def sweep(images=IMAGES, counts=(4, 6, 8, 12), seed=0):
    rng = np.random.default_rng(seed)
    table = {}
    for name, load in images.items():
        image = load()
        for n in counts:
            for widths in ("equal", "random"):
                shuffled, cuts = shuffled_case(image, n, widths, rng)
                for given in ("n_strips", "cuts"):
                    kwargs = {"n_strips": n} if given == "n_strips" else {"cuts": cuts}
                    table[(name, n, widths, given)] = outcome(image, shuffled, **kwargs)
    return table


def main():
    table = sweep()
    print(f"{'image':<22} | {'given':<8} | exact | warned | refused | wrong in silence")
    for name in IMAGES:
        for given in ("n_strips", "cuts"):
            results = [v for (img, _, _, g), v in table.items() if img == name and g == given]
            print(
                f"{name:<22} | {given:<8} | {results.count('exact'):>5} | {results.count('warned'):>6} | "
                f"{results.count('refused'):>7} | {results.count('SILENT'):>3} of {len(results)}"
            )
    silent = [key for key, value in table.items() if value == "SILENT"]
    print(f"# wrong in silence: {len(silent)} {silent}")


if __name__ == "__main__":
    main()
