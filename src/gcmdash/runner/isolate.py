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
        function, argument, cpu_s = message
        conn.send(("started", None))  # the time limit counts from here, not from import time
        try:
            _limit_cpu(cpu_s)
            try:
                result = function(argument, state)
            finally:
                _limit_cpu(None)
            conn.send(("ok", result))
        except MemoryError:
            conn.send(("memory", "ran out of memory (the per-document limit is "
                                 f"{(memory_bytes or 0) // 1024**2} MB)"))
            return  # a worker that hit its memory limit is not trusted again
        except Exception as exc:  # noqa: BLE001 - reported to the parent as this task's failure
            conn.send(("error", f"{type(exc).__name__}: {exc}"
                                f"\n{traceback.format_exc(limit=3)}"))


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
        self.task: tuple[Any, float, bool] | None = None  # (key, since, started)

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

    def map(self, function: Callable[[Any, dict], Any], items: Iterable[tuple[Any, Any]]
            ) -> Iterator[tuple[Any, Any]]:
        """Yield (key, result or TaskFailed) for each (key, argument), in completion order."""
        pending = list(items)
        pending.reverse()
        while len(self._workers) < min(self.size, len(pending)):
            self._workers.append(self._new_worker())
        busy: dict[int, _Worker] = {}
        while pending or busy:
            self._dispatch(function, pending, busy)
            if not busy:
                break
            ready = multiprocessing.connection.wait([w.conn.reader for w in busy.values()],
                                                    timeout=0.2)
            finished = self._collect(busy, ready, time.monotonic())
            self._dispatch(function, pending, busy)  # the workers start on the next tasks while the caller takes these
            yield from finished

    def _dispatch(self, function: Callable[[Any, dict], Any], pending: list[tuple[Any, Any]],
                  busy: dict[int, _Worker]) -> None:
        """Send the next pending tasks (taken from the end of `pending`) to the idle workers."""
        for index, worker in enumerate(self._workers):
            if index not in busy and pending:
                key, argument = pending.pop()
                worker.conn.send((function, argument, self.cpu_s))
                worker.task = (key, time.monotonic(), False)
                busy[index] = worker

    def _collect(self, busy: dict[int, _Worker], ready: list, now: float) -> list[tuple[Any, Any]]:
        """(key, result or TaskFailed) of each busy worker's task that has ended, in worker order.
        Those workers are no longer busy; one that is not trusted again is replaced."""
        finished = []
        for index, worker in list(busy.items()):
            key = worker.task[0]
            ended = self._task_outcome(worker, worker.conn.reader in ready, now)
            if ended is None:
                continue
            outcome, replace_worker = ended
            del busy[index]
            worker.task = None
            if replace_worker:
                worker.stop(kill=True)
                self._workers[index] = self._new_worker()
            finished.append((key, outcome))
        return finished

    def _task_outcome(self, worker: _Worker, readable: bool, now: float
                      ) -> tuple[Any, bool] | None:
        """(result or TaskFailed, whether to replace the worker) when the worker's task has
        ended: it answered, died or ran out of time; None while it is still running."""
        _, since, started = worker.task
        if readable:
            return self._received(worker)
        if worker.process.poll() is not None:
            return self._death(worker), True
        if now - since > (self.timeout_s if started else self.timeout_s + STARTUP_S):
            return TaskFailed(f"took longer than {self.timeout_s:g} s and was stopped",
                              "wall"), True
        return None

    def _received(self, worker: _Worker) -> tuple[Any, bool] | None:
        """Read the worker's message: None when it only says the task started (its time limit
        counts from now), else (result or TaskFailed, whether to replace the worker)."""
        try:
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            return self._death(worker), True
        if status == "started":
            worker.task = (worker.task[0], time.monotonic(), True)
            return None
        if status == "ok":
            return value, False
        return TaskFailed(_first_line(value), status), status == "memory"

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
    worker.conn.send((function, argument, None))
    status, value = worker.conn.recv()
    if status == "started":
        status, value = worker.conn.recv()
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
