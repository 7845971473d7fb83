"""The runtime's path and response rules reach a plain-mode package (any OpenAPI document): refused path
values send nothing; a declared JSON answer that is not JSON raises; 204 operations and operations that
declare no success answer take what comes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from featurekit import SpecPool, method_for
from recorder import Recorder, serve

SPECS = {"hardening": """
openapi: 3.0.3
info: {title: Hardening, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: gone}}
  /logout:
    get:
      responses: {default: {description: whatever the server says}}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}}}
"""}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pool = SpecPool(tmp_path_factory.mktemp("hardening"), SPECS)
    yield pool.package("hardening")
    pool.close()


@pytest.fixture
def server() -> Iterator[Recorder]:
    with serve() as recorder:
        yield recorder


def test_plain_mode_path_values_and_answers(pkg: Any, server: Recorder) -> None:
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    get = method_for(client, pkg, "GET", "/things/{id}")
    delete = method_for(client, pkg, "DELETE", "/things/{id}")
    for value in ("", ".", "..", "%2e%2e", "x/..", None):
        for call in (get, delete):
            with pytest.raises(ValueError, match="path parameter"):
                call(value)
    assert server.requests == []
    server.reply("GET /things/a%2Fb", body={"name": "n"})
    assert get("a/b").name == "n"
    server.reply("GET /things/t", body=b"<html>proxy login</html>", content_type="text/html")
    with pytest.raises(pkg.APIResponseValidationError) as caught:
        get("t")
    assert caught.value.status_code == 200 and caught.value.body == "<html>proxy login</html>"
    server.reply("DELETE /things/t", status=204, body=b"")
    assert delete("t") is None
    logout = method_for(client, pkg, "GET", "/logout")
    server.reply("GET /logout", body=b"", content_type="text/plain")
    assert logout() is None
    server.reply("GET /logout", body=b"bye", content_type="text/plain")
    assert logout() == "bye"
