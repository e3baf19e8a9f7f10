"""Every public data set in ../shared/data, loaded through its adapter and through
``touchpoint-signals validate``.

The figures were checked by hand against the raw files: by the adapter tests
(tests/test_ingest_*.py, which count records and rejections straight from the files) and, for
what the loader adds on top (reply links it resolves, link issues), by reading the cases named
in the comments below. The data sets stay outside the repository; without them these tests
skip.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest

from touchpoint_signals.cli import main
from touchpoint_signals.ingest import load
from touchpoint_signals.ingest.formats import make_adapter

UVC_VENDORS = '["vendor0014 at list.example", "vendor0743 at list.example"]'
YAJHFC_VENDORS = '["vendor0001@list.example"]'


@attrs.frozen
class Expected:
    """What loading one set must give."""

    path: str
    fmt: str
    read: int
    accepted: int
    accounts: int
    reply_links: int
    rejections: dict[str, int]
    link_issues: dict[str, int] = attrs.field(factory=dict)
    per_kind: dict[str, int] = attrs.field(factory=dict)
    per_status: dict[str, int] = attrs.field(factory=dict)
    adapter: str = ""


EXPECTED = [
    Expected(
        "twcs_head5000/twcs_head5000.csv",
        "support_threads",
        read=5000,
        accepted=4981,
        accounts=1444,
        reply_links=3366,
        rejections={"brand broadcast with no customer in its thread": 19},
        per_kind={"outreach": 4981},
    ),
    Expected(
        "noshow_appointments/KaggleV2-May-2016.csv",
        "appointments",
        read=146_009,
        accepted=146_004,
        accounts=62_299,
        reply_links=0,
        rejections={"booked after the appointment day": 5},
        per_kind={"check_in": 110_522, "automated": 35_482},
        per_status={"completed": 88_208 + 35_482, "no_show": 22_314},
    ),
    Expected(
        # 15 replies are dated before the message they answer; for example the vendor's
        # reply in 2006-February.txt (Message-ID 6cbd9cb1..., Date 17:02:12 +0100) answers
        # p0099's message dated 19:10:12 +0100 the same day: clock skew, so no latency.
        # 35 replies answer vendor announcements, which the adapter rejects.
        "linux_uvc_devel_ml",
        "mbox",
        read=7160,
        accepted=7044,
        accounts=1203,
        reply_links=5083,
        rejections={
            "vendor message with no customer in its thread": 90,
            "placeholder": 19,
            "duplicate Message-ID": 7,
        },
        link_issues={
            "no touchpoint with that id was loaded": 35,
            "the touchpoint it answers occurred after the reply": 15,
        },
        adapter=f"[adapter]\nvendor_addresses = {UVC_VENDORS}\n",
    ),
    Expected(
        "yajhfc_user_ml",
        "mbox",
        read=467,
        accepted=424,
        accounts=50,
        reply_links=288,
        rejections={"vendor message with no customer in its thread": 42, "placeholder": 1},
        link_issues={"no touchpoint with that id was loaded": 10},
        adapter=f"[adapter]\nvendor_addresses = {YAJHFC_VENDORS}\n",
    ),
    Expected(
        "beer_se_2016",
        "qa_dump",
        read=3966,
        accepted=3791,
        accounts=306,
        reply_links=3203,
        rejections={
            "post is not a question or an answer": 117,
            "comment has no author, so its direction is unknown": 37,
            "comment's question was rejected": 14,
            "answer's question was rejected": 4,
            "question has no owner, so it has no account": 3,
        },
    ),
    Expected(
        "ravenstack",
        "ravenstack",
        read=4000,
        accepted=4000,
        accounts=500,
        reply_links=2000,
        rejections={},
        per_kind={"support": 4000},
    ),
    Expected(
        "maven_crm",
        "crm_pipeline",
        read=15_511,
        accepted=13_923,
        accounts=85,
        reply_links=0,
        rejections={"opportunity has no account": 1425, "opportunity has no engage_date": 163},
        per_kind={"outreach": 7212, "renewal": 4238 + 2473},
    ),
]

IDS = [f"{e.fmt}:{Path(e.path).parts[0]}" for e in EXPECTED]


def _validate_json(source: Path, expected: Expected, tmp_path: Path) -> dict[str, Any]:
    argv = ["validate", str(source), "--format", expected.fmt, "--lenient", "--json"]
    if expected.adapter:
        mapping = tmp_path / "mapping.toml"
        mapping.write_text(expected.adapter, encoding="utf-8")
        argv += ["--mapping", str(mapping)]

    out = io.StringIO()
    code = main(argv, out=out)

    assert code == (1 if expected.rejections or expected.link_issues else 0)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.realdata
@pytest.mark.parametrize("expected", EXPECTED, ids=IDS)
def test_validate_counts_on_real_data(
    shared_data: Path, tmp_path: Path, expected: Expected
) -> None:
    report = _validate_json(shared_data / expected.path, expected, tmp_path)

    rejected = expected.read - expected.accepted
    assert report["touchpoints"] == {
        "read": expected.read,
        "accepted": expected.accepted,
        "rejected": rejected,
    }
    assert report["accounts"]["in_log"] == expected.accounts
    assert report["reply_links"] == expected.reply_links
    assert Counter(r["reason"] for r in report["rejections"]) == expected.rejections
    assert Counter(i["problem"] for i in report["link_issues"]) == expected.link_issues
    assert sum(report["per_account"].values()) == expected.accepted
    if expected.per_kind:
        assert report["per_kind"] == expected.per_kind
    if expected.per_status:
        assert report["per_status"] == expected.per_status
    for rejection in report["rejections"]:
        assert rejection["source"].startswith(str(shared_data))
        assert rejection["row"] >= 1


@pytest.mark.realdata
@pytest.mark.parametrize(
    "expected", [e for e in EXPECTED if e.fmt != "appointments"], ids=lambda e: e.fmt
)
def test_adapter_load_matches_validate(shared_data: Path, expected: Expected) -> None:
    options: dict[str, Any] = {}
    if expected.adapter:
        vendors = UVC_VENDORS if "uvc" in expected.path else YAJHFC_VENDORS
        options["vendor_addresses"] = json.loads(vendors)
    adapter = make_adapter(expected.fmt, options)

    result = load(adapter.read(shared_data / expected.path), mode="lenient")

    report = result.touchpoint_report
    assert (report.read, report.accepted) == (expected.read, expected.accepted)
    assert len(report.rejected) == expected.read - expected.accepted
    assert result.log.n_accounts == expected.accounts
    assert int((result.log.reply_to >= 0).sum()) == expected.reply_links
    assert len(report.link_issues) == sum(expected.link_issues.values())
    latencies = result.log.reply_latency_seconds()
    assert (latencies[result.log.reply_to >= 0] >= 0).all()


@pytest.mark.realdata
def test_strict_mode_stops_at_the_first_rejection_of_real_data(shared_data: Path) -> None:
    adapter = make_adapter("qa_dump")

    with pytest.raises(ValueError, match=r"Posts\.xml, row \d+: field 'PostTypeId'"):
        load(adapter.read(shared_data / "beer_se_2016"))


@pytest.mark.realdata
def test_console_script_validates_a_real_archive(shared_data: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(f"[adapter]\nvendor_addresses = {YAJHFC_VENDORS}\n", encoding="utf-8")
    script = Path(sys.executable).parent / "touchpoint-signals"
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")

    result = subprocess.run(
        [
            str(script),
            "validate",
            str(shared_data / "yajhfc_user_ml"),
            "--format",
            "mbox",
            "--mapping",
            str(mapping),
            "--lenient",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "touchpoints: 467 read, 424 accepted, 43 rejected" in result.stdout
    assert "reply links resolved: 288" in result.stdout
    assert "rejected records (43):" in result.stdout
    assert "reply links not resolved (10):" in result.stdout
