"""lowcodegen: OpenAPI specs in, a typed Python client, CLI and URL tables out.

Stages, in the order data flows: load -> merge -> normalize (IR) -> render -> format -> write.
"""

__version__ = "0.1.0"
