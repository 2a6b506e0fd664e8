"""Engines and other pure modules import without Django: the boundary stays honest."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import siaga.engines

ROOT = Path(__file__).resolve().parents[1]
# Pure modules outside siaga/engines that must stay free of Django too.
PURE_MODULES = ["siaga.demo.generator", "siaga.wilayah.names"]


def _engine_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(siaga.engines.__path__, prefix="siaga.engines.")
        if ".tests" not in info.name
    ]


def test_every_engine_and_pure_module_imports_without_django():
    modules = ["siaga.engines", *_engine_modules(), *PURE_MODULES]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not leaked, leaked\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
