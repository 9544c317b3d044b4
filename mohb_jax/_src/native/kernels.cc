// Native CPU kernels: the exact hypervolume (minimization) for M = 2, 3, 4 and the 2-D
// non-dominated sort.
//
// Built at install time as an optional extension (setup.py); the library falls back to its JAX
// kernels when it is absent, on other backends (GPU), and elsewhere (M >= 5, M = 3 ranks).
// Two kinds of entry points share one implementation:
//   * XLA FFI handlers (MohbHvF32/F64, MohbRanks2F32/F64/S32/S64) called from jitted code on
//     the CPU backend;
//   * plain C functions (mohb_hv_f64, mohb_ranks2_f64) called by the eager host path.
//
// Hypervolume algorithms (textbook dimension sweeps; this code is ours):
//   M = 2: sort by x, running minimum of y, sum of rectangles. O(N log N).
//   M = 3: sort by z; a 2-D staircase of the points seen so far (sorted vector, or a balanced
//          tree for large inputs) whose covered area is kept up to date on each insertion; the
//          volume is the sum of area * (next z - z) (HV3D sweep, Beume et al., IEEE TEC 13(5),
//          2009). O(N log N) with the tree.
//   M = 4: a sweep over w: volume = sum_i C3(p_i) * (r_w - w_i), where C3 is the exclusive 3-D
//          volume of p_i against the earlier points, found by one walk in increasing z over
//          those no other earlier point weakly dominates in (x, y, z), inserting each, clipped
//          to p_i's box, into a 2-D staircase (the dimension-sweep idea of HV4D, Guerreiro,
//          Fonseca & Emmerich, CCCG 2012). O(N^2 log N) typical, O(N^3) worst case.
// The 2-D sort: by (f1, f2), then each point into the first front whose lowest point does
// not dominate it (a binary search over the fronts). O(N log N).
// Batches are split over threads (every core, or MOHB_JAX_NATIVE_THREADS); so is one large
// 4-D problem. All hypervolume arithmetic is in double, whatever the input dtype; dominance
// compares integer order keys.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

#if defined(_WIN32)
#define MOHB_EXPORT __declspec(dllexport)
#else
#define MOHB_EXPORT __attribute__((visibility("default")))
#endif

namespace {

struct P2 {
  double x, y;
};

struct ByX {
  bool operator()(const P2& a, const P2& b) const { return a.x < b.x; }
};

// The first point of x >= v, and the replacement of [it, j) by one point, in a sorted vector
// (one memmove) or a balanced tree (O(log N) whatever its size).
inline std::vector<P2>::iterator first_at_or_after(std::vector<P2>& c, double v) {
  return std::lower_bound(c.begin(), c.end(), P2{v, 0.0}, ByX());
}
inline std::set<P2, ByX>::iterator first_at_or_after(std::set<P2, ByX>& c, double v) {
  return c.lower_bound(P2{v, 0.0});
}
inline void replace_range(std::vector<P2>& c, std::vector<P2>::iterator it,
                          std::vector<P2>::iterator j, const P2& p) {
  if (j == it) {
    c.insert(it, p);
  } else {
    *it = p;
    c.erase(std::next(it), j);
  }
}
inline void replace_range(std::set<P2, ByX>& c, std::set<P2, ByX>::iterator it,
                          std::set<P2, ByX>::iterator j, const P2& p) {
  c.erase(it, j);
  c.insert(j, p);
}

// A 2-D staircase in the box (.., rx) x (.., ry): mutually non-dominated points sorted by x
// ascending (so y strictly descending). insert() returns the area the new point adds to the
// union of the boxes [x_i, rx] x [y_i, ry].
template <class C>
class Staircase {
 public:
  void reset(double rx, double ry) {
    rx_ = rx;
    ry_ = ry;
    pts_.clear();
  }
  double insert(double x, double y) {
    auto it = first_at_or_after(pts_, x);
    if (it != pts_.begin() && std::prev(it)->y <= y) return 0.0;  // dominated from the left
    if (it != pts_.end() && it->x == x && it->y <= y) return 0.0;   // same x, lower y
    double h = (it != pts_.begin()) ? std::prev(it)->y : ry_;
    double cur = x, added = 0.0;
    auto j = it;
    while (j != pts_.end() && j->y >= y) {  // points the new one dominates
      added += (j->x - cur) * (h - y);
      cur = j->x;
      h = j->y;
      ++j;
    }
    const double end = (j != pts_.end()) ? j->x : rx_;
    added += (end - cur) * (h - y);
    replace_range(pts_, it, j, P2{x, y});
    return added;
  }

 private:
  double rx_ = 0, ry_ = 0;
  C pts_;
};

using VecStair = Staircase<std::vector<P2>>;
using TreeStair = Staircase<std::set<P2, ByX>>;

// Scratch buffers of one thread.
using u128 = unsigned __int128;

struct KeyIdx {
  uint64_t key;
  int64_t idx;  // 16 bytes in all: the radix passes move these
};

struct Work {
  std::vector<double> pts;  // counted points, k x m
  std::vector<KeyIdx> keys, tmp;
  std::vector<uint64_t> key2;  // secondary keys, by idx
  VecStair vs;
  TreeStair ts;
};

// Unsigned 64-bit keys with the order of the values, compared as integers (exact also where
// the CPU flushes subnormal floats to zero in comparisons); -0.0 and 0.0 get one key. A 32-bit
// type's key sits in the high half, where the radix sort below looks.
inline uint64_t order_key(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  if (b == 0x8000000000000000ull) b = 0;  // -0.0 -> +0.0
  return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
}
inline uint64_t order_key(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  if (b == 0x80000000u) b = 0;
  b = (b & 0x80000000u) ? ~b : (b | 0x80000000u);
  return uint64_t(b) << 32;
}
inline uint64_t order_key(int32_t v) { return uint64_t(uint32_t(v) ^ 0x80000000u) << 32; }
inline uint64_t order_key(int64_t v) { return uint64_t(v) ^ 0x8000000000000000ull; }

// Sort (key, idx) by key, ties by key2[idx] when key2 is given: an LSD radix sort of the keys'
// high 32 bits, 8 bits per pass (a pass whose digit is the same for every key is skipped: for
// points in one box, most of a double's sign and exponent bits), then each run of equal high
// bits (near ties, and ties) sorted by the whole keys with std::sort: O(N log N) whatever the
// ties.
void radix_sort(std::vector<KeyIdx>& a, std::vector<KeyIdx>& tmp, const uint64_t* key2 = nullptr) {
  auto less = [key2](const KeyIdx& u, const KeyIdx& v) {
    return u.key < v.key || (key2 != nullptr && u.key == v.key && key2[u.idx] < key2[v.idx]);
  };
  const size_t n = a.size();
  if (n < 2) return;
  if (n <= 32) {
    std::sort(a.begin(), a.end(), less);
    return;
  }
  tmp.resize(n);
  for (int shift = 32; shift < 64; shift += 8) {
    size_t count[256] = {0};
    for (size_t i = 0; i < n; ++i) ++count[(a[i].key >> shift) & 0xff];
    if (count[(a[0].key >> shift) & 0xff] == n) continue;
    size_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      const size_t c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; ++i) tmp[count[(a[i].key >> shift) & 0xff]++] = a[i];
    a.swap(tmp);
  }
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    const uint64_t hi = a[i].key >> 32;
    while (j < n && (a[j].key >> 32) == hi) ++j;
    if (j - i == 2) {
      if (less(a[i + 1], a[i])) std::swap(a[i], a[i + 1]);
    } else if (j - i > 2) {
      std::sort(a.begin() + i, a.begin() + j, less);
    }
    i = j;
  }
}

double hv2(const double* pts, int64_t k, const double* r, Work& w) {
  w.keys.resize(k);
  for (int64_t i = 0; i < k; ++i) w.keys[i] = KeyIdx{order_key(pts[2 * i]), int64_t(i)};
  radix_sort(w.keys, w.tmp);
  // rectangles between consecutive staircase points (ties in x need no order: a point after
  // an equal x adds a rectangle of width 0)
  double hv = 0.0, xl = 0.0, yl = r[1];
  bool any = false;
  for (int64_t t = 0; t < k; ++t) {
    const double* p = pts + 2 * w.keys[t].idx;
    if (p[1] < yl) {
      if (any) hv += (p[0] - xl) * (r[1] - yl);
      xl = p[0];
      yl = p[1];
      any = true;
    }
  }
  if (any) hv += (r[0] - xl) * (r[1] - yl);
  return hv;
}

template <class Stair>
double hv3_sweep(const double* pts, const std::vector<KeyIdx>& order, int64_t k, const double* r,
                 Stair& st) {
  st.reset(r[0], r[1]);
  double vol = 0.0, area = 0.0;
  for (int64_t t = 0; t < k; ++t) {
    const double* p = pts + 3 * order[t].idx;
    area += st.insert(p[0], p[1]);
    const double zn = (t + 1 < k) ? pts[3 * order[t + 1].idx + 2] : r[2];
    vol += area * (zn - p[2]);
  }
  return vol;
}

double hv3(const double* pts, int64_t k, const double* r, Work& w) {
  w.keys.resize(k);
  for (int64_t i = 0; i < k; ++i) w.keys[i] = KeyIdx{order_key(pts[3 * i + 2]), int64_t(i)};
  radix_sort(w.keys, w.tmp);
  if (k > 2048) return hv3_sweep(pts, w.keys, k, r, w.ts);
  return hv3_sweep(pts, w.keys, k, r, w.vs);
}

// run(lo, hi) over [0, b) split in up to `threads` contiguous parts, the first on this thread.
template <class F>
void parallel_over(int64_t b, int threads, const F& run) {
  const int64_t nt = std::min<int64_t>(threads, b);
  if (nt <= 1) {
    run(0, b);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t step = (b + nt - 1) / nt;
  for (int64_t t = 1; t < nt; ++t) {
    const int64_t lo = t * step, hi = std::min(b, lo + step);
    if (lo < hi) pool.emplace_back(run, lo, hi);
  }
  run(0, std::min(b, step));
  for (auto& th : pool) th.join();
}

struct Z3 {
  double x, y, z;
};

// zs (sorted by z) with p inserted after its first `base` points (those of z <= p.z), without
// the points p weakly dominates; built in `next`, then swapped in.
void insert_z3(const Z3& p, std::vector<Z3>& zs, std::vector<Z3>& next, size_t base) {
  next.clear();
  for (size_t i = 0; i < base; ++i) {
    const Z3& s = zs[i];
    if (!(s.z == p.z && s.x >= p.x && s.y >= p.y)) next.push_back(s);
  }
  next.push_back(p);
  for (size_t i = base; i < zs.size(); ++i) {
    const Z3& s = zs[i];
    if (!(s.x >= p.x && s.y >= p.y)) next.push_back(s);
  }
  zs.swap(next);
}

// p's exclusive 3-D volume (x, y, z; box to r) against zs, the points before it in the
// sweep's order that no other of them weakly dominates in (x, y, z), sorted by z (of equal z,
// those before p count as below it). Then zs is updated to hold p as well: p is not added when
// one of zs weakly dominates it (its volume is then 0), and the points p weakly dominates are
// removed (a dominated point changes no later walk: its clipped box lies inside its
// dominator's, from a higher z). volume = false: the update only.
double c3_update(const Z3& p, std::vector<Z3>& zs, std::vector<Z3>& next, const double* r,
                 VecStair& st, bool volume) {
  const size_t k = zs.size();
  // a plain dominance scan of the points at or below p's z first (cheap, and the usual end
  // of a dominated point's walk); it also finds where the points above p start
  size_t base = 0;
  for (; base < k && zs[base].z <= p.z; ++base)
    if (zs[base].x <= p.x && zs[base].y <= p.y) return 0.0;
  if (!volume) {
    insert_z3(p, zs, next, base);
    return 0.0;
  }
  const double area = (r[0] - p.x) * (r[1] - p.y);
  st.reset(r[0], r[1]);
  double cov = 0.0, c3 = 0.0, zc = p.z;
  for (size_t i = 0; i < base; ++i)  // the staircase at p's base
    cov += st.insert(std::max(zs[i].x, p.x), std::max(zs[i].y, p.y));
  size_t j = base;
  bool full = false;
  for (; j < k; ++j) {
    const Z3& s = zs[j];
    c3 += (area - cov) * (s.z - zc);
    zc = s.z;
    const double qx = std::max(s.x, p.x), qy = std::max(s.y, p.y);
    if (qx == p.x && qy == p.y) {  // covers the rest of p's box
      full = true;
      break;
    }
    cov += st.insert(qx, qy);
  }
  if (!full) c3 += (area - cov) * (r[2] - zc);
  insert_z3(p, zs, next, base);
  return c3;
}

double hv4(double* pts, int64_t k, const double* r, Work& w, int threads) {
  // the sweep's order: increasing w
  w.keys.resize(k);
  for (int64_t i = 0; i < k; ++i) w.keys[i] = KeyIdx{order_key(pts[4 * i + 3]), int64_t(i)};
  radix_sort(w.keys, w.tmp);
  std::vector<Z3> byw(k);
  std::vector<double> ws(k);
  for (int64_t t = 0; t < k; ++t) {
    const double* p = pts + 4 * w.keys[t].idx;
    byw[t] = Z3{p[0], p[1], p[2]};
    ws[t] = p[3];
  }
  // Each point's walk needs only the points before it. Thread t computes the volumes of the
  // points of ranks [lo_t, hi_t); it first sweeps the points before lo_t without volumes
  // (zs updates only). A walk's length grows with the rank: cut points k * sqrt(t / nt).
  const int nt = (k >= 256 && threads > 1) ? threads : 1;
  std::vector<double> part(nt, 0.0);
  auto run = [&](int t) {
    const int64_t lo = int64_t(double(k) * std::sqrt(double(t) / nt));
    const int64_t hi = t + 1 == nt ? k : int64_t(double(k) * std::sqrt(double(t + 1) / nt));
    std::vector<Z3> zs, next;
    zs.reserve(hi);
    next.reserve(hi);
    VecStair st;
    double v = 0.0;
    for (int64_t i = 0; i < hi; ++i) {
      const double c = c3_update(byw[i], zs, next, r, st, i >= lo);
      if (i >= lo) v += c * (r[3] - ws[i]);
    }
    part[t] = v;
  };
  parallel_over(nt, nt, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) run(int(t));
  });
  double vol = 0.0;
  for (double v : part) vol += v;
  return vol;
}

// One problem: gather the counted rows (mask true, every coordinate < ref) and dispatch on m.
template <class T>
double hv_problem(const T* y, const bool* mask, const double* r, int64_t n, int64_t m, Work& w,
                  int threads) {
  w.pts.resize(n * m);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (mask != nullptr && !mask[i]) continue;
    const T* p = y + i * m;
    bool in = true;
    for (int64_t j = 0; j < m; ++j) in &= double(p[j]) < r[j];
    if (!in) continue;
    for (int64_t j = 0; j < m; ++j) w.pts[k * m + j] = double(p[j]);
    ++k;
  }
  if (k == 0) return 0.0;
  switch (m) {
    case 2:
      return hv2(w.pts.data(), k, r, w);
    case 3:
      return hv3(w.pts.data(), k, r, w);
    default:
      return hv4(w.pts.data(), k, r, w, threads);
  }
}

// b problems of n x m points, split over threads when the work is large enough.
template <class T, class R>
void hv_batch(const T* y, const bool* mask, const R* ref, int64_t b, int64_t n, int64_t m,
              double* out, int threads) {
  // one problem: its own work may be split (4-D); several: the problems are
  const int inner = b == 1 ? threads : 1;
  auto run = [=](int64_t lo, int64_t hi) {
    Work w;
    double r[4];
    for (int64_t i = lo; i < hi; ++i) {
      for (int64_t j = 0; j < m; ++j) r[j] = double(ref[i * m + j]);
      out[i] = hv_problem(y + i * n * m, mask ? mask + i * n : nullptr, r, n, m, w, inner);
    }
  };
  parallel_over(b, b * n >= 4096 ? threads : 1, run);
}

// ---------------------------------------------------------------------------------------------
// non-dominated ranks, M = 2
// ---------------------------------------------------------------------------------------------

// Front index of every row of one problem (n x 2, any key type T), -1 for masked rows.
// Sorted by (x, y), a point is dominated only by points before it; front f dominates it iff
// the lowest y of f is below its y, or equal at a smaller x. That holds for the first fronts
// and not from some front on (the fronts' lowest y increase), so a binary search finds the
// point's front: O(N log N). Duplicates share a front.
template <class T>
void ranks2(const T* y, const bool* mask, int64_t n, int32_t* out, Work& w,
            std::vector<u128>& low) {
  w.keys.resize(n);
  w.key2.resize(n);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (mask != nullptr && !mask[i]) {
      out[i] = -1;
      continue;
    }
    w.keys[k++] = KeyIdx{order_key(y[2 * i]), i};
    w.key2[i] = order_key(y[2 * i + 1]);
  }
  w.keys.resize(k);
  radix_sort(w.keys, w.tmp, w.key2.data());
  // per front, its lowest point as one 128-bit number (y key, x key): "front f dominates
  // (x, v)" is low[f] < (v, x), one branch-free comparison
  low.resize(w.keys.size());
  int64_t fronts = 0;
  for (const KeyIdx& p : w.keys) {
    const u128 q = (u128(w.key2[p.idx]) << 64) | p.key;
    // binary search for the first front that does not dominate the point (the trip count
    // depends on the number of fronts only)
    int64_t lo = 0;
    if (fronts > 0) {
      int64_t len = fronts;
      while (len > 1) {
        const int64_t half = len / 2;
        lo = low[lo + half - 1] < q ? lo + half : lo;
        len -= half;
      }
      lo += low[lo] < q ? 1 : 0;
    }
    if (lo == fronts) {
      low[fronts++] = q;
    } else if ((q >> 64) < (low[lo] >> 64)) {
      low[lo] = q;
    }
    out[p.idx] = int32_t(lo);
  }
}

template <class T>
void ranks2_batch(const T* y, const bool* mask, int64_t b, int64_t n, int32_t* out, int threads) {
  auto run = [=](int64_t lo, int64_t hi) {
    Work w;
    std::vector<u128> low;
    for (int64_t i = lo; i < hi; ++i)
      ranks2<T>(y + i * n * 2, mask ? mask + i * n : nullptr, n, out + i * n, w, low);
  };
  parallel_over(b, b * n >= 4096 ? threads : 1, run);
}

// Threads per call: MOHB_JAX_NATIVE_THREADS if set (e.g. 1 where many processes share the
// cores), else every core.
int default_threads() {
  if (const char* e = std::getenv("MOHB_JAX_NATIVE_THREADS")) {
    const int v = std::atoi(e);
    if (v > 0) return v;
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : int(hc);
}

// The number of problems of a [..., N, M] buffer: the product of its leading dims.
int64_t leading_size(ffi::AnyBuffer::Dimensions dims) {
  int64_t b = 1;
  for (size_t i = 0; i + 2 < dims.size(); ++i) b *= dims[i];
  return b;
}

template <ffi::DataType DT>
ffi::Error HvImpl(ffi::Buffer<DT> y, ffi::Buffer<DT> ref, ffi::Buffer<ffi::PRED> mask,
                  ffi::ResultBuffer<DT> out) {
  const auto dims = y.dimensions();
  if (dims.size() < 2) return ffi::Error::InvalidArgument("hypervolume: y must be [..., N, M]");
  const int64_t m = dims.back(), n = dims[dims.size() - 2];
  if (m < 2 || m > 4) return ffi::Error::InvalidArgument("hypervolume: native M must be 2, 3 or 4");
  const int64_t b = leading_size(dims);
  if (int64_t(ref.element_count()) != b * m || int64_t(mask.element_count()) != b * n)
    return ffi::Error::InvalidArgument("hypervolume: ref / mask do not match y's batch");
  using T = ffi::NativeType<DT>;
  std::vector<double> o(b);
  hv_batch<T, T>(y.typed_data(), mask.typed_data(), ref.typed_data(), b, n, m, o.data(),
                 default_threads());
  T* dst = out->typed_data();
  for (int64_t i = 0; i < b; ++i) dst[i] = T(o[i]);
  return ffi::Error::Success();
}

template <ffi::DataType DT>
ffi::Error Ranks2Impl(ffi::Buffer<DT> y, ffi::Buffer<ffi::PRED> mask,
                      ffi::ResultBuffer<ffi::S32> out) {
  const auto dims = y.dimensions();
  if (dims.size() < 2 || dims.back() != 2)
    return ffi::Error::InvalidArgument("nondominated_ranks: native y must be [..., N, 2]");
  const int64_t n = dims[dims.size() - 2];
  const int64_t b = leading_size(dims);
  if (int64_t(mask.element_count()) != b * n)
    return ffi::Error::InvalidArgument("nondominated_ranks: mask does not match y");
  ranks2_batch<ffi::NativeType<DT>>(y.typed_data(), mask.typed_data(), b, n, out->typed_data(),
                                    default_threads());
  return ffi::Error::Success();
}

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(MohbHvF32, HvImpl<ffi::F32>,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::PRED>>()
                                  .Ret<ffi::Buffer<ffi::F32>>());

XLA_FFI_DEFINE_HANDLER_SYMBOL(MohbHvF64, HvImpl<ffi::F64>,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::PRED>>()
                                  .Ret<ffi::Buffer<ffi::F64>>());

#define MOHB_RANKS2(NAME, DT)                                                        \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(NAME, Ranks2Impl<DT>,                                 \
                                ffi::Ffi::Bind()                                      \
                                    .Arg<ffi::Buffer<DT>>()                           \
                                    .Arg<ffi::Buffer<ffi::PRED>>()                    \
                                    .Ret<ffi::Buffer<ffi::S32>>());
MOHB_RANKS2(MohbRanks2F32, ffi::F32)
MOHB_RANKS2(MohbRanks2F64, ffi::F64)
MOHB_RANKS2(MohbRanks2S32, ffi::S32)
MOHB_RANKS2(MohbRanks2S64, ffi::S64)

extern "C" {

// The eager host path: y (b, n, m) float64 C-contiguous, mask (b, n) bytes or NULL, ref (b, m)
// float64, out (b,). threads <= 0: every core. Returns 0, or 1 for an unsupported m.
MOHB_EXPORT int mohb_hv_f64(const double* y, const uint8_t* mask, const double* ref, int64_t b,
                            int64_t n, int64_t m, double* out, int threads) {
  if (m < 2 || m > 4) return 1;
  hv_batch<double, double>(y, reinterpret_cast<const bool*>(mask), ref, b, n, m, out,
                           threads > 0 ? threads : default_threads());
  return 0;
}

// Non-dominated ranks of y (b, n, 2) float64 C-contiguous, mask (b, n) bytes or NULL, into
// out (b, n) int32 (-1 for masked rows). threads <= 0: every core. Returns 0.
MOHB_EXPORT int mohb_ranks2_f64(const double* y, const uint8_t* mask, int64_t b, int64_t n,
                                int32_t* out, int threads) {
  ranks2_batch<double>(y, reinterpret_cast<const bool*>(mask), b, n, out,
                       threads > 0 ? threads : default_threads());
  return 0;
}

}  // extern "C"
