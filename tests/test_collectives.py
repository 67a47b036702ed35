"""Collectives over vmap's named axes, their derivatives, and their errors."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax

X = jnp.arange(4.0)


def test_psum_pmean_pmax_pmin():
    np.testing.assert_allclose(jax.vmap(lambda v: v / lax.psum(v, "i"), axis_name="i")(X), np.arange(4) / 6)
    np.testing.assert_allclose(jax.vmap(lambda v: lax.pmean(v, "i"), axis_name="i")(X), np.full(4, 1.5))
    np.testing.assert_allclose(jax.vmap(lambda v: lax.pmax(v, "i"), axis_name="i")(X), np.full(4, 3.0))
    np.testing.assert_allclose(jax.vmap(lambda v: lax.pmin(v, "i"), axis_name="i")(X), np.zeros(4))
    # An unbatched operand: every member contributes the same value.
    np.testing.assert_allclose(jax.vmap(lambda v: lax.psum(1.0, "i"), axis_name="i")(X), np.full(4, 4.0))


def test_all_gather_axis_index_ppermute():
    np.testing.assert_allclose(jax.vmap(lambda v: lax.all_gather(v, "i"), axis_name="i")(X),
                               np.tile(np.arange(4.0), (4, 1)))
    assert jax.vmap(lambda v: lax.axis_index("i"), axis_name="i")(X).tolist() == [0, 1, 2, 3]
    shifted = jax.vmap(lambda v: lax.ppermute(v, "i", [(0, 1), (1, 2), (2, 3), (3, 0)]), axis_name="i")(X)
    assert shifted.tolist() == [3.0, 0.0, 1.0, 2.0]


def test_nested_axis_names():
    m = jnp.arange(6.0).reshape(2, 3)
    f = jax.vmap(jax.vmap(lambda v: lax.psum(v, "rows"), axis_name="cols"), axis_name="rows")
    np.testing.assert_allclose(f(m), np.tile(np.asarray(m).sum(0), (2, 1)))
    g = jax.vmap(jax.vmap(lambda v: lax.psum(v, ("rows", "cols")), axis_name="cols"), axis_name="rows")
    np.testing.assert_allclose(g(m), np.full((2, 3), 15.0))


def test_gradients_through_collectives():
    g = jax.grad(lambda x: jnp.sum(jax.vmap(lambda v: v * lax.psum(v, "i"), axis_name="i")(x)))(X)
    np.testing.assert_allclose(g, np.full(4, 12.0))
    g = jax.grad(lambda x: jnp.sum(jax.vmap(lambda v: lax.all_gather(v, "i") * jnp.arange(4.0),
                                            axis_name="i")(x)))(X)
    np.testing.assert_allclose(g, 4 * np.arange(4.0))


def test_collectives_under_jit():
    f = jax.jit(jax.vmap(lambda v: v - lax.pmean(v, "i"), axis_name="i"))
    np.testing.assert_allclose(f(X), np.arange(4.0) - 1.5)


def test_unbound_axis_name_is_an_error():
    with pytest.raises(NameError, match="unbound axis name: j"):
        lax.psum(1.0, "j")


def test_against_jax():
    real = pytest.importorskip("jax")
    x = np.arange(5.0, dtype=np.float32)
    for ours, theirs in [
        (lambda m, v: v * m.lax.psum(v, "i") + m.lax.pmean(v * v, "i"), None),
        (lambda m, v: m.lax.all_gather(v, "i").sum() * m.lax.axis_index("i"), None),
    ]:
        a = jax.grad(lambda x: jax.vmap(lambda v: ours(jax, v), axis_name="i")(x).sum())(x)
        b = real.grad(lambda x: real.vmap(lambda v: ours(real, v), axis_name="i")(x).sum())(x)
        np.testing.assert_allclose(a, b, rtol=1e-6)
