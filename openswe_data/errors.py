"""One base error, one family per stage.

Every message says what happened, for which item, where to look and what to do next. Families also
subclass the matching builtin where one fits (``FileNotFoundError``, ``ValueError``), so existing
``except`` clauses keep working. Batch stages never raise these for a single bad item: they record the
item as rejected with a machine-readable ``reason`` and go on; these errors are for the caller's mistakes
and for a whole stage that cannot run.
"""

from __future__ import annotations


class OpensweError(Exception):
    """Base of every error this library raises on purpose.

    ``reason`` is a short machine-readable code (``snake_case``) for records and exit codes;
    ``hint`` says what to do next and is appended to the message.
    """

    reason: str = "error"
    exit_code: int = 1

    def __init__(self, message: str, *, reason: str | None = None, hint: str | None = None) -> None:
        self.message = message
        if reason is not None:
            self.reason = reason
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n  hint: {hint}")


# --- foundation -------------------------------------------------------------------------------------
class ConfigError(OpensweError, ValueError):
    """A setting, flag or configuration file is missing or wrong."""

    reason = "bad_config"
    exit_code = 2


class InputFileError(OpensweError, ValueError):
    """A file given to a command is empty or not in the format it should be (exit code 2, like a bad flag)."""

    reason = "bad_input"
    exit_code = 2


class InputFileNotFound(InputFileError, FileNotFoundError):
    """A file given to a command does not exist or cannot be read."""

    reason = "input_not_found"


class RecordError(OpensweError, ValueError):
    """A record has a missing field, a wrong type or a value that cannot be stored."""

    reason = "bad_record"

    def __init__(self, message: str, *, item: str | None = None, field: str | None = None, **kw) -> None:
        self.item = item
        self.field = field
        where = []
        if item is not None:
            where.append(f"item {item!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message, **kw)


class StoreError(OpensweError):
    """The workspace cannot be read or written as asked."""

    reason = "store_error"


class WorkspaceNotFound(StoreError, FileNotFoundError):
    """The workspace folder (or a stage's folder in it) does not exist."""

    reason = "workspace_not_found"


class RecipeError(OpensweError, ValueError):
    """A recipe file (template, policy, card, SQL report) is malformed or cannot be rendered."""

    reason = "bad_recipe"


class RecipeNotFound(RecipeError, FileNotFoundError):
    """A recipe file cannot be found on the search path."""

    reason = "recipe_not_found"


class EngineUnavailable(OpensweError, ConnectionError):
    """No Docker engine answers."""

    reason = "docker_unavailable"


# --- one family per stage ---------------------------------------------------------------------------
class CollectError(OpensweError):
    """Turning pull requests into tasks failed as a whole (a single bad PR is a reject, not this)."""

    reason = "collect_failed"


class GitHubError(CollectError):
    """The GitHub API answered with an error that retries cannot fix."""

    reason = "github_error"


class BuildError(OpensweError):
    """Building an environment failed as a whole (a single bad instance is recorded, not raised)."""

    reason = "build_failed"


class ValidateError(OpensweError):
    """Validation could not run."""

    reason = "validate_failed"


class CurateError(OpensweError):
    """Curation could not run: bad policy, missing attempts, ..."""

    reason = "curate_failed"


class SampleError(OpensweError):
    """Sampling agent attempts could not run: bad script, unknown instance, ... (one failed attempt is recorded)."""

    reason = "sample_failed"


class AgentError(OpensweError):
    """The LLM layer could not run: bad model config, exhausted script, a budget refused, ... (one failed
    call is recorded in the ledger, not raised through a batch)."""

    reason = "agent_failed"


class TrajectoryError(OpensweError):
    """Making agent-native trajectories could not run (one bad PR or replay is a reject, not this)."""

    reason = "trajectories_failed"


class AnalyzeError(OpensweError):
    """A report or query failed."""

    reason = "analyze_failed"


class PublishError(OpensweError):
    """A release was refused or an upload failed; nothing was tagged."""

    reason = "publish_failed"


class ExecuteError(OpensweError):
    """The worker pool or cluster could not run the jobs."""

    reason = "execute_failed"


class ClusterUnavailable(ExecuteError, ConnectionError):
    """The Ray cluster cannot be reached, or has no node able to run the work."""

    reason = "cluster_unavailable"


class ImageTransferFailed(ExecuteError, ConnectionError):
    """An image could not travel between nodes through the registry (push, or pull by digest)."""

    reason = "image_transfer_failed"


def summarize_problems(problems: list[str], *, first: int = 10) -> str:
    """The first ``first`` problems, one a line, then '... and N more'."""
    shown = [f"  - {p}" for p in problems[:first]]
    if len(problems) > first:
        shown.append(f"  ... and {len(problems) - first} more")
    return "\n".join(shown)
