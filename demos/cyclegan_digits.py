"""Train CycleGAN (Zhu et al. 2017) between two styles of MNIST digits, from scratch on NumPy/CuPy.

    python demos/cyclegan_digits.py --data DIR                      # A: MNIST, B: bold dark-on-white digits
    python demos/cyclegan_digits.py --data DIR --no-cycle --out outputs/cyclegan_no_cycle   # lambda = 0
    python demos/cyclegan_digits.py --resume --epochs 4             # continue exactly where the last checkpoint stopped

Domain A is the training digits 0-29,999 as they are, domain B the digits 30,000-59,999 a pixel bolder and
dark on white (minigan/data/digit_styles.py): no image has its pair in the other domain. Writes to --out
(default outputs/cyclegan_digits): after every epoch translations.png (a -> G(a) -> F(G(a)) and
b -> F(b) -> G(F(b)) for ten fixed test digits; copies per epoch in epochs/), loss_curves.png and
checkpoint.npz; at the end a.npy, g_of_a.npy, a_labels.npy, b.npy, f_of_b.npy, b_labels.npy (the first
1,000 test digits of each domain and their translations, (1000, 784) float32 in [0, 1]) and summary.json
with the measurements on the test digits (content kept, style changed, cycle error). The content
measurement needs the MNIST classifier of demos/evaluate_mnist.py (--classifier-only trains and caches
it). The recipe is minigan/experiments/cyclegan.py; see docs/08_image_translation.md.
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan.demo_tools import cli  # noqa: E402
from minigan.experiments import cyclegan  # noqa: E402

DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "outputs" / "cyclegan_digits"

#: measurement -> what the demo prints for it
REPORT = {
    "content_kept_g_of_a": "content kept: G(a) read as a's digit (after undo_style)",
    "content_kept_f_of_b": "content kept: F(b) read as b's digit",
    "style_changed_g_of_a": "style changed: G(a) called B",
    "style_changed_f_of_b": "style changed: F(b) called A",
    "cycle_error_a": "cycle error mean |F(G(a)) - a|",
    "cycle_error_b": "cycle error mean |G(F(b)) - b|",
    "pair_error_g_of_a": "pair error mean |G(a) - b| (b: a's true pair)",
    "pair_error_f_of_b": "pair error mean |F(b) - a|",
    "digit_accuracy_real_a": "reference: classifier on real a",
    "digit_accuracy_real_b": "reference: classifier on real b (after undo_style)",
    "domain_accuracy_real": "reference: domain classifier on real a and b",
}


def parse_args(argv=None):
    defaults = cyclegan.Settings()
    p = cli.image_demo_parser(__doc__, defaults, DEFAULT_OUT)
    p.add_argument("--no-cycle", action="store_true",
                   help="lambda = 0: no cycle loss (and so no identity loss), two independent GANs, for the comparison")
    p.add_argument("--cycle-weight", type=cli.bounded(0), default=defaults.cycle_weight, metavar="LAMBDA",
                   help="lambda, the weight of the cycle loss (default: %(default)s, the paper's)")
    p.add_argument("--identity-weight", type=cli.bounded(0), default=defaults.identity_weight,
                   help="the identity loss's weight as a fraction of lambda (default: %(default)s, off, which learns "
                        "these two domains far better; 0.5 is the paper's code's, docs/08_image_translation.md section 6)")
    p.add_argument("--lr", type=cli.positive(float), default=defaults.lr_g, help="Adam's learning rate (default: %(default)s)")
    p.add_argument("--g-width", type=cli.positive(int), default=defaults.g_width,
                   help="channels of G's residual blocks, even (default: %(default)s)")
    p.add_argument("--residual-blocks", type=cli.positive(int), default=defaults.residual_blocks,
                   help="residual blocks in G and F (default: %(default)s)")
    p.add_argument("--d-width", type=cli.positive(int), default=defaults.d_width,
                   help="channels of the PatchGAN discriminators' second convolution (default: %(default)s)")
    p.add_argument("--test-images", type=cli.positive(int), default=10000,
                   help="measure on the first N test digits (default: all %(default)s)")
    args = p.parse_args(argv)
    if args.no_cycle and args.cycle_weight != defaults.cycle_weight:
        p.error("--no-cycle sets lambda to 0; do not also pass --cycle-weight")
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    settings = cyclegan.Settings(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, lr_d=args.lr,
                                 lr_g=args.lr, cycle_weight=0.0 if args.no_cycle else args.cycle_weight,
                                 identity_weight=args.identity_weight, g_width=args.g_width,
                                 residual_blocks=args.residual_blocks, d_width=args.d_width, limit=args.limit)
    summary = cli.run_image_demo(cyclegan.Experiment(settings, test_images=args.test_images), args)
    measured = summary["measurements"]
    print(f"measured on {measured['test_images']:,} test digits ({summary['measurement_notes']['content']}):")
    for key, label in REPORT.items():
        if key in measured:
            print(f"  {label:<55} {measured[key]:.4f}")
    return summary


if __name__ == "__main__":
    cli.run_main(main)
