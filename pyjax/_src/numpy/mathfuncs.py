"""jax.numpy math functions beyond the elementwise tables of ufuncs.py: fmin/fmax, frexp,
ldexp, modf, spacing, bitwise_count, gcd/lcm, nan_to_num, i0, interp, unwrap, vander, cross,
convolve/correlate, cumulative_sum/prod and nancumsum/nancumprod.

Each follows JAX's implementation (jax/_src/numpy), written in lax operations only, so
values, dtypes and weak types are JAX's and everything works under jit, vmap and grad.
"""
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import lax_numpy as _np_
from pyjax._src.numpy import reductions
from pyjax._src.numpy import ufuncs as uf
from pyjax._src.numpy.util import (asarray_arg, canonicalize_axis,
                                   check_arraylike, lax_const, promote_args_inexact,
                                   promote_args_numeric, promote_dtypes, promote_dtypes_inexact,
                                   promote_shapes)

__all__ = ["fmin", "fmax", "frexp", "ldexp", "modf", "spacing", "bitwise_count", "gcd", "lcm",
           "nan_to_num", "i0", "interp", "unwrap", "vander", "cross", "convolve", "correlate",
           "cumulative_sum", "cumulative_prod", "nancumsum", "nancumprod", "trapezoid",
           "bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _arrays(name, *args):
    check_arraylike(name, *args)
    return [asarray_arg(a) for a in args]


def _dt(x):
    return get_aval(x).dtype


def _shape(x):
    return get_aval(x).shape


def _where(c, x, y):
    return _np_.where(c, x, y)


def _static_int(v, what):
    if isinstance(v, Tracer):
        v = core.concrete_or_error(v, what)
    return operator.index(v)


_INT_DTYPES = {16: np.dtype(np.int16), 32: np.dtype(np.int32), 64: np.dtype(np.int64)}


# --- elementwise ---------------------------------------------------------------------


def fmin(x1, x2):
    """Elementwise minimum, ignoring NaNs (NaN only where both are NaN)."""
    mask = uf.bitwise_or(uf.less(x1, x2), uf.isnan(x2))
    return _where(mask, x1, x2)


def fmax(x1, x2):
    """Elementwise maximum, ignoring NaNs (NaN only where both are NaN)."""
    mask = uf.bitwise_or(uf.greater(x1, x2), uf.isnan(x2))
    return _where(mask, x1, x2)


def _bitcast(x, dt):
    """lax.bitcast_convert_type between types of equal width, rank 0 included."""
    shape = _shape(x)
    if not shape:
        return lax.reshape(lax.bitcast_convert_type(lax.reshape(x, (1,)), dt), ())
    return lax.bitcast_convert_type(x, dt)


def _normalize_float(x):
    info = dtypes.finfo(_dt(x))
    int_type = _INT_DTYPES[info.bits]
    cond = lax.lt(lax.abs(x), lax_const(x, float(info.tiny)))
    x1 = lax.select(cond, lax.mul(x, lax_const(x, 1 << info.nmant)), x)
    x2 = lax.select(cond, lax.full(_shape(x), -info.nmant, int_type),
                    lax.full(_shape(x), 0, int_type))
    return _bitcast(x1, int_type), x2


def _frexp_impl(x):
    dt = _dt(x)
    info = dtypes.finfo(dt)
    mask = (1 << info.nexp) - 1
    bias = 1 - info.minexp
    x1, x2 = _normalize_float(x)

    def c(v):
        return lax.full(_shape(x1), v, _dt(x1))
    x2 = lax.add(x2, lax.add(lax.bitwise_and(lax.shift_right_arithmetic(x1, c(info.nmant)),
                                             c(mask)), c(-bias + 1)))
    x1 = lax.bitwise_and(x1, c(~(mask << info.nmant)))
    x1 = lax.bitwise_or(x1, c((bias - 1) << info.nmant))
    x1 = _bitcast(x1, dt)
    cond = lax.bitwise_or(lax.bitwise_or(uf.isinf(x), uf.isnan(x)), lax.eq(x, lax_const(x, 0)))
    x2 = lax.select(cond, lax.full_like(x2, 0), x2)
    return lax.select(cond, x, x1), lax.convert_element_type(x2, np.int32)


def _frexp_jvp(primals, tangents):
    x, = primals
    t, = tangents
    m, e = _frexp(x)
    mdot = lax.mul(t, lax.exp2(lax.neg(lax.convert_element_type(e, _dt(t)))))
    edot = np.zeros(_shape(e), dtypes.float0)
    return (m, e), (mdot, edot)


def _make_frexp():
    from pyjax._src.custom_derivatives import custom_jvp
    f = custom_jvp(_frexp_impl)
    f.defjvp(_frexp_jvp)
    return f


_frexp = _make_frexp()


def frexp(x, /):
    """Split x into mantissa in [0.5, 1) and an int32 exponent, x = m * 2 ** e."""
    x, = _arrays("frexp", x)
    x, = promote_dtypes_inexact(x)
    if dtypes.issubdtype(_dt(x), np.complexfloating):
        raise TypeError("frexp does not support complex-valued inputs")
    return _frexp(x)


def ldexp(x1, x2, /):
    """x1 * 2 ** x2 (x2 integer), without overflow in the intermediate power."""
    x1, x2 = _arrays("ldexp", x1, x2)
    d1, d2 = _dt(x1), _dt(x2)
    if dtypes.issubdtype(d1, np.complexfloating) or dtypes.issubdtype(d2, np.inexact):
        raise ValueError(f"ldexp not supported for input types {(d1, d2)}")
    x1, = promote_args_inexact("ldexp", x1)
    x2 = lax.convert_element_type(x2, _dt(x1))
    m, e = frexp(x1)
    e = lax.convert_element_type(uf.add(lax.convert_element_type(e, _dt(x2)), x2), _dt(x1))
    pos = uf.greater(e, 0)
    m = _where(pos, uf.multiply(m, 2), m)
    e = _where(pos, uf.subtract(e, 1), e)
    x = uf.multiply(m, uf.power(2, lax.convert_element_type(e, _dt(m))))
    return _where(uf.bitwise_or(uf.isinf(x1), uf.equal(x1, 0)), x1, x)


def modf(x, /, out=None):
    """(fractional part, integral part), both with the sign of x."""
    x, = _arrays("modf", x)
    x, = promote_dtypes_inexact(x)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.modf is not supported.")
    whole = _where(lax.ge(x, lax_const(x, 0)), uf.floor(x), uf.ceil(x))
    return uf.subtract(x, whole), whole


def spacing(x, /):
    """The distance from x to the next representable number away from zero."""
    arr, = promote_args_inexact("spacing", x)
    if dtypes.issubdtype(_dt(arr), np.complexfloating):
        raise ValueError("jnp.spacing is not defined for complex inputs.")
    inf = lax_const(arr, np.inf)
    smallest_subnormal = float(dtypes.finfo(_dt(arr)).smallest_subnormal)
    if _dt(arr) == np.float16:
        return uf.subtract(lax.nextafter(arr, inf), arr)
    result = uf.subtract(lax.nextafter(arr, uf.copysign(inf, arr)), arr)
    return _where(uf.equal(result, 0), uf.copysign(smallest_subnormal, arr), result)


def bitwise_count(x, /):
    """The number of 1 bits in |x|, as uint8 (NumPy's rule)."""
    x, = promote_args_numeric("bitwise_count", x)
    if not dtypes.issubdtype(_dt(x), np.integer):
        raise TypeError(f"bitwise_count requires integer or boolean input, got {_dt(x)}")
    return lax.convert_element_type(lax.population_count(uf.absolute(x)), np.uint8)


# --- gcd / lcm -----------------------------------------------------------------------


def _gcd_cond_fn(xs):
    _, x2 = xs
    return reductions.any(uf.not_equal(x2, 0))


def gcd(x1, x2):
    """Greatest common divisor of |x1| and |x2| (integers)."""
    from pyjax._src.lax.control_flow import while_loop
    x1, x2 = _arrays("gcd", x1, x2)
    x1, x2 = promote_dtypes(x1, x2)
    if not dtypes.issubdtype(_dt(x1), np.integer):
        raise ValueError("Arguments to jax.numpy.gcd must be integers.")
    x1, x2 = promote_shapes("gcd", x1, x2)
    # A zero divisor is replaced before lax.rem sees it (XLA gives x for x % 0; NumPy warns).
    out, _ = while_loop(_gcd_cond_fn, _gcd_safe_body, (uf.absolute(x1), uf.absolute(x2)))
    return out


def _gcd_safe_body(xs):
    x1, x2 = xs
    nz = uf.not_equal(x2, 0)
    safe = _where(nz, x2, lax_const(x2, 1))
    x1, x2 = (_where(nz, x2, x1), _where(nz, lax.rem(x1, safe), lax_const(x2, 0)))
    lt = uf.less(x1, x2)
    return (_where(lt, x2, x1), _where(lt, x1, x2))


def lcm(x1, x2):
    """Least common multiple of |x1| and |x2| (integers); 0 if either is 0."""
    x1, x2 = _arrays("lcm", x1, x2)
    x1, x2 = promote_dtypes(x1, x2)
    x1, x2 = uf.absolute(x1), uf.absolute(x2)
    if not dtypes.issubdtype(_dt(x1), np.integer):
        raise ValueError("Arguments to jax.numpy.lcm must be integers.")
    d = gcd(x1, x2)
    safe = _where(uf.equal(d, 0), lax_const(d, 1), d)
    return _where(uf.equal(d, 0), lax_const(d, 0), uf.multiply(x1, uf.floor_divide(x2, safe)))


# --- nan_to_num, i0 ------------------------------------------------------------------


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN -> `nan`, +inf -> `posinf` (default: the largest finite value), -inf -> `neginf`
    (default: the most negative finite value)."""
    del copy
    x, = _arrays("nan_to_num", x)
    dt = _dt(x)
    if not dtypes.issubdtype(dt, np.inexact):
        return x
    if dtypes.issubdtype(dt, np.complexfloating):
        return lax.complex(nan_to_num(lax.real(x), nan=nan, posinf=posinf, neginf=neginf),
                           nan_to_num(lax.imag(x), nan=nan, posinf=posinf, neginf=neginf))
    info = dtypes.finfo(dt)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = _where(uf.isnan(x), _np_.asarray(nan, dtype=dt), x)
    out = _where(uf.isposinf(out), _np_.asarray(posinf, dtype=dt), out)
    out = _where(uf.isneginf(out), _np_.asarray(neginf, dtype=dt), out)
    return out


def _i0_impl(x):
    from pyjax._src.lax.special import bessel_i0e
    abs_x = lax.abs(x)
    return lax.mul(lax.exp(abs_x), bessel_i0e(abs_x))


def _i0_jvp(primals, tangents):
    from pyjax._src import api
    primal_out, tangent_out = api.jvp(_i0_impl, primals, tangents)
    return primal_out, _where(uf.equal(primals[0], 0), 0.0, tangent_out)


def _make_i0():
    from pyjax._src.custom_derivatives import custom_jvp
    f = custom_jvp(_i0_impl)
    f.defjvp(_i0_jvp)
    return f


_i0 = _make_i0()


def i0(x):
    """The modified Bessel function of the first kind, order 0 (real inputs)."""
    x_arr, = promote_args_inexact("i0", x)
    if not dtypes.issubdtype(_dt(x_arr), np.floating):
        raise ValueError(f"Unsupported input type to jax.numpy.i0: {_dt(x_arr)}")
    return _i0(x_arr)


# --- interp --------------------------------------------------------------------------


def _lax_take():
    """jnp.take where pyjax has it (a gather); else None."""
    try:
        from pyjax._src.numpy import indexing
    except ImportError:
        return None
    return getattr(indexing, "take", None)


def _take1d(arr, idx):
    """arr[idx] for a 1-D arr and an integer array idx of in-range indices: a gather, or
    where pyjax has none, a one-hot select-and-sum (exact: one term is non-zero)."""
    take = _lax_take()
    if take is not None:
        return take(arr, idx, axis=0)
    n = _shape(arr)[0]
    ishape = _shape(idx)
    full = ishape + (n,)
    onehot = lax.eq(lax.broadcast_in_dim(idx, full, tuple(range(len(ishape)))),
                    lax.broadcasted_iota(_dt(idx), full, len(ishape)))
    vals = lax.broadcast_in_dim(arr, full, (len(ishape),))
    return lax.reduce_sum(lax.select(onehot, vals, lax.full(full, 0, _dt(arr))), (len(ishape),))


def _count_le(xp, x):
    """searchsorted(xp, x, side='right') for sorted 1-D xp, NaNs ordered last (as JAX)."""
    n = _shape(xp)[0]
    xs = _shape(x)
    full = xs + (n,)
    xb = lax.broadcast_in_dim(x, full, tuple(range(len(xs))))
    pb = lax.broadcast_in_dim(xp, full, (len(xs),))
    # xp <= x in the total order with NaN largest: isnan(x) | (~isnan(xp) & ~(x < xp)).
    le = lax.bitwise_or(lax.ne(xb, xb), lax.bitwise_and(lax.eq(pb, pb),
                                                       lax.bitwise_not(lax.lt(xb, pb))))
    return lax.reduce_sum(lax.convert_element_type(le, np.int32), (len(xs),))


def interp(x, xp, fp, left=None, right=None, period=None):
    """One-dimensional linear interpolation of (xp, fp) at x (xp increasing).

    `left`/`right`: values below xp[0] / above xp[-1] (default fp[0] / fp[-1]) or
    'extrapolate'; `period`: x-coordinates are periodic."""
    check_arraylike("interp", x, xp, fp)
    x, xp, fp = asarray_arg(x), asarray_arg(xp), asarray_arg(fp)
    if _shape(xp) != _shape(fp) or len(_shape(xp)) != 1:
        raise ValueError("xp and fp must be one-dimensional arrays of equal size")
    x_arr, xp_arr = promote_dtypes_inexact(x, xp)
    fp_arr, = promote_dtypes_inexact(fp)
    extrapolate_left = extrapolate_right = False
    if isinstance(left, str):
        if left != 'extrapolate':
            raise ValueError("the only valid string value of `left` is "
                             f"'extrapolate', but got: {left!r}")
        extrapolate_left = True
    if isinstance(right, str):
        if right != 'extrapolate':
            raise ValueError("the only valid string value of `right` is "
                             f"'extrapolate', but got: {right!r}")
        extrapolate_right = True
    if dtypes.issubdtype(_dt(x_arr), np.complexfloating):
        raise ValueError("jnp.interp: complex x values not supported.")
    if period is not None:
        if np.ndim(period) != 0:
            raise ValueError(f"period must be a scalar; got {period}")
        period = uf.absolute(period)
        x_arr = uf.remainder(x_arr, period)
        xp_arr = uf.remainder(xp_arr, period)
        from pyjax._src.lax.sorting import sort_key_val
        xp_arr, fp_arr = sort_key_val(xp_arr, fp_arr)
        n = _shape(xp_arr)[0]
        xp_arr = _np_.concatenate([uf.subtract(lax.slice(xp_arr, (n - 1,), (n,)), period),
                                   xp_arr, uf.add(lax.slice(xp_arr, (0,), (1,)), period)])
        fp_arr = _np_.concatenate([lax.slice(fp_arr, (n - 1,), (n,)), fp_arr,
                                   lax.slice(fp_arr, (0,), (1,))])
    n = _shape(xp_arr)[0]
    i = _np_.clip(_count_le(xp_arr, x_arr), 1, n - 1)
    im1 = uf.subtract(i, 1)
    fp_i, fp_im1 = _take1d(fp_arr, i), _take1d(fp_arr, im1)
    xp_i, xp_im1 = _take1d(xp_arr, i), _take1d(xp_arr, im1)
    df = uf.subtract(fp_i, fp_im1)
    dx = uf.subtract(xp_i, xp_im1)
    delta = uf.subtract(x_arr, xp_im1)
    epsilon = float(np.spacing(np.finfo(_dt(xp_arr)).eps))
    dx0 = lax.le(lax.abs(dx), lax_const(dx, epsilon))  # no NaN gradients when dx is small
    f = _where(dx0, fp_im1, uf.add(fp_im1, uf.multiply(uf.true_divide(delta, _where(dx0, 1, dx)),
                                                       df)))
    if not extrapolate_left:
        left_arr = lax.index_in_dim(fp_arr, 0, keepdims=False) if left is None else left
        if period is None:
            f = _where(uf.less(x_arr, lax.index_in_dim(xp_arr, 0, keepdims=False)), left_arr, f)
    if not extrapolate_right:
        right_arr = lax.index_in_dim(fp_arr, n - 1, keepdims=False) if right is None else right
        if period is None:
            f = _where(uf.greater(x_arr, lax.index_in_dim(xp_arr, n - 1, keepdims=False)),
                       right_arr, f)
    return f


# --- unwrap, vander, cross -----------------------------------------------------------


def _diff1(a, axis):
    n = _shape(a)[axis]
    return uf.subtract(lax.slice_in_dim(a, 1, n, axis=axis),
                       lax.slice_in_dim(a, 0, n - 1, axis=axis))


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """Unwrap phase jumps larger than `discont` (default period / 2) along `axis`."""
    p, = _arrays("unwrap", p)
    p, period = promote_dtypes(p, period)
    if dtypes.issubdtype(_dt(p), np.complexfloating):
        raise ValueError("jnp.unwrap does not support complex inputs.")
    axis = canonicalize_axis(axis, len(_shape(p)))
    if _shape(p)[axis] == 0:
        return p
    if discont is None:
        discont = uf.true_divide(period, 2)
    if dtypes.issubdtype(_dt(p), np.integer):
        interval = uf.floor_divide(period, 2)
    else:
        interval = uf.true_divide(period, 2)
    dd = _diff1(p, axis)
    ddmod = uf.subtract(uf.remainder(uf.add(dd, interval), period), interval)
    ddmod = _where(uf.bitwise_and(uf.equal(ddmod, uf.negative(interval)), uf.greater(dd, 0)),
                   interval, ddmod)
    ph_correct = _where(uf.less(uf.absolute(dd), discont), 0, uf.subtract(ddmod, dd))
    n = _shape(p)[axis]
    return _np_.concatenate((lax.slice_in_dim(p, 0, 1, axis=axis),
                             uf.add(lax.slice_in_dim(p, 1, n, axis=axis),
                                    reductions.cumsum(ph_correct, axis=axis))), axis=axis)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of 1-D x: columns x ** (N-1), ..., x ** 0 (reversed if
    `increasing`)."""
    x, = _arrays("vander", x)
    if len(_shape(x)) != 1:
        raise ValueError("x must be a one-dimensional array")
    N = _shape(x)[0] if N is None else _static_int(N, "'N' argument of jnp.vander()")
    if N < 0:
        raise ValueError("N must be nonnegative")
    iota = lax.iota(_dt(x), N)
    if not increasing:
        iota = lax.sub(lax.full((N,), N - 1, _dt(x)), iota)
    return uf.power(lax.expand_dims(x, (1,)), lax.expand_dims(iota, (0,)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 2- or 3-vectors along the given axes (2-vectors give the z part)."""
    check_arraylike("cross", a, b)
    a, b = asarray_arg(a), asarray_arg(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _np_.moveaxis(a, axisa, -1)
    b = _np_.moveaxis(b, axisb, -1)
    if _shape(a)[-1] not in (2, 3) or _shape(b)[-1] not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")

    def comp(v, k):
        return lax.index_in_dim(v, k, axis=len(_shape(v)) - 1, keepdims=False)
    if _shape(a)[-1] == 2 and _shape(b)[-1] == 2:
        return uf.subtract(uf.multiply(comp(a, 0), comp(b, 1)),
                           uf.multiply(comp(a, 1), comp(b, 0)))
    a0, a1, b0, b1 = comp(a, 0), comp(a, 1), comp(b, 0), comp(b, 1)
    a2 = comp(a, 2) if _shape(a)[-1] == 3 else _np_.zeros_like(a0)
    b2 = comp(b, 2) if _shape(b)[-1] == 3 else _np_.zeros_like(b0)
    c = _np_.array([uf.subtract(uf.multiply(a1, b2), uf.multiply(a2, b1)),
                    uf.subtract(uf.multiply(a2, b0), uf.multiply(a0, b2)),
                    uf.subtract(uf.multiply(a0, b1), uf.multiply(a1, b0))])
    return _np_.moveaxis(c, 0, axisc)


# --- convolve / correlate ------------------------------------------------------------

# Above this many elements in the (kernel length x padded length) window matrix, the
# correlation loops over kernel taps instead of building the matrix.
_WINDOW_LIMIT = 1 << 22


def _correlate_valid(x, y, preferred_element_type):
    """out[j] = sum_k x[j + k] * y[k] for j in [0, len(x) - len(y)] (lax ops only)."""
    L, k = _shape(x)[0], _shape(y)[0]
    m = L - k + 1
    out_dt = _dt(x) if preferred_element_type is None else preferred_element_type
    if k * (L + 1) <= _WINDOW_LIMIT:
        # windows[r, j] = x[r + j]: k copies of x, flattened, padded by k, read with rows of
        # length L + 1 (each row shifted one further).
        flat = lax.reshape(lax.broadcast_in_dim(x, (k, L), (1,)), (k * L,))
        flat = lax.pad(flat, lax.full((), 0, _dt(x)), [(0, k, 0)])
        windows = lax.slice(lax.reshape(flat, (k, L + 1)), (0, 0), (k, m))
        return lax.dot_general(y, windows, (((0,), (0,)), ((), ())),
                               preferred_element_type=preferred_element_type)
    from pyjax._src.lax.control_flow import fori_loop

    def body(r, acc):
        xs = lax.dynamic_slice_in_dim(x, r, m)
        yr = lax.dynamic_index_in_dim(y, r, keepdims=False)
        prod = lax.mul(lax.convert_element_type(xs, out_dt),
                       lax.broadcast_in_dim(lax.convert_element_type(yr, out_dt), (m,), ()))
        return lax.add(acc, prod)
    return fori_loop(0, k, body, lax.full((m,), 0, out_dt))


def _lax_conv():
    """lax.conv_general_dilated where pyjax has it (else None: a window product is used)."""
    try:
        from pyjax._src.lax.convolution import conv_general_dilated
    except ImportError:
        return None
    return conv_general_dilated


def _conv(x, y, mode, op, precision, preferred_element_type):
    if len(_shape(x)) != 1 or len(_shape(y)) != 1:
        raise ValueError(f"{op}() only support 1-dimensional inputs.")
    if preferred_element_type is None:
        x, y = promote_dtypes_inexact(x, y)
    else:
        x, y = promote_dtypes(x, y)
        preferred_element_type = dtypes.canonicalize_dtype(np.dtype(preferred_element_type))
    if _shape(x)[0] == 0 or _shape(y)[0] == 0:
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {_shape(x)} and "
                         f"{_shape(y)}.")
    reverse_out = False
    if op == 'correlate':
        y = uf.conjugate(y)
        if _shape(x)[0] < _shape(y)[0]:
            x, y = y, x
            reverse_out = True
    else:
        if _shape(x)[0] < _shape(y)[0]:
            x, y = y, x
        y = lax.rev(y, (0,))
    k = _shape(y)[0]
    if mode == 'valid':
        lo, hi = 0, 0
    elif mode == 'same':
        lo, hi = k // 2, k - k // 2 - 1
    elif mode == 'full':
        lo, hi = k - 1, k - 1
    else:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    conv = _lax_conv()
    if conv is not None:
        result = conv(lax.reshape(x, (1, 1, _shape(x)[0])), lax.reshape(y, (1, 1, k)), (1,),
                      [(lo, hi)], precision=precision,
                      preferred_element_type=preferred_element_type)
        result = lax.reshape(result, (_shape(result)[2],))
    else:
        if lo or hi:
            x = lax.pad(x, lax.full((), 0, _dt(x)), [(lo, hi, 0)])
        result = _correlate_valid(x, y, preferred_element_type)
    return lax.rev(result, (0,)) if reverse_out else result


def convolve(a, v, mode='full', *, precision=None, preferred_element_type=None):
    """Discrete 1-D convolution (modes 'full', 'same', 'valid'); inexact result unless
    `preferred_element_type` is given."""
    a, v = _arrays("convolve", a, v)
    return _conv(a, v, mode, 'convolve', precision, preferred_element_type)


def correlate(a, v, mode='valid', *, precision=None, preferred_element_type=None):
    """Discrete 1-D cross-correlation, sum_k a[n + k] * conj(v[k]) (modes as convolve)."""
    a, v = _arrays("correlate", a, v)
    return _conv(a, v, mode, 'correlate', precision, preferred_element_type)


# --- cumulative reductions -----------------------------------------------------------


def _cumulative_api(name, prim_fn, init, x, axis, dtype, include_initial, promote_integers):
    x, = _arrays(name, x)
    nd = len(_shape(x))
    what = "sum" if name == "cumulative_sum" else "product"
    if nd == 0:
        raise ValueError(f"The input must be non-scalar to take a cumulative {what}, however a "
                         "scalar value or scalar array was given.")
    if axis is None:
        axis = 0
        if nd > 1:
            raise ValueError(
                f"The input array has rank {nd}, however axis was not set to an explicit "
                "value. The axis argument is only optional for one-dimensional arrays.")
    axis = canonicalize_axis(axis, nd)
    out = reductions._cumulative(name, prim_fn, x, axis, dtype, None,
                                 promote_integers=promote_integers)
    if include_initial:
        zshape = list(_shape(x))
        zshape[axis] = 1
        out = lax.concatenate([lax.full(zshape, init, _dt(out)), out], axis)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """Cumulative sum along `axis` (required for rank > 1); `include_initial` prepends 0.
    Small integers accumulate in the default integer type."""
    return _cumulative_api("cumulative_sum", lax.cumsum, 0, x, axis, dtype, include_initial,
                           True)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Cumulative product along `axis` (required for rank > 1); `include_initial`
    prepends 1."""
    return _cumulative_api("cumulative_prod", lax.cumprod, 1, x, axis, dtype, include_initial,
                           False)


def nancumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum treating NaNs as zero."""
    return reductions._cumulative("nancumsum", lax.cumsum, a, axis, dtype, out, fill_nan=0)


def nancumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product treating NaNs as one."""
    return reductions._cumulative("nancumprod", lax.cumprod, a, axis, dtype, out, fill_nan=1)



# --- trapezoid, window functions -----------------------------------------------------


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of y along `axis` by the trapezoidal rule, at sample points x (or spacing
    dx)."""
    if x is None:
        y, = _arrays("trapezoid", y)
        y_arr, = promote_dtypes_inexact(y)
        dx_array = _np_.asarray(dx)
        if len(_shape(dx_array)) > 0:
            dx_array = lax.expand_dims(dx_array, tuple(range(len(_shape(y_arr))
                                                             - len(_shape(dx_array)))))
            dx_array = _np_.moveaxis(dx_array, axis, -1)
    else:
        y, x = _arrays("trapezoid", y, x)
        y_arr, x_arr = promote_dtypes_inexact(y, x)
        if len(_shape(x_arr)) == 1:
            dx_array = _diff1(x_arr, 0)
        else:
            ax = canonicalize_axis(axis, len(_shape(x_arr)))
            dx_array = _np_.moveaxis(_diff1(x_arr, ax), ax, -1)
    y_arr = _np_.moveaxis(y_arr, axis, -1)
    nd = len(_shape(y_arr))
    n = _shape(y_arr)[-1]

    def last(v, start, stop):
        return lax.slice_in_dim(v, start, stop, axis=len(_shape(v)) - 1)
    if len(_shape(dx_array)) == 0 or _shape(dx_array)[-1] == 1:
        dx_reduced = dx_array if len(_shape(dx_array)) == 0 else \
            lax.squeeze(last(dx_array, 0, 1), (len(_shape(dx_array)) - 1,))
        ends = uf.add(lax.squeeze(last(y_arr, 0, 1), (nd - 1,)),
                      lax.squeeze(last(y_arr, n - 1, n), (nd - 1,)))
        return uf.multiply(dx_reduced, uf.subtract(reductions.sum(y_arr, axis=-1),
                                                   uf.multiply(0.5, ends)))
    return uf.multiply(0.5, reductions.sum(uf.multiply(dx_array, uf.add(last(y_arr, 1, n),
                                                                         last(y_arr, 0, n - 1))),
                                           axis=-1))


def _window_len(M, name):
    return operator.index(_static_int(M, f"M argument of jnp.{name}"))


def _window_iota(M):
    dt = dtypes.default_float_dtype()
    return lax.iota(dt, M)


def blackman(M):
    """The Blackman window of M points."""
    M = _window_len(M, "blackman")
    if M <= 1:
        return lax.full((M,), 1, dtypes.default_float_dtype())
    n = _window_iota(M)
    return 0.42 - 0.5 * uf.cos(2 * np.pi * n / (M - 1)) + 0.08 * uf.cos(4 * np.pi * n / (M - 1))


def bartlett(M):
    """The Bartlett (triangular) window of M points."""
    M = _window_len(M, "bartlett")
    if M <= 1:
        return lax.full((M,), 1, dtypes.default_float_dtype())
    n = _window_iota(M)
    return 1 - uf.absolute(2 * n + 1 - M) / (M - 1)


def hamming(M):
    """The Hamming window of M points."""
    M = _window_len(M, "hamming")
    if M <= 1:
        return lax.full((M,), 1, dtypes.default_float_dtype())
    n = _window_iota(M)
    return 0.54 - 0.46 * uf.cos(2 * np.pi * n / (M - 1))


def hanning(M):
    """The Hann window of M points."""
    M = _window_len(M, "hanning")
    if M <= 1:
        return lax.full((M,), 1, dtypes.default_float_dtype())
    n = _window_iota(M)
    return 0.5 * (1 - uf.cos(2 * np.pi * n / (M - 1)))


def kaiser(M, beta):
    """The Kaiser window of M points with shape parameter beta."""
    M = _window_len(M, "kaiser")
    if M <= 1:
        return lax.full((M,), 1, dtypes.default_float_dtype())
    n = _window_iota(M)
    alpha = 0.5 * (M - 1)
    return i0(beta * uf.sqrt(1 - ((n - alpha) / alpha) ** 2)) / i0(beta)
