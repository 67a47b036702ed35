"""Vectorisation (vmap): values carry a batch dimension that primitives' batching rules move along.

A BatchTracer holds a value of the parent trace and `bdim`, the axis of that
value which is the batch axis (None: not batched).  Batching rules take the
unwrapped values and their bdims and return the output with its bdim.
"""
from pyjax._src import core
from pyjax._src.core import Tracer, batch_rules, get_aval, set_current_trace

not_mapped = None


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace, self.val, self.bdim = trace, val, bdim

    @property
    def aval(self):
        a = get_aval(self.val)
        if self.bdim is None:
            return a
        shape = a.shape[:self.bdim] + a.shape[self.bdim + 1:]
        return core.ShapedArray(shape, a.dtype, a.weak_type)


class BatchTrace(core.Trace):
    __slots__ = ("axis_name", "axis_size")

    def __init__(self, parent, axis_name, axis_size):
        super().__init__(parent)
        self.axis_name, self.axis_size = axis_name, axis_size

    def _unwrap(self, args):
        vals, dims, batched = [], [], False
        for x in args:
            if type(x) is BatchTracer and x._trace is self:
                vals.append(x.val)
                dims.append(x.bdim)
                batched = batched or x.bdim is not None
            else:
                vals.append(x)
                dims.append(None)
        return vals, dims, batched

    def process_primitive(self, prim, args, params):
        vals, dims, batched = self._unwrap(args)
        rule = batch_rules.get(prim)
        axis_rule = getattr(rule, "uses_axis", False)
        if not batched and not axis_rule:
            with set_current_trace(self.parent):
                return prim.bind(*vals, **params)
        if rule is None:
            raise NotImplementedError(f"Batching rule for '{prim.name}' not implemented")
        with set_current_trace(self.parent):
            if axis_rule:
                out, out_dim = rule(self, vals, dims, **params)
            else:
                out, out_dim = rule(vals, dims, **params)
        if prim.multiple_results:
            dims = out_dim if isinstance(out_dim, (list, tuple)) else [out_dim] * len(out)
            return [self.wrap(o, d) for o, d in zip(out, dims)]
        return self.wrap(out, out_dim)

    def wrap(self, val, bdim):
        return val if bdim is None else BatchTracer(self, val, bdim)

    def process_call(self, prim, args, params):
        if prim in batch_rules:
            return self.process_primitive(prim, args, params)
        return core.inline_call(args, params)


def axis_rule(rule):
    """Mark a batching rule that needs the BatchTrace itself (collectives over axis_name,
    primitives that must see the batch even when no input is batched)."""
    rule.uses_axis = True
    return rule


def moveaxis(x, src, dst):
    """Move axis `src` of a parent-trace value to `dst` (a transpose, or nothing)."""
    if src == dst:
        return x
    from pyjax._src.lax import lax
    nd = get_aval(x).ndim
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return lax.transpose(x, perm)


def bdim_at_front(x, bdim, size):
    """`x` with its batch axis first, broadcasting unbatched values to `size`."""
    from pyjax._src.lax import lax
    if bdim is None:
        a = get_aval(x)
        return lax.broadcast_in_dim(x, (size,) + a.shape, tuple(range(1, a.ndim + 1)))
    return moveaxis(x, bdim, 0)


def batch_size_of(vals, dims):
    for v, d in zip(vals, dims):
        if d is not None:
            return get_aval(v).shape[d]
    raise ValueError("no batched argument")


def vmap_flat(fun, in_vals, in_dims, out_dims, axis_size, axis_name=None):
    """Run `fun` with in_vals batched along in_dims; outputs moved to out_dims."""
    trace = BatchTrace(core.current_trace(), axis_name, axis_size)
    ins = [trace.wrap(v, d) for v, d in zip(in_vals, in_dims)]
    try:
        with set_current_trace(trace):
            outs = fun(*ins)
    finally:
        trace.invalidate()
    results = []
    for o, od in zip(outs, out_dims):
        if type(o) is BatchTracer and o._trace is trace:
            val, bdim = o.val, o.bdim
        else:
            val, bdim = o, None
        if od is None or type(get_aval(val)) is core.AbstractToken:  # tokens stay unbatched
            if bdim is not None:
                raise ValueError(
                    "vmap has mapped output but out_axes is None: an output marked "
                    "out_axes=None must not depend on the mapped inputs")
            results.append(val)
            continue
        nd = get_aval(val).ndim + (1 if bdim is None else 0)
        od = od + nd if od < 0 else od
        results.append(moveaxis(bdim_at_front(val, bdim, axis_size), 0, od))
    return results


def canonical_dim(d, ndim):
    if d is None:
        return None
    if not -ndim <= d < ndim:
        raise ValueError(f"vmap: axis {d} is out of bounds for an argument of rank {ndim}")
    return d % ndim



def batch_jaxpr(closed, size, in_batched, force_out, axis_name=None):
    """`closed` vectorised: inputs marked in `in_batched` carry a leading batch axis; returns
    (jaxpr, out_batched), outputs batched on axis 0 where marked (always where `force_out`)."""
    from pyjax._src.interpreters import partial_eval as pe
    n_out = len(closed.out_avals)
    force = [force_out] * n_out if isinstance(force_out, bool) else list(force_out)
    store = {}

    def fun(*xs):
        trace = BatchTrace(core.current_trace(), axis_name, size)
        ins = [trace.wrap(x, 0 if b else None) for x, b in zip(xs, in_batched)]
        try:
            with set_current_trace(trace):
                outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *ins)
        finally:
            trace.invalidate()
        res, batched = [], []
        for o, f in zip(outs, force):
            val, d = (o.val, o.bdim) if type(o) is BatchTracer and o._trace is trace else (o, None)
            f = f and type(get_aval(val)) is not core.AbstractToken  # tokens are never batched
            if d is not None or f:
                val = bdim_at_front(val, d, size)
            res.append(val)
            batched.append(d is not None or f)
        store["batched"] = batched
        return res

    avals = [core.ShapedArray((size,) + a.shape, a.dtype, a.weak_type) if b else a
             for a, b in zip(closed.in_avals, in_batched)]
    jaxpr, consts = pe.stage(fun, avals)
    assert not consts, "closed jaxprs do not close over tracers"
    return jaxpr, store["batched"]
