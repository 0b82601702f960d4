"""``aetherflow run FLOW``: run a flow over JSON Lines items on worker threads.

Results stream out as JSON Lines, one line per item in input order, as soon as every
earlier item is done. A failed item's line is ``{"__error__": {"index", "node",
"type", "message", "item"}}``; fed back with ``--input`` such a line stands for its
item, so the failures of one run can be re-run. Exit status:
0 all items succeeded, 1 some items failed (summary on stderr), 2 the flow or the
arguments are unusable (one line naming the file), 130 interrupted by Ctrl-C (the
finished results are written first; a second Ctrl-C quits at once).

Running a flow is an explicit user action: the flow's node modules are imported.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from ..errors import AetherFlowError, NodeExecutionError
from ..graph.model import Flow
from ..printable import printable
from ..runtime.dask_loss import Rerun
from ..runtime.executor import start_flow
from ..runtime.handle import RunHandle
from ..runtime.jsonl import read_json_lines
from ..runtime.report import ItemError, RunReport
from ..runtime.traces import ItemTrace
from ..telemetry.advice import advise_run
from ..telemetry.progress import Progress
from ..telemetry.render import render, safe_repr
from .output import LineWriter, OutputError, open_writer

SHOWN_ERRORS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", metavar="FLOW", help="a .aflow file")
    parser.add_argument(
        "-i", "--input", metavar="FILE",
        help="JSON Lines of items ('-' for stdin); default: the flow's source node",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--output", metavar="FILE", default="-",
        help="where to write result lines (default '-': stdout)",
    )  # fmt: skip
    parser.add_argument(
        "-w", "--workers", type=_positive, default=4, metavar="N",
        help="worker threads (default 4)",
    )  # fmt: skip
    parser.add_argument(
        "--concurrency", type=_positive, default=1, metavar="K",
        help="items each worker keeps in flight at await points, for flows with async "
        "nodes (default 1; threads only)",
    )  # fmt: skip
    parser.add_argument(
        "--scope", action="append", default=[], metavar="SERVICE=SCOPE",
        help="run a service 'shared' or 'isolated' (repeatable); overrides the file",
    )  # fmt: skip
    parser.add_argument(
        "--on-error", choices=("continue", "stop"), default="continue",
        help="after a failed item: go on (default) or stop after the items in flight",
    )  # fmt: skip
    parser.add_argument("--limit", type=_non_negative, metavar="N", help="take at most N items")
    parser.add_argument(
        "--trace", metavar="FILE",
        help="write one JSON line per node executed to FILE: index, node, thread, "
        "seconds, inputs, outputs, error (threads only)",
    )  # fmt: skip
    parser.add_argument(
        "--progress", choices=("auto", "on", "off"), default="auto",
        help="progress bar on stderr (auto: only when stderr is a terminal)",
    )  # fmt: skip
    parser.add_argument(
        "--profile-shared", action="store_true",
        help="time every call into shared services and print scope advice on stderr "
        "at the end (the services are wrapped in a timing proxy; threads only)",
    )  # fmt: skip
    parser.add_argument(
        "--check-races", action="store_true",
        help="watch shared services for writes from several threads without their lock, "
        "under a hostile thread schedule; one 'race: SERVICE.ATTRIBUTE' line per finding "
        "on stderr (slower; threads only)",
    )  # fmt: skip
    dask = parser.add_argument_group("Dask (needs aetherflow-engine[dask]; docs/dask.md)")
    dask.add_argument(
        "--executor", choices=("thread", "dask"), default="thread",
        help="run on worker threads here (default) or on Dask workers",
    )  # fmt: skip
    dask.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="with --executor dask: a running scheduler (tcp://host:8786); default: start "
        "a local cluster of --workers worker processes and close it afterwards",
    )  # fmt: skip
    dask.add_argument(
        "--on-worker-loss", choices=("rerun", "stop"), default="rerun",
        help="with --executor dask, when a worker dies mid-batch: Dask re-runs its batch "
        "elsewhere (default; items run at least once, the re-runs are reported) or stop "
        "(nothing runs twice; the lost batch's items are WorkerLost errors)",
    )  # fmt: skip
    dask.add_argument(
        "--dask-threads", action="store_true",
        help="with --executor dask and no --scheduler: in-process workers (threads), "
        "not worker processes",
    )  # fmt: skip


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


class UsageProblem(Exception):
    """Exit status 2 with a one-line message."""


def main(args: argparse.Namespace) -> int:
    try:
        flow = load_runnable(args.flow)
        scopes = parse_scopes(args.scope)
        if args.profile_shared and args.executor != "thread":
            raise UsageProblem("--profile-shared measures worker threads: use --executor thread")
        if args.check_races and args.executor != "thread":
            raise UsageProblem("--check-races watches worker threads: use --executor thread")
        if args.on_worker_loss != "rerun" and args.executor != "dask":
            raise UsageProblem("--on-worker-loss is about Dask workers: use --executor dask")
        if args.concurrency != 1 and args.executor != "thread":
            raise UsageProblem("--concurrency keeps items in flight on worker threads' event "
                               "loops: use --executor thread")  # fmt: skip
        if args.trace and args.executor != "thread":
            raise UsageProblem("--trace records worker threads: use --executor thread")
        items, total, source = open_input(args.input, flow, args.flow)
        out = open_output(args.output)
        trace = TraceWriter(open_output(args.trace)) if args.trace else None
    except UsageProblem as exc:
        print(f"aetherflow run: {printable(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    try:
        return _run(flow, args, scopes, items, total, out, trace)
    finally:
        if source is not None and source is not sys.stdin.buffer:
            source.close()
        out.close()
        if trace is not None:
            trace.close()


def load_runnable(path: str) -> Flow:
    """Load ``path`` and check it can run; `UsageProblem` naming the file if not."""
    try:
        flow = Flow.load(path)
    except (AetherFlowError, OSError, ValueError) as exc:
        raise UsageProblem(f"cannot load {path}: {_one_line(exc)}") from None
    try:
        problems = [p for p in flow.validate(resolve=True) if p.severity == "error"]
    except Exception as exc:  # importing a node module ran its code, and it failed
        raise UsageProblem(f"{path}: {_one_line(exc)}") from None
    if problems:
        p = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        where = f"{p.where}: " if p.where else ""
        raise UsageProblem(f"{path}: invalid flow: {where}{_one_line(p.message)}{more}")
    return flow


def parse_scopes(pairs: list[str]) -> dict[str, str]:
    scopes = {}
    for pair in pairs:
        name, sep, scope = pair.partition("=")
        if not sep or not name or scope not in ("shared", "isolated"):
            raise UsageProblem(f"--scope {pair!r}: expected SERVICE=shared or SERVICE=isolated")
        scopes[name.strip()] = scope
    return scopes


def open_input(
    name: str | None, flow: Flow, flow_path: str
) -> tuple[Iterator[Any] | None, int | None, IO[bytes] | None]:
    """The items (None: the flow's source), their count when cheap to know, the file."""
    if name is None:
        if flow.source is None:
            raise UsageProblem(
                f"{flow_path}: the flow has no source node; give items with --input FILE "
                "(JSON Lines, '-' for stdin)"
            )
        return None, None, None
    if name == "-":
        return read_json_lines(sys.stdin.buffer, "<stdin>"), None, sys.stdin.buffer
    try:
        total = count_lines(name)
        stream = open(name, "rb")  # noqa: SIM115 (closed by main)
    except OSError as exc:
        raise UsageProblem(f"cannot read input {name}: {exc.strerror or exc}") from None
    return read_json_lines(stream, name), total, stream


def count_lines(path: str) -> int:
    """Non-blank lines of a file, for the progress bar's ETA (about 1 GB/s)."""
    count = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                count += 1
    return count


def open_output(name: str) -> LineWriter:
    try:
        return open_writer(name)
    except OSError as exc:
        raise UsageProblem(f"cannot write output {name}: {exc.strerror or exc}") from None


def error_value(error: ItemError) -> dict[str, Any]:
    """What a failed item's line holds: ``{"__error__": {index, node, type, message,
    item}}`` (the item as given, so the line can be fed back with ``--input``)."""
    return {"__error__": {k: v for k, v in error.to_dict().items() if k != "traceback"}}


def result_line(result: Any, error: ItemError | None) -> str:
    """One JSON line; values JSON cannot hold are rendered safely (their repr)."""
    value = error_value(error) if error is not None else result
    return json_line(value)


def json_line(value: Any) -> str:
    try:
        return json.dumps(value, default=safe_repr, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError):  # NaN, keys that are not strings or numbers
        return json.dumps(render(value, depth=32, max_items=1_000_000), default=safe_repr)


def _run(
    flow: Flow,
    args: argparse.Namespace,
    scopes: dict[str, str],
    items: Iterator[Any] | None,
    total: int | None,
    out: LineWriter,
    trace: TraceWriter | None = None,
) -> int:
    profile: dict[str, Any] = {"profile_shared": True} if args.profile_shared else {}
    if args.check_races:
        profile["check_races"] = True
    if args.concurrency != 1:
        profile["concurrency"] = args.concurrency
    if trace is not None:
        profile["on_trace"] = trace.write
    try:
        handle = _executor(args)(
            flow, items, workers=args.workers, scopes=scopes, on_error=args.on_error,
            limit=args.limit, stream=True, collect=False, total=total, **profile,
        )  # fmt: skip
    except NodeExecutionError as exc:  # the source node failed to start
        print(f"aetherflow run: {args.flow}: {_one_line(exc)}", file=sys.stderr)
        return 1
    except (AetherFlowError, ImportError, OSError) as exc:  # a shared service's constructor,
        # Dask without the extra or without a scheduler
        print(f"aetherflow run: {args.flow}: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # anything else that keeps the run from starting
        print(f"aetherflow run: {args.flow}: {type(exc).__name__}: {_one_line(exc)}",
              file=sys.stderr)  # fmt: skip
        return 2
    interrupted = _install_sigint(handle)
    show = args.progress == "on" or (args.progress == "auto" and sys.stderr.isatty())
    progress = Progress(handle.snapshot, sys.stderr) if show else None
    if progress is not None:
        progress.start()
    try:
        for _, result, error in handle.results(on_idle=out.flush):
            out.write_line(result_line(result, error))
        out.flush()
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        handle.cancel()
        _quiet_stdout()
    except OutputError as exc:  # a full disk: say so in one line, keep whole lines only
        handle.cancel()
        handle.wait()
        print(f"aetherflow run: {printable(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the second Ctrl-C: leave now, workers are daemons
        print("\naetherflow run: interrupted", file=sys.stderr)
        return 130
    finally:
        if progress is not None:
            progress.stop()
    report = handle.wait()
    _summary(report, sys.stderr)
    if args.check_races:
        _races(report, sys.stderr)
    if args.profile_shared:
        _advice(handle, args.workers, sys.stderr)
    if interrupted.is_set():
        return 130
    return 1 if report.errors else 0


class TraceWriter:
    """``--trace FILE``: one JSON line per node executed, written by the worker that ran
    the item (under a lock), in the order items finish."""

    def __init__(self, out: LineWriter) -> None:
        self._out = out
        self._lock = threading.Lock()

    def write(self, trace: ItemTrace) -> None:
        lines = [json_line(line) for line in trace.lines()]
        with self._lock:
            for line in lines:
                self._out.write_line(line)

    def close(self) -> None:
        with self._lock:
            try:
                self._out.flush()
            except (OutputError, BrokenPipeError) as exc:  # the results are written already
                print(f"aetherflow run: --trace: {printable(exc)}", file=sys.stderr)
            finally:
                self._out.close()


def _executor(args: argparse.Namespace) -> Callable[..., RunHandle]:
    """`start_flow`, or `start_flow_dask` (same options, same handle methods): the rest
    of the command is the same for both."""
    if args.executor != "dask":
        return start_flow
    from ..runtime.dask_executor import start_flow_dask

    return functools.partial(
        start_flow_dask, scheduler=args.scheduler, processes=not args.dask_threads,
        on_worker_loss=args.on_worker_loss,
    )  # fmt: skip


def _install_sigint(handle: RunHandle) -> threading.Event:
    """First Ctrl-C: cancel (finished results are still written); second: quit."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        return interrupted

    def on_sigint(signum: int, frame: Any) -> None:
        if interrupted.is_set():
            raise KeyboardInterrupt
        interrupted.set()
        handle.cancel()  # lock-free, safe here

    signal.signal(signal.SIGINT, on_sigint)
    return interrupted


def _quiet_stdout() -> None:
    # Python flushes stdout at exit; a closed pipe would print a second error there
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _summary(report: RunReport, err: IO[str]) -> None:
    for problem in report.stats.get("close_problems", []):
        print(f"aetherflow run: warning: {_one_line(problem)}", file=err)
    for rerun in report.stats.get("reruns", [])[:SHOWN_ERRORS]:
        print(f"aetherflow run: warning: {Rerun(**rerun).text}", file=err)
    if report.stop_reason == "worker-lost":
        print("aetherflow run: stopped: a Dask worker died (--on-worker-loss stop)", file=err)
    if report.stop_reason == "cancel":
        print(f"aetherflow run: cancelled after {report.stats['items']} items", file=err)
    if not report.errors:
        return
    items = report.stats["items"]
    print(f"aetherflow run: {len(report.errors)} of {items} items failed", file=err)
    for e in report.errors[:SHOWN_ERRORS]:
        where = f"node '{printable(e.node)}'" if e.node else "input"
        print(f"  item {e.index} at {where}: {printable(e.type)}: {_one_line(e.message)}",
              file=err)  # fmt: skip
    if len(report.errors) > SHOWN_ERRORS:
        print(f"  ... and {len(report.errors) - SHOWN_ERRORS} more", file=err)


def _races(report: RunReport, err: IO[str]) -> None:
    """One ``race: SERVICE.ATTRIBUTE: ...`` line per finding, then what was watched."""
    for finding in report.races:
        print(printable(finding.text), file=err)
    watched = report.stats.get("races_watched", [])
    for service, why in report.stats.get("races_unwatched", {}).items():
        print(f"aetherflow run: race check: {printable(service)} not watched: "
              f"{printable(why)}", file=err)  # fmt: skip
    names = printable(", ".join(watched)) if watched else "none"
    found = len(report.races)
    print(f"aetherflow run: race check: {found} finding{'s' if found != 1 else ''} "
          f"(shared services watched: {names})", file=err)  # fmt: skip


def _advice(handle: RunHandle, workers: int, err: IO[str]) -> None:
    """The measured scope advice of each shared service, under one heading."""
    advice = advise_run(handle.snapshot(), workers)
    print("Scope advice (measured):", file=err)
    if not advice:
        print("  no shared service was called in this run", file=err)
    for a in advice:
        print(f"  {a.text}", file=err)


def _one_line(value: Any) -> str:
    """``value`` as one printable line (ids from files may hold control characters)."""
    return " ".join(printable(value).split())[:300]
