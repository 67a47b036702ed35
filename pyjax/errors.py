"""Error classes users catch, with JAX's names."""
from pyjax._src.errors import (ConcretizationTypeError, InconclusiveDimensionOperation,  # noqa: F401
                               JAXIndexError, JaxprTypeError, JaxRuntimeError, JAXTypeError,
                               KeyReuseError, NonConcreteBooleanIndexError,
                               TracerArrayConversionError, TracerBoolConversionError,
                               TracerIntegerConversionError, UnexpectedTracerError)
