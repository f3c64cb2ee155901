"""kg validate on candidate files: only the problems they bring in, each at its line."""

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from conftest import REPO, SEEDS
from kg.namespaces import AK, AKD, AKS
from kg.cli import cli

CANDIDATES = Path(__file__).parent / "fixtures" / "candidates"
MISTAKES = CANDIDATES / "mistakes.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
UNCHECKED = "kg: note: 1 new quote not checked against its source (add --sources DIR)\n"
BATTERIES = '"It also has 17 PAC-3 batteries dispersed to protect Tokyo and other key locations."'


def validate(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)], catch_exceptions=False)


def candidate_file(folder: Path, *lines: str) -> Path:
    """A candidate Turtle file: the ak: and akd: prefixes (lines 1-2), then `lines`."""
    candidate = folder / "candidate.ttl"
    candidate.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                         "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                         + "".join(line + "\n" for line in lines))
    return candidate


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
def test_a_good_candidate_conforms():
    result = validate(CANDIDATES / "good.ttl", "--sources", SEEDS)
    assert result.exit_code == 0, result.output
    assert result.output == "conforms: 0 violations, 0 warnings, 0 infos\n"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
def test_every_mistake_is_reported_at_its_line_with_what_to_do():
    result = validate(MISTAKES, "--sources", SEEDS)
    assert result.exit_code == 1
    where = str(MISTAKES)
    assert result.stdout.splitlines() == [
        f'{where}:9:16: violation: akd:test-mou rdfs:label (value "Japan"@en): this label also '
        "names akd:japan: if it is the same entity, use that node; if not, make the labels "
        "distinct. [kg:duplicate-label]",
        f"{where}:10:5: violation: akd:test-mou ak:partcipant: ak:partcipant is not declared by the "
        "ontology (did you mean ak:participant?): use a declared "
        "property. [kg:undeclared-property]",
        # the shape counts ak:participant, which the file writes as ak:party
        f"{where}:11:5: violation: akd:test-mou ak:participant: Every agreement needs at least two "
        "participants: add ak:party (or another role) for each side. [aks:AgreementParticipantsProperty]",
        f"{where}:11:14: violation: akd:test-mou ak:party: ak:party expects a project entity (akd:) or "
        "concept (akc:), not http://example.org/korea: link to the akd: node for it, or create "
        "one. [kg:outside-namespace]",
        f'{where}:12:13: violation: akd:test-mou ak:date: "abc"^^xsd:date is not a valid xsd:date: '
        "write the value in that type's form (e.g. 2023-11-12 for xsd:date), or use the type "
        "that fits it. [kg:ill-typed-literal]",
        f'{where}:13:62: violation: akd:test-mou ak:citation [...] ak:quote (value "This sentence is not in the '
        'article."): the quote does not appear in 003_e24d1c7b705b8c02.txt: copy it exactly '
        "from the source (white space and typographic quotes may differ). [kg:quote-not-in-source]",
        f"{where}:15:19: violation: akd:test-launch rdf:type: ak:Evnt is not a class the ontology "
        "declares (did you mean ak:Event?): use a declared class. "
        "[kg:undeclared-class]",
        f'{where}:18:13: violation: akd:test-launch ak:date (value "2031-05-01"^^xsd:date): '
        "2031-05-01 is in the future for an "
        "event that is not planned: fix the date, or add ak:status akc:planned if it is "
        "scheduled. [kg:future-date]",
    ]


def test_old_problems_of_touched_nodes_are_not_reported(tmp_path):
    """akd:us-japan-bmd-research-1980s already lacks a system (a warning); a new citation
    for it brings in nothing."""
    candidate = candidate_file(
        tmp_path, "akd:us-japan-bmd-research-1980s ak:citation [ ak:inSource akd:source-aaf-2015 ;",
        '  ak:quote "U.S.-Japan missile defense cooperation dates back to the 1980s" ] .')
    result = validate(candidate, "--fail-on", "info")
    assert result.exit_code == 0, result.output


def test_a_problem_with_a_statement_of_a_data_file_is_placed_in_that_file(tmp_path):
    """The candidate gives China Japan's label, so Japan's own label (in countries.ttl) is
    a duplicate too; that was placed at the candidate's note on Japan, which says nothing
    of labels."""
    candidate = candidate_file(tmp_path, "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
                               "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
                               'akd:japan skos:editorialNote "A note."@en .',
                               'akd:china rdfs:label "Japan"@en .')
    countries = Path(__file__).parents[1] / "data" / "countries.ttl"
    label_line = countries.read_text().splitlines().index('    rdfs:label "Japan"@en ;') + 1
    problems = json.loads(validate(candidate, "--format", "json").stdout)
    assert {(Path(p["file"]).name, p["line"], p["focus"]) for p in problems
            if p["shape"] == "kg:duplicate-label"} == {
        ("countries.ttl", label_line, "akd:japan"), ("candidate.ttl", 6, "akd:china")}


def test_json_and_turtle_reports():
    problems = json.loads(validate(MISTAKES, "--format", "json").stdout)
    assert {(p["line"], p["shape"]) for p in problems} >= {(10, "kg:undeclared-property"),
                                                          (15, "kg:undeclared-class")}
    assert all(p["file"] == str(MISTAKES) for p in problems)
    report = Graph().parse(data=validate(MISTAKES, "--format", "turtle").stdout, format="turtle")
    assert len(set(report.subjects(None, SH.ValidationResult))) == len(problems)
    assert (None, SH.conforms, None) in report


@pytest.mark.parametrize("fmt", ["text", "json", "turtle"])
def test_a_report_prints_nothing_on_stderr_but_its_verdict(fmt):
    """The JSON report printed rdflib's traceback for the ill-typed "abc"^^xsd:date first:
    Problem.to_dict deep-copied the literal, and rdflib parsed the copy's value again. (A
    process of its own: pytest would capture what rdflib logs.)"""
    done = subprocess.run([sys.executable, "-m", "kg", "validate", MISTAKES, "--format", fmt],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr == "does not conform: 7 violations, 0 warnings, 0 infos\n" + UNCHECKED


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
def test_a_candidate_checked_without_sources_is_told_its_quotes_went_unchecked(tmp_path):
    """A paraphrased quote conformed without a word where kg add noted it."""
    candidate = candidate_file(
        tmp_path, "akd:masashi-murano ak:citation [ ak:inSource akd:source-jt-2023 ;",
        '  ak:quote "Murano said that Japan needs more radars." ] .')
    unchecked = validate(candidate)
    assert unchecked.exit_code == 0
    assert unchecked.stderr == "conforms: 0 violations, 0 warnings, 0 infos\n" + UNCHECKED
    checked = validate(candidate, "--sources", SEEDS)
    assert "[kg:quote-not-in-source]" in checked.stdout
    assert "note" not in checked.stderr


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
def test_a_quote_in_another_source_hides_no_problem_of_its_form(tmp_path):
    """A tagged quote cited from the wrong article was told only of the article; its
    @en came out once that was fixed."""
    candidate = candidate_file(
        tmp_path, f"akd:pac-3 ak:citation [ ak:inSource akd:source-jt-2023 ; ak:quote {BATTERIES}@en ] .")
    shapes = [line.rsplit(" ", 1)[1] for line in validate(candidate, "--sources", SEEDS).stdout.splitlines()]
    assert shapes == ["[aks:QuoteDatatypeProperty]", "[kg:quote-not-in-source]"]


def test_the_unchecked_quotes_note_counts_only_quotes_new_to_the_graph(tmp_path):
    """It was printed for every candidate, one with no quote at all, or one that only
    cites a quote the graph already cites from the same source (checked by a test)."""
    def note(*lines):
        return validate(candidate_file(tmp_path, *lines)).stderr.partition("\n")[2]

    assert note("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
                'akd:japan skos:altLabel "Nippon"@en .') == ""
    assert note(f"akd:masashi-murano ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] .") == ""
    doubled = BATTERIES.replace("17 PAC-3", "17  PAC-3")  # as kg add knows it: the same quote
    assert note(f"akd:masashi-murano ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {doubled} ] .") == ""
    assert note(f"akd:masashi-murano ak:citation [ ak:inSource akd:source-jt-2023 ; ak:quote {BATTERIES} ] ,",
                '  [ ak:inSource akd:source-jt-2023 ; ak:quote "Japan needs more radars." ] .') == (
        "kg: note: 2 new quotes not checked against their sources (add --sources DIR)\n")
    assert "note" not in validate().stderr  # the shipped quotes are checked by a test


def test_the_turtle_report_gives_each_value_as_the_term_it_is():
    """sh:value held the text a problem shows ("\\"abc\\"^^xsd:date", "ak:Evnt") as a
    string, where SHACL has the value itself."""
    report = Graph().parse(data=validate(MISTAKES, "--format", "turtle").stdout, format="turtle")
    values = set(report.objects(None, SH.value))
    assert {Literal("abc", datatype=XSD.date), Literal("Japan", lang="en"),
            URIRef("https://w3id.org/alliance-kg/ontology#Evnt")} <= values
    assert not any(isinstance(v, Literal) and v.datatype is None and not v.language
                   for v in values)


@pytest.mark.parametrize("term", [
    Literal('a "quote", a \\ backslash,\na line break and a\ttab', lang="en-GB"),
    Literal("2023", datatype=XSD.gYear), Literal("x", datatype=URIRef("http://example.org/dt")),
    Literal(""), URIRef("https://w3id.org/alliance-kg/id/japan"), URIRef("http://example.org/a")])
def test_the_report_gives_a_value_back_as_its_term(term):
    from kg.problems import Problem, show
    from kg.validation import Report

    problem = Problem("violation", "akd:x", "ak:date", show(term), "m", "kg:rule", term=term)
    assert set(Report([problem]).as_rdf().objects(None, SH.value)) == {term}


def test_sparql_style_prefix_lines_give_the_same_lines(tmp_path):
    """`kg fmt` writes PREFIX lines, which end without a `.`; they once hid every line."""
    sparql_style = tmp_path / "mistakes.ttl"
    sparql_style.write_text(re.sub(r"@prefix (.*) \.$", r"PREFIX \1", MISTAKES.read_text(),
                                   flags=re.MULTILINE))
    assert "PREFIX ak:" in sparql_style.read_text()

    def places(path):
        return {(p["line"], p["focus"], p["shape"])
                for p in json.loads(validate(path, "--format", "json").stdout)}
    assert places(sparql_style) == places(MISTAKES)


@pytest.mark.parametrize("before", ["", "# İstanbul (a capital whose lower case is longer)\n"])
def test_a_files_prefixes_are_found_in_any_case_and_any_text(before):
    """What SourceIndex.may_state reads to know whether a file may state a subject."""
    from kg.positions import SourceIndex

    text = before + ("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                     "PREFIX Akd: <https://w3id.org/alliance-kg/id/>\n"
                     'akd:x rdfs:comment "prefix  q:<http://q/>"@en .\n'
                     "Prefix\tr:<http://R/>\n")
    assert SourceIndex(Path("f.ttl"), text).directives == ([
        ("ak", "https://w3id.org/alliance-kg/ontology#"), ("Akd", "https://w3id.org/alliance-kg/id/"),
        ("q", "http://q/"), ("r", "http://R/")], False)
    assert SourceIndex(Path("f.ttl"), text + "BaSe <http://b/>\n").directives[1]
    assert SourceIndex(Path("f.ttl"), text + "@base<http://b/> .\n").directives[1]


def test_whole_graph_problems_name_their_data_file_and_line():
    problems = json.loads(validate("--format", "json").stdout)
    assert problems
    assert all(Path(p["file"]).parent.name == "data" and p["line"] > 0 for p in problems)


def test_a_wrong_date_type_in_the_data_is_reported_whatever_its_subject(working_copy, caplog):
    # kg checks date types itself, in place of the shapes, whose targets are every subject
    # of a date property: a subject outside akd: too
    data = working_copy / "data" / "countries.ttl"
    lines = len(data.read_text().splitlines())
    data.write_text(data.read_text() + '<http://example.org/x> '
                    '<https://w3id.org/alliance-kg/ontology#asOf> "2016-05" .\n')
    result = CliRunner().invoke(cli, ["--data", str(working_copy), "validate"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if "violation" in line] == [
        f'{data}:{lines + 1}:69: violation: http://example.org/x ak:asOf: "2016-05" is not a date: '
        "ak:asOf takes an xsd:date, xsd:gYearMonth or xsd:gYear; write "
        '"2016-05"^^xsd:gYearMonth. [kg:date-type]']
    assert not caplog.records  # rdflib logs a Literal it cannot convert (an invalid date)


def test_the_shapes_lint_takes_the_place_of_are_in_the_shapes_file():
    from kg.lint import DATE_PROPERTIES
    from kg.loading import find_inputs, parse_turtle
    from kg.namespaces import expand
    from kg.validation import SUPERSEDED_BY_LINT

    shapes = parse_turtle([find_inputs(Path(__file__).parents[1]).shapes_file])
    skipped = [URIRef(expand(name)) for name in SUPERSEDED_BY_LINT]
    assert all((shape, RDF.type, None) in shapes for shape in skipped)
    date_shapes = [shape for shape, rule in zip(skipped, SUPERSEDED_BY_LINT.values())
                   if rule == "kg:date-type"]
    assert {shapes.value(shape, SH.path) for shape in date_shapes} == set(DATE_PROPERTIES)


@pytest.mark.parametrize("fail_on, code", [("violation", 0), ("warning", 1)])
def test_fail_on(tmp_path, fail_on, code):
    candidate = tmp_path / "undated.ttl"
    candidate.write_text((CANDIDATES / "good.ttl").read_text().replace(
        '    ak:date "2015"^^xsd:gYear ;\n', ""))
    assert validate(candidate, "--fail-on", fail_on).exit_code == code


def test_a_byte_order_mark_is_skipped_and_lines_and_columns_stay_right(tmp_path):
    """Notepad writes one; it was an invalid subject at 1:1."""
    candidate = candidate_file(tmp_path, "akd:pac-3 ak:partie akd:japan .")
    candidate.write_bytes(b"\xef\xbb\xbf" + candidate.read_bytes())
    assert validate(candidate).stdout.startswith(f"{candidate}:3:11: violation: akd:pac-3 ak:partie:")
    broken = b"@prefix ak: <https://w3id.org/alliance-kg/ontology#> . ak:s ak:p ak:o ak:o .\n"
    candidate.write_bytes(broken)
    without_mark = validate(candidate)
    candidate.write_bytes(b"\xef\xbb\xbf" + broken)
    result = validate(candidate)
    assert (result.exit_code, result.stderr) == (2, without_mark.stderr)
    assert result.stderr.startswith(f"kg: error: {candidate}:1:71: A dot is expected")


def test_lines_ended_by_carriage_returns_alone_are_counted(tmp_path):
    """Oxigraph counts them in its syntax errors; the problems were all placed at line 1."""
    candidate = candidate_file(tmp_path, "", "akd:japan ak:partcipant akd:china .")
    candidate.write_bytes(candidate.read_bytes().replace(b"\n", b"\r"))
    problems = json.loads(validate(candidate, "--format", "json").stdout)
    assert [(p["line"], p["shape"]) for p in problems] == [(4, "kg:undeclared-property")]


@pytest.mark.parametrize("document, message", [
    # the error's line was looked up among the lines split at \n alone: an IndexError
    ("\r\r\r0", "6:1: 0 is not a valid subject or graph name"),
    ("\r\r\rakd:a\rak:b “x” .", "7:6: '“' is not allowed"),
    ("akd:a ak:b akd:c\rakd:d ak:b akd:c .", "4:1: A dot is expected at the end of statements (line 3 "),
    ("akd:a ak:b akd:c\r\nakd:d ak:b akd:c .", "4:1: A dot is expected at the end of statements (line 3 "),
    ("akd:a ak:b akd:c .\rakd:a ak:b <<( akd:a ak:b akd:c )>> .", "4:12: <<(: RDF 1.2 syntax"),
])
def test_syntax_errors_count_carriage_returns_as_line_breaks(tmp_path, document, message):
    result = validate(candidate_file(tmp_path, document))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"kg: error: {tmp_path / 'candidate.ttl'}:{message}")


def test_problems_on_one_line_are_told_apart_by_their_columns(tmp_path):
    """A subject written on one long line put all its problems at the same place; a value
    at fault is placed at the value, not at its property."""
    statement = ('  akd:test-mou a ak:Agreement ; ak:partcipant akd:japan ; ak:date "2019-03"^^xsd:date '
                 '; ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quot "x" ] .')
    candidate = candidate_file(tmp_path, "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
                               statement)
    result = validate(candidate, "--format", "json")
    placed = {(p["line"], p["column"], p["shape"]) for p in json.loads(result.stdout)}
    column = {name: statement.index(name) + 1 for name in ("akd:test-mou", "ak:partcipant",
                                                           '"2019-03"', "ak:quot")}
    assert placed >= {(4, column["ak:partcipant"], "kg:undeclared-property"),
                      (4, column['"2019-03"'], "kg:ill-typed-literal"),
                      (4, column["ak:quot"], "kg:undeclared-property"),
                      (4, column["akd:test-mou"], "aks:AgreementTypeProperty")}
    assert column["akd:test-mou"] == 3  # the indent counts
    printed = validate(candidate).stdout.splitlines()
    date_at = column['"2019-03"']
    assert f"{candidate}:4:{date_at}: violation: akd:test-mou ak:date: " \
           '"2019-03"^^xsd:date is not a valid xsd:date: write "2019-03"^^xsd:gYearMonth. ' \
           "[kg:ill-typed-literal]" in printed
    report = Graph().parse(data=validate(candidate, "--format", "turtle").stdout, format="turtle")
    assert Literal(f"{candidate}:4:{column['ak:quot']}") in set(report.objects(None, RDFS.seeAlso))


def test_a_property_named_in_a_note_or_comment_is_not_taken_for_its_statement(tmp_path):
    """A missing date was placed at the note that says why there is none."""
    candidate = candidate_file(
        tmp_path, "@prefix akc: <https://w3id.org/alliance-kg/concept/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        'akd:zz-plan a ak:Event ; ak:eventType akc:exercise ;',                     # line 5
        '    skos:editorialNote "The article gives no day; so no ak:date."@en ; # nor ak:date',
        '    # ak:date would go here',
        f"    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] .")
    missing = [line for line in validate(candidate).stdout.splitlines()
               if "[aks:EventDateMissingProperty]" in line]
    assert [line.split(": ")[0] for line in missing] == [f"{candidate}:5:1"]


def test_relative_iris_under_base_are_reported_at_their_line(tmp_path):
    """They once had no file and line (JSON: "file": "", "line": 0)."""
    candidate = candidate_file(tmp_path, "@base <https://w3id.org/alliance-kg/id/> .",
                               "", "<pac-3> <https://w3id.org/alliance-kg/ontology#partie> <japan> .")
    problems = json.loads(validate(candidate, "--format", "json").stdout)
    assert [(p["file"], p["line"], p["focus"], p["path"]) for p in problems] == [
        (str(candidate), 5, "akd:pac-3", "ak:partie")]


@pytest.mark.parametrize("subject", ["_:z", "[]"])
def test_a_blank_node_subject_is_checked_like_a_named_one(tmp_path, subject):
    """It once conformed (and kg add merged it): only IRIs and their citations were checked."""
    def problems(subject):
        candidate = candidate_file(tmp_path, "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
                                   "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
                                   f"{subject} a ak:Agreement ; ak:partcipant akd:japn ;",
                                   '    ak:date "abc"^^xsd:date ; rdfs:label "Japan"@en .')
        return [(p["line"], p["path"], p["shape"])
                for p in json.loads(validate(candidate, "--format", "json").stdout)]

    named = problems("akd:zz-test")
    assert {"kg:ill-typed-literal", "kg:undeclared-property", "kg:unknown-entity",
            "kg:duplicate-label", "aks:CitationRequiredProperty"} <= {s for _, _, s in named}
    # and, as it has no name, that it should have one
    assert sorted(problems(subject)) == sorted(named + [(5, "", "kg:outside-namespace")])


def test_problems_of_blank_node_subjects_are_placed_in_their_own_statement(tmp_path):
    candidate = candidate_file(
        tmp_path,
        '[] a ak:Agreement ; ak:partcipant akd:japan .',                        # line 3
        '_:b a ak:Event ;',
        '    ak:partcipant akd:south-korea ;',                                   # line 5
        '    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quot "x" ] .',  # line 6
        '[ a ak:Event ; ak:eventType akd:nothing ] .')                          # line 7
    lines = validate(candidate).stdout.splitlines()
    assert [line.split(": ")[0] for line in lines if "[kg:outside-namespace]" in line] == [
        f"{candidate}:3:1", f"{candidate}:4:1", f"{candidate}:7:1"]   # as nameless entities
    assert [line for line in lines if "[kg:" in line and ": violation: " in line] == [
        f"{candidate}:3:21: violation: [] ak:partcipant: ak:partcipant is not declared by the "
        "ontology (did you mean ak:participant?): use a declared "
        "property. [kg:undeclared-property]",
        f"{candidate}:5:5: violation: [] ak:partcipant: ak:partcipant is not declared by the "
        "ontology (did you mean ak:participant?): use a declared "
        "property. [kg:undeclared-property]",
        f"{candidate}:6:53: violation: [] ak:citation [...] ak:quot: ak:quot is not declared by the "
        "ontology (did you mean ak:quote?): use a declared property. "
        "[kg:undeclared-property]",
        f"{candidate}:7:29: violation: [] ak:eventType: akd:nothing is not in the graph (did you "
        "mean akd:china, akd:nato?): link to an existing node, or describe the new "
        "one (with a label and a citation). [kg:unknown-entity]"]
    assert all(line.startswith(f"{candidate}:") for line in lines[:-1])


def test_a_blank_node_subject_is_not_named_by_what_inference_links_to_it(tmp_path):
    """Its ak:party makes Japan ak:participatesIn it, by inference only: its problems were
    shown as akd:japan ak:participatesIn [...] and placed in countries.ttl, or nowhere."""
    candidate = candidate_file(
        tmp_path,
        '[] a ak:Agreement ; ak:party akd:japan , akd:sout-korea .')           # line 3
    lines = validate(candidate).stdout.splitlines()
    assert (
        f"{candidate}:3:42: violation: [] ak:party: akd:sout-korea is not in the graph (did you "
        "mean akd:south-korea?): link to an existing node, "
        "or describe the new one (with a label and a citation). [kg:unknown-entity]") in lines
    assert all(line.startswith(f"{candidate}:3:") and (": [] " in line or ": []: " in line)
               for line in lines)


def test_a_property_outside_the_prefixes_is_placed_at_its_own_line(tmp_path):
    """It was placed at the subject's first line: only CURIEs were looked up."""
    candidate = candidate_file(
        tmp_path,
        "akd:mou-1999-us-japan-bmd ak:party akd:japan ;",                     # line 3
        "    <https://w3id.org/alliance-kg/ontology/party> akd:japan .")      # line 4
    assert validate(candidate).stdout.startswith(
        f"{candidate}:4:5: violation: akd:mou-1999-us-japan-bmd "
        "https://w3id.org/alliance-kg/ontology/party: ")


def test_syntax_error_is_exit_2_with_file_line_column(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\nakd:x akd:y akd:z\n")
    result = validate(broken)
    assert result.exit_code == 2
    assert result.output == (f"kg: error: {broken}:3:1: the file ends inside a statement: "
                             "finish the statement, and end it with a dot\n")


def test_a_candidate_on_standard_input_is_reported_as_stdin():
    on_stdin = CliRunner().invoke(cli, ["validate", "-"], input=MISTAKES.read_bytes())
    assert on_stdin.exit_code == 1
    assert on_stdin.stdout == validate(MISTAKES).stdout.replace(str(MISTAKES), "<stdin>")
    broken = CliRunner().invoke(cli, ["validate", "--syntax-only", "-"], input=b"<a:a> <b:b>")
    assert (broken.exit_code, broken.stderr) == (
        2, "kg: error: <stdin>:1:12: the file ends inside a statement: finish the statement, and "
           "end it with a dot\n")


def test_standard_input_is_read_once_and_a_file_named_dash_is_a_file(tmp_path, monkeypatch):
    twice = CliRunner().invoke(cli, ["validate", "-", "-"], input=b"")
    assert (twice.exit_code, twice.stderr) == (
        2, "kg: error: - (standard input) is given twice: it can be read only once\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_bytes(MISTAKES.read_bytes())
    result = CliRunner().invoke(cli, ["validate", "--syntax-only", "./-"], input=b"<a> <b>")
    assert (result.exit_code, result.stderr) == (0, "1 file: valid Turtle\n")


def test_syntax_only_checks_nothing_else():
    result = validate("--syntax-only", MISTAKES)
    assert result.exit_code == 0
    assert result.output == "1 file: valid Turtle\n"


def test_syntax_only_without_files_checks_the_graphs_own_files(tmp_path):
    (tmp_path / "good.ttl").write_text((CANDIDATES / "good.ttl").read_text())
    (tmp_path / "broken.ttl").write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                                         "akd:x akd:y\n")
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "validate", "--syntax-only"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: {tmp_path / 'broken.ttl'}:3:")
    (tmp_path / "broken.ttl").unlink()
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "validate", "--syntax-only"])
    assert result.exit_code == 0
    assert result.stderr == "4 files: valid Turtle\n"  # ontology, concepts, shapes, good.ttl


@pytest.mark.parametrize("statement, report", [
    # a mistyped link, reported where it is written
    ("akd:mou-1999-us-japan-bmd ak:party akd:south-koreaa .",
     "36: violation: akd:mou-1999-us-japan-bmd ak:party: akd:south-koreaa is not in the graph (did "
     "you mean akd:south-korea?): link to an existing node, or "
     "describe the new one (with a label and a citation). [kg:unknown-entity]"),
    # a concept is declared in the ontology, not described with a citation as an entity is
    ("akd:glide-phase-interceptor ak:status <https://w3id.org/alliance-kg/concept/planed> .",
     "39: violation: akd:glide-phase-interceptor ak:status: akc:planed is not in the graph (did "
     "you mean akc:planned?): link to an existing node, or declare the new concept in "
     "ontology/concepts.ttl. [kg:unknown-entity]"),
    # a blank-node citation: the focus nodes and the validated graph must name it alike,
    # or its own shape's findings are dropped (they once were)
    # what is inside a citation is checked as well (it once passed, and kg add merged it)
    (f"akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ; "
     "ak:pageNumber 3 ] .",
     "155: violation: akd:pac-3 ak:citation [...] ak:pageNumber: ak:pageNumber is not declared by the "
     "ontology (did you mean ak:member, ak:hasMember, ak:memberOf?): use a declared property. "
     "[kg:undeclared-property]"),
    (f"akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2051 ; ak:quote {BATTERIES} ] .",
     "37: violation: akd:pac-3 ak:citation [...] ak:inSource: akd:source-aaf-2051 is not in the graph "
     "(did you mean akd:source-aaf-2015?): link to an "
     "existing node, or describe the new one (with a label and a citation). [kg:unknown-entity]"),
    # not five source shapes failing on akd:japan, in a shipped file
    # a citation written twice
    (f"akd:tokyo ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] , "
     f"[ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] .",
     f"68: warning: akd:tokyo ak:citation [...] ak:quote (value {BATTERIES}): akd:tokyo cites this "
     "quote of akd:source-aaf-2015 twice: keep one of the two citations, with an ak:supports "
     "for each statement the quote backs. [kg:duplicate-citation]"),
    (f"akd:pac-3 ak:citation [ ak:inSource akd:japan ; ak:quote {BATTERIES} ] .",
     "37: violation: akd:pac-3 ak:citation [...] ak:inSource: akd:japan is a ak:Country, not a "
     "source: ak:inSource names the article the quote comes from. [kg:not-a-source]"),
    ('akd:pac-3 <http://www.w3.org/2004/02/skos/core#altLabel> "Patriot PAC-3"@jp .',
     '58: warning: akd:pac-3 skos:altLabel (value "Patriot PAC-3"@jp): the tag @jp is not @en, the '
     "graph's language: tag English text @en; keep another tag only on a name in that "
     "language. [kg:language-tag]"),
    # a label that kg describe reads as another node's (copied from an article, with a
    # typographic apostrophe and a double space) once passed as a new name
    ('akd:pac-3 <http://www.w3.org/2004/02/skos/core#altLabel> "David\\u2019s  Sling"@en .',
     '11: violation: akd:pac-3 skos:altLabel (value "David\u2019s  Sling"@en): this label also names '
     "akd:davids-sling: if it is the same entity, use that node; if not, make the labels "
     "distinct. [kg:duplicate-label]"),
    # an undeclared property is one problem, however many values it has
    ("akd:mou-1999-us-japan-bmd ak:partie akd:japan, akd:united-states .",
     "27: violation: akd:mou-1999-us-japan-bmd ak:partie: ak:partie is not declared by the "
     "ontology (did you mean ak:party, ak:partOf, ak:date?): use a declared property. "
     "[kg:undeclared-property]"),
    # a typo in an RDF, RDFS or OWL name: those namespaces were skipped whole, so it
    # conformed, and the node was left without the label the curator meant to give
    ('akd:pac-3 <http://www.w3.org/2000/01/rdf-schema#lable> "Patriot"@en .',
     "11: violation: akd:pac-3 rdfs:lable: rdfs:lable is not declared by the ontology (did you "
     "mean rdfs:label?): use a declared property. "
     "[kg:undeclared-property]"),
    # ak:supports names a property: a typo gets the nearest, a property the node does not
    # state is a citation hung on the wrong node
    (f"akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ; "
     "ak:supports ak:operatr ] .",
     "167: violation: akd:pac-3 ak:citation [...] ak:supports: ak:operatr is not a property the "
     "ontology declares (did you mean ak:operator, ak:operatorIn, ak:operates?): name the "
     "property whose statement on the cited node the quote states. [kg:undeclared-property]"),
    (f"akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ; "
     "ak:supports ak:operator ] .",
     "167: violation: akd:pac-3 ak:citation [...] ak:supports (value ak:operator): The node this "
     "citation belongs to states nothing with this property: ak:supports names one of the "
     "node's own properties whose statement the quote states, such as ak:developer. "
     "[aks:SupportedStatementShape]"),
    # rdflib would normalise it to "P0D" before lint saw it (it once did)
    ('akd:mou-1999-us-japan-bmd ak:duration "PT"^^<http://www.w3.org/2001/XMLSchema#duration> .',
     '39: violation: akd:mou-1999-us-japan-bmd ak:duration: "PT"^^xsd:duration is not a valid '
     "xsd:duration: write the value in that type's form (e.g. P10Y for xsd:duration), or use "
     "the type that fits it. [kg:ill-typed-literal]"),
    # the example is of the value's own type (every type was shown 2023-11-12 for xsd:date)
    ('akd:mou-1999-us-japan-bmd ak:endDate "23"^^<http://www.w3.org/2001/XMLSchema#gYear> .',
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "23"^^xsd:gYear is not a valid '
     "xsd:gYear: write the value in that type's form (e.g. 2023 for xsd:gYear), or use the "
     "type that fits it. [kg:ill-typed-literal]"),
    # a time after a date: the date alone
    ('akd:mou-1999-us-japan-bmd ak:endDate "2005-06-30T09:00:00"^^'
     '<http://www.w3.org/2001/XMLSchema#date> .',
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "2005-06-30T09:00:00"^^xsd:date is '
     'not a valid xsd:date: write "2005-06-30"^^xsd:date. [kg:ill-typed-literal]'),
    ("akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ] .",
     "23: violation: akd:pac-3 ak:citation [...] ak:quote: A citation needs exactly one ak:quote: "
     "copy the words that state the fact exactly from the source, one quote per citation. "
     "[aks:QuoteProperty]"),
    # a mistyped subject: statements about a node nobody describes once conformed, and
    # kg add would have put them into a new file
    ('akd:lockheed-martn <http://www.w3.org/2004/02/skos/core#altLabel> "LM"@en .',
     "1: violation: akd:lockheed-martn: akd:lockheed-martn is not in the graph (did you mean "
     "akd:lockheed-martin?): use the name of the node you mean, or give a new "
     "one a class (a ak:...), a label and a citation. [kg:unknown-subject]"),
    # the same, when the property's domain gives the mistyped node a class: it was told
    # to add a label and a citation, as if it were a new fact
    ("akd:thaad-deploymnt-south-korea ak:operator akd:united-states .",
     "1: violation: akd:thaad-deploymnt-south-korea: akd:thaad-deploymnt-south-korea is not in "
     "the graph (did you mean akd:thaad-deployment-south-korea?): "
     "use the name of the node you mean, or give a new one a class (a "
     "ak:...), a label and a citation. [kg:unknown-subject]"),
    # a variant of itself, directly or around a chain that the transitive closure closes
    # (both once conformed)
    ("akd:sm-3-block-iia ak:variantOf akd:sm-3-block-iia .",
     "20: violation: akd:sm-3-block-iia ak:variantOf: akd:sm-3-block-iia is linked to itself by "
     "ak:variantOf: point ak:variantOf at another node, and not back along a chain of them. "
     "[kg:cycle]"),
    ("akd:sm-3 ak:variantOf akd:sm-3-block-iia .",
     "10: violation: akd:sm-3 ak:variantOf: akd:sm-3 is linked to itself by ak:variantOf (through "
     "akd:sm-3-block-iia, which leads back to it): point ak:variantOf at another node, and not "
     "back along a chain of them. [kg:cycle]"),
    # a node put in a class it cannot be in: once reported as the other class's shapes
    # (a company without an ISO code, a country without a citation), in a shipped file
    ("akd:raytheon ak:country akd:lockheed-martin .",
     "25: violation: akd:raytheon ak:country: akd:lockheed-martin is a "
     "ak:Company, but ak:country links to a ak:Country, a disjoint class: link a ak:Country "
     "instead. [kg:disjoint-classes]"),
    # a system as a role's value: the role's range is its super-property's (ak:participant:
    # agents); that went unseen, and a shipped ak:concernsSystem of the missile was blamed
    ("akd:co-production-sm-3-block-iia ak:producer akd:sm-3-block-iia .",
     "46: violation: akd:co-production-sm-3-block-iia ak:producer: akd:sm-3-block-iia is a "
     "ak:InterceptorMissile, but ak:producer links to a ak:Agent, a disjoint class: link a "
     "ak:Agent instead. [kg:disjoint-classes]"),
    ("akd:sm-3-block-iia-deployment-2018 ak:operator akd:aegis-destroyer .",
     "48: violation: akd:sm-3-block-iia-deployment-2018 ak:operator: akd:aegis-destroyer is a "
     "ak:WeaponSystem, but ak:operator links to a ak:Agent, a disjoint class: link a ak:Agent "
     "instead. [kg:disjoint-classes]"),
    ("akd:japan ak:agreementType <https://w3id.org/alliance-kg/concept/mou> .",
     "11: violation: akd:japan ak:agreementType: akd:japan is a ak:Country, but ak:agreementType is "
     "said of a ak:Agreement, a disjoint class: say it of a ak:Agreement instead. "
     "[kg:disjoint-classes]"),
    # a class a statement gives, not disjoint with the node's own: only the shapes of that
    # class spoke (a membership needs an ak:organization), or nothing did
    ("akd:japan-considers-aegis-ashore-2015 ak:member akd:quad .",
     "39: violation: akd:japan-considers-aegis-ashore-2015 ak:member: "
     "akd:japan-considers-aegis-ashore-2015 is a ak:Event, but ak:member is said of a "
     "ak:Membership: say it of a ak:Membership, or, if akd:japan-considers-aegis-ashore-2015 is "
     "one, give it that class too. [kg:unexpected-class]"),
    ("akd:g7-hiroshima-summit-2023 ak:location akd:raytheon .",
     "42: violation: akd:g7-hiroshima-summit-2023 ak:location: akd:raytheon is a ak:Company, "
     "but ak:location links to a ak:Place: link a ak:Place, or, if akd:raytheon is one, give "
     "it that class too. [kg:unexpected-class]"),
    # a future date was told only of events: an agreement's start is no more certain
    ('akd:mou-1999-us-japan-bmd ak:startDate "2099-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .',
     '40: violation: akd:mou-1999-us-japan-bmd ak:startDate (value "2099-01-01"^^xsd:date): '
     "2099-01-01 is in the future for a fact that is not planned: fix the date, or add "
     "ak:status akc:planned if it is scheduled. [kg:future-date]"),
    # the time xsd:dateTime's form asks for would only meet kg:date-type next
    ('akd:mou-1999-us-japan-bmd ak:endDate "2016-09-15"^^<http://www.w3.org/2001/XMLSchema#dateTime> .',
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "2016-09-15"^^xsd:dateTime is not a '
     'valid xsd:dateTime: write "2016-09-15"^^xsd:date. [kg:ill-typed-literal]'),
    # a quote written on the fact, not in a citation: not the system's class to blame
    ('akd:pac-3 ak:quote "PAC-3" .',
     "11: violation: akd:pac-3 ak:quote: akd:pac-3 is a ak:InterceptorMissile, but ak:quote is "
     'said of a citation: wrap it in one, akd:pac-3 ak:citation [ ak:inSource akd:source-...; '
     'ak:quote "..." ]. [kg:disjoint-classes]'),
    ("akd:lockheed-martin a ak:Country .",
     "23: violation: akd:lockheed-martin rdf:type: akd:lockheed-martin is both a ak:Company and a "
     "ak:Country, classes the ontology declares disjoint: keep the one class that fits. "
     "[kg:disjoint-classes]"),
    # the right name under a mistyped namespace (ontology/ for ontology#): no near name
    # was found, so no hint was given
    ("akd:mou-1999-us-japan-bmd <https://w3id.org/alliance-kg/ontology/party> akd:japan .",
     "27: violation: akd:mou-1999-us-japan-bmd https://w3id.org/alliance-kg/ontology/party: "
     "https://w3id.org/alliance-kg/ontology/party is not declared by the ontology (did you mean "
     "ak:party? check the prefix declarations): use a declared property. "
     "[kg:undeclared-property]"),
    # http: for https: in the akd: prefix
    ("akd:mou-1999-us-japan-bmd ak:party <http://w3id.org/alliance-kg/id/japan> .",
     "36: violation: akd:mou-1999-us-japan-bmd ak:party: ak:party expects a project entity (akd:) or "
     "concept (akc:), not http://w3id.org/alliance-kg/id/japan (did you mean akd:japan? check "
     "the prefix declarations): link to the akd: node for it, or create one. "
     "[kg:outside-namespace]"),
    # a new node whose class is in a mistyped namespace: that, not that the node is unknown
    ("akd:zz-new-mou a <https://w3id.org/alliance-kg/ontology/Agreement> .",
     "18: violation: akd:zz-new-mou rdf:type: https://w3id.org/alliance-kg/ontology/Agreement is not "
     "a class the ontology declares (did you mean ak:Agreement? check the prefix "
     "declarations): use a declared class. [kg:undeclared-class]"),
    # the value as written, its two spaces kept (they were squeezed into one)
    ('akd:mou-1999-us-japan-bmd ak:dateNote "resolved  from 1999"@en .',
     '39: violation: akd:mou-1999-us-japan-bmd ak:dateNote (value "resolved  from 1999"@en): '
     "ak:dateNote must be a plain string with no language tag: write the note as \"...\". "
     "[aks:DateNoteDatatypeProperty]"),
    # a value with a line break, escaped as in Turtle: one problem, one line
    ('akd:mou-1999-us-japan-bmd ak:dateNote """resolved\n  from 1999"""@en .',
     '39: violation: akd:mou-1999-us-japan-bmd ak:dateNote (value "resolved\\n  from 1999"@en): '
     "ak:dateNote must be a plain string with no language tag: write the note as \"...\". "
     "[aks:DateNoteDatatypeProperty]"),
    # the quote check forgives white space, but the graph would keep it as written
    (f'akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote """{BATTERIES[1:30]}'
     f'\n    {BATTERIES[31:-1]}""" ] .',
     f'68: warning: akd:pac-3 ak:citation [...] ak:quote (value "{BATTERIES[1:30]}\\n    '
     f'{BATTERIES[31:-1]}"): the quote has a line break, tab or run of spaces: write it on one '
     "line, with one space between words, as the graph's quotes are. [kg:quote-spacing]"),
    # two sentences, both in the article: only the 300-character limit held quotes short
    ('akd:tokyo ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote "It has four '
     f'Aegis-equipped destroyers with SM-3 interceptors and plans to add four more. {BATTERIES[1:]} ] .',
     '68: warning: akd:tokyo ak:citation [...] ak:quote (value "It has four Aegis-equipped destroyers '
     f'with SM-3 interceptors and plans to add four more. {BATTERIES[1:]}): the quote goes on '
     "after a sentence ends (at 'more.'): quote the one sentence that states the fact, or the "
     "words of it that do; cite a second sentence in a citation of its own. "
     "[kg:multi-sentence-quote]"),
    # a date of the wrong type is told the type its value needs (the shapes only listed
    # the three date types)
    ('akd:mou-1999-us-japan-bmd ak:endDate "2005-06" .',
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "2005-06" is not a date: ak:endDate takes '
     'an xsd:date, xsd:gYearMonth or xsd:gYear; write "2005-06"^^xsd:gYearMonth. [kg:date-type]'),
    ("akd:mou-1999-us-japan-bmd ak:endDate 2005 .",
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "2005"^^xsd:integer is not a date: '
     "ak:endDate takes an xsd:date, xsd:gYearMonth or xsd:gYear; write "
     '"2005"^^xsd:gYear. [kg:date-type]'),
    ('akd:mou-1999-us-japan-bmd ak:endDate '
     '"2005-06-30T09:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> .',
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "2005-06-30T09:00:00"^^xsd:dateTime is '
     "not a date: ak:endDate takes an xsd:date, xsd:gYearMonth or xsd:gYear; write "
     '"2005-06-30"^^xsd:date. [kg:date-type]'),
    ('akd:mou-1999-us-japan-bmd ak:endDate "2005-02-30" .',
     '38: violation: akd:mou-1999-us-japan-bmd ak:endDate: "2005-02-30" is not a date: ak:endDate '
     'takes an xsd:date, xsd:gYearMonth or xsd:gYear; write it as e.g. "2023-11-13"^^xsd:date, '
     '"2023-11"^^xsd:gYearMonth or "2023"^^xsd:gYear. [kg:date-type]'),
    ('akd:mou-1999-us-japan-bmd ak:endDate akd:japan .',
     "38: violation: akd:mou-1999-us-japan-bmd ak:endDate: akd:japan is not a date: ak:endDate "
     'takes an xsd:date, xsd:gYearMonth or xsd:gYear; write it as e.g. "2023-11-13"^^xsd:date, '
     '"2023-11"^^xsd:gYearMonth or "2023"^^xsd:gYear. [kg:date-type]'),
    # a problem of the node itself: no stray " :" after it
    ('<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#comment> "x"@en .',
     "1: warning: http://example.org/x: http://example.org/x is outside the project's namespace: "
     "name curated entities akd:<name> (https://w3id.org/alliance-kg/id/). "
     "[kg:outside-namespace]"),
])
def test_a_one_statement_candidate_is_reported_at_its_line(tmp_path, statement, report):
    candidate = candidate_file(tmp_path, statement)
    result = validate(candidate)
    assert result.exit_code == (0 if ": warning: " in report else 1)
    assert result.stdout == f"{candidate}:3:{report}\n"  # report: column, severity, ...


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
def test_a_mistake_in_one_of_several_citations_is_placed_inside_it(tmp_path):
    """Not at the subject's first `ak:citation`: a curator must see which [...] is wrong."""
    candidate = candidate_file(
        tmp_path,
        "akd:pac-3 ak:citation [",                                   # line 3
        f"        ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES}",
        "    ] , [",                                                 # line 5
        "        ak:inSource akd:source-aaf-2015 ;",
        '        ak:quote "PAC-3 said \\"nothing\\" of the kind."',  # line 7
        "    ] , [",
        "        ak:inSource akd:japan ;",                           # line 9
        f"        ak:quote {BATTERIES}",
        "    ] , [ ak:inSource akd:source-aaf-2015 ] .")             # line 11
    lines = validate(candidate, "--sources", SEEDS).stdout.splitlines()
    assert [(line.split(": ")[0], line.split(" ")[-1]) for line in lines] == [
        (f"{candidate}:7:18", "[kg:quote-not-in-source]"),
        (f"{candidate}:9:21", "[kg:not-a-source]"),
        (f"{candidate}:11:9", "[aks:QuoteProperty]")]  # no ak:quote there: at its [


@pytest.mark.parametrize("amount, shapes", [
    ('"5 billion"', ["aks:AmountDatatypeProperty"]),          # not also "must not be negative"
    ("-5.0", ["aks:AmountNonNegativeProperty"])])
def test_a_value_of_the_wrong_datatype_is_not_also_out_of_range(tmp_path, amount, shapes):
    candidate = candidate_file(tmp_path, "akd:saving-x a ak:MonetaryFigure ; ak:amount "
                                         f"{amount} .")
    problems = json.loads(validate(candidate, "--format", "json").stdout)
    assert [p["shape"] for p in problems if p["path"] == "ak:amount" and p["value"]] == shapes


def test_an_entity_as_a_blank_node_is_told_to_take_a_name(tmp_path):
    """Merged as it was, such a node showed as _:ac05... in queries, and `kg describe` of
    its label found nothing; a citation is a blank node by design and is left alone."""
    candidate = candidate_file(
        tmp_path,
        '[] a ak:Country ; <http://www.w3.org/2000/01/rdf-schema#label> "Atlantis"@en .',
        'akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote "x y z" ] .')
    warnings = [line for line in validate(candidate).stdout.splitlines() if "warning" in line]
    assert warnings == [
        f"{candidate}:3:1: warning: []: this node has a class or a label but no name: `kg "
        "describe` cannot find it and no other file can link to it; name it akd:<name> "
        "(https://w3id.org/alliance-kg/id/). [kg:outside-namespace]"]


def test_an_empty_quote_is_placed_in_its_own_citation(tmp_path):
    """An empty quote, a placeholder left to fill in, was placed in the citation before
    it: every text holds the empty string, so the shorter [...] won."""
    candidate = candidate_file(
        tmp_path,
        "akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ] ,",  # line 3
        '    [ ak:inSource akd:source-aaf-2015 ; ak:quote "" ] .')         # line 4
    assert validate(candidate).stdout.splitlines() == [
        f"{candidate}:3:23: violation: akd:pac-3 ak:citation [...] ak:quote: A citation needs "
        "exactly one ak:quote: copy the words that state the fact exactly from the source, "
        "one quote per citation. [aks:QuoteProperty]",
        f'{candidate}:4:50: violation: akd:pac-3 ak:citation [...] ak:quote (value ""): A quote '
        "must not be empty: copy the words that state the fact exactly from the source. "
        "[aks:QuoteNotEmptyProperty]"]


def test_the_text_report_is_in_the_terminals_encoding_and_escapes_control_characters(tmp_path):
    """In the C locale, click.echo's own stream wrote raw UTF-8, where a table escapes
    what the terminal cannot show; and a file name's escape sequence reached it raw."""
    candidate = tmp_path / "esc\x1b[31m.ttl"
    candidate.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                         "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                         "akd:\u65e5\u672c rdfs:label \"Japan\"@en .\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "validate", str(candidate)],
                          capture_output=True, timeout=300,
                          env={**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"})
    assert done.returncode == 1
    line = done.stdout.decode("ascii")  # nothing but ASCII
    assert line.startswith(f"{tmp_path}/esc\\x1b[31m.ttl:3:1: violation: akd:\\u65e5\\u672c")


def test_each_of_two_values_of_a_property_is_placed_at_its_own_line(tmp_path):
    """Both were placed at the first statement of ak:date; and a date in another date
    type's form is told that type, as a plain string is. Each is placed at its value."""
    candidate = candidate_file(
        tmp_path, "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        'akd:mou-1999-us-japan-bmd ak:date "2019-02-30"^^xsd:date .',   # line 4
        'akd:mou-1999-us-japan-bmd ak:date "1999-03"^^xsd:date .')      # line 5
    found = [line for line in validate(candidate).stdout.splitlines()
             if "[kg:ill-typed-literal]" in line]
    assert [line.split(": ")[0].split(":")[-2:] for line in found] == [["4", "35"], ["5", "35"]]
    assert found[1].endswith('"1999-03"^^xsd:date is not a valid xsd:date: write '
                             '"1999-03"^^xsd:gYearMonth. [kg:ill-typed-literal]')


FIRST_STEP = "The first step was establishing a cooperative technical research program for BMD."


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
@pytest.mark.parametrize("source, quote, message", [
    # a typo: the passage meant, to compare with
    ("aaf-2015", FIRST_STEP.replace("technical", "techincal"),
     f'the quote does not appear in 003_e24d1c7b705b8c02.txt (nearest there: "{FIRST_STEP}"): '
     "copy it exactly from the source (white space and typographic quotes may differ)."),
    # the right quote, the wrong source: the one that holds it
    ("jt-2023", FIRST_STEP,
     "the quote is not in 004_342bdff9a334f595.txt but in 003_e24d1c7b705b8c02.txt: cite "
     "akd:source-aaf-2015 instead."),
    ("aaf-2015", "The first step was establishing ... research program for BMD.",
     f'the quote does not appear in 003_e24d1c7b705b8c02.txt (nearest there: "{FIRST_STEP}"): '
     "copy it exactly from the source (white space and typographic quotes may differ); an "
     "ellipsis joins words the source does not: give each part a citation of its own."),
    # a word left out: the passage of the quote's length lacked its first or last word
    ("aaf-2015", FIRST_STEP.replace("cooperative ", ""),
     f'the quote does not appear in 003_e24d1c7b705b8c02.txt (nearest there: "{FIRST_STEP}"): '
     "copy it exactly from the source (white space and typographic quotes may differ)."),
])
def test_a_misquote_is_told_what_the_sources_say(tmp_path, source, quote, message):
    """It was only told that the quote is not in its source."""
    statement = (f'akd:mou-1999-us-japan-bmd ak:citation [ ak:inSource akd:source-{source} ; '
                 f'ak:quote "{quote}" ] .')
    candidate = candidate_file(tmp_path, statement)
    result = validate(candidate, "--sources", SEEDS)
    column = statement.index('"' + quote) + 1  # the quote's ", not its ak:quote
    at = f"{candidate}:3:{column}"
    assert result.stdout == (f"{at}: violation: akd:mou-1999-us-japan-bmd ak:citation "
                             f'[...] ak:quote (value "{quote}"): {message} '
                             "[kg:quote-not-in-source]\n")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
def test_a_new_citation_is_told_its_source_text_is_missing_though_old_ones_were(tmp_path):
    """The old citations of the node raise the same warning (same node, property and file
    name): a made-up quote in a new one passed without a word, and kg add merged it."""
    sources = tmp_path / "sources"
    sources.mkdir()
    for text in SEEDS.glob("00[0-3]_*.txt"):  # all but 004, the one of akd:source-jt-2023
        shutil.copy(text, sources)
    statement = "akd:masashi-murano ak:citation [ ak:inSource akd:source-jt-2023 ;"
    candidate = candidate_file(
        tmp_path, statement, '  ak:quote "Murano said that Japan needs more radars." ] .')
    result = validate(candidate, "--sources", sources)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"{candidate}:3:{statement.index('ak:inSource') + 1}: warning: akd:masashi-murano ak:citation [...] ak:inSource (value "
        f'"004_342bdff9a334f595.txt"): the source text 004_342bdff9a334f595.txt is not in '
        f"{sources}: add it there to check the quote. [kg:source-text-missing]")


def test_shapes_with_rules_do_not_change_the_data_graph():
    # pyshacl runs in place only without rules: a working copy's sh:rule must not write
    # into the graph that lint reads next.
    from kg.validation import run_shacl

    data = Graph().parse(data="<urn:x:a> a <urn:x:Thing> .", format="turtle")
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:ThingShape> a sh:NodeShape ; sh:targetClass <urn:x:Thing> ;
            sh:rule [ a sh:TripleRule ; sh:subject sh:this ;
                      sh:predicate <urn:x:marked> ; sh:object <urn:x:yes> ] .""")
    run_shacl(data, shapes)
    assert len(data) == 1


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_garbage_collector_is_paused_while_validating_then_restored(
        graph, monkeypatch, enabled_before):
    import gc

    from kg import validation, workers

    # in this process: a forked copy would inherit the paused collector, but not report
    monkeypatch.setattr(workers, "FORKS", False)
    states, shacl = [], validation.run_shacl
    monkeypatch.setattr(validation, "run_shacl",
                        lambda *args, **kwargs: states.append(gc.isenabled()) or shacl(*args, **kwargs))
    (gc.enable if enabled_before else gc.disable)()
    try:
        validation.check(graph)
        assert states and not any(states) and gc.isenabled() == enabled_before
    finally:
        gc.enable()


def test_a_source_file_name_is_a_name_not_a_path(tmp_path):
    """An ak:fileName such as /etc/passwd made lint read that file to check quotes: only
    the sources folder is ever read."""
    outside = tmp_path / "outside.txt"
    outside.write_text("Maker A designs the Zapper.")
    (tmp_path / "sources").mkdir()
    candidate = candidate_file(
        tmp_path,
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        'akd:source-zz a ak:Source ; dcterms:title "ZZ" ; dcterms:creator "A" ;',
        '    <http://www.w3.org/2000/01/rdf-schema#label> "ZZ 2020"@en ;',
        '    dcterms:date "2020"^^<http://www.w3.org/2001/XMLSchema#gYear> ;',
        f'    dcterms:publisher "P" ; ak:fileName "{outside}" .',  # line 7
        'akd:pac-3 ak:citation [ ak:inSource akd:source-zz ; ak:quote "the Zapper" ] .')
    result = validate(candidate, "--sources", tmp_path / "sources", "--fail-on", "violation")
    assert [(line.split(": ")[0], line.split(" ")[-1]) for line in result.stdout.splitlines()
            if "violation" in line] == [(f"{candidate}:7:41", "[aks:SourceFileNameProperty]")]


def test_an_ill_typed_boolean_is_reported_once_not_also_warned_by_rdflib(tmp_path):
    """rdflib warns "Parsing weird boolean" on stderr as it reads the value; the report's
    own line says it, with the file and line."""
    candidate = candidate_file(tmp_path, 'akd:pac-3 ak:inService "maybe"^^'
                                         '<http://www.w3.org/2001/XMLSchema#boolean> .')
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = validate(candidate)
    assert f'{candidate}:3:24: violation: akd:pac-3 ak:inService: "maybe"^^xsd:boolean is not a ' \
           "valid xsd:boolean" in result.stdout
    assert [str(w.message) for w in warned] == []


# The 1999 MoU again, under a new name and label: the same class, statements and quote.
MOU_1999_AGAIN = [
    "@prefix akc: <https://w3id.org/alliance-kg/concept/> .",
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    "akd:{name} a ak:Agreement ; ak:agreementType akc:mou ;",
    '    <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@en ;',
    "    ak:party akd:united-states , akd:japan ; ak:date {date} ;",
    "    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote \"{quote}\" ] .",
]
MOU_1999_QUOTE = ("In 1999, the two countries signed a Memorandum of Understanding for joint "
                  "research and development of BMD.")


def restatement(name: str, label: str = "The 1999 BMD memorandum", date: str = '"1999"^^xsd:gYear',
                quote: str = MOU_1999_QUOTE):
    return [line.format(name=name, label=label, date=date, quote=quote)
            for line in MOU_1999_AGAIN]


def test_a_fact_entered_again_is_reported_in_turtle_with_the_fact_it_restates(tmp_path):
    """The warning had no term for sh:value: `-f turtle` gave a traceback."""
    result = validate(candidate_file(tmp_path, *restatement("us-japan-mou-1999")),
                      "--format", "turtle")
    report = Graph().parse(data=result.stdout, format="turtle")
    assert set(report.objects(None, SH.value)) == {URIRef(AKD + "mou-1999-us-japan-bmd")}


def test_a_fact_entered_again_under_a_new_name_is_a_warning(tmp_path):
    result = validate(candidate_file(tmp_path, *restatement("us-japan-mou-1999")))
    assert result.exit_code == 0
    assert result.stdout == (
        f"{tmp_path / 'candidate.ttl'}:5:1: warning: akd:us-japan-mou-1999: akd:us-japan-mou-1999 "
        "states what akd:mou-1999-us-japan-bmd states, of the same class and from a quote they "
        "share: if it is the same fact, give its label or citations to "
        "akd:mou-1999-us-japan-bmd instead; if not, add the statement that tells them apart (a "
        "date, a participant). [kg:duplicate-fact]\n")


@pytest.mark.parametrize("quote", [
    "the two countries signed a Memorandum of Understanding",  # a part of the quote
    "In 1999, the two countries signed a Memorandum of Understanding for joint research and "
    "development of BMD. Japan then joined in.",  # the quote and more (not in the source)
])
def test_a_fact_entered_again_from_part_of_its_quote_is_a_warning(tmp_path, quote):
    """Only the very same quote was matched: a curator who copied less (or more) of the
    sentence entered the fact twice unwarned."""
    result = validate(candidate_file(tmp_path, *restatement("us-japan-mou-1999", quote=quote)))
    assert [line.split(": ")[2:4] for line in result.stdout.splitlines()
            if line.endswith("[kg:duplicate-fact]")] == [[
        "akd:us-japan-mou-1999", "akd:us-japan-mou-1999 states what akd:mou-1999-us-japan-bmd "
        "states, of the same class and from a quote they share, or one holding part of the "
        "other"]]


def test_a_fact_that_differs_in_one_statement_is_no_duplicate(tmp_path):
    result = validate(candidate_file(tmp_path, *restatement("mou-1998", date='"1998"^^xsd:gYear')))
    assert result.stdout == "" and result.exit_code == 0


def test_two_new_records_of_one_fact_are_reported_once(tmp_path):
    lines = restatement("mou-a", date='"2001"^^xsd:gYear') + restatement(
        "mou-b", label="Another name", date='"2001"^^xsd:gYear')[2:]
    result = validate(candidate_file(tmp_path, *lines))
    assert [line.split(": ")[2] for line in result.stdout.splitlines()] == ["akd:mou-b"]


@pytest.mark.parametrize("shape, why", [
    ('sh:sparql [ sh:select "SELECT $this WHERE {" ]', "ParseException: "),
    ('sh:sparql [ sh:select "SELECT $this WHERE { $this a foo:Bar }" ]',
     "Exception: Unknown namespace prefix : foo"),
    ('sh:property [ sh:path rdfs:label ; sh:pattern "(" ]',
     "error: missing ), unterminated subpattern at position 0"),
])
def test_shapes_pyshacl_cannot_run_are_one_line_naming_the_file(tiny_copy, shape, why):
    """Each gave pyshacl's traceback, and exit 1, which reads as "does not conform"."""
    shapes = tiny_copy / "ontology" / "shapes.ttl"
    with shapes.open("a") as file:
        file.write("\n<https://example.org/BadShape> a sh:NodeShape ; "
                   f"sh:targetClass ak:Country ; {shape} .\n")
    result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "validate"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"kg: error: {shapes}: pyshacl cannot run these shapes ({why}")
    assert "Traceback" not in result.output


NESTED = ("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
          'akd:pac-3 rdfs:seeAlso [ rdfs:labl "x" ; ak:partcipant akd:japan ] ;',          # line 4
          f'    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ;',
          '        ak:mentions [ a ak:Countri ] ] .')                                     # line 6


def test_a_mistake_in_a_nested_blank_node_is_found_and_named_by_its_links(tmp_path, tiny_copy):
    """Only a subject's citations were checked: a typo in any other [...], or in a [...]
    inside a citation, passed, and kg add merged it."""
    candidate = candidate_file(tmp_path, *NESTED)
    found = [line.split(" (did you")[0] for line in validate(candidate).stdout.splitlines()
             if "[kg:undeclared" in line]
    labl, partcipant = (NESTED[1].index(name) + 1 for name in ("rdfs:labl", "ak:partcipant"))
    countri = NESTED[3].index("ak:Countri") + 1
    assert found == [
        f"{candidate}:4:{labl}: violation: akd:pac-3 rdfs:seeAlso [...] rdfs:labl: rdfs:labl is "
        "not declared by the ontology",
        f"{candidate}:4:{partcipant}: violation: akd:pac-3 rdfs:seeAlso [...] ak:partcipant: "
        "ak:partcipant is not declared by the ontology",
        f"{candidate}:6:{countri}: violation: akd:pac-3 ak:citation [...] ak:mentions [...] rdf:type: "
        "ak:Countri is not a class the ontology declares"]
    # kg add refuses them
    added = CliRunner().invoke(cli, ["--data", str(tiny_copy), "add", str(candidate)])
    assert added.exit_code == 1 and "nothing written" in added.stderr
    # written straight into a data file, the whole graph's validation finds them too
    (tiny_copy / "data" / "nested.ttl").write_text(candidate.read_text())
    whole = CliRunner().invoke(cli, ["--data", str(tiny_copy), "validate"]).stdout
    assert [line.split(" (did you")[0].split(": ", 1)[1] for line in whole.splitlines()
            if "[kg:undeclared" in line] == [line.split(": ", 1)[1] for line in found]


def test_a_class_that_clashes_is_the_value_at_fault_and_where_it_is_written(tmp_path):
    """A clash of classes gave no value (JSON "value": ""), and the column of the `a`
    before the class at fault, not that of the class itself."""
    candidate = candidate_file(tmp_path, "akd:x a ak:Country , ak:Company ;",
                               '    rdfs:label "X"@en .')
    candidate.write_text("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                         + candidate.read_text())
    problems = json.loads(validate("--format", "json", candidate).stdout)
    assert [(p["path"], p["value"], p["line"], p["column"]) for p in problems
            if p["shape"] == "kg:disjoint-classes"] == [("rdf:type", "ak:Country", 4, 9)]


def test_a_source_and_quote_written_on_the_fact_are_told_to_go_in_a_citation(tmp_path):
    """ak:inSource and ak:quote written straight on a new agreement were reported as its
    rdf:type clashing with ak:Citation, at the type's line, with no word of a citation."""
    candidate = candidate_file(
        tmp_path, "akd:new-mou a ak:Agreement ;",
        "    ak:party akd:japan , akd:united-states ;",
        "    ak:inSource akd:source-aaf-2015 ;",
        '    ak:quote "In 1999, the two countries signed a Memorandum of Understanding." .')
    result = validate(candidate)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{candidate}:5:5: violation: akd:new-mou ak:inSource: akd:new-mou is a ak:Agreement, "
        "but ak:inSource is said of a citation: wrap it in one, akd:new-mou ak:citation "
        '[ ak:inSource akd:source-...; ak:quote "..." ]. [kg:disjoint-classes]\n')


def test_a_value_is_placed_where_it_is_written_whole_not_where_it_begins_another(tmp_path):
    """"2016-09-15" was placed at "2016-09-15T10:00:00", the line before, which begins
    with its text."""
    candidate = candidate_file(
        tmp_path, 'akd:mou-1999-us-japan-bmd ak:asOf "2016-09-15T10:00:00"^^'
                  '<http://www.w3.org/2001/XMLSchema#dateTime> .',
        'akd:mou-1999-us-japan-bmd ak:asOf "2016-09-15" .')
    problems = json.loads(validate("--format", "json", candidate).stdout)
    assert {(p["value"], p["line"], p["column"]) for p in problems} == {
        ('"2016-09-15T10:00:00"^^xsd:dateTime', 3, 35), ('"2016-09-15"', 4, 35)}


@pytest.mark.parametrize("status, problems", [("akc:under-consideration", []),
                                              ("akc:in-service", ["kg:future-date"])])
def test_a_fact_under_consideration_may_start_ahead(tmp_path, status, problems):
    candidate = candidate_file(
        tmp_path, f"akd:mou-1999-us-japan-bmd ak:status {status} ;",
        '    ak:startDate "2099"^^<http://www.w3.org/2001/XMLSchema#gYear> .')
    candidate.write_text(candidate.read_text().replace(
        "@prefix akd:", "@prefix akc: <https://w3id.org/alliance-kg/concept/> .\n@prefix akd:"))
    found = json.loads(validate("--format", "json", candidate).stdout)
    assert [p["shape"] for p in found if p["shape"] == "kg:future-date"] == problems


def test_a_mistyped_class_is_not_also_told_its_statements_expect_another(tmp_path):
    """ak:Agreemnt got kg:undeclared-class, then "akd:new-pact is a ak:Agreemnt, but
    ak:party is said of a ak:Fact", which hid the node's other problems too."""
    candidate = candidate_file(
        tmp_path, "akd:new-pact a ak:Agreemnt ;",
        '    <http://www.w3.org/2000/01/rdf-schema#label> "New pact"@en ;',
        "    ak:party akd:japan , akd:united-states ;",
        '    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote "the" ] .')
    problems = json.loads(validate("--format", "json", candidate).stdout)
    assert [(p["shape"], p["line"]) for p in problems] == [
        ("kg:undeclared-class", 3), ("aks:QuoteTooShortProperty", 6)]


def test_an_empty_tagged_quote_is_placed_at_its_quotes(tmp_path):
    candidate = candidate_file(
        tmp_path, 'akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ;', '    ak:quote ""@en ] .')
    problems = json.loads(validate("--format", "json", candidate).stdout)
    assert {(p["shape"], p["line"], p["column"]) for p in problems} == {
        ("aks:QuoteNotEmptyProperty", 4, 14), ("aks:QuoteDatatypeProperty", 4, 14)}


def test_a_nested_node_with_a_class_is_checked_with_its_citations(tmp_path):
    """The shapes took a nested [...] with a class, but not the citation it holds, which
    the whole graph's validation then found without its quote; and a clash of classes
    named the blank node by its internal id."""
    candidate = candidate_file(
        tmp_path, "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        'akd:mou-1999-us-japan-bmd ak:party [ a ak:Country , ak:Company ; rdfs:label "Both"@en ] .',
        'akd:first-trilateral-aerial-exercise-2023 ak:location [ a ak:Place ; rdfs:label "Here"@en ;',
        "    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:supports ak:date ] ] .")
    found = [line.split(": ")[2:4] for line in validate(candidate).stdout.splitlines()
             if "[kg:disjoint-classes]" in line or "[aks:QuoteProperty]" in line]
    assert found == [
        ["akd:mou-1999-us-japan-bmd ak:party [...] rdf:type",
         "[] is both a ak:Company and a ak:Country, classes the ontology declares disjoint"],
        ["akd:first-trilateral-aerial-exercise-2023 ak:location [...] ak:citation [...] "
         "ak:quote", "A citation needs exactly one ak:quote"]]


def test_of_a_property_written_twice_the_one_with_the_value_at_fault_is_named(tmp_path):
    """Both problems went to the first ak:party, and to the first ak:mentions."""
    candidate = candidate_file(
        tmp_path,
        "akd:mou-1999-us-japan-bmd ak:party akd:japan ;",                     # line 3
        f"    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ;",
        "        ak:mentions akd:japan ; ak:mentions akd:unted-states ] ;",   # line 5
        "    ak:party akd:sout-korea .")                                      # line 6
    placed = [line.split(": ")[0].rsplit("/", 1)[1]
              for line in validate(candidate).stdout.splitlines() if "[kg:unknown-entity]" in line]
    unted_states = "        ak:mentions akd:japan ; ak:mentions akd:unted-states".index("akd:unted") + 1
    assert placed == [f"candidate.ttl:5:{unted_states}", "candidate.ttl:6:14"]


def test_a_value_written_under_a_narrower_role_is_placed_at_that_value(tmp_path):
    """The shape checks ak:participant, which inference adds over ak:party: a literal in a
    list of parties went to the subject's line, as no ak:participant is written, and was
    named ak:participant."""
    candidate = candidate_file(
        tmp_path,
        "akd:mou-1999-us-japan-bmd",                     # line 3
        "    ak:party",
        "        akd:japan ,",
        '        "South Korea" .')                       # line 6
    found = [line for line in validate(candidate).stdout.splitlines() if "(value " in line]
    assert [line.split(": ")[0].rsplit("/", 1)[1] + " " + line.split(" ")[-1]
            for line in found] == ["candidate.ttl:6:9 [aks:ParticipantClassProperty]"]
    # and named by the property written there
    assert found[0].split(": ")[2] == 'akd:mou-1999-us-japan-bmd ak:party (value "South Korea")'


def test_a_missing_property_is_placed_at_the_subject_not_where_its_name_is_a_value(tmp_path):
    """An event without a date was placed at its citation's `ak:supports ak:date`, and at
    the ak:date of an event nested in it, which is right."""
    candidate = candidate_file(
        tmp_path, "@prefix akc: <https://w3id.org/alliance-kg/concept/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        'akd:zz-event a ak:Event ; ak:eventType akc:summit ; rdfs:label "ZZ summit"@en ;',  # 5
        "    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:supports ak:date ;",
        f"        ak:quote {BATTERIES} ] ;",
        '    ak:partOf [ a ak:Event ; ak:date "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> ] .')
    lines = validate(candidate).stdout.splitlines()
    missing = [line.split(": ")[0].rsplit("/", 1)[1] for line in lines
               if line.split(": ")[2] == "akd:zz-event ak:date|ak:startDate"]
    assert missing == ["candidate.ttl:5:1"]


@pytest.mark.parametrize("start, end, wrong", [
    ('"2016"^^xsd:gYear', '"2015"^^xsd:gYear', True),
    ('"2016-05"^^xsd:gYearMonth', '"2016"^^xsd:gYear', False),  # the year runs to December
    ('"2016-05-02"^^xsd:date', '"2016-05"^^xsd:gYearMonth', False),
    ('"2016-05-02"^^xsd:date', '"2016-05-01"^^xsd:date', True)])
def test_an_end_date_before_the_start_is_a_violation(tmp_path, start, end, wrong):
    """It conformed."""
    candidate = candidate_file(
        tmp_path, "@prefix akc: <https://w3id.org/alliance-kg/concept/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        'akd:zz-series a ak:Exercise ; ak:eventType akc:exercise ; rdfs:label "ZZ series"@en ;',
        f"    ak:startDate {start} ; ak:endDate {end} ;",                                # line 7
        f"    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] .")
    result = validate(candidate)
    placed = [line.split(": ")[0].rsplit("/", 1)[1] for line in result.stdout.splitlines()
              if line.endswith("[kg:date-order]")]
    at_end = len(f"    ak:startDate {start} ; ak:endDate ") + 1
    assert (placed, result.exit_code) == (([f"candidate.ttl:7:{at_end}"], 1) if wrong else ([], 0))


def test_a_turtle_report_writes_an_alternative_path_as_a_shacl_path(tmp_path):
    """An event with neither ak:date nor ak:startDate: its path is a SHACL path, not text."""
    candidate = candidate_file(
        tmp_path, "@prefix akc: <https://w3id.org/alliance-kg/concept/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        'akd:zz-event a ak:Summit ; ak:eventType akc:summit ; rdfs:label "ZZ summit"@en ;',
        f"    ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] .")
    report = Graph().parse(data=validate(candidate, "--format", "turtle").stdout, format="turtle")
    [path] = report.objects(None, SH.resultPath)
    alternatives = report.value(path, SH.alternativePath)
    assert list(Collection(report, alternatives)) == [URIRef(AK + "date"), URIRef(AK + "startDate")]


NESTED_DEEPER = (
    "akd:mou-1999-us-japan-bmd ak:disputedBy [",                                      # line 3
    '    ak:inSource akd:source-aaf-2015 ; ak:qoute "x" ;',
    '    ak:mentions [ ak:citation [ ak:inSource akd:japan ; ak:quote "y" ] ] ] .',     # line 5
    f"[ a ak:Event ; ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ;",
    "    ak:mentions [ a ak:Persn ] ] ] .")                                            # line 7


def test_a_problem_in_a_nested_blank_node_is_placed_in_that_one(tmp_path):
    """It was placed by searching the outermost [...]: the dispute's missing ak:quote at
    the ak:quote of a citation nested in it, a wrong source at the dispute's own
    ak:inSource, and under a blank subject, at the subject's own `a`."""
    candidate = candidate_file(tmp_path, *NESTED_DEEPER)
    placed = {f"{line.split(': ')[2]} {line.split(' ')[-1]}": line.split(": ")[0].split(":")[-2:]
              for line in validate(candidate).stdout.splitlines()}
    assert placed["akd:mou-1999-us-japan-bmd ak:disputedBy [...] ak:quote [aks:QuoteProperty]"] \
        == ["3", str(NESTED_DEEPER[0].index("[") + 1)]
    assert placed["akd:mou-1999-us-japan-bmd ak:disputedBy [...] ak:mentions [...] ak:citation "
                  "[...] ak:inSource [kg:not-a-source]"] == [
        "5", str(NESTED_DEEPER[2].index("akd:japan") + 1)]
    assert placed["[] ak:citation [...] ak:mentions [...] rdf:type [kg:undeclared-class]"] == [
        "7", str(NESTED_DEEPER[4].index("ak:Persn") + 1)]


def test_a_labelled_blank_node_is_placed_at_its_own_statements(tmp_path):
    """`akd:x ak:partOf _:plan` and then `_:plan ...`: its problems went to a citation
    of akd:x in a data file, the [...] there that held some of its values."""
    candidate = candidate_file(
        tmp_path, "@prefix akc: <https://w3id.org/alliance-kg/concept/> .",
        "akd:first-trilateral-aerial-exercise-2023 ak:partOf _:plan .",
        "_:plan a ak:Agreement ; ak:party akd:japan , akd:united-states ;",    # line 5
        "    ak:agreementTyp akc:joint-commitment .")                         # line 6
    placed = [line.split(": ")[0].rsplit("/", 1)[1] + " " + line.split(" ")[-1]
              for line in validate(candidate).stdout.splitlines()]
    assert "candidate.ttl:6:5 [kg:undeclared-property]" in placed
    assert all(place.startswith("candidate.ttl:5:1 ") for place in placed
               if "undeclared" not in place)


def test_a_source_by_mistake_is_one_problem_in_the_whole_graph_too(working_copy):
    """The whole graph's validation also said, in countries.ttl, that akd:south-korea is
    both a source and a country, which only the citation's mistake made it."""
    (working_copy / "data" / "zz.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        f"akd:tokyo ak:citation [ ak:inSource akd:south-korea ; ak:quote {BATTERIES} ] .\n")
    result = CliRunner().invoke(cli, ["--data", str(working_copy), "validate"])
    assert [line.split(": ")[0].rsplit("/", 1)[1] + " " + line.split(" ")[-1]
            for line in result.stdout.splitlines() if ": violation: " in line] == [
        "zz.ttl:3:37 [kg:not-a-source]"]


def test_the_whole_graph_gets_the_same_report_with_or_without_forked_copies(
        working_copy, monkeypatch):
    from kg import workers
    from kg.store import open_graph
    from kg.validation import check

    (working_copy / "data" / "zz.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "akd:zz-deal a ak:Agreement ; ak:date \"2021-13-01\"^^<http://www.w3.org/2001/XMLSchema#date> ;\n"
        f"    ak:party akd:japan ; ak:citation [ ak:inSource akd:south-korea ; ak:quote {BATTERIES} ] .\n"
        "akd:zz-saving a ak:MonetaryFigure ; ak:amount \"5 billion\" .\n")
    forked = check(open_graph(working_copy)).problems
    monkeypatch.setattr(workers, "FORKS", False)
    assert check(open_graph(working_copy)).problems == forked
    shapes = {p.shape for p in forked if p.file.endswith("zz.ttl")}
    assert {"kg:not-a-source", "kg:ill-typed-literal", "aks:AgreementParticipantsProperty"} <= shapes
    # the shapes of ak:amount were checked in one part, so not also "must not be negative"
    assert [p.shape for p in forked if p.path == "ak:amount"] == ["aks:AmountDatatypeProperty"]


def test_the_parts_of_the_shapes_find_what_the_whole_shapes_find(working_copy):
    from kg.loading import parse_turtle
    from kg.store import open_graph
    from kg.validation import run_shacl, shape_parts

    (working_copy / "data" / "zz.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "akd:zz-deal a ak:Agreement ; ak:party akd:japan ; ak:status akd:japan .\n"
        "akd:zz-saving a ak:MonetaryFigure ; ak:amount \"5 billion\" ; ak:share 18.0 .\n")
    data = open_graph(working_copy).rdflib_graph()
    shapes = parse_turtle([REPO / "ontology" / "shapes.ttl"])
    whole = Counter(run_shacl(data, shapes).problems)
    assert len(whole) > 30 and len({p.shape for p in whole}) > 10
    assert Counter(problem for part in shape_parts(shapes)
                   for problem in run_shacl(data, part).problems) == whole


def test_the_shapes_are_cut_in_parts_each_targeted_shape_in_one_with_its_propertys_others():
    from rdflib import SH

    from kg.loading import parse_turtle
    from kg.validation import SHAPE_PARTS, shape_parts, targeted_shapes

    aks = Namespace(AKS)
    shapes = parse_turtle([REPO / "ontology" / "shapes.ttl"])
    parts = shape_parts(shapes)
    assert len(parts) == SHAPE_PARTS
    owners = {}
    for number, part in enumerate(parts):
        assert (aks.ThreatConcept, RDF.type, SH.NodeShape) in part  # used through sh:node
        for shape in targeted_shapes(part):
            assert shape not in owners
            owners[shape] = number
    assert owners.keys() == targeted_shapes(shapes)
    assert owners[aks.AmountDatatypeProperty] == owners[aks.AmountNonNegativeProperty]
    assert owners[aks.ShareDatatypeProperty] == owners[aks.ShareRangeProperty]
    assert shape_parts(shapes, count=1) == [shapes]


SHAPE_PREFIXES = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                  "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                  "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                  f"@prefix aks: <{AKS}> .\n")


@pytest.mark.parametrize("addition", [
    "aks:LabelProperty sh:rule [ a sh:TripleRule ] .",  # rules change what others check
    "aks:Other a sh:NodeShape ; sh:node aks:LabelProperty .",  # a shape used by another
    "aks:Other a sh:NodeShape ; sh:or ( aks:LabelProperty aks:QuoteProperty ) .",
    "aks:A a sh:NodeShape ; sh:targetClass ak:Country ; sh:or _:kinds .\n"  # one [ ] in two
    "aks:B a sh:NodeShape ; sh:targetClass ak:Company ; sh:or _:kinds .\n"
    "_:kinds rdf:first [ sh:class ak:Agent ] ; rdf:rest rdf:nil ."])
def test_shapes_stay_whole_when_a_part_would_change_what_they_check(addition):
    from kg.loading import parse_turtle
    from kg.validation import shape_parts

    shapes = parse_turtle([REPO / "ontology" / "shapes.ttl"])
    shapes.parse(data=SHAPE_PREFIXES + "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                 + addition, format="turtle")
    assert shape_parts(shapes) == [shapes]


def test_a_shape_that_is_a_class_is_a_targeted_shape():
    from kg.validation import targeted_shapes

    shapes = Graph().parse(data=SHAPE_PREFIXES + """
        ak:Checked a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ak:p ; sh:minCount 1 ] .
        ak:Kind rdfs:subClassOf rdfs:Class .
        ak:AlsoChecked a ak:Kind ; sh:property [ sh:path ak:p ; sh:maxCount 1 ] .
        ak:NotAShape a rdfs:Class .""", format="turtle")
    assert targeted_shapes(shapes) == {URIRef(AK + "Checked"), URIRef(AK + "AlsoChecked")}


def test_a_fact_without_a_name_in_the_data_is_warned_of_as_in_a_candidate(tiny_copy):
    """Only a candidate's was: validating the whole graph looked at akd: nodes, the blank
    nodes they hold and dated nodes, so `kg add` could merge a nameless fact that plain
    `kg validate` then never mentioned."""
    nameless = tiny_copy / "data" / "nameless.ttl"
    nameless.write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "[] a ak:Agreement ; rdfs:label \"Nameless\"@en ; ak:party akd:land-a , akd:land-b ;\n"
        "    ak:citation [ ak:inSource akd:source-test ; ak:quote \"Maker A designs the Zapper.\" ] .\n")
    whole = CliRunner().invoke(cli, ["--data", str(tiny_copy), "validate"]).stdout
    alone = CliRunner().invoke(cli, ["--data", str(tiny_copy), "validate", str(nameless)]).stdout
    warned = [line for line in whole.splitlines() if "[kg:outside-namespace]" in line]
    assert [line.split(": ")[0:3] for line in warned] == [[f"{nameless}:4:1", "warning", "[]"]]
    assert warned == [line for line in alone.splitlines() if "[kg:outside-namespace]" in line]


def test_duplicate_facts_in_the_data_are_reported_once(working_copy):
    (working_copy / "data" / "again.ttl").write_text("\n".join(
        ["@prefix ak: <https://w3id.org/alliance-kg/ontology#> .",
         "@prefix akd: <https://w3id.org/alliance-kg/id/> ."] + restatement("mou-again")) + "\n")
    result = CliRunner().invoke(cli, ["--data", str(working_copy), "validate"])
    found = [line for line in result.stdout.splitlines() if "[kg:duplicate-fact]" in line]
    assert [line.split(": ")[0:3] for line in found] == [
        [f"{working_copy / 'data' / 'again.ttl'}:5:1", "warning", "akd:mou-again"]]


def test_a_citation_of_the_graph_restated_to_annotate_it_is_no_duplicate(tmp_path):
    # akd:tokyo cites this quote in a shipped file: kg add merges the two
    citation = f"[ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ]"
    result = validate(candidate_file(tmp_path, f"akd:tokyo ak:citation {citation} ."))
    assert (result.exit_code, result.stdout) == (0, "")
    result = validate(candidate_file(
        tmp_path, f"akd:tokyo ak:citation {citation} , {citation} , {citation} ;",
        f"    ak:disputedBy {citation} ."))  # a citation and a dispute are not copies
    # two copies too many, alike in all but their blank-node identity: one line says it
    assert result.stdout.count("[kg:duplicate-citation]") == 1


@pytest.mark.parametrize("quote, end", [
    ("It has four destroyers. It also has 17 batteries.", "destroyers."),
    ("“Are we going to defend them?” Schoff asks. “We might not.”", "them?"),
    ("Japan deployed it in 2009. Since then, more", "2009."),
    # an abbreviation or initial ends no sentence; a question inside a quote goes on
    ("Gen. Mark Milley and Lt. Col. Smith met Dr. Kim", None),
    ("the U.S. Navy and J. Smith said", None),
    ("“Are we going to defend them?” asks Schoff.", None),
    ("a 3.5 percent rise", None),
])
def test_the_end_of_a_sentence_is_told_from_an_abbreviation(quote, end):
    from kg.lint import sentence_end

    assert sentence_end(quote) == end


def test_no_quote_of_the_graph_goes_on_after_a_sentence_ends(graph):
    from kg.lint import sentence_end

    quotes = [row["q"].value for row in graph.store.query(
        "SELECT DISTINCT ?q { ?c <https://w3id.org/alliance-kg/ontology#quote> ?q }",
        use_default_graph_as_union=True)]
    assert len(quotes) > 200
    assert [quote for quote in quotes if sentence_end(quote)] == []


def test_a_citation_copied_into_another_data_file_is_a_duplicate(working_copy):
    (working_copy / "data" / "again.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        f"akd:tokyo ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote {BATTERIES} ] .\n")
    result = CliRunner().invoke(cli, ["--data", str(working_copy), "validate"])
    found = [line for line in result.stdout.splitlines() if "[kg:duplicate-citation]" in line]
    assert [line.split(": ")[0:2] for line in found] == [
        [f"{working_copy / 'data' / 'again.ttl'}:3:68", "warning"]]  # at the copy's quote
    assert "akd:tokyo cites this quote of akd:source-aaf-2015 twice" in found[0]


@pytest.mark.parametrize("name, shown, in_json", [
    # not UTF-8: JSON output was a traceback
    (os.fsdecode(b"\xfe.ttl"), "\\xfe.ttl", "\\xfe.ttl"),
    ("bad\nname.ttl", "bad\\nname.ttl", "bad\nname.ttl"),  # each problem took two lines
])
def test_an_odd_file_name_is_named_on_the_problems_own_line(tmp_path, name, shown, in_json):
    candidate = candidate_file(tmp_path, "akd:x a akd:Y .").rename(tmp_path / name)
    text = validate(candidate).stdout.splitlines()
    assert len(text) == 2 and all(line.startswith(f"{tmp_path}/{shown}:3:9: violation: akd:x ")
                                  for line in text)
    problems = json.loads(validate(candidate, "--format", "json").stdout)
    assert {p["file"] for p in problems} == {f"{tmp_path}/{in_json}"}


def test_a_data_file_whose_name_is_not_utf8_is_read(tiny_copy):
    """kg add names a new data file after its candidate; every command then tracebacked
    on the name, digested as UTF-8 for the compiled graph's key."""
    shutil.copy(tiny_copy / "data" / "tiny.ttl", tiny_copy / "data" / os.fsdecode(b"\xfctiny.ttl"))
    (tiny_copy / "data" / "tiny.ttl").unlink()
    result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "validate"], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "conforms: 0 violations, 0 warnings, 2 infos\n")


@pytest.mark.parametrize("statement, column, message", [
    # passed: validation of a candidate looks at the nodes it touches, and kg add left 51
    # violations in the graph
    ("ak:Country rdfs:subClassOf ak:Company .", 28, "ak:Country rdfs:subClassOf (value "
     "ak:Company): ak:Country is a term of the ontology: data holds facts of akd: nodes"),
    ("akd:pac-3 owl:equivalentClass ak:Agent .", 31, "akd:pac-3 owl:equivalentClass (value "
     "ak:Agent): owl:equivalentClass states schema, which changes what is inferred of other "
     "nodes"),
])
def test_schema_in_a_candidate_is_a_violation(tmp_path, statement, column, message):
    candidate = candidate_file(tmp_path, "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
                               "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .", statement)
    result = validate(candidate)
    assert result.exit_code == 1
    assert f"{candidate}:5:{column}: violation: {message}" in result.stdout
    assert "[kg:schema-in-data]" in result.stdout


def test_facts_of_identity_are_not_schema(tmp_path):
    candidate = candidate_file(tmp_path, "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
                               "akd:pac-3 owl:differentFrom akd:sm-3 .")
    assert "schema-in-data" not in validate(candidate).stdout


def test_a_candidate_in_a_pipe_is_read_once(tmp_path):
    """A FIFO (or /dev/stdin, bash's <(...)) was read twice: the second reading waited
    for a writer forever."""
    import threading

    pipe = tmp_path / "candidate.ttl"
    os.mkfifo(pipe)
    text = (CANDIDATES / "good.ttl").read_bytes()
    writer = threading.Thread(target=pipe.write_bytes, args=(text,), daemon=True)
    writer.start()
    result = subprocess.run([sys.executable, "-m", "kg", "validate", str(pipe)],
                            capture_output=True, text=True, timeout=60)
    writer.join(timeout=1)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "conforms: 0 violations, 0 warnings, 0 infos\n" + UNCHECKED


def test_a_problem_goes_to_the_candidate_that_writes_its_value(tmp_path):
    """Two candidates that state the same subject: a problem of the second one's value
    was placed at the first one's statement."""
    first = tmp_path / "first.ttl"
    first.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\nakd:japan a akd:Bogus1 .\n")
    second = tmp_path / "second.ttl"
    second.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\n\n\nakd:japan a akd:Bogus2 .\n")
    problems = json.loads(validate(first, second, "--format", "json").stdout)
    assert {(p["value"], p["file"], p["line"], p["column"]) for p in problems} == {
        ("akd:Bogus1", str(first), 2, 13), ("akd:Bogus2", str(second), 4, 13)}


@pytest.mark.parametrize("text, datatype, ill_formed", [
    ("10000-01-01", XSD.date, False),   # past Python's 9999, a valid xsd:date
    ("2400-02-29", XSD.date, False), ("2100-02-29", XSD.date, True),
    ("0000-02-29", XSD.date, False),   # year 0, 1 BCE, a leap year
    ("2023-02-30", XSD.date, True)])
def test_a_date_is_checked_beyond_the_years_python_holds(text, datatype, ill_formed):
    from kg.lint import is_ill_formed

    assert is_ill_formed(text, datatype) is ill_formed


@pytest.mark.parametrize("literal, day", [
    (Literal("12345", datatype=XSD.gYear), "max"),  # was read as the year 1234
    (Literal("10000-01-01", datatype=XSD.date), "max"),
    (Literal("-0044", datatype=XSD.gYear), "min"),
    (Literal("2031-05", datatype=XSD.gYearMonth), "2031-05-01")])
def test_the_earliest_day_of_a_date_beyond_python_s_years_is_the_first_or_last(literal, day):
    """kg:future-date missed "12345"^^xsd:gYear, read as 1234."""
    import datetime

    from kg.lint import earliest_day

    expected = {"max": datetime.date.max, "min": datetime.date.min}.get(day) or (
        datetime.date.fromisoformat(day))
    assert earliest_day(literal) == expected


def test_a_deeply_nested_blank_node_is_named_by_its_first_and_last_links(tmp_path):
    """4,000 nested [ rdfs:label [ ... ] ] spelled the whole chain for each of its 4,000
    problems: 137 MB of output. Now the first and last three links, and how many between."""
    depth = 12
    candidate = candidate_file(tmp_path, "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
                               "akd:x rdfs:label " + "[ rdfs:label " * depth + '"a"' + " ]" * depth + " .")
    lines = validate(candidate).stdout.splitlines()
    deepest = "akd:x" + " rdfs:label [...]" * 3 + " … (6 more levels) …" + " rdfs:label [...]" * 3
    assert any(f": {deepest}: " in line for line in lines)
    assert not any(" rdfs:label [...]" * 7 in line for line in lines)


def test_a_second_value_names_each_value_and_where_it_is_written(tmp_path):
    """A second date was told "at most one ak:date" without the date already there, nor
    where: the curator had to search the data files for it."""
    second_date = 'akd:mou-1999-us-japan-bmd ak:date "2000"^^xsd:gYear .'
    candidate = candidate_file(tmp_path, "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
                               second_date)
    from kg.loading import find_inputs

    # the graph's own data file: in CI, the installed package's copy
    aaf = next(path for path in find_inputs().data_files if path.name == "003-aaf-2015.ttl")
    lines = aaf.read_text().splitlines()
    subject_line = lines.index("akd:mou-1999-us-japan-bmd")
    date_line = next(n for n, line in enumerate(lines[subject_line:], subject_line + 1)
                     if "ak:date " in line)
    date_column = lines[date_line - 1].index('"1999"') + 1
    problems = [p for p in json.loads(validate(candidate, "--format", "json").stdout)
                if p["shape"] == "aks:OneDateProperty"]
    assert [(Path(p["file"]).name, p["line"]) for p in problems] == [("candidate.ttl", 4)]
    assert problems[0]["message"].endswith(
        f' Found 2: "2000"^^xsd:gYear ({candidate}:4:{second_date.index(chr(34)) + 1}), '
        f'"1999"^^xsd:gYear ({aaf}:{date_line}:{date_column}).')


def test_two_sources_of_one_citation_are_each_placed_in_it(tmp_path):
    """The values of a [...] were not looked for inside it: named without a place."""
    sources = "akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 , akd:source-jt-2023 ;"
    candidate = candidate_file(tmp_path, sources, f"    ak:quote {BATTERIES} ] .")
    found = [line for line in validate(candidate).stdout.splitlines()
             if "[aks:CitationSourceProperty]" in line]
    assert len(found) == 1 and found[0].endswith(
        f"Found 2: akd:source-aaf-2015 ({candidate}:3:{sources.index('akd:source-aaf') + 1}), "
        f"akd:source-jt-2023 ({candidate}:3:{sources.index('akd:source-jt') + 1})."
        " [aks:CitationSourceProperty]")


def test_a_data_file_that_never_writes_a_problems_subject_is_not_split_into_statements(tmp_path):
    """Every data file was split into statements to place any problem: 3 s for a file of
    a million triples, for problems of a candidate's new nodes only."""
    from kg.positions import index_files, locate

    candidate = candidate_file(tmp_path, "akd:new-node ak:date 1 .")
    other = tmp_path / "other.ttl"
    other.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                     "akd:old-node akd:p akd:new-nod .\n")  # a name it begins
    based = tmp_path / "based.ttl"
    based.write_text("@base <https://w3id.org/alliance-kg/id/> .\n<new-node> <p> <x> .\n")
    indexes = index_files([candidate, other, based])
    found = locate(indexes, AKD + "new-node", AK + "date")
    assert (found[0].name, found[1]) == ("candidate.ttl", 3)
    assert indexes[1]._by_subject is None  # it holds no akd:new-node
    assert indexes[2].may_state(AKD + "new-node")  # a relative IRI may be it
    assert locate(indexes[1:], AKD + "old-node", AKD + "p")[:2] == (other, 2)


def test_the_values_of_a_nested_blank_node_are_placed_in_it(tmp_path):
    """Each value was placed at the outer [ of the citation: the links down to the
    nested [...] were looked for as CURIEs, not IRIs."""
    labels = '        <http://www.w3.org/2000/01/rdf-schema#label> "Aland"@en , "Bland"@en ] ] .'
    candidate = candidate_file(
        tmp_path, f"akd:pac-3 ak:citation [ ak:inSource akd:source-jt-2023 ; ak:quote {BATTERIES} ;",
        "    ak:mentions [ a ak:Country ;", labels)
    found = [line for line in validate(candidate).stdout.splitlines()
             if "[aks:LabelProperty]" in line]
    assert len(found) == 1 and found[0].endswith(
        f'Found 2: "Aland"@en ({candidate}:5:{labels.index(chr(34) + "Aland") + 1}), '
        f'"Bland"@en ({candidate}:5:{labels.index(chr(34) + "Bland") + 1}). [aks:LabelProperty]')
