"""Statistics and reductions: average, quantile/percentile/median (all methods, nan forms,
weights), cov, corrcoef, var/std (ddof, correction, mean), the nan-reductions (nansum ...
nanargmin; nancumsum/nancumprod, defined in mathfuncs.py on reductions._cumulative), ptp
and count_nonzero.

Values are compared with NumPy; dtypes, weak types and JAX's own choices (method
'nearest' rounds half down, var's integer `dtype`, nanmax with `initial`) with real JAX
where installed.
"""
import contextlib
import warnings

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.config import config

bf16 = ml_dtypes.bfloat16
RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 7)).astype(np.float32)
XN = X.copy()
XN[0, 1] = XN[2, 5] = np.nan
XN[3, :] = np.nan
X3 = RNG.standard_normal((2, 3, 5)).astype(np.float32)


def _jax():
    return pytest.importorskip("jax")


@contextlib.contextmanager
def jax_x64(enabled):
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


def close(got, want, dtype=None, weak=False, rtol=2e-6, atol=1e-6):
    assert isinstance(got, pyjax.Array)
    if dtype is not None:
        assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
        assert bool(got.weak_type) == weak, got.weak_type
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(A(got).astype(np.float64) if got.dtype == bf16 else A(got),
                               want, rtol=rtol, atol=atol, equal_nan=True)


def like_jax(got, want, rtol=1e-6, atol=1e-6):
    """Same dtype, weak type and shape as JAX's result, values close."""
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert bool(got.weak_type) == bool(want.weak_type), (got.weak_type, want.weak_type)
    assert got.shape == want.shape, (got.shape, want.shape)
    g, w = A(got), A(want)
    if g.dtype == bf16:
        g, w = g.astype(np.float32), w.astype(np.float32)
    np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)


# ---------------------------------------------------------------------------
# quantiles

# q * (n - 1) never lands on a half here, where 'nearest' differs (NumPy rounds half to
# even, JAX rounds halves down).
Q = np.array([0.0, 0.1, 0.45, 0.77, 1.0], np.float32)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest",
                                    "inverted_cdf"])
def test_quantile_methods_vs_numpy(method):
    for axis in (None, 1, 0, (0, 1)):
        for keepdims in (False, True):
            want = np.quantile(X.astype(np.float64), Q, axis=axis, method=method,
                               keepdims=keepdims)
            close(jnp.quantile(X, Q, axis=axis, method=method, keepdims=keepdims), want,
                  np.float32)
            want = np.nanquantile(XN.astype(np.float64), Q, axis=axis, method=method,
                                  keepdims=keepdims)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                close(jnp.nanquantile(XN, Q, axis=axis, method=method, keepdims=keepdims),
                      want, np.float32)
    # a NaN anywhere in a slice makes quantile NaN there
    got = A(jnp.quantile(XN, 0.3, axis=1, method=method))
    assert np.isnan(got).tolist() == [True, False, True, True]


def test_quantile_scalar_q_dtypes_and_ties():
    close(jnp.quantile(X3, 0.3, axis=(2, 0)), np.quantile(X3, 0.3, axis=(2, 0)), np.float32)
    close(jnp.quantile(X3, Q, axis=(0, 2), keepdims=True),
          np.quantile(X3, Q, axis=(0, 2), keepdims=True), np.float32)
    # integer and bool input become float32; a Python q stays a weak scalar but the result
    # has the (strong) dtype of the promoted input
    xi = np.array([[3, 1, 4, 1], [5, 9, 2, 6]], np.int32)
    close(jnp.quantile(xi, 0.5, axis=1), [2.0, 5.5], np.float32)
    close(jnp.median(True), 1.0, np.float32)
    close(jnp.quantile(2.0, 0.3), 2.0, np.float32)
    close(jnp.quantile(X.astype(bf16), 0.25), np.quantile(X.astype(bf16).astype(np.float64),
                                                          0.25), bf16, rtol=1e-2)
    # 'nearest' rounds a half down (JAX), NumPy rounds it to even
    x = np.arange(4, dtype=np.float32)
    assert float(jnp.quantile(x, 0.5, method="nearest")) == 1.0
    assert float(jnp.quantile(np.arange(6.0), 0.5, method="nearest")) == 2.0
    # an empty q
    assert jnp.quantile(X, np.zeros((0,), np.float32), axis=1).shape == (0, 4)


def test_quantile_weights_inverted_cdf():
    w = np.abs(RNG.standard_normal((4, 7))).astype(np.float32) + 0.1
    for q in (0.3, Q[1:4]):
        close(jnp.quantile(X, q, weights=w, method="inverted_cdf"),
              np.quantile(X.astype(np.float64), q, weights=w, method="inverted_cdf"), np.float32)
        close(jnp.quantile(X, q, axis=1, weights=w[0], method="inverted_cdf"),
              np.quantile(X.astype(np.float64), q, axis=1, weights=np.broadcast_to(w[0], X.shape),
                          method="inverted_cdf"), np.float32)
    # a negative or NaN weight makes the slice NaN
    wb = w.copy()
    wb[1, 2] = -1.0
    assert np.isnan(A(jnp.quantile(X, 0.5, axis=1, weights=wb, method="inverted_cdf"))).tolist() \
        == [False, True, False, False]


def test_percentile_median_vs_numpy():
    for a in (X, XN, X3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            close(jnp.percentile(a, 30.0, axis=-1), np.percentile(a, 30.0, axis=-1), np.float32)
            close(jnp.percentile(a, np.array([10, 90]), axis=0, keepdims=True),
                  np.percentile(a, [10, 90], axis=0, keepdims=True), np.float32)
            close(jnp.nanpercentile(a, np.array([5.0, 50.0])), np.nanpercentile(a, [5.0, 50.0]),
                  np.float32)
            close(jnp.median(a, axis=1), np.median(a, axis=1), np.float32)
            close(jnp.median(a, keepdims=True), np.median(a, keepdims=True), np.float32)
            close(jnp.nanmedian(a, axis=-1), np.nanmedian(a, axis=-1), np.float32)
            close(jnp.nanmedian(a, axis=(0, 1)), np.nanmedian(a, axis=(0, 1)), np.float32)
    close(jnp.median(np.array([1, 2], np.int8)), 1.5, np.float32)
    close(jnp.nanmedian(np.array([np.nan, 1, np.nan, 3, 2.0], np.float32)), 2.0, np.float32)


def test_quantile_errors():
    with pytest.raises(ValueError, match="method can only be 'linear'"):
        jnp.quantile(X, 0.5, method="weibull")
    with pytest.raises(ValueError, match="does not support overwrite_input=True or out != None"):
        jnp.quantile(X, 0.5, overwrite_input=True)
    with pytest.raises(ValueError, match="q must be have rank <= 1"):
        jnp.quantile(X, np.ones((1, 2)) / 2)
    with pytest.raises(ValueError, match="quantile does not support complex input"):
        jnp.quantile(X.astype(np.complex64), 0.5)
    with pytest.raises(TypeError, match="floor does not accept dtype int32"):
        jnp.quantile(X, 1)
    with pytest.raises(NotImplementedError, match="linear doesn't support weights"):
        jnp.quantile(X, 0.5, weights=X)
    with pytest.raises(ValueError, match="Weights shape must match 'a' shape when axis is None"):
        jnp.quantile(X, 0.5, weights=X[0], method="inverted_cdf")
    with pytest.raises(ValueError, match="repeated axis"):
        jnp.quantile(X3, 0.5, axis=(0, 0))
    with pytest.raises(TypeError, match="quantile requires ndarray or scalar arguments"):
        jnp.quantile([1.0, 2.0], 0.5)


def test_quantile_transformations():
    f = lambda a, q: jnp.quantile(a, q, axis=-1)  # noqa: E731
    q = np.array([0.2, 0.9], np.float32)
    want = np.quantile(X, q, axis=-1)
    close(pyjax.jit(f)(X, q), want, np.float32, rtol=1e-5)
    close(pyjax.vmap(f, in_axes=(0, None))(X, q), want.T, np.float32, rtol=1e-5)
    close(pyjax.vmap(lambda qq: f(X, qq))(q), want, np.float32, rtol=1e-5)
    close(pyjax.vmap(lambda a: jnp.nanmedian(a))(XN), np.nanmedian(XN, axis=1), np.float32)
    # d median / dx: half to each of the two middle order statistics
    x = np.array([4.0, 1.0, 3.0, 2.0], np.float32)
    assert A(pyjax.grad(jnp.median)(x)).tolist() == [0.0, 0.0, 0.5, 0.5]
    assert A(pyjax.grad(jnp.nanmedian)(np.array([4.0, np.nan, 3.0, 2.0], np.float32))).tolist() \
        == [0.0, 0.0, 1.0, 0.0]
    # d quantile / dq (linear) = (high - low) * (n - 1)
    g = pyjax.grad(lambda qq: jnp.quantile(x, qq))(np.float32(0.5))
    assert float(g) == 3.0


# ---------------------------------------------------------------------------
# average, cov, corrcoef


def test_average_vs_numpy():
    w = np.abs(X) + 0.5
    for kw in ({}, {"axis": 1}, {"axis": (0, 1)}, {"weights": w}, {"weights": w, "axis": 0},
               {"weights": w[0], "axis": 1}, {"weights": w[:, 0], "axis": 0}):
        close(jnp.average(X, **kw), np.average(X, **kw), np.float32, rtol=1e-5)
        avg, ws = jnp.average(X, returned=True, **kw)
        want_avg, want_ws = np.average(X, returned=True, **kw)
        close(avg, want_avg, np.float32, rtol=1e-5)
        close(ws, want_ws, np.float32, rtol=1e-5)
    close(jnp.average(X, axis=1, keepdims=True), np.average(X, axis=1, keepdims=True))
    close(jnp.average(np.arange(4)), 1.5, np.float32)
    with pytest.raises(ValueError, match="Axis must be specified when shapes of a and weights"):
        jnp.average(X, weights=w[0])
    with pytest.raises(ValueError, match="Shape of weights must be consistent"):
        jnp.average(X, weights=w[0], axis=0)


def test_cov_vs_numpy():
    m = X[:3]
    f = np.array([1, 2, 0, 3, 1, 1, 2])
    a = np.abs(X[3]) + 0.1
    for kw in ({}, {"rowvar": False}, {"bias": True}, {"ddof": 3}, {"fweights": f},
               {"aweights": a}, {"fweights": f, "aweights": a}, {"aweights": a, "ddof": 0},
               {"fweights": f, "aweights": a, "bias": True}):
        close(jnp.cov(m, **kw), np.cov(m, **kw), np.float32, rtol=1e-5, atol=1e-6)
    close(jnp.cov(m[0], m[1]), np.cov(m[0], m[1]), np.float32, rtol=1e-5)
    close(jnp.cov(m[0]), np.cov(m[0]), np.float32, rtol=1e-5)
    close(jnp.cov(m, dtype=np.complex64), np.cov(m).astype(np.complex64), np.complex64, rtol=1e-5)
    z = (m + 1j * m[::-1]).astype(np.complex64)
    close(jnp.cov(z), np.cov(z), np.complex64, rtol=1e-5)
    assert jnp.cov(np.zeros((0, 3))).shape == (0, 0)
    assert np.isnan(A(jnp.cov(np.zeros((2, 0), np.float32)))).all()
    with pytest.raises(ValueError, match="m has more than 2 dimensions"):
        jnp.cov(X3)
    with pytest.raises(TypeError, match="fweights must be integer"):
        jnp.cov(m, fweights=np.ones(7))
    with pytest.raises(RuntimeError, match="incompatible numbers of samples and aweights"):
        jnp.cov(m, aweights=np.ones(3))


def test_corrcoef_vs_numpy():
    close(jnp.corrcoef(X), np.corrcoef(X), np.float32, rtol=1e-5, atol=1e-6)
    close(jnp.corrcoef(X, rowvar=False), np.corrcoef(X, rowvar=False), np.float32, rtol=1e-5,
          atol=1e-6)
    close(jnp.corrcoef(X[0], X[1]), np.corrcoef(X[0], X[1]), np.float32, rtol=1e-5, atol=1e-6)
    close(jnp.corrcoef(X[0]), 1.0, np.float32)
    assert np.isnan(float(jnp.corrcoef(np.zeros(3, np.float32))))
    c = A(jnp.corrcoef(np.stack([X[0], 3 * X[0] + 1, -X[0]])))    # clipped to [-1, 1]
    assert (np.abs(c) <= 1).all()
    np.testing.assert_allclose(c, [[1, 1, -1], [1, 1, -1], [-1, -1, 1]], rtol=1e-6)
    z = (X[:3] + 1j * X[1:]).astype(np.complex64)
    close(jnp.corrcoef(z), np.corrcoef(z), np.complex64, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# var / std and the nan-reductions


def test_var_std_ddof_correction_mean():
    for kw in ({}, {"ddof": 1}, {"axis": 1, "ddof": 2}, {"axis": 0, "keepdims": True}):
        close(jnp.var(X, **kw), np.var(X, **kw), np.float32, rtol=1e-5)
        close(jnp.std(X, **kw), np.std(X, **kw), np.float32, rtol=1e-5)
    close(jnp.var(X, correction=1), np.var(X, ddof=1), np.float32, rtol=1e-5)
    close(jnp.std(X, axis=1, correction=1.5), np.std(X, axis=1, ddof=1.5), np.float32, rtol=1e-5)
    mu = X.mean(axis=1, keepdims=True)
    close(jnp.var(X, axis=1, mean=mu), np.var(X, axis=1, mean=mu), np.float32, rtol=1e-5)
    close(jnp.std(X, axis=1, mean=mu, ddof=1), np.std(X, axis=1, mean=mu, ddof=1), np.float32,
          rtol=1e-5)
    assert np.isnan(float(jnp.var(X[:1, :1], ddof=1)))                 # n - ddof <= 0
    with pytest.raises(ValueError, match="ddof and correction can't be provided"):
        jnp.var(X, ddof=1, correction=1)
    with pytest.raises(ValueError, match="dtype argument to jnp.std must be inexact"):
        jnp.std(X, dtype=np.int32)
    with pytest.raises(ValueError, match="where must be None or a boolean array"):
        jnp.var(X, where=np.ones(X.shape, np.int32))
    # an integer dtype: JAX's result is a weak float (its final where with a Python nan)
    close(jnp.var(np.arange(6.0, dtype=np.float32), dtype=np.int32), 3.0, np.float32, weak=True)
    assert int(jnp.mean(np.arange(6, dtype=np.int32), dtype=np.int32)) == 2   # 15 // 6


def test_nan_reductions_vs_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in ("nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd"):
            for kw in ({}, {"axis": 1}, {"axis": 0, "keepdims": True}):
                close(getattr(jnp, fn)(XN, **kw), getattr(np, fn)(XN, **kw), np.float32,
                      rtol=1e-5)
        for fn in ("nanvar", "nanstd"):
            close(getattr(jnp, fn)(XN, axis=1, ddof=1), getattr(np, fn)(XN, axis=1, ddof=1),
                  np.float32, rtol=1e-5)
        close(jnp.nanvar(XN, axis=1, mean=np.nanmean(XN, axis=1, keepdims=True)),
              np.nanvar(XN, axis=1), np.float32, rtol=1e-5)
        for fn in ("nancumsum", "nancumprod"):
            close(getattr(jnp, fn)(XN, axis=1), getattr(np, fn)(XN, axis=1), np.float32,
                  rtol=1e-5)
            close(getattr(jnp, fn)(XN), getattr(np, fn)(XN), np.float32, rtol=1e-5)
        xi = np.array([[1, 5, 2], [3, 3, 0]], np.int32)
        assert A(jnp.nancumsum(xi, axis=0, dtype=bool)).tolist() == [[True] * 3, [True] * 3]
    # nanargmax/nanargmin: -1 for an all-NaN slice (JAX); NumPy raises there
    assert A(jnp.nanargmax(XN, axis=1)).tolist()[:3] == np.nanargmax(XN[:3], axis=1).tolist()
    assert A(jnp.nanargmin(XN, axis=1)).tolist() == np.nanargmin(XN[:3], axis=1).tolist() + [-1]
    assert jnp.nanargmax(XN, axis=1).dtype == np.int32
    assert A(jnp.nanargmax(XN, axis=0, keepdims=True)).shape == (1, 7)
    assert int(jnp.nanargmax(np.array([1, 3, 2], np.int32))) == 1
    # nanmax with `initial`: no NaN for all-NaN slices (initial is the answer there)
    close(jnp.nanmax(XN, axis=1, initial=0.5),
          np.max(np.where(np.isnan(XN), 0.5, np.maximum(XN, 0.5)), axis=1), np.float32)
    close(jnp.nanmin(XN, axis=1, initial=0.5), [min(0.5, np.nanmin(r)) for r in XN[:3]] + [0.5],
          np.float32)
    assert np.isnan(A(jnp.nanmax(XN, axis=1))[3])
    # ptp, count_nonzero
    close(jnp.ptp(X, axis=0), np.ptp(X, axis=0), np.float32)
    assert jnp.count_nonzero(np.array([[0, 1], [2, 0]]), axis=0).tolist() == [1, 1]


def test_nan_reductions_transformations():
    f = lambda a: jnp.nanvar(a, axis=-1)  # noqa: E731
    close(pyjax.jit(f)(XN), np.nanvar(XN, axis=-1), np.float32, rtol=1e-5)
    close(pyjax.vmap(f)(XN), np.nanvar(XN, axis=-1), np.float32, rtol=1e-5)
    g = A(pyjax.grad(lambda a: jnp.nansum(jnp.nanstd(a, axis=1)))(XN))
    assert np.isfinite(g).all() and (g[np.isnan(XN)] == 0).all()   # the double-where trick
    g = A(pyjax.grad(lambda a: jnp.nanmean(a))(np.array([1.0, np.nan, 3.0], np.float32)))
    assert g.tolist() == [0.5, 0.0, 0.5]


# ---------------------------------------------------------------------------
# Oracle: real JAX


def test_oracle_statistics_x32():
    with jax_x64(False) as jax:
        jn = jax.numpy
        w = np.abs(X) + 0.5
        calls = [
            ("quantile", (XN, 0.3), {"axis": 1, "method": "nearest"}),
            ("quantile", (X, Q), {"axis": (0, 1), "keepdims": True}),
            ("quantile", (X.astype(bf16), np.float32(0.3)), {"method": "midpoint"}),
            ("quantile", (X, 0.5), {"method": "inverted_cdf", "weights": w}),
            ("nanquantile", (XN, Q), {"axis": 1, "keepdims": True}),
            ("nanquantile", (XN, 0.7), {"axis": 0, "method": "inverted_cdf"}),
            ("percentile", (X, 30), {}), ("nanpercentile", (XN, np.array([10, 60])), {}),
            ("median", (np.arange(6, dtype=np.int8),), {}), ("nanmedian", (XN,), {"axis": 1}),
            ("average", (X,), {"weights": w[0], "axis": 1, "returned": True}),
            ("average", (2.0,), {}), ("cov", (X,), {"fweights": np.arange(7)}),
            ("corrcoef", (X,), {"rowvar": False}),
            ("var", (X,), {"dtype": np.int32}), ("var", (X,), {"correction": 0.5, "axis": 0}),
            ("std", (X.astype(np.float16),), {"ddof": 1}),
            ("nanvar", (XN,), {"ddof": 1, "axis": 1}), ("nanstd", (3,), {}),
            ("nanmean", (XN.astype(np.float16),), {}), ("nanmean", (True,), {}),
            ("nanmax", (XN,), {"axis": 1, "initial": 0.5}),
            ("nanargmax", (XN,), {"axis": 1}), ("nanargmin", (2.0,), {}),
            ("nancumsum", (XN,), {"axis": 0}), ("nancumprod", (np.arange(3),), {}),
            ("ptp", (3,), {}), ("count_nonzero", (X,), {"axis": 0}),
        ]
        # One compiled JAX program for all calls (JAX compiles each op or jit separately).
        wants = jax.jit(lambda: [getattr(jn, n)(*a, **k) for n, a, k in calls])()
        for (name, args, kw), want in zip(calls, wants):
            got = getattr(jnp, name)(*args, **kw)
            if isinstance(want, (tuple, list)):
                for g, wv in zip(got, want):
                    like_jax(g, wv, rtol=1e-5)
            else:
                like_jax(got, want, rtol=2e-3 if name == "nanmean" else 1e-5)


def test_oracle_statistics_x64_and_grads():
    with jax_x64(True) as jax:
        jn = jax.numpy
        x = X.astype(np.float64)
        q = np.array([0.2, 0.8], np.float32)
        aw = np.arange(1.0, 8.0)
        wants = jax.jit(lambda: (jn.quantile(x, q), jn.nanargmin(XN),
                                 jn.cov(x, aweights=aw, ddof=2), jn.average(np.arange(4))))()
        gots = (jnp.quantile(x, q), jnp.nanargmin(XN), jnp.cov(x, aweights=aw, ddof=2),
                jnp.average(np.arange(4)))
        for g, w in zip(gots, wants):
            like_jax(g, w)
    with jax_x64(False) as jax:
        jn = jax.numpy
        q = np.array([0.25, 0.5], np.float32)
        cases = (("quantile", "linear"), ("nanquantile", "linear"), ("quantile", "nearest"),
                 ("nanquantile", "midpoint"))

        def loss(mod, name, method):
            return lambda a, qq: mod.sum(getattr(mod, name)(a, qq, axis=1, method=method))

        wants = jax.jit(lambda a, qq: [jax.grad(loss(jn, n, m), argnums=(0, 1))(a, qq)
                                       for n, m in cases]
                        + [jax.grad(lambda v: jn.sum(jn.corrcoef(v)))(a)])(XN, q)
        for (n, m), want in zip(cases, wants):
            got = pyjax.grad(loss(jnp, n, m), argnums=(0, 1))(XN, q)
            for a, b in zip(got, want):
                np.testing.assert_allclose(A(a), A(b), rtol=1e-5, atol=1e-6)
        got = pyjax.grad(lambda a: jnp.sum(jnp.corrcoef(a)))(XN)
        np.testing.assert_allclose(A(got), A(wants[-1]), rtol=1e-4, atol=1e-5)
