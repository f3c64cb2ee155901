"""Hints for a query that found nothing: the names in it that no triple of the graph uses."""

import pytest
from click.testing import CliRunner

from kg.api import absent_names
from kg.cli import cli
from kg.hints import named_iris
from kg.namespaces import AKD, PREFIXES
from kg.store import open_graph

RDFS = PREFIXES["rdfs"]


@pytest.fixture
def tiny(tiny_copy):
    return open_graph(tiny_copy)


def test_named_iris_reads_the_query_as_sparql_does():
    text = ('PREFIX ak: <http://example.org/own#>\n'   # the query's own prefix wins
            'BASE <http://example.org/base/>\n'
            'SELECT ?s WHERE { ?s ak:p "rdfs:inString"^^xsd:string ; rdfs:labl\\.x <rel> ;\n'
            '  <http://example.org/full> ?o # akd:inComment\n'
            '  FILTER(xsd:integer(?o) > 1 || ?o = akd:x) ?s ^akd:y _:b }')
    assert [(iri, written) for iri, written, _ in named_iris(text)] == [
        ("http://example.org/own#p", "ak:p"),
        (RDFS + "labl.x", "rdfs:labl\\.x"),          # PN_LOCAL_ESC unescaped
        ("http://example.org/full", "<http://example.org/full>"),
        (AKD + "x", "akd:x"), (AKD + "y", "akd:y")]


def test_a_mistyped_name_is_absent_with_the_nearest_names(tiny):
    text = ("SELECT ?s WHERE { ?s rdfs:labl ?l ; ak:variantOf akd:zaper .\n"
            "  ?s a ak:DefenceSystem ; rdfs:labl ?m }")
    assert [(n.written, n.line, n.column, str(n)) for n in absent_names(text, tiny)] == [
        ("rdfs:labl", 1, 22, "rdfs:labl is in no triple of the graph (did you mean rdfs:label?)"),
        ("akd:zaper", 1, 50, "akd:zaper is in no triple of the graph "
                             "(did you mean akd:zapper, akd:zapper-2?)"),
        ("ak:DefenceSystem", 2, 8, "ak:DefenceSystem is in no triple of the graph "
                                   "(did you mean ak:DefenseSystem?)")]


def test_a_name_in_the_wrong_namespace_is_told_the_right_one(tiny):
    """ak:zapper is akd:zapper, and akd:Agreement ak:Agreement: the nearest names of its
    own namespace were no help (ak:Company, ak:participant, ...)."""
    text = "SELECT ?a WHERE { ?a ak:party ak:zapper ; a akd:Agreement }"
    assert [str(name) for name in absent_names(text, tiny)] == [
        "ak:zapper is in no triple of the graph (did you mean akd:zapper? ak: names classes "
        "and properties, akd: entities, akc: concepts)",
        "akd:Agreement is in no triple of the graph (did you mean ak:Agreement? ak: names "
        "classes and properties, akd: entities, akc: concepts)"]


def test_rdf_type_is_suggested_though_no_ontology_declares_it(tiny):
    [typo] = absent_names("ASK { ?s rdf:typ ?o }", tiny)
    assert typo.suggestion == " (did you mean rdf:type?)"


@pytest.mark.parametrize("datatype", ["rdf:langString", "rdf:HTML", "rdf:JSON", "xsd:date"])
def test_a_datatype_compared_with_is_no_absent_name(tiny, datatype):
    """rdf:langString is in no triple, but names no node a typo would have missed."""
    text = f'SELECT ?s WHERE {{ ?s rdfs:label ?l FILTER(DATATYPE(?l) = {datatype}) }}'
    assert absent_names(text, tiny) == []


def test_a_construct_template_makes_names_it_need_not_find(tiny):
    """A CONSTRUCT writes new names (ex:alliedWith): they were noted as absent, as if they
    were why the WHERE found nothing; CONSTRUCT WHERE's template is its pattern."""
    prefix = "PREFIX ex: <http://example.org/>\n"
    assert [n.written for n in absent_names(
        prefix + "CONSTRUCT { ?s ex:alliedWith [ ex:via ?o ] } WHERE { ?s ex:memberOf ?o }",
        tiny)] == ["ex:memberOf"]
    assert [n.written for n in absent_names(prefix + "CONSTRUCT WHERE { ?s ex:memberOf ?o }",
                                            tiny)] == ["ex:memberOf"]


def test_names_the_graph_uses_anywhere_are_not_absent(tiny):
    text = ("SELECT * WHERE { GRAPH <https://w3id.org/alliance-kg/graph/asserted> {\n"
            "  ?s a ak:DefenseSystem ; ak:variantOf akd:zapper ; ?p rdfs:Resource } }")
    assert [n.written for n in absent_names(text, tiny)] == ["rdfs:Resource"]
    assert absent_names("ASK { ?s rdf:type ak:Company }", tiny) == []


def test_kg_sparql_notes_absent_names(tiny_copy, tmp_path):
    def run(*args):
        return CliRunner().invoke(cli, ["--data", str(tiny_copy), *args], prog_name="kg")

    found_nothing = run("sparql", "SELECT ?s WHERE { ?s rdfs:labl ?l }")
    assert found_nothing.exit_code == 0 and found_nothing.stdout == "s\n-\n(0 rows)\n"
    assert found_nothing.stderr == ("kg: note: 1:22: rdfs:labl is in no triple of the graph "
                                    "(did you mean rdfs:label?)\n")
    query = tmp_path / "q.rq"
    query.write_text("PREFIX ex: <http://example.org/>\nASK { ?s ex:nothing ?o }\n")
    assert run("sparql", f"@{query}").stderr == \
        f"kg: note: {query}:2:10: ex:nothing is in no triple of the graph\n"
    # rows found: a typo in OPTIONAL or FILTER NOT EXISTS gave wrong rows, silently;
    # names of the query's own (example IRIs) are no typo
    assert run("sparql", "SELECT ?s WHERE { ?s rdfs:label ?l OPTIONAL { ?s rdfs:labl ?m } }"
               ).stderr == ("kg: note: 1:50: rdfs:labl is in no triple of the graph "
                            "(did you mean rdfs:label?)\n")
    assert run("sparql", "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(?s != <http://ex/a>) }"
               ).stderr == ""
    assert run("-q", "sparql", "SELECT ?s WHERE { ?s rdfs:labl ?l }").stderr == ""


def test_kg_sparql_help_says_where_and_when_the_notes_come(tiny_copy):
    """It promised a note for any query: none comes with --endpoint."""
    text = " ".join(CliRunner().invoke(cli, ["sparql", "--help"]).output.split())
    assert "A query of this graph (not --endpoint) gets a note on stderr" in text


def test_a_namespace_compared_as_a_string_is_no_absent_name(tiny):
    """STR(akd:), as the canned queries write it, named the namespace itself."""
    text = "SELECT ?s WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), STR(akd:)) && ?s = akd:nowhere) }"
    assert [n.written for n in absent_names(text, tiny)] == ["akd:nowhere"]


def test_only_the_first_absent_names_get_suggestions_and_notes(tiny_copy):
    """A query of 2,000 unknown IDs compared each with every labelled node (minutes at
    1M triples) and printed 2,000 notes."""
    from kg.hints import MAX_SUGGESTED

    text = ("SELECT ?s WHERE { VALUES ?s { " + " ".join(f"akd:zapper{i}" for i in range(50))
            + " } ?s ?p ?o }")
    absent = absent_names(text, open_graph(tiny_copy))
    assert len(absent) == 50
    assert all(n.suggestion for n in absent[:MAX_SUGGESTED])
    assert not any(n.suggestion for n in absent[MAX_SUGGESTED:])
    notes = CliRunner().invoke(cli, ["--data", str(tiny_copy), "sparql", text]).stderr
    assert notes.splitlines()[MAX_SUGGESTED:] == [
        f"kg: note: and {50 - MAX_SUGGESTED} more names of the query are in no triple of "
        "the graph"]


def test_a_string_without_the_graphs_language_tag_is_told_its_tagged_form(tiny):
    """?x rdfs:label "Zapper" found nothing, with no note: every label is "..."@en."""
    text = ("SELECT ?x WHERE { ?x rdfs:label 'Zapper' ; skos:altLabel \"ZAP-1\"@en .\n"
            '  ?x ak:quote "The Zapper intercepts short-range missiles." ;\n'
            '     rdfs:label "Nothing" FILTER(CONTAINS(?l, "Zapper") || ?l = "Maker A") }')
    assert [(n.written, n.line, n.column, str(n)) for n in absent_names(text, tiny)] == [
        ("'Zapper'", 1, 33, "'Zapper' is in no triple of the graph "
                            '(did you mean "Zapper"@en? the graph tags its text)')]


def test_a_suggestion_that_is_the_name_written_under_another_prefix_is_spelled_out(tiny):
    """A query declaring its own ak: was told "did you mean ak:Country?" of its ak:Country."""
    [name] = absent_names("PREFIX ak: <http://wrong/> ASK { ?s a ak:Company }", tiny)
    assert name.suggestion == (" (did you mean <https://w3id.org/alliance-kg/ontology#Company>? "
                               "check the prefix declarations)")


def test_the_nearest_names_are_never_the_name_itself():
    """A subject stated of but given no class is told the names nearest its own, which
    is among the known names: each caller took it out, a copy of them for each typo."""
    from rdflib import URIRef

    from kg.namespaces import Names

    known = Names([URIRef(AKD + name) for name in ("japan", "japan-sdf", "china")])
    assert known.nearest(URIRef(AKD + "japan")) == " (did you mean akd:japan-sdf?)"
    assert known.nearest(URIRef(AKD + "japn")) == " (did you mean akd:japan?)"
    assert known.nearest(URIRef("https://w3id.org/alliance-kg/identity/china")) == \
        " (did you mean akd:china? check the prefix declarations)"


def test_a_mistyped_name_is_offered_the_node_its_words_name():
    """difflib's ratio missed these: akd:dprk offered akd:quad, not the node labelled DPRK."""
    from rdflib import URIRef

    from kg.namespaces import Names

    nodes = {name: URIRef(AKD + name) for name in ("north-korea", "nobuo-kishi", "quad", "mead")}
    known = Names(nodes.values(), {"dprk": {nodes["north-korea"]}, "quad": {nodes["quad"]}})
    assert known.nearest(URIRef(AKD + "dprk")).startswith(" (did you mean akd:north-korea,")
    assert known.nearest(URIRef(AKD + "kishi-nobuo")).startswith(" (did you mean akd:nobuo-kishi")
    assert known.nearest(URIRef(AKD + "nobuo-kishi-defense-minister")).startswith(
        " (did you mean akd:nobuo-kishi")
    assert "akd:quad" not in known.nearest(URIRef(AKD + "quad"))  # never the name itself
