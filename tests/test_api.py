"""The Python API as the README shows it: `import kg` and the names it re-exports."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import kg
import kg.api
import kg.remote


def test_readme_example(graph):
    rows = kg.run_query("co-production", {"system": "PAC-3"}, graph)
    assert {row["role"].rsplit("#")[-1] for row in rows.to_dicts()} == {"licensor", "licensee", "producer"}
    assert len(kg.sparql("SELECT ?s WHERE { ?s a ak:Alliance }", graph)) >= 4
    assert len(kg.rdflib_graph()) > 5000
    assert kg.validate(graph=graph).problems


def test_rows_show_labels_as_the_cli_does(graph):
    rows = kg.run_query("co-production", {"system": "PAC-3"}, graph)
    labelled = rows.to_dicts(label=graph.label)
    assert {row["role"] for row in labelled} == {"licensor", "licensee", "producer"}
    assert {row["participant"] for row in labelled} >= {"Japan", "Mitsubishi Heavy Industries"}
    assert labelled[0]["quote"] == rows.to_dicts()[0]["quote"]  # literals are unchanged


def test_a_canned_query_runs_outside_the_main_thread(graph, monkeypatch):
    """Python runs a signal's handler only in the main thread, between bytecodes: while
    that thread evaluated a long query (seconds at 1M triples), Ctrl-C did nothing."""
    import threading

    from kg.store import CompiledGraph

    threads = []
    solutions = CompiledGraph.solutions

    def recording(self, *args, **kwargs):
        threads.append(threading.current_thread())
        return solutions(self, *args, **kwargs)

    monkeypatch.setattr(CompiledGraph, "solutions", recording)
    assert len(kg.run_query("members", None, graph)) > 0
    assert threads and threading.main_thread() not in threads


def test_rows_give_a_page(graph):
    rows = kg.run_query("co-production", None, graph)
    assert rows.page(1, 2).terms == rows.terms[1:3] and rows.page(3).terms == rows.terms[3:]
    with pytest.raises(ValueError, match="page limit: a whole number of rows, 0 or more, not -1"):
        rows.page(0, -1)
    with pytest.raises(ValueError, match="page offset"):
        rows.page(True)


def test_rows_give_a_blank_node_as_csv_and_jsonl_do(graph):
    """to_dicts gave a blank node's bare id, where -f csv and -f jsonl write _:id."""
    rows = kg.sparql("SELECT ?c WHERE { akd:pac-3 ak:citation ?c } LIMIT 1", graph)
    [row] = rows.to_dicts()
    assert row["c"].startswith("_:")
    assert rows.to_text("csv").splitlines()[1] == row["c"]


def test_rows_give_a_triple_term_in_n_triples_form(graph):
    """A triple term has no .value: to_dicts once raised AttributeError."""
    rows = kg.sparql('SELECT ?t WHERE { VALUES ?t { <<( <a:s> <a:p> "o" )>> } }', graph)
    assert rows.to_dicts() == [{"t": '<<( <a:s> <a:p> "o" )>>'}]


def test_bad_input_raises_the_exported_error(graph):
    """What the CLI shows as `kg: error: ...` an integrator catches as kg.InputError."""
    try:
        kg.run_query("co-production", {"system": "Nope"}, graph)
    except kg.InputError as error:
        assert isinstance(error, kg.KGError)
        assert str(error) == "--system 'Nope': no ak:DefenseSystem has that name"
    else:
        raise AssertionError("expected kg.InputError")


def test_values_may_be_given_as_python_values(graph, tmp_path):
    from_2020 = kg.run_query("timeline", {"from": 2020}, graph)
    assert len(from_2020) == len(kg.run_query("timeline", {"from": "2020"}, graph)) > 0
    missing = tmp_path / "missing.ttl"
    try:
        kg.validate(str(missing), graph=graph)  # one file, not a list of characters
    except kg.InputError as error:
        assert str(error) == f"{missing}: file not found"
    else:
        raise AssertionError("expected kg.InputError")


MISTAKES = Path(__file__).parent / "fixtures" / "candidates" / "mistakes.ttl"


def test_turtle_text_is_validated_as_the_file_it_would_be(graph):
    """An editor's buffer is checked without a file; its problems are placed in it."""
    as_file = kg.validate(MISTAKES, graph=graph).problems
    as_text = kg.validate_text(MISTAKES.read_text(), name="buffer", graph=graph).problems
    assert len(as_text) == 7
    assert ([p.to_dict() for p in as_text]
            == [dict(p.to_dict(), file="buffer") for p in as_file])


@pytest.mark.parametrize("text, message", [
    ("akd:x akd:y akd:z .", "<string>:1:1: The prefix akd: has not been declared"),
    ("<a:s> <a:p> 'x' .\n<a:s> <a:p> '\ud800' .",
     "<string>:2:14: not Unicode text (a lone surrogate, U+D800)"),
    ("<a:s> <a:p> '\ud800' .", "<string>:1:14: not Unicode text (a lone surrogate, U+D800)"),
    ("", "<string>: holds no triples: nothing to check or add")])
def test_bad_turtle_text_raises_an_input_error_placed_in_it(graph, text, message):
    with pytest.raises(kg.InputError, match=re.escape(message)):
        kg.validate_text(text, graph=graph)


def test_turtle_text_past_the_input_limit_is_refused(graph, monkeypatch):
    import kg.loading

    monkeypatch.setattr(kg.loading, "MAX_INPUT_BYTES", 10)
    with pytest.raises(kg.InputError, match="^buffer: text is too large"):
        kg.validate_text("<a:s> <a:p> 'x' .", name="buffer", graph=graph)


@pytest.mark.parametrize("call, message", [
    (lambda g: kg.serve(g, timeout=-3),
     "timeout -3: give a number of seconds from 0 (no limit) to 86400"),
    (lambda g: kg.serve(g, workers=0), "serve workers 0: give a whole number from 1 to 64"),
    (lambda g: kg.serve(g, max_rows=-5), "serve max_rows -5: give a whole number from 1 up"),
    (lambda g: kg.serve(g, port=70000), "serve port 70000: give a whole number from 0 to 65535"),
    (lambda g: kg.push("http://127.0.0.1:9/store", graph=g, timeout=float("nan")),
     "timeout nan: give a number of seconds from 0 (no limit) to 86400"),
    (lambda g: kg.sparql("ASK {}", g, timeout=True),  # was taken as 1 s
     "timeout True: give a number of seconds from 0 (no limit) to 86400")])
def test_serve_and_push_refuse_what_the_cli_refuses(graph, call, message):
    """kg.serve took them, and then failed every query (500 or 503) or deep inside; a
    nan limit would reach kg.push's socket, which raises a ValueError."""
    with pytest.raises(kg.InputError) as refused:
        call(graph)
    assert str(refused.value) == message


def test_serve_on_a_port_in_use_is_an_input_error_as_in_the_cli(graph):
    """kg.serve raised the bare OSError; only the CLI made it the one line."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(kg.InputError) as refused:
            kg.serve(graph, port=port, workers=1)
    assert str(refused.value) == f"cannot listen on 127.0.0.1:{port}: Address already in use"


def test_typed_rows_give_numbers_as_numbers(graph):
    """As -f jsonl writes them; to_pandas uses them, so that a column of amounts sums."""
    rows = kg.sparql('SELECT ?n ?b ?d ?s WHERE { VALUES (?n ?b ?d ?s) '
                     '{ (431000000 true 1.5 "17") } }', graph)
    assert rows.to_dicts(typed=True) == [{"n": 431000000, "b": True, "d": 1.5, "s": "17"}]
    assert rows.to_dicts() == [{"n": "431000000", "b": "true", "d": "1.5", "s": "17"}]


def test_a_whole_decimal_is_typed_as_an_integer_a_double_as_a_float(graph):
    """The $5 billion amount ("5000000000.0"^^xsd:decimal) came out as 5000000000.0."""
    rows = kg.sparql('SELECT ?w ?f ?x WHERE { VALUES (?w ?f ?x) { (5000000000.0 0.18 5.0E0) } }', graph)
    typed = rows.to_dicts(typed=True)
    assert typed == [{"w": 5000000000, "f": 0.18, "x": 5.0}]
    assert [type(value) for value in typed[0].values()] == [int, float, float]


def test_dir_lists_the_api():
    assert {"open_graph", "run_query", "sparql", "validate", "InputError"} <= set(dir(kg))


def test_unknown_names_are_attribute_errors():
    try:
        kg.no_such_thing
    except AttributeError as error:
        assert str(error) == "module 'kg' has no attribute 'no_such_thing'"
    else:
        raise AssertionError("expected AttributeError")


def test_import_kg_stays_cheap():
    """The CLI's cold start depends on `import kg` not importing rdflib or the API."""
    code = "import sys, kg; print('rdflib' in sys.modules, 'kg.api' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "False False\n"


def test_curation_is_in_the_api_too(working_copy):
    """What kg add and kg fmt do, an integrator's script can do without the CLI."""
    candidate = Path(__file__).parent / "fixtures" / "curation" / "exercise-2015.ttl"
    assert kg.format_files(working_copy, check=True) == []
    result = kg.add(candidate, working_copy)
    assert not result.refused and result.added > 0
    assert result.written and all(path.parent == working_copy / "data" for path in result.written)
    assert kg.add(candidate, working_copy).added == 0  # already there
    assert kg.format_files(working_copy, check=True) == []
    assert kg.format_diff(working_copy) == ""
    shipped = working_copy / "data" / "countries.ttl"
    shipped.write_text(shipped.read_text() + "\n")
    assert kg.format_diff(working_copy).endswith(" .\n-\n")  # the blank line added


def test_every_api_name_is_reachable_from_kg():
    """A submodule of kg becomes an attribute of kg once imported, hiding an API name
    that shares its name: kg.catalog was the module kg/catalog.py, not the function."""
    import importlib
    import pkgutil

    import kg.api

    for module in pkgutil.iter_modules(kg.__path__):
        if module.name != "__main__":  # which runs the CLI
            importlib.import_module(f"kg.{module.name}")
    assert {name: getattr(kg, name) for name in kg.api.__all__} == \
        {name: getattr(kg.api, name) for name in kg.api.__all__}


def test_queries_lists_the_canned_queries():
    queries = kg.queries()
    assert {"co-production", "timeline"} <= set(queries)
    assert queries["co-production"].parameters[0].name == "system"


def test_a_result_term_can_be_given_back_as_a_value(graph):
    """An integrator feeds a node of one result into the next query: str() of a
    pyoxigraph NamedNode is `<IRI>`, which named no entity."""
    system = kg.run_query("co-production", {"system": "PAC-3"}, graph).terms[0][0]
    assert len(kg.run_query("co-production", {"system": system}, graph)) == \
        len(kg.run_query("co-production", {"system": "PAC-3"}, graph))
    assert len(kg.describe(system, graph)) == len(kg.describe("PAC-3", graph))
    year = kg.sparql('SELECT ?y WHERE { BIND("2020"^^xsd:integer AS ?y) }', graph).terms[0][0]
    assert len(kg.run_query("timeline", {"from": year}, graph)) == \
        len(kg.run_query("timeline", {"from": 2020}, graph))


def test_a_value_of_none_leaves_the_parameter_out(graph):
    """{"system": None} is how a script says "no system", not the name 'None'."""
    assert len(kg.run_query("co-production", {"system": None}, graph)) == \
        len(kg.run_query("co-production", {}, graph))


def test_a_missing_sources_folder_is_an_error(graph, working_copy, tmp_path):
    """As with `kg validate --sources`: a mistyped folder once gave a warning for every
    quote of the graph instead of one error."""
    nowhere = tmp_path / "nowhere"
    candidate = Path(__file__).parent / "fixtures" / "curation" / "exercise-2015.ttl"
    for call in (lambda: kg.validate(graph=graph, sources=nowhere),
                 lambda: kg.add(candidate, working_copy, sources=str(nowhere))):
        try:
            call()
        except kg.InputError as error:
            assert str(error) == f"{nowhere}: sources folder not found"
        else:
            raise AssertionError("expected kg.InputError")
    assert not (working_copy / "data" / candidate.name).exists()  # nothing was added


def test_an_unusable_timeout_is_an_input_error(graph):
    """As `kg sparql --timeout` refuses them: a negative limit timed out at once, nan
    and a limit beyond a day escaped as ValueError and OverflowError."""
    for seconds in (-1, float("nan"), float("inf"), 1e12, "5"):
        try:
            kg.sparql("ASK { ?s ?p ?o }", graph, timeout=seconds)
        except kg.InputError as error:
            assert str(error) == (f"timeout {seconds!r}: give a number of seconds from 0 "
                                  f"(no limit) to 86400")
        else:
            raise AssertionError(f"expected kg.InputError for {seconds!r}")
    for seconds in (None, 0, 0.5, 86_400):
        assert kg.sparql("ASK { ?s ?p ?o }", graph, timeout=seconds).boolean


def test_rdflib_graph_takes_a_compiled_graph_as_the_others_do(tiny_copy):
    tiny = kg.open_graph(tiny_copy)
    assert len(kg.rdflib_graph(graph=tiny)) == len(kg.rdflib_graph(tiny_copy)) < 5000
    assert len(kg.rdflib_graph(inferred=False, graph=tiny)) < len(kg.rdflib_graph(graph=tiny))


def test_the_api_docstring_example_runs():
    import doctest

    import kg.api

    assert doctest.testmod(kg.api).failed == 0


def readme_api_blocks() -> list[str]:
    """The Python code blocks of the README's Python API section."""
    import re

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_the_readmes_api_script_runs_as_it_is(tmp_path):
    """Run verbatim, it failed on names it never defined (buffer) and on kg.serve called
    outside `if __name__ == "__main__":`; the writing calls are a block of their own."""
    import subprocess
    import sys

    script = tmp_path / "example.py"
    script.write_text(readme_api_blocks()[0], encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "Mitsubishi Heavy Industries licensee American Action Forum 2015" in lines
    assert any(line.startswith("my-facts.ttl:2:11 violation akd:typo is not declared")
               for line in lines)
    assert lines[-1].startswith("http://127.0.0.1:") and lines[-1].endswith("/sparql")


def test_the_readme_calls_the_api_as_it_is():
    """Each kg.NAME(...) of the README's Python API section names an API function and
    passes it arguments it takes."""
    import ast
    import inspect

    code = "\n".join(readme_api_blocks())
    calls = [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
             and node.func.value.id == "kg"]
    assert len(calls) >= 10
    for call in calls:
        function = getattr(kg, call.func.attr)
        inspect.signature(function).bind(*call.args, **{k.arg: k.value for k in call.keywords})


def test_the_api_leaves_rdflib_logging_as_it_was(tiny_copy, caplog):
    """kg quiets rdflib's log line for each ill-typed literal while it converts terms
    (kg.lint reports them), but kg.rdflib_graph() once quieted it for the whole process:
    the integrator's own rdflib warnings were gone."""
    import rdflib

    kg.rdflib_graph(graph=kg.open_graph(tiny_copy))
    rdflib.Literal("not a number", datatype=rdflib.XSD.integer)
    assert "Failed to convert Literal" in caplog.text


def test_a_graph_in_the_place_of_params_is_named_as_the_mistake(graph):
    """sparql(text, graph) and describe(term, graph) take the graph second, run_query
    takes params there: run_query(name, graph) raised AttributeError: 'CompiledGraph'
    object has no attribute 'items'."""
    try:
        kg.run_query("members", graph)
    except TypeError as error:
        assert str(error) == "run_query params: a dict of parameter values, not a CompiledGraph"
    else:
        raise AssertionError("expected TypeError")


@pytest.mark.parametrize("endpoint, graph_iri, message", [
    ("file:///etc/passwd", None, "'file:///etc/passwd' is not an http:// or https:// URL"),
    ("http://127.0.0.1:7878/store", "my graph", "graph 'my graph' is not an absolute IRI"),
])
def test_push_refuses_its_target_before_compiling_a_graph(monkeypatch, endpoint, graph_iri,
                                                          message):
    """Compiling a large graph takes a minute, to be thrown away on a mistyped URL."""
    def compiling(*args):
        raise AssertionError("the graph was compiled")

    monkeypatch.setattr(kg.api, "open_graph", compiling)
    with pytest.raises(kg.InputError, match=re.escape(message)):
        kg.push(endpoint, graph_iri)


def test_rows_iterate_as_dicts_of_plain_values(graph):
    rows = kg.run_query("co-production", {"system": "PAC-3"}, graph)
    assert list(rows) == rows.to_dicts()
    assert "https://w3id.org/alliance-kg/id/japan" in {row["participant"] for row in rows}


@pytest.mark.parametrize("fmt", ["csv", "table", "json"])
def test_rows_as_text_are_what_kg_query_prints(graph, fmt):
    from click.testing import CliRunner

    from kg.cli import cli

    printed = CliRunner().invoke(cli, ["query", "co-production", "--system", "PAC-3", "-f", fmt])
    assert printed.exit_code == 0
    rows = kg.run_query("co-production", {"system": "PAC-3"}, graph)
    assert rows.to_text(fmt, label=graph.label) == printed.stdout
    assert "https://w3id.org/alliance-kg/id/japan" in rows.to_text(fmt)  # IRIs unless labelled


def test_serve_gives_a_sparql_endpoint_to_run_in_a_thread(graph):
    import json
    import threading
    import urllib.parse
    import urllib.request

    server = kg.serve(graph, port=0, workers=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        query = urllib.parse.urlencode({"query": "ASK { ?s a ak:Alliance }"})
        with urllib.request.urlopen(f"{server.url}/sparql?{query}", timeout=30) as response:
            assert json.load(response) == {"head": {}, "boolean": True}
    finally:
        server.shutdown()
        server.server_close()


def test_rows_as_text_in_an_unknown_format_is_an_input_error(graph):
    with pytest.raises(kg.InputError, match="unknown format 'xml': use one of table, csv"):
        kg.run_query("members", {}, graph).to_text("xml")


def test_describe_reads_a_one_word_preposition_as_a_link_to_the_entity(graph):
    """A money figure is ak:about the SM-3 Block IIA co-development: from the program's
    side that is "← about" (what the figure is about), not "about of"."""
    rows = kg.describe("akd:co-development-sm-3-block-iia", graph).to_dicts(label=graph.label)
    statements = {row["statement"] for row in rows}
    assert "← about" in statements and "about of" not in statements


def test_describe_reads_a_link_back_by_its_inverse_label(graph):
    """Aegis BMD ak:counters the ballistic-missile threat: under the threat that reads
    "countered by Aegis BMD" (ak:inverseLabel), not "counters of", which reads backwards."""
    rows = kg.describe("akc:ballistic-missile", graph).to_dicts(label=graph.label)
    countered_by = {row["value"] for row in rows if row["statement"] == "countered by"}
    assert "Aegis BMD system" in countered_by and len(countered_by) == 7  # systems
    assert not {row["statement"] for row in rows} & {"counters of", "broader of", "related of"}


def test_describe_backs_a_role_with_a_quote_that_mentions_its_value(graph):
    """"the two countries" names neither party: the citation's ak:mentions says whom it
    means, which the canned queries read and describe did not (no quote on either party)."""
    rows = kg.describe("akd:mou-1999-us-japan-bmd", graph).to_dicts(label=graph.label)
    parties = {(row["value"], row["quote"]) for row in rows if row["statement"] == "party"}
    quote = "In 1999, the two countries signed a Memorandum of Understanding for joint " \
            "research and development of BMD."
    assert parties == {("Japan", quote), ("United States", quote)}


def test_describe_backs_each_value_with_the_quote_that_mentions_it(graph):
    """Both quotes of the Camp David summit back its participants: the leaders' rows took
    the pact's quote too, which names no leader, or the countries' the leaders' caption."""
    rows = kg.describe("akd:camp-david-summit-2023", graph).to_dicts(label=graph.label)
    quotes = {}
    for row in rows:
        if row["statement"] == "participant":
            quotes.setdefault(row["value"], set()).add(row["quote"][:12])
    assert quotes == {"Japan": {"Underpinning"}, "South Korea": {"Underpinning"},
                      "United States": {"Underpinning"}, "Fumio Kishida": {"President Yo"},
                      "Joe Biden": {"President Yo"}, "Yoon Suk-yeol": {"President Yo"}}


def test_describe_reads_a_scheme_s_links_back_once_and_by_name(graph):
    """A concept scheme: its concepts' skos:inScheme reads back as "has concept", not
    "inScheme of", and each concept's skos:topConceptOf is not listed again beside the
    scheme's own skos:hasTopConcept ("topConceptOf of")."""
    rows = kg.describe("akc:threats", graph).to_dicts(label=graph.label)
    statements = [row["statement"] for row in rows]
    assert "inScheme of" not in statements and "topConceptOf of" not in statements
    assert statements.count("has concept") == 10
    assert statements.count("skos:hasTopConcept") == 5
    assert len(rows) == len({tuple(row.values()) for row in rows})


def test_describe_gives_the_links_inference_adds_on_request(graph):
    """Japan operates PAC-3 only by inference: describe showed none of the shortcuts the
    README promotes. With inferred=True they come, under their most specific property
    (operator of, not also involved with) and not as facts or links shown already."""
    rows = kg.describe("Japan", graph, inferred=True).to_dicts(label=graph.label)
    inferred = {(row["statement"], row["value"]) for row in rows
                if row["statement"].endswith(" (inferred)")}
    assert ("operator of (inferred)", "Patriot Advanced Capability-3") in inferred
    assert ("member of (inferred)", "Quad") in inferred
    assert ("involved with (inferred)", "Patriot Advanced Capability-3") not in inferred
    assert not [v for s, v in inferred if s.startswith("participates in")]
    assert not any(row["statement"].endswith(" (inferred)")
                   for row in kg.describe("Japan", graph).to_dicts(label=graph.label))
    assert not [row for row in kg.describe("PAC-3", graph, inferred=True).to_dicts(label=graph.label)
                if row["statement"] == "has variant (inferred)"]  # shown as "has variant"


def test_describe_gives_a_role_the_quotes_that_back_it(graph):
    """The SM-3 Block IIA co-development cites five quotes; those about Raytheon's roles
    say which they back (ak:supports), so its contractor row quotes the contract, not all
    five, and its developer row the quote that mentions it. Of the quotes that back a
    role, or of all where none says so, those that name the entity (Japan is licensee of
    PAC-3 production by the deal's quote, MHI by its own), else all (Japan is developer
    in a research program by two quotes that name no country)."""
    rows = kg.describe("Raytheon", graph).to_dicts(label=graph.label)
    quotes = {}
    for row in rows:
        quotes.setdefault(row["statement"], set()).add(row["quote"])
    assert quotes["contractor of"] == {"The U.S. government contracted with Raytheon, and the "
                                       "Japanese government contracted with Mitsubishi Heavy "
                                       "Industries."}
    # of the two that back ak:developer, the one that mentions the companies, not the
    # one on the two countries
    assert quotes["developer of"] == {
        "Both companies were responsible for developing specific parts of the program."}
    japan = kg.describe("Japan", graph).to_dicts()
    assert {row["quote"][:30] for row in japan if row["statement"] == "developer of"
            and row["value"].endswith("co-development-sm-3-block-iia")} == {
        "Currently, the two countries a"}
    cited = {(row["value"], row["quote"][:20]) for row in kg.describe(
        "akd:co-development-sm-3-block-iia", graph).to_dicts() if row["statement"] == "cited in"}
    assert cited == {("contractor", "The U.S. government "), ("developer", "Both companies were "),
                     ("developer", "Currently, the two c"), ("funder", "The United States ha"),
                     ("funder", "The two countries ag")}
    def quotes_of(entity, statement, value):
        return {row["quote"][:30] for row in kg.describe(entity, graph).to_dicts(label=graph.label)
                if row["statement"] == statement and row["value"].startswith(value)}

    pac3 = "Licensed production of PAC-3"
    assert quotes_of("Japan", "licensee of", pac3) == {"In addition to Foreign Militar"}
    assert quotes_of("MHI", "licensee of", pac3) == {"Under this agreement, Mitsubis"}
    assert quotes_of("SM-3 Block IIA", "system of", "U.S.-Japan co-development") == {
        "Currently, the two countries a"}
    assert quotes_of("Japan", "developer of", "U.S.-Japan cooperative technical research") == {
        "The first step was establishin", "This program was focused on de"}  # neither names it


RESEARCH_WITH_MAKER_A = """
akd:research a ak:CoDevelopmentProgram ; rdfs:label "Research with Maker A"@en ;
    ak:developer akd:maker-a , akd:maker-b ;
    ak:citation [ ak:inSource akd:source-test ; ak:quote "{}" ] ,
                [ ak:inSource akd:source-test ; ak:quote "The research began in 2019." ] .
"""


@pytest.mark.parametrize("quote, named", [
    ("Ask ma how the research went.", False),  # "ma" is a word, not Maker A's MA
    ("MA ran the research.", True), ("Maker A's research went well.", True),
    ("The makers a research", False)])
def test_describe_finds_a_name_in_capitals_only_in_capitals(tiny_copy, quote, named):
    """A role's quotes are those that name the entity, if any do: by a name without small
    letters (US, NATO) only where the quote writes it so, or "told us" named the US."""
    data = tiny_copy / "data" / "tiny.ttl"
    data.write_text(data.read_text() + RESEARCH_WITH_MAKER_A.format(quote))
    graph = kg.open_graph(tiny_copy)

    def quotes(entity):
        return {row["quote"] for row in kg.describe(entity, graph).to_dicts(label=graph.label)
                if row["statement"] == "developer of"}

    both = {quote, "The research began in 2019."}
    assert quotes("Maker A") == ({quote} if named else both)
    assert quotes("Maker B") == both


def test_describe_gives_an_entity_s_own_statements_the_quotes_that_back_them(graph):
    """An entity's own statements (counters, basing) had no source: they are backed by the
    entity's quotes that name the value, or that say they back the property (Iron Beam's
    counter-drone quote names no drone); a statement no quote names keeps none."""
    def quotes(entity):
        found = {}
        for row in kg.describe(entity, graph).to_dicts(label=graph.label):
            found.setdefault((row["statement"], row["value"]), set()).add(row["quote"])
        return found

    sm3 = quotes("SM-3 Block IIA")
    assert sm3[("counters", "ballistic missile")] == {
        "The new interceptors, which will feature an increase in velocity, range, and divert "
        "capability, will be able to defeat longer-range ballistic missiles and are scheduled "
        "to be deployed in 2018."}
    assert sm3[("basing", "sea")] == {
        "In addition to improving sea-based missile defense with the SM-3 Block IIA "
        "interceptors, there are next generation upgrades for land-based BMD on the horizon."}
    assert sm3[("status", "in development")] == {None}
    # a name that ends in punctuation: "U.S." was sought as " u s  ", two spaces, never found
    [quote] = quotes("Lloyd Austin")[("country", "United States")]
    assert quote.startswith("The meeting took place during U.S. Defense Secretary Lloyd Austin")
    assert sm3[("rdfs:label", "SM-3 Block IIA")] == {None}  # not an ak: property
    assert quotes("Iron Beam")[("counters", "attack drone")] == {
        "That's why the US and Israel are working together on the Iron Beam defense system, a "
        "high-energy laser that costs a fraction of conventional interceptors and flips the "
        "cost-benefit ratio on its head."}
    # a quote whose citation says what it backs backs only that: "The U.S. government
    # contracted with Raytheon" names the United States, but backs Raytheon's comment, and
    # its country is background knowledge
    raytheon = quotes("Raytheon")
    assert raytheon[("country", "United States")] == {None}
    [quote] = raytheon[("rdfs:comment", "U.S. government contractor for the co-development of "
                                        "SM-3 Block IIA.")]
    assert quote.startswith("The U.S. government contracted with Raytheon")


@pytest.mark.parametrize("call, message", [
    (lambda g: kg.run_query(5, None, g), "run_query name: a canned query's name, not a int"),
    (lambda g: kg.run_query("co-production", None, "data"),
     "graph: kg.open_graph(data), not a str"),
    (lambda g: kg.sparql(b"ASK {}", g), "sparql text: the query, not a bytes"),
    (lambda g: kg.sparql(None, g), "sparql text: the query, not a NoneType"),
    (lambda g: kg.describe(None, g),
     "describe term: a name or a result's NamedNode, not a NoneType"),
    (lambda g: kg.stats("data"), "graph: kg.open_graph(data), not a str"),
    (lambda g: kg.push(None, graph=g), "push endpoint: the store's URL, not a NoneType"),
    (lambda g: kg.validate(5, graph=g), "files: a path or a list of paths, not a int"),
    (lambda g: kg.validate([None], graph=g), "files: a path or a list of paths, not a NoneType"),
    (lambda g: kg.validate_text(b"", graph=g), "validate_text turtle: the Turtle as a str, not a bytes"),
    (lambda g: kg.validate_text("", name=None, graph=g),
     "validate_text name: what messages call the text, not a NoneType"),
    (lambda g: kg.add(5, data="no such folder"), "files: a path or a list of paths, not a int"),
    (lambda g: kg.run_query("co-production", {"system": ["PAC-3"]}, g),
     "parameter system: one text, number, date or term, not a list"),
    (lambda g: kg.serve(g, port="80a"), "serve port: a whole number, not a str"),
    (lambda g: kg.serve(g, port=True), "serve port: a whole number, not a bool"),
    (lambda g: kg.serve(g, host=3), "serve host: a host name or IP address, not a int"),
    (lambda g: kg.serve(g, quiet="no"), "serve quiet: True or False, not a str"),
    (lambda g: kg.remote.sparql("ASK {}", None), "endpoint: the store's URL, not a NoneType"),
    (lambda g: kg.remote.sparql(b"ASK {}", "http://127.0.0.1:9/query"),
     "sparql text: the query, not a bytes"),
    (lambda g: kg.remote.run_query("co-production", {}, g, 5),
     "endpoint: the store's URL, not a int"),
    (lambda g: kg.open_graph(3), "data: a working copy's or data folder's path, not a int"),
    (lambda g: kg.queries(3), "data: a working copy's or data folder's path, not a int"),
    (lambda g: kg.validate(graph=g, sources=3), "sources: a folder's path, not a int"),
    (lambda g: kg.sparql("ASK {}", g).to_text("csv", label=3),
     "label: a function such as graph.label, not a int"),
    (lambda g: kg.sparql("ASK {}", g).to_dicts(label="x"),
     "label: a function such as graph.label, not a str"),
    (lambda g: kg.export_graph(None, graph=g), "export_graph fmt: one of turtle, ntriples, "
     "rdfxml, jsonld, trig, nquads, graphml, csv, void, not a NoneType"),
    (lambda g: kg.rdflib_graph(inferred="no", graph=g), "rdflib_graph inferred: True or False, not a str"),
    (lambda g: kg.export_graph("trig", graph=g, store_layout="yes"),
     "export_graph store_layout: True or False, not a str"),
    (lambda g: kg.describe("Japan", g, inferred=1), "describe inferred: True or False, not a int"),
    (lambda g: kg.networkx_graph(collapse_facts="yes", graph=g),
     "networkx_graph collapse_facts: True or False, not a str"),
    (lambda g: kg.format_files(check="yes"), "format_files check: True or False, not a str"),
    # these three gave internal errors: AttributeError, or pyoxigraph's own message
    (lambda g: kg.run_query("co-production", {"sytem": 1}, g, flag=None),
     "run_query flag: how errors spell a parameter, such as \"--{}\", not a NoneType"),
    (lambda g: g.label("akd:japan"), "label node: a NamedNode or BlankNode of a result (for "
     "a name: kg.describe), not a str"),
    (lambda g: kg.push("http://127.0.0.1:9/store", graph_iri=1, graph=g),
     "push graph_iri: an absolute IRI, not a int"),  # was named `graph`, another argument
    # a str was taken for its characters: "participant_role" dropped both columns
    (lambda g: kg.sparql("SELECT ?a ?b {}", g).without("a_b"),
     "Rows.without: a list of column names, not one str: write ['a_b']"),
    (lambda g: kg.validate(b"x.ttl", graph=g), "files: a path or a list of paths, not a bytes"),
    (lambda g: kg.rdflib_graph("elsewhere", graph=g),  # the data was not used
     "give graph or data, not both (a graph is already that of some data)"),
    (lambda g: kg.open_graph(progress=1),  # failed only when a build ran
     "open_graph progress: a function of one step's text, not a int"),
    (lambda g: kg.open_graph(reasoner=None), "open_graph reasoner: 'rules' or 'owlrl', not a NoneType"),
    (lambda g: kg.run_query("co-production", {"system": (n for n in ["PAC-3"])}, g),
     "parameter system: one text, number, date or term, not a generator"),  # '<generator...>'
    (lambda g: kg.sparql("ASK {}", g, origin=1), "sparql origin: the query's file name, or \"\", not a int")])
def test_an_argument_of_the_wrong_type_is_a_type_error_naming_it(graph, call, message):
    """These gave AttributeError from deep inside ('str' object has no attribute
    'inputs'), a regex's complaint about bytes, or, for describe(None), a search for an
    entity named "None" ("did you mean: drone?")."""
    with pytest.raises(TypeError) as raised:
        call(graph)
    assert str(raised.value) == message


@pytest.mark.parametrize("query, columns", [
    ("SELECT * WHERE { ?system ak:counters ?threat . ?system rdfs:label ?a }",
     ["system", "threat", "a"]),
    ("SELECT DISTINCT * { ?z a ak:Alliance { SELECT ?z (STR(?z) AS ?b) WHERE { ?z ?p ?o } } }",
     ["z", "b"]),
    ("SELECT ?threat ?a ?system WHERE { ?system ak:counters ?threat . ?system rdfs:label ?a }",
     ["threat", "a", "system"]),   # as projected
])
def test_select_star_columns_come_in_written_order(graph, query, columns):
    """As Jena and rdflib give them; Oxigraph sorts them by name."""
    rows = kg.sparql(query + " LIMIT 1", graph)
    assert rows.variables == columns and len(rows.terms[0]) == len(columns)
    assert rows.to_dicts()[0][columns[0]] == rows.terms[0][0].value


def test_a_construct_keeps_its_columns_with_a_select_star_inside(graph):
    """Its rows are subject, predicate, object: they came as object, predicate, subject."""
    rows = kg.sparql("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * WHERE { ?object ?predicate "
                     "?subject . ?object a ak:Alliance } } BIND(?object AS ?s) "
                     "BIND(?predicate AS ?p) BIND(?subject AS ?o) }", graph)
    assert rows.variables == ["subject", "predicate", "object"] and len(rows) > 0


def test_a_canned_select_star_gives_its_columns_in_written_order(tiny_copy):
    (tiny_copy / "queries" / "star.rq").write_text(
        "# title: t\n# param what: entity, optional -- w\n"
        "SELECT * WHERE { ?zone a ?kind OPTIONAL { ?zone ak:country ?param_what } }\n")
    rows = kg.run_query("star", {}, kg.open_graph(tiny_copy))
    assert rows.variables == ["zone", "kind"] and len(rows) > 0


@pytest.mark.parametrize("call, error, message", [
    (lambda g: kg.run_query("co-production", {"sytem": 1}, g, flag="{x}"), ValueError,
     "run_query flag '{x}': one {} for the parameter's name and no other brace, as in \"--{}\""),
    (lambda g: kg.sparql("SELECT ?a {}", g).columns(["b"]), KeyError,
     "\"Rows.columns: no column 'b' (the columns: a)\""),
    (lambda g: kg.validate_text("<a:s> <a:p> <a:o> .", graph=g).at_or_above("bogus"),
     ValueError, "severity 'bogus': one of info, warning, violation"),
    (lambda g: kg.sparql('ASK { ?s ?p "\ud800" }', g), kg.InputError,
     "sparql text: not UTF-8 text (character 14): give it in UTF-8"),
    (lambda g: kg.absent_names('ASK { ?s ?p "\ud800" }', g), kg.InputError,
     "absent_names text: not UTF-8 text (character 14): give it in UTF-8"),
    (lambda g: kg.add([], data="."), kg.InputError,
     "add: no candidate files given: name the Turtle files to add"),
    (lambda g: kg.open_graph(""), kg.InputError, "'' names no data folder: give its path"),
    (lambda g: kg.validate(sources="", graph=g), kg.InputError,
     "'' names no sources folder: give its path"),
])
def test_a_mistaken_call_is_an_error_naming_the_argument(graph, call, error, message):
    """Each gave an internal error (KeyError 'x', a bare "'b' is not in list",
    pyoxigraph's UnicodeEncodeError), or a wrong answer: add([]) reported the whole
    working copy's problems, and '' was taken for the current folder."""
    with pytest.raises(error) as raised:
        call(graph)
    assert str(raised.value) == message


def test_columns_may_be_any_iterable_of_names(graph):
    """A generator was read once, to find the columns: the header came out empty."""
    rows = kg.sparql("SELECT ?a ?b ?c { VALUES (?a ?b ?c) { (1 2 3) } }", graph)
    picked = rows.columns(name for name in ["c", "a"])
    assert (picked.variables, picked.to_dicts()) == (["c", "a"], [{"c": "3", "a": "1"}])
    assert rows.without({"b"}).variables == ["a", "c"]


def test_an_ask_result_is_true_only_when_its_answer_is(graph):
    """It has its one row either way: `if kg.sparql("ASK ...")` was always taken."""
    assert not kg.sparql("ASK { akd:japan a ak:Alliance }", graph)
    assert kg.sparql("ASK { akd:japan a ak:Country }", graph)
    assert not kg.sparql("SELECT * {} LIMIT 0", graph) and kg.sparql("SELECT * {}", graph)


def test_validation_from_several_threads_at_once():
    """pyshacl parses its SPARQL with pyparsing, which learns how to call each parse
    action on its first call, not thread-safely: in a new process, each of two threads
    validating at once failed, with an error blamed on the shapes."""
    script = """if True:
        import threading, kg
        graph = kg.open_graph()
        turtle = "PREFIX akd: <https://w3id.org/alliance-kg/id/>\\nakd:pac-3 akd:typo akd:japan .\\n"
        reports = []
        threads = [threading.Thread(target=lambda: reports.append(
            [p.shape for p in kg.validate_text(turtle, graph=graph).problems])) for _ in range(3)]
        for thread in threads: thread.start()
        for thread in threads: thread.join()
        print(reports)
    """
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout == f"{[['kg:undeclared-property']] * 3}\n", done.stderr
