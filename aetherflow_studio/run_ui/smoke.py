"""The run part of ``aetherflow-studio --smoke-test``: run the open flow to the end."""

from __future__ import annotations

import sys
import time
from typing import Any

from aetherflow.printable import printable

SMOKE_ITEMS = 24


def run_to_end(app: Any, window: Any, timeout: float = 60.0) -> int:
    """Run the window's flow from the Run action (at most `SMOKE_ITEMS` items of its
    source, 4 workers) and wait for the end. Returns 0 when it finished without item
    errors, 1 otherwise (printed).

    A flow whose file is not trusted is not run (nothing of it is imported): its drawing
    is checked instead (`check_drawing`)."""
    if not window.document.trusted:  # the rule of opening a file: drawn, not run
        return check_drawing(window)
    ui = window.run_ui
    records: list[Any] = []
    ui.controller.run_finished.connect(records.append)
    ui.panel.workers.setValue(4)
    flow = window.document.flow
    # At most SMOKE_ITEMS: the examples are made to be watched for half a minute; a few
    # items through every node prove the bundle imports and runs them.
    ui.panel.set_input("source" if flow.source else "count", SMOKE_ITEMS)
    window.actions["run.start"].trigger()
    deadline = time.monotonic() + timeout
    while not records and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    if not records:
        ui.controller.shutdown()
        print(f"smoke test: the run did not finish within {timeout:.0f} s", file=sys.stderr)
        return 1
    record = records[0]
    if record.error or record.failed:
        first = ui.controller.errors[0].message if ui.controller.errors else record.error
        print(f"smoke test: run failed ({record.failed} errors): {first}", file=sys.stderr)
        return 1
    print(f"smoke test: ran {record.items} items on {record.settings.workers} threads")
    return 0


def check_drawing(window: Any) -> int:
    """An untrusted flow: 0 when the canvas drew every node and wire of the file."""
    flow, scene = window.document.flow, window.scene
    path = printable(window.document.path or flow.name)
    missing = [n for n in flow.nodes if n not in scene.node_items]
    wires = len(scene.edge_items)
    if missing or wires != len(flow.edges):
        print(f"smoke test: {path} drew {len(flow.nodes) - len(missing)} of {len(flow.nodes)} "
              f"nodes and {wires} of {len(flow.edges)} wires", file=sys.stderr)  # fmt: skip
        return 1
    print(f"smoke test: {path} is not trusted: drawn, not run ({len(flow.nodes)} nodes drawn, "
          f"{wires} wires; trust the file in the Studio to run it)")  # fmt: skip
    return 0
