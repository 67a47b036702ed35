"""Pytrees: nested containers of leaves, flattened to (leaves, PyTreeDef).

Design:
  * The registry maps a node type to a small `_NodeType` record holding its
    flatten / unflatten / flatten-with-keys functions.
  * A tree structure is an immutable nested tuple: a leaf is `None` and an
    internal node is `(record, aux_data, children)` where `children` is a tuple
    of nodes.  Records compare by identity, so equality and hashing of whole
    structures reduce to (fast, C-level) tuple equality and hashing.
  * `PyTreeDef` wraps such a tuple and caches its hash and counts.

Semantics follow jax.tree_util (jax 0.10.2): dicts are flattened (and rebuilt)
in sorted key order, None is a node with no children, namedtuples are nodes,
everything unregistered is a leaf.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import operator
from typing import Any, Callable, Hashable, Iterable, Sequence

__all__ = [
    "PyTreeDef", "Partial", "KeyEntry", "KeyPath",
    "SequenceKey", "DictKey", "GetAttrKey", "FlattenedIndexKey", "keystr",
    "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure",
    "tree_map", "tree_all", "tree_reduce", "tree_reduce_associative",
    "tree_transpose", "tree_broadcast",
    "tree_flatten_with_path", "tree_leaves_with_path", "tree_map_with_path",
    "treedef_tuple", "treedef_children", "treedef_is_leaf", "all_leaves",
    "flatten_one_level", "flatten_one_level_with_keys", "is_tree_node",
    "register_pytree_node", "register_pytree_node_class",
    "register_pytree_with_keys", "register_pytree_with_keys_class",
    "register_dataclass", "register_static", "static_field",
]


# ---------------------------------------------------------------------------
# Key path entries
# ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SequenceKey:
  idx: int
  def __str__(self): return f"[{self.idx!r}]"


@dataclasses.dataclass(frozen=True)
class DictKey:
  key: Hashable
  def __str__(self): return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
  name: str
  def __str__(self): return f".{self.name}"


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey:
  key: int
  def __str__(self): return f"[<flat index {self.key}>]"


KeyEntry = Any  # one of the classes above, or any hashable a user flattener returns
KeyPath = tuple  # tuple[KeyEntry, ...]


def _simple_key(k) -> str:
  if isinstance(k, SequenceKey): return str(k.idx)
  if isinstance(k, (DictKey, FlattenedIndexKey)): return str(k.key)
  if isinstance(k, GetAttrKey): return str(k.name)
  return str(k)


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
  """Render a key path, e.g. "['a'][0].x" (or "a/0/x" with simple=True, separator='/')."""
  return separator.join(_simple_key(k) if simple else str(k) for k in keys)


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

class _NodeType:
  """How to take one node type apart and put it back together."""
  __slots__ = ("type", "kind", "flatten", "unflatten", "flatten_with_keys")

  def __init__(self, typ, kind, flatten, unflatten, flatten_with_keys):
    self.type = typ
    self.kind = kind  # 'tuple' | 'list' | 'dict' | 'none' | 'namedtuple' | 'custom'
    self.flatten = flatten                      # x -> (children, aux)
    self.unflatten = unflatten                  # (aux, children tuple) -> x
    self.flatten_with_keys = flatten_with_keys  # x -> ([(key, child)], aux)

  def __repr__(self):
    return f"_NodeType({self.type.__name__})"


_registry: dict[type, _NodeType] = {}
# Cache of type -> record-or-None (None = leaf type).  Also holds the records
# made on the fly for namedtuple classes; entries are never removed, so a given
# type always maps to the same record and old treedefs stay comparable.
_kinds: dict[type, _NodeType | None] = {}
_MISSING = object()


def _resolve(typ) -> _NodeType | None:
  nt = _registry.get(typ)
  if nt is None and issubclass(typ, tuple) and hasattr(typ, "_fields"):
    nt = _NodeType(typ, "namedtuple", _tuple_flatten, _namedtuple_unflatten(typ),
                   _namedtuple_keys)
  _kinds[typ] = nt
  return nt


def _node_type(typ) -> _NodeType | None:
  nt = _kinds.get(typ, _MISSING)
  return _resolve(typ) if nt is _MISSING else nt


def _sorted_keys(d) -> list:
  try:
    return sorted(d)
  except TypeError as e:
    raise ValueError(f"Comparator raised exception while sorting pytree dictionary "
                     f"keys {list(d)!r}: {e}") from None


def _tuple_flatten(x): return x, None
def _seq_keys(x): return [(SequenceKey(i), c) for i, c in enumerate(x)], None
def _namedtuple_keys(x): return [(GetAttrKey(f), c) for f, c in zip(x._fields, x)], None
def _namedtuple_unflatten(typ): return lambda _, ch: typ(*ch)


def _dict_flatten(x):
  keys = _sorted_keys(x)
  return [x[k] for k in keys], tuple(keys)


def _dict_keys(x):
  keys = _sorted_keys(x)
  return [(DictKey(k), x[k]) for k in keys], tuple(keys)


def _odict_flatten(x): return list(x.values()), tuple(x)
def _odict_keys(x): return [(DictKey(k), v) for k, v in x.items()], tuple(x)


def _ddict_flatten(x):
  ch, keys = _dict_flatten(x)
  return ch, (x.default_factory, keys)


def _ddict_keys(x):
  ch, keys = _dict_keys(x)
  return ch, (x.default_factory, keys)


def _add(nt: _NodeType):
  if nt.type in _registry:
    raise ValueError(f"Duplicate custom PyTreeDef type registration for {nt.type}.")
  _registry[nt.type] = nt
  _kinds[nt.type] = nt


_TUPLE = _NodeType(tuple, "tuple", _tuple_flatten, lambda _, ch: tuple(ch), _seq_keys)
_LIST = _NodeType(list, "list", lambda x: (x, None), lambda _, ch: list(ch), _seq_keys)
_DICT = _NodeType(dict, "dict", _dict_flatten, lambda keys, ch: dict(zip(keys, ch)),
                  _dict_keys)
_NONE = _NodeType(type(None), "none", lambda x: ((), None), lambda _, ch: None,
                  lambda x: ((), None))
for _nt in (_TUPLE, _LIST, _DICT, _NONE,
            _NodeType(collections.OrderedDict, "custom", _odict_flatten,
                      lambda keys, ch: collections.OrderedDict(zip(keys, ch)), _odict_keys),
            _NodeType(collections.defaultdict, "custom", _ddict_flatten,
                      lambda aux, ch: collections.defaultdict(aux[0], zip(aux[1], ch)),
                      _ddict_keys)):
  _add(_nt)


def register_pytree_node(nodetype, flatten_func, unflatten_func,
                         flatten_with_keys_func=None) -> None:
  """Make `nodetype` an internal pytree node.

  flatten_func(x) -> (children, aux_data); unflatten_func(aux_data, children) -> x.
  aux_data must be hashable and comparable: it is part of the PyTreeDef.
  Without flatten_with_keys_func, children get FlattenedIndexKey(i) paths.
  """
  if flatten_with_keys_func is None:
    def flatten_with_keys_func(x):
      children, aux = flatten_func(x)
      return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux
  _add(_NodeType(nodetype, "custom", flatten_func, unflatten_func, flatten_with_keys_func))


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func,
                              flatten_func=None) -> None:
  """Like register_pytree_node, but the primary flattener returns (key, child) pairs."""
  if flatten_func is None:
    def flatten_func(x):
      pairs, aux = flatten_with_keys(x)
      return [c for _, c in pairs], aux
  _add(_NodeType(nodetype, "custom", flatten_func, unflatten_func, flatten_with_keys))


def register_pytree_node_class(cls):
  """Class decorator: uses `x.tree_flatten()` and `cls.tree_unflatten(aux, children)`."""
  register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
  return cls


def register_pytree_with_keys_class(cls):
  """Class decorator: uses `x.tree_flatten_with_keys()` (and `x.tree_flatten()` if defined)."""
  flat = operator.methodcaller("tree_flatten") if hasattr(cls, "tree_flatten") else None
  register_pytree_with_keys(cls, operator.methodcaller("tree_flatten_with_keys"),
                            cls.tree_unflatten, flat)
  return cls


def register_dataclass(nodetype, data_fields: Sequence[str] | None = None,
                       meta_fields: Sequence[str] | None = None,
                       drop_fields: Sequence[str] = ()):
  """Register a dataclass-like type: data fields are children, meta fields are aux data.

  For a dataclass the fields may be inferred: fields whose metadata has
  `static=True` are meta, the rest are data.  Rebuilding calls
  `nodetype(**fields)`.  Returns `nodetype`, so it can be used as a decorator.
  """
  if data_fields is None and meta_fields is None:
    if not dataclasses.is_dataclass(nodetype):
      raise TypeError("register_dataclass: data_fields and meta_fields are required when "
                      f"nodetype is not a dataclass. Got nodetype={nodetype!r}.")
    fields = [f for f in dataclasses.fields(nodetype) if f.name not in drop_fields]
    meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
    data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
  elif data_fields is None or meta_fields is None:
    raise TypeError("register_dataclass: data_fields and meta_fields must both be specified "
                    f"when either is specified. Got data_fields={data_fields!r} "
                    f"meta_fields={meta_fields!r}.")
  data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
  if dataclasses.is_dataclass(nodetype):
    # Rebuilding goes through __init__, so exactly the init fields must be covered.
    init = {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)
    given = set(data_fields) | set(meta_fields)
    if init != given:
      raise ValueError("data_fields and meta_fields must include all dataclass fields with "
                       f"init=True and only them. Missing fields: {sorted(init - given)}, "
                       f"unexpected fields: {sorted(given - init)}.")

  def flatten(x):
    return [getattr(x, f) for f in data_fields], tuple(getattr(x, f) for f in meta_fields)

  def flatten_with_keys(x):
    return ([(GetAttrKey(f), getattr(x, f)) for f in data_fields],
            tuple(getattr(x, f) for f in meta_fields))

  def unflatten(aux, children):
    return nodetype(**dict(zip(meta_fields, aux)), **dict(zip(data_fields, children)))

  _add(_NodeType(nodetype, "custom", flatten, unflatten, flatten_with_keys))
  return nodetype


def register_static(cls):
  """Register `cls` as a node with no children: instances live in the treedef (so must be hashable)."""
  register_pytree_node(cls, lambda x: ((), x), lambda x, _: x)
  return cls


def static_field(**kwargs):
  """dataclasses.field(...) marked static=True for register_dataclass (jax.tree.static)."""
  kwargs["metadata"] = {"static": True, **(kwargs.get("metadata") or {})}
  return dataclasses.field(**kwargs)


def is_tree_node(typ) -> bool:
  """True if `typ` is a registered node type (or a namedtuple class)."""
  return _node_type(typ) is not None


def flatten_one_level(tree) -> tuple[Iterable[Any], Hashable]:
  """Children and aux data of one node (ValueError for leaves)."""
  nt = _node_type(type(tree))
  if nt is None:
    raise ValueError(f"can't tree-flatten type: {type(tree)}")
  return nt.flatten(tree)


def flatten_one_level_with_keys(tree) -> tuple[Iterable[tuple[KeyEntry, Any]], Hashable]:
  """(key, child) pairs and aux data of one node (ValueError for leaves)."""
  nt = _node_type(type(tree))
  if nt is None:
    raise ValueError(f"can't tree-flatten type: {type(tree)}")
  pairs, aux = nt.flatten_with_keys(tree)
  return tuple(pairs), aux


# ---------------------------------------------------------------------------
# Flatten / unflatten on the tuple representation
# ---------------------------------------------------------------------------

def _flatten(x, leaves, is_leaf):
  if is_leaf is not None and is_leaf(x):
    leaves.append(x)
    return None
  typ = type(x)
  nt = _kinds.get(typ, _MISSING)
  if nt is _MISSING:
    nt = _resolve(typ)
  if nt is None:
    leaves.append(x)
    return None
  if nt is _TUPLE or nt is _LIST:
    children, aux = x, None
  else:
    children, aux = nt.flatten(x)
  # Hot path: handle leaf children inline instead of recursing into them.
  kids = []
  for c in children:
    if is_leaf is None and _kinds.get(type(c), _MISSING) is None:
      leaves.append(c)
      kids.append(None)
    else:
      kids.append(_flatten(c, leaves, is_leaf))
  return (nt, aux, tuple(kids))


def _leaves(x, out, is_leaf):
  # Same walk as _flatten without building the structure.
  if is_leaf is not None and is_leaf(x):
    out.append(x)
    return
  nt = _node_type(type(x))
  if nt is None:
    out.append(x)
    return
  for c in (x if nt is _TUPLE or nt is _LIST else nt.flatten(x)[0]):
    if is_leaf is None and _kinds.get(type(c), _MISSING) is None:
      out.append(c)
    else:
      _leaves(c, out, is_leaf)


def _flatten_with_path(x, path, out, is_leaf):
  # is_leaf here always takes (path, x).
  if is_leaf is not None and is_leaf(path, x):
    out.append((path, x))
    return None
  nt = _node_type(type(x))
  if nt is None:
    out.append((path, x))
    return None
  pairs, aux = nt.flatten_with_keys(x)
  return (nt, aux, tuple([_flatten_with_path(c, path + (k,), out, is_leaf)
                          for k, c in pairs]))


def _unflatten(node, it):
  # `node` is never None here (the caller handles a bare leaf); leaf children
  # are taken inline, which avoids a call per leaf.
  nt, aux, kids = node
  return nt.unflatten(aux, tuple([next(it) if k is None else _unflatten(k, it)
                                  for k in kids]))


def _count(node) -> tuple[int, int]:
  """(num_leaves, num_nodes)."""
  if node is None:
    return 1, 1
  leaves, nodes = 0, 1
  for k in node[2]:
    l, n = _count(k)
    leaves += l
    nodes += n
  return leaves, nodes


def _node_repr(node) -> str:
  if node is None:
    return "*"
  nt, aux, kids = node
  inner = ", ".join(map(_node_repr, kids))
  if nt.kind == "tuple":
    return f"({inner},)" if len(kids) == 1 else f"({inner})"
  if nt.kind == "list":
    return f"[{inner}]"
  if nt.kind == "dict":
    return "{" + ", ".join(f"{k!r}: {_node_repr(c)}" for k, c in zip(aux, kids)) + "}"
  if nt.kind == "none":
    return "None"
  head = (f"namedtuple[{nt.type.__name__}]" if nt.kind == "namedtuple"
          else f"{nt.type.__name__}[{aux}]")
  return f"CustomNode({head}, [{inner}])"


def _short(x, limit=200) -> str:
  r = repr(x)
  return r if len(r) <= limit else r[:limit] + "..."


class _Mismatch(Exception):
  """Internal: raised by _up_to; collects the key path while unwinding."""
  def __init__(self, msg):
    super().__init__(msg)
    self.msg, self.path = msg, []


def _up_to(node, x, out):
  """Append the subtrees of `x` found at the leaves of `node` to `out`."""
  if node is None:
    out.append(x)
    return
  nt, aux, kids = node
  xnt = _node_type(type(x))
  if xnt is not nt:
    raise _Mismatch(f"node type mismatch; expected type: {nt.type}, "
                    f"got value of type {type(x)}: {_short(x)}")
  children, xaux = nt.flatten(x)
  if nt is _DICT and xaux != aux:
    raise _Mismatch(f"dict key mismatch; expected keys: {list(aux)!r}; "
                    f"present keys: {list(xaux)!r}")
  if xaux != aux:
    raise _Mismatch(f"node data mismatch for type {nt.type}; expected: {_short(aux)}; "
                    f"got: {_short(xaux)}")
  children = list(children)
  if len(children) != len(kids):
    raise _Mismatch(f"{nt.type.__name__} arity mismatch; expected {len(kids)} children, "
                    f"got {len(children)}: {_short(x)}")
  for i, (k, c) in enumerate(zip(kids, children)):
    try:
      _up_to(k, c, out)
    except _Mismatch as e:
      e.path.append(nt.flatten_with_keys(x)[0][i][0])
      raise


# ---------------------------------------------------------------------------
# PyTreeDef
# ---------------------------------------------------------------------------

class PyTreeDef:
  """Immutable description of a pytree's structure (everything but the leaves)."""
  __slots__ = ("_node", "_hash", "_counts")

  def __init__(self, node):
    self._node = node
    self._hash = None
    self._counts = None

  def _count(self):
    if self._counts is None:
      self._counts = _count(self._node)
    return self._counts

  @property
  def num_leaves(self) -> int:
    return self._count()[0]

  @property
  def num_nodes(self) -> int:
    return self._count()[1]

  def children(self) -> list[PyTreeDef]:
    return [] if self._node is None else [PyTreeDef(k) for k in self._node[2]]

  def node_data(self):
    """(node type, aux data) of the root; None for a leaf.  Dict keys come as a list."""
    if self._node is None:
      return None
    nt, aux, _ = self._node
    return (nt.type, list(aux)) if nt is _DICT else (nt.type, aux)

  def unflatten(self, leaves: Iterable[Any]) -> Any:
    leaves = list(leaves)
    n = self.num_leaves
    if len(leaves) != n:
      word = "few" if len(leaves) < n else "many"
      raise ValueError(f"Too {word} leaves for PyTreeDef; expected {n}, got {len(leaves)}. "
                       f"PyTreeDef: {self}")
    return leaves[0] if self._node is None else _unflatten(self._node, iter(leaves))

  def flatten_up_to(self, tree) -> list:
    """Subtrees of `tree` at the positions of this structure's leaves.

    `tree` must have this structure down to those leaves (where it may hold
    arbitrary subtrees); otherwise ValueError naming both structures.
    """
    out = []
    try:
      _up_to(self._node, tree, out)
    except _Mismatch as e:
      where = keystr(tuple(reversed(e.path))) or "the root"
      try:
        actual = repr(tree_structure(tree))
      except Exception:  # noqa: BLE001 - best effort for the message only
        actual = _short(tree)
      raise ValueError(f"Pytree structure mismatch at {where}: {e.msg}.\n"
                       f"  expected structure (prefix): {self}\n"
                       f"  actual structure:            {actual}") from None
    return out

  def compose(self, inner: PyTreeDef) -> PyTreeDef:
    """The structure obtained by replacing every leaf of self with `inner`."""
    def sub(node):
      return inner._node if node is None else (node[0], node[1], tuple(map(sub, node[2])))
    return PyTreeDef(sub(self._node))

  def __eq__(self, other):
    if not isinstance(other, PyTreeDef):
      return NotImplemented
    return self is other or self._node == other._node

  def __hash__(self):
    if self._hash is None:
      self._hash = hash(self._node)
    return self._hash

  def __repr__(self):
    return f"PyTreeDef({_node_repr(self._node)})"


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

def tree_flatten(tree, is_leaf: Callable[[Any], bool] | None = None):
  """Return (leaves, treedef); is_leaf(x) -> True stops descent at x."""
  leaves = []
  node = _flatten(tree, leaves, is_leaf)
  return leaves, PyTreeDef(node)


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]):
  return treedef.unflatten(leaves)


def tree_leaves(tree, is_leaf: Callable[[Any], bool] | None = None) -> list:
  out = []
  _leaves(tree, out, is_leaf)
  return out


def tree_structure(tree, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
  return tree_flatten(tree, is_leaf)[1]


def tree_map(f: Callable[..., Any], tree, *rest, is_leaf=None):
  """f applied leafwise; each of `rest` must have `tree`'s structure up to its leaves."""
  leaves, treedef = tree_flatten(tree, is_leaf)
  if not rest:
    return treedef.unflatten([f(x) for x in leaves])
  others = _up_to_all(treedef, rest, "tree_map")
  return treedef.unflatten([f(*xs) for xs in zip(leaves, *others)])


def _up_to_all(treedef, rest, fname):
  try:
    return [treedef.flatten_up_to(r) for r in rest]
  except ValueError as e:
    raise ValueError(f"{fname}: a tree in `rest` does not match the structure of the first "
                     f"tree (it must have that structure up to its leaves). {e}") from None


def tree_all(tree, *, is_leaf=None) -> bool:
  return all(tree_leaves(tree, is_leaf))


def tree_reduce(function, tree, initializer=_MISSING, is_leaf=None):
  leaves = tree_leaves(tree, is_leaf)
  if initializer is _MISSING:
    return functools.reduce(function, leaves)
  return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation, tree, *, identity=_MISSING, is_leaf=None):
  """Reduce with an associative op as a balanced binary tree (log depth)."""
  leaves = tree_leaves(tree, is_leaf)
  if not leaves:
    if identity is _MISSING:
      raise TypeError("Must specify identity for parallel reduction of empty sequence.")
    return identity

  def go(xs):
    if len(xs) == 1:
      return xs[0]
    mid = len(xs) // 2
    return operation(go(xs[:mid]), go(xs[mid:]))
  return go(leaves)


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose):
  """Turn an outer-structure tree of inner-structure trees into the reverse."""
  try:
    outer = outer_treedef.flatten_up_to(pytree_to_transpose)
    if inner_treedef is None:
      inner_treedef = tree_structure(outer[0]) if outer else PyTreeDef(None)
    inner = [inner_treedef.flatten_up_to(sub) for sub in outer]
  except ValueError as e:
    raise TypeError(f"tree_transpose: tree does not have structure "
                    f"{outer_treedef.compose(inner_treedef or PyTreeDef(None))}:\n{e}") from None
  # inner[i][j]: leaf j of inner tree i  ->  inner tree of outer trees.
  columns = zip(*inner) if inner else [[] for _ in range(inner_treedef.num_leaves)]
  return inner_treedef.unflatten([outer_treedef.unflatten(col) for col in columns])


def tree_broadcast(prefix_tree, full_tree, is_leaf=None):
  """Copy each leaf of `prefix_tree` to every leaf of the matching subtree of `full_tree`."""
  prefix_leaves, prefix_def = tree_flatten(prefix_tree, is_leaf)
  subtrees = prefix_def.flatten_up_to(full_tree)
  return prefix_def.unflatten([tree_map(lambda _, v=v: v, sub, is_leaf=is_leaf)
                               for v, sub in zip(prefix_leaves, subtrees)])


def _path_is_leaf(is_leaf, takes_path):
  if is_leaf is None or takes_path:
    return is_leaf
  return lambda _, x: is_leaf(x)


def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path: bool = False):
  """Like tree_flatten, but leaves come as (key_path, leaf) pairs."""
  out = []
  node = _flatten_with_path(tree, (), out, _path_is_leaf(is_leaf, is_leaf_takes_path))
  return out, PyTreeDef(node)


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path: bool = False) -> list:
  return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path: bool = False):
  """Like tree_map, but f(key_path, leaf, *others)."""
  pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
  others = _up_to_all(treedef, rest, "tree_map_with_path")
  return treedef.unflatten([f(p, x, *xs) for (p, x), *xs in zip(pairs, *others)])


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
  """The structure of a tuple whose elements have the given structures."""
  return PyTreeDef((_TUPLE, None, tuple(td._node for td in treedefs)))


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
  return treedef.children()


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
  # Like JAX: true for a single node, so also for None and empty containers.
  return treedef.num_nodes == 1


def all_leaves(iterable: Iterable[Any], is_leaf=None) -> bool:
  """True if every element of `iterable` is a leaf (None is not a leaf)."""
  if is_leaf is None:
    return all(_node_type(type(x)) is None for x in iterable)
  items = list(iterable)
  leaves = tree_leaves(items, is_leaf)
  return len(leaves) == len(items) and all(a is b for a, b in zip(items, leaves))


# ---------------------------------------------------------------------------
# Partial
# ---------------------------------------------------------------------------

class _OpaqueCallable:
  """Wraps a plain functools.partial so that functools.partial.__new__ does not
  merge it into a Partial (which would turn its bound args into pytree leaves)."""
  __slots__ = ("fn",)

  def __init__(self, fn): self.fn = fn
  def __call__(self, *args, **kwargs): return self.fn(*args, **kwargs)
  def __eq__(self, other): return isinstance(other, _OpaqueCallable) and self.fn == other.fn
  def __hash__(self): return hash(self.fn)
  def __repr__(self): return repr(self.fn)


class Partial(functools.partial):
  """functools.partial that is a pytree: `func` is static (aux data), the bound
  positional and keyword arguments are children.  Useful for passing closures
  through jit and other transformations."""

  def __new__(cls, func, /, *args, **kwargs):
    if isinstance(func, Partial):
      # Merge explicitly: the inner Partial's arguments were children already.
      args, kwargs = func.args + args, {**func.keywords, **kwargs}
      func = func.func
    elif isinstance(func, functools.partial):
      func = _OpaqueCallable(func)
    return super().__new__(cls, func, *args, **kwargs)


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, children: Partial(func, *children[0], **children[1]))
