"""HOCON configuration per environment: typed loading, secret references, redacted display, bundle variables."""
