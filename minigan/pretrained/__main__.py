"""python -m minigan.pretrained {list,export,quality}: the shipped generators (see export.py)."""
from __future__ import annotations

import argparse
import shlex
import sys

from ..demo_tools.cli import add_debug_argument, finite_float, run_main
from . import MODELS, read_manifest, verify
from . import export as tools


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m minigan.pretrained",
                                description="minigan's shipped pre-trained generators: list, export, record quality")
    sub = p.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="each shipped generator, its file checked against the manifest")
    listing.add_argument("--markdown", action="store_true", help="print the quality table of the results page")
    ex = sub.add_parser("export", help="write minigan/pretrained/MODEL.npz (float16) from a training run")
    ex.add_argument("--model", choices=list(MODELS), required=True)
    ex.add_argument("--run", required=True, help="the run's --out folder (its generator.npz is read), or a generator.npz")
    ex.add_argument("--train-command", required=True, help="the exact command that trained the run (recorded)")
    ex.add_argument("--wall-seconds", type=finite_float, default=None, help="the run's wall-clock time (recorded)")
    q = sub.add_parser("quality", help="record demos/evaluate_mnist.py's scores of the shipped and the float32 model")
    q.add_argument("--model", choices=list(MODELS), required=True)
    q.add_argument("--shipped", required=True, help="folder of demos/generate.py --model MODEL, then evaluated")
    q.add_argument("--original", required=True, help="folder of demos/generate.py --checkpoint RUN, then evaluated")
    q.add_argument("--data", default="DIR", help="the MNIST folder the evaluation read (recorded in the command)")
    for parser in (listing, ex, q):
        add_debug_argument(parser)
    return p.parse_args(argv)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.command == "export":
        record = tools.export(args.model, args.run, args.train_command, wall_seconds=args.wall_seconds,
                              command=shlex.join(["python", "-m", "minigan.pretrained", *argv]))
        print(f"wrote {record['file']}: {record['size']:,} bytes, SHA-256 {record['sha256']}; "
              f"largest pixel change from rounding {record['export']['max_pixel_change']:.2e}")
    elif args.command == "quality":
        quality = tools.record_quality(args.model, args.shipped, args.original, args.data)
        print(", ".join(f"{k}: label accuracy {quality[k]['label_accuracy']:.4f}" for k in ("float16", "float32")))
    elif args.markdown:
        print(tools.table())
    else:
        for name, record in read_manifest().items():
            verify(name)
            print(f"{name:6} {record['file']:10} {record['size']:>10,} bytes  {record['what']}; "
                  f"{record['epochs']} epochs, seed {record['seed']}  (file checked)")


if __name__ == "__main__":
    run_main(main)
