"""Error classes users catch, with JAX's names."""
from pyjax._src.errors import (ConcretizationTypeError, JAXTypeError, KeyReuseError,  # noqa: F401
                               TracerArrayConversionError, TracerBoolConversionError,
                               TracerIntegerConversionError, UnexpectedTracerError)
