"""(MO-)Hyperband and (MO-)ASHA as pure state machines over a fixed-capacity state pytree.

One implementation per rule; the simulator runs these functions under ``lax.while_loop`` and
``vmap`` over seeds, real dispatch calls the very same jitted functions from a Python loop.

A scheduler is a :class:`Scheduler` of pure functions:

* ``init(key) -> SchedulerState``
* ``ask(key, state) -> (Job, state)``: a free worker asks for work: either resume a paused
  trial (promotion variant, synchronous Hyperband) or start a new trial (configuration from the
  searcher, bracket from the key). ``job.valid`` is False when there is nothing to do now
  (synchronous Hyperband waiting for a rung, search space exhausted, capacity reached).
* ``tell(state, job, y) -> (state, decision, TellInfo)``: the result of ``job`` at its rung
  level arrived (``y``: float[M], minimization). ``decision`` is one of ``CONTINUE`` (the same
  worker trains the trial on to ``info.next_job``), ``STOP``, ``DONE`` (maximum fidelity) and
  ``PAUSED`` (the trial waits for a promotion; the worker is free).
* ``observe(state, job, fidelity, y) -> state``: forwards a result *between* rung levels to
  the searcher (no decision is taken there).

Rung rules (``rule=``), all sharing everything else:

* ``"epsnet"``: non-dominated fronts, greedy ε-net inside a front (Salinas et al. 2021), via
  :func:`mohb_jax.pareto.rung_rank`.
* ``"crowding"``: non-dominated fronts, NSGA-II crowding distance inside a front.
* ``"scalarize"``: random linear scalarization per decision ("MSR", Schmucker et al. 2021):
  objectives min-max normalized over the rung's recorded results, weights drawn uniformly on
  the simplex (Dirichlet(1, ..., 1): normalized i.i.d. Exp(1) draws) from the state's key,
  split at every decision.
* ``"single"``: the first objective alone (classic Hyperband / ASHA).
* ``"random"``: no early stopping: every trial runs straight to the maximum fidelity (random
  search baseline).

For the scalar rules the position of a row is the number of rows with a strictly smaller
score plus the number of rows with an equal score and a smaller trial id. Cost per decision:
``single`` updates the cached order in O(N); in the ASHA stopping variant the other rules
compute only the newcomer's position (``state.pos`` of the other rows is then stale):
``scalarize`` in O(N·M), ``epsnet`` by peeling fronts only down to the newcomer's and running
the ε-net inside that front only until the newcomer is taken
(:func:`~mohb_jax.pareto.rung_position`); otherwise a full ranking
(:func:`~mohb_jax.pareto.rung_rank`). The O(n²) rankings run on the rung's n recorded rows
compacted to the next power of two (a ``lax.switch`` over static sizes), not on the capacity N.

Decisions (our reading, documented):

* ASHA *stopping* variant (Syne Tune's MOASHA): when a trial's result at a rung level arrives,
  it is recorded at that rung together with the results of the same bracket, ranked, and the
  trial continues iff its 0-based position ``p`` among the ``n`` recorded results (itself
  included) satisfies ``p < n / eta``, i.e. it is strictly within the top fraction ``1/eta``;
  the first arrival (``p = 0, n = 1``) therefore always continues. Syne Tune stops iff
  ``p / n > 1 / eta``, which also lets the boundary case ``p = n / eta`` continue (e.g. 2 of 3
  with eta = 3); we do not.
* ASHA *promotion* variant (Li et al. 2020; AutoGluon's MO-ASHA but with Pareto ranks): a free
  worker promotes, from the highest rung level that has one, the best-positioned trial among
  the top ``floor(n / eta)`` of its rung (same bracket) that was not promoted yet; otherwise
  it starts a new trial. A result at a rung level below the maximum pauses its trial.
* Brackets of new ASHA trials are drawn from the key with probability proportional to
  ``exp(#levels of the bracket - max)`` (Syne Tune's MOASHA rule, but seeded): ``init`` draws
  one uniform per trial id and trial ``t``'s bracket is the inverse CDF at ``u[t]`` (no
  random-number generation inside the event loop; it is costly to compile).
* ``ask(key, state)`` hands its key to the searcher's ``propose``.
* Synchronous Hyperband (Li et al. 2018) runs brackets ``b = 0, ..., B - 1`` (most aggressive
  first; Li et al.'s ``s = s_max, ..., 0``) and starts over; each rung keeps the top
  ``floor(n / eta)`` of its ``n`` results by the rule; workers idle while a rung is incomplete.
  Every result below the maximum fidelity is reported as ``PAUSED`` (the decision is taken when
  the rung completes); trials not kept are never resumed.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021).
    Schmucker, Donini, Zafar, Salinas, Archambeau. "Multi-objective Asynchronous Successive
    Halving." arXiv 2106.12639 (2021).
    Li et al. "Hyperband." JMLR 18 (2018). Li et al. "A System for Massively Parallel
    Hyperparameter Tuning." MLSys 2020 (ASHA).
    Deb et al. "A fast and elitist multiobjective genetic algorithm: NSGA-II." IEEE TEC (2002).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.pareto import (
    _distance_coords,
    _epsnet_position_single,
    _order_keys,
    _rung_rank_crowding_single,
    dominates,
    epsnet_position_packed,
    pack_rows,
)
from mohb_jax._src.schedulers.schedule import Schedule, make_schedule
from mohb_jax._src.types import Job, Searcher, no_job, select_tree
from mohb_jax._src.validate import is_concrete

RULES = ("epsnet", "crowding", "scalarize", "single", "random")
VARIANTS = ("stopping", "promotion")

#: what a free ASHA worker does once the searcher has no configuration left to propose
#: (a finite table or candidate set used up):
#:
#: * ``"idle"``: nothing; the run ends when the running trials end (Syne Tune's MOASHA
#:   samples with replacement instead, so it never gets there).
#: * ``"resume"``: it resumes a trial that was stopped (stopping variant) or is paused and was
#:   not promoted (promotion variant), trained on from its last rung to the next one, where
#:   ``tell`` decides as for any result (it may stop there again). Which one: the trial whose
#:   result the smallest share of its level's results dominate (a domination count divided by
#:   the number of results at that level, float32; the counts are kept up to date at every
#:   ``tell`` in O(N·M), so the choice costs O(K·N) and no ranking); ties: the higher level,
#:   then the lower trial id (the searcher's earlier pick). Without it a run on an exhausted
#:   table leaves its workers idle for the rest of the budget, and a searcher that proposes
#:   good configurations first loses many of them at the first rung, where they are ranked
#:   against each other (measured on the LCBench surrogate in ``bench/results_transfer.md``
#:   §5d, with two other orders: the lowest level first, the highest level first). The
#:   domination count is the ranking of Fonseca & Fleming (ICGA 1993), used here only to
#:   order trials the rule already stopped.
ON_EXHAUSTED = {"idle": "workers stay idle", "resume": "resume the best stopped trials"}

# decisions
CONTINUE, STOP, DONE, PAUSED = 0, 1, 2, 3
DECISIONS = ("continue", "stop", "done", "paused")

# trial status
UNUSED, RUNNING, PAUSED_S, STOPPED, FINISHED = 0, 1, 2, 3, 4


class HBState(NamedTuple):
    """Progress of synchronous Hyperband (int32 scalars; unused by ASHA)."""

    bracket: Int[Array, ""]  # bracket being run (0..B-1)
    instance: Int[Array, ""]  # how many brackets were started before (comparison group id)
    level: Int[Array, ""]  # global level index of the rung being run
    target: Int[Array, ""]  # jobs this rung must run
    dispatched: Int[Array, ""]  # jobs of this rung handed out
    done: Int[Array, ""]  # results of this rung received


class SchedulerState(NamedTuple):
    """State of every scheduler (N = max_trials, K = rung levels, M = objectives)."""

    key: Array  # PRNG key for the rule's own randomness (MSR weights), split per decision
    u: Float[Array, " n"]  # float32[N]: uniforms drawn at init; trial t's bracket = inverse
    #                        CDF of the bracket distribution at u[t] (no RNG in the loop)
    n_trials: Int[Array, ""]  # int32: trials started so far (trial ids 0..n_trials-1)
    config: Int[Array, " n"]  # int32[N]: table configuration of each trial (-1 unused)
    bracket: Int[Array, " n"]  # int32[N]: bracket of each trial (-1 unused)
    group: Int[Array, " n"]  # int32[N]: results compared within a group (ASHA: bracket;
    #                          synchronous Hyperband: bracket instance)
    level: Int[Array, " n"]  # int32[N]: highest level with a recorded result (-1 none)
    status: Int[Array, " n"]  # int32[N]: UNUSED / RUNNING / PAUSED / STOPPED / FINISHED
    y: Float[Array, "k n m"]  # result of each trial at each level (minimization)
    recorded: Bool[Array, "k n"]  # a result is recorded at that level
    pos: Int[Array, "k n"]  # int32: position inside its group at that level (-1 not recorded)
    promoted: Bool[Array, "k n"]  # the trial went on from that level
    searcher: Any  # the searcher's state
    dom: Array  # uint32[K, ceil(N/32), 32*ceil(N/32)]: packed "row i dominates row j" per level
    #             (bit i%32 of dom[k, i//32, j]), kept up to date by ``record`` for the
    #             epsnet stopping decision; uint32[0] when unused
    dcount: Int[Array, "k n"]  # int32[K, N] results at the same level that dominate the
    #                            trial's (kept only with on_exhausted="resume"; int32[0] else)
    exhausted: Bool[Array, ""]  # the searcher had no configuration left
    overflow: Bool[Array, ""]  # a new trial was needed but max_trials were already started
    hb: HBState


class TellInfo(NamedTuple):
    """Diagnostics of one ``tell`` (scalars)."""

    position: Int[Array, ""]  # 0-based position of the trial among its rung's results; for
    #                           an epsnet STOP in the stopping variant, a lower bound that
    #                           already decides it (the ranking stops early)
    n_rung: Int[Array, ""]  # number of results recorded at that rung (same group)
    next_job: Job  # where the trial goes on when decision == CONTINUE (else valid=False)


class Scheduler(NamedTuple):
    """A scheduler: pure functions plus the static description they close over."""

    init: Callable[[Array], SchedulerState]
    ask: Callable[[Array, SchedulerState], tuple[Job, SchedulerState]]
    tell: Callable[[SchedulerState, Job, Array], tuple[SchedulerState, Array, TellInfo]]
    observe: Callable[[SchedulerState, Job, Array, Array], SchedulerState]
    schedule: Schedule
    method: str
    rule: str
    variant: str
    max_trials: int
    n_objectives: int
    on_exhausted: str = "idle"  # see ON_EXHAUSTED


# --------------------------------------------------------------------------------------------
# rung rules
# --------------------------------------------------------------------------------------------


def scalar_positions(s: Float[Array, " n"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    """Position of each valid row when sorted by ``s`` (ties: lower index first); -1 masked.

    O(N²) comparisons, branch-free (no sort: XLA's CPU sort is slow, see bench/RESULTS.md).
    """
    n = s.shape[0]
    idx = jnp.arange(n)
    before = (s[None, :] < s[:, None]) | (
        (s[None, :] == s[:, None]) & (idx[None, :] < idx[:, None])
    )
    p = jnp.sum(before & mask[None, :], axis=1).astype(jnp.int32)
    return jnp.where(mask, p, -1)


#: largest capacity N for which epsnet stopping decisions keep the packed domination matrix
#: in the state (K·N²/8 bytes per seed); above it the matrix is rebuilt per decision
INCREMENTAL_MAX = 1024


def rung_buckets(n: int, smallest: int = 32, growth: int = 2) -> tuple[int, ...]:
    """Static sizes the rung is compacted to before ranking: ``smallest * growth**i < n``, n."""
    sizes, s = [], int(smallest)
    while s < n:
        sizes.append(s)
        s *= int(growth)
    return (*sizes, int(n))


def _compact(y: Float[Array, "n m"], mask: Bool[Array, " n"]):
    """The valid rows moved to the front, in index order.

    Returns ``(yc, mc, dest, n_valid)``: ``yc[i]`` is the i-th valid row, ``mc`` masks the
    first ``n_valid`` slots, ``dest[j]`` is the slot of valid row ``j``.
    """
    n = mask.shape[0]
    dest = (jnp.cumsum(mask, dtype=jnp.int32) - 1).astype(jnp.int32)
    src = (
        jnp.zeros((n,), jnp.int32)
        .at[jnp.where(mask, dest, n)]
        .set(jnp.arange(n, dtype=jnp.int32), mode="drop")
    )
    n_valid = jnp.sum(mask, dtype=jnp.int32)
    return y[src], jnp.arange(n) < n_valid, dest, n_valid


def _bucket_switch(n_valid, branch, sizes):
    """Run ``branch(size)`` for the smallest static size holding the valid rows (lax.switch)."""
    i = jnp.sum(jnp.asarray(sizes[:-1], jnp.int32) < n_valid).astype(jnp.int32)
    if len(sizes) == 1:
        return branch(sizes[0])()
    return jax.lax.switch(i, [branch(s) for s in sizes])


def bucketed_rank(rank: Callable, key, y: Float[Array, "n m"], mask: Bool[Array, " n"]):
    """``rank(key, y, mask)`` computed on the valid rows only, compacted to a bucket size.

    Rung arrays have the fixed capacity N but usually far fewer recorded rows; the O(N²)
    rankings then cost O(n²) for n valid rows (rounded up to a power of two). Compaction keeps
    the rows' relative order, so every rule's result (ties broken by row index) is unchanged.
    """
    n = y.shape[0]
    yc, mc, dest, n_valid = _compact(y, mask)

    def branch(s):
        def f():
            pc = rank(key, yc[:s], mc[:s])
            return jnp.concatenate([pc, jnp.full((n - s,), -1, pc.dtype)]) if s < n else pc

        return f

    pc = _bucket_switch(n_valid, branch, rung_buckets(n))
    return jnp.where(mask, pc[jnp.clip(dest, 0, n - 1)], -1).astype(jnp.int32)


def bucketed_position(y, mask, t, rule: str, normalize: bool, limit=None) -> Int[Array, ""]:
    """``rung_rank(y, mask)[t]`` via :func:`mohb_jax.pareto.rung_position` on the compacted
    valid rows (see :func:`bucketed_rank`); ``t`` must be valid. ``limit`` (epsnet only): a
    position known to be ``>= limit`` may be returned as any value ``>= limit``."""
    n = y.shape[0]
    yc, mc, dest, n_valid = _compact(y, mask)
    tc = dest[t]

    def branch(s):
        def f():
            if rule == "crowding":
                return _rung_rank_crowding_single(yc[:s], mc[:s])[tc]
            return _epsnet_position_single(yc[:s], mc[:s], tc, normalize, limit)

        return f

    return _bucket_switch(n_valid, branch, rung_buckets(n)).astype(jnp.int32)


def _minmax(y, mask):
    fin = mask[:, None] & jnp.isfinite(y)
    lo = jnp.min(jnp.where(fin, y, jnp.inf), axis=0, keepdims=True)  # [1, M]
    hi = jnp.max(jnp.where(fin, y, -jnp.inf), axis=0, keepdims=True)
    span = hi - lo
    ok = jnp.isfinite(span) & (span > 0)
    z = jnp.where(ok, (y - jnp.where(ok, lo, 0)) / jnp.where(ok, span, 1), 0.0)
    return jnp.where(jnp.isposinf(y), 2.0, z)  # +inf (diverged) ranks last, finite weight


def make_rank_fn(rule: str, normalize: bool = True) -> Callable:
    """``rank(key, y[N, M], mask[N]) -> int32[N]`` positions (0 = best) for a rule."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
    if rule in ("epsnet", "crowding"):
        from mohb_jax.pareto import rung_rank

        def rank(key, y, mask):
            del key
            # "parallel" ε-net: the schedulers run under vmap, where "auto" pays for both
            # strategies; rungs usually have several fronts
            return rung_rank(y, mask, tie_break=rule, normalize=normalize, strategy="parallel")

    elif rule == "scalarize":

        def rank(key, y, mask):
            w = jax.random.exponential(key, (y.shape[-1],), dtype=y.dtype)
            w = w / jnp.sum(w)
            return scalar_positions(_minmax(y, mask) @ w, mask)

    else:  # single, random

        def rank(key, y, mask):
            del key
            return scalar_positions(y[:, 0], mask)

    return rank


# --------------------------------------------------------------------------------------------
# factory
# --------------------------------------------------------------------------------------------


def make_scheduler(
    schedule: Schedule,
    searcher: Searcher,
    *,
    n_objectives: int,
    max_trials: int,
    method: str = "asha",
    rule: str = "epsnet",
    variant: str = "stopping",
    normalize: bool = True,
    dtype=jnp.float32,
    on_exhausted: str = "idle",
) -> Scheduler:
    """Build a scheduler closed over its static hyperparameters.

    Args:
        schedule: rung levels / brackets (:func:`make_schedule`; it decides the number of
            brackets). With ``rule="random"`` only its maximum level is used (one rung, one
            bracket). Named methods with their defaults (e.g. ASHA's single bracket) are built
            by :func:`mohb_jax.schedulers.make_method`.
        searcher: proposes configurations of new trials.
        n_objectives: M, the number of objectives ``tell`` receives.
        max_trials: N, the capacity (trial ids 0..N-1). Needing more sets ``state.overflow``.
        method: the scheduler kind: ``"asha"`` (asynchronous) or ``"hyperband"``
            (synchronous).
        rule: one of ``RULES``.
        variant: ASHA's ``"stopping"`` or ``"promotion"`` variant (ignored by Hyperband).
        normalize: min-max normalize objectives for ε-net distances (``rung_rank``).
        dtype: float dtype of the recorded objectives.
        on_exhausted: what an ASHA worker does once the searcher has no configuration left:
            ``"idle"`` (default; the run ends when the running trials end) or ``"resume"``
            (it resumes a stopped or paused trial, see :data:`ON_EXHAUSTED`). Synchronous
            Hyperband accepts only ``"idle"``.

    Returns:
        A :class:`Scheduler`.

    Raises:
        ValueError: unknown method / rule / variant / on_exhausted, non-positive sizes.
    """
    if method not in SCHEDULERS:
        raise ValueError(
            f"unknown scheduler {method!r}; choose one of {tuple(SCHEDULERS)} (named methods "
            "such as 'moasha' or 'epsnet' are built by make_method)"
        )
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {VARIANTS}")
    if int(n_objectives) < 1 or int(max_trials) < 1:
        raise ValueError(
            f"need n_objectives >= 1 and max_trials >= 1; got {n_objectives}, {max_trials}"
        )
    check_on_exhausted(on_exhausted, method)
    if rule == "random" and (schedule.n_levels > 1 or schedule.n_brackets > 1):
        # no early stopping: one rung at the schedule's maximum level (make_schedule's rule)
        schedule = make_schedule(
            schedule.fidelities,
            eta=schedule.eta,
            r_max=float(schedule.fidelities[schedule.levels[-1]]),
            single_rung=True,
        )
    sched = SCHEDULERS[method](
        schedule,
        searcher,
        int(n_objectives),
        int(max_trials),
        rule,
        variant,
        normalize,
        dtype,
        on_exhausted == "resume",
    )
    return sched._replace(
        tell=_checked_tell(sched.tell, int(n_objectives)), on_exhausted=on_exhausted
    )


def check_on_exhausted(on_exhausted, scheduler: str) -> None:
    """Refuse an ``on_exhausted`` value that is unknown or that ``scheduler`` (``"asha"`` /
    ``"hyperband"``) cannot honour.

    Raises:
        ValueError: not a key of :data:`ON_EXHAUSTED`, or ``"resume"`` for Hyperband.
    """
    if on_exhausted not in ON_EXHAUSTED:
        raise ValueError(
            f"unknown on_exhausted {on_exhausted!r}; choose one of {tuple(ON_EXHAUSTED)}"
        )
    if on_exhausted != "idle" and scheduler != "asha":
        raise ValueError(
            f"on_exhausted={on_exhausted!r} needs an ASHA method (scheduler 'asha'); "
            "synchronous Hyperband waits for its rungs and never resumes a trial it did not keep"
        )


def check_result(y, n_objectives: int) -> None:
    """Eager boundary check of a result ``y`` (minimized): shape ``[M]``, no NaN, no ``-inf``.

    Raises:
        ValueError: wrong shape, non-numeric, NaN or ``-inf`` (report a diverged run as
            ``+inf``, which ranks last).
    """
    a = np.asarray(y)
    if a.shape != (n_objectives,):
        raise ValueError(f"a result must have shape ({n_objectives},); got {a.shape}")
    if not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"a result must be numeric; got dtype {a.dtype}")
    if np.isnan(a).any() or (a == -np.inf).any():
        raise ValueError(
            f"a result has NaN or -inf: {a.tolist()}; report a diverged run as +inf "
            "(it then ranks last) or leave the result out"
        )


def _checked_tell(tell, n_objectives: int):
    """``tell`` that refuses a bad result when called on concrete values (the public path);
    traced under ``jit``/``vmap`` it is ``tell`` itself (jitted internals assume valid input)."""

    def checked(state, job, y):
        if is_concrete(y):
            check_result(y, n_objectives)
        return tell(state, job, y)

    checked.__doc__ = tell.__doc__
    return checked


def _common(
    schedule: Schedule,
    searcher: Searcher,
    M: int,
    N: int,
    rule,
    normalize,
    dtype,
    all_positions,
    resume=False,
):
    K, B = schedule.n_levels, schedule.n_brackets
    levels = jnp.asarray(schedule.levels, jnp.int32)
    cdf = np.cumsum(schedule.bracket_probs)
    cdf[-1] = 1.0
    cdf = jnp.asarray(cdf[:-1], jnp.float32)  # bracket = #{cdf_b <= u}
    rank = make_rank_fn(rule, normalize)
    eta = float(schedule.eta)
    # epsnet stopping decisions keep a packed domination matrix per level up to date (O(N·M)
    # per result) instead of rebuilding it (O(n²·M)); its memory is K·N²/8 bytes per seed
    incremental = rule == "epsnet" and not all_positions and N <= INCREMENTAL_MAX
    NW = -(-N // 32)
    NP = NW * 32

    def init(key) -> SchedulerState:
        k_rule, k_search, k_u = jax.random.split(key, 3)
        m1 = jnp.full((N,), -1, jnp.int32)
        return SchedulerState(
            key=k_rule,
            u=jax.random.uniform(k_u, (N,), jnp.float32),
            n_trials=jnp.int32(0),
            config=m1,
            bracket=m1,
            group=m1,
            level=m1,
            status=jnp.zeros((N,), jnp.int32),
            y=jnp.zeros((K, N, M), dtype),
            recorded=jnp.zeros((K, N), bool),
            pos=jnp.full((K, N), -1, jnp.int32),
            promoted=jnp.zeros((K, N), bool),
            searcher=searcher.init(k_search),
            dom=jnp.zeros((K, NW, NP) if incremental else (0,), jnp.uint32),
            dcount=jnp.zeros((K, N) if resume else (0,), jnp.int32),
            exhausted=jnp.bool_(False),
            overflow=jnp.bool_(False),
            hb=HBState(*(jnp.int32(0) for _ in range(6)))._replace(
                target=jnp.int32(int(schedule.sizes[0, 0]))
            ),
        )

    def new_trial(key, state: SchedulerState, bracket, group, want):
        """Start a trial in ``bracket`` if ``want``; returns (job, state)."""
        config, ok, s_new = searcher.propose(key, state.searcher)
        room = state.n_trials < N
        start = want & ok & room
        t = jnp.minimum(state.n_trials, N - 1)

        def put(a, v):  # O(1) conditional update of trial t
            return a.at[t].set(jnp.where(start, v, a[t]))

        state = state._replace(
            n_trials=state.n_trials + start.astype(jnp.int32),
            config=put(state.config, config),
            bracket=put(state.bracket, bracket),
            group=put(state.group, group),
            status=put(state.status, RUNNING),
            searcher=select_tree(start, s_new, state.searcher),
            exhausted=state.exhausted | (want & ~ok),
            overflow=state.overflow | (want & ok & ~room),
        )
        job = Job(
            trial=t,
            config=config,
            fidelity=levels[bracket],
            bracket=bracket,
            rung=jnp.int32(0),
            valid=start,
        )
        return select_tree(start, job, no_job()), state

    def record(state: SchedulerState, job: Job, y):
        """Record ``y`` at the job's level and re-rank that rung's group."""
        t = job.trial
        k = job.bracket + job.rung
        if rule == "scalarize":  # only this rule draws at decisions
            key, sub = jax.random.split(state.key)
        else:
            key, sub = state.key, state.key
        yk = state.y[k].at[t].set(y.astype(dtype))
        rec = state.recorded[k].at[t].set(True)
        g = state.group[t]
        in_group = rec & (state.group == g)
        n = jnp.sum(in_group, dtype=jnp.int32)  # results in the rung, the newcomer included
        trial = jnp.arange(N)
        if incremental or resume:
            # whom t dominates / who dominates t at level k (exact, on order keys), computed
            # once for the packed domination matrix and the domination counts
            if rule in ("single", "random"):
                s0 = _order_keys(yk[:, 0])
                by_t, on_t = s0[t] < s0, s0 < s0[t]
            else:
                kk = _order_keys(yk)
                by_t = dominates(kk[t][None, :], kk)
                on_t = dominates(kk, kk[t][None, :])
        if rule in ("single", "random"):
            # exact O(N) update of the cached order by (y[0], trial id): the newcomer's
            # position is the number of rows before it; every row after it moves down by one
            s_ = yk[:, 0]
            others = in_group & (trial != t)
            before_t = (s_ < s_[t]) | ((s_ == s_[t]) & (trial < t))
            pt = jnp.sum(others & before_t).astype(jnp.int32)
            p = jnp.where(others, state.pos[k] + (~before_t).astype(jnp.int32), state.pos[k])
            p = p.at[t].set(pt)
        elif incremental:
            # the stopping variant needs only the newcomer's position, and only whether it is
            # below the cut: peel fronts down to its own, run the ε-net inside it until it is
            # taken, stop as soon as the position is known to be past the cut
            pad = jnp.zeros((NP - N,), bool)
            col = jnp.concatenate([on_t & rec, pad])  # who dominates t
            row = jnp.concatenate([by_t & rec, pad])  # whom t dominates
            d = state.dom[k]
            d = d.at[:, t].set(pack_rows(col))
            bit = jnp.left_shift(jnp.uint32(1), (t % 32).astype(jnp.uint32))
            wt = t // 32
            d = d.at[wt].set((d[wt] & ~bit) | jnp.where(row, bit, jnp.uint32(0)))
            state = state._replace(dom=state.dom.at[k].set(d))
            z = _distance_coords(yk, in_group, normalize)
            z = jnp.concatenate([z, jnp.zeros((NP - N, M), z.dtype)])
            pt = epsnet_position_packed(d, z, jnp.concatenate([in_group, pad]), t, stop_limit(n, k))
            p = state.pos[k].at[t].set(pt)
        elif rule in ("epsnet", "crowding") and not all_positions:
            # the stopping variant needs only the newcomer's position: fronts are peeled only
            # down to its own, the ε-net runs only until it is taken, on the compacted rung
            lim = stop_limit(n, k) if rule == "epsnet" else None
            pt = bucketed_position(yk, in_group, t, rule, normalize, lim)
            p = state.pos[k].at[t].set(pt)
        elif rule == "scalarize" and not all_positions:
            # the stopping variant needs only the newcomer's position: O(N), no O(N²) ranking;
            # the cached positions of the other rows are not refreshed
            w = jax.random.exponential(sub, (M,), dtype=yk.dtype)
            s_ = _minmax(yk, in_group) @ (w / jnp.sum(w))
            before_t = (s_ < s_[t]) | ((s_ == s_[t]) & (trial < t))
            p = state.pos[k].at[t].set(jnp.sum(in_group & before_t).astype(jnp.int32))
        else:
            p = bucketed_rank(rank, sub, yk, in_group)
        pos_k = jnp.where(in_group, p, state.pos[k])
        if resume:
            # domination counts at level k (all groups: the same fidelity): t's own, and +1
            # for every recorded row t dominates (O(N·M); see ON_EXHAUSTED)
            oth = rec & (trial != t)
            dc = state.dcount[k] + (by_t & oth).astype(jnp.int32)
            dc = dc.at[t].set(jnp.sum(on_t & oth, dtype=jnp.int32))
            state = state._replace(dcount=state.dcount.at[k].set(dc))
        state = state._replace(
            key=key,
            y=state.y.at[k].set(yk),
            recorded=state.recorded.at[k].set(rec),
            pos=state.pos.at[k].set(pos_k),
            level=state.level.at[t].set(k),
            searcher=searcher.observe(state.searcher, job.config, job.fidelity, y),
        )
        return state, p[t], n, k

    def observe(state: SchedulerState, job: Job, fidelity, y):
        return state._replace(searcher=searcher.observe(state.searcher, job.config, fidelity, y))

    def stop_limit(n, k):
        """Smallest position p that stops (``p * eta >= n``, the float test of ``tell``) below
        the maximum level; there the exact position is reported (no decision depends on it)."""
        nf = n.astype(jnp.float32)
        lim = jnp.ceil(nf / eta).astype(jnp.int32)
        lim = jnp.where((lim - 1).astype(jnp.float32) * eta >= nf, lim - 1, lim)
        lim = jnp.where(lim.astype(jnp.float32) * eta < nf, lim + 1, lim)
        return jnp.where(k == K - 1, jnp.int32(N + 1), lim)

    def draw_bracket(state: SchedulerState):
        u = state.u[jnp.minimum(state.n_trials, N - 1)]
        return jnp.sum(cdf <= u).astype(jnp.int32)

    return K, B, levels, draw_bracket, eta, init, new_trial, record, observe


def _make_asha(schedule, searcher, M, N, rule, variant, normalize, dtype, resume) -> Scheduler:
    K, B, levels, draw_bracket, eta, init, new_trial, record, observe = _common(
        schedule, searcher, M, N, rule, normalize, dtype, variant == "promotion", resume
    )
    trial_ids = jnp.arange(N, dtype=jnp.int32)
    groups = jnp.arange(B, dtype=jnp.int32)

    def promotable(state: SchedulerState) -> Bool[Array, "k n"]:
        onehot = (state.group[None, :] == groups[:, None]).astype(jnp.int32)  # [B, N]
        counts = state.recorded.astype(jnp.int32) @ onehot.T  # [K, B]
        n_k = jnp.take_along_axis(counts, jnp.clip(state.group, 0, B - 1)[None, :].repeat(K, 0), 1)
        keep = jnp.floor(n_k / eta).astype(jnp.int32)
        below_max = (jnp.arange(K) < K - 1)[:, None]
        return (
            state.recorded
            & ~state.promoted
            & (state.pos < keep)
            & (state.status == PAUSED_S)[None, :]
            & below_max
        )

    def ask(key, state: SchedulerState):
        if variant == "promotion":
            cand = promotable(state)
            any_k = jnp.any(cand, axis=1)
            has = jnp.any(any_k)
            kstar = (K - 1 - jnp.argmax(any_k[::-1])).astype(jnp.int32)  # highest level
            score = jnp.where(cand[kstar], state.pos[kstar], N + 1)
            t = jnp.argmin(score).astype(jnp.int32)  # ties: lowest trial id
            pjob, state = go_on(state, kstar, t, has)
        else:
            has = jnp.bool_(False)
        b = draw_bracket(state)
        njob, state = new_trial(key, state, b, b, ~has)
        if variant == "promotion":
            njob = select_tree(has, pjob, njob)
        if resume:
            idle = ~njob.valid & state.exhausted & ~state.overflow
            njob, state = jax.lax.cond(idle, resume_stopped, lambda s: (njob, s), state)
        return njob, state

    def resume_stopped(state: SchedulerState):
        """The stopped / unpromoted paused trial to resume (see ON_EXHAUSTED); O(K·N)."""
        held = (state.status == STOPPED) | (state.status == PAUSED_S)
        below_max = (jnp.arange(K) < K - 1)[:, None]
        cand = state.recorded & ~state.promoted & held[None, :] & below_max
        any_k = jnp.any(cand, axis=1)
        has = jnp.any(any_k)
        # per level, the fewest dominators among its candidates, as a share of its results
        n_k = jnp.maximum(jnp.sum(state.recorded, axis=1, dtype=jnp.int32), 1)
        d_k = jnp.min(jnp.where(cand, state.dcount, N + 1), axis=1)
        share = jnp.where(any_k, d_k.astype(jnp.float32) / n_k.astype(jnp.float32), jnp.inf)
        tie = share == jnp.min(share)
        k = (K - 1 - jnp.argmax(tie[::-1])).astype(jnp.int32)  # ties: the highest level
        t = jnp.argmin(jnp.where(cand[k], state.dcount[k], N + 1)).astype(jnp.int32)
        job, state = go_on(state, k, t, has)
        return select_tree(has, job, no_job()), state

    def go_on(state: SchedulerState, k, t, valid):
        """The job that trains trial ``t`` on from level ``k`` to ``k + 1``; if ``valid``, the
        trial is marked promoted from ``k`` and running (a promotion or a resume)."""
        b = state.bracket[t]
        job = Job(
            trial=t,
            config=state.config[t],
            fidelity=levels[jnp.minimum(k + 1, K - 1)],
            bracket=b,
            rung=k + 1 - b,
            valid=valid,
        )
        state = state._replace(
            promoted=state.promoted.at[k, t].set(state.promoted[k, t] | valid),
            status=state.status.at[t].set(jnp.where(valid, RUNNING, state.status[t])),
        )
        return job, state

    def tell(state: SchedulerState, job: Job, y):
        state, p, n, k = record(state, job, y)
        t = job.trial
        at_max = k == K - 1
        if variant == "stopping":
            go = (~at_max) & (p.astype(jnp.float32) * eta < n.astype(jnp.float32))
            decision = jnp.where(at_max, DONE, jnp.where(go, CONTINUE, STOP))
        else:
            go = jnp.bool_(False)
            decision = jnp.where(at_max, DONE, PAUSED)
        status = jnp.select(
            [decision == CONTINUE, decision == STOP, decision == DONE],
            [RUNNING, STOPPED, FINISHED],
            PAUSED_S,
        )
        state = state._replace(
            status=state.status.at[t].set(status),
            promoted=state.promoted.at[k, t].set(state.promoted[k, t] | go),
        )
        nxt = job._replace(fidelity=levels[jnp.minimum(k + 1, K - 1)], rung=job.rung + 1, valid=go)
        return state, decision.astype(jnp.int32), TellInfo(p, n, select_tree(go, nxt, no_job()))

    del trial_ids
    return Scheduler(init, ask, tell, observe, schedule, "asha", rule, variant, N, M)


def _make_hyperband(schedule, searcher, M, N, rule, variant, normalize, dtype, resume) -> Scheduler:
    del resume  # make_scheduler refuses it for Hyperband
    K, B, levels, draw_bracket, eta, init, new_trial, record, observe = _common(
        schedule, searcher, M, N, rule, normalize, dtype, True
    )
    sizes = jnp.asarray(schedule.sizes, jnp.int32)

    def kept(state: SchedulerState, k) -> Bool[Array, " n"]:
        """Trials of the current bracket instance kept from level ``k`` (top floor(n/eta))."""
        in_g = state.recorded[k] & (state.group == state.hb.instance)
        n = jnp.sum(in_g)
        keep = jnp.floor(n / eta).astype(jnp.int32)
        return in_g & (state.pos[k] < keep)

    def advance(state: SchedulerState) -> SchedulerState:
        """Move to the next rung / bracket when the current rung is complete."""
        hb = state.hb
        complete = (hb.done == hb.dispatched) & (
            (hb.dispatched >= hb.target) | (state.exhausted & (hb.level == hb.bracket))
        )
        n_keep = jnp.sum(kept(state, hb.level)).astype(jnp.int32)
        last = (hb.level >= K - 1) | (n_keep == 0)
        nb = (hb.bracket + 1) % B
        next_bracket = HBState(
            bracket=nb,
            instance=hb.instance + 1,
            level=nb,
            target=sizes[nb, nb],
            dispatched=jnp.int32(0),
            done=jnp.int32(0),
        )
        next_rung = hb._replace(
            level=hb.level + 1, target=n_keep, dispatched=jnp.int32(0), done=jnp.int32(0)
        )
        new = select_tree(last, next_bracket, next_rung)
        return state._replace(hb=select_tree(complete, new, hb))

    def ask(key, state: SchedulerState):
        hb = state.hb
        want = hb.dispatched < hb.target
        first = hb.level == hb.bracket
        # a new trial of the current bracket (first rung)
        njob, nstate = new_trial(key, state, hb.bracket, hb.instance, want & first)
        # or resume the best kept, not yet promoted trial of the previous level
        kp = jnp.maximum(hb.level - 1, 0)
        cand = kept(state, kp) & ~state.promoted[kp]
        t = jnp.argmin(jnp.where(cand, state.pos[kp], N + 1)).astype(jnp.int32)
        can_promote = want & ~first & jnp.any(cand)
        pjob = Job(
            trial=t,
            config=state.config[t],
            fidelity=levels[hb.level],
            bracket=hb.bracket,
            rung=hb.level - hb.bracket,
            valid=can_promote,
        )
        state = nstate._replace(
            promoted=nstate.promoted.at[kp, t].set(nstate.promoted[kp, t] | can_promote),
            status=nstate.status.at[t].set(jnp.where(can_promote, RUNNING, nstate.status[t])),
        )
        job = select_tree(first, njob, select_tree(can_promote, pjob, no_job()))
        started = job.valid
        state = state._replace(hb=state.hb._replace(dispatched=hb.dispatched + started))
        return job, advance(state)

    def tell(state: SchedulerState, job: Job, y):
        state, p, n, k = record(state, job, y)
        at_max = k == K - 1
        decision = jnp.where(at_max, DONE, PAUSED).astype(jnp.int32)
        state = state._replace(
            status=state.status.at[job.trial].set(jnp.where(at_max, FINISHED, PAUSED_S)),
            hb=state.hb._replace(done=state.hb.done + 1),
        )
        return advance(state), decision, TellInfo(p, n, no_job())

    del draw_bracket
    return Scheduler(init, ask, tell, observe, schedule, "hyperband", rule, variant, N, M)


SCHEDULERS: dict[str, Callable[..., Scheduler]] = {
    "asha": _make_asha,
    "hyperband": _make_hyperband,
}
