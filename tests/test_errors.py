"""The errors users rely on: JAX's classes, and messages that name the operation and the user's line."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax


def test_bool_on_tracer_in_jit_names_user_line():
    def f(x):
        if x > 0:  # the line the message must name
            return x
        return -x

    with pytest.raises(jax.errors.TracerBoolConversionError) as e:
        jax.jit(f)(1.0)
    msg = str(e.value)
    assert "test_errors.py" in msg and "static_argnums" in msg
    assert isinstance(e.value, jax.errors.ConcretizationTypeError)
    assert isinstance(e.value, TypeError)


def test_bool_on_jvp_tracer_of_concrete_value_works():
    # Outside jit the primal is concrete, so Python control flow is fine (as in JAX).
    f = lambda x: x if x > 0 else -x
    assert float(jax.grad(f)(2.0)) == 1.0
    assert float(jax.grad(f)(-2.0)) == -1.0


def test_integer_and_array_conversion_errors():
    with pytest.raises(jax.errors.TracerIntegerConversionError):
        jax.jit(lambda x: jnp.ones(int(x)))(3)
    with pytest.raises(jax.errors.TracerArrayConversionError):
        jax.jit(lambda x: np.asarray(x))(1.0)
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(lambda x: float(x))(1.0)
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.vmap(lambda x: 1 if x else 0)(jnp.ones(2))


def test_shape_as_traced_value():
    with pytest.raises(jax.errors.ConcretizationTypeError, match="shape"):
        jax.jit(lambda n: jnp.zeros((n,)))(3)


def test_leaked_tracer():
    stash = []

    def f(x):
        stash.append(x)
        return x * 2

    jax.jit(f)(1.0)
    with pytest.raises(jax.errors.UnexpectedTracerError, match="unexpected tracer"):
        stash[0] + 1
    stash.clear()
    jax.grad(f)(1.0)
    with pytest.raises(jax.errors.UnexpectedTracerError):
        jax.jit(lambda y: y + stash[0])(1.0)


def test_grad_errors():
    with pytest.raises(TypeError, match="scalar"):
        jax.grad(lambda x: x)(jnp.ones(3))
    with pytest.raises(TypeError, match="real-valued outputs"):
        jax.grad(lambda x: jnp.int32(1) + jnp.round(x).astype(jnp.int32))(1.0)
    with pytest.raises(TypeError, match="allow_int"):
        jax.grad(lambda x: x * 2.0)(3)
    with pytest.raises(TypeError, match="argnums"):
        jax.grad(lambda x: x, argnums=3)(1.0)


def test_lax_shape_and_dtype_errors_name_the_operation():
    with pytest.raises(TypeError, match=r"add.*same dtypes.*float32.*int32"):
        lax.add(jnp.ones(2), jnp.ones(2, jnp.int32))
    with pytest.raises(TypeError, match=r"incompatible shapes.*\(2,\).*\(3,\)"):
        lax.mul(jnp.ones(2), jnp.ones(3))
    with pytest.raises(TypeError, match="dot_general"):
        lax.dot_general(jnp.ones((2, 3)), jnp.ones((4, 2)), (((1,), (0,)), ((), ())))
    with pytest.raises(TypeError, match="reshape"):
        lax.reshape(jnp.ones(6), (4,))


def test_numpy_level_errors():
    with pytest.raises(ValueError, match="incompatible shapes"):
        jnp.add(jnp.ones(2), jnp.ones(3))
    with pytest.raises(ValueError, match="matmul"):
        jnp.matmul(jnp.ones((2, 3)), jnp.ones((2, 3)))
    with pytest.raises(IndexError):
        jnp.ones(3)[0, 1]


def test_error_inside_jit_names_user_line():
    def f(x):
        return lax.add(x, jnp.ones(4))  # shape mismatch on this line

    with pytest.raises(TypeError) as e:
        jax.jit(f)(jnp.ones(3))
    assert "test_errors.py" in str(e.value)


def test_jit_non_array_argument():
    with pytest.raises(TypeError, match="static"):
        jax.jit(lambda s: s)("hello")
