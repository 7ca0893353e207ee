"""Model builders: functional, backend-agnostic Keras 3 models with named layers."""
