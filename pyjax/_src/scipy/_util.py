"""Helpers of pyjax.scipy that pyjax.numpy and pyjax.lax do not offer.

const/strong_const build rank-0 constants typed like an operand (JAX's lax._const and NumPy
scalars); piecewise keeps JAX's gradient rule for jnp.piecewise, whose pyjax.numpy version
lets a branch's non-finite derivative leak into elements that branch does not select.
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax


def jnp():
    import pyjax.numpy
    return pyjax.numpy


def const(x, value):
    """`value` as a rank-0 array of `x`'s dtype (JAX's lax._const): weakly typed when `x`
    is a weakly-typed scalar of the default float type (as a Python scalar would be),
    strongly typed otherwise."""
    aval = get_aval(x)
    if (aval.weak_type and aval.ndim == 0
            and aval.dtype == dtypes.canonicalize_dtype(dtypes.dtype(float(0), canonicalize=True))):
        return lax.full((), value, aval.dtype, weak_type=True)
    return lax.asarray(np.asarray(value, aval.dtype))


def strong_const(x, value):
    """`value` as a strongly-typed rank-0 array of `x`'s dtype (a NumPy scalar in JAX)."""
    return lax.asarray(np.asarray(value, get_aval(x).dtype))


def select_cases(index, cases):
    """cases[index] elementwise (index an int32 array of the cases' shape)."""
    if len(cases) == 1:
        return cases[0]
    return lax.select_n(lax.clamp(0, index, len(cases) - 1), *cases)


def piecewise(x, condlist, funclist):
    """jnp.piecewise: the function of the *last* true condition (the default function, if
    given one more than conditions, where none holds).  Every function runs on all of `x`
    and the results are selected, as JAX's vectorized switch does."""
    jn = jnp()
    x = jn.asarray(x)
    condlist = [jn.asarray(c) for c in condlist]
    nc, nf = len(condlist), len(funclist)
    if nf == nc + 1:
        funclist = funclist[-1:] + funclist[:-1]
    elif nf == nc:
        funclist = [0] + list(funclist)
    else:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are "
                         f"expected; got {nf}")
    index = lax.full(x.shape, 0, np.int32)
    for i, c in enumerate(condlist):
        c = jn.broadcast_to(c, x.shape)
        index = lax.select(c, lax.full(x.shape, i + 1, np.int32), index)
    outs = []
    for i, f in enumerate(funclist):
        if callable(f):
            # As JAX's batched switch: a branch sees x only where it is selected (elsewhere
            # a stop_gradient copy), so unselected branches add exact zeros to gradients.
            mine = lax.eq(index, lax.full_like(index, i))
            xi = lax.select(mine, x, lax.stop_gradient(x))
            v = jn.asarray(f(xi))
            outs.append(lax.convert_element_type(jn.broadcast_to(v, x.shape), x.dtype))
        else:
            outs.append(lax.full(x.shape, f, x.dtype))
    return select_cases(index, outs)
