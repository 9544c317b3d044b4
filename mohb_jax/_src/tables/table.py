"""The canonical offline evaluation table.

Every offline benchmark (NAS-Bench-201, FCNet, TrimTuner, LCDB, ...) is converted into one
:class:`Table`; nothing downstream parses files. Objectives are stored as **minimization**: a
``"max"`` objective is negated once, here, and the original direction is kept in
``directions`` so that results can be reported in the table's own units.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import frame as _frame
from . import views as _views
from .frame import DIRECTIONS
from .hardware import HardwareCatalog
from .reference import reference_point_rule

__all__ = [
    "DIRECTIONS",
    "FIDELITY_KINDS",
    "HardwareCatalog",
    "Table",
    "table_from_arrays",
    "table_from_frame",
]
#: ``Table.fidelity_kind`` values: ``"resumable"`` (a trial at fidelity f can go on training to
#: a higher fidelity: epochs of one run) or ``"independent"`` (each fidelity is a separate run
#: from scratch: training-set sizes of TrimTuner, LCDB anchors).
FIDELITY_KINDS = ("resumable", "independent")
#: Metadata keys that earlier tables used for what are now fields; the constructor moves them.
_LEGACY_KEYS = ("independent_fidelities", "resumable", "default_objectives", "reference_point")


@dataclass(frozen=True)
class Table:
    """Dense offline evaluations ``values[task, config, seed, fidelity, objective]``.

    Attributes:
        name: benchmark name (as in ``list_benchmarks()``).
        values: float32/float64 [T, C, S, F, M], minimization (``max`` objectives negated).
            Entries where ``mask`` is False are NaN and must never be read.
        mask: bool [T, C, S, F]: True where the evaluation exists (all objectives present).
        configs: DataFrame with C rows (index 0..C-1): the hyperparameters of each config.
        encoded: float32 [C, D] numeric encoding of ``configs`` for models (numerical → min-max
            scaled to [0, 1] (log scale where the space is log-uniform); categorical → one-hot).
        fidelities: float64 [F], strictly increasing fidelity values (epochs, set sizes, ...).
        fidelity_name: what the fidelity is ("epoch", "training_set_size", ...).
        objectives: M objective names.
        directions: M original directions, each "min" or "max".
        tasks: T task names (datasets).
        time_objective: name of the objective that is elapsed training time in seconds, or None.
        time_cumulative: True when the time objective at fidelity f is the time from scratch up
            to f (Syne Tune's convention); False when it is the time of step f alone.
        hardware: optional :class:`HardwareCatalog`.
        fidelity_kind: ``"resumable"`` (default: a trial resumes from the fidelity it reached,
            e.g. epochs) or ``"independent"`` (each fidelity is a separate run from scratch, e.g.
            training-set sizes: no resuming, and the time at a fidelity is that run's time).
        default_objectives: objectives used when a caller names none (sweeps, true fronts);
            default: all objectives. Validated: known names, no repeats.
        ref_point: float64[M] fixed HV reference point per objective, in minimization space
            (read it with :meth:`reference_point`); default the rule of
            :func:`~mohb_jax._src.tables.reference.reference_point_rule` (worst valid value
            over the whole table + 10 % of its range). Finite wherever the table has a valid
            cell.
        metadata: free-form: ``citation``, ``surrogate`` (bool), ``notes``; where relevant
            ``fill_fraction``, ``encoded_columns`` (names of ``encoded``'s columns),
            ``seed_values`` (original seed labels), ``config_index`` (rows of the parent table
            after ``select(configs=...)``), ``cost_cumulative``. The keys
            ``independent_fidelities`` / ``resumable``, ``default_objectives`` and
            ``reference_point`` of older tables are moved into the fields above on construction
            (where given, they take precedence over the fields, e.g. in ``replace(metadata=...)``).
    """

    name: str
    values: np.ndarray
    mask: np.ndarray
    configs: pd.DataFrame
    encoded: np.ndarray
    fidelities: np.ndarray
    objectives: tuple[str, ...]
    directions: tuple[str, ...]
    tasks: tuple[str, ...]
    fidelity_name: str = "fidelity"
    time_objective: str | None = None
    time_cumulative: bool = True
    hardware: HardwareCatalog | None = None
    fidelity_kind: str = "resumable"
    default_objectives: tuple[str, ...] = ()
    ref_point: np.ndarray | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    # ---- shape helpers -------------------------------------------------------------------
    @property
    def n_tasks(self) -> int:
        return self.values.shape[0]

    @property
    def n_configs(self) -> int:
        return self.values.shape[1]

    @property
    def n_seeds(self) -> int:
        return self.values.shape[2]

    @property
    def n_fidelities(self) -> int:
        return self.values.shape[3]

    @property
    def n_objectives(self) -> int:
        return self.values.shape[4]

    def objective_index(self, name: str) -> int:
        """Index of objective ``name``; ``ValueError`` listing the known ones otherwise."""
        try:
            return self.objectives.index(name)
        except ValueError:
            raise ValueError(
                f"unknown objective {name!r} for table {self.name!r}; "
                f"known: {list(self.objectives)}"
            ) from None

    def task_index(self, task: str | int) -> int:
        """Index of ``task`` (a name or an index); ``ValueError`` listing the tasks otherwise."""
        if isinstance(task, (int, np.integer)):
            if not 0 <= int(task) < self.n_tasks:
                raise ValueError(f"task index {task} out of range 0..{self.n_tasks - 1}")
            return int(task)
        try:
            return self.tasks.index(task)
        except ValueError:
            raise ValueError(
                f"unknown task {task!r} for table {self.name!r}; known: {list(self.tasks)}"
            ) from None

    def replace(self, **changes) -> Table:
        return dataclasses.replace(self, **changes)

    # ---- conversions (``frame.py``) and views (``views.py``) ------------------------------
    @classmethod
    def from_frame(cls, df: pd.DataFrame, **kwargs) -> Table:
        """Build a table from a tidy long frame; arguments of :func:`frame.fields_from_frame`."""
        return cls(**_frame.fields_from_frame(df, **kwargs))

    @classmethod
    def from_arrays(cls, values, **kwargs) -> Table:
        """Build a table from dense arrays; arguments of :func:`frame.fields_from_arrays`."""
        return cls(**_frame.fields_from_arrays(values, **kwargs))

    def to_frame(self, *, original_units: bool = True) -> pd.DataFrame:
        """Long frame of the valid cells; see :func:`frame.table_to_frame`."""
        return _frame.table_to_frame(self, original_units=original_units)

    def with_cost(self, name: str = "cost_usd", *, time_objective: str | None = None) -> Table:
        """Append ``name = time_s × price_per_hour[config] / 3600``; see :func:`views.with_cost`."""
        return _views.with_cost(self, name, time_objective=time_objective)

    def select(self, *, task=None, objectives=None, configs=None, fidelities=None) -> Table:
        """Sub-table of tasks / objectives / configs / fidelity indices (see ``views.select``)."""
        return _views.select(
            self, task=task, objectives=objectives, configs=configs, fidelities=fidelities
        )

    def mean_objectives(self, task=0, objectives=None, fidelity: int = -1):
        """``(float64[C, M] seed means, bool[C] valid)`` at one fidelity (minimization space)."""
        return _views.mean_objectives(self, task, objectives, fidelity)

    def true_front(self, task=0, objectives=None, fidelity: int = -1) -> pd.DataFrame:
        """Pareto set of seed means at one fidelity (default the highest), original units."""
        return _views.true_front(self, task, objectives, fidelity)

    def reference_point(self, objectives=None) -> np.ndarray:
        """Fixed HV reference point (minimization space) for ``objectives`` (default all)."""
        return _views.reference_point(self, objectives)

    def __post_init__(self):
        v, m = np.asarray(self.values), np.asarray(self.mask)
        if v.ndim != 5:
            raise ValueError(
                f"values must be [task, config, seed, fidelity, objective]; got {v.shape}"
            )
        if m.shape != v.shape[:4] or m.dtype != bool:
            raise ValueError(f"mask must be bool {v.shape[:4]}; got {m.dtype} {m.shape}")
        T, C, S, F, M = v.shape
        if len(self.objectives) != M or len(self.directions) != M:
            raise ValueError(f"need {M} objective names and directions")
        bad = [d for d in self.directions if d not in DIRECTIONS]
        if bad:
            raise ValueError(f"unknown objective direction(s) {bad}; use 'min' or 'max'")
        if len(self.tasks) != T:
            raise ValueError(f"need {T} task names; got {len(self.tasks)}")
        if len(self.configs) != C or np.shape(self.encoded)[0] != C:
            raise ValueError(f"configs and encoded need {C} rows")
        fid = np.asarray(self.fidelities)
        if fid.shape != (F,) or (F > 1 and not np.all(np.diff(fid) > 0)):
            raise ValueError(f"fidelities must be {F} strictly increasing values; got {fid}")
        if self.time_objective is not None and self.time_objective not in self.objectives:
            raise ValueError(f"time_objective {self.time_objective!r} is not an objective")
        if self.hardware is not None and np.shape(self.hardware.price_per_hour) != (C,):
            raise ValueError(f"hardware.price_per_hour must have shape ({C},)")
        self._init_semantics(v, m)

    def _init_semantics(self, v: np.ndarray, m: np.ndarray) -> None:
        """Move legacy metadata keys into the fields, fill defaults, validate (frozen-safe)."""
        meta = dict(self.metadata)
        legacy = {k: meta.pop(k) for k in _LEGACY_KEYS if k in meta}
        kind = self.fidelity_kind
        if "independent_fidelities" in legacy or "resumable" in legacy:
            indep = bool(legacy.get("independent_fidelities", False)) or (
                "resumable" in legacy and not bool(legacy["resumable"])
            )
            kind = "independent" if indep else "resumable"
        if kind not in FIDELITY_KINDS:
            raise ValueError(
                f"table {self.name!r}: fidelity_kind must be one of {FIDELITY_KINDS}; got {kind!r}"
            )
        defaults = self.default_objectives
        if legacy.get("default_objectives") is not None:
            defaults = legacy["default_objectives"]
        if isinstance(defaults, str):
            defaults = (defaults,)
        defaults = tuple(str(d) for d in defaults) or tuple(self.objectives)
        unknown = [d for d in defaults if d not in self.objectives]
        if unknown:
            raise ValueError(
                f"table {self.name!r}: default objectives {unknown} are not objectives; "
                f"known: {list(self.objectives)}"
            )
        if len(set(defaults)) != len(defaults):
            raise ValueError(f"table {self.name!r}: repeated default objectives {list(defaults)}")
        ref = self.ref_point
        if legacy.get("reference_point") is not None:
            ref = legacy["reference_point"]
        M = v.shape[-1]
        if ref is None:
            ref = reference_point_rule(v, m)
        ref = np.array(ref, dtype=np.float64).reshape(-1)
        if ref.shape != (M,):
            raise ValueError(
                f"table {self.name!r}: ref_point must have {M} values (one per objective); "
                f"got {ref.shape[0]}"
            )
        if np.isinf(ref).any() or (m.any() and np.isnan(ref).any()):
            raise ValueError(
                f"table {self.name!r}: ref_point must be finite; got "
                f"{dict(zip(self.objectives, ref.tolist(), strict=True))}"
            )
        object.__setattr__(self, "fidelity_kind", kind)
        object.__setattr__(self, "default_objectives", defaults)
        object.__setattr__(self, "ref_point", ref)
        object.__setattr__(self, "metadata", meta)


def table_from_frame(df: pd.DataFrame, **kwargs) -> Table:
    """:meth:`Table.from_frame` as a function (arguments of :func:`frame.fields_from_frame`)."""
    return Table.from_frame(df, **kwargs)


def table_from_arrays(values, **kwargs) -> Table:
    """:meth:`Table.from_arrays` as a function (arguments of :func:`frame.fields_from_arrays`)."""
    return Table.from_arrays(values, **kwargs)
