"""Primitives that move data without arithmetic: broadcasts, reshapes, slices, pads, iota."""
import numpy as np

from pyjax._src import core
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import Zero, deflinear, defzero, instantiate, is_undefined
from pyjax._src.interpreters import ad
from pyjax._src.interpreters.batching import batch_size_of, bdim_at_front, moveaxis


def _L():
    from pyjax._src.lax import lax
    return lax


def _linear_unary(prim, transpose):
    """Linear one-operand primitive: its transpose maps a cotangent back, Zero stays Zero."""
    deflinear(prim, lambda ct, x, **p: [Zero(x.aval) if type(ct) is Zero else transpose(ct, x, **p)])


def _front(vals, dims):
    """Batch axis of the (only) operand moved to the front."""
    return moveaxis(vals[0], dims[0], 0)


# --- broadcast_in_dim -------------------------------------------------------


def _bid_abstract(x, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must "
                        f"have one entry per operand dimension (operand shape {x.shape})")
    for i, d in enumerate(broadcast_dimensions):
        if not 0 <= d < len(shape) or x.shape[i] not in (1, shape[d]):
            raise TypeError(f"broadcast_in_dim: operand shape {x.shape} cannot be broadcast to "
                            f"{tuple(shape)} with broadcast_dimensions {broadcast_dimensions}")
    if list(broadcast_dimensions) != sorted(set(broadcast_dimensions)):
        raise TypeError(f"broadcast_in_dim: broadcast_dimensions must be strictly increasing, "
                        f"got {broadcast_dimensions}")
    return tuple(shape), x.dtype


def _bid_impl(x, shape, broadcast_dimensions):
    expanded = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        expanded[d] = x.shape[i]
    return np.broadcast_to(np.reshape(x, expanded), shape)


def _bid_transpose(ct, x, shape, broadcast_dimensions):
    L = _L()
    summed = tuple(i for i in range(len(shape)) if i not in broadcast_dimensions)
    kept_ones = tuple(i for i, d in enumerate(broadcast_dimensions)
                      if x.aval.shape[i] == 1 and shape[d] != 1)
    out = L.reduce_sum(ct, summed + tuple(broadcast_dimensions[i] for i in kept_ones)) \
        if summed or kept_ones else ct
    return L.reshape(out, x.aval.shape) if kept_ones else out


def _bid_batch(vals, dims, shape, broadcast_dimensions):
    x = _front(vals, dims)
    size = get_aval(x).shape[0]
    return broadcast_in_dim_p.bind(
        x, shape=(size,) + tuple(shape),
        broadcast_dimensions=(0,) + tuple(d + 1 for d in broadcast_dimensions)), 0


broadcast_in_dim_p = Primitive("broadcast_in_dim")
register(broadcast_in_dim_p, impl=_bid_impl, abstract_eval=_bid_abstract, batch=_bid_batch)
_linear_unary(broadcast_in_dim_p, _bid_transpose)


# --- reshape ----------------------------------------------------------------


def _reshape_abstract(x, new_sizes, dimensions):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise TypeError(f"reshape: cannot reshape array of shape {x.shape} (size {x.size}) "
                        f"into shape {tuple(new_sizes)} (size {int(np.prod(new_sizes))})")
    return tuple(new_sizes), x.dtype


def _reshape_impl(x, new_sizes, dimensions):
    if dimensions is not None:
        x = np.transpose(x, dimensions)
    return np.reshape(x, new_sizes)


reshape_p = Primitive("reshape")
register(reshape_p, impl=_reshape_impl, abstract_eval=_reshape_abstract,
         batch=lambda vals, dims, new_sizes, dimensions: (reshape_p.bind(
             moveaxis(vals[0], dims[0], 0) if dimensions is None else
             _L().transpose(vals[0], _batched_perm(dims[0], dimensions)),
             new_sizes=(get_aval(vals[0]).shape[dims[0]],) + tuple(new_sizes), dimensions=None), 0))
_linear_unary(reshape_p, lambda ct, x, new_sizes, dimensions: (
    _L().reshape(ct, x.aval.shape) if dimensions is None else
    _L().transpose(_L().reshape(ct, [x.aval.shape[d] for d in dimensions]),
                   np.argsort(dimensions).tolist())))


def _batched_perm(bdim, perm):
    """The permutation of a batched operand that applies `perm` and brings the batch axis first."""
    rest = [i for i in range(len(perm) + 1) if i != bdim]
    return (bdim,) + tuple(rest[p] for p in perm)


# --- transpose --------------------------------------------------------------


def _transpose_abstract(x, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose: permutation {permutation} is not a permutation of the "
                        f"axes of an array of shape {x.shape}")
    return tuple(x.shape[p] for p in permutation), x.dtype


transpose_p = Primitive("transpose")
register(transpose_p, impl=lambda x, permutation: np.transpose(x, permutation),
         abstract_eval=_transpose_abstract,
         batch=lambda vals, dims, permutation: (
             transpose_p.bind(vals[0], permutation=_batched_perm(dims[0], permutation)), 0))
_linear_unary(transpose_p, lambda ct, x, permutation: _L().transpose(
    ct, tuple(np.argsort(permutation).tolist())))


# --- squeeze ----------------------------------------------------------------


def _squeeze_abstract(x, dimensions):
    for d in dimensions:
        if not 0 <= d < x.ndim or x.shape[d] != 1:
            raise TypeError(f"squeeze: cannot squeeze dimension {d} of an array of shape "
                            f"{x.shape}; it must have size 1")
    return tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype


squeeze_p = Primitive("squeeze")
register(squeeze_p, impl=lambda x, dimensions: np.reshape(
    x, tuple(s for i, s in enumerate(np.shape(x)) if i not in dimensions)),
    abstract_eval=_squeeze_abstract,
    batch=lambda vals, dims, dimensions: (squeeze_p.bind(
        _front(vals, dims), dimensions=tuple(d + 1 for d in dimensions)), 0))
_linear_unary(squeeze_p, lambda ct, x, dimensions: _L().reshape(ct, x.aval.shape))


# --- rev --------------------------------------------------------------------

rev_p = Primitive("rev")
register(rev_p, impl=lambda x, dimensions: np.flip(x, dimensions) if dimensions else x,
         abstract_eval=lambda x, dimensions: (x.shape, x.dtype),
         batch=lambda vals, dims, dimensions: (rev_p.bind(
             _front(vals, dims), dimensions=tuple(d + 1 for d in dimensions)), 0))
_linear_unary(rev_p, lambda ct, x, dimensions: _L().rev(ct, dimensions))


# --- concatenate ------------------------------------------------------------


def _concat_abstract(*xs, dimension):
    if not xs:
        raise TypeError("concatenate requires at least one operand")
    ref = xs[0]
    if not 0 <= dimension < ref.ndim:
        raise TypeError(f"concatenate: dimension {dimension} is out of range for operands of "
                        f"rank {ref.ndim}")
    for x in xs:
        if x.dtype != ref.dtype:
            raise TypeError("concatenate requires operands of one dtype, got "
                            + ", ".join(x.dtype.name for x in xs))
        if x.ndim != ref.ndim or any(a != b for i, (a, b) in enumerate(zip(x.shape, ref.shape))
                                     if i != dimension):
            raise TypeError(f"concatenate: operand shapes must agree except on dimension "
                            f"{dimension}, got " + ", ".join(str(x.shape) for x in xs))
    shape = list(ref.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return tuple(shape), ref.dtype


def _concat_transpose(ct, *xs, dimension):
    out, start = [], 0
    for x in xs:
        n = (x.aval if is_undefined(x) else get_aval(x)).shape[dimension]
        if is_undefined(x):
            out.append(Zero(x.aval) if type(ct) is Zero else _L().slice_in_dim(
                ct, start, start + n, axis=dimension))
        else:
            out.append(None)
        start += n
    return out


def _concat_batch(vals, dims, dimension):
    size = batch_size_of(vals, dims)
    return concatenate_p.bind(*[bdim_at_front(v, d, size) for v, d in zip(vals, dims)],
                              dimension=dimension + 1), 0


def _concat_jvp(primals, tangents, dimension):
    out = concatenate_p.bind(*primals, dimension=dimension)
    ts = [ad.zeros_like_aval(get_aval(p)) if type(t) is Zero else t
          for p, t in zip(primals, tangents)]
    return out, concatenate_p.bind(*ts, dimension=dimension)


concatenate_p = Primitive("concatenate")
register(concatenate_p, impl=lambda *xs, dimension: np.concatenate(xs, axis=dimension),
         abstract_eval=_concat_abstract, jvp=_concat_jvp, transpose=_concat_transpose,
         batch=_concat_batch)


# --- pad --------------------------------------------------------------------


def _pad_abstract(x, padding_value, padding_config):
    if padding_value.shape:
        raise TypeError(f"pad: padding_value must be a scalar, got shape {padding_value.shape}")
    if padding_value.dtype != x.dtype:
        raise TypeError(f"pad: operand and padding_value must have one dtype, got "
                        f"{x.dtype}, {padding_value.dtype}")
    if len(padding_config) != x.ndim:
        raise TypeError(f"pad: padding_config has {len(padding_config)} entries for an operand "
                        f"of rank {x.ndim}")
    shape = []
    for n, (lo, hi, interior) in zip(x.shape, padding_config):
        if interior < 0:
            raise TypeError(f"pad: interior padding must be >= 0, got {interior}")
        size = lo + hi + n + max(n - 1, 0) * interior
        if size < 0:
            raise TypeError(f"pad: padding config {padding_config} gives a negative dimension "
                            f"for operand shape {x.shape}")
        shape.append(size)
    return tuple(shape), x.dtype


def _pad_impl(x, padding_value, padding_config):
    x = np.asarray(x)
    grown = [max(lo, 0) + max(hi, 0) + n + max(n - 1, 0) * it
             for n, (lo, hi, it) in zip(x.shape, padding_config)]
    out = np.full(grown, padding_value, dtype=x.dtype)
    out[tuple(slice(max(lo, 0), max(lo, 0) + n + max(n - 1, 0) * it, it + 1)
              for n, (lo, hi, it) in zip(x.shape, padding_config))] = x
    # Negative padding removes elements from the edges.
    return out[tuple(slice(-min(lo, 0), g + min(hi, 0))
                     for g, (lo, hi, _) in zip(grown, padding_config))]


def _pad_transpose(ct, x, padding_value, padding_config):
    L = _L()
    if type(ct) is Zero:
        return [Zero(x.aval) if is_undefined(x) else None,
                Zero(padding_value.aval) if is_undefined(padding_value) else None]
    # Undo the edges (negative edge padding of the cotangent), then skip interior elements.
    unpadded = L.pad(ct, L.full((), 0, ct.dtype), [(-lo, -hi, 0) for lo, hi, _ in padding_config])
    shape = get_aval(unpadded).shape
    ct_x = L.slice(unpadded, [0] * len(shape), shape, [it + 1 for _, _, it in padding_config])
    ct_pv = None
    if is_undefined(padding_value):
        ct_pv = L.sub(L.reduce_sum(ct, tuple(range(get_aval(ct).ndim))),
                      L.reduce_sum(ct_x, tuple(range(get_aval(ct_x).ndim))))
    return [ct_x if is_undefined(x) else None, ct_pv]


def _pad_batch(vals, dims, padding_config):
    L = _L()
    (x, pv), (xd, pd) = vals, dims
    size = batch_size_of(vals, dims)
    x = bdim_at_front(x, xd, size)
    config = ((0, 0, 0),) + tuple(padding_config)
    if pd is None:
        return pad_p.bind(x, pv, padding_config=config), 0
    # A batched padding value: pad with zeros, then fill the padding per batch element.
    shape = get_aval(x).shape
    out = pad_p.bind(x, L.full((), 0, get_aval(x).dtype), padding_config=config)
    mask = pad_p.bind(L.full(shape, True, np.bool_), L.full((), False, np.bool_),
                      padding_config=config)
    fill = L.broadcast_in_dim(pv, get_aval(out).shape, (0,))
    return L.select(mask, out, fill), 0


pad_p = Primitive("pad")
register(pad_p, impl=_pad_impl, abstract_eval=_pad_abstract, batch=_pad_batch)
deflinear(pad_p, _pad_transpose)


# --- slice ------------------------------------------------------------------


def _slice_abstract(x, start_indices, limit_indices, strides):
    if not (len(start_indices) == len(limit_indices) == x.ndim) or (
            strides is not None and len(strides) != x.ndim):
        raise TypeError(f"slice: start_indices {start_indices}, limit_indices {limit_indices} "
                        f"and strides {strides} need one entry per dimension of shape {x.shape}")
    strides = strides or (1,) * x.ndim
    shape = []
    for n, s, l, k in zip(x.shape, start_indices, limit_indices, strides):
        if not 0 <= s <= l <= n or k < 1:
            raise TypeError(f"slice: invalid start {start_indices} / limit {limit_indices} / "
                            f"strides {strides} for an operand of shape {x.shape}")
        shape.append(-(-(l - s) // k))
    return tuple(shape), x.dtype


def _slice_impl(x, start_indices, limit_indices, strides):
    strides = strides or (1,) * len(start_indices)
    return np.asarray(x)[tuple(slice(s, l, k) for s, l, k in zip(start_indices, limit_indices, strides))]


def _slice_transpose(ct, x, start_indices, limit_indices, strides):
    L = _L()
    strides = strides or (1,) * len(start_indices)
    out_shape = get_aval(ct).shape
    config = [(s, n - (s + (m - 1) * k + 1) if m else n - s, k - 1 if m else 0)
              for n, s, k, m in zip(x.aval.shape, start_indices, strides, out_shape)]
    return L.pad(ct, L.full((), 0, get_aval(ct).dtype), config)


slice_p = Primitive("slice")
register(slice_p, impl=_slice_impl, abstract_eval=_slice_abstract,
         batch=lambda vals, dims, start_indices, limit_indices, strides: (slice_p.bind(
             _front(vals, dims), start_indices=(0,) + tuple(start_indices),
             limit_indices=(get_aval(vals[0]).shape[dims[0]],) + tuple(limit_indices),
             strides=None if strides is None else (1,) + tuple(strides)), 0))
_linear_unary(slice_p, _slice_transpose)


# --- dynamic_slice / dynamic_update_slice ------------------------------------


def _clamped_starts(shape, sizes, idx):
    """Start indices clamped so the window fits, as JAX does (never out of bounds)."""
    return tuple(int(min(max(int(i), 0), n - s)) for n, s, i in zip(shape, sizes, idx))


def _check_indices(name, x, idx):
    if len(idx) != x.ndim:
        raise TypeError(f"{name}: got {len(idx)} start indices for an operand of rank {x.ndim} "
                        f"(shape {x.shape})")
    for i in idx:
        if i.shape or not np.issubdtype(i.dtype, np.integer):
            raise TypeError(f"{name}: start indices must be integer scalars, got {i.str_short()}")


def _ds_abstract(x, *idx, slice_sizes):
    _check_indices("dynamic_slice", x, idx)
    if len(slice_sizes) != x.ndim or any(not 0 <= s <= n for s, n in zip(slice_sizes, x.shape)):
        raise TypeError(f"dynamic_slice: slice_sizes {slice_sizes} must fit the operand shape "
                        f"{x.shape}")
    return tuple(slice_sizes), x.dtype


def _ds_impl(x, *idx, slice_sizes):
    starts = _clamped_starts(np.shape(x), slice_sizes, idx)
    return np.asarray(x)[tuple(slice(s, s + n) for s, n in zip(starts, slice_sizes))]


def _ds_jvp(primals, tangents, slice_sizes):
    x, *idx = primals
    out = dynamic_slice_p.bind(x, *idx, slice_sizes=slice_sizes)
    t = tangents[0]
    if type(t) is Zero:
        return out, Zero.like(out)
    return out, dynamic_slice_p.bind(t, *idx, slice_sizes=slice_sizes)


def _ds_transpose(ct, x, *idx, slice_sizes):
    zeros = ad.zeros_like_aval(x.aval)
    if type(ct) is Zero:
        return [Zero(x.aval)] + [None] * len(idx)
    return [dynamic_update_slice_p.bind(zeros, ct, *idx)] + [None] * len(idx)


def _stacked_indices(idx, dims, size):
    """The scalar start indices of a batched dynamic slice as one (size, n) index array."""
    L = _L()
    from pyjax._src import dtypes
    dt = dtypes.result_type(*[get_aval(i).dtype for i in idx])   # the primitive allows a mix
    cols = [L.reshape(L.convert_element_type(bdim_at_front(i, d, size), dt), (size, 1))
            for i, d in zip(idx, dims)]
    return L.concatenate(cols, 1)


def _ds_batch(vals, dims, slice_sizes):
    x, *idx = vals
    size = batch_size_of(vals, dims)
    if any(d is not None for d in dims[1:]):
        # Batched start indices: one gather with the batch as its batching dimension
        # (CLIP mode clamps each window into bounds, as dynamic_slice does).
        from pyjax._src.lax import slicing
        nd = len(slice_sizes)
        starts = _stacked_indices(idx, dims[1:], size)
        if dims[0] is None:
            dn = slicing.GatherDimensionNumbers(
                offset_dims=tuple(range(1, nd + 1)), collapsed_slice_dims=(),
                start_index_map=tuple(range(nd)))
            return slicing.gather(x, starts, dn, slice_sizes, mode="clip"), 0
        dn = slicing.GatherDimensionNumbers(
            offset_dims=tuple(range(1, nd + 1)), collapsed_slice_dims=(),
            start_index_map=tuple(range(1, nd + 1)), operand_batching_dims=(0,),
            start_indices_batching_dims=(0,))
        return slicing.gather(moveaxis(x, dims[0], 0), starts, dn, (1,) + tuple(slice_sizes),
                              mode="clip"), 0
    x = moveaxis(x, dims[0], 0)
    zero = np.zeros((), get_aval(idx[0]).dtype if idx else np.int32)
    return dynamic_slice_p.bind(x, zero, *idx, slice_sizes=(get_aval(x).shape[0],) + tuple(
        slice_sizes)), 0


dynamic_slice_p = Primitive("dynamic_slice")
register(dynamic_slice_p, impl=_ds_impl, abstract_eval=_ds_abstract, jvp=_ds_jvp,
         transpose=_ds_transpose, batch=_ds_batch, weak_type=lambda x, *i, **p: x)


def _dus_abstract(x, update, *idx):
    _check_indices("dynamic_update_slice", x, idx)
    if update.dtype != x.dtype:
        raise TypeError(f"dynamic_update_slice: update dtype {update.dtype} must equal the "
                        f"operand dtype {x.dtype}")
    if update.ndim != x.ndim or any(u > n for u, n in zip(update.shape, x.shape)):
        raise TypeError(f"dynamic_update_slice: update shape {update.shape} must fit in the "
                        f"operand shape {x.shape}")
    return x.shape, x.dtype


def _dus_impl(x, update, *idx):
    starts = _clamped_starts(np.shape(x), np.shape(update), idx)
    out = np.array(x, copy=True)
    out[tuple(slice(s, s + n) for s, n in zip(starts, np.shape(update)))] = update
    return out


def _dus_jvp(primals, tangents):
    x, u, *idx = primals
    out = dynamic_update_slice_p.bind(x, u, *idx)
    tx, tu = tangents[:2]
    if type(tx) is Zero and type(tu) is Zero:
        return out, Zero.like(out)
    return out, dynamic_update_slice_p.bind(instantiate(tx), instantiate(tu), *idx)


def _dus_transpose(ct, x, update, *idx):
    if type(ct) is Zero:
        return [Zero(x.aval) if is_undefined(x) else None,
                Zero(update.aval) if is_undefined(update) else None] + [None] * len(idx)
    u_aval = update.aval if is_undefined(update) else get_aval(update)
    ct_x = dynamic_update_slice_p.bind(ct, ad.zeros_like_aval(u_aval), *idx) \
        if is_undefined(x) else None
    ct_u = dynamic_slice_p.bind(ct, *idx, slice_sizes=u_aval.shape) if is_undefined(update) else None
    return [ct_x, ct_u] + [None] * len(idx)


def _dus_batch(vals, dims):
    size = batch_size_of(vals, dims)
    x, u, *idx = vals
    x, u = bdim_at_front(x, dims[0], size), bdim_at_front(u, dims[1], size)
    if any(d is not None for d in dims[2:]):
        # Batched start indices: one scatter whose batching dimension is the batch; CLIP
        # clamps each window into bounds, as dynamic_update_slice does.
        from pyjax._src.lax import slicing
        nd = get_aval(x).ndim - 1
        dn = slicing.ScatterDimensionNumbers(
            update_window_dims=tuple(range(1, nd + 1)), inserted_window_dims=(),
            scatter_dims_to_operand_dims=tuple(range(1, nd + 1)), operand_batching_dims=(0,),
            scatter_indices_batching_dims=(0,))
        return slicing.scatter(x, _stacked_indices(idx, dims[2:], size), u, dn,
                               indices_are_sorted=True, unique_indices=True, mode="clip"), 0
    zero = np.zeros((), get_aval(idx[0]).dtype if idx else np.int32)
    return dynamic_update_slice_p.bind(x, u, zero, *idx), 0


dynamic_update_slice_p = Primitive("dynamic_update_slice")
register(dynamic_update_slice_p, impl=_dus_impl, abstract_eval=_dus_abstract, jvp=_dus_jvp,
         transpose=_dus_transpose, batch=_dus_batch)  # weak only if all operands are (as JAX)


# --- iota -------------------------------------------------------------------


def _iota_impl(dtype, shape, dimension):
    r = np.arange(shape[dimension], dtype=dtype)
    return np.broadcast_to(r.reshape([-1 if i == dimension else 1 for i in range(len(shape))]), shape)


iota_p = Primitive("iota")
register(iota_p, impl=_iota_impl, abstract_eval=lambda dtype, shape, dimension: (shape, dtype),
         weak_type=core.never_weak)
defzero(iota_p)


# --- split ------------------------------------------------------------------


def _split_check(shape, sizes, axis):
    if not 0 <= axis < len(shape):
        raise ValueError(f"split: axis {axis} is out of bounds for an operand of shape {shape}")
    if any(s < 0 for s in sizes):
        raise ValueError(f"split: sizes must be nonnegative, got {sizes}")
    if sum(sizes) != shape[axis]:
        raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the "
                         f"operand shape {list(shape)}")


def _split_abstract(x, sizes, axis):
    _split_check(x.shape, sizes, axis)
    return [(x.shape[:axis] + (s,) + x.shape[axis + 1:], x.dtype) for s in sizes]


def _split_impl(x, sizes, axis):
    _split_check(np.shape(x), sizes, axis)  # np.split would not notice wrong sizes
    if not sizes:
        return []
    return np.split(np.asarray(x), np.cumsum(sizes[:-1]).astype(int), axis=axis)


def _split_transpose(cts, x, sizes, axis):
    if all(type(ct) is Zero for ct in cts):
        return [Zero(x.aval)]
    return [concatenate_p.bind(*[instantiate(ct) for ct in cts], dimension=axis)]


split_p = Primitive("split", multiple_results=True)
register(split_p, impl=_split_impl, abstract_eval=_split_abstract,
         batch=lambda vals, dims, sizes, axis: (split_p.bind(
             _front(vals, dims), sizes=sizes, axis=axis + 1), 0))
deflinear(split_p, _split_transpose)


# --- optimization_barrier ---------------------------------------------------
# The identity on any number of operands.  For XLA it stops code motion and CSE across the
# barrier; pyjax runs each equation as written, so only the value semantics remain.


def _barrier_jvp(primals, tangents):
    out = optimization_barrier_p.bind(*primals)
    nonzero = [i for i, t in enumerate(tangents) if type(t) is not Zero]
    t_out = [Zero.like(o) for o in out]
    for i, t in zip(nonzero, optimization_barrier_p.bind(*[tangents[i] for i in nonzero])):
        t_out[i] = t
    return out, t_out


optimization_barrier_p = Primitive("optimization_barrier", multiple_results=True)
register(optimization_barrier_p, impl=lambda *xs: list(xs),
         abstract_eval=lambda *xs: [(x.shape, x.dtype) for x in xs],
         weak_type=lambda *weak: list(weak), jvp=_barrier_jvp,
         transpose=lambda cts, *xs: list(cts),
         batch=lambda vals, dims: (optimization_barrier_p.bind(*vals), list(dims)))


# --- dce_sink -----------------------------------------------------------------
# Consumes a value and produces nothing; it is effectful, so dead-code elimination keeps it
# (and with it the computation of its operand).


def _dce_sink_jvp(primals, tangents, prevent_mlir_dce):
    dce_sink_p.bind(*primals, prevent_mlir_dce=prevent_mlir_dce)
    return [], []


dce_sink_p = Primitive("dce_sink", multiple_results=True)
register(dce_sink_p, impl=lambda x, prevent_mlir_dce: [],
         abstract_eval=lambda x, prevent_mlir_dce: [], jvp=_dce_sink_jvp,
         batch=lambda vals, dims, prevent_mlir_dce: (
             dce_sink_p.bind(vals[0], prevent_mlir_dce=prevent_mlir_dce), []))
core.effectful_primitives.add(dce_sink_p)
