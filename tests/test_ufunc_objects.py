"""Tests of jnp.ufunc objects (pyjax/_src/numpy/ufunc_objects.py): the built-in ufuncs'
attributes and methods (reduce, accumulate, outer, at, reduceat) and jnp.frompyfunc,
against NumPy and, where installed, real JAX (values, dtypes, weak types, errors)."""
import operator
import pickle
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.core import get_aval

BUILTINS = {  # name: (nin, identity) as in JAX 0.10.2
    "add": (2, 0), "subtract": (2, None), "multiply": (2, 1), "maximum": (2, None),
    "minimum": (2, None), "bitwise_and": (2, -1), "bitwise_or": (2, 0), "bitwise_xor": (2, 0),
    "logical_and": (2, True), "logical_or": (2, False), "logical_xor": (2, False),
    "logaddexp": (2, -np.inf), "logaddexp2": (2, -np.inf), "negative": (1, None),
}

X = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
XF = np.array([[1., -2, 3], [4, 0.5, 6]], np.float32)


def _real():
    return pytest.importorskip("jax")


def _leaves(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def check_jax(fn, rtol=1e-5, atol=1e-6):
    """fn(jnp-module) with pyjax and real JAX: equal values, dtypes and weak types; if JAX
    raises, pyjax raises the same exception type."""
    real = _real()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = fn(real.numpy)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            fn(jnp)
        return None
    actual = fn(jnp)
    for a, e in zip(_leaves(actual), _leaves(expected)):
        assert isinstance(a, pyjax.Array), type(a)
        a_, e_ = np.asarray(a), np.asarray(e)
        assert a_.shape == e_.shape, (a_.shape, e_.shape)
        assert a_.dtype == e_.dtype, (a_.dtype, e_.dtype)
        assert get_aval(a).weak_type == e.weak_type, (get_aval(a).weak_type, e.weak_type)
        np.testing.assert_allclose(a_, e_, rtol=rtol, atol=atol, equal_nan=True)
    return actual


def test_builtin_ufunc_attributes():
    for name, (nin, identity) in BUILTINS.items():
        u = getattr(jnp, name)
        assert isinstance(u, jnp.ufunc), name
        assert u.__name__ == name
        assert (u.nin, u.nout, u.nargs) == (nin, 1, nin)
        assert u.identity == identity or (np.isinf(identity) and u.identity == identity)
        assert repr(u) == f"<jnp.ufunc '{name}'>"
        assert hash(u) == hash(u) and u == getattr(jnp, name)
    assert jnp.add != jnp.multiply
    assert not isinstance(jnp.sin, jnp.ufunc)  # as in JAX: only these 14 are ufuncs
    with pytest.raises(AttributeError):
        jnp.add.nin = 3
    assert pickle.loads(pickle.dumps(jnp.add)) is jnp.add
    # usable as a static argument
    f = pyjax.jit(lambda op, x: op(x, x), static_argnums=0)
    np.testing.assert_array_equal(f(jnp.multiply, X), X * X)


def test_builtin_call_is_the_plain_function():
    from pyjax._src.numpy import ufuncs
    for name in BUILTINS:
        assert type(getattr(jnp, name)).__call__ is getattr(ufuncs, name), name
    check_jax(lambda m: m.add(X, 1.5))
    check_jax(lambda m: m.logical_xor(X, 0))
    check_jax(lambda m: m.negative(2))
    with pytest.raises(TypeError):
        jnp.add(X, X, X)
    with pytest.raises(TypeError):
        jnp.add([1, 2], X)


@pytest.mark.parametrize("name", [n for n, (nin, _) in BUILTINS.items() if nin == 2])
def test_reduce(name):
    arrays = [X, XF] if "bitwise" not in name else [X]
    if name.startswith("logical"):
        arrays = [X > 2, X, XF]
    where = np.array([True, False, True])
    for a in arrays:
        check_jax(lambda m: getattr(m, name).reduce(a))
        check_jax(lambda m: getattr(m, name).reduce(a, axis=1, keepdims=True))
        check_jax(lambda m: getattr(m, name).reduce(a, axis=None))
        init = 1. if name.startswith("logaddexp") else 1  # JAX asserts on an int initial
        check_jax(lambda m: getattr(m, name).reduce(a, axis=None, where=where, initial=init))
        check_jax(lambda m: getattr(m, name).reduce(a, axis=(0, 1), where=where))
        if name not in ("maximum", "minimum"):  # JAX's jit rejects their dtype argument
            check_jax(lambda m: getattr(m, name).reduce(a, axis=-1, dtype=np.float32))
    ref = getattr(np, name)
    if name not in ("logaddexp", "logaddexp2"):
        a = arrays[0]
        np.testing.assert_allclose(getattr(jnp, name).reduce(a, axis=1), ref.reduce(a, axis=1))


def test_reduce_errors_and_empty():
    check_jax(lambda m: m.maximum.reduce(np.zeros((0, 3))))
    check_jax(lambda m: m.add.reduce(np.zeros((0, 3))))
    check_jax(lambda m: m.logaddexp.reduce(np.zeros((0,), np.float32)))
    with pytest.raises(ValueError, match="does not have an identity"):
        jnp.minimum.reduce(X, where=X > 1)
    with pytest.raises(ValueError, match="where argument must have dtype=bool"):
        jnp.add.reduce(X, where=X)
    with pytest.raises(ValueError, match="reduce only supported for binary ufuncs"):
        jnp.negative.reduce(X)
    with pytest.raises(NotImplementedError, match="out argument"):
        jnp.add.reduce(X, out=X)
    with pytest.raises(ValueError, match="integer argument required"):
        jnp.bitwise_or.reduce(XF)


def test_logaddexp_reduce():
    a = np.array([[1., -np.inf, 3.], [np.inf, 1, 2]], np.float32)
    check_jax(lambda m: m.logaddexp.reduce(a, axis=1))
    check_jax(lambda m: m.logaddexp.reduce(a[0], initial=2.))
    check_jax(lambda m: m.logaddexp2.reduce(a, axis=1, where=np.array([True, True, False])))
    check_jax(lambda m: m.logaddexp.reduce(np.array([1 + 1j, 2 - 1j], np.complex64)))
    np.testing.assert_allclose(jnp.logaddexp.reduce(XF, axis=None),
                               np.log(np.exp(XF.astype(np.float64)).sum()), rtol=1e-6)
    real = _real()
    g = pyjax.grad(lambda v: jnp.logaddexp.reduce(v))(XF[0])
    np.testing.assert_allclose(g, real.grad(lambda v: real.numpy.logaddexp.reduce(v))(XF[0]),
                               rtol=1e-6)


@pytest.mark.parametrize("name", ["add", "multiply", "subtract", "maximum", "bitwise_xor",
                                  "logical_or", "logaddexp"])
def test_accumulate(name):
    a = XF if name.startswith("logaddexp") else X
    check_jax(lambda m: getattr(m, name).accumulate(a))
    check_jax(lambda m: getattr(m, name).accumulate(a, axis=1))
    check_jax(lambda m: getattr(m, name).accumulate(a, axis=-1, dtype=np.float32))
    check_jax(lambda m: getattr(m, name).accumulate(np.zeros((0,), a.dtype)))
    if hasattr(np, name) and name != "logaddexp":
        np.testing.assert_array_equal(getattr(jnp, name).accumulate(a, axis=1),
                                      getattr(np, name).accumulate(a, axis=1))
    if name in ("add", "multiply"):  # cumsum / cumprod: axis=None flattens
        check_jax(lambda m: getattr(m, name).accumulate(a, axis=None))
    else:
        with pytest.raises(ValueError, match="multiple axes"):
            getattr(jnp, name).accumulate(a, axis=None)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "minimum", "bitwise_and",
                                  "logical_xor", "logaddexp2"])
def test_outer(name):
    a = XF if name.startswith("logaddexp") else X
    check_jax(lambda m: getattr(m, name).outer(a[0], a[1]))
    check_jax(lambda m: getattr(m, name).outer(a, a[1]))
    check_jax(lambda m: getattr(m, name).outer(2, a[0]))
    if name != "logaddexp2":
        np.testing.assert_array_equal(getattr(jnp, name).outer(a, a[1]),
                                      getattr(np, name).outer(a, a[1]))
    with pytest.raises(ValueError, match="outer only supported for binary ufuncs"):
        jnp.negative.outer(a, a)


@pytest.fixture(params=["lax", "fallback"])
def gather_scatter(request, monkeypatch):
    """Run with pyjax's gather/scatter (Array.at, jnp.take), and with the fallbacks
    written in selects and scans (used where pyjax has no gather/scatter)."""
    if request.param == "fallback":
        from pyjax._src.numpy import ufunc_objects
        monkeypatch.setattr(ufunc_objects, "_array_at", lambda: None)
        monkeypatch.setattr(ufunc_objects, "_lax_take", lambda: None)
    return request.param


def test_at_scatter_ufuncs(gather_scatter):
    x = X.ravel()
    idx = np.array([0, 1, 0, 5, 5, 5])
    for name in ("add", "multiply", "subtract"):
        ref = x.copy()
        getattr(np, name).at(ref, idx, 2)
        np.testing.assert_array_equal(getattr(jnp, name).at(x, idx, 2, inplace=False), ref)
        check_jax(lambda m: getattr(m, name).at(x, idx, 2, inplace=False))
        check_jax(lambda m: getattr(m, name).at(x, idx, 1.5, inplace=False))
        check_jax(lambda m: getattr(m, name).at(X, np.array([1, 1, 0]), np.array([7, 8, 9]),
                                                inplace=False))
        check_jax(lambda m: getattr(m, name).at(X, (1, np.array([0, 2, 0])), 5, inplace=False))
        check_jax(lambda m: getattr(m, name).at(x, np.array([0, 10, -1, -7]), 7, inplace=False))
    check_jax(lambda m: m.add.at(X > 3, np.array([0, 1]), True, inplace=False))
    check_jax(lambda m: m.multiply.at(X > 3, np.array([1, 1]), 0, inplace=False))
    # NumPy's broadcasting of the values against a[indices], slices included
    x3 = np.arange(24.).reshape(2, 3, 4).astype(np.float32)
    cases = [((0, slice(None), np.array([3, 3])), np.arange(6.).reshape(2, 3)),
             ((Ellipsis, np.array([0, 0])), 1.),
             ((slice(None, None, -1), 1, slice(1, None, 2)), np.array([5., 6.])),
             ((np.array([[1], [0]]), np.array([0, 2, 2])), 2.),
             ((np.array([1, 0, 1]), slice(None), np.array([3, 3, 0])), np.ones((3, 3)))]
    for idx, b in cases:
        for name in ("add", "multiply", "subtract"):
            ref = x3.copy()
            getattr(np, name).at(ref, idx, b)
            np.testing.assert_array_equal(getattr(jnp, name).at(x3, idx, b, inplace=False), ref)


def test_at_generic_ufuncs():
    x = X.ravel()
    for name in ("maximum", "minimum", "bitwise_or", "logical_and", "logaddexp"):
        check_jax(lambda m: getattr(m, name).at(x, np.array([0, 3, 3]), 4, inplace=False))
        check_jax(lambda m: getattr(m, name).at(X, (1, np.array([0, 2])), np.array([7, 0]),
                                                inplace=False))
    check_jax(lambda m: m.maximum.at(X, 0, 2.5, inplace=False))
    check_jax(lambda m: m.maximum.at(x, np.array([0, 10, -1, -7]), 7, inplace=False))
    check_jax(lambda m: m.negative.at(X, np.array([0, 0]), inplace=False))
    check_jax(lambda m: m.negative.at(X, (), inplace=False))
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.add.at(X, 0, 1)
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.maximum.at(X, 0, 1)


def test_at_transforms(gather_scatter):
    real = _real()
    rj = real.numpy
    def f(m):
        return lambda v: m.add.at(v, np.array([0, 0, 2]), v[1] * 2, inplace=False).sum()
    np.testing.assert_allclose(pyjax.grad(f(jnp))(np.arange(1, 5.)),
                               real.grad(f(rj))(np.arange(1, 5.)))
    g = lambda m: lambda v: m.maximum.at(v, np.array([0, 3]), 2.5, inplace=False)  # noqa: E731
    a = np.arange(8.).reshape(2, 4).astype(np.float32)
    np.testing.assert_array_equal(pyjax.vmap(g(jnp))(a), real.vmap(g(rj))(a))
    np.testing.assert_array_equal(pyjax.jit(g(jnp))(a[1]), g(rj)(a[1]))
    idx = np.array([3, 1, 3])
    h = lambda i: jnp.add.at(jnp.zeros(4), i, 1., inplace=False)  # noqa: E731
    np.testing.assert_array_equal(pyjax.jit(h)(idx), [0., 1., 0., 2.])


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "bitwise_or", "logical_and",
                                  "logical_xor"])
def test_reduceat(name, gather_scatter):
    check_jax(lambda m: getattr(m, name).reduceat(X, np.array([0, 2]), axis=1))
    check_jax(lambda m: getattr(m, name).reduceat(X, np.array([1, 0]), axis=0))
    check_jax(lambda m: getattr(m, name).reduceat(X.ravel(), np.array([0, 3, 1, 5])))
    if name in ("add", "multiply", "maximum"):
        ref = getattr(np, name).reduceat(X.ravel(), [0, 3, 1, 5])
        np.testing.assert_array_equal(
            getattr(jnp, name).reduceat(X.ravel(), np.array([0, 3, 1, 5])), ref)
    with pytest.raises(ValueError, match="one-dimensional"):
        getattr(jnp, name).reduceat(X, np.array([[0]]))
    with pytest.raises(ValueError, match="single integer axis"):
        getattr(jnp, name).reduceat(X, np.array([0]), axis=None)


def test_frompyfunc():
    def make(m):
        return m.frompyfunc(lambda a, b: a * 2 + b, 2, 1, identity=0)
    u = make(jnp)
    assert isinstance(u, jnp.ufunc) and (u.nin, u.nout, u.identity) == (2, 1, 0)
    assert repr(u) == "<jnp.ufunc '<lambda>'>"
    check_jax(lambda m: make(m)(X, 3))
    check_jax(lambda m: make(m)(2, 3))
    check_jax(lambda m: make(m)(np.zeros((0, 2)), 1.))
    check_jax(lambda m: make(m).reduce(X, axis=1))
    check_jax(lambda m: make(m).reduce(XF, axis=None, keepdims=True))
    check_jax(lambda m: make(m).reduce(X, where=np.array([True, False, True])))
    check_jax(lambda m: make(m).accumulate(X, axis=0))
    check_jax(lambda m: make(m).outer(X[0], X[1]))
    check_jax(lambda m: make(m).at(X, (0, 1), 7, inplace=False))
    check_jax(lambda m: make(m).at(X.ravel(), np.array([1, 1, 4]), np.array([1, 2, 3]),
                                   inplace=False))
    check_jax(lambda m: make(m).reduceat(X.ravel(), np.array([0, 2, 3])))
    with pytest.raises(NotImplementedError, match="out argument"):
        u(X, X, out=X)
    with pytest.raises(NotImplementedError, match="where argument"):
        u(X, X, where=X > 2)
    with pytest.raises(TypeError, match="requires ndarray or scalar arguments"):
        u([1], X)
    # a two-output ufunc
    dm = jnp.frompyfunc(lambda a, b: (a // b, a % b), 2, 2)
    q, r = dm(X, 4)
    np.testing.assert_array_equal(q, X // 4)
    np.testing.assert_array_equal(r, X % 4)
    with pytest.raises(ValueError, match="single value"):
        dm.reduce(X)
    # usable under transformations
    real = _real()
    g = pyjax.grad(lambda v: make(jnp).accumulate(v).sum())(np.arange(3.))
    np.testing.assert_allclose(g, real.grad(lambda v: make(real.numpy).accumulate(v).sum())(
        np.arange(3.)))
    out = pyjax.vmap(lambda v: make(jnp).reduce(v))(np.arange(6.).reshape(2, 3))
    np.testing.assert_allclose(out, [4., 25.])
    hyp = jnp.frompyfunc(jnp.hypot, 2, 1)
    np.testing.assert_allclose(hyp.outer(np.array([3., 5.]), np.array([4., 12.])),
                               np.hypot.outer([3., 5.], [4., 12.]))
    assert jnp.frompyfunc(operator.add, 2, 1) == jnp.frompyfunc(operator.add, 2, 1)


def test_call_speed_is_unchanged():
    # jnp.add's class calls the plain function directly: no wrapper frame per call.
    import inspect
    from pyjax._src.numpy import ufuncs
    call = inspect.getattr_static(type(jnp.add), "__call__")
    assert isinstance(call, staticmethod) and call.__func__ is ufuncs.add
