"""Elementwise jax.numpy functions, built from tables of lax operations.

Result dtypes and weak types follow JAX's implementation closely: a constant
made with `lax_const` keeps a weak scalar weak, one made with `strong_const`
makes the result strong (e.g. `jnp.log2(2.5)` is a strong float32 in JAX).
"""
import operator

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import Array, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy.util import (asarray_arg, check_arraylike, compare, is_concrete, lax_const,
                                   promote_args, promote_args_inexact, promote_args_numeric,
                                   promote_dtypes_inexact, promote_dtypes_numeric,
                                   promote_shapes, same_fast, strong_const)


def _dt(x):
    return get_aval(x).dtype


def _is_int(x):
    return dtypes.issubdtype(_dt(x), np.integer)


def _is_bool(x):
    return _dt(x) == np.bool_


def _is_float(x):
    return dtypes.issubdtype(_dt(x), np.floating)


def _is_complex(x):
    return dtypes.issubdtype(_dt(x), np.complexfloating)


def _is_inexact(x):
    return dtypes.issubdtype(_dt(x), np.inexact)


def _arg(name, x):
    check_arraylike(name, x)
    return asarray_arg(x)


# --- unary: inexact (integers promote to float) ----------------------------------
_UNARY_INEXACT = {
    "sin": lax.sin, "cos": lax.cos, "tan": lax.tan, "arcsin": lax.asin, "arccos": lax.acos,
    "arctan": lax.atan, "sinh": lax.sinh, "cosh": lax.cosh, "tanh": lax.tanh,
    "arcsinh": lax.asinh, "arccosh": lax.acosh, "arctanh": lax.atanh, "exp": lax.exp,
    "exp2": lax.exp2, "log": lax.log, "log1p": lax.log1p, "expm1": lax.expm1, "sqrt": lax.sqrt,
    "cbrt": lax.cbrt,
}


def _make_unary_inexact(name, op):
    def fn(x, /):
        x, = promote_args_inexact(name, x)
        return op(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name}; integer and bool inputs promote to the default float."
    return fn


for _name, _op in _UNARY_INEXACT.items():
    globals()[_name] = _make_unary_inexact(_name, _op)
asin, acos, atan, asinh, acosh, atanh = arcsin, arccos, arctan, arcsinh, arccosh, arctanh  # noqa: F821


def log2(x, /):
    x, = promote_args_inexact("log2", x)
    if _is_complex(x):
        r = lax.log(x)
        re, im = lax.real(r), lax.imag(r)
        ln2 = lax.log(strong_const(re, 2))
        return lax.complex(lax.div(re, ln2), lax.div(im, ln2))
    return lax.div(lax.log(x), lax.log(strong_const(x, 2)))


def log10(x, /):
    x, = promote_args_inexact("log10", x)
    if _is_complex(x):
        r = lax.log(x)
        re, im = lax.real(r), lax.imag(r)
        c = strong_const(re, 0.4342944819032518)
        return lax.complex(lax.mul(re, c), lax.mul(im, c))
    return lax.mul(lax.log(x), strong_const(x, 0.4342944819032518))


def negative(x, /):
    x, = promote_args("negative", x)
    if _is_bool(x):
        raise TypeError("negative does not accept dtype bool.")
    return lax.neg(x)


def positive(x, /):
    x, = promote_args("positive", x)
    return x


def absolute(x, /):
    x = _arg("absolute", x)
    if _is_bool(x) or dtypes.issubdtype(_dt(x), np.unsignedinteger):
        return x
    return lax.abs(x)


abs = absolute


def fabs(x, /):
    x = _arg("fabs", x)
    if _is_complex(x):
        raise TypeError("ufunc 'fabs' does not support complex dtypes")
    x, = promote_dtypes_inexact(x)
    return lax.abs(x)


def sign(x, /):
    x, = promote_args("sign", x)
    if _is_bool(x):
        raise TypeError("sign does not accept dtype bool.")
    return lax.sign(x)


def _no_complex(name, x):
    if _is_complex(x):
        raise TypeError(f"{name} does not support complex-valued inputs")


def floor(x, /):
    x = _arg("floor", x)
    _no_complex("floor", x)
    return x if not _is_inexact(x) else lax.floor(x)


def ceil(x, /):
    x = _arg("ceil", x)
    _no_complex("ceil", x)
    return x if not _is_inexact(x) else lax.ceil(x)


def trunc(x, /):
    x = _arg("trunc", x)
    if not _is_inexact(x):
        return x
    _no_complex("trunc", x)
    return lax.select(lax.lt(x, lax_const(x, 0)), lax.ceil(x), lax.floor(x))


def fix(x, out=None):
    """Round toward zero (as trunc)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.fix is not supported.")
    x = _arg("fix", x)
    if not _is_inexact(x):
        return x
    _no_complex("fix", x)
    return lax.select(lax.ge(x, lax_const(x, 0)), lax.floor(x), lax.ceil(x))


def rint(x, /):
    x = _arg("rint", x)
    if _is_bool(x) or _is_int(x):
        return lax.convert_element_type(x, dtypes.default_float_dtype())
    if _is_complex(x):
        return lax.complex(rint(lax.real(x)), rint(lax.imag(x)))
    return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


def round(a, decimals=0, out=None):
    """Round to `decimals` places, halves to even (NumPy's rule).

    As JAX, rounding is done by scaling (float16 is scaled in float32). Unlike JAX,
    integer inputs accept negative `decimals` (rounded exactly, halves to even)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.round is not supported.")
    a = _arg("round", a)
    decimals = operator.index(decimals)
    dt = _dt(a)
    if dt == np.bool_:
        raise ValueError(f"data type {np.bool_!r} not inexact")
    if dtypes.issubdtype(dt, np.integer):
        if decimals >= 0:
            return a
        return _round_int(a, 10 ** -decimals)

    def round_float(x):
        if decimals == 0:
            return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)
        x = lax.convert_element_type(x, np.float32) if dt == np.float16 else x
        factor = lax_const(x, 10.0 ** decimals)
        out = lax.div(lax.round(lax.mul(x, factor), lax.RoundingMethod.TO_NEAREST_EVEN), factor)
        return lax.convert_element_type(out, dt) if dt == np.float16 else out

    if decimals > np.log10(float(dtypes.finfo(dt).max)):
        return a
    if dtypes.issubdtype(dt, np.complexfloating):
        return lax.complex(round_float(lax.real(a)), round_float(lax.imag(a)))
    return round_float(a)


def _round_int(a, f):
    info = dtypes.iinfo(_dt(a))
    if f > info.max:
        return lax_const(a, 0)
    fa = lax_const(a, f)
    q = floor_divide(a, fa)
    r = lax.sub(a, lax.mul(q, fa))          # 0 <= r < f
    twice = lax.sub(r, lax.sub(fa, r))      # 2r - f without overflow
    zero = lax_const(a, 0)
    one = lax_const(a, 1)
    odd = lax.ne(lax.bitwise_and(q, one), zero)
    up = lax.bitwise_or(lax.gt(twice, zero), lax.bitwise_and(lax.eq(twice, zero), odd))
    return lax.mul(lax.select(up, lax.add(q, one), q), fa)


around = round


def square(x, /):
    x = _arg("square", x)
    x, = promote_dtypes_numeric(x)
    return lax.integer_pow(x, 2)


def reciprocal(x, /):
    x = _arg("reciprocal", x)
    x, = promote_dtypes_inexact(x)
    return lax.integer_pow(x, -1)


def isnan(x, /):
    x = _arg("isnan", x)
    return compare(lax.ne, x, x)


def isinf(x, /):
    x = _arg("isinf", x)
    if _is_float(x):
        return compare(lax.eq, lax.abs(x), strong_const(x, np.inf))
    if _is_complex(x):
        re, im = lax.real(x), lax.imag(x)
        return lax.bitwise_or(lax.eq(lax.abs(re), strong_const(re, np.inf)),
                              lax.eq(lax.abs(im), strong_const(im, np.inf)))
    return lax.full(get_aval(x).shape, False, np.bool_)


def isfinite(x, /):
    x = _arg("isfinite", x)
    if _is_float(x):
        out = lax.is_finite(x)
        if get_aval(x).weak_type and not get_aval(out).weak_type:
            out = lax.convert_element_type(out, np.bool_, True)
        return out
    if _is_complex(x):
        return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return lax.full(get_aval(x).shape, True, np.bool_)


def _isposneginf(name, value, x, out):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    x = _arg(name, x)
    if _is_float(x):
        return compare(lax.eq, x, strong_const(x, value))
    if _is_complex(x):
        raise ValueError("isposinf/isneginf are not well defined for complex types")
    return lax.full(get_aval(x).shape, False, np.bool_)


def isposinf(x, /, out=None):
    return _isposneginf("isposinf", np.inf, x, out)


def isneginf(x, /, out=None):
    return _isposneginf("isneginf", -np.inf, x, out)


def signbit(x, /):
    x, = promote_args("signbit", x)
    dt = _dt(x)
    if dtypes.issubdtype(dt, np.integer):
        return lax.lt(x, strong_const(x, 0))
    if dt == np.bool_:
        return lax.full(get_aval(x).shape, False, np.bool_)
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"jax.numpy.signbit is not well defined for {dt}")
    bits = dtypes.itemsize_bits(dt)
    if bits not in (16, 32, 64):
        raise NotImplementedError("jax.numpy.signbit only supports 16, 32, and 64-bit types.")
    shape = get_aval(x).shape
    # Bitcast a rank >= 1 view: lax.bitcast_convert_type of a rank-0 operand gave shape (1,).
    flat = lax.reshape(x, (1,)) if not shape else x
    ints = lax.bitcast_convert_type(flat, np.dtype(f"int{bits}"))
    ints = lax.reshape(ints, shape) if not shape else ints
    return lax.lt(ints, strong_const(ints, 0))


def _to_bool(x):
    return x if _is_bool(x) else compare(lax.ne, x, lax_const(x, 0))


def logical_not(x, /):
    x, = promote_args("logical_not", x)
    return lax.bitwise_not(_to_bool(x))


def _check_integral(name, *xs):
    for x in xs:
        if not (_is_int(x) or _is_bool(x)):
            raise TypeError(f"{name} is only defined for integer and boolean arrays, got {_dt(x)}")


def bitwise_not(x, /):
    x, = promote_args("bitwise_not", x)
    _check_integral("bitwise_not", x)
    return lax.bitwise_not(x)


invert = bitwise_invert = bitwise_not


def real(x, /):
    x = _arg("real", x)
    return lax.real(x) if _is_complex(x) else x


def imag(x, /):
    x = _arg("imag", x)
    return lax.imag(x) if _is_complex(x) else lax.full_like(x, 0)


def conjugate(x, /):
    x = _arg("conjugate", x)
    return lax.conj(x) if _is_complex(x) else x


conj = conjugate


def deg2rad(x, /):
    x, = promote_args_inexact("deg2rad", x)
    return lax.mul(x, lax_const(x, np.pi / 180))


def rad2deg(x, /):
    x, = promote_args_inexact("rad2deg", x)
    return lax.mul(x, lax_const(x, 180 / np.pi))


radians, degrees = deg2rad, rad2deg


def sinc(x, /):
    """sin(pi x) / (pi x), with sinc(0) = 1 and all derivatives at 0 right (JAX's rule)."""
    x = _arg("sinc", x)
    x, = promote_dtypes_inexact(x)
    zero = lax.eq(x, lax_const(x, 0))
    pix = lax.mul(lax_const(x, np.pi), x)
    safe = lax.select(zero, lax_const(x, 1), pix)
    return lax.select(zero, _sinc_maclaurin(0, pix), lax.div(lax.sin(safe), safe))


def _sinc_maclaurin_fn(k, x):
    # The k-th derivative of sin(x)/x at zero (as a function of x, for its jvp).
    if k % 2:
        return lax.mul(x, lax_const(x, 0))
    return lax.add(lax.mul(x, lax_const(x, 0)), lax_const(x, (-1) ** (k // 2) / (k + 1)))


def _sinc_maclaurin_jvp(k, primals, tangents):
    x, = primals
    t, = tangents
    return _sinc_maclaurin(k, x), lax.mul(t, _sinc_maclaurin(k + 1, x))


def _make_sinc_maclaurin():
    from pyjax._src.custom_derivatives import custom_jvp
    f = custom_jvp(_sinc_maclaurin_fn, nondiff_argnums=(0,))
    f.defjvp(_sinc_maclaurin_jvp)
    return f


_sinc_maclaurin = _make_sinc_maclaurin()


def angle(z, deg=False):
    z = _arg("angle", z)
    re, im = real(z), imag(z)
    dt = _dt(re)
    if not dtypes.issubdtype(dt, np.inexact) or (_is_float(z) and get_aval(z).ndim == 0):
        dt = dtypes.default_float_dtype()
        re, im = lax.convert_element_type(re, dt), lax.convert_element_type(im, dt)
    out = lax.atan2(im, re)
    return rad2deg(out) if deg else out


def iscomplex(x):
    i = imag(_arg("iscomplex", x))
    return compare(lax.ne, i, lax_const(i, 0))


def isreal(x):
    i = imag(_arg("isreal", x))
    return compare(lax.eq, i, lax_const(i, 0))


# --- binary -----------------------------------------------------------------------


_FLOAT_DTYPES = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64,
                                                 dtypes.bfloat16))
_INT_RANGES = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max))
               for t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                         np.uint64)}


def _scalar_operand_fits(x, y):
    """True when Python number `y` combined with Array `x` keeps x's dtype and weak type and
    is exactly representable: lax then takes `y` as it is (no conversion or broadcast).
    (A float with a floating array, an int with a floating array or an integer array whose
    range holds it; complex and bool results are left to the general path.)"""
    ty = type(y)
    if (ty is not float and ty is not int) or not isinstance(x, Array):
        return False
    dt = x.aval.dtype
    if dt in _FLOAT_DTYPES:
        return True
    if ty is int:
        r = _INT_RANGES.get(dt)
        return r is not None and r[0] <= y <= r[1]
    return False


def _binary(name, op, bool_op=None, bool_mask=False):
    def fn(x, y, /):
        if same_fast(x, y):
            return (bool_op or op)(x, y) if x._value.dtype == np.bool_ else op(x, y)
        if _scalar_operand_fits(x, y) or _scalar_operand_fits(y, x):
            return op(x, y)
        mask_x = bool_mask and _is_bool_array(x) and not _is_bool_array(y)
        mask_y = bool_mask and _is_bool_array(y) and not _is_bool_array(x)
        if mask_x or mask_y:
            bool_shape = np.shape(x if mask_x else y)
        x, y = promote_args(name, x, y)
        if bool_op is not None and _is_bool(x):
            return bool_op(x, y)
        if (mask_x or mask_y) and bool_shape == get_aval(x).shape:
            # XLA rewrites x * convert(pred) as select(pred, x, 0) inside jnp.multiply's
            # computation when pred is not broadcast, so JAX gives 0 (not NaN) for
            # inf * False there; so do we.
            m, v = (x, y) if mask_x else (y, x)
            zero = lax.full_like(v, 0)
            return lax.select(lax.ne(m, zero), v, zero)
        return op(x, y)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _is_bool_array(x):
    """A boolean array operand (not a Python bool, which JAX folds as a constant)."""
    return type(x) is not bool and getattr(x, "dtype", None) == np.bool_


def _no_bool(name, op):
    def fn(x, y):
        if _is_bool(x):
            raise TypeError(f"{name} does not accept dtype bool. Use logical operations instead.")
        return op(x, y)
    return fn


add = _binary("add", lax.add, bool_op=lax.bitwise_or)
subtract = _binary("subtract", _no_bool("subtract", lax.sub))
multiply = _binary("multiply", lax.mul, bool_op=lax.bitwise_and, bool_mask=True)
maximum = _binary("maximum", lax.max)
minimum = _binary("minimum", lax.min)


def _binary_inexact(name, op):
    def fn(x, y, /):
        x, y = promote_args_inexact(name, x, y)
        return op(x, y)
    fn.__name__ = fn.__qualname__ = name
    return fn


arctan2 = atan2 = _binary_inexact("arctan2", lax.atan2)
nextafter = _binary_inexact("nextafter", lax.nextafter)


def _comparison(name, op):
    def fn(x, y, /):
        if _scalar_operand_fits(x, y) or _scalar_operand_fits(y, x):
            return op(x, y)
        x, y = promote_args(name, x, y)
        return compare(op, x, y)
    fn.__name__ = fn.__qualname__ = name
    return fn


equal = _comparison("equal", lax.eq)
not_equal = _comparison("not_equal", lax.ne)


def _ordered(op):
    """An ordering comparison that also orders complex numbers, lexicographically (real part,
    then imaginary part) as NumPy and jax.numpy do; lax's comparisons refuse complex."""
    def cmp(x, y):
        if dtypes.issubdtype(get_aval(x).dtype, np.complexfloating) or \
                dtypes.issubdtype(get_aval(y).dtype, np.complexfloating):
            xr, yr = lax.real(x), lax.real(y)
            return lax.select(lax.eq(xr, yr), op(lax.imag(x), lax.imag(y)), op(xr, yr))
        return op(x, y)
    return cmp


less = _comparison("less", _ordered(lax.lt))
less_equal = _comparison("less_equal", _ordered(lax.le))
greater = _comparison("greater", _ordered(lax.gt))
greater_equal = _comparison("greater_equal", _ordered(lax.ge))


def _bitwise(name, op):
    def fn(x, y, /):
        x, y = promote_args(name, x, y)
        _check_integral(name, x)
        return op(x, y)
    fn.__name__ = fn.__qualname__ = name
    return fn


bitwise_and = _bitwise("bitwise_and", lax.bitwise_and)
bitwise_or = _bitwise("bitwise_or", lax.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", lax.bitwise_xor)


def _logical(name, op):
    def fn(x, y, /):
        if same_fast(x, y) and x._value.dtype == np.bool_:
            return op(x, y)
        x, y = promote_args(name, x, y)
        return op(_to_bool(x), _to_bool(y))
    fn.__name__ = fn.__qualname__ = name
    return fn


logical_and = _logical("logical_and", lax.bitwise_and)
logical_or = _logical("logical_or", lax.bitwise_or)
logical_xor = _logical("logical_xor", lax.bitwise_xor)


def left_shift(x, y, /):
    x, y = promote_args_numeric("left_shift", x, y)
    _check_integral("left_shift", x)
    return lax.shift_left(x, y)


def right_shift(x, y, /):
    x, y = promote_args_numeric("right_shift", x, y)
    _check_integral("right_shift", x)
    if dtypes.issubdtype(_dt(x), np.unsignedinteger):
        return lax.shift_right_logical(x, y)
    return lax.shift_right_arithmetic(x, y)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def true_divide(x, y, /):
    if same_fast(x, y) and dtypes.issubdtype(x._value.dtype, np.inexact):
        return lax.div(x, y)
    if (_scalar_operand_fits(x, y) or _scalar_operand_fits(y, x)) and \
            dtypes.issubdtype(_dt(x if isinstance(x, Array) else y), np.inexact):
        return lax.div(x, y)
    x, y = promote_args_inexact("true_divide", x, y)
    return lax.div(x, y)


divide = true_divide


def floor_divide(x, y, /):
    """x // y. Integer division by zero gives what XLA's CPU division does (JAX's values)."""
    x, y = promote_args_numeric("floor_divide", x, y)
    dt = _dt(x)
    if dtypes.issubdtype(dt, np.unsignedinteger):
        return lax.div(x, y)
    if dtypes.issubdtype(dt, np.integer):
        # lax.div truncates toward zero; floor division rounds toward -inf.
        q = lax.div(x, y)
        fix = lax.bitwise_and(lax.ne(lax.sign(x), lax.sign(y)),
                              lax.ne(lax.rem(x, y), lax_const(x, 0)))
        return lax.select(fix, lax.sub(q, lax.full_like(q, 1)), q)
    if _is_complex(x):
        raise TypeError("floor_divide does not support complex-valued inputs")
    return _float_divmod(x, y)[0]


def _float_divmod(x, y):
    # CPython's float_divmod: the remainder has the sign of the divisor.
    mod = lax.rem(x, y)
    zero = lax_const(x, 0)
    div = lax.div(lax.select(lax.eq(y, zero), x, lax.sub(x, mod)), y)
    fix = lax.bitwise_and(lax.ne(mod, zero), lax.ne(lax.sign(y), lax.sign(mod)))
    mod = lax.select(fix, lax.add(mod, y), mod)
    div = lax.select(fix, lax.sub(div, lax.full_like(div, 1)), div)
    return lax.round(div), mod


def remainder(x, y, /):
    """x % y with the sign of y; integer x % 0 is 0 (as JAX)."""
    x, y = promote_args_numeric("remainder", x, y)
    if _is_complex(x):
        raise TypeError("remainder does not support complex-valued inputs")
    zero = lax_const(x, 0)
    if _is_int(y):
        y = lax.select(lax.eq(y, lax_const(y, 0)), lax.full_like(y, 1), y)
    r = lax.rem(x, y)
    fix = lax.bitwise_and(lax.ne(lax.lt(r, zero), lax.lt(y, zero)), lax.ne(r, zero))
    return lax.select(fix, lax.add(r, y), r)


mod = remainder


def fmod(x, y, /):
    """C's fmod: the remainder has the sign of x; integer x fmod 0 is 0 (as JAX)."""
    check_arraylike("fmod", x, y)
    int_args = dtypes.issubdtype(dtypes.result_type(x, y), np.integer)
    x, y = promote_args_numeric("fmod", x, y)
    if _is_complex(x):
        raise TypeError("fmod does not support complex-valued inputs")
    if int_args:
        y = lax.select(lax.eq(y, lax_const(y, 0)), lax.full_like(y, 1), y)
    return lax.rem(x, y)


def divmod(x, y, /):
    x, y = promote_args_numeric("divmod", x, y)
    if _is_int(x):
        return floor_divide(x, y), remainder(x, y)
    if _is_complex(x):
        raise TypeError("divmod does not support complex-valued inputs")
    return _float_divmod(x, y)


def power(x, y, /):
    """x ** y with JAX's rules.

    A concrete integer exponent uses lax.integer_pow (exact repeated squaring; integer
    bases then refuse negative exponents). Otherwise integer bases use binary
    exponentiation over the low 6 bits of y (as JAX, which wraps like XLA)."""
    check_arraylike("power", x, y)
    if is_concrete(y) and get_aval(asarray_arg(y)).ndim == 0:
        try:
            k = operator.index(y)
        except (TypeError, ValueError):
            pass
        else:
            x, = promote_dtypes_numeric(x)
            if k < 0 and _is_int(x):
                raise TypeError(f"Integers cannot be raised to negative powers, got "
                                f"integer_pow({get_aval(x).str_short()}, {k})")
            return lax.integer_pow(x, k)
    x, y = promote_shapes("power", asarray_arg(x), asarray_arg(y))
    xp, yp = promote_dtypes_numeric(x, y)
    if _is_int(xp):
        return _pow_int_int(xp, yp)
    if _is_inexact(x) and _is_int(y):
        # Float base, integer exponent: no promotion of the base (JAX's lax.pow case); lax.pow
        # needs equal dtypes here, so the exponent is converted to the base's dtype.
        weak = get_aval(x).weak_type and get_aval(y).weak_type
        return lax.pow(lax.convert_element_type(x, _dt(x), weak),
                       lax.convert_element_type(y, _dt(x), weak))
    return lax.pow(xp, yp)


pow = power


def _pow_int_int(x, y):
    """Binary exponentiation over 6 bits of y (anything larger overflows for |x| > 1)."""
    zero, one = strong_const(y, 0), strong_const(y, 1)
    acc = lax.select(lax.bitwise_and(lax.eq(x, strong_const(x, 0)), lax.ne(y, zero)),
                     strong_const(x, 0), strong_const(x, 1))
    for _ in range(6):
        acc = lax.select(lax.ne(lax.bitwise_and(y, one), zero), lax.mul(acc, x), acc)
        x = lax.mul(x, x)
        y = lax.shift_right_logical(y, one)
    return acc


def float_power(x, y, /):
    x, y = promote_args_inexact("float_power", x, y)
    return lax.pow(x, y)


def hypot(x, y, /):
    x, y = promote_args_inexact("hypot", x, y)
    if _is_complex(x):
        raise ValueError("jnp.hypot is not well defined for complex-valued inputs. "
                         "Please convert to real values first, such as by using abs(x)")
    x, y = lax.abs(x), lax.abs(y)
    inf = lax.bitwise_or(isposinf(x), isposinf(y))
    big, small = lax.max(x, y), lax.min(x, y)
    zero = lax.eq(big, lax_const(big, 0))
    r = lax.div(small, lax.select(zero, lax_const(big, 1), big))
    out = lax.select(zero, big, lax.mul(big, lax.sqrt(lax.add(lax_const(r, 1), lax.mul(r, r)))))
    return lax.select(inf, lax_const(out, np.inf), out)


def _wrap_between(x, a):
    """x wrapped into [-a, a] (JAX's lax._wrap_between)."""
    ac, two_a, zero = lax_const(x, a), lax_const(x, 2 * a), lax_const(x, 0)
    rem = lax.rem(lax.add(x, ac), two_a)
    rem = lax.select(lax.lt(rem, zero), lax.add(rem, two_a), rem)
    return lax.sub(rem, ac)


def _complex_max(x, y):
    """XLA's max of complex numbers: x where x > y lexicographically (real part, then
    imaginary part), else y."""
    xr, yr = lax.real(x), lax.real(y)
    gt = lax.bitwise_or(lax.gt(xr, yr), lax.bitwise_and(lax.eq(xr, yr),
                                                        lax.gt(lax.imag(x), lax.imag(y))))
    return lax.select(gt, x, y)


def _replace_inf(x):
    re = lax.real(x) if _is_complex(x) else x
    return lax.select(lax.eq(re, lax_const(re, np.inf)), lax.full_like(x, 0), x)


def _logaddexp_impl(x, y, base2):
    amax = _complex_max(x, y) if _is_complex(x) else lax.max(x, y)
    if base2:
        invln2 = lax_const(amax, 1 / np.log(2))
        exp, scale = lax.exp2, (lambda v: lax.mul(invln2, v))
    else:
        exp, scale = lax.exp, (lambda v: v)
    if _is_float(x):
        delta = lax.sub(x, y)
        return lax.select(lax.ne(delta, delta), lax.add(x, y),
                          lax.add(amax, scale(lax.log1p(exp(lax.neg(lax.abs(delta)))))))
    if _is_complex(x):
        delta = lax.sub(lax.add(x, y), lax.mul(amax, lax_const(amax, 2)))
        out = lax.add(amax, scale(lax.log1p(exp(delta))))
        return lax.complex(lax.real(out),
                           _wrap_between(lax.imag(out), np.pi / np.log(2) if base2 else np.pi))
    name = "logaddexp2" if base2 else "logaddexp"
    raise ValueError(f"{name} requires floating-point or complex inputs; got {_dt(x)}")


def _logaddexp_jvp_rule(base2):
    def jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        out = _logaddexp_impl(x, y, base2)
        exp = lax.exp2 if base2 else lax.exp
        t = lax.add(lax.mul(tx, exp(lax.sub(_replace_inf(x), _replace_inf(out)))),
                    lax.mul(ty, exp(lax.sub(_replace_inf(y), _replace_inf(out)))))
        return out, t
    return jvp


def _make_logaddexp_raw():
    from pyjax._src.custom_derivatives import custom_jvp

    def logaddexp(x, y):
        return _logaddexp_impl(x, y, False)

    def logaddexp2(x, y):
        return _logaddexp_impl(x, y, True)
    f, f2 = custom_jvp(logaddexp), custom_jvp(logaddexp2)
    f.defjvp(_logaddexp_jvp_rule(False))
    f2.defjvp(_logaddexp_jvp_rule(True))
    return f, f2


# lax-level logaddexp of equal dtypes and shapes, with JAX's custom jvp (finite tangents at
# infinite arguments).
_logaddexp_raw, _logaddexp2_raw = _make_logaddexp_raw()


def logaddexp(x, y, /):
    x, y = promote_args_inexact("logaddexp", x, y)
    return _logaddexp_raw(x, y)


def logaddexp2(x, y, /):
    x, y = promote_args_inexact("logaddexp2", x, y)
    return _logaddexp2_raw(x, y)


def copysign(x, y, /):
    x, y = promote_args_inexact("copysign", x, y)
    if _is_complex(x):
        raise TypeError("copysign does not support complex-valued inputs")
    return lax.select(signbit(y), lax.neg(lax.abs(x)), lax.abs(x))


def heaviside(x, h, /):
    check_arraylike("heaviside", x, h)
    x, h = promote_dtypes_inexact(x, h)
    if _is_complex(x):
        raise TypeError("heaviside does not support complex-valued inputs")
    # JAX makes its constants from the unbroadcast x: weak when x is a weak scalar.
    weak = get_aval(x).weak_type and get_aval(x).ndim == 0
    x, h = promote_shapes("heaviside", x, h)
    shape, dt = get_aval(x).shape, _dt(x)
    zero, one = lax.full(shape, 0, dt, weak), lax.full(shape, 1, dt, weak)
    return lax.select(lax.lt(x, zero), zero,
                      lax.select(lax.gt(x, zero), one, lax.select(lax.ne(x, x), x, h)))
