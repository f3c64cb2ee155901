"""The `kg` command line: a thin layer over kg.api.

Exit codes: 0 success; 1 validation found problems at or above --fail-on (kg validate, and
kg add, which then writes nothing) or kg fmt --check found a file to reformat; 2 bad usage,
unusable input or output that cannot be written; 141 the output was closed early
(`kg query ... | head`). Every error is one line on stderr, without a traceback.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import click

from kg import __version__
from kg.errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, KGError, cut
from kg.output import FORMATS, TRIPLE_FORMATS
from kg.safety import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, MAX_TIMEOUT, MAX_WORKERS,
                       PUSH_TIMEOUT)

# The reader closed the output (`kg query ... | head`): the status of a command that
# SIGPIPE stopped (128 + 13), which no other outcome of kg shares.
EXIT_OUTPUT_CLOSED = 141
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C stopped

EXAMPLES = """
\b
Examples:
  kg query co-production                      who co-produces what
  kg query co-production --system PAC-3 --format csv
  kg queries                                  the canned queries and their parameters
  kg query counters --help                    one canned query and its parameters
  kg sparql 'SELECT ?s WHERE { ?s a ak:Alliance }'
  kg describe "SM-3 Block IIA"                every fact about one entity, with sources
  kg stats                                    counts per class and per source
  kg validate                                 check the graph against the SHACL shapes
  kg --data . validate new.ttl                check candidate facts before adding them
  kg --data . add new.ttl                     validate, then merge them into data/
"""


class OneLineError(click.ClickException):
    """An error shown as one line on stderr, `kg: error: ...`, and its exit code: every
    KGError, and click's usage errors (click would add the usage and a hint on lines of
    their own)."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        from kg.output import visible

        # some messages (click's list of choices, an engine's excerpt) span lines; a file
        # name, a store's reply or a parser's excerpt may hold control characters (NUL, a
        # terminal's escape), which reach the terminal escaped
        one_line = re.sub(r"\s*\n\s*", " ", self.message.strip())
        click.echo("kg: error: " + visible(one_line), err=True)


class KGGroup(click.Group):
    """Every error, in parsing the options or running a command, as one line."""

    def make_context(self, *args, **kwargs):
        with one_line_errors():  # `kg --no-such-option`, a bad --data, `kg --help | head`
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with one_line_errors():  # an unknown command, a command's bad options or input
            return super().invoke(ctx)


@contextmanager
def one_line_errors():
    try:
        yield
    except BrokenPipeError:  # before click, which would exit 1 ("validation failed")
        output_closed()
    except click.exceptions.NoArgsIsHelpError:  # a bare `kg`: the help, as click shows it
        raise
    except click.UsageError as exc:
        if isinstance(exc, click.NoSuchOption) and exc.ctx and kg_option(exc.option_name):
            raise OneLineError(after_the_command(exc.option_name, exc.ctx.command_path)) from None
        help_hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        raise OneLineError(exc.format_message().rstrip(".") + help_hint) from None
    except KGError as exc:
        raise OneLineError(str(exc), exc.exit_code) from None


def kg_option(option: str) -> click.Option | None:
    """The option of `kg` itself (-q, --data ...) that `option` names, if it does."""
    return next((param for param in cli.params  # not --version, which ends kg at once
                 if isinstance(param, click.Option) and not param.is_eager
                 and option in param.opts + param.secondary_opts), None)


def after_the_command(option: str, command_path: str) -> str:
    """The error for kg's own option given after a command (`kg sparql -q ...`)."""
    param = kg_option(option)
    given = option if param.is_flag else f"{option} {param.metavar or 'VALUE'}"
    command = command_path.split(" ", 1)[-1]
    return (f"{option} is an option of kg itself: give it before the command "
            f"(kg {given} {command} ...)")


class Settings:
    def __init__(self, data: str | None, verbosity: int):
        self.data = data
        self.verbosity = verbosity
        self._graph = None
        self.open_seconds = 0.0  # what opening (or building) the graph took, once opened

    def graph(self):
        """The compiled graph, built (with a progress line on a terminal) if needed."""
        from kg.store import open_graph

        if self._graph is None:
            started = time.perf_counter()
            self._graph = open_graph(self.data, progress=self.progress)
            self.open_seconds = time.perf_counter() - started
            if self.verbosity > 0:
                click.echo(f"kg: graph {self._graph.path} ({self.open_seconds:.2f} s to open)",
                           err=True)
        return self._graph

    def progress(self, step: str) -> None:
        if self.verbosity > 0 or (self.verbosity == 0 and sys.stderr.isatty()):
            click.echo(f"kg: building the compiled graph: {step}...", err=True)


pass_settings = click.make_pass_decorator(Settings)


@click.group(cls=KGGroup, epilog=EXAMPLES)
@click.version_option(__version__, prog_name="kg")
@click.option("--data", metavar="DIR", envvar="KG_DATA",
              help="A working copy (or its data/ folder) to read instead of the bundled graph. "
                   "Also $KG_DATA.")
@click.option("-q", "--quiet", "verbosity", flag_value=-1, help="Print only results and errors.")
@click.option("-v", "--verbose", "verbosity", flag_value=1, help="Also print timings and paths.")
@click.pass_context
def cli(ctx, data, verbosity):
    """alliance-kg: a source-cited knowledge graph of alliances and missile defense."""
    # rdflib warns of an ill-typed literal ("Parsing weird boolean") as it reads it;
    # validation reports it, at its line (kg:ill-typed-literal), and a warning would not.
    warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
    ctx.obj = Settings(data, verbosity or 0)


def page_options(command):
    """--offset and --limit, for a page of a long answer: the command gets `page`, which
    gives that page of its rows (of a CONSTRUCT's triples; an ASK's answer whole) and
    notes on stderr which rows they are."""
    @click.option("--offset", type=click.IntRange(min=0), default=0,
                  help="Leave out this many rows first (with --limit: one page of a long answer).")
    @click.option("--limit", type=click.IntRange(min=0), help="Print at most this many rows.")
    @functools.wraps(command)
    def wrapper(*args, offset, limit, **kwargs):
        def page(rows):
            if rows.boolean is not None:
                return rows
            shown = rows.page(offset, limit)
            settings = click.get_current_context().find_object(Settings)
            if len(shown) < len(rows) and settings.verbosity >= 0:
                which = (f"rows {offset + 1}-{offset + len(shown)} of {len(rows)}" if len(shown)
                         else f"0 rows of {len(rows)}" if limit == 0
                         else f"--offset {offset} is past all {len(rows)} rows")
                click.echo(f"kg: note: {which}", err=True)
            return shown

        return command(*args, page=page, **kwargs)
    return wrapper


def row_output(command=None, *, triples: bool = False):
    """The output options shared by every command that prints rows; with `triples`, also
    Turtle and N-Triples for the triples of a CONSTRUCT or DESCRIBE (`@row_output(triples=True)`)."""
    if command is None:
        return functools.partial(row_output, triples=triples)
    formats = FORMATS + (TRIPLE_FORMATS if triples else ())
    help_text = "Output format; json is SPARQL 1.1 Results JSON." + (
        " turtle/ntriples: a CONSTRUCT's or DESCRIBE's triples as RDF." if triples else "")

    @click.option("--format", "-f", "fmt", type=click.Choice(formats), default="table",
                  show_default=True, help=help_text + " Also as a flag: --csv, --json ...")
    @click.option("--iris", is_flag=True, help="Show raw IRIs instead of labels.")
    @functools.wraps(command)
    def wrapper(*args, fmt, iris, **kwargs):
        settings = click.get_current_context().find_object(Settings)
        started, opening = time.perf_counter(), settings.open_seconds
        rows = command(*args, **kwargs)
        # the graph's opening has a line of its own (-v)
        ran = time.perf_counter() - started - (settings.open_seconds - opening)
        from kg.output import write_rows, write_triples

        printing = time.perf_counter()
        if fmt in TRIPLE_FORMATS:
            if not rows.triples:
                raise KGError(f"--format {fmt} writes the triples of a CONSTRUCT or DESCRIBE "
                              f"query; this one gives rows: use table, csv, tsv, json, jsonl "
                              f"or markdown")
            write_triples(rows.terms, fmt)
        else:
            label = None if iris else settings.graph().label
            write_rows(rows.variables, rows.terms, fmt, label, boolean=rows.boolean,
                       count=settings.verbosity >= 0)
        if settings.verbosity > 0:
            running = "to read back the results kept" if rows.kept else "to run"
            click.echo(f"kg: {len(rows)} row{'s' if len(rows) != 1 else ''}: {ran:.2f} s "
                       f"{running}, {time.perf_counter() - printing:.2f} s to print", err=True)

    # a flag for each format, as sqlite-utils has: --csv is --format csv (the last one
    # given wins)
    for name in formats:
        wrapper = click.option(f"--{name}", "fmt", flag_value=name, hidden=True)(wrapper)
    return wrapper


class TimeLimit(click.FloatRange):
    """Seconds from 0 (no limit) to a day. FloatRange alone lets nan through (every
    comparison with it is false), a huge limit overflows the thread timer, and Python's
    float reads other scripts' digits and underscores ('٣', '1_0')."""

    name = "number of seconds"  # click's message: "'3s' is not a valid number of seconds"

    def __init__(self):
        super().__init__(min=0, max=MAX_TIMEOUT)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and (not value.isascii() or "_" in value):
            self.fail(f"{value!r} is not a valid number of seconds", param, ctx)
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a valid number of seconds", param, ctx)
        return seconds


class PortNumber(click.IntRange):
    """A TCP port, 0 (any free one) to 65535; click's own name for the type is "integer
    range" ("'80abc' is not a valid integer range")."""

    name = "port number"

    def __init__(self):
        super().__init__(min=0, max=65535)


def timeout_option(help_text: str, default: float = DEFAULT_TIMEOUT):
    return click.option("--timeout", type=TimeLimit(), default=default,
                        show_default=True, metavar="SECONDS", help=help_text)


def existing_folder(ctx, param, value: str | None) -> Path | None:
    from kg.loading import sources_folder

    return sources_folder(value)


def note_unchecked_quotes(count: int):
    """Say that `count` new quotes went unchecked: a curator's new quotes are what most
    needs the check (the shipped ones are checked by a test)."""
    if count:
        whose = "its source" if count == 1 else "their sources"
        click.echo(f"kg: note: {count} new quote{'s' if count != 1 else ''} not checked against "
                   f"{whose} (add --sources DIR)", err=True)


def fail_on_option(help_text: str):
    # kg.problems.SEVERITY_ORDER, spelt out: importing it loads rdflib for every command
    return click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]),
                        default="violation", show_default=True, help=help_text)


sources_option = click.option(
    "--sources", type=click.Path(file_okay=False), metavar="DIR",
    callback=existing_folder,
    help="Folder of the source texts: check that every quote appears in its source.")


def usable_endpoint(ctx, param, value: str | None) -> str | None:
    """A bad --endpoint URL is refused before the graph is compiled."""
    if value is not None:
        from kg.remote import check_endpoint

        check_endpoint(value)
    return value


def absolute_iri(ctx, param, value: str | None) -> str | None:
    """--graph names a graph of a store: an absolute IRI ('' or 'my graph' is none)."""
    if value is not None:
        from kg.remote import check_graph_iri

        check_graph_iri(value)
    return value


def endpoint_options(command):
    """--endpoint and --graph: run on a remote SPARQL endpoint instead of the local graph."""
    command = click.option("--graph", "graph_iri", metavar="IRI", callback=absolute_iri,
                           help="With --endpoint: the graph the data was pushed to "
                                "(default: kg's asserted and inferred graphs).")(command)
    return click.option("--endpoint", metavar="URL", callback=usable_endpoint,
                        help="Run on this SPARQL endpoint (see `kg push`).")(command)


def remote_graphs(endpoint: str | None, graph_iri: str | None):
    """The graphs to query on the endpoint; None without one, where --graph, which
    names a graph of the remote store, would be silently ignored."""
    if endpoint is None:
        if graph_iri is not None:
            raise click.UsageError("--graph names a graph on the store of --endpoint: "
                                   "give --endpoint too, or leave --graph out")
        return None
    from kg.remote import KG_GRAPHS

    return [graph_iri] if graph_iri is not None else KG_GRAPHS


class CannedQueryCommand(click.Command):
    """`kg query NAME --help` also shows what NAME answers and its parameters."""

    def parse_args(self, ctx, args):
        if "--help" in args:  # the help option exits before NAME is processed: find it here
            options, _, _ = self.make_parser(ctx).parse_args(args=list(args))
            name = options.get("name")  # click's own marker when NAME is left out
            if isinstance(name, str):  # a bad name is its error, not the help of no query
                from kg.catalog import find_query
                from kg.loading import find_inputs

                ctx.meta["kg.query"] = find_query(
                    find_inputs(ctx.find_object(Settings).data).queries_dir, name)
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx, formatter):
        query = ctx.meta.get("kg.query")
        if query:
            name = query.name
            with formatter.section(f"Query {name}"):
                formatter.write_text(query.title)
                formatter.write_paragraph()
                formatter.write_text(query.description)
            with formatter.section(f"Parameters of {name}"):
                formatter.write_dl([(p.option, p.requirement + (f": {p.description}" if
                                                                p.description else ""))
                                    for p in query.parameters] or [("(none)", "")])
            with formatter.section(f"SPARQL of {name}"):  # unwrapped, to copy as it is
                formatter.write(f"{'':>{formatter.current_indent}}{query.path}\n")
        super().format_epilog(ctx, formatter)


@cli.command(cls=CannedQueryCommand,
             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("name")
@endpoint_options
@click.option("--timeout", type=TimeLimit(), metavar="SECONDS",
              help=f"With --endpoint: give up when the store has sent nothing for this many "
                   f"seconds (default {DEFAULT_TIMEOUT:g}; 0: no limit).")
@page_options
@row_output
@click.pass_context
def query(ctx, name, endpoint, graph_iri, timeout, page):
    """Run the canned query NAME; give its parameters as --PARAM VALUE (see `kg queries`)."""
    return page(canned_rows(ctx, name, endpoint, graph_iri, timeout))


def canned_rows(ctx, name, endpoint, graph_iri, timeout):
    settings = ctx.find_object(Settings)
    graphs = remote_graphs(endpoint, graph_iri)
    if endpoint:
        from kg.remote import run_query as run_remote

        return run_remote(name, parse_params(ctx.args), settings.graph(), endpoint, graphs,
                          DEFAULT_TIMEOUT if timeout is None else timeout)
    if timeout is not None:  # canned queries on kg's own graph run to the end
        raise click.UsageError("--timeout limits a store's answer: give --endpoint too, or "
                               "leave --timeout out")
    from kg.api import run_query

    params = parse_params(ctx.args)
    rows = run_query(name, params, settings.graph())
    if not rows and settings.verbosity >= 0:
        note_nothing_matches(name, params, settings.data)
    return rows


def note_nothing_matches(name: str, params: dict[str, str], data) -> None:
    """Where a canned query given an entity finds nothing, point to what the graph does
    state about it: `members --grouping NATO` finds no member, and the reason (the
    articles name none) is in NATO's notes."""
    import shlex

    from kg.api import queries

    given = [params[p.name] for p in queries(data)[name].parameters
             if p.type == "entity" and params.get(p.name) is not None]
    if given:
        commands = ", ".join(f"`kg describe {shlex.quote(value)}`" for value in given)
        click.echo(f"kg: note: no row matches; what the graph states about "
                   f"{' and '.join(given)}: {commands}", err=True)


def parse_params(args: list[str]) -> dict[str, str]:
    """`--system PAC-3 --country=Japan` as {"system": "PAC-3", "country": "Japan"}."""
    params: dict[str, str] = {}
    remaining = list(args)
    while remaining:
        arg = remaining.pop(0)
        if kg_option(arg.partition("=")[0]):
            raise KGError(after_the_command(arg.partition("=")[0], "kg query"))
        if not arg.startswith("--") or len(arg) == 2:
            raise KGError(f"unexpected argument {arg!r}: give parameters as --NAME VALUE")
        name, sep, value = arg[2:].partition("=")
        if not sep:
            if not remaining:
                hint = (f" (a canned query gives rows: --{name} writes the triples of kg "
                        f"sparql's CONSTRUCT or DESCRIBE)" if name in TRIPLE_FORMATS else "")
                raise KGError(f"parameter --{name} needs a value{hint}")
            value = remaining.pop(0)
        key = name.replace("-", "_")
        if key in params:  # one value each: a second would silently replace the first
            raise KGError(f"parameter --{name} is given twice")
        params[key] = value
    return params


@cli.command()
@row_output
@pass_settings
def queries(settings):
    """List the canned queries with their parameters."""
    import pyoxigraph as ox

    from kg.api import Rows, queries as canned_queries

    catalog = canned_queries(settings.data)
    return Rows(["name", "title", "parameters"], [
        [ox.Literal(q.name), ox.Literal(q.title),
         ox.Literal("; ".join(p.usage() for p in q.parameters))] for q in catalog.values()])


@cli.command()
@click.argument("query_text", metavar="QUERY")
@timeout_option("Give up on the query after this many seconds (with --endpoint: when the "
                "store has sent nothing for that long; 0: no limit).")
@endpoint_options
@page_options
@row_output(triples=True)
@pass_settings
def sparql(settings, query_text, timeout, endpoint, graph_iri, page):
    """Run your own SPARQL: QUERY is the query text, - (or @-) for stdin, or @FILE.

    Prefixes ak:, akc:, akd:, aks:, kg:, rdf:, rdfs:, owl:, xsd:, skos:, dcterms:, prov:,
    org:, schema:, sh: and wd: are predeclared. The query sees only this graph: SERVICE,
    FROM and updates are refused. A query of this graph (not --endpoint) gets a note on
    stderr naming each IRI of it that no triple of the graph uses (a typo, mostly; once it
    found rows, only names of the predeclared prefixes) and the nearest names; -q before
    the command leaves them out.
    """
    graphs = remote_graphs(endpoint, graph_iri)
    text, origin = read_query_text(query_text)
    if endpoint:
        from kg.remote import sparql as run_remote

        return page(run_remote(text, endpoint, graphs, timeout=timeout, origin=origin))
    from kg.api import sparql as run_sparql

    rows = run_sparql(text, settings.graph(), timeout=timeout, origin=origin)
    if settings.verbosity >= 0:
        note_absent_names(text, origin, settings.graph(),
                          found=bool(rows.terms) and rows.boolean is not False)
    return page(rows)


def note_absent_names(text: str, origin: str, graph, found: bool) -> None:
    """Notes on stderr naming what of the query no triple uses: the first few, then a
    count. A typo finds nothing, or, in OPTIONAL or FILTER NOT EXISTS, rows that are
    wrong: for a query that found rows, only names of the predeclared namespaces
    (ak:memberof), where a name the graph lacks is a typo, not an example IRI of its own."""
    from kg.api import absent_names
    from kg.hints import MAX_SUGGESTED
    from kg.namespaces import PREFIXES

    absent = absent_names(text, graph, tuple(PREFIXES.values()) if found else ())
    where = f"{origin}:" if origin else ""
    for name in absent[:MAX_SUGGESTED]:
        click.echo(f"kg: note: {where}{name.line}:{name.column}: {name}", err=True)
    if len(absent) > MAX_SUGGESTED:
        click.echo(f"kg: note: and {len(absent) - MAX_SUGGESTED} more names of the query are "
                   f"in no triple of the graph", err=True)


def read_query_text(arg: str) -> tuple[str, str]:
    """The query text, and the file it came from ("" for the argument or stdin)."""
    from kg.loading import STDIN, check_utf8, decode_utf8, read_bounded, read_utf8

    if arg in ("-", "@-"):  # @- as curl reads it
        text, origin = decode_utf8(read_bounded(sys.stdin.buffer, STDIN), STDIN), ""
    elif arg == "@":  # Path("") is ".", which would be called a directory
        raise KGError("@ needs a file name: kg sparql @query.rq")
    elif arg.startswith("@"):
        text, origin = read_utf8(Path(arg[1:])), arg[1:]
    else:
        text, origin = check_utf8(arg, "the query"), ""
    return text, origin


@cli.command()
@click.argument("term")
@click.option("--inferred", is_flag=True,
              help="Also the links to other entities that inference adds (Japan operates "
                   "PAC-3, is a member of the Quad), through facts of any status.")
@row_output
@pass_settings
def describe(settings, term, inferred):
    """Every fact about one entity, with sources and quotes.

    TERM is a label or alternative label (an acronym), a CURIE, IRI or local name, a
    Wikidata ID or a country's ISO code.
    """
    from kg.api import describe as describe_entity

    return describe_entity(term, settings.graph(), inferred=inferred)


@cli.command()
@row_output
@pass_settings
def stats(settings):
    """Triples per graph, instances per class and what each source contributes."""
    from kg.api import stats as graph_stats

    return graph_stats(settings.graph())


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())  # as typed: Path("./-") is "-"
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True,
              help="text: one line a problem; json: objects; turtle: a SHACL validation report.")
@fail_on_option("Exit 1 when a problem of this severity or worse is found.")
@click.option("--syntax-only", is_flag=True,
              help="Only check that the files (without FILES: the graph's own) are valid Turtle.")
@sources_option
@pass_settings
def validate(settings, files, fmt, fail_on, syntax_only, sources):
    """Check the graph, or candidate FILES together with it, against ontology and shapes.

    \b
    With FILES, reports only the problems they bring in, each at its file, line and column;
    a FILE of - is standard input (named <stdin> in the report).
    Exit codes: 0 conforms, 1 problems at or above --fail-on, 2 unusable input.
    """
    from kg.loading import find_inputs, parse_file

    files = candidate_inputs(files)
    if syntax_only:
        paths = list(files)
        if not paths:
            inputs = find_inputs(settings.data)
            paths = inputs.key_files
        for path in paths:
            parse_file(path)
        if settings.verbosity >= 0:
            click.echo(f"{len(paths)} file{'s' if len(paths) != 1 else ''}: valid Turtle", err=True)
        return
    from kg.validation import check

    report = check(settings.graph(), list(files), sources)
    print_report(report, fmt, fail_on, settings.verbosity)
    if settings.verbosity >= 0:
        note_unchecked_quotes(report.unchecked_quotes)
    sys.exit(report.exit_code(fail_on))


def candidate_inputs(files: tuple[str, ...]) -> list:
    """The candidate files as paths, and - as the Turtle of standard input (read once)."""
    from kg.loading import TurtleText

    if files.count("-") > 1:
        raise KGError("- (standard input) is given twice: it can be read only once")
    return [TurtleText.from_stdin() if file == "-" else Path(file) for file in files]


def print_report(report, fmt: str, fail_on: str, verbosity: int) -> None:
    """Problems on stdout (text, JSON or a SHACL report) and a one-line verdict on stderr."""
    import json

    from kg.output import stdout_for, visible
    from kg.problems import SEVERITY_ORDER, shortened

    # JSON and Turtle in UTF-8, text in the terminal's encoding; written to that stream,
    # as click.echo's own would ignore it (raw UTF-8 in the C locale)
    out = stdout_for(fmt)
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in report.problems], indent=2,
                              ensure_ascii=False), file=out)
    elif fmt == "turtle":
        click.echo(report.as_rdf(fail_on).serialize(format="turtle"), nl=False, file=out)
    else:
        for p in report.problems:
            where = f"{p.place}: " if p.place else ""
            value = f" (value {p.value})" if p.value and p.value not in p.message else ""
            at_fault = " ".join(part for part in (shortened(p.focus), p.path) if part)
            # a file name with a terminal's escape sequence or a line feed reaches the
            # terminal escaped, its problem on one line
            line = visible(f"{where}{p.severity}: {at_fault}{value}: {p.message} [{p.shape}]")
            click.echo(line.replace("\n", "\\n"), file=out)
    if verbosity >= 0:
        counts = {s: sum(p.severity == s for p in report.problems)
                  for s in reversed(SEVERITY_ORDER)}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
        verdict = "does not conform" if report.at_or_above(fail_on) else "conforms"
        click.echo(f"{verdict}: {summary}", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@sources_option
@fail_on_option("Write nothing (exit 1) when a problem of this severity or worse is found.")
@pass_settings
def add(settings, files, sources, fail_on):
    """Validate candidate FILES, then merge their triples into the working copy's data/.

    \b
    Each triple goes to the data file where its subject lives (new subjects: a new file
    named after the candidate); touched files are rewritten in canonical form, all or
    nothing, under a lock. With any violation (or, with --fail-on warning, any warning)
    nothing is written (exit 1).
    Needs a working copy: --data DIR or $KG_DATA, else the clone an editable install
    (pip install -e) runs from; never an installed package's data.
    """
    from kg.api import add as merge_candidates
    from kg.validation import Report

    if "-" in files:  # new subjects go to a data file named after their candidate
        raise KGError("kg add reads candidate files, not standard input (-): save the Turtle "
                      "to a file named for what it adds, then add that file")
    result = merge_candidates(files, settings.data, sources, fail_on)
    print_report(Report(result.problems), "text", fail_on, -1)
    if result.refused:
        worst = ("violations" if fail_on == "violation"
                 else f"problems of {fail_on} severity or worse")
        click.echo(f"kg: nothing written: fix the {worst} above", err=True)
        sys.exit(EXIT_VIOLATIONS)
    if settings.verbosity >= 0:
        where = ", ".join(str(p) for p in result.written) or "no file (all already there)"
        click.echo(f"added {result.added} triple{'s' if result.added != 1 else ''} to {where}",
                   err=True)
        if sources is None:
            note_unchecked_quotes(result.unchecked_quotes)


@cli.command()
@click.option("--check", "check_only", is_flag=True,
              help="Only list the files not in canonical form; exit 1 if there are any.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Only print the changes as a unified diff (with or without --check); "
                   "exit 1 if there are any.")
@pass_settings
def fmt(settings, check_only, show_diff):
    """Rewrite the working copy's data files in canonical Turtle (stable, diff-friendly).

    Needs a working copy to rewrite: --data DIR or $KG_DATA, else the clone an editable
    install (pip install -e) runs from; --check and --diff also read an installed
    package's data.
    """
    from kg.api import dropped_comments, format_diff, format_files
    from kg.output import stdout_for, write_text

    if settings.verbosity >= 0:
        for path, line in dropped_comments(settings.data):
            click.echo(f"kg: note: {path}:{line}: a comment past the file's leading comments, "
                       "which the canonical form drops: keep what it says in a "
                       "skos:editorialNote", err=True)
    if show_diff:
        changes = format_diff(settings.data)
        write_text(stdout_for("diff"), changes)  # UTF-8, as the files are: patch reads it
        changed = bool(changes)
    else:
        changed = format_files(settings.data, check=check_only)
        for path in changed:
            click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}")
    if settings.verbosity >= 0 and not changed:
        click.echo("all data files are in canonical form", err=True)
    if (check_only or show_diff) and changed:
        sys.exit(EXIT_VIOLATIONS)


@cli.command()
# kg.export.FORMATS, spelt out: importing kg.export would cost every command some 17 ms
@click.option("--format", "-f", "fmt", required=True,
              type=click.Choice(["turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads",
                                 "graphml", "csv", "void"]),
              help="trig/nquads: one named graph per source article; graphml/csv: a property "
                   "graph; void: a manifest with triple counts and checksums.")
@click.option("--asserted/--inferred", "asserted", default=False,
              help="Export only what is curated, or also what inference adds (default).")
@click.option("--collapse-facts", is_flag=True,
              help="graphml/csv (and the void manifest of them): fact nodes become labelled edges "
                   "between their participants.")
@click.option("--store-layout", is_flag=True,
              help="trig/nquads: the named graphs kg push writes (asserted and inferred) "
                   "instead of one per source, so that the canned queries run on a store "
                   "that bulk-loads the file.")
@click.option("-o", "--output", type=click.Path(),  # as typed: Path() drops a trailing "/"
              help="The file to write; - (the default) writes to standard output. csv "
                   "needs a folder.")
@pass_settings
def export(settings, fmt, asserted, collapse_facts, store_layout, output):
    """Export the graph for other tools; the same graph always gives the same bytes."""
    from kg.export import export as export_files

    if output == "":  # `-o "$OUT"` with $OUT unset: not the current folder
        raise KGError("-o '' names no file: give a file (a folder for csv), or - for "
                      "standard output")
    files = export_files(settings.graph(), fmt, inferred=not asserted,
                         collapse_facts=collapse_facts, store_layout=store_layout)
    if output in (None, "-"):  # `-o -`: standard output, as for other RDF tools
        if len(files) > 1:
            raise KGError(f"--format {fmt} writes {', '.join(files)}: give a folder with -o")
        from kg.output import write_fully

        write_fully(sys.stdout.buffer, next(iter(files.values())))
        return
    from kg.writing import resolved, write_all

    if len(files) == 1 and (output.endswith("/") or Path(output).is_dir()):
        raise KGError(f"{output}: a folder, but --format {fmt} writes one file: name it "
                      f"(-o {Path(output) / next(iter(files))})")
    output = Path(output)
    made = []  # the folders made for the export, innermost first: removed if it fails
    if len(files) > 1:
        made = [folder for folder in (output, *output.parents) if not folder.exists()]
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # e.g. a file of that name
            remove_folders(made)
            raise KGError(f"{output}: cannot make a folder there ({exc.strerror})") from None
        targets = {output / name: data for name, data in files.items()}
    else:
        targets = {output: next(iter(files.values()))}
    inputs = settings.graph().inputs
    own = {path.resolve() for path in inputs.key_files}
    data_dir = resolved(inputs.data_dir)
    for path in targets:
        if resolved(path) in own:  # an export in place of the data it is made from
            raise KGError(f"{path}: one of the graph's own input files: write the export "
                          f"elsewhere")
        if path.name.endswith(".ttl") and resolved(path).is_relative_to(data_dir):  # as read
            raise KGError(f"{path}: a .ttl file in the data folder {inputs.data_dir} would be "
                          f"read as curated data: write the export elsewhere")
    try:
        write_all(targets)  # all or none: no half-written export
    except KGError:
        remove_folders(made)
        raise
    if settings.verbosity >= 0:
        for path, data in targets.items():
            click.echo(f"kg: wrote {path} ({len(data)} bytes)", err=True)


def remove_folders(folders: list[Path]) -> None:
    """Remove the given folders, innermost first, if they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone: left as it is
            pass


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Name or address to listen on (IPv4 or IPv6, such as ::1).")
@click.option("--port", type=PortNumber(), default=8000, show_default=True,
              help="0: any free port.")
@timeout_option("Time limit of each query (0: no limit).")
@click.option("--max-rows", type=click.IntRange(min=1), default=DEFAULT_MAX_ROWS,
              show_default=True,
              help="Refuse results with more rows (the client should add a LIMIT).")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), metavar="N",
              help=f"Query processes, each answering one query at a time (at most "
                   f"{MAX_WORKERS}) [default: one per CPU].")
@pass_settings
def serve(settings, host, port, timeout, max_rows, workers):
    """Serve the graph over the SPARQL 1.1 Protocol (read-only) at /sparql.

    Canned queries are at /queries/NAME?PARAM=VALUE and listed at /.
    """
    from kg.api import serve as sparql_server
    from kg.server import serve_forever

    server = sparql_server(settings.graph(), host, port, timeout=timeout, max_rows=max_rows,
                           workers=workers, quiet=settings.verbosity < 1)
    click.echo(f"kg: serving {server.url}/sparql (Ctrl-C stops)", err=True)
    serve_forever(server)


@cli.command()
@click.option("--endpoint", required=True, metavar="URL", callback=usable_endpoint,
              help="The store's SPARQL 1.1 Graph Store Protocol URL.")
@click.option("--graph", "graph_iri", metavar="IRI", callback=absolute_iri,
              help="Put everything in this one graph (default: kg's asserted and inferred "
                   "graphs, which the canned queries read).")
@timeout_option("Give up when the store has sent nothing for this many seconds (0: no "
                "limit).", default=PUSH_TIMEOUT)
@pass_settings
def push(settings, endpoint, graph_iri, timeout):
    """Upload the graph to a triple store (Oxigraph, Jena Fuseki, GraphDB, ...)."""
    from kg.api import push as push_graph

    count = push_graph(endpoint, graph_iri, settings.graph(), timeout)
    if settings.verbosity >= 0:
        click.echo(f"kg: pushed {count} triples to {endpoint}", err=True)


def main() -> None:
    import os

    if sys.stdin is None:  # started with standard input closed (`kg sparql - <&-`):
        # read as empty, and descriptor 0 is not left for a file kg opens to take
        sys.stdin = open(os.open(os.devnull, os.O_RDONLY), encoding="utf-8")
    if sys.stdout is None:  # started with standard output closed (`kg ... >&-`)
        stand_in_for_closed_output()
    try:
        try:
            # not standalone: click would turn Ctrl-C into "Aborted!" and exit 1, and a
            # closed output while it prints help or the version into exit 1 too
            ended = cli.main(prog_name="kg", standalone_mode=False)
        finally:
            sys.stdout.flush()  # so that a full disk is reported here, not at exit
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("kg: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.ClickException as exc:  # a usage error, as click shows it
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # the last of the output, flushed above
        output_closed()
    except OSError as exc:
        discard_output()
        if exc.filename is None:  # standard output cannot be written (a full disk)
            click.echo(f"kg: error: cannot write the output ({exc.strerror or exc})", err=True)
        else:  # a path no check foresaw (a name too long, a folder kg may not enter)
            OneLineError(f"{cut(os.fsdecode(exc.filename))}: {exc.strerror or exc}").show()
        sys.exit(EXIT_USAGE)
    sys.exit(ended if isinstance(ended, int) else EXIT_OK)  # --help, --version: 0


def stand_in_for_closed_output() -> None:
    """Make descriptor 1 a pipe whose reader has left: output then ends with 141, as for
    `| head`, where Python's None for sys.stdout gave a traceback; and no file kg opens
    can take descriptor 1 and get the output."""
    import os

    reader, writer = os.pipe()
    os.close(reader)
    if writer != 1:
        os.dup2(writer, 1)
        os.close(writer)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)


def output_closed() -> None:
    """End quietly, as a command stopped by SIGPIPE does, when the reader of the output
    has closed it (`kg query ... | head`)."""
    discard_output()
    sys.exit(EXIT_OUTPUT_CLOSED)


def discard_output() -> None:
    """Send what is left of standard output nowhere, so that exiting does not fail on it."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
