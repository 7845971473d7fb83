"""The route table the fake server serves: seed 000's 32 rows in both LowCodeAPI formats, plus
Anthropic's own method and path for each (the direct target)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import Pattern
from urllib.parse import parse_qsl, unquote

__all__ = ["ROUTES", "SEED_TABLE", "FakeRoute"]

# name, LowCodeAPI method, new-format path, old-format path (+ query), Anthropic's method, Anthropic's path
SEED_TABLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("messages.create", "POST", "/v1/messages", "/v1/messages", "POST", "/v1/messages"),
    ("messages.count_tokens", "POST", "/v1/messages/count-tokens", "/v1/messages/count_tokens",
     "POST", "/v1/messages/count_tokens"),
    ("models.list", "GET", "/v1/models", "/v1/models", "GET", "/v1/models"),
    ("models.retrieve", "GET", "/v1/models/{model_id}", "/v1/models/modelid?modelid={model_id}",
     "GET", "/v1/models/{model_id}"),
    ("completions.create", "POST", "/v1/completions", "/v1/completions", "POST", "/v1/complete"),
    ("messages.batches.create", "POST", "/v1/message_batches", "/v1/message_batches", "POST", "/v1/messages/batches"),
    ("messages.batches.list", "GET", "/v1/message_batches", "/v1/message_batches", "GET", "/v1/messages/batches"),
    ("messages.batches.retrieve", "GET", "/v1/message_batches/{batch_id}",
     "/v1/message_batches/batchid?batchid={batch_id}", "GET", "/v1/messages/batches/{batch_id}"),
    ("messages.batches.results", "GET", "/v1/message_batches/{batch_id}/results",
     "/v1/message_batches/batchid/results?batchid={batch_id}", "GET", "/v1/messages/batches/{batch_id}/results"),
    ("messages.batches.cancel", "POST", "/v1/message_batches/{batch_id}/cancel",
     "/v1/message_batches/batchid/cancel?batchid={batch_id}", "POST", "/v1/messages/batches/{batch_id}/cancel"),
    ("messages.batches.delete", "DELETE", "/v1/message_batches/{batch_id}",
     "/v1/message_batches/batchid?batchid={batch_id}", "DELETE", "/v1/messages/batches/{batch_id}"),
    ("files.upload", "POST", "/v1/files", "/v1/files", "POST", "/v1/files"),
    ("files.list", "GET", "/v1/files", "/v1/files", "GET", "/v1/files"),
    ("files.retrieve", "GET", "/v1/files/{file_id}", "/v1/files/fileid?fileid={file_id}", "GET", "/v1/files/{file_id}"),
    ("files.download", "GET", "/v1/files/{file_id}/download", "/v1/files/fileid/download?fileid={file_id}",
     "GET", "/v1/files/{file_id}/content"),
    ("files.delete", "DELETE", "/v1/files/{file_id}", "/v1/files/fileid?fileid={file_id}",
     "DELETE", "/v1/files/{file_id}"),
    ("organizations.me", "GET", "/v1/organizations/me", "/v1/organizations/me", "GET", "/v1/organizations/me"),
    ("organizations.api_keys.list", "GET", "/v1/organizations/api_keys", "/v1/organizations/api_keys",
     "GET", "/v1/organizations/api_keys"),
    ("organizations.api_keys.create", "POST", "/v1/organizations/api_keys", "/v1/organizations/api_keys",
     "POST", "/v1/organizations/api_keys"),
    ("organizations.api_keys.retrieve", "GET", "/v1/organizations/api_keys/{api_key_id}",
     "/v1/organizations/api_keys/apikeyid?apikeyid={api_key_id}", "GET", "/v1/organizations/api_keys/{api_key_id}"),
    ("organizations.api_keys.update", "PATCH", "/v1/organizations/api_keys/{api_key_id}",
     "/v1/organizations/api_keys/apikeyid?apikeyid={api_key_id}", "POST", "/v1/organizations/api_keys/{api_key_id}"),
    ("organizations.api_keys.delete", "DELETE", "/v1/organizations/api_keys/{api_key_id}",
     "/v1/organizations/api_keys/apikeyid?apikeyid={api_key_id}", "DELETE", "/v1/organizations/api_keys/{api_key_id}"),
    ("organizations.workspaces.list", "GET", "/v1/organizations/workspaces", "/v1/organizations/workspaces",
     "GET", "/v1/organizations/workspaces"),
    ("organizations.workspaces.create", "POST", "/v1/organizations/workspaces", "/v1/organizations/workspaces",
     "POST", "/v1/organizations/workspaces"),
    ("organizations.workspaces.retrieve", "GET", "/v1/organizations/workspaces/{workspace_id}",
     "/v1/organizations/workspaces/workspaceid?workspaceid={workspace_id}",
     "GET", "/v1/organizations/workspaces/{workspace_id}"),
    ("organizations.workspaces.update", "PATCH", "/v1/organizations/workspaces/{workspace_id}",
     "/v1/organizations/workspaces/workspaceid?workspaceid={workspace_id}",
     "POST", "/v1/organizations/workspaces/{workspace_id}"),
    ("organizations.workspaces.delete", "DELETE", "/v1/organizations/workspaces/{workspace_id}",
     "/v1/organizations/workspaces/workspaceid?workspaceid={workspace_id}",
     "DELETE", "/v1/organizations/workspaces/{workspace_id}"),
    ("organizations.workspaces.members.list", "GET", "/v1/organizations/workspaces/{workspace_id}/members",
     "/v1/organizations/workspaces/workspaceid/members?workspaceid={workspace_id}",
     "GET", "/v1/organizations/workspaces/{workspace_id}/members"),
    ("organizations.workspaces.members.create", "POST", "/v1/organizations/workspaces/{workspace_id}/members",
     "/v1/organizations/workspaces/workspaceid/members?workspaceid={workspace_id}",
     "POST", "/v1/organizations/workspaces/{workspace_id}/members"),
    ("organizations.workspaces.members.retrieve", "GET",
     "/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
     "/v1/organizations/workspaces/workspaceid/members/userid?workspaceid={workspace_id}&user_id={user_id}",
     "GET", "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"),
    ("organizations.workspaces.members.update", "PATCH",
     "/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
     "/v1/organizations/workspaces/workspaceid/members/userid?workspaceid={workspace_id}&user_id={user_id}",
     "POST", "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"),
    ("organizations.workspaces.members.delete", "DELETE",
     "/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
     "/v1/organizations/workspaces/workspaceid/members/userid?workspaceid={workspace_id}&user_id={user_id}",
     "DELETE", "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"),
)


def _template_regex(template: str) -> Pattern[str]:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)))


@dataclass(frozen=True)
class FakeRoute:
    """One row of the table, ready for matching."""

    name: str
    method: str
    new: str
    old_path: str
    old_query: tuple[tuple[str, str], ...]
    direct_method: str
    direct: str

    @classmethod
    def from_row(cls, row: tuple[str, str, str, str, str, str]) -> FakeRoute:
        name, method, new, old, direct_method, direct = row
        old_path, _, old_qs = old.partition("?")
        old_query = tuple((k, v.strip("{}")) for k, v in parse_qsl(old_qs))
        return cls(name, method, new, old_path, old_query, direct_method, direct)

    def match_new(self, path: str) -> dict[str, str] | None:
        found = _template_regex(self.new).fullmatch(path)
        return {k: unquote(v) for k, v in found.groupdict().items()} if found else None

    def match_direct(self, method: str, path: str) -> dict[str, str] | None:
        # Anthropic updates with POST; PATCH is accepted too, as a generated client might keep the proxy's verb.
        methods = {self.direct_method} | ({"PATCH"} if self.name.endswith(".update") else set())
        found = _template_regex(self.direct).fullmatch(path) if method in methods else None
        return {k: unquote(v) for k, v in found.groupdict().items()} if found else None


ROUTES = tuple(FakeRoute.from_row(row) for row in SEED_TABLE)
