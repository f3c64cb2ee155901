"""kg reaches nothing outside the files it was given (see kg/safety.py).

Each threat gets a TCP listener on 127.0.0.1 that records every connection, a named pipe
that records whether anything opens it (native code included: Python's audit hooks do
not see Oxigraph's file access) and an audit hook on "open" and "socket.connect".
"""

from __future__ import annotations

import ast
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.safety import (DEFAULT_TIMEOUT, MAX_PARTS, QueryTimeout, check_shapes_queries,
                       check_user_query, find_refusal, rows_of, run_with_timeout, safe_query,
                       undeclared_prefix)
from kg.store import ASSERTED, CompiledGraph

REPO = Path(__file__).resolve().parents[1]
KG_DIR = REPO / "kg"
EX = "http://example.org/"


# --- instruments -------------------------------------------------------------------------

class Listener:
    """A TCP server on 127.0.0.1 that records each connection's first bytes and drops it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:  # closed
                return
            with connection:
                self.requests.append(b"")
                connection.settimeout(0.5)
                try:
                    self.requests[-1] = connection.recv(4096)
                except OSError:
                    pass

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread on Linux
        except OSError:
            pass
        self.server.close()

    def contacted(self) -> bool:
        if not self.requests:
            time.sleep(0.02)  # let the accepting thread see a connection that just arrived
        return bool(self.requests)


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


WATCHER = "canary-watcher"  # its own attempts to open the pipe are not audited


class Canary:
    """A named pipe: opening it for reading blocks until a writer comes, so a thread that
    keeps trying to open it for writing learns whether anything, in any language, read it."""

    def __init__(self, path: Path):
        self.path = path
        self.opened = False
        self._stop = threading.Event()
        os.mkfifo(path)
        self._thread = threading.Thread(target=self._watch, name=WATCHER, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: no reader
                self._stop.wait(0.005)
                continue
            self.opened = True
            os.close(fd)

    @property
    def uri(self) -> str:
        return self.path.as_uri()

    def close(self):
        self._stop.set()
        self._thread.join()


@pytest.fixture
def canary(tmp_path):
    pipe = Canary(tmp_path / "canary")
    yield pipe
    pipe.close()


_recorders: list[list] = []


def _audit(event, args):
    if _recorders and event in ("open", "socket.connect") and \
            threading.current_thread().name != WATCHER:
        for recorder in _recorders:
            recorder.append((event, args[0] if event == "open" else args[1]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one records only inside `audited`
PYTHON_FILES = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, str(KG_DIR)})


@contextmanager
def audited():
    """The files opened (Python's own modules left out) and addresses connected to."""
    events: list = []
    _recorders.append(events)
    record = {"opened": set(), "connected": []}
    try:
        yield record
    finally:
        _recorders.remove(events)
        for event, target in events:
            if event == "socket.connect":
                record["connected"].append(target)
            elif isinstance(target, (str, bytes, os.PathLike)):
                path = os.fsdecode(target)
                if not path.startswith(PYTHON_FILES):
                    record["opened"].add(path)


def small_graph(tmp_path, quads=None) -> CompiledGraph:
    """A CompiledGraph over an in-memory store: one triple unless `quads` are given."""
    store = ox.Store()
    store.extend(quads or [ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
                                   ox.Literal("x"), ASSERTED)])
    return CompiledGraph(store, inputs=None, key="test", path=tmp_path)


def numbered_quads(count: int) -> list:
    return [ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)), ASSERTED)
            for i in range(count)]


# A cross join of the store with itself, three times: 250 triples give 15.6 million rows,
# a few seconds of work that then ends (an abandoned query keeps a CPU busy until then).
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"


# --- check_user_query ----------------------------------------------------------------------

def test_refusal_names_the_keyword_and_where_it_is():
    query = ("PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n"
             "    SERVICE <http://x/> { ?s ?p ?o }\n}")
    with pytest.raises(InputError) as error:
        check_user_query(query)
    assert str(error.value) == ("SERVICE is not allowed: kg queries only its own graph "
                                "(line 3, column 5)")
    with pytest.raises(InputError, match=r"^q\.rq:3:5: SERVICE is not allowed: kg queries "
                                         r"only its own graph$"):
        check_user_query(query, origin="q.rq")


REFUSED = [
    # (query, what is refused)
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("select * where { service <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { SeRvIcE SILENT <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { BIND(<http://x/> AS ?e) SERVICE ?e { ?s ?p ?o } }", "SERVICE"),
    ("PREFIX e: <http://x/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }", "SERVICE"),
    # Oxigraph needs no word boundary after a keyword: all of these are SERVICE calls.
    ("SELECT*WHERE{SERVICE<http://x/>{?s ?p ?o}}", "SERVICE"),
    ("SELECT * WHERE { SERVICESILENT<http://x/>{ ?s ?p ?o } }", "SERVICE"),
    ("PREFIX e: <http://x/> SELECT * WHERE { SERVICEe:sparql{ ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o.SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p 1SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p trueSERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    # A prefix named service: `service:x {` can be read as SERVICE :x { ... }.
    ("PREFIX : <http://x/> PREFIX service: <http://y/> SELECT * WHERE { service:x { ?s ?p ?o } }",
     "SERVICE"),
    # What comes before must not hide it: strings, escapes, comments, comparisons.
    ('SELECT * WHERE { BIND("a\\"b#" AS ?x) SERVICE <http://x/> { ?s ?p ?o } }', "SERVICE"),
    ("SELECT * WHERE { BIND('''it's ''quoted'' ''' AS ?x) SERVICE <http://x/> { ?s ?p ?o } }",
     "SERVICE"),
    ("PREFIX e: <http://y/> SELECT * WHERE { BIND(e:a\\#b AS ?x) "
     "SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("PREFIX e: <http://y/> SELECT * WHERE { BIND(e:a\\'b AS ?x) "
     "SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { # a comment\r SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { FILTER(?o<?p&&?s>?o) SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://x/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("select * from <file:///etc/passwd> { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://x/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED"),
    ("SELECT * FROMNAMED<http://x/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED"),
    ("PREFIX e: <http://x/> SELECT * FROMe:g WHERE { ?s ?p ?o }", "FROM"),
    ("CONSTRUCT { ?s ?p ?o } FROM <http://x/> WHERE { ?s ?p ?o }", "FROM"),
    ("INSERT DATA { <http://x/s> <http://x/p> 1 }", "INSERT"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("delete { ?s ?p ?o } insert { ?s ?p 1 } where { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://x/data.ttl>", "LOAD"),
    ("LOAD<file:///etc/passwd> INTO GRAPH <http://x/g>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP GRAPH <http://x/g>", "DROP"),
    ("CREATE GRAPH <http://x/g>", "CREATE"),
    ("ADD DEFAULT TO <http://x/g>", "ADD"),
    ("MOVE <http://x/a> TO <http://x/b>", "MOVE"),
    ("COPY <http://x/a> TO <http://x/b>", "COPY"),
    ("WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("PREFIX ex: <http://x/>\n# just a comment\nInsert DATA { ex:a ex:b ex:c }", "INSERT"),
]


@pytest.mark.parametrize("query, what", REFUSED, ids=[q for q, _ in REFUSED])
def test_refused(query, what):
    with pytest.raises(InputError) as error:
        check_user_query(query)
    message = str(error.value)
    assert message.startswith(f"{what} is not allowed: ")
    assert "\n" not in message
    if what in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                "WITH"):
        assert "never updates" in message


ALLOWED = [
    "SELECT ?service ?from ?insert $delete WHERE { ?service ?from ?insert . ?s ?p $delete }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { ?s ?p ?o }" }',
    "SELECT * WHERE { ?s ?p 'FROM <http://x/>' }",
    "SELECT * WHERE { ?s ?p '''INSERT DATA { }\nSERVICE <http://x/> { }''' }",
    'SELECT * WHERE { ?s ?p """LOAD <http://x/> " "" DROP ALL""" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { ?s ?p ?o } FROM <http://x/>",
    "# INSERT DATA { }\nSELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/service/from/insert#delete> ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ex:from . "
    "?s ex:Insert ex:LOAD }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:with-service.from ?o }",
    "SELECT * WHERE { _:service ?p _:from }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<?p&&?s>?o) }",
    'SELECT * WHERE { ?s ?p "x"@en }',
    "SELECT (STRSTARTS(STR(?s), 'x') AS ?starts) WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1",
    "DESCRIBE <http://example.org/service>",
    "ASK { ?s ?p ?o }",
    "SELECT * WHERE { ?s ak:member ?o }",
    "SELECT * WHERE { ?sérvice ?p ?o }",
]


@pytest.mark.parametrize("query", ALLOWED)
def test_allowed(query):
    check_user_query(query)


def nested(depth: int) -> str:
    return "SELECT * WHERE {" + "{" * (depth - 1) + "}" * (depth - 1) + "}"


@pytest.mark.parametrize("query, column", [
    (nested(257), 272),
    ("ASK { FILTER(" + "(" * 255 + "true" + ")" * 255 + ") }", 268),
    ("ASK { FILTER(" + "!" * 255 + "true) }", 268),  # 2 levels of brackets, then 255 `!`
])
def test_nesting_beyond_what_oxigraph_parses(query, column):
    """3,000 nested groups (a 9 KB request) crashed the process: a segmentation fault in
    Oxigraph's parser."""
    with pytest.raises(InputError, match=rf"^q\.rq:1:{column}: nesting deeper than 256 levels "
                                         r"is not allowed: Oxigraph's parser crashes"):
        check_user_query(query, origin="q.rq")


@pytest.mark.parametrize("query", [
    nested(256), 'ASK { FILTER("((((" != "!!!!") }', "ASK { FILTER(!!!true) }" + " {}" * 280])
def test_nesting_up_to_the_limit_is_allowed(query):
    check_user_query(query)


def test_the_nesting_limit_is_far_from_oxigraphs():
    """In a process of its own (a crash must not take pytest with it), Oxigraph parses
    four times kg's limit."""
    code = f"import pyoxigraph as ox; ox.Store().query({nested(4 * 256)!r})"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def chain(parts: int, joiner: str, part: str = "1") -> str:
    return "SELECT * WHERE { BIND(" + joiner.join([part] * parts) + " AS ?x) }"


# Queries of copies of one thing that Oxigraph chains in its plan: the query, with @ where
# the copies go; a copy, # numbering it; the parts of the query around the copies; the
# parts of each copy.
IN_A_GROUP = "SELECT * WHERE { @ }"
PARTS = [
    (IN_A_GROUP, "BIND(1 AS ?v#)", 2, 1),
    (IN_A_GROUP, "VALUES (?v# ?w#) { (-1 '1'^^<http://x/t>) }", 2, 1),  # the row: 0
    (IN_A_GROUP, "{ SELECT ?x# { } }", 2, 2),
    (IN_A_GROUP, "GRAPH ?g# { }", 2, 1),
    (IN_A_GROUP, "MINUS { }", 2, 1),
    (IN_A_GROUP, "OPTIONAL { }", 2, 1),
    (IN_A_GROUP, "FILTER(true)", 2, 1),
    (IN_A_GROUP, "<http://x/s> <http://x/p#> <http://x/o> .", 2, 1),
    ("SELECT * WHERE { <http://x/s> <http://x/p> <http://x/o> @ }", ", <http://x/o#>", 2, 1),
    ("SELECT * WHERE { <http://x/s> <http://x/p> ( true @ ) }", '"#"@en', 2, 2),
    ("SELECT * WHERE { { } @ }", "UNION { }", 3, 1),
    ("SELECT @ WHERE { }", "(1 AS ?v#)", 1, 1),
    ("SELECT ?v WHERE { } GROUP BY ?v HAVING @", "(true)", 2, 1),
    ("SELECT * WHERE { } ORDER BY @", "STR(?v#)", 2, 1),
    ("DESCRIBE @", "<http://x/r#>", 0, 1),
]
# Lists Oxigraph keeps flat, however long: no parts.
FLAT = [
    "SELECT * WHERE { VALUES ?x { " + " ".join(f"-{i} '{i}'^^<http://x/t>" for i in range(3000))
    + " } }",
    "SELECT * WHERE { VALUES (?x ?y) { " + " ".join(f"({i} {i})" for i in range(3000)) + " } }",
    "ASK { FILTER(1 IN (" + ", ".join(str(i) for i in range(3000)) + ")) }",
    "SELECT (CONCAT(" + ", ".join(["'a'"] * 3000) + ") AS ?x) WHERE { }",
]


def copies(query: str, part: str, count: int) -> str:
    return query.replace("@", " ".join(part.replace("#", str(i)) for i in range(count)))


def up_to_the_limit(case: tuple, more: int = 0) -> str:
    """The query of a case of PARTS with as many copies of its part as MAX_PARTS allows,
    and `more`."""
    query, part, around, each = case
    return copies(query, part, (MAX_PARTS - around) // each + more)


PAST_THE_LIMIT = r"more than 300 parts \(.+\) is not allowed: Oxigraph crashes on a query made " \
    r"of so many parts; split it"


@pytest.mark.parametrize("query", [
    chain(300, "+"), chain(151, "&&", "true"), *(up_to_the_limit(case, 1) for case in PARTS)])
def test_a_query_of_too_many_parts_is_refused(query):
    """2,600 BINDs, VALUES, sub-queries, GRAPH, MINUS or triple patterns crashed the
    process (6,500 OPTIONAL or UNION, 6,900 terms joined by +, 9,300 FILTER); in a thread
    of 2 MB, a quarter as many."""
    with pytest.raises(InputError, match=rf"^q\.rq:1:\d+: {PAST_THE_LIMIT}$"):
        check_user_query(query, origin="q.rq")


def test_too_many_parts_are_placed_at_the_first_past_the_limit():
    query = copies("SELECT * WHERE { @ }", "BIND(1 AS ?v#)", 1000)
    refusal = find_refusal(query)
    assert refusal[2:] == (1, query.index("AS ?v298)") + 1)  # `*`, `{` and 298 AS before


@pytest.mark.parametrize("query", [*(up_to_the_limit(case) for case in PARTS), *FLAT])
def test_a_query_of_parts_up_to_the_limit_is_allowed(query):
    check_user_query(query)


RUN_IN_A_SMALL_THREAD = """
import json, sys, threading
import pyoxigraph as ox
from kg.safety import rows_of

threading.stack_size(2 * 1024 * 1024)
ran = []
queries = json.load(sys.stdin)
worker = threading.Thread(target=lambda: ran.extend(rows_of(ox.Store().query(q)) for q in queries))
worker.start()
worker.join()
print(len(ran))
"""


def test_the_parts_limit_is_far_from_oxigraphs():
    """In a process of its own (a crash must not take pytest with it), Oxigraph runs each
    query at kg's limit in a thread of 2 MB: a quarter of the usual stack, what glibc gives
    a thread when `ulimit -s` is unlimited, and where 650 BINDs crash it."""
    queries = [up_to_the_limit(case) for case in PARTS] + [chain(MAX_PARTS - 3, "+")] + FLAT
    result = subprocess.run([sys.executable, "-c", RUN_IN_A_SMALL_THREAD], cwd=REPO,
                            input=json.dumps(queries), capture_output=True, text=True,
                            timeout=300)
    assert (result.returncode, result.stdout) == (0, f"{len(queries)}\n"), result.stderr


def kg_process(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("part", ["BIND(1 AS ?v#)", "VALUES ?v# { 1 }", "{ SELECT ?x# { } }",
                                  "GRAPH ?g# { }"])
def test_kg_sparql_refuses_what_crashed_it(part, tiny_copy):
    """3,000 of these in a row were a segmentation fault, nothing printed (in kg serve, a
    query process ended and a 500)."""
    refused = kg_process("--data", str(tiny_copy), "sparql", copies("SELECT * { @ }", part, 3000))
    assert refused.returncode == 2, refused.stderr
    assert re.fullmatch(rf"kg: error: {PAST_THE_LIMIT} \(line 1, column \d+\)\n", refused.stderr)


def test_kg_sparql_runs_a_query_at_the_limit(tiny_copy):
    allowed = kg_process("--data", str(tiny_copy), "sparql", "-f", "csv",
                         up_to_the_limit(PARTS[0]))
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines()[1] == ",".join(["1"] * (MAX_PARTS - 2))


def test_a_canned_query_of_too_many_parts_is_refused_when_read(tiny_copy):
    path = tiny_copy / "queries" / "long.rq"
    path.write_text("# title: Long\n" + copies("SELECT * { @ }", "BIND(1 AS ?v#)", 3000) + "\n",
                    encoding="utf-8")
    refused = kg_process("--data", str(tiny_copy), "query", "long")
    assert refused.returncode == 2, refused.stderr
    assert re.fullmatch(rf"kg: error: {re.escape(str(path))}:2:\d+: {PAST_THE_LIMIT}\n",
                        refused.stderr)


@pytest.mark.parametrize("text", ["", "  \n", "# a comment only\n"])
def test_an_empty_query_is_named_as_such(text):
    with pytest.raises(InputError, match=r"^the SPARQL query is empty$"):
        check_user_query(text)
    with pytest.raises(InputError, match=r"^q\.rq: the SPARQL query is empty$"):
        check_user_query(text, origin="q.rq")


def test_shipped_queries_are_allowed():
    files = sorted((REPO / "queries").glob("*.rq")) + sorted((KG_DIR / "sparql").glob("*.rq"))
    assert len(files) > 5
    for path in files:
        check_user_query(path.read_text(encoding="utf-8"), origin=str(path))


def test_safety_module_is_import_light():
    """The `kg sparql` path imports kg.safety; it must not pull in rdflib."""
    code = ("import sys, kg.safety; heavy = [m for m in ('rdflib', 'pyshacl', 'owlrl') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- Oxigraph as the oracle ----------------------------------------------------------------

def oracle_graph(tmp_path) -> CompiledGraph:
    """Triples that match the patterns the oracle queries put before their SERVICE."""
    subject, predicate = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    return small_graph(tmp_path, [ox.Quad(subject, predicate, value, ASSERTED) for value in (
        ox.Literal("x"), ox.Literal("true", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#boolean")),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))])


# Each of these makes Oxigraph connect ({url}: the listener's, {base}: its root).
CONNECTING = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "SELECT*WHERE{{SERVICE<{url}>{{?s ?p ?o}}}}",
    "SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?s ?p ?o }} }}",
    "PREFIX e: <{base}> SELECT * WHERE {{ SERVICEe:sparql{{ ?s ?p ?o }} }}",
    "BASE <{base}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p trueSERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p 1SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "PREFIX : <{base}> PREFIX service: <http://y/> "
    "SELECT * WHERE {{ service:sparql {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ FILTER(?o<?p&&?s>?o || true) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # no SERVICE here\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(\"a\\\"#b\" AS ?x) BIND('''it's ''quoted'' ''' AS ?y) "
    "SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX e: <http://y/> SELECT * WHERE {{ BIND(e:a\\#b AS ?x) BIND(e:c\\'d AS ?y) "
    "SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", CONNECTING)
def test_every_query_that_makes_oxigraph_connect_is_refused(template, listener, tmp_path):
    query = template.format(url=listener.url("sparql"), base=listener.url())
    with pytest.raises(InputError, match="^SERVICE is not allowed"):
        check_user_query(query)
    try:  # Oxigraph itself, unchecked: it does connect
        rows_of(oracle_graph(tmp_path).query(query))
    except Exception:  # the listener drops the connection
        pass
    assert listener.contacted(), "the oracle no longer connects: rethink this case"


# Pieces of valid group patterns full of quotes, escapes, comments and comparisons.
FRAGMENTS = ['?s ?p "a\\"#b"', "?s ?p '''x''y'''", "?s ?p '#'", '?s ?p "<"', "?s e:a\\#b ?o",
             "?s e:a\\'b ?o", "FILTER(?o<?p&&?s>?o||true)", "FILTER(1>0)", "# c\r", "# c\n",
             "BIND(1 AS ?x)", "?s ?p true", "?s ?p 1", "?s a ?o", "_:b ?p ?o", '?s ?p "x"@en',
             "OPTIONAL{?s ?p ?o}", "VALUES ?v {1}", "{?s ?p ?o}", "?s ?p ?o", "?s e:p? ?o",
             "?s (e:p|e:q)* ?o", '?s ?p """a"b"""', "?s ?p 'x'^^e:t", "BIND(<http://y/a#b> AS ?i)"]


def test_random_queries_that_make_oxigraph_connect_are_all_refused(listener, tmp_path):
    """SERVICE calls spelled and glued every which way among tricky fragments: whenever
    Oxigraph connects, check_user_query has refused the query."""
    import random

    rng = random.Random(20240607)
    graph, connected = oracle_graph(tmp_path), 0
    prefixes = f"PREFIX e: <{listener.url()}> PREFIX : <{listener.url()}> "
    for _ in range(400):
        service = ("".join(rng.choice((c, c.upper())) for c in "service") + rng.choice(("", " "))
                   + rng.choice((f"<{listener.url('sparql')}>", "e:sparql", ":sparql",
                                 f"SILENT<{listener.url('sparql')}>")) + "{?s ?p ?o}")
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 3))]
        parts.insert(rng.randint(0, len(parts)), service)
        query = prefixes + "SELECT * WHERE { " + "".join(
            part + rng.choice(("", " ", "\n", "\r", " . ", ".")) for part in parts) + " }"
        before = len(listener.requests)
        try:
            rows_of(graph.query(query))
        except Exception:  # invalid SPARQL, or the listener dropped the connection
            pass
        # The listener accepts before it drops the connection, hence before Oxigraph returns.
        if len(listener.requests) > before:
            connected += 1
            assert find_refusal(query), query
    assert connected > 50  # the oracle was exercised


@pytest.mark.parametrize("query", ALLOWED)
def test_allowed_queries_make_oxigraph_connect_nowhere(query, listener, tmp_path):
    try:
        rows_of(oracle_graph(tmp_path).query(query.replace("http://x/", listener.url())))
    except InputError:  # e.g. ak: used without the default prefixes: irrelevant here
        pass
    assert not listener.contacted()


def test_oxigraph_does_not_unescape_codepoints_outside_strings(tmp_path):
    """SPARQL lets \\u escapes stand anywhere; Oxigraph only reads them in strings and IRIs,
    so a tokenizer that leaves them alone cannot miss a `\\u0053ERVICE`."""
    with pytest.raises(InputError, match="invalid SPARQL"):
        small_graph(tmp_path).query("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }")


def test_oxigraph_dataset_clauses_name_graphs_of_the_store(listener, canary, tmp_path):
    """Unchecked, Oxigraph fetches and reads nothing for FROM: it names graphs of the store
    (and kg's union default graph overrides it, so it would silently do nothing)."""
    graph = small_graph(tmp_path)
    with audited() as seen:
        for query in (f"SELECT * FROM <{listener.url('data.ttl')}> WHERE {{ ?s ?p ?o }}",
                      f"SELECT * FROM <{canary.uri}> WHERE {{ ?s ?p ?o }}",
                      "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"):
            rows_of(graph.query(query))
    assert not listener.contacted() and not canary.opened
    assert "/etc/passwd" not in seen["opened"]


def test_oxigraph_query_cannot_run_updates(listener, tmp_path):
    """Store.query parses only queries; the refusal of updates is for a clear message."""
    with pytest.raises(InputError, match="invalid SPARQL"):
        small_graph(tmp_path).query(f"LOAD <{listener.url('data.ttl')}>")
    assert not listener.contacted()


# --- safe_query: what kg.api.sparql runs ---------------------------------------------------

@pytest.fixture
def spied_graph(tmp_path, monkeypatch):
    """A small graph that records the queries that reach its store."""
    graph = small_graph(tmp_path)
    reached = []
    query = graph.query
    monkeypatch.setattr(graph, "query",
                        lambda text, *args: reached.append(text) or query(text, *args))
    graph.reached = reached
    return graph


def test_service_is_refused_before_evaluation(spied_graph, listener):
    with audited() as seen, pytest.raises(InputError, match="^SERVICE is not allowed"):
        safe_query(spied_graph,
                   f"SELECT * WHERE {{ SERVICE <{listener.url('sparql')}> {{ ?s ?p ?o }} }}")
    assert spied_graph.reached == []
    assert not listener.contacted() and seen["connected"] == []


@pytest.mark.parametrize("clause", ["FROM <{url}>", "FROM NAMED <{url}>", "FROM <{canary}>",
                                    "FROM <file:///etc/passwd>"])
def test_dataset_clauses_are_refused(clause, spied_graph, listener, canary):
    query = "SELECT * " + clause.format(url=listener.url("data.ttl"), canary=canary.uri) + \
        " WHERE { ?s ?p ?o }"
    with audited() as seen, pytest.raises(InputError, match="^FROM( NAMED)? is not allowed"):
        safe_query(spied_graph, query)
    assert spied_graph.reached == []
    assert not listener.contacted() and not canary.opened
    assert seen["opened"] == set() and seen["connected"] == []


@pytest.mark.parametrize("update", [q for q, what in REFUSED if what not in ("SERVICE", "FROM",
                                                                                "FROM NAMED")])
def test_updates_are_refused(update, spied_graph):
    with pytest.raises(InputError, match="never updates"):
        safe_query(spied_graph, update)
    assert spied_graph.reached == []


@pytest.mark.parametrize("query", [
    "SELECT ?s ?o WHERE { ?s ?p ?o }",
    "SELECT ?s ?missing WHERE { ?s ?p ?o }",
    "ASK { ?s ?p 'x' }",
    "ASK { ?s ?p 'y' }",
    "CONSTRUCT { ?o ?p ?s } WHERE { ?s ?p ?o }",
    "DESCRIBE <http://example.org/s>",
])
def test_safe_query_gives_the_rows_kg_sparql_prints(query, tmp_path):
    from kg.api import Rows, sparql

    graph = small_graph(tmp_path)
    assert Rows(*safe_query(graph, query)) == sparql(query, graph)


def test_bad_sparql_is_still_reported_as_such(tmp_path):
    with pytest.raises(InputError, match="^invalid SPARQL: "):
        safe_query(small_graph(tmp_path), "SELECT * WHERE { ?s ?p }")


# --- timeouts ------------------------------------------------------------------------------

def test_a_slow_query_times_out(tmp_path):
    """Oxigraph releases the GIL while it evaluates, so the wait ends on time."""
    graph = small_graph(tmp_path, numbered_quads(250))
    started = time.perf_counter()
    with pytest.raises(QueryTimeout) as error:
        safe_query(graph, SLOW_QUERY, timeout=0.5)
    assert time.perf_counter() - started < 2
    assert str(error.value) == "query timed out after 0.5 s; narrow it or raise --timeout"
    assert isinstance(error.value, InputError)  # so the CLI prints one line and exits 2


def test_a_quick_query_is_unaffected_by_the_timeout(tmp_path):
    graph = small_graph(tmp_path, numbered_quads(10))
    variables, rows, boolean, _ = safe_query(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                          timeout=5)
    assert variables == ["n"] and rows[0][0].value == "10" and boolean is None
    assert DEFAULT_TIMEOUT >= 1


def test_run_with_timeout_returns_raises_and_can_be_unlimited():
    assert run_with_timeout(lambda: 42, 1) == 42
    with pytest.raises(KeyError):
        run_with_timeout(lambda: {}["missing"], 1)
    for unlimited in (None, 0):  # a thread of its own too, so that Ctrl-C can stop the wait
        assert run_with_timeout(lambda: (time.sleep(0.2), 7)[1], unlimited) == 7
        assert run_with_timeout(threading.current_thread, unlimited) is not threading.main_thread()


EXIT_AFTER_TIMEOUT = """
import builtins, sys, time
import pyoxigraph as ox
from kg.safety import QueryTimeout, rows_of, run_with_timeout

store = ox.Store()
store.extend([ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"),
                      ox.Literal(str(i))) for i in range(150)])
try:
    run_with_timeout(lambda: rows_of(store.query(sys.argv[2])), 0.05)
except QueryTimeout as exc:
    print(f"kg: error: {exc}", file=sys.stderr)

class SlowShutdown:
    # Held until interpreter shutdown, so that an abandoned query can finish during it
    # and its thread try to take the GIL back while Python is finalizing.
    def __del__(self, sleep=time.sleep, seconds=float(sys.argv[1])):
        sleep(seconds)

builtins.slow_shutdown = SlowShutdown()
sys.exit(2)
"""


@pytest.mark.parametrize("shutdown_seconds", [0, 1.5])
def test_the_cli_can_exit_while_a_timed_out_query_runs(shutdown_seconds):
    """The abandoned thread is either killed by the exit or, if its query ends while Python
    shuts down, parked by PyO3: no crash, no hang, the exit code stands."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", EXIT_AFTER_TIMEOUT, str(shutdown_seconds),
                             SLOW_QUERY], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result.stderr
    assert result.stderr == ("kg: error: query timed out after 0.05 s; "
                             "narrow it or raise --timeout\n")
    assert time.perf_counter() - started < shutdown_seconds + 5


# --- parsing data: only the bytes given ----------------------------------------------------

def test_turtle_naming_remote_and_local_documents_fetches_nothing(tmp_path, listener, canary):
    from kg.loading import parse_file, parse_turtle

    path = tmp_path / "remote.ttl"
    path.write_text(f"""\
@base <{listener.url('base/')}> .
@prefix remote: <{listener.url('vocab#')}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<> owl:imports <{listener.url('ontology.ttl')}>, <{canary.uri}>, <file:///etc/passwd> .
<thing> remote:seeAlso <{canary.uri}> ; remote:label "x" .
""", encoding="utf-8")
    with audited() as seen:
        assert len(parse_file(path)) == 5
        assert len(parse_turtle([path])) == 5
    assert not listener.contacted() and not canary.opened
    assert seen["opened"] == {str(path)} and seen["connected"] == []


def entity_bomb(levels: int = 9) -> bytes:
    """The classic "billion laughs": 3 GB of lols from about 760 bytes of RDF/XML."""
    entities = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">\n'
                       for i in range(1, levels + 1))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY l0 "lol">\n{entities}]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/s">'
            f'<ex:p>&l{levels};</ex:p></rdf:Description>\n</rdf:RDF>\n').encode()


def external_entities(listener, canary) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
            f'<!ENTITY remote SYSTEM "{listener.url("entity")}">\n'
            f'<!ENTITY local SYSTEM "{canary.uri}">\n]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/s">'
            '<ex:p>&remote;&local;</ex:p></rdf:Description>\n</rdf:RDF>\n').encode()


def remote_context(listener, canary) -> bytes:
    return (f'{{"@context": ["{listener.url("context.jsonld")}", "{canary.uri}"],\n'
            f' "@id": "http://example.org/s", "name": "x"}}\n').encode()


@pytest.mark.parametrize("name", ["bomb.rdf", "bomb.ttl", "entities.rdf", "entities.ttl",
                                  "context.jsonld", "context.ttl"])
def test_xml_and_json_ld_are_refused_fast(name, tmp_path, listener, canary):
    """kg reads data as Turtle only: a DTD, an entity or a JSON-LD context is a syntax error."""
    from kg.loading import parse_file

    data = {"bomb": entity_bomb, "entities": lambda: external_entities(listener, canary),
            "context": lambda: remote_context(listener, canary)}[name.split(".")[0]]()
    path = tmp_path / name
    path.write_bytes(data)
    started = time.perf_counter()
    with audited() as seen, pytest.raises(InputError, match=f"^{path}"):
        parse_file(path)
    assert time.perf_counter() - started < 1
    assert not listener.contacted() and not canary.opened
    assert seen["opened"] <= {str(path)} and seen["connected"] == []


def test_oxigraph_itself_expands_entities_in_rdf_xml():
    """Why kg must never hand RDF/XML to Oxigraph (see the next test): it expands internal
    entities, so the 700-byte bomb above becomes a 3 GB literal after half a minute.
    Three levels are enough to show it."""
    [quad] = ox.parse(entity_bomb(levels=3), format=ox.RdfFormat.RDF_XML)
    assert len(quad.object.value) == 3 * 10 ** 3


def test_oxigraph_refuses_remote_json_ld_contexts(listener, canary):
    with pytest.raises(SyntaxError, match="LoadDocumentCallback"):
        list(ox.parse(remote_context(listener, canary), format=ox.RdfFormat.JSON_LD))
    assert not listener.contacted() and not canary.opened


def test_xml_literals_cannot_declare_entities(caplog):
    """rdflib parses rdf:XMLLiteral values (kg converts literals for validation) inside a
    wrapper element, where a DOCTYPE is not well-formed: no entity is ever declared."""
    from kg.loading import to_rdflib

    caplog.set_level("CRITICAL", logger="rdflib.term")  # rdflib logs the ill-formed value
    bomb = entity_bomb().decode().split("\n", 1)[1]  # the DOCTYPE onwards
    started = time.perf_counter()
    literal = to_rdflib(ox.Literal(bomb, datatype=ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral")))
    assert literal.ill_typed and time.perf_counter() - started < 1


# --- the code itself: what it parses and how -----------------------------------------------

def kg_calls():
    """(file name, call node, "file:line") for every call in the kg package."""
    for path in sorted(KG_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                yield path.name, node, f"{path.name}:{node.lineno}"


def receiver(call: ast.Call) -> str:
    return ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""


def keyword(call: ast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


SAFE_FORMATS = {"ox.RdfFormat.TURTLE", "ox.RdfFormat.N_TRIPLES", "ox.RdfFormat.N_QUADS", "'nt'"}


def test_kg_parses_only_bytes_and_its_own_files_and_only_turtle_or_n_triples():
    """rdflib's Graph.parse(source) reads any file or URL it is given a string for, and
    would follow JSON-LD contexts; Oxigraph's parse never takes a string for a location.
    So: rdflib parses only data=..., Oxigraph only bytes or the build's own files, and no
    parser is ever asked for RDF/XML or JSON-LD."""
    parses = [(name, call, text) for name, call, text in kg_calls()
              if isinstance(call.func, ast.Attribute) and call.func.attr in ("parse", "load",
                                                                               "bulk_load")]
    assert parses
    for name, call, where in parses:
        if receiver(call) == "ox":  # pyoxigraph: data, or a path under the build folder
            path = keyword(call, "path")
            assert call.args or path is not None, where
            if path is not None:
                assert ast.unparse(path).startswith(
                    ("self.path", "graph.path /", "path /", "staging /")), where
        elif call.func.attr == "parse":  # rdflib: only data it was handed
            assert not call.args and keyword(call, "data") is not None, where
            assert not {k.arg for k in call.keywords} & {"source", "location", "file"}, where
        fmt = keyword(call, "format")
        if fmt is not None:
            assert ast.unparse(fmt) in SAFE_FORMATS, where


def test_kg_opens_no_network_connection_of_its_own():
    """Only kg/remote.py talks to other hosts: that is its job (`kg push`, `--endpoint`),
    and only those commands import it. kg/server.py listens (`kg serve`), and may use
    socket for the address family of the host it binds, but connects nowhere."""
    banned = {"urllib.request", "http.client", "requests", "httpx", "socket", "SPARQLWrapper"}
    for path in KG_DIR.rglob("*.py"):
        if path.name == "remote.py":
            continue
        source = path.read_text(encoding="utf-8")
        allowed = {"socket"} if path.name == "server.py" else set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {node.module or ""} | {f"{node.module}.{a.name}" for a in node.names}
            else:
                continue
            assert not names & (banned - allowed), f"{path.name} imports {names & banned}"
        assert "SPARQLStore" not in source and "urlopen" not in source, path.name
        assert not re.search(r"\b(connect|create_connection|connect_ex)\(", source), path.name


def test_pyshacl_is_given_graphs_never_sources(monkeypatch):
    """pyshacl.validate reads files and URLs when given strings, and owl:imports when asked."""
    import pyshacl
    from rdflib import Graph

    from kg import validation

    sites = [(name, text) for name, call, text in kg_calls()
             if ast.unparse(call.func) == "pyshacl.validate"]
    assert [name for name, _ in sites] == ["validation.py"], sites  # the one the spy sees
    seen = []
    real = pyshacl.validate

    def spy(data_graph, *args, **kwargs):
        seen.append((data_graph, args, kwargs))
        return real(data_graph, *args, **kwargs)

    monkeypatch.setattr(pyshacl, "validate", spy)
    data = Graph().parse(data=f"<{EX}a> <{EX}p> \"x\" .", format="nt")
    shapes = Graph().parse(data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <{EX}S> a sh:NodeShape ; sh:targetNode <{EX}a> ;
            sh:property [ sh:path <{EX}p> ; sh:minCount 2 ] .""", format="turtle")
    assert len(validation.run_shacl(data, shapes).problems) == 1
    [(data_graph, args, kwargs)] = seen
    assert isinstance(data_graph, Graph) and not args
    assert isinstance(kwargs["shacl_graph"], Graph)
    assert kwargs.get("ont_graph") is None and not kwargs.get("do_owl_imports")


def shapes_with(query_predicate: str, query: str):
    from rdflib import Graph

    return Graph().parse(data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <{EX}Shape> a sh:NodeShape ; sh:targetNode <{EX}a> ;
            sh:property [ sh:path <{EX}p> ; sh:minCount 1 ] ;
            sh:target [ a sh:SPARQLTarget ; {query_predicate} \"\"\"{query}\"\"\" ] .""",
                           format="turtle")


def test_shapes_sparql_would_reach_out_through_pyshacl(listener):
    """pyshacl refuses SERVICE in sh:sparql constraints, but not in SHACL-AF targets and
    rules, which rdflib then sends to the URL: a working copy's shapes could reach out."""
    import pyshacl
    from rdflib import Graph

    shapes = shapes_with("sh:select", f"SELECT ?this WHERE {{ SERVICE <{listener.url('sparql')}> "
                                      f"{{ ?this ?p ?o }} }}")
    data = Graph().parse(data=f"<{EX}a> <{EX}p> \"x\" .", format="nt")
    with pytest.raises(Exception):
        pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none")
    assert listener.contacted()


@pytest.mark.parametrize("predicate, query", [
    ("sh:select", "SELECT ?this WHERE { SERVICE <http://x/> { ?this ?p ?o } }"),
    ("sh:select", "SELECT ?this FROM <file:///etc/passwd> WHERE { ?this ?p ?o }"),
    ("sh:ask", "ASK { service <http://x/> { ?s ?p ?o } }"),
    ("sh:construct", "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }"),
])
def test_shapes_sparql_is_checked(predicate, query):
    with pytest.raises(InputError, match=r"^shapes\.ttl: (SERVICE|FROM) is not allowed in the "
                                         r"SPARQL of .*\(line 1, column \d+ of the query\)$"):
        check_shapes_queries(shapes_with(predicate, query), "shapes.ttl")


def test_shipped_shapes_pass_the_check():
    from kg.loading import find_inputs, parse_turtle

    shapes_file = find_inputs().shapes_file
    shapes = parse_turtle([shapes_file])
    check_shapes_queries(shapes, str(shapes_file))


@pytest.mark.parametrize("query, found", [
    ("SELECT * WHERE { ?s a foo:Bar }", ("foo", 1, 23)),
    ("PREFIX ex: <http://e/>\nSELECT * WHERE {\n ?s ex:p _:b ; a :C }", ("", 3, 18)),
    # declared here or predeclared; or not a prefixed name at all
    ("PREFIX foo: <http://e/> SELECT * WHERE { ?s a foo:Bar, ak:Country }", None),
    ("SELECT * WHERE { ?s ?p 'bar:x', <bar:y> # baz:z\n }", None),
])
def test_undeclared_prefix_is_found_where_it_is_written(query, found):
    assert undeclared_prefix(query, {"ak": "https://w3id.org/alliance-kg/ontology#"}) == found
