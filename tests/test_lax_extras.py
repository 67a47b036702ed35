"""The less common jax.lax functions: shape helpers (split, unstack, tile, collapse, the
broadcast helpers), mulhi, optimization_barrier, approx top-k, ragged_dot, the RNG primitives,
identity-like functions (with_sharding_constraint, stage, platform_dependent, composite),
and vmap of dynamic slicing with batched indices (one gather, not a loop)."""
import warnings

import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax
from pyjax._src.config import config


def oracle():
    real = pytest.importorskip("jax")
    return real


# --- split / unstack / tile / collapse --------------------------------------------


def test_split_values_jaxpr_and_errors():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    a, b = lax.split(x, (1, 3), axis=2)
    np.testing.assert_array_equal(a, x[:, :, :1])
    np.testing.assert_array_equal(b, x[:, :, 1:])
    parts = lax.split(x, (2, 0, 1), axis=-2)
    assert [p.shape for p in parts] == [(2, 2, 4), (2, 0, 4), (2, 1, 4)]
    text = str(jax.make_jaxpr(lambda x: lax.split(x, (1, 3), axis=-1))(x))
    assert "split[axis=2 sizes=(1, 3)]" in text
    with pytest.raises(ValueError, match="Sum of sizes 3 must be equal to dimension 2"):
        lax.split(x, (1, 2), axis=2)
    with pytest.raises(ValueError, match="out of bounds"):
        lax.split(x, (2,), axis=3)
    # Linear: the gradient of a weighted sum of the pieces puts the weights back in place.
    g = jax.grad(lambda x: (lax.split(x, (1, 3), 2)[1] * 2.0).sum() + lax.split(x, (1, 3), 2)[0].sum())(x)
    want = np.ones_like(x)
    want[:, :, 1:] = 2.0
    np.testing.assert_array_equal(g, want)
    out = jax.vmap(lambda v: lax.split(v, (3, 1), axis=1)[0], in_axes=1)(x)
    np.testing.assert_array_equal(out, np.moveaxis(x, 1, 0)[:, :, :3])


def test_unstack_tile_collapse():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    us = lax.unstack(x, axis=1)
    assert isinstance(us, tuple) and len(us) == 3
    for i, u in enumerate(us):
        np.testing.assert_array_equal(u, x[:, i])
    assert lax.unstack(np.ones((2, 0)), 1) == ()
    np.testing.assert_array_equal(lax.tile(x, (2, 3)), np.tile(x, (2, 3)))
    np.testing.assert_array_equal(lax.tile(np.arange(3), (2,)), np.tile(np.arange(3), 2))
    assert lax.tile(x, (0, 1)).shape == (0, 3)
    with pytest.raises(TypeError, match="reps length must be equal to the ndim"):
        lax.tile(np.arange(3), (2, 2))
    g = jax.grad(lambda v: lax.tile(v, (3,)).sum())(jnp.ones(2))
    np.testing.assert_array_equal(g, [3.0, 3.0])
    y = jnp.ones((2, 3, 4))
    assert lax.collapse(y, 1).shape == (2, 12)
    assert lax.collapse(y, 0, -1).shape == (6, 4)
    assert lax.collapse(y, -2).shape == (2, 12)
    with pytest.raises(ValueError, match=r"Invalid dimension range passed to collapse: \(2, 3, 4\)\[2:1\]"):
        lax.collapse(y, 2, 1)


def test_broadcast_helpers_empty_dtype():
    assert lax.broadcast_shapes((3, 1), (4,)) == (3, 4)
    assert lax.broadcast_shapes((3, 1), (1, 4), (5, 1, 1)) == (5, 3, 4)
    assert lax.broadcast_shapes((1,), (0,)) == (0,)
    with pytest.raises(ValueError,
                       match=r"Incompatible shapes for broadcasting: shapes=\[\(3, 1\), \(4, 1\)\]"):
        lax.broadcast_shapes((3, 1), (4, 1))
    r = lax.broadcast_to_rank(1.0, 2)
    assert r.shape == (1, 1) and r.weak_type and r.dtype == np.float32
    assert lax.broadcast_to_rank(np.ones(3), 3).shape == (1, 1, 3)
    b = lax.broadcast_like(jnp.arange(3), jnp.zeros((2, 3)))
    np.testing.assert_array_equal(b, [[0, 1, 2], [0, 1, 2]])
    assert lax.broadcast_like(np.ones((2, 1)), np.zeros((4, 2, 5))).shape == (4, 2, 5)
    assert lax.broadcast_like(1.0, jnp.zeros(2)).weak_type
    with pytest.raises(ValueError):
        lax.broadcast_like(np.ones(3), np.ones((2, 4)))
    e = lax.empty((2, 3), np.int16)
    assert e.shape == (2, 3) and e.dtype == np.int16
    assert lax.empty(3, np.float64).dtype == np.float32      # canonicalized (x64 off)
    assert lax.dtype(1.0) == np.float32 and lax.dtype(1) == np.int32
    assert lax.dtype(np.float64(1)) == np.float32 and lax.dtype("float64") == np.float32
    assert lax.dtype(jnp.ones(2, jnp.int8)) == np.int8
    with config.override(jax_enable_x64=True):
        assert lax.dtype(np.float64(1)) == np.float64


# --- mulhi ---------------------------------------------------------------------------


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.int32, np.uint32, np.int64, np.uint64])
def test_mulhi_against_exact_products(dt):
    info = np.iinfo(dt)
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.integers(info.min, info.max, 200, dtype=dt, endpoint=True),
                        np.array([info.min, info.max, 0, info.max], dt)])
    y = np.concatenate([rng.integers(info.min, info.max, 200, dtype=dt, endpoint=True),
                        np.array([info.min, info.min, info.max, info.max], dt)])
    want = np.array([(int(a) * int(b)) >> info.bits for a, b in zip(x.tolist(), y.tolist())], dt)
    with config.override(jax_enable_x64=info.bits == 64):
        np.testing.assert_array_equal(lax.mulhi(x, y), want)
        np.testing.assert_array_equal(jax.jit(lax.mulhi)(x, y), want)


def test_mulhi_scalars_and_errors():
    out = lax.mulhi(jnp.array([2 ** 30, 123456789, -5], jnp.int32), 4)
    assert out.tolist() == [1, 0, -1] and out.dtype == np.int32
    with pytest.raises(TypeError, match="mulhi"):
        lax.mulhi(jnp.ones(3), jnp.ones(3))
    # As JAX's: a Python scalar becomes int32, it does not take the other operand's dtype.
    with pytest.raises(TypeError, match="same dtypes, got uint8, int32"):
        lax.mulhi(np.array([7], np.uint8), 200)


def test_mulhi_oracle():
    real = oracle()
    x = np.array([2 ** 30, 123456789, -5, -2 ** 31], np.int32)
    y = np.array([4, 987654321, 7, -2 ** 31], np.int32)
    np.testing.assert_array_equal(lax.mulhi(x, y), real.lax.mulhi(x, y))
    u = np.array([2 ** 31, 4000000000, 1], np.uint32)
    np.testing.assert_array_equal(lax.mulhi(u, u), real.lax.mulhi(u, u))


# --- optimization_barrier and identity-like functions ---------------------------------


def test_optimization_barrier():
    tree = {"a": jnp.arange(3.0), "b": (2.0, np.int32(4))}
    out = lax.optimization_barrier(tree)
    assert set(out) == {"a", "b"}
    np.testing.assert_array_equal(out["a"], [0.0, 1.0, 2.0])
    assert out["b"][0].weak_type and float(out["b"][0]) == 2.0 and out["b"][1].dtype == np.int32
    text = str(jax.make_jaxpr(lambda x: lax.optimization_barrier((x, 2.0)))(1.0))
    assert "optimization_barrier" in text
    assert float(jax.grad(lambda x: lax.optimization_barrier(x) ** 2)(3.0)) == 6.0
    np.testing.assert_array_equal(jax.vmap(lambda x: lax.optimization_barrier(x) * 2)(jnp.ones(3)), [2.0] * 3)
    # Mixed tangents: only the differentiated operand gets one.
    f = lambda x, y: sum(lax.optimization_barrier((x * x, y)))  # noqa: E731
    assert float(jax.grad(f)(3.0, 1.0)) == 6.0
    np.testing.assert_array_equal(jax.jit(lambda x: lax.optimization_barrier([x, x + 1]))(1.0), [1.0, 2.0])


def test_identity_like_functions():
    x = jnp.arange(3.0)
    np.testing.assert_array_equal(lax.with_sharding_constraint(x, None), x)
    out = lax.with_sharding_constraint({"a": 1.0}, None)
    assert float(out["a"]) == 1.0
    s = lax.stage(1.0)
    assert isinstance(s, jax.Array) and s.weak_type and float(s) == 1.0
    assert lax.stage(np.ones(2)).dtype == np.float32
    assert float(jax.jit(lambda: lax.stage(2.0))()) == 2.0
    v = lax.shape_as_value((2, 3))
    assert v.tolist() == [2, 3] and v.dtype == np.int32
    assert lax.shape_as_value(()).shape == (0,)


def test_dce_sink_keeps_its_operand_alive():
    assert lax.dce_sink(jnp.ones(2)) is None
    f = lambda x: (lax.dce_sink({"a": jnp.sin(x)}), x * 2)[1]  # noqa: E731
    for fn in (f, jax.jit(f)):
        assert float(fn(1.0)) == 2.0
    text = str(jax.make_jaxpr(jax.jit(f))(1.0))
    assert "dce_sink" in text and "sin" in text
    assert "dce_sink" in str(jax.make_jaxpr(jax.grad(f))(1.0))
    assert float(jax.grad(f)(1.0)) == 2.0
    np.testing.assert_array_equal(jax.vmap(f)(jnp.ones(3)), [2.0] * 3)


def test_platform_dependent_picks_cpu():
    f = lambda x: lax.platform_dependent(x, cpu=lambda x: x + 1, default=lambda x: x + 2)  # noqa: E731
    assert float(f(1.0)) == 2.0 and float(jax.jit(f)(1.0)) == 2.0
    assert float(lax.platform_dependent(1.0, tpu=lambda x: x * 5, default=lambda x: x * 3)) == 3.0
    with pytest.raises(ValueError, match="no branch for the platform 'cpu'"):
        lax.platform_dependent(1.0, tpu=lambda x: x)
    with pytest.raises(ValueError, match="Use 'cuda' or 'rocm'"):
        lax.platform_dependent(1.0, gpu=lambda x: x, default=lambda x: x)
    with pytest.raises(TypeError, match="must be a callable"):
        lax.platform_dependent(1.0, cpu=3)
    # Every branch is staged (as in JAX): the jaxpr has a cond, and branch types must agree.
    assert "cond" in str(jax.make_jaxpr(f)(1.0))
    mismatched = lambda x: lax.platform_dependent(x, cpu=lambda x: x, default=lambda x: (x, x))  # noqa: E731
    assert float(mismatched(1.0)) == 1.0          # eagerly only the cpu branch runs
    with pytest.raises(TypeError):
        jax.jit(mismatched)(1.0)
    np.testing.assert_allclose(jax.grad(f)(1.0), 1.0)
    np.testing.assert_array_equal(jax.vmap(f)(jnp.arange(3.0)), [1.0, 2.0, 3.0])


def test_composite():
    @lambda f: lax.composite(f, name="my.tangent")
    def tangent(x):
        return lax.sin(x) / lax.cos(x)
    x = jnp.array([0.0, np.pi / 4])
    np.testing.assert_allclose(tangent(x), np.tan(np.asarray(x)), rtol=1e-6)
    assert tangent.__name__ == "tangent"
    scaled = lax.composite(lambda x, *, k: x * k, name="my.scale")
    assert float(scaled(2.0, k=3.0)) == 6.0
    np.testing.assert_allclose(jax.grad(lambda x: tangent(x))(0.5), 1 / np.cos(0.5) ** 2, rtol=1e-6)
    with pytest.raises(jax.errors.UnexpectedTracerError, match="attribute"):
        jax.jit(lambda k: scaled(2.0, k=k))(3.0)


def test_special_function_exports():
    # igamma_grad_a: d/da P(a, x) against central differences of igamma.
    a, x, h = 2.5, 1.7, 1e-3
    fd = (float(lax.igamma(a + h, x)) - float(lax.igamma(a - h, x))) / (2 * h)
    np.testing.assert_allclose(float(lax.igamma_grad_a(a, x)), fd, rtol=1e-3)
    # random_gamma_grad: dx/da at fixed CDF, i.e. -(dP/da) / (dP/dx).
    dpdx = float(jax.grad(lambda x: lax.igamma(a, x))(x))
    np.testing.assert_allclose(float(lax.random_gamma_grad(a, x)), -fd / dpdx, rtol=1e-3)


# --- approx_max_k / approx_min_k -----------------------------------------------------


def test_approx_top_k_exact_on_cpu():
    x = np.array([[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0], [2, 7, 1, 8, 2, 8, 1, 8]], np.float32)
    v, i = lax.approx_max_k(x, 3)
    np.testing.assert_array_equal(v, [[9, 6, 5], [8, 8, 8]])
    np.testing.assert_array_equal(i, [[5, 7, 4], [3, 5, 7]])
    assert i.dtype == np.int32
    v, i = lax.approx_min_k(x, 3)
    np.testing.assert_array_equal(v, [[1, 1, 2], [1, 1, 2]])
    np.testing.assert_array_equal(i, [[1, 3, 6], [2, 6, 0]])
    v, i = lax.approx_max_k(x, 1, reduction_dimension=0)
    np.testing.assert_array_equal(i, [[0, 1, 0, 1, 0, 0, 0, 1]])
    g = jax.grad(lambda x: lax.approx_max_k(x, 2)[0].sum())(x)
    np.testing.assert_array_equal(g, [[0, 0, 0, 0, 0, 1, 0, 1], [0, 0, 0, 1, 0, 1, 0, 0]])
    with pytest.raises(ValueError, match="k must be smaller than the size of reduction_dim 8, got 9"):
        lax.approx_max_k(x, 9)
    with pytest.raises(ValueError, match="floating type"):
        lax.approx_max_k(np.arange(3), 2)


def test_approx_top_k_unaggregated_sizes():
    rng = np.random.default_rng(0)
    for n, rank, override, want in [(100, 1, -1, 100), (5000, 1, -1, 2048), (20000, 1, -1, 2048),
                                    (20000, 1, 80000, 1024), (1000, 2, -1, 256)]:
        shape = (n,) if rank == 1 else (2, n)
        y = rng.random(shape).astype(np.float32)
        v, i = lax.approx_max_k(y, 10, reduction_input_size_override=override, aggregate_to_topk=False)
        assert v.shape[-1] == want, (n, rank, override)
        np.testing.assert_array_equal(v, -np.sort(-y, axis=-1)[..., :want])


def test_approx_top_k_oracle():
    real = oracle()
    rng = np.random.default_rng(1)
    y = rng.random((3, 3000)).astype(np.float32)
    for agg in (True, False):
        for f, g in [(lax.approx_max_k, real.lax.approx_max_k), (lax.approx_min_k, real.lax.approx_min_k)]:
            a, b = f(y, 5, aggregate_to_topk=agg), g(y, 5, aggregate_to_topk=agg)
            for p, q in zip(a, b):
                assert p.shape == q.shape
                np.testing.assert_array_equal(p, q)


# --- ragged_dot ----------------------------------------------------------------------


def _ragged_ref(lhs, rhs, sizes):
    out = np.zeros((lhs.shape[0], rhs.shape[2]), np.float64)
    start = 0
    for j, n in enumerate(sizes):
        stop = min(start + n, lhs.shape[0])
        out[start:stop] = lhs[start:stop] @ rhs[j]
        start = stop
    return out


def test_ragged_dot():
    rng = np.random.default_rng(0)
    lhs = rng.standard_normal((7, 3)).astype(np.float32)
    rhs = rng.standard_normal((3, 3, 2)).astype(np.float32)
    for sizes in ([2, 0, 3], [4, 2, 3], [0, 0, 7]):
        out = lax.ragged_dot(lhs, rhs, np.array(sizes, np.int32))
        assert out.shape == (7, 2) and out.dtype == np.float32
        np.testing.assert_allclose(out, _ragged_ref(lhs, rhs, sizes), rtol=1e-5, atol=1e-6)
    sizes = np.array([2, 2, 3], np.int32)
    gl, gr = jax.grad(lambda a, b: lax.ragged_dot(a, b, sizes).sum(), (0, 1))(lhs, rhs)
    np.testing.assert_allclose(gl[0], rhs[0].sum(1), rtol=1e-5)
    np.testing.assert_allclose(gr[2], np.outer(lhs[4:].sum(0), np.ones(2)), rtol=1e-5)
    out = lax.ragged_dot(lhs.astype(jnp.bfloat16), rhs.astype(jnp.bfloat16), sizes,
                         preferred_element_type=np.float32)
    assert out.dtype == np.float32
    with pytest.raises(TypeError, match="integer"):
        lax.ragged_dot(lhs, rhs, sizes.astype(np.float32))


def test_ragged_dot_general_modes():
    rng = np.random.default_rng(1)
    D = lax.RaggedDotDimensionNumbers
    # Ragged contracting dimension: one output per group.
    l2, r2 = rng.standard_normal((4, 6)), rng.standard_normal((6, 5))
    out = lax.ragged_dot_general(l2.astype(np.float32), r2.astype(np.float32), np.array([1, 3, 1]),
                                 D((([1], [0]), ([], [])), [1], []))
    assert out.shape == (3, 4, 5)
    np.testing.assert_allclose(out[1], l2[:, 1:4] @ r2[1:4], rtol=1e-5)
    np.testing.assert_allclose(out[2], l2[:, 4:5] @ r2[4:5], rtol=1e-5)
    # Ragged batch dimension: the plain batched product.
    l3, r3 = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 3, 4))
    out = lax.ragged_dot_general(l3.astype(np.float32), r3.astype(np.float32), np.array([2, 1]),
                                 D((([2], [1]), ([0], [0])), [0], []))
    np.testing.assert_allclose(out, np.einsum("bmk,bkn->bmn", l3, r3), rtol=1e-5, atol=1e-6)
    d1, d2 = D((([1], [1]), ([], [])), [0], [0]), D((((1,), (1,)), ((), ())), (0,), (0,))
    assert d1 == d2 and hash(d1) == hash(d2) and d1.dot_dimension_numbers == (((1,), (1,)), ((), ()))


def test_ragged_dot_general_per_batch_group_sizes():
    rng = np.random.default_rng(5)
    D = lax.RaggedDotDimensionNumbers
    sizes = np.array([[1, 2, 3], [3, 0, 2]], np.int32)          # [batch, groups]
    lhs = rng.standard_normal((2, 6, 3)).astype(np.float32)     # [b, m (ragged), k]
    rhs = rng.standard_normal((2, 3, 4, 3)).astype(np.float32)  # [b, k, n, g]
    out = lax.ragged_dot_general(lhs, rhs, sizes, D((([2], [1]), ([0], [0])), [1], [3]))
    want = np.zeros((2, 6, 4))
    for b in range(2):
        start = 0
        for j, n in enumerate(sizes[b]):
            want[b, start:start + n] = lhs[b, start:start + n] @ rhs[b, :, :, j]
            start += n
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    l3 = rng.standard_normal((2, 3, 6)).astype(np.float32)      # [b, m, k (ragged)]
    r3 = rng.standard_normal((2, 6, 4)).astype(np.float32)
    out = lax.ragged_dot_general(l3, r3, sizes, D((([2], [1]), ([0], [0])), [2], []))
    assert out.shape == (3, 2, 3, 4)
    np.testing.assert_allclose(out[2, 0], l3[0, :, 3:6] @ r3[0, 3:6], rtol=1e-5)
    np.testing.assert_allclose(out[1, 1], np.zeros((3, 4)))
    with pytest.raises(TypeError, match="group_sizes must have shape"):
        lax.ragged_dot_general(lhs, rhs, np.ones((3, 3), np.int32), D((([2], [1]), ([0], [0])), [1], [3]))


def test_ragged_dot_oracle():
    real = oracle()
    rng = np.random.default_rng(2)
    l4 = rng.standard_normal((2, 6, 3)).astype(np.float32)
    r4 = rng.standard_normal((2, 3, 4, 3)).astype(np.float32)
    sizes = np.array([1, 2, 3], np.int32)

    def f(m):
        dn = m.lax.RaggedDotDimensionNumbers((([2], [1]), ([0], [0])), [1], [3])
        return m.lax.ragged_dot_general(l4, r4, sizes, dn)
    np.testing.assert_allclose(f(jax), f(real), rtol=1e-5, atol=1e-6)


def test_scaled_dot():
    import ml_dtypes
    rng = np.random.default_rng(3)
    lhs = rng.standard_normal((2, 3, 64)).astype(np.float32)
    rhs = rng.standard_normal((2, 64, 4)).astype(np.float32)
    ls = rng.uniform(0.5, 2, (2, 3, 2)).astype(np.float32)
    rs = rng.uniform(0.5, 2, (2, 2, 4)).astype(np.float32)
    bf = ml_dtypes.bfloat16
    r = lambda a: np.asarray(a).astype(bf).astype(np.float64)  # noqa: E731
    a = r(r(lhs) * np.repeat(r(ls), 32, 2))
    b = r(r(rhs) * np.repeat(r(rs), 32, 1))
    want = np.einsum("bmk,bkn->bmn", a, b)
    out = lax.scaled_dot(lhs, rhs, lhs_scale=ls, rhs_scale=rs, preferred_element_type=np.float32)
    assert out.dtype == np.float32 and out.shape == (2, 3, 4)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    out = lax.scaled_dot(lhs[0], rhs[0])
    assert out.dtype == bf
    np.testing.assert_allclose(np.asarray(out, np.float64), r(r(lhs[0]) @ r(rhs[0])), rtol=1e-2)
    with pytest.raises(TypeError, match="multiple"):
        lax.scaled_dot(lhs, rhs, lhs_scale=ls[..., :1].repeat(3, 2))
    with pytest.raises(TypeError, match="0-rank and 1-rank"):
        lax.scaled_dot(lhs[0, 0], rhs[0, :, 0])


def test_scaled_dot_oracle():
    real = oracle()
    rng = np.random.default_rng(4)
    lhs = rng.standard_normal((2, 3, 64)).astype(real.numpy.float8_e4m3fn)
    rhs = rng.standard_normal((2, 64, 4)).astype(real.numpy.float8_e4m3fn)
    ls = rng.uniform(0.5, 4, (2, 3, 2)).astype(real.numpy.float8_e8m0fnu)
    rs = rng.uniform(0.5, 4, (2, 2, 4)).astype(real.numpy.float8_e8m0fnu)
    for pet in (None, np.float32):
        a = lax.scaled_dot(lhs, rhs, lhs_scale=ls, rhs_scale=rs, preferred_element_type=pet)
        b = real.lax.scaled_dot(lhs, rhs, lhs_scale=ls, rhs_scale=rs, preferred_element_type=pet)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a, np.float64), np.asarray(b, np.float64))


# --- RNG primitives -------------------------------------------------------------------


def test_rng_bit_generator_known_values():
    # XLA's CPU results (jax 0.10.2): Philox by default, ThreeFry when asked.
    key = np.array([1, 2, 3, 4], np.uint32)
    new, bits = lax.rng_bit_generator(key, (4,))
    assert new.tolist() == [1, 2, 4, 4] and bits.dtype == np.uint32
    assert bits.tolist() == [512747620, 1298009047, 1267190206, 761827841]
    new, bits = lax.rng_bit_generator(key, (8,), algorithm=lax.RandomAlgorithm.RNG_THREE_FRY)
    assert new.tolist() == [1, 2, 7, 4]
    assert bits.tolist() == [1576285164, 2249660814, 740599976, 2425682526, 2436392515,
                             1497962777, 1335360347, 2260235687]
    _, small = lax.rng_bit_generator(key, (2, 3), np.uint8)
    assert small.shape == (2, 3) and small.dtype == np.uint8
    with pytest.raises(TypeError, match="unsupported dtype int32"):
        lax.rng_bit_generator(key, (4,), np.int32)
    with pytest.raises(TypeError, match="uint32\\[4\\]"):
        lax.rng_bit_generator(key[:2], (4,))
    # Deterministic, jit-able, and vmap gives one independent stream per key.
    a = jax.jit(lambda k: lax.rng_bit_generator(k, (3, 5))[1])(key)
    np.testing.assert_array_equal(a, lax.rng_bit_generator(key, (3, 5))[1])
    keys = np.stack([key, key + 1])
    v = jax.vmap(lambda k: lax.rng_bit_generator(k, (3,))[1])(keys)
    np.testing.assert_array_equal(v[1], lax.rng_bit_generator(key + 1, (3,))[1])


def test_rng_bit_generator_oracle():
    real = oracle()
    # ThreeFry's layout depends on the shape (which dimension it pairs along); Philox's
    # counter carries into the key words past 2**64.
    k1, k2 = [11, 22, 0xFFFFFFFE, 7], [0xFFFFFFFF] * 4
    configs = [(k1, (3, 5), np.uint32, 1), (k1, (5, 3), np.uint32, 1), (k1, (2, 3, 2), np.uint8, 1),
               (k2, (7,), np.uint32, 1), (k2, (9,), np.uint32, 0), (k1, (3, 5), np.uint16, 2),
               ([5, 6, 7, 8], (), np.uint32, 0)]
    for key, shape, dt, alg in configs:
        k = np.array(key, np.uint32)
        ours = lax.rng_bit_generator(k, shape, dt, lax.RandomAlgorithm(alg))
        theirs = real.lax.rng_bit_generator(k, shape, dt, real.lax.RandomAlgorithm(alg))
        for p, q in zip(ours, theirs):
            assert p.shape == q.shape and p.dtype == q.dtype
            np.testing.assert_array_equal(p, q, err_msg=f"{key} {shape} {dt} {alg}")


def test_rng_uniform():
    out = lax.rng_uniform(0.0, 1.0, (1000,))
    assert out.shape == (1000,) and out.dtype == np.float32 and out.weak_type
    o = np.asarray(out)
    assert o.min() >= 0.0 and o.max() < 1.0 and 0.4 < o.mean() < 0.6
    i = lax.rng_uniform(np.int32(2), np.int32(5), (500,))
    assert i.dtype == np.int32 and set(np.asarray(i).tolist()) == {2, 3, 4}
    f16 = lax.rng_uniform(np.float16(0), np.float16(1), (2000,))
    assert f16.dtype == np.float16 and np.asarray(f16).max() < 1.0
    # Stateful: two draws differ.
    assert not np.array_equal(lax.rng_uniform(0.0, 1.0, (8,)), lax.rng_uniform(0.0, 1.0, (8,)))
    with pytest.raises(ValueError, match="identical dtypes"):
        lax.rng_uniform(0.0, np.int32(3), (2,))
    with pytest.raises(ValueError, match="must be scalars"):
        lax.rng_uniform(jnp.zeros(2), jnp.ones(2), (2,))


# --- vmap of dynamic slicing with batched indices --------------------------------------


def test_vmap_dynamic_slice_batched_indices_is_one_gather():
    x = jnp.arange(30.0).reshape(5, 6)
    idx = jnp.array([0, 3, 4, -1, 2, 100, -100])
    got = jax.vmap(lambda i: lax.dynamic_slice(x, (i, 1), (2, 3)))(idx)
    xs = np.asarray(x)
    want = np.stack([xs[min(max(k + 5 if k < 0 else k, 0), 3):][:2, 1:4] for k in idx.tolist()])
    np.testing.assert_array_equal(got, want)
    # Operand batched too.
    xb = jnp.stack([x, x + 100.0, x * 2])
    got = jax.vmap(lambda x, i: lax.dynamic_slice(x, (i, i), (2, 2)))(xb, idx[:3])
    want = np.stack([np.asarray(xb[b])[min(s, 3):min(s, 3) + 2, s:s + 2]  # rows clamp to 3
                     for b, s in enumerate([0, 3, 4])])
    np.testing.assert_array_equal(got, want)
    jaxpr = jax.make_jaxpr(jax.vmap(lambda i: x[i]))(jnp.arange(1000))
    assert len(jaxpr.jaxpr.eqns) < 20
    assert any(e.primitive.name == "gather" for e in jaxpr.jaxpr.eqns)
    g = jax.grad(lambda x: jax.vmap(lambda i: lax.dynamic_slice(x, (i, 1), (2, 3)))(idx[:3]).sum())(x)
    want = np.zeros((5, 6))
    for s in (0, 3, 3):
        want[s:s + 2, 1:4] += 1
    np.testing.assert_array_equal(g, want)


def test_vmap_dynamic_update_slice_batched_indices_is_one_scatter():
    x = jnp.zeros((5, 6))
    idx = jnp.array([0, 3, 4, -1])
    got = jax.vmap(lambda i: lax.dynamic_update_slice(x, jnp.ones((2, 2)), (i, i)))(idx)
    for b, k in enumerate(idx.tolist()):
        want = np.zeros((5, 6))
        s = min(max(k + 5 if k < 0 else k, 0), 3)
        s2 = min(max(k + 6 if k < 0 else k, 0), 4)
        want[s:s + 2, s2:s2 + 2] = 1
        np.testing.assert_array_equal(got[b], want)
    upd = jnp.arange(8.0).reshape(4, 2)
    got = jax.vmap(lambda u, i: lax.dynamic_update_slice_in_dim(jnp.zeros(6), u, i, 0))(upd, idx)
    np.testing.assert_array_equal(got[1], [0, 0, 0, 2, 3, 0])
    jaxpr = jax.make_jaxpr(jax.vmap(lambda i: lax.dynamic_update_index_in_dim(
        jnp.zeros(10), 1.0, i, 0)))(jnp.arange(1000))
    assert len(jaxpr.jaxpr.eqns) < 20
    assert any(e.primitive.name == "scatter" for e in jaxpr.jaxpr.eqns)
    g = jax.grad(lambda u: jax.vmap(lambda u, i: lax.dynamic_update_slice_in_dim(
        jnp.zeros(6), u, i, 0))(u, idx).sum())(upd)
    np.testing.assert_array_equal(g, np.ones((4, 2)))


def test_no_warnings_from_rng_wraparound():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lax.rng_bit_generator(np.array([0xFFFFFFFF] * 4, np.uint32), (9,))
        lax.rng_bit_generator(np.array([0xFFFFFFFF] * 4, np.uint32), (9,),
                              algorithm=lax.RandomAlgorithm.RNG_THREE_FRY)


def test_primitive_objects_exported_under_jax_names():
    from pyjax._src import core
    import pyjax.lax as plax
    for name in plax._PRIMITIVE_NAMES:
        prim = getattr(lax, name.replace("-", "_") + "_p")
        assert isinstance(prim, core.Primitive) and prim.name == name
    assert float(lax.add_p.bind(np.float32(1), np.float32(2))) == 3.0
    assert lax.mulhi_p.bind(np.int32(2 ** 30), np.int32(8)).tolist() == 2
    assert lax.split_p is not None and lax.optimization_barrier_p.multiple_results
