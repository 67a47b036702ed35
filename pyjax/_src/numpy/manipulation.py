"""jax.numpy: array manipulation (split, tile, repeat, roll, pad, insert/delete, diff, ...).

Everything here is written with lax primitives, so it works under jit, vmap and grad.

Gathers without a gather primitive
----------------------------------
Several functions need `x[idx]` for an integer index array (repeat, delete, insert, take of
a sorter, the set operations of `setops.py`).  Until a gather primitive exists these use
the private helpers of the next section, built from `sort` (which moves whole rows, is
exact for every dtype and has jvp/transpose/batching rules) and an associative scan
(a forward fill written with `select`):

* `_take_rows(x, idx)`      x[idx] along axis 0, any in-range integer indices;
* `_inverse_scatter(perm, v)` zeros.at[perm].set(v) for a permutation (one sort);
* `_compact_rows(mask, *xs)` the rows where `mask` holds, first, in order (one sort);
* `_segment_sum(idx, w, n)`  zeros(n).at[idx].add(w) (one-hot, or sort + segmented scan).

They cost O((n + m) log(n + m)) instead of a gather's O(m); swapping them for a gather /
scatter primitive later changes no results.
"""
import builtins
import math
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.lax.control_flow import associative_scan
from pyjax._src.lax.sorting import sort as _lax_sort
from pyjax._src.numpy import lax_numpy as _np_
from pyjax._src.numpy import reductions, ufuncs
from pyjax._src.numpy.util import (asarray_arg, canonicalize_axis, check_arraylike,
                                   promote_dtypes, promote_dtypes_inexact)

__all__ = [
    "split", "array_split", "hsplit", "vsplit", "dsplit", "unstack", "tile", "repeat", "roll",
    "rollaxis", "rot90", "pad", "diagflat", "meshgrid", "mgrid", "ogrid", "r_", "c_", "s_",
    "index_exp", "block", "append", "insert", "delete", "resize", "trim_zeros", "diff",
    "ediff1d", "gradient", "packbits", "unpackbits", "frombuffer", "fromfile", "fromiter",
    "fromstring", "fromfunction",
]


# ---------------------------------------------------------------------------
# small helpers


def _arr(name, x):
    check_arraylike(name, x)
    return asarray_arg(x)


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return get_aval(x).ndim


def _dtype(x):
    return get_aval(x).dtype


def _weak(x):
    return get_aval(x).weak_type


def _int_dtype_for(n):
    """JAX's int_dtype_for_dim(n, signed=True): int32 unless n needs 64 bits."""
    return dtypes.canonicalize_dtype(np.int64 if n > np.iinfo(np.int32).max else np.int32)


def _default_int():
    return dtypes.default_int_dtype()


def _what(what):
    """A ConcretizationTypeError phrase: 'Attempted <what> on a traced value ...'."""
    return what if what.startswith("to ") else "to read " + what


def _concrete_index(x, what):
    """operator.index of a static value, ConcretizationTypeError (naming `what`) if traced."""
    if isinstance(x, Tracer):
        x = core.concrete_or_error(x, _what(what))
    if isinstance(x, core.Array):
        x = core.to_numpy(x)
    return operator.index(x)


def _ensure_index_tuple(x):
    try:
        return (operator.index(x),)
    except TypeError:
        return tuple(builtins.map(operator.index, x))


def _zeros(shape, dtype, weak=False):
    return lax.full(shape, 0, dtype, weak)


def _iota(dtype, n):
    return lax.iota(dtype, n)


def _bcast_rows(v, shape):
    """A 1-D `v` of length shape[0] broadcast along the trailing dims of `shape`."""
    return lax.broadcast_in_dim(v, shape, (0,))


def _as_2d(x):
    s = _shape(x)
    return lax.reshape(x, (s[0], math.prod(s[1:]))), s[1:]


# ---------------------------------------------------------------------------
# gathers and scatters from sort and scan (see the module docstring)


def _sort_rows(keys, rows, num_keys=None):
    """Sort 2-D `rows` (and 1-D `keys`) along axis 0 by the 1-D keys, stably."""
    num_keys = len(keys) if num_keys is None else num_keys
    shp = _shape(rows[0])
    ops = [_bcast_rows(k, shp) for k in keys] + list(rows)
    out = _lax_sort(ops, dimension=0, num_keys=num_keys)
    return out[len(keys):], out[:len(keys)]


def _static_runs(idx):
    """Pieces (start, length, repeat) of concrete indices: runs of consecutive indices
    (repeat False) or of one repeated index (repeat True)."""
    pieces = []
    k, m = 0, len(idx)
    while k < m:
        j = k + 1
        if j < m and idx[j] == idx[k]:
            while j < m and idx[j] == idx[k]:
                j += 1
            pieces.append((int(idx[k]), j - k, True))
        else:
            while j < m and idx[j] == idx[j - 1] + 1 and not (j + 1 < m and idx[j + 1] == idx[j]):
                j += 1
            pieces.append((int(idx[k]), j - k, False))
        k = j
    return pieces


_MAX_STATIC_PIECES = 16


def _take_rows(x, idx):
    """x[idx] along axis 0 for integer indices `idx` (shape (m,)) within [0, x.shape[0])."""
    shp = _shape(x)
    n, rest = shp[0], shp[1:]
    dt, weak = _dtype(x), _weak(x)
    if not isinstance(idx, Tracer) and not isinstance(idx, core.Array):
        idx = np.asarray(idx)
    m = _shape(idx)[0] if isinstance(idx, core.Array) else idx.shape[0]
    if m == 0 or math.prod(rest) == 0:
        return _zeros((m,) + rest, dt, weak)
    if not isinstance(idx, Tracer):
        static = np.asarray(core.to_numpy(idx) if isinstance(idx, core.Array) else idx)
        static = static.astype(np.int64)
        d = np.diff(static)
        few = (np.count_nonzero((d != 0) & (d != 1)) + np.count_nonzero(d[1:] != d[:-1])
               <= 2 * _MAX_STATIC_PIECES)
        pieces = _static_runs(static) if few else ()
        if few and len(pieces) <= _MAX_STATIC_PIECES:
            parts = []
            for start, length, rep in pieces:
                if rep:
                    row = lax.slice_in_dim(x, start, start + 1, axis=0)
                    parts.append(lax.broadcast_in_dim(row, (length,) + rest,
                                                      tuple(range(len(shp)))))
                else:
                    parts.append(lax.slice_in_dim(x, start, start + length, axis=0))
            return parts[0] if len(parts) == 1 else lax.concatenate(parts, 0)
        idx = lax.asarray(static.astype(_int_dtype_for(n + m)))
    if n == 1:
        return lax.broadcast_in_dim(x, (m,) + rest, tuple(range(len(shp))))
    it = _int_dtype_for(n + m)
    x2, _ = _as_2d(x)
    r = _shape(x2)[1]
    keys = lax.concatenate([_iota(it, n), lax.convert_element_type(idx, it)], 0)
    prio = lax.concatenate([_zeros((n,), np.int8), lax.full((m,), 1, np.int8)], 0)
    pos = _iota(it, n + m)
    vals = lax.concatenate([x2, _zeros((m, r), dt, weak)], 0)
    (v_s, pos_s), (_, prio_s) = _sort_rows([keys, prio], [vals, _bcast_rows(pos, (n + m, r))])
    is_src2 = lax.eq(prio_s, lax.full_like(prio_s, 0))

    def fill(a, b):
        fa, va = a
        fb, vb = b
        return lax.bitwise_or(fa, fb), lax.select(fb, vb, va)

    _, filled = associative_scan(fill, (is_src2, v_s), axis=0)
    # Queries back to their order, first: key pos - n for queries, pos + m for sources.
    key2 = lax.select(is_src2, lax.add(pos_s, lax.full_like(pos_s, m)),
                      lax.sub(pos_s, lax.full_like(pos_s, n)))
    out = _lax_sort([key2, filled], dimension=0, num_keys=1)[1]
    out = lax.slice_in_dim(out, 0, m, axis=0)
    return lax.reshape(out, (m,) + rest)


def _take_along(x, idx, axis):
    """x[..., idx, ...] along `axis` (indices within range)."""
    if axis == 0:
        return _take_rows(x, idx)
    out = _take_rows(_np_.moveaxis(x, axis, 0), idx)
    return _np_.moveaxis(out, 0, axis)


def _inverse_scatter(perm, vals):
    """zeros.at[perm].set(vals) for a permutation `perm` (1-D)."""
    return _lax_sort([perm, vals], num_keys=1)[1]


def _compact_rows(mask, *xs):
    """The rows of each x where `mask` (1-D bool) holds, first and in order, then the rest."""
    key = lax.convert_element_type(ufuncs.logical_not(mask), np.int8)
    flat = []
    shapes = []
    for x in xs:
        if _ndim(x) == 1:
            flat.append(x)
            shapes.append(None)
        else:
            x2, rest = _as_2d(x)
            flat.append(x2)
            shapes.append(rest)
    one_d = [i for i, s in enumerate(shapes) if s is None]
    out = [None] * len(xs)
    if one_d:
        res = _lax_sort([key] + [flat[i] for i in one_d], num_keys=1)[1:]
        for i, r in zip(one_d, res):
            out[i] = r
    for i, s in enumerate(shapes):
        if s is not None:
            r = _sort_rows([key], [flat[i]])[0][0]
            out[i] = lax.reshape(r, (_shape(r)[0],) + s)
    return out


_ONE_HOT_LIMIT = 1 << 22


def _segment_sum(idx, w, length):
    """zeros(length, w.dtype).at[idx].add(w, mode='drop') for 1-D idx and w."""
    n = _shape(idx)[0]
    dt = _dtype(w)
    if n == 0 or length == 0:
        return _zeros((length,), dt)
    idx = lax.convert_element_type(idx, _int_dtype_for(builtins.max(n, length) + 1)
                                   if _dtype(idx).itemsize < 8 else _dtype(idx))
    if n * length <= _ONE_HOT_LIMIT:
        shape = (n, length)
        hit = lax.eq(_bcast_rows(idx, shape), lax.broadcasted_iota(_dtype(idx), shape, 1))
        wb = _bcast_rows(w, shape)
        if dt == np.bool_:
            return lax.reduce_or(lax.bitwise_and(hit, wb), (0,))
        return lax.reduce_sum(lax.select(hit, wb, _zeros(shape, dt)), (0,))
    # Sorted by index, a segmented inclusive scan; each bin reads its segment's last entry.
    idx_s, w_s = _lax_sort([idx, w], num_keys=1)
    starts = lax.ne(lax.slice_in_dim(idx_s, 1, n), lax.slice_in_dim(idx_s, 0, n - 1))
    first = lax.concatenate([lax.full((1,), True, np.bool_), starts], 0)
    add = lax.bitwise_or if dt == np.bool_ else lax.add

    def seg(a, b):
        fa, sa = a
        fb, sb = b
        return lax.bitwise_or(fa, fb), lax.select(fb, sb, add(sa, sb))

    _, sums = associative_scan(seg, (first, w_s))
    from pyjax._src.numpy.setops import _searchsorted_impl
    bins = _iota(_dtype(idx), length)
    last = lax.sub(_searchsorted_impl(idx_s, bins, "right", np.dtype(np.int32)),
                   lax.full((length,), 1, np.int32))
    safe = lax.clamp(lax.full_like(last, 0), last, lax.full_like(last, n - 1))
    found = lax.eq(_take_rows(idx_s, safe), bins)
    found = lax.bitwise_and(found, lax.ge(last, lax.full_like(last, 0)))
    return lax.select(found, _take_rows(sums, safe), _zeros((length,), dt))


# ---------------------------------------------------------------------------
# split / unstack


def _split(op, ary, indices_or_sections, axis=0):
    ary = _arr(op, ary)
    axis = _concrete_index(axis, f"the `axis` argument of jax.numpy.{op}()")
    shp = _shape(ary)
    # JAX raises IndexError here; AxisError is one (and names the function)
    axis = canonicalize_axis(axis, len(shp))
    size = shp[axis]
    if isinstance(indices_or_sections, (tuple, list)) or (
            isinstance(indices_or_sections, (np.ndarray, core.Array))
            and np.ndim(indices_or_sections) > 0):
        if isinstance(indices_or_sections, Tracer):
            core.concrete_or_error(indices_or_sections, _what(f"argument 1 of jax.numpy.{op}()"))
        vals = [_concrete_index(i, f"argument 1 of jax.numpy.{op}()")
                for i in (list(core.to_numpy(indices_or_sections))
                          if isinstance(indices_or_sections, core.Array)
                          else indices_or_sections)]
        split_indices = np.asarray([0] + vals + [size], dtype=np.int64)
        sizes = [int(s) for s in np.diff(split_indices)]
    else:
        num = indices_or_sections
        if isinstance(num, Tracer):
            num = core.concrete_or_error(num, _what(f"argument 1 of jax.numpy.{op}()"))
        num_sections = int(core.to_numpy(num)) if isinstance(num, core.Array) else int(num)
        part, r = divmod(size, num_sections)
        if r == 0:
            sizes = [part] * num_sections
        elif op == "array_split":
            sizes = [part + 1] * r + [part] * (num_sections - r)
        else:
            raise ValueError(f"array split does not result in an equal division: rest is {r}")
    if builtins.any(s < 0 for s in sizes):
        raise ValueError(f"Sizes passed to split must be nonnegative, got {sizes}")
    if builtins.sum(sizes) != size:
        raise ValueError(f"Sum of sizes passed to split must equal the size of the axis "
                         f"({size}), got {sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(lax.slice_in_dim(ary, start, start + s, axis=axis))
        start += s
    return out


def split(ary, indices_or_sections, axis=0):
    return _split("split", ary, indices_or_sections, axis=axis)


def array_split(ary, indices_or_sections, axis=0):
    return _split("array_split", ary, indices_or_sections, axis=axis)


def vsplit(ary, indices_or_sections):
    return _split("vsplit", ary, indices_or_sections, axis=0)


def hsplit(ary, indices_or_sections):
    a = _arr("hsplit", ary)
    return _split("hsplit", a, indices_or_sections, axis=0 if _ndim(a) == 1 else 1)


def dsplit(ary, indices_or_sections):
    return _split("dsplit", ary, indices_or_sections, axis=2)


def unstack(x, /, *, axis=0):
    x = _arr("unstack", x)
    nd = _ndim(x)
    axis = canonicalize_axis(axis, nd)
    return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(_shape(x)[axis]))


# ---------------------------------------------------------------------------
# tile / repeat / resize


def tile(A, reps):
    A = _arr("tile", A)
    try:
        reps_tup = tuple(iter(reps))
    except TypeError:
        reps_tup = (reps,)
    reps_tup = tuple(_concrete_index(r, "the 'reps' argument of jnp.tile()") for r in reps_tup)
    reps_tup = (1,) * (_ndim(A) - len(reps_tup)) + reps_tup
    if len(reps_tup) > _ndim(A):
        A = lax.expand_dims(A, tuple(range(len(reps_tup) - _ndim(A))))
    if builtins.any(r < 0 for r in reps_tup):
        raise ValueError(f"jnp.tile: reps must be non-negative, got {reps_tup}")
    shp = _shape(A)
    if builtins.all(r == 1 for r in reps_tup):
        return A
    big = []
    dims = []
    for i, (r, d) in enumerate(zip(reps_tup, shp)):
        big += [r, d]
        dims.append(2 * i + 1)
    out = lax.broadcast_in_dim(A, big, dims)
    return lax.reshape(out, [r * d for r, d in zip(reps_tup, shp)])


_REPEAT_HINT = ("When jit-compiling jnp.repeat, the total number of repeats must be static. "
                "To fix this, either specify a static value for `repeats`, or pass a static "
                "value to `total_repeat_length`.")


def repeat(a, repeats, axis=None, *, total_repeat_length=None, out_sharding=None):
    if isinstance(repeats, (int, np.integer)):
        check_arraylike("repeat", a)
    else:
        check_arraylike("repeat", a, repeats)
    a = asarray_arg(a)
    if axis is None:
        a = _np_.ravel(a)
        axis = 0
    axis = _concrete_index(axis, "'axis' argument of jnp.repeat()")
    if total_repeat_length is not None:
        total_repeat_length = _concrete_index(total_repeat_length,
                                              "'total_repeat_length' argument of jnp.repeat()")
    if total_repeat_length is None:
        if isinstance(repeats, Tracer):
            core.concrete_or_error(repeats, "to read the 'repeats' argument of jnp.repeat(). "
                                   + _REPEAT_HINT)
        reps = np.asarray(core.to_numpy(repeats) if isinstance(repeats, core.Array) else repeats)
        if reps.ndim == 0 and _ndim(a) != 0:
            axis = canonicalize_axis(axis, _ndim(a))
            r = reps.item()
            if not isinstance(r, (int, np.integer)) or isinstance(r, bool):
                raise TypeError("broadcast_in_dim shape must have every element be an integer "
                                f"type, got {r!r} for the repeats of jnp.repeat")
            if r < 0:
                raise TypeError("broadcast_in_dim shape must have every element be nonnegative, "
                                f"got repeats={r} in jnp.repeat")
            shp = list(_shape(a))
            aux = shp[:axis + 1] + [r] + shp[axis + 1:]
            out = lax.broadcast_in_dim(a, aux, [i for i in range(len(aux)) if i != axis + 1])
            shp[axis] *= r
            return lax.reshape(out, shp)
        reps = np.ravel(reps)
        if _ndim(a) != 0:
            reps = np.broadcast_to(reps, [_shape(a)[canonicalize_axis(axis, _ndim(a))]])
        total = int(np.sum(reps))
        static_reps = reps.astype(np.int64)
    else:
        total = total_repeat_length
        static_reps = None
        reps_arr = _np_.ravel(asarray_arg(repeats))
        if _ndim(a) != 0:
            reps_arr = _np_.broadcast_to(reps_arr, [_shape(a)[canonicalize_axis(axis, _ndim(a))]])
    if _ndim(a) == 0:
        nrep = static_reps.shape if static_reps is not None else _shape(reps_arr)
        if tuple(nrep) == (1,):
            return _np_.full([total], a)
        raise ValueError("`repeat` with a scalar parameter `a` is only implemented for scalar "
                         "values of the parameter `repeats`.")
    axis = canonicalize_axis(axis, _ndim(a))
    if total == 0:
        shp = list(_shape(a))
        shp[axis] = 0
        return _zeros(tuple(shp), _dtype(a), _weak(a))
    n = _shape(a)[axis]
    if n == 0:
        return a
    if static_reps is not None:
        # JAX's scatter/cumsum construction, evaluated now (indices are static).
        start = np.cumsum(np.concatenate([[0], static_reps[:-1]]))
        start = np.where((start < 0) & (start >= -total), start + total, start)
        ind = np.zeros(total, np.int64)
        ok = (start >= 0) & (start < total)
        np.add.at(ind, start[ok], 1)
        gather = np.clip(np.cumsum(ind) - 1, 0, n - 1)
        return _take_along(a, gather, axis)
    it = _int_dtype_for(builtins.max(n, total) + 1)
    r = lax.convert_element_type(reps_arr, it)
    excl = lax.concatenate([_zeros((1,), it), lax.slice_in_dim(r, 0, n - 1)], 0)
    starts = lax.cumsum(excl, 0)
    starts = lax.select(lax.bitwise_and(lax.lt(starts, lax.full_like(starts, 0)),
                                        lax.ge(starts, lax.full_like(starts, -total))),
                        lax.add(starts, lax.full_like(starts, total)), starts)
    ind = _segment_sum(starts, lax.full((n,), 1, it), total)
    gather = lax.sub(lax.cumsum(ind, 0), lax.full((total,), 1, it))
    gather = lax.clamp(lax.full_like(gather, 0), gather, lax.full_like(gather, n - 1))
    return _take_along(a, gather, axis)


def resize(a, new_shape):
    check_arraylike("resize", a)
    new_shape = tuple(_concrete_index(d, "the 'new_shape' argument of jnp.resize()")
                      for d in _ensure_index_tuple(new_shape))
    if builtins.any(d < 0 for d in new_shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    arr = _np_.ravel(asarray_arg(a))
    new_size = math.prod(new_shape)
    if _shape(arr)[0] == 0 or new_size == 0:
        return _zeros(new_shape, _dtype(arr), _weak(arr))
    repeats = -(-new_size // _shape(arr)[0])
    arr = lax.slice_in_dim(tile(arr, repeats), 0, new_size)
    return lax.reshape(arr, new_shape)


# ---------------------------------------------------------------------------
# roll / rollaxis / rot90


def roll(a, shift, axis=None):
    arr = _arr("roll", a)
    if axis is None:
        return lax.reshape(roll(_np_.ravel(arr), shift, 0), _shape(arr))
    axes = tuple(canonicalize_axis(ax, _ndim(arr)) for ax in _ensure_index_tuple(axis))
    try:
        shifts = _ensure_index_tuple(shift)
    except TypeError:
        return _roll_dynamic(arr, asarray_arg(shift), axes)
    for ax, s in zip(*np.broadcast_arrays(np.asarray(axes), np.asarray(shifts))):
        ax, s = int(ax), int(s)
        n = _shape(arr)[ax]
        if n == 0:
            continue
        i = (-s) % n
        if i == 0:
            continue
        arr = lax.concatenate([lax.slice_in_dim(arr, i, n, axis=ax),
                               lax.slice_in_dim(arr, 0, i, axis=ax)], ax)
    return arr


def _roll_dynamic(a, shift, axes):
    b_shape = np.broadcast_shapes(_shape(shift), np.shape(axes))
    if len(b_shape) != 1:
        raise ValueError("'shift' and 'axis' arguments to roll must be scalars or 1D arrays")
    shifts = _np_.broadcast_to(shift, b_shape)
    for k, i in enumerate(np.broadcast_to(np.asarray(axes), b_shape)):
        i = int(i)
        x = lax.index_in_dim(shifts, k, 0, keepdims=False)
        n = _shape(a)[i]
        x = ufuncs.remainder(lax.convert_element_type(x, np.int32), np.int32(builtins.max(n, 1)))
        doubled = lax.concatenate([a, a], i)
        a = lax.dynamic_slice_in_dim(doubled, lax.sub(lax.full((), n, np.int32), x), n, axis=i)
    return a


def rollaxis(a, axis, start=0):
    a = _arr("rollaxis", a)
    start = _concrete_index(start, "'start' argument of jnp.rollaxis()")
    nd = _ndim(a)
    axis = canonicalize_axis(axis, nd)
    if not -nd <= start <= nd:
        raise ValueError(f"start={start} must satisfy {-nd}<=start<={nd}")
    if start < 0:
        start += nd
    if start > axis:
        start -= 1
    return _np_.moveaxis(a, axis, start)


def rot90(m, k=1, axes=(0, 1)):
    m = _arr("rot90", m)
    if _ndim(m) < 2:
        raise ValueError("rot90 requires its first argument to have ndim at least two, but got "
                         f"first argument of shape {_shape(m)}, which has ndim {_ndim(m)}")
    ax1, ax2 = axes
    ax1, ax2 = canonicalize_axis(ax1, _ndim(m)), canonicalize_axis(ax2, _ndim(m))
    if ax1 == ax2:
        raise ValueError("Axes must be different")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return lax.rev(m, (ax1, ax2))
    perm = list(range(_ndim(m)))
    perm[ax1], perm[ax2] = perm[ax2], perm[ax1]
    if k == 1:
        return lax.transpose(lax.rev(m, (ax2,)), perm)
    return lax.rev(lax.transpose(m, perm), (ax2,))


# ---------------------------------------------------------------------------
# pad


def _concrete_tree(x, context):
    if isinstance(x, (list, tuple)):
        return [_concrete_tree(v, context) for v in x]
    if isinstance(x, Tracer):
        return core.concrete_or_error(x, f"to read the {context} argument of jnp.pad")
    if isinstance(x, core.Array):
        return core.to_numpy(x)
    return x


def _broadcast_to_pairs(nvals, nd, name):
    try:
        nvals = np.asarray(_concrete_tree(nvals, name))
    except ValueError as e:
        if "inhomogeneous" in str(e):
            raise TypeError(f"`{name}` entries must be the same shape: {nvals}") from e
        raise
    if nvals.dtype == object:
        raise TypeError(f"`{name}` entries must be the same shape: {nvals}")
    if nvals.shape == (nd, 2):
        return tuple((v[0], v[1]) for v in nvals)
    if nvals.shape == (1, 2):
        return tuple((nvals[0, 0], nvals[0, 1]) for _ in range(nd))
    if nvals.shape == (2,):
        return tuple((nvals[0], nvals[1]) for _ in range(nd))
    if nvals.shape == (1,):
        return tuple((nvals[0], nvals[0]) for _ in range(nd))
    if nvals.shape == ():
        v = nvals.flat[0]
        return tuple((v, v) for _ in range(nd))
    raise ValueError(f"jnp.pad: {name} with nd={nd} has unsupported shape {nvals.shape}. "
                     f"Valid shapes are ({nd}, 2), (1, 2), (2,), (1,), or ().")


def _is_int_scalar(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _check_no_padding(axis_padding, mode):
    if axis_padding[0] > 0 or axis_padding[1] > 0:
        raise ValueError(f"Cannot apply '{mode}' padding to empty axis")


def _pad_constant(array, pad_width, constant_values):
    nd = _ndim(array)
    cv = lax.convert_element_type(constant_values, _dtype(array), _weak(array))
    cnd = _ndim(cv)
    if cnd == 0:
        return lax.pad(array, cv, [(lo, hi, 0) for lo, hi in pad_width])
    if cnd == 1:
        if _shape(cv)[-1] == 1:
            return lax.pad(array, lax.reshape(cv, ()), [(lo, hi, 0) for lo, hi in pad_width])
        if _shape(cv)[-1] != 2:
            raise ValueError("jnp.pad: constant_values has unsupported shape "
                             f"{_shape(cv)}. If the shape is 1D or 2D, the last dimension must "
                             "be of size 1 or 2.")
    cv = _np_.broadcast_to(cv, (nd, 2))
    for i in range(nd):
        widths = [(0, 0, 0)] * nd
        if pad_width[i][0] != 0:
            widths[i] = (pad_width[i][0], 0, 0)
            array = lax.pad(array, lax.reshape(lax.slice(cv, (i, 0), (i + 1, 1)), ()), widths)
        if pad_width[i][1] != 0:
            widths[i] = (0, pad_width[i][1], 0)
            array = lax.pad(array, lax.reshape(lax.slice(cv, (i, 1), (i + 1, 2)), ()), widths)
    return array


def _pad_wrap(array, pad_width):
    for i in range(_ndim(array)):
        size = _shape(array)[i]
        if size == 0:
            _check_no_padding(pad_width[i], "wrap")
            continue
        lr, lrem = divmod(pad_width[i][0], size)
        rr, rrem = divmod(pad_width[i][1], size)
        parts = []
        if lrem > 0:
            parts.append(lax.slice_in_dim(array, size - lrem, size, axis=i))
        parts += (lr + rr + 1) * [array]
        if rrem > 0:
            parts.append(lax.slice_in_dim(array, 0, rrem, axis=i))
        array = lax.concatenate(parts, i) if len(parts) > 1 else parts[0]
    return array


def _pad_symmetric_or_reflect(array, pad_width, mode, reflect_type):
    for i in range(_ndim(array)):
        axis_size = _shape(array)[i]
        if axis_size == 0:
            _check_no_padding(pad_width[i], mode)
            continue
        if pad_width[i][0] == 0 and pad_width[i][1] == 0:
            continue

        def build(array, padding, before):
            n = _shape(array)[i]
            edge = lax.slice_in_dim(array, 0, 1, axis=i) if before else \
                lax.slice_in_dim(array, n - 1, n, axis=i)
            offset = 1 if (mode == "reflect" and axis_size > 1) else 0
            while padding > 0:
                curr = builtins.min(padding, axis_size - offset)
                padding -= curr
                n = _shape(array)[i]
                if before:
                    start, stop = offset, offset + curr
                else:
                    start = n - (curr + offset)
                    stop = n if (mode == "symmetric" or axis_size == 1) else n - 1
                x = lax.rev(lax.slice_in_dim(array, start, stop, axis=i), (i,))
                if reflect_type == "odd":
                    x = ufuncs.subtract(ufuncs.multiply(2, edge), x)
                    if axis_size > 1:
                        k = _shape(x)[i]
                        edge = lax.slice_in_dim(x, 0, 1, axis=i) if before else \
                            lax.slice_in_dim(x, k - 1, k, axis=i)
                array = lax.concatenate([x, array] if before else [array, x], i)
            return array

        array = build(array, pad_width[i][0], True)
        array = build(array, pad_width[i][1], False)
    return array


def _pad_edge(array, pad_width):
    for i in range(_ndim(array)):
        n = _shape(array)[i]
        if n == 0:
            _check_no_padding(pad_width[i], "edge")
            continue
        before = repeat(lax.slice_in_dim(array, 0, 1, axis=i), pad_width[i][0], axis=i)
        after = repeat(lax.slice_in_dim(array, n - 1, n, axis=i), pad_width[i][1], axis=i)
        array = lax.concatenate([before, array, after], i)
    return array


def _pad_linear_ramp(array, pad_width, end_values):
    for ax in range(_ndim(array)):
        n = _shape(array)[ax]
        edge_before = lax.squeeze(lax.slice_in_dim(array, 0, 1, axis=ax), (ax,))
        edge_after = lax.squeeze(lax.slice_in_dim(array, n - 1, n, axis=ax), (ax,))
        ramp_before = _np_.linspace(end_values[ax][0], edge_before, num=pad_width[ax][0],
                                    endpoint=False, dtype=_dtype(array), axis=ax)
        ramp_before = lax.convert_element_type(ramp_before, _dtype(array), _weak(array))
        ramp_after = _np_.linspace(end_values[ax][1], edge_after, num=pad_width[ax][1],
                                   endpoint=False, dtype=_dtype(array), axis=ax)
        ramp_after = lax.convert_element_type(ramp_after, _dtype(array), _weak(array))
        ramp_after = lax.rev(ramp_after, (ax,))
        array = lax.concatenate([ramp_before, array, ramp_after], ax)
    return array


def _median_keepdims(a, axis):
    """jnp.median(a, axis, keepdims=True): the midpoint of the two middle sorted values."""
    a, = promote_dtypes_inexact(a)
    nan = lax.full_like(a, np.nan)
    a = lax.select(_np_.broadcast_to(reductions.any(ufuncs.isnan(a), axis=axis, keepdims=True),
                                     _shape(a)), nan, a)
    a = _lax_sort(a, dimension=axis)
    n = _shape(a)[axis]
    q = 0.5 * (n - 1)
    lo = int(np.clip(np.floor(q), 0, n - 1))
    hi = int(np.clip(np.ceil(q), 0, n - 1))
    low = lax.slice_in_dim(a, lo, lo + 1, axis=axis)
    high = lax.slice_in_dim(a, hi, hi + 1, axis=axis)
    s = lax.add(low, high)
    return lax.mul(s, lax.full_like(s, 0.5))


def _pad_stats(array, pad_width, stat_length, stat_func):
    nd = _ndim(array)
    for i in range(nd):
        if stat_length is None:
            stat_before = stat_after = stat_func(array, i)
        else:
            n = _shape(array)[i]
            lb, la = stat_length[i]
            if lb == 0 or la == 0:
                raise ValueError("stat_length of 0 yields no value for padding")
            lb, la = builtins.min(int(lb), n), builtins.min(int(la), n)
            stat_before = stat_func(lax.slice_in_dim(array, 0, lb, axis=i), i)
            stat_after = stat_func(lax.slice_in_dim(array, n - la, n, axis=i), i)
        if dtypes.issubdtype(_dtype(array), np.integer):
            stat_before = ufuncs.round(stat_before)
            stat_after = ufuncs.round(stat_after)
        stat_before = lax.convert_element_type(stat_before, _dtype(array), _weak(array))
        stat_after = lax.convert_element_type(stat_after, _dtype(array), _weak(array))
        before = repeat(stat_before, pad_width[i][0], axis=i)
        after = repeat(stat_after, pad_width[i][1], axis=i)
        array = lax.concatenate([before, array, after], i)
    return array


_STAT_FUNCS = {
    "maximum": lambda a, ax: reductions.max(a, axis=ax, keepdims=True),
    "minimum": lambda a, ax: reductions.min(a, axis=ax, keepdims=True),
    "mean": lambda a, ax: reductions.mean(a, axis=ax, keepdims=True),
    "median": _median_keepdims,
}


def _pad_empty(array, pad_width):
    for i in range(_ndim(array)):
        shp = _shape(array)
        dt, weak = _dtype(array), _weak(array)
        before = _zeros(shp[:i] + (int(pad_width[i][0]),) + shp[i + 1:], dt, weak)
        after = _zeros(shp[:i] + (int(pad_width[i][1]),) + shp[i + 1:], dt, weak)
        array = lax.concatenate([before, array, after], i)
    return array


def _pad_func(array, pad_width, func, **kwargs):
    padded = _pad_constant(array, pad_width, asarray_arg(0))
    for ax in range(_ndim(padded)):
        padded = _apply_along_axis_pad(func, ax, padded, pad_width[ax], kwargs)
    return padded


def _apply_along_axis_pad(func, axis, arr, width, kwargs):
    from pyjax._src.api import vmap
    moved = _np_.moveaxis(arr, axis, -1)
    lead = _shape(moved)[:-1]
    flat = lax.reshape(moved, (math.prod(lead), _shape(moved)[-1]))
    res = vmap(lambda v: asarray_arg(func(v, width, axis, kwargs)))(flat)
    res = lax.reshape(res, lead + (_shape(res)[-1],))
    return _np_.moveaxis(res, -1, axis)


_PAD_KWARGS = {
    "empty": [], "edge": [], "wrap": [],
    "constant": ["constant_values"],
    "linear_ramp": ["end_values"],
    "maximum": ["stat_length"], "mean": ["stat_length"], "median": ["stat_length"],
    "minimum": ["stat_length"],
    "reflect": ["reflect_type"], "symmetric": ["reflect_type"],
}


def pad(array, pad_width, mode="constant", **kwargs):
    array = _arr("pad", array)
    nd = _ndim(array)
    pad_width = _broadcast_to_pairs(pad_width, nd, "pad_width")
    if pad_width and not builtins.all(_is_int_scalar(p[0]) and _is_int_scalar(p[1])
                                      for p in pad_width):
        raise TypeError("`pad_width` must be of integral type.")
    pad_width = tuple((int(lo), int(hi)) for lo, hi in pad_width)
    if callable(mode):
        return _pad_func(array, pad_width, mode, **kwargs)
    try:
        unsupported = set(kwargs) - set(_PAD_KWARGS[mode])
    except (KeyError, TypeError):
        raise NotImplementedError(f"Unimplemented padding mode '{mode}' for np.pad.") from None
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    constant_values = kwargs.get("constant_values", 0)
    stat_length = kwargs.get("stat_length", None)
    end_values = kwargs.get("end_values", 0)
    reflect_type = kwargs.get("reflect_type", "even")
    if nd == 0:
        return array
    if builtins.any(lo < 0 or hi < 0 for lo, hi in pad_width):
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        return _pad_constant(array, pad_width, _np_.asarray(constant_values))
    if mode == "wrap":
        return _pad_wrap(array, pad_width)
    if mode in ("symmetric", "reflect"):
        if reflect_type not in ("even", "odd"):
            raise ValueError(f"reflect_type must be 'even' or 'odd', got {reflect_type!r}")
        return _pad_symmetric_or_reflect(array, pad_width, mode, reflect_type)
    if mode == "edge":
        return _pad_edge(array, pad_width)
    if mode == "linear_ramp":
        end_values = _broadcast_to_pairs(end_values, nd, "end_values")
        return _pad_linear_ramp(array, pad_width, end_values)
    if mode in _STAT_FUNCS:
        if stat_length is not None:
            stat_length = _broadcast_to_pairs(stat_length, nd, "stat_length")
        return _pad_stats(array, pad_width, stat_length, _STAT_FUNCS[mode])
    return _pad_empty(array, pad_width)


# ---------------------------------------------------------------------------
# diagflat / meshgrid / mgrid / ogrid / r_ / c_ / block


def diagflat(v, k=0):
    check_arraylike("diagflat", v)
    v = _np_.ravel(asarray_arg(v))
    k = operator.index(k)
    v = lax.convert_element_type(v, _dtype(v), False)
    n = _shape(v)[0] + builtins.abs(k)
    rows = lax.broadcasted_iota(np.int32, (n, n), 0)
    cols = lax.broadcasted_iota(np.int32, (n, n), 1)
    mask = lax.eq(lax.add(rows, lax.full((n, n), k, np.int32)), cols)
    # Column j of the diagonal holds vp[j].
    vp = lax.pad(v, lax.full((), 0, _dtype(v)), [(builtins.max(k, 0), builtins.max(-k, 0), 0)])
    vb = lax.broadcast_in_dim(vp, (n, n), (1,))
    return lax.select(mask, vb, _zeros((n, n), _dtype(v)))


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    check_arraylike("meshgrid", *xi)
    args = [asarray_arg(a) for a in xi]
    if not copy:
        raise ValueError("jax.numpy.meshgrid only supports copy=True")
    if indexing not in ["xy", "ij"]:
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    if builtins.any(_ndim(a) != 1 for a in args):
        raise ValueError("Arguments to jax.numpy.meshgrid must be 1D, got shapes "
                         f"{[_shape(a) for a in args]}")
    if indexing == "xy" and len(args) >= 2:
        args[0], args[1] = args[1], args[0]
    shape = [1 if sparse else _shape(a)[0] for a in args]

    def a_shape(i, a):
        return [*shape[:i], _shape(a)[0], *shape[i + 1:]] if sparse else shape

    output = [lax.broadcast_in_dim(a, a_shape(i, a), (i,)) for i, a in enumerate(args)]
    if indexing == "xy" and len(args) >= 2:
        output[0], output[1] = output[1], output[0]
    return output


def _slice_part(v, what):
    if isinstance(v, Tracer):
        v = core.concrete_or_error(v, _what(what))
    if isinstance(v, core.Array):
        v = core.to_numpy(v)[()]
    return v


def _make_1d_grid_from_slice(s, op_name):
    start = _slice_part(s.start, f"slice start of jnp.{op_name}") or 0
    stop = _slice_part(s.stop, f"slice stop of jnp.{op_name}")
    step = _slice_part(s.step, f"slice step of jnp.{op_name}") or 1
    if np.iscomplex(step):
        return _np_.linspace(start, stop, int(abs(step)))
    return _np_.arange(start, stop, step)


class _Mgrid:
    """`jnp.mgrid[...]`: a dense mesh grid from slices (complex steps count points)."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _make_1d_grid_from_slice(key, "mgrid")
        output = promote_dtypes(*(_make_1d_grid_from_slice(k, "mgrid") for k in key))
        output = meshgrid(*output, indexing="ij", sparse=False)
        if len(output) == 0:
            return _np_.arange(0)
        return _np_.stack(output, 0)


class _Ogrid:
    """`jnp.ogrid[...]`: an open (sparse) mesh grid from slices."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _make_1d_grid_from_slice(key, "ogrid")
        output = promote_dtypes(*(_make_1d_grid_from_slice(k, "ogrid") for k in key))
        return meshgrid(*output, indexing="ij", sparse=True)


class _AxisConcat:
    axis = 0
    ndmin = 1
    trans1d = -1
    op_name = ""

    def __getitem__(self, key):
        key_tup = key if isinstance(key, tuple) else (key,)
        params = [self.axis, self.ndmin, self.trans1d, -1]
        directive = key_tup[0]
        if isinstance(directive, str):
            key_tup = key_tup[1:]
            if directive == "r":
                params[-1] = 0
            elif directive == "c":
                params[-1] = 1
            else:
                vec = directive.split(",")
                k = len(vec)
                if k < 4:
                    vec += params[k:]
                else:
                    vec = vec[:3] + [params[-1]]
                try:
                    params = list(builtins.map(int, vec))
                except ValueError as err:
                    raise ValueError(f"could not understand directive {directive!r}") from err
        axis, ndmin, trans1d, matrix = params
        output = []
        for item in key_tup:
            if isinstance(item, slice):
                newobj = _make_1d_grid_from_slice(item, self.op_name)
                item_ndim = 0
            elif isinstance(item, str):
                raise ValueError("string directive must be placed at the beginning")
            else:
                newobj = _np_.array(item, copy=False)
                item_ndim = _ndim(newobj)
            newobj = _np_.array(newobj, copy=False, ndmin=ndmin)
            if trans1d != -1 and ndmin - item_ndim > 0:
                shape_obj = tuple(range(ndmin))
                num_lshifts = ndmin - builtins.abs(ndmin + trans1d + 1) % ndmin
                shape_obj = tuple(shape_obj[num_lshifts:] + shape_obj[:num_lshifts])
                newobj = _np_.transpose(newobj, shape_obj)
            output.append(newobj)
        res = _np_.concatenate(tuple(output), axis=axis)
        if matrix != -1 and _ndim(res) == 1:
            res = _np_.expand_dims(res, matrix)
        return res

    def __len__(self):
        return 0


class RClass(_AxisConcat):
    """`jnp.r_[...]`: concatenate along the first axis (slices become aranges)."""
    axis, ndmin, trans1d, op_name = 0, 1, -1, "r_"


class CClass(_AxisConcat):
    """`jnp.c_[...]`: concatenate along the last axis, 1-D items as columns."""
    axis, ndmin, trans1d, op_name = -1, 2, 0, "c_"


mgrid = _Mgrid()
ogrid = _Ogrid()
r_ = RClass()
c_ = CClass()
s_ = np.s_
index_exp = np.index_exp


def _atleast_nd(x, n):
    m = _ndim(x)
    return lax.reshape(x, (1,) * (n - m) + _shape(x)) if m < n else x


def _block(xs):
    if isinstance(xs, tuple):
        raise ValueError(f"jax.numpy.block does not allow tuples, got {xs}")
    if isinstance(xs, list):
        if len(xs) == 0:
            raise ValueError("jax.numpy.block does not allow empty list arguments")
        parts, depths = zip(*[_block(x) for x in xs])
        if builtins.any(d != depths[0] for d in depths[1:]):
            raise ValueError("Mismatched list depths in jax.numpy.block")
        rank = builtins.max(depths[0], builtins.max(_ndim(x) for x in parts))
        parts = tuple(_atleast_nd(x, rank) for x in parts)
        return _np_.concatenate(parts, axis=-depths[0]), depths[0] + 1
    check_arraylike("block", xs)
    return asarray_arg(xs), 1


def block(arrays):
    out, _ = _block(arrays)
    return out


# ---------------------------------------------------------------------------
# append / insert / delete / trim_zeros


def append(arr, values, axis=None):
    check_arraylike("append", arr, values)
    if axis is None:
        return _np_.concatenate([_np_.ravel(arr), _np_.ravel(values)], 0)
    return _np_.concatenate([arr, values], axis=axis)


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    a = _arr("delete", arr)
    if axis is None:
        a = _np_.ravel(a)
        axis = 0
    axis = canonicalize_axis(axis, _ndim(a))
    n = _shape(a)[axis]
    try:
        k = operator.index(obj)
    except TypeError:
        pass
    else:
        k = canonicalize_axis(k, n)
        return lax.concatenate([lax.slice_in_dim(a, 0, k, axis=axis),
                                lax.slice_in_dim(a, k + 1, n, axis=axis)], axis)
    if isinstance(obj, slice):
        obj = np.arange(n)[obj]
        assume_unique_indices = True
    check_arraylike("delete", a, obj)
    if hasattr(obj, "__jax_array__") and not isinstance(obj, core.Array):
        obj = obj.__jax_array__()
    obj_dt = _dtype(obj) if isinstance(obj, core.Array) else np.asarray(obj).dtype
    if dtypes.issubdtype(obj_dt, np.integer) and assume_unique_indices:
        o = _np_.ravel(asarray_arg(obj))
        m = _shape(o)[0]
        o = lax.select(lax.lt(o, lax.full_like(o, 0)), lax.add(o, lax.full_like(o, n)), o)
        o = lax.clamp(lax.full_like(o, 0), o, lax.full_like(o, n))
        if m:
            o = _lax_sort(o)
        o = lax.sub(o, _iota(_dtype(o), m))
        i = _iota(_dtype(o), builtins.max(n - m, 0))
        if m and n - m > 0:
            shape = (m, n - m)
            cnt = lax.ge(lax.broadcast_in_dim(i, shape, (1,)), lax.broadcast_in_dim(o, shape, (0,)))
            i = lax.add(i, lax.reduce_sum(lax.convert_element_type(cnt, _dtype(i)), (0,)))
        i = lax.clamp(lax.full_like(i, 0), i, lax.full_like(i, builtins.max(n - 1, 0)))
        if n == 0:
            return a
        return _take_along(a, i, axis)
    obj_np = np.asarray(core.concrete_or_error(obj, "to read the 'obj' array argument of "
                                               "jnp.delete()")
                        if isinstance(obj, Tracer) else
                        (core.to_numpy(obj) if isinstance(obj, core.Array) else obj))
    if dtypes.issubdtype(obj_np.dtype, np.integer):
        mask = np.ones(n, dtype=bool)
        mask[obj_np] = False
    elif obj_np.dtype == bool:
        if obj_np.shape != (n,):
            raise ValueError("np.delete(arr, obj): for boolean indices, obj must be "
                             "one-dimensional with length matching specified axis.")
        mask = ~obj_np
    else:
        raise ValueError(f"np.delete(arr, obj): got obj.dtype={obj_np.dtype};"
                         " must be integer or bool.")
    return _take_along(a, np.nonzero(mask)[0], axis)


def insert(arr, obj, values, axis=None):
    check_arraylike("insert", arr, 0 if isinstance(obj, slice) else obj, values)
    a = asarray_arg(arr)
    if axis is None:
        a = _np_.ravel(a)
        axis = 0
    axis = _concrete_index(axis, "axis argument of jnp.insert()")
    axis = canonicalize_axis(axis, _ndim(a))
    n_input = _shape(a)[axis]
    if isinstance(obj, slice):
        indices = _np_.arange(*obj.indices(n_input))
    else:
        indices = _np_.asarray(obj)
    if _ndim(indices) > 1:
        raise ValueError("jnp.insert(): obj must be a slice, a one-dimensional array, or a "
                         f"scalar; got {obj}")
    if not dtypes.issubdtype(_dtype(indices), np.integer):
        if math.prod(_shape(indices)) == 0 and not isinstance(obj, core.Array):
            indices = lax.convert_element_type(indices, _default_int())
        else:
            raise ValueError(f"jnp.insert(): index array must be integer typed; got {obj}")
    values_arr = _np_.array(values, ndmin=_ndim(a), dtype=_dtype(a), copy=False)
    if math.prod(_shape(indices)) == 1:
        index = lax.reshape(indices, ())
        if _ndim(indices) == 0:
            values_arr = _np_.moveaxis(values_arr, 0, axis)
        indices = lax.broadcast_in_dim(index, (_shape(values_arr)[axis],), ())
    n_insert = np.broadcast_shapes(_shape(indices), (_shape(values_arr)[axis],))[0]
    out_shape = list(_shape(a))
    out_shape[axis] += n_insert
    region = list(_shape(a))
    region[axis] = n_insert
    values_arr = _np_.broadcast_to(values_arr, tuple(region))
    values_arr = lax.convert_element_type(values_arr, _dtype(a), _weak(a))
    indices = _np_.broadcast_to(indices, (n_insert,))
    indices = lax.select(lax.lt(indices, lax.full_like(indices, 0)),
                         lax.add(indices, lax.full_like(indices, n_input)), indices)
    indices = lax.clamp(lax.full_like(indices, 0), indices, lax.full_like(indices, n_input))
    it = _int_dtype_for(n_input + n_insert + 1)
    # A stable merge: each value goes before a[index], values of one index keep their order.
    keys = lax.concatenate([lax.convert_element_type(indices, it), _iota(it, n_input)], 0)
    both = lax.concatenate([_np_.moveaxis(values_arr, axis, 0), _np_.moveaxis(a, axis, 0)], 0)
    if math.prod(_shape(both)[1:]) == 0:
        return _zeros(tuple(out_shape), _dtype(a), _weak(a))
    b2, rest = _as_2d(both)
    out = _sort_rows([keys], [b2])[0][0]
    out = lax.reshape(out, (n_input + n_insert,) + rest)
    return _np_.moveaxis(out, 0, axis)


def trim_zeros(filt, trim="fb", axis=None):
    filt = _arr("trim_zeros", filt)
    value = core.concrete_or_error(filt, "to read the `filt` argument of trim_zeros() (its values "
                                   "decide the output shape)")
    nd = value.ndim
    if axis is None:
        axes = set(range(nd))
    else:
        axes = {canonicalize_axis(ax, nd) for ax in _ensure_index_tuple(axis)}
    if not axes or ("f" not in trim.lower() and "b" not in trim.lower()):
        return filt
    starts, limits = [0] * nd, list(value.shape)
    for ax in range(nd):
        if ax not in axes:
            continue
        mask = value.any(axis=tuple(i for i in range(nd) if i != ax))
        if not mask.any():
            starts[ax], limits[ax] = 0, 0
            continue
        if "f" in trim.lower():
            starts[ax] = int(mask.argmax())
        if "b" in trim.lower():
            limits[ax] = value.shape[ax] - int(mask[::-1].argmax())
    limits = [builtins.max(s, l) for s, l in zip(starts, limits)]
    return lax.slice(filt, starts, limits)


# ---------------------------------------------------------------------------
# differences and gradients


def diff(a, n=1, axis=-1, prepend=None, append=None):
    arr = _arr("diff", a)
    n = _concrete_index(n, "'n' argument of jnp.diff")
    axis = _concrete_index(axis, "'axis' argument of jnp.diff")
    if n == 0:
        return arr
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if _ndim(arr) == 0:
        raise ValueError(f"diff requires input that is at least one dimensional; got {a}")
    nd = _ndim(arr)
    axis = canonicalize_axis(axis, nd)
    combined = []
    for extra in (prepend,):
        if extra is not None:
            extra = _arr("diff", extra)
            if not _ndim(extra):
                shp = list(_shape(arr))
                shp[axis] = 1
                extra = _np_.broadcast_to(extra, tuple(shp))
            combined.append(extra)
    combined.append(arr)
    if append is not None:
        extra = _arr("diff", append)
        if not _ndim(extra):
            shp = list(_shape(arr))
            shp[axis] = 1
            extra = _np_.broadcast_to(extra, tuple(shp))
        combined.append(extra)
    if len(combined) > 1:
        arr = _np_.concatenate(combined, axis)
    op = ufuncs.not_equal if _dtype(arr) == np.bool_ else ufuncs.subtract
    for _ in range(n):
        m = _shape(arr)[axis]
        hi = lax.slice_in_dim(arr, 1 if m else 0, m, axis=axis)
        lo = lax.slice_in_dim(arr, 0, builtins.max(m - 1, 0), axis=axis)
        arr = op(hi, lo)
    return arr


def ediff1d(ary, to_end=None, to_begin=None):
    arr = _np_.ravel(_arr("ediff1d", ary))
    m = _shape(arr)[0]
    result = lax.sub(lax.slice_in_dim(arr, 1 if m else 0, m),
                     lax.slice_in_dim(arr, 0, builtins.max(m - 1, 0)))
    if to_begin is not None:
        tb = _arr("ediff1d", to_begin)
        result = _np_.concatenate((_np_.ravel(_np_.astype(tb, _dtype(arr))), result))
    if to_end is not None:
        te = _arr("ediff1d", to_end)
        result = _np_.concatenate((result, _np_.ravel(_np_.astype(te, _dtype(arr)))))
    return result


def gradient(f, *varargs, axis=None, edge_order=None):
    if edge_order is not None:
        raise NotImplementedError("The 'edge_order' argument to jnp.gradient is not supported.")
    check_arraylike("gradient", f, *varargs)
    a, *spacing = promote_dtypes_inexact(f, *varargs)

    def along(a, h, axis):
        n = _shape(a)[axis]

        def sl(x, start, stop):
            m = _shape(x)[axis]
            start = start + m if start < 0 else start
            stop = m if stop is None else (stop + m if stop < 0 else stop)
            return lax.slice_in_dim(x, start, stop, axis=axis)

        upper = ufuncs.subtract(sl(a, 1, 2), sl(a, 0, 1))
        lower = ufuncs.subtract(sl(a, -1, None), sl(a, -2, -1))
        if _ndim(h) == 0:
            inner = ufuncs.divide(ufuncs.multiply(ufuncs.subtract(sl(a, 2, None), sl(a, 0, -2)),
                                                  0.5), h)
            lower = ufuncs.divide(lower, h)
            upper = ufuncs.divide(upper, h)
        elif _ndim(h) == 1:
            if _shape(h)[0] != n:
                raise ValueError("Spacing arrays must have the same length as the dimension "
                                 "along which the gradient is calculated.")
            h_shape = [1] * _ndim(a)
            h_shape[axis] = n
            h = lax.reshape(h, h_shape)
            upper = ufuncs.divide(upper, ufuncs.subtract(sl(h, 1, 2), sl(h, 0, 1)))
            lower = ufuncs.divide(lower, ufuncs.subtract(sl(h, -1, None), sl(h, -2, -1)))
            dx1 = ufuncs.subtract(sl(h, 1, -1), sl(h, 0, -2))
            dx2 = ufuncs.subtract(sl(h, 2, None), sl(h, 1, -1))
            ca = ufuncs.divide(ufuncs.negative(dx2),
                               ufuncs.multiply(dx1, ufuncs.add(dx1, dx2)))
            cb = ufuncs.divide(ufuncs.subtract(dx2, dx1), ufuncs.multiply(dx1, dx2))
            cc = ufuncs.divide(dx1, ufuncs.multiply(dx2, ufuncs.add(dx1, dx2)))
            inner = ufuncs.add(ufuncs.add(ufuncs.multiply(ca, sl(a, 0, -2)),
                                          ufuncs.multiply(cb, sl(a, 1, -1))),
                               ufuncs.multiply(cc, sl(a, 2, None)))
        else:
            raise ValueError("Spacing arrays must be 1D arrays or scalars.")
        return _np_.concatenate((upper, inner, lower), axis=axis)

    if axis is None:
        axis_tuple = tuple(range(_ndim(a)))
    else:
        axis_tuple = tuple(canonicalize_axis(i, _ndim(a)) for i in _ensure_index_tuple(axis))
    if len(axis_tuple) == 0:
        return []
    if builtins.min(s for i, s in enumerate(_shape(a)) if i in axis_tuple) < 2:
        raise ValueError("Shape of array too small to calculate a numerical gradient, at least "
                         "2 elements are required.")
    if len(spacing) == 0:
        dx = [1.0] * len(axis_tuple)
    elif len(spacing) == 1:
        dx = list(spacing) * len(axis_tuple)
    elif len(spacing) == len(axis_tuple):
        dx = list(spacing)
    else:
        raise TypeError(f"Invalid number of spacing arguments {len(spacing)} for axis={axis}")
    dx = [asarray_arg(h) for h in dx]
    grads = [along(a, h, ax) for ax, h in zip(axis_tuple, dx)]
    return grads[0] if len(axis_tuple) == 1 else grads


# ---------------------------------------------------------------------------
# bits


def packbits(a, axis=None, bitorder="big"):
    arr = _arr("packbits", a)
    if not (dtypes.issubdtype(_dtype(arr), np.integer) or _dtype(arr) == np.bool_):
        raise TypeError("Expected an input array of integer or boolean data type")
    if bitorder not in ["little", "big"]:
        raise ValueError("'order' must be either 'little' or 'big'")
    arr = lax.convert_element_type(lax.ne(arr, lax.full_like(arr, 0)), np.uint8)
    bits = np.arange(8, dtype=np.uint8)
    if bitorder == "big":
        bits = bits[::-1]
    if axis is None:
        arr = _np_.ravel(arr)
        axis = 0
    arr = _np_.swapaxes(arr, axis, -1)
    rem = _shape(arr)[-1] % 8
    if rem:
        arr = lax.pad(arr, lax.full((), 0, np.uint8),
                      (_ndim(arr) - 1) * [(0, 0, 0)] + [(0, 8 - rem, 0)])
    shp = _shape(arr)
    arr = lax.reshape(arr, shp[:-1] + (shp[-1] // 8, 8))
    shifts = lax.broadcast_in_dim(lax.asarray(bits), _shape(arr), (_ndim(arr) - 1,))
    packed = lax.reduce_sum(lax.shift_left(arr, shifts), (_ndim(arr) - 1,))
    return _np_.swapaxes(packed, axis, -1)


def unpackbits(a, axis=None, count=None, bitorder="big"):
    arr = _arr("unpackbits", a)
    if _dtype(arr) != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if bitorder not in ["little", "big"]:
        raise ValueError("'order' must be either 'little' or 'big'")
    bits = (np.uint8(1) << np.arange(8, dtype=np.uint8)).astype(np.uint8)
    if bitorder == "big":
        bits = bits[::-1]
    if axis is None:
        arr = _np_.ravel(arr)
        axis = 0
    arr = _np_.swapaxes(arr, axis, -1)
    shp = _shape(arr)
    big = shp + (8,)
    ab = lax.broadcast_in_dim(arr, big, tuple(range(len(shp))))
    bb = lax.broadcast_in_dim(lax.asarray(bits), big, (len(shp),))
    unpacked = lax.convert_element_type(
        lax.gt(lax.bitwise_and(ab, bb), lax.full(big, 0, np.uint8)), np.uint8)
    unpacked = lax.reshape(unpacked, shp[:-1] + (shp[-1] * 8,))
    if count is not None:
        count = operator.index(count)
        last = _shape(unpacked)[-1]
        if count > last:
            unpacked = lax.pad(unpacked, lax.full((), 0, np.uint8),
                               (_ndim(unpacked) - 1) * [(0, 0, 0)] + [(0, count - last, 0)])
        else:
            stop = slice(None, count).indices(last)[1]
            unpacked = lax.slice_in_dim(unpacked, 0, stop, axis=_ndim(unpacked) - 1)
    return _np_.swapaxes(unpacked, axis, -1)


# ---------------------------------------------------------------------------
# construction from buffers, strings and functions


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return _np_.asarray(np.frombuffer(buffer=buffer, dtype=dtype, count=count, offset=offset))


def fromstring(string, dtype=float, count=-1, *, sep):
    return _np_.asarray(np.fromstring(string=string, dtype=dtype, count=count, sep=sep))


def fromfile(*args, **kwargs):
    raise NotImplementedError(
        "jnp.fromfile() is not implemented because it may be non-pure and thus unsafe for use "
        "with JIT and other JAX transformations. Consider using jnp.asarray(np.fromfile(...)) "
        "instead, although care should be taken if np.fromfile is used within a jax "
        "transformations because of its potential side-effect of consuming the file object; for "
        "more information see "
        "https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#pure-functions")


def fromiter(*args, **kwargs):
    raise NotImplementedError(
        "jnp.fromiter() is not implemented because it may be non-pure and thus unsafe for use "
        "with JIT and other JAX transformations. Consider using jnp.asarray(np.fromiter(...)) "
        "instead, although care should be taken if np.fromiter is used within a jax "
        "transformations because of its potential side-effect of consuming the iterable object; "
        "for more information see "
        "https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html#pure-functions")


def fromfunction(function, shape, *, dtype=float, **kwargs):
    from pyjax._src.api import vmap
    shape = lax.canonicalize_shape(shape)
    for i in range(len(shape)):
        in_axes = [0 if i == j else None for j in range(len(shape))]
        function = vmap(function, in_axes=tuple(in_axes[::-1]))
    return function(*(_np_.arange(s, dtype=dtype) for s in shape), **kwargs)
