"""Complex numbers throughout pyjax: creation, arithmetic, ufuncs and reductions on complex
dtypes (values, dtypes and weak types against real JAX and NumPy), and differentiation with
JAX's conventions: grad of a real-valued f of z = x + iy is df/dx - i df/dy (2 * conj(z) for
|z|^2), holomorphic=True gives f'(z) for complex-to-complex functions, and vjp/jvp take
complex cotangents and tangents unconjugated; every case is compared with real JAX."""
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.core import get_aval

Z = np.complex64(1.5 - 0.7j)
ZS = np.array([1.5 - 0.7j, -0.3 + 2j, 0.8 + 0.1j, -2 - 1j], np.complex64)
T = np.complex64(0.3 + 0.9j)  # a tangent / cotangent
F = np.array([1.5, -0.3, 0.8, 2.], np.float32)


def _real():
    return pytest.importorskip("jax")


def _leaves(x):
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def check_same(actual, expected, rtol=2e-5, atol=2e-5):
    """Values, shapes, dtypes and weak types of a pyjax result against a JAX one."""
    act, exp = _leaves(actual), _leaves(expected)
    assert len(act) == len(exp)
    for a, e in zip(act, exp):
        assert isinstance(a, pyjax.Array), type(a)
        a_, e_ = np.asarray(a), np.asarray(e)
        assert a_.shape == e_.shape, (a_.shape, e_.shape)
        assert a_.dtype == e_.dtype, (a_.dtype, e_.dtype)
        if hasattr(e, "weak_type"):
            assert get_aval(a).weak_type == e.weak_type, (get_aval(a).weak_type, e.weak_type)
        np.testing.assert_allclose(a_, e_, rtol=rtol, atol=atol, equal_nan=True)


def both(fn):
    """fn(module) for pyjax.numpy and jax.numpy."""
    real = _real()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = fn(real.numpy)
    return fn(jnp), expected


def check_many(fns, rtol=2e-5):
    """Each fn(module) for pyjax.numpy and jax.numpy; the JAX side is staged as one jitted
    program (one compilation instead of one per function)."""
    real = _real()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = real.jit(lambda: [f(real.numpy) for f in fns])()
    for f, e in zip(fns, expected):
        check_same(f(jnp), e, rtol=rtol, atol=rtol)


# --- creation, arithmetic, dtypes -----------------------------------------------------

CREATION = {
    "array": lambda m: m.array(1 + 2j),
    "asarray_list": lambda m: m.asarray([1j, 2]),
    "zeros_complex": lambda m: m.zeros(3, complex),
    "ones_c64": lambda m: m.ones(2, m.complex64),
    "full": lambda m: m.full(2, 1j),
    "linspace": lambda m: m.linspace(0, 1 + 1j, 4),
    "eye": lambda m: m.eye(2, dtype=complex),
    "f32_plus_1j": lambda m: m.asarray(F) + 1j,
    "int_times_1j": lambda m: m.arange(3) * 1j,
    "f16_plus_1j": lambda m: m.asarray(F, m.float16) + 1j,
    "bf16_plus_1j": lambda m: m.asarray(F, m.bfloat16) + 1j,
    "weak_complex": lambda m: m.multiply(1j, 2.0),
    "c64_plus_f32": lambda m: m.asarray(ZS) + m.asarray(F),
    "c64_div_int": lambda m: m.asarray(ZS) / m.arange(1, 5),
    "c64_pow_int": lambda m: m.asarray(ZS) ** 3,
    "c64_pow_float": lambda m: m.asarray(ZS) ** 0.5,
    "c64_pow_c64": lambda m: m.asarray(ZS) ** m.asarray(ZS[::-1]),
    "astype_c64": lambda m: m.asarray(F).astype(m.complex64),
    "astype_f32": lambda m: m.asarray(ZS).astype(m.float32),
    "astype_int": lambda m: m.asarray(ZS).astype(m.int32),
    "astype_bool": lambda m: m.asarray(ZS * np.array([0, 1, 0, 1])).astype(bool),
    "real_attr": lambda m: m.asarray(ZS).real,
    "imag_attr": lambda m: m.asarray(ZS).imag,
    "conj_method": lambda m: m.asarray(ZS).conj(),
}


@pytest.mark.parametrize("name", list(CREATION))
def test_creation_and_arithmetic(name):
    check_same(*both(CREATION[name]))


def test_lax_complex_real_imag():
    real = _real()
    out = pyjax.lax.complex(F, F[::-1])
    check_same(out, real.lax.complex(F, F[::-1]))
    check_same(pyjax.lax.real(out), real.lax.real(real.lax.complex(F, F[::-1])))
    check_same(pyjax.lax.imag(out), F[::-1] + real.numpy.zeros(4, np.float32))


UNARY = ["sign", "sqrt", "abs", "angle", "real", "imag", "isfinite", "conj", "round", "rint",
         "square", "reciprocal", "exp", "exp2", "log", "log2", "log10", "sinc", "isreal",
         "iscomplex", "negative", "positive", "expm1", "log1p", "arccosh", "arcsinh",
         "arctanh", "arcsin", "arccos", "arctan", "cos", "sin", "cosh", "sinh", "tanh", "tan",
         "isnan", "isinf", "nan_to_num"]


def test_unary_ufuncs_on_complex():
    check_many([lambda m, name=name: getattr(m, name)(ZS) for name in UNARY])
    check_same(*both(lambda m: m.angle(ZS, deg=True)))
    check_same(*both(lambda m: m.round(ZS, 2)))
    check_same(*both(lambda m: m.abs(1 + 1j)))


def test_complex_errors():
    for name, exc, msg in [("floor", TypeError, "complex"), ("ceil", TypeError, "complex"),
                           ("fabs", TypeError, "complex"), ("signbit", ValueError, "complex"),
                           ("spacing", ValueError, "complex"), ("frexp", TypeError, "complex")]:
        with pytest.raises(exc, match=msg):
            getattr(jnp, name)(ZS)
    for name, exc in [("floor_divide", TypeError), ("hypot", ValueError),
                      ("copysign", TypeError)]:
        with pytest.raises(exc):
            getattr(jnp, name)(ZS, ZS)


BINARY = ["add", "subtract", "multiply", "divide", "power", "equal", "not_equal", "logaddexp",
          "float_power", "true_divide", "logical_and", "logical_or"]


def test_binary_ufuncs_on_complex():
    check_many([lambda m, name=name: getattr(m, name)(ZS, ZS[::-1]) for name in BINARY] +
               [lambda m, name=name: getattr(m, name)(ZS, 2.5) for name in BINARY])
    check_same(*both(lambda m: m.maximum(ZS, ZS[::-1])))
    check_same(*both(lambda m: m.minimum(ZS, 0.5 + 0j)))


REDUCTIONS = ["sum", "prod", "mean", "var", "std", "cumsum", "cumprod", "max", "min", "all",
              "any", "count_nonzero", "nansum", "nanmean", "nanprod", "ptp", "cumulative_sum",
              "nancumsum", "nancumprod"]


def test_reductions_on_complex():
    check_many([lambda m, name=name: getattr(m, name)(ZS) for name in REDUCTIONS], rtol=1e-4)
    m2 = ZS.reshape(2, 2)
    check_same(*both(lambda m: m.sum(m2, axis=0, keepdims=True)))
    check_same(*both(lambda m: m.var(m2, axis=1)))
    check_same(*both(lambda m: m.add.reduce(ZS)))
    check_same(*both(lambda m: m.multiply.accumulate(ZS)))
    check_same(*both(lambda m: m.logical_and.reduce(ZS)))
    check_same(*both(lambda m: m.logaddexp.reduce(ZS)))
    np.testing.assert_allclose(jnp.sum(ZS), np.sum(ZS), rtol=1e-6)
    np.testing.assert_allclose(jnp.prod(ZS), np.prod(ZS), rtol=1e-5)


def test_products_and_polynomials_on_complex():
    check_same(*both(lambda m: m.dot(ZS, ZS)))
    check_same(*both(lambda m: m.vdot(ZS, ZS)))
    check_same(*both(lambda m: m.outer(ZS, ZS) @ ZS))
    check_same(*both(lambda m: m.convolve(ZS, ZS[:2])))
    check_same(*both(lambda m: m.correlate(ZS, ZS[:3], mode="same")))
    check_same(*both(lambda m: m.polyval(ZS, 1 + 1j)))
    check_same(*both(lambda m: m.polymul(ZS, ZS[:2])))
    check_same(*both(lambda m: m.isclose(ZS, ZS + 1e-7j)))
    check_same(*both(lambda m: m.interp(F[:2], np.array([0., 1.]), ZS[:2])))
    np.testing.assert_allclose(jnp.vdot(ZS, ZS), np.vdot(ZS, ZS), rtol=1e-6)


# --- differentiation ------------------------------------------------------------------

R_TO_R = {  # real -> real through complex intermediates
    "abs_exp": lambda m: lambda t: m.abs(m.exp(1j * t) * (t + 2j)),
    "real_square": lambda m: lambda t: m.real((t + 1j * t) ** 2),
    "angle": lambda m: lambda t: m.angle(t + 2j * t * t),
    "imag_log": lambda m: lambda t: m.imag(m.log(t + 1j)),
    "conj": lambda m: lambda t: m.real(m.conj(t * (1 + 2j)) * (3 - 1j)),
}

C_TO_R = {  # real-valued functions of a complex input: JAX's non-holomorphic convention
    "abs": lambda m: lambda z: m.abs(z),
    "abs_squared": lambda m: lambda z: m.abs(z) ** 2,
    "angle": lambda m: lambda z: m.angle(z),
    "real": lambda m: lambda z: m.real(z),
    "imag": lambda m: lambda z: m.imag(z),
    "real_exp": lambda m: lambda z: m.real(m.exp(z)),
    "imag_log": lambda m: lambda z: m.imag(m.log(z)),
    "abs_sqrt": lambda m: lambda z: m.abs(m.sqrt(z)),
    "z_conj_z": lambda m: lambda z: m.real(z * m.conj(z)),
    "real_sin_z": lambda m: lambda z: m.real(m.sin(z) * z),
    "real_recip": lambda m: lambda z: m.real(1 / z),
    "abs_cube": lambda m: lambda z: m.abs(z ** 3),
}

HOLOMORPHIC = {
    "exp": lambda m: m.exp, "log": lambda m: m.log, "sqrt": lambda m: m.sqrt,
    "square": lambda m: lambda z: z * z, "cube": lambda m: lambda z: z ** 3,
    "recip": lambda m: lambda z: 1 / z, "sin": lambda m: m.sin, "tanh": lambda m: m.tanh,
    "log1p": lambda m: m.log1p, "expm1": lambda m: m.expm1, "arcsinh": lambda m: m.arcsinh,
    "pow_complex": lambda m: lambda z: z ** (0.5 + 0.25j), "log10": lambda m: m.log10,
    "exp2": lambda m: m.exp2, "arctan": lambda m: m.arctan, "tan": lambda m: m.tan,
    "polyval": lambda m: lambda z: m.polyval(m.array([1 + 1j, 2., -1j]), z),
    "logaddexp": lambda m: lambda z: m.logaddexp(z, 0.5 + z * z),
    "product": lambda m: lambda z: z * m.sin(z) * (2 - 1j),
}

NON_HOLOMORPHIC = {
    "conj": lambda m: m.conj,
    "abs": lambda m: lambda z: m.abs(z) + 0j,
    "real": lambda m: lambda z: m.real(z) * (1 + 1j),
    "z_conj_z_z": lambda m: lambda z: z * m.conj(z) * z,
    "angle": lambda m: lambda z: m.angle(z) * 1j,
}


@pytest.mark.parametrize("name", list(R_TO_R))
def test_grad_real_to_real_through_complex(name):
    real = _real()
    f = R_TO_R[name]
    x = np.float32(0.8)
    check_same(pyjax.grad(f(jnp))(x), real.grad(f(real.numpy))(x))


@pytest.mark.parametrize("name", list(C_TO_R))
def test_grad_of_real_valued_function_of_complex(name):
    real = _real()
    f = C_TO_R[name]
    g = pyjax.grad(f(jnp))(Z)
    assert g.dtype == np.complex64
    check_same(g, real.grad(f(real.numpy))(Z))
    check_same(pyjax.grad(lambda v: f(jnp)(v).sum())(ZS),
               real.grad(lambda v: f(real.numpy)(v).sum())(ZS))


def test_grad_convention_for_abs_squared():
    # JAX's convention for real-valued f of z = x + iy: grad(f)(z) = df/dx - i df/dy, the
    # conjugate of the steepest-ascent direction; for f = |z|^2 that is 2 * conj(z).
    np.testing.assert_allclose(pyjax.grad(lambda z: jnp.abs(z) ** 2)(Z), 2 * np.conj(Z),
                               rtol=1e-6)
    np.testing.assert_allclose(pyjax.grad(jnp.real)(Z), 1.0)
    np.testing.assert_allclose(pyjax.grad(jnp.imag)(Z), -1j)


@pytest.mark.parametrize("name", list(HOLOMORPHIC))
def test_holomorphic_derivatives(name):
    real = _real()
    f = HOLOMORPHIC[name]
    fp, fj = f(jnp), f(real.numpy)
    check_same(pyjax.grad(fp, holomorphic=True)(Z), real.grad(fj, holomorphic=True)(Z))
    check_same(pyjax.jvp(fp, (Z,), (T,)), real.jvp(fj, (Z,), (T,)))
    ct = ZS[::-1].copy()
    check_same(pyjax.vjp(fp, ZS)[1](ct), real.vjp(fj, ZS)[1](ct))
    check_same(pyjax.jacrev(fp, holomorphic=True)(ZS), real.jacrev(fj, holomorphic=True)(ZS))
    check_same(pyjax.jacfwd(fp, holomorphic=True)(ZS), real.jacfwd(fj, holomorphic=True)(ZS))


@pytest.mark.parametrize("name", list(NON_HOLOMORPHIC))
def test_non_holomorphic_vjp_jvp(name):
    real = _real()
    f = NON_HOLOMORPHIC[name]
    fp, fj = f(jnp), f(real.numpy)
    ct = ZS[::-1].copy()
    check_same(pyjax.vjp(fp, ZS)[1](ct), real.vjp(fj, ZS)[1](ct))
    check_same(pyjax.jvp(fp, (ZS,), (ct,)), real.jvp(fj, (ZS,), (ct,)))
    # holomorphic=True on a non-holomorphic function gives what JAX gives (no check)
    check_same(pyjax.grad(fp, holomorphic=True)(Z), real.grad(fj, holomorphic=True)(Z))


def test_conj_in_vjp():
    # The vjp of conj conjugates the cotangent; of a holomorphic product it multiplies by
    # the (unconjugated) derivative: JAX's convention (cotangents are not conjugated).
    _, vjp_conj = pyjax.vjp(jnp.conj, Z)
    np.testing.assert_allclose(vjp_conj(T)[0], np.conj(T), rtol=1e-6)
    _, vjp_mul = pyjax.vjp(lambda z: z * (2 - 1j), Z)
    np.testing.assert_allclose(vjp_mul(T)[0], T * (2 - 1j), rtol=1e-6)


REDUCTION_FNS = {
    "sum": lambda m: lambda v: m.sum(v * v), "prod": lambda m: lambda v: m.prod(v),
    "mean": lambda m: lambda v: m.mean(m.exp(v)), "cumsum": lambda m: lambda v: m.cumsum(v)[-1],
    "cumprod": lambda m: lambda v: m.cumprod(v)[-1],
    "dot": lambda m: lambda v: m.dot(v, v[::-1]), "vdot": lambda m: lambda v: m.vdot(v, v * 2),
    "matmul": lambda m: lambda v: (m.outer(v, v) @ v).sum(),
    "logaddexp_reduce": lambda m: lambda v: m.logaddexp.reduce(v),
    "convolve": lambda m: lambda v: m.convolve(v, v[:2]).sum(),
}


@pytest.mark.parametrize("name", list(REDUCTION_FNS))
def test_reductions_and_products_differentiate(name):
    real = _real()
    f = REDUCTION_FNS[name]
    fp, fj = f(jnp), f(real.numpy)
    check_same(fp(ZS), fj(ZS), rtol=1e-4)
    check_same(pyjax.grad(fp, holomorphic=True)(ZS), real.grad(fj, holomorphic=True)(ZS),
               rtol=1e-4)
    ct = np.complex64(0.5 - 2j)
    check_same(pyjax.vjp(fp, ZS)[1](ct), real.vjp(fj, ZS)[1](ct), rtol=1e-4)


def test_real_valued_reductions_of_complex_differentiate():
    real = _real()
    for f in (lambda m: lambda v: m.var(v), lambda m: lambda v: m.linalg.norm(v),
              lambda m: lambda v: m.abs(m.sum(v)) + m.angle(m.prod(v))):
        check_same(pyjax.grad(f(jnp))(ZS), real.grad(f(real.numpy))(ZS), rtol=1e-4)


def test_grad_errors_on_complex():
    with pytest.raises(TypeError, match="holomorphic=True"):
        pyjax.grad(jnp.exp)(Z)
    with pytest.raises(TypeError, match="complex dtype"):
        pyjax.grad(jnp.exp, holomorphic=True)(np.float32(1.))


def test_complex_under_jit_and_vmap():
    real = _real()
    f = lambda m: lambda v: m.abs(m.exp(v) * m.conj(v)) + m.angle(v)  # noqa: E731
    check_same(pyjax.jit(f(jnp))(ZS), real.jit(f(real.numpy))(ZS))
    check_same(pyjax.vmap(f(jnp))(ZS.reshape(2, 2)), real.vmap(f(real.numpy))(ZS.reshape(2, 2)))
    g = lambda m: lambda v: m.sum(m.abs(v * v))  # noqa: E731
    check_same(pyjax.jit(pyjax.grad(g(jnp)))(ZS), real.jit(real.grad(g(real.numpy)))(ZS))
