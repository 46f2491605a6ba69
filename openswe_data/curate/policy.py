"""Curation policy files (``curation/*.yaml``) -> a checked :class:`Policy`.

A policy is a named, versioned recipe: how many attempts make a pass rate, which interval, the difficulty
bands (thresholds on the pass rate), which bands to keep, and what to do with trajectories (which to take,
how to clean, de-duplicate and cap them). Files are found through ``recipes.find("curation", ...)``, so a
maintainer's copy in ``$OPENSWE_RECIPES`` or ``--recipes`` wins over the shipped one.

Every key is checked on load; a wrong one raises :class:`PolicyError` naming the file and the key
(``curation/x.yaml: bands[1].max_rate: expected a number from 0 to 1, got 'half'``). Unknown keys are
refused too, so a typo never silently falls back to a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openswe_data.errors import CurateError, RecipeError

CAP_ORDERS = ("shortest", "first", "seeded")
TRAJECTORY_SOURCES = ("resolved", "all", "none")
FORMAT_ERROR_MODES = ("mask", "remove", "keep")
DEDUPE_KEYS = ("patch", "messages")


class PolicyError(RecipeError, CurateError):
    """A curation policy or rules file is malformed; the message names the file and the key."""

    reason = "bad_policy"
    exit_code = 2


@dataclass(frozen=True)
class Band:
    name: str
    max_rate: float
    """Upper bound (inclusive) on the pass rate; bands are tried in order, first match wins."""


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    description: str = ""
    n: int | None = None
    """Count the first ``n`` graded attempts per instance (by attempt index); None counts all."""
    min_attempts: int = 1
    """Instances with fewer graded attempts are dropped (``too_few_attempts``)."""
    interval: str = "wilson"
    confidence: float = 0.95
    bands: tuple[Band, ...] = ()
    keep: tuple[str, ...] = ()
    trajectories_from: str = "resolved"
    cap_per_instance: int | None = None
    cap_order: str = "shortest"
    seed: int = 0
    dedupe: tuple[str, ...] = DEDUPE_KEYS
    format_errors: str = "mask"
    max_masked_fraction: float = 0.5
    rules: str = "rules/default.yaml"
    source: str = ""
    rule_set: Any = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """``name@version``: what curated records and trajectories record as their policy."""
        return f"{self.name}@{self.version}"

    def band_of(self, rate: float) -> str:
        for band in self.bands:
            if rate <= band.max_rate + 1e-12:
                return band.name
        return self.bands[-1].name


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> PolicyError:
        return PolicyError(f"{self.source}: {key}: {message}", hint="see curation/README.md for every key")

    def mapping(self, value: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0],
                            f"unknown key; allowed: {', '.join(sorted(allowed))}")
        return value

    def integer(self, value: Any, key: str, *, minimum: int = 0, optional: bool = False) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"expected an integer >= {minimum}{' or null' if optional else ''}, got {value!r}")
        return value

    def fraction(self, value: Any, key: str, *, open_ends: bool = False) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (0 < value < 1 if open_ends else 0 <= value <= 1):
            span = "strictly between 0 and 1" if open_ends else "from 0 to 1"
            raise self.fail(key, f"expected a number {span}, got {value!r}")
        return float(value)

    def choice(self, value: Any, key: str, options: tuple[str, ...]) -> str:
        if value not in options:
            raise self.fail(key, f"expected one of {', '.join(options)}, got {value!r}")
        return value

    def text(self, value: Any, key: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or str(value) == "":
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return str(value)


def _bands(c: _Checker, raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise c.fail("bands", "expected a non-empty list of {name, max_rate}")
    bands: list[Band] = []
    for i, item in enumerate(raw):
        item = c.mapping(item, f"bands[{i}]", {"name", "max_rate"})
        name = c.text(item.get("name"), f"bands[{i}].name")
        rate = c.fraction(item.get("max_rate"), f"bands[{i}].max_rate")
        if bands and rate <= bands[-1].max_rate:
            raise c.fail(f"bands[{i}].max_rate", f"must be above the previous band's ({bands[-1].max_rate})")
        if any(b.name == name for b in bands):
            raise c.fail(f"bands[{i}].name", f"band {name!r} is defined twice")
        bands.append(Band(name, rate))
    if bands[-1].max_rate < 1.0:
        raise c.fail(f"bands[{len(bands) - 1}].max_rate", "the last band must reach 1.0 so every rate has a band")
    return tuple(bands)


def parse_policy(data: Any, source: str) -> Policy:
    """A checked :class:`Policy` from parsed YAML ``data``; ``source`` names the file in errors."""
    c = _Checker(source)
    top = c.mapping(data, "", {"name", "version", "description", "rules", "attempts", "interval", "bands",
                              "keep", "trajectories"})
    if not top:
        raise c.fail("name", "the policy is empty")
    name = c.text(top.get("name"), "name")
    version = c.text(top.get("version"), "version")
    attempts = c.mapping(top.get("attempts"), "attempts", {"n", "min"})
    n = c.integer(attempts.get("n"), "attempts.n", minimum=1, optional=True)
    min_attempts = c.integer(attempts.get("min", n or 1), "attempts.min", minimum=1)
    if n is not None and min_attempts > n:
        raise c.fail("attempts.min", f"is {min_attempts}, above attempts.n ({n}); no instance could qualify")
    interval = c.mapping(top.get("interval"), "interval", {"method", "confidence"})
    bands = _bands(c, top.get("bands"))
    keep_raw = top.get("keep")
    if not isinstance(keep_raw, list) or not all(isinstance(k, str) for k in keep_raw):
        raise c.fail("keep", f"expected a list of band names, got {keep_raw!r}")
    for i, k in enumerate(keep_raw):
        if k not in {b.name for b in bands}:
            raise c.fail(f"keep[{i}]", f"{k!r} is not a band; bands: {', '.join(b.name for b in bands)}")
    traj = c.mapping(top.get("trajectories"), "trajectories", {
        "from", "cap_per_instance", "cap_order", "seed", "dedupe", "format_errors", "max_masked_fraction"})
    dedupe = traj.get("dedupe", list(DEDUPE_KEYS))
    if not isinstance(dedupe, list) or any(d not in DEDUPE_KEYS for d in dedupe):
        raise c.fail("trajectories.dedupe", f"expected a list from {', '.join(DEDUPE_KEYS)}, got {dedupe!r}")
    return Policy(
        name=name,
        version=version,
        description=str(top.get("description") or ""),
        n=n,
        min_attempts=min_attempts,  # type: ignore[arg-type]
        interval=c.choice(interval.get("method", "wilson"), "interval.method", ("wilson", "jeffreys")),
        confidence=c.fraction(interval.get("confidence", 0.95), "interval.confidence", open_ends=True),
        bands=bands,
        keep=tuple(keep_raw),
        trajectories_from=c.choice(traj.get("from", "resolved"), "trajectories.from", TRAJECTORY_SOURCES),
        cap_per_instance=c.integer(traj.get("cap_per_instance"), "trajectories.cap_per_instance", minimum=1,
                                   optional=True),
        cap_order=c.choice(traj.get("cap_order", "shortest"), "trajectories.cap_order", CAP_ORDERS),
        seed=c.integer(traj.get("seed", 0), "trajectories.seed"),  # type: ignore[arg-type]
        dedupe=tuple(dedupe),
        format_errors=c.choice(traj.get("format_errors", "mask"), "trajectories.format_errors",
                               FORMAT_ERROR_MODES),
        max_masked_fraction=c.fraction(traj.get("max_masked_fraction", 0.5), "trajectories.max_masked_fraction"),
        rules=c.text(top.get("rules", "rules/default.yaml"), "rules"),
        source=source,
    )


def _yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_bytes().decode("utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
                          hint="save the policy as UTF-8") from None
    except RecursionError:
        raise PolicyError(f"{path}: nested too deeply to read") from None


def find_policy_file(name: str, *, explicit: str | Path | None = None) -> Path:
    """A policy file: an existing path as given, else ``curation/<name>`` or ``curation/<name>.yaml``."""
    from openswe_data import recipes
    from openswe_data.errors import RecipeNotFound

    if Path(name).suffix in (".yaml", ".yml") and Path(name).is_file():
        return Path(name)
    for candidate in (name, f"{name}.yaml"):
        try:
            return recipes.find("curation", candidate, explicit=explicit)
        except RecipeNotFound:
            continue
    return recipes.find("curation", f"{name}.yaml", explicit=explicit)  # raises with the places it looked


def load_policy(name: str | Path, *, explicit: str | Path | None = None) -> Policy:
    """Load and check a policy (by name, e.g. ``openswe-band``, or by path) and its rules file."""
    from openswe_data.curate.rules import load_rules

    path = find_policy_file(str(name), explicit=explicit)
    policy = parse_policy(_yaml(path), str(path))
    rules_path = path.parent / policy.rules
    if not rules_path.is_file():
        from openswe_data import recipes

        try:
            rules_path = recipes.find("curation", policy.rules, explicit=explicit)
        except RecipeError:
            raise PolicyError(f"{path}: rules: no rules file {policy.rules!r} next to the policy or in curation/")
    return Policy(**{**policy.__dict__, "rule_set": load_rules(rules_path)})
