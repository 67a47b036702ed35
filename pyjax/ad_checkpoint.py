"""jax.ad_checkpoint: checkpoint (remat), its policies, checkpoint_name, saved_residuals."""
from pyjax._src.ad_checkpoint import (checkpoint, checkpoint_name, checkpoint_policies,  # noqa: F401
                                      remat, saved_residuals)
