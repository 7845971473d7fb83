"""Routes in their three forms, and translation of concrete URLs between them.

A route is written once per operation (in `url_formats.ROUTES`): Anthropic's own path (direct),
LowCodeAPI's new format (path parameters in the path) and its old format (a sanitized literal path
with the values as query parameters). The client builds requests from it; `to_old`, `to_new` and
`to_direct` rewrite a URL a person has, keeping every other query parameter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ._styles import DEFAULT_STYLES, serialize_param

__all__ = ["Route", "Translator", "check_base_url", "path_value"]

_PARAM = re.compile(r"\{([^{}]+)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DECODE_ROUNDS = 4  # a value percent-encoded more often than this is refused outright


def path_value(name: str, value: object) -> str:
    """The text of path parameter ``name``; ValueError for a value that could leave its route.

    The one rule for every value that ends up in a URL path (new format: in the path; old format: a
    query parameter that the proxy puts into the upstream path). Refused: None, and any value that,
    after the decoding a server or proxy may apply (percent-decoding, repeatedly; ``\\`` read as
    ``/``; Unicode compatibility forms such as fullwidth dots), holds a control character or an
    empty, whitespace-only, ``.`` or ``..`` segment: ``""``, ``".."``, ``"%2e%2e"``, ``"a/../b"``,
    ``" "``. Everything else is sent, percent-encoded.
    """
    # NOT_GIVEN by name: importing _types (and so httpx) would make importing the URL table slow
    if value is None or type(value).__name__ == "NotGiven":
        raise ValueError(f"path parameter {name!r} is required, got {value!r}")
    text = value if isinstance(value, str) else str(value)
    decoded = text
    for _ in range(_DECODE_ROUNDS):
        once = unquote(decoded, errors="replace")
        if once == decoded:
            break
        decoded = once
    else:
        if unquote(decoded) != decoded:
            raise ValueError(f"path parameter {name!r} is percent-encoded too many times: {text!r}")
    normal = unicodedata.normalize("NFKC", decoded).replace("\\", "/")
    if _CONTROL.search(normal):  # a NUL or a line break that a server might cut the path at
        raise ValueError(f"path parameter {name!r} must not contain control characters: {text!r}")
    for segment in normal.split("/"):
        if segment.strip() in ("", ".", ".."):
            raise ValueError(
                f"path parameter {name!r} must not be empty or a dot segment "
                f"(it would reach another route): {text!r}"
            )
    return text


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash; ValueError unless it is an http(s) URL with a host, no
    query, no fragment and no dot segment (route paths are appended to it, so those would change the
    route).
    """
    parts = urlsplit(url)
    problem = None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problem = "must be an http:// or https:// URL with a host"
    elif parts.query or parts.fragment or "?" in url or "#" in url:
        problem = "must not have a query or a fragment"
    elif any(seg in (".", "..") for seg in unquote(parts.path).replace("\\", "/").split("/")):
        problem = "must not contain '.' or '..' segments"
    if problem:  # shown without userinfo, query or fragment: they may hold credentials
        shown = f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
        raise ValueError(f"base_url {problem}: {shown!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class Route:
    """One operation's wire forms; templates use the operation's own parameter names."""

    name: str
    method: str
    direct_method: str
    direct: str
    new: str
    old: str
    old_query: tuple[tuple[str, str], ...] = ()
    body: str = "json"  # how the request body is encoded: json | form | multipart
    media: str = ""  # the body's declared media type, where it is not its kind's usual one
    # (field, style, explode, content type) of each body field its media type's `encoding` names
    encoding: tuple[tuple[str, str, bool, str], ...] = ()
    accept: str = ""  # the success answer's declared media types, where they are not the usual ones
    betas: tuple[str, ...] = ()  # `anthropic-beta` values this operation always sends
    lowcodeapi_routed: bool = (
        True  # False: LowCodeAPI's snapshot lacks it (tried at the provider's path)
    )
    # (location, wire name, style, explode) of each parameter not in its location's default style
    styles: tuple[tuple[str, str, str, bool], ...] = ()
    reserved: tuple[str, ...] = ()  # query parameters with `allowReserved`: `:/?@!$'()*,;=` kept

    def style_of(self, location: str, name: str) -> tuple[str, bool]:
        """The (style, explode) of the parameter `name` in `location` (path, query or header)."""
        for where, wire, style, explode in self.styles:
            if where == location and wire == name:
                return style, explode
        return DEFAULT_STYLES[location]

    def path_text(self, name: str, value: object, url_format: str) -> str:
        """A path parameter's value as the route holds it: checked by `path_value` as it will read
        once decoded, styled (the old format carries values unstyled), each piece percent-encoded.
        """
        style, explode = self.style_of("path", name) if url_format != "old" else ("simple", False)
        plain = serialize_param(name, value, style, explode)
        path_value(name, plain[0][1] if plain else (None if value is None else ""))
        if url_format == "old":
            return plain[0][1]
        return serialize_param(name, value, style, explode, percent_encode=True)[0][1]

    def build(
        self, url_format: str, path_params: Mapping[str, object]
    ) -> tuple[str, str, list[tuple[str, str]]]:
        """(HTTP method, path with quoted values, extra query pairs) for `direct`, `new` or `old`.

        A proxy form the route does not have (``""``: not derivable from the provider's document) is
        served by the other one, which the proxy mounts; a missing direct form is a ValueError."""
        url_format = self.served_as(url_format)
        if url_format == "direct":
            if not self.direct:
                raise ValueError(
                    f"{self.name} has no direct form: its upstream URL is not under the provider's"
                    " own base URL or needs a value the proxy fills in; call it through LowCodeAPI"
                )
            method, template = self.direct_method, self.direct
        elif url_format == "new":
            method, template = self.method, self.new
        elif url_format == "old":
            method, template = self.method, self.old
        else:
            raise ValueError(f"unknown URL format {url_format!r}")
        template, _, fixed = template.partition("?")
        # Every value is checked (old format included), so no format can reach another route.
        values = {
            name: self.path_text(name, value, url_format) for name, value in path_params.items()
        }
        path = _PARAM.sub(lambda m: values[m.group(1)], template)
        query = parse_qsl(fixed, keep_blank_values=True)
        if url_format == "old":  # the old format carries path values as query parameters, unstyled
            query += [(name, values[param]) for name, param in self.old_query]
        elif url_format == "new":
            # a value the template has no place for: the proxy reads it from the query
            placed = set(_PARAM.findall(template))
            query += [(name, values[name]) for name in values if name not in placed]
        return method, path, query

    def served_as(self, url_format: str) -> str:
        """The form that serves ``url_format``: the other proxy form where this one is unknown."""
        if url_format == "new" and not self.new and self.old:
            return "old"
        if url_format == "old" and not self.old and self.new:
            return "new"
        if url_format in ("new", "old") and not (self.new or self.old):
            raise ValueError(f"{self.name} has no route on LowCodeAPI: the proxy cannot reach it")
        return url_format

    def check_query(self, url_format: str, pairs: Iterable[tuple[str, str]]) -> None:
        """ValueError when a caller's query pair (``query``, ``extra_query``) sets a parameter that
        the old format turns into a path value, with a value that `path_value` refuses."""
        if url_format != "old" or self.served_as("old") != "old":
            return
        carriers = dict(self.old_query)
        for key, value in pairs:
            if key in carriers:
                path_value(carriers[key], value)


@dataclass(frozen=True)
class _Match:
    route: Route
    url_format: str
    params: dict[str, str]
    prefix: str
    consumed: frozenset[str]
    score: int


class Translator:
    """Recognises a concrete URL as one route in one format and writes it in another."""

    def __init__(
        self, routes: Iterable[Route], lowcodeapi_base_url: str, direct_base_url: str
    ) -> None:
        self._routes = tuple(routes)
        self._lowcodeapi = lowcodeapi_base_url.rstrip("/")
        self._direct = direct_base_url.rstrip("/")
        self._direct_host = urlsplit(self._direct).netloc
        self._compiled: list[tuple[Route, str, re.Pattern[str], int]] | None = None

    def _patterns(self) -> list[tuple[Route, str, re.Pattern[str], int]]:
        if self._compiled is None:  # compiled on first use: importing the table stays cheap
            out = []
            for route in self._routes:
                for fmt, template in (
                    ("new", route.new),
                    ("direct", route.direct),
                    ("old", route.old),
                ):
                    path = template.partition("?")[0]
                    if not path:
                        continue  # a form this route does not have
                    regex = "".join(
                        f"(?P<p{i}>[^/]+)" if part.startswith("{") else re.escape(part)
                        for i, part in enumerate(re.split(r"(\{[^{}]+\})", path))
                    )
                    literal = len(_PARAM.sub("", path))
                    out.append((route, fmt, re.compile(f"(?P<prefix>.*?){regex}/?"), literal))
            self._compiled = out
        return self._compiled

    def match(self, url: str, method: str | None = None) -> _Match:
        """The route and format a URL is in; ValueError when no route fits."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        names = {k for k, _ in query}
        is_direct = bool(self._direct_host) and parts.netloc == self._direct_host
        best: _Match | None = None
        for route, fmt, pattern, literal in self._patterns():
            if method and method.upper() not in (route.method, route.direct_method):
                continue
            found = pattern.fullmatch(parts.path)
            if not found:
                continue
            template = {"new": route.new, "direct": route.direct, "old": route.old}[fmt].partition(
                "?"
            )[0]
            if fmt == "old":
                if route.old == route.new or not {q for q, _ in route.old_query} <= names:
                    continue
                params = {p: dict(query)[q] for q, p in route.old_query}
                consumed = frozenset(q for q, _ in route.old_query)
                score = 3_000 + literal
            else:
                placeholders = _PARAM.findall(template)
                params = {
                    name: unquote(found.group(f"p{2 * i + 1}"))
                    for i, name in enumerate(placeholders)
                }
                consumed = frozenset()
                # a direct URL prefers direct templates; a proxy URL prefers the new format
                score = (2_000 if (fmt == "direct") == is_direct else 1_000) + literal
            candidate = _Match(route, fmt, params, found.group("prefix"), consumed, score)
            if best is None or candidate.score > best.score:
                best = candidate
        if best is None:
            raise ValueError(
                f"no known route matches the path {parts.path!r}"
            )  # the path never holds the token
        self._check_base(parts.scheme, parts.netloc, best.prefix, strict=False)
        return best

    def check_base(self, url: str, method: str | None = None) -> None:
        """ValueError unless `url` is on this provider's LowCodeAPI base (host and provider prefix),
        on its direct base, or a bare path (`lowcodegen translate` accepts nothing else)."""
        parts = urlsplit(url)
        self._check_base(parts.scheme, parts.netloc, self.match(url, method).prefix, strict=True)

    def _check_base(self, scheme: str, netloc: str, prefix: str, strict: bool) -> None:
        """Another provider's route on the proxy (or under the direct host) is never this
        provider's call: always refused. Another host (a self-hosted proxy, a test server) keeps
        its host when translated, unless `strict`."""
        allowed = [urlsplit(self._lowcodeapi)] + ([urlsplit(self._direct)] if self._direct else [])
        bare = not scheme and not netloc  # a bare path: on the proxy's provider prefix or none
        if bare and prefix.rstrip("/") in ("", allowed[0].path.rstrip("/")):
            return
        hosts = {b.netloc.lower() for b in allowed}
        if not strict and not bare and netloc.lower() not in hosts:
            return
        for base in allowed:
            same_host = (scheme.lower(), netloc.lower()) == (
                base.scheme.lower(),
                base.netloc.lower(),
            )
            if same_host and prefix.rstrip("/") == base.path.rstrip("/"):
                return
        where = f"{scheme}://{netloc}{prefix}" if netloc else prefix
        bases = " or ".join(repr(urlunsplit((b.scheme, b.netloc, b.path, "", ""))) for b in allowed)
        raise ValueError(
            f"{where!r} is not this provider's base: the URL must start with {bases}, or be a bare"
            " path"
        )

    def translate(self, url: str, url_format: str, method: str | None = None) -> str:
        """The same call as `url`, written in `url_format` ("old", "new" or "direct")."""
        found = self.match(url, method)
        parts = urlsplit(url)
        _, path, extra = found.route.build(url_format, found.params)
        kept = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in found.consumed
        ]
        source_direct = bool(self._direct_host) and parts.netloc == self._direct_host
        if not parts.netloc:  # a bare path stays a bare path
            base = urlsplit(found.prefix if url_format != "direct" else "")
            if url_format == "direct":
                kept = [(k, v) for k, v in kept if k != "api_token"]
        elif url_format == "direct":
            base = urlsplit(
                self._direct
                if not source_direct
                else f"{parts.scheme}://{parts.netloc}{found.prefix}"
            )
            kept = [(k, v) for k, v in kept if k != "api_token"]
        elif source_direct:
            base = urlsplit(self._lowcodeapi)
        else:
            base = urlsplit(f"{parts.scheme}://{parts.netloc}{found.prefix}")
        fixed = {
            k
            for k, _ in parse_qsl(
                {"new": found.route.new, "old": found.route.old, "direct": found.route.direct}[
                    found.url_format
                ].partition("?")[2]
            )
        }
        kept = [(k, v) for k, v in kept if k not in fixed]
        query = urlencode(extra + kept)
        return urlunsplit(
            (base.scheme, base.netloc, base.path.rstrip("/") + path, query, parts.fragment)
        )
