"""The method registry: one name, one algorithm, whoever builds it.

A *method* is a scheduler kind (asynchronous ASHA or synchronous Hyperband), a rung rule, a
variant and the defaults that make it an algorithm (the number of brackets). :data:`METHODS`
lists every name; :func:`make_method` builds the scheduler, and the simulator
(``simulate`` / ``make_simulator``), the command line and real dispatch all go through
:func:`resolve_method`, so a name means the same algorithm everywhere.

Names:

========== =========== ========= =======================================================
name       scheduler   rule      what
========== =========== ========= =======================================================
epsnet     asha        epsnet    MO-ASHA, rungs ranked by non-dominated sorting + ε-net
                                 (Salinas et al. 2021); the paper's method
crowding   asha        crowding  MO-ASHA with NSGA-II crowding distance inside fronts
scalarize  asha        scalarize MO-ASHA with random linear scalarization ("MSR",
                                 Schmucker et al. 2021)
single     asha        single    ASHA on the first objective alone
random     asha        random    random search (every trial to the maximum fidelity)
moasha     asha        epsnet    = epsnet; the rule may be overridden (``rule=...``)
mohb       hyperband   epsnet    synchronous multi-objective Hyperband; rule overridable
asha       asha        single    = single; the rule may be overridden
hyperband  hyperband   single    synchronous Hyperband (Li et al. 2018); rule overridable
========== =========== ========= =======================================================

The rule-named methods (``epsnet`` ... ``random``) fix their rule: passing another one is an
error. ``variant`` (ASHA's ``"stopping"``, default, or ``"promotion"``) can be set on every
ASHA method.

Brackets (decided here, once): ASHA runs **one bracket** (:data:`ASHA_BRACKETS`: every trial
starts at the smallest rung), as Syne Tune's MOASHA and the asynchronous successive halving of
Li et al. (2020); Hyperband runs all brackets. ``n_brackets=`` overrides either.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021).
    Schmucker et al. "Multi-objective Asynchronous Successive Halving." arXiv 2106.12639.
    Li et al. "Hyperband." JMLR 18 (2018); "A System for Massively Parallel Hyperparameter
    Tuning." MLSys 2020.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jax.numpy as jnp

from mohb_jax._src.schedulers.core import RULES, VARIANTS, Scheduler, make_scheduler
from mohb_jax._src.schedulers.schedule import Schedule, make_schedule
from mohb_jax._src.types import Searcher

#: number of brackets of the ASHA methods unless ``n_brackets`` is given
ASHA_BRACKETS = 1


@dataclass(frozen=True)
class MethodSpec:
    """A named method: what :func:`make_method` builds.

    Attributes:
        name: the registry name.
        scheduler: ``"asha"`` (asynchronous) or ``"hyperband"`` (synchronous).
        rule: rung rule, one of ``RULES``.
        variant: ASHA's ``"stopping"`` or ``"promotion"`` (ignored by Hyperband).
        n_brackets: number of brackets (None: all).
        rule_fixed: the name is the rule; another ``rule`` is refused.
        description: one line for listings and errors.
    """

    name: str
    scheduler: str
    rule: str
    variant: str = "stopping"
    n_brackets: int | None = None
    rule_fixed: bool = False
    description: str = ""

    def schedule(self, fidelities, *, eta: float = 3, r_min: float | None = None) -> Schedule:
        """The rung schedule on a fidelity grid (one rung at the maximum for ``random``).

        Warns (``UserWarning``) when a multi-fidelity method gets a single rung level (one
        fidelity, or ``r_min`` at the maximum): it then reduces to random search.
        """
        schedule = make_schedule(
            fidelities,
            eta=eta,
            r_min=r_min,
            n_brackets=self.n_brackets,
            single_rung=(self.rule == "random"),
        )
        if self.rule != "random" and schedule.n_levels == 1:
            n_f = len(schedule.fidelities)
            why = "one fidelity" if n_f == 1 else f"one rung level on {n_f} fidelities"
            warnings.warn(
                f"{why}: method {self.name!r} reduces to random search (every trial runs to "
                "the maximum fidelity; no early stopping)",
                UserWarning,
                stacklevel=3,
            )
        return schedule

    def build(
        self,
        schedule: Schedule,
        searcher: Searcher,
        *,
        n_objectives: int,
        max_trials: int,
        normalize: bool = True,
        dtype=jnp.float32,
        on_exhausted: str = "idle",
    ) -> Scheduler:
        """The scheduler of this method on ``schedule`` (see :func:`make_scheduler`)."""
        return make_scheduler(
            schedule,
            searcher,
            n_objectives=n_objectives,
            max_trials=max_trials,
            method=self.scheduler,
            rule=self.rule,
            variant=self.variant,
            normalize=normalize,
            dtype=dtype,
            on_exhausted=on_exhausted,
        )


def _asha(name, rule, fixed, what):
    return MethodSpec(
        name, "asha", rule, n_brackets=ASHA_BRACKETS, rule_fixed=fixed, description=what
    )


#: every method name -> its :class:`MethodSpec`
METHODS: dict[str, MethodSpec] = {
    m.name: m
    for m in (
        _asha("epsnet", "epsnet", True, "MO-ASHA, non-dominated sorting + ε-net (the paper's)"),
        _asha("crowding", "crowding", True, "MO-ASHA, non-dominated sorting + crowding"),
        _asha("scalarize", "scalarize", True, "MO-ASHA, random linear scalarization (MSR)"),
        _asha("single", "single", True, "ASHA on the first objective"),
        _asha("random", "random", True, "random search, no early stopping"),
        _asha("moasha", "epsnet", False, "MO-ASHA (rule overridable; default epsnet)"),
        MethodSpec(
            "mohb", "hyperband", "epsnet", description="synchronous MO-Hyperband (default epsnet)"
        ),
        _asha("asha", "single", False, "ASHA (rule overridable; default single)"),
        MethodSpec(
            "hyperband", "hyperband", "single", description="synchronous Hyperband (default single)"
        ),
    )
}


def unknown_method(name) -> ValueError:
    """The error for a name not in :data:`METHODS`, listing every registered name."""
    return ValueError(f"unknown method {name!r}; choose one of {tuple(METHODS)}")


def resolve_method(
    name: str,
    *,
    rule: str | None = None,
    variant: str | None = None,
    n_brackets: int | None = None,
) -> MethodSpec:
    """The :class:`MethodSpec` of ``name`` with the allowed overrides applied.

    Raises:
        ValueError: unknown name (the error lists :data:`METHODS`), unknown rule or variant, a
            rule given to a method that fixes another, a bad ``n_brackets``.
    """
    if not isinstance(name, str) or name not in METHODS:
        raise unknown_method(name)
    spec = METHODS[name]
    if rule is not None and rule != spec.rule:
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
        if spec.rule_fixed:
            hint = f"use method {rule!r}" if rule in METHODS and METHODS[rule].rule_fixed else ""
            hint = hint or "use method 'moasha' or 'mohb' with rule=..."
            raise ValueError(
                f"method {name!r} fixes rule={spec.rule!r}; got rule={rule!r} ({hint})"
            )
        spec = dataclasses.replace(spec, rule=rule)
    if variant is not None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; choose one of {VARIANTS}")
        spec = dataclasses.replace(spec, variant=variant)
    if n_brackets is not None:
        if isinstance(n_brackets, bool) or int(n_brackets) != n_brackets or n_brackets < 1:
            raise ValueError(f"n_brackets must be a positive integer; got {n_brackets!r}")
        spec = dataclasses.replace(spec, n_brackets=int(n_brackets))
    return spec


def check_unique(names: Sequence[str], what: str) -> list[str]:
    """``names`` as a list, refusing duplicates up front (``what``: "methods", "objectives")."""
    names = list(names)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"duplicated {what} {dup} in {names}")
    return names


def check_methods(names: Iterable[str]) -> list[str]:
    """Method names, each registered, none twice (before anything runs)."""
    names = check_unique(names if not isinstance(names, str) else [names], "methods")
    if not names:
        raise ValueError("need at least one method")
    for n in names:
        if n not in METHODS:
            raise unknown_method(n)
    return names


def make_method(
    name: str,
    fidelities,
    searcher: Searcher,
    *,
    n_objectives: int,
    max_trials: int,
    eta: float = 3,
    r_min: float | None = None,
    rule: str | None = None,
    variant: str | None = None,
    n_brackets: int | None = None,
    normalize: bool = True,
    dtype=jnp.float32,
    on_exhausted: str = "idle",
) -> Scheduler:
    """Build the scheduler of a named method (see the module docstring for the names).

    Args:
        name: a key of :data:`METHODS`.
        fidelities: float[F] strictly increasing fidelity grid.
        searcher: proposes the configurations of new trials.
        n_objectives: M, objectives per result.
        max_trials: N, the trial capacity.
        eta: reduction factor.
        r_min: smallest rung level (default: the smallest fidelity).
        rule, variant, n_brackets: overrides (see :func:`resolve_method`).
        normalize: min-max normalize objectives for ε-net distances.
        dtype: float dtype of the recorded objectives.
        on_exhausted: ``"idle"`` or ``"resume"`` (ASHA methods; see
            :data:`mohb_jax.schedulers.ON_EXHAUSTED`).

    Returns:
        The :class:`~mohb_jax.schedulers.Scheduler`.

    Raises:
        ValueError: see :func:`resolve_method` and :func:`make_scheduler`.
    """
    spec = resolve_method(name, rule=rule, variant=variant, n_brackets=n_brackets)
    return spec.build(
        spec.schedule(fidelities, eta=eta, r_min=r_min),
        searcher,
        n_objectives=n_objectives,
        max_trials=max_trials,
        normalize=normalize,
        dtype=dtype,
        on_exhausted=on_exhausted,
    )
