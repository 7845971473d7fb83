"""urlformats.py: direct, new and old routes; old-format names from data first, then the provider rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.urlformats import (
    RULES,
    default_old,
    make_route,
    parse_old,
    positional_mapping,
    rename_params,
    sanitize,
    shape,
    template_params,
)

RULE = "lowercase-drop-underscores"


def test_template_params_and_shape() -> None:
    assert template_params("/v1/a/{a_id}/b/{b_id}") == ["a_id", "b_id"]
    assert template_params("/v1/a") == []
    assert shape("/v1/message_batches/{batch_id}") == shape("/v1/message_batches/{message_batch_id}") == "/v1/message_batches/{}"
    assert shape("/v1/a/") == "/v1/a"
    assert shape("/v1/messages?beta=true") == "/v1/messages"
    assert shape("/") == "/"


@pytest.mark.parametrize(
    ("rule", "name", "expected"),
    [
        ("lowercase-drop-underscores", "model_id", "modelid"),
        ("lowercase-drop-underscores", "API_Key_ID", "apikeyid"),
        ("lowercase", "API_Key_ID", "api_key_id"),
        ("keep", "API_Key_ID", "API_Key_ID"),
    ],
)
def test_sanitize_rules(rule: str, name: str, expected: str) -> None:
    assert rule in RULES
    assert sanitize(name, rule) == expected


def test_unknown_rule() -> None:
    with pytest.raises(ValueError, match="unknown old-format rule"):
        sanitize("x", "shout")


def test_provider_rule() -> None:
    assert default_old("/v1/models/{model_id}", RULE) == ("/v1/models/modelid", (("modelid", "model_id"),))
    assert default_old("/v1/organizations/workspaces/{workspace_id}/members/{user_id}", RULE) == (
        "/v1/organizations/workspaces/workspaceid/members/userid",
        (("workspaceid", "workspace_id"), ("userid", "user_id")),
    )
    assert default_old("/v1/models", RULE) == ("/v1/models", ())


def test_parse_old() -> None:
    assert parse_old("/v1/organizations/workspaces/workspaceid/members/userid?workspaceid={workspace_id}&user_id={user_id}") == (
        "/v1/organizations/workspaces/workspaceid/members/userid",
        (("workspaceid", "workspace_id"), ("user_id", "user_id")),
    )
    assert parse_old("/v1/messages/count_tokens") == ("/v1/messages/count_tokens", ())
    with pytest.raises(ValueError, match="does not name a parameter"):
        parse_old("/v1/a/aid?aid=literal")


def test_positional_mapping_and_renaming() -> None:
    mapping = positional_mapping("/v1/message_batches/{batch_id}/results", "/v1/messages/batches/{message_batch_id}/results")
    assert mapping == {"batch_id": "message_batch_id"}
    assert rename_params("/v1/message_batches/{batch_id}/results", mapping) == "/v1/message_batches/{message_batch_id}/results"
    with pytest.raises(ValueError, match="has 1 parameters"):
        positional_mapping("/v1/a/{x}", "/v1/a/{x}/b/{y}")


def test_route_by_the_provider_rule() -> None:
    route = make_route("models.retrieve", "get", "get", "/v1/models/{model_id}", "/v1/models/{model_id}", None, RULE)
    assert (route.method, route.direct_method) == ("GET", "GET")
    assert (route.direct, route.new, route.old) == ("/v1/models/{model_id}", "/v1/models/{model_id}", "/v1/models/modelid")
    assert route.old_query == (("modelid", "model_id"),)


def test_route_renamed_by_position() -> None:
    # Anthropic says {message_batch_id}; LowCodeAPI's route says {batch_id}, and its old format `batchid`.
    route = make_route("messages.batches.retrieve", "get", "get", "/v1/messages/batches/{message_batch_id}",
                       "/v1/message_batches/{batch_id}", None, RULE)
    assert route.direct == "/v1/messages/batches/{message_batch_id}"
    assert route.new == "/v1/message_batches/{message_batch_id}"
    assert route.old == "/v1/message_batches/batchid"
    assert route.old_query == (("batchid", "message_batch_id"),)


def test_route_with_old_override_and_direct_method() -> None:
    route = make_route(
        "organizations.workspaces.members.update", "patch", "post",
        "/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
        "/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
        "/v1/organizations/workspaces/workspaceid/members/userid?workspaceid={workspace_id}&user_id={user_id}", RULE)
    assert (route.method, route.direct_method) == ("PATCH", "POST")
    assert route.old == "/v1/organizations/workspaces/workspaceid/members/userid"
    assert route.old_query == (("workspaceid", "workspace_id"), ("user_id", "user_id"))


def test_literal_override_without_parameters() -> None:
    route = make_route("messages.count_tokens", "post", "post", "/v1/messages/count_tokens", "/v1/messages/count-tokens",
                       "/v1/messages/count_tokens", RULE)
    assert (route.direct, route.new, route.old, route.old_query) == (
        "/v1/messages/count_tokens", "/v1/messages/count-tokens", "/v1/messages/count_tokens", ())


def test_override_naming_an_unknown_parameter() -> None:
    with pytest.raises(ValueError, match="unknown parameters"):
        make_route("x", "get", "get", "/v1/a/{a_id}", "/v1/a/{a_id}", "/v1/a/aid?aid={nope}", RULE)


def test_one_module_reads_path_templates_and_one_writes_the_route_extension() -> None:
    """The `{param}` pattern was written in five modules and a route's document form read and written in
    three: each now has one home (openapi_paths, urlformats), which the others call."""
    generator = Path(__file__).resolve().parents[2] / "generator"
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(generator.glob("*.py"))}
    assert [name for name, text in sources.items() if "[^{}]+" in text] == ["openapi_paths.py"]
    assert [name for name, text in sources.items() if '"x-lowcodegen"' in text] == ["urlformats.py"]
    assert [name for name, text in sources.items() if '"options", "head"' in text] == ["openapi_paths.py"]  # METHODS
