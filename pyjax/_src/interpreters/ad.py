"""Automatic differentiation: forward mode (JVPTrace), linearize, transpose.

Reverse mode is forward mode partially evaluated into a linear jaxpr of the
tangents (`linearize`), then transposed (`backward_pass`).  Tangents and
cotangents that are known to be zero stay symbolic (`Zero`) so they cost nothing.
"""
import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.config import config
from pyjax._src.core import (Literal, Tracer, Var, get_aval, jvp_rules, set_current_trace,
                             transpose_rules)
from pyjax._src.interpreters.partial_eval import JaxprTrace, JaxprTracer, dce


class Zero:
    """A symbolic zero tangent or cotangent of type `aval`."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    @staticmethod
    def like(x):
        return Zero(tangent_aval(get_aval(x)))

    def __repr__(self):
        return f"Zero({self.aval})"


def tangent_aval(aval):
    """Tangents of integer and boolean values have JAX's `float0` dtype; of tokens, tokens."""
    if type(aval) is core.AbstractToken:
        return aval
    if dtypes.issubdtype(aval.dtype, np.inexact):
        return aval
    return core.ShapedArray(aval.shape, dtypes.float0)


def is_differentiable(aval):
    return type(aval) is not core.AbstractToken and dtypes.issubdtype(aval.dtype, np.inexact)


def zeros_like_aval(aval):
    if type(aval) is core.AbstractToken:
        return core.Token()
    if dtypes.is_float0(aval.dtype):
        return np.zeros(aval.shape, dtypes.float0)
    from pyjax._src.lax import lax
    return lax.full(aval.shape, 0, aval.dtype, weak_type=aval.weak_type)


def instantiate(t):
    return zeros_like_aval(t.aval) if type(t) is Zero else t


def add_tangents(a, b):
    if type(a) is Zero:
        return b
    if type(b) is Zero:
        return a
    from pyjax._src.lax.elementwise import binary
    return binary["add"].bind(a, b)


# ---------------------------------------------------------------------------
# Forward mode


class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace, self.primal, self.tangent = trace, primal, tangent

    aval = property(lambda self: get_aval(self.primal))

    def to_concrete_value(self):
        p = self.primal
        if type(p) is core.ArrayImpl:
            return p._value
        return p.to_concrete_value() if isinstance(p, Tracer) else p


class JVPTrace(core.Trace):
    __slots__ = ()

    def _split(self, args):
        primals, tangents, any_tangent = [], [], False
        for x in args:
            if type(x) is JVPTracer and x._trace is self:
                primals.append(x.primal)
                tangents.append(x.tangent)
                any_tangent = any_tangent or type(x.tangent) is not Zero
            else:
                primals.append(x)
                tangents.append(None)
        return primals, tangents, any_tangent

    def _apply(self, prim, args, params, bind_parent):
        primals, tangents, any_tangent = self._split(args)
        if not any_tangent:
            with set_current_trace(self.parent):
                return bind_parent(primals)
        tangents = [Zero.like(p) if t is None else t for p, t in zip(primals, tangents)]
        rule = jvp_rules.get(prim)
        if rule is None:
            raise NotImplementedError(
                f"Differentiation rule for '{prim.name}' not implemented (forward mode)")
        with set_current_trace(self.parent):
            out, t_out = rule(primals, tangents, **params)
        if prim.multiple_results:
            return [self.wrap(o, t) for o, t in zip(out, t_out)]
        return self.wrap(out, t_out)

    def wrap(self, primal, tangent):
        return primal if type(tangent) is Zero else JVPTracer(self, primal, tangent)

    def process_primitive(self, prim, args, params):
        return self._apply(prim, args, params, lambda ps: prim.bind(*ps, **params))

    def process_call(self, prim, args, params):
        if prim in jvp_rules:
            return self._apply(prim, args, params, lambda ps: prim.bind(*ps, **params))
        return core.inline_call(args, params)


def jvp_flat(fun, primals, tangents):
    """Run `fun` on flat primals/tangents (tangents may be `Zero`); returns flat primal and
    tangent outputs (tangents possibly `Zero`)."""
    trace = JVPTrace(core.current_trace())
    ins = [JVPTracer(trace, p, t) for p, t in zip(primals, tangents)]
    try:
        with set_current_trace(trace):
            outs = fun(*ins)
    finally:
        trace.invalidate()
    out_p, out_t = [], []
    for o in outs:
        if type(o) is JVPTracer and o._trace is trace:
            out_p.append(o.primal)
            out_t.append(o.tangent)
        else:
            out_p.append(o)
            out_t.append(Zero.like(o))
    return out_p, out_t


class LinearFunction:
    """The linear map of `linearize`: a jaxpr from input tangents to output tangents.

    `out_zero[i]` marks outputs whose tangent is identically zero (not in the jaxpr).
    """

    def __init__(self, jaxpr, consts, in_avals, out_avals, out_zero, in_used):
        self.jaxpr, self.consts = jaxpr, consts
        self.in_avals, self.out_avals = in_avals, out_avals
        self.out_zero, self.in_used = out_zero, in_used

    def __call__(self, tangents):
        ins = [t for t, used in zip(tangents, self.in_used) if used]
        ins = [instantiate(t) for t in ins]
        outs = iter(core.eval_jaxpr(self.jaxpr, self.consts, *ins))
        return [Zero(tangent_aval(a)) if z else next(outs)
                for a, z in zip(self.out_avals, self.out_zero)]

    def transpose(self, cts, consts=None):
        """Cotangents of the inputs from cotangents of the outputs (Zero where none);
        `consts` replaces the residuals (vjp passes them explicitly, as a pytree)."""
        cts = [ct for ct, z in zip(cts, self.out_zero) if not z]
        args = [UndefinedPrimal(tangent_aval(a)) for a, u in zip(self.in_avals, self.in_used) if u]
        consts = self.consts if consts is None else consts
        got = iter(backward_pass(self.jaxpr, consts, args, cts))
        return [next(got) if u else Zero(tangent_aval(a)) for a, u in zip(self.in_avals, self.in_used)]


def linearize_flat(fun, primals):
    """Evaluate `fun` at `primals` and return (primal outputs, LinearFunction)."""
    pe = JaxprTrace(core.current_trace(), stage_all=False)
    in_avals = [get_aval(p) for p in primals]
    in_used = [is_differentiable(a) for a in in_avals]
    t_in = [pe.new_arg(a) if u else Zero(tangent_aval(a)) for a, u in zip(in_avals, in_used)]
    try:
        with set_current_trace(pe):
            out_p, out_t = jvp_flat(fun, primals, t_in)
        for p in out_p:
            if isinstance(p, JaxprTracer) and p._trace is pe:
                raise TypeError("linearize: a primal output depends on the tangents")
        out_zero = [type(t) is Zero for t in out_t]
        jaxpr, consts = pe.to_jaxpr([t for t in t_in if type(t) is not Zero],
                                    [t for t in out_t if type(t) is not Zero])
    finally:
        pe.invalidate()
    jaxpr, kept = dce(jaxpr)
    consts = [consts[i] for i in kept]
    if config.jax_enable_checks:
        core.check_jaxpr(jaxpr)
    return out_p, LinearFunction(jaxpr, consts, in_avals, [get_aval(p) for p in out_p],
                                 out_zero, in_used)


# ---------------------------------------------------------------------------
# Transposition


class UndefinedPrimal:
    """Marks a linear input of an equation being transposed."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval})"


def is_undefined(x):
    return type(x) is UndefinedPrimal


def backward_pass(jaxpr, consts, args, cts_out):
    """Transpose the linear `jaxpr`.  `args` holds UndefinedPrimal for linear inputs and
    values for the others; returns the cotangents of the linear inputs (Zero where none)."""
    primal = {}
    linear = set()
    for v, c in zip(jaxpr.constvars, consts):
        primal[v] = c
    for v, a in zip(jaxpr.invars, args):
        if is_undefined(a):
            linear.add(v)
        else:
            primal[v] = a

    def read(v):
        return v.val if type(v) is Literal else primal[v]

    lin_eqns = []
    for eqn in jaxpr.eqns:
        if any(type(v) is Var and v in linear for v in eqn.invars):
            lin_eqns.append(eqn)
            linear.update(eqn.outvars)
        else:  # non-linear parts of the program (e.g. constants computed inside jit)
            outs = eqn.primitive.bind(*[read(v) for v in eqn.invars], **eqn.params)
            for v, o in zip(eqn.outvars, outs if eqn.primitive.multiple_results else [outs]):
                primal[v] = o

    ct_env = {}

    def accumulate(v, ct):
        if type(v) is Var and v in linear and ct is not None and type(ct) is not Zero:
            ct_env[v] = add_tangents(ct_env[v], ct) if v in ct_env else ct

    for v, ct in zip(jaxpr.outvars, cts_out):
        accumulate(v, ct)
    for eqn in reversed(lin_eqns):
        cts = [ct_env.pop(v, None) for v in eqn.outvars]
        if all(ct is None for ct in cts):
            continue
        cts = [Zero(v.aval) if ct is None else ct for v, ct in zip(eqn.outvars, cts)]
        invals = [UndefinedPrimal(v.aval) if type(v) is Var and v in linear else read(v)
                  for v in eqn.invars]
        rule = transpose_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(
                f"Transpose rule (for reverse-mode differentiation) for '{eqn.primitive.name}' "
                "not implemented: the operation is not linear in its differentiated inputs, "
                "or reverse mode through it is unsupported.")
        ct_in = rule(cts if eqn.primitive.multiple_results else cts[0], *invals, **eqn.params)
        for v, ct in zip(eqn.invars, ct_in):
            accumulate(v, ct)
    return [ct_env.get(v, Zero(v.aval)) if is_undefined(a) else None
            for v, a in zip(jaxpr.invars, args) if is_undefined(a)]


# ---------------------------------------------------------------------------
# Helpers to define rules for families of primitives


def defjvp(prim, *jvp_fns):
    """jvp rule from one function per argument: fn(tangent, *primals, **params) gives that
    argument's contribution to the output tangent; None for arguments with none."""

    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if not is_differentiable(get_aval(out)):
            return out, Zero.like(out)
        t_out = Zero(get_aval(out))
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                t_out = add_tangents(t_out, fn(t, *primals, **params))
        return out, t_out

    jvp_rules[prim] = rule


def defjvp2(prim, *jvp_fns):
    """Like defjvp, but each fn also receives the primal output: fn(t, out, *primals)."""

    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        t_out = Zero(get_aval(out))
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                t_out = add_tangents(t_out, fn(t, out, *primals, **params))
        return out, t_out

    jvp_rules[prim] = rule


def defzero(prim):
    """The output does not depend differentiably on the inputs (comparisons, integer ops)."""

    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero.like(o) for o in out]
        return out, Zero.like(out)

    jvp_rules[prim] = rule


def deflinear(prim, transpose_rule):
    """A linear primitive: its jvp applies it to the tangents (zeros instantiated)."""

    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        t_out = prim.bind(*[instantiate(t) for t in tangents], **params)
        return out, t_out

    jvp_rules[prim] = rule
    transpose_rules[prim] = transpose_rule


# ---------------------------------------------------------------------------
# Jaxpr-to-jaxpr transformations, for primitives that carry jaxprs (control flow)


def jvp_jaxpr(closed, nonzeros, force_tangents):
    """The jvp of `closed` as a closed jaxpr from (primals, nonzero tangents) to (primal
    outputs, tangent outputs).  An output gets a tangent when it is nonzero or
    `force_tangents` asks for it (a bool or a list); returns (jaxpr, which outputs got one)."""
    from pyjax._src.interpreters import partial_eval as pe
    avals = closed.in_avals
    n_out = len(closed.out_avals)
    inst = [force_tangents] * n_out if isinstance(force_tangents, bool) else list(force_tangents)
    inst = [i and is_differentiable(a) for i, a in zip(inst, closed.out_avals)]
    store = {}

    def fun(*args):
        primals = args[:len(avals)]
        it = iter(args[len(avals):])
        tangents = [next(it) if nz else Zero(tangent_aval(a)) for a, nz in zip(avals, nonzeros)]
        out_p, out_t = jvp_flat(lambda *xs: core.eval_jaxpr(closed.jaxpr, closed.consts, *xs),
                                primals, tangents)
        store["nz"] = [type(t) is not Zero for t in out_t]
        keep = [nz or i for nz, i in zip(store["nz"], inst)]
        store["keep"] = keep
        return list(out_p) + [instantiate(t) for t, k in zip(out_t, keep) if k]

    t_avals = [tangent_aval(a) for a, nz in zip(avals, nonzeros) if nz]
    jaxpr, consts = pe.stage(fun, list(avals) + t_avals)
    assert not consts, "closed jaxprs do not close over tracers"
    return jaxpr, store["keep"]


def transpose_jaxpr(closed, linear):
    """A closed jaxpr from (non-linear inputs, output cotangents) to the cotangents of the
    linear inputs (zeros instantiated)."""
    from pyjax._src.interpreters import partial_eval as pe
    avals = closed.in_avals
    nl_avals = [a for a, lin in zip(avals, linear) if not lin]
    ct_avals = [tangent_aval(a) for a in closed.out_avals]

    def fun(*args):
        nl = iter(args[:len(nl_avals)])
        cts = list(args[len(nl_avals):])
        ins = [UndefinedPrimal(a) if lin else next(nl) for a, lin in zip(avals, linear)]
        res = backward_pass(closed.jaxpr, closed.consts, ins, cts)
        return [instantiate(r) for r in res]

    jaxpr, consts = pe.stage(fun, nl_avals + ct_avals)
    assert not consts, "closed jaxprs do not close over tracers"
    return jaxpr
