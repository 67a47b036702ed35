"""Tests of the jax.numpy math functions of pyjax/_src/numpy/mathfuncs.py and
polynomial.py, and of fixes to ufuncs.py: values against NumPy, and values, dtypes and weak
types against real JAX where it is installed; errors as JAX raises them; jit/vmap/grad.
"""
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.core import get_aval


def _real():
    return pytest.importorskip("jax")


def _leaves(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def check_close(actual, expected, rtol=1e-5, atol=1e-6, dtype=None):
    for a, e in zip(_leaves(actual), _leaves(expected)):
        assert isinstance(a, pyjax.Array), type(a)
        a_, e_ = np.asarray(a), np.asarray(e)
        assert a_.shape == e_.shape, (a_.shape, e_.shape)
        if dtype is not None:
            assert a_.dtype == np.dtype(dtype), (a_.dtype, dtype)
        np.testing.assert_allclose(a_, e_, rtol=rtol, atol=atol, equal_nan=True)


def check_jax(fn, *args, rtol=1e-5, atol=1e-6, **kwargs):
    """fn(jnp-module, ...) with pyjax and real JAX: equal values, dtypes and weak types."""
    real = _real()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = fn(real.numpy, *args, **kwargs)
    actual = fn(jnp, *args, **kwargs)
    exp_l, act_l = _leaves(expected), _leaves(actual)
    assert len(exp_l) == len(act_l)
    for a, e in zip(act_l, exp_l):
        assert isinstance(a, pyjax.Array), type(a)
        a_, e_ = np.asarray(a), np.asarray(e)
        assert a_.shape == e_.shape, (a_.shape, e_.shape)
        assert a_.dtype == e_.dtype, (a_.dtype, e_.dtype)
        assert get_aval(a).weak_type == e.weak_type, (get_aval(a).weak_type, e.weak_type)
        np.testing.assert_allclose(a_, e_, rtol=rtol, atol=atol, equal_nan=True)
    return actual


F = np.array([0., -0., 1.5, -2.5, 0.5, 3., np.inf, -np.inf, np.nan, 1e30, -7.25, 2.0],
             np.float32)
G = np.roll(F, 3)
I = np.array([0, 12, -18, 7, 100, 5, -3, 9], np.int32)
J = np.array([4, 8, 12, 0, -75, 0, -6, 6], np.int32)


# --- elementwise ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fmin", "fmax"])
def test_fmin_fmax(name):
    ref = getattr(np, name)
    check_close(getattr(jnp, name)(F, G), ref(F, G), dtype=np.float32)
    check_jax(lambda m: getattr(m, name)(F, G))
    check_jax(lambda m: getattr(m, name)(2.0, 3))
    check_jax(lambda m: getattr(m, name)(I, J))


def test_frexp_ldexp_modf_spacing():
    f = F[np.isfinite(F) | np.isnan(F)]
    m, e = jnp.frexp(f)
    m_np, e_np = np.frexp(f)
    check_close(m, m_np, dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(e), e_np)
    assert e.dtype == np.int32
    check_jax(lambda mod: mod.frexp(F))
    check_jax(lambda mod: mod.frexp(3.0))
    check_jax(lambda mod: mod.frexp(I))
    check_jax(lambda mod: mod.frexp(f.astype(np.float16)))
    k = np.array([1, -2, 3, 0, 200, -200, 5, 7, 1, 2, 3, 4], np.int32)
    with np.errstate(over="ignore"):
        check_close(jnp.ldexp(F, k), np.ldexp(F, k), dtype=np.float32)
    check_jax(lambda mod: mod.ldexp(F, k))
    check_jax(lambda mod: mod.ldexp(1.5, 3))
    frac, whole = jnp.modf(f)  # modf(inf) is (nan, inf) in JAX, (0, inf) in NumPy
    check_close(frac, np.modf(f)[0])
    check_close(whole, np.modf(f)[1])
    check_jax(lambda mod: mod.modf(F))
    check_jax(lambda mod: mod.modf(-2.5))
    nz = F[F != 0]  # spacing(-0.0) is -tiny in JAX, +tiny in NumPy
    check_close(jnp.spacing(nz), np.spacing(nz), rtol=0, atol=0)
    check_jax(lambda mod: mod.spacing(F))
    check_jax(lambda mod: mod.spacing(F.astype(np.float16)))
    with pytest.raises(TypeError, match="frexp does not support complex"):
        jnp.frexp(1j)
    with pytest.raises(ValueError, match="ldexp not supported for input types"):
        jnp.ldexp(1.5, 2.5)
    with pytest.raises(ValueError, match="spacing is not defined for complex"):
        jnp.spacing(1j)
    with pytest.raises(NotImplementedError, match="out"):
        jnp.modf(F, out=F)


def test_frexp_grad():
    real = _real()
    x = np.float32(6.5)
    g = pyjax.grad(lambda v: jnp.frexp(v)[0] * 3)(x)
    np.testing.assert_allclose(g, real.grad(lambda v: real.numpy.frexp(v)[0] * 3)(x))


def test_bitwise_count():
    x = np.array([0, 1, -1, 255, -128, 7, 2 ** 30], np.int32)
    check_close(jnp.bitwise_count(x), np.bitwise_count(x), dtype=np.uint8)
    check_jax(lambda m: m.bitwise_count(x))
    check_jax(lambda m: m.bitwise_count(np.uint8(255)))
    check_jax(lambda m: m.bitwise_count(True))
    with pytest.raises(TypeError):
        jnp.bitwise_count(1.5)


def test_gcd_lcm():
    check_close(jnp.gcd(I, J), np.gcd(I, J), dtype=np.int32)
    check_close(jnp.lcm(I, J), np.lcm(I, J), dtype=np.int32)
    check_jax(lambda m: m.gcd(I, J))
    check_jax(lambda m: m.lcm(I, J))
    check_jax(lambda m: m.gcd(12, 18))
    check_jax(lambda m: m.lcm(np.int8(4), 6))
    check_jax(lambda m: m.gcd(I[:, None], J[None, :4]))
    assert int(pyjax.jit(jnp.gcd)(84, 36)) == 12
    with pytest.raises(ValueError, match="Arguments to jax.numpy.gcd must be integers"):
        jnp.gcd(1.5, 2)
    with pytest.raises(ValueError, match="Arguments to jax.numpy.lcm must be integers"):
        jnp.lcm(True, False)


def test_nan_to_num():
    check_close(jnp.nan_to_num(F), np.nan_to_num(F), dtype=np.float32)
    check_jax(lambda m: m.nan_to_num(F))
    check_jax(lambda m: m.nan_to_num(F, nan=1.0, posinf=2.0, neginf=-3))
    c = F.astype(np.complex64)
    c.imag = G
    check_close(jnp.nan_to_num(c), np.nan_to_num(c))
    check_jax(lambda m: m.nan_to_num(c))
    check_jax(lambda m: m.nan_to_num(2.0))
    check_jax(lambda m: m.nan_to_num(I))


def test_i0():
    x = np.array([0., 0.5, -1.5, 3., 10., -20.], np.float32)
    check_close(jnp.i0(x), np.i0(x), rtol=2e-6)
    check_jax(lambda m: m.i0(x))
    check_jax(lambda m: m.i0(1))
    real = _real()
    for v in (0.0, 1.5, -2.0):
        np.testing.assert_allclose(pyjax.grad(jnp.i0)(v), real.grad(real.numpy.i0)(v), rtol=1e-5)
    with pytest.raises(ValueError, match="Unsupported input type to jax.numpy.i0"):
        jnp.i0(1j)


# --- interp ---------------------------------------------------------------------------

XP = np.array([0., 1., 2.5, 4.], np.float32)
FP = np.array([1., -1., 3., 0.], np.float32)
XS = np.array([-1., 0, 0.5, 1., 2., 3.9, 4., 5., np.nan], np.float32)


@pytest.fixture(params=["lax", "fallback"])
def lax_paths(request, monkeypatch):
    """Run with pyjax's gather and convolution primitives, and with the fallbacks written
    in selects, dot products and loops (used where pyjax has no gather or conv)."""
    if request.param == "fallback":
        from pyjax._src.numpy import mathfuncs
        monkeypatch.setattr(mathfuncs, "_lax_take", lambda: None)
        monkeypatch.setattr(mathfuncs, "_lax_conv", lambda: None)
    return request.param


def test_interp(lax_paths):
    check_close(jnp.interp(XS, XP, FP), np.interp(XS, XP, FP))
    check_close(jnp.interp(XS, XP, FP, left=-5., right=7.), np.interp(XS, XP, FP, -5., 7.))
    check_close(jnp.interp(XS[:8], XP, FP, period=3.), np.interp(XS[:8], XP, FP, period=3.))
    check_jax(lambda m: m.interp(XS, XP, FP))
    check_jax(lambda m: m.interp(XS, XP, FP, left='extrapolate', right='extrapolate'))
    check_jax(lambda m: m.interp(XS, XP, FP, left=-5., right=7))
    check_jax(lambda m: m.interp(XS, XP, FP, period=3.))
    check_jax(lambda m: m.interp(2, np.array([1, 3]), np.array([0, 10])))
    check_jax(lambda m: m.interp(XS[:4], XP, (FP + 1j * FP[::-1]).astype(np.complex64)))
    real = _real()
    g = pyjax.grad(lambda f: jnp.interp(1.7, XP, f))(FP)
    np.testing.assert_allclose(g, real.grad(lambda f: real.numpy.interp(1.7, XP, f))(FP))
    out = pyjax.jit(jnp.interp)(XS, XP, FP)
    check_close(out, np.interp(XS, XP, FP))
    with pytest.raises(ValueError, match="xp and fp must be one-dimensional"):
        jnp.interp(XS, XP, FP[:3])
    with pytest.raises(ValueError, match="only valid string value of `left`"):
        jnp.interp(XS, XP, FP, left="nope")
    with pytest.raises(ValueError, match="complex x values"):
        jnp.interp(1j, XP, FP)
    with pytest.raises(ValueError, match="period must be a scalar"):
        jnp.interp(XS, XP, FP, period=np.ones(2))


# --- unwrap, vander, cross ------------------------------------------------------------


def test_unwrap():
    p = np.array([0., 3., 6.5, 1., -3., 9.], np.float32)
    check_close(jnp.unwrap(p), np.unwrap(p), rtol=1e-5, atol=1e-5)
    check_jax(lambda m: m.unwrap(p))
    check_jax(lambda m: m.unwrap(p, discont=4.))
    check_jax(lambda m: m.unwrap(np.array([0, 3, 7, 1, -3, 9]), period=4))
    q = np.array([[0., 5., 10.], [1., -5., 3.]], np.float32)
    check_jax(lambda m: m.unwrap(q, axis=0))
    check_jax(lambda m: m.unwrap(np.zeros((2, 0), np.float32)))
    with pytest.raises(ValueError, match="does not support complex"):
        jnp.unwrap(np.ones(3, np.complex64))


def test_vander():
    x = np.array([1., 2., -3.], np.float32)
    check_close(jnp.vander(x), np.vander(x), dtype=np.float32)
    check_close(jnp.vander(x, 4, increasing=True), np.vander(x, 4, increasing=True))
    check_jax(lambda m: m.vander(x))
    check_jax(lambda m: m.vander(np.array([1, 2, 3]), 4, increasing=True))
    check_jax(lambda m: m.vander(x, 0))
    with pytest.raises(ValueError, match="one-dimensional"):
        jnp.vander(np.ones((2, 2)))
    with pytest.raises(ValueError, match="N must be nonnegative"):
        jnp.vander(x, -1)


def test_cross():
    a = np.arange(6.).reshape(2, 3).astype(np.float32)
    b = np.array([1., -1., 2.], np.float32)
    check_close(jnp.cross(a, b), np.cross(a, b))
    check_jax(lambda m: m.cross(a, b))
    check_jax(lambda m: m.cross(np.arange(4.).reshape(2, 2), np.array([1., 2.])))
    check_jax(lambda m: m.cross(np.array([1, 2]), np.array([3, 4, 5])))
    a3 = np.arange(6.).reshape(3, 2)
    check_jax(lambda m: m.cross(a3, a3 + 1, axisa=0, axisb=0, axisc=0))
    check_jax(lambda m: m.cross(a3.T, a3.T[::-1], axis=1))
    check_jax(lambda m: m.cross(a3, a3[::-1] * 2, axisa=0, axisb=0, axisc=-1))
    with pytest.raises(ValueError, match="Dimension must be either 2 or 3"):
        jnp.cross(np.ones(4), np.ones(3))


# --- convolve / correlate -------------------------------------------------------------

A = np.array([1., 2., -3., 4., 0.5], np.float32)
V = np.array([0.5, 1., 2.], np.float32)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_correlate(mode, lax_paths):
    for a, v in ((A, V), (V, A), (A, A[:1])):
        check_close(jnp.convolve(a, v, mode=mode), np.convolve(a, v, mode=mode))
        check_close(jnp.correlate(a, v, mode=mode), np.correlate(a, v, mode=mode))
    check_jax(lambda m: m.convolve(A, V, mode=mode))
    check_jax(lambda m: m.correlate(V, A, mode=mode))
    c = (A + 1j * A[::-1]).astype(np.complex64)
    check_close(jnp.correlate(c, V * 1j, mode=mode), np.correlate(c, V * 1j, mode=mode))
    check_jax(lambda m: m.correlate(c, (V * 1j).astype(np.complex64), mode=mode))


def test_convolve_dtypes_and_errors(lax_paths):
    check_jax(lambda m: m.convolve(np.array([1, 2, 3]), np.array([1, 1])))
    check_jax(lambda m: m.convolve(np.array([1, 2, 3]), np.array([1, 1]),
                                   preferred_element_type=np.int32))
    with pytest.raises(ValueError, match="only support 1-dimensional"):
        jnp.convolve(np.array([1., 2.]), 3.)
    with pytest.raises(ValueError, match="only support 1-dimensional"):
        jnp.convolve(np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="inputs cannot be empty"):
        jnp.correlate(np.ones(0), np.ones(2))
    with pytest.raises(ValueError, match="mode must be one of"):
        jnp.convolve(A, V, mode="nope")


def test_convolve_tap_loop(monkeypatch):
    from pyjax._src.numpy import mathfuncs
    rng = np.random.default_rng(0)
    a = rng.standard_normal(40).astype(np.float32)
    v = rng.standard_normal(7).astype(np.float32)
    monkeypatch.setattr(mathfuncs, "_lax_conv", lambda: None)
    monkeypatch.setattr(mathfuncs, "_WINDOW_LIMIT", 0)  # the loop over kernel taps
    check_close(jnp.convolve(a, v, mode="same"), np.convolve(a, v, mode="same"), atol=1e-5)
    check_close(jnp.convolve(np.arange(5), np.array([1, 2]), preferred_element_type=np.int32),
                np.convolve(np.arange(5), [1, 2]), dtype=np.int32)


def test_convolve_transforms(lax_paths):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(40).astype(np.float32)
    v = rng.standard_normal(7).astype(np.float32)
    expected = np.convolve(a, v, mode="same")
    check_close(pyjax.jit(lambda x, y: jnp.convolve(x, y, mode="same"))(a, v), expected,
                rtol=1e-5, atol=1e-5)
    batched = pyjax.vmap(lambda x: jnp.convolve(x, v))(np.stack([a, a[::-1]]))
    check_close(batched, np.stack([np.convolve(a, v), np.convolve(a[::-1], v)]), atol=1e-5)
    real = _real()
    g = pyjax.grad(lambda x, y: jnp.correlate(x, y, mode="full").sum() ** 2, (0, 1))(a[:6], v)
    gr = real.grad(lambda x, y: real.numpy.correlate(x, y, mode="full").sum() ** 2, (0, 1))(
        a[:6], v)
    check_close(g, gr, rtol=1e-4, atol=1e-4)


# --- cumulative -----------------------------------------------------------------------


def test_cumulative_sum_prod():
    x = np.arange(1, 7, dtype=np.int8).reshape(2, 3)
    check_jax(lambda m: m.cumulative_sum(np.arange(5, dtype=np.int8), include_initial=True))
    check_jax(lambda m: m.cumulative_sum(x, axis=1))
    check_jax(lambda m: m.cumulative_sum(x, axis=0, dtype=np.float32, include_initial=True))
    check_jax(lambda m: m.cumulative_prod(x, axis=1, include_initial=True))
    check_jax(lambda m: m.cumulative_prod(np.array([True, False, True])))
    check_jax(lambda m: m.cumulative_sum(np.array([1.5, 2.5]), dtype=bool))
    check_close(jnp.cumulative_sum(x, axis=-1, include_initial=True),
                np.concatenate([np.zeros((2, 1)), np.cumsum(x, 1)], 1))
    with pytest.raises(ValueError, match="non-scalar"):
        jnp.cumulative_sum(3)
    with pytest.raises(ValueError, match="axis was not set"):
        jnp.cumulative_prod(x)


def test_nancumsum_nancumprod():
    f = np.array([[1., np.nan, 2.], [np.nan, 3., -1.]], np.float32)
    check_close(jnp.nancumsum(f), np.nancumsum(f))
    check_close(jnp.nancumprod(f, axis=1), np.nancumprod(f, axis=1))
    check_jax(lambda m: m.nancumsum(f, axis=0))
    check_jax(lambda m: m.nancumprod(f))
    check_jax(lambda m: m.nancumsum(np.arange(4, dtype=np.int8)))


# --- trapezoid and windows ------------------------------------------------------------


def test_trapezoid():
    y = (np.arange(12.).reshape(3, 4) ** 2).astype(np.float32)
    x = np.array([0., 1., 3., 6.], np.float32)
    check_close(jnp.trapezoid(y), np.trapezoid(y))
    check_close(jnp.trapezoid(y, x), np.trapezoid(y, x))
    check_jax(lambda m: m.trapezoid(y, dx=0.5, axis=0))
    check_jax(lambda m: m.trapezoid(y, x))
    check_jax(lambda m: m.trapezoid(y, np.cumsum(y + 1, 0), axis=0))
    check_jax(lambda m: m.trapezoid(np.arange(5)))


@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
def test_windows(name):
    for M in (0, 1, 2, 7):
        check_close(getattr(jnp, name)(M), getattr(np, name)(M), atol=1e-6)
    check_jax(lambda m: getattr(m, name)(7))
    check_jax(lambda m: getattr(m, name)(1))


def test_kaiser():
    check_close(jnp.kaiser(7, 2.5), np.kaiser(7, 2.5), rtol=1e-5)
    check_jax(lambda m: m.kaiser(7, 2.5))
    check_jax(lambda m: m.kaiser(1, 2.5))


# --- fixes in ufuncs.py ---------------------------------------------------------------


def test_logaddexp_custom_jvp_and_values():
    real = _real()
    rj = real.numpy
    for x, y in ((1.0, 2.0), (-np.inf, 0.5), (np.inf, 1.0), (-np.inf, -np.inf), (3., 3.)):
        for name in ("logaddexp", "logaddexp2"):
            x32, y32 = np.float32(x), np.float32(y)
            check_jax(lambda m: getattr(m, name)(x32, y32))
            g = pyjax.grad(getattr(jnp, name), (0, 1))(x32, y32)
            gr = real.grad(getattr(rj, name), (0, 1))(x32, y32)
            check_close(g, gr)
    c = np.array([1 + 1j, -2 + 3j, 0.5 - 4j], np.complex64)
    check_jax(lambda m: m.logaddexp(c, c[::-1]))
    check_jax(lambda m: m.logaddexp2(c, 1.5))
    check_jax(lambda m: m.logaddexp(np.float16(1), np.float16(2)))
    with pytest.raises(ValueError, match="logaddexp"):
        from pyjax._src.numpy.ufuncs import _logaddexp_raw
        _logaddexp_raw(jnp.ones(2, np.int32), jnp.ones(2, np.int32))


def test_sinc_derivatives_at_zero():
    real = _real()
    rj = real.numpy
    for v in (0.0, 0.3):
        d1 = pyjax.grad(jnp.sinc)(v)
        d2 = pyjax.grad(pyjax.grad(jnp.sinc))(v)
        np.testing.assert_allclose(d1, real.grad(rj.sinc)(v), atol=1e-6)
        np.testing.assert_allclose(d2, real.grad(real.grad(rj.sinc))(v), rtol=1e-5)
    np.testing.assert_allclose(pyjax.grad(pyjax.grad(jnp.sinc))(0.0), -np.pi ** 2 / 3, rtol=1e-6)
    check_jax(lambda m: m.sinc(F))
    check_jax(lambda m: m.sinc(0))


def test_round_bool_error():
    with pytest.raises(ValueError, match="not inexact"):
        jnp.round(np.array([True, False]))
    with pytest.raises(ValueError, match="not inexact"):
        jnp.around(True)


def test_multiply_by_boolean_array_masks():
    # JAX (XLA) computes x * bool_array as select(mask, x, 0) when the mask is not broadcast:
    # inf * False is 0 there, but NaN for a Python False or a broadcast mask.
    x = np.array([np.inf, np.nan, -np.inf, 2., -3.], np.float32)
    b = np.array([False, False, True, False, True])
    np.testing.assert_array_equal(jnp.multiply(x, b), [0., 0., -np.inf, 0., -3.])
    check_jax(lambda m: m.multiply(b, x))
    check_jax(lambda m: m.multiply(x, False))
    check_jax(lambda m: m.multiply(np.bool_(False), x))
    check_jax(lambda m: m.multiply(x[:, None], b))
    check_jax(lambda m: m.multiply(np.inf, b))
    check_jax(lambda m: m.multiply(np.array([1 + 1j * np.inf], np.complex64), np.array([False])))
    check_jax(lambda m: m.multiply(np.arange(5), b))


def test_scalar_fast_path_dtypes():
    # x op python-scalar takes a fast path when the scalar keeps x's dtype and weak type:
    # dtypes and weak types as JAX's (traced, not compiled: jax.eval_shape), values NumPy's.
    real = _real()
    ops = {"multiply": np.multiply, "add": np.add, "less": np.less,
           "true_divide": np.true_divide}
    for dt in (np.float16, np.float32, np.int8, np.uint8, np.int32):
        x = np.ones(3, dt) * 3
        for y in (2, 300, -1, 1.5):
            for name, ref in ops.items():
                out = getattr(jnp, name)(x, y)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exp = real.eval_shape(lambda v: getattr(real.numpy, name)(v, y), x)
                assert (out.dtype, get_aval(out).weak_type) == (exp.dtype, exp.weak_type), \
                    (dt, y, name)
                if type(y) is int and np.dtype(dt).kind in "iu" and not \
                        np.iinfo(dt).min <= y <= np.iinfo(dt).max:
                    continue  # wraps, as in JAX (checked in test_numpy)
                want = ref(x.astype(np.float64), y).astype(exp.dtype)
                np.testing.assert_allclose(np.asarray(out), want, rtol=1e-3)


# --- polynomials ----------------------------------------------------------------------

P = np.array([1., -3., 2., 5.], np.float32)
Q = np.array([2., 0.5], np.float32)
XV = np.array([0., 1.5, -2., 3.], np.float32)


def test_polyval():
    check_close(jnp.polyval(P, XV), np.polyval(P, XV))
    check_jax(lambda m: m.polyval(P, XV))
    check_jax(lambda m: m.polyval(np.array([1, 2, 3]), 2))
    check_jax(lambda m: m.polyval(np.arange(6.).reshape(3, 2), XV[:, None]))
    check_jax(lambda m: m.polyval(np.array([1., 2.]), 2.))
    real = _real()
    g = pyjax.grad(lambda c, x: jnp.polyval(c, x), (0, 1))(P, np.float32(0.7))
    gr = real.grad(lambda c, x: real.numpy.polyval(c, x), (0, 1))(P, np.float32(0.7))
    check_close(g, gr)


def test_polyadd_sub_mul_div():
    check_close(jnp.polyadd(P, Q), np.polyadd(P, Q))
    check_close(jnp.polysub(Q, P), np.polysub(Q, P))
    check_close(jnp.polymul(P, Q), np.polymul(P, Q))
    q, r = jnp.polydiv(P, Q)
    q_np, r_np = np.polydiv(P, Q)
    check_close(q, q_np, rtol=1e-5)
    check_close(r[-1:], r_np, atol=1e-5)
    check_jax(lambda m: m.polyadd(P, Q))
    check_jax(lambda m: m.polyadd(Q, P))
    check_jax(lambda m: m.polyadd(np.array([1, 2]), np.array([3, 4, 5])))
    check_jax(lambda m: m.polysub(Q, P))
    check_jax(lambda m: m.polymul(P, Q))
    check_jax(lambda m: m.polymul(np.array([1, 2]), np.array([3, 4, 5])))
    check_jax(lambda m: m.polymul(np.array([0., 0, 1, 2]), np.array([0., 3, 4, 5]),
                                  trim_leading_zeros=True))
    check_jax(lambda m: m.polydiv(P, Q))
    check_jax(lambda m: m.polydiv(Q, P))
    check_jax(lambda m: m.polydiv(np.array([1., 3, 2]), np.array([1., 1]),
                                  trim_leading_zeros=True))


def test_polyder_polyint():
    check_close(jnp.polyder(P, 2), np.polyder(P, 2))
    check_close(jnp.polyint(P, 2, k=np.array([1., 2.])), np.polyint(P, 2, k=[1., 2.]))
    check_jax(lambda m: m.polyder(P))
    check_jax(lambda m: m.polyder(P, 5))
    check_jax(lambda m: m.polyder(np.array([1, 2, 3])))
    check_jax(lambda m: m.polyint(P))
    check_jax(lambda m: m.polyint(P, 2, k=np.array([1., 2.])))
    check_jax(lambda m: m.polyint(P, 3, k=5))
    check_jax(lambda m: m.polyint(P, 0))
    with pytest.raises(ValueError, match="k must be a scalar or a rank-1 array"):
        jnp.polyint(P, 2, k=np.array([1., 2., 3.]))
    with pytest.raises(ValueError, match="Order of integral must be positive"):
        jnp.polyint(P, -1)
    with pytest.raises(ValueError, match="Order of derivative must be positive"):
        jnp.polyder(P, -1)


def test_polyfit():
    xs = np.linspace(-1, 1, 9).astype(np.float32)
    ys = (xs ** 3 - xs + 0.5).astype(np.float32)
    check_close(jnp.polyfit(xs, ys, 3), np.polyfit(xs, ys, 3), atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, ys, 3), atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, np.stack([ys, 2 * ys], 1), 2), atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, ys, 2, w=np.arange(1., 10.)), atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, ys, 2, full=True), rtol=1e-4, atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, ys, 2, cov=True), rtol=1e-4, atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, ys, 2, cov="unscaled"), rtol=1e-4, atol=1e-5)
    check_jax(lambda m: m.polyfit(xs, np.stack([ys, 2 * ys], 1), 1, cov=True), rtol=1e-4,
              atol=1e-5)
    with pytest.raises(ValueError, match="expected deg >= 0"):
        jnp.polyfit(xs, ys, -1)
    with pytest.raises(TypeError, match="expected x and y to have same length"):
        jnp.polyfit(xs, ys[:3], 1)


def _sorted_roots(r):
    r = np.asarray(r)
    return jnp.asarray(r[np.lexsort((r.imag.round(4), r.real.round(4)))])


def test_poly_roots():
    check_close(jnp.poly(np.array([1., 2., -3.])), np.poly([1., 2., -3.]))
    check_jax(lambda m: m.poly(np.array([1., 2., -3.])))
    check_jax(lambda m: m.poly(np.array([[1., 2.], [3., 4.]])), rtol=1e-4, atol=1e-5)
    check_jax(lambda m: m.poly(np.array([])))
    check_jax(lambda m: m.poly(np.array([1, 2])))
    for p in ([1., -6., 11., -6.], [0., 0., 1., -3., 2.], [1., -3., 2., 0.], [1., 0., 1.]):
        p = np.array(p, np.float32)
        r = jnp.roots(p)
        assert r.dtype == np.complex64
        check_close(_sorted_roots(r), _sorted_roots(np.roots(p).astype(np.complex64)),
                    atol=1e-5)
    check_jax(lambda m: m.roots(np.array([3.])))
    nostrip = jnp.roots(np.array([0., 1., -3., 2.]), strip_zeros=False)
    check_close(_sorted_roots(nostrip), np.array([1., 2., np.nan], np.complex64), atol=1e-5)
    jitted = pyjax.jit(lambda v: jnp.roots(v, strip_zeros=False))(np.array([0., 1., -3., 2.]))
    check_close(_sorted_roots(jitted), np.array([1., 2., np.nan], np.complex64), atol=1e-5)
    assert np.isnan(np.asarray(jnp.roots(np.zeros(3), strip_zeros=False))).all()
    with pytest.raises(pyjax.errors.ConcretizationTypeError):
        pyjax.jit(jnp.roots)(np.array([1., 2.]))
    with pytest.raises(ValueError, match="rank-1"):
        jnp.roots(np.ones((2, 2)))


def test_transforms_of_math_functions():
    x = np.array([0.3, -1.2, 2.5], np.float32)
    f = lambda v: (jnp.fmax(v, 0.) + jnp.modf(v)[0] + jnp.nan_to_num(v / 0.5)  # noqa: E731
                   + jnp.ldexp(v, 2) + jnp.i0(v) + jnp.cumulative_sum(v)).sum()
    real = _real()
    rj = real.numpy
    fr = lambda v: (rj.fmax(v, 0.) + rj.modf(v)[0] + rj.nan_to_num(v / 0.5)  # noqa: E731
                    + rj.ldexp(v, 2) + rj.i0(v) + rj.cumulative_sum(v)).sum()
    check_close(pyjax.jit(f)(x), fr(x), rtol=1e-5)
    check_close(pyjax.grad(f)(x), real.grad(fr)(x), rtol=1e-5)
    check_close(pyjax.vmap(lambda v: jnp.gcd(v, 12))(np.array([8, 18, 7])),
                np.gcd([8, 18, 7], 12))
