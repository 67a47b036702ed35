"""pyjax: JAX's programming model — composable transformations of NumPy programs — in Python."""
from pyjax._src.config import config
from pyjax._src.core import Array
from pyjax._src.errors import (ConcretizationTypeError, TracerArrayConversionError,  # noqa: F401
                               TracerBoolConversionError, TracerIntegerConversionError,
                               UnexpectedTracerError)
from pyjax import numpy, lax, nn, random, tree_util, tree, dtypes  # noqa: F401
from pyjax._src.api import (ShapeDtypeStruct, block_until_ready, default_backend,  # noqa: F401
                            device_count, device_get, device_put, devices, disable_jit,
                            eval_shape, grad, hessian, jacfwd, jacobian, jacrev, jit, jvp,
                            linear_transpose, linearize, local_device_count, local_devices,
                            make_jaxpr, process_count, process_index, value_and_grad, vjp, vmap)
from pyjax._src.custom_derivatives import custom_jvp, custom_vjp  # noqa: F401
from pyjax import errors  # noqa: F401

__version__ = "0.1.0"
from pyjax._src.ad_checkpoint import checkpoint, checkpoint_policies, remat  # noqa: F401,E402
from pyjax import ad_checkpoint  # noqa: F401,E402
from pyjax._src.callbacks import pure_callback  # noqa: F401,E402
from pyjax import debug  # noqa: F401,E402
from pyjax._src.source_info import named_scope  # noqa: F401,E402
from pyjax._src.interpreters.partial_eval import ensure_compile_time_eval  # noqa: F401,E402
from pyjax._src.api import named_call  # noqa: F401,E402
from pyjax import test_util  # noqa: F401,E402
