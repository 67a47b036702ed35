"""Elementwise math as XLA:CPU computes it, for bit-exact random samplers.

JAX's samplers are compiled by XLA, and XLA:CPU does not compute transcendental
functions the way NumPy does: it inlines its own expansions (exp, log, log1p, erf,
erf_inv, lgamma), calls the C library for others (tan, sin, pow and, in float64, log
and erf), computes rsqrt from the processor's estimate refined by Newton steps, and
LLVM contracts a multiply feeding an add into one fused multiply-add.  The functions
here reproduce that arithmetic with lax operations (and the `fma`, `libm_log` and
`cpu_math` primitives), operation for operation, so samplers built on them give JAX's
bits.  The expansions were read off the LLVM IR and machine code XLA emits for JAX
0.10.2 (``XLA_FLAGS=--xla_dump_to=...``) and checked against it on millions of inputs,
special values included.  16-bit floats are computed in float32 and rounded, as XLA does.

XLA:CPU also runs with flush-to-zero and denormals-are-zero: `ftz` and `daz` apply that
where a sampler's arithmetic can reach the subnormal range.

Derivatives are those of the functions computed (custom jvp rules), not of the bit
manipulations inside the expansions.
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.lax import lax
from pyjax._src.prng import cpu_math_p, fma_p
from pyjax._src import random as _random
from pyjax._src.random import _k, _via_float32, _xla_log1p, _xla_log_f32

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _bits32(b):
    return np.array(b, np.uint32).view(np.float32)


def _bits64(b):
    return np.array(b, np.uint64).view(np.float64)


def fma(a, b, c):
    return fma_p.bind(a, b, c)


def contracts(dtype):
    """Whether XLA:CPU fuses a multiply-add in `dtype` into one fma."""
    return _random._contracts_fma(dtype)


def mad(a, b, c):
    """a * b + c as XLA:CPU computes it when the product feeds only this sum: one fma."""
    if contracts(a.dtype):
        return fma_p.bind(a, b, c)
    return lax.add(lax.mul(a, b), c)


def msub(c, a, b):
    """c - a * b, contracted like `mad`."""
    if contracts(a.dtype):
        return fma_p.bind(lax.neg(a), b, c)
    return lax.sub(c, lax.mul(a, b))


def daz(x):
    """Read subnormal inputs as (signed) zero, as XLA:CPU's arithmetic does."""
    return ftz(x)


def ftz(x):
    """Flush results below the normal range to (signed) zero, as XLA:CPU does (float32 and
    float64 arithmetic; 16-bit floats are computed in float32, where their subnormals are
    normal numbers)."""
    dt = np.dtype(x.dtype)
    if dt.itemsize < 4:
        return x
    tiny = dtypes.finfo(dt).tiny
    return lax.select(lax.lt(lax.abs(x), _k(x, tiny)), lax.mul(x, _k(x, 0.0)), x)


# ---------------------------------------------------------------------------
# exp

_EXP32_P = [0x39506967, 0x3AB743CE, 0x3C088908, 0x3D2AA9C1, 0x3E2AAAAA]


def _exp_f32(x):
    x = lax.select(lax.lt(x, _k(x, -87.8)), _k(x, -87.8), x)   # NaN passes through
    x = lax.select(lax.gt(x, _k(x, 88.8)), _k(x, 88.8), x)
    n = lax.floor(fma(x, _k(x, _bits32(0x3FB8AA3B)), _k(x, 0.5)))
    n = lax.select(lax.lt(n, _k(n, -127.0)), _k(n, -127.0), n)
    n = lax.select(lax.gt(n, _k(n, 127.0)), _k(n, 127.0), n)
    r = fma(n, _k(x, -_bits32(0x3F318000)), x)
    r = fma(n, _k(x, -_bits32(0xB95E8083)), r)
    p = fma(r, _k(r, _bits32(_EXP32_P[0])), _k(r, _bits32(_EXP32_P[1])))
    for c in _EXP32_P[2:]:
        p = fma(p, r, _k(r, _bits32(c)))
    p = fma(p, r, _k(r, 0.5))
    y = lax.add(fma(p, lax.mul(r, r), r), _k(r, 1.0))
    ni = lax.convert_element_type(lax.select(lax.ne(n, n), _k(n, 0.0), n), np.int32)
    scale = lax.bitcast_convert_type(
        lax.shift_left(lax.add(ni, _k(ni, 127)), _k(ni, 23)), np.float32)
    return ftz(lax.mul(y, scale))


_EXP64_LO, _EXP64_HI = _bits64(0xC086232BDD7ABCD2), _bits64(0x40862E42FEFA39EF)


def _exp_f64(x0):
    x = lax.select(lax.gt(x0, _k(x0, _EXP64_HI)), _k(x0, _EXP64_HI), x0)
    x = lax.select(lax.lt(x, _k(x, _EXP64_LO)), _k(x, _EXP64_LO), x)
    n = lax.floor(fma(x, _k(x, _bits64(0x3FF71547652B82FE)), _k(x, 0.5)))
    g = fma(n, _k(x, -_bits64(0x3FE62E4000000000)), x)
    g = fma(n, _k(x, -_bits64(0x3EB7F7D1CF79ABCA)), g)
    gs = lax.mul(g, g)
    p = fma(gs, _k(g, _bits64(0x3F2089CDD5E44BE8)), _k(g, _bits64(0x3F9F06D10CCA2C7E)))
    p = lax.mul(fma(p, gs, _k(g, 1.0)), g)
    q = fma(gs, _k(g, _bits64(0x3EC92EB6BC365FA0)), _k(g, _bits64(0x3F64AE39B508B6C0)))
    q = fma(q, gs, _k(g, _bits64(0x3FCD17099887E074)))
    q = fma(q, gs, _k(g, 2.0))
    y = fma(lax.div(p, lax.sub(q, p)), _k(g, 2.0), _k(g, 1.0))
    ni = lax.convert_element_type(lax.select(lax.ne(n, n), _k(n, 0.0), n), np.int32)
    ni = lax.clamp(_k(ni, -2099), ni, _k(ni, 2099))
    ni = lax.convert_element_type(ni, np.int64)
    b = lax.shift_right_arithmetic(ni, _k(ni, 2))
    one = _k(ni, 0x3FF0000000000000)
    s1 = lax.bitcast_convert_type(lax.add(lax.shift_left(b, _k(b, 52)), one), np.float64)
    e2 = lax.sub(ni, lax.mul(b, _k(b, 3)))
    s2 = lax.bitcast_convert_type(lax.add(lax.shift_left(e2, _k(e2, 52)), one), np.float64)
    y = lax.mul(lax.mul(lax.mul(lax.mul(y, s1), s1), s1), s2)
    y = ftz(y)
    y = lax.select(lax.lt(x0, _k(x0, _EXP64_LO)), _k(y, 0.0), y)
    return lax.select(lax.gt(x0, _k(x0, _EXP64_HI)), _k(y, np.inf), y)


def _xla_exp(x):
    """exp(x) as XLA:CPU computes it (float32: a degree-7 polynomial after range reduction;
    float64: a Pade approximant; 16-bit floats in float32)."""
    if np.dtype(x.dtype) == _F64:
        return _exp_f64(x)
    return _via_float32(_exp_f32, x)


# ---------------------------------------------------------------------------
# log, log1p, erf_inv (random.py), erf

def _xla_log1p_any(x):
    """log1p(x) as XLA:CPU computes it."""
    if np.dtype(x.dtype) == _F64:
        return _xla_log1p(daz(x))
    return _via_float32(lambda v: _xla_log1p(daz(v)), x)


_ERF32_NUM = [0x39702D51, 0x3B5F5DA2, 0x3D50B6EB, 0x3E3DA740, 0x3F906EBA]
_ERF32_DEN = [0xB3FD3906, 0x37C588DF, 0x3A856D28, 0x3C6687D4, 0x3DE34C21, 0x3EFEB44A]


def _erf_f32(x):
    x = daz(x)
    x2 = lax.mul(x, x)
    p = fma(x2, _k(x, _bits32(_ERF32_NUM[0])), _k(x, _bits32(_ERF32_NUM[1])))
    for c in _ERF32_NUM[2:]:
        p = fma(x2, p, _k(x, _bits32(c)))
    q = fma(x2, _k(x, _bits32(_ERF32_DEN[0])), _k(x, _bits32(_ERF32_DEN[1])))
    for c in _ERF32_DEN[2:]:
        q = fma(x2, q, _k(x, _bits32(c)))
    q = fma(x2, q, _k(x, 1.0))
    r = lax.div(lax.mul(x, p), q)
    sign = lax.select(lax.lt(x, _k(x, 0.0)), _k(x, -1.0), _k(x, 1.0))  # copysign(1, x)
    return lax.select(lax.ge(lax.abs(x), _k(x, _bits32(0x407547CB))), sign, r)


def _xla_erf(x):
    """erf(x) as XLA:CPU computes it (float32: a rational approximation; float64: libm)."""
    if np.dtype(x.dtype) == _F64:
        return cpu_math_p.bind(x, fn="erf")
    return _via_float32(_erf_f32, x)


# ---------------------------------------------------------------------------
# libm calls


def xla_tan(x):
    return _via_float32(lambda v: cpu_math_p.bind(v, fn="tan"), x) if np.dtype(x.dtype) != _F64 \
        else cpu_math_p.bind(x, fn="tan")


def xla_sin(x):
    return _via_float32(lambda v: cpu_math_p.bind(v, fn="sin"), x) if np.dtype(x.dtype) != _F64 \
        else cpu_math_p.bind(x, fn="sin")


def xla_rsqrt(x):
    """1/sqrt(x) as XLA:CPU computes it (the processor's estimate refined by Newton steps);
    XLA rewrites a / sqrt(b) into a * rsqrt(b)."""
    if np.dtype(x.dtype) == _F64:
        return cpu_math_p.bind(x, fn="rsqrt")
    return _via_float32(lambda v: cpu_math_p.bind(v, fn="rsqrt"), x)


def xla_pow(x, y):
    """x ** y (floats of one dtype and shape) by the C library's pow, as XLA:CPU calls it."""
    dt = np.dtype(x.dtype)
    if dt in (_F32, _F64):
        return cpu_math_p.bind(x, y, fn="pow")
    f32 = np.float32
    out = cpu_math_p.bind(lax.convert_element_type(x, f32), lax.convert_element_type(y, f32), fn="pow")
    return lax.convert_element_type(out, dt)


# ---------------------------------------------------------------------------
# lgamma (Lanczos approximation, XLA's Lgamma in float32)

_LANCZOS32 = [(0x4429214E, 1), (0x449D6474, -1), (0x4440D4B3, 1), (0x43309D73, -1),
              (0x41481E14, 1), (0x3E0DE595, -1), (0x3727828A, 1), (0x3421AA84, 1)]


def _lgamma_f32(x):
    need_reflect = lax.lt(x, _k(x, 0.5))
    z = lax.select(need_reflect, lax.neg(x), lax.add(x, _k(x, -1.0)))
    acc = None
    for i, (c, sign) in enumerate(_LANCZOS32):
        term = lax.div(_k(z, _bits32(c)), lax.add(z, _k(z, float(i + 1))))
        if acc is None:
            acc = lax.add(term, _k(z, 1.0))
        elif sign > 0:
            acc = lax.add(acc, term)
        else:
            acc = lax.sub(acc, term)
    t = lax.add(z, _k(z, 7.5))
    log_t = lax.add(_xla_log1p(lax.mul(z, _k(z, _bits32(0x3E088889)))), _k(z, _bits32(0x4000F42C)))
    w = lax.sub(lax.add(z, _k(z, 0.5)), lax.div(t, log_t))
    log_y = lax.add(fma(log_t, w, _k(z, _bits32(0x3F6B3F8E))), _xla_log_f32(acc))
    ax = lax.abs(x)
    frac = lax.sub(ax, lax.floor(ax))
    frac = lax.select(lax.gt(frac, _k(x, 0.5)), lax.sub(_k(x, 1.0), frac), frac)
    denom = _xla_log_f32(cpu_math_p.bind(lax.mul(frac, _k(x, _bits32(0x40490FDB))), fn="sin"))
    reflection = lax.select(lax.is_finite(denom),
                            lax.sub(lax.sub(_k(x, _bits32(0x3F928682)), denom), log_y),
                            lax.neg(denom))
    out = lax.select(need_reflect, reflection, log_y)
    return lax.select(lax.eq(ax, _k(x, np.inf)), _k(x, np.inf), out)


def _xla_lgamma_f32(x):
    """lgamma(x) for float32 as XLA:CPU computes it (Lanczos, g = 7, 8 terms)."""
    return _lgamma_f32(x)


# ---------------------------------------------------------------------------
# Derivatives: the expansions above are differentiated as the functions they compute
# (not through their bit manipulations), with custom jvp rules.


def _with_derivative(impl, derivative, name):
    from pyjax._src.custom_derivatives import custom_jvp
    f = custom_jvp(impl)

    def jvp(primals, tangents):
        x, = primals
        t, = tangents
        y = impl(x)
        return y, lax.mul(t, derivative(x, y))

    f.defjvp(jvp)
    f.__name__ = f.__qualname__ = name
    return f


def _one(x):
    return _k(x, 1.0)


xla_exp = _with_derivative(_xla_exp, lambda x, y: y, "xla_exp")
xla_log = _with_derivative(_random.xla_log, lambda x, y: lax.div(_one(x), x), "xla_log")
xla_log1p = _with_derivative(_xla_log1p_any, lambda x, y: lax.div(_one(x), lax.add(_one(x), x)),
                             "xla_log1p")
xla_erf = _with_derivative(
    _xla_erf, lambda x, y: lax.mul(_k(x, 2 / np.sqrt(np.pi)), lax.exp(lax.neg(lax.mul(x, x)))),
    "xla_erf")
xla_erf_inv = _with_derivative(
    _random.xla_erf_inv, lambda x, y: lax.mul(_k(y, np.sqrt(np.pi) / 2), lax.exp(lax.mul(y, y))),
    "xla_erf_inv")
xla_lgamma_f32 = _with_derivative(_xla_lgamma_f32, lambda x, y: lax.digamma(x), "xla_lgamma_f32")

# The same without custom derivative rules, for values no derivative flows through (samples
# drawn from a key alone, rejection loops under the gamma sampler's own rule): cheaper to
# trace, since a custom_jvp function stages a sub-jaxpr at every call under a transformation.
exp_raw, log_raw, log1p_raw = _xla_exp, _random.xla_log, _xla_log1p_any
erf_inv_raw, lgamma_f32_raw = _random.xla_erf_inv, _xla_lgamma_f32


__all__ = ["xla_exp", "xla_log", "xla_log1p", "xla_erf", "xla_erf_inv", "xla_tan", "xla_sin",
           "xla_pow", "xla_rsqrt", "xla_lgamma_f32", "fma", "mad", "msub", "ftz", "contracts"]
