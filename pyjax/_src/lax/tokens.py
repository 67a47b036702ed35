"""Tokens: `create_token` and `after_all`, values that only order side effects.

A token has the abstract value `core.abstract_token` (printed `Tok` in jaxprs) and the
concrete value `core.Token()`.  Neither primitive computes anything: `create_token`
ignores its operand (JAX drops it from the jaxpr) and `after_all` merges any number of
tokens into one.  Tokens have no derivative (their tangent is a symbolic zero of type
token) and are never batched.
"""
from pyjax._src import core
from pyjax._src.core import AbstractToken, Token, abstract_token, register
from pyjax._src.interpreters.ad import Zero


class _TokenPrimitive(core.Primitive):
    """Eagerly a token primitive returns a `Token`, not an array, so it skips the array
    wrapping of EvalTrace (keeping that hot path free of a check for tokens)."""
    __slots__ = ()

    def bind(self, *args, **params):
        trace = core._ctx.trace
        if type(trace) is core.EvalTrace:
            core.abstract_eval(self, [core.get_aval(x) for x in args], params)
            return Token()
        return trace.process_primitive(self, args, params)


create_token_p = _TokenPrimitive("create_token")
after_all_p = _TokenPrimitive("after_all")


def _create_token_abstract_eval():
    return abstract_token


def _after_all_abstract_eval(*avals):
    if any(type(a) is not AbstractToken for a in avals):
        got = ", ".join(str(a) for a in avals)
        raise TypeError(f"Arguments to after_all must be tokens, got ({got})")
    return abstract_token


def _token_jvp(prim):
    def rule(primals, tangents):
        return prim.bind(*primals), Zero(abstract_token)
    return rule


def _after_all_batch(vals, dims):
    # A token carries no data, so there is nothing to batch: the result is unbatched.
    return after_all_p.bind(*vals), None


register(create_token_p, impl=lambda: Token(), abstract_eval=_create_token_abstract_eval,
         weak_type=core.never_weak, jvp=_token_jvp(create_token_p),
         batch=lambda vals, dims: (create_token_p.bind(), None))
register(after_all_p, impl=lambda *tokens: Token(), abstract_eval=_after_all_abstract_eval,
         weak_type=core.never_weak, jvp=_token_jvp(after_all_p), batch=_after_all_batch)


def create_token(_=None):
    """A new token.  The operand, if any, is ignored (as in JAX, it is not staged)."""
    return create_token_p.bind()


def after_all(*operands):
    """A token that follows all of `operands`, which must be tokens."""
    return after_all_p.bind(*operands)


__all__ = ["create_token", "after_all", "create_token_p", "after_all_p"]
