"""Linear-algebra primitives: factorizations and solves, each with all of its rules.

Every primitive works on stacks of matrices (leading batch dimensions).  Eager
implementations call LAPACK through SciPy one matrix at a time; failures give NaNs
like JAX (never a LAPACK exception).  Derivatives follow the published formulas:

  cholesky          Murray 2016, arXiv:1602.07527
  triangular_solve  linear in b (transpose: the transposed solve); jvp in a
  lu                de Hoog, Anderssen & Lukas, "Differentiation of matrix functionals
                    using triangular factorization"
  qr                Townsend, "Differentiating the QR decomposition" (+ wide and
                    full-matrices cases, Roberts & Roberts arXiv:2409.13374); column
                    pivoting composes a lax pivot search with the unpivoted primitive
  eigh, svd         Giles 2008, "An extended collection of matrix derivative results"
  eig               Boeddeker et al. 2017, arXiv:1701.00392 (eigenvalues); eigenvectors
                    under LAPACK's normalisation when asked for
  tridiagonal_solve linear in b; jvp in the diagonals through the solve

schur, hessenberg, householder_product and tridiagonal have no derivative (as in JAX).

The helpers at the top (_T, _H, _mm, _tril, _diag, ...) are lax-level building blocks
shared with pyjax.numpy.linalg and pyjax.scipy.linalg.
"""
import enum

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas as _blas
from scipy.linalg import lapack as _lapack

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import Zero, instantiate, is_undefined
from pyjax._src.interpreters.batching import batch_size_of, bdim_at_front, moveaxis
from pyjax._src.lax import lax as L

_f32, _f64 = np.dtype(np.float32), np.dtype(np.float64)
_c64, _c128 = np.dtype(np.complex64), np.dtype(np.complex128)
_INEXACT = (_f32, _f64, _c64, _c128)
_i32 = np.dtype(np.int32)


# ---------------------------------------------------------------------------
# lax-level helpers


def _aval(x):
    return get_aval(x)


def _ndim(x):
    return get_aval(x).ndim


def _shape(x):
    return get_aval(x).shape


def _dtype(x):
    return get_aval(x).dtype


def _is_complex_dtype(dt):
    return dtypes.issubdtype(dt, np.complexfloating)


def _is_complex(x):
    return _is_complex_dtype(_dtype(x))


def _real_dtype(dt):
    dt = np.dtype(dt)
    return np.dtype(np.finfo(dt).dtype) if _is_complex_dtype(dt) else dt


def _complex_dtype(dt):
    dt = np.dtype(dt)
    if _is_complex_dtype(dt):
        return dt
    return _c128 if dt == _f64 else _c64


def _T(x):
    nd = _ndim(x)
    return L.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _conj(x):
    return L.conj(x) if _is_complex(x) else x


def _H(x):
    return _conj(_T(x))


def _real(x):
    return L.real(x) if _is_complex(x) else x


def _cast(x, dtype):
    dtype = np.dtype(dtype)
    if _dtype(x) == dtype:
        return x
    return L.convert_element_type(x, dtype)


def _broadcast_batch(*xs, core_ranks):
    """Broadcast the leading (batch) dimensions of each x (its last core_ranks[i] axes are
    its core) to their common shape."""
    batches = [_shape(x)[:_ndim(x) - r] for x, r in zip(xs, core_ranks)]
    try:
        batch = tuple(np.broadcast_shapes(*batches))
    except ValueError:
        raise ValueError("incompatible batch dimensions: " + ", ".join(map(str, batches))) from None
    out = []
    for x, b, r in zip(xs, batches, core_ranks):
        if b == batch:
            out.append(x)
            continue
        shape = batch + _shape(x)[_ndim(x) - r:]
        nd = len(shape)
        out.append(L.broadcast_in_dim(x, shape, tuple(range(nd - _ndim(x), nd))))
    return out


def _mm(a, b):
    """Matrix product over the last two axes, batch dimensions broadcast."""
    a, b = _broadcast_batch(a, b, core_ranks=(2, 2))
    nd = _ndim(a)
    batch = tuple(range(nd - 2))
    return L.dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)))


def _mv(a, v):
    """Matrix-vector product a @ v over the last axes, batch dimensions broadcast."""
    a, v = _broadcast_batch(a, v, core_ranks=(2, 1))
    nd = _ndim(a)
    batch = tuple(range(nd - 2))
    return L.dot_general(a, v, (((nd - 1,), (nd - 2,)), (batch, batch)))


def _iota_mask(shape, k, op):
    """A boolean mask of `shape` (..., m, n) comparing col - row with k."""
    nd = len(shape)
    rows = L.broadcasted_iota(_i32, shape, nd - 2)
    cols = L.broadcasted_iota(_i32, shape, nd - 1)
    return op(L.sub(cols, rows), L.full(shape, k, _i32))


def _zeros(shape, dtype):
    return L.full(shape, 0, dtype)


def _tril(x, k=0):
    shape = _shape(x)
    return L.select(_iota_mask(shape, k, L.le), x, _zeros(shape, _dtype(x)))


def _triu(x, k=0):
    shape = _shape(x)
    return L.select(_iota_mask(shape, k, L.ge), x, _zeros(shape, _dtype(x)))


def _eye(dtype, m, n=None, batch=()):
    n = m if n is None else n
    shape = tuple(batch) + (m, n)
    return L.convert_element_type(_iota_mask(shape, 0, L.eq), dtype)


def _diag(x):
    """The main diagonal of (..., m, n) matrices, shape (..., min(m, n))."""
    shape = _shape(x)
    m, n = shape[-2:]
    k = min(m, n)
    if (m, n) != (k, k):
        x = L.slice(x, (0,) * (len(shape) - 2) + (0, 0), shape[:-2] + (k, k))
        shape = _shape(x)
    x = L.select(_iota_mask(shape, 0, L.eq), x, _zeros(shape, _dtype(x)))
    return L.reduce_sum(x, (len(shape) - 1,))


def _construct_diag(v):
    """(..., k) -> (..., k, k) diagonal matrices."""
    shape = _shape(v)
    nd = len(shape)
    out_shape = shape + (shape[-1],)
    full = L.broadcast_in_dim(v, out_shape, tuple(range(nd - 1)) + (nd,))
    return L.select(_iota_mask(out_shape, 0, L.eq), full, _zeros(out_shape, _dtype(v)))


def _expand_last(x, n=1):
    nd = _ndim(x)
    return L.expand_dims(x, tuple(range(nd, nd + n)))


def _bcast_to(x, shape):
    """Broadcast x (trailing-aligned) to shape."""
    if _shape(x) == tuple(shape):
        return x
    nd = len(shape)
    return L.broadcast_in_dim(x, tuple(shape), tuple(range(nd - _ndim(x), nd)))


def _row_vec(v):
    """(..., k) -> (..., 1, k)."""
    return L.expand_dims(v, (_ndim(v) - 1,))


def _col_vec(v):
    """(..., k) -> (..., k, 1)."""
    return L.expand_dims(v, (_ndim(v),))


def _perm_matrix(perm, dtype):
    """One-hot (..., m, m) matrices P with P[i, j] = (perm[i] == j): (P @ b)[i] = b[perm[i]]."""
    shape = _shape(perm)
    m = shape[-1]
    out_shape = shape + (m,)
    p = L.broadcast_in_dim(perm, out_shape, tuple(range(len(shape))))
    cols = L.broadcasted_iota(_dtype(perm), out_shape, len(shape))
    return L.convert_element_type(L.eq(p, cols), dtype)


def symmetrize(x):
    """(x + x^H) / 2."""
    return L.div(L.add(x, _H(x)), L.full(_shape(x), 2, _dtype(x)))


def _check_inexact(name, dtype):
    if np.dtype(dtype) not in _INEXACT:
        raise TypeError(f"{name} does not accept dtype {np.dtype(dtype).name}: it needs a "
                        "float32, float64, complex64 or complex128 operand.")


def _check_matrix(name, aval, square=False):
    _check_inexact(name, aval.dtype)
    if aval.ndim < 2:
        raise ValueError(f"{name} requires an operand of rank >= 2 (a batch of matrices), "
                         f"got shape {aval.shape}")
    if square and aval.shape[-1] != aval.shape[-2]:
        raise ValueError(f"{name} requires square matrices of shape [..., n, n], got shape "
                         f"{aval.shape}")


# ---------------------------------------------------------------------------
# Eager helpers


def _loop(batch, outs, fn, *inputs):
    """Apply `fn` to each matrix of a batch.  `outs` lists (core shape, dtype) of the
    results; `inputs` all have the leading `batch` dimensions."""
    results = [np.empty(tuple(batch) + tuple(s), d) for s, d in outs]
    for idx in np.ndindex(*batch):
        got = fn(*[np.asarray(x[idx]) for x in inputs])
        for r, g in zip(results, got):
            r[idx] = g
    return results


def _nan_like(shape, dtype):
    return np.full(shape, np.nan, dtype)


def _single_batch_rule(prim):
    """Batching for primitives of one operand that act on its trailing axes."""
    def rule(vals, dims, **params):
        x = moveaxis(vals[0], dims[0], 0)
        out = prim.bind(x, **params)
        return out, 0
    return rule


def _broadcast_batch_rule(prim):
    """Batching for primitives of several operands with equal leading batch dimensions."""
    def rule(vals, dims, **params):
        size = batch_size_of(vals, dims)
        vals = [bdim_at_front(v, d, size) for v, d in zip(vals, dims)]
        return prim.bind(*vals, **params), 0
    return rule


def _bind(prim, *args, **params):
    """Bind `prim`, checking concrete operands like abstract evaluation first (eager impls
    would otherwise let NumPy convert mismatched dtypes silently)."""
    if all(type(a) is core.ArrayImpl for a in args):
        core.abstract_eval_at_user_line(prim, [a.aval for a in args], params)
    return prim.bind(*args, **params)


def _strong(*_, **__):
    return False


def _strong_multi(n):
    def rule(*_, **params):
        return [False] * n(params) if callable(n) else [False] * n
    return rule


def _sym_tangent(t, lower):
    """The tangent a primitive that reads one triangle of a Hermitian matrix really sees:
    that triangle mirrored, with a real diagonal."""
    tri = _tril(t, -1) if lower else _triu(t, 1)
    d = _construct_diag(_diag(t))
    if _is_complex(t):
        d = _cast(_real(d), _dtype(t))
    return L.add(L.add(tri, _H(tri)), d)


# ---------------------------------------------------------------------------
# cholesky


def _cholesky_one(a):
    n = a.shape[-1]
    if n == 0:
        return (a.copy(),)
    potrf = _lapack.get_lapack_funcs("potrf", (a,))
    c, info = potrf(a, lower=True, clean=True)
    if info != 0 or not np.all(np.isfinite(c)):
        return (_nan_like(a.shape, a.dtype),)
    return (c,)


def _cholesky_impl(x):
    return _loop(x.shape[:-2], [(x.shape[-2:], x.dtype)], _cholesky_one, x)[0]


def _cholesky_abstract(x):
    _check_matrix("cholesky", x, square=True)
    return x.shape, x.dtype


def _cholesky_jvp(primals, tangents):
    x, = primals
    t, = tangents
    lmat = cholesky_p.bind(x)
    # cholesky reads the lower triangle only: its tangent is that triangle, mirrored.
    sigma = _sym_tangent(instantiate(t), lower=True)
    # L^{-1} dA L^{-H}, then dL = L phi(.) with phi taking the lower triangle, half diagonal.
    tmp = triangular_solve(lmat, sigma, left_side=False, transpose_a=True, conjugate_a=True,
                           lower=True)
    inner = triangular_solve(lmat, tmp, left_side=True, lower=True)
    n = _shape(x)[-1]
    half = L.add(_eye(_dtype(x), n), L.full((n, n), 1, _dtype(x)))
    phi = L.div(_tril(inner), _bcast_to(half, _shape(inner)))
    return lmat, _mm(lmat, phi)


cholesky_p = Primitive("cholesky")
register(cholesky_p, impl=_cholesky_impl, abstract_eval=_cholesky_abstract, jvp=_cholesky_jvp,
         batch=_single_batch_rule(cholesky_p))


def cholesky(x, *, symmetrize_input=True):
    """Lower Cholesky factor L of (..., n, n) Hermitian positive-definite matrices
    (A = L L^H); NaNs where the factorization fails."""
    x = L.asarray(x)
    _check_matrix("cholesky", _aval(x), square=True)
    if symmetrize_input:
        x = symmetrize(x)
    return _tril(_bind(cholesky_p, x))


# ---------------------------------------------------------------------------
# triangular_solve


def _trsm(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    if b.size == 0:
        return np.zeros(b.shape, b.dtype)
    trsm = _blas.get_blas_funcs("trsm", (a, b))
    if conjugate_a and not transpose_a:
        a = np.conj(a)
        trans = 0
    elif transpose_a:
        trans = 2 if conjugate_a and np.iscomplexobj(a) else 1
    else:
        trans = 0
    out = trsm(1.0, np.asfortranarray(a), np.array(b, order="F"), side=0 if left_side else 1,
               lower=int(lower), trans_a=trans, diag=int(unit_diagonal))
    return out


def _triangular_solve_impl(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    def one(ai, bi):
        return (_trsm(ai, bi, left_side, lower, transpose_a, conjugate_a, unit_diagonal),)
    return _loop(b.shape[:-2], [(b.shape[-2:], b.dtype)], one, a, b)[0]


def _triangular_solve_abstract(a, b, *, left_side, lower, transpose_a, conjugate_a,
                               unit_diagonal):
    _check_matrix("triangular_solve", a, square=True)
    _check_inexact("triangular_solve", b.dtype)
    if a.dtype != b.dtype:
        raise TypeError(f"triangular_solve requires a and b of one dtype, got {a.dtype} and "
                        f"{b.dtype}")
    if b.ndim != a.ndim:
        raise ValueError(f"triangular_solve requires a and b of equal rank, got shapes "
                         f"{a.shape} and {b.shape}")
    if a.shape[:-2] != b.shape[:-2]:
        raise ValueError(f"triangular_solve requires equal batch dimensions, got shapes "
                         f"{a.shape} and {b.shape}")
    m = a.shape[-1]
    k = b.shape[-2] if left_side else b.shape[-1]
    if k != m:
        side = "rows" if left_side else "columns"
        raise ValueError(f"triangular_solve: b must have {m} {side} to match a of shape "
                         f"{a.shape}, got shape {b.shape}")
    return b.shape, b.dtype


def _triangular_solve_jvp_a(g_a, ans, a, *, left_side, lower, transpose_a, conjugate_a,
                            unit_diagonal):
    m, n = _shape(ans)[-2:]
    k = 1 if unit_diagonal else 0
    g_a = _tril(g_a, -k) if lower else _triu(g_a, k)
    g_a = L.neg(g_a)
    g_a = _T(g_a) if transpose_a else g_a
    g_a = _conj(g_a) if conjugate_a else g_a

    def a_inv(rhs):
        return triangular_solve(a, rhs, left_side=left_side, lower=lower,
                                transpose_a=transpose_a, conjugate_a=conjugate_a,
                                unit_diagonal=unit_diagonal)
    if left_side:
        return a_inv(_mm(g_a, ans)) if m > n else _mm(a_inv(g_a), ans)
    return a_inv(_mm(ans, g_a)) if m < n else _mm(ans, a_inv(g_a))


def _triangular_solve_jvp(primals, tangents, **params):
    a, b = primals
    ta, tb = tangents
    ans = triangular_solve_p.bind(a, b, **params)
    out = Zero(_aval(ans))
    if type(tb) is not Zero:
        out = triangular_solve_p.bind(a, tb, **params)
    if type(ta) is not Zero:
        da = _triangular_solve_jvp_a(ta, ans, a, **params)
        out = da if type(out) is Zero else L.add(out, da)
    return ans, out


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                unit_diagonal):
    if is_undefined(a):
        raise NotImplementedError("triangular_solve is not linear in a")
    if type(ct) is Zero:
        return [None, Zero(b.aval)]
    return [None, triangular_solve_p.bind(
        a, ct, left_side=left_side, lower=lower, transpose_a=not transpose_a,
        conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)]


triangular_solve_p = Primitive("triangular_solve")
register(triangular_solve_p, impl=_triangular_solve_impl,
         abstract_eval=_triangular_solve_abstract, jvp=_triangular_solve_jvp,
         transpose=_triangular_solve_transpose,
         batch=_broadcast_batch_rule(triangular_solve_p),
         weak_type=lambda wa, wb, **_: wa and wb)


def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False,
                     conjugate_a=False, unit_diagonal=False):
    """Solve op(a) x = b (left_side) or x op(a) = b for triangular a; op transposes and/or
    conjugates a.  b may be a batch of vectors (rank one less than a)."""
    a, b = L.asarray(a), L.asarray(b)
    conjugate_a = bool(conjugate_a) and _is_complex(a)
    singleton = _ndim(b) == _ndim(a) - 1
    if singleton:
        b = L.expand_dims(b, (_ndim(b) if left_side else _ndim(b) - 1,))
    a, b = _broadcast_batch(a, b, core_ranks=(2, 2))
    out = _bind(triangular_solve_p, a, b, left_side=bool(left_side), lower=bool(lower),
                                  transpose_a=bool(transpose_a), conjugate_a=conjugate_a,
                                  unit_diagonal=bool(unit_diagonal))
    if singleton:
        out = L.squeeze(out, (_ndim(out) - 1,) if left_side else (_ndim(out) - 2,))
    return out


# ---------------------------------------------------------------------------
# lu


def _pivots_to_perm(piv, m):
    perm = np.arange(m, dtype=np.int32)
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def _lu_one(a):
    m, n = a.shape
    k = min(m, n)
    if a.size == 0:
        return a.copy(), np.zeros(k, np.int32), np.arange(m, dtype=np.int32)
    getrf = _lapack.get_lapack_funcs("getrf", (a,))
    lu, piv, info = getrf(a)
    piv = np.asarray(piv[:k], np.int32)
    return lu, piv, _pivots_to_perm(piv, m)


def _lu_impl(x):
    m, n = x.shape[-2:]
    return _loop(x.shape[:-2], [((m, n), x.dtype), ((min(m, n),), _i32), ((m,), _i32)],
                 _lu_one, x)


def _lu_abstract(x):
    _check_matrix("lu", x)
    m, n = x.shape[-2:]
    b = x.shape[:-2]
    return [(x.shape, x.dtype), (b + (min(m, n),), _i32), (b + (m,), _i32)]


def _lu_jvp(primals, tangents):
    a, = primals
    a_dot, = tangents
    lu_, pivots, perm = lu_p.bind(a)
    shape = _shape(a)
    m, n = shape[-2:]
    k = min(m, n)
    dt = _dtype(a)
    batch = shape[:-2]
    nd = len(shape)
    x = _mm(_perm_matrix(perm, dt), instantiate(a_dot))
    zero = L.full((), 0, dt)
    # L: m x m unit lower; U: n x n upper (padded with an identity block when m < n).
    l_part = _tril(L.slice(lu_, (0,) * nd, batch + (m, k)), -1)
    l_mat = L.pad(l_part, zero, [(0, 0, 0)] * (nd - 1) + [(0, m - k, 0)])
    l_mat = L.add(l_mat, _eye(dt, m, batch=batch))
    u_part = _triu(L.slice(lu_, (0,) * nd, batch + (k, n)))
    u_mat = L.pad(u_part, zero, [(0, 0, 0)] * (nd - 2) + [(0, n - k, 0), (0, 0, 0)])
    if n > k:
        u_eye = L.pad(_eye(dt, n - k, batch=batch), zero,
                      [(0, 0, 0)] * (nd - 2) + [(k, 0, 0), (k, 0, 0)])
        u_mat = L.add(u_mat, u_eye)
    la = triangular_solve(l_mat, x, left_side=True, lower=True, unit_diagonal=True)
    lau = triangular_solve(u_mat, la, left_side=False, lower=False)
    l_dot = _mm(l_mat, _tril(lau, -1))
    u_dot = _mm(_triu(lau), u_mat)
    return [lu_, pivots, perm], [L.add(l_dot, u_dot), Zero.like(pivots), Zero.like(perm)]


lu_p = Primitive("lu", multiple_results=True)
register(lu_p, impl=_lu_impl, abstract_eval=_lu_abstract, jvp=_lu_jvp,
         batch=_single_batch_rule(lu_p), weak_type=_strong_multi(3))


def lu(x):
    """LU decomposition with partial pivoting, P A = L U: returns (lu, pivots, permutation)
    with L (unit diagonal, implicit) and U packed into `lu`, int32 row swaps `pivots` and the
    int32 row `permutation`."""
    return tuple(_bind(lu_p, L.asarray(x)))


def _lu_pivots_to_permutation_impl(pivots, *, permutation_size):
    k = pivots.shape[-1]

    def one(p):
        return (_pivots_to_perm(np.asarray(p), permutation_size),)
    if k > permutation_size:
        raise ValueError("lu_pivots_to_permutation: more pivots than the permutation size")
    return _loop(pivots.shape[:-1], [((permutation_size,), _i32)], one, pivots)[0]


def _lu_pivots_to_permutation_abstract(pivots, *, permutation_size):
    if pivots.dtype != _i32:
        raise TypeError(f"lu_pivots_to_permutation requires int32 pivots, got {pivots.dtype}")
    if pivots.ndim < 1 or pivots.shape[-1] > permutation_size:
        raise ValueError(f"lu_pivots_to_permutation: pivots of shape {pivots.shape} do not fit "
                         f"a permutation of size {permutation_size}")
    return pivots.shape[:-1] + (permutation_size,), _i32


def _zero_jvp(prim):
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero.like(o) for o in out]
        return out, Zero.like(out)
    return rule


lu_pivots_to_permutation_p = Primitive("lu_pivots_to_permutation")
register(lu_pivots_to_permutation_p, impl=_lu_pivots_to_permutation_impl,
         abstract_eval=_lu_pivots_to_permutation_abstract,
         jvp=_zero_jvp(lu_pivots_to_permutation_p),
         batch=_single_batch_rule(lu_pivots_to_permutation_p), weak_type=_strong)


def lu_pivots_to_permutation(pivots, permutation_size):
    """The permutation (int32, shape (..., permutation_size)) of a sequence of row swaps."""
    return _bind(lu_pivots_to_permutation_p, L.asarray(pivots),
                 permutation_size=int(permutation_size))


def lu_solve(lu_, permutation, b, trans=0):
    """Solve a x = b (trans=0), a^T x = b (1) or a^H x = b (2) from lu(a).  b has shape
    (..., m) or (..., m, k); batch dimensions broadcast."""
    lu_, permutation, b = L.asarray(lu_), L.asarray(permutation), L.asarray(b)
    m = _shape(lu_)[-1]
    vector = _ndim(b) == _ndim(lu_) - 1 or _ndim(b) == 1
    if vector:
        b = _col_vec(b)
    if _shape(b)[-2] != m:
        raise ValueError(f"lu_solve: b of shape {_shape(b)} does not match an LU factorization "
                         f"of shape {_shape(lu_)}")
    lu_, b = _broadcast_batch(lu_, b, core_ranks=(2, 2))
    batch = _shape(b)[:-2]
    permutation = _bcast_to(permutation, batch + (m,))
    p = _perm_matrix(permutation, _dtype(b))
    if trans == 0:
        x = _mm(p, b)
        x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        x = triangular_solve(lu_, x, left_side=True, lower=False)
    elif trans in (1, 2):
        conj = trans == 2
        x = triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True,
                             conjugate_a=conj)
        x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True,
                             transpose_a=True, conjugate_a=conj)
        x = _mm(_T(p), x)
    else:
        raise ValueError(f"lu_solve: trans must be 0, 1 or 2, got {trans}")
    if vector:
        x = L.squeeze(x, (_ndim(x) - 1,))
    return x


def _solve_lu(a, b):
    """a^{-1} b by LU (no custom_linear_solve): b is (..., m, k)."""
    lu_, _, perm = lu(a)
    return lu_solve(lu_, perm, b, 0)


def _solve(a, b):
    """JAX's lax.linalg._solve: a x = b with b (..., m) or (..., m, k), differentiated through
    custom_linear_solve so the factorization is reused for derivatives."""
    from pyjax._src.lax.solvers import custom_linear_solve
    from pyjax._src import api
    a, b = L.asarray(a), L.asarray(b)
    m = _shape(a)[-1]
    if _ndim(a) < 2 or _shape(a)[-2] != m:
        raise ValueError(f"solve: a must have shape [..., m, m], got {_shape(a)}")
    vector = _ndim(b) == _ndim(a) - 1
    if vector:
        if _shape(b)[-1] != m:
            raise ValueError(f"solve: incompatible shapes {_shape(a)} and {_shape(b)}")
        a, b = _broadcast_batch(a, b, core_ranks=(2, 1))
    else:
        if _shape(b)[-2] != m:
            raise ValueError(f"solve: incompatible shapes {_shape(a)} and {_shape(b)}")
        a, b = _broadcast_batch(a, b, core_ranks=(2, 2))
    lu_, _, perm = lu(L.stop_gradient(a))
    if type(core.current_trace()) is core.EvalTrace:
        # eager: nothing will differentiate this call; skip staging the implicit solve
        return lu_solve(lu_, perm, b, 0)

    def matvec(x):
        return _mv(a, x)

    def solve_fn(_, x):
        return lu_solve(lu_, perm, x, 0)

    def tsolve_fn(_, x):
        return lu_solve(lu_, perm, x, 1)

    def custom_solve(x):
        return custom_linear_solve(matvec, x, solve_fn, tsolve_fn)
    if vector:
        return custom_solve(b)
    # solve one column at a time: vmap over the last axis of b
    nd = _ndim(b)
    return api.vmap(custom_solve, in_axes=nd - 1, out_axes=nd - 1)(b)


# ---------------------------------------------------------------------------
# qr


def _qr_one(a, full_matrices):
    m, n = a.shape
    k = m if full_matrices else min(m, n)
    if a.size == 0:
        return np.eye(m, k, dtype=a.dtype), np.zeros((k, n), a.dtype)
    q, r = sla.qr(a, mode="full" if full_matrices else "economic", check_finite=False)
    return q, r


def _qr_impl(x, *, full_matrices):
    m, n = x.shape[-2:]
    k = m if full_matrices else min(m, n)
    return _loop(x.shape[:-2], [((m, k), x.dtype), ((k, n), x.dtype)],
                 lambda a: _qr_one(a, full_matrices), x)


def _qr_abstract(x, *, full_matrices):
    _check_matrix("qr", x)
    m, n = x.shape[-2:]
    k = m if full_matrices else min(m, n)
    b = x.shape[:-2]
    return [(b + (m, k), x.dtype), (b + (k, n), x.dtype)]


def _thin_qr_jvp(q, r, dx):
    """jvp of the QR decomposition of (..., m, n) matrices with m >= n (q: m x n, r: n x n)."""
    dx_rinv = triangular_solve(r, dx)  # dx r^{-1}
    qt_dx_rinv = _mm(_H(q), dx_rinv)
    low = _tril(qt_dx_rinv, -1)
    do = L.sub(low, _H(low))  # skew-Hermitian
    if _is_complex(q):
        n = _shape(r)[-1]
        im = L.sub(qt_dx_rinv, _cast(_real(qt_dx_rinv), _dtype(qt_dx_rinv)))
        do = L.add(do, L.mul(_bcast_to(_eye(_dtype(do), n), _shape(do)), im))
    dq = L.add(_mm(q, L.sub(do, qt_dx_rinv)), dx_rinv)
    dr = _mm(L.sub(qt_dx_rinv, do), r)
    return dq, dr


def _slice_last2(x, rows, cols):
    """x[..., rows[0]:rows[1], cols[0]:cols[1]]."""
    shape = _shape(x)
    nb = len(shape) - 2
    return L.slice(x, (0,) * nb + (rows[0], cols[0]), shape[:-2] + (rows[1], cols[1]))


def _qr_jvp(primals, tangents, *, full_matrices):
    x, = primals
    dx = instantiate(tangents[0])
    q, r = qr_p.bind(x, full_matrices=full_matrices)
    m, n = _shape(x)[-2:]
    if m < n:
        # X = [X1 X2]: X1 = Q R1 is square; R2 = Q^H X2.
        x2 = _slice_last2(x, (0, m), (m, n))
        dx1 = _slice_last2(dx, (0, m), (0, m))
        dx2 = _slice_last2(dx, (0, m), (m, n))
        r1 = _slice_last2(r, (0, m), (0, m))
        dq, dr1 = _thin_qr_jvp(q, r1, dx1)
        dr2 = L.add(_mm(_H(dq), x2), _mm(_H(q), dx2))
        return [q, r], [dq, L.concatenate([dr1, dr2], _ndim(dr1) - 1)]
    q_mn = _slice_last2(q, (0, m), (0, n)) if full_matrices else q
    r_nn = _slice_last2(r, (0, n), (0, n)) if full_matrices else r
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, r_nn, dx)
    if not full_matrices or m == n:
        return [q, r], [dq_mn, dr_nn]
    # Full Q of a tall matrix (Roberts & Roberts, arXiv:2409.13374, eqs. 32-33).
    q_nn = _slice_last2(q_mn, (0, n), (0, n))
    q_pn = _slice_last2(q_mn, (n, m), (0, n))
    q_mp = _slice_last2(q, (0, m), (n, m))
    dq_nn = _slice_last2(dq_mn, (0, n), (0, n))
    dq_pn = _slice_last2(dq_mn, (n, m), (0, n))
    batch = _shape(x)[:-2]
    lu_f, _, perm = lu(L.sub(q_nn, _eye(_dtype(q), n, batch=batch)))
    z_pn_h = lu_solve(lu_f, perm, _H(q_pn), trans=2)
    z_pn = _H(z_pn_h)
    dq_mp = L.sub(_mm(dq_mn, z_pn_h),
                  _mm(L.add(q_mn, _mm(q_mp, z_pn)), _H(L.sub(dq_pn, _mm(z_pn, dq_nn)))))
    dq = L.concatenate([dq_mn, dq_mp], _ndim(dq_mn) - 1)
    dr = L.concatenate([dr_nn, _zeros(batch + (m - n, n), _dtype(dr_nn))], _ndim(dr_nn) - 2)
    return [q, r], [dq, dr]


qr_p = Primitive("qr", multiple_results=True)
register(qr_p, impl=_qr_impl, abstract_eval=_qr_abstract, jvp=_qr_jvp,
         batch=_single_batch_rule(qr_p), weak_type=_strong_multi(2))


def _qr_pivots_2d(a):
    """The column order of LAPACK's geqp3 for one (m, n) matrix: at step i the remaining
    column with the largest norm once the columns already chosen are projected out (the
    first such column on ties), swapped into place i as geqp3 swaps it.  Written in lax
    control flow, so it composes with jit and vmap; the order is piecewise constant, so
    it carries no derivative.  Past the numerical rank the remaining norms are rounding
    noise, and the order of those columns may differ from LAPACK's."""
    import pyjax.numpy as jnp
    from pyjax._src.lax.control_flow import fori_loop
    m, n = _shape(a)
    idx = jnp.arange(n, dtype=np.int32)

    def sqnorms(r):
        return jnp.sum(jnp.real(r * jnp.conj(r)), axis=0)

    def project_out(q, res):
        return res - jnp.outer(q, jnp.matmul(jnp.conj(q), res))

    def body(i, carry):
        res, perm = carry
        j = jnp.argmax(jnp.where(idx >= i, sqnorms(res), -1)).astype(np.int32)
        swap = jnp.where(idx == i, j, jnp.where(idx == j, i, idx))
        res, perm = res[:, swap], perm[swap]
        col = res[:, i]
        nrm = jnp.sqrt(jnp.sum(jnp.real(col * jnp.conj(col))))
        q = jnp.where(nrm > 0, col / jnp.where(nrm > 0, nrm, 1).astype(col.dtype), 0)
        # twice: one classical Gram-Schmidt projection loses orthogonality
        return project_out(q, project_out(q, res)), perm

    _, perm = fori_loop(0, min(m, n), body, (a, idx))
    return perm


def _qr_pivots(x):
    from pyjax._src import api
    m, n = _shape(x)[-2:]
    if m == 0 or n == 0:  # as JAX: no pivoting of an empty matrix
        return L.full(_shape(x)[:-2] + (n,), 0, _i32)
    fn = _qr_pivots_2d
    for _ in range(_ndim(x) - 2):
        fn = api.vmap(fn)
    return fn(L.stop_gradient(x))


def qr(x, *, pivoting=False, full_matrices=True, use_magma=None):
    """QR decomposition A = Q R: Q (..., m, m) and R (..., m, n) with full_matrices, else
    Q (..., m, k) and R (..., k, n) with k = min(m, n).  With pivoting, (q, r, p) with
    A[..., :, p] = Q R and int32 p chosen as LAPACK's geqp3 chooses it (the diagonal of R
    non-increasing in magnitude); derivatives flow through Q and R with p held fixed."""
    x = L.asarray(x)
    if not pivoting:
        q, r = _bind(qr_p, x, full_matrices=bool(full_matrices))
        return q, r
    _check_matrix("qr", _aval(x))
    import pyjax.numpy as jnp
    p = _qr_pivots(x)
    xp = jnp.take_along_axis(x, L.expand_dims(p, (_ndim(p) - 1,)), axis=-1)
    q, r = _bind(qr_p, xp, full_matrices=bool(full_matrices))
    return q, r, p


# ---------------------------------------------------------------------------
# geqrf (QR in LAPACK's packed form)


def _geqrf_one(a):
    m, n = a.shape
    k = min(m, n)
    if a.size == 0:
        return a.copy(), np.zeros(k, a.dtype)
    geqrf = _lapack.get_lapack_funcs("geqrf", (a,))
    qr_, tau, _, info = geqrf(a)
    return qr_, tau[:k]


def _geqrf_impl(x):
    m, n = x.shape[-2:]
    return _loop(x.shape[:-2], [((m, n), x.dtype), ((min(m, n),), x.dtype)], _geqrf_one, x)


def _geqrf_abstract(x):
    _check_matrix("geqrf", x)
    m, n = x.shape[-2:]
    return [(x.shape, x.dtype), (x.shape[:-2] + (min(m, n),), x.dtype)]


geqrf_p = Primitive("geqrf", multiple_results=True)


def geqrf(a):
    """QR in LAPACK's packed form: (r with the Householder vectors below it, taus)."""
    return tuple(_bind(geqrf_p, L.asarray(a)))


# ---------------------------------------------------------------------------
# householder_product


def _householder_product_one(a, taus):
    m, n = a.shape
    if a.size == 0:
        return (np.eye(m, n, dtype=a.dtype),)
    orgqr = _lapack.get_lapack_funcs("ungqr" if np.iscomplexobj(a) else "orgqr", (a,))
    k = taus.shape[-1]
    if k < n:
        taus = np.concatenate([taus, np.zeros(n - k, taus.dtype)])
    q, _, info = orgqr(a, taus)
    return (q,)


def _householder_product_impl(a, taus):
    return _loop(a.shape[:-2], [(a.shape[-2:], a.dtype)], _householder_product_one, a, taus)[0]


def _householder_product_abstract(a, taus):
    _check_matrix("householder_product", a)
    if taus.dtype != a.dtype:
        raise TypeError("householder_product: a and taus must have one dtype")
    m, n = a.shape[-2:]
    if m < n:
        raise ValueError(f"householder_product requires m >= n, got shape {a.shape}")
    if taus.shape[:-1] != a.shape[:-2] or taus.shape[-1] > min(m, n):
        raise ValueError(f"householder_product: taus of shape {taus.shape} do not match a of "
                         f"shape {a.shape}")
    return a.shape, a.dtype


def _no_jvp(name):
    def rule(primals, tangents, **params):
        raise NotImplementedError(f"Differentiation rule for '{name}' not implemented "
                                  "(as in JAX)")
    return rule


householder_product_p = Primitive("householder_product")
register(householder_product_p, impl=_householder_product_impl,
         abstract_eval=_householder_product_abstract, jvp=_no_jvp("householder_product"),
         batch=_broadcast_batch_rule(householder_product_p), weak_type=_strong)


register(geqrf_p, impl=_geqrf_impl, abstract_eval=_geqrf_abstract, jvp=_no_jvp("geqrf"),
         batch=_single_batch_rule(geqrf_p), weak_type=_strong_multi(2))


def householder_product(a, taus):
    """The unitary matrix of the product of Householder reflectors packed below the
    diagonal of a (..., m, n) with scale factors taus (..., k)."""
    return _bind(householder_product_p, L.asarray(a), L.asarray(taus))


# ---------------------------------------------------------------------------
# eigh


def _eigh_one(a, lower, subset_by_index):
    n = a.shape[-1]
    rdt = _real_dtype(a.dtype)
    lo, hi = (0, n) if subset_by_index is None else subset_by_index
    if n == 0:
        return np.zeros((0, 0), a.dtype), np.zeros(0, rdt)
    evd = _lapack.get_lapack_funcs("heevd" if np.iscomplexobj(a) else "syevd", (a,))
    w, v, info = evd(a, compute_v=1, lower=int(lower))
    if info != 0:
        return _nan_like((n, hi - lo), a.dtype), _nan_like((hi - lo,), rdt)
    return v[:, lo:hi], w[lo:hi]


def _eigh_impl(x, *, lower, sort_eigenvalues, subset_by_index):
    n = x.shape[-1]
    d = n if subset_by_index is None else subset_by_index[1] - subset_by_index[0]
    return _loop(x.shape[:-2], [((n, d), x.dtype), ((d,), _real_dtype(x.dtype))],
                 lambda a: _eigh_one(a, lower, subset_by_index), x)


def _eigh_abstract(x, *, lower, sort_eigenvalues, subset_by_index):
    _check_matrix("eigh", x, square=True)
    n = x.shape[-1]
    if subset_by_index is None:
        d = n
    else:
        lo, hi = subset_by_index
        if not 0 <= lo <= hi <= n:
            raise ValueError(f"eigh: subset_by_index {subset_by_index} out of range for "
                             f"matrices of size {n}")
        d = hi - lo
    b = x.shape[:-2]
    return [(b + (n, d), x.dtype), (b + (d,), _real_dtype(x.dtype))]


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues, subset_by_index):
    a, = primals
    n = _shape(a)[-1]
    if not (subset_by_index is None or tuple(subset_by_index) == (0, n)):
        raise NotImplementedError("Derivatives not defined for partial eigen decomposition.")
    a_dot = _sym_tangent(instantiate(tangents[0]), lower)
    v, w_real = eigh_p.bind(a, lower=lower, sort_eigenvalues=sort_eigenvalues,
                            subset_by_index=subset_by_index)
    dt = _dtype(a)
    w = _cast(w_real, dt)
    # F_ij = 1 / (w_j - w_i) off the diagonal, 0 on it (inf where eigenvalues repeat).
    eye = _bcast_to(_eye(dt, n), _shape(v))
    diff = L.sub(_bcast_to(_row_vec(w), _shape(v)), _bcast_to(_col_vec(w), _shape(v)))
    fmat = L.sub(L.integer_pow(L.add(eye, diff), -1), eye)
    vdag_adot_v = _mm(_mm(_H(v), a_dot), v)
    dv = _mm(v, L.mul(fmat, vdag_adot_v))
    dw = _real(_diag(vdag_adot_v))
    return [v, w_real], [dv, dw]


eigh_p = Primitive("eigh", multiple_results=True)
register(eigh_p, impl=_eigh_impl, abstract_eval=_eigh_abstract, jvp=_eigh_jvp,
         batch=_single_batch_rule(eigh_p), weak_type=_strong_multi(2))


class EigImplementation(enum.Enum):
    """Backends JAX can use for eig; pyjax has one (LAPACK through SciPy), any is accepted."""
    CUSOLVER = "cusolver"
    MAGMA = "magma"
    LAPACK = "lapack"


class EighImplementation(enum.Enum):
    """Algorithms JAX can use for eigh; pyjax always uses LAPACK's, any is accepted."""
    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


class SvdAlgorithm(enum.Enum):
    """Algorithms JAX can use for svd; pyjax always uses LAPACK's gesdd, any is accepted."""
    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None,
         implementation=None):
    """Eigendecomposition of Hermitian matrices: (v, w) with eigenvalues w ascending and
    eigenvectors in the columns of v."""
    x = L.asarray(x)
    _check_matrix("eigh", _aval(x), square=True)
    if symmetrize_input:
        x = symmetrize(x)
    sbi = None if subset_by_index is None else tuple(int(i) for i in subset_by_index)
    v, w = _bind(eigh_p, x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues),
                 subset_by_index=sbi)
    return v, w


# ---------------------------------------------------------------------------
# eig


def _unpack_real_eigvecs(wi, v):
    """LAPACK stores a complex-conjugate pair of eigenvectors of a real matrix as two real
    columns (re, im)."""
    out = v.astype(_complex_dtype(v.dtype))
    n = wi.shape[0]
    j = 0
    while j < n:
        if wi[j] != 0 and j + 1 < n:
            re, im = v[:, j], v[:, j + 1]
            out[:, j] = re + 1j * im
            out[:, j + 1] = re - 1j * im
            j += 2
        else:
            j += 1
    return out


def _eig_one(a, left, right):
    n = a.shape[-1]
    cdt = _complex_dtype(a.dtype)
    if n == 0:
        return (np.zeros(0, cdt),) + (np.zeros((0, 0), cdt),) * (left + right)
    geev = _lapack.get_lapack_funcs("geev", (a,))
    bad = not np.all(np.isfinite(a))
    if np.iscomplexobj(a):
        w, vl, vr, info = geev(a, compute_vl=1, compute_vr=1)
    else:
        wr, wi, vl, vr, info = geev(a, compute_vl=1, compute_vr=1)
        w = (wr + 1j * wi).astype(cdt)
        vl, vr = _unpack_real_eigvecs(wi, vl), _unpack_real_eigvecs(wi, vr)
    if info != 0 or bad:
        w, vl, vr = (_nan_like(w.shape, cdt), _nan_like((n, n), cdt), _nan_like((n, n), cdt))
    out = [w]
    if left:
        out.append(vl)
    if right:
        out.append(vr)
    return out


def _eig_impl(x, *, compute_left_eigenvectors, compute_right_eigenvectors,
              enable_eigvec_derivs=False):
    n = x.shape[-1]
    cdt = _complex_dtype(x.dtype)
    n_vecs = compute_left_eigenvectors + compute_right_eigenvectors
    outs = [((n,), cdt)] + [((n, n), cdt)] * n_vecs
    return _loop(x.shape[:-2], outs, lambda a: _eig_one(a, compute_left_eigenvectors,
                                                        compute_right_eigenvectors), x)


def _eig_abstract(x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                  enable_eigvec_derivs=False):
    _check_matrix("eig", x, square=True)
    n = x.shape[-1]
    b = x.shape[:-2]
    cdt = _complex_dtype(x.dtype)
    return [(b + (n,), cdt)] + [(b + (n, n), cdt)] * (compute_left_eigenvectors
                                                     + compute_right_eigenvectors)


def _eig_vec_jvp(w, v, da):
    """Eigenvalue and eigenvector tangents under LAPACK's normalisation (unit 2-norm, the
    largest-magnitude component real); valid for distinct eigenvalues."""
    n = _shape(w)[-1]
    dt = _dtype(w)
    shape = _shape(v)
    eye = _bcast_to(_eye(dt, n), shape)
    diff = L.sub(_bcast_to(_row_vec(w), shape), _bcast_to(_col_vec(w), shape))
    fmat = L.sub(L.integer_pow(L.add(eye, diff), -1), eye)
    p = _mm(_solve_lu(v, da), v)
    dw = _diag(p)
    u = _mm(v, L.mul(fmat, p))
    nd = len(shape)
    k = L.argmax(L.abs(v), nd - 2, _i32)
    mask = L.convert_element_type(
        L.eq(L.broadcasted_iota(_i32, shape, nd - 2),
             L.broadcast_in_dim(k, shape, tuple(i for i in range(nd) if i != nd - 2))), dt)
    re = L.neg(L.real(L.reduce_sum(L.mul(L.conj(v), u), (nd - 2,))))
    im = L.neg(L.div(L.imag(L.reduce_sum(L.mul(mask, u), (nd - 2,))),
                     L.real(L.reduce_sum(L.mul(mask, v), (nd - 2,)))))
    c = L.complex(re, im)
    return dw, L.add(u, L.mul(v, _bcast_to(_row_vec(c), shape)))


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs=False):
    a, = primals
    if (compute_left_eigenvectors or compute_right_eigenvectors) and not enable_eigvec_derivs:
        raise NotImplementedError(
            "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the "
            "input that cannot be checked (distinct eigenvalues); pass "
            "enable_eigvec_derivs=True to lax.linalg.eig to opt in.")
    outs = eig_p.bind(a, compute_left_eigenvectors=compute_left_eigenvectors,
                      compute_right_eigenvectors=True,
                      enable_eigvec_derivs=enable_eigvec_derivs)
    w, vr = outs[0], outs[-1]
    da = _cast(instantiate(tangents[0]), _dtype(vr))
    if not (compute_left_eigenvectors or compute_right_eigenvectors):
        # dw = diag(V^{-1} dA V)
        dw = L.reduce_sum(L.mul(_solve_lu(vr, da), _T(vr)), (_ndim(vr) - 1,))
        return [w], [dw]
    dw, dvr = _eig_vec_jvp(w, vr, da)
    primal_out, tangent_out = [w], [dw]
    if compute_left_eigenvectors:
        vl = outs[1]
        _, dvl = _eig_vec_jvp(L.conj(w), vl, _H(da))
        primal_out.append(vl)
        tangent_out.append(dvl)
    if compute_right_eigenvectors:
        primal_out.append(vr)
        tangent_out.append(dvr)
    return primal_out, tangent_out


eig_p = Primitive("eig", multiple_results=True)
register(eig_p, impl=_eig_impl, abstract_eval=_eig_abstract, jvp=_eig_jvp,
         batch=_single_batch_rule(eig_p),
         weak_type=_strong_multi(lambda p: 1 + p["compute_left_eigenvectors"]
                                 + p["compute_right_eigenvectors"]))


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True,
        enable_eigvec_derivs=False, implementation=None, use_magma=None):
    """Eigendecomposition of general square matrices (CPU): [w, vl, vr] (eigenvectors as
    asked for), complex, in LAPACK's order and normalisation."""
    return _bind(eig_p, L.asarray(x), compute_left_eigenvectors=bool(compute_left_eigenvectors),
                      compute_right_eigenvectors=bool(compute_right_eigenvectors),
                      enable_eigvec_derivs=bool(enable_eigvec_derivs))


# ---------------------------------------------------------------------------
# svd


def _svd_one(a, full_matrices, compute_uv, subset_by_index):
    m, n = a.shape
    k = min(m, n)
    rdt = _real_dtype(a.dtype)
    lo, hi = (0, k) if subset_by_index is None else (subset_by_index[0], min(k, subset_by_index[1]))
    ku = m if full_matrices else hi - lo
    kv = n if full_matrices else hi - lo
    if a.size == 0:
        s = np.zeros(0, rdt)
        if not compute_uv:
            return (s,)
        return s, np.eye(m, ku, dtype=a.dtype), np.eye(kv, n, dtype=a.dtype)
    gesdd = _lapack.get_lapack_funcs("gesdd", (a,))
    bad = not np.all(np.isfinite(a))
    u, s, vt, info = gesdd(a, compute_uv=int(compute_uv), full_matrices=int(full_matrices))
    if info != 0 or bad:
        s = _nan_like((k,), rdt)
        u, vt = _nan_like((m, m if full_matrices else k), a.dtype), \
            _nan_like((n if full_matrices else k, n), a.dtype)
    s = s[lo:hi]
    if not compute_uv:
        return (s,)
    if not full_matrices:
        u, vt = u[:, lo:hi], vt[lo:hi, :]
    return s, u, vt


def _svd_shapes(shape, full_matrices, compute_uv, subset_by_index):
    m, n = shape[-2:]
    k = min(m, n)
    if subset_by_index is not None:
        lo, hi = subset_by_index
        if full_matrices and tuple(subset_by_index) != (0, k):
            raise ValueError("full_matrices and subset_by_index cannot both be set")
        if not 0 <= lo <= hi:
            raise ValueError(f"svd: invalid subset_by_index {subset_by_index}")
        k = min(k, hi) - lo
    if not compute_uv:
        return [(k,)]
    return [(k,), (m, m if full_matrices else k), (n if full_matrices else k, n)]


def _svd_impl(x, *, full_matrices, compute_uv, subset_by_index):
    shapes = _svd_shapes(x.shape, full_matrices, compute_uv, subset_by_index)
    dts = [_real_dtype(x.dtype), x.dtype, x.dtype]
    return _loop(x.shape[:-2], list(zip(shapes, dts)),
                 lambda a: _svd_one(a, full_matrices, compute_uv, subset_by_index), x)


def _svd_abstract(x, *, full_matrices, compute_uv, subset_by_index):
    _check_matrix("svd", x)
    shapes = _svd_shapes(x.shape, full_matrices, compute_uv, subset_by_index)
    dts = [_real_dtype(x.dtype), x.dtype, x.dtype]
    b = x.shape[:-2]
    return [(b + s, d) for s, d in zip(shapes, dts)]


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, subset_by_index):
    a, = primals
    da = instantiate(tangents[0])
    m, n = _shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            "Singular value decomposition JVP not implemented for full matrices")
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True,
                          subset_by_index=subset_by_index)
    dt = _dtype(a)
    ut, v = _H(u), _H(vt)
    ds_mat = _mm(_mm(ut, da), v)
    ds = _real(_diag(ds_mat))
    if not compute_uv:
        return [s], [ds]
    k = _shape(s)[-1]
    kshape = _shape(s)[:-1] + (k, k)
    s_row = _bcast_to(_row_vec(s), kshape)
    s_col = _bcast_to(_col_vec(s), kshape)
    s_diffs = L.mul(L.add(s_row, s_col), L.sub(s_row, s_col))
    eye_r = _bcast_to(_eye(_dtype(s), k), kshape)
    fmat = L.sub(L.div(L.full(kshape, 1, _dtype(s)), L.add(s_diffs, eye_r)), eye_r)
    s_row_c = _cast(s_row, dt)
    dss = L.mul(s_row_c, ds_mat)          # dS diag(s)
    sds = L.mul(_cast(s_col, dt), ds_mat)  # diag(s) dS
    s_zeros = L.convert_element_type(L.eq(s, L.full(_shape(s), 0, _dtype(s))), _dtype(s))
    s_inv = L.sub(L.div(L.full(_shape(s), 1, _dtype(s)), L.add(s, s_zeros)), s_zeros)
    s_inv_mat = _cast(_construct_diag(s_inv), dt)
    half = L.full(kshape, 0.5, dt)
    dudv_diag = L.mul(L.mul(half, L.sub(ds_mat, _H(ds_mat))), s_inv_mat)
    f_c = _cast(fmat, dt)
    du = _mm(u, L.add(L.mul(f_c, L.add(dss, _H(dss))), dudv_diag))
    dv = _mm(v, L.mul(f_c, L.add(sds, _H(sds))))
    if m > n:
        dav = _mm(da, v)
        du = L.add(du, L.div(L.sub(dav, _mm(u, _mm(ut, dav))), _bcast_to(_cast(_row_vec(s), dt),
                                                                             _shape(dav))))
    if n > m:
        dahu = _mm(_H(da), u)
        dv = L.add(dv, L.div(L.sub(dahu, _mm(v, _mm(vt, dahu))),
                             _bcast_to(_cast(_row_vec(s), dt), _shape(dahu))))
    return [s, u, vt], [ds, du, _H(dv)]


svd_p = Primitive("svd", multiple_results=True)
register(svd_p, impl=_svd_impl, abstract_eval=_svd_abstract, jvp=_svd_jvp,
         batch=_single_batch_rule(svd_p),
         weak_type=_strong_multi(lambda p: 3 if p["compute_uv"] else 1))


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    """Singular value decomposition: (u, s, vh) with compute_uv, else s (descending)."""
    sbi = None if subset_by_index is None else tuple(int(i) for i in subset_by_index)
    out = _bind(svd_p, L.asarray(x), full_matrices=bool(full_matrices), compute_uv=bool(compute_uv),
                     subset_by_index=sbi)
    if compute_uv:
        s, u, vh = out
        return u, s, vh
    return out[0]


# ---------------------------------------------------------------------------
# schur


def _schur_one(a, compute_schur_vectors):
    n = a.shape[-1]
    if n == 0:
        return (a.copy(), a.copy()) if compute_schur_vectors else (a.copy(),)
    if not np.all(np.isfinite(a)):
        t = z = _nan_like(a.shape, a.dtype)
    else:
        t, z = sla.schur(a, output="complex" if np.iscomplexobj(a) else "real",
                         check_finite=False)
    return (t, z) if compute_schur_vectors else (t,)


def _schur_impl(x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    n = 2 if compute_schur_vectors else 1
    return _loop(x.shape[:-2], [(x.shape[-2:], x.dtype)] * n,
                 lambda a: _schur_one(a, compute_schur_vectors), x)


def _schur_abstract(x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    _check_matrix("schur", x, square=True)
    return [(x.shape, x.dtype)] * (2 if compute_schur_vectors else 1)


schur_p = Primitive("schur", multiple_results=True)
register(schur_p, impl=_schur_impl, abstract_eval=_schur_abstract, jvp=_no_jvp("schur"),
         batch=_single_batch_rule(schur_p),
         weak_type=_strong_multi(lambda p: 2 if p["compute_schur_vectors"] else 1))


def schur(x, *, compute_schur_vectors=True, sort_eig_vals=False, select_callable=None):
    """Schur decomposition A = Q T Q^H (real Schur form for real input): (T, Q)."""
    if sort_eig_vals:
        raise NotImplementedError("The sort feature of LAPACK's gees routine is not implemented.")
    out = _bind(schur_p, L.asarray(x), compute_schur_vectors=bool(compute_schur_vectors),
                       sort_eig_vals=False, select_callable=None)
    return tuple(out) if compute_schur_vectors else out[0]


# ---------------------------------------------------------------------------
# hessenberg


def _hessenberg_one(a):
    n = a.shape[-1]
    if n <= 1:
        return a.copy(), np.zeros(max(n - 1, 0), a.dtype)
    gehrd = _lapack.get_lapack_funcs("gehrd", (a,))
    ht, tau, info = gehrd(a, lo=0, hi=n - 1)
    return ht, tau[:n - 1]


def _hessenberg_impl(x):
    n = x.shape[-1]
    return _loop(x.shape[:-2], [((n, n), x.dtype), ((max(n - 1, 0),), x.dtype)],
                 _hessenberg_one, x)


def _hessenberg_abstract(x):
    _check_matrix("hessenberg", x, square=True)
    n = x.shape[-1]
    return [(x.shape, x.dtype), (x.shape[:-2] + (max(n - 1, 0),), x.dtype)]


hessenberg_p = Primitive("hessenberg", multiple_results=True)
register(hessenberg_p, impl=_hessenberg_impl, abstract_eval=_hessenberg_abstract,
         jvp=_no_jvp("hessenberg"), batch=_single_batch_rule(hessenberg_p),
         weak_type=_strong_multi(2))


def hessenberg(a):
    """Reduction to upper Hessenberg form (CPU): (a, taus), the Hessenberg matrix in the
    upper triangle and first subdiagonal, Householder reflectors below."""
    return tuple(_bind(hessenberg_p, L.asarray(a)))


# ---------------------------------------------------------------------------
# tridiagonal (reduction of Hermitian matrices)


def _tridiagonal_one(a, lower):
    n = a.shape[-1]
    rdt = _real_dtype(a.dtype)
    if n == 0:
        return a.copy(), np.zeros(0, rdt), np.zeros(0, rdt), np.zeros(0, a.dtype)
    trd = _lapack.get_lapack_funcs("hetrd" if np.iscomplexobj(a) else "sytrd", (a,))
    c, d, e, tau, info = trd(a, lower=int(lower))
    return c, d, e, tau


def _tridiagonal_impl(x, *, lower):
    n = x.shape[-1]
    rdt = _real_dtype(x.dtype)
    k = max(n - 1, 0)
    return _loop(x.shape[:-2], [((n, n), x.dtype), ((n,), rdt), ((k,), rdt), ((k,), x.dtype)],
                 lambda a: _tridiagonal_one(a, lower), x)


def _tridiagonal_abstract(x, *, lower):
    _check_matrix("tridiagonal", x, square=True)
    n = x.shape[-1]
    b = x.shape[:-2]
    rdt = _real_dtype(x.dtype)
    k = max(n - 1, 0)
    return [(x.shape, x.dtype), (b + (n,), rdt), (b + (k,), rdt), (b + (k,), x.dtype)]


tridiagonal_p = Primitive("tridiagonal", multiple_results=True)
register(tridiagonal_p, impl=_tridiagonal_impl, abstract_eval=_tridiagonal_abstract,
         jvp=_no_jvp("tridiagonal"), batch=_single_batch_rule(tridiagonal_p),
         weak_type=_strong_multi(4))


def tridiagonal(a, *, lower=True):
    """Reduction of Hermitian matrices to tridiagonal form: (a, d, e, taus)."""
    return tuple(_bind(tridiagonal_p, L.asarray(a), lower=bool(lower)))


# ---------------------------------------------------------------------------
# tridiagonal_solve


def _gtsv_one(dl, d, du, b):
    m = d.shape[-1]
    if b.size == 0 or m == 0:
        return (np.zeros(b.shape, b.dtype),)
    if m == 1:
        return ((b / d[0]).astype(b.dtype),)
    gtsv = _lapack.get_lapack_funcs("gtsv", (d, b))
    _, _, _, x, info = gtsv(dl[1:], d, du[:-1], b)
    if info != 0:
        return (_nan_like(b.shape, b.dtype),)
    return (x,)


def _gtsv_perturbed_one(dl, d, du, b):
    """LU with partial pivoting (gttrf), zero or denormal pivots of U replaced by
    eps * max |U(i, j)| (with the pivot's sign), then the solve (gttrs): a finite solution
    for a singular system, as JAX's perturb_singular (LAPACK's dlagts with a default tol)."""
    m = d.shape[-1]
    if b.size == 0 or m == 0:
        return (np.zeros(b.shape, b.dtype),)
    if m == 1:
        dl, du = np.zeros(1, d.dtype), np.zeros(1, d.dtype)
        lf, df, uf, u2, ipiv = dl[:0], d.copy(), du[:0], du[:0], np.ones(1, np.int32)
    else:
        gttrf = _lapack.get_lapack_funcs("gttrf", (d,))
        lf, df, uf, u2, ipiv, _ = gttrf(dl[1:], d, du[:-1])
    fin = np.finfo(d.dtype)
    umax = max(np.abs(df).max(initial=0), np.abs(uf).max(initial=0), np.abs(u2).max(initial=0))
    pert = fin.eps * umax if umax > 0 else fin.tiny
    tiny = np.abs(df) <= fin.tiny
    if tiny.any():
        phase = np.where(df == 0, 1, df / np.where(df == 0, 1, np.abs(df)))
        df = np.where(tiny, phase * pert, df).astype(d.dtype)
    if m == 1:
        return ((b / df[0]).astype(b.dtype),)
    gttrs = _lapack.get_lapack_funcs("gttrs", (d, b))
    x, _ = gttrs(lf, df, uf, u2, ipiv, b)
    return (x,)


def _tridiagonal_solve_impl(dl, d, du, b, *, perturb_singular=False):
    one = _gtsv_perturbed_one if perturb_singular else _gtsv_one
    return _loop(b.shape[:-2], [(b.shape[-2:], b.dtype)], one, dl, d, du, b)[0]


def _tridiagonal_solve_abstract(dl, d, du, b, *, perturb_singular=False):
    for x in (dl, d, du, b):
        _check_inexact("tridiagonal_solve", x.dtype)
    if not dl.dtype == d.dtype == du.dtype == b.dtype:
        raise TypeError("tridiagonal_solve: dl, d, du and b must have one dtype, got "
                        f"{dl.dtype}, {d.dtype}, {du.dtype}, {b.dtype}")
    if not dl.shape == d.shape == du.shape:
        raise ValueError("tridiagonal_solve: dl, d and du must have one shape, got "
                         f"{dl.shape}, {d.shape}, {du.shape}")
    if b.ndim != d.ndim + 1 or b.shape[:-1] != d.shape:
        raise ValueError(f"tridiagonal_solve: b of shape {b.shape} must be [..., m, n] for "
                         f"diagonals of shape {d.shape}")
    return b.shape, b.dtype


def _tridiagonal_product(dl, d, du, b):
    """The tridiagonal matrix (dl, d, du) times b (..., m, n)."""
    shape = _shape(b)
    y = L.mul(_bcast_to(_expand_last(d), shape), b)
    nd = len(shape)
    m = shape[-2]
    if m > 1:
        zero = L.full((), 0, _dtype(b))
        # (A b)[i] += dl[i] b[i-1] + du[i] b[i+1]
        b_up = L.pad(L.slice(b, (0,) * nd, shape[:-2] + (m - 1, shape[-1])), zero,
                     [(0, 0, 0)] * (nd - 2) + [(1, 0, 0), (0, 0, 0)])
        b_dn = L.pad(L.slice(b, (0,) * (nd - 2) + (1, 0), shape), zero,
                     [(0, 0, 0)] * (nd - 2) + [(0, 1, 0), (0, 0, 0)])
        y = L.add(y, L.add(L.mul(_bcast_to(_expand_last(dl), shape), b_up),
                           L.mul(_bcast_to(_expand_last(du), shape), b_dn)))
    return y


def _tridiagonal_solve_jvp(primals, tangents, **params):
    dl, d, du, b = primals
    *diag_dots, b_dot = tangents
    ans = tridiagonal_solve_p.bind(dl, d, du, b, **params)
    if all(type(t) is Zero for t in diag_dots):
        rhs = b_dot
        if type(rhs) is Zero:
            return ans, Zero(_aval(ans))
    else:
        prod = _tridiagonal_product(*[instantiate(t) for t in diag_dots], ans)
        rhs = L.neg(prod) if type(b_dot) is Zero else L.sub(b_dot, prod)
    return ans, tridiagonal_solve_p.bind(dl, d, du, rhs, **params)


def _tridiagonal_solve_transpose(ct, dl, d, du, b, **params):
    if any(is_undefined(x) for x in (dl, d, du)):
        raise NotImplementedError("tridiagonal_solve is linear in b only")
    if type(ct) is Zero:
        return [None, None, None, Zero(b.aval)]
    shape = _shape(du)
    nd = len(shape)
    m = shape[-1]
    zero = L.full((), 0, _dtype(du))
    # The transposed matrix has dl' = (0, du[:-1]) and du' = (dl[1:], 0).
    dl_t = L.pad(L.slice(du, (0,) * nd, shape[:-1] + (m - 1,)), zero,
                 [(0, 0, 0)] * (nd - 1) + [(1, 0, 0)])
    du_t = L.pad(L.slice(dl, (0,) * (nd - 1) + (1,), shape), zero,
                 [(0, 0, 0)] * (nd - 1) + [(0, 1, 0)])
    return [None, None, None, tridiagonal_solve_p.bind(dl_t, d, du_t, ct, **params)]


tridiagonal_solve_p = Primitive("tridiagonal_solve")
register(tridiagonal_solve_p, impl=_tridiagonal_solve_impl,
         abstract_eval=_tridiagonal_solve_abstract, jvp=_tridiagonal_solve_jvp,
         transpose=_tridiagonal_solve_transpose,
         batch=_broadcast_batch_rule(tridiagonal_solve_p), weak_type=_strong)


def tridiagonal_solve(dl, d, du, b, *, perturb_singular=False):
    """Solve the tridiagonal system A X = B; dl[i] = A[i, i-1] (dl[0] = 0), d the diagonal,
    du[i] = A[i, i+1] (du[m-1] = 0); b is (..., m, n)."""
    return _bind(tridiagonal_solve_p, L.asarray(dl), L.asarray(d), L.asarray(du), L.asarray(b),
                 perturb_singular=bool(perturb_singular))


# ---------------------------------------------------------------------------
# Compositions: symmetric_product, ormqr, cholesky_update


def symmetric_product(a_matrix, c_matrix, *, alpha=1.0, beta=0.0, symmetrize_output=False):
    """alpha A A^T + beta C for A (..., m, n) and symmetric C (..., m, m); with
    symmetrize_output the upper triangle is the transpose of the lower one."""
    a, c = L.asarray(a_matrix), L.asarray(c_matrix)
    _check_matrix("symmetric_product", _aval(a))
    _check_matrix("symmetric_product", _aval(c), square=True)
    if _shape(c)[-1] != _shape(a)[-2] or _dtype(a) != _dtype(c):
        raise TypeError(f"symmetric_product: a_matrix {_aval(a).str_short()} and c_matrix "
                        f"{_aval(c).str_short()} must have one dtype and c of shape "
                        "[..., m, m] for a of shape [..., m, n]")
    dt = _dtype(a)
    out = L.add(L.mul(L.full((), alpha, dt), _mm(a, _T(a))), L.mul(L.full((), beta, dt), c))
    if symmetrize_output:
        low = _tril(out)
        out = L.add(low, _T(_tril(out, -1)))
    return out


def ormqr(a, taus, c, *, left=True, transpose=False):
    """Q c, Q^H c (transpose, left), c Q or c Q^H (not left), with Q (m x m) the product of
    the Householder reflectors packed in a (..., m, n) and taus (..., k), as geqrf returns
    them (Q^T is the conjugate transpose for complex types, as LAPACK's unmqr)."""
    a, taus, c = L.asarray(a), L.asarray(taus), L.asarray(c)
    _check_matrix("ormqr", _aval(a))
    m, n = _shape(a)[-2:]
    nc = _shape(c)[-2] if left else _shape(c)[-1]
    if nc != m:
        raise ValueError(f"ormqr: c of shape {_shape(c)} does not match Q of order {m} "
                         f"(from a of shape {_shape(a)}, left={left})")
    # the full Q: reflectors in the first min(m, n) columns, no reflection past them
    if n >= m:
        sq = _slice_last2(a, (0, m), (0, m))
    else:
        sq = L.pad(a, L.full((), 0, _dtype(a)), [(0, 0, 0)] * (_ndim(a) - 1) + [(0, m - n, 0)])
    q = householder_product(sq, taus)
    if transpose:
        q = _H(q)
    return _mm(q, c) if left else _mm(c, q)


def _cholesky_update_2d(r, w):
    """Rank-one update of an upper Cholesky factor by Givens-like row operations: row k of
    the new R and the remaining part of w come from row k of R and w (LINPACK's dchud)."""
    import pyjax.numpy as jnp
    from pyjax._src.lax.control_flow import fori_loop
    n = _shape(r)[-1]
    idx = jnp.arange(n)

    def body(k, carry):
        r, w = carry
        rkk, wk = r[k, k], w[k]
        rho = jnp.sqrt(rkk * rkk + wk * wk)
        c, s = rho / rkk, wk / rkk
        later = idx > k
        row = jnp.where(later, (r[k] + s * w) / c, jnp.where(idx == k, rho, r[k]))
        w = jnp.where(later, c * w - s * row, jnp.where(idx == k, 0, w))
        r = jnp.where((idx == k)[:, None], row[None, :], r)
        return r, w
    r, _ = fori_loop(0, n, body, (r, w))
    return r


def cholesky_update(r_matrix, w_vector):
    """The upper Cholesky factor of R^T R + w w^T, from the upper factor R of a real
    matrix (..., n, n) and w (..., n), in O(n^2) operations per matrix."""
    from pyjax._src import api
    r, w = L.asarray(r_matrix), L.asarray(w_vector)
    _check_matrix("cholesky_update", _aval(r), square=True)
    if _is_complex(r) or _dtype(w) != _dtype(r):
        raise TypeError("cholesky_update needs a real floating-point r_matrix and a w_vector "
                        f"of its dtype, got {_aval(r).str_short()} and {_aval(w).str_short()}")
    if _shape(w) != _shape(r)[:-1]:
        raise ValueError(f"cholesky_update: w_vector of shape {_shape(w)} does not match "
                         f"r_matrix of shape {_shape(r)}")
    fn = _cholesky_update_2d
    for _ in range(_ndim(r) - 2):
        fn = api.vmap(fn)
    return fn(r, w)


# ---------------------------------------------------------------------------
# qdwh: polar decomposition by the QR-based dynamically weighted Halley iteration


def _qdwh_schedule(eps, max_iterations):
    """The static weights (a, b, c) of the iterations that move the lower bound l of the
    smallest singular value of the scaled matrix (l = eps at first) to 1 (Nakatsukasa,
    Bai & Gygi 2010), at most max_iterations of them."""
    tol_l = 5 * eps
    l, out = eps, []
    while l + tol_l < 1 and len(out) < max_iterations:
        l2 = l * l
        dd = (4 * (1 / l2 - 1) / l2) ** (1 / 3)
        sqd = (1 + dd) ** 0.5
        a = sqd + (2 - dd + 2 * (2 - l2) / (l2 * sqd)) ** 0.5
        b = (a - 1) ** 2 / 4
        c = a + b - 1
        l = l * (a + b * l2) / (1 + c * l2)
        out.append((a, b, c))
    return out


def _qdwh_2d(x, max_iterations, eps):
    import pyjax.numpy as jnp
    from pyjax._src.lax.control_flow import while_loop
    m, n = _shape(x)
    dt = _dtype(x)
    eps = float(np.finfo(dt).eps) if eps is None else float(eps)
    eye = _eye(dt, n)
    # scale so that the largest singular value is at most 1: sqrt(|x|_1 |x|_inf) >= |x|_2
    one, inf = (jnp.max(jnp.sum(jnp.abs(x), axis=ax)) for ax in (0, 1))
    scale = jnp.where(one == 0, 1, L.rsqrt(one) * L.rsqrt(inf))
    u = x * scale.astype(dt)

    def qr_step(u, a, b, c):
        # [sqrt(c) u; I] = [q1; q2] r:  u <- (b/c) u + (a - b/c)/sqrt(c) q1 q2^H
        q, _ = qr(jnp.concatenate([np.sqrt(c) * u, eye], axis=0), full_matrices=False)
        return (b / c) * u + ((a - b / c) / np.sqrt(c)) * _mm(q[:m], _H(q[m:]))

    def chol_step(u, a, b, c):
        # u <- (b/c) u + (a - b/c) u (I + c u^H u)^{-1}, through the Cholesky factor w
        w = cholesky(c * _mm(_H(u), u) + eye, symmetrize_input=False)
        z = triangular_solve(w, u, left_side=False, lower=True, transpose_a=True,
                             conjugate_a=True)
        z = triangular_solve(w, z, left_side=False, lower=True)
        return (b / c) * u + (a - b / c) * z

    tol_norm = (5 * eps) ** (1 / 3)
    not_converged = jnp.asarray(True)
    schedule = _qdwh_schedule(eps, max_iterations)
    for a, b, c in schedule:
        if c > 100:  # far from convergence: the QR form is the stable one
            u = qr_step(u, a, b, c)
        else:
            u_prev, u = u, chol_step(u, a, b, c)
            not_converged = jnp.linalg.norm(u - u_prev) > tol_norm

    def cond(state):
        k, _, nc = state
        return jnp.logical_and(nc, k < max_iterations)

    def body(state):  # l has reached 1: Halley's iteration (a, b, c) = (3, 1, 3)
        k, u, _ = state
        u_new = chol_step(u, 3.0, 1.0, 3.0)
        return k + 1, u_new, jnp.linalg.norm(u_new - u) > tol_norm

    k, u, not_converged = while_loop(cond, body, (len(schedule), u, not_converged))
    u = 1.5 * u - 0.5 * _mm(u, _mm(_H(u), u))  # one Newton-Schulz step
    h = _mm(_H(u), x)
    return u, (h + _H(h)) / 2, k, jnp.logical_not(not_converged)


def qdwh(x, *, is_hermitian=False, max_iterations=None, eps=None, dynamic_shape=None):
    """Polar decomposition x = u h of an (m, n) matrix, m >= n, by the QR-based dynamically
    weighted Halley iteration: (u, h, num_iters, is_converged).  With dynamic_shape
    (m', n'), only x[:m', :n'] is decomposed and the results are zero-padded."""
    import pyjax.numpy as jnp
    x = L.asarray(x)
    _check_matrix("qdwh", _aval(x))
    if _ndim(x) != 2:
        raise ValueError(f"qdwh: expected a matrix, got shape {_shape(x)}")
    M, N = _shape(x)
    if M < N:
        raise ValueError("The input matrix of shape M x N must have M >= N.")
    max_iterations = 10 if max_iterations is None else int(max_iterations)
    if dynamic_shape is None:
        return _qdwh_2d(x, max_iterations, eps)
    m, n = (int(d) for d in dynamic_shape)
    u, h, k, ok = _qdwh_2d(x[:m, :n], max_iterations, eps)
    zero = L.full((), 0, _dtype(x))
    return (L.pad(u, zero, [(0, M - m, 0), (0, N - n, 0)]),
            L.pad(h, zero, [(0, N - n, 0), (0, N - n, 0)]), k, ok)


__all__ = ["cholesky", "cholesky_p", "cholesky_update", "EigImplementation",
           "EighImplementation", "ormqr", "qdwh", "SvdAlgorithm", "symmetric_product", "eig",
           "eig_p", "eigh", "eigh_p", "hessenberg",
           "hessenberg_p", "householder_product", "householder_product_p", "lu", "lu_p",
           "geqrf", "geqrf_p",
           "lu_pivots_to_permutation", "lu_pivots_to_permutation_p", "qr", "qr_p", "schur",
           "schur_p", "svd", "svd_p", "triangular_solve", "triangular_solve_p", "tridiagonal",
           "tridiagonal_p", "tridiagonal_solve", "tridiagonal_solve_p", "lu_solve",
           "symmetrize"]
