"""Studio live run: is the GUI still live while a fast flow runs?

Opens the main window offscreen (1600x1000) with the canvas, thread state, throughput and
timeline panels visible, runs a trivial 3-node flow on worker threads over many generated
items, and measures while it runs:

- node executions per second (the engine's node counts / elapsed),
- the GUI event loop's stall: a 5 ms PreciseTimer probe records how late each tick comes,
- plot refreshes per second (the throughput panel's ``setData`` frames).

It measures the same flow headless (no GUI, same workers) before and after the watched
run, for the ratio watched/headless (against the mean of the two, which cancels a slow
drift of a shared machine's speed; both are printed).

Targets: >= 50,000 node executions/s, stall p99 <= 50 ms, >= 20 plot refreshes/s; with
``--executor process`` (workers in a child process) also watched/headless >= 0.90 and
stall p99 <= 30 ms.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_studio_run.py \
        [--seconds 6] [--workers 4] [--executor thread|process]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).parent))

from aetherflow.runtime.executor import discard_result
from studio_bench_nodes import trivial_flow


def headless_rate(workers: int, seconds: float) -> float:
    """Node executions/s of the same flow and settings with no GUI at all (the baseline)."""
    flow = trivial_flow()
    handle = flow.start(({"i": i} for i in range(50_000_000)), workers=workers,
                        collect=False, extract=discard_result)  # fmt: skip
    time.sleep(0.5)  # warm-up
    n0, t0 = sum(n.count for n in handle.snapshot().nodes), time.perf_counter()
    time.sleep(seconds)
    n1, t1 = sum(n.count for n in handle.snapshot().nodes), time.perf_counter()
    handle.cancel()
    handle.wait()
    return (n1 - n0) / (t1 - t0)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--seconds", type=float, default=6.0)
    args.add_argument("--workers", type=int, default=4)
    args.add_argument("--hide", default="", help="comma-separated docks to hide (diagnosis)")
    args.add_argument("--executor", default="thread", choices=("thread", "process"))
    args.add_argument(
        "--no-wire-values",
        action="store_true",
        help="switch Debug > Record Values on Wires off (it is on by default)",
    )
    opts = args.parse_args(argv)
    headless = headless_rate(opts.workers, opts.seconds)

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from aetherflow_studio.app.main_window import MainWindow
    from aetherflow_studio.app.settings import StudioSettings
    from aetherflow_studio.document import FlowDocument

    app = QApplication.instance() or QApplication(["bench"])
    tmp = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    window = MainWindow(settings=StudioSettings(tmp / "s.ini"), recovery_dir=tmp / "rec",
                        examples=False, entry_points=False)  # fmt: skip
    window.resize(1600, 1000)
    window.show()
    window.set_document(FlowDocument(trivial_flow(), trusted=True))
    ui = window.run_ui
    app.processEvents()  # the default layout tabs Timeline behind Throughput
    # Every live panel visible at once (the condition): give Timeline its own
    # place beside Throughput instead of a tab behind it.
    window.splitDockWidget(window.docks["throughput"], window.docks["timeline"],
                           Qt.Orientation.Horizontal)  # fmt: skip
    for name in ("thread_state", "throughput", "timeline"):
        window.docks[name].show()
    for name in filter(None, opts.hide.split(",")):
        window.docks[name].hide()
    app.processEvents()
    visible = [p.objectName() for p in (ui.thread_state, ui.throughput, ui.timeline)
               if p.isVisible()]  # fmt: skip

    late: list[float] = []
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(5)
    last = [0.0]

    def on_probe() -> None:
        now = clock.nsecsElapsed() / 1e9
        if last[0]:
            late.append(max(0.0, now - last[0] - 0.005))
        last[0] = now

    probe.timeout.connect(on_probe)
    if opts.no_wire_values:
        window.actions["debug.record_values"].setChecked(False)
    ui.panel.workers.setValue(opts.workers)
    ui.panel.executor.setCurrentIndex(ui.panel.executor.findData(opts.executor))
    ui.panel.set_input("count", 50_000_000)
    window.actions["run.start"].trigger()
    deadline = time.monotonic() + 60
    while ui.controller.handle is None and time.monotonic() < deadline:
        app.processEvents()
    settle = time.monotonic() + 0.5  # warm-up, as for the headless baseline
    while time.monotonic() < settle:
        app.processEvents()
    draws0, polls0 = ui.throughput.draws, ui.controller.polls
    nodes0 = sum(n.count for n in ui.controller.handle.snapshot().nodes)
    clock.start()
    probe.start()
    t0 = time.perf_counter()
    measured: dict[str, float] = {}

    def finish() -> None:  # read the counters while the run is still live, then quit
        measured["elapsed"] = time.perf_counter() - t0
        snap = ui.controller.handle.snapshot()
        measured["nodes"] = sum(n.count for n in snap.nodes) - nodes0
        measured["draws"] = ui.throughput.draws - draws0
        measured["polls"] = ui.controller.polls - polls0
        run = getattr(ui.controller.handle, "_run", None)  # thread executor internals
        measured["held"] = run.gate.held_seconds if run is not None else 0.0
        probe.stop()
        app.quit()

    QTimer.singleShot(int(opts.seconds * 1000), finish)
    app.exec()  # the real event loop: probe ticks, the 30 Hz poll and repaints run in here
    elapsed = measured["elapsed"]
    node_rate = measured["nodes"] / elapsed
    draws = measured["draws"] / elapsed
    polls = measured["polls"] / elapsed
    ui.controller.stop()
    deadline = time.monotonic() + 10
    while ui.controller.running and time.monotonic() < deadline:
        app.processEvents()
    headless_after = headless_rate(opts.workers, opts.seconds)
    headless_before, headless = headless, (headless + headless_after) / 2
    late_ms = sorted(x * 1e3 for x in late)
    p99 = late_ms[int(0.99 * (len(late_ms) - 1))] if late_ms else float("nan")
    wires = "off" if opts.no_wire_values else "on"
    print(f"executor: {opts.executor}; wire values {wires}; panels visible: {', '.join(visible)}; "
          f"workers: {opts.workers}; measured {elapsed:.1f} s")  # fmt: skip
    print(f"node executions/s: {node_rate:,.0f}   (target >= 50,000)")
    print(f"headless, same flow and workers: {headless_before:,.0f}/s before, "
          f"{headless_after:,.0f}/s after; watched/headless {node_rate / headless:.2f}"
          "   (target >= 0.90)")  # fmt: skip
    print(
        f"GUI stall p50/p99/max: {statistics.median(late_ms):.1f} / {p99:.1f} / "
        f"{late_ms[-1]:.1f} ms over {len(late_ms)} probe ticks   (target p99 <= 50 ms)"
    )
    print(f"plot refreshes/s: {draws:.1f} (frames delivered/s: {polls:.1f})   (target >= 20)")
    print(
        f"workers held back by the GUI frames: {100 * measured['held'] / elapsed:.1f}% of the time"
    )
    ok = node_rate >= 50_000 and p99 <= 50 and draws >= 20
    print("targets:", "met" if ok else "NOT met")
    window.document.undo_stack.setClean()
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
