"""`kg serve`: the graph over the SPARQL 1.1 Protocol, read-only, from the standard library.

    GET  /sparql?query=...                     a query (also POST, form or direct body)
    GET  /queries/NAME?PARAM=VALUE&format=csv  a canned query with its parameters
                                                (offset= and limit=: one page of it)
    GET  /queries                              the canned queries as JSON
    GET  /                                     a page listing the canned queries

Each request runs in its own thread (ThreadingHTTPServer), and each query in one of a
pool of worker processes (kg.workers) given `timeout` seconds: a slow query gets 503 and
its process is killed and replaced, and other requests keep being answered meanwhile. Queries pass
kg.safety.check_user_query first (SERVICE, FROM and updates are refused with 400;
update requests with 403). A result of more than `max_rows` solutions (or triples) is
refused with 400 rather than truncated, so a client never takes part of an answer for
all of it: the message asks for a LIMIT.

The protocol's default-graph-uri and named-graph-uri parameters pick graphs of the
served store itself (nothing is ever fetched); without them the default graph is the
union of all graphs, as in `kg sparql`. Results are SPARQL JSON, XML, CSV or TSV
(SELECT; JSON or XML for ASK) and Turtle, N-Triples, JSON-LD or RDF/XML (CONSTRUCT,
DESCRIBE), chosen by a `format` parameter or else the Accept header (with q-values).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

import pyoxigraph as ox

from kg.errors import InputError
from kg.namespaces import PREFIXES
from kg.output import NOT_IN_XML, is_rdf_12_term, sparql_json, triple_term_text
from kg.remote import check_graph_iri
from kg.safety import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, QueryTimeout, check_user_query,
                       run_with_timeout)
from kg.store import query_syntax_error, table
from kg.workers import WorkerDied, WorkerPool

MAX_BODY = 1_000_000  # bytes of a POST body
LINGER = 2  # seconds a closing connection waits for the client to send the rest of its request
# seconds a client may stay silent in the middle of its request: one that declared a body
# and never sent it held a thread forever
READ_TIMEOUT = 30

# Media types offered, in order of preference, and their short `format=` names.
RESULTS_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                 "application/sparql-results+xml": "xml", "application/xml": "xml",
                 "text/csv": "csv", "text/tab-separated-values": "tsv"}
BOOLEAN_TYPES = {t: f for t, f in RESULTS_TYPES.items() if f in ("json", "xml")}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
               "application/ld+json": ox.RdfFormat.JSON_LD,
               "application/rdf+xml": ox.RdfFormat.RDF_XML}
# `format=` names per kind of result. A graph takes the results' names too (xml: RDF/XML,
# json: JSON-LD), as clients such as SPARQLWrapper send the same name for every query.
RESULTS_NAMES = {"json": "application/sparql-results+json",
                 "xml": "application/sparql-results+xml", "csv": "text/csv",
                 "tsv": "text/tab-separated-values"}
GRAPH_NAMES = {"turtle": "text/turtle", "ttl": "text/turtle", "n3": "text/turtle",
               "nt": "application/n-triples", "ntriples": "application/n-triples",
               "jsonld": "application/ld+json", "json-ld": "application/ld+json",
               "json": "application/ld+json", "rdfxml": "application/rdf+xml",
               "rdf+xml": "application/rdf+xml", "rdf": "application/rdf+xml",
               "xml": "application/rdf+xml"}

# The end of a property IRI that RDF/XML can use as the local part of an element name.
PROPERTY_ELEMENT_NAME = re.compile(r"[^\W\d][\w.\-\u00b7]*$")


class HTTPError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class TooManyResults(InputError):
    pass


class KGServer(ThreadingHTTPServer):
    daemon_threads = True
    kg_answers = None  # none yet when the port cannot be bound: the OSError is what to report

    def __init__(self, address: tuple[str, int], handler):
        # the family of the host's address, so that an IPv6 host (`--host ::1`) can be
        # bound, as `python -m http.server` does it
        self.address_family = socket.getaddrinfo(*address, type=socket.SOCK_STREAM,
                                                 flags=socket.AI_PASSIVE)[0][0]
        super().__init__(address, handler)

    @property
    def url(self) -> str:
        """http://HOST:PORT, where the SPARQL endpoint is /sparql."""
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def shutdown_request(self, request) -> None:
        """Close in stages, as HTTP asks (RFC 9112, 9.6): stop sending, read and drop what
        the client still sends until it closes (or sends nothing for LINGER seconds), then
        close. Closing with part of a request unread (the body of a PUT answered 405, of a
        POST answered 413) sends a reset, which can erase the answer at the client before
        it reads it: kg push told "Broken pipe" instead of the 405."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(LINGER)
            while request.recv(65536):
                pass
        except OSError:  # the client went away, or stayed silent
            pass
        self.close_request(request)

    def server_close(self) -> None:
        super().server_close()
        if self.kg_answers is not None:
            self.kg_answers.close()


def make_server(graph, host: str = "127.0.0.1", port: int = 8000,
                timeout: float | None = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                quiet: bool = True, workers: int | None = None) -> KGServer:
    """A server (not yet serving) of a CompiledGraph, or of a bare pyoxigraph Store (no
    canned queries then). Port 0 picks a free port: see `server.server_address`.

    A CompiledGraph is queried by `workers` processes (default: one per CPU), so that a
    query past `timeout` is killed; a bare Store, which no other process can open, in
    threads, where a timed-out query runs on until it ends."""
    try:
        server = KGServer((host, port), Handler)
    except UnicodeError as exc:  # a name IDNA cannot encode (a label of over 63 letters)
        raise InputError(f"host {host[:70]!r}: not a host name or address ({exc})") from None
    except OSError as exc:  # a port in use, an address not of this machine
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    server.kg_catalog = {}
    if isinstance(graph, ox.Store):
        server.kg_answers = InThreads(graph)
    else:
        from kg.catalog import load_catalog

        try:
            server.kg_catalog = load_catalog(graph.inputs.queries_dir)
            server.kg_answers = WorkerPool(open_compiled, answer,
                                           (graph.path, graph.inputs, graph.key),
                                           workers or os.cpu_count() or 1)
        except BaseException:
            ThreadingHTTPServer.server_close(server)  # the port is free again
            raise
    server.kg_timeout = timeout
    server.kg_max_rows = max_rows
    server.kg_quiet = quiet
    return server


def serve_forever(server: KGServer) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the socket and stop the query processes."""
    import signal

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: a clean stop
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- evaluation -----------------------------------------------------------------------

def evaluate(store: ox.Store, text: str, default_graphs: list[str], named_graphs: list[str],
             max_rows: int, base_iri: str | None = None):
    """("select", variables, rows) | ("ask", bool) | ("graph", triples), fully evaluated.

    Relative IRIs in the query resolve against `base_iri` (the endpoint's URL)."""
    options: dict = {"prefixes": PREFIXES, "base_iri": base_iri}
    if default_graphs or named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs] or ox.DefaultGraph()
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    else:
        options["use_default_graph_as_union"] = True
    results = store.query(text, **options)
    try:
        return collect(results, max_rows)
    except Exception as exc:  # noqa: BLE001 - re-raised below without its traceback
        error = type(exc), str(exc)
    # pyoxigraph results must be dropped on this thread: a traceback holding them would
    # carry them to the request's thread.
    del results
    raise error[0](error[1])


def collect(results, max_rows: int):
    if isinstance(results, ox.QueryBoolean):
        return ("ask", bool(results))
    if isinstance(results, ox.QuerySolutions):
        names, rows = table(results, max_rows)
        if len(rows) > max_rows:
            raise TooManyResults(f"more than {max_rows} results: add a LIMIT")
        return ("select", names, rows)
    triples = list(itertools.islice(results, max_rows + 1))
    if len(triples) > max_rows:
        raise TooManyResults(f"more than {max_rows} triples: add a LIMIT")
    return ("graph", triples)


# --- answering: in a worker process (kg.workers), or in a thread for a bare Store ----

def open_compiled(path, inputs, key):
    """A worker's own read-only view of the compiled graph the server was started with."""
    from kg.store import CompiledGraph, open_store

    return CompiledGraph(open_store(path), inputs, key, path)


def answer(graph, request: dict) -> tuple[int, bytes, str]:
    """(status, body, media type) of a /sparql or /queries/NAME request (a dict: the
    query or canned query, and max_rows, accept and formats), on a CompiledGraph or a bare
    pyoxigraph Store. Plain values only: the answer may cross from a worker process."""
    try:
        if "canned" in request:
            result = canned_result(graph, request)
        else:
            result = sparql_result(graph if isinstance(graph, ox.Store) else graph.store, request)
        media = choose_type(result[0], request["accept"], request["formats"])
        return 200, serialize(result, media), media
    except HTTPError as exc:
        return exc.status, (exc.message + "\n").encode(), "text/plain"
    except Exception as exc:  # noqa: BLE001 - one bad request must not stop the worker
        return 500, f"internal error: {type(exc).__name__}\n".encode(), "text/plain"


def sparql_result(store: ox.Store, request: dict):
    text = request["query"]
    try:
        return evaluate(store, text, request["default_graphs"], request["named_graphs"],
                        request["max_rows"], request["base"])
    except TooManyResults as exc:  # a good query: not "bad query"
        raise HTTPError(400, f"too many results: {exc}") from None
    except (SyntaxError, ValueError, InputError) as exc:
        # worded as kg sparql words it
        message = query_syntax_error(text, exc) if isinstance(exc, SyntaxError) else str(exc)
        raise HTTPError(400, f"bad query: {' '.join(message.split())[:300]}") from None
    except (RuntimeError, OSError) as exc:
        raise HTTPError(400, f"query failed: {' '.join(str(exc).split())[:300]}") from None


def canned_result(graph, request: dict):
    from kg.api import run_query

    try:
        rows = run_query(request["canned"], request["values"], graph, flag="{}=").page(
            *request["page"])
    except InputError as exc:
        raise HTTPError(400, str(exc)) from None
    if len(rows) > request["max_rows"]:
        raise HTTPError(400, f"more than {request['max_rows']} results: ask for a page "
                             f"with limit= (and offset=)")
    return ("select", rows.variables, rows.terms)


class InThreads:
    """Answers for a bare Store, each in a thread of its own (kg.safety.run_with_timeout)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def run(self, request: dict, timeout: float | None):
        return run_with_timeout(lambda: answer(self.store, request), timeout)

    def close(self) -> None:
        pass


# What a client asking for JSON or XML means for a graph, as `format=json` and `xml` do.
GRAPH_ALIASES = {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
                 "text/xml": "application/rdf+xml"}


def negotiate(accept: str | None, offers: list[str], aliases: dict | None = None) -> str:
    """The offer the Accept header prefers (q-values, wildcards, `aliases` of offers);
    the first offer if none: Accept is a preference, unlike `format=`."""
    if not accept:
        return offers[0]
    ranges = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        media = (aliases or {}).get(media.lower(), media)
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))

    def quality(offer: str) -> float:
        major = offer.split("/")[0]
        matches = [(3 if media == offer else 2 if media == major + "/*" else 1, q)
                   for media, q in ranges if media in (offer, major + "/*", "*/*")]
        return max(matches)[1] if matches else 0.0

    best = max(offers, key=lambda o: (quality(o), -offers.index(o)))
    return best if quality(best) > 0 else offers[0]


def choose_type(kind: str, accept: str | None, formats: list[str]) -> str:
    """The media type to answer with: the first `format=` value (a name, a media type, or
    a comma-separated list of them) this kind of result offers, else by `Accept`."""
    offers = list({"select": RESULTS_TYPES, "ask": BOOLEAN_TYPES, "graph": GRAPH_TYPES}[kind])
    names = GRAPH_NAMES if kind == "graph" else RESULTS_NAMES
    # a blank value (`format=`, as a form sends an empty field) asks for nothing
    asked = [part.strip().lower() for value in formats for part in value.split(",")
             if part.strip()]
    for name in asked:
        media = names.get(name, name)
        if media in offers:
            return media
    if asked:
        raise HTTPError(406, f"format {asked[-1]!r} is not available for this query (choose "
                             f"one of {', '.join(sorted({n for n, m in names.items() if m in offers}))}"
                             f" or a media type: {', '.join(offers)})")
    return negotiate(accept, offers, GRAPH_ALIASES if kind == "graph" else None)


def serialize(result, media: str) -> bytes:
    kind = result[0]
    if kind == "graph":
        if media == "application/rdf+xml":
            refuse_what_rdfxml_cannot_write(result[1])
        if media == "application/ld+json":  # compacted, as `kg export -f jsonld` writes it
            refuse_what_jsonld_cannot_write(result[1])
            from kg.export import jsonld_of

            return jsonld_of(result[1])
        return ox.serialize(result[1], format=GRAPH_TYPES[media], prefixes=PREFIXES)
    fmt = RESULTS_TYPES[media]
    if kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result[1]}).encode()
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{str(result[1]).lower()}</boolean></sparql>\n").encode()
    variables, rows = result[1], result[2]
    if fmt == "json":
        return json.dumps(sparql_json(variables, rows), ensure_ascii=False).encode()
    if fmt == "xml":
        return results_xml(variables, rows).encode()
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(csv_cell(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    lines = ["\t".join("?" + v for v in variables)] + [
        "\t".join(tsv_cell(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def tsv_cell(term) -> str:
    if term is None:
        return ""
    return triple_term_text(term) if isinstance(term, ox.Triple) else str(term)


def csv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        text = triple_term_text(term)
    else:
        text = f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def results_xml(variables, rows) -> str:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
           "<head>" + "".join(f'<variable name="{v}"/>' for v in variables) + "</head><results>"]
    for row in rows:
        out.append("<result>")
        out.extend(f'<binding name="{name}">{xml_term(term)}</binding>'
                   for name, term in zip(variables, row) if term is not None)
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out)


def xml_term(term) -> str:
    """A term as the SPARQL XML results write it (a triple term as SPARQL 1.2 does)."""
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{xml_term(term.subject)}</subject><predicate>"
                f"{xml_term(term.predicate)}</predicate><object>{xml_term(term.object)}"
                f"</object></triple>")
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_text(term.value)}</bnode>"
    if term.language:
        # a direction as SPARQL 1.2 Query Results XML writes it, and Oxigraph with it
        direction = (f' its:dir="{term.direction}" xmlns:its="http://www.w3.org/2005/11/its"'
                     f' its:version="2.0"' if term.direction else "")
        return (f'<literal xml:lang="{xml_text(term.language)}"{direction}>'
                f'{xml_text(term.value)}</literal>')
    return f'<literal datatype="{xml_text(term.datatype.value)}">{xml_text(term.value)}</literal>'


def xml_text(text: str, instead: str = "JSON, CSV or TSV") -> str:
    forbidden = NOT_IN_XML.search(text)
    if forbidden:
        raise HTTPError(406, f"a result holds the character U+{ord(forbidden[0]):04X}, which "
                             f"XML cannot carry: ask for {instead}")
    return escape(text, {'"': "&quot;"})


def refuse_what_rdfxml_cannot_write(triples) -> None:
    """A 406 for a graph RDF/XML cannot carry, which pyoxigraph would write as bad XML: a
    character XML has no way to write, or a property IRI that does not end in an XML name
    (<http://ex/p/>), which has no element name."""
    instead = "Turtle, N-Triples or JSON-LD"
    for triple in triples:
        if not PROPERTY_ELEMENT_NAME.search(triple.predicate.value):
            raise HTTPError(406, f"RDF/XML cannot write the property <{triple.predicate.value}>"
                                 f", whose IRI does not end in an XML name: ask for {instead}")
        if isinstance(triple.object, ox.Literal):
            xml_text(triple.object.value, instead)


def refuse_what_jsonld_cannot_write(triples) -> None:
    """A 406 for a graph with an RDF 1.2 term: JSON-LD 1.1 has no triple terms, and its
    processors read @direction back as no direction unless told to. rdflib, which writes
    the JSON-LD, failed on a triple term (500) and left a direction out (a 200 that lied)."""
    if any(is_rdf_12_term(triple.object) for triple in triples):
        raise HTTPError(406, "a result holds an RDF 1.2 term (a triple term, or a literal with "
                             "a text direction), which JSON-LD cannot carry: ask for Turtle, "
                             "N-Triples or RDF/XML")


# --- HTTP -----------------------------------------------------------------------------

CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "Content-Type, Accept",
        "Access-Control-Max-Age": "86400"}


def allowed_methods(target: str) -> str:
    """The methods a path answers (its Allow header): POST only to /sparql, the rest
    being read with GET; OPTIONS told POST everywhere, which then got a 405."""
    path = urlsplit(target).path.rstrip("/") or "/"
    return "GET, HEAD, POST, OPTIONS" if path == "/sparql" else "GET, HEAD, OPTIONS"


class Handler(BaseHTTPRequestHandler):
    server_version = "alliance-kg"
    timeout = READ_TIMEOUT  # of each read from the client's socket

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (a request line or headers too long, a garbled
        request line) as one line of text, as the endpoint's others, not its HTML page."""
        text = message or self.responses.get(code, ("error",))[0]
        body = f"{text}\n".encode()
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if not self.server.kg_quiet:
            super().log_message(format, *args)

    def send(self, status: int, body: bytes, media: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        methods = {"Access-Control-Allow-Methods": allowed_methods(self.path)}
        for name, value in {**CORS, **methods, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError as exc:  # a client that gave up: no error of the server's
            self.log_error("the client went away before its answer was sent (%s)", exc)

    def handle_safely(self, method) -> None:
        try:
            method()
        except HTTPError as exc:
            self.send(exc.status, (exc.message + "\n").encode(), "text/plain; charset=utf-8",
                      exc.headers)
        except ConnectionError:  # the client went away: there is no one to tell of it
            raise
        except Exception as exc:  # one bad request must not stop the server
            self.send(500, f"internal error: {type(exc).__name__}\n".encode(),
                      "text/plain; charset=utf-8")

    def do_OPTIONS(self):
        self.send(204, b"", "text/plain", {"Allow": allowed_methods(self.path)})

    def do_GET(self):
        self.handle_safely(self.get)

    def do_HEAD(self):
        self.handle_safely(self.get)

    def do_POST(self):
        self.handle_safely(self.post)

    def refuse_method(self):
        allowed = allowed_methods(self.path)
        self.handle_safely(lambda: (_ for _ in ()).throw(
            HTTPError(405, f"{self.command} is not supported: use "
                           f"{'GET or POST' if 'POST' in allowed else 'GET'}",
                      {"Allow": allowed})))

    do_PUT = do_DELETE = do_PATCH = refuse_method

    # routes

    def get(self):
        url = urlsplit(self.path)
        params = form_values(url.query, "URL")
        path = url.path.rstrip("/") or "/"
        if path == "/":
            self.send(200, landing_page(self.server.kg_catalog).encode(), "text/html; charset=utf-8")
        elif path == "/sparql":
            if "update" in params:
                raise HTTPError(400, "updates cannot be sent with GET (and this endpoint is read-only)")
            self.sparql(params)
        elif path == "/queries":
            listing = {name: {"title": q.title, "description": q.description,
                              "parameters": [{"name": p.name, "type": p.entity_class or p.type,
                                              "required": p.required, "default": p.default,
                                              "description": p.description}
                                             for p in q.parameters],
                              "sparql": q.sparql}
                       for name, q in self.server.kg_catalog.items()}
            self.send(200, json.dumps(listing, indent=2).encode(), "application/json")
        elif path.startswith("/queries/"):  # the landing page's links quote the name
            self.canned(unquote(path[len("/queries/"):]), params)
        else:
            raise HTTPError(404, f"nothing at {url.path}; the SPARQL endpoint is /sparql")

    def post(self):
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        if path in ("/", "/queries") or path.startswith("/queries/"):
            raise HTTPError(405, f"{url.path} is read with GET; POST queries to /sparql",
                            {"Allow": allowed_methods(self.path)})
        if path != "/sparql":
            raise HTTPError(404, f"nothing to POST to at {url.path}; the SPARQL endpoint is /sparql")
        params = form_values(url.query, "URL")
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise HTTPError(411, "send the body with a Content-Length: chunked bodies are not "
                                 "supported")
        declared = self.headers.get("Content-Length") or "0"
        if not re.fullmatch("[0-9]+", declared):
            raise HTTPError(400, f"Content-Length {declared!r} is not a number of bytes")
        length = int(declared)
        if length > MAX_BODY:
            raise HTTPError(413, f"request body over {MAX_BODY} bytes")
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            raise HTTPError(408, f"the request body did not arrive: nothing came for "
                                 f"{self.timeout:g} s", {"Connection": "close"}) from None
        if len(body) < length:  # the client closed its side early: part of a query is not one
            raise HTTPError(400, f"the request body is {len(body)} bytes, shorter than its "
                                 f"Content-Length ({length})")
        media, _, rest = (self.headers.get("Content-Type") or "").partition(";")
        media = media.strip().lower()
        charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                        if p.strip().lower().startswith("charset=")), "utf-8")
        if media == "application/sparql-update":
            raise HTTPError(403, "this endpoint is read-only: updates are refused")
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise HTTPError(415, "POST a query as application/x-www-form-urlencoded (query=...) "
                                 "or as application/sparql-query")
        if charset not in ("utf-8", "utf8"):
            raise HTTPError(415, f"charset {charset} is not supported: send UTF-8")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(400, "the request body is not UTF-8") from None
        if media == "application/sparql-query":
            if "query" in params:
                raise HTTPError(400, "give the query either in the body or as query=, not both")
            params["query"] = [text]
        else:
            for name, values in form_values(text, "request body").items():
                params.setdefault(name, []).extend(values)
            if "update" in params:
                raise HTTPError(403, "this endpoint is read-only: updates are refused")
        self.sparql(params)

    def sparql(self, params: dict[str, list[str]]):
        queries = params.get("query", [])
        if len(queries) != 1:
            raise HTTPError(400, "give exactly one query= parameter" if queries else
                            "no query: give query=... (see / for this endpoint's canned queries)")
        text = queries[0]
        try:
            check_user_query(text)
        except InputError as exc:
            raise HTTPError(400, str(exc)) from None
        for name in ("default-graph-uri", "named-graph-uri"):
            for iri in params.get(name, []):
                try:
                    check_graph_iri(iri)
                except InputError as exc:
                    raise HTTPError(400, f"{name}: {exc}") from None
        server = self.server
        host = self.headers.get("Host")
        base = f"http://{host}/sparql" if host else server.url + "/sparql"
        try:
            ox.NamedNode(base)
        except ValueError:  # a Host header that is no host ("a b"): not the query's fault
            base = server.url + "/sparql"
        self.answer({"query": text, "default_graphs": params.get("default-graph-uri", []),
                     "named_graphs": params.get("named-graph-uri", []), "base": base}, params)

    def canned(self, name: str, params: dict[str, list[str]]):
        if name not in self.server.kg_catalog:
            from kg.catalog import did_you_mean

            raise HTTPError(404, f"no canned query named {name!r}"
                                 f"{did_you_mean(name, self.server.kg_catalog)} (see /queries)")
        repeated = sorted(k for k, v in params.items() if len(v) > 1)
        if repeated:  # as `kg query`: one value each, never one silently dropped
            raise HTTPError(400, f"parameter {repeated[0]} is given twice")
        # An empty value is left out: the landing page's forms send every field, blank or not.
        self.answer({"canned": name, "page": [page_value(params, "offset", 0),
                                              page_value(params, "limit", None)],
                     "values": {k: v[0] or None for k, v in params.items()
                                if k not in ("format", "offset", "limit")}},
                    params)

    def answer(self, request: dict, params: dict[str, list[str]]):
        server = self.server
        request.update(max_rows=server.kg_max_rows, accept=self.headers.get("Accept"),
                       formats=params.get("format", []))
        try:
            status, body, media = server.kg_answers.run(request, server.kg_timeout)
        except QueryTimeout as exc:
            raise HTTPError(503, str(exc).replace("--timeout", "the server's --timeout")) from None
        except WorkerDied as exc:
            raise HTTPError(500, str(exc)) from None
        text_type = media.startswith("text/") or media.endswith("json") or media.endswith("xml")
        self.send(status, body, media + ("; charset=utf-8" if text_type else ""))


def page_value(params: dict[str, list[str]], name: str, default: int | None) -> int | None:
    """offset= or limit= of a canned query: a whole number of rows, 0 or more."""
    text = (params.get(name) or [""])[0]
    if not text:
        return default
    if not (text.isascii() and text.isdigit()):
        raise HTTPError(400, f"{name}= {text!r} is not a whole number of rows, 0 or more")
    return int(text)


def form_values(text: str, where: str) -> dict[str, list[str]]:
    """The parameters of a query string or form body. A %-escape that is no UTF-8 is a 400:
    parse_qs would put U+FFFD in its place, and run a query other than the one sent; so is
    a % that starts no escape (%ZZ), which parse_qs keeps as text for the query to fail on."""
    stray = re.search(r"%(?![0-9A-Fa-f]{2})", text)
    if stray:
        raise HTTPError(400, f"the {where} has a % that starts no %-escape (two hex digits) "
                             f"at character {stray.start() + 1}: write % itself as %25")
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise HTTPError(400, f"the {where} is not UTF-8 once its %-escapes are decoded "
                             f"(byte 0x{exc.object[exc.start]:02X})") from None


def landing_page(catalog: dict) -> str:
    """A human page: the endpoint, a query form, and each canned query with a form."""
    items = []
    for name, query in catalog.items():
        fields = "".join(
            f'<label>{html.escape(p.name)} <input name="{html.escape(p.name)}" '
            f'placeholder="{html.escape(p.entity_class or p.type)}"'
            f'{" required" if p.required else ""}></label> '
            for p in query.parameters)
        params = "".join(f"<li><code>{html.escape(p.name)}</code> ({html.escape(p.usage())}): "
                         f"{html.escape(p.description)}</li>" for p in query.parameters)
        items.append(
            f'<section><h3><a href="/queries/{quote(name)}?format=json">{html.escape(name)}</a>: '
            f"{html.escape(query.title)}</h3><p>{html.escape(query.description)}</p>"
            f"<ul>{params}</ul>"
            f'<form action="/queries/{quote(name)}">{fields}<select name="format">'
            + "".join(f"<option>{f}</option>" for f in ("json", "csv", "tsv", "xml"))
            + "</select> <button>Run</button></form>"
            f"<details><summary>SPARQL</summary><pre>{html.escape(query.sparql)}</pre></details>"
            "</section>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alliance-kg SPARQL endpoint</title></head>
<body><h1>alliance-kg</h1>
<p>A read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET or POST). Prefixes
{html.escape(", ".join(p + ":" for p in PREFIXES))} are predeclared; SERVICE, FROM and
updates are refused.</p>
<form action="/sparql"><textarea name="query" rows="6" cols="80">SELECT ?s ?label WHERE {{ ?s a ak:Alliance ; rdfs:label ?label }}</textarea><br>
<select name="format"><option>json</option><option>csv</option><option>tsv</option><option>xml</option></select>
<button>Query</button></form>
<h2>Canned queries</h2>
<p>At <code>/queries/NAME?PARAM=VALUE</code>; <a href="/queries">as JSON</a>.</p>
{"".join(items) or "<p>None.</p>"}
</body></html>
"""
