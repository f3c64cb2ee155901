"""kg.curation: canonical Turtle (kg fmt) and merging candidates into the data (kg add)."""

import dataclasses
import difflib
import fcntl
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import REPO
from kg.curation import (LOCK_FILE, add, canonical_text_of, canonical_turtle,
                         dropped_comments, format_files, graph_of, header_of, lines_of,
                         parse_text)
from kg.errors import InputError
from kg.export import canonical
from kg.loading import find_inputs, parse_file
from kg.namespaces import AK, AKD
from kg.problems import Problem
from kg.writing import TEMP_SUFFIX

FIXTURES = Path(__file__).parent / "fixtures" / "curation"
EXERCISE = FIXTURES / "exercise-2015.ttl"
SHIPPED_DATA = sorted((REPO / "data").glob("*.ttl"))
PAC_3 = URIRef(AKD + "pac-3")
NEW_EVENT = URIRef(AKD + "us-japan-kinetic-bmd-exercise-2015")
NEW_QUOTE = Literal("This PAC-3 system is said to be “the backbone of [Japan’s] BMD forces.”")


def no_problems(paths):
    return []


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a data folder but the lock file, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != LOCK_FILE}


def graph_of_file(path: Path):
    return graph_of(parse_file(path))


def as_shuffled_n_triples(path: Path, target: Path | None = None) -> Path:
    """Write the triples of `path` (to `target`, else over it) as shuffled N-Triples lines
    with fresh blank-node labels, under the same header: same graph, another text."""
    header = header_of(path.read_text(encoding="utf-8"))
    lines = [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph_of_file(path)]
    random.Random(7).shuffle(lines)
    target = target or path
    target.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return target


def citations(graph, subject) -> set:
    return {graph.value(node, URIRef(AK + "quote")) for node in graph.objects(subject, URIRef(AK + "citation"))}


# ---------------------------------------------------------------------------
# Canonical form

@pytest.mark.parametrize("path", SHIPPED_DATA, ids=lambda p: p.name)
def test_every_shipped_data_file_round_trips_exactly(path):
    original = graph_of_file(path)
    header = header_of(path.read_text(encoding="utf-8"))
    text = canonical_turtle(original, header)
    assert isomorphic(graph_of(parse_text(text)), original)  # same terms, lexical forms too
    # the header kept; a file `kg add` made from a candidate without one has none
    assert text.startswith(header + "\n\n" if header else "PREFIX ")
    assert "_:" not in text  # citations stay nested as [ ... ]
    assert text == path.read_text(encoding="utf-8")  # the shipped file is canonical


def test_canonical_form_does_not_depend_on_blank_node_ids_or_statement_order(tmp_path):
    path = REPO / "data" / "003-aaf-2015.ttl"
    first, second = parse_file(path), parse_file(path)
    blank_ids = [{str(s) for s in graph_of(quads).subjects() if isinstance(s, BNode)}
                 for quads in (first, second)]
    assert blank_ids[0] and blank_ids[0].isdisjoint(blank_ids[1])  # parsed twice, other ids
    assert canonical_turtle(graph_of(first)) == canonical_turtle(graph_of(second))

    # The same triples in another order with other blank-node labels: the same bytes.
    shuffled = as_shuffled_n_triples(path, tmp_path / path.name)
    assert shuffled.read_text(encoding="utf-8") != path.read_text(encoding="utf-8")
    assert canonical_text_of(shuffled) == canonical_text_of(path)


def test_a_new_subject_leaves_the_other_subjects_text_as_it_was():
    """rdflib's canonical blank-node labels depend on the whole graph: two new programs
    citing the same quote once reordered the citations of three unrelated subjects."""
    original = graph_of_file(REPO / "data" / "003-aaf-2015.ttl")
    grown = graph_of_file(REPO / "data" / "003-aaf-2015.ttl")
    for country in ("germany", "italy"):
        program, citation = URIRef(AKD + f"us-co-development-{country}-test"), BNode()
        for triple in [(program, URIRef(AK + "developer"), URIRef(AKD + country)),
                       (program, URIRef(AK + "citation"), citation),
                       (citation, URIRef(AK + "inSource"), URIRef(AKD + "source-aaf-2015")),
                       (citation, URIRef(AK + "quote"), Literal("such as Germany and Italy"))]:
            grown.add(triple)
    before, after = canonical_turtle(original).splitlines(), canonical_turtle(grown).splitlines()
    removed = [line for line in difflib.ndiff(before, after) if line.startswith("- ")]
    assert removed == []


def test_canonical_form_is_the_same_in_another_process():
    """Hash randomisation changes set order between processes; the text must not change."""
    script = ("import sys, kg.curation as c; from pathlib import Path; "
              "sys.stdout.write(c.canonical_text_of(Path(sys.argv[1])))")
    path = REPO / "data" / "001-at-2020.ttl"
    outputs = {subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert outputs == {canonical_text_of(path)}


def test_canonical_form_keeps_every_literal_exactly_and_is_idempotent(tmp_path):
    source = FIXTURES / "literals.ttl"
    text = canonical_text_of(source)
    assert isomorphic(graph_of(parse_text(text)), graph_of_file(source))
    assert "017 ," in text and '"1500"^^xsd:decimal' in text and '"1"^^xsd:boolean' in text
    # escaped: a bare NUL made git take the file for binary, an escape sequence fooled terminals
    assert r"a NUL \u0000, a bell \u0007, a terminal escape \u001B[31m and a NEL \u0085" in text
    formatted = tmp_path / "literals.ttl"
    formatted.write_text(text, encoding="utf-8")
    assert canonical_text_of(formatted) == text


@pytest.mark.parametrize("statement", [
    # a list of 1,500 items is a chain of blank nodes 1,500 deep: RecursionError
    "akd:aukus ak:note (" + " ".join(f'"{i}"' for i in range(1500)) + ") .",
    # [...] in [...]: each level doubled the size of its description (4 GB at 30 levels,
    # the kernel's OOM killer at 150; 0.5 GB here)
    "akd:aukus rdfs:seeAlso " + "[ rdfs:seeAlso " * 25 + "akd:a" + " ]" * 25 + " .",
])
def test_canonical_form_of_deeply_nested_blank_nodes(tmp_path, statement):
    path = tmp_path / "nested.ttl"
    path.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                    "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + statement + "\n")
    text = canonical_text_of(path)
    # Oxigraph's canonical form compares them: rdflib.compare takes 95 s on the list
    assert canonical(parse_text(text)) == canonical(parse_file(path))
    path.write_text(text)
    assert canonical_text_of(path) == text


def test_canonical_form_declares_only_the_prefixes_it_uses():
    text = canonical_turtle([(PAC_3, URIRef(AK + "basing"), Literal("land"))])
    assert text == "PREFIX ak: <https://w3id.org/alliance-kg/ontology#>\n" \
                   "PREFIX akd: <https://w3id.org/alliance-kg/id/>\n\n" \
                   'akd:pac-3\n    ak:basing "land" ;\n.\n'


def test_a_file_without_triples_or_comments_stays_empty(working_copy):
    # it became a single line feed, so that `kg fmt --check` failed on an empty file
    assert canonical_turtle([]) == ""
    empty = working_copy / "data" / "empty.ttl"
    empty.write_text("@prefix ex: <http://example.org/> .\n")
    assert format_files(find_inputs(working_copy)) == [empty]
    assert empty.read_bytes() == b""
    assert format_files(find_inputs(working_copy), check=True) == []


def test_a_header_must_be_comments():
    with pytest.raises(ValueError):
        canonical_turtle([], header="not a comment")


# ---------------------------------------------------------------------------
# kg fmt

def test_fmt_check_reports_unformatted_files_and_writes_nothing(working_copy):
    inputs = find_inputs(working_copy)
    format_files(inputs)
    unformatted = as_shuffled_n_triples(inputs.data_dir / "countries.ttl")
    before = snapshot(inputs.data_dir)
    assert format_files(inputs, check=True) == [unformatted]
    assert snapshot(inputs.data_dir) == before


def test_diff_lines_end_at_line_feeds_only():
    """str.splitlines also ends a line at U+2028, which a Turtle string may hold."""
    assert lines_of("a \"x\u2028y\"\r\nb\n\nc".encode()) == ["a \"x\u2028y\"\r\n", "b\n", "\n", "c"]


def test_fmt_takes_the_byte_order_mark_off_and_keeps_the_header(working_copy):
    """Notepad writes a byte order mark; kg reads past it, and fmt leaves it out."""
    inputs = find_inputs(working_copy)
    format_files(inputs)
    countries = inputs.data_dir / "countries.ttl"
    canonical = countries.read_bytes()
    countries.write_bytes(b"\xef\xbb\xbf" + canonical)
    assert format_files(inputs, check=True) == [countries]
    assert format_files(inputs) == [countries]
    assert countries.read_bytes() == canonical


def test_fmt_rewrites_into_canonical_form_once(working_copy):
    inputs = find_inputs(working_copy)
    as_shuffled_n_triples(inputs.data_dir / "countries.ttl")  # in case the data is formatted
    originals = {p.name: graph_of_file(p) for p in inputs.data_files}
    unformatted = format_files(inputs, check=True)
    assert inputs.data_dir / "countries.ttl" in unformatted
    assert format_files(inputs) == unformatted
    formatted = snapshot(inputs.data_dir)
    assert format_files(inputs, check=True) == []
    assert format_files(inputs) == []
    assert snapshot(inputs.data_dir) == formatted  # a second run changes no byte
    for path in inputs.data_files:
        assert isomorphic(graph_of_file(path), originals[path.name])


def test_fmt_of_read_only_data_is_refused_but_check_works(working_copy):
    inputs = dataclasses.replace(find_inputs(working_copy), writable=False)
    unformatted = as_shuffled_n_triples(inputs.data_dir / "countries.ttl")
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match="read-only"):
        format_files(inputs)
    assert unformatted in format_files(inputs, check=True)
    assert snapshot(inputs.data_dir) == before


# ---------------------------------------------------------------------------
# kg add

def test_add_puts_each_subject_in_its_file_and_new_subjects_in_a_new_file(working_copy):
    inputs = find_inputs(working_copy)
    data = inputs.data_dir
    before = snapshot(data)

    result = add(inputs, [EXERCISE], no_problems)

    # PAC-3 lives in systems.ttl; the new event goes to a file named after the candidate.
    assert result.written == [data / "exercise-2015.ttl", data / "systems.ttl"]
    assert not result.refused
    # 9 triples for the event and its citation, 3 for PAC-3's new citation; the label and
    # the citation PAC-3 already had are not added again.
    assert result.added == 12
    systems = graph_of_file(data / "systems.ttl")
    assert NEW_QUOTE in citations(systems, PAC_3)
    assert len(citations(systems, PAC_3)) == 7
    new_file = data / "exercise-2015.ttl"
    assert (NEW_EVENT, None, None) in graph_of_file(new_file)
    assert (NEW_EVENT, None, None) not in systems
    assert new_file.read_text(encoding="utf-8").startswith(header_of(EXERCISE.read_text(encoding="utf-8")))
    for name in before.keys() - {"systems.ttl"}:
        assert (data / name).read_bytes() == before[name]  # untouched files keep their bytes
    for path in result.written:  # written in canonical form
        assert canonical_text_of(path) == path.read_text(encoding="utf-8")

    after = snapshot(data)
    again = add(inputs, [EXERCISE], no_problems)
    assert (again.written, again.added) == ([], 0)  # all there already: no rewrite
    assert snapshot(data) == after


def test_add_changes_only_the_new_statements_of_a_formatted_file(working_copy):
    inputs = find_inputs(working_copy)
    format_files(inputs)
    old = (inputs.data_dir / "systems.ttl").read_text(encoding="utf-8").splitlines()
    add(inputs, [EXERCISE], no_problems)
    new = (inputs.data_dir / "systems.ttl").read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(old, new, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert all(line.startswith("+") for line in changed) and len(changed) == 4
    assert any("the backbone of" in line for line in changed)


def test_add_refuses_to_drop_a_comment_past_a_files_leading_block(working_copy):
    """The rewrite keeps only the leading comment block: a curator's comment further down
    a file that gained a statement was gone, unsaid."""
    inputs = find_inputs(working_copy)
    format_files(inputs)
    systems = inputs.data_dir / "systems.ttl"
    text = systems.read_text(encoding="utf-8")
    at = text.index("\nakd:") + 1
    systems.write_text(text[:at] + "# why this entity is here\n" + text[at:], encoding="utf-8")
    line = text[:at].count("\n") + 1
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match=rf"^{systems}:{line}: a comment past the file's "
                                         "leading block, which the rewrite would drop"):
        add(inputs, [EXERCISE], no_problems)
    assert snapshot(inputs.data_dir) == before
    # a # inside a string is no comment
    systems.write_text(text[:at] + text[at:].replace('"@en ;', ' #1"@en ;', 1), encoding="utf-8")
    assert add(inputs, [EXERCISE], no_problems).added == 12


def test_a_header_with_trailing_spaces_holds_no_dropped_comment(working_copy):
    """The header's end was taken from its trimmed text: a # line further down the header
    was called a comment past it, and kg add refused to write."""
    inputs = find_inputs(working_copy)
    format_files(inputs)
    systems = inputs.data_dir / "systems.ttl"
    text = systems.read_text(encoding="utf-8")
    body = text[text.index("\nPREFIX") + 1:]
    systems.write_text(f"# Defense systems   \n#\n{body}", encoding="utf-8")
    assert dropped_comments(inputs) == []
    assert add(inputs, [EXERCISE], no_problems).added == 12


def test_add_refuses_on_a_violation_and_writes_nothing(working_copy):
    inputs = find_inputs(working_copy)
    before = snapshot(inputs.data_dir)
    seen = []

    def validate(paths):
        seen.append(list(paths))
        # Validation runs under the lock: another writer could not change the data meanwhile.
        with open(inputs.data_dir / LOCK_FILE, "rb") as other:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return [Problem("warning", "akd:x", "", "", "a warning", "aks:X"),
                Problem("violation", "akd:x", "", "", "a violation", "aks:X")]

    result = add(inputs, [EXERCISE], validate)
    assert seen == [[EXERCISE]]
    assert result.refused and (result.written, result.added) == ([], 0)
    assert [p.severity for p in result.problems] == ["warning", "violation"]
    assert snapshot(inputs.data_dir) == before


def test_add_writes_when_there_are_only_warnings(working_copy):
    inputs = find_inputs(working_copy)
    warning = Problem("warning", "akd:x", "", "", "a warning", "aks:X")
    result = add(inputs, [EXERCISE], lambda paths: [warning])
    assert not result.refused and result.problems == [warning] and result.added == 12


def test_add_with_the_real_validation(working_copy):
    from kg.store import open_graph
    from kg.validation import check

    inputs = find_inputs(working_copy)
    before = snapshot(inputs.data_dir)

    def validate(paths):
        return check(open_graph(inputs), paths).problems

    refused = add(inputs, [REPO / "tests" / "fixtures" / "candidates" / "mistakes.ttl"], validate)
    assert refused.refused and snapshot(inputs.data_dir) == before
    accepted = add(inputs, [EXERCISE], validate)
    assert not accepted.refused and accepted.added == 12


@pytest.mark.parametrize("quote", [
    "In 1999, the two countries signed a Memorandum of Understanding for joint research and "
    "development of BMD.",
    # as copied from a PDF: a run of spaces, typographic quotes read as plain ones; it was
    # added as a second citation, with only a warning of its spacing
    "In 1999, the two countries  signed a Memorandum of Understanding for joint research and "
    "development of BMD."])
def test_a_citation_the_subject_has_takes_what_the_candidate_adds_to_it(working_copy, tmp_path,
                                                                         quote):
    """Marking an existing quote as backing the date (ak:supports) once added a second
    citation with the same source and quote; it is now one triple on the existing one."""
    candidate = tmp_path / "mou-date.ttl"
    candidate.write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        f'akd:mou-1999-us-japan-bmd ak:citation [ ak:inSource akd:source-aaf-2015 ; '
        f'ak:quote "{quote}" ; ak:supports ak:date ] .\n', encoding="utf-8")
    inputs = find_inputs(working_copy)
    result = add(inputs, [candidate], no_problems)
    assert result.added == 1
    graph = graph_of_file(working_copy / "data" / "003-aaf-2015.ttl")
    mou = URIRef(AKD + "mou-1999-us-japan-bmd")
    [citation] = graph.objects(mou, URIRef(AK + "citation"))
    assert graph.value(citation, URIRef(AK + "supports")) == URIRef(AK + "date")
    assert len(list(graph.objects(citation, URIRef(AK + "quote")))) == 1  # the curated one
    assert add(inputs, [candidate], no_problems).added == 0  # and once only


def test_a_misspelt_fail_on_is_an_error_even_with_nothing_to_refuse(working_copy):
    """fail_on="warnings" merged a clean candidate, and raised only when one had problems."""
    inputs = find_inputs(working_copy)
    before = snapshot(inputs.data_dir)
    with pytest.raises(ValueError, match="^severity 'warnings': one of info, warning, violation$"):
        add(inputs, [EXERCISE], no_problems, fail_on="warnings")
    assert snapshot(inputs.data_dir) == before


def test_add_into_read_only_data_is_refused(working_copy):
    inputs = dataclasses.replace(find_inputs(working_copy), writable=False)
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match="read-only"):
        add(inputs, [EXERCISE], no_problems)
    assert snapshot(inputs.data_dir) == before


def test_add_refuses_malformed_candidates_with_their_position(working_copy):
    inputs = find_inputs(working_copy)
    with pytest.raises(InputError, match=r"malformed\.ttl:\d+:\d+"):
        add(inputs, [REPO / "tests" / "bad_inputs" / "malformed.ttl"], no_problems)


def test_add_refuses_a_data_file_as_a_candidate(working_copy):
    # it said "added 0 triples (all already there)" and left the file as written
    inputs = find_inputs(working_copy)
    inside = inputs.data_dir / "inside.ttl"
    inside.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                      '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                      'akd:pac-3   rdfs:label "Patriot Advanced Capability-3"@en .\n',
                      encoding="utf-8")
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match=r"inside\.ttl: is a data file of this graph already"):
        add(inputs, [inside], no_problems)
    assert snapshot(inputs.data_dir) == before


def test_add_refuses_a_candidate_behind_links_that_loop(working_copy, tmp_path):
    # a traceback (RuntimeError) where kg validate names the file
    (tmp_path / "one.ttl").symlink_to(tmp_path / "two.ttl")
    (tmp_path / "two.ttl").symlink_to(tmp_path / "one.ttl")
    with pytest.raises(InputError, match=r"one\.ttl: cannot read \("):
        add(find_inputs(working_copy), [tmp_path / "one.ttl"], no_problems)


def test_add_refuses_a_candidate_in_a_pipe(working_copy, tmp_path):
    # a FIFO is read more than once: kg add waited for a writer forever
    os.mkfifo(tmp_path / "new.ttl")
    with pytest.raises(InputError, match=r"new\.ttl: is not a file: kg add reads candidate files"):
        add(find_inputs(working_copy), [tmp_path / "new.ttl"], no_problems)


def test_add_refuses_a_new_file_name_taken_by_an_unrelated_file(working_copy, tmp_path):
    inputs = find_inputs(working_copy)
    candidate = tmp_path / "countries.ttl"
    candidate.write_text("@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                         '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                         'akd:atlantis rdfs:label "Atlantis"@en .\n', encoding="utf-8")
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match=r"rename the candidate file, or, to add to "
                                         r"countries\.ttl, say something in it of a subject "
                                         r"that file holds \(such as a citation of a fact there\)$"):
        add(inputs, [candidate], no_problems)
    assert snapshot(inputs.data_dir) == before

    # Without new subjects the name does not matter: PAC-3's citation goes to systems.ttl.
    candidate.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                         "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                         "akd:pac-3 ak:citation [ ak:inSource akd:source-aaf-2015 ; "
                         f'ak:quote "{NEW_QUOTE}" ] .\n', encoding="utf-8")
    assert add(inputs, [candidate], no_problems).written == [inputs.data_dir / "systems.ttl"]


HUDSON_LINK = ("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
               "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
               "akd:hudson-institute ak:country akd:united-states .\n")
HUDSON = ("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
          "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
          '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
          'akd:hudson-institute a ak:Organization ; rdfs:label "Hudson Institute"@en .\n')


def test_a_new_subject_of_two_candidates_lives_with_the_one_that_gives_its_class(
        working_copy, tmp_path):
    """It went to the file of the first candidate given, whatever that said of it."""
    inputs = find_inputs(working_copy)
    (tmp_path / "two-b.ttl").write_text(HUDSON_LINK, encoding="utf-8")
    (tmp_path / "two-a.ttl").write_text(HUDSON, encoding="utf-8")
    result = add(inputs, [tmp_path / "two-b.ttl", tmp_path / "two-a.ttl"], no_problems)
    assert result.written == [inputs.data_dir / "two-a.ttl"]
    assert len(graph_of_file(inputs.data_dir / "two-a.ttl")) == 3


def test_a_class_given_in_a_later_candidate_still_checks_that_candidates_file(
        working_copy, tmp_path):
    """The typing candidate's new file is checked before a subject goes there, even when
    another candidate comes first: countries.ttl is an unrelated data file."""
    inputs = find_inputs(working_copy)
    (tmp_path / "first.ttl").write_text(HUDSON_LINK, encoding="utf-8")
    (tmp_path / "countries.ttl").write_text(HUDSON, encoding="utf-8")
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match=r"countries\.ttl: its new subjects would go to .*"
                                         r"rename the candidate"):
        add(inputs, [tmp_path / "first.ttl", tmp_path / "countries.ttl"], no_problems)
    assert snapshot(inputs.data_dir) == before


def test_an_extended_candidate_adds_its_new_subjects_to_the_file_it_made(working_copy, tmp_path):
    inputs = find_inputs(working_copy)
    add(inputs, [EXERCISE], no_problems)
    extended = tmp_path / EXERCISE.name
    extended.write_text(EXERCISE.read_text(encoding="utf-8")
                        + 'akd:another-exercise rdfs:label "Another exercise"@en .\n', encoding="utf-8")
    result = add(inputs, [extended], no_problems)
    assert (result.written, result.added) == ([inputs.data_dir / "exercise-2015.ttl"], 1)
    assert (URIRef(AKD + "another-exercise"), None, None) in graph_of_file(result.written[0])


def test_add_refuses_a_blank_node_shared_across_files(working_copy):
    inputs = find_inputs(working_copy)
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match="give it an IRI"):
        add(inputs, [FIXTURES / "shared-blank-node.ttl"], no_problems)
    assert snapshot(inputs.data_dir) == before


def test_a_blank_node_subject_is_written_with_its_citation_nested():
    """The citation was written first, as a labelled _:c... node of its own, and the fact
    after it as '[]    a ak:Agreement'."""
    candidate = parse_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        '[] a ak:Agreement ; ak:party akd:japan ; ak:citation [ ak:quote "q" ] .\n'
        # a citation whose content digest sorts before its fact's
        '[] a ak:Agreement ; ak:party akd:israel ; ak:citation [ ak:inSource '
        'akd:source-aaf-2015 ; ak:quote "The first step was establishing a cooperative '
        'technical research program for BMD." ] .\n')
    text = canonical_turtle(graph_of(candidate))
    assert "_:" not in text
    assert (
        "\n\n[]\n"
        "    a ak:Agreement ;\n"
        "    ak:citation\n"
        "        [\n"
        '            ak:quote "q" ;\n'
        "        ] ;\n"
        "    ak:party akd:japan ;\n"
        ".\n") in text


def test_a_top_level_blank_node_goes_to_the_new_file(tiny_copy, tmp_path):
    inputs = find_inputs(tiny_copy)
    candidate = tmp_path / "notes.ttl"
    candidate.write_text("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                         '[] rdfs:comment "a note" .\n', encoding="utf-8")
    result = add(inputs, [candidate], no_problems)
    assert result.written == [inputs.data_dir / "notes.ttl"]
    assert [type(s) for s in graph_of_file(inputs.data_dir / "notes.ttl").subjects()] == [BNode]


BLANK_NODE_EVENT = ("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                    "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    '[] a ak:Event ; rdfs:label "An exercise"@en ; ak:participant akd:japan ;\n'
                    '   ak:citation [ ak:inSource akd:source-aaf-2015 ; ak:quote "q" ] .\n')


def test_a_blank_node_subject_already_in_the_data_is_not_added_again(tiny_copy, tmp_path):
    """Adding it twice was refused ("holds none of its subjects: rename the candidate"),
    and under another name it was added again, a second copy of the same fact."""
    inputs = find_inputs(tiny_copy)
    candidate = tmp_path / "exercise.ttl"
    candidate.write_text(BLANK_NODE_EVENT, encoding="utf-8")
    assert add(inputs, [candidate], no_problems).added == 6
    after = snapshot(inputs.data_dir)
    renamed = tmp_path / "restated.ttl"
    renamed.write_text(BLANK_NODE_EVENT, encoding="utf-8")
    for again in (candidate, renamed):
        result = add(inputs, [again], no_problems)
        assert (result.written, result.added) == ([], 0)
        assert snapshot(inputs.data_dir) == after


def test_a_blank_node_subject_and_an_iri_sharing_a_blank_node_are_refused(working_copy,
                                                                          tmp_path):
    """The citation went to systems.ttl with PAC-3, the [] holding it to a file of its own."""
    inputs = find_inputs(working_copy)
    candidate = tmp_path / "shared.ttl"
    candidate.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                         "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                         "[] ak:citation _:c . akd:pac-3 ak:citation _:c .\n"
                         '_:c ak:inSource akd:source-aaf-2015 ; ak:quote "q" .\n', encoding="utf-8")
    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match="shared by subjects that live in systems.ttl and shared.ttl"):
        add(inputs, [candidate], no_problems)
    assert snapshot(inputs.data_dir) == before


# ---------------------------------------------------------------------------
# Crashes and concurrency

def test_a_failed_write_leaves_every_file_as_it_was_and_no_temporary_file(working_copy,
                                                                        monkeypatch):
    """All or nothing: the files renamed before the failure get their old content back
    (the failure once left a half-merged candidate)."""
    inputs = find_inputs(working_copy)
    before = snapshot(inputs.data_dir)
    real_replace = os.replace
    calls = []

    def replace_then_fail(source, target):
        calls.append(target)
        if len(calls) == 2:  # the first file is in place, the second is not
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    with pytest.raises(InputError, match="cannot write .No space left on device.$"):
        add(inputs, [EXERCISE], no_problems)
    monkeypatch.undo()
    assert snapshot(inputs.data_dir) == before  # no temporary file either

    add(inputs, [EXERCISE], no_problems)  # the run that does not fail
    assert snapshot(inputs.data_dir) != before


EDIT = "\n# saved by an editor meanwhile\n"


def test_a_data_file_saved_while_add_validates_is_neither_merged_nor_overwritten(working_copy):
    """The lock holds off other kg writers, not an editor: its save, unvalidated, was
    merged and rewritten, and one made after the data were read was undone."""
    inputs = find_inputs(working_copy)
    systems = inputs.data_dir / "systems.ttl"

    def validate_while_an_editor_saves(paths):
        with systems.open("a", encoding="utf-8") as file:
            file.write(EDIT)
        return []

    before = snapshot(inputs.data_dir)
    with pytest.raises(InputError, match=r"systems\.ttl: changed during this run .*nothing written"):
        add(inputs, [EXERCISE], validate_while_an_editor_saves)
    before["systems.ttl"] += EDIT.encode()
    assert snapshot(inputs.data_dir) == before


def test_a_data_file_saved_while_fmt_formats_is_not_overwritten(working_copy, monkeypatch):
    inputs = find_inputs(working_copy)
    countries = as_shuffled_n_triples(inputs.data_dir / "countries.ttl")
    real_canonical_text_of = canonical_text_of

    def canonical_text_while_an_editor_saves(path):
        text = real_canonical_text_of(path)
        if path == countries:
            with countries.open("a", encoding="utf-8") as file:
                file.write(EDIT)
        return text

    monkeypatch.setattr("kg.curation.canonical_text_of", canonical_text_while_an_editor_saves)
    with pytest.raises(InputError, match=r"countries\.ttl: changed during this run"):
        format_files(inputs)
    assert countries.read_text(encoding="utf-8").endswith(EDIT)


def test_a_temporary_file_left_by_a_killed_run_is_not_data_and_is_cleaned_up(working_copy):
    inputs = find_inputs(working_copy)
    stale = inputs.data_dir / f".systems.ttl.x1y2{TEMP_SUFFIX}"
    stale.write_text("half a fi", encoding="utf-8")
    assert stale not in inputs.data_files
    add(inputs, [EXERCISE], no_problems)
    assert not stale.exists()


def test_a_second_writer_waits_for_the_lock_then_gives_up_clearly(working_copy):
    inputs = find_inputs(working_copy)
    before = snapshot(inputs.data_dir)
    with open(inputs.data_dir / LOCK_FILE, "a+b") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another kg add, as far as flock can tell
        started = time.monotonic()
        with pytest.raises(InputError, match=r"another kg add or kg fmt is writing here .* 0\.3 s"):
            add(inputs, [EXERCISE], no_problems, lock_timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 5
        with pytest.raises(InputError, match="another kg add"):
            format_files(inputs, lock_timeout=0.1)
    assert snapshot(inputs.data_dir) == before
    assert add(inputs, [EXERCISE], no_problems, lock_timeout=0.3).added == 12  # lock released
