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


# ---------------------------------------------------------------------------
# issue 4's bad-input errors: class as JAX's, message naming the function and the values


def _jax_error(fn):
    """The exception real JAX raises for `fn(jax)` (skips without JAX)."""
    real = pytest.importorskip("jax")
    with pytest.raises(Exception) as e:
        fn(real)
    return e.value


def test_error_classes_are_jaxs():
    real = pytest.importorskip("jax")
    public = [n for n in dir(real.errors) if not n.startswith("_")]
    for name in public:
        ours = getattr(jax.errors, name)          # every jax.errors class exists
        theirs = getattr(real.errors, name)
        builtin = [c for c in theirs.__mro__ if c.__module__ == "builtins"]
        assert [c for c in ours.__mro__ if c.__module__ == "builtins"] == builtin, name
        for base in theirs.__mro__[1:]:
            if base.__module__ == "jax.errors":   # the JAX classes it derives from, too
                assert issubclass(ours, getattr(jax.errors, base.__name__)), (name, base)


def test_traced_boolean_mask():
    x = jnp.arange(6.0)
    with pytest.raises(jax.errors.NonConcreteBooleanIndexError,
                       match=r"boolean indices must be concrete; got bool\[6\]") as e:
        jax.jit(lambda v: v[v > 2])(x)
    assert isinstance(e.value, IndexError) and isinstance(e.value, jax.errors.JAXIndexError)
    with pytest.raises(jax.errors.NonConcreteBooleanIndexError):
        jax.jit(lambda v: v.at[v > 2].set(0.0))(x)
    with pytest.raises(jax.errors.NonConcreteBooleanIndexError):
        jax.vmap(lambda v: v[v > 2])(x.reshape(2, 3))
    theirs = _jax_error(lambda j: j.jit(lambda v: v[v > 2])(j.numpy.arange(6.0)))
    assert type(theirs).__name__ == "NonConcreteBooleanIndexError"
    # concrete masks are fine eagerly
    np.testing.assert_array_equal(x[x > 2], [3.0, 4.0, 5.0])


@pytest.mark.parametrize("name,call", [
    ("jnp.nonzero", lambda m, v, s: m.nonzero(v, size=s)),
    ("jnp.nonzero", lambda m, v, s: m.where(v > 1, size=s)),
    ("jnp.nonzero", lambda m, v, s: m.argwhere(v, size=s)),
    ("unique", lambda m, v, s: m.unique(v, size=s)),
])
def test_non_static_size(name, call):
    x = jnp.arange(6.0)
    with pytest.raises(jax.errors.ConcretizationTypeError) as e:
        jax.jit(lambda v, s: call(jnp, v, s))(x, 3)
    msg = str(e.value)
    # names the function, the argument and the traced value's type
    assert name in msg and "size" in msg and ("int32[]" in msg or "i32[]" in msg), msg
    theirs = _jax_error(lambda j: j.jit(lambda v, s: call(j.numpy, v, s))(j.numpy.arange(6.0), 3))
    assert type(theirs).__name__ == "ConcretizationTypeError"


@pytest.mark.parametrize("name,call", [
    ("sum", lambda m, x: m.sum(x, axis=2)),
    ("take", lambda m, x: m.take(x, m.asarray([0]), axis=-3)),
    ("moveaxis", lambda m, x: m.moveaxis(x, 2, 0)),
    ("concatenate", lambda m, x: m.concatenate([x, x], axis=2)),
    ("flip", lambda m, x: m.flip(x, 5)),
    ("cumsum", lambda m, x: m.cumsum(x, axis=-3)),
    # JAX raises IndexError for these: NumPy's AxisError is both
    ("mean", lambda m, x: m.mean(x, axis=-4)),
    ("var", lambda m, x: m.var(x, axis=3)),
    ("argmax", lambda m, x: m.argmax(x, axis=3)),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, 3)),
    ("split", lambda m, x: m.split(x, 1, axis=3)),
    ("linalg.norm", lambda m, x: m.linalg.norm(x, axis=3)),
])
def test_out_of_range_axis(name, call):
    x = jnp.ones((2, 3))
    with pytest.raises(np.exceptions.AxisError,
                       match=r"axis -?\d is out of bounds for array of dimension 2") as e:
        call(jnp, x)
    assert f"(in jnp.{name})" in str(e.value), str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, IndexError)
    theirs = _jax_error(lambda j: call(j.numpy, j.numpy.ones((2, 3))))
    assert isinstance(e.value, type(theirs)), (type(e.value), type(theirs))


def test_concatenate_mismatched_shapes():
    a, b, c = jnp.ones((2, 3)), jnp.ones((2, 4)), jnp.ones(3)
    with pytest.raises(TypeError, match=r"concatenate.*dimension 0 for shapes \(2, 3\), \(2, 4\)"):
        jnp.concatenate([a, b])
    with pytest.raises(TypeError,
                       match=r"concatenate.*numbers of dimensions: got \(2, 3\), \(3,\)"):
        jnp.concatenate([a, c])
    with pytest.raises(TypeError, match=r"\(2, 3\), \(2, 4\)"):
        jax.jit(lambda u, v: jnp.concatenate([u, v]))(a, b)
    for call in (lambda j: j.numpy.concatenate([j.numpy.ones((2, 3)), j.numpy.ones((2, 4))]),
                 lambda j: j.numpy.concatenate([j.numpy.ones((2, 3)), j.numpy.ones(3)])):
        assert type(_jax_error(call)) is TypeError


@pytest.mark.parametrize("call", [lambda m, v: m.compress(v > 1, v),
                                  lambda m, v: m.extract(v > 1, v)], ids=["compress", "extract"])
def test_traced_condition_without_size(call):
    with pytest.raises(jax.errors.TracerBoolConversionError, match=r"jnp.compress.*size=") as e:
        jax.jit(lambda v: call(jnp, v))(jnp.arange(6.0))
    assert "bool[6]" in str(e.value)
    theirs = _jax_error(lambda j: j.jit(lambda v: call(j.numpy, v))(j.numpy.arange(6.0)))
    assert type(theirs).__name__ == "TracerBoolConversionError"
    # with a static size it traces
    out = jax.jit(lambda v: jnp.compress(v > 1, v, size=2))(jnp.arange(6.0))
    np.testing.assert_array_equal(out, [2.0, 3.0])
