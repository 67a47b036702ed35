"""Dtypes, canonicalization and JAX-style type promotion.

What lives here:

* the extra dtypes JAX exposes on top of NumPy (``bfloat16``, ``float8_*``,
  ``int4`` ... from ``ml_dtypes``) and ``float0``, the dtype of tangents/cotangents
  of integer and boolean values;
* canonicalization: with ``jax_enable_x64`` off every 64-bit type is narrowed to
  its 32-bit sibling.  The flag is read at each call (never at import) and the
  caches are keyed on it;
* weak types: Python scalars (and arrays created from them) are "weakly typed":
  they take the dtype of whatever strongly typed value they are combined with;
* type promotion on JAX's lattice (see "Type promotion semantics" in the JAX
  docs), in ``promote_types`` (dtypes only) and ``result_type`` (values, with
  weak types).  ``result_type`` is on the hot path of every ``jnp`` operation,
  so it reduces its arguments to a tuple of hashable keys and memoises on it.
"""
import functools

import ml_dtypes
import numpy as np

from pyjax._src.config import x64_enabled


# ---------------------------------------------------------------------------
# Extra dtypes

bfloat16 = ml_dtypes.bfloat16

# Sub-byte / 8-bit types that JAX exposes; only those this ml_dtypes has are defined.
_SMALL_FLOAT_NAMES = (
    "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn",
    "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn",
    "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu",
)
_INTN_NAMES = ("int1", "int2", "int4", "uint1", "uint2", "uint4")

_g = globals()
for _name in _SMALL_FLOAT_NAMES + _INTN_NAMES:
    if hasattr(ml_dtypes, _name):
        _g[_name] = getattr(ml_dtypes, _name)
del _g, _name

# The dtype of the (co)tangent of an integer or boolean value: zero-sized.
float0 = np.dtype([("float0", np.void, 0)])


class extended(np.generic):
    """Abstract scalar type for non-NumPy ("extended") dtypes such as PRNG keys.

    ``issubdtype(d, extended)`` is True for instances of ExtendedDType whose
    ``type`` derives from this class."""


class ExtendedDType:
    """Base class for dtypes that are not NumPy dtypes (e.g. PRNG key dtypes).

    Subclasses set ``type`` (a subclass of ``extended``) and ``name``.  They only
    take part in trivial promotions (all inputs of the same extended dtype)."""
    type = extended
    name = "extended"


class TypePromotionError(ValueError):
    """No implicit promotion path exists between the given dtypes."""


_d = np.dtype
_b1 = _d(np.bool_)
_u8, _u16, _u32, _u64 = _d(np.uint8), _d(np.uint16), _d(np.uint32), _d(np.uint64)
_i8, _i16, _i32, _i64 = _d(np.int8), _d(np.int16), _d(np.int32), _d(np.int64)
_bf16, _f16, _f32, _f64 = _d(bfloat16), _d(np.float16), _d(np.float32), _d(np.float64)
_c64, _c128 = _d(np.complex64), _d(np.complex128)

_SMALL_FLOATS = tuple(_d(getattr(ml_dtypes, n)) for n in _SMALL_FLOAT_NAMES if hasattr(ml_dtypes, n))
_SIGNED_INTN = tuple(_d(getattr(ml_dtypes, n)) for n in _INTN_NAMES if n[0] == "i" and hasattr(ml_dtypes, n))
_UNSIGNED_INTN = tuple(_d(getattr(ml_dtypes, n)) for n in _INTN_NAMES if n[0] == "u" and hasattr(ml_dtypes, n))
_CUSTOM_FLOATS = (_bf16,) + _SMALL_FLOATS  # floats NumPy's type hierarchy knows nothing of

# Category of every supported dtype: 'b' bool, 'i' signed, 'u' unsigned,
# 'f' real floating, 'c' complex floating.  ml_dtypes types report kind 'V',
# so we keep our own table.
_KIND = {_b1: "b"}
_KIND.update({t: "i" for t in (_i8, _i16, _i32, _i64) + _SIGNED_INTN})
_KIND.update({t: "u" for t in (_u8, _u16, _u32, _u64) + _UNSIGNED_INTN})
_KIND.update({t: "f" for t in (_f16, _f32, _f64) + _CUSTOM_FLOATS})
_KIND.update({t: "c" for t in (_c64, _c128)})
_SUPPORTED = frozenset(_KIND)   # dtypes that may appear in arrays (plus float0)

# Bit widths that differ from itemsize * 8 (sub-byte types are stored in a byte).
_BITS = {t: int("".join(c for c in t.name.split("_")[0] if c.isdigit()))
         for t in _SIGNED_INTN + _UNSIGNED_INTN + _SMALL_FLOATS}

python_scalar_types = (bool, int, float, complex)
# Uncanonicalized dtypes of Python scalars (as in NumPy on 64-bit platforms).
python_scalar_dtypes = {bool: _b1, int: _i64, float: _f64, complex: _c128}


def itemsize_bits(dtype):
    """Number of bits of one element (4 for int4, 32 for float32, ...)."""
    dt = np.dtype(dtype)
    return _BITS.get(dt, dt.itemsize * 8)


# ---------------------------------------------------------------------------
# Canonicalization and defaults

_TO_32 = {_i64: _i32, _u64: _u32, _f64: _f32, _c128: _c64}
_canon_cache = {}


def _canonicalize(dtype, x64):
    if isinstance(dtype, ExtendedDType):
        return dtype
    dt = np.dtype(dtype)
    return dt if x64 else _TO_32.get(dt, dt)


def canonicalize_dtype(dtype):
    """The dtype values of `dtype` actually get: 64-bit types narrowed unless x64."""
    x64 = x64_enabled()
    key = (dtype, x64)
    try:
        return _canon_cache[key]
    except KeyError:
        out = _canon_cache[key] = _canonicalize(dtype, x64)
        return out
    except TypeError:  # unhashable dtype spec (e.g. a list for a structured dtype)
        return _canonicalize(dtype, x64)


def default_int_dtype():
    return _i64 if x64_enabled() else _i32


def default_uint_dtype():
    return _u64 if x64_enabled() else _u32


def default_float_dtype():
    return _f64 if x64_enabled() else _f32


def default_complex_dtype():
    return _c128 if x64_enabled() else _c64


def _default_of_kind(kind, x64):
    return {"b": _b1, "i": _i64 if x64 else _i32, "u": _u64 if x64 else _u32,
            "f": _f64 if x64 else _f32, "c": _c128 if x64 else _c64}[kind]


# ---------------------------------------------------------------------------
# Weak types and the dtype of a value

def is_python_scalar(x):
    return type(x) in python_scalar_dtypes


def _weak_attr(x):
    w = getattr(x, "weak_type", None)
    if w is None:
        aval = getattr(x, "aval", None)
        w = getattr(aval, "weak_type", False)
    return bool(w)


def is_weakly_typed(x):
    """Python int/float/complex values (not bool) and values marked ``weak_type``."""
    if type(x) in (int, float, complex):
        return True
    return _weak_attr(x)


def _value_dtype_attr(x):
    """``x.dtype`` when it is a real dtype (scalar *types* have a descriptor there)."""
    dt = getattr(x, "dtype", None)
    return dt if isinstance(dt, (np.dtype, ExtendedDType)) else None


def _unwrap(x):
    """x.dtype for array-like values, x itself for dtype-likes.

    (Not ``attr or x``: a plain np.dtype is falsy, since len(dtype) counts fields.)"""
    dt = _value_dtype_attr(x)
    return x if dt is None else dt


def _check_supported(dt, x):
    if isinstance(dt, ExtendedDType) or dt in _SUPPORTED or dt == float0:
        return dt
    raise TypeError(f"Value {x!r} with dtype {dt} is not a valid pyjax array type; "
                    "only numeric and boolean dtypes are supported.")


def dtype(x, canonicalize=False):
    """The dtype of a value, type or dtype-like.

    Python scalars and the types int/float/complex give their default dtype
    (always canonical); everything else is canonicalized only if asked."""
    if x is None:
        raise ValueError("Invalid argument to dtype: None.")
    if type(x) in python_scalar_dtypes:
        return canonicalize_dtype(python_scalar_dtypes[type(x)])
    if isinstance(x, type) and x in python_scalar_dtypes:
        return canonicalize_dtype(python_scalar_dtypes[x])
    dt = _value_dtype_attr(x)
    if dt is None:
        if isinstance(x, ExtendedDType):
            dt = x
        else:
            try:
                dt = np.dtype(x)
            except TypeError:
                try:
                    dt = np.asarray(x).dtype
                except Exception as err:
                    raise TypeError(f"Cannot determine dtype of {x!r}") from err
    _check_supported(dt, x)
    return canonicalize_dtype(dt) if canonicalize else dt


def scalar_type_of(x):
    """The Python scalar type (bool/int/float/complex) matching x's dtype."""
    dt = dtype(x)
    kind = _KIND.get(dt)
    if kind is None:
        raise TypeError(f"Invalid scalar value {x!r}")
    return {"b": bool, "i": int, "u": int, "f": float, "c": complex}[kind]


def is_float0(dt):
    try:
        return np.dtype(_unwrap(dt)) == float0
    except TypeError:
        return False


# ---------------------------------------------------------------------------
# The promotion lattice
#
# Nodes are strong dtypes plus three weak nodes standing for weakly typed
# int / float / complex values.  An edge a -> b means "a promotes to b".
# The result of promoting a set of nodes is their least upper bound.

class _WeakNode:
    def __init__(self, name, kind):
        self.name, self.kind = name, kind

    def __repr__(self):
        return self.name


_WI, _WF, _WC = _WeakNode("int*", "i"), _WeakNode("float*", "f"), _WeakNode("complex*", "c")
_WEAK_OF_KIND = {"b": _b1, "i": _WI, "u": _WI, "f": _WF, "c": _WC}  # weak bool is just bool


def _build_upper_bounds(x64):
    edges = {
        _b1: [_WI],
        _WI: [_u8, _i8, *_SIGNED_INTN, *_UNSIGNED_INTN],  # int4 & co. are dead ends
        _u8: [_u16, _i16], _u16: [_u32, _i32],
        # Without x64, u32 must not reach a 64-bit type by mixing 32-bit inputs.
        _u32: [_u64, _i64] if x64 else [_u64, _i32],
        _u64: [_WF],
        _i8: [_i16], _i16: [_i32], _i32: [_i64], _i64: [_WF],
        _WF: [_WC, _bf16, _f16, *_SMALL_FLOATS],          # float8 & co. are dead ends
        _bf16: [_f32], _f16: [_f32], _f32: [_f64, _c64], _f64: [_c128],
        _WC: [_c64], _c64: [_c128],
    }
    ub = {}

    def visit(n):
        if n not in ub:
            s = {n}
            for m in edges.get(n, ()):
                s |= visit(m)
            ub[n] = frozenset(s)
        return ub[n]

    for n in list(edges):
        visit(n)
    return ub


_UPPER_BOUNDS = {False: _build_upper_bounds(False), True: _build_upper_bounds(True)}


@functools.lru_cache(maxsize=1024)
def _join(x64, nodes):
    """Least upper bound of a frozenset of lattice nodes."""
    ub = _UPPER_BOUNDS[x64]
    for n in nodes:
        if n not in ub:
            raise ValueError(f"dtype={n} is not a valid dtype for type promotion.")
    common = frozenset.intersection(*(ub[n] for n in nodes))
    least = [c for c in common if common <= ub[c]]
    if len(least) == 1:
        return least[0]
    names = tuple(str(n) for n in nodes)
    if any(n in _SMALL_FLOATS or n in _SIGNED_INTN or n in _UNSIGNED_INTN for n in nodes):
        hint = ("Sub-byte integers and 4/6/8-bit floats do not promote implicitly; "
                "cast explicitly, e.g. x.astype('float32').")
    else:
        hint = "Try explicitly casting inputs to the desired output type."
    raise TypePromotionError(f"Input dtypes {names} have no available implicit dtype "
                             f"promotion path. {hint}")


def _node_to_dtype(node):
    """Weak nodes become the (uncanonicalized) dtype of the Python scalar type."""
    return {_WI: _i64, _WF: _f64, _WC: _c128}.get(node, node) if isinstance(node, _WeakNode) else node


def promote_types(a, b):
    """JAX's binary promotion of two dtype-likes (no canonicalization).

    The Python types int/float/complex count as weak, so ``promote_types('uint8',
    int)`` is uint8 where NumPy would say int64."""
    def node(t):
        if t is int or t is float or t is complex:
            return {int: _WI, float: _WF, complex: _WC}[t]
        return np.dtype(t)
    return np.dtype(_node_to_dtype(_join(x64_enabled(), frozenset((node(a), node(b))))))


# ---------------------------------------------------------------------------
# result_type
#
# Each argument becomes a hashable key (dtype-or-marker, weak).  Python
# scalars map to markers resolved against the x64 flag inside the cached part.

class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_PY_INT, _PY_FLOAT, _PY_COMPLEX, _NONE = (_Marker("int"), _Marker("float"),
                                           _Marker("complex"), _Marker("None"))
_KEY_OF_PYTYPE = {int: (_PY_INT, True), float: (_PY_FLOAT, True),
                  complex: (_PY_COMPLEX, True), bool: (_b1, False)}
_MARKER_KIND = {_PY_INT: "i", _PY_FLOAT: "f", _PY_COMPLEX: "c", _NONE: "f"}


def _arg_key(x):
    k = _KEY_OF_PYTYPE.get(type(x))          # Python scalar values
    if k is not None:
        return k
    dt = getattr(x, "dtype", None)           # arrays, numpy scalars, tracers
    if isinstance(dt, np.dtype) or isinstance(dt, ExtendedDType):
        if type(x) is np.ndarray or isinstance(x, np.generic):
            return (dt, False)               # numpy values are never weak
        return (dt, _weak_attr(x))
    if x is None:
        return (_NONE, False)
    if isinstance(x, type) and x in _KEY_OF_PYTYPE:   # the types int/float/complex/bool
        return _KEY_OF_PYTYPE[x]
    if isinstance(x, (np.dtype, ExtendedDType)):
        return (x, False)
    try:
        return (np.dtype(x), False)          # 'float32', np.float32, ...
    except TypeError:
        pass
    try:
        return (np.asarray(x).dtype, False)  # nested lists etc.
    except Exception as err:
        raise TypeError(f"Cannot determine dtype of {x!r}") from err


def _result_from_keys(keys, x64):
    dts, weaks = [], []
    for d, w in keys:
        if isinstance(d, _Marker):
            d = _default_of_kind(_MARKER_KIND[d], x64)
        else:
            d = _check_supported(_canonicalize(d, x64), d)
        dts.append(d)
        weaks.append(w)

    if len(dts) == 1:
        out, weak = dts[0], weaks[0]
    elif all(d == dts[0] for d in dts) and not all(weaks):
        out, weak = dts[0], False            # trivial case; lets float0/extended through
    elif all(weaks):
        # All weak: promote the underlying dtypes, keep the result weak.
        out, weak = _join(x64, frozenset(dts)), True
    else:
        nodes = frozenset(_WEAK_OF_KIND[_KIND[d]] if w and d in _KIND else d
                          for d, w in zip(dts, weaks))
        out = _join(x64, nodes)
        weak = isinstance(out, _WeakNode)
        out = _node_to_dtype(out)

    if out == _b1 or isinstance(out, ExtendedDType) or out not in _KIND:
        weak = False
    if weak:  # a weak result always has the default width of its category
        out = _default_of_kind(_KIND[out], x64)
    return out, weak


_result_cache = {False: {}, True: {}}


def result_type(*args, return_weak_type_flag=False):
    """Dtype of the result of combining `args` under JAX's promotion rules.

    Args may be Python scalars (weak), NumPy arrays/scalars (strong), dtype-likes,
    None (default float), or objects with ``.dtype`` and optionally ``.weak_type``.
    The result is canonical for the current x64 flag.  With
    return_weak_type_flag=True returns ``(dtype, weak_type)``."""
    if not args:
        raise ValueError("at least one array or dtype is required")
    keys = tuple(map(_arg_key, args))
    x64 = x64_enabled()
    cache = _result_cache[x64]
    try:
        out = cache[keys]
    except KeyError:
        out = _result_from_keys(keys, x64)
        if len(cache) > 8192:
            cache.clear()
        cache[keys] = out
    return out if return_weak_type_flag else out[0]


# ---------------------------------------------------------------------------
# Type predicates

_ABSTRACT_FLOAT = frozenset({np.floating, np.inexact, np.number, np.generic})
_ABSTRACT_SINT = frozenset({np.signedinteger, np.integer, np.number, np.generic})
_ABSTRACT_UINT = frozenset({np.unsignedinteger, np.integer, np.number, np.generic})
_CUSTOM_PARENTS = {}
_CUSTOM_PARENTS.update({t.type: _ABSTRACT_FLOAT for t in _CUSTOM_FLOATS})
_CUSTOM_PARENTS.update({t.type: _ABSTRACT_SINT for t in _SIGNED_INTN})
_CUSTOM_PARENTS.update({t.type: _ABSTRACT_UINT for t in _UNSIGNED_INTN})


def _scalar_type(t):
    if isinstance(t, type) and issubclass(t, np.generic):
        return t
    if isinstance(t, ExtendedDType):
        return t.type
    return np.dtype(t).type


@functools.lru_cache(maxsize=1024)
def _issubdtype_cached(a, b):
    if isinstance(b, ExtendedDType):
        return isinstance(a, ExtendedDType) and a == b
    a_t, b_t = _scalar_type(a), _scalar_type(b)
    parents = _CUSTOM_PARENTS.get(a_t)
    if parents is not None:   # ml_dtypes scalars derive straight from np.generic
        return b_t is a_t or b_t in parents
    return bool(np.issubdtype(a_t, b_t))


def issubdtype(a, b):
    """Like np.issubdtype, but bfloat16/float8 are floating and int4 & co. integers."""
    a, b = _unwrap(a), _unwrap(b)
    try:
        return _issubdtype_cached(a, b)
    except TypeError:  # unhashable spec
        return _issubdtype_cached.__wrapped__(np.dtype(a), np.dtype(b))


_ISDTYPE_KINDS = {
    "bool": frozenset({_b1}),
    "signed integer": frozenset(d for d, k in _KIND.items() if k == "i"),
    "unsigned integer": frozenset(d for d, k in _KIND.items() if k == "u"),
    "real floating": frozenset(d for d, k in _KIND.items() if k == "f"),
    "complex floating": frozenset(d for d, k in _KIND.items() if k == "c"),
}
_ISDTYPE_KINDS["integral"] = _ISDTYPE_KINDS["signed integer"] | _ISDTYPE_KINDS["unsigned integer"]
_ISDTYPE_KINDS["numeric"] = (_ISDTYPE_KINDS["integral"] | _ISDTYPE_KINDS["real floating"]
                             | _ISDTYPE_KINDS["complex floating"])


def isdtype(dtype, kind):
    """Array-API kind test: kind is a kind name, a dtype, or a tuple of those."""
    dt = np.dtype(dtype)
    for k in kind if isinstance(kind, tuple) else (kind,):
        if isinstance(k, str) and k in _ISDTYPE_KINDS:
            if dt in _ISDTYPE_KINDS[k]:
                return True
            continue
        try:
            if dt == np.dtype(k):
                return True
        except TypeError as err:
            if isinstance(k, str):
                raise ValueError(f"Unrecognized kind={k!r}; expected one of "
                                 f"{list(_ISDTYPE_KINDS)} or a dtype") from err
            raise TypeError(f"Expected kind to be a dtype, string, or tuple; got {k!r}") from err
    return False


# ---------------------------------------------------------------------------
# Machine limits and dtype-changing helpers

def finfo(dtype):
    """Float limits; also for bfloat16 and float8 types (via ml_dtypes.finfo)."""
    return ml_dtypes.finfo(_unwrap(dtype))


def iinfo(dtype):
    """Integer limits; also for int4/uint4 & co. (via ml_dtypes.iinfo)."""
    return ml_dtypes.iinfo(_unwrap(dtype))


def to_inexact_dtype(dtype):
    """The float a bool/integer dtype turns into (float32, float64 for 64-bit ints);
    inexact dtypes are returned unchanged.  Not canonicalized."""
    dt = np.dtype(dtype)
    kind = _KIND.get(dt)
    if kind in ("b", "i", "u"):
        return _f64 if dt in (_i64, _u64) else _f32
    return dt


def to_complex_dtype(dtype):
    """complex128 for float64/complex128 (and 64-bit ints), else complex64."""
    dt = to_inexact_dtype(dtype)
    return _c128 if dt in (_f64, _c128) else _c64
