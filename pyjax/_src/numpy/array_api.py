"""jax.numpy: the Python Array API pieces (https://data-apis.org/array-api/).

- `__array_api_version__`, `__array_namespace_info__()` (capabilities, default device and
  dtypes, devices, dtypes by kind), as `jax.numpy` has them;
- `array_namespace` / `to_device` / `dlpack` / `dlpack_device`: the Array methods
  `__array_namespace__`, `to_device`, `__dlpack__` and `__dlpack_device__` (attached to
  Array by array_methods);
- `from_dlpack`: arrays of other libraries (NumPy, ...) through the DLPack protocol;
- `unique_all`, `unique_counts`, `unique_inverse`, `unique_values`, written with `lax.sort`
  (no gather or scatter): sort the flattened values with their positions, mark the starts
  of runs of equal values, and compact the marked entries to the front with a second sort.
  NaNs are all distinct (`equal_nan=False`, as JAX's); without `size` the input must be
  concrete, as in JAX.
"""
import enum
import operator
from typing import NamedTuple

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Array, ArrayImpl, Tracer, get_aval
from pyjax._src.errors import ConcretizationTypeError
from pyjax._src.lax import lax
from pyjax._src.numpy.util import (asarray_arg, broadcast_shapes_of, broadcast_to_shape,
                                   check_arraylike)

__all__ = ["__array_api_version__", "__array_namespace_info__", "from_dlpack",
           "unique_all", "unique_counts", "unique_inverse", "unique_values"]

__array_api_version__ = "2024.12"


# ---------------------------------------------------------------------------
# The namespace and its metadata


def array_namespace(self, *, api_version=None):
    """`Array.__array_namespace__`: the Array API namespace of pyjax arrays (pyjax.numpy)."""
    if api_version is not None and api_version != __array_api_version__:
        raise ValueError(f"{api_version=!r} is not available; "
                         f"available versions are: {[__array_api_version__]}")
    import pyjax.numpy
    return pyjax.numpy


def __array_namespace_info__():
    return ArrayNamespaceInfo()


# dtype kinds of the Array API, as jax.dtypes._dtype_kinds (bfloat16 & co. are filtered out
# by name below, as in JAX).
_KINDS = ("bool", "signed integer", "unsigned integer", "integral", "real floating",
          "complex floating", "numeric")
_ARRAY_API_TYPES = ("bool", "int8", "int16", "int32", "uint8", "uint16", "uint32",
                    "float32", "complex64")
_ARRAY_API_TYPES_X64 = ("int64", "uint64", "float64", "complex128")


class ArrayNamespaceInfo:
    """Metadata for the Python array API (`jnp.__array_namespace_info__()`)."""
    _capabilities = {
        "boolean indexing": False,  # within transformations
        "data-dependent shapes": False,  # within transformations
        "max dimensions": 64,
    }

    def _build_dtype_dict(self):
        names = set(_ARRAY_API_TYPES)
        if dtypes.x64_enabled():
            names |= set(_ARRAY_API_TYPES_X64)
        return {kind: {np.dtype(n).name: np.dtype(n) for n in sorted(names)
                       if np.dtype(n) in dtypes._ISDTYPE_KINDS[kind]} for kind in _KINDS}

    def default_device(self):
        # As in JAX: arrays are uncommitted by default (device None).
        return None

    def devices(self):
        from pyjax._src import api
        return [None, *api.devices()]

    def capabilities(self):
        return self._capabilities

    def default_dtypes(self, *, device=None):
        del device  # the same on every device
        return {
            "real floating": dtypes.default_float_dtype(),
            "complex floating": dtypes.default_complex_dtype(),
            "integral": dtypes.default_int_dtype(),
            "indexing": dtypes.default_int_dtype(),
        }

    def dtypes(self, *, device=None, kind=None):
        del device
        data_types = self._build_dtype_dict()
        if kind is None:
            return data_types["numeric"] | data_types["bool"]
        if isinstance(kind, tuple):
            out = {}
            for k in kind:
                out |= data_types[k]
            return out
        return data_types[kind]


def to_device(self, device, *, stream=None):
    """`Array.to_device`: the array on `device` (all pyjax arrays live in host memory)."""
    if stream is not None:
        raise NotImplementedError("stream argument of array.to_device()")
    from pyjax._src import api
    return api.device_put(self, device)


# ---------------------------------------------------------------------------
# DLPack


class DLDeviceType(enum.IntEnum):
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLROCM = 10


DLPACK_VERSION = (0, 8)
MIN_DLPACK_VERSION = (0, 5)
_DL_DEVICE_TO_PLATFORM = {DLDeviceType.kDLCPU: "cpu", DLDeviceType.kDLCUDA: "cuda",
                          DLDeviceType.kDLCUDAHost: "cuda", DLDeviceType.kDLROCM: "rocm"}


def _unknown_backend(platform):
    return RuntimeError(f"Unknown backend {platform}. Available backends are ['cpu']")


def dlpack_device(self):
    """`Array.__dlpack_device__`: pyjax arrays live in host memory, (kDLCPU, 0)."""
    return DLDeviceType.kDLCPU, 0


def dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """`Array.__dlpack__`: a DLPack capsule of the array's buffer.

    The buffer is exported read-only when the consumer speaks DLPack >= 1.0 (NumPy 2's
    `np.from_dlpack` does); older consumers cannot be told that a buffer is read-only, so
    they get a copy (an error with copy=False).  `stream` is ignored: host memory has none.
    """
    if isinstance(self, Tracer):
        raise ConcretizationTypeError(self._conversion_message("__dlpack__()"))
    if dl_device is not None and dl_device[0]:
        try:
            platform = _DL_DEVICE_TO_PLATFORM[dl_device[0]]
        except KeyError:
            raise BufferError("The device specification passed to to_dlpack contains an "
                              f"unsupported device type (DLDeviceType: {dl_device[0]})") from None
        if platform != "cpu":
            raise _unknown_backend(platform)
    if max_version is not None and tuple(max_version) < MIN_DLPACK_VERSION:
        raise BufferError(f"JAX does not support any version below {MIN_DLPACK_VERSION} but "
                          f"version ({max_version}) was requested.")
    value = np.asarray(core.to_numpy(self))
    if value.dtype.kind not in "biufc":  # bfloat16, float8, float0...
        raise BufferError(f"DLPack does not support arrays of dtype {value.dtype}")
    if copy:
        return np.array(value, copy=True).__dlpack__(**_versioned(max_version))
    if max_version is not None and tuple(max_version) >= (1, 0):
        view = value.view()
        view.flags.writeable = False  # the capsule says read-only: our buffers are immutable
        return view.__dlpack__(max_version=tuple(max_version))
    if copy is False:
        raise BufferError("pyjax arrays are immutable and DLPack before version 1.0 cannot mark "
                          "a buffer read-only, so exporting without a copy is refused "
                          "(copy=False). Pass max_version=(1, 0) or copy=None.")
    return np.array(value, copy=True).__dlpack__()


def _versioned(max_version):
    return {} if max_version is None else {"max_version": tuple(max_version)}


def from_dlpack(x, /, *, device=None, copy=None):
    """An Array from an object that speaks DLPack (`__dlpack__` and `__dlpack_device__`),
    as `jnp.from_dlpack`.  Without a copy the result shares the producer's memory (as in
    JAX; changing that memory later is undefined behaviour).  64-bit dtypes are narrowed to
    32 bits unless x64 is enabled."""
    from pyjax._src import api
    if device is not None and hasattr(device, "device_set"):
        device_set = device.device_set
        if len(device_set) > 1:
            raise ValueError("from_dlpack can only unpack a dlpack tensor onto a singular device, "
                             f"but a Sharding with {len(device_set)} devices was provided.")
        device, = device_set
    dlpack_device_ = api.devices()[0]
    if device is not None and device != dlpack_device_ and copy is not None and not copy:
        raise ValueError(
            f"Specified {device=} which requires a copy since the source device is "
            f"{dlpack_device_!r}, however copy=False. Set copy=True or copy=None to perform "
            "the requested operation.")
    if type(x) is ArrayImpl:
        # One of ours (also for dtypes DLPack lacks, like bfloat16): no capsule needed.
        value = np.asarray(x._value)
    else:
        if not hasattr(x, "__dlpack__") or not hasattr(x, "__dlpack_device__"):
            raise TypeError("The array passed to from_dlpack must have __dlpack__ and "
                            "__dlpack_device__ methods.")
        dl_device_type, _ = x.__dlpack_device__()
        try:
            platform = _DL_DEVICE_TO_PLATFORM[dl_device_type]
        except KeyError:
            raise TypeError("Array passed to from_dlpack is on unsupported device type "
                            f"(DLDeviceType: {dl_device_type}, array: {x}") from None
        if platform != "cpu":
            raise _unknown_backend(platform)
        value = np.from_dlpack(x) if copy is None else np.from_dlpack(x, copy=copy)
    dtype = dtypes.canonicalize_dtype(value.dtype)
    if dtype != value.dtype or not value.flags.c_contiguous:
        # (JAX also relayouts a transposed buffer when copy=False.)
        value = np.ascontiguousarray(value, dtype=dtype)
    elif copy and type(x) is ArrayImpl:
        value = value.copy()
    if value.flags.writeable:
        value = value.view()
        value.flags.writeable = False  # pyjax never writes into a buffer it shares
    return ArrayImpl(value, False)


# ---------------------------------------------------------------------------
# unique_all / unique_counts / unique_inverse / unique_values


class _UniqueAllResult(NamedTuple):
    """Struct returned by `jnp.unique_all`."""
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class _UniqueCountsResult(NamedTuple):
    """Struct returned by `jnp.unique_counts`."""
    values: Array
    counts: Array


class _UniqueInverseResult(NamedTuple):
    """Struct returned by `jnp.unique_inverse`."""
    values: Array
    inverse_indices: Array


_SIZE_HINT = ("To make jnp.unique() compatible with JIT and other transforms, you can specify "
              "a concrete value for the size argument, which will determine the output size.")


def _take_front(x, m, pad_value):
    """The first `m` entries of the 1-D `x`, padded at the end with `pad_value` if short."""
    n = get_aval(x).shape[0]
    if m <= n:
        return x if m == n else lax.slice(x, (0,), (m,))
    return lax.pad(x, pad_value, [(0, m - n, 0)])


def _first(x, m):
    """x[0] broadcast to shape (m,) (JAX pads with the entry at index 0)."""
    return lax.broadcast_in_dim(lax.slice(x, (0,), (1,)), (m,), (0,))


def _unique(name, x, size, fill_value, *, index=False, inverse=False, counts=False):
    check_arraylike(name, x)
    x = asarray_arg(x)
    if size is None:
        # The number of unique values sets the output shape: x must be known now.  As in JAX,
        # the results then no longer depend on x as a traced value (zero gradients).
        if isinstance(x, Tracer):
            v = x.to_concrete_value()
            if v is None:
                raise ConcretizationTypeError(
                    x._conversion_message(f"{name}() without a static size")
                    + "\nThe error arose for the first argument of jnp.unique(). " + _SIZE_HINT)
            x = ArrayImpl(np.asarray(v), get_aval(x).weak_type)
    else:
        if isinstance(size, Tracer):
            size = core.concrete_or_error(
                size, f"to read the size argument of {name}. " + _SIZE_HINT)
        size = operator.index(size)
        if size < 0:
            raise ValueError(f"{name}: size must be non-negative, got {size}")
    aval = get_aval(x)
    n = aval.size
    idt = dtypes.default_int_dtype()
    xf = lax.reshape(x, (n,))
    if fill_value is not None:
        check_arraylike(name, fill_value)
    out = []

    if n == 0:
        if size and fill_value is None:
            raise ValueError("jnp.unique: for zero-sized input with nonzero size argument, "
                             "fill_value must be specified")
        if size is not None and fill_value is not None:
            fill = lax.convert_element_type(asarray_arg(fill_value), aval.dtype)
            values = lax.full((size,), fill, aval.dtype, aval.weak_type)
        else:
            values = xf
        empty = lax.full((0,), 0, idt)
        out.append(values)
        if index:
            out.append(empty)
        if inverse:
            out.append(lax.reshape(empty, aval.shape))
        if counts:
            out.append(empty)
        return out

    if dtypes.issubdtype(aval.dtype, np.complexfloating):
        # As JAX: a NaN in either part makes the value nan+0j (sorting then puts it last).
        isnan = lax.bitwise_or(lax.ne(lax.real(xf), lax.real(xf)),
                               lax.ne(lax.imag(xf), lax.imag(xf)))
        xf = lax.select(isnan, lax.full((n,), np.nan, aval.dtype, aval.weak_type), xf)
    iota = lax.iota(idt, n)
    s, perm = lax.sort((xf, iota), num_keys=1)  # stable: ties keep their input order
    # mask[i]: s[i] starts a run of equal values.  NaN != NaN, so every NaN is its own value.
    true1 = lax.full((1,), True, np.bool_)
    if n > 1:
        neq = lax.ne(lax.slice(s, (1,), (n,)), lax.slice(s, (0,), (n - 1,)))
        mask = lax.concatenate([true1, lax.convert_element_type(neq, np.bool_)], 0)
    else:
        mask = true1
    num_unique = lax.reduce_sum(lax.convert_element_type(mask, idt), (0,))
    m = int(core.to_numpy(num_unique)) if size is None else size

    # Compact the starts of runs to the front, in order: sort by (start position, or n).
    key = lax.select(mask, iota, lax.full((n,), n, idt))
    skey, svals, sperm = lax.sort((key, s, perm), num_keys=1)
    valid = None if size is None else lax.lt(lax.iota(idt, m), lax.full((m,), num_unique, idt))

    values = _take_front(svals, m, lax.full((), 0, aval.dtype, aval.weak_type))
    if size is not None:
        if fill_value is None:
            values = lax.select(valid, values, _first(s, m))
        elif m:
            # JAX: where(valid, values, asarray(fill_value).astype(dtype)), never weak.
            fill = lax.convert_element_type(asarray_arg(fill_value), aval.dtype)
            broadcast_shapes_of("where", (m,), get_aval(fill).shape)
            values = lax.select(valid, lax.convert_element_type(values, aval.dtype),
                                broadcast_to_shape(fill, (m,)))
    if aval.weak_type and (fill_value is None or size is None or not m):
        values = lax.convert_element_type(values, aval.dtype, True)
    out.append(values)
    if index:
        indices = _take_front(sperm, m, lax.full((), 0, idt))
        if size is not None:
            indices = lax.select(valid, indices, _first(perm, m))
        out.append(indices)
    if inverse:
        # Position of each sorted entry's value among the unique values, scattered back to
        # input order by sorting on the permutation.
        rank = lax.sub(lax.cumsum(lax.convert_element_type(mask, idt), 0), lax.full((n,), 1, idt))
        _, inv = lax.sort((perm, rank), num_keys=1)
        out.append(lax.reshape(inv, aval.shape))
    if counts:
        # Run starts, then n: counts are differences of neighbours (0 for padding).
        starts = lax.concatenate([skey, lax.full((1,), n, idt)], 0)
        starts = _take_front(starts, m + 1, lax.full((), n, idt))
        out.append(lax.sub(lax.slice(starts, (1,), (m + 1,)), lax.slice(starts, (0,), (m,))))
    return out


def unique_all(x, /, *, size=None, fill_value=None):
    """Unique values of the flattened `x` (sorted; NaNs all distinct) with the indices of
    their first occurrences, the inverse indices (shape of `x`) and their counts.  With a
    static `size` the outputs have that length (padded with `fill_value`, default the
    smallest value; padded indices are the index of the smallest value, counts are 0) and
    the function works under jit, vmap and grad."""
    values, indices, inverse_indices, counts = _unique(
        "unique_all", x, size, fill_value, index=True, inverse=True, counts=True)
    return _UniqueAllResult(values=values, indices=indices, inverse_indices=inverse_indices,
                           counts=counts)


def unique_counts(x, /, *, size=None, fill_value=None):
    """Unique values of `x` with their counts (see unique_all)."""
    values, counts = _unique("unique_counts", x, size, fill_value, counts=True)
    return _UniqueCountsResult(values=values, counts=counts)


def unique_inverse(x, /, *, size=None, fill_value=None):
    """Unique values of `x` with the inverse indices (see unique_all)."""
    values, inverse_indices = _unique("unique_inverse", x, size, fill_value, inverse=True)
    return _UniqueInverseResult(values=values, inverse_indices=inverse_indices)


def unique_values(x, /, *, size=None, fill_value=None):
    """Unique values of `x`, sorted (see unique_all)."""
    return _unique("unique_values", x, size, fill_value)[0]
