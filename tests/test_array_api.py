"""The Python Array API in pyjax.numpy: namespace, metadata, DLPack, unique_*.

Oracles: real JAX 0.10.2 where importable (values, dtypes, weak types, errors) and
`array_api_strict` (the standard's reference namespace) where importable: the same calls on
the same inputs must give the same values (and dtypes, where the standard fixes them).
"""
import contextlib

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.config import config
from pyjax._src.core import Array
from pyjax._src.numpy import array_api


def test_array_api_methods_are_wired():
    x = jnp.arange(3.0)
    assert x.__array_namespace__() is jnp
    assert x.__dlpack_device__() == (array_api.DLDeviceType.kDLCPU, 0)
    np.testing.assert_array_equal(np.from_dlpack(x), [0.0, 1.0, 2.0])
    moved = x.to_device(pyjax.devices()[0])
    assert isinstance(moved, Array) and moved.device == pyjax.devices()[0]
    np.testing.assert_array_equal(moved, x)
    with pytest.raises(Exception):   # a traced array has no buffer to export
        pyjax.jit(lambda t: t.__dlpack__())(x)


def _strict():
    return pytest.importorskip("array_api_strict")


@contextlib.contextmanager
def both_x64(real, enabled):
    """pyjax's and JAX's x64 flags set together, both restored afterwards."""
    old = real.config.jax_enable_x64
    real.config.update("jax_enable_x64", enabled)
    try:
        with config.override(jax_enable_x64=enabled):
            yield
    finally:
        real.config.update("jax_enable_x64", old)


def assert_same(ours, theirs, weak=True):
    """Same values (NaNs equal, signs of zeros too), dtype, shape and weak type."""
    a, b = np.asarray(ours), np.asarray(theirs)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_array_equal(a, b)
    if a.dtype.kind in "fc":
        np.testing.assert_array_equal(np.signbit(a.real), np.signbit(b.real))
    if weak:
        assert ours.weak_type == theirs.weak_type, (ours.weak_type, theirs.weak_type)


# ---------------------------------------------------------------------------
# namespace and metadata


def test_array_namespace():
    x = jnp.arange(3.0)
    assert x.__array_namespace__() is jnp
    assert x.__array_namespace__(api_version="2024.12") is jnp
    assert jnp.__array_api_version__ == "2024.12"
    with pytest.raises(ValueError, match=r"api_version='2023.12' is not available; "
                       r"available versions are: \['2024.12'\]"):
        x.__array_namespace__(api_version="2023.12")
    seen = []
    pyjax.jit(lambda t: seen.append(t.__array_namespace__()) or t)(x)
    assert seen == [jnp]


def test_array_namespace_matches_jax():
    real = pytest.importorskip("jax")
    assert jnp.__array_api_version__ == real.numpy.__array_api_version__
    with pytest.raises(ValueError) as ours:
        jnp.arange(2).__array_namespace__(api_version="2021.12")
    with pytest.raises(ValueError) as theirs:
        real.numpy.arange(2).__array_namespace__(api_version="2021.12")
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("x64", [False, True])
def test_namespace_info_matches_jax(x64):
    real = pytest.importorskip("jax")
    with both_x64(real, x64):
        ours, theirs = jnp.__array_namespace_info__(), real.numpy.__array_namespace_info__()
        assert ours.capabilities() == theirs.capabilities()
        assert ours.default_device() is None and theirs.default_device() is None
        assert ours.default_dtypes() == theirs.default_dtypes()
        assert ours.default_dtypes(device=pyjax.devices()[0]) == theirs.default_dtypes()
        for kind in [None, "bool", "signed integer", "unsigned integer", "integral",
                     "real floating", "complex floating", "numeric",
                     ("bool", "complex floating")]:
            assert ours.dtypes(kind=kind) == theirs.dtypes(kind=kind), kind
        with pytest.raises(KeyError):
            ours.dtypes(kind="floating")
    assert ours.devices() == [None, *pyjax.devices()]
    assert x64 or "float64" not in ours.dtypes()


def test_namespace_info_dtypes_are_the_standards():
    xp = _strict()
    info = xp.__array_namespace_info__()
    with config.override(jax_enable_x64=True):
        ours = jnp.__array_namespace_info__()
        for kind in [None, "integral", "real floating", "complex floating", "numeric"]:
            assert set(ours.dtypes(kind=kind)) == set(info.dtypes(kind=kind)), kind
        assert set(ours.capabilities()) <= set(info.capabilities())


# ---------------------------------------------------------------------------
# existing Array API functions, against array_api_strict and JAX


def _cmp_strict(xp, ours_fn, strict_fn, *arrays):
    ours = ours_fn(*[jnp.asarray(a) for a in arrays])
    theirs = strict_fn(*[xp.asarray(a) for a in arrays])
    a, b = np.asarray(ours), np.from_dlpack(theirs)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-6)


_F = np.array([[1.5, -2.0, 0.0], [3.0, 0.5, -1.0]], np.float32)
_I = np.array([[1, -2, 7], [3, 4, 0]], np.int32)
_U = np.array([1, 2, 255], np.uint8)
_C = np.array([1 + 2j, -3j, 0.5], np.complex64)


def test_functions_against_array_api_strict():
    xp = _strict()
    _cmp_strict(xp, lambda a: jnp.permute_dims(a, (1, 0)), lambda a: xp.permute_dims(a, (1, 0)), _F)
    _cmp_strict(xp, jnp.matrix_transpose, xp.matrix_transpose,
                np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    _cmp_strict(xp, jnp.vecdot, xp.vecdot, _F, _F)
    _cmp_strict(xp, jnp.vecdot, xp.vecdot, _C, _C[::-1].copy())
    _cmp_strict(xp, lambda a, b: jnp.concat([a, b]), lambda a, b: xp.concat([a, b]), _F, _F)
    _cmp_strict(xp, lambda a, b: jnp.concat((a, b), axis=-1),
                lambda a, b: xp.concat((a, b), axis=-1), _I, _I)
    _cmp_strict(xp, lambda a, b: jnp.concat((a, b), axis=None),
                lambda a, b: xp.concat((a, b), axis=None), _I, _I)
    for a in (_I, _U, np.array([True, False])):
        _cmp_strict(xp, jnp.bitwise_invert, xp.bitwise_invert, a)
    _cmp_strict(xp, jnp.pow, xp.pow, _F, _F)
    _cmp_strict(xp, jnp.pow, xp.pow, _I, np.abs(_I) % 3)
    _cmp_strict(xp, lambda a: jnp.pow(a, 2), lambda a: xp.pow(a, 2), _I)
    for dt in ("int32", "uint8", "bool", "complex64"):
        _cmp_strict(xp, lambda a: jnp.astype(a, getattr(jnp, dt if dt != "bool" else "bool_")),
                    lambda a: xp.astype(a, getattr(xp, dt)), np.abs(_F))
    x = jnp.asarray(_F)
    s = xp.asarray(_F)
    assert (jnp.size(x), jnp.ndim(x), jnp.shape(x)) == (s.size, s.ndim, s.shape)
    for kind in ["bool", "signed integer", "unsigned integer", "integral", "real floating",
                 "complex floating", "numeric", ("bool", "integral")]:
        for name in ["bool", "int8", "int64", "uint16", "float32", "float64", "complex64"]:
            ours = jnp.isdtype(np.dtype(name), kind)
            assert ours == xp.isdtype(getattr(xp, name), kind), (name, kind)


def test_functions_against_jax():
    real = pytest.importorskip("jax")
    rj = real.numpy
    cases = [
        (lambda m: m.permute_dims(m.asarray(_F), (1, 0)),),
        (lambda m: m.matrix_transpose(m.asarray(_I).reshape(1, 2, 3)),),
        (lambda m: m.vecdot(m.asarray(_I), m.asarray(_F)),),
        (lambda m: m.vecdot(m.asarray(_F), m.asarray(_F)[:, :1], axis=0),),
        (lambda m: m.concat((m.asarray(_F), m.asarray(_I)), axis=None),),
        (lambda m: m.bitwise_invert(m.asarray(_U)),),
        (lambda m: m.pow(m.asarray(_I), 2.5),),
        (lambda m: m.pow(2, m.asarray(_U)),),
        (lambda m: m.astype(m.asarray(_F), m.int8),),
        (lambda m: m.astype(3.0, m.float32),),
    ]
    for (f,) in cases:
        assert_same(f(jnp), f(rj))
    assert jnp.isdtype(ml_dtypes.bfloat16, "real floating") == rj.isdtype(ml_dtypes.bfloat16,
                                                                          "real floating")


def test_creation_functions_accept_device_and_copy():
    dev = pyjax.devices()[0]
    x = jnp.arange(3.0)
    made = [jnp.zeros(2, device=dev), jnp.ones(2, device=dev), jnp.empty(2, device=dev),
            jnp.full(2, 1.0, device=dev), jnp.arange(2, device=dev),
            jnp.linspace(0, 1, 2, device=dev), jnp.eye(2, device=dev),
            jnp.zeros_like(x, device=dev), jnp.ones_like(x, device=dev),
            jnp.empty_like(x, device=dev), jnp.full_like(x, 2, device=dev),
            jnp.asarray([1, 2], device=dev, copy=True), jnp.array([1, 2], device=dev),
            jnp.asarray(np.ones(2), copy=False), jnp.astype(x, jnp.int32, copy=True, device=dev)]
    for a in made:
        assert a.device == dev
    moved = x.to_device(dev)
    np.testing.assert_array_equal(moved, x)
    with pytest.raises(NotImplementedError, match="stream"):
        x.to_device(dev, stream=1)


# ---------------------------------------------------------------------------
# unique_all / unique_counts / unique_inverse / unique_values

_UNIQUE_INPUTS = [
    np.array([3.0, 1.0, np.nan, 1.0, -0.0, 0.0, np.nan, 2.0], np.float32),
    np.array([[2, 1, 2], [-1, 5, 1]], np.int8),
    np.array([True, False, True]),
    np.array([1 + np.nan * 1j, 1, np.nan, 2j, 1], np.complex64),
    np.array([7], np.uint32),
    np.zeros((0, 3), np.float32),
]
_SIZES = [(None, None), (0, None), (2, None), (9, None), (9, 4), (2, 4.5)]


def _unique_calls(m, x, size, fill):
    kw = {} if size is None else {"size": size, "fill_value": fill}
    return [m.unique_all(x, **kw), m.unique_counts(x, **kw), m.unique_inverse(x, **kw),
            (m.unique_values(x, **kw),)]


@pytest.mark.parametrize("x", _UNIQUE_INPUTS, ids=lambda x: f"{x.dtype}{list(x.shape)}")
def test_unique_matches_jax(x):
    real = pytest.importorskip("jax")
    for size, fill in _SIZES:
        if x.size == 0 and size and fill is None:
            continue
        ours = _unique_calls(jnp, jnp.asarray(x), size, fill)
        theirs = _unique_calls(real.numpy, real.numpy.asarray(x), size, fill)
        for o, t in zip(ours, theirs):
            assert type(o).__name__ == type(t).__name__
            assert getattr(o, "_fields", None) == getattr(t, "_fields", None)
            for a, b in zip(o, t):
                assert_same(a, b)


def test_unique_python_scalar_and_x64():
    real = pytest.importorskip("jax")
    for size, fill in [(None, None), (3, None), (3, 2)]:
        for o, t in zip(_unique_calls(jnp, 2.5, size, fill),
                        _unique_calls(real.numpy, 2.5, size, fill)):
            for a, b in zip(o, t):
                assert_same(a, b)
    with both_x64(real, True):
        x = np.array([5, 1, 5, 3], np.int16)
        for size in (None, 6):
            for o, t in zip(_unique_calls(jnp, jnp.asarray(x), size, None),
                            _unique_calls(real.numpy, real.numpy.asarray(x), size, None)):
                for a, b in zip(o, t):
                    assert_same(a, b)


def test_unique_against_array_api_strict():
    xp = _strict()
    for x in [np.array([3.0, 1.0, np.nan, 1.0, -0.0, 2.0, np.nan], np.float32),
              np.array([[4, 1, 4], [1, 0, 9]], np.int32), np.array([5.0], np.float32)]:
        ours, theirs = jnp.unique_all(jnp.asarray(x)), xp.unique_all(xp.asarray(x))
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(np.asarray(a), np.from_dlpack(b))
        assert np.asarray(ours.values).dtype == np.from_dlpack(theirs.values).dtype
        c_ours, c_theirs = jnp.unique_counts(jnp.asarray(x)), xp.unique_counts(xp.asarray(x))
        np.testing.assert_array_equal(np.asarray(c_ours.counts), np.from_dlpack(c_theirs.counts))
        i_ours, i_theirs = jnp.unique_inverse(jnp.asarray(x)), xp.unique_inverse(xp.asarray(x))
        np.testing.assert_array_equal(np.asarray(i_ours.inverse_indices),
                                      np.from_dlpack(i_theirs.inverse_indices))
        np.testing.assert_array_equal(np.asarray(jnp.unique_values(jnp.asarray(x))),
                                      np.from_dlpack(xp.unique_values(xp.asarray(x))))


def test_unique_values_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(4, 5)).astype(np.float32)
    r = jnp.unique_all(jnp.asarray(x))
    v, i, inv, c = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for a, b in zip(r, (v, i, inv.reshape(x.shape), c)):
        np.testing.assert_array_equal(np.asarray(a), b)


def test_unique_transformations():
    x = jnp.array([[3.0, 1.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0]])
    f = lambda v: tuple(jnp.unique_all(v, size=3, fill_value=-1.0))
    eager = [f(row) for row in x]
    jitted = pyjax.jit(f)(x[0])
    for a, b in zip(jitted, eager[0]):
        assert_same(a, b)
    batched = pyjax.vmap(f)(x)
    for k in range(4):
        for j in range(2):
            np.testing.assert_array_equal(np.asarray(batched[k][j]), np.asarray(eager[j][k]))
    # gradients flow through the values when size is static, and not without it (as JAX)
    g = pyjax.grad(lambda v: jnp.unique_values(v, size=4).sum())(jnp.array([1.0, 2.0, 1.0]))
    np.testing.assert_array_equal(np.asarray(g), [3.0, 1.0, 0.0])
    g0 = pyjax.grad(lambda v: jnp.unique_values(v).sum())(jnp.array([1.0, 2.0, 1.0]))
    np.testing.assert_array_equal(np.asarray(g0), [0.0, 0.0, 0.0])


def test_unique_grad_matches_jax():
    real = pytest.importorskip("jax")
    x = np.array([2.0, -1.0, 2.0, 0.5], np.float32)
    f = lambda m: (lambda v: (m.unique_values(v, size=5) * m.arange(5.0)).sum())
    np.testing.assert_array_equal(np.asarray(pyjax.grad(f(jnp))(jnp.asarray(x))),
                                  np.asarray(real.grad(f(real.numpy))(x)))


def test_unique_errors():
    with pytest.raises(pyjax.errors.ConcretizationTypeError, match="size argument"):
        pyjax.jit(jnp.unique_values)(jnp.arange(3))
    with pytest.raises(pyjax.errors.ConcretizationTypeError):
        pyjax.vmap(jnp.unique_counts)(jnp.zeros((2, 3)))
    with pytest.raises(TypeError, match="unique_all requires ndarray or scalar arguments"):
        jnp.unique_all([1, 2])
    with pytest.raises(ValueError, match="for zero-sized input with nonzero size argument, "
                       "fill_value must be specified"):
        jnp.unique_values(jnp.zeros(0), size=2)
    assert jnp.unique_values(jnp.zeros(0), size=0).shape == (0,)


# ---------------------------------------------------------------------------
# DLPack


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint32, np.float32, np.complex64])
def test_numpy_from_pyjax(dtype):
    x = jnp.asarray(np.array([[1, 0, 3], [4, 5, 0]]).astype(dtype))
    y = np.from_dlpack(x)
    assert y.dtype == dtype and y.shape == (2, 3)
    np.testing.assert_array_equal(y, np.asarray(x))
    assert not y.flags.writeable  # pyjax buffers are immutable; the capsule says so
    z = np.from_dlpack(x, copy=True)
    assert z.flags.writeable
    z[0, 0] = 9
    assert np.asarray(x)[0, 0] == np.asarray(dtype(1))


def test_pyjax_from_numpy():
    a = np.arange(6.0).reshape(2, 3)
    x = jnp.from_dlpack(a)
    assert x.dtype == np.float32 and not x.weak_type
    np.testing.assert_array_equal(x, a)
    with config.override(jax_enable_x64=True):
        y = jnp.from_dlpack(a)
        assert y.dtype == np.float64
    assert jnp.from_dlpack(np.array([1, 2], np.int64)).dtype == np.int32
    assert jnp.from_dlpack(np.array(True)).dtype == np.bool_
    t = jnp.from_dlpack(a.T)  # a non-contiguous layout
    np.testing.assert_array_equal(t, a.T)
    b = np.arange(4, dtype=np.float32)
    c = jnp.from_dlpack(b, copy=True)
    b[0] = 7.0
    assert float(c[0]) == 0.0
    ro = np.arange(3.0, dtype=np.float32)
    ro.flags.writeable = False
    np.testing.assert_array_equal(jnp.from_dlpack(ro), ro)
    np.testing.assert_array_equal(jnp.from_dlpack(ro, device=pyjax.devices()[0]), ro)
    # pyjax to pyjax, also for dtypes DLPack lacks
    h = jnp.array([1.5, 2.0], dtype=jnp.bfloat16)
    assert_same(jnp.from_dlpack(h), jnp.array([1.5, 2.0], dtype=jnp.bfloat16))
    assert_same(jnp.from_dlpack(jnp.asarray(2.0)), jnp.array(2.0, dtype=jnp.float32))


def test_dlpack_with_array_api_strict():
    xp = _strict()
    s = xp.asarray(np.array([1.0, -2.0], np.float32))
    x = jnp.from_dlpack(s)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, [1.0, -2.0])
    back = xp.from_dlpack(jnp.arange(3, dtype=jnp.int16))
    assert back.dtype == xp.int16
    np.testing.assert_array_equal(np.from_dlpack(back), [0, 1, 2])


def test_dlpack_with_jax():
    real = pytest.importorskip("jax")
    x = jnp.asarray(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    theirs = real.numpy.from_dlpack(x)  # JAX asks for a pre-1.0 capsule: pyjax copies
    np.testing.assert_array_equal(np.asarray(theirs), np.asarray(x))
    assert theirs.dtype == x.dtype
    ours = jnp.from_dlpack(real.numpy.arange(4, dtype=real.numpy.int8))
    assert_same(ours, jnp.arange(4, dtype=jnp.int8))
    assert x.__dlpack_device__() == real.numpy.arange(1).__dlpack_device__()
    for a in [np.arange(3.0), np.array([1, 2], np.uint8), np.zeros((2, 0))]:
        assert_same(jnp.from_dlpack(a), real.numpy.from_dlpack(a))


def test_dlpack_errors():
    x = jnp.arange(3.0)
    assert x.__dlpack_device__() == (array_api.DLDeviceType.kDLCPU, 0)
    assert isinstance(x.__dlpack_device__()[0], array_api.DLDeviceType)
    with pytest.raises(BufferError, match=r"version below \(0, 5\)"):
        x.__dlpack__(max_version=(0, 4))
    with pytest.raises(BufferError, match="unsupported device type"):
        x.__dlpack__(dl_device=(7, 0))
    with pytest.raises(BufferError, match="copy=False"):
        x.__dlpack__(copy=False)  # a pre-1.0 capsule cannot say read-only
    assert x.__dlpack__(max_version=(1, 0), copy=False) is not None
    with pytest.raises(BufferError):
        np.from_dlpack(jnp.array([1.0], dtype=jnp.bfloat16))
    with pytest.raises(TypeError, match="must have __dlpack__ and __dlpack_device__ methods"):
        jnp.from_dlpack([1, 2])
    with pytest.raises(TypeError, match="must have __dlpack__ and __dlpack_device__ methods"):
        jnp.from_dlpack(np.float32(1.0))

    def under_jit(t):
        with pytest.raises(pyjax.errors.ConcretizationTypeError, match="__dlpack__"):
            t.__dlpack__()
        return t
    pyjax.jit(under_jit)(x)
