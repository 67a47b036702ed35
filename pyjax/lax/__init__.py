"""pyjax.lax: the primitive operations, with JAX's strict typing rules."""
from pyjax._src.lax.lax import *  # noqa: F401,F403
from pyjax._src.lax.lax import (abs, max, min, pow, round, slice, complex)  # noqa: F401
from pyjax._src.lax.lax import (cond, map, scan, sort, switch, while_loop)  # noqa: F401
from pyjax.lax import linalg  # noqa: F401,E402
from pyjax._src.lax.fft import FftType, fft  # noqa: F401,E402
from pyjax._src.lax.solvers import custom_linear_solve, custom_root  # noqa: F401,E402
from pyjax._src.lax.special import betainc, bessel_i0e, bessel_i1e, zeta  # noqa: F401,E402
from pyjax._src.lax.convolution import *  # noqa: F401,F403,E402
from pyjax._src.lax.windowed_reductions import *  # noqa: F401,F403,E402
from pyjax._src.lax.slicing import (GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers,  # noqa: F401,E402
                                    gather, index_take, scatter, scatter_add, scatter_apply,
                                    scatter_max, scatter_min, scatter_mul, scatter_sub)
