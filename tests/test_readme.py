"""The README's worked examples print what the README shows: its tables are checked
against the commands they quote, so that a data or query change cannot leave them stale."""

import re
import shlex

import pytest
from click.testing import CliRunner

from conftest import REPO
from kg.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
# "**Question?** `kg query ...` (notes):" then a blank line and a Markdown table
EXAMPLE = re.compile(r"\*\*[^*\n]+\?\*\* `(kg query[^`]+)`[^\n]*(?:\n[^\n|]+)*\n\n((?:\|[^\n]*\|\n)+)")


def table(text: str) -> list[dict]:
    """A Markdown table's rows as dicts (cells stripped, `\\|` unescaped)."""
    lines = [re.split(r"(?<!\\)\|", line.strip())[1:-1] for line in text.strip().splitlines()]
    header = [cell.strip() for cell in lines[0]]
    return [dict(zip(header, (cell.strip().replace("\\|", "|") for cell in line)))
            for line in lines[2:]]


EXAMPLES = [(" ".join(command.split()), rows) for command, rows in EXAMPLE.findall(README)]


def test_the_readme_has_its_three_worked_examples():
    assert [command for command, _ in EXAMPLES] == [
        "kg query co-production --system PAC-3 --format markdown",
        'kg query counters --threat "hypersonic missile" --format markdown',
        "kg query agreements --country US --partner Japan --format markdown"]


@pytest.mark.parametrize("command, shown", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_a_worked_example_prints_the_rows_the_readme_shows(command, shown):
    args = [a for a in shlex.split(command)[1:] if a not in ("--format", "markdown")]
    result = CliRunner().invoke(cli, [*args, "--format", "markdown"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed, readme_rows = table(result.output), table(shown)
    # the README may leave columns out and show only the first rows; nothing else differs
    assert [{k: row[k] for k in readme_rows[0]} for row in printed[:len(readme_rows)]] == readme_rows
