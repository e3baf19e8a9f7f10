"""The example notebook in docs/ runs from top to bottom in a kernel of this Python, and its
cells show what the text around them says they show."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "portfolio.ipynb"
KERNEL = "touchpoint-signals-tests"


def _read() -> Any:
    import nbformat

    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The notebook executed, its code cells by tag.

    It reads the RavenStack copy shipped in ``examples/data/ravenstack``, so it runs in a
    clone of the repository alone, without the public data sets beside it.

    The kernel is declared in a folder of this test's own, with this interpreter in its
    command line, so the notebook runs in the environment under test whatever kernels the
    machine has installed.
    """
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"}),
        encoding="utf-8",
    )

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(jupyter))
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
        patch.setenv("MPLBACKEND", "Agg")
        from nbclient import NotebookClient

        notebook = _read()
        client = NotebookClient(
            notebook,
            timeout=120,
            kernel_name=KERNEL,
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        client.execute()

    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    tagged = {tag: cell for cell in cells for tag in cell.metadata.get("tags", [])}
    return {"cells": cells, **tagged}


def _text(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _html(cell: Any) -> str:
    return "".join(
        o["data"].get("text/html", "")
        for o in cell.outputs
        if o.output_type == "execute_result"
    )


def test_the_notebook_reads_the_shipped_data_not_the_shared_folder() -> None:
    sources = "".join(cell.source for cell in _read().cells)

    assert 'shipped_data("ravenstack")' in sources
    assert "shared" not in sources
    assert (
        ROOT / "examples" / "data" / "ravenstack" / "ravenstack_support_tickets.csv"
    ).is_file()


def test_the_committed_notebook_holds_no_outputs() -> None:
    cells = [cell for cell in _read().cells if cell.cell_type == "code"]

    assert cells
    assert all(cell.outputs == [] and cell.execution_count is None for cell in cells)


def test_every_cell_runs_without_an_error(executed: dict[str, Any]) -> None:
    errors = [o for cell in executed["cells"] for o in cell.outputs if o.output_type == "error"]

    assert errors == []
    assert all(cell.execution_count is not None for cell in executed["cells"])


def test_ravenstack_loads_from_dataframes_and_reads_as_insufficient_data(
    executed: dict[str, Any],
) -> None:
    assert _text(executed["ravenstack-load"]) == (
        "RavenStack: 2,000 tickets of 500 accounts, 0 rejected\n"
    )
    html = _html(executed["ravenstack-scores"])
    assert "<b>500 accounts</b>, riskiest first" in html
    assert ">insufficient_data</span> 500" in html
    assert "... 480 more accounts not shown" in html


def test_the_simulated_portfolio_shows_scores_a_card_a_frame_and_a_plot(
    executed: dict[str, Any],
) -> None:
    assert _text(executed["simulated-scores"]) == (
        "SIMULATED: 19,862 touchpoints of 120 accounts\n"
    )
    portfolio = _html(executed["simulated-scores"])
    assert "<b>120 accounts</b>, riskiest first" in portfolio
    assert ">yellow</span> 5" in portfolio

    card = _html(executed["simulated-card"])
    assert 'class="touchpoint-signals-health-score"' in card
    assert "acct107" in card
    assert "acct107" in portfolio.split("<tbody>")[1].split("</tr>")[0]  # the riskiest row

    frame = _html(executed["simulated-frame"])
    assert "attendance.points" in frame
    assert "acct107" in frame
    bands = _html(executed["simulated-bands"])
    assert bands.index("yellow") < bands.index("insufficient_data") < bands.index("green")

    (image,) = [
        o for o in executed["simulated-plot"].outputs if "image/png" in o.get("data", {})
    ]
    assert base64.b64decode(image["data"]["image/png"]).startswith(b"\x89PNG")
