"""pyjax.random's distributions beyond uniform/normal/randint/bernoulli/permutation/choice.

Each sampler follows JAX 0.10.2's algorithm operation for operation (the same keys
split the same way, the same uniform draws, the same arithmetic), written with lax
operations only, so it traces under jit, batches under vmap (over keys or parameters)
and differentiates where JAX's does.  The floating-point arithmetic is the one XLA:CPU
performs for JAX: transcendental functions come from `random_math` (XLA's expansions
and the C library's functions) and a multiply feeding an add is one fused
multiply-add where LLVM contracts it in JAX's compiled sampler (`mad`/`msub`).
The result is JAX's bits; where that is out of reach (linear algebra), the function's
docstring says so.

Bit-exact with JAX 0.10.2 on XLA:CPU, for float32, float64, float16 and bfloat16,
partitionable or not (checked against live JAX on x86-64 with AVX2 and FMA, AMD; earlier
against stored bits from an Intel x86-64 with AVX-512, before pyjax followed the
processor-dependent parts -- float16 contraction, the rsqrt refinement -- per machine): exponential, laplace, logistic, cauchy, gumbel (all modes), categorical, rayleigh,
pareto, weibull_min, lognormal, maxwell, double_sided_maxwell, rademacher, geometric,
triangular, wald, truncated_normal, gamma, loggamma, beta, dirichlet, chisquare, f, t,
generalized_normal, ball, poisson, binomial, multinomial.  Their gradients agree with
jax.grad to rounding, except that the gamma family's implicit derivative
(`random_gamma_grad`) uses lax.lgamma/digamma, which pyjax computes differently from XLA
(about 1e-5 relative in float32).  orthogonal and multivariate_normal: see random_linalg.

What "JAX's arithmetic" takes beyond the algorithms, found by reading the HLO that XLA
optimises JAX's samplers into:
* XLA's algebraic simplifier rewrites some expressions, and the rewrite depends on shapes:
  ``x / broadcast(y)`` becomes ``x * broadcast(1 / y)``, ``a / sqrt(b)`` becomes
  ``a * rsqrt(b)``, ``a / pow(b, c)`` becomes ``a * pow(b, -c)``, ``(a / b) / (c / d)``
  becomes ``(a * d) / (b * c)``, products of scalar constants are regrouped in rank-0
  computations, and ``(x * c) * broadcast(y)`` becomes ``x * broadcast(y * c)``;
* bfloat16 operations are computed in float32 and rounded, which blocks most of those
  rewrites, and XLA drops the bfloat16 round trip in front of float32 accumulations;
* sums of more than 32 terms are split into windows of 32 (XLA:CPU's tree reduction);
* what depends on the processor follows the one pyjax runs on, as XLA compiles for it:
  float16 multiply-adds are contracted only with native float16 arithmetic (AVX512-FP16),
  and rsqrt refines the processor's estimate with one Newton step on AMD, two elsewhere
  (prng.py).
The samplers below apply the same rewrites where JAX's programs have them.
"""
import functools
import math
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.config import config
from pyjax._src.lax import lax
from pyjax._src.lax import control_flow as cf
from pyjax._src.lax.sorting import sort_p
from pyjax._src.random import (
    _bits_raw, _broadcast_to, _c, _canonical_shape, _check_key, _check_shape, _dtype_arg,
    _normal_real, _split_raw, _uniform_raw, _word, bernoulli)
from pyjax._src.random_math import erf_inv_raw as _erf_inv
from pyjax._src.random_math import exp_raw as _exp
from pyjax._src.random_math import lgamma_f32_raw as _lgamma_f32
from pyjax._src.random_math import log1p_raw as _log1p
from pyjax._src.random_math import log_raw as _log
from pyjax._src.random_math import (
    ftz, mad, msub, xla_erf, xla_erf_inv, xla_exp, xla_pow, xla_rsqrt, xla_tan)

# ---------------------------------------------------------------------------
# Argument handling, as JAX's samplers do it


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def _float_dtype(name, dtype, kinds=np.floating, what="float"):
    dt = _dtype_arg(dtype, float)
    if not dtypes.issubdtype(dt, kinds):
        raise ValueError(f"dtype argument to `{name}` must be a {what} dtype, got {dt}")
    return dt


def _check_broadcast_shapes(name, shape, *args):
    arg_shapes = [_shape_of(a) for a in args]
    if shape is None:
        return tuple(np.broadcast_shapes(*arg_shapes)) if arg_shapes else ()
    shape = _canonical_shape(shape, name)
    _check_shape(name, shape, *arg_shapes)
    return shape


def _safe_to_cast(x, dtype):
    in_dt = dtypes.dtype(x, canonicalize=True)
    if np.dtype(in_dt) == np.dtype(dtype):
        return True
    return np.dtype(dtypes.result_type(x, dtype)) == np.dtype(dtype)


def _check_all_safe_to_cast(name, dtype, *args):
    for a in args:
        if not _safe_to_cast(a, dtype):
            raise dtypes.TypePromotionError(
                f"In arguments to {name}, cannot safely cast argument of type "
                f"{np.dtype(dtypes.dtype(a, canonicalize=True))} to {np.dtype(dtype)}")


def _check_arraylike(name, *args):
    for a in args:
        if not (isinstance(a, (core.Array, np.ndarray, np.generic))
                or type(a) in (int, float, bool, complex)):
            raise TypeError(f"{name} requires ndarray or scalar arguments, got "
                            f"{type(a).__name__} at position 0.")


def _convert(x, dtype):
    """lax.convert_element_type(x, dtype) for arrays and Python scalars."""
    return lax.convert_element_type(lax.asarray(x), dtype)


def _promote_inexact(*args):
    """JAX's promote_dtypes_inexact: a common inexact dtype, weak types respected."""
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    dt = dtypes.to_inexact_dtype(dt)
    dt = dtypes.canonicalize_dtype(dt)
    return [lax.convert_element_type(lax.asarray(a), dt, weak_type=weak) for a in args]


def _promote(*args):
    """Operands converted to their JAX result type (the jnp operator rules)."""
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [lax.convert_element_type(lax.asarray(a), dt, weak_type=weak) for a in args]


def _no_sharding(name, out_sharding):
    if out_sharding is not None:
        raise NotImplementedError(f"{name}: out_sharding (pyjax has no sharding)")


def _isnan(x):
    return lax.ne(x, x)


def _split(k, n=2):
    """Raw keys: `n` subkeys of raw key `k`."""
    s = _split_raw(k, (n,))
    return [_word(s, i) for i in range(n)]


def _uniform(k, shape, dtype, minval=0., maxval=1.):
    """JAX's uniform called inside a sampler with constant bounds.  XLA folds the constants:
    when maxval - minval rounds to 1, ``(f - 1) * 1 + minval`` becomes ``f + (minval - 1)``
    (f the [1, 2) float made of the random bits), which differs from adding minval to
    ``f - 1`` when minval is not negligible (16-bit floats)."""
    dt = np.dtype(dtype)
    if not isinstance(minval, core.Array) and not isinstance(maxval, core.Array):
        lo = np.array(minval, dt)
        hi = np.array(maxval, dt)
        with np.errstate(all="ignore"):
            scale = (hi - lo).astype(dt)
        if scale == 1 and lo != 0:
            return _uniform_plus_const(k, tuple(shape), dt, lo)
    return _uniform_raw(k, tuple(shape), dt, minval, maxval)


def _uniform_plus_const(k, shape, dt, lo):
    finfo = dtypes.finfo(dt)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = nbits if nmant >= 8 else 8
    b = _bits_raw(k, rng_bits, shape)
    uint_dtype = np.dtype(f"uint{nbits}")
    if rng_bits != nbits:
        b = lax.convert_element_type(b, uint_dtype)
    one_bits = int(np.array(1.0, dt).view(uint_dtype))
    float_bits = lax.bitwise_or(lax.shift_right_logical(b, _c(b, rng_bits - nmant)), _c(b, one_bits))
    f = lax.bitcast_convert_type(float_bits, dt)
    c = (np.array(-1, dt) + lo).astype(dt)
    v = lax.add(f, lax.full(shape, c, dt))
    return lax.max(lax.full(shape, lo, dt), v)


def _normal(k, shape, dtype):
    return _normal_real(k, tuple(shape), np.dtype(dtype))


def _normal_erf_inv(k, shape, dtype):
    """erf_inv(u) of JAX's normal sampler: normal(k) == sqrt(2) * this."""
    from pyjax._src.random import _next_toward_zero
    dt = np.dtype(dtype)
    lo = _next_toward_zero(-1.0, dt)
    u = _uniform_raw(k, tuple(shape), dt, lax.asarray(lo), lax.asarray(np.array(1.0, dt)))
    return _erf_inv(u)


def _reciprocal(y):
    return lax.div(_const(y, 1), y)


def _is_bf16(dt):
    return np.dtype(dt) == np.dtype(dtypes.bfloat16)


def _div_by(x, y, shape):
    """x / y broadcast to `shape`, as XLA computes it: a divisor that is broadcast (or a
    constant) becomes a multiplication by its reciprocal.  (bfloat16 arithmetic is done in
    float32 with every result rounded; the reciprocal XLA creates stays float32.)"""
    if tuple(y.shape) != tuple(shape):
        if _is_bf16(x.dtype):
            f32 = np.float32
            r = _reciprocal(lax.convert_element_type(y, f32))
            prod = lax.mul(lax.convert_element_type(_broadcast_to(x, shape), f32),
                           _broadcast_to(r, shape))
            return lax.convert_element_type(prod, x.dtype)
        return lax.mul(_broadcast_to(x, shape), _broadcast_to(_reciprocal(y), shape))
    return lax.div(_broadcast_to(x, shape), y)


def _const(like, v):
    return lax.full_like(like, np.array(v, np.dtype(like.dtype)))


def _flag(name, default):
    try:
        return config.read(name)
    except (KeyError, AttributeError):
        return default


# ---------------------------------------------------------------------------
# Simple transforms of uniform and normal samples


def exponential(key, shape=(), dtype=None, *, out_sharding=None):
    """Standard exponential samples: -log1p(-u)."""
    _no_sharding("exponential", out_sharding)
    k, _ = _check_key("exponential", key)
    dt = _float_dtype("exponential", dtype)
    shape = _canonical_shape(shape, "exponential")
    return _exponential(k, shape, dt)


def _exponential(k, shape, dt):
    u = _uniform(k, shape, dt)
    return lax.neg(_log1p(lax.neg(u)))


def laplace(key, shape=(), dtype=None, *, out_sharding=None):
    """Standard Laplace samples: sign(u) * log1p(-|u|), u uniform in (-1, 1)."""
    _no_sharding("laplace", out_sharding)
    k, _ = _check_key("laplace", key)
    dt = _float_dtype("laplace", dtype)
    shape = _canonical_shape(shape, "laplace")
    u = _uniform(k, shape, dt, -1. + dtypes.finfo(dt).epsneg, 1.)
    return lax.mul(lax.sign(u), _log1p(lax.neg(lax.abs(u))))


def logistic(key, shape=(), dtype=None, *, out_sharding=None):
    """Standard logistic samples: log(u) - log1p(-u)."""
    _no_sharding("logistic", out_sharding)
    k, _ = _check_key("logistic", key)
    dt = _float_dtype("logistic", dtype)
    shape = _canonical_shape(shape, "logistic")
    x = _uniform(k, shape, dt, dtypes.finfo(dt).tiny, 1.)
    return lax.sub(_log(x), _log1p(lax.neg(x)))


def cauchy(key, shape=(), dtype=None, *, out_sharding=None):
    """Standard Cauchy samples: tan(pi * (u - 1/2))."""
    _no_sharding("cauchy", out_sharding)
    k, _ = _check_key("cauchy", key)
    dt = _float_dtype("cauchy", dtype)
    shape = _canonical_shape(shape, "cauchy")
    u = _uniform(k, shape, dt, dtypes.finfo(dt).eps, 1.)
    return xla_tan(lax.mul(_const(u, np.pi), lax.sub(u, _const(u, 0.5))))


def rayleigh(key, scale, shape=None, dtype=None, *, out_sharding=None):
    """Rayleigh samples: scale * sqrt(-2 log u)."""
    _no_sharding("rayleigh", out_sharding)
    k, _ = _check_key("rayleigh", key)
    dt = _float_dtype("rayleigh", dtype)
    shape = _check_broadcast_shapes("rayleigh", shape, scale)
    _check_all_safe_to_cast("rayleigh", dt, scale)
    u = _uniform(k, shape, dt)
    scale = _broadcast_to(_convert(scale, dt), shape)
    sqrt_u = lax.sqrt(lax.mul(_log(u), _const(u, -2)))
    return lax.mul(scale, sqrt_u)


def pareto(key, b, shape=None, dtype=None, *, out_sharding=None):
    """Pareto samples: exp(e / b), e standard exponential."""
    _no_sharding("pareto", out_sharding)
    k, _ = _check_key("pareto", key)
    dt = _float_dtype("pareto", dtype)
    shape = _check_broadcast_shapes("pareto", shape, b)
    _check_all_safe_to_cast("pareto", dt, b)
    b = _convert(b, dt)
    e = _exponential(k, shape, dt)
    return xla_exp(_div_by(e, b, shape))


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull samples: (-log1p(-u)) ** (1 / concentration) * scale."""
    k, _ = _check_key("weibull_min", key)
    dt = _float_dtype("weibull_min", dtype)
    shape = _canonical_shape(shape, "weibull_min")
    u = _uniform(k, shape, dt)
    x = lax.neg(_log1p(lax.neg(u)))
    one, conc = _promote(1.0, concentration)
    inv = lax.div(one, conc)
    x, inv = _promote(x, inv)
    x, inv = _broadcast_pair(x, inv)
    p = xla_pow(x, inv)
    p, scale = _promote(p, scale)
    p, scale = _broadcast_pair(p, scale)
    return lax.mul(p, scale)


def _broadcast_pair(*xs):
    shape = tuple(np.broadcast_shapes(*[tuple(x.shape) for x in xs]))
    return [_broadcast_to(x, shape) for x in xs]


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None, *, out_sharding=None):
    """Log-normal samples: exp(sigma * n)."""
    _no_sharding("lognormal", out_sharding)
    k, _ = _check_key("lognormal", key)
    dt = _dtype_arg(dtype, float)
    if not dtypes.issubdtype(dt, np.inexact):
        raise ValueError(f"dtype argument to `lognormal` must be a float or complex dtype, "
                         f"got {dt}")
    shape = _check_broadcast_shapes("lognormal", shape, sigma)
    _check_all_safe_to_cast("lognormal", dt, sigma)
    sigma = _convert(sigma, dt)
    if dtypes.issubdtype(dt, np.complexfloating):
        from pyjax._src.random import normal
        return lax.exp(lax.mul(normal(k, shape, dt), _broadcast_to(sigma, shape)))
    e = _normal_erf_inv(k, shape, dt)
    sqrt2 = _const(e, np.sqrt(2))
    if tuple(sigma.shape) != tuple(shape) and not _is_bf16(dt):
        # XLA: (e * sqrt2) * broadcast(sigma) -> e * broadcast(sigma * sqrt2)
        return xla_exp(lax.mul(e, _broadcast_to(lax.mul(sigma, _const(sigma, np.sqrt(2))), shape)))
    return xla_exp(lax.mul(lax.mul(sqrt2, e), sigma))


def rademacher(key, shape=(), dtype=None, *, out_sharding=None):
    """Random signs, -1 or +1 (integers by default)."""
    _no_sharding("rademacher", out_sharding)
    k, _ = _check_key("rademacher", key)
    dt = _dtype_arg(dtype, int)
    shape = _canonical_shape(shape, "rademacher")
    return _rademacher(k, shape, dt)


def _rademacher(k, shape, dt):
    b = bernoulli(k, 0.5, shape)
    b = lax.convert_element_type(b, dt)
    return lax.convert_element_type(lax.sub(lax.mul(_const(b, 2), b), _const(b, 1)), dt)


def maxwell(key, shape=(), dtype=None, *, out_sharding=None):
    """Maxwell samples: the norm of three standard normals."""
    _no_sharding("maxwell", out_sharding)
    k, _ = _check_key("maxwell", key)
    dt = _float_dtype("maxwell", dtype)
    shape = _canonical_shape(shape, "maxwell")
    return _maxwell(k, shape, dt)


def _maxwell(k, shape, dt):
    n = _normal(k, tuple(shape) + (3,), dt)
    return lax.sqrt(_sum_of_squares_last(n))


def _sum_of_squares_last(x):
    """sum(x * x, axis=-1) as XLA:CPU's reduction loop computes it: ((x0² + x1²) + x2²) + ...
    with each product contracted into its sum.  In float32 LLVM unrolls maxwell's loop and
    drops the initial 0, so the first sum contracts x0² (its first operand); in float64 the
    loop stays, starting from acc = 0 (fma(x0, x0, 0) = x0²)."""
    m = x.shape[-1]
    xs = [lax.index_in_dim(x, i, axis=x.ndim - 1, keepdims=False) for i in range(m)]
    dt = np.dtype(x.dtype)
    if dt.itemsize < 4:
        # jnp.sum accumulates 16-bit floats in float32: squares rounded to float16 (XLA drops
        # the rounding of bfloat16 squares, which are exact in float32), summed in float32
        acc = None
        for xi in xs:
            if _is_bf16(dt):
                x32 = lax.convert_element_type(xi, np.float32)
                sq = lax.mul(x32, x32)
            else:
                sq = lax.convert_element_type(lax.mul(xi, xi), np.float32)
            acc = sq if acc is None else lax.add(acc, sq)
        return lax.convert_element_type(acc, dt)
    if m == 1 or dt == np.float64:
        acc = lax.mul(xs[0], xs[0])
        for xi in xs[1:]:
            acc = mad(xi, xi, acc)
        return acc
    acc = mad(xs[0], xs[0], lax.mul(xs[1], xs[1]))
    for xi in xs[2:]:
        acc = mad(xi, xi, acc)
    return acc


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Double-sided Maxwell samples: a random sign times a Maxwell sample, scaled and shifted."""
    k, _ = _check_key("double_sided_maxwell", key)
    dt = _float_dtype("double_sided_maxwell", dtype)
    shape = _canonical_shape(shape, "double_sided_maxwell")
    params_shapes = tuple(np.broadcast_shapes(_shape_of(loc), _shape_of(scale)))
    if not shape:
        shape = params_shapes
    shape = tuple(shape) + params_shapes
    maxwell_key, rademacher_key = _split(k)
    m = _maxwell(maxwell_key, shape, dt)
    sign = _rademacher(rademacher_key, shape, dt)
    x, scale = _promote(lax.mul(sign, m), scale)
    x, scale = _broadcast_pair(x, scale)
    x_dt = np.dtype(x.dtype)
    _, loc2 = _promote(lax.full((), 0, x_dt), loc)
    if np.dtype(loc2.dtype) == x_dt:   # the product feeds the sum: one fma
        x, loc2 = _broadcast_pair(x, loc2)
        return mad(x, _broadcast_to(scale, x.shape), loc2)
    prod, loc = _promote(lax.mul(x, scale), loc)
    prod, loc = _broadcast_pair(prod, loc)
    return lax.add(prod, loc)


def geometric(key, p, shape=None, dtype=None, *, out_sharding=None):
    """Geometric samples (number of trials to the first success), integers."""
    _no_sharding("geometric", out_sharding)
    k, _ = _check_key("geometric", key)
    dt = _dtype_arg(dtype, int)
    if not dtypes.issubdtype(dt, np.integer):
        raise ValueError(f"dtype argument to `geometric` must be an int dtype, got {dt}")
    shape = _check_broadcast_shapes("geometric", shape, p)
    _check_arraylike("geometric", p)
    p, = _promote_inexact(p)
    pdt = np.dtype(p.dtype)
    u = _uniform(k, shape, pdt)
    u = lax.select(lax.eq(u, _const(u, 0)), _const(u, 1), u)
    log_u = _log(u)
    log_one_minus_p = _broadcast_to(_log1p(lax.neg(p)), shape)
    g = lax.add(lax.floor(lax.div(log_u, log_one_minus_p)), _const(log_u, 1))
    return lax.convert_element_type(g, dt)


def triangular(key, left, mode, right, shape=None, dtype=None, *, out_sharding=None):
    """Triangular samples on [left, right] with the given mode (inverse CDF)."""
    _no_sharding("triangular", out_sharding)
    k, _ = _check_key("triangular", key)
    dt = _float_dtype("triangular", dtype)
    shape = _check_broadcast_shapes("triangular", shape, left, mode, right)
    _check_all_safe_to_cast("triangular", dt, left, mode, right)
    left = _broadcast_to(_convert(left, dt), shape)
    right = _broadcast_to(_convert(right, dt), shape)
    mode = _broadcast_to(_convert(mode, dt), shape)
    fc = lax.div(lax.sub(mode, left), lax.sub(right, left))
    u = _uniform(k, shape, dt)
    out1 = lax.add(left, lax.sqrt(lax.mul(lax.mul(u, lax.sub(right, left)), lax.sub(mode, left))))
    out2 = lax.sub(right, lax.sqrt(lax.mul(lax.mul(lax.sub(_const(u, 1), u), lax.sub(right, left)),
                                           lax.sub(right, mode))))
    return lax.select(lax.lt(u, fc), out1, out2)


def wald(key, mean, shape=None, dtype=None, *, out_sharding=None):
    """Wald (inverse Gaussian) samples with the given mean and unit shape."""
    _no_sharding("wald", out_sharding)
    k, _ = _check_key("wald", key)
    dt = _float_dtype("wald", dtype)
    shape = _check_broadcast_shapes("wald", shape, mean)
    _check_all_safe_to_cast("wald", dt, mean)
    k1, k2 = _split(k)
    mean = _broadcast_to(_convert(mean, dt), shape)
    z = _uniform(k2, shape, dt)
    mean_sq = lax.mul(mean, mean)
    if shape == () and not _is_bf16(dt):
        # Rank-0 arithmetic: XLA regroups products of scalar constants,
        # (e c)(e c) -> (e e)(c c) with v = e * sqrt(2), and folds the constants.
        e = _normal_erf_inv(k1, shape, dt)
        c2 = np.array(np.sqrt(2), dt) * np.array(np.sqrt(2), dt)
        ee = lax.mul(e, e)
        y = lax.mul(ee, _const(ee, c2))
        y_sq_term = lax.mul(mean_sq, lax.mul(lax.mul(ee, ee), _const(ee, c2 * c2)))
        sqrt_term = lax.sqrt(mad(lax.mul(mean, ee), _const(ee, np.array(4, dt) * c2), y_sq_term))
    else:
        v = _normal(k1, shape, dt)
        y = lax.mul(v, v)
        y_sq = lax.mul(y, y)
        sqrt_term = lax.sqrt(mad(lax.mul(_const(mean, 4), mean), y, lax.mul(mean_sq, y_sq)))
    x = mad(lax.mul(mean_sq, y), _const(y, 0.5), mean)
    x = msub(x, lax.mul(mean, _const(mean, 0.5)), sqrt_term)
    return lax.select(lax.le(z, lax.div(mean, lax.add(mean, x))), x, lax.div(mean_sq, x))


# ---------------------------------------------------------------------------
# truncated_normal


def truncated_normal(key, lower, upper, shape=None, dtype=None, *, out_sharding=None):
    """Standard normal samples truncated to the open interval (lower, upper)."""
    _no_sharding("truncated_normal", out_sharding)
    if shape is not None:
        shape = _canonical_shape(shape, "truncated_normal")
    k, _ = _check_key("truncated_normal", key)
    dt = _float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = tuple(np.broadcast_shapes(_shape_of(lower), _shape_of(upper)))
    else:
        _check_shape("truncated_normal", shape, _shape_of(lower), _shape_of(upper))
    sqrt2 = np.array(np.sqrt(2), dt)
    lower = _convert(lower, dt)
    upper = _convert(upper, dt)
    inv_sqrt2 = np.array(1, dt) / sqrt2      # XLA: x / C -> x * (1 / C)
    a = xla_erf(lax.mul(lower, _const(lower, inv_sqrt2)))
    b = xla_erf(lax.mul(upper, _const(upper, inv_sqrt2)))
    u = _uniform_raw(k, shape, dt, a, b)
    out = lax.mul(_const(u, sqrt2), xla_erf_inv(u))
    lo = lax.nextafter(lax.stop_gradient(lower), _const(lower, np.inf))
    hi = lax.nextafter(lax.stop_gradient(upper), _const(upper, -np.inf))
    lo, hi = _broadcast_to(lo, shape), _broadcast_to(hi, shape)
    return lax.min(lax.max(out, lo), hi)


# ---------------------------------------------------------------------------
# gumbel and categorical


def gumbel(key, shape=(), dtype=None, mode=None, *, out_sharding=None):
    """Standard Gumbel samples, -log(-log(u)).

    mode 'low' (default) draws u uniform in [tiny, 1); 'high' draws it with twice the bits
    (accurate far into the tails); 'highest' (float32) with 64 bits."""
    _no_sharding("gumbel", out_sharding)
    k, _ = _check_key("gumbel", key)
    dt = _float_dtype("gumbel", dtype)
    shape = _canonical_shape(shape, "gumbel")
    if mode is None:
        mode = "high" if _flag("jax_use_high_dynamic_range_gumbel", False) else "low"
    if mode not in ("highest", "high", "low"):
        raise ValueError("Must provide valid mode for gumbel got: %s" % mode)
    return _gumbel(k, shape, dt, mode)


def _gumbel(k, shape, dt, mode):
    info = dtypes.finfo(dt)
    if dt == np.float32 and mode == "highest":
        return _gumbel_highest_f32(k, shape)
    if mode in ("high", "highest"):
        u = _uniform(k, (2,) + tuple(shape), dt)
        high = lax.index_in_dim(u, 0, keepdims=False)
        low = lax.index_in_dim(u, 1, keepdims=False)
        x = lax.add(mad(_const(low, 2. ** -info.nmant), low, high), _const(high, info.tiny))
        x = lax.select(lax.ge(high, _const(high, 0.5)), high, x)
        return lax.neg(_log(lax.neg(_log1p(lax.neg(x)))))
    u = _uniform(k, shape, dt, info.tiny, 1.)
    return lax.neg(_log(lax.neg(_log(u))))


def _safe_int_to_float(hi, lo):
    """JAX's exact conversion of the 64-bit fixed-point fraction (hi, lo) to float32."""
    hiclz = lax.clz(hi)
    loclz = lax.clz(lo)
    c32 = _const(hi, 32)
    shifted_lo = lax.select(lax.eq(hiclz, c32), lax.shift_left(lo, loclz),
                            lax.shift_right_logical(lo, lax.sub(c32, hiclz)))
    mantissa = lax.bitwise_or(lax.shift_left(hi, hiclz), shifted_lo)
    mantissa = lax.shift_right_logical(mantissa, _const(hi, 32 - 23 - 1))
    mantissa = lax.bitwise_and(mantissa, _const(hi, (1 << 23) - 1))
    lead = lax.select(lax.eq(hiclz, c32), lax.add(c32, loclz), hiclz)
    exp = lax.shift_left(lax.sub(_const(hi, 126), lead), _const(hi, 23))
    exp = lax.bitwise_and(exp, _const(hi, (1 << 30) - (1 << 22)))
    return lax.bitcast_convert_type(lax.bitwise_or(exp, mantissa), np.float32)


def _gumbel_highest_f32(k, shape):
    b = _bits_raw(k, 32, (2,) + tuple(shape))
    neg = lax.bitwise_not(b)
    b0 = lax.index_in_dim(b, 0, keepdims=False)
    b1 = lax.index_in_dim(b, 1, keepdims=False)
    n0 = lax.index_in_dim(neg, 0, keepdims=False)
    n1 = lax.index_in_dim(neg, 1, keepdims=False)
    # 1 - bits as a 64-bit fixed-point number
    carry = lax.convert_element_type(lax.eq(n1, _const(n1, 0xFFFFFFFF)), np.uint32)
    n0 = lax.add(n0, carry)
    n1 = lax.add(n1, _const(n1, 1))
    flip = lax.lt(b0, _const(b0, 1 << 31))
    x = _safe_int_to_float(lax.select(flip, b0, n0), lax.select(flip, b1, n1))
    return lax.select(flip, lax.neg(_log(lax.neg(_log1p(lax.neg(x))))),
                      lax.neg(_log(lax.neg(_log(x)))))


def _argmax(x, axis):
    """jnp.argmax: the first maximal index (NaN counts as maximal)."""
    return lax.argmax(x, axis, dtypes.default_int_dtype())


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None, *, out_sharding=None):
    """Samples of category indices with log-probabilities `logits` along `axis`."""
    _no_sharding("categorical", out_sharding)
    k, _ = _check_key("categorical", key)
    _check_arraylike("categorical", logits)
    logits = lax.asarray(logits)
    nd = logits.ndim
    batch_shape = tuple(int(d) for d in np.delete(np.array(logits.shape, dtype=np.int64), axis))
    if shape is None:
        shape = batch_shape
    else:
        shape = _canonical_shape(shape, "categorical")
        _check_shape("categorical", shape, batch_shape)
    if mode is None:
        mode = "high" if _flag("jax_use_high_dynamic_range_gumbel", False) else "low"
    if mode not in ("highest", "high", "low"):
        raise ValueError("Must provide valid mode for gumbel got: %s" % mode)
    dt = np.dtype(logits.dtype)
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"dtype argument to `gumbel` must be a float dtype, got {dt}")
    shape_prefix = tuple(shape[:len(shape) - len(batch_shape)])
    if replace:
        ax = axis - nd if axis >= 0 else axis
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(ax % nd, logits.shape[ax])
        g = _gumbel(k, shape_prefix + tuple(logits_shape), dt, mode)
        lg = lax.expand_dims(logits, tuple(range(len(shape_prefix)))) if shape_prefix else logits
        lg = _broadcast_to(lg, g.shape)
        return _argmax(lax.add(g, lg), (g.ndim + ax) % g.ndim)
    logits = lax.add(logits, _gumbel(k, tuple(logits.shape), dt, mode))
    kk = int(np.prod(shape_prefix, dtype=np.int64))
    ax = axis % nd
    if kk > logits.shape[ax]:
        raise ValueError(f"Number of samples without replacement ({kk}) cannot exceed number of "
                         f"categories ({logits.shape[ax]}).")
    moved = lax.transpose(logits, tuple(i for i in range(nd) if i != ax) + (ax,))
    idx = _top_k_indices_last(moved, kk)          # batch_shape + (kk,)
    out = lax.transpose(idx, (idx.ndim - 1,) + tuple(range(idx.ndim - 1)))
    return lax.reshape(out, tuple(shape))


def _top_k_indices_last(x, k):
    """Indices of the k largest entries along the last axis, largest first (ties: lower
    index first), as int32 like lax.top_k."""
    n = x.shape[-1]
    idx = lax.broadcasted_iota(np.int32, tuple(x.shape), x.ndim - 1)
    _, order = sort_p.bind(lax.neg(x), idx, dimension=x.ndim - 1, is_stable=True, num_keys=1)
    return lax.slice_in_dim(order, 0, k, axis=x.ndim - 1) if k != n else order


# ---------------------------------------------------------------------------
# gamma and friends


def _gamma_one(key, alpha, log_space):
    """Marsaglia & Tsang's rejection sampler for one Gamma(alpha) sample (JAX's _gamma_one)."""
    dt = np.dtype(alpha.dtype)
    zero, one = _const(alpha, 0), _const(alpha, 1)
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, _const(alpha, 1. / 3.))
    if _is_bf16(dt):   # the converts around bfloat16 operations block XLA's rewrite
        c = lax.div(_const(alpha, 1. / 3.), lax.sqrt(d))
    else:
        c = lax.mul(_const(alpha, 1. / 3.), xla_rsqrt(d))   # XLA: a / sqrt(b) -> a * rsqrt(b)

    def cond_fn(state):
        _, X, V, U = state
        c1 = lax.ge(U, msub(one, _const(X, 0.0331), lax.mul(X, X)))
        w = lax.add(lax.sub(one, V), _log(V))
        # X * 0.5 + d * w: LLVM contracts the first product (exact anyway) into the sum
        rhs = lax.add(lax.mul(X, _const(X, 0.5)), lax.mul(d, w))
        c2 = lax.ge(_log(U), rhs)
        return lax.bitwise_and(c1, c2)

    def body_fn(state):
        k = state[0]
        k, x_key, u_key = _split(k, 3)

        def next_kxv(kxv):
            kk, sub = _split(kxv[0])
            x = _normal(sub, (), dt)
            return kk, x, mad(x, c, one)

        _, x, v = cf.while_loop(lambda kxv: lax.le(kxv[2], zero), next_kxv,
                                (x_key, zero, _const(alpha, -1)))
        X = lax.mul(x, x)
        V = lax.mul(lax.mul(v, v), v)
        U = _uniform(u_key, (), dt)
        return k, X, V, U

    key, subkey = _split(key)
    _, _, V, _ = cf.while_loop(cond_fn, body_fn, (key, zero, one, _const(alpha, 2)))
    if log_space:
        log_samples = lax.neg(_exponential(subkey, (), dt))
        log_boost = lax.select(lax.bitwise_or(boost_mask, lax.eq(log_samples, zero)), zero,
                               lax.mul(log_samples, lax.div(one, alpha_orig)))
        return lax.add(lax.add(_log(d), _log(V)), log_boost)
    samples = lax.sub(one, _uniform(subkey, (), dt))
    boost = lax.select(boost_mask, one, xla_pow(samples, lax.div(one, alpha_orig)))
    return ftz(lax.mul(lax.mul(d, V), boost))


def _gamma_impl(key, a, log_space):
    shape = tuple(a.shape)
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        return lax.full(shape, 0, a.dtype)
    keys = _split_raw(key, (n,))
    alphas = lax.reshape(a, (n,))
    from pyjax._src.api import vmap
    samples = vmap(functools.partial(_gamma_one, log_space=log_space))(keys, alphas)
    return lax.reshape(samples, shape)


def _random_gamma_fun(key, a, log_space):
    return _gamma_impl(key, a, log_space)


def _make_random_gamma():
    from pyjax._src.custom_derivatives import custom_jvp
    f = custom_jvp(_random_gamma_fun, nondiff_argnums=(2,))

    def jvp(log_space, primals, tangents):
        key, a = primals
        _, ta = tangents
        ans = f(key, a, log_space)
        return ans, lax.mul(ta, _gamma_grad(ans, a, log_space))

    f.defjvp(jvp)
    return f


_random_gamma = _make_random_gamma()


def _gamma_grad(sample, a, log_space):
    if log_space:
        # d[log(sample)] = d[sample] / sample; exp(log_sample) may round to zero
        samples = _exp(sample)
        samples = lax.select(lax.eq(samples, _const(samples, 0)),
                             _const(samples, dtypes.finfo(samples.dtype).tiny), samples)
        return lax.div(random_gamma_grad(a, samples), samples)
    return random_gamma_grad(a, sample)


def _gamma(k, a, shape, dt, log_space):
    if shape is None:
        shape = _shape_of(a)
    else:
        _check_shape("gamma", shape, _shape_of(a))
    a = _convert(a, dt)
    if tuple(a.shape) != tuple(shape):
        a = _broadcast_to(a, shape)
    return _random_gamma(k, a, log_space)


def gamma(key, a, shape=None, dtype=None, *, out_sharding=None):
    """Gamma(a, 1) samples (Marsaglia-Tsang); differentiable in `a` (implicit reparameterisation)."""
    _no_sharding("gamma", out_sharding)
    k, _ = _check_key("gamma", key)
    dt = _float_dtype("gamma", dtype)
    if shape is not None:
        shape = _canonical_shape(shape, "gamma")
    return _gamma(k, a, shape, dt, False)


def loggamma(key, a, shape=None, dtype=None, *, out_sharding=None):
    """log of Gamma(a, 1) samples, computed in log space (accurate for small `a`)."""
    _no_sharding("loggamma", out_sharding)
    k, _ = _check_key("loggamma", key)
    dt = _float_dtype("gamma", dtype)
    if shape is not None:
        shape = _canonical_shape(shape, "loggamma")
    return _gamma(k, a, shape, dt, True)


def beta(key, a, b, shape=None, dtype=None, *, out_sharding=None):
    """Beta(a, b) samples, from two log-space gamma samples."""
    _no_sharding("beta", out_sharding)
    k, _ = _check_key("beta", key)
    dt = _float_dtype("beta", dtype)
    _check_all_safe_to_cast("beta", dt, a, b)
    shape = _check_broadcast_shapes("beta", shape, a, b)
    a = _convert(a, dt)
    b = _convert(b, dt)
    key_a, key_b = _split(k)
    a = _broadcast_to(a, shape)
    b = _broadcast_to(b, shape)
    log_gamma_a = _gamma(key_a, a, shape, dt, True)
    log_gamma_b = _gamma(key_b, b, shape, dt, True)
    log_max = lax.max(log_gamma_a, log_gamma_b)
    ga = xla_exp(lax.sub(log_gamma_a, log_max))
    gb = xla_exp(lax.sub(log_gamma_b, log_max))
    return lax.div(ga, lax.add(ga, gb))


def dirichlet(key, alpha, shape=None, dtype=None, *, out_sharding=None):
    """Dirichlet(alpha) samples (alpha's last axis is the categories)."""
    _no_sharding("dirichlet", out_sharding)
    k, _ = _check_key("dirichlet", key)
    dt = _float_dtype("dirichlet", dtype)
    if shape is not None:
        shape = _canonical_shape(shape, "dirichlet")
    ashape = _shape_of(alpha)
    if not len(ashape) >= 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {len(ashape)}")
    if shape is None:
        shape = ashape[:-1]
    else:
        _check_shape("dirichlet", shape, ashape[:-1])
    alpha = _convert(alpha, dt)
    log_g = _gamma(k, alpha, tuple(shape) + ashape[-1:], dt, True)
    return _softmax_last(log_g)


def _softmax_last(x):
    m = lax.reduce_max(x, (x.ndim - 1,))
    m = lax.stop_gradient(m)
    d = lax.sub(x, lax.broadcast_in_dim(m, x.shape, tuple(range(x.ndim - 1))))
    if _is_bf16(x.dtype):
        # XLA sums the float32 exponentials unrounded (it drops the bfloat16 round trip in
        # front of jnp.sum's float32 accumulation); the numerator is rounded to bfloat16
        e32 = xla_exp(lax.convert_element_type(d, np.float32))
        s = lax.convert_element_type(_xla_sum_last(e32), x.dtype)
        e = lax.convert_element_type(e32, x.dtype)
        return _div_by(e, lax.broadcast_in_dim(s, x.shape[:-1] + (1,), tuple(range(x.ndim - 1))),
                       x.shape)
    e = xla_exp(d)
    s = _xla_sum_last(e)
    # XLA: e / broadcast(s) -> e * broadcast(1 / s)
    return _div_by(e, lax.broadcast_in_dim(s, x.shape[:-1] + (1,), tuple(range(x.ndim - 1))),
                   x.shape)


def _xla_sum_last(x):
    """jnp.sum over the last axis in XLA:CPU's order (sequential); 16-bit floats are
    accumulated in float32 and rounded once, as jnp.sum does."""
    dt = np.dtype(x.dtype)
    if dt.itemsize < 4:
        return lax.convert_element_type(_xla_sum_last(lax.convert_element_type(x, np.float32)), dt)
    n = x.shape[-1]
    if n <= _TREE_WINDOW:
        return _sequential_sum_last(x)
    # XLA:CPU's tree reduction rewriter: windows of 32 (with 'SAME' padding) summed
    # sequentially, then the window sums summed sequentially
    nwin = -(-n // _TREE_WINDOW)
    lo = (nwin * _TREE_WINDOW - n) // 2
    sums = []
    for w in range(nwin):
        a, b = max(0, w * _TREE_WINDOW - lo), min(n, (w + 1) * _TREE_WINDOW - lo)
        sums.append(_sequential_sum_last(lax.slice_in_dim(x, a, b, axis=x.ndim - 1)))
    acc = sums[0]
    for t in sums[1:]:
        acc = lax.add(acc, t)
    return acc


_TREE_WINDOW = 32


def _sequential_sum_last(x):
    if x.shape[-1] == 0:   # an empty sum (ball in 0 dimensions)
        return lax.full(x.shape[:-1], np.zeros((), x.dtype), x.dtype)
    acc = None
    for i in range(x.shape[-1]):
        xi = lax.index_in_dim(x, i, axis=x.ndim - 1, keepdims=False)
        acc = xi if acc is None else lax.add(acc, xi)
    return acc


def chisquare(key, df, shape=None, dtype=None, *, out_sharding=None):
    """Chi-square(df) samples: 2 * Gamma(df / 2)."""
    _no_sharding("chisquare", out_sharding)
    k, _ = _check_key("chisquare", key)
    dt = _float_dtype("chisquare", dtype)
    shape = _check_broadcast_shapes("chisquare", shape, df)
    _check_all_safe_to_cast("chisquare", dt, df)
    return _chisquare(k, df, shape, dt)


def _chisquare(k, df, shape, dt):
    e = _chisquare_exp(k, df, shape, dt)
    return lax.mul(e, _const(e, 2))


def _chisquare_exp(k, df, shape, dt):
    df = _convert(df, dt)
    half_df = lax.mul(df, _const(df, 0.5))
    return xla_exp(_gamma(k, half_df, shape, dt, True))


def f(key, dfnum, dfden, shape=None, dtype=None, *, out_sharding=None):
    """F(dfnum, dfden) samples: a ratio of scaled chi-square samples."""
    _no_sharding("f", out_sharding)
    k, _ = _check_key("f", key)
    dt = _float_dtype("f", dtype)
    shape = _check_broadcast_shapes("f", shape, dfnum, dfden)
    _check_all_safe_to_cast("f", dt, dfnum, dfden)
    dfden = _convert(dfden, dt)
    dfnum = _convert(dfnum, dt)
    key_dfd, key_dfn = _split(k)
    if _is_bf16(dt):
        # bfloat16: the converts block the quotient-of-quotients rewrite; only the divisions
        # by broadcast parameters become (float32) reciprocal multiplications
        num = _div_by(_chisquare(key_dfn, dfnum, shape, dt), dfnum, shape)
        den = _div_by(_chisquare(key_dfd, dfden, shape, dt), dfden, shape)
        return lax.div(num, den)
    e_n = _chisquare_exp(key_dfn, dfnum, shape, dt)
    e_d = _chisquare_exp(key_dfd, dfden, shape, dt)
    # XLA: (chi2_n / dfnum) / (chi2_d / dfden) -> (chi2_n * dfden) / (dfnum * chi2_d), and
    # chi2 = e * 2 with the 2 moved onto broadcast parameters (exact either way)
    two = _const(e_n, 2)
    num = lax.mul(lax.mul(e_n, two), _broadcast_to(dfden, shape))
    den = lax.mul(_broadcast_to(dfnum, shape), lax.mul(e_d, two))
    return lax.div(num, den)


def t(key, df, shape=None, dtype=None, *, out_sharding=None):
    """Student's t(df) samples: n * sqrt(df/2 / Gamma(df/2))."""
    _no_sharding("t", out_sharding)
    k, _ = _check_key("t", key)
    dt = _float_dtype("t", dtype)
    shape = _check_broadcast_shapes("t", shape, df)
    _check_all_safe_to_cast("t", dt, df)
    df = _convert(df, dt)
    key_n, key_g = _split(k)
    n = _normal(key_n, shape, dt)
    half_df = lax.mul(df, _const(df, 0.5))
    g = _gamma(key_g, half_df, shape, dt, False)
    return lax.mul(n, lax.sqrt(lax.div(_broadcast_to(half_df, shape), g)))


def generalized_normal(key, p, shape=(), dtype=None, *, out_sharding=None):
    """Generalized normal samples with shape parameter `p` (p=2: normal * sqrt(2)... scale)."""
    _no_sharding("generalized_normal", out_sharding)
    shape = _canonical_shape(shape, "generalized_normal")
    k, _ = _check_key("generalized_normal", key)
    dt = _dtype_arg(dtype, float)
    return _generalized_normal(k, p, shape, dt)


def _generalized_normal(k, p, shape, dt):
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"dtype argument to `gamma` must be a float dtype, got {dt}")
    k0, k1 = _split(k)
    one, p_ = _promote_inexact(1, p)
    inv_p = lax.div(one, p_)
    g = _gamma(k0, inv_p, shape, dt, False)
    r = _rademacher(k1, shape, dt)
    g, inv = _promote(g, inv_p)
    g, inv = _broadcast_pair(g, inv)
    gp = xla_pow(g, inv)
    r, gp = _promote(r, gp)
    return lax.mul(r, gp)


def ball(key, d, p=2, shape=(), dtype=None, *, out_sharding=None):
    """Uniform samples from the unit p-norm ball in d dimensions (shape + (d,))."""
    _no_sharding("ball", out_sharding)
    shape = _canonical_shape(shape, "ball")
    k, _ = _check_key("ball", key)
    dt = _dtype_arg(dtype, float)
    d = operator.index(core.concrete_or_error(d, "The error occurred in jax.random.ball()")
                       if isinstance(d, core.Tracer) else d)
    k1, k2 = _split(k)
    g = _generalized_normal(k1, p, tuple(shape) + (d,), dt)
    e = _exponential(k2, shape, dt)
    ag, p_ = _promote(lax.abs(g), p)
    ag, pp = _broadcast_pair(ag, p_)
    if _is_bf16(ag.dtype):
        # XLA keeps the float32 powers unrounded into jnp.sum's float32 accumulation
        f32 = np.float32
        pw = xla_pow(lax.convert_element_type(ag, f32), lax.convert_element_type(pp, f32))
        s = lax.convert_element_type(_xla_sum_last(pw), ag.dtype)
    else:
        s = _xla_sum_last(xla_pow(ag, pp))
    s, e = _promote(s, e)
    one, p2 = _promote_inexact(1, p)
    inv = lax.div(one, p2)
    base, inv = _promote(lax.add(s, e), inv)
    base, inv = _broadcast_pair(base, inv)
    if _is_bf16(base.dtype):
        r = xla_pow(base, inv)
        g, r = _promote(g, r)
        return _div_by(g, lax.expand_dims(r, (r.ndim,)), g.shape)
    # XLA: g / pow(b, c) -> g * pow(b, -c)
    r = xla_pow(base, lax.neg(inv))
    g, r = _promote(g, r)
    return lax.mul(g, lax.broadcast_in_dim(r, g.shape, tuple(range(len(shape)))))


# ---------------------------------------------------------------------------
# poisson


def _poisson_knuth(k, lam, shape, dt, max_iters):
    def body_fn(carry):
        i, kk, rng, log_prod = carry
        rng, sub = _split(rng)
        kk = lax.select(lax.gt(log_prod, lax.neg(lam)), lax.add(kk, _const(kk, 1)), kk)
        u = _uniform(sub, shape, np.float32)
        return lax.add(i, _const(i, 1)), kk, rng, lax.add(log_prod, _log(u))

    def cond_fn(carry):
        i, log_prod = carry[0], carry[3]
        return lax.bitwise_and(_any(lax.gt(log_prod, lax.neg(lam))), lax.lt(i, _const(i, max_iters)))

    k_init = lax.full(shape, 0, dt)
    log_rate_init = lax.full(shape, 0, np.float32)
    i0 = lax.full((), 0, dt)
    kk = cf.while_loop(cond_fn, body_fn, (i0, k_init, k, log_rate_init))[1]
    return lax.convert_element_type(lax.sub(kk, _const(kk, 1)), dt)


def _any(pred):
    if pred.ndim == 0:
        return pred
    return lax.reduce_or(pred, tuple(range(pred.ndim)))


def _poisson_rejection(k, lam, shape, dt, max_iters):
    log_lam = _log(lam)
    b = mad(_const(lam, 2.53), lax.sqrt(lam), _const(lam, 0.931))
    a = mad(_const(b, 0.02483), b, _const(b, -0.059))
    inv_alpha = lax.add(_const(b, 1.1239), lax.div(_const(b, 1.1328), lax.sub(b, _const(b, 3.4))))
    v_r = lax.sub(_const(b, 0.9277), lax.div(_const(b, 3.6224), lax.sub(b, _const(b, 2))))

    def body_fn(carry):
        i, k_out, accepted, key = carry
        key, sub0, sub1 = _split(key, 3)
        u = lax.sub(_uniform(sub0, shape, lam.dtype), _const(lam, 0.5))
        v = _uniform(sub1, shape, lam.dtype)
        us = lax.sub(_const(u, 0.5), lax.abs(u))
        kk = lax.floor(lax.add(mad(lax.add(lax.div(lax.mul(_const(a, 2), a), us), b), u, lam),
                               _const(u, 0.43)))
        s = _log(lax.div(lax.mul(v, inv_alpha), lax.add(lax.div(a, lax.mul(us, us)), b)))
        tt = lax.sub(mad(kk, log_lam, lax.neg(lam)), _lgamma_f32(lax.add(kk, _const(kk, 1))))
        accept1 = lax.bitwise_and(lax.ge(us, _const(us, 0.07)), lax.le(v, v_r))
        reject = lax.bitwise_or(lax.lt(kk, _const(kk, 0)),
                                lax.bitwise_and(lax.lt(us, _const(us, 0.013)), lax.gt(v, us)))
        accept2 = lax.le(s, tt)
        accept = lax.bitwise_or(accept1, lax.bitwise_and(lax.bitwise_not(reject), accept2))
        k_out = lax.select(accept, kk, k_out)
        accepted = lax.bitwise_or(accepted, accept)
        return lax.add(i, _const(i, 1)), k_out, accepted, key

    def cond_fn(carry):
        i, _, accepted, _ = carry
        return lax.bitwise_and(_any(lax.bitwise_not(accepted)), lax.lt(i, _const(i, max_iters)))

    k_init = lax.full(shape, -1, lam.dtype)
    accepted = lax.full(shape, False, np.bool_)
    i0 = lax.full((), 0, dt)
    kk = cf.while_loop(cond_fn, body_fn, (i0, k_init, accepted, k))[1]
    return lax.convert_element_type(kk, dt)


def poisson(key, lam, shape=None, dtype=None, *, out_sharding=None):
    """Poisson(lam) samples: Knuth's algorithm for lam < 10, Hormann's transformed rejection
    otherwise (both computed in float32, as in JAX)."""
    _no_sharding("poisson", out_sharding)
    k, _ = _check_key("poisson", key)
    dt = _dtype_arg(dtype, int)
    if shape is not None:
        shape = _canonical_shape(shape, "poisson")
    else:
        shape = _shape_of(lam)
    lam = _broadcast_to(lax.asarray(lam), shape)
    lam = lax.convert_element_type(lam, np.float32)
    use_knuth = lax.bitwise_or(_isnan(lam), lax.lt(lam, _const(lam, 10)))
    lam_knuth = lax.select(use_knuth, lam, _const(lam, 0.0))
    lam_rejection = lax.select(use_knuth, _const(lam, 1e5), lam)
    max_iters = int(dtypes.iinfo(dt).max)
    result = lax.select(use_knuth, _poisson_knuth(k, lam_knuth, shape, dt, max_iters),
                        _poisson_rejection(k, lam_rejection, shape, dt, max_iters))
    return lax.select(lax.eq(lam, _const(lam, 0)), lax.full_like(result, 0), result)


# ---------------------------------------------------------------------------
# binomial and multinomial

_STIRLING_TAIL = [0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287]


def _stirling_approx_tail(k):
    use_tail_values = lax.le(k, _const(k, 9))
    k = lax.clamp(_const(k, 0.0), k, _const(k, 9.0))
    kp1 = lax.add(k, _const(k, 1))
    kp1sq = lax.mul(kp1, kp1)
    c1260 = np.array(1.0 / 1260, k.dtype)
    inner = lax.sub(_const(k, 1.0 / 360), lax.div(_const(k, c1260), kp1sq))
    approx = lax.div(lax.sub(_const(k, 1.0 / 12), lax.div(inner, kp1sq)), kp1)
    kf = lax.floor(k)
    table = _const(k, _STIRLING_TAIL[0])
    for j, v in enumerate(_STIRLING_TAIL[1:], 1):
        table = lax.select(lax.eq(kf, _const(kf, j)), _const(k, v), table)
    return lax.select(use_tail_values, table, approx)


def _binomial_inversion(k, count, prob, shape, dt, max_iters):
    log1minusprob = _log1p(lax.neg(prob))

    def body_fn(carry):
        i, num_geom, geom_sum, key = carry
        sub, key = _split(key)
        num_geom_out = lax.select(lax.le(geom_sum, count), lax.add(num_geom, _const(num_geom, 1)),
                                  num_geom)
        u = _uniform(sub, shape, prob.dtype)
        geom = lax.ceil(lax.div(_log(u), log1minusprob))
        return lax.add(i, _const(i, 1)), num_geom_out, lax.add(geom_sum, geom), key

    def cond_fn(carry):
        i, geom_sum = carry[0], carry[2]
        return lax.bitwise_and(_any(lax.le(geom_sum, count)), lax.lt(i, _const(i, max_iters)))

    num_geom_init = lax.full(shape, 0, prob.dtype)
    geom_sum_init = lax.full(shape, 0, prob.dtype)
    i0 = lax.full((), 0, dtypes.default_int_dtype())
    kk = cf.while_loop(cond_fn, body_fn, (i0, num_geom_init, geom_sum_init, k))[1]
    return lax.convert_element_type(lax.sub(kk, _const(kk, 1)), dt)


def _btrs(k, count, prob, shape, dt, max_iters):
    C = functools.partial(_const, prob)
    stddev = lax.sqrt(lax.mul(lax.mul(count, prob), lax.sub(C(1), prob)))
    b = mad(C(2.53), stddev, C(1.15))
    a = lax.add(mad(C(0.0248), b, C(-0.0873)), lax.mul(C(0.01), prob))
    c = mad(count, prob, C(0.5))
    v_r = lax.sub(C(0.92), lax.div(C(4.2), b))
    r = lax.div(prob, lax.sub(C(1), prob))
    alpha = lax.mul(lax.add(C(2.83), lax.div(C(5.1), b)), stddev)
    m = lax.floor(lax.mul(lax.add(count, C(1)), prob))

    def body_fn(carry):
        i, k_out, accepted, key = carry
        key, sub0, sub1 = _split(key, 3)
        u = _uniform(sub0, shape, prob.dtype)
        v = _uniform(sub1, shape, prob.dtype)
        u = lax.sub(u, C(0.5))
        us = lax.sub(C(0.5), lax.abs(u))
        accept1 = lax.bitwise_and(lax.ge(us, C(0.07)), lax.le(v, v_r))
        kk = lax.floor(mad(lax.add(lax.div(lax.mul(C(2), a), us), b), u, c))
        reject = lax.bitwise_or(lax.lt(kk, C(0)), lax.gt(kk, count))
        v = _log(lax.div(lax.mul(v, alpha), lax.add(lax.div(a, lax.mul(us, us)), b)))
        t1 = lax.mul(lax.add(m, C(0.5)),
                     _log(lax.div(lax.add(m, C(1)),
                                     lax.mul(r, lax.add(lax.sub(count, m), C(1))))))
        t2 = lax.mul(lax.add(count, C(1)),
                     _log(lax.div(lax.add(lax.sub(count, m), C(1)),
                                     lax.add(lax.sub(count, kk), C(1)))))
        t3 = lax.mul(lax.add(kk, C(0.5)),
                     _log(lax.div(lax.mul(r, lax.add(lax.sub(count, kk), C(1))),
                                     lax.add(kk, C(1)))))
        ub = lax.add(lax.add(t1, t2), t3)
        ub = lax.add(ub, _stirling_approx_tail(m))
        ub = lax.add(ub, _stirling_approx_tail(lax.sub(count, m)))
        ub = lax.sub(ub, _stirling_approx_tail(kk))
        ub = lax.sub(ub, _stirling_approx_tail(lax.sub(count, kk)))
        accept2 = lax.le(v, ub)
        accept = lax.bitwise_or(accept1, lax.bitwise_and(lax.bitwise_not(reject), accept2))
        k_out = lax.select(accept, kk, k_out)
        return lax.add(i, _const(i, 1)), k_out, lax.bitwise_or(accepted, accept), key

    def cond_fn(carry):
        i, accepted = carry[0], carry[2]
        return lax.bitwise_and(_any(lax.bitwise_not(accepted)), lax.lt(i, _const(i, max_iters)))

    k_init = lax.full(shape, -1, prob.dtype)
    i0 = lax.full((), 0, dtypes.default_int_dtype())
    carry = (i0, k_init, lax.full(shape, False, np.bool_), k)
    return lax.convert_element_type(cf.while_loop(cond_fn, body_fn, carry)[1], dt)


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(n, p) samples (floats): inversion for n * p <= 10, BTRS rejection otherwise."""
    k, _ = _check_key("binomial", key)
    _check_arraylike("binomial", n, p)
    dt = _float_dtype("binomial", dtype)
    if shape is not None:
        shape = _canonical_shape(shape, "binomial")
    return _binomial(k, n, p, shape, dt)


def _binomial(k, count, prob, shape, dt):
    if shape is None:
        shape = tuple(np.broadcast_shapes(_shape_of(count), _shape_of(prob)))
    else:
        _check_shape("binomial", shape, _shape_of(count), _shape_of(prob))
    prob, = _promote_inexact(prob)
    count = lax.convert_element_type(lax.asarray(count), prob.dtype)
    count = _broadcast_to(count, shape)
    prob = _broadcast_to(prob, shape)
    C = functools.partial(_const, prob)
    p_lt_half = lax.lt(prob, C(0.5))
    q = lax.select(p_lt_half, prob, lax.sub(C(1.0), prob))
    count_nan_or_neg = lax.bitwise_or(_isnan(count), lax.lt(count, C(0.0)))
    count_inf = lax.eq(lax.abs(count), C(np.inf))
    q_is_nan = _isnan(q)
    q_l_0 = lax.lt(q, C(0.0))
    q = lax.select(lax.bitwise_or(q_is_nan, q_l_0), C(0.01), q)
    use_inversion = lax.bitwise_or(count_nan_or_neg, lax.le(lax.mul(count, q), C(10.0)))
    count = lax.floor(count)
    count_inv = lax.select(use_inversion, count, C(0.0))
    count_btrs = lax.select(use_inversion, C(1e4), count)
    q_btrs = lax.select(use_inversion, C(0.5), q)
    samples = lax.select(use_inversion,
                         _binomial_inversion(k, count_inv, q, shape, dt, _MAX_I),
                         _btrs(k, count_btrs, q_btrs, shape, dt, _MAX_I))
    invalid = lax.bitwise_or(lax.bitwise_or(q_l_0, q_is_nan), count_nan_or_neg)
    samples = lax.select(invalid, lax.full_like(samples, np.nan), samples)
    samples = lax.select(lax.bitwise_and(count_inf, lax.bitwise_not(invalid)),
                         lax.full_like(samples, np.inf), samples)
    keep = lax.bitwise_or(lax.bitwise_or(p_lt_half, count_nan_or_neg),
                          lax.bitwise_or(q_is_nan, count_inf))
    return lax.select(keep, samples, lax.sub(lax.convert_element_type(count, dt), samples))


# JAX's iteration limit is dtype.max of the float dtype, compared with an int32 counter:
# never reached.  The int32 maximum stands for it.
_MAX_I = 2 ** 31 - 1


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Multinomial(n, p) counts (floats), by a scan of conditional binomials."""
    k, _ = _check_key("multinomial", key)
    _check_arraylike("multinomial", n, p)
    n, p = _promote_inexact(n, p)
    if shape is None:
        shape = tuple(p.shape)
    else:
        shape = _canonical_shape(shape, "multinomial")
    n = _broadcast_to(n, shape[:-1])
    p = _broadcast_to(p, shape)
    pm = lax.transpose(p, (p.ndim - 1,) + tuple(range(p.ndim - 1)))
    remaining = lax.cumsum(pm, 0, reverse=True)
    ratios = lax.div(pm, lax.select(lax.eq(remaining, _const(remaining, 0)), _const(remaining, 1),
                                    remaining))
    keys = _split_raw(k, (ratios.shape[0],))

    def step(remainder, ratio_key):
        ratio, kk = ratio_key
        count = _binomial(kk, remainder, lax.clamp(_const(ratio, 0), ratio, _const(ratio, 1)),
                          None, np.dtype(remainder.dtype))
        return lax.sub(remainder, count), count

    _, counts = cf.scan(step, n, (ratios, keys), unroll=unroll)
    counts = lax.transpose(counts, tuple(range(1, counts.ndim)) + (0,))
    out_dt = _dtype_arg(dtype, float)   # .astype(None): the default float dtype, as in JAX
    return lax.convert_element_type(counts, out_dt)


# ---------------------------------------------------------------------------
# random_gamma_grad: d(sample)/d(alpha) of a Gamma(alpha) sample, by implicit differentiation
# (JAX's lax.random_gamma_grad: series / continued fraction of the incomplete gamma function)


def random_gamma_grad(a, x):
    """The derivative of a Gamma(a) sample x with respect to a, keeping its CDF fixed."""
    a, x = _promote(a, x)
    a, x = _broadcast_pair(a, x)
    dt = np.dtype(a.dtype)
    if dt.itemsize < 4:
        out = random_gamma_grad(lax.convert_element_type(a, np.float32),
                                lax.convert_element_type(x, np.float32))
        return lax.convert_element_type(out, dt)
    C = functools.partial(_const, a)
    is_nan = lax.bitwise_or(_isnan(a), _isnan(x))
    x_is_zero = lax.eq(x, C(0))
    domain_error = lax.bitwise_or(lax.lt(x, C(0)), lax.le(a, C(0)))
    use_igammac = lax.bitwise_and(lax.gt(x, C(1)), lax.gt(x, a))
    safe_x = lax.select(lax.le(x, C(0)), C(1), x)
    ax = lax.sub(lax.sub(lax.mul(a, lax.log(safe_x)), x), lax.lgamma(a))
    underflow = lax.lt(ax, C(-math.log(float(dtypes.finfo(dt).max))))
    ax = lax.exp(ax)
    enabled = lax.bitwise_not(lax.bitwise_or(lax.bitwise_or(x_is_zero, domain_error),
                                             lax.bitwise_or(underflow, is_nan)))
    series = _igamma_series_deriv(ax, safe_x, a, lax.bitwise_and(enabled, lax.bitwise_not(use_igammac)))
    frac = _igammac_cf_deriv(ax, safe_x, a, lax.bitwise_and(enabled, use_igammac))
    out = lax.select(use_igammac, lax.neg(frac), series)
    out = lax.select(x_is_zero, C(0), out)
    return lax.select(lax.bitwise_or(domain_error, is_nan), C(np.nan), out)


def _igamma_series_deriv(ax, x, a, enabled):
    eps = float(dtypes.finfo(a.dtype).eps)
    C = functools.partial(_const, a)

    def cond_fn(vals):
        return _any(vals[0])

    def body_fn(vals):
        en, r, c, ans, xx, dc_da, dans_da = vals
        r2 = lax.add(r, C(1))
        dc_da2 = lax.sub(lax.mul(dc_da, lax.div(xx, r2)), lax.div(lax.mul(c, xx), lax.mul(r2, r2)))
        dans_da2 = lax.add(dans_da, dc_da2)
        c2 = lax.mul(c, lax.div(xx, r2))
        ans2 = lax.add(ans, c2)
        cont = lax.bitwise_and(en, lax.gt(lax.abs(lax.div(dc_da2, dans_da2)), C(eps)))
        return (cont, lax.select(en, r2, r), lax.select(en, c2, c), lax.select(en, ans2, ans), xx,
                lax.select(en, dc_da2, dc_da), lax.select(en, dans_da2, dans_da))

    init = (enabled, a, C(1), C(1), x, C(0), C(0))
    vals = cf.while_loop(cond_fn, body_fn, init)
    ans, dans_da = vals[3], vals[6]
    dlogax_da = lax.sub(lax.log(x), lax.digamma(lax.add(a, C(1))))
    return lax.div(lax.mul(lax.neg(lax.add(dans_da, lax.mul(ans, dlogax_da))), x), a)


def _igammac_cf_deriv(ax, x, a, enabled):
    eps = float(dtypes.finfo(a.dtype).eps)
    C = functools.partial(_const, x)

    def scalar(v):
        return lax.full((), v, x.dtype)

    def cond_fn(vals):
        return lax.bitwise_and(lax.lt(vals[5], scalar(2000)), _any(vals[0]))

    def body_fn(vals):
        (en, ans, tt, y, z, c, pkm1, qkm1, pkm2, qkm2,
         dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da, dans_da) = vals
        c = lax.add(c, scalar(1))
        y = lax.add(y, C(1))
        z = lax.add(z, C(2))
        yc = lax.mul(y, c)
        pk = lax.sub(lax.mul(pkm1, z), lax.mul(pkm2, yc))
        qk = lax.sub(lax.mul(qkm1, z), lax.mul(qkm2, yc))
        nz = lax.ne(qk, C(0))
        safe_qk = lax.select(nz, qk, C(1))
        r = lax.div(pk, safe_qk)
        safe_r = lax.select(lax.eq(r, C(0)), C(1), r)
        t_new = lax.select(nz, lax.abs(lax.div(lax.sub(ans, r), safe_r)), C(1))
        ans_new = lax.select(nz, r, ans)
        dpk_da = lax.add(lax.sub(lax.sub(lax.mul(dpkm1_da, z), pkm1), lax.mul(dpkm2_da, yc)),
                         lax.mul(pkm2, c))
        dqk_da = lax.add(lax.sub(lax.sub(lax.mul(dqkm1_da, z), qkm1), lax.mul(dqkm2_da, yc)),
                         lax.mul(qkm2, c))
        dans_da_new = lax.select(nz, lax.div(lax.sub(dpk_da, lax.mul(ans_new, dqk_da)), safe_qk),
                                 dans_da)
        grad_cond = lax.select(nz, lax.abs(lax.sub(dans_da_new, dans_da)), C(1))
        pkm2n, pkm1n, qkm2n, qkm1n = pkm1, pk, qkm1, qk
        dpkm2n, dqkm2n, dpkm1n, dqkm1n = dpkm1_da, dqkm1_da, dpk_da, dqk_da
        rescale = lax.gt(lax.abs(pk), C(1 / eps))
        sc = lambda v: lax.select(rescale, lax.mul(v, C(eps)), v)  # noqa: E731
        pkm2n, pkm1n, qkm2n, qkm1n = sc(pkm2n), sc(pkm1n), sc(qkm2n), sc(qkm1n)
        dpkm2n, dqkm2n, dpkm1n, dqkm1n = sc(dpkm2n), sc(dqkm2n), sc(dpkm1n), sc(dqkm1n)
        cont = lax.bitwise_and(en, lax.gt(grad_cond, C(eps)))
        s = lambda new, old: lax.select(en, new, old)  # noqa: E731
        return (cont, s(ans_new, ans), s(t_new, tt), s(y, vals[3]), s(z, vals[4]), c,
                s(pkm1n, pkm1), s(qkm1n, qkm1), s(pkm2n, pkm2), s(qkm2n, qkm2),
                s(dpkm2n, dpkm2_da), s(dqkm2n, dqkm2_da), s(dpkm1n, dpkm1_da),
                s(dqkm1n, dqkm1_da), s(dans_da_new, dans_da))

    y = lax.sub(C(1), a)
    z = lax.add(lax.add(x, y), C(1))
    c = scalar(0)
    pkm2 = C(1)
    qkm2 = x
    pkm1 = lax.add(x, C(1))
    qkm1 = lax.mul(z, x)
    ans = lax.div(pkm1, qkm1)
    tt = C(1)
    dqkm1_da = lax.neg(x)
    dans_da = lax.div(lax.sub(C(0), lax.mul(ans, dqkm1_da)), qkm1)
    init = (enabled, ans, tt, y, z, c, pkm1, qkm1, pkm2, qkm2, C(0), C(0), C(0), dqkm1_da, dans_da)
    vals = cf.while_loop(cond_fn, body_fn, init)
    ans, dans_da = vals[1], vals[14]
    dlogax_da = lax.sub(lax.log(x), lax.digamma(a))
    return lax.neg(lax.mul(lax.add(dans_da, lax.mul(ans, dlogax_da)), x))
