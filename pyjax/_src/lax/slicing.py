"""gather and the scatter family: XLA's general indexed reads and writes, as JAX defines them.

`gather` reads windows of `operand` at start positions given by `indices`; the
scatter primitives (`scatter`, `scatter-add`, `scatter-sub`, `scatter-mul`,
`scatter-min`, `scatter-max`) combine windows of `updates` into `operand` at
such positions.  Dimension numbers are lax's (`GatherDimensionNumbers`,
`ScatterDimensionNumbers`, including operand/indices batching dimensions); the
index vector dimension is always the last dimension of `indices`.

Out-of-bounds behaviour (`GatherScatterMode`): a gather clamps start indices so
the window fits (CLIP and PROMISE_IN_BOUNDS) or returns `fill_value` for windows
that do not fit (FILL_OR_DROP); a scatter clamps (CLIP) or drops windows that do
not fit (FILL_OR_DROP and PROMISE_IN_BOUNDS), as XLA does.

Every rule of each primitive is registered beside it: abstract evaluation with
JAX's error messages, the NumPy implementation, jvp, transpose (gather <->
scatter-add; scatter with unique indices; scatter-mul in its operand) and
batching (through the batching dimension numbers).
"""
import enum
import math
from typing import NamedTuple, Sequence

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, ShapedArray, get_aval, register
from pyjax._src.interpreters import ad
from pyjax._src.interpreters.ad import Zero, is_undefined
from pyjax._src.interpreters.batching import bdim_at_front, moveaxis


def _L():
    from pyjax._src.lax import lax
    return lax


# ---------------------------------------------------------------------------
# Dimension numbers and modes


class GatherDimensionNumbers(NamedTuple):
    """The dimension arguments of XLA's Gather (index_vector_dim is always the last
    dimension of the indices).

    offset_dims: output dimensions that index into a window of `operand` (ascending).
    collapsed_slice_dims: operand dimensions of slice size 1 that the output omits.
    start_index_map: for each entry of an index vector, the operand dimension it starts.
    operand_batching_dims: operand dimensions matched one-to-one with
      start_indices_batching_dims of the indices (slice size 0 or 1).
    """
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """The dimension arguments of XLA's Scatter (index_vector_dim is always the last
    dimension of the indices); the mirror image of GatherDimensionNumbers."""
    update_window_dims: Sequence
    inserted_window_dims: Sequence
    scatter_dims_to_operand_dims: Sequence
    operand_batching_dims: Sequence = ()
    scatter_indices_batching_dims: Sequence = ()


class GatherScatterMode(enum.Enum):
    """How out-of-bounds indices are handled by gather and scatter.

    CLIP: indices are clamped so that the whole window is in bounds.
    FILL_OR_DROP: a gathered window that is partly out of bounds is filled with a
      constant; a scattered window that is partly out of bounds is dropped.
    PROMISE_IN_BOUNDS: the user promises indices are in bounds; in practice gathers
      clamp and scatters drop (gradients are not correct out of bounds).
    """
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()
    ONE_HOT = enum.auto()

    @staticmethod
    def from_any(s):
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        if s == "one_hot":
            return GatherScatterMode.ONE_HOT
        raise ValueError(f'Unknown gather mode "{s}"')


_CLIP, _FILL, _PROMISE = (GatherScatterMode.CLIP, GatherScatterMode.FILL_OR_DROP,
                          GatherScatterMode.PROMISE_IN_BOUNDS)


def _ints(xs):
    return tuple(int(x) for x in xs)


def _canonical_gather_dnums(dn):
    if not isinstance(dn, GatherDimensionNumbers):
        raise TypeError("gather dimension_numbers must be a lax.GatherDimensionNumbers, got "
                        f"{dn!r}")
    return GatherDimensionNumbers(*(_ints(f) for f in dn))


def _canonical_scatter_dnums(dn):
    if not isinstance(dn, ScatterDimensionNumbers):
        raise TypeError("scatter dimension_numbers must be a lax.ScatterDimensionNumbers, got "
                        f"{dn!r}")
    return ScatterDimensionNumbers(*(_ints(f) for f in dn))


# ---------------------------------------------------------------------------
# Shape rules (JAX's checks and messages, after XLA's ShapeInference)


def _is_sorted(dims, op_name, name):
    for i in range(1, len(dims)):
        if dims[i] < dims[i - 1]:
            raise TypeError(f"{name} in {op_name} op must be sorted; got {dims}")


def _dims_in_range(dims, rank, op_name, name):
    for dim in dims:
        if dim < 0 or dim >= rank:
            raise TypeError(f"Invalid {name} set in {op_name} op; valid range is "
                            f"[0, {rank}); got: {dim}.")


def _sorted_dims_in_range(dims, rank, op_name, name):
    if len(dims) == 0:
        return
    invalid = None
    if dims[0] < 0:
        invalid = dims[0]
    elif dims[-1] >= rank:
        invalid = dims[-1]
    if invalid:
        raise TypeError(f"Invalid {name} set in {op_name} op; valid range is "
                        f"[0, {rank}); got: {invalid}.")


def _no_duplicate_dims(dims, op_name, name):
    if len(set(dims)) != len(dims):
        raise TypeError(f"{name} in {op_name} op must not repeat; got: {dims}.")


def _disjoint_dims(dims1, dims2, op_name, name1, name2):
    if not set(dims1).isdisjoint(set(dims2)):
        raise TypeError(f"{name1} and {name2} in {op_name} op must be disjoint; "
                        f"got: {dims1} and {dims2}.")


def _gather_shape_computation(indices_shape, dn, slice_sizes):
    output_rank = len(dn.offset_dims) + len(indices_shape) - 1
    batch = iter(indices_shape[:-1])
    window = iter(s for i, s in enumerate(slice_sizes)
                  if i not in dn.collapsed_slice_dims and i not in dn.operand_batching_dims)
    return tuple(next(window) if i in dn.offset_dims else next(batch) for i in range(output_rank))


def _gather_shape_rule(operand, indices, dimension_numbers, slice_sizes):
    dn = dimension_numbers
    offset_dims, collapsed = dn.offset_dims, dn.collapsed_slice_dims
    obd, sibd, sim = dn.operand_batching_dims, dn.start_indices_batching_dims, dn.start_index_map
    op_rank, idx_rank = len(operand.shape), len(indices.shape)
    index_vector_dim = idx_rank - 1
    if index_vector_dim < 0:
        raise TypeError(f"Gather index leaf dimension must be within [0, rank(indices) + 1). "
                        f"rank(indices) is {idx_rank} and gather index leaf dimension is "
                        f"{index_vector_dim}.")
    _is_sorted(offset_dims, "gather", "offset_dims")
    _no_duplicate_dims(offset_dims, "gather", "offset_dims")
    output_rank = len(offset_dims) + idx_rank - 1
    for i, d in enumerate(offset_dims):
        if d < 0 or d >= output_rank:
            raise TypeError(f"Offset dimension {i} in gather op is out of bounds; got {d}, "
                            f"but should have been in [0, {output_rank})")
    if len(sim) != indices.shape[index_vector_dim]:
        raise TypeError(f"Gather op has {len(sim)} elements in start_index_map and the bound of "
                        f"dimension index_vector_dim={index_vector_dim} of indices is "
                        f"{indices.shape[index_vector_dim]}. These two numbers must be equal.")
    for i, d in enumerate(sim):
        if d < 0 or d >= op_rank:
            raise TypeError(f"Invalid start_index_map; domain is [0, {op_rank}), got: {i}->{d}.")
    _no_duplicate_dims(sim, "gather", "start_index_map")
    _is_sorted(collapsed, "gather", "collapsed_slice_dims")
    _sorted_dims_in_range(collapsed, op_rank, "gather", "collapsed_slice_dims")
    _no_duplicate_dims(collapsed, "gather", "collapsed_slice_dims")
    _no_duplicate_dims(obd, "gather", "operand_batching_dims")
    _is_sorted(obd, "gather", "operand_batching_dims")
    _sorted_dims_in_range(obd, op_rank, "gather", "operand_batching_dims")
    _disjoint_dims(collapsed, obd, "gather", "collapsed_slice_dims", "operand_batching_dims")
    _disjoint_dims(sim, obd, "gather", "start_index_map", "operand_batching_dims")
    _no_duplicate_dims(sibd, "gather", "start_indices_batching_dims")
    _dims_in_range(sibd, idx_rank, "gather", "start_indices_batching_dims")
    if index_vector_dim in sibd:
        raise TypeError("Gather op cannot have the index vector dimension as a batching "
                        f"dimension; got {sibd}.")
    if len(obd) != len(sibd):
        raise TypeError("Gather op requires equal numbers of operand_batching_dims and "
                        f"start_indices_batching_dims, got {obd} and{sibd}.")
    op_batch = tuple(operand.shape[i] for i in obd)
    idx_batch = tuple(indices.shape[i] for i in sibd)
    if op_batch != idx_batch:
        raise TypeError("Gather op requires operand batching dimensions and indices batching "
                        f"dimensions to have the same shape, got {op_batch} and {idx_batch}.")
    if op_rank != len(slice_sizes):
        raise TypeError(f"Gather op must have one slice size for every input dimension; got: "
                        f"len(slice_sizes)={len(slice_sizes)}, input_shape.rank={op_rank}")
    if len(slice_sizes) != len(offset_dims) + len(collapsed) + len(obd):
        raise TypeError("All components of the offset index in a gather op must either be a "
                        "offset dimension or explicitly collapsed/batching; got "
                        f"len(slice_sizes)={len(slice_sizes)}, output_slice_sizes={offset_dims}, "
                        f"collapsed_slice_dims={collapsed}, operand_batching_dims={obd}.")
    indices_empty = math.prod(indices.shape) == 0
    for i, (s, n) in enumerate(zip(slice_sizes, operand.shape)):
        if not indices_empty and not (s >= 0 and n >= s):
            raise TypeError(f"Slice size at index {i} in gather op is out of range, must be "
                            f"within [0, {n} + 1), got {s}.")
    for i, d in enumerate(collapsed):
        if slice_sizes[d] != 1:
            raise TypeError(f"Gather op can only collapse slice dims with bound 1, but bound is "
                            f"{slice_sizes[d]} for index {d} at position {i}.")
    for i, d in enumerate(obd):
        if slice_sizes[d] > 1:
            raise TypeError(f"Gather op can only have operand batching dims with bound 0/1, but "
                            f"bound is {slice_sizes[d]} for index {d} at position {i}.")
    return _gather_shape_computation(indices.shape, dn, slice_sizes)


def _gather_abstract(operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                     indices_are_sorted, mode, fill_value):
    if not dtypes.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must have an integer type")
    return _gather_shape_rule(operand, indices, dimension_numbers, slice_sizes), operand.dtype


def _updates_batching_dims(indices_batching_dims, update_window_dims, index_vector_dim, nupd):
    scatter_dim_in_updates = list(range(index_vector_dim))
    for i in update_window_dims:
        scatter_dim_in_updates.insert(i, None)
    if len(scatter_dim_in_updates) != nupd:
        return None
    return tuple(scatter_dim_in_updates.index(i) for i in indices_batching_dims)


def _scatter_shape_rule(operand, indices, updates, dimension_numbers):
    dn = dimension_numbers
    uwd, iwd = dn.update_window_dims, dn.inserted_window_dims
    obd, sibd, sdod = (dn.operand_batching_dims, dn.scatter_indices_batching_dims,
                       dn.scatter_dims_to_operand_dims)
    op_rank, idx_rank, upd_rank = len(operand.shape), len(indices.shape), len(updates.shape)
    index_vector_dim = idx_rank - 1
    if index_vector_dim < 0:
        raise TypeError(f"Scatter index leaf dimension must be within [0, rank(indices) + 1). "
                        f"rank(indices) is {idx_rank} and scatter index leaf dimension is "
                        f"{index_vector_dim}.")
    expanded = list(indices.shape)
    expected_updates_rank = len(expanded) - 1 + len(uwd)
    if upd_rank != expected_updates_rank:
        raise TypeError(f"Updates tensor must be of rank {expected_updates_rank}; got {upd_rank}.")
    _is_sorted(uwd, "scatter", "update_window_dims")
    _no_duplicate_dims(uwd, "scatter", "update_window_dims")
    _sorted_dims_in_range(uwd, upd_rank, "scatter", "update_window_dims")
    _is_sorted(iwd, "scatter", "inserted_window_dims")
    _no_duplicate_dims(iwd, "scatter", "inserted_window_dims")
    _sorted_dims_in_range(iwd, op_rank, "scatter", "inserted_window_dims")
    _is_sorted(obd, "scatter", "operand_batching_dims")
    _no_duplicate_dims(obd, "scatter", "operand_batching_dims")
    _sorted_dims_in_range(obd, op_rank, "scatter", "operand_batching_dims")
    _disjoint_dims(iwd, obd, "scatter", "inserted_window_dims", "operand_batching_dims")
    _disjoint_dims(sdod, obd, "scatter", "scatter_dims_to_operand_dims", "operand_batching_dims")
    _no_duplicate_dims(sibd, "scatter", "scatter_indices_batching_dims")
    _dims_in_range(sibd, idx_rank, "scatter", "scatter_indices_batching_dims")
    if index_vector_dim in sibd:
        raise TypeError("Scatter op cannot have the index vector dimension as a batching "
                        f"dimension; got {sibd}.")
    if len(obd) != len(sibd):
        raise TypeError("Scatter op requires equal numbers of operand_batching_dims and "
                        f"scatter_indices_batching_dims, got {obd} and {sibd}.")
    op_batch = tuple(operand.shape[i] for i in obd)
    idx_batch = tuple(indices.shape[i] for i in sibd)
    if op_batch != idx_batch:
        raise TypeError("Scatter op requires operand batching dimensions and indices batching "
                        f"dimensions to have the same shape, got {op_batch} and {idx_batch}.")
    ubd = _updates_batching_dims(sibd, uwd, index_vector_dim, upd_rank)
    upd_batch = tuple(updates.shape[i] for i in ubd)
    if op_batch != upd_batch:
        raise TypeError("Scatter op requires operand batching dimensions and updates batching "
                        f"dimensions to have the same shape, got {op_batch} and {upd_batch}.")
    window_size = len(uwd) + len(iwd) + len(obd)
    if op_rank != window_size:
        raise TypeError(f"Scatter op has window of size {window_size}; doesn't match operand of "
                        f"rank {op_rank}.")
    if len(sdod) != indices.shape[index_vector_dim]:
        raise TypeError(f"Scatter op has {len(sdod)} elements in scatter_dims_to_operand_dims and "
                        f"the bound of dimension index_vector_dim={index_vector_dim} of indices is "
                        f"{indices.shape[index_vector_dim]}. These two numbers must be equal")
    for i, d in enumerate(sdod):
        if d < 0 or d >= op_rank:
            raise TypeError(f"Invalid scatter_dims_to_operand_dims mapping; domain is "
                            f"[0, {op_rank}), got: {i}->{d}.")
    _no_duplicate_dims(sdod, "scatter", "scatter_dims_to_operand_dims")
    max_sizes = [operand.shape[i] for i in range(op_rank) if i not in iwd and i not in obd]
    for i, d in enumerate(uwd):
        if max_sizes[i] < updates.shape[d]:
            raise TypeError("Bounds of the window dimensions of updates must not exceed the "
                            "bounds of the corresponding dimensions of operand. For dimension "
                            f"{d}, updates bound is {updates.shape[d]}, operand bound is "
                            f"{max_sizes[i]}.")
    seen = 0
    for i in (d for d in range(upd_rank) if d not in uwd):
        if seen == index_vector_dim:
            seen += 1
        if updates.shape[i] != expanded[seen]:
            raise TypeError("Bounds of the scatter dimensions of updates must be the same as the "
                            "bounds of the corresponding dimensions of scatter indices. For "
                            f"scatter dimension {i}, updates bound is {updates.shape[i]}, "
                            f"indices bound is {expanded[seen]}.")
        seen += 1
    return operand.shape


def _scatter_abstract(operand, indices, updates, *, dimension_numbers, indices_are_sorted,
                      unique_indices, mode, **_):
    if not dtypes.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must have an integer type")
    if operand.dtype != updates.dtype:
        raise TypeError(f"lax.scatter requires arguments to have the same dtypes, got "
                        f"{operand.dtype}, {updates.dtype}.")
    return _scatter_shape_rule(operand, indices, updates, dimension_numbers), operand.dtype


def _operand_weak(operand, *_, **__):
    return operand


# ---------------------------------------------------------------------------
# NumPy implementations


def _as_int64(a):
    a = np.asarray(a)
    if a.dtype == np.uint64:
        a = np.minimum(a, np.uint64(np.iinfo(np.int64).max))
    return a.astype(np.int64)


def _default_fill_value(dtype):
    dtype = np.dtype(dtype)
    if dtypes.issubdtype(dtype, np.inexact):
        return np.nan
    if dtypes.issubdtype(dtype, np.signedinteger):
        return int(dtypes.iinfo(dtype).min)
    if dtypes.issubdtype(dtype, np.unsignedinteger):
        return int(dtypes.iinfo(dtype).max)
    if dtype == np.bool_:
        return True
    raise ValueError(f"Unsupported dtype for gather fill_value {dtype}")


def _window_locations(operand_shape, indices, window_dims, window_sizes, sizes,
                      start_index_map, operand_batching_dims, indices_batching_dims, clip):
    """Operand index arrays (one per operand dimension) for every element of a window
    layout `batch_shape + window_sizes`, plus a mask over the batch of the windows that
    lie fully in bounds (None when `clip`: starts are then clamped so windows fit).
    `sizes` holds the window size of every operand dimension."""
    batch_shape = indices.shape[:-1]
    nb, nw = len(batch_shape), len(window_sizes)
    idx = _as_int64(indices)
    starts, mask = {}, None
    for k, d in enumerate(start_index_map):
        s = idx[..., k]
        hi = operand_shape[d] - sizes[d]
        if not clip:
            ok = (s >= 0) & (s <= hi)
            mask = ok if mask is None else mask & ok
        starts[d] = np.clip(s, 0, max(hi, 0))
    for od, idim in zip(operand_batching_dims, indices_batching_dims):
        shape = [1] * nb
        shape[idim] = batch_shape[idim]
        starts[od] = np.arange(batch_shape[idim]).reshape(shape)
    tail = (1,) * nw
    out = []
    for d in range(len(operand_shape)):
        s = starts.get(d)
        s = np.zeros((1,) * (nb + nw), np.int64) if s is None else s.reshape(s.shape + tail)
        if d in window_dims:
            j = window_dims.index(d)
            shape = [1] * (nb + nw)
            shape[nb + j] = window_sizes[j]
            s = s + np.arange(window_sizes[j]).reshape(shape)
        out.append(s)
    full = tuple(batch_shape) + tuple(window_sizes)
    out = [np.broadcast_to(s, full) for s in out]
    if mask is not None:
        mask = np.broadcast_to(mask.reshape(mask.shape + tail), full)
    return out, mask


def _gather_impl(operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                 indices_are_sorted, mode, fill_value):
    dn = dimension_numbers
    operand, indices = np.asarray(operand), np.asarray(indices)
    if not dtypes.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must have an integer type")
    out_shape = _gather_shape_rule(operand, indices, dn, slice_sizes)
    if mode == GatherScatterMode.ONE_HOT:
        raise NotImplementedError("gather with mode=GatherScatterMode.ONE_HOT is not supported")
    if math.prod(out_shape) == 0:
        return np.zeros(out_shape, operand.dtype)
    window = [d for d in range(operand.ndim)
              if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims]
    wsizes = [slice_sizes[d] for d in window]
    locs, mask = _window_locations(operand.shape, indices, window, wsizes, slice_sizes,
                                   dn.start_index_map, dn.operand_batching_dims,
                                   dn.start_indices_batching_dims, clip=mode != _FILL)
    res = np.broadcast_to(operand[tuple(locs)], tuple(indices.shape[:-1]) + tuple(wsizes))
    if mask is not None:
        fv = _default_fill_value(operand.dtype) if fill_value is None else fill_value
        res = np.where(mask, res, np.asarray(fv).astype(operand.dtype))
    # The window layout is batch dims then window dims; the output interleaves them.
    nb = indices.ndim - 1
    batch, win = iter(range(nb)), iter(range(nb, nb + len(wsizes)))
    perm = [next(win) if o in dn.offset_dims else next(batch) for o in range(len(out_shape))]
    return np.transpose(res, perm).copy()


_UFUNCS = {"scatter-add": np.add, "scatter-sub": np.subtract, "scatter-mul": np.multiply,
           "scatter-min": np.minimum, "scatter-max": np.maximum}


def _scatter_locations(operand_shape, indices, updates, dn, mode):
    """(operand index arrays, update values) of the update elements that are applied."""
    uwd = dn.update_window_dims
    usd = [d for d in range(updates.ndim) if d not in uwd]
    window = [d for d in range(len(operand_shape))
              if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims]
    wsizes = [updates.shape[d] for d in uwd]
    sizes = [1] * len(operand_shape)
    for d, s in zip(window, wsizes):
        sizes[d] = s
    locs, mask = _window_locations(operand_shape, indices, window, wsizes, sizes,
                                   dn.scatter_dims_to_operand_dims, dn.operand_batching_dims,
                                   dn.scatter_indices_batching_dims, clip=mode == _CLIP)
    u = np.transpose(updates, usd + list(uwd))
    if mask is not None:
        return [l[mask] for l in locs], u[mask]
    return [l.ravel() for l in locs], u.ravel()


def _apply_elementwise(update_jaxpr, values):
    """The scalar function of `update_jaxpr` applied to each element of `values`."""
    from pyjax._src.interpreters import batching
    flat = core.ArrayImpl(np.ascontiguousarray(values).reshape(-1))
    jaxpr = update_jaxpr

    def f(v):
        return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, v)

    with core.set_current_trace(core.eval_trace):
        out, = batching.vmap_flat(f, [flat], [0], [0], flat.shape[0])
    return np.asarray(core.to_numpy(out)).astype(values.dtype).reshape(values.shape)


def _scatter_impl_for(name):
    def impl(operand, indices, updates, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode, update_jaxpr=None):
        operand, indices, updates = np.asarray(operand), np.asarray(indices), np.asarray(updates)
        dn = dimension_numbers
        _scatter_abstract(operand, indices, updates, dimension_numbers=dn,
                          indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                          mode=mode)
        out = np.array(operand, copy=True)
        if updates.size == 0 or operand.size == 0:
            return out
        locs, vals = _scatter_locations(operand.shape, indices, updates, dn, mode)
        if vals.size == 0:
            return out
        if operand.ndim == 0:  # every update hits the one element
            locs = [np.zeros(vals.shape, np.int64)]
            out = out.reshape(1)
        index = tuple(locs)
        if name == "scatter" and update_jaxpr is not None:
            # scatter_apply: the function is applied once per update that hits an element.
            counts = np.zeros(out.shape, np.int64)
            np.add.at(counts, index, 1)
            for r in range(int(counts.max())):
                hit = counts > r
                out = np.where(hit, _apply_elementwise(update_jaxpr, out), out)
        elif name == "scatter":
            out[index] = vals
        else:
            _UFUNCS[name].at(out, index, vals)
        return out.reshape(operand.shape)
    return impl


# ---------------------------------------------------------------------------
# gather: public wrapper and rules


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """XLA's Gather: windows of `operand` of size `slice_sizes` at the start positions
    `start_indices` (whose last dimension is the index vector), as `jax.lax.gather`."""
    L = _L()
    operand, start_indices = L.asarray(operand), L.asarray(start_indices)
    if mode is None:
        mode = _PROMISE
    parsed = GatherScatterMode.from_any(mode)
    if parsed == _FILL:
        if fill_value is None:
            fill_value = _default_fill_value(get_aval(operand).dtype)
    else:
        fill_value = None
    return gather_p.bind(operand, start_indices,
                         dimension_numbers=_canonical_gather_dnums(dimension_numbers),
                         slice_sizes=L.canonicalize_shape(slice_sizes),
                         unique_indices=bool(unique_indices),
                         indices_are_sorted=bool(indices_are_sorted), mode=parsed,
                         fill_value=fill_value)


def _gather_jvp(g, operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                indices_are_sorted, mode, fill_value):
    return gather(g, indices, dimension_numbers, slice_sizes, unique_indices=unique_indices,
                  indices_are_sorted=indices_are_sorted, mode=mode, fill_value=0)


def _to_scatter_dnums(dn):
    return ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map,
        operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)


def _to_gather_dnums(dn):
    return GatherDimensionNumbers(
        offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
        start_index_map=dn.scatter_dims_to_operand_dims,
        operand_batching_dims=dn.operand_batching_dims,
        start_indices_batching_dims=dn.scatter_indices_batching_dims)


def _gather_transpose(t, operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                      indices_are_sorted, mode, fill_value):
    assert is_undefined(operand)
    if type(t) is Zero:
        return [Zero(operand.aval), None]
    zeros = _L().full(operand.aval.shape, 0, get_aval(t).dtype)
    out = scatter_add(zeros, indices, t, _to_scatter_dnums(dimension_numbers),
                      unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                      mode=mode)
    return [out, None]


def _gather_batch(vals, dims, *, dimension_numbers, slice_sizes, unique_indices,
                  indices_are_sorted, mode, fill_value):
    operand, indices = vals
    operand_bdim, indices_bdim = dims
    dn = dimension_numbers
    plus1 = lambda ds: tuple(d + 1 for d in ds)  # noqa: E731
    params = dict(mode=mode, fill_value=fill_value)
    if operand_bdim is not None and indices_bdim is None:
        operand = moveaxis(operand, operand_bdim, 0)
        slice_sizes = (get_aval(operand).shape[0],) + tuple(slice_sizes)
        dnums = GatherDimensionNumbers(
            offset_dims=(0,) + plus1(dn.offset_dims),
            collapsed_slice_dims=plus1(dn.collapsed_slice_dims),
            start_index_map=plus1(dn.start_index_map),
            operand_batching_dims=plus1(dn.operand_batching_dims),
            start_indices_batching_dims=dn.start_indices_batching_dims)
        return gather_p.bind(operand, indices, dimension_numbers=dnums, slice_sizes=slice_sizes,
                             unique_indices=unique_indices,
                             indices_are_sorted=indices_are_sorted, **params), 0
    if operand_bdim is None and indices_bdim is not None:
        indices = moveaxis(indices, indices_bdim, 0)
        dnums = GatherDimensionNumbers(
            offset_dims=plus1(dn.offset_dims),
            collapsed_slice_dims=dn.collapsed_slice_dims,
            start_index_map=dn.start_index_map,
            operand_batching_dims=dn.operand_batching_dims,
            start_indices_batching_dims=plus1(dn.start_indices_batching_dims))
        # Batched indices into one array may overlap and need not be sorted any more.
        return gather_p.bind(operand, indices, dimension_numbers=dnums, slice_sizes=slice_sizes,
                             unique_indices=False, indices_are_sorted=False, **params), 0
    operand = moveaxis(operand, operand_bdim, 0)
    indices = moveaxis(indices, indices_bdim, 0)
    size = get_aval(operand).shape[0]
    slice_sizes = ((0,) if size == 0 else (1,)) + tuple(slice_sizes)
    dnums = GatherDimensionNumbers(
        offset_dims=plus1(dn.offset_dims),
        collapsed_slice_dims=plus1(dn.collapsed_slice_dims),
        start_index_map=plus1(dn.start_index_map),
        operand_batching_dims=(0,) + plus1(dn.operand_batching_dims),
        start_indices_batching_dims=(0,) + plus1(dn.start_indices_batching_dims))
    return gather_p.bind(operand, indices, dimension_numbers=dnums, slice_sizes=slice_sizes,
                         unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                         **params), 0


gather_p = Primitive("gather")
register(gather_p, impl=_gather_impl, abstract_eval=_gather_abstract, weak_type=_operand_weak,
         transpose=_gather_transpose, batch=_gather_batch)
ad.defjvp(gather_p, _gather_jvp, None)


# ---------------------------------------------------------------------------
# scatter family: public wrappers


def _scatter_args(operand, scatter_indices, updates):
    L = _L()
    return L.asarray(operand), L.asarray(scatter_indices), L.asarray(updates)


def _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers,
                  indices_are_sorted, unique_indices, mode, **extra):
    operand, scatter_indices, updates = _scatter_args(operand, scatter_indices, updates)
    return prim.bind(operand, scatter_indices, updates,
                     dimension_numbers=_canonical_scatter_dnums(dimension_numbers),
                     indices_are_sorted=bool(indices_are_sorted),
                     unique_indices=bool(unique_indices),
                     mode=GatherScatterMode.from_any(mode), **extra)


def scatter_add(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """XLA's Scatter combining with addition, as `jax.lax.scatter_add`."""
    return _scatter_bind(scatter_add_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_sub(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """XLA's Scatter combining with subtraction, as `jax.lax.scatter_sub`."""
    return _scatter_bind(scatter_sub_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_mul(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """XLA's Scatter combining with multiplication, as `jax.lax.scatter_mul`."""
    return _scatter_bind(scatter_mul_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_min(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """XLA's Scatter combining with minimum, as `jax.lax.scatter_min`."""
    return _scatter_bind(scatter_min_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_max(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """XLA's Scatter combining with maximum, as `jax.lax.scatter_max`."""
    return _scatter_bind(scatter_max_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter(operand, scatter_indices, updates, dimension_numbers, *,
            indices_are_sorted=False, unique_indices=False, mode=None):
    """XLA's Scatter replacing values of `operand` by `updates`, as `jax.lax.scatter`.
    Where several updates hit one element, one of them wins."""
    return _scatter_bind(scatter_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode, update_jaxpr=None)


def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(),
                  indices_are_sorted=False, unique_indices=False, mode=None):
    """Replace elements of `operand` at the scattered positions by `func` of them, as
    `jax.lax.scatter_apply`; an element hit k times gets `func` applied k times.
    Not differentiable (as in JAX)."""
    L = _L()
    operand = L.asarray(operand)
    aval = get_aval(operand)
    unused = L.full(update_shape, 0, aval.dtype)
    jaxpr = _scalar_jaxpr(func, aval.dtype)
    return _scatter_bind(scatter_p, operand, scatter_indices, unused, dimension_numbers,
                         indices_are_sorted, unique_indices, mode, update_jaxpr=jaxpr)


def _scalar_jaxpr(func, dtype):
    from pyjax._src.interpreters import partial_eval as pe
    closed, outer = pe.stage(lambda x: [_L().convert_element_type(func(x), dtype)],
                             [ShapedArray((), dtype)])
    if outer:
        raise TypeError("scatter_apply: `func` must not close over values of an enclosing "
                        "transformation (traced values); pass a function of its argument only.")
    return closed


def index_take(src, idxs, axes):
    """src[idxs[0], ..., idxs[k]] along `axes`, indices taken modulo the axis sizes
    (as `jax.lax.index_take`)."""
    L = _L()
    src = L.asarray(src)
    shape = get_aval(src).shape
    indices = L.concatenate([L.expand_dims(L.asarray(i), (1,)) for i in idxs], 1)
    nidx = get_aval(indices).shape[1]
    max_idx = L.broadcast_in_dim(
        L.asarray(np.array([shape[ax] for ax in axes], get_aval(indices).dtype)),
        get_aval(indices).shape, (1,))
    indices = L.rem(L.add(L.rem(indices, max_idx), max_idx), max_idx)
    slice_sizes = list(shape)
    for ax in axes:
        slice_sizes[ax] = 1
    dnums = GatherDimensionNumbers(offset_dims=tuple(range(1, len(shape) - nidx + 1)),
                                   collapsed_slice_dims=tuple(axes), start_index_map=tuple(axes))
    return gather(src, indices, dimension_numbers=dnums, slice_sizes=tuple(slice_sizes))


# ---------------------------------------------------------------------------
# scatter family: rules


def _params(dimension_numbers, indices_are_sorted, unique_indices, mode, **extra):
    return dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                unique_indices=unique_indices, mode=mode, **extra)


def _window_slice_sizes(dn, operand_shape, updates_shape):
    sizes, pos = [], 0
    for i in range(len(operand_shape)):
        if i in dn.inserted_window_dims or i in dn.operand_batching_dims:
            sizes.append(1)
        else:
            sizes.append(updates_shape[dn.update_window_dims[pos]])
            pos += 1
    return tuple(sizes)


def _shape_of(x):
    return x.aval.shape if is_undefined(x) else get_aval(x).shape


def _scatter_addsub_jvp(prim):
    def rule(primals, tangents, **params):
        operand, indices, updates = primals
        g_operand, _, g_updates = tangents
        out = prim.bind(operand, indices, updates, **params)
        if type(g_operand) is Zero and type(g_updates) is Zero:
            return out, Zero.like(out)
        return out, prim.bind(ad.instantiate(g_operand), indices, ad.instantiate(g_updates),
                              **params)
    return rule


def _scatter_addsub_transpose(prim):
    def rule(t, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        assert not is_undefined(indices)
        if type(t) is Zero:
            return [Zero(operand.aval) if is_undefined(operand) else None, None,
                    Zero(updates.aval) if is_undefined(updates) else None]
        operand_t = t if is_undefined(operand) else None
        update_t = None
        if is_undefined(updates):
            sizes = _window_slice_sizes(dimension_numbers, get_aval(t).shape, updates.aval.shape)
            update_t = gather(t, indices, _to_gather_dnums(dimension_numbers), sizes, mode=mode,
                              fill_value=0)
            if prim is scatter_sub_p:
                update_t = _L().neg(update_t)
        return [operand_t, None, update_t]
    return rule


def _scatter_mul_jvp_rhs(g, x, i, y, *, dimension_numbers, indices_are_sorted, unique_indices,
                         mode):
    if not unique_indices:
        raise NotImplementedError(
            "scatter_mul gradients are only implemented if `unique_indices=True`")
    L = _L()
    return L.mul(x, scatter_add(L.full_like(x, 0), i, g, dimension_numbers,
                                indices_are_sorted=indices_are_sorted,
                                unique_indices=unique_indices, mode=mode))


def _scatter_mul_transpose(t, operand, indices, updates, *, dimension_numbers,
                           indices_are_sorted, unique_indices, mode):
    assert not is_undefined(indices)
    if type(t) is Zero:
        return [Zero(operand.aval) if is_undefined(operand) else None, None,
                Zero(updates.aval) if is_undefined(updates) else None]
    operand_t = update_t = None
    if is_undefined(operand):
        operand_t = scatter_mul(t, indices, updates, dimension_numbers,
                                indices_are_sorted=indices_are_sorted,
                                unique_indices=unique_indices, mode=mode)
    if is_undefined(updates):
        if not unique_indices:
            raise NotImplementedError(
                "scatter_mul gradients are only implemented if `unique_indices=True`")
        sizes = _window_slice_sizes(dimension_numbers, get_aval(t).shape, updates.aval.shape)
        update_t = gather(_L().mul(t, operand), indices, _to_gather_dnums(dimension_numbers),
                          sizes, mode=mode, fill_value=0)
    return [operand_t, None, update_t]


def _scatter_extremal_jvp(prim):
    def rule(primals, tangents, *, dimension_numbers, indices_are_sorted, unique_indices,
             mode):
        L = _L()
        operand, indices, updates = primals
        g_operand, _, g_updates = tangents
        dn = dimension_numbers
        params = _params(dn, indices_are_sorted, unique_indices, mode)
        out = prim.bind(operand, indices, updates, **params)
        if type(g_operand) is Zero and type(g_updates) is Zero:
            return out, Zero.like(out)
        g_operand, g_updates = ad.instantiate(g_operand), ad.instantiate(g_updates)
        gdn = _to_gather_dnums(dn)
        sizes = _window_slice_sizes(dn, get_aval(operand).shape, get_aval(updates).shape)
        # JAX uses the default modes for these inner gathers/scatters, which gives NaN
        # tangents where mode=CLIP clamps an index; clamping in all of them keeps the counts
        # consistent (the one deliberate difference from JAX here).
        inner = _CLIP if mode == _CLIP else None

        def g(x):
            return gather(x, indices, gdn, sizes, mode=inner)

        def s_add(x, u):
            return scatter_add(x, indices, u, dn, mode=inner)

        zeros_op, ones_up = L.full_like(operand, 0), L.full_like(updates, 1)
        zeros_up = L.full_like(updates, 0)
        initial_vals = g(operand)
        target_vals = g(out)
        successful = L.eq(updates, target_vals)
        retained = L.eq(initial_vals, target_vals)
        num_updates = g(s_add(zeros_op, L.select(successful, ones_up, zeros_up)))
        num_refs = g(s_add(zeros_op, ones_up))
        one = L.full_like(num_updates, 1)
        updates_normalizer = L.select(retained, L.div(one, L.add(num_updates, one)),
                                      L.div(one, num_updates))
        updates_coef = L.select(successful, updates_normalizer, zeros_up)
        operand_normalizer = L.select(retained, L.div(one, L.add(num_updates, one)),
                                      L.full_like(num_updates, 0))
        operand_coef = L.div(L.add(L.neg(one), operand_normalizer), num_refs)
        target_tangents = g(g_operand)
        tangent_updates = L.add(L.mul(target_tangents, operand_coef),
                                L.mul(g_updates, updates_coef))
        t_out = scatter_add(g_operand, indices, tangent_updates, dn,
                            indices_are_sorted=indices_are_sorted,
                            unique_indices=unique_indices, mode=mode)
        return out, t_out
    return rule


def _id_dtype(n):
    return np.dtype(np.uint64) if n > np.iinfo(np.uint32).max else np.dtype(np.uint32)


def _scatter_jvp(primals, tangents, *, dimension_numbers, indices_are_sorted, unique_indices,
                 mode, update_jaxpr):
    if update_jaxpr is not None:
        raise NotImplementedError("scatter_apply JVP not implemented")
    L = _L()
    operand, indices, updates = primals
    g_operand, _, g_updates = tangents
    dn = dimension_numbers
    params = _params(dn, indices_are_sorted, unique_indices, mode, update_jaxpr=None)
    if type(g_operand) is Zero and type(g_updates) is Zero:
        out = scatter_p.bind(operand, indices, updates, **params)
        return out, Zero.like(out)
    g_operand, g_updates = ad.instantiate(g_operand), ad.instantiate(g_updates)
    if unique_indices:
        return (scatter_p.bind(operand, indices, updates, **params),
                scatter_p.bind(g_operand, indices, g_updates, **params))
    # Overlapping updates: one of them wins, unspecified which.  Scatter an id per update,
    # gather the winning ids back, mask operand and updates by them, and scatter-add the
    # masked values (whose transpose needs no `scatter` transpose).
    upd_shape = get_aval(updates).shape
    ids_shape = list(upd_shape)
    for d in dn.update_window_dims:
        ids_shape[d] = 1
    num_ids = math.prod(ids_shape)
    id_dtype = _id_dtype(num_ids)
    ids = L.add(L.reshape(L.iota(id_dtype, num_ids), ids_shape),
                L.full(ids_shape, 1, id_dtype))
    update_ids = L.broadcast_in_dim(ids, upd_shape, tuple(range(len(upd_shape))))
    scattered_ids = scatter(L.full(get_aval(operand).shape, 0, id_dtype), indices, update_ids,
                            dn, indices_are_sorted=indices_are_sorted,
                            unique_indices=unique_indices, mode=mode)
    sizes = _window_slice_sizes(dn, get_aval(operand).shape, upd_shape)
    gathered_ids = gather(scattered_ids, indices, _to_gather_dnums(dn), sizes)
    untouched = L.eq(scattered_ids, L.full_like(scattered_ids, 0))
    winning = L.eq(update_ids, gathered_ids)
    masked_operand = L.select(untouched, operand, L.full_like(operand, 0))
    masked_updates = L.select(winning, updates, L.full_like(updates, 0))
    masked_g_operand = L.select(untouched, g_operand, L.full_like(g_operand, 0))
    masked_g_updates = L.select(winning, g_updates, L.full_like(g_updates, 0))
    kw = dict(indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    return (scatter_add(masked_operand, indices, masked_updates, dn, **kw),
            scatter_add(masked_g_operand, indices, masked_g_updates, dn, **kw))


def _scatter_transpose(t, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
                       unique_indices, mode, update_jaxpr):
    if not unique_indices:
        raise NotImplementedError("scatter transpose is only implemented where "
                                  "unique_indices=True")
    assert not is_undefined(indices)
    upd_shape = _shape_of(updates)
    if type(t) is Zero:
        return [Zero(operand.aval) if is_undefined(operand) else None, None,
                Zero(updates.aval) if is_undefined(updates) else None]
    operand_t = update_t = None
    if is_undefined(operand):
        # Zero the cotangent where updates overwrote the operand.
        operand_t = scatter(t, indices, _L().full(upd_shape, 0, get_aval(t).dtype),
                            dimension_numbers, indices_are_sorted=indices_are_sorted,
                            unique_indices=True, mode=mode)
    if is_undefined(updates):
        sizes = _window_slice_sizes(dimension_numbers, get_aval(t).shape, upd_shape)
        update_t = gather(t, indices, _to_gather_dnums(dimension_numbers), sizes, mode=mode,
                          fill_value=0)
    return [operand_t, None, update_t]


def _scatter_batch(prim):
    def rule(vals, dims, *, dimension_numbers, **params):
        operand, indices, updates = vals
        operand_bdim, indices_bdim, updates_bdim = dims
        dn = dimension_numbers
        plus1 = lambda ds: tuple(d + 1 for d in ds)  # noqa: E731
        size = next(get_aval(x).shape[d] for x, d in zip(vals, dims) if d is not None)
        operand = bdim_at_front(operand, operand_bdim, size)
        updates = bdim_at_front(updates, updates_bdim, size)
        if indices_bdim is None:
            dnums = ScatterDimensionNumbers(
                update_window_dims=(0,) + plus1(dn.update_window_dims),
                inserted_window_dims=plus1(dn.inserted_window_dims),
                scatter_dims_to_operand_dims=plus1(dn.scatter_dims_to_operand_dims),
                operand_batching_dims=plus1(dn.operand_batching_dims),
                scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
            return prim.bind(operand, indices, updates, dimension_numbers=dnums, **params), 0
        indices = bdim_at_front(indices, indices_bdim, size)
        dnums = ScatterDimensionNumbers(
            update_window_dims=plus1(dn.update_window_dims),
            inserted_window_dims=plus1(dn.inserted_window_dims),
            scatter_dims_to_operand_dims=plus1(dn.scatter_dims_to_operand_dims),
            operand_batching_dims=(0,) + plus1(dn.operand_batching_dims),
            scatter_indices_batching_dims=(0,) + plus1(dn.scatter_indices_batching_dims))
        return prim.bind(operand, indices, updates, dimension_numbers=dnums, **params), 0
    return rule


scatter_add_p = Primitive("scatter-add")
scatter_sub_p = Primitive("scatter-sub")
scatter_mul_p = Primitive("scatter-mul")
scatter_min_p = Primitive("scatter-min")
scatter_max_p = Primitive("scatter-max")
scatter_p = Primitive("scatter")

for _p in (scatter_add_p, scatter_sub_p):
    register(_p, impl=_scatter_impl_for(_p.name), abstract_eval=_scatter_abstract,
             weak_type=_operand_weak, jvp=_scatter_addsub_jvp(_p),
             transpose=_scatter_addsub_transpose(_p), batch=_scatter_batch(_p))
register(scatter_mul_p, impl=_scatter_impl_for("scatter-mul"), abstract_eval=_scatter_abstract,
         weak_type=_operand_weak, transpose=_scatter_mul_transpose,
         batch=_scatter_batch(scatter_mul_p))
ad.defjvp(scatter_mul_p, lambda g, x, i, y, **kw: scatter_mul_p.bind(g, i, y, **kw), None,
          _scatter_mul_jvp_rhs)
for _p in (scatter_min_p, scatter_max_p):
    register(_p, impl=_scatter_impl_for(_p.name), abstract_eval=_scatter_abstract,
             weak_type=_operand_weak, jvp=_scatter_extremal_jvp(_p), batch=_scatter_batch(_p))
register(scatter_p, impl=_scatter_impl_for("scatter"), abstract_eval=_scatter_abstract,
         weak_type=_operand_weak, jvp=_scatter_jvp, transpose=_scatter_transpose,
         batch=_scatter_batch(scatter_p))
del _p


__all__ = ["GatherDimensionNumbers", "ScatterDimensionNumbers", "GatherScatterMode", "gather",
           "scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max",
           "scatter_apply", "index_take", "gather_p", "scatter_p", "scatter_add_p",
           "scatter_sub_p", "scatter_mul_p", "scatter_min_p", "scatter_max_p"]
