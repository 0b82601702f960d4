"""Canvas speed: open a 1,000-node / 1,500-edge flow, then zoom and pan with repaints.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py \
        --snapshot docs/images/canvas.png

Times the scene build plus the first paint of the view (``view.grab()``), zoomed out to
show everything and at 100 %, then per-frame times of zoom and pan steps, each followed
by a synchronous viewport repaint. The "detail" column counts the frames drawn by the
scene's batch overview item (zoomed out, or while the wheel turns) and by the items
themselves, with and without port labels. ``--snapshot`` renders the example flow instead.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from aetherflow import BaseFlowContext, Flow, NodeSpec, PortSpec, node, providers
from aetherflow.graph.model import OutputSpec
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aetherflow_studio.canvas import FlowScene, FlowView
from aetherflow_studio.canvas.node_item import LOD_TEXT, NodeItem
from aetherflow_studio.canvas.view import MIN_ZOOM

try:
    from aetherflow_studio.canvas.node_item import LOD_LABELS
except ImportError:  # builds before the port-label band
    LOD_LABELS = 0.5
from aetherflow_studio.document import FlowDocument


@node
def combine(left: list, right: list | None = None, scale: float = 1.0) -> dict:
    """Merge two streams of rows."""
    return {"rows": (left or []) + (right or []), "count": len(left)}


def big_flow(n_nodes: int, n_edges: int, seed: int = 5) -> Flow:
    """Columns of 25 nodes; every node past the first column takes ``left`` from the
    previous column, and enough of them ``right`` too to reach ``n_edges``."""
    rng = random.Random(seed)
    flow = Flow("bench")
    rows = 25
    ids = [
        flow.add(combine, f"n{i}", position=((i // rows) * 260.0, (i % rows) * 130.0))
        for i in range(n_nodes)
    ]
    later = ids[rows:]
    extra = n_edges - len(later)
    with_right = set(rng.sample(later, min(extra, len(later))))
    for i, node_id in enumerate(later):
        col = (i + rows) // rows
        prev = ids[(col - 1) * rows : col * rows]
        flow.connect(f"{rng.choice(prev)}.rows", f"{node_id}.left")
        if node_id in with_right:
            flow.connect(f"{rng.choice(prev)}.count", f"{node_id}.right")
    return flow


def wheel(view: FlowView, delta: int) -> None:
    """One wheel notch at the view's centre, as the mouse sends it."""
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def detail(view: FlowView) -> str:
    """Which level of detail the view draws at now."""
    if getattr(view.flow_scene, "overview_on", False):  # older builds have no overview
        return "overview"
    if NodeItem.fast_paint or view.zoom() < LOD_TEXT:
        return "boxes"
    return "items" if view.zoom() >= LOD_LABELS else "items, no port labels"


def frame_times(view: FlowView, steps: list, bands: list[str] | None = None) -> list[float]:
    out = []
    for step in steps:
        t0 = time.perf_counter()
        step()
        QApplication.processEvents()  # delivers the update Qt scheduled (scrolls blit)
        out.append((time.perf_counter() - t0) * 1000.0)
        if bands is not None:
            bands.append(detail(view))
    return out


def bench(n_nodes: int, n_edges: int) -> None:
    app = QApplication.instance() or QApplication([])
    flow = big_flow(n_nodes, n_edges)
    print(f"flow: {len(flow.nodes)} nodes, {len(flow.edges)} edges")
    results = {}
    holder: dict = {}

    def open_all() -> None:
        doc = FlowDocument(flow)
        scene = FlowScene(doc)
        view = FlowView(scene)
        view.resize(1600, 1000)
        view.show()
        view.frame_all()
        view.grab()
        holder.update(doc=doc, scene=scene, view=view)

    results["open: build scene + first paint (all visible)"] = timed(open_all)
    view: FlowView = holder["view"]

    def at_100() -> None:
        view.resetTransform()
        view.centerOn(QPointF(1200, 1500))
        view.grab()

    results["first paint at 100 % zoom"] = timed(at_100)
    app.processEvents()
    # Zoom about the view centre: the cursor is not over an offscreen window.
    view.setTransformationAnchor(FlowView.ViewportAnchor.AnchorViewCenter)
    frames: dict[str, list[float]] = {}
    bands: dict[str, list[str]] = {}

    def measure(label: str, steps: list) -> None:
        bands[label] = []
        frames[label] = frame_times(view, steps, bands[label])

    zoom_out = [lambda: view.set_zoom(view.zoom() / 1.12)] * 20
    zoom_in = [lambda: view.set_zoom(view.zoom() * 1.12)] * 20
    measure("zoom steps 1.0 -> 0.10 -> 1.0, full quality", zoom_out + zoom_in)
    wheel_out, wheel_in = [lambda: wheel(view, -76)] * 20, [lambda: wheel(view, 76)] * 20
    measure("wheel steps 1.0 -> 0.10 -> 1.0 (fast paint)", wheel_out + wheel_in)
    t0 = time.perf_counter()
    QTest.qWait(200)  # the zoom settles: one full-quality repaint
    frames["wheel steps 1.0 -> 0.10 -> 1.0 (fast paint)"].append(
        (time.perf_counter() - t0) * 1000.0 - 150.0
    )
    bands["wheel steps 1.0 -> 0.10 -> 1.0 (fast paint)"].append(detail(view))
    # 20 steps and back, so the content stays in view (1600 x 1000 px of travel otherwise)
    pan = [lambda: view.pan_by(QPointF(-40, -25))] * 20 + [
        lambda: view.pan_by(QPointF(40, 25))
    ] * 20
    for zoom, label in ((1.0, "100 %, full detail"), (0.4, "40 %, no text"), (None, "all visible")):
        if zoom is None:
            view.frame_all()
        else:
            view.set_zoom(zoom)
        measure(f"pan steps at {label}", pan)
    # Everything in view: from "frame all" (~0.15 here) down to the minimum zoom and back.
    view.frame_all()
    QApplication.processEvents()
    fit = view.zoom()
    n = max(1, round(math.log(fit / MIN_ZOOM) / math.log(1.06)))
    all_out = [lambda: view.set_zoom(view.zoom() / 1.06)] * n
    all_in = [lambda: view.set_zoom(view.zoom() * 1.06)] * n
    measure(f"zoom steps {fit:.2f} -> {MIN_ZOOM:.2f} -> {fit:.2f}, all visible", all_out + all_in)
    print()
    print("| measure | ms |")
    print("|---|---:|")
    for k, v in results.items():
        print(f"| {k} | {v:.0f} |")
    print()
    print("| per frame (step + the repaint it schedules) | median ms | 90th pct ms | detail |")
    print("|---|---:|---:|---|")
    for k, v in frames.items():
        p90 = statistics.quantiles(v, n=10)[-1]
        used = ", ".join(f"{b} {bands[k].count(b)}" for b in dict.fromkeys(bands[k]))
        print(f"| {k} | {statistics.median(v):.1f} | {p90:.1f} | {used} |")


# -- the example picture ---------------------------------------------------------------
class ExampleContext(BaseFlowContext):
    db_pool = providers.Singleton(dict)
    cache = providers.Singleton(dict)
    model = providers.ThreadLocalSingleton(dict)


@node
def read_orders(path: str = "orders.csv") -> dict:
    """Read order rows from a CSV file."""
    return {"rows": [path], "count": 1}


@node
def validate(rows: list, strict: bool = True) -> dict:
    """Drop malformed rows."""
    return {"valid": rows, "rejected": []}


@node
def enrich(valid: list, db_pool, cache) -> dict:
    """Join each order with its customer (shared pool and cache)."""
    return {"orders": valid}


@node
def score(orders: list, model, threshold: float = 0.5) -> dict:
    """Score fraud risk with a per-thread model."""
    return {"scores": [0.1 for _ in orders]}


@node
def summarise(scores: list, rejected: list, title: str = "Daily") -> dict:
    """Totals for the report."""
    return {"summary": title}


@node
def write_report(summary: str, path: str = "report.md") -> dict:
    """Write the report."""
    return {"written": path}


def example_document() -> FlowDocument:
    flow = Flow("orders", context=ExampleContext)
    flow.set_scope("model", "isolated")
    flow.add(read_orders, position=(0, 40))
    flow.add(validate, position=(260, 40))
    flow.add(enrich, position=(540, -60))
    flow.add(score, position=(820, -60), threshold=0.8)
    flow.add(summarise, position=(1100, 100))
    flow.add(write_report, position=(1380, 100))
    geo = NodeSpec(
        "geocode",
        "acme_plugins.geo:geocode",
        inputs=[PortSpec("orders", "list"), PortSpec("api_key", "str")],
        outputs=[OutputSpec("located")],
        position=(820, 200),
        error="module 'acme_plugins' not found",
    )
    flow.insert_node(geo)
    flow.connect("read_orders.rows", "validate.rows")
    flow.connect("validate.valid", "enrich.valid")
    flow.connect("enrich.orders", "score.orders")
    flow.connect("score.scores", "summarise.scores")
    flow.connect("validate.rejected", "summarise.rejected")
    flow.connect("summarise.summary", "write_report.summary")
    flow.connect("enrich.orders", "geocode.orders")
    flow.add_group("frame", ["read_orders", "validate"], label="Ingest")
    flow.add_group("frame", ["summarise", "write_report"], label="Report")
    return FlowDocument(flow)


def snapshot(path: str) -> None:
    QApplication.instance() or QApplication([])
    doc = example_document()
    scene = FlowScene(doc)
    view = FlowView(scene)
    view.resize(1500, 520)
    view.show()
    scene.set_problems("write_report", ["'path' is a constant of the wrong type"])
    scene.set_node_overlay("score", "1,204 items · 0.8 ms/item", "running")
    scene.set_node_overlay("enrich", "1,204 items · 2.1 ms/item", "ok")
    scene.node_items["validate"].setSelected(True)
    view.frame_all()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    view.grab().save(path)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--edges", type=int, default=1500)
    parser.add_argument("--snapshot", metavar="PNG", help="render the example flow instead")
    args = parser.parse_args()
    if args.snapshot:
        snapshot(args.snapshot)
    else:
        bench(args.nodes, args.edges)


if __name__ == "__main__":
    main()
