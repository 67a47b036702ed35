"""Transformations and their nestings: jvp, vjp, grad, linearize, jacobians, vmap, jit, make_jaxpr."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax

rng = np.random.default_rng(0)


def allclose(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def f_scalar(x):
    return jnp.sum(jnp.sin(x) * x ** 2)


def numerical_grad(f, x, eps=1e-3):
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (float(f(x + d)) - float(f(x - d))) / (2 * eps)
    return g


X = rng.normal(size=(3,)).astype(np.float32)


def test_grad_matches_formula():
    g = jax.grad(f_scalar)(X)
    allclose(g, np.cos(X) * X ** 2 + 2 * X * np.sin(X))


def test_grad_matches_finite_differences():
    allclose(jax.grad(f_scalar)(X), numerical_grad(lambda v: f_scalar(jnp.asarray(v, jnp.float32)), X), 1e-2)


def test_value_and_grad_argnums_and_aux():
    def f(x, y):
        return x * y ** 2, {"aux": x}
    (v, aux), (gx, gy) = jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(2.0, 3.0)
    assert float(v) == 18.0 and float(aux["aux"]) == 2.0
    assert float(gx) == 9.0 and float(gy) == 12.0
    g, aux = jax.grad(f, has_aux=True)(2.0, 3.0)
    assert float(g) == 9.0


def test_grad_of_pytree_params():
    params = {"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}
    x = jnp.asarray(rng.normal(size=(4, 3)).astype(np.float32))

    def loss(p):
        return jnp.mean((jnp.tanh(x @ p["w"] + p["b"])) ** 2)

    g = jax.grad(loss)(params)
    assert set(g) == {"w", "b"} and g["w"].shape == (3, 2)
    w = np.ones((3, 2))
    num = numerical_grad(lambda ww: loss({"w": jnp.asarray(ww, jnp.float32), "b": params["b"]}), w)
    allclose(g["w"], num, 1e-2)


def test_nested_grad_no_perturbation_confusion():
    # The inner derivative must not see the outer x's tangent: d/dx (x * x) = 2x = 4 at 2.
    out = jax.grad(lambda x: x * jax.grad(lambda y: x * y)(1.0))(2.0)
    assert float(out) == 4.0


def test_higher_order_derivatives():
    f = lambda x: x ** 4
    assert float(jax.grad(jax.grad(jax.grad(f)))(2.0)) == pytest.approx(48.0)
    allclose(jax.hessian(lambda v: jnp.sum(v ** 3))(jnp.arange(3.0)), np.diag(6 * np.arange(3.0)))


def test_jvp_and_linearize_and_vjp_agree():
    f = lambda x: jnp.sin(x) * jnp.exp(x)
    v = jnp.asarray(rng.normal(size=3).astype(np.float32))
    y, t = jax.jvp(f, (X,), (v,))
    y2, f_jvp = jax.linearize(f, X)
    allclose(y, y2)
    allclose(t, f_jvp(v))
    y3, vjp_fn = jax.vjp(f, X)
    u = jnp.asarray(rng.normal(size=3).astype(np.float32))
    # <u, J v> == <J^T u, v>
    allclose(jnp.vdot(u, t), jnp.vdot(vjp_fn(u)[0], v), 1e-4)


def test_jacobians():
    f = lambda x: jnp.stack([x[0] * x[1], jnp.sin(x[2]), x[0] ** 2])
    x = jnp.array([1.0, 2.0, 3.0])
    expected = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, np.cos(3.0)], [2.0, 0.0, 0.0]])
    allclose(jax.jacfwd(f)(x), expected)
    allclose(jax.jacrev(f)(x), expected)
    allclose(jax.jacobian(f)(x), expected)


def test_jacobian_pytree_outputs_and_argnums():
    f = lambda x, y: {"a": x * y, "b": x + y}
    J = jax.jacrev(f, argnums=(0, 1))(jnp.ones(2), jnp.full(2, 3.0))
    allclose(J["a"][0], 3 * np.eye(2))
    allclose(J["b"][1], np.eye(2))
    J2 = jax.jacfwd(f, argnums=1)(jnp.ones(2), jnp.full(2, 3.0))
    allclose(J2["a"], np.eye(2))


def test_linear_transpose():
    f = lambda x: (2.0 * x[0] + x[1], x[1])
    t = jax.linear_transpose(f, jnp.zeros(2))
    ct, = t((jnp.array(1.0), jnp.array(2.0)))
    allclose(ct, [2.0, 3.0])


def test_vmap_in_out_axes_and_pytrees():
    xs = jnp.asarray(rng.normal(size=(4, 3)).astype(np.float32))
    y = jnp.ones(3)
    out = jax.vmap(lambda a, b: a * b, in_axes=(0, None))(xs, y)
    allclose(out, np.asarray(xs) * 1.0)
    out = jax.vmap(lambda a: a.sum(), in_axes=1)(xs)
    allclose(out, np.asarray(xs).sum(0))
    out = jax.vmap(lambda a: a * 2, out_axes=1)(xs)
    assert out.shape == (3, 4)
    out = jax.vmap(lambda d: d["x"] + d["y"], in_axes=({"x": 0, "y": None},))({"x": xs, "y": y})
    allclose(out, np.asarray(xs) + 1)
    assert jax.vmap(lambda: jnp.ones(2), axis_size=3)().shape == (3, 2)


def test_vmap_matches_loop_for_matmul_and_reductions():
    A = jnp.asarray(rng.normal(size=(5, 3, 4)).astype(np.float32))
    B = jnp.asarray(rng.normal(size=(4, 2)).astype(np.float32))
    f = lambda a: jnp.tanh(a @ B).max(axis=0)
    allclose(jax.vmap(f)(A), np.stack([np.asarray(f(A[i])) for i in range(5)]))


def test_vmap_of_grad_and_grad_of_vmap():
    params = {"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}
    xs = jnp.asarray(rng.normal(size=(5, 3)).astype(np.float32))
    ys = jnp.ones((5, 2))

    def loss(p, x, y):
        return jnp.mean((jnp.tanh(x @ p["w"] + p["b"]) - y) ** 2)

    per = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)
    for i in range(5):
        gi = jax.grad(loss)(params, xs[i], ys[i])
        allclose(per["w"][i], gi["w"])
    total = jax.grad(lambda p: jnp.sum(jax.vmap(loss, in_axes=(None, 0, 0))(p, xs, ys)))(params)
    allclose(total["w"], np.sum(np.asarray(per["w"]), 0), 1e-4)


def test_vmap_errors():
    with pytest.raises(ValueError, match="inconsistent sizes"):
        jax.vmap(lambda a, b: a + b)(jnp.ones(3), jnp.ones(4))
    with pytest.raises(ValueError):
        jax.vmap(lambda a: a, in_axes=2)(jnp.ones(3))


def test_jit_matches_eager_and_caches():
    traces = []

    def f(x, y):
        traces.append(1)
        return jnp.sin(x) * y + 1

    jf = jax.jit(f)
    allclose(jf(X, 2.0), np.sin(X) * 2 + 1)
    jf(X, 3.0)
    assert len(traces) == 1  # same abstract signature: no retrace
    jf(X[:2], 3.0)
    assert len(traces) == 2  # new shape: retrace
    jf(X, jnp.float32(3.0))
    assert len(traces) == 3  # strong float32 scalar differs from a weak Python float


def test_jit_static_argnums_and_argnames():
    calls = []

    def f(x, n, *, mode="add"):
        calls.append(n)
        return x + n if mode == "add" else x * n

    jf = jax.jit(f, static_argnums=1, static_argnames="mode")
    assert float(jf(1.0, 2)) == 3.0
    assert float(jf(1.0, 2, mode="mul")) == 2.0
    assert float(jf(1.0, 2)) == 3.0
    assert calls == [2, 2]
    with pytest.raises(ValueError, match="Non-hashable static"):
        jf(1.0, [1])


def test_jit_of_grad_and_grad_of_jit():
    g1 = jax.jit(jax.grad(f_scalar))(X)
    g2 = jax.grad(jax.jit(f_scalar))(X)
    allclose(g1, g2)
    allclose(g1, jax.grad(f_scalar)(X))


def test_jit_closure_over_outer_tracer():
    def outer(x):
        return jax.jit(lambda y: x * y)(3.0)
    assert float(jax.grad(outer)(2.0)) == 3.0
    assert float(jax.jit(lambda x: jax.grad(lambda y: x * y * y)(x))(2.0)) == 8.0


def test_jit_lower_as_text_and_make_jaxpr():
    text = jax.jit(lambda x: jnp.sin(x) * 2).lower(1.0).as_text()
    assert "sin" in text and "mul" in text
    jaxpr = jax.make_jaxpr(lambda x: jnp.sin(x) * 2)(1.0)
    assert str(jaxpr) == ("{ lambda ; a:f32[]. let\n    b:f32[] = sin a\n"
                          "    c:f32[] = mul b 2.0:f32[]\n  in (c,) }")
    nested = str(jax.make_jaxpr(lambda x: jax.jit(jnp.cos)(x) + 1)(1.0))
    assert "jit[" in nested and "cos" in nested


def test_eval_shape_and_shape_dtype_struct():
    out = jax.eval_shape(lambda x: (x @ x.T, x.sum()), jax.ShapeDtypeStruct((3, 4), jnp.float32))
    assert out[0].shape == (3, 3) and out[1].shape == () and out[0].dtype == np.float32


def test_disable_jit():
    seen = []

    def f(x):
        seen.append(type(x).__name__)
        return x + 1

    with jax.disable_jit():
        jax.jit(f)(1.0)
    assert seen == ["float"]


def test_weak_types_survive_jit_and_grad():
    out = jax.jit(lambda x: x * 2)(1.0)
    assert out.weak_type and out.dtype == np.float32
    assert jax.grad(lambda x: x * 3)(1.0).weak_type
    assert not jax.jit(lambda x: x * 2)(jnp.float32(1.0)).weak_type


def test_stop_gradient():
    assert float(jax.grad(lambda x: x * lax.stop_gradient(x))(3.0)) == 3.0


def test_integer_inputs_float0_cotangents():
    _, vjp_fn = jax.vjp(lambda x, n: x * n, 2.0, 3)
    gx, gn = vjp_fn(1.0)
    assert float(gx) == 3.0 and gn.dtype == jax.dtypes.float0
    g = jax.grad(lambda x, n: x * n, argnums=1, allow_int=True)(2.0, 3)
    assert g.dtype == jax.dtypes.float0


def test_x64_flag():
    with jax.config.override(jax_enable_x64=True):
        assert jnp.ones(2).dtype == np.float64
        assert jax.jit(lambda x: x + 1)(jnp.arange(3)).dtype == np.int64
        assert jax.grad(lambda x: x ** 2)(1.0).dtype == np.float64
    assert jnp.ones(2).dtype == np.float32


def test_devices_and_device_put():
    d = jax.devices()
    assert len(d) == 1 and d[0].platform == "cpu"
    x = jax.device_put(np.arange(3))
    assert isinstance(x, jax.Array) and x.dtype == np.int32
    assert x.devices() == {d[0]}
    assert isinstance(jax.device_get(x), np.ndarray)


def test_explain_cache_misses(caplog):
    f = jax.jit(lambda x: x + 1)
    with jax.config.override(jax_explain_cache_misses=True):
        f(jnp.ones(8))
        with caplog.at_level("WARNING", logger="pyjax"):
            f(jnp.ones(16))
    assert "argument 0 changed from f32[8] to f32[16]" in caplog.text


def test_jacobians_with_aux():
    J, aux = jax.jacrev(lambda x: (x ** 2, x.sum()), has_aux=True)(jnp.arange(3.0))
    allclose(J, np.diag(2 * np.arange(3.0)))
    assert float(aux) == 3.0
    J, aux = jax.jacfwd(lambda x: (x ** 2, x.sum()), has_aux=True)(jnp.arange(3.0))
    allclose(J, np.diag(2 * np.arange(3.0)))


def test_holomorphic_grad():
    g = jax.grad(lambda z: z ** 2, holomorphic=True)(1.0 + 1.0j)
    assert complex(g) == 2 + 2j
    with pytest.raises(TypeError, match="holomorphic"):
        jax.grad(lambda z: z ** 2, holomorphic=True)(1.0)


def test_jit_numpy_and_python_scalar_inputs():
    f = jax.jit(lambda a, b: a * b)
    out = f(np.arange(3, dtype=np.float64), 2)
    assert out.dtype == np.float32  # 64-bit NumPy input canonicalised with x64 off
    allclose(out, [0, 2, 4])
    assert jax.jit(lambda a: a)(np.int64(3)).dtype == np.int32


@pytest.mark.parametrize("fn,args", [
    (lax.sqrt, (np.arange(3, dtype=np.int32),)),
    (lax.floor, (np.arange(3, dtype=np.int32),)),
    (lax.add, (np.ones(3, np.float32), np.ones(3, np.int32))),
    (lax.lt, (np.ones(2, np.complex64), np.ones(2, np.complex64))),
])
def test_eager_and_jit_reject_the_same_dtypes(fn, args):
    """NumPy would compute these; JAX's lax raises, eagerly and under jit, and so do we
    (also on the second call, when the signature check is cached)."""
    for _ in range(2):
        with pytest.raises(TypeError, match=fn.__name__ if fn is not lax.lt else "lt"):
            fn(*args)
    with pytest.raises(TypeError):
        jax.jit(fn)(*args)
