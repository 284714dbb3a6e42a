"""The deployment files in deploy/: units systemd accepts, commands that exist, settings the portal reads."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from portal import create_app
from portal.config import defaults
from tests.conftest import ROOT, base_config

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def exec_lines(unit: Path) -> list[list[str]]:
    return [
        shlex.split(line.split("=", 1)[1])
        for line in unit.read_text().splitlines()
        if re.match(r"^Exec(Start|StartPre|Reload)=", line)
    ]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine")
def test_systemd_accepts_every_unit(tmp_path):
    """`systemd-analyze verify` on copies whose /opt/portal is this checkout (so the programs exist)."""
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/portal", str(ROOT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [line for line in done.stderr.splitlines() if any(u.name in line for u in UNITS)]
    assert not problems, done.stderr
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_every_flask_command_in_a_unit_exists(unit):
    app = create_app(base_config("sqlite://"))
    for argv in exec_lines(unit):
        if not argv[0].endswith("/flask"):
            continue
        command = argv[argv.index("wsgi") + 1 :]
        result = app.test_cli_runner().invoke(args=[*command, "--help"])
        assert result.exit_code == 0, (unit.name, command, result.output)


def test_every_timer_starts_a_service_that_exists():
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        assert (timer.with_suffix(".service")).exists(), timer.name


def test_the_example_environment_names_only_settings_the_portal_reads():
    known = set(defaults("/tmp/instance"))
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "portal.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    unknown = [name for name in names if name.removeprefix("PORTAL_") not in known]
    assert not unknown, unknown
    assert "PORTAL_BACKUP_AGE_RECIPIENTS" in names and "PORTAL_METRICS_TOKEN" in names
