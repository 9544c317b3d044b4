"""Executors run jobs; the :class:`Executor` protocol and the default :class:`LocalExecutor`.

The driver talks to an executor through six calls (the whole protocol)::

    check(catalog)                    # before anything runs: raise ValueError naming every
                                      # hardware row this executor cannot provide
    submit(spec: JobSpec) -> handle   # start (or queue) one job; returns spec.job_id
    poll(timeout: float) -> [Event]   # what happened, waiting at most `timeout` seconds
    reply(handle, go, target)         # the decision for a job blocked at its rung report:
                                      # go=True trains on to fidelity index `target` (CONTINUE)
    kill(handle)                      # end a job now (no event follows for it)
    close()                           # kill everything, release resources

Events (:class:`Event`, ``kind`` and ``data``):

* ``("result", (fidelity_index, {objective: float}, segment_seconds))``: a report; at the
  job's rung level the job then blocks until ``reply``;
* ``("checkpoint", (fidelity_index, save_seconds))``: the trial saved its state;
* ``("exit", ())``: the trial function returned (the job is over, its slot is free);
* ``("error", (message, traceback))``: the trial function raised (the job is over);
* ``("crash", (message,))``: the job's process died without a word (exit code or signal);
* ``("timeout", (message,))``: no report for ``spec.timeout_s`` seconds; the executor killed
  the job's process group.

Every job of one ``spec.job_id`` produces exactly one of ``exit``, ``error``, ``crash``,
``timeout`` last (unless the driver killed it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

from mohb_jax._src.tune.hardware import Hardware, local_problems


@dataclass
class JobSpec:
    """One job: train ``trial`` (config row ``config``) from its checkpoint up to ``target``.

    Attributes:
        job_id: unique id in the run (the handle).
        trial, config_index: scheduler ids.
        config: the candidate row as a dict (hyperparameters and ``hardware``).
        hardware: the row's :class:`Hardware`.
        grid: the fidelity grid values.
        target: fidelity index the job reports at and waits for a decision.
        attempt: 0, then 1, 2, ... for retries after a dead process.
        checkpoint_dir: the trial's checkpoint directory.
        train: how the worker imports the trial function (``module``, ``file``, ``qualname``).
        report_names: the objectives the trial reports (the runner measures the others).
        timeout_s: kill after this many seconds without a report (None: never).
        resume_max: the trial's last journaled fidelity index: the job resumes from the newest
            checkpoint at or below it (-1: from scratch).
        sys_path: entries the worker prepends to ``sys.path`` to import ``train``.
        log_path: where the job's stdout / stderr go (None: inherited).
    """

    job_id: int
    trial: int
    config_index: int
    config: dict[str, Any]
    hardware: Hardware
    grid: list[float]
    target: int
    attempt: int
    checkpoint_dir: str
    train: dict[str, Any]
    report_names: list[str]
    timeout_s: float | None = None
    resume_max: int = -1
    sys_path: list[str] = field(default_factory=list)
    log_path: str | None = None

    def message(self) -> dict[str, Any]:
        """What the worker process receives first."""
        return {
            "trial": self.trial,
            "config": self.config,
            "attempt": self.attempt,
            "hardware": self.hardware.to_json(),
            "grid": list(self.grid),
            "target": self.target,
            "checkpoint_dir": self.checkpoint_dir,
            "train": self.train,
            "report_names": list(self.report_names),
            "resume_max": self.resume_max,
            "sys_path": list(self.sys_path),
        }


class Event(NamedTuple):
    kind: str  # result | checkpoint | exit | error | crash | timeout
    job_id: int
    data: tuple


@runtime_checkable
class Executor(Protocol):
    """Runs jobs (see the module docstring for the contract)."""

    def check(self, catalog: tuple[Hardware, ...]) -> None: ...

    def submit(self, spec: JobSpec) -> int: ...

    def poll(self, timeout: float) -> list[Event]: ...

    def reply(self, handle: int, go: bool, target: int) -> None: ...

    def kill(self, handle: int) -> None: ...

    def close(self) -> None: ...


@dataclass
class _Proc:
    spec: JobSpec
    popen: subprocess.Popen
    rx: Connection
    tx: Connection
    last: float
    ended: bool = False  # the worker said "done" / "error"
    log: Any = None
    result: Any = None  # the worker's last word: ("done",) or ("error", message, traceback)


def _package_root() -> str:
    import mohb_jax

    return str(Path(mohb_jax.__file__).resolve().parents[1])


class LocalExecutor:
    """One freshly started subprocess per job on this machine (the default executor).

    Each job runs ``python -m mohb_jax._src.tune.worker`` (``subprocess``, never ``fork``) in
    its own process group, with its hardware row's environment, pinned to the row's CPUs,
    at most ``slots`` jobs per row at a time (further jobs wait in a queue), and JAX's
    persistent compilation cache in ``cache_dir`` so that workers reuse compiled programs.

    Args:
        cache_dir: JAX compilation cache directory for the workers (None: off).
        python: interpreter of the workers (default: this one).
    """

    def __init__(self, cache_dir: str | os.PathLike | None = None, python: str | None = None):
        self.cache_dir = None if cache_dir is None else str(cache_dir)
        self.python = python or sys.executable
        self._queue: deque[JobSpec] = deque()
        self._procs: dict[int, _Proc] = {}
        self._busy: dict[str, int] = {}
        self._pending: list[Event] = []
        self._exiting: list[tuple[subprocess.Popen, float]] = []  # said their last word

    # ---- protocol ------------------------------------------------------------------------
    def check(self, catalog) -> None:
        bad = []
        for hw in catalog:
            probs = local_problems(hw)
            if probs:
                bad.append(f"{hw.name!r} needs {'; '.join(probs)}")
        if bad:
            raise ValueError("this machine cannot provide hardware row(s): " + " | ".join(bad))

    def submit(self, spec: JobSpec) -> int:
        self._queue.append(spec)
        self._start_queued()
        return spec.job_id

    def _reap(self) -> None:
        """Collect exited processes; kill those lingering 10 s after their last word."""
        keep = []
        for popen, t in self._exiting:
            if popen.poll() is None:
                if time.monotonic() - t > 10:
                    try:
                        os.killpg(popen.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                keep.append((popen, t))
        self._exiting = keep

    def poll(self, timeout: float) -> list[Event]:
        self._reap()
        self._start_queued()
        out, self._pending = self._pending, []
        if out:
            timeout = 0.0
        now = time.monotonic()
        deadline = now + max(0.0, timeout)
        for p in self._procs.values():
            if p.spec.timeout_s is not None:
                deadline = min(deadline, p.last + p.spec.timeout_s)
        conns = {p.rx: jid for jid, p in self._procs.items()}
        ready = wait(list(conns), timeout=max(0.0, deadline - now)) if conns else []
        if not conns and timeout > 0:
            time.sleep(min(timeout, 0.05))
        for c in ready:
            jid = conns[c]
            p = self._procs.get(jid)
            if p is None:
                continue
            while True:
                try:
                    msg = p.rx.recv()
                except (EOFError, OSError):
                    out.append(self._finish(jid))
                    break
                p.last = time.monotonic()
                ev = self._event(jid, p, msg)
                if ev is not None:
                    out.append(ev)
                if p.ended:  # its last word: the job is over (the process is reaped later)
                    out.append(self._finish(jid, wait_exit=False))
                    break
                if not p.rx.poll(0):
                    break
        now = time.monotonic()
        for jid, p in list(self._procs.items()):
            t = p.spec.timeout_s
            if t is not None and now - p.last > t and not p.ended:
                self._killpg(p)
                self._release(jid)
                out.append(Event("timeout", jid, (f"no report for {t:g} s: killed",)))
        self._start_queued()
        return out

    def reply(self, handle: int, go: bool, target: int) -> None:
        p = self._procs.get(handle)
        if p is None:
            return
        p.last = time.monotonic()
        try:
            p.tx.send(("decision", bool(go), int(target)))
        except (OSError, BrokenPipeError):  # died meanwhile: its EOF becomes a crash event
            pass

    def kill(self, handle: int) -> None:
        p = self._procs.get(handle)
        if p is not None:
            self._killpg(p)
            self._release(handle)
        self._queue = deque(s for s in self._queue if s.job_id != handle)

    def close(self) -> None:
        for jid in list(self._procs):
            self.kill(jid)
        self._queue.clear()
        for popen, _ in self._exiting:
            try:
                popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
        self._exiting = []

    # ---- internals -----------------------------------------------------------------------
    @property
    def running(self) -> int:
        return len(self._procs)

    def _event(self, jid: int, p: _Proc, msg) -> Event | None:
        kind = msg[0]
        if kind == "result":
            return Event("result", jid, tuple(msg[1:]))
        if kind == "ckpt":
            return Event("checkpoint", jid, tuple(msg[1:]))
        if kind in ("done", "error"):
            p.ended = True
            p.result = msg
            return None
        return None

    def _finish(self, jid: int, wait_exit: bool = True) -> Event:
        p = self._procs[jid]
        rc = p.popen.wait() if wait_exit else None
        msg = p.result
        self._release(jid)
        if not wait_exit:
            self._exiting.append((p.popen, time.monotonic()))
        if msg is not None and msg[0] == "done":
            return Event("exit", jid, ())
        if msg is not None and msg[0] == "error":
            return Event("error", jid, (msg[1], msg[2]))
        how = f"killed by signal {-rc}" if rc < 0 else f"exit code {rc}"
        return Event("crash", jid, (f"worker process died ({how})",))

    def _killpg(self, p: _Proc) -> None:
        try:
            os.killpg(p.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass

    def _release(self, jid: int) -> None:
        p = self._procs.pop(jid)
        self._busy[p.spec.hardware.name] -= 1
        for c in (p.rx, p.tx):
            try:
                c.close()
            except OSError:
                pass
        if p.log is not None:
            p.log.close()

    def _start_queued(self) -> None:
        kept = deque()
        while self._queue:
            spec = self._queue.popleft()
            hw = spec.hardware
            if self._busy.get(hw.name, 0) >= hw.slots:
                kept.append(spec)
                continue
            self._start(spec)
        self._queue = kept

    def _start(self, spec: JobSpec) -> None:
        hw = spec.hardware
        env = dict(os.environ)
        env.update(hw.env)
        root = _package_root()
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        if hw.cpus is not None:
            env["MOHB_TUNE_CPUS"] = ",".join(map(str, hw.cpus))
        else:
            env.pop("MOHB_TUNE_CPUS", None)
        if self.cache_dir:
            env.setdefault("JAX_COMPILATION_CACHE_DIR", self.cache_dir)
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
        d_r, d_w = os.pipe()  # driver -> worker
        w_r, w_w = os.pipe()  # worker -> driver
        log = open(spec.log_path, "ab") if spec.log_path else None  # noqa: SIM115
        try:
            popen = subprocess.Popen(
                [self.python, "-m", "mohb_jax._src.tune.worker", str(d_r), str(w_w)],
                env=env,
                pass_fds=(d_r, w_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT if log else None,
                process_group=0,
                close_fds=True,
            )
        finally:
            os.close(d_r)
            os.close(w_w)
        tx = Connection(d_w, readable=False)
        rx = Connection(w_r, writable=False)
        self._busy[hw.name] = self._busy.get(hw.name, 0) + 1
        self._procs[spec.job_id] = _Proc(spec, popen, rx, tx, time.monotonic(), log=log)
        try:
            tx.send(spec.message())
        except (OSError, BrokenPipeError):  # died at once: its EOF becomes a crash event
            pass
