"""The services panel switches scopes through the document."""

from __future__ import annotations

from aetherflow import BaseFlowContext, Flow, node, providers

from aetherflow_studio.document import FlowDocument
from aetherflow_studio.panels.services_panel import SCOPE_HINTS, ServicesPanel, service_users


class Pool:
    pass


class Ctx(BaseFlowContext):
    pool = providers.Singleton(Pool)


@node
def query(pool, sql: str = "select 1"):
    return {"rows": []}


@node
def wired(pool):
    return {"done": True}


def make_doc() -> FlowDocument:
    flow = Flow("svc", context=Ctx)
    flow.add(query, id="q")
    flow.add(wired, id="w", pool="a constant wins over the service")
    return FlowDocument(flow, trusted=True)


def test_lists_services_with_scope_users_and_hint(qtbot) -> None:
    doc = make_doc()
    panel = ServicesPanel()
    qtbot.addWidget(panel)
    panel.set_document(doc)
    assert set(panel.cards) == set(doc.flow.services)
    card = panel.cards["pool"]
    assert card.switch.choice() == "shared"
    assert card.hint.text().startswith(SCOPE_HINTS["shared"])
    assert service_users(doc.flow, "pool") == ["q"]
    assert "q" in card.users.text()


def test_switch_click_is_undoable(qtbot) -> None:
    doc = make_doc()
    panel = ServicesPanel()
    qtbot.addWidget(panel)
    panel.set_document(doc)
    qtbot.mouseClick(panel.cards["pool"].switch.buttons["isolated"], _left())
    assert doc.flow.services["pool"].scope == "isolated"
    assert panel.cards["pool"].switch.choice() == "isolated"
    assert SCOPE_HINTS["isolated"] in panel.cards["pool"].hint.text()
    doc.undo()
    assert doc.flow.services["pool"].scope == "shared"
    assert panel.cards["pool"].switch.choice() == "shared"


def test_executor_note(qtbot) -> None:
    panel = ServicesPanel()
    qtbot.addWidget(panel)
    panel.set_document(make_doc())
    panel.show()
    panel.set_executor_note("On Dask, isolated services live once per worker thread.")
    assert panel.executor_note.isVisible()
    panel.set_executor_note("")
    assert not panel.executor_note.isVisible()


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
