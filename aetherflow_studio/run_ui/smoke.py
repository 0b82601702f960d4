"""The run part of ``aetherflow-studio --smoke-test``: run the open flow to the end."""

from __future__ import annotations

import sys
import time
from typing import Any

SMOKE_ITEMS = 24


def run_to_end(app: Any, window: Any, timeout: float = 60.0) -> int:
    """Run the window's flow from the Run action (at most `SMOKE_ITEMS` items of its
    source, 4 workers) and wait for the end. Returns 0 when it finished without item
    errors, 1 otherwise (printed)."""
    ui = window.run_ui
    if not window.document.trusted:
        window.document.set_trusted(True)  # the smoke test runs a flow it chose to open
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
