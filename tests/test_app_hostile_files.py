"""Files that try to fool the Studio: control characters in ids, code that must not run
before the user trusts it, temp files left by a killed save."""

from __future__ import annotations

import studio_nodes
from aetherflow import Flow
from test_app_support import force_close, make_window

EVIL = "fake\nline\x1b[31m\x00"


def test_control_characters_in_ids_show_escaped_in_the_problems_panel(qtbot, tmp_path) -> None:
    flow = Flow("hostile")
    flow.add(studio_nodes.clean, id=EVIL, position=(0, 0))  # 'rows' unwired: a flow input
    path = tmp_path / "hostile.aflow"
    flow.save(path)
    window = make_window(qtbot, tmp_path)
    window.ask_trust = lambda _path, _refs: "no"
    with qtbot.waitSignal(window.validation.problems_found, timeout=5000):
        assert window.files.open_path(path)
    qtbot.waitUntil(lambda: window.problems.count() > 0, timeout=5000)
    tree = window.problems.tree
    texts = [tree.topLevelItem(i).text(c) for i in range(tree.topLevelItemCount()) for c in (1, 2)]
    assert any("fake\\nline\\x1b[31m\\x00" in t for t in texts), texts
    assert not any(ch in t for t in texts for ch in "\n\x1b\x00")
    force_close(window)
