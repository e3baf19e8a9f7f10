"""The documentation site builds, strictly and offline, and holds the pages it should.

``mkdocs build --strict`` runs once for the module, in a subprocess whose sockets refuse to
connect: a theme, plugin or page that tried to fetch anything (fonts, scripts, another
project's inventory) would fail the build here, as would a broken link or anchor, a page left
out of the nav, or a docstring the API pages cannot render.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import touchpoint_signals

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Patches the socket layer, then runs the mkdocs command line with the arguments given.
OFFLINE_MKDOCS = """
import socket, sys

def refuse(*args, **kwargs):
    raise OSError(f"the docs build tried to reach the network: {args!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from mkdocs.__main__ import cli
sys.argv = ["mkdocs", *sys.argv[1:]]
cli()
"""

PACKAGES = ["touchpoint_signals", "touchpoint_signals.ingest", "touchpoint_signals.scoring",
            "touchpoint_signals.signals"]  # fmt: skip


def public_modules() -> list[str]:
    """Every module of the package a user may import: no part of its name starts with _."""
    names = ["touchpoint_signals"]
    for module in pkgutil.walk_packages(touchpoint_signals.__path__, "touchpoint_signals."):
        parts = module.name.split(".")[1:]
        if parts[0] == "data" or any(part.startswith("_") for part in parts):
            continue
        names.append(module.name)
    return names


def api_page(module: str) -> Path:
    """The page of ``module``: api/<path>.md, or api/<path>/index.md for a package."""
    parts = module.split(".")[1:]
    is_package = hasattr(importlib.import_module(module), "__path__")
    if is_package:
        return DOCS.joinpath("api", *parts, "index.md")
    return DOCS.joinpath("api", *parts[:-1], f"{parts[-1]}.md")


def built(site: Path, page: Path) -> str:
    """The HTML built from the Markdown file ``page`` (a path under docs/)."""
    relative = page.relative_to(DOCS).with_suffix("")
    if relative.name == "index":
        relative = relative.parent
    return (site / relative / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    argv = [sys.executable, "-c", OFFLINE_MKDOCS, "build", "--strict", "--site-dir", str(out)]

    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_every_public_module_has_an_api_page() -> None:
    pages = set((DOCS / "api").rglob("*.md"))

    expected = {api_page(module) for module in public_modules()}

    assert pages == expected
    for module in public_modules():
        text = "\n" + api_page(module).read_text(encoding="utf-8")
        assert f"\n::: {module}\n" in text, module


@pytest.mark.parametrize("package", PACKAGES)
def test_package_pages_list_every_exported_name(package: str) -> None:
    text = api_page(package).read_text(encoding="utf-8")
    exported = {name for name in importlib.import_module(package).__all__ if name[0] != "_"}

    listed = set(re.findall(r"^\| \[`(\w+)`\]\[", text, re.MULTILINE))

    assert listed == exported


def test_site_builds_with_every_page(site: Path) -> None:
    for page in DOCS.rglob("*.md"):
        assert built(site, page), page


def test_api_pages_render_the_docstrings(site: Path) -> None:
    scorecard = built(site, DOCS / "api" / "scoring" / "scorecard.md")
    log = built(site, DOCS / "api" / "log.md")
    top = built(site, DOCS / "api" / "index.md")

    assert 'id="touchpoint_signals.scoring.scorecard.Scorecard.score"' in scorecard
    assert "largest-remainder" in scorecard
    # attrs classes get the signature attrs generates, with the fields' defaults
    assert "min_coverage" in scorecard
    assert "0.5" in scorecard
    assert 'id="touchpoint_signals.log.TouchpointLog.as_of"' in log
    # Sphinx roles became links to the entries, not literal ":class:" text
    assert ":class:" not in scorecard
    assert ":func:" not in top
    assert 'href="scoring/scorecard/#touchpoint_signals.scoring.scorecard.Scorecard"' in top


def test_key_pages_say_what_they_are_for(site: Path) -> None:
    expectations = {
        "quickstart.md": "riskiest first",
        "concepts.md": "as_of",
        "logging.md": "NullHandler",
        "howto/own_data.md": "lenient",
        "howto/scorer.md": "check_scorer",
        "howto/extractor.md": "from_log_rows",
        "howto/scorecard.md": "load_scorecard",
        "performance.md": "SIMULATED",
        "validity/latency.md": "false alarms",
        "changelog.md": "Unreleased",
        "scoring/examples.md": "attendance-scorecard",
    }
    for page, text in expectations.items():
        assert text in built(site, DOCS / page), page


def test_built_pages_load_nothing_from_elsewhere(site: Path) -> None:
    remote = re.compile(
        r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["'](?:https?:)?//"""
        r"""|<link\b[^>]*\bhref=["'](?:https?:)?//"""
        r"""|@import\s+(?:url\()?["']?(?:https?:)?//"""
        r"""|url\(["']?(?:https?:)?//"""
    )
    for path in site.rglob("*"):
        if path.suffix in {".html", ".css"}:
            text = path.read_text(encoding="utf-8")
            assert not remote.search(text), path
            assert "fonts.googleapis" not in text, path
            assert "fonts.gstatic" not in text, path
