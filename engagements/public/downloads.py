"""The two download formats, written to any text file: CSV for spreadsheets, and JSON Lines
in the interchange format. Filtered downloads (exports.py) and the whole archive's files
(dumps.py) are written by the same functions."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from typing import TextIO

from engagements.interchange.catalogue import record_lines
from engagements.interchange.export import dumps as json_line
from engagements.interchange.export import keyed_records
from engagements.models import readout_path

CSV_COLUMNS = [
    "id", "date", "title", "kind", "city", "country", "participants", "countries",
    "topics", "summary", "sources", "url", "synthetic",
]  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula: make them plain text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


RowWriter = Callable[[dict, dict], None]


def start_jsonl(meetings, out: TextIO, *, site: str) -> RowWriter:
    """Write the organisations, officials and topics the readouts name (their aliases,
    descriptions…: catalogue.py); return the writer of each readout's line."""
    for line in record_lines(meetings):
        out.write(json_line(line))
    return lambda row, record: out.write(json_line(record))


def start_csv(meetings, out: TextIO, *, site: str) -> RowWriter:
    """Write the header; return the writer of each readout's row."""
    # Every cell quoted: a cell such as `x;=5+5;y` must not be split by a spreadsheet
    # that reads semicolons as separators, and then run.
    # A byte order mark first: spreadsheets then read the file as UTF-8, and Türkiye and
    # 刘海星 arrive intact (without it, Excel guesses a legacy code page).
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)

    def write_row(row: dict, record: dict) -> None:
        participants = "; ".join(
            f"{p['name']} ({p['country']}, {p['role']}"
            + (f", {p['title']}" if p["title"] else "")
            + ")"
            for p in record["participants"]
        )
        codes = sorted(
            {p["country"] for p in record["participants"]}
            | ({record["location"]["country"]} if record["location"]["country"] else set())
        )
        writer.writerow(
            [
                _cell(str(value))
                for value in [
                    record["id"],
                    record["date"],
                    record["title"],
                    record["kind"],
                    record["location"]["city"],
                    record["location"]["country"] or "",
                    participants,
                    "; ".join(codes),
                    "; ".join(record["themes"]),
                    record["summary"],
                    # Each account, with its side when known: "PK: https://…; CN: https://…".
                    "; ".join(
                        (f"{s['side']}: " if s.get("side") else "") + (s["url"] or s["publisher"])
                        for s in record["sources"]
                    ),
                    site + readout_path(row["date"], row["slug"]),
                    # Generated sample data says so in every row ("yes"), real rows "no".
                    "yes" if record.get("synthetic") else "no",
                ]
            ]
        )

    return write_row


def write(meetings, outs: Mapping[str, TextIO], *, site: str) -> int:
    """The readouts in each format of `outs` ({"csv": file, …}), read once for all of
    them (assembling each readout's record is most of the work: writing the whole archive's
    two files read 100,000 readouts twice, 32 s, before); returns the number of readouts."""
    writers = [FORMATS[fmt][1](meetings, out, site=site) for fmt, out in outs.items()]
    count = 0
    for row, record in keyed_records(meetings):
        for write_row in writers:
            write_row(row, record)
        count += 1
    return count


Starter = Callable[..., RowWriter]
FORMATS: dict[str, tuple[str, Starter]] = {
    "csv": ("text/csv; charset=utf-8", start_csv),
    "jsonl": ("application/jsonl; charset=utf-8", start_jsonl),
}
