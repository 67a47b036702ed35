"""Imports shared by the distributions of pyjax.scipy.stats."""
import numpy as np  # noqa: F401

from pyjax._src.lax import lax  # noqa: F401
from pyjax._src.scipy import special  # noqa: F401
from pyjax._src.scipy._util import const as _const  # noqa: F401
from pyjax._src.numpy.util import promote_args_inexact  # noqa: F401


def jnp():
    import pyjax.numpy
    return pyjax.numpy
