"""Callbacks and effects, debugging flags, named scopes, compile-time evaluation, check_grads."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax
from pyjax.test_util import check_grads


def scan_with_prints(x):
    jax.debug.print("x={}", x)

    def body(c, xi):
        jax.debug.print("c={c} xi={xi}", c=c, xi=xi)
        return c + xi, c

    return lax.scan(body, 0.0, x)[0]


def test_debug_print_in_jit_vmap_scan_order(capsys):
    jax.jit(jax.vmap(scan_with_prints))(jnp.arange(4.0).reshape(2, 2))
    # Same lines, same order as JAX prints for this program.
    assert capsys.readouterr().out.splitlines() == [
        "x=[0. 1.]", "x=[2. 3.]",
        "c=0.0 xi=0.0", "c=0.0 xi=2.0",
        "c=0.0 xi=1.0", "c=2.0 xi=3.0"]


def test_debug_print_eager_grad_and_kept_by_dce(capsys):
    def f(x):
        jax.debug.print("value {}", x)
        return x * 2
    assert float(jax.grad(f)(3.0)) == 2.0
    jax.jit(f)(1.5)
    jax.linearize(f, 4.0)
    assert capsys.readouterr().out.splitlines() == ["value 3.0", "value 1.5", "value 4.0"]


def test_debug_callback_receives_numpy(capsys):
    seen = []
    jax.jit(lambda x: jax.debug.callback(lambda v: seen.append(v * 2), x))(jnp.arange(3))
    assert isinstance(seen[0], np.ndarray) and seen[0].tolist() == [0, 2, 4]


def test_pure_callback_modes():
    out = jax.jit(lambda x: jax.pure_callback(lambda v: np.sin(v), jax.ShapeDtypeStruct((3,), jnp.float32), x))(
        jnp.arange(3.0))
    np.testing.assert_allclose(out, np.sin(np.arange(3.0)), rtol=1e-6)
    calls = []

    def cb(v):
        calls.append(v.shape)
        return v * 3

    xs = jnp.ones((2, 3))
    jax.vmap(lambda x: jax.pure_callback(cb, jax.ShapeDtypeStruct((3,), jnp.float32), x))(xs)
    assert calls == [(3,), (3,)]
    calls.clear()
    out = jax.vmap(lambda x: jax.pure_callback(cb, jax.ShapeDtypeStruct((3,), jnp.float32), x,
                                               vmap_method="expand_dims"))(xs)
    assert calls == [(2, 3)] and out.shape == (2, 3)
    with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
        jax.grad(lambda x: jax.pure_callback(lambda v: v, jax.ShapeDtypeStruct((), jnp.float32), x))(1.0)
    with pytest.raises(TypeError, match="result_shape_dtypes"):
        jax.pure_callback(lambda v: np.ones(2, np.float32), jax.ShapeDtypeStruct((3,), jnp.float32), 1.0)


def test_debug_nans_and_infs():
    with jax.config.override(jax_debug_nans=True):
        with pytest.raises(FloatingPointError, match=r"nan.*log.*test_debugging.py"):
            jnp.log(-1.0)
        with pytest.raises(FloatingPointError, match=r"invalid value \(nan\) encountered in sqrt"):
            jax.jit(lambda x: jnp.sqrt(x) + 1)(-1.0)
        assert float(jnp.log(1.0)) == 0.0
    with jax.config.override(jax_debug_infs=True):
        with pytest.raises(FloatingPointError, match=r"inf.*div"):
            jnp.float32(1.0) / jnp.zeros(())
    assert np.isnan(float(jnp.log(-1.0)))


def test_named_scope_and_named_call_visible_in_jaxpr():
    def f(x):
        with jax.named_scope("layer1"):
            y = jnp.sin(x)
        return jax.named_call(jnp.cos, name="act")(y)
    text = jax.make_jaxpr(f)(1.0).pretty_print(name_stack=True)
    assert "sin a  # layer1" in text and "# act" in text
    eqns = jax.make_jaxpr(f)(1.0).eqns
    assert eqns[0].source_info.name_stack == ("layer1",)


def test_ensure_compile_time_eval():
    def g(x):
        with jax.ensure_compile_time_eval():
            c = jnp.arange(3.0) * 2
            assert float(c[1]) == 2.0  # concrete even inside jit
        return x + c
    jaxpr = jax.make_jaxpr(g)(jnp.ones(3))
    assert [e.primitive.name for e in jaxpr.eqns] == ["add"]
    np.testing.assert_allclose(jax.jit(g)(jnp.ones(3)), [1.0, 3.0, 5.0])


def test_check_grads():
    check_grads(lambda x: jnp.sin(x) * x ** 2, (jnp.arange(3.0),), order=2)
    check_grads(lambda x: lax.scan(lambda c, v: (c * v, c), x, jnp.arange(1.0, 3.0))[0], (0.5,), order=2)
    bad = jax.custom_jvp(lambda x: jnp.sin(x))
    bad.defjvp(lambda p, t: (jnp.sin(p[0]), 2 * t[0]))
    with pytest.raises(AssertionError, match="JVP vs finite differences"):
        check_grads(bad, (jnp.arange(3.0),), order=1, modes=("fwd",))


def test_check_grads_complex():
    check_grads(lambda z: (1 + 2j) * z, (jnp.complex64(1 + 1j),), 1, modes=("rev",))
    check_grads(lambda z: jnp.sin(z) * jnp.conj(z), (jnp.array([1 + 1j, 0.5 - 2j], jnp.complex64),), 2)
