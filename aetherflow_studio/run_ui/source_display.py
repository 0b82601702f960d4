"""The run controls follow the flow's design: the input choice names the source node, and
a flow's default run input (Flow Settings) is chosen when the flow opens or changes it."""

from __future__ import annotations

from typing import Any

from aetherflow.graph import events as ev

from aetherflow_studio.document.design_commands import RUN_INPUT_KEY


def follow(window: Any, panel: Any) -> None:
    """Keep ``panel`` (the run controls) in step with the window's current document."""

    def on_document(doc: Any) -> None:
        doc.model_changed.connect(lambda event: on_event(doc, event))
        show_source(panel, doc.flow.source)
        apply_run_input(panel, doc.flow.metadata.get(RUN_INPUT_KEY))

    def on_event(doc: Any, event: Any) -> None:
        if doc is not window.document or not isinstance(event, ev.FlowChanged):
            return
        if event.field == "source":
            show_source(panel, event.value)
        elif event.field == "metadata":
            apply_run_input(panel, doc.flow.metadata.get(RUN_INPUT_KEY))

    window.document_changed.connect(on_document)
    if window.document is not None:
        on_document(window.document)


def show_source(panel: Any, node_id: str | None) -> None:
    index = panel.input_kind.findData("source")
    text = f"Source: {node_id}" if node_id else "Source: none"
    panel.input_kind.setItemText(index, text)
    panel.input_kind.setItemData(index, text, 3)  # ToolTipRole


def apply_run_input(panel: Any, run_input: Any) -> None:
    if isinstance(run_input, dict) and run_input.get("kind") in ("source", "count"):
        count = run_input.get("count")
        panel.set_input(run_input["kind"], count if isinstance(count, int) else None)
