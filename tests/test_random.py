"""Tests of pyjax.random and its primitives (threefry2x32, fma, libm_log, sort).

The first part needs no JAX: known-answer vectors, exactness of the helper
primitives, jit/vmap consistency, shapes, dtypes and errors.  The oracle part
compares every sampler bit-for-bit with real JAX (skipped without jax).
"""
import contextlib
import math
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.random as random
from pyjax._src import core
from pyjax._src.config import config
from pyjax._src.lax import lax
from pyjax._src.lax.sorting import sort, sort_key_val, sort_p
from pyjax._src.prng import (fma_numpy, fma_p, libm_log_numpy, libm_log_p, threefry2x32_numpy,
                             threefry2x32_p)

bf16 = np.dtype(ml_dtypes.bfloat16)
f16, f32, f64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
u32 = np.dtype(np.uint32)


def A(x):
    return np.asarray(x)


def bits_of(x):
    x = np.asarray(x)
    if x.dtype.kind in "fV" or x.dtype == bf16:
        return x.view(f"u{x.dtype.itemsize}")
    return x


def assert_bitwise(actual, expected, msg=""):
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, f"{msg}: shape {a.shape} != {e.shape}"
    assert a.dtype == e.dtype, f"{msg}: dtype {a.dtype} != {e.dtype}"
    if a.dtype.kind == "f" or a.dtype == bf16:
        same = (bits_of(a) == bits_of(e)) | (np.isnan(a.astype(f64)) & np.isnan(e.astype(f64)))
    else:
        same = a == e
    if not same.all():
        bad = np.argwhere(~same)[:5]
        raise AssertionError(f"{msg}: {int((~same).sum())}/{same.size} differ, e.g. at "
                             f"{bad.tolist()}: {a[tuple(bad[0])]!r} vs {e[tuple(bad[0])]!r}")


@contextlib.contextmanager
def partitionable(flag):
    with config.override(jax_threefry_partitionable=flag):
        yield


# ---------------------------------------------------------------------------
# threefry2x32


# Known-answer vectors of Threefry-2x32-20 (Random123's kat_vectors):
# (key0, key1, ctr0, ctr1) -> (out0, out1)
THREEFRY_KAT = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x6b200159, 0x99ba4efe)),
    ((0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), (0x1cb996fc, 0xbb002be7)),
    ((0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3), (0xc4923a9c, 0x483df7a0)),
]


@pytest.mark.parametrize("vec", THREEFRY_KAT)
def test_threefry_known_answers(vec):
    (k0, k1, c0, c1), expected = vec
    args = [np.asarray(v, u32) for v in (k0, k1, c0, c1)]
    assert [int(v) for v in threefry2x32_numpy(*args)] == list(expected)
    out = threefry2x32_p.bind(*args)
    assert [int(A(o)) for o in out] == list(expected)
    jitted = pyjax.jit(lambda *a: threefry2x32_p.bind(*a))(*args)
    assert [int(A(o)) for o in jitted] == list(expected)


def _rand_u32(rng, shape):
    return rng.integers(0, 2 ** 32, size=shape, dtype=np.uint64).astype(u32)


def test_threefry_primitive_harness():
    rng = np.random.default_rng(0)
    k1, k2 = _rand_u32(rng, ()), _rand_u32(rng, ())
    x1, x2 = _rand_u32(rng, (3, 4)), _rand_u32(rng, (3, 4))
    ref = threefry2x32_numpy(k1, k2, x1, x2)
    f = lambda *a: threefry2x32_p.bind(*a)  # noqa: E731
    for out, r in zip(f(k1, k2, x1, x2), ref):
        assert_bitwise(out, r, "eager")
    for out, r in zip(pyjax.jit(f)(k1, k2, x1, x2), ref):
        assert_bitwise(out, r, "jit")
    # abstract evaluation
    avals = [core.get_aval(v) for v in (k1, k2, x1, x2)]
    outs = core.abstract_eval(threefry2x32_p, avals, {})
    assert [(o.shape, o.dtype) for o in outs] == [((3, 4), u32)] * 2
    # vmap vs a loop: batch each operand in turn, then all of them (keys are batched
    # scalars, counters batched along axis 1)
    K1, K2 = _rand_u32(rng, (5,)), _rand_u32(rng, (5,))
    X1, X2 = _rand_u32(rng, (3, 5, 4)), _rand_u32(rng, (3, 5, 4))
    base = [k1, k2, x1, x2]
    batched = [K1, K2, X1, X2]
    axes = [0, 0, 1, 1]
    for which in [(0,), (1,), (2,), (3,), (0, 1), (0, 1, 2, 3)]:
        args = [batched[i] if i in which else base[i] for i in range(4)]
        in_axes = tuple(axes[i] if i in which else None for i in range(4))
        got = pyjax.vmap(f, in_axes=in_axes)(*args)
        for b in range(5):
            one = [np.take(args[i], b, axes[i]) if i in which else args[i] for i in range(4)]
            exp = threefry2x32_numpy(*one)
            for g, e in zip(got, exp):
                assert_bitwise(A(g)[b], e, f"vmap {which}")


def test_threefry_rejects_bad_operands():
    x = np.zeros(3, u32)
    with pytest.raises(TypeError, match="uint32"):
        threefry2x32_p.bind(np.zeros((), np.int32), np.zeros((), u32), x, x)
    with pytest.raises(TypeError, match="one shape"):
        threefry2x32_p.bind(np.zeros((), u32), np.zeros((), u32), x, np.zeros(4, u32))


# ---------------------------------------------------------------------------
# fma and libm_log


def _exact_round(value, dtype):
    """Round a Fraction to the nearest value of `dtype` (ties to even), by brute force."""
    approx = np.asarray(float(value)).astype(dtype)
    width = np.dtype(dtype).itemsize
    ui = np.dtype(f"u{width}")
    b = int(approx.view(ui))
    cands = [np.asarray(c, ui).view(dtype) for c in (b - 1, b, b + 1) if 0 <= c < 2 ** (8 * width)]
    cands = [c for c in cands if np.isfinite(float(c))]

    def key(c):
        return abs(Fraction(float(c)) - value), int(np.asarray(c).view(ui)) & 1
    return min(cands, key=key)


@pytest.mark.parametrize("dtype", [f32, f16, bf16, f64], ids=lambda d: d.name)
def test_fma_is_exactly_rounded(dtype):
    rng = np.random.default_rng(1)
    n = 300
    a = (rng.standard_normal(n) * 2.0 ** rng.integers(-8, 8, n)).astype(dtype)
    b = (rng.standard_normal(n) * 2.0 ** rng.integers(-8, 8, n)).astype(dtype)
    # c close to -a*b (cancellation) or tiny (ties of a*b decided by c's sign)
    ab = a.astype(f64) * b.astype(f64)
    c = np.where(rng.random(n) < 0.5, -ab * (1 + 1e-3 * rng.standard_normal(n)),
                 np.sign(rng.standard_normal(n)) * 2.0 ** rng.integers(-60, -20, n)).astype(dtype)
    got = fma_numpy(a, b, c)
    for i in range(n):
        exact = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
        want = _exact_round(exact, dtype)
        assert bits_of(np.asarray(got[i])) == bits_of(np.asarray(want)), (a[i], b[i], c[i])


def test_fma_midpoints_float32():
    # a*b exactly halfway between two float32 values: a tiny c decides the direction,
    # which rounding a*b + c in float64 first would get wrong.
    a = np.asarray([1 + 2.0 ** -12] * 4, f32)
    b = np.asarray([1 + 2.0 ** -12] * 4, f32)   # a*b = 1 + 2^-11 + 2^-24: a float32 tie
    c = np.asarray([2.0 ** -60, -2.0 ** -60, 0.0, 2.0 ** -80], f32)
    got = fma_numpy(a, b, c)
    up, down = np.float32(1 + 2.0 ** -11 + 2.0 ** -23), np.float32(1 + 2.0 ** -11)
    assert got.tolist() == [up, down, down, up]


def test_fma_primitive_transforms():
    rng = np.random.default_rng(2)
    a, b, c = (rng.standard_normal((2, 3)).astype(f32) for _ in range(3))
    ref = fma_numpy(a, b, c)
    assert_bitwise(fma_p.bind(a, b, c), ref, "eager")
    assert_bitwise(pyjax.jit(lambda *x: fma_p.bind(*x))(a, b, c), ref, "jit")
    B = rng.standard_normal((4, 2, 3)).astype(f32)
    got = pyjax.vmap(lambda x, y, z: fma_p.bind(x, y, z), in_axes=(None, 0, None))(a, B, c)
    for i in range(4):
        assert_bitwise(A(got)[i], fma_numpy(a, B[i], c), "vmap")
    # derivative: d(a*b + c) = b da + a db + dc
    t = np.ones((2, 3), f32)
    _, tan = pyjax.jvp(lambda x, y, z: fma_p.bind(x, y, z), (a, b, c), (t, t, t))
    np.testing.assert_allclose(A(tan), a + b + 1, rtol=1e-6)


def test_libm_log_matches_the_c_library():
    rng = np.random.default_rng(3)
    x = np.abs(rng.standard_cauchy(2000))
    got = libm_log_numpy(x)
    assert_bitwise(got, np.array([math.log(v) for v in x]), "libm log")
    special = np.array([0.0, -1.0, np.inf, np.nan, 1e-310])
    out = libm_log_numpy(special)
    assert out[0] == -np.inf and np.isnan(out[1]) and out[2] == np.inf and np.isnan(out[3])
    assert out[4] == -np.inf  # denormals read as zero, as XLA:CPU does
    with config.override(jax_enable_x64=True):
        assert_bitwise(libm_log_p.bind(x), got, "primitive")
        assert_bitwise(pyjax.jit(lambda v: libm_log_p.bind(v))(x), got, "jit")
        assert_bitwise(pyjax.vmap(lambda v: libm_log_p.bind(v))(x.reshape(40, 50)),
                       got.reshape(40, 50), "vmap")


# ---------------------------------------------------------------------------
# sort


def test_sort_matches_numpy_order():
    x = np.array([3.0, -0.0, np.nan, 0.0, -np.inf, 1.0, np.inf, -np.nan, 2.0, 0.0], f32)
    idx = np.arange(10, dtype=np.int32)
    k, v = sort_key_val(x, idx)
    # -0.0 == 0.0 (stable), NaNs last and stable
    assert A(v).tolist() == [4, 1, 3, 9, 5, 8, 0, 6, 2, 7]
    assert A(sort(np.array([3, 1, 2], np.int32))).tolist() == [1, 2, 3]
    # two keys, lexicographic; values follow
    k1 = np.array([1, 0, 1, 0, 1], np.int32)
    k2 = np.array([5., 4., 3., 2., 1.], f32)
    out = sort((k1, k2, idx[:5]), num_keys=2)
    assert A(out[2]).tolist() == [3, 1, 4, 2, 0]
    # along another dimension
    m = np.array([[3, 1, 2], [0, 5, 4]], np.int32)
    assert A(sort(m, dimension=0)).tolist() == [[0, 1, 2], [3, 5, 4]]
    assert A(sort(m.astype(bf16))).astype(np.int32).tolist() == [[1, 2, 3], [0, 4, 5]]
    # complex keys: by real part, then imaginary part
    z = np.array([1 + 2j, 1 + 1j, 0 + 5j, -1 - 1j], np.complex64)
    assert A(sort(z)).tolist() == [-1 - 1j, 5j, 1 + 1j, 1 + 2j]


def test_sort_primitive_harness():
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 4, (3, 6)).astype(np.int32)       # many ties: stability matters
    vals = rng.standard_normal((3, 6)).astype(f32)
    f = lambda k, v: tuple(sort_p.bind(k, v, dimension=1, is_stable=True, num_keys=1))  # noqa
    perm = np.argsort(keys, axis=1, kind="stable")
    ref = (np.take_along_axis(keys, perm, 1), np.take_along_axis(vals, perm, 1))
    for got, name in ((f(keys, vals), "eager"), (pyjax.jit(f)(keys, vals), "jit")):
        for g, r in zip(got, ref):
            assert_bitwise(g, r, name)
    # vmap over each operand and both, at different axes
    K = rng.integers(0, 4, (3, 5, 6)).astype(np.int32)
    V = rng.standard_normal((3, 5, 6)).astype(f32)
    for in_axes, args in [((1, None), (K, vals)), ((None, 1), (keys, V)), ((1, 1), (K, V))]:
        got = pyjax.vmap(f, in_axes=in_axes)(*args)
        for b in range(5):
            one = [np.take(a, b, ax) if ax is not None else a for a, ax in zip(args, in_axes)]
            exp = f(*one)
            for g, e in zip(got, exp):
                assert_bitwise(A(g)[b], e, f"vmap {in_axes}")


def test_sort_derivatives():
    x = np.array([0.3, -1.2, 2.5, 0.7], f32)
    t = np.array([1.0, 2.0, 3.0, 4.0], f32)
    out, tan = pyjax.jvp(lambda v: sort(v), (x,), (t,))
    order = np.argsort(x)
    assert_bitwise(out, x[order])
    assert_bitwise(tan, t[order])
    w = np.array([10.0, 20.0, 30.0, 40.0], f32)
    g = pyjax.grad(lambda v: lax.reduce_sum(lax.mul(sort(v), w), (0,)))(x)
    expected = np.empty(4, f32)
    expected[order] = w
    assert_bitwise(g, expected)
    # the values of sort_key_val are differentiated, the integer keys are not
    keys = np.array([2, 0, 1], np.int32)
    g = pyjax.grad(lambda v: lax.reduce_sum(lax.mul(sort_key_val(keys, v)[1],
                                                    np.array([1., 2., 3.], f32)), (0,)))(
        np.array([5., 6., 7.], f32))
    assert A(g).tolist() == [3.0, 1.0, 2.0]


# ---------------------------------------------------------------------------
# Keys


def test_prng_key_values():
    assert A(random.PRNGKey(0)).tolist() == [0, 0]
    assert A(random.PRNGKey(42)).tolist() == [0, 42]
    assert A(random.PRNGKey(-1)).tolist() == [0, 2 ** 32 - 1]       # int32 seed with x64 off
    assert A(random.PRNGKey(2 ** 32 + 5)).tolist() == [0, 5]         # wraps to int32, like JAX
    assert A(random.PRNGKey(np.uint32(2 ** 32 - 1))).tolist() == [0, 2 ** 32 - 1]
    assert A(random.PRNGKey(np.int8(-1))).tolist() == [0, 2 ** 32 - 1]
    assert A(random.PRNGKey(True)).tolist() == [0, 1]
    assert random.PRNGKey(0).dtype == u32 and random.PRNGKey(0).shape == (2,)
    with config.override(jax_enable_x64=True):
        assert A(random.PRNGKey(-1)).tolist() == [2 ** 32 - 1, 2 ** 32 - 1]
        assert A(random.PRNGKey(2 ** 40 + 7)).tolist() == [256, 7]
        assert A(random.PRNGKey(-2 ** 40)).tolist() == [2 ** 32 - 256, 0]
        assert A(random.PRNGKey(np.int32(-1))).tolist() == [0, 2 ** 32 - 1]
    with pytest.raises(OverflowError):
        random.PRNGKey(2 ** 64)


def test_typed_keys():
    k = random.key(3)
    assert isinstance(k, random.PRNGKeyArray)
    assert k.shape == () and k.ndim == 0 and str(k.dtype) == "key<fry>"
    assert repr(k) == "Array((), dtype=key<fry>) overlaying:\n[0 3]"
    assert pyjax.dtypes.issubdtype(k.dtype, random.prng_key)
    assert A(random.key_data(k)).tolist() == [0, 3]
    ks = random.split(k, (2, 3))
    assert isinstance(ks, random.PRNGKeyArray) and ks.shape == (2, 3) and ks.size == 6
    assert A(random.key_data(ks)).shape == (2, 3, 2)
    assert len(ks) == 2 and ks[1].shape == (3,) and ks[1, 2].shape == () and ks[..., 0].shape == (2,)
    assert ks.reshape(6).shape == (6,) and ks.T.shape == (3, 2) and ks.ravel().shape == (6,)
    assert_bitwise(random.key_data(ks[1, 2]), A(random.key_data(ks))[1, 2])
    assert bool(A(ks[0, 1] == ks[0, 1])) and not bool(A(ks[0, 1] == ks[0, 2]))
    assert [x.shape for x in ks] == [(3,), (3,)]
    # typed and legacy keys give the same numbers
    legacy = random.PRNGKey(3)
    assert_bitwise(random.key_data(random.split(k)), random.split(legacy))
    assert_bitwise(random.normal(k, (4,)), random.normal(legacy, (4,)))
    assert_bitwise(random.key_data(random.fold_in(k, 9)), random.fold_in(legacy, 9))
    w = random.wrap_key_data(random.key_data(ks))
    assert w.shape == (2, 3) and random.key_impl(w) == "threefry2x32"
    assert random.key_impl(legacy) == "threefry2x32"
    assert random.clone(k) is k
    # a pytree node with the key data as its child
    leaves, tree = pyjax.tree_util.tree_flatten(ks)
    assert len(leaves) == 1 and A(leaves[0]).shape == (2, 3, 2)
    assert isinstance(pyjax.tree_util.tree_unflatten(tree, leaves), random.PRNGKeyArray)


def test_typed_keys_under_jit_and_vmap():
    k = random.key(7)
    ks = random.split(k, 4)
    out = pyjax.jit(lambda kk: random.split(kk, 3))(k)
    assert isinstance(out, random.PRNGKeyArray) and out.shape == (3,)
    assert_bitwise(random.key_data(out), random.key_data(random.split(k, 3)))
    v = pyjax.vmap(lambda kk: random.uniform(kk, (2,)))(ks)
    assert_bitwise(v, np.stack([A(random.uniform(ks[i], (2,))) for i in range(4)]))
    vs = pyjax.vmap(lambda kk: random.split(kk))(ks)
    assert isinstance(vs, random.PRNGKeyArray) and vs.shape == (4, 2)
    assert_bitwise(random.key_data(vs)[2], random.key_data(random.split(ks[2])))
    seeds = np.arange(3, dtype=np.int32)
    kd = pyjax.vmap(lambda s: random.key_data(random.key(s)))(seeds)
    assert A(kd).tolist() == [[0, 0], [0, 1], [0, 2]]
    assert_bitwise(pyjax.jit(random.PRNGKey)(np.int32(5)), random.PRNGKey(5))


# Values computed with jax 0.10.2 (jax_threefry_partitionable=True, x64 off unless noted).
def test_known_jax_values_without_jax():
    k = random.PRNGKey(0)
    assert A(random.split(k)).tolist() == [[1797259609, 2579123966], [928981903, 3453687069]]
    assert A(random.split(random.PRNGKey(42), 3)).tolist() == [
        [1832780943, 270669613], [64467757, 2916123636], [2465931498, 255383827]]
    assert A(random.fold_in(k, 7)).tolist() == [2716826189, 292468403]
    assert A(random.bits(random.PRNGKey(42), (4,))).tolist() == [
        2098992034, 2919706841, 2646866425, 2409546199]
    assert bits_of(random.uniform(k, (3,))).tolist() == [1064475214, 1064993846, 1051337244]
    assert bits_of(random.normal(k, (3,))).tolist() == [1070576317, 1073847792, 3202220055]
    assert A(random.randint(k, (5,), 0, 10)).tolist() == [9, 0, 2, 3, 1]
    assert A(random.permutation(k, 10)).tolist() == [0, 1, 8, 5, 6, 4, 3, 2, 7, 9]
    with partitionable(False):
        assert A(random.split(k)).tolist() == [[4146024105, 967050713], [2718843009, 1272950319]]
        assert A(random.bits(random.PRNGKey(42), (4,))).tolist() == [
            2465931498, 3679230171, 255383827, 267815257]
        assert bits_of(random.uniform(k, (3,))).tolist() == [1064771406, 1050746356, 1059196480]
    with config.override(jax_enable_x64=True):
        b = random.bits(k, (3,))
        assert b.dtype == np.uint64
        assert A(b).tolist() == [7719171245655871230, 3989946895414531357, 17807037942121513089]
        assert bits_of(random.uniform(k, (3,))).tolist() == [
            4601209873087491728, 4596960885320641928, 4606870062290452936]
        assert bits_of(random.normal(k, (3,))).tolist() == [
            13819956301806572573, 13828615798116809546, 4610857746434946967]


# ---------------------------------------------------------------------------
# Samplers: shapes, dtypes, determinism, jit and vmap

SAMPLERS = {
    "bits": lambda k: random.bits(k, (3, 4)),
    "bits8": lambda k: random.bits(k, (5,), np.uint8),
    "uniform": lambda k: random.uniform(k, (5,), minval=-1.0, maxval=3.0),
    "uniform_bf16": lambda k: random.uniform(k, (5,), bf16, minval=0.5, maxval=2.5),
    "normal": lambda k: random.normal(k, (2, 3)),
    "normal_f16": lambda k: random.normal(k, (7,), np.float16),
    "randint": lambda k: random.randint(k, (6,), -3, 9),
    "randint_u8": lambda k: random.randint(k, (6,), 0, 256, np.uint8),
    "bernoulli": lambda k: random.bernoulli(k, 0.3, (8,)),
    "permutation": lambda k: random.permutation(k, 10),
    "permutation_2d": lambda k: random.permutation(k, np.arange(12.0, dtype=f32).reshape(3, 4), 1),
    "choice": lambda k: random.choice(k, 7, (3,)),
    "choice_arr": lambda k: random.choice(k, np.arange(8.0, dtype=f32).reshape(4, 2), (3,), axis=0),
    "choice_p": lambda k: random.choice(k, 5, (3,), p=np.array([.1, .2, .3, .2, .2], f32)),
    "choice_noreplace_p": lambda k: random.choice(k, 5, (3,), False, np.array([.1, .2, .3, .2, .2], f32)),
    "split": lambda k: random.split(k, 3),
    "fold_in": lambda k: random.fold_in(k, 3),
    "gumbel": lambda k: random.gumbel(k, (4,)),
}

EXPECTED_SHAPE_DTYPE = {
    "bits": ((3, 4), np.uint32), "bits8": ((5,), np.uint8), "uniform": ((5,), f32),
    "uniform_bf16": ((5,), bf16), "normal": ((2, 3), f32), "normal_f16": ((7,), f16),
    "randint": ((6,), np.int32), "randint_u8": ((6,), np.uint8), "bernoulli": ((8,), np.bool_),
    "permutation": ((10,), np.int32), "permutation_2d": ((3, 4), f32), "choice": ((3,), np.int32),
    "choice_arr": ((3, 2), f32), "choice_p": ((3,), np.int32),
    "choice_noreplace_p": ((3,), np.int32), "split": ((3, 2), u32), "fold_in": ((2,), u32),
    "gumbel": ((4,), f32),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sampler_jit_vmap_and_determinism(name):
    f = SAMPLERS[name]
    k = random.PRNGKey(11)
    eager = A(f(k))
    shape, dtype = EXPECTED_SHAPE_DTYPE[name]
    assert eager.shape == shape and eager.dtype == np.dtype(dtype)
    assert_bitwise(f(k), eager, "determinism")
    assert_bitwise(pyjax.jit(f)(k), eager, "jit")
    keys = random.split(k, 3)
    loop = np.stack([A(f(keys[i])) for i in range(3)])
    assert_bitwise(pyjax.vmap(f)(keys), loop, "vmap")
    assert_bitwise(pyjax.jit(pyjax.vmap(f))(keys), loop, "jit(vmap)")
    # different keys give different numbers
    if name not in ("permutation", "choice_noreplace_p"):
        assert not np.array_equal(A(f(keys[0])), A(f(keys[1])))


def test_sampler_value_ranges():
    k = random.PRNGKey(5)
    u = A(random.uniform(k, (2000,), minval=2.0, maxval=3.0))
    assert u.min() >= 2.0 and u.max() < 3.0
    r = A(random.randint(k, (2000,), -4, 3))
    assert r.min() == -4 and r.max() == 2
    assert A(random.randint(k, (5,), 3, 3)).tolist() == [3] * 5   # empty range gives minval
    n = A(random.normal(k, (20000,)))
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    b = A(random.bernoulli(k, 0.25, (20000,)))
    assert abs(b.mean() - 0.25) < 0.02
    assert sorted(A(random.permutation(k, 50)).tolist()) == list(range(50))
    c = A(random.choice(k, 20, (20,), replace=False))
    assert sorted(c.tolist()) == list(range(20))
    p = np.array([0, 0, 1, 0], f32)
    assert set(A(random.choice(k, 4, (10,), p=p)).tolist()) == {2}
    # bernoulli with an array p and no shape: p's shape
    assert A(random.bernoulli(k, np.array([0.0, 1.0], f32))).tolist() == [False, True]
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    ind = A(random.permutation(k, x, axis=1, independent=True))
    assert all(sorted(row) == list(r) for row, r in zip(ind.tolist(), x.tolist()))


def test_fold_in_and_split_vmap_over_data():
    k = random.PRNGKey(1)
    data = np.arange(4, dtype=np.uint32)
    got = pyjax.vmap(lambda d: random.fold_in(k, d))(data)
    assert_bitwise(got, np.stack([A(random.fold_in(k, int(d))) for d in data]))
    assert A(random.split(k, 0)).shape == (0, 2)
    assert A(random.split(k, ())).shape == (2,)


def test_partitionable_flag_changes_bits_and_retraces_jit():
    k = random.PRNGKey(3)
    f = pyjax.jit(lambda kk: random.bits(kk, (6,)))
    a = A(f(k))
    with partitionable(False):
        b = A(f(k))
        assert_bitwise(b, random.bits(k, (6,)))
        assert_bitwise(pyjax.vmap(lambda kk: random.bits(kk, (3,), np.uint8))(random.split(k, 2)),
                       np.stack([A(random.bits(kk, (3,), np.uint8)) for kk in random.split(k, 2)]))
    assert not np.array_equal(a, b)
    assert_bitwise(f(k), a)


# ---------------------------------------------------------------------------
# Errors


def test_errors():
    k = random.PRNGKey(0)
    with pytest.raises(TypeError, match="split.*uint32"):
        random.split(np.zeros(2, f32))
    with pytest.raises(TypeError, match="uniform.*uint32"):
        random.uniform(np.zeros(2, np.int32))
    with pytest.raises(TypeError, match="split.*end with \\(2,\\)"):
        random.split(np.zeros(3, u32))
    with pytest.raises(TypeError, match="ndim >= 1"):
        random.normal(np.uint32(3))
    with pytest.raises(TypeError, match="unexpected PRNG key type"):
        random.split([0, 0])
    with pytest.raises(ValueError, match="split accepts a single key"):
        random.split(np.zeros((3, 2), u32))
    with pytest.raises(ValueError, match="normal accepts a single key"):
        random.normal(random.split(random.key(0), 3))
    with pytest.raises(ValueError, match="split: num must be a non-negative"):
        random.split(k, -1)
    with pytest.raises(TypeError):
        random.split(k, 2.0)
    with pytest.raises(TypeError, match="fold_in accepts a scalar"):
        random.fold_in(k, np.arange(2))
    with pytest.raises(OverflowError):
        random.fold_in(k, -1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        random.PRNGKey(1.0)
    with pytest.raises(TypeError, match="scalar seed"):
        random.PRNGKey(np.arange(2))
    with pytest.raises(TypeError, match="given a PRNG key"):
        random.key(random.key(0))
    with pytest.raises(ValueError, match="unsigned int dtype"):
        random.bits(k, (2,), np.int32)
    with pytest.raises(ValueError, match="float dtype"):
        random.uniform(k, (2,), np.int32)
    with pytest.raises(ValueError, match="float or complex"):
        random.normal(k, (2,), np.int32)
    with pytest.raises(TypeError, match="integer dtypes"):
        random.randint(k, (2,), 0, 5, f32)
    with pytest.raises(TypeError, match="floating dtype"):
        random.bernoulli(k, 1)
    with pytest.raises(ValueError, match="broadcast-compatible"):
        random.uniform(k, (3,), minval=np.zeros(4, f32))
    with pytest.raises(ValueError, match="larger sample"):
        random.choice(k, 3, (4,), replace=False)
    with pytest.raises(ValueError, match="greater than 0"):
        random.choice(k, 0, (2,))
    with pytest.raises(TypeError, match="must be a sequence"):
        random.choice(k, 5, 3)
    with pytest.raises(TypeError, match="integer or at least 1-dimensional"):
        random.permutation(k, 3.0)
    with pytest.raises(TypeError, match="permutation requires ndarray"):
        random.permutation(k, [1, 2, 3])   # like JAX: lists are not arrays
    with pytest.raises(TypeError, match="choice requires ndarray"):
        random.choice(k, 3, (2,), p=[0.5, 0.25, 0.25])
    with pytest.raises(TypeError, match="wrap_key_data.*uint32"):
        random.wrap_key_data(np.zeros((2, 2), np.int32))
    with pytest.raises(ValueError, match="unrecognized PRNG implementation"):
        random.key(0, impl="rbg")


# ---------------------------------------------------------------------------
# Oracle: bit-for-bit against JAX


@pytest.fixture(scope="module")
def jax_mod():
    jax = pytest.importorskip("jax")
    return jax


@contextlib.contextmanager
def both_configs(jax, x64=False, part=True):
    old = (jax.config.jax_enable_x64, jax.config.jax_threefry_partitionable)
    jax.config.update("jax_enable_x64", x64)
    jax.config.update("jax_threefry_partitionable", part)
    try:
        with config.override(jax_enable_x64=x64, jax_threefry_partitionable=part):
            yield
    finally:
        jax.config.update("jax_enable_x64", old[0])
        jax.config.update("jax_threefry_partitionable", old[1])


BAD_KEY_CASES = [
    ("float key", lambda r: r.normal(np.array([0.0, 1.0], f32))),
    ("float key to split", lambda r: r.split(np.array([0.0, 1.0], f32))),
    ("int32 key", lambda r: r.uniform(np.array([0, 1], np.int32))),
    ("key of 3 words", lambda r: r.normal(np.array([0, 1, 2], u32))),
    ("key of 4 words", lambda r: r.split(np.array([0, 1, 2, 3], u32))),
    ("scalar key", lambda r: r.uniform(np.uint32(3))),
    ("batch of raw keys", lambda r: r.uniform(np.zeros((2, 2), u32))),
    ("batch of typed keys", lambda r: r.normal(r.split(r.key(0), 2))),
    ("fold_in batch", lambda r: r.fold_in(r.split(r.key(0), 2), 1)),
    ("float seed", lambda r: r.PRNGKey(1.5)),
    ("array seed", lambda r: r.PRNGKey(np.array([1, 2]))),
    ("typed key float seed", lambda r: r.key(1.5)),
    ("split by a float", lambda r: r.split(r.PRNGKey(0), 2.5)),
    ("wrap_key_data of 3 words", lambda r: r.wrap_key_data(np.zeros(3, u32))),
    ("ball in 2.5 dimensions", lambda r: r.ball(r.PRNGKey(0), 2.5)),
]


@pytest.mark.parametrize("name,call", BAD_KEY_CASES, ids=[c[0] for c in BAD_KEY_CASES])
def test_bad_keys_raise_like_jax(jax_mod, name, call):
    """Bad keys, seeds and counts raise JAX's exception class, and pyjax's message names
    what was wrong (JAX's words, as far as they apply)."""
    with pytest.raises(Exception) as jax_err:
        call(jax_mod.random)
    with pytest.raises(Exception) as ours:
        call(random)
    assert type(ours.value) is type(jax_err.value), (name, jax_err.value, ours.value)
    msg = str(jax_err.value)
    for fragment in ("expected key_data.dtype = uint32", "expected key_data.shape to end with",
                     "accepts a single key, but was given a key array of shape",
                     "seed must be an integer", "accepts a scalar seed"):
        if fragment in msg:
            assert fragment in str(ours.value), (name, msg, str(ours.value))


def test_negative_split_count_is_a_clear_error(jax_mod):
    """JAX fails inside XLA ('invalid tensor dimension size'); pyjax names the argument."""
    with pytest.raises(Exception):
        jax_mod.random.split(jax_mod.random.PRNGKey(0), -1)
    for num in (-1, (2, -1)):
        with pytest.raises(ValueError, match=r"split: num must be a non-negative integer"):
            random.split(random.PRNGKey(0), num)
        with pytest.raises(ValueError, match=r"split: num must be a non-negative integer"):
            random.split(random.key(0), num)


def test_degenerate_sizes_like_jax(jax_mod):
    """permutation of a negative count and a ball in 0 dimensions are empty, as in JAX."""
    jr = jax_mod.random
    for jf, pf in [(lambda: jr.permutation(jr.PRNGKey(0), -3),
                    lambda: random.permutation(random.PRNGKey(0), -3)),
                   (lambda: jr.ball(jr.PRNGKey(0), 0, 2.0, (2,)),
                    lambda: random.ball(random.PRNGKey(0), 0, 2.0, (2,)))]:
        want, got = np.asarray(jf()), pf()
        assert got.shape == want.shape and got.dtype == want.dtype


def test_jax_default_is_partitionable(jax_mod):
    assert jax_mod.config.jax_threefry_partitionable is True
    assert config.jax_threefry_partitionable is True


SEEDS = [0, 42, -7, 2 ** 31 + 5]
SHAPES = [(), (7,), (3, 5), (1000,)]


def _oracle_cases(jr, pr, dtypes_, with_int=True, shapes=SHAPES):
    """(name, jax thunk, pyjax thunk) for one seed; keys are made inside."""
    cases = []
    for shp in shapes:
        for dt in dtypes_:
            n = np.dtype(dt).name
            cases.append((f"uniform-{n}-{shp}", lambda k, s=shp, d=dt, m=jr: m.uniform(k, s, d),
                          lambda k, s=shp, d=dt: pr.uniform(k, s, d)))
            cases.append((f"uniform_mm-{n}-{shp}",
                          lambda k, s=shp, d=dt, m=jr: m.uniform(k, s, d, -2.3, 7.1),
                          lambda k, s=shp, d=dt: pr.uniform(k, s, d, -2.3, 7.1)))
            cases.append((f"normal-{n}-{shp}", lambda k, s=shp, d=dt, m=jr: m.normal(k, s, d),
                          lambda k, s=shp, d=dt: pr.normal(k, s, d)))
        if with_int:
            for dt in (np.uint8, np.uint16, np.uint32):
                cases.append((f"bits-{np.dtype(dt).name}-{shp}",
                              lambda k, s=shp, d=dt, m=jr: m.bits(k, s, d),
                              lambda k, s=shp, d=dt: pr.bits(k, s, d)))
            for lo, hi, dt in [(0, 10, np.int32), (-5, 5, np.int8), (0, 256, np.uint8),
                               (-2 ** 31, 2 ** 31 - 1, np.int32), (0, 2 ** 30 + 7, np.uint32),
                               (-3, 1000, np.int16)]:
                cases.append((f"randint-{lo}-{hi}-{np.dtype(dt).name}-{shp}",
                              lambda k, s=shp, a=lo, b=hi, d=dt, m=jr: m.randint(k, s, a, b, d),
                              lambda k, s=shp, a=lo, b=hi, d=dt: pr.randint(k, s, a, b, d)))
            cases.append((f"bernoulli-{shp}", lambda k, s=shp, m=jr: m.bernoulli(k, 0.3, s),
                          lambda k, s=shp: pr.bernoulli(k, 0.3, s)))
    return cases


def _run_oracle(jax, cases, seeds):
    # JAX's side runs as one jitted program (the key an argument, so nothing is
    # constant-folded): one XLA compilation instead of one per sampler and shape.
    jax_all = jax.jit(lambda k: [jf(k) for _, jf, _ in cases])
    failures = []
    for seed in seeds:
        jk, pk = jax.random.PRNGKey(seed), random.PRNGKey(seed)
        assert_bitwise(pk, np.asarray(jk), f"PRNGKey({seed})")
        expected = jax_all(jk)
        for (name, _, pf), e in zip(cases, expected):
            try:
                assert_bitwise(pf(pk), np.asarray(e), f"{name} seed={seed}")
            except AssertionError as err:
                failures.append(str(err))
    assert not failures, "\n".join(failures[:10])


def test_oracle_samplers_float32(jax_mod):
    with both_configs(jax_mod):
        _run_oracle(jax_mod, _oracle_cases(jax_mod.random, random, [np.float32]), SEEDS)


def test_oracle_samplers_16bit_floats(jax_mod):
    with both_configs(jax_mod):
        _run_oracle(jax_mod, _oracle_cases(jax_mod.random, random, [np.float16, bf16],
                                           with_int=False, shapes=[(7,), (1000,)]), SEEDS[:2])


def test_oracle_not_partitionable(jax_mod):
    with both_configs(jax_mod, part=False):
        _run_oracle(jax_mod, _oracle_cases(jax_mod.random, random, [np.float32, bf16],
                                           shapes=[(7,), (1000,)]), SEEDS[:2])
        jr = jax_mod.random
        for seed in SEEDS[:2]:
            jk, pk = jr.PRNGKey(seed), random.PRNGKey(seed)
            for num in (2, 3, (2, 3)):
                assert_bitwise(random.split(pk, num), np.asarray(jr.split(jk, num)), "split")
            assert_bitwise(random.fold_in(pk, 5), np.asarray(jr.fold_in(jk, 5)), "fold_in")
            assert_bitwise(random.permutation(pk, 20), np.asarray(jr.permutation(jk, 20)), "perm")


def test_oracle_x64(jax_mod):
    with both_configs(jax_mod, x64=True):
        jr = jax_mod.random
        cases = _oracle_cases(jr, random, [np.float64, np.float32], with_int=False,
                              shapes=[(), (1000,)])
        for shp in [(), (1000,)]:
            cases.append((f"bits64-{shp}", lambda k, s=shp: jr.bits(k, s),
                          lambda k, s=shp: random.bits(k, s)))
            cases.append((f"randint64-{shp}", lambda k, s=shp: jr.randint(k, s, -2 ** 40, 2 ** 50),
                          lambda k, s=shp: random.randint(k, s, -2 ** 40, 2 ** 50)))
            cases.append((f"randint_default-{shp}", lambda k, s=shp: jr.randint(k, s, 0, 9),
                          lambda k, s=shp: random.randint(k, s, 0, 9)))
        cases.append(("perm", lambda k: jr.permutation(k, 50), lambda k: random.permutation(k, 50)))
        p = np.random.default_rng(0).random(40)
        cases.append(("choice_p", lambda k: jr.choice(k, 40, (9,), True, p),
                      lambda k: random.choice(k, 40, (9,), True, p)))
        cases.append(("choice_p_noreplace", lambda k: jr.choice(k, 40, (9,), False, p),
                      lambda k: random.choice(k, 40, (9,), False, p)))
        cases.append(("gumbel64", lambda k: jr.gumbel(k, (500,)), lambda k: random.gumbel(k, (500,))))
        _run_oracle(jax_mod, cases, SEEDS + [2 ** 40 + 3, -2 ** 40])


def test_oracle_keys_split_fold_in(jax_mod):
    jr = jax_mod.random
    with both_configs(jax_mod):
        for seed in SEEDS + [-1, 2 ** 32 + 9, np.int8(-3), np.uint32(2 ** 32 - 2)]:
            jk, pk = jr.PRNGKey(seed), random.PRNGKey(seed)
            assert_bitwise(pk, np.asarray(jk), f"PRNGKey({seed!r})")
            assert_bitwise(random.key_data(random.key(seed)), np.asarray(jr.key_data(jr.key(seed))))
            for num in (2, 3, (2, 3), 1, 0):
                assert_bitwise(random.split(pk, num), np.asarray(jr.split(jk, num)), f"split {num}")
            for d in (0, 1, 7, 2 ** 31, 2 ** 32 - 1, np.int8(-1), np.uint32(5), 2.5):
                assert_bitwise(random.fold_in(pk, d), np.asarray(jr.fold_in(jk, d)), f"fold_in {d}")
        assert repr(random.split(random.key(1), 2)) == repr(jr.split(jr.key(1), 2))


def test_oracle_permutation_and_choice(jax_mod):
    jr = jax_mod.random
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    p10 = np.linspace(0.1, 1, 10).astype(np.float32)
    p300 = np.random.default_rng(0).random(300).astype(np.float32)
    cases = []
    for n in (1, 5, 100, 2000):   # 2000 needs two shuffle rounds
        cases.append((f"perm-{n}", lambda k, n=n: jr.permutation(k, n),
                      lambda k, n=n: random.permutation(k, n)))
    for ax in (0, 1, -1):
        for ind in (False, True):
            cases.append((f"perm-arr-{ax}-{ind}", lambda k, a=ax, i=ind: jr.permutation(k, x, a, i),
                          lambda k, a=ax, i=ind: random.permutation(k, x, a, i)))
    for args in [(5, (3,), True, None, 0), (5, (3,), False, None, 0), (x, (2,), True, None, 0),
                 (x, (2, 2), True, None, 1), (x, (3,), False, None, 1),
                 (10, (4,), True, p10, 0), (10, (4,), False, p10, 0),
                 (x, (5,), True, np.array([.1, .2, .3, .4], np.float32), 0),
                 (300, (50,), True, p300, 0), (300, (30,), False, p300, 0)]:
        cases.append((f"choice-{args[1]}-{args[2]}-{args[3] is not None}",
                      lambda k, a=args: jr.choice(k, *a), lambda k, a=args: random.choice(k, *a)))
    cases.append(("gumbel", lambda k: jr.gumbel(k, (500,)), lambda k: random.gumbel(k, (500,))))
    with both_configs(jax_mod):
        _run_oracle(jax_mod, cases, SEEDS)


def test_oracle_under_jit_and_vmap(jax_mod):
    jax = jax_mod
    with both_configs(jax):
        jkeys = jax.random.split(jax.random.PRNGKey(9), 5)
        pkeys = random.split(random.PRNGKey(9), 5)
        assert_bitwise(pkeys, np.asarray(jkeys))
        for jf, pf in [(lambda k: jax.random.normal(k, (3,)), lambda k: random.normal(k, (3,))),
                       (lambda k: jax.random.split(k, 2), lambda k: random.split(k, 2)),
                       (lambda k: jax.random.randint(k, (4,), 0, 7),
                        lambda k: random.randint(k, (4,), 0, 7)),
                       (lambda k: jax.random.permutation(k, 6), lambda k: random.permutation(k, 6))]:
            expected = np.asarray(jax.vmap(jf)(jkeys))
            assert_bitwise(pyjax.vmap(pf)(pkeys), expected)
            assert_bitwise(pyjax.jit(pyjax.vmap(pf))(pkeys), expected)
        tk = random.key(4)
        assert_bitwise(random.key_data(pyjax.jit(lambda k: random.split(k, 3))(tk)),
                       np.asarray(jax.random.key_data(jax.random.split(jax.random.key(4), 3))))
