"""The canned-query catalog: headers, parameter binding as RDF terms, entity resolution."""

import re

import pyoxigraph as ox
import pytest

from kg.api import run_query
from kg.catalog import UNSET, bind, load_catalog, read_query, resolve
from kg.errors import InputError
from kg.loading import find_inputs
from kg.namespaces import AKD, PREFIXES
from kg.store import open_graph

SHIPPED = ["agreements", "co-production", "counters", "evidence", "funding", "inventory", "members",
           "partners", "search", "systems", "timeline"]


@pytest.fixture
def tiny(tiny_copy):
    return open_graph(tiny_copy)


def write_query(folder, name, text):
    path = folder / f"{name}.rq"
    path.write_text(text)
    return path


def test_every_shipped_query_has_a_title_and_described_parameters():
    catalog = load_catalog(find_inputs().queries_dir)
    assert sorted(catalog) == SHIPPED
    for query in catalog.values():
        assert query.title and query.description
        for parameter in query.parameters:
            assert parameter.description
            assert f"?{parameter.variable}" in query.sparql


@pytest.mark.parametrize("select", [
    "SELECT ?s ?param_x WHERE { ?s ?p ?o }",
    "SELECT DISTINCT ?s (STR(?s) AS ?param_x) { ?s ?p ?o }",
    "SELECT ?s $param_x WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) ?param_x WHERE { ?s ?p ?o } GROUP BY ?param_x",
    "SELECT * WHERE { ?s ?p ?param_x }",
    "SELECT * WHERE { VALUES ?param_x { 1 } }",
])
def test_a_projected_parameter_is_accepted(tmp_path, select):
    query = read_query(write_query(tmp_path, "demo", (
        f"# title: t\n# param x: string, optional -- x\n{select}\n")))
    assert [p.name for p in query.parameters] == ["x"]


def test_header_fields_and_parameters_are_read(tmp_path):
    query = read_query(write_query(tmp_path, "demo", (
        "# title: A demo\n"
        "# description: Line one\n"
        "#   continues here.\n"
        "# param system: entity ak:DefenseSystem, required -- the system\n"
        "# param from: year, optional, default 2000 -- first year\n"
        "SELECT ?s ?param_system ?param_from WHERE { ?s ?p ?o }\n")))
    assert query.title == "A demo"
    assert query.description == "Line one continues here."
    system, start = query.parameters
    assert (system.name, system.type, system.entity_class, system.required) == (
        "system", "entity", "ak:DefenseSystem", True)
    assert (start.name, start.type, start.default, start.required) == ("from", "year", "2000", False)
    assert start.usage() == "--from year (default 2000)"


@pytest.mark.parametrize("header, message", [
    ("# description: no title\nSELECT * {}", r"demo\.rq:1: canned query has no '# title:'"),
    ("# title: t\n# param x: colour, optional\nSELECT * {}", r"demo\.rq:2: bad parameter header"),
    ("# title: t\n# param x: year\nSELECT * {}", r"demo\.rq:2: bad parameter header"),
    ("# title: t\n# param x: year, optional\nSELECT ?param_x {\n"
     "  FILTER(COALESCE(IF(sameTerm(?param_x, ?param_x), false, true), true)) }",
     r"demo\.rq:4:22: sameTerm\(\?param_x, \?param_x\) is always true now.*kg:unset"),
    # each of these once loaded, and failed (or silently misbehaved) only when run
    ("# title: t\n# param x: year, optional, default abc -- x\nSELECT ?param_x {}",
     r"demo\.rq:2: default 'abc' of parameter x is not a valid year$"),
    ("# title: t\n# param x: date, optional, default 2023-02-30 -- x\nSELECT ?param_x {}",
     r"demo\.rq:2: default '2023-02-30' of parameter x is not a valid date \(day is out"),
    ("# title: t\n# param x: year, optional -- x\n# param y: string, optional -- y\n"
     "# param x: string, optional -- x again\nSELECT ?param_x ?param_y {}",
     r"demo\.rq:4: parameter x is declared twice \(first on line 2\)"),
    ("# title: t\n# param x: year, required, default 2000 -- x\nSELECT ?param_x {}",
     r"demo\.rq:2: parameter x is required, so its default 2000 would never be used"),
    ("# title: t\n# param help: string, optional -- h\nSELECT ?param_help {}",
     r"demo\.rq:2: parameter name 'help' is taken by kg query's own option --help"),
    ("# title: t\n# param format: string, optional -- f\nSELECT ?param_format {}",
     r"demo\.rq:2: parameter name 'format' is taken by kg query's own option --format"),
    ("# title: t\n# param x: string, optional -- x\n# param y: string, optional -- y\n"
     "SELECT ?s ?param_x\n  (STR(?param_y) AS ?y) WHERE { ?s ?p ?param_y }",
     r"demo\.rq:3: the SELECT clause \(line 4\) does not project \?param_y, so parameter y"),
    ("# title: t\n# param y: string, optional -- y\n"
     "SELECT * WHERE { ?s ?p ?o FILTER(?o = ?param_y) }",
     r"demo\.rq:2: the SELECT clause \(line 3\) does not project \?param_y"),
    ("# title: t\n# param y: string, optional -- y\nASK { ?s ?p ?param_y }",
     r"demo\.rq:2: parameter y needs a SELECT query that projects \?param_y"),
    # refused when run with neither given, for "--from 2025 is after --to 2020"
    ("# title: t\n# param from: year, optional, default 2025 -- f\n"
     "# param to: year, optional, default 2020 -- t\nSELECT ?param_from ?param_to {}",
     r"demo\.rq:2: the default of from, 2025, is after that of to, 2020: no year is in that "
     r"range$"),
])
def test_malformed_headers_name_file_and_line(tmp_path, header, message):
    with pytest.raises(InputError, match=message):
        read_query(write_query(tmp_path, "demo", header))


@pytest.mark.parametrize("given", [
    "Zapper 2", "zapper 2", "ZAPPER 2", "akd:zapper-2", "zapper-2", "Zapper-2", AKD + "zapper-2",
    "akd:Zapper-2", "AKD:zapper-2", AKD + "ZAPPER-2"])
def test_entities_resolve_from_label_curie_local_name_or_iri(tiny, given):
    assert resolve(tiny, given) == ox.NamedNode(AKD + "zapper-2")


def test_concepts_resolve_from_their_local_name(tiny):
    """`drone` names akc:drone, whose label is "attack drone"."""
    assert resolve(tiny, "drone", "skos:Concept") == ox.NamedNode(PREFIXES["akc"] + "drone")
    assert resolve(tiny, "Lower-Tier") == ox.NamedNode(PREFIXES["akc"] + "lower-tier")


def test_alternative_labels_resolve_case_insensitively(tiny):
    assert resolve(tiny, "zap-1") == ox.NamedNode(AKD + "zapper")
    assert resolve(tiny, "ma", "ak:Company") == ox.NamedNode(AKD + "maker-a")


@pytest.mark.parametrize("given, local", [
    ("Zappers", "zapper"), ("ZAP-1s", "zapper"), ("attack drones", "drone"),
    ("Zapper 2s", "zapper-2")])
def test_a_plural_name_resolves_to_what_its_singular_names(tiny, given, local):
    """As an article writes them: "attack drones" names the concept "attack drone"."""
    assert resolve(tiny, given).value.endswith("/" + local)


@pytest.mark.parametrize("given", ["akd:zappers", AKD + "zappers", "Zapperss"])
def test_only_a_name_in_the_plural_loses_its_s(tiny, given):
    with pytest.raises(InputError, match=f"entity '{given}': no entity has that name"):
        resolve(tiny, given)


@pytest.mark.parametrize("given", ["its", "ILs", "Q17s", "wd:Q17s"])
def test_an_iso_code_or_wikidata_id_has_no_plural(graph, given):
    """"its" named Italy (IT), "Q17s" Japan: a code with an s is no code, nor a name."""
    with pytest.raises(InputError, match=f"--country '{given}': no ak:Country has that name"):
        resolve(graph, given, "ak:Country", "--country")


@pytest.mark.parametrize("given, local", [
    ("ZAP\u20111", "zapper"), ("ZAP\u20131", "zapper"), ("zap\u22121", "zapper"),
    ("\u201cZAP-1\u201d", "zapper"), ("\u2018ZAP-1\u2019", "zapper"), ("'ZAP-1'", "zapper"),
    ("\uff3a\uff21\uff30-1", "zapper"),
    ("akd:zapper\u2011licence", "zapper-licence"),
    ("Licensed production of\u00a0Zapper  2", "zapper-licence")])
def test_names_copied_with_typographic_characters_resolve(tiny, given, local):
    """A name pasted from an article or a PDF: a no-break hyphen, en dash or minus for
    the hyphen, typographic quotes around it, full-width letters, a no-break space or a
    run of spaces."""
    assert resolve(tiny, given) == ox.NamedNode(AKD + local)


@pytest.mark.parametrize("given", ["", "  "])
def test_an_empty_name_is_said_to_be_empty_not_close_to_short_names(tiny, given):
    """It suggested the shortest names known, as if they were near misses."""
    with pytest.raises(InputError, match=f"^--system '{given}': empty; give a name, a CURIE"):
        resolve(tiny, given, "ak:DefenseSystem", "--system")


def test_a_label_with_typographic_characters_resolves_as_written(tiny_copy):
    (tiny_copy / "data" / "extra.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "akd:maker-c a ak:Company ; rdfs:label \"Maker\u2011C\u2019s\"@en .\n")
    assert resolve(open_graph(tiny_copy), "Maker\u2011C\u2019s") == ox.NamedNode(AKD + "maker-c")


@pytest.mark.parametrize("given", [
    "Q1100", "q1100", "wd:Q1100", "http://www.wikidata.org/entity/Q1100",
    "https://www.wikidata.org/wiki/Q1100"])
def test_entities_resolve_from_the_wikidata_id_the_graph_matches_them_to(tiny_copy, given):
    (tiny_copy / "data" / "wikidata.ttl").write_text(
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "akd:land-a skos:exactMatch <http://www.wikidata.org/entity/Q1100> .\n")
    graph = open_graph(tiny_copy)
    assert resolve(graph, given, "ak:Country") == ox.NamedNode(AKD + "land-a")
    with pytest.raises(InputError, match="'wd:Q1101': no entity has that name"):
        resolve(graph, "wd:Q1101")


@pytest.mark.parametrize("given, local", [("JP", "japan"), ("kr", "south-korea"),
                                          ("IL", "israel")])
def test_a_country_resolves_from_its_iso_code(graph, given, local):
    assert resolve(graph, given, "ak:Country") == ox.NamedNode(AKD + local)


def test_unknown_entity_lists_the_closest_names(tiny):
    with pytest.raises(InputError, match=r"'Zaper': no entity has that name; did you mean: Zapper"):
        resolve(tiny, "Zaper")


@pytest.mark.parametrize("typed, cls, suggested", [
    ("Mitsubishi", "ak:Company", "did you mean: Mitsubishi Heavy Industries?"),
    ("THAAD system", "ak:DefenseSystem", "did you mean: THAAD, "),
    ("US-Israel MoU", None, ", U.S.-Israel MoU on a decade-long defense package (2016), "),
])
def test_unknown_entity_suggests_the_name_it_is_part_of_or_holds(graph, typed, cls, suggested):
    """'Mitsubishi' got no suggestion, 'THAAD system' only 'Aegis BMD system', and
    'US-Israel MoU' none: the ratio of close matches is low between names of very
    different lengths."""
    with pytest.raises(InputError) as error:
        resolve(graph, typed, cls)
    assert suggested in str(error.value)


@pytest.mark.parametrize("typed, suggested", [
    ("HMI", "; did you mean: MHI?"),  # lost to a cutoff of 0.7
    ("Aegis Ashor", "; did you mean: Aegis, Aegis Ashore?"),
    ("isreal", "; did you mean: Israel?"),
])
def test_unknown_entity_is_offered_only_names_close_to_it(graph, typed, suggested):
    with pytest.raises(InputError) as error:
        resolve(graph, typed)
    assert str(error.value) == f"entity {typed!r}: no entity has that name{suggested}"


def test_entity_of_the_wrong_class_is_refused_saying_what_it_names(tiny):
    """A company given for a system is known: the error says what it is, not only that
    no system has the name (which reads as a typo)."""
    with pytest.raises(InputError, match="no ak:DefenseSystem has that name; it names "
                                         "the company akd:maker-a$"):
        resolve(tiny, "Maker A", "ak:DefenseSystem")


def test_unknown_parameter_and_missing_required_parameter(tiny, tmp_path):
    query = read_query(write_query(tmp_path, "demo", (
        "# title: t\n# param system: entity ak:DefenseSystem, required -- s\n"
        "SELECT ?s ?param_system WHERE { ?s ak:concernsSystem ?param_system }\n")))
    with pytest.raises(InputError, match=r"has no parameter --colour \(parameters: --system\)"):
        bind(query, tiny, {"colour": "red"})
    with pytest.raises(InputError, match=r"needs --system"):
        bind(query, tiny, {})


def test_a_working_copys_query_reaches_nothing_while_it_is_read(tmp_path):
    """To tell whether `SELECT *` projects a parameter, Oxigraph prepared the query before
    it was checked, and followed its SERVICE: `kg queries` sent a POST to the URL."""
    import socket
    import threading

    called = []

    def answer(listener):  # hang up on whoever calls, so that a call fails, not hangs
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        called.append(True)
        connection.close()

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(10)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        threading.Thread(target=answer, args=(listener,), daemon=True).start()
        path = write_query(tmp_path, "reach", (
            "# title: t\n# param x: string, optional -- x\n"
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?param_x }} }}\n"))
        with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:3:18: SERVICE is not allowed"):
            read_query(path)
    assert not called


def test_an_entity_default_that_names_nothing_is_placed_at_its_header_line(tiny, tmp_path):
    """It can be resolved only with a graph, when the query runs; the error blamed
    `--system 'Nope'`, an option the user never gave."""
    path = write_query(tmp_path, "demo", (
        "# title: t\n# param system: entity ak:DefenseSystem, optional, default Nope -- s\n"
        "SELECT ?s ?param_system WHERE { ?s ak:concernsSystem ?param_system }\n"))
    with pytest.raises(InputError) as refused:
        bind(read_query(path), tiny, {})
    assert str(refused.value).startswith(
        f"{path}:2: the default of --system 'Nope': no ak:DefenseSystem has that name")
    assert bind(read_query(path), tiny, {"system": "Zapper"})  # given, the default is unused


@pytest.mark.parametrize("cls", ["ak:Nope", "akd:zapper"])
def test_a_parameter_class_that_is_no_class_is_placed_at_its_header_line(tiny, tmp_path, cls):
    """Every value was refused as naming no such entity, blaming the value given."""
    path = write_query(tmp_path, "demo", (
        f"# title: t\n# param system: entity {cls}, optional -- s\n"
        "SELECT ?s ?param_system WHERE { ?s ak:concernsSystem ?param_system }\n"))
    with pytest.raises(InputError) as refused:
        bind(read_query(path), tiny, {"system": "Zapper"})
    assert str(refused.value) == (f"{path}:2: {cls}, the class of parameter system, is not a "
                                  f"class of the graph")
    assert bind(read_query(path), tiny, {})  # the class matters only for a value


@pytest.mark.parametrize("kind, value, why", [
    ("year", "20x1", ""), ("integer", "1.5", ""), ("date", "2020-13", ""),
    # \d took digits of any script, which then matched no year of the graph
    ("year", "\u0662\u0660\u0662\u0660", ""), ("year", "\uff12\uff10\uff12\uff10", ""),
    ("integer", "\u0661", ""), ("date", "\uff12\uff10\uff12\uff10-01-01", ""),
    ("date", "2023-02-30", " (day is out of range for month)"),
    ("date", "2023-13-45", " (month must be in 1..12)"),
])
def test_malformed_typed_values_are_refused(tiny, tmp_path, kind, value, why):
    query = read_query(write_query(tmp_path, "demo", (
        f"# title: t\n# param v: {kind}, optional -- v\nSELECT ?param_v WHERE {{}}\n")))
    with pytest.raises(InputError) as refused:
        bind(query, tiny, {"v": value})
    assert str(refused.value) == f"--v {value!r} is not a valid {kind}{why}"


@pytest.mark.parametrize("kind, start, end", [
    ("year", "2025", "2020"), ("integer", "10", "9"),   # by number, not as text
    ("date", "2020-03-01", "2020-02-29"), ("year", "0500", "-0500"),
])
def test_a_range_that_ends_before_it_starts_is_refused(tiny, tmp_path, kind, start, end):
    query = read_query(write_query(tmp_path, "demo", (
        f"# title: t\n# param from: {kind}, optional -- f\n# param to: {kind}, optional -- t\n"
        "SELECT ?param_from ?param_to WHERE {}\n")))
    with pytest.raises(InputError) as refused:
        bind(query, tiny, {"from": start, "to": end})
    assert str(refused.value) == (f"--from {start} is after --to {end}: "
                                  f"no {kind} is in that range")
    assert bind(query, tiny, {"from": end, "to": start})   # the other way round is a range
    assert bind(query, tiny, {"from": start, "to": start})
    assert bind(query, tiny, {"from": start})


@pytest.mark.parametrize("kind, start, end", [("string", "b", "a"), ("entity", "zapper-2", "zapper")])
def test_a_from_and_to_without_an_order_are_no_range(tiny, tmp_path, kind, start, end):
    """Strings and entities have no order to check: they were a traceback (int('b'))."""
    query = read_query(write_query(tmp_path, "demo", (
        f"# title: t\n# param from: {kind}, optional -- f\n# param to: {kind}, optional -- t\n"
        "SELECT ?param_from ?param_to WHERE {}\n")))
    assert len(bind(query, tiny, {"from": start, "to": end})) == 2


def test_parameters_are_bound_as_terms_never_pasted(tiny, tmp_path):
    """A value that would break out of a pasted query stays one literal."""
    query = read_query(write_query(tmp_path, "demo", (
        "# title: t\n# param name: string, optional -- a label\n"
        "SELECT ?s ?param_name WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?param_name) }\n")))
    attack = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    substitutions = bind(query, tiny, {"name": attack})
    assert substitutions == {ox.Variable("param_name"): ox.Literal(attack)}
    assert tiny.select(query.sparql, substitutions)[1] == []
    assert tiny.select(query.sparql, bind(query, tiny, {"name": "Zapper"}))[1][0][0] == \
        ox.NamedNode(AKD + "zapper")


def test_an_optional_parameter_left_out_is_bound_to_kg_unset(tiny, tmp_path):
    """So that a query can start from its parameters: a pattern on kg:unset matches nothing."""
    query = read_query(write_query(tmp_path, "demo", (
        "# title: t\n# param name: string, optional -- a label\n"
        "# param year: year, optional, default 2000 -- a year\n"
        "SELECT ?s ?param_name ?param_year WHERE {\n"
        "  { ?s a ak:DefenseSystem FILTER(sameTerm(?param_name, kg:unset)) }\n"
        "  UNION { ?s rdfs:label ?l FILTER(STR(?l) = ?param_name) } }\n")))
    substitutions = bind(query, tiny, {})
    assert substitutions[ox.Variable("param_name")] == UNSET
    assert substitutions[ox.Variable("param_year")].value == "2000"
    everything = tiny.select(query.sparql, substitutions)[1]
    assert len(everything) > 1
    named = tiny.select(query.sparql, bind(query, tiny, {"name": "Zapper"}))[1]
    assert [row[0] for row in named] == [ox.NamedNode(AKD + "zapper")]


def test_injection_in_an_entity_parameter_is_an_unknown_name(tiny):
    with pytest.raises(InputError, match="no ak:DefenseSystem has that name"):
        run_query("co-production", {"system": '"} ; DROP ALL ; #'}, tiny)


def test_system_filter_includes_variants(tiny):
    rows = run_query("co-production", {"system": "Zapper"}, tiny).to_dicts()
    assert {(r["participant"], r["role"]) for r in rows} == {
        (AKD + "maker-a", "https://w3id.org/alliance-kg/ontology#licensor"),
        (AKD + "maker-b", "https://w3id.org/alliance-kg/ontology#licensee")}
    assert all(r["system"] == AKD + "zapper-2" for r in rows)
    assert "param_system" not in rows[0]


def test_country_filter_matches_companies_of_the_country(tiny):
    rows = run_query("co-production", {"country": "Land B"}, tiny).to_dicts()
    assert [(r["participant"], r["country"]) for r in rows] == [(AKD + "maker-b", AKD + "land-b")]


def test_year_filters(tiny):
    assert len(run_query("agreements", {"from": "2018", "to": "2018"}, tiny)) == 1
    assert len(run_query("agreements", {"from": "2019"}, tiny)) == 0


def test_unknown_query_suggests_close_names(tiny):
    with pytest.raises(InputError, match="no canned query named 'coproduction'; did you mean: co-production"):
        run_query("coproduction", {}, tiny)


def test_unknown_query_in_capitals_suggests_its_name(tiny):
    """'Counters' got a suggestion and 'COUNTERS' none."""
    with pytest.raises(InputError, match="no canned query named 'CO-PRODUCTION'; did you mean: co-production"):
        run_query("CO-PRODUCTION", {}, tiny)


def test_a_broken_query_file_stops_only_that_query(tiny_copy):
    """A curator's half-written query must not stop every other canned query."""
    (tiny_copy / "queries" / "draft.rq").write_text("# description: no title yet\nSELECT * {}\n")
    graph = open_graph(tiny_copy)
    assert len(run_query("systems", {}, graph)) > 0
    with pytest.raises(InputError, match=r"draft\.rq:1: canned query has no '# title:'"):
        run_query("draft", {}, graph)
    with pytest.raises(InputError, match=r"draft\.rq:1"):  # the whole list names it too
        load_catalog(graph.inputs.queries_dir)


@pytest.mark.parametrize("name", ["partners", "agreements"])
def test_a_partner_that_is_the_country_is_refused(graph, name):
    """partners gave no rows and a note naming Japan twice; agreements all of Japan's."""
    from kg.api import run_query

    with pytest.raises(InputError, match=r"^--partner names the same entity as --country "
                                         r"\(akd:japan\): give another country$"):
        run_query(name, {"country": "Japan", "partner": "JP"}, graph)


@pytest.mark.parametrize("given", ["U.S.-Japan security alliance", "us-japan security alliance"])
def test_a_name_with_or_without_full_stops_resolves(graph, given):
    """The alliance's alternative label is "US-Japan security alliance": "U.S.-Japan ..." was
    unknown, though the graph writes U.S. in most labels."""
    assert resolve(graph, given) == ox.NamedNode(AKD + "us-japan-alliance")


def test_a_damaged_label_key_is_an_error_naming_the_file_and_a_rebuild(tiny_copy, fresh_cache):
    """A line of labels.tsv whose IRI is none gave a ValueError traceback."""
    from kg.store import LABELS_FILE

    graph = open_graph(tiny_copy)
    labels = graph.path / LABELS_FILE
    labels.write_text(labels.read_text().replace(AKD + "maker-a", "not an IRI"))
    with pytest.raises(InputError, match=r"labels\.tsv: the compiled graph is damaged"):
        resolve(graph, "maker a")
    assert resolve(open_graph(tiny_copy), "maker a") == ox.NamedNode(AKD + "maker-a")


def test_a_class_resolves_by_its_label_in_another_case(graph):
    """Project nodes are found by the keys the build kept of their labels; the ontology's
    classes, which those leave out, by the labels of the graph's context."""
    assert resolve(graph, "Defense System") == ox.NamedNode(PREFIXES["ak"] + "DefenseSystem")
