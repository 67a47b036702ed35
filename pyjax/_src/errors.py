"""The error classes users catch, with JAX's names and base classes."""


class JAXTypeError(TypeError):
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


class KeyReuseError(RuntimeError):
    pass
