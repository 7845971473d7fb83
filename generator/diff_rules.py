"""The change catalogue: rule ids, their severities and meanings, and the `Change` a rule reports.

Rules follow oasdiff's categories (ERR = breaking, WARN = possibly-breaking, INFO = compatible);
each has a stable id and one severity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "possibly-breaking", "compatible"]


SEVERITIES: tuple[Severity, ...] = ("breaking", "possibly-breaking", "compatible")


# The catalogue: rule id -> (severity, what it means). Ids are a contract: never renamed, only
# added.
RULES: dict[str, tuple[Severity, str]] = {
    "operation-removed": ("breaking", "a client method (API operation) was removed"),
    "deprecated-operation-removed": ("possibly-breaking", "a deprecated client method was removed"),
    "operation-renamed": ("breaking", "the same route is reached through another client name"),
    "operation-added": ("compatible", "a new client method (API operation)"),
    "operation-deprecated": ("compatible", "a client method was marked deprecated"),
    "method-changed": ("breaking", "the HTTP method of the LowCodeAPI route changed"),
    "direct-method-changed": ("breaking", "the HTTP method of the provider's own route changed"),
    "route-direct-changed": ("breaking", "the provider's own path (direct URL form) changed"),
    "route-new-changed": ("breaking", "the LowCodeAPI new-format path (the default form) changed"),
    "route-old-changed": (
        "possibly-breaking",
        "the LowCodeAPI old-format path (the fallback form) changed",
    ),
    "route-old-query-changed": (
        "possibly-breaking",
        "the query names of the LowCodeAPI old-format route changed",
    ),
    "param-added-required": (
        "breaking",
        "a new required parameter (or required key of a request dict)",
    ),
    "param-added-optional": ("compatible", "a new optional parameter (or key of a request dict)"),
    "required-param-removed": (
        "breaking",
        "a required parameter was removed: every call passing it fails",
    ),
    "optional-param-removed": (
        "possibly-breaking",
        "an optional parameter was removed: calls passing it fail",
    ),
    "param-became-required": ("breaking", "an optional parameter became required"),
    "param-became-optional": ("compatible", "a required parameter became optional"),
    "param-type-changed": ("breaking", "a parameter's type changed or narrowed"),
    "param-type-widened": ("compatible", "a parameter accepts more types than before"),
    "param-enum-value-removed": ("breaking", "a parameter no longer accepts an enum value"),
    "param-enum-value-added": ("compatible", "a parameter accepts a new enum value"),
    "param-variant-removed": ("breaking", "a request union lost a variant"),
    "param-variant-added": ("compatible", "a request union gained a variant"),
    "param-renamed": (
        "possibly-breaking",
        "a path parameter was renamed: positional calls still work, keyword calls fail",
    ),
    "param-default-changed": ("possibly-breaking", "a parameter's default value changed"),
    "param-location-changed": (
        "possibly-breaking",
        "a parameter moved (query, header or body): same keyword, other wire place",
    ),
    "request-body-media-type-changed": (
        "possibly-breaking",
        "the request body is sent in another media type",
    ),
    "response-required-field-removed": ("breaking", "a response model lost a required field"),
    "response-optional-field-removed": (
        "possibly-breaking",
        "a response model lost an optional field",
    ),
    "response-field-became-optional": ("breaking", "a response field may now be missing"),
    "response-field-became-nullable": (
        "breaking",
        "a response field (or the response) may now be None",
    ),
    "response-type-changed": (
        "breaking",
        "a response type (or the kind of response) changed or widened",
    ),
    "response-enum-value-added": ("possibly-breaking", "a response enum may carry a new value"),
    "response-variant-added": ("possibly-breaking", "a response union may carry a new variant"),
    "response-field-added": ("compatible", "a response model gained a field"),
    "response-field-became-required": ("compatible", "a response field is now always present"),
    "response-type-narrowed": (
        "compatible",
        "a response type narrowed (fewer types, no longer nullable)",
    ),
    "response-enum-value-removed": ("compatible", "a response enum no longer carries a value"),
    "response-variant-removed": ("compatible", "a response union lost a variant"),
    "pagination-changed": ("breaking", "a list method started or stopped returning a page"),
    "streaming-removed": ("breaking", "a method lost its `stream=True` switch"),
    "streaming-added": ("compatible", "a method gained a `stream=True` switch"),
    "model-renamed": (
        "possibly-breaking",
        "a model class was renamed: code importing the type by name fails",
    ),
}


@dataclass(frozen=True)
class Change:
    """One difference between two APIs, as a user of the client would describe it.

    `where` locates it for tools: "" (the method), `route.new`, `param:NAME`, `response`,
    `field:Model.name` (a model field, shared by every method using the model) or `model:Name`.
    """

    rule: str
    operation: str  # the client name (new name; the old one when removed)
    where: str
    message: str
    old: str | None = None
    new: str | None = None
    operations: tuple[str, ...] = ()  # every client method the change reaches

    @property
    def severity(self) -> Severity:
        return RULES[self.rule][0]


def severity_rank(severity: Severity) -> int:
    """0 for breaking, 1 for possibly-breaking, 2 for compatible."""
    return SEVERITIES.index(severity)


def sort_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Breaking first, then by method, rule and place: a stable order for every output format."""
    return tuple(
        sorted(
            changes,
            key=lambda c: (severity_rank(c.severity), c.operation, c.rule, c.where, c.message),
        )
    )
