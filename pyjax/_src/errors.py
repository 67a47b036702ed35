"""The error classes users catch, with JAX's names and base classes (as jax.errors has them)."""


class JAXTypeError(TypeError):
    pass


class JAXIndexError(IndexError):
    pass


class ConcretizationTypeError(JAXTypeError):
    """A concrete (Python) value was needed but the value is abstract (traced)."""


class TracerBoolConversionError(ConcretizationTypeError):
    """`bool()` / `if` on a traced value."""


class TracerIntegerConversionError(JAXTypeError):
    """`int()` / `__index__` on a traced value."""


class TracerArrayConversionError(JAXTypeError):
    """`numpy.asarray` on a traced value."""


class UnexpectedTracerError(JAXTypeError):
    """A tracer escaped the transformation that created it."""


class NonConcreteBooleanIndexError(JAXIndexError):
    """A boolean mask used as an index is traced (abstract) inside a transformation: the
    result's shape would depend on the mask's values, which jit cannot allow."""

    def __init__(self, aval):
        super().__init__(
            f"Array boolean indices must be concrete; got {aval.str_short()}\n\n"
            "A boolean mask selects a number of elements that depends on its values, so it "
            "cannot be used on traced values (under jit, vmap, ...). Use jnp.where(mask, x, "
            "fill) to keep the shape, or jnp.nonzero(mask, size=...) / "
            "x.at[...].get(mode='fill') with a static size instead.\n\n"
            "See https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError")


class KeyReuseError(JAXTypeError):
    """A PRNG key was used twice (raised by key-reuse checking)."""


class JaxprTypeError(TypeError):
    """A jaxpr failed its type check (jax_enable_checks)."""


class InconclusiveDimensionOperation(Exception):
    """A comparison or operation on symbolic dimensions has no definite answer."""


class JaxRuntimeError(RuntimeError):
    """An error raised while running compiled code (JAX's XlaRuntimeError)."""
