"""Contexts and scope maps: switching shared/isolated without touching node code."""

from __future__ import annotations

import threading

import pytest
from aetherflow import AppContext, BaseFlowContext, ScopeError, providers, with_scopes
from aetherflow.context import declared_scope, effective_scope


class Counter:
    made = 0
    lock = threading.Lock()

    def __init__(self, start: int = 0) -> None:
        with Counter.lock:
            Counter.made += 1
        self.value = start


class Ctx(BaseFlowContext):
    counter = providers.ThreadLocalSingleton(Counter, start=5)
    pool = providers.Singleton(Counter)
    cfg = providers.Object({"a": 1})


def instances_on_threads(container, name: str, n: int) -> set[int]:
    # Keep the instances alive until every thread has its own: a freed instance's id()
    # could be reused by the next one and hide a distinct instance.
    instances: list = []
    barrier = threading.Barrier(n)

    def work():
        barrier.wait()
        instances.append(getattr(container, name)())
        barrier.wait()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {id(i) for i in instances}


def test_base_context_has_state_context_and_shared_data():
    assert declared_scope(BaseFlowContext.state) == "isolated"
    assert declared_scope(BaseFlowContext.context) == "isolated"
    assert declared_scope(BaseFlowContext.shared_data) == "shared"
    assert issubclass(AppContext, BaseFlowContext)


def test_scope_map_makes_an_isolated_service_shared_with_the_same_arguments():
    c = with_scopes(Ctx, {"counter": "shared"})
    assert effective_scope(c, "counter") == "shared"
    c.counter()
    assert len(instances_on_threads(c, "counter", 4)) == 1
    assert c.counter().value == 5


def test_scope_map_makes_a_shared_service_isolated():
    c = with_scopes(Ctx, {"pool": "isolated"})
    assert effective_scope(c, "pool") == "isolated"
    assert len(instances_on_threads(c, "pool", 4)) == 4


def test_the_declared_class_is_left_untouched():
    with_scopes(Ctx, {"pool": "isolated"})
    assert declared_scope(Ctx.pool) == "shared" and not Ctx.pool.overridden


def test_unknown_service_or_scope_is_a_clear_error():
    with pytest.raises(ScopeError, match="unknown service 'nope'"):
        with_scopes(Ctx, {"nope": "shared"})
    with pytest.raises(ScopeError, match="unknown scope 'global'"):
        with_scopes(Ctx, {"pool": "global"})
    with pytest.raises(ScopeError, match="Object"):
        with_scopes(Ctx, {"cfg": "isolated"})
