"""custom_jvp and custom_vjp under every transformation."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp


@jax.custom_jvp
def safe_log1pexp(x):
    return jnp.log1p(jnp.exp(x))


@safe_log1pexp.defjvp
def _safe_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return safe_log1pexp(x), t * (1 - 1 / (1 + jnp.exp(x)))


@jax.custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(_, g):
    return (jnp.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def test_custom_jvp_rule_is_used_in_every_mode():
    # The naive derivative is nan at 100 (inf/inf); the custom rule gives 1.
    for g in (jax.grad(safe_log1pexp), jax.jit(jax.grad(safe_log1pexp)),
              jax.grad(jax.jit(safe_log1pexp))):
        assert float(g(100.0)) == pytest.approx(1.0)
    out = jax.vmap(jax.grad(safe_log1pexp))(jnp.array([0.0, 100.0]))
    np.testing.assert_allclose(out, [0.5, 1.0], rtol=1e-6)
    out = jax.grad(lambda v: jnp.sum(jax.vmap(safe_log1pexp)(v)))(jnp.array([0.0, 100.0]))
    np.testing.assert_allclose(out, [0.5, 1.0], rtol=1e-6)
    _, t = jax.jvp(safe_log1pexp, (100.0,), (2.0,))
    assert float(t) == pytest.approx(2.0)


def test_custom_jvp_differentiated_twice():
    @jax.custom_jvp
    def f(x):
        return jnp.sin(x)

    f.defjvps(lambda t, ans, x: jnp.cos(x) * t)
    assert float(jax.grad(jax.grad(f))(0.5)) == pytest.approx(-np.sin(0.5), rel=1e-6)


def test_custom_jvp_nondiff_argnums():
    from functools import partial

    @partial(jax.custom_jvp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    @app.defjvp
    def app_jvp(f, primals, tangents):
        x, = primals
        t, = tangents
        return app(f, x), 3.0 * t

    assert float(jax.grad(lambda x: app(jnp.sin, x))(1.0)) == 3.0


def test_custom_vjp_rule_used_and_jit():
    g = jax.grad(lambda x: 10.0 * clip_gradient(x))(2.0)
    assert float(g) == 1.0
    assert float(jax.jit(jax.grad(lambda x: 10.0 * clip_gradient(x)))(2.0)) == 1.0
    gs = jax.grad(lambda v: jnp.sum(10.0 * jax.vmap(clip_gradient)(v)))(jnp.ones(3))
    np.testing.assert_allclose(gs, np.ones(3))
    assert float(clip_gradient(3.0)) == 3.0


def test_custom_vjp_residuals_and_pytrees():
    @jax.custom_vjp
    def f(d):
        return d["a"] * d["b"]

    def fwd(d):
        return f(d), (d["a"], d["b"])

    def bwd(res, g):
        a, b = res
        return ({"a": 2 * g * b, "b": None},)

    f.defvjp(fwd, bwd)
    g = jax.grad(f)({"a": 2.0, "b": 3.0})
    assert float(g["a"]) == 6.0 and float(g["b"]) == 0.0


def test_custom_vjp_under_jvp_raises():
    with pytest.raises(TypeError, match="can't apply forward-mode"):
        jax.jvp(clip_gradient, (1.0,), (1.0,))


def test_custom_jvp_bad_rule_shape_error():
    @jax.custom_jvp
    def f(x):
        return x

    f.defjvp(lambda p, t: (p[0], jnp.ones(3)))
    with pytest.raises(TypeError, match="Custom JVP rule"):
        jax.jvp(f, (1.0,), (1.0,))
