"""jax.numpy polynomial functions (coefficients highest power first, as NumPy's poly1d):
polyval, polyadd, polysub, polymul, polydiv, polyder, polyint, polyfit, poly, roots.

Ported from JAX's jax/_src/numpy/polynomial.py, in lax operations (JAX's `.at[]` updates
become pads and concatenations), so results, dtypes and weak types are JAX's.
"""
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import lax_numpy as _np_
from pyjax._src.numpy import reductions
from pyjax._src.numpy import ufuncs as uf
from pyjax._src.numpy.util import (asarray_arg, broadcast_shapes_of, broadcast_to_shape,
                                   check_arraylike, promote_dtypes, promote_dtypes_inexact)

__all__ = ["polyval", "polyadd", "polysub", "polymul", "polydiv", "polyder", "polyint",
           "polyfit", "poly", "roots"]


def _arrays(name, *args):
    check_arraylike(name, *args)
    return [asarray_arg(a) for a in args]


def _shape(x):
    return get_aval(x).shape


def _dt(x):
    return get_aval(x).dtype


def _len(x):
    return _shape(x)[0]


def _concrete(x, what):
    if isinstance(x, Tracer):
        return core.concrete_or_error(x, what)
    return x


def _atleast_1d(x):
    return lax.reshape(x, (1,)) if not _shape(x) else x


def _numpy_value(x, what):
    """The concrete value of x as a NumPy array (an error naming `what` under tracing)."""
    return np.asarray(core.to_numpy(_concrete(x, what)))


def _trim_front(a, is_zero, what):
    """a without its leading elements where `is_zero` (JAX's trim_zeros(..., trim='f');
    needs concrete values)."""
    nz = _numpy_value(is_zero, what)
    if nz.all():
        return _np_.empty((0,), _dt(a))
    start = int(np.argmin(nz))
    return lax.slice(a, (start,), (_len(a),))


def polyval(p, x, *, unroll=16):
    """The polynomial with coefficients p (highest power first) at x, by Horner's rule
    (a scan over p's leading axis)."""
    from pyjax._src.lax.control_flow import scan
    p, x = _arrays("polyval", p, x)
    p_arr, x_arr = promote_dtypes(p, x)
    shape = broadcast_shapes_of("polyval", _shape(p_arr)[1:], _shape(x_arr))
    y = lax.full(shape, 0, _dt(x_arr))
    y, _ = scan(lambda y, c: (uf.add(uf.multiply(y, x_arr), c), None), y, p_arr, unroll=unroll)
    return y


def polyadd(a1, a2):
    """The sum of two polynomials (the shorter one aligned at the low-order end)."""
    a1, a2 = _arrays("polyadd", a1, a2)
    a1_arr, a2_arr = promote_dtypes(a1, a2)
    if _len(a2_arr) <= _len(a1_arr):
        big, small = a1_arr, a2_arr
    else:
        big, small = a2_arr, a1_arr
    k = _len(big) - _len(small)
    head = lax.slice(big, (0,), (k,))
    tail = lax.add(lax.slice(big, (k,), (_len(big),)), small)
    return lax.concatenate([head, tail], 0) if k else tail


def polysub(a1, a2):
    """The difference of two polynomials."""
    a1, a2 = _arrays("polysub", a1, a2)
    a1, a2 = promote_dtypes(a1, a2)
    return polyadd(a1, uf.negative(a2))


def polyint(p, m=1, k=None):
    """The m-th antiderivative of p, with integration constants k (scalar or length m)."""
    m = operator.index(_concrete(m, "'m' argument of jnp.polyint"))
    k = 0 if k is None else k
    p, k = _arrays("polyint", p, k)
    p_arr, k_arr = promote_dtypes_inexact(p, k)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k_arr = _atleast_1d(k_arr)
    if _len(k_arr) == 1:
        k_arr = broadcast_to_shape(lax.reshape(k_arr, ()), (m,))
    if _shape(k_arr) != (m,):
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or m.")
    if m == 0:
        return p_arr
    dt = _dt(p_arr)
    grid = lax.sub(lax.broadcasted_iota(dt, (m, _len(p_arr) + m), 1),
                   lax.broadcasted_iota(dt, (m, _len(p_arr) + m), 0))
    coeff = lax.rev(reductions.prod(uf.maximum(1, grid), axis=0), (0,))
    return uf.true_divide(_np_.concatenate((p_arr, k_arr)), coeff)


def polyder(p, m=1):
    """The m-th derivative of p."""
    p, = _arrays("polyder", p)
    m = operator.index(_concrete(m, "'m' argument of jnp.polyder"))
    p_arr, = promote_dtypes_inexact(p)
    if m < 0:
        raise ValueError("Order of derivative must be positive")
    if m == 0:
        return p_arr
    n = _len(p_arr)
    dt = _dt(p_arr)
    cols = max(n - m, 0)
    grid = lax.sub(lax.add(lax.broadcasted_iota(dt, (m, cols), 1), lax.full((m, cols), m, dt)),
                   lax.broadcasted_iota(dt, (m, cols), 0))
    coeff = reductions.prod(grid, axis=0)
    return uf.multiply(lax.slice(p_arr, (0,), (cols,)), lax.rev(coeff, (0,)))


def polymul(a1, a2, *, trim_leading_zeros=False):
    """The product of two polynomials (a full convolution)."""
    from pyjax._src.numpy.mathfuncs import convolve
    a1, a2 = _arrays("polymul", a1, a2)
    a1_arr, a2_arr = promote_dtypes_inexact(a1, a2)
    if trim_leading_zeros and (_len(a1_arr) > 1 or _len(a2_arr) > 1):
        what = "Error arose in the `filt` argument of trim_zeros()"
        a1_arr = _trim_front(a1_arr, uf.equal(a1_arr, 0), what)
        a2_arr = _trim_front(a2_arr, uf.equal(a2_arr, 0), what)
    if _len(a1_arr) == 0:
        a1_arr = _np_.zeros(1, dtype=_dt(a2_arr))
    if _len(a2_arr) == 0:
        a2_arr = _np_.zeros(1, dtype=_dt(a1_arr))
    return convolve(a1_arr, a2_arr, mode='full')


def polydiv(u, v, *, trim_leading_zeros=False):
    """(quotient, remainder) of polynomial division u / v. The remainder keeps u's length
    unless `trim_leading_zeros` (which needs concrete values)."""
    u, v = _arrays("polydiv", u, v)
    u_arr, v_arr = promote_dtypes_inexact(u, v)
    m, n = _len(u_arr) - 1, _len(v_arr) - 1
    scale = uf.true_divide(1., lax.index_in_dim(v_arr, 0, keepdims=False))
    dt = _dt(u_arr)
    qs = []
    for k in range(0, m - n + 1):
        d = uf.multiply(scale, lax.index_in_dim(u_arr, k, keepdims=False))
        qs.append(lax.convert_element_type(d, dt))
        upd = uf.multiply(uf.negative(d), v_arr)
        upd = lax.pad(lax.convert_element_type(upd, dt), lax.full((), 0, dt),
                      [(k, m - n - k, 0)])
        u_arr = uf.add(u_arr, upd)
        u_arr = lax.convert_element_type(u_arr, dt)
    if qs:
        q = lax.concatenate([lax.reshape(d, (1,)) for d in qs], 0)
    else:
        q = _np_.zeros(1, dtype=dt)
    if trim_leading_zeros:
        tol = float(np.sqrt(dtypes.finfo(dt).eps))
        u_arr = _trim_front(u_arr, uf.less(uf.absolute(u_arr), tol),
                            "Error arose in the `filt` argument of trim_zeros_tol()")
    return q, u_arr


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit of degree `deg` (coefficients highest power first);
    `full` adds (residuals, rank, singular values, rcond), `cov` the covariance."""
    from pyjax._src.numpy import linalg
    from pyjax._src.numpy.mathfuncs import vander
    if w is None:
        x_arr, y_arr = _arrays("polyfit", x, y)
    else:
        x_arr, y_arr, w = _arrays("polyfit", x, y, w)
    deg = int(_concrete(deg, "deg must be int"))
    order = deg + 1
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if len(_shape(x_arr)) != 1:
        raise TypeError("expected 1D vector for x")
    if get_aval(x_arr).size == 0:
        raise TypeError("expected non-empty vector for x")
    if len(_shape(y_arr)) < 1 or len(_shape(y_arr)) > 2:
        raise TypeError("expected 1D or 2D array for y")
    if _len(x_arr) != _len(y_arr):
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = _len(x_arr) * float(dtypes.finfo(_dt(x_arr)).eps)
    rcond = float(_concrete(rcond, "rcond must be float"))
    lhs = vander(x_arr, order)
    rhs = y_arr
    if w is not None:
        w_arr, = promote_dtypes_inexact(w)
        if len(_shape(w_arr)) != 1:
            raise TypeError("expected a 1-d array for weights")
        if _len(w_arr) != _len(y_arr):
            raise TypeError("expected w and y to have the same length")
        wcol = lax.expand_dims(w_arr, (1,))
        lhs = uf.multiply(lhs, wcol)
        rhs = uf.multiply(rhs, wcol) if len(_shape(rhs)) == 2 else uf.multiply(rhs, w_arr)
    scale = uf.sqrt(reductions.sum(uf.multiply(lhs, lhs), axis=0))
    lhs = uf.true_divide(lhs, lax.expand_dims(scale, (0,)))
    c, resids, rank, s = linalg.lstsq(lhs, rhs, rcond)
    if len(_shape(c)) > 1:
        c = _np_.transpose(uf.true_divide(_np_.transpose(c), lax.expand_dims(scale, (0,))))
    else:
        c = uf.true_divide(c, scale)
    if full:
        return c, resids, rank, s, lax.asarray(rcond)
    if cov:
        lhs_t = _np_.transpose(lhs)
        Vbase = linalg.inv(_np_.dot(lhs_t, lhs))
        Vbase = uf.true_divide(Vbase, _np_.outer(scale, scale))
        if cov == "unscaled":
            fac = _np_.array(1.0)
        else:
            if _len(x_arr) <= order:
                raise ValueError("the number of data points must exceed order"
                                 " to scale the covariance matrix")
            fac = uf.true_divide(resids, _len(x_arr) - order)
        fac = _atleast_1d(fac)
        if len(_shape(y_arr)) == 1:
            return c, uf.multiply(Vbase, lax.expand_dims(fac, (0,)))
        return c, uf.multiply(lax.expand_dims(Vbase, (2,)), lax.expand_dims(fac, (0, 1)))
    return c


def poly(seq_of_zeros):
    """Coefficients of the monic polynomial with the given roots (or the characteristic
    polynomial of a square matrix)."""
    from pyjax._src.numpy.mathfuncs import convolve
    seq_of_zeros, = _arrays("poly", seq_of_zeros)
    seq, = promote_dtypes_inexact(seq_of_zeros)
    seq = _atleast_1d(seq)
    sh = _shape(seq)
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        from pyjax._src.numpy import linalg
        seq = linalg.eigvals(seq)
    if len(_shape(seq)) != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    dt = _dt(seq)
    if _len(seq) == 0:
        return _np_.ones((), dtype=dt)
    a = _np_.ones((1,), dtype=dt)
    one = lax.full((1,), 1, dt)
    for k in range(_len(seq)):
        z = lax.reshape(lax.neg(lax.index_in_dim(seq, k, keepdims=False)), (1,))
        a = convolve(a, lax.concatenate([one, z], 0), mode='full')
    return a


def _companion_eigvals(p):
    """Roots of the polynomial p (p[0] != 0): eigenvalues of its companion matrix."""
    from pyjax._src.numpy import linalg
    n = _len(p)
    if n < 2:
        return _np_.array([], dtype=dtypes.to_complex_dtype(_dt(p)))
    dt = _dt(p)
    first = uf.true_divide(uf.negative(lax.slice(p, (1,), (n,))),
                           lax.index_in_dim(p, 0, keepdims=False))
    rows = [lax.reshape(first, (1, n - 1))]
    if n > 2:
        rows.append(_np_.eye(n - 2, n - 1, dtype=dt))
    return linalg.eigvals(lax.concatenate(rows, 0) if len(rows) > 1 else rows[0])


def _roots_with_zeros(p, num_leading_zeros):
    from pyjax._src.lax.sorting import sort_key_val
    n = _len(p)
    all_zero = uf.equal(num_leading_zeros, n)
    p = _np_.where(all_zero, 1.0, p)
    # Roll the leading zeros to the end.
    rolled = lax.dynamic_slice(lax.concatenate([p, p], 0), [num_leading_zeros], (n,))
    r = _companion_eigvals(rolled)
    r = sort_key_val(uf.equal(r, 0), r)[1]
    size = _len(r)
    keep = uf.less(lax.iota(np.int32, size), uf.subtract(size, num_leading_zeros))
    return _np_.where(keep, r, complex(np.nan, np.nan))


def roots(p, *, strip_zeros=True):
    """The roots of the polynomial p (complex), from the eigenvalues of its companion
    matrix. Leading zeros are stripped (needs a concrete p); with strip_zeros=False they
    give NaN roots instead, and p may be traced."""
    p, = _arrays("roots", p)
    p, = promote_dtypes_inexact(p)
    p_arr = _atleast_1d(p)
    if len(_shape(p_arr)) != 1:
        raise ValueError("Input must be a rank-1 array.")
    if _len(p_arr) < 2:
        return _np_.array([], dtype=dtypes.to_complex_dtype(_dt(p_arr)))
    is_zero = uf.equal(p_arr, 0)
    num_leading_zeros = _np_.where(reductions.all(is_zero), _len(p_arr),
                                   reductions.argmin(is_zero))
    if strip_zeros:
        nlz = int(_concrete(num_leading_zeros,
                            "The error occurred in the jnp.roots() function. To use this within a "
                            "JIT-compiled context, pass strip_zeros=False, but be aware that "
                            "leading zeros will result in some returned roots being set to NaN."))
        return _companion_eigvals(lax.slice(p_arr, (nlz,), (_len(p_arr),)))
    return _roots_with_zeros(p_arr, num_leading_zeros)
