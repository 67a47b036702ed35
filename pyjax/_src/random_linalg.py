"""pyjax.random's samplers that need linear algebra: orthogonal and multivariate_normal.

JAX computes these with LAPACK (geqrf/orgqr, potrf, syevd, gesdd through XLA custom
calls), whose blocked, vectorised kernels fix the rounding of every entry.  pyjax has
no LAPACK primitives, so the factorisations here are written in lax operations:

* QR by Householder reflections (LAPACK's dlarfg convention), for `orthogonal`.  The
  orthogonal matrix JAX returns is unique (its R has a positive diagonal after JAX's
  sign correction), so pyjax's agrees with it to rounding (not bit for bit).
* Cholesky (column by column), for multivariate_normal(method='cholesky').  The factor
  is unique, so samples agree with JAX's to rounding.
* A symmetric eigendecomposition by parallel-ordered Jacobi rotations, for
  method='eigh' and method='svd'.  Eigenvectors are unique only up to sign (and order
  among equal eigenvalues), and LAPACK's choice of signs is an accident of its
  algorithm, so these samples follow the same distribution as JAX's (factor @ factor.T ==
  cov, and the same normal draws) but are not JAX's numbers.

The normal draws themselves are JAX's bits.
"""
import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.lax import lax
from pyjax._src.lax import control_flow as cf
from pyjax._src.lax.sorting import sort_p
from pyjax._src.random import _canonical_shape, _check_key, _check_shape, _dtype_arg, _normal_real


def _c(x, v):
    return lax.full_like(x, np.array(v, np.dtype(x.dtype)))


def _matmul(a, b):
    """a @ b for (..., m, k) @ (..., k, n) with equal batch dims."""
    nb = a.ndim - 2
    batch = tuple(range(nb))
    return lax.dot_general(a, b, (((a.ndim - 1,), (nb,)), (batch, batch)))


def _mT(a):
    nd = a.ndim
    return lax.transpose(a, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _vmap_batch(fn, x, core_ndim):
    """Apply `fn` (written for one matrix) over the leading batch dims of `x`."""
    from pyjax._src.api import vmap
    for _ in range(x.ndim - core_ndim):
        fn = vmap(fn)
    return fn(x)


# ---------------------------------------------------------------------------
# QR by Householder reflections


def _householder_qr_one(a):
    """(Q (m, n), diag(R) (n,)) of one m x n matrix, m >= n (reduced QR)."""
    m, n = a.shape
    dt = np.dtype(a.dtype)
    rows = lax.iota(np.int32, m)
    cols = lax.iota(np.int32, n)

    def body(j, state):
        a, vs, taus = state
        j = lax.convert_element_type(j, np.int32)
        col = lax.reduce_sum(lax.select(lax.broadcast_in_dim(lax.eq(cols, j), (m, n), (1,)), a,
                                        lax.full_like(a, 0)), (1,))
        at_j = lax.eq(rows, j)
        below = lax.gt(rows, j)
        zero = lax.full_like(col, 0)
        alpha = lax.reduce_sum(lax.select(at_j, col, zero), (0,))
        tail = lax.select(below, col, zero)
        xnorm = lax.sqrt(lax.reduce_sum(lax.mul(tail, tail), (0,)))
        norm = lax.sqrt(lax.add(lax.mul(alpha, alpha), lax.mul(xnorm, xnorm)))
        beta = lax.select(lax.ge(alpha, _c(alpha, 0)), lax.neg(norm), norm)
        trivial = lax.eq(xnorm, _c(xnorm, 0))
        safe_beta = lax.select(trivial, _c(beta, 1), beta)
        tau = lax.select(trivial, _c(beta, 0), lax.div(lax.sub(beta, alpha), safe_beta))
        denom = lax.select(trivial, _c(beta, 1), lax.sub(alpha, beta))
        v = lax.select(at_j, lax.full_like(col, 1),
                       lax.div(tail, lax.broadcast_in_dim(denom, (m,), ())))
        # a <- (I - tau v v^T) a
        w = lax.dot_general(v, a, (((0,), (0,)), ((), ())))
        upd = lax.mul(lax.broadcast_in_dim(lax.mul(tau, _c(tau, 1)), (m, n), ()),
                      lax.mul(lax.broadcast_in_dim(v, (m, n), (0,)),
                              lax.broadcast_in_dim(w, (m, n), (1,))))
        a = lax.sub(a, upd)
        vs = lax.dynamic_update_slice(vs, lax.reshape(v, (1, m)), (j, 0))
        taus = lax.dynamic_update_slice(taus, lax.reshape(tau, (1,)), (j,))
        return a, vs, taus

    init = (a, lax.full((n, m), 0, dt), lax.full((n,), 0, dt))
    r, vs, taus = cf.fori_loop(0, n, body, init)
    diag = lax.reduce_sum(lax.select(lax.eq(lax.broadcasted_iota(np.int32, (m, n), 0),
                                            lax.broadcasted_iota(np.int32, (m, n), 1)),
                                     r, lax.full_like(r, 0)), (0,))
    q0 = lax.convert_element_type(lax.eq(lax.broadcasted_iota(np.int32, (m, n), 0),
                                         lax.broadcasted_iota(np.int32, (m, n), 1)), dt)

    def back(i, q):
        j = lax.sub(lax.full((), n - 1, np.int32), lax.convert_element_type(i, np.int32))
        v = lax.reshape(lax.dynamic_slice(vs, (j, 0), (1, m)), (m,))
        tau = lax.reshape(lax.dynamic_slice(taus, (j,), (1,)), ())
        w = lax.dot_general(v, q, (((0,), (0,)), ((), ())))
        upd = lax.mul(lax.broadcast_in_dim(tau, (m, n), ()),
                      lax.mul(lax.broadcast_in_dim(v, (m, n), (0,)),
                              lax.broadcast_in_dim(w, (m, n), (1,))))
        return lax.sub(q, upd)

    q = cf.fori_loop(0, n, back, q0)
    return q, diag


def orthogonal(key, n, shape=(), dtype=None, m=None, *, out_sharding=None):
    """Uniformly (Haar) distributed n x m matrices with orthonormal columns (or rows).

    Not bit-exact: JAX takes the Q of LAPACK's QR of a normal sample; pyjax's
    Householder QR of the same (bit-exact) sample agrees with it to rounding."""
    if out_sharding is not None:
        raise NotImplementedError("orthogonal: out_sharding (pyjax has no sharding)")
    _m = n if m is None else m
    shape = _canonical_shape(shape, "orthogonal")
    k, _ = _check_key("orthogonal", key)
    dt = _dtype_arg(dtype, float)
    n = int(core.concrete_or_error(n, "The error occurred in jax.random.orthogonal()")
            if isinstance(n, core.Tracer) else n.__index__())
    _m = int(core.concrete_or_error(_m, "The error occurred in jax.random.orthogonal()")
             if isinstance(_m, core.Tracer) else _m.__index__())
    if dtypes.issubdtype(dt, np.complexfloating):
        raise NotImplementedError("orthogonal with a complex dtype")
    rows, cols = max(n, _m), min(n, _m)
    z = _normal_real(k, tuple(shape) + (rows, cols), dt)
    if rows == 0 or cols == 0:
        x = z
    else:
        q, d = _vmap_batch(_householder_qr_one, z, 2)
        x = lax.mul(q, lax.expand_dims(lax.sign(d), (q.ndim - 2,)))
    if n < _m:
        return _mT(x)
    return x


# ---------------------------------------------------------------------------
# Cholesky


def _cholesky_one(a):
    n = a.shape[0]
    a = lax.mul(lax.add(a, lax.transpose(a, (1, 0))), _c(a, 0.5))   # symmetrize, as JAX does
    rows = lax.iota(np.int32, n)

    def body(j, state):
        low, ok = state
        j = lax.convert_element_type(j, np.int32)
        row_j = lax.reshape(lax.dynamic_slice(low, (j, 0), (1, n)), (n,))
        col_a = lax.reshape(lax.dynamic_slice(a, (0, j), (n, 1)), (n,))
        s = lax.sub(col_a, lax.dot_general(low, row_j, (((1,), (0,)), ((), ()))))
        sjj = lax.reduce_sum(lax.select(lax.eq(rows, j), s, lax.full_like(s, 0)), (0,))
        ok = lax.bitwise_and(ok, lax.gt(sjj, _c(sjj, 0)))
        d = lax.sqrt(sjj)
        col = lax.select(lax.gt(rows, j), lax.div(s, lax.broadcast_in_dim(d, (n,), ())),
                         lax.select(lax.eq(rows, j), lax.broadcast_in_dim(d, (n,), ()),
                                    lax.full_like(s, 0)))
        low = lax.dynamic_update_slice(low, lax.reshape(col, (n, 1)), (0, j))
        return low, ok

    low, ok = cf.fori_loop(0, n, body, (lax.full_like(a, 0), lax.full((), True, np.bool_)))
    return lax.select(lax.broadcast_in_dim(ok, (n, n), ()), low, lax.full_like(low, np.nan))


def cholesky(a):
    """Lower Cholesky factor of symmetric positive-definite matrices (NaN if not PD)."""
    return _vmap_batch(_cholesky_one, a, 2)


# ---------------------------------------------------------------------------
# Symmetric eigendecomposition by Jacobi rotations in parallel (Brent-Luk) order


def _round_robin(n):
    """Pairs (p, q) for each of the n - 1 steps of a round-robin sweep (n even)."""
    players = list(range(n))
    steps = []
    for _ in range(n - 1):
        half = n // 2
        pairs = [(players[i], players[n - 1 - i]) for i in range(half)]
        steps.append([(min(p, q), max(p, q)) for p, q in pairs])
        players = [players[0]] + [players[-1]] + players[1:-1]
    return np.array(steps, np.int32)   # (n - 1, n / 2, 2)


def _eigh_one(a):
    """(eigenvalues ascending, eigenvectors as columns) of one symmetric matrix."""
    n0 = a.shape[0]
    dt = np.dtype(a.dtype)
    a = lax.mul(lax.add(a, lax.transpose(a, (1, 0))), _c(a, 0.5))
    n = n0 + (n0 % 2)
    if n != n0:
        a = lax.pad(a, np.array(0, dt), ((0, 1, 0), (0, 1, 0)))
    if n0 <= 1:
        w = lax.reshape(lax.slice(a, (0, 0), (n0, n0)), (n0,))
        return w, lax.full((n0, n0), 1, dt)
    steps = _round_robin(n)
    nsteps, half = steps.shape[0], steps.shape[1]
    P = lax.asarray(steps[:, :, 0])
    Q = lax.asarray(steps[:, :, 1])
    eye = lax.convert_element_type(lax.eq(lax.broadcasted_iota(np.int32, (n, n), 0),
                                          lax.broadcasted_iota(np.int32, (n, n), 1)), dt)
    eps = float(dtypes.finfo(dt).eps)

    def one_hot(idx):  # (half,) -> (half, n)
        return lax.convert_element_type(
            lax.eq(lax.broadcast_in_dim(idx, (half, n), (0,)),
                   lax.broadcasted_iota(np.int32, (half, n), 1)), dt)

    def rotate(s, state):
        a, v = state
        s = lax.convert_element_type(s, np.int32)
        p = lax.reshape(lax.dynamic_slice(P, (s, 0), (1, half)), (half,))
        q = lax.reshape(lax.dynamic_slice(Q, (s, 0), (1, half)), (half,))
        ep, eq = one_hot(p), one_hot(q)
        ap = lax.dot_general(ep, a, (((1,), (0,)), ((), ())))           # rows p
        aq = lax.dot_general(eq, a, (((1,), (0,)), ((), ())))
        app = lax.reduce_sum(lax.mul(ap, ep), (1,))
        aqq = lax.reduce_sum(lax.mul(aq, eq), (1,))
        apq = lax.reduce_sum(lax.mul(ap, eq), (1,))
        nz = lax.ne(apq, _c(apq, 0))
        safe = lax.select(nz, apq, _c(apq, 1))
        theta = lax.div(lax.sub(aqq, app), lax.mul(_c(apq, 2), safe))
        sgn = lax.select(lax.ge(theta, _c(theta, 0)), _c(theta, 1), _c(theta, -1))
        tt = lax.div(sgn, lax.add(lax.abs(theta), lax.sqrt(lax.add(lax.mul(theta, theta),
                                                                      _c(theta, 1)))))
        tt = lax.select(nz, tt, _c(tt, 0))
        c = lax.rsqrt(lax.add(lax.mul(tt, tt), _c(tt, 1)))
        sn = lax.mul(tt, c)
        # J = I + (c - 1)(e_p e_p^T + e_q e_q^T) + s (e_p e_q^T - e_q e_p^T)
        cm1 = lax.sub(c, _c(c, 1))

        def outer(x, y, w):
            return lax.dot_general(lax.mul(x, lax.broadcast_in_dim(w, (half, n), (0,))), y,
                                   (((0,), (0,)), ((), ())))

        j = lax.add(eye, lax.add(lax.add(outer(ep, ep, cm1), outer(eq, eq, cm1)),
                                 lax.sub(outer(ep, eq, sn), outer(eq, ep, sn))))
        jt = lax.transpose(j, (1, 0))
        a = lax.dot_general(lax.dot_general(jt, a, (((1,), (0,)), ((), ()))), j,
                            (((1,), (0,)), ((), ())))
        v = lax.dot_general(v, j, (((1,), (0,)), ((), ())))
        return a, v

    def off(a):
        offd = lax.mul(a, lax.sub(_c(a, 1), eye))
        return lax.reduce_sum(lax.mul(offd, offd), (0, 1))

    def cond(state):
        a, _, it = state
        total = lax.reduce_sum(lax.mul(a, a), (0, 1))
        return lax.bitwise_and(lax.lt(it, lax.full((), 40, np.int32)),
                               lax.gt(off(a), lax.mul(total, _c(total, eps * eps * 0.01))))

    def sweep(state):
        a, v, it = state
        a, v = cf.fori_loop(0, nsteps, rotate, (a, v))
        return a, v, lax.add(it, lax.full((), 1, np.int32))

    a, v, _ = cf.while_loop(cond, sweep, (a, eye, lax.full((), 0, np.int32)))
    w = lax.reduce_sum(lax.mul(a, eye), (0,))
    if n != n0:
        # the padding row/column never couples: drop it (its eigenvalue is the 0 at index n0)
        w = lax.slice(w, (0,), (n0,))
        v = lax.slice(v, (0, 0), (n0, n0))
    return _sort_eig(w, v, ascending=True)


def _sort_eig(w, v, ascending):
    n = w.shape[0]
    key = w if ascending else lax.neg(w)
    _, order = sort_p.bind(key, lax.iota(np.int32, n), dimension=0, is_stable=True, num_keys=1)
    perm = lax.convert_element_type(lax.eq(lax.broadcast_in_dim(order, (n, n), (1,)),
                                           lax.broadcasted_iota(np.int32, (n, n), 0)), w.dtype)
    # perm[i, k] = 1 where order[k] == i: column k of v @ perm is column order[k] of v
    w_sorted = lax.dot_general(w, perm, (((0,), (0,)), ((), ())))
    return w_sorted, lax.dot_general(v, perm, (((1,), (0,)), ((), ())))


def _svd_sym_one(a):
    """(singular values descending, left singular vectors) of one symmetric matrix."""
    w, v = _eigh_one(a)
    return _sort_eig(lax.abs(w), v, ascending=False)


def eigh(a):
    """(eigenvalues ascending, eigenvectors) of symmetric matrices (Jacobi; signs arbitrary)."""
    return _vmap_batch(_eigh_one, a, 2)


# ---------------------------------------------------------------------------
# multivariate_normal


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky", *,
                        out_sharding=None):
    """Multivariate normal samples: mean + factor @ z, factor @ factor.T == cov.

    The normal draws z are JAX's bits.  method='cholesky' agrees with JAX to rounding
    (the Cholesky factor is unique); 'eigh' and 'svd' sample the same distribution but
    their eigenvector signs are not LAPACK's, so their numbers differ from JAX's."""
    if out_sharding is not None:
        raise NotImplementedError("multivariate_normal: out_sharding (pyjax has no sharding)")
    k, _ = _check_key("multivariate_normal", key)
    from pyjax._src.random_distributions import _promote_inexact
    mean, cov = _promote_inexact(mean, cov)
    if method not in {"svd", "eigh", "cholesky"}:
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    if dtype is None:
        dt = np.dtype(mean.dtype)
    else:
        dt = _dtype_arg(dtype, float)
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"dtype argument to `multivariate_normal` must be a float dtype, got {dt}")
    if shape is not None:
        shape = _canonical_shape(shape, "multivariate_normal")
    if not mean.ndim >= 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}")
    if not cov.ndim >= 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}")
    n = mean.shape[-1]
    if tuple(cov.shape[-2:]) != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, "
                         f"but got cov.shape == {tuple(cov.shape)}.")
    if shape is None:
        shape = tuple(np.broadcast_shapes(tuple(mean.shape[:-1]), tuple(cov.shape[:-2])))
    else:
        _check_shape("normal", shape, tuple(mean.shape[:-1]), tuple(cov.shape[:-2]))
    if method == "cholesky":
        factor = cholesky(cov)
    else:
        w, v = eigh(cov) if method == "eigh" else _vmap_batch(_svd_sym_one, cov, 2)
        factor = lax.mul(v, lax.expand_dims(lax.sqrt(w), (w.ndim - 1,)))
    z = _normal_real(k, tuple(shape) + (n,), dt)
    out_shape = tuple(np.broadcast_shapes(tuple(shape), tuple(factor.shape[:-2]))) + (n,)
    f_b = _bcast(factor, out_shape[:-1] + (n, n))
    z_b = _bcast(z, out_shape)
    f_b, z_b = _promote_pair(f_b, z_b)
    prod = lax.mul(f_b, lax.expand_dims(z_b, (z_b.ndim - 1,)))
    res = lax.reduce_sum(prod, (prod.ndim - 1,))
    mean_b, res = _promote_pair(_bcast(mean, out_shape), res)
    return lax.add(mean_b, res)


def _promote_pair(a, b):
    dt = dtypes.result_type(a, b)
    return lax.convert_element_type(a, dt), lax.convert_element_type(b, dt)


def _bcast(x, shape):
    from pyjax._src.random import _broadcast_to
    return _broadcast_to(x, shape)
