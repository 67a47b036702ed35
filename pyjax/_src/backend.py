"""The CPU back end: turns a closed jaxpr into a Python function over NumPy buffers.

`compile` walks the jaxpr once and generates straight-line Python that calls each
primitive's eager implementation on raw NumPy values — no tracing, no dispatch, no
weak-type bookkeeping at run time (weak types are read from the jaxpr's avals).
Call primitives (nested jit, custom_jvp_call, ...) are compiled recursively and
inlined as calls.  This is the reference executor; the fusing C compiler will plug
in here.
"""
import numpy as np

from pyjax._src import core
from pyjax._src.config import config
from pyjax._src.core import ArrayImpl, CallPrimitive, Literal, impl_rules


def _raw_function(jaxpr, consts):
    """Python source for `jaxpr` as a function of NumPy values, compiled with exec."""
    names = {}
    env = {}

    def name(v):
        if type(v) is Literal:
            key = f"L{len(env)}"
            env[key] = np.asarray(v.val)
            return key
        if v not in names:
            names[v] = f"v{len(names)}"
        return names[v]

    for v, c in zip(jaxpr.constvars, consts):
        n = name(v)
        env[f"C_{n}"] = core.to_numpy(c)
    args = [name(v) for v in jaxpr.invars]
    lines = [f"def run({', '.join(args)}):"]
    for v in jaxpr.constvars:
        lines.append(f"    {name(v)} = C_{name(v)}")
    check = config.jax_debug_nans or config.jax_debug_infs
    env["CHECK"] = core.check_special_values
    for k, eqn in enumerate(jaxpr.eqns):
        ins = ", ".join(name(v) for v in eqn.invars)
        outs = [name(v) for v in eqn.outvars]
        prim = eqn.primitive
        if isinstance(prim, CallPrimitive):
            sub = eqn.params["jaxpr"]
            env[f"F{k}"] = _raw_function(sub.jaxpr, sub.consts)
            call = f"F{k}({ins})"
        else:
            env[f"F{k}"] = impl_rules[prim]
            env[f"P{k}"] = eqn.params
            kw = f"{', ' if ins else ''}**P{k}" if eqn.params else ""
            call = f"F{k}({ins}{kw})"
        if prim.multiple_results:
            lines.append(f"    {', '.join(outs) + ','} = {call}" if outs else f"    {call}")
        else:
            lines.append(f"    {outs[0]} = {call}")
        if check and outs:
            env[f"S{k}"] = str(eqn.source_info or "")
            lines.append(f"    CHECK({prim.name!r}, [{', '.join(outs)}], S{k})")
    lines.append(f"    return ({''.join(name(v) + ', ' for v in jaxpr.outvars)})")
    exec("\n".join(lines), env)  # noqa: S102 - generated from a jaxpr, not user text
    return env["run"]


class Executable:
    """A compiled closed jaxpr: call it with arrays, get a list of Arrays."""
    __slots__ = ("fn", "in_dtypes", "out_weak")

    def __init__(self, closed):
        self.fn = _raw_function(closed.jaxpr, closed.consts)
        self.in_dtypes = [a.dtype for a in closed.in_avals]
        self.out_weak = [a.weak_type for a in closed.out_avals]

    def __call__(self, args):
        vals = [x._value if type(x) is ArrayImpl else np.asarray(core.to_numpy(x), dt)
                for x, dt in zip(args, self.in_dtypes)]
        with np.errstate(all="ignore"):
            outs = self.fn(*vals)
        return [ArrayImpl(o, w) if type(o) is np.ndarray else ArrayImpl(np.asarray(o), w)
                for o, w in zip(outs, self.out_weak)]


class _TokenExecutable(Executable):
    """A program with token inputs or outputs: tokens pass through as they are."""
    __slots__ = ()

    def __init__(self, closed):
        self.fn = _raw_function(closed.jaxpr, closed.consts)
        self.in_dtypes = [getattr(a, "dtype", None) for a in closed.in_avals]
        self.out_weak = [a.weak_type for a in closed.out_avals]

    def __call__(self, args):
        vals = [x if type(x) is core.Token else x._value if type(x) is ArrayImpl
                else np.asarray(core.to_numpy(x), dt) for x, dt in zip(args, self.in_dtypes)]
        with np.errstate(all="ignore"):
            outs = self.fn(*vals)
        return [o if type(o) is core.Token else ArrayImpl(np.asarray(o), w)
                for o, w in zip(outs, self.out_weak)]


def compile(closed):
    exe = closed._executable
    if exe is None:
        has_token = any(type(a) is core.AbstractToken
                        for a in closed.in_avals + closed.out_avals)
        exe = closed._executable = (_TokenExecutable if has_token else Executable)(closed)
    return exe


def execute(closed, args):
    return compile(closed)(args)


def describe():
    return "pyjax CPU back end (generated Python over NumPy implementations)"
