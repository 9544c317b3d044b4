"""Tune a real optax MLP over hyperparameters **and hardware** with MO-ASHA, then replay it.

The dataset is scikit-learn's bundled ``digits`` (1 797 8×8 images, 10 classes; no download).
Two hardware settings of this machine, priced per vCPU-hour (AWS EC2 m7g on-demand, us-east-1,
June 2026: m7g.medium 1 vCPU $0.0408/h, m7g.large 2 vCPU $0.0816/h; the runs are NOT on AWS):

* ``1cpu``: pinned to CPU 0, XLA's multi-threaded Eigen off, ``OMP_NUM_THREADS=1``;
* ``2cpu``: pinned to CPUs 0 and 1.

Objectives: validation error, training time and dollar cost (both measured by the runner).
Run it (a few minutes), interrupt it at any time (Ctrl-C or ``kill -9``), resume, replay::

    mohb-jax tune examples/tune_mlp.py              # or: python examples/tune_mlp.py
    mohb-jax resume runs/tune_mlp                   # continue an interrupted run
    python examples/tune_mlp.py --replay            # exact replay + the simulator on its table

``MOHB_TUNE_SMALL=1`` runs a small version (the test suite does).
"""

from __future__ import annotations

import os
import sys

from mohb_jax.tune import Hardware, choice, loguniform

SMALL = os.environ.get("MOHB_TUNE_SMALL") == "1"
JOURNAL = os.environ.get("MOHB_TUNE_JOURNAL", "runs/tune_mlp")

space = {
    "lr": loguniform(1e-3, 3e-1),
    "width": choice([16, 64, 256]),
    "batch": choice([32, 128]),
}
hardware = [
    Hardware(
        "1cpu",
        0.0408,
        cpus=[0],
        env={"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false", "OMP_NUM_THREADS": "1"},
    ),
    Hardware("2cpu", 0.0816, cpus=[0, 1], env={"OMP_NUM_THREADS": "2"}),
]
objectives = {"val_error": "min", "time_s": "min", "cost_usd": "min"}
fidelity = [1, 2, 4] if SMALL else [1, 3, 9, 27]  # epochs
settings = dict(
    # the small version runs every trial to the top (random search): a complete table to replay
    method="random" if SMALL else "epsnet",
    eta=3,
    n_workers=2,
    n_candidates=3 if SMALL else 24,
    max_trials=3 if SMALL else 48,
    seed=0,
    stop={
        "wallclock_s": float(os.environ.get("MOHB_TUNE_BUDGET", 300 if SMALL else 900)),
        "trials": 3 if SMALL else 48,
    },
    timeout_s=300,
    journal=JOURNAL,
    fidelity_name="epoch",
)


def _data():
    import numpy as np
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    perm = np.random.default_rng(0).permutation(len(x))
    x, y = x[perm], y[perm].astype(np.int32)
    n = int(0.8 * len(x))
    return x[:n], y[:n], x[n:], y[n:]


def train(config, ctx):
    """One job: train from the checkpoint, report every epoch, checkpoint every epoch."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    xtr, ytr, xva, yva = (jnp.asarray(a) for a in _data())
    w, bsz = int(config["width"]), int(config["batch"])
    opt = optax.adam(float(config["lr"]))

    def init(key):
        k1, k2 = jax.random.split(key)
        p = {
            "w1": jax.random.normal(k1, (64, w)) * (2 / 64) ** 0.5,
            "b1": jnp.zeros(w),
            "w2": jax.random.normal(k2, (w, 10)) * (1 / w) ** 0.5,
            "b2": jnp.zeros(10),
        }
        return {"params": p, "opt": opt.init(p), "epoch": 0}

    def logits(p, x):
        return jax.nn.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    @jax.jit
    def epoch(params, opt_state, key):
        n_steps = xtr.shape[0] // bsz
        idx = jax.random.permutation(key, xtr.shape[0])[: n_steps * bsz].reshape(n_steps, bsz)

        def step(carry, i):
            p, s = carry
            g = jax.grad(
                lambda p: optax.softmax_cross_entropy_with_integer_labels(
                    logits(p, xtr[i]), ytr[i]
                ).mean()
            )(p)
            u, s = opt.update(g, s, p)
            return (optax.apply_updates(p, u), s), None

        (params, opt_state), _ = jax.lax.scan(step, (params, opt_state), idx)
        err = jnp.mean(jnp.argmax(logits(params, xva), -1) != yva)
        return params, opt_state, err

    state = ctx.load_checkpoint() or init(jax.random.key(0))
    params = jax.tree_util.tree_map(jnp.asarray, state["params"])
    opt_state = jax.tree_util.tree_map(jnp.asarray, state["opt"])
    e = int(state["epoch"])
    for f in ctx.fidelities():
        while e < f:
            params, opt_state, err = epoch(params, opt_state, jax.random.key(e))
            e += 1
        ctx.report(f, val_error=float(err))
        ctx.save_checkpoint({"params": params, "opt": opt_state, "epoch": np.int64(e)})


def summarize(results) -> None:
    df = results.frame
    front = results.pareto()
    print(f"{df['trial'].nunique()} trials, {len(df)} results, spent ${results.spent:.6f}")
    print("Pareto front (full fidelity):")
    print(
        front[
            ["trial", "hardware", "lr", "width", "batch", "val_error", "time_s", "cost_usd"]
        ].to_string(index=False)
    )
    print("front size by hardware:", front["hardware"].value_counts().to_dict())


def replay_in_simulator(journal: str = JOURNAL) -> None:
    """Exact replay of the journal, then the simulator on the table the run recorded."""
    import mohb_jax
    from mohb_jax.tune import replay

    res = replay(journal)
    print(f"exact replay: {res.n_checked} asks and decisions reproduced")
    table = res.to_table("tune_mlp")
    complete = table.mask[0].all(axis=(-1, -2))
    print(f"table: {table.n_configs} configs, {int(complete.sum())} complete at every epoch")
    if complete.sum() < 2:
        print("fewer than 2 trials reached the last epoch: nothing to simulate")
        return
    sim = mohb_jax.simulate(
        table,
        method="epsnet",
        seeds=8,
        n_workers=2,
        budget="4x",
        objectives=["val_error", "cost_usd"],
        progress=False,
    )
    print(f"simulated epsnet on the recorded table: {len(sim)} results over 8 seeds")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--replay" in argv:
        replay_in_simulator()
        return
    from mohb_jax.tune import Tuner

    here = sys.modules[__name__]
    summarize(
        Tuner(
            here.train,
            space,
            hardware=hardware,
            objectives=objectives,
            fidelity=fidelity,
            **settings,
        ).run()
    )
    replay_in_simulator()


if __name__ == "__main__":
    main()
