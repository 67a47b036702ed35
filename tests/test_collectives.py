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


# --- psum_scatter, all_to_all, pswapaxes, pshuffle, pbroadcast ---------------------

Y = np.arange(4 * 4 * 3.0, dtype=np.float32).reshape(4, 4, 3)   # member, then the value


def _members(fn, x=Y):
    return np.asarray(jax.vmap(fn, axis_name="i")(x))


def test_psum_scatter():
    np.testing.assert_allclose(_members(lambda v: lax.psum_scatter(v, "i")), Y.sum(0))
    tiled = _members(lambda v: lax.psum_scatter(v, "i", scatter_dimension=1, tiled=True),
                     np.arange(4 * 2 * 8.0).reshape(4, 2, 8))
    total = np.arange(4 * 2 * 8.0).reshape(4, 2, 8).sum(0)
    for m in range(4):
        np.testing.assert_allclose(tiled[m], total[:, 2 * m:2 * m + 2])
    # The transpose of psum_scatter is all_gather: each member's cotangent reaches every input.
    w = np.arange(8.0).reshape(4, 2)
    g = jax.grad(lambda x: (jax.vmap(lambda v: lax.psum_scatter(v, "i", tiled=True),
                                     axis_name="i")(x) * w).sum())(jnp.ones((4, 8)))
    np.testing.assert_allclose(g, np.tile(w.reshape(-1), (4, 1)))
    with pytest.raises(ValueError, match="must equal the axis size 4"):
        jax.vmap(lambda v: lax.psum_scatter(v, "i"), axis_name="i")(jnp.ones((4, 3)))
    with pytest.raises(NotImplementedError, match="axis_index_groups"):
        jax.vmap(lambda v: lax.psum_scatter(v, "i", axis_index_groups=[[0, 1], [2, 3]]),
                 axis_name="i")(jnp.ones((4, 4)))


def test_all_to_all_and_pswapaxes():
    out = _members(lambda v: lax.all_to_all(v, "i", 0, 1))
    assert out.shape == (4, 3, 4)
    for m in range(4):
        np.testing.assert_allclose(out[m], Y[:, m, :].T)       # out[m][a, j] = x_j[m, a]
    x8 = np.arange(4 * 8 * 3.0).reshape(4, 8, 3)
    tiled = _members(lambda v: lax.all_to_all(v, "i", 0, 1, tiled=True), x8)
    assert tiled.shape == (4, 2, 12)
    for m in range(4):
        np.testing.assert_allclose(tiled[m], np.concatenate([x8[j, 2 * m:2 * m + 2] for j in range(4)], 1))
    np.testing.assert_allclose(_members(lambda v: lax.pswapaxes(v, "i", 0)), np.swapaxes(Y, 0, 1))
    g = jax.grad(lambda x: (jax.vmap(lambda v: lax.pswapaxes(v, "i", 0), axis_name="i")(x)
                            * np.arange(48.0).reshape(4, 4, 3)).sum())(jnp.asarray(Y))
    np.testing.assert_allclose(g, np.swapaxes(np.arange(48.0).reshape(4, 4, 3), 0, 1))
    with pytest.raises(ValueError, match="equal x.shape\\[split_axis\\]"):
        jax.vmap(lambda v: lax.all_to_all(v, "i", 0, 0), axis_name="i")(jnp.ones((4, 3)))


def test_pshuffle_pbroadcast():
    assert _members(lambda v: lax.pshuffle(v, "i", [2, 0, 3, 1]))[:, 0, 0].tolist() == [24.0, 0.0, 36.0, 12.0]
    with pytest.raises(ValueError, match="does not represent a permutation"):
        lax.pshuffle(1.0, "i", [0, 0])
    out = _members(lambda v: lax.pbroadcast(v, "i", 2))
    np.testing.assert_allclose(out, np.broadcast_to(Y[2], Y.shape))
    # Only the source's input receives gradient (the sum over members of the cotangents).
    g = jax.grad(lambda x: jax.vmap(lambda v: lax.pbroadcast(v, "i", 1), axis_name="i")(x).sum())(X)
    np.testing.assert_allclose(g, [0.0, 4.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="out of range"):
        jax.vmap(lambda v: lax.pbroadcast(v, "i", 4), axis_name="i")(X)


def test_new_collectives_against_jax():
    real = pytest.importorskip("jax")
    x = np.random.default_rng(0).standard_normal((4, 4, 8)).astype(np.float32)
    fns = [lambda m, v: m.lax.psum_scatter(v, "i"),
           lambda m, v: m.lax.psum_scatter(v, "i", scatter_dimension=1, tiled=True),
           lambda m, v: m.lax.all_to_all(v, "i", 0, 1),
           lambda m, v: m.lax.all_to_all(v, "i", 1, 0, tiled=True),
           lambda m, v: m.lax.pswapaxes(v, "i", 0),
           lambda m, v: m.lax.pshuffle(v, "i", [3, 1, 0, 2]) * v]
    for fn in fns:
        ours = jax.vmap(lambda v: fn(jax, v), axis_name="i")(x)
        theirs = real.vmap(lambda v: fn(real, v), axis_name="i")(x)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        ga = jax.grad(lambda x: (jax.vmap(lambda v: fn(jax, v), axis_name="i")(x) ** 2).sum())(x)
        gb = real.grad(lambda x: (real.vmap(lambda v: fn(real, v), axis_name="i")(x) ** 2).sum())(x)
        np.testing.assert_allclose(ga, gb, rtol=1e-5)
    # pbroadcast under jax's vmap fails in jax 0.10.2; compare with its documented definition.
    ours = jax.vmap(lambda v: lax.pbroadcast(v, "i", 3), axis_name="i")(x)
    theirs = real.vmap(lambda v: real.lax.psum(real.numpy.where(real.lax.axis_index("i") == 3, v, 0),
                                               "i"), axis_name="i")(x)
    np.testing.assert_allclose(ours, theirs)
