"""Shared fixtures: where the public data sets live, and skipping cleanly when they do not."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The public data sets are read in place from ``../shared/data`` (relative to the repository
#: root); their licences keep most of them out of the repository.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of public data sets, or a skip that says where it was looked for."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"public data sets not found at {SHARED_DATA}: they are read in place, not "
            "shipped (README.md, section Data)"
        )
    return SHARED_DATA
