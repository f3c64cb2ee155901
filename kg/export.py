"""Exports of the compiled graph: RDF files, a property graph and a VoID/DCAT manifest.

`export(graph, fmt)` gives {file name: bytes}; the same graph always gives the same bytes
(blank nodes are canonicalised with RDFC-1.0 and everything is written in sorted order),
so exports can be diffed, checksummed and cached.

RDF formats (each parses back to a graph isomorphic to the exported one):

- turtle: kg.curation's canonical Turtle; ntriples: sorted lines;
- rdfxml: rdflib's RDF/XML (for Protégé); jsonld: rdflib's JSON-LD, compacted with the
  context shipped in the package (kg/context.jsonld), embedded as an object, never a URL;
- trig / nquads: a dataset of named graphs, so that provenance survives import:
  * `graph/source/<name>` (under https://w3id.org/alliance-kg/) for each source: every
    asserted triple of a subject that cites the source (`ak:citation [ ak:inSource
    <source> ]`), with the citations of that source (a subject citing several sources is
    written in the graph of each: its statements rest on all of them; each citation
    goes only to the graph of its own source, as does an `ak:disputedBy` citation);
  * `graph/background`: every other asserted triple: ontology, concepts, countries,
    sources and uncited entities;
  * `graph/inferred`: the triples that inference adds (only with inferred=True).
  Other blank nodes (OWL restrictions, lists) go with the triple that refers to them.
  The union of the named graphs is the exported graph.
  With store_layout, the named graphs are instead the two kg push writes and the canned
  queries read: `graph/asserted` (every curated triple) and `graph/inferred`, so that a
  store bulk-loading the file (Fuseki's tdb2.tdbloader, GraphDB's import) answers them.

Property-graph formats (for Gephi, Cytoscape, networkx, Neo4j): graphml, and csv (two
files, nodes.csv and edges.csv); see `property_graph` for what nodes and edges are.

void: a VoID/DCAT manifest (Turtle) of the dataset: triple counts overall and per named
graph, and a DCAT distribution with byte size and SHA-256 checksum for the file(s) of
every other format, exported with the same options. No timestamps, so it is
deterministic too.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import InputError
from kg.namespaces import AK, GRAPHS, PREFIXES, curie
from kg.output import NOT_IN_XML, json_value, used_prefixes
from kg.store import ASSERTED, ASSERTED_FILE, INFERRED, INFERRED_FILE, CompiledGraph

CONTEXT_FILE = Path(__file__).resolve().parent / "context.jsonld"
BASE_NAME = "alliance-kg"
DATASET = "https://w3id.org/alliance-kg/dataset/"
SOURCE_GRAPHS = GRAPHS + "source/"
BACKGROUND_GRAPH = ox.NamedNode(GRAPHS + "background")
INFERRED_GRAPH = ox.NamedNode(GRAPHS + "inferred")

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
TYPE = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
SUBPROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")
INVERSE_OF = ox.NamedNode(PREFIXES["owl"] + "inverseOf")
CITATION = ox.NamedNode(AK + "citation")
IN_SOURCE = ox.NamedNode(AK + "inSource")
QUOTE = ox.NamedNode(AK + "quote")
XSD = PREFIXES["xsd"]
FACT = ox.NamedNode(AK + "Fact")
SOURCE = ox.NamedNode(AK + "Source")
CONCEPT = ox.NamedNode(SKOS + "Concept")
CONCEPT_SCHEME = ox.NamedNode(SKOS + "ConceptScheme")
# Types that make an IRI part of the vocabulary (a class, property, ontology or shape),
# not a node of the property graph.
VOCABULARY_NAMESPACES = (RDF, RDFS, PREFIXES["owl"], PREFIXES["sh"])


@dataclass(frozen=True)
class Format:
    name: str
    extension: str  # of the one file written; "" for csv (nodes.csv and edges.csv)
    media_type: str
    description: str

    @property
    def file_names(self) -> tuple[str, ...]:
        return ("nodes.csv", "edges.csv") if self.name == "csv" else (BASE_NAME + self.extension,)


FORMATS = {f.name: f for f in (
    Format("turtle", ".ttl", "text/turtle", "Turtle (canonical)"),
    Format("ntriples", ".nt", "application/n-triples", "N-Triples (sorted lines)"),
    Format("rdfxml", ".rdf", "application/rdf+xml", "RDF/XML (for Protégé)"),
    Format("jsonld", ".jsonld", "application/ld+json", "JSON-LD with an embedded context"),
    Format("trig", ".trig", "application/trig", "TriG, one named graph per source"),
    Format("nquads", ".nq", "application/n-quads", "N-Quads, one named graph per source"),
    Format("graphml", ".graphml", "application/graphml+xml", "GraphML property graph"),
    Format("csv", "", "text/csv", "node and edge CSV files (nodes.csv, edges.csv)"),
    Format("void", ".void.ttl", "text/turtle", "VoID/DCAT manifest with counts and checksums"),
)}
RDF_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads")


def export(graph: CompiledGraph, fmt: str, inferred: bool = True,
           collapse_facts: bool = False, store_layout: bool = False) -> dict[str, bytes]:
    """The export of `graph` in format `fmt` (a key of FORMATS), as {file name: bytes}.

    `inferred` adds the inferred triples to the asserted ones; `collapse_facts` applies to
    the property-graph formats (graphml, csv) and to the files the void manifest lists;
    `store_layout` to trig and nquads (see the module doc).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose one of {', '.join(FORMATS)})")
    if collapse_facts and fmt in RDF_FORMATS:
        raise InputError(f"--collapse-facts applies to graphml, csv and void, not {fmt}: an RDF "
                         f"export keeps every fact node")
    if store_layout and fmt not in ("trig", "nquads"):
        raise InputError(f"--store-layout applies to trig and nquads, not {fmt}: only they "
                         f"have named graphs")
    source = ExportSource(graph, inferred, store_layout)
    return _export(source, fmt, collapse_facts)


def every_format(source: ExportSource, collapse_facts: bool) -> dict[str, bytes]:
    """Every format's files, the void manifest last (it lists the others' checksums)."""
    files: dict[str, bytes] = {}
    for fmt in FORMATS:
        if fmt != "void":
            files.update(_export(source, fmt, collapse_facts))
    return files | _void(source, collapse_facts, files)


def _export(source: ExportSource, fmt: str, collapse_facts: bool) -> dict[str, bytes]:
    name = FORMATS[fmt].file_names[0]
    if fmt == "turtle":
        return {name: turtle(source)}
    if fmt == "ntriples":
        return {name: sorted_lines(ox.serialize(source.triples(), format=ox.RdfFormat.N_TRIPLES))}
    if fmt == "nquads":
        return {name: sorted_lines(ox.serialize(source.quads(), format=ox.RdfFormat.N_QUADS))}
    if fmt == "trig":
        return {name: ox.serialize(source.quads(), format=ox.RdfFormat.TRIG,
                                   prefixes=used_prefixes(source.quads()))}
    if fmt == "rdfxml":
        return {name: rdfxml(source)}
    if fmt == "jsonld":
        return {name: jsonld(source)}
    if fmt == "graphml":
        return {name: graphml(property_graph_of(source, collapse_facts))}
    if fmt == "csv":
        return csv_files(property_graph_of(source, collapse_facts))
    try:  # void: the manifest alone, over every other export
        return {name: every_format(source, collapse_facts)[name]}
    except InputError as error:  # named rdfxml or graphml, which were not asked for
        raise InputError(f"void lists every export, and {error}") from None


# ---------------------------------------------------------------------------
# The exported triples, exactly as curated, blank nodes canonicalised

class ExportSource:
    """The triples to export (pyoxigraph terms, exact lexical forms) and their graphs."""

    def __init__(self, graph: CompiledGraph, inferred: bool, store_layout: bool = False):
        self.inferred = inferred
        self.store_layout = store_layout
        # Both files of one build share blank-node labels, so citations stay connected.
        self.asserted = [q.triple for q in graph.build_file(ASSERTED_FILE)]
        self.added = [q.triple for q in graph.build_file(INFERRED_FILE)] if inferred else []
        self._quads = None
        self._triples = None

    def quads(self) -> list[ox.Quad]:
        """Every triple in its named graph (see the module doc), canonical and sorted."""
        if self._quads is None:
            self._quads = canonical(
                [ox.Quad(*t, ASSERTED) for t in self.asserted]
                + [ox.Quad(*t, INFERRED) for t in self.added] if self.store_layout
                else named_graph_quads(self.asserted, self.added))
        return self._quads

    def triples(self) -> list[ox.Triple]:
        """The exported graph, canonical and sorted."""
        if self._triples is None:
            quads = canonical(ox.Quad(t.subject, t.predicate, t.object)
                              for t in self.asserted + self.added)
            self._triples = [q.triple for q in quads]
        return self._triples

    @property
    def variant(self) -> str:
        return "inferred" if self.inferred else "asserted"


def canonical(quads) -> list[ox.Quad]:
    """Quads with RDFC-1.0 blank-node labels (c14n0, ...), sorted, without duplicates."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=quad_key)


def quad_key(quad: ox.Quad) -> tuple:
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
    return (graph, str(quad.subject), str(quad.predicate), str(quad.object))


def named_graph_quads(asserted: list, added: list) -> list[ox.Quad]:
    """The asserted triples in source and background graphs, the added ones in `inferred`."""
    about = defaultdict(list)
    for triple in asserted:
        about[triple.subject].append(triple)
    sources_of = defaultdict(set)  # citation node -> the graphs of the sources it cites
    for triple in asserted:
        if triple.predicate == IN_SOURCE and isinstance(triple.object, ox.NamedNode):
            sources_of[triple.subject].add(source_graph(triple.object))
    quads: set = set()
    done: set = set()  # (blank node, graph) pairs already placed

    def place(triples, graphs):
        stack = [(triple, graphs) for triple in triples]
        while stack:
            triple, into = stack.pop()
            if isinstance(triple.object, ox.BlankNode) and triple.object in sources_of:
                into = sources_of[triple.object]
            for graph in into:
                quads.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
                node = triple.object
                if isinstance(node, ox.BlankNode) and (node, graph) not in done:
                    done.add((node, graph))
                    stack.extend((t, {graph}) for t in about[node])

    referenced = {t.object for t in asserted if isinstance(t.object, ox.BlankNode)}
    for subject, triples in about.items():
        if isinstance(subject, ox.BlankNode):
            if subject not in referenced:  # a blank node nothing refers to
                place(triples, sources_of.get(subject) or {BACKGROUND_GRAPH})
            continue
        homes = {graph for t in triples if t.predicate == CITATION
                 for graph in sources_of.get(t.object, ())}
        place(triples, homes or {BACKGROUND_GRAPH})
    quads.update(ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH) for t in added)
    return list(quads)


def source_graph(source: ox.NamedNode) -> ox.NamedNode:
    """The named graph of one source: graph/source/<its local name> for one of the
    project's own (akd:); for any other IRI, its local name and a hash of the whole IRI,
    so that two sources of the same local name never share a graph."""
    if source.value.startswith(PREFIXES["akd"]):
        return ox.NamedNode(SOURCE_GRAPHS + source.value[len(PREFIXES["akd"]):])
    local = source.value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    digest = hashlib.sha256(source.value.encode("utf-8")).hexdigest()[:8]
    return ox.NamedNode(f"{SOURCE_GRAPHS}{local}-{digest}")


def sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.splitlines()))
    return b"".join(line + b"\n" for line in lines if line.strip())


def rdflib_graph(source: ExportSource, sorted_graph: bool = False):
    """An rdflib Graph of the canonical triples, added in sorted order, terms exact."""
    from rdflib import Graph

    from kg.loading import add_triples

    class SortedGraph(Graph):
        """Iterates subjects and a subject's predicate-object pairs in sorted order."""

        def subjects(self, predicate=None, object=None, unique=False):
            found = set(super().subjects(predicate, object))
            return iter(sorted(found, key=lambda term: term.n3()))

        def predicate_objects(self, subject=None, unique=False):
            found = set(super().predicate_objects(subject))
            return iter(sorted(found, key=lambda pair: (pair[0].n3(), pair[1].n3())))

    graph = (SortedGraph if sorted_graph else Graph)(bind_namespaces="none")
    for prefix, namespace in used_prefixes(source.triples()).items():
        graph.bind(prefix, namespace)
    return add_triples(graph, source.triples())


def rdfxml(source: ExportSource) -> bytes:
    """rdflib's RDF/XML serializer over a graph that lists subjects and their predicates
    and objects in sorted order (rdflib's own order depends on the hash seed).

    Not "pretty-xml": it fails on a blank node as an rdf:type object (inferred types).
    """
    refuse_what_xml_cannot_carry("rdfxml", literal_places(source.triples()))
    graph = rdflib_graph(source, sorted_graph=True)
    for predicate in sorted(set(graph.predicates())):  # any generated prefixes in order
        try:
            graph.namespace_manager.compute_qname_strict(predicate)
        except ValueError:  # RDF/XML writes a property as an element, whose name it needs
            raise InputError(f"rdfxml cannot write the property <{predicate}>: its IRI "
                             f"does not end in an XML name; export turtle, ntriples, jsonld, "
                             f"trig or nquads") from None
    return graph.serialize(format="xml", encoding="utf-8")


def refuse_what_xml_cannot_carry(fmt: str, texts) -> None:
    """An InputError for the first of the (where, text) pairs holding a character XML 1.0
    cannot write, even escaped: the XML writers would put it in as it is, and no XML
    parser would read the file. `where` is a name, or a function that gives one."""
    for where, text in texts:
        if found := NOT_IN_XML.search(text):
            place = where() if callable(where) else where
            raise InputError(f"{fmt}: {place} holds the character U+{ord(found[0]):04X}, which "
                             f"XML cannot carry: remove it, or export turtle, ntriples, jsonld, "
                             f"trig, nquads or csv")


def literal_places(triples):
    """(where, text) of every literal, `where` naming it as kg validate does (`akd:x
    ak:citation [...] ak:quote` for one in a blank node) when called: only the literal
    at fault is named."""
    from rdflib import Graph

    from kg.loading import to_rdflib
    from kg.problems import describe_node

    triples = list(triples)
    holders = {}  # filled once, when a literal is at fault

    def where(triple):
        if not holders:
            holders.update({to_rdflib(t.object): (to_rdflib(t.subject), to_rdflib(t.predicate))
                            for t in triples if isinstance(t.object, ox.BlankNode)})
        return (f"{describe_node(to_rdflib(triple.subject), Graph(), holders)} "
                f"{curie(triple.predicate.value)}")

    return ((functools.partial(where, t), t.object.value)
            for t in triples if isinstance(t.object, ox.Literal))


def turtle(source: ExportSource) -> bytes:
    header = (f"# alliance-kg {__version__}: {source.variant} graph, "
              f"{len(source.triples())} triples.")
    return write_turtle(source.triples(), header, PREFIXES)


def write_turtle(triples: list, header: str, prefixes: dict) -> bytes:
    """Turtle in kg.curation's canonical style, over the RDFC-1.0 canonical triples.

    Unlike kg.curation.canonical_turtle, blank nodes keep their RDFC-1.0 labels (an
    export is written whole, so they need no names of their own to stay in place): the
    triples given are already canonical, and the check that the text parses back to them
    is done on them directly.
    """
    from kg.curation import longturtle
    from kg.loading import rdflib_triples

    body = longturtle(list(rdflib_triples(triples)), prefixes, lambda text: turtle_parses_to(text.encode("utf-8"), triples))
    return (header + "\n\n" + body + "\n").encode("utf-8")


def turtle_parses_to(data: bytes, triples: list) -> bool:
    """True if Turtle `data` parses (by Oxigraph) to a graph isomorphic to canonical `triples`."""
    parsed = canonical(ox.Quad(q.subject, q.predicate, q.object)
                       for q in ox.parse(data, format=ox.RdfFormat.TURTLE))
    return [q.triple for q in parsed] == triples


def context() -> dict:
    """The JSON-LD context shipped in the package (its "@context" object)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def jsonld(source: ExportSource) -> bytes:
    return jsonld_document(rdflib_graph(source))


def jsonld_of(triples) -> bytes:
    """pyoxigraph triples (a CONSTRUCT's) as the JSON-LD the export writes."""
    from rdflib import Graph

    from kg.loading import add_triples

    return jsonld_document(add_triples(Graph(), triples))


def jsonld_document(graph) -> bytes:
    """An rdflib graph as rdflib's JSON-LD, compacted with the shipped context, with two of
    its losses made good.

    A literal that a JSON number or boolean would change keeps its lexical form and
    datatype: with a context, rdflib writes every xsd:integer, double and boolean
    natively, so "017" came back as "17", "abc"^^xsd:integer as a plain string and
    "1.0E0"^^xsd:double as "1"^^xsd:integer (JSON has no 1.0 apart from 1). And blank
    nodes that only link to each other in a cycle are written: rdflib starts from IRIs
    and from blank nodes nothing links to, so it never reached them and left them out.
    """
    from rdflib import RDF, BNode, Literal
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    class Faithful(Converter):
        def to_raw_value(self, graph, s, o, nodemap):
            if isinstance(o, Literal) and o.datatype is not None and not json_native(o):
                return {"@type": self.context.to_symbol(o.datatype), "@value": str(o)}
            return super().to_raw_value(graph, s, o, nodemap)

        def from_graph(self, graph):
            nodemap = {node["@id"]: node for node in super().from_graph(graph)}
            # the cells of an RDF list are written as its @list, not as nodes
            for subject in sorted(set(graph.subjects()) - set(graph.subjects(RDF.first))):
                if isinstance(subject, BNode) and subject.n3() not in nodemap:
                    self.process_subject(graph, subject, nodemap)
            return list(nodemap.values())

    shipped = context()
    nodes = Faithful(Context(shipped), False, False).convert(graph)
    document = {"@context": shipped,
                **({"@graph": nodes} if isinstance(nodes, list) else nodes)}
    return (json.dumps(sorted_arrays(document), indent=2, sort_keys=True, ensure_ascii=False)
            + "\n").encode("utf-8")


def json_native(literal) -> bool:
    """Whether a JSON value reads back as this very literal (rdflib's and Oxigraph's
    JSON-LD parsers: an integer in canonical form, true or false; any other typed literal
    rdflib writes as a string with its type)."""
    datatype, text = str(literal.datatype), str(literal)
    if datatype == XSD + "integer":
        return re.fullmatch(r"-?[1-9][0-9]*|0", text) is not None
    if datatype == XSD + "boolean":
        return text in ("true", "false")
    return datatype != XSD + "double"


def sorted_arrays(value, key=None):
    """A JSON value with every array sorted (the order of a JSON-LD array other than an
    @list carries no meaning, and rdflib's follows the hash seed)."""
    if isinstance(value, dict):
        return {k: sorted_arrays(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [sorted_arrays(v) for v in value]
        return items if key == "@list" else sorted(
            items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


# ---------------------------------------------------------------------------
# Property graph

VALUE_SEPARATOR = " | "  # between an attribute's values: Neo4j's split(x, " | ") undoes it


def property_graph(graph: CompiledGraph, inferred: bool = True, collapse_facts: bool = False):
    """The graph as a networkx MultiDiGraph, for Gephi, Cytoscape, networkx and Neo4j.

    Nodes are the described things: every IRI with an rdf:type that is not part of the
    vocabulary (no classes, properties, ontology or shapes; SKOS concepts and sources
    are nodes). A node's id is its CURIE; its attributes are `label` (the English
    rdfs:label, else the CURIE), `type` (the most specific of its ak: classes, else of
    its classes; several are space-separated), `fact` (an ak:Fact instance: agreement,
    program, event, membership, holding, money figure), `sources` and `quotes` (from its
    citations, which are not nodes), and one attribute per literal-valued property (the
    property's local name, or prefix_local where two share one), also for IRI values
    that are not nodes (e.g. Wikidata matches, as CURIEs). A number is an int or float;
    several values are joined by VALUE_SEPARATOR in sorted order (a value holding it is
    refused, as no importer could tell it from two).

    Edges are the triples between two nodes (not rdf:type), keyed by the property's
    CURIE, with attributes `label` (the property's English label) and `predicate`; of the
    properties linking the same two nodes, only those that are no super-property of
    another (ak:licensor, not the ak:participant inference adds beside it).

    With `collapse_facts`, fact nodes are removed and each fact becomes edges among its
    endpoints: the non-fact nodes it points to that are neither SKOS concepts nor
    sources (participants, systems, places, members, groupings, ...). Every pair of
    endpoints is linked once, from the endpoint whose role ranks first in ROLE_ORDER
    (e.g. licensor before licensee before the system; ties by id), keyed and labelled
    by the fact (`fact`, `label`, `fact_type`, `source_role`, `target_role`, the fact's
    literal and concept-valued attributes, its sources and quotes). A fact with fewer
    than two endpoints gives no edge. Edges from or to facts are dropped.
    """
    return property_graph_of(ExportSource(graph, inferred), collapse_facts)


ROLE_ORDER = [AK + name for name in (
    "licensor", "supplier", "funder", "developer", "producer", "productionParticipant",
    "contractor", "party", "actor", "operator", "member", "participant", "licensee",
    "buyer", "recipient", "beneficiary", "organization", "concernsSystem", "about", "target",
    "location")]
ROLE_ORDER += [PREFIXES["prov"] + "wasAssociatedWith", PREFIXES["org"] + "member",
               PREFIXES["org"] + "organization"]


def property_graph_of(source: ExportSource, collapse_facts: bool):
    import networkx as nx

    triples = source.triples()
    types = defaultdict(set)
    out = defaultdict(list)
    for t in triples:
        out[t.subject].append(t)
        if t.predicate == TYPE:
            types[t.subject].add(t.object)
    superclasses = closure(triples, SUBCLASS_OF)
    superproperties = closure(triples, SUBPROPERTY_OF)

    def is_vocabulary(node) -> bool:
        return any(cls.value.startswith(VOCABULARY_NAMESPACES) for cls in types[node]
                   if isinstance(cls, ox.NamedNode))

    nodes = sorted((n for n in types if isinstance(n, ox.NamedNode) and not is_vocabulary(n)),
                   key=lambda n: curie(n.value))
    node_set = set(nodes)
    facts = {n for n in nodes if any(FACT in superclasses[c] | {c} for c in types[n])}
    labels = {}
    for t in triples:
        if t.predicate == LABEL and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject, []).append(t.object)

    def label_of(term) -> str:
        found = sorted(labels.get(term, ()), key=lambda l: (l.language not in ("en", None), l.value))
        return found[0].value if found else curie(term.value)

    # Attribute names: the property's local name, prefix_local where that is ambiguous
    # among the properties whose values are kept (the most specific of those stating a
    # value): schema:startDate, which inference adds beside ak:startDate, renamed the
    # inferred export's startDate column ak_startDate.
    stating_value = defaultdict(set)
    for t in triples:
        if (t.subject in node_set and t.predicate not in (TYPE, LABEL, CITATION)
                and not (isinstance(t.object, ox.NamedNode) and t.object in node_set)
                and not isinstance(t.object, ox.BlankNode)):
            stating_value[t.subject, t.object].add(t.predicate)
    attribute_properties = set().union(*(without_broader(predicates, superproperties)
                                         for predicates in stating_value.values()))
    by_local = defaultdict(list)
    for p in attribute_properties:
        by_local[column_name(p)].append(p)
    reserved = {"id", "label", "type", "fact", "sources", "quotes", "predicate", "fact_label",
                "fact_type", "source_role", "target_role"}
    attribute_name = {p: (local if len(ps) == 1 and local not in reserved
                          else curie(p.value).replace(":", "_"))
                      for local, ps in by_local.items() for p in ps}

    citation_of = defaultdict(list)
    for t in triples:
        if t.predicate in (IN_SOURCE, QUOTE):
            citation_of[t.subject].append(t)

    def attributes(node) -> dict:
        # each key's values by type and value: in a set, true and 1 would be one value
        values = defaultdict(dict)
        # a value once, under its most specific property: ak:date, not also the dcterms:date
        # that inference adds, as an edge is one link
        stating = defaultdict(set)
        for t in out[node]:
            stating[t.object].add(t.predicate)
        for t in out[node]:
            if t.predicate not in without_broader(stating[t.object], superproperties):
                continue
            if t.predicate in attribute_name:
                value = plain_value(t.object) if isinstance(t.object, ox.Literal) else curie(t.object.value)
                values[attribute_name[t.predicate]][type(value), value] = value
            elif t.predicate == CITATION:
                for c in citation_of[t.object]:
                    key = "sources" if c.predicate == IN_SOURCE else "quotes"
                    value = curie(c.object.value) if key == "sources" else c.object.value
                    values[key][str, value] = value
        attrs = {"label": label_of(node), "type": most_specific(types[node], superclasses),
                 "fact": node in facts}
        for key, vals in values.items():
            for value in vals.values():
                if isinstance(value, str) and VALUE_SEPARATOR in value:
                    raise InputError(
                        f"property graph: {curie(node.value)} {key} holds {value[:60]!r}, with "
                        f"'{VALUE_SEPARATOR}', which joins an attribute's several values: an "
                        f"importer would split it; write it otherwise, or export an RDF format")
        attrs.update((key, [*vals.values()][0] if len(vals) == 1
                      else VALUE_SEPARATOR.join(sorted(map(csv_value, vals.values()))))
                     for key, vals in sorted(values.items()))
        return attrs

    result = nx.MultiDiGraph()
    for node in nodes:
        if not (collapse_facts and node in facts):
            result.add_node(curie(node.value), **attributes(node))
    links = defaultdict(set)  # (subject, object) -> the properties linking them
    for t in triples:
        if (t.predicate != TYPE and t.subject in node_set and t.object in node_set
                and not (collapse_facts and (t.subject in facts or t.object in facts))):
            links[(t.subject, t.object)].add(t.predicate)
    # Inference adds each link's broader properties (ak:participant beside ak:licensor)
    # and its inverse (Japan ak:participatesIn the MoU whose ak:party it is): as edges,
    # they would count one link several times in degrees and centralities.
    specific = {pair: without_broader(predicates, superproperties)
                for pair, predicates in links.items()}
    kept_direction = InverseLinks(source.asserted, superproperties)
    edges = [(curie(subject.value), curie(object_.value), curie(predicate.value),
              {"label": label_of(predicate), "predicate": curie(predicate.value)})
             for (subject, object_), predicates in specific.items()
             for predicate in predicates
             if not kept_direction.drops(subject, predicate, object_,
                                         specific.get((object_, subject), ()))]
    if collapse_facts:
        concepts = {n for n in nodes if types[n] & {CONCEPT, CONCEPT_SCHEME}}
        sources = {n for n in nodes if SOURCE in types[n]}
        rank = {iri: i for i, iri in enumerate(ROLE_ORDER)}
        for fact in sorted(facts, key=lambda n: curie(n.value)):
            roles = defaultdict(set)
            for t in out[fact]:
                if (t.object in node_set and t.object not in facts | concepts | sources
                        and t.predicate != TYPE):
                    roles[t.object].add(t.predicate)
            fact_attrs = attributes(fact)
            # Gephi reads an edge column named type as directed/undirected
            fact_attrs = {{"label": "fact_label", "type": "fact_type"}.get(k, k): v
                          for k, v in fact_attrs.items() if k != "fact"}
            for t in out[fact]:  # concept-valued properties (status, types) as attributes
                if t.object in concepts and t.predicate != TYPE:
                    name = attribute_name.get(t.predicate, column_name(t.predicate))
                    fact_attrs[name] = VALUE_SEPARATOR.join(sorted(set(
                        filter(None, str(fact_attrs.get(name, "")).split(VALUE_SEPARATOR)))
                        | {curie(t.object.value)}))

            def order(node):
                specific = without_broader(roles[node], superproperties)
                return (min(rank.get(p.value, len(rank)) for p in specific), curie(node.value))

            endpoints = sorted(roles, key=order)
            for i, a in enumerate(endpoints):
                for b in endpoints[i + 1:]:
                    attrs = {"label": label_of(fact), "fact": curie(fact.value),
                             "source_role": role_names(roles[a], superproperties),
                             "target_role": role_names(roles[b], superproperties)}
                    attrs.update(fact_attrs)
                    attrs["label"] = label_of(fact)
                    edges.append((curie(a.value), curie(b.value), curie(fact.value), attrs))
    for u, v, key, attrs in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        result.add_edge(u, v, key=key, **attrs)
    return result


class InverseLinks:
    """Which of a link given both ways (a p b, b q a, with q an inverse of p or of a
    property p narrows) a property graph keeps: the curated direction, or, where both or
    neither are curated, the one the ontology declares (`p owl:inverseOf q`: p's)."""

    def __init__(self, asserted: list[ox.Triple], superproperties: dict):
        self.asserted = set(asserted)
        self.superproperties = superproperties
        self.inverse: dict = {}
        self.declared = set()
        for t in asserted:
            if t.predicate == INVERSE_OF:
                self.inverse[t.subject], self.inverse[t.object] = t.object, t.subject
                self.declared.add(t.subject)

    def broad(self, predicate) -> set:
        return {predicate} | self.superproperties[predicate]

    def rank(self, subject, predicate, object_) -> tuple[bool, bool]:
        return (ox.Triple(subject, predicate, object_) in self.asserted,
                bool(self.broad(predicate) & self.declared))

    def drops(self, subject, predicate, object_, reverse_predicates) -> bool:
        """Whether the link is dropped for one of `reverse_predicates` (object_ to subject)."""
        mine = self.rank(subject, predicate, object_)
        return any(
            ({self.inverse.get(p) for p in self.broad(predicate)} & self.broad(other)
             and self.rank(object_, other, subject) > mine)
            for other in reverse_predicates)


def closure(triples, predicate) -> dict:
    """node -> every node it reaches by `predicate`, transitively (excluding itself)."""
    direct = defaultdict(set)
    for t in triples:
        if t.predicate == predicate and isinstance(t.object, ox.NamedNode):
            direct[t.subject].add(t.object)
    reach = defaultdict(set)
    for start in list(direct):
        stack, seen = list(direct[start]), set()
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        seen.discard(start)
        reach[start] = seen
    return reach


def most_specific(classes, superclasses) -> str:
    """The most specific of the node's classes (ak: ones if it has any), as CURIEs."""
    named = {c for c in classes if isinstance(c, ox.NamedNode)}
    candidates = {c for c in named if c.value.startswith(AK)} or named
    return " ".join(sorted(curie(c.value) for c in without_broader(candidates, superclasses)))


def without_broader(items, broader) -> set:
    """The items that are not broader than (a super-class or -property of) another."""
    return {item for item in items
            if not any(item in broader[other] for other in items if other != item)}


def role_names(properties, superproperties) -> str:
    return VALUE_SEPARATOR.join(sorted(curie(p.value) for p in without_broader(properties, superproperties)))


def column_name(iri: ox.NamedNode) -> str:
    """A property's attribute name in the property graph: its CURIE's local part, else the
    IRI's last segment."""
    name = curie(iri.value)
    return name.split(":", 1)[1] if name != iri.value else iri.value.rstrip("/#").rsplit("/", 1)[-1]


def plain_value(literal: ox.Literal):
    """A number as int or float and a boolean as bool, so that GraphML declares them
    numeric or boolean (Gephi can size and filter by them); any other literal as its text.
    As `-f jsonl` gives them (kg.output.json_value), but a whole number as an int, so that
    an amount of 431000000.0 is declared long and stays whole in CSV."""
    value = json_value(literal, literal.value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
        return literal.value  # beyond GraphML's long: as text, as INF and NaN are
    return value


def graphml(pg) -> bytes:
    refuse_what_xml_cannot_carry("graphml", (
        *((f"{node} {key}", value) for node, attrs in pg.nodes(data=True)
          for key, value in attrs.items() if isinstance(value, str)),
        *((f"{u} -> {v} {key}", value) for u, v, attrs in pg.edges(data=True)
          for key, value in attrs.items() if isinstance(value, str))))
    stream = io.BytesIO()
    # a key with an int on one node and a float on another is declared double, and one
    # with any text (several values joined by VALUE_SEPARATOR) string
    writer = xsd_boolean_graphml_writer(encoding="utf-8", prettyprint=True, named_key_ids=False,
                                        infer_numeric_types=True)
    writer.add_graph_element(with_unique_edge_keys(booleans_as_text_where_mixed(pg)))
    writer.dump(stream)
    return stream.getvalue()


def with_unique_edge_keys(pg):
    """The property graph with its edges keyed e0, e1, ...: GraphML writes an edge's key as
    its id, which must be unique in the file (Gephi drops an edge whose id it has seen),
    and a key (the property, or the fact) is unique only between two nodes."""
    import networkx as nx

    unique = nx.MultiDiGraph()
    unique.add_nodes_from(pg.nodes(data=True))
    unique.add_edges_from((u, v, f"e{i}", attrs)
                          for i, (u, v, attrs) in enumerate(pg.edges(data=True)))
    return unique


def xsd_boolean_graphml_writer(**options):
    """networkx's GraphML writer, but writing a boolean as XML Schema spells it (true), not
    as Python does (True), which strict readers (rustworkx) refuse."""
    from networkx.readwrite.graphml import GraphMLWriter

    class Writer(GraphMLWriter):
        def add_data(self, name, element_type, value, scope="all", default=None):
            element = super().add_data(name, element_type, value, scope, default)
            if element_type is bool:  # the value comes as its text, "True"
                element.text = element.text.lower()
            return element

    return Writer(**options)


def booleans_as_text_where_mixed(pg):
    """The property graph with the booleans of a key that also holds numbers or text as
    text ("true"): networkx would declare such a key a number (a boolean with an int) and
    write a boolean as "True", which no reader of a number reads."""
    def mixed(attribute_dicts) -> set:
        kinds = defaultdict(set)
        for attrs in attribute_dicts:
            for key, value in attrs.items():
                kinds[key].add(type(value))
        return {key for key, found in kinds.items() if bool in found and len(found) > 1}

    node_keys = mixed(attrs for _, attrs in pg.nodes(data=True))
    edge_keys = mixed(attrs for *_, attrs in pg.edges(data=True))
    if not node_keys and not edge_keys:
        return pg
    pg = pg.copy()  # new attribute dicts: the caller's graph keeps its booleans
    for keys, attribute_dicts in ((node_keys, (attrs for _, attrs in pg.nodes(data=True))),
                                  (edge_keys, (attrs for *_, attrs in pg.edges(data=True)))):
        for attrs in attribute_dicts:
            for key in keys & attrs.keys():
                if isinstance(attrs[key], bool):
                    attrs[key] = csv_value(attrs[key])
    return pg


def csv_files(pg) -> dict[str, bytes]:
    """nodes.csv (id, label, type, fact, ...) and edges.csv (source, target, label, ...)."""
    node_columns = ["id", "label", "type", "fact"] + sorted(
        {k for _, attrs in pg.nodes(data=True) for k in attrs} - {"label", "type", "fact"})
    edge_columns = ["source", "target", "label"] + sorted(
        {k for *_, attrs in pg.edges(data=True) for k in attrs} - {"label"})
    return {"nodes.csv": csv_bytes(node_columns, ({"id": n, **a} for n, a in pg.nodes(data=True))),
            "edges.csv": csv_bytes(edge_columns, ({"source": u, "target": v, **a}
                                                  for u, v, a in pg.edges(data=True)))}


def csv_bytes(columns, rows) -> bytes:
    from kg.output import write_delimited

    stream = io.StringIO()
    write_delimited(stream, columns, ([csv_value(row.get(column)) for column in columns]
                                      for row in rows))
    return stream.getvalue().encode("utf-8")


def csv_value(value) -> str:
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


# ---------------------------------------------------------------------------
# VoID / DCAT manifest

def _void(source: ExportSource, collapse_facts: bool, files: dict[str, bytes]) -> dict[str, bytes]:
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF as RDF_NS, VOID, XSD

    from kg.store import to_term

    SPDX = Namespace("http://spdx.org/rdf/terms#")
    dataset = URIRef(DATASET + source.variant)
    g = Graph(bind_namespaces="none")
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX)):
        g.bind(prefix, ns)
    triples = source.triples()
    g.add((dataset, RDF_NS.type, VOID.Dataset))
    g.add((dataset, RDF_NS.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(f"alliance-kg ({source.variant} graph)", lang="en")))
    g.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    g.add((dataset, VOID.triples, Literal(len(triples), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects,
           Literal(len({t.subject for t in triples}), datatype=XSD.integer)))
    g.add((dataset, VOID.properties,
           Literal(len({t.predicate for t in triples}), datatype=XSD.integer)))
    per_graph = defaultdict(int)
    for quad in source.quads():
        per_graph[quad.graph_name.value] += 1
    source_of = {source_graph(t.object).value: t.object.value for t in triples
                 if t.predicate == IN_SOURCE and isinstance(t.object, ox.NamedNode)}
    for name, count in sorted(per_graph.items()):
        subset = URIRef(name)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF_NS.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
        if name in source_of:
            g.add((subset, DCTERMS.source, URIRef(source_of[name])))
    by_name = {file: fmt for fmt in FORMATS.values() for file in fmt.file_names}
    for file, data in sorted(files.items()):
        fmt = by_name[file]
        # the property graph with facts collapsed is other bytes: another distribution
        collapsed = "collapsed/" if collapse_facts and fmt.name in ("graphml", "csv") else ""
        distribution = URIRef(f"{dataset}/{collapsed}{file}")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF_NS.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(file)))
        description = fmt.description
        if fmt.name in ("graphml", "csv"):
            description += ", fact nodes collapsed into edges" if collapse_facts else ", fact nodes kept"
        g.add((distribution, DCTERMS.description, Literal(description, lang="en")))
        g.add((distribution, DCAT.mediaType, Literal(fmt.media_type)))
        g.add((distribution, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((distribution, SPDX.checksum, checksum))
        g.add((checksum, RDF_NS.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue,
               Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary)))
    header = f"# alliance-kg {__version__}: manifest of the {source.variant} graph's exports."
    triples = [q.triple for q in canonical(ox.Quad(to_term(s), to_term(p), to_term(o))
                                           for s, p, o in g)]
    prefixes = {**{k: PREFIXES[k] for k in ("akd", "dcterms", "xsd")},
                "dcat": str(DCAT), "spdx": str(SPDX), "void": str(VOID)}
    return {FORMATS["void"].file_names[0]: write_turtle(triples, header, prefixes)}
