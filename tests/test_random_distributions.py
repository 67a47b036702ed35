"""Tests of pyjax.random's distributions (pyjax/_src/random_distributions.py, random_math.py,
random_linalg.py): bit-for-bit agreement with JAX 0.10.2, jit/vmap, gradients, moments, errors.

The oracle
----------
The bit-exact tests compare pyjax with real JAX 0.10.2 (the test extra installs it) run
live on the machine that runs the tests: XLA:CPU's arithmetic depends on the processor
(whether LLVM contracts float16 multiply-adds, the reciprocal-square-root estimate), and
pyjax follows the processor it runs on as XLA does, so stored bits from another machine
would not be the right reference.  Compiling JAX's samplers one by one would take
minutes, so `jax_outputs` draws every case of a configuration with one compiled program
(keys and parameters as arguments), which `test_live_oracle_equals_eager_jax` checks
against eager calls.  Without jax (or with
another version) these tests skip and the property tests below remain.

By default each case runs in one of the shapes (taken in turn; float32 and float64 in
different ones) for all 5 seeds; PYJAX_FULL_RANDOM_ORACLE=1 runs every case in every
shape, and checks all of them against eager calls (slow: about one XLA compilation per
case and shape).

Not bit-exact (checked to tolerance): multivariate_normal (XLA's matrix-vector product
sums in another order), and gradients of the gamma family, which use lax.lgamma/digamma.
"""
import contextlib
import math
import os

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.random as pr
from pyjax._src.config import config

bf16 = np.dtype(ml_dtypes.bfloat16)
f16, f32, f64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)

SEEDS = [0, 1, 42, -7, 2 ** 31 + 5]
SHAPES = [(), (3,), (2, 3), (7,)]


def _size(s):
    return int(np.prod(s, dtype=np.int64))


def _arr(s, lo, hi, dt):
    """Parameters of shape `s` spread over [lo, hi]."""
    return np.linspace(lo, hi, max(_size(s), 1))[:_size(s)].reshape(s).astype(dt)


LOGITS4 = np.array([0.1, -1.0, 2.0, 0.5])
LOGITS34 = np.array([[0.1, -1.0, 2.0, 0.5], [1.0, 1.0, -3.0, 0.0], [0.0, 0.2, 0.3, -0.4]])


class Case:
    """A sampler call `fn(r, key, shape, dtype, *params)`; `params(shape, dtype)` gives its
    float parameters, kept apart so that JAX's side can pass them into its compiled program
    as arguments (as JAX's eager samplers receive them) rather than as constants, which XLA
    would fold differently."""

    def __init__(self, fn, params=None):
        self.fn = fn
        self.params = params or (lambda s, dt: ())

    def __call__(self, r, k, s, dt, params=None):
        return self.fn(r, k, s, dt, *(self.params(s, dt) if params is None else params))


def _p(*values):
    return lambda s, dt: values


# name -> Case; r is jax.random or pyjax.random
CASES = {
    "exponential": Case(lambda r, k, s, dt: r.exponential(k, s, dt)),
    "laplace": Case(lambda r, k, s, dt: r.laplace(k, s, dt)),
    "logistic": Case(lambda r, k, s, dt: r.logistic(k, s, dt)),
    "cauchy": Case(lambda r, k, s, dt: r.cauchy(k, s, dt)),
    "gumbel": Case(lambda r, k, s, dt: r.gumbel(k, s, dt)),
    "gumbel_high": Case(lambda r, k, s, dt: r.gumbel(k, s, dt, mode="high")),
    "gumbel_highest": Case(lambda r, k, s, dt: r.gumbel(k, s, dt, mode="highest")),
    "rayleigh": Case(lambda r, k, s, dt, sc: r.rayleigh(k, sc, s, dt), _p(1.7)),
    "rayleigh_arr": Case(lambda r, k, s, dt, sc: r.rayleigh(k, sc, None, dt),
                         lambda s, dt: (_arr(s, 0.5, 3.0, dt),)),
    "pareto": Case(lambda r, k, s, dt, b: r.pareto(k, b, s, dt), _p(2.5)),
    "pareto_arr": Case(lambda r, k, s, dt, b: r.pareto(k, b, None, dt),
                       lambda s, dt: (_arr(s, 0.5, 4.0, dt),)),
    "weibull_min": Case(lambda r, k, s, dt, sc, c: r.weibull_min(k, sc, c, s, dt), _p(1.3, 0.7)),
    "weibull_min_arr": Case(lambda r, k, s, dt, sc, c: r.weibull_min(k, sc, c, s, dt),
                            lambda s, dt: (_arr(s, 0.5, 2.0, dt), _arr(s, 0.3, 5.0, dt))),
    "lognormal": Case(lambda r, k, s, dt, sg: r.lognormal(k, sg, s, dt), _p(0.6)),
    "lognormal_arr": Case(lambda r, k, s, dt, sg: r.lognormal(k, sg, None, dt),
                          lambda s, dt: (_arr(s, 0.1, 2.0, dt),)),
    "maxwell": Case(lambda r, k, s, dt: r.maxwell(k, s, dt)),
    "double_sided_maxwell": Case(lambda r, k, s, dt, lo, sc: r.double_sided_maxwell(k, lo, sc, s, dt),
                                 _p(0.3, 1.5)),
    "geometric": Case(lambda r, k, s, dt, p: r.geometric(k, p, s),
                      lambda s, dt: (np.array(0.3, dt),)),
    "geometric_arr": Case(lambda r, k, s, dt, p: r.geometric(k, p),
                          lambda s, dt: (_arr(s, 0.05, 0.95, dt),)),
    "triangular": Case(lambda r, k, s, dt, a, m, b: r.triangular(k, a, m, b, s, dt),
                       _p(-1.0, 0.3, 2.0)),
    "triangular_arr": Case(lambda r, k, s, dt, a, m, b: r.triangular(k, a, m, b, None, dt),
                           lambda s, dt: (_arr(s, -2, 0, dt), _arr(s, 0, 1, dt), _arr(s, 1, 4, dt))),
    "wald": Case(lambda r, k, s, dt, m: r.wald(k, m, s, dt), _p(1.4)),
    "wald_arr": Case(lambda r, k, s, dt, m: r.wald(k, m, None, dt),
                     lambda s, dt: (_arr(s, 0.2, 5.0, dt),)),
    "truncated_normal": Case(lambda r, k, s, dt, lo, hi: r.truncated_normal(k, lo, hi, s, dt),
                             _p(-0.5, 1.7)),
    "truncated_normal_arr": Case(lambda r, k, s, dt, lo, hi: r.truncated_normal(k, lo, hi, None, dt),
                                 lambda s, dt: (_arr(s, -3.0, 1.0, dt), _arr(s, -1.0, 4.0, dt))),
    "gamma": Case(lambda r, k, s, dt, a: r.gamma(k, a, s, dt), _p(2.3)),
    "gamma_small": Case(lambda r, k, s, dt, a: r.gamma(k, a, s, dt), _p(0.3)),
    "gamma_arr": Case(lambda r, k, s, dt, a: r.gamma(k, a, None, dt),
                      lambda s, dt: (_arr(s, 0.05, 30.0, dt),)),
    "loggamma": Case(lambda r, k, s, dt, a: r.loggamma(k, a, s, dt), _p(0.2)),
    "loggamma_arr": Case(lambda r, k, s, dt, a: r.loggamma(k, a, None, dt),
                         lambda s, dt: (_arr(s, 0.01, 8.0, dt),)),
    "beta": Case(lambda r, k, s, dt, a, b: r.beta(k, a, b, s, dt), _p(0.7, 2.0)),
    "beta_arr": Case(lambda r, k, s, dt, a, b: r.beta(k, a, b, None, dt),
                     lambda s, dt: (_arr(s, 0.1, 5.0, dt), _arr(s, 3.0, 0.3, dt))),
    "dirichlet": Case(lambda r, k, s, dt, a: r.dirichlet(k, a, s, dt),
                      lambda s, dt: (np.array([0.5, 1.5, 3.0], dt),)),
    "chisquare": Case(lambda r, k, s, dt, df: r.chisquare(k, df, s, dt), _p(3.0)),
    "f": Case(lambda r, k, s, dt, a, b: r.f(k, a, b, s, dt), _p(3.0, 5.0)),
    "f_arr": Case(lambda r, k, s, dt, a, b: r.f(k, a, b, None, dt),
                  lambda s, dt: (_arr(s, 1.0, 9.0, dt), _arr(s, 4.0, 1.5, dt))),
    "t": Case(lambda r, k, s, dt, df: r.t(k, df, s, dt), _p(4.0)),
    "t_arr": Case(lambda r, k, s, dt, df: r.t(k, df, None, dt),
                  lambda s, dt: (_arr(s, 0.5, 12.0, dt),)),
    "generalized_normal": Case(lambda r, k, s, dt, p: r.generalized_normal(k, p, s, dt), _p(1.5)),
    "generalized_normal_p2": Case(lambda r, k, s, dt, p: r.generalized_normal(k, p, s, dt), _p(2)),
    "ball": Case(lambda r, k, s, dt, p: r.ball(k, 3, p, s, dt), _p(2)),
    "ball_p": Case(lambda r, k, s, dt, p: r.ball(k, 4, p, s, dt), _p(1.5)),
    "rademacher": Case(lambda r, k, s, dt: r.rademacher(k, s)),
    "rademacher_float": Case(lambda r, k, s, dt: r.rademacher(k, s, dt)),
    "poisson": Case(lambda r, k, s, dt, lam: r.poisson(k, lam, s), _p(3.5)),
    "poisson_big": Case(lambda r, k, s, dt, lam: r.poisson(k, lam, s), _p(37.0)),
    "poisson_arr": Case(lambda r, k, s, dt, lam: r.poisson(k, lam),
                        lambda s, dt: (_arr(s, 0.0, 40.0, np.float32),)),
    "binomial": Case(lambda r, k, s, dt, n, p: r.binomial(k, n, p, s, dt), _p(12.0, 0.3)),
    "binomial_btrs": Case(lambda r, k, s, dt, n, p: r.binomial(k, n, p, s, dt), _p(100.0, 0.35)),
    "binomial_arr": Case(lambda r, k, s, dt, n, p: r.binomial(k, n, p, None, dt),
                         lambda s, dt: (_arr(s, 3.0, 80.0, dt), _arr(s, 0.05, 0.95, dt))),
    "categorical": Case(lambda r, k, s, dt, lg: r.categorical(k, lg, shape=s),
                        lambda s, dt: (LOGITS4.astype(dt),)),
    "categorical_axis0": Case(lambda r, k, s, dt, lg: r.categorical(k, lg, axis=0, shape=s + (4,)),
                              lambda s, dt: (LOGITS34.astype(dt),)),
    "categorical_no_replace": Case(
        lambda r, k, s, dt, lg: r.categorical(k, lg, shape=(min(_size(s), 4), 3), replace=False),
        lambda s, dt: (LOGITS34.astype(dt),)),
    "multinomial": Case(lambda r, k, s, dt, n, p: r.multinomial(k, n, p, shape=s + (3,), dtype=dt),
                        lambda s, dt: (20.0, np.array([0.2, 0.3, 0.5], dt))),
    "gamma_invalid": Case(lambda r, k, s, dt, a: r.gamma(k, a),
                          lambda s, dt: (np.array([0., -1., np.nan, np.inf, 1e-30], dt),)),
    "binomial_invalid": Case(lambda r, k, s, dt, n, p: r.binomial(k, n, p, None, dt),
                             lambda s, dt: (np.array([-1., np.nan, 10., np.inf, 10., 0.], dt),
                                            np.array([0.5, 0.5, np.nan, 0.3, -0.2, 0.5], dt))),
    "poisson_invalid": Case(lambda r, k, s, dt, lam: r.poisson(k, lam),
                            lambda s, dt: (np.array([np.nan, -1., 0., 1e4], np.float32),)),
    "invalid_params": Case(lambda r, k, s, dt, neg, zero, nan: _np_of(r).concatenate([
        _np_of(r).asarray(x, dt).ravel() for x in [
            r.beta(k, neg, 2.0, (2,), dt), r.t(k, zero, (2,), dt), r.wald(k, neg, (2,), dt),
            r.pareto(k, zero, (2,), dt), r.generalized_normal(k, neg, (2,), dt),
            r.truncated_normal(k, nan, 1.0, (2,), dt), r.truncated_normal(k, 2.0, 1.0, (2,), dt),
            r.uniform(k, (2,), dt, 2.0, 1.0), r.uniform(k, (2,), dt, nan, 1.0),
            r.lognormal(k, neg, (2,), dt), r.geometric(k, zero, (2,)),
            r.geometric(k, neg, (2,)), r.bernoulli(k, nan, (2,)),
            r.multinomial(k, neg, _np_of(r).asarray([0.5, 0.5], dt), dtype=dt)]]),
        _p(-1.0, 0.0, float("nan"))),
}

# Cases whose shape argument is not used (fixed-shape parameters): one shape is enough.
FIXED_SHAPE = {"gamma_invalid", "binomial_invalid", "poisson_invalid", "invalid_params"}


def _np_of(r):
    """The numpy module that goes with random module `r`."""
    if r is pr:
        return pyjax.numpy
    import jax.numpy
    return jax.numpy

# PRIMARY: one case per function.  The other variants (array parameters, other modes, edge
# values) and the other configurations run a selection (PYJAX_FULL_RANDOM_ORACLE=1: all).
PRIMARY = {"exponential", "laplace", "logistic", "cauchy", "gumbel", "rayleigh", "pareto",
           "weibull_min", "lognormal", "maxwell", "double_sided_maxwell", "geometric",
           "triangular", "wald", "truncated_normal", "gamma", "loggamma", "beta", "dirichlet",
           "chisquare", "f", "t", "generalized_normal", "ball", "rademacher", "poisson",
           "binomial", "categorical", "multinomial"}

CONFIG_CASES = {
    "f16": sorted(PRIMARY | {"gumbel_high", "pareto_arr", "gamma_small", "f_arr", "ball_p"}),
    "bf16": sorted(PRIMARY | {"gumbel_high", "pareto_arr", "gamma_small", "f_arr", "ball_p"}),
    "f32_x64": ["rademacher", "poisson", "poisson_arr", "geometric", "categorical",
                "categorical_no_replace", "gamma", "binomial_arr", "dirichlet", "ball"],
    "not_partitionable": ["exponential", "gamma", "loggamma", "poisson", "poisson_big",
                          "binomial_btrs", "dirichlet", "categorical", "truncated_normal",
                          "gumbel_highest", "multinomial", "ball"],
}

# name -> (x64, partitionable, dtype, shapes)
CONFIGS = {
    "f32": (False, True, f32, SHAPES),
    "f64": (True, True, f64, SHAPES),
    "f16": (False, True, f16, [(2, 3)]),
    "bf16": (False, True, bf16, [(2, 3)]),
    "f32_x64": (True, True, f32, [(3,)]),
    "not_partitionable": (False, False, f32, [(2, 3)]),
}

FULL_ORACLE = os.environ.get("PYJAX_FULL_RANDOM_ORACLE") == "1"


def _shapes_for(case, shapes):
    return shapes[-1:] if case in FIXED_SHAPE else shapes


# The cases each configuration runs by default (every case with PYJAX_FULL_RANDOM_ORACLE=1):
# every function in float32 and float64, a selection elsewhere.  JAX compiles each case
# in about 0.2 s (a gamma-based one: 1-2 s), which bounds how many a test run can afford.
_CHEAP_VARIANTS = {"gumbel_high", "gumbel_highest", "rayleigh_arr", "pareto_arr",
                   "weibull_min_arr", "lognormal_arr", "geometric_arr", "triangular_arr",
                   "wald_arr", "truncated_normal_arr", "rademacher_float"}
DEFAULT_CASES = {
    "f32": sorted(PRIMARY | _CHEAP_VARIANTS | {"beta_arr", "poisson_invalid",
                                               "invalid_params"}),
    # chisquare, f, t and dirichlet are gamma draws composed as in float32: full mode only
    "f64": sorted(PRIMARY - {"chisquare", "f", "t", "dirichlet"}),
    "f16": ["categorical", "exponential", "gamma", "gumbel_high", "logistic",
            "pareto_arr", "triangular", "truncated_normal", "wald"],
    "bf16": ["categorical", "exponential", "gamma", "gumbel_high", "logistic",
             "pareto_arr", "triangular", "truncated_normal", "wald"],
    "f32_x64": ["categorical", "gamma", "geometric", "poisson", "rademacher"],
    "not_partitionable": ["exponential", "gamma", "poisson_big", "truncated_normal"],
}


def _config_cases(cfg):
    if FULL_ORACLE:
        return CONFIG_CASES.get(cfg, sorted(CASES))
    return DEFAULT_CASES[cfg]


def _oracle_items(cfg):
    """The (case, shape) pairs configuration `cfg` checks.  By default each case in one
    shape, the shapes taken in turn so that each appears in many cases (float32 and
    float64 in different ones); with PYJAX_FULL_RANDOM_ORACLE=1 every case in every shape."""
    shapes = CONFIGS[cfg][3]
    cases = _config_cases(cfg)
    if FULL_ORACLE:
        return tuple((c, s) for c in cases for s in _shapes_for(c, shapes))
    offset = 2 if cfg == "f64" else 0
    return tuple((c, _shapes_for(c, shapes)[(i + offset) % len(_shapes_for(c, shapes))])
                 for i, c in enumerate(cases))


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


# ---------------------------------------------------------------------------
# Bit-exact oracle: live JAX on this machine

def _live_jax():
    jax = pytest.importorskip("jax")
    if jax.__version__ != "0.10.2":
        pytest.skip(f"pyjax reproduces jax 0.10.2's random bits, not {jax.__version__}'s")
    return jax


_JAX_OUTPUTS = {}


def jax_outputs(cfg):
    """{(case, shape): JAX's samples for each of SEEDS} for `_oracle_items(cfg)`: one
    compiled program for the whole configuration, run once per seed (a compilation per
    sampler and shape would take minutes).  Each case gets its key and its parameters as
    arguments of its own, as JAX's eager samplers do (XLA would fold constants, and could
    fuse inputs shared between cases), so its bits are those of eager calls (checked in
    `test_live_oracle_equals_eager_jax`)."""
    if cfg not in _JAX_OUTPUTS:
        jax = _live_jax()
        x64, part, dt, _ = CONFIGS[cfg]
        items = _oracle_items(cfg)
        with jax_flags(jax, x64, part):
            params = [CASES[c].params(s, dt) for c, s in items]

            @jax.jit
            def run(keys, params):
                return [CASES[c](jax.random, k, s, dt, p)
                        for (c, s), k, p in zip(items, keys, params)]

            per_seed = []
            for seed in SEEDS:
                key = np.asarray(jax.random.PRNGKey(seed))
                per_seed.append([np.asarray(o) for o in run([key] * len(items), params)])
            _JAX_OUTPUTS[cfg] = {item: np.stack([outs[i] for outs in per_seed])
                                 for i, item in enumerate(items)}
        jax.clear_caches()   # XLA keeps every compiled program otherwise
    return _JAX_OUTPUTS[cfg]


def _oracle_params():
    for cfg in CONFIGS:
        for case in _config_cases(cfg):
            yield cfg, case


@pytest.mark.parametrize("cfg,case", list(_oracle_params()))
def test_oracle_bits(cfg, case):
    """pyjax's samples equal live JAX's bit for bit, for all seeds under vmap over the
    keys, and (float32, to bound the time) eagerly for the first seed."""
    expected = jax_outputs(cfg)
    x64, part, dt, _ = CONFIGS[cfg]
    failures = []
    with pyjax_flags(x64, part):
        keys = np.stack([np.asarray(pr.PRNGKey(s)) for s in SEEDS])
        for (c, shape), exp in expected.items():
            if c != case:
                continue
            tag = f"{cfg}|{case}|{shape}"
            try:
                if cfg == "f32" or FULL_ORACLE:
                    assert_bitwise(CASES[case](pr, pr.PRNGKey(SEEDS[0]), shape, dt), exp[0],
                                   f"{tag}|seed {SEEDS[0]}")
                got = np.asarray(pyjax.vmap(lambda k: CASES[case](pr, k, shape, dt))(keys))
                for i, seed in enumerate(SEEDS):
                    assert_bitwise(got[i], exp[i], f"{tag}|seed {seed} (vmap)")
            except AssertionError as e:
                failures.append(str(e))
    assert not failures, "\n".join(failures[:8])


# Eager JAX calls (one compilation per case and shape), against which the batched
# program above is checked.
EAGER_SAMPLE = [("f32", "beta_arr"), ("f32", "wald"), ("f64", "truncated_normal"),
                ("f16", "logistic"), ("not_partitionable", "exponential")]


def test_live_oracle_equals_eager_jax():
    """The batched program gives the bits of eager calls, one key at a time (a sample;
    all of them with PYJAX_FULL_RANDOM_ORACLE=1)."""
    jax = _live_jax()
    sample = list(_oracle_params()) if FULL_ORACLE else EAGER_SAMPLE
    for cfg, case in sample:
        x64, part, dt, _ = CONFIGS[cfg]
        batched = jax_outputs(cfg)
        with jax_flags(jax, x64, part):
            for (c, shape), exp in batched.items():
                if c != case:
                    continue
                for i, seed in enumerate(SEEDS if FULL_ORACLE else SEEDS[:2]):
                    eager = CASES[case](jax.random, jax.random.PRNGKey(seed), shape, dt)
                    assert_bitwise(exp[i], eager, f"{cfg}|{case}|{shape}|seed {seed}")
        jax.clear_caches()


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
def test_oracle_linalg(dt):
    """orthogonal is JAX's bit for bit (the same LAPACK QR); multivariate_normal uses
    JAX's factors (LAPACK's potrf, syevd, gesdd) and normal draws, and agrees with JAX to
    the rounding of the matrix-vector product."""
    jax = _live_jax()
    rtol = 2e-6 if dt == f32 else 1e-14
    seeds = SEEDS[:2] if dt == f32 or FULL_ORACLE else SEEDS[:1]
    with jax_flags(jax, dt == f64, True):
        run = jax.jit(lambda ks: {n: [f(jax.random, k, dt) for k in ks[n]] for n, f in LINALG_CASES.items()})
        keys = {n: [np.asarray(jax.random.PRNGKey(s)) for s in seeds] for n in LINALG_CASES}
        expected = jax.tree_util.tree_map(np.asarray, run(keys))
    jax.clear_caches()
    with pyjax_flags(dt == f64, True):
        for name, fn in LINALG_CASES.items():
            for seed, exp in zip(seeds, expected[name]):
                key = f"{name}|{dt}|seed {seed}"
                got = np.asarray(fn(pr, pr.PRNGKey(seed), dt))
                if name.startswith("orthogonal"):
                    assert_bitwise(got, exp, key)
                else:
                    assert got.shape == exp.shape and got.dtype == exp.dtype, key
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


# The implicit (gamma family) gradients by default; the reparameterised ones are
# checked against finite differences below, and all of them against JAX in full mode.
GRAD_ORACLE_DEFAULT = ["gamma_small", "beta"]


@pytest.mark.parametrize("dt", [f32, f64], ids=["f32", "f64"])
def test_oracle_gradients(dt):
    """Gradients agree with jax.grad (the gamma family to the precision of lgamma/digamma,
    which pyjax computes with other formulas than XLA)."""
    jax = _live_jax()
    if dt == f64 and not FULL_ORACLE:
        pytest.skip("float64 gradients against JAX with PYJAX_FULL_RANDOM_ORACLE=1 (see the "
                    "finite-difference tests below)")
    rtol = 1e-4 if dt == f32 else 1e-9
    cases = GRAD_CASES if FULL_ORACLE else {n: GRAD_CASES[n] for n in GRAD_ORACLE_DEFAULT}
    with jax_flags(jax, dt == f64, True):
        run = jax.jit(lambda key, ps: {
            n: jax.grad(lambda p, f=f: f(jax.random, key, p))(ps[n])
            for n, (f, _) in cases.items()})
        expected = jax.tree_util.tree_map(
            np.asarray, run(jax.random.PRNGKey(3), {n: dt.type(a) for n, (_, a) in cases.items()}))
    jax.clear_caches()
    with pyjax_flags(dt == f64, True):
        for name, (fn, a) in cases.items():
            got = pyjax.grad(lambda p: fn(pr, pr.PRNGKey(3), p))(dt.type(a))
            np.testing.assert_allclose(np.asarray(got), expected[name], rtol=rtol,
                                       err_msg=f"{name} {dt}")


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
