"""pyjax.random's samplers that need linear algebra: orthogonal and multivariate_normal.

JAX factors with LAPACK (geqrf/orgqr, potrf, syevd, gesdd), and so does pyjax.lax.linalg
(the same LAPACK routines, through SciPy), so the factorisations are JAX's:

* `orthogonal` is the Q of the QR of JAX's normal draws with JAX's sign correction:
  JAX's bits.
* `multivariate_normal` is mean + factor @ z with JAX's factor (cholesky, eigh or svd)
  and JAX's normal draws z; the matrix-vector product is NumPy's, whose summation order
  can differ from XLA's, so samples agree with JAX's to rounding.
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.lax import lax
from pyjax._src.lax import linalg as lax_linalg
from pyjax._src.random import (
    _canonical_shape, _check_key, _check_shape, _dtype_arg, _normal_real, normal)


def _concrete_index(v, name):
    from pyjax._src import core
    if isinstance(v, core.Tracer):
        v = core.concrete_or_error(v, f"The error occurred in jax.random.{name}()")
    return int(v.__index__())


def orthogonal(key, n, shape=(), dtype=None, m=None, *, out_sharding=None):
    """Uniformly (Haar) distributed n x m matrices with orthonormal columns (or rows), as
    JAX samples them: the Q of a QR of normal draws, its columns' signs fixed by R's
    diagonal (Mezzadri 2007).  Complex dtypes sample the unitary group."""
    if out_sharding is not None:
        raise NotImplementedError("orthogonal: out_sharding (pyjax has no sharding)")
    _m = n if m is None else m
    shape = _canonical_shape(shape, "orthogonal")
    k, _ = _check_key("orthogonal", key)
    dt = _dtype_arg(dtype, float)
    n = _concrete_index(n, "orthogonal")
    _m = _concrete_index(_m, "orthogonal")
    z = normal(k, tuple(shape) + (max(n, _m), min(n, _m)), dt)
    q, r = lax_linalg.qr(z, full_matrices=False)
    import pyjax.numpy as jnp
    d = jnp.linalg.diagonal(r)
    x = lax.mul(q, lax.expand_dims(jnp.sign(d), (q.ndim - 2,)))
    if n < _m:
        nd = x.ndim
        return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))
    return x


# ---------------------------------------------------------------------------
# multivariate_normal


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky", *,
                        out_sharding=None):
    """Multivariate normal samples: mean + factor @ z with factor @ factor.T == cov (the
    Cholesky factor, or eigenvectors scaled by the square roots of the eigenvalues of
    eigh or svd, all from LAPACK as JAX's) and JAX's normal draws z."""
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
    import pyjax.numpy as jnp
    if method == "svd":
        u, s, _ = jnp.linalg.svd(cov)
        factor = lax.mul(u, lax.expand_dims(lax.sqrt(s), (s.ndim - 1,)))
    elif method == "eigh":
        w, v = jnp.linalg.eigh(cov)
        factor = lax.mul(v, lax.expand_dims(lax.sqrt(w), (w.ndim - 1,)))
    else:
        factor = jnp.linalg.cholesky(cov)
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
