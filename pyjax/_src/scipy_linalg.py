"""pyjax.scipy.linalg: SciPy's dense linear algebra with JAX's semantics.

Written with the linear-algebra primitives (pyjax._src.lax.linalg) and pyjax.numpy.linalg.
Like JAX: factorizations return their triangles with zeros in the other triangle, solves
accept batches, `solve(assume_a='pos')` differentiates through custom_linear_solve,
`expm` is a Pade approximant with scaling and squaring written in lax control flow (so
`expm_frechet` is its jvp), and `schur`, `sqrtm`, `rsf2csf`, `hessenberg` are CPU-only
LAPACK calls (as in JAX).
"""
import math
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.lax import linalg as lax_linalg
from pyjax._src.lax.linalg import (_H, _T, _cast, _construct_diag, _diag, _eye,
                                   _is_complex, _mm, _perm_matrix, _tril, _triu)
from pyjax._src.numpy import linalg as jnp_linalg
from pyjax._src.numpy import util


def _jnp():
    import pyjax.numpy as jnp
    return jnp


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return get_aval(x).ndim


def _dtype(x):
    return get_aval(x).dtype


def _inexact(name, *args):
    util.check_arraylike(name, *args)
    return util.promote_dtypes_inexact(*[util.asarray_arg(a) for a in args])


def _require_inexact(name, x):
    """JAX's dtype check for the routines that do not promote integers (the Schur and
    Hessenberg decompositions and what is built on them)."""
    util.check_arraylike(name, x)
    x = util.asarray_arg(x)
    if not dtypes.issubdtype(_dtype(x), np.inexact):
        raise TypeError(f"{name} does not accept dtype {_dtype(x).name} at position 0. "
                        "Accepted dtypes at position 0 are subtypes of floating, "
                        "complexfloating.")
    return x


def _check_solve_shapes(a, b):
    sa, sb = _shape(a), _shape(b)
    if not (len(sa) >= 2 and len(sb) in (len(sa), len(sa) - 1)
            and sa[-1] == sa[-2] == sb[len(sa) - 2]):
        raise ValueError("The arguments to solve must have shapes a=[..., m, m] and "
                         f"b=[..., m, k] or b=[..., m]; got a={sa} and b={sb}")


# ---------------------------------------------------------------------------
# Triangular and Cholesky solves


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     debug=None, check_finite=True):
    """Solve op(a) x = b for triangular a; trans 0/'N', 1/'T' or 2/'C'."""
    if trans in (0, "N"):
        transpose_a, conjugate_a = False, False
    elif trans in (1, "T"):
        transpose_a, conjugate_a = True, False
    elif trans in (2, "C"):
        transpose_a, conjugate_a = True, True
    else:
        raise ValueError(f"Invalid 'trans' value {trans}")
    a, b = _inexact("jax.scipy.linalg.solve_triangular", a, b)
    vector = _ndim(a) == _ndim(b) + 1
    if vector:
        b = lax.expand_dims(b, (_ndim(b),))
    out = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                      conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    if vector:
        out = lax.squeeze(out, (_ndim(out) - 1,))
    return out


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """Cholesky factor: upper U (a = U^H U) by default, lower L with lower=True."""
    a, = _inexact("jax.scipy.linalg.cholesky", a)
    low = lax_linalg.cholesky(a if lower else _H(a), symmetrize_input=False)
    return low if lower else _H(low)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """(c, lower) for cho_solve; the other triangle of c is zero (unlike SciPy's garbage)."""
    return cholesky(a, lower=lower), lower


def _cho_solve(c, b, lower):
    c, b = _inexact("jax.scipy.linalg.cho_solve", c, b)
    _check_solve_shapes(c, b)
    vector = _ndim(b) == _ndim(c) - 1
    if vector:
        b = lax.expand_dims(b, (_ndim(b),))
    c, b = lax_linalg._broadcast_batch(c, b, core_ranks=(2, 2))
    b = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower,
                                    conjugate_a=not lower)
    b = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=lower,
                                    conjugate_a=lower)
    if vector:
        b = lax.squeeze(b, (_ndim(b) - 1,))
    return b


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Solve a x = b from cho_factor(a)."""
    c, lower = c_and_lower
    return _cho_solve(c, b, lower)


# ---------------------------------------------------------------------------
# LU


def lu_factor(a, overwrite_a=False, check_finite=True):
    """(lu, piv) for lu_solve: packed L and U, and int32 row swaps."""
    a, = _inexact("jax.scipy.linalg.lu_factor", a)
    lu_, pivots, _ = lax_linalg.lu(a)
    return lu_, pivots


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """Solve a x = b (trans 0), a^T x = b (1) or a^H x = b (2) from lu_factor(a)."""
    lu_, pivots = lu_and_piv
    m = _shape(lu_)[-2]
    perm = lax_linalg.lu_pivots_to_permutation(pivots, m)
    return lax_linalg.lu_solve(lu_, perm, b, trans)


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """a = P L U: returns (p, l, u), or (p @ l, u) with permute_l."""
    a, = _inexact("jax.scipy.linalg.lu", a)
    lu_, _, permutation = lax_linalg.lu(a)
    dt = _dtype(a)
    m, n = _shape(a)[-2:]
    p = _T(_perm_matrix(permutation, dt))
    k = min(m, n)
    nb = _ndim(a) - 2
    batch = _shape(a)[:-2]
    l_ = lax.add(lax.slice(_tril(lu_, -1), (0,) * (nb + 2), batch + (m, k)),
                 _eye(dt, m, k, batch=batch))
    u = lax.slice(_triu(lu_), (0,) * (nb + 2), batch + (k, n))
    if permute_l:
        return _mm(p, l_), u
    return p, l_, u


# ---------------------------------------------------------------------------
# QR, SVD, eigen-decompositions, Schur, Hessenberg


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """QR decomposition; mode 'full', 'economic', 'r' (returns (r,)) or 'raw'.  With
    pivoting, the int32 column permutation p (a[:, p] = q r) is appended: (q, r, p), or
    (r, p) for mode 'r'."""
    a, = _inexact("jax.scipy.linalg.qr", a)
    if mode == "raw" and not pivoting:
        r, taus = lax_linalg.geqrf(a)
        return (r, taus), None
    if mode in ("full", "r"):
        full = True
    elif mode == "economic":
        full = False
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r, *p = lax_linalg.qr(a, full_matrices=full, pivoting=pivoting)
    if mode == "r":
        return (r, *p)
    return (q, r, *p)


def qr_multiply(a, c, mode="right", pivoting=False, conjugate=False, overwrite_a=False,
                overwrite_c=False):
    """QR decomposition of a (..., m, n) and a product with its economic Q (m x k,
    k = min(m, n)): (q @ c, r) for mode 'left' (c: (..., k, p)), (c @ q, r) for mode
    'right' (c: (..., p, m)); conj(q) instead of q with conjugate; r is (..., k, n); with
    pivoting the column permutation is appended.  A 1-D c is a column ('left') or a row
    ('right') and the product is raveled (batch dimensions included, as in JAX)."""
    a, c = _inexact("jax.scipy.linalg.qr_multiply", a, c)
    if mode not in ("right", "left"):
        raise ValueError(f"mode must be 'right' or 'left', got {mode!r}")
    if _ndim(a) < 2:
        raise ValueError(f"qr_multiply: a must have at least 2 dimensions, got shape "
                         f"{_shape(a)}")
    onedim = _ndim(c) == 1
    if onedim:
        c = lax.expand_dims(c, (1,) if mode == "left" else (0,))
    if _ndim(c) < 2:
        raise ValueError(f"qr_multiply: c must have at least 1 dimension, got shape "
                         f"{_shape(c)}")
    m, n = _shape(a)[-2:]
    k = min(m, n)
    if mode == "left" and _shape(c)[-2] != k:
        raise ValueError("Array shapes are not compatible for Q @ c operation: a has shape "
                         f"{_shape(a)} so Q has {k} columns, but c has {_shape(c)[-2]} rows "
                         f"(expected {k}).")
    if mode == "right" and _shape(c)[-1] != m:
        raise ValueError("Array shapes are not compatible for c @ Q operation: a has shape "
                         f"{_shape(a)} so Q has {m} rows, but c has {_shape(c)[-1]} columns "
                         f"(expected {m}).")
    a, c = lax_linalg._broadcast_batch(a, c, core_ranks=(2, 2))
    q, r, *p = lax_linalg.qr(a, full_matrices=False, pivoting=pivoting)
    if conjugate and _is_complex(q):
        q = lax.conj(q)
    out = _mm(q, c) if mode == "left" else _mm(c, q)
    if onedim:
        out = lax.reshape(out, (math.prod(_shape(out)),))
    return (out, r, *p)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
        lapack_driver="gesdd"):
    """(u, s, vh), or s without compute_uv."""
    a, = _inexact("jax.scipy.linalg.svd", a)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         turbo=True, eigvals=None, type=1, check_finite=True, subset_by_index=None,
         subset_by_value=None, driver=None):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix, or of a generalized
    problem with b positive definite: a v = w b v (type 1), a b v = w v (type 2) or
    b a v = w v (type 3), with SciPy's (LAPACK's) normalisation of v."""
    if type not in (1, 2, 3):
        raise ValueError(f"eigh: type must be 1, 2 or 3, got {type!r}")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented; use "
                                  "subset_by_index.")
    if subset_by_value is not None:
        raise NotImplementedError("subset_by_value is not implemented (its output size "
                                  "depends on the values)")
    a, = _inexact("jax.scipy.linalg.eigh", a)
    n = _shape(a)[-1]
    sbi = None
    if subset_by_index is not None:
        lo, hi = (operator.index(i) for i in subset_by_index)
        lo, hi = lo % n if lo < 0 else lo, hi % n if hi < 0 else hi
        sbi = (lo, hi + 1)  # SciPy's range is inclusive
    if b is not None:
        a, b = _inexact("jax.scipy.linalg.eigh", a, b)
        # b = L L^H (LAPACK's sygst reductions): type 1 solves (L^{-1} a L^{-H}) y = w y,
        # types 2 and 3 solve (L^H a L) y = w y; v = L^{-H} y (types 1, 2) or L y (type 3)
        low = cholesky(b, lower=True)
        if type == 1:
            c = lax_linalg.triangular_solve(low, a, left_side=True, lower=True)
            c = lax_linalg.triangular_solve(low, c, left_side=False, lower=True,
                                            transpose_a=True, conjugate_a=True)
        else:
            c = _mm(_mm(_H(low), a), low)
        v, w = lax_linalg.eigh(c, lower=lower, subset_by_index=sbi)
        if type == 3:
            v = _mm(low, v)
        else:
            v = lax_linalg.triangular_solve(low, v, left_side=True, lower=True,
                                            transpose_a=True, conjugate_a=True)
    else:
        v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=False, subset_by_index=sbi)
    if eigvals_only:
        return w
    return w, v


def eigh_tridiagonal(d, e, *, eigvals_only=False, select="a", select_range=None, tol=None,
                     key=None):
    """Eigenvalues (and eigenvectors) of the real symmetric tridiagonal matrix with
    diagonal d and off-diagonal e (computed densely, so `key`, which seeds JAX's inverse
    iteration, is not needed)."""
    util.check_arraylike("jax.scipy.linalg.eigh_tridiagonal", d, e)
    d, e = util.asarray_arg(d), util.asarray_arg(e)
    if not (dtypes.issubdtype(_dtype(d), np.inexact) and dtypes.issubdtype(_dtype(e), np.inexact)):
        raise TypeError("Only float32 and float64 inputs are supported as inputs to "
                        "jax.scipy.linalg.eigh_tridiagonal, got "
                        f"{_dtype(d).name} and {_dtype(e).name}")
    d, e = util.promote_dtypes_inexact(d, e)
    n = _shape(d)[-1]
    if _shape(e)[-1] != n - 1:
        raise ValueError(f"eigh_tridiagonal: e must have length n - 1 = {n - 1}, got "
                         f"{_shape(e)[-1]}")
    if select == "a":
        sbi = None
    elif select == "i":
        lo, hi = select_range
        sbi = (int(lo), int(hi) + 1)
    elif select == "v":
        raise NotImplementedError("eigh_tridiagonal: select='v' is not implemented (as in JAX)")
    else:
        raise ValueError(f"'{select}' is not a valid select argument")
    t = _construct_diag(d)
    if n > 1:
        zero = lax.full((), 0, _dtype(e))
        nb = _ndim(e) - 1
        up = lax.pad(_construct_diag(e), zero, [(0, 0, 0)] * nb + [(0, 1, 0), (1, 0, 0)])
        low = lax.pad(_construct_diag(lax.conj(e) if _is_complex(e) else e), zero,
                      [(0, 0, 0)] * nb + [(1, 0, 0), (0, 1, 0)])
        t = lax.add(t, lax.add(up, low))
    v, w = lax_linalg.eigh(t, symmetrize_input=False, subset_by_index=sbi)
    if eigvals_only:
        return w
    return w, v


def schur(a, output="real"):
    """Schur decomposition a = Z T Z^H: (T, Z); output 'real' (quasi-triangular T for real
    input) or 'complex'."""
    if output not in ("real", "complex", "r", "c"):
        raise ValueError(f"Expected output to be 'real' or 'complex', got output={output!r}")
    a = _require_inexact("schur", a)
    if output in ("complex", "c"):
        a = _cast(a, dtypes.to_complex_dtype(_dtype(a)))
    return lax_linalg.schur(a)


def hessenberg(a, *, calc_q=False, overwrite_a=False, check_finite=True):
    """Upper Hessenberg form h = q^H a q: h, or (h, q) with calc_q."""
    jnp = _jnp()
    a = _require_inexact("hessenberg", a)
    n = _shape(a)[-1]
    if n == 0:
        return (jnp.zeros_like(a), jnp.zeros_like(a)) if calc_q else jnp.zeros_like(a)
    a_out, taus = lax_linalg.hessenberg(a)
    h = _triu(a_out, -1)
    if not calc_q:
        return h
    batch = _shape(a)[:-2]
    nb = len(batch)
    dt = _dtype(a)
    if n == 1:
        return h, _eye(dt, 1, batch=batch)
    refl = lax.slice(a_out, (0,) * nb + (1, 0), batch + (n, n - 1))
    q = lax_linalg.householder_product(refl, taus)
    zero = lax.full((), 0, dt)
    q = lax.pad(q, zero, [(0, 0, 0)] * nb + [(1, 0, 0), (1, 0, 0)])
    corner = lax.pad(_eye(dt, 1, batch=batch), zero, [(0, 0, 0)] * nb + [(0, n - 1, 0)] * 2)
    return h, lax.add(q, corner)


def _rsf2csf_2d(t, z):
    jnp = _jnp()
    dt = dtypes.to_complex_dtype(dtypes.result_type(t, z))
    t, z = _cast(t, dt), _cast(z, dt)
    n = _shape(t)[0]
    eps = float(np.finfo(dt).eps)
    for m in range(n - 1, 0, -1):
        def update(args, m=m):
            t, z = args
            block = lax.slice(t, (m - 1, m - 1), (m + 1, m + 1))
            mu = lax_linalg.eig(block, compute_left_eigenvectors=False,
                               compute_right_eigenvectors=False)[0]
            mu0 = lax.sub(mu[0], t[m, m])
            tm = t[m, m - 1]
            r = lax.sqrt(lax.add(lax.real(lax.mul(mu0, lax.conj(mu0))),
                                 lax.real(lax.mul(tm, lax.conj(tm)))))
            r = _cast(r, dt)
            c = lax.div(mu0, r)
            s = lax.div(tm, r)
            g = _rotation(n, m, lax.conj(c), s, lax.neg(s), c, dt)
            gh = _H(g)
            rows = np.zeros((n, n), bool)
            rows[m - 1:m + 1, m - 1:] = True
            t = lax.select(lax.asarray(rows), _mm(g, t), t)
            cols = np.zeros((n, n), bool)
            cols[:m + 1, m - 1:m + 1] = True
            t = lax.select(lax.asarray(cols), _mm(t, gh), t)
            z = _mm(z, gh)
            return t, z
        test = jnp.abs(t[m, m - 1]) > eps * (jnp.abs(t[m - 1, m - 1]) + jnp.abs(t[m, m]))
        t, z = lax.cond(test, update, lambda args: args, (t, z))
        mask = np.zeros((n, n), bool)
        mask[m, m - 1] = True
        t = lax.select(lax.asarray(mask), lax.full((n, n), 0, dt), t)
    return t, z


def _rotation(n, m, g00, g01, g10, g11, dt):
    """The n x n identity with the 2 x 2 block [[g00, g01], [g10, g11]] at rows/cols m-1, m."""
    out = lax.asarray(np.eye(n, dtype=dt))
    for (i, j), g in (((m - 1, m - 1), g00), ((m - 1, m), g01), ((m, m - 1), g10), ((m, m), g11)):
        e = np.zeros((n, n), dt)
        e[i, j] = 1
        g = lax.sub(g, lax.full((), 1 if i == j else 0, dt))
        out = lax.add(out, lax.mul(lax.asarray(e), lax.broadcast_in_dim(g, (n, n), ())))
    return out


def rsf2csf(T, Z, check_finite=True):
    """Convert a real Schur form (T, Z) to the complex Schur form."""
    from pyjax._src import api
    T, Z = _inexact("jax.scipy.linalg.rsf2csf", T, Z)
    if _ndim(T) < 2 or _shape(T)[-1] != _shape(T)[-2]:
        raise ValueError(f"Input 'T' must be square, got shape {_shape(T)}")
    if _ndim(Z) < 2 or _shape(Z)[-1] != _shape(Z)[-2]:
        raise ValueError(f"Input 'Z' must be square, got shape {_shape(Z)}")
    if _shape(T)[-1] != _shape(Z)[-1]:
        raise ValueError(f"Input array shapes must match: Z: {_shape(Z)} vs. T: {_shape(T)}")
    T, Z = lax_linalg._broadcast_batch(T, Z, core_ranks=(2, 2))
    fn = _rsf2csf_2d
    for _ in range(_ndim(T) - 2):
        fn = api.vmap(fn)
    return fn(T, Z)


def _sqrtm_triu(t):
    """Square root U of an upper-triangular matrix (Bjorck & Hammarling): u_jj = sqrt(t_jj)
    and, column by column, u_ij = (t_ij - sum_{i<k<j} u_ik u_kj) / (u_ii + u_jj), taken as
    0 where the numerator vanishes (so singular matrices such as 0 give JAX's finite
    result, not 0/0)."""
    jnp = _jnp()
    n = _shape(t)[-1]
    if n == 0:
        return t
    d = jnp.sqrt(_diag(t))
    zero = jnp.zeros_like(d[..., 0])
    u = {}
    for j in range(n):
        u[j, j] = d[..., j]
        for i in range(j - 1, -1, -1):
            s = zero
            for k in range(i + 1, j):
                s = s + u[i, k] * u[k, j]
            tij = t[..., i, j]
            u[i, j] = jnp.where(tij == s, zero, (tij - s) / (d[..., i] + d[..., j]))
    rows = [jnp.stack([u[i, j] if j >= i else zero for j in range(n)], axis=-1)
            for i in range(n)]
    return jnp.stack(rows, axis=-2)


def sqrtm(A, blocksize=1):
    """Principal matrix square root through the complex Schur form (complex output)."""
    if blocksize > 1:
        raise NotImplementedError("Blocked version is not implemented yet.")
    A, = _inexact("jax.scipy.linalg.sqrtm", A)
    t, z = schur(A, output="complex")
    return _mm(_mm(z, _sqrtm_triu(t)), _H(z))


def funm(A, func, disp=True):
    """f(A) for a scalar function `func` (applied elementwise to arrays), by the Schur-Parlett
    recurrence (Golub & Van Loan 11.1.1) on the complex Schur form reached as JAX reaches it
    (real Schur form, then rsf2csf).  The result is complex, like sqrtm's; with
    disp=False also SciPy's estimate of the relative error."""
    jnp = _jnp()
    A = _require_inexact("schur", A)  # JAX's error: funm starts with schur
    if _ndim(A) != 2 or _shape(A)[0] != _shape(A)[1]:
        raise ValueError(f"funm: expected a square matrix, got shape {_shape(A)}")
    if _is_complex(A):
        t, z = schur(A, output="complex")
    else:
        t, z = rsf2csf(*schur(A))
    n = _shape(t)[0]
    dt = _dtype(t)
    fd = jnp.asarray(func(_diag(t))).astype(dt)
    f = [[None] * n for _ in range(n)]
    for i in range(n):
        f[i][i] = fd[i]
    zero = jnp.zeros((), dt)
    for p in range(1, n):
        for i in range(n - p):
            j = i + p
            s = t[i, j] * (f[j][j] - f[i][i])
            ksl = slice(i + 1, j)
            if j > i + 1:
                fik = jnp.stack([f[i][k] for k in range(i + 1, j)])
                fkj = jnp.stack([f[k][j] for k in range(i + 1, j)])
                s = s + jnp.sum(t[i, ksl] * fkj) - jnp.sum(fik * t[ksl, j])
            den = t[j, j] - t[i, i]
            f[i][j] = jnp.where(den == 0, s, s / jnp.where(den == 0, 1, den))
            f[j][i] = zero
    fmat = jnp.stack([jnp.stack(row) for row in f])
    out = _mm(_mm(z, fmat), _H(z))
    if disp:
        return out
    # SciPy's error estimate: the smallest eigenvalue separation (|t_00| included) bounds
    # the conditioning of the recurrence
    d = _diag(t)
    minden = jnp.abs(d[0])
    if n > 1:
        sep = jnp.abs(d[None, :] - d[:, None])
        minden = jnp.minimum(minden, jnp.min(jnp.where(np.triu(np.ones((n, n), bool), 1), sep,
                                                       np.inf)))
    tol = float(np.finfo(np.float32 if dt == np.complex64 else np.float64).eps)
    minden = jnp.where(minden == 0, tol, minden)
    err = jnp.minimum(1, jnp.maximum(tol, (tol / minden) * jnp_linalg.norm(_triu(t, 1), 1)))
    return out, jnp.where(jnp.any(jnp.isinf(out)), np.inf, err)


def polar(a, side="right", *, method="qdwh", eps=None, max_iterations=None):
    """Polar decomposition a = U P (right) or P U (left).  method 'svd' works for every
    shape; 'qdwh' (the default, as in JAX) runs lax.linalg.qdwh, for m >= n with side
    'right' and m < n with side 'left' only, differentiable in forward mode only (its
    iteration is a while loop), as JAX's."""
    from pyjax._src import api
    util.check_arraylike("jax.scipy.linalg.polar", a)
    a = util.asarray_arg(a)
    if not dtypes.issubdtype(_dtype(a), np.inexact):
        raise ValueError(f"data type {_dtype(a).type} not inexact")
    if _ndim(a) < 2:
        raise ValueError("The input `a` must be at least a 2-D array.")
    if side not in ("right", "left"):
        raise ValueError("The argument `side` must be either 'right' or 'left'.")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"Unknown polar decomposition method {method}.")
    m, n = _shape(a)[-2:]
    if method == "qdwh":
        if not ((m >= n and side == "right") or (m < n and side == "left")):
            raise NotImplementedError("polar: method='qdwh' supports m x n matrices with "
                                      "m >= n for side='right' and m < n for side='left', "
                                      f"got shape {_shape(a)} with side={side!r} (use "
                                      "method='svd')")

        def one(x):  # JAX passes eps but not max_iterations on to qdwh
            if side == "right":
                u, p, _, _ = lax_linalg.qdwh(x, eps=eps)
                return u, p
            u, p, _, _ = lax_linalg.qdwh(_H(x), eps=eps)
            return _H(u), _H(p)
        for _ in range(_ndim(a) - 2):
            one = api.vmap(one)
        return one(a)
    u, s, vh = lax_linalg.svd(a, full_matrices=False)
    sc = _cast(s, _dtype(u))
    unitary = _mm(u, vh)
    if side == "right":
        posdef = _mm(_H(vh) * lax.expand_dims(sc, (_ndim(sc) - 1,)), vh)
    else:
        posdef = _mm(u * lax.expand_dims(sc, (_ndim(sc) - 1,)), _H(u))
    return unitary, posdef


# ---------------------------------------------------------------------------
# expm


def _pade_terms(A, b):
    """(U, V) of the Pade approximant with coefficients b (degree 3, 5, 7, 9 or 13), summed
    in JAX's order."""
    ident = _eye(_dtype(A), _shape(A)[-1])
    m = len(b) - 1
    A2 = _mm(A, A)
    if m == 3:
        return _mm(A, b[3] * A2 + b[1] * ident), b[2] * A2 + b[0] * ident
    A4 = _mm(A2, A2)
    if m == 5:
        return (_mm(A, b[5] * A4 + b[3] * A2 + b[1] * ident),
                b[4] * A4 + b[2] * A2 + b[0] * ident)
    A6 = _mm(A4, A2)
    if m == 7:
        return (_mm(A, b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * ident),
                b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * ident)
    if m == 9:
        A8 = _mm(A6, A2)
        return (_mm(A, b[9] * A8 + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * ident),
                b[8] * A8 + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * ident)
    U = _mm(A, _mm(A6, b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4
            + b[3] * A2 + b[1] * ident)
    V = _mm(A6, b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \
        + b[0] * ident
    return U, V


_PADE = {
    3: (120., 60., 12., 1.),
    5: (30240., 15120., 3360., 420., 30., 1.),
    7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
    9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880.,
        3960., 90., 1.),
    13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
         129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
         40840800., 960960., 16380., 182., 1.),
}


def _calc_P_Q(A):
    jnp = _jnp()
    A_L1 = jnp_linalg.norm(A, 1)
    dt = _dtype(A)
    if dt in (np.float64, np.complex128):
        maxnorm = 5.371920351148152
        conds = (1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001,
                 2.097847961257068e+000)
        degrees = (3, 5, 7, 9, 13)
    elif dt in (np.float32, np.complex64):
        maxnorm = 3.925724783138660
        conds = (4.258730016922831e-001, 1.880152677804762e+000)
        degrees = (3, 5, 7)
    else:
        raise TypeError(f"A.dtype={dt} is not supported.")
    n_squarings = jnp.maximum(0, jnp.floor(jnp.log2(A_L1 / maxnorm)))
    A = A / (2 ** n_squarings).astype(dt)
    idx = sum((A_L1 >= c).astype(np.int32) for c in conds)
    branches = [lambda x, d=d: _pade_terms(x, _PADE[d]) for d in degrees]
    U, V = lax.switch(idx, branches, A)
    return U + V, -U + V, n_squarings


def _expm_2d(A, upper_triangular, max_squarings):
    jnp = _jnp()
    P, Q, n_squarings = _calc_P_Q(A)

    def nan(args):
        return jnp.full_like(args[0], np.nan)

    def compute(args):
        _, P, Q = args
        R = solve_triangular(Q, P) if upper_triangular else jnp_linalg.solve(Q, P)

        def step(c, i):
            return lax.cond(i < n_squarings, lambda x: _mm(x, x), lambda x: x, c), None
        R, _ = lax.scan(step, R, jnp.arange(max_squarings, dtype=_dtype(n_squarings)))
        return R

    return lax.cond(n_squarings > max_squarings, nan, compute, (A, P, Q))


def expm(A, *, upper_triangular=False, max_squarings=16):
    """Matrix exponential (Pade approximation with scaling and squaring, as JAX/SciPy);
    NaN when more than max_squarings squarings would be needed."""
    from pyjax._src import api
    A, = _inexact("jax.scipy.linalg.expm", A)
    if _ndim(A) < 2 or _shape(A)[-1] != _shape(A)[-2]:
        raise ValueError(f"Expected A to be a (batched) square matrix, got A.shape={_shape(A)}")
    fn = lambda x: _expm_2d(x, upper_triangular, max_squarings)  # noqa: E731
    for _ in range(_ndim(A) - 2):
        fn = api.vmap(fn)
    return fn(A)


def expm_frechet(A, E, *, method=None, compute_expm=True):
    """The Frechet derivative of expm at A in the direction E (the jvp of expm)."""
    from pyjax._src import api
    A, E = _inexact("jax.scipy.linalg.expm_frechet", A, E)
    if _ndim(A) < 2 or _shape(A)[-2] != _shape(A)[-1]:
        raise ValueError(f"expected A to be a (batched) square matrix, got A.shape={_shape(A)}")
    if _ndim(E) < 2 or _shape(E)[-2] != _shape(E)[-1]:
        raise ValueError(f"expected E to be a (batched) square matrix, got E.shape={_shape(E)}")
    if _shape(A) != _shape(E):
        raise ValueError("expected A and E to be the same shape, got "
                         f"A.shape={_shape(A)} E.shape={_shape(E)}")
    expm_A, frechet = api.jvp(lambda x: expm(x, upper_triangular=False, max_squarings=16),
                              (A,), (E,))
    if compute_expm:
        return expm_A, frechet
    return frechet


# ---------------------------------------------------------------------------
# Constructors


def block_diag(*arrs):
    """A block-diagonal matrix of the (at most 2-D) arguments."""
    jnp = _jnp()
    if len(arrs) == 0:
        arrs = (jnp.zeros((1, 0)),)
    util.check_arraylike("block_diag", *arrs)
    arrs = util.promote_dtypes(*[util.asarray_arg(a) for a in arrs])
    bad = [i for i, a in enumerate(arrs) if _ndim(a) > 2]
    if bad:
        raise ValueError("Arguments to jax.scipy.linalg.block_diag must have at most 2 "
                         f"dimensions, got {arrs[bad[0]]} at argument {bad[0]}.")
    arrs = [jnp.atleast_2d(a) for a in arrs]
    total = sum(_shape(a)[1] for a in arrs)
    zero = lax.full((), 0, _dtype(arrs[0]))
    rows, col = [], 0
    for a in arrs:
        c = _shape(a)[1]
        rows.append(lax.pad(a, zero, [(0, 0, 0), (col, total - col - c, 0)]))
        col += c
    return jnp.concatenate(rows, axis=0)


def _toeplitz_from(vals, m, n):
    """T[i, j] = vals[..., n - 1 + i - j] for vals of length m + n - 1."""
    jnp = _jnp()
    rv = lax.rev(vals, (_ndim(vals) - 1,))
    rows = [lax.slice_in_dim(rv, m - 1 - i, m - 1 - i + n, axis=_ndim(vals) - 1)
            for i in range(m)]
    return jnp.stack(rows, axis=-2)


def toeplitz(c, r=None):
    """Toeplitz matrix with first column c and first row r (r = conj(c) by default);
    leading batch dimensions broadcast."""
    jnp = _jnp()
    util.check_arraylike("toeplitz", c)
    if r is None:
        c = util.asarray_arg(c)
        r = jnp.conj(c)
    util.check_arraylike("toeplitz", r)
    c, r = util.promote_dtypes(util.asarray_arg(c), util.asarray_arg(r))
    if _ndim(c) == 0:
        c = lax.reshape(c, (1,))
    if _ndim(r) == 0:
        r = lax.reshape(r, (1,))
    c, r = lax_linalg._broadcast_batch(c, r, core_ranks=(1, 1))
    m, n = _shape(c)[-1], _shape(r)[-1]
    if m == 0 or n == 0:
        return jnp.empty(_shape(c)[:-1] + (m, n), _dtype(c))
    ax = _ndim(c) - 1
    vals = lax.concatenate([lax.rev(lax.slice_in_dim(r, 1, n, axis=ax), (ax,)), c], ax)
    # JAX's result is never weakly typed, even for Python-scalar input
    return lax.convert_element_type(_toeplitz_from(vals, m, n), _dtype(c), False)


def hankel(c, r=None):
    """Hankel matrix with first column c and last row r (zeros by default)."""
    jnp = _jnp()
    c = util.asarray_arg(c)
    if r is None:
        r = jnp.zeros_like(c)
    c, r = util.promote_dtypes(c, util.asarray_arg(r))
    c, r = lax.reshape(c, (math.prod(_shape(c)),)), lax.reshape(r, (math.prod(_shape(r)),))
    m, n = _shape(c)[0], _shape(r)[0]
    vals = lax.concatenate([c, lax.slice_in_dim(r, 1, n, axis=0)], 0)
    rows = [lax.slice_in_dim(vals, i, i + n, axis=0) for i in range(m)]
    return jnp.stack(rows, axis=0)


def circulant(c):
    """Circulant matrix with first column c."""
    c = util.asarray_arg(c)
    n = _shape(c)[-1]
    ax = _ndim(c) - 1
    # T[i, j] = c[(i - j) mod n] = toeplitz(c, roll(rev(c), 1))
    r = lax.concatenate([lax.slice_in_dim(c, 0, 1, axis=ax),
                         lax.rev(lax.slice_in_dim(c, 1, n, axis=ax), (ax,))], ax)
    return toeplitz(c, r)


def _place(vals, index):
    """The matrix whose entry (i, j) is vals[..., index[i, j]] (a gather with a static index
    map, so non-finite values stay where they are put, and derivatives flow)."""
    return util.asarray_arg(vals)[..., np.asarray(index, np.int32)]


def _companion_values(a):
    """[-a1/a0, ..., -a_{n-1}/a0, 1, 0]: every entry a companion matrix takes."""
    jnp = _jnp()
    return jnp.concatenate([-a[..., 1:] / a[..., :1],
                            jnp.ones_like(a[..., :2]) * np.array([1, 0], _dtype(a))], axis=-1)


def companion(a):
    """Companion matrix of the polynomial with coefficients a (..., N), N >= 2: first row
    -a[1:] / a[0], ones on the first sub-diagonal; (..., N - 1, N - 1)."""
    jnp = _jnp()
    a, = _inexact("companion", a)
    a = jnp.atleast_1d(a)
    n = _shape(a)[-1]
    if n < 2:
        raise ValueError("The length of `a` along the last axis must be at least 2; got "
                         f"shape {_shape(a)}.")
    k = n - 1
    index = np.full((k, k), k + 1)
    index[0] = np.arange(k)
    index[np.arange(1, k), np.arange(k - 1)] = k
    return _place(_companion_values(a), index)


def fiedler_companion(a):
    """Fiedler's pentadiagonal companion matrix of the polynomial with coefficients a
    (..., N): (..., N - 1, N - 1), with the same eigenvalues as companion(a)."""
    jnp = _jnp()
    a, = _inexact("fiedler_companion", a)
    a = jnp.atleast_1d(a)
    n = _shape(a)[-1]
    if n == 0:
        raise ValueError("fiedler_companion requires the last axis of 'a' to have nonzero "
                         f"length, but got an array of shape {_shape(a)}.")
    k = n - 1
    if k == 0:  # (..., 0, 0), keeping a's weak type as JAX does
        nb = _ndim(a) - 1
        return lax.broadcast_in_dim(a[..., :0], _shape(a)[:-1] + (0, 0),
                                    tuple(range(nb)) + (nb + 1,))
    # the normalised coefficient c_i = a_i / a_0 sits at index i - 1 of the values
    one, zero = k, k + 1
    index = np.full((k, k), zero)
    index[0, 0] = 0                                     # -c1
    if k > 1:
        index[1, 0] = one
    for i in range(0, k - 1, 2):                        # even rows: -c_{i+2} right of diagonal
        index[i, i + 1] = i + 1
    for i in range(0, k - 2, 2):                        # ... and a one two to the right
        index[i, i + 2] = one
    for i in range(2, k, 2):                            # -c_{i+1} left of the diagonal
        index[i, i - 1] = i
    for i in range(3, k, 2):                            # odd rows: a one two to the left
        index[i, i - 2] = one
    return _place(_companion_values(a), index)


def fiedler(a):
    """Symmetric Fiedler matrix F[i, j] = |a[i] - a[j]| of a (..., N): (..., N, N)."""
    jnp = _jnp()
    util.check_arraylike("fiedler", a)
    a = jnp.atleast_1d(util.asarray_arg(a))
    return jnp.abs(a[..., :, None] - a[..., None, :])


def leslie(f, s):
    """Leslie matrix: fecundities f (..., N) in the first row, survival rates s (..., N - 1)
    on the first sub-diagonal; (..., N, N) (batch dimensions broadcast)."""
    jnp = _jnp()
    util.check_arraylike("leslie", f, s)
    f = jnp.atleast_1d(util.asarray_arg(f))
    s = jnp.atleast_1d(util.asarray_arg(s))
    n = _shape(f)[-1]
    if n < 2:
        raise ValueError("The length of f along the last axis must be at least 2; got shape "
                         f"{_shape(f)}.")
    if _shape(s)[-1] != n - 1:
        raise ValueError("Incorrect lengths for f and s. The length of s along the last axis "
                         f"must be one less than the length of f; got f shape {_shape(f)} and "
                         f"s shape {_shape(s)}.")
    f, s = util.promote_dtypes(f, s)
    f, s = lax_linalg._broadcast_batch(f, s, core_ranks=(1, 1))
    vals = jnp.concatenate([f, s, jnp.zeros_like(f[..., :1])], axis=-1)  # [f, s, 0]
    index = np.full((n, n), 2 * n - 1)
    index[0] = np.arange(n)
    index[np.arange(1, n), np.arange(n - 1)] = np.arange(n, 2 * n - 1)
    return _place(vals, index)


def convolution_matrix(a, n, mode="full"):
    """The Toeplitz matrix A with A @ v == convolve(a, v, mode) for v of length n:
    (..., k, n) with k = m + n - 1 ('full'), max(m, n) ('same') or
    max(m, n) - min(m, n) + 1 ('valid'), m = a.shape[-1]."""
    n = operator.index(n)
    if n <= 0:
        raise ValueError(f"n must be a positive integer; got {n}.")
    util.check_arraylike("convolution_matrix", a)
    a = util.asarray_arg(a)
    if _ndim(a) == 0:
        raise ValueError("convolution_matrix: a must be at least 1-dimensional, got a scalar.")
    m = _shape(a)[-1]
    if m < 1:
        raise ValueError(f"len(a) must be at least 1; got shape {_shape(a)}.")
    if mode == "full":
        first, rows = 0, m + n - 1
    elif mode == "same":
        first, rows = (min(m, n) - 1) // 2, max(m, n)
    elif mode == "valid":
        first, rows = min(m, n) - 1, max(m, n) - min(m, n) + 1
    else:
        raise ValueError(f"mode must be one of 'full', 'valid', 'same'; got {mode!r}.")
    # the full matrix is F[i, j] = z[n - 1 + i - j] with z = a zero-padded by n - 1 each side
    ax = _ndim(a) - 1
    z = lax.pad(a, lax.full((), 0, _dtype(a)), [(0, 0, 0)] * ax + [(n - 1, n - 1, 0)])
    vals = lax.slice_in_dim(z, first, first + rows + n - 1, axis=ax)
    return _toeplitz_from(vals, rows, n)


def _exact_to_float(x, dtype):
    """A Python integer (or Fraction) as a float of `dtype`; inf past float64's range."""
    try:
        with np.errstate(over="ignore"):
            return dtype.type(float(x))
    except OverflowError:
        return dtype.type(np.inf if x > 0 else -np.inf)


def _exact_matrix(entries, n, dtype):
    out = np.empty((n, n), dtype)
    for i in range(n):
        for j in range(n):
            out[i, j] = _exact_to_float(entries(i, j), dtype)
    return lax.asarray(out)


def _check_kind(kind):
    kind = "symmetric" if kind is None else kind
    valid = ["symmetric", "lower", "upper"]
    if kind not in valid:
        raise ValueError(f"Expected kind to be one of: {valid}; got {kind}")
    return kind


def pascal(n, kind=None):
    """Pascal matrix of order n: binomial coefficients, 'symmetric' (default), 'lower' or
    'upper'.  Computed exactly and rounded once; float32 (as JAX builds it, x64 or not)."""
    kind = _check_kind(kind)
    dt = np.dtype(np.float32)
    if kind == "lower":
        return _exact_matrix(lambda i, j: math.comb(i, j), n, dt)
    if kind == "upper":
        return _exact_matrix(lambda i, j: math.comb(j, i), n, dt)
    return _exact_matrix(lambda i, j: math.comb(i + j, i), n, dt)


def invpascal(n, kind=None):
    """Inverse of pascal(n, kind), computed exactly (integers) and rounded once to the
    default float dtype."""
    kind = _check_kind(kind)
    dt = np.dtype(dtypes.canonicalize_dtype(np.float64))

    def low(i, j):  # inverse of the lower Pascal matrix
        return (-1) ** (i - j) * math.comb(i, j) if i >= j else 0
    if kind == "lower":
        return _exact_matrix(low, n, dt)
    if kind == "upper":
        return _exact_matrix(lambda i, j: low(j, i), n, dt)
    # P = L L^T, so P^{-1} = L^{-T} L^{-1}
    return _exact_matrix(lambda i, j: sum(low(k, i) * low(k, j) for k in range(max(i, j), n)),
                         n, dt)


def hilbert(n):
    """Hilbert matrix H[i, j] = 1 / (i + j + 1) of order n (default float dtype)."""
    dt = np.dtype(dtypes.canonicalize_dtype(np.float64))
    i = np.arange(n, dtype=dt)
    return lax.asarray(dt.type(1) / (i[:, None] + i[None, :] + dt.type(1)))


def invhilbert(n):
    """Inverse of hilbert(n), from its closed form in exact integers, rounded once to the
    default float dtype (entries past the float range are inf)."""
    dt = np.dtype(dtypes.canonicalize_dtype(np.float64))

    def entry(i, j):
        s = i + j
        return ((-1) ** s * (s + 1) * math.comb(n + i, n - j - 1) * math.comb(n + j, n - i - 1)
                * math.comb(s, i) ** 2)
    return _exact_matrix(entry, n, dt)


def hadamard(n, dtype=int):
    """Sylvester's Hadamard matrix of order n (a positive power of 2)."""
    n = operator.index(n)
    if n < 1 or n & (n - 1):
        raise ValueError(f"n must be a positive power of 2; got {n}.")
    dt = dtypes.canonicalize_dtype(dtype)
    h = np.ones((1, 1), dt)
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]]).astype(dt)
    return lax.asarray(h)


def helmert(n, full=False):
    """Helmert matrix of order n: its rows k = 1 .. n - 1 are (1, ..., 1, -k, 0, ..., 0)
    / sqrt(k (k + 1)); with full, the row 1 / sqrt(n) comes first.  (n - 1, n) or (n, n)."""
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"n must be a positive integer; got {n}.")
    dt = np.dtype(dtypes.canonicalize_dtype(np.float64))
    k = np.arange(1, n, dtype=dt)[:, None]
    j = np.arange(n)[None, :]
    denom = np.sqrt(k * (k + 1))
    h = np.where(j < k, dt.type(1) / denom, np.where(j == k, -k / denom, dt.type(0)))
    h = h.astype(dt).reshape(n - 1, n)
    if full:
        h = np.concatenate([np.full((1, n), dt.type(1) / np.sqrt(dt.type(n)), dt), h], axis=0)
    return lax.asarray(h)


def dft(n, scale=None, *, dtype=None):
    """The n x n discrete Fourier transform matrix W[i, j] = exp(-2 pi i j / n), unscaled,
    or divided by sqrt(n) (scale 'sqrtn') or n (scale 'n')."""
    if scale is not None and scale not in ("sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn', or 'n'; got {scale!r}.")
    if dtype is None:
        dt = np.dtype(dtypes.default_complex_dtype())
    else:
        dt = np.dtype(dtypes.canonicalize_dtype(dtype))
        if not np.issubdtype(dt, np.complexfloating):
            raise ValueError(f"dtype must be a complex floating-point type; got {dt}.")
    i = np.arange(n)
    # reduce i j mod n in integers first: the angle stays accurate for large n
    w = np.exp(-2j * np.pi * (np.outer(i, i) % max(n, 1)) / max(n, 1))
    if scale == "sqrtn":
        w = w / np.sqrt(n)
    elif scale == "n":
        w = w / n
    return lax.asarray(w.astype(dt))


# ---------------------------------------------------------------------------
# Sylvester equations


def _sylvester_factor(A, B, method):
    """The factorizations of A and B that solving A X + X B = C needs, and their
    eigenvalues (the equation is singular where some l_A + l_B vanishes)."""
    if method == "schur":
        R, U = schur(A, output="complex")  # A = U R U^H, R upper triangular
        T, V = schur(B, output="complex")  # B = V T V^H
        return (R, U, T, V), _diag(R), _diag(T)
    wa, va = jnp_linalg.eig(A)
    wb, vb = jnp_linalg.eig(B)
    return (wa, va, wb, vb), wa, wb


def _sylvester_apply(method, fac, C):
    """X with A X + X B = C, from _sylvester_factor's factors; linear in C."""
    jnp = _jnp()
    if method == "schur":
        R, U, T, V = fac
        F = _mm(_mm(_H(U), _cast(C, _dtype(R))), V)
        m, n = _shape(F)
        eye = _eye(_dtype(R), m)

        # (R + T[j, j] I) y_j = f_j - sum_{k<j} y_k T[k, j]: columns in order; Y's columns
        # from j on are still zero, so Y @ T[:, j] sums exactly the finished ones.
        def step(Y, j):
            rhs = F[:, j] - Y @ T[:, j]
            y = lax_linalg.triangular_solve(R + T[j, j] * eye, rhs[:, None], left_side=True,
                                            lower=False)[:, 0]
            Y = jnp.where(jnp.arange(n)[None, :] == j, y[:, None], Y)
            return Y, None
        Y, _ = lax.scan(step, jnp.zeros((m, n), _dtype(R)), jnp.arange(n))
        X = _mm(_mm(U, Y), _H(V))
    else:
        wa, va, wb, vb = fac
        F = jnp_linalg.solve(va, _mm(_cast(C, _dtype(va)), vb))
        Y = F / (wa[:, None] + wb[None, :])
        X = _mm(_mm(va, Y), jnp_linalg.inv(vb))
    if not _is_complex(C):
        X = lax.real(X)
    return X


def _solve_sylvester_2d(A, B, C, method, tol):
    from pyjax._src.custom_derivatives import custom_jvp
    jnp = _jnp()

    def solve_with(fac, lam_a, lam_b, rhs):
        X = _sylvester_apply(method, fac, rhs)
        # as JAX: all NaN when some l_A + l_B is within tol of zero (singular equation)
        bad = jnp.any(jnp.abs(lam_a[:, None] + lam_b[None, :]) < tol)
        return jnp.where(bad, jnp.full_like(X, np.nan), X)

    @custom_jvp
    def sylv(A, B, C):
        return solve_with(*_sylvester_factor(A, B, method), C)

    @sylv.defjvp
    def sylv_jvp(primals, tangents):
        # differentiating A X + X B = C:  A dX + dX B = dC - dA X - X dB  (same A and B)
        A, B, C = primals
        dA, dB, dC = tangents
        fac, lam_a, lam_b = _sylvester_factor(A, B, method)
        X = solve_with(fac, lam_a, lam_b, C)
        dX = solve_with(fac, lam_a, lam_b, dC - _mm(dA, X) - _mm(X, dB))
        return X, dX
    return sylv(A, B, C)


def solve_sylvester(A, B, C, *, method="schur", tol=1e-8):
    """X with A X + X B = C for A (..., m, m), B (..., n, n), C (..., m, n) (batch
    dimensions broadcast): Bartels-Stewart on complex Schur forms (method 'schur'), or
    through eigendecompositions ('eigen', faster, less accurate for non-normal matrices).
    All NaN where some eigenvalues satisfy |l_A + l_B| < tol.  Real for real C.
    Differentiable (first order) through the implicit equation."""
    from pyjax._src import api
    A, B, C = _inexact("jax.scipy.linalg.solve_sylvester", A, B, C)
    if _ndim(C) < 2 or _ndim(A) < 2 or _ndim(B) < 2:
        raise ValueError("Incompatible shapes for Sylvester equation:\n"
                         f"A: {_shape(A)}\nB: {_shape(B)}\nC: {_shape(C)}")
    m, n = _shape(C)[-2:]
    if _shape(A)[-2:] != (m, m) or _shape(B)[-2:] != (n, n):
        raise ValueError("Incompatible shapes for Sylvester equation:\n"
                         f"A: {_shape(A)}\nB: {_shape(B)}\nC: {_shape(C)}")
    if method not in ("schur", "eigen"):
        raise ValueError(f'Unrecognized method {method}. The two valid methods are either '
                         '"schur" or "eigen".')
    A, B, C = lax_linalg._broadcast_batch(A, B, C, core_ranks=(2, 2, 2))
    fn = lambda a, b, c: _solve_sylvester_2d(a, b, c, method, tol)  # noqa: E731
    for _ in range(_ndim(C) - 2):
        fn = api.vmap(fn)
    return fn(A, B, C)


# ---------------------------------------------------------------------------
# Re-exports with SciPy's signatures


def det(a, overwrite_a=False, check_finite=True):
    """Determinants of square matrices."""
    return jnp_linalg.det(a)


def inv(a, overwrite_a=False, check_finite=True):
    """Inverses of square matrices."""
    return jnp_linalg.inv(a)


def _solve_pos(a, b, lower):
    from pyjax._src import api
    from pyjax._src.lax.solvers import custom_linear_solve
    a, b = _inexact("jax.scipy.linalg.solve", a, b)
    _check_solve_shapes(a, b)
    vector = _ndim(a) == _ndim(b) + 1
    a, b = lax_linalg._broadcast_batch(a, b, core_ranks=(2, 1 if vector else 2))
    factors = cho_factor(lax.stop_gradient(a), lower=lower)
    if type(core.current_trace()) is core.EvalTrace:
        return cho_solve(factors, b)  # eager: no derivative will be taken

    def matvec(x):
        return lax_linalg._mv(a, x)

    def solve_fn(_, x):
        return cho_solve(factors, x)

    def transpose_solve_fn(_, x):
        # a^T = conj(a) for Hermitian a: a^T y = x  <=>  y = conj(a^{-1} conj(x)).  (JAX marks
        # the system symmetric, which is wrong for complex Hermitian a.)
        if not _is_complex(x):
            return cho_solve(factors, x)
        return lax.conj(cho_solve(factors, lax.conj(x)))

    def one(x):
        return custom_linear_solve(matvec, x, solve_fn, transpose_solve_fn)
    if vector:
        return one(b)
    nd = _ndim(b)
    return api.vmap(one, in_axes=nd - 1, out_axes=nd - 1)(b)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False,
          check_finite=True, assume_a="gen", transposed=False):
    """Solve a x = b; assume_a 'gen'/'sym'/'her' (LU), 'pos' (Cholesky), 'diagonal',
    'upper triangular' or 'lower triangular'."""
    if transposed:
        a = _T(util.asarray_arg(a))
    if assume_a in ("gen", "general", "sym", "symmetric", "her", "hermitian"):
        return jnp_linalg.solve(a, b)
    if assume_a in ("pos", "positive definite"):
        return _solve_pos(a, b, lower)
    if assume_a in ("upper triangular", "lower triangular"):
        return solve_triangular(a, b, lower=assume_a.startswith("lower"))
    if assume_a == "diagonal":
        a, b = _inexact("jax.scipy.linalg.solve", a, b)
        _check_solve_shapes(a, b)
        d = _diag(a)
        if _ndim(b) == _ndim(a):
            d = lax.expand_dims(d, (_ndim(d),))
        d, b = util.promote_shapes("solve", d, b)
        return lax.div(b, d)
    raise ValueError("Expected assume_a to be one of ['gen', 'sym', 'her', 'pos'] (or SciPy's "
                     "'diagonal', 'upper triangular', 'lower triangular' and long names); got "
                     f"{assume_a!r}")


__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "companion",
           "convolution_matrix", "det", "dft", "eigh", "eigh_tridiagonal", "expm",
           "expm_frechet", "fiedler", "fiedler_companion", "funm", "hadamard", "hankel",
           "helmert", "hessenberg", "hilbert", "inv", "invhilbert", "invpascal", "leslie", "lu",
           "lu_factor", "lu_solve", "pascal", "polar", "qr", "qr_multiply", "rsf2csf", "schur",
           "solve", "solve_sylvester", "solve_triangular", "sqrtm", "svd", "toeplitz"]
