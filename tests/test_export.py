"""Exports: RDF round-trips, determinism, the embedded JSON-LD context, named graphs per
source, the property graph (GraphML, CSV, networkx) and the VoID manifest."""

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import kg
from kg import export as ex
from kg.namespaces import AK, AKD, PREFIXES
from kg.store import open_graph, to_quad

from conftest import REPO

RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld",
                  "trig": "trig", "nquads": "nquads"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The compiled graph of the ontology plus tests/fixtures/tiny.ttl (as tiny_copy)."""
    root = tmp_path_factory.mktemp("tiny")
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "queries", root / "queries")
    (root / "data").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "tiny.ttl", root / "data" / "tiny.ttl")
    return open_graph(root)


def parse_back(fmt: str, data: bytes) -> rdflib.Graph:
    """An exported file as one rdflib Graph (the union of the named graphs for datasets)."""
    if fmt in ("trig", "nquads"):  # datasets: one named graph per source
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMATS[fmt])
        union = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])


def canonical_of(graph: rdflib.Graph) -> list:
    """A fast isomorphism key for big graphs: RDFC-1.0 canonical triples (Oxigraph)."""
    return [q.triple for q in ex.canonical(ox_quads(graph))]


def ox_quads(graph):
    import pyoxigraph as ox

    return (ox.Quad(q.subject, q.predicate, q.object)
            for q in (to_quad(t, ox.DefaultGraph()) for t in graph))


@pytest.mark.parametrize("inferred", [False, True])
@pytest.mark.parametrize("fmt", ex.RDF_FORMATS)
def test_rdf_exports_round_trip_isomorphic(tiny, fmt, inferred):
    files = ex.export(tiny, fmt, inferred=inferred)
    assert list(files) == list(ex.FORMATS[fmt].file_names)
    (data,) = files.values()
    assert isomorphic(parse_back(fmt, data), tiny.rdflib_graph(inferred=inferred))


@pytest.mark.parametrize("fmt", ex.RDF_FORMATS)
def test_shipped_graph_round_trips(graph, fmt):
    (data,) = ex.export(graph, fmt).values()
    assert canonical_of(parse_back(fmt, data)) == canonical_of(graph.rdflib_graph())


@pytest.mark.parametrize("fmt", ex.RDF_FORMATS)
def test_shipped_graph_parses_in_oxigraph_too(graph, fmt):
    """A second parser, not rdflib's: rdflib read back a JSON-LD @type that named a blank
    node, which JSON-LD does not allow and other parsers refuse."""
    import pyoxigraph as ox

    (data,) = ex.export(graph, fmt).values()
    parsed = ox.parse(data, format=ox.RdfFormat.from_extension(ex.FORMATS[fmt].extension[1:]))
    union = {ox.Quad(q.subject, q.predicate, q.object) for q in parsed}
    assert [q.triple for q in ex.canonical(union)] == canonical_of(graph.rdflib_graph())


def test_exports_are_deterministic_across_processes(tiny):
    """The same graph gives the same bytes, in this process and in one with another hash seed."""
    here = {}
    for fmt in ex.FORMATS:
        first, second = ex.export(tiny, fmt), ex.export(tiny, fmt)
        assert first == second, fmt
        here.update({name: hashlib.sha256(data).hexdigest() for name, data in first.items()})
    script = ("import hashlib, json, sys; from kg.store import open_graph; from kg import export as ex\n"
              "g = open_graph(sys.argv[1]); out = {}\n"
              "for f in ex.FORMATS:\n"
              "    out.update({n: hashlib.sha256(d).hexdigest() for n, d in ex.export(g, f).items()})\n"
              "print(json.dumps(out))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script, str(tiny.inputs.data_dir.parent)],
                            capture_output=True, text=True, env=env, cwd=REPO, check=True)
    assert json.loads(result.stdout) == here


def test_jsonld_embeds_the_shipped_context(tiny):
    (data,) = ex.export(tiny, "jsonld").values()
    document = json.loads(data)
    assert isinstance(document["@context"], dict)
    assert document["@context"] == ex.context()
    # no remote context anywhere: every "@context" is an object
    assert b'"@context": "' not in data and b'"@context": [' not in data
    assert document["@graph"]


def test_shipped_context_has_the_project_prefixes():
    assert ex.context() == PREFIXES


def test_named_graph_per_source(tiny):
    (data,) = ex.export(tiny, "trig", inferred=True).values()
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="trig")
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    source = rdflib.URIRef(ex.SOURCE_GRAPHS + "source-test")
    assert set(graphs) == {ex.SOURCE_GRAPHS + "source-test", ex.BACKGROUND_GRAPH.value,
                           ex.INFERRED_GRAPH.value}
    cited = graphs[str(source)]
    licence = rdflib.URIRef(AKD + "zapper-licence")
    ak = rdflib.Namespace(PREFIXES["ak"])
    assert (licence, ak.licensor, rdflib.URIRef(AKD + "maker-a")) in cited
    assert len(list(cited.objects(licence, ak.citation))) == 1
    citation = next(cited.objects(licence, ak.citation))
    assert (citation, ak.inSource, rdflib.URIRef(AKD + "source-test")) in cited
    background = graphs[ex.BACKGROUND_GRAPH.value]
    assert (rdflib.URIRef(AKD + "land-a"), rdflib.RDF.type, ak.Country) in background
    assert not list(background.triples((licence, None, None)))
    asserted = tiny.rdflib_graph(inferred=False)
    assert len(graphs[ex.INFERRED_GRAPH.value]) == len(tiny.rdflib_graph()) - len(asserted)


def test_sources_of_one_local_name_get_graphs_of_their_own(tiny_copy, fresh_cache):
    """A source outside akd: was put in the graph of its local name alone, so it shared
    akd:source-test's graph, and void called that graph's source akd:source-test."""
    elsewhere = "https://example.org/reports/source-test"
    (tiny_copy / "data" / "elsewhere.ttl").write_text(
        f"@prefix ak: <{PREFIXES['ak']}> .\n@prefix akd: <{AKD}> .\n"
        f'akd:report-event a ak:Event ; ak:citation [ ak:inSource <{elsewhere}> ; '
        f'ak:quote "A report." ] .\n', encoding="utf-8")
    graph = open_graph(tiny_copy)
    own, other = ex.SOURCE_GRAPHS + "source-test", ex.source_graph(ox.NamedNode(elsewhere)).value
    assert other == ex.SOURCE_GRAPHS + "source-test-" + hashlib.sha256(elsewhere.encode()).hexdigest()[:8]
    subjects = {}
    for quad in ex.ExportSource(graph, inferred=False).quads():
        subjects.setdefault(quad.graph_name.value, set()).add(quad.subject.value)
    assert AKD + "report-event" in subjects[other] and AKD + "report-event" not in subjects[own]
    assert AKD + "zapper-licence" in subjects[own] and AKD + "zapper-licence" not in subjects[other]
    manifest = rdflib.Graph().parse(data=ex.export(graph, "void")["alliance-kg.void.ttl"], format="turtle")
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    assert set(manifest.subject_objects(dcterms.source)) == {
        (rdflib.URIRef(own), rdflib.URIRef(AKD + "source-test")),
        (rdflib.URIRef(other), rdflib.URIRef(elsewhere))}


def test_a_subject_citing_two_sources_is_in_both_graphs(graph):
    quads = ex.ExportSource(graph, inferred=False).quads()
    ak = PREFIXES["ak"]
    homes = {}
    for q in quads:
        if q.predicate.value == ak + "citation" and q.subject.value.startswith(AKD):
            homes.setdefault(q.subject.value, set()).add(q.graph_name.value)
    assert any(len(graphs) > 1 for graphs in homes.values())
    assert all(g.startswith(ex.SOURCE_GRAPHS) for graphs in homes.values() for g in graphs)


# ---------------------------------------------------------------------------
# Property graph

def expected_counts(tiny):
    """Nodes and edges of tiny's asserted property graph, counted independently.

    tests/fixtures/tiny.ttl has 9 typed entities (a source, two countries, two companies,
    two interceptors, a licensed-production program and an MoU) and 11 triples between
    nodes: 2 ak:country, ak:counters, ak:defenseTier, ak:variantOf, the program's
    concernsSystem, licensor and licensee, the MoU's agreementType and two parties. The
    ontology adds its SKOS concepts and schemes and the links among them, each once: a top
    concept's skos:topConceptOf stands for the skos:inScheme beside it (its super-property)
    and for its scheme's skos:hasTopConcept (its inverse).
    """
    ontology = rdflib.Graph()
    for path in tiny.inputs.ontology_files:
        ontology.parse(path, format="turtle")
    skos = rdflib.Namespace(PREFIXES["skos"])
    concepts = set(ontology.subjects(rdflib.RDF.type, skos.Concept)) | \
        set(ontology.subjects(rdflib.RDF.type, skos.ConceptScheme))
    links = {(s, p, o) for s, p, o in ontology if s in concepts and o in concepts
             and p != rdflib.RDF.type}
    restated = {(s, p, o) for s, p, o in links
                if p == skos.inScheme and (s, skos.topConceptOf, o) in links
                or p == skos.hasTopConcept and (o, skos.topConceptOf, s) in links}
    return 9 + len(concepts), 11 + len(links - restated)


def test_graphml_loads_in_networkx_with_expected_counts(tiny):
    nodes, edges = expected_counts(tiny)
    (data,) = ex.export(tiny, "graphml", inferred=False).values()
    loaded = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert loaded.is_directed()
    assert (loaded.number_of_nodes(), loaded.number_of_edges()) == (nodes, edges)
    licence = loaded.nodes["akd:zapper-licence"]
    assert licence["label"] == "Licensed production of Zapper 2"
    assert licence["type"] == "ak:LicensedProductionProgram"
    assert licence["fact"] is True
    assert licence["sources"] == "akd:source-test"
    assert licence["startDate"] == "2019"
    assert loaded.nodes["akd:zapper"]["altLabel"] == "ZAP-1"
    labels = {d["label"] for u, v, d in loaded.edges("akd:zapper-licence", data=True)}
    assert {"licensor", "licensee"} <= labels


def test_graphml_declares_numbers_numeric(graph):
    """So that Gephi can size and filter by an amount or a quantity; a whole decimal
    stays whole in CSV (431000000, not 431000000.0)."""
    (data,) = ex.export(graph, "graphml").values()
    loaded = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    saving = loaded.nodes["akd:saving-sm-3-block-iia-2015"]
    assert saving["amount"] == 431000000 and isinstance(saving["amount"], int)
    assert loaded.nodes["akd:holding-japan-pac-3-batteries-2015"]["quantity"] == 17
    assert b'attr.name="amount" attr.type="long"' in data
    nodes = ex.export(graph, "csv")["nodes.csv"].decode()
    assert ",431000000," in nodes


def test_graphml_declares_booleans_boolean(tmp_path):
    graph = tiny_graph_with(tmp_path, "PREFIX akd: <https://w3id.org/alliance-kg/id/>\n"
                            "PREFIX ex: <http://example.org/>\n"
                            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
                            'akd:zapper ex:tested true ; ex:fielded "0"^^xsd:boolean .\n')
    (data,) = ex.export(graph, "graphml", inferred=False).values()
    loaded = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert loaded.nodes["akd:zapper"]["tested"] is True
    assert loaded.nodes["akd:zapper"]["fielded"] is False
    assert b'attr.name="fielded" attr.type="boolean"' in data
    nodes = csv.DictReader(io.StringIO(ex.export(graph, "csv", inferred=False)["nodes.csv"].decode()))
    assert {row["id"]: row["fielded"] for row in nodes}["akd:zapper"] == "false"  # canonical, as "0" is
    # an ill-typed boolean stays text, as an ill-typed number does
    boolean = ox.NamedNode(PREFIXES["xsd"] + "boolean")
    assert ex.plain_value(ox.Literal("maybe", datatype=boolean)) == "maybe"
    # what JSON lines keeps as text stays text here too: it was the float inf
    double = ox.NamedNode(PREFIXES["xsd"] + "double")
    assert ex.plain_value(ox.Literal("INF", datatype=double)) == "INF"
    assert ex.plain_value(ox.Literal("1.5E3", datatype=double)) == 1500


@pytest.mark.parametrize("collapse_facts", [False, True])
def test_graphml_edge_ids_are_unique_and_booleans_are_xml_schema_s(graph, collapse_facts):
    """An edge's id was its property (ak:citesSource 252 times), and Gephi keeps only the
    first edge of an id; booleans were written True and False, which rustworkx refuses."""
    import xml.etree.ElementTree as ET

    (data,) = ex.export(graph, "graphml", collapse_facts=collapse_facts).values()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.fromstring(data)
    ids = [edge.get("id") for edge in root.iterfind(".//g:edge", ns)]
    assert len(ids) > 500 and len(set(ids)) == len(ids)
    booleans = {key.get("id") for key in root.iterfind("g:key", ns) if key.get("attr.type") == "boolean"}
    written = {d.text for d in root.iterfind(".//g:data", ns) if d.get("key") in booleans}
    assert booleans and written and written <= {"true", "false"}


def test_property_graph_columns_are_named_alike_with_or_without_inference(graph):
    """The inferred export named ak:startDate's column ak_startDate (schema:startDate, which
    inference adds beside it, made the name ambiguous), the asserted one startDate."""
    def columns(inferred):
        return ex.export(graph, "csv", inferred=inferred)["nodes.csv"].decode().splitlines()[0]

    assert columns(True) == columns(False)
    assert ",startDate," in columns(True) and "ak_startDate" not in columns(True)


def test_an_integer_beyond_a_long_is_text_in_the_property_graph():
    big = ox.Literal("123456789012345678901234567890",
                     datatype=ox.NamedNode(PREFIXES["xsd"] + "nonNegativeInteger"))
    assert ex.plain_value(big) == "123456789012345678901234567890"
    assert ex.plain_value(ox.Literal("17", datatype=big.datatype)) == 17


def test_a_boolean_and_a_number_of_one_node_are_two_values(tmp_path):
    """true == 1 in Python: a node with both kept only one of them."""
    graph = tiny_graph_with(tmp_path, "PREFIX akd: <https://w3id.org/alliance-kg/id/>\n"
                            "PREFIX ex: <http://example.org/>\n"
                            "akd:zapper ex:tested true, 1 ; ex:fielded false, true .\n")
    nodes = csv.DictReader(io.StringIO(ex.export(graph, "csv", inferred=False)["nodes.csv"].decode()))
    zapper = {row["id"]: row for row in nodes}["akd:zapper"]
    assert (zapper["tested"], zapper["fielded"]) == ("1 | true", "false | true")


def test_a_key_with_booleans_and_numbers_is_text_in_graphml(tmp_path):
    """It was declared long, with False among its numbers: unreadable (networkx raised)."""
    graph = tiny_graph_with(tmp_path, "PREFIX akd: <https://w3id.org/alliance-kg/id/>\n"
                            "PREFIX ex: <http://example.org/>\n"
                            "akd:zapper ex:flag false . akd:zapper-2 ex:flag 5 .\n"
                            "akd:maker-a ex:flag true .\n")
    pg = ex.property_graph(graph, inferred=False)
    (data,) = ex.export(graph, "graphml", inferred=False).values()
    loaded = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert b'attr.name="flag" attr.type="string"' in data
    assert [loaded.nodes[node]["flag"] for node in ("akd:zapper", "akd:zapper-2", "akd:maker-a")
            ] == ["false", "5", "true"]
    assert pg.nodes["akd:zapper"]["flag"] is False   # for networkx, still a boolean


def test_collapsed_property_graph_has_no_fact_nodes(tiny):
    nodes, edges = expected_counts(tiny)
    files = ex.export(tiny, "csv", inferred=False, collapse_facts=True)
    node_rows = list(csv.DictReader(io.StringIO(files["nodes.csv"].decode())))
    edge_rows = list(csv.DictReader(io.StringIO(files["edges.csv"].decode())))
    ids = {row["id"] for row in node_rows}
    assert "akd:zapper-licence" not in ids and "akd:zapper-mou" not in ids
    assert all(row["fact"] == "false" for row in node_rows)
    assert len(node_rows) == nodes - 2
    # 6 edges of the two facts go; the licence links licensor, licensee and system
    # pairwise (3 edges), the MoU its two parties (1 edge).
    assert len(edge_rows) == edges - 6 + 4
    collapsed = {(r["source"], r["target"]): r for r in edge_rows if r["fact"]}
    assert set(collapsed) == {("akd:maker-a", "akd:maker-b"), ("akd:maker-a", "akd:zapper-2"),
                              ("akd:maker-b", "akd:zapper-2"), ("akd:land-a", "akd:land-b")}
    licence = collapsed[("akd:maker-a", "akd:maker-b")]
    assert licence["label"] == "Licensed production of Zapper 2"
    assert (licence["source_role"], licence["target_role"]) == ("ak:licensor", "ak:licensee")
    assert collapsed[("akd:land-a", "akd:land-b")]["agreementType"] == "akc:mou"


def test_a_link_is_one_edge_not_one_per_inferred_super_property(tiny):
    """Inference adds ak:participant beside ak:licensor: as edges, each link counted
    twice or more in degrees (2,125 edges instead of 706 on the shipped graph)."""
    inferred = kg.networkx_graph(graph=tiny)
    assert inferred.has_edge("akd:zapper-licence", "akd:maker-a", key="ak:licensor")
    assert set(inferred["akd:zapper-licence"]["akd:maker-a"]) == {"ak:licensor"}
    assert set(inferred["akd:zapper-mou"]["akd:land-a"]) == {"ak:party"}
    # nor one per inverse (298 pairs of nodes of the shipped graph were linked both
    # ways): the curated direction stays
    assert not inferred.has_edge("akd:maker-a", "akd:zapper-licence")
    assert not inferred.has_edge("akd:zapper", "akd:zapper-2")  # ak:hasVariant
    assert set(inferred["akd:zapper-2"]["akd:zapper"]) == {"ak:variantOf"}


def test_collapsed_edges_name_the_fact_type_so_gephi_keeps_it(tiny):
    """Gephi's spreadsheet import reads an edge column `type` as the edge's direction."""
    files = ex.export(tiny, "csv", inferred=False, collapse_facts=True)
    header = files["edges.csv"].decode().splitlines()[0].split(",")
    assert "fact_type" in header and "type" not in header
    row = next(r for r in csv.DictReader(io.StringIO(files["edges.csv"].decode()))
               if r["fact"] == "akd:zapper-mou")
    assert row["fact_type"] == "ak:Agreement"


def test_csv_matches_graphml_uncollapsed(tiny):
    nodes, edges = expected_counts(tiny)
    files = ex.export(tiny, "csv", inferred=False)
    assert files["nodes.csv"].startswith(b"id,label,type,fact")
    assert files["edges.csv"].startswith(b"source,target,label")
    assert len(files["nodes.csv"].splitlines()) == nodes + 1
    assert len(files["edges.csv"].splitlines()) == edges + 1


def test_networkx_graph_api(tiny):
    g = kg.networkx_graph(graph=tiny, inferred=False)
    assert isinstance(g, nx.MultiDiGraph)
    assert (g.number_of_nodes(), g.number_of_edges()) == expected_counts(tiny)
    collapsed = kg.networkx_graph(graph=tiny, collapse_facts=True)
    assert not any(attrs["fact"] for _, attrs in collapsed.nodes(data=True))


# ---------------------------------------------------------------------------
# Manifest and Python API

def test_void_counts_and_checksums(tiny):
    import pyoxigraph as ox

    for inferred in (False, True):
        files = ex.every_format(ex.ExportSource(tiny, inferred), collapse_facts=False)
        manifest = rdflib.Graph().parse(data=files["alliance-kg.void.ttl"], format="turtle")
        void = rdflib.Namespace("http://rdfs.org/ns/void#")
        dataset = rdflib.URIRef(ex.DATASET + ("inferred" if inferred else "asserted"))
        assert int(manifest.value(dataset, void.triples)) == len(tiny.rdflib_graph(inferred=inferred))
        spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
        dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
        listed = {}
        for dist in manifest.objects(dataset, dcat.distribution):
            name = str(manifest.value(dist, rdflib.DCTERMS.title))
            checksum = manifest.value(dist, spdx.checksum)
            listed[name] = str(manifest.value(checksum, spdx.checksumValue))
            assert int(manifest.value(dist, dcat.byteSize)) == len(files[name])
        assert listed == {name: hashlib.sha256(data).hexdigest()
                          for name, data in files.items() if name != "alliance-kg.void.ttl"}
        per_graph = {}
        for q in ox.parse(files["alliance-kg.nq"], format=ox.RdfFormat.N_QUADS):
            per_graph[q.graph_name.value] = per_graph.get(q.graph_name.value, 0) + 1
        for name, count in per_graph.items():
            assert int(manifest.value(rdflib.URIRef(name), void.triples)) == count
        assert files["alliance-kg.void.ttl"] == ex.export(tiny, "void", inferred)["alliance-kg.void.ttl"]


def test_a_collapsed_property_graph_is_a_distribution_of_its_own(tiny):
    """Its manifest named it as the uncollapsed one is named, with other checksums."""
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")

    def distributions(collapse_facts):
        data = ex.export(tiny, "void", collapse_facts=collapse_facts)["alliance-kg.void.ttl"]
        manifest = rdflib.Graph().parse(data=data, format="turtle")
        return {str(manifest.value(d, rdflib.DCTERMS.title)): str(d)
                for d in manifest.objects(None, dcat.distribution)}

    kept, collapsed = distributions(False), distributions(True)
    assert collapsed["alliance-kg.graphml"] == ex.DATASET + "inferred/collapsed/alliance-kg.graphml"
    assert kept["alliance-kg.graphml"] == ex.DATASET + "inferred/alliance-kg.graphml"
    assert collapsed["alliance-kg.nt"] == kept["alliance-kg.nt"]  # the same bytes


def test_unknown_format_is_an_input_error(tiny):
    from kg.errors import InputError

    with pytest.raises(InputError, match="unknown export format"):
        ex.export(tiny, "xlsx")


def test_export_graph_api(tiny):
    assert kg.export_graph("ntriples", graph=tiny) == ex.export(tiny, "ntriples")


def test_rows_to_pandas(tiny, monkeypatch):
    rows = kg.sparql("SELECT ?s ?label WHERE { ?s a ak:Country ; rdfs:label ?label } ORDER BY ?s",
                     graph=tiny)
    import importlib.util

    if importlib.util.find_spec("pandas") is None:
        with pytest.raises(ImportError, match="pip install pandas"):
            rows.to_pandas()
    else:
        frame = rows.to_pandas()
        assert list(frame.columns) == ["s", "label"]
        assert frame["label"].tolist() == ["Land A", "Land B"]
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        rows.to_pandas()


def test_a_property_graph_csv_quotes_a_bare_carriage_return():
    """Python's csv writer, ending lines in \n, left a lone \r unquoted: readers split the
    row there."""
    data = ex.csv_bytes(["id", "label", "quantity"],
                        [{"id": "akd:a", "label": "one\rtwo", "quantity": 3}, {"id": "akd:b"}])
    assert data == b'id,label,quantity\n"akd:a","one\rtwo","3"\nakd:b,,\n'


@pytest.fixture(scope="module")
def tiny_with_a_control_character(tmp_path_factory):
    """The tiny graph with U+0001 in a citation's quote (Turtle's "\\u0001")."""
    return tiny_graph_with(
        tmp_path_factory.mktemp("control"),
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        'akd:zapper ak:citation [ ak:inSource akd:source-test ; ak:quote "Zap\\u0001" ] .\n')


def tiny_graph_with(root: Path, extra: str):
    """The compiled graph of the ontology, tests/fixtures/tiny.ttl and the Turtle `extra`."""
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "data").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "tiny.ttl", root / "data" / "tiny.ttl")
    (root / "data" / "extra.ttl").write_text(extra, encoding="utf-8")
    return open_graph(root)


@pytest.mark.parametrize("fmt, place", [
    ("rdfxml", "akd:zapper ak:citation [...] ak:quote"), ("graphml", "akd:zapper quotes"),
    ("void", "akd:zapper ak:citation [...] ak:quote")])   # the manifest lists rdfxml's file
def test_a_character_xml_cannot_carry_is_refused_not_written(tiny_with_a_control_character,
                                                               fmt, place):
    """RDF/XML and GraphML were written with the raw U+0001, which no XML parser reads."""
    from kg.errors import InputError

    with pytest.raises(InputError) as refused:
        ex.export(tiny_with_a_control_character, fmt)
    assert str(refused.value).split(" holds ")[0].split(": ", 1)[1] == place
    assert "U+0001, which XML cannot carry" in str(refused.value)
    # void is named, with why: its message began "rdfxml:", a format not asked for
    assert str(refused.value).startswith("void lists every export, and rdfxml: " if
                                         fmt == "void" else f"{fmt}: ")
    turtle = ex.export(tiny_with_a_control_character, "turtle")["alliance-kg.ttl"]
    assert "Zap\u0001" in {str(o) for o in rdflib.Graph().parse(data=turtle, format="turtle").objects()}


def test_a_character_xml_cannot_carry_deep_in_blank_nodes_is_named_without_recursion():
    """Naming the literal recursed once a level: 1,100 nested blank nodes ended in a
    RecursionError (and every literal was named, at fault or not). Called directly: the
    export itself first spends minutes in Oxigraph's blank-node canonicalization."""
    from kg.errors import InputError

    depth, citation = 1100, ox.NamedNode(AK + "citation")
    nodes = [ox.NamedNode(AKD + "zapper"), *(ox.BlankNode() for _ in range(depth + 1))]
    triples = [ox.Triple(up, citation, down) for up, down in zip(nodes, nodes[1:])]
    triples.append(ox.Triple(nodes[-1], ox.NamedNode(AK + "quote"), ox.Literal("Zap\u0001")))
    with pytest.raises(InputError) as refused:
        ex.refuse_what_xml_cannot_carry("rdfxml", ex.literal_places(triples))
    assert str(refused.value).startswith(
        "rdfxml: akd:zapper" + " ak:citation [...]" * (depth + 1) + " ak:quote holds ")


def test_a_property_rdfxml_cannot_write_is_an_input_error(tmp_path):
    """A property IRI ending in "/" gave rdflib's ValueError traceback ("Can't split")."""
    graph = tiny_graph_with(
        tmp_path, '<https://w3id.org/alliance-kg/id/zapper> <http://example.org/ns/> "x" .\n')
    from kg.errors import InputError

    with pytest.raises(InputError, match=r"^rdfxml cannot write the property "
                                         r"<http://example.org/ns/>: its IRI does not end"):
        ex.export(graph, "rdfxml")


ODD_LITERALS = ('"017"^^xsd:integer', '"-0"^^xsd:integer', '"abc"^^xsd:integer',
                '"17"^^xsd:integer', '"1.0E0"^^xsd:double', '"1e0"^^xsd:double',
                '"1"^^xsd:boolean', '"true"^^xsd:boolean', '"1.50"^^xsd:decimal')


@pytest.fixture(scope="module")
def tiny_with_odd_literals(tmp_path_factory):
    """The tiny graph with a comment of each of ODD_LITERALS on akd:zapper."""
    return tiny_graph_with(
        tmp_path_factory.mktemp("odd"),
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"akd:zapper rdfs:comment {', '.join(ODD_LITERALS)} .\n")


def jsonld_reads_back(graph, data: bytes) -> bool:
    """Whether a JSON-LD export parses (by Oxigraph) to the graph it was made of."""
    import pyoxigraph as ox

    parsed = {ox.Quad(q.subject, q.predicate, q.object)
              for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)}
    return [q.triple for q in ex.canonical(parsed)] == canonical_of(graph.rdflib_graph())


def test_ill_typed_literals_are_exported_in_every_format_without_a_logged_traceback(
        tiny_with_odd_literals, caplog):
    """rdflib logs a traceback for "abc"^^xsd:integer as it builds the literal: the
    Turtle (and so void) export printed one on stderr above its "wrote" line."""
    for fmt in ex.FORMATS:
        assert ex.export(tiny_with_odd_literals, fmt)
    assert [record.getMessage() for record in caplog.records] == []


def test_a_value_holding_the_property_graphs_separator_is_refused(tmp_path):
    """"Nippon | Nihon" and "JPN" were written "JPN | Nippon | Nihon": three values."""
    from kg.errors import InputError

    graph = tiny_graph_with(
        tmp_path, "<https://w3id.org/alliance-kg/id/zapper> "
                  '<http://www.w3.org/2004/02/skos/core#altLabel> "Zip | Zap"@en , "Z"@en .\n')
    for fmt in ("graphml", "csv", "void"):
        with pytest.raises(InputError, match=r"property graph: akd:zapper altLabel holds "
                                             r"'Zip \| Zap', with ' \| ', which joins"):
            ex.export(graph, fmt)
    assert ex.export(graph, "turtle")


def test_jsonld_keeps_blank_nodes_that_only_link_to_each_other(tmp_path):
    """rdflib starts from IRIs and from blank nodes nothing links to: two blank nodes
    linking to each other were left out, and the export still said it had written."""
    graph = tiny_graph_with(
        tmp_path, "_:a <http://ex/p> _:b . _:b <http://ex/p> _:a .\n"
                  "_:c <http://ex/p> _:c . _:d <http://ex/p> _:a .\n"
                  '<http://ex/s> <http://ex/list> ( _:e "x" ) . _:e <http://ex/p> _:e .\n')
    (data,) = ex.export(graph, "jsonld").values()
    assert jsonld_reads_back(graph, data)
    assert b"rdf:first" not in data  # lists are still @list, their cells no nodes


def test_jsonld_keeps_literals_a_json_value_would_change(tiny_with_odd_literals):
    """With a context, rdflib wrote every integer, double and boolean as a JSON value:
    "017" read back as 17, "abc"^^xsd:integer as a plain string, "1.0E0"^^xsd:double as
    the integer 1 (Oxigraph) or "1.0" (rdflib)."""
    graph = tiny_with_odd_literals
    (data,) = ex.export(graph, "jsonld").values()
    assert jsonld_reads_back(graph, data)
    # rdflib's parsers normalise "017" to "17" whatever the format: compare like with like
    (ntriples,) = ex.export(graph, "ntriples").values()
    assert isomorphic(parse_back("jsonld", data), parse_back("ntriples", ntriples))
    comments = json.loads(data)["@graph"]
    (zapper,) = [node for node in comments if node["@id"] == "akd:zapper"]
    assert 17 in zapper["rdfs:comment"] and True in zapper["rdfs:comment"]  # still JSON values


@pytest.mark.parametrize("fmt, rdf_format", [("nquads", ox.RdfFormat.N_QUADS),
                                             ("trig", ox.RdfFormat.TRIG)])
def test_the_store_layout_answers_every_canned_query_as_kg_does(graph, fmt, rdf_format):
    """A store bulk-loading an export (graphs per source) gave some canned queries no rows
    or wrong ones: six tell curated triples by the graph .../asserted."""
    from kg.api import run_query
    from kg.catalog import prepare
    from kg.safety import rows_of
    from kg.store import query_store

    (data,) = ex.export(graph, fmt, store_layout=True).values()
    store = ox.Store()
    store.bulk_load(data, format=rdf_format)
    assert {str(g) for g in store.named_graphs()} == {
        "<https://w3id.org/alliance-kg/graph/asserted>", "<https://w3id.org/alliance-kg/graph/inferred>"}
    for name, params in [("co-production", {"system": "PAC-3"}), ("systems", {"country": "Japan"}),
                         ("partners", {"country": "Israel"}), ("members", {}),
                         ("agreements", {"country": "Japan"}), ("evidence", {"entity": "MHI"})]:
        query, substitutions = prepare(graph, name, params)
        _, loaded, _, _ = rows_of(query_store(store, query.sparql, substitutions))
        assert len(loaded) == len(run_query(name, params, graph)) > 0, name


def test_the_store_layout_is_for_datasets_only(graph):
    from kg.errors import InputError

    with pytest.raises(InputError, match="--store-layout applies to trig and nquads, not turtle"):
        ex.export(graph, "turtle", store_layout=True)


def test_several_roles_are_joined_as_other_values_are(graph):
    """source_role and target_role joined roles by spaces, where every other attribute
    joins several values by " | ", which Neo4j's split undoes."""
    edges = ex.export(graph, "csv", collapse_facts=True)["edges.csv"].decode()
    roles = {row["source_role"] for row in csv.DictReader(io.StringIO(edges))} | {
        row["target_role"] for row in csv.DictReader(io.StringIO(edges))}
    several = [r for r in roles if r and (" | " in r or " " in r)]
    assert several and all(r.split(" | ") == sorted(r.split(" | ")) and " " not in r.replace(" | ", "")
                           for r in several)


def test_a_node_value_is_an_attribute_once_under_its_most_specific_property(graph):
    """A fact's ak:date was also its dcterms:date, and ak:startDate its schema:startDate:
    inference adds the super-properties, which edges already leave out."""
    nodes = list(csv.DictReader(io.StringIO(ex.export(graph, "csv")["nodes.csv"].decode())))
    assert "schema_startDate" not in nodes[0]
    assert not [row["id"] for row in nodes if row["ak_date"] and row["dcterms_date"]]
    assert any(row["dcterms_date"] for row in nodes)  # a source's own publication date
