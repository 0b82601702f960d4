"""Every code example of the seed document (architecture_guide.zh.md), as written.

Only imports and the helper classes the document leaves undefined are added. Each test
checks what the document says the example does.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from aetherflow import BaseFlowContext, node, providers, with_scopes

# -- helpers the document uses without defining ------------------------------------------


class MyService:
    instances = 0
    _count_lock = threading.Lock()

    def __init__(self) -> None:
        with MyService._count_lock:
            MyService.instances += 1
        self.calls = 0

    def process(self) -> dict:
        self.calls += 1
        return {"service_id": id(self), "calls": self.calls}


def process_chunk(chunk):
    return sum(chunk)


class HttpClient:
    def get(self, endpoint):
        return {"endpoint": endpoint, "status": 200}


class _Conn:
    def __init__(self, log):
        self.log = log

    def execute(self, query):
        self.log.append(query)
        return [("row", query)]

    def query(self, sql):
        return self.execute(sql)

    def save(self, data):
        self.log.append(("save", data))


class ConnectionPool:
    created = 0

    def __init__(self) -> None:
        ConnectionPool.created += 1
        self.log: list = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def get_connection(self):
        with self._lock:
            yield _Conn(self.log)


class DashboardService:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.metrics: list = []

    def update_real_time_metrics(self, metrics):
        with self.lock:
            self.metrics.append(metrics)


class TaskCoordinator:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_id = 0
        self.claimed: list = []
        self.done: dict = {}

    def claim_next_task(self, task_id):
        with self.lock:
            self.claimed.append(task_id)
            return {"claimed": task_id}

    def assign_task(self):
        with self.lock:
            self.next_id += 1
            return self.next_id

    def complete_task(self, task, result):
        with self.lock:
            self.done[task] = result


def process_task(task, data):
    return {"task": task, "data": data}


def transform_data(data):
    return {"value": data * 2}


class CacheService(dict):
    pass


class HTTPConnectionPool:
    @contextlib.contextmanager
    def get_session(self):
        yield HttpClient()


class DatabasePool(ConnectionPool):
    pass


class OptimizedService(MyService):
    pass


def in_threads(n: int, fn, *args):
    """Run fn(i, *args) once on each of n fresh threads; return the results."""
    barrier = threading.Barrier(n)

    def target(i):
        barrier.wait()
        return fn(i, *args)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(target, range(n)))


# -- Mode 1: thread isolation --------------------------------------------------------


class IsolatedContext(BaseFlowContext):
    """线程隔离上下文 - 每个线程独立状态"""

    state = providers.ThreadLocalSingleton(dict)
    service = providers.ThreadLocalSingleton(MyService)


@node
def process_user_data(user_id, state):
    # 每个用户数据处理完全独立
    return {"processed_user": user_id}


@node
def map_task(data_chunk, state):
    return {"chunk_result": process_chunk(data_chunk)}


@node
def api_call(endpoint, http_client):
    return http_client.get(endpoint)


@node
def uses_service(service, state):
    state["seen"] = state.get("seen", 0) + 1
    return {"service_id": id(service), "state_id": id(state)}


def test_isolated_context_gives_each_thread_its_own_instances():
    results = in_threads(6, lambda i: uses_service.run({}, IsolatedContext))
    assert len({r["service_id"] for r in results}) == 6
    assert len({r["state_id"] for r in results}) == 6


def test_isolated_mode_nodes_run_as_written():
    assert process_user_data.run({"user_id": 7}, IsolatedContext)["processed_user"] == 7
    assert map_task.run({"data_chunk": [1, 2, 3]}, IsolatedContext)["chunk_result"] == 6

    class HttpContext(BaseFlowContext):
        http_client = providers.ThreadLocalSingleton(HttpClient)

    out = api_call.run({"endpoint": "/users"}, HttpContext)
    assert out["endpoint"] == "/users" and out["status"] == 200


# -- Mode 2: shared state ------------------------------------------------------------


class SharedStateService:
    def __init__(self):
        self.counter = 0
        self.results = []
        self.lock = threading.Lock()  # 手动同步

    def increment(self):
        with self.lock:
            self.counter += 1
            return self.counter


class SharedContext(BaseFlowContext):
    """共享状态上下文 - 线程间共享状态"""

    shared_service = providers.Singleton(SharedStateService)


@node
def count(shared_service):
    return {"count": shared_service.increment()}


def test_shared_locked_counter_counts_exactly_under_8_threads():
    ctx = SharedContext()
    ctx.shared_service()  # created before the threads start, as the engine does

    def work(i):
        return [count.run({}, ctx)["count"] for _ in range(500)]

    seen = [c for chunk in in_threads(8, work) for c in chunk]
    assert ctx.shared_service().counter == 8 * 500
    assert sorted(seen) == list(range(1, 8 * 500 + 1))


@node
def coordinated_worker(task_id, coordinator):
    # 需要与其他线程协调的工作
    return coordinator.claim_next_task(task_id)


@node
def database_operation(query, connection_pool):
    with connection_pool.get_connection() as conn:
        return conn.execute(query)


@node
def update_dashboard(metrics, dashboard_service):
    dashboard_service.update_real_time_metrics(metrics)
    return {"updated": True}


def test_shared_mode_nodes_coordinate_through_one_instance():
    class Ctx(BaseFlowContext):
        coordinator = providers.Singleton(TaskCoordinator)
        connection_pool = providers.Singleton(ConnectionPool)
        dashboard_service = providers.Singleton(DashboardService)

    ctx = Ctx()
    in_threads(4, lambda i: coordinated_worker.run({"task_id": i}, ctx))
    assert sorted(ctx.coordinator().claimed) == [0, 1, 2, 3]
    out = database_operation.run({"query": "SELECT 1"}, ctx)
    assert out["database_operation"] == [("row", "SELECT 1")]
    assert update_dashboard.run({"metrics": {"cpu": 3}}, ctx)["updated"] is True
    assert ctx.dashboard_service().metrics == [{"cpu": 3}]


# -- Migration: only the context changes ---------------------------------------------


class OldContext(BaseFlowContext):
    shared_service = providers.Singleton(MyService)


class NewContext(BaseFlowContext):
    isolated_service = providers.ThreadLocalSingleton(MyService)


@node
def my_node(isolated_service: MyService):
    # 行为改变：每线程独立实例
    return isolated_service.process()


def test_migration_only_the_context_changes():
    ids = in_threads(4, lambda i: my_node.run({}, NewContext)["service_id"])
    assert len(set(ids)) == 4  # 每线程独立实例

    # The same node under a context where the service is shared: one instance.
    class SharedNew(BaseFlowContext):
        isolated_service = providers.Singleton(MyService)

    shared = SharedNew()
    shared.isolated_service()
    ids = in_threads(4, lambda i: my_node.run({}, shared)["service_id"])
    assert len(set(ids)) == 1


def test_scope_map_switches_without_touching_node_code():
    isolated = with_scopes(OldContext, {"shared_service": "isolated"})
    shared = with_scopes(OldContext, {"shared_service": "shared"})
    shared.shared_service()

    @node
    def uses(shared_service):
        return {"sid": id(shared_service)}

    iso_ids = in_threads(4, lambda i: uses.run({}, isolated)["sid"])
    shr_ids = in_threads(4, lambda i: uses.run({}, shared)["sid"])
    assert len(set(iso_ids)) == 4
    assert len(set(shr_ids)) == 1


# -- Hybrid contexts -----------------------------------------------------------------


class HybridContext(BaseFlowContext):
    """混合模式：根据需要选择不同provider"""

    # 线程隔离的用户状态
    user_state = providers.ThreadLocalSingleton(dict)

    # 共享的连接池
    db_pool = providers.Singleton(ConnectionPool)

    # 共享的缓存服务
    cache = providers.Singleton(CacheService)


@node
def hybrid_operation(user_state: dict, db_pool: ConnectionPool):
    """混合使用：用户状态隔离 + 连接池共享"""
    with db_pool.get_connection() as conn:
        # 用户状态是线程独立的
        user_state["last_query"] = time.time()
        return conn.query("SELECT * FROM users")


def test_hybrid_context_isolates_user_state_and_shares_the_pool():
    ctx = HybridContext()
    ctx.db_pool()

    @node
    def ids(user_state, db_pool, cache):
        return {"u": id(user_state), "p": id(db_pool), "c": id(cache)}

    out = in_threads(4, lambda i: (hybrid_operation.run({}, ctx), ids.run({}, ctx))[1])
    assert len({o["u"] for o in out}) == 4
    assert len({o["p"] for o in out}) == 1
    assert len({o["c"] for o in out}) == 1
    assert ctx.db_pool().log.count("SELECT * FROM users") == 4


# -- Best-practice patterns ----------------------------------------------------------


class PureFunctionalContext(BaseFlowContext):
    """纯函数式上下文"""

    state = providers.ThreadLocalSingleton(dict)


@node
def pure_transform(data, state):
    # 无副作用的数据转换
    result = transform_data(data)
    state["processed_count"] = state.get("processed_count", 0) + 1
    return result


def test_pure_functional_pipeline_counts_per_thread():
    def work(i):
        for k in range(5):
            out = pure_transform.run({"data": k}, PureFunctionalContext)
        return out["value"], PureFunctionalContext.state()["processed_count"]

    assert in_threads(3, work) == [(8, 5)] * 3


class CoordinatorContext(BaseFlowContext):
    """协调器模式上下文"""

    coordinator = providers.Singleton(TaskCoordinator)


@node
def coordinated_task(task_data, coordinator):
    # 通过协调器分配任务
    assigned_task = coordinator.assign_task()
    result = process_task(assigned_task, task_data)
    coordinator.complete_task(assigned_task, result)
    return result


def test_coordinator_pattern_assigns_each_task_once():
    ctx = CoordinatorContext()
    ctx.coordinator()
    in_threads(8, lambda i: coordinated_task.run({"task_data": i}, ctx))
    done = ctx.coordinator().done
    assert sorted(done) == list(range(1, 9))
    assert sorted(r["data"] for r in done.values()) == list(range(8))


class ResourcePoolContext(BaseFlowContext):
    """资源池模式上下文"""

    http_pool = providers.Singleton(HTTPConnectionPool)
    db_pool = providers.Singleton(DatabasePool)


@node
def resource_task(request, http_pool, db_pool):
    # 使用资源池处理请求
    with http_pool.get_session() as session:
        api_data = session.get(request["url"])

    with db_pool.get_connection() as db:
        db.save(api_data)

    return {"saved": True}


def test_resource_pool_pattern_saves_through_shared_pools():
    ctx = ResourcePoolContext()
    assert resource_task.run({"request": {"url": "/a"}}, ctx)["saved"] is True
    assert ctx.db_pool().log == [("save", {"endpoint": "/a", "status": 200})]


# -- Debugging and monitoring --------------------------------------------------------


@node
def debug_isolated(data, state):
    import threading

    thread_id = threading.current_thread().ident
    state[f"debug_{thread_id}"] = {"data": data, "timestamp": time.time()}
    print(f"Thread {thread_id}: {state}")
    return data


def test_debug_isolated_records_under_the_thread_id(capsys):
    out = debug_isolated.run({"data": 42}, PureFunctionalContext)
    assert out["debug_isolated"] == 42
    key = f"debug_{threading.get_ident()}"
    assert PureFunctionalContext.state()[key]["data"] == 42
    assert f"Thread {threading.get_ident()}" in capsys.readouterr().out


class MonitoredSharedService:
    def __init__(self):
        self.operations = 0
        self.lock = threading.Lock()
        self.metrics = defaultdict(int)

    def track_operation(self, op_type):
        with self.lock:
            self.operations += 1
            self.metrics[op_type] += 1

            if self.operations % 100 == 0:
                print(f"Operations: {self.operations}, Metrics: {dict(self.metrics)}")


def test_monitored_shared_service_counts_exactly(capsys):
    class Ctx(BaseFlowContext):
        monitor = providers.Singleton(MonitoredSharedService)

    @node
    def track(op, monitor):
        monitor.track_operation(op)

    ctx = Ctx()
    ctx.monitor()
    in_threads(4, lambda i: [track.run({"op": f"op{i % 2}"}, ctx) for _ in range(100)])
    assert ctx.monitor().operations == 400
    assert dict(ctx.monitor().metrics) == {"op0": 200, "op1": 200}
    assert "Operations: 400" in capsys.readouterr().out


# -- Evolution path ------------------------------------------------------------------


class BeginnerContext(BaseFlowContext):
    state = providers.ThreadLocalSingleton(dict)


class IntermediateContext(BaseFlowContext):
    user_state = providers.ThreadLocalSingleton(dict)
    shared_cache = providers.Singleton(CacheService)


class AdvancedContext(BaseFlowContext):
    # 基于基准测试结果选择最优provider
    optimized_service = providers.ThreadLocalSingleton(OptimizedService)


def test_evolution_contexts_declare_the_documented_scopes():
    from aetherflow.context import declared_scope

    assert declared_scope(BeginnerContext.state) == "isolated"
    assert declared_scope(IntermediateContext.user_state) == "isolated"
    assert declared_scope(IntermediateContext.shared_cache) == "shared"
    assert declared_scope(AdvancedContext.optimized_service) == "isolated"
    assert declared_scope(BaseFlowContext.shared_data) == "shared"
