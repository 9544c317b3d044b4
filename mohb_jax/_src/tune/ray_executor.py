"""Ray as the engine of real trials and of sweeps too large for one machine (the ``ray`` extra).

:class:`RayExecutor` implements the :class:`~mohb_jax._src.tune.executor.Executor` protocol of
the real-run driver, so ``Tuner(..., executor=RayExecutor(address))`` runs the very same
scheduler, lifecycle and journal as the local executor, with each job a Ray task:

* **Hardware → Ray request.** A catalog row's ``resources["ray"]`` may give ``num_cpus``,
  ``num_gpus``, ``memory``, ``resources`` (custom resources, e.g. ``{"hw:a10": 1}``),
  ``accelerator_type`` and ``label_selector`` (``{label: value}``, equality only); by default a
  job asks for ``len(cpus)`` CPUs when the row pins CPUs, else 1. The row's ``env`` becomes the
  task's ``runtime_env`` environment and ``cpus`` its CPU affinity on the node, as locally.
* **Checked at start-up.** Ray never errors on a request no node can meet (the task pends
  forever), so :meth:`RayExecutor.check` compares every row's request with each alive node's
  resources and labels (``ray.nodes()``) and raises naming the rows no node can run.
* **One fresh worker process per job** (``max_calls=1``): the environment, the CPU affinity and
  JAX's state never leak from one job into the next, as with the local executor's subprocesses.
* **Messages** between the driver and a running job (reports, the decision at a rung) go through
  one small asynchronous mailbox actor (0 CPUs) per executor.
* **Faults.** A job whose worker process or node dies (``WorkerCrashedError``,
  ``NodeDiedError``, ``ray.kill`` of its worker) becomes a ``crash`` event, which the driver
  retries from the trial's last checkpoint up to ``max_retries``; a job silent for
  ``timeout_s`` is cancelled with ``ray.cancel(force=True)`` (which kills its worker process) and
  becomes a ``timeout`` event. Ray's own task retries are off for jobs (``max_retries=0``): the
  driver decides, so that every result is told exactly once.
* **Checkpoints** live in the run's directory, which must be a filesystem every node mounts
  (NFS, a cluster filesystem; on one machine any directory). Not Ray's object store: an object
  put by a worker is lost with that worker's owner, and a checkpoint must outlive exactly that
  failure. The journal stays on the driver.

Sweeps: :meth:`RayExecutor.simulate` runs the chunks of a sweep's seeds as Ray tasks (Ray
retries a chunk whose worker died: ``max_retries``), each a call of :func:`mohb_jax.simulate`
on its seeds; the frames are bit-identical to the local sweep's, since seed ``s`` always runs
with ``jax.random.key(s)`` whatever chunk it is in.

References:
    Moritz et al. "Ray: A Distributed Framework for Emerging AI Applications." OSDI 2018.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from mohb_jax._src.tune.executor import Event, JobSpec, _package_root
from mohb_jax._src.tune.hardware import Hardware

#: keys a hardware row's ``resources["ray"]`` may have
RAY_KEYS = ("num_cpus", "num_gpus", "memory", "resources", "accelerator_type", "label_selector")


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - the extra is missing
        raise ImportError("RayExecutor needs Ray: pip install 'mohb_jax[ray]' (ray==2.60.0)") from e
    return ray


def ray_request(hw: Hardware) -> dict[str, Any]:
    """The Ray task options of a hardware row (see the module docstring).

    Raises:
        ValueError: unknown keys or values of the wrong type in ``resources["ray"]``.
    """
    req = dict(hw.resources.get("ray", {}))
    unknown = sorted(set(req) - set(RAY_KEYS))
    if unknown:
        raise ValueError(
            f"hardware {hw.name!r}: unknown Ray request key(s) {unknown}; allowed: {list(RAY_KEYS)}"
        )
    out: dict[str, Any] = {"num_cpus": float(len(hw.cpus)) if hw.cpus else 1.0}
    for k in ("num_cpus", "num_gpus", "memory"):
        if k in req:
            v = req[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"hardware {hw.name!r}: ray {k} must be a number >= 0; got {v!r}")
            out[k] = float(v)
    if "resources" in req:
        r = req["resources"]
        if not isinstance(r, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and v > 0 for k, v in r.items()
        ):
            raise ValueError(
                f"hardware {hw.name!r}: ray resources must map names to positive amounts; got {r!r}"
            )
        out["resources"] = {k: float(v) for k, v in r.items()}
    if "accelerator_type" in req:
        out["accelerator_type"] = str(req["accelerator_type"])
    if "label_selector" in req:
        ls = req["label_selector"]
        if not isinstance(ls, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in ls.items()
        ):
            raise ValueError(
                f"hardware {hw.name!r}: ray label_selector must map str to str; got {ls!r}"
            )
        out["label_selector"] = dict(ls)
    return out


def _needs(req: dict[str, Any]) -> dict[str, float]:
    """The node resources a request needs (Ray's resource names)."""
    need = {"CPU": req.get("num_cpus", 1.0)}
    if req.get("num_gpus"):
        need["GPU"] = req["num_gpus"]
    if req.get("memory"):
        need["memory"] = req["memory"]
    need.update(req.get("resources", {}))
    if "accelerator_type" in req:
        need[f"accelerator_type:{req['accelerator_type']}"] = 0.001
    return {k: v for k, v in need.items() if v > 0}


def unmet(req: dict[str, Any], nodes: list[dict[str, Any]]) -> str | None:
    """Why no alive node of ``nodes`` (``ray.nodes()``) can run ``req`` (None if one can)."""
    need = _needs(req)
    labels = req.get("label_selector", {})
    alive = [n for n in nodes if n.get("Alive", n.get("alive", False))]
    if not alive:
        return "no alive node"
    reasons = []
    for n in alive:
        have = n.get("Resources", {})
        short = [
            f"{k} {v:g} (has {have.get(k, 0):g})" for k, v in need.items() if have.get(k, 0) < v
        ]
        lab = n.get("Labels", {}) or {}
        off = [f"label {k}={v} (has {lab.get(k)!r})" for k, v in labels.items() if lab.get(k) != v]
        if not short and not off:
            return None
        reasons.append(", ".join(short + off))
    return "no node offers it: " + " | ".join(sorted(set(reasons)))


def _pythonpath() -> str:
    """This package's root first, then the driver's ``PYTHONPATH`` (Ray workers import us)."""
    return os.pathsep.join([_package_root(), *filter(None, [os.environ.get("PYTHONPATH")])])


def _job_body(spec: dict[str, Any], mailbox, job_id: int) -> str:
    """The Ray task of one job: pin, import the trial function, run it with a mailbox duplex."""
    cpus = os.environ.get("MOHB_TUNE_CPUS")
    if cpus:
        os.sched_setaffinity(0, [int(c) for c in cpus.split(",")])
    import ray

    for p in reversed(spec.get("sys_path", [])):
        if p not in sys.path:
            sys.path.insert(0, p)
    from mohb_jax._src.tune.context import TrialContext
    from mohb_jax._src.tune.worker import _load_train

    class _Duplex:
        @staticmethod
        def send(msg):
            ray.get(mailbox.put_up.remote(job_id, msg))

        @staticmethod
        def recv():
            return ray.get(mailbox.take_down.remote(job_id))

    try:
        train = _load_train(spec["train"])
        ctx = TrialContext(spec, _Duplex)
        train(dict(ctx.config), ctx)
    except BaseException as e:  # noqa: BLE001 (the trial's failure is reported, not raised)
        import traceback

        _Duplex.send(("error", f"{type(e).__name__}: {e}", traceback.format_exc(limit=8)))
        return "error"
    _Duplex.send(("done",))
    return "done"


class _MailboxImpl:
    """Messages between the driver and the running jobs (an asynchronous actor)."""

    def __init__(self):
        import asyncio
        from collections import defaultdict

        self._up: list = []
        self._up_event = asyncio.Event()
        self._down = defaultdict(asyncio.Queue)

    async def put_up(self, job_id, msg):
        self._up.append((job_id, msg))
        self._up_event.set()

    async def take_up(self, timeout):
        import asyncio

        if not self._up and timeout > 0:
            try:
                await asyncio.wait_for(self._up_event.wait(), timeout)
            except TimeoutError:
                pass
        self._up_event.clear()
        out, self._up = self._up, []
        return out

    async def put_down(self, job_id, msg):
        await self._down[job_id].put(msg)

    async def take_down(self, job_id):
        return await self._down[job_id].get()

    async def forget(self, job_id):
        self._down.pop(job_id, None)


class RayExecutor:
    """Runs each job as a Ray task on a Ray cluster (see the module docstring).

    Args:
        address: the cluster's address (``"auto"``, ``"ray://host:10001"``, ...); None starts
            or joins a local cluster (``ray.init()``). An already initialized Ray is used as is.
        init_kwargs: extra ``ray.init`` arguments (e.g. ``num_cpus``, ``resources``).
        cache_dir: JAX persistent compilation cache directory for the jobs (None: off); it
            must be reachable from every node to help.
        chunk_retries: Ray retries of a sweep chunk whose worker died.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        init_kwargs: dict[str, Any] | None = None,
        cache_dir: str | os.PathLike | None = None,
        chunk_retries: int = 3,
    ):
        self.address = address
        self.init_kwargs = dict(init_kwargs or {})
        self.cache_dir = None if cache_dir is None else str(cache_dir)
        self.chunk_retries = int(chunk_retries)
        self._mailbox = None
        self._remote = None
        self._jobs: dict[int, dict[str, Any]] = {}  # job_id -> {ref, spec, last, ended, word}
        self._pending: list[Event] = []

    # ---- set-up ---------------------------------------------------------------------------
    def _ensure(self):
        ray = _ray()
        if not ray.is_initialized():
            kw = {"include_dashboard": False, "log_to_driver": False, **self.init_kwargs}
            ray.init(address=self.address, **kw)
        if self._mailbox is None:
            mb = ray.remote(num_cpus=0)(_MailboxImpl)
            self._mailbox = mb.remote()
            self._remote = ray.remote(max_calls=1, max_retries=0)(_job_body)
        return ray

    # ---- protocol -------------------------------------------------------------------------
    def check(self, catalog) -> None:
        ray = self._ensure()
        nodes = ray.nodes()
        bad = []
        for hw in catalog:
            try:
                why = unmet(ray_request(hw), nodes)
            except ValueError as e:
                bad.append(str(e))
                continue
            if why is not None:
                bad.append(f"{hw.name!r}: {why}")
        if bad:
            raise ValueError("the Ray cluster cannot provide hardware row(s): " + " ; ".join(bad))

    def submit(self, spec: JobSpec) -> int:
        self._ensure()
        hw = spec.hardware
        req = ray_request(hw)
        env = {k: str(v) for k, v in hw.env.items()}
        env["PYTHONPATH"] = _pythonpath()
        if hw.cpus is not None:
            env["MOHB_TUNE_CPUS"] = ",".join(map(str, hw.cpus))
        if self.cache_dir:
            env.setdefault("JAX_COMPILATION_CACHE_DIR", self.cache_dir)
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
            env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
        opts = {**req, "runtime_env": {"env_vars": env}}
        ref = self._remote.options(**opts).remote(spec.message(), self._mailbox, spec.job_id)
        self._jobs[spec.job_id] = {
            "ref": ref,
            "spec": spec,
            "last": time.monotonic(),
            "ended": False,
            "word": None,
        }
        return spec.job_id

    def poll(self, timeout: float) -> list[Event]:
        ray = self._ensure()
        out, self._pending = self._pending, []
        if out:
            timeout = 0.0
        now = time.monotonic()
        wait_s = max(0.0, timeout)
        for j in self._jobs.values():
            t = j["spec"].timeout_s
            if t is not None:
                wait_s = min(wait_s, max(0.0, j["last"] + t - now))
        msgs = ray.get(self._mailbox.take_up.remote(wait_s if self._jobs else 0.0))
        if not self._jobs and timeout > 0:
            time.sleep(min(timeout, 0.05))
        self._handle(msgs, out)
        # jobs whose task ended: their last word, or a crash
        refs = {j["ref"]: jid for jid, j in self._jobs.items()}
        if refs:
            ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0)
            errs = {}
            for ref in ready:
                try:
                    ray.get(ref)
                    errs[refs[ref]] = None
                except Exception as e:  # noqa: BLE001 (WorkerCrashedError, NodeDiedError ...)
                    errs[refs[ref]] = e
            if any(not self._jobs[jid]["ended"] for jid in errs):  # a last word in flight
                self._handle(ray.get(self._mailbox.take_up.remote(0.0)), out)
            for jid, err in errs.items():
                out.append(self._finish(jid, err))
        now = time.monotonic()
        for jid, j in list(self._jobs.items()):
            t = j["spec"].timeout_s
            if t is not None and now - j["last"] > t and not j["ended"]:
                self._cancel(jid)
                out.append(Event("timeout", jid, (f"no report for {t:g} s: cancelled",)))
        return out

    def _handle(self, msgs, out: list[Event]) -> None:
        for jid, msg in msgs:
            j = self._jobs.get(jid)
            if j is None:
                continue
            j["last"] = time.monotonic()
            kind = msg[0]
            if kind == "result":
                out.append(Event("result", jid, tuple(msg[1:])))
            elif kind == "ckpt":
                out.append(Event("checkpoint", jid, tuple(msg[1:])))
            elif kind in ("done", "error"):
                j["ended"], j["word"] = True, msg

    def reply(self, handle: int, go: bool, target: int) -> None:
        j = self._jobs.get(handle)
        if j is None:
            return
        j["last"] = time.monotonic()
        self._mailbox.put_down.remote(handle, ("decision", bool(go), int(target)))

    def kill(self, handle: int) -> None:
        if handle in self._jobs:
            self._cancel(handle)

    def close(self) -> None:
        for jid in list(self._jobs):
            self._cancel(jid)
        if self._mailbox is not None:
            try:
                _ray().kill(self._mailbox)
            except Exception:  # noqa: BLE001 (Ray already shut down)
                pass
            self._mailbox = None

    # ---- internals ------------------------------------------------------------------------
    def _finish(self, jid: int, err) -> Event:
        j = self._jobs.pop(jid)
        self._mailbox.forget.remote(jid)
        word = j["word"]
        if word is not None and word[0] == "done":
            return Event("exit", jid, ())
        if word is not None and word[0] == "error":
            return Event("error", jid, (word[1], word[2]))
        what = type(err).__name__ if err is not None else "no last word"
        return Event("crash", jid, (f"Ray worker died ({what})",))

    def _cancel(self, jid: int) -> None:
        ray = _ray()
        j = self._jobs.pop(jid, None)
        if j is None:
            return
        try:
            ray.cancel(j["ref"], force=True)
        except Exception:  # noqa: BLE001 (already finished)
            pass
        self._mailbox.forget.remote(jid)

    # ---- sweeps ---------------------------------------------------------------------------
    def simulate(self, table, *, seeds, chunk_size: int = 64, **kwargs):
        """:func:`mohb_jax.simulate` with chunks of seeds as Ray tasks (one frame, seed order).

        Args:
            table: the table (shipped to the cluster once through the object store).
            seeds: as for ``simulate``.
            chunk_size: seeds per Ray task.
            **kwargs: the other ``simulate`` arguments (not ``progress``).

        Returns:
            The same frame as ``mohb_jax.simulate(table, seeds=seeds, **kwargs)`` (rows and
            values bit-identical); its ``attrs`` record the chunks and their seconds.
        """
        import numpy as np
        import pandas as pd

        from mohb_jax._src.sim.sweep import (
            LOOP_KERNEL_BYTES,
            _flags_with_loop_threshold,
            parse_seeds,
        )

        ray = self._ensure()
        seeds = parse_seeds(seeds)
        if int(chunk_size) < 1:
            raise ValueError(f"chunk_size must be >= 1; got {chunk_size}")
        kwargs.pop("progress", None)
        chunks = [seeds[i : i + int(chunk_size)] for i in range(0, len(seeds), int(chunk_size))]
        t_ref = ray.put(table)
        fn = ray.remote(max_retries=self.chunk_retries, retry_exceptions=False)(_sweep_chunk)
        # the driver's XLA options plus the event loop as one kernel (use_loop_kernels): the
        # task's worker process starts JAX with them; frames are bit-identical either way
        xla = _flags_with_loop_threshold(os.environ.get("XLA_FLAGS", ""), LOOP_KERNEL_BYTES)
        env = {"PYTHONPATH": _pythonpath(), "XLA_FLAGS": xla}
        fn = fn.options(runtime_env={"env_vars": env})
        t0 = time.perf_counter()
        refs = [fn.remote(t_ref, [int(s) for s in c], kwargs) for c in chunks]
        parts = ray.get(refs)
        wall = time.perf_counter() - t0
        frames = [p[0] for p in parts]
        df = pd.concat(frames, ignore_index=True)
        df.attrs = dict(frames[0].attrs)
        meta = dict(df.attrs.get("mohb_jax", {}))
        meta.update(
            seeds=[int(s) for s in seeds],
            n_seeds=len(seeds),
            executor={
                "kind": "ray",
                "address": self.address,
                "chunks": len(chunks),
                "chunk_size": int(chunk_size),
                "chunk_seconds": [float(p[1]) for p in parts],
                "wall_seconds": float(wall),
                "loop_kernels": all(bool(p[2]) for p in parts),
            },
        )
        for k in ("compile_seconds", "run_seconds"):
            if k in meta:
                meta[k] = float(np.sum([p[0].attrs.get("mohb_jax", {}).get(k, 0.0) for p in parts]))
        df.attrs["mohb_jax"] = meta
        return df


def _sweep_chunk(table, seeds, kwargs):
    """One chunk in a Ray worker: ``(frame, seconds, whether JAX there runs with the event
    loop as one kernel)``."""
    t0 = time.perf_counter()
    from mohb_jax._src.sim.sweep import simulate, use_loop_kernels

    loop_kernels = use_loop_kernels()  # in effect here (the task's env carries the option)
    df = simulate(table, seeds=seeds, progress=False, **kwargs)
    return df, time.perf_counter() - t0, loop_kernels
