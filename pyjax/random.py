"""pyjax.random: pseudo-random numbers with JAX's API and JAX's bits (threefry2x32)."""
from pyjax._src.random import (  # noqa: F401
    PRNGKey,
    PRNGKeyArray,
    bernoulli,
    bits,
    choice,
    clone,
    fold_in,
    key,
    key_data,
    key_dtype,
    key_impl,
    normal,
    permutation,
    prng_key,
    randint,
    split,
    uniform,
    wrap_key_data,
)
from pyjax._src.random_distributions import (  # noqa: F401
    ball,
    beta,
    binomial,
    categorical,
    cauchy,
    chisquare,
    dirichlet,
    double_sided_maxwell,
    exponential,
    f,
    gamma,
    generalized_normal,
    geometric,
    gumbel,
    laplace,
    loggamma,
    logistic,
    lognormal,
    maxwell,
    multinomial,
    pareto,
    poisson,
    rademacher,
    rayleigh,
    t,
    triangular,
    truncated_normal,
    wald,
    weibull_min,
)
from pyjax._src.random_linalg import multivariate_normal, orthogonal  # noqa: F401


def __getattr__(name):
    if name == "shuffle":
        # Like JAX 0.10.2, which removed it (deprecated since JAX 0.4.x).
        raise AttributeError("module 'pyjax.random' has no attribute 'shuffle' (jax.random.shuffle "
                             "was deprecated and removed in JAX; use "
                             "random.permutation(key, x, axis, independent=True))")
    raise AttributeError(f"module 'pyjax.random' has no attribute {name!r}")
