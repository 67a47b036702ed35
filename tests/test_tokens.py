"""Tokens: lax.create_token / lax.after_all through eager execution, jit, make_jaxpr,
control flow, differentiation and vmap (against jax==0.10.2 where installed)."""
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax import lax
from pyjax._src import core
from pyjax.errors import JaxprTypeError


def _tok():
    return lax.create_token()


def _is_token(x):
    return type(x) is core.Token


def _eqn_types(closed, short=lambda a: a.str_short()):
    """(input types, (primitive, input types, output types) per equation, output types),
    comparable across pyjax and jax."""
    return ([short(a) for a in closed.in_avals],
            [(e.primitive.name, [short(v.aval) for v in e.invars],
              [short(v.aval) for v in e.outvars]) for e in closed.eqns],
            [short(a) for a in closed.out_avals])


# ---------------------------------------------------------------------------
# Values and types


def test_eager_values_and_types():
    t = lax.create_token()
    assert _is_token(t)
    assert core.get_aval(t) is core.abstract_token
    assert repr(core.abstract_token) == "AbstractToken()" and str(core.abstract_token) == "AbstractToken()"
    assert _is_token(lax.create_token(np.ones(3)))  # the operand is ignored
    assert _is_token(lax.after_all(t, t, lax.create_token()))
    assert _is_token(lax.after_all())
    assert lax.create_token_p.name == "create_token" and lax.after_all_p.name == "after_all"
    assert pyjax.tree_util.tree_leaves((t, [1, t])) == [t, 1, t]
    assert pyjax.block_until_ready(t) is t


@pytest.mark.parametrize("make_bad", [lambda: 1.0, lambda: np.ones(2, np.float32),
                                      lambda: jnp.ones(2)])
def test_after_all_rejects_non_tokens(make_bad):
    t = _tok()
    with pytest.raises(TypeError, match="after_all must be tokens"):
        lax.after_all(t, make_bad())
    with pytest.raises(TypeError, match="after_all must be tokens"):
        pyjax.jit(lambda x: lax.after_all(x))(1.0)


def test_token_is_not_an_array():
    t = _tok()
    with pytest.raises(TypeError):
        jnp.add(t, 1)
    with pytest.raises(TypeError):
        jnp.asarray(t)
    with pytest.raises((TypeError, AttributeError)):  # JAX: AttributeError under jit
        pyjax.jit(lambda t: t + 1)(t)


def test_make_jaxpr():
    t = _tok()
    text = str(pyjax.make_jaxpr(lambda x: lax.after_all(lax.create_token(x), lax.create_token()))(1.0))
    assert "Tok = create_token" in text and "after_all" in text
    ins, eqns, outs = _eqn_types(pyjax.make_jaxpr(lambda x: lax.create_token(x))(1.0))
    # The operand of create_token is dropped, as in JAX.
    assert (ins, eqns, outs) == (["f32[]"], [("create_token", [], ["Tok"])], ["Tok"])
    ins, eqns, outs = _eqn_types(pyjax.make_jaxpr(lambda t: lax.after_all(t, t))(t))
    assert (ins, eqns, outs) == (["Tok"], [("after_all", ["Tok", "Tok"], ["Tok"])], ["Tok"])
    assert _eqn_types(pyjax.make_jaxpr(lambda t: t)(t)) == (["Tok"], [], ["Tok"])
    assert pyjax.eval_shape(lambda x: lax.create_token(x), 1.0) == core.abstract_token


def _jaxpr_fns(lax_mod):
    def while_fn(t):
        return lax_mod.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, lax_mod.after_all(c[1])),
                                  (0, t))
    return [
        (lambda x: lax_mod.create_token(x), "x"),
        (lambda x: lax_mod.create_token(), "x"),
        (lambda x: lax_mod.after_all(lax_mod.create_token(x), lax_mod.create_token()), "x"),
        (lambda x: lax_mod.after_all(), "x"),
        (lambda t: lax_mod.after_all(t, t), "t"),
        (while_fn, "t"),
    ]


def test_make_jaxpr_matches_jax():
    jax = pytest.importorskip("jax")
    ours, theirs = _jaxpr_fns(lax), _jaxpr_fns(jax.lax)
    for (f, kind), (g, _) in zip(ours, theirs):
        a = pyjax.make_jaxpr(f)(1.0 if kind == "x" else lax.create_token())
        b = jax.make_jaxpr(g)(1.0 if kind == "x" else jax.lax.create_token())
        assert _eqn_types(a) == _eqn_types(b, lambda a: a.str_short(short_dtypes=True))
    # Same error class for a non-token operand.
    with pytest.raises(TypeError):
        jax.lax.after_all(1.0)
    assert str(jax.typeof(jax.lax.create_token())) == str(core.abstract_token)


# ---------------------------------------------------------------------------
# jit


def test_jit_token_inputs_and_outputs():
    traces = []

    @pyjax.jit
    def f(t, x):
        traces.append(1)
        return lax.after_all(t, lax.create_token(x)), x * 2

    t = _tok()
    out_t, y = f(t, 3.0)
    assert _is_token(out_t) and float(y) == 6.0
    out_t2, _ = f(out_t, 4.0)
    assert _is_token(out_t2) and len(traces) == 1  # same signature: cached
    assert _is_token(pyjax.jit(lambda t: t)(t))
    assert _is_token(pyjax.jit(lambda x: lax.create_token(x))(1.0))
    # A token closed over by a jitted function becomes a constant.
    y, t3 = pyjax.jit(lambda x: (x, t))(1.0)
    assert _is_token(t3)
    text = str(pyjax.make_jaxpr(pyjax.jit(lambda t: lax.after_all(t)))(t))
    assert "jit" in text and "after_all" in text


def test_check_jaxpr_accepts_tokens_and_raises_jaxpr_type_error():
    t = _tok()
    closed = pyjax.make_jaxpr(lambda t, x: (lax.after_all(t, lax.create_token()), jnp.sin(x)))(t, 1.0)
    core.check_jaxpr(closed.jaxpr)
    # Ill-typed: the sin equation claims an f64 result.
    eqn = closed.jaxpr.eqns[-1]
    eqn.outvars[0].aval = core.ShapedArray((), np.float64)
    with pytest.raises(JaxprTypeError, match="sin"):
        core.check_jaxpr(closed.jaxpr)
    assert issubclass(JaxprTypeError, TypeError)
    # Undefined variable.
    bad = core.Jaxpr([], [], [core.Var(core.abstract_token)], [])
    with pytest.raises(JaxprTypeError, match="before definition"):
        core.check_jaxpr(bad)


def test_jaxpr_type_error_class_matches_jax():
    jax = pytest.importorskip("jax")
    assert issubclass(jax.errors.JaxprTypeError, TypeError)


# ---------------------------------------------------------------------------
# Control flow


def test_while_loop_carries_a_token():
    t = _tok()

    def f(t):
        return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, lax.after_all(c[1])), (0, t))

    for g in (f, pyjax.jit(f)):
        n, t2 = g(t)
        assert int(n) == 3 and _is_token(t2)
    text = str(pyjax.make_jaxpr(f)(t))
    assert "while" in text and "Tok" in text
    with pytest.raises(TypeError, match="identical types"):
        lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, 1.0), (0, t))
    # fori_loop with static bounds (a scan) and with traced ones (a while loop).
    assert _is_token(lax.fori_loop(0, 3, lambda i, c: lax.after_all(c), t))
    assert _is_token(pyjax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: lax.after_all(c), t))(3))


def test_scan_carries_a_token():
    t = _tok()

    def f(t, xs):
        return lax.scan(lambda c, x: ((c[0] + x, lax.after_all(c[1])), c[0]), (0.0, t), xs)

    xs = jnp.arange(1.0, 4.0)
    for g in (f, pyjax.jit(f)):
        (s, t2), ys = g(t, xs)
        assert float(s) == 6.0 and _is_token(t2)
        np.testing.assert_array_equal(np.asarray(ys), [0.0, 1.0, 3.0])
    with pytest.raises(TypeError, match="ys outputs cannot be tokens"):
        lax.scan(lambda c, x: (c, lax.create_token()), 0.0, xs)
    with pytest.raises(TypeError, match="xs cannot contain tokens"):
        lax.scan(lambda c, x: (c, x), 0.0, t)


def test_cond_passes_tokens():
    t = _tok()

    def f(p, x, t):
        return lax.cond(p, lambda x, t: (x * 2, lax.after_all(t)), lambda x, t: (x, t), x, t)

    for g in (f, pyjax.jit(f)):
        for p, want in ((True, 6.0), (False, 3.0)):
            y, t2 = g(p, 3.0, t)
            assert float(y) == want and _is_token(t2)
    with pytest.raises(TypeError, match="identical types"):
        lax.cond(True, lambda t: t, lambda t: 1.0, t)
    assert _is_token(lax.switch(1, [lambda t: t, lambda t: lax.after_all(t)], t))


# ---------------------------------------------------------------------------
# Differentiation: tokens have none


def test_grad_through_token_carrying_control_flow():
    def scan_f(x):
        (c, _), _ = lax.scan(lambda c, y: ((c[0] * y, lax.after_all(c[1])), None),
                             (x, lax.create_token()), jnp.arange(1.0, 4.0))
        return c

    assert float(pyjax.grad(scan_f)(2.0)) == 6.0

    def cond_f(x):
        return lax.cond(x > 0, lambda x, t: (x * x, lax.after_all(t)), lambda x, t: (x, t),
                        x, lax.create_token())[0]

    assert float(pyjax.grad(cond_f)(3.0)) == 6.0

    def while_f(x):
        return lax.while_loop(lambda c: c[0] < 10.0, lambda c: (c[0] * 2, lax.after_all(c[1])),
                              (x, lax.create_token()))[0]

    y, dy = pyjax.jvp(while_f, (1.0,), (1.0,))
    assert float(y) == 16.0 and float(dy) == 16.0


def test_token_arguments_and_results_have_no_derivative():
    t = _tok()
    f = lambda x, t: (x * x, lax.after_all(t))  # noqa: E731
    (y, t_out), (dy, dt) = pyjax.jvp(f, (2.0, t), (1.0, np.zeros((), pyjax.dtypes.float0)))
    assert float(dy) == 4.0 and _is_token(t_out) and _is_token(dt)
    (y, t_out), vjp_fn = pyjax.vjp(f, 2.0, t)
    gx, gt = vjp_fn((1.0, t_out))
    assert float(gx) == 4.0 and _is_token(gt)
    g, aux = pyjax.grad(f, has_aux=True)(3.0, t)
    assert float(g) == 6.0 and _is_token(aux)
    assert float(pyjax.grad(lambda x, t: pyjax.jit(f)(x, t)[0])(2.0, t)) == 4.0
    y, f_jvp = pyjax.linearize(f, 2.0, t)
    assert float(f_jvp(1.0, t)[0]) == 4.0
    with pytest.raises(TypeError, match="Output had abstract value AbstractToken"):
        pyjax.grad(lambda x: lax.create_token(x))(1.0)
    with pytest.raises(TypeError, match="token"):
        pyjax.grad(lambda x, t: x * 2, argnums=1)(1.0, t)


# ---------------------------------------------------------------------------
# Batching: tokens are never batched


def test_vmap_keeps_tokens_unbatched():
    t = _tok()
    y, t2 = pyjax.vmap(lambda x, t: (x * 2, lax.after_all(t)), in_axes=(0, None))(jnp.ones(3), t)
    np.testing.assert_array_equal(np.asarray(y), [2.0, 2.0, 2.0])
    assert _is_token(t2)
    y, t2 = pyjax.vmap(lambda x: (x, lax.create_token(x)))(jnp.ones(3))
    assert y.shape == (3,) and _is_token(t2)
    y, t2 = pyjax.vmap(pyjax.jit(lambda x, t: (x * 2, lax.after_all(t))), in_axes=(0, None))(
        jnp.ones(2), t)
    assert y.shape == (2,) and _is_token(t2)
    with pytest.raises(ValueError, match="token"):
        pyjax.vmap(lambda x, t: x, in_axes=(0, 0))(jnp.ones(3), t)


def test_vmap_of_control_flow_with_tokens():
    xs = jnp.arange(1.0, 4.0)

    def while_f(x):  # a batched predicate: lanes stop at different times
        return lax.while_loop(lambda c: c[0] < 10.0, lambda c: (c[0] * 2, lax.after_all(c[1])),
                              (x, lax.create_token()))

    y, t = pyjax.vmap(while_f, out_axes=(0, None))(xs)
    np.testing.assert_array_equal(np.asarray(y), [16.0, 16.0, 12.0])
    assert _is_token(t)

    def cond_f(x):  # a batched predicate: a select per lane, tokens merged
        return lax.cond(x > 1, lambda x, t: (x * x, lax.after_all(t)), lambda x, t: (x, t),
                        x, lax.create_token())

    y, t = pyjax.vmap(cond_f)(xs)
    np.testing.assert_array_equal(np.asarray(y), [1.0, 4.0, 9.0])
    assert _is_token(t)

    def scan_f(x):
        (c, t), _ = lax.scan(lambda c, y: ((c[0] * y, lax.after_all(c[1])), None),
                             (x, lax.create_token()), jnp.arange(1.0, 4.0))
        return c, t

    y, t = pyjax.jit(pyjax.vmap(scan_f))(xs)
    np.testing.assert_array_equal(np.asarray(y), [6.0, 12.0, 18.0])
    assert _is_token(t)
