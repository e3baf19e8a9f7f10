"""The ``touchpoint-signals`` command.

``validate`` reads a source in any supported format and prints what it holds (touchpoints per
kind, status and account) and every record it rejected, so a data engineer can check an
export before wiring it into a pipeline. ``score`` computes every account's signals and
health score and prints the riskiest accounts first with band, score, coverage and reasons.

Exit status of ``validate``: 0 when every record was accepted, 1 when a lenient run rejected
records or found reply links it could not resolve, 2 for a usage error or, in strict mode, the
first bad record. ``score`` exits 0 when it scored, also in a lenient run that rejected
records (it logs a warning with their number; ``validate`` lists them), and 2 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from touchpoint_signals.config import catalog_from_toml
from touchpoint_signals.errors import TouchpointSignalsError
from touchpoint_signals.ingest.formats import FILE_FORMATS, adapter_names, make_adapter
from touchpoint_signals.ingest.loader import LoadResult, Mode, load, read_csv, read_jsonl
from touchpoint_signals.ingest.mapping import MappingFile
from touchpoint_signals.model import DEFAULT_CATALOG, Catalog
from touchpoint_signals.report import band_counts, scores_csv, scores_json, scores_table
from touchpoint_signals.scoring.base import Scorer, SignalSet
from touchpoint_signals.scoring.config import load_scorecard
from touchpoint_signals.scoring.scorecard import default_scorecard
from touchpoint_signals.signals.extract import default_extractors
from touchpoint_signals.timeparse import from_epoch_us, parse_instant

__all__ = ["main"]

logger = logging.getLogger(__name__)

_SUFFIX_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchpoint-signals",
        description="Customer-success touchpoints in, account health signals out.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log progress (-v) or detail (-vv)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate",
        help="read a source and report what it holds and every rejected record",
        description="Read SOURCE, then print counts per kind, status and account and every "
        "rejected record with its source, row, field and reason.",
    )
    validate.add_argument("source", help="a file or folder of touchpoints")
    validate.add_argument("--format", dest="format_name", metavar="NAME", help=_FORMAT_HELP)
    _input_options(validate)
    validate.add_argument(
        "--json", action="store_true", help="print the whole report as one JSON object"
    )
    validate.add_argument(
        "--top", type=_count, default=20, metavar="N", help="accounts to list (default 20)"
    )

    score = commands.add_parser(
        "score",
        help="score every account and list the riskiest first, with band and reasons",
        description="Read TOUCHPOINTS, compute the signals of every account as of --as-of, "
        "score them with the scorecard, and print the riskiest accounts first.",
    )
    score.add_argument("source", metavar="TOUCHPOINTS", help="a file or folder of touchpoints")
    score.add_argument("--input-format", dest="format_name", metavar="NAME", help=_FORMAT_HELP)
    _input_options(score)
    score.add_argument(
        "--as-of",
        metavar="DATE",
        help="the instant to score at (ISO 8601; a date means its start, UTC); default: "
        "the latest touchpoint",
    )
    score.add_argument(
        "--scorecard", metavar="FILE", help="TOML scorecard (default: the built-in one)"
    )
    score.add_argument(
        "--format",
        dest="output",
        choices=("table", "json", "csv"),
        default="table",
        help="table (riskiest first, top reasons), json or csv (everything)",
    )
    score.add_argument(
        "--top", type=_count, metavar="N", help="accounts to list in the table (default all)"
    )
    return parser


_FORMAT_HELP = (
    f"one of {', '.join(FILE_FORMATS)} or an adapter ({', '.join(adapter_names())}); "
    "default: from the file's extension"
)


def _input_options(parser: argparse.ArgumentParser) -> None:
    """The options every command that reads touchpoints shares."""
    parser.add_argument("--accounts", metavar="FILE", help="accounts file (csv or jsonl)")
    parser.add_argument(
        "--mapping", metavar="FILE", help="TOML file of column names, spellings and options"
    )
    parser.add_argument("--catalog", metavar="FILE", help="TOML file of extra kinds/segments")
    parser.add_argument(
        "--lenient", action="store_true", help="load good records and report every bad one"
    )
    parser.add_argument(
        "--delimiter", default=",", metavar="CHAR", help="CSV field separator (default ',')"
    )
    parser.add_argument(
        "--encoding", metavar="NAME", help="text encoding of csv or jsonl files (default UTF-8)"
    )


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count of 0 or more, got {value}")
    return value


def _format_of(source: Path, name: str | None) -> str:
    if not source.exists():
        raise TouchpointSignalsError(f"{source}: no such file or folder")
    if name:
        return name
    if source.is_file() and source.suffix.lower() in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[source.suffix.lower()]
    raise TouchpointSignalsError(
        f"cannot tell the format of {source}; pass --format with one of "
        f"{', '.join([*FILE_FORMATS, *adapter_names()])}"
    )


def _read(args: argparse.Namespace, catalog: Catalog) -> LoadResult:
    source = Path(args.source)
    mode: Mode = "lenient" if args.lenient else "strict"
    mapping = MappingFile.from_toml(args.mapping) if args.mapping else MappingFile()
    fmt = _format_of(source, args.format_name)
    accounts_file: Any = args.accounts

    if fmt == "csv":
        return read_csv(
            source,
            accounts=accounts_file,
            mode=mode,
            mapping=mapping,
            catalog=catalog,
            delimiter=args.delimiter,
            encoding=args.encoding or "utf-8-sig",
        )
    if fmt == "jsonl":
        return read_jsonl(
            source,
            accounts=accounts_file,
            mode=mode,
            mapping=mapping,
            catalog=catalog,
            encoding=args.encoding or "utf-8",
        )

    if accounts_file is not None:
        raise TouchpointSignalsError(
            f"--accounts applies to csv and jsonl sources; the {fmt} adapter derives its "
            "accounts (set their segment through the [adapter] table of --mapping)"
        )
    adapter = make_adapter(fmt, mapping.adapter)
    records = adapter.read(source)
    return load(
        records,
        mode=mode,
        touchpoint_mapping=mapping.touchpoints,
        account_mapping=mapping.accounts,
        catalog=catalog,
        default_tz=mapping.default_tz,
        source=os.fspath(source),
    )


def _jsonable(value: object) -> object:
    """The value itself when JSON can hold it, else its repr."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return repr(value)


def _summary(result: LoadResult) -> dict[str, Any]:
    counts = result.log.counts()
    reports = [r for r in (result.account_report, result.touchpoint_report) if r is not None]
    return {
        "touchpoints": {
            "read": result.touchpoint_report.read,
            "accepted": result.touchpoint_report.accepted,
            "rejected": len(result.touchpoint_report.rejected),
        },
        "accounts": {
            "in_log": result.log.n_accounts,
            "read": result.account_report.read if result.account_report else None,
            "rejected": len(result.account_report.rejected) if result.account_report else 0,
        },
        "reply_links": int((result.log.reply_to >= 0).sum()),
        "per_kind": {k: n for k, n in counts["kind"].items() if n},
        "per_status": {k: n for k, n in counts["status"].items() if n},
        "per_account": counts["account"],
        "rejections": [
            {
                "source": r.source,
                "row": r.row,
                "field": r.field,
                "value": _jsonable(r.value),
                "expected": r.expected,
                "reason": r.reason,
            }
            for report in reports
            for r in report.rejected
        ],
        "link_issues": [
            {
                "source": i.source,
                "row": i.row,
                "touchpoint_id": i.touchpoint_id,
                "in_reply_to": i.in_reply_to,
                "problem": i.problem,
            }
            for i in result.touchpoint_report.link_issues
        ],
    }


def _print_text(result: LoadResult, top: int, out: TextIO) -> None:
    summary = _summary(result)
    tp = summary["touchpoints"]
    out.write(f"touchpoints: {tp['read']} read, {tp['accepted']} accepted, ")
    out.write(f"{tp['rejected']} rejected\n")
    acc = summary["accounts"]
    out.write(
        f"accounts: {acc['in_log']} in the log ({acc['rejected']} account records rejected)\n"
    )
    out.write(f"reply links resolved: {summary['reply_links']}\n")

    for title, table in (
        ("per kind", summary["per_kind"]),
        ("per status", summary["per_status"]),
    ):
        out.write(f"\n{title}:\n")
        for name, count in sorted(table.items(), key=lambda kv: (-kv[1], kv[0])):
            out.write(f"  {name:<24} {count:>10}\n")

    per_account = sorted(summary["per_account"].items(), key=lambda kv: (-kv[1], kv[0]))
    shown = per_account[:top]
    out.write(
        f"\nper account ({len(shown)} of {len(per_account)} with the most touchpoints):\n"
    )
    for name, count in shown:
        out.write(f"  {name:<40} {count:>8}\n")

    reports = [r for r in (result.account_report, result.touchpoint_report) if r is not None]
    rejected = [r for report in reports for r in report.rejected]
    out.write(f"\nrejected records ({len(rejected)}):\n")
    for rejection in rejected:
        out.write(f"  {rejection.describe()}\n")

    issues = result.touchpoint_report.link_issues
    out.write(f"\nreply links not resolved ({len(issues)}):\n")
    for issue in issues:
        out.write(f"  {issue.describe()}\n")


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    catalog = catalog_from_toml(args.catalog) if args.catalog else DEFAULT_CATALOG
    result = _read(args, catalog)

    if args.json:
        json.dump(_summary(result), out, indent=2)
        out.write("\n")
    else:
        _print_text(result, args.top, out)

    problems = len(result.rejected) + len(result.touchpoint_report.link_issues)
    return 1 if problems else 0


def _as_of(text: str | None, result: LoadResult) -> dt.datetime:
    if text is not None:
        return parse_instant(text, default_tz=dt.UTC)
    if len(result.log) == 0:
        raise TouchpointSignalsError("no touchpoints were loaded, so there is nothing to score")
    return from_epoch_us(int(result.log.occurred_at.max()))


def _score(args: argparse.Namespace, out: TextIO) -> int:
    catalog = catalog_from_toml(args.catalog) if args.catalog else DEFAULT_CATALOG
    scorer: Scorer
    if args.scorecard is None:
        scorer, extractors = default_scorecard(), default_extractors()
    else:
        loaded = load_scorecard(args.scorecard)
        scorer, extractors = loaded.scorer, loaded.extractors
    result = _read(args, catalog)
    as_of = _as_of(args.as_of, result)

    rejected = len(result.rejected)
    if rejected:
        logger.warning("%d records were rejected; run validate to list them", rejected)
    signals = SignalSet.from_log(result.log, as_of, extractors)
    scores = scorer.score(signals)

    if args.output == "json":
        out.write(scores_json(scores))
    elif args.output == "csv":
        scores_csv(scores, out)
    else:
        out.write(f"{len(scores)} accounts scored as of {as_of.isoformat()} by {scorer.name}")
        out.write(f", riskiest first; {rejected} records rejected\n")
        out.write(f"bands: {band_counts(scores)}\n\n")
        out.write(scores_table(scores, top=args.top))
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")

    try:
        if args.command == "validate":
            return _validate(args, out)
        if args.command == "score":
            return _score(args, out)
    except TouchpointSignalsError as exc:
        sys.stderr.write(f"touchpoint-signals: error: {exc}\n")
        return 2
    except BrokenPipeError:
        # The reader of our output (``head``, say) went away: nothing left to tell it.
        sys.stderr.close()
        return 0
    except OSError as exc:
        sys.stderr.write(f"touchpoint-signals: error: {exc}\n")
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
