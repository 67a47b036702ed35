"""Tests of pyjax.numpy's set operations, searchsorted/digitize, bincount and histograms
against NumPy (values) and real JAX (dtypes, weak types, the padding of `size=` results)."""
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.numpy import manipulation
from pyjax.errors import ConcretizationTypeError

U = np.array([3, 1, 2, 3, 1, 5, 2, 2], np.int32)
UF = np.array([1.5, np.nan, -0.0, 0.0, np.nan, 1.5, -2.0], np.float32)
U2 = np.array([[1, 2], [3, 4], [1, 2], [0, 9], [3, 4]], np.int32)
A1 = np.array([5, 1, 3, 3, 7, 1, 9], np.int32)
A2 = np.array([3, 4, 1, 1, 10, 9], np.int32)
F1 = np.array([0.5, np.nan, -0.0, 2.0, 2.0], np.float32)
F2 = np.array([0.0, np.nan, 2.0, 3.0], np.float32)


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
    assert len(actual) == len(expected), (len(actual), len(expected))
    for a, e in zip(actual, expected):
        check(a, e, **kw)


def _tree(x):
    if isinstance(x, (list, tuple)):
        return [_tree(v) for v in x]
    return x


def _avals(tree):
    if isinstance(tree, (list, tuple)):
        return [_avals(t) for t in tree]
    return (tuple(tree.shape), np.dtype(tree.dtype), bool(tree.weak_type))


def jax_avals(fn):
    real = pytest.importorskip("jax")
    import jax.numpy as rjnp
    try:
        return _avals(real.eval_shape(lambda: fn(rjnp)))
    except real.errors.ConcretizationTypeError:
        return _avals(fn(rjnp))


# ---------------------------------------------------------------------------
# dtypes and weak types against JAX

AVAL_CASES = {
    "unique_all_outputs": lambda m: m.unique(m.asarray(U), True, True, True, size=4),
    "unique_weak": lambda m: m.unique(m.asarray(2.0) * m.asarray([1., 2., 1.]), size=4),
    "unique_weak_fill": lambda m: m.unique(m.asarray(2.0) * m.asarray([1., 2., 1.]), size=4,
                                           fill_value=0),
    "unique_axis": lambda m: m.unique(m.asarray(U2), axis=0, return_inverse=True, size=3),
    "union1d": lambda m: m.union1d(m.asarray(A1), m.asarray(F2), size=5),
    "intersect1d": lambda m: m.intersect1d(m.asarray(A1), m.asarray(A2), size=3,
                                           return_indices=True),
    "intersect1d_weak": lambda m: m.intersect1d(m.asarray(2.0) * m.asarray([1., 2.]),
                                                m.asarray(2.0) * m.asarray([2.]), size=2,
                                                assume_unique=True),
    "setdiff1d": lambda m: m.setdiff1d(m.asarray(2.0) * m.asarray([1., 2.]), m.asarray([2.]),
                                       size=3),
    "setxor1d": lambda m: m.setxor1d(m.asarray(A1), m.asarray(A2), size=3),
    "isin": lambda m: m.isin(2.0, m.asarray([1., 2.])),
    "searchsorted": lambda m: m.searchsorted(m.asarray(F2), 1.0),
    "digitize": lambda m: m.digitize(m.asarray(F1), m.asarray([0.0, 1.0])),
    "bincount": lambda m: m.bincount(m.asarray(A1), length=4),
    "bincount_weak_w": lambda m: m.bincount(m.asarray(A1), m.asarray(2.0) * m.ones(7), length=4),
    "histogram": lambda m: m.histogram(m.asarray(A1), bins=3, range=(0, 9)),
    "histogram_weak": lambda m: m.histogram(m.asarray(2.0) * m.arange(5.0), bins=2),
    "histogram_bin_edges": lambda m: m.histogram_bin_edges(m.asarray(A1), m.asarray([1, 2, 3])),
    "histogram2d": lambda m: m.histogram2d(m.asarray(F2), m.asarray(F2), bins=2,
                                           weights=m.arange(4)),
    "histogramdd": lambda m: m.histogramdd(m.ones((3, 2)), bins=2, density=True),
}


@pytest.mark.parametrize("name", sorted(AVAL_CASES))
def test_dtypes_and_weak_types_match_jax(name):
    fn = AVAL_CASES[name]
    assert _avals(_tree(fn(jnp))) == jax_avals(fn)


# ---------------------------------------------------------------------------
# unique


@pytest.mark.parametrize("arr", [U, UF, U2], ids=["int", "float_nan", "2d"])
def test_unique_matches_numpy(arr):
    for flags in [(False, False, False), (True, False, False), (False, True, False),
                  (False, False, True), (True, True, True)]:
        got = jnp.unique(jnp.asarray(arr), *flags)
        want = np.unique(arr, *flags)
        if isinstance(want, tuple):
            check_all(got, want)
        else:
            check(got, want)
    check(jnp.unique(jnp.asarray(UF), equal_nan=False), np.unique(UF, equal_nan=False))


def test_unique_axis_matches_numpy():
    for axis in (0, 1, -1):
        check_all(jnp.unique(jnp.asarray(U2), True, True, True, axis=axis),
                  np.unique(U2, True, True, True, axis=axis))
    a = np.arange(24).reshape(2, 3, 4) % 3
    check_all(jnp.unique(jnp.asarray(a), return_inverse=True, axis=2),
              np.unique(a, return_inverse=True, axis=2))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.unique(jnp.asarray(U2), axis=2)


def test_unique_size_and_fill_value():
    # JAX's padding: the smallest unique value (and index perm[0]) without fill_value
    vals, idx, inv, cnt = jnp.unique(jnp.asarray(U), True, True, True, size=6)
    check(vals, [1, 2, 3, 5, 1, 1])
    check(idx, [1, 2, 0, 5, 1, 1])
    check(inv, np.unique(U, return_inverse=True)[1])
    check(cnt, [2, 3, 2, 1, 0, 0])
    vals, cnt = jnp.unique(jnp.asarray(U), return_counts=True, size=2)
    check(vals, [1, 2])
    check(cnt, [2, 3])
    check(jnp.unique(jnp.asarray(U), size=6, fill_value=-7), [1, 2, 3, 5, -7, -7])
    check(jnp.unique(jnp.asarray(U2), axis=0, size=5, fill_value=jnp.array([7, 8])),
          [[0, 9], [1, 2], [3, 4], [7, 8], [7, 8]])
    got = jnp.unique(jnp.asarray(UF), size=6)
    check(got, [-2.0, -0.0, 1.5, np.nan, -2.0, -2.0])
    assert np.signbit(np.asarray(got)[1])   # the first of -0.0 / 0.0 (stable sort)
    check(jnp.unique(jnp.array([], np.float32), size=3, fill_value=1), [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="fill_value must be specified"):
        jnp.unique(jnp.array([], np.float32), size=3)


def test_unique_under_transformations():
    f = pyjax.jit(lambda a: jnp.unique(a, True, True, True, size=5, fill_value=0))
    got = f(jnp.asarray(U))
    check_all(got, [[1, 2, 3, 5, 0], [1, 2, 0, 5, 1], np.unique(U, return_inverse=True)[1],
                    [2, 3, 2, 1, 0]])
    rows = np.array([[3, 1, 3, 2], [5, 5, 5, 5], [0, 9, 8, 9]], np.int32)
    out = pyjax.vmap(lambda a: jnp.unique(a, size=4, fill_value=-1))(jnp.asarray(rows))
    check(out, [[1, 2, 3, -1], [5, -1, -1, -1], [0, 8, 9, -1]])
    with pytest.raises(ConcretizationTypeError, match="unique"):
        pyjax.jit(jnp.unique)(jnp.asarray(U))
    with pytest.raises(ConcretizationTypeError, match="size"):
        pyjax.jit(lambda a, s: jnp.unique(a, size=s))(jnp.asarray(U), 3)
    # gradients flow to the first occurrence of each value
    g = pyjax.grad(lambda v: (jnp.unique(v, size=3) * jnp.arange(1.0, 4.0)).sum())(
        jnp.array([2.0, 1.0, 2.0, 3.0]))
    check(g, [2.0, 1.0, 0.0, 3.0])
    # without `size`, JAX reads the values and the result no longer depends on them
    v = jnp.array([1.0, 2.0, 2.0])
    for fn in (jnp.unique, lambda a: jnp.union1d(a, v), lambda a: jnp.intersect1d(a, v),
               lambda a: jnp.setdiff1d(a, jnp.array([2.0])), lambda a: jnp.setxor1d(a, v)):
        check(pyjax.grad(lambda a: fn(a).sum())(v), [0.0, 0.0, 0.0])
    check(pyjax.grad(lambda a: jnp.setdiff1d(a, jnp.array([2.0]), assume_unique=True).sum())(v),
          [1.0, 0.0, 0.0])
    check(pyjax.grad(lambda a: jnp.intersect1d(a, jnp.array([2.0]), assume_unique=True).sum())(v),
          [0.0, 1.0, 1.0])


def test_unique_array_api_variants_agree():
    # (unique_all & co. live in array_api.py; checked here against NumPy and jnp.unique)
    r = jnp.unique_all(jnp.asarray(UF))
    want = np.unique_all(UF)
    for name in ("values", "indices", "inverse_indices", "counts"):
        check(getattr(r, name), getattr(want, name))
    r = jnp.unique_counts(jnp.asarray(U))
    check(r.values, np.unique_counts(U).values)
    check(r.counts, np.unique_counts(U).counts)
    r = jnp.unique_inverse(jnp.asarray(U2))
    check(r.values, np.unique_inverse(U2).values)
    check(r.inverse_indices, np.unique_inverse(U2).inverse_indices)
    check(jnp.unique_values(jnp.asarray(UF)), np.unique_values(UF))
    check(jnp.unique_values(jnp.asarray(U), size=6), [1, 2, 3, 5, 1, 1])


def test_unique_edge_cases():
    got = jnp.unique(jnp.array([], np.float32), True, True, True)
    check_all(got, [np.zeros(0), np.zeros(0, int), np.zeros(0, int), np.zeros(0, int)])
    check(jnp.unique(jnp.array([True, False, True]), return_counts=True)[1], [1, 2])
    c = np.array([1 + 1j, 1 + np.nan * 1j, np.nan + 0j, 1 - 1j, 1 + 1j], np.complex64)
    check(jnp.unique(jnp.asarray(c)), [1 - 1j, 1 + 1j, np.nan + 0j])   # NaNs become nan+0j
    check(jnp.unique(3.0), [3.0], weak=True)


# ---------------------------------------------------------------------------
# set operations

PAIRS = {"int": (A1, A2), "float": (F1, F2), "mixed": (A1, F2), "empty1": (A1[:0], A2),
         "empty2": (A1, A2[:0])}


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_set_operations_match_numpy(pair):
    p, q = PAIRS[pair]
    a, b = jnp.asarray(p), jnp.asarray(q)
    check(jnp.union1d(a, b), np.union1d(p, q))
    for au in (False, True):
        if au and pair in ("int", "float", "mixed"):
            pu, qu = np.unique(p), np.unique(q)
        else:
            pu, qu = p, q
        au_args = (jnp.asarray(pu), jnp.asarray(qu))
        check(jnp.setdiff1d(*au_args, assume_unique=au), np.setdiff1d(pu, qu, assume_unique=au))
        check(jnp.setxor1d(*au_args, assume_unique=au), np.setxor1d(pu, qu, assume_unique=au))
        check(jnp.intersect1d(*au_args, assume_unique=au),
              np.intersect1d(pu, qu, assume_unique=au))
        check_all(jnp.intersect1d(*au_args, assume_unique=au, return_indices=True),
                  np.intersect1d(pu, qu, assume_unique=au, return_indices=True))
    for method in ("auto", "compare_all", "binary_search", "sort"):
        for invert in (False, True):
            check(jnp.isin(a, b, invert=invert, method=method), np.isin(p, q, invert=invert))


def test_set_operations_with_size_match_jax_values():
    a, b = jnp.asarray(A1), jnp.asarray(A2)
    check(jnp.union1d(a, b, size=9), [1, 3, 4, 5, 7, 9, 10, 1, 1])
    check(jnp.union1d(a, b, size=9, fill_value=-1), [1, 3, 4, 5, 7, 9, 10, -1, -1])
    check(jnp.setdiff1d(a, b, size=4), [5, 7, 0, 0])
    check(jnp.setdiff1d(a, b, size=1, fill_value=99), [5])
    check(jnp.setdiff1d(a, b, assume_unique=True, size=5), [5, 7, 0, 0, 0])
    check(jnp.setxor1d(a, b, size=6), [4, 5, 7, 10, 4, 4])
    check(jnp.setxor1d(a, b, size=6, fill_value=-5), [4, 5, 7, 10, -5, -5])
    check(jnp.setxor1d(jnp.asarray(np.unique(A1)), jnp.asarray(np.unique(A2)),
                       assume_unique=True, size=5), [4, 5, 7, 10, 4])
    check_all(jnp.intersect1d(a, b, size=4, return_indices=True),
              [[1, 3, 9, 1], [1, 2, 6, 7], [2, 0, 5, 6]])
    check_all(jnp.intersect1d(a, b, size=4, return_indices=True, fill_value=0),
              [[1, 3, 9, 0], [1, 2, 6, 7], [2, 0, 5, 6]])
    check_all(jnp.intersect1d(jnp.asarray([5, 1, 3]), jnp.asarray([3, 4, 1]), assume_unique=True,
                              size=3, return_indices=True), [[1, 3, 1], [1, 2, 3], [2, 0, 3]])
    f = pyjax.jit(lambda x, y: jnp.setxor1d(x, y, size=4))
    check(f(a, b), [4, 5, 7, 10])
    g = pyjax.vmap(lambda x, y: jnp.intersect1d(x, y, size=2, fill_value=-1))
    check(g(jnp.array([[1, 2, 3], [4, 5, 6]]), jnp.array([[3, 1, 9], [0, 0, 0]])),
          [[1, 3], [-1, -1]])


def test_set_operation_errors():
    a, b = jnp.asarray(A1), jnp.asarray(A2)
    for fn in (jnp.union1d, jnp.setdiff1d, jnp.setxor1d, jnp.intersect1d,
               lambda x, y: jnp.intersect1d(x, y, assume_unique=True)):
        with pytest.raises(ConcretizationTypeError):
            pyjax.jit(fn)(a, b)
    with pytest.raises(ValueError, match="method='foo'"):
        jnp.isin(a, b, method="foo")
    with pytest.raises(TypeError):
        jnp.isin(a, [1, 2])
    check(jnp.isin(jnp.asarray(A1.reshape(7, 1)), jnp.asarray(A2.reshape(2, 3))),
          np.isin(A1.reshape(7, 1), A2))


# ---------------------------------------------------------------------------
# searchsorted / digitize


@pytest.mark.parametrize("method", ["scan", "scan_unrolled", "sort", "compare_all"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_matches_numpy(side, method):
    s = np.array([1.0, 2.0, 2.0, 3.0, np.nan], np.float32)
    q = np.array([[0.0, 2.0, np.nan], [3.5, -0.0, 2.5]], np.float32)
    got = jnp.searchsorted(jnp.asarray(s), jnp.asarray(q), side=side, method=method)
    check(got, np.searchsorted(s, q, side=side), dtype=np.int32)
    ai = np.sort(A1)
    check(jnp.searchsorted(jnp.asarray(ai), jnp.asarray(A2), side=side, method=method),
          np.searchsorted(ai, A2, side=side))
    c = np.array([1 + 1j, 1 + 2j, 2 + 0j], np.complex64)
    cq = np.array([1 + 1.5j, 2 + 0j, 0j], np.complex64)
    check(jnp.searchsorted(jnp.asarray(c), jnp.asarray(cq), side=side, method=method),
          np.searchsorted(c, cq, side=side))
    check(jnp.searchsorted(jnp.array([False, True, True]), jnp.array([True, False]), side=side,
                           method=method), np.searchsorted([False, True, True], [True, False],
                                                           side=side))


def test_searchsorted_options_and_errors():
    s = jnp.asarray(A1)
    sorter = np.argsort(A1, kind="stable")
    check(jnp.searchsorted(s, jnp.asarray(A2), sorter=jnp.asarray(sorter)),
          np.searchsorted(A1, A2, sorter=sorter))
    check(jnp.searchsorted(jnp.sort(s) if hasattr(jnp, "sort") else jnp.asarray(np.sort(A1)),
                           2.5), 2, dtype=np.int32)   # int array, float query: promoted
    check(jnp.searchsorted(jnp.array([]), jnp.array([1.0, 2.0])), [0, 0])
    check(pyjax.jit(jnp.searchsorted)(jnp.asarray(F2[[0, 2, 3]]), jnp.asarray(F1)),
          np.searchsorted(F2[[0, 2, 3]], F1))
    r = np.sort(np.random.RandomState(0).rand(3, 6).astype(np.float32), axis=1)
    v = np.random.RandomState(1).rand(3, 4).astype(np.float32)
    check(pyjax.vmap(jnp.searchsorted)(jnp.asarray(r), jnp.asarray(v)),
          np.stack([np.searchsorted(r[i], v[i]) for i in range(3)]))
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.searchsorted(jnp.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="side='x'"):
        jnp.searchsorted(s, 1, side="x")
    with pytest.raises(ValueError, match="method='x'"):
        jnp.searchsorted(s, 1, method="x")


@pytest.mark.parametrize("right", [False, True])
def test_digitize(right):
    q = np.array([[0.0, 2.0, np.nan], [3.5, -0.0, 2.5], [4.0, 1.0, -1.0]], np.float32)
    for bins in ([0.0, 1.0, 2.5, 4.0], [4.0, 2.5, 1.0, 0.0]):
        b = np.array(bins, np.float32)
        check(jnp.digitize(jnp.asarray(q), jnp.asarray(b), right=right),
              np.digitize(q, b, right=right), dtype=np.int32)
    check(jnp.digitize(jnp.asarray(A1), jnp.array([1, 3, 5]), right=right, method="compare_all"),
          np.digitize(A1, [1, 3, 5], right=right))
    check(jnp.digitize(jnp.asarray(q), jnp.array([])), np.zeros((3, 3)), dtype=np.int32)
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.digitize(jnp.asarray(q), jnp.ones((2, 2)))


# ---------------------------------------------------------------------------
# bincount / histograms


def test_bincount():
    x = jnp.asarray(A1)
    check(jnp.bincount(x), np.bincount(A1), dtype=np.int32)
    check(jnp.bincount(x, minlength=15), np.bincount(A1, minlength=15))
    w = np.arange(7.0, dtype=np.float32) * 0.5
    check(jnp.bincount(x, weights=jnp.asarray(w)), np.bincount(A1, weights=w), dtype=np.float32)
    check(jnp.bincount(x, weights=jnp.arange(7)), np.bincount(A1, weights=np.arange(7)),
          dtype=np.int32)
    check(jnp.bincount(x, weights=jnp.ones(7) * 1j), np.bincount(A1) * 1j, dtype=np.complex64)
    check(jnp.bincount(jnp.array([True, False, True])), [1, 2])
    check(jnp.bincount(jnp.array([], np.int32)), np.zeros(0, np.int32))
    # JAX specifics: `length` truncates, negative values count in bin 0
    check(jnp.bincount(x, length=4), [0, 2, 0, 2])
    check(jnp.bincount(jnp.array([-1, 0, 2, -5]), length=4), [3, 0, 1, 0])
    check(pyjax.jit(lambda v: jnp.bincount(v, length=12))(x), np.bincount(A1, minlength=12))
    check(pyjax.vmap(lambda v: jnp.bincount(v, length=5))(jnp.array([[0, 1, 1, 4], [2, 2, 2, 3]])),
          [[1, 2, 0, 0, 1], [0, 0, 3, 1, 0]])
    g = pyjax.grad(lambda w: (jnp.bincount(jnp.array([0, 1, 1, 3, 0]), w, length=4) ** 2).sum())(
        jnp.arange(1.0, 6.0))
    check(g, [12.0, 10.0, 10.0, 8.0, 12.0])


def test_bincount_errors():
    x = jnp.asarray(A1)
    with pytest.raises(TypeError, match="integer type"):
        jnp.bincount(jnp.array([1.0]))
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.bincount(jnp.ones((2, 2), int))
    with pytest.raises(ValueError, match="type of weights must match"):
        jnp.bincount(x, weights=jnp.ones(3))
    with pytest.raises(TypeError, match="bool"):
        jnp.bincount(x, weights=x > 3)
    with pytest.raises(ConcretizationTypeError, match="length"):
        pyjax.jit(jnp.bincount)(x)


def test_segment_sum_sorted_path(monkeypatch):
    monkeypatch.setattr(manipulation, "_ONE_HOT_LIMIT", 0)
    rng = np.random.RandomState(0)
    x = rng.randint(0, 9, 50)
    w = rng.randn(50).astype(np.float32)
    check(jnp.bincount(jnp.asarray(x), length=12), np.bincount(x, minlength=12))
    check(jnp.bincount(jnp.asarray(x), jnp.asarray(w), length=7),
          np.bincount(x, w, minlength=12)[:7], rtol=1e-5)
    check(jnp.bincount(jnp.asarray(x), jnp.asarray(w + 1j * w), length=9),
          np.bincount(x, w, minlength=12)[:9] * (1 + 1j), rtol=1e-5)
    check(jnp.repeat(jnp.arange(4.0), jnp.array([2, 0, 1, 3]), total_repeat_length=7),
          [0, 0, 2, 3, 3, 3, 3])


H = np.array([0.1, 0.5, 0.5, 2.0, 3.3, -1.0, 4.0, 2.2], np.float32)


@pytest.mark.parametrize("bins,rng", [(4, None), (4, (0.0, 4.0)), (2, (1.0, 1.0)),
                                      (np.array([0.0, 1.0, 2.5, 4.0]), None)])
def test_histogram_matches_numpy(bins, rng):
    b = jnp.asarray(bins) if isinstance(bins, np.ndarray) else bins
    w = np.arange(8.0, dtype=np.float32)
    for density in (None, True):
        for weights in (None, w):
            got = jnp.histogram(jnp.asarray(H), bins=b, range=rng, density=density,
                                weights=None if weights is None else jnp.asarray(weights))
            want = np.histogram(H, bins=bins, range=rng, density=density, weights=weights)
            check_all(got, want, rtol=1e-5)
    check(jnp.histogram_bin_edges(jnp.asarray(H), bins, range=rng),
          np.histogram_bin_edges(H, bins, range=rng))


def test_histogram_details():
    h = jnp.asarray(np.append(H, np.nan))
    check(jnp.histogram(h, bins=jnp.array([0.0, 1.0, 2.5, 4.0]))[0], [3, 2, 2])  # NaN dropped
    check_all(jnp.histogram(jnp.asarray(A1), bins=4), np.histogram(A1, bins=4))
    check_all(jnp.histogram(jnp.arange(6.0).reshape(2, 3), bins=3),
              np.histogram(np.arange(6.0).reshape(2, 3), bins=3))
    f = pyjax.jit(lambda v: jnp.histogram(v, bins=4, range=(0.0, 4.0)))
    check_all(f(jnp.asarray(H)), np.histogram(H, bins=4, range=(0.0, 4.0)))
    with pytest.raises(NotImplementedError, match="string"):
        jnp.histogram_bin_edges(jnp.arange(6.0), bins="auto")
    with pytest.raises(TypeError):
        jnp.histogram(jnp.arange(6.0), bins="auto")   # JAX checks its arguments first
    with pytest.raises(ValueError, match="same shape"):
        jnp.histogram(jnp.arange(6.0), weights=jnp.ones(3))
    with pytest.raises(ValueError, match="range"):
        jnp.histogram_bin_edges(jnp.asarray(A1), 4, range=(0, 10, 2))


XS = np.array([0.1, 0.5, 1.5, 2.5, 0.7, 1.1], np.float32)
YS = np.array([1.0, 0.2, 0.3, 2.75, 1.75, 0.0], np.float32)


@pytest.mark.parametrize("bins", [3, (2, 4), "list", "edges"])
def test_histogram2d_matches_numpy(bins):
    e = np.array([0.0, 1.5, 3.0], np.float32)
    jb = {"list": [jnp.array([0., 1., 2., 3.]), 2], "edges": jnp.asarray(e)}.get(bins, bins)
    nb = {"list": [np.array([0., 1., 2., 3.]), 2], "edges": e}.get(bins, bins)
    for density in (None, True):
        got = jnp.histogram2d(jnp.asarray(XS), jnp.asarray(YS), bins=jb, density=density,
                              weights=jnp.arange(6.0), range=[(0, 3), None])
        want = np.histogram2d(XS, YS, bins=nb, density=density, weights=np.arange(6.0),
                              range=[(0, 3), (0.0, 2.75)])
        check_all(got, want, rtol=1e-5)


def test_histogramdd():
    s = np.stack([XS, YS, XS * YS], 1)
    got = jnp.histogramdd(jnp.asarray(s), bins=(2, 3, 2))
    want = np.histogramdd(s, bins=(2, 3, 2))
    check(got[0], want[0])
    check_all(got[1], want[1])
    got = jnp.histogramdd(jnp.asarray(s), bins=2, weights=jnp.arange(6.0), density=True)
    want = np.histogramdd(s, bins=2, weights=np.arange(6.0), density=True)
    check(got[0], want[0], rtol=1e-5)
    with pytest.raises(ValueError, match="range"):
        jnp.histogramdd(jnp.asarray(s), bins=2, range=[(0, 1)])
    with pytest.raises(ValueError, match="bin for each dimension"):
        jnp.histogramdd(jnp.asarray(s), bins=[2, 3])
    with pytest.raises(ValueError, match="one weight for each sample"):
        jnp.histogramdd(jnp.asarray(s), weights=jnp.ones(3))
