"""CLIENT.md "Behaviour: Responses": a JSON operation whose 2xx answer is not the JSON it declares raises
``lc.APIResponseValidationError`` (an ``APIError`` with ``status_code`` and the body, credentials masked),
sync and async, both targets; pages, JSON Lines and SSE check theirs too; downloads still pass through.

Before the fix an HTML 200 came back as its text, an empty 200 as None and ``{"data": "text"}`` as "text".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from lcclient import HELLO, MODEL, TOKEN, lc, run

MODEL_PATH = re.compile(r"/v1/models/")
HTML = b"<html><body>Bad gateway? see /login?api_token=" + TOKEN.encode() + b"</body></html>"
# (answer to a models.retrieve, for which targets it is wrong)
WRONG: dict[str, tuple[Reply, tuple[str, ...]]] = {
    "html": (Reply(200, raw=HTML, content_type="text/html"), ("lowcodeapi", "direct")),
    "truncated json": (Reply(200, raw=b'{"id": "claude-', content_type="application/json"), ("lowcodeapi", "direct")),
    "empty": (Reply(200, raw=b"", content_type="application/json"), ("lowcodeapi", "direct")),
    "string in the envelope": (Reply(200, json={"data": "text"}), ("lowcodeapi",)),
    "a bare string": (Reply(200, json="text"), ("lowcodeapi", "direct")),
    "a list": (Reply(200, json=[{"id": "m"}]), ("lowcodeapi", "direct")),
    "null in the envelope": (Reply(200, json={"data": None}), ("lowcodeapi",)),
}


def _check(err: Any, reply: Reply) -> None:
    assert isinstance(err, lc.APIError) and not isinstance(err, lc.APIStatusError)
    assert err.status_code == 200
    assert TOKEN not in str(err) and TOKEN not in repr(err) and TOKEN not in str(err.body)
    if reply.raw:
        assert err.body == reply.raw.decode().replace(TOKEN, "***")


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
@pytest.mark.parametrize("case", sorted(WRONG))
def test_wrong_json_answers_raise(make_client: Callable[..., Any], fake_server: FakeServer,
                                  target: str, case: str) -> None:
    reply, wrong_for = WRONG[case]
    if target not in wrong_for:
        pytest.skip("not wrong for this target")
    fake_server.script("GET", MODEL_PATH, [reply])
    with pytest.raises(lc.APIResponseValidationError) as caught:
        make_client(target).models.retrieve(MODEL)
    _check(caught.value, reply)


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_wrong_json_answers_raise_async(make_async_client: Callable[..., Any], fake_server: FakeServer,
                                        target: str) -> None:
    async def main() -> None:
        async with make_async_client(target) as client:
            for reply, wrong_for in WRONG.values():
                if target not in wrong_for:
                    continue
                fake_server.script("GET", MODEL_PATH, [reply])
                with pytest.raises(lc.APIResponseValidationError) as caught:
                    await client.models.retrieve(MODEL)
                _check(caught.value, reply)

    run(main())


def test_right_answers_still_decode(client: Any, direct: Any, fake_server: FakeServer) -> None:
    """JSON sent as text/plain is still JSON; downloads pass any bytes through; a real page works."""
    fake_server.script("GET", MODEL_PATH, [Reply(200, raw=b'{"id": "m", "type": "model"}', content_type="text/plain")])
    assert client.models.retrieve(MODEL).id == "m"
    fake_server.script("GET", "/content", [Reply(200, raw=b"<html>not json</html>", content_type="text/html")])
    assert direct.files.download("file_01") == b"<html>not json</html>"
    assert [m.id for m in client.models.list()]


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_pages_that_are_not_pages_raise(make_client: Callable[..., Any], fake_server: FakeServer, target: str) -> None:
    client = make_client(target)
    for body in ({"data": "text", "has_more": False}, {"data": ["a", 1], "has_more": False}, "text",
                 {"has_more": True}):
        fake_server.script("GET", re.compile(r"/v1/models$"), [Reply(200, json=body)])
        with pytest.raises(lc.APIResponseValidationError):
            client.models.list()

    async def main() -> None:
        async with lc.AsyncClient(**_same(client)) as aclient:
            fake_server.script("GET", re.compile(r"/v1/models$"), [Reply(200, raw=b"<html/>", content_type="text/html")])
            with pytest.raises(lc.APIResponseValidationError):
                await aclient.models.list()

    run(main())


def _same(client: Any) -> dict[str, Any]:
    s = client._settings
    return {"target": s.target, "base_url": s.base_url, "api_token": s.api_token, "api_key": s.api_key,
            "max_retries": 0}


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_jsonl_line_that_is_not_json_raises(make_client: Callable[..., Any], fake_server: FakeServer,
                                            target: str) -> None:
    client = make_client(target)
    good = b'{"custom_id": "r1", "result": {"type": "succeeded"}}\n'
    for bad in (b"<html>oops</html>\n", b'"just a string"\n'):
        fake_server.script("GET", "/results", [Reply(200, raw=good + bad, content_type="application/x-jsonl")])
        lines = client.messages.batches.results("msgbatch_01")
        assert next(lines).custom_id == "r1"
        with pytest.raises(lc.APIResponseValidationError) as caught:
            next(lines)
        assert caught.value.status_code == 200

    async def main() -> None:
        async with lc.AsyncClient(**_same(client)) as aclient:
            fake_server.script("GET", "/results", [Reply(200, raw=b"not json\n", content_type="application/x-jsonl")])
            lines = await aclient.messages.batches.results("msgbatch_01")
            with pytest.raises(lc.APIResponseValidationError):
                await lines.__anext__()

    run(main())


def test_sse_data_that_is_not_json_raises(client: Any, fake_server: FakeServer) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=["event: message_start\ndata: <html>\n\n"])])
    stream = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    with pytest.raises(lc.APIResponseValidationError) as caught:
        list(stream)
    assert caught.value.status_code == 200 and caught.value.body == "<html>"


def test_exported_from_the_package() -> None:
    assert "APIResponseValidationError" in lc.__all__ and issubclass(lc.APIResponseValidationError, lc.APIError)
