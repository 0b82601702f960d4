"""``aetherflow validate FLOW...``: list a flow file's problems.

One line per problem, ``FILE: severity: where: message`` (``-`` when the problem concerns
the whole flow). Exit status: 0 when no file has errors (warnings and infos allowed),
1 when some file has errors, 2 when some file cannot be read as a flow.

Validating is an explicit user action, so node modules are imported to check them
(the file's own folder is searched first); ``--no-import`` checks without importing,
against the ports saved in the file.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from ..errors import FlowFormatError
from ..graph.fileformat import load_flow
from ..graph.validate import validate_flow
from ..printable import printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flows", nargs="+", metavar="FLOW", help="a .aflow file")
    parser.add_argument(
        "--no-import",
        action="store_true",
        help="do not import node modules; check against the ports saved in the file",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="show errors and warnings only, not infos"
    )


def check_file(path: str, resolve: bool, quiet: bool = False) -> tuple[int, list[str]]:
    """Validate one file; return its exit status and its output lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            flow = load_flow(path)
        except FlowFormatError as exc:
            return 2, [_line(path, "error", exc.location, exc.reason)]
    lines = [_line(path, "warning", None, str(w.message).replace(f"{path}: ", "", 1))
             for w in caught]  # fmt: skip
    problems = validate_flow(flow, resolve=resolve)
    for p in problems:
        if quiet and p.severity == "info":
            continue
        lines.append(_line(path, p.severity, p.where, p.message))
    return (1 if any(p.severity == "error" for p in problems) else 0), lines


def _line(path: str, severity: str, where: str | None, message: str) -> str:
    """One problem, one line: text from the file is escaped (`printable`), so an id
    holding a newline or an ESC sequence cannot fake lines or recolour the terminal."""
    text = " ".join(printable(message).split())
    return f"{printable(path)}: {severity}: {printable(where or '-')}: {text}"


def main(args: argparse.Namespace) -> int:
    status = 0
    for path in args.flows:
        code, lines = check_file(path, resolve=not args.no_import, quiet=args.quiet)
        for line in lines:
            print(line)
        if code == 0 and not lines:
            print(f"{printable(path)}: ok", file=sys.stderr)
        status = max(status, code)
    return status
