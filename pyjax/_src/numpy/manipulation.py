"""jax.numpy: manipulation."""

__all__ = []
