"""Tests of pyjax.random's distributions (pyjax/_src/random_distributions.py, random_math.py,
random_linalg.py): bit-for-bit agreement with JAX 0.10.2, jit/vmap, gradients, moments, errors.

The oracle
----------
Compiling JAX's samplers takes XLA about a second per sampler and shape (gamma-based ones
more), far too slow to redo for every function x shape x dtype in each test run.  So JAX's
outputs (eager calls, each sampler compiled on its own, exactly as a user gets them) are
stored in ``tests/test_random_distributions_oracle.npz``, made by running this file:

    python tests/test_random_distributions.py --make-oracle      (needs jax==0.10.2)

`test_oracle_fixture` compares pyjax with it bit for bit (5 seeds x 4 shapes x every
function, float32 and float64; fewer for float16/bfloat16, 64-bit mode with float32,
and jax_threefry_partitionable=False).  `test_fixture_matches_live_jax` (skipped without
jax) recomputes a sample of the stored outputs with real JAX, so the file cannot drift
from what JAX computes; PYJAX_FULL_RANDOM_ORACLE=1 makes it recompute all of them.

XLA:CPU's arithmetic differs between processors (the fused multiply-adds LLVM emits, the
reciprocal-square-root estimate), so the stored bits are those of an x86-64 machine with
FMA and AVX-512; elsewhere the bit-exact tests are skipped and the tolerance tests remain.

Not bit-exact (checked to tolerance or by invariants, see `test_oracle_linalg`):
orthogonal and multivariate_normal, whose factorisations JAX gets from LAPACK; and
gradients of the gamma family, which use lax.lgamma/digamma.
"""
import contextlib
import math
import os
import sys

import ml_dtypes
import numpy as np
import pytest

if __name__ == "__main__":  # run as a script from anywhere: import the pyjax next to tests/
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pyjax  # noqa: E402
import pyjax.random as pr
from pyjax._src.config import config

bf16 = np.dtype(ml_dtypes.bfloat16)
f16, f32, f64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
ORACLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "test_random_distributions_oracle.npz")

SEEDS = [0, 1, 42, -7, 2 ** 31 + 5]
SHAPES = [(), (3,), (2, 3), (7,)]


def _size(s):
    return int(np.prod(s, dtype=np.int64))


def _arr(s, lo, hi, dt):
    """Parameters of shape `s` spread over [lo, hi]."""
    return np.linspace(lo, hi, max(_size(s), 1))[:_size(s)].reshape(s).astype(dt)


LOGITS4 = np.array([0.1, -1.0, 2.0, 0.5])
LOGITS34 = np.array([[0.1, -1.0, 2.0, 0.5], [1.0, 1.0, -3.0, 0.0], [0.0, 0.2, 0.3, -0.4]])


# name -> fn(r, key, shape, dtype); r is jax.random or pyjax.random
CASES = {
    "exponential": lambda r, k, s, dt: r.exponential(k, s, dt),
    "laplace": lambda r, k, s, dt: r.laplace(k, s, dt),
    "logistic": lambda r, k, s, dt: r.logistic(k, s, dt),
    "cauchy": lambda r, k, s, dt: r.cauchy(k, s, dt),
    "gumbel": lambda r, k, s, dt: r.gumbel(k, s, dt),
    "gumbel_high": lambda r, k, s, dt: r.gumbel(k, s, dt, mode="high"),
    "gumbel_highest": lambda r, k, s, dt: r.gumbel(k, s, dt, mode="highest"),
    "rayleigh": lambda r, k, s, dt: r.rayleigh(k, 1.7, s, dt),
    "rayleigh_arr": lambda r, k, s, dt: r.rayleigh(k, _arr(s, 0.5, 3.0, dt), None, dt),
    "pareto": lambda r, k, s, dt: r.pareto(k, 2.5, s, dt),
    "pareto_arr": lambda r, k, s, dt: r.pareto(k, _arr(s, 0.5, 4.0, dt), None, dt),
    "weibull_min": lambda r, k, s, dt: r.weibull_min(k, 1.3, 0.7, s, dt),
    "weibull_min_arr": lambda r, k, s, dt: r.weibull_min(k, _arr(s, 0.5, 2.0, dt),
                                                         _arr(s, 0.3, 5.0, dt), s, dt),
    "lognormal": lambda r, k, s, dt: r.lognormal(k, 0.6, s, dt),
    "lognormal_arr": lambda r, k, s, dt: r.lognormal(k, _arr(s, 0.1, 2.0, dt), None, dt),
    "maxwell": lambda r, k, s, dt: r.maxwell(k, s, dt),
    "double_sided_maxwell": lambda r, k, s, dt: r.double_sided_maxwell(k, 0.3, 1.5, s, dt),
    "geometric": lambda r, k, s, dt: r.geometric(k, np.array(0.3, dt), s),
    "geometric_arr": lambda r, k, s, dt: r.geometric(k, _arr(s, 0.05, 0.95, dt)),
    "triangular": lambda r, k, s, dt: r.triangular(k, -1.0, 0.3, 2.0, s, dt),
    "triangular_arr": lambda r, k, s, dt: r.triangular(k, _arr(s, -2, 0, dt), _arr(s, 0, 1, dt),
                                                       _arr(s, 1, 4, dt), None, dt),
    "wald": lambda r, k, s, dt: r.wald(k, 1.4, s, dt),
    "wald_arr": lambda r, k, s, dt: r.wald(k, _arr(s, 0.2, 5.0, dt), None, dt),
    "truncated_normal": lambda r, k, s, dt: r.truncated_normal(k, -0.5, 1.7, s, dt),
    "truncated_normal_arr": lambda r, k, s, dt: r.truncated_normal(
        k, _arr(s, -3.0, 1.0, dt), _arr(s, -1.0, 4.0, dt), None, dt),
    "gamma": lambda r, k, s, dt: r.gamma(k, 2.3, s, dt),
    "gamma_small": lambda r, k, s, dt: r.gamma(k, 0.3, s, dt),
    "gamma_arr": lambda r, k, s, dt: r.gamma(k, _arr(s, 0.05, 30.0, dt), None, dt),
    "loggamma": lambda r, k, s, dt: r.loggamma(k, 0.2, s, dt),
    "loggamma_arr": lambda r, k, s, dt: r.loggamma(k, _arr(s, 0.01, 8.0, dt), None, dt),
    "beta": lambda r, k, s, dt: r.beta(k, 0.7, 2.0, s, dt),
    "beta_arr": lambda r, k, s, dt: r.beta(k, _arr(s, 0.1, 5.0, dt), _arr(s, 3.0, 0.3, dt), None, dt),
    "dirichlet": lambda r, k, s, dt: r.dirichlet(k, np.array([0.5, 1.5, 3.0], dt), s, dt),
    "chisquare": lambda r, k, s, dt: r.chisquare(k, 3.0, s, dt),
    "f": lambda r, k, s, dt: r.f(k, 3.0, 5.0, s, dt),
    "f_arr": lambda r, k, s, dt: r.f(k, _arr(s, 1.0, 9.0, dt), _arr(s, 4.0, 1.5, dt), None, dt),
    "t": lambda r, k, s, dt: r.t(k, 4.0, s, dt),
    "t_arr": lambda r, k, s, dt: r.t(k, _arr(s, 0.5, 12.0, dt), None, dt),
    "generalized_normal": lambda r, k, s, dt: r.generalized_normal(k, 1.5, s, dt),
    "generalized_normal_p2": lambda r, k, s, dt: r.generalized_normal(k, 2, s, dt),
    "ball": lambda r, k, s, dt: r.ball(k, 3, 2, s, dt),
    "ball_p": lambda r, k, s, dt: r.ball(k, 4, 1.5, s, dt),
    "rademacher": lambda r, k, s, dt: r.rademacher(k, s),
    "rademacher_float": lambda r, k, s, dt: r.rademacher(k, s, dt),
    "poisson": lambda r, k, s, dt: r.poisson(k, 3.5, s),
    "poisson_big": lambda r, k, s, dt: r.poisson(k, 37.0, s),
    "poisson_arr": lambda r, k, s, dt: r.poisson(k, _arr(s, 0.0, 40.0, np.float32)),
    "binomial": lambda r, k, s, dt: r.binomial(k, 12.0, 0.3, s, dt),
    "binomial_btrs": lambda r, k, s, dt: r.binomial(k, 100.0, 0.35, s, dt),
    "binomial_arr": lambda r, k, s, dt: r.binomial(k, _arr(s, 3.0, 80.0, dt), _arr(s, 0.05, 0.95, dt),
                                                   None, dt),
    "categorical": lambda r, k, s, dt: r.categorical(k, LOGITS4.astype(dt), shape=s),
    "categorical_axis0": lambda r, k, s, dt: r.categorical(k, LOGITS34.astype(dt), axis=0,
                                                           shape=s + (4,)),
    "categorical_no_replace": lambda r, k, s, dt: r.categorical(
        k, LOGITS34.astype(dt), shape=(min(_size(s), 4), 3), replace=False),
    "multinomial": lambda r, k, s, dt: r.multinomial(k, 20.0, np.array([0.2, 0.3, 0.5], dt),
                                                     shape=s + (3,), dtype=dt),
    "gamma_invalid": lambda r, k, s, dt: r.gamma(k, np.array([0., -1., np.nan, np.inf, 1e-30], dt)),
    "binomial_invalid": lambda r, k, s, dt: r.binomial(
        k, np.array([-1., np.nan, 10., np.inf, 10., 0.], dt),
        np.array([0.5, 0.5, np.nan, 0.3, -0.2, 0.5], dt), None, dt),
    "poisson_invalid": lambda r, k, s, dt: r.poisson(k, np.array([np.nan, -1., 0., 1e4], np.float32)),
}

# Cases whose shape argument is not used (fixed-shape parameters): one shape is enough.
FIXED_SHAPE = {"gamma_invalid", "binomial_invalid", "poisson_invalid"}

# One case per function runs over every shape; the other variants (array parameters,
# other modes, edge values) over two.  The fixture holds every case in every shape.
PRIMARY = {"exponential", "laplace", "logistic", "cauchy", "gumbel", "rayleigh", "pareto",
           "weibull_min", "lognormal", "maxwell", "double_sided_maxwell", "geometric",
           "triangular", "wald", "truncated_normal", "gamma", "loggamma", "beta", "dirichlet",
           "chisquare", "f", "t", "generalized_normal", "ball", "rademacher", "poisson",
           "binomial", "categorical", "multinomial"}

# The other configurations run a selection (the fixture holds every case).
CONFIG_CASES = {
    "f16": sorted(PRIMARY | {"gumbel_high", "pareto_arr", "gamma_small", "f_arr", "ball_p"}),
    "bf16": sorted(PRIMARY | {"gumbel_high", "pareto_arr", "gamma_small", "f_arr", "ball_p"}),
    "f32_x64": ["rademacher", "poisson", "poisson_arr", "geometric", "categorical",
                "categorical_no_replace", "gamma", "binomial_arr", "dirichlet", "ball"],
    "not_partitionable": ["exponential", "gamma", "loggamma", "poisson", "poisson_big",
                          "binomial_btrs", "dirichlet", "categorical", "truncated_normal",
                          "gumbel_highest", "multinomial", "ball"],
}

# name -> (x64, partitionable, dtype, shapes, seeds)
CONFIGS = {
    "f32": (False, True, f32, SHAPES, SEEDS),
    "f64": (True, True, f64, SHAPES, SEEDS),
    "f16": (False, True, f16, [(2, 3)], SEEDS[:2]),
    "bf16": (False, True, bf16, [(2, 3)], SEEDS[:2]),
    "f32_x64": (True, True, f32, [(3,)], SEEDS[:2]),
    "not_partitionable": (False, False, f32, [(2, 3)], SEEDS[:2]),
}


def _shapes_for(case, shapes):
    return shapes[-1:] if case in FIXED_SHAPE else shapes


def _test_shapes(case, shapes):
    if case in FIXED_SHAPE:
        return shapes[-1:]
    return shapes if case in PRIMARY else shapes[1:3] or shapes


def _oracle_params():
    for cfg in CONFIGS:
        for case in CONFIG_CASES.get(cfg, sorted(CASES)):
            yield cfg, case


def _oracle_key(cfg, case, shape, seed):
    return f"{cfg}|{case}|{'x'.join(map(str, shape)) or 'scalar'}|{seed}"


@contextlib.contextmanager
def pyjax_flags(x64, part):
    with config.override(jax_enable_x64=x64, jax_threefry_partitionable=part):
        yield


@contextlib.contextmanager
def jax_flags(jax, x64, part):
    old = (jax.config.jax_enable_x64, jax.config.jax_threefry_partitionable)
    jax.config.update("jax_enable_x64", x64)
    jax.config.update("jax_threefry_partitionable", part)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", old[0])
        jax.config.update("jax_threefry_partitionable", old[1])


def bits_of(x):
    x = np.asarray(x)
    if x.dtype.kind == "f" or x.dtype == bf16:
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
        bad = np.argwhere(~same)
        i = tuple(bad[0])
        raise AssertionError(f"{msg}: {int((~same).sum())}/{same.size} differ, e.g. at {i}: "
                             f"{a[i]!r} vs {e[i]!r}")


def _machine_matches_oracle():
    """The stored bits come from XLA:CPU on x86-64 with FMA and AVX-512."""
    import platform
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "")
    except OSError:
        return False
    return " fma" in flags and " avx512f" in flags


@pytest.fixture(scope="module")
def oracle():
    if not os.path.exists(ORACLE_PATH):
        pytest.skip("oracle file missing: run python tests/test_random_distributions.py --make-oracle")
    if not _machine_matches_oracle():
        pytest.skip("JAX's stored bits are those of an x86-64 CPU with FMA and AVX-512")
    return _load_oracle(ORACLE_PATH)


def _pack(arrays):
    """Many small arrays as four (npz stores each array with a few hundred bytes of headers)."""
    keys = sorted(arrays)
    vals = [np.asarray(arrays[k]) for k in keys]
    return {"keys": np.array(keys), "dtypes": np.array([v.dtype.str for v in vals]),
            "shapes": np.array(["x".join(map(str, v.shape)) for v in vals]),
            "data": np.frombuffer(b"".join(v.tobytes() for v in vals), np.uint8)}


def _load_oracle(path):
    with np.load(path, allow_pickle=False) as f:
        keys, dts, shapes, data = f["keys"], f["dtypes"], f["shapes"], f["data"]
    out, pos = {}, 0
    for k, dt, sh in zip(keys.tolist(), dts.tolist(), shapes.tolist()):
        shape = tuple(int(d) for d in sh.split("x")) if sh else ()
        n = int(np.prod(shape, dtype=np.int64)) * np.dtype(dt).itemsize
        out[k] = np.frombuffer(data[pos:pos + n].tobytes(), dt).reshape(shape)
        pos += n
    return out


def _expected(oracle, key):
    if key not in oracle:
        pytest.skip(f"no stored JAX output for {key} (regenerate the oracle file)")
    return oracle[key]


def _stored(value):
    """The oracle's storage form: bfloat16 as its bits (npz has no bfloat16)."""
    a = np.asarray(value)
    return a.view(np.uint16) if a.dtype == bf16 else a


def _restore(stored, dtype_hint):
    return stored.view(bf16) if dtype_hint == bf16 and stored.dtype == np.uint16 else stored


# ---------------------------------------------------------------------------
# Bit-exact oracle (stored JAX outputs)


@pytest.mark.parametrize("cfg,case", list(_oracle_params()))
def test_oracle_fixture(oracle, cfg, case):
    x64, part, dt, shapes, seeds = CONFIGS[cfg]
    fn = CASES[case]
    with pyjax_flags(x64, part):
        keys = np.stack([np.asarray(pr.PRNGKey(s)) for s in seeds])
        failures = []
        for shape in _test_shapes(case, shapes):
            # all seeds at once: vmap over keys must give each key's own samples
            got = pyjax.vmap(lambda k, s=shape: fn(pr, k, s, dt))(keys)
            for i, seed in enumerate(seeds):
                key = _oracle_key(cfg, case, shape, seed)
                exp = _expected(oracle, key)
                try:
                    assert_bitwise(np.asarray(got)[i], _restore(exp, np.asarray(got).dtype), key)
                except AssertionError as e:
                    failures.append(str(e))
    assert not failures, "\n".join(failures[:8])


LIVE_SAMPLE = [("f32", "exponential", (3,)), ("f32", "gamma", (3,)), ("f32", "poisson", (3,)),
               ("f32", "truncated_normal", (3,)), ("f32", "wald", ()), ("f64", "pareto", (3,)),
               ("f16", "logistic", (2, 3))]


def test_fixture_matches_live_jax(oracle):
    """The stored outputs are what JAX computes (a sample, or all with
    PYJAX_FULL_RANDOM_ORACLE=1), and pyjax computes them too."""
    jax = pytest.importorskip("jax")
    if jax.__version__ != "0.10.2":
        pytest.skip(f"the oracle file was made with jax 0.10.2, not {jax.__version__}")
    if os.environ.get("PYJAX_FULL_RANDOM_ORACLE") == "1":
        sample = [(c, n, s) for c in CONFIGS for n in CASES
                  for s in _shapes_for(n, CONFIGS[c][3])]
    else:
        sample = LIVE_SAMPLE
    for cfg, case, shape in sample:
        x64, part, dt, _, seeds = CONFIGS[cfg]
        with jax_flags(jax, x64, part), pyjax_flags(x64, part):
            for seed in seeds[:2]:
                live = np.asarray(CASES[case](jax.random, jax.random.PRNGKey(seed), shape, dt))
                key = _oracle_key(cfg, case, shape, seed)
                assert_bitwise(_restore(_expected(oracle, key), live.dtype), live, f"{key} (file)")
                assert_bitwise(CASES[case](pr, pr.PRNGKey(seed), shape, dt), live, f"{key} (pyjax)")
        if len(sample) > len(LIVE_SAMPLE):
            jax.clear_caches()   # XLA keeps every compiled program otherwise


# ---------------------------------------------------------------------------
# Linear algebra: tolerance and invariants

def _cov(n, dt):
    a = np.random.default_rng(n).normal(size=(n, n))
    return (a @ a.T + 0.5 * np.eye(n)).astype(dt), np.linspace(-1, 1, n).astype(dt)


LINALG_CASES = {
    "orthogonal": lambda r, k, dt: r.orthogonal(k, 3, (), dt),
    "orthogonal_tall": lambda r, k, dt: r.orthogonal(k, 5, (2,), dt, m=3),
    "orthogonal_wide": lambda r, k, dt: r.orthogonal(k, 2, (), dt, m=4),
    "mvn_cholesky": lambda r, k, dt: r.multivariate_normal(k, _cov(4, dt)[1], _cov(4, dt)[0], (3,)),
    "mvn_eigh": lambda r, k, dt: r.multivariate_normal(k, _cov(4, dt)[1], _cov(4, dt)[0], (3,),
                                                       method="eigh"),
    "mvn_svd": lambda r, k, dt: r.multivariate_normal(k, _cov(3, dt)[1], _cov(3, dt)[0], None,
                                                      method="svd"),
}


@pytest.mark.parametrize("dt", [f32, f64], ids=["f32", "f64"])
def test_oracle_linalg(oracle, dt):
    """orthogonal and multivariate_normal(cholesky) agree with JAX to rounding (JAX factors
    with LAPACK); eigh/svd factors are unique only up to column signs, so for those the
    Mahalanobis norm of each sample (which is |z|^2 for the shared normal draws z) agrees."""
    cfg = "f32" if dt == f32 else "f64"
    rtol = 2e-5 if dt == f32 else 1e-12
    with pyjax_flags(dt == f64, True):
        for name, fn in LINALG_CASES.items():
            for seed in SEEDS[:3]:
                key = _oracle_key(cfg, name, (), seed)
                exp = _expected(oracle, key)
                got = np.asarray(fn(pr, pr.PRNGKey(seed), dt))
                assert got.shape == exp.shape and got.dtype == exp.dtype, key
                if name.startswith("mvn_eigh") or name.startswith("mvn_svd"):
                    n = got.shape[-1]
                    cov, mean = _cov(n, dt)
                    inv = np.linalg.inv(cov.astype(f64))
                    maha = lambda x: np.einsum("...i,ij,...j->...", x - mean, inv, x - mean)  # noqa
                    np.testing.assert_allclose(maha(got.astype(f64)), maha(exp.astype(f64)),
                                               rtol=rtol * 100, err_msg=key)
                else:
                    np.testing.assert_allclose(got, exp, rtol=rtol, atol=rtol, err_msg=key)


def test_orthogonal_and_mvn_properties():
    q = np.asarray(pr.orthogonal(pr.PRNGKey(0), 5, (3,)))
    assert q.shape == (3, 5, 5)
    np.testing.assert_allclose(np.einsum("bij,bkj->bik", q, q), np.broadcast_to(np.eye(5), (3, 5, 5)),
                               atol=1e-5)
    w = np.asarray(pr.orthogonal(pr.PRNGKey(1), 2, (), m=4))
    np.testing.assert_allclose(w @ w.T, np.eye(2), atol=1e-6)
    cov, mean = _cov(3, f32)
    for method in ("cholesky", "eigh", "svd"):
        x = np.asarray(pr.multivariate_normal(pr.PRNGKey(2), mean, cov, (4000,), method=method))
        assert x.shape == (4000, 3) and x.dtype == f32
        np.testing.assert_allclose(x.mean(0), mean, atol=6 * np.sqrt(np.diag(cov) / 4000).max())
        np.testing.assert_allclose(np.cov(x.T), cov, rtol=0.1, atol=0.2)
    # not positive definite: NaN, as LAPACK's failure in JAX
    bad = np.array([[1.0, 2.0], [2.0, 1.0]], f32)
    assert np.isnan(np.asarray(pr.multivariate_normal(pr.PRNGKey(0), np.zeros(2, f32), bad))).all()


# ---------------------------------------------------------------------------
# Gradients

# name -> (fn(r, key, param), param): reparameterised samplers differentiated in a parameter
GRAD_CASES = {
    "gamma": (lambda r, k, a: r.gamma(k, a, (5,)).sum(), 2.3),
    "gamma_small": (lambda r, k, a: r.gamma(k, a, (5,)).sum(), 0.3),
    "loggamma": (lambda r, k, a: r.loggamma(k, a, (5,)).sum(), 0.7),
    "beta": (lambda r, k, a: r.beta(k, a, 2.0, (5,)).sum(), 1.5),
    "dirichlet": (lambda r, k, a: (r.dirichlet(k, np.array([1.0, 2.0, 3.0], np.float32) * a)
                                   * np.arange(3)).sum(), 1.2),
    "chisquare": (lambda r, k, a: r.chisquare(k, a, (5,)).sum(), 3.0),
    "t": (lambda r, k, a: r.t(k, a, (5,)).sum(), 4.0),
    "f": (lambda r, k, a: r.f(k, a, 3.0, (5,)).sum(), 4.0),
    "generalized_normal": (lambda r, k, a: r.generalized_normal(k, a, (5,)).sum(), 1.5),
    "pareto": (lambda r, k, a: r.pareto(k, a, (5,)).sum(), 2.5),
    "lognormal": (lambda r, k, a: r.lognormal(k, a, (5,)).sum(), 0.5),
    "weibull_min": (lambda r, k, a: r.weibull_min(k, 1.5, a, (5,)).sum(), 2.0),
    "rayleigh": (lambda r, k, a: r.rayleigh(k, a, (5,)).sum(), 2.0),
    "wald": (lambda r, k, a: r.wald(k, a, (5,)).sum(), 1.5),
    "truncated_normal": (lambda r, k, a: r.truncated_normal(k, a, 2.0, (5,)).sum(), -0.5),
    "triangular": (lambda r, k, a: r.triangular(k, 0.0, a, 2.0, (5,)).sum(), 0.7),
    "double_sided_maxwell": (lambda r, k, a: r.double_sided_maxwell(k, a, 2.0, (5,)).sum(), 0.7),
    "ball": (lambda r, k, a: r.ball(k, 3, a, (2,)).sum(), 1.5),
}


@pytest.mark.parametrize("dt", [f32, f64], ids=["f32", "f64"])
def test_oracle_gradients(oracle, dt):
    """Gradients agree with jax.grad (the gamma family to the precision of lgamma/digamma,
    which pyjax computes with other formulas than XLA)."""
    cfg = "f32" if dt == f32 else "f64"
    rtol = 1e-4 if dt == f32 else 1e-9
    with pyjax_flags(dt == f64, True):
        for name, (fn, a) in GRAD_CASES.items():
            key = f"grad|{cfg}|{name}"
            exp = _expected(oracle, key)
            got = pyjax.grad(lambda p: fn(pr, pr.PRNGKey(3), p))(dt.type(a))
            np.testing.assert_allclose(np.asarray(got), exp, rtol=rtol, err_msg=key)


def test_reparameterized_gradients_vs_finite_differences():
    """Samplers that are smooth in their parameters for a fixed key: jax.grad equals the
    derivative of the sample (central differences in float64)."""
    smooth = ["pareto", "lognormal", "weibull_min", "rayleigh", "wald", "truncated_normal",
              "triangular", "double_sided_maxwell"]
    with pyjax_flags(True, True):
        for name in smooth:
            fn, a = GRAD_CASES[name]
            f = lambda p: fn(pr, pr.PRNGKey(3), p)  # noqa: E731
            g = float(pyjax.grad(f)(np.float64(a)))
            eps = 1e-6
            fd = (float(f(np.float64(a + eps))) - float(f(np.float64(a - eps)))) / (2 * eps)
            assert abs(g - fd) <= 1e-5 * max(1.0, abs(fd)), (name, g, fd)


def test_gamma_implicit_gradient():
    """d sample / d alpha of gamma keeps the sample's CDF value fixed: compare with the
    derivative of the inverse regularised incomplete gamma function (SciPy, float64)."""
    sps = pytest.importorskip("scipy.special")
    with pyjax_flags(True, True):
        for a, log_space in ((0.3, True), (2.5, False)):
            sampler = pr.loggamma if log_space else pr.gamma
            f = lambda al: sampler(pr.PRNGKey(7), al, (4,))  # noqa: E731
            x = np.asarray(f(np.float64(a)))
            jac = np.asarray(pyjax.jacfwd(f)(np.float64(a)))
            x = np.exp(x) if log_space else x
            u = sps.gammainc(a, x)
            eps = 1e-6 * a
            hi, lo = sps.gammaincinv(a + eps, u), sps.gammaincinv(a - eps, u)
            fd = ((np.log(hi) - np.log(lo)) if log_space else (hi - lo)) / (2 * eps)
            np.testing.assert_allclose(jac, fd, rtol=1e-5, atol=1e-10)


# ---------------------------------------------------------------------------
# jit, vmap, shapes and dtypes

_JIT_CASES = ["gamma", "poisson", "binomial_arr", "wald", "categorical_no_replace",
              "truncated_normal_arr"]


@pytest.mark.parametrize("case", _JIT_CASES)
def test_jit_equals_eager_and_vmap_equals_loop(case):
    fn = CASES[case]
    shape = (3,)
    keys = pr.split(pr.PRNGKey(11), 2)
    eager = [np.asarray(fn(pr, keys[i], shape, f32)) for i in range(2)]
    jitted = pyjax.jit(lambda k: fn(pr, k, shape, f32))
    for i in range(2):
        assert_bitwise(jitted(keys[i]), eager[i], f"{case} jit")
    batched = pyjax.vmap(lambda k: fn(pr, k, shape, f32))(keys)
    for i in range(2):
        assert_bitwise(np.asarray(batched)[i], eager[i], f"{case} vmap")
    typed = pyjax.vmap(lambda k: fn(pr, k, shape, f32))(pr.wrap_key_data(keys))
    assert_bitwise(typed, batched, f"{case} typed keys")


def test_vmap_over_parameters():
    alphas = np.array([0.5, 2.0, 7.0], f32)
    k = pr.PRNGKey(5)
    got = pyjax.vmap(lambda a: pr.gamma(k, a, (4,)))(alphas)
    for i, a in enumerate(alphas):
        assert_bitwise(np.asarray(got)[i], pr.gamma(k, a, (4,)), f"alpha={a}")
    lam = np.array([1.0, 30.0], f32)
    got = pyjax.vmap(lambda l: pr.poisson(k, l, (3,)))(lam)
    for i, l in enumerate(lam):
        assert_bitwise(np.asarray(got)[i], pr.poisson(k, l, (3,)), f"lam={l}")


def test_shapes_and_dtypes():
    k = pr.PRNGKey(0)
    for name in ("exponential", "gumbel_high", "pareto_arr", "truncated_normal", "beta"):
        for dt in (f32, bf16):
            out = CASES[name](pr, k, (2, 3), dt)
            assert isinstance(out, pyjax.Array) and out.dtype == dt and out.shape == (2, 3), name
    for name in ("rademacher", "poisson", "geometric", "categorical"):
        assert CASES[name](pr, k, (2, 3), f32).dtype == np.int32, name
    assert pr.dirichlet(k, np.ones(4, f32), (2, 3)).shape == (2, 3, 4)
    assert pr.ball(k, 5, shape=(2,)).shape == (2, 5)
    assert pr.double_sided_maxwell(k, np.zeros(2), 1.0, (3,)).shape == (3, 2)
    assert pr.categorical(k, np.zeros((3, 5), f32)).shape == (3,)
    assert pr.categorical(k, np.zeros((3, 5), f32), axis=0).shape == (5,)
    assert pr.multinomial(k, 10.0, np.full(4, 0.25, f32)).shape == (4,)
    assert pr.gamma(k, np.ones((2, 1), f32), (4, 2, 3)).shape == (4, 2, 3)
    with pyjax_flags(True, True):
        assert pr.poisson(k, 2.0, (3,)).dtype == np.int64
        assert pr.gamma(k, 2.0, (3,)).dtype == f64
        assert pr.geometric(k, 0.5, (3,)).dtype == np.int64
        assert pr.categorical(k, np.zeros(3)).dtype == np.int64
    # zero-size shapes
    assert pr.gamma(k, 1.0, (0,)).shape == (0,)
    assert pr.exponential(k, (2, 0)).shape == (2, 0)


def test_moments():
    """Sample moments near the distributions' (loose bounds; catches wrong formulas)."""
    k = pr.PRNGKey(123)
    n = 2000

    def check(x, mean, var, name, var_rtol=0.2):
        x = np.asarray(x, f64)
        se = math.sqrt(var / n)
        assert abs(x.mean() - mean) < 6 * se + 1e-9, (name, x.mean(), mean)
        if var_rtol:
            assert abs(x.var() - var) < var_rtol * var + 1e-9, (name, x.var(), var)

    check(pr.exponential(k, (n,)), 1, 1, "exponential")
    check(pr.laplace(k, (n,)), 0, 2, "laplace")
    check(pr.logistic(k, (n,)), 0, math.pi ** 2 / 3, "logistic")
    check(pr.gumbel(k, (n,), mode="high"), 0.5772156649, math.pi ** 2 / 6, "gumbel_high")
    check(pr.gamma(k, 2.5, (n,)), 2.5, 2.5, "gamma")
    check(np.exp(np.asarray(pr.loggamma(k, 0.4, (n,)))), 0.4, 0.4, "loggamma")
    check(pr.beta(k, 2.0, 3.0, (n,)), 0.4, 0.04, "beta")
    check(pr.t(k, 6.0, (n,)), 0, 1.5, "t")
    check(pr.f(k, 5.0, 10.0, (n,)), 10 / 8, 2 * 100 * 13 / (5 * 64 * 6), "f", var_rtol=None)
    check(pr.poisson(k, 4.0, (n,)), 4, 4, "poisson small")
    check(pr.poisson(k, 50.0, (n,)), 50, 50, "poisson large")
    check(pr.binomial(k, 20.0, 0.3, (n,)), 6, 4.2, "binomial inversion")
    check(pr.binomial(k, 200.0, 0.6, (n,)), 120, 48, "binomial btrs")
    check(pr.geometric(k, 0.25, (n,)), 4, 12, "geometric")
    check(pr.rayleigh(k, 2.0, (n,)), 2 * math.sqrt(math.pi / 2), (4 - math.pi) / 2 * 4, "rayleigh")
    check(pr.wald(k, 2.0, (n,)), 2, 8, "wald")
    check(pr.triangular(k, 0.0, 1.0, 3.0, (n,)), 4 / 3, (9 + 1 - 3) / 18, "triangular")
    check(pr.truncated_normal(k, 0.0, np.inf, (n,)), math.sqrt(2 / math.pi), 1 - 2 / math.pi,
          "half normal")
    check(pr.lognormal(k, 0.5, (n,)), math.exp(0.125), (math.exp(0.25) - 1) * math.exp(0.25),
          "lognormal")
    check(pr.maxwell(k, (n,)), 2 * math.sqrt(2 / math.pi), 3 - 8 / math.pi, "maxwell")
    check(pr.weibull_min(k, 1.0, 2.0, (n,)), math.gamma(1.5), 1 - math.gamma(1.5) ** 2, "weibull")
    check(pr.rademacher(k, (n,)), 0, 1, "rademacher")
    check(pr.generalized_normal(k, 2.0, (n,)), 0, 0.5, "generalized_normal p=2")
    d = np.asarray(pr.dirichlet(k, np.array([1.0, 2.0, 3.0], f32), (500,)))
    np.testing.assert_allclose(d.sum(-1), 1, rtol=1e-5)
    np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.03)
    b = np.asarray(pr.ball(k, 3, 2, (n,)))
    assert (np.linalg.norm(b, axis=-1) <= 1 + 1e-6).all()
    np.testing.assert_allclose(np.mean(np.linalg.norm(b, axis=-1) ** 3), 0.5, atol=0.04)
    m = np.asarray(pr.multinomial(k, 30.0, np.array([0.2, 0.3, 0.5], f32), shape=(200, 3)))
    np.testing.assert_array_equal(m.sum(-1), 30)
    np.testing.assert_allclose(m.mean(0), [6, 9, 15], atol=0.8)
    c = np.asarray(pr.categorical(k, np.log(np.array([0.1, 0.2, 0.7], f32)), shape=(n,)))
    np.testing.assert_allclose(np.bincount(c, minlength=3) / n, [0.1, 0.2, 0.7], atol=0.03)


# ---------------------------------------------------------------------------
# Errors and invalid parameters


ERROR_CASES = [
    (lambda r, k: r.exponential(k, (2,), np.int32), ValueError),
    (lambda r, k: r.gamma(k, 1.0, (2,), np.int32), ValueError),
    (lambda r, k: r.loggamma(k, 1.0, (2,), np.int32), ValueError),
    (lambda r, k: r.gamma(k, np.ones(3, np.float32), (2,)), ValueError),
    (lambda r, k: r.beta(k, np.ones(3, np.float32), 1.0, (2,)), ValueError),
    (lambda r, k: r.dirichlet(k, np.float32(1.0)), ValueError),
    (lambda r, k: r.dirichlet(k, np.ones(3, np.float32), (2,), np.int32), ValueError),
    (lambda r, k: r.categorical(k, np.zeros((3, 2), np.float32), shape=(4,)), ValueError),
    (lambda r, k: r.categorical(k, np.zeros(3, np.float32), shape=(5,), replace=False), ValueError),
    (lambda r, k: r.categorical(k, [0.0, 1.0]), TypeError),
    (lambda r, k: r.gumbel(k, (2,), mode="bogus"), ValueError),
    (lambda r, k: r.geometric(k, 0.5, (2,), np.float32), ValueError),
    (lambda r, k: r.binomial(k, 5.0, 0.5, (2,), np.int32), ValueError),
    (lambda r, k: r.binomial(k, [5.0], 0.5), TypeError),
    (lambda r, k: r.multivariate_normal(k, np.zeros(2), np.eye(3)), ValueError),
    (lambda r, k: r.multivariate_normal(k, np.zeros(2), np.eye(2), method="qr"), ValueError),
    (lambda r, k: r.truncated_normal(k, np.zeros(3), 1.0, (2,)), ValueError),
    (lambda r, k: r.rayleigh(k, 1.0, (2,), np.int32), ValueError),
    (lambda r, k: r.t(k, np.ones(2), (3,)), ValueError),
    (lambda r, k: r.gamma(k[None], 1.0), ValueError),
    (lambda r, k: r.generalized_normal(k, 2.0, (2,), np.int32), ValueError),
]


def test_errors_match_jax():
    jax = pytest.importorskip("jax")
    with jax_flags(jax, False, True):
        for i, (f, exc) in enumerate(ERROR_CASES):
            with pytest.raises(exc):
                f(jax.random, jax.random.PRNGKey(0))
            with pytest.raises(exc):
                f(pr, pr.PRNGKey(0))


def test_errors_without_jax():
    k = pr.PRNGKey(0)
    for f, exc in ERROR_CASES:
        with pytest.raises(exc):
            f(pr, k)
    with pytest.raises(pyjax.dtypes.TypePromotionError if hasattr(pyjax, "dtypes") and hasattr(
            pyjax.dtypes, "TypePromotionError") else Exception):
        pr.t(k, np.ones(2, np.float64), (2,), np.float16)
    with pytest.raises(AttributeError, match="shuffle"):
        pr.shuffle  # noqa: B018  (removed from JAX; permutation replaces it)
    with pytest.raises(NotImplementedError):
        pr.gamma(k, 1.0, out_sharding="x")


def test_invalid_parameters_give_nan_like_jax():
    k = pr.PRNGKey(0)
    b = np.asarray(pr.binomial(k, np.array([-1.0, np.nan, 5.0]), np.array([0.5, 0.5, np.nan])))
    assert np.isnan(b).all()
    assert np.isinf(np.asarray(pr.binomial(k, np.inf, 0.3)))
    g = np.asarray(pr.gamma(k, np.array([-1.0, np.nan], f32)))
    assert np.isnan(g[1])
    assert int(pr.poisson(k, 0.0)) == 0


# ---------------------------------------------------------------------------
# The XLA:CPU arithmetic helpers


def test_xla_math_matches_numpy_closely():
    from pyjax._src import random_math as M
    from pyjax._src.lax import lax
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-80, 80, 2000), rng.uniform(-1, 1, 2000)])
    with pyjax_flags(True, True):
        for dt, rtol in ((f32, 3e-6), (f64, 1e-14)):
            v = x.astype(dt)
            np.testing.assert_allclose(np.asarray(M.xla_exp(lax.asarray(v))), np.exp(v), rtol=rtol)
            a = np.abs(v) + dt.type(0.01)
            np.testing.assert_allclose(np.asarray(M.xla_log(lax.asarray(a))), np.log(a), rtol=rtol,
                                       atol=rtol)
            np.testing.assert_allclose(np.asarray(M.xla_rsqrt(lax.asarray(a))), 1 / np.sqrt(a),
                                       rtol=rtol)
            np.testing.assert_allclose(np.asarray(M.xla_pow(lax.asarray(a), lax.asarray(v / 40))),
                                       np.power(a, v / 40), rtol=rtol * 4)
        import scipy.special as sps
        z = rng.uniform(0.5, 30, 1000).astype(f32)
        np.testing.assert_allclose(np.asarray(M.xla_lgamma_f32(lax.asarray(z))), sps.gammaln(z),
                                   rtol=1e-5, atol=1e-5)
        w = rng.uniform(-4, 4, 1000).astype(f32)
        np.testing.assert_allclose(np.asarray(M.xla_erf(lax.asarray(w))), sps.erf(w), atol=3e-7)
    # derivatives are those of the functions
    g = pyjax.grad(lambda t: M.xla_exp(t))(np.float32(0.7))
    np.testing.assert_allclose(float(g), math.exp(0.7), rtol=1e-6)
    g = pyjax.grad(lambda t: M.xla_log1p(t))(np.float32(0.7))
    np.testing.assert_allclose(float(g), 1 / 1.7, rtol=1e-6)


# ---------------------------------------------------------------------------
# The cpu_math primitive (C library tan/sin/cos/erf/pow, XLA:CPU's rsqrt)


def test_cpu_math_primitive():
    from pyjax._src import core
    from pyjax._src.prng import cpu_math_p
    rng = np.random.default_rng(1)
    with pyjax_flags(True, True):
        for dt in (f32, f64):
            x = rng.uniform(0.1, 1.4, (4, 5)).astype(dt)
            y = rng.uniform(-2, 2, (4, 5)).astype(dt)
            rtol = 1e-6 if dt == f32 else 1e-14
            import scipy.special as sps
            refs = {"tan": np.tan, "sin": np.sin, "cos": np.cos, "erf": sps.erf,
                    "rsqrt": lambda v: 1 / np.sqrt(v)}
            for fn, ref in refs.items():
                out = cpu_math_p.bind(x, fn=fn)
                assert out.dtype == dt and out.shape == x.shape
                np.testing.assert_allclose(np.asarray(out), ref(x), rtol=rtol, err_msg=fn)
                assert_bitwise(pyjax.jit(lambda v, fn=fn: cpu_math_p.bind(v, fn=fn))(x), out, fn)
                assert_bitwise(pyjax.vmap(lambda v, fn=fn: cpu_math_p.bind(v, fn=fn), 1, 1)(x),
                               out, fn)
                # jvp against central differences
                eps = 1e-3 if dt == f32 else 1e-6
                t = pyjax.jvp(lambda v, fn=fn: cpu_math_p.bind(v, fn=fn), (x,), (np.ones_like(x),))[1]
                fd = (ref(x.astype(f64) + eps) - ref(x.astype(f64) - eps)) / (2 * eps)
                np.testing.assert_allclose(np.asarray(t), fd, rtol=1e-3 if dt == f32 else 1e-7,
                                           err_msg=fn)
            p = cpu_math_p.bind(x, y, fn="pow")
            np.testing.assert_allclose(np.asarray(p), np.power(x, y), rtol=rtol)
            got = pyjax.vmap(lambda a: cpu_math_p.bind(a, y[0], fn="pow"))(x)
            assert_bitwise(got, cpu_math_p.bind(x, np.broadcast_to(y[0], x.shape).copy(), fn="pow"),
                           "pow vmap")
            gx, gy = pyjax.grad(lambda a, b: cpu_math_p.bind(a, b, fn="pow").sum(), (0, 1))(x, y)
            np.testing.assert_allclose(np.asarray(gx), y * np.power(x, y - 1), rtol=1e-4)
            np.testing.assert_allclose(np.asarray(gy), np.log(x) * np.power(x, y), rtol=1e-4)
        aval = core.abstract_eval(cpu_math_p, [core.get_aval(x)], {"fn": "tan"})
        assert aval.shape == x.shape
    with pytest.raises(TypeError):
        cpu_math_p.bind(np.ones(3, np.float16), fn="tan")
    with pytest.raises(TypeError):
        cpu_math_p.bind(np.ones(3, np.float32), np.ones(3, np.float64), fn="pow")
    with pytest.raises(ValueError):
        cpu_math_p.bind(np.ones(3, np.float32), fn="cosh")


# ---------------------------------------------------------------------------
# Making the oracle file (needs jax==0.10.2)


def _grad_value(jax, fn, a, dt):
    return np.asarray(jax.grad(lambda p: fn(jax.random, jax.random.PRNGKey(3), p))(dt.type(a)))


def _make_part(part):
    """JAX's outputs for one configuration (or 'extra': linalg and gradients)."""
    import jax
    assert jax.__version__ == "0.10.2", jax.__version__
    out = {}
    if part in CONFIGS:
        x64, flag, dt, shapes, seeds = CONFIGS[part]
        with jax_flags(jax, x64, flag):
            for case, fn in CASES.items():
                for shape in _shapes_for(case, shapes):
                    for seed in seeds:
                        val = fn(jax.random, jax.random.PRNGKey(seed), shape, dt)
                        out[_oracle_key(part, case, shape, seed)] = _stored(val)
                jax.clear_caches()
                print(part, case, flush=True)
        return out
    for cfg, dt in (("f32", f32), ("f64", f64)):
        with jax_flags(jax, dt == f64, True):
            for name, fn in LINALG_CASES.items():
                for seed in SEEDS[:3]:
                    out[_oracle_key(cfg, name, (), seed)] = np.asarray(
                        fn(jax.random, jax.random.PRNGKey(seed), dt))
            for name, (fn, a) in GRAD_CASES.items():
                out[f"grad|{cfg}|{name}"] = _grad_value(jax, fn, a, dt)
                jax.clear_caches()
    return out


def make_oracle(path=ORACLE_PATH, parts=None):
    """Each configuration in its own process (XLA keeps every compiled program), merged."""
    import subprocess
    import tempfile
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for part in parts or (list(CONFIGS) + ["extra"]):
            part_path = os.path.join(tmp, part + ".npz")
            subprocess.run([sys.executable, os.path.abspath(__file__), "--make-oracle-part", part,
                            part_path], check=True)
            with np.load(part_path) as data:
                out.update({k: data[k] for k in data.files})
    np.savez_compressed(path, **_pack(out))
    print(f"wrote {len(out)} arrays to {path}")


if __name__ == "__main__":
    if "--make-oracle-part" in sys.argv:
        i = sys.argv.index("--make-oracle-part")
        np.savez(sys.argv[i + 2], **_make_part(sys.argv[i + 1]))
    elif "--make-oracle" in sys.argv:
        make_oracle()
    else:
        print(__doc__)
