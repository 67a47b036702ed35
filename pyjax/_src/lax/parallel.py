"""Collectives over named axes: psum, pmean, pmax, pmin, all_gather, ppermute, axis_index.

A named axis is introduced by `vmap(..., axis_name=...)`: the BatchTrace with that name
carries out the collective along its batch dimension.  A collective naming an axis that no
enclosing transformation binds is an error.
"""
import numpy as np

from pyjax._src import core
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters import ad
from pyjax._src.interpreters.batching import axis_rule, bdim_at_front, moveaxis


def _L():
    from pyjax._src.lax import lax
    return lax


def _names(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _unbound(prim):
    def impl(*args, axes, **params):
        raise NameError(f"unbound axis name: {axes[0]}. The collective {prim.name} must run "
                        "inside a transformation that binds that axis name, e.g. "
                        "vmap(f, axis_name=...).")
    return impl


def _split_axes(trace, axes):
    """This trace's axis (if named) and the names left for enclosing traces."""
    mine = trace.axis_name is not None and trace.axis_name in axes
    return mine, tuple(a for a in axes if a != trace.axis_name)


def _reducer_rule(prim, reduce_fn, unbatched_fn):
    @axis_rule
    def rule(trace, vals, dims, axes):
        mine, rest = _split_axes(trace, axes)
        x, d = vals[0], dims[0]
        if rest:
            x = prim.bind(x, axes=rest)
        if not mine:
            return x, d
        if d is None:
            return unbatched_fn(x, trace.axis_size), None
        return reduce_fn(x, d), None
    return rule


def _same_aval(x, axes):
    return x.shape, x.dtype


psum_p = Primitive("psum")
pmax_p = Primitive("pmax")
pmin_p = Primitive("pmin")

register(psum_p, impl=_unbound(psum_p), abstract_eval=_same_aval,
         batch=_reducer_rule(psum_p, lambda x, d: _L().reduce_sum(x, (d,)),
                             lambda x, n: _L().mul(x, _L().full_like(x, n))))
register(pmax_p, impl=_unbound(pmax_p), abstract_eval=_same_aval,
         batch=_reducer_rule(pmax_p, lambda x, d: _L().reduce_max(x, (d,)), lambda x, n: x))
register(pmin_p, impl=_unbound(pmin_p), abstract_eval=_same_aval,
         batch=_reducer_rule(pmin_p, lambda x, d: _L().reduce_min(x, (d,)), lambda x, n: x))
# Every member's output is the sum of all inputs, so each input's cotangent is the sum of
# all members' output cotangents: psum transposes to psum.
ad.deflinear(psum_p, lambda ct, x, axes: [
    ad.Zero(x.aval) if type(ct) is ad.Zero else psum_p.bind(ct, axes=axes)])


def _chooser_jvp(prim):
    def rule(primals, tangents, axes):
        x, = primals
        t, = tangents
        out = prim.bind(x, axes=axes)
        L = _L()
        hit = L.convert_element_type(L.eq(x, out), get_aval(x).dtype)
        count = psum_p.bind(hit, axes=axes)
        return out, psum_p.bind(L.div(L.mul(ad.instantiate(t), hit), count), axes=axes)
    return rule


core.jvp_rules[pmax_p] = _chooser_jvp(pmax_p)
core.jvp_rules[pmin_p] = _chooser_jvp(pmin_p)


def _all_gather_abstract(x, axes, axis, tiled, axis_size):
    shape = list(x.shape)
    if tiled:
        shape[axis] *= axis_size
    else:
        shape.insert(axis, axis_size)
    return tuple(shape), x.dtype


@axis_rule
def _all_gather_batch(trace, vals, dims, axes, axis, tiled, axis_size):
    if trace.axis_name not in axes:
        return all_gather_p.bind(vals[0], axes=axes, axis=axis, tiled=tiled,
                                 axis_size=axis_size), dims[0]
    x = bdim_at_front(vals[0], dims[0], trace.axis_size)
    x = moveaxis(x, 0, axis)
    if tiled:
        shape = list(get_aval(x).shape)
        shape[axis:axis + 2] = [shape[axis] * shape[axis + 1]]
        x = _L().reshape(x, shape)
    return x, None


all_gather_p = Primitive("all_gather")
register(all_gather_p, impl=_unbound(all_gather_p), abstract_eval=_all_gather_abstract,
         batch=_all_gather_batch)
def _all_gather_transpose(ct, x, axes, axis, tiled, axis_size):
    """Member j's input appears at slot j of every member's output: sum the cotangents over
    members, then take slot j."""
    if type(ct) is ad.Zero:
        return [ad.Zero(x.aval)]
    L = _L()
    summed = psum_p.bind(ct, axes=axes)
    idx = axis_index_p.bind(axis_name=axes[0])
    if tiled:
        n = x.aval.shape[axis]
        return [L.dynamic_slice_in_dim(summed, L.mul(idx, np.int32(n)), n, axis)]
    return [L.dynamic_index_in_dim(summed, idx, axis, keepdims=False)]


ad.deflinear(all_gather_p, _all_gather_transpose)


@axis_rule
def _axis_index_batch(trace, vals, dims, axis_name):
    if trace.axis_name != axis_name:
        return axis_index_p.bind(axis_name=axis_name), None
    return _L().iota(np.int32, trace.axis_size), 0


axis_index_p = Primitive("axis_index")
register(axis_index_p, impl=lambda axis_name: _unbound(axis_index_p)(axes=(axis_name,)),
         abstract_eval=lambda axis_name: ((), np.int32), weak_type=core.never_weak,
         batch=_axis_index_batch)
ad.defzero(axis_index_p)


@axis_rule
def _ppermute_batch(trace, vals, dims, axes, perm):
    if trace.axis_name not in axes:
        return ppermute_p.bind(vals[0], axes=axes, perm=perm), dims[0]
    x = bdim_at_front(vals[0], dims[0], trace.axis_size)
    L = _L()
    dest = dict((d, s) for s, d in perm)
    # Members that receive nothing get zeros, as in JAX.
    rows = [L.index_in_dim(x, dest[i], 0) if i in dest else L.full_like(L.index_in_dim(x, 0, 0), 0)
            for i in range(trace.axis_size)]
    return L.concatenate(rows, 0), 0


ppermute_p = Primitive("ppermute")
register(ppermute_p, impl=_unbound(ppermute_p), abstract_eval=lambda x, axes, perm: (x.shape, x.dtype),
         batch=_ppermute_batch)
ad.deflinear(ppermute_p, lambda ct, x, axes, perm: [
    ppermute_p.bind(ct, axes=axes, perm=tuple((d, s) for s, d in perm))])


# --- public functions -------------------------------------------------------


def psum(x, axis_name):
    from pyjax._src.tree_util import tree_map
    return tree_map(lambda v: psum_p.bind(_L().asarray(v), axes=_names(axis_name)), x)


def pmean(x, axis_name):
    from pyjax._src.tree_util import tree_map
    n = psum(1, axis_name)
    return tree_map(lambda v: _L().div(psum(v, axis_name), _L().convert_element_type(
        n, get_aval(v).dtype)), x)


def pmax(x, axis_name):
    from pyjax._src.tree_util import tree_map
    return tree_map(lambda v: pmax_p.bind(_L().asarray(v), axes=_names(axis_name)), x)


def pmin(x, axis_name):
    from pyjax._src.tree_util import tree_map
    return tree_map(lambda v: pmin_p.bind(_L().asarray(v), axes=_names(axis_name)), x)


def axis_index(axis_name):
    return axis_index_p.bind(axis_name=axis_name)


def axis_size(axis_name):
    return int(core.concrete_or_error(psum(1, axis_name), "the size of a named axis"))


def all_gather(x, axis_name, *, axis=0, tiled=False):
    from pyjax._src.tree_util import tree_map
    size = axis_size(axis_name)
    return tree_map(lambda v: all_gather_p.bind(_L().asarray(v), axes=_names(axis_name),
                                                 axis=axis, tiled=tiled, axis_size=size), x)


def ppermute(x, axis_name, perm):
    from pyjax._src.tree_util import tree_map
    perm = tuple((int(s), int(d)) for s, d in perm)
    return tree_map(lambda v: ppermute_p.bind(_L().asarray(v), axes=_names(axis_name), perm=perm), x)



# --- collectives built from the ones above -------------------------------------
# Under vmap, all_gather and psum give values shared by every member (unbatched), and the
# member's own part is then picked with its axis_index: a batched dynamic slice, i.e. one
# gather.  Gradients follow from those of psum, all_gather and dynamic_slice.


def _no_groups(name, axis_index_groups):
    if axis_index_groups is not None:
        # vmap is the only transformation that binds axis names in pyjax; JAX's vmap rules
        # of the collectives do not support groups either.
        raise NotImplementedError(f"{name}: axis_index_groups not supported in vmap collectives.")


def _single_axis(name, axis_name):
    names = _names(axis_name)
    if len(names) != 1:
        raise NotImplementedError(f"{name} over several axis names {names} is not supported; "
                                  "name one axis")
    return names[0]


def _axis_arg(name, axis, ndim, what):
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: {what} {axis} is out of bounds for an operand of rank {ndim}")
    return axis % ndim


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    """psum(x, axis_name), of which member i keeps part i along `scatter_dimension` (that
    dimension removed unless `tiled`, where it keeps a chunk of size/axis_size)."""
    from pyjax._src.tree_util import tree_map
    _no_groups("psum_scatter", axis_index_groups)
    L = _L()
    n = axis_size(axis_name)

    def one(v):
        v = L.asarray(v)
        shape = get_aval(v).shape
        d = _axis_arg("psum_scatter", scatter_dimension, len(shape), "scatter_dimension")
        total = psum(v, axis_name)
        i = axis_index(_single_axis("psum_scatter", axis_name))
        if tiled:
            if shape[d] % n:
                raise ValueError(f"psum_scatter: the size {shape[d]} of scatter_dimension {d} "
                                 f"must be divisible by the axis size {n}")
            chunk = shape[d] // n
            return L.dynamic_slice_in_dim(total, L.mul(i, np.int32(chunk)), chunk, d)
        if shape[d] != n:
            raise ValueError(f"psum_scatter: the size {shape[d]} of scatter_dimension {d} must "
                             f"equal the axis size {n} (or use tiled=True)")
        return L.dynamic_index_in_dim(total, i, d, keepdims=False)
    return tree_map(one, x)


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    """Member i receives chunk i (along `split_axis`) of every member's x, stacked along
    `concat_axis` in member order (concatenated there when `tiled`)."""
    from pyjax._src.tree_util import tree_map
    _no_groups("all_to_all", axis_index_groups)
    L = _L()
    name = _single_axis("all_to_all", axis_name)
    n = axis_size(axis_name)

    def one(v):
        v = L.asarray(v)
        shape = get_aval(v).shape
        s = _axis_arg("all_to_all", split_axis, len(shape), "split_axis")
        everyone = all_gather(v, axis_name)         # (members, *shape), the same everywhere
        i = axis_index(name)
        if not tiled:
            if shape[s] != n:
                raise ValueError(f"all_to_all requires the size of the mapped axis axis_name to "
                                 f"equal x.shape[split_axis], but they are {n} and {shape[s]} "
                                 f"respectively.")
            c = _axis_arg("all_to_all", concat_axis, len(shape), "concat_axis")
            mine = L.dynamic_index_in_dim(everyone, i, s + 1, keepdims=False)
            return moveaxis(mine, 0, c)
        if shape[s] % n:
            raise ValueError(f"all_to_all: the size {shape[s]} of split_axis {s} must be "
                             f"divisible by the axis size {n}")
        c = _axis_arg("all_to_all", concat_axis, len(shape), "concat_axis")
        chunk = shape[s] // n
        mine = L.dynamic_slice_in_dim(everyone, L.mul(i, np.int32(chunk)), chunk, s + 1)
        mine = moveaxis(mine, 0, c)                 # (..., members, concat dim, ...)
        out_shape = list(get_aval(mine).shape)
        out_shape[c:c + 2] = [out_shape[c] * out_shape[c + 1]]
        return L.reshape(mine, tuple(out_shape))
    return tree_map(one, x)


def pswapaxes(x, axis_name, axis, *, axis_index_groups=None):
    """Swap the named axis with positional `axis` (whose size must equal the axis size):
    all_to_all(x, axis_name, axis, axis)."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)


def pshuffle(x, axis_name, perm):
    """Member i receives member perm[i]'s value (`perm` a permutation of range(axis size))."""
    perm = [int(p) for p in perm]
    if set(perm) != set(range(len(perm))):
        raise ValueError(f"`perm` does not represent a permutation: {perm}")
    return ppermute(x, axis_name, list(zip(perm, range(len(perm)))))


def pbroadcast(x, axis_name, source):
    """Every member receives member `source`'s value: psum of x masked to the source."""
    from pyjax._src.tree_util import tree_map
    L = _L()
    source = int(source)
    n = axis_size(axis_name)
    if not 0 <= source < n:
        raise ValueError(f"pbroadcast: source {source} is out of range for an axis of size {n}")
    is_source = L.eq(axis_index(_single_axis("pbroadcast", axis_name)), np.int32(source))

    def one(v):
        v = L.asarray(v)
        return psum(L.select(L.broadcast_in_dim(is_source, get_aval(v).shape, ()), v,
                             L.full_like(v, 0)), axis_name)
    return tree_map(one, x)
