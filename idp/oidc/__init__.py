"""The OpenID Connect provider: one module per endpoint family."""
