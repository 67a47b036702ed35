"""pyjax.nn: neural-network functions (activations, softmax, attention) and initializers,
with jax.nn's API and numbers."""
from pyjax.numpy import tanh  # noqa: F401
from pyjax._src.nn.functions import (  # noqa: F401
    celu, dot_product_attention, elu, gelu, glu, hard_sigmoid, hard_silu, hard_swish,
    hard_tanh, identity, leaky_relu, log1mexp, log_sigmoid, log_softmax, logmeanexp, logsumexp,
    mish, one_hot, relu, relu6, selu, sigmoid, silu, soft_sign, softmax, softplus, sparse_plus,
    sparse_sigmoid, squareplus, standardize, swish)
from pyjax.nn import initializers  # noqa: F401,E402
