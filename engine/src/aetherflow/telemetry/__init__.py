"""Live telemetry of runs, read by polling: per thread, per node, throughput, services.

Workers write plain per-thread counters (`WorkerProbe`) without locks; `Telemetry`
reads them into immutable `TelemetrySnapshot`s for the Studio (at ~30 Hz) and the CLI.
"""

from .collector import Telemetry
from .probe import WorkerProbe
from .render import render, safe_repr
from .shared import SharedProfile, SharedProxy
from .snapshot import NodeStats, ServicesSnapshot, SharedStats, TelemetrySnapshot, ThreadStats

__all__ = [
    "NodeStats",
    "ServicesSnapshot",
    "SharedProfile",
    "SharedProxy",
    "SharedStats",
    "Telemetry",
    "TelemetrySnapshot",
    "ThreadStats",
    "WorkerProbe",
    "render",
    "safe_repr",
]
