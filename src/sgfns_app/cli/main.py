"""`sgfns` command line: one module per subcommand in this package, each with `register(subparsers)`.

Each command module registers its arguments and sets `func`; heavy imports (torch, spaCy) happen inside `func`,
so `sgfns --help` and graph-only commands start fast. Expected user errors become one line on stderr and exit
status 2; `--debug` shows the traceback instead."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from sgfns import __version__
from sgfns.errors import UserError
from sgfns_app.logs import setup_logging

# Order is the order of `sgfns --help`. A module listed here that is absent is simply not offered.
COMMAND_MODULES = [
    "data",
    "convert",
    "prepare",
    "synth",
    "parse",
    "eval_parser",
    "negatives",
    "train",
    "eval",
    "score",
    "report",
    "encode",
    "search",
    "demo",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sgfns", description="Image-text matching with scene graphs (SGFNS).")
    parser.add_argument("--version", action="version", version=f"sgfns {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug-level logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"sgfns_app.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"sgfns_app.cli.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    setup_logging(verbose=args.verbose)
    try:
        rc = args.func(args)
    except UserError as e:
        if args.debug:
            raise
        print(f"sgfns {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sgfns {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    logging.shutdown()
    return int(rc or 0)


if __name__ == "__main__":
    raise SystemExit(main())
