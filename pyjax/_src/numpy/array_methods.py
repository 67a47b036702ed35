"""Operators, methods, indexing and printing of pyjax.Array (and tracers), via jax.numpy."""
import numpy as np

from pyjax._src.core import Array, ArrayImpl, Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import lax_numpy as jnp
from pyjax._src.numpy import reductions, ufuncs


_OPERAND_TYPES = (Array, np.ndarray, np.generic, bool, int, float, complex)


def _defer(fn, swap=False):
    """An operator method: Python's NotImplemented for foreign types, argument order for
    reflected operators."""
    def op(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            if not hasattr(other, "__jax_array__"):
                return NotImplemented
            other = other.__jax_array__()
        return fn(other, self) if swap else fn(self, other)
    return op


_BINARY_OPS = {
    "add": ufuncs.add, "sub": ufuncs.subtract, "mul": ufuncs.multiply,
    "truediv": ufuncs.true_divide, "floordiv": ufuncs.floor_divide, "mod": ufuncs.remainder,
    "pow": ufuncs.power, "matmul": jnp.matmul, "and": ufuncs.bitwise_and,
    "or": ufuncs.bitwise_or, "xor": ufuncs.bitwise_xor, "lshift": ufuncs.left_shift,
    "rshift": ufuncs.right_shift, "divmod": ufuncs.divmod,
}
_COMPARISONS = {"eq": ufuncs.equal, "ne": ufuncs.not_equal, "lt": ufuncs.less,
                "le": ufuncs.less_equal, "gt": ufuncs.greater, "ge": ufuncs.greater_equal}


def _getitem(self, idx):
    return _indexing().rewriting_take(self, idx)


def _indexing():
    from pyjax._src.numpy import indexing
    return indexing


def rewriting_take(arr, idx, **kwargs):
    """arr[idx] with JAX's semantics (pyjax._src.numpy.indexing.rewriting_take)."""
    return _indexing().rewriting_take(arr, idx, **kwargs)


# --- x.at[idx]: functional indexed updates ------------------------------------


class _IndexUpdateHelper:
    """The `.at` property: pure equivalents of in-place indexed updates.

    ``x.at[idx].set(y)`` is ``x[idx] = y``, ``.add(y)`` is ``x[idx] += y``, and so on
    (subtract, multiply/mul, divide, power, min, max, apply, get).  Every update at a
    repeated index is applied (NumPy would apply the last only).  Keyword arguments:
    ``mode`` ('promise_in_bounds' (default): gets clamp, updates drop out-of-bounds
    indices; 'clip'; 'drop'/'fill': out-of-bounds updates are dropped, gets return
    ``fill_value``), ``indices_are_sorted``, ``unique_indices``, ``wrap_negative_indices``.
    """
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


class _IndexUpdateRef:
    """`x.at[idx]`: its methods return updated copies of `x`."""
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def __repr__(self):
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None,
            fill_value=None, out_sharding=None, wrap_negative_indices=True):
        """x[idx], with gather options (mode='fill' returns fill_value out of bounds)."""
        return _indexing().rewriting_take(
            self.array, self.index, indices_are_sorted=indices_are_sorted,
            unique_indices=unique_indices, mode=mode, fill_value=fill_value,
            normalize_indices=wrap_negative_indices)

    def _update(self, values, op, indices_are_sorted, unique_indices, mode,
                wrap_negative_indices, array=None):
        return _indexing().scatter_update(
            self.array if array is None else array, self.index, values, op,
            indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode,
            normalize_indices=wrap_negative_indices)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """x[idx] = values"""
        from pyjax._src.lax import slicing
        return self._update(values, slicing.scatter, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        """func.at(x, idx): `func` applied at the indexed positions, once per occurrence."""
        return _indexing().scatter_apply_update(
            self.array, self.index, func, indices_are_sorted=indices_are_sorted,
            unique_indices=unique_indices, mode=mode, normalize_indices=wrap_negative_indices)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """x[idx] += values"""
        from pyjax._src.lax import slicing
        return self._update(values, slicing.scatter_add, indices_are_sorted, unique_indices,
                            mode, wrap_negative_indices)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 out_sharding=None, wrap_negative_indices=True):
        """x[idx] -= values"""
        from pyjax._src.lax import slicing
        return self._update(values, slicing.scatter_sub, indices_are_sorted, unique_indices,
                            mode, wrap_negative_indices)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 out_sharding=None, wrap_negative_indices=True):
        """x[idx] *= values"""
        from pyjax._src.lax import slicing
        return self._update(values, slicing.scatter_mul, indices_are_sorted, unique_indices,
                            mode, wrap_negative_indices)

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
               out_sharding=None, wrap_negative_indices=True):
        """x[idx] /= values"""
        from pyjax._src.lax import slicing
        ones = jnp.ones_like(self.array)
        return ufuncs.divide(self.array, self._update(
            values, slicing.scatter_mul, indices_are_sorted, unique_indices, mode,
            wrap_negative_indices, array=ones))

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
              out_sharding=None, wrap_negative_indices=True):
        """x[idx] **= values"""
        from pyjax._src.lax import slicing
        ones = jnp.ones_like(self.array)
        return ufuncs.power(self.array, self._update(
            values, slicing.scatter_mul, indices_are_sorted, unique_indices, mode,
            wrap_negative_indices, array=ones))

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """x[idx] = minimum(x[idx], values)"""
        from pyjax._src.lax import slicing
        return self._update(values, slicing.scatter_min, indices_are_sorted, unique_indices,
                            mode, wrap_negative_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        """x[idx] = maximum(x[idx], values)"""
        from pyjax._src.lax import slicing
        return self._update(values, slicing.scatter_max, indices_are_sorted, unique_indices,
                            mode, wrap_negative_indices)


def _iter(self):
    shape = get_aval(self).shape
    if not shape:
        raise TypeError("iteration over a 0-d array")
    return (lax.index_in_dim(self, i, 0, keepdims=False) for i in range(shape[0]))


def _repr(self):
    """Exactly JAX's format: Array([1., 2.], dtype=float32[, weak_type=True])."""
    if isinstance(self, Tracer):
        return Tracer.__repr__(self)
    prefix = "Array("
    value = np.asarray(self._value)
    dtype_str = f"dtype={value.dtype.name}" + (", weak_type=True" if self._weak else "")
    line_width = np.get_printoptions()["linewidth"]
    if value.size == 0:
        s = f"[], shape={value.shape}"
    else:
        s = np.array2string(value, prefix=prefix, suffix=",", separator=", ",
                            max_line_width=line_width)
    last_line_len = len(s) - s.rfind("\n") + 1
    sep = " " if last_line_len + len(dtype_str) + 2 <= line_width else " " * len(prefix)
    return f"{prefix}{s},{sep}{dtype_str})"


def _str(self):
    if isinstance(self, Tracer):
        return repr(self)
    return str(np.asarray(self._value))


def _format(self, spec):
    if isinstance(self, Tracer):
        return format(repr(self), spec)
    value = np.asarray(self._value)
    return format(value if value.ndim else value[()], spec)


def _setitem(self, idx, value):
    raise TypeError("JAX arrays are immutable and do not support in-place item assignment. "
                    "Instead of x[idx] = y, use x = x.at[idx].set(y) or another .at[] method: "
                    "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html")


def _copy_method(self, *args):
    return self.copy() if type(self) is ArrayImpl else self


def _astype(self, dtype, copy=False, device=None):
    return jnp.astype(self, dtype)


def _reshape(self, *args, order="C", **kw):
    shape = args[0] if len(args) == 1 else args
    if "shape" in kw:
        shape = kw["shape"]
    return jnp.reshape(self, shape, order=order)


def _transpose(self, *axes):
    if len(axes) == 1 and (isinstance(axes[0], (tuple, list)) or axes[0] is None):
        axes = axes[0]
    return jnp.transpose(self, axes or None)


def _flatten(self, order="C"):
    return jnp.ravel(self, order=order)


def _devices(self):
    from pyjax._src import api
    return {api.devices()[0]}


def _device(self):
    from pyjax._src import api
    return api.devices()[0]


_METHODS = {
    "__getitem__": _getitem, "__iter__": _iter, "__repr__": _repr, "__str__": _str,
    "__format__": _format,
    "__neg__": ufuncs.negative, "__pos__": ufuncs.positive, "__abs__": ufuncs.absolute,
    "__invert__": ufuncs.bitwise_not, "__round__": lambda self, nd=None: ufuncs.round(self, nd or 0),
    "__setitem__": _setitem, "__copy__": _copy_method, "__deepcopy__": _copy_method,
    "astype": _astype, "reshape": _reshape, "transpose": _transpose,
    "ravel": jnp.ravel, "flatten": _flatten, "squeeze": jnp.squeeze, "swapaxes": jnp.swapaxes,
    "sum": reductions.sum, "prod": reductions.prod, "max": reductions.max, "min": reductions.min,
    "mean": reductions.mean, "var": reductions.var, "std": reductions.std,
    "argmax": reductions.argmax, "argmin": reductions.argmin, "all": reductions.all,
    "any": reductions.any, "cumsum": reductions.cumsum, "cumprod": reductions.cumprod,
    "ptp": reductions.ptp, "clip": jnp.clip, "round": ufuncs.round, "dot": jnp.dot,
    "conj": ufuncs.conj, "conjugate": ufuncs.conj, "diagonal": jnp.diagonal, "trace": jnp.trace,
    "devices": _devices,
}

_PROPERTIES = {
    "at": _IndexUpdateHelper,
    "T": lambda self: jnp.transpose(self),
    "mT": lambda self: jnp.matrix_transpose(self),
    "real": lambda self: ufuncs.real(self),
    "imag": lambda self: ufuncs.imag(self),
    "itemsize": lambda self: get_aval(self).dtype.itemsize,
    "nbytes": lambda self: get_aval(self).dtype.itemsize * get_aval(self).size,
    "device": _device,
    "sharding": lambda self: None,
    "is_fully_addressable": lambda self: True,
}


def _install():
    for name, fn in _BINARY_OPS.items():
        setattr(Array, f"__{name}__", _defer(fn))
        setattr(Array, f"__r{name}__", _defer(fn, swap=True))
    for name, fn in _COMPARISONS.items():
        setattr(Array, f"__{name}__", _defer(fn))
    for name, fn in _METHODS.items():
        setattr(Array, name, fn)
    for name, fn in _PROPERTIES.items():
        setattr(Array, name, property(fn))


_install()
