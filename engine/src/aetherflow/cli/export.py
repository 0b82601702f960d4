"""``aetherflow export FLOW -o script.py``: a flow as a standalone Python script."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import AetherFlowError
from ..graph.atomicfile import atomic_write
from ..graph.export import export_script
from ..graph.model import Flow


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", metavar="FLOW", help="the .aflow file to export")
    parser.add_argument(
        "-o", "--output", metavar="SCRIPT", help="where to write the script (default: stdout)"
    )


def main(args: argparse.Namespace) -> int:
    """Write the script; 0 on success, 2 when the flow cannot be read or exported."""
    to_file = bool(args.output) and args.output != "-"
    try:
        flow = Flow.load(args.flow)
        text = export_script(flow, args.output if to_file else None)
    except (AetherFlowError, OSError) as exc:
        print(f"aetherflow export: {exc}", file=sys.stderr)
        return 2
    if not to_file:
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(args.output, text.encode("utf-8"))
        os.chmod(args.output, 0o755)
    except OSError as exc:
        print(f"aetherflow export: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
