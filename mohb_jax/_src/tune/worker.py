"""Entry point of a job's subprocess: ``python -m mohb_jax._src.tune.worker FD_IN FD_OUT``.

Runs in a freshly started interpreter (never a fork of the driver: JAX is multithreaded). The
driver already set the environment (``XLA_FLAGS``, ``OMP_NUM_THREADS``, ...); here the process
first asks to die with the driver (Linux ``PR_SET_PDEATHSIG``), pins itself to its hardware's
CPUs (``MOHB_TUNE_CPUS``) before anything else starts a thread, then imports the trial function
and runs one job through :class:`~mohb_jax._src.tune.context.TrialContext`.
"""

from __future__ import annotations

import os
import sys


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans end at their next message instead
        pass


def _load_train(ref: dict):
    import importlib
    import importlib.util

    mod = None
    name = ref.get("module")
    if name and name != "__main__":
        try:
            mod = importlib.import_module(name)
        except ImportError:
            mod = None
    if mod is None:
        spec = importlib.util.spec_from_file_location("__mohb_tune_main__", ref["file"])
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import the trial function's file {ref['file']!r}")
        mod = importlib.util.module_from_spec(spec)
        sys.modules["__mohb_tune_main__"] = mod
        spec.loader.exec_module(mod)
    obj = mod
    for part in ref["qualname"].split("."):
        obj = getattr(obj, part)
    return obj


def main(argv: list[str]) -> int:
    _die_with_parent()
    cpus = os.environ.get("MOHB_TUNE_CPUS")
    if cpus:
        os.sched_setaffinity(0, [int(c) for c in cpus.split(",")])
    from multiprocessing.connection import Connection

    conn_in = Connection(int(argv[0]), writable=False)
    conn_out = Connection(int(argv[1]), readable=False)

    class _Duplex:  # one object for the context: send to the driver, receive its decisions
        send = staticmethod(conn_out.send)
        recv = staticmethod(conn_in.recv)

    spec = conn_in.recv()
    for p in reversed(spec.get("sys_path", [])):
        if p not in sys.path:
            sys.path.insert(0, p)
    from mohb_jax._src.tune.context import TrialContext

    try:
        train = _load_train(spec["train"])
        ctx = TrialContext(spec, _Duplex)
        train(dict(ctx.config), ctx)
    except (EOFError, BrokenPipeError):  # the driver is gone
        return 3
    except BaseException as e:  # noqa: BLE001 (the trial's failure is reported, not raised)
        import traceback

        tb = traceback.format_exc(limit=8)
        try:
            conn_out.send(("error", f"{type(e).__name__}: {e}", tb))
        except (OSError, EOFError):
            return 3
        return 0
    conn_out.send(("done",))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
