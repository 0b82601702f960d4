"""``aetherflow export FLOW -o script.py``: a flow as a standalone Python script."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import AetherFlowError
from ..graph.export import export_script
from ..graph.model import Flow


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", metavar="FLOW", help="the .aflow file to export")
    parser.add_argument(
        "-o", "--output", metavar="SCRIPT", help="where to write the script (default: stdout)"
    )


def main(args: argparse.Namespace) -> int:
    """Write the script; 0 on success, 2 when the flow cannot be read or exported."""
    try:
        flow = Flow.load(args.flow)
        text = export_script(flow)
    except (AetherFlowError, OSError) as exc:
        print(f"aetherflow export: {exc}", file=sys.stderr)
        return 2
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    tmp = f"{args.output}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, args.output)
    os.chmod(args.output, 0o755)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
