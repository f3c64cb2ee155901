"""kg.remote against a real Oxigraph server (the `oxigraph` package on PyPI): push the graph
over the Graph Store Protocol, then every canned query embedded and remote must agree."""

import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import remote
from kg.api import run_query, sparql
from kg.catalog import load_catalog
from kg.cli import cli
from kg.errors import InputError

OXIGRAPH = shutil.which("oxigraph")

# Parameters for each canned query (README examples); every query also runs without any.
PARAMETERS = {
    "co-production": [{"system": "PAC-3"}, {"country": "Japan"}],
    "systems": [{"country": "Japan"}],
    "agreements": [{"country": "US", "partner": "Japan"}, {"from": "2020", "to": "2023"}],
    "timeline": [{"country": "South Korea", "from": "2020"}],
    "counters": [{"threat": "hypersonic missile"}],
    "members": [{"country": "Japan"}],
    "partners": [{"country": "Japan"}],
    "funding": [{"country": "Japan"}],
    "inventory": [{"country": "Japan"}],
    "evidence": [{"entity": "SM-3 Block IIA"}, {"entity": "PAC-3"}],
    "search": [{"text": "Tomahawk"}],
}
REQUIRED = {"evidence", "search"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
         "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the oxigraph server did not start")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def pushed(oxigraph_server, graph):
    sent = remote.push(graph, oxigraph_server + "/store")
    assert sent == len(graph.store)
    return oxigraph_server + "/query"


def comparable(rows):
    """Rows as sorted tuples of terms; blank nodes differ between stores, and GROUP_CONCAT
    (parties: "Japan, United States") joins in no defined order, so a literal's
    comma-separated parts are compared as a sorted list."""
    def term(t):
        if isinstance(t, ox.Literal):
            return repr((sorted(t.value.split(", ")), t.datatype.value, t.language))
        return "_:b" if isinstance(t, ox.BlankNode) else ("" if t is None else str(t))

    return sorted(tuple(term(t) for t in row) for row in rows.terms)


def test_every_canned_query_gives_the_same_rows(pushed, graph):
    catalog = load_catalog(graph.inputs.queries_dir)
    assert set(PARAMETERS) == set(catalog), "give parameters for each canned query"
    runs = 0
    for name in catalog:
        for params in ([] if name in REQUIRED else [{}]) + PARAMETERS[name]:
            embedded = run_query(name, params, graph)
            far = remote.run_query(name, params, graph, pushed)
            assert far.variables == embedded.variables, (name, params)
            assert comparable(far) == comparable(embedded), (name, params)
            assert len(embedded) > 0, (name, params)
            runs += 1
    assert runs >= 20


@pytest.mark.parametrize("query", [
    "SELECT ?s ?label WHERE { ?s a ak:Alliance ; rdfs:label ?label }",
    "ASK { akd:pac-3 ak:variantOf* ?x }",
    "CONSTRUCT WHERE { ?s a ak:Alliance }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s a ak:Alliance ; rdfs:label ?label }",   # columns in written order
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
])
def test_sparql_gives_the_same_rows(pushed, graph, query):
    embedded = sparql(query, graph)
    far = remote.sparql(query, pushed)
    assert far.variables == embedded.variables
    assert comparable(far) == comparable(embedded)
    assert far.boolean == embedded.boolean
    assert (embedded.boolean is not None) == query.startswith("ASK")
    assert far.triples == embedded.triples == query.startswith("CONSTRUCT")


def test_remote_sparql_refuses_what_kg_sparql_refuses(pushed):
    with pytest.raises(InputError, match="SERVICE"):
        remote.sparql("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", pushed)


def test_push_into_one_graph(oxigraph_server, graph):
    iri = "http://example.org/alliance-kg"
    remote.push(graph, oxigraph_server + "/store", graph_iri=iri)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    far = remote.sparql(count, oxigraph_server + "/query", graphs=[iri])
    assert far.terms[0][0].value == str(len(graph.store))


def test_canned_queries_on_one_graph_give_the_same_rows_or_are_refused(oxigraph_server, graph):
    """Those that tell curated triples from inferred ones by kg's asserted graph cannot run
    where a push put everything into one graph: they gave no rows, or fewer, silently."""
    iri = "http://example.org/one-graph"
    remote.push(graph, oxigraph_server + "/store", graph_iri=iri)
    refused = set()
    for name in load_catalog(graph.inputs.queries_dir):
        params = PARAMETERS[name][0] if name in REQUIRED else {}
        try:
            far = remote.run_query(name, params, graph, oxigraph_server + "/query", graphs=[iri])
        except InputError as error:
            assert str(error).startswith(f"query {name!r} tells curated triples from inferred")
            refused.add(name)
        else:
            embedded = run_query(name, params, graph)
            assert comparable(far) == comparable(embedded) and len(embedded) > 0, name
    assert refused == {"agreements", "co-production", "evidence", "members", "partners",
                       "search", "systems"}


def test_remote_errors_are_input_errors(oxigraph_server):
    with fake_endpoint("text/plain", b"bad query", status=400) as endpoint:
        with pytest.raises(InputError, match=re.escape(f"{endpoint}: HTTP 400 ")):
            remote.sparql("ASK {}", endpoint)
    with pytest.raises(InputError, match="cannot reach"):
        remote.sparql("ASK {}", f"http://127.0.0.1:{free_port()}/query")


def test_a_mistake_in_a_query_for_an_endpoint_is_placed_as_typed():
    """The endpoint's message counted the 16 prefix lines kg sends in front of the query
    (`error at 17:24` for line 1); the query is now checked here first, and nothing is
    sent (no endpoint listens at this port)."""
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(InputError) as raised:
        remote.sparql("SELECT *\nWHERE { ?s ?p }", endpoint, origin="mine.rq")
    assert str(raised.value).startswith("mine.rq:2:16: invalid SPARQL: ")


@pytest.mark.parametrize("endpoint", ["notaurl", "file:///etc/hosts", "ftp://h/x", "http:///x"])
def test_only_http_endpoints_are_used(graph, endpoint):
    """urllib would open file: and ftp: URLs too, or fail with a traceback."""
    with pytest.raises(InputError, match="is not an http:// or https:// URL"):
        remote.push(graph, endpoint)
    with pytest.raises(InputError, match="is not an http:// or https:// URL"):
        remote.sparql("ASK {}", endpoint)


def test_values_block_goes_first_in_every_group():
    s = ox.Variable("param_x")
    text = ('SELECT ?a (EXISTS { ?a ?b ?c } AS ?e) ?param_x WHERE { { ?a ?b "{" } UNION '
            '{ SELECT ?a WHERE { ?a ?b ?c } } VALUES ?b { <x:b> } }')
    bound = remote.with_values(text, {s: ox.Literal('say "hi"\n')})
    v = ' VALUES (?param_x) { ("say \\"hi\\"\\n") } '
    assert bound == ('SELECT ?a (EXISTS {' + v + ' ?a ?b ?c } AS ?e) ?param_x WHERE {' + v
                     + ' {' + v + ' ?a ?b "{" } UNION { SELECT ?a WHERE {' + v + ' ?a ?b ?c } }'
                     ' VALUES ?b { <x:b> } }')
    assert remote.with_values(text, {}) == text
    with pytest.raises(InputError):
        remote.with_values(text, {s: ox.BlankNode()})
    with pytest.raises(InputError):
        remote.with_values("CONSTRUCT WHERE { ?s ?p ?param_x }", {s: ox.Literal("a")})
    assert remote.with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {s: ox.Literal("a")}) \
        == 'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?param_x) { ("a") }  ?s ?p ?o }'


def test_no_values_block_inside_lateral():
    """LATERAL sees the bindings on its left and may not bind those variables again."""
    s = ox.Variable("param_x")
    text = "SELECT * WHERE { ?a ?b ?param_x LATERAL { OPTIONAL { ?a ?c ?d } } ?a ?b ?c }"
    v = ' VALUES (?param_x) { ("a") } '
    assert remote.with_values(text, {s: ox.Literal("a")}) == (
        "SELECT * WHERE {" + v + " ?a ?b ?param_x LATERAL { OPTIONAL { ?a ?c ?d } } ?a ?b ?c }")


def test_graph_url():
    assert remote.graph_url("http://h/store", None) == "http://h/store?default"
    assert (remote.graph_url("http://h/ds?x=1", "http://e.org/g#1")
            == "http://h/ds?x=1&graph=http%3A%2F%2Fe.org%2Fg%231")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up (past its time limit) is no error: print no traceback
        onto the stderr of the kg run that follows."""


@contextmanager
def fake_endpoint(media: str, body: bytes, content_length: int | None = None,
                  status: int = 200, delay: float = 0):
    """The URL of a local server that answers every POST and PUT with `status` and `body`
    as `media`, announcing `content_length` bytes (default: the body's length), after
    `delay` seconds."""
    class Reply(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(content_length or len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        do_PUT = do_POST

        def log_message(self, *args):
            pass

    server = QuietServer(("127.0.0.1", 0), Reply)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/query"
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_past_the_input_limit_is_refused(monkeypatch):
    """It was read whole: 139 MB took 856 MB of memory."""
    import kg.remote

    monkeypatch.setattr(kg.remote, "MAX_INPUT_BYTES", 10)
    with fake_endpoint("application/sparql-results+json", b'{"head": {}, "boolean": true}') as endpoint:
        with pytest.raises(InputError) as refused:
            remote.sparql("ASK {}", endpoint)
    assert str(refused.value) == f"{endpoint}: the answer is over 0 MiB: narrow the query"


def test_a_store_slower_than_the_time_limit_was_reached_but_did_not_answer():
    """It was reported as `cannot reach URL: timed out`."""
    with fake_endpoint("application/sparql-results+json", b"{}", delay=3) as endpoint:
        with pytest.raises(InputError) as refused:
            remote.sparql("ASK {}", endpoint, timeout=0.5)
    assert str(refused.value) == f"{endpoint}: no answer within 0.5 s (the time limit)"


def test_kg_push_waits_for_the_store_as_long_as_timeout_says(tiny_copy):
    """It waited 300 s whatever the store; a store that takes longer to load a large
    graph needed a longer limit, a script a shorter one."""
    def push(*args):
        return CliRunner().invoke(cli, ["--data", str(tiny_copy), "push", *args])

    with fake_endpoint("text/plain", b"", status=204, delay=1) as endpoint:
        slow = push("--endpoint", endpoint, "--timeout", "0.3")
        patient = push("--endpoint", endpoint, "--timeout", "0")
    assert (slow.exit_code, slow.stderr) == (
        2, f"kg: error: {endpoint}: no answer within 0.3 s (the time limit)\n")
    assert patient.exit_code == 0
    assert re.fullmatch(f"kg: pushed [0-9]+ triples to {re.escape(endpoint)}\n", patient.stderr)


def test_kg_query_on_a_store_takes_a_timeout_and_only_there(tiny_copy):
    """It always gave up after 5 s, however large the store."""
    def query(*args):
        return CliRunner().invoke(cli, ["--data", str(tiny_copy), "query", "partners", *args],
                                  prog_name="kg")

    with fake_endpoint("application/sparql-results+json", b"{}", delay=1) as endpoint:
        slow = query("--endpoint", endpoint, "--timeout", "0.3")
    assert (slow.exit_code, slow.stderr) == (
        2, f"kg: error: {endpoint}: no answer within 0.3 s (the time limit)\n")
    local = query("--timeout", "1")
    assert (local.exit_code, local.stderr) == (
        2, "kg: error: --timeout limits a store's answer: give --endpoint too, or leave "
           "--timeout out (see 'kg query --help')\n")


@pytest.mark.parametrize("media, body", [
    ("application/sparql-results+json", b"<html>down for maintenance</html>"),
    ("application/n-triples", b"<a> <b> .\n"),
])
def test_a_malformed_reply_is_an_input_error(media, body):
    """An endpoint behind a proxy may answer with an error page under the promised type."""
    with fake_endpoint(media, body) as endpoint:
        with pytest.raises(InputError, match=re.escape(f"{endpoint}: malformed {media} response: ")):
            remote.sparql("SELECT * WHERE { ?s ?p ?o }", endpoint)


def test_a_triple_term_from_an_endpoint_is_printed(graph, capsys):
    """A SPARQL 1.2 store may bind a triple term, which once crashed the output."""
    from kg.output import write_rows

    triple = {"type": "triple", "value": {"subject": {"type": "uri", "value": "a:s"},
                                          "predicate": {"type": "uri", "value": "a:p"},
                                          "object": {"type": "literal", "value": "o"}}}
    body = json.dumps({"head": {"vars": ["t"]}, "results": {"bindings": [{"t": triple}]}})
    with fake_endpoint("application/sparql-results+json", body.encode()) as endpoint:
        rows = remote.sparql("SELECT ?t WHERE { ?s ?p ?t }", endpoint)
    write_rows(rows.variables, rows.terms, "csv", graph.label)
    assert capsys.readouterr().out == 't\n"<<( <a:s> <a:p> ""o"" )>>"\n'
    write_rows(rows.variables, rows.terms, "json", graph.label)
    assert json.loads(capsys.readouterr().out)["results"]["bindings"] == [{"t": triple}]


@pytest.mark.parametrize("endpoint, reason", [
    ("http://[::1", "(Invalid IPv6 URL)"),
    ("http://127.0.0.1:9/x y", "' ' at character 21 (percent-encode it)"),
    ("http://user:pa ss@127.0.0.1:9/", "' ' at character 15 (percent-encode it)"),
    ("http://127.0.0.1:9/caf\u00e9", "'\u00e9' at character 23 (percent-encode it)"),
    ("http://127.0.0.1:abc/", "(Port could not be cast to integer value as 'abc')"),
    ("http://127.0.0.1:99999/", "(Port out of range 0-65535)"),
    ("http://127.0.0.1:0/", "(port 0)"),
    ("http://a..b/", "(host name 'a..b')"),
])
def test_an_unusable_endpoint_url_is_refused_before_any_request(graph, endpoint, reason):
    """Each gave a traceback from urllib or http.client (ValueError, InvalidURL,
    UnicodeError), or 'Connection refused' for a port out of range."""
    message = re.escape(f"endpoint {endpoint!r} is not a valid URL") + r"[ :(]"
    with pytest.raises(InputError, match=message) as refused:
        remote.sparql("ASK {}", endpoint)
    assert str(refused.value).endswith(reason)
    with pytest.raises(InputError, match=message):
        remote.push(graph, endpoint)


def test_a_reply_cut_short_is_an_input_error(graph):
    """Content-Length: 1000, then 4 bytes and the connection closed: IncompleteRead."""
    with fake_endpoint("application/sparql-results+json", b'{"he', content_length=1000) \
            as endpoint:
        expected = re.escape(f"{endpoint}: the reply was cut short or malformed "
                             "(IncompleteRead(4 bytes read, 996 more expected))")
        with pytest.raises(InputError, match=expected):
            remote.sparql("ASK {}", endpoint)
        with pytest.raises(InputError, match=expected):
            remote.push(graph, endpoint)


@pytest.mark.parametrize("iri", ["", "not an iri", "relative/graph"])
def test_a_graph_name_must_be_an_absolute_iri(graph, iri):
    """push once sent '' as no graph at all (the default graph) and 'not an iri' as is."""
    with pytest.raises(InputError, match=re.escape(f"graph {iri!r} is not an absolute IRI")):
        remote.push(graph, "http://127.0.0.1:9/store", graph_iri=iri)
    with pytest.raises(InputError, match=re.escape(f"graph {iri!r} is not an absolute IRI")):
        remote.sparql("ASK {}", "http://127.0.0.1:9/query", graphs=[iri])


@pytest.mark.parametrize("timeout, says", [
    (None, "no answer before the operating system gave up on the connection"),
    (0, "no answer before the operating system gave up on the connection"),
    (2.5, "no answer within 2.5 s (the time limit)")])
def test_a_connection_that_times_out_is_told_with_or_without_a_limit(monkeypatch, timeout, says):
    """With no limit of kg's (--timeout 0), the OS's own timeout (ETIMEDOUT) gave a
    TypeError: the message formatted the limit None as a number."""
    def times_out(*args, **kwargs):
        raise TimeoutError(110, "Connection timed out")

    monkeypatch.setattr(urllib.request, "urlopen", times_out)
    with pytest.raises(InputError) as error:
        remote.send("GET", "http://example.org/sparql?query=x", b"", {}, timeout)
    assert str(error.value) == f"http://example.org/sparql: {says}"
