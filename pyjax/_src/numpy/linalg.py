"""pyjax.numpy.linalg: NumPy's linear algebra with JAX's semantics.

Everything is batched over leading dimensions like JAX, written with lax and the
linear-algebra primitives of pyjax._src.lax.linalg.  Derivatives: `solve` (and so `inv`)
goes through custom_linear_solve, `det` has JAX's cofactor rule (defined at matrices of
rank n-1 as well), `slogdet` and `pinv` have JAX's custom jvps.
"""
import math
import operator
from typing import NamedTuple

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import Array, get_aval
from pyjax._src.custom_derivatives import custom_jvp
from pyjax._src.lax import lax
from pyjax._src.lax import linalg as lax_linalg
from pyjax._src.lax.linalg import (_H, _T, _bcast_to, _cast, _diag, _eye, _is_complex,
                                   _iota_mask, _mm, _perm_matrix, _real_dtype)
from pyjax._src.numpy import util


def _jnp():
    import pyjax.numpy as jnp
    return jnp


class EighResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class EigResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    Q: Array
    R: Array


class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array


class SVDResult(NamedTuple):
    U: Array
    S: Array
    Vh: Array


def _arrays(name, *args):
    util.check_arraylike(name, *args)
    return [util.asarray_arg(a) for a in args]


def _inexact(name, *args):
    args = _arrays(name, *args)
    return util.promote_dtypes_inexact(*args)


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return get_aval(x).ndim


def _dtype(x):
    return get_aval(x).dtype


def _const(x, v):
    return lax.full(_shape(x), v, _dtype(x))


# ---------------------------------------------------------------------------
# Decompositions


def cholesky(a, *, upper=False, symmetrize_input=True):
    """Cholesky factor of Hermitian positive-definite matrices (lower, or upper: L^H)."""
    a, = _inexact("jnp.linalg.cholesky", a)
    low = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return _H(low) if upper else low


def _sort_desc_with(s, *others):
    """Sort s descending along the last axis, permuting `others` alike."""
    nd = _ndim(s)
    out = lax.sort((s,) + others, dimension=nd - 1, num_keys=1)
    return [lax.rev(o, (nd - 1,)) for o in out]


def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    """Singular value decomposition: SVDResult(U, S, Vh) or S (descending)."""
    a, = _inexact("jnp.linalg.svd", a)
    if hermitian:
        v, w = lax_linalg.eigh(a, subset_by_index=subset_by_index)
        s = lax.abs(w)
        if compute_uv:
            sign = lax.sign(w)
            idxs = lax.broadcasted_iota(np.int32, _shape(s), _ndim(s) - 1)
            s, idxs, sign = _sort_desc_with(s, idxs, sign)
            # u[:, i] = v[:, idxs[i]]
            u = _mm(v, _T(_perm_matrix(idxs, _dtype(v))))
            sign_c = _cast(sign, _dtype(u))
            vh = _H(lax.mul(u, _bcast_to(lax.expand_dims(sign_c, (_ndim(sign_c) - 1,)), _shape(u))))
            return SVDResult(u, s, vh)
        return _sort_desc_with(s)[0]
    if compute_uv:
        u, s, vh = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True,
                                  subset_by_index=subset_by_index)
        return SVDResult(u, s, vh)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=False,
                          subset_by_index=subset_by_index)


def svdvals(x, /):
    """Singular values, descending."""
    return svd(x, compute_uv=False, hermitian=False)


def eig(a):
    """Eigenvalues and right eigenvectors of general square matrices (complex)."""
    a, = _inexact("jnp.linalg.eig", a)
    w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


def eigvals(a):
    """Eigenvalues of general square matrices (complex)."""
    a, = _inexact("jnp.linalg.eigvals", a)
    return lax_linalg.eig(a, compute_left_eigenvectors=False,
                          compute_right_eigenvectors=False)[0]


def _uplo(UPLO):
    if UPLO is None or UPLO == "L":
        return True
    if UPLO == "U":
        return False
    raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO}")


def eigh(a, UPLO=None, symmetrize_input=True):
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices."""
    a, = _inexact("jnp.linalg.eigh", a)
    v, w = lax_linalg.eigh(a, lower=_uplo(UPLO), symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    """Eigenvalues (ascending) of Hermitian matrices."""
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


def qr(a, mode="reduced"):
    """QR decomposition; mode 'reduced', 'complete', 'r' or 'raw'."""
    a, = _inexact("jnp.linalg.qr", a)
    if mode == "raw":
        r, taus = lax_linalg.geqrf(a)
        return QRResult(_T(r), taus)
    if mode in ("reduced", "r", "full"):
        full = False
    elif mode == "complete":
        full = True
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r = lax_linalg.qr(a, full_matrices=full)
    if mode == "r":
        return r
    return QRResult(q, r)


# ---------------------------------------------------------------------------
# Solves and inverses


def solve(a, b):
    """Solve a x = b; b is (m,) or (..., m, k), batch dimensions broadcast."""
    a, b = _inexact("jnp.linalg.solve", a, b)
    if _ndim(a) < 2:
        raise ValueError(f"left hand array must be at least two dimensional; got a.shape="
                         f"{_shape(a)}")
    sa, sb = _shape(a), _shape(b)
    if sa[-1] != sa[-2]:
        raise ValueError(f"solve: a must be square matrices of shape [..., m, m], got {sa}")
    if (_ndim(b) > 1 and _ndim(a) == _ndim(b) + 1 and sa[-1] == sb[-1] and sa[-1] != sb[-2]):
        raise ValueError(
            f"Invalid shapes for solve: {sa}, {sb}. Prior to JAX v0.5.0, this would have been "
            "treated as a batched 1-dimensional solve. To recover this behavior, use "
            "solve(a, b[..., None]).squeeze(-1).")
    if _ndim(b) == 1:
        if sb[0] != sa[-1]:
            raise ValueError(f"solve: incompatible shapes a={sa} and b={sb}")
        b = _bcast_to(b, sa[:-1])
        return lax_linalg._solve(a, b)
    if sb[-2] != sa[-1]:
        raise ValueError(f"The arguments to solve must have shapes a=[..., m, m] and "
                         f"b=[..., m, k] or b=[..., m]; got a={sa} and b={sb}")
    a, b = lax_linalg._broadcast_batch(a, b, core_ranks=(2, 2))
    return lax_linalg._solve(a, b)


def inv(a):
    """Inverses of square matrices (inf/NaN for singular ones)."""
    a, = _arrays("jnp.linalg.inv", a)
    if _ndim(a) < 2 or _shape(a)[-1] != _shape(a)[-2]:
        raise ValueError(f"Argument to inv must have shape [..., n, n], got {_shape(a)}.")
    a, = util.promote_dtypes_inexact(a)
    n = _shape(a)[-1]
    return solve(a, _eye(_dtype(a), n, batch=_shape(a)[:-2]))


def _pinv_impl(a, rtol, hermitian):
    jnp = _jnp()
    m, n = _shape(a)[-2:]
    if m == 0 or n == 0:
        return jnp.empty(_shape(a)[:-2] + (n, m), _dtype(a))
    arr = lax.conj(a) if _is_complex(a) else a
    if rtol is None:
        rtol = 10.0 * max(m, n) * float(np.finfo(_dtype(a)).eps)
    rtol = jnp.asarray(rtol, dtype=_real_dtype(_dtype(a)))
    u, s, vh = svd(arr, full_matrices=False, hermitian=hermitian)
    # singular values at or below rtol * largest are treated as zero
    rtol = lax.expand_dims(lax.expand_dims(rtol, (_ndim(rtol),)),
                           tuple(range(_ndim(s) - _ndim(rtol) - 1)))
    cutoff = lax.mul(_bcast_to(rtol, _shape(s)[:-1] + (1,)),
                     lax.slice_in_dim(s, 0, 1, axis=_ndim(s) - 1))
    s = jnp.where(s > cutoff, s, np.inf)
    s = _cast(s, _dtype(u))
    ut_over_s = lax.div(_T(u), _bcast_to(lax.expand_dims(s, (_ndim(s),)), _shape(_T(u))))
    return _cast(_mm(_T(vh), ut_over_s), _dtype(a))


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    """Moore-Penrose pseudo-inverse (singular values <= rtol * largest dropped), with the
    Golub-Pereyra derivative."""
    if rcond is not None:
        if rtol is not None:
            raise ValueError("pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    a, = _inexact("jnp.linalg.pinv", a)

    @custom_jvp
    def _pinv(x):
        return _pinv_impl(x, rtol, hermitian)

    @_pinv.defjvp
    def _pinv_jvp(primals, tangents):
        x, = primals
        x_dot, = tangents
        p = _pinv(x)
        if hermitian:
            x = lax_linalg.symmetrize(x)
            x_dot = lax_linalg.symmetrize(x_dot)
        m, n = _shape(x)[-2:]
        if m >= n:
            s = _mm(_mm(p, _H(p)), _H(x_dot))
            t = _mm(_mm(_H(x_dot), _H(p)), p)
            p_dot = lax.add(lax.neg(_mm(_mm(p, x_dot), p)),
                            lax.add(lax.sub(s, _mm(_mm(s, x), p)), lax.sub(t, _mm(_mm(p, x), t))))
        else:
            s = _mm(p, _mm(_H(p), _H(x_dot)))
            t = _mm(_H(x_dot), _mm(_H(p), p))
            p_dot = lax.add(lax.neg(_mm(p, _mm(x_dot, p))),
                            lax.add(lax.sub(s, _mm(s, _mm(x, p))), lax.sub(t, _mm(p, _mm(x, t)))))
        return p, p_dot

    return _pinv(a)


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """Least-squares solution of a x = b (a two-dimensional): (x, resid, rank, s)."""
    jnp = _jnp()
    a, b = _inexact("jnp.linalg.lstsq", a, b)
    if _shape(a)[0] != _shape(b)[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    b_orig_ndim = _ndim(b)
    if b_orig_ndim == 1:
        b = lax.expand_dims(b, (1,))
    if _ndim(a) != 2:
        raise TypeError(f"{_ndim(a)}-dimensional array given. Array must be two-dimensional")
    if _ndim(b) != 2:
        raise TypeError(f"{_ndim(b)}-dimensional array given. Array must be one or "
                        "two-dimensional")
    m, n = _shape(a)
    dt = _dtype(a)
    rdt = _real_dtype(dt)
    if m * n == 0:
        s = jnp.empty((0,), rdt)
        rank = jnp.asarray(0, dtype=dtypes.canonicalize_dtype(np.int64))
        x = jnp.zeros((n,) + _shape(b)[1:], dt)
    else:
        eps = float(np.finfo(dt).eps)
        if rcond is None:
            rcond_ = jnp.asarray(eps * max(n, m), rdt)
        else:
            rcond_ = jnp.asarray(rcond, rdt)
            rcond_ = jnp.where(rcond_ < 0, jnp.asarray(eps, rdt), rcond_)
        u, s, vt = svd(a, full_matrices=False)
        s0 = lax.slice_in_dim(s, 0, 1, axis=0)
        mask = (s > 0) & (s >= lax.mul(_bcast_to(lax.reshape(rcond_, (1,)), (1,)), s0))
        rank = jnp.sum(mask)
        safe_s = _cast(jnp.where(mask, s, 1), dt)
        s_inv = jnp.where(mask, lax.div(_const(safe_s, 1), safe_s), 0)
        s_inv = lax.expand_dims(_cast(s_inv, dt), (1,))
        uTb = _mm(_H(u), b)
        x = _mm(_H(vt), lax.mul(_bcast_to(s_inv, _shape(uTb)), uTb))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = jnp.asarray([], dtype=rdt)
    else:
        r = lax.sub(b, _mm(a, x))
        resid = jnp.sum(lax.real(lax.mul(r, lax.conj(r))) if _is_complex(r) else lax.mul(r, r),
                        axis=0)
    if b_orig_ndim == 1:
        x = lax.reshape(x, (_shape(x)[0],))
    return x, resid, rank, s


def tensorinv(a, ind=2):
    """The inverse of a tensor seen as a matrix split at axis `ind`."""
    a, = _arrays("tensorinv", a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"ind must be a positive integer; got ind={ind}")
    contracting_shape, batch_shape = _shape(a)[:ind], _shape(a)[ind:]
    flatshape = (math.prod(contracting_shape), math.prod(batch_shape))
    if flatshape[0] != flatshape[1]:
        raise ValueError("tensorinv is only possible when the product of the first `ind` "
                         "dimensions equals that of the remaining dimensions. got "
                         f"a.shape={_shape(a)}, ind={ind}.")
    return lax.reshape(inv(lax.reshape(a, flatshape)), batch_shape + contracting_shape)


def tensorsolve(a, b, axes=None):
    """Solve the tensor equation tensordot(a, x, x.ndim) = b."""
    jnp = _jnp()
    a, b = _arrays("tensorsolve", a, b)
    if axes is not None:
        axes = tuple(axes)
        a = jnp.moveaxis(a, axes, len(axes) * (_ndim(a) - 1,))
    out_shape = _shape(a)[_ndim(b):]
    if _shape(a)[:_ndim(b)] != _shape(b):
        raise ValueError("After moving axes to end, leading shape of a must match shape of b. "
                         f"got a.shape={_shape(a)}, b.shape={_shape(b)}")
    bsize = math.prod(_shape(b))
    if bsize != math.prod(out_shape):
        raise ValueError("Input arrays must have prod(a.shape[:b.ndim]) == "
                         f"prod(a.shape[b.ndim:]); got a.shape={_shape(a)}, b.ndim={_ndim(b)}.")
    a = lax.reshape(a, (bsize, math.prod(out_shape)))
    return lax.reshape(solve(a, lax.reshape(b, (bsize,))), out_shape)


# ---------------------------------------------------------------------------
# Determinants


def _slogdet_1x1(a):
    jnp = _jnp()
    det = a[..., 0, 0]
    return jnp.sign(det), jnp.real(jnp.log(jnp.abs(det)))


def _det_2x2(a):
    return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]


def _det_3x3(a):
    return (a[..., 0, 0] * a[..., 1, 1] * a[..., 2, 2] +
            a[..., 0, 1] * a[..., 1, 2] * a[..., 2, 0] +
            a[..., 0, 2] * a[..., 1, 0] * a[..., 2, 1] -
            a[..., 0, 2] * a[..., 1, 1] * a[..., 2, 0] -
            a[..., 0, 0] * a[..., 1, 2] * a[..., 2, 1] -
            a[..., 0, 1] * a[..., 1, 0] * a[..., 2, 2])


def _slogdet_small_impl(a):
    jnp = _jnp()
    if _shape(a)[-1] == 1:
        return _slogdet_1x1(a)
    det = _det_2x2(a)
    return jnp.sign(det), jnp.real(jnp.log(jnp.abs(det)))


def _slogdet_jvp_common(x, sign, ans_dot):
    jnp = _jnp()
    if _is_complex(x):
        sign_dot = (ans_dot - jnp.real(ans_dot).astype(_dtype(ans_dot))) * sign
        ans_dot = jnp.real(ans_dot)
    else:
        sign_dot = jnp.zeros_like(sign)
    return sign_dot, ans_dot


@custom_jvp
def _slogdet_small(a):
    return _slogdet_small_impl(a)


@_slogdet_small.defjvp
def _slogdet_small_jvp(primals, tangents):
    x, = primals
    g, = tangents
    sign, ans = _slogdet_small(x)
    if _shape(x)[-1] == 1:
        ans_dot = g[..., 0, 0] / x[..., 0, 0]
    else:
        ans_dot = ((g[..., 0, 0] * x[..., 1, 1] - g[..., 0, 1] * x[..., 1, 0]
                    - g[..., 1, 0] * x[..., 0, 1] + g[..., 1, 1] * x[..., 0, 0]) / _det_2x2(x))
    sign_dot, ans_dot = _slogdet_jvp_common(x, sign, ans_dot)
    return (sign, ans), (sign_dot, ans_dot)


def _slogdet_lu_impl(a):
    jnp = _jnp()
    dt = _dtype(a)
    lu_, pivot, _ = lax_linalg.lu(a)
    diag = _diag(lu_)
    is_zero = jnp.any(diag == jnp.asarray(0, dtype=dt), axis=-1)
    iota = lax.broadcasted_iota(np.int32, _shape(pivot), _ndim(pivot) - 1)
    parity = jnp.count_nonzero(pivot != iota, axis=-1)
    if _is_complex(a):
        sign = jnp.prod(diag / jnp.abs(diag).astype(dt), axis=-1)
    else:
        sign = jnp.asarray(1, dtype=dt)
        parity = parity + jnp.count_nonzero(diag < 0, axis=-1)
    sign = jnp.where(is_zero, jnp.asarray(0, dtype=dt),
                     sign * jnp.asarray(-2 * (parity % 2) + 1, dtype=dt))
    logdet = jnp.where(is_zero, jnp.asarray(-np.inf, dtype=dt),
                       jnp.sum(jnp.log(jnp.abs(diag)).astype(dt), axis=-1))
    return sign, jnp.real(logdet)


def _slogdet_qr_impl(a):
    jnp = _jnp()
    if _is_complex(a):
        raise NotImplementedError("slogdet method='qr' not implemented for complex inputs")
    n = _shape(a)[-1]
    r, taus = lax_linalg.geqrf(a)
    d = _diag(r)
    log_abs_det = jnp.sum(jnp.log(jnp.abs(d)), axis=-1)
    sign_diag = jnp.prod(jnp.sign(d), axis=-1)
    t = taus[..., :n - 1]
    sign_taus = jnp.prod(jnp.where(t != 0, -1, 1), axis=-1).astype(_dtype(sign_diag))
    return sign_diag * sign_taus, log_abs_det


def _slogdet_jvp(primals, tangents):
    jnp = _jnp()
    x, = primals
    g, = tangents
    sign, ans = slogdet(x)
    ans_dot = jnp.trace(solve(x, g), axis1=-1, axis2=-2)
    sign_dot, ans_dot = _slogdet_jvp_common(x, sign, ans_dot)
    return (sign, ans), (sign_dot, ans_dot)


_slogdet_lu = custom_jvp(_slogdet_lu_impl)
_slogdet_lu.defjvp(_slogdet_jvp)
_slogdet_qr = custom_jvp(_slogdet_qr_impl)
_slogdet_qr.defjvp(_slogdet_jvp)


def slogdet(a, *, method=None):
    """Sign and log of the absolute value of determinants: SlogdetResult(sign, logabsdet)."""
    a, = _inexact("jnp.linalg.slogdet", a)
    s = _shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"Argument to slogdet() must have shape [..., n, n], got {s}")
    if method is None or method == "lu":
        if s[-1] in (1, 2):
            return SlogdetResult(*_slogdet_small(a))
        return SlogdetResult(*_slogdet_lu(a))
    if method == "qr":
        return SlogdetResult(*_slogdet_qr(a))
    raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' (`None`), "
                     "and 'qr'.")


def _cofactor_solve(a, b):
    """(det(a), adj(a) @ b), well defined when rank(a) >= n - 1 (zero adjugate below):
    with a = P L U, det(a) a^{-1} b is prod(diag U) U^{-1} L^{-1} P^T b, and the division by
    the last pivot of U is folded into the product (JAX's construction)."""
    jnp = _jnp()
    a, b = _inexact("jnp.linalg._cofactor_solve", a, b)
    sa, sb = _shape(a), _shape(b)
    if not (len(sa) >= 2 and sa[-1] == sa[-2] and sb[-2:] == sa[-2:]):
        raise ValueError("The arguments to _cofactor_solve must have shapes a=[..., m, m] and "
                         f"b=[..., m, m]; got a={sa} and b={sb}")
    n = sa[-1]
    if n == 1:
        return a[..., 0, 0], b
    dt = _dtype(a)
    lu_, pivots, permutation = lax_linalg.lu(a)
    lu_, x = lax_linalg._broadcast_batch(lu_, b, core_ranks=(2, 2))
    batch = _shape(x)[:-2]
    diag = _diag(lu_)
    iota = lax.broadcasted_iota(np.int32, _shape(pivots), _ndim(pivots) - 1)
    parity = jnp.count_nonzero(pivots != iota, axis=-1)
    sign = jnp.asarray(-2 * (parity % 2) + 1, dtype=dt)
    sign = _bcast_to(sign, batch)
    # partial_det[..., -1] is det(a); partial_det[..., -2] is det(a) / u_nn
    partial_det = jnp.cumprod(diag, axis=-1) * sign[..., None]
    last = partial_det[..., -1]
    before_last = partial_det[..., -2]
    corner = lax.bitwise_and(_iota_mask(_shape(lu_), 0, lax.eq), _corner_mask(_shape(lu_)))
    fill = _bcast_to(lax.expand_dims(lax.div(lax.full(_shape(before_last), 1, dt), before_last),
                                     (len(batch), len(batch) + 1)), _shape(lu_))
    lu_ = lax.select(corner, fill, lu_)
    permutation = _bcast_to(permutation, batch + (n,))
    # filter out matrices of rank < n - 1 (their adjugate is zero)
    d = lax_linalg.triangular_solve(lu_, lax.full(batch + (n,), 1, dt), left_side=True,
                                    lower=False)
    d = jnp.any(jnp.isnan(d) | jnp.isinf(d), axis=-1)
    d = _bcast_to(lax.expand_dims(d, (len(batch), len(batch) + 1)), _shape(x))
    zeros = lax.full(_shape(x), 0, dt)
    x = lax.select(d, zeros, x)
    x = _mm(_perm_matrix(permutation, dt), x)
    x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
    scale = _bcast_to(lax.expand_dims(last, (len(batch), len(batch) + 1)), _shape(x))
    row_last = _last_row_mask(_shape(x))
    x = lax.select(row_last, x, lax.mul(x, scale))
    x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=False)
    x = lax.select(d, zeros, x)
    return last, x


def _corner_mask(shape):
    nd = len(shape)
    rows = lax.broadcasted_iota(np.int32, shape, nd - 2)
    return lax.eq(rows, lax.full(shape, shape[-2] - 1, np.int32))


def _last_row_mask(shape):
    return _corner_mask(shape)


@custom_jvp
def _det(a):
    jnp = _jnp()
    sign, logdet = slogdet(a)
    return sign * jnp.exp(logdet).astype(_dtype(sign))


@_det.defjvp
def _det_jvp(primals, tangents):
    jnp = _jnp()
    x, = primals
    g, = tangents
    y, z = _cofactor_solve(x, g)
    return y, jnp.trace(z, axis1=-1, axis2=-2)


def det(a):
    """Determinants of square matrices (differentiable also at matrices of rank n - 1)."""
    a, = _arrays("jnp.linalg.det", a)
    s = _shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"Argument to _det() must have shape [..., n, n], got {s}")
    a, = util.promote_dtypes_inexact(a)
    if s[-1] == 2:
        return _det_2x2(a)
    if s[-1] == 3:
        return _det_3x3(a)
    return _det(a)


# ---------------------------------------------------------------------------
# Norms, rank, condition number, powers


def matrix_rank(M, rtol=None, *, hermitian=False, tol=None):
    """The number of singular values above rtol times the largest."""
    jnp = _jnp()
    M, = _inexact("jnp.linalg.matrix_rank", M)
    if tol is not None:
        if rtol is not None:
            raise ValueError("matrix_rank: only one of tol or rtol may be specified.")
        rtol = tol
    if _ndim(M) < 2:
        return jnp.any(M != 0).astype(np.int32)
    S = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = jnp.max(S, axis=-1) * np.asarray(max(_shape(M)[-2:]), _dtype(S)) \
            * np.asarray(np.finfo(_dtype(S)).eps, _dtype(S))
    rtol = jnp.asarray(rtol)
    rtol = lax.expand_dims(rtol, (_ndim(rtol),))
    return jnp.sum(S > rtol, axis=-1)


def matrix_power(a, n):
    """a raised to the integer power n (n < 0: of the inverse), by repeated squaring."""
    jnp = _jnp()
    a, = _arrays("jnp.linalg.matrix_power", a)
    if _ndim(a) < 2:
        raise TypeError(f"{_ndim(a)}-dimensional array given. Array must be at least "
                        "two-dimensional")
    if _shape(a)[-2] != _shape(a)[-1]:
        raise TypeError("Last 2 dimensions of the array must be square")
    try:
        n = operator.index(n)
    except TypeError as err:
        raise TypeError(f"exponent must be an integer, got {n}") from err
    if n == 0:
        return jnp.broadcast_to(jnp.eye(_shape(a)[-2], dtype=_dtype(a)), _shape(a))
    if n < 0:
        a = inv(a)
        n = -n
    if n == 1:
        return a
    if n == 2:
        return jnp.matmul(a, a)
    if n == 3:
        return jnp.matmul(jnp.matmul(a, a), a)
    z = result = None
    while n > 0:
        z = a if z is None else jnp.matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else jnp.matmul(result, z)
    return result


def _abs2(x):
    jnp = _jnp()
    return jnp.real(x * jnp.conj(x)) if _is_complex(x) else x * x


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Vector norms of order ord over `axis` (all axes when None)."""
    jnp = _jnp()
    x, = _arrays("jnp.linalg.vector_norm", x)
    if (not isinstance(ord, str) and ord in (1, np.inf, -np.inf)
            and not dtypes.issubdtype(_dtype(x), np.inexact)):
        # as JAX: these orders keep integer (and boolean) input exact, in integers
        red = jnp.sum if ord == 1 else jnp.max if ord == np.inf else jnp.min
        kw = {"initial": 0} if ord == np.inf else {}
        return red(jnp.abs(x), axis=axis, keepdims=keepdims, **kw)
    x, = util.promote_dtypes_inexact(x)
    if ord is None or (not isinstance(ord, str) and ord == 2):
        return jnp.sqrt(jnp.sum(_abs2(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        msg = f"Invalid order '{ord}' for vector norm."
        if ord == "inf":
            msg += "Use 'jax.numpy.inf' instead."
        if ord == "-inf":
            msg += "Use '-jax.numpy.inf' instead."
        raise ValueError(msg)
    if ord == np.inf:
        return jnp.max(jnp.abs(x), axis=axis, keepdims=keepdims, initial=0)
    if ord == -np.inf:
        return jnp.min(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return jnp.sum(x != 0, dtype=_real_dtype(_dtype(x)), axis=axis, keepdims=keepdims)
    if ord == 1:
        return jnp.sum(jnp.abs(x), axis=axis, keepdims=keepdims)
    abs_x = jnp.abs(x)
    rdt = _dtype(abs_x)
    out = jnp.sum(abs_x ** np.asarray(ord, rdt), axis=axis, keepdims=keepdims)
    return out ** np.asarray(1.0 / ord, rdt)


def norm(x, ord=None, axis=None, keepdims=False):
    """Matrix or vector norm, as numpy.linalg.norm."""
    jnp = _jnp()
    x, = _inexact("jnp.linalg.norm", x)
    ndim = _ndim(x)
    if axis is None:
        if ord is None:
            return jnp.sqrt(jnp.sum(_abs2(x), keepdims=keepdims))
        axis = tuple(range(ndim))
    elif isinstance(axis, (tuple, list)):
        axis = tuple(util.canonicalize_axis(a, ndim) for a in axis)
    else:
        axis = (util.canonicalize_axis(axis, ndim),)
    if len(axis) == 1:
        return vector_norm(x, ord=2 if ord is None else ord, axis=axis, keepdims=keepdims)
    if len(axis) != 2:
        raise ValueError(f"Improper number of axes for norm: axis={axis}. Pass one axis to "
                         "compute a vector-norm, or two axes to compute a matrix-norm.")
    row_axis, col_axis = axis
    if ord is None or ord in ("f", "fro"):
        return jnp.sqrt(jnp.sum(_abs2(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str) and ord != "nuc":
        raise ValueError(f"Invalid order '{ord}' for matrix norm.")
    if ord == 1 or ord == -1:
        if not keepdims and col_axis > row_axis:
            col_axis -= 1
        s = jnp.sum(jnp.abs(x), axis=row_axis, keepdims=keepdims)
        return (jnp.max(s, axis=col_axis, keepdims=keepdims, initial=0) if ord == 1
                else jnp.min(s, axis=col_axis, keepdims=keepdims))
    if ord == np.inf or ord == -np.inf:
        if not keepdims and row_axis > col_axis:
            row_axis -= 1
        s = jnp.sum(jnp.abs(x), axis=col_axis, keepdims=keepdims)
        return (jnp.max(s, axis=row_axis, keepdims=keepdims, initial=0) if ord == np.inf
                else jnp.min(s, axis=row_axis, keepdims=keepdims))
    if ord in ("nuc", 2, -2):
        x = jnp.moveaxis(x, axis, (-2, -1))
        s = svd(x, compute_uv=False)
        if ord == 2:
            y = jnp.max(s, axis=-1, initial=0)
        elif ord == -2:
            y = jnp.min(s, axis=-1)
        else:
            y = jnp.sum(s, axis=-1)
        if keepdims:
            y = jnp.expand_dims(y, axis)
        return y
    raise ValueError(f"Invalid order '{ord}' for matrix norm.")


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Matrix norms over the last two axes."""
    return norm(x, ord=ord, keepdims=keepdims, axis=(-2, -1))


def cond(x, p=None):
    """Condition numbers in the norm p (inf where singular)."""
    jnp = _jnp()
    x, = _inexact("cond", x)
    if _ndim(x) < 2:
        raise ValueError(f"jnp.linalg.cond: input array must be at least 2D; got "
                         f"x.shape={_shape(x)}")
    if _shape(x)[-1] == 0 or _shape(x)[-2] == 0:
        raise ValueError(f"jnp.linalg.cond: input array must not be empty; got "
                         f"x.shape={_shape(x)}")
    if p is None or p == 2:
        s = svdvals(x)
        return s[..., 0] / s[..., -1]
    if p == -2:
        s = svdvals(x)
        r = s[..., -1] / s[..., 0]
    else:
        if _shape(x)[-2] != _shape(x)[-1]:
            raise ValueError(f"jnp.linalg.cond: for p={p}, array must be square; got "
                             f"x.shape={_shape(x)}")
        r = norm(x, ord=p, axis=(-2, -1)) * norm(inv(x), ord=p, axis=(-2, -1))
    # NaNs (from a singular x) become infinities where x itself has no NaN
    return jnp.where(jnp.isnan(r) & ~jnp.any(jnp.isnan(x), axis=(-2, -1)), np.inf, r)


# ---------------------------------------------------------------------------
# Products and array-API functions


def multi_dot(arrays, *, precision=None):
    """The product of a chain of matrices (the first and last may be vectors)."""
    jnp = _jnp()
    arrs = _arrays("jnp.linalg.multi_dot", *arrays)
    if len(arrs) < 2:
        raise ValueError(f"multi_dot requires at least two arrays; got len(arrays)={len(arrs)}")
    if not (_ndim(arrs[0]) in (1, 2) and _ndim(arrs[-1]) in (1, 2)
            and all(_ndim(a) == 2 for a in arrs[1:-1])):
        raise ValueError("multi_dot: input arrays must all be two-dimensional, except for the "
                         "first and last array which may be 1 or 2 dimensional. Got array "
                         f"shapes {[_shape(a) for a in arrs]}")
    if any(_shape(a)[-1] != _shape(b)[0] for a, b in zip(arrs[:-1], arrs[1:])):
        raise ValueError("multi_dot: last dimension of each array must match first dimension "
                         f"of following array. Got array shapes {[_shape(a) for a in arrs]}")
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    subs = [letters[i] + letters[i + 1] for i in range(len(arrs))]
    if _ndim(arrs[0]) == 1:
        subs[0] = subs[0][1:]
    if _ndim(arrs[-1]) == 1:
        subs[-1] = subs[-1][:1]
    used = sorted(set("".join(subs)), key=letters.index)
    counts = {c: "".join(subs).count(c) for c in used}
    out = "".join(c for c in used if counts[c] == 1)
    return jnp.einsum(",".join(subs) + "->" + out, *arrs, optimize="auto",
                      precision=precision)


def cross(x1, x2, /, *, axis=-1):
    """Cross products of 3-vectors along `axis`."""
    jnp = _jnp()
    x1, x2 = _arrays("jnp.linalg.cross", x1, x2)
    if _shape(x1)[axis] != 3 or _shape(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, but "
                         f"they have x1.shape[axis]={_shape(x1)[axis]} and "
                         f"x2.shape[axis]={_shape(x2)[axis]}")
    x1, x2 = util.promote_dtypes(x1, x2)
    a = jnp.moveaxis(x1, axis, -1)
    b = jnp.moveaxis(x2, axis, -1)
    a, b = util.promote_shapes("cross", a, b)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    c = jnp.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return jnp.moveaxis(c, -1, axis)


def outer(x1, x2, /):
    """Outer product of two vectors."""
    x1, x2 = _arrays("jnp.linalg.outer", x1, x2)
    if _ndim(x1) != 1 or _ndim(x2) != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={_ndim(x1)} x2.ndim={_ndim(x2)}")
    return x1[:, None] * x2[None, :]


def matrix_transpose(x, /):
    """Swap the last two axes."""
    x, = _arrays("jnp.linalg.matrix_transpose", x)
    if _ndim(x) < 2:
        raise ValueError(f"matrix_transpose requires at least 2 dimensions; got ndim={_ndim(x)}")
    return _T(x)


def trace(x, /, *, offset=0, dtype=None):
    """Sum along the diagonals of the last two axes."""
    x, = _arrays("jnp.linalg.trace", x)
    return _jnp().trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


def diagonal(x, /, *, offset=0):
    """Diagonals of the last two axes."""
    x, = _arrays("jnp.linalg.diagonal", x)
    return _jnp().diagonal(x, offset=offset, axis1=-2, axis2=-1)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """Dot products of vectors along `axis` (the first conjugated)."""
    return _jnp().vecdot(x1, x2, axis=axis, precision=precision,
                         preferred_element_type=preferred_element_type)


def matmul(x1, x2, /, *, precision=None, preferred_element_type=None):
    return _jnp().matmul(x1, x2, precision=precision,
                         preferred_element_type=preferred_element_type)


def tensordot(x1, x2, /, *, axes=2, precision=None, preferred_element_type=None,
              out_sharding=None):
    """Array API tensordot (out_sharding has no effect: pyjax runs on one device)."""
    return _jnp().tensordot(x1, x2, axes=axes, precision=precision,
                            preferred_element_type=preferred_element_type)


__all__ = ["EigResult", "EighResult", "QRResult", "SVDResult", "SlogdetResult", "cholesky",
           "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
           "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose",
           "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot", "vector_norm"]
