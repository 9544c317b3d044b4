"""A table-driven implementation of LaMOO (learned space partitions for multi-objective search).

LaMOO (Zhao, Wang, Yang, Zhang, Guo, Tian, ICLR 2022; for NAS: Zhao, Wang, Guo, JMLR 2024)
recursively splits the search space with classifiers that separate "good" from "bad" samples,
picks a promising region with a UCB rule, and samples there. Our implementation, as a
:class:`~mohb_jax._src.types.Searcher` over the 15 625 NAS-Bench-201 architectures:

1. The first ``n_init`` proposals are uniform at random (without replacement).
2. Every ``batch`` observations the tree is rebuilt from all observations: at a node, each
   sample's **dominance number** is the number of the node's samples that Pareto-dominate it;
   the samples sorted by it (ties: observation order) split into a "good" lower half and a
   "bad" upper half (:func:`good_labels`). A classifier is fitted to these labels and the
   node's samples are routed to its children by the classifier's *prediction*. A node splits
   only if it holds at least ``min_split`` samples and the prediction sends some to each side;
   the tree has at most ``depth`` levels of splits (complete binary tree in heap order).
3. **Region selection** walks from the root choosing the child with the larger UCB
   ``HV(child) + Cp·sqrt(2·ln n_parent / n_child)`` (``node_select="mcts"`` of the paper's
   code), ``HV`` being the hypervolume of the child's samples in min-max normalised objective
   space (reference point 1.1 per objective; 2 objectives) and ``Cp = cp·HV(root)``.
4. **Proposal** (the "LaMOO + random" variant, the paper's Sobol rejection sampling made
   discrete): ``n_candidates`` random unproposed architectures are classified by every
   classifier on the path; the first one that falls inside the region is proposed. If none
   does, the candidate with the largest smallest signed margin along the path is taken.

What differs from the paper:

* The classifier is a **least-squares SVM** (kernel ridge classification with an RBF kernel on
  the 30-dim one-hot encoding of the 6 edges, targets ±1, no bias; Suykens & Vandewalle 1999)
  solved in closed form inside ``jit``; the paper fits scikit-learn's SVC (poly/RBF kernel) on
  6 continuous inputs in [0, 1) quantised into the 5 ops.
* Candidates are drawn from the finite table (never repeating an architecture), not from a
  Sobol sequence over [0, 1)^6; the qEHVI and CMA-ES proposal variants are not built.
* The tree depth is bounded (static shapes), and the node hypervolume uses the observed
  objectives min-max normalised, not the benchmark's fixed reference point.

References:
    Y. Zhao, L. Wang, K. Yang, T. Zhang, T. Guo, Y. Tian. "Multi-objective Optimization by
    Learning Space Partitions." ICLR 2022.
    Y. Zhao, L. Wang, T. Guo. "Multi-Objective Neural Architecture Search by Learning Search
    Space Partitions." JMLR 25(177), 2024.
    J. A. K. Suykens, J. Vandewalle. "Least Squares Support Vector Machine Classifiers."
    Neural Processing Letters 9, 1999.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.nas.nb201 import N_ARCHS, N_EDGES, N_OPS
from mohb_jax._src.nas.searchers import (
    History,
    Pool,
    check_codes,
    history_add,
    history_init,
    pool_init,
    pool_take,
)
from mohb_jax._src.types import Searcher


def dominance_numbers(y: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    """For every row, how many masked-in rows Pareto-dominate it (minimization).

    Masked-out rows dominate nothing; their own count is meaningless (0 is returned).
    """
    le = jnp.all(y[None, :, :] <= y[:, None, :], -1)  # [i, j]: y_j <= y_i everywhere
    lt = jnp.any(y[None, :, :] < y[:, None, :], -1)
    dom = le & lt & mask[None, :]
    return jnp.where(mask, jnp.sum(dom, 1), 0).astype(jnp.int32)


def good_labels(y: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Bool[Array, " n"]:
    """LaMOO's "good" half: rows sorted by dominance number (ties: row order); the first
    ``floor(n_masked / 2)`` masked rows are good."""
    n = y.shape[0]
    d = dominance_numbers(y, mask)
    key = jnp.where(mask, d * n + jnp.arange(n), n * n + n)
    rank = jnp.zeros(n, jnp.int32).at[jnp.argsort(key)].set(jnp.arange(n, dtype=jnp.int32))
    return mask & (rank < jnp.sum(mask) // 2)


def hv2(y: Float[Array, "n 2"], mask: Bool[Array, " n"], ref: Float[Array, " 2"]):
    """Exact 2-D hypervolume of the masked rows (minimization) w.r.t. ``ref``."""
    y = jnp.where(mask[:, None], jnp.minimum(y, ref), ref)
    o = jnp.lexsort((y[:, 1], y[:, 0]))
    x1, x2 = y[o, 0], y[o, 1]
    best2 = lax.cummin(x2)
    prev = jnp.concatenate([ref[1:2], best2[:-1]])
    return jnp.sum((ref[0] - x1) * jnp.maximum(prev - best2, 0.0))


class LaMOOState(NamedTuple):
    pool: Pool
    hist: History
    path_alpha: Float[Array, "d k"]  # float32[D, K]: dual weights of the path's classifiers
    path_X: Int[Array, "d k"]  # int32[D, K]: config of each training row (as hist.config)
    path_sign: Float[Array, " d"]  # float32[D]: +1 good side, -1 bad side
    path_len: Int[Array, ""]  # int32: classifiers on the path
    built_at: Int[Array, ""]  # int32: observations when the tree was last built


class TreeInfo(NamedTuple):
    members: Bool[Array, "nodes k"]  # bool[2^(D+1)-1, K]: samples per node (heap order)
    split: Bool[Array, " nodes"]  # bool: node has children
    alpha: Float[Array, "nodes k"]  # float32: classifier duals per node
    hv: Float[Array, " nodes"]  # float32: normalised HV of the node's samples


def _kernel(xa, xb, gamma):
    d2 = jnp.sum(xa * xa, -1)[:, None] + jnp.sum(xb * xb, -1)[None, :] - 2.0 * xa @ xb.T
    return jnp.exp(-gamma * jnp.maximum(d2, 0.0))


def build_tree(X, y, valid, *, depth: int, min_split: int, gamma: float, lam: float) -> TreeInfo:
    """The partition tree of LaMOO over the valid observations (heap-ordered nodes)."""
    k = y.shape[0]
    n_nodes = 2 ** (depth + 1) - 1
    lo = jnp.min(jnp.where(valid[:, None], y, jnp.inf), 0)
    hi = jnp.max(jnp.where(valid[:, None], y, -jnp.inf), 0)
    yn = (y - lo) / jnp.where(hi > lo, hi - lo, 1.0)
    ref = jnp.full((2,), 1.1, y.dtype)
    K = _kernel(X, X, gamma)
    members = jnp.zeros((n_nodes, k), bool).at[0].set(valid)
    split = jnp.zeros(n_nodes, bool)
    alpha = jnp.zeros((n_nodes, k), jnp.float32)
    for node in range(2**depth - 1):  # internal positions, parents before children
        m = members[node]
        good = good_labels(y, m)
        t = jnp.where(good, 1.0, -1.0) * m
        mm = m[:, None] & m[None, :]
        A = jnp.where(mm, K, 0.0) + jnp.diag(jnp.where(m, lam, 1.0))
        a = jnp.linalg.solve(A, t)
        pred = (K @ a) > 0
        left, right = m & pred, m & ~pred
        ok = (jnp.sum(m) >= min_split) & jnp.any(left) & jnp.any(right)
        split = split.at[node].set(ok)
        alpha = alpha.at[node].set(jnp.where(ok, a, 0.0))
        members = members.at[2 * node + 1].set(left & ok).at[2 * node + 2].set(right & ok)
    hv = jax.vmap(lambda m: hv2(yn, m, ref))(members)
    return TreeInfo(members, split, alpha, hv)


def select_path(tree: TreeInfo, depth: int, cp: float):
    """UCB walk from the root: ``(nodes int32[D+1] with -1 padding, signs float32[D], length)``."""
    cnt = jnp.sum(tree.members, 1).astype(jnp.float32)
    c = cp * tree.hv[0]
    node = jnp.int32(0)
    nodes = jnp.full(depth + 1, -1, jnp.int32).at[0].set(0)
    signs = jnp.zeros(depth, jnp.float32)
    length = jnp.int32(0)
    for lvl in range(depth):
        go = tree.split[node]
        lch, rch = 2 * node + 1, 2 * node + 2
        safe = jnp.minimum(jnp.stack([lch, rch]), tree.hv.shape[0] - 1)
        n_par = jnp.maximum(cnt[node], 1.0)
        ucb = tree.hv[safe] + c * jnp.sqrt(2.0 * jnp.log(n_par) / jnp.maximum(cnt[safe], 1.0))
        pick_left = ucb[0] >= ucb[1]
        child = jnp.where(pick_left, safe[0], safe[1])
        signs = signs.at[lvl].set(jnp.where(go, jnp.where(pick_left, 1.0, -1.0), 0.0))
        nodes = nodes.at[lvl + 1].set(jnp.where(go, child, -1))
        length = length + go.astype(jnp.int32)
        node = jnp.where(go, child, node)
    return nodes, signs, length


def lamoo_searcher(
    op_codes,
    *,
    n_objectives: int = 2,
    capacity: int = 256,
    n_init: int = 10,
    batch: int = 5,
    depth: int = 3,
    min_split: int = 10,
    cp: float = 0.1,
    gamma: float = 1.0 / 6.0,
    lam: float = 0.1,
    n_candidates: int = 256,
) -> Searcher:
    """A table-driven implementation of LaMOO + random sampling (see the module docstring).

    Args:
        op_codes: int[15625, 6] op codes of the table's configurations (official order).
        n_objectives: must be 2 (the node hypervolume is the exact 2-D one).
        capacity: observations kept (K); later observations are not used.
        n_init: random proposals before the first tree.
        batch: observations between tree rebuilds (the paper's ``sample_num``, 5).
        depth: maximum number of splits along a path.
        min_split: a node with fewer samples is a leaf.
        cp: ``Cp = cp · HV(root)`` (the paper's code uses 0.1 · the maximum HV).
        gamma: RBF kernel ``exp(-gamma · ||x - x'||²)`` on the one-hot encoding.
        lam: LS-SVM ridge.
        n_candidates: random candidates screened against the region per proposal.

    Raises:
        ValueError: bad op codes or sizes.
    """
    codes = check_codes(op_codes)
    if n_objectives != 2:
        raise ValueError(f"lamoo_searcher supports 2 objectives; got {n_objectives}")
    if not (1 <= n_init <= capacity and batch >= 1 and depth >= 1 and min_split >= 2):
        raise ValueError("need 1 <= n_init <= capacity, batch >= 1, depth >= 1, min_split >= 2")
    if n_candidates < 1:
        raise ValueError(f"n_candidates must be >= 1; got {n_candidates}")
    feats = jax.nn.one_hot(jnp.asarray(codes), N_OPS).reshape(N_ARCHS, N_EDGES * N_OPS)

    def init(key):
        return LaMOOState(
            pool=pool_init(key, N_ARCHS),
            hist=history_init(capacity, n_objectives),
            path_alpha=jnp.zeros((depth, capacity), jnp.float32),
            path_X=jnp.zeros((depth, capacity), jnp.int32),
            path_sign=jnp.zeros(depth, jnp.float32),
            path_len=jnp.int32(0),
            built_at=jnp.int32(-1),
        )

    def rebuild(s: LaMOOState) -> LaMOOState:
        h = s.hist
        valid = jnp.arange(capacity) < h.n
        cfg = jnp.maximum(h.config, 0)
        tree = build_tree(
            feats[cfg], h.y, valid, depth=depth, min_split=min_split, gamma=gamma, lam=lam
        )
        nodes, signs, length = select_path(tree, depth, cp)
        parents = jnp.maximum(nodes[:-1], 0)
        return s._replace(
            path_alpha=tree.alpha[parents] * (jnp.arange(depth) < length)[:, None],
            path_X=jnp.broadcast_to(cfg, (depth, capacity)),
            path_sign=signs,
            path_len=length,
            built_at=h.n,
        )

    def propose(key, s: LaMOOState):
        due = (s.hist.n >= n_init) & (s.hist.n >= s.built_at + batch)
        s = lax.cond(due, rebuild, lambda s: s, s)
        cand = jax.random.randint(key, (n_candidates,), 0, N_ARCHS)
        xc = feats[cand]
        # signed margins of every candidate under every classifier on the path
        f = jax.vmap(lambda a, xi: _kernel(xc, feats[xi], gamma) @ a)(s.path_alpha, s.path_X)
        on_path = jnp.arange(depth)[:, None] < s.path_len
        margin = jnp.where(on_path, f * s.path_sign[:, None], jnp.inf)
        inside = jnp.all(margin > 0, 0) & ~s.pool.proposed[cand]
        score = jnp.where(s.pool.proposed[cand], -jnp.inf, jnp.min(margin, 0))
        pick = jnp.where(jnp.any(inside), jnp.argmax(inside), jnp.argmax(score))
        want_ok = (s.hist.n >= n_init) & ~s.pool.proposed[cand[pick]]
        config, ok, pool = pool_take(s.pool, cand[pick], want_ok)
        return config, ok, s._replace(pool=pool)

    def observe(s: LaMOOState, config, fidelity, y):
        del fidelity
        return s._replace(hist=history_add(s.hist, config, y))

    return Searcher(init=init, propose=propose, observe=observe)
