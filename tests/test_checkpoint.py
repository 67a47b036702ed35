"""jax.checkpoint / remat: same gradients, fewer saved residuals, policies."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax
from pyjax.ad_checkpoint import checkpoint_name, saved_residuals


def chain(x):
    for _ in range(3):
        x = jnp.sin(jnp.sin(x))
    return jnp.sum(x)


def mlp(w, x):
    return jnp.sum(jnp.tanh(jnp.tanh(w @ x) @ w))


X = jnp.linspace(0.1, 1.0, 4)
W = jnp.asarray(np.random.default_rng(0).normal(size=(4, 4)).astype(np.float32) * 0.3)


def test_same_gradients_in_every_mode():
    g = jax.grad(chain)(X)
    for f in (jax.checkpoint(chain), jax.remat(chain),
              jax.checkpoint(chain, policy=jax.checkpoint_policies.everything_saveable)):
        np.testing.assert_allclose(jax.grad(f)(X), g, rtol=1e-6)
        np.testing.assert_allclose(jax.jit(jax.grad(f))(X), g, rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(jax.grad(jax.checkpoint(chain)))(jnp.stack([X, X])),
                               np.stack([g, g]), rtol=1e-6)
    np.testing.assert_allclose(jax.grad(jax.grad(lambda x: jax.checkpoint(chain)(x * x)))(0.3),
                               jax.grad(jax.grad(lambda x: chain(x * x)))(0.3), rtol=1e-5)


def test_nothing_saveable_shrinks_residuals():
    full = len(saved_residuals(chain, X))
    remat = len(saved_residuals(jax.checkpoint(chain), X))
    assert remat < full and remat == 1  # only the input is kept


def test_dots_policies():
    pol = jax.checkpoint_policies
    n_all = len(saved_residuals(jax.checkpoint(mlp, policy=pol.everything_saveable), W, X))
    n_dots = len(saved_residuals(jax.checkpoint(mlp, policy=pol.dots_saveable), W, X))
    n_none = len(saved_residuals(jax.checkpoint(mlp, policy=pol.nothing_saveable), W, X))
    assert n_none < n_dots < n_all
    n_nobatch = len(saved_residuals(
        jax.checkpoint(mlp, policy=pol.dots_with_no_batch_dims_saveable), W, X))
    assert n_nobatch == n_dots
    g = jax.grad(mlp)(W, X)
    np.testing.assert_allclose(jax.grad(jax.checkpoint(mlp, policy=pol.dots_saveable))(W, X), g,
                               rtol=1e-5)


def test_named_policies():
    def f(x):
        a = checkpoint_name(jnp.sin(x), "a")
        b = checkpoint_name(jnp.sin(a), "b")
        return jnp.sum(jnp.sin(b))
    pol = jax.checkpoint_policies
    only_a = len(saved_residuals(jax.checkpoint(f, policy=pol.save_only_these_names("a")), X))
    but_a = len(saved_residuals(jax.checkpoint(f, policy=pol.save_any_names_but_these("a")), X))
    none = len(saved_residuals(jax.checkpoint(f), X))
    assert none < only_a and none < but_a
    np.testing.assert_allclose(jax.grad(jax.checkpoint(f, policy=pol.save_only_these_names("a")))(X),
                               jax.grad(f)(X), rtol=1e-6)


def test_static_argnums_and_scan_body():
    f = jax.checkpoint(lambda x, n: x ** n, static_argnums=(1,))
    assert float(jax.grad(f)(2.0, 3)) == 12.0
    body = jax.checkpoint(lambda c, x: (jnp.sin(c) * x, None))
    g = jax.grad(lambda c: lax.scan(body, c, jnp.arange(1.0, 4.0))[0])(0.5)
    g_ref = jax.grad(lambda c: lax.scan(lambda c, x: (jnp.sin(c) * x, None), c, jnp.arange(1.0, 4.0))[0])(0.5)
    np.testing.assert_allclose(g, g_ref, rtol=1e-6)


def test_residual_counts_match_jax():
    real = pytest.importorskip("jax")
    f = lambda m: (lambda x: m.numpy.sum(m.numpy.sin(m.numpy.sin(m.numpy.sin(x)))))
    for wrap in (lambda m, g: g, lambda m, g: m.checkpoint(g)):
        ours = jax.tree_util.tree_leaves(jax.vjp(wrap(jax, f(jax)), X)[1])
        theirs = real.tree_util.tree_leaves(real.vjp(wrap(real, f(real)), np.asarray(X))[1])
        assert len(ours) == len(theirs)
