"""A fix the agents found, written out as candidate diagnosis rules for a maintainer to review.

Input: the instance that validated, and each agent turn that led there (the attempt, the agent's advice,
the failing log text). Output: ``<folder>/<instance_id>.yaml``, a list of rules in the exact format of
``builders/rules/*.yaml`` (checked by the same model), one per proposed fix: the agent's signature as the
pattern when it matches the failing log (else the last error-looking line, escaped), its diagnosis, the
fix, and the matched excerpt as the rule's own ``example``. Nothing is added to ``builders/rules`` by
itself: a maintainer reads, generalises (a repository-specific name becomes a group, a lookup) and moves
it there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from openswe_data.records import BuildAttempt, Task

_ERRORISH = re.compile(r"error|not found|no module|cannot|failed|missing", re.I)


def _pattern(signature: str, text: str) -> str | None:
    try:
        if signature and re.search(signature, text, re.M):
            return signature
    except re.error:
        pass
    lines = [line.strip() for line in text.splitlines() if _ERRORISH.search(line) and len(line.strip()) > 8]
    return re.escape(lines[-1][:160]) if lines else None


def _example(pattern: str, text: str) -> str:
    m = re.search(pattern, text, re.M)
    if not m:
        return ""
    lines = text.splitlines()
    at = text[: m.start()].count("\n")
    return "\n".join(lines[max(0, at - 2): at + 3])


def candidate_rules(task: Task, found: list[tuple[BuildAttempt, Any, str]], *, model: Any = None) -> list[dict[str, Any]]:
    from openswe_data.repair.rules import Rule

    rules: list[dict[str, Any]] = []
    slug = re.sub(r"[^a-z0-9]+", "-", task.repo.lower()).strip("-")
    for attempt, advice, text in found:
        pattern = _pattern(advice.signature, text)
        if pattern is None:
            continue
        for fix in advice.fixes:
            value = fix.model_dump(exclude_none=True)
            rule = {"name": f"candidate-{slug}-{advice.diagnosis}-{fix.kind}".replace("_", "-"),
                    "stage": attempt.stage, "reasons": [attempt.reason], "pattern": pattern,
                    "diagnosis": advice.diagnosis, "fix": value, "example": _example(pattern, text), "expect": value}
            Rule.model_validate(rule)  # the rules loader's own model: a candidate is loadable as it is
            rules.append(rule)
    return rules


def write_candidates(folder: Path, task: Task, found: list[tuple[BuildAttempt, Any, str]], *,
                     model: Any = None) -> Path | None:
    rules = candidate_rules(task, found, model=model)
    if not rules:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{task.instance_id}.yaml"
    header = (f"# Candidate rules found by the agent tier on {task.instance_id} (model "
              f"{getattr(model, 'name', '?')}); review, generalise and move into builders/rules/ to adopt.\n")
    path.write_text(header + yaml.safe_dump(rules, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    return path
