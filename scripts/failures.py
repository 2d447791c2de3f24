"""Repeats, at the very end of a test run, what each failed test said: its id, its location and the
last lines of its error. CI keeps the start and the end of a long output; the failures of the first
pass would otherwise sit in a middle it leaves out.

    python scripts/failures.py REPORT.xml [REPORT.xml ...]   (JUnit XML files written by pytest)
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ERROR_LINES = 12  # the error's last lines: pytest's "E" lines and the location under them
LINE_CHARS = 300


def failures(report: Path) -> list[str]:
    lines = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for outcome in case:
            if outcome.tag not in ("failure", "error"):
                continue
            test = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}"
            text = (outcome.text or outcome.get("message") or "").rstrip().splitlines()
            told = [line for line in text if line.startswith("E ")] or text
            lines.append(f"{outcome.tag.upper()} {test}")
            lines += [f"    {line[:LINE_CHARS]}" for line in told[-ERROR_LINES:]]
            lines += [f"    {line[:LINE_CHARS]}" for line in text[-1:] if line not in told[-ERROR_LINES:]]
    return lines


def main(paths: list[str]) -> None:
    for path in paths:
        report = Path(path)
        if not report.exists():
            continue
        found = failures(report)
        if found:
            print(f"\n\033[1m==> Failed in {report.stem}\033[0m")
            print("\n".join(found))


if __name__ == "__main__":
    main(sys.argv[1:])
