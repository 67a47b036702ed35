"""Samplers the initializers need that pyjax.random does not offer (yet).

* `truncated_normal` follows jax.random.truncated_normal operation for operation and
  gives JAX's bits for float32 / bfloat16 / float16: its `erf` is XLA:CPU's float32
  rational approximation (below), the uniform draw and `erf_inv` are pyjax.random's
  bit-exact ones. For float64 the `erf` of the bounds is lax.erf (SciPy's), which can
  differ from XLA's in the last bit.
* `orthogonal` follows jax.random.orthogonal (normal draw, QR, sign correction) with a
  Householder QR written in lax operations (pyjax has no QR primitive): the results
  agree with JAX's LAPACK-based QR to rounding (not bit for bit).

Both are written with lax operations only, so they trace under jit and batch under
vmap; they are candidates to move into pyjax.random.
"""
import numpy as np

import pyjax.numpy as jnp
from pyjax._src import core, dtypes
from pyjax._src import random as _random
from pyjax._src.api import vmap
from pyjax._src.lax import lax
from pyjax._src.lax.control_flow import fori_loop
from pyjax._src.prng import fma_p

# XLA:CPU's float32 erf: Eigen's rational interpolant evaluated with fmas, and
# copysign(1, x) from |x| >= 3.832506856900711 on.
_ERF_ALPHA = [0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861,
              0.18520832239976145, 1.128379143519084]
_ERF_BETA = [-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885,
             0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1.0]
_ERF_CLAMP = 3.832506856900711


def _k(x, v):
    return lax.full(x.shape, np.array(v, x.dtype), x.dtype)


def _xla_erf_f32(x):
    x2 = lax.mul(x, x)
    p = _k(x, _ERF_ALPHA[0])
    for c in _ERF_ALPHA[1:]:
        p = fma_p.bind(x2, p, _k(x, c))
    p = lax.mul(x, p)
    q = _k(x, _ERF_BETA[0])
    for c in _ERF_BETA[1:]:
        q = fma_p.bind(x2, q, _k(x, c))
    one = lax.select(lax.lt(x, _k(x, 0.0)), _k(x, -1.0), _k(x, 1.0))
    one = lax.select(lax.ne(x, x), x, one)  # nan stays nan
    return lax.select(lax.ge(lax.abs(x), _k(x, _ERF_CLAMP)), one, lax.div(p, q))


def xla_erf(x):
    """erf(x) with XLA:CPU's float32 numerics (16-bit floats computed in float32)."""
    dt = np.dtype(x.dtype)
    if dt == np.float64:
        return lax.erf(x)
    if dt == np.float32:
        return _xla_erf_f32(x)
    return lax.convert_element_type(_xla_erf_f32(lax.convert_element_type(x, np.float32)), dt)


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normal samples truncated to the open interval (lower, upper), as
    jax.random.truncated_normal (same bits for the same key in float32)."""
    if shape is not None:
        shape = _random._canonical_shape(shape, "truncated_normal")
    _random._check_key("truncated_normal", key)
    dt = np.dtype(dtypes.canonicalize_dtype(float if dtype is None else dtype))
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"dtype argument to `truncated_normal` must be a float dtype, got {dt}")
    lshape = np.shape(lower) if not isinstance(lower, core.Array) else lower.shape
    ushape = np.shape(upper) if not isinstance(upper, core.Array) else upper.shape
    if shape is None:
        shape = tuple(np.broadcast_shapes(lshape, ushape))
    else:
        _random._check_shape("truncated_normal", shape, lshape, ushape)
    sqrt2 = lax.asarray(np.array(np.sqrt(2), dt))
    lower = lax.convert_element_type(lower, dt)
    upper = lax.convert_element_type(upper, dt)
    a = xla_erf(lax.div(lower, lax.broadcast_in_dim(sqrt2, lower.shape, ())))
    b = xla_erf(lax.div(upper, lax.broadcast_in_dim(sqrt2, upper.shape, ())))
    u = _random.uniform(key, shape, dt, minval=a, maxval=b)
    out = lax.mul(lax.broadcast_in_dim(sqrt2, shape, ()), _random.xla_erf_inv(u))
    lo = lax.nextafter(lax.stop_gradient(lower), _k(lower, np.inf))
    hi = lax.nextafter(lax.stop_gradient(upper), _k(upper, -np.inf))
    return jnp.clip(out, lo, hi)


# ---------------------------------------------------------------------------
# QR (Householder) and orthogonal


def _householder_qr(a):
    """Reduced QR of a (M, K) matrix with M >= K: (Q (M, K), diag(R) (K,)).

    LAPACK's reflector convention (geqrf): R's diagonal is -sign(alpha) * norm, and a
    column with nothing below the diagonal is left alone (tau = 0)."""
    M, K = a.shape
    dt = a.dtype
    rows = lax.broadcasted_iota(np.int32, (M,), 0)
    zero, one = lax.full((), 0, dt), lax.full((), 1, dt)
    diagonal = lax.eq(lax.broadcasted_iota(np.int32, (M, K), 0),
                      lax.broadcasted_iota(np.int32, (M, K), 1))

    def reflect(X, v, tau):
        """(I - tau v v^T) X."""
        w = lax.dot_general(v, X, (((0,), (0,)), ((), ())))            # v^T X, (K,)
        vw = lax.mul(lax.broadcast_in_dim(v, (M, K), (0,)), lax.broadcast_in_dim(w, (M, K), (1,)))
        return lax.sub(X, lax.mul(lax.broadcast_in_dim(tau, (M, K), ()), vw))

    def reduce(j, carry):
        R, V, taus = carry
        col = lax.dynamic_index_in_dim(R, j, axis=1, keepdims=False)
        alpha = lax.dynamic_index_in_dim(col, j, axis=0, keepdims=False)
        tail = lax.select(lax.gt(rows, lax.full_like(rows, j)), col, lax.full_like(col, 0))
        sigma = lax.reduce_sum(lax.mul(tail, tail), (0,))
        norm = lax.sqrt(lax.add(lax.mul(alpha, alpha), sigma))
        beta = lax.select(lax.ge(alpha, zero), lax.neg(norm), norm)
        trivial = lax.eq(sigma, zero)
        safe_beta = lax.select(trivial, one, beta)
        tau = lax.select(trivial, zero, lax.div(lax.sub(beta, alpha), safe_beta))
        denom = lax.select(trivial, one, lax.sub(alpha, beta))
        v = lax.select(lax.eq(rows, lax.full_like(rows, j)), lax.full_like(col, 1),
                       lax.div(tail, lax.broadcast_in_dim(denom, (M,), ())))
        R = reflect(R, v, tau)
        V = lax.dynamic_update_index_in_dim(V, v, j, 1)
        taus = lax.dynamic_update_index_in_dim(taus, tau, j, 0)
        return R, V, taus

    R, V, taus = fori_loop(0, K, reduce, (a, lax.full((M, K), 0, dt), lax.full((K,), 0, dt)))
    diag = lax.reduce_sum(lax.select(diagonal, R, lax.full((M, K), 0, dt)), (0,))

    def accumulate(i, Q):
        j = K - 1 - i
        v = lax.dynamic_index_in_dim(V, j, axis=1, keepdims=False)
        tau = lax.dynamic_index_in_dim(taus, j, axis=0, keepdims=False)
        return reflect(Q, v, tau)

    # Q = H_0 H_1 ... H_{K-1} applied to the first K columns of the identity
    Q = fori_loop(0, K, accumulate, lax.convert_element_type(diagonal, dt))
    return Q, diag


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """A (semi-)orthogonal matrix of shape (*shape, n, m) drawn uniformly (Haar measure),
    as jax.random.orthogonal: QR of a normal draw with R's diagonal made positive."""
    _m = n if m is None else m
    shape = _random._canonical_shape(shape, "orthogonal")
    _random._check_key("orthogonal", key)
    dt = np.dtype(dtypes.canonicalize_dtype(float if dtype is None else dtype))
    if not dtypes.issubdtype(dt, np.floating):
        raise NotImplementedError(f"orthogonal: only real float dtypes are supported in pyjax, "
                                  f"got {dt}")
    n = core.concrete_or_error(n, "The error occurred in orthogonal()") \
        if isinstance(n, core.Tracer) else int(n)
    _m = core.concrete_or_error(_m, "The error occurred in orthogonal()") \
        if isinstance(_m, core.Tracer) else int(_m)
    z = _random.normal(key, (*shape, max(n, _m), min(n, _m)), dt)
    # Householder in float32 at least (16-bit floats round every step).
    work = dt if dt.itemsize >= 4 else np.dtype(np.float32)
    z = lax.convert_element_type(z, work)
    qr = _householder_qr
    for _ in shape:
        qr = vmap(qr)
    q, d = qr(z)
    x = lax.mul(q, lax.broadcast_in_dim(lax.sign(d), q.shape,
                                        tuple(range(len(shape))) + (len(shape) + 1,)))
    x = lax.convert_element_type(x, dt)
    if n < _m:
        nd = len(shape) + 2
        x = lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))
    return x
