"""Where the CPU time of the event loop goes: a `perf` sample profile by category (issue 20).

Runs a workload in a child process, waits until it has compiled and warmed up, samples it
with Linux ``perf record`` for a few seconds, and sorts the samples into:

* **XLA kernels**: the machine code XLA:CPU generated for this program (perf shows it as
  ``[JIT]``: the kernels carry no symbols, so they are counted together);
* **XLA runtime: executor**: ``xla::cpu::ThunkExecutor`` (the dataflow scheduling of the
  kernels of a computation: its per-run state, one atomic counter per kernel, the ready
  queue) and the while-loop / conditional thunks that run nested computations;
* **XLA runtime: kernel calls**: the thunks that call one generated kernel or copy a buffer
  (argument setup, the call, its completion event);
* **XLA library kernels**: element-wise kernels XLA:CPU calls from its YNNPACK library;
* **thread pool**: XLA:CPU's worker threads spinning or stealing work while they wait;
* **libc malloc / free** and **libc memmove / memcpy**; everything else (the kernel, Python).

Workloads (``--workloads``):

* ``events``: the compiled sweep of ``epsnet`` MO-ASHA on TrimTuner cnn (acc, cost_usd,
  4 workers, budget 100x), one CPU device, the setup of ``bench/sweep.py --parts cores``;
  it also prints the CPU time per simulated job completion (one loop iteration);
* ``hv2``: the public ``hypervolume`` on a device array of 1000 problems x 256 uniform 2-D
  points (float32), called back-to-back.

Run: ``python bench/event_profile.py`` (about a minute; needs ``perf`` and
``/proc/sys/kernel/perf_event_paranoid`` <= 2, i.e. user-space sampling of own processes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD_EVENTS = """
import json, sys, time
from mohb_jax.sim import make_sweep, use_cpu_cores
ready, seconds = sys.argv[1], float(sys.argv[2])
use_cpu_cores(1)
import numpy as np
sw = make_sweep("trimtuner_cnn", method="epsnet", n_workers=4, budget="100x",
                objectives=["acc", "cost_usd"], chunk_size=256)
list(sw.run_chunks(np.arange(10_000_000, 10_000_256), progress=False))  # compile + warm up
open(ready, "w").write("1")
t0, c0, jobs, s = time.perf_counter(), time.process_time(), 0, 0
while time.perf_counter() - t0 < seconds:
    jobs += sum(int(o.n_jobs.sum()) for _, o in sw.run_chunks(np.arange(s, s + 256),
                                                               progress=False))
    s += 256
cpu = time.process_time() - c0
print(json.dumps({"seeds": s, "jobs": jobs, "cpu_s": cpu, "us_cpu_per_job": cpu / jobs * 1e6}))
"""

CHILD_HV2 = """
import json, sys, time
ready, seconds = sys.argv[1], float(sys.argv[2])
import jax, jax.numpy as jnp, numpy as np
from mohb_jax.hypervolume import hypervolume
y = jnp.asarray(np.random.default_rng(0).random((1000, 256, 2)), jnp.float32)
r = jnp.ones(2, jnp.float32)
for _ in range(20):
    hypervolume(y, r).block_until_ready()
open(ready, "w").write("1")
t0, n = time.perf_counter(), 0
while time.perf_counter() - t0 < seconds:
    hypervolume(y, r).block_until_ready()
    n += 1
print(json.dumps({"calls": n, "ms_per_call": (time.perf_counter() - t0) / n * 1e3}))
"""

CHILDREN = {"events": CHILD_EVENTS, "hv2": CHILD_HV2}

_EXECUTOR = re.compile(r"ThunkExecutor|WhileThunk|ConditionalThunk|AsyncValue|ExecuteSession")
_CALLS = re.compile(r"KernelThunk|CopyThunk|Thunk::|ThunkSequence")
_POOL = re.compile(r"Eigen::|RunQueue|GlobalSteal|MaybeGetTask|WorkerLoop")
_MALLOC = re.compile(r"malloc|free|memalign|unlink_chunk|_int_|operator new|operator delete")
_MEMCPY = re.compile(r"memmove|memcpy|memset")

CATEGORIES = (
    "XLA kernels",
    "XLA library kernels (YNNPACK)",
    "thread pool: idle spinning / stealing",
    "XLA runtime: executor",
    "XLA runtime: kernel calls",
    "XLA runtime: other",
    "libc malloc / free",
    "libc memmove / memcpy",
    "other",
)


def categorize(dso: str, sym: str) -> str:
    if dso.startswith("[JIT]"):
        return "XLA kernels"
    if "libjax" in dso or "xla" in dso:
        if sym.startswith("ynn::"):
            return "XLA library kernels (YNNPACK)"
        if _POOL.search(sym):
            return "thread pool: idle spinning / stealing"
        if _EXECUTOR.search(sym):
            return "XLA runtime: executor"
        if _CALLS.search(sym):
            return "XLA runtime: kernel calls"
        return "XLA runtime: other"
    if dso.startswith("libc") and _MEMCPY.search(sym):
        return "libc memmove / memcpy"
    if _MALLOC.search(sym):
        return "libc malloc / free"
    return "other"


def parse_report(text: str) -> dict[str, float]:
    """Shares (percent of samples) per category from ``perf report --sort dso,sym`` text."""
    shares = dict.fromkeys(CATEGORIES, 0.0)
    line = re.compile(r"^\s*([\d.]+)%\s+(\S.*?)\s{2,}\[[.k]\]\s+(.*)$")
    for raw in text.splitlines():
        m = line.match(raw)
        if m:
            shares[categorize(m.group(2).strip(), m.group(3).strip())] += float(m.group(1))
    return shares


def profile(workload: str, seconds: float, freq: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        ready, data = os.path.join(d, "ready"), os.path.join(d, "perf.data")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILDREN[workload], ready, str(seconds + 4)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        t0 = time.time()
        while not os.path.exists(ready):
            if child.poll() is not None:
                raise RuntimeError(child.stderr.read()[-3000:])
            if time.time() - t0 > 600:
                child.kill()
                raise RuntimeError(f"{workload}: not ready after 10 minutes")
            time.sleep(0.2)
        time.sleep(1.0)
        rec = subprocess.run(
            [
                "perf",
                "record",
                "-F",
                str(freq),
                "-p",
                str(child.pid),
                "-o",
                data,
                "--",
                "sleep",
                str(seconds),
            ],
            capture_output=True,
            text=True,
        )
        out, err = child.communicate()
        if rec.returncode != 0 or child.returncode != 0:
            raise RuntimeError(f"perf: {rec.stderr[-2000:]}\nchild: {err[-2000:]}")
        rep = subprocess.run(
            [
                "perf",
                "report",
                "-i",
                data,
                "--no-children",
                "-g",
                "none",
                "--sort",
                "dso,sym",
                "--stdio",
            ],
            capture_output=True,
            text=True,
        )
        n = re.search(r"# Samples: (\S+) of event", rep.stdout)
        return {
            "workload": workload,
            "samples": n.group(1) if n else "?",
            "shares": parse_report(rep.stdout),
            "child": json.loads(out.splitlines()[-1]),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", nargs="+", default=["events", "hv2"], choices=list(CHILDREN))
    ap.add_argument("--seconds", type=float, default=8.0, help="sampling time per workload")
    ap.add_argument("--freq", type=int, default=2000, help="samples per second")
    a = ap.parse_args()
    if shutil.which("perf") is None:
        sys.exit("event_profile: the `perf` tool is not installed (Linux perf: linux-tools)")
    paranoid = Path("/proc/sys/kernel/perf_event_paranoid")
    if paranoid.exists() and int(paranoid.read_text()) > 2:
        sys.exit(
            f"event_profile: perf_event_paranoid is {paranoid.read_text().strip()} (> 2): "
            "user-space sampling is not allowed on this machine"
        )
    import jax

    print(
        f"# bench/event_profile.py {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"jax {jax.__version__} cpus {os.cpu_count()} load {os.getloadavg()[0]:.2f}"
    )
    for w in a.workloads:
        r = profile(w, a.seconds, a.freq)
        print(f"\n## {w}: {r['samples']} samples; {json.dumps(r['child'])}")
        print("| category | share of CPU samples |\n|---|---|")
        for k, v in r["shares"].items():
            print(f"| {k} | {v:.1f} % |")
        sys.stdout.flush()
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
