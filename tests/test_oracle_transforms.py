"""Oracle tests: transformations of the same programs give the same numbers and dtypes as JAX."""
import numpy as np
import pytest

jax_real = pytest.importorskip("jax")
import jax.numpy as real_jnp  # noqa: E402

import pyjax  # noqa: E402
import pyjax.numpy as jnp  # noqa: E402

rng = np.random.default_rng(42)
X = rng.normal(size=(4,)).astype(np.float32)
M = rng.normal(size=(3, 4)).astype(np.float32)


def programs(np_):
    """The same programs written against a jax.numpy-like namespace."""
    return {
        "mlp": lambda x: np_.sum(np_.tanh(np_.asarray(M) @ x) ** 2),
        "softplus_mean": lambda x: np_.mean(np_.log1p(np_.exp(x)) * x),
        "trig": lambda x: np_.sum(np_.sin(x) * np_.cos(2.0 * x) + np_.arctan(x)),
        "norm": lambda x: np_.sqrt(np_.sum(x * x) + 1.0),
        "max_min": lambda x: np_.max(x) * np_.min(x) + np_.prod(x),
        "cum": lambda x: np_.sum(np_.cumsum(x) * np_.cumprod(x)),
        "var": lambda x: np_.var(x) + np_.std(x),
        "pow": lambda x: np_.sum(np_.abs(x) ** 1.5 + x ** 3),
    }


NAMES = sorted(programs(np))


def both(name):
    return programs(jnp)[name], programs(real_jnp)[name]


def close(a, b, tol=2e-5):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", NAMES)
def test_grad(name):
    f, g = both(name)
    close(pyjax.grad(f)(X), jax_real.grad(g)(X))


@pytest.mark.parametrize("name", NAMES)
def test_jit_grad(name):
    f, g = both(name)
    close(pyjax.jit(pyjax.grad(f))(X), jax_real.jit(jax_real.grad(g))(X))


@pytest.mark.parametrize("name", NAMES)
def test_hessian(name):
    f, g = both(name)
    close(pyjax.hessian(f)(X), jax_real.hessian(g)(X), 1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_jacrev_equals_jacfwd_of_grad(name):
    f, g = both(name)
    close(pyjax.jacrev(pyjax.grad(f))(X), jax_real.jacrev(jax_real.grad(g))(X), 1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_vmap_grad(name):
    f, g = both(name)
    xs = rng.normal(size=(5, 4)).astype(np.float32)
    close(pyjax.vmap(pyjax.grad(f))(xs), jax_real.vmap(jax_real.grad(g))(xs), 1e-4)


def test_nested_grad_perturbation():
    f = lambda x: x * pyjax.grad(lambda y: x * y)(1.0)
    g = lambda x: x * jax_real.grad(lambda y: x * y)(1.0)
    assert float(pyjax.grad(f)(2.0)) == float(jax_real.grad(g)(2.0)) == 4.0


def test_weak_types_of_results_match():
    cases = [
        (lambda m: m.grad(lambda x: x * 3.0)(2.0)),
        (lambda m: m.jit(lambda x: x + 1)(2.0)),
        (lambda m: m.vmap(lambda x: x * 2)(m.numpy.arange(3.0))),
        (lambda m: m.jvp(lambda x: x ** 2, (2.0,), (1.0,))[1]),
    ]
    for case in cases:
        a, b = case(pyjax), case(jax_real)
        assert a.dtype == b.dtype and a.weak_type == b.weak_type, (a, b)


def test_jvp_of_integer_inputs_gives_float0():
    out_p = pyjax.vjp(lambda x, n: x * n, 2.0, 3)[1](1.0)
    out_j = jax_real.vjp(lambda x, n: x * n, 2.0, 3)[1](1.0)
    assert out_p[1].dtype == out_j[1].dtype
