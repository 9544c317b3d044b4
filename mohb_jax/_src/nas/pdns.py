"""A table-driven implementation of MTF-PDNS (Pareto-dominance novelty search on training-free
metrics).

MTF-PDNS (Vo & Luong, GECCO 2024) searches architectures without training any of them: each
genome gets a *descriptor* of training-free metrics and FLOPs, an elitist archive keeps the
descriptor-non-dominated genomes, and selection rewards novelty with respect to that archive.
Our implementation on NAS-Bench-201 (genome = the 6 op codes):

1. A random population of ``population`` (20) genomes; each evaluated genome's descriptor is
   looked up (no training).
2. Per generation: ``population`` offspring by two-point crossover of random parent pairs and
   per-edge mutation with rate 1/6; the archive becomes the non-dominated set (descriptor space,
   minimization) of archive ∪ offspring.
3. The **novelty** of each member of parents ∪ offspring is the mean Euclidean distance to all
   archive members in descriptor space min-max normalised over every genome evaluated so far,
   **negated** when the member is not in the archive (:func:`novelty`).
4. A **binary tournament** on novelty picks the next population from parents ∪ offspring.

As a :class:`~mohb_jax._src.types.Searcher` (so that it runs in the simulator and in real runs,
where each proposal is trained for real): ``propose`` returns the most novel archive member not
yet proposed, running more generations (at most ``max_generations_per_proposal``, training-free)
when every archive member has been proposed; ``observe`` ignores results, since the search uses
no trained accuracy. :func:`pdns_search` runs the search alone for a number of generations, as
the paper evaluates it (the final archive, mapped to its true test error and FLOPs).

What differs from the paper:

* The descriptor is {−synflow, FLOPs}: the paper's NAS-Bench-201 descriptor also has −jacov and
  −snip, which need a batch of CIFAR-10 images (not available here). Synflow is our own
  computation (:mod:`~mohb_jax._src.nas.synflow`, the expectation over the initialisation),
  validated against NAS-Bench-Suite-Zero's published values.
* The archive has a fixed capacity (``archive_capacity``; an overflow is reported in the state,
  never silently ignored by :func:`pdns_search`).

References:
    A. Vo, N. H. Luong. "Efficient Multi-Objective Neural Architecture Search via
    Pareto Dominance-based Novelty Search." GECCO 2024 (arXiv 2407.20656).
    J. Lehman, K. O. Stanley. "Abandoning Objectives: Evolution Through the Search for Novelty
    Alone." Evolutionary Computation 19(2), 2011.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.nas.nb201 import N_ARCHS, N_EDGES, N_OPS, build_code_to_index
from mohb_jax._src.nas.searchers import _POW5, Pool, check_codes, pool_init, pool_take
from mohb_jax._src.types import Searcher


def novelty(
    d: Float[Array, "n m"],
    in_archive: Bool[Array, " n"],
    archive_d: Float[Array, "a m"],
    archive_mask: Bool[Array, " a"],
    lo: Float[Array, " m"],
    hi: Float[Array, " m"],
) -> Float[Array, " n"]:
    """Mean distance of each descriptor to the archive (normalised by ``lo``/``hi``), negated
    for rows not in the archive. An empty archive gives 0."""
    scale = jnp.where(hi > lo, hi - lo, 1.0)
    a = (archive_d - lo) / scale
    x = (d - lo) / scale
    dist = jnp.sqrt(jnp.sum((x[:, None, :] - a[None, :, :]) ** 2, -1))
    n_a = jnp.maximum(jnp.sum(archive_mask), 1)
    mean = jnp.sum(jnp.where(archive_mask[None, :], dist, 0.0), 1) / n_a
    return jnp.where(in_archive, mean, -mean)


class PDNSCore(NamedTuple):
    pop: Int[Array, " p"]  # int32[P]: configs of the population
    archive: Int[Array, " a"]  # int32[A]: archive configs (valid where archive_mask)
    archive_mask: Bool[Array, " a"]  # bool[A]
    seen: Bool[Array, " c"]  # bool[C]: genomes whose descriptor was evaluated
    n_evals: Int[Array, ""]  # int32: descriptor evaluations (with repeats, as the paper counts)
    lo: Float[Array, " m"]  # float32[M]: min descriptor over seen genomes
    hi: Float[Array, " m"]  # float32[M]: max descriptor over seen genomes
    overflow: Bool[Array, ""]  # bool: the archive was full and a member was dropped
    generation: Int[Array, ""]  # int32


def _update_archive(core: PDNSCore, new: Int[Array, " q"], desc) -> PDNSCore:
    """Archive := non-dominated set (descriptor space) of archive ∪ new (distinct configs)."""
    A = core.archive.shape[0]
    cand = jnp.concatenate([core.archive, new])
    cmask = jnp.concatenate([core.archive_mask, jnp.ones(new.shape[0], bool)])
    # drop duplicates: keep the first occurrence of each config
    same = (cand[:, None] == cand[None, :]) & cmask[:, None] & cmask[None, :]
    first = jnp.argmax(same, 1) == jnp.arange(cand.shape[0])
    cmask = cmask & first
    d = desc[cand]
    le = jnp.all(d[None, :, :] <= d[:, None, :], -1)
    lt = jnp.any(d[None, :, :] < d[:, None, :], -1)
    dominated = jnp.any(le & lt & cmask[None, :], 1)
    keep = cmask & ~dominated
    order = jnp.argsort(~keep, stable=True)  # kept rows first
    n_keep = jnp.sum(keep)
    arch = cand[order[:A]]
    amask = jnp.arange(A) < n_keep
    return core._replace(archive=arch, archive_mask=amask, overflow=core.overflow | (n_keep > A))


def _evaluate(core: PDNSCore, cfgs, desc) -> PDNSCore:
    d = desc[cfgs]
    core = core._replace(
        seen=core.seen.at[cfgs].set(True),
        n_evals=core.n_evals + cfgs.shape[0],
        lo=jnp.minimum(core.lo, jnp.min(d, 0)),
        hi=jnp.maximum(core.hi, jnp.max(d, 0)),
    )
    return _update_archive(core, cfgs, desc)


def _crossover_mutation(key, parents, mutation_rate, index):
    """Two-point crossover of consecutive parent pairs (``int[P, 6]`` op codes), then per-edge
    mutation; returns the offspring's configs ``int32[P]``."""
    kc, km, kf = jax.random.split(key, 3)
    P = parents.shape[0]
    pairs = parents.reshape(P // 2, 2, N_EDGES)
    ab = jnp.sort(jax.random.randint(kc, (P // 2, 2), 0, N_EDGES + 1), axis=1)
    e = jnp.arange(N_EDGES)
    seg = (e[None] >= ab[:, :1]) & (e[None] < ab[:, 1:])  # swap the genes in [a, b)
    c1 = jnp.where(seg, pairs[:, 1], pairs[:, 0])
    c2 = jnp.where(seg, pairs[:, 0], pairs[:, 1])
    kids = jnp.concatenate([c1, c2])  # [P, 6]
    flip = jax.random.uniform(km, kids.shape) < mutation_rate
    shift = jax.random.randint(kf, kids.shape, 1, N_OPS)
    kids = jnp.where(flip, (kids + shift) % N_OPS, kids)
    return index[jnp.sum(kids * _POW5, -1)].astype(jnp.int32)


def make_evolution(
    op_codes,
    descriptors,
    *,
    population: int = 20,
    mutation_rate: float = 1.0 / 6.0,
    archive_capacity: int = 256,
    mating=None,
    survival=None,
):
    """An evolutionary search over NB201 genomes with an elitist descriptor archive.

    ``(init(key) -> core, generation(key, core) -> core)``. Each generation: parents chosen by
    ``mating(key, core) -> int32[P]`` (default: the population in random order), two-point
    crossover + mutation, archive update, then ``survival(key, core, both int32[2P]) ->
    int32[P]`` picks the next population from parents ∪ offspring (default: MTF-PDNS's binary
    tournament on novelty).

    Args:
        op_codes: int[15625, 6] op codes of the table's configurations (official order).
        descriptors: float[15625, M] descriptors to minimise (e.g. ``[-synflow, flops]``); the
            archive keeps the non-dominated ones.
        population: population size (20 in the paper); even.
        mutation_rate: per-edge mutation probability (1/6 in the paper).
        archive_capacity: fixed archive size.
    """
    codes_np = check_codes(op_codes)
    codes = jnp.asarray(codes_np)
    desc = np.asarray(descriptors, np.float32)
    if desc.ndim != 2 or desc.shape[0] != N_ARCHS or not np.isfinite(desc).all():
        raise ValueError(f"descriptors must be finite float[{N_ARCHS}, M]; got {desc.shape}")
    if population < 2 or population % 2:
        raise ValueError(f"population must be an even number >= 2; got {population}")
    if not 0.0 <= mutation_rate <= 1.0:
        raise ValueError(f"mutation_rate must lie in [0, 1]; got {mutation_rate}")
    desc_j = jnp.asarray(desc)
    index = jnp.asarray(build_code_to_index(codes_np))
    P, M = population, desc.shape[1]

    def novelty_tournament(key, core, both):
        in_arch = jnp.any((both[:, None] == core.archive[None, :]) & core.archive_mask[None], 1)
        nov = novelty(
            desc_j[both], in_arch, desc_j[core.archive], core.archive_mask, core.lo, core.hi
        )
        pairs = jax.random.randint(key, (P, 2), 0, 2 * P)
        win = jnp.where(nov[pairs[:, 0]] >= nov[pairs[:, 1]], pairs[:, 0], pairs[:, 1])
        return both[win]

    mating = mating or (lambda key, core: core.pop[jax.random.permutation(key, P)])
    survival = survival or novelty_tournament

    def init(key) -> PDNSCore:
        pop = jax.random.randint(key, (P,), 0, N_ARCHS).astype(jnp.int32)
        core = PDNSCore(
            pop=pop,
            archive=jnp.zeros(archive_capacity, jnp.int32),
            archive_mask=jnp.zeros(archive_capacity, bool),
            seen=jnp.zeros(N_ARCHS, bool),
            n_evals=jnp.int32(0),
            lo=jnp.full(M, jnp.inf, jnp.float32),
            hi=jnp.full(M, -jnp.inf, jnp.float32),
            overflow=jnp.asarray(False),
            generation=jnp.int32(0),
        )
        return _evaluate(core, pop, desc_j)

    def generation(key, core: PDNSCore) -> PDNSCore:
        kp, kx, ks = jax.random.split(key, 3)
        off = _crossover_mutation(kx, codes[mating(kp, core)], mutation_rate, index)
        core = _evaluate(core, off, desc_j)
        nxt = survival(ks, core, jnp.concatenate([core.pop, off]))
        return core._replace(pop=nxt, generation=core.generation + 1)

    return init, generation


def make_pdns(op_codes, descriptors, **options):
    """MTF-PDNS's pure functions ``(init(key) -> core, generation(key, core) -> core)``
    (:func:`make_evolution` with its default novelty-tournament survival)."""
    return make_evolution(op_codes, descriptors, **options)


def evolution_runner(init, generation, n_generations: int):
    """A pure ``run(key) -> core`` of ``n_generations`` from ``init`` (jit / vmap it)."""

    def run(key):
        k0, k1 = jax.random.split(key)
        return lax.fori_loop(
            0, n_generations, lambda g, c: generation(jax.random.fold_in(k1, g), c), init(k0)
        )

    return run


def run_generations(init, generation, key, n_generations: int) -> PDNSCore:
    """``n_generations`` of an evolution from ``init`` (jitted; raises on archive overflow)."""
    core = jax.jit(evolution_runner(init, generation, n_generations))(key)
    if bool(core.overflow):
        raise ValueError("the archive overflowed; pass a larger archive_capacity")
    return core


def pdns_search(key, op_codes, descriptors, n_generations: int = 50, **options) -> PDNSCore:
    """Run MTF-PDNS for ``n_generations`` (training-free) and return the final state.

    ``core.archive[core.archive_mask]`` is the result; ``core.n_evals`` the descriptor
    evaluations (``population · (n_generations + 1)``, 1 020 in the paper's NAS-Bench-201
    setting). Jit-able (``n_generations`` static).

    Raises:
        ValueError: bad inputs, or the archive overflowed its capacity.
    """
    init, gen = make_pdns(op_codes, descriptors, **options)
    return run_generations(init, gen, key, n_generations)


class PDNSState(NamedTuple):
    pool: Pool
    core: PDNSCore
    key: Array  # PRNG key of the generations (split per generation)


def evolution_searcher(init_core, gen, pick_score, max_generations_per_proposal: int):
    """A :class:`Searcher` over an archive-keeping evolution: ``propose`` returns the fresh
    (unproposed) archive member with the largest ``pick_score(core) -> float[A]``, running up
    to ``max_generations_per_proposal`` more (training-free) generations when none is fresh,
    else a random unproposed architecture; ``observe`` ignores results."""
    if max_generations_per_proposal < 0:
        raise ValueError("max_generations_per_proposal must be >= 0")

    def init(key):
        k0, k1, k2 = jax.random.split(key, 3)
        return PDNSState(pool_init(k0, N_ARCHS), init_core(k1), k2)

    def fresh(s: PDNSState):
        c = s.core
        return c.archive_mask & ~s.pool.proposed[c.archive]

    def propose(key, s: PDNSState):
        del key  # the generations use the state's own key stream

        def cond(c):
            i, st = c
            return (i < max_generations_per_proposal) & ~jnp.any(fresh(st))

        def body(c):
            i, st = c
            k, kg = jax.random.split(st.key)
            return i + 1, st._replace(core=gen(kg, st.core), key=k)

        _, s = lax.while_loop(cond, body, (0, s))
        f = fresh(s)
        pick = jnp.argmax(jnp.where(f, pick_score(s.core), -jnp.inf))
        config, ok, pool = pool_take(s.pool, s.core.archive[pick], jnp.any(f))
        return config, ok, s._replace(pool=pool)

    def observe(s, config, fidelity, y):
        del config, fidelity, y  # training-free: results are not used by the search
        return s

    return Searcher(init=init, propose=propose, observe=observe)


def pdns_searcher(
    op_codes,
    descriptors,
    *,
    population: int = 20,
    mutation_rate: float = 1.0 / 6.0,
    archive_capacity: int = 256,
    max_generations_per_proposal: int = 10,
) -> Searcher:
    """A table-driven implementation of MTF-PDNS as a searcher (see the module docstring).

    Args:
        op_codes: int[15625, 6] op codes of the table's configurations (official order).
        descriptors: float[15625, M] training-free descriptors to minimise.
        population, mutation_rate, archive_capacity: as :func:`make_evolution`.
        max_generations_per_proposal: generations run at most to find a new archive member
            before falling back to a random unproposed architecture.
    """
    init_core, gen = make_pdns(
        op_codes,
        descriptors,
        population=population,
        mutation_rate=mutation_rate,
        archive_capacity=archive_capacity,
    )
    desc_j = jnp.asarray(np.asarray(descriptors, np.float32))

    def most_novel(c):
        return novelty(
            desc_j[c.archive], c.archive_mask, desc_j[c.archive], c.archive_mask, c.lo, c.hi
        )

    return evolution_searcher(init_core, gen, most_novel, max_generations_per_proposal)
