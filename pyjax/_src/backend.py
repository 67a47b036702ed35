"""The CPU back end: runs closed jaxprs.

For now the executable of a jaxpr is the interpreter: it walks the jaxpr and
binds each primitive on the eager (NumPy) trace.  The compiler back end will
plug in here.
"""
from pyjax._src import core


def execute(closed_jaxpr, args):
    with core.set_current_trace(core.eval_trace):
        return core.eval_jaxpr(closed_jaxpr.jaxpr, closed_jaxpr.consts, *args)


def describe():
    return "pyjax CPU interpreter (NumPy eager implementations)"
