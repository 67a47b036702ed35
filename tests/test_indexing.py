"""NumPy indexing with JAX's semantics: x[idx], x.at[idx], lax.gather/scatter, jnp indexing
functions and jnp's scalar types.  Checked against NumPy and, where installed, real JAX
(values, dtypes and weak types)."""
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.lax import slicing as sl
from pyjax._src.numpy import indexing as pyidx
from pyjax.errors import ConcretizationTypeError

A = np.arange(60, dtype=np.float32).reshape(3, 4, 5)


def _jax():
    real = pytest.importorskip("jax")
    return real


def _unpack(out):
    return out if isinstance(out, (tuple, list)) else (out,)


def same(got, want, rtol=0.0, weak=True):
    """Values, shapes, dtypes (and weak types, when `want` has them) agree."""
    got, want = _unpack(got), _unpack(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        gv, wv = np.asarray(g), np.asarray(w)
        assert gv.shape == wv.shape, (gv.shape, wv.shape)
        assert gv.dtype == wv.dtype, (gv.dtype, wv.dtype)
        if rtol:
            np.testing.assert_allclose(gv, wv, rtol=rtol, atol=rtol)
        else:
            np.testing.assert_array_equal(gv, wv)
        if weak and hasattr(w, "weak_type"):
            assert g.weak_type == w.weak_type, (g.weak_type, w.weak_type)


def both(fn, *args, rtol=0.0):
    """fn(jnp_module, lax_module, *args) in pyjax and in JAX gives the same result."""
    _jax()
    import jax.numpy as rjnp
    from jax import lax as rlax
    same(fn(jnp, sl, *args), fn(rjnp, rlax, *args), rtol=rtol)


def raises_like_jax(fn, *args):
    """pyjax raises an exception of the same builtin family (and message start) as JAX."""
    _jax()
    import jax.numpy as rjnp
    with pytest.raises(Exception) as want:
        fn(rjnp, *args)
    with pytest.raises(Exception) as got:
        fn(jnp, *args)
    for base in (IndexError, TypeError, ValueError, NotImplementedError):
        assert isinstance(got.value, base) == isinstance(want.value, base), (got.value, want.value)
    return got.value, want.value


# ---------------------------------------------------------------------------
# x[idx]

I32 = lambda *v: np.array(v, dtype=np.int32)  # noqa: E731

ADVANCED = [
    (I32(0, 2),), (I32(0, -1), I32(1, 3)), (slice(None), I32(1, 3)),
    (I32(0, 2), slice(None), I32(1, 4)),  # separated: advanced dims go first
    (Ellipsis, I32(0, -1)), (None, I32(1), None, slice(1, 3)), (I32(0, 1), None, I32(2, 3)),
    (1, I32(0, 2), slice(None, None, -2)), (slice(None), np.array([[0, 1], [2, 3]]), 0),
    (A[..., 0] > 20,), (A > 30,), (slice(None), A[0, :, 0] > 5), (True,), (False,),
    (Ellipsis, True), (I32(0, 2), True, slice(None, None, 2)), (np.array([], np.int32),),
    (I32(0, 1), Ellipsis, I32(1, 2)), (slice(1, None), I32(0, 3), I32(4, -5)),
    ([0, 2], slice(None), [1, 1]), ([True, False, True], 0), (np.array([1, 2], np.uint8),),
    (slice(None, None, 2), I32(1), slice(None, None, -1)), (I32(1), slice(3, 0, -2)),
]


@pytest.mark.parametrize("idx", ADVANCED, ids=lambda i: repr(i)[:60])
def test_advanced_indexing_matches_numpy(idx):
    got = jnp.asarray(A)[idx]
    want = A[idx]
    same(got, want)


@pytest.mark.parametrize("idx", ADVANCED[:12] + [(I32(7, -9),), (I32(2, 3), I32(9, -1))],
                         ids=lambda i: repr(i)[:60])
def test_indexing_and_modes_match_jax(idx):
    for mode in (None, "fill"):
        kw = {} if mode is None else {"mode": mode}
        both(lambda np_, lax_: np_.asarray(A).at[idx].get(**kw))


def test_weak_types_survive_indexing():
    def weak(np_):
        return np_.broadcast_to(np_.asarray(2.0), (4, 5))
    for idx in ((I32(1, 3),), (slice(None), I32(0, -1)), (weak(np) > 0,), (1, 2), (None, 1)):
        both(lambda np_, lax_: weak(np_)[idx])
        both(lambda np_, lax_: weak(np_).at[idx].add(1))


def test_out_of_bounds_gather_clamps_or_fills():
    x = jnp.arange(5.0)
    same(x[jnp.array([7, -9, 2])], np.array([4.0, 0.0, 2.0], np.float32))
    same(x.at[jnp.array([7, -9, 2])].get(mode="fill"), np.array([np.nan, np.nan, 2.0], np.float32))
    same(x.at[jnp.array([7, 2])].get(mode="fill", fill_value=-1.0), np.array([-1.0, 2.0], np.float32))
    same(jnp.arange(5).at[7].get(mode="fill"), np.int32(np.iinfo(np.int32).min))
    same(jnp.arange(5, dtype=jnp.uint8).at[7].get(mode="fill"), np.uint8(255))
    same(jnp.zeros(3, bool).at[7].get(mode="fill"), np.True_)
    # wrap_negative_indices=False: negative indices are out of bounds (clamped to 0 here)
    same(x.at[-1].get(wrap_negative_indices=False), np.float32(0.0))
    with pytest.raises(ValueError, match="scalar"):
        x.at[1].get(mode="fill", fill_value=np.ones(2))


def test_traced_boolean_mask_raises_nonconcrete_error():
    x = jnp.arange(6.0)
    for transform in (pyjax.jit, pyjax.vmap):
        with pytest.raises(IndexError) as e:
            transform(lambda v: v[v > 2])(x if transform is pyjax.jit else x.reshape(2, 3))
        assert isinstance(e.value, pyidx.NonConcreteBooleanIndexError)
        msg = str(e.value)
        assert "Array boolean indices must be concrete; got bool[" in msg
        assert "jnp.where" in msg and "size=" in msg
    # under grad, the mask is concrete: it works (as in JAX)
    g = pyjax.grad(lambda v: (v[v > 2] ** 2).sum())(x)
    same(g, np.where(np.arange(6.0) > 2, 2 * np.arange(6.0), 0).astype(np.float32))


def test_index_errors_match_jax():
    x = lambda np_: np_.asarray(A)  # noqa: E731
    for idx in (1.0, "a", object(), (0, 0, 0, 0), (Ellipsis, Ellipsis), np.array([True, False]),
                np.array([1.0]), [0, 1], [0, slice(None)], np.float32(1)):
        got, want = raises_like_jax(lambda np_, i: x(np_)[i], idx)
        if not isinstance(want, AssertionError):
            assert str(got).split(";")[0][:40] == str(want).split(";")[0][:40]
    with pytest.raises(IndexError, match="Slice entries must be static integers"):
        pyjax.jit(lambda v, i: v[i:])(jnp.arange(4.0), 1)
    with pytest.raises(TypeError, match=r"x\.at\[idx\]\.set\(y\)"):
        jnp.arange(3)[0] = 1


def test_advanced_indexing_under_transformations():
    idx = np.array([2, -1, 0, 2])
    both(lambda np_, lax_: _jit(np_)(lambda a, i: a[i, ::-1, 1:3])(A, idx))
    both(lambda np_, lax_: _vmap(np_)(lambda a, i: a[i])(A[:, :, 0], np.array([[0, 1], [2, 3], [1, 1]])))
    both(lambda np_, lax_: _grad(np_)(lambda a: (a[idx, 1:] ** 2).sum())(A[:, :, 0]))
    both(lambda np_, lax_: _grad(np_)(lambda a: np_.take(a, np.array([0, 70, -1])).sum())(A))


def _mods(np_):
    if np_ is jnp:
        return pyjax
    import jax
    return jax


def _jit(np_):
    return _mods(np_).jit


def _vmap(np_):
    return _mods(np_).vmap


def _grad(np_, argnums=0):
    return lambda f: _mods(np_).grad(f, argnums)


# ---------------------------------------------------------------------------
# x.at[idx]

UPDATE_INDICES = [I32(0, 0, 2), (slice(None), I32(1, 1)), (1, slice(None, None, -2)), A[:, :, 0] > 20,
                  (I32(5, -9), 0), (None, 1), (True, 1)]
OPS = ["set", "add", "subtract", "multiply", "divide", "power", "min", "max"]


@pytest.mark.parametrize("idx", UPDATE_INDICES, ids=lambda i: repr(i)[:50])
def test_at_updates_match_jax(idx):
    x = A[:, :, 0] / 7
    for k, op in enumerate(OPS):
        mode = (None, "clip", "drop")[k % 3]
        kw = {} if mode is None else {"mode": mode}
        both(lambda np_, lax_: getattr(np_.asarray(x).at[idx], op)(1.5, **kw), rtol=1e-6)


def test_at_updates_accumulate_repeated_indices_like_ufunc_at():
    x = np.arange(5.0, dtype=np.float32)
    i = np.array([1, 1, 3, 1])
    v = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    for op, uf in (("add", np.add), ("multiply", np.multiply), ("min", np.minimum),
                   ("max", np.maximum), ("subtract", np.subtract)):
        want = x.copy()
        uf.at(want, i, v)
        same(getattr(jnp.asarray(x).at[i], op)(v), want)
    want = x.copy()
    np.sin.at(want, i)
    same(jnp.asarray(x).at[i].apply(jnp.sin), want)
    same(pyjax.jit(lambda a: a.at[i].apply(lambda t: t * 2))(x), np.array([0, 8, 2, 6, 4], np.float32))


def test_at_dtypes_and_weak_types_match_jax():
    both(lambda np_, lax_: np_.zeros(3).at[1].set(2))
    both(lambda np_, lax_: np_.asarray(2.0).at[()].add(1))           # weak stays weak
    both(lambda np_, lax_: np_.zeros(3, np.int8).at[1].add(300))      # int scalars wrap
    both(lambda np_, lax_: np_.zeros(5, bool).at[np.array([1, 1])].set(True))
    both(lambda np_, lax_: np_.arange(5).at[np.array([1, 1])].add(2))
    both(lambda np_, lax_: np_.zeros((2, 3)).at[None, 1].set(np.ones((1, 3))))
    both(lambda np_, lax_: np_.arange(5.0).at[-1].set(9, wrap_negative_indices=False))
    with pytest.warns(FutureWarning, match="cannot safely cast value from dtype=float32"):
        out = jnp.zeros(3, int).at[1].set(jnp.float32(2.7))
    same(out, np.array([0, 2, 0], np.int32))
    with pytest.raises(ValueError):
        jnp.zeros(6).at[:2].set(jnp.arange(3.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jnp.zeros(3, jnp.int32).at[0].set(5)  # Python ints in range: no warning


def test_at_under_transformations_match_jax():
    i = np.array([2, 2, 0])
    u = np.ones((3, 4), np.float32)
    x = A[:, :, 0]
    both(lambda np_, lax_: _jit(np_)(lambda a, i: a.at[i].add(1.0))(x, i))
    both(lambda np_, lax_: _vmap(np_)(lambda a, j: a.at[j].set(0.0))(x, np.array([[0, 1], [2, 3], [1, 1]])))
    both(lambda np_, lax_: _grad(np_, (0, 1))(lambda a, v: (a.at[i].set(v) ** 2).sum())(x, u))
    both(lambda np_, lax_: _grad(np_, (0, 1))(lambda a, v: (a.at[i].max(v) ** 2).sum())(x, u * 3))
    both(lambda np_, lax_: _grad(np_, (0, 1))(
        lambda a, v: (a.at[np.array([0, 2])].multiply(v, unique_indices=True) ** 2).sum())(x, u[:2] * 3))
    with pytest.raises(NotImplementedError, match="scatter_apply JVP not implemented"):
        pyjax.grad(lambda a: a.at[0].apply(jnp.sin).sum())(x)


# ---------------------------------------------------------------------------
# lax.gather / lax.scatter*

GATHERS = [  # operand shape, indices shape, dimension numbers, slice sizes
    ((6, 5), (3, 1), dict(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0,)), (2, 5)),
    ((4, 5), (3, 2, 2), dict(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(1, 0)), (1, 1)),
    ((3, 4, 5), (3, 2, 1), dict(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,),
                                operand_batching_dims=(0,), start_indices_batching_dims=(0,)), (1, 1, 5)),
    ((2, 3, 4), (4, 3, 1), dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(2,),
                                operand_batching_dims=(1,), start_indices_batching_dims=(1,)), (1, 1, 2)),
]


@pytest.mark.parametrize("case", range(len(GATHERS)))
def test_gather_and_scatters_match_jax(case):
    opshape, ishape, dn, ss = GATHERS[case]
    rng = np.random.RandomState(case)
    op = rng.randn(*opshape).astype(np.float32)
    idx = rng.randint(-3, max(opshape) + 2, size=ishape).astype(np.int32)
    sdn = dict(update_window_dims=dn["offset_dims"], inserted_window_dims=dn["collapsed_slice_dims"],
               scatter_dims_to_operand_dims=dn["start_index_map"],
               operand_batching_dims=dn.get("operand_batching_dims", ()),
               scatter_indices_batching_dims=dn.get("start_indices_batching_dims", ()))
    upd = rng.randn(*np.asarray(sl.gather(op, idx, sl.GatherDimensionNumbers(**dn), ss)).shape)
    upd = upd.astype(np.float32)
    names = ("scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max", "scatter")
    for k, mode in enumerate(("clip", "fill", "promise_in_bounds")):
        both(lambda np_, lax_: lax_.gather(op, idx, lax_.GatherDimensionNumbers(**dn), ss, mode=mode))
        for name in names[k::3]:
            both(lambda np_, lax_: getattr(lax_, name)(
                op, idx, upd, lax_.ScatterDimensionNumbers(**sdn), mode=mode), rtol=1e-6)


def test_lax_gather_errors_and_modes():
    dn = sl.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
    x = jnp.arange(12.0).reshape(3, 4)
    with pytest.raises(ValueError, match="indices must have an integer type"):
        sl.gather(x, jnp.zeros((2, 1)), dn, (1, 4))
    with pytest.raises(TypeError, match="Slice size at index 1 in gather op is out of range"):
        sl.gather(x, jnp.zeros((2, 1), int), dn, (1, 5))
    with pytest.raises(TypeError, match="can only collapse slice dims with bound 1"):
        sl.gather(x, jnp.zeros((2, 1), int), dn, (2, 4))
    with pytest.raises(TypeError, match="same dtypes"):
        sl.scatter_add(x, jnp.zeros((2, 1), int), jnp.zeros((2, 4), int),
                       sl.ScatterDimensionNumbers((1,), (0,), (0,)))
    with pytest.raises(ValueError, match='Unknown gather mode "wrong"'):
        sl.GatherScatterMode.from_any("wrong")
    assert sl.GatherScatterMode.from_any(None) is sl.GatherScatterMode.FILL_OR_DROP
    assert sl.GatherScatterMode.from_any("clip") is sl.GatherScatterMode.CLIP
    jaxpr = str(pyjax.make_jaxpr(lambda v, i: v[i])(x, jnp.array([0, 1])))
    assert "gather[" in jaxpr and "mode=GatherScatterMode.PROMISE_IN_BOUNDS" in jaxpr
    jaxpr = str(pyjax.make_jaxpr(lambda v, i: v.at[i].add(1.0))(x, jnp.array([0, 1])))
    assert "scatter-add[" in jaxpr and "mode=GatherScatterMode.FILL_OR_DROP" in jaxpr


def test_scatter_apply_and_index_take():
    dn = sl.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                    scatter_dims_to_operand_dims=(0,))
    out = sl.scatter_apply(jnp.arange(5), jnp.array([[1], [1], [4]]), lambda v: v * 3, dn,
                           update_shape=(3,))
    same(out, np.array([0, 9, 2, 3, 12], np.int32))
    both(lambda np_, lax_: lax_.index_take(np.arange(12.0).reshape(3, 4),
                                           (np.array([0, 2, -1]), np.array([1, 5, 3])), (0, 1)))


# ---------------------------------------------------------------------------
# jnp functions

X = np.random.RandomState(0).randn(3, 4).astype(np.float32)
XI = np.random.RandomState(1).randint(-3, 3, size=(3, 4)).astype(np.int32)


def test_take():
    idx = np.array([[0, 5], [-1, 2]], np.int32)
    for mode in (None, "fill", "clip", "wrap"):
        for axis in (None, 0, -1):
            both(lambda np_, lax_: np_.take(X, idx, axis=axis, mode=mode))
    both(lambda np_, lax_: np_.take(XI, idx, axis=1, fill_value=7))
    same(jnp.take(X, np.array([0, 2]), axis=1), np.take(X, [0, 2], axis=1))
    with pytest.raises(ValueError, match="Invalid mode 'bad' for np.take"):
        jnp.take(X, idx, mode="bad")
    with pytest.raises(TypeError, match="take requires ndarray or scalar arguments"):
        jnp.take(X, [0, 1])


def test_take_along_axis_and_put_along_axis():
    ii = np.random.RandomState(2).randint(-5, 5, size=(3, 2)).astype(np.int32)
    for mode in (None, "fill", "clip", "promise_in_bounds"):
        both(lambda np_, lax_: np_.take_along_axis(X, ii, axis=1, mode=mode))
    both(lambda np_, lax_: np_.take_along_axis(X, np.array([[1], [2], [0]]), axis=1))
    both(lambda np_, lax_: np_.take_along_axis(X, np.array([[1, 2, 0, 3]]), axis=0))
    both(lambda np_, lax_: np_.take_along_axis(X, np.array([1, 5, -1]), axis=None))
    order = np.argsort(X, axis=1)
    same(jnp.take_along_axis(X, order, axis=1), np.take_along_axis(X, order, axis=1))
    with pytest.raises(TypeError, match="take_along_axis indices must be of integer type"):
        jnp.take_along_axis(X, X, axis=0)
    pi = np.array([[0, 1], [2, 3], [1, 1]], np.int32)
    both(lambda np_, lax_: np_.put_along_axis(X, pi, 9.0, axis=1, inplace=False))
    both(lambda np_, lax_: np_.put_along_axis(X, np.array([1, 30]), np.array([5.0, 6.0]),
                                              axis=None, inplace=False))
    want = X.copy()
    np.put_along_axis(want, pi, 9.0, axis=1)
    same(jnp.put_along_axis(X, pi, 9.0, axis=1, inplace=False), want)
    with pytest.raises(ValueError, match="cannot modify arrays in-place"):
        jnp.put_along_axis(X, pi, 9.0, axis=1)


@pytest.mark.parametrize("a", [XI, XI > 0, np.zeros((0, 3)), np.array([0.0, 1.0, 2.0])],
                         ids=["int", "bool", "empty", "float"])
def test_nonzero_family(a):
    same(jnp.nonzero(a), tuple(i.astype(np.int32) for i in np.nonzero(a)))
    same(jnp.argwhere(a), np.argwhere(a).astype(np.int32))
    same(jnp.flatnonzero(a), np.flatnonzero(a).astype(np.int32))
    both(lambda np_, lax_: np_.nonzero(a, size=5))
    both(lambda np_, lax_: np_.nonzero(a, size=9, fill_value=-1))
    both(lambda np_, lax_: np_.nonzero(a, size=9, fill_value=1.5))
    both(lambda np_, lax_: np_.argwhere(a, size=3, fill_value=2))
    both(lambda np_, lax_: np_.flatnonzero(a, size=7))
    both(lambda np_, lax_: _jit(np_)(lambda v: np_.nonzero(v, size=4, fill_value=-1))(a))


def test_nonzero_errors():
    with pytest.raises(ConcretizationTypeError) as e:
        pyjax.jit(jnp.nonzero)(XI)
    assert "traced array with shape int32[]" in str(e.value)
    assert "The size argument of jnp.nonzero must be statically specified" in str(e.value)
    with pytest.raises(ConcretizationTypeError):
        pyjax.jit(jnp.argwhere)(XI)
    with pytest.raises(ValueError, match="Calling nonzero on 0d arrays is not allowed"):
        jnp.nonzero(3)
    both(lambda np_, lax_: np_.argwhere(3))
    both(lambda np_, lax_: np_.argwhere(0))


def test_compress_and_extract():
    c = np.array([True, False, True])
    for axis in (None, 0, 1):
        same(jnp.compress(c, X, axis=axis), np.compress(c, X, axis=axis))
    both(lambda np_, lax_: np_.compress(c, X, axis=1, size=3, fill_value=-1))
    same(jnp.extract(XI > 0, XI), np.extract(XI > 0, XI))
    both(lambda np_, lax_: np_.extract(XI > 0, XI, size=8, fill_value=-9))
    both(lambda np_, lax_: _jit(np_)(lambda v: np_.extract(v > 0, v, size=5))(XI))
    with pytest.raises(ValueError, match="condition contains entries that are out of bounds"):
        jnp.compress(np.array([1, 0, 0, 0, 1]), X, axis=0)
    with pytest.raises(ValueError, match="condition must be a 1D array"):
        jnp.compress(X > 0, X)


def test_choose_and_piecewise():
    ch = np.array([0, 2, 1, 3], np.int32)
    cs = [np.arange(4.0), np.arange(4.0) * 10, np.ones(4), 7.0]
    same(jnp.choose(ch, cs), np.choose(ch, cs).astype(np.float32))
    for mode in ("wrap", "clip"):
        both(lambda np_, lax_: np_.choose(np.array([0, 5, -1]), [np.arange(3), np.arange(3) + 10],
                                          mode=mode))
    with pytest.raises(ValueError, match="invalid entry in choice array"):
        jnp.choose(np.array([0, 5]), [np.arange(2), np.arange(2)])
    with pytest.raises(ConcretizationTypeError):
        pyjax.jit(lambda i: jnp.choose(i, [np.arange(2), np.arange(2)]))(np.array([0, 1]))
    v = np.linspace(-2, 2, 7, dtype=np.float32)
    same(jnp.piecewise(v, [v < 0, v >= 0], [lambda t: -t, lambda t: t ** 2]),
         np.piecewise(v, [v < 0, v >= 0], [lambda t: -t, lambda t: t ** 2]))
    both(lambda np_, lax_: np_.piecewise(v, [v < -1, v > 1], [0, lambda t: t * 2, 5]))
    both(lambda np_, lax_: np_.piecewise(XI, [XI < 0], [lambda t: t * 3]))
    with pytest.raises(ValueError, match="with 1 condition"):
        jnp.piecewise(v, [v < 0], [1, 2, 3])


def test_place_and_put():
    for vals in (np.array([10, 20], np.int32), 5):
        want = XI.copy()
        np.place(want, XI > 0, vals)
        same(jnp.place(XI, XI > 0, vals, inplace=False), want)
    with pytest.raises(ValueError, match="cannot modify arrays in-place"):
        jnp.place(XI, XI > 0, 1)
    ind = np.array([0, 13, -2])
    for mode in (None, "clip", "wrap"):
        both(lambda np_, lax_: np_.put(XI, ind, np.array([7, 8]), mode=mode, inplace=False))
    want = XI.copy()
    np.put(want, [0, 5], [7, 8])
    same(jnp.put(XI, np.array([0, 5]), np.array([7, 8]), inplace=False), want)
    with pytest.raises(ValueError, match="cannot modify arrays in-place"):
        jnp.put(XI, ind, 1)


def test_unravel_and_ravel_multi_index():
    flat = np.array([0, 5, 11], np.int32)
    same(jnp.unravel_index(flat, (3, 4)),
         tuple(i.astype(np.int32) for i in np.unravel_index(flat, (3, 4))))
    both(lambda np_, lax_: np_.unravel_index(np.array([0, 12, -1, -13]), (3, 4)))
    both(lambda np_, lax_: np_.unravel_index(np.array([3, 40], np.uint8), (3, 4)))
    mi = (np.array([0, 2, 1]), np.array([3, 1, 0]))
    for order in ("C", "F"):
        same(jnp.ravel_multi_index(mi, (3, 4), order=order),
             np.ravel_multi_index(mi, (3, 4), order=order).astype(np.int32))
    for mode in ("wrap", "clip"):
        both(lambda np_, lax_: np_.ravel_multi_index((np.array([5, -1]), np.array([0, 9])), (3, 4),
                                                     mode=mode))
    with pytest.raises(ValueError, match="invalid entry in coordinates array"):
        jnp.ravel_multi_index((np.array([5]), np.array([0])), (3, 4))


def test_index_grids():
    same(jnp.indices((2, 3)), np.indices((2, 3)).astype(np.int32))
    both(lambda np_, lax_: np_.indices((2, 3), sparse=True))
    both(lambda np_, lax_: np_.indices((2, 3), dtype=np.uint8))
    both(lambda np_, lax_: np_.indices(()))
    both(lambda np_, lax_: np_.ix_(np.array([0, 2]), np.array([1, 3, 0])))
    both(lambda np_, lax_: np_.ix_(np.array([], np.int32), np.array([1])))
    with pytest.raises(ValueError, match="must be 1-dimensional"):
        jnp.ix_(np.ones((2, 2), int))
    with pytest.raises(NotImplementedError, match="Boolean arguments"):
        jnp.ix_(np.array([True]))
    same(jnp.asarray(A)[jnp.ix_(np.array([0, 2]), np.array([1, 3]), np.array([4]))],
         A[np.ix_([0, 2], [1, 3], [4])])


def test_triangle_and_diagonal_indices():
    for n, k, m in ((4, 0, None), (4, 1, 5), (3, -1, 5), (4, -2, 2), (3, 5, None), (5, 2, 3)):
        same(jnp.triu_indices(n, k, m), tuple(i.astype(np.int32) for i in np.triu_indices(n, k, m)))
        same(jnp.tril_indices(n, k, m), tuple(i.astype(np.int32) for i in np.tril_indices(n, k, m)))
    same(jnp.triu_indices_from(X, 1), tuple(i.astype(np.int32) for i in np.triu_indices_from(X, 1)))
    same(jnp.tril_indices_from(X, -1), tuple(i.astype(np.int32) for i in np.tril_indices_from(X, -1)))
    with pytest.raises(ValueError, match="Only 2-D inputs are accepted"):
        jnp.triu_indices_from(np.ones(3))
    same(jnp.mask_indices(3, jnp.triu, 1), tuple(i.astype(np.int32) for i in np.mask_indices(3, np.triu, 1)))
    same(jnp.diag_indices(4, 3), tuple(i.astype(np.int32) for i in np.diag_indices(4, 3)))
    same(jnp.diag_indices_from(np.ones((3, 3))),
         tuple(i.astype(np.int32) for i in np.diag_indices_from(np.ones((3, 3)))))
    with pytest.raises(ValueError, match="All dimensions of input must be of equal length"):
        jnp.diag_indices_from(np.ones((3, 2)))
    with pytest.raises(ValueError, match="must be nonnegative"):
        jnp.diag_indices(-1)


def test_fill_diagonal():
    for a, val in ((X, 5.0), (np.zeros((4, 4)), np.array([1.0, 2.0])), (XI, 9), (np.zeros((3, 3, 3)), 1.0)):
        want = np.array(a, copy=True)
        np.fill_diagonal(want, val)
        same(jnp.fill_diagonal(a, val, inplace=False), want.astype(jnp.asarray(a).dtype))
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.fill_diagonal(XI, 9)


# ---------------------------------------------------------------------------
# scalar types


def test_scalar_types_are_callable_like_jax():
    both(lambda np_, lax_: np_.float32(3))
    both(lambda np_, lax_: np_.int32(2.7))
    both(lambda np_, lax_: np_.bool_(np.array([0, 2])))
    both(lambda np_, lax_: np_.bfloat16(1.5))
    both(lambda np_, lax_: np_.uint8([1, 2]))
    same(pyjax.jit(lambda v: jnp.int32(v) + 1)(2.5), np.int32(3))
    x = jnp.ones(3)
    assert jnp.issubdtype(x.dtype, jnp.floating) and jnp.issubdtype(x.dtype, jnp.float32)
    assert not jnp.issubdtype(x.dtype, jnp.int32)
    assert jnp.dtype(jnp.float32) == np.float32 and np.dtype(jnp.bfloat16) == jnp.bfloat16
    assert jnp.float32 == np.float32 and hash(jnp.float32) == hash(np.float32)
    assert {np.float32: 1}[jnp.float32] == 1
    assert isinstance(np.float32(1), jnp.float32) and not isinstance(1.0, jnp.float32)
    assert jnp.zeros(2, jnp.int16).dtype == np.int16 and x.astype(jnp.int8).dtype == np.int8
    assert jnp.finfo(jnp.float32).eps == np.finfo(np.float32).eps
    assert jnp.float_ is jnp.float64 and jnp.int_ is jnp.int64 and jnp.bool is jnp.bool_
    assert repr(jnp.float32) == "<class 'pyjax.numpy.float32'>"


def test_one_argument_where():
    # jnp.where(condition) is nonzero(condition); lax_numpy.where delegates to this helper.
    for kw in ({}, {"size": 6, "fill_value": -1}, {"size": 2}):
        both(lambda np_, lax_: (pyidx.where_one_argument if np_ is jnp else np_.where)(XI > 0, **kw))
    with pytest.raises(ConcretizationTypeError):
        pyjax.jit(pyidx.where_one_argument)(XI)
