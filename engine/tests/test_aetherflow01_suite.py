"""AetherFlow 0.1's seed-era test suite (upstream commit 4effa26, files
tests/test_fluent_interface.py, test_concurrent_safety.py, test_service_class_safety.py),
rewritten from what each of its tests checks, run against this engine.

Each test names the upstream test it stands for. Upstream ran them as scripts (prints,
no pytest fixtures); the behaviour asserted is theirs, the code is ours.
"""

from __future__ import annotations

import asyncio
import gc
import re
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor, as_completed

from aetherflow import AppContext, BaseFlowContext, LoopControl, node, providers

# -- test_fluent_interface.py ------------------------------------------------------------


@node
def add_numbers(a: int, b: int) -> dict:
    return {"sum": a + b}


@node
def multiply_by_two(sum: int) -> dict:
    return {"doubled": sum * 2}


@node
def check_even(
    doubled: int | None = None, sum: int | None = None, combined_result: str | None = None
) -> bool:
    number = doubled if doubled is not None else sum
    if number is None and combined_result is not None:
        digits = re.findall(r"\d+", combined_result)
        number = int(digits[-1]) if digits else None
    if number is None:
        raise ValueError("No valid number found to check")
    return number % 2 == 0


@node
def process_even() -> dict:
    return {"result": "Even number processed"}


@node
def process_odd() -> dict:
    return {"result": "Odd number processed"}


@node
def parallel_task_a(sum: int) -> dict:
    return {"task_a_result": f"A processed {sum}"}


@node
def parallel_task_b(sum: int) -> dict:
    return {"task_b_result": f"B processed {sum}"}


@node
def combine_parallel_results(parallel_results: dict) -> dict:
    a = parallel_results.get("parallel_task_a", {}).get("task_a_result", "")
    b = parallel_results.get("parallel_task_b", {}).get("task_b_result", "")
    return {"combined_result": f"Combined: {a} and {b}"}


@node
def countdown(counter: int) -> dict:
    if counter <= 0:
        return LoopControl.BREAK
    return {"counter": counter - 1}


def test_sequential_flow() -> None:
    result = add_numbers.then(multiply_by_two).run({"a": 3, "b": 7})
    assert (result["sum"], result["doubled"]) == (10, 20)


def test_parallel_flow() -> None:
    flow = add_numbers.fan_out_to([parallel_task_a, parallel_task_b]).fan_in(
        combine_parallel_results
    )
    combined = flow.run({"a": 5, "b": 3})["combined_result"]
    assert "A processed 8" in combined and "B processed 8" in combined


def test_parallel_flow_with_fan_out_in() -> None:
    """Later upstream versions spell fan_out_to(...).fan_in(...) as fan_out_in."""
    flow = add_numbers.fan_out_in([parallel_task_a, parallel_task_b], combine_parallel_results)
    assert flow.run({"a": 5, "b": 3})["combined_result"] == (
        "Combined: A processed 8 and B processed 8"
    )


def test_conditional_flow_branches_on_the_chains_last_node() -> None:
    flow = (
        add_numbers.then(multiply_by_two)
        .then(check_even)
        .branch_on({True: process_even, False: process_odd})
    )
    assert flow.run({"a": 2, "b": 2})["result"] == "Even number processed"


def test_chained_branch_on_takes_the_other_side_too() -> None:
    flow = add_numbers.then(check_even).branch_on({True: process_even, False: process_odd})
    assert flow.run({"a": 2, "b": 3})["result"] == "Odd number processed"
    assert flow.run({"a": 2, "b": 4})["result"] == "Even number processed"
    # the chain converts to a flow (it opens in the Studio) that runs the same
    report = flow.to_flow().run([{"a": 1, "b": 2}, {"a": 1, "b": 1}], workers=2)
    assert [r["result"] for r in report.results] == [
        "Odd number processed",
        "Even number processed",
    ]


def test_repeat_flow() -> None:
    assert countdown.repeat(10).run({"counter": 3})["counter"] == 0


def test_complex_flow() -> None:
    flow = (
        add_numbers.fan_out_to([parallel_task_a, parallel_task_b])
        .fan_in(combine_parallel_results)
        .then(check_even.branch_on({True: process_even, False: process_odd}))
    )
    result = flow.run({"a": 1, "b": 4})
    assert result["combined_result"] == "Combined: A processed 5 and B processed 5"
    assert result["result"] == "Odd number processed"  # check_even reads sum = 5 first


# -- test_concurrent_safety.py -----------------------------------------------------------


def _on_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_thread_local_state_isolation() -> None:
    @node
    def set_value(x):
        return {"thread_value": x + threading.get_ident()}

    @node
    def get_value(thread_value):
        return {"final_value": thread_value * 2}

    results: dict[int, dict] = {}

    def worker(i: int) -> None:
        results[i] = set_value.then(get_value).run({"x": i * 100})

    _on_threads(worker, 5)
    assert len(results) == 5
    assert all(r["final_value"] == r["thread_value"] * 2 for r in results.values())


def test_parallel_fan_out_thread_safety() -> None:
    @node
    def source(x):
        return x

    @node
    def worker_a(source):
        time.sleep(0.01)
        return source + 100

    @node
    def worker_b(source):
        time.sleep(0.01)
        return source + 200

    @node
    def worker_c(source):
        time.sleep(0.01)
        return source + 300

    flow = source.fan_out_to([worker_a, worker_b, worker_c])
    for i in range(10):
        results = flow.run({"x": i * 10})["__parallel_results"]
        assert set(results.values()) == {i * 10 + 100, i * 10 + 200, i * 10 + 300}


def test_concurrent_container_access() -> None:
    @node
    def compute_with_context():
        state = AppContext().state()  # this thread's own dict
        tid = threading.get_ident()
        state[f"thread_{tid}"] = f"data_from_{tid}"
        return {"computed_by": tid, "state_keys": list(state)}

    results: list[dict] = []
    _on_threads(lambda _i: results.append(compute_with_context.run({})), 5)
    assert len(results) == 5
    for r in results:
        assert f"thread_{r['computed_by']}" in r["state_keys"]
        assert not any(k != f"thread_{r['computed_by']}" for k in r["state_keys"])


def test_high_concurrency_stress() -> None:
    @node
    def stress_worker(iteration):
        total = 0
        for i in range(1000):
            total += i * iteration
        return {"result": total, "thread": threading.get_ident()}

    with ThreadPoolExecutor(max_workers=10) as pool:
        futures = [
            pool.submit(lambda x: stress_worker.run({"iteration": x}), i) for i in range(100)
        ]
        results = [f.result() for f in as_completed(futures)]
    assert len(results) == 100
    assert len({r["result"] for r in results}) == 100


def test_async_compatibility() -> None:
    @node
    def async_compatible_node(x):
        return {"async_result": x * 2}

    async def main() -> list[dict]:
        loop = asyncio.get_running_loop()
        tasks = [
            loop.run_in_executor(None, lambda x: async_compatible_node.run({"x": x}), i)
            for i in range(10)
        ]
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    assert [r["async_result"] for r in results] == [2 * i for i in range(10)]


# -- test_service_class_safety.py --------------------------------------------------------


class StatefulService:
    def __init__(self, service_id: str | None = None) -> None:
        self.thread_id = threading.get_ident()
        self.service_id = service_id or f"service_{self.thread_id}"
        self.call_count = 0
        self.history: list[int] = []

    def increment_counter(self) -> int:
        self.call_count += 1
        self.history.append(threading.get_ident())
        return self.call_count

    def get_stats(self) -> dict:
        return {
            "service_id": self.service_id,
            "creation_thread": self.thread_id,
            "current_thread": threading.get_ident(),
            "call_count": self.call_count,
            "operations": len(self.history),
        }


class DatabaseMockService:
    def __init__(self) -> None:
        self.thread_id = threading.get_ident()
        time.sleep(0.001)  # connecting
        self.connection_count = 1
        self.queries: list[str] = []

    def execute_query(self, query: str) -> dict:
        self.queries.append(query)
        return {"query": query, "thread_id": threading.get_ident()}

    def get_connection_info(self) -> dict:
        return {
            "thread_id": self.thread_id,
            "current_thread": threading.get_ident(),
            "queries_count": len(self.queries),
        }


class ServiceTestContext(BaseFlowContext):
    state = providers.ThreadLocalSingleton(dict)
    stateful_service = providers.ThreadLocalSingleton(StatefulService)
    db_service = providers.ThreadLocalSingleton(DatabaseMockService)


class SharedServiceTestContext(BaseFlowContext):
    state = providers.Singleton(dict)
    shared_service = providers.Singleton(StatefulService, service_id="shared_service")


@node
def service_operation(data, stateful_service):
    count1 = stateful_service.increment_counter()
    count2 = stateful_service.increment_counter()
    return {
        "thread_id": threading.get_ident(),
        "data": data,
        "count1": count1,
        "count2": count2,
        "service_stats": stateful_service.get_stats(),
    }


@node
def database_operation(query, db_service):
    return {
        "query_result": db_service.execute_query(query),
        "connection_info": db_service.get_connection_info(),
    }


@node
def complex_service_workflow(data, stateful_service, db_service):
    tid = threading.get_ident()
    return {
        "service_count": stateful_service.increment_counter(),
        "db_result": db_service.execute_query(f"SELECT * FROM users WHERE id={data}"),
        "service_thread_match": stateful_service.get_stats()["creation_thread"] == tid,
        "db_thread_match": db_service.get_connection_info()["thread_id"] == tid,
    }


def test_thread_local_service_instances() -> None:
    context = ServiceTestContext()
    results: list[dict] = []
    alive = threading.Barrier(5)  # keep the 5 threads alive together: idents are reused

    def worker(i: int) -> None:
        results.append(service_operation.run({"data": i}, context))
        alive.wait(10)

    _on_threads(worker, 5)
    creators = set()
    for r in results:
        stats = r["service_stats"]
        assert stats["creation_thread"] == stats["current_thread"] == r["thread_id"]
        creators.add(stats["creation_thread"])
    assert len(creators) == 5


def test_service_state_isolation() -> None:
    context = ServiceTestContext()
    finals: dict[int, dict] = {}

    def worker(i: int) -> None:
        for j in range(i + 1):
            finals[i] = service_operation.run({"data": f"{i}_{j}"}, context)

    _on_threads(worker, 4)
    for i, result in finals.items():
        assert result["service_stats"]["call_count"] == 2 * (i + 1)


def test_database_service_isolation() -> None:
    context = ServiceTestContext()
    infos: list[dict] = []
    alive = threading.Barrier(3)  # keep the threads alive together: idents are reused

    def worker(i: int) -> None:
        for j in range(3):
            infos.append(database_operation.run({"query": f"SELECT {i}_{j}"}, context))
        alive.wait(10)

    _on_threads(worker, 3)
    owners = set()
    for r in infos:
        info = r["connection_info"]
        assert info["thread_id"] == info["current_thread"]
        owners.add(info["thread_id"])
    assert len(owners) == 3


def test_complex_service_workflow() -> None:
    context = ServiceTestContext()
    per_worker: dict[int, list[dict]] = {}

    def worker(i: int) -> None:
        per_worker[i] = [
            complex_service_workflow.run({"data": i * 10 + j}, context) for j in range(3)
        ]

    _on_threads(worker, 4)
    for results in per_worker.values():
        assert all(r["service_thread_match"] and r["db_thread_match"] for r in results)
        assert [r["service_count"] for r in results] == [1, 2, 3]


def test_service_performance_under_load() -> None:
    context = ServiceTestContext()
    together = threading.Barrier(10)  # one pool thread per task (runs are quick enough
    # that the pool would hand a finished thread a second task, doubling its count)

    def worker(i: int) -> dict:
        together.wait(10)
        for j in range(100):
            last = service_operation.run({"data": f"{i}_{j}"}, context)
        return last

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        finals = [f.result() for f in as_completed(pool.submit(worker, i) for i in range(10))]
    ops_per_s = 1000 / (time.perf_counter() - t0)
    assert all(r["service_stats"]["call_count"] == 200 for r in finals)
    assert ops_per_s > 1000  # upstream's own floor


def test_shared_vs_thread_local_comparison() -> None:
    local_ctx, shared_ctx = ServiceTestContext(), SharedServiceTestContext()
    shared_ctx.shared_service()  # created once up front: a racing Singleton makes several
    local: list[dict] = []
    shared: list[dict] = []

    @node
    def shared_service_operation(data, shared_service):
        shared_service.increment_counter()
        return {"count2": shared_service.increment_counter()}

    _on_threads(lambda i: local.append(service_operation.run({"data": i}, local_ctx)), 3)
    _on_threads(lambda i: shared.append(shared_service_operation.run({"data": i}, shared_ctx)), 3)
    assert [r["service_stats"]["call_count"] for r in local] == [2, 2, 2]
    assert max(r["count2"] for r in shared) == 6


def test_memory_cleanup_releases_a_threads_instances_when_it_ends() -> None:
    """Upstream only prints how many instances are still alive; this checks the answer
    it hoped for: none, once their threads have ended."""
    context = ServiceTestContext()
    refs: list[weakref.ref] = []

    def worker(i: int) -> None:
        service_operation.run({"data": i}, context)
        refs.append(weakref.ref(context.stateful_service()))

    _on_threads(worker, 3)
    gc.collect()
    assert len(refs) == 3 and [r() for r in refs] == [None, None, None]
