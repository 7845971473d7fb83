"""The hand-written half of the command line: the click plumbing that ``cli.py``'s command table
drives.

``cli.py`` (generated) describes one ``Command`` per operation, grouped like the client; this module
turns that table into click groups and options, ``_cli_call`` runs one command (reads option values:
JSON, ``@file`` or ``-`` for stdin; calls the client) and ``_cli_output`` prints: results as JSON on
stdout, progress on stderr (terminals only), errors on stderr as one line plus the error JSON (exit
1 for API errors, 2 for usage errors). Only the CLI imports these modules, so the client package
itself never needs click.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import click

from ._cli_call import MESSAGES, Arg, C, Command, Group, Invocation, Opt, Settings
from ._cli_output import OutputClosed, to_stderr
from ._provider import API_KEY_ENV, TOKEN_ENV

__all__ = ["Arg", "Command", "Group", "Opt", "build", "run"]


# ------------------------------------------------------------------------------------------ click
# tree

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}
_FILE = click.Path(exists=True, dir_okay=False, readable=True, allow_dash=True)


class _Command(click.Command):
    """A command whose help also lists its positional arguments, described (click 8.1
    compatible)."""

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
    """The click group for ``root``: global options, then a group per resource and a command per
    operation."""

    def callback(**values: Any) -> None:
        click.get_current_context().obj = Settings(**values)

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
            help=(
                "Call through LowCodeAPI or the provider directly. Default: direct when "
                "only an API key is given, else lowcodeapi."
            ),
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
            help=(
                "json: pretty JSON; jsonl: one compact value per line "
                "(list items, stream events); raw: bytes and text as received."
            ),
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
                help=(
                    "The whole request body (JSON, @FILE or - for stdin); the "
                    "options above override its fields."
                ),
            )
        )
    if (
        any(o.wire == MESSAGES and o.kind == "json" for o in spec.options)
        and "message" not in flags
    ):
        params.append(
            click.Option(
                ["--message", "_message"],
                multiple=True,
                metavar="ROLE:TEXT",
                help=f"Append a message to --{MESSAGES}, e.g. user:Hello (repeatable).",
            )
        )
    if spec.stream is not None:
        params.append(
            click.Option(
                ["--stream", "_stream"],
                is_flag=True,
                help=(
                    "Stream: print text as it arrives, the usage on stderr "
                    "(--output jsonl prints every event)."
                ),
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
        Invocation(spec, client, click.get_current_context(), values).run()

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
    extra += ["repeatable"] if opt.kind in ("files", "strs") else []
    help_text = opt.help + (f"  [{'; '.join(extra)}]" if extra else "")
    attrs: dict[str, Any] = {"help": help_text or None}
    if opt.kind == "bool":
        return click.Option([f"--{n}/--no-{n}" for n in names] + [opt.name], is_flag=True, **attrs)
    if opt.kind in ("file", "files"):
        attrs.update(type=_FILE, metavar="PATH", multiple=opt.kind == "files")
    elif opt.choices:
        attrs["type"] = click.Choice(opt.choices)  # x-enum-aliases included: the client maps them
    elif opt.kind in ("int", "float"):
        attrs["type"] = click.INT if opt.kind == "int" else click.FLOAT
    elif opt.kind == "strs":  # one value per occurrence, or a JSON list
        attrs.update(multiple=True, metavar="TEXT")
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
    """Run the command line: exit 0 on success, 1 on an API error or when stdout is closed, 2 on a
    usage error, 130 on Ctrl-C (click's own handling would exit 1)."""
    group = build(root, client, version=version)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    if in_main_thread:
        signal.signal(signal.SIGINT, _interrupt)
    try:
        group.main(args=list(argv) if argv is not None else None, prog_name=root.name)
    except _Interrupted:
        to_stderr("\nInterrupted.\n")
        sys.exit(130)
    except OutputClosed as exc:
        _silence_stdout()
        if str(exc):
            to_stderr(f"Error: {exc}\n")
        sys.exit(1)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


class _Interrupted(BaseException):
    """Ctrl-C, raised past click's ``KeyboardInterrupt`` handling (which prints ``Aborted!``, exit
    1)."""


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush into a closed pipe stays
    quiet."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
