"""Operators, methods, indexing and printing of pyjax.Array (and tracers), via jax.numpy."""
import operator

import numpy as np

from pyjax._src.core import Array, ArrayImpl, Tracer, get_aval
from pyjax._src.errors import ConcretizationTypeError
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


def _sort(self, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    return _sorting().sort(self, axis, kind=kind, order=order, stable=stable,
                           descending=descending)


def _argsort(self, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    return _sorting().argsort(self, axis, kind=kind, order=order, stable=stable,
                              descending=descending)


def _argpartition(self, kth, axis=-1):
    return _sorting().argpartition(self, kth, axis)


def _sorting():
    from pyjax._src.numpy import sorting
    return sorting


def _manipulation():
    from pyjax._src.numpy import manipulation
    return manipulation


def _repeat(self, repeats, axis=None, *, total_repeat_length=None, out_sharding=None):
    return _manipulation().repeat(self, repeats, axis, total_repeat_length=total_repeat_length)


def _searchsorted(self, v, side="left", sorter=None, *, method="scan"):
    from pyjax._src.numpy import setops
    return setops.searchsorted(self, v, side, sorter, method=method)


def _take(self, indices, axis=None, out=None, mode=None, unique_indices=False,
          indices_are_sorted=False, fill_value=None):
    return _indexing().take(self, indices, axis, out, mode, unique_indices=unique_indices,
                            indices_are_sorted=indices_are_sorted, fill_value=fill_value)


def _nonzero(self, *, fill_value=None, size=None):
    return _indexing().nonzero(self, size=size, fill_value=fill_value)


def _compress(self, condition, axis=None, *, out=None, size=None, fill_value=0):
    # The method's first argument is the condition: x.compress(c) is jnp.compress(c, x).
    return _indexing().compress(condition, self, axis, size=size, fill_value=fill_value,
                                out=out)


def _choose(self, choices, out=None, mode="raise"):
    return _indexing().choose(self, choices, out=out, mode=mode)


def _contains(self, other):
    """`other in x`, as JAX defines it: x 1-D, other a scalar, any(x == other)."""
    # JAX departs from NumPy here on purpose (NumPy accepts any shapes, with odd results).
    if other is None or isinstance(other, str):
        raise TypeError(f"Array.__contains__: unsupported operand type {type(other)}.")
    from pyjax._src.numpy.util import check_arraylike
    check_arraylike("Array.__contains__", other)
    if self.ndim != 1:
        raise ValueError("Array.__contains__: search array must be one-dimensional, got "
                         f"arr.shape={self.shape}.")
    if np.ndim(other) != 0:
        raise ValueError(f"Array.__contains__: query value must be a scalar, got "
                         f"query.shape={np.shape(other)}")
    return bool(reductions.any(ufuncs.equal(self, other)))


def _nbits(dt):
    # bool counts as one byte, as in JAX's view()
    return 8 * np.dtype(dt).itemsize


def _view(self, dtype=None, type=None):
    """The array's bits reinterpreted as `dtype`; a different itemsize rescales the last
    axis (as NumPy's ndarray.view)."""
    if type is not None:
        raise NotImplementedError("`type` argument of array.view() is not supported.")
    if dtype is None:
        return self
    from pyjax._src.numpy.lax_numpy import _user_dtype
    dtype = np.dtype(_user_dtype(dtype))
    src = np.dtype(self.dtype)
    bits_in, bits_out = _nbits(src), _nbits(dtype)
    if self.ndim == 0:
        if bits_in != bits_out:
            raise ValueError("view() of a 0d array is only supported if the itemsize is "
                             f"unchanged; got {src.name} viewed as {dtype.name}.")
        return lax.squeeze(_view(lax.expand_dims(self, (0,)), dtype), (0,))
    if (self.shape[-1] * bits_in) % bits_out:
        raise ValueError("When changing to a larger dtype, its size must be a divisor of the "
                         f"total size in bytes of the last axis of the array; got shape "
                         f"{self.shape} of {src.name} viewed as {dtype.name}.")
    if src == dtype:
        return self
    # bitcast_convert_type takes neither bool nor complex: go through uint8 / float parts.
    if src == np.bool_:
        return _view(lax.convert_element_type(self, np.uint8), dtype)
    if src.kind == "c":
        parts = jnp.stack([ufuncs.real(self), ufuncs.imag(self)], axis=-1)
        return _view(lax.reshape(parts, (*self.shape[:-1], 2 * self.shape[-1])), dtype)
    if dtype == np.bool_:
        return lax.ne(_view(self, np.uint8), lax.full((), 0, np.uint8))
    if dtype.kind == "c":
        part = _view(self, np.finfo(dtype).dtype)
        pairs = lax.reshape(part, (*part.shape[:-1], part.shape[-1] // 2, 2))
        return lax.complex(pairs[..., 0], pairs[..., 1])
    if bits_in < bits_out:
        k = bits_out // bits_in
        grouped = lax.reshape(self, (*self.shape[:-1], self.shape[-1] // k, k))
        return lax.bitcast_convert_type(grouped, dtype)
    if bits_in > bits_out:
        out = lax.bitcast_convert_type(self, dtype)
        return lax.reshape(out, (*self.shape[:-1], out.shape[-2] * out.shape[-1]))
    return lax.bitcast_convert_type(self, dtype)


def _byteswap(self):
    """The bytes of each element reversed (little- to big-endian), same dtype."""
    if np.dtype(self.dtype).kind == "c":
        return lax.complex(_byteswap(ufuncs.real(self)), _byteswap(ufuncs.imag(self)))
    k = np.dtype(self.dtype).itemsize
    if k == 1:
        return self
    if self.ndim == 0:
        return lax.squeeze(_byteswap(lax.expand_dims(self, (0,))), (0,))
    as_bytes = lax.reshape(_view(self, np.uint8), (*self.shape, k))
    swapped = lax.reshape(lax.rev(as_bytes, (self.ndim,)),
                          (*self.shape[:-1], self.shape[-1] * k))
    return _view(swapped, self.dtype)


def _copy_any(self):
    return jnp.copy(self)


def _numpy_dtype(self):
    return self.dtype


# --- concrete arrays only (ArrayImpl): buffers, shards, bytes ---------------------


class Shard:
    """One shard of an array: pyjax arrays are whole on their single (CPU) device."""
    __slots__ = ("device", "index", "replica_id", "data")

    def __init__(self, device, index, replica_id, data):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self):
        return (f"Shard(device={self.device!r}, index={self.index}, "
                f"replica_id={self.replica_id}, data={self.data})")


def _shards(self):
    return [Shard(_device(self), (slice(None),) * self.ndim, 0, self)]


def _addressable_data(self, index):
    return _shards(self)[index].data


def _tobytes(self, order="C"):
    return np.asarray(self._value).tobytes(order=order)


def _array_module(self, types):
    # NEP 37: pyjax.numpy handles any mixture of pyjax arrays and NumPy arrays
    if all(issubclass(t, (Array, np.ndarray)) for t in types):
        from pyjax import numpy as pnp
        return pnp
    return NotImplemented


class _DeletedBuffer:
    """Stands in for the NumPy buffer of a deleted Array: it keeps shape and dtype (the
    array's type survives, as in JAX) and every use of the data raises JAX's error."""
    __slots__ = ("shape", "dtype")

    def __init__(self, value):
        self.shape, self.dtype = value.shape, value.dtype

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def _error(self, *args, **kwargs):
        dims = ",".join(map(str, self.shape))
        raise RuntimeError(f"Array has been deleted with shape={self.dtype.name}[{dims}].")

    __array__ = __bool__ = __int__ = __float__ = __complex__ = __index__ = _error
    __len__ = __iter__ = __getitem__ = __array_ufunc__ = __array_function__ = _error

    def __getattr__(self, name):
        self._error()


def _delete(self):
    """Free the array's buffer now; later uses of its values raise RuntimeError."""
    if not isinstance(self._value, _DeletedBuffer):
        self._value = _DeletedBuffer(self._value)


def _is_deleted(self):
    return isinstance(self._value, _DeletedBuffer)


def _block_until_ready(self):
    if _is_deleted(self):
        self._value._error()
    return self


def _concrete_only(name, fn):
    """fn for concrete arrays; on a tracer, JAX's ConcretizationTypeError naming the method
    (a traced value has no buffer, bytes or shards)."""
    def method(self, *args, **kwargs):
        if isinstance(self, Tracer):
            raise ConcretizationTypeError(self._conversion_message(f"to call .{name}"))
        return fn(self, *args, **kwargs)
    method.__name__ = name
    return method


_IMPL_METHODS = {
    "addressable_data": _addressable_data,
    "tobytes": _tobytes,
    "unsafe_buffer_pointer": lambda self: np.asarray(self._value).ctypes.data,
    "on_device_size_in_bytes": lambda self: self.nbytes,
    "platform": lambda self: "cpu",
    "is_ready": lambda self: True,
    "copy_to_host_async": lambda self: None,
    "clone": lambda self: self.copy(),
    "__hex__": lambda self: hex(operator.index(self)),
    "__oct__": lambda self: oct(operator.index(self)),
    "__array_module__": _array_module,
    "delete": _delete,
    "is_deleted": _is_deleted,
}
_IMPL_PROPERTIES = {
    "addressable_shards": _shards,
    "global_shards": _shards,
    "is_fully_replicated": lambda self: True,
}


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
    "sort": _sort, "argsort": _argsort, "argpartition": _argpartition, "repeat": _repeat,
    "searchsorted": _searchsorted, "take": _take, "nonzero": _nonzero, "compress": _compress,
    "choose": _choose, "view": _view, "byteswap": _byteswap, "__contains__": _contains,
    "copy": _copy_any,
    "__array_namespace__": lambda self, *, api_version=None: _array_api().array_namespace(
        self, api_version=api_version),
    "__dlpack__": lambda self, **kw: _array_api().dlpack(self, **kw),
    "to_device": lambda self, device, *, stream=None: _array_api().to_device(
        self, device, stream=stream),
}


def _array_api():
    from pyjax._src.numpy import array_api
    return array_api

def _flat(self):
    raise NotImplementedError("JAX Arrays do not implement the arr.flat property: consider "
                              "arr.flatten() instead.")


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
    "__numpy_dtype__": _numpy_dtype,
    "flat": _flat,
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
    for name, fn in _IMPL_METHODS.items():
        setattr(Array, name, _concrete_only(name, fn))
    for name, fn in _IMPL_PROPERTIES.items():
        setattr(Array, name, property(_concrete_only(name, fn)))
    ArrayImpl.block_until_ready = _block_until_ready
    # DLPack export needs a buffer: concrete arrays only, as in JAX
    ArrayImpl.__dlpack_device__ = lambda self: _array_api().dlpack_device(self)


_install()
