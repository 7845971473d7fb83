"""The command table's types (``cli.py`` builds one ``Command`` per operation from them) and one run
of one command: collect the call's arguments from the options (JSON, ``@file`` or ``-`` for stdin),
call the client, print."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, NoReturn, Protocol, TypeVar

import click
import httpx
from click.core import ParameterSource

from ._cli_output import Output, Progress, ProgressTransport
from ._errors import APIError, loads_json
from ._provider import API_KEY_ENV, TOKEN_ENV
from ._redact import register_secret
from ._settings import default_target


class _Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)
Method = Callable[..., Any]


@dataclass(frozen=True)
class Arg:
    """A positional argument: a path parameter, or (``where="file"``) a required file to upload."""

    name: str  # the client method's parameter
    help: str = ""
    where: str = "path"


@dataclass(frozen=True)
class Opt:
    """An option for a query, header or body field; ``where="whole"`` is a body that is not an
    object."""

    name: str  # the client method's keyword
    flag: str  # the long option, without its dashes
    wire: str  # the field's name in the request: its key inside --body
    where: str = "body"  # query | header | body | whole
    kind: str = "str"  # str | int | float | bool | json | any | file | files | strs
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    default: object = None  # the server's default: shown in --help, never sent
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command(Generic[C]):
    """One operation: ``call`` picks the client method; ``kind`` is how it returns
    (``Operation.kind``)."""

    name: str
    call: Callable[[C], Method]
    kind: str = "json"  # page | stream-or-json | json | binary | jsonl | sse | empty
    summary: str = ""
    help: str = ""
    args: tuple[Arg, ...] = ()
    options: tuple[Opt, ...] = ()
    stream: str | None = None  # the keyword that switches a stream-or-json method to events
    to_file: Callable[[C], Method] | None = None  # binary: the method that streams into a file
    deprecated: bool = False


@dataclass(frozen=True)
class Group(Generic[C]):
    """A node of the resource tree: its commands and its child groups."""

    name: str
    help: str = ""
    commands: tuple[Command[C], ...] = ()
    groups: tuple[Group[C], ...] = ()


MESSAGES = "messages"  # a body field of this name also gets the --message ROLE:TEXT shorthand


@dataclass
class Settings:
    """The global options, read by every command."""

    api_token: str | None
    api_key: str | None
    target: str | None
    base_url: str | None
    url_format: str
    max_retries: int
    timeout: float
    output: str


# ------------------------------------------------------------------------------------------- one
# call


class Invocation(Generic[C]):
    """One run of one command: collect the call's arguments, call, print."""

    def __init__(
        self, spec: Command[C], client: Callable[..., C], ctx: click.Context, values: dict[str, Any]
    ) -> None:
        self.spec, self.make_client, self.ctx, self.values = spec, client, ctx, values
        self.settings: Settings = ctx.find_object(Settings) or Settings(
            None, None, None, None, "auto", 2, 600.0, "json"
        )
        self.out = Output(self.settings.output)
        self.stdin_used_by: str | None = None

    def given(self, name: str) -> bool:
        return self.ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE

    def usage_error(self, message: str, flag: str) -> NoReturn:
        raise click.BadParameter(message, ctx=self.ctx, param_hint=f"'{flag}'")

    def run(self) -> None:
        args, kwargs = self.arguments()
        progress = self.download_progress(args)
        http = None
        if progress is not None:
            http = httpx.Client(
                transport=ProgressTransport(progress), timeout=self.settings.timeout
            )
        try:
            client = self.client(http)
            try:
                self.call(client, args, kwargs)
            finally:
                client.close()
        except APIError as exc:
            self.out.error(exc)
            self.ctx.exit(1)
        except ValueError as exc:  # the client refused an input (a path value, the base URL): usage
            self.out.usage_error(str(exc))
            self.ctx.exit(2)
        finally:
            if http is not None:
                http.close()

    # inputs

    def arguments(self) -> tuple[list[Any], dict[str, Any]]:
        """The method's positional arguments and keywords, from the arguments, options and
        --body."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for arg in self.spec.args:
            if arg.where == "path":
                args.append(self.values[arg.name])
            else:
                kwargs[arg.name] = self.file_value(self.values[arg.name], arg.name.upper())
        fields: dict[str, Any] = {}
        if self.given("_body"):
            body = self.json_value(self.values["_body"], "--body", relaxed=False)
            if not isinstance(body, dict):
                self.usage_error("the body must be a JSON object", "--body")
            fields.update(body)
        if self.spec.stream is not None:
            stream = bool(fields.pop("stream", False)) or bool(self.values.get("_stream"))
            self.values["_stream"] = stream
        for opt in self.spec.options:
            if self.given(opt.name):
                value = self.option_value(opt, self.values[opt.name])
                if opt.where == "body":
                    fields[opt.wire] = value
                else:
                    kwargs[opt.name] = value
        if self.values.get("_message"):
            fields[MESSAGES] = list(fields.get(MESSAGES) or []) + [
                self.message(text) for text in self.values["_message"]
            ]
        for opt in self.spec.options:
            if opt.where == "body" and opt.wire in fields:
                kwargs[opt.name] = fields.pop(opt.wire)
        if fields:
            kwargs["extra_body"] = fields  # fields of --body that the spec does not name
        for opt in self.spec.options:
            if opt.required and opt.name not in kwargs:
                param = next(p for p in self.ctx.command.params if p.name == opt.name)
                raise click.MissingParameter(ctx=self.ctx, param=param)
        return args, kwargs

    def option_value(self, opt: Opt, value: Any) -> Any:
        flag = f"--{opt.flag}"
        if opt.kind == "file":
            return self.file_value(value, flag)
        if opt.kind == "files":
            return [self.file_value(v, flag) for v in value]
        if opt.kind in ("json", "any"):
            return self.json_value(value, flag, relaxed=True)
        if opt.kind == "strs":  # `--beta a --beta b`, or one JSON list (`--beta '["a", "b"]'`)
            items: list[Any] = []
            for each in value:
                text = self.text_of(each, flag)
                if text.lstrip().startswith("["):
                    found = self.json_value(text, flag, relaxed=False)
                    if not isinstance(found, list) or not all(isinstance(x, str) for x in found):
                        self.usage_error("expected a JSON list of strings", flag)
                    items += found
                else:
                    items.append(text)
            return items
        return value

    def text_of(self, value: str, flag: str) -> str:
        """The text of ``value``: ``-`` reads stdin (once), ``@path`` reads a file, anything else is
        itself."""
        if value == "-":
            return self.stdin(flag).decode("utf-8", "replace")
        if value.startswith("@"):
            try:
                return Path(value[1:]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.usage_error(
                    f"cannot read {value[1:]!r}: {getattr(exc, 'strerror', None) or exc}", flag
                )
        return value

    def json_value(self, value: str, flag: str, *, relaxed: bool) -> Any:
        """JSON text, @file or -; ``relaxed``: text that does not start like JSON is a plain
        string."""
        text = self.text_of(value, flag)
        try:
            return loads_json(text)
        except ValueError as exc:
            if relaxed and text.strip() and text.lstrip()[0] not in '{["':
                return text
            self.usage_error(f"not valid JSON: {exc}", flag)

    def file_value(self, value: str, flag: str) -> Any:
        return ("stdin", self.stdin(flag)) if value == "-" else Path(value)

    def stdin(self, flag: str) -> bytes:
        if self.stdin_used_by is not None:
            self.usage_error(f"stdin is already read by {self.stdin_used_by}", flag)
        self.stdin_used_by = flag
        if sys.stdin is None:  # started with stdin closed (<&-)
            self.usage_error("stdin is closed", flag)
        try:
            return sys.stdin.buffer.read()
        except OSError as exc:
            self.usage_error(f"cannot read stdin: {exc.strerror or exc}", flag)

    def message(self, text: str) -> dict[str, Any]:
        role, sep, content = text.partition(":")
        if not sep or not role.strip():
            self.usage_error(f"expected ROLE:TEXT, got {text!r}", "--message")
        return {"role": role.strip(), "content": content}

    # the client

    def client(self, http: httpx.Client | None) -> C:
        s = self.settings
        target = s.target or default_target(s.api_token, s.api_key)  # the client's own rule
        if target == "lowcodeapi" and not s.api_token:
            raise click.UsageError(
                f"No LowCodeAPI token: pass --api-token or set {TOKEN_ENV}.", self.ctx
            )
        if target == "direct" and not s.api_key:
            raise click.UsageError(
                f"No API key for --target direct: pass --api-key or set {API_KEY_ENV}.", self.ctx
            )
        register_secret(s.api_token)
        register_secret(s.api_key)
        options: dict[str, Any] = {
            "target": target,
            "url_format": s.url_format,
            "max_retries": s.max_retries,
            "timeout": s.timeout,
        }
        options["api_token" if target == "lowcodeapi" else "api_key"] = (
            s.api_token if target == "lowcodeapi" else s.api_key
        )
        if s.base_url:
            options["base_url"] = s.base_url
        if http is not None:
            options["http_client"] = http
        # A credential or base URL the client refuses raises ValueError (never quoting a secret):
        # `run` prints it as one line and exits 2, like any other refused input.
        return self.make_client(**options)

    def download_progress(self, args: list[Any]) -> Progress | None:
        destination = self.values.get("_output_file")
        if self.spec.kind != "binary" or destination in (None, "-") or not _stderr_is_terminal():
            return None
        return Progress(f"{' '.join(map(str, args))} -> {destination}")

    # calling and printing

    def call(self, client: C, args: list[Any], kwargs: dict[str, Any]) -> None:
        method = self.spec.call(client)
        kind = self.spec.kind
        if kind == "page":
            limit = self.values.get("_max_items")
            if limit == 0:
                self.out.items(())
            else:
                progress = Progress("") if _stderr_is_terminal() else None
                self.out.items(_page_items(method(*args, **kwargs), limit, progress))
        elif kind == "binary":
            self.download(client, method, args, kwargs)
        elif kind == "sse" or (self.spec.stream is not None and self.values.get("_stream")):
            if kind != "sse":
                kwargs[self.spec.stream or "stream"] = True
            # A text stream (`--stream` on Messages) prints its text; an event feed, every event.
            self.out.stream(method(*args, **kwargs), events=kind == "sse")
        elif kind == "jsonl":
            self.out.items(method(*args, **kwargs))
        elif kind == "empty":
            method(*args, **kwargs)
        else:
            self.out.value(method(*args, **kwargs))

    def download(self, client: C, method: Method, args: list[Any], kwargs: dict[str, Any]) -> None:
        destination = self.values.get("_output_file")
        if destination in (None, "-"):
            if sys.stdout is not None and sys.stdout.isatty():
                raise click.UsageError("Binary content: pass -o PATH or redirect stdout.", self.ctx)
            self.out.binary(method(*args, **kwargs))
            return
        if self.spec.to_file is not None:
            size = self.spec.to_file(client)(*args, destination, **kwargs)
        else:
            data = method(*args, **kwargs)
            size = Path(destination).write_bytes(data)
        self.out.value({"path": os.path.abspath(destination), "size_bytes": size})


def _page_items(page: Any, limit: int | None, progress: Progress | None) -> Iterator[Any]:
    """Every item of every page (``--max-items`` stops early); progress while the next page
    loads."""
    count = 0
    pages = page.iter_pages()
    while True:
        try:
            current = next(pages, None)
        finally:
            if progress is not None:
                progress.clear()
        if current is None:  # the pager stops on a repeated cursor
            return
        for item in current.data:
            yield item
            count += 1
            if limit is not None and count >= limit:
                return
        if not current.has_next_page():
            return
        if progress is not None:
            progress.show(f"{count} items; fetching the next page...")


def _stderr_is_terminal() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()
