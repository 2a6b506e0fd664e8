"""The docs stay true: every setting and command that exists is documented."""

import os
import re
import subprocess
import sys
from pathlib import Path

from siaga.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text()


def _names_read_by(paths) -> set[str]:
    found = set()
    for path in paths:
        found |= set(re.findall(r"\bSIAGA_[A-Z_]+\b", path.read_text()))
    return found


def test_every_setting_read_by_the_code_is_documented():
    sources = [*ROOT.joinpath("config").glob("*.py"), *ROOT.joinpath("siaga").rglob("*.py")]
    tooling = [ROOT / "Makefile", ROOT / ".ci" / "run", *ROOT.joinpath("scripts").iterdir()]
    names = _names_read_by(sources) | _names_read_by(tooling)
    missing = sorted(n for n in names if f"`{n}`" not in SETTINGS_DOC)
    assert not missing, f"undocumented settings in docs/settings.md: {missing}"


def test_every_documented_setting_still_exists():
    sources = [*ROOT.joinpath("config").glob("*.py"), *ROOT.joinpath("siaga").rglob("*.py")]
    tooling = [ROOT / "Makefile", ROOT / ".ci" / "run", *ROOT.joinpath("scripts").iterdir()]
    used = _names_read_by(sources) | _names_read_by(tooling)
    documented = set(re.findall(r"`(SIAGA_[A-Z_]+)`", SETTINGS_DOC))
    assert not documented - used, f"documented but unused: {sorted(documented - used)}"


def test_every_system_check_id_is_documented():
    ids = set(re.findall(r'id="(siaga\.[EW]\d{3})"', (ROOT / "siaga/core/checks.py").read_text()))
    assert ids and all(f"`{i}`" in SETTINGS_DOC for i in ids)


def test_every_siaga_command_is_documented_in_operations():
    operations = (ROOT / "docs" / "operations.md").read_text()
    missing = [c for c in COMMANDS if f"siaga {c}" not in operations]
    assert not missing, f"commands missing from docs/operations.md: {missing}"


def test_the_readme_gives_exactly_the_two_setup_commands_and_ci_runs_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_glossary_term_used_in_code_is_defined():
    glossary = (ROOT / "docs" / "glossary.md").read_text().lower()
    for term in (
        "tps",
        "dpt",
        "kecamatan",
        "desa",
        "kelurahan",
        "kpps",
        "ppk",
        "pps",
        "nik",
        "tp3d",
        "rawan",
        "wilayah",
        "h-1",
    ):
        assert f"**{term}**" in glossary, term


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "SIAGA_ENV": "production",
        "SIAGA_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-variety-0123456789",
        "SIAGA_ALLOWED_HOSTS": "siaga.example.go.id",
        "SIAGA_DATABASE_URL": "postgres://siaga:secret@db.internal:5432/siaga",
        "SIAGA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
