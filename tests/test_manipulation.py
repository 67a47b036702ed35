"""Tests of pyjax.numpy's manipulation functions (split, tile, repeat, roll, pad, insert,
delete, diff, gradient, packbits, mgrid, ...) against NumPy (values) and real JAX (dtypes,
weak types, JAX-specific values and errors)."""
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.numpy import manipulation
from pyjax.errors import ConcretizationTypeError

X = (np.arange(12.0, dtype=np.float32).reshape(3, 4) ** 1.5) % 7
XI = (np.arange(12, dtype=np.int32).reshape(3, 4) * 3) % 7


def check(actual, expected, dtype=None, weak=None, rtol=1e-6):
    assert isinstance(actual, pyjax.Array), type(actual)
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    if dtype is not None:
        assert actual.dtype == np.dtype(dtype), (actual.dtype, dtype)
    if weak is not None:
        assert actual.weak_type == weak, (actual.weak_type, weak)
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-6, equal_nan=True)


def check_all(actual, expected, **kw):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        check(a, e, **kw)


def _avals(tree):
    if isinstance(tree, (list, tuple)):
        return [_avals(t) for t in tree]
    return (tuple(tree.shape), np.dtype(tree.dtype), bool(tree.weak_type))


def jax_avals(fn):
    """(shape, dtype, weak_type) of fn(jax.numpy), by abstract evaluation (no compiling)."""
    real = pytest.importorskip("jax")
    import jax.numpy as rjnp
    try:
        return _avals(real.eval_shape(lambda: fn(rjnp)))
    except real.errors.ConcretizationTypeError:   # needs values: run it
        return _avals(fn(rjnp))


# ---------------------------------------------------------------------------
# dtypes and weak types against JAX (abstract evaluation only: fast)

AVAL_CASES = {
    "split": lambda m: m.split(m.asarray(XI), 2, axis=1),
    "array_split_weak": lambda m: m.array_split(m.asarray(2.0) * m.ones(5), 3),
    "hsplit": lambda m: m.hsplit(m.asarray(X), [1]),
    "vsplit": lambda m: m.vsplit(m.asarray(X), 3),
    "dsplit": lambda m: m.dsplit(m.asarray(X).reshape(1, 3, 4), 2),
    "unstack": lambda m: m.unstack(m.asarray(X), axis=1),
    "tile_weak": lambda m: m.tile(m.asarray(2.0), (2, 3)),
    "tile": lambda m: m.tile(m.asarray(XI), (2, 1, 2)),
    "repeat_weak": lambda m: m.repeat(2.0, 3),
    "repeat_arr": lambda m: m.repeat(m.asarray(X), m.asarray([1, 0, 2]), axis=0),
    "repeat_total": lambda m: m.repeat(m.asarray(XI), m.asarray([1, 2, 0, 1]), axis=1,
                                       total_repeat_length=5),
    "resize_weak": lambda m: m.resize(m.asarray(2.0), (2, 2)),
    "roll": lambda m: m.roll(m.asarray(X), 1),
    "roll_dyn": lambda m: m.roll(m.asarray(X), m.asarray(1), axis=0),
    "rollaxis": lambda m: m.rollaxis(m.ones((2, 3, 4)), 2),
    "rot90": lambda m: m.rot90(m.asarray(XI), 3),
    "pad_weak": lambda m: m.pad(m.asarray(2.0)[None], 2, constant_values=3),
    "pad_int_mean": lambda m: m.pad(m.asarray(XI), 1, mode="mean"),
    "pad_weak_median": lambda m: m.pad(m.asarray(2.0) * m.arange(3.0), 1, mode="median"),
    "pad_weak_ramp": lambda m: m.pad(m.asarray(2.0)[None], 2, mode="linear_ramp"),
    "pad_reflect_odd": lambda m: m.pad(m.asarray(XI), 2, mode="reflect", reflect_type="odd"),
    "diagflat": lambda m: m.diagflat(m.asarray(2.0)),
    "diagflat_int": lambda m: m.diagflat(m.asarray(XI), -1),
    "meshgrid": lambda m: m.meshgrid(m.asarray(2.0)[None], m.arange(2), m.arange(3.0)),
    "block": lambda m: m.block([1.0, 2.0]),
    "block2": lambda m: m.block([[m.ones((2, 2)), m.zeros((2, 1), m.int32)], [m.full((1, 3), 2)]]),
    "append": lambda m: m.append(1.0, 2),
    "append_axis": lambda m: m.append(m.asarray(XI), m.asarray(X), axis=0),
    "insert_weak": lambda m: m.insert(m.asarray(2.0)[None], 0, 1),
    "insert": lambda m: m.insert(m.asarray(XI), m.asarray([0, 2]), 2.7, axis=1),
    "delete": lambda m: m.delete(m.asarray(2.0) * m.ones(3), 0),
    "delete_unique": lambda m: m.delete(m.asarray(X), m.asarray([1, 0]), axis=1,
                                        assume_unique_indices=True),
    "diff": lambda m: m.diff(m.asarray(XI), prepend=0.5),
    "diff_weak": lambda m: m.diff(m.asarray(2.0) * m.arange(4.0)),
    "diff_bool": lambda m: m.diff(m.asarray(XI > 3)),
    "ediff1d": lambda m: m.ediff1d(m.asarray(2.0) * m.arange(4.0), to_begin=7),
    "gradient_int": lambda m: m.gradient(m.asarray(XI), axis=0),
    "gradient_weak": lambda m: m.gradient(m.asarray(2.0) * m.arange(4.0)),
    "gradient_multi": lambda m: m.gradient(m.asarray(X), 2.0, m.asarray([0., 1., 3., 7.])),
    "packbits": lambda m: m.packbits(m.asarray(XI), axis=1),
    "unpackbits": lambda m: m.unpackbits(m.asarray(XI.astype(np.uint8)), count=5),
    "fromfunction": lambda m: m.fromfunction(lambda i, k: i * 10 + k, (3, 4)),
}


@pytest.mark.parametrize("name", sorted(AVAL_CASES))
def test_dtypes_and_weak_types_match_jax(name):
    fn = AVAL_CASES[name]
    assert _avals(fn(jnp)) == jax_avals(fn)


# ---------------------------------------------------------------------------
# split / unstack


def test_split_family_matches_numpy():
    x, xi = jnp.asarray(X), jnp.arange(10)
    check_all(jnp.split(x, 2, axis=1), np.split(X, 2, axis=1))
    check_all(jnp.split(xi, [3, 5]), np.split(np.arange(10), [3, 5]))
    check_all(jnp.split(xi, np.array([3, 5])), np.split(np.arange(10), [3, 5]))
    check_all(jnp.split(xi, jnp.array([2, 2, 7])), np.split(np.arange(10), [2, 2, 7]))
    check_all(jnp.array_split(xi, 3), np.array_split(np.arange(10), 3))
    check_all(jnp.array_split(x, 3, axis=-1), np.array_split(X, 3, axis=-1))
    check_all(jnp.hsplit(x, [1]), np.hsplit(X, [1]))
    check_all(jnp.hsplit(xi, 2), np.hsplit(np.arange(10), 2))
    check_all(jnp.vsplit(x, 3), np.vsplit(X, 3))
    check_all(jnp.dsplit(x.reshape(1, 3, 4), [1, 3]), np.dsplit(X.reshape(1, 3, 4), [1, 3]))


def test_split_errors():
    xi = jnp.arange(10)
    with pytest.raises(ValueError, match="equal division: rest is 1"):
        jnp.split(xi, 3)
    with pytest.raises(ValueError, match="nonnegative"):
        jnp.split(xi, [3, 20])       # NumPy allows this; JAX does not
    with pytest.raises(ZeroDivisionError):
        jnp.array_split(xi, 0)
    with pytest.raises(IndexError):
        jnp.dsplit(xi, 2)
    with pytest.raises(ConcretizationTypeError, match="split"):
        pyjax.jit(lambda n: jnp.split(xi, n))(2)


def test_unstack():
    out = jnp.unstack(jnp.asarray(X), axis=1)
    assert isinstance(out, tuple) and len(out) == 4
    check_all(out, [X[:, i] for i in range(4)])
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.unstack(jnp.asarray(1.0))


# ---------------------------------------------------------------------------
# tile / repeat / resize


@pytest.mark.parametrize("reps", [2, (2, 1), (2, 1, 3), (1,), 0, (0, 2)])
def test_tile(reps):
    check(jnp.tile(jnp.asarray(X), reps), np.tile(X, reps), dtype=np.float32)
    check(jnp.tile(jnp.asarray(XI[0]), reps), np.tile(XI[0], reps), dtype=np.int32)


def test_repeat_static():
    x = jnp.asarray(X)
    check(jnp.repeat(x, 2), np.repeat(X, 2))
    check(jnp.repeat(x, 3, axis=1), np.repeat(X, 3, axis=1))
    check(jnp.repeat(x, jnp.array([1, 0, 2]), axis=0), np.repeat(X, [1, 0, 2], axis=0))
    check(jnp.repeat(x, np.array([2, 0, 1, 3]), axis=-1), np.repeat(X, [2, 0, 1, 3], axis=-1))
    many = np.arange(12) % 4   # more than 16 pieces: the sort-based gather
    check(jnp.repeat(jnp.ravel(x), many), np.repeat(X.ravel(), many))
    check(jnp.repeat(x, 0, axis=1), np.repeat(X, 0, axis=1))
    check(jnp.repeat(jnp.array([True, False]), 2), np.repeat([True, False], 2), dtype=np.bool_)
    check(jnp.repeat(2.0, 3), [2.0, 2.0, 2.0], dtype=np.float32, weak=True)
    check(jnp.repeat(jnp.asarray(2), jnp.array([3])), [2, 2, 2], weak=True)


def test_repeat_jax_specific_values():
    x = jnp.array([1.0, 2.0, 3.0])
    # negative repeats follow JAX's scatter construction (NumPy raises)
    check(jnp.repeat(x, jnp.array([-1, 2, 1])), [1.0, 3.0])
    # total_repeat_length longer than the sum repeats the last block (even a zero repeat)
    check(jnp.repeat(x, jnp.array([1, 0, 0]), total_repeat_length=3), [1.0, 3.0, 3.0])
    f = pyjax.jit(lambda r: jnp.repeat(jnp.asarray(X), r, axis=1, total_repeat_length=9))
    check(f(jnp.array([2, 0, 1, 3])), np.repeat(X, [2, 0, 1, 6], axis=1))
    f = pyjax.jit(lambda r: jnp.repeat(jnp.asarray(X), r, axis=1, total_repeat_length=4))
    check(f(jnp.array([2, 0, 1, 3])), np.repeat(X, [2, 0, 1, 3], axis=1)[:, :4])
    f = pyjax.jit(lambda r: jnp.repeat(jnp.arange(4), r, total_repeat_length=8))
    check(f(2), np.repeat(np.arange(4), 2))


def test_repeat_errors():
    x = jnp.arange(3)
    with pytest.raises(ConcretizationTypeError, match="total_repeat_length"):
        pyjax.jit(lambda r: jnp.repeat(x, r))(jnp.array([1, 2, 3]))
    with pytest.raises(TypeError, match="nonnegative"):
        jnp.repeat(x, -1)
    with pytest.raises(TypeError):
        jnp.repeat(x, 1.5)
    with pytest.raises(TypeError):
        jnp.repeat(x, [1, 2, 3])
    with pytest.raises(ValueError, match="broadcast"):
        jnp.repeat(2.0, jnp.array([3, 1]))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.repeat(x, 2, axis=1)


def test_resize():
    check(jnp.resize(jnp.asarray(X), (5, 3)), np.resize(X, (5, 3)))
    check(jnp.resize(jnp.asarray(XI), 4), np.resize(XI, 4))
    check(jnp.resize(jnp.asarray(2.0), (2, 2)), np.full((2, 2), 2.0), weak=True)
    check(jnp.resize(jnp.array([]), (2,)), [0.0, 0.0])
    with pytest.raises(ValueError, match="non-negative"):
        jnp.resize(jnp.asarray(X), (-1,))


# ---------------------------------------------------------------------------
# roll / rollaxis / rot90


@pytest.mark.parametrize("shift,axis", [(1, None), (-5, None), (2, 1), ((1, -2), (0, 1)),
                                        ((1, 2), (0,)), (7, 0)])
def test_roll_static_and_traced(shift, axis):
    expected = np.roll(X, shift, axis)
    check(jnp.roll(jnp.asarray(X), shift, axis), expected)
    check(pyjax.jit(lambda s: jnp.roll(jnp.asarray(X), s, axis))(jnp.asarray(shift)), expected)


def test_roll_float_shift_and_errors():
    check(jnp.roll(jnp.arange(10), 1.7), np.roll(np.arange(10), 1))   # truncated, as JAX
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.roll(jnp.arange(3), 1, 3)
    check(pyjax.vmap(jnp.roll)(jnp.asarray(X), jnp.array([0, 1, -5])),
          np.stack([np.roll(X[0], 0), np.roll(X[1], 1), np.roll(X[2], -5)]))


def test_rollaxis():
    a = np.ones((2, 3, 4, 5))
    for axis, start in [(2, 0), (0, 3), (3, 1), (-1, -3), (1, 4)]:
        assert jnp.rollaxis(jnp.asarray(a), axis, start).shape == np.rollaxis(a, axis, start).shape
    with pytest.raises(ValueError, match="start=5"):
        jnp.rollaxis(jnp.ones((2, 3, 4)), 2, 5)


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 4, 5])
def test_rot90(k):
    check(jnp.rot90(jnp.asarray(X), k), np.rot90(X, k))
    a = np.arange(24).reshape(2, 3, 4)
    check(jnp.rot90(jnp.asarray(a), k, axes=(2, 0)), np.rot90(a, k, axes=(2, 0)))


def test_rot90_errors():
    with pytest.raises(ValueError, match="ndim at least two"):
        jnp.rot90(jnp.arange(3))
    with pytest.raises(ValueError, match="Axes must be different"):
        jnp.rot90(jnp.ones((2, 2)), axes=(0, 0))


# ---------------------------------------------------------------------------
# pad

PAD_MODES = ["constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum",
             "minimum", "mean", "median"]
PAD_WIDTHS = [2, (1, 3), ((0, 2), (3, 1)), [[5, 6]], ((7, 0), (0, 9))]


@pytest.mark.parametrize("mode", PAD_MODES)
def test_pad_modes_match_numpy(mode):
    for w in PAD_WIDTHS:
        check(jnp.pad(jnp.asarray(X), w, mode=mode), np.pad(X, w, mode=mode), dtype=np.float32)
        check(jnp.pad(jnp.asarray(XI), w, mode=mode), np.pad(XI, w, mode=mode), dtype=np.int32)


def test_pad_empty_mode_shape():
    out = jnp.pad(jnp.asarray(XI), ((1, 2), (0, 3)), mode="empty")
    assert out.shape == (6, 7) and out.dtype == np.int32
    check(out[1:4, :4], XI)


def test_pad_keyword_arguments():
    x, xi = jnp.asarray(X), jnp.asarray(XI)
    cv = ((1, 2), (3, 4))
    check(jnp.pad(x, ((1, 2), (3, 4)), constant_values=cv), np.pad(X, ((1, 2), (3, 4)),
                                                                   constant_values=cv))
    check(jnp.pad(x, 1, constant_values=(7,)), np.pad(X, 1, constant_values=7))
    check(jnp.pad(x, 1, constant_values=(7, 8)), np.pad(X, 1, constant_values=(7, 8)))
    check(jnp.pad(xi, 1, constant_values=2.7), np.pad(XI, 1, constant_values=2.7))
    check(jnp.pad(x, 3, mode="linear_ramp", end_values=(-1, 5)),
          np.pad(X, 3, mode="linear_ramp", end_values=(-1, 5)))
    for mode in ("reflect", "symmetric"):
        for rt in ("even", "odd"):
            for a in (X, X[:1], XI):
                check(jnp.pad(jnp.asarray(a), ((5, 7), (2, 9)), mode=mode, reflect_type=rt),
                      np.pad(a, ((5, 7), (2, 9)), mode=mode, reflect_type=rt))
    for st in (1, (1, 3), ((2, 1), (3, 10))):
        for mode in ("maximum", "minimum", "mean", "median"):
            check(jnp.pad(xi, 2, mode=mode, stat_length=st),
                  np.pad(XI, 2, mode=mode, stat_length=st))
            check(jnp.pad(x, 2, mode=mode, stat_length=st), np.pad(X, 2, mode=mode, stat_length=st))
    check(jnp.pad(jnp.array([1.0, np.nan, 3.0]), 2, mode="median"),
          [np.nan, np.nan, 1.0, np.nan, 3.0, np.nan, np.nan])
    check(jnp.pad(x, jnp.array([[1, 2], [0, 1]])), np.pad(X, [[1, 2], [0, 1]]))
    check(jnp.pad(jnp.asarray(3.0), 2), 3.0)   # 0-d: unchanged


def test_pad_callable_mode():
    def padder(v, w, axis, kw):
        n = v.shape[0]
        i = jnp.arange(n)
        return jnp.where((i < w[0]) | (i >= n - w[1]), kw.get("val", 10), v)

    def np_padder(v, w, axis, kw):
        v[:w[0]] = kw.get("val", 10)
        if w[1]:
            v[-w[1]:] = kw.get("val", 10)

    check(jnp.pad(jnp.asarray(X), 2, mode=padder, val=-1), np.pad(X, 2, mode=np_padder, val=-1))
    check(jnp.pad(jnp.asarray(XI), ((1, 0), (2, 1)), mode=padder),
          np.pad(XI, ((1, 0), (2, 1)), mode=np_padder))


def test_pad_errors():
    x = jnp.asarray(X)
    with pytest.raises(NotImplementedError, match="foo"):
        jnp.pad(x, 2, mode="foo")
    with pytest.raises(ValueError, match="unsupported keyword"):
        jnp.pad(x, 2, mode="edge", constant_values=2)
    with pytest.raises(ValueError, match="negative"):
        jnp.pad(x, -1)
    with pytest.raises(TypeError, match="integral"):
        jnp.pad(x, 1.5)
    with pytest.raises(ValueError, match="unsupported shape"):
        jnp.pad(x, ((1, 2, 3),))
    with pytest.raises(TypeError, match="same shape"):
        jnp.pad(x, ((1, 2), (3,)))
    with pytest.raises(ValueError, match="constant_values has unsupported shape"):
        jnp.pad(x, 1, constant_values=(7, 8, 9))
    with pytest.raises(ValueError, match="stat_length of 0"):
        jnp.pad(x, 2, mode="mean", stat_length=0)
    with pytest.raises(ValueError, match="empty axis"):
        jnp.pad(jnp.zeros((0, 3)), 1, mode="wrap")
    with pytest.raises(ConcretizationTypeError, match="pad"):
        pyjax.jit(lambda w: jnp.pad(x, w))(2)


def test_pad_under_jit_and_grad():
    f = pyjax.jit(lambda a, c: jnp.pad(a, 2, constant_values=c))
    check(f(jnp.asarray(X), 5.0), np.pad(X, 2, constant_values=5.0))
    # The gradient of a reflect pad sums the cotangent onto the reflected entries.
    w = np.arange(1.0, 1 + 7 * 8, dtype=np.float32).reshape(7, 8)
    g = pyjax.grad(lambda a: (jnp.pad(a, 2, mode="reflect") * w).sum())(jnp.asarray(X))
    eye = np.eye(12, dtype=np.float32).reshape(12, 3, 4)
    expected = np.array([(np.pad(e, 2, mode="reflect") * w).sum() for e in eye]).reshape(3, 4)
    check(g, expected)
    g = pyjax.grad(lambda a: (jnp.pad(a, 2, mode="median") * w).sum())(jnp.asarray(X))
    assert g.shape == (3, 4) and np.isfinite(np.asarray(g)).all()


# ---------------------------------------------------------------------------
# diagflat / meshgrid / mgrid / ogrid / r_ / c_ / block


@pytest.mark.parametrize("k", [-2, 0, 1, 3])
def test_diagflat(k):
    check(jnp.diagflat(jnp.array([[1, 2], [3, 4]]), k), np.diagflat([[1, 2], [3, 4]], k),
          dtype=np.int32)
    check(jnp.diagflat(jnp.asarray(2.0)), [[2.0]], weak=False)


def test_meshgrid():
    a, b, c = np.arange(3), np.arange(4.0), np.arange(2)
    for indexing in ("xy", "ij"):
        for sparse in (False, True):
            check_all(jnp.meshgrid(jnp.asarray(a), jnp.asarray(b), jnp.asarray(c),
                                   indexing=indexing, sparse=sparse),
                      np.meshgrid(a, b, c, indexing=indexing, sparse=sparse))
    with pytest.raises(ValueError, match="1D"):
        jnp.meshgrid(jnp.asarray(X))
    with pytest.raises(TypeError):
        jnp.meshgrid([1, 2])
    with pytest.raises(ValueError, match="indexing"):
        jnp.meshgrid(jnp.arange(2), indexing="x")


@pytest.mark.parametrize("key", [
    (slice(0, 3), slice(1, 5, 2)), (slice(0, 1, 5j), slice(0, 3)), slice(-2, 3),
    slice(0, 1, 0.25), (slice(2, 5),), (slice(0, 2, 3j), slice(1, 2, 2j), slice(0, 2))])
def test_mgrid_ogrid(key):
    got = jnp.mgrid[key]
    check(got, np.mgrid[key])
    assert got.dtype == (np.int32 if np.asarray(np.mgrid[key]).dtype.kind == "i" else np.float32)
    got, exp = jnp.ogrid[key], np.ogrid[key]
    if isinstance(exp, (list, tuple)):
        check_all(got, exp)
    else:
        check(got, exp)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")   # np.r_["r", ...]: np.matrix
def test_r_and_c():
    a, b = np.array([1, 2]), np.array([3, 4])
    check(jnp.r_[jnp.asarray(a), 0, 3:6], np.r_[a, 0, 3:6])
    check(jnp.r_["0,2", jnp.asarray(a), jnp.asarray(b)], np.r_["0,2", a, b])
    check(jnp.r_["r", jnp.asarray(a), jnp.asarray(b)], np.r_["r", a, b])
    check(jnp.c_[jnp.asarray(a), jnp.asarray(b)], np.c_[a, b])
    check(jnp.r_[0:1:5j], np.r_[0:1:5j])
    assert jnp.s_[1:2] == np.s_[1:2] and jnp.index_exp[1] == np.index_exp[1]


def test_block():
    a = np.arange(4.0).reshape(2, 2)
    check(jnp.block([[jnp.asarray(a), jnp.asarray(a)], [jnp.asarray(a), jnp.asarray(a)]]),
          np.block([[a, a], [a, a]]))
    check(jnp.block([[jnp.ones((2, 2)), jnp.zeros((2, 1))], [jnp.full((1, 3), 2.0)]]),
          np.block([[np.ones((2, 2)), np.zeros((2, 1))], [np.full((1, 3), 2.0)]]))
    check(jnp.block([1, 2, jnp.array([3, 4])]), [1, 2, 3, 4])
    check(jnp.block(jnp.asarray(a)), a)
    for bad in ((1, 2), [], [[1], 2]):
        with pytest.raises(ValueError):
            jnp.block(bad)


# ---------------------------------------------------------------------------
# append / insert / delete / trim_zeros


def test_append():
    check(jnp.append(jnp.asarray(X), jnp.asarray(XI)), np.append(X, XI))
    check(jnp.append(jnp.asarray(X), jnp.asarray(X), axis=1), np.append(X, X, axis=1))
    check(jnp.append(1.0, 2), [1.0, 2.0], weak=True)


def test_delete_matches_numpy():
    x, xi = jnp.asarray(X), jnp.asarray(XI)
    check(jnp.delete(x, 1, axis=1), np.delete(X, 1, axis=1))
    check(jnp.delete(x, -1), np.delete(X, -1))
    check(jnp.delete(x, jnp.array([0, 2, 2, -1]), axis=1), np.delete(X, [0, 2, 2, -1], axis=1))
    check(jnp.delete(xi, np.array([0, 5, 7])), np.delete(XI, [0, 5, 7]))
    check(jnp.delete(x, np.array([True, False, True]), axis=0),
          np.delete(X, [True, False, True], axis=0))
    check(jnp.delete(x, slice(0, 3, 2), axis=1), np.delete(X, slice(0, 3, 2), axis=1))
    check(jnp.delete(xi, slice(None, None, 5)), np.delete(XI, slice(None, None, 5)))
    check(jnp.delete(jnp.arange(40), np.arange(0, 40, 3)), np.delete(np.arange(40),
                                                                     np.arange(0, 40, 3)))
    check(jnp.delete(jnp.asarray(2.0) * jnp.arange(3.0), 0), [2.0, 4.0], weak=False)


def test_delete_traced_unique_indices():
    f = pyjax.jit(lambda o: jnp.delete(jnp.asarray(X), o, axis=1, assume_unique_indices=True))
    check(f(jnp.array([3, 0])), np.delete(X, [3, 0], axis=1))
    f = pyjax.jit(lambda o: jnp.delete(jnp.arange(12), o, assume_unique_indices=True))
    check(f(jnp.array([-1, 0, 5])), np.delete(np.arange(12), [-1, 0, 5]))
    g = pyjax.vmap(lambda a, i: jnp.delete(a, i, assume_unique_indices=True))
    check(g(jnp.asarray(X), jnp.array([[0, 1], [2, 3], [3, 1]])),
          np.stack([np.delete(X[0], [0, 1]), np.delete(X[1], [2, 3]), np.delete(X[2], [3, 1])]))


def test_delete_errors():
    x = jnp.asarray(X)
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.delete(x, 20)
    with pytest.raises(ValueError, match="dtype=float32"):
        jnp.delete(x, jnp.array([0.5]))
    with pytest.raises(ValueError, match="boolean indices"):
        jnp.delete(x, np.array([True, False]), axis=0)
    with pytest.raises(TypeError):
        jnp.delete(x, [0, 1])
    with pytest.raises(ConcretizationTypeError, match="delete"):
        pyjax.jit(lambda o: jnp.delete(x, o))(jnp.array([0, 2]))


def test_insert_matches_numpy():
    xi = jnp.asarray(XI)
    check(jnp.insert(jnp.arange(5), jnp.array([1, 1, 3]), jnp.array([10, 20, 30])),
          np.insert(np.arange(5), [1, 1, 3], [10, 20, 30]))
    check(jnp.insert(xi, 1, jnp.array([7, 8, 9]), axis=1), np.insert(XI, 1, [7, 8, 9], axis=1))
    check(jnp.insert(xi, 1, jnp.array([7, 8, 9, 10]), axis=0),
          np.insert(XI, 1, [7, 8, 9, 10], axis=0))
    # one index in a 1-D array: JAX inserts the whole (broadcast) value block there
    check(jnp.insert(xi, jnp.array([1]), jnp.array([7, 8, 9]), axis=1),
          np.insert(XI, [1, 1, 1], [7, 8, 9], axis=1))
    check(jnp.insert(xi, jnp.array([0, 2, 4]), 5, axis=1), np.insert(XI, [0, 2, 4], 5, axis=1))
    vals = np.array([[1., 2.], [3., 4.], [5., 6.]], np.float32)
    check(jnp.insert(jnp.asarray(X), jnp.array([0, 2]), jnp.asarray(vals), axis=1),
          np.insert(X, [0, 2], vals, axis=1))
    check(jnp.insert(jnp.asarray(X), slice(0, 4, 2), 0.5, axis=1),
          np.insert(X, slice(0, 4, 2), 0.5, axis=1))
    check(jnp.insert(xi, 2, 2.7), np.insert(XI, 2, 2.7), dtype=np.int32)
    # out-of-range indices are clipped (NumPy raises)
    check(jnp.insert(jnp.arange(3.0), jnp.array([-1, -10, 10]), 9.0), [9, 0, 1, 9, 2, 9])
    f = pyjax.jit(lambda o, v: jnp.insert(xi, o, v, axis=1))
    check(f(jnp.array([3, 0]), jnp.array(5)), np.insert(XI, [3, 0], 5, axis=1))


def test_insert_errors():
    x = jnp.asarray(X)
    with pytest.raises(ValueError, match="integer typed"):
        jnp.insert(x, 0.5, 1)
    with pytest.raises(ValueError, match="one-dimensional"):
        jnp.insert(x, jnp.array([[0]]), 1)
    with pytest.raises(TypeError):
        jnp.insert(x, 2, [1, 2])
    with pytest.raises(ValueError):
        jnp.insert(x, jnp.array([0, 1]), jnp.array([1., 2., 3.]))


def test_trim_zeros():
    a = np.array([0, 0, 1, 2, 0])
    check(jnp.trim_zeros(jnp.asarray(a), ""), a)
    for trim in ("fb", "f", "b", "F", "B"):
        check(jnp.trim_zeros(jnp.asarray(a), trim), np.trim_zeros(a, trim))
    check(jnp.trim_zeros(jnp.array([0, 0])), np.array([], np.int32))
    m = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    check(jnp.trim_zeros(jnp.asarray(m)), np.trim_zeros(m))
    check(jnp.trim_zeros(jnp.asarray(m), axis=1), np.trim_zeros(m, axis=1))
    with pytest.raises(ConcretizationTypeError, match="trim_zeros"):
        pyjax.jit(jnp.trim_zeros)(jnp.array([0, 1]))


# ---------------------------------------------------------------------------
# differences and gradients


def test_diff_and_ediff1d():
    x, xi = jnp.asarray(X), jnp.asarray(XI)
    check(jnp.diff(x), np.diff(X))
    check(jnp.diff(x, 2, axis=0), np.diff(X, 2, axis=0))
    check(jnp.diff(xi, 5), np.diff(XI, 5))
    check(jnp.diff(jnp.asarray(XI > 3)), np.diff(XI > 3), dtype=np.bool_)
    app = np.array([[1], [2], [3]])
    check(jnp.diff(xi, prepend=0.5, append=jnp.asarray(app)), np.diff(XI, prepend=0.5, append=app),
          dtype=np.float32)
    check(jnp.diff(jnp.asarray(2.0), 0), 2.0)
    with pytest.raises(ValueError, match="at least one dimensional"):
        jnp.diff(jnp.asarray(2.0))
    with pytest.raises(ValueError, match="non-negative"):
        jnp.diff(x, -1)
    check(jnp.ediff1d(x), np.ediff1d(X))
    check(jnp.ediff1d(xi, to_end=jnp.array([1.5, 2.5]), to_begin=7),
          np.concatenate([[7], np.ediff1d(XI), [1, 2]]), dtype=np.int32)
    check(jnp.ediff1d(jnp.array([1.0])), np.zeros(0))


def test_gradient():
    x = jnp.asarray(X)
    check_all(jnp.gradient(x), np.gradient(X))
    check(jnp.gradient(x, axis=1), np.gradient(X, axis=1))
    check_all(jnp.gradient(x, 2.0), np.gradient(X, 2.0))
    h = np.array([0., 1., 3., 7.], np.float32)
    check_all(jnp.gradient(x, 2.0, jnp.asarray(h)), np.gradient(X, 2.0, h), rtol=1e-5)
    check(jnp.gradient(jnp.asarray(XI), axis=0), np.gradient(XI, axis=0), dtype=np.float32)
    assert jnp.gradient(x, axis=()) == []
    with pytest.raises(ValueError, match="too small"):
        jnp.gradient(jnp.ones((1, 3)))
    with pytest.raises(NotImplementedError, match="edge_order"):
        jnp.gradient(x, edge_order=1)
    with pytest.raises(ValueError, match="same length"):
        jnp.gradient(x, jnp.ones(3), axis=1)
    with pytest.raises(TypeError, match="spacing"):
        jnp.gradient(x, 1., 2., 3.)


# ---------------------------------------------------------------------------
# bits


def test_packbits_unpackbits():
    for axis in (None, 0, 1):
        for order in ("big", "little"):
            check(jnp.packbits(jnp.asarray(XI), axis=axis, bitorder=order),
                  np.packbits(XI.astype(bool), axis=axis, bitorder=order), dtype=np.uint8)
    u8 = (np.arange(12) * 37 % 256).astype(np.uint8).reshape(3, 4)
    for axis in (None, 0, 1):
        for order in ("big", "little"):
            for count in (None, 5, 30, -3):
                check(jnp.unpackbits(jnp.asarray(u8), axis=axis, count=count, bitorder=order),
                      np.unpackbits(u8, axis=axis, count=count, bitorder=order), dtype=np.uint8)
    with pytest.raises(TypeError, match="integer or boolean"):
        jnp.packbits(jnp.asarray(X))
    with pytest.raises(TypeError, match="unsigned byte"):
        jnp.unpackbits(jnp.asarray(XI))
    with pytest.raises(ValueError, match="'order'"):
        jnp.packbits(jnp.asarray(XI), bitorder="x")


# ---------------------------------------------------------------------------
# construction


def test_from_functions():
    check(jnp.frombuffer(b"\x01\x02\x03\x04", dtype=np.uint8), [1, 2, 3, 4], dtype=np.uint8)
    check(jnp.frombuffer(np.arange(3.0).tobytes()), [0.0, 1.0, 2.0], dtype=np.float32)
    check(jnp.fromstring("1 2 3", sep=" "), [1.0, 2.0, 3.0], dtype=np.float32)
    check(jnp.fromfunction(lambda i, k: i * 10 + k, (3, 4)),
          np.fromfunction(lambda i, k: i * 10 + k, (3, 4)), dtype=np.float32)
    check(jnp.fromfunction(lambda i: i ** 2, (5,), dtype=int), np.arange(5) ** 2, dtype=np.int32)
    with pytest.raises(NotImplementedError, match="fromiter"):
        jnp.fromiter(iter([1, 2]), dtype=int)
    with pytest.raises(NotImplementedError, match="fromfile"):
        jnp.fromfile("x")


# ---------------------------------------------------------------------------
# transformations through the sort-based gathers


def test_gradients_are_transposes():
    """Each function is linear in `a`: grad of <w, f(a)> must be J^T w, where the columns
    of J are f of the basis vectors (forward values are checked against NumPy above)."""
    w = np.arange(1.0, 100.0, dtype=np.float32)
    cases = [
        lambda a: jnp.repeat(a, jnp.asarray([2, 0, 1, 3]), axis=1),
        lambda a: jnp.repeat(jnp.ravel(a), np.arange(12) % 3),
        lambda a: jnp.repeat(a, jnp.asarray([1, 2, 0, 3]), axis=1, total_repeat_length=9),
        lambda a: jnp.insert(a, jnp.asarray([0, 2, 2]), 7.0, axis=1),
        lambda a: jnp.delete(a, jnp.asarray([0, 2]), axis=1, assume_unique_indices=True),
        lambda a: jnp.delete(jnp.ravel(a), np.arange(0, 12, 5)),
        lambda a: jnp.tile(a, (2, 1)),
        lambda a: jnp.roll(a, jnp.asarray(2), axis=1),
        lambda a: jnp.pad(a, 2, mode="mean", stat_length=2),
        lambda a: jnp.pad(a, 3, mode="symmetric", reflect_type="odd"),
        lambda a: jnp.pad(a, ((1, 2), (0, 5)), mode="wrap"),
        lambda a: jnp.diff(a, 2, axis=0),
        lambda a: jnp.gradient(a, axis=1),
    ]
    basis = np.eye(12, dtype=np.float32).reshape(12, 3, 4)
    for fn in cases:
        out = fn(jnp.asarray(X))
        ww = w[:out.size].reshape(out.shape)
        got = pyjax.grad(lambda a: (fn(a) * ww).sum())(jnp.asarray(X))
        const = np.asarray(fn(jnp.zeros((3, 4))))
        want = np.array([((np.asarray(fn(jnp.asarray(e))) - const) * ww).sum() for e in basis])
        check(got, want.reshape(3, 4), rtol=1e-5)


def test_vmap_matches_loop():
    r = jnp.array([[1, 2, 0, 3], [0, 0, 6, 0], [1, 1, 1, 1]])
    f = lambda a, k: jnp.repeat(a, k, total_repeat_length=6)  # noqa: E731
    out = pyjax.vmap(f)(jnp.asarray(X), r)
    check(out, np.stack([np.asarray(f(jnp.asarray(X[i]), r[i])) for i in range(3)]))
    g = lambda a, i: jnp.insert(a, i, -1.0)  # noqa: E731
    idx = jnp.array([0, 2, 4])
    check(pyjax.vmap(g)(jnp.asarray(X), idx), np.stack([np.insert(X[i], int(idx[i]), -1.0)
                                                        for i in range(3)]))


def test_take_rows_general_path(monkeypatch):
    # force the sort/scan gather for every index pattern
    monkeypatch.setattr(manipulation, "_MAX_STATIC_PIECES", 0)
    rng = np.random.RandomState(0)
    for n, m in [(1, 3), (5, 0), (5, 9), (17, 4)]:
        x = rng.randn(n, 2, 3).astype(np.float32)
        idx = rng.randint(0, n, m)
        check(manipulation._take_rows(jnp.asarray(x), idx), x[idx])
        check(pyjax.jit(manipulation._take_rows)(jnp.asarray(x), jnp.asarray(idx)), x[idx])
    x = np.array([-0.0, np.nan, np.inf, 1.5], np.float32)
    got = np.asarray(manipulation._take_rows(jnp.asarray(x), np.array([0, 0, 1, 2, 3])))
    assert np.signbit(got[:2]).all() and np.isnan(got[2]) and got[3] == np.inf   # exact
