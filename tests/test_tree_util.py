"""Tests for pyjax.tree_util / pyjax.tree (oracle checks against jax when installed)."""
import collections
import dataclasses
import functools
import operator

import pytest

import pyjax.tree as ptree
import pyjax.tree_util as tu
from pyjax.tree_util import (DictKey, FlattenedIndexKey, GetAttrKey, Partial,
                             PyTreeDef, SequenceKey)

try:
  import jax.tree_util as jtu
  import jax.tree as jtree
except ImportError:  # the suite must run without jax
  jtu = jtree = None
needs_jax = pytest.mark.skipif(jtu is None, reason="jax not installed")

NT = collections.namedtuple("NT", "x y")


class Point:
  """A custom node registered (identically) with pyjax and, lazily, with jax."""
  def __init__(self, x, y, tag="p"):
    self.x, self.y, self.tag = x, y, tag

  def __eq__(self, other):
    return (isinstance(other, Point)
            and (self.x, self.y, self.tag) == (other.x, other.y, other.tag))

  def __repr__(self):
    return f"Point({self.x}, {self.y}, {self.tag})"


def _point_flatten(p): return (p.x, p.y), p.tag
def _point_unflatten(tag, ch): return Point(*ch, tag=tag)


tu.register_pytree_node(Point, _point_flatten, _point_unflatten)

_jax_registered = False


def _register_in_jax():
  global _jax_registered
  if not _jax_registered:
    jtu.register_pytree_node(Point, _point_flatten, _point_unflatten)
    _jax_registered = True


def sample_trees():
  return [
      1, None, (), [], {}, (1,), [1, 2], (1, (2, 3)), {"b": 1, "a": (2, 3)},
      {"a": None, "b": [None, 4]}, NT(1, (2, 3)), [NT(1, 2), NT(None, {"z": 3})],
      collections.OrderedDict([("b", 1), ("a", 2)]),
      collections.defaultdict(list, {"b": 1, "a": [2, 3]}),
      Point(1, (2, 3)), {"p": Point([1], None, tag="q")},
      [(), [], {}, None, ((),)], "leaf", 3.5,
  ]


# ---------------------------------------------------------------------------
# Flatten / unflatten basics
# ---------------------------------------------------------------------------

def test_flatten_builtin_containers():
  leaves, td = tu.tree_flatten({"b": 1, "a": (2, [3, 4]), "c": None})
  assert leaves == [2, 3, 4, 1]  # dict children in sorted key order
  assert repr(td) == "PyTreeDef({'a': (*, [*, *]), 'b': *, 'c': None})"
  assert td.num_leaves == 4
  assert td.num_nodes == 8  # dict, tuple, list, 4 leaves, None


def test_unflatten_roundtrip_and_dict_order():
  for tree in sample_trees():
    leaves, td = tu.tree_flatten(tree)
    assert tu.tree_unflatten(td, leaves) == tree
  # Like JAX, dicts are rebuilt in sorted key order.
  out = tu.tree_unflatten(tu.tree_structure({"b": 1, "a": 2}), [10, 20])
  assert list(out.items()) == [("a", 10), ("b", 20)]


def test_unflatten_types():
  td = tu.tree_structure([NT(1, 2), (3,), collections.OrderedDict(z=1, a=2)])
  out = td.unflatten(range(5))
  assert type(out) is list and type(out[0]) is NT and type(out[1]) is tuple
  assert out[0] == NT(0, 1) and out[1] == (2,)
  assert type(out[2]) is collections.OrderedDict and list(out[2].items()) == [("z", 3), ("a", 4)]
  dd = tu.tree_map(lambda x: x * 2, collections.defaultdict(list, {"b": 1, "a": 2}))
  assert type(dd) is collections.defaultdict and dd.default_factory is list
  assert dict(dd) == {"a": 4, "b": 2}


def test_none_is_empty_node():
  assert tu.tree_leaves(None) == []
  assert tu.tree_leaves([1, None, 2]) == [1, 2]
  td = tu.tree_structure(None)
  assert repr(td) == "PyTreeDef(None)" and td.num_leaves == 0 and td.num_nodes == 1
  assert tu.tree_unflatten(td, []) is None
  assert tu.tree_map(lambda x: x + 1, (1, None, 2)) == (2, None, 3)


def test_leaf_types():
  class T(tuple):  # tuple subclass without _fields: a leaf
    pass

  class D(dict):  # unregistered dict subclass: a leaf
    pass

  for x in [1, "s", 2.0, T((1, 2)), D(a=1), object]:
    leaves, td = tu.tree_flatten(x)
    assert leaves[0] is x and len(leaves) == 1 and repr(td) == "PyTreeDef(*)"


def test_is_leaf():
  leaves, td = tu.tree_flatten([1, (2, 3), {"a": (4,)}], is_leaf=lambda x: isinstance(x, tuple))
  assert leaves == [1, (2, 3), (4,)]
  assert repr(td) == "PyTreeDef([*, *, {'a': *}])"
  # is_leaf sees None, so None can be made a leaf.
  assert tu.tree_leaves([1, None], is_leaf=lambda x: x is None) == [1, None]
  # is_leaf is applied to the root too.
  assert tu.tree_leaves((1, 2), is_leaf=lambda x: True) == [(1, 2)]
  assert repr(tu.tree_structure([1, None], is_leaf=lambda x: x is None)) == "PyTreeDef([*, *])"


def test_repr_of_all_node_kinds():
  td = tu.tree_structure([NT(1, 2), collections.OrderedDict(b=1, a=2),
                          collections.defaultdict(list, {"b": 1, "a": 2}), None, (1,), {},
                          Point(1, 2)])
  assert repr(td) == (
      "PyTreeDef([CustomNode(namedtuple[NT], [*, *]), CustomNode(OrderedDict[('b', 'a')], "
      "[*, *]), CustomNode(defaultdict[(<class 'list'>, ('a', 'b'))], [*, *]), None, (*,), "
      "{}, CustomNode(Point[p], [*, *])])")
  assert repr(tu.tree_structure(())) == "PyTreeDef(())"


def test_treedef_equality_and_hash():
  a = tu.tree_structure({"a": 1, "b": (2, 3)})
  b = tu.tree_structure({"b": ("x", "y"), "a": "z"})
  assert a == b and hash(a) == hash(b)
  assert a != tu.tree_structure({"a": 1, "b": [2, 3]})
  assert tu.tree_structure((1, 2)) != tu.tree_structure(NT(1, 2))
  assert tu.tree_structure(None) != tu.tree_structure(1)
  # OrderedDict order matters, dict order does not.
  assert (tu.tree_structure(collections.OrderedDict(a=1, b=2))
          != tu.tree_structure(collections.OrderedDict(b=1, a=2)))
  assert tu.tree_structure(Point(1, 2, "p")) != tu.tree_structure(Point(1, 2, "q"))
  assert tu.tree_structure(Point(1, 2, "p")) == tu.tree_structure(Point(3, 4, "p"))
  assert len({a, b, tu.tree_structure(1)}) == 2
  assert a != 5


def test_treedef_methods():
  td = tu.tree_structure({"a": 1, "b": (2, 3)})
  assert td.children() == [tu.tree_structure(1), tu.tree_structure((1, 2))]
  assert tu.treedef_children(td) == td.children()
  assert td.node_data() == (dict, ["a", "b"])
  assert tu.tree_structure((1, 2)).node_data() == (tuple, None)
  assert tu.tree_structure([1]).node_data() == (list, None)
  assert tu.tree_structure(None).node_data() == (type(None), None)
  assert tu.tree_structure(NT(1, 2)).node_data() == (NT, None)
  assert tu.tree_structure(Point(1, 2, "t")).node_data() == (Point, "t")
  assert tu.tree_structure(collections.OrderedDict(b=1)).node_data() == (
      collections.OrderedDict, ("b",))
  assert tu.tree_structure(1).node_data() is None
  assert tu.tree_structure(1).children() == []
  assert td.unflatten([7, 8, 9]) == {"a": 7, "b": (8, 9)}
  assert repr(td.compose(tu.tree_structure([0, 0]))) == "PyTreeDef({'a': [*, *], 'b': ([*, *], [*, *])})"


def test_unflatten_wrong_leaf_count():
  td = tu.tree_structure((1, (2, 3)))
  with pytest.raises(ValueError, match=r"Too few leaves.*expected 3, got 2"):
    td.unflatten([1, 2])
  with pytest.raises(ValueError, match=r"Too many leaves.*expected 3, got 4"):
    tu.tree_unflatten(td, [1, 2, 3, 4])


def test_flatten_up_to():
  td = tu.tree_structure({"a": 1, "b": (2, 3)})
  assert td.flatten_up_to({"a": [1, 2], "b": ({"x": 1}, None)}) == [[1, 2], {"x": 1}, None]
  with pytest.raises(ValueError) as e:
    td.flatten_up_to({"a": 1, "b": [2, 3]})
  msg = str(e.value)
  assert "['b']" in msg and "<class 'tuple'>" in msg and "<class 'list'>" in msg
  assert "PyTreeDef({'a': *, 'b': (*, *)})" in msg and "PyTreeDef({'a': *, 'b': [*, *]})" in msg
  with pytest.raises(ValueError, match=r"arity.*expected 2 children, got 3"):
    td.flatten_up_to({"a": 1, "b": (2, 3, 4)})
  with pytest.raises(ValueError, match=r"dict key mismatch.*\['a', 'b'\].*\['a'\]"):
    td.flatten_up_to({"a": 1})
  with pytest.raises(ValueError, match="node data mismatch"):
    tu.tree_structure(Point(1, 2, "p")).flatten_up_to(Point(1, 2, "q"))
  with pytest.raises(ValueError):  # None in the structure does not match a leaf
    tu.tree_structure((1, None)).flatten_up_to((1, 2))
  with pytest.raises(ValueError):  # namedtuple is not a tuple
    tu.tree_structure((1, 2)).flatten_up_to(NT(1, 2))
  assert tu.tree_structure(None).flatten_up_to(None) == []


def test_dict_with_unsortable_keys():
  with pytest.raises(ValueError, match="sorting"):
    tu.tree_flatten({1: "a", "b": 2})


# ---------------------------------------------------------------------------
# tree_map and reductions
# ---------------------------------------------------------------------------

def test_tree_map():
  assert tu.tree_map(lambda x: x + 1, {"a": 1, "b": [2, (3,)]}) == {"a": 2, "b": [3, (4,)]}
  assert tu.tree_map(lambda x, y, z: x + y + z, (1, [2]), (10, [20]), (100, [200])) == (111, [222])
  # Extra trees may have subtrees where the first has leaves.
  assert tu.tree_map(lambda a, b: (a, b), (1, 2), ([3], {"x": 4})) == ((1, [3]), (2, {"x": 4}))
  assert tu.tree_map(lambda a, b: b, (1, 2), (1, None)) == (1, None)
  assert tu.tree_map(lambda x: x, [1, (2, 3)], is_leaf=lambda x: isinstance(x, tuple)) == [1, (2, 3)]
  assert tu.tree_map(lambda x: 0, None) is None


@pytest.mark.parametrize("a,b", [((1, 2), (1, 2, 3)), ((1, 2), [1, 2]), ({"a": 1}, {"b": 1}),
                                 ((1, None), (1, 2)), (NT(1, 2), (1, 2)),
                                 ({"a": 1}, {"a": 1, "b": 2})])
def test_tree_map_mismatch(a, b):
  with pytest.raises(ValueError) as e:
    tu.tree_map(lambda x, y: x, a, b)
  msg = str(e.value)
  assert repr(tu.tree_structure(a)) in msg and repr(tu.tree_structure(b)) in msg


def test_tree_all_and_reduce():
  assert tu.tree_all([1, True, (2,)]) is True
  assert tu.tree_all([1, True, (0,)]) is False
  assert tu.tree_all([]) is True
  assert tu.tree_all([0, (1,)], is_leaf=lambda x: isinstance(x, tuple)) is False
  assert tu.tree_reduce(operator.add, [1, (2, 3)]) == 6
  assert tu.tree_reduce(operator.add, [1, (2, 3)], 10) == 16
  assert tu.tree_reduce(operator.add, [], 0) == 0
  assert tu.tree_reduce(lambda a, b: a + [b], [(1,), [2]], [], is_leaf=lambda x: isinstance(x, tuple)) == [(1,), 2]
  with pytest.raises(TypeError):
    tu.tree_reduce(operator.add, [])
  assert tu.tree_reduce_associative(lambda a, b: (a, b), [1, 2, 3, 4, 5]) == ((1, 2), (3, (4, 5)))
  assert tu.tree_reduce_associative(operator.add, [], identity=7) == 7
  with pytest.raises(TypeError):
    tu.tree_reduce_associative(operator.add, [])


def test_tree_transpose():
  outer, inner = tu.tree_structure([0, 0]), tu.tree_structure((0, 0))
  assert tu.tree_transpose(outer, inner, [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
  assert tu.tree_transpose(outer, None, [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
  out = tu.tree_transpose(tu.tree_structure({"a": 0, "b": 0}), tu.tree_structure([0, 0, 0]),
                          {"a": [1, 2, 3], "b": [4, 5, 6]})
  assert out == [{"a": 1, "b": 4}, {"a": 2, "b": 5}, {"a": 3, "b": 6}]
  with pytest.raises(TypeError):
    tu.tree_transpose(outer, inner, [(1, 2), (3,)])


def test_tree_broadcast():
  assert tu.tree_broadcast((1, 2, 3), (0, {"a": 0, "b": 0}, (0, 0))) == (1, {"a": 2, "b": 2}, (3, 3))
  assert tu.tree_broadcast((1, None), (0, None)) == (1, None)


def test_treedef_helpers():
  t1, t2 = tu.tree_structure(1), tu.tree_structure({"a": 1, "b": (2, 3)})
  tt = tu.treedef_tuple([t1, t2])
  assert tt == tu.tree_structure((1, {"a": 1, "b": (2, 3)}))
  assert tt.num_leaves == 4
  assert tu.treedef_is_leaf(t1)
  assert not tu.treedef_is_leaf(t2)
  # JAX semantics: a single node counts, so None and empty containers too.
  assert tu.treedef_is_leaf(tu.tree_structure(None)) and tu.treedef_is_leaf(tu.tree_structure(()))


def test_all_leaves():
  assert tu.all_leaves([1, "a", 2.0])
  assert not tu.all_leaves([(1,), 2])
  assert not tu.all_leaves([None])
  assert tu.all_leaves([(1,), 2], is_leaf=lambda x: isinstance(x, tuple))
  assert not tu.all_leaves([[1], 2], is_leaf=lambda x: isinstance(x, tuple))


def test_flatten_one_level_and_is_tree_node():
  assert tu.flatten_one_level((1, (2,))) == ((1, (2,)), None)
  children, aux = tu.flatten_one_level({"b": 1, "a": [2]})
  assert list(children) == [[2], 1] and aux == ("a", "b")
  assert tu.flatten_one_level(Point(1, 2)) == ((1, 2), "p")
  with pytest.raises(ValueError):
    tu.flatten_one_level(1)
  assert tu.flatten_one_level_with_keys({"b": 1, "a": 2}) == (
      ((DictKey("a"), 2), (DictKey("b"), 1)), ("a", "b"))
  with pytest.raises(ValueError):
    tu.flatten_one_level_with_keys(1)
  assert tu.is_tree_node(tuple) and tu.is_tree_node(NT) and tu.is_tree_node(type(None))
  assert tu.is_tree_node(Point) and not tu.is_tree_node(int)


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------

def test_register_pytree_node_and_duplicate():
  class Box:
    def __init__(self, v): self.v = v

  tu.register_pytree_node(Box, lambda b: ((b.v,), None), lambda aux, ch: Box(*ch))
  out = tu.tree_map(lambda x: x * 10, [Box(1), Box((2, 3))])
  assert out[0].v == 10 and out[1].v == (20, 30)
  assert tu.tree_leaves_with_path(Box(5)) == [((FlattenedIndexKey(0),), 5)]
  with pytest.raises(ValueError, match="Duplicate"):
    tu.register_pytree_node(Box, lambda b: ((), None), lambda aux, ch: Box(0))
  with pytest.raises(ValueError, match="Duplicate"):
    tu.register_pytree_node(tuple, lambda b: ((), None), lambda aux, ch: ())


def test_register_pytree_node_class():
  @tu.register_pytree_node_class
  class Pair:
    def __init__(self, a, b): self.a, self.b = a, b
    def tree_flatten(self): return (self.a, self.b), "meta"
    @classmethod
    def tree_unflatten(cls, aux, children):
      assert aux == "meta"
      return cls(*children)

  leaves, td = tu.tree_flatten(Pair(1, [2]))
  assert leaves == [1, 2] and repr(td) == "PyTreeDef(CustomNode(Pair[meta], [*, [*]]))"
  p = td.unflatten([3, 4])
  assert (p.a, p.b) == (3, [4])


def test_register_with_keys():
  class Named:
    def __init__(self, **kw): self.kw = kw

  tu.register_pytree_with_keys(
      Named,
      lambda n: ([(GetAttrKey(k), n.kw[k]) for k in sorted(n.kw)], tuple(sorted(n.kw))),
      lambda keys, ch: Named(**dict(zip(keys, ch))))
  paths = tu.tree_leaves_with_path(Named(b=2, a=[1]))
  assert [(tu.keystr(p), v) for p, v in paths] == [(".a[0]", 1), (".b", 2)]
  assert tu.tree_leaves(Named(b=2, a=[1])) == [1, 2]  # derived flatten_func
  assert tu.tree_map(lambda x: -x, Named(a=1)).kw == {"a": -1}

  @tu.register_pytree_with_keys_class
  class KC:
    def __init__(self, x): self.x = x
    def tree_flatten_with_keys(self): return [("mykey", self.x)], None
    @classmethod
    def tree_unflatten(cls, aux, ch): return cls(*ch)

  assert tu.tree_leaves_with_path(KC(3)) == [(("mykey",), 3)]
  assert tu.keystr(("mykey", SequenceKey(1))) == "mykey[1]"
  assert tu.tree_map(lambda v: v + 1, KC(3)).x == 4


def test_register_dataclass_inferred():
  @tu.register_dataclass
  @dataclasses.dataclass
  class DC:
    x: int
    y: list
    op: str = dataclasses.field(default="add", metadata=dict(static=True))

  d = DC(1, [2, 3], "mul")
  leaves, td = tu.tree_flatten(d)
  assert leaves == [1, 2, 3]
  assert repr(td) == "PyTreeDef(CustomNode(DC[('mul',)], [*, [*, *]]))"
  assert td.unflatten([4, 5, 6]) == DC(4, [5, 6], "mul")
  assert td != tu.tree_structure(DC(1, [2, 3], "add"))
  assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(d)] == [".x", ".y[0]", ".y[1]"]


def test_register_dataclass_explicit_and_static_helper():
  @functools.partial(tu.register_dataclass, data_fields=["a"], meta_fields=["n"])
  @dataclasses.dataclass
  class E:
    a: object
    n: int

  assert tu.tree_leaves(E((1, 2), 3)) == [1, 2]
  assert tu.tree_structure(E(0, 3)).node_data() == (E, (3,))

  class Plain:  # not a dataclass: fields must be given, rebuilt via keywords
    def __init__(self, a, n): self.a, self.n = a, n

  tu.register_dataclass(Plain, data_fields=["a"], meta_fields=["n"])
  p = tu.tree_map(lambda v: v + 1, Plain(1, "k"))
  assert (p.a, p.n) == (2, "k")

  @tu.register_dataclass
  @dataclasses.dataclass
  class S:
    x: int
    mode: str = ptree.static(default="m")

  assert tu.tree_leaves(S(1)) == [1]
  assert tu.tree_structure(S(1)).node_data() == (S, ("m",))


def test_register_dataclass_errors():
  class NotDC:
    pass

  with pytest.raises(TypeError):
    tu.register_dataclass(NotDC)
  with pytest.raises(TypeError):
    tu.register_dataclass(NotDC, data_fields=["a"])

  @dataclasses.dataclass
  class WithNoInit:
    x: int
    z: int = dataclasses.field(init=False, default=3)

  with pytest.raises(ValueError):
    tu.register_dataclass(WithNoInit)

  @dataclasses.dataclass
  class Two:
    x: int
    y: int

  with pytest.raises(ValueError):
    tu.register_dataclass(Two, data_fields=["x"], meta_fields=[])


def test_register_static():
  @tu.register_static
  class Cfg:
    def __init__(self, v): self.v = v
    def __eq__(self, o): return isinstance(o, Cfg) and o.v == self.v
    def __hash__(self): return hash(self.v)
    def __repr__(self): return f"Cfg({self.v})"

  leaves, td = tu.tree_flatten([Cfg(1), 2])
  assert leaves == [2]
  assert repr(td) == "PyTreeDef([CustomNode(Cfg[Cfg(1)], []), *])"
  c = Cfg(1)
  assert tu.tree_map(lambda x: x, [c, 2])[0] is c
  assert td != tu.tree_structure([Cfg(2), 2])
  with pytest.raises(ValueError):
    tu.tree_map(lambda x, y: x, [Cfg(1), 2], [Cfg(2), 3])


# ---------------------------------------------------------------------------
# Partial
# ---------------------------------------------------------------------------

def test_partial():
  def f(a, b, c=0):
    return a + b + c

  p = Partial(f, 1, c=3)
  assert isinstance(p, functools.partial) and p(2) == 6
  leaves, td = tu.tree_flatten(p)
  assert leaves == [1, 3]
  assert td.num_leaves == 2 and td.node_data()[1] is f
  q = tu.tree_map(lambda x: x * 10, p)
  assert isinstance(q, Partial) and q.func is f and q(2) == 42
  assert tu.tree_structure(Partial(f, 5, c=7)) == td
  assert tu.tree_structure(Partial(f, 5)) != td
  assert [tu.keystr(k) for k, _ in tu.tree_leaves_with_path(p)] == [
      "[<flat index 0>][0]", "[<flat index 1>]['c']"]


def test_partial_nesting():
  def f(*args, **kw):
    return args, kw

  inner = Partial(f, 1)
  outer = Partial(inner, 2, k=3)
  assert outer(4) == ((1, 2, 4), {"k": 3})
  assert tu.tree_leaves(outer) == [1, 2, 3]  # inner Partial's args stay children
  plain = Partial(functools.partial(f, "static"), 2)
  assert plain(3) == (("static", 2, 3), {})
  assert tu.tree_leaves(plain) == [2]  # a plain functools.partial stays opaque


# ---------------------------------------------------------------------------
# Key paths
# ---------------------------------------------------------------------------

def test_key_classes():
  assert repr(SequenceKey(0)) == "SequenceKey(idx=0)" and str(SequenceKey(0)) == "[0]"
  assert repr(DictKey("a")) == "DictKey(key='a')" and str(DictKey("a")) == "['a']"
  assert repr(GetAttrKey("x")) == "GetAttrKey(name='x')" and str(GetAttrKey("x")) == ".x"
  assert repr(FlattenedIndexKey(1)) == "FlattenedIndexKey(key=1)"
  assert str(FlattenedIndexKey(1)) == "[<flat index 1>]"
  assert SequenceKey(1) == SequenceKey(1) and SequenceKey(1) != SequenceKey(2)
  assert SequenceKey(1) != FlattenedIndexKey(1)
  assert len({DictKey("a"), DictKey("a"), GetAttrKey("a")}) == 2


def test_keystr():
  path = (DictKey("a"), SequenceKey(0), GetAttrKey("x"), FlattenedIndexKey(2))
  assert tu.keystr(path) == "['a'][0].x[<flat index 2>]"
  assert tu.keystr(path, simple=True, separator="/") == "a/0/x/2"
  assert tu.keystr(path, separator="/") == "['a']/[0]/.x/[<flat index 2>]"
  assert tu.keystr(()) == ""
  assert tu.keystr((DictKey(1),)) == "[1]"


def test_flatten_with_path():
  tree = {"a": [1, NT(2, 3)], "b": collections.OrderedDict(z=4, y=None), "c": (5,)}
  pairs, td = tu.tree_flatten_with_path(tree)
  assert td == tu.tree_structure(tree)
  assert [v for _, v in pairs] == tu.tree_leaves(tree)
  assert [tu.keystr(p) for p, _ in pairs] == ["['a'][0]", "['a'][1].x", "['a'][1].y",
                                             "['b']['z']", "['c'][0]"]
  assert pairs[0][0] == (DictKey("a"), SequenceKey(0))
  dd = collections.defaultdict(int, {"k": 1})
  assert tu.tree_leaves_with_path(dd) == [((DictKey("k"),), 1)]
  assert tu.tree_leaves_with_path(7) == [((), 7)]


def test_flatten_with_path_is_leaf():
  tree = {"a": (1, 2), "b": (3, 4)}
  pairs = tu.tree_leaves_with_path(tree, is_leaf=lambda x: isinstance(x, tuple))
  assert pairs == [((DictKey("a"),), (1, 2)), ((DictKey("b"),), (3, 4))]
  pairs = tu.tree_leaves_with_path(tree, is_leaf=lambda p, x: p == (DictKey("b"),),
                                   is_leaf_takes_path=True)
  assert [v for _, v in pairs] == [1, 2, (3, 4)]
  _, td = tu.tree_flatten_with_path(tree, is_leaf=lambda x: isinstance(x, tuple))
  assert repr(td) == "PyTreeDef({'a': *, 'b': *})"


def test_tree_map_with_path():
  out = tu.tree_map_with_path(lambda p, x: (tu.keystr(p), x), {"a": [1], "b": 2})
  assert out == {"a": [("['a'][0]", 1)], "b": ("['b']", 2)}
  out = tu.tree_map_with_path(lambda p, x, y: x + y, (1, [2]), (10, [20]))
  assert out == (11, [22])
  with pytest.raises(ValueError):
    tu.tree_map_with_path(lambda p, x, y: x, (1, 2), (1, 2, 3))
  out = tu.tree_map_with_path(lambda p, x: len(p), [(1, 2)], is_leaf=lambda x: isinstance(x, tuple))
  assert out == [1]


# ---------------------------------------------------------------------------
# jax.tree namespace
# ---------------------------------------------------------------------------

def test_tree_namespace():
  assert ptree.map(lambda x, y: x * y, [1, (2,)], [3, (4,)]) == [3, (8,)]
  assert ptree.leaves({"b": 1, "a": 2}) == [2, 1]
  leaves, td = ptree.flatten((1, 2))
  assert ptree.unflatten(td, leaves) == (1, 2) and ptree.structure((3, 4)) == td
  assert ptree.all([1, 1]) and ptree.reduce(operator.add, [1, 2]) == 3
  assert ptree.reduce_associative(operator.add, [1, 2, 3]) == 6
  assert ptree.transpose(ptree.structure([0, 0]), None, [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
  assert ptree.broadcast((1, 2), ([0, 0], 0)) == ([1, 1], 2)
  assert ptree.leaves_with_path([5]) == [((SequenceKey(0),), 5)]
  assert ptree.flatten_with_path([5])[0] == [((SequenceKey(0),), 5)]
  assert ptree.map_with_path(lambda p, x: p[0].idx, [5, 6]) == [0, 1]
  f = ptree.static(default=1)
  assert f.metadata["static"] is True and f.default == 1


@needs_jax
def test_namespaces_match_jax():
  public = lambda m: {n for n in dir(m) if not n.startswith("_")}  # noqa: E731
  assert public(jtree) - {"annotations"} <= public(ptree)
  expected = public(jtu) - {"default_registry"}  # jax's registry object is internal here
  assert expected <= public(tu), expected - public(tu)


# ---------------------------------------------------------------------------
# Oracle tests against jax
# ---------------------------------------------------------------------------

@needs_jax
@pytest.mark.parametrize("tree", sample_trees(), ids=repr)
def test_oracle_structure(tree):
  _register_in_jax()
  leaves, td = tu.tree_flatten(tree)
  jleaves, jtd = jtu.tree_flatten(tree)
  assert leaves == jleaves
  assert repr(td) == repr(jtd)
  assert (td.num_leaves, td.num_nodes) == (jtd.num_leaves, jtd.num_nodes)
  assert td.node_data() == jtd.node_data()
  assert [repr(c) for c in td.children()] == [repr(c) for c in jtd.children()]
  assert tu.treedef_is_leaf(td) == jtu.treedef_is_leaf(jtd)
  assert tu.all_leaves([tree]) == jtu.all_leaves([tree])
  out, jout = td.unflatten(range(td.num_leaves)), jtd.unflatten(range(td.num_leaves))
  assert out == jout and type(out) is type(jout)
  if isinstance(out, dict):
    assert list(out) == list(jout)
  paths = [(tu.keystr(p), tu.keystr(p, simple=True, separator="/"), v)
           for p, v in tu.tree_leaves_with_path(tree)]
  jpaths = [(jtu.keystr(p), jtu.keystr(p, simple=True, separator="/"), v)
            for p, v in jtu.tree_leaves_with_path(tree)]
  assert paths == jpaths
  assert [repr(p) for p, _ in tu.tree_leaves_with_path(tree)] == [
      repr(p) for p, _ in jtu.tree_leaves_with_path(tree)]


@needs_jax
@pytest.mark.parametrize("a,b", [((1, 2), (1, 2, 3)), ((1, 2), [1, 2]), ({"a": 1}, {"b": 1}),
                                 ((1, None), (1, 2)), ((1, 2), (1, None)), (NT(1, 2), (1, 2)),
                                 ({"a": 1}, {"a": 1, "b": 2}), ((1, 2), ([3], {"x": 4})),
                                 ([1, {"k": 2}], [(5,), {"k": None}])])
def test_oracle_tree_map_multi(a, b):
  f = lambda x, y: (x, y)  # noqa: E731
  try:
    expected = jtu.tree_map(f, a, b)
  except ValueError:
    with pytest.raises(ValueError):
      tu.tree_map(f, a, b)
  else:
    assert tu.tree_map(f, a, b) == expected


@needs_jax
def test_oracle_misc():
  tree = [1, (2, 3), {"a": 4, "b": [5, None]}]
  is_tuple = lambda x: isinstance(x, tuple)  # noqa: E731
  assert repr(tu.tree_structure(tree, is_leaf=is_tuple)) == repr(
      jtu.tree_structure(tree, is_leaf=is_tuple))
  assert tu.tree_reduce_associative(lambda a, b: (a, b), tree) == jtu.tree_reduce_associative(
      lambda a, b: (a, b), tree)
  assert tu.tree_broadcast([1, 2, 3], tree) == jtu.tree_broadcast([1, 2, 3], tree)
  outer, inner = [(1, 2), (3, 4), (5, 6)], (0, 0)
  assert tu.tree_transpose(tu.tree_structure([0, 0, 0]), tu.tree_structure(inner), outer) == \
      jtu.tree_transpose(jtu.tree_structure([0, 0, 0]), jtu.tree_structure(inner), outer)
  assert repr(tu.treedef_tuple([tu.tree_structure(1), tu.tree_structure({"a": (1,)})])) == repr(
      jtu.treedef_tuple([jtu.tree_structure(1), jtu.tree_structure({"a": (1,)})]))
  for k in [SequenceKey(3), DictKey("q"), GetAttrKey("n"), FlattenedIndexKey(2)]:
    jk = getattr(jtu, type(k).__name__)(*dataclasses.astuple(k))
    assert (repr(k), str(k)) == (repr(jk), str(jk))
  for x in [(1, (2,)), {"b": 1, "a": 2}, None]:
    ours, theirs = tu.flatten_one_level(x), jtu.flatten_one_level(x)
    assert (list(ours[0]), ours[1]) == (list(theirs[0]), theirs[1])
    assert repr(tu.flatten_one_level_with_keys(x)) == repr(jtu.flatten_one_level_with_keys(x))
  with pytest.raises(ValueError, match="expected 3, got 2"):
    tu.tree_structure((1, 2, 3)).unflatten([1, 2])
  with pytest.raises(ValueError, match="expected 3, got 2"):
    jtu.tree_structure((1, 2, 3)).unflatten([1, 2])
