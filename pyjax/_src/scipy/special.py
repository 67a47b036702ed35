"""jax.scipy.special: special functions as compositions of lax operations.

Each function follows the formula JAX uses (so values, NaNs and gradients at the edges
agree); the few that JAX has as primitives (betainc, i0e, i1e, zeta) bind the primitives
of pyjax/_src/lax/special.py.
"""
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.custom_derivatives import custom_jvp
from pyjax._src.lax import lax
from pyjax._src.lax import special as lax_special
from pyjax._src.scipy._util import const as _const
from pyjax._src.scipy._util import strong_const as _strong
from pyjax._src.numpy.util import canonicalize_axis, promote_args_inexact


def _jnp():
    import pyjax.numpy
    return pyjax.numpy


# --- gamma family --------------------------------------------------------------


def gammaln(x):
    x, = promote_args_inexact("gammaln", x)
    return lax.lgamma(x)


def gammasgn(x):
    jnp = _jnp()
    x, = promote_args_inexact("gammasgn", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError("gammasgn does not support complex-valued inputs.")
    floor_x = lax.floor(x)
    x_negative = x < 0
    return jnp.select(
        [(x_negative & (x == floor_x)) | jnp.isnan(x),
         (x_negative & (jnp.fmod(floor_x, 2) != 0)) | ((x == 0) & jnp.signbit(x))],
        [_strong(x, np.nan), _strong(x, -1.0)], _strong(x, 1.0))


def loggamma(x):
    """The principal branch of log Gamma (real arguments: nan for x <= 0)."""
    jnp = _jnp()
    x, = promote_args_inexact("loggamma", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise NotImplementedError("loggamma of complex arguments is not implemented in pyjax")
    return jnp.where(x > 0, lax.lgamma(x), _const(x, np.nan))


def gamma(x):
    x, = promote_args_inexact("gamma", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise NotImplementedError("gamma of complex arguments is not implemented in pyjax")
    return gammasgn(x) * lax.exp(lax.lgamma(x))


def digamma(x):
    x, = promote_args_inexact("digamma", x)
    return lax.digamma(x)


def polygamma(n, x):
    if not dtypes.issubdtype(dtypes.dtype(n, canonicalize=True), np.integer):
        raise ValueError(f"Argument `n` to polygamma must be of integer type. Got dtype "
                         f"{dtypes.dtype(n, canonicalize=True)}.")
    n_arr, x_arr = promote_args_inexact("polygamma", n, x)
    if dtypes.issubdtype(x_arr.dtype, np.complexfloating):
        raise ValueError("polygamma does not support complex-valued inputs.")
    return lax.polygamma(n_arr, x_arr)


def gammainc(a, x):
    a, x = promote_args_inexact("gammainc", a, x)
    return lax.igamma(a, x)


def gammaincc(a, x):
    a, x = promote_args_inexact("gammaincc", a, x)
    return lax.igammac(a, x)


def multigammaln(a, d):
    jnp = _jnp()
    d = core.concrete_or_error(d, "d argument of multigammaln").item() \
        if isinstance(d, core.Array) else d
    d = int(d)
    a, d_ = promote_args_inexact("multigammaln", a, d)
    constant = lax.mul(lax.mul(lax.mul(_const(a, 0.25), d_), lax.sub(d_, _const(a, 1))),
                       lax.log(_const(a, np.pi)))
    b = lax.div(jnp.arange(d, dtype=d_.dtype), _const(a, 2))
    res = jnp.sum(gammaln(jnp.expand_dims(a, axis=-1)
                          - jnp.expand_dims(b, axis=tuple(range(a.ndim)))), axis=-1)
    return res + constant


def factorial(n, exact=False):
    if exact:
        raise NotImplementedError("factorial with exact=True")
    jnp = _jnp()
    n, = promote_args_inexact("factorial", n)
    return jnp.where(n < 0, _const(n, 0), lax.exp(lax.lgamma(n + 1)))


def comb(N, k, *, exact=False, repetition=False):
    if exact:
        raise NotImplementedError("comb with exact=True")
    jnp = _jnp()
    N, k = promote_args_inexact("comb", N, k)
    if repetition:
        cond = (k == 0) & (N >= 0)
        result = comb(N + k - 1, k, repetition=False)
        return jnp.where(cond, _const(result, 1.0), result)
    cond = (k <= N) & (N >= 0) & (k >= 0)
    safe_N = jnp.where(cond, N, _const(N, 0.0))
    safe_k = jnp.where(cond, k, _const(k, 0.0))
    result = lax.exp(gammaln(safe_N + 1) - gammaln(safe_k + 1) - gammaln(safe_N + 1 - safe_k))
    return jnp.where(cond, result, _const(result, 0.0))


@custom_jvp
def poch(z, m):
    """Pochhammer's symbol (z)_m = Gamma(z + m) / Gamma(z)."""
    jnp = _jnp()
    z, m = promote_args_inexact("poch", z, m)
    if dtypes.issubdtype(z.dtype, np.complexfloating):
        raise ValueError("jnp.poch does not support complex-valued inputs.")
    return jnp.where(m == 0.0, _const(z, 1), gamma(z + m) / gamma(z))


def _poch_z_derivative(z, m):
    return (digamma(z + m) - digamma(z)) * poch(z, m)


def _poch_m_derivative(z, m):
    return digamma(z + m) * poch(z, m)


poch.defjvps(lambda z_dot, primal_out, z, m: _poch_z_derivative(z, m) * z_dot,
             lambda m_dot, primal_out, z, m: _poch_m_derivative(z, m) * m_dot)


# --- beta family ---------------------------------------------------------------


def _algdiv(a, b):
    """ln(Gamma(b) / Gamma(a + b)) for b >= 8 (TOMS 708's algdiv, as JAX's betaln)."""
    jnp = _jnp()
    c0 = 0.0833333333333333
    c1 = -0.00277777777760991
    c2 = 0.00079365066682539
    c3 = -0.00059520293135187
    c4 = 0.000837308034031215
    c5 = -0.00165322962780713
    h = a / b
    c = h / (1 + h)
    x = h / (1 + h)
    d = b + (a - 0.5)
    x2 = x * x
    s3 = 1.0 + (x + x2)
    s5 = 1.0 + (x + x2 * s3)
    s7 = 1.0 + (x + x2 * s5)
    s9 = 1.0 + (x + x2 * s7)
    s11 = 1.0 + (x + x2 * s9)
    t = (1.0 / b) ** 2
    w = ((((c5 * s11 * t + c4 * s9) * t + c3 * s7) * t + c2 * s5) * t + c1 * s3) * t + c0
    w = w * (c / b)
    u = d * lax.log1p(a / b)
    v = a * (lax.log(b) - 1.0)
    return jnp.where(u <= v, (w - v) - u, (w - u) - v)


def betaln(a, b):
    jnp = _jnp()
    a, b = promote_args_inexact("betaln", a, b)
    a, b = jnp.minimum(a, b), jnp.maximum(a, b)
    small_b = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
    large_b = lax.lgamma(a) + _algdiv(a, b)
    return jnp.where(b < 8, small_b, large_b)


def beta(a, b):
    a, b = promote_args_inexact("beta", a, b)
    if dtypes.issubdtype(a.dtype, np.complexfloating):
        raise ValueError("beta does not support complex-valued inputs.")
    sign = gammasgn(a) * gammasgn(b) * gammasgn(a + b)
    return sign * lax.exp(betaln(a, b))


def betainc(a, b, x):
    a, b, x = promote_args_inexact("betainc", a, b, x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError("betainc does not support complex-valued inputs.")
    return lax_special.betainc(a, b, x)


# --- error functions -------------------------------------------------------------


def erf(x):
    x, = promote_args_inexact("erf", x)
    return lax.erf(x)


def erfc(x):
    x, = promote_args_inexact("erfc", x)
    return lax.erfc(x)


def erfinv(x):
    x, = promote_args_inexact("erfinv", x)
    return lax.erf_inv(x)


def _erfcx_asymptotic(x, nterms):
    coeffs = [7918.06640625, -1055.7421875, 162.421875, -29.53125, 6.5625, -1.875, 0.75,
              -0.5, 1.0]
    t = _const(x, 1.0) / lax.mul(x, x)
    p = _jnp().polyval(np.array(coeffs[-nterms:], dtype=x.dtype), t)
    return p / (x * _const(x, np.sqrt(np.pi)))


def _erfcx_impl(x, nterms):
    threshold = np.sqrt(np.log(dtypes.finfo(x.dtype).max))
    large = x > _const(x, threshold)
    safe_x = lax.select(large, lax.full_like(x, 1.0), x)
    direct = lax.exp(lax.mul(safe_x, safe_x)) * lax.erfc(safe_x)
    return lax.select(large, _erfcx_asymptotic(x, nterms), direct)


@custom_jvp
def _erfcx(x):
    if x.dtype == np.float64:
        return _erfcx_impl(x, nterms=9)
    if x.dtype == np.float32:
        return _erfcx_impl(x, nterms=5)
    return lax.convert_element_type(
        _erfcx_impl(lax.convert_element_type(x, np.float32), nterms=5), x.dtype)


_erfcx.defjvps(lambda g, ans, x: g * (2 * x * ans - _const(x, 2.0 / np.sqrt(np.pi))))


def erfcx(x):
    """The scaled complementary error function exp(x^2) erfc(x) (real arguments)."""
    x, = promote_args_inexact("erfcx", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise NotImplementedError("erfcx of complex arguments is not implemented in pyjax")
    return _erfcx(x)


# --- logistic and entropy --------------------------------------------------------------


@custom_jvp
def logit(x):
    x, = promote_args_inexact("logit", x)
    return lax.log(lax.div(x, lax.sub(_const(x, 1), x)))


logit.defjvps(lambda g, ans, x: lax.div(g, lax.mul(x, lax.sub(_const(x, 1), x))))


def expit(x):
    x, = promote_args_inexact("expit", x)
    return lax.logistic(x)


@custom_jvp
def xlogy(x, y):
    jnp = _jnp()
    x, y = promote_args_inexact("xlogy", x, y)
    x_ok = x != 0.0
    return jnp.where(x_ok | jnp.isnan(y), lax.mul(x, lax.log(y)), jnp.zeros_like(x))


def _xlogy_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    result = xlogy(x, y)
    return result, (x_dot * lax.log(y) + y_dot * x / y).astype(result.dtype)


xlogy.defjvp(_xlogy_jvp)


@custom_jvp
def xlog1py(x, y):
    jnp = _jnp()
    x, y = promote_args_inexact("xlog1py", x, y)
    x_ok = x != 0.0
    return jnp.where(x_ok | jnp.isnan(y), lax.mul(x, lax.log1p(y)), jnp.zeros_like(x))


def _xlog1py_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    result = xlog1py(x, y)
    return result, (x_dot * lax.log1p(y) + y_dot * x / (1 + y)).astype(result.dtype)


xlog1py.defjvp(_xlog1py_jvp)


@custom_jvp
def _xlogx(x):
    return xlogy(x, x)


def _xlogx_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return _xlogx(x), x_dot * (lax.log(x) + 1)


_xlogx.defjvp(_xlogx_jvp)


def entr(x):
    x, = promote_args_inexact("entr", x)
    if dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError("entr does not support complex-valued inputs.")
    return lax.select(lax.lt(x, lax.full_like(x, 0)), lax.full_like(x, -np.inf),
                      lax.neg(_xlogx(x)))


def rel_entr(p, q):
    jnp = _jnp()
    p, q = promote_args_inexact("rel_entr", p, q)
    if dtypes.issubdtype(p.dtype, np.complexfloating):
        raise ValueError("rel_entr does not support complex-valued inputs.")
    zero = lax.full_like(p, 0.0)
    both_gt_zero_mask = lax.bitwise_and(lax.gt(p, zero), lax.gt(q, zero))
    one_zero_mask = lax.bitwise_and(lax.eq(p, zero), lax.ge(q, zero))
    safe_p = jnp.where(both_gt_zero_mask, p, _const(p, 1))
    safe_q = jnp.where(both_gt_zero_mask, q, _const(q, 1))
    log_val = lax.sub(_xlogx(safe_p), xlogy(safe_p, safe_q))
    return jnp.where(both_gt_zero_mask, log_val,
                     jnp.where(one_zero_mask, zero, lax.full_like(p, np.inf)))


def kl_div(p, q):
    p, q = promote_args_inexact("kl_div", p, q)
    if dtypes.issubdtype(p.dtype, np.complexfloating):
        raise ValueError("kl_div does not support complex-valued inputs.")
    return rel_entr(p, q) - p + q


def boxcox(x, lmbda):
    jnp = _jnp()
    x, lmbda = promote_args_inexact("boxcox", x, lmbda)
    lmbda_is_zero = lmbda == 0
    safe_lmbda = jnp.where(lmbda_is_zero, jnp.ones_like(lmbda), lmbda)
    log_x = jnp.log(x)
    power_branch = jnp.expm1(safe_lmbda * log_x) / safe_lmbda
    return jnp.where(lmbda_is_zero, log_x, power_branch)


def boxcox1p(x, lmbda):
    jnp = _jnp()
    x, lmbda = promote_args_inexact("boxcox1p", x, lmbda)
    lmbda_is_zero = lmbda == 0
    safe_lmbda = jnp.where(lmbda_is_zero, jnp.ones_like(lmbda), lmbda)
    log1p_x = jnp.log1p(x)
    power_branch = jnp.expm1(safe_lmbda * log1p_x) / safe_lmbda
    return jnp.where(lmbda_is_zero, log1p_x, power_branch)


# --- logsumexp and softmax -----------------------------------------------------------------


def _reduction_dims(ndim, axis):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list, np.ndarray)) else (axis,)
    canon = tuple(canonicalize_axis(a, ndim) for a in axes)
    if len(canon) != len(set(canon)):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return canon


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) without overflow; with `return_sign`, (log|sum|, sign(sum))."""
    jnp = _jnp()
    if where is not None:
        a = jnp.where(where, a, 0)
    if b is not None:
        a_arr, b_arr = promote_args_inexact("logsumexp", a, b)
        a_arr = jnp.where(b_arr != 0, a_arr, _const(a_arr, -np.inf))
    else:
        a_arr, = promote_args_inexact("logsumexp", a)
        b_arr = a_arr
    dims = _reduction_dims(a_arr.ndim, axis)
    amax = jnp.max(jnp.real(a_arr), axis=dims, keepdims=keepdims, where=where,
                   initial=-np.inf)
    amax = lax.stop_gradient(lax.select(jnp.isfinite(amax), amax, lax.full_like(amax, 0)))
    amax_with_dims = amax if keepdims else lax.expand_dims(amax, dims)
    exp_a = jnp.exp(a_arr - amax_with_dims.astype(a_arr.dtype))
    if b is not None:
        exp_a = exp_a * b_arr
    sumexp = jnp.sum(exp_a, axis=dims, keepdims=keepdims, where=where)
    sign = lax.sign(sumexp)
    if return_sign or not dtypes.issubdtype(a_arr.dtype, np.complexfloating):
        sumexp = jnp.abs(sumexp)
    out = lax.add(lax.log(sumexp), amax.astype(sumexp.dtype))
    if return_sign:
        return out, sign
    if b is not None and not dtypes.issubdtype(out.dtype, np.complexfloating):
        out = jnp.where(sign < 0, _const(out, np.nan), out)
    return out


def softmax(x, /, *, axis=None):
    """exp(x) / sum(exp(x)) along `axis` (all axes by default, as SciPy)."""
    jnp = _jnp()
    x = jnp.asarray(x)
    x_max = jnp.max(x, axis, initial=-np.inf, keepdims=True)
    unnormalized = jnp.exp(x - lax.stop_gradient(x_max))
    return unnormalized / jnp.sum(unnormalized, axis, keepdims=True)


def log_softmax(x, /, *, axis=None):
    jnp = _jnp()
    x = jnp.asarray(x)
    x_max = jnp.max(x, axis, initial=-np.inf, keepdims=True)
    shifted = x - lax.stop_gradient(x_max)
    shifted_logsumexp = jnp.log(jnp.sum(jnp.exp(shifted), axis, keepdims=True))
    return shifted - shifted_logsumexp


# --- the normal distribution --------------------------------------------------------------

_LOGNDTR_FLOAT64_LOWER = -20.0
_LOGNDTR_FLOAT32_LOWER = -10.0
_LOGNDTR_FLOAT64_UPPER = 8.0
_LOGNDTR_FLOAT32_UPPER = 5.0


def _float_arg(name, x):
    dt = dtypes.dtype(x, canonicalize=True)
    if dt not in (np.float32, np.float64):
        raise TypeError(f"x.dtype={np.dtype(dt)} is not supported, see docstring for "
                        "supported types.")
    return _jnp().asarray(x)


def ndtr(x):
    """The standard normal CDF."""
    return _ndtr(_float_arg("ndtr", x))


def _ndtr(x):
    half_sqrt_2 = _strong(x, 0.5 * np.sqrt(2.0))
    w = x * half_sqrt_2
    z = lax.abs(w)
    y = lax.select(lax.lt(z, half_sqrt_2),
                   _strong(x, 1.0) + lax.erf(w),
                   lax.select(lax.gt(w, _strong(w, 0.0)),
                              _strong(x, 2.0) - lax.erfc(z), lax.erfc(z)))
    return _strong(x, 0.5) * y


_NDTRI_P0 = [-59.96335010141079, 98.00107541859997, -56.67628574690703, 13.931260938727968,
             -1.2391658386738125]
_NDTRI_Q0 = [1.0, 1.9544885833814176, 4.676279128988815, 86.36024213908905,
             -225.46268785411937, 200.26021238006066, -82.03722561683334, 15.90562251262117,
             -1.1833162112133]
_NDTRI_P1 = [4.0554489230596245, 31.525109459989388, 57.16281922464213, 44.08050738932008,
             14.684956192885803, 2.1866330685079025, -0.1402560791713545, -0.03504246268278482,
             -0.0008574567851546854]
_NDTRI_Q1 = [1.0, 15.779988325646675, 45.39076351288792, 41.3172038254672, 15.04253856929075,
             2.504649462083094, -0.14218292285478779, -0.03808064076915783,
             -0.0009332594808954574]
_NDTRI_P2 = [3.2377489177694603, 6.915228890689842, 3.9388102529247444, 1.3330346081580755,
             0.20148538954917908, 0.012371663481782003, 0.00030158155350823543,
             2.6580697468673755e-06, 6.239745391849833e-09]
_NDTRI_Q2 = [1.0, 6.02427039364742, 3.6798356385616087, 1.3770209948908132,
             0.21623699359449663, 0.013420400608854318, 0.00032801446468212774,
             2.8924786474538068e-06, 6.790194080099813e-09]


def ndtri(p):
    """The inverse of the standard normal CDF (Cephes' rational approximations, as JAX)."""
    return _ndtri(_float_arg("ndtri", p))


def _ndtri(p):
    jnp = _jnp()
    dt = p.dtype.type

    def c(v):
        return _strong(p, v)

    def pv(coeffs, x):
        return _jnp().polyval(np.array(coeffs, dtype=dt), x)

    maybe_complement_p = jnp.where(p > c(-np.expm1(-2.0)), c(1.0) - p, p)
    sanitized_mcp = jnp.where(maybe_complement_p == c(0.0), lax.full(p.shape, 0.5, p.dtype),
                              maybe_complement_p)
    w = sanitized_mcp - c(0.5)
    ww = lax.mul(w, w)
    x_for_big_p = w + w * ww * (pv(_NDTRI_P0, ww) / pv(_NDTRI_Q0, ww))
    x_for_big_p = x_for_big_p * -c(np.sqrt(2.0 * np.pi))
    z = lax.sqrt(c(-2.0) * lax.log(sanitized_mcp))
    first_term = z - lax.log(z) / z
    second_term_small_p = pv(_NDTRI_P2, 1 / z) / pv(_NDTRI_Q2, 1 / z) / z
    second_term_otherwise = pv(_NDTRI_P1, 1 / z) / pv(_NDTRI_Q1, 1 / z) / z
    x_for_small_p = first_term - second_term_small_p
    x_otherwise = first_term - second_term_otherwise
    x = jnp.where(sanitized_mcp > c(np.exp(-2.0)), x_for_big_p,
                  jnp.where(z >= c(8.0), x_for_small_p, x_otherwise))
    x = jnp.where(p > c(1.0 - np.exp(-2.0)), x, -x)
    infinity = lax.full(p.shape, np.inf, p.dtype)
    return jnp.where(p == c(0.0), -infinity, jnp.where(p == c(1.0), infinity, x))


def _log_ndtr(x, series_order):
    jnp = _jnp()
    if x.dtype == np.float64:
        lower, upper = _LOGNDTR_FLOAT64_LOWER, _LOGNDTR_FLOAT64_UPPER
    elif x.dtype == np.float32:
        lower, upper = _LOGNDTR_FLOAT32_LOWER, _LOGNDTR_FLOAT32_UPPER
    else:
        raise TypeError(f"x.dtype={np.dtype(x.dtype)} is not supported.")
    lower, upper = _strong(x, lower), _strong(x, upper)
    x_gt_upper = lax.gt(x, upper)
    ndtr_arg = jnp.where(x_gt_upper, -x, lax.max(x, lax.full(x.shape, lower, x.dtype)))
    ndtr_res = _ndtr(ndtr_arg)
    return jnp.where(x_gt_upper, -ndtr_res,
                     jnp.where(lax.gt(x, lower), lax.log(ndtr_res),
                               _log_ndtr_lower(lax.min(x, lax.full(x.shape, lower, x.dtype)),
                                               series_order)))


def _log_ndtr_impl(x, series_order=3):
    return _log_ndtr(_jnp().asarray(x), series_order)


_log_ndtr_custom = custom_jvp(_log_ndtr_impl, nondiff_argnums=(1,))


def _log_ndtr_jvp(series_order, primals, tangents):
    (x,), (t,) = primals, tangents
    ans = _log_ndtr_custom(x, series_order)
    t_out = lax.mul(t, lax.exp(lax.sub(_norm_logpdf(x), ans)))
    return ans, t_out


_log_ndtr_custom.defjvp(_log_ndtr_jvp)


def log_ndtr(x, series_order=3):
    """log of the standard normal CDF, accurate far into both tails."""
    if not isinstance(series_order, int):
        raise TypeError("series_order must be a Python integer.")
    if series_order < 0:
        raise ValueError("series_order must be non-negative.")
    if series_order > 30:
        raise ValueError("series_order must be <= 30.")
    x = _jnp().asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"x.dtype={np.dtype(x.dtype)} is not supported.")
    return _log_ndtr_custom(x, series_order)


def _log_ndtr_lower(x, series_order):
    x_2 = lax.mul(x, x)
    log_scale = -_strong(x, 0.5) * x_2 - lax.log(-x) - _strong(x, 0.5 * np.log(2.0 * np.pi))
    return log_scale + lax.log(_log_ndtr_asymptotic_series(x, series_order))


def _log_ndtr_asymptotic_series(x, series_order):
    if series_order <= 0:
        return lax.full(x.shape, 1, x.dtype)
    x_2 = lax.mul(x, x)
    even_sum = lax.full(x.shape, 0, x.dtype)
    odd_sum = lax.full(x.shape, 0, x.dtype)
    x_2n = x_2
    for n in range(1, series_order + 1):
        y = _strong(x, float(np.prod(np.arange(2 * n - 1, 1, -2)))) / x_2n
        if n % 2:
            odd_sum = odd_sum + y
        else:
            even_sum = even_sum + y
        x_2n = x_2n * x_2
    return _strong(x, 1.0) + even_sum - odd_sum


def _norm_logpdf(x):
    return lax.sub(lax.mul(_const(x, -0.5), lax.mul(x, x)),
                   _const(x, np.log(np.sqrt(2 * np.pi))))


# --- Bessel functions ------------------------------------------------------------------


def i0e(x):
    x, = promote_args_inexact("i0e", x)
    return lax_special.bessel_i0e(x)


def i0(x):
    x, = promote_args_inexact("i0", x)
    return lax.mul(lax.exp(lax.abs(x)), lax_special.bessel_i0e(x))


def i1e(x):
    x, = promote_args_inexact("i1e", x)
    return lax_special.bessel_i1e(x)


def i1(x):
    x, = promote_args_inexact("i1", x)
    return lax.mul(lax.exp(lax.abs(x)), lax_special.bessel_i1e(x))


# --- zeta ----------------------------------------------------------------------------------

_BERNOULLI_COEFS = [12, -720, 30240, -1209600, 47900160, -1307674368000 / 691, 74724249600,
                    -10670622842880000 / 3617, 5109094217170944000 / 43867,
                    -802857662698291200000 / 174611, 14101100039391805440000 / 77683,
                    -1693824136731743669452800000 / 236364091,
                    186134520519971831808000000 / 657931,
                    -37893265687455865519472640000000 / 3392780147,
                    759790291646040068357842010112000000 / 1723168255201,
                    -134196726836183700385281186201600000000 / 7709321041217]


def _zeta_impl(x, q):
    return lax_special.zeta(x, q)


_zeta_custom = custom_jvp(_zeta_impl)


def _zeta_series_expansion(x, q):
    """Euler-Maclaurin summation of the Hurwitz zeta function (JAX differentiates this)."""
    jnp = _jnp()
    s, a = x, q
    dt = a.dtype.type
    s_, a_ = jnp.expand_dims(s, -1), jnp.expand_dims(a, -1)
    N = M = 8 if a.dtype == np.float32 else 16
    k = jnp.expand_dims(jnp.arange(N, dtype=a.dtype), tuple(range(a.ndim)))
    S = jnp.sum((a_ + k) ** (-s_), -1)
    I = lax.div((a + N) ** (dt(1) - s), s - dt(1))  # noqa: E741
    T0 = (a + N) ** (-s)
    m = jnp.expand_dims(jnp.arange(2 * M, dtype=a.dtype), tuple(range(s.ndim)))
    s_over_a = (s_ + m) / (a_ + N)
    T1 = jnp.cumprod(s_over_a, -1)
    T1 = lax.slice_in_dim(T1, 0, 2 * M, stride=2, axis=T1.ndim - 1)
    T1 = jnp.minimum(T1, _const(T1, dtypes.finfo(a.dtype).max))
    coefs = np.array(_BERNOULLI_COEFS[:M], dtype=a.dtype)
    T1 = T1 / coefs
    T = T0 * (dt(0.5) + jnp.sum(T1, -1))
    return S + I + T


def _zeta_jvp(primals, tangents):
    from pyjax._src.api import jvp
    return jvp(_zeta_series_expansion, primals, tangents)


_zeta_custom.defjvp(_zeta_jvp)


def zeta(x, q=None):
    """The Hurwitz zeta function sum_k (q + k)^-x (q is required, as in JAX)."""
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to "
                                  "compute the Hurwitz Zeta function.")
    x, q = promote_args_inexact("zeta", x, q)
    return _zeta_custom(x, q)


# --- spence and bernoulli -------------------------------------------------------------------


def _spence_poly(w):
    A = [4.6512858607399003e-05, 0.007315890452380947, 0.13384763957830903, 0.8796913117545303,
         2.7114985119655346, 4.256971560081218, 3.297713409852251, 1.0]
    B = [0.0006909904889125533, 0.02540437639325444, 0.2829748606025681, 1.4117259775183106,
         3.6380053334513707, 5.03278880143317, 3.547713409852251, 1.0]
    dt = w.dtype
    return -w * _jnp().polyval(np.array(A, dt), w) / _jnp().polyval(np.array(B, dt), w)


def _spence_calc(x):
    jnp = _jnp()
    x2_bool = x > 2.0
    x = jnp.piecewise(x, [x2_bool], [lambda x: 1.0 / x, lambda x: x])
    x1_5_bool = x > 1.5
    x_5_bool = x < 0.5
    x2_bool = x2_bool | x1_5_bool
    w = jnp.piecewise(x, [x1_5_bool, x_5_bool],
                      [lambda x: 1.0 / x - 1.0, lambda x: -x, lambda x: x - 1.0])
    y = _spence_poly(w)
    y_flag_one = np.pi ** 2 / 6.0 - jnp.log(x) * jnp.log(1.0 - x) - y
    y = jnp.where(x_5_bool, y_flag_one, y)
    y_flag_two = -0.5 * jnp.log(x) ** 2 - y
    return jnp.where(x2_bool, y_flag_two, y)


def spence(x):
    """Spence's function (the dilogarithm Li2(1 - x)) for real x >= 0; nan for x < 0."""
    x = _float_arg("spence", x)
    return _jnp().piecewise(x, [x < 0.0, x == 1.0, x == 0.0],
                           [np.nan, 0, np.pi ** 2 / 6, _spence_calc])


def bernoulli(n):
    """The Bernoulli numbers B_0 ... B_n (float32, as JAX)."""
    jnp = _jnp()
    n = core.concrete_or_error(n, "Argument n of bernoulli").item() \
        if isinstance(n, core.Array) else n
    n = operator.index(n)
    if n < 0:
        raise ValueError("n must be a non-negative integer.")
    b3 = jnp.array([1, -1 / 2, 1 / 6])
    if n < 3:
        return b3[:n + 1]
    m = jnp.arange(4, n + 1, 2, dtype=b3.dtype)
    q1 = 1.0 / np.pi ** 2 * jnp.cumprod(-(m - 1) * m / 4 / np.pi ** 2)
    k = jnp.arange(2, 50, dtype=b3.dtype)
    q2 = jnp.sum(k[:, None] ** (-m[None, :]), axis=0)
    even = q1 * (1 + q2)                        # B_4, B_6, ...
    zero = jnp.zeros((1,), b3.dtype)
    parts = [b3]
    for idx in range(3, n + 1):                 # B_3 = 0, B_4, B_5 = 0, B_6, ...
        parts.append(even[(idx - 4) // 2:(idx - 4) // 2 + 1] if idx % 2 == 0 else zero)
    out = jnp.concatenate(parts)
    return out[:n + 1]


# --- associated Legendre functions and spherical harmonics ------------------------------------


def _legendre_table(l_max, x, is_normalized):
    """P[m][l] (arrays shaped like x) for 0 <= m, l <= l_max; zero where m > l.  The
    unnormalized ones include the Condon-Shortley phase (-1)^m; the normalized ones are
    those of the spherical harmonics (JAX's _gen_associated_legendre)."""
    jnp = _jnp()
    zero = jnp.zeros_like(x)
    p = [[zero] * (l_max + 1) for _ in range(l_max + 1)]
    initial = 0.5 / np.sqrt(np.pi) if is_normalized else 1.0
    p[0][0] = jnp.full_like(x, initial)
    y = jnp.sqrt(1.0 - x * x)
    y_pow = jnp.ones_like(x)
    f_a = 1.0
    for m in range(1, l_max + 1):
        y_pow = y_pow * y
        f_a = f_a * (-np.sqrt(1.0 + 0.5 / m) if is_normalized else 1.0 - 2.0 * m)
        p[m][m] = initial * (f_a * y_pow)
    for m in range(l_max):
        f_b = np.sqrt(2.0 * m + 3.0) if is_normalized else 2.0 * m + 1.0
        p[m][m + 1] = f_b * x * p[m][m]
    for m in range(l_max + 1):
        for l in range(m + 2, l_max + 1):  # noqa: E741
            if is_normalized:
                c0, c1 = l * l, m * m
                d0 = np.sqrt((4.0 * c0 - 1.0) / (c0 - c1))
                d1 = np.sqrt((2.0 * l + 1.0) * ((l - 1.0) ** 2 - c1)
                             / ((2.0 * l - 3.0) * (c0 - c1)))
            else:
                d0 = (2.0 * l - 1.0) / (l - m)
                d1 = (l + m - 1.0) / (l - m)
            p[m][l] = d0 * x * p[m][l - 1] - d1 * p[m][l - 2]
    return p


def _lpmn_args(m, n, z):
    jnp = _jnp()
    z = jnp.asarray(z)
    if z.dtype not in (np.float32, np.float64):
        raise TypeError(f"z.dtype={z.dtype} is not supported, see docstring for supported types.")
    if z.ndim != 1:
        raise ValueError("z must be a 1D array.")
    m = operator.index(core.concrete_or_error(m, "Argument m of lpmn.").item()
                       if isinstance(m, core.Array) else m)
    n = operator.index(core.concrete_or_error(n, "Argument n of lpmn.").item()
                       if isinstance(n, core.Array) else n)
    if m != n:
        raise NotImplementedError("Computations for m!=n are not yet supported.")
    return n, z


def _stack_table(p):
    jnp = _jnp()
    return jnp.stack([jnp.stack(row) for row in p])


def lpmn_values(m, n, z, is_normalized):
    """The associated Legendre functions P_l^m(z) as an (m + 1, n + 1, len(z)) array (m == n)."""
    l_max, z = _lpmn_args(m, n, z)
    return _stack_table(_legendre_table(l_max, z, bool(is_normalized)))


def lpmn(m, n, z):
    """(P_l^m(z), dP_l^m/dz) as (m + 1, n + 1, len(z)) arrays (unnormalized; m == n)."""
    from pyjax._src.api import jvp
    l_max, z = _lpmn_args(m, n, z)
    return jvp(lambda z: _stack_table(_legendre_table(l_max, z, False)), (z,),
               (_jnp().ones_like(z),))


def sph_harm_y(n, m, theta, phi, diff_n=None, n_max=None):
    """The spherical harmonic Y_n^m(theta, phi) (theta the polar angle), complex."""
    jnp = _jnp()
    if diff_n is not None:
        raise NotImplementedError(
            "The 'diff_n' argument to jax.scipy.special.sph_harm_y is not supported.")
    if jnp.isscalar(theta):
        theta = jnp.array([theta])
    if n_max is None:
        n_max = np.max(core.concrete_or_error(n, "The `n_max` argument of "
                                              "`jnp.scipy.special.sph_harm` must be statically "
                                              "specified to use `sph_harm` within JAX "
                                              "transformations."))
    n_max = int(core.concrete_or_error(n_max, "n_max of sph_harm_y")
                if isinstance(n_max, core.Array) else n_max)
    n, m, theta, phi = (jnp.asarray(v) for v in (n, m, theta, phi))
    table = _legendre_table(n_max, jnp.cos(theta), True)
    am = jnp.clip(jnp.abs(m), 0, n_max)
    nn = jnp.clip(n, 0, n_max)
    shape = jnp.broadcast_shapes(am.shape, nn.shape, theta.shape)
    legendre_val = jnp.zeros(shape, theta.dtype)
    for mm in range(n_max + 1):
        for ll in range(mm, n_max + 1):
            legendre_val = jnp.where((am == mm) & (nn == ll), table[mm][ll], legendre_val)
    angle = jnp.abs(m).astype(phi.dtype) * phi
    harmonics = lax.complex(legendre_val * jnp.cos(angle), legendre_val * jnp.sin(angle))
    sign = jnp.where(jnp.abs(m) % 2 == 1, -1.0, 1.0).astype(theta.dtype)
    return jnp.where(m < 0, sign * jnp.conj(harmonics), harmonics)
