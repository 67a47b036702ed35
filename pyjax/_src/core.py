"""The core: abstract values, arrays, primitives, traces and jaxprs.

Every operation reaches the core through `Primitive.bind`, which hands the
primitive to the *current trace*.  A transformation installs its trace as the
current one while the user's function runs; its rules bind again on the trace's
parent.  Tracers remember their trace, so values of nested transformations never
mix (no perturbation confusion) and a tracer that outlives its transformation is
detected.
"""
import itertools
import operator

import numpy as np

from pyjax._src import dtypes
from pyjax._src.config import config
from pyjax._src.errors import (ConcretizationTypeError, JaxprTypeError,
                               TracerArrayConversionError, TracerBoolConversionError,
                               TracerIntegerConversionError, UnexpectedTracerError)
from pyjax._src.source_info import user_frame, user_line

# ---------------------------------------------------------------------------
# Abstract values


class ShapedArray:
    """The type of an array: shape, dtype and whether the dtype is weak."""
    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __eq__(self, other):
        return (type(other) is ShapedArray and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.weak_type))

    def strip_weak_type(self):
        return ShapedArray(self.shape, self.dtype) if self.weak_type else self

    def update(self, shape=None, dtype=None, weak_type=None):
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def str_short(self):
        return f"{dtype_short_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    __str__ = str_short

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.str_short()}{weak})"


class AbstractToken:
    """The type of a token (`lax.create_token`, `lax.after_all`): no shape, no dtype, no data.

    Tokens only order side effects; they can be passed through jit, control flow and
    pytrees, are never batched and have no derivative.  One instance, `abstract_token`.
    """
    __slots__ = ()
    weak_type = False

    def __eq__(self, other):
        return type(other) is AbstractToken

    def __hash__(self):
        return hash(AbstractToken)

    def strip_weak_type(self):
        return self

    def str_short(self):
        return "Tok"

    def __repr__(self):
        return "AbstractToken()"


abstract_token = AbstractToken()


class Token:
    """A concrete token: a value carrying no data, only an ordering."""
    __slots__ = ()
    aval = abstract_token

    def block_until_ready(self):
        return self

    def __repr__(self):
        return "Token()"


_SHORT_NAMES = {"float16": "f16", "float32": "f32", "float64": "f64", "bfloat16": "bf16",
                "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
                "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
                "complex64": "c64", "complex128": "c128", "bool": "bool"}


def dtype_short_name(dtype):
    if dtypes.is_float0(dtype):
        return "float0"
    return _SHORT_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def get_aval(x):
    """The abstract value of an array-like (Array, tracer, numpy value or Python scalar)."""
    if isinstance(x, Array):
        return x.aval
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        return ShapedArray((), dtypes.dtype(x, canonicalize=True), type(x) is not bool)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(np.shape(x), dtypes.canonicalize_dtype(x.dtype))
    if type(x) is Token:
        return abstract_token
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid pyjax type")


# ---------------------------------------------------------------------------
# Arrays


class Array:
    """Base of concrete arrays and tracers; `isinstance(x, pyjax.Array)` holds for both.

    Operators and methods (`+`, `.sum()`, indexing...) are attached by
    pyjax._src.numpy.array_methods, since they are written with jax.numpy.
    """
    __slots__ = ()
    __array_priority__ = 100

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    weak_type = property(lambda self: self.aval.weak_type)
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d array)")
        return self.shape[0]


class ArrayImpl(Array):
    """A concrete array: an immutable NumPy buffer on the CPU device."""
    __slots__ = ("_value", "_weak")

    def __init__(self, value, weak_type=False):
        self._value = value
        self._weak = weak_type

    @property
    def aval(self):
        return ShapedArray(self._value.shape, self._value.dtype, self._weak)

    shape = property(lambda self: self._value.shape)
    dtype = property(lambda self: self._value.dtype)
    weak_type = property(lambda self: self._weak)
    ndim = property(lambda self: self._value.ndim)
    size = property(lambda self: self._value.size)

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value)
        if dtype is not None and np.dtype(dtype) != v.dtype:
            return v.astype(dtype)
        # Our buffer is immutable; hand out a read-only view unless a copy is asked for.
        if copy:
            return v.copy()
        v = v.view()
        v.flags.writeable = False
        return v

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        if not np.issubdtype(self._value.dtype, np.integer) or self._value.ndim:
            raise TypeError("Only integer scalar arrays can be converted to a scalar index, got "
                            f"{self.aval.str_short()}")
        return operator.index(self._value.item())

    def item(self, *args):
        return self._value.item(*args)

    def tolist(self):
        return np.asarray(self._value).tolist()

    def block_until_ready(self):
        return self

    def copy(self):
        return ArrayImpl(np.array(self._value, copy=True), self._weak)

    def __reduce__(self):
        return (_rebuild_array, (np.asarray(self._value), self._weak))

    def __hash__(self):
        raise TypeError("unhashable type: 'Array'")


def _rebuild_array(value, weak):
    return ArrayImpl(value, weak)


def to_numpy(x):
    """A NumPy value for a concrete array-like; raises for tracers."""
    if type(x) is ArrayImpl:
        return x._value
    if isinstance(x, Tracer):
        raise TracerArrayConversionError(x._conversion_message("numpy.asarray()"))
    if type(x) is Token:  # the back end's value of a token is the token itself
        return x
    return np.asarray(x)


# ---------------------------------------------------------------------------
# Primitives and their rule tables

# One table per transformation, keyed by primitive.  `register` fills them all
# from the primitive's own module, so every rule of a primitive sits in one place.
impl_rules = {}          # prim -> fn(*numpy_values, **params) -> numpy value(s)
abstract_eval_rules = {} # prim -> fn(*avals, **params) -> (shape, dtype) or list of those
weak_type_rules = {}     # prim -> fn(*weak_flags, **params) -> bool, or a list of bools per
                         # output of a multiple-results primitive (default: all inputs weak)
jvp_rules = {}           # prim -> fn(primals, tangents, **params) -> (primal_out, tangent_out)
transpose_rules = {}     # prim -> fn(cotangent, *args, **params) -> cotangents per arg
batch_rules = {}         # prim -> fn(args, dims, **params) -> (out, out_dim)
partial_eval_rules = {}  # prim -> fn(trace, args, params): split known/unknown work (linearize)

# Primitives with side effects (callbacks): staged programs keep and order them.
effectful_primitives = set()

_TABLES = {"impl": impl_rules, "abstract_eval": abstract_eval_rules,
           "weak_type": weak_type_rules, "jvp": jvp_rules,
           "transpose": transpose_rules, "batch": batch_rules,
           "partial_eval": partial_eval_rules}


class Primitive:
    __slots__ = ("name", "multiple_results")

    def __init__(self, name, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results

    def bind(self, *args, **params):
        return _ctx.trace.process_primitive(self, args, params)

    def __repr__(self):
        return self.name


class CallPrimitive(Primitive):
    """A primitive that calls a sub-jaxpr (param `jaxpr`, a ClosedJaxpr): jit, custom_jvp_call...

    Traces without a rule for it inline the sub-jaxpr, so it needs rules only
    where it means more than its body.
    """
    __slots__ = ()

    def __init__(self, name):
        super().__init__(name, multiple_results=True)

    def bind(self, *args, **params):
        return _ctx.trace.process_call(self, args, params)


def inline_call(args, params):
    jaxpr = params["jaxpr"]
    return eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)


def register(prim, **rules):
    """Register all rules of `prim` at once: impl, abstract_eval, weak_type, jvp, transpose, batch."""
    for kind, rule in rules.items():
        if rule is not None:
            _TABLES[kind][prim] = rule
    return prim


def all_weak(*weak, **_):
    return bool(weak) and all(weak)


def never_weak(*_, **__):
    return False


def abstract_eval(prim, avals, params):
    """The output aval(s) of `prim` applied to `avals`."""
    try:
        rule = abstract_eval_rules[prim]
    except KeyError:
        raise NotImplementedError(f"primitive {prim.name} has no abstract evaluation rule") from None
    out = rule(*avals, **params)
    weak = weak_type_rules.get(prim, all_weak)(*[a.weak_type for a in avals], **params)
    if prim.multiple_results:
        ws = weak if isinstance(weak, list) else [weak] * len(out)
        return [o if isinstance(o, (ShapedArray, AbstractToken)) else ShapedArray(o[0], o[1], w)
                for o, w in zip(out, ws)]
    if isinstance(out, (ShapedArray, AbstractToken)):
        return out
    return ShapedArray(out[0], out[1], weak)


def abstract_eval_at_user_line(prim, avals, params):
    """abstract_eval, with the user's source line added to the type errors it raises."""
    try:
        return abstract_eval(prim, avals, params)
    except (TypeError, ValueError) as e:
        where = user_frame()
        if where is None or "(from " in str(e):
            raise
        raise type(e)(f"{e} (from {where})") from e


# ---------------------------------------------------------------------------
# Traces


class Trace:
    """A transformation's interpretation of primitives.  `parent` is the trace its rules bind on."""
    __slots__ = ("parent", "valid", "__weakref__")

    def __init__(self, parent):
        self.parent = parent
        self.valid = True

    def process_primitive(self, prim, args, params):
        raise NotImplementedError(f"{type(self).__name__} must define process_primitive")

    def process_call(self, prim, args, params):
        """A call primitive (jit, custom_jvp...): by default, inline its jaxpr on this trace."""
        return inline_call(args, params)

    def invalidate(self):
        self.valid = False


class EvalTrace(Trace):
    """Eager evaluation with the NumPy implementations: the bottom of every trace chain."""
    __slots__ = ()

    def __init__(self):
        super().__init__(None)

    def process_primitive(self, prim, args, params):
        vals = []
        weak = []
        for x in args:
            if type(x) is ArrayImpl:
                vals.append(x._value)
                weak.append(x._weak)
            else:
                vals.append(_concrete_arg(prim, x))
                weak.append(dtypes.is_weakly_typed(x))
        if prim in abstract_eval_rules:
            _check_eager_types(prim, args, vals, params)
        # NumPy's floating-point warnings are noise here: JAX returns inf/nan silently.
        with np.errstate(all="ignore"):
            out = impl_rules[prim](*vals, **params)
        if _config_values["jax_debug_nans"] or _config_values["jax_debug_infs"]:
            check_special_values(prim.name, out if prim.multiple_results else [out], user_line())
        w = weak_type_rules.get(prim, all_weak)(*weak, **params)
        if prim.multiple_results:
            ws = w if isinstance(w, list) else [w] * len(out)
            return [ArrayImpl(o, wo) if type(o) is np.ndarray else _wrap_eager(o, wo)
                    for o, wo in zip(out, ws)]
        return ArrayImpl(out, w)

    def process_call(self, prim, args, params):
        rule = impl_rules.get(prim)
        return rule(*args, **params) if rule else inline_call(args, params)


def _wrap_eager(o, weak):
    # Tokens (a loop carrying one, say) stay tokens; everything else becomes an array.
    return o if type(o) is Token else ArrayImpl(np.asarray(o), weak)


# Signatures abstract evaluation has accepted eagerly: (primitive, operand types, params).
_accepted_signatures = set()


def _check_eager_types(prim, args, vals, params):
    """Eager calls get the same type checks as traced ones (NumPy would often compute
    something, e.g. a float sqrt of an int32, where JAX raises); a signature is checked
    once, so the per-call cost is one set lookup."""
    try:
        key = (prim, tuple([(v.dtype, v.shape) for v in vals]), tuple(params.items()))
        if key in _accepted_signatures:
            return
    except (AttributeError, TypeError):  # Python scalars or unhashable params: no caching
        key = None
    abstract_eval_at_user_line(prim, [get_aval(x) for x in args], params)
    if key is not None and len(_accepted_signatures) < 65536:
        _accepted_signatures.add(key)


def check_special_values(name, outs, where):
    """jax_debug_nans / jax_debug_infs: raise FloatingPointError naming the primitive and the
    user's line when an output has a NaN / an infinity."""
    for o in outs:
        o = np.asarray(o)
        if o.dtype.kind not in "fc":
            continue
        at = f" (at {where})" if where else ""
        if _config_values["jax_debug_nans"] and np.isnan(o).any():
            raise FloatingPointError(f"invalid value (nan) encountered in {name}{at}")
        if _config_values["jax_debug_infs"] and np.isinf(o).any():
            raise FloatingPointError(f"invalid value (inf) encountered in {name}{at}")


def _concrete_arg(prim, x):
    if isinstance(x, Tracer):
        if not x._trace.valid:
            raise UnexpectedTracerError(escaped_tracer_message(x, prim))
        raise UnexpectedTracerError(
            f"{prim.name} received a tracer of a transformation that is not active here: {x}. "
            "It was probably stored in a Python variable by a transformed function and used "
            "outside of it. Return values from transformed functions instead of leaking them.")
    if isinstance(x, np.ndarray) or type(x) is Token:
        return x
    return np.asarray(x, dtype=dtypes.dtype(x, canonicalize=True))


def escaped_tracer_message(x, prim=None):
    op = f" in {prim.name}" if prim is not None else ""
    return (f"Encountered an unexpected tracer{op}: {x}. A function transformed by pyjax "
            f"(jit, grad, vmap, ...) stored one of its intermediate values ({x.aval.str_short()}) "
            "outside its scope, e.g. in a global or a closure, and it was used after the "
            "transformation had finished. Pass the value out as a return value instead."
            + (f"\nUsed at: {user_line()}" if user_line() else ""))


class _Context:
    __slots__ = ("trace",)


_config_values = config._values  # read per operation: one dict lookup, no attribute chain
_ctx = _Context()
_ctx.trace = EvalTrace()
eval_trace = _ctx.trace


def current_trace():
    return _ctx.trace


class set_current_trace:
    """Context manager installing `trace` as the current trace."""
    __slots__ = ("trace", "prev")

    def __init__(self, trace):
        self.trace = trace

    def __enter__(self):
        self.prev = _ctx.trace
        _ctx.trace = self.trace

    def __exit__(self, *exc):
        _ctx.trace = self.prev


class Tracer(Array):
    """A value flowing through a transformation; it knows its trace and its aval."""
    __slots__ = ("_trace",)

    @property
    def aval(self):
        raise NotImplementedError

    def to_concrete_value(self):
        """The concrete value behind this tracer when the transformation has one (else None)."""
        return None

    def _conversion_message(self, what):
        where = user_line()
        return (f"Attempted {what} on a traced value {self.aval.str_short()} "
                f"(in {type(self._trace).__name__}). The value is abstract here: it depends on "
                "the arguments of a transformed function, so Python control flow and "
                "conversions cannot see it. Use lax.cond/lax.select/jnp.where for branches on "
                "values, or mark the argument static (jit's static_argnums / static_argnames)."
                + (f"\nThe problem arose at {where}." if where else ""))

    def _concrete(self, what, error):
        v = self.to_concrete_value()
        if v is None:
            raise error(self._conversion_message(what))
        return v

    def __bool__(self):
        return bool(self._concrete("bool() (e.g. `if x:`)", TracerBoolConversionError))

    def __int__(self):
        return int(self._concrete("int()", TracerIntegerConversionError))

    def __index__(self):
        v = self._concrete("__index__ (use as an index or size)", TracerIntegerConversionError)
        return operator.index(np.asarray(v).item())

    def __float__(self):
        return float(self._concrete("float()", ConcretizationTypeError))

    def __complex__(self):
        return complex(self._concrete("complex()", ConcretizationTypeError))

    def __array__(self, dtype=None, copy=None):
        raise TracerArrayConversionError(self._conversion_message("numpy.asarray()"))

    def item(self, *args):
        return np.asarray(self._concrete(".item()", ConcretizationTypeError)).item(*args)

    def tolist(self):
        return np.asarray(self._concrete(".tolist()", ConcretizationTypeError)).tolist()

    def __hash__(self):
        raise TypeError(f"unhashable type: {type(self).__name__}")

    def block_until_ready(self):
        return self

    def __repr__(self):
        return f"Traced<{self.aval.str_short()}>with<{type(self._trace).__name__}>"


def concrete_or_error(x, what="a concrete value"):
    """`x` as a NumPy value, or a ConcretizationTypeError explaining `what` needed it."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(x._conversion_message(what))
        return np.asarray(v)
    return to_numpy(x)


# ---------------------------------------------------------------------------
# Jaxprs


class Var:
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Var({self.aval})"


class Literal:
    """A constant scalar written inline in a jaxpr."""
    __slots__ = ("val", "aval")

    def __init__(self, val, aval):
        self.val = val
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.val})"


class JaxprEqn:
    __slots__ = ("primitive", "invars", "outvars", "params", "source_info")

    def __init__(self, primitive, invars, outvars, params, source_info=None):
        self.primitive, self.invars, self.outvars = primitive, invars, outvars
        self.params, self.source_info = params, source_info


class Jaxpr:
    """A typed program: `{ lambda constvars ; invars . let eqns in outvars }`."""
    __slots__ = ("constvars", "invars", "outvars", "eqns")

    def __init__(self, constvars, invars, outvars, eqns):
        self.constvars, self.invars = list(constvars), list(invars)
        self.outvars, self.eqns = list(outvars), list(eqns)

    in_avals = property(lambda self: [v.aval for v in self.invars])
    out_avals = property(lambda self: [v.aval for v in self.outvars])

    def __str__(self):
        return pp_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr with values for its constvars (and, once run, its compiled executable)."""
    __slots__ = ("jaxpr", "consts", "_executable")

    def __init__(self, jaxpr, consts):
        self.jaxpr, self.consts = jaxpr, list(consts)
        self._executable = None

    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    eqns = property(lambda self: self.jaxpr.eqns)

    def __call__(self, *args):
        return eval_jaxpr(self.jaxpr, self.consts, *args)

    def __str__(self):
        return pp_jaxpr(self.jaxpr)

    __repr__ = __str__

    def pretty_print(self, name_stack=False, **_):
        return pp_jaxpr(self.jaxpr, name_stack)


def eval_jaxpr(jaxpr, consts, *args):
    """Evaluate `jaxpr` by binding each equation on the current trace; returns a list."""
    env = {}
    write = env.__setitem__
    for v, x in zip(jaxpr.constvars, consts):
        write(v, x)
    if len(args) != len(jaxpr.invars):
        raise TypeError(f"jaxpr takes {len(jaxpr.invars)} arguments, got {len(args)}")
    for v, x in zip(jaxpr.invars, args):
        write(v, x)

    def read(v):
        return v.val if type(v) is Literal else env[v]

    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        try:
            outs = eqn.primitive.bind(*ins, **eqn.params)
        except UnexpectedTracerError:
            raise
        except (TypeError, ValueError) as e:
            if eqn.source_info is None or "(from " in str(e):
                raise
            raise type(e)(f"{e} (from {eqn.source_info})") from e
        if eqn.primitive.multiple_results:
            for v, x in zip(eqn.outvars, outs):
                write(v, x)
        else:
            write(eqn.outvars[0], outs)
    return [read(v) for v in jaxpr.outvars]


def check_jaxpr(jaxpr):
    """Type-check a jaxpr: every variable defined once before use, every equation's types agree."""
    defined = set()

    def use(v, where):
        if type(v) is Literal:
            return
        if v not in defined:
            raise JaxprTypeError(f"jaxpr check: variable {v} used before definition in {where}")

    for v in itertools.chain(jaxpr.constvars, jaxpr.invars):
        defined.add(v)
    for eqn in jaxpr.eqns:
        for v in eqn.invars:
            use(v, eqn.primitive.name)
        avals = abstract_eval(eqn.primitive, [v.aval for v in eqn.invars], eqn.params) \
            if eqn.primitive in abstract_eval_rules else None
        if avals is not None:
            outs = avals if eqn.primitive.multiple_results else [avals]
            for o, v in zip(outs, eqn.outvars):
                if o.strip_weak_type() != v.aval.strip_weak_type():
                    raise JaxprTypeError(f"jaxpr check: {eqn.primitive.name} produces {o} "
                                         f"but its output variable has type {v.aval}")
        defined.update(eqn.outvars)
    for v in jaxpr.outvars:
        use(v, "the outputs")


# --- printing ---------------------------------------------------------------


def _var_names():
    for n in itertools.count(1):
        # a, b, ..., z, ba, bb, ...: a base-26 count without the leading 'a's, like JAX.
        s, k = "", n - 1
        while True:
            s = chr(ord("a") + k % 26) + s
            k //= 26
            if k == 0:
                break
        yield s


class _Names:
    def __init__(self):
        self.names = {}
        self.gen = _var_names()

    def __call__(self, v):
        if type(v) is Literal:
            val = np.asarray(v.val)
            text = repr(val.item()) if val.dtype != np.bool_ else str(bool(val))
            if val.dtype.kind == "f" and text in ("inf", "-inf", "nan"):
                text = text
            return f"{text}:{v.aval.str_short()}"
        if v not in self.names:
            self.names[v] = next(self.gen)
        return self.names[v]


def _pp_param(value, names, indent):
    if isinstance(value, ClosedJaxpr):
        value = value.jaxpr
    if isinstance(value, Jaxpr):
        return _pp_jaxpr(value, names, indent + 2)
    if callable(value) and not isinstance(value, (type, np.dtype)):
        return getattr(value, "__name__", repr(value))
    if isinstance(value, np.dtype):
        return value.name
    return str(value)


def _pp_jaxpr(jaxpr, names, indent=0, name_stack=False):
    pad = " " * indent

    def binders(vs):
        return " ".join(f"{names(v)}:{v.aval.str_short()}" for v in vs)

    head = f"{{ lambda {binders(jaxpr.constvars)}; {binders(jaxpr.invars)}. let"
    lines = [head]
    for eqn in jaxpr.eqns:
        outs = binders(eqn.outvars) or "_"
        params = ""
        if eqn.params:
            items = [f"{k}={_pp_param(v, names, indent + 4)}" for k, v in sorted(eqn.params.items())]
            inline = " ".join(items)
            if "\n" in inline or len(inline) > 60:
                params = "[\n" + "".join(f"{pad}      {it}\n" for it in items) + f"{pad}    ]"
            else:
                params = f"[{inline}]"
        ins = " ".join(names(v) for v in eqn.invars)
        scope = ""
        if name_stack and eqn.source_info is not None and eqn.source_info.name_stack:
            scope = "  # " + "/".join(eqn.source_info.name_stack)
        lines.append(f"{pad}    {outs} = {eqn.primitive.name}{params} {ins}".rstrip() + scope)
    outs = ", ".join(names(v) for v in jaxpr.outvars)
    lines.append(f"{pad}  in ({outs},) }}" if len(jaxpr.outvars) == 1 else f"{pad}  in ({outs}) }}")
    return "\n".join(lines)


def pp_jaxpr(jaxpr, name_stack=False):
    return _pp_jaxpr(jaxpr, _Names(), name_stack=name_stack)


__all__ = ["ShapedArray", "AbstractToken", "abstract_token", "Token", "Array", "ArrayImpl",
           "Primitive", "register", "Trace", "Tracer", "EvalTrace", "Jaxpr", "ClosedJaxpr",
           "JaxprEqn", "Var", "Literal", "eval_jaxpr", "check_jaxpr", "set_current_trace",
           "current_trace", "get_aval", "user_frame"]
