"""One timed run of sequential `messages.create` calls, as its own process.

`python -m bench.client_probe KIND BASE_URL N [--profile OUT.md]` with KIND `lowcodegen` (the generated client, found on
PYTHONPATH), `sdk` (the official anthropic SDK) or `httpx` (a plain httpx.Client.post and json.loads, for
reference). Prints `{"seconds": ..., "cpu_seconds": ..., "calls": N}` (wall and this process's CPU time) for the N timed calls, after warm-up
calls that open the connection and fill caches. Both clients run with retries off. With --profile, the
timed calls run under pyinstrument and OUT.md gets the functions that spend the most time themselves.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

KEY = "sk-ant-bench-not-a-real-key"
MESSAGES = [{"role": "user", "content": "Hello"}]
WARMUP = 20


def lowcodegen_call(base_url: str) -> Callable[[], Any]:
    import anthropic_lowcodeapi as lc

    client = lc.Client(api_key=KEY, target="direct", base_url=base_url, max_retries=0)

    def call() -> Any:
        msg = client.messages.create(model="claude-bench-1", max_tokens=16, messages=MESSAGES)
        assert msg.content[0].text
        return msg

    return call


def sdk_call(base_url: str) -> Callable[[], Any]:
    import anthropic

    client = anthropic.Anthropic(api_key=KEY, base_url=base_url, max_retries=0)

    def call() -> Any:
        msg = client.messages.create(model="claude-bench-1", max_tokens=16, messages=MESSAGES)
        assert msg.content[0].text
        return msg

    return call


def httpx_call(base_url: str) -> Callable[[], Any]:
    import httpx

    client = httpx.Client(base_url=base_url)
    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    body = {"model": "claude-bench-1", "max_tokens": 16, "messages": MESSAGES}

    def call() -> Any:
        response = client.post("/v1/messages", json=body, headers=headers)
        response.raise_for_status()
        return json.loads(response.content)

    return call


KINDS = {"lowcodegen": lowcodegen_call, "sdk": sdk_call, "httpx": httpx_call}


def main() -> None:
    kind, base_url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    profile_out = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    call = KINDS[kind](base_url)
    for _ in range(WARMUP):
        call()
    profiler = None
    if profile_out:
        import pyinstrument

        profiler = pyinstrument.Profiler(interval=0.0005)
        profiler.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    if profiler is not None and profile_out:
        from .profiling import summarize

        profiler.stop()
        with open(profile_out, "w", encoding="utf-8") as handle:
            handle.write(f"{count} `messages.create` calls of the {kind} client under pyinstrument "
                         f"({seconds / count * 1e6:.0f} µs per call while profiled).\n\n")
            handle.write(summarize(profiler.last_session, top=20))
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "calls": count}))


if __name__ == "__main__":
    main()
