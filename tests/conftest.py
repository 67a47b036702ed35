"""Tests run with pyjax's internal checks on: every staged jaxpr is type-checked."""
import pyjax

pyjax.config.update("jax_enable_checks", True)
