"""Tests of pyjax.numpy against NumPy (values) and, where installed, real JAX (dtypes, weak
types and JAX-specific values).

The JAX oracle uses `jax.eval_shape` for dtypes and weak types: it traces without
compiling, so hundreds of cases stay fast.  JAX-specific numbers (integer division by
zero, integer powers, linspace rounding) are hard-coded from JAX 0.10.2 so they are
checked even without JAX installed.
"""
import contextlib
import itertools
import warnings

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyjax
import pyjax.numpy as jnp
from pyjax._src.config import config

# ---------------------------------------------------------------------------
# helpers


@contextlib.contextmanager
def x64(enabled=True):
    with config.override(jax_enable_x64=enabled):
        yield


def _jax():
    jax = pytest.importorskip("jax")
    return jax


@contextlib.contextmanager
def jax_x64(enabled):
    """Set both JAX's and pyjax's x64 flag; restore both afterwards."""
    jax = _jax()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", enabled)
    try:
        with x64(enabled), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield jax
    finally:
        jax.config.update("jax_enable_x64", old)


def check(actual, expected, dtype=None, weak=None, rtol=None, atol=0):
    """Values (NaN-aware), shape, and optionally dtype and weak type of a pyjax result."""
    assert isinstance(actual, pyjax.Array), type(actual)
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    if dtype is not None:
        assert actual.dtype == np.dtype(dtype), (actual.dtype, dtype)
    if weak is not None:
        assert actual.weak_type == weak, (actual.weak_type, weak)
    if rtol is None:
        rtol = {np.float16: 2e-3, ml_dtypes.bfloat16: 2e-2, np.float32: 2e-6,
                np.complex64: 2e-6}.get(a.dtype.type, 1e-12)
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                                   e.astype(np.complex128 if e.dtype.kind == "c" else np.float64),
                                   rtol=rtol, atol=atol, equal_nan=True)


def aval_of(x):
    return (tuple(x.shape), np.dtype(x.dtype), bool(x.weak_type))


# ---------------------------------------------------------------------------
# The oracle: input kinds x functions, dtype and weak type against jax.eval_shape

F32 = np.array([[1.5, -2.25, 3.0], [0.5, 2.0, -1.0]], np.float32)
I32 = np.array([[1, -2, 3], [4, 5, -6]], np.int32)

KINDS = {
    "i32": lambda m: m.asarray(I32),
    "f32": lambda m: m.asarray(F32),
    "bool": lambda m: m.asarray(I32 > 0),
    "u8": lambda m: m.asarray(np.abs(I32).astype(np.uint8)),
    "i8": lambda m: m.asarray(I32.astype(np.int8)),
    "f16": lambda m: m.asarray(F32.astype(np.float16)),
    "bf16": lambda m: m.asarray(F32.astype(ml_dtypes.bfloat16)),
    "c64": lambda m: m.asarray(F32 + 1j * F32[::-1]),
    "i64np": lambda m: I32.astype(np.int64),          # NumPy input, canonicalized
    "f64np": lambda m: F32.astype(np.float64),
    "pyint": lambda m: 3,
    "pyfloat": lambda m: 2.5,
    "pybool": lambda m: True,
    "pycomplex": lambda m: 1 + 2j,
    "weak_f": lambda m: m.asarray(2.5),               # weakly typed 0-d array
    "weak_i": lambda m: m.asarray(3),
    "weak_farr": lambda m: m.asarray(I32) + 0.5,      # weakly typed (2, 3) float32 array
    "npf32": lambda m: np.float32(1.5),               # NumPy scalar: strong
    "i64": lambda m: m.asarray(I32.astype(np.int64)),  # 64-bit arrays (int32 without x64)
    "f64": lambda m: m.asarray(F32.astype(np.float64)),
}
BINARY_KINDS = ["i32", "f32", "bool", "u8", "f16", "c64", "pyint", "pyfloat", "pybool",
                "weak_f", "weak_i", "weak_farr", "npf32"]

UNARY = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
         "arccosh", "arctanh", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt",
         "cbrt", "square", "reciprocal", "negative", "positive", "abs", "absolute", "fabs",
         "sign", "floor", "ceil", "trunc", "rint", "round", "around", "isnan", "isinf",
         "isfinite", "isposinf", "isneginf", "signbit", "logical_not", "bitwise_not", "invert",
         "real", "imag", "conj", "conjugate", "deg2rad", "rad2deg", "degrees", "radians", "sinc",
         "angle", "iscomplex", "isreal",
         # reductions and friends, default arguments
         "sum", "prod", "max", "min", "mean", "var", "std", "argmax", "argmin", "all", "any",
         "cumsum", "cumprod", "ptp", "count_nonzero",
         # creation-like and shape functions
         "zeros_like", "ones_like", "empty_like", "copy", "ravel", "transpose", "squeeze",
         "atleast_1d", "atleast_2d", "asarray", "array"]
# Elementwise binary functions take the full table of input pairs; aliases and functions
# sharing one code path with a listed one (not_equal, logical_or, ...) are left out to keep
# the run short, as they are covered by the value tests.
BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "fmod",
          "divmod", "power", "float_power", "maximum", "minimum", "arctan2", "hypot",
          "logaddexp", "logaddexp2", "copysign", "heaviside", "nextafter", "equal", "less",
          "greater", "logical_and", "logical_xor", "bitwise_and", "left_shift", "right_shift",
          "isclose", "where"]
# The rest promote like `add`; a smaller table of inputs does for them.
BINARY_LIGHT = ["allclose", "clip", "full_like", "dot", "inner", "outer", "vdot", "matmul",
                "tensordot", "kron", "concatenate", "stack", "hstack", "vstack",
                "broadcast_arrays", "array_equal"]
LIGHT_KINDS = ["i32", "f32", "bool", "u8", "f16", "pyint", "pyfloat", "weak_f", "weak_farr"]

# Where JAX itself is wrong or refuses something NumPy does; pyjax follows NumPy there.
KNOWN_DIFFERENCES = {
    # JAX raises a narrowing error for uint8 with a weak int in preferred_element_type.
    ("dot", "u8", "pyint"), ("dot", "pyint", "u8"), ("dot", "u8", "weak_i"),
    ("dot", "weak_i", "u8"), ("tensordot", "u8", "pyint"), ("tensordot", "pyint", "u8"),
    ("tensordot", "u8", "weak_i"), ("tensordot", "weak_i", "u8"),
    # JAX's argmax/argmin of complex numbers traces, then fails when run (lax.gt refuses
    # complex); pyjax refuses at once.
    ("argmax", "c64"), ("argmin", "c64"), ("argmax", "pycomplex"), ("argmin", "pycomplex"),
    # JAX's kron multiplies booleans with lax.mul, which refuses bool.
    ("kron", "bool", "bool"), ("kron", "bool", "pybool"), ("kron", "pybool", "bool"),
    ("kron", "pybool", "pybool"),
}


def _binary_fn(name):
    if name == "where":
        return lambda m, a, b: m.where(True, a, b)
    if name == "clip":
        return lambda m, a, b: m.clip(a, b)
    if name == "tensordot":
        return lambda m, a, b: m.tensordot(a, b, 0)
    if name in ("concatenate", "hstack", "vstack", "stack"):
        return lambda m, a, b: getattr(m, name)([m.atleast_1d(a), m.atleast_1d(b)]) \
            if name in ("concatenate", "stack") and (m.ndim(a) != m.ndim(b) or m.ndim(a) == 0) \
            else getattr(m, name)([a, b])
    return lambda m, *a: getattr(m, name)(*a)


def _unary_fn(name):
    return lambda m, a: getattr(m, name)(a)


def _run(fn, m, kinds):
    args = [KINDS[k](m) for k in kinds]
    return fn(m, *args)


def _oracle(fn, kinds, jax):
    """Compare pyjax's result avals (or its refusal) with JAX's for one input combination.

    The JAX inputs are made outside eval_shape, so concrete arrays stay concrete (as in
    eager code: jnp.power treats a concrete integer exponent specially)."""
    jnp_jax = jax.numpy
    try:
        args = [KINDS[k](jnp_jax) for k in kinds]
        expected = jax.eval_shape(lambda: fn(jnp_jax, *args))
        jerr = None
    except Exception as e:  # noqa: BLE001 - any refusal counts
        expected, jerr = None, e
    try:
        actual = _run(fn, jnp, kinds)
        perr = None
    except Exception as e:  # noqa: BLE001
        actual, perr = None, e
    if jerr is not None or perr is not None:
        if (jerr is None) != (perr is None):
            return f"{kinds}: jax {'raised ' + repr(jerr)[:80] if jerr else 'ok'}, pyjax " \
                   f"{'raised ' + repr(perr)[:120] if perr else 'ok'}"
        return None
    exp = jax.tree_util.tree_leaves(expected)
    act = [a for a in (actual if isinstance(actual, (tuple, list)) else [actual])]
    if len(exp) != len(act):
        return f"{kinds}: {len(exp)} outputs in jax, {len(act)} in pyjax"
    for e, a in zip(exp, act):
        if not isinstance(a, pyjax.Array):
            return f"{kinds}: pyjax returned {type(a).__name__}"
        if aval_of(e) != aval_of(a):
            return f"{kinds}: jax {aval_of(e)} pyjax {aval_of(a)}"
    return None


@pytest.mark.parametrize("x64_mode", [False, True], ids=["x32", "x64"])
@pytest.mark.parametrize("name", UNARY)
def test_oracle_unary_dtypes(name, x64_mode):
    with jax_x64(x64_mode) as jax:
        kinds = list(KINDS)
        fn = _unary_fn(name)
        errors = [_oracle(fn, (k,), jax) for k in kinds if (name, k) not in KNOWN_DIFFERENCES]
        errors = [e for e in errors if e]
        assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", BINARY + BINARY_LIGHT)
def test_oracle_binary_dtypes(name):
    kinds = LIGHT_KINDS if name in BINARY_LIGHT else BINARY_KINDS
    with jax_x64(False) as jax:
        fn = _binary_fn(name)
        errors = []
        for k1, k2 in itertools.product(kinds, kinds):
            if (name, k1, k2) in KNOWN_DIFFERENCES:
                continue
            err = _oracle(fn, (k1, k2), jax)
            if err:
                errors.append(err)
        assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", ["add", "multiply", "divide", "floor_divide", "power",
                                  "maximum", "equal", "arctan2", "matmul", "where",
                                  "concatenate", "remainder", "logaddexp"])
def test_oracle_binary_dtypes_x64(name):
    kinds = ["i32", "f32", "bool", "u8", "pyint", "pyfloat", "weak_f", "i64", "f64", "i64np"]
    with jax_x64(True) as jax:
        fn = _binary_fn(name)
        errors = [_oracle(fn, ks, jax) for ks in itertools.product(kinds, kinds)]
        errors = [e for e in errors if e]
        assert not errors, "\n".join(errors)


# A second table: calls with keyword arguments, creation functions and products.
A = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 7) / 4
IA = (np.arange(24).reshape(2, 3, 4) % 7 - 3).astype(np.int32)
M = np.arange(12, dtype=np.float32).reshape(3, 4) / 3
V = np.arange(4, dtype=np.float32)
C = (F32 + 1j * F32[::-1]).astype(np.complex64)

CALLS = {
    "array_int_list": lambda m: m.array([1, 2, 3]),
    "array_float_list": lambda m: m.array([1.0, 2, 3]),
    "array_bool_list": lambda m: m.array([True, False]),
    "array_bool_int": lambda m: m.array([True, 2]),
    "array_complex_list": lambda m: m.array([1, 2j]),
    "array_nested": lambda m: m.array([[1, 2], [3, 4]]),
    "array_empty": lambda m: m.array([]),
    "array_np_f64": lambda m: m.array(np.arange(3.0)),
    "array_np_i64": lambda m: m.array(np.arange(3)),
    "array_np_u8": lambda m: m.array(np.arange(3, dtype=np.uint8)),
    "array_np_scalar": lambda m: m.array(np.float64(2)),
    "array_pyint": lambda m: m.array(3),
    "array_pyfloat": lambda m: m.array(3.5),
    "array_pybool": lambda m: m.array(True),
    "array_pycomplex": lambda m: m.array(3j),
    "array_list_np_f16": lambda m: m.array([1, np.float16(2)]),
    "array_list_np_i8": lambda m: m.array([1, np.int8(2)]),
    "array_list_np_i8_float": lambda m: m.array([1.5, np.int8(2)]),
    "array_dtype": lambda m: m.array([1, 2], dtype=np.float16),
    "array_dtype_i64": lambda m: m.array([1, 2], dtype=np.int64),
    "array_dtype_pyint": lambda m: m.array(3, dtype=float),
    "array_of_weak": lambda m: m.array(m.asarray(2.5)),
    "array_of_weak_dtype": lambda m: m.array(m.asarray(2.5), dtype=np.float32),
    "array_of_arrays": lambda m: m.array([m.asarray(1.0), m.asarray(2.0)]),
    "array_of_arrays_mixed": lambda m: m.array([m.asarray(np.float16(1)), 2]),
    "array_of_arrays_nested": lambda m: m.array([m.asarray([1, 2]), [3, 4]]),
    "array_ndmin": lambda m: m.array(3.0, ndmin=2),
    "array_big_int": lambda m: m.array(2 ** 40),
    "array_ragged": lambda m: m.array([[1, 2], [3]]),
    "array_str": lambda m: m.array("abc"),
    "array_none": lambda m: m.array(None),
    "asarray_list": lambda m: m.asarray([1, 2.5]),
    "asarray_dtype": lambda m: m.asarray(2, dtype=np.int8),
    "zeros": lambda m: m.zeros((2, 3)),
    "zeros_int": lambda m: m.zeros(3, dtype=int),
    "zeros_i64": lambda m: m.zeros(3, dtype=np.int64),
    "ones_bool": lambda m: m.ones((2,), bool),
    "empty": lambda m: m.empty((2, 2)),
    "full_py": lambda m: m.full((2, 3), 1.5),
    "full_pyint": lambda m: m.full(3, 7),
    "full_np": lambda m: m.full(3, np.float16(2)),
    "full_dtype": lambda m: m.full((2,), 3, dtype=np.uint8),
    "full_arr": lambda m: m.full((2, 3), m.asarray([1, 2, 3])),
    "full_weakarr": lambda m: m.full((2, 3), m.asarray(2.5)),
    "zeros_like_weak": lambda m: m.zeros_like(2.5),
    "ones_like_dtype": lambda m: m.ones_like(m.asarray(M), dtype=int),
    "ones_like_shape": lambda m: m.ones_like(m.asarray(M), shape=(2,)),
    "full_like_py": lambda m: m.full_like(m.asarray(IA), 2.7),
    "full_like_weak": lambda m: m.full_like(3, 2.7),
    "full_like_arr": lambda m: m.full_like(m.asarray(M), m.asarray([1, 2, 3, 4])),
    "arange_int": lambda m: m.arange(5),
    "arange_float": lambda m: m.arange(5.0),
    "arange_start_stop": lambda m: m.arange(2, 7),
    "arange_neg_step": lambda m: m.arange(5, -3, -2),
    "arange_float_step": lambda m: m.arange(0, 1, 0.1),
    "arange_float_neg": lambda m: m.arange(1.0, -1.0, -0.25),
    "arange_dtype": lambda m: m.arange(5, dtype=np.float16),
    "arange_dtype_step": lambda m: m.arange(0, 2, 0.3, dtype=np.float16),
    "arange_dtype_int": lambda m: m.arange(0.5, 5, dtype=np.int32),
    "arange_neg": lambda m: m.arange(-3),
    "arange_empty": lambda m: m.arange(5, 2),
    "arange_np": lambda m: m.arange(np.int8(5)),
    "arange_u8": lambda m: m.arange(np.uint8(2), 10, 3),
    "arange_fl": lambda m: m.arange(0.5, 5.2),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace_noend": lambda m: m.linspace(0, 1, 5, endpoint=False),
    "linspace_retstep": lambda m: m.linspace(0, 10, 7, retstep=True),
    "linspace_int": lambda m: m.linspace(0, 10, 4, dtype=int),
    "linspace_axis": lambda m: m.linspace(m.asarray([0., 1.]), m.asarray([2., 5.]), 4, axis=1),
    "linspace_axis_neg": lambda m: m.linspace(m.asarray([0., 1.]), 5, 3, axis=-1),
    "linspace_1": lambda m: m.linspace(2, 3, 1, retstep=True),
    "linspace_0": lambda m: m.linspace(2, 3, 0),
    "linspace_f16": lambda m: m.linspace(np.float16(0), 1, 5),
    "linspace_i32": lambda m: m.linspace(m.asarray(np.int32(0)), 10, 5),
    "linspace_complex": lambda m: m.linspace(0, 1 + 1j, 3),
    "logspace": lambda m: m.logspace(0, 3, 4),
    "logspace_base": lambda m: m.logspace(0, 3, 4, base=2),
    "logspace_dtype": lambda m: m.logspace(0, 2, 4, endpoint=False, dtype=np.float16),
    "logspace_int": lambda m: m.logspace(0, 3, 4, dtype=int),
    "geomspace": lambda m: m.geomspace(1, 1000, 4),
    "eye": lambda m: m.eye(3),
    "eye_k": lambda m: m.eye(3, k=1),
    "eye_M": lambda m: m.eye(3, 5, k=-1, dtype=int),
    "eye_bool": lambda m: m.eye(2, dtype=bool),
    "identity": lambda m: m.identity(4),
    "identity_dtype": lambda m: m.identity(2, dtype=np.int8),
    "tri": lambda m: m.tri(3, 4, 1),
    "tril": lambda m: m.tril(m.asarray(M), -1),
    "triu": lambda m: m.triu(m.asarray(A), 1),
    "sum_axes": lambda m: m.sum(m.asarray(A), axis=(0, 2), keepdims=True),
    "sum_dtype": lambda m: m.sum(m.asarray(IA), dtype=np.float32),
    "sum_dtype_i8": lambda m: m.sum(m.asarray(IA), dtype=np.int8),
    "sum_where": lambda m: m.sum(m.asarray(A), axis=0, where=m.asarray(A) > 0),
    "sum_initial": lambda m: m.sum(m.asarray(A), initial=10.0),
    "sum_u8": lambda m: m.sum(m.asarray(np.arange(5, dtype=np.uint8))),
    "sum_f16": lambda m: m.sum(m.asarray(A.astype(np.float16)), axis=-1),
    "sum_no_promote": lambda m: m.sum(m.asarray(IA.astype(np.int8)), promote_integers=False),
    "sum_empty": lambda m: m.sum(m.zeros((0, 3)), axis=0),
    "sum_dtype_bool": lambda m: m.sum(m.asarray(IA), dtype=bool),
    "prod_where": lambda m: m.prod(m.asarray(IA), axis=2, where=m.asarray(IA) != 0, keepdims=True),
    "max_initial": lambda m: m.max(m.asarray(A), axis=0, initial=5.0),
    "max_where": lambda m: m.max(m.asarray(IA), axis=0, where=m.asarray(IA) < 0, initial=-100),
    "max_where_noinit": lambda m: m.max(m.asarray(IA), axis=0, where=m.asarray(IA) < 0),
    "max_empty": lambda m: m.max(m.zeros((0, 3)), axis=0),
    "max_empty_initial": lambda m: m.max(m.zeros((0, 3)), axis=0, initial=1),
    "min_keep": lambda m: m.min(m.asarray(A), axis=(1, 2), keepdims=True),
    "mean_f16": lambda m: m.mean(m.asarray(A.astype(np.float16))),
    "mean_dtype": lambda m: m.mean(m.asarray(IA), dtype=np.float16),
    "mean_where": lambda m: m.mean(m.asarray(A), axis=1, where=m.asarray(A) > 0, keepdims=True),
    "mean_weak": lambda m: m.mean(2.5),
    "var_ddof": lambda m: m.var(m.asarray(A), axis=2, ddof=1),
    "var_complex": lambda m: m.var(m.asarray(C), axis=1),
    "var_where": lambda m: m.var(m.asarray(A), axis=1, where=m.asarray(A) > 0),
    "var_f16": lambda m: m.var(m.asarray(A.astype(np.float16)), axis=1),
    "var_dtype": lambda m: m.var(m.asarray(IA), dtype=np.float16),
    "std_dtype_int": lambda m: m.std(m.asarray(IA), dtype=int),
    "argmax_keep": lambda m: m.argmax(m.asarray(IA), axis=-1, keepdims=True),
    "argmax_none_keep": lambda m: m.argmax(m.asarray(IA), keepdims=True),
    "argmin_empty": lambda m: m.argmin(m.zeros((0,))),
    "any_where": lambda m: m.any(m.asarray(IA), axis=0, where=m.asarray(IA) > 2),
    "cumsum_dtype": lambda m: m.cumsum(m.asarray(IA), axis=-1, dtype=np.float32),
    "cumsum_dtype_bool": lambda m: m.cumsum(m.asarray(IA), axis=-1, dtype=bool),
    "cumsum_bool": lambda m: m.cumsum(m.asarray(IA) > 0, axis=0),
    "reshape_F": lambda m: m.reshape(m.asarray(A), (6, 4), order="F"),
    "reshape_bad": lambda m: m.reshape(m.asarray(A), (5, -1)),
    "reshape_weak": lambda m: m.reshape(2.5, (1, 1)),
    "transpose_bad": lambda m: m.transpose(m.asarray(A), (0, 0, 1)),
    "moveaxis_multi": lambda m: m.moveaxis(m.asarray(A), (0, 1), (2, 0)),
    "squeeze_bad": lambda m: m.squeeze(m.asarray(A), axis=0),
    "expand_dims_weak": lambda m: m.expand_dims(2.5, 0),
    "concat_mixed": lambda m: m.concatenate([m.asarray(M), m.asarray(IA[0])]),
    "concat_none": lambda m: m.concatenate([m.asarray(M), m.asarray(V)], axis=None),
    "concat_dtype": lambda m: m.concatenate([m.asarray(M), m.asarray(M)], dtype=np.int32),
    "concat_array": lambda m: m.concatenate(m.asarray(A)),
    "concat_weak_strong": lambda m: m.concatenate([m.full(2, 2.5), m.asarray(V)]),
    "concat_weak_weak": lambda m: m.concatenate([m.full(2, 2.5), m.full(2, 1)]),
    "concat_np": lambda m: m.concatenate([np.ones(2), np.ones(3, np.int64)]),
    "concat_scalar": lambda m: m.concatenate([m.asarray(1.), m.asarray(2.)]),
    "stack_scalars": lambda m: m.stack([1, 2, 3]),
    "stack_mixed": lambda m: m.stack([1, 2.5, np.int8(3)]),
    "stack_dtype": lambda m: m.stack([m.asarray(V), m.asarray(V)], dtype=int),
    "stack_bad": lambda m: m.stack([m.asarray(V), m.asarray(M)]),
    "hstack_scalars": lambda m: m.hstack([1, 2.5]),
    "vstack_scalars": lambda m: m.vstack([1, 2]),
    "broadcast_to_weak": lambda m: m.broadcast_to(2.5, 3),
    "broadcast_to_bad": lambda m: m.broadcast_to(m.asarray(V), (3, 5)),
    "broadcast_arrays_weak": lambda m: m.broadcast_arrays(2.5, 3, m.asarray(V)),
    "matmul_bcast": lambda m: m.matmul(m.asarray(A), m.asarray(M.T)),
    "matmul_batch_vec": lambda m: m.matmul(m.asarray(A), m.asarray(V)),
    "matmul_bool": lambda m: m.matmul(m.asarray(IA[0] > 0), m.asarray(IA[0].T > 0)),
    "matmul_pet": lambda m: m.matmul(m.asarray(IA[0]), m.asarray(IA[0].T),
                                     preferred_element_type=np.float32),
    "matmul_scalar": lambda m: m.matmul(2.0, m.asarray(V)),
    "matmul_bad": lambda m: m.matmul(m.asarray(M), m.asarray(M)),
    "dot_scalars": lambda m: m.dot(2.0, 3),
    "inner_scalar": lambda m: m.inner(2, m.asarray(V)),
    "outer_weak": lambda m: m.outer(2.5, 3),
    "einsum_int": lambda m: m.einsum("ij,jk->ik", m.asarray(IA[0]), m.asarray(IA[0].T)),
    "einsum_mixed": lambda m: m.einsum("ij,jk->ik", m.asarray(IA[0]), m.asarray(M.T)),
    "einsum_weak": lambda m: m.einsum("i,i->", m.full(3, 2.5), m.full(3, 1.5)),
    "einsum_pet": lambda m: m.einsum("ij,jk->ik", m.asarray(IA[0]), m.asarray(IA[0].T),
                                     preferred_element_type=np.float32),
    "einsum_bool": lambda m: m.einsum("ij,jk->ik", m.asarray(IA[0] > 0), m.asarray(IA[0].T > 0)),
    "einsum_bad": lambda m: m.einsum("ij,jk->ik", m.asarray(M), m.asarray(M)),
    "where_weak": lambda m: m.where(True, 2.5, 1),
    "where_int_cond": lambda m: m.where(m.asarray(IA[0, 0]), 1.5, m.asarray(V)),
    "clip_int_float": lambda m: m.clip(m.asarray(IA), 0.5, 2),
    "clip_max_only": lambda m: m.clip(m.asarray(IA), max=1),
    "isclose_int": lambda m: m.isclose(m.asarray(IA), m.asarray(IA) + 1, atol=1),
    "isclose_weak": lambda m: m.isclose(2.5, 2.5),
    "isclose_complex": lambda m: m.isclose(m.asarray(C), m.asarray(C)),
    "round_decimals": lambda m: m.round(m.asarray(A) / 7, 2),
    "round_f16": lambda m: m.round(m.asarray(A.astype(np.float16)) / 7, 2),
    "round_weak": lambda m: m.round(2.567, 1),
    "round_complex": lambda m: m.round(m.asarray(C) / 3, 1),
    "power_int_scalar_neg": lambda m: m.power(m.asarray([2, 3, -2]), -1),
    "power_u8_0d": lambda m: m.power(m.asarray(np.array([2, 3], np.uint8)), m.asarray(np.uint8(3))),
    "power_float_int_arr": lambda m: m.power(m.asarray(V), m.asarray([1, 2, 3, 4])),
    "power_weak_intarr": lambda m: m.power(2.5, m.asarray([1, 2, 3])),
    "square_bool": lambda m: m.square(m.asarray([True, False])),
    "diagonal": lambda m: m.diagonal(m.asarray(A), 1, 1, 2),
    "trace": lambda m: m.trace(m.asarray(A), 1, 1, 2),
    "astype_weak": lambda m: m.astype(2.5, np.float32),
    "nanmax": lambda m: m.nanmax(m.asarray([[1., np.nan], [np.nan, np.nan]]), axis=1),
}


@pytest.mark.parametrize("x64_mode", [False, True], ids=["x32", "x64"])
def test_oracle_calls(x64_mode):
    """dtype, weak type and shape of each call (or its refusal) equal JAX's."""
    with jax_x64(x64_mode) as jax:
        errors = []
        for name, fn in CALLS.items():
            err = _oracle(lambda m, fn=fn: fn(m), (), jax)
            if err:
                errors.append(f"{name} {err}")
        assert not errors, "\n".join(errors)


def test_oracle_call_values():
    """The numbers of a selection of calls equal JAX's (eager JAX compiles: keep it short)."""
    jax = _jax()
    with jax_x64(False):
        for name in ["array_nested", "arange_float_step", "arange_float_neg", "arange_dtype_step",
                     "linspace_retstep", "linspace_axis", "linspace_int", "logspace_base",
                     "eye_M", "var_ddof", "mean_where", "cumsum_dtype_bool", "reshape_F",
                     "matmul_bcast", "einsum_mixed", "round_decimals", "geomspace"]:
            expected = jax.tree_util.tree_leaves(CALLS[name](jax.numpy))
            actual = CALLS[name](jnp)
            actual = list(actual) if isinstance(actual, tuple) else [actual]
            for a, e in zip(actual, expected):
                check(a, np.asarray(e), dtype=e.dtype, weak=e.weak_type, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------
# Elementwise values against NumPy

SPECIAL = np.array([0.0, -0.0, 0.5, -1.5, 2.5, 3.0, -7.25, np.inf, -np.inf, np.nan, 1e-30, 88.0],
                   np.float32)
UNIT = np.array([-0.999, -0.5, 0.0, 0.25, 0.75, 0.999], np.float32)
INTS = np.array([-7, -3, -1, 0, 1, 2, 5, 100], np.int32)
POS = np.array([0.5, 1.0, 1.5, 2.0, 10.0, 1e3], np.float32)

UNARY_VALUES = {
    # name: (numpy function, inputs)
    "sin": (np.sin, [SPECIAL, INTS]), "cos": (np.cos, [SPECIAL, INTS]),
    "tan": (np.tan, [UNIT]), "arcsin": (np.arcsin, [UNIT]), "arccos": (np.arccos, [UNIT]),
    "arctan": (np.arctan, [SPECIAL]), "sinh": (np.sinh, [UNIT, INTS[:5]]),
    "cosh": (np.cosh, [UNIT]), "tanh": (np.tanh, [SPECIAL]), "arcsinh": (np.arcsinh, [SPECIAL]),
    "arccosh": (np.arccosh, [POS]), "arctanh": (np.arctanh, [UNIT]),
    "exp": (np.exp, [SPECIAL[:-1], INTS[:6]]), "exp2": (np.exp2, [SPECIAL[:-1]]),
    "log": (np.log, [POS, SPECIAL]), "log2": (np.log2, [POS, INTS]),
    "log10": (np.log10, [POS, INTS]), "log1p": (np.log1p, [UNIT]), "expm1": (np.expm1, [UNIT]),
    "sqrt": (np.sqrt, [POS, SPECIAL]), "cbrt": (np.cbrt, [SPECIAL]),
    "square": (np.square, [SPECIAL, INTS]), "reciprocal": (np.reciprocal, [POS]),
    "negative": (np.negative, [SPECIAL, INTS]), "positive": (np.positive, [SPECIAL, INTS]),
    "abs": (np.abs, [SPECIAL, INTS]), "fabs": (np.fabs, [SPECIAL]), "sign": (np.sign, [SPECIAL, INTS]),
    "floor": (np.floor, [SPECIAL, INTS]), "ceil": (np.ceil, [SPECIAL, INTS]),
    "trunc": (np.trunc, [SPECIAL, INTS]), "rint": (np.rint, [SPECIAL, INTS]),
    "round": (np.round, [np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.7], np.float32), INTS]),
    "isnan": (np.isnan, [SPECIAL, INTS]), "isinf": (np.isinf, [SPECIAL, INTS]),
    "isfinite": (np.isfinite, [SPECIAL, INTS]), "isposinf": (np.isposinf, [SPECIAL, INTS]),
    "isneginf": (np.isneginf, [SPECIAL, INTS]), "signbit": (np.signbit, [SPECIAL, INTS]),
    "logical_not": (np.logical_not, [SPECIAL, INTS]), "bitwise_not": (np.bitwise_not, [INTS]),
    "deg2rad": (np.deg2rad, [SPECIAL]), "rad2deg": (np.rad2deg, [SPECIAL]),
    "sinc": (np.sinc, [SPECIAL[:-3]]), "real": (np.real, [SPECIAL]), "imag": (np.imag, [SPECIAL]),
    "conj": (np.conj, [SPECIAL]),
}


@pytest.mark.parametrize("name", sorted(UNARY_VALUES))
def test_unary_values(name):
    np_fn, inputs = UNARY_VALUES[name]
    for x in inputs:
        with np.errstate(all="ignore"):
            expected = np_fn(x)
        if expected.dtype == np.float64:   # NumPy upcasts int32; pyjax gives float32
            expected = expected.astype(np.float32)
        out = getattr(jnp, name)(jnp.asarray(x))
        check(out, expected, dtype=expected.dtype, rtol=4e-6 if name != "cbrt" else 1e-5,
              atol=1e-6)


def test_unary_complex_values():
    z = (np.array([1 + 2j, -0.5 + 0.25j, 3 - 1j, -2 - 2j]) ).astype(np.complex64)
    for name in ["sin", "cos", "exp", "log", "sqrt", "tanh", "log2", "log10", "arctan",
                 "square", "negative", "conj", "real", "imag", "abs", "isfinite", "isinf",
                 "isnan"]:
        expected = getattr(np, name)(z)
        check(getattr(jnp, name)(jnp.asarray(z)), expected, dtype=expected.dtype, rtol=1e-5,
              atol=1e-6)


X1 = np.array([7.5, -7.5, 3.0, -0.0, 2.0, 1e-3, np.inf, -2.0, np.nan], np.float32)
X2 = np.array([2.0, 2.0, -4.0, 3.0, 0.5, 10.0, 2.0, -np.inf, 1.0], np.float32)
N1 = np.array([7, -7, 7, -7, 0, 5, 100, -128], np.int32)
N2 = np.array([2, 2, -2, -2, 3, 7, 9, 3], np.int32)

BINARY_VALUES = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
    "true_divide": np.true_divide, "floor_divide": np.floor_divide, "remainder": np.remainder,
    "mod": np.mod, "fmod": np.fmod, "maximum": np.maximum, "minimum": np.minimum,
    "arctan2": np.arctan2, "hypot": np.hypot, "logaddexp": np.logaddexp,
    "logaddexp2": np.logaddexp2, "copysign": np.copysign, "heaviside": np.heaviside,
    "nextafter": np.nextafter, "equal": np.equal, "not_equal": np.not_equal, "less": np.less,
    "less_equal": np.less_equal, "greater": np.greater, "greater_equal": np.greater_equal,
    "logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor,
    "float_power": np.float_power,
}
INT_ONLY = {"bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or,
            "bitwise_xor": np.bitwise_xor, "left_shift": np.left_shift,
            "right_shift": np.right_shift}
FLOAT_ONLY = {"arctan2", "hypot", "logaddexp", "logaddexp2", "copysign", "heaviside",
              "nextafter", "divide", "true_divide", "float_power"}


@pytest.mark.parametrize("name", sorted(BINARY_VALUES) + sorted(INT_ONLY))
def test_binary_values(name):
    np_fn = BINARY_VALUES.get(name) or INT_ONLY[name]
    pairs = []
    if name not in INT_ONLY:
        pairs.append((X1, X2))
    if name not in FLOAT_ONLY:
        b = np.abs(N2) % 5 if name in ("left_shift", "right_shift") else N2
        pairs.append((N1, b))
    for x, y in pairs:
        with np.errstate(all="ignore"):
            expected = np_fn(x, y)
        if name == "float_power":
            expected = expected.astype(np.float32)
        out = getattr(jnp, name)(jnp.asarray(x), jnp.asarray(y))
        check(out, expected, dtype=expected.dtype, rtol=1e-6, atol=1e-6)
        # broadcasting against a row and against Python scalars
        out = getattr(jnp, name)(jnp.asarray(x)[:, None], jnp.asarray(y)[None, :3])
        with np.errstate(all="ignore"):
            exp2 = np_fn(x[:, None], y[None, :3])
        check(out, exp2.astype(expected.dtype), rtol=1e-6, atol=1e-6)


def test_power_values():
    x = np.array([0.5, 2.0, 3.0, 0.0], np.float32)
    check(jnp.power(jnp.asarray(x), 3), x ** 3, dtype=np.float32)
    with np.errstate(divide="ignore"):
        check(jnp.power(jnp.asarray(x), -2), np.float32(1) / x ** 2, dtype=np.float32)
    check(jnp.power(jnp.asarray(x), 0.5), np.sqrt(x), dtype=np.float32)
    check(jnp.power(jnp.asarray(x), jnp.asarray([1, 2, 3, 4])), x ** np.array([1, 2, 3, 4]),
          dtype=np.float32)
    check(jnp.power(2, jnp.arange(5)), 2 ** np.arange(5), dtype=np.int32, weak=False)
    check(jnp.asarray([2, 3, -2]) ** 3, [8, 27, -8], dtype=np.int32)
    check(jnp.power(jnp.asarray([True, False]), 2), [1, 0], dtype=np.int32)


# JAX-specific integer semantics (values from JAX 0.10.2; XLA's CPU division by zero).
def test_integer_division_semantics():
    x = jnp.asarray([7, -7, 7, -7, 0, 5, -5])
    y = jnp.asarray([2, 2, -2, -2, 3, 0, 0])
    check(jnp.floor_divide(x, y), [3, -4, -4, 3, 0, -2, -2], dtype=np.int32)
    check(x // y, [3, -4, -4, 3, 0, -2, -2])
    check(jnp.remainder(x, y), [1, 1, -1, -1, 0, 0, 0], dtype=np.int32)
    check(x % y, [1, 1, -1, -1, 0, 0, 0])
    check(jnp.fmod(x, y), [1, -1, 1, -1, 0, 0, 0], dtype=np.int32)
    q, r = jnp.divmod(x, y)
    check(q, [3, -4, -4, 3, 0, -2, -2])
    check(r, [1, 1, -1, -1, 0, 0, 0])
    u = jnp.asarray(np.array([7, 8, 9], np.uint8))
    v = jnp.asarray(np.array([2, 0, 4], np.uint8))
    check(jnp.floor_divide(u, v), [3, 255, 2], dtype=np.uint8)
    check(jnp.remainder(u, v), [1, 0, 1], dtype=np.uint8)


def test_float_division_semantics():
    x = jnp.asarray([7.5, -7.5, 1.0, -1.0, 0.0, np.inf])
    y = jnp.asarray([2.0, 2.0, 0.0, 0.0, 0.0, 2.0])
    check(jnp.floor_divide(x, y), [3.0, -4.0, np.inf, -np.inf, np.nan, np.nan])
    check(jnp.remainder(x, y), [1.5, 0.5, np.nan, np.nan, np.nan, np.nan])
    check(jnp.remainder(jnp.asarray([-1.0, 1.0]), jnp.asarray([np.inf, -np.inf])),
          [np.inf, -np.inf])
    q, r = jnp.divmod(jnp.asarray([7.5, -7.5, 0.0]), 2.0)
    check(q, [3.0, -4.0, 0.0], dtype=np.float32, weak=False)
    check(r, [1.5, 0.5, 0.0])


def test_integer_power_semantics():
    # A concrete integer exponent is exact; integer bases refuse negative concrete exponents.
    with pytest.raises(TypeError, match="negative powers"):
        jnp.power(jnp.asarray([2, 3]), -1)
    with pytest.raises(TypeError, match="negative powers"):
        jnp.asarray([2, 3]) ** jnp.asarray(-1)
    # An array exponent uses binary exponentiation over 6 bits, wrapping like XLA (JAX's
    # numbers, including for negative exponents).
    base = jnp.asarray([2, 3, -2, 0, 1, -1])
    check(jnp.power(base, jnp.asarray([3, 2, 3, 0, 5, 7])), [8, 9, -8, 1, 1, -1], dtype=np.int32)
    check(jnp.power(base, jnp.asarray([-1, -2, -3, -1, -5, -7])),
          [0, 703701817, 0, 0, 1, -1], dtype=np.int32)
    check(jnp.power(jnp.asarray(np.array([2, 3], np.int8)), jnp.asarray(np.array([7, 3], np.int8))),
          [-128, 27], dtype=np.int8)
    f = pyjax.jit(jnp.power)
    check(f(base, -1), [0, 2111105451, 0, 0, 1, -1], dtype=np.int32)


def test_special_value_semantics():
    check(jnp.maximum(jnp.asarray([np.nan, 1.0]), jnp.asarray([0.0, np.nan])), [np.nan, np.nan])
    check(jnp.minimum(jnp.asarray([np.nan, 1.0]), jnp.asarray([0.0, np.nan])), [np.nan, np.nan])
    check(jnp.hypot(jnp.asarray([np.inf, np.nan, 3.0]), jnp.asarray([np.nan, np.inf, 4.0])),
          [np.inf, np.inf, 5.0])
    check(jnp.logaddexp(jnp.asarray([np.inf, -np.inf, 1.0]), jnp.asarray([np.inf, -np.inf, 2.0])),
          [np.inf, -np.inf, np.logaddexp(1.0, 2.0)])
    check(jnp.signbit(jnp.asarray([-0.0, 0.0, -np.inf, -np.nan])), [True, False, True, True])
    check(jnp.signbit(-0.0), True, dtype=bool)
    check(jnp.copysign(2.0, -0.0), -2.0, dtype=np.float32, weak=True)
    check(jnp.abs(jnp.asarray(np.array([-128, 5], np.int8))), [-128, 5], dtype=np.int8)
    check(jnp.sign(jnp.asarray([np.nan, -0.0, 2.0])), [np.nan, 0.0, 1.0])
    check(jnp.isposinf(jnp.asarray([True, False])), [False, False])
    check(jnp.arctan2(jnp.asarray([0.0, -0.0]), jnp.asarray([-0.0, -0.0])), [np.pi, -np.pi])


def test_unary_refusals():
    with pytest.raises(TypeError):
        jnp.sign(jnp.asarray([True]))
    with pytest.raises(TypeError):
        jnp.negative(jnp.asarray([True]))
    with pytest.raises(TypeError):
        jnp.fabs(jnp.asarray([1j]))
    with pytest.raises(ValueError):
        jnp.isposinf(jnp.asarray([1j]))
    with pytest.raises(TypeError):
        jnp.bitwise_not(jnp.asarray([1.0]))
    with pytest.raises(TypeError):
        jnp.right_shift(jnp.asarray([1.0]), 1)
    with pytest.raises(TypeError):
        jnp.bitwise_and(jnp.asarray([1.0]), 1)
    with pytest.raises(TypeError):
        jnp.subtract(jnp.asarray([True]), jnp.asarray([False]))
    with pytest.raises(TypeError, match="list"):
        jnp.sin([1.0, 2.0])
    with pytest.raises(ValueError):
        jnp.hypot(1j, 1.0)
    with pytest.raises(TypeError):
        jnp.argmax(jnp.asarray([1j]))


def test_shifts_and_bool_arithmetic():
    b = jnp.asarray([True, False, True])
    check(jnp.left_shift(b, b), [2, 0, 2], dtype=np.int32)
    check(jnp.add(b, jnp.asarray([False, False, True])), [True, False, True], dtype=bool)
    check(b * jnp.asarray([True, True, False]), [True, False, False], dtype=bool)
    u = jnp.asarray(np.array([255, 16], np.uint8))
    check(jnp.right_shift(u, 2), [63, 4], dtype=np.uint8)
    check(jnp.right_shift(jnp.asarray([-16, 16]), 2), [-4, 4], dtype=np.int32)


@pytest.mark.parametrize("decimals", [0, 1, 2, -1])
def test_round_decimals(decimals):
    x = np.array([1.2345, -2.5, 0.125, 15.0, 25.0, -35.0, 1234.5678], np.float32)
    check(jnp.round(jnp.asarray(x), decimals), np.round(x, decimals), dtype=np.float32,
          rtol=1e-6)
    check(jnp.around(jnp.asarray(x), decimals), np.round(x, decimals), rtol=1e-6)
    check(jnp.asarray(x).round(decimals), np.round(x, decimals), rtol=1e-6)
    n = np.array([15, 25, -15, 14, 16, -25, 123456], np.int32)
    check(jnp.round(jnp.asarray(n), decimals), np.round(n, decimals), dtype=np.int32)


def test_round_dtypes():
    check(jnp.round(2.567, 1), 2.6, dtype=np.float32, weak=True)
    h = np.array([1.2345, 2.675], np.float16)
    check(jnp.round(jnp.asarray(h), 2), np.round(h.astype(np.float32), 2).astype(np.float16),
          dtype=np.float16)
    check(jnp.round(jnp.asarray([1.26 + 2.34j]), 1), [1.3 + 2.3j], dtype=np.complex64, rtol=1e-6)
    with pytest.raises((TypeError, ValueError)):
        jnp.round(jnp.asarray([True]))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.float16, np.bool_])
def test_clip(dtype):
    x = (np.arange(-5, 7) * 1.5).astype(dtype)
    check(jnp.clip(jnp.asarray(x), 1, 4), np.clip(x, 1, 4).astype(
        np.result_type(dtype, np.int32) if dtype is np.bool_ else dtype))
    check(jnp.clip(jnp.asarray(x), max=3), np.minimum(x, 3).astype(
        np.int32 if dtype is np.bool_ else dtype))
    check(jnp.clip(jnp.asarray(x), min=2), np.maximum(x, 2).astype(
        np.int32 if dtype is np.bool_ else dtype))
    check(jnp.clip(jnp.asarray(x)), x)
    lo = np.linspace(-2, 2, 12).astype(np.float32)
    check(jnp.clip(jnp.asarray(x, np.float32), jnp.asarray(lo), 3.0),
          np.clip(x.astype(np.float32), lo, 3.0))
    with pytest.raises(ValueError, match="[Cc]omplex"):
        jnp.clip(jnp.asarray([1j]), 0, 1)


def test_where():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    check(jnp.where(jnp.asarray(x) > 2, jnp.asarray(x), 0), np.where(x > 2, x, 0),
          dtype=np.float32, weak=False)
    check(jnp.where(True, 2.5, 1), 2.5, dtype=np.float32, weak=True)
    check(jnp.where(jnp.asarray([1, 0, 2]), jnp.asarray([1, 2, 3]), 7.5), [1.0, 7.5, 3.0],
          dtype=np.float32, weak=True)
    check(jnp.where(jnp.asarray([[True], [False]]), jnp.asarray(x), jnp.asarray([9, 8, 7])),
          np.where([[True], [False]], x, [9, 8, 7]))
    with pytest.raises(TypeError, match="where .* position 2"):   # as JAX: y is not array-like
        jnp.where(True, 1)


def test_where_one_argument():
    x = np.array([[0, 3, 0], [1, 0, 2]], np.int32)
    for ours, ref in zip(jnp.where(jnp.asarray(x)), np.where(x)):
        check(ours, ref, dtype=np.int32)
    got = jnp.where(jnp.asarray(x) > 0, size=5, fill_value=-1)
    check(got[0], [0, 1, 1, -1, -1], dtype=np.int32)
    check(got[1], [1, 0, 2, -1, -1], dtype=np.int32)
    # with a static size it works under jit; without one, JAX's ConcretizationTypeError
    out = pyjax.jit(lambda c: jnp.where(c, size=2))(jnp.asarray(x))
    check(out[1], [1, 0])
    with pytest.raises(pyjax.errors.ConcretizationTypeError, match="size argument of jnp.nonzero"):
        pyjax.jit(lambda c: jnp.where(c))(jnp.asarray(x))
    with pytest.raises(ValueError, match="size and fill_value"):
        jnp.where(jnp.asarray(x) > 0, 1, 2, size=3)


def test_isclose_allclose():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 1.0], np.float32)
    b = np.array([1.0 + 1e-6, np.nan, np.inf, np.inf, 0.0, 1.1], np.float32)
    check(jnp.isclose(jnp.asarray(a), jnp.asarray(b)), np.isclose(a, b), dtype=bool)
    check(jnp.isclose(jnp.asarray(a), jnp.asarray(b), equal_nan=True),
          np.isclose(a, b, equal_nan=True))
    check(jnp.isclose(jnp.asarray(a), jnp.asarray(b), rtol=0.2), np.isclose(a, b, rtol=0.2))
    check(jnp.isclose(jnp.asarray([1, 2]), jnp.asarray([2, 2]), atol=1), [True, True])
    assert bool(jnp.allclose(jnp.asarray(a[[0, 4]]), jnp.asarray(b[[0, 4]])))
    assert not bool(jnp.allclose(jnp.asarray(a), jnp.asarray(b)))
    assert bool(jnp.allclose(jnp.asarray(a), jnp.asarray(a), equal_nan=True))
    check(jnp.allclose(1.0, 1.0 + 1e-9), True, dtype=bool)


def test_isnan_isinf_isfinite_ints_and_bools():
    for x in (jnp.asarray([1, 2]), jnp.asarray([True, False]), 3, True):
        check(jnp.isnan(x), np.isnan(np.asarray(x)), dtype=bool)
        check(jnp.isinf(x), np.isinf(np.asarray(x)), dtype=bool)
        check(jnp.isfinite(x), np.isfinite(np.asarray(x)), dtype=bool)
    check(jnp.isnan(2.5), False, dtype=bool, weak=True)
    check(jnp.isinf(jnp.asarray([complex(np.inf, 0), complex(0, np.nan), 1j])),
          [True, False, False])
    check(jnp.isnan(jnp.asarray([complex(np.inf, 0), complex(0, np.nan), 1j])),
          [False, True, False])


# ---------------------------------------------------------------------------
# array creation


@pytest.mark.parametrize("obj, dtype, weak", [
    ([1, 2, 3], np.int32, False),
    ([1.0, 2, 3], np.float32, False),
    ([1, 2.5], np.float32, False),
    ([True, False], np.bool_, False),
    ([True, 2], np.int32, False),
    ([1, 2j], np.complex64, False),
    ([[1, 2], [3, 4]], np.int32, False),
    ([], np.float32, False),
    ([[]], np.float32, False),
    (3, np.int32, True),
    (3.5, np.float32, True),
    (True, np.bool_, False),
    (2j, np.complex64, True),
    (np.float64(2.0), np.float32, False),
    (np.arange(3), np.int32, False),
    (np.arange(3.0), np.float32, False),
    (np.arange(3, dtype=np.uint8), np.uint8, False),
    (np.ones(2, np.float16), np.float16, False),
    (np.ones(2, ml_dtypes.bfloat16), ml_dtypes.bfloat16, False),
    (np.uint64(7), np.uint32, False),
    ([1, np.float16(2)], np.float16, False),
    ([1, np.int8(2)], np.int8, False),
    ([1.5, np.int8(2)], np.float32, False),
    ([np.float32(1), 2.0], np.float32, False),
    ([np.uint8(1), np.int8(2)], np.int16, False),
])
def test_array_dtype_inference(obj, dtype, weak):
    out = jnp.array(obj)
    check(out, np.asarray(obj).astype(dtype), dtype=dtype, weak=weak)
    out = jnp.asarray(obj)
    assert out.dtype == np.dtype(dtype) and out.weak_type == weak


@pytest.mark.parametrize("obj, dtype", [
    ([1, 2, 3], np.int64), ([1.0, 2], np.float64), (3, np.int64), (3.5, np.float64),
    (np.arange(3), np.int64), (np.float64(2), np.float64), (np.uint64(7), np.uint64),
    ([1, 2j], np.complex128), (np.arange(3, dtype=np.int16), np.int16),
])
def test_array_dtype_inference_x64(obj, dtype):
    with x64():
        out = jnp.array(obj)
        check(out, np.asarray(obj).astype(dtype), dtype=dtype)
        assert jnp.zeros(2).dtype == np.float64
        assert jnp.arange(3).dtype == np.int64
        assert jnp.array([1, 2], dtype=np.int64).dtype == np.int64
    assert jnp.array([1, 2], dtype=np.int64).dtype == np.int32
    assert jnp.zeros(2, dtype=np.float64).dtype == np.float32


def test_array_arguments():
    check(jnp.array([1, 2], dtype=np.float16), [1, 2], dtype=np.float16, weak=False)
    check(jnp.array(3, dtype=float), 3.0, dtype=np.float32, weak=False)
    check(jnp.array(jnp.asarray(2.5)), 2.5, weak=True)
    check(jnp.array(jnp.asarray(2.5), dtype=np.float32), 2.5, weak=False)
    check(jnp.array(3.0, ndmin=2), [[3.0]], dtype=np.float32)
    check(jnp.array([1, 2], ndmin=3), [[[1, 2]]])
    x = jnp.arange(3)
    assert jnp.asarray(x) is x
    y = jnp.array(x)                        # copy=True makes a new array
    assert y is not x and y.dtype == x.dtype
    check(y, [0, 1, 2])
    check(jnp.array([jnp.asarray(1.0), jnp.asarray(2.0)]), [1.0, 2.0], dtype=np.float32,
          weak=False)
    check(jnp.array([jnp.asarray(np.float16(1)), 2]), [1, 2], dtype=np.float16)
    check(jnp.array([jnp.asarray([1, 2]), [3, 4]]), [[1, 2], [3, 4]], dtype=np.int32)
    check(jnp.array((1, (2.5,)[0])), [1, 2.5])
    with pytest.raises(OverflowError):
        jnp.array(2 ** 40)
    with pytest.raises(ValueError):
        jnp.array([[1, 2], [3]])
    with pytest.raises(TypeError):
        jnp.array("abc")
    with pytest.raises((TypeError, ValueError)):
        jnp.array(None)
    with pytest.raises(TypeError):
        jnp.array({"a": 1})


def test_array_copies_numpy_input():
    a = np.arange(3.0, dtype=np.float32)
    x = jnp.asarray(a)
    a[0] = 100.0
    assert float(x[0]) == 0.0


def test_array_of_tracers_in_jit():
    f = pyjax.jit(lambda a, b: jnp.array([a, b, 2.0]))
    check(f(1.0, jnp.float32(3.0)), [1.0, 3.0, 2.0], dtype=np.float32)
    f = pyjax.jit(lambda a: jnp.array([[a, a], [a, a]]))
    check(f(jnp.asarray(2)), [[2, 2], [2, 2]], dtype=np.int32)


class _JaxArrayLike:
    def __init__(self, v):
        self.v = v

    def __jax_array__(self):
        return jnp.asarray(self.v)


def test_jax_array_protocol():
    check(jnp.array(_JaxArrayLike([1.0, 2.0])), [1.0, 2.0], dtype=np.float32)
    check(jnp.sin(_JaxArrayLike(0.5)), np.sin(np.float32(0.5)))
    check(jnp.einsum("i,i", _JaxArrayLike([1.0, 2.0]), jnp.ones(2)), 3.0)


@pytest.mark.parametrize("fn, np_fn", [(jnp.zeros, np.zeros), (jnp.ones, np.ones),
                                       (jnp.empty, np.zeros)])
def test_zeros_ones_empty(fn, np_fn):
    check(fn((2, 3)), np_fn((2, 3), np.float32), dtype=np.float32, weak=False)
    check(fn(4, dtype=int), np_fn(4, np.int32), dtype=np.int32)
    check(fn([2], dtype=bool), np_fn(2, bool), dtype=bool)
    check(fn((), np.uint8), np_fn((), np.uint8), dtype=np.uint8)
    check(fn((0, 2)), np_fn((0, 2)), dtype=np.float32)
    check(fn(np.int64(2)), np_fn(2), dtype=np.float32)
    with pytest.raises(TypeError):
        fn(2.5)
    with pytest.raises((TypeError, ValueError)):
        fn((-1, 2))


@pytest.mark.parametrize("fn, fill", [(jnp.zeros_like, 0), (jnp.ones_like, 1),
                                      (jnp.empty_like, 0)])
def test_like_functions(fn, fill):
    x = jnp.asarray(np.arange(6, dtype=np.int8).reshape(2, 3))
    check(fn(x), np.full((2, 3), fill, np.int8), dtype=np.int8, weak=False)
    check(fn(x, dtype=np.float32), np.full((2, 3), fill), dtype=np.float32)
    check(fn(x, shape=(4,)), np.full(4, fill), dtype=np.int8)
    check(fn(2.5), fill, dtype=np.float32, weak=True)
    check(fn(np.ones(2)), [fill, fill], dtype=np.float32, weak=False)


def test_full_and_full_like():
    check(jnp.full((2, 3), 1.5), np.full((2, 3), 1.5), dtype=np.float32, weak=True)
    check(jnp.full(3, 7), [7, 7, 7], dtype=np.int32, weak=True)
    check(jnp.full(3, np.float16(2)), [2, 2, 2], dtype=np.float16, weak=False)
    check(jnp.full((2,), 3, dtype=np.uint8), [3, 3], dtype=np.uint8, weak=False)
    check(jnp.full((2, 3), jnp.asarray([1, 2, 3])), [[1, 2, 3], [1, 2, 3]], dtype=np.int32)
    check(jnp.full(2, True), [True, True], dtype=bool)
    x = jnp.asarray(np.arange(4, dtype=np.int32))
    check(jnp.full_like(x, 2.7), [2, 2, 2, 2], dtype=np.int32, weak=False)
    check(jnp.full_like(3, 2.7), 2, dtype=np.int32, weak=True)
    check(jnp.full_like(x, 2.7, dtype=np.float32), np.full(4, 2.7, np.float32))
    check(jnp.full_like(jnp.zeros((2, 4)), jnp.asarray([1, 2, 3, 4])), [[1, 2, 3, 4]] * 2,
          dtype=np.float32)
    f = pyjax.jit(lambda v: jnp.full((2, 2), v))
    check(f(3.0), np.full((2, 2), 3.0), dtype=np.float32)
    f = pyjax.jit(lambda v: jnp.full_like(x, v))
    check(f(3.0), [3, 3, 3, 3], dtype=np.int32)


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}), ((5.0,), {}), ((2, 7), {}), ((5, -3, -2), {}), ((0, 1, 0.1), {}),
    ((1.0, -1.0, -0.25), {}), ((5,), {"dtype": np.float16}), ((0.5, 5), {"dtype": np.int32}),
    ((-3,), {}), ((5, 2), {}), ((np.int8(5),), {}), ((np.uint8(2), 10, 3), {}),
    ((0.5, 5.2), {}), ((10, 0, -1), {}), ((3, 20, 4), {"dtype": np.float32}),
    ((0, 1, 1 / 3), {}),
])
def test_arange(args, kwargs):
    out = jnp.arange(*args, **kwargs)
    expected = np.arange(*args, **kwargs)
    if "dtype" not in kwargs:   # JAX's promotion of the arguments, Python scalars weak
        expected = expected.astype(jnp.result_type(*args))
    check(out, expected, dtype=expected.dtype, weak=False, rtol=1e-6, atol=1e-6)


def test_arange_jax_rounding_and_errors():
    # JAX computes start + step * iota in the working dtype (float32 for float16 output).
    check(jnp.arange(0, 2, 0.3, dtype=np.float16),
          (np.float32(0) + np.float32(0.3) * np.arange(7, dtype=np.float32)).astype(np.float16),
          dtype=np.float16)
    check(jnp.arange(jnp.asarray(4)), [0, 1, 2, 3])
    with pytest.raises(ValueError):
        jnp.arange(jnp.asarray([1, 2]))
    with pytest.raises(ValueError):
        jnp.arange(0, 1 + 1j)
    with pytest.raises(pyjax.errors.ConcretizationTypeError):
        pyjax.jit(lambda n: jnp.arange(n))(3)
    with x64():
        check(jnp.arange(3), [0, 1, 2], dtype=np.int64)
        check(jnp.arange(3.0), [0, 1, 2], dtype=np.float64)


@pytest.mark.parametrize("kwargs", [
    {"num": 5}, {"num": 5, "endpoint": False}, {"num": 1}, {"num": 0}, {"num": 2},
    {"num": 7, "dtype": np.int32}, {"num": 6, "endpoint": False, "dtype": np.int32},
    {"num": 4, "dtype": np.float16},
])
def test_linspace(kwargs):
    for start, stop in [(0, 1), (-3.5, 10), (2, 2), (10, -3)]:
        out = jnp.linspace(start, stop, **kwargs)
        dt = np.dtype(kwargs.get("dtype", np.float32))
        expected = np.linspace(start, stop, **{k: v for k, v in kwargs.items() if k != "dtype"})
        assert out.dtype == dt and not out.weak_type
        if dt.kind == "i":
            # float32 interpolation then floor (as JAX): within one of NumPy's float64 floor
            assert np.all(np.abs(np.asarray(out) - np.floor(expected)) <= 1)
        else:
            check(out, expected.astype(dt), rtol=1e-6 if dt == np.float32 else 5e-3,
                  atol=1e-6 if dt == np.float32 else 5e-3)


def test_linspace_retstep_axis_and_exact_values():
    out, step = jnp.linspace(0, 10, 7, retstep=True)
    check(out, np.array([0.0, 1.6666667, 3.3333335, 5.0, 6.666667, 8.333334, 10.0], np.float32),
          dtype=np.float32, rtol=0)
    check(step, np.float32(1.6666667), dtype=np.float32, rtol=0)   # JAX: 10 * (1/6)
    out, step = jnp.linspace(0, 10, 5, endpoint=False, retstep=True)
    check(out, [0, 2, 4, 6, 8]), check(step, 2.0)
    out, step = jnp.linspace(2, 3, 1, retstep=True)
    check(out, [2.0]), check(step, np.nan)
    out, step = jnp.linspace(2, 3, 1, endpoint=False, retstep=True)
    check(step, 1.0)
    check(jnp.linspace(0, 1, 23)[9], np.float32(0.40909094), rtol=0)   # XLA's reciprocal
    start, stop = np.array([0.0, 1.0], np.float32), np.array([2.0, 5.0], np.float32)
    check(jnp.linspace(jnp.asarray(start), jnp.asarray(stop), 4, axis=1),
          np.linspace(start, stop, 4, axis=1), rtol=1e-6)
    check(jnp.linspace(jnp.asarray(start), jnp.asarray(stop), 4),
          np.linspace(start, stop, 4), rtol=1e-6)
    check(jnp.linspace(jnp.asarray(start), 5.0, 3, axis=-1), np.linspace(start, 5.0, 3, axis=-1),
          rtol=1e-6)
    out, step = jnp.linspace(jnp.asarray(start), jnp.asarray(stop), 3, retstep=True)
    check(step, (stop - start) / 2)
    check(jnp.linspace(0, 1 + 1j, 3), [0, 0.5 + 0.5j, 1 + 1j], dtype=np.complex64)
    check(jnp.linspace(2, 3, 0), np.zeros(0), dtype=np.float32)
    with pytest.raises(ValueError):
        jnp.linspace(0, 1, -1)
    check(pyjax.jit(lambda a, b: jnp.linspace(a, b, 3))(0.0, 1.0), [0.0, 0.5, 1.0])
    with x64():
        check(jnp.linspace(0, 1, 3), [0, 0.5, 1], dtype=np.float64)


def test_logspace_geomspace():
    check(jnp.logspace(0, 3, 4), [1, 10, 100, 1000], dtype=np.float32, rtol=1e-6)
    check(jnp.logspace(0, 3, 4, base=2), [1, 2, 4, 8], rtol=1e-6)
    check(jnp.logspace(0, 2, 4, endpoint=False, dtype=np.float16),
          np.logspace(0, 2, 4, endpoint=False), dtype=np.float16)
    check(jnp.logspace(0, 3, 4, dtype=int), [1, 10, 100, 1000], dtype=np.int32)
    check(jnp.logspace(jnp.asarray([0.0, 1.0]), 2.0, 3, axis=1),
          np.logspace([0.0, 1.0], 2.0, 3, axis=1), rtol=1e-6)
    check(jnp.geomspace(1, 1000, 4), [1, 10, 100, 1000], rtol=1e-5)
    check(jnp.geomspace(-1, -1000, 4), [-1, -10, -100, -1000], rtol=1e-5)


@pytest.mark.parametrize("N, M, k", [(3, None, 0), (3, None, 1), (3, 5, -1), (4, 2, 1),
                                     (3, 3, 5), (3, 3, -5), (0, 2, 0), (1, None, 0)])
def test_eye(N, M, k):
    check(jnp.eye(N, M, k), np.eye(N, M, k), dtype=np.float32, weak=False)
    check(jnp.eye(N, M, k=k, dtype=int), np.eye(N, M, k, dtype=int), dtype=np.int32)
    check(jnp.eye(N, M, k=k, dtype=bool), np.eye(N, M, k, dtype=bool), dtype=bool)


def test_eye_identity_extra():
    check(jnp.identity(4), np.identity(4), dtype=np.float32)
    check(jnp.identity(2, dtype=np.int8), np.identity(2), dtype=np.int8)
    check(pyjax.jit(lambda k: jnp.eye(3, k=k))(1), np.eye(3, k=1))
    with pytest.raises(ValueError):
        jnp.eye(-1)
    with pytest.raises((TypeError, ValueError)):
        jnp.eye(2, k=1.5)
    with x64():
        assert jnp.eye(2).dtype == np.float64


def test_tri_tril_triu_diag_diagonal_trace():
    m = np.arange(20, dtype=np.float32).reshape(4, 5)
    check(jnp.tri(3, 4, 1), np.tri(3, 4, 1), dtype=np.float32)
    for k in (-1, 0, 2):
        check(jnp.tril(jnp.asarray(m), k), np.tril(m, k))
        check(jnp.triu(jnp.asarray(m), k), np.triu(m, k))
        check(jnp.diagonal(jnp.asarray(m), k), np.diagonal(m, k))
        check(jnp.trace(jnp.asarray(m), k), np.trace(m, k))
        check(jnp.diag(jnp.asarray(m), k), np.diag(m, k))
        check(jnp.diag(jnp.asarray(m[0]), k), np.diag(m[0], k))
    a = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    check(jnp.diagonal(jnp.asarray(a), 1, 1, 2), np.diagonal(a, 1, 1, 2))
    check(jnp.diagonal(jnp.asarray(a), -1, 2, 0), np.diagonal(a, -1, 2, 0))
    check(jnp.trace(jnp.asarray(a), 0, 0, 2), np.trace(a, 0, 0, 2))
    check(jnp.asarray(m).diagonal(), np.diagonal(m))
    check(jnp.asarray(m).trace(), np.trace(m))


# ---------------------------------------------------------------------------
# reductions

RA = np.array([[[1.5, -2.0, 3.0, 0.5], [4.0, 5.5, -6.0, 2.0], [0.25, 1.0, 7.0, -3.0]],
               [[2.0, 2.0, -1.0, 8.0], [0.0, -4.5, 3.0, 1.0], [6.0, -2.5, 0.5, 4.0]]],
              np.float32)
RI = (np.arange(24).reshape(2, 3, 4) % 7 - 3).astype(np.int32)
AXES = [None, 0, 1, -1, (0, 2), (1, 2), (0, 1, 2), ()]


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "var", "std", "all",
                                  "any", "ptp"])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_vs_numpy(name, axis, keepdims):
    np_fn = getattr(np, name)
    for x in (RA, RI):
        expected = np_fn(x, axis=axis, keepdims=keepdims)
        if expected.dtype == np.float64:
            expected = expected.astype(np.float32)
        elif expected.dtype == np.int64:
            expected = expected.astype(np.int32)
        out = getattr(jnp, name)(jnp.asarray(x), axis=axis, keepdims=keepdims)
        check(out, expected, dtype=expected.dtype, weak=False, rtol=2e-6, atol=1e-5)
        # the Array method gives the same
        if name != "ptp":
            check(getattr(jnp.asarray(x), name)(axis=axis, keepdims=keepdims), expected,
                  rtol=2e-6, atol=1e-5)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_argmax_argmin(name, axis, keepdims):
    for x in (RA, RI, RI > 0):
        expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
        out = getattr(jnp, name)(jnp.asarray(x), axis=axis, keepdims=keepdims)
        check(out, expected.astype(np.int32), dtype=np.int32, weak=False)
    check(getattr(jnp, name)(jnp.asarray([1.0, np.nan, 3.0, np.nan])), 1)


def test_reduction_arguments():
    x = jnp.asarray(RA)
    check(jnp.sum(x, axis=0, where=x > 0), np.sum(RA, axis=0, where=RA > 0))
    check(jnp.sum(x, initial=10.0), np.sum(RA, initial=10.0), rtol=1e-6)
    check(jnp.sum(x, axis=1, initial=1.0, where=x > 0), np.sum(RA, axis=1, initial=1.0,
                                                               where=RA > 0))
    check(jnp.prod(x, axis=2, where=x > 0, keepdims=True), np.prod(RA, axis=2, where=RA > 0,
                                                                   keepdims=True))
    check(jnp.max(x, axis=0, initial=5.0), np.max(RA, axis=0, initial=5.0))
    check(jnp.max(jnp.asarray(RI), axis=0, where=jnp.asarray(RI) < 0, initial=-100),
          np.max(RI, axis=0, where=RI < 0, initial=-100))
    check(jnp.min(x, axis=(0, 1), where=x > 0, initial=100.0),
          np.min(RA, axis=(0, 1), where=RA > 0, initial=100.0))
    check(jnp.mean(x, axis=1, where=x > 0), np.mean(RA, axis=1, where=RA > 0), rtol=1e-6)
    check(jnp.mean(x, axis=1, where=x > 0, keepdims=True),
          np.mean(RA, axis=1, where=RA > 0, keepdims=True), rtol=1e-6)
    check(jnp.var(x, axis=1, where=x > 0), np.var(RA, axis=1, where=RA > 0), rtol=1e-5)
    check(jnp.all(x > -10, where=x > 0), True)
    check(jnp.any(x > 7, axis=0, where=x < 7), np.any(RA > 7, axis=0, where=RA < 7))
    check(jnp.max(jnp.zeros((0, 3)), axis=0, initial=1), [1.0, 1.0, 1.0])
    check(jnp.sum(jnp.zeros((0, 3)), axis=0), [0.0, 0.0, 0.0])
    check(jnp.prod(jnp.zeros((0, 3)), axis=1), np.zeros(0))
    with pytest.raises(ValueError):
        jnp.max(jnp.zeros((0, 3)), axis=0)
    with pytest.raises(ValueError):
        jnp.min(x, where=x > 0)
    with pytest.raises(ValueError):
        jnp.argmax(jnp.zeros((0,)))
    with pytest.raises(np.exceptions.AxisError, match=r"axis 3 is out of bounds .*jnp\.sum"):
        jnp.sum(x, axis=3)
    with pytest.raises(ValueError):
        jnp.sum(x, axis=(0, 0))
    with pytest.raises(NotImplementedError):
        jnp.sum(x, out=x)


def test_reduction_dtypes():
    i8 = jnp.asarray(np.array([100, 100, 100], np.int8))
    check(jnp.sum(i8), 300, dtype=np.int32)                          # promoted
    check(jnp.sum(i8, promote_integers=False), 44, dtype=np.int8)    # wraps
    check(jnp.sum(i8, dtype=np.float32), 300.0, dtype=np.float32)
    check(jnp.prod(jnp.asarray(np.array([2, 3], np.uint8))), 6, dtype=np.uint32)
    check(jnp.sum(jnp.asarray([True, True, False])), 2, dtype=np.int32)
    check(jnp.sum(jnp.asarray([1, 2, 0]), dtype=bool), True, dtype=bool)
    check(jnp.max(i8), 100, dtype=np.int8)
    check(jnp.sum(2.5), 2.5, dtype=np.float32, weak=False)            # reductions are strong
    check(jnp.mean(jnp.asarray([1, 2])), 1.5, dtype=np.float32, weak=False)
    check(jnp.mean(jnp.asarray([True, False])), 0.5, dtype=np.float32)
    h = jnp.asarray(np.full(3000, 0.1, np.float16))
    check(jnp.sum(h), np.float16(300.0), dtype=np.float16, rtol=1e-3)   # float32 accumulation
    check(jnp.mean(h), np.float16(0.1), dtype=np.float16, rtol=1e-3)
    check(jnp.mean(jnp.asarray([1, 2]), dtype=np.float16), 1.5, dtype=np.float16)
    check(jnp.var(jnp.asarray([1 + 1j, 1 - 1j])), 1.0, dtype=np.float32)
    check(jnp.std(jnp.asarray([1, 3])), 1.0, dtype=np.float32)
    check(jnp.var(jnp.asarray([1.0, 2.0]), ddof=2), np.nan)
    check(jnp.var(jnp.asarray([1.0, 2.0, 4.0]), correction=1), np.var([1.0, 2.0, 4.0], ddof=1))
    with pytest.raises(ValueError):
        jnp.std(jnp.asarray([1.0]), dtype=int)
    with pytest.raises(ValueError):
        jnp.var(jnp.asarray([1.0]), ddof=1, correction=1)
    check(jnp.count_nonzero(jnp.asarray(RI), axis=0), np.count_nonzero(RI, axis=0),
          dtype=np.int32)
    with x64():
        check(jnp.sum(jnp.asarray([1, 2], dtype=np.int32)), 3, dtype=np.int64)
        check(jnp.mean(jnp.asarray([1, 2])), 1.5, dtype=np.float64)
        check(jnp.argmax(jnp.asarray([1, 2])), 1, dtype=np.int64)


@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("axis", [None, 0, 2, (0, 1)], ids=str)
def test_var_std_ddof(ddof, axis):
    for x in (RA, RI):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = np.var(x, axis=axis, ddof=ddof)
            std = np.std(x, axis=axis, ddof=ddof, keepdims=True)
        n = x.size if axis is None else np.prod([x.shape[a] for a in np.atleast_1d(axis)])
        if n - ddof <= 0:   # JAX gives NaN where NumPy divides by zero or a negative count
            var, std = np.full_like(var, np.nan), np.full_like(std, np.nan)
        check(jnp.var(jnp.asarray(x), axis=axis, ddof=ddof), var.astype(np.float32),
              dtype=np.float32, rtol=1e-5)
        check(jnp.std(jnp.asarray(x), axis=axis, ddof=ddof, keepdims=True),
              std.astype(np.float32), rtol=1e-5)


def test_mean_matches_jax_rounding():
    # JAX divides by a constant count via its reciprocal (XLA constant folding): 7 * (1/3).
    check(jnp.mean(jnp.asarray([1.0, 2.0, 4.0])), np.float32(2.3333335), rtol=0)
    # var divides for real (its correction is traced in JAX).
    check(jnp.var(jnp.asarray([1.0, 2.0, 4.0])), np.float32(1.5555555), rtol=0)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumulative(name, axis):
    for x in (RA / 2, RI):
        expected = getattr(np, name)(x, axis=axis)
        if expected.dtype == np.int64:
            expected = expected.astype(np.int32)
        check(getattr(jnp, name)(jnp.asarray(x), axis=axis), expected, dtype=expected.dtype,
              weak=False, rtol=1e-5)
        check(getattr(jnp.asarray(x), name)(axis=axis), expected, rtol=1e-5)


def test_cumulative_dtypes():
    i8 = jnp.asarray(np.array([100, 100], np.int8))
    check(jnp.cumsum(i8), [100, -56], dtype=np.int8)          # no promotion (as JAX)
    check(jnp.cumsum(jnp.asarray([True, True])), [1, 2], dtype=np.int32)
    check(jnp.cumsum(jnp.asarray([-1, 1, 0]), dtype=bool), [True, True, True], dtype=bool)
    check(jnp.cumsum(jnp.asarray([1, 2]), dtype=np.float32), [1, 3], dtype=np.float32)
    check(jnp.cumsum(3), [3], dtype=np.int32, weak=False)
    check(jnp.cumprod(jnp.asarray([[1, 2], [3, 4]])), [1, 2, 6, 24])


# ---------------------------------------------------------------------------
# shape manipulation

SA = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


@pytest.mark.parametrize("shape", [(4, -1), (24,), -1, (2, 12), (1, 2, 1, 12), (6, 4), 24])
@pytest.mark.parametrize("order", ["C", "F"])
def test_reshape(shape, order):
    check(jnp.reshape(jnp.asarray(SA), shape, order=order), np.reshape(SA, shape, order=order))
    check(jnp.asarray(SA).reshape(shape, order=order), np.reshape(SA, shape, order=order))


def test_reshape_extra():
    x = jnp.asarray(SA)
    check(x.reshape(4, 6), SA.reshape(4, 6))
    check(x.reshape(-1, 2), SA.reshape(-1, 2))
    check(jnp.reshape(x, newshape=(24,)), SA.reshape(24))
    check(jnp.reshape(2.5, (1, 1)), [[2.5]], weak=True)
    check(jnp.reshape(jnp.zeros((0, 3)), (-1, 3)), np.zeros((0, 3)))
    with pytest.raises(TypeError):
        jnp.reshape(x, (5, -1))
    with pytest.raises(ValueError):
        jnp.reshape(x, (-1, -1))
    with pytest.raises(TypeError):
        jnp.reshape(x, (5, 5))


def test_ravel_transpose_swap_move():
    x = jnp.asarray(SA)
    check(jnp.ravel(x), SA.ravel())
    check(jnp.ravel(x, order="F"), SA.ravel(order="F"))
    check(x.ravel(), SA.ravel())
    check(x.flatten(order="F"), SA.flatten(order="F"))
    check(jnp.transpose(x), SA.T)
    check(jnp.transpose(x, (1, 0, 2)), SA.transpose(1, 0, 2))
    check(jnp.transpose(x, (-1, 0, 1)), SA.transpose(-1, 0, 1))
    check(x.transpose(2, 0, 1), SA.transpose(2, 0, 1))
    check(x.transpose((2, 0, 1)), SA.transpose(2, 0, 1))
    check(x.T, SA.T)
    check(x.mT, np.swapaxes(SA, -1, -2))
    check(jnp.permute_dims(x, (1, 2, 0)), SA.transpose(1, 2, 0))
    check(jnp.matrix_transpose(x), np.swapaxes(SA, -1, -2))
    with pytest.raises(ValueError):
        jnp.transpose(x, (0, 0, 1))
    for a, b in [(0, -1), (1, 2), (2, 2), (-3, 1)]:
        check(jnp.swapaxes(x, a, b), np.swapaxes(SA, a, b))
        check(x.swapaxes(a, b), np.swapaxes(SA, a, b))
    for s, d in [(0, -1), (2, 0), ((0, 1), (2, 0)), ([0, 2], [-1, 0])]:
        check(jnp.moveaxis(x, s, d), np.moveaxis(SA, s, d))
    with pytest.raises(ValueError):
        jnp.moveaxis(x, (0, 1), 0)


def test_squeeze_expand_dims():
    y = SA.reshape(1, 2, 1, 12)
    x = jnp.asarray(y)
    check(jnp.squeeze(x), np.squeeze(y))
    check(jnp.squeeze(x, axis=2), np.squeeze(y, axis=2))
    check(jnp.squeeze(x, axis=(0, -2)), np.squeeze(y, axis=(0, -2)))
    check(x.squeeze(0), np.squeeze(y, 0))
    with pytest.raises(ValueError):
        jnp.squeeze(x, axis=1)
    for axis in [0, 1, -1, (0, -1), (1, 3)]:
        check(jnp.expand_dims(jnp.asarray(SA), axis), np.expand_dims(SA, axis))
    check(jnp.expand_dims(2.5, 0), [2.5], weak=True)
    with pytest.raises(ValueError):
        jnp.expand_dims(jnp.asarray(SA), (0, 0))


def test_concatenate_stack():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6.0, 12.0).reshape(2, 3)
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    for axis in (0, 1, -1):
        check(jnp.concatenate([ja, jb], axis=axis), np.concatenate([a, b], axis=axis))
        check(jnp.stack([ja, jb], axis=axis), np.stack([a, b], axis=axis))
    check(jnp.stack([ja, jb], axis=2), np.stack([a, b], axis=2))
    check(jnp.concatenate([ja, jb], axis=None), np.concatenate([a, b], axis=None))
    check(jnp.concatenate((ja,)), a)
    check(jnp.concat([ja, jb]), np.concatenate([a, b]))
    check(jnp.concatenate(jnp.asarray(SA)), np.concatenate(SA))
    check(jnp.concatenate([ja, jnp.asarray([[1, 2, 3]])]), np.concatenate([a, [[1, 2, 3]]]),
          dtype=np.float32)
    check(jnp.concatenate([ja, ja], dtype=np.int32), np.concatenate([a, a]), dtype=np.int32)
    check(jnp.stack([1, 2, 3]), [1, 2, 3], dtype=np.int32, weak=True)
    check(jnp.stack([1, 2.5]), [1, 2.5], dtype=np.float32, weak=True)
    check(jnp.stack(jnp.asarray(a), axis=1), np.stack(a, axis=1))
    check(jnp.stack([ja, jb], dtype=int), np.stack([a, b]).astype(int), dtype=np.int32)
    with pytest.raises(ValueError):
        jnp.concatenate([])
    with pytest.raises(ValueError):
        jnp.concatenate([jnp.asarray(1.0), jnp.asarray(2.0)])
    # JAX raises TypeError for mismatched shapes, naming them
    with pytest.raises(TypeError, match=r"concatenate.*different numbers of dimensions: "
                                        r"got \(2, 3\), \(3,\)"):
        jnp.concatenate([ja, jnp.ones(3)])
    with pytest.raises(TypeError, match=r"concatenate.*along dimension 0 for shapes "
                                        r"\(2, 3\), \(2, 4\)"):
        jnp.concatenate([ja, jnp.ones((2, 4))], axis=0)
    with pytest.raises(ValueError):
        jnp.stack([ja, jnp.ones(3)])
    with pytest.raises(ValueError):
        jnp.stack([])
    with pytest.raises(TypeError):
        jnp.concatenate([ja, [[1, 2, 3]]])


def test_hstack_vstack_dstack_column_stack():
    v, w = np.arange(3.0), np.arange(3.0, 6.0)
    a = np.arange(6.0).reshape(2, 3)
    for fn in ("hstack", "vstack", "dstack", "column_stack"):
        np_fn, j_fn = getattr(np, fn), getattr(jnp, fn)
        check(j_fn([jnp.asarray(v), jnp.asarray(w)]), np_fn([v, w]))
        check(j_fn([jnp.asarray(a), jnp.asarray(a)]), np_fn([a, a]))
    check(jnp.vstack([jnp.asarray(a), jnp.asarray(v)]), np.vstack([a, v]))
    check(jnp.hstack([1, 2.5]), [1.0, 2.5], dtype=np.float32, weak=True)
    check(jnp.vstack([1, 2]), [[1], [2]], dtype=np.int32)
    check(jnp.hstack(jnp.asarray(a)), np.hstack(a))
    check(jnp.vstack(jnp.asarray(a)), np.vstack(a))
    assert [x.shape for x in jnp.atleast_1d(1.0, jnp.ones(2), jnp.ones((2, 2)))] == \
        [(1,), (2,), (2, 2)]
    assert jnp.atleast_2d(1.0).shape == (1, 1) and jnp.atleast_2d(jnp.ones(3)).shape == (1, 3)
    assert jnp.atleast_3d(jnp.ones(3)).shape == (1, 3, 1)
    assert jnp.atleast_3d(jnp.ones((2, 3))).shape == (2, 3, 1)


def test_broadcasting_functions():
    v = np.arange(4.0, dtype=np.float32)
    check(jnp.broadcast_to(jnp.asarray(v), (3, 4)), np.broadcast_to(v, (3, 4)))
    check(jnp.broadcast_to(2.5, 3), [2.5] * 3, dtype=np.float32, weak=True)
    check(jnp.broadcast_to(jnp.asarray(v[:, None]), (2, 4, 5)), np.broadcast_to(v[:, None], (2, 4, 5)))
    with pytest.raises(ValueError):
        jnp.broadcast_to(jnp.asarray(v), (3, 5))
    with pytest.raises(ValueError):
        jnp.broadcast_to(jnp.ones((2, 3)), (3,))
    outs = jnp.broadcast_arrays(jnp.asarray(v), jnp.ones((3, 1), np.int32), 2.5)
    exps = np.broadcast_arrays(v, np.ones((3, 1), np.int32), 2.5)
    for o, e in zip(outs, exps):
        check(o, e)
    assert [o.dtype for o in outs] == [np.float32, np.int32, np.float32]
    assert [o.weak_type for o in outs] == [False, False, True]
    assert jnp.broadcast_arrays() == []
    assert jnp.broadcast_shapes((3, 1), (4,)) == (3, 4)
    with pytest.raises(ValueError):
        jnp.broadcast_arrays(jnp.ones(2), jnp.ones(3))


def test_flip_and_misc():
    check(jnp.flip(jnp.asarray(SA)), np.flip(SA))
    check(jnp.flip(jnp.asarray(SA), (0, 2)), np.flip(SA, (0, 2)))
    check(jnp.fliplr(jnp.asarray(SA)), np.fliplr(SA))
    check(jnp.flipud(jnp.asarray(SA)), np.flipud(SA))
    assert jnp.shape(SA) == (2, 3, 4) and jnp.ndim(2.0) == 0 and jnp.size(SA) == 24
    assert jnp.size(SA, -1) == 4
    assert jnp.isscalar(2.0) and jnp.isscalar(jnp.asarray(2.0)) and not jnp.isscalar(jnp.ones(2))
    assert jnp.iscomplexobj(jnp.asarray([1j])) and not jnp.iscomplexobj(2.0)
    check(jnp.astype(jnp.asarray([1.7, -1.7]), np.int32), [1, -1], dtype=np.int32)
    check(jnp.select([jnp.asarray([1, 5]) > 2, jnp.asarray([1, 5]) > 0], [1, 2], 7), [2, 1])
    check(jnp.array_equal(jnp.asarray(SA), jnp.asarray(SA)), True)
    check(jnp.array_equal(jnp.asarray(SA), jnp.ones(2)), False)
    check(jnp.array_equal(jnp.asarray([np.nan]), jnp.asarray([np.nan]), equal_nan=True), True)


# ---------------------------------------------------------------------------
# products

PM = np.arange(12, dtype=np.float32).reshape(3, 4) / 3
PV = np.arange(4, dtype=np.float32)


@pytest.mark.parametrize("sa, sb", [
    ((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
    ((2, 3, 4), (4,)), ((4,), (2, 4, 5)), ((2, 1, 3, 4), (1, 6, 4, 2)), ((0, 3), (3, 2)),
    ((1, 1, 2, 3), (1, 3, 2)),
])
def test_matmul_shapes(sa, sb):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(sa).astype(np.float32)
    b = rng.standard_normal(sb).astype(np.float32)
    check(jnp.matmul(jnp.asarray(a), jnp.asarray(b)), np.matmul(a, b), dtype=np.float32,
          rtol=1e-5, atol=1e-5)
    check(jnp.asarray(a) @ jnp.asarray(b), a @ b, rtol=1e-5, atol=1e-5)
    check(a @ jnp.asarray(b), a @ b, rtol=1e-5, atol=1e-5)


def test_matmul_dtypes_and_errors():
    i = np.arange(6, dtype=np.int32).reshape(2, 3)
    check(jnp.matmul(jnp.asarray(i), jnp.asarray(i.T)), i @ i.T, dtype=np.int32)
    check(jnp.matmul(jnp.asarray(i), jnp.asarray(i.T), preferred_element_type=np.float32),
          (i @ i.T).astype(np.float32), dtype=np.float32)
    check(jnp.matmul(jnp.asarray(i > 2), jnp.asarray(i.T > 2)), (i > 2) @ (i.T > 2), dtype=bool)
    check(jnp.matmul(jnp.asarray(i), jnp.asarray(PM[:3])), i @ PM[:3], dtype=np.float32,
          rtol=1e-6)
    with pytest.raises(ValueError):
        jnp.matmul(jnp.asarray(PM), jnp.asarray(PM))
    with pytest.raises(ValueError):
        jnp.matmul(2.0, jnp.asarray(PV))
    with pytest.raises(ValueError):
        jnp.matmul(jnp.ones((2, 3, 4)), jnp.ones((3, 4, 2)))


def test_dot_vdot_inner_outer_tensordot_kron():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 4)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    tol = dict(rtol=1e-5, atol=1e-5)
    check(jnp.dot(ja, jb), np.dot(a, b), **tol)
    check(jnp.dot(jnp.asarray(PM), jnp.asarray(PV)), np.dot(PM, PV), **tol)
    check(jnp.dot(jnp.asarray(PV), jnp.asarray(PV)), np.dot(PV, PV), **tol)
    check(jnp.dot(ja, jnp.asarray(a.transpose(0, 2, 1))), np.dot(a, a.transpose(0, 2, 1)), **tol)
    check(jnp.dot(2.0, jnp.asarray(PM)), 2 * PM, weak=False)
    check(jnp.dot(2.0, 3), 6.0, dtype=np.float32, weak=True)
    check(ja.dot(jb), np.dot(a, b), **tol)
    c = (PM + 1j * PM[::-1]).astype(np.complex64)
    check(jnp.vdot(jnp.asarray(c), jnp.asarray(c[::-1])), np.vdot(c, c[::-1]), **tol)
    check(jnp.vdot(jnp.asarray(PM), jnp.asarray(PM)), np.vdot(PM, PM), **tol)
    check(jnp.inner(jnp.asarray(PM), jnp.asarray(PM)), np.inner(PM, PM), **tol)
    check(jnp.inner(ja, jnp.asarray(b.T)), np.inner(a, b.T), **tol)
    check(jnp.inner(2, jnp.asarray(PV)), np.inner(2, PV), **tol)
    check(jnp.outer(jnp.asarray(PV), jnp.asarray(PM)), np.outer(PV, PM), **tol)
    check(jnp.outer(2.5, 3), [[7.5]], dtype=np.float32, weak=True)
    for sb, axes in [((4, 5), 1), ((3, 4, 2), 2), ((2, 2), 0), ((4, 3), ([1, 2], [1, 0])),
                     ((4, 5), (2, 0)), ((4, 5), ((-1,), (0,)))]:
        bb = rng.standard_normal(sb).astype(np.float32)
        check(jnp.tensordot(ja, jnp.asarray(bb), axes), np.tensordot(a, bb, axes), **tol)
    with pytest.raises(TypeError):
        jnp.tensordot(ja, jb, 3)
    check(jnp.kron(jnp.asarray(PM[:2, :2]), jnp.asarray(PV)), np.kron(PM[:2, :2], PV), **tol)
    check(jnp.kron(jnp.asarray(PV), jnp.asarray(PM)), np.kron(PV, PM), **tol)


EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),                  # implicit output
    ("ba", [(3, 4)]),                             # implicit output sorts the letters
    ("ii", [(3, 3)]),                             # trace
    ("ii->i", [(3, 3)]),                          # diagonal
    ("iij->ij", [(3, 3, 2)]),
    ("iji->ij", [(3, 2, 3)]),
    ("iii->i", [(2, 2, 2)]),
    ("ijk->", [(2, 3, 4)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(5,), (5,)]),
    ("i,i->i", [(5,), (5,)]),
    ("i,i", [(5,), (5,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,jk,kl", [(2, 3), (3, 4), (4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 5)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("i...->...", [(3, 2, 4)]),
    ("...i->...", [(2, 3)]),
    ("...,...", [(2, 3), (3,)]),
    ("ij...,jk...->ik...", [(2, 3, 5), (3, 4, 5)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("iij,jk->ik", [(3, 3, 4), (4, 5)]),
    ("ij,ij->ij", [(1, 4), (3, 4)]),              # size-1 broadcasting of a named dim
    ("ij,jk->ik", [(3, 4), (1, 5)]),              # size-1 contracted dim
    ("bij,bjk->bik", [(1, 3, 4), (2, 4, 5)]),
    ("ij,kl->ijkl", [(2, 3), (2, 2)]),
    ("abc,cd,db->a", [(2, 3, 4), (4, 5), (5, 3)]),
    ("i,i,i->i", [(3,), (3,), (3,)]),
    ("ijk,ikj->i", [(2, 3, 3), (2, 3, 3)]),
    ("ij,ji->", [(3, 4), (4, 3)]),
    ("ab,ab,ab->", [(2, 3), (2, 3), (2, 3)]),
]


@pytest.mark.parametrize("spec, shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum(spec, shapes):
    rng = np.random.default_rng(2)
    ops = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    expected = np.einsum(spec, *ops)
    check(jnp.einsum(spec, *[jnp.asarray(o) for o in ops]), expected, dtype=np.float32,
          rtol=1e-4, atol=1e-5)
    check(jnp.einsum(spec, *[jnp.asarray(o) for o in ops], optimize=False), expected,
          rtol=1e-4, atol=1e-5)
    f = pyjax.jit(lambda *xs: jnp.einsum(spec, *xs))
    check(f(*[jnp.asarray(o) for o in ops]), expected, rtol=1e-4, atol=1e-5)


def test_einsum_dtypes_and_forms():
    i = np.arange(6, dtype=np.int32).reshape(2, 3)
    check(jnp.einsum("ij,kj->ik", jnp.asarray(i), jnp.asarray(i)), i @ i.T, dtype=np.int32)
    check(jnp.einsum("ij,kj->ik", jnp.asarray(i), jnp.asarray(i), preferred_element_type=np.float32),
          i @ i.T, dtype=np.float32)
    check(jnp.einsum("ij,kj->ik", jnp.asarray(i), jnp.asarray(PM[:2, :3])), i @ PM[:2, :3].T,
          dtype=np.float32, rtol=1e-6)
    check(jnp.einsum("i,i->", jnp.full(3, 2.5), jnp.full(3, 1.5)), 11.25, dtype=np.float32,
          weak=True)
    check(jnp.einsum("ij,jk->ik", jnp.asarray(i > 2), jnp.asarray(i.T > 2)), (i > 2) @ (i.T > 2),
          dtype=bool)
    check(jnp.einsum(jnp.asarray(PM), [0, 1], jnp.asarray(PM.T), [1, 2], [0, 2]), PM @ PM.T,
          rtol=1e-5)
    check(jnp.einsum(jnp.asarray(PM), [Ellipsis, 1], jnp.asarray(PV), [1]), PM @ PV, rtol=1e-5)
    with pytest.raises(ValueError):
        jnp.einsum("ij,jk->ik", jnp.asarray(PM), jnp.asarray(PM))
    with pytest.raises(ValueError):
        jnp.einsum("ij->ik", jnp.asarray(PM))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_einsum_property(data):
    letters = "abcd"
    sizes = {c: data.draw(st.integers(1, 3)) for c in letters}
    n_ops = data.draw(st.integers(1, 3))
    specs = [data.draw(st.text(alphabet=letters, min_size=0, max_size=3)) for _ in range(n_ops)]
    present = sorted(set("".join(specs)))
    out = data.draw(st.permutations(present).map(lambda p: "".join(p)))
    out = out[:data.draw(st.integers(0, len(out)))]
    spec = ",".join(specs) + "->" + out
    rng = np.random.default_rng(3)
    ops = [rng.standard_normal([sizes[c] for c in s]).astype(np.float32) for s in specs]
    check(jnp.einsum(spec, *[jnp.asarray(o) for o in ops]), np.einsum(spec, *ops), rtol=1e-4,
          atol=1e-4)


# ---------------------------------------------------------------------------
# property tests: broadcasting arithmetic against NumPy

_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_broadcast_arithmetic_property(data):
    s1 = data.draw(_shapes)
    s2 = data.draw(st.sampled_from([s1, s1[1:], (1,) + s1[1:], ()]))
    name = data.draw(st.sampled_from(["add", "subtract", "multiply", "maximum", "minimum",
                                      "less", "equal", "arctan2"]))
    dt = data.draw(st.sampled_from([np.float32, np.int32]))
    rng = np.random.default_rng(data.draw(st.integers(0, 100)))
    x = (rng.standard_normal(s1) * 4).astype(dt)
    y = (rng.standard_normal(s2) * 4).astype(dt)
    expected = getattr(np, name)(x, y)
    if expected.dtype == np.float64:
        expected = expected.astype(np.float32)
    check(getattr(jnp, name)(jnp.asarray(x), jnp.asarray(y)), expected, dtype=expected.dtype,
          rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_reduction_property(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1),
                               st.lists(st.integers(0, nd - 1), unique=True).map(tuple)))
    name = data.draw(st.sampled_from(["sum", "prod", "max", "min", "mean", "var", "any", "all"]))
    keepdims = data.draw(st.booleans())
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    check(getattr(jnp, name)(jnp.asarray(x), axis=axis, keepdims=keepdims),
          np.asarray(expected).astype(np.float32 if expected.dtype == np.float64 else expected.dtype),
          rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# transformations: jnp code reaches arrays only through lax, so it traces


def test_functions_under_jit_and_vmap():
    x = jnp.asarray(RA)
    f = pyjax.jit(lambda x: (jnp.mean(x, axis=0), jnp.var(x, ddof=1), jnp.argmax(x, axis=1),
                             jnp.cumsum(x, axis=2), jnp.clip(x, -1, 1), jnp.round(x, 1),
                             jnp.where(x > 0, x, 0.0), jnp.isclose(x, x),
                             jnp.reshape(x, (4, 6), order="F"), jnp.moveaxis(x, 0, -1),
                             jnp.matmul(x, jnp.swapaxes(x, -1, -2)),
                             jnp.floor_divide(x, 0.7), jnp.remainder(x, 0.7),
                             jnp.power(x, 2), jnp.power(x, jnp.int32(3)), jnp.signbit(x[0, 0, 0]),
                             jnp.hypot(x, 1.0), jnp.stack([x, x]), jnp.linspace(x[0, 0], x[1, 1], 3)))
    outs = f(x)
    expected = (np.mean(RA, 0), np.var(RA, ddof=1), np.argmax(RA, 1), np.cumsum(RA, 2),
                np.clip(RA, -1, 1), np.round(RA, 1), np.where(RA > 0, RA, 0), np.ones(RA.shape, bool),
                RA.reshape((4, 6), order="F"), np.moveaxis(RA, 0, -1), RA @ np.swapaxes(RA, -1, -2),
                np.floor_divide(RA, np.float32(0.7)), np.remainder(RA, np.float32(0.7)),
                RA ** 2, RA ** 3, np.signbit(RA[0, 0, 0]), np.hypot(RA, 1.0), np.stack([RA, RA]),
                np.linspace(RA[0, 0], RA[1, 1], 3))
    for o, e in zip(outs, expected):
        check(o, np.asarray(e), rtol=1e-5, atol=1e-5)
    g = pyjax.vmap(lambda r: jnp.einsum("ij,kj->ik", r, r))
    check(g(x), np.einsum("bij,bkj->bik", RA, RA), rtol=1e-5)
    h = pyjax.grad(lambda v: jnp.sum(jnp.sin(v) * jnp.mean(v)))
    v = np.array([0.5, 1.0, 2.0], np.float32)
    check(h(jnp.asarray(v)), np.cos(v) * v.mean() + np.sin(v).sum() / 3, rtol=1e-5)


def test_weak_types_survive_jit():
    f = pyjax.jit(lambda a: jnp.sin(a) * 2)
    check(f(2.5), np.sin(np.float32(2.5)) * 2, dtype=np.float32, weak=True)
    f = pyjax.jit(lambda a: jnp.isnan(a))
    check(f(2.5), False, dtype=bool, weak=True)
    f = pyjax.jit(lambda a: jnp.sum(a))
    check(f(2.5), 2.5, dtype=np.float32, weak=False)


def test_promotion_with_python_scalars():
    h = jnp.asarray(np.array([1, 2], np.float16))
    check(h + 1.5, [2.5, 3.5], dtype=np.float16, weak=False)
    i8 = jnp.asarray(np.array([1, 2], np.int8))
    check(i8 * 300, (np.array([1, 2]) * 300).astype(np.int8), dtype=np.int8)
    check(i8 + 1.0, [2.0, 3.0], dtype=np.float32, weak=True)
    u = jnp.asarray(np.array([1, 2], np.uint8))
    check(u - 3, [254, 255], dtype=np.uint8)
    check(jnp.asarray([1, 2]) + np.float64(0.5), [1.5, 2.5], dtype=np.float32, weak=False)
    check(2 + 3.5j * jnp.ones(2, np.float16), [2 + 3.5j] * 2, dtype=np.complex64)
    check(jnp.add(2, 3), 5, dtype=np.int32, weak=True)
    check(jnp.add(True, True), True, dtype=bool, weak=False)
    with x64():
        check(jnp.asarray([1, 2], np.int32) + 1, [2, 3], dtype=np.int32)
        check(jnp.add(2, 3.0), 5.0, dtype=np.float64, weak=True)
        check(jnp.asarray([1, 2], np.float32) * 2.0, [2, 4], dtype=np.float32)


# ---------------------------------------------------------------------------
# aliases and the remaining small functions


@pytest.mark.parametrize("alias, name", [
    ("acos", "arccos"), ("acosh", "arccosh"), ("asin", "arcsin"), ("asinh", "arcsinh"),
    ("atan", "arctan"), ("atanh", "arctanh"), ("atan2", "arctan2"), ("amax", "max"),
    ("amin", "min"), ("bitwise_invert", "bitwise_not"), ("invert", "bitwise_not"),
    ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift"),
    ("row_stack", "vstack"), ("pow", "power"), ("mod", "remainder"), ("absolute", "abs"),
    ("around", "round"), ("conjugate", "conj"), ("degrees", "rad2deg"),
    ("radians", "deg2rad"), ("true_divide", "divide"), ("concat", "concatenate"),
])
def test_aliases(alias, name):
    a, f = getattr(jnp, alias), getattr(jnp, name)
    x = jnp.asarray(np.array([0.25, 0.5, 0.75], np.float32))
    n = jnp.asarray(np.array([1, 2, 3], np.int32))
    if name in ("arctan2", "remainder", "power", "divide"):
        check(a(x, x + 1), f(x, x + 1))
    elif name in ("left_shift", "right_shift"):
        check(a(n, n), f(n, n))
    elif name == "bitwise_not":
        check(a(n), f(n))
    elif name in ("vstack", "concatenate"):
        check(a([x, x]), f([x, x]))
    elif name == "arccosh":
        check(a(x + 1), f(x + 1))
    else:
        check(a(x), f(x))


def test_misc_functions_values():
    z = np.array([1 + 1j, -2.0, 3j, 0.0], np.complex64)
    check(jnp.angle(jnp.asarray(z)), np.angle(z), dtype=np.float32, rtol=1e-6)
    check(jnp.angle(jnp.asarray(z), deg=True), np.angle(z, deg=True), rtol=1e-6)
    check(jnp.angle(2.5), 0.0, dtype=np.float32)
    check(jnp.angle(jnp.asarray([-1, 2])), [np.pi, 0.0], dtype=np.float32)
    check(jnp.iscomplex(jnp.asarray(z)), np.iscomplex(z))
    check(jnp.isreal(jnp.asarray(z)), np.isreal(z))
    check(jnp.iscomplex(jnp.asarray([1.0])), [False])
    assert jnp.isrealobj(jnp.ones(2)) and not jnp.isrealobj(jnp.asarray([1j]))
    check(jnp.fix(jnp.asarray([-1.5, 1.5, -0.2, 2.0])), np.fix([-1.5, 1.5, -0.2, 2.0]))
    check(jnp.fix(jnp.asarray([3, -3])), [3, -3], dtype=np.int32)
    x = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in ("nansum", "nanprod", "nanmax", "nanmin", "nanmean"):
            check(getattr(jnp, name)(jnp.asarray(x), axis=1), getattr(np, name)(x, axis=1))
            check(getattr(jnp, name)(jnp.asarray(x)), getattr(np, name)(x))
    check(jnp.nansum(jnp.asarray([1, 2])), 3, dtype=np.int32)
    r = np.array([[3, 1, 4], [1, 5, 9], [2, 6, 5]], np.int32)
    check(jnp.cummax(jnp.asarray(r), axis=0), np.maximum.accumulate(r, axis=0))
    check(jnp.cummin(jnp.asarray(r), axis=1), np.minimum.accumulate(r, axis=1))
    check(jnp.array_equiv(jnp.asarray([1, 2]), jnp.asarray([[1, 2], [1, 2]])), True)
    check(jnp.array_equiv(jnp.asarray([1, 2]), jnp.asarray([[1, 3]])), False)
    check(jnp.array_equiv(jnp.asarray([1, 2]), jnp.asarray([1, 2, 3])), False)
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    check(jnp.vecdot(jnp.asarray(a), jnp.asarray(a)), np.sum(a * a, axis=-1))
    check(jnp.vecdot(jnp.asarray(a), jnp.asarray(a[0]), axis=-1), a @ a[0])
    c = (a + 1j).astype(np.complex64)
    check(jnp.vecdot(jnp.asarray(c), jnp.asarray(c), axis=0), np.sum(np.conj(c) * c, axis=0),
          rtol=1e-6)
    ops = jnp.ones((2, 3)), jnp.ones((3, 4)), jnp.ones((4, 5))
    path, info = jnp.einsum_path("ij,jk,kl->il", *ops)       # opt_einsum's answer, as JAX
    assert len(path) == 2 and all(isinstance(p, tuple) for p in path)
    check(jnp.einsum("ij,jk,kl->il", *ops, optimize=path), np.full((2, 5), 12.0))


def test_dtype_helpers():
    assert jnp.promote_types(np.int8, np.uint8) == np.int16
    assert jnp.promote_types(np.float16, np.bfloat16 if hasattr(np, "bfloat16") else
                             jnp.bfloat16) == np.float32
    assert jnp.promote_types(np.int32, np.float16) == np.float16     # JAX's lattice
    assert jnp.result_type(jnp.ones(2, np.float16), 1.0) == np.float16
    assert jnp.result_type(np.int8, 1) == np.int8
    assert jnp.can_cast(np.int8, np.int32) and not jnp.can_cast(np.float32, np.int32)
    assert jnp.can_cast(jnp.ones(2, np.int8), np.int16)
    assert jnp.issubdtype(jnp.bfloat16, jnp.floating)
    assert jnp.isdtype(np.int32, "integral") and not jnp.isdtype(np.float32, "integral")
    assert jnp.finfo(jnp.bfloat16).bits == 16 and jnp.iinfo(np.int8).max == 127
    assert jnp.dtype(jnp.float32) == np.float32 and jnp.dtype(jnp.bool_) == np.bool_
    assert jnp.newaxis is None
    assert jnp.dtype("float32") == np.float32
