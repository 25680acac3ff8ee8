"""The pool sends tasks in batches and keeps each task's own limits: a task that kills or
hangs its worker fails alone, the rest of its batch is sent again."""
from __future__ import annotations

import os

from gcmdash.runner import isolate
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
from tests.etl import pool_tasks


def test_a_batch_with_a_task_that_kills_hangs_or_raises_loses_only_that_task():
    values = [f"v{i}" for i in range(60)]
    values[7], values[23], values[41] = "die", "hang", "raise"
    with IsolatedPool(workers=2, timeout_s=2, memory_bytes=None) as pool:
        results = dict(pool.map(pool_tasks.echo_or_fail, [(i, v) for i, v in enumerate(values)]))
    assert results.pop(7) == TaskFailed("the worker stopped unexpectedly (exit code 3)")
    assert results.pop(23) == TaskFailed("took longer than 2 s and was stopped")
    assert results.pop(41) == TaskFailed("ValueError: asked to")
    assert results == {i: v for i, v in enumerate(values) if i not in (7, 23, 41)}


def test_batches_are_shared_out_and_bounded_by_bytes(monkeypatch):
    monkeypatch.setattr(isolate, "BATCH_BYTES", 100)
    pool = IsolatedPool(workers=2)
    pending = [(i, "x" * 30) for i in range(1000)]
    pending.reverse()
    assert len(pool._take(pending, len)) == 4  # 4 x 30 bytes: past 100 with the fourth
    assert len(pool._take(pending, None)) == isolate.BATCH_TASKS
    few = [(i, "x") for i in range(5)]
    assert len(pool._take(few, len)) == 1  # every worker gets a share of a small map


def test_one_worker_runs_a_batch_without_waiting_between_tasks():
    with IsolatedPool(workers=1, memory_bytes=None) as pool:
        results = list(pool.map(pool_tasks.echo_or_fail, [(i, i) for i in range(300)]))
        (worker,) = pool._workers
        assert worker.process.poll() is None and worker.process.pid != os.getpid()
    assert sorted(results) == [(i, i) for i in range(300)]


def test_a_task_goes_light_to_the_worker_that_holds_its_data_and_whole_to_any_other():
    tasks = [(i, f"whole {i}") for i in range(40)]
    with IsolatedPool(workers=1, memory_bytes=None) as pool:
        dict(pool.map(pool_tasks.echo_or_fail, [(0, 0)]))
        holder = pool._workers[0].process.pid
        alone = dict(pool.map(pool_tasks.echo_or_fail, tasks, light=lambda argument: "light",
                              owner=lambda key: holder if key % 2 == 0 else None))
    assert alone == {i: "light" if i % 2 == 0 else f"whole {i}" for i in range(40)}
    with IsolatedPool(workers=2, memory_bytes=None) as pool:
        dict(pool.map(pool_tasks.echo_or_fail, [(0, 0), (1, 1)]))
        holder = pool._workers[0].process.pid
        shared = dict(pool.map(pool_tasks.echo_or_fail, tasks, light=lambda argument: "light",
                               owner=lambda key: holder if key % 2 == 0 else None))
    # the other worker, out of work, takes some of the holder's tasks, whole
    assert all(shared[i] == f"whole {i}" for i in range(1, 40, 2))
    assert all(shared[i] in ("light", f"whole {i}") for i in range(0, 40, 2))
