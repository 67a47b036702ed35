"""The behaviour of pyjax.Array: operators, indexing, methods, conversions and printing.

repr is compared with hard-coded JAX output and, where JAX is installed, with JAX itself.
"""
import copy
import operator
import pickle

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.config import config


def check(actual, expected, dtype=None, weak=None):
    assert isinstance(actual, pyjax.Array), type(actual)
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64 if np.asarray(actual).dtype.kind != "c" else None),
                               np.asarray(expected), rtol=1e-6, atol=1e-6)
    assert np.shape(actual) == np.shape(expected)
    if dtype is not None:
        assert actual.dtype == np.dtype(dtype), (actual.dtype, dtype)
    if weak is not None:
        assert actual.weak_type == weak, (actual.weak_type, weak)


X = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
N = np.array([[7, -3, 2], [0, 5, -8]], np.int32)


# ---------------------------------------------------------------------------
# operators

BINOPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
          operator.mod, operator.pow, operator.lt, operator.le, operator.gt, operator.ge,
          operator.eq, operator.ne]
INTOPS = [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift]


@pytest.mark.parametrize("op", BINOPS, ids=lambda o: o.__name__)
def test_binary_operators(op):
    x, y = X, np.array([[2.0, 0.5, -1.5], [3.0, 2.0, 4.0]], np.float32)
    jx, jy = jnp.asarray(x), jnp.asarray(y)
    with np.errstate(all="ignore"):
        expected = op(x, y)
    check(op(jx, jy), expected, dtype=expected.dtype)
    check(op(jx, y), expected)                                   # NumPy on the right
    out = op(x, jy)                                              # NumPy on the left
    assert isinstance(out, pyjax.Array)
    check(out, expected)
    for s in (2, 2.5):                                           # Python scalars, both sides
        with np.errstate(all="ignore"):
            e1, e2 = op(x, np.float32(s)), op(np.float32(s), x)
        r1, r2 = op(jx, s), op(s, jx)
        check(r1, e1, dtype=e1.dtype, weak=False)
        check(r2, e2, dtype=e2.dtype, weak=False)
    r = op(np.float32(2.0), jx)                                  # NumPy scalar on the left
    assert isinstance(r, pyjax.Array)
    with np.errstate(all="ignore"):
        check(r, op(np.float32(2.0), x))


@pytest.mark.parametrize("op", INTOPS + [operator.floordiv, operator.mod, operator.pow,
                                          operator.add, operator.mul],
                         ids=lambda o: o.__name__)
def test_integer_operators(op):
    n, m = N, np.array([[2, 1, 3], [1, 2, 1]], np.int32)
    expected = op(n, m)
    check(op(jnp.asarray(n), jnp.asarray(m)), expected, dtype=np.int32)
    check(op(jnp.asarray(n), 2), op(n, np.int32(2)), dtype=np.int32, weak=False)
    check(op(3, jnp.asarray(m)), op(np.int32(3), m), dtype=np.int32)


def test_operator_dtypes_and_weak_types():
    x = jnp.asarray(X)
    assert (x + 1).dtype == np.float32 and not (x + 1).weak_type
    i = jnp.asarray(N)
    r = i + 1.5
    assert r.dtype == np.float32 and r.weak_type                 # int32 array + weak float
    assert (i / 2).dtype == np.float32
    assert (i // 2).dtype == np.int32
    assert (i ** 2).dtype == np.int32
    assert (jnp.asarray(2.5) * 2).weak_type
    h = jnp.asarray(X.astype(np.float16))
    assert (h * 3.0).dtype == np.float16                         # scalars don't upcast
    assert (h * np.float32(3.0)).dtype == np.float32             # NumPy scalars do
    u8 = jnp.asarray(np.array([1, 2], np.uint8))
    assert (u8 + 300).dtype == np.uint8
    b = jnp.asarray([True, False])
    assert (b + b).dtype == np.bool_ and (b & b).dtype == np.bool_
    assert (b + 1).dtype == np.int32 and (b + 1).weak_type


def test_matmul_operator():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    check(jnp.asarray(a) @ jnp.asarray(b), a @ b)
    check(a @ jnp.asarray(b), a @ b)
    check(jnp.asarray(a) @ b, a @ b)
    check(jnp.asarray(b[:, 0]) @ jnp.asarray(b), b[:, 0] @ b)
    with pytest.raises(ValueError):
        jnp.asarray(a) @ 2.0


def test_divmod_and_unary_operators():
    x = jnp.asarray(X)
    q, r = divmod(x, 1.5)
    check(q, np.floor_divide(X, np.float32(1.5)))
    check(r, np.remainder(X, np.float32(1.5)))
    q, r = divmod(7, jnp.asarray(N + 10))
    check(q, 7 // (N + 10))
    check(-x, -X)
    check(+x, X)
    check(abs(x), np.abs(X))
    check(~jnp.asarray(N), ~N)
    check(~jnp.asarray([True, False]), [False, True])
    check(round(jnp.asarray(2.567), 2), 2.57)
    with pytest.raises(TypeError):
        ~x
    with pytest.raises(TypeError):
        -jnp.asarray([True])


def test_comparisons_with_foreign_types():
    x = jnp.asarray([1, 2])
    assert (x == None) is False  # noqa: E711  (NotImplemented -> identity comparison)
    assert (x != "a") is True
    with pytest.raises(TypeError):
        x < "a"
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x + [1, 2]
    check(x == 1, [True, False], dtype=bool)
    check(1 < x, [False, True])
    check(np.array([2, 2]) > x, [True, False])


def test_setitem_refused():
    x = jnp.asarray([1, 2])
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 5


# ---------------------------------------------------------------------------
# indexing

A3 = np.arange(60, dtype=np.float32).reshape(3, 4, 5)

INDICES = [
    0, -1, 2, (1, 2), (-1, -2, -3), (0, 1, 2), slice(None), slice(1, 3), slice(None, None, -1),
    slice(3, 0, -1), slice(None, None, 2), slice(-1, None, -2), slice(10, -10, -3),
    slice(5, 1), (slice(None), 1), (Ellipsis, 0), (Ellipsis, slice(None, None, -2)),
    (0, Ellipsis), (1, Ellipsis, 2), None, (None, 0), (0, None, slice(1, 3), None),
    (Ellipsis, None), (slice(None), None, slice(None, None, -1), 2), (), Ellipsis,
    (np.int32(1), np.int64(-1)), (slice(1, None), -1, slice(None, 2)), (None, None, Ellipsis),
]


@pytest.mark.parametrize("idx", INDICES, ids=repr)
def test_basic_indexing(idx):
    x = jnp.asarray(A3)
    check(x[idx], A3[idx], dtype=np.float32)


@pytest.mark.parametrize("i", [0, 2, -1, -3])
def test_traced_integer_index_in_jit(i):
    f = pyjax.jit(lambda x, i: x[i])
    check(f(jnp.asarray(A3), i), A3[i])
    g = pyjax.jit(lambda x, i: x[1, i, ::-1])
    check(g(jnp.asarray(A3), i), A3[1, i, ::-1])
    h = pyjax.jit(lambda x, i: x[..., i, None])
    check(h(jnp.asarray(A3), i), A3[..., i, None])
    k = pyjax.jit(lambda x, i: x[jnp.int32(1), i])
    check(k(jnp.asarray(A3), jnp.asarray(i)), A3[1, i])


def test_concrete_array_index():
    x = jnp.asarray(A3)
    check(x[jnp.asarray(1)], A3[1])
    check(x[jnp.asarray(-1), jnp.asarray(np.int8(2))], A3[-1, 2])
    check(x[np.array(2), np.int8(-1)], A3[2, -1])


def test_out_of_bounds_integer_index_clamps_like_jax():
    x = jnp.asarray(A3)
    np.testing.assert_array_equal(x[3], np.asarray(A3)[-1])
    np.testing.assert_array_equal(x[-4], np.asarray(A3)[0])
    np.testing.assert_array_equal(x[0, 9], np.asarray(A3)[0, -1])


def test_indexing_errors():
    x = jnp.asarray(A3)
    with pytest.raises(IndexError):
        x[0, 0, 0, 0]
    with pytest.raises(IndexError):
        x[..., ...]
    with pytest.raises(TypeError):
        x[1.5]
    with pytest.raises(TypeError):
        x["a"]
    with pytest.raises(IndexError):
        jnp.asarray(1.0)[0]
    with pytest.raises(Exception):
        pyjax.jit(lambda x, i: x[i:i + 2])(x, 1)         # slice bounds must be static


def test_iteration_and_len():
    x = jnp.asarray(A3)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3
    for r, e in zip(rows, A3):
        check(r, e)
    assert [int(v) for v in jnp.arange(4)] == [0, 1, 2, 3]
    with pytest.raises(TypeError):
        len(jnp.asarray(1.0))
    with pytest.raises(TypeError):
        iter(jnp.asarray(1.0))
    f = pyjax.jit(lambda x: sum(r for r in x))
    check(f(jnp.asarray(A3)), A3.sum(0))


# ---------------------------------------------------------------------------
# methods and properties


def test_properties():
    x = jnp.asarray(A3)
    assert x.shape == (3, 4, 5) and x.ndim == 3 and x.size == 60
    assert x.dtype == np.float32 and x.weak_type is False
    assert x.itemsize == 4 and x.nbytes == 240
    check(x.T, A3.T)
    check(jnp.asarray(X).T, X.T)
    check(jnp.asarray(X).mT, X.T)
    c = jnp.asarray([1 + 2j, 3 - 4j])
    check(c.real, [1, 3], dtype=np.float32)
    check(c.imag, [2, -4], dtype=np.float32)
    check(x.real, A3)
    check(x.imag, np.zeros_like(A3))
    assert isinstance(x, pyjax.Array) and isinstance(x, jnp.ndarray)


def test_astype():
    x = jnp.asarray(X)
    check(x.astype(np.int32), X.astype(np.int32), dtype=np.int32)
    check(x.astype("float16"), X.astype(np.float16), dtype=np.float16)
    check(x.astype(bool), X.astype(bool), dtype=bool)
    check(x.astype(jnp.bfloat16), X.astype(ml_dtypes.bfloat16), dtype=ml_dtypes.bfloat16)
    check(x.astype(np.float64), X, dtype=np.float32)             # canonicalized without x64
    check(jnp.asarray(2.5).astype(np.float32), 2.5, weak=False)
    check(jnp.asarray([1.7, -1.7, np.nan]).astype(np.int32), [1, -1, 0])
    with config.override(jax_enable_x64=True):
        check(x.astype(np.float64), X, dtype=np.float64)


def test_reshape_method():
    x = jnp.asarray(A3)
    check(x.reshape((12, 5)), A3.reshape(12, 5))
    check(x.reshape(12, 5), A3.reshape(12, 5))
    check(x.reshape(-1), A3.reshape(-1))
    check(x.reshape([6, -1]), A3.reshape(6, -1))
    check(x.reshape(10, 6, order="F"), A3.reshape(10, 6, order="F"))
    check(x.reshape(shape=(60,)), A3.reshape(60))
    check(x.flatten(), A3.flatten())
    check(x.ravel(), A3.ravel())


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "std", "var", "argmax",
                                  "argmin", "all", "any", "cumsum", "cumprod", "ptp"])
def test_reduction_methods(name):
    x = jnp.asarray(X)
    for kwargs in ({}, {"axis": 0}, {"axis": -1}):
        expected = getattr(np, name)(X, **kwargs)
        check(getattr(x, name)(**kwargs), np.asarray(expected))
    if name not in ("argmax", "argmin", "cumsum", "cumprod", "ptp"):
        check(getattr(x, name)(axis=1, keepdims=True), getattr(np, name)(X, axis=1, keepdims=True))


def test_other_methods():
    x = jnp.asarray(X)
    check(x.clip(-1, 2), np.clip(X, -1, 2))
    check(x.clip(max=2), np.clip(X, None, 2))
    check(x.round(), np.round(X))
    check(x.round(1), np.round(X, 1))
    check(x.dot(x.T), X @ X.T)
    check(x.conj(), X)
    check(jnp.asarray([1 + 1j]).conjugate(), [1 - 1j])
    check(x.squeeze(), X)
    check(x[None].squeeze(0), X)
    check(x.swapaxes(0, 1), X.T)
    check(x.transpose(), X.T)
    check(x.transpose(1, 0), X.T)
    check(x.diagonal(), np.diagonal(X))
    check(x.trace(), np.trace(X))
    assert x.copy() is not x
    check(x.copy(), X)
    check(copy.copy(x), X)
    check(copy.deepcopy(x), X)


def test_item_and_tolist():
    assert jnp.asarray(2.5).item() == 2.5 and type(jnp.asarray(2.5).item()) is float
    assert jnp.asarray(3).item() == 3 and type(jnp.asarray(3).item()) is int
    assert jnp.asarray(True).item() is True
    assert jnp.asarray([[1, 2], [3, 4]]).item(2) == 3
    assert jnp.asarray([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError):
        jnp.asarray([1, 2]).item()


# ---------------------------------------------------------------------------
# conversions


def test_array_protocol():
    x = jnp.asarray(X)
    a = np.asarray(x)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    np.testing.assert_array_equal(a, X)
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0, 0] = 1.0
    b = np.array(x)
    b[0, 0] = 100.0                                   # a copy is writable...
    assert float(x[0, 0]) == 1.5                      # ...and leaves x alone
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.asarray(jnp.asarray([1, 2])).dtype == np.int32
    assert np.sin(x).dtype == np.float32              # NumPy functions work on Arrays
    assert float(np.sum(x)) == pytest.approx(X.sum())


def test_scalar_conversions():
    assert bool(jnp.asarray(True)) is True and bool(jnp.asarray(0.0)) is False
    assert bool(jnp.asarray([5])) is True
    assert float(jnp.asarray(2.5)) == 2.5 and int(jnp.asarray(-3.7)) == -3
    assert int(jnp.asarray(7)) == 7 and complex(jnp.asarray(1 + 2j)) == 1 + 2j
    assert operator.index(jnp.asarray(4)) == 4
    assert [10, 11, 12][jnp.asarray(1)] == 11
    assert range(10)[jnp.asarray(np.uint8(3))] == 3
    assert f"{jnp.asarray(3.14159):.2f}" == "3.14"
    with pytest.raises(ValueError):
        bool(jnp.asarray([1, 2]))
    with pytest.raises(TypeError):
        operator.index(jnp.asarray(1.5))
    with pytest.raises(TypeError):
        operator.index(jnp.asarray(True))
    with pytest.raises(TypeError):
        float(jnp.asarray([1.0, 2.0]))
    with pytest.raises(TypeError):
        int(jnp.asarray([1, 2]))


def test_index_of_nonscalar_raises_type_error():
    with pytest.raises(TypeError):
        operator.index(jnp.asarray([1, 2]))


def test_conversions_of_tracers_fail_clearly():
    with pytest.raises(pyjax.errors.TracerBoolConversionError):
        pyjax.jit(lambda x: 1 if x > 0 else 0)(1.0)
    with pytest.raises(pyjax.errors.TracerIntegerConversionError):
        pyjax.jit(lambda x: [1, 2][x])(0)
    with pytest.raises(pyjax.errors.TracerArrayConversionError):
        pyjax.jit(lambda x: np.asarray(x))(1.0)


def test_hash_raises():
    with pytest.raises(TypeError):
        hash(jnp.asarray(1.0))
    with pytest.raises(TypeError):
        {jnp.asarray([1, 2]): 1}


def test_block_until_ready_and_devices():
    x = jnp.asarray(X)
    assert x.block_until_ready() is x
    devs = x.devices()
    assert isinstance(devs, set) and len(devs) == 1
    assert x.device in devs
    assert x.device == pyjax.devices()[0]


def test_pickle_round_trip():
    for x in (jnp.asarray(X), jnp.asarray(2.5), jnp.asarray(N), jnp.asarray([True]),
              jnp.asarray(np.ones(3, ml_dtypes.bfloat16)), jnp.zeros((0, 2))):
        y = pickle.loads(pickle.dumps(x))
        assert isinstance(y, pyjax.Array)
        assert y.dtype == x.dtype and y.weak_type == x.weak_type and y.shape == x.shape
        np.testing.assert_array_equal(np.asarray(y), np.asarray(x))


# ---------------------------------------------------------------------------
# printing

REPRS = [
    (lambda: jnp.array([1.0, 2.0]), "Array([1., 2.], dtype=float32)"),
    (lambda: jnp.asarray(1.0), "Array(1., dtype=float32, weak_type=True)"),
    (lambda: jnp.array(1.0, dtype=np.float32), "Array(1., dtype=float32)"),
    (lambda: jnp.array([1, 2, 3]), "Array([1, 2, 3], dtype=int32)"),
    (lambda: jnp.asarray(3), "Array(3, dtype=int32, weak_type=True)"),
    (lambda: jnp.array([True, False]), "Array([ True, False], dtype=bool)"),
    (lambda: jnp.asarray(True), "Array(True, dtype=bool)"),
    (lambda: jnp.asarray(3 + 4j), "Array(3.+4.j, dtype=complex64, weak_type=True)"),
    (lambda: jnp.array([[1.0, 2.0], [3.0, 4.0]]),
     "Array([[1., 2.],\n       [3., 4.]], dtype=float32)"),
    (lambda: jnp.arange(30.0).reshape(5, 6),
     "Array([[ 0.,  1.,  2.,  3.,  4.,  5.],\n       [ 6.,  7.,  8.,  9., 10., 11.],\n"
     "       [12., 13., 14., 15., 16., 17.],\n       [18., 19., 20., 21., 22., 23.],\n"
     "       [24., 25., 26., 27., 28., 29.]], dtype=float32)"),
    (lambda: jnp.arange(12).reshape(2, 3, 2),
     "Array([[[ 0,  1],\n        [ 2,  3],\n        [ 4,  5]],\n\n       [[ 6,  7],\n"
     "        [ 8,  9],\n        [10, 11]]], dtype=int32)"),
    (lambda: jnp.zeros((0, 3)), "Array([], shape=(0, 3), dtype=float32)"),
    (lambda: jnp.ones(3, jnp.bfloat16), "Array([1, 1, 1], dtype=bfloat16)"),
    (lambda: jnp.array(2, jnp.uint8), "Array(2, dtype=uint8)"),
    (lambda: jnp.array([1e-10, 1.0]), "Array([1.e-10, 1.e+00], dtype=float32)"),
    (lambda: jnp.full(2, 2.5), "Array([2.5, 2.5], dtype=float32, weak_type=True)"),
    (lambda: jnp.array([np.nan, np.inf, -np.inf]), "Array([ nan,  inf, -inf], dtype=float32)"),
]


@pytest.mark.parametrize("make, expected", REPRS, ids=[r[1][:30] for r in REPRS])
def test_repr(make, expected):
    assert repr(make()) == expected


def test_repr_long_arrays():
    r = repr(jnp.arange(100.0))
    assert r.startswith("Array([ 0.,  1.,  2.,") and r.endswith("99.], dtype=float32)")
    assert r.count("\n") == 7
    r = repr(jnp.linspace(0, 1, 23))
    assert r.endswith("1.        ], dtype=float32)")


def test_repr_matches_jax():
    jax = pytest.importorskip("jax")
    makers = [
        lambda m: m.arange(100.0), lambda m: m.linspace(0, 1, 23), lambda m: m.arange(24).reshape(2, 3, 4),
        lambda m: m.asarray(2.5), lambda m: m.array([True, False, True]),
        lambda m: m.zeros((2, 0)), lambda m: m.asarray(np.arange(6, dtype=np.uint16)),
        lambda m: m.asarray(np.array([1.5, -2.25], np.float16)),
        lambda m: m.asarray(np.array([[1 + 2j, 3.5 - 1j]], np.complex64)),
        lambda m: m.full((3, 40), 1.25), lambda m: m.asarray(np.arange(1000, dtype=np.int32)),
    ]
    for make in makers:
        expected = repr(make(jax.numpy))
        assert repr(make(jnp)) == expected


def test_str_and_format():
    assert str(jnp.arange(3.0)) == "[0. 1. 2.]"
    assert str(jnp.asarray(2.5)) == "2.5"
    assert str(jnp.array([[1, 2], [3, 4]])) == "[[1 2]\n [3 4]]"
    assert format(jnp.asarray(2.5), ".3f") == "2.500"
    assert format(jnp.asarray(7), "04d") == "0007"
    assert f"{jnp.asarray(1.0)}" == "1.0"
    assert format(jnp.arange(3)) == "[0 1 2]"
    with pytest.raises(TypeError):
        format(jnp.arange(3), ".2f")


def test_tracer_methods_and_repr_inside_jit():
    seen = {}

    def f(x):
        seen["repr"] = repr(x)
        seen["shape"] = x.shape
        return (x.T @ x).sum(axis=0).reshape(1, -1).astype(np.float16), x[::-1, 0]

    out, rev = pyjax.jit(f)(jnp.asarray(X))
    check(out, (X.T @ X).sum(0).reshape(1, -1).astype(np.float16), dtype=np.float16)
    check(rev, X[::-1, 0])
    assert seen["shape"] == (2, 3)
    assert "float32[2,3]" in seen["repr"] or "f32[2,3]" in seen["repr"]


# ---------------------------------------------------------------------------
# methods that delegate to jax.numpy functions (as JAX's Array has them)

S = np.array([[3.0, -1.0, 2.0, 7.0], [0.5, 4.0, -2.0, 1.0]], np.float32)


def test_sort_argsort_argpartition_methods():
    x = jnp.asarray(S)
    check(x.sort(), np.sort(S), dtype=np.float32)
    check(x.sort(axis=0), np.sort(S, axis=0))
    check(x.sort(descending=True), -np.sort(-S))
    check(x.argsort(), np.argsort(S, kind="stable"), dtype=np.int32)
    check(x.argsort(axis=0, descending=True), np.argsort(-S, axis=0, kind="stable"))
    part = np.asarray(x.argpartition(1))
    taken = np.take_along_axis(S, part, axis=-1)
    # the kth element is in place, smaller ones before it, larger after
    np.testing.assert_array_equal(taken[:, 1], np.sort(S)[:, 1])
    assert (taken[:, :1] <= taken[:, 1:2]).all() and (taken[:, 2:] >= taken[:, 1:2]).all()


def test_repeat_take_searchsorted_methods():
    x = jnp.asarray(S)
    check(x.repeat(2, axis=1), np.repeat(S, 2, axis=1))
    check(x.repeat(jnp.asarray([1, 2]), axis=0, total_repeat_length=3),
          np.repeat(S, [1, 2], axis=0))
    check(x.take(jnp.asarray([5, 0])), np.take(S, [5, 0]))
    check(x.take(jnp.asarray([0, 9]), axis=1, mode="fill", fill_value=-5.0),
          np.stack([S[:, 0], [-5.0, -5.0]], axis=1))
    srt = jnp.asarray(np.sort(S[0]))
    check(srt.searchsorted(jnp.asarray([2.0, 10.0])), np.searchsorted(np.sort(S[0]), [2.0, 10.0]),
          dtype=np.int32)
    check(srt.searchsorted(2.0, side="right"), np.searchsorted(np.sort(S[0]), 2.0, "right"))


def test_nonzero_compress_choose_methods():
    x = jnp.asarray(N)
    for ours, ref in zip(x.nonzero(), np.nonzero(N)):
        check(ours, ref, dtype=np.int32)
    rows, cols = x.nonzero(size=6, fill_value=-1)
    check(cols, list(np.nonzero(N)[1]) + [-1])
    check(x.compress(jnp.asarray([True, False, True]), axis=1), N[:, [0, 2]])
    check(x.compress(jnp.asarray([False, True]), axis=0, size=2, fill_value=9),
          [N[1], [9, 9, 9]])
    choices = [np.arange(3), np.arange(10, 13), np.arange(20, 23)]
    idx = np.array([2, 0, 1])
    check(jnp.asarray(idx).choose([jnp.asarray(c) for c in choices]), idx.choose(choices))
    check(jnp.asarray([3, -1, 1]).choose(choices, mode="clip"),
          np.array([3, -1, 1]).choose(choices, mode="clip"))


def test_delegating_methods_work_on_tracers():
    x = jnp.asarray(S)
    out = pyjax.jit(lambda t: (t.sort(), t.argsort(), t.repeat(2), t.take(jnp.asarray([1])),
                               t.nonzero(size=3), t.copy()))(x)
    check(out[0], np.sort(S))
    check(out[1], np.argsort(S, kind="stable"))
    check(out[2], np.repeat(S, 2))
    check(out[3], S.ravel()[[1]])
    check(out[5], S)
    check(pyjax.vmap(lambda r: r.sort())(x), np.sort(S))
    g = pyjax.grad(lambda t: t.sort()[..., -1].sum())(x)
    check(g, (S == S.max(axis=1, keepdims=True)).astype(np.float32))


def test_contains_as_jax():
    x = jnp.asarray([1.0, 2.5, -3.0])
    assert 2.5 in x and -3 in x and 7 not in x and jnp.float32(1) in x
    with pytest.raises(ValueError, match="one-dimensional"):
        1.0 in jnp.asarray(S)                       # JAX, unlike NumPy, wants a 1-D array
    with pytest.raises(ValueError, match="scalar"):
        jnp.asarray([1.0, 2.0]) in x
    with pytest.raises(TypeError, match="unsupported operand"):
        "a" in x
    with pytest.raises(pyjax.errors.TracerBoolConversionError):
        pyjax.jit(lambda t: jnp.asarray(1.0 in t))(x)


@pytest.mark.parametrize("src,dst", [(np.int16, np.int32), (np.int32, np.int16),
                                     (np.float32, np.int32), (np.uint8, np.bool_),
                                     (np.int32, np.uint8), (np.complex64, np.float32),
                                     (np.float32, np.complex64), (np.bool_, np.int8)])
def test_view_matches_numpy(src, dst):
    raw = np.arange(1, 17, dtype=np.uint8).reshape(2, 8) * 13
    if np.bool_ in (src, dst):
        raw = raw % 2                  # bytes that are valid booleans
    value = raw.view(src)
    ours = jnp.asarray(value).view(dst)
    expected = value.view(dst)
    assert ours.dtype == expected.dtype and ours.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(ours), expected)
    jitted = pyjax.jit(lambda t: t.view(dst))(jnp.asarray(value))
    np.testing.assert_array_equal(np.asarray(jitted), expected)


def test_view_errors_and_identity():
    x = jnp.asarray(S)
    assert x.view() is x and x.view(np.float32) is x
    with pytest.raises(ValueError, match="divisor"):
        jnp.arange(3, dtype=np.int16).view(np.int32)
    with pytest.raises(ValueError, match="0d"):
        jnp.asarray(np.int16(3)).view(np.int32)
    with pytest.raises(NotImplementedError, match="type"):
        x.view(type=np.ndarray)
    check(jnp.asarray(np.float32(1.5)).view(np.int32), np.float32(1.5).view(np.int32))


@pytest.mark.parametrize("dtype", [np.int16, np.uint32, np.float32, np.complex64, np.int8,
                                   np.bool_])
def test_byteswap_matches_numpy(dtype):
    value = (np.arange(6).reshape(2, 3) * 1000 + 7).astype(dtype)
    expected = value.byteswap()
    ours = jnp.asarray(value).byteswap()
    assert ours.dtype == expected.dtype
    np.testing.assert_array_equal(np.asarray(ours).view(np.uint8), expected.view(np.uint8))
    np.testing.assert_array_equal(
        np.asarray(pyjax.jit(lambda t: t.byteswap().byteswap())(jnp.asarray(value))), value)


def test_concrete_array_buffer_methods():
    x = jnp.asarray(S)
    assert x.tobytes() == S.tobytes() and x.tobytes("F") == S.tobytes("F")
    assert x.on_device_size_in_bytes() == S.nbytes
    assert x.platform() == "cpu" and x.is_ready() and x.is_fully_replicated
    assert x.copy_to_host_async() is None
    assert isinstance(x.unsafe_buffer_pointer(), int)
    c = x.clone()
    assert c is not x
    np.testing.assert_array_equal(c, S)
    shards = x.addressable_shards
    assert len(shards) == 1 and len(x.global_shards) == 1
    (sh,) = shards
    assert sh.device == pyjax.devices()[0] and sh.replica_id == 0
    assert sh.index == (slice(None), slice(None))
    np.testing.assert_array_equal(sh.data, S)
    np.testing.assert_array_equal(x.addressable_data(0), S)
    with pytest.raises(IndexError):
        x.addressable_data(1)
    assert jnp.asarray(10).__hex__() == "0xa" and jnp.asarray(10).__oct__() == "0o12"
    assert x.__array_module__((type(x), np.ndarray)) is jnp
    assert x.__array_module__((type(x), list)) is NotImplemented
    assert x.__numpy_dtype__ == np.float32
    with pytest.raises(NotImplementedError, match="flatten"):
        x.flat
    with pytest.raises(pyjax.errors.ConcretizationTypeError):
        pyjax.jit(lambda t: jnp.asarray(t.item()))(x[0, 0])
    # traced values have no buffer: JAX's error, naming the method
    for get in (lambda t: t.tobytes(), lambda t: t.addressable_shards,
                lambda t: t.unsafe_buffer_pointer(), lambda t: t.on_device_size_in_bytes()):
        with pytest.raises(pyjax.errors.ConcretizationTypeError, match=r"\.(tobytes|"
                           r"addressable_shards|unsafe_buffer_pointer|on_device_size_in_bytes)"):
            pyjax.jit(lambda t, get=get: get(t) and t)(x)


def test_array_attributes_cover_jax_arrays():
    """Every public attribute of a concrete JAX array exists on ours, except those listed
    (with the reason)."""
    jax = pytest.importorskip("jax")
    not_provided = {
        "committed",         # device_put does not record commitment in pyjax
        "device_buffer", "device_buffers",  # removed in JAX: access raises AttributeError
        "format",            # XLA layouts do not exist in pyjax
        "traceback",         # creation tracebacks are not recorded
    }
    theirs = {n for n in dir(jax.numpy.arange(3)) if not n.startswith("_")}
    ours = {n for n in dir(jnp.arange(3)) if not n.startswith("_")}
    assert sorted(theirs - ours - not_provided) == []
    for name in ["__array_namespace__", "__dlpack__", "__dlpack_device__", "__contains__",
                 "__array_module__", "__numpy_dtype__"]:
        assert hasattr(jnp.arange(3), name), name


def test_delete_frees_the_buffer_as_jax():
    x = jnp.asarray(S)
    assert not x.is_deleted()
    assert x.delete() is None and x.is_deleted()
    x.delete()                                          # twice is fine, as in JAX
    assert x.shape == S.shape and x.dtype == np.float32  # the type survives
    message = r"Array has been deleted with shape=float32\[2,4\]\."
    for use in (lambda: x + 1, lambda: np.asarray(x), lambda: repr(x), lambda: x[0],
                lambda: jnp.sum(x), lambda: float(x[0, 0]), lambda: x.tolist(),
                lambda: pyjax.jit(lambda v: v * 2)(x), lambda: x.block_until_ready(),
                lambda: pyjax.grad(lambda v: v.sum())(x)):
        with pytest.raises(RuntimeError, match=message):
            use()
    other = jnp.asarray(S)                              # other arrays are untouched
    np.testing.assert_array_equal(other + 0, S)
    jax = pytest.importorskip("jax")
    theirs = jax.numpy.asarray(S)
    theirs.delete()
    with pytest.raises(RuntimeError, match=message):
        theirs + 1
