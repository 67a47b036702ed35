"""Every public function of jax.numpy, jax.lax, jax.numpy.linalg/fft and jax.scipy.linalg
that pyjax has is exercised by some test.

The list of names is the checked-in list of JAX's public names (pyjax/tools/api_coverage.py).
A name counts as exercised when a test file (other than this one), read as Python syntax
(so comments and docstrings do not count), contains either

* an attribute reference to it on a name bound to the module where it is used:
  ``jnp.name`` / ``pyjax.numpy.name`` / ``jax.numpy.name`` after ``import pyjax as jax``,
  or on a parameter named ``m`` / ``np_`` -- the tests' convention for a function run once
  with pyjax.numpy and once with NumPy or JAX (``check_jax(lambda m: m.name(x))``), or on
  the private module that defines it when that is the very same object as the public one.
  Scopes are followed: a function that binds ``jnp`` to real JAX does not count; or
* the string ``"name"`` as an element of a list/tuple/set literal or a dict key (a table of
  names, usually a parametrize list), in a file that looks names up with
  ``getattr(<module>, <variable>)``.

Array methods (``x.sum()``) do not count for the function of the same name.  The same rule
is applied to jax.lax, jax.numpy.linalg, jax.numpy.fft and jax.scipy.linalg.
"""
import ast
import functools
import glob
import importlib
import os

import pytest

from pyjax.tools.api_coverage import coverage, load_jax_names

TESTS = os.path.dirname(__file__)
# Parameters that the tests' convention binds to pyjax.numpy / pyjax.lax (and, in another
# call, to NumPy or JAX): check_jax(lambda m: m.name(x)), both(lambda np_, lax_: ...).
DUAL_PARAMS = {"m": "numpy", "np_": "numpy", "lax_": "lax"}
# Per-file names bound to pyjax.lax in ways the rule cannot see, each checked by hand:
FILE_ALIASES = {
    # `lax = _Lax()` proxies pyjax.lax; `L` is pyjax.lax or jax.lax (fn(lax) / fn(real.lax))
    "test_convolution.py": {"lax": "lax", "L": "lax"},
    # _WEAK_CASES: `lambda L, W, S, I: L.sin(W())`, run with pyjax.lax and jax.lax
    "test_primitives.py": {"L": "lax"},
}



def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _direct_statements(scope):
    """The nodes of a scope's body, without those of nested functions and classes."""
    todo = list(scope.body) if isinstance(scope.body, list) else [scope.body]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES))


def _target(module_path, module):
    """What a binding to `module_path` is for the rule: the public module, one of its
    defining private modules (pyjax._src.<module>.*), or neither (None)."""
    if module_path == f"pyjax.{module}":
        return module_path
    if module_path and module_path.startswith(f"pyjax._src.{module}."):
        return module_path
    return None


def _rebind(scope, aliases, module):
    """The aliases ({name: module path}) inside `scope`: imports and assignments in it that
    bind a name to pyjax.<module> (or to a private module defining its functions) add it;
    any other binding of a name (e.g. `import jax.numpy as jnp`, `jnp = jax.numpy`, a
    parameter) hides the outer alias."""
    aliases = dict(aliases)
    for node in _direct_statements(scope):
        bound = []
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    bound.append((a.asname, _target(a.name, module)))
                    if a.name == "pyjax":                 # import pyjax as jax: jax.numpy
                        bound.append((f"{a.asname}.{module}", f"pyjax.{module}"))
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                bound.append((a.asname or a.name, _target(f"{node.module}.{a.name}", module)))
        elif isinstance(node, ast.Assign):
            value = _dotted(node.value)
            target = aliases.get(value) or _target(value, module)
            bound.extend((t.id, target) for t in node.targets if isinstance(t, ast.Name))
        for name, target in bound:
            if target:
                aliases[name] = target
            else:   # also hides `name.numpy` when `name` was pyjax
                for a in [a for a in aliases if a == name or a.startswith(name + ".")]:
                    del aliases[a]
    return aliases


@functools.lru_cache(maxsize=None)
def _is_public(name, target, module):
    """Whether `target.name` is pyjax.<module>.name: the public module, or the very same
    object reached through the private module that defines it."""
    if target == f"pyjax.{module}":
        return True
    try:
        private = importlib.import_module(target)
    except ImportError:          # `from pyjax._src.lax.sorting import sort_p`: not a module
        return False
    obj = getattr(private, name, None)
    public = importlib.import_module(f"pyjax.{module}")
    return obj is not None and getattr(public, name, None) is obj


def _collect(node, aliases, module, dual, found, tables):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        aliases = dict(aliases)
        args = node.args
        for a in args.posonlyargs + args.args + args.kwonlyargs:
            if dual.get(a.arg) == module:
                aliases[a.arg] = f"pyjax.{module}"
            else:
                aliases.pop(a.arg, None)
        aliases = _rebind(node, aliases, module)
    if isinstance(node, ast.Attribute):
        dotted = _dotted(node)
        if dotted and "." in dotted:
            owner, name = dotted.rsplit(".", 1)
            target = aliases.get(owner) or _target(owner, module)
            if target and _is_public(name, target, module):
                found.add(name)
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
          and node.func.id == "getattr" and len(node.args) >= 2
          and not isinstance(node.args[1], ast.Constant)
          and aliases.get(_dotted(node.args[0])) == f"pyjax.{module}"):
        tables[0] = True
    for child in ast.iter_child_nodes(node):
        _collect(child, aliases, module, dual, found, tables)


@functools.lru_cache(maxsize=None)
def _test_trees():
    """(file name, syntax tree) of the test files (parsed once: it takes a few seconds)."""
    trees = []
    for path in sorted(glob.glob(os.path.join(TESTS, "*.py"))):
        if os.path.basename(path) != os.path.basename(__file__):
            with open(path) as f:
                trees.append((os.path.basename(path), ast.parse(f.read(), path)))
    return tuple(trees)


@functools.lru_cache(maxsize=None)
def exercised_names(module):
    """The names of pyjax.<module> that the test files exercise."""
    found = set()
    for filename, tree in _test_trees():
        dual = dict(DUAL_PARAMS, **FILE_ALIASES.get(filename, {}))
        aliases = _rebind(tree, {}, module)
        # after the module's own bindings: FILE_ALIASES names what they cannot tell
        aliases.update({n: f"pyjax.{module}" for n, m in FILE_ALIASES.get(filename, {}).items()
                        if m == module})
        tables = [False]
        _collect(tree, aliases, module, dual, found, tables)
        if tables[0]:   # the file looks names up: its tables of names count
            for node in ast.walk(tree):
                elts = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else \
                    node.keys if isinstance(node, ast.Dict) else []
                found.update(e.value for e in elts
                             if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return found


def _untested(jax_module, module):
    present, _, _ = coverage(jax_module, load_jax_names()["modules"][jax_module])
    return sorted(set(present) - exercised_names(module))


@pytest.mark.parametrize("jax_module,module", [
    ("jax.numpy", "numpy"), ("jax.lax", "lax"), ("jax.numpy.linalg", "numpy.linalg"),
    ("jax.numpy.fft", "numpy.fft"), ("jax.scipy.linalg", "scipy.linalg")])
def test_every_present_function_is_exercised(jax_module, module):
    assert _untested(jax_module, module) == []


def test_rule_is_not_trivially_satisfied():
    """The rule sees real uses and ignores comments, docstrings and method calls."""
    names = exercised_names("numpy")
    assert {"sum", "where", "vectorize", "apply_along_axis"} <= names
    assert "methodname" not in names and "docname" not in names
    src = ('"""jnp.docname"""\nimport pyjax.numpy as jnp\n# jnp.commentname\n'
           'x.methodname()\njnp.realname(1)\n'
           'def f():\n    import jax.numpy as jnp\n    jnp.theirname(1)\n'
           'def g(jnp):\n    jnp.paramname(1)\n'
           'h = lambda m: m.dualname(1)\n'
           'import pyjax as jax\njax.numpy.viapyjax(1)\n'
           'def k():\n    jax = real()\n    jax.numpy.notours(1)\n')
    seen = set()
    tree = ast.parse(src)
    _collect(tree, _rebind(tree, {}, "numpy"), "numpy", DUAL_PARAMS, seen, [False])
    assert seen == {"realname", "dualname", "viapyjax"}


if __name__ == "__main__":
    pytest.main([__file__])
