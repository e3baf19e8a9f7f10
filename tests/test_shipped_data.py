"""The RavenStack export shipped in ``examples/data/ravenstack`` is the published one, credited.

Only RavenStack may be copied into the repository (its MIT-like licence asks for the credit
"River @ Rivalytics"); the copy must stay byte for byte what the data set's authors published,
so that every figure the docs quote of ``../shared/data/ravenstack`` holds for it too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "examples" / "data" / "ravenstack"

# The sha256 of each shipped file, as listed in its README (and, for the CSVs, in
# ../shared/data/ravenstack/SOURCE.md).
HASHES = {
    "ravenstack_support_tickets.csv": (
        "ba0006951479771ee9f93c98789c96bc5fec892cf11f867afb28194f0b76d220"
    ),
    "ravenstack_accounts.csv": (
        "348d8ba906b7776894b5236b2e7aa91a503d41670dbc9aad30c37b503c9abef5"
    ),
    "ravenstack_churn_events.csv": (
        "6391c41d8291b7b4845ec9a84d3837c2ed230a33a32a854ec33d4e66dc150940"
    ),
    "dataset_README.md": "ce1293cf6e484eda1c86b8f95bf9d3760ccb633f39327271a1925fe4eafbc0d0",
}
CREDIT = "River @ Rivalytics"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_folder_holds_the_read_tables_the_licence_and_a_notice() -> None:
    assert sorted(p.name for p in SHIPPED.iterdir()) == sorted([*HASHES, "README.md"])


@pytest.mark.parametrize("name", sorted(HASHES))
def test_each_shipped_file_has_its_published_hash(name: str) -> None:
    assert _sha256(SHIPPED / name) == HASHES[name]


def test_the_files_keep_their_crlf_line_endings() -> None:
    # A checkout that converted line endings would break the hashes; say why, plainly.
    tickets = (SHIPPED / "ravenstack_support_tickets.csv").read_bytes()

    assert tickets.count(b"\r\n") == 2001
    assert tickets.count(b"\n") == 2001


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(HASHES))
def test_each_shipped_file_is_identical_to_the_shared_copy(
    shared_data: Path, name: str
) -> None:
    source = shared_data / "ravenstack" / name

    assert source.read_bytes() == (SHIPPED / name).read_bytes()


def test_the_credit_and_the_licence_travel_with_the_data() -> None:
    notice = (SHIPPED / "README.md").read_text(encoding="utf-8")
    licence = (SHIPPED / "dataset_README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert CREDIT in notice
    assert "you must credit the dataset author: River @ Rivalytics" in notice
    assert "MIT-like" in licence
    assert CREDIT in licence
    assert CREDIT in readme
    assert "synthetic" in notice
    assert "random" in notice
