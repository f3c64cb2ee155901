"""Every bad input gets one clear line on stderr and exit code 2, never a traceback.

The inputs live in tests/bad_inputs/ (or are made here when they are too large to keep);
each case names the exact message the user must see.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

BAD = Path(__file__).parent / "bad_inputs"

CASES = [
    # (arguments, exact stderr)
    (["validate", "{bad}/missing.ttl"], "kg: error: {bad}/missing.ttl: file not found"),
    (["validate", "{bad}"], "kg: error: {bad}: is a directory, not a file"),
    (["validate", "{bad}/empty.ttl"],
     "kg: error: {bad}/empty.ttl: holds no triples: nothing to check or add"),
    (["validate", "{bad}/binary.png"], "kg: error: {bad}/binary.png:1:1: not UTF-8 text (byte 0x89): save it as UTF-8"),
    (["validate", "{bad}/latin1.ttl"],
     "kg: error: {bad}/latin1.ttl:1:77: not UTF-8 text (byte 0xE9): save it as UTF-8"),
    # a byte order mark is no column of the text
    (["validate", "{bad}/bom-latin1.ttl"],
     "kg: error: {bad}/bom-latin1.ttl:1:77: not UTF-8 text (byte 0xE9): save it as UTF-8"),
    (["validate", "{bad}/malformed.ttl"],
     "kg: error: {bad}/malformed.ttl:3:13: the string opened here is never closed: the "
     "file ends inside it"),
    # Oxigraph says only "Unexpected end of file", at the character that opens the IRI
    (["validate", "{bad}/unclosed-iri.ttl"],
     "kg: error: {bad}/unclosed-iri.ttl:3:13: the IRI opened here is never closed: the file "
     "ends inside it"),
    # Oxigraph says only "Unexpected end" (or "Unexpected end of file")
    (["validate", "{bad}/unfinished.ttl"],
     "kg: error: {bad}/unfinished.ttl:5:1: the file ends inside a statement: finish the "
     "statement, and end it with a dot"),
    # Oxigraph says only that it expects a dot, at the next line's first word
    (["validate", "{bad}/missing-semicolon.ttl"],
     "kg: error: {bad}/missing-semicolon.ttl:8:5: A dot is expected at the end of statements "
     "(line 6 ends with none of , ; and .: end it with , to give the same property another "
     "value, with ; to say more of the same subject, or with . to end its statement)"),
    # a string closed by a typographic quote: only "never closed" was said
    (["validate", "{bad}/typographic-close.ttl"],
     "kg: error: {bad}/typographic-close.ttl:3:16: the string opened here is never closed: the "
     "file ends inside it (its line closes it with the typographic \u201d at column 39: "
     "write a straight \")"),
    # a Markdown escape copied with the words around it (003 writes \$431)
    (["validate", "{bad}/markdown-escape.ttl"],
     "kg: error: {bad}/markdown-escape.ttl:3:23: Unexpected escape character '\\$' (a string "
     "escapes only \\t \\b \\n \\r \\f \\\" \\' \\\\ and \\uXXXX: write $ without the backslash)"),
    # a string left open before more lines: Oxigraph says only "Line jumps are not allowed
    # in string literals" at the line's end, and the hint of a typographic quote followed
    # where the file held none
    (["validate", "{bad}/unclosed-string.ttl"],
     "kg: error: {bad}/unclosed-string.ttl:5:16: the string opened here is not closed on its "
     'line: close it with the quote that opens it (a string of several lines goes between '
     'triple quotes, """...""")'),
    (["validate", "{bad}/typographic-close-mid-file.ttl"],
     "kg: error: {bad}/typographic-close-mid-file.ttl:3:16: the string opened here is not "
     'closed on its line: close it with the quote that opens it (a string of several lines '
     'goes between triple quotes, """...""") (its line closes it with the typographic '
     '\u201d at column 39: write a straight ")'),
    # a , where a ; was meant: Oxigraph reads the next property as another value, then
    # names the value that follows as no subject
    (["validate", "{bad}/comma-for-semicolon.ttl"],
     "kg: error: {bad}/comma-for-semicolon.ttl:5:16: \"Naoko Aoki\" is not a valid subject or "
     "graph name (line 4 ends with , which makes rdfs:label another value: end it with ; to "
     "say more of the same subject)"),
    # Oxigraph says only that a ] is expected, where a ; is the usual fix
    (["validate", "{bad}/missing-semicolon-in-brackets.ttl"],
     "kg: error: {bad}/missing-semicolon-in-brackets.ttl:5:5: blank node property lists should "
     "end with a ']' (or a ; is missing before this: end the value before it with ; to give "
     "the [...] another property)"),
    # a quote pasted from an article: Oxigraph reads the “ as the start of a name
    (["validate", "{bad}/typographic-quotes.ttl"],
     "kg: error: {bad}/typographic-quotes.ttl:3:68: '\u201c' is not allowed at the beginning of "
     "a prefix name (a typographic quote: write a string between straight quotes, \"...\")"),
    # a near one of kg's own prefixes is offered (it was only "declare it")
    (["validate", "{bad}/mistyped-prefix.ttl"],
     "kg: error: {bad}/mistyped-prefix.ttl:4:9: The prefix akcc: has not been declared (did you "
     "mean akc:? else declare it: @prefix akcc: <IRI> .)"),
    (["validate", "{bad}/unknown-prefix.ttl"],
     "kg: error: {bad}/unknown-prefix.ttl:3:7: The prefix bad: has not been declared "
     "(declare it: @prefix bad: <IRI> .)"),
    # one of kg's own prefixes: its declaration to copy
    (["validate", "{bad}/undeclared-akd.ttl"],
     "kg: error: {bad}/undeclared-akd.ttl:1:1: The prefix akd: has not been declared "
     "(declare it: @prefix akd: <https://w3id.org/alliance-kg/id/> .)"),
    # without @base, a relative IRI once resolved against the file's place (file:///...)
    (["validate", "{bad}/relative-iri.ttl"],
     "kg: error: {bad}/relative-iri.ttl:3:1: <japan-event> is a relative IRI, and no @base "
     "resolves it: write a prefixed name (akd:name) or a full IRI, or declare @base"),
    (["validate", "{bad}/entity-bomb.rdf"],
     "kg: error: {bad}/entity-bomb.rdf: kg reads Turtle only; convert this .rdf file to "
     "Turtle (.ttl) first"),
    # another syntax under a .ttl name: Oxigraph's error spoke of a subject or an IRI
    (["validate", "{bad}/jsonld-named.ttl"],
     "kg: error: {bad}/jsonld-named.ttl:1:1: this is JSON-LD, not Turtle: kg reads Turtle "
     "only; convert it to Turtle first"),
    # TriG's graph block stands where Turtle has a subject's property (or a statement)
    (["validate", "{bad}/trig-named.ttl"],
     "kg: error: {bad}/trig-named.ttl:4:14: this is TriG, not Turtle: kg reads Turtle "
     "only; convert it to Turtle first"),
    # where Turtle has a value, a { is a mistake in Turtle, not TriG
    (["validate", "{bad}/brace-as-value.ttl"],
     "kg: error: {bad}/brace-as-value.ttl:4:35: { is not a valid RDF object"),
    (["validate", "{bad}/rdfxml-named.ttl"],
     "kg: error: {bad}/rdfxml-named.ttl:1:1: this is RDF/XML, not Turtle: kg reads Turtle "
     "only; convert it to Turtle first"),
    (["validate", "--syntax-only", "{bad}/malformed.ttl"],
     "kg: error: {bad}/malformed.ttl:3:13: the string opened here is never closed: the "
     "file ends inside it"),
    (["validate", "--sources", "{bad}/nowhere", "{bad}/malformed.ttl"],
     "kg: error: {bad}/nowhere: sources folder not found"),
    (["--data", "{bad}/nowhere", "stats"], "kg: error: {bad}/nowhere: data folder not found"),
    (["--data", "{bad}/empty.ttl", "stats"], "kg: error: {bad}/empty.ttl: is a file, not a data "
     "folder (to check a file of facts: kg validate FILE)"),
    (["--data", "{bad}/no-turtle", "stats"],
     "kg: error: {bad}/no-turtle: no .ttl files in this data folder"),
    (["query", "nope"], "kg: error: no canned query named 'nope' (see `kg queries`)"),
    (["query", "co-production", "--colour", "red"],
     "kg: error: query 'co-production' has no parameter --colour (parameters: --system, --country)"),
    (["query", "co-production", "--system"], "kg: error: parameter --system needs a value"),
    (["query", "co-production", "--ntriples"], "kg: error: parameter --ntriples needs a value "
     "(a canned query gives rows: --ntriples writes the triples of kg sparql's CONSTRUCT or "
     "DESCRIBE)"),
    (["query", "co-production", "--system", "Patriot Advanced Capabilty-3"],
     "kg: error: --system 'Patriot Advanced Capabilty-3': no ak:DefenseSystem has that name; "
     "did you mean: Patriot Advanced Capability-3?"),
    # a misspelt word of several names was offered none of them
    (["query", "counters", "--threat", "missles"], "kg: error: --threat 'missles': no "
     "ak:ThreatClass has that name; did you mean: cruise missile, ballistic missile, "
     "hypersonic missile, short-range ballistic missile, medium-range ballistic missile?"),
    # a word of other kinds' names: the project's entities and concepts, not the
    # ontology's classes
    (["query", "systems", "--country", "missile"], "kg: error: --country 'missile': no "
     "ak:Country has that name; Missile Defense Agency is the government agency "
     "akd:missile-defense-agency, missile launch or test is the skos:Concept akc:missile-launch, "
     "Missile Segment Enhancement is the interceptor missile akd:pac-3-mse"),
    # no words: every name held them all
    (["query", "counters", "--threat", "?"],
     "kg: error: --threat '?': no ak:ThreatClass has that name"),
    # a word of another kind of entity's name: said what it is, as for a whole name
    (["query", "co-production", "--country", "Mitsubishi"], "kg: error: --country 'Mitsubishi': "
     "no ak:Country has that name; Mitsubishi Heavy Industries is the company "
     "akd:mitsubishi-heavy-industries, Licensed production of PAC-3 interceptors by Mitsubishi "
     "Heavy Industries is the licensed production program akd:licensed-production-pac-3-japan"),
    # any SKOS concept was taken as a threat: a tier or a status gave 0 rows
    (["query", "counters", "--threat", "upper tier"], "kg: error: --threat 'upper tier': no "
     "ak:ThreatClass has that name; it names the skos:Concept akc:upper-tier"),
    (["query", "counters", "--threat", "missile launch or test"], "kg: error: --threat 'missile "
     "launch or test': no ak:ThreatClass has that name; it names the skos:Concept "
     "akc:missile-launch, the owl:Class ak:MissileLaunch"),
    (["query", "timeline", "--from", "20x1"], "kg: error: --from '20x1' is not a valid year"),
    (["query", "timeline", "--from", "2025", "--to", "2020"],
     "kg: error: --from 2025 is after --to 2020: no year is in that range"),
    (["query", "evidence"], "kg: error: query 'evidence' needs --entity (the country, "
                            "organization, system, person or fact)"),
    # Oxigraph said "expected OPTIONAL", and here "expected one of LATERAL, SERVICE, [_]"
    (["sparql", "@{bad}/malformed.rq"], "kg: error: {bad}/malformed.rq:4:1: invalid SPARQL: "
     "?s ?p at 2:3 is followed by no object: a triple pattern needs a subject, a predicate "
     "and an object"),
    (["sparql", "SELECT * WHERE { ?s ?p }"],
     "kg: error: invalid SPARQL: error at 1:25: ?s ?p at 1:18 is followed by no object: a "
     "triple pattern needs a subject, a predicate and an object"),
    (["sparql", "SELECT ?x WHERE { ?x ?p ?o ; ?q }"],
     "kg: error: invalid SPARQL: error at 1:34: ?q at 1:30 is followed by no object: a "
     "triple pattern needs a subject, a predicate and an object"),
    # a named predicate: Oxigraph stops at the brace, and listed what it would take there
    (["sparql", "SELECT * { ?s rdfs:label }"],
     "kg: error: invalid SPARQL: error at 1:26: ?s rdfs:label at 1:12 is followed by no "
     "object: a triple pattern needs a subject, a predicate and an object"),
    (["sparql", "SELECT * { ?s ?p ?o . ?s <http://x.org/p> }"],
     "kg: error: invalid SPARQL: error at 1:43: ?s <http://x.org/p> at 1:23 is followed by no "
     "object: a triple pattern needs a subject, a predicate and an object"),
    # Oxigraph: "expected one of HAVING, OFFSET, OPTIONAL, VALUES"
    (["sparql", "SELECT * { ?s ?p ?o } LIMIT x"],
     "kg: error: invalid SPARQL: error at 1:29: LIMIT takes a whole number of rows, not x"),
    (["sparql", "SELECT * { ?s ?p ?o } offset ten"],
     "kg: error: invalid SPARQL: error at 1:30: OFFSET takes a whole number of rows, not ten"),
    (["sparql", "SELECT * { ?s ?p ?o } LIMIT 1.5"],
     "kg: error: invalid SPARQL: error at 1:29: LIMIT takes a whole number of rows, not 1.5"),
    (["sparql", "SELECT * { ?s ?p ?o } LIMIT"],
     "kg: error: invalid SPARQL: error at 1:28: LIMIT needs a whole number of rows after it"),
    (["sparql", "SELECT * { ?s ?p ?o } LIMIT -1"],
     "kg: error: invalid SPARQL: error at 1:29: LIMIT takes a whole number of rows, not -1"),
    # a line that lacks its dot, as kg validate says of Turtle
    (["sparql", "SELECT ?x ?l WHERE {\n  ?x a ak:Country\n  ?x rdfs:label ?l\n}"],
     "kg: error: invalid SPARQL: error at 3:11: unexpected rdfs:label here (line 2 ends with "
     "none of . ; and ,: end its triple pattern with .)"),
    # Oxigraph places this at the end as well: the end alone is not what is wrong
    (["sparql", "SELECT ?x WHERE { ?x ?p ?o } ORDER ?x"],
     "kg: error: invalid SPARQL: error at 1:38: expected BY"),
    # Oxigraph listed every token and character class it would take instead
    (["sparql", "SELECT ?x WHERE {"], "kg: error: invalid SPARQL: error at 1:18: the query ends "
     "before the { opened at 1:17 is closed: finish what is inside it and close it with }"),
    (["sparql", "SELECT ?x WHERE { ?x ?p \"abc }"],
     "kg: error: invalid SPARQL: error at 1:31: the string opened at 1:25 is never closed"),
    # placed at the bracket (it was after it, and named the bracket's own place too)
    (["sparql", "SELECT ?x WHERE { ?x ?p ?o } }"],
     "kg: error: invalid SPARQL: error at 1:30: the } closes nothing: no bracket is open"),
    (["sparql", "SELECT ?x WHERE { FILTER(?x = 1 }"],
     "kg: error: invalid SPARQL: error at 1:33: the } does not close the ( opened at 1:25: "
     "close that first, with )"),
    # a lone keyword is how Oxigraph reports a token that fits nowhere: "expected OPTIONAL"
    (["sparql", "SELECT ?x WHERE { ?x ?p ?o BIND ?o AS ?y }"],
     "kg: error: invalid SPARQL: error at 1:36: unexpected AS here"),
    (["sparql", "SELECT (COUNT(?x) AS ?n WHERE { ?x ?p ?o }"],
     "kg: error: invalid SPARQL: error at 1:25: expected \")\""),
    # Oxigraph said what it expected further on: "expected DESCRIBE", "unexpected WHERE"
    (["sparql", "SELEC ?x"], "kg: error: invalid SPARQL: error at 1:1: SELEC is no query "
     "form: a query begins with SELECT, ASK, CONSTRUCT or DESCRIBE"),
    (["sparql", "PREFIX x: <http://x/>\n# a comment\nselec * WHERE {}"], "kg: error: invalid "
     "SPARQL: error at 3:1: selec is no query form: a query begins with SELECT, ASK, "
     "CONSTRUCT or DESCRIBE"),
    (["sparql", "SELECT ?s WHERE { ?s a foo:Bar }"], "kg: error: invalid SPARQL: error at 1:24: "
     "unknown prefix foo: (declare it: PREFIX foo: <IRI>)"),
    (["describe", "Xanadu"], "kg: error: entity 'Xanadu': no entity has that name"),
    # an argument that is no UTF-8 (`kg describe $'\xff'` in a Latin-1 terminal): Python
    # keeps the byte as a lone surrogate, on which pyoxigraph raised a ValueError
    (["describe", "Isra\udce9l"], "kg: error: entity: not UTF-8 text (byte 0xE9): give it in UTF-8"),
    (["query", "co-production", "--system", "PAC-3\udcff"],
     "kg: error: --system: not UTF-8 text (byte 0xFF): give it in UTF-8"),
    (["sparql", "ASK {} # \udce9"],
     "kg: error: the query: not UTF-8 text (byte 0xE9): give it in UTF-8"),
]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a)[:40] for a, _ in CASES])
def test_bad_input_gets_one_line(args, message):
    result = CliRunner().invoke(cli, [a.replace("{bad}", str(BAD)) for a in args])
    assert result.exit_code == 2
    assert result.stderr == message.replace("{bad}", str(BAD)) + "\n"
    assert result.stdout == ""


LONG = "A" * 100_000


@pytest.mark.parametrize("args, message", [
    (["query", "co-production", "--system", LONG],
     f"kg: error: --system '{LONG[:79]}... (100,000 characters): no ak:DefenseSystem has that name"),
    (["query", "timeline", "--from", LONG],
     f"kg: error: --from '{LONG[:79]}... (100,000 characters) is not a valid year"),
    (["query", "x" + LONG], f"kg: error: no canned query named 'x{LONG[:78]}... (100,001 "
                            "characters) (see `kg queries`)"),
    (["query", "co-production", "--" + LONG, "1"],
     f"kg: error: query 'co-production' has no parameter --{LONG[:78]}... (100,002 characters) "
     "(parameters: --system, --country)"),
    (["describe", LONG], f"kg: error: entity '{LONG[:79]}... (100,000 characters): no entity "
                         "has that name")])
def test_a_long_value_is_cut_in_its_error(args, message):
    """A 100,000-character parameter was echoed whole into the "one-line" error."""
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stderr) == (2, message + "\n")


@pytest.mark.parametrize("args, env, message", [
    (["--data", "~nouser-kg/x", "stats"], {},
     "kg: error: ~nouser-kg/x: not a usable data folder (Could not determine home directory.)"),
    (["stats"], {"KG_CACHE_DIR": "~nouser-kg/c"}, "kg: error: ~nouser-kg/c: not a usable "
     "cache folder ($KG_CACHE_DIR) (Could not determine home directory.)"),
])
def test_a_home_folder_of_no_user_is_one_line(args, env, message):
    """Python's expanduser raised RuntimeError, a traceback."""
    result = CliRunner().invoke(cli, args, env=env)
    assert (result.exit_code, result.stderr) == (2, message + "\n")


def cannot_list(monkeypatch, function: str, folder: Path) -> None:
    """Make os.FUNCTION (scandir, listdir) refuse `folder` as a folder of mode 000 refuses
    anyone but root, who runs these tests."""
    import os

    real = getattr(os, function)

    def refusing(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, function, refusing)


def test_a_data_subfolder_that_cannot_be_read_is_an_error_not_left_out(tiny_copy, monkeypatch):
    """rglob skipped it without a word: its triples were missing, and validate said
    "conforms". (As root every folder can be read, so listing it is made to fail.)"""
    unreadable = tiny_copy / "data" / "sub"
    unreadable.mkdir()
    cannot_list(monkeypatch, "scandir", unreadable)  # what os.walk lists with
    result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "stats"])
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {unreadable}: cannot read this folder (Permission denied)\n")


def test_control_characters_in_an_error_reach_the_terminal_escaped(tmp_path):
    """A file name (or a store's reply, a parser's excerpt) with a terminal's escape
    sequence changed what the terminal showed."""
    named = tmp_path / "esc\x1b[31mred.ttl"
    named.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n")
    result = CliRunner().invoke(cli, ["validate", str(named)])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert result.stderr == (f"kg: error: {tmp_path}/esc\\x1b[31mred.ttl: holds no triples: "
                             "nothing to check or add\n")


@pytest.mark.parametrize("target", ["data/tiny.ttl", "ontology/shapes.ttl"])
def test_an_export_is_not_written_over_the_graphs_own_files(tiny_copy, target):
    """It replaced the data it was made from."""
    before = (tiny_copy / target).read_bytes()
    result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "export", "-f", "turtle",
                                      "-o", str(tiny_copy / target)])
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {tiny_copy / target}: one of the graph's own input files: write the "
           "export elsewhere\n")
    assert (tiny_copy / target).read_bytes() == before


@pytest.mark.parametrize("target", ["data/all.ttl", "data/sub/all.ttl", "data/.ttl"])
def test_an_export_is_not_written_where_it_would_become_data(tiny_copy, target):
    """A new .ttl file in data/ is read as curated data: the inferred graph written there
    doubled the asserted triples, and validation then warned hundreds of times."""
    result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "export", "-f", "turtle",
                                      "-o", str(tiny_copy / target)])
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {tiny_copy / target}: a .ttl file in the data folder "
           f"{tiny_copy / 'data'} would be read as curated data: write the export elsewhere\n")
    assert not (tiny_copy / target).exists() and not (tiny_copy / "data" / "sub").exists()


def test_an_output_behind_a_loop_of_links_is_one_line(tmp_path):
    """Python's resolve() raised RuntimeError: a traceback."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = CliRunner().invoke(cli, ["export", "-f", "turtle", "-o", str(tmp_path / "a")])
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {tmp_path / 'a'}: cannot be written (Symlink loop from "
           f"'{tmp_path / 'a'}')\n")


def test_a_host_name_no_resolver_takes_is_one_line():
    """The socket's IDNA encoding raised UnicodeError (a label of over 63 letters)."""
    result = CliRunner().invoke(cli, ["serve", "--host", "a" * 300, "--workers", "1"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: host '{'a' * 70}': not a host name or address")


def test_a_queries_folder_that_cannot_be_read_is_an_error_not_empty(tiny_copy, monkeypatch):
    """`kg queries` listed 0 queries, exit 0, and `kg query counters` said there is none."""
    queries = tiny_copy / "queries"
    cannot_list(monkeypatch, "listdir", queries)
    for args in (["queries"], ["query", "counters"]):
        result = CliRunner().invoke(cli, ["--data", str(tiny_copy), *args])
        assert (result.exit_code, result.stderr) == (
            2, f"kg: error: {queries}: cannot read this folder (Permission denied)\n")


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_cache_folder_that_is_a_file_is_one_line(tmp_path, below):
    taken = tmp_path / "cachefile"
    taken.write_text("not a folder")
    cache = taken / below if below else taken
    result = CliRunner().invoke(cli, ["--data", str(BAD.parent.parent), "stats"],
                                env={"KG_CACHE_DIR": str(cache)})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: {cache}: cannot hold the compiled graph (")
    assert result.stderr.endswith("set KG_CACHE_DIR to a writable folder\n")
    assert taken.read_text() == "not a folder"


def test_a_file_of_hundreds_of_megabytes_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.ttl"
    with huge.open("wb") as sparse:
        sparse.truncate(300 * 2**20)
    result = CliRunner().invoke(cli, ["validate", str(huge)])
    assert result.exit_code == 2
    assert result.stderr == (f"kg: error: {huge}: file is too large (300 MiB; the limit is "
                             "256 MiB): split it\n")


def test_an_endless_input_is_refused_after_the_limit_not_read_forever(tiny_copy, monkeypatch):
    """A device has no size to check first (/dev/zero once filled the memory)."""
    monkeypatch.setattr("kg.loading.MAX_INPUT_BYTES", 2**20)
    endless = "kg: error: {}: more than 1 MiB to read (a device, or a file still growing?): " \
              "kg reads up to that size\n"
    for args, path in ((["validate", "/dev/zero"], "/dev/zero"),
                       (["sparql", "@/dev/zero"], "/dev/zero"),
                       (["sparql", "-"], "<stdin>"),  # fed 2 MiB below
                       (["--data", str(tiny_copy), "stats"], tiny_copy / "data" / "zero.ttl")):
        (tiny_copy / "data" / "zero.ttl").unlink(missing_ok=True)
        if path == tiny_copy / "data" / "zero.ttl":
            (tiny_copy / "data" / "zero.ttl").symlink_to("/dev/zero")
        result = CliRunner().invoke(cli, args, input=b"#" * 2**21)
        assert (result.exit_code, result.stderr) == (2, endless.format(path))


def test_a_source_text_that_is_a_link_to_a_device_is_not_read_forever(tiny_copy, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr("kg.loading.MAX_INPUT_BYTES", 2**20)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "test.txt").symlink_to("/dev/zero")  # akd:source-test's text
    result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "validate",
                                      "--sources", str(tmp_path / "sources")])
    assert (result.exit_code, result.stderr) == (
        2, f"kg: error: {tmp_path}/sources/test.txt: more than 1 MiB to read (a device, or a "
           "file still growing?): kg reads up to that size\n")


def test_a_query_file_with_a_byte_order_mark_runs(working_copy):
    """`kg sparql @FILE` and a canned query: the mark once made the query invalid SPARQL."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { akd:japan a ak:Country }\n"
    (working_copy / "query.rq").write_bytes(b"\xef\xbb\xbf" + query.encode())
    (working_copy / "queries" / "japan.rq").write_bytes(
        b"\xef\xbb\xbf# title: Is Japan a country\n" + query.encode())
    for args in (["sparql", f"@{working_copy / 'query.rq'}"], ["query", "japan"]):
        result = CliRunner().invoke(cli, ["--data", str(working_copy), "-q", *args, "-f", "csv"])
        assert (result.exit_code, result.stdout) == (0, "n\n1\n"), result.stderr


RDF_12_REFUSAL = ("RDF 1.2 syntax (triple terms, reified triples, annotations, text directions, "
                  "VERSION) is not supported: write RDF 1.1 Turtle")


@pytest.mark.parametrize("statement, place", [
    # Oxigraph reads them; kg then crashed ('pyoxigraph.Triple' object has no attribute
    # 'language') or, for a text direction, dropped it
    ("akd:x ak:participant <<( akd:japan ak:partOf akd:japan )>> .", "4:22: <<("),
    ("akd:x a ak:Event {| ak:quote 'x' |} .", "4:18: {|"),
    ("<< akd:x a ak:Event >> ak:quote 'x' .", "4:1: <<"),
    ("akd:x a ak:Event ~ akd:r .", "4:18: ~"),
    ("akd:x rdfs:label 'x'@en--ltr .", "4:21: @en--ltr"),
    ('VERSION "1.2"', "4:1: VERSION"),
])
def test_rdf_12_syntax_is_refused_at_its_place(tiny_copy, tmp_path, statement, place):
    text = ("# <<( {| ~ in a comment, and in strings and names, are RDF 1.1\n"
            "@prefix ak: <https://w3id.org/alliance-kg/ontology#> . "
            "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
            "akd:x ak:VERSION 'VERSION \"1\" <<( {| ~', akd:a\\~b .\n" + statement + "\n")
    candidate, data_file = tmp_path / "candidate.ttl", tiny_copy / "data" / "new.ttl"
    candidate.write_text(text)
    before = {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()}
    for args, path in ((["validate", str(candidate)], candidate),
                       (["add", str(candidate)], candidate),
                       (["stats"], data_file)):
        if path == data_file:
            data_file.write_text(text)
        result = CliRunner().invoke(cli, ["--data", str(tiny_copy), *args])
        assert (result.exit_code, result.stderr) == (2, f"kg: error: {path}:{place}: {RDF_12_REFUSAL}\n")
        if args[0] == "add":
            assert {p: p.read_bytes() for p in (tiny_copy / "data").iterdir()} == before


def test_rdf_12_look_alikes_are_rdf_11(tmp_path):
    candidate = tmp_path / "candidate.ttl"
    candidate.write_text("# VERSION '1.2'\n@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                         "ak:x ak:VERSION 'VERSION \"1.2\" <<( {| ~', ak:a\\~b, 'x'@en-version .\n")
    result = CliRunner().invoke(cli, ["validate", "--syntax-only", str(candidate)])
    assert result.exit_code == 0, result.output


def test_deeply_nested_blank_nodes_are_no_recursion_error(tmp_path):
    deep = tmp_path / "deep.ttl"
    depth = 5000
    deep.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
                    "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
                    # typed, or kg:unknown-subject would stand for its shapes' findings
                    "akd:deep a ak:DefenseSystem ; ak:component " + "[ ak:component " * depth
                    + "akd:pac-3"
                    + " ]" * depth + " .\n")
    result = CliRunner().invoke(cli, ["validate", str(deep)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout.startswith(f"{deep}:3:1: violation: akd:deep ")


def test_text_that_is_not_utf8_is_one_line_wherever_it_comes_from(working_copy):
    """A query file, a data file under `kg fmt --check`, and a query on stdin."""
    def run(*args):
        result = CliRunner().invoke(cli, ["--data", str(working_copy), *args])
        return result.exit_code, result.stderr

    (working_copy / "queries" / "latin1.rq").write_bytes(b'# title: t\nSELECT * { ?s ?p "caf\xe9" }\n')
    query_error = f"kg: error: {working_copy}/queries/latin1.rq:2:22: not UTF-8 text (byte 0xE9): save it as UTF-8\n"
    assert run("query", "latin1") == run("queries") == (2, query_error)
    (working_copy / "data" / "latin1.ttl").write_bytes((BAD / "latin1.ttl").read_bytes())
    assert run("fmt", "--check") == (
        2, f"kg: error: {working_copy}/data/latin1.ttl:1:77: not UTF-8 text (byte 0xE9): save it as "
           "UTF-8\n")
    result = CliRunner().invoke(cli, ["sparql", "-"], input=b'SELECT * { ?s ?p "caf\xe9" }')
    assert (result.exit_code, result.stderr) == (
        2, "kg: error: <stdin>:1:22: not UTF-8 text (byte 0xE9): save it as UTF-8\n")


def test_a_path_the_system_refuses_is_named(tmp_path):
    """A name too long for the file system, met where no check foresaw it, was reported
    as 'cannot write the output', naming no path."""
    too_long = "a" * 300
    done = subprocess.run([sys.executable, "-m", "kg", "validate", "--sources", too_long, "x.ttl"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"kg: error: {'a' * 80}... (300 characters): File name too long\n"


@pytest.mark.parametrize("where", ["data", "sources"])
def test_a_named_pipe_among_the_files_is_refused_not_waited_on(tiny_copy, tmp_path, where):
    """Opening one waits for a writer: kg hung, saying nothing."""
    import os

    pipe = tiny_copy / "data" / "pipe.ttl" if where == "data" else tmp_path / "test.txt"
    os.mkfifo(pipe)
    args = ["--data", str(tiny_copy), "validate"] + (["--sources", str(tmp_path)]
                                                     if where == "sources" else [])
    done = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          timeout=60)
    place = "in a folder of the graph" if where == "data" else "in the sources folder"
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"kg: error: {pipe}: a named pipe, not a file, {place}: kg would "
                           f"wait on it forever\n")
