"""Elementwise jax.numpy functions, built from tables of lax operations."""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy.util import (promote_args, promote_args_inexact, promote_args_numeric,
                                   same_fast)


def _is_int(x):
    return dtypes.issubdtype(get_aval(x).dtype, np.integer)


def _is_bool(x):
    return get_aval(x).dtype == np.bool_


def _is_complex(x):
    return dtypes.issubdtype(get_aval(x).dtype, np.complexfloating)


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
    fn.__name__ = name
    return fn


for _name, _op in _UNARY_INEXACT.items():
    globals()[_name] = _make_unary_inexact(_name, _op)
asin, acos, atan, asinh, acosh, atanh = arcsin, arccos, arctan, arcsinh, arccosh, arctanh  # noqa: F821


def log2(x, /):
    x, = promote_args_inexact("log2", x)
    return lax.div(lax.log(x), lax.log(lax.full_like(x, 2)))


def log10(x, /):
    x, = promote_args_inexact("log10", x)
    return lax.div(lax.log(x), lax.log(lax.full_like(x, 10)))


def negative(x, /):
    x, = promote_args("negative", x)
    if _is_bool(x):
        raise TypeError("negative does not accept dtype bool.")
    return lax.neg(x)


def positive(x, /):
    x, = promote_args("positive", x)
    return x


def absolute(x, /):
    x, = promote_args("absolute", x)
    if _is_bool(x) or dtypes.issubdtype(get_aval(x).dtype, np.unsignedinteger):
        return x
    return lax.abs(x)


abs = absolute


def fabs(x, /):
    x, = promote_args_inexact("fabs", x)
    return lax.abs(x)


def sign(x, /):
    x, = promote_args("sign", x)
    if _is_bool(x):
        return x
    return lax.sign(x)


def floor(x, /):
    x, = promote_args("floor", x)
    return x if not dtypes.issubdtype(get_aval(x).dtype, np.inexact) else lax.floor(x)


def ceil(x, /):
    x, = promote_args("ceil", x)
    return x if not dtypes.issubdtype(get_aval(x).dtype, np.inexact) else lax.ceil(x)


def trunc(x, /):
    x, = promote_args("trunc", x)
    if not dtypes.issubdtype(get_aval(x).dtype, np.inexact):
        return x
    return lax.select(lax.lt(x, lax.full_like(x, 0)), lax.ceil(x), lax.floor(x))


def rint(x, /):
    x, = promote_args_inexact("rint", x)
    return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


def round(a, decimals=0, out=None):
    a, = promote_args("round", a)
    if not dtypes.issubdtype(get_aval(a).dtype, np.inexact):
        if decimals >= 0:
            return a
        f = lax.full_like(a, 10 ** -decimals)
        return lax.mul(floor_divide(lax.add(a, lax.div(f, lax.full_like(a, 2))), f), f)
    if decimals == 0:
        return lax.round(a, lax.RoundingMethod.TO_NEAREST_EVEN)
    f = lax.full_like(a, 10.0 ** decimals)
    return lax.div(lax.round(lax.mul(a, f), lax.RoundingMethod.TO_NEAREST_EVEN), f)


around = round


def square(x, /):
    x, = promote_args_numeric("square", x)
    return lax.integer_pow(x, 2)


def reciprocal(x, /):
    x, = promote_args_inexact("reciprocal", x)
    return lax.integer_pow(x, -1)


def isnan(x, /):
    x, = promote_args("isnan", x)
    if not dtypes.issubdtype(get_aval(x).dtype, np.inexact):
        return lax.full_like(x, False, np.bool_)
    return lax.ne(x, x)


def isinf(x, /):
    x, = promote_args("isinf", x)
    if not dtypes.issubdtype(get_aval(x).dtype, np.inexact):
        return lax.full_like(x, False, np.bool_)
    if _is_complex(x):
        return lax.bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
    return lax.eq(lax.abs(x), lax.full_like(x, np.inf))


def isfinite(x, /):
    x, = promote_args("isfinite", x)
    if not dtypes.issubdtype(get_aval(x).dtype, np.inexact):
        return lax.full_like(x, True, np.bool_)
    if _is_complex(x):
        return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return lax.is_finite(x)


def isposinf(x, /):
    x, = promote_args("isposinf", x)
    return lax.eq(x, lax.full_like(x, np.inf)) if not _is_int(x) else lax.full_like(x, False, np.bool_)


def isneginf(x, /):
    x, = promote_args("isneginf", x)
    return lax.eq(x, lax.full_like(x, -np.inf)) if not _is_int(x) else lax.full_like(x, False, np.bool_)


def signbit(x, /):
    x, = promote_args("signbit", x)
    dt = get_aval(x).dtype
    if dtypes.issubdtype(dt, np.integer):
        return lax.lt(x, lax.full_like(x, 0))
    if dt == np.bool_:
        return lax.full_like(x, False, np.bool_)
    bits = np.dtype(f"int{dt.itemsize * 8}")
    return lax.lt(lax.bitcast_convert_type(x, bits), lax.full((), 0, bits))


def logical_not(x, /):
    x, = promote_args("logical_not", x)
    return lax.bitwise_not(_to_bool(x))


def _to_bool(x):
    return x if _is_bool(x) else lax.ne(x, lax.full_like(x, 0))


def bitwise_not(x, /):
    x, = promote_args("bitwise_not", x)
    if dtypes.issubdtype(get_aval(x).dtype, np.inexact):
        raise TypeError(f"bitwise_not is only defined for integer and boolean arrays, got {get_aval(x).dtype}")
    return lax.bitwise_not(x)


invert = bitwise_invert = bitwise_not


def real(x, /):
    x, = promote_args("real", x)
    return lax.real(x) if _is_complex(x) else x


def imag(x, /):
    x, = promote_args("imag", x)
    return lax.imag(x) if _is_complex(x) else lax.full_like(x, 0)


def conjugate(x, /):
    x, = promote_args("conjugate", x)
    return lax.conj(x) if _is_complex(x) else x


conj = conjugate


def deg2rad(x, /):
    x, = promote_args_inexact("deg2rad", x)
    return lax.mul(x, lax.full_like(x, np.pi / 180))


def rad2deg(x, /):
    x, = promote_args_inexact("rad2deg", x)
    return lax.mul(x, lax.full_like(x, 180 / np.pi))


radians, degrees = deg2rad, rad2deg


# --- binary -----------------------------------------------------------------------


def _binary(name, op, promote=promote_args, bool_op=None):
    def fn(x, y, /):
        if same_fast(x, y):
            return (bool_op or op)(x, y) if _is_bool(x) else op(x, y)
        x, y = promote(name, x, y)
        if bool_op is not None and _is_bool(x):
            return bool_op(x, y)
        return op(x, y)
    fn.__name__ = name
    return fn


def _no_bool(name, op):
    def fn(x, y):
        if _is_bool(x):
            raise TypeError(f"{name} does not accept dtype bool. Use logical operations instead.")
        return op(x, y)
    return fn


add = _binary("add", lax.add, bool_op=lax.bitwise_or)
subtract = _binary("subtract", _no_bool("subtract", lax.sub))
multiply = _binary("multiply", lax.mul, bool_op=lax.bitwise_and)
maximum = _binary("maximum", lax.max)
minimum = _binary("minimum", lax.min)
arctan2 = _binary("arctan2", lax.atan2, promote_args_inexact)
atan2 = arctan2
nextafter = _binary("nextafter", lax.nextafter, promote_args_inexact)
equal = _binary("equal", lax.eq)
not_equal = _binary("not_equal", lax.ne)
less = _binary("less", lax.lt)
less_equal = _binary("less_equal", lax.le)
greater = _binary("greater", lax.gt)
greater_equal = _binary("greater_equal", lax.ge)
bitwise_and = _binary("bitwise_and", lax.bitwise_and)
bitwise_or = _binary("bitwise_or", lax.bitwise_or)
bitwise_xor = _binary("bitwise_xor", lax.bitwise_xor)


def _logical(name, op):
    def fn(x, y, /):
        x, y = promote_args(name, x, y)
        return op(_to_bool(x), _to_bool(y))
    fn.__name__ = name
    return fn


logical_and = _logical("logical_and", lax.bitwise_and)
logical_or = _logical("logical_or", lax.bitwise_or)
logical_xor = _logical("logical_xor", lax.bitwise_xor)


def left_shift(x, y, /):
    x, y = promote_args("left_shift", x, y)
    return lax.shift_left(x, y)


def right_shift(x, y, /):
    x, y = promote_args("right_shift", x, y)
    return lax.shift_right_arithmetic(x, y) if dtypes.issubdtype(get_aval(x).dtype, np.signedinteger) \
        else lax.shift_right_logical(x, y)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def true_divide(x, y, /):
    if same_fast(x, y) and dtypes.issubdtype(x.dtype, np.inexact):
        return lax.div(x, y)
    x, y = promote_args_inexact("true_divide", x, y)
    return lax.div(x, y)


divide = true_divide


def floor_divide(x, y, /):
    x, y = promote_args_numeric("floor_divide", x, y)
    dt = get_aval(x).dtype
    if dtypes.issubdtype(dt, np.unsignedinteger):
        return lax.div(x, y)
    if dtypes.issubdtype(dt, np.integer):
        # lax.div truncates toward zero; floor division rounds toward -inf.
        q = lax.div(x, y)
        zero = lax.full_like(x, 0)
        fix = lax.bitwise_and(lax.ne(lax.lt(x, zero), lax.lt(y, zero)), lax.ne(lax.rem(x, y), zero))
        return lax.select(fix, lax.sub(q, lax.full_like(q, 1)), q)
    if _is_complex(x):
        raise TypeError("floor_divide does not support complex-valued inputs")
    return _float_divmod(x, y)[0]


def _float_divmod(x, y):
    # Python semantics: the remainder has the sign of the divisor.
    mod = lax.rem(x, y)
    div = lax.div(lax.sub(x, mod), y)
    zero = lax.full_like(x, 0)
    fix = lax.bitwise_and(lax.ne(mod, zero), lax.ne(lax.lt(y, zero), lax.lt(mod, zero)))
    mod = lax.select(fix, lax.add(mod, y), mod)
    div = lax.select(fix, lax.sub(div, lax.full_like(div, 1)), div)
    return lax.round(div, lax.RoundingMethod.TO_NEAREST_EVEN), mod


def remainder(x, y, /):
    x, y = promote_args_numeric("remainder", x, y)
    zero = lax.full_like(x, 0)
    r = lax.rem(x, y)
    if dtypes.issubdtype(get_aval(x).dtype, np.unsignedinteger):
        return r
    fix = lax.bitwise_and(lax.ne(r, zero), lax.ne(lax.lt(r, zero), lax.lt(y, zero)))
    return lax.select(fix, lax.add(r, y), r)


mod = remainder


def fmod(x, y, /):
    x, y = promote_args_numeric("fmod", x, y)
    return lax.rem(x, y)


def divmod(x, y, /):
    return floor_divide(x, y), remainder(x, y)


def power(x, y, /):
    if isinstance(y, int) and not isinstance(y, bool) and not _is_bool_like(x):
        x, = promote_args_numeric("power", x)
        if y >= 0 or not _is_int(x):
            return lax.integer_pow(x, y)
    x, y = promote_args_numeric("power", x, y)
    dt = get_aval(x).dtype
    if dtypes.issubdtype(dt, np.integer):
        return _int_power(x, y)
    return lax.pow(x, y)


pow = power


def _is_bool_like(x):
    return isinstance(x, bool) or (hasattr(x, "dtype") and x.dtype == np.bool_)


def _int_power(x, y):
    """Integer power by repeated squaring over the bits of y (negative y gives 0, as JAX)."""
    bits = get_aval(y).dtype.itemsize * 8
    acc = lax.full_like(x, 1)
    base = x
    e = y
    one = lax.full_like(y, 1)
    for _ in range(bits):
        acc = lax.select(lax.eq(lax.bitwise_and(e, one), one), lax.mul(acc, base), acc)
        base = lax.mul(base, base)
        e = lax.shift_right_logical(e, one)
    return lax.select(lax.lt(y, lax.full_like(y, 0)), lax.full_like(x, 0), acc)


def float_power(x, y, /):
    dt = dtypes.default_float_dtype()
    x, y = promote_args_inexact("float_power", x, y)
    if not _is_complex(x):
        x, y = lax.convert_element_type(x, dt), lax.convert_element_type(y, dt)
    return lax.pow(x, y)


def hypot(x, y, /):
    x, y = promote_args_inexact("hypot", x, y)
    x, y = lax.abs(x), lax.abs(y)
    big, small = lax.max(x, y), lax.min(x, y)
    safe = lax.select(lax.eq(big, lax.full_like(big, 0)), lax.full_like(big, 1), big)
    r = lax.div(small, safe)
    out = lax.mul(big, lax.sqrt(lax.add(lax.full_like(r, 1), lax.mul(r, r))))
    return lax.select(lax.eq(big, lax.full_like(big, np.inf)), big, out)


def logaddexp(x, y, /):
    x, y = promote_args_inexact("logaddexp", x, y)
    return lax.logaddexp(x, y)


def logaddexp2(x, y, /):
    x, y = promote_args_inexact("logaddexp2", x, y)
    ln2 = lax.full_like(x, np.log(2))
    return lax.div(lax.logaddexp(lax.mul(x, ln2), lax.mul(y, ln2)), ln2)


def copysign(x, y, /):
    x, y = promote_args_inexact("copysign", x, y)
    return lax.select(signbit(y), lax.neg(lax.abs(x)), lax.abs(x))


def heaviside(x, h, /):
    x, h = promote_args_inexact("heaviside", x, h)
    zero = lax.full_like(x, 0)
    return lax.select(lax.lt(x, zero), zero, lax.select(lax.gt(x, zero), lax.full_like(x, 1), h))
