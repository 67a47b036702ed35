"""jax.scipy.optimize.minimize with method='BFGS': a lax.while_loop of BFGS steps, each with
the zoom line search of Nocedal & Wright (Algorithms 3.5 and 3.6), as JAX writes them."""
from typing import NamedTuple

import numpy as np

from pyjax._src import dtypes
from pyjax._src.lax import lax
from pyjax._src.numpy.util import promote_dtypes_inexact


def _jnp():
    import pyjax.numpy
    return pyjax.numpy


def _value_and_grad(f):
    from pyjax._src.api import value_and_grad
    return value_and_grad(f)


def _dot(a, b):
    return _jnp().dot(a, b)


def _norm(x, ord=None):
    """jnp.linalg.norm of a vector."""
    J = _jnp()
    ax = J.abs(x)
    if ord is None or ord == 2:
        return J.sqrt(J.sum(ax * ax))
    if ord == np.inf:
        return lax.reduce_max(ax, tuple(range(ax.ndim)))
    if ord == -np.inf:
        return lax.reduce_min(ax, tuple(range(ax.ndim)))
    if ord == 0:
        return J.sum(ax != 0).astype(x.dtype)
    if ord == 1:
        return J.sum(ax)
    return J.sum(ax ** ord) ** (1.0 / ord)


class OptimizeResults(NamedTuple):
    """Results of minimize: x, success, status, fun, jac, hess_inv, nfev, njev, nit."""
    x: object
    success: object
    status: object
    fun: object
    jac: object
    hess_inv: object
    nfev: object
    njev: object
    nit: object


def minimize(fun, x0, args=(), *, method, tol=None, options=None):
    """Minimize a scalar function of one 1-d array (jax.scipy.optimize.minimize).

    Only method='BFGS' (options: maxiter, norm, gtol, line_search_maxiter).  `tol` is
    ignored, as in JAX.
    """
    if options is None:
        options = {}
    if not isinstance(args, tuple):
        raise TypeError(f"args argument to jax.scipy.optimize.minimize must be a tuple, got {args}")

    def fun_with_args(x):
        return fun(x, *args)

    if method.lower() == "bfgs":
        results = minimize_bfgs(fun_with_args, x0, **options)
        success = results.converged & _jnp().logical_not(results.failed)
        return OptimizeResults(x=results.x_k, success=success, status=results.status,
                               fun=results.f_k, jac=results.g_k, hess_inv=results.H_k,
                               nfev=results.nfev, njev=results.ngev, nit=results.k)
    raise ValueError(f"Method {method} not recognized")


class _BFGSResults(NamedTuple):
    converged: object
    failed: object
    k: object
    nfev: object
    ngev: object
    nhev: object
    x_k: object
    f_k: object
    g_k: object
    H_k: object
    old_old_fval: object
    status: object
    line_search_status: object


def minimize_bfgs(fun, x0, maxiter=None, norm=np.inf, gtol=1e-5, line_search_maxiter=10):
    J = _jnp()
    x0 = J.asarray(x0)
    if maxiter is None:
        maxiter = np.size(x0) * 200
    d = x0.shape[0]
    initial_H = J.eye(d, dtype=x0.dtype)
    f_0, g_0 = _value_and_grad(fun)(x0)
    state = _BFGSResults(
        converged=_norm(g_0, ord=norm) < gtol, failed=False, k=0, nfev=1, ngev=1, nhev=0,
        x_k=x0, f_k=f_0, g_k=g_0, H_k=initial_H, old_old_fval=f_0 + _norm(g_0) / 2,
        status=0, line_search_status=0)

    def cond_fun(state):
        return J.logical_not(state.converged) & J.logical_not(state.failed) & (state.k < maxiter)

    def body_fun(state):
        p_k = -_dot(state.H_k, state.g_k)
        ls = line_search(fun, state.x_k, p_k, old_fval=state.f_k,
                         old_old_fval=state.old_old_fval, gfk=state.g_k,
                         maxiter=line_search_maxiter)
        state = state._replace(nfev=state.nfev + ls.nfev, ngev=state.ngev + ls.ngev,
                               failed=ls.failed, line_search_status=ls.status)
        s_k = ls.a_k * p_k
        x_kp1 = state.x_k + s_k
        f_kp1 = ls.f_k
        g_kp1 = ls.g_k
        y_k = g_kp1 - state.g_k
        rho_k = J.reciprocal(_dot(y_k, s_k))
        sy_k = s_k[:, None] * y_k[None, :]
        w = J.eye(d, dtype=rho_k.dtype) - rho_k * sy_k
        H_kp1 = J.matmul(J.matmul(w, state.H_k), w.T) + rho_k * s_k[:, None] * s_k[None, :]
        H_kp1 = J.where(J.isfinite(rho_k), H_kp1, state.H_k)
        converged = _norm(g_kp1, ord=norm) < gtol
        return state._replace(converged=converged, k=state.k + 1, x_k=x_kp1, f_k=f_kp1,
                              g_k=g_kp1, H_k=H_kp1, old_old_fval=state.f_k)

    state = lax.while_loop(cond_fun, body_fun, state)
    status = J.where(state.converged, 0,
                     J.where(state.k == maxiter, 1,
                             J.where(state.failed, 2 + state.line_search_status, -1)))
    return state._replace(status=status)


# --- line search -------------------------------------------------------------------------


def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """The minimizer of the cubic through (a, fa), (b, fb), (c, fc) with slope fpa at a."""
    J = _jnp()
    C = fpa
    db = b - a
    dc = c - a
    denom = (db * dc) ** 2 * (db - dc)
    d2_0 = fb - fa - C * db
    d2_1 = fc - fa - C * dc
    A = (dc ** 2 * d2_0 + -db ** 2 * d2_1) / denom
    B = (-dc ** 3 * d2_0 + db ** 3 * d2_1) / denom
    radical = B * B - 3.0 * A * C
    return a + (-B + J.sqrt(radical)) / (3.0 * A)


def _quadmin(a, fa, fpa, b, fb):
    D = fa
    C = fpa
    db = b - a
    B = (fb - D - C * db) / db ** 2
    return a - C / (2.0 * B)


def _binary_replace(replace_bit, original_dict, new_dict, keys=None):
    J = _jnp()
    if keys is None:
        keys = new_dict.keys()
    return {key: J.where(replace_bit, new_dict[key], original_dict[key]) for key in keys}


class _ZoomState(NamedTuple):
    done: object
    failed: object
    j: object
    a_lo: object
    phi_lo: object
    dphi_lo: object
    a_hi: object
    phi_hi: object
    dphi_hi: object
    a_rec: object
    phi_rec: object
    a_star: object
    phi_star: object
    dphi_star: object
    g_star: object
    nfev: object
    ngev: object


def _zoom(restricted_func_and_grad, wolfe_one, wolfe_two, a_lo, phi_lo, dphi_lo, a_hi, phi_hi,
          dphi_hi, g_0, pass_through):
    J = _jnp()
    state = _ZoomState(done=False, failed=False, j=0, a_lo=a_lo, phi_lo=phi_lo, dphi_lo=dphi_lo,
                       a_hi=a_hi, phi_hi=phi_hi, dphi_hi=dphi_hi, a_rec=(a_lo + a_hi) / 2.0,
                       phi_rec=(phi_lo + phi_hi) / 2.0, a_star=1.0, phi_star=phi_lo,
                       dphi_star=dphi_lo, g_star=g_0, nfev=0, ngev=0)
    delta1 = 0.2
    delta2 = 0.1

    def body(state):
        dalpha = state.a_hi - state.a_lo
        a = J.minimum(state.a_hi, state.a_lo)
        b = J.maximum(state.a_hi, state.a_lo)
        cchk = delta1 * dalpha
        qchk = delta2 * dalpha
        threshold = 1e-5 if dtypes.finfo(dalpha.dtype).bits < 64 else 1e-10
        state = state._replace(failed=state.failed | (dalpha <= threshold))
        a_j_cubic = _cubicmin(state.a_lo, state.phi_lo, state.dphi_lo, state.a_hi, state.phi_hi,
                              state.a_rec, state.phi_rec)
        use_cubic = (state.j > 0) & (a_j_cubic > a + cchk) & (a_j_cubic < b - cchk)
        a_j_quad = _quadmin(state.a_lo, state.phi_lo, state.dphi_lo, state.a_hi, state.phi_hi)
        use_quad = (~use_cubic) & (a_j_quad > a + qchk) & (a_j_quad < b - qchk)
        a_j_bisection = (state.a_lo + state.a_hi) / 2.0
        use_bisection = (~use_cubic) & (~use_quad)
        a_j = J.where(use_cubic, a_j_cubic, state.a_rec)
        a_j = J.where(use_quad, a_j_quad, a_j)
        a_j = J.where(use_bisection, a_j_bisection, a_j)
        phi_j, dphi_j, g_j = restricted_func_and_grad(a_j)
        phi_j = phi_j.astype(state.phi_lo.dtype)
        dphi_j = dphi_j.astype(state.dphi_lo.dtype)
        g_j = g_j.astype(state.g_star.dtype)
        state = state._replace(nfev=state.nfev + 1, ngev=state.ngev + 1)
        hi_to_j = wolfe_one(a_j, phi_j) | (phi_j >= state.phi_lo)
        star_to_j = wolfe_two(dphi_j) & (~hi_to_j)
        hi_to_lo = (dphi_j * (state.a_hi - state.a_lo) >= 0.0) & (~hi_to_j) & (~star_to_j)
        lo_to_j = (~hi_to_j) & (~star_to_j)
        state = state._replace(**_binary_replace(
            hi_to_j, state._asdict(),
            dict(a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j, a_rec=state.a_hi, phi_rec=state.phi_hi)))
        state = state._replace(done=star_to_j | state.done, **_binary_replace(
            star_to_j, state._asdict(),
            dict(a_star=a_j, phi_star=phi_j, dphi_star=dphi_j, g_star=g_j)))
        state = state._replace(**_binary_replace(
            hi_to_lo, state._asdict(),
            dict(a_hi=state.a_lo, phi_hi=state.phi_lo, dphi_hi=state.dphi_lo, a_rec=state.a_hi,
                 phi_rec=state.phi_hi)))
        state = state._replace(**_binary_replace(
            lo_to_j & (~hi_to_lo), state._asdict(), dict(a_rec=state.a_lo, phi_rec=state.phi_lo)))
        state = state._replace(**_binary_replace(
            lo_to_j, state._asdict(), dict(a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j)))
        state = state._replace(j=state.j + 1)
        return state._replace(failed=state.failed | (state.j >= 30))

    return lax.while_loop(lambda s: (~s.done) & (~pass_through) & (~s.failed), body, state)


class _LineSearchState(NamedTuple):
    done: object
    failed: object
    i: object
    a_i1: object
    phi_i1: object
    dphi_i1: object
    nfev: object
    ngev: object
    a_star: object
    phi_star: object
    dphi_star: object
    g_star: object


class _LineSearchResults(NamedTuple):
    """failed, nit, nfev, ngev, k, a_k (the step), f_k, g_k, status."""
    failed: object
    nit: object
    nfev: object
    ngev: object
    k: object
    a_k: object
    f_k: object
    g_k: object
    status: object


def line_search(f, xk, pk, old_fval=None, old_old_fval=None, gfk=None, c1=1e-4, c2=0.9,
                maxiter=20):
    """A step satisfying the strong Wolfe conditions along `pk` from `xk`."""
    J = _jnp()
    xk, pk = promote_dtypes_inexact(xk, pk)

    def restricted_func_and_grad(t):
        t = J.array(t, dtype=pk.dtype)
        phi, g = _value_and_grad(f)(xk + t * pk)
        dphi = J.real(_dot(g, pk))
        return phi, dphi, g

    if old_fval is None or gfk is None:
        phi_0, dphi_0, gfk = restricted_func_and_grad(0)
    else:
        phi_0 = old_fval
        dphi_0 = J.real(_dot(gfk, pk))
    if old_old_fval is not None:
        candidate_start_value = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
        start_value = J.where(candidate_start_value > 1, 1.0, candidate_start_value)
    else:
        start_value = 1

    def wolfe_one(a_i, phi_i):
        return phi_i > phi_0 + c1 * a_i * dphi_0

    def wolfe_two(dphi_i):
        return J.abs(dphi_i) <= -c2 * dphi_0

    fresh = old_fval is None or gfk is None
    state = _LineSearchState(
        done=J.array(False), failed=J.array(False), i=1, a_i1=0.0, phi_i1=phi_0,
        dphi_i1=dphi_0, nfev=1 if fresh else 0, ngev=1 if fresh else 0, a_star=0.0,
        phi_star=phi_0, dphi_star=dphi_0, g_star=gfk)

    def body(state):
        a_i = J.where(state.i == 1, start_value, state.a_i1 * 2.0)
        phi_i, dphi_i, g_i = restricted_func_and_grad(a_i)
        state = state._replace(nfev=state.nfev + 1, ngev=state.ngev + 1)
        star_to_zoom1 = wolfe_one(a_i, phi_i) | ((phi_i >= state.phi_i1) & (state.i > 1))
        star_to_i = wolfe_two(dphi_i) & (~star_to_zoom1)
        star_to_zoom2 = (dphi_i >= 0.0) & (~star_to_zoom1) & (~star_to_i)
        zoom1 = _zoom(restricted_func_and_grad, wolfe_one, wolfe_two, state.a_i1, state.phi_i1,
                      state.dphi_i1, a_i, phi_i, dphi_i, gfk, ~star_to_zoom1)
        state = state._replace(nfev=state.nfev + zoom1.nfev, ngev=state.ngev + zoom1.ngev)
        zoom2 = _zoom(restricted_func_and_grad, wolfe_one, wolfe_two, a_i, phi_i, dphi_i,
                      state.a_i1, state.phi_i1, state.dphi_i1, gfk, ~star_to_zoom2)
        state = state._replace(nfev=state.nfev + zoom2.nfev, ngev=state.ngev + zoom2.ngev)
        keys = ["a_star", "phi_star", "dphi_star", "g_star"]
        state = state._replace(done=star_to_zoom1 | state.done,
                               failed=(star_to_zoom1 & zoom1.failed) | state.failed,
                               **_binary_replace(star_to_zoom1, state._asdict(),
                                                 zoom1._asdict(), keys=keys))
        state = state._replace(done=star_to_i | state.done, **_binary_replace(
            star_to_i, state._asdict(),
            dict(a_star=a_i, phi_star=phi_i, dphi_star=dphi_i, g_star=g_i)))
        state = state._replace(done=star_to_zoom2 | state.done,
                               failed=(star_to_zoom2 & zoom2.failed) | state.failed,
                               **_binary_replace(star_to_zoom2, state._asdict(),
                                                 zoom2._asdict(), keys=keys))
        return state._replace(i=state.i + 1, a_i1=a_i, phi_i1=phi_i, dphi_i1=dphi_i)

    state = lax.while_loop(lambda s: (~s.done) & (s.i <= maxiter) & (~s.failed), body, state)
    status = J.where(state.failed, J.array(1), J.where(state.i > maxiter, J.array(3), J.array(0)))
    alpha_k = J.asarray(state.a_star)
    if dtypes.finfo(alpha_k.dtype).bits != 64:
        alpha_k = J.where(J.abs(alpha_k) < 1e-8, J.sign(alpha_k) * 1e-8, alpha_k)
    return _LineSearchResults(failed=state.failed | (~state.done), nit=state.i - 1,
                              nfev=state.nfev, ngev=state.ngev, k=state.i, a_k=alpha_k,
                              f_k=state.phi_star, g_k=state.g_star, status=status)
