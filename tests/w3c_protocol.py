"""A small runner of the W3C SPARQL 1.1 Protocol tests (../shared/w3c-rdf-tests/sparql11/protocol).

Each test is a list of HTTP requests (ht:Request: method, absolutePath, headers, body)
with the expected status class and, for queries, the result format and ASK answer. The
`/sparql/` path prefix stands for the endpoint under test. The data the tests name
(ut:graphData: data1.nt ... with the graph IRI as rdfs:label) are loaded as named graphs
of the store the endpoint serves.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Namespace
from rdflib.collection import Collection

SUITE = Path(__file__).resolve().parents[2] / "shared" / "w3c-rdf-tests" / "sparql11" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")
TABULAR_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                 "text/csv", "text/tab-separated-values")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]          # expected status classes: 2 for 2xx, ...
    format: str | None = None   # "boolean", "tabular" or "RDF"
    boolean: bool | None = None


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[Request]
    data: dict[str, Path] = field(default_factory=dict)   # graph IRI -> file

    @property
    def query_side(self) -> bool:
        return self.name.startswith(("query_", "bad_query_")) or self.name == "bad_multiple_queries"


def load_tests(suite: Path = SUITE) -> list[ProtocolTest]:
    graph = Graph().parse(suite / "manifest.ttl", format="turtle",
                          publicID=(suite / "manifest.ttl").as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = [read_request(graph, r)
                    for r in Collection(graph, graph.value(action, HT.requests))]
        data = {str(graph.value(d, RDFS.label)): Path(urlsplit(str(graph.value(d, UT.graph))).path)
                for d in graph.objects(entry, UT.graphData)}
        tests.append(ProtocolTest(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)),
                                  requests, data))
    return tests


def read_request(graph: Graph, node) -> Request:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding.lower())
    response = graph.value(node, HT.resp)
    statuses = {int(str(s)[len(HTS)]) for s in graph.objects(response, MF.expectedStatus)}
    fmt = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    return Request(str(graph.value(node, HT.methodName)), str(graph.value(node, HT.absolutePath)),
                   headers, body, statuses, str(fmt) if fmt is not None else None,
                   boolean.toPython() if boolean is not None else None)


def protocol_store(tests: list[ProtocolTest]) -> ox.Store:
    """A store holding every graph the tests name, each in its named graph."""
    store = ox.Store()
    for test in tests:
        for iri, path in test.data.items():
            store.load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
    return store


def run(test: ProtocolTest, host: str, port: int, endpoint: str = "/sparql/") -> str | None:
    """None if the test passes, else why it fails."""
    for number, request in enumerate(test.requests, start=1):
        path = endpoint + request.path[len("/sparql/"):]
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            connection.request(request.method, path, body=request.body, headers=request.headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if response.status // 100 not in request.statuses:
            return f"request {number}: status {response.status}, expected {sorted(request.statuses)}xx"
        if request.format == "RDF" and media not in RDF_TYPES:
            return f"request {number}: {media} is not an RDF format"
        if request.format == "tabular" and media not in TABULAR_TYPES:
            return f"request {number}: {media} is not a results format"
        if request.format == "boolean":
            answer = read_boolean(body, media)
            if answer is None:
                return f"request {number}: no boolean result in {media}"
            if request.boolean is not None and answer != request.boolean:
                return f"request {number}: answered {answer}, expected {request.boolean}"
    return None


def read_boolean(body: bytes, media: str) -> bool | None:
    if media in ("application/sparql-results+json", "application/json"):
        return json.loads(body).get("boolean")
    if media in ("application/sparql-results+xml", "application/xml"):
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
        return bool(result) if isinstance(result, ox.QueryBoolean) else None
    return None
