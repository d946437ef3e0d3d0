"""The ``discourse`` command line: ``corpus``, ``analyze``, ``validate``, ``init``, ``figures`` and ``kernel``.

The argument wiring and the entry point only; each command lives in
:mod:`discourse._cli` (``corpus``, ``analyze``, ``validate``, ``project`` for
``init``/``figures``/``kernel``), and how a command runs (one-line errors,
exit codes, Ctrl-C) in :mod:`discourse._cli._run`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

from ._cli import analyze, corpus, project, validate
from ._cli._common import common_args
from ._cli._run import EXIT_INTERNAL, EXIT_USAGE, NOISY, Handler, Printed, interrupt_handling, run_command
from ._summary import PER_DOCUMENT_LINES  # noqa: F401  (standard library only; re-exported for tests)

__all__ = ["main", "build_parser", "EXIT_USAGE", "EXIT_INTERNAL"]

#: Each command: (adds its parser, runs it), in the order ``--help`` lists them.
_COMMANDS = {
    "corpus": (corpus.add_parser, corpus.run),
    "analyze": (analyze.add_parser, analyze.run),
    "validate": (validate.add_parser, validate.run),
    "init": (project.add_init, project.run_init),
    "figures": (project.add_figures, project.run_figures),
    "kernel": (project.add_kernel, project.run_kernel),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="discourse",
        description="Comparative discourse research with topic models.",
    )
    common_args(parser, default=False)
    common = argparse.ArgumentParser(add_help=False)
    common_args(common, default=argparse.SUPPRESS)  # also accepted after the command
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for add_parser, _ in _COMMANDS.values():
        add_parser(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``discourse`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    level = logging.DEBUG if args.debug else (logging.WARNING if args.quiet else logging.INFO)
    printed = Printed()
    handler = Handler(printed)
    root = logging.getLogger()
    saved = (root.level, {name: logging.getLogger(name).level for name in NOISY})
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.ERROR if not args.debug else logging.DEBUG)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.quiet:
        os.environ["DISCOURSE_PROGRESS"] = "0"
    if getattr(args, "reproducible", False):
        from .numeric import pin_before_import

        pin_before_import()  # in place when no numeric library has loaded yet; else analyze starts a process
    with interrupt_handling():
        try:
            return run_command(args, printed, _COMMANDS[args.command][1])
        finally:
            root.removeHandler(handler)
            root.setLevel(saved[0])
            for name, lvl in saved[1].items():
                logging.getLogger(name).setLevel(lvl)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
