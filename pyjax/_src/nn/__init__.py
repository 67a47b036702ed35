"""Implementation of pyjax.nn: activations, softmax family, attention and initializers."""
