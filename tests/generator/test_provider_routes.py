"""URL forms of any LowCodeAPI provider, derived from its document alone, against what the proxy mounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalogue_routes import CATALOGUE, measure, providers

from generator.normalize import normalize
from generator.pipeline import merge_target, plain_target
from generator.provider_routes import canonical_path, derive_route, direct_base, server_provider
from generator.urlformats import routes_in_document

# Routes whose document entry is not the route Express serves: duplicate method+alias, the document
# keeps the last one, whose parameters differ from the first's (shopify's fulfillment_service_id).
DUPLICATE_QUERY = {"shopify": 3}


@pytest.mark.parametrize("provider", providers())
def test_derived_forms_agree_with_the_mounted_routes(provider: str) -> None:
    found = measure(provider)
    assert found.old_same == found.routes, "the old form is the key, always mounted"
    assert found.query_same == found.routes - DUPLICATE_QUERY.get(provider, 0)
    # a new form is derived only where the key proves it (templated), so it is never a form the proxy lacks
    assert found.new_wrong == 0
    assert found.unreached == [], "auto mode must reach every route the proxy can serve"
    assert found.reached + found.caught_anyway == found.routes


def test_catalogue_totals() -> None:
    totals = [measure(p) for p in providers()]
    assert sum(t.routes for t in totals) == 4298  # 4386 routes, less duplicates (7), unreleased (79) and unroutable (2)
    assert sum(t.reached for t in totals) == 4285
    assert sum(t.caught_anyway for t in totals) == 13  # the proxy's own collisions (providers/README.md)


def test_new_form_is_derived_only_from_a_templated_key() -> None:
    got = derive_route("/v1/models/{model_id}", ("model_id",), "https://api.anthropic.com/v1/models/{model_id}", "https://api.anthropic.com")
    assert (got.new, got.old, got.old_query, got.direct) == ("/v1/models/{model_id}", "", (), "/v1/models/{model_id}")
    got = derive_route("/v1/assistants/assistant_id", ("assistant_id",), "https://api.openai.com/v1/assistants/{assistant_id}", "https://api.openai.com/v1")
    assert (got.new, got.old, got.old_query, got.direct) == ("", "/v1/assistants/assistant_id", ("assistant_id",), "/assistants/{assistant_id}")
    assert canonical_path("/v1/assistants/assistant_id", ("assistant_id",), got) == "/v1/assistants/{assistant_id}"


def test_express_parameters_in_the_key_are_not_query_values() -> None:
    got = derive_route("/v1/items/:item_id/parts", ("item_id", "part"), "", "")
    assert got.old_query == ("part",)


def test_direct_form_of_every_upstream_style() -> None:
    base = "https://api.example.com"
    for endpoint in ("https://api.example.com/a/{x}/b", "https://api.example.com/a/:x/b", "https://api.example.com/a/{{x}}/b",
                     "https://api.example.com/a/<x>/b"):
        assert derive_route("/a/x/b", ("x",), endpoint, base).direct == "/a/{x}/b", endpoint
    # a mid-segment ':name' is literal (Google's custom methods); a credential placeholder leaves no direct form
    assert derive_route("/s/id-go", ("id",), "https://api.example.com/s/{id}:go", base).direct == "/s/{id}:go"
    assert derive_route("/u/profile", (), "https://api.example.com/u/{userId}/profile", base).direct == ""
    assert derive_route("/u/x", ("x",), "https://elsewhere.example.com/u/{x}", base).direct == ""


def test_a_key_the_proxy_cannot_route_has_no_form() -> None:
    got = derive_route("crm/v3/x", (), "https://api.hubapi.com/crm/v3/x", "https://api.hubapi.com")
    assert (got.new, got.old) == ("", "")


def _doc(provider: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((CATALOGUE / f"{provider}.openapi.json").read_text())
    return loaded


def test_direct_base_is_the_upstreams_common_origin_and_prefix() -> None:
    assert direct_base(_doc("openai")) == "https://api.openai.com/v1"
    assert direct_base(_doc("gmail")) == "https://gmail.googleapis.com"
    assert direct_base(_doc("slack")) == "https://slack.com/api"
    assert direct_base(_doc("googlesheets")) == "https://sheets.googleapis.com/v4"  # LowCodeAPI's own helpers aside
    assert direct_base(_doc("shopify")) == ""  # a templated host with credentials is no base


def test_recognising_a_lowcodeapi_document() -> None:
    for provider in providers():  # wordpress-oss is not released: its converter wrote the server `/None`
        assert server_provider(_doc(provider)) == (provider if provider != "wordpress-oss" else "None")
    proper = {"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://api.lowcodeapi.com/x"}], "paths": {}}
    assert server_provider(proper) is None  # the proxy as a server, none of the dialect's tells
    tells = {**proper, "components": {"securitySchemes": {"t": {"type": "apiKey", "in": "query", "name": "api_token"}}}}
    assert server_provider(tells) == "x"
    for url in ("https://api.lowcodeapi.com/x/y", "https://api.lowcodeapi.com/", "https://evil.example/x",
                "https://api.lowcodeapi.com/..", "https://api.lowcodeapi.com/x?y=1", "https://api.lowcodeapi.com.evil.example/x"):
        assert server_provider({**tells, "servers": [{"url": url}]}) is None, url


def _tiny(tmp_path: Path, paths: dict[str, object]) -> Path:
    doc = {"openapi": "3.0.0", "info": {"description": ""}, "servers": [{"url": "https://api.lowcodeapi.com/tiny"}],
           "components": {"securitySchemes": {"ApiToken": {"type": "apiKey", "in": "query", "name": "api_token"}}},
           "security": [{"ApiToken": []}], "paths": paths}
    spec = tmp_path / "tiny.openapi.json"
    spec.write_text(json.dumps(doc))
    return spec


def _op(endpoint: str, *path_params: str) -> dict[str, object]:
    return {"get": {"tags": ["T"], "summary": "s", "externalDocs": {"api_endpoint": endpoint},
                    "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in path_params],
                    "responses": {"401": {"description": "API token required"}}}}


def test_operations_sharing_one_upstream_url_stay_apart(tmp_path: Path) -> None:
    spec = _tiny(tmp_path, {"/a.one": _op("https://api.x.com/xml.response"), "/a.two": _op("https://api.x.com/xml.response"),
                            "/b": _op("https://api.x.com/xml.response?Command=b")})
    merged, provider = merge_target(plain_target(str(spec), "tiny_client", str(tmp_path / "out")), None, str(tmp_path))
    api = normalize(merged.document, provider, "tiny_client", merged.report.inputs, "tiny.openapi.json", routes=merged.routes)
    assert sorted((op.route.old, op.route.direct) for op in api.operations) == [
        ("/a.one", "/xml.response"), ("/a.two", "/xml.response"), ("/b", "/xml.response?Command=b")]
    assert provider.direct_base_url == "https://api.x.com" and provider.lowcodeapi_base_url == "https://api.lowcodeapi.com/tiny"


def test_path_values_without_a_template_keep_their_operation(tmp_path: Path) -> None:
    """Two sanitized keys whose upstream templates coincide are two operations (the dialect repair, keyed by
    the template, would keep one); each keeps its path parameters, in route order."""
    spec = _tiny(tmp_path, {"/v1/things/thing_id": _op("https://api.x.com/v1/things/{thing_id}", "thing_id"),
                            "/v1/things/thingid": _op("https://api.x.com/v1/things/{thing_id}", "thing_id"),
                            "/v1/things/thing_id/parts/part-id": _op("https://api.x.com/v1/things/{thing_id}/parts/{part_id}", "part_id", "thing_id")})
    merged, provider = merge_target(plain_target(str(spec), "tiny_client", str(tmp_path / "out")), None, str(tmp_path))
    api = normalize(merged.document, provider, "tiny_client", merged.report.inputs, "tiny.openapi.json", routes=merged.routes)
    routes = {op.route.old: op for op in api.operations}
    assert set(routes) == {"/v1/things/thing_id", "/v1/things/thingid", "/v1/things/thing_id/parts/part-id"}
    parts = routes["/v1/things/thing_id/parts/part-id"]
    assert [p.wire_name for p in parts.path_params] == ["thing_id", "part_id"]  # the upstream template's order
    assert sorted(parts.route.old_query) == [("part_id", "part_id"), ("thing_id", "thing_id")]
    assert provider.direct_base_url + parts.route.direct == "https://api.x.com/v1/things/{thing_id}/parts/{part_id}"


def test_a_provider_merge_hands_on_its_routes_and_records_the_same(tmp_path: Path) -> None:
    """A provider document's derived routes are IR values of the merge (normalize takes them from there);
    the merged document records exactly them for other tools."""
    spec = _tiny(tmp_path, {"/v1/things/thing_id": _op("https://api.x.com/v1/things/{thing_id}", "thing_id"),
                            "/v1/models/{model_id}": _op("https://api.x.com/v1/models/{model_id}", "model_id")})
    merged, _ = merge_target(plain_target(str(spec), "tiny_client", str(tmp_path / "out")), None, str(tmp_path))
    things = merged.routes[("get", "/v1/things/{thing_id}")]
    assert (things.route.new, things.route.old, things.route.old_query, things.route.direct, things.source) == (
        "", "/v1/things/thing_id", (("thing_id", "thing_id"),), "/things/{thing_id}", "snapshot")
    assert merged.routes[("get", "/v1/models/{model_id}")].route.new == "/v1/models/{model_id}"
    assert routes_in_document(merged.document) == merged.routes
