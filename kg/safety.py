"""Guards that keep kg inside the files it was given: no SERVICE, no dataset clauses, no
updates in user queries, and a time limit on ad-hoc queries.

Oxigraph evaluates SERVICE itself: `SERVICE <http://host/sparql> { ... }` makes it POST
the sub-query to that URL, and an update's LOAD fetches one. pyoxigraph offers no switch
to turn that off, so a user's query is checked before it runs.

Its SPARQL tokeniser also makes Oxigraph's syntax errors readable (`readable_syntax_error`:
what a query that ends too soon leaves open; expected tokens without Rust's character
classes).

Importing this module is cheap (re only): it is on the `kg sparql` path, whose cold-start
budget is smaller than `import rdflib`.
"""

from __future__ import annotations

import functools
import re

from kg.errors import InputError

# Seconds an ad-hoc query may run (`kg sparql --timeout`); 0 or None: no limit.
DEFAULT_TIMEOUT = 5.0
# Seconds a store may take to take each graph `kg push` sends: a large graph, a slow disk.
PUSH_TIMEOUT = 300.0
# The longest limit: a day. A larger one overflows the thread timer.
MAX_TIMEOUT = 86_400
# kg serve's query processes, each with the compiled graph open: more is a typo.
MAX_WORKERS = 64
# Rows a served query may give (`kg serve --max-rows`): a client wanting more adds a LIMIT.
DEFAULT_MAX_ROWS = 10_000

OWN_GRAPH_ONLY = "kg queries only its own graph"
READ_ONLY = "kg runs only queries (SELECT, ASK, CONSTRUCT, DESCRIBE), never updates"
# Refused wherever they appear in a keyword or a prefix name, even glued to other
# letters: Oxigraph matches keywords without a word boundary, so `SERVICESILENT<x>{...}`
# and `SERVICEex:x{...}` are SERVICE calls and `FROMNAMED<g>` is a FROM NAMED clause.
OUTSIDE_WORDS = ("SERVICE", "FROM")
# Refused as whole keywords, for a clear message: Store.query cannot parse an update
# anyway, so a glued form only gets Oxigraph's syntax error.
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                "WITH", "USING"}
# Oxigraph's parser recurses without a bound: about 3,000 nested groups, or 10,000 `!`
# in a row, overflow its stack and kill the process (a segmentation fault, in kg serve a
# worker). Real queries nest a few levels.
MAX_QUERY_NESTING = 256
DEEP = "Oxigraph's parser crashes on deeply nested queries"
# Oxigraph's query plan chains a group's parts, each inside the one before (a BIND, a
# VALUES block, a GRAPH, a sub-query, an OPTIONAL, a MINUS, a triple pattern, a UNION's
# branch), and so the expressions of SELECT, GROUP BY and ORDER BY, the resources of a
# DESCRIBE, the conditions of FILTER and HAVING, the terms of an operator; recursing over a
# long chain overflows the stack. The depth is the sum of the parts, whatever their kinds,
# so one count bounds it. 2,600 BINDs (or VALUES, triple patterns, sub-queries, GRAPH,
# MINUS) crash the process with the 8 MB stack of a main thread, 650 with a thread's 2 MB
# (glibc's when `ulimit -s` is unlimited; kg sparql runs its query in a thread); lighter
# parts at 2.5 to 3.5 times as many. 300 is under half the 2 MB crash; the shipped
# queries have fewer than 150.
MAX_PARTS = 300
# FILTER's condition; BIND and every other (... AS ?x); a VALUES block, of which nothing
# inside counts: its rows are a flat table, however long.
PART_WORDS = {"FILTER", "AS", "VALUES"}
OPERATOR_CHARACTERS = set("+-*/&|=!<>^")
# Clauses whose items are parts too: each term and each `(` written at their level.
LISTING_WORDS = {"DESCRIBE", "GROUP", "HAVING", "ORDER"}
CLAUSE_WORDS = LISTING_WORDS | {"VALUES"}
LONG = "Oxigraph crashes on a query made of so many parts; split it"

# SPARQL's tokens, as far as telling code from strings, IRIs, comments and names needs.
# Each pattern follows the SPARQL 1.1 grammar as Oxigraph implements it (tests compare
# the two); where they could differ, the patterns err towards seeing more code.
_NAME_CHAR = r"[\w\u00B7\u0300-\u036F\u203F\u2040\u200C\u200D-]"
# In a local name `\` escapes one character (PN_LOCAL_ESC): read leniently, so that an
# escaped quote or # never opens a string or comment here that Oxigraph does not open.
_LOCAL_CHAR = r"(?:[\w\u00B7\u0300-\u036F\u203F\u2040\u200C\u200D:-]|%[0-9A-Fa-f]{2}|\\.)"


def _dotted(first: str, char: str) -> str:
    """`first`, then `char`s with dots inside but not at the end (as in PN_PREFIX)."""
    return first + r"(?:(?:" + char + r"|\.)*" + char + r")?"


@functools.cache
def token_pattern() -> re.Pattern:
    """The tokeniser, compiled on first use: 4 ms that `kg query` need not pay."""
    return re.compile("|".join([
        r"(?P<space>\s+)",
        r"(?P<comment>#[^\r\n]*)",
        r"(?P<string>'''(?:'{0,2}(?:[^'\\]|\\.))*'''"
        r'|"""(?:"{0,2}(?:[^"\\]|\\.))*"""'
        r"|'(?:[^'\\\r\n]|\\.)*'"
        r'|"(?:[^"\\\r\n]|\\.)*")',
        # Not an IRI unless it closes: `?a<?b` is a comparison.
        r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
        r"(?P<variable>[?$]" + _NAME_CHAR + r"+)",
        r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
        r"(?P<pname>(?:" + _dotted(r"[^\W\d_]", _NAME_CHAR) + r")?"
        r":(?:" + _dotted(_LOCAL_CHAR, _LOCAL_CHAR) + r")?"
        r"|_:" + _dotted(r"\w", _NAME_CHAR) + r")",
        r"(?P<word>[^\W\d]\w*)",
        r"(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)",
        r"(?P<other>\\.|.)",
    ]), re.DOTALL)


def tokens(text: str):
    """(kind, text, offset) for each token: space, comment, string, iri, variable, langtag,
    pname (prefixed name or blank node label), word (keyword or function), number, other."""
    for match in token_pattern().finditer(text):
        yield match.lastgroup, match.group(), match.start()


@functools.lru_cache(maxsize=16)
def code_tokens(text: str) -> tuple:
    """The tokens that are code (not space or comments), as `tokens` gives them: found
    once per query text, which several checks read (a canned query is checked when read,
    for its projection, and for the parameters sent to an endpoint)."""
    return tuple(token for token in tokens(text) if token[0] not in ("space", "comment"))


def check_user_query(text: str, origin: str = "") -> None:
    """Raise InputError if the query would reach outside the graph or change it.

    Refuses SERVICE, FROM and FROM NAMED, and updates (INSERT, DELETE, LOAD, ...), in
    upper or lower case; the same words inside strings, IRIs, comments, variables and
    local names (ex:service) are fine. `origin` (a file name) goes in front of the message.
    An empty query (nothing but space and comments) is refused too: Oxigraph would say
    only "expected [_]".
    """
    if not code_tokens(text):
        raise InputError(f"{origin}: the SPARQL query is empty" if origin else
                         "the SPARQL query is empty")
    refusal = find_refusal(text)
    if refusal:
        what, why, line, column = refusal
        if origin:
            raise InputError(f"{origin}:{line}:{column}: {what} is not allowed: {why}")
        raise InputError(f"{what} is not allowed: {why} (line {line}, column {column})")


def find_refusal(text: str) -> tuple[str, str, int, int] | None:
    """(what, why, line, column) of the first thing check_user_query refuses, else None."""
    code = code_tokens(text)
    too_big = first_past_a_limit(code)
    if too_big is not None:
        what, why, offset = too_big
        return what, why, *text_position(text, offset)
    for index, (kind, value, offset) in enumerate(code):
        if kind not in ("word", "pname"):
            continue
        # A local name runs to its end in Oxigraph too; only the prefix can hide a keyword.
        checked = value.split(":", 1)[0].upper()
        for word in OUTSIDE_WORDS:
            at = checked.find(word)
            if at >= 0:
                rest = checked[at + len(word):] or _next_word(code, index)
                what = "FROM NAMED" if word == "FROM" and rest.startswith("NAMED") else word
                return (what, OWN_GRAPH_ONLY, *text_position(text, offset + at))
        if kind == "word" and checked in UPDATE_WORDS:
            return (checked, READ_ONLY, *text_position(text, offset))
    return None


def first_past_a_limit(code: list) -> tuple[str, str, int] | None:
    """(what, why, offset) of the first token nested more than MAX_QUERY_NESTING levels deep in
    brackets and `!` (each one a level of the parser's recursion), or past MAX_PARTS parts
    (`parts_in`), else None."""
    opened = []  # the brackets open, innermost last
    clauses = [None]  # at each level: the clause of CLAUSE_WORDS it is in, if any
    negations = parts = 0
    previous = None
    for token in code:
        kind, value, offset = token
        if clauses[-1] != "VALUES":
            parts += parts_in(token, previous, opened, clauses[-1])
            if parts > MAX_PARTS:
                return (f"more than {MAX_PARTS} parts (triple patterns, groups, BIND, VALUES, "
                        f"FILTER, operators, ...)", LONG, offset)
        previous = token
        if kind == "word" and value.upper() in CLAUSE_WORDS:
            clauses[-1] = value.upper()
        if kind != "other":
            negations = 0
            continue
        if value in "({[":
            opened.append(value)
            clauses.append("VALUES" if clauses[-1] == "VALUES" else None)
        elif value in ")}]" and opened:
            opened.pop()
            clauses.pop()
            if value == "}":  # a group or a VALUES block ends the clause it was part of
                clauses[-1] = None
        negations = negations + 1 if value == "!" else 0
        if len(opened) + negations > MAX_QUERY_NESTING:
            return f"nesting deeper than {MAX_QUERY_NESTING} levels", DEEP, offset
    return None


def parts_in(token: tuple, previous: tuple | None, opened: list, clause: str | None) -> int:
    """How many nodes a token (after `previous`, inside the brackets `opened`, at the level
    of `clause`) adds to the chains of Oxigraph's query plan: one for a group, a `.`, `;`
    or `,` between triple patterns (not between a function's arguments), a word of
    PART_WORDS, an operator character, a term or `(` of a clause of LISTING_WORDS; two for
    a collection's member after its first (triple patterns of rdf:first and rdf:rest)."""
    kind, value, _ = token
    if kind == "other" and value in ".;,":
        return opened[-1:] != ["("]
    if opened[-1:] == ["("] and previous and (is_term(kind, value) or value in "(["):
        # in round brackets only a collection sets terms side by side
        before_kind, before, _ = previous
        if is_term(before_kind, before) or before_kind == "langtag" or before in ")]":
            return 2
    if kind == "other":
        return (value in OPERATOR_CHARACTERS or value == "{"
                or value == "(" and clause in LISTING_WORDS)
    if kind == "word":
        return value.upper() in PART_WORDS
    return kind in ("iri", "pname", "variable") and clause in LISTING_WORDS


def is_term(kind: str, value: str) -> bool:
    """Whether a token is an RDF term (without a literal's language tag)."""
    return kind in TERM_TOKENS or kind == "word" and value.lower() in ("true", "false")


def _next_word(code: list, index: int) -> str:
    following = code[index + 1:index + 2]
    return following[0][1].upper() if following else ""


def undeclared_prefix(text: str, predeclared) -> tuple[str, int, int] | None:
    """(prefix, line, column) of the first prefixed name whose prefix neither the query
    nor `predeclared` declares, else None."""
    code = code_tokens(text)
    declared = set(predeclared) | {"_"}  # _: starts a blank node label
    for index, (kind, value, offset) in enumerate(code):
        if kind != "pname":
            continue
        prefix = value.split(":", 1)[0]
        if index and code[index - 1][1].upper() == "PREFIX":
            declared.add(prefix)
        elif prefix not in declared:
            return (prefix, *text_position(text, offset))
    return None


# An item of the list of what Oxigraph's parser expected: a token in quotes, a keyword,
# or a character class in Rust's notation (['0' ..= '9' | ...], [_] for any character),
# which tells a user nothing and is left out.
EXPECTED_ITEM = re.compile(r""""(?:[^"\\]|\\.)*"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[^,\s][^,]*""")
OPENERS = {"{": "}", "(": ")", "[": "]"}
CLOSERS = set(OPENERS.values())
# What starts the last triple pattern of a group, and how many of its terms come after it
# when only the object is missing: `{ ?s ?p }`, `. ?s ?p }`, `; ?p }`, `, }`.
PATTERN_BREAKS = {"{": 2, ".": 2, ";": 1, ",": 0}
TERM_TOKENS = ("variable", "iri", "pname", "string", "number")
MOST_EXPECTED = 12


def readable_syntax_error(text: str, message: str) -> str:
    """Oxigraph's message for a query that does not parse (`error at L:C: ...`), made
    readable: a query that ends with a bracket or string open says which; a list of what
    was expected keeps its tokens and keywords."""
    where = re.match(r"error at (\d+):(\d+): ", message)
    if not where:
        return message
    said = message[where.end():]
    if "IRI parsing failed" in said:  # Oxigraph's words for <x> or <a b>
        return (where[0] + "an IRI before here does not parse: write it whole, with a scheme "
                "and no spaces (<https://...>), or as a prefixed name (akd:japan)")
    not_a_form = unknown_query_form(text)
    if not_a_form:
        return not_a_form
    lines = text.split("\n")
    line, column = int(where[1]), int(where[2])
    offset = sum(len(before) + 1 for before in lines[:line - 1]) + column - 1
    code = code_tokens(text)
    at = next((index for index, (_, token, start) in enumerate(code)
               if start + len(token) > offset), None)
    found = None if at is None else code[at][1]
    if found == "}":  # `{ ?s rdfs:label }`: Oxigraph stops at the brace, not at the end
        missing = object_missing(text[:code[at][2] + 1])
        if missing:
            return where[0] + missing
    # LIMIT x, OFFSET -1; LIMIT 1.5 and a LIMIT at the end, which Oxigraph faults at the
    # end of the query
    if at is None and code and code[-1][1].upper() in ("LIMIT", "OFFSET"):
        return f"{where[0]}{code[-1][1].upper()} needs a whole number of rows after it"
    count = at if at is not None else len(code) - 1
    if (count > 0 and code[count - 1][1].upper() in ("LIMIT", "OFFSET")
            and not re.fullmatch(r"[0-9]+", code[count][1])):
        line, column = text_position(text, code[count][2])
        return (f"error at {line}:{column}: {code[count - 1][1].upper()} takes a whole number "
                f"of rows, not {text[code[count][2]:].split()[0]}")  # -1 is the tokens - and 1
    if found is None:  # at the end: it wanted more than there is
        problem = unbalanced(text)
        if problem and problem[0] is not None:  # placed at the bracket, not after the query
            line, column = text_position(text, problem[0])
            return f"error at {line}:{column}: {problem[1]}"
        missing = problem[1] if problem else object_missing(text)
        if missing:
            return where[0] + missing
    return where[0] + readable_expectation(said, found) + missing_dot_hint(text, lines, line)


def missing_dot_hint(text: str, lines: list[str], line: int) -> str:
    """Where the query goes wrong on a line that starts with a new subject (a variable or
    IRI) and the line before ends with a term rather than . ; , or a bracket, that line
    most likely lacks its dot (as kg validate says of Turtle)."""
    start = sum(len(before) + 1 for before in lines[:line - 1])
    first = next((token for token in code_tokens(text) if token[2] >= start), None)
    if first is None or first[0] not in ("variable", "pname", "iri") or (
            text_position(text, first[2])[0] != line):
        return ""
    before = next((i for i in range(line - 2, -1, -1)
                   if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
    if before is None or lines[before].rstrip()[-1:] in (".", ";", ",", "{", "(", "["):
        return ""
    return f" (line {before + 1} ends with none of . ; and ,: end its triple pattern with .)"


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def unknown_query_form(text: str) -> str | None:
    """`error at L:C: ...` for a query whose first word after its PREFIX and BASE
    declarations is no query form (SELEC), else None: Oxigraph says what it expected
    further on (`expected DESCRIBE`, `unexpected WHERE here`)."""
    tokens = [token for token in code_tokens(text) if token[0] != "pname" and token[0] != "iri"]
    first = next((token for token in tokens if token[1].upper() not in ("PREFIX", "BASE")), None)
    if first is None or first[0] != "word" or first[1].upper() in QUERY_FORMS:
        return None
    line, column = text_position(text, first[2])
    return (f"error at {line}:{column}: {first[1]} is no query form: a query begins with "
            f"{', '.join(QUERY_FORMS[:-1])} or {QUERY_FORMS[-1]}")


def unbalanced(text: str) -> tuple[int | None, str] | None:
    """What a query leaves unbalanced, as (offset to place the error at, or None for the
    end of the query; message): a closing bracket that closes no open one, at itself; a
    string, or the innermost bracket, left open at the end; None if all is balanced.
    (Oxigraph places other errors at the end too: `ORDER ?x` is "expected BY" there, so
    an end alone says nothing of what is missing.)"""
    opened = []
    for kind, token, start in code_tokens(text):
        if kind == "other" and token in "\"'":  # a quote the tokeniser found no end of
            if text[start - 2:start] == token * 2:  # of three: the tokens "" and "
                start -= 2
            line, column = text_position(text, start)
            return None, f"the string opened at {line}:{column} is never closed"
        if token in OPENERS:
            opened.append((token, start))
        elif token in CLOSERS:
            if not opened:
                return start, f"the {token} closes nothing: no bracket is open"
            bracket, at = opened.pop()
            if token != OPENERS[bracket]:
                open_line, open_column = text_position(text, at)
                return start, (f"the {token} does not close the {bracket} opened at "
                               f"{open_line}:{open_column}: close that first, with "
                               f"{OPENERS[bracket]}")
    if not opened:
        return None
    bracket, start = opened[-1]
    line, column = text_position(text, start)
    return None, (f"the query ends before the {bracket} opened at {line}:{column} is "
                  f"closed: finish what is inside it and close it with {OPENERS[bracket]}")


def object_missing(text: str) -> str | None:
    """The last triple pattern of a query whose group ends before its object (`{ ?s ?p }`,
    `?s ?p ?o ; ?q }`), as a message, else None: Oxigraph says only "expected OPTIONAL"
    or "expected BIND" at the end of the query."""
    code = code_tokens(text)
    if not code or code[-1][1] != "}":
        return None
    pattern, stop = [], None
    for kind, token, start in reversed(code[:-1]):
        if token in PATTERN_BREAKS:
            stop = (token, start)
            break
        pattern.insert(0, (kind, token, start))
    if stop is None or len(pattern) != PATTERN_BREAKS[stop[0]] or not all(
            kind in TERM_TOKENS or token == "a" for kind, token, _ in pattern):
        return None
    if pattern:
        written, at = " ".join(token for _, token, _ in pattern), pattern[0][2]
    else:
        written, at = stop
    line, column = text_position(text, at)
    return (f"{written} at {line}:{column} is followed by no object: a triple pattern needs "
            f"a subject, a predicate and an object")


def readable_expectation(message: str, found: str | None = None) -> str:
    """`expected one of ...` without character classes, and at most MOST_EXPECTED items;
    `found` is the token at the error. A lone keyword that `found` does not begin is how
    Oxigraph's parser reports a token that fits nowhere there (`?citation> .` gave
    "expected OPTIONAL"): that token is named instead."""
    listed = re.match(r"expected (one of )?", message)
    if not listed:
        return message
    items = [item.strip() for item in EXPECTED_ITEM.findall(message[listed.end():])]
    kept = [item for item in items if not item.startswith("[")]
    if found and (not kept or len(kept) == 1 and re.fullmatch(r"[A-Z_0-9]+", kept[0])
                  and not kept[0].startswith(found.upper())):
        return f"unexpected {found} here"
    if not kept:
        return "this does not fit the SPARQL grammar here"
    more = ", …" if len(kept) > MOST_EXPECTED else ""
    return (f"expected {'one of ' if len(kept) > 1 else ''}"
            f"{', '.join(kept[:MOST_EXPECTED])}{more}")


def text_position(text: str, offset: int) -> tuple[int, int]:
    """(line, column), from 1, of an offset into a text."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def check_shapes_queries(shapes, origin: str) -> None:
    """Refuse SHACL-SPARQL (sh:select, sh:ask, sh:construct) that check_user_query refuses.

    pyshacl runs these queries with rdflib, which sends a SERVICE sub-query to any URL.
    `shapes` is an rdflib Graph; `origin` names the shapes file.
    """
    from rdflib import URIRef
    from rdflib.namespace import SH

    from kg.namespaces import curie

    for predicate in (SH.select, SH.ask, SH.construct):
        for node, query in shapes.subject_objects(predicate):
            refusal = find_refusal(str(query))
            if refusal:
                what, why, line, column = refusal
                # Name the shape that holds the query (usually in a blank node).
                owner = next((curie(str(s)) for s in shapes.subjects(None, node)
                              if isinstance(s, URIRef)), "a shape")
                raise InputError(f"{origin}: {what} is not allowed in the SPARQL of {owner}: "
                                 f"{why} (line {line}, column {column} of the query)")


class QueryTimeout(InputError):
    """A query that ran past its time limit."""


def run_with_timeout(function, seconds: float | None):
    """function(), or QueryTimeout once it has run `seconds` (None or 0: no limit).

    It runs in a daemon thread, with or without a limit, while this one waits: Python
    runs a signal's handler only between the main thread's bytecodes, so Ctrl-C could
    not stop a query the main thread evaluated itself. Oxigraph releases the GIL while
    it evaluates, so waiting here stays responsive. It cannot cancel a query: a thread
    whose time is up is abandoned, and keeps a CPU busy until its query ends or the
    process exits; the CLI exits right after the error. `function` must do all the
    work, results included: pyoxigraph evaluates lazily, as they are iterated.
    """
    import threading

    outcome = {}

    def work():
        try:
            outcome["value"] = function()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(seconds or None)
    if worker.is_alive():
        raise QueryTimeout(f"query timed out after {seconds:g} s; narrow it or raise --timeout")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def check_timeout(seconds) -> None:
    """An InputError unless `seconds` is None or a number from 0 (no limit) to a day:
    a negative limit would time out at once, nan and larger ones crash the timer."""
    if seconds is not None and not (isinstance(seconds, (int, float))
                                    and not isinstance(seconds, bool)  # True is no 1 s
                                    and 0 <= seconds <= MAX_TIMEOUT):
        raise InputError(f"timeout {seconds!r}: give a number of seconds from 0 (no limit) "
                         f"to {MAX_TIMEOUT}")


def safe_query(graph, text: str, timeout: float | None = DEFAULT_TIMEOUT, origin: str = ""):
    """Check a user's query, then run it on a CompiledGraph within `timeout` seconds.

    Returns (variables, rows, boolean, triples) with each cell a pyoxigraph term or None:
    a SELECT's variables; for ASK one `result` column holding an xsd:boolean, and the
    answer as `boolean` (None for other queries); for CONSTRUCT and DESCRIBE `subject`,
    `predicate`, `object`, and `triples` true. `origin` (a file name) goes in front of an
    error.
    """
    check_timeout(timeout)
    check_user_query(text, origin)
    return run_with_timeout(lambda: rows_of(graph.query(text, origin=origin)), timeout)


def rows_of(results) -> tuple[list[str], list[list], bool | None, bool]:
    """Evaluate pyoxigraph query results completely, into variables, rows, for an ASK
    query its answer, and whether the rows are triples (a CONSTRUCT's or DESCRIBE's)."""
    import pyoxigraph as ox

    from kg.store import table

    if isinstance(results, ox.QuerySolutions):
        return *table(results), None, False
    if isinstance(results, ox.QueryBoolean):
        boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
        answer = bool(results)
        return ["result"], [[ox.Literal(str(answer).lower(), datatype=boolean)]], answer, False
    return (["subject", "predicate", "object"],
            [[t.subject, t.predicate, t.object] for t in results], None, True)
