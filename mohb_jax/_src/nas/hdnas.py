"""A table-driven implementation of MO-HDNAS (multi-objective hardware-aware NAS with
hardware-cost diversity).

MO-HDNAS (Sinha, Rostami, Shabayek, Kacem, Aouada, CVPR 2024 Workshops) runs NSGA-II with three
objectives: an accuracy signal of the untrained candidate (maximised), its hardware cost on the
target device (minimised), and the *diversity* of its hardware cost with respect to the
population (maximised), so that one run covers every cost level instead of one constrained run
per cost threshold (its predecessor HW-EvRSNAS). Our implementation on NAS-Bench-201:

* genome = the 6 op codes; offspring by binary-tournament mating on the NSGA-II rank, two-point
  crossover and per-edge mutation (1/6) (the operators of :mod:`~mohb_jax._src.nas.pdns`);
* survival: NSGA-II (non-dominated sorting, crowding distance; :func:`mohb_jax.pareto.rung_rank`
  with ``tie_break="crowding"``) on ``[-signal, latency, -diversity]`` over parents ∪
  offspring, where ``diversity(a) = mean_b |lat(a) - lat(b)|`` over the other members, in
  latency min-max normalised over the genomes seen (:func:`cost_diversity`);
* the result is the archive of (signal, latency)-non-dominated genomes seen.

:func:`make_constrained` is the per-threshold baseline: the same evolution with one
objective, the signal, under ``latency <= threshold`` (feasible genomes first, infeasible ones
ordered by latency).

What differs from the paper:

* The accuracy signal is **synflow** (our computation, training-free) or, optionally, the
  table's validation accuracy; the paper's RMI proxy needs CIFAR images and a trained
  reference network (not available here).
* Latencies are HELP's NAS-Bench-201 latencies for the four HW-NAS-Bench devices we have
  (raspi4, pixel3, eyeriss, fpga; edgegpu and edgetpu are missing); costs are counted in
  signal evaluations instead of GPU-hours.
* The exact diversity formula of the paper is not public to us; the mean absolute latency
  difference to the population is our reading of "how far the candidate's cost lies from the
  rest of the population".

References:
    A. Sinha, P. Rostami, A. Shabayek, A. Kacem, D. Aouada. "Multi-Objective Hardware Aware
    Neural Architecture Search using Hardware Cost Diversity." CVPR 2024 Workshops
    (arXiv 2404.12403).
    K. Deb, A. Pratap, S. Agarwal, T. Meyarivan. "A fast and elitist multiobjective genetic
    algorithm: NSGA-II." IEEE TEVC 6(2), 2002.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mohb_jax._src.nas.pdns import (
    evolution_runner,
    evolution_searcher,
    make_evolution,
    run_generations,
)
from mohb_jax._src.pareto import rung_rank
from mohb_jax._src.types import Searcher


def cost_diversity(lat_n):
    """``mean_b |lat_n[a] - lat_n[b]|`` over the other rows ``b`` (float[N] -> float[N])."""
    n = lat_n.shape[0]
    return jnp.sum(jnp.abs(lat_n[:, None] - lat_n[None, :]), 1) / (n - 1)


def _signal_latency(signal, latency):
    sig = np.asarray(signal, np.float32)
    lat = np.asarray(latency, np.float32)
    if sig.shape != lat.shape or sig.ndim != 1 or not (np.isfinite(sig).all()):
        raise ValueError("signal and latency must be finite float[15625] arrays")
    if not np.isfinite(lat).all():
        raise ValueError("latency has non-finite entries")
    return sig, lat


def make_hdnas(op_codes, signal, latency, *, population: int = 20, **options):
    """MO-HDNAS's ``(init, generation)`` (see the module docstring).

    Args:
        op_codes: int[15625, 6] op codes (official order).
        signal: float[15625] accuracy signal to maximise (e.g. log synflow).
        latency: float[15625] device latency to minimise.
        population: population size (even).
        **options: ``mutation_rate``, ``archive_capacity`` of :func:`make_evolution`.
    """
    sig, lat = _signal_latency(signal, latency)
    desc = np.stack([-sig, lat], -1)
    sig_j, lat_j = jnp.asarray(sig), jnp.asarray(lat)
    P = population

    def objectives(core, both):
        lat_n = (lat_j[both] - core.lo[1]) / jnp.maximum(core.hi[1] - core.lo[1], 1e-12)
        return jnp.stack([-sig_j[both], lat_j[both], -cost_diversity(lat_n)], -1)

    def mating(key, core):
        rank = rung_rank(objectives(core, core.pop), tie_break="crowding")
        pairs = jax.random.randint(key, (P, 2), 0, P)
        win = jnp.where(rank[pairs[:, 0]] <= rank[pairs[:, 1]], pairs[:, 0], pairs[:, 1])
        return core.pop[win]

    def survival(key, core, both):
        del key
        rank = rung_rank(objectives(core, both), tie_break="crowding")
        return both[jnp.argsort(rank)[:P]]

    return make_evolution(op_codes, desc, population=P, mating=mating, survival=survival, **options)


def hdnas_search(key, op_codes, signal, latency, n_generations: int = 50, **options):
    """Run MO-HDNAS for ``n_generations``; the archive is the (signal, latency) front seen."""
    init, gen = make_hdnas(op_codes, signal, latency, **options)
    return run_generations(init, gen, key, n_generations)


def make_hdnas_runner(op_codes, signal, latency, n_generations: int = 50, **options):
    """A jittable, vmappable ``run(key) -> core`` of MO-HDNAS."""
    init, gen = make_hdnas(op_codes, signal, latency, **options)
    return evolution_runner(init, gen, n_generations)


def make_constrained(op_codes, signal, latency, n_generations: int = 50, **options):
    """The per-threshold baseline: maximise ``signal`` subject to ``latency <= threshold``.

    Returns a jittable, vmappable ``run(key, threshold) -> core`` (one compilation for every
    threshold): the same evolution with one objective, feasible genomes ordered by signal
    first, infeasible ones by latency. Its answer is :func:`best_feasible` of ``core.seen``.
    """
    sig, lat = _signal_latency(signal, latency)
    sig_j, lat_j = jnp.asarray(sig), jnp.asarray(lat)
    P = options.pop("population", 20)

    def run(key, threshold):
        key_j = jnp.where(lat_j <= threshold, -sig_j, 1e6 + lat_j)

        def mating(k, core):
            pairs = jax.random.randint(k, (P, 2), 0, P)
            a, b = core.pop[pairs[:, 0]], core.pop[pairs[:, 1]]
            return jnp.where(key_j[a] <= key_j[b], a, b)

        def survival(k, core, both):
            del k
            return both[jnp.argsort(key_j[both])[:P]]

        init, gen = make_evolution(
            op_codes,
            np.stack([-sig, lat], -1),
            population=P,
            mating=mating,
            survival=survival,
            **options,
        )
        return evolution_runner(init, gen, n_generations)(key)

    return run


def best_feasible(candidates, signal, latency, threshold: float) -> int:
    """Index of the highest-signal candidate with ``latency <= threshold`` (-1 if none)."""
    c = np.asarray(candidates)
    ok = np.asarray(latency)[c] <= threshold
    if not ok.any():
        return -1
    c = c[ok]
    return int(c[np.argmax(np.asarray(signal)[c])])


def hdnas_searcher(
    op_codes,
    signal,
    latency,
    *,
    population: int = 20,
    archive_capacity: int = 256,
    max_generations_per_proposal: int = 10,
) -> Searcher:
    """MO-HDNAS as a searcher: proposes the archive's (signal, latency) front, lowest
    latency first, evolving further (training-free) when it is exhausted."""
    init, gen = make_hdnas(
        op_codes, signal, latency, population=population, archive_capacity=archive_capacity
    )
    lat_j = jnp.asarray(np.asarray(latency, np.float32))
    return evolution_searcher(init, gen, lambda c: -lat_j[c.archive], max_generations_per_proposal)
