"""Elementwise primitives, each family defined from one table.

A row gives the primitive's name, its NumPy implementation, the dtypes it
accepts, and its derivative; abstract evaluation, batching and registration are
shared by the whole family.
"""
import math

import numpy as np
import scipy.special as sps

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters import ad
from pyjax._src.interpreters.ad import Zero, defjvp, defjvp2, defzero, is_undefined
from pyjax._src.interpreters.batching import bdim_at_front

# --- dtype classes accepted by a primitive ---------------------------------
FLOAT = ("floating",)
INEXACT = ("floating", "complexfloating")
INT = ("integer",)
SIGNED_NUMBER = ("signedinteger", "floating", "complexfloating")
INT_BOOL = ("integer", "bool")
NUMBER = ("number",)
ANY = ("number", "bool")

_KIND_OK = {
    "floating": lambda d: dtypes.issubdtype(d, np.floating),
    "complexfloating": lambda d: dtypes.issubdtype(d, np.complexfloating),
    "integer": lambda d: dtypes.issubdtype(d, np.integer),
    "signedinteger": lambda d: dtypes.issubdtype(d, np.signedinteger),
    "bool": lambda d: d == np.bool_,
    "number": lambda d: dtypes.issubdtype(d, np.number),
}


def check_dtype(name, kinds, dtype):
    if not any(_KIND_OK[k](dtype) for k in kinds):
        names = {"floating": "floating-point", "complexfloating": "complex",
                 "signedinteger": "signed integer",
                 "integer": "integer", "bool": "boolean", "number": "numeric"}
        want = " or ".join(names[k] for k in kinds)
        raise TypeError(f"{name} does not accept dtype {np.dtype(dtype).name}; it needs a {want} type.")


def _float16_safe(fn):
    """NumPy/SciPy lack some routines for bfloat16/float16: compute those in float32."""

    def impl(*xs, **params):
        dt = xs[0].dtype
        if dt.itemsize <= 2 and dtypes.issubdtype(dt, np.floating):
            out = fn(*[np.asarray(x, np.float32) for x in xs], **params)
            return np.asarray(out).astype(dt)
        return np.asarray(fn(*xs, **params)).astype(dt, copy=False)

    return impl


def _broadcast_batcher(prim):
    """Elementwise batching: batched operands' batch axis goes first, unbatched ones are
    broadcast to the batch, except rank-0 unbatched operands, which broadcast implicitly."""

    def rule(vals, dims, **params):
        from pyjax._src.interpreters.batching import batch_size_of
        if all(d == dims[0] for d in dims) and all(
                get_aval(v).shape == get_aval(vals[0]).shape for v in vals):
            return prim.bind(*vals, **params), dims[0]
        size = batch_size_of(vals, dims)
        shapes = [get_aval(v).shape if d is None else
                  get_aval(v).shape[:d] + get_aval(v).shape[d + 1:] for v, d in zip(vals, dims)]
        out_shape = _common_shape(shapes)
        args = []
        for v, d, shape in zip(vals, dims, shapes):
            if d is None and not shape:
                args.append(v)
                continue
            v = bdim_at_front(v, d, size)
            if not shape and out_shape:  # a batched scalar meets a batched array
                v = _L().broadcast_in_dim(v, (size,) + out_shape, (0,))
            args.append(v)
        return prim.bind(*args, **params), 0

    return rule


def _scalar_broadcasting_jvp(prim):
    """Binary primitives broadcast rank-0 operands; their jvp rules are written for equal
    shapes, so a rank-0 operand and its tangent are broadcast first (the broadcast's own
    transpose then sums the cotangent back)."""
    rule = core.jvp_rules[prim]

    def jvp(primals, tangents, **params):
        shapes = [get_aval(p).shape for p in primals]
        out_shape = _common_shape(shapes)
        if all(s == out_shape for s in shapes):
            return rule(primals, tangents, **params)
        L = _L()

        def full(x, s):
            return L.broadcast_in_dim(x, out_shape, tuple(range(len(s))))

        primals = [p if s == out_shape else full(p, s) for p, s in zip(primals, shapes)]
        tangents = [t if s == out_shape else
                    (Zero(t.aval.update(shape=out_shape)) if type(t) is Zero else full(t, s))
                    for t, s in zip(tangents, shapes)]
        return rule(primals, tangents, **params)

    core.jvp_rules[prim] = jvp


def _binary_shape(name, x, y):
    """lax's implicit broadcasting (as JAX's): a rank-0 operand, or size-1 dimensions of an
    operand of the same rank."""
    if x.shape == y.shape or not y.shape:
        return x.shape
    if not x.shape:
        return y.shape
    if x.ndim != y.ndim:
        raise TypeError(f"{name}: arrays must have the same number of dimensions, got "
                        f"{{{x.ndim}, {y.ndim}}} (shapes {x.shape} and {y.shape}).")
    out = []
    for a, b in zip(x.shape, y.shape):
        if a != b and 1 not in (a, b):
            raise TypeError(f"lax.{name} got incompatible shapes for broadcasting: "
                            f"{x.shape}, {y.shape}.")
        out.append(b if a == 1 else a)
    return tuple(out)


def _common_shape(shapes):
    out = ()
    for s in shapes:
        if len(s) > len(out):
            out = s
        elif len(s) == len(out):
            out = tuple(b if a == 1 else a for a, b in zip(out, s))
    return out


# ---------------------------------------------------------------------------
# Unary


def _unary_abstract(name, kinds, out_dtype=None):
    def rule(x, **_):
        check_dtype(name, kinds, x.dtype)
        if callable(out_dtype):
            return x.shape, out_dtype(x.dtype)
        return x.shape, (out_dtype or x.dtype)
    return rule


def _one(x):
    from pyjax._src.lax import lax
    return lax.full_like(x, 1)


def _c(x, v):
    from pyjax._src.lax import lax
    return lax.full_like(x, v)


def _L():
    from pyjax._src.lax import lax
    return lax


def _def_unary(name, impl, kinds, jvp=None, out_dtype=None, weak=None, jvp_with_out=False):
    p = Primitive(name)
    register(p, impl=impl, abstract_eval=_unary_abstract(name, kinds, out_dtype),
             batch=lambda vals, dims, **params: (p.bind(*vals, **params), dims[0]),
             weak_type=weak)
    if jvp is None:
        defzero(p)
    elif jvp_with_out:
        defjvp2(p, jvp)
    else:
        defjvp(p, jvp)
    return p


def _real_dtype(d):
    return np.finfo(d).dtype if dtypes.issubdtype(d, np.complexfloating) else d


def _abs_jvp(t, y, x):
    L = _L()
    if dtypes.issubdtype(get_aval(x).dtype, np.complexfloating):
        # d|x| = Re(conj(x) t) / |x|
        return L.div(L.real(L.mul(L.conj(x), t)), L.select(L.eq(y, _c(y, 0)), _c(y, 1), y))
    # As JAX: the derivative at 0 (and -0.0) is +1.
    return L.select(L.ge(x, _c(x, 0)), t, L.neg(t))


def _sign_impl(x):
    if x.dtype.kind == "c":
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.abs(x)
            return np.where(a == 0, np.zeros((), x.dtype), x / np.where(a == 0, 1, a)).astype(x.dtype)
    out = np.sign(x)
    # sign(-0.0) is -0.0 (XLA keeps the zero's sign; NumPy gives +0.0).
    return np.where(x == 0, x, out) if dtypes.issubdtype(x.dtype, np.floating) else out


def _logistic_impl(x):
    if x.dtype.kind == "c":  # SciPy's expit has no complex loop
        with np.errstate(over="ignore", invalid="ignore"):
            return (1 / (1 + np.exp(-x))).astype(x.dtype)
    return _float16_safe(sps.expit)(x)


def _nan_at_poles(out, x, m=None):
    """At the poles x = 0, -1, -2, ... XLA's digamma is nan, and polygamma(m, x) is +inf
    for odd m (where both sides tend to +inf) and nan for even m; SciPy gives +-inf."""
    with np.errstate(invalid="ignore"):
        pole = (x <= 0) & (np.floor(x) == x)
        at_pole = np.asarray(np.nan, out.dtype)
        if m is None:
            return np.where(pole, at_pole, out)
        at_pole = np.where(np.fmod(m, 2) == 1, np.asarray(np.inf, out.dtype), at_pole)
        out = np.where(pole, at_pole, out)
        # The order must be a non-negative integer.
        return np.where((m < 0) | (np.floor(m) != m), np.asarray(np.nan, out.dtype), out)


def _popcount(x):
    # Count the bits of the two's complement pattern (np.bitwise_count counts |x| for signed).
    x = np.asarray(x)
    return np.bitwise_count(x.view(np.dtype(f"uint{x.dtype.itemsize * 8}"))).astype(x.dtype)


def _clz(x):
    """Leading zeros of the bit pattern, exactly (float log2 rounds for 64-bit values)."""
    bits = x.dtype.itemsize * 8
    u = np.asarray(x).astype(np.dtype(f"uint{bits}"))
    out = np.zeros(u.shape, dtype=np.int64)
    for shift in (32, 16, 8, 4, 2, 1):
        if shift >= bits:
            continue
        hi = u >> np.asarray(bits - shift, u.dtype)       # is the top `shift`-bit field empty?
        empty = hi == 0
        out += np.where(empty, shift, 0)
        u = np.where(empty, u << np.asarray(shift, u.dtype), u)
    out += (u >> np.asarray(bits - 1, u.dtype)) == 0       # the last bit
    return out.astype(x.dtype)


_UNARY = [
    # name, impl, accepted dtypes, jvp (fn(t, x) or fn(t, y, x) when marked), options
    ("neg", np.negative, NUMBER, lambda t, x: _L().neg(t), {}),
    ("sign", _sign_impl, NUMBER, None, {}),
    ("floor", np.floor, FLOAT, None, {}),
    ("ceil", np.ceil, FLOAT, None, {}),
    ("is_finite", np.isfinite, FLOAT, None, {"out_dtype": np.bool_}),
    ("exp", np.exp, INEXACT, lambda t, y, x: _L().mul(t, y), {"jvp_with_out": True}),
    ("exp2", np.exp2, INEXACT, lambda t, y, x: _L().mul(t, _L().mul(y, _c(y, math.log(2)))),
     {"jvp_with_out": True}),
    ("log", np.log, INEXACT, lambda t, x: _L().div(t, x), {}),
    ("log1p", np.log1p, INEXACT, lambda t, x: _L().div(t, _L().add(x, _one(x))), {}),
    ("expm1", np.expm1, INEXACT, lambda t, y, x: _L().mul(t, _L().add(y, _one(y))),
     {"jvp_with_out": True}),
    ("tanh", np.tanh, INEXACT,
     lambda t, y, x: _L().mul(t, _L().sub(_one(y), _L().mul(y, y))), {"jvp_with_out": True}),
    ("logistic", _logistic_impl, INEXACT,
     lambda t, y, x: _L().mul(t, _L().mul(y, _L().sub(_one(y), y))), {"jvp_with_out": True}),
    ("sin", np.sin, INEXACT, lambda t, x: _L().mul(t, _L().cos(x)), {}),
    ("cos", np.cos, INEXACT, lambda t, x: _L().neg(_L().mul(t, _L().sin(x))), {}),
    ("tan", np.tan, INEXACT,
     lambda t, y, x: _L().mul(t, _L().add(_one(y), _L().mul(y, y))), {"jvp_with_out": True}),
    ("asin", np.arcsin, INEXACT,
     lambda t, x: _L().mul(t, _L().rsqrt(_L().sub(_one(x), _L().mul(x, x)))), {}),
    ("acos", np.arccos, INEXACT,
     lambda t, x: _L().neg(_L().mul(t, _L().rsqrt(_L().sub(_one(x), _L().mul(x, x))))), {}),
    ("atan", np.arctan, INEXACT,
     lambda t, x: _L().div(t, _L().add(_one(x), _L().mul(x, x))), {}),
    ("sinh", np.sinh, INEXACT, lambda t, x: _L().mul(t, _L().cosh(x)), {}),
    ("cosh", np.cosh, INEXACT, lambda t, x: _L().mul(t, _L().sinh(x)), {}),
    ("asinh", np.arcsinh, INEXACT,
     lambda t, x: _L().mul(t, _L().rsqrt(_L().add(_L().mul(x, x), _one(x)))), {}),
    ("acosh", np.arccosh, INEXACT,
     lambda t, x: _L().mul(t, _L().rsqrt(_L().mul(_L().sub(x, _one(x)), _L().add(x, _one(x))))),
     {}),
    ("atanh", np.arctanh, INEXACT,
     lambda t, x: _L().div(t, _L().sub(_one(x), _L().mul(x, x))), {}),
    ("sqrt", np.sqrt, INEXACT, lambda t, y, x: _L().div(t, _L().mul(y, _c(y, 2))),
     {"jvp_with_out": True}),
    ("rsqrt", _float16_safe(lambda x: 1 / np.sqrt(x)), INEXACT,
     lambda t, y, x: _L().mul(t, _L().mul(_L().div(y, x), _c(y, -0.5))), {"jvp_with_out": True}),
    ("cbrt", np.cbrt, FLOAT,
     lambda t, y, x: _L().mul(t, _L().mul(_L().integer_pow(y, -2), _c(y, 1 / 3))),
     {"jvp_with_out": True}),
    ("abs", np.abs, SIGNED_NUMBER, _abs_jvp, {"jvp_with_out": True, "out_dtype": _real_dtype}),
    ("erf", _float16_safe(sps.erf), FLOAT,
     lambda t, x: _L().mul(t, _L().mul(_c(x, 2 / math.sqrt(math.pi)),
                                       _L().exp(_L().neg(_L().mul(x, x))))), {}),
    ("erfc", _float16_safe(sps.erfc), FLOAT,
     lambda t, x: _L().mul(t, _L().mul(_c(x, -2 / math.sqrt(math.pi)),
                                       _L().exp(_L().neg(_L().mul(x, x))))), {}),
    ("erf_inv", _float16_safe(sps.erfinv), FLOAT,
     lambda t, y, x: _L().mul(t, _L().mul(_c(y, math.sqrt(math.pi) / 2), _L().exp(_L().mul(y, y)))),
     {"jvp_with_out": True}),
    ("lgamma", _float16_safe(sps.gammaln), FLOAT, lambda t, x: _L().mul(t, _L().digamma(x)), {}),
    ("digamma", _float16_safe(lambda x: _nan_at_poles(sps.digamma(x), x)), FLOAT,
     lambda t, x: _L().mul(t, _L().polygamma(_one(x), x)), {}),
    ("not", np.invert, INT_BOOL, None, {}),
    ("population_count", _popcount, INT, None, {}),
    ("clz", _clz, INT, None, {}),
    ("imag", np.imag, ("complexfloating",), lambda t, x: _L().imag(t), {"real_out": True}),
    ("real", np.real, ("complexfloating",), lambda t, x: _L().real(t), {"real_out": True}),
    ("conj", np.conjugate, INEXACT, lambda t, x: _L().conj(t), {}),
]


unary = {}
for _name, _impl, _kinds, _jvp, _opts in _UNARY:
    _opts = dict(_opts)
    if _opts.pop("real_out", False):
        _p = Primitive(_name)
        register(_p, impl=_impl,
                 abstract_eval=lambda x, _n=_name: (check_dtype(_n, ("complexfloating",), x.dtype)
                                                    or (x.shape, _real_dtype(x.dtype))),
                 batch=lambda vals, dims, _p=_p, **ps: (_p.bind(*vals, **ps), dims[0]))
        defjvp(_p, _jvp)
        unary[_name] = _p
    else:
        unary[_name] = _def_unary(_name, _impl, _kinds, _jvp, **_opts)


def _round_impl(x, rounding_method):
    if rounding_method == 0:  # AWAY_FROM_ZERO
        # Not floor(|x| + 0.5): that addition rounds (0.49999997 + 0.5 == 1.0 in float32).
        t = np.trunc(x)
        with np.errstate(invalid="ignore"):
            away = np.abs(x - t) >= np.asarray(0.5, x.dtype)
        return np.where(away, t + np.sign(x), t).astype(x.dtype)
    return np.round(x)


round_p = _def_unary("round", _round_impl, FLOAT)

# --- the linear ones get transposes -----------------------------------------
core.transpose_rules[unary["neg"]] = lambda ct, x: [Zero(x.aval) if type(ct) is Zero else _L().neg(ct)]
core.transpose_rules[unary["real"]] = lambda ct, x: [_L().complex(ct, _c(ct, 0))]
core.transpose_rules[unary["imag"]] = lambda ct, x: [_L().complex(_c(ct, 0), _L().neg(ct))]
core.transpose_rules[unary["conj"]] = lambda ct, x: [_L().conj(ct)]


# ---------------------------------------------------------------------------
# Binary


def _binary_abstract(name, kinds, out_dtype=None):
    def rule(x, y, **_):
        if x.dtype != y.dtype:
            raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                            f"{x.dtype.name}, {y.dtype.name}. (Tip: jnp.{name} promotes types; "
                            "lax does not.)")
        check_dtype(name, kinds, x.dtype)
        return _binary_shape(name, x, y), (out_dtype or x.dtype)
    return rule


def _int_div(x, y):
    # C-style division truncating toward zero, as XLA (and JAX's lax.div) does for ints:
    # x / 0 is -1 (all ones when unsigned) and INT_MIN / -1 wraps to INT_MIN.  Floor
    # division, corrected where it rounded down a negative inexact quotient (|x| would
    # overflow for INT_MIN, so no abs()).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        safe = np.where(y == 0, np.ones((), x.dtype), y)
        q = np.floor_divide(x, safe)
        if x.dtype.kind == "i":
            r = np.remainder(x, safe)
            q = np.where((r != 0) & ((x < 0) != (safe < 0)), q + np.ones((), x.dtype), q)
        zero_div = np.asarray(-1).astype(x.dtype)
        return np.where(y == 0, zero_div, q).astype(x.dtype)


def _div_impl(x, y):
    if x.dtype.kind in "iu":
        return _int_div(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(x, y).astype(x.dtype, copy=False)


def _rem_impl(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        if x.dtype.kind in "iu":
            return np.where(y == 0, x, np.fmod(x, np.where(y == 0, 1, y))).astype(x.dtype)
        return np.fmod(x, y)


def _pow_impl(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(x, y).astype(x.dtype, copy=False)


def _shift_impl(kind):
    def impl(x, y):
        bits = x.dtype.itemsize * 8
        # Shifts by >= the bit width give 0 (or the sign fill), as in XLA, not C's UB.
        yu = y.astype(np.int64)
        big = (yu < 0) | (yu >= bits)
        ys = np.where(big, 0, yu).astype(x.dtype)
        if kind == "left":
            out = np.left_shift(x, ys)
            return np.where(big, 0, out).astype(x.dtype)
        if kind == "arith":
            # On the bit pattern as a signed number: unsigned values sign-extend too, as in XLA.
            s = np.dtype(f"int{bits}")
            xs = x.view(s) if isinstance(x, np.ndarray) else np.asarray(x).view(s)
            out = np.right_shift(xs, ys.astype(s))
            fill = np.where(xs < 0, np.asarray(-1, s), np.asarray(0, s))
            return np.where(big, fill, out).astype(s).view(x.dtype)
        u = np.dtype(f"uint{bits}")
        out = np.right_shift(x.view(u) if isinstance(x, np.ndarray) else np.asarray(x).view(u),
                             ys.astype(u))
        return np.where(big, 0, out).astype(u).view(x.dtype)
    return impl


def _max_jvp_lhs(t, x, y):
    L = _L()
    # Ties share the derivative equally, as in JAX.
    return L.mul(t, L.select(L.gt(x, y), _one(x), L.select(L.eq(x, y), _c(x, 0.5), _c(x, 0))))


def _min_jvp_lhs(t, x, y):
    L = _L()
    return L.mul(t, L.select(L.lt(x, y), _one(x), L.select(L.eq(x, y), _c(x, 0.5), _c(x, 0))))


def _pow_jvp_lhs(t, x, y):
    L = _L()
    # y * x**(y-1), with 0 where y == 0 (so that d/dx x**0 = 0 even at x == 0).
    yx = L.mul(y, L.pow(x, L.sub(y, _one(y))))
    return L.mul(t, L.select(L.eq(y, _c(y, 0)), _c(yx, 0), yx))


def _pow_jvp_rhs(t, x, y):
    L = _L()
    z = L.pow(x, y)
    # log(x) * x**y, defined as 0 where x == 0 (as JAX does).
    logx = L.log(L.select(L.eq(x, _c(x, 0)), _one(x), x))
    return L.mul(t, L.select(L.eq(x, _c(x, 0)), _c(z, 0), L.mul(logx, z)))


def _rem_jvp_rhs(t, x, y):
    L = _L()
    q = L.div(x, y)
    return L.mul(L.neg(t), L.mul(L.sign(q), L.floor(L.abs(q))))


def _atan2_jvp(t, x, y, which):
    L = _L()
    denom = L.add(L.mul(x, x), L.mul(y, y))
    return L.div(L.mul(t, y if which == 0 else L.neg(x)), denom)


def _atan2_impl(x, y):
    if x.dtype.kind == "c":
        # XLA's expansion for complex operands: -i log((y + i x) / sqrt(x^2 + y^2)).
        dt = x.dtype
        x, y = x.astype(np.complex128), y.astype(np.complex128)
        with np.errstate(all="ignore"):
            return (-1j * np.log((y + 1j * x) / np.sqrt(x * x + y * y))).astype(dt)
    return _float16_safe(np.arctan2)(x, y)


def _polygamma_jvp_m(t, m, x):
    raise ValueError("polygamma gradient with respect to m is not supported")


def _igamma_dx(t, a, x):
    """d/dx P(a, x) = exp(-x + (a - 1) log x - lgamma(a))."""
    L = _L()
    return L.mul(t, L.exp(L.sub(L.sub(L.mul(L.sub(a, _one(a)), L.log(x)), x), L.lgamma(a))))


def _igamma_grad_a_impl(a, x):
    """d/da of the regularized lower incomplete gamma P(a, x).

    Romberg-extrapolated central differences of SciPy's float64 gammainc: the error
    is O(h^4) plus rounding, about 1e-10 relative, below float32 resolution and close
    to float64's for practical arguments."""
    dt = np.result_type(a, x)
    a64, x64 = np.asarray(a, np.float64), np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        h = np.minimum(1e-3 * np.maximum(a64, 1.0), a64 / 4)
        d1 = (sps.gammainc(a64 + h, x64) - sps.gammainc(a64 - h, x64)) / (2 * h)
        d2 = (sps.gammainc(a64 + h / 2, x64) - sps.gammainc(a64 - h / 2, x64)) / h
        out = (4 * d2 - d1) / 3
        out = np.where((x64 == 0) | np.isinf(x64) & (x64 > 0), 0.0, out)
        out = np.where(np.isnan(a64) | np.isnan(x64) | (a64 <= 0) | (x64 < 0), np.nan, out)
    return out.astype(dt)


def _mulhi_impl(x, y):
    """The high half of the 2N-bit product of N-bit integers (two's complement for signed)."""
    x, y = np.asarray(x), np.asarray(y)
    bits = x.dtype.itemsize * 8
    signed = x.dtype.kind == "i"
    if bits <= 32:
        wide = np.int64 if signed else np.uint64
        return ((x.astype(wide) * y.astype(wide)) >> bits).astype(x.dtype)
    # 64 bits: the unsigned 128-bit product from 32-bit halves, then the signed correction
    # hi(x*y) = hi_u(x, y) - (x < 0 ? y : 0) - (y < 0 ? x : 0)  (mod 2**64).
    u64 = np.uint64
    xu, yu = x.view(u64) if signed else x, y.view(u64) if signed else y
    xu, yu = np.broadcast_arrays(xu, yu)
    m32, s32 = u64(0xFFFFFFFF), u64(32)
    xl, xh, yl, yh = xu & m32, xu >> s32, yu & m32, yu >> s32
    ll, lh, hl, hh = xl * yl, xl * yh, xh * yl, xh * yh
    mid = (ll >> s32) + (lh & m32) + (hl & m32)
    hi = hh + (lh >> s32) + (hl >> s32) + (mid >> s32)
    if signed:
        hi = hi - np.where(x < 0, yu, u64(0)) - np.where(y < 0, xu, u64(0))
        return hi.view(np.int64)
    return hi

_BINARY = [
    # name, impl, accepted dtypes, (jvp for x, jvp for y) as fn(t, x, y) or None
    ("add", np.add, NUMBER, (lambda t, x, y: t, lambda t, x, y: t)),
    ("sub", np.subtract, NUMBER, (lambda t, x, y: t, lambda t, x, y: _L().neg(t))),
    ("mul", np.multiply, NUMBER,
     (lambda t, x, y: _L().mul(t, y), lambda t, x, y: _L().mul(x, t))),
    ("div", _div_impl, NUMBER,
     (lambda t, x, y: _L().div(t, y),
      lambda t, x, y: _L().neg(_L().mul(t, _L().div(x, _L().mul(y, y)))))),
    ("rem", _rem_impl, ("integer", "floating"), (lambda t, x, y: t, _rem_jvp_rhs)),
    ("pow", _pow_impl, INEXACT, (_pow_jvp_lhs, _pow_jvp_rhs)),
    ("max", np.maximum, ANY,
     (_max_jvp_lhs, lambda t, x, y: _max_jvp_lhs(t, y, x))),
    ("min", np.minimum, ANY,
     (_min_jvp_lhs, lambda t, x, y: _min_jvp_lhs(t, y, x))),
    ("atan2", _atan2_impl, INEXACT,
     (lambda t, x, y: _atan2_jvp(t, x, y, 0), lambda t, x, y: _atan2_jvp(t, x, y, 1))),
    ("nextafter", np.nextafter, FLOAT, None),
    ("and", np.bitwise_and, INT_BOOL, None),
    ("or", np.bitwise_or, INT_BOOL, None),
    ("xor", np.bitwise_xor, INT_BOOL, None),
    ("shift_left", _shift_impl("left"), INT, None),
    ("shift_right_arithmetic", _shift_impl("arith"), INT, None),
    ("shift_right_logical", _shift_impl("logical"), INT, None),
    ("mulhi", _mulhi_impl, INT, None),
    ("polygamma", _float16_safe(lambda m, x: _nan_at_poles(sps.polygamma(m, x), x, m)), FLOAT,
     (_polygamma_jvp_m, lambda t, m, x: _L().mul(t, _L().polygamma(_L().add(m, _one(m)), x)))),
    ("igamma", _float16_safe(sps.gammainc), FLOAT,
     (lambda t, a, x: _L().mul(t, igamma_grad_a_p.bind(a, x)), lambda t, a, x: _igamma_dx(t, a, x))),
    ("igammac", _float16_safe(sps.gammaincc), FLOAT,
     (lambda t, a, x: _L().neg(_L().mul(t, igamma_grad_a_p.bind(a, x))),
      lambda t, a, x: _L().neg(_igamma_dx(t, a, x)))),
]

binary = {}
for _name, _impl, _kinds, _jvps in _BINARY:
    _p = Primitive(_name)
    register(_p, impl=_impl, abstract_eval=_binary_abstract(_name, _kinds),
             batch=_broadcast_batcher(_p))
    if _jvps is None:
        defzero(_p)
    else:
        defjvp(_p, *_jvps)
        _scalar_broadcasting_jvp(_p)
    binary[_name] = _p

# The a-derivative of igamma: a primitive of its own (as in JAX), with no derivative itself.
igamma_grad_a_p = Primitive("igamma_grad_a")
register(igamma_grad_a_p, impl=_igamma_grad_a_impl,
         abstract_eval=_binary_abstract("igamma_grad_a", FLOAT),
         batch=_broadcast_batcher(igamma_grad_a_p))

_COMPARE = [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
            ("gt", np.greater), ("ge", np.greater_equal)]
compare = {}
for _name, _impl in _COMPARE:
    _p = Primitive(_name)
    # Weakly typed when all operands are (as in JAX).
    _cmp_kinds = ANY if _name in ("eq", "ne") else ("integer", "floating", "bool")
    register(_p, impl=_impl, abstract_eval=_binary_abstract(_name, _cmp_kinds, np.bool_),
             batch=_broadcast_batcher(_p))
    defzero(_p)
    compare[_name] = _p


def _complex_abstract(x, y):
    shape, _ = _binary_abstract("complex", FLOAT)(x, y)
    return shape, np.result_type(x.dtype, np.complex64)


def _complex_impl(x, y):
    # Not x + 1j * y: 1j * inf is (nan + inf j).
    out = np.empty(np.broadcast_shapes(np.shape(x), np.shape(y)), np.result_type(x.dtype, np.complex64))
    out.real, out.imag = x, y
    return out


complex_p = Primitive("complex")
register(complex_p, impl=_complex_impl,
         abstract_eval=_complex_abstract, batch=_broadcast_batcher(complex_p))
defjvp(complex_p, lambda t, x, y: _L().complex(t, _c(t, 0)),
       lambda t, x, y: _L().complex(_c(t, 0), t))
_scalar_broadcasting_jvp(complex_p)


# --- transposes of the linear binary ops ------------------------------------
def _unbroadcast(operand, ct):
    """The cotangent of an operand that was implicitly broadcast: summed over those axes."""
    if type(ct) is Zero:
        return Zero(operand.aval)
    shape, ct_shape = operand.aval.shape, get_aval(ct).shape
    if shape == ct_shape:
        return ct
    if not shape:
        return _L().reduce_sum(ct, tuple(range(len(ct_shape))))
    axes = tuple(i for i, (a, b) in enumerate(zip(shape, ct_shape)) if a == 1 and b != 1)
    return _L().reshape(_L().reduce_sum(ct, axes), shape)


def _linear_binary_transpose(ct_x, ct_y):
    """Transpose rule from the cotangent maps of each operand (applied where undefined)."""
    def rule(ct, x, y):
        if is_undefined(x) and is_undefined(y) and (ct_x is None or ct_y is None):
            raise NotImplementedError("this operation is not linear in both operands at once")
        if type(ct) is Zero:
            return [Zero(x.aval) if is_undefined(x) else None, Zero(y.aval) if is_undefined(y) else None]
        return [_unbroadcast(x, ct_x(ct, y)) if is_undefined(x) else None,
                _unbroadcast(y, ct_y(ct, x)) if is_undefined(y) else None]
    return rule


core.transpose_rules[binary["add"]] = _linear_binary_transpose(lambda ct, y: ct, lambda ct, x: ct)
core.transpose_rules[binary["sub"]] = _linear_binary_transpose(lambda ct, y: ct,
                                                               lambda ct, x: _L().neg(ct))
core.transpose_rules[binary["mul"]] = _linear_binary_transpose(lambda ct, y: _L().mul(ct, y),
                                                               lambda ct, x: _L().mul(x, ct))
core.transpose_rules[binary["div"]] = _linear_binary_transpose(lambda ct, y: _L().div(ct, y), None)
core.transpose_rules[complex_p] = _linear_binary_transpose(lambda ct, y: _L().real(ct),
                                                           lambda ct, x: _L().neg(_L().imag(ct)))


# ---------------------------------------------------------------------------
# integer_pow, select_n, clamp, convert_element_type


def _integer_pow_impl(x, y):
    if y == 0:
        return np.ones_like(x)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if y < 0:
            return (np.asarray(1, x.dtype) / np.power(x, -y)).astype(x.dtype)
        return np.power(x, y).astype(x.dtype, copy=False)


def _integer_pow_abstract(x, y):
    check_dtype("integer_pow", NUMBER, x.dtype)
    if y < 0 and dtypes.issubdtype(x.dtype, np.integer):
        raise TypeError(f"Integers cannot be raised to negative powers, got integer_pow({x}, {y})")
    return x.shape, x.dtype


integer_pow_p = Primitive("integer_pow")
register(integer_pow_p, impl=_integer_pow_impl, abstract_eval=_integer_pow_abstract,
         batch=lambda vals, dims, y: (integer_pow_p.bind(vals[0], y=y), dims[0]))
defjvp(integer_pow_p, lambda t, x, y: _c(t, 0) if y == 0 else _L().mul(
    t, _L().mul(_c(x, y), _L().integer_pow(x, y - 1) if y != 1 else _one(x))))


def _select_n_abstract(which, *cases):
    if not cases:
        raise TypeError("select_n requires at least one case")
    if which.dtype != np.bool_ and not dtypes.issubdtype(which.dtype, np.integer):
        raise TypeError(f"select_n: the selector must be boolean or integer, got {which.dtype}")
    for c in cases[1:]:
        if c.shape != cases[0].shape or c.dtype != cases[0].dtype:
            raise TypeError("select_n: all cases must have the same shape and dtype, got "
                            + ", ".join(c.str_short() for c in cases))
    if which.shape and which.shape != cases[0].shape:
        raise TypeError(f"select_n: selector shape {which.shape} must be scalar or equal to "
                        f"the case shape {cases[0].shape}")
    return cases[0].shape, cases[0].dtype


def _select_n_impl(which, *cases):
    if len(cases) == 1:
        return cases[0]
    if which.dtype == np.bool_:
        return np.where(which, cases[1], cases[0])
    return np.choose(np.clip(which, 0, len(cases) - 1), cases)


def _select_n_weak(which, *cases):
    return all(cases)


def _select_n_jvp(primals, tangents):
    which, cases = primals[0], primals[1:]
    out = select_n_p.bind(which, *cases)
    tcases = tangents[1:]
    if all(type(t) is Zero for t in tcases):
        return out, Zero.like(out)
    return out, select_n_p.bind(which, *[ad.instantiate(t) for t in tcases])


def _select_n_transpose(ct, which, *cases):
    if is_undefined(which):
        raise ValueError("select_n is not linear in its selector")
    zeros = _c(ct, 0) if type(ct) is not Zero else None
    out = [None]
    for i, c in enumerate(cases):
        if not is_undefined(c):
            out.append(None)
        elif type(ct) is Zero:
            out.append(Zero(c.aval))
        else:
            args = [zeros] * len(cases)
            args[i] = ct
            out.append(select_n_p.bind(which, *args))
    return out


def _select_n_batch(vals, dims):
    from pyjax._src.interpreters.batching import batch_size_of
    size = batch_size_of(vals, dims)
    which, wd = vals[0], dims[0]
    case_shape = _case_shape(vals, dims)
    cases = [bdim_at_front(v, d, size) for v, d in zip(vals[1:], dims[1:])]
    if get_aval(which).ndim - (wd is not None) == 0 and case_shape:
        if wd is None:  # one scalar selector for the whole batch
            return select_n_p.bind(which, *cases), 0
        # A batched scalar selector becomes a full-shape one.
        which = _L().broadcast_in_dim(bdim_at_front(which, wd, size), (size,) + case_shape, (0,))
        wd = 0
    return select_n_p.bind(bdim_at_front(which, wd, size), *cases), 0


def _case_shape(vals, dims):
    for v, d in zip(vals[1:], dims[1:]):
        s = get_aval(v).shape
        return s if d is None else s[:d] + s[d + 1:]


select_n_p = Primitive("select_n")
register(select_n_p, impl=_select_n_impl, abstract_eval=_select_n_abstract,
         weak_type=_select_n_weak, jvp=_select_n_jvp, transpose=_select_n_transpose,
         batch=_select_n_batch)


def _clamp_abstract(lo, x, hi):
    for b in (lo, hi):
        if b.dtype != x.dtype:
            raise TypeError(f"clamp requires min, operand and max of one dtype, got "
                            f"{lo.dtype}, {x.dtype}, {hi.dtype}")
        if b.shape and b.shape != x.shape:
            raise TypeError(f"clamp: min/max shape {b.shape} must be scalar or equal to "
                            f"the operand shape {x.shape}")
    return x.shape, x.dtype


clamp_p = Primitive("clamp")
register(clamp_p, impl=lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi).astype(x.dtype, copy=False),
         abstract_eval=_clamp_abstract)


def _clamp_batch(vals, dims):
    from pyjax._src.interpreters.batching import batch_size_of
    size = batch_size_of(vals, dims)
    x_shape = get_aval(vals[1]).shape
    if dims[1] is not None:
        x_shape = x_shape[:dims[1]] + x_shape[dims[1] + 1:]
    out = []
    for v, d in zip(vals, dims):
        if get_aval(v).ndim - (d is not None) == 0 and x_shape:
            v = _L().broadcast_in_dim(v, get_aval(v).shape + x_shape,
                                      tuple(range(get_aval(v).ndim)))
        out.append(bdim_at_front(v, d, size))
    return clamp_p.bind(*out), 0


core.batch_rules[clamp_p] = _clamp_batch


def _clamp_jvp(which):
    """JAX's rule: the tangent of the bound that is active, strict comparisons (at a tie
    nothing moves the output to first order in either direction consistently)."""

    def fn(t, lo, x, hi):
        L = _L()
        shape = get_aval(x).shape
        full = lambda v: v if get_aval(v).shape == shape else L.broadcast_in_dim(v, shape, ())
        lo, hi, t = full(lo), full(hi), full(t)
        if which == 0:
            pick = L.bitwise_and(L.gt(lo, x), L.lt(lo, hi))
        elif which == 1:
            pick = L.bitwise_and(L.gt(x, lo), L.lt(x, hi))
        else:
            pick = L.lt(hi, x)
        return L.select(pick, t, _c(t, 0))

    return fn


defjvp(clamp_p, _clamp_jvp(0), _clamp_jvp(1), _clamp_jvp(2))


def _convert_impl(x, new_dtype, weak_type):
    x = np.asarray(x)
    if x.dtype.kind == "c" and np.dtype(new_dtype).kind != "c":
        x = np.real(x)
    if np.dtype(new_dtype).kind in "iu" and dtypes.issubdtype(x.dtype, np.floating):
        # Float -> int: NaN gives 0 and out-of-range values saturate, as XLA does on CPU.
        # In float64, which holds every narrower float exactly (bfloat16 compares badly).
        info = np.iinfo(new_dtype)
        x = x.astype(np.float64)
        with np.errstate(invalid="ignore"):
            x = np.where(np.isnan(x), 0, np.clip(np.trunc(x), info.min, info.max))
            big = x >= float(info.max)    # info.max may round up to 2**bits in float64
            out = np.where(big, 0, x).astype(new_dtype)
            return np.where(big, np.asarray(info.max, new_dtype), out)
    with np.errstate(invalid="ignore", over="ignore"):
        return x.astype(new_dtype)


def _convert_jvp(primals, tangents, new_dtype, weak_type):
    x, = primals
    t, = tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if type(t) is Zero or not ad.is_differentiable(get_aval(out)):
        return out, Zero.like(out)
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_transpose(ct, x, new_dtype, weak_type):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [convert_element_type_p.bind(ct, new_dtype=x.aval.dtype, weak_type=x.aval.weak_type)]


convert_element_type_p = Primitive("convert_element_type")
register(convert_element_type_p, impl=_convert_impl,
         abstract_eval=lambda x, new_dtype, weak_type: (x.shape, new_dtype),
         weak_type=lambda w, new_dtype, weak_type: weak_type,
         jvp=_convert_jvp, transpose=_convert_transpose,
         batch=lambda vals, dims, **p: (convert_element_type_p.bind(vals[0], **p), dims[0]))


def _bitcast_abstract(x, new_dtype):
    a, b = np.dtype(x.dtype).itemsize, np.dtype(new_dtype).itemsize
    if a == b:
        return x.shape, new_dtype
    if a > b:
        return x.shape + (a // b,), new_dtype
    if not x.shape or x.shape[-1] != b // a:
        raise TypeError(f"bitcast_convert_type: {x.dtype} to {new_dtype} needs a last axis "
                        f"of size {b // a}, got shape {x.shape}")
    return x.shape[:-1], new_dtype


def _bitcast_impl(x, new_dtype):
    x = np.ascontiguousarray(x).reshape(np.shape(x))  # (ascontiguousarray makes 0-d into 1-d)
    a, b = x.dtype.itemsize, np.dtype(new_dtype).itemsize
    out = x.view(new_dtype)
    if a > b:
        return out.reshape(x.shape + (a // b,))
    if a < b:
        return out.reshape(x.shape[:-1])
    return out


bitcast_convert_type_p = Primitive("bitcast_convert_type")
register(bitcast_convert_type_p, impl=_bitcast_impl, abstract_eval=_bitcast_abstract,
         weak_type=core.never_weak,
         batch=lambda vals, dims, new_dtype: (
             bitcast_convert_type_p.bind(bdim_at_front(vals[0], dims[0], None),
                                         new_dtype=new_dtype), 0))
defzero(bitcast_convert_type_p)


stop_gradient_p = Primitive("stop_gradient")
register(stop_gradient_p, impl=lambda x: x, abstract_eval=lambda x: (x.shape, x.dtype),
         batch=lambda vals, dims: (stop_gradient_p.bind(vals[0]), dims[0]))
defzero(stop_gradient_p)
