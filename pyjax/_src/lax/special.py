"""Special-function primitives that JAX has as primitives of their own, from one table.

`regularized_incomplete_beta` (betainc), `bessel_i0e`, `bessel_i1e` and `zeta` (Hurwitz).
Like the families of elementwise.py, a row gives the name, the NumPy/SciPy
implementation, the number of operands and one derivative per operand; abstract
evaluation (equal shapes, rank-0 operands broadcast), batching and registration are
shared.  Everything else in jax.scipy.special is a composition of lax operations
(pyjax/_src/scipy/special.py).

Derivatives follow JAX: betainc has one only in x (a and b raise, as in JAX); zeta has
one only in q (d/dq zeta(x, q) = -x zeta(x + 1, q); JAX's lax.zeta has none at all, and
jax.scipy.special.zeta differentiates a series expansion instead).
"""
import numpy as np
import scipy.special as sps

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import defjvp, defjvp2
from pyjax._src.lax.elementwise import (FLOAT, _broadcast_batcher, _scalar_broadcasting_jvp,
                                        check_dtype)


def _L():
    from pyjax._src.lax import lax
    return lax


def _c(x, v):
    return _L().full_like(x, v)


def _wide_impl(fn):
    """Evaluate in float64 and round once to the operands' dtype (float16/bfloat16/float32)."""

    def impl(*xs):
        dt = xs[0].dtype
        with np.errstate(all="ignore"):
            out = fn(*[np.asarray(x, np.float64) for x in xs])
        return np.asarray(out).astype(dt)

    return impl


def _nary_abstract(name, kinds):
    def rule(*xs):
        for x in xs[1:]:
            if x.dtype != xs[0].dtype:
                raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                                + ", ".join(x.dtype.name for x in xs) + ".")
        check_dtype(name, kinds, xs[0].dtype)
        shapes = {x.shape for x in xs if x.shape}
        if len(shapes) > 1:
            raise TypeError(f"lax.{name} got incompatible shapes for broadcasting: "
                            + ", ".join(str(x.shape) for x in xs) + ".")
        return (shapes.pop() if shapes else ()), xs[0].dtype
    return rule


# --- implementations ---------------------------------------------------------


def _betainc(a, b, x):
    # SciPy agrees with XLA's continued fraction on the domain (nan outside it).
    return sps.betainc(a, b, x)


def _zeta(x, q):
    out = sps.zeta(x, q)
    # XLA gives nan for q = +inf (SciPy: 0).
    return np.where(np.isposinf(q), np.nan, out)


# --- derivatives -------------------------------------------------------------


def _betainc_grad_x(t, a, b, x):
    L = _L()
    lbeta = L.sub(L.add(L.lgamma(a), L.lgamma(b)), L.lgamma(L.add(a, b)))
    one = _c(x, 1)
    partial_x = L.exp(L.sub(L.add(L.mul(L.sub(b, one), L.log1p(L.neg(x))),
                                  L.mul(L.sub(a, one), L.log(x))), lbeta))
    return L.mul(partial_x, t)


def _betainc_grad_not_implemented(t, a, b, x):
    raise ValueError("Betainc gradient with respect to a and b not supported.")


def _zeta_grad_x(t, x, q):
    raise ValueError("lax.zeta has no derivative with respect to x (jax.scipy.special.zeta "
                     "differentiates a series expansion instead).")


def _zeta_grad_q(t, x, q):
    L = _L()
    return L.mul(t, L.neg(L.mul(x, zeta(L.add(x, _c(x, 1)), q))))


def _i0e_jvp(t, y, x):
    L = _L()
    return L.mul(t, L.sub(bessel_i1e(x), L.mul(L.sign(x), y)))


def _i1e_jvp(t, y, x):
    L = _L()
    eps = float(dtypes.finfo(get_aval(x).dtype).eps)
    not_tiny = L.gt(L.abs(x), _c(x, eps))
    safe_x = L.select(not_tiny, x, _c(x, eps))
    dy_dx = L.sub(bessel_i0e(safe_x), L.mul(y, L.add(L.sign(safe_x), L.reciprocal(safe_x))))
    dy_dx = L.select(not_tiny, dy_dx, _c(x, 0.5))
    return L.mul(t, dy_dx)


# --- the table ---------------------------------------------------------------

_SPECIAL = [
    # name, impl, arity, (jvp per operand), jvp receives the output
    ("regularized_incomplete_beta", _betainc, 3,
     (_betainc_grad_not_implemented, _betainc_grad_not_implemented, _betainc_grad_x), False),
    ("bessel_i0e", sps.i0e, 1, (_i0e_jvp,), True),
    ("bessel_i1e", sps.i1e, 1, (_i1e_jvp,), True),
    ("zeta", _zeta, 2, (_zeta_grad_x, _zeta_grad_q), False),
]

special = {}
for _name, _impl, _arity, _jvps, _with_out in _SPECIAL:
    _p = Primitive(_name)
    register(_p, impl=_wide_impl(_impl), abstract_eval=_nary_abstract(_name, FLOAT),
             batch=_broadcast_batcher(_p))
    (defjvp2 if _with_out else defjvp)(_p, *_jvps)
    if _arity > 1:
        _scalar_broadcasting_jvp(_p)
    special[_name] = _p

regularized_incomplete_beta_p = special["regularized_incomplete_beta"]
bessel_i0e_p = special["bessel_i0e"]
bessel_i1e_p = special["bessel_i1e"]
zeta_p = special["zeta"]


# --- public wrappers (lax is strict: one dtype; Python scalars take the others' dtype) ----


def _args(*xs):
    L = _L()
    arrays = [x for x in xs if not L._is_py_scalar(x)]
    like = arrays[0] if arrays else None
    out = []
    for x in xs:
        if L._is_py_scalar(x):
            out.append(L._scalar_like(x, like) if like is not None else L.asarray(float(x)))
        else:
            out.append(L.asarray(x))
    return out


def _bind(prim, *xs):
    args = _args(*xs)
    # Eager execution would broadcast, promote or accept integers silently: check the
    # types first, with lax's errors.
    core.abstract_eval_at_user_line(prim, [get_aval(a) for a in args], {})
    return prim.bind(*args)


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b) (lax.betainc)."""
    return _bind(regularized_incomplete_beta_p, a, b, x)


def bessel_i0e(x):
    """Exponentially scaled modified Bessel function of order 0: exp(-|x|) I0(x)."""
    return _bind(bessel_i0e_p, x)


def bessel_i1e(x):
    """Exponentially scaled modified Bessel function of order 1: exp(-|x|) I1(x)."""
    return _bind(bessel_i1e_p, x)


def zeta(x, q):
    """The Hurwitz zeta function sum_k (q + k)^-x (lax.zeta)."""
    return _bind(zeta_p, x, q)


__all__ = ["betainc", "bessel_i0e", "bessel_i1e", "zeta", "regularized_incomplete_beta_p",
           "bessel_i0e_p", "bessel_i1e_p", "zeta_p"]
