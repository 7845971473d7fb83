"""The fake LowCodeAPI routes as Express 4 does and reproduces the providers README's findings."""

from __future__ import annotations

import httpx
import pytest
from catalogue import PROVIDERS, known_problems
from fake_lowcodeapi import TOKEN_MESSAGE, FakeLowCodeAPI, express_pattern


@pytest.mark.parametrize(
    ("mount", "path", "params"),
    [
        ("/p/v1/users/:user_id", "/p/v1/users/me", {"user_id": "me"}),
        ("/p/v1/users/:user_id", "/P/V1/Users/me/", {"user_id": "me"}),  # case-insensitive, trailing '/'
        ("/p/v4/s/:id:batchUpdate", "/p/v4/s/abc:getByDataFilter", {"id": "a", "batchUpdate": "bc:getByDataFilter"}),
        ("/p/v1/files/:file_id.json", "/p/v1/files/x.json", {"file_id": "x"}),
    ],
)
def test_express_parameters(mount: str, path: str, params: dict[str, str]) -> None:
    pattern, keys = express_pattern(mount)
    found = pattern.match(path)
    assert found is not None and dict(zip(keys, found.groups(), strict=True)) == params


@pytest.mark.parametrize(
    ("mount", "path"),
    [
        ("/p/v1/users/:user_id", "/p/v1/users/a/b"),  # a parameter is one segment
        ("/p/v1/users/{user_id}", "/p/v1/users/me"),  # Express 4 reads braces literally
        ("/p/v3/domains/name/message_ttl\n", "/p/v3/domains/name/message_ttl"),  # JS `$` is the very end
        ("/p/v1/models", "/p/v1/models//"),
    ],
)
def test_express_non_matches(mount: str, path: str) -> None:
    assert express_pattern(mount)[0].match(path) is None


def test_token_router_404_and_echo() -> None:
    with FakeLowCodeAPI(["openai", "anthropic"]) as fake:
        base = fake.url + "/_t/one/openai"
        assert httpx.get(base + "/v1/assistants/assistant_id").json() == {"message": TOKEN_MESSAGE}
        assert httpx.get(base + "/v1/assistants/assistant_id", params={"api_token": "bad"}).status_code == 401
        missing = httpx.get(base + "/v1/nothing", params={"api_token": "at_x"})
        assert (missing.status_code, missing.json()) == (404, {"message": "Not Found"})
        old = httpx.get(base + "/v1/assistants/assistant_id", params={"api_token": "at_x", "assistant_id": "a b"})
        echo = old.json()["result"]  # the two envelopes alternate over the sorted providers
        assert (echo["method"], echo["openapi_path"], echo["values"]) == (
            "GET", "/v1/assistants/assistant_id", {"assistant_id": "a b"})
        new = httpx.get(fake.url + "/anthropic/v1/models/m%2F1", params={"api_token": "at_x", "model_id": "q"})
        assert new.json()["data"]["values"] == {"model_id": "m/1"}  # params win over the query
    assert [h.tag for h in fake.hits][:4] == ["one"] * 4 and not fake.errors


def test_readme_findings_reproduced() -> None:
    """Collisions in exactly the providers the README lists; unreachable hubspot and mailgun aliases."""
    troubled = {p for p in PROVIDERS for _, _, reason in known_problems(p) if "unreachable" not in reason}
    assert troubled == {"assemblyai", "googlesheets", "notion", "razorpay", "shopify", "youtube"}
    unreachable = {p for p in PROVIDERS for _, _, reason in known_problems(p) if "unreachable" in reason}
    assert unreachable == {"hubspot", "mailgun"}
