"""Calling back into Python from transformed code: debug.print, debug.callback,
debug.breakpoint and pure_callback.

`debug_callback` has a side effect and no outputs: staged programs keep it (DCE never
drops it) and run it in program order; under vmap it runs once per batch element; under
differentiation it sees the primal values.  `pure_callback` is a pure function of its
inputs computed by Python: it may be dropped when unused and it is not differentiable.
"""
import numpy as np

from pyjax._src import core
from pyjax._src.core import Primitive, ShapedArray
from pyjax._src.interpreters import batching
from pyjax._src.tree_util import tree_flatten, tree_unflatten

def _L():
    from pyjax._src.lax import lax
    return lax


# --- debug_callback -------------------------------------------------------------------

debug_callback_p = Primitive("debug_callback", multiple_results=True)
core.effectful_primitives.add(debug_callback_p)


def _debug_callback_impl(*args, callback):
    callback(*[np.asarray(a) for a in args])
    return []


def _debug_callback_jvp(primals, tangents, callback):
    return debug_callback_p.bind(*primals, callback=callback), []


def _debug_callback_batch(vals, dims, callback):
    size = batching.batch_size_of(vals, dims)
    for i in range(size):
        debug_callback_p.bind(*[v if d is None else _L().index_in_dim(v, i, d, keepdims=False)
                                for v, d in zip(vals, dims)], callback=callback)
    return [], []


core.register(debug_callback_p, impl=_debug_callback_impl, abstract_eval=lambda *a, callback: [],
              jvp=_debug_callback_jvp, batch=_debug_callback_batch,
              transpose=lambda cts, *args, callback: [None] * len(args))


def debug_callback(callback, *args, ordered=False, **kwargs):
    """Call callback(*args, **kwargs) with concrete NumPy values, also inside jit/vmap/grad."""
    leaves, tree = tree_flatten((args, kwargs))

    def flat_callback(*vals):
        a, kw = tree_unflatten(tree, list(vals))
        callback(*a, **kw)

    flat_callback.__name__ = getattr(callback, "__name__", "callback")
    debug_callback_p.bind(*[_L().asarray(x) for x in leaves], callback=flat_callback)


def debug_print(fmt, *args, ordered=False, **kwargs):
    """print(fmt.format(*args, **kwargs)) with the runtime values of traced arguments."""
    def show(*a, **kw):
        print(fmt.format(*a, **kw))
    show.__name__ = "print"
    debug_callback(show, *args, ordered=ordered, **kwargs)


def breakpoint(*, backend=None, filter_frames=True, num_frames=None, ordered=False, token=None,
               **kwargs):
    """Stop in pdb with the given runtime values bound as local names (`kwargs`)."""
    def enter(**values):
        import pdb
        print("pyjax.debug.breakpoint: the runtime values are in the dict `values`: "
              + ", ".join(sorted(values)))
        pdb.Pdb().set_trace()
    debug_callback(enter, **kwargs)


# --- pure_callback ------------------------------------------------------------------

pure_callback_p = Primitive("pure_callback", multiple_results=True)


def _pure_callback_impl(*args, callback, result_avals, vmap_method):
    outs = callback(*[np.asarray(a) for a in args])
    flat = list(outs)
    if len(flat) != len(result_avals):
        raise TypeError(f"pure_callback: the callback returned {len(flat)} values, expected "
                        f"{len(result_avals)} ({', '.join(a.str_short() for a in result_avals)})")
    res = []
    for o, a in zip(flat, result_avals):
        o = np.asarray(o)
        if o.shape != a.shape or o.dtype != a.dtype:
            raise TypeError(f"pure_callback: the callback returned {o.dtype.name}{list(o.shape)} "
                            f"where result_shape_dtypes says {a.str_short()}")
        res.append(o)
    return res


def _pure_callback_jvp(primals, tangents, **params):
    raise ValueError("Pure callbacks do not support JVP. Please use `jax.custom_jvp` to use "
                     "callbacks while taking gradients.")


def _pure_callback_batch(vals, dims, callback, result_avals, vmap_method):
    size = batching.batch_size_of(vals, dims)
    L = _L()
    if vmap_method in ("expand_dims", "broadcast_all", "legacy_vectorized"):
        # One call with the batch as a leading axis; unbatched inputs get a size-1 axis
        # ("expand_dims") or are broadcast to the batch size.
        ins = []
        for v, d in zip(vals, dims):
            if d is not None:
                ins.append(batching.moveaxis(v, d, 0))
            elif vmap_method == "broadcast_all":
                ins.append(batching.bdim_at_front(v, None, size))
            else:
                ins.append(L.expand_dims(v, (0,)))
        avals = tuple(ShapedArray((size,) + a.shape, a.dtype) for a in result_avals)
        outs = pure_callback_p.bind(*ins, callback=callback, result_avals=avals,
                                    vmap_method=vmap_method)
        return outs, [0] * len(outs)
    if vmap_method not in (None, "sequential"):
        raise ValueError(f"pure_callback: unknown vmap_method {vmap_method!r}")
    rows = [pure_callback_p.bind(*[v if d is None else L.index_in_dim(v, i, d, keepdims=False)
                                   for v, d in zip(vals, dims)],
                                 callback=callback, result_avals=result_avals,
                                 vmap_method=vmap_method) for i in range(size)]
    return [L.stack(list(col)) for col in zip(*rows)], [0] * len(result_avals)


core.register(pure_callback_p, impl=_pure_callback_impl, jvp=_pure_callback_jvp,
              batch=_pure_callback_batch, weak_type=core.never_weak,
              abstract_eval=lambda *a, result_avals, **_: list(result_avals))


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None,
                  vectorized=False, **kwargs):
    """Call a pure Python function on concrete values and use its result inside transformed
    code; `result_shape_dtypes` (a pytree of ShapeDtypeStructs) declares what it returns."""
    if vectorized and vmap_method is None:
        vmap_method = "legacy_vectorized"
    leaves, tree = tree_flatten((args, kwargs))
    res_leaves, res_tree = tree_flatten(result_shape_dtypes)
    from pyjax._src import dtypes
    avals = tuple(ShapedArray(r.shape, dtypes.canonicalize_dtype(r.dtype)) for r in res_leaves)

    def flat_callback(*vals):
        a, kw = tree_unflatten(tree, list(vals))
        out = callback(*a, **kw)
        flat, out_tree = tree_flatten(out)
        if out_tree != res_tree:
            raise TypeError(f"pure_callback: the callback returned structure {out_tree}, but "
                            f"result_shape_dtypes has structure {res_tree}")
        return flat

    flat_callback.__name__ = getattr(callback, "__name__", "callback")
    outs = pure_callback_p.bind(*[_L().asarray(x) for x in leaves], callback=flat_callback,
                                result_avals=avals, vmap_method=vmap_method)
    return tree_unflatten(res_tree, outs)

