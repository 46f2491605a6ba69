"""A protocol-level stand-in for the Hugging Face Hub, on loopback, for the real ``huggingface_hub`` client.

It implements the endpoints ``huggingface_hub`` 2.x and ``datasets`` 5.x call when xet is off
(``HF_HUB_DISABLE_XET=1`` and no ``hf_xet``), read from their source:

- ``POST /api/repos/create``                                    create_repo (409 when it exists)
- ``GET  /api/datasets/<id>[/revision/<rev>]``                  dataset_info / repo_info
- ``POST /api/validate-yaml``                                   README front matter check before a commit
- ``POST /api/datasets/<id>/preupload/<rev>``                   upload mode per file (regular or lfs) + remote oid
- ``POST /datasets/<id>.git/info/lfs/objects/batch``            LFS batch: where to PUT each object
- ``PUT  /lfs-upload/<sha256>``                                 the LFS object itself (basic transfer)
- ``POST /api/datasets/<id>/commit/<rev>``                      ndjson commit: header, file, lfsFile, deletedFile/Folder
- ``POST /api/datasets/<id>/tag/<rev>``                         create_tag (409 when the tag exists)
- ``GET  /api/datasets/<id>/refs``                              list_repo_refs
- ``GET  /api/datasets/<id>/commits/<rev>``                     list_repo_commits
- ``GET  /api/datasets/<id>/tree/<rev>[/<path>]``               list_repo_tree (recursive, expand)
- ``POST /api/datasets/<id>/paths-info/<rev>``                  get_paths_info (form-encoded paths)
- ``GET|HEAD /datasets/<id>/resolve/<rev>/<path>``              file download (Range, X-Repo-Commit, ETag)

Errors carry ``X-Error-Code`` (RepoNotFound, RevisionNotFound, EntryNotFound) as the Hub does, so the client
raises its own typed errors. Writes need ``Authorization: Bearer <token>``. ``fail_next[route] = n`` makes
the next ``n`` calls of a route answer 503, to exercise retries. State lives in memory, like a git object
store: commits hold a full tree of blobs, branches and tags point at commits.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LFS_SUFFIXES = (".parquet", ".arrow", ".bin", ".safetensors", ".zst", ".gz", ".zip", ".tar")
GITATTRIBUTES = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n*.arrow filter=lfs diff=lfs merge=lfs -text\n"


def git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Blob:
    size: int
    oid: str  # git oid (of the pointer file, for LFS)
    data: bytes | None = None  # regular files
    sha256: str | None = None  # LFS files

    @classmethod
    def regular(cls, data: bytes) -> Blob:
        return cls(len(data), git_oid(data), data=data)

    @classmethod
    def lfs(cls, sha256: str, size: int) -> Blob:
        pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
        return cls(size, git_oid(pointer), sha256=sha256)

    def info(self, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "file", "oid": self.oid, "size": self.size, "path": path}
        if self.sha256:
            pointer = 134 if self.size else 0
            out["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": pointer}
        return out


@dataclass
class Commit:
    oid: str
    parent: str | None
    title: str
    message: str
    date: str
    files: dict[str, Blob]


@dataclass
class Repo:
    repo_id: str
    private: bool
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> Commit | None:
        oid = self.branches.get(revision) or self.tags.get(revision)
        if oid is None and revision.startswith("refs/heads/"):
            oid = self.branches.get(revision[len("refs/heads/"):])
        if oid is None and revision.startswith("refs/tags/"):
            oid = self.tags.get(revision[len("refs/tags/"):])
        if oid is None and revision in self.commits:
            oid = revision
        return self.commits.get(oid) if oid else None


class HttpError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra


class HubServer:
    """The stand-in; ``start()`` serves on ``127.0.0.1:port`` in a thread, ``stop()`` shuts it down."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.token = token
        self.url = f"http://127.0.0.1:{port}"
        self.repos: dict[str, Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail_next: dict[str, int] = {}
        self.lock = threading.RLock()
        self._counter = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> None:
        server = self

        class Handler(_Handler):
            hub = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    # -- helpers --------------------------------------------------------------------------------------------
    def _new_oid(self, *parts: str) -> str:
        self._counter += 1
        return hashlib.sha1("\0".join([str(self._counter), *parts]).encode()).hexdigest()

    def repo(self, repo_id: str) -> Repo:
        repo = self.repos.get(repo_id)
        if repo is None:
            raise HttpError(404, f"Repository {repo_id} not found", "RepoNotFound")
        return repo

    def commit_at(self, repo: Repo, revision: str) -> Commit:
        commit = repo.resolve(revision)
        if commit is None:
            raise HttpError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit

    def create(self, repo_id: str, private: bool) -> Repo:
        with self.lock:
            if repo_id in self.repos:
                raise HttpError(409, "You already created this dataset repo", url=f"{self.url}/datasets/{repo_id}")
            repo = Repo(repo_id, private)
            now = _now()
            oid = self._new_oid(repo_id, "initial")
            repo.commits[oid] = Commit(oid, None, "initial commit", "", now, {".gitattributes": Blob.regular(GITATTRIBUTES)})
            repo.branches["main"] = oid
            self.repos[repo_id] = repo
            return repo

    def apply_commit(self, repo: Repo, revision: str, lines: list[dict[str, Any]]) -> Commit:
        with self.lock:
            head = self.commit_at(repo, revision)
            if revision not in repo.branches:
                raise HttpError(400, f"can only commit to a branch, not {revision}")
            header = lines[0]["value"] if lines and lines[0].get("key") == "header" else None
            if header is None:
                raise HttpError(400, "the first ndjson line must be the header")
            parent = header.get("parentCommit")
            if parent and not head.oid.startswith(parent):
                raise HttpError(412, f"parent commit {parent} is not the head of {revision}")
            files = dict(head.files)
            for line in lines[1:]:
                key, value = line.get("key"), line.get("value") or {}
                path = value.get("path", "")
                if key == "file":
                    files[path] = Blob.regular(base64.b64decode(value["content"]))
                elif key == "lfsFile":
                    sha = value["oid"]
                    if sha not in self.lfs:
                        raise HttpError(422, f"LFS object {sha} for {path} was never uploaded")
                    files[path] = Blob.lfs(sha, len(self.lfs[sha]))
                elif key == "deletedFile":
                    if path not in files:
                        raise HttpError(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
                    del files[path]
                elif key == "deletedFolder":
                    prefix = path.rstrip("/") + "/"
                    files = {p: b for p, b in files.items() if not p.startswith(prefix)}
                else:
                    raise HttpError(400, f"unknown commit operation {key!r}")
            oid = self._new_oid(repo.repo_id, head.oid, header.get("summary", ""))
            commit = Commit(oid, head.oid, header.get("summary", ""), header.get("description", ""), _now(), files)
            repo.commits[oid] = commit
            repo.branches[revision] = oid
            return commit


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _tree_entries(commit: Commit, prefix: str, recursive: bool) -> list[dict[str, Any]]:
    """Files and folders under ``prefix`` (immediate children unless ``recursive``)."""
    base = prefix.strip("/")
    start = f"{base}/" if base else ""
    if base and base in commit.files:
        raise HttpError(400, f"{base} is a file, not a folder")
    out: dict[str, dict[str, Any]] = {}
    found = False
    for path in sorted(commit.files):
        if not path.startswith(start):
            continue
        found = True
        rest = path[len(start):].split("/")
        for depth in range(1, len(rest)):
            if not recursive and depth > 1:
                break
            folder = start + "/".join(rest[:depth])
            out.setdefault(folder, {"type": "directory", "oid": hashlib.sha1(folder.encode()).hexdigest(),
                                    "size": 0, "path": folder})
        if recursive or len(rest) == 1:
            out[path] = commit.files[path].info(path)
    if base and not found:
        raise HttpError(404, f"{base} does not exist at this revision", "EntryNotFound")
    return list(out.values())


class _Handler(BaseHTTPRequestHandler):
    hub: HubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet; requests are kept in hub.requests
        pass

    # -- plumbing -----------------------------------------------------------------------------------------
    def _body(self) -> bytes:
        """The request body, read once (an error answer drains what a handler did not read)."""
        if getattr(self, "_read", None) is None:
            n = int(self.headers.get("Content-Length") or 0)
            self._read = self.rfile.read(n) if n else b""
        return self._read

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, *, head: bool = False) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), {"Content-Type": "application/json"})

    def _authorized(self) -> None:
        if self.hub.token and self.headers.get("Authorization") != f"Bearer {self.hub.token}":
            raise HttpError(401, "Invalid credentials in Authorization header")

    def _dispatch(self, method: str) -> None:
        self._read = None
        parts = urlsplit(self.path)
        segs = [unquote(s) for s in parts.path.split("/")[1:]]
        query = parse_qs(parts.query)
        self.hub.requests.append((method, parts.path))
        try:
            route, handler = self._route(method, segs)
            with self.hub.lock:
                if self.hub.fail_next.get(route, 0) > 0:
                    self.hub.fail_next[route] -= 1
                    raise HttpError(503, f"stand-in: injected failure of {route}")
            handler(segs, query, method)
        except HttpError as exc:
            headers = {"Content-Type": "application/json", "X-Error-Message": exc.message}
            if exc.code:
                headers["X-Error-Code"] = exc.code
            if method != "HEAD":
                self._body()
            self._send(exc.status, json.dumps({"error": exc.message, **exc.extra}).encode(), headers, head=method == "HEAD")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def whoami(self, *_: Any) -> None:
        self._authorized()
        self._json(200, {"name": "fixture-user", "type": "user", "orgs": []})

    def _route(self, method: str, s: list[str]) -> tuple[str, Any]:
        if method == "POST" and s[:3] == ["api", "repos", "create"]:
            return "create", self.create_repo
        if method == "POST" and s[:2] == ["api", "validate-yaml"]:
            return "validate-yaml", self.validate_yaml
        if method == "PUT" and s[:1] == ["lfs-upload"]:
            return "lfs-upload", self.lfs_upload
        if method == "POST" and len(s) >= 7 and s[0] == "datasets" and s[2].endswith(".git") and s[3:] == ["info", "lfs", "objects", "batch"]:
            return "lfs-batch", self.lfs_batch
        if s[:1] == ["datasets"] and len(s) >= 6 and s[3] == "resolve" and method in ("GET", "HEAD"):
            return "resolve", self.resolve
        if s[:2] == ["api", "datasets"] and len(s) >= 4:
            action = s[4] if len(s) > 4 else ""
            routes = {("GET", ""): self.info, ("GET", "revision"): self.info, ("POST", "preupload"): self.preupload,
                      ("POST", "commit"): self.commit, ("POST", "tag"): self.tag, ("GET", "refs"): self.refs,
                      ("GET", "commits"): self.commits, ("GET", "tree"): self.tree, ("POST", "paths-info"): self.paths_info}
            if (method, action) in routes:
                return action or "info", routes[(method, action)]
        if method == "GET" and s[:2] == ["api", "whoami-v2"]:
            return "whoami", self.whoami
        raise HttpError(404, f"stand-in does not implement {method} /{'/'.join(s)}")

    # -- endpoints --------------------------------------------------------------------------------------
    def create_repo(self, s: list[str], q: dict, m: str) -> None:
        self._authorized()
        payload = json.loads(self._body() or b"{}")
        if payload.get("type") != "dataset":
            raise HttpError(400, "the stand-in only hosts dataset repositories")
        repo_id = f"{payload['organization']}/{payload['name']}" if payload.get("organization") else f"fixture-user/{payload['name']}"
        self.hub.create(repo_id, payload.get("visibility") == "private" or bool(payload.get("private")))
        self._json(200, {"url": f"{self.hub.url}/datasets/{repo_id}", "name": repo_id, "id": repo_id})

    def validate_yaml(self, s: list[str], q: dict, m: str) -> None:
        import yaml

        content = json.loads(self._body() or b"{}").get("content", "")
        if content.startswith("---\n"):
            end = content.find("\n---", 4)
            try:
                meta = yaml.safe_load(content[4:end]) if end > 0 else None
            except yaml.YAMLError as exc:
                self._json(400, {"errors": [{"message": f"invalid YAML: {exc}"}], "warnings": []})
                return
            if end < 0 or not isinstance(meta, dict):
                self._json(400, {"errors": [{"message": "front matter is not a mapping"}], "warnings": []})
                return
        self._json(200, {"errors": [], "warnings": []})

    def info(self, s: list[str], q: dict, m: str) -> None:
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        commit = self.hub.commit_at(repo, s[5] if len(s) > 5 and s[4] == "revision" else "main")
        self._json(200, {
            "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24], "id": repo.repo_id, "author": repo.repo_id.split("/")[0],
            "sha": commit.oid, "private": repo.private, "gated": False, "disabled": False, "downloads": 0, "likes": 0,
            "tags": [], "lastModified": commit.date, "createdAt": commit.date,
            "siblings": [{"rfilename": p} for p in sorted(commit.files)],
        })

    def preupload(self, s: list[str], q: dict, m: str) -> None:
        self._authorized()
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        commit = self.hub.commit_at(repo, s[5] if len(s) > 5 else "main")
        files = []
        for f in json.loads(self._body()).get("files", []):
            path, size = f["path"], int(f["size"])
            mode = "lfs" if path.endswith(LFS_SUFFIXES) or size > 10_000_000 else "regular"
            existing = commit.files.get(path)
            oid = None if existing is None else (existing.sha256 or existing.oid)
            files.append({"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": oid})
        self._json(200, {"files": files, "commitOid": commit.oid})

    def lfs_batch(self, s: list[str], q: dict, m: str) -> None:
        self._authorized()
        self.hub.repo(f"{s[1]}/{s[2][:-len('.git')]}")
        payload = json.loads(self._body())
        objects = []
        for obj in payload.get("objects", []):
            entry: dict[str, Any] = {"oid": obj["oid"], "size": obj["size"]}
            if obj["oid"] not in self.hub.lfs:
                entry["actions"] = {"upload": {"href": f"{self.hub.url}/lfs-upload/{obj['oid']}", "header": {}}}
            objects.append(entry)
        self._send(200, json.dumps({"transfer": "basic", "objects": objects}).encode(),
                   {"Content-Type": "application/vnd.git-lfs+json"})

    def lfs_upload(self, s: list[str], q: dict, m: str) -> None:
        data = self._body()
        sha = s[1]
        if hashlib.sha256(data).hexdigest() != sha:
            raise HttpError(400, "uploaded content does not match its sha256")
        with self.hub.lock:
            self.hub.lfs[sha] = data
        self._send(200)

    def commit(self, s: list[str], q: dict, m: str) -> None:
        self._authorized()
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        lines = [json.loads(line) for line in self._body().splitlines() if line.strip()]
        commit = self.hub.apply_commit(repo, s[5] if len(s) > 5 else "main", lines)
        self._json(200, {"success": True, "commitOid": commit.oid, "hookOutput": "", "pullRequestUrl": None,
                         "commitUrl": f"{self.hub.url}/datasets/{repo.repo_id}/commit/{commit.oid}"})

    def tag(self, s: list[str], q: dict, m: str) -> None:
        self._authorized()
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        payload = json.loads(self._body())
        with self.hub.lock:
            commit = self.hub.commit_at(repo, s[5] if len(s) > 5 else "main")
            if payload["tag"] in repo.tags:
                raise HttpError(409, f"Tag {payload['tag']} already exists")
            repo.tags[payload["tag"]] = commit.oid
        self._json(200, {"tag": payload["tag"], "oid": commit.oid})

    def refs(self, s: list[str], q: dict, m: str) -> None:
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        self._json(200, {
            "branches": [{"name": n, "ref": f"refs/heads/{n}", "targetCommit": o} for n, o in sorted(repo.branches.items())],
            "tags": [{"name": n, "ref": f"refs/tags/{n}", "targetCommit": o} for n, o in sorted(repo.tags.items())],
            "converts": [], "pullRequests": [],
        })

    def commits(self, s: list[str], q: dict, m: str) -> None:
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        commit: Commit | None = self.hub.commit_at(repo, s[5] if len(s) > 5 else "main")
        out = []
        while commit is not None:
            out.append({"id": commit.oid, "title": commit.title, "message": commit.message, "date": commit.date,
                        "authors": [{"user": "fixture-user"}]})
            commit = repo.commits.get(commit.parent) if commit.parent else None
        self._json(200, out)

    def _last_commit(self, commit: Commit) -> dict[str, Any]:
        return {"id": commit.oid, "title": commit.title, "date": commit.date}

    def tree(self, s: list[str], q: dict, m: str) -> None:
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        commit = self.hub.commit_at(repo, s[5] if len(s) > 5 else "main")
        recursive = (q.get("recursive") or ["false"])[0].lower() in ("1", "true")
        expand = (q.get("expand") or ["false"])[0].lower() in ("1", "true")
        entries = _tree_entries(commit, "/".join(s[6:]), recursive)
        if expand:
            for e in entries:
                e["lastCommit"] = self._last_commit(commit)
        self._json(200, entries)

    def paths_info(self, s: list[str], q: dict, m: str) -> None:
        repo = self.hub.repo(f"{s[2]}/{s[3]}")
        commit = self.hub.commit_at(repo, s[5] if len(s) > 5 else "main")
        form = parse_qs(self._body().decode())
        expand = (form.get("expand") or ["False"])[0].lower() in ("1", "true")
        out = []
        for path in form.get("paths", []):
            path = path.strip("/")
            if path in commit.files:
                entry = commit.files[path].info(path)
            elif any(p.startswith(path + "/") for p in commit.files) or path == "":
                entry = {"type": "directory", "oid": hashlib.sha1(path.encode()).hexdigest(), "size": 0, "path": path}
            else:
                continue
            if expand:
                entry["lastCommit"] = self._last_commit(commit)
            out.append(entry)
        self._json(200, out)

    def resolve(self, s: list[str], q: dict, m: str) -> None:
        repo = self.hub.repo(f"{s[1]}/{s[2]}")
        commit = self.hub.commit_at(repo, s[4])
        path = "/".join(s[5:])
        blob = commit.files.get(path)
        if blob is None:
            raise HttpError(404, f"Entry not found: {path}", "EntryNotFound")
        data = blob.data if blob.data is not None else self.hub.lfs[blob.sha256 or ""]
        etag = f'"{blob.sha256 or blob.oid}"'
        headers = {"X-Repo-Commit": commit.oid, "ETag": etag, "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream"}
        if blob.sha256:
            headers["X-Linked-Etag"] = etag
            headers["X-Linked-Size"] = str(blob.size)
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and m == "GET":
            first, _, last = rng[6:].partition("-")
            start = int(first) if first else max(0, len(data) - int(last))
            end = int(last) if first and last else len(data) - 1
            end = min(end, len(data) - 1)
            if start >= len(data):
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, data[start:end + 1], headers)
            return
        self._send(200, data, headers, head=m == "HEAD")
