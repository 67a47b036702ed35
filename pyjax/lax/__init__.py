"""pyjax.lax: the primitive operations, with JAX's strict typing rules."""
from pyjax._src.lax.lax import *  # noqa: F401,F403
from pyjax._src.lax.lax import (abs, max, min, pow, round, slice, complex)  # noqa: F401
from pyjax._src.lax.lax import (cond, map, scan, sort, switch, while_loop)  # noqa: F401
from pyjax.lax import linalg  # noqa: F401,E402
from pyjax._src.lax.fft import FftType, fft  # noqa: F401,E402
from pyjax._src.lax.solvers import custom_linear_solve, custom_root  # noqa: F401,E402
from pyjax._src.lax.tokens import after_all, after_all_p, create_token, create_token_p  # noqa: F401,E402
from pyjax._src.lax.special import betainc, bessel_i0e, bessel_i1e, zeta  # noqa: F401,E402
from pyjax._src.lax.convolution import *  # noqa: F401,F403,E402
from pyjax._src.lax.windowed_reductions import *  # noqa: F401,F403,E402
from pyjax._src.lax.slicing import (GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers,  # noqa: F401,E402
                                    gather, index_take, scatter, scatter_add, scatter_apply,
                                    scatter_max, scatter_min, scatter_mul, scatter_sub)


# JAX's primitive objects under their jax.lax names: the pyjax primitives of the same name.
_PRIMITIVE_NAMES = (
    "abs", "acos", "acosh", "add", "all_gather", "and", "asin", "asinh", "atan2", "atan",
    "atanh", "axis_index", "bessel_i0e", "bessel_i1e", "cbrt", "ceil", "clz", "cond", "conj",
    "cos", "cosh", "cumlogsumexp", "cummax", "cummin", "cumprod", "cumsum", "digamma", "div",
    "eq", "erf_inv", "erf", "erfc", "exp2", "exp", "expm1", "fft", "floor", "gather", "ge", "gt",
    "igamma", "igammac", "imag", "is_finite", "le", "lgamma", "log1p", "log", "logistic", "lt",
    "max", "min", "mul", "mulhi", "ne", "neg", "nextafter", "not", "or", "pmax", "pmin",
    "polygamma", "population_count", "pow", "ppermute", "psum", "real", "reduce_and",
    "reduce_max", "reduce_min", "reduce_or", "reduce_prod", "reduce_sum", "reduce_xor",
    "regularized_incomplete_beta", "rem", "rng_bit_generator", "rng_uniform", "rsqrt", "scan",
    "scatter-add", "scatter-max", "scatter-min", "scatter-mul", "scatter", "scatter-sub",
    "shift_left", "shift_right_arithmetic", "shift_right_logical", "sign", "sin", "sinh", "sort",
    "sqrt", "sub", "tan", "tanh", "top_k", "while", "xor", "zeta")


def _export_primitives():
    from pyjax._src import core
    by_name = {}
    for table in (core.abstract_eval_rules, core.impl_rules):
        for prim in table:
            by_name.setdefault(prim.name, prim)
    for name in _PRIMITIVE_NAMES:
        globals()[name.replace("-", "_") + "_p"] = by_name[name]


_export_primitives()
del _export_primitives
