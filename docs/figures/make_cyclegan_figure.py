"""Figure for docs/08_image_translation.md: the translation grids of real CycleGAN runs side by side.

Each run folder is one written by demos/cyclegan_digits.py; its translations.png (after the last epoch:
rows a, G(a), F(G(a)), b, F(b), G(F(b)) for ten test digits) becomes one panel, titled as given.

    python docs/figures/make_cyclegan_figure.py outputs/cyclegan_digits "lambda 10, identity 5" \\
        outputs/cyclegan_no_identity "lambda 10, no identity" outputs/cyclegan_no_cycle "no cycle loss"
    # writes docs/figures/cyclegan_digits.png (--out to change)
"""
from __future__ import annotations

import argparse
import os
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runs", nargs="+", help="pairs of FOLDER TITLE")
    p.add_argument("--out", type=pathlib.Path, default=HERE / "cyclegan_digits.png")
    args = p.parse_args(argv)
    if len(args.runs) % 2:
        p.error(f"runs must come in pairs FOLDER TITLE; got {len(args.runs)} words")
    pairs = list(zip(args.runs[::2], args.runs[1::2]))
    images = []
    for folder, _ in pairs:
        path = pathlib.Path(folder) / "translations.png"
        if not path.is_file():
            p.error(f"{path} does not exist: run demos/cyclegan_digits.py --out {folder} first")
        images.append(plt.imread(path))
    fig, axes = plt.subplots(1, len(pairs), figsize=(4.2 * len(pairs), 2.5), squeeze=False)
    for ax, image, (_, title) in zip(axes[0], images, pairs):
        h = image.shape[0]
        ax.imshow(image[int(0.09 * h):])           # without the grid's own title line
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    plt.close(fig)
    print(f"{args.out} ({os.path.getsize(args.out) // 1024} KB)")


if __name__ == "__main__":
    main()
