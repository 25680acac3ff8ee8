"""Run untrusted work (extracting and parsing user files) in child processes with limits.

A small pool of long-lived workers, each under an address-space limit (RLIMIT_AS); every task
has a processor-time limit and a wall-clock backstop. The processor time (RLIMIT_CPU, set
afresh before each task, so the kernel stops a task that computes too long with SIGXCPU) is
what decides a document's fate: it is the same on an idle machine and a loaded one, where
wall-clock time is not. The wall-clock limit, generous, is only there for a task that waits
instead of computing. A worker that overruns either is killed and replaced; one that runs out
of memory or dies is replaced too; the task is reported failed with the reason (and its kind:
`TaskFailed.deterministic` says whether the same input would fail the same way again), and
the other tasks carry on. Each worker is a fresh interpreter (`python -m gcmdash.runner.isolate FD FD`), so it
inherits none of the parent's threads, open databases or main module (multiprocessing would
re-run the parent's main script in the child, e.g. a Streamlit page).

A worker never outlives its parent, however the parent ends (an exception, SIGTERM, SIGKILL):
on Linux the kernel sends it SIGKILL when the parent dies (PR_SET_PDEATHSIG), and on every
system a watchdog thread in the worker exits as soon as the parent's end of a pipe the parent
never writes to closes, which the kernel does when the parent dies. Ctrl-C is the parent's to
handle: the worker ignores SIGINT, which reaches the whole foreground process group.
"""
from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing.connection
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_S = 60.0  # wall clock
DEFAULT_MEMORY_BYTES = 2 * 1024**3
STARTUP_S = 60.0
BATCH_TASKS = 64  # tasks sent to a worker at once, at most ...
BATCH_BYTES = 4 * 1024**2  # ... and about this many bytes of input (see IsolatedPool._take)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # a task's time limit starts once its worker has loaded the code


@dataclass(frozen=True)
class TaskFailed:
    """Why a task produced no result: it raised, ran out of time or memory, or killed its worker.
    `kind` is error, memory, cpu (processor time), wall (the wall-clock backstop) or died."""

    reason: str
    kind: str = field(default="error", compare=False)

    @property
    def deterministic(self) -> bool:
        """True when the input decides the failure (it raised, or used too much memory or
        processor time), so running it again under the same limits fails again; False when
        the machine may have (the wall clock, a worker killed from outside)."""
        return self.kind in ("error", "memory", "cpu")


def _limit_cpu(seconds: float | None) -> None:
    """Let the calling process use `seconds` more processor time from now (None: no limit);
    the kernel sends SIGXCPU, which ends it, past that."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = hard
    if seconds is not None:
        soft = math.ceil(time.process_time()) + max(1, math.ceil(seconds))
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _worker_main(conn: "_Duplex", memory_bytes: int | None) -> None:
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would dump core
    state: dict[str, Any] = {}
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        function, batch, cpu_s = message
        # the time limit counts from here, not from import time; each next task of the batch
        # starts as the one before it answers
        conn.send(("started", None, None))
        for key, argument in batch:
            if not _run_task(conn, function, key, argument, state, cpu_s, memory_bytes):
                return  # a worker that hit its memory limit is not trusted again


def _run_task(conn: "_Duplex", function: Callable, key: Any, argument: Any, state: dict,
              cpu_s: float | None, memory_bytes: int | None) -> bool:
    """Run one task and send its (status, key, result or reason); False when the worker must
    stop (it ran out of memory)."""
    try:
        _limit_cpu(cpu_s)
        try:
            result = function(argument, state)
        finally:
            _limit_cpu(None)
        conn.send(("ok", key, result))
    except MemoryError:
        conn.send(("memory", key, "ran out of memory (the per-document limit is "
                                  f"{(memory_bytes or 0) // 1024**2} MB)"))
        return False
    except Exception as exc:  # noqa: BLE001 - reported to the parent as this task's failure
        conn.send(("error", key, f"{type(exc).__name__}: {exc}"
                                 f"\n{traceback.format_exc(limit=3)}"))
    return True


_PR_SET_PDEATHSIG = 1


def parent_death_hook(parent_pid: int) -> Callable[[], None]:
    """A function for a child process to call first (a worker at start, or a subprocess's
    preexec_fn): it is then killed when the parent dies (Linux), and exits at once if the
    parent already has. Everything it needs is looked up here, before any fork."""
    prctl = None
    if sys.platform.startswith("linux"):
        try:
            prctl = ctypes.CDLL(None, use_errno=True).prctl  # libc, already loaded
        except (OSError, AttributeError):
            prctl = None  # the watchdog (workers) still stops it

    def hook() -> None:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent_pid:
            os._exit(1)

    return hook


def _watch_parent(lifeline_fd: int) -> None:
    """Exit the worker when the parent's end of the lifeline pipe closes (the parent died)."""
    def watch() -> None:
        try:
            while os.read(lifeline_fd, 1):
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


class _Worker:
    def __init__(self, memory_bytes: int | None) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        lifeline_r, self.lifeline = os.pipe()  # never written: it closes when this process dies
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gcmdash.runner.isolate", str(to_child_r),
                 str(from_child_w), str(memory_bytes or 0), str(lifeline_r), str(os.getpid())],
                pass_fds=(to_child_r, from_child_w, lifeline_r), stdin=subprocess.DEVNULL,
                close_fds=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                    filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))})
        except BaseException:
            for fd in (to_child_w, from_child_r, self.lifeline):
                os.close(fd)
            raise
        finally:
            for fd in (to_child_r, from_child_w, lifeline_r):
                os.close(fd)
        self.conn = _Duplex(from_child_r, to_child_w)
        self.batch: list[tuple[Any, Any]] = []  # tasks sent and not answered; the first runs
        self.since = 0.0  # when the running task started (or its batch was sent)
        self.started = False  # the worker has said it started the batch

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                kill = True
        if kill:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()
        if self.lifeline is not None:
            os.close(self.lifeline)
            self.lifeline = None


class _Duplex:
    """Two one-way pipes used as one connection (send to the worker, receive from it)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.reader = multiprocessing.connection.Connection(read_fd, writable=False)
        self.writer = multiprocessing.connection.Connection(write_fd, readable=False)

    def send(self, obj: Any) -> None:
        self.writer.send(obj)

    def recv(self) -> Any:
        return self.reader.recv()

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class _Queue:
    """The tasks of one map not yet sent: shared ones, and those a worker already holds the
    data of (by its process id); each list is used from its end."""

    def __init__(self, items: Iterable[tuple[Any, Any]],
                 owner: Callable[[Any], int | None] | None) -> None:
        self.shared: list[tuple[Any, Any]] = []
        self.owned: dict[int, list[tuple[Any, Any]]] = {}
        for item in items:
            pid = owner(item[0]) if owner is not None else None
            (self.shared if pid is None else self.owned.setdefault(pid, [])).append(item)
        for tasks in (self.shared, *self.owned.values()):
            tasks.reverse()

    def __len__(self) -> int:
        return len(self.shared) + sum(map(len, self.owned.values()))

    def steal(self) -> list[tuple[Any, Any]]:
        """For a worker with no tasks of its own and none shared: a share of the longest list
        of another worker's tasks (a quarter of half of it), the far end (those it would reach
        last), made shared."""
        tasks = max(self.owned.values(), key=len, default=[])
        count = max(1, len(tasks) // 8)
        self.shared.extend(tasks[:count])
        del tasks[:count]
        return self.shared


def worker_id() -> int:
    """What IsolatedPool.map's `owner` returns for a task whose data this worker holds."""
    return os.getpid()


class IsolatedPool:
    """`with IsolatedPool(workers=2) as pool: for key, result in pool.map(fn, items): ...`

    `fn(argument, state)` must be a module-level function (it is sent by reference); `state` is
    a dict that lives as long as the worker (for data shared by many tasks, see `broadcast`).
    """

    def __init__(self, workers: int = 1, timeout_s: float = DEFAULT_TIMEOUT_S,
                 memory_bytes: int | None = DEFAULT_MEMORY_BYTES,
                 cpu_s: float | None = None) -> None:
        self.size = max(1, workers)
        self.timeout_s = timeout_s  # wall clock, from the task's start
        self.cpu_s = cpu_s  # processor time per task (None: none)
        self.memory_bytes = memory_bytes
        self._workers: list[_Worker] = []
        self._setup: list[tuple[Callable, Any]] = []

    def __enter__(self) -> "IsolatedPool":
        return self

    def __exit__(self, *exc_info) -> None:
        workers, self._workers = self._workers, []
        kill = exc_info[0] is not None
        try:
            for worker in workers:
                worker.stop(kill=kill)
        finally:  # stopping one was interrupted: the others are killed, not left running
            for worker in workers:
                if worker.process.poll() is None:
                    worker.process.kill()
                    worker.process.wait()

    def start(self, count: int) -> None:
        """Start up to `count` workers now (at most the pool's size), so their interpreters
        load the code while the caller goes on; map starts any others it needs."""
        while len(self._workers) < min(self.size, count):
            self._workers.append(self._new_worker())

    def kill(self) -> None:
        """Stop every worker at once, without letting it finish what it is doing (a worker
        started by `start` that was never given work)."""
        self.__exit__(RuntimeError, None, None)

    def broadcast(self, function: Callable[[Any, dict], Any], argument: Any) -> None:
        """Run `function(argument, state)` in every worker now and in every replacement later."""
        self._setup.append((function, argument))
        for worker in self._workers:
            _run_setup(worker, function, argument)

    def _new_worker(self) -> _Worker:
        worker = _Worker(self.memory_bytes)
        for function, argument in self._setup:
            _run_setup(worker, function, argument)
        return worker

    def map(self, function: Callable[[Any, dict], Any], items: Iterable[tuple[Any, Any]],
            weigh: Callable[[Any], int] | None = None,
            owner: Callable[[Any], int | None] | None = None,
            light: Callable[[Any], Any] | None = None) -> Iterator[tuple[Any, Any]]:
        """Yield (key, result or TaskFailed) for each (key, argument), in completion order.

        Tasks travel in batches (see _take; `weigh(argument)` is a task's size in bytes), so a
        worker goes from one task to the next without waiting for the parent, and each task
        keeps its own limits: the worker says when a batch starts and answers task by task,
        so the task running when a worker overran or died is known, fails alone, and the rest
        of its batch goes back to be sent again.

        `owner(key)` is the process id of the worker that already holds a task's data (see
        worker_id); that worker gets the task first, as `light(argument)`, without the data.
        Another worker that runs out of work takes it whole, and so does any worker after
        the owner died."""
        queue = _Queue(items, owner)
        while len(self._workers) < min(self.size, len(queue)):
            self._workers.append(self._new_worker())
        busy: dict[int, _Worker] = {}
        while len(queue) or busy:
            self._dispatch(function, queue, busy, weigh, light)
            if not busy:
                break
            ready = multiprocessing.connection.wait([w.conn.reader for w in busy.values()],
                                                    timeout=0.2)
            finished = self._collect(busy, ready, queue.shared)
            self._dispatch(function, queue, busy, weigh, light)  # before the caller takes these
            yield from finished

    def _take(self, pending: list[tuple[Any, Any]], weigh: Callable[[Any], int] | None
              ) -> list[tuple[Any, Any]]:
        """The next batch from the end of `pending`: small enough that every worker gets a
        share of what is left (a quarter of its share), at most BATCH_TASKS tasks and about
        BATCH_BYTES bytes."""
        count = max(1, min(BATCH_TASKS, len(pending) // (self.size * 4)))
        batch, size = [], 0
        while pending and len(batch) < count and (not batch or size < BATCH_BYTES):
            batch.append(pending.pop())
            size += weigh(batch[-1][1]) if weigh else 0
        return batch

    def _dispatch(self, function: Callable[[Any, dict], Any], queue: "_Queue",
                  busy: dict[int, _Worker], weigh: Callable[[Any], int] | None,
                  light: Callable[[Any], Any] | None) -> None:
        """Send a batch of the pending tasks to each idle worker: its own tasks first (light),
        then the shared ones, then another worker's (whole)."""
        for index, worker in enumerate(self._workers):
            if index not in busy and len(queue):
                if worker.process.poll() is not None:  # died between batches
                    worker.stop(kill=True)
                    worker = self._workers[index] = self._new_worker()
                mine = queue.owned.get(worker.process.pid)
                if mine:
                    worker.batch = self._take(mine, None)
                    sent = [(key, light(argument) if light else argument)
                            for key, argument in worker.batch]
                else:
                    worker.batch = self._take(queue.shared or queue.steal(), weigh)
                    sent = worker.batch
                worker.conn.send((function, sent, self.cpu_s))
                worker.since, worker.started = time.monotonic(), False
                busy[index] = worker

    def _collect(self, busy: dict[int, _Worker], ready: list, pending: list[tuple[Any, Any]]
                 ) -> list[tuple[Any, Any]]:
        """(key, result or TaskFailed) of each task that has ended, in worker order. A worker
        whose batch is done is no longer busy; one that is not trusted again is replaced, the
        unanswered rest of its batch put back in `pending`."""
        finished: list[tuple[Any, Any]] = []
        for index, worker in list(busy.items()):
            replace_worker = False
            if worker.conn.reader in ready:
                replace_worker = self._drain(worker, finished)
            if not replace_worker and worker.batch:
                failed = self._overran_or_died(worker, time.monotonic())
                if failed is not None:
                    finished.append((worker.batch.pop(0)[0], failed))
                    replace_worker = True
            if replace_worker:
                pending.extend(reversed(worker.batch))
                worker.batch = []
                worker.stop(kill=True)
                self._workers[index] = self._new_worker()
            if not worker.batch:
                del busy[index]
        return finished

    def _drain(self, worker: _Worker, finished: list[tuple[Any, Any]]) -> bool:
        """Read every message the worker has sent, adding the answered tasks to `finished`;
        True when the worker must be replaced (it died, or ran out of memory)."""
        while worker.batch and worker.conn.reader.poll():
            try:
                status, key, value = worker.conn.recv()
            except (EOFError, OSError):
                finished.append((worker.batch.pop(0)[0], self._death(worker)))
                return True
            worker.since = time.monotonic()  # the worker's next task starts now
            if status == "started":
                worker.started = True
                continue
            worker.batch.pop(0)
            if status == "ok":
                finished.append((key, value))
                continue
            finished.append((key, TaskFailed(_first_line(value), status)))
            if status == "memory":
                return True
        return False

    def _overran_or_died(self, worker: _Worker, now: float) -> TaskFailed | None:
        """Why the worker's running task ended without an answer (the worker died, or the task
        ran out of wall-clock time); None while it is still running."""
        if worker.process.poll() is not None:
            return self._death(worker)
        limit = self.timeout_s if worker.started else self.timeout_s + STARTUP_S
        if now - worker.since > limit:
            return TaskFailed(f"took longer than {self.timeout_s:g} s and was stopped", "wall")
        return None

    def _death(self, worker: _Worker) -> TaskFailed:
        """Why the worker's process ended during its task."""
        try:
            code = worker.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            code = None
        if code == -signal.SIGXCPU and self.cpu_s is not None:
            return TaskFailed(f"used more than {self.cpu_s:g} s of processor time and was "
                              "stopped", "cpu")
        if code is not None and code < 0:
            return TaskFailed(f"the worker was killed by signal {-code} (likely out of memory)",
                              "died")
        return TaskFailed(f"the worker stopped unexpectedly (exit code {code})", "died")


def _run_setup(worker: _Worker, function: Callable, argument: Any) -> None:
    worker.conn.send((function, [(None, argument)], None))
    status, _, value = worker.conn.recv()
    if status == "started":
        status, _, value = worker.conn.recv()
    if status != "ok":
        raise RuntimeError(f"worker set-up failed: {value}")


def _first_line(value: str) -> str:
    return str(value).split("\n", 1)[0]


def default_workers() -> int:
    """Workers a build starts by default: the number of cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


if __name__ == "__main__":
    # a worker: python -m gcmdash.runner.isolate READ_FD WRITE_FD MEMORY_BYTES LIFELINE_FD PPID
    _read_fd, _write_fd, _memory, _lifeline, _parent = (int(a) for a in sys.argv[1:6])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent_death_hook(_parent)()
    _watch_parent(_lifeline)
    _worker_main(_Duplex(_read_fd, _write_fd), _memory or None)
