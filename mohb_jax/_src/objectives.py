"""Objective names and directions: the one place where "max" becomes "min" and back.

Every kernel and scheduler of the package minimizes. A ``"max"`` objective (accuracy, BLEU,
throughput) is negated once on entry (:meth:`Objectives.to_min`) and negated back once on exit
(:meth:`Objectives.from_min`), always on the last axis of an array whose last dimension lists the
objectives in :attr:`Objectives.names` order.

Example::

    obj = Objectives.parse({"accuracy": "max", "latency_s": "min"})
    obj = Objectives.parse(["accuracy:max", "latency_s:min"])        # same
    obj = Objectives(("accuracy", "latency_s"), ("max", "min"))      # same
    y_min = obj.to_min(y)            # y[..., 0] negated; numpy in -> numpy out, jax -> jax
    y = obj.from_min(y_min)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

DIRECTIONS = ("min", "max")


def _bad_direction(name: str, d: Any) -> ValueError:
    return ValueError(f"objective {name!r} has unknown direction {d!r}; use one of {DIRECTIONS}")


@dataclass(frozen=True)
class Objectives:
    """M objective names and their directions, in last-axis order.

    Attributes:
        names: M distinct objective names.
        directions: M directions, each ``"min"`` or ``"max"``.

    Raises:
        ValueError: no objective, a duplicated name, a non-string or empty name, an unknown
            direction, or names and directions of different lengths.
    """

    names: tuple[str, ...]
    directions: tuple[str, ...]

    def __post_init__(self):
        names = tuple(self.names) if not isinstance(self.names, str) else (self.names,)
        dirs = (
            tuple(self.directions) if not isinstance(self.directions, str) else (self.directions,)
        )
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "directions", dirs)
        if not names:
            raise ValueError("need at least one objective")
        if len(names) != len(dirs):
            raise ValueError(
                f"got {len(names)} objective names {list(names)} but {len(dirs)} directions "
                f"{list(dirs)}"
            )
        for n in names:
            if not isinstance(n, str) or not n:
                raise ValueError(f"objective names must be non-empty strings; got {n!r}")
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicated objective name(s) {dup} in {list(names)}")
        for n, d in zip(names, dirs, strict=True):
            if d not in DIRECTIONS:
                raise _bad_direction(n, d)

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def parse(cls, spec, *, known: Mapping[str, str] | None = None) -> Objectives:
        """Objectives from any of the accepted spellings.

        Args:
            spec: an :class:`Objectives` (returned as is); a dict ``{name: direction}``; a
                sequence of ``"name:direction"`` strings, of ``(name, direction)`` pairs, or of
                bare names; a single ``"a:min,b:max"`` string.
            known: directions of the names a bare name may refer to (e.g. a table's own
                objectives). A bare name must be in it; a name given with a direction that
                contradicts ``known`` is refused, since it would silently flip an objective.

        Raises:
            ValueError: an unparseable entry, a bare name with no known direction, a direction
                contradicting ``known``, or any of the checks of the constructor.
        """
        if isinstance(spec, Objectives):
            pairs = list(spec.items())
        elif isinstance(spec, Mapping):
            pairs = list(spec.items())
        else:
            if isinstance(spec, str):
                spec = [s for s in spec.split(",") if s.strip()]
            pairs = [cls._one(o, known) for o in spec]
        if known is not None:
            for n, d in pairs:
                if n in known and known[n] != d:
                    raise ValueError(
                        f"objective {n!r} is given as {d!r} but its source says {known[n]!r}; "
                        "drop the direction to use the source's"
                    )
        return cls(tuple(n for n, _ in pairs), tuple(d for _, d in pairs))

    @staticmethod
    def _one(o, known: Mapping[str, str] | None) -> tuple[str, str]:
        if isinstance(o, str):
            name, sep, d = o.strip().rpartition(":")
            if sep:
                return name.strip(), d.strip()
            name = d.strip()
            if known is not None and name in known:
                return name, known[name]
            hint = f"; known objectives: {list(known)}" if known is not None else ""
            raise ValueError(
                f"objective {name!r} has no direction: write {name + ':min'!r} or "
                f"{name + ':max'!r}{hint}"
            )
        if isinstance(o, Iterable):
            t = tuple(o)
            if len(t) == 2:
                return t[0], t[1]
        raise ValueError(
            f"cannot read objective {o!r}: use 'name:min', 'name:max', a (name, direction) "
            "pair or a dict {name: direction}"
        )

    # ---- queries -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.names)

    def items(self) -> list[tuple[str, str]]:
        """``[(name, direction), ...]`` in order."""
        return list(zip(self.names, self.directions, strict=True))

    def as_dict(self) -> dict[str, str]:
        """``{name: direction}`` in order."""
        return dict(self.items())

    def __str__(self) -> str:
        return ",".join(f"{n}:{d}" for n, d in self.items())

    def index(self, name: str) -> int:
        """Position of ``name`` on the last axis; ``ValueError`` naming the objectives if absent."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"unknown objective {name!r}; have {list(self.names)}") from None

    def select(self, names: Iterable[str]) -> Objectives:
        """The sub-objectives ``names`` (in that order), with their directions."""
        idx = [self.index(n) for n in names]
        return Objectives(tuple(self.names[i] for i in idx), tuple(self.directions[i] for i in idx))

    @property
    def is_max(self) -> np.ndarray:
        """``bool[M]``: which objectives are maximized."""
        return np.array([d == "max" for d in self.directions], dtype=bool)

    @property
    def signs(self) -> np.ndarray:
        """``float64[M]``: -1 for a ``"max"`` objective, +1 for a ``"min"`` one."""
        return np.where(self.is_max, -1.0, 1.0)

    # ---- conversion --------------------------------------------------------------------------
    def to_min(self, y):
        """``y[..., M]`` with the ``"max"`` objectives negated (all minimized).

        numpy in, numpy out; a jax array (also traced, under ``jit``) gives a jax array. The
        dtype is kept; an all-``"min"`` set returns ``y`` itself. Negation is exact, so
        ``from_min(to_min(y))`` is ``y`` bit for bit.

        Raises:
            ValueError: the last axis of ``y`` is not M long.
        """
        shape = np.shape(y)
        if not shape or shape[-1] != len(self):
            raise ValueError(
                f"expected the last axis to list the {len(self)} objectives {list(self.names)}; "
                f"got shape {shape}"
            )
        if not self.is_max.any():
            return y
        # Broadcast explicitly to the full rank (safe under jax_numpy_rank_promotion="raise").
        flip = self.is_max.reshape((1,) * (len(shape) - 1) + (len(self),))
        if isinstance(y, np.ndarray) or np.isscalar(y) or not hasattr(y, "at"):
            a = np.asarray(y)
            return np.where(flip, -a, a)
        import jax.numpy as jnp

        return jnp.where(flip, -y, y)

    def from_min(self, y):
        """Inverse of :meth:`to_min` (the same exact negation): back to the own units."""
        return self.to_min(y)
