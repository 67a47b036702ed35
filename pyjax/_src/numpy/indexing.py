"""jax.numpy: indexing.

NumPy's indexing as JAX defines it, on lax's slice/dynamic_slice/gather/scatter:

* `rewriting_take` computes `x[idx]`: indices made only of ints, slices, None and
  Ellipsis (and scalar integer arrays) become static or dynamic slices; everything
  else (integer arrays, boolean masks, mixtures) becomes one `gather`.  Out-of-bounds
  integer indices clamp (or fill, with `mode="fill"`); negative indices count from
  the end.
* `scatter_update` computes the `x.at[idx].set/add/...` updates with the scatter
  primitives; out-of-bounds updates are dropped by default.
* Boolean masks must be concrete: their result's shape depends on their values.
  Traced masks raise `NonConcreteBooleanIndexError` (an IndexError).

The jnp functions built on them (take, take_along_axis, nonzero, ...) follow.
"""
import enum
import math
import operator
from typing import NamedTuple, Sequence

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Array, ArrayImpl, Tracer, get_aval
from pyjax._src.errors import (ConcretizationTypeError, NonConcreteBooleanIndexError,
                               TracerBoolConversionError)
from pyjax._src.lax import lax
from pyjax._src.lax import slicing
from pyjax._src.numpy import lax_numpy as _jnp
from pyjax._src.numpy import reductions, ufuncs
from pyjax._src.numpy.util import asarray_arg, canonicalize_axis, check_arraylike, promote_dtypes


def _concrete_or_error(x, msg):
    """A concrete NumPy value for `x`, or JAX's ConcretizationTypeError explaining `msg`."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        if v is None:
            a = x.aval
            raise ConcretizationTypeError(
                "Abstract tracer value encountered where concrete value is expected: traced "
                f"array with shape {a.dtype.name}[{','.join(map(str, a.shape))}]\n{msg}")
        return np.asarray(v)
    return core.to_numpy(x)


def _concrete_int(x, msg):
    return operator.index(_concrete_or_error(x, msg).item()) if not isinstance(x, int) else x


# ---------------------------------------------------------------------------
# Parsing indices


class IndexType(enum.Enum):
    NONE = "none"
    SLICE = "slice"
    ELLIPSIS = "ellipsis"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ARRAY = "array"


def _is_integer_index(idx):
    return isinstance(idx, (int, np.integer)) and not isinstance(idx, (bool, np.bool_))


def _is_scalar(x):
    return np.isscalar(x) or (isinstance(x, (np.ndarray, Array)) and np.ndim(x) == 0)


def _aval_or_none(x):
    try:
        return core.get_aval(x)
    except TypeError:
        return None


def _is_boolean_index(i):
    a = _aval_or_none(i)
    if a is not None:
        return a.dtype == np.bool_
    return (isinstance(i, list) and bool(i) and all(
        _is_scalar(e) and dtypes.dtype(e) == np.bool_ for e in i))


def _index_type(idx):
    if idx is None:
        return IndexType.NONE
    if idx is Ellipsis:
        return IndexType.ELLIPSIS
    if isinstance(idx, slice):
        return IndexType.SLICE
    if _is_integer_index(idx):
        return IndexType.INTEGER
    if _is_boolean_index(idx):
        return IndexType.BOOLEAN
    if isinstance(idx, (Array, np.ndarray)):
        if dtypes.issubdtype(idx.dtype, np.integer):
            return IndexType.ARRAY
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                        f"{idx.dtype}")
    if isinstance(idx, str):
        raise TypeError(f"JAX does not support string indexing; got {idx=}")
    if isinstance(idx, Sequence):
        if not idx:  # empty indices default to float, so special-case this.
            return IndexType.ARRAY
        dt = get_aval(_jnp.asarray(idx)).dtype
        if dt == np.bool_:
            return IndexType.BOOLEAN
        if dtypes.issubdtype(dt, np.integer):
            return IndexType.ARRAY
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {dt}")
    if isinstance(idx, (float, complex, np.generic)):
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                        f"{np.dtype(type(idx))}")
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and "
                     f"integer or boolean arrays are valid indices. Got {idx}")


class ParsedIndex(NamedTuple):
    index: object
    typ: IndexType
    consumed_axes: tuple


def _should_unpack_list_index(x):
    return (isinstance(x, (np.ndarray, Array)) and np.ndim(x) != 0
            or isinstance(x, (Sequence, slice)) or x is Ellipsis or x is None)


def _eliminate_deprecated_list_indexing(idx):
    if not isinstance(idx, tuple):
        if isinstance(idx, Sequence) and not isinstance(idx, (Array, np.ndarray, str)):
            if any(_should_unpack_list_index(i) for i in idx):
                msg = ("Using a non-tuple sequence for multidimensional indexing is not allowed; "
                       "use `arr[tuple(seq)]` instead of `arr[seq]`. "
                       "See https://github.com/jax-ml/jax/issues/4564 for more information.")
            else:
                msg = ("Using a non-tuple sequence for multidimensional indexing is not allowed; "
                       "use `arr[array(seq)]` instead of `arr[seq]`. "
                       "See https://github.com/jax-ml/jax/issues/4564 for more information.")
            raise TypeError(msg)
        idx = (idx,)
    return idx


def parse_indices(idx, shape):
    """The user's index as ParsedIndex entries (type and consumed axes of `shape`)."""
    idx = _eliminate_deprecated_list_indexing(idx)
    types = [_index_type(i) for i in idx]
    consumed, ellipses = [], []
    for k, (i, t) in enumerate(zip(idx, types)):
        if t in (IndexType.NONE, IndexType.ELLIPSIS):
            consumed.append(0)
            if t is IndexType.ELLIPSIS:
                ellipses.append(k)
        elif t is IndexType.BOOLEAN:
            consumed.append(np.ndim(i) if not isinstance(i, list) else 1)
        else:
            consumed.append(1)
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    total = sum(consumed)
    if total > len(shape):
        raise IndexError(f"Too many indices: array is {len(shape)}-dimensional, but {total} "
                         "were indexed")
    if ellipses:
        consumed[ellipses[0]] = len(shape) - total
    out, dim = [], 0
    for i, t, n in zip(idx, types, consumed):
        out.append(ParsedIndex(i, t, tuple(range(dim, dim + n))))
        dim += n
    return out


def _expand_ellipses(indices, shape):
    out, used = [], 0
    for p in indices:
        used += len(p.consumed_axes)
        if p.typ is IndexType.ELLIPSIS:
            out.extend(ParsedIndex(slice(None), IndexType.SLICE, (a,)) for a in p.consumed_axes)
        else:
            out.append(p)
    out.extend(ParsedIndex(slice(None), IndexType.SLICE, (a,)) for a in range(used, len(shape)))
    return out


def _is_static_slice_entry(v):
    if v is None:
        return True
    if isinstance(v, Tracer):
        return v.to_concrete_value() is not None
    return True


def _validate_slices(indices):
    for position, p in enumerate(indices):
        if p.typ is IndexType.SLICE:
            s = p.index
            if not all(_is_static_slice_entry(v) for v in (s.start, s.stop, s.step)):
                raise IndexError(f"Slice entries must be static integers. Got {s} at position "
                                 f"{position}")


def _static_slice_parts(s, n):
    vals = []
    for v in (s.start, s.stop, s.step):
        if v is None:
            vals.append(None)
        else:
            vals.append(operator.index(np.asarray(
                v.to_concrete_value() if isinstance(v, Tracer) else core.to_numpy(v)).item()
                if isinstance(v, (Tracer, Array, np.ndarray)) else v))
    return slice(*vals).indices(n)


def _canonicalize_slice(s, n):
    """(start, step, size) of a static slice, as core.canonicalize_slice."""
    start, stop, step = _static_slice_parts(s, n)
    if step > 0:
        size = max(0, -(-(stop - start) // step))
    else:
        size = max(0, -(-(start - stop) // -step))
    return start, step, size


def _expand_bool_indices(indices, shape):
    """Boolean masks replaced by the integer arrays of their True positions (masks must be
    concrete); scalar booleans stay."""
    out = []
    for position, p in enumerate(indices):
        if p.typ is not IndexType.BOOLEAN:
            out.append(p)
            continue
        value = p.index
        if isinstance(value, Tracer):
            v = value.to_concrete_value()
            if v is None:
                raise NonConcreteBooleanIndexError(value.aval)
            value = v
        value = np.asarray(core.to_numpy(value) if isinstance(value, Array) else value)
        if value.ndim == 0:
            out.append(ParsedIndex(bool(value), p.typ, ()))
            continue
        expected = [shape[i] for i in p.consumed_axes]
        if not all(s1 in (0, s2) for s1, s2 in zip(value.shape, expected)):
            raise IndexError("boolean index did not match shape of indexed array in index "
                             f"{position}: got {value.shape}, expected {expected}")
        where = np.nonzero(value)
        out.extend(ParsedIndex(i.astype(dtypes.canonicalize_dtype(np.int64)), IndexType.ARRAY,
                               (axis,)) for i, axis in zip(where, p.consumed_axes))
    return out


# ---------------------------------------------------------------------------
# x[idx]


def rewriting_take(arr, idx, *, indices_are_sorted=False, unique_indices=False, mode=None,
                   fill_value=None, normalize_indices=True):
    """`arr[idx]` with JAX's semantics (see the module docstring)."""
    arr = asarray_arg(arr)
    shape = get_aval(arr).shape
    if mode is None and normalize_indices:
        fast = _fast_basic_entries(idx, shape)
        if fast is not None:
            return _basic_take(arr, fast, shape)
    indices = parse_indices(idx, shape)
    parsed_mode = None if mode is None else slicing.GatherScatterMode.from_any(mode)
    if normalize_indices and parsed_mode in (None, slicing.GatherScatterMode.PROMISE_IN_BOUNDS,
                                             slicing.GatherScatterMode.CLIP):
        if all(p.typ in (IndexType.INTEGER, IndexType.SLICE, IndexType.NONE,
                         IndexType.ELLIPSIS) or
               (p.typ is IndexType.ARRAY and not isinstance(p.index, Sequence)
                and np.ndim(p.index) == 0) for p in indices):
            _validate_slices(indices)
            return _basic_take(arr, _basic_entries(_expand_ellipses(indices, shape), shape),
                               shape)
    indices = _expand_bool_indices(indices, shape)
    return _gather(arr, indices, shape, indices_are_sorted=indices_are_sorted,
                   unique_indices=unique_indices, mode=mode, fill_value=fill_value,
                   normalize_indices=normalize_indices)


_INT_OR_NONE = (int, type(None))


def _fast_basic_entries(idx, shape):
    """Entries for _basic_take when `idx` is made of Python ints, slices of Python ints,
    None and one Ellipsis (the common case, without the general parser); else None."""
    t = idx if type(idx) is tuple else (idx,)
    n_real, ellipsis_at = 0, -1
    for k, i in enumerate(t):
        ti = type(i)
        if ti is int or isinstance(i, np.integer):
            n_real += 1
        elif ti is ArrayImpl and i._value.ndim == 0 and i._value.dtype.kind in "iu":
            n_real += 1  # a concrete scalar index: its value is known, slice statically
        elif ti is slice:
            if not (type(i.start) in _INT_OR_NONE and type(i.stop) in _INT_OR_NONE
                    and type(i.step) in _INT_OR_NONE):
                return None
            n_real += 1
        elif i is Ellipsis:
            if ellipsis_at >= 0:
                return None
            ellipsis_at = k
        elif i is not None:
            return None
    nd = len(shape)
    if n_real > nd:
        return None
    entries, dim = [], 0
    for k, i in enumerate(t):
        if i is None:
            entries.append(("none", None, None))
        elif i is Ellipsis:
            for _ in range(nd - n_real):
                entries.append(("slice", slice(None), dim))
                dim += 1
        else:
            if type(i) is slice:
                entries.append(("slice", i, dim))
            else:
                entries.append(("int", i._value[()] if type(i) is ArrayImpl else i, dim))
            dim += 1
    while dim < nd:
        entries.append(("slice", slice(None), dim))
        dim += 1
    return entries


def _basic_entries(indices, shape):
    out = []
    for p in indices:
        if p.typ is IndexType.NONE:
            out.append(("none", None, None))
            continue
        dim, = p.consumed_axes
        if p.typ is IndexType.SLICE:
            out.append(("slice", p.index, dim))
        elif p.typ is IndexType.INTEGER or not isinstance(p.index, Array):
            v = p.index
            if isinstance(v, np.ndarray):
                v = v[()]
            out.append(("int", v, dim))
        else:
            out.append(("dyn", p.index, dim))
    return out


def _basic_take(arr, entries, shape):
    """Indexing with ints, static slices, None and scalar integer arrays: lax.slice, rev,
    dynamic_index_in_dim (which clamps, as JAX's dynamic_slice), squeeze and reshape."""
    starts, limits, strides, rev_dims, dyn, squeeze_dims, layout = [], [], [], [], [], [], []
    for kind, index, dim in entries:
        if kind == "none":
            layout.append(None)
            continue
        n = shape[dim]
        if kind == "slice":
            if type(index.start) in _INT_OR_NONE and type(index.stop) in _INT_OR_NONE \
                    and type(index.step) in _INT_OR_NONE:
                start, stop, step = index.indices(n)
            else:
                start, stop, step = _static_slice_parts(index, n)
            if step > 0:
                m = max(0, -(-(stop - start) // step))
                starts.append(start)
                limits.append(start + (m - 1) * step + 1 if m else start)
                strides.append(step)
            else:
                m = max(0, -(-(start - stop) // -step))
                starts.append(start + (m - 1) * step if m else 0)
                limits.append(start + 1 if m else 0)
                strides.append(-step)
                rev_dims.append(dim)
            layout.append(dim)
            continue
        if n == 0:
            raise IndexError(f"index is out of bounds for axis {dim} with size 0")
        if kind == "int":
            k = operator.index(index)
            if k < 0 and not isinstance(index, np.unsignedinteger):
                k += n
            k = min(max(k, 0), n - 1)  # out-of-bounds indices clamp, as JAX's slicing does
            starts.append(k)
            limits.append(k + 1)
        else:
            dyn.append((dim, index))
            starts.append(0)
            limits.append(n)
        strides.append(1)
        squeeze_dims.append(dim)
    out = arr
    if any(s != 0 for s in starts) or any(lim != n for lim, n in zip(limits, shape)) or any(
            s != 1 for s in strides):
        out = lax.slice(out, starts, limits, strides if any(s != 1 for s in strides) else None)
    if rev_dims:
        out = lax.rev(out, rev_dims)
    for d, i in dyn:
        out = lax.dynamic_index_in_dim(out, _normalize_scalar_index(i, shape[d]), d,
                                       keepdims=True)
    if squeeze_dims:
        out = lax.squeeze(out, squeeze_dims)
    if any(t is None for t in layout):
        kept = iter(get_aval(out).shape)
        out = lax.reshape(out, [1 if t is None else next(kept) for t in layout])
    return out


def _normalize_scalar_index(i, n):
    i = asarray_arg(i)
    if dtypes.issubdtype(get_aval(i).dtype, np.unsignedinteger):
        return i
    return lax.select(lax.lt(i, lax.full_like(i, 0)), lax.add(i, lax.full_like(i, n)), i)


class _GatherIndexer(NamedTuple):
    slice_shape: list            # shape of the indexing result before newaxis removal
    gather_slice_shape: list     # slice_sizes of the gather
    gather_indices: object       # int array [..., k]
    dnums: slicing.GatherDimensionNumbers
    unique_indices: bool
    indices_are_sorted: bool
    reversed_y_dims: list
    newaxis_dims: tuple
    scalar_bool_dims: list


def _index_dtype(shape):
    big = any(d > np.iinfo(np.int32).max for d in shape)
    return np.dtype(np.int64) if big else np.dtype(np.int32)


def _normalize_array_index(i, n):
    """Negative entries of an integer index array count from the end (unsigned stay)."""
    if dtypes.issubdtype(get_aval(i).dtype, np.unsignedinteger):
        return i
    return lax.select(lax.lt(i, lax.full_like(i, 0)), lax.add(i, lax.full_like(i, n)), i)


def index_to_gather(indices, shape, normalize_indices=True):
    """The gather (indices, dimension numbers, slice sizes) computing x[idx], and how to
    turn its result into the indexing result (as JAX's _index_to_gather)."""
    _validate_slices(indices)
    indices = [ParsedIndex(_jnp.asarray(p.index), p.typ, p.consumed_axes)
               if isinstance(p.index, Sequence) else p for p in indices]
    is_advanced = np.nonzero(np.array([p.typ in (IndexType.ARRAY, IndexType.INTEGER)
                                       for p in indices]))
    contiguous = bool(np.all(np.diff(is_advanced) == 1))
    indices = _expand_ellipses(indices, shape)

    # Scalar booleans add a dimension of size 1 (True) or 0 (False), indexed by arange.
    scalar_bool_dims = [n for n, p in enumerate(indices) if p.typ is IndexType.BOOLEAN]
    new_shape = list(shape)
    expanded, dim = [], 0
    for n, p in enumerate(indices):
        if p.typ is IndexType.BOOLEAN:
            new_shape.insert(n, 1)
            expanded.append(ParsedIndex(np.arange(int(p.index), dtype=np.int32),
                                        IndexType.ARRAY, (dim,)))
            dim += 1
        else:
            k = len(p.consumed_axes)
            expanded.append(ParsedIndex(p.index, p.typ, tuple(range(dim, dim + k))))
            dim += k
    indices, shape = expanded, tuple(new_shape)

    if normalize_indices:
        normed = []
        for p in indices:
            if p.typ is IndexType.INTEGER:
                axis, = p.consumed_axes
                v = p.index
                if not isinstance(v, np.unsignedinteger) and v < 0:
                    v = v + shape[axis]
                normed.append(ParsedIndex(v, p.typ, p.consumed_axes))
            elif p.typ is IndexType.ARRAY:
                axis, = p.consumed_axes
                normed.append(ParsedIndex(_normalize_array_index(asarray_arg(p.index),
                                                                 shape[axis]),
                                          p.typ, p.consumed_axes))
            else:
                normed.append(p)
        indices = normed

    advanced = any(p.typ in (IndexType.ARRAY, IndexType.BOOLEAN) and np.ndim(p.index) > 0
                   for p in indices)
    advanced_indexes, idx_advanced_axes, x_advanced_axes = [], [], []
    if advanced:
        without_none = [(i, p) for i, p in enumerate(indices) if p.typ is not IndexType.NONE]
        for j, (i, p) in enumerate(without_none):
            if p.typ in (IndexType.ARRAY, IndexType.INTEGER):
                advanced_indexes.append(asarray_arg(p.index))
                idx_advanced_axes.append(i)
                x_advanced_axes.append(j)

    index_dtype = _index_dtype(shape)
    x_axis = y_axis = collapsed_y_axis = 0
    offset_dims, collapsed_slice_dims, start_index_map = [], [], []
    gather_indices, gather_indices_shape = [], []
    slice_shape, newaxis_dims, reversed_y_dims, gather_slice_shape = [], [], [], []

    for idx_pos, p in enumerate(indices):
        if advanced_indexes and (contiguous and idx_pos == idx_advanced_axes[0]
                                 or not contiguous and idx_pos == 0):
            arrs = _jnp.broadcast_arrays(*advanced_indexes)
            ashape = get_aval(arrs[0]).shape
            start_dim = len(gather_indices_shape)
            gather_indices.extend((lax.convert_element_type(a, index_dtype), start_dim)
                                  for a in arrs)
            gather_indices_shape += list(ashape)
            start_index_map.extend(x_advanced_axes)
            collapsed_slice_dims.extend(x_advanced_axes)
            slice_shape.extend(ashape)
            y_axis += len(ashape)
            collapsed_y_axis += len(ashape)
        if idx_pos in idx_advanced_axes:
            x_axis += 1
            gather_slice_shape.append(1)
            continue
        if p.typ in (IndexType.INTEGER, IndexType.ARRAY) and np.ndim(p.index) == 0:
            if shape[x_axis] == 0:
                raise IndexError(f"index is out of bounds for axis {x_axis} with size 0")
            gather_indices.append((lax.convert_element_type(p.index, index_dtype),
                                   len(gather_indices_shape)))
            collapsed_slice_dims.append(x_axis)
            gather_slice_shape.append(1)
            start_index_map.append(x_axis)
            x_axis += 1
        elif p.typ is IndexType.NONE:
            slice_shape.append(1)
            newaxis_dims.append(y_axis)
            y_axis += 1
        elif p.typ is IndexType.SLICE:
            start, step, size = _canonicalize_slice(p.index, shape[x_axis])
            slice_shape.append(size)
            if step == 1:
                if size != shape[x_axis]:
                    gather_indices.append((lax.convert_element_type(start, index_dtype),
                                           len(gather_indices_shape)))
                    start_index_map.append(x_axis)
                gather_slice_shape.append(size)
                offset_dims.append(collapsed_y_axis)
            else:
                idx = lax.add(lax.full((size,), start, index_dtype),
                              lax.mul(lax.full((size,), step, index_dtype),
                                      lax.iota(index_dtype, size)))
                if step < 0:
                    reversed_y_dims.append(collapsed_y_axis)
                    idx = lax.rev(idx, (0,))
                gather_slice_shape.append(1)
                gather_indices.append((idx, len(gather_indices_shape)))
                start_index_map.append(x_axis)
                gather_indices_shape.append(size)
                collapsed_slice_dims.append(x_axis)
            collapsed_y_axis += 1
            y_axis += 1
            x_axis += 1
        else:
            raise IndexError(f"Got unsupported indexer at position {idx_pos}: {p!r}")

    if not gather_indices:
        gather_indices_array = lax.asarray(np.zeros((0,), index_dtype))
    elif len(gather_indices) == 1:
        g, _ = gather_indices[0]
        gather_indices_array = lax.expand_dims(g, (get_aval(g).ndim,))
    else:
        last = len(gather_indices_shape)
        gather_indices_shape.append(1)
        gather_indices_array = lax.concatenate([
            lax.broadcast_in_dim(g, gather_indices_shape,
                                 tuple(range(i, i + get_aval(g).ndim)))
            for g, i in gather_indices], last)

    dnums = slicing.GatherDimensionNumbers(
        offset_dims=tuple(offset_dims), collapsed_slice_dims=tuple(sorted(collapsed_slice_dims)),
        start_index_map=tuple(start_index_map))
    return _GatherIndexer(slice_shape=slice_shape, gather_slice_shape=gather_slice_shape,
                          gather_indices=gather_indices_array, dnums=dnums,
                          unique_indices=not advanced_indexes,
                          indices_are_sorted=not advanced_indexes,
                          reversed_y_dims=reversed_y_dims, newaxis_dims=tuple(newaxis_dims),
                          scalar_bool_dims=scalar_bool_dims)


def _gather(arr, indices, shape, *, indices_are_sorted, unique_indices, mode, fill_value,
            normalize_indices):
    indexer = index_to_gather(indices, shape, normalize_indices=normalize_indices)
    y = arr
    if fill_value is not None:
        fill_value = _concrete_or_error(fill_value, "fill_value argument to indexed get()")
        if np.ndim(fill_value) != 0:
            raise ValueError("fill_value argument to indexed get() must be a scalar")
        fill_value = fill_value.item()
    if indexer.scalar_bool_dims:
        y = lax.expand_dims(y, indexer.scalar_bool_dims)
    # No gather for an empty result (this also handles zeros(0)[array([], int32)]).
    if math.prod(indexer.slice_shape) == 0:
        return lax.full_like(y, 0, shape=tuple(indexer.slice_shape))
    if math.prod(get_aval(indexer.gather_indices).shape) != 0:
        y = slicing.gather(y, indexer.gather_indices, indexer.dnums,
                           indexer.gather_slice_shape,
                           unique_indices=unique_indices or indexer.unique_indices,
                           indices_are_sorted=indices_are_sorted or indexer.indices_are_sorted,
                           mode=mode, fill_value=fill_value)
    if indexer.reversed_y_dims:
        y = lax.rev(y, indexer.reversed_y_dims)
    if indexer.newaxis_dims:
        y = lax.expand_dims(y, indexer.newaxis_dims)
    return y


# ---------------------------------------------------------------------------
# x.at[idx].set(y) and friends


def scatter_update(x, idx, y, scatter_op, *, indices_are_sorted=False, unique_indices=False,
                   mode=None, normalize_indices=True):
    """The value of `x` after `x[idx] op= y`, without mutation (JAX's _scatter_update)."""
    import warnings
    x = asarray_arg(x)
    x_aval = get_aval(x)
    if (type(y) is int and dtypes.issubdtype(x_aval.dtype, np.integer)
            and dtypes.iinfo(x_aval.dtype).min <= y <= dtypes.iinfo(x_aval.dtype).max):
        y = _jnp.asarray(y, dtype=x_aval.dtype)
    else:
        y = _jnp.asarray(y)
    shape = x_aval.shape
    indices = _expand_bool_indices(parse_indices(idx, shape), shape)
    dtype, weak = x_aval.dtype, x_aval.weak_type
    if not _safe_to_cast(y, x):
        warnings.warn(
            "scatter inputs have incompatible types: cannot safely cast value from "
            f"dtype={get_aval(y).dtype} to dtype={dtype} with "
            "jax_numpy_dtype_promotion=standard. In future JAX releases this will result in "
            "an error.", FutureWarning, stacklevel=3)
    indexer = index_to_gather(indices, shape, normalize_indices=normalize_indices)
    if math.prod(indexer.slice_shape) == 0:
        return x
    x, y = promote_dtypes(x, y)
    y = _jnp.broadcast_to(y, tuple(indexer.slice_shape))
    if indexer.newaxis_dims:
        y = lax.squeeze(y, indexer.newaxis_dims)
    if indexer.reversed_y_dims:
        y = lax.rev(y, indexer.reversed_y_dims)
    if indexer.scalar_bool_dims:
        x = lax.expand_dims(x, indexer.scalar_bool_dims)
    dn = indexer.dnums
    dnums = slicing.ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map,
        operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)
    out = scatter_op(x, indexer.gather_indices, y, dnums,
                     indices_are_sorted=indexer.indices_are_sorted or indices_are_sorted,
                     unique_indices=indexer.unique_indices or unique_indices, mode=mode)
    if indexer.scalar_bool_dims:
        out = lax.squeeze(out, indexer.scalar_bool_dims)
    return lax.convert_element_type(out, dtype, weak)


def _safe_to_cast(y, x):
    ydt, xdt = get_aval(y).dtype, get_aval(x).dtype
    if ydt == xdt:
        return True
    return dtypes.result_type(y, xdt) == xdt


def scatter_apply_update(x, idx, func, *, indices_are_sorted=False, unique_indices=False,
                         mode=None, normalize_indices=True):
    """x.at[idx].apply(func): func applied at the indexed positions, once per hit."""
    x = asarray_arg(x)

    def op(x, indices, y, dims, **kwargs):
        return slicing.scatter_apply(x, indices, func, dims, update_shape=get_aval(y).shape,
                                     **kwargs)

    return scatter_update(x, idx, lax.full((), 0, get_aval(x).dtype), op,
                          indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                          mode=mode, normalize_indices=normalize_indices)


# ---------------------------------------------------------------------------
# jnp functions


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """Elements of `a` at `indices` along `axis` (flattened when None); out-of-bounds
    indices give `fill_value` (NaN, or the extreme integer) by default (`mode="fill"`)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.take is not supported.")
    check_arraylike("take", a, indices)
    a, indices = asarray_arg(a), asarray_arg(indices)
    if axis is None:
        a = _jnp.ravel(a)
        axis_idx = 0
    else:
        axis_idx = canonicalize_axis(operator.index(axis), get_aval(a).ndim)
    a_shape = get_aval(a).shape
    if mode is None or mode == "fill":
        gather_mode = slicing.GatherScatterMode.FILL_OR_DROP
        indices = _normalize_array_index(indices, a_shape[axis_idx])
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.take is not supported.")
    elif mode == "wrap":
        indices = ufuncs.mod(indices, lax.full_like(indices, a_shape[axis_idx]))
        gather_mode = slicing.GatherScatterMode.PROMISE_IN_BOUNDS
    elif mode == "clip":
        gather_mode = slicing.GatherScatterMode.CLIP
    else:
        raise ValueError(f"Invalid mode '{mode}' for np.take")
    idx_shape = get_aval(indices).shape
    slice_sizes = list(a_shape)
    if slice_sizes[axis_idx] == 0:
        if math.prod(idx_shape) != 0:
            raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
        return a
    if math.prod(idx_shape) == 0:
        out_shape = slice_sizes[:axis_idx] + list(idx_shape) + slice_sizes[axis_idx + 1:]
        return lax.full_like(a, 0, shape=tuple(out_shape))
    index_dims = len(idx_shape)
    slice_sizes[axis_idx] = 1
    dnums = slicing.GatherDimensionNumbers(
        offset_dims=tuple(list(range(axis_idx)) +
                          list(range(axis_idx + index_dims, len(a_shape) + index_dims - 1))),
        collapsed_slice_dims=(axis_idx,), start_index_map=(axis_idx,))
    return slicing.gather(a, lax.expand_dims(indices, (index_dims,)), dnums, tuple(slice_sizes),
                          mode=gather_mode, unique_indices=unique_indices,
                          indices_are_sorted=indices_are_sorted, fill_value=fill_value)


def _normalize_index(index, axis_size):
    if dtypes.issubdtype(dtypes.dtype(index), np.unsignedinteger):
        return index
    if isinstance(index, (int, np.integer)):
        return index + axis_size if index < 0 else index
    return _normalize_array_index(index, axis_size)


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None, *,
                    wrap_negative_indices=None):
    """arr's elements at `indices` along `axis` (indices broadcast against arr's other
    dimensions); out-of-bounds indices fill (NaN or the extreme integer) by default."""
    check_arraylike("take_along_axis", arr, indices)
    a, indices = asarray_arg(arr), asarray_arg(indices)
    index_dtype = get_aval(indices).dtype
    idx_shape = get_aval(indices).shape
    if not dtypes.issubdtype(index_dtype, np.integer):
        raise TypeError(f"take_along_axis indices must be of integer type, got {index_dtype}")
    if axis is None:
        if len(idx_shape) != 1:
            raise ValueError(f"take_along_axis indices must be 1D if axis=None, got shape "
                             f"{idx_shape}")
        a = _jnp.ravel(a)
        axis = 0
    rank = get_aval(a).ndim
    if rank != len(idx_shape):
        raise ValueError(f"indices and arr must have the same number of dimensions; "
                         f"{len(idx_shape)} vs. {rank}")
    axis_int = canonicalize_axis(axis, rank)
    a_shape = get_aval(a).shape

    def replace(tup, val):
        lst = list(tup)
        lst[axis_int] = val
        return tuple(lst)

    axis_size = a_shape[axis_int]
    arr_shape = replace(a_shape, 1)
    out_shape = _jnp.broadcast_shapes(idx_shape, arr_shape)
    if axis_size == 0:
        return lax.full(out_shape, 0, get_aval(a).dtype)
    if mode == "one_hot":
        raise NotImplementedError("take_along_axis with mode='one_hot' is not supported")
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    if wrap_negative_indices:
        big = axis_size > np.iinfo(np.int32).max
        indices = lax.convert_element_type(indices, np.int64 if big else np.int32)
        indices = _normalize_index(indices, axis_size)

    index_dims = [i for i, n in enumerate(idx_shape) if i == axis_int or n != 1]
    gather_index_shape = tuple(np.array(out_shape)[index_dims].tolist()) + (1,)
    gather_indices = lax.reshape(indices, gather_index_shape)
    slice_sizes, offset_dims, start_index_map, collapsed_slice_dims = [], [], [], []
    operand_batching_dims, start_indices_batching_dims, dims_to_squeeze = [], [], []
    new_i = j = 0
    for i in range(rank):
        if i == axis_int:
            slice_sizes.append(1)
            start_index_map.append(new_i)
            collapsed_slice_dims.append(new_i)
            new_i += 1
            j += 1
        elif idx_shape[i] == 1:
            offset_dims.append(i)
            slice_sizes.append(arr_shape[i])
            new_i += 1
        elif arr_shape[i] == 1:
            dims_to_squeeze.append(i)
            j += 1
        else:
            slice_sizes.append(0 if arr_shape[i] == 0 else 1)
            operand_batching_dims.append(new_i)
            start_indices_batching_dims.append(j)
            new_i += 1
            j += 1
    a = lax.squeeze(a, dims_to_squeeze)
    dnums = slicing.GatherDimensionNumbers(
        offset_dims=tuple(offset_dims), collapsed_slice_dims=tuple(collapsed_slice_dims),
        start_index_map=tuple(start_index_map),
        operand_batching_dims=tuple(operand_batching_dims),
        start_indices_batching_dims=tuple(start_indices_batching_dims))
    return slicing.gather(a, gather_indices, dnums, tuple(slice_sizes),
                          mode="fill" if mode is None else mode, fill_value=fill_value)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """A copy of `arr` with `values` put at `indices` along `axis` (inplace=False required)."""
    if inplace:
        raise ValueError(
            "jax.numpy.put_along_axis cannot modify arrays in-place, because JAX arrays"
            "are immutable. Pass inplace=False to instead return an updated array.")
    check_arraylike("put_along_axis", arr, indices, values)
    arr, indices, values = asarray_arg(arr), asarray_arg(indices), asarray_arg(values)
    original_axis, original_shape = axis, get_aval(arr).shape
    if axis is None:
        arr = _jnp.ravel(arr)
        axis = 0
    a_nd, i_nd = get_aval(arr).ndim, get_aval(indices).ndim
    if a_nd != i_nd:
        raise ValueError("put_along_axis arguments 'arr' and 'indices' must have same ndim. "
                         f"Got arr.ndim={a_nd} and indices.ndim={i_nd}.")
    try:
        values = _jnp.broadcast_to(values, get_aval(indices).shape)
    except ValueError:
        raise ValueError("put_along_axis argument 'values' must be broadcastable to 'indices'. "
                         f"Got values.shape={get_aval(values).shape} and "
                         f"indices.shape={get_aval(indices).shape}.") from None
    shape = get_aval(arr).shape
    axis = canonicalize_axis(axis, len(shape))
    idx = list(indices_fn(shape, sparse=True))
    idx[axis] = indices
    result = scatter_update(arr, tuple(idx), values, slicing.scatter, mode=mode)
    if original_axis is None:
        result = lax.reshape(result, original_shape)
    return result


def _check_size_arg(size, name):
    return _concrete_int(size, f"The size argument of {name} must be statically specified "
                               f"to use {name} within JAX transformations.")


def nonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements of `a`, one array per dimension.  Inside jit,
    `size` must be given: results are padded with `fill_value` (default 0) or truncated."""
    check_arraylike("nonzero", a)
    arr = asarray_arg(a)
    aval = get_aval(arr)
    if aval.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. "
                         "Use jnp.atleast_1d(scalar).nonzero() instead.")
    mask = arr if aval.dtype == np.bool_ else lax.ne(arr, lax.full_like(arr, 0))
    msg = ("The size argument of jnp.nonzero must be statically specified to use jnp.nonzero "
           "within JAX transformations.")
    if size is None:
        count = reductions.sum(mask)
        calculated = _concrete_int(count, msg)
    else:
        calculated = _concrete_int(size, msg)
    int_dt = dtypes.default_int_dtype()
    if aval.size == 0 or calculated == 0:
        return tuple(lax.full((calculated,), 0, int_dt) for _ in aval.shape)
    # bincount(cumsum(mask), length=size), cumulated: the flat position of the k-th nonzero.
    csum = reductions.cumsum(lax.reshape(mask, (aval.size,)))
    counts = slicing.scatter_add(
        lax.full((calculated,), 0, get_aval(csum).dtype), lax.expand_dims(csum, (1,)),
        lax.full((aval.size,), 1, get_aval(csum).dtype),
        slicing.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                        scatter_dims_to_operand_dims=(0,)),
        mode=slicing.GatherScatterMode.FILL_OR_DROP)
    flat = reductions.cumsum(counts)
    fdt = get_aval(flat).dtype
    strides = np.cumprod(aval.shape[::-1])[::-1] // np.asarray(aval.shape)
    out = tuple(lax.rem(lax.div(flat, lax.full_like(flat, int(st))), lax.full_like(flat, int(n)))
                for st, n in zip(strides.tolist(), aval.shape))
    out = tuple(lax.convert_element_type(o, fdt) for o in out)
    if fill_value is not None:
        fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * aval.ndim
        if any(np.shape(v) != () for v in fills):
            raise ValueError(f"fill_value must be a scalar or a tuple of length {aval.ndim}; "
                             f"got {fill_value}")
        total = reductions.sum(mask)
        fill_mask = lax.ge(lax.iota(get_aval(total).dtype, calculated),
                           lax.broadcast_in_dim(total, (calculated,), ()))
        out = tuple(_jnp.where(fill_mask, v, e) for v, e in zip(fills, out))
    return out


def flatnonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements of the flattened `a` (see nonzero for size)."""
    return nonzero(_jnp.ravel(a), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """The indices of the nonzero elements of `a`, as rows of an array [count, a.ndim]."""
    check_arraylike("argwhere", a)
    a = asarray_arg(a)
    result = _jnp.transpose(_jnp.vstack(nonzero(_jnp.atleast_1d(a), size=size,
                                                fill_value=fill_value)))
    n = get_aval(result).shape[0]
    if get_aval(a).ndim == 0:
        return lax.reshape(lax.slice_in_dim(result, 0, 0, axis=0), (n, 0))
    return lax.reshape(result, (n, get_aval(a).ndim))


def _argsort_true_first(cond):
    """The stable permutation that puts the True entries of a 1-D bool array first."""
    n = get_aval(cond).shape[0]
    _, perm = lax.sort_key_val(lax.bitwise_not(cond), lax.iota(np.int32, n))
    return perm


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """The slices of `a` along `axis` where `condition` is True (`size` for a static shape)."""
    check_arraylike("compress", condition, a, fill_value)
    condition_arr = lax.convert_element_type(asarray_arg(condition), np.bool_)
    arr = asarray_arg(a)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.compress is not supported.")
    if get_aval(condition_arr).ndim != 1:
        raise ValueError("condition must be a 1D array")
    if axis is None:
        axis = 0
        arr = _jnp.ravel(arr)
    else:
        arr = _jnp.moveaxis(arr, axis, 0)
    n = get_aval(arr).shape[0]
    extra = condition_arr[n:]
    condition_arr = condition_arr[:n]
    arr = arr[:get_aval(condition_arr).shape[0]]
    if size is None:
        if isinstance(condition_arr, Tracer) and condition_arr.to_concrete_value() is None:
            # JAX's class here (its bool() of the condition fails first), with a fix-it hint.
            raise TracerBoolConversionError(condition_arr._conversion_message(
                "to use a traced condition in jnp.compress without size= (the result's shape "
                "would depend on its values; pass a static size= and fill_value=)"))
        if reductions.any(extra):
            raise ValueError("condition contains entries that are out of bounds")
        result = rewriting_take(arr, condition_arr)
    else:
        size = _check_size_arg(size, "jnp.compress")
        m = get_aval(arr).shape[0]
        if not 0 <= size <= m:
            raise ValueError("size must be positive and not greater than the size of the array "
                             f"axis; got size={size} for a.shape[axis]={m}")
        mask = lax.expand_dims(condition_arr, tuple(range(1, get_aval(arr).ndim)))
        arr = _jnp.where(mask, arr, _jnp.array(fill_value, dtype=get_aval(arr).dtype))
        result = rewriting_take(arr, _argsort_true_first(condition_arr))[:size]
    return _jnp.moveaxis(result, 0, axis)


def extract(condition, arr, *, size=None, fill_value=0):
    """The elements of `arr` where `condition` is True, flattened."""
    check_arraylike("extreact", condition, arr, fill_value)
    return compress(_jnp.ravel(condition), _jnp.ravel(arr), size=size, fill_value=fill_value)


def choose(a, choices, out=None, mode="raise"):
    """out[i] = choices[a[i]][i] (choices broadcast against a)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    check_arraylike("choose", a, *choices)
    a = asarray_arg(a)
    choices = [asarray_arg(c) for c in choices]
    if not dtypes.issubdtype(get_aval(a).dtype, np.integer):
        raise ValueError("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        arr = _concrete_or_error(a, "The error occurred because jnp.choose was jit-compiled "
                                    "with mode='raise'. Use mode='wrap' or mode='clip' instead.")
        if np.any((arr < 0) | (arr >= n)):
            raise ValueError("invalid entry in choice array")
        arr = a
    elif mode == "wrap":
        arr = ufuncs.mod(a, lax.full_like(a, n))
    elif mode == "clip":
        arr = _jnp.clip(a, 0, n - 1)
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    arr, *choices = _jnp.broadcast_arrays(arr, *choices)
    return rewriting_take(_jnp.array(choices),
                          (arr,) + indices_fn(get_aval(arr).shape, sparse=True))


def piecewise(x, condlist, funclist, *args, **kw):
    """funclist[i](x) where condlist[i] holds (the last True condition wins; values, not
    callables, are constants; an extra last entry is the default)."""
    check_arraylike("piecewise", x)
    x = asarray_arg(x)
    nc, nf = len(condlist), len(funclist)
    if nf == nc + 1:
        funclist = list(funclist[-1:]) + list(funclist[:-1])
    elif nf == nc:
        funclist = [0] + list(funclist)
    else:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are "
                         f"expected; got {nf}")
    conds = _jnp.asarray(condlist, dtype=bool)
    aval = get_aval(x)
    dtype = aval.dtype
    # The index of the last true condition (0: none), per element.
    stacked = _jnp.concatenate([lax.full_like(conds[:1], False), conds], 0)
    which = reductions.argmax(reductions.cumsum(stacked, 0), 0)
    if aval.size == 0:
        return lax.full(aval.shape, 0, dtype)
    from pyjax._src import api
    which = lax.convert_element_type(which, np.int32)
    flat = lax.reshape(x, (aval.size,))
    inexact = dtypes.issubdtype(dtype, np.inexact)
    branches = []
    for i, f in enumerate(funclist):
        if callable(f):
            # A branch sees stop_gradient(x) where it is not chosen, so one that is singular
            # there (1/x at 0) puts no NaN into the derivative (as JAX's does).
            mine = lax.reshape(lax.eq(which, lax.full_like(which, i)), (aval.size,))
            v = lax.select(mine, flat, lax.stop_gradient(flat)) if inexact else flat
            out = api.vmap(lambda v, f=f: lax.convert_element_type(
                asarray_arg(f(v, *args, **kw)), dtype))(v)
            branches.append(lax.reshape(out, aval.shape))
        else:
            branches.append(_jnp.broadcast_to(_jnp.array(f, dtype=dtype), aval.shape))
    return lax.select_n(which, *branches) if len(branches) > 1 else branches[0]


def unravel_index(indices, shape):
    """The coordinates of flat `indices` in an array of `shape` (out-of-bounds clamp)."""
    check_arraylike("unravel_index", indices)
    indices_arr = asarray_arg(indices)
    try:
        shape = list(shape)
    except TypeError:
        shape = [shape]
    if any(np.ndim(s) != 0 for s in shape):
        raise ValueError("unravel_index: shape should be a scalar or 1D sequence.")
    out = [0] * len(shape)
    for i, s in reversed(list(enumerate(shape))):
        indices_arr, out[i] = ufuncs.divmod(indices_arr, s)
    oob_pos = ufuncs.greater(indices_arr, 0)
    if dtypes.issubdtype(get_aval(indices_arr).dtype, np.unsignedinteger):
        oob_neg = _jnp.asarray(False)
    else:
        oob_neg = ufuncs.less(indices_arr, -1)
    return tuple(_jnp.where(oob_pos, s - 1, _jnp.where(oob_neg, 0, i))
                 for s, i in zip(shape, out))


def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
    """The flat index of each coordinate tuple in `multi_index` for an array of shape `dims`."""
    assert len(multi_index) == len(dims), \
        f"len(multi_index)={len(multi_index)} != len(dims)={len(dims)}"
    dims = tuple(_concrete_int(d, "in `dims` argument of ravel_multi_index().") for d in dims)
    check_arraylike("ravel_multi_index", *multi_index)
    arrs = [asarray_arg(i) for i in multi_index]
    if dtype is None:
        dtype = dtypes.result_type(int, *arrs)
    else:
        dtype = dtypes.canonicalize_dtype(dtypes.dtype(dtype))
    if not dtypes.issubdtype(dtype, np.integer):
        raise ValueError(f"dtype={dtype!r} is not an integer type.")
    if math.prod(dims) - 1 > dtypes.iinfo(dtype).max:
        raise ValueError(f"jnp.ravel_multi_index: dtype={dtype!r} not large enough to hold "
                         f"flattened index for dims={dims}. Use the dtype argument to pass a "
                         "suitable dtype (e.g. dtype=np.min_scalar_type(prod(dims))).")
    for index in arrs:
        if mode == "raise":
            _concrete_or_error(index, "The error occurred because ravel_multi_index was "
                                      "jit-compiled with mode='raise'. Use mode='wrap' or "
                                      "mode='clip' instead.")
        if not dtypes.issubdtype(get_aval(index).dtype, np.integer):
            raise TypeError("only int indices permitted")
    if mode == "raise":
        if any(np.any((core.to_numpy(_concrete_or_error(i, "")) < 0) |
                      (core.to_numpy(_concrete_or_error(i, "")) >= d))
               for i, d in zip(arrs, dims)):
            raise ValueError("invalid entry in coordinates array")
    elif mode == "clip":
        arrs = [_jnp.clip(i, 0, d - 1) for i, d in zip(arrs, dims)]
    elif mode == "wrap":
        arrs = [ufuncs.mod(i, d) for i, d in zip(arrs, dims)]
    elif mode != "ignore":
        raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', 'clip', or 'ignore'.")
    if order == "F":
        strides = np.cumprod((1,) + dims[:-1])
    elif order == "C":
        strides = np.cumprod((1,) + dims[1:][::-1])[::-1]
    else:
        raise ValueError(f"invalid order={order!r}. Expected 'C' or 'F'")
    result = _jnp.array(0, dtype=dtype)
    for i, s in zip(arrs, strides):
        result = ufuncs.add(result, ufuncs.multiply(_jnp.astype(i, dtype), int(s)))
    return result


def indices_fn(dimensions, dtype=None, sparse=False):
    """An array (or, sparse, a tuple of broadcastable arrays) of the grid indices of shape
    `dimensions` (jnp.indices)."""
    dtype = dtypes.canonicalize_dtype(dtypes.dtype(int if dtype is None else dtype))
    dimensions = tuple(_concrete_int(d, "dimensions argument of jnp.indices")
                       for d in dimensions)
    n = len(dimensions)
    output = []
    s = dimensions
    for i, dim in enumerate(dimensions):
        idx = lax.iota(dtype, dim)
        if sparse:
            s = (1,) * i + (dim,) + (1,) * (n - i - 1)
        output.append(lax.broadcast_in_dim(idx, s, (i,)))
    if sparse:
        return tuple(output)
    return _jnp.stack(output, 0) if output else _jnp.array([], dtype=dtype)


indices_fn.__name__ = "indices"


def ix_(*args):
    """Open-mesh index arrays from 1-D sequences (for x[ix_(rows, cols)])."""
    check_arraylike("ix", *args)
    args = [asarray_arg(a) for a in args]
    n = len(args)
    output = []
    for i, a in enumerate(args):
        aval = get_aval(a)
        if aval.ndim != 1:
            raise ValueError(f"Arguments to jax.numpy.ix_ must be 1-dimensional, got shape "
                             f"{aval.shape}")
        if aval.dtype == np.bool_:
            raise NotImplementedError("Boolean arguments to jax.numpy.ix_ are not implemented")
        shape = [1] * n
        shape[i] = aval.shape[0]
        if aval.size == 0:
            output.append(lax.full(shape, 0, dtypes.canonicalize_dtype(np.intp)))
        else:
            output.append(lax.broadcast_in_dim(a, shape, (i,)))
    return tuple(output)


def mask_indices(n, mask_func, k=0, *, size=None):
    """The indices where mask_func(ones((n, n)), k) is nonzero."""
    i, j = nonzero(mask_func(_jnp.ones((n, n)), k), size=size)
    return i, j


def _triu_size(n, m, k):
    if k < 0:
        return n * m - _triu_size(m, n, (1 - k))
    if k >= m:
        return 0
    mk = min(n, m - k)
    return mk * (mk + 1) // 2 + mk * (m - k - mk)


def triu_indices(n, k=0, m=None):
    """Row and column indices of the upper triangle (diagonal offset k) of an n x m array."""
    n = _concrete_int(n, "n argument of jnp.triu_indices")
    k = _concrete_int(k, "k argument of jnp.triu_indices")
    m = n if m is None else _concrete_int(m, "m argument of jnp.triu_indices")
    i, j = nonzero(_jnp.triu(_jnp.ones((n, m)), k=k), size=_triu_size(n, m, k))
    return i, j


def tril_indices(n, k=0, m=None):
    """Row and column indices of the lower triangle (diagonal offset k) of an n x m array."""
    n = _concrete_int(n, "n argument of jnp.triu_indices")
    k = _concrete_int(k, "k argument of jnp.triu_indices")
    m = n if m is None else _concrete_int(m, "m argument of jnp.triu_indices")
    i, j = nonzero(_jnp.tril(_jnp.ones((n, m)), k=k), size=_triu_size(m, n, -k))
    return i, j


def _shape_2d(arr, name):
    if hasattr(arr, "shape"):
        shape = tuple(arr.shape)
    else:
        check_arraylike(name, arr)
        shape = get_aval(asarray_arg(arr)).shape
    if len(shape) != 2:
        raise ValueError("Only 2-D inputs are accepted")
    return shape


def triu_indices_from(arr, k=0):
    shape = _shape_2d(arr, "triu_indices_from")
    return triu_indices(shape[0], k=k, m=shape[1])


def tril_indices_from(arr, k=0):
    shape = _shape_2d(arr, "tril_indices_from")
    return tril_indices(shape[0], k=k, m=shape[1])


def diag_indices(n, ndim=2):
    """The indices of the main diagonal of an array of ndim dimensions of size n."""
    n = _concrete_int(n, "'n' argument of jnp.diag_indices()")
    ndim = _concrete_int(ndim, "'ndim' argument of jnp.diag_indices()")
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    dt = np.dtype(np.int64) if n > np.iinfo(np.int32).max else dtypes.default_int_dtype()
    return (lax.iota(dt, n),) * ndim


def diag_indices_from(arr):
    check_arraylike("diag_indices_from", arr)
    shape = get_aval(asarray_arg(arr)).shape
    if not len(shape) >= 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(shape[0], ndim=len(shape))


def _tile_to_size(arr, size):
    n = get_aval(arr).shape[0]
    if n < size:
        reps = int(np.ceil(size / n))
        arr = lax.concatenate([arr] * reps, 0)
        n *= reps
    return lax.slice_in_dim(arr, 0, size) if n > size else arr


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """A copy of `a` with its main diagonal set to `val` (inplace=False required)."""
    if inplace:
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    if wrap:
        raise NotImplementedError("wrap=True is not implemented, must use wrap=False")
    check_arraylike("fill_diagonal", a, val)
    a, val = asarray_arg(a), asarray_arg(val)
    shape = get_aval(a).shape
    if len(shape) < 2:
        raise ValueError("array must be at least 2-d")
    if len(shape) > 2 and not all(n == shape[0] for n in shape[1:]):
        raise ValueError("All dimensions of input must be of equal length")
    n = min(shape)
    idx = diag_indices(n, len(shape))
    v = val if get_aval(val).ndim == 0 else _tile_to_size(_jnp.ravel(val), n)
    return scatter_update(a, idx, v, slicing.scatter)


def place(arr, mask, vals, *, inplace=True):
    """A copy of `arr` with the masked entries set from `vals` (repeated as needed)."""
    check_arraylike("place", arr, mask, vals)
    data, mask_arr, vals_arr = asarray_arg(arr), asarray_arg(mask), asarray_arg(vals)
    vals_arr = _jnp.ravel(vals_arr)
    if inplace:
        raise ValueError(
            "jax.numpy.place cannot modify arrays in-place, because JAX arrays are immutable. "
            "Pass inplace=False to instead return an updated array.")
    dsize, msize = get_aval(data).size, get_aval(mask_arr).size
    if dsize != msize:
        raise ValueError("place: arr and mask must be the same size")
    if not get_aval(vals_arr).size:
        raise ValueError("Cannot place values from an empty array")
    if not dsize:
        return data
    idx = nonzero(_jnp.ravel(mask_arr), size=msize, fill_value=msize)[0]
    vals_arr = _tile_to_size(vals_arr, get_aval(idx).shape[0])
    flat = scatter_update(_jnp.ravel(data), idx, vals_arr, slicing.scatter, mode="drop")
    return lax.reshape(flat, get_aval(data).shape)


def put(a, ind, v, mode=None, *, inplace=True):
    """A copy of `a` with the entries at flat indices `ind` set from `v` (repeated)."""
    if inplace:
        raise ValueError(
            "jax.numpy.put cannot modify arrays in-place, because JAX arrays are immutable. "
            "Pass inplace=False to instead return an updated array.")
    check_arraylike("put", a, ind, v)
    arr, ind_arr = asarray_arg(a), _jnp.ravel(asarray_arg(ind))
    v_arr = _jnp.ravel(v)
    size = get_aval(arr).size
    if not size or not get_aval(ind_arr).size or not get_aval(v_arr).size:
        return arr
    v_arr = _tile_to_size(v_arr, get_aval(ind_arr).shape[0])
    if mode is None:
        scatter_mode = "drop"
    elif mode == "clip":
        ind_arr = _jnp.clip(ind_arr, 0, size - 1)
        scatter_mode = "promise_in_bounds"
    elif mode == "wrap":
        ind_arr = ufuncs.mod(ind_arr, size)
        scatter_mode = "promise_in_bounds"
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")
    return scatter_update(arr, unravel_index(ind_arr, get_aval(arr).shape), v_arr,
                          slicing.scatter, mode=scatter_mode)


def where_one_argument(condition, *, size=None, fill_value=None):
    """jnp.where(condition): nonzero(condition) (for lax_numpy.where's one-argument form)."""
    check_arraylike("where", condition)
    return nonzero(condition, size=size, fill_value=fill_value)


indices = indices_fn

__all__ = ["take", "take_along_axis", "put_along_axis", "nonzero", "flatnonzero", "argwhere",
           "compress", "extract", "choose", "piecewise", "unravel_index", "ravel_multi_index",
           "indices", "ix_", "mask_indices", "triu_indices", "tril_indices",
           "triu_indices_from", "tril_indices_from", "diag_indices", "diag_indices_from",
           "fill_diagonal", "place", "put"]
