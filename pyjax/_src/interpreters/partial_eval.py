"""Staging Python functions into jaxprs, and partial evaluation.

One trace does both.  `JaxprTrace(stage_all=True)` records every primitive
(jit, make_jaxpr).  `JaxprTrace(stage_all=False)` records only the operations
that depend on its tracers (the *unknowns*) and evaluates the rest on its parent
trace right away (the *knowns*); this is how `linearize` splits a jvp into the
primal computation, done now, and a linear jaxpr of the tangents, done later.
"""
import numpy as np

from pyjax._src import core, tree_util
from pyjax._src.core import (ArrayImpl, ClosedJaxpr, Jaxpr, JaxprEqn, Literal, ShapedArray,
                             Tracer, Var, set_current_trace)
from pyjax._src.errors import UnexpectedTracerError
from pyjax._src.source_info import user_frame


_compile_time_eval = False  # set by ensure_compile_time_eval


class ensure_compile_time_eval:
    """Inside this context, operations on values that do not depend on a jitted function's
    arguments run now, eagerly, instead of being staged into the jaxpr."""

    def __enter__(self):
        global _compile_time_eval
        self.prev, _compile_time_eval = _compile_time_eval, True

    def __exit__(self, *exc):
        global _compile_time_eval
        _compile_time_eval = self.prev


class JaxprTracer(Tracer):
    __slots__ = ("_aval", "var")

    def __init__(self, trace, aval, var):
        self._trace, self._aval, self.var = trace, aval, var

    aval = property(lambda self: self._aval)


class JaxprTrace(core.Trace):
    __slots__ = ("stage_all", "eqns", "const_vars", "consts")

    def __init__(self, parent, stage_all=True):
        super().__init__(parent)
        self.stage_all = stage_all
        self.eqns = []
        self.const_vars = {}   # id(value) -> Var, so one constant gets one constvar
        self.consts = []       # (Var, value), in order of first use

    def new_arg(self, aval):
        return JaxprTracer(self, aval, Var(aval))

    def is_ours(self, x):
        return isinstance(x, JaxprTracer) and x._trace is self

    def to_var(self, x):
        """The jaxpr variable (or literal) standing for `x` inside this trace."""
        if isinstance(x, JaxprTracer) and x._trace is self:
            return x.var
        if isinstance(x, Tracer) and not x._trace.valid:
            raise UnexpectedTracerError(core.escaped_tracer_message(x))
        aval = core.get_aval(x)
        if type(aval) is ShapedArray and not aval.shape and not isinstance(x, Tracer):
            value = np.asarray(core.to_numpy(x), aval.dtype)
            return Literal(ArrayImpl(value, aval.weak_type), aval)
        var = self.const_vars.get(id(x))
        if var is None:
            var = self.const_vars[id(x)] = Var(aval)
            self.consts.append((var, x))
        return var

    def process_primitive(self, prim, args, params):
        if self.stage_all and _compile_time_eval and not any(self.is_ours(x) for x in args):
            with set_current_trace(self.parent):
                return prim.bind(*args, **params)
        if not self.stage_all:
            if not any(self.is_ours(x) for x in args):
                with set_current_trace(self.parent):
                    return prim.bind(*args, **params)
            rule = core.partial_eval_rules.get(prim)
            if rule is not None:
                return rule(self, args, params)
        invars = [self.to_var(x) for x in args]
        out_avals = core.abstract_eval_at_user_line(prim, [v.aval for v in invars], params)
        return self._record(prim, invars, out_avals, params)

    def record_all(self, prim, args, params):
        """Record `prim` as one equation, whatever is known (for partial-eval rules)."""
        invars = [self.to_var(x) for x in args]
        return self._record(prim, invars, core.abstract_eval(prim, [v.aval for v in invars], params),
                            params)

    def _record(self, prim, invars, out_avals, params):
        many = prim.multiple_results
        outs = [JaxprTracer(self, a, Var(a)) for a in (out_avals if many else [out_avals])]
        self.eqns.append(JaxprEqn(prim, invars, [t.var for t in outs], params, user_frame()))
        return outs if many else outs[0]

    def process_call(self, prim, args, params):
        if not any(self.is_ours(x) for x in args):
            if not self.stage_all:
                with set_current_trace(self.parent):
                    return prim.bind(*args, **params)
        elif not self.stage_all:
            rule = core.partial_eval_rules.get(prim)
            return rule(self, args, params) if rule else core.inline_call(args, params)
        invars = [self.to_var(x) for x in args]
        return self._record(prim, invars, params["jaxpr"].out_avals, params)

    def to_jaxpr(self, in_tracers, outs):
        """The jaxpr of what was recorded, from `in_tracers` to `outs`, and its constants."""
        outvars = [self.to_var(x) for x in outs]
        constvars = [v for v, _ in self.consts]
        consts = [c for _, c in self.consts]
        jaxpr = Jaxpr(constvars, [t.var for t in in_tracers], outvars, self.eqns)
        return jaxpr, consts


def dce(jaxpr):
    """Drop equations whose outputs nothing uses, unless they have side effects."""
    live = {v for v in jaxpr.outvars if type(v) is Var}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if any(v in live for v in eqn.outvars) or eqn.primitive in core.effectful_primitives:
            kept.append(eqn)
            live.update(v for v in eqn.invars if type(v) is Var)
    constvars = [v for v in jaxpr.constvars if v in live]
    return Jaxpr(constvars, jaxpr.invars, jaxpr.outvars, kept[::-1]), \
        [i for i, v in enumerate(jaxpr.constvars) if v in live]


def trace_to_jaxpr(fun, in_avals, stage_all=True):
    """Stage `fun(*args)` (flat lists in and out) into a jaxpr and its constants.

    Constants that are tracers of enclosing transformations are kept as constants
    here; `hoist_tracer_consts` turns them into explicit inputs where needed.
    """
    trace = JaxprTrace(core.current_trace(), stage_all)
    in_tracers = [trace.new_arg(a) for a in in_avals]
    try:
        with set_current_trace(trace):
            outs = fun(*in_tracers)
        jaxpr, consts = trace.to_jaxpr(in_tracers, outs)
    finally:
        trace.invalidate()
    return jaxpr, consts


def hoist_tracer_consts(jaxpr, consts):
    """Split constants into concrete ones (kept in a ClosedJaxpr) and tracers of outer
    transformations, which become leading inputs so those transformations see them."""
    keep = [not isinstance(c, Tracer) for c in consts]
    closed = ClosedJaxpr(
        Jaxpr([v for v, k in zip(jaxpr.constvars, keep) if k],
              [v for v, k in zip(jaxpr.constvars, keep) if not k] + jaxpr.invars,
              jaxpr.outvars, jaxpr.eqns),
        [c for c, k in zip(consts, keep) if k])
    return closed, [c for c, k in zip(consts, keep) if not k]


def stage(fun, in_avals):
    """`fun` (flat in, flat out) as a ClosedJaxpr plus the outer tracers it closes over,
    which the caller passes as leading arguments."""
    jaxpr, consts = trace_to_jaxpr(fun, in_avals)
    return hoist_tracer_consts(jaxpr, consts)


def partial_eval_jaxpr(closed, in_unknowns, force_out_unknowns=None):
    """Split `closed` into a known part and an unknown part.

    Returns (known, unknown, out_unknowns, res_avals): `known` maps the known inputs to
    the known outputs followed by residuals; `unknown` maps residuals followed by the
    unknown inputs to the unknown outputs.  `force_out_unknowns` makes outputs unknown even
    when they could be computed from known inputs (their values pass as residuals).
    """
    in_avals = closed.in_avals
    known_trace = JaxprTrace(core.current_trace(), stage_all=True)
    pe_trace = JaxprTrace(known_trace, stage_all=False)
    known_in = [known_trace.new_arg(a) for a, u in zip(in_avals, in_unknowns) if not u]
    unknown_in = [pe_trace.new_arg(a) for a, u in zip(in_avals, in_unknowns) if u]
    k_it, u_it = iter(known_in), iter(unknown_in)
    args = [next(u_it) if u else next(k_it) for u in in_unknowns]
    try:
        with set_current_trace(pe_trace):
            outs = core.eval_jaxpr(closed.jaxpr, closed.consts, *args)
        out_unknowns = [pe_trace.is_ours(o) or bool(force_out_unknowns and force_out_unknowns[i])
                        for i, o in enumerate(outs)]
        u_jaxpr, residuals = pe_trace.to_jaxpr(unknown_in, [o for o, u in zip(outs, out_unknowns) if u])
        known_outs = [o for o, u in zip(outs, out_unknowns) if not u]
        k_jaxpr, k_consts = known_trace.to_jaxpr(known_in, known_outs + residuals)
    finally:
        pe_trace.invalidate()
        known_trace.invalidate()
    res_avals = [v.aval for v in u_jaxpr.constvars]
    known = hoist_tracer_consts(k_jaxpr, k_consts)
    unknown = ClosedJaxpr(Jaxpr([], u_jaxpr.constvars + u_jaxpr.invars, u_jaxpr.outvars,
                                u_jaxpr.eqns), [])
    if known[1]:
        raise TypeError("partial_eval_jaxpr: a closed jaxpr closes over tracers")
    return known[0], unknown, out_unknowns, res_avals


def shaped_abstractify(x):
    """An aval for a jit argument: arrays, Python scalars (weak) and ShapeDtypeStructs."""
    if isinstance(x, core.Array):
        return x.aval
    if type(x) is core.AbstractToken:
        return x
    if hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (np.ndarray, np.generic)):
        from pyjax._src import dtypes
        return ShapedArray(x.shape, dtypes.canonicalize_dtype(x.dtype), getattr(x, "weak_type", False))
    return core.get_aval(x)


def flatten_fun(fun, in_tree):
    """`fun` of positional pytree arguments (`in_tree` is the tree of their tuple) as a
    function of flat leaves; the output tree is recorded in `store["tree"]`."""
    store = {}

    def flat_fun(*flat_args):
        out = fun(*tree_util.tree_unflatten(in_tree, flat_args))
        flat_out, store["tree"] = tree_util.tree_flatten(out)
        return flat_out

    return flat_fun, store


__all__ = ["JaxprTrace", "JaxprTracer", "trace_to_jaxpr", "stage", "dce"]
