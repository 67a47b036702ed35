"""Operators, methods, indexing and printing of pyjax.Array (and tracers), via jax.numpy."""
import numpy as np

from pyjax._src import core, dtypes
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
    return rewriting_take(self, idx)


def rewriting_take(arr, idx):
    """Basic indexing (ints, slices, None, Ellipsis, traced scalar ints) with lax slices."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    for i in idx:
        if isinstance(i, list) or (isinstance(i, (np.ndarray, Array)) and np.ndim(i) > 0):
            return _advanced_take(arr, idx)
        if isinstance(i, (Array, np.ndarray, np.bool_, bool)) and \
                np.dtype(getattr(i, "dtype", np.bool_)) == np.bool_:
            return _advanced_take(arr, idx)
    shape = get_aval(arr).shape
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if n_real > len(shape):
        raise IndexError(f"Too many indices for array: {n_real} non-None/Ellipsis indices for "
                         f"dim {len(shape)}.")
    if sum(1 for i in idx if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if Ellipsis in [i for i in idx if i is Ellipsis]:
        k = [j for j, i in enumerate(idx) if i is Ellipsis][0]
        idx = idx[:k] + (slice(None),) * (len(shape) - n_real) + idx[k + 1:]
    else:
        idx = idx + (slice(None),) * (len(shape) - n_real)

    out = arr
    new_shape = []
    dim = 0
    squeeze_dims = []
    starts, limits, strides, rev_dims, dyn = [], [], [], [], []
    for i in idx:
        if i is None:
            new_shape.append(("new",))
            continue
        n = shape[dim]
        if isinstance(i, slice):
            start, stop, step = i.indices(n) if not any(isinstance(v, Tracer) for v in (i.start, i.stop, i.step)) \
                else _concrete_slice(i, n)
            if step > 0:
                m = max(0, -(-(stop - start) // step))
                starts.append(start)
                limits.append(start + (m - 1) * step + 1 if m else start)
                strides.append(step)
            else:
                m = max(0, -(-(start - stop) // -step))
                first = start + (m - 1) * step if m else 0
                starts.append(first)
                limits.append(start + 1 if m else 0)
                strides.append(-step)
                rev_dims.append(dim)
            new_shape.append(("dim", dim))
        else:
            if isinstance(i, Tracer) or (isinstance(i, ArrayImpl)):
                if not dtypes.issubdtype(get_aval(i).dtype, np.integer):
                    raise IndexError(f"Indexer must have integer or boolean type, got indexer "
                                     f"with type {get_aval(i).dtype}")
                dyn.append((dim, i))
                starts.append(0)
                limits.append(n)
                strides.append(1)
            else:
                try:
                    k = int(np.asarray(i).item()) if isinstance(i, (np.integer, np.ndarray)) else i.__index__()
                except (AttributeError, TypeError):
                    raise TypeError(f"Indexer must be an int, slice, None, Ellipsis or array, got "
                                    f"{i!r} of type {type(i).__name__}") from None
                if n == 0:
                    raise IndexError(f"index {k} is out of bounds for axis {dim} with size 0")
                # Out-of-bounds integer indices clamp, as JAX's gather does (no error).
                k = min(max(k + n if k < 0 else k, 0), n - 1)
                starts.append(k)
                limits.append(k + 1)
                strides.append(1)
            squeeze_dims.append(dim)
        dim += 1
    if any(s != 0 for s in starts) or any(l != n for l, n in zip(limits, shape)) or any(
            s != 1 for s in strides):
        out = lax.slice(out, starts, limits, strides if any(s != 1 for s in strides) else None)
    if rev_dims:
        out = lax.rev(out, rev_dims)
    for d, i in dyn:
        out = lax.dynamic_index_in_dim(out, _normalize_index(i, shape[d]), d, keepdims=True)
    if squeeze_dims:
        out = lax.squeeze(out, squeeze_dims)
    if any(t[0] == "new" for t in new_shape):
        final, kept = [], iter(get_aval(out).shape)
        for t in new_shape:
            final.append(1 if t[0] == "new" else next(kept))
        out = lax.reshape(out, final)
    return out


def _concrete_slice(s, n):
    vals = [None if v is None else int(core.concrete_or_error(v, "a slice bound (slices must be static)"))
            for v in (s.start, s.stop, s.step)]
    return slice(*vals).indices(n)


def _normalize_index(i, n):
    """Negative indices count from the end (dynamic_slice then clamps, like JAX)."""
    i = lax.asarray(i)
    return lax.select(lax.lt(i, lax.full_like(i, 0)), lax.add(i, lax.full_like(i, n)), i)


def _advanced_take(arr, idx):
    raise NotImplementedError(
        "Indexing with integer arrays or boolean masks (advanced indexing) is not available yet "
        f"in pyjax (index {idx!r}); use basic indexing, lax.dynamic_slice or jnp.take once it lands.")


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
    raise TypeError("pyjax arrays are immutable and do not support in-place item assignment "
                    "(x[idx] = y). Build a new array instead, e.g. with jnp.where or "
                    "lax.dynamic_update_slice.")


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
