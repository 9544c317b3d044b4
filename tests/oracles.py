"""Independent oracles for the schedulers and the simulator, written from the papers'
definitions in plain Python / numpy; they never call the code under test.

* :func:`ref_fronts`, :func:`ref_order`, :func:`ref_position`: rung rankings (brute-force
  non-dominated fronts, greedy ε-net, NSGA-II crowding, scalarization, single objective).
* :func:`sync_hyperband`: the decisions of synchronous Hyperband (Li et al. 2018) on a fixed
  result table, bracket by bracket, rung by rung.
"""

from __future__ import annotations

import math

import numpy as np


def ref_fronts(y: np.ndarray) -> np.ndarray:
    n = len(y)
    rank = np.full(n, -1)
    remaining = set(range(n))
    k = 0
    while remaining:
        front = [
            i
            for i in remaining
            if not any(np.all(y[j] <= y[i]) and np.any(y[j] < y[i]) for j in remaining if j != i)
        ]
        for i in front:
            rank[i] = k
        remaining -= set(front)
        k += 1
    return rank


def ref_minmax(y):
    lo, hi = y.min(0), y.max(0)
    span = hi - lo
    return np.where(span > 0, (y - lo) / np.where(span > 0, span, 1), 0.0)


def ref_order(y: np.ndarray, rule: str, w=None) -> list[int]:
    """Indices best-first under ``rule`` (ties: lowest index), from the definitions."""
    n = len(y)
    if rule == "single":
        return sorted(range(n), key=lambda i: (y[i, 0], i))
    if rule == "scalarize":
        s = ref_minmax(y) @ w
        return sorted(range(n), key=lambda i: (s[i], i))
    fr = ref_fronts(y)
    order = []
    for k in range(fr.max() + 1):
        members = [i for i in range(n) if fr[i] == k]
        if rule == "epsnet":
            z = ref_minmax(y)  # normalized over the whole rung
            first = min(members, key=lambda i: (y[i, 0], i))
            taken = [first]
            while len(taken) < len(members):
                rest = [i for i in members if i not in taken]
                mind = {i: min(np.linalg.norm(z[i] - z[j]) for j in taken) for i in rest}
                taken.append(max(rest, key=lambda i: (mind[i], -i)))
            order += taken
        else:  # crowding (NSGA-II, Deb et al. 2002, Sec. III-B), raw objectives
            cd = {i: 0.0 for i in members}
            for m in range(y.shape[1]):
                srt = sorted(members, key=lambda i: (y[i, m], i))
                span = y[srt[-1], m] - y[srt[0], m]
                cd[srt[0]] = cd[srt[-1]] = np.inf
                for a in range(1, len(srt) - 1):
                    if span > 0:
                        cd[srt[a]] += (y[srt[a + 1], m] - y[srt[a - 1], m]) / span
            order += sorted(members, key=lambda i: (-cd[i], i))
    return order


def ref_position(y, rule, w=None) -> np.ndarray:
    pos = np.empty(len(y), int)
    pos[ref_order(y, rule, w)] = np.arange(len(y))
    return pos


def sync_hyperband(sizes: np.ndarray, eta: float, Y: np.ndarray, rule: str, n_instances: int):
    """Jobs and decisions of synchronous Hyperband, from Li et al. (2018), Algorithm 1.

    Brackets ``b = 0, 1, ..., B - 1`` (most aggressive first) run in turn, ``n_instances``
    brackets in all. Bracket ``b`` starts ``sizes[b, b]`` new trials (ids in order) at level
    ``b``; each rung keeps the top ``floor(n / eta)`` of its ``n`` results under ``rule`` (ties:
    lower trial id) and runs them, best first, at the next level, until the last level or
    nobody is kept. ``Y[trial, level]`` is a result (float[M], minimized).

    Returns:
        ``[(trial, level, bracket, rung, decision)]`` in dispatch order; decision "paused" below
        the last level, "done" at it.
    """
    B, K = sizes.shape[0], sizes.shape[1]
    out, next_id = [], 0
    for inst in range(n_instances):
        b = inst % B
        order = list(range(next_id, next_id + int(sizes[b, b])))
        next_id += len(order)
        level = b
        while order:
            last = level == K - 1
            for t in order:
                out.append((t, level, b, level - b, "done" if last else "paused"))
            if last:
                break
            pos = ref_position(Y[order, level], rule)
            keep = math.floor(len(order) / eta)
            order = [order[i] for i in np.argsort(pos, kind="stable")[:keep]]
            level += 1
    return out
