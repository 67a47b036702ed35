"""pyjax.nn and pyjax.nn.initializers: known values, transformations, and (where the real
jax is installed) oracle comparisons of values, gradients, dtypes, weak types and bits."""
import contextlib
import math
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.nn
import pyjax.nn.initializers
import pyjax.numpy as jnp
from pyjax._src.config import config

nn = pyjax.nn
init = pyjax.nn.initializers


@pytest.fixture(scope="module")
def jax():
    return pytest.importorskip("jax")


def _np(x):
    return np.asarray(x)


_TINY = float(np.finfo(np.float32).tiny)


def _close(a, b, rtol=1e-6, atol=_TINY):
    """Equal dtypes and shapes, values within tolerance (nan where nan, equal infinities).

    The default atol forgives float32 denormals: XLA:CPU flushes them to zero."""
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol)


def _bits_equal(a, b):
    a, b = np.ascontiguousarray(_np(a)), np.ascontiguousarray(_np(b))
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), np.max(
        np.abs(a.astype(np.float64) - b.astype(np.float64)))


def _jax_jit(jax, fn):
    """`fn(module, x)` for the real jax, jitted: one XLA compile for a whole test's worth of
    cases instead of one per operation and shape, which is most of these tests' time."""
    return jax.jit(lambda *xs: fn(jax, *xs))


@contextlib.contextmanager
def _both_flags(jax, **flags):
    """Set the same flags in pyjax and in the real jax."""
    old = {k: getattr(jax.config, k) for k in flags}
    for k, v in flags.items():
        jax.config.update(k, v)
    try:
        with config.override(**flags):
            yield
    finally:
        for k, v in old.items():
            jax.config.update(k, v)


_RNG = np.random.RandomState(0)
_SPECIAL = np.array([0., -0., 1., -1., 6., -3., 3., 0.5, 30., -30., 100., -100., 1e-20,
                     np.inf, -np.inf, np.nan], np.float32)
_X = np.concatenate([_RNG.standard_normal(64).astype(np.float32) * 4, _SPECIAL])

# name -> (rtol, atol) of pyjax (NumPy transcendental functions) against XLA's f32 ones.
# atol covers XLA's tanh saturating to +-1 sooner than NumPy's (gelu, mish).
_ACTIVATIONS = {
    "relu": (0, 0), "relu6": (0, 0), "sigmoid": (1e-6, 0), "softplus": (1e-6, 0),
    "sparse_plus": (0, 0), "soft_sign": (0, 0), "silu": (1e-6, 0), "swish": (1e-6, 0),
    "mish": (1e-6, 1e-6), "log_sigmoid": (1e-6, 0), "elu": (1e-6, 0), "celu": (1e-6, 0),
    "selu": (1e-6, 0), "leaky_relu": (0, 0), "hard_tanh": (0, 0), "hard_sigmoid": (1e-6, 0),
    "hard_silu": (1e-6, 0), "hard_swish": (1e-6, 0), "squareplus": (1e-6, 0),
    "gelu": (1e-6, 1e-6), "identity": (0, 0), "sparse_sigmoid": (0, 0), "tanh": (1e-6, 1e-6),
}


# ---------------------------------------------------------------------------
# activations: known values (no oracle needed)


def test_activation_known_values():
    x = jnp.array([-2., -1., -0.5, 0., 0.5, 1., 2., 7.])
    np.testing.assert_array_equal(nn.relu(x), [0, 0, 0, 0, .5, 1, 2, 7])
    np.testing.assert_array_equal(nn.relu6(x), [0, 0, 0, 0, .5, 1, 2, 6])
    np.testing.assert_array_equal(nn.hard_tanh(x), [-1, -1, -.5, 0, .5, 1, 1, 1])
    np.testing.assert_allclose(nn.leaky_relu(x), [-.02, -.01, -.005, 0, .5, 1, 2, 7], rtol=1e-6)
    np.testing.assert_allclose(nn.leaky_relu(x, 0.5), [-1, -.5, -.25, 0, .5, 1, 2, 7])
    np.testing.assert_array_equal(nn.sparse_plus(x), [0, 0, .0625, .25, .5625, 1, 2, 7])
    np.testing.assert_array_equal(nn.sparse_sigmoid(x), [0, 0, .25, .5, .75, 1, 1, 1])
    np.testing.assert_allclose(nn.soft_sign(x), _np(x) / (np.abs(_np(x)) + 1), rtol=1e-7)
    np.testing.assert_allclose(nn.hard_sigmoid(x), np.clip(_np(x) + 3, 0, 6) / 6, rtol=1e-6)
    xs = _np(x).astype(np.float64)
    sig = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(nn.sigmoid(x), sig, rtol=1e-6)
    np.testing.assert_allclose(nn.silu(x), xs * sig, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(nn.softplus(x), np.log1p(np.exp(xs)), rtol=1e-6)
    np.testing.assert_allclose(nn.log_sigmoid(x), np.log(sig), rtol=1e-6)
    np.testing.assert_allclose(nn.mish(x), xs * np.tanh(np.log1p(np.exp(xs))), rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(nn.elu(x), np.where(xs > 0, xs, np.expm1(xs)), rtol=1e-6)
    np.testing.assert_allclose(nn.celu(x, 2.), np.where(xs > 0, xs, 2 * np.expm1(xs / 2)),
                               rtol=1e-6)
    np.testing.assert_allclose(nn.selu(jnp.array([1., -100.])),
                               [1.0507009873554805, -1.0507009873554805 * 1.6732632423543772],
                               rtol=1e-6)
    np.testing.assert_allclose(nn.squareplus(x), (xs + np.sqrt(xs ** 2 + 4)) / 2, rtol=1e-6)
    import scipy.special as sps
    np.testing.assert_allclose(nn.gelu(x, approximate=False),
                               xs * (1 + sps.erf(xs / np.sqrt(2))) / 2, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        nn.gelu(x), xs / 2 * (1 + np.tanh(np.sqrt(2 / np.pi) * (xs + 0.044715 * xs ** 3))),
        rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(nn.log1mexp(jnp.array([0.1, 1., 10.])),
                               np.log(1 - np.exp(-np.array([0.1, 1., 10.]))), rtol=1e-6)
    assert _np(nn.elu(-np.inf)) == -1 and _np(nn.softplus(-np.inf)) == 0
    assert _np(nn.softplus(np.inf)) == np.inf and _np(nn.relu(np.inf)) == np.inf


def test_glu_known_values():
    x = jnp.array([[1., 2., 0., 100.], [3., 4., -100., 0.]])
    np.testing.assert_allclose(nn.glu(x), [[0.5, 2.], [0., 2.]], atol=1e-30)
    np.testing.assert_allclose(nn.glu(x, axis=0), [[0.95257413, 1.96402758, 0., 50.]], rtol=1e-6)
    with pytest.raises(AssertionError):
        nn.glu(jnp.ones((3,)))


def test_relu_custom_gradient():
    assert _np(pyjax.grad(nn.relu)(0.)) == 0.
    np.testing.assert_array_equal(pyjax.vmap(pyjax.grad(nn.relu))(jnp.array([-1., 0., 2.])),
                                  [0., 0., 1.])
    np.testing.assert_array_equal(pyjax.jit(pyjax.vmap(pyjax.grad(nn.relu6)))(
        jnp.array([-1., 0., 3., 6., 7.])), [0., 0., 1., 0., 0.])
    # second derivative through the custom rule: the rule is linear in g, so 0
    assert _np(pyjax.grad(pyjax.grad(nn.relu))(2.)) == 0.
    # hard_sigmoid/hard_silu go through relu6's rule
    np.testing.assert_allclose(pyjax.vmap(pyjax.grad(nn.hard_sigmoid))(jnp.array([-3., 0., 3.])),
                               [0., 1 / 6, 0.], rtol=1e-6)


def test_activation_jit_vmap():
    x = jnp.asarray(_X[:24].reshape(4, 6))
    for name in _ACTIVATIONS:
        f = getattr(nn, name)
        np.testing.assert_array_equal(pyjax.jit(f)(x), f(x), err_msg=name)
        np.testing.assert_array_equal(pyjax.vmap(f)(x), f(x), err_msg=name)
    np.testing.assert_array_equal(pyjax.jit(nn.glu, static_argnames="axis")(x, axis=0),
                                  nn.glu(x, axis=0))


def test_sigmoid_rejects_integers():
    with pytest.raises(TypeError):
        nn.sigmoid(jnp.array([1, 2]))


# ---------------------------------------------------------------------------
# activations against jax


@pytest.mark.parametrize("name", sorted(_ACTIVATIONS))
def test_activation_oracle(jax, name):
    rtol, atol = _ACTIVATIONS[name]
    atol = max(atol, _TINY)
    x = _X
    _close(getattr(nn, name)(jnp.asarray(x)), getattr(jax.nn, name)(jax.numpy.asarray(x)),
           rtol=rtol, atol=atol)


def test_activation_parameters_oracle(jax):
    x, jx = jnp.asarray(_X), jax.numpy.asarray(_X)
    _close(nn.elu(x, 0.3), jax.nn.elu(jx, 0.3), rtol=1e-6)
    _close(nn.celu(x, 2.5), jax.nn.celu(jx, 2.5), rtol=1e-6)
    _close(nn.leaky_relu(x, 0.2), jax.nn.leaky_relu(jx, 0.2))
    _close(nn.squareplus(x, 1.5), jax.nn.squareplus(jx, 1.5), rtol=1e-6)
    _close(nn.gelu(x, approximate=False), jax.nn.gelu(jx, approximate=False), rtol=2e-6,
           atol=1e-7)
    ax = np.abs(_X)
    _close(nn.log1mexp(jnp.asarray(ax)), jax.nn.log1mexp(jax.numpy.asarray(ax)), rtol=1e-6)


_DTYPE_INPUTS = {
    "py_int": lambda j: 3,
    "py_float": lambda j: 1.5,
    "f32": lambda j: np.array([-1.5, 2.], np.float32),
    "i32": lambda j: np.array([1, 2], np.int32),
    "bf16": lambda j: np.array([1., -2.], j.numpy.bfloat16),
    "f16_scalar": lambda j: np.float16(2.),
    "bool": lambda j: np.array([True, False]),
}


@pytest.mark.parametrize("name", sorted(set(_ACTIVATIONS) | {"log1mexp", "softmax",
                                                              "log_softmax", "logsumexp",
                                                              "standardize", "glu",
                                                              "logmeanexp"}))
def test_result_dtype_and_weak_type_oracle(jax, name):
    for kind, make in _DTYPE_INPUTS.items():
        x = make(jax)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                want = getattr(jax.nn, name)(x)
            except (TypeError, ValueError, IndexError) as e:
                with pytest.raises(type(e)):
                    getattr(nn, name)(x)
                continue
            got = getattr(nn, name)(x)
        assert (got.dtype, got.weak_type) == (want.dtype, want.weak_type), (kind, got, want)
        np.testing.assert_allclose(_np(got).astype(np.float64), _np(want).astype(np.float64),
                                   rtol=1e-2, atol=1e-6, err_msg=kind)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_activation_16bit_oracle(jax, dtype):
    # XLA evaluates fused 16-bit elementwise chains in float32 and rounds once; pyjax
    # rounds after every operation, so results agree to about one 16-bit ulp.
    x = _X.astype(getattr(jax.numpy, dtype))
    tol = 1e-2 if dtype == "bfloat16" else 2e-3
    for name in _ACTIVATIONS:
        _close(getattr(nn, name)(jnp.asarray(x)), getattr(jax.nn, name)(jax.numpy.asarray(x)),
               rtol=tol, atol=tol)


def test_custom_gradients_oracle(jax):
    for name, points in [("relu", [0., -1., 2.]), ("relu6", [0., 6., 3., 7.]),
                         ("hard_sigmoid", [-3., 3., 0.]), ("hard_silu", [-3., 3., 1.])]:
        for p in points:
            got = pyjax.grad(getattr(nn, name))(p)
            want = jax.grad(getattr(jax.nn, name))(p)
            np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=f"{name}({p})")
    x = np.abs(_X[:20]) + 0.1
    _close(pyjax.vmap(pyjax.grad(nn.log1mexp))(jnp.asarray(x)),
           jax.vmap(jax.grad(jax.nn.log1mexp))(x), rtol=1e-5)


def test_activation_gradients_oracle(jax):
    names = ["sigmoid", "softplus", "silu", "elu", "celu", "selu", "gelu", "mish", "log_sigmoid",
             "squareplus", "soft_sign", "leaky_relu", "sparse_plus"]

    def grads(m, v):
        return [m.grad(lambda u, n=n: getattr(m.nn, n)(u).sum())(v) for n in names]

    got = grads(pyjax, jnp.asarray(_X[:64]))
    want = _jax_jit(jax, grads)(_X[:64])
    for name, g, w in zip(names, got, want, strict=True):
        # expm1'(x) = expm1(x) + 1 cancels for x << 0, amplifying 1-ulp differences of
        # expm1; XLA's tanh saturates sooner than NumPy's (gelu, mish)
        _close(g, w, rtol=1e-5, atol=1e-5 if name in ("gelu", "mish") else 1e-6)


# ---------------------------------------------------------------------------
# softmax, log_softmax, logsumexp


_A = _RNG.standard_normal((3, 4, 5)).astype(np.float32) * 3
_A_INF = _A.copy()
_A_INF[0, 0, :] = -np.inf
_A_INF[1, 1, 2] = -np.inf
_A_INF[2, 3, 0] = -np.inf
_WHERE = _RNG.rand(3, 4, 5) > 0.3
_WHERE[2, 2, :] = False
_B = _RNG.standard_normal((3, 4, 5)).astype(np.float32)


def test_softmax_known_values():
    x = jnp.array([[1., 2., 3.], [0., 0., 0.]])
    e = np.exp([1., 2., 3.])
    np.testing.assert_allclose(nn.softmax(x), [e / e.sum(), [1 / 3] * 3], rtol=1e-6)
    np.testing.assert_allclose(nn.log_softmax(x), np.log([e / e.sum(), [1 / 3] * 3]), rtol=1e-6)
    np.testing.assert_allclose(_np(nn.softmax(x, axis=0)).sum(0), [1, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(_np(nn.softmax(x, axis=None)).sum(), 1, rtol=1e-6)
    # large inputs do not overflow; -inf entries get probability 0
    big = nn.softmax(jnp.array([1000., 1000., -np.inf]))
    np.testing.assert_array_equal(big, [.5, .5, 0.])
    np.testing.assert_array_equal(nn.log_softmax(jnp.array([0., -np.inf])), [0., -np.inf])
    w = jnp.array([True, False, True])
    np.testing.assert_allclose(nn.softmax(jnp.array([1., 50., 1.]), where=w), [.5, 0., .5])
    np.testing.assert_allclose(nn.log_softmax(jnp.array([1., 50., 1.]), where=w),
                               [np.log(.5), -np.inf, np.log(.5)], rtol=1e-6)


def test_logsumexp_known_values():
    x = jnp.array([1., 2., 3.])
    np.testing.assert_allclose(nn.logsumexp(x), np.log(np.exp([1., 2., 3.]).sum()), rtol=1e-6)
    assert _np(nn.logsumexp(jnp.array([-np.inf, -np.inf]))) == -np.inf
    assert _np(nn.logsumexp(jnp.array([np.inf, 1.]))) == np.inf
    assert _np(nn.logsumexp(jnp.array([0., -np.inf]))) == 0.
    np.testing.assert_allclose(nn.logsumexp(jnp.array([1000., 1000.])), 1000 + np.log(2))
    out, sign = nn.logsumexp(jnp.array([0., 0.]), b=jnp.array([1., -3.]), return_sign=True)
    np.testing.assert_allclose(out, np.log(2), rtol=1e-6)
    assert _np(sign) == -1
    assert np.isnan(_np(nn.logsumexp(jnp.array([0., 0.]), b=jnp.array([1., -3.]))))
    k = nn.logsumexp(jnp.ones((2, 3)), axis=1, keepdims=True)
    assert k.shape == (2, 1)
    np.testing.assert_allclose(k, 1 + np.log(3), rtol=1e-6)
    # gradient: softmax weights, 0 at -inf entries (not nan)
    g = pyjax.grad(nn.logsumexp)(jnp.array([0., -np.inf, 0.]))
    np.testing.assert_array_equal(g, [.5, 0., .5])


def test_logmeanexp_known_values():
    np.testing.assert_allclose(nn.logmeanexp(jnp.array([[0., 0.], [1., 1.]]), axis=1), [0., 1.],
                               atol=1e-7)
    np.testing.assert_allclose(
        nn.logmeanexp(jnp.array([0., 5.]), where=jnp.array([True, False])), 0., atol=1e-7)


def _softmax_cases():
    return [
        ("softmax", dict()), ("softmax", dict(axis=0)), ("softmax", dict(axis=(0, 2))),
        ("softmax", dict(axis=None)), ("softmax", dict(where=_WHERE)),
        ("softmax", dict(where=_WHERE, axis=1)),
        ("log_softmax", dict()), ("log_softmax", dict(axis=(1, 2))),
        ("log_softmax", dict(where=_WHERE, axis=1)),
        ("logsumexp", dict()), ("logsumexp", dict(axis=-1)),
        ("logsumexp", dict(axis=(0, 2), keepdims=True)), ("logsumexp", dict(axis=1, b=_B)),
        ("logsumexp", dict(axis=-1, where=_WHERE)),
        ("logsumexp", dict(axis=1, where=_WHERE, keepdims=True)),
        ("logsumexp", dict(axis=-1, b=np.abs(_B), where=_WHERE)),
        ("logmeanexp", dict(axis=1)), ("logmeanexp", dict(axis=(0, 1), where=_WHERE)),
    ]


@pytest.mark.parametrize("x", [_A, _A_INF], ids=["finite", "neg_inf"])
def test_softmax_family_oracle(jax, x):
    def outputs(m, v):
        out = [getattr(m.nn, name)(v, **kw) for name, kw in _softmax_cases()]
        return out + list(m.nn.logsumexp(v, axis=-1, b=_B, return_sign=True))

    got = outputs(pyjax, jnp.asarray(x))
    want = _jax_jit(jax, outputs)(x)  # one compile for every case (XLA compiles are slow)
    for g, w in zip(got, want, strict=True):
        _close(g, w, rtol=2e-6, atol=1e-7)
        assert g.weak_type == w.weak_type


@pytest.mark.parametrize("custom_jvp", [False, True])
def test_softmax_gradients_oracle(jax, custom_jvp):
    weights = np.arange(5.0, dtype=np.float32) - 2
    t = np.ones_like(_A)

    def derivatives(m, x):
        def loss(where):
            return lambda v: ((m.nn.softmax(v, where=where) ** 2) * weights).sum()
        return [m.grad(loss(None))(x), m.grad(loss(_WHERE))(x),
                # forward mode too (the custom rule is a jvp rule)
                m.jvp(lambda v: m.nn.softmax(v, axis=1), (x,), (t,))[1]]

    with _both_flags(jax, jax_softmax_custom_jvp=custom_jvp):
        jitted = _jax_jit(jax, derivatives)
        for x in (_A, _A_INF):
            for g, w in zip(derivatives(pyjax, jnp.asarray(x)), jitted(x), strict=True):
                _close(g, w, rtol=1e-5, atol=1e-6)


def test_softmax_custom_jvp_is_used():
    with config.override(jax_softmax_custom_jvp=True):
        jaxpr = str(pyjax.make_jaxpr(nn.softmax)(jnp.ones(3)))
    assert "custom_jvp_call" in jaxpr
    assert "custom_jvp_call" not in str(pyjax.make_jaxpr(nn.softmax)(jnp.ones(3)))


def test_logsumexp_gradients_oracle(jax):
    weights = np.arange(4.0, dtype=np.float32)
    cases = [dict(axis=-1), dict(axis=(0, 2)), dict(axis=-1, where=_WHERE),
             dict(axis=-1, b=np.abs(_B) + 0.1)]

    def grads(m, v):
        out = [m.grad(lambda u, kw=kw: (m.nn.logsumexp(u, **kw)
                                        * (weights if kw["axis"] == -1 else 1)).sum())(v)
               for kw in cases]
        return out + [m.grad(lambda u: (m.nn.log_softmax(u, axis=1) * _B).sum())(v)]

    jitted = _jax_jit(jax, grads)
    for x in (_A, _A_INF):
        for g, w in zip(grads(pyjax, jnp.asarray(x)), jitted(x), strict=True):
            _close(g, w, rtol=1e-5, atol=1e-6)
            # -inf entries get exactly zero gradient, and a row of only -inf gives nan as in JAX
            assert np.array_equal(np.isnan(_np(g)), np.isnan(_np(w)))
            assert np.array_equal(_np(g) == 0, _np(w) == 0)


def test_softmax_family_jit_vmap():
    x, w = jnp.asarray(_A_INF), jnp.asarray(_WHERE)
    for f in [lambda v, w: nn.softmax(v, where=w), lambda v, w: nn.log_softmax(v, axis=0, where=w),
              lambda v, w: nn.logsumexp(v, axis=1, where=w, keepdims=True),
              lambda v, w: nn.logsumexp(v, b=v, return_sign=True),
              lambda v, w: nn.logmeanexp(v, axis=-1, where=w),
              lambda v, w: nn.standardize(v, where=w)]:
        eager = f(x, w)
        pyjax.tree_util.tree_map(lambda a, b: np.testing.assert_array_equal(a, b),
                                 pyjax.jit(f)(x, w), eager)
        batched = pyjax.vmap(f)(x, w)
        looped = [f(x[i], w[i]) for i in range(3)]
        pyjax.tree_util.tree_map(
            lambda b, *ls: np.testing.assert_allclose(b, np.stack([_np(v) for v in ls]),
                                                      rtol=1e-6, atol=1e-7),
            batched, *looped)


# ---------------------------------------------------------------------------
# standardize, one_hot


def test_standardize_known_values():
    x = jnp.array([[1., 2., 3., 4.], [2., 2., 2., 2.]])
    out = nn.standardize(x, epsilon=0.)
    m, s = 2.5, np.std([1., 2., 3., 4.])
    np.testing.assert_allclose(out[0], (np.array([1., 2., 3., 4.]) - m) / s, rtol=1e-6)
    np.testing.assert_allclose(nn.standardize(x)[1], 0., atol=0)
    np.testing.assert_allclose(nn.standardize(x, mean=0., variance=4.), _np(x) / np.sqrt(4 + 1e-5),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown algorithm"):
        nn.standardize(x, algorithm="nope")


def test_standardize_oracle(jax):
    x = _A + 5
    for kw in [dict(), dict(axis=(0, 1)), dict(axis=None, algorithm="stable"),
               dict(where=_WHERE), dict(axis=1, where=_WHERE, algorithm="stable"),
               dict(mean=np.float32(1.), variance=np.float32(2.), epsilon=0.1)]:
        pkw = {k: jnp.asarray(v) if isinstance(v, (np.ndarray, np.generic)) else v
               for k, v in kw.items()}
        # the "fast" variance mean(x^2) - mean(x)^2 cancels: compare with an absolute tolerance
        _close(nn.standardize(jnp.asarray(x), **pkw), jax.nn.standardize(x, **kw),
               rtol=1e-5, atol=1e-4)


def test_one_hot_known_values():
    x = jnp.array([0, 2, -1, 3, 1])
    out = nn.one_hot(x, 3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 1, 0]])
    assert out.dtype == np.float32 and not out.weak_type
    out = nn.one_hot(jnp.array([[0, 1], [2, 5]]), 3, axis=0, dtype=jnp.int8)
    assert out.shape == (3, 2, 2) and out.dtype == np.int8
    np.testing.assert_array_equal(out[:, 1, 0], [0, 0, 1])
    np.testing.assert_array_equal(out[:, 1, 1], [0, 0, 0])
    assert nn.one_hot(jnp.array([[0, 1]]), 4, axis=1).shape == (1, 4, 2)
    np.testing.assert_array_equal(pyjax.jit(nn.one_hot, static_argnums=1)(x, 3), nn.one_hot(x, 3))
    np.testing.assert_array_equal(pyjax.vmap(lambda v: nn.one_hot(v, 3))(x), nn.one_hot(x, 3))
    # a named axis: the position along the mapped axis is the class
    np.testing.assert_array_equal(
        pyjax.vmap(lambda v: nn.one_hot(v, 3, axis="i"), axis_name="i")(jnp.array([0, 0, 2])),
        [1., 0., 1.])


def test_one_hot_oracle(jax):
    x = np.array([[0, 3, -1, 7], [5, 2, 1, 4]], np.int32)
    for kw in [dict(), dict(axis=0), dict(axis=1, dtype=np.int32), dict(dtype=jax.numpy.bfloat16)]:
        got, want = nn.one_hot(jnp.asarray(x), 5, **kw), jax.nn.one_hot(x, 5, **kw)
        _close(got, want)
        assert got.weak_type == want.weak_type


# ---------------------------------------------------------------------------
# dot_product_attention


def _attention_inputs(dtype=np.float32):
    rng = np.random.RandomState(1)
    B, T, S, N, K, H = 2, 5, 7, 4, 2, 8
    r = lambda *s: rng.standard_normal(s).astype(dtype)  # noqa: E731
    return dict(q=r(B, T, N, H), k=r(B, S, K, H), v=r(B, S, K, H), kf=r(B, S, N, H),
                vf=r(B, S, N, H), bias=r(B, N, T, S), bias1=r(1, 1, T, S),
                mask=rng.rand(B, N, T, S) > 0.3, mask1=rng.rand(B, 1, T, S) > 0.3,
                ql=np.array([3, 5], np.int32), kl=np.array([7, 2], np.int32))


def _reference_attention(q, k, v, bias=None, mask=None, scale=None, causal=False):
    """Plain NumPy multi-head attention (float64), with K < N heads repeated."""
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    N, K = q.shape[2], k.shape[2]
    k, v = np.repeat(k, N // K, axis=2), np.repeat(v, N // K, axis=2)
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask
    if causal:
        keep &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -0.7 * np.finfo(np.float32).max)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", p, v)


def test_attention_known_values():
    d = _attention_inputs()
    a = {k: jnp.asarray(v) for k, v in d.items()}
    for args, kw, ref_kw in [
            ((a["q"], a["kf"], a["vf"]), {}, {}),
            ((a["q"], a["k"], a["v"]), {}, {}),
            ((a["q"], a["k"], a["v"], a["bias"], a["mask"]), dict(is_causal=True, scale=.3),
             dict(bias=d["bias"], mask=d["mask"], causal=True, scale=.3)),
            ((a["q"], a["k"], a["v"], a["bias1"], a["mask1"]), {},
             dict(bias=d["bias1"], mask=d["mask1"]))]:
        got = nn.dot_product_attention(*args, **kw)
        ref = _reference_attention(*[_np(x) for x in args[:3]], **ref_kw)
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
        assert got.dtype == np.float32
    # 3-D inputs (no batch), jit and vmap over the batch
    got = nn.dot_product_attention(a["q"][0], a["k"][0], a["v"][0])
    np.testing.assert_allclose(got, nn.dot_product_attention(a["q"], a["k"], a["v"])[0],
                               rtol=1e-6, atol=1e-7)
    f = lambda q, k, v: nn.dot_product_attention(q, k, v, is_causal=True)  # noqa: E731
    np.testing.assert_array_equal(pyjax.jit(f)(a["q"], a["k"], a["v"]), f(a["q"], a["k"], a["v"]))
    np.testing.assert_allclose(pyjax.vmap(f)(a["q"], a["k"], a["v"]), f(a["q"], a["k"], a["v"]),
                               rtol=1e-6, atol=1e-7)


def test_attention_errors():
    d = {k: jnp.asarray(v) for k, v in _attention_inputs().items()}
    k3 = jnp.concatenate([d["k"][:, :, :1]] * 3, axis=2)  # 3 key heads for 4 query heads
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        nn.dot_product_attention(d["q"], k3, k3)
    with pytest.raises(ValueError, match="value"):
        nn.dot_product_attention(d["q"], d["k"], d["v"][:, :3])
    with pytest.raises(ValueError, match="mask dtype"):
        nn.dot_product_attention(d["q"], d["k"], d["v"], mask=d["bias"])
    with pytest.raises(ValueError, match="implementation"):
        nn.dot_product_attention(d["q"], d["k"], d["v"], implementation="bogus")


def test_attention_oracle(jax):
    cases = [
        (("q", "kf", "vf"), {}), (("q", "k", "v"), dict(implementation="xla")),
        (("q", "k", "v", "bias1", "mask"), {}), (("q", "k", "v", "bias", "mask1"), {}),
        (("q", "k", "v", "bias", "mask"), dict(scale=0.3, is_causal=True)),
        (("q", "k", "v"), dict(query_seq_lengths="ql", key_value_seq_lengths="kl")),
        (("q", "k", "v"), dict(local_window_size=(1, 2))),
    ]

    def outputs(m, d):
        out = []
        for names, kw in cases:
            args = [None if n is None else d[n] for n in names]
            kw = {k: d[v] if isinstance(v, str) and v in d else v for k, v in kw.items()}
            out.append(m.nn.dot_product_attention(*args, **kw))
        out.extend(m.nn.dot_product_attention(d["q"], d["k"], d["v"], d["bias"], is_causal=True,
                                              return_residual=True))
        return out

    d = _attention_inputs()
    got = outputs(pyjax, {k: jnp.asarray(v) for k, v in d.items()})
    want = _jax_jit(jax, outputs)(d)
    for g, w in zip(got, want, strict=True):
        _close(g, w, rtol=1e-5, atol=1e-6)


def test_attention_bf16_and_gradients_oracle(jax):
    d = _attention_inputs()
    bf = jax.numpy.bfloat16
    q, k, v = (d[n].astype(bf) for n in ("q", "k", "v"))
    _close(nn.dot_product_attention(jnp.asarray(q), jnp.asarray(k), jnp.asarray(v)),
           jax.nn.dot_product_attention(q, k, v), rtol=1e-2, atol=1e-2)

    def grads(m, *args):
        loss = lambda q, k, v, b: (m.nn.dot_product_attention(  # noqa: E731
            q, k, v, b, is_causal=True) ** 2).sum()
        return m.grad(loss, argnums=(0, 1, 2, 3))(*args)
    args = [d[n] for n in ("q", "k", "v", "bias")]
    got = grads(pyjax, *[jnp.asarray(a) for a in args])
    want = _jax_jit(jax, grads)(*args)
    for g, w in zip(got, want, strict=True):
        _close(g, w, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------
# initializers


def test_compute_fans_oracle(jax):
    from jax._src.nn.initializers import _compute_fans as jax_fans

    from pyjax._src.nn.initializers import _compute_fans
    for shape, kw in [((3, 5), {}), ((2, 2, 3, 5), {}), ((7, 3, 5), dict(batch_axis=0)),
                      ((2, 3, 4, 5), dict(in_axis=(0, 1), out_axis=3, batch_axis=2)),
                      ((2, 3, 4, 5), dict(in_axis=0, out_axis=(1, 3))),
                      ((4, 6), dict(in_axis=1, out_axis=0)), ((5,), dict(in_axis=0))]:
        assert _compute_fans(shape, **kw) == jax_fans(shape, **kw), (shape, kw)


def test_compute_fans():
    from pyjax._src.nn.initializers import _compute_fans
    assert _compute_fans((3, 5)) == (3, 5)
    assert _compute_fans((2, 2, 3, 5)) == (12, 20)
    assert _compute_fans((2, 3, 4, 5), in_axis=(0, 1), out_axis=3, batch_axis=2) == (6, 5)
    assert _compute_fans((7, 3, 5), batch_axis=0) == (3, 5)
    with pytest.raises(ValueError, match="default in_axis"):
        _compute_fans((5,))


def test_initializer_statistics_and_shapes():
    key = pyjax.random.PRNGKey(0)
    assert isinstance(init.zeros, init.Initializer)
    np.testing.assert_array_equal(init.zeros(key, (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones(key, (2,), jnp.int32), [1, 1])
    c = init.constant(-7.)(key, (2, 2))
    np.testing.assert_array_equal(c, -7.)
    assert c.dtype == np.float32
    u = _np(init.uniform(2.)(key, (4000,)))
    assert u.min() >= 0 and u.max() < 2 and abs(u.mean() - 1) < 0.05
    t = _np(init.truncated_normal(1.)(key, (4000,)))
    assert np.all(np.abs(t) < 2) and abs(t.std() - 0.88) < 0.03
    n = _np(init.normal(3.)(key, (4000,)))
    assert abs(n.std() - 3) < 0.15
    for make, target in [(init.glorot_normal, 2 / (200 + 100)), (init.glorot_uniform, 2 / 300),
                         (init.he_normal, 2 / 200), (init.he_uniform, 2 / 200),
                         (init.lecun_normal, 1 / 200), (init.lecun_uniform, 1 / 200)]:
        w = _np(make()(key, (200, 100)))
        assert w.shape == (200, 100) and w.dtype == np.float32
        assert abs(w.var() / target - 1) < 0.05, make.__name__
    assert init.xavier_normal is init.glorot_normal and init.kaiming_uniform is init.he_uniform
    w = _np(init.variance_scaling(1., "fan_out", "normal", dtype=jnp.bfloat16)(key, (30, 40)))
    assert w.dtype == jnp.bfloat16
    with pytest.raises(ValueError, match="invalid mode"):
        init.variance_scaling(1., "fan_nope", "normal")(key, (2, 2))
    with pytest.raises(ValueError, match="invalid distribution"):
        init.variance_scaling(1., "fan_in", "cauchy")(key, (2, 2))


def test_orthogonal_properties():
    key = pyjax.random.PRNGKey(3)
    for shape in [(5, 5), (3, 7), (7, 3), (2, 3, 4)]:
        w = _np(init.orthogonal()(key, shape)).astype(np.float64)
        m = w.reshape(-1, shape[-1])
        if m.shape[0] <= m.shape[1]:
            np.testing.assert_allclose(m @ m.T, np.eye(m.shape[0]), atol=2e-6)
        else:
            np.testing.assert_allclose(m.T @ m, np.eye(m.shape[1]), atol=2e-6)
    w = _np(init.orthogonal(scale=2., column_axis=0)(key, (4, 3, 2)))
    m = np.moveaxis(w, 0, -1).reshape(-1, 4)
    np.testing.assert_allclose(m.T @ m, 4 * np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(init.orthogonal()(key, (0, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="2D"):
        init.orthogonal()(key, (3,))
    d = np.array(init.delta_orthogonal()(key, (3, 3, 4, 4)))
    center = d[1, 1]
    np.testing.assert_allclose(center @ center.T, np.eye(4), atol=2e-6)
    d[1, 1] = 0
    assert not d.any()
    with pytest.raises(ValueError, match="3D, 4D or 5D"):
        init.delta_orthogonal()(key, (3, 3))
    with pytest.raises(ValueError, match="fan_in"):
        init.delta_orthogonal()(key, (3, 5, 4))
    # jit, vmap over keys, and the same value eagerly
    f = lambda k: init.orthogonal()(k, (4, 3))  # noqa: E731
    np.testing.assert_array_equal(pyjax.jit(f)(key), f(key))
    keys = pyjax.random.split(key, 3)
    np.testing.assert_allclose(pyjax.vmap(f)(keys), np.stack([_np(f(k)) for k in keys]),
                               atol=1e-6)


def test_initializers_jit_vmap():
    key = pyjax.random.PRNGKey(7)
    keys = pyjax.random.split(key, 3)
    for i in [init.glorot_normal(), init.he_uniform(), init.truncated_normal(2.),
              init.normal(), init.constant(3.)]:
        f = lambda k: i(k, (5, 4))  # noqa: E731
        np.testing.assert_array_equal(pyjax.jit(f)(key), f(key))
        np.testing.assert_array_equal(pyjax.vmap(f)(keys), np.stack([_np(f(k)) for k in keys]))


# One 2-D shape for every case: JAX compiles each sampler once per shape and dtype (and
# slowly for 4-D shapes), which dominates this test's time. Fans of other shapes and axes
# are compared directly in test_compute_fans_oracle.
_INIT_SHAPE = (6, 5)


def _init_cases():
    cases = [
        ("zeros", lambda m: m.zeros, None),
        ("ones", lambda m: m.ones, None),
        ("constant", lambda m: m.constant(-7), None),
        ("constant int", lambda m: m.constant(3), np.int32),
        ("uniform", lambda m: m.uniform(), None),
        ("uniform 10", lambda m: m.uniform(10.), None),
        ("normal", lambda m: m.normal(), None),
        ("normal 3", lambda m: m.normal(3.), None),
        ("truncated_normal", lambda m: m.truncated_normal(), None),
        ("truncated_normal bounds", lambda m: m.truncated_normal(1., lower=-.7, upper=3.1), None),
    ]
    for n in ["glorot_normal", "glorot_uniform", "xavier_normal", "xavier_uniform", "he_normal",
              "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform"]:
        cases.append((n, lambda m, n=n: getattr(m, n)(), None))
        cases.append((n + " axes", lambda m, n=n: getattr(m, n)(in_axis=1, out_axis=0), None))
    for mode in ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]:
        for dist in ["truncated_normal", "normal", "uniform"]:
            cases.append((f"variance_scaling {mode} {dist}",
                          lambda m, mode=mode, dist=dist: m.variance_scaling(
                              0.7, mode, dist, in_axis=(1,), out_axis=0), None))
    for n, dt in [("glorot_normal", "bfloat16"), ("he_uniform", "bfloat16"),
                  ("lecun_normal", "float16")]:
        cases.append((f"{n} {dt}", lambda m, n=n: getattr(m, n)(), dt))
    cases.append(("complex uniform", lambda m: m.variance_scaling(1., "fan_in", "uniform"),
                  np.complex64))
    cases.append(("complex normal", lambda m: m.variance_scaling(1., "fan_in", "normal"),
                  np.complex64))
    return cases


def test_initializers_bit_exact_oracle(jax):
    import jax.nn.initializers as jI
    for seed in (0, 42):
        kp, kj = pyjax.random.PRNGKey(seed), jax.random.PRNGKey(seed)
        for name, make, dt in _init_cases():
            if isinstance(dt, str):
                dt = getattr(jax.numpy, dt)
            args = (_INIT_SHAPE,) if dt is None else (_INIT_SHAPE, dt)
            got, want = make(init)(kp, *args), make(jI)(kj, *args)
            _bits_equal(got, want)
            assert got.weak_type == want.weak_type, name
    # a dense kernel, and typed keys
    got = init.glorot_normal()(pyjax.random.key(5), (8, 3))
    want = jI.glorot_normal()(jax.random.key(5), (8, 3))
    _bits_equal(got, want)


def test_initializers_x64_oracle(jax):
    import jax.nn.initializers as jI
    with _both_flags(jax, jax_enable_x64=True):
        kp, kj = pyjax.random.PRNGKey(1), jax.random.PRNGKey(1)
        for make in [lambda m: m.glorot_uniform(),
                     lambda m: m.variance_scaling(2., "fan_avg", "normal")]:
            _bits_equal(make(init)(kp, (20, 30)), make(jI)(kj, (20, 30)))
        _bits_equal(init.he_normal()(kp, (20, 30)), jI.he_normal()(kj, (20, 30)))


def test_orthogonal_oracle(jax):
    import jax.nn.initializers as jI
    kp, kj = pyjax.random.PRNGKey(42), jax.random.PRNGKey(42)
    # the QR is LAPACK's, as JAX's: bit for bit
    for shape in [(3, 7), (2, 3, 5), (6, 4)]:
        _bits_equal(init.orthogonal()(kp, shape), jI.orthogonal()(kj, shape))
    _bits_equal(init.orthogonal(2., column_axis=0)(kp, (3, 2, 5)),
                jI.orthogonal(2., column_axis=0)(kj, (3, 2, 5)))
    _bits_equal(init.delta_orthogonal()(kp, (3, 3, 5, 5)), jI.delta_orthogonal()(kj, (3, 3, 5, 5)))


def test_truncated_normal_sampler_oracle(jax):
    from pyjax._src.random_math import xla_erf
    truncated_normal = pyjax.random.truncated_normal
    kp, kj = pyjax.random.PRNGKey(11), jax.random.PRNGKey(11)
    for lo, hi, shape in [(-2., 2., (100,)), (-0.5, 3., (7, 9)), (1., 4., (50,)),
                          (np.array([-1., 0., -3.], np.float32), 1., (4, 3))]:
        got = truncated_normal(kp, lo, hi, shape)
        want = jax.random.truncated_normal(kj, lo, hi, shape)
        _bits_equal(got, want)
        assert np.all(_np(got) > lo) and np.all(_np(got) < hi)
    # XLA's float32 erf, bit for bit
    x = np.concatenate([np.linspace(-5, 5, 20001, dtype=np.float32), _SPECIAL])
    _bits_equal(xla_erf(jnp.asarray(x)), jax.lax.erf(x))
    assert math.isclose(float(_np(xla_erf(jnp.asarray(np.float32(0.5))))), math.erf(0.5),
                        rel_tol=1e-6)


@pytest.mark.parametrize("name,call", [
    ("softmax", lambda: nn.softmax(jnp.ones((2, 3)), axis=5)),
    ("log_softmax", lambda: nn.log_softmax(jnp.ones(3), axis=-2)),
    ("one_hot", lambda: nn.one_hot(jnp.arange(3), 4, axis=7)),
    ("logsumexp", lambda: nn.logsumexp(jnp.ones(3), axis=1)),
])
def test_out_of_range_axis_names_the_function(name, call):
    """As in jax.numpy: NumPy's AxisError (a ValueError and an IndexError) naming jax.nn's function."""
    with pytest.raises(ValueError, match=rf"out of bounds.*\(in jax\.nn\.{name}\)"):
        call()
