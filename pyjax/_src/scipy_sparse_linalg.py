"""pyjax.scipy.sparse.linalg: matrix-free Krylov solvers (cg, gmres, bicgstab).

The operator A is a function (or a square matrix); b may be any pytree of arrays.  Each
solver runs as a lax.while_loop and is wrapped in lax.custom_linear_solve, so derivatives
come from another solve of the (transposed) system, not from differentiating the
iterations -- as in JAX.  `cg` assumes a symmetric (Hermitian) positive-definite
operator; real operators are then their own transpose.
"""
import operator
from functools import partial

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import Array, get_aval
from pyjax._src.lax import lax
from pyjax._src.lax.solvers import custom_linear_solve
from pyjax._src.tree_util import tree_leaves, tree_map, tree_structure


def _jnp():
    import pyjax.numpy as jnp
    return jnp


def _is_complex(x):
    return dtypes.issubdtype(get_aval(x).dtype, np.complexfloating)


def _vdot_real_part(x, y):
    """Re(x^H y) without the cross terms: real for the z^H M z products cg uses."""
    jnp = _jnp()
    res = jnp.sum(jnp.real(x) * jnp.real(y))
    if _is_complex(x) or _is_complex(y):
        res = res + jnp.sum(jnp.imag(x) * jnp.imag(y))
    return res


def _vdot_real_tree(x, y):
    return sum(tree_leaves(tree_map(_vdot_real_part, x, y)))


def _vdot_tree(x, y):
    jnp = _jnp()
    return sum(tree_leaves(tree_map(lambda a, b: jnp.sum(jnp.conj(a) * b), x, y)))


def _norm(x):
    xs = tree_leaves(x)
    return _jnp().sqrt(sum(map(_vdot_real_part, xs, xs)))


def _mul(scalar, tree):
    return tree_map(partial(operator.mul, scalar), tree)


_add = partial(tree_map, operator.add)
_sub = partial(tree_map, operator.sub)


def _identity(x):
    return x


def _normalize_matvec(f):
    """A function computing matrix-vector products from a function, matrix or matmul-able."""
    if callable(f):
        return f
    if isinstance(f, (np.ndarray, Array)):
        if f.ndim != 2 or f.shape[0] != f.shape[1]:
            raise ValueError(f"linear operator must be a square matrix, but has shape: {f.shape}")
        return partial(_jnp().dot, f)
    if hasattr(f, "__matmul__"):
        if hasattr(f, "shape") and (len(f.shape) != 2 or f.shape[0] != f.shape[1]):
            raise ValueError(f"linear operator must be a square matrix, but has shape: {f.shape}")
        return partial(operator.matmul, f)
    raise TypeError(f"linear operator must be either a function or ndarray: {f}")


def _result_dtype(tree):
    return dtypes.result_type(*tree_leaves(tree))


def _cg_solve(A, b, x0=None, *, maxiter, tol=1e-5, atol=0.0, M=_identity):
    jnp = _jnp()
    bs = _vdot_real_tree(b, b)
    atol2 = jnp.maximum(jnp.square(tol) * bs, jnp.square(atol))
    r0 = _sub(b, A(x0))
    p0 = z0 = M(r0)
    dtype = _result_dtype(p0)
    gamma0 = _vdot_real_tree(r0, z0).astype(dtype)

    def cond_fun(value):
        _, r, gamma, _, k = value
        rs = jnp.real(gamma) if M is _identity else _vdot_real_tree(r, r)
        return (rs > atol2) & (k < maxiter)

    def body_fun(value):
        x, r, gamma, p, k = value
        Ap = A(p)
        alpha = gamma / _vdot_real_tree(p, Ap).astype(dtype)
        x_ = _add(x, _mul(alpha, p))
        r_ = _sub(r, _mul(alpha, Ap))
        z_ = M(r_)
        gamma_ = _vdot_real_tree(r_, z_).astype(dtype)
        beta_ = gamma_ / gamma
        p_ = _add(z_, _mul(beta_, p))
        return x_, r_, gamma_, p_, k + 1

    x_final, *_ = lax.while_loop(cond_fun, body_fun, (x0, r0, gamma0, p0, 0))
    return x_final


def _bicgstab_solve(A, b, x0=None, *, maxiter, tol=1e-5, atol=0.0, M=_identity):
    jnp = _jnp()
    bs = _vdot_real_tree(b, b)
    atol2 = jnp.maximum(jnp.square(tol) * bs, jnp.square(atol))

    def cond_fun(value):
        x, r, *_, k = value
        rs = _vdot_real_tree(r, r)
        return (rs > atol2) & (k < maxiter) & (k >= 0)  # k < 0: breakdown

    def body_fun(value):
        x, r, rhat, alpha, omega, rho, p, q, k = value
        rho_ = _vdot_tree(rhat, r)
        beta = rho_ / rho * alpha / omega
        p_ = _add(r, _mul(beta, _sub(p, _mul(omega, q))))
        phat = M(p_)
        q_ = A(phat)
        alpha_ = rho_ / _vdot_tree(rhat, q_)
        s = _sub(r, _mul(alpha_, q_))
        exit_early = _vdot_real_tree(s, s) < atol2
        shat = M(s)
        t = A(shat)
        omega_ = _vdot_tree(t, s) / _vdot_tree(t, t)
        x_ = tree_map(partial(jnp.where, exit_early), _add(x, _mul(alpha_, phat)),
                      _add(x, _add(_mul(alpha_, phat), _mul(omega_, shat))))
        r_ = tree_map(partial(jnp.where, exit_early), s, _sub(s, _mul(omega_, t)))
        k_ = jnp.where((omega_ == 0) | (alpha_ == 0), -11, k + 1)
        k_ = jnp.where(rho_ == 0, -10, k_)
        return x_, r_, rhat, alpha_, omega_, rho_, p_, q_, k_

    r0 = _sub(b, A(x0))
    one = jnp.asarray(1, dtype=_result_dtype(b))
    init = (x0, r0, r0, one, one, one, r0, r0, jnp.asarray(0, dtype=np.int32))
    x_final, *_ = lax.while_loop(cond_fun, body_fun, init)
    return x_final


def _shapes(tree):
    return [np.shape(x) for x in tree_leaves(tree)]


def _isolve(_isolve_solve, A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None,
            check_symmetric=False):
    jnp = _jnp()
    if x0 is None:
        x0 = tree_map(jnp.zeros_like, b)
    b = tree_map(jnp.asarray, b)
    x0 = tree_map(jnp.asarray, x0)
    if maxiter is None:
        maxiter = 10 * sum(int(np.prod(np.shape(bi))) for bi in tree_leaves(b))
    if M is None:
        M = _identity
    A = _normalize_matvec(A)
    M = _normalize_matvec(M)
    if tree_structure(x0) != tree_structure(b):
        raise ValueError(f"x0 and b must have matching tree structure: {tree_structure(x0)} vs "
                         f"{tree_structure(b)}")
    if _shapes(x0) != _shapes(b):
        raise ValueError(f"arrays in x0 and b must have matching shapes: {_shapes(x0)} vs "
                         f"{_shapes(b)}")
    isolve_solve = partial(_isolve_solve, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M)
    # real-valued positive-definite linear operators are symmetric
    symmetric = all(not _is_complex(x) for x in tree_leaves(b)) if check_symmetric else False
    x = custom_linear_solve(A, b, solve=isolve_solve, transpose_solve=isolve_solve,
                            symmetric=symmetric)
    return x, None


def cg(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """Conjugate gradients for a Hermitian positive-definite A: (x, None).  Converged when
    norm(residual) <= max(tol * norm(b), atol)."""
    return _isolve(_cg_solve, A, b, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M,
                   check_symmetric=True)


def bicgstab(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """Biconjugate gradient stabilized for a general A: (x, None)."""
    return _isolve(_bicgstab_solve, A, b, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M)


# ---------------------------------------------------------------------------
# GMRES (on the flattened vector of the pytree b)


def _safe_normalize(x, thresh=None):
    jnp = _jnp()
    norm = _norm(x)
    dtype = get_aval(x).dtype
    if thresh is None:
        thresh = jnp.asarray(np.finfo(get_aval(norm).dtype).eps, get_aval(norm).dtype)
    thresh = jnp.real(jnp.asarray(thresh).astype(dtype))
    use_norm = norm > thresh
    normalized = jnp.where(use_norm, x / norm.astype(dtype), 0.0).astype(dtype)
    norm = jnp.where(use_norm, norm, 0.0)
    return normalized, norm


def _kth_arnoldi_iteration(k, A, M, V, H):
    """Step k of Arnoldi: A(M(V[:, k])) orthonormalised (classical Gram-Schmidt, twice)
    against V's columns into V[:, k+1]; its overlaps into row k of H."""
    jnp = _jnp()
    dtype = get_aval(V).dtype
    eps = np.finfo(dtype).eps
    n, kp1 = get_aval(V).shape
    v = lax.dynamic_index_in_dim(V, k, axis=1, keepdims=False)
    v = M(A(v))
    _, v_norm_0 = _safe_normalize(v)
    h = jnp.zeros((kp1,), dtype)
    for _ in range(2):
        hk = jnp.matmul(jnp.conj(V).T, v)
        v = v - jnp.matmul(V, hk)
        h = h + hk
    tol = eps * v_norm_0
    unit_v, v_norm_1 = _safe_normalize(v, thresh=tol)
    V = lax.dynamic_update_slice(V, lax.reshape(unit_v, (n, 1)),
                                 (jnp.asarray(0, np.int32), (k + 1).astype(np.int32)))
    iota = lax.iota(np.int32, kp1)
    h = jnp.where(iota == k + 1, v_norm_1.astype(dtype), h)
    H = lax.dynamic_update_slice(H, lax.reshape(h, (1, kp1)),
                                 (k.astype(np.int32), jnp.asarray(0, np.int32)))
    return V, H, v_norm_1 == 0.0


def _gmres_batched(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
    """One restart of GMRES: build the Krylov basis, then solve the small least-squares
    problem by its normal equations."""
    from pyjax._src.scipy_linalg import solve as _sp_solve
    jnp = _jnp()
    dtype = get_aval(b).dtype
    n = get_aval(b).shape[0]
    zero = lax.full((), 0, dtype)
    V = lax.pad(lax.reshape(unit_residual, (n, 1)), zero, [(0, 0, 0), (0, restart, 0)])
    H = jnp.eye(restart, restart + 1, dtype=dtype)

    def loop_cond(carry):
        _, _, breakdown, k = carry
        return (k < restart) & jnp.logical_not(breakdown)

    def arnoldi(carry):
        V, H, _, k = carry
        V, H, breakdown = _kth_arnoldi_iteration(k, A, M, V, H)
        return V, H, breakdown, k + 1

    V, H, _, _ = lax.while_loop(loop_cond, arnoldi,
                                (V, H, jnp.asarray(False), jnp.asarray(0, np.int32)))
    iota = lax.iota(np.int32, restart + 1)
    beta_vec = jnp.where(iota == 0, residual_norm.astype(dtype), jnp.zeros((), dtype))
    Ht = H.T
    y = _sp_solve(jnp.matmul(jnp.conj(Ht).T, Ht), jnp.matmul(jnp.conj(Ht).T, beta_vec),
                  assume_a="pos")
    x = x0 + jnp.matmul(V[:, :-1], y)
    residual = M(b - A(x))
    unit_residual, residual_norm = _safe_normalize(residual)
    return x, unit_residual, residual_norm


def _gmres_solve(A, b, x0, atol, ptol, restart, maxiter, M):
    jnp = _jnp()
    residual = M(b - A(x0))
    unit_residual, residual_norm = _safe_normalize(residual)

    def cond_fun(value):
        _, k, _, residual_norm = value
        return (k < maxiter) & (residual_norm > atol)

    def body_fun(value):
        x, k, unit_residual, residual_norm = value
        x, unit_residual, residual_norm = _gmres_batched(A, b, x, unit_residual, residual_norm,
                                                         ptol, restart, M)
        return x, k + 1, unit_residual, residual_norm

    init = (x0, jnp.asarray(0, np.int32), unit_residual, residual_norm)
    x_final, *_ = lax.while_loop(cond_fun, body_fun, init)
    return x_final


def _ravel_tree(tree):
    """(flat vector, unravel) for a pytree of arrays of one promoted dtype."""
    jnp = _jnp()
    leaves = tree_leaves(tree)
    treedef = tree_structure(tree)
    dtype = dtypes.result_type(*leaves)
    shapes = [np.shape(x) for x in leaves]
    sizes = [int(np.prod(s)) for s in shapes]
    flat = jnp.concatenate([jnp.ravel(jnp.asarray(x)).astype(dtype) for x in leaves]) \
        if len(leaves) > 1 else jnp.ravel(jnp.asarray(leaves[0]))
    leaf_dtypes = [get_aval(jnp.asarray(x)).dtype for x in leaves]

    def unravel(v):
        from pyjax._src.tree_util import tree_unflatten
        out, start = [], 0
        for shape, size, dt in zip(shapes, sizes, leaf_dtypes):
            piece = lax.slice_in_dim(v, start, start + size, axis=0)
            out.append(lax.reshape(piece, shape).astype(dt))
            start += size
        return tree_unflatten(treedef, out)
    return flat, unravel


def gmres(A, b, x0=None, *, tol=1e-5, atol=0.0, restart=20, maxiter=None, M=None,
          solve_method="batched"):
    """Restarted GMRES for a general A: (x, info), info -1 when x has NaNs.  The Krylov
    basis of each restart has `restart` vectors; `maxiter` bounds the restarts.  Both
    solve methods build the basis and solve the projected least-squares problem at the end
    of each restart (pyjax has no separate incremental implementation)."""
    jnp = _jnp()
    if solve_method not in ("batched", "incremental"):
        raise ValueError(f"invalid solve_method {solve_method}, must be either 'incremental' "
                         "or 'batched'")
    if x0 is None:
        x0 = tree_map(jnp.zeros_like, b)
    if M is None:
        M = _identity
    A = _normalize_matvec(A)
    M = _normalize_matvec(M)
    if tree_structure(x0) != tree_structure(b):
        raise ValueError(f"x0 and b must have matching tree structure: {tree_structure(x0)} vs "
                         f"{tree_structure(b)}")
    size = sum(int(np.prod(np.shape(bi))) for bi in tree_leaves(b))
    if maxiter is None:
        maxiter = 10 * size
    restart = min(restart, size)
    b_norm = _norm(b)
    atol_ = jnp.maximum(tol * b_norm, atol)
    Mb_norm = _norm(M(b))
    ptol = Mb_norm * jnp.minimum(1.0, atol_ / b_norm)

    def solve_fn(A_, b_):
        b_flat, unravel = _ravel_tree(b_)
        x0_flat, _ = _ravel_tree(x0)

        def A_flat(v):
            return _ravel_tree(A_(unravel(v)))[0]

        def M_flat(v):
            return _ravel_tree(M(unravel(v)))[0]
        x0_flat = x0_flat.astype(get_aval(b_flat).dtype)
        x = _gmres_solve(A_flat, b_flat, x0_flat, atol_, ptol, restart, maxiter, M_flat)
        return unravel(x)

    x = custom_linear_solve(A, b, solve=solve_fn, transpose_solve=solve_fn)
    failed = jnp.isnan(_norm(x))
    info = jnp.where(failed, -1, 0)
    return x, info


__all__ = ["bicgstab", "cg", "gmres"]
