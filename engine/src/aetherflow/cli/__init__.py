"""The ``aetherflow`` command: subcommands live in sibling modules."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__

# name -> module; each module has add_arguments(parser) and main(args) -> int
SUBCOMMANDS = {
    "run": ("run a flow over items (JSON Lines) on worker threads", "aetherflow.cli.run"),
    "validate": ("check a flow file and list its problems", "aetherflow.cli.validate"),
    "export": ("write a flow as a standalone Python script", "aetherflow.cli.export"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aetherflow", description="Run, check and export AetherFlow flows."
    )
    parser.add_argument("--version", action="version", version=f"aetherflow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, module_name) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a subcommand not built yet
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_main", None):
        parser.print_help(sys.stderr)
        return 2
    return int(args._main(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
