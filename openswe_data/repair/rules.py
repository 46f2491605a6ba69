"""Diagnosis rules: recipe files (``builders/rules/*.yaml``) that turn a failure's log into a named
diagnosis and one typed fix, at no cost.

Input: where the attempt failed (``build`` or ``validate``), its reason, the log text, and context sets
about the repository (``project_modules``: the top-level names the project itself provides) and the
ecosystem (``stdlib_modules``, always present: no rule ever installs a standard-library module). Output: the
proposals of every rule that fires, in file order. A maintainer adds a rule without touching Python; the
fix must be one of ``openswe_data.build.recipe.Fix``'s kinds, checked when the rules are loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from openswe_data import recipes
from openswe_data.build.recipe import Fix
from openswe_data.conventions import MAPS_FILE
from openswe_data.errors import RecipeError

RULES_FOLDER = "rules"
MODULE_TABLE = "import_distributions"
"""The lookup table of import names: a group translated through it (or through none) names a module."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    """A unique, stable name: attempt records and reports count by it."""
    stage: Literal["build", "validate"]
    """Which failures it reads: an image build's log, or a validation's runs."""
    pattern: str
    """A regular expression (multiline) searched in the log; its named groups feed ``fix``."""
    diagnosis: str
    """The named cause (``missing_c_header``)."""
    fix: dict[str, Any]
    """One ``Fix`` field; string values may name the pattern's groups as ``{group}``."""
    reasons: list[str] = []
    """Only failures with one of these reasons (empty: any)."""
    lookup: dict[str, str] = {}
    """group -> a table of ``rules/maps.yaml`` the matched name is translated through."""
    unless: dict[str, str] = {}
    """group -> a context set: the rule does not fire when the matched name is in it."""
    only_if: dict[str, str] = {}
    """group -> a context set: the rule fires only when the matched name is in it (a group the matching
    alternative leaves empty is not checked; one of them must be set)."""
    example: str
    """A log excerpt this rule must diagnose (tests/repair run every rule on its own example)."""
    expect: dict[str, Any]
    """The fix the rule must propose for ``example`` (with its groups filled in)."""
    more_examples: list[str] = []
    """Other log excerpts (other tools' wording of the same failure) that must give the same fix."""
    example_context: dict[str, list[str]] = {}
    """Context sets for ``example`` (``project_modules``), when the rule reads them."""
    note: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value, re.M)
        return value


@dataclass(frozen=True)
class Proposal:
    rule: str
    diagnosis: str
    fix: Fix


@lru_cache(maxsize=8)
def load_rules(explicit: str | None = None) -> tuple[Rule, ...]:
    """Every rule of ``builders/rules/*.yaml`` (``maps.yaml`` aside), in file-name then file order."""
    import yaml

    out: list[Rule] = []
    files = recipes.listing("builders", explicit=explicit)
    for rel in sorted(n for n in files if n.startswith(f"{RULES_FOLDER}/") and n.endswith(".yaml") and n != MAPS_FILE):
        data = yaml.safe_load(files[rel].read_text()) or {}
        for i, raw in enumerate(data.get("rules", [])):
            try:
                rule = Rule.model_validate(raw)
                Fix.model_validate({k: (re.sub(r"\{\w+\}", "x", v) if isinstance(v, str) else v) for k, v in rule.fix.items()})
            except ValidationError as exc:
                raise RecipeError(f"builders/{rel}: rule {i + 1} is malformed: {exc.errors()[0]['msg']}",
                                  hint="see builders/README.md, section rules/") from None
            out.append(rule)
    names = [r.name for r in out]
    if len(names) != len(set(names)):
        raise RecipeError("builders/rules: two rules share a name", hint="rule names must be unique")
    return tuple(out)


def load_maps(explicit: str | None = None) -> dict[str, dict[str, str]]:
    return recipes.read_yaml("builders", MAPS_FILE, explicit=explicit) or {}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions_of(modules: set[str]) -> set[str]:
    """The distributions that provide ``modules`` (``yaml`` -> ``pyyaml``), by ``maps.yaml``'s
    ``import_distributions``, the names themselves included."""
    table = load_maps().get("import_distributions", {})
    return set(modules) | {str(table[m]) for m in modules if m in table and m != "_default"}


def _translate(name: str, table: dict[str, str]) -> str | None:
    if name in table and name != "_default":
        return str(table[name])
    default = table.get("_default", "absent")
    if default == "same":
        return name
    if default == "dashes":
        return name.replace("_", "-")
    return None


def stdlib_modules() -> set[str]:
    """Every top-level module of the standard library, today's (``sys.stdlib_module_names``) and removed ones
    (``maps.yaml``'s ``removed_stdlib_modules``): a missing one is never a requirement to install."""
    import sys

    removed = {m for m in load_maps().get("removed_stdlib_modules", {}) if m != "_default"}
    return set(sys.stdlib_module_names) | removed


def _fire(rule: Rule, m: re.Match[str], context: dict[str, set[str]], maps: dict[str, dict[str, str]]) -> Fix | None:
    """``context``: sets of names already canonical (``diagnose`` canonicalises them once per failure)."""
    groups = {k: (v or "") for k, v in m.groupdict().items()}
    requirement = rule.fix.get("add_requirement")
    if isinstance(requirement, str) and any(
            _canonical(groups.get(g) or "") in context.get("stdlib_modules", set())
            for g in re.findall(r"\{(\w+)\}", requirement)
            if rule.lookup.get(g, MODULE_TABLE) == MODULE_TABLE):  # a module name (not a marker, a fixture)
        return None  # a (former) standard-library module is no distribution: `_dummy_thread` -> `-dummy-thread`
    for group, ctx in rule.unless.items():
        if groups.get(group) and _canonical(groups[group]) in context.get(ctx, set()):
            return None
    if rule.only_if and not any(groups.get(group) for group in rule.only_if):
        return None  # the alternative that matched names nothing the rule may check
    for group, ctx in rule.only_if.items():
        if groups.get(group) and _canonical(groups[group]) not in context.get(ctx, set()):
            return None
    if rule.lookup:
        translated = False
        for group, table in rule.lookup.items():
            if groups.get(group):
                value = _translate(groups[group], maps.get(table, {}))
                if value is None:
                    return None
                groups[group], translated = value, True
        if not translated:
            return None
    try:
        values = {k: (v.format(**groups) if isinstance(v, str) else v) for k, v in rule.fix.items()}
        return Fix.model_validate(values)
    except (KeyError, ValueError, ValidationError):
        return None


def diagnose(stage: str, reason: str, text: str, context: dict[str, set[str]] | None = None,
             *, rules: tuple[Rule, ...] | None = None) -> list[Proposal]:
    """Every proposal the rules make for a failure at ``stage`` with ``reason`` and log ``text``."""
    rules = load_rules() if rules is None else rules
    maps = load_maps()
    # names compare as packaging does (PyYAML, pyyaml; typed_ast, typed-ast)
    context = {"stdlib_modules": stdlib_modules(), **(context or {})}
    canonical_context = {name: {_canonical(x) for x in names} for name, names in context.items()}
    out: list[Proposal] = []
    for rule in rules:
        if rule.stage != stage or (rule.reasons and reason not in rule.reasons):
            continue
        for m in re.finditer(rule.pattern, text, re.M):
            fix = _fire(rule, m, canonical_context, maps)
            if fix is not None:
                out.append(Proposal(rule.name, rule.diagnosis, fix))
                break
    return out
