"""Sorting: jnp.sort, argsort, lexsort, partition, argpartition, sort_complex; lax.sort,
lax.sort_key_val and lax.top_k (its primitive's rules are also checked by the generic
harness, tests/primitive_harness.py).

Values are compared with NumPy; dtypes, weak types, NaN order and JAX-specific semantics
(descending order, partition's layout, top_k's total order) with real JAX where installed,
and with numbers hard-coded from JAX 0.10.2 otherwise.
"""
import contextlib
import warnings

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.config import config
from pyjax._src.lax import sorting as S

bf16 = ml_dtypes.bfloat16
SPECIAL = np.array([1.0, np.nan, 3.0, -np.nan, 0.0, -0.0, np.inf, -np.inf, 3.0, 0.0], np.float32)


def _jax():
    return pytest.importorskip("jax")


@contextlib.contextmanager
def jax_x64(enabled):
    """Both JAX's and pyjax's x64 flag, restored afterwards."""
    jax = _jax()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", enabled)
    try:
        with config.override(jax_enable_x64=enabled), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield jax
    finally:
        jax.config.update("jax_enable_x64", old)


def A(x):
    return np.asarray(x)


def same(got, want):
    """Same dtype, weak type, shape and bits (NaN payloads aside) as the JAX result."""
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert bool(got.weak_type) == bool(want.weak_type), (got.weak_type, want.weak_type)
    assert got.shape == want.shape, (got.shape, want.shape)
    g, w = A(got), A(want)
    if g.dtype.kind in "fc" or g.dtype == bf16:
        g, w = g.astype(np.complex128), w.astype(np.complex128)
        assert np.array_equal(g, w, equal_nan=True), (g, w)
        # signs of zeros too
        assert np.array_equal(np.signbit(g.real), np.signbit(w.real)), (g, w)
    else:
        assert np.array_equal(g, w), (g, w)


# ---------------------------------------------------------------------------
# jnp.sort / argsort


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, bf16, np.bool_, np.int8])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_argsort_vs_numpy(dtype, axis):
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 4, (3, 7)) if dtype != np.float32 else rng.standard_normal((3, 7)))
    x = x.astype(dtype)
    want = np.sort(x, axis=axis, kind="stable")
    got = jnp.sort(x, axis=axis)
    assert got.dtype == x.dtype and not got.weak_type
    np.testing.assert_array_equal(A(got), want)
    idx = jnp.argsort(x, axis=axis)
    assert idx.dtype == np.int32
    np.testing.assert_array_equal(A(idx), np.argsort(x, axis=axis, kind="stable"))
    # descending: the reversed ascending sort; argsort keeps equal entries in order
    np.testing.assert_array_equal(A(jnp.sort(x, axis=axis, descending=True)),
                                  np.flip(want, axis=0 if axis is None else axis))
    xf = x.ravel() if axis is None else x
    ax = 0 if axis is None else axis
    d = A(jnp.argsort(x, axis=axis, descending=True))
    keys = -xf.astype(np.float64)
    np.testing.assert_array_equal(d, np.argsort(keys, axis=ax, kind="stable"))


def test_sort_nan_and_signed_zero_order():
    # NaNs (of either sign) last; -0.0 equals 0.0, so a stable argsort keeps their order.
    assert A(jnp.argsort(SPECIAL)).tolist() == [7, 4, 5, 9, 0, 2, 8, 6, 1, 3]
    s = A(jnp.sort(SPECIAL))
    assert s[:6].tolist() == [-np.inf, 0.0, 0.0, 0.0, 1.0, 3.0] and np.isnan(s[-2:]).all()
    assert np.signbit(s[1:4]).tolist() == [False, True, False]
    # descending reverses it: NaNs first (JAX's semantics, unlike a "largest first" order)
    d = A(jnp.sort(SPECIAL, descending=True))
    assert np.isnan(d[:2]).all() and d[2] == np.inf
    assert A(jnp.argsort(SPECIAL, descending=True)).tolist() == [1, 3, 6, 2, 8, 0, 4, 5, 9, 7]
    # complex: real part first, then imaginary part
    z = np.array([1 + 2j, 1 + 1j, 0 + 5j, -1 - 1j], np.complex64)
    assert A(jnp.sort(z)).tolist() == [-1 - 1j, 5j, 1 + 1j, 1 + 2j]


def test_sort_weak_types_and_errors():
    w = jnp.sort(jnp.full((3,), 2.0))       # a weakly typed operand stays weak
    assert w.weak_type and w.dtype == np.float32
    assert not jnp.argsort(jnp.full((3,), 2.0)).weak_type
    with pytest.raises(TypeError, match="'kind' argument to sort is not supported"):
        jnp.sort(np.ones(3), kind="quicksort")
    with pytest.raises(TypeError, match="'order' argument to argsort is not supported"):
        jnp.argsort(np.ones(3), order="f")
    with pytest.raises(ValueError, match="axis -1 is out of bounds for array of dimension 0"):
        jnp.sort(3.0)
    with pytest.raises(TypeError, match="sort requires ndarray or scalar arguments"):
        jnp.sort([3, 1])
    assert A(jnp.sort(3.0, axis=None)).tolist() == [3.0]
    assert jnp.argsort(np.ones(4), dtype=np.int16).dtype == np.int16


def test_argsort_index_dtype_with_x64():
    with config.override(jax_enable_x64=True):
        assert jnp.argsort(np.arange(3)).dtype == np.int64
        assert jnp.lexsort((np.arange(3),)).dtype == np.int64


def test_sort_transformations():
    x = np.array([[0.3, -1.2, 2.5, 0.7], [1.0, 4.0, -2.0, 0.0]], np.float32)
    np.testing.assert_array_equal(A(pyjax.jit(jnp.sort)(x)), np.sort(x))
    np.testing.assert_array_equal(A(pyjax.vmap(jnp.argsort)(x)), np.argsort(x))
    np.testing.assert_array_equal(A(pyjax.vmap(jnp.sort, in_axes=1)(x)), np.sort(x.T))
    # d/dx sum(w * sort(x)) puts w back at the sorting permutation
    wts = np.arange(4, dtype=np.float32)
    g = pyjax.grad(lambda v: jnp.sum(jnp.sort(v, descending=True) * wts))(x[0])
    want = np.zeros(4, np.float32)
    want[np.argsort(-x[0])] = wts
    np.testing.assert_array_equal(A(g), want)


# ---------------------------------------------------------------------------
# lexsort, sort_complex


def test_lexsort_vs_numpy():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, (3, 8)).astype(np.int32)
    b = rng.standard_normal((3, 8)).astype(np.float32)
    c = rng.integers(0, 2, (3, 8)).astype(np.uint8)
    for axis in (-1, 0):
        want = np.lexsort((b, a, c), axis=axis)
        got = jnp.lexsort((b, a, c), axis=axis)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(A(got), want)
    # an array of keys: its rows are the keys, the last one primary
    np.testing.assert_array_equal(A(jnp.lexsort(a)), np.lexsort(a))
    assert A(jnp.lexsort((np.float32(2), np.float32(1)))).tolist() == 0
    with pytest.raises(TypeError, match="need sequence of keys with len > 0"):
        jnp.lexsort(())
    with pytest.raises(ValueError, match="all keys need to be the same shape"):
        jnp.lexsort((np.ones(3), np.ones(4)))


@pytest.mark.parametrize("dtype,out", [(np.float32, np.complex64), (np.int8, np.complex64),
                                       (np.float16, np.complex64), (np.complex64, np.complex64)])
def test_sort_complex(dtype, out):
    x = np.array([[3, 1, 2], [0, -1, 5]]).astype(dtype)
    got = jnp.sort_complex(x)
    assert got.dtype == out
    np.testing.assert_array_equal(A(got), np.sort_complex(x).astype(out))


# ---------------------------------------------------------------------------
# partition, argpartition (JAX's top_k-based layout)


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8])
@pytest.mark.parametrize("kth", [0, 2, 5, -1])
def test_partition_layout(dtype, kth):
    rng = np.random.default_rng(2)
    x = rng.permutation(24).reshape(4, 6).astype(dtype)   # distinct values
    got, idx = A(jnp.partition(x, kth)), A(jnp.argpartition(x, kth))
    k = kth % 6
    s = np.sort(x, axis=-1)
    # kth+1 smallest ascending, then the rest in descending order (JAX's layout)
    np.testing.assert_array_equal(got[:, :k + 1], s[:, :k + 1])
    np.testing.assert_array_equal(got[:, k + 1:], s[:, k + 1:][:, ::-1])
    # the kth entry is NumPy's kth
    np.testing.assert_array_equal(got[:, k], np.partition(x, kth)[:, k])
    # argpartition: bottom indices by value, then the rest in index order
    np.testing.assert_array_equal(np.take_along_axis(x, idx, -1)[:, :k + 1], s[:, :k + 1])
    rest = idx[:, k + 1:]
    assert (np.diff(rest, axis=-1) > 0).all()
    assert idx.dtype == np.int32
    # along axis 0
    np.testing.assert_array_equal(A(jnp.partition(x, 1, axis=0))[:2], np.sort(x, axis=0)[:2])


def test_partition_ties_and_errors():
    x = np.array([2.0, 1.0, 2.0, 1.0, 0.0], np.float32)
    assert A(jnp.argpartition(x, 1)).tolist() == [4, 1, 0, 2, 3]
    assert A(jnp.partition(x, 1)).tolist() == [0.0, 1.0, 2.0, 2.0, 1.0]
    with pytest.raises(NotImplementedError, match="jnp.partition for complex dtype"):
        jnp.partition(np.ones(3, np.complex64), 1)
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        jnp.partition(np.ones(3), 3)
    g = pyjax.grad(lambda v: jnp.partition(v, 1)[1])(x)
    assert A(g).tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


# ---------------------------------------------------------------------------
# lax.sort, lax.sort_key_val


def test_lax_sort_operands_and_keys():
    k1 = np.array([1, 0, 1, 0, 1], np.int32)
    k2 = np.array([5.0, 4.0, 3.0, 2.0, 1.0], np.float32)
    idx = np.arange(5, dtype=np.int32)
    out = S.sort((k1, k2, idx), num_keys=2)
    assert isinstance(out, tuple) and len(out) == 3
    assert A(out[2]).tolist() == [3, 1, 4, 2, 0]
    assert A(S.sort((k1, k2, idx), num_keys=1)[2]).tolist() == [1, 3, 0, 2, 4]   # stable
    k, v = S.sort_key_val(k2, idx)
    assert A(k).tolist() == [1, 2, 3, 4, 5] and A(v).tolist() == [4, 3, 2, 1, 0]
    m = np.array([[3, 1, 2], [0, 5, 4]], np.int32)
    assert A(S.sort(m, dimension=0)).tolist() == [[0, 1, 2], [3, 5, 4]]
    # each output keeps its own operand's weak type
    a, b = S.sort((jnp.full((3,), 2.0), np.ones(3, np.float32)), num_keys=1)
    assert a.weak_type and not b.weak_type
    a, b = pyjax.jit(lambda x: S.sort((jnp.full((3,), x), np.ones(3, np.float32))))(1.0)
    assert a.weak_type and not b.weak_type


def test_lax_sort_errors():
    with pytest.raises(TypeError, match="Sort requires at least one operand"):
        S.sort(())
    with pytest.raises(ValueError, match=r"num_keys=3 must be between 1 and len\(operand\)=2"):
        S.sort((np.ones(2), np.ones(2)), num_keys=3)
    with pytest.raises(ValueError, match="num_keys=2 must equal 1 for a single operand"):
        S.sort(np.ones(2), num_keys=2)
    with pytest.raises(TypeError,
                       match=r"Arguments to sort must have equal shapes, got: \(2,\) \(3,\)"):
        S.sort((np.ones(2), np.ones(3)))
    with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
        S.sort(np.ones((2, 2)), dimension=2)


def test_lax_sort_derivatives_and_vmap():
    x = np.array([0.3, -1.2, 2.5, 0.7], np.float32)
    keys = np.array([2, 0, 1, 0], np.int32)
    f = lambda v: S.sort_key_val(keys, v)[1]  # noqa: E731
    y, t = pyjax.jvp(f, (x,), (np.arange(4, dtype=np.float32),))
    assert A(y).tolist() == [x[1], x[3], x[2], x[0]] and A(t).tolist() == [1, 3, 2, 0]
    g = pyjax.grad(lambda v: jnp.sum(f(v) * np.arange(4.0, dtype=np.float32)))(x)
    assert A(g).tolist() == [3.0, 0.0, 2.0, 1.0]
    xs = np.stack([x, -x])
    got = pyjax.vmap(lambda v: S.sort((v, v * 2), num_keys=1)[1])(xs)
    np.testing.assert_array_equal(A(got), np.sort(xs, axis=-1) * 2)


# ---------------------------------------------------------------------------
# lax.top_k


def test_top_k_order_special_values():
    # XLA's total order: -NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN; lower index first.
    v, i = S.top_k(SPECIAL, 10)
    assert A(i).tolist() == [1, 6, 2, 8, 0, 4, 9, 5, 7, 3]
    assert i.dtype == np.int32 and v.dtype == np.float32
    for dt in (np.float64, bf16, np.float16):
        with config.override(jax_enable_x64=True):
            assert A(S.top_k(SPECIAL.astype(dt), 10)[1]).tolist() == [1, 6, 2, 8, 0, 4, 9, 5, 7, 3]
    v, i = S.top_k(np.array([0.0, -0.0, 0.0, -0.0], np.float32), 4)
    assert np.signbit(A(v)).tolist() == [False, False, True, True] and A(i).tolist() == [0, 2, 1, 3]


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_, np.int64])
def test_top_k_vs_numpy(dtype):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, (3, 8)).astype(dtype)
    for k, axis in ((3, -1), (0, -1), (8, -1), (2, 0)):
        v, i = S.top_k(x, k, axis=axis)
        order = np.take(np.argsort(-x.astype(np.float64), axis=axis, kind="stable"),
                        np.arange(k), axis=axis)
        np.testing.assert_array_equal(A(i), order)
        np.testing.assert_array_equal(A(v), np.take_along_axis(x, order, axis=axis))
        assert v.dtype == pyjax.dtypes.canonicalize_dtype(x.dtype) and i.dtype == np.int32


def test_top_k_errors_and_weak_types():
    with pytest.raises(ValueError, match="top_k is not compatible with complex inputs"):
        S.top_k(np.ones(3, np.complex64), 1)
    with pytest.raises(ValueError, match="k argument to top_k must be nonnegative, got -1"):
        S.top_k(np.ones(3), -1)
    with pytest.raises(ValueError, match="k argument to top_k must be no larger than size along"):
        S.top_k(np.ones(3), 4)
    with pytest.raises(ValueError, match="axis -1 is out of bounds for array of dimension 0"):
        S.top_k(np.float32(1), 0)
    with pytest.raises(TypeError, match="Error interpreting argument to top_k as a JAX value"):
        S.top_k([1.0, 2.0], 1)
    v, i = pyjax.jit(lambda x: S.top_k(jnp.full((3,), x), 2))(1.0)
    assert v.weak_type and i.weak_type and i.dtype == np.int32   # as JAX: both keep it


def test_top_k_transformations():
    x = np.array([[0.3, -1.2, 2.5, 0.7, 2.5], [1.0, 2.0, 3.0, 4.0, 5.0]], np.float32)
    t = np.arange(10, dtype=np.float32).reshape(2, 5)
    (v, i), (tv, ti) = pyjax.jvp(lambda a: S.top_k(a, 3), (x,), (t,))
    assert A(tv).tolist() == [[2, 4, 3], [9, 8, 7]]
    assert ti.dtype == pyjax.dtypes.float0
    g = pyjax.grad(lambda a: jnp.sum(S.top_k(a, 3)[0] * np.arange(3.0, dtype=np.float32)))(x)
    assert A(g).tolist() == [[0, 0, 0, 2, 1], [0, 0, 2, 1, 0]]
    bv, bi = pyjax.vmap(lambda a: S.top_k(a, 2), in_axes=1)(x)
    np.testing.assert_array_equal(A(bi), np.argsort(-x.T, axis=-1, kind="stable")[:, :2])
    jv, ji = pyjax.jit(lambda a: S.top_k(a, 2, axis=0))(x)
    assert A(ji).tolist() == [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]


# ---------------------------------------------------------------------------
# Oracle: real JAX


def test_oracle_jnp_sorting():
    with jax_x64(False) as jax:
        jn = jax.numpy
        rng = np.random.default_rng(4)
        vals = np.array([1.0, np.nan, 3.0, -np.nan, 0.0, -0.0, np.inf, -np.inf, 2.5, -1.0])
        xf = rng.choice(vals, (3, 6)).astype(np.float32)
        xu = rng.integers(0, 3, (3, 6)).astype(np.uint8)
        # One compiled JAX program for all calls (JAX compiles each op or jit separately).
        calls = [(jnp.sort, jn.sort, xf, kw) for kw in ({}, {"axis": 0}, {"axis": None},
                                                         {"descending": True})]
        calls += [(jnp.argsort, jn.argsort, xf, kw) for kw in ({}, {"axis": 0}, {"axis": None},
                                                               {"descending": True})]
        calls.append((jnp.argsort, jn.argsort, xu, {"descending": True}))
        for x in (xf, xu):
            calls += [(jnp.partition, jn.partition, x, {"kth": 3}),
                      (jnp.argpartition, jn.argpartition, x, {"kth": 3}),
                      (jnp.sort_complex, jn.sort_complex, x, {}),
                      (lambda a: jnp.lexsort((a[0], a[1])), lambda a: jn.lexsort((a[0], a[1])),
                       x, {}),
                      (S.top_k, jax.lax.top_k, x, {"k": 4})]
        calls.append((S.top_k, jax.lax.top_k, xf, {"k": 2, "axis": 0}))
        wants = jax.jit(lambda: [fj(x, **kw) for _, fj, x, kw in calls])()
        for (fp, _, x, kw), want in zip(calls, wants):
            got = fp(x, **kw)
            for g, w in (zip(got, want) if isinstance(want, (list, tuple)) else [(got, want)]):
                same(g, w)
        b = xu > 0
        for fn in (jnp.partition, jn.partition):   # -x: both reject booleans
            with pytest.raises(TypeError, match="does not accept dtype bool"):
                fn(b, 1)
        # unsigned partition uses -(x + 1): JAX's quirk for the largest value too
        u = np.array([3, 255, 0, 7], np.uint8)
        same(jnp.partition(u, 1), jn.partition(u, 1))
        same(jnp.argpartition(u, 1), jn.argpartition(u, 1))
        # weak types
        same(jnp.sort(jnp.full((3,), 2.0)), jn.sort(jn.full((3,), 2.0)))
        w = jax.eval_shape(lambda a: jax.lax.sort((jn.full((3,), a), jn.ones(3))), 1.0)
        p = pyjax.eval_shape(lambda a: S.sort((jnp.full((3,), a), jnp.ones(3))), 1.0)
        assert [o.weak_type for o in p] == [o.weak_type for o in w] == [True, False]


def test_oracle_sort_x64():
    with jax_x64(True) as jax:
        jn = jax.numpy
        x = np.random.default_rng(5).standard_normal((2, 5))
        wants = jax.jit(lambda: (jn.argsort(x), jn.sort_complex(x[0]), jn.argpartition(x, 2),
                                 jax.lax.top_k(x, 3)[1]))()
        gots = (jnp.argsort(x), jnp.sort_complex(x[0]), jnp.argpartition(x, 2), S.top_k(x, 3)[1])
        for g, w in zip(gots, wants):
            same(g, w)


def test_oracle_sort_gradients():
    with jax_x64(False) as jax:
        jn = jax.numpy
        x = np.array([[0.3, -1.2, 2.5, 0.7, 2.5], [1.0, 2.0, 3.0, 4.0, 5.0]], np.float32)
        w = np.linspace(-1, 1, 5, dtype=np.float32)
        fns = [(lambda v: jnp.sort(v, descending=True), lambda v: jn.sort(v, descending=True)),
               (lambda v: jnp.partition(v, 2), lambda v: jn.partition(v, 2)),
               (lambda v: jnp.concatenate([S.top_k(v, 3)[0]] * 2, axis=-1)[..., :5],
                lambda v: jn.concatenate([jax.lax.top_k(v, 3)[0]] * 2, axis=-1)[..., :5])]
        wants = jax.jit(lambda v: [jax.grad(lambda u, f=fj: jn.sum(f(u) * w))(v)
                                   for _, fj in fns])(x)
        for (fp, _), gj in zip(fns, wants):
            gp = pyjax.grad(lambda v: jnp.sum(fp(v) * w))(x)
            np.testing.assert_allclose(A(gp), A(gj), rtol=1e-6)
