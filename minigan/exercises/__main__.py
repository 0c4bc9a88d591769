"""``python -m minigan.exercises list | start NAME | check NAME``: see the package's docstring.

Exit status: 0 done (check: right); 1 check: wrong or not written yet, start: the file exists (nothing
written); 2 a usage error (an unknown exercise, no such file, bad arguments).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import core, definition
from .messages import LANGUAGES, say
from .registry import EXERCISES

DEFAULT_DIR = "minigan_exercises"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m minigan.exercises",
                                     description="Exercises you write and minigan checks.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("list", "one line per exercise: name, chapter, what to write"),
                            ("start", "write the stub DIR/NAME.py (never over your work without --force)"),
                            ("check", "check DIR/NAME.py: exit 0 right, 1 wrong or not written yet")):
        command = commands.add_parser(name, help=help_text)
        if name != "list":
            command.add_argument("name", help="the exercise (see `list`)")
            command.add_argument("--dir", default=None, help=f"the folder of your files (default: {DEFAULT_DIR}/)")
        if name == "start":
            command.add_argument("--force", action="store_true",
                                 help="replace an existing file with a fresh stub (yours is kept as NAME.py.bak)")
        command.add_argument("--lang", choices=LANGUAGES, default="en", help="messages in English or Korean (ko)")
    return parser


def main(argv=None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    args = _parser().parse_args(argv)
    lang = args.lang
    if args.command == "list":
        print(say("list_header", lang))
        for exercise in EXERCISES.values():
            print(say("list_line", lang, name=exercise.name, chapter=exercise.chapter, task=exercise.task(lang)))
        return 0
    exercise = EXERCISES.get(args.name)
    if exercise is None:
        close = definition.suggestions(args.name, EXERCISES)
        suggestion = say("did_you_mean", lang, names=", ".join(close)) if close else ""
        print(say("unknown", lang, name=args.name, suggestion=suggestion), file=sys.stderr)
        return 2
    path = Path(args.dir or DEFAULT_DIR) / f"{exercise.name}.py"
    check = definition.check_command(exercise, args.dir, lang)
    if args.command == "start":
        return _start(exercise, path, args, check, lang)
    if not path.is_file():
        start = definition.command("start", exercise, args.dir, lang)
        print(say("no_file", lang, path=path, command=start), file=sys.stderr)
        return 2
    report = core.check(exercise, path, lang, args.dir)
    print(report.text)
    return report.code


def _start(exercise, path: Path, args, check: str, lang: str) -> int:
    """Write the stub; an existing file is the learner's work: kept, unless --force (then as NAME.py.bak)."""
    backup = path.with_name(path.name + ".bak")
    if path.exists():
        if not args.force:
            print(say("exists", lang, path=path, check=check, backup=backup))
            return 1
        path.replace(backup)
        print(say("backed_up", lang, backup=backup))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(definition.stub_text(exercise, args.dir), encoding="utf-8")
    print(say("wrote", lang, path=path, task=exercise.task(lang), functions=", ".join(exercise.functions), check=check))
    return 0


if __name__ == "__main__":
    sys.exit(main())
