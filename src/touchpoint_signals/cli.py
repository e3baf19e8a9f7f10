"""The ``touchpoint-signals`` command.

``validate`` reads a source in any supported format and prints what it holds (touchpoints per
kind, status and account) and every record it rejected, so a data engineer can check an
export before wiring it into a pipeline. ``score`` computes every account's signals and
health score and prints the riskiest accounts first with band, score, coverage and reasons.

Exit status, the same for both: 0 when every record was accepted; 1 when a lenient run
rejected records or found reply links it could not resolve (``validate`` still prints its
report, ``score`` its scores, and logs a warning with the first rejections), or when
``validate`` found no records at all; 2 for a usage error, an unreadable or unusable file (a
required column missing, no header, nothing to score) or, in strict mode, the first bad
record (:data:`EXIT_STATUS`, in ``--help`` too).

Long runs. Both commands tell their user on stderr how a run goes: a line per stage
(reading touchpoints, with the rows read so far; reading accounts; building the log;
extracting each signal; scoring) while it works, when stderr is a terminal or
``--progress`` is given, and ``score`` a summary when it is done (touchpoints read, accepted
and rejected, accounts, bands, the time of each stage). ``--quiet`` silences both, and the
library's warnings with them. The library itself never writes anything: it logs through one
logger per module under ``touchpoint_signals``, and the command installs a handler on that
logger for as long as it runs (``-v`` for INFO, ``-vv`` for DEBUG).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

import attrs

from touchpoint_signals.config import catalog_from_toml
from touchpoint_signals.errors import (
    ConfigError,
    NaiveDatetimeError,
    TouchpointSignalsError,
    UnknownNameError,
)
from touchpoint_signals.ingest.formats import FILE_FORMATS, adapter_names, make_adapter
from touchpoint_signals.ingest.loader import (
    CHUNK_ROWS,
    LoadResult,
    Mode,
    account_records,
    load,
    load_accounts,
    load_csv_blocks,
    load_touchpoints,
)
from touchpoint_signals.ingest.mapping import MappingFile
from touchpoint_signals.ingest.readers import CsvBlock, csv_blocks, jsonl_records
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.model import DEFAULT_CATALOG, Account, Catalog
from touchpoint_signals.report import (
    band_counts,
    quantity,
    scores_csv,
    scores_json,
    scores_table,
)
from touchpoint_signals.scoring.base import Scorer, Scores, SignalSet
from touchpoint_signals.scoring.config import load_scorecard
from touchpoint_signals.scoring.scorecard import default_scorecard
from touchpoint_signals.signals.base import Extractor, SignalFrame
from touchpoint_signals.signals.extract import default_extractors, extract_signals
from touchpoint_signals.timeparse import from_epoch_us, parse_instant, parse_timezone

__all__ = ["main"]

logger = logging.getLogger(__name__)

_SUFFIX_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: The formats that read one file; the adapters read a file or a folder as their data sets
#: come.
_FILE_FORMATS = frozenset(_SUFFIX_FORMATS.values())


#: The exit status of both commands, in their --help (and in docs/ingestion.md).
EXIT_STATUS = (
    "exit status: 0 when every record was accepted; 1 when a lenient run rejected records "
    "or left reply links unresolved (the report or the scores are still written), or "
    "validate found no records; 2 for a usage error, an unreadable or unusable file (a "
    "missing column, no header, no records to score), or in strict mode the first bad record"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchpoint-signals",
        description="Customer-success touchpoints in, account health signals out.",
        epilog=EXIT_STATUS,
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
        epilog=EXIT_STATUS,
    )
    validate.add_argument("source", help="a file or folder of touchpoints")
    # ``--input-format`` too, the name ``score`` uses (its ``--format`` is the output's).
    validate.add_argument(
        "--format", "--input-format", dest="format_name", metavar="NAME", help=_FORMAT_HELP
    )
    _input_options(validate)
    validate.add_argument(
        "--json", action="store_true", help="print the whole report as one JSON object"
    )
    validate.add_argument(
        "--top", type=_count, default=20, metavar="N", help="accounts to list (default 20)"
    )
    _run_options(validate)

    score = commands.add_parser(
        "score",
        help="score every account and list the riskiest first, with band and reasons",
        description="Read TOUCHPOINTS, compute the signals of every account as of --as-of, "
        "score them with the scorecard, and print the riskiest accounts first.",
        epilog=EXIT_STATUS,
    )
    score.add_argument("source", metavar="TOUCHPOINTS", help="a file or folder of touchpoints")
    score.add_argument("--input-format", dest="format_name", metavar="NAME", help=_FORMAT_HELP)
    _input_options(score)
    score.add_argument(
        "--as-of",
        metavar="DATE",
        help="the instant to score at, ISO 8601 with an offset (2026-06-01T09:00+02:00, or Z "
        "for UTC); a date alone means its start in --default-tz, else in UTC; a time without "
        "an offset needs --default-tz; default: the latest touchpoint",
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
    score.add_argument(
        "--width",
        type=_count,
        metavar="N",
        help="wrap the table's reasons to N columns, 0 for one line each (default: the "
        "terminal's width, or 0 when the output is not a terminal)",
    )
    _run_options(score)
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
    parser.add_argument(
        "--default-tz",
        dest="default_tz_name",
        type=_zone_name,
        metavar="ZONE",
        help="the zone naive times were written in, an IANA name such as Europe/Berlin "
        "(default: default_tz of --mapping; without either, naive times are rejected)",
    )


def _run_options(parser: argparse.ArgumentParser) -> None:
    """How a command reports on itself while it runs (on stderr)."""
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show a line per stage and the rows read, also when stderr is not a terminal",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress, no summary and no warnings on stderr; errors only",
    )


def _zone_name(text: str) -> str:
    """``text`` if the zone database knows it (checked when the options are read)."""
    try:
        parse_timezone(text)
    except UnknownNameError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count of 0 or more, got {value}")
    return value


def _format_flag(args: argparse.Namespace) -> str:
    """The option that names the input format: ``--input-format`` on ``score`` (whose
    ``--format`` is the output's), ``--format`` on ``validate`` (which takes both)."""
    return "--input-format" if args.command == "score" else "--format"


def _known_formats() -> list[str]:
    return [*FILE_FORMATS, *adapter_names()]


def _check_format_name(args: argparse.Namespace) -> None:
    """Refuse an input format nobody knows, before any file is looked at."""
    name = args.format_name
    if name and name not in _known_formats():
        raise TouchpointSignalsError(
            f"unknown format {name!r} given to {_format_flag(args)}: expected one of "
            f"{', '.join(_known_formats())}"
        )


#: The options that name a file to read, and how an error calls each.
_PATH_OPTIONS = (
    ("accounts", "--accounts"),
    ("mapping", "--mapping"),
    ("catalog", "--catalog"),
    ("scorecard", "--scorecard"),
)


def _check_paths(args: argparse.Namespace) -> None:
    """Name the first file the command was given that does not exist, and the option."""
    _existing(args.source, "the touchpoints source")
    for option, flag in _PATH_OPTIONS:
        path = getattr(args, option, None)
        if path is not None:
            _existing(path, f"given to {flag}")


def _existing(path: str, what: str) -> Path:
    """``path`` as a :class:`Path`, or an error naming it and what it was given as."""
    found = Path(path)
    if not found.exists():
        raise TouchpointSignalsError(f"{path}: no such file or folder ({what}); check the path")
    return found


def _format_of(args: argparse.Namespace) -> str:
    """The input format: the one named by the format option, else the file's extension."""
    source = _existing(args.source, "the touchpoints source")
    if args.format_name in _FILE_FORMATS and source.is_dir():
        adapters = [name for name in _known_formats() if name not in _FILE_FORMATS]
        raise TouchpointSignalsError(
            f"{source} is a folder, and format {args.format_name!r} reads one file: pass the "
            f"file itself, or name a format that reads a folder ({', '.join(adapters)}) "
            f"with {_format_flag(args)}"
        )
    if args.format_name:
        return str(args.format_name)
    suffix = source.suffix.lower()
    if source.is_file() and suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    if source.is_dir():
        what = "a folder"
    elif suffix:
        what = f"extension {source.suffix!r}"
    else:
        what = "no extension"
    raise TouchpointSignalsError(
        f"cannot tell the format of {source} ({what}); pass {_format_flag(args)} with "
        f"one of {', '.join(_known_formats())}"
    )


_Item = TypeVar("_Item")

#: Least time between two updates of a row count, in seconds: often enough to show that a
#: long read is moving, rarely enough not to flood a log file with lines.
PROGRESS_INTERVAL = 1.0


@attrs.define
class _Run:
    """What a command tells its user on stderr while it works, and the time of each stage.

    Stages follow one another: :meth:`begin` ends the current stage (its time is kept for
    the summary) and starts the next. With ``show`` every stage gets a line when it starts
    and the row counts of :meth:`counted` an update at most every :data:`PROGRESS_INTERVAL`
    seconds; on a terminal (``tty``) an update rewrites its line instead of adding one.
    Stage times are kept whether or not anything is shown.
    """

    err: TextIO
    show: bool
    tty: bool
    started: float = attrs.field(factory=time.perf_counter)
    stages: dict[str, float] = attrs.field(factory=dict)
    _current: str | None = attrs.field(default=None, init=False)
    _since: float = attrs.field(default=0.0, init=False)
    _open_line: bool = attrs.field(default=False, init=False)

    def begin(self, stage: str | None, note: str = "") -> None:
        """End the current stage and start ``stage`` (``None``: just end the current one)."""
        now = time.perf_counter()
        if self._current is not None:
            self.stages[self._current] = self.stages.get(self._current, 0.0) + now - self._since
        self._current, self._since = stage, now
        if stage is not None:
            self.line(f"{stage}{note} ...")

    def line(self, text: str) -> None:
        """One line of progress, when progress is shown."""
        if not self.show:
            return
        if self._open_line:
            self.err.write("\n")
            self._open_line = False
        self.err.write(text + "\n")
        self.err.flush()

    def _update(self, text: str, final: bool) -> None:
        if not self.show:
            return
        if self.tty:
            self.err.write("\r" + text + ("\n" if final else ""))
            self._open_line = not final
        else:
            self.err.write(text + "\n")
        self.err.flush()

    def counted(
        self,
        items: Iterable[_Item],
        noun: str,
        *,
        size: Callable[[_Item], int] | None = None,
        then: str | None = None,
    ) -> Iterator[_Item]:
        """``items`` passed through, counting them (``size(item)`` each, default 1).

        The count is shown every :data:`PROGRESS_INTERVAL` seconds and once at the end; when
        ``items`` is exhausted the stage ``then`` begins (the loader's next step).
        """
        count = 0
        last = time.perf_counter()
        for item in items:
            count += 1 if size is None else size(item)
            yield item
            if self.show and time.perf_counter() - last >= PROGRESS_INTERVAL:
                last = time.perf_counter()
                self._update(f"  {quantity(count, noun)} read", final=False)
        self._update(f"  {quantity(count, noun)} read", final=True)
        if then is not None:
            self.begin(then)

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.started


def _block_rows(block: CsvBlock) -> int:
    return len(block)


def _mapping(args: argparse.Namespace) -> MappingFile:
    return MappingFile.from_toml(args.mapping) if args.mapping else MappingFile()


def _zone_of(args: argparse.Namespace, mapping: MappingFile) -> dt.tzinfo | None:
    """The zone of naive times: ``--default-tz``, else the mapping's ``default_tz``."""
    if args.default_tz_name is not None:
        return parse_timezone(args.default_tz_name)
    return mapping.default_tz


def _read(
    args: argparse.Namespace, catalog: Catalog, run: _Run, mapping: MappingFile | None = None
) -> LoadResult:
    """Load the command's source with the rows counted as they stream (see :class:`_Run`).

    CSV and JSON Lines files go through the same public steps as
    :func:`~touchpoint_signals.ingest.read_csv` and
    :func:`~touchpoint_signals.ingest.read_jsonl` (accounts first, then the touchpoints), so
    that the rows can be counted on their way into the loader; the result is the same.
    """
    source = Path(args.source)
    mode: Mode = "lenient" if args.lenient else "strict"
    mapping = _mapping(args) if mapping is None else mapping
    zone = _zone_of(args, mapping)
    fmt = _format_of(args)
    where = f" {source} ({fmt})"

    if fmt in FILE_FORMATS:
        accounts: tuple[Account, ...] | None = None
        account_report = None
        if args.accounts is not None:
            run.begin("reading accounts", f" {args.accounts}")
            accounts, account_report = load_accounts(
                run.counted(account_records(args.accounts, mapping.accounts), "account record"),
                mode=mode,
                mapping=mapping.accounts,
                catalog=catalog,
                default_tz=zone,
                source=os.fspath(args.accounts),
            )
        run.begin("reading touchpoints", where)
        if fmt == "csv":
            blocks = csv_blocks(
                source,
                delimiter=args.delimiter,
                encoding=args.encoding or "utf-8-sig",
                block_rows=CHUNK_ROWS,
            )
            result = load_csv_blocks(
                run.counted(blocks, "row", size=_block_rows, then="building the log"),
                accounts=accounts,
                mode=mode,
                mapping=mapping.touchpoints,
                catalog=catalog,
                default_tz=zone,
                source=os.fspath(source),
            )
        else:
            lines = jsonl_records(source, encoding=args.encoding or "utf-8")
            result = load_touchpoints(
                run.counted(lines, "record", then="building the log"),
                accounts=accounts,
                mode=mode,
                mapping=mapping.touchpoints,
                catalog=catalog,
                default_tz=zone,
                source=os.fspath(source),
            )
        return attrs.evolve(result, account_report=account_report)

    if args.accounts is not None:
        raise TouchpointSignalsError(
            f"--accounts applies to csv and jsonl sources; the {fmt} adapter derives its "
            "accounts (set their segment through the [adapter] table of --mapping)"
        )
    adapter = make_adapter(fmt, mapping.adapter)
    run.begin("reading touchpoints", where)
    records = adapter.read(source)
    has_accounts = records.accounts is not None
    touchpoints = run.counted(
        records.touchpoints,
        "touchpoint record",
        then="reading accounts" if has_accounts else "building the log",
    )
    accounts_read = (
        run.counted(records.accounts, "account record", then="building the log")
        if records.accounts is not None
        else None
    )
    return load(
        SourceRecords(touchpoints, accounts_read),
        mode=mode,
        touchpoint_mapping=mapping.touchpoints,
        account_mapping=mapping.accounts,
        catalog=catalog,
        default_tz=zone,
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
    rejected_accounts = quantity(acc["rejected"], "account record")
    out.write(f"accounts: {acc['in_log']} in the log ({rejected_accounts} rejected)\n")
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


def _validate(args: argparse.Namespace, out: TextIO, run: _Run) -> int:
    catalog = catalog_from_toml(args.catalog) if args.catalog else DEFAULT_CATALOG
    result = _read(args, catalog, run)
    run.begin(None)

    if args.json:
        json.dump(_summary(result), out, indent=2)
        out.write("\n")
    else:
        _print_text(result, args.top, out)

    empty = _no_records(args, result)
    if empty is not None:
        out.flush()
        run.err.write(f"touchpoint-signals: error: {empty}, so there is nothing to check\n")
        return 1
    return _exit_status(result)


def _exit_status(result: LoadResult) -> int:
    """1 when a lenient run rejected records or left reply links unresolved, else 0."""
    problems = len(result.rejected) + len(result.touchpoint_report.link_issues)
    return 1 if problems else 0


def _no_records(args: argparse.Namespace, result: LoadResult) -> str | None:
    """What to say when the source held no touchpoint record at all (``None`` if it did)."""
    if result.touchpoint_report.read:
        return None
    fmt = _format_of(args)
    if fmt == "csv":
        why = "its header row is followed by no data row"
    elif fmt == "jsonl":
        why = "it has no line that is not blank"
    else:
        why = f"the {fmt} adapter found no touchpoint in it"
    return f"{args.source} holds no touchpoint records ({why})"


#: Rejections an error or warning of ``score`` shows; ``validate`` lists every one.
SHOWN_REJECTIONS = 3


def _rejections_text(args: argparse.Namespace, result: LoadResult) -> str:
    """The first rejections, a line each, and the command that lists every one; follows a
    sentence such as "5 records were rejected"."""
    rejected = result.rejected
    shown = rejected[:SHOWN_REJECTIONS]
    lines = [f"  {rejection.describe()}" for rejection in shown]
    head = ":" if len(shown) == len(rejected) else f"; the first {len(shown)}:"
    if len(rejected) > len(shown):
        lines.append(f"  ... and {len(rejected) - len(shown):,} more")
    lines.append(f"to list every rejected record, run: {_validate_command(args)}")
    return head + "\n" + "\n".join(lines)


def _validate_command(args: argparse.Namespace) -> str:
    """The ``validate`` command that reads what this ``score`` run read, leniently."""
    words = ["touchpoint-signals", "validate", args.source, "--lenient"]
    if args.format_name:
        words += ["--format", args.format_name]
    for option, flag in _PATH_OPTIONS:
        value = getattr(args, option, None)
        if value is not None and option != "scorecard":
            words += [flag, value]
    if args.default_tz_name is not None:
        words += ["--default-tz", args.default_tz_name]
    if args.delimiter != ",":
        words += ["--delimiter", args.delimiter]
    if args.encoding:
        words += ["--encoding", args.encoding]
    return shlex.join(words)


def _given_as_of(text: str, zone: dt.tzinfo | None) -> dt.datetime:
    """``--as-of``: an instant with an offset; a naive time in ``zone``, refused without
    one; a date alone at its start in ``zone``, else in UTC."""
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    else:
        return parse_instant(text.strip(), default_tz=zone or dt.UTC)
    try:
        return parse_instant(text, default_tz=zone)
    except NaiveDatetimeError:
        raise TouchpointSignalsError(
            f"--as-of {text}: no time zone; add an offset such as +02:00 (or Z for UTC), "
            "or pass --default-tz ZONE to read it in that zone"
        ) from None
    except TouchpointSignalsError as exc:
        raise TouchpointSignalsError(f"--as-of {text}: {exc}") from None


def _loaded(args: argparse.Namespace, result: LoadResult) -> None:
    """Refuse to score a log without touchpoints, saying why it has none."""
    empty = _no_records(args, result)
    if empty is not None:
        raise TouchpointSignalsError(f"{empty}, so there is nothing to score")
    if len(result.log) == 0:
        report = result.touchpoint_report
        raise TouchpointSignalsError(
            "no touchpoints were loaded, so there is nothing to score: "
            f"{quantity(report.read, 'touchpoint record')} read, "
            f"{'all' if report.read > 1 else 'and'} rejected" + _rejections_text(args, result)
        )


#: Days after the latest touchpoint beyond which a given ``--as-of`` is worth a warning: the
#: recent windows of the built-in signals with their defaults span 30 to 91 days, so past
#: this they are all empty. A scorecard's own windows may be longer; it is a warning only.
_STALE_AS_OF_DAYS = 91


def _as_of(given: dt.datetime | None, result: LoadResult) -> dt.datetime:
    last = from_epoch_us(int(result.log.occurred_at.max()))
    if given is None:
        return last
    first = from_epoch_us(int(result.log.occurred_at.min()))

    # An --as-of outside the data scores every account as insufficient_data, which reads
    # like a verdict on the accounts when it is a mistake in the date.
    if given < first:
        logger.warning(
            "--as-of %s is before the first touchpoint (%s): nothing was known yet, so "
            "every account reads as insufficient_data",
            given.isoformat(),
            first.isoformat(),
        )
    elif given - last > dt.timedelta(days=_STALE_AS_OF_DAYS):
        logger.warning(
            "--as-of %s is %d days after the latest touchpoint (%s): the default recent "
            "windows hold no touchpoint of any account; check the date",
            given.isoformat(),
            (given - last).days,
            last.isoformat(),
        )
    return given


def _signals(
    result: LoadResult, as_of: dt.datetime, extractors: Sequence[Extractor], run: _Run
) -> SignalSet:
    """The signal set of the log at ``as_of``, one extractor (and one stage) at a time.

    What :meth:`SignalSet.from_log <touchpoint_signals.scoring.SignalSet.from_log>` computes,
    with every extractor run on one point-in-time view so that each gets its own line and
    time; the checks of :func:`~touchpoint_signals.signals.extract_signals` run on each.
    """
    view = result.log.as_of(as_of)
    frames: dict[str, SignalFrame] = {}

    for extractor in extractors:
        run.begin(f"extracting {extractor.name}")
        if extractor.name in frames:
            raise ConfigError(
                f"two extractors are named {extractor.name!r}; give one of them another name"
            )
        frames.update(extract_signals(view, as_of, [extractor]))

    return SignalSet(as_of, view.account_ids, view.accounts, frames)


def _header(
    args: argparse.Namespace, result: LoadResult, scores: Scores, as_of: dt.datetime, name: str
) -> str:
    """What a table scored, as of when and by which scorecard, and its band counts."""
    report = result.touchpoint_report
    when = "given" if args.as_of is not None else "the latest touchpoint"
    card = args.scorecard if args.scorecard is not None else "the built-in default"
    fmt = _format_of(args)
    return (
        f"{quantity(len(scores), 'account')} scored as of {as_of.isoformat()} ({when}), "
        "riskiest first\n"
        f"source: {args.source} ({fmt}): {quantity(report.accepted, 'touchpoint')}, "
        f"{quantity(len(result.rejected), 'record')} rejected\n"
        f"scorecard: {name} ({card})\n"
        f"bands: {band_counts(scores)}\n"
    )


#: Most lines one reason takes in a wrapped table: three hold a signal's whole reason at 100
#: columns and keep a row short enough to scan; the JSON and CSV outputs carry it whole.
TABLE_REASON_LINES = 3


def _table_width(args: argparse.Namespace, out: TextIO) -> int | None:
    """Columns to wrap the table to: ``--width``, else the terminal's, else none."""
    if args.width is not None:
        return args.width or None
    if _is_terminal(out):
        return shutil.get_terminal_size().columns
    return None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or a home-made stream
        return False


def _summary_text(result: LoadResult, scores: Scores, run: _Run, width: int) -> str:
    """The lines ``score`` ends with on stderr: what was read, the bands, the time taken."""
    touchpoints = result.touchpoint_report
    accounts = result.account_report
    account_records = (
        f"{quantity(accounts.read, 'account record')} read, {len(accounts.rejected):,} rejected"
        if accounts is not None
        else "no account records"
    )
    # Lines break between stages, never inside one ("extracting cadence 0.01 s" stays whole).
    limit = max(40, width - 15)
    stages = [f"{stage} {seconds:.2f} s" for stage, seconds in run.stages.items()]
    timing = [f"{run.elapsed():.2f} s in all:"]
    for position, stage in enumerate(stages):
        text = stage if position == len(stages) - 1 else stage + ","
        if len(timing[-1]) + 1 + len(text) > limit and position:
            timing.append(text)
        else:
            timing[-1] += " " + text

    lines = [
        "summary",
        f"  touchpoints  {touchpoints.read:,} read, {touchpoints.accepted:,} accepted, "
        f"{len(touchpoints.rejected):,} rejected",
        f"  accounts     {result.log.n_accounts:,} in the log; {account_records}",
        f"  bands        {band_counts(scores)}",
        f"  time         {timing[0]}",
        *(f"               {more}" for more in timing[1:]),
    ]
    return "\n".join(lines) + "\n"


def _score(args: argparse.Namespace, out: TextIO, run: _Run) -> int:
    catalog = catalog_from_toml(args.catalog) if args.catalog else DEFAULT_CATALOG
    scorer: Scorer
    if args.scorecard is None:
        scorer, extractors = default_scorecard(), default_extractors()
    else:
        loaded = load_scorecard(args.scorecard, catalog=catalog)
        scorer, extractors = loaded.scorer, loaded.extractors
    mapping = _mapping(args)
    given = None if args.as_of is None else _given_as_of(args.as_of, _zone_of(args, mapping))
    result = _read(args, catalog, run, mapping)
    _loaded(args, result)
    as_of = _as_of(given, result)

    rejected = len(result.rejected)
    if rejected:
        logger.warning(
            "%s rejected%s",
            quantity(rejected, "record was", "records were"),
            _rejections_text(args, result),
        )
    signals = _signals(result, as_of, extractors, run)
    run.begin("scoring", f" {quantity(len(signals), 'account')} with {scorer.name}")
    scores = scorer.score(signals)

    run.begin("writing", f" the {args.output}")
    if args.output == "json":
        out.write(scores_json(scores))
    elif args.output == "csv":
        scores_csv(scores, out)
    else:
        out.write(_header(args, result, scores, as_of, scorer.name) + "\n")
        table = scores_table(
            scores, top=args.top, width=_table_width(args, out), reason_lines=TABLE_REASON_LINES
        )
        out.write(table)
    out.flush()
    run.begin(None)

    if not args.quiet:
        width = shutil.get_terminal_size().columns if _is_terminal(run.err) else 100
        run.err.write(_summary_text(result, scores, run, width))
    return _exit_status(result)


@contextlib.contextmanager
def _package_logging(args: argparse.Namespace, err: TextIO) -> Iterator[None]:
    """Show the library's log records on ``err`` while the command runs, then stop.

    The handler sits on the ``touchpoint_signals`` logger, not on the root logger, so a
    program that calls :func:`main` keeps its own logging set-up, and it is removed again
    when the command ends.
    """
    package = logging.getLogger("touchpoint_signals")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    previous = package.level
    package.setLevel(logging.ERROR if args.quiet else level)
    package.addHandler(handler)
    try:
        yield
    finally:
        package.removeHandler(handler)
        package.setLevel(previous)


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    The output goes to ``out`` (default standard output); progress, the summary, log
    records and errors to ``err`` (default standard error).
    """
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    err = err or sys.stderr
    show = (args.progress or _is_terminal(err)) and not args.quiet
    run = _Run(err, show=show, tty=_is_terminal(err))

    with _package_logging(args, err):
        try:
            _check_format_name(args)
            _check_paths(args)
            if args.command == "validate":
                return _validate(args, out, run)
            if args.command == "score":
                return _score(args, out, run)
        except TouchpointSignalsError as exc:
            err.write(f"touchpoint-signals: error: {exc}\n")
            return 2
        except BrokenPipeError:
            # The reader of our output (``head``, say) went away: nothing left to tell it.
            sys.stderr.close()
            return 0
        except OSError as exc:
            # "nope.csv: No such file or directory", not "[Errno 2] ...: 'nope.csv'".
            what = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else exc
            err.write(f"touchpoint-signals: error: {what}\n")
            return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
