"""AetherFlow: flows of plain Python functions, with shared or per-thread services.

The public API. Everything importable from here is the contract users rely on.
"""

from dependency_injector import providers

from ._version import __version__
from .compose import Branch, FanIn, FanOut, LoopControl, Repeat, Sequence
from .context import AppContext, BaseFlowContext, with_scopes
from .errors import (
    AetherFlowError,
    BranchError,
    CycleError,
    FlowError,
    FlowFormatError,
    FlowFormatWarning,
    MissingInputError,
    NodeExecutionError,
    ReferenceResolutionError,
    ScopeError,
)
from .graph import convert as _convert  # noqa: F401  (binds Node.to_flow)
from .graph import fileformat as _fileformat  # noqa: F401  (binds Flow.save, Flow.load...)
from .graph.export import export_script
from .graph.model import Flow
from .graph.specs import Edge, GroupSpec, NodeSpec, PortRef, PortSpec, ServiceSpec
from .graph.validate import Problem
from .node import Node, node
from .policy import NodePolicy
from .runtime import once as _once  # noqa: F401  (binds Node.run, Node.arun)
from .runtime.executor import ThreadRunHandle
from .runtime.handle import RunHandle
from .runtime.report import ItemError, RunReport
from .runtime.traces import BreakHit, ItemTrace, TraceStep
from .telemetry import (
    NodeStats,
    ServicesSnapshot,
    SharedStats,
    Telemetry,
    TelemetrySnapshot,
    ThreadStats,
)
from .telemetry.advice import ScopeAdvice, scope_advice
from .telemetry.races import RaceFinding, RaceWrite

__all__ = [
    "AetherFlowError",
    "AppContext",
    "BaseFlowContext",
    "Branch",
    "BranchError",
    "BreakHit",
    "CycleError",
    "Edge",
    "FanIn",
    "FanOut",
    "Flow",
    "FlowError",
    "FlowFormatError",
    "FlowFormatWarning",
    "GroupSpec",
    "ItemError",
    "ItemTrace",
    "LoopControl",
    "MissingInputError",
    "Node",
    "NodeExecutionError",
    "NodePolicy",
    "NodeSpec",
    "NodeStats",
    "PortRef",
    "PortSpec",
    "Problem",
    "RaceFinding",
    "RaceWrite",
    "ReferenceResolutionError",
    "Repeat",
    "RunHandle",
    "RunReport",
    "ScopeAdvice",
    "ScopeError",
    "Sequence",
    "ServiceSpec",
    "ServicesSnapshot",
    "SharedStats",
    "Telemetry",
    "TelemetrySnapshot",
    "ThreadRunHandle",
    "ThreadStats",
    "TraceStep",
    "__version__",
    "export_script",
    "node",
    "providers",
    "scope_advice",
    "with_scopes",
]
