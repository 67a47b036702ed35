"""Every public jax.numpy function that pyjax.numpy has is exercised by some test.

The list of names is the checked-in list of JAX's public names (pyjax/tools/api_coverage.py).
A name counts as exercised when a test file (other than this one), read as Python syntax
(so comments and docstrings do not count), contains either

* an attribute reference to it on the module: ``jnp.name`` / ``pyjax.numpy.name``, or on a
  parameter named ``m`` / ``np_`` -- the tests' convention for a function run once with
  pyjax.numpy and once with NumPy or JAX (``check_jax(lambda m: m.name(x))``); or
* the string ``"name"`` as an element of a list/tuple/set literal or a dict key (a table of
  names, usually a parametrize list), in a file that looks names up with
  ``getattr(<module>, <variable>)``.

Array methods (``x.sum()``) do not count for the function of the same name.  The same rule
is applied to jax.lax, whose untested names are listed below for now.
"""
import ast
import functools
import glob
import os

import pytest

from pyjax.tools.api_coverage import coverage, load_jax_names

TESTS = os.path.dirname(__file__)
DUAL_PARAMS = {"m": "numpy", "np_": "numpy", "lax_": "lax"}

# jax.lax functions pyjax.lax has but no test exercises by the rule above (another helper
# is adding lax names and tests now; shrink this list as tests arrive, never grow it
# without a reason written next to the name).
# As of writing, most are exercised only through their primitives in tests/primitive_harness.py
# (which binds primitives, not the lax wrappers) or not at all.
UNTESTED_LAX = {
    'ConvGeneralDilatedDimensionNumbers', 'DotDimensionNumbers', 'PrecisionLike', 'abs',
    'acos', 'acosh', 'all_to_all', 'approx_max_k', 'approx_min_k', 'argmax', 'argmin',
    'asin', 'asinh', 'atan', 'atan2', 'atanh', 'axis_size', 'batch_matmul', 'bessel_i0e',
    'bessel_i1e', 'betainc', 'bitcast_convert_type', 'bitwise_and', 'bitwise_not',
    'bitwise_or', 'bitwise_xor', 'broadcast', 'broadcast_in_dim', 'broadcast_like',
    'broadcast_shapes', 'broadcast_to_rank', 'broadcasted_iota', 'cbrt', 'ceil', 'clamp',
    'clz', 'collapse', 'composite', 'conj', 'conv', 'conv_dimension_numbers',
    'conv_general_dilated', 'conv_general_dilated_local', 'conv_general_dilated_patches',
    'conv_general_permutations', 'conv_general_shape_tuple', 'conv_shape_tuple',
    'conv_transpose', 'conv_transpose_shape_tuple', 'conv_with_general_padding',
    'convert_element_type', 'cos', 'cosh', 'cumlogsumexp', 'cummax', 'cummin', 'cumprod',
    'cumsum', 'custom_linear_solve', 'custom_root', 'digamma', 'div', 'dot', 'dtype',
    'dynamic_index_in_dim', 'dynamic_slice_in_dim', 'dynamic_update_index_in_dim',
    'dynamic_update_slice_in_dim', 'eq', 'erf', 'erf_inv', 'erfc', 'exp', 'exp2',
    'expand_dims', 'expm1', 'fft', 'floor', 'full', 'full_like', 'ge', 'gt', 'igamma',
    'igamma_grad_a', 'igammac', 'index_in_dim', 'integer_pow', 'iota', 'is_finite', 'le',
    'lgamma', 'log', 'log1p', 'logistic', 'lt', 'mulhi', 'ne', 'neg', 'nextafter',
    'optimization_barrier', 'pad', 'padtype_to_pads', 'pbroadcast', 'platform_dependent',
    'polygamma', 'population_count', 'pow', 'pshuffle', 'psum_scatter', 'pswapaxes',
    'ragged_dot', 'ragged_dot_general', 'random_gamma_grad', 'reciprocal', 'reduce',
    'reduce_and', 'reduce_max', 'reduce_min', 'reduce_or', 'reduce_precision',
    'reduce_prod', 'reduce_sum', 'reduce_window', 'reduce_window_shape_tuple', 'reduce_xor',
    'rem', 'rev', 'rng_bit_generator', 'rng_uniform', 'round', 'rsqrt', 'scatter_apply',
    'select', 'select_n', 'shape_as_value', 'shift_left', 'shift_right_arithmetic',
    'shift_right_logical', 'sign', 'sin', 'sinh', 'slice', 'slice_in_dim', 'sort',
    'sort_key_val', 'split', 'sqrt', 'square', 'squeeze', 'stack', 'stage', 'sub', 'tan',
    'tanh', 'tile', 'top_k', 'transpose', 'unstack', 'with_sharding_constraint', 'zeta',
}


def _module_aliases(tree, module):
    """Names a file binds to pyjax.<module> (pyjax.numpy or pyjax.lax)."""
    full = f"pyjax.{module}"
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == full and a.asname:
                    aliases.add(a.asname)
                elif a.name == "pyjax" and a.asname:      # import pyjax as jax: jax.numpy
                    aliases.add(f"{a.asname}.{module}")
        elif isinstance(node, ast.ImportFrom) and node.module == "pyjax":
            for a in node.names:
                if a.name == module:
                    aliases.add(a.asname or a.name)
    return aliases


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _params(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Lambda, ast.FunctionDef)):
            names.update(a.arg for a in node.args.args + node.args.kwonlyargs)
    return names


@functools.lru_cache(maxsize=None)
def _test_trees():
    """The syntax trees of the test files (parsed once: it takes a few seconds)."""
    trees = []
    for path in sorted(glob.glob(os.path.join(TESTS, "*.py"))):
        if os.path.basename(path) != os.path.basename(__file__):
            with open(path) as f:
                trees.append(ast.parse(f.read(), path))
    return tuple(trees)


@functools.lru_cache(maxsize=None)
def exercised_names(module):
    """The names of pyjax.<module> that the test files exercise."""
    found = set()
    for tree in _test_trees():
        aliases = _module_aliases(tree, module)
        aliases |= {p for p in _params(tree) if DUAL_PARAMS.get(p) == module}
        prefixes = {f"{a}." for a in aliases} | {f"pyjax.{module}."}
        looks_up_by_name = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                dotted = _dotted(node)
                if dotted:
                    for p in prefixes:
                        if dotted.startswith(p) and "." not in dotted[len(p):]:
                            found.add(dotted[len(p):])
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id == "getattr" and len(node.args) >= 2
                  and not isinstance(node.args[1], ast.Constant)
                  and (_dotted(node.args[0]) or "") + "." in prefixes):
                looks_up_by_name = True
        if looks_up_by_name:
            for node in ast.walk(tree):
                elts = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else \
                    node.keys if isinstance(node, ast.Dict) else []
                found.update(e.value for e in elts
                             if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return found


def _untested(jax_module, module):
    present, _, _ = coverage(jax_module, load_jax_names()["modules"][jax_module])
    return sorted(set(present) - exercised_names(module))


def test_every_present_numpy_function_is_exercised():
    assert _untested("jax.numpy", "numpy") == []


def test_lax_functions_exercised_or_listed():
    untested = set(_untested("jax.lax", "lax"))
    assert sorted(untested - UNTESTED_LAX) == []


def test_rule_is_not_trivially_satisfied():
    """The rule sees real uses and ignores comments, docstrings and method calls."""
    names = exercised_names("numpy")
    assert {"sum", "where", "vectorize", "apply_along_axis"} <= names
    assert "methodname" not in names and "docname" not in names
    src = ('"""jnp.docname"""\nimport pyjax.numpy as jnp\n# jnp.commentname\n'
           'x.methodname()\njnp.realname(1)\n')
    tree = ast.parse(src)
    seen = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and _dotted(n).startswith("jnp.")}
    assert seen == {"realname"}


if __name__ == "__main__":
    pytest.main([__file__])
