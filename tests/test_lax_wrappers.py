"""The public pyjax.lax wrappers, called as users call them.

The primitive harness binds primitives directly; these tests go through the lax functions
themselves (argument handling, Python-scalar weak typing, keyword defaults) and compare
each with a NumPy/SciPy reference and, where real JAX is installed, with jax.lax: the same
values, dtype and weak type.
"""
import numpy as np
import pytest
import scipy.special as sps

import pyjax
import pyjax.numpy as jnp
from pyjax import lax

try:
    import jax
    import jax.numpy as jjnp
except ImportError:
    jax = None

rng = np.random.default_rng(0)
X = rng.uniform(-0.9, 0.9, (3, 4)).astype(np.float32)      # inside every domain below
POS = rng.uniform(0.5, 3.0, (3, 4)).astype(np.float32)
BIG = rng.uniform(1.5, 4.0, (3, 4)).astype(np.float32)
I32 = rng.integers(-50, 50, (3, 4)).astype(np.int32)
SH = rng.integers(0, 8, (3, 4)).astype(np.int32)

# name -> (lambda lax_, *args: ..., args, NumPy reference or None (oracle only))
CASES = {
    "abs": (lambda lax_, x: lax_.abs(x), (X,), np.abs),
    "acos": (lambda lax_, x: lax_.acos(x), (X,), np.arccos),
    "acosh": (lambda lax_, x: lax_.acosh(x), (BIG,), np.arccosh),
    "asin": (lambda lax_, x: lax_.asin(x), (X,), np.arcsin),
    "asinh": (lambda lax_, x: lax_.asinh(x), (X,), np.arcsinh),
    "atan": (lambda lax_, x: lax_.atan(x), (X,), np.arctan),
    "atan2": (lambda lax_, x, y: lax_.atan2(x, y), (X, POS), np.arctan2),
    "atanh": (lambda lax_, x: lax_.atanh(x), (X,), np.arctanh),
    "cbrt": (lambda lax_, x: lax_.cbrt(x), (X,), np.cbrt),
    "ceil": (lambda lax_, x: lax_.ceil(x), (X * 5,), np.ceil),
    "cosh": (lambda lax_, x: lax_.cosh(x), (X,), np.cosh),
    "sinh": (lambda lax_, x: lax_.sinh(x), (X,), np.sinh),
    "tan": (lambda lax_, x: lax_.tan(x), (X,), np.tan),
    "tanh": (lambda lax_, x: lax_.tanh(x), (X,), np.tanh),
    "exp": (lambda lax_, x: lax_.exp(x), (X,), np.exp),
    "exp2": (lambda lax_, x: lax_.exp2(x), (X,), np.exp2),
    "expm1": (lambda lax_, x: lax_.expm1(x), (X,), np.expm1),
    "log": (lambda lax_, x: lax_.log(x), (POS,), np.log),
    "log1p": (lambda lax_, x: lax_.log1p(x), (X,), np.log1p),
    "logistic": (lambda lax_, x: lax_.logistic(x), (X,), sps.expit),
    "rsqrt": (lambda lax_, x: lax_.rsqrt(x), (POS,), lambda x: 1 / np.sqrt(x)),
    "reciprocal": (lambda lax_, x: lax_.reciprocal(x), (POS,), np.reciprocal),
    "square": (lambda lax_, x: lax_.square(x), (X,), np.square),
    "neg": (lambda lax_, x: lax_.neg(x), (I32,), np.negative),
    "conj": (lambda lax_, x: lax_.conj(x), (X + 1j * POS,), np.conj),
    "erf": (lambda lax_, x: lax_.erf(x), (X,), sps.erf),
    "erfc": (lambda lax_, x: lax_.erfc(x), (X,), sps.erfc),
    "erf_inv": (lambda lax_, x: lax_.erf_inv(x), (X,), sps.erfinv),
    "lgamma": (lambda lax_, x: lax_.lgamma(x), (POS,), sps.gammaln),
    "digamma": (lambda lax_, x: lax_.digamma(x), (POS,), sps.digamma),
    "igammac": (lambda lax_, a, x: lax_.igammac(a, x), (POS, BIG), sps.gammaincc),
    "polygamma": (lambda lax_, m, x: lax_.polygamma(m, x), (np.float32(1), POS),
                  lambda m, x: sps.polygamma(1, x)),
    "sub": (lambda lax_, x, y: lax_.sub(x, y), (X, POS), np.subtract),
    "div": (lambda lax_, x, y: lax_.div(x, y), (I32, SH + 1), lambda x, y: np.trunc(x / y)),
    "rem": (lambda lax_, x, y: lax_.rem(x, y), (I32, SH + 1), np.fmod),
    "pow": (lambda lax_, x, y: lax_.pow(x, y), (POS, X), np.power),
    "pow_int": (lambda lax_, x: lax_.pow(x, 3), (X,), lambda x: x ** 3),
    "ne": (lambda lax_, x, y: lax_.ne(x, y), (I32, SH), np.not_equal),
    "ge": (lambda lax_, x, y: lax_.ge(x, y), (I32, SH), np.greater_equal),
    "le": (lambda lax_, x, y: lax_.le(x, y), (I32, SH), np.less_equal),
    "shift_right_arithmetic": (lambda lax_, x, s: lax_.shift_right_arithmetic(x, s), (I32, SH),
                               np.right_shift),
    "shift_right_logical": (lambda lax_, x, s: lax_.shift_right_logical(x, s), (I32, SH),
                            lambda x, s: (x.view(np.uint32) >> s.view(np.uint32)).view(np.int32)),
    "sub_weak": (lambda lax_, x: lax_.sub(x, 2.0), (X,), lambda x: x - np.float32(2)),
    "argmin": (lambda lax_, x: lax_.argmin(x, 1, np.int32), (X,), lambda x: np.argmin(x, 1)),
    "cummin": (lambda lax_, x: lax_.cummin(x, axis=1), (X,), lambda x: np.minimum.accumulate(x, 1)),
    "cummin_rev": (lambda lax_, x: lax_.cummin(x, axis=0, reverse=True), (X,),
                   lambda x: np.minimum.accumulate(x[::-1], 0)[::-1]),
    "cumprod": (lambda lax_, x: lax_.cumprod(x, axis=1), (POS,), lambda x: np.cumprod(x, 1)),
    "dot": (lambda lax_, x, y: lax_.dot(x, y), (X, POS.T), np.dot),
    "batch_matmul": (lambda lax_, x, y: lax_.batch_matmul(x, y),
                     (np.stack([X, X]), np.stack([POS.T, BIG.T])), np.matmul),
    "broadcast": (lambda lax_, x: lax_.broadcast(x, (2,)), (X,), lambda x: np.stack([x, x])),
    "broadcasted_iota": (lambda lax_: lax_.broadcasted_iota(np.int32, (2, 3), 1), (),
                         lambda: np.array([[0, 1, 2], [0, 1, 2]], np.int32)),
    "expand_dims": (lambda lax_, x: lax_.expand_dims(x, (0, 2)), (X,),
                    lambda x: x[None, :, None]),
    "full": (lambda lax_: lax_.full((2, 3), 1.5), (), lambda: np.full((2, 3), 1.5, np.float32)),
    "full_int": (lambda lax_: lax_.full((2,), 7, np.int16), (), lambda: np.full(2, 7, np.int16)),
    "full_like": (lambda lax_, x: lax_.full_like(x, 2), (I32,), lambda x: np.full_like(x, 2)),
    "full_like_shape": (lambda lax_, x: lax_.full_like(x, 0.5, np.float32, (5,)), (I32,),
                        lambda x: np.full(5, 0.5, np.float32)),
    "index_in_dim": (lambda lax_, x: lax_.index_in_dim(x, 2, axis=1), (X,),
                     lambda x: x[:, 2:3]),
    "index_in_dim_drop": (lambda lax_, x: lax_.index_in_dim(x, -1, keepdims=False), (X,),
                          lambda x: x[-1]),
    "dynamic_index_in_dim": (lambda lax_, x, i: lax_.dynamic_index_in_dim(x, i, axis=1), (X, np.int32(3)),
                             lambda x, i: x[:, 3:4]),
    "dynamic_slice_in_dim": (lambda lax_, x, i: lax_.dynamic_slice_in_dim(x, i, 2, axis=1),
                             (X, np.int32(3)), lambda x, i: x[:, 2:4]),   # start clamps to 2
    "slice_in_dim": (lambda lax_, x: lax_.slice_in_dim(x, 0, 4, stride=2, axis=1), (X,),
                     lambda x: x[:, 0:4:2]),
}


def _check(got, ref, name):
    got = np.asarray(got)
    assert got.shape == np.shape(ref), (name, got.shape, np.shape(ref))
    if got.dtype.kind in "fc":
        np.testing.assert_allclose(got, ref, rtol=3e-6, atol=3e-6, err_msg=name)
    else:
        np.testing.assert_array_equal(got, ref, err_msg=name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_lax_wrapper_matches_numpy_and_jit(name):
    fn, args, ref = CASES[name]
    got = fn(lax, *args)
    _check(got, ref(*args), name)
    jitted = pyjax.jit(lambda *a: fn(lax, *a))(*args)
    assert jitted.dtype == got.dtype and jitted.weak_type == got.weak_type
    _check(jitted, np.asarray(got), name)


@pytest.mark.skipif(jax is None, reason="jax not installed")
@pytest.mark.parametrize("name", sorted(CASES))
def test_lax_wrapper_matches_jax(name):
    fn, args, _ = CASES[name]
    got = fn(lax, *args)
    exp = fn(jax.lax, *[jjnp.asarray(a) for a in args])
    assert got.dtype == exp.dtype, (name, got.dtype, exp.dtype)
    assert got.weak_type == exp.weak_type, (name, got.weak_type, exp.weak_type)
    _check(got, np.asarray(exp), name)


def test_stack_and_axis_size():
    parts = [X, POS, BIG]
    for axis in (0, 1, -1):
        _check(lax.stack(parts, axis), np.stack(parts, axis), "stack")
    sizes = pyjax.vmap(lambda x: lax.axis_size("i") + 0 * x, axis_name="i")(np.zeros(5, np.int32))
    np.testing.assert_array_equal(sizes, [5] * 5)


def test_custom_root_and_custom_linear_solve():
    """Newton's method for sqrt(a) with implicit derivatives, and a matrix-free solve whose
    gradient goes through the transpose solve: both agree with the closed forms."""
    def newton(f, x0):
        for _ in range(30):
            x0 = x0 - f(x0) / pyjax.grad(f)(x0)
        return x0

    def sqrt(a):
        return lax.custom_root(lambda x: x * x - a, 1.0, newton, lambda g, y: y / g(1.0))

    np.testing.assert_allclose(sqrt(2.0), np.sqrt(2.0), rtol=1e-6)
    np.testing.assert_allclose(pyjax.grad(sqrt)(2.0), 0.5 / np.sqrt(2.0), rtol=1e-5)

    a = np.array([[4.0, 1.0], [2.0, 3.0]], np.float32)
    b = np.array([1.0, 2.0], np.float32)

    def solve(m, rhs):
        mv = lambda x: m @ x  # noqa: E731
        return lax.custom_linear_solve(mv, rhs, lambda _, r: jnp.linalg.solve(a, r),
                                       transpose_solve=lambda _, r: jnp.linalg.solve(a.T, r))

    np.testing.assert_allclose(solve(a, b), np.linalg.solve(a, b), rtol=1e-6)
    g = pyjax.grad(lambda r: solve(a, r).sum())(b)
    np.testing.assert_allclose(g, np.linalg.solve(a.T, np.ones(2)), rtol=1e-5)


def test_type_aliases_name_what_the_functions_accept():
    """PrecisionLike, DotDimensionNumbers and ConvGeneralDilatedDimensionNumbers are typing
    aliases (as in JAX): every form they name is accepted by the functions they annotate."""
    import typing
    x, y = X, POS.T
    expected = np.dot(x, y)
    precisions = [None, "highest", lax.Precision.HIGHEST, ("default", "high"),
                  (lax.Precision.DEFAULT, lax.Precision.HIGHEST)]
    kinds = {type(None), str, lax.Precision, tuple}
    assert {typing.get_origin(t) or t for t in typing.get_args(lax.PrecisionLike)} == kinds
    for p in precisions:
        _check(lax.dot(x, y, precision=p), expected, f"precision={p}")
    dims: lax.DotDimensionNumbers = (((1,), (0,)), ((), ()))
    assert typing.get_origin(lax.DotDimensionNumbers) is tuple
    _check(lax.dot_general(x, y, dims), expected, "dot_general")

    lhs = rng.normal(size=(1, 2, 5, 5)).astype(np.float32)
    rhs = rng.normal(size=(3, 2, 3, 3)).astype(np.float32)
    spec = ("NCHW", "OIHW", "NCHW")
    forms = [spec, lax.conv_dimension_numbers(lhs.shape, rhs.shape, spec), None]
    assert len(typing.get_args(lax.ConvGeneralDilatedDimensionNumbers)) == len(forms)
    outs = [lax.conv_general_dilated(lhs, rhs, (1, 1), "VALID", dimension_numbers=d) for d in forms]
    for out in outs[1:]:
        _check(out, np.asarray(outs[0]), "conv dimension numbers")
