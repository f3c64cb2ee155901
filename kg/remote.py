"""Real triple stores: push the graph over the SPARQL 1.1 Graph Store Protocol, and run
canned and ad-hoc queries on a remote SPARQL endpoint, into the same Rows as embedded.

The graph goes up as two named graphs, as in the compiled store: asserted and inferred
triples (canned queries read GRAPH <.../graph/asserted> for facts as curated). Remote
queries name both as default-graph-uri (their union is the default graph, as in the
embedded store) and as named-graph-uri, so the same query text gives the same answers.
With `graph_iri`, everything goes into that one graph instead, and queries must then
pass the same graph_iri.

Parameters are never pasted as user text. A canned query's parameter is resolved to an
RDF term exactly as in the embedded path (kg.catalog.bind, against the local graph), and
the term is written by pyoxigraph (str(term) is its N-Triples form, with IRIs checked
and literals escaped by the RDF library) into a one-row VALUES block placed first in
every group of the query. Oxigraph's substitution binds ?param_NAME throughout the
evaluation, nested groups included; a one-row VALUES block in each group does the same
(the Oxigraph server test checks every canned query gives identical rows both ways).
No user text reaches the query: only the term's own serialisation.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from kg.errors import InputError, expect
from kg.loading import MAX_INPUT_BYTES
from kg.namespaces import PREFIXES
from kg.safety import DEFAULT_TIMEOUT, PUSH_TIMEOUT, check_user_query, code_tokens, rows_of
from kg.store import ASSERTED, INFERRED, query_store

KG_GRAPHS = (ASSERTED.value, INFERRED.value)
ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, "
          "text/turtle;q=0.8")


def graph_url(endpoint: str, graph_iri: str | None) -> str:
    """The Graph Store Protocol URL of one graph (?graph=IRI) or the default graph."""
    query = urlencode({"graph": graph_iri}) if graph_iri else "default"
    return endpoint + ("&" if "?" in endpoint else "?") + query


def push(graph, endpoint: str, graph_iri: str | None = None,
         timeout: float | None = PUSH_TIMEOUT) -> int:
    """Upload the graph (asserted and inferred) with HTTP PUT, replacing what was there.

    `endpoint` is the store's Graph Store Protocol URL (Oxigraph: .../store; Fuseki:
    .../DATASET/data; GraphDB: .../repositories/ID/rdf-graphs/service). Returns the
    number of triples sent. `timeout` is how long the store may send nothing (0 or None:
    no limit): urllib's limit is on each wait for the network, not on the whole reply.
    """
    check_target(endpoint, graph_iri)
    store = graph.store
    if graph_iri is not None:
        uploads = [(graph_iri, [q.triple for g in (ASSERTED, INFERRED)
                                for q in store.quads_for_pattern(None, None, None, g)])]
    else:
        uploads = [(g.value, [q.triple for q in store.quads_for_pattern(None, None, None, g)])
                   for g in (ASSERTED, INFERRED)]
    for iri, triples in uploads:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        send("PUT", graph_url(endpoint, iri), body, {"Content-Type": "application/n-triples"},
             timeout)
    return sum(len(triples) for _, triples in uploads)


def send(method: str, url: str, body: bytes, headers: dict[str, str],
         timeout: float | None) -> tuple[str, bytes]:
    """(content type, body) of the response; an HTTP or network error as an InputError."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout or None) as response:
            # bounded as files are: a store's answer of 139 MB took 856 MB to read (an
            # announced length is read whole, so that a reply cut short is told as such)
            length = response.headers.get("Content-Length") or ""
            announced = int(length) if length.isdigit() else None
            body = (response.read() if announced is not None and announced <= MAX_INPUT_BYTES
                    else response.read(MAX_INPUT_BYTES + 1))
            if len(body) > MAX_INPUT_BYTES:
                raise InputError(f"{request.full_url.split('?')[0]}: the answer is over "
                                 f"{MAX_INPUT_BYTES // 2**20} MiB: narrow the query")
            return response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as exc:
        detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
        raise InputError(f"{request.full_url.split('?')[0]}: HTTP {exc.code} {exc.reason}"
                         + (f": {detail}" if detail else "")) from None
    except TimeoutError:  # reached, as urllib raises a connection's timeout as a URLError
        limit = f"within {timeout:g} s (the time limit)" if timeout else (
            "before the operating system gave up on the connection")
        raise InputError(f"{request.full_url.split('?')[0]}: no answer {limit}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"cannot reach {request.full_url.split('?')[0]}: {reason}") from None
    except http.client.HTTPException as exc:  # a reply cut short (IncompleteRead), a
        # malformed status line or header
        name, detail = type(exc).__name__, " ".join(str(exc).split())[:200]
        reason = detail if detail.startswith(name) else f"{name}: {detail}".rstrip(": ")
        raise InputError(f"{request.full_url.split('?')[0]}: the reply was cut short or "
                         f"malformed ({reason})") from None


def check_endpoint(url: str) -> None:
    """Refuse, as an InputError naming it, an endpoint URL that urllib would fail on or
    should not open: only http:// and https://, with a host, a port from 1 to 65535, and
    only printable ASCII (a URL percent-encodes the rest)."""
    expect(url, str, "endpoint", "the store's URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # an unclosed [IPv6 address, a port that is no number
        raise InputError(f"endpoint {url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:  # urllib also reads file:
        raise InputError(f"{url.split('?')[0]!r} is not an http:// or https:// URL")
    if port == 0:
        raise InputError(f"endpoint {url!r} is not a valid URL (port 0)")
    unsafe = re.search(r"[^\x21-\x7e]", url)
    if unsafe:
        raise InputError(f"endpoint {url!r} is not a valid URL: {unsafe.group()!r} at "
                         f"character {unsafe.start() + 1} (percent-encode it)")
    try:
        parts.hostname.encode("idna")  # as the socket does: `a..b` fails there
    except UnicodeError:
        raise InputError(f"endpoint {url!r} is not a valid URL (host name "
                         f"{parts.hostname!r})") from None


def check_target(endpoint: str, graph_iri: str | None) -> None:
    """Refuse, as an InputError, an endpoint URL or graph name a push cannot go to."""
    check_endpoint(endpoint)
    if graph_iri is not None:
        check_graph_iri(graph_iri)


def check_graph_iri(iri: str) -> None:
    """Refuse, as an InputError, a graph name that is no absolute IRI ('', 'my graph')."""
    expect(iri, str, "graph", "an absolute IRI")
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"graph {iri!r} is not an absolute IRI ({exc})") from None


def with_prefixes(text: str) -> str:
    """The query with kg's predeclared prefixes declared in front (the query's own win)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + text


def with_values(text: str, substitutions: dict | None) -> str:
    """The query with a VALUES block of the substitutions first in each of its groups.

    Oxigraph's substitution binds the variables throughout the query (SEP-0007), also
    inside UNION branches, OPTIONALs and EXISTS; a VALUES block of one row in every group
    graph pattern does the same. Skipped: VALUES data blocks, a CONSTRUCT template,
    a group that holds a sub-SELECT (which gets one in its own WHERE group) and whatever
    is inside LATERAL (which sees the bindings from its left, and may not bind them again).
    """
    if not substitutions:
        return text
    names, terms = [], []
    for variable, term in substitutions.items():
        if isinstance(term, ox.BlankNode):
            raise InputError("a blank node cannot be a parameter of a remote query")
        names.append(variable.value if isinstance(variable, ox.Variable) else str(variable))
        terms.append(str(term))  # N-Triples form, written by pyoxigraph
    block = (" VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(terms) + ") } ")
    code = code_tokens(text)
    inserts, skip_next = [], False
    depth, lateral_depth = 0, None  # brace depth; that of the LATERAL group we are in
    for index, (kind, value, offset) in enumerate(code):
        word = value.upper() if kind == "word" else None
        if kind == "other" and value in ("{", "}"):
            depth += 1 if value == "{" else -1
            if lateral_depth is not None and depth <= lateral_depth:
                lateral_depth = None
        if word == "LATERAL" and lateral_depth is None:
            lateral_depth = depth
        elif lateral_depth is not None:
            continue
        elif word in ("VALUES", "CONSTRUCT"):
            skip_next = True
        elif word == "WHERE" and skip_next and code[index - 1][1].upper() == "CONSTRUCT":
            raise InputError("parameters cannot be bound in a CONSTRUCT WHERE query")
        elif kind == "other" and value == "{":
            following = code[index + 1][1].upper() if index + 1 < len(code) else ""
            if not skip_next and following != "SELECT":
                inserts.append(offset + 1)
            skip_next = False
    if not inserts:
        raise InputError("the query has no group pattern to bind parameters in")
    for at in reversed(inserts):
        text = text[:at] + block + text[at:]
    return text


def remote_select(endpoint: str, sparql: str, substitutions: dict | None = None,
                  graphs=KG_GRAPHS, timeout: float | None = DEFAULT_TIMEOUT
                  ) -> tuple[list[str], list[list], bool | None, bool]:
    """(variables, rows, boolean, triples) of a query run on a remote SPARQL endpoint, as
    kg.safety.safe_query gives them (ASK: `result`, and its answer as `boolean`;
    CONSTRUCT: subject, predicate, object, and `triples` true).

    `graphs` become default-graph-uri and named-graph-uri (None or (): the endpoint's
    own dataset)."""
    check_endpoint(endpoint)
    params = [("query", with_prefixes(with_values(sparql, substitutions)))]
    for iri in graphs or ():
        check_graph_iri(iri)
        params += [("default-graph-uri", iri), ("named-graph-uri", iri)]
    media, body = send("POST", endpoint, urlencode(params).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
                       timeout)
    media = media.split(";")[0].strip().lower()
    # Only N-Triples and Turtle are parsed (no RDF/XML or JSON-LD: see tests/test_safety.py).
    parsers = {"application/sparql-results+json": (ox.parse_query_results, ox.QueryResultsFormat.JSON),
               "application/json": (ox.parse_query_results, ox.QueryResultsFormat.JSON),
               "application/sparql-results+xml": (ox.parse_query_results, ox.QueryResultsFormat.XML),
               "application/xml": (ox.parse_query_results, ox.QueryResultsFormat.XML),
               "application/n-triples": (ox.parse, ox.RdfFormat.N_TRIPLES),
               "text/turtle": (ox.parse, ox.RdfFormat.TURTLE)}
    if media not in parsers:
        raise InputError(f"{endpoint}: unexpected response type {media!r}")
    parse, fmt = parsers[media]
    try:
        return rows_of(parse(body, format=fmt))  # rows_of reads the parser's lazy iterator
    except SyntaxError as exc:
        message = " ".join(str(exc).split())[:200]
        raise InputError(f"{endpoint}: malformed {media} response: {message}") from None


def run_query(name: str, params: dict[str, str] | None, graph, endpoint: str,
              graphs=KG_GRAPHS, timeout: float | None = DEFAULT_TIMEOUT):
    """kg.api.run_query on a remote endpoint: parameters resolved on the local `graph`."""
    from kg.api import Rows
    from kg.catalog import prepare

    expect(name, str, "run_query name", "a canned query's name")
    check_endpoint(endpoint)  # before the parameters are resolved for nothing
    query, substitutions = prepare(graph, name, params)
    if graphs and ASSERTED.value not in graphs and f"<{ASSERTED.value}>" in query.sparql:
        raise InputError(f"query {name!r} tells curated triples from inferred ones by the "
                         f"graph <{ASSERTED.value}>, which a push into one --graph does not "
                         f"keep: push without --graph to run it on the store")
    rows = Rows(*remote_select(endpoint, query.sparql, substitutions, graphs, timeout))
    return rows.columns(query.result_columns(rows.variables))


def sparql(text: str, endpoint: str, graphs=KG_GRAPHS, timeout: float | None = DEFAULT_TIMEOUT,
           origin: str = ""):
    """kg.api.sparql on a remote endpoint: the same refusals (SERVICE, FROM, updates)."""
    from kg.api import Rows
    from kg.catalog import in_written_order

    expect(text, str, "sparql text", "the query")
    check_endpoint(endpoint)
    check_user_query(text, origin)
    # a mistake is placed in the query as typed, as for the local graph: the endpoint's
    # message would count the prefix lines sent in front of it
    query_store(ox.Store(), text, origin=origin)
    rows = Rows(*remote_select(endpoint, text, None, graphs, timeout))
    return rows.columns(in_written_order(text, rows.variables))
