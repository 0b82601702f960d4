"""`PortRef`: the one parser of ``"node.port"`` references."""

import pytest
from aetherflow import Flow, FlowError, PortRef


def test_the_port_is_after_the_last_dot():
    ref = PortRef.parse("stage.one.rows")
    assert (ref.node, ref.port) == ("stage.one", "rows")
    assert str(ref) == "stage.one.rows"


@pytest.mark.parametrize("text", ["rows", ".rows", "load.", "", None])
def test_anything_else_is_refused_naming_it(text):
    with pytest.raises(ValueError, match=r"is not 'node\.port'"):
        PortRef.parse(text)


def test_connect_reports_a_bad_reference_as_a_flow_error():
    flow = Flow("f")
    with pytest.raises(FlowError, match=r"'load\.' must look like 'node\.port'"):
        flow.connect("load.", "clean.rows")
