"""The CLI is a thin layer: every command has help and is documented; errors become clear exit codes."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from openswe_data.cli import make_app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _commands(app: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for cmd in app.registered_commands:
        name = cmd.name or cmd.callback.__name__.replace("_", "-")
        found.append((*prefix, name))
    for group in app.registered_groups:
        found.extend(_commands(group.typer_instance, (*prefix, group.name)))
    return found


def test_every_command_has_help_and_is_named_in_the_readme():
    app = make_app()
    readme = (ROOT / "README.md").read_text()
    commands = _commands(app)
    assert len(commands) >= 8
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output
        assert f"openswe {' '.join(path)}" in readme, f"`openswe {' '.join(path)}` is not in README.md"


def _click_commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _click_commands(sub, (*path, name))


def test_no_option_help_loses_words_to_rich_markup():
    # rich renders help text as markup: "[default: x]" in a help string would vanish from --help
    from rich.markup import render

    lost = []
    for path, command in _click_commands(typer.main.get_command(make_app())):
        for texts in ([command.help or ""], [getattr(p, "help", None) or "" for p in command.params]):
            lost += [(path, t) for t in texts if render(t).plain.replace("\\", "") != t.replace("\\", "")]
    assert not lost, lost[:5]


def test_doctor_reports_each_check_with_a_fix_for_problems(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    from openswe_data import engine

    engine.client.cache_clear()
    try:
        result = runner.invoke(make_app(), ["doctor", "--workspace", str(tmp_path)])
    finally:
        engine.client.cache_clear()
    assert result.exit_code == 1
    assert "[FAIL] docker" in result.output
    assert "scripts/docker-up.sh" in result.output
    assert "disk:" in result.output and "hub:" in result.output


def test_a_library_error_becomes_a_message_and_exit_code_not_a_traceback():
    import openswe_data.cli._common as common
    from openswe_data.errors import ConfigError

    @common.handle_errors
    def boom() -> None:
        raise ConfigError("bad --policy value 'x'", hint="see `openswe recipes curation`")

    app = typer.Typer()
    app.command()(boom)
    result = runner.invoke(app, [])
    assert result.exit_code == 2
    assert "error [bad_config]: bad --policy value 'x'" in result.output
    assert "Traceback" not in result.output
