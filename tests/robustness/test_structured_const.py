"""`const` with an object or array value is legal OpenAPI 3.1 (JSON Schema): generator/code.py's literal
printer raised `ValueError: not a JSON scalar: dict` (traceback, exit 1). Now the value is typed Any, with a
located warning, and the client works."""

from __future__ import annotations

import json
from pathlib import Path

from robustkit import TEMPLATES, import_fresh

from generator.pipeline import generate, plain_target
from generator.write import write_tree


def _spec(const: object) -> dict[str, object]:
    body = {"type": "object", "properties": {"shape": {"const": const}, "kind": {"const": "fixed"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Const", "version": "1"},
        "paths": {"/shapes/{id}": {"get": {
            "operationId": "getShape",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}},
        }}},
    }


def test_object_and_array_consts_give_a_working_client(tmp_path: Path) -> None:
    from featurekit import method_for
    from recorder import serve

    for index, const in enumerate([{"x": [1]}, [1, {"y": None}]]):
        spec_path = tmp_path / f"const{index}.json"
        spec_path.write_text(json.dumps(_spec(const)), encoding="utf-8")
        package = f"const_pkg_{index}"
        target = plain_target(str(spec_path), package, str(tmp_path / f"out{index}"))
        gen = generate(target, None, str(tmp_path), TEMPLATES, None)
        assert any("/shape" in w and "const" in w and "Any" in w for w in gen.api.warnings), gen.api.warnings
        write_tree(target.out, gen.files)
        pkg = import_fresh(target.out, package)
        with serve() as server:
            server.reply("GET /shapes/s1", body={"shape": const, "kind": "fixed"})
            client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
            got = method_for(client, pkg, "GET", "/shapes/{id}")("s1")
        assert got.shape == const and got.kind == "fixed"
