"""jax.numpy: printing options, .npy files and small predicates, as JAX has them.

pyjax arrays print through NumPy (see array_methods._repr), so NumPy's print options are
the ones that apply: JAX's get/set_printoptions and printoptions are NumPy's, and its
array_repr / array_str are NumPy's functions.
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.numpy import lax_numpy as _jnp

__all__ = ["get_printoptions", "set_printoptions", "printoptions", "array_repr", "array_str",
           "load", "save", "savez", "iterable"]


def get_printoptions():
    """NumPy's print options (they apply to printed pyjax arrays)."""
    return np.get_printoptions()


def set_printoptions(*args, **kwargs):
    """numpy.set_printoptions: pyjax arrays are printed with NumPy's options."""
    return np.set_printoptions(*args, **kwargs)


def printoptions(*args, **kwargs):
    """numpy.printoptions: a context manager setting NumPy's (hence pyjax's) print options."""
    return np.printoptions(*args, **kwargs)


# JAX re-exports NumPy's own functions for these.
array_repr = np.array_repr
array_str = np.array_str
iterable = np.iterable
save = np.save
savez = np.savez


def load(file, *args, **kwargs):
    """numpy.load, returning a pyjax Array for .npy contents (bfloat16 restored); .npz files
    give NumPy's NpzFile, as in JAX."""
    out = np.load(file, *args, **kwargs)
    if isinstance(out, np.ndarray):
        # NumPy does not know bfloat16: np.save writes it as 2-byte void.
        if out.dtype == np.dtype("V2"):
            out = out.view(dtypes.bfloat16)
        try:
            out = _jnp.asarray(out)
        except (TypeError, ValueError):  # a dtype pyjax arrays cannot hold (object, str, ...)
            pass
    return out
