"""The hand-written half of the command line: the click plumbing that ``cli.py``'s command table drives.

``cli.py`` (generated) describes one ``Command`` per operation, grouped like the client; this module
turns that table into click groups, reads option values (JSON, ``@file`` or ``-`` for stdin), calls the
client and prints: results as JSON on stdout, progress on stderr (terminals only), errors on stderr as
one line plus the error JSON (exit 1 for API errors, 2 for usage errors). Only the CLI imports it, so
the client package itself never needs click.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Protocol, TypeVar

import click
import httpx
from click.core import ParameterSource

from ._errors import APIConnectionError, APIError, APIStatusError
from ._provider import API_KEY_ENV, TOKEN_ENV
from ._redact import redact, register_secret

__all__ = ["Arg", "Command", "Group", "Opt", "build", "run"]


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
    """An option for a query, header or body field; ``where="whole"`` is a body that is not an object."""

    name: str  # the client method's keyword
    flag: str  # the long option, without its dashes
    wire: str  # the field's name in the request: its key inside --body
    where: str = "body"  # query | header | body | whole
    kind: str = "str"  # str | int | float | bool | json | any | file | files
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    default: object = None  # the server's default: shown in --help, never sent
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command(Generic[C]):
    """One operation: ``call`` picks the client method; ``kind`` is how it returns (``Operation.kind``)."""

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


# ------------------------------------------------------------------------------------------ click tree

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}
_FILE = click.Path(exists=True, dir_okay=False, readable=True, allow_dash=True)
_MESSAGES = "messages"  # a body field of this name also gets the --message ROLE:TEXT shorthand


@dataclass
class _Settings:
    """The global options, read by every command."""

    api_token: str | None
    api_key: str | None
    target: str | None
    base_url: str | None
    url_format: str
    max_retries: int
    timeout: float
    output: str


if TYPE_CHECKING:
    _ChoiceBase = click.Choice[str]  # generic from click 8.4 on; plain before
else:
    _ChoiceBase = click.Choice


class _Choice(_ChoiceBase):
    """Enum values; an unambiguous ending after ``_`` is accepted too (``admin`` for ``workspace_admin``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str) and value not in self.choices:
            ends = [c for c in self.choices if c.endswith("_" + value)]
            if len(ends) == 1:
                value = ends[0]
        return super().convert(value, param, ctx)


class _Command(click.Command):
    """A command whose help also lists its positional arguments, described (click 8.1 compatible)."""

    def __init__(
        self, *args: Any, argument_help: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.argument_help = list(argument_help)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.argument_help:
            with formatter.section("Arguments"):
                formatter.write_dl(self.argument_help)
        super().format_options(ctx, formatter)


def build(root: Group[C], client: Callable[..., C], *, version: str = "") -> click.Group:
    """The click group for ``root``: global options, then a group per resource and a command per operation."""

    def callback(**values: Any) -> None:
        click.get_current_context().obj = _Settings(**values)

    params: list[click.Parameter] = [
        click.Option(
            ["--api-token"],
            envvar=TOKEN_ENV,
            show_envvar=True,
            metavar="TOKEN",
            help="LowCodeAPI token (target lowcodeapi); never printed.",
        ),
        click.Option(
            ["--api-key"],
            envvar=API_KEY_ENV,
            show_envvar=True,
            metavar="KEY",
            help="The provider's API key (target direct); never printed.",
        ),
        click.Option(
            ["--target"],
            type=click.Choice(["lowcodeapi", "direct"]),
            help="Call through LowCodeAPI or the provider directly. Default: direct when "
            "only an API key is given, else lowcodeapi.",
        ),
        click.Option(["--base-url"], metavar="URL", help="Override the base URL of the target."),
        click.Option(
            ["--url-format"],
            type=click.Choice(["auto", "new", "old"]),
            default="auto",
            show_default=True,
            help="LowCodeAPI URL format; auto falls back to old on a router 404.",
        ),
        click.Option(
            ["--max-retries"],
            type=click.IntRange(min=0),
            default=2,
            show_default=True,
            metavar="N",
            help="Retries on 408/409/429/5xx and connection errors.",
        ),
        click.Option(
            ["--timeout"],
            type=click.FloatRange(min=0, min_open=True),
            default=600.0,
            show_default=True,
            metavar="SECONDS",
            help="Timeout of each request.",
        ),
        click.Option(
            ["--output"],
            type=click.Choice(["json", "jsonl", "raw"]),
            default="json",
            show_default=True,
            help="json: pretty JSON; jsonl: one compact value per line "
            "(list items, stream events); raw: bytes and text as received.",
        ),
    ]
    group = _group(root, client, params=params, callback=callback)
    if version:
        click.version_option(version, prog_name=root.name, message="%(prog)s %(version)s")(group)
    if "completion" not in group.commands:
        group.add_command(_completion_command(root.name))
    return group


def _group(spec: Group[C], client: Callable[..., C], **attrs: Any) -> click.Group:
    group = click.Group(spec.name, help=spec.help or None, context_settings=_CONTEXT, **attrs)
    for command in spec.commands:
        group.add_command(_command(command, client))
    for child in spec.groups:
        group.add_command(_group(child, client))
    return group


def _command(spec: Command[C], client: Callable[..., C]) -> click.Command:
    params: list[click.Parameter] = [
        click.Argument([a.name], type=_FILE if a.where == "file" else click.STRING)
        for a in spec.args
    ]
    params += [_option(o) for o in spec.options]
    flags = {f for o in spec.options for f in (o.flag, *o.aliases)}
    if any(o.where == "body" for o in spec.options):
        params.append(
            click.Option(
                ["--body", "_body"],
                metavar="JSON",
                help="The whole request body (JSON, @FILE or - for stdin); the "
                "options above override its fields.",
            )
        )
    if (
        any(o.wire == _MESSAGES and o.kind == "json" for o in spec.options)
        and "message" not in flags
    ):
        params.append(
            click.Option(
                ["--message", "_message"],
                multiple=True,
                metavar="ROLE:TEXT",
                help=f"Append a message to --{_MESSAGES}, e.g. user:Hello (repeatable).",
            )
        )
    if spec.stream is not None:
        params.append(
            click.Option(
                ["--stream", "_stream"],
                is_flag=True,
                help="Stream: print text as it arrives, the usage on stderr "
                "(--output jsonl prints every event).",
            )
        )
    if spec.kind == "page":
        params.append(
            click.Option(
                ["--max-items", "_max_items"],
                type=click.IntRange(min=0),
                metavar="N",
                help="Stop after N items (lists walk every page otherwise).",
            )
        )
    if spec.kind == "binary":
        params.append(
            click.Option(
                ["-o", "--output-file", "_output_file"],
                metavar="PATH",
                type=click.Path(dir_okay=False, allow_dash=True),
                help="Write the content to PATH (default: stdout, if not a terminal).",
            )
        )

    def callback(**values: Any) -> None:
        _Invocation(spec, client, click.get_current_context(), values).run()

    return _Command(
        spec.name,
        params=params,
        callback=callback,
        help=spec.help or None,
        short_help=spec.summary or None,
        deprecated=spec.deprecated,
        context_settings=_CONTEXT,
        argument_help=[(a.name.upper(), a.help) for a in spec.args],
    )


def _option(opt: Opt) -> click.Option:
    names = [opt.flag, *opt.aliases]
    extra = [f"default: {opt.default}"] if opt.default is not None else []
    extra += ["required"] if opt.required else []
    extra += ["repeatable"] if opt.kind == "files" else []
    help_text = opt.help + (f"  [{'; '.join(extra)}]" if extra else "")
    attrs: dict[str, Any] = {"help": help_text or None}
    if opt.kind == "bool":
        return click.Option([f"--{n}/--no-{n}" for n in names] + [opt.name], is_flag=True, **attrs)
    if opt.kind in ("file", "files"):
        attrs.update(type=_FILE, metavar="PATH", multiple=opt.kind == "files")
    elif opt.choices:
        attrs["type"] = _Choice(opt.choices)
    elif opt.kind in ("int", "float"):
        attrs["type"] = click.INT if opt.kind == "int" else click.FLOAT
    elif opt.kind in ("json", "any"):
        attrs["metavar"] = "JSON"
    return click.Option([f"--{n}" for n in names] + [opt.name], **attrs)


def _completion_command(prog_name: str) -> click.Command:
    def callback(shell: str) -> None:
        from click.shell_completion import get_completion_class

        root = click.get_current_context().find_root().command
        var = "_{}_COMPLETE".format(prog_name.replace("-", "_").upper())
        complete = get_completion_class(shell)
        if complete is not None:
            click.echo(complete(root, {}, prog_name, var).source())

    return click.Command(
        "completion",
        callback=callback,
        context_settings=_CONTEXT,
        params=[click.Argument(["shell"], type=click.Choice(["bash", "zsh", "fish"]))],
        help=f'Print the shell completion script, e.g. eval "$({prog_name} completion bash)".',
        short_help="Print the shell completion script.",
    )


def run(
    root: Group[C],
    client: Callable[..., C],
    argv: Sequence[str] | None = None,
    *,
    version: str = "",
) -> None:
    """Run the command line: exit 0 on success, 1 on an API error, 2 on a usage error."""
    group = build(root, client, version=version)
    group.main(args=list(argv) if argv is not None else None, prog_name=root.name)


# ------------------------------------------------------------------------------------------- one call


class _Invocation(Generic[C]):
    """One run of one command: collect the call's arguments, call, print."""

    def __init__(
        self, spec: Command[C], client: Callable[..., C], ctx: click.Context, values: dict[str, Any]
    ) -> None:
        self.spec, self.make_client, self.ctx, self.values = spec, client, ctx, values
        self.settings: _Settings = ctx.find_object(_Settings) or _Settings(
            None, None, None, None, "auto", 2, 600.0, "json"
        )
        self.out = _Output(self.settings.output)
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
                transport=_ProgressTransport(progress), timeout=self.settings.timeout
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
        finally:
            if http is not None:
                http.close()

    # inputs

    def arguments(self) -> tuple[list[Any], dict[str, Any]]:
        """The method's positional arguments and keywords, from the arguments, options and --body."""
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
            fields[_MESSAGES] = list(fields.get(_MESSAGES) or []) + [
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
        return value

    def text_of(self, value: str, flag: str) -> str:
        """The text of ``value``: ``-`` reads stdin (once), ``@path`` reads a file, anything else is itself."""
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
        """JSON text, @file or -; ``relaxed``: text that does not start like JSON is a plain string."""
        text = self.text_of(value, flag)
        try:
            return json.loads(text)
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
        return sys.stdin.buffer.read()

    def message(self, text: str) -> dict[str, Any]:
        role, sep, content = text.partition(":")
        if not sep or not role.strip():
            self.usage_error(f"expected ROLE:TEXT, got {text!r}", "--message")
        return {"role": role.strip(), "content": content}

    # the client

    def client(self, http: httpx.Client | None) -> C:
        s = self.settings
        target = s.target or ("direct" if s.api_key and not s.api_token else "lowcodeapi")
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
        return self.make_client(**options)

    def download_progress(self, args: list[Any]) -> _Progress | None:
        destination = self.values.get("_output_file")
        if self.spec.kind != "binary" or destination in (None, "-") or not _stderr_is_terminal():
            return None
        return _Progress(f"{' '.join(map(str, args))} -> {destination}")

    # calling and printing

    def call(self, client: C, args: list[Any], kwargs: dict[str, Any]) -> None:
        method = self.spec.call(client)
        kind = self.spec.kind
        if kind == "page":
            limit = self.values.get("_max_items")
            if limit == 0:
                self.out.items(())
            else:
                progress = _Progress("") if _stderr_is_terminal() else None
                self.out.items(_page_items(method(*args, **kwargs), limit, progress))
        elif kind == "binary":
            self.download(client, method, args, kwargs)
        elif kind == "sse" or (self.spec.stream is not None and self.values.get("_stream")):
            if kind != "sse":
                kwargs[self.spec.stream or "stream"] = True
            self.out.stream(method(*args, **kwargs))
        elif kind == "jsonl":
            self.out.items(method(*args, **kwargs))
        elif kind == "empty":
            method(*args, **kwargs)
        else:
            self.out.value(method(*args, **kwargs))

    def download(self, client: C, method: Method, args: list[Any], kwargs: dict[str, Any]) -> None:
        destination = self.values.get("_output_file")
        if destination in (None, "-"):
            if sys.stdout.isatty():
                raise click.UsageError("Binary content: pass -o PATH or redirect stdout.", self.ctx)
            self.out.binary(method(*args, **kwargs))
            return
        if self.spec.to_file is not None:
            size = self.spec.to_file(client)(*args, destination, **kwargs)
        else:
            data = method(*args, **kwargs)
            size = Path(destination).write_bytes(data)
        self.out.value({"path": os.path.abspath(destination), "size_bytes": size})


def _page_items(page: Any, limit: int | None, progress: _Progress | None) -> Iterator[Any]:
    """Every item of every page (``--max-items`` stops early); progress while the next page loads."""
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
    return sys.stderr.isatty()


# ------------------------------------------------------------------------------------------ printing


def _plain(value: Any) -> Any:
    """Models as their JSON (unknown fields included); containers converted inside."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _event_text(event: Any) -> str | None:
    """The text an event adds: a Messages ``text_delta`` or a Text Completions chunk."""
    if not isinstance(event, dict):
        return None
    delta = event.get("delta")
    if event.get("type") == "content_block_delta" and isinstance(delta, dict):
        text = delta.get("text")
        return text if delta.get("type") == "text_delta" and isinstance(text, str) else None
    completion = event.get("completion")
    return completion if event.get("type") == "completion" and isinstance(completion, str) else None


class _Output:
    """stdout for results, stderr for usage, progress and errors; credentials masked everywhere."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.mid_line = False  # stdout holds streamed text without its final newline

    def write(self, text: str) -> None:
        sys.stdout.write(redact(text))
        sys.stdout.flush()

    def dumps(self, value: Any, *, pretty: bool) -> str:
        return json.dumps(
            _plain(value), indent=2 if pretty else None, ensure_ascii=False, default=str
        )

    def value(self, value: Any) -> None:
        value = _plain(value)
        if self.mode == "raw" and isinstance(value, str):
            self.write(value)
        else:
            self.write(self.dumps(value, pretty=self.mode == "json") + "\n")

    def items(self, items: Iterable[Any]) -> None:
        """A JSON array written item by item (``json``), or one line per item (``jsonl``, ``raw``)."""
        if self.mode != "json":
            for item in items:
                self.write(self.dumps(item, pretty=False) + "\n")
            return
        first = True
        for item in items:
            self.write(
                ("[\n" if first else ",\n")
                + "  "
                + self.dumps(item, pretty=True).replace("\n", "\n  ")
            )
            first = False
        self.write("[]\n" if first else "\n]\n")

    def binary(self, data: bytes) -> None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def stream(self, stream: Any) -> None:
        """Text as it arrives (every event as a line with ``jsonl``), then the usage on stderr."""
        usage: dict[str, Any] = {}
        stop_reason = None
        with stream:
            for event in stream:
                data = _plain(event)
                if self.mode == "jsonl":
                    self.write(self.dumps(data, pretty=False) + "\n")
                elif text := _event_text(data):
                    self.write(text)
                    self.mid_line = not text.endswith("\n")
                if isinstance(data, dict):
                    message = data.get("message") if data.get("type") == "message_start" else data
                    if isinstance(message, dict) and isinstance(message.get("usage"), dict):
                        usage.update(message["usage"])
                    delta = data.get("delta")
                    reason = (delta if isinstance(delta, dict) else data).get("stop_reason")
                    stop_reason = reason or stop_reason
        self.end_line()
        summary = [f"{k}={v}" for k, v in usage.items() if isinstance(v, (int, float, str))]
        summary += [f"stop_reason={stop_reason}"] if stop_reason else []
        if summary:
            sys.stderr.write(redact("usage: " + " ".join(summary)) + "\n")

    def end_line(self) -> None:
        if self.mid_line:
            self.write("\n")
            self.mid_line = False

    def error(self, exc: APIError) -> None:
        """One readable line, then the error as JSON, on stderr."""
        self.end_line()
        detail: dict[str, Any] = {"error": type(exc).__name__}
        if isinstance(exc, APIStatusError):
            body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else exc.body
            detail.update(
                status_code=exc.status_code,
                error_type=exc.error_type,
                message=exc.message,
                request_id=exc.request_id,
                body=_plain(body),
            )
        else:
            detail["message"] = exc.message
            if isinstance(exc, APIConnectionError):
                detail["url"] = exc.url
        line = f"Error: {exc}" if str(exc) else f"Error: {type(exc).__name__}"
        sys.stderr.write(redact(line.replace("\n", " ")) + "\n")
        sys.stderr.write(redact(json.dumps(detail, ensure_ascii=False, default=str)) + "\n")
        sys.stderr.flush()


# ------------------------------------------------------------------------------------------ progress


class _Progress:
    """One status line on stderr, redrawn at most ten times a second; only made when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total: int | None = None
        self.done = 0
        self.drawn_at = 0.0
        self.shown = False

    def show(self, text: str) -> None:
        sys.stderr.write(f"\r\x1b[K{text}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False

    def start(self, total: int | None) -> None:
        self.total, self.done = total, 0
        self.draw(force=True)

    def add(self, count: int) -> None:
        self.done += count
        self.draw()

    def draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.drawn_at >= 0.1:
            self.drawn_at = now
            of = (
                f" of {_size(self.total)} ({100 * self.done // max(self.total, 1)}%)"
                if self.total
                else ""
            )
            self.show(f"{self.label}: {_size(self.done)}{of}")

    def finish(self) -> None:
        if self.shown:
            self.draw(force=True)
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.shown = False


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"


class _CountingStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, progress: _Progress) -> None:
        self.inner, self.progress = inner, progress

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.progress.add(len(chunk))
            yield chunk

    def close(self) -> None:
        self.inner.close()
        self.progress.finish()


class _ProgressTransport(httpx.BaseTransport):
    """Counts the bytes of each successful response body into a ``_Progress`` (downloads on a terminal)."""

    def __init__(self, progress: _Progress) -> None:
        self.inner = httpx.HTTPTransport()
        self.progress = progress

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code < 400 and isinstance(response.stream, httpx.SyncByteStream):
            length = response.headers.get("content-length", "")
            self.progress.start(int(length) if length.isdigit() else None)
            response.stream = _CountingStream(response.stream, self.progress)
        return response

    def close(self) -> None:
        self.inner.close()
