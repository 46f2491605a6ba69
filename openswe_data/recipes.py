"""Where recipe files come from: build recipes, curation policies, card templates and SQL reports.

The four recipe folders (``builders/``, ``curation/``, ``cards/``, ``analysis/``) are plain files a
maintainer edits without reading Python. They are looked up in this order, first hit wins:

1. an explicit path given by the caller (``--recipes`` on the CLI),
2. ``$OPENSWE_RECIPES`` (a folder holding some or all of the four folders),
3. the source checkout this package was imported from (so edits show up without reinstalling),
4. the copy packaged inside the wheel (``openswe_data/_recipes``).

Templates are rendered with Jinja2's ``StrictUndefined``: a missing variable fails loudly.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from openswe_data.errors import RecipeError, RecipeNotFound

KINDS = ("builders", "curation", "cards", "analysis")
_PACKAGE = Path(__file__).resolve().parent


def search_path(explicit: str | Path | None = None) -> list[Path]:
    """The folders searched for recipes, in order."""
    roots: list[Path] = []
    if explicit:
        roots.append(Path(explicit))
    env = os.environ.get("OPENSWE_RECIPES")
    if env:
        roots.extend(Path(p) for p in env.split(os.pathsep) if p)
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").exists() and (checkout / "builders").is_dir():
        roots.append(checkout)
    roots.append(_PACKAGE / "_recipes")
    return roots


def find(kind: str, name: str, *, explicit: str | Path | None = None) -> Path:
    """The first ``<root>/<kind>/<name>`` on the search path."""
    if kind not in KINDS:
        raise ValueError(f"unknown recipe kind {kind!r}; one of {', '.join(KINDS)}")
    if Path(name).is_absolute() or ".." in Path(name).parts:
        raise RecipeNotFound(f"recipe names are relative to {kind}/, got {name!r}")
    tried = []
    for root in search_path(explicit):
        candidate = root / kind / name
        tried.append(str(candidate))
        if candidate.is_file():
            return candidate
    raise RecipeNotFound(
        f"no {kind} recipe named {name!r}; looked in:\n  " + "\n  ".join(tried),
        hint=f"check the name against `openswe recipes {kind}`, or set OPENSWE_RECIPES",
    )


def listing(kind: str, *, explicit: str | Path | None = None) -> dict[str, Path]:
    """Every recipe of ``kind`` by relative name; earlier roots shadow later ones."""
    found: dict[str, Path] = {}
    for root in reversed(search_path(explicit)):
        base = root / kind
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts:
                    found[str(p.relative_to(base))] = p
    return dict(sorted(found.items()))


def read(kind: str, name: str, *, explicit: str | Path | None = None) -> str:
    return find(kind, name, explicit=explicit).read_text(encoding="utf-8")


def read_yaml(kind: str, name: str, *, explicit: str | Path | None = None) -> Any:
    """A YAML recipe, parsed; parsed again only when its file changed."""
    path = find(kind, name, explicit=explicit)
    return _parsed_yaml(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _parsed_yaml(path: str, mtime_ns: int) -> Any:
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=64)
def _environment(folder: str) -> Any:
    """One Jinja2 environment per folder: templates are compiled once and recompiled when their file changes
    (Jinja's own ``auto_reload``), so rendering a recipe per item of a large batch stays cheap."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    # Sandboxed: a recipe is a file anyone may edit or download; it renders text, it never reaches Python.
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render(kind: str, name: str, variables: dict[str, Any], *, explicit: str | Path | None = None) -> str:
    """Render a Jinja2 template recipe with ``StrictUndefined``."""
    import jinja2

    path = find(kind, name, explicit=explicit)
    env = _environment(str(path.parent))
    try:
        if b"\x00" in path.read_bytes():
            raise RecipeError(f"template {path} holds a NUL byte", hint="a recipe is text: re-save the file")
        return env.get_template(path.name).render(**variables)
    except jinja2.UndefinedError as exc:
        raise RecipeError(f"template {path} needs a variable that was not given: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RecipeError(f"template {path}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:  # the sandbox refusing an attribute, a missing filter, ...
        raise RecipeError(f"template {path}: {type(exc).__name__}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RecipeError(f"template {path} is not UTF-8 text (offset {exc.start})",
                          hint="save the recipe as UTF-8") from None
    except RecursionError:
        raise RecipeError(f"template {path} is nested too deeply to compile") from None
