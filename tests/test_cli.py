"""Every CLI command, through click's CliRunner and through a real `kg` process."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import __version__
from kg.api import sparql
from kg.cli import cli
from kg.store import open_graph


@pytest.fixture
def run(tiny_copy):
    """Run kg on the tiny working copy; returns the click Result."""
    runner = CliRunner()

    def invoke(*args, data=tiny_copy, input=None):
        return runner.invoke(cli, ["--data", str(data), *args], input=input,
                             catch_exceptions=False, prog_name="kg")

    return invoke


def test_the_cli_offers_every_export_format_and_severity():
    """cli.py spells these lists out rather than import them on every command."""
    from kg.export import FORMATS
    from kg.problems import SEVERITY_ORDER

    def choices(command, option):
        [param] = [p for p in cli.commands[command].params if p.name == option]
        return list(param.type.choices)

    assert choices("export", "fmt") == list(FORMATS)
    assert sorted(choices("validate", "fail_on")) == sorted(SEVERITY_ORDER)


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"kg, version {__version__}\n"


def test_help_shows_examples():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "kg query co-production --system PAC-3 --format csv" in result.output


def test_query_table_shows_labels(run):
    result = run("query", "co-production")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["system", "program", "participant", "role", "country", "since",
                                "source", "quote"]
    assert any("Maker B" in line and "licensee" in line and "Land B" in line for line in lines)
    assert lines[-1] == "(2 rows)"


def test_quiet_table_is_only_the_rows(run):
    full = run("query", "co-production").output.splitlines()
    assert run("-q", "query", "co-production").output.splitlines() == full[:-1]
    assert full[-1] == "(2 rows)"


@pytest.mark.parametrize("args, rows", [(["query", "co-production"], "2 rows"),
                                        (["sparql", "ASK {}"], "1 row")])
def test_verbose_times_opening_running_and_printing_on_stderr(run, args, rows):
    result = run("-v", *args)
    assert result.stdout == run(*args).stdout
    opened, timed = result.stderr.splitlines()[-2:]
    assert re.fullmatch(r"kg: graph \S+ \(\d+\.\d\d s to open\)", opened)
    assert re.fullmatch(rf"kg: {rows}: \d+\.\d\d s to run, \d+\.\d\d s to print", timed)


def test_a_nameless_fact_shows_its_label_not_its_blank_node_id(run, tiny_copy):
    """lint warns of a fact without a name, but kg add merges it: its row showed
    `_:bb2ef41b80edd753670bc1cf764d80f9`."""
    (tiny_copy / "data" / "nameless.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akc: <https://w3id.org/alliance-kg/concept/> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "[] a ak:Agreement ; ak:agreementType akc:mou ; rdfs:label \"Nameless MoU\"@en ;\n"
        "    ak:party akd:land-a , akd:land-b ;\n"
        "    ak:citation [ ak:inSource akd:source-test ; ak:quote \"Land A and Land B signed an MoU.\" ] .\n")
    rows = list(csv.DictReader(io.StringIO(run("query", "agreements", "-f", "csv").stdout)))
    assert {row["agreement"] for row in rows} == {"Zapper MoU", "Nameless MoU"}
    raw = list(csv.DictReader(io.StringIO(run("query", "agreements", "-f", "csv", "--iris").stdout)))
    assert sorted(row["agreement"][:2] for row in raw) == ["_:", "ht"]


def test_query_csv_with_raw_iris(run):
    result = run("query", "co-production", "--system", "ZAP-1", "--format", "csv", "--iris")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["participant"], r["role"]) for r in rows] == [
        ("https://w3id.org/alliance-kg/id/maker-b", "https://w3id.org/alliance-kg/ontology#licensee"),
        ("https://w3id.org/alliance-kg/id/maker-a", "https://w3id.org/alliance-kg/ontology#licensor")]


def test_query_json_is_sparql_results_json(run):
    result = run("query", "co-production", "--country=Land A", "--format", "json")
    document = json.loads(result.output)
    assert document["head"]["vars"][:3] == ["system", "program", "participant"]
    [binding] = document["results"]["bindings"]
    assert binding["participant"] == {"type": "uri", "value": "https://w3id.org/alliance-kg/id/maker-a"}
    assert binding["since"] == {"type": "literal", "value": "2019",
                                "datatype": "http://www.w3.org/2001/XMLSchema#gYear"}


@pytest.mark.parametrize("fmt, expected", [
    ("tsv", "system\tprogram\tparticipant"),
    ("markdown", "| system | program | participant | role | country | since | source | quote |\n"
                 "| --- | --- | --- | --- | --- | --- | --- | --- |\n| Zapper 2 |"),
    ("jsonl", '{"system": "Zapper 2", "program": "Licensed production of Zapper 2"'),
])
def test_other_formats(run, fmt, expected):
    result = run("query", "co-production", "--format", fmt)
    assert result.exit_code == 0
    assert result.output.startswith(expected)


@pytest.mark.parametrize("args", [
    ("query", "co-production"), ("query", "co-production", "--country", "Land A"),
    ("sparql", "SELECT ?s WHERE { ?s a ak:Company }"), ("describe", "Zapper"), ("stats",),
    ("queries",)])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "markdown", "table"])
def test_each_format_has_a_flag_of_its_name(run, args, fmt):
    """`kg query co-production --csv`, as sqlite-utils takes it: the same as --format csv
    (and over another format given before it, so that --table is tested too)."""
    flagged = run(*args, "--format", "json" if fmt != "json" else "csv", f"--{fmt}")
    assert flagged.exit_code == 0, flagged.output
    assert flagged.output == run(*args, "--format", fmt).output


def test_the_last_format_given_wins(run):
    assert run("query", "co-production", "--json", "-f", "csv").output.startswith("system,")
    assert run("query", "co-production", "-f", "csv", "--json").output.startswith("{")


def test_a_construct_has_flags_for_its_rdf_formats(run):
    query = "CONSTRUCT { akd:zapper rdfs:label ?l } WHERE { akd:zapper rdfs:label ?l }"
    for fmt in ("turtle", "ntriples"):
        assert run("sparql", query, f"--{fmt}").output == run("sparql", query, "-f", fmt).output
    assert run("query", "counters", "--turtle").stderr == (
        "kg: error: parameter --turtle needs a value (a canned query gives rows: --turtle "
        "writes the triples of kg sparql's CONSTRUCT or DESCRIBE)\n")


def test_queries_lists_parameters(run):
    result = run("queries", "--format", "csv")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert rows["co-production"]["parameters"] == (
        "--system ak:DefenseSystem (optional); --country ak:Country (optional)")


def test_sparql_inline_stdin_and_file(run, tmp_path):
    text = "SELECT ?c WHERE { ?c a ak:Company } ORDER BY ?c"
    assert run("sparql", text).output.splitlines()[2:4] == ["Maker A", "Maker B"]
    query_file = tmp_path / "q.rq"
    query_file.write_text(text)
    assert run("sparql", f"@{query_file}", "-f", "csv").output == "c\nMaker A\nMaker B\n"
    assert run("sparql", "-", "-f", "csv", input=text).output == "c\nMaker A\nMaker B\n"
    # @- too, as curl reads it: it was "-: file not found"
    assert run("sparql", "@-", "-f", "csv", input=text).output == "c\nMaker A\nMaker B\n"


def test_sparql_ask_and_construct(run):
    assert run("sparql", "ASK { akd:zapper-2 ak:variantOf akd:zapper }", "-f", "csv").output == \
        "result\ntrue\n"
    # json is the SPARQL results format's boolean document, not a `result` binding
    assert json.loads(run("sparql", "ASK { akd:zapper ak:variantOf akd:zapper-2 }",
                          "-f", "json").output) == {"head": {}, "boolean": False}
    result = run("sparql", "CONSTRUCT { ?a ak:hasVariant ?b } WHERE { ?a ak:hasVariant ?b }",
                 "-f", "tsv")
    assert result.output == "subject\tpredicate\tobject\nZapper\thas variant\tZapper 2\n"


TRIPLE_TERM_SELECT = 'SELECT ?t WHERE { VALUES ?t { <<( <a:s> <a:p> "o" )>> } }'
NO_COLUMNS = "SELECT * WHERE {}"
CONTROL_CHARACTERS = 'SELECT ?e WHERE { BIND("a\\tb\\rc\\u0000d\\u202Ee\\nf" AS ?e) }'
WIDE_CHARACTERS = ('SELECT ?a ?b ?c WHERE { VALUES (?a ?b ?c) '
                   '{ ("日本" "e\\u0301" "x") ("ab" "cd" "y") } }')
BACKSLASHES = 'SELECT ?m WHERE { BIND("a\\\\|b C:\\\\tmp" AS ?m) }'  # the value a\|b C:\tmp
EMPTY_AND_UNBOUND = 'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("" UNDEF) } }'
LINE_BREAK = 'SELECT ?a ?b ?c WHERE { BIND("line1\\nline2" AS ?a) BIND("" AS ?b) BIND(1 AS ?c) }'
CARRIAGE_RETURN = 'SELECT ?a ?b WHERE { BIND("one\\rtwo" AS ?a) BIND(2 AS ?b) }'
TYPED = ('SELECT ?i ?d ?x ?b ?inf ?long ?bad ?s WHERE { BIND(42 AS ?i) BIND(1.50 AS ?d) '
         'BIND(1e3 AS ?x) BIND(true AS ?b) BIND("INF"^^xsd:double AS ?inf) '
         'BIND("12345678901234567890.123"^^xsd:decimal AS ?long) BIND("x"^^xsd:integer AS ?bad) '
         'BIND("7" AS ?s) }')
MARKDOWN_SYNTAX = 'SELECT ?m WHERE { BIND("the *real* <a:s> &amp; x_y" AS ?m) }'
LONG_JAPANESE = 'SELECT ?a ?b ?c WHERE { BIND("' + "日" * 30 + '" AS ?a) BIND(1 AS ?b) BIND(2 AS ?c) }'
ACCENTED = 'SELECT ?a ?b ?c WHERE { BIND("' + "e\\u0301" * 30 + '" AS ?a) BIND(1 AS ?b) BIND(2 AS ?c) }'


@pytest.mark.parametrize("query, fmt, expected", [
    # an RDF 1.2 triple term (it has no .value) crashed every format
    (TRIPLE_TERM_SELECT, "table", 't\n-----------------------\n<<( <a:s> <a:p> "o" )>>\n(1 row)\n'),
    (TRIPLE_TERM_SELECT, "csv", 't\n"<<( <a:s> <a:p> ""o"" )>>"\n'),
    (TRIPLE_TERM_SELECT, "tsv", 't\n"<<( <a:s> <a:p> ""o"" )>>"\n'),
    (TRIPLE_TERM_SELECT, "markdown", '| t |\n| --- |\n| \\<\\<( \\<a:s> \\<a:p> "o" )>> |\n'),
    (TRIPLE_TERM_SELECT, "jsonl", '{"t": "<<( <a:s> <a:p> \\"o\\" )>>"}\n'),
    # one solution of no variables: the table took max() of nothing, Markdown printed `|  |`
    (NO_COLUMNS, "table", "(no columns)\n(1 row)\n"),
    (NO_COLUMNS, "markdown", ""),
    (NO_COLUMNS, "csv", "\n\n"),
    # a raw tab, carriage return, NUL or bidi override garbled tables; CSV and JSON carry
    # the value as it is, quoted or escaped as their specs say
    (CONTROL_CHARACTERS, "table", "e\n" + "-" * 19 + "\na\\tb\\rc\\x00d\\u202ee\nf\n(1 row)\n"),
    (CONTROL_CHARACTERS, "markdown", "| e |\n| --- |\n| a\\tb\\rc\\x00d\\u202ee f |\n"),
    (CONTROL_CHARACTERS, "csv", 'e\n"a\tb\rc\x00d\u202ee\nf"\n'),
    (CONTROL_CHARACTERS, "jsonl", '{"e": "a\\tb\\rc\\u0000d\u202ee\\nf"}\n'),
    # a backslash before punctuation escapes it in Markdown: a\\|b was rendered a|b
    (BACKSLASHES, "markdown", "| m |\n| --- |\n| a\\\\\\|b C:\\tmp |\n"),
    # Markdown read *...* as emphasis, <a:s> as a link, &amp; as an ampersand
    (MARKDOWN_SYNTAX, "markdown", "| m |\n| --- |\n| the \\*real\\* \\<a:s> \\&amp; x\\_y |\n"),
    # JSON lines told an unbound variable from an empty string no more than CSV does
    (EMPTY_AND_UNBOUND, "jsonl", '{"a": "", "b": null}\n'),
    # numbers and booleans were strings ("count": "61"), which jq compares as text; what
    # JSON cannot hold as it is stays text
    (TYPED, "jsonl", '{"i": 42, "d": 1.5, "x": 1000.0, "b": true, "inf": "INF", '
                     '"long": "12345678901234567890.123", "bad": "x", "s": "7"}\n'),
    # a table of three columns or more made a line break of a cell a space
    (LINE_BREAK, "table", "a      b  c\n-----  -  -\nline1     1\nline2\n(1 row)\n"),
    # a bare carriage return went unquoted, which readers take for the end of the row
    (CARRIAGE_RETURN, "csv", 'a,b\n"one\rtwo","2"\n'),
    (CARRIAGE_RETURN, "tsv", 'a\tb\n"one\rtwo"\t"2"\n'),
    # a wide character takes two columns, a combining mark none: tables were misaligned
    # and a cell of Japanese wrapped at 48 characters, 96 columns
    (WIDE_CHARACTERS, "table", "a     b   c\n----  --  -\n日本  e\u0301   x\nab    cd  y\n(2 rows)\n"),
    (LONG_JAPANESE, "table", "a" + " " * 47 + "  b  c\n" + "-" * 48 + "  -  -\n"
                             + "日" * 24 + "  1  2\n" + "日" * 6 + "\n(1 row)\n"),
    # 30 accented letters take 30 columns: they were cut at 48 characters, 24 letters
    (ACCENTED, "table", "a" + " " * 29 + "  b  c\n" + "-" * 30 + "  -  -\n"
                        + "e\u0301" * 30 + "  1  2\n(1 row)\n"),
])
def test_unusual_values_in_each_format(run, query, fmt, expected):
    result = run("sparql", "-f", fmt, query)
    assert (result.exit_code, result.output) == (0, expected)


@pytest.mark.parametrize("room", [90, 100, 110])
def test_a_table_fits_the_terminal_width_columns_gives(run, monkeypatch, room):
    """$COLUMNS (or the terminal's width) narrows the widest columns until the table fits;
    the quotes of co-production made lines of over 200 columns, which the terminal broke."""
    piped = run("query", "co-production").output
    monkeypatch.setenv("COLUMNS", str(room))
    fitted = run("query", "co-production").output
    assert max(map(len, piped.splitlines())) > room
    assert max(map(len, fitted.splitlines())) <= room
    # the same words, wrapped differently (the underline aside)
    def words(table):
        return [word for line in table.splitlines() if not line.startswith("-")
                for word in line.split()]

    assert words(fitted) != words(piped) and sorted(words(fitted)) == sorted(words(piped))


def test_a_table_too_wide_to_fit_keeps_readable_columns(run, monkeypatch):
    from kg.output import NARROWEST_CELL

    monkeypatch.setenv("COLUMNS", "20")
    lines = run("query", "co-production").output.splitlines()
    assert lines[0].split() == ["system", "program", "participant", "role", "country",
                                "since", "source", "quote"]
    # wrapped at NARROWEST_CELL (12): "Licensed / production / of Zapper 2", 11 wide
    assert NARROWEST_CELL == 12
    assert [len(dashes) for dashes in lines[1].split()] == [8, 11, 11, 8, 7, 5, 11, 9]


def test_a_table_fits_though_a_header_is_wider_than_its_cells(run, monkeypatch):
    """Headers do not wrap: the width was chosen as if this one did, and lines came out
    88 columns wide in an 80-column window, where 80 fit."""
    monkeypatch.setenv("COLUMNS", "80")
    words = " ".join(["word"] * 20)
    lines = run("sparql", f'SELECT ?a_very_long_header_name_that_is_wide ?b ?c WHERE {{ '
                f'BIND("x" AS ?a_very_long_header_name_that_is_wide) BIND("{words}" AS ?b) '
                f'BIND("{words}" AS ?c) }}').output.splitlines()
    assert lines[0].startswith("a_very_long_header_name_that_is_wide  b ")
    assert max(map(len, lines)) <= 80


@pytest.mark.parametrize("room, fits", [(30, True), (12, False)])
def test_a_table_fitted_cuts_no_word_it_need_not_cut(run, monkeypatch, room, fits):
    """Wrapped 12 columns wide, "international" came out as "internationa" and "l": a
    column is as wide as its longest word where the table still fits, or cannot fit."""
    words = " ".join(["word"] * 10)
    query = (f'SELECT ?a ?b WHERE {{ BIND("the internationally agreed {words}" AS ?a) '
             f'BIND("{words}" AS ?b) }}')
    monkeypatch.setenv("COLUMNS", str(room))
    lines = run("sparql", query).output.splitlines()
    assert any("internationally" in line for line in lines)
    assert (max(map(len, lines[:-1])) <= room) == fits


def test_a_table_fitted_keeps_each_accent_on_its_letter(run, monkeypatch):
    """Wrapped 13 characters wide, e + U+0301 were cut between the e and its accent,
    which then stood alone at the start of the next line."""
    monkeypatch.setenv("COLUMNS", "19")   # column a wraps 13 columns wide
    lines = run("sparql", ACCENTED).output.splitlines()[2:-1]
    cells = [line.split("  ")[0].strip() for line in lines]
    assert all(cell.startswith("e") for cell in cells) and "".join(cells) == "e\u0301" * 30
    assert max(len(cell) // 2 for cell in cells) == 7


def test_a_table_that_fits_is_left_as_it_is(run, monkeypatch):
    piped = run("describe", "Zapper 2").output
    monkeypatch.setenv("COLUMNS", "1000")
    assert run("describe", "Zapper 2").output == piped


def test_a_triple_term_in_json_is_a_sparql_1_2_triple(run):
    [binding] = json.loads(run("sparql", "-f", "json", TRIPLE_TERM_SELECT).output)[
        "results"]["bindings"]
    assert binding["t"] == {"type": "triple", "value": {
        "subject": {"type": "uri", "value": "a:s"}, "predicate": {"type": "uri", "value": "a:p"},
        "object": {"type": "literal", "value": "o"}}}
    result = run("sparql", "-f", "csv", "CONSTRUCT { <a:s> <a:p> <<( <a:s> <a:p> <a:o> )>> } WHERE {}")
    assert result.output == "subject,predicate,object\na:s,a:p,<<( <a:s> <a:p> <a:o> )>>\n"


@pytest.mark.parametrize("fmt, rdf_format", [("turtle", ox.RdfFormat.TURTLE),
                                             ("ntriples", ox.RdfFormat.N_TRIPLES)])
def test_a_construct_is_written_as_rdf(run, tiny_copy, fmt, rdf_format):
    """Its rows lost what tells an IRI from a literal and a language tag; kg serve could
    answer Turtle, kg sparql could not."""
    query = "CONSTRUCT { akd:zapper ?p ?o } WHERE { akd:zapper ?p ?o FILTER(!isBlank(?o)) }"
    result = run("sparql", query, "-f", fmt)
    assert result.exit_code == 0, result.output
    written = {q.triple for q in ox.parse(result.stdout_bytes, format=rdf_format)}
    assert written == {ox.Triple(*row) for row in sparql(query, open_graph(tiny_copy)).terms}
    assert ox.Literal("Zapper", language="en") in {t.object for t in written}
    assert run("sparql", "DESCRIBE akd:zapper", "-f", fmt).exit_code == 0


def test_rows_are_not_written_as_rdf(run):
    result = run("sparql", "SELECT ?s WHERE { ?s a ak:Company }", "-f", "turtle")
    assert (result.exit_code, result.stderr) == (
        2, "kg: error: --format turtle writes the triples of a CONSTRUCT or DESCRIBE query; "
           "this one gives rows: use table, csv, tsv, json, jsonl or markdown\n")
    assert "'turtle' is not one of" in run("query", "counters", "-f", "turtle").stderr


def test_a_text_direction_in_json_is_its_dir(run):
    """SPARQL 1.2 Query Results JSON writes "a"@ar--rtl's direction as its:dir; it was
    left out."""
    [binding] = json.loads(run("sparql", "-f", "json", 'SELECT ?x WHERE { BIND("a"@ar--rtl AS ?x) }')
                           .output)["results"]["bindings"]
    assert binding["x"] == {"type": "literal", "value": "a", "xml:lang": "ar", "its:dir": "rtl"}


def test_a_canned_query_that_finds_nothing_for_an_entity_says_where_to_look(run):
    result = run("query", "counters", "--system", "Zapper 2", "--threat", "cruise missile")
    assert result.exit_code == 0 and "(0 rows)" in result.stdout
    assert result.stderr == ("kg: note: no row matches; what the graph states about cruise "
                             "missile and Zapper 2: `kg describe 'cruise missile'`, "
                             "`kg describe 'Zapper 2'`\n")
    assert run("-q", "query", "counters", "--system", "Zapper 2",
               "--threat", "cruise missile").stderr == ""
    assert run("query", "counters", "--system", "Zapper").stderr == ""  # rows: no note


def test_describe_inferred(run):
    plain = run("describe", "Maker A", "-f", "csv").output
    more = run("describe", "Maker A", "--inferred", "-f", "csv").output
    assert "(inferred)" not in plain and "(inferred)" in more


def test_describe_lists_facts_with_sources(run):
    result = run("describe", "Maker B", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {"statement": "licensee of", "value": "Licensed production of Zapper 2",
            "source": "Test source", "quote": "Maker B builds it under licence."} in rows
    assert {"statement": "cited in", "value": "", "source": "Test source",
            "quote": "Maker B builds it under licence."} in rows


def test_describe_reads_links_from_the_entitys_side(run):
    """Zapper 2 is a variant of Zapper: Zapper "has variant" it (not "variant of of")."""
    rows = list(csv.DictReader(io.StringIO(run("describe", "Zapper", "-f", "csv").output)))
    assert {row["statement"] for row in rows if row["value"] == "Zapper 2"} == {"has variant"}


def test_describe_of_a_source_lists_the_facts_that_quote_it(run):
    rows = list(csv.DictReader(io.StringIO(run("describe", "Test source", "-f", "csv").output)))
    assert {"statement": "quoted by", "value": "Licensed production of Zapper 2",
            "source": "Test source", "quote": "Maker B builds it under licence."} in rows
    assert not [row for row in rows if row["statement"] == "in source of"]  # blank citations


def test_stats_counts_classes_and_sources(run):
    rows = list(csv.DictReader(io.StringIO(run("stats", "-f", "csv").output)))
    counts = {(r["kind"], r["item"]): r["count"] for r in rows}
    assert counts[("class", "licensed production program")] == "1"
    assert counts[("class", "co-production program")] == "1"
    assert counts[("class", "country")] == "2"
    assert counts[("source", "Test source")] == "6"


def test_stats_counts_a_sources_disputing_quotes_among_its_citations():
    """Article 000 disputes its own date of the Iranian attack: those two citations are
    the article's too, so the sources' citations add up to the citation class."""
    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(cli, ["stats", "-f", "csv"]).output)))
    citations = {r["item"]: r["citations"] for r in rows if r["kind"] == "source"}
    [total] = [r["count"] for r in rows if (r["kind"], r["item"]) == ("class", "citation")]
    assert sum(map(int, citations.values())) == int(total)
    assert citations["JAPAN Forward 2024"] == "73"


@pytest.mark.parametrize("args, message", [
    (["query", "nope"], "kg: error: no canned query named 'nope'"),
    (["query", "co-production", "--system", "Zaper"],
     "kg: error: --system 'Zaper': no ak:DefenseSystem has that name; did you mean: Zapper"),
    (["query", "co-production", "--colour", "red"],
     "kg: error: query 'co-production' has no parameter --colour"),
    (["query", "co-production", "--system"], "kg: error: parameter --system needs a value"),
    (["query", "co-production", "--system", "Zapper", "--system=Zapper 2"],
     "kg: error: parameter --system is given twice"),
    (["sparql", "SELECT ?x WHERE {"], "kg: error: invalid SPARQL: error at 1:18"),
    # an IRI that does not parse was once reported as the unknown prefix http:
    (["sparql", "SELECT ?f WHERE { BIND(<http://example.org/a b> AS ?f) }"],
     "kg: error: invalid SPARQL: error at 1:24: invalid IRI <http://example.org/a b>: an IRI "
     "ends at > and holds no space"),
    (["sparql", "SELECT ?f WHERE { ?s <a b> ?o . foo:x ?p ?o }"],
     "kg: error: invalid SPARQL: error at 1:27: an IRI before here does not parse: write it "
     "whole, with a scheme and no spaces (<https://...>), or as a prefixed name (akd:japan)"),
    # a relative IRI ends the query: it is what is wrong, not the end of the query
    (["sparql", "DESCRIBE <x>"],
     "kg: error: invalid SPARQL: error at 1:13: an IRI before here does not parse: write it "
     "whole, with a scheme and no spaces (<https://...>), or as a prefixed name (akd:japan)"),
    (["sparql", "SELECT ?f WHERE { ?s ?p foo:x }"],
     "kg: error: invalid SPARQL: error at 1:25: unknown prefix foo: (declare it: PREFIX foo: <IRI>)"),
    (["sparql", "@/no/such/file.rq"], "kg: error: /no/such/file.rq: file not found"),
    (["sparql", "@"], "kg: error: @ needs a file name: kg sparql @query.rq"),
    (["sparql", " \n# only a comment\n"], "kg: error: the SPARQL query is empty"),
    (["query", "co-production", "-f", "xml"], "kg: error: Invalid value for '--format' / '-f': "
     "'xml' is not one of 'table', 'csv', 'tsv', 'json', 'jsonl', 'markdown' (see 'kg query --help')"),
    (["describe"], "kg: error: Missing argument 'TERM' (see 'kg describe --help')"),
    (["export", "-f", "turtle", "--collapse-facts"], "kg: error: --collapse-facts applies to "
     "graphml, csv and void, not turtle: an RDF export keeps every fact node"),
    (["export"], "kg: error: Missing option '--format' / '-f'. Choose from: turtle, ntriples, "
     "rdfxml, jsonld, trig, nquads, graphml, csv, void (see 'kg export --help')"),
    (["nosuch"], "kg: error: No such command 'nosuch' (see 'kg --help')"),
    (["serve", "--port", "99999"], "kg: error: Invalid value for '--port': 99999 is not in the range"),
    (["serve", "--port", "80abc"],
     "kg: error: Invalid value for '--port': '80abc' is not a valid port number"),
    # nan passed FloatRange and crashed the timer, as did inf and a limit past the timer's
    # --graph was silently ignored without --endpoint, and any text taken as a graph name
    (["sparql", "--graph", "http://example.org/g", "ASK {}"],
     "kg: error: --graph names a graph on the store of --endpoint: give --endpoint too"),
    (["query", "partners", "--graph", "http://example.org/g"],
     "kg: error: --graph names a graph on the store of --endpoint: give --endpoint too"),
    (["push", "--endpoint", "http://127.0.0.1:9/store", "--graph", "not an iri"],
     "kg: error: graph 'not an iri' is not an absolute IRI (Invalid IRI code point ' ')"),
    (["push", "--endpoint", "http://127.0.0.1:9/store", "--graph", ""],
     "kg: error: graph '' is not an absolute IRI (No scheme found in an absolute IRI)"),
    (["sparql", "--endpoint", "http://127.0.0.1:9/q", "--graph", "g", "ASK {}"],
     "kg: error: graph 'g' is not an absolute IRI"),
    (["sparql", "--timeout", "nan", "ASK {}"],
     "kg: error: Invalid value for '--timeout': 'nan' is not a valid number of seconds"),
    (["push", "--endpoint", "http://127.0.0.1:9/store", "--timeout", "3s"],
     "kg: error: Invalid value for '--timeout': '3s' is not a valid number of seconds"),
    (["sparql", "--timeout", "\u0663", "ASK {}"],
     "kg: error: Invalid value for '--timeout': '\u0663' is not a valid number of seconds"),
    (["sparql", "--timeout", "1_0", "ASK {}"],
     "kg: error: Invalid value for '--timeout': '1_0' is not a valid number of seconds"),
    (["sparql", "--timeout", "inf", "ASK {}"],
     "kg: error: Invalid value for '--timeout': inf is not in the range 0<=x<=86400"),
    (["sparql", "--timeout", "99999999999", "ASK {}"],
     "kg: error: Invalid value for '--timeout': 99999999999.0 is not in the range 0<=x<=86400"),
    (["--nope"], "kg: error: No such option '--nope' (see 'kg --help')"),
    (["describe", "nothing"], "kg: error: entity 'nothing': no entity has that name"),
    # kg's own options after the command were "No such option" or taken as parameters
    (["sparql", "-q", "ASK {}"],
     "kg: error: -q is an option of kg itself: give it before the command (kg -q sparql ...)"),
    (["describe", "Zapper", "--data", "."], "kg: error: --data is an option of kg itself: give "
     "it before the command (kg --data DIR describe ...)"),
    (["query", "co-production", "--verbose"], "kg: error: --verbose is an option of kg itself: "
     "give it before the command (kg --verbose query ...)"),
    (["query", "co-production", "--data=."], "kg: error: --data is an option of kg itself"),
    (["validate", "--version"], "kg: error: No such option '--version'"),
])
def test_errors_are_one_line_with_exit_code_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.splitlines()) == 1
    assert "Traceback" not in result.output


def test_every_timeout_option_refuses_what_no_timer_takes():
    """`kg serve --timeout nan` once started, then failed every request."""
    import click

    timeouts = [param for command in cli.commands.values() for param in command.params
                if param.name == "timeout"]
    assert len(timeouts) >= 2  # sparql and serve
    for param in timeouts:
        for bad in ("nan", "NaN", "inf", "-inf", "99999999999"):
            with pytest.raises(click.BadParameter):
                param.type.convert(bad, param, None)
        assert param.type.convert("0", param, None) == 0


@pytest.mark.parametrize("command", [["push"], ["sparql", "ASK {}"], ["query", "partners"]])
def test_a_bad_endpoint_url_is_refused_before_the_graph_is_compiled(run, fresh_cache, command):
    result = run(*command, "--endpoint", "http://[::1")
    assert (result.exit_code, result.output) == (
        2, "kg: error: endpoint 'http://[::1' is not a valid URL (Invalid IPv6 URL)\n")
    assert list(fresh_cache.iterdir()) == []


def test_a_canned_query_gives_a_page_of_its_rows(run):
    whole = run("query", "co-production", "-f", "csv").output.splitlines()
    assert len(whole) == 3  # the header and two rows
    page = run("query", "co-production", "-f", "csv", "--offset", "1", "--limit", "2")
    assert page.stdout.splitlines() == whole[:1] + whole[2:3]
    assert page.stderr == "kg: note: rows 2-2 of 2\n"
    assert run("query", "co-production", "--limit", "2").stderr == ""  # all of them
    past = run("query", "co-production", "--offset", "1000")
    assert past.stderr == "kg: note: --offset 1000 is past all 2 rows\n"
    # no row asked for: it said "--offset 0 is past all 2 rows"
    assert run("query", "co-production", "--limit", "0").stderr == "kg: note: 0 rows of 2\n"
    assert run("query", "co-production", "--limit", "-1").exit_code == 2


def test_kg_sparql_gives_a_page_of_its_rows_or_triples(run):
    select = "SELECT ?s WHERE { ?s a ak:Country } ORDER BY ?s"
    whole = run("sparql", select, "-f", "csv").stdout.splitlines()
    assert len(whole) == 3  # the header and two countries
    page = run("sparql", select, "-f", "csv", "--offset", "1", "--limit", "1")
    assert page.stdout.splitlines() == whole[:1] + whole[2:3]
    assert page.stderr == "kg: note: rows 2-2 of 2\n"
    construct = "CONSTRUCT { ?s a ak:Country } WHERE { ?s a ak:Country }"
    triples = run("sparql", construct, "-f", "ntriples", "--limit", "1")
    assert len(triples.stdout.splitlines()) == 1
    # an ASK's answer is no list to page through
    asked = run("sparql", "ASK { ?s a ak:Country }", "-f", "csv", "--limit", "0")
    assert (asked.stdout, asked.stderr) == ("result\ntrue\n", "")

def test_reserved_parameter_names_are_the_options_of_kg_query():
    """A canned query's parameter of such a name could never be given on the command line."""
    import click

    from kg.catalog import RESERVED_NAMES

    command = cli.commands["query"]
    options = {name.lstrip("-") for param in command.get_params(click.Context(command))
               for name in param.opts if name.startswith("--")}
    assert options == set(RESERVED_NAMES)


def test_export_to_a_folder_that_is_a_file(run, tiny_copy):
    """csv writes two files, so -o names a folder; a file there is left as it was."""
    taken = tiny_copy / "taken"
    taken.write_text("mine")
    result = run("export", "-f", "csv", "-o", str(taken))
    assert result.exit_code == 2
    assert result.output == f"kg: error: {taken}: cannot make a folder there (File exists)\n"
    assert taken.read_text() == "mine"


def test_an_export_that_cannot_be_written_whole_writes_nothing(run, tiny_copy, monkeypatch):
    """nodes.csv was once written before edges.csv failed; a folder kg made is removed."""
    existing = tiny_copy / "out"
    (existing / "edges.csv").mkdir(parents=True)
    result = run("export", "-f", "csv", "-o", str(existing))
    assert result.exit_code == 2
    assert result.output == f"kg: error: {existing}/edges.csv: cannot write (Is a directory)\n"
    assert [p.name for p in existing.iterdir()] == ["edges.csv"]

    import kg.writing

    real_stage = kg.writing.stage

    def full_disk_at_edges(path, data):
        if path.name == "edges.csv":
            raise OSError(28, "No space left on device")
        return real_stage(path, data)

    monkeypatch.setattr(kg.writing, "stage", full_disk_at_edges)
    made = tiny_copy / "made"
    assert run("export", "-f", "csv", "-o", str(made)).exit_code == 2
    assert not made.exists()
    # the folders made for it too: they were left behind
    assert run("export", "-f", "csv", "-o", str(made / "sub" / "csv")).exit_code == 2
    assert not made.exists()


def test_a_broken_canned_query_is_named_by_file_line_and_column(run, tiny_copy):
    broken = tiny_copy / "queries" / "broken.rq"
    broken.write_text("# title: Broken\nSELECT ?s WHERE {\n  ?s ?p\n}\n")
    result = run("query", "broken")
    assert result.exit_code == 2
    # 5:1 is the end of the file, where the pattern `?s ?p` is still unfinished
    assert result.output == (f"kg: error: {broken}:5:1: invalid SPARQL: ?s ?p at 3:3 is "
                             "followed by no object: a triple pattern needs a subject, a "
                             "predicate and an object\n")


def test_query_help_shows_the_named_query_and_its_parameters(run):
    result = run("query", "co-production", "--help")
    assert result.exit_code == 0
    assert "Query co-production:\n  Who co-produces what\n" in result.output
    assert "  --system ak:DefenseSystem  optional: only programs for this system or its\n" \
        in result.output
    assert "Query " not in run("query", "--help").output


def test_query_help_of_no_query_is_its_error(run):
    """It was the help of `kg query`, with exit 0, as if the name were right."""
    result = run("query", "counterz", "--help")
    assert (result.exit_code, result.output) == (
        2, "kg: error: no canned query named 'counterz'; did you mean: counters? (see `kg queries`)\n")


def test_query_help_gives_the_file_of_its_sparql_unwrapped(tiny_copy, tmp_path_factory):
    """A starting point for your own query; a wheel's copy is deep in site-packages."""
    deep = tmp_path_factory.mktemp("long") / ("a-folder-name-long-enough-to-be-wrapped-" * 2)
    shutil.copytree(tiny_copy, deep)
    result = CliRunner().invoke(cli, ["--data", str(deep), "query", "counters", "--help"])
    assert result.output.endswith(f"SPARQL of counters:\n  {deep / 'queries' / 'counters.rq'}\n")


def test_bare_kg_shows_the_help():
    result = CliRunner().invoke(cli, [], prog_name="kg")
    assert result.exit_code == 2
    assert result.output.startswith("Usage: kg [OPTIONS] COMMAND [ARGS]...")
    assert "Examples:" in result.output


def test_missing_data_folder(run, tmp_path):
    result = run("stats", data=tmp_path / "missing")
    assert result.exit_code == 2
    assert result.output == f"kg: error: {tmp_path / 'missing'}: data folder not found\n"


def kg_process(*args, **env):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


@pytest.mark.parametrize("timeout", ["60", "0"])
def test_ctrl_c_is_exit_130_with_one_line(tiny_copy, timeout):
    """click turned it into "Aborted!" and exit 1, as if a validation had failed. Without
    a time limit (0), the query ran in the main thread, which Ctrl-C could not stop."""
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "--data", str(tiny_copy), "sparql", "--timeout", timeout,
         "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(3)  # into the query (a shell's background job would ignore SIGINT)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:  # a process Ctrl-C did not stop kept a CPU busy long after the test failed
        process.kill()
    assert (process.returncode, out, err.strip()) == (130, "", "kg: interrupted")


def test_real_process_query_and_error(tiny_copy):
    done = kg_process("--data", str(tiny_copy), "query", "co-production", "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "system,program,participant,role,country,since,source,quote"
    failed = kg_process("--data", str(tiny_copy), "query", "co-production", "--system", "nothing")
    assert failed.returncode == 2
    assert failed.stderr.startswith("kg: error: --system 'nothing'")
    assert "Traceback" not in failed.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_one_line(tiny_copy):
    """A full disk once gave an OSError traceback (and Python's 'Exception ignored')."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "kg", "--data", str(tiny_copy), "query",
                               "co-production"], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=300)
    assert (done.returncode, done.stderr) == (
        2, "kg: error: cannot write the output (No space left on device)\n")


@pytest.mark.parametrize("args", [["query", "co-production", "-f", "csv"],
                                  ["export", "-f", "ntriples"],
                                  ["export", "-f", "ntriples", "-o", "/dev/stdout"],
                                  ["--help"], ["--version"], ["query", "--help"]])
def test_a_closed_output_ends_quietly_with_its_own_code(tiny_copy, args):
    """`kg query ... | head` exited 1, which means "validation found problems"; so did
    `kg --help | head` with a reader that left (click's own exit for a broken pipe)."""
    process = subprocess.Popen([sys.executable, "-m", "kg", "--data", str(tiny_copy), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before kg writes anything
    stderr = process.stderr.read()
    assert (process.wait(300), stderr) == (141, b"")


@pytest.mark.parametrize("args", [
    ["export", "-f", "nquads"],
    # a table or Markdown is written at once, and a text stream drops a partial write's count
    ["-q", "sparql", "SELECT * WHERE { ?s ?p ?o }"],
    ["sparql", "-f", "markdown", "SELECT * WHERE { ?s ?p ?o }"],
])
def test_an_output_closed_halfway_through_ends_with_141(args):
    """`kg export -f nquads | head -1` exited 0: the pipe took part of the one large write
    and the stream returned that count, which was not checked."""
    repo = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-m", "kg", "--data", str(repo), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(1)  # kg is writing: far more than a pipe holds
    process.stdout.close()
    stderr = process.stderr.read()
    assert (process.wait(300), stderr) == (141, b"")


@pytest.mark.parametrize("args, code", [(["query", "co-production"], 141),
                                        (["export", "-f", "ntriples"], 141),
                                        (["export", "-f", "ntriples", "-o", "out.nt"], 0)])
def test_a_closed_standard_output(tiny_copy, args, code):
    """`kg ... >&-` gave a traceback (sys.stdout is None); output ends as for `| head`."""
    done = subprocess.run([sys.executable, "-m", "kg", "--data", str(tiny_copy), *args],
                          cwd=tiny_copy, stderr=subprocess.PIPE, text=True, timeout=300,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == code and "Traceback" not in done.stderr
    assert done.stderr == ("" if code else f"kg: wrote out.nt ({(tiny_copy / 'out.nt').stat().st_size} bytes)\n")


def test_a_closed_standard_input_reads_as_empty(tiny_copy):
    """`kg sparql - <&-` gave a traceback: sys.stdin is None."""
    done = subprocess.run([sys.executable, "-m", "kg", "--data", str(tiny_copy), "sparql", "-"],
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.close(0))
    assert (done.returncode, done.stderr) == (2, "kg: error: the SPARQL query is empty\n")


NON_ASCII = 'SELECT ?a WHERE { BIND("日本" AS ?a) }'
JAPANESE_LABEL = """@prefix akd: <https://w3id.org/alliance-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
akd:land-a rdfs:label "日本"@ja .
"""


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args, expected", [
    # the formats programs read: UTF-8, as their specs say, whatever the locale
    (["sparql", "-f", "csv", NON_ASCII], "a\n日本\n".encode()),
    (["sparql", "-f", "jsonl", NON_ASCII], '{"a": "日本"}\n'.encode()),
    (["sparql", "-f", "markdown", NON_ASCII], "| a |\n| --- |\n| 日本 |\n".encode()),
    # a table is for the terminal: what its encoding lacks is escaped
    (["sparql", NON_ASCII], b"a\n" + b"-" * 12 + b"\n\\u65e5\\u672c\n(1 row)\n"),
])
def test_non_ascii_output_in_a_narrower_locale(tiny_copy, encoding, args, expected):
    """An ASCII or Latin-1 standard output (PYTHONIOENCODING, a C locale of old) made any
    non-ASCII value a UnicodeEncodeError traceback with exit code 1."""
    done = subprocess.run([sys.executable, "-m", "kg", "--data", str(tiny_copy), *args],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": encoding},
                          timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, b"")


@pytest.mark.parametrize("fmt, expected", [("json", '"value": "\\"日本\\"@ja"'.encode()),
                                           ("turtle", 'sh:value "日本"@ja'.encode()),
                                           ("text", b'(value "\\u65e5\\u672c"@ja)')])
def test_validation_report_in_a_latin1_locale(tiny_copy, tmp_path, fmt, expected):
    candidate = tmp_path / "japanese.ttl"
    candidate.write_text(JAPANESE_LABEL, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "--data", str(tiny_copy), "validate",
                           "-f", fmt, str(candidate)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1"}, timeout=300)
    assert b"Traceback" not in done.stderr
    assert expected in done.stdout


def test_real_process_uses_the_data_environment_variable(tiny_copy):
    done = kg_process("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?c a ak:Company }", "-f", "csv",
                      KG_DATA=str(tiny_copy))
    assert done.stdout == "n\n2\n"


def test_validate_tiny_graph_conforms(run):
    result = run("validate")
    assert result.exit_code == 0, result.output
    # the tiny graph's invented countries have no Wikidata IDs: hints, which do not fail
    assert result.output.endswith("conforms: 0 violations, 0 warnings, 2 infos\n")


def test_validate_reports_a_broken_fact_with_exit_code_1(run, tiny_copy):
    (tiny_copy / "data" / "broken.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "@prefix akc: <https://w3id.org/alliance-kg/concept/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'akd:lonely-mou a ak:Agreement ; ak:agreementType akc:mou ; rdfs:label "Lonely MoU"@en ;\n'
        "    ak:party akd:land-a .\n")
    result = run("validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    broken = tiny_copy / "data" / "broken.ttl"
    assert lines[:2] == [  # the count of participants at the one written (as ak:party)
        f"{broken}:5:1: violation: akd:lonely-mou ak:citation: Every fact, defense system and "
        f"grouping must cite a source: add ak:citation [ ak:inSource <source> ; ak:quote "
        f"\"exact words\" ]. [aks:CitationRequiredProperty]",
        f"{broken}:6:5: violation: akd:lonely-mou ak:participant: Every agreement needs at least "
        f"two participants: add ak:party (or another role) for each side. "
        f"[aks:AgreementParticipantsProperty]"]
    assert lines[-1] == "does not conform: 2 violations, 0 warnings, 2 infos"
    problems = json.loads(run("validate", "--format", "json").stdout)
    assert {(p["severity"], p["focus"], p["path"]) for p in problems} == {
        ("violation", "akd:lonely-mou", "ak:participant"), ("violation", "akd:lonely-mou", "ak:citation"),
        ("info", "akd:land-a", "skos:exactMatch"), ("info", "akd:land-b", "skos:exactMatch")}


def test_validate_fail_on_warning(run, tiny_copy):
    mou = tiny_copy / "data" / "tiny.ttl"
    # a program without a system is a warning, not a violation
    mou.write_text(mou.read_text().replace("    ak:concernsSystem akd:zapper-2 ; ak:licensor", "    ak:licensor"))
    assert run("validate").exit_code == 0
    failing = run("validate", "--fail-on", "warning")
    assert failing.exit_code == 1
    assert f"{mou}:28:1: warning: akd:zapper-licence ak:concernsSystem:" in failing.output


@pytest.mark.parametrize("args, expected", [
    (["--version"], f"kg, version {__version__}"),
    (["--help"], "Usage: kg [OPTIONS] COMMAND [ARGS]..."),
    (["queries", "-f", "csv"], "name,title,parameters"),
    (["query", "members", "-f", "csv"], "grouping,kind,member,since,source,quote"),
    (["sparql", "ASK { ?s a ak:Company }", "-f", "csv"], "result"),
    (["describe", "Zapper", "-f", "csv"], "statement,value,source,quote"),
    (["stats", "-f", "csv"], "kind,item,count,citations"),
    (["validate"], "/"),
    (["validate", "--syntax-only", str(Path(__file__).parent / "fixtures" / "tiny.ttl")], ""),
    (["fmt", "--check"], "would reformat "),
])
def test_every_command_in_a_real_process(tiny_copy, args, expected):
    done = kg_process("--data", str(tiny_copy), *args)
    assert done.returncode == (1 if args[0] == "fmt" else 0), done.stderr
    assert (done.stdout.splitlines() or [""])[0].startswith(expected)
    assert "Traceback" not in done.stderr


def test_add_in_a_real_process(tiny_copy, tmp_path):
    candidate = tmp_path / "more.ttl"
    candidate.write_text('<https://w3id.org/alliance-kg/id/zapper> '
                         '<http://www.w3.org/2004/02/skos/core#altLabel> "ZAP"@en .\n')
    done = kg_process("--data", str(tiny_copy), "add", str(candidate), "--sources", str(tmp_path))
    assert (done.returncode, done.stderr) == (0, f"added 1 triple to {tiny_copy / 'data' / 'tiny.ttl'}\n")


# a blank-node subject once went unchecked, and was merged into data/
@pytest.mark.parametrize("subject, focus", [("akd:zapper", "akd:zapper"),
                                            ("_:z a ak:Agreement ;", "[]")])
def test_add_refuses_a_bad_candidate_and_writes_nothing(run, tiny_copy, tmp_path, subject, focus):
    before = {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()}
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                   "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                   f"{subject} ak:countres akd:land-a .\n")
    result = run("add", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3:{len(subject) + 2}: violation: {focus} ak:countres: ak:countres is not " \
           "declared by the ontology (did you mean ak:counters, ak:country?)" \
           in result.stdout
    assert result.stderr.endswith("kg: nothing written: fix the violations above\n")
    assert {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()
            if p.suffix == ".ttl"} == before


def test_add_refuses_a_relative_iri_without_base_and_writes_nothing(run, tiny_copy, tmp_path):
    """It once became file:///<the candidate's folder>/zapper-2, merged with a warning."""
    before = {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()}
    relative = tmp_path / "relative.ttl"
    relative.write_text('<zapper-2> <http://www.w3.org/2004/02/skos/core#altLabel> "Z2"@en .\n')
    result = run("add", str(relative))
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {relative}:1:1: <zapper-2> is a relative IRI, and no @base resolves it: "
           "write a prefixed name (akd:name) or a full IRI, or declare @base\n")
    assert {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()} == before


def test_add_refuses_standard_input_and_writes_nothing(run, tiny_copy):
    before = {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()}
    result = run("add", "-", input=b'<https://w3id.org/alliance-kg/id/zapper> '
                                   b'<http://www.w3.org/2004/02/skos/core#altLabel> "Z"@en .')
    assert (result.exit_code, result.stderr) == (
        2, "kg: error: kg add reads candidate files, not standard input (-): save the Turtle to "
           "a file named for what it adds, then add that file\n")
    assert {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()} == before


def test_add_merges_into_the_subjects_file_then_validates_clean(run, tiny_copy, tmp_path):
    good = tmp_path / "more.ttl"
    good.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                    "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                    'akd:zapper skos:altLabel "Zapper One"@en .\n')
    result = run("add", str(good))
    assert result.exit_code == 0, result.output
    # no note that quotes went unchecked: it adds none
    assert result.stderr == f"added 1 triple to {tiny_copy / 'data' / 'tiny.ttl'}\n"
    assert '"Zapper One"@en' in (tiny_copy / "data" / "tiny.ttl").read_text()
    assert run("validate").exit_code == 0
    assert run("query", "co-production", "--system", "zapper one").exit_code == 0
    assert run("add", str(good)).stderr == "added 0 triples to no file (all already there)\n"
    good.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                    "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                    'akd:zapper ak:citation [ ak:inSource akd:source-test ; ak:quote "It is light." ] .\n')
    assert run("add", str(good)).stderr == (
        f"added 3 triples to {tiny_copy / 'data' / 'tiny.ttl'}\n"
        "kg: note: 1 new quote not checked against its source (add --sources DIR)\n")
    # a quote the graph cites already from that source is checked (as kg validate counts)
    good.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                    "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                    "akd:zapper ak:citation [ ak:inSource akd:source-test ; "
                    'ak:quote "Maker A designs the Zapper." ] .\n')
    assert run("add", str(good)).stderr == f"added 3 triples to {tiny_copy / 'data' / 'tiny.ttl'}\n"


def test_add_fail_on_warning_writes_nothing_for_a_warning(run, tiny_copy, tmp_path):
    """A warned candidate (a fact entered twice, an event without a date) could only be
    merged: kg add had no --fail-on, as kg validate has."""
    before = {p: p.read_bytes() for p in (tiny_copy / "data").glob("*.ttl")}
    undated = tmp_path / "undated.ttl"
    undated.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                       "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                       "@prefix akc: <https://w3id.org/alliance-kg/concept/> .\n"
                       "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                       'akd:zap-summit a ak:Summit ; ak:eventType akc:summit ; rdfs:label "Zap summit"@en ;\n'
                       '    ak:citation [ ak:inSource akd:source-test ; ak:quote "Maker A designs the Zapper." ] .\n')
    refused = run("add", str(undated), "--fail-on", "warning")
    assert refused.exit_code == 1
    assert refused.stdout.endswith("[aks:EventDateMissingProperty]\n")
    assert refused.stderr == "kg: nothing written: fix the problems of warning severity or worse above\n"
    assert {p: p.read_bytes() for p in (tiny_copy / "data").glob("*.ttl")} == before
    merged = run("add", str(undated))
    assert merged.exit_code == 0 and "[aks:EventDateMissingProperty]" in merged.stdout


def test_fmt_check_then_fmt(run, tiny_copy):
    tiny = tiny_copy / "data" / "tiny.ttl"
    lines = tiny.read_text().count("\n")
    with tiny.open("a") as data:  # a note left in a comment, which fmt drops: it said nothing
        data.write("# TODO: check the licence date\n")
    note = (f"kg: note: {tiny}:{lines + 1}: a comment past the file's leading comments, which "
            "the canonical form drops: keep what it says in a skos:editorialNote\n")
    checked = run("fmt", "--check")
    assert (checked.exit_code, checked.stdout, checked.stderr) == (1, f"would reformat {tiny}\n", note)
    formatted = run("fmt")
    assert (formatted.stdout, formatted.stderr) == (f"reformatted {tiny}\n", note)
    again = run("fmt", "--check")
    assert (again.exit_code, again.stdout) == (0, "")
    assert "TODO" not in tiny.read_text()


def test_fmt_leaves_a_read_only_data_file_as_it_is(run, tiny_copy):
    tiny = tiny_copy / "data" / "tiny.ttl"
    before = tiny.read_bytes()
    tiny.chmod(0o444)
    refused = run("fmt")
    assert refused.exit_code == 2 and tiny.read_bytes() == before
    assert refused.stderr.startswith(f"kg: error: {tiny}: is read-only (mode 0444): nothing written")


def test_fmt_diff_shows_the_changes_and_writes_nothing(run, tiny_copy, monkeypatch):
    monkeypatch.chdir(tiny_copy)  # files are named from the current folder, for patch -p0
    tiny = tiny_copy / "data" / "tiny.ttl"
    before = tiny.read_bytes()
    shown = run("fmt", "--diff")
    assert shown.exit_code == 1 and tiny.read_bytes() == before
    diff = shown.stdout.splitlines(keepends=True)
    assert diff[:2] == ["--- data/tiny.ttl\n", "+++ data/tiny.ttl\n"]
    assert "-akd:land-a a ak:Country ; rdfs:label \"Land A\"@en ; ak:iso3166Alpha2 \"AA\" .\n" in diff
    assert "+akd:land-a\n" in diff and "+    ak:iso3166Alpha2 \"AA\" ;\n" in diff
    run("fmt")
    # The diff takes the file to what kg fmt writes: its kept lines and its + lines.
    assert "".join(line[1:] for line in diff[2:] if line[0] in " +") == tiny.read_text()
    again = run("fmt", "--diff")
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr == "all data files are in canonical form\n"


def test_fmt_diff_ends_a_file_name_with_a_space_by_a_tab(run, tiny_copy, monkeypatch):
    """patch reads a name up to a tab (where diff -u writes the date): `my notes.ttl`
    was looked for as `my`."""
    monkeypatch.chdir(tiny_copy)
    (tiny_copy / "data" / "tiny.ttl").rename(tiny_copy / "data" / "my notes.ttl")
    diff = run("fmt", "--diff").stdout.splitlines()
    assert diff[:2] == ["--- data/my notes.ttl\t", "+++ data/my notes.ttl\t"]


def test_fmt_diff_marks_a_last_line_without_line_feed(run, tiny_copy):
    """...as diff -u does, so that patch gives the file its final line feed."""
    run("fmt")
    tiny = tiny_copy / "data" / "tiny.ttl"
    tiny.write_text(tiny.read_text().rstrip("\n"))
    shown = run("fmt", "--diff")
    assert shown.exit_code == 1
    assert shown.stdout.endswith(" ;\n-.\n\\ No newline at end of file\n+.\n")


def test_export_turtle_round_trips_and_is_deterministic(run, tiny_copy):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    first, second = run("export", "-f", "turtle"), run("export", "-f", "turtle")
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes
    exported = Graph().parse(data=first.stdout_bytes, format="turtle")
    from kg.store import open_graph

    assert isomorphic(exported, open_graph(tiny_copy).rdflib_graph())


def test_export_of_one_file_to_a_folder_is_refused(run, tmp_path):
    """`-o out/` once wrote the Turtle into a new file named `out`."""
    result = run("export", "-f", "turtle", "-o", f"{tmp_path}/out/")
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {tmp_path}/out/: a folder, but --format turtle writes one file: name it "
           f"(-o {tmp_path}/out/alliance-kg.ttl)\n")
    assert not (tmp_path / "out").exists()
    result = run("export", "-f", "ntriples", "-o", str(tmp_path))   # a folder already there
    assert result.exit_code == 2 and "a folder, but --format ntriples" in result.stderr


def test_export_to_dash_is_standard_output(run, tiny_copy, monkeypatch):
    """`-o -` wrote a file named "-" into the current folder."""
    monkeypatch.chdir(tiny_copy)
    to_dash, plain = run("export", "-f", "ntriples", "-o", "-"), run("export", "-f", "ntriples")
    assert (to_dash.exit_code, to_dash.stdout_bytes) == (0, plain.stdout_bytes)
    assert not Path("-").exists() and plain.stdout_bytes


@pytest.mark.parametrize("fmt", ["csv", "turtle"])
def test_export_to_an_empty_path_is_refused(run, tmp_path, monkeypatch, fmt):
    """`-o "$OUT"` with $OUT unset wrote csv's files into the current folder."""
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = run("export", "-f", fmt, "-o", "")
    assert (result.exit_code, result.stderr) == (
        2, "kg: error: -o '' names no file: give a file (a folder for csv), or - for "
           "standard output\n")
    assert not list((tmp_path / "here").iterdir())


def test_export_csv_needs_a_folder(run, tmp_path):
    refused = run("export", "-f", "csv")
    assert (refused.exit_code, refused.stderr) == (
        2, "kg: error: --format csv writes nodes.csv, edges.csv: give a folder with -o\n")
    done = run("export", "-f", "csv", "-o", str(tmp_path / "pg" / "a" / "b"), "--collapse-facts")
    assert done.exit_code == 0  # the folder is made, with its parents (as the README says)
    assert sorted(p.name for p in (tmp_path / "pg" / "a" / "b").iterdir()) == [
        "edges.csv", "nodes.csv"]
    # a one-file format's folder must exist
    missing = tmp_path / "nodir" / "x.ttl"
    refused = run("export", "-f", "turtle", "-o", str(missing))
    assert (refused.exit_code, refused.stderr) == (
        2, f"kg: error: {missing}: cannot write (No such file or directory)\n")
    assert not (tmp_path / "nodir").exists()


def test_serve_in_a_real_process(tiny_copy):
    import urllib.parse
    import urllib.request

    server = subprocess.Popen([sys.executable, "-m", "kg", "--data", str(tiny_copy), "serve",
                               "--port", "0"], stderr=subprocess.PIPE, text=True,
                              env={**os.environ})
    try:
        line = server.stderr.readline()
        assert line.startswith("kg: serving http://127.0.0.1:") and line.endswith("/sparql (Ctrl-C stops)\n")
        endpoint = line.split()[2]
        query = urllib.parse.urlencode({"query": "SELECT ?c WHERE { ?c a ak:Company } ORDER BY ?c"})
        request = urllib.request.Request(f"{endpoint}?{query}", headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.read().decode() == (
                "c\r\nhttps://w3id.org/alliance-kg/id/maker-a\r\nhttps://w3id.org/alliance-kg/id/maker-b\r\n")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # SIGTERM stops it as Ctrl-C does: cleanly, with its query processes
    assert server.returncode == 0 and server.stderr.read() == ""


def test_every_predeclared_prefix_is_documented(run):
    from kg.namespaces import PREFIXES

    help_text = " ".join(run("sparql", "--help").output.split())
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").split())
    listed = readme[readme.index("In `kg sparql` the prefixes"):].split("need no declaration")[0]
    for prefix in PREFIXES:
        assert f" {prefix}:," in help_text or f" {prefix}: " in help_text, prefix
        assert f"`{prefix}:`" in listed, prefix


def test_serve_on_a_port_in_use_is_one_line_with_exit_code_2(run):
    """The port's OSError was masked by a traceback from closing answerers not yet made."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), "--workers", "1")
    assert result.exit_code == 2
    assert result.output == f"kg: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
