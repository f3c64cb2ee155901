"""Canned queries: plain `.rq` files whose comment header declares title and parameters.

Header format (comment lines before the query; indented `#   ` lines continue a field):

    # title: Who co-produces what
    # description: Co-development, co-production and licensed-production programs: ...
    # param system: entity ak:DefenseSystem, optional -- only programs for this system or its variants
    # param country: entity ak:Country, optional -- only participants of this country ...

A parameter line may add a default, used when the parameter is left out
(`# param from: year, optional, default 2000 -- ...`).

A parameter NAME is bound, as an RDF term, to the query variable ?param_NAME (SPARQL
substitution), never pasted into the query text. Oxigraph substitutes only variables of
the SELECT clause, so a query projects each ?param_NAME (results leave those columns out).
An optional parameter the user leaves out is bound to kg:unset, a name no triple uses.

Oxigraph plans a query before it sees the substituted values, so a query starts from its
parameters: a UNION whose branches each begin with a triple pattern on a parameter (an
index lookup), plus one branch, guarded by "every parameter is kg:unset", that lists
everything; then LATERAL evaluates the rest of the query once per row found. Property
paths (`ak:country?`, `ak:variantOf*`) are spelt out as branches, which Oxigraph joins
far faster. BIND(?param_x AS ?y) sees the value only after a triple pattern on ?param_x
in the same group. On a million triples this answers in milliseconds instead of seconds:

    { ?program ak:concernsSystem ?system FILTER(sameTerm(?param_system, kg:unset)) }
    UNION { ?program ak:concernsSystem ?param_system . BIND(?param_system AS ?system) }
    UNION { ?system ak:variantOf ?param_system . ?program ak:concernsSystem ?system }
    LATERAL { ... FILTER(sameTerm(?param_country, kg:unset) || ...) }
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, close_matches, cut, shown
from kg.loading import check_utf8, read_utf8, unreadable_folder
from kg.namespaces import PREFIXES, curie, expand
from kg.safety import check_user_query, code_tokens, text_position
from kg.store import ASSERTED, LABELS_FILE

XSD = PREFIXES["xsd"]
UNSET = ox.NamedNode(PREFIXES["kg"] + "unset")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
CLASS_KINDS = tuple(ox.NamedNode(PREFIXES[prefix] + "Class") for prefix in ("owl", "rdfs"))
PROJECT_NAMESPACES = (PREFIXES["akd"], PREFIXES["akc"])
# How queries written before kg:unset told a missing parameter (always true since).
OLD_OPTIONAL_TEST = re.compile(r"sameTerm\(\s*\?param_(\w+)\s*,\s*\?param_\1\s*\)",
                               re.IGNORECASE)
TYPES = ("entity", "string", "integer", "year", "date")
# `kg query`'s own options (and the server's format=): a parameter of one of these names
# could never be given. tests/test_cli.py checks the list against the command.
RESERVED_NAMES = ("help", "format", "iris", "endpoint", "graph", "timeout", "offset", "limit",
                  "table", "csv", "tsv", "json", "jsonl", "markdown")
PARAM_LINE = re.compile(
    r"(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>\w+)(?:\s+(?P<cls>[\w-]+:[\w-]+))?"
    r"\s*,\s*(?P<required>required|optional)"
    r"(?:\s*,\s*default\s+(?P<default>[^-\s][^\s]*))?\s*(?:--\s*(?P<description>.*))?$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None = None
    entity_class: str | None = None   # a CURIE such as ak:DefenseSystem, for type entity
    description: str = ""
    line: int = 0  # of its `# param` header line, where an unusable default is reported

    @property
    def variable(self) -> str:
        return f"param_{self.name}"

    @property
    def option(self) -> str:
        """How the parameter is given: `--system ak:DefenseSystem`."""
        return f"--{self.name} {self.entity_class or self.type}"

    @property
    def requirement(self) -> str:
        return "required" if self.required else (
            f"default {self.default}" if self.default is not None else "optional")

    def usage(self) -> str:
        return f"{self.option} ({self.requirement})"


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str
    path: Path = field(compare=False)

    @property
    def parameter_variables(self) -> set[str]:
        """The ?param_NAME columns, which results leave out."""
        return {parameter.variable for parameter in self.parameters}

    def result_columns(self, variables: list[str]) -> list[str]:
        """The columns of its results: without the ?param_NAME ones, and those of a
        `SELECT *` in written order."""
        return [name for name in in_written_order(self.sparql, variables)
                if name not in self.parameter_variables]

    def parameter(self, name: str, flag: str = "--{}") -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(flag.format(p.name) for p in self.parameters) or "none"
        raise InputError(f"query {self.name!r} has no parameter {cut(flag.format(name))} "
                         f"(parameters: {known})")


def query_names(queries_dir: Path) -> list[str]:
    """The canned queries' names: their file names without `.rq`; an InputError for a
    folder that cannot be read (glob found nothing in it, and said nothing)."""
    try:
        names = os.listdir(queries_dir)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise unreadable_folder(exc) from None
    return sorted(name[:-3] for name in names if name.endswith(".rq"))


def load_catalog(queries_dir: Path) -> dict[str, CannedQuery]:
    """Every canned query in the folder, by name."""
    return {name: read_query(queries_dir / f"{name}.rq") for name in query_names(queries_dir)}


def find_query(queries_dir: Path, name: str) -> CannedQuery:
    """The canned query NAME, reading its file alone: a mistake in another query file of a
    working copy stops only that query."""
    names = query_names(queries_dir)
    if name not in names:
        raise InputError(f"no canned query named {shown(name)}{did_you_mean(name, names)} "
                         f"(see `kg queries`)")
    return read_query(queries_dir / f"{name}.rq")


def did_you_mean(name: str, names) -> str:
    """'; did you mean: a, b?' with the query names closest to a mistyped one, or ''."""
    # query names are lower case: COUNTERS is as close to counters as Counters is
    close = close_matches(name.lower(), list(names), n=3)
    return f"; did you mean: {', '.join(close)}?" if close else ""


def read_query(path: Path) -> CannedQuery:
    text = read_utf8(path)
    fields: dict[str, str] = {}
    params: list[tuple[int, str]] = []
    last = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        body = line[1:]
        if body.startswith("   ") and last is not None:
            if last == "param":
                params[-1] = (params[-1][0], params[-1][1] + " " + body.strip())
            else:
                fields[last] += " " + body.strip()
            continue
        key, sep, value = body.strip().partition(":")
        if key.startswith("param "):
            params.append((number, body.strip()[len("param "):]))
            last = "param"
        elif sep and key in ("title", "description"):
            fields[key] = value.strip()
            last = key
        else:
            last = None
    if "title" not in fields:
        raise InputError(f"{path}:1: canned query has no '# title:' header line")
    outdated = OLD_OPTIONAL_TEST.search(text)
    if outdated:
        line, column = text_position(text, outdated.start())
        raise InputError(f"{path}:{line}:{column}: {outdated.group()} is always true now: a parameter "
                         f"left out is bound to kg:unset, so test "
                         f"sameTerm(?param_{outdated.group(1)}, kg:unset) instead")
    # before check_parameters, which has Oxigraph prepare a SELECT * query (that evaluated
    # a working copy's SERVICE, reaching out)
    check_user_query(text, origin=str(path))
    parameters = [(number, parse_parameter(path, number, spec)) for number, spec in params]
    check_parameters(path, text, parameters)
    check_default_range(path, parameters)
    return CannedQuery(
        name=path.stem, title=fields["title"], description=fields.get("description", ""),
        parameters=tuple(parameter for _, parameter in parameters), sparql=text, path=path)


def parse_parameter(path: Path, line: int, spec: str) -> Parameter:
    match = PARAM_LINE.match(spec.strip())
    if not match or match["type"] not in TYPES:
        raise InputError(f"{path}:{line}: bad parameter header {spec!r}: expected "
                         f"'NAME: TYPE [CLASS], required|optional[, default VALUE] -- text' "
                         f"with TYPE one of {', '.join(TYPES)}")
    name, default = match["name"], match["default"]
    if name in RESERVED_NAMES:
        raise InputError(f"{path}:{line}: parameter name {name!r} is taken by kg query's own "
                         f"option --{name}: choose another name")
    if default is not None and match["required"] == "required":
        raise InputError(f"{path}:{line}: parameter {name} is required, so its default "
                         f"{default} would never be used: make it optional or drop the default")
    problem = (typed_value_problem(match["type"], default)
               if default is not None and match["type"] in TYPED_VALUE else None)
    if problem is not None:
        raise InputError(f"{path}:{line}: default {default!r} of parameter {name} is not a "
                         f"valid {match['type']}{problem}")
    return Parameter(name=name, type=match["type"], required=match["required"] == "required",
                     default=default, entity_class=match["cls"],
                     description=(match["description"] or "").strip(), line=line)


def check_parameters(path: Path, text: str, parameters: list[tuple[int, Parameter]]) -> None:
    """Refuse, at the line declaring it, a parameter declared twice or one the query's
    SELECT clause does not project (Oxigraph binds only projected variables, and would
    say so only when the query runs)."""
    first_line: dict[str, int] = {}
    for line, parameter in parameters:
        if parameter.name in first_line:
            raise InputError(f"{path}:{line}: parameter {parameter.name} is declared twice "
                             f"(first on line {first_line[parameter.name]})")
        first_line[parameter.name] = line
    if not parameters:
        return
    clause = select_clause(text)
    if clause is None:
        line, parameter = parameters[0]
        raise InputError(f"{path}:{line}: parameter {parameter.name} needs a SELECT query "
                         f"that projects ?{parameter.variable}, and this query has no SELECT")
    select_line, projected = clause
    for line, parameter in parameters:
        if not (parameter.variable in projected if projected is not None
                else star_projects(text, parameter.variable)):
            raise InputError(f"{path}:{line}: the SELECT clause (line {select_line}) does not "
                             f"project ?{parameter.variable}, so parameter {parameter.name} "
                             f"could never be bound")


def star_projects(text: str, variable: str) -> bool:
    """Whether `SELECT *` projects the variable. Only Oxigraph knows the scoping rules
    exactly (a variable only in a FILTER, EXISTS or MINUS is not in scope): it refuses the
    substitution when preparing the query, before evaluating anything. Parsing costs 1-3
    ms, which only SELECT * queries pay."""
    try:
        ox.Store().query(text, prefixes=PREFIXES, substitutions={ox.Variable(variable): UNSET})
    except SyntaxError:
        return True  # running the query reports it, with its place
    except RuntimeError:
        return False
    return True


def select_clause(text: str) -> tuple[int, set[str] | None] | None:
    """(line, variables) of the query's SELECT clause, the variables None for `SELECT *`;
    None if the query has no SELECT."""
    code = iter(code_tokens(text))  # read on where the SELECT was found
    for kind, value, offset in code:
        if kind == "word" and value.upper() == "SELECT":
            break
    else:
        return None
    line = text_position(text, offset)[0]
    projected: set[str] = set()
    depth, after_as = 0, False
    for kind, value, _ in code:
        if depth == 0 and (value in ("{", "*") or
                           (kind == "word" and value.upper() in ("WHERE", "FROM"))):
            return line, (None if value == "*" else projected)
        if value in ("(", ")"):
            depth += 1 if value == "(" else -1
        elif kind == "variable" and (depth == 0 or after_as):  # ?v, or (... AS ?v)
            projected.add(value[1:])
        after_as = kind == "word" and value.upper() == "AS"
    return line, projected


def in_written_order(text: str, variables: list[str]) -> list[str]:
    """The columns of a `SELECT *` in the order their variables first appear in the query,
    as Jena and rdflib give them (Oxigraph sorts them by name); another query's as given."""
    clause = select_clause(text)
    if clause is None or clause[1] is not None or query_form(text) != "SELECT":
        return variables  # a CONSTRUCT's subject, predicate, object, even with a SELECT * inside
    first: dict[str, int] = {}
    for kind, value, _ in code_tokens(text):
        if kind == "variable":
            first.setdefault(value[1:], len(first))
    return sorted(variables, key=lambda name: first.get(name, len(first)))


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first of them the query says."""
    return next((value.upper() for kind, value, _ in code_tokens(text) if kind == "word"
                 and value.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")), None)


def prepare(graph, name: str, params: dict | None, flag: str = "--{}") -> tuple[CannedQuery, dict]:
    """The canned query NAME and the substitutions of its parameters, given as a user
    would type them or as values `typed_text` makes that of; a parameter given None is
    left out."""
    query = find_query(graph.inputs.queries_dir, name)  # checked as it is read
    values = {key: typed_text(value, f"parameter {key}") for key, value in (params or {}).items()
              if value is not None}
    return query, bind(query, graph, values, flag)


def typed_text(value, what: str = "a value") -> str:
    """What a user would type for a value: a pyoxigraph term of a result (str() of a
    NamedNode is `<IRI>`, which names nothing) as its IRI or lexical form, anything else
    as its str() (2020, an rdflib term, a datetime.date), but for a collection, whose
    str() names nothing either (a parameter takes one value)."""
    # a collection's or a generator's str() names nothing, nor does a blank node's
    if isinstance(value, (list, tuple, set, frozenset, dict, bytes, Iterator, ox.BlankNode)):
        raise TypeError(f"{what}: one text, number, date or term, not a "
                        f"{type(value).__name__}")
    return value.value if isinstance(value, (ox.NamedNode, ox.Literal)) else str(value)


def bind(query: CannedQuery, graph, values: dict[str, str], flag: str = "--{}") -> dict:
    """SPARQL substitutions for the given parameter values (strings as a user typed them).

    `flag` is how errors spell a parameter NAME: `--{}` on the command line, `{}=` in a URL.
    """
    for name in values:
        query.parameter(name, flag)
    substitutions = {}
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if value is None:
            if parameter.required:
                raise InputError(f"query {query.name!r} needs {flag.format(parameter.name)} "
                                 f"({parameter.description or parameter.type})")
            term = UNSET
        else:
            given_as = flag.format(parameter.name)
            if parameter.name not in values:
                # an entity default is resolved only here, with a graph: place it in the file
                given_as = f"{query.path}:{parameter.line}: the default of {given_as}"
            if parameter.entity_class and not is_class(graph, parameter.entity_class):
                # a mistake of the query's header, not of the value given
                raise InputError(f"{query.path}:{parameter.line}: {parameter.entity_class}, "
                                 f"the class of parameter {parameter.name}, is not a class "
                                 f"of the graph")
            term = parameter_term(parameter, value, graph, given_as)
        substitutions[ox.Variable(parameter.variable)] = term
    check_range(query, substitutions, flag)
    check_partner(substitutions, flag)
    return substitutions


def check_partner(substitutions: dict, flag: str) -> None:
    """Refuse a `partner` that is the `country` itself: partners gave no rows and agreements
    all of the country's, where the user meant another country."""
    country, partner = (substitutions.get(ox.Variable(f"param_{name}"))
                        for name in ("country", "partner"))
    if country is not None and country != UNSET and country == partner:
        raise InputError(f"{flag.format('partner')} names the same entity as "
                         f"{flag.format('country')} ({curie(partner.value)}): give another country")


# The parameter types whose values have an order that a range can run against.
ORDERED_TYPES = {"year", "integer", "date"}


def check_range(query: CannedQuery, substitutions: dict, flag: str) -> None:
    """Refuse a `from` after its `to`: such a range holds nothing, and an empty answer
    would read as "nothing happened then" rather than as the typo it is."""
    ends = [substitutions.get(ox.Variable(f"param_{name}")) for name in ("from", "to")]
    if any(end is None or end == UNSET for end in ends):
        return
    kinds = {parameter.type for parameter in query.parameters if parameter.name in ("from", "to")}
    if not kinds <= ORDERED_TYPES:  # a string or entity `from` and `to` has no order to check
        return
    start, end = ends
    if out_of_order(start, end):
        raise InputError(f"{flag.format('from')} {start.value} is after {flag.format('to')} "
                         f"{end.value}: no {query.parameter('from').type} is in that range")


def check_default_range(path: Path, parameters: list[tuple[int, Parameter]]) -> None:
    """Refuse, at its line, a default of `from` after that of `to`: a run that gives
    neither was refused for options the user never gave."""
    ends = {parameter.name: (line, parameter) for line, parameter in parameters
            if parameter.name in ("from", "to") and parameter.default is not None
            and parameter.type in ORDERED_TYPES}
    if len(ends) < 2:
        return
    (line, start), (_, end) = ends["from"], ends["to"]
    if out_of_order(*(parameter_term(p, p.default, None, "") for p in (start, end))):
        raise InputError(f"{path}:{line}: the default of from, {start.default}, is after that "
                         f"of to, {end.default}: no {start.type} is in that range")


def out_of_order(start: ox.Literal, end: ox.Literal) -> bool:
    return start.datatype == end.datatype and order_key(start) > order_key(end)


def order_key(literal: ox.Literal):
    """A year or integer in numeric order; a date (YYYY-MM-DD) orders as its text."""
    return literal.value if literal.datatype.value == XSD + "date" else int(literal.value)


def parameter_term(parameter: Parameter, value: str, graph, given_as: str):
    """The RDF term of a value typed for a parameter (an entity resolved by name)."""
    if parameter.type == "entity":
        return resolve(graph, value, parameter.entity_class, given_as)  # checks UTF-8 too
    check_utf8(value, given_as)
    if parameter.type == "string":
        if not value.strip():  # `search --text ""` listed every text of the graph
            raise InputError(f"{given_as} {shown(value)}: empty; give some text")
        return ox.Literal(value)
    problem = typed_value_problem(parameter.type, value)
    if problem is not None:
        raise InputError(f"{given_as} {shown(value)} is not a valid {parameter.type}{problem}")
    datatype = "date" if parameter.type == "date" else "integer"
    return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + datatype))


# ASCII digits only: \d would take any script's (Arabic-Indic, full-width), which then
# matches no date or year of the graph.
TYPED_VALUE = {"integer": r"[+-]?[0-9]+", "year": r"-?[0-9]{4}", "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}"}


def typed_value_problem(type_name: str, value: str) -> str | None:
    """Why `value` is no valid integer, year or date (a suffix for the error, "" if it
    is simply malformed), else None."""
    text = value.strip()
    if not re.fullmatch(TYPED_VALUE[type_name], text):
        return ""
    if type_name == "date":
        import datetime  # only for dates

        try:
            datetime.date(*map(int, text.split("-")))
        except ValueError as exc:  # 2023-02-30, 2023-13-45
            return f" ({exc})"
    return None


def resolve(graph, value: str, entity_class: str | None = None, what: str = "entity") -> ox.NamedNode:
    """The entity a user named by label, alternative label, CURIE, local name, IRI or
    Wikidata ID."""
    text = check_utf8(value, what).strip()
    if not text:  # every name is "close" to nothing: suggesting some would mislead
        raise InputError(f"{what} {shown(value)}: empty; give a name, a CURIE (akd:japan) "
                         "or an IRI")
    plain = plain_name(text)
    # as typed first: a label may hold a character that plain_name would replace
    named = candidates = (named_by(graph, text) or (named_by(graph, plain) if plain != text else [])
                          or named_in_singular(graph, plain))
    if entity_class:
        candidates = [c for c in candidates if is_instance(graph, c, entity_class)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = ", ".join(sorted(curie(c.value) for c in candidates))
        raise InputError(f"{what} {shown(value)} is ambiguous: it names {names}; give a CURIE")
    kind = f" {entity_class}" if entity_class else " entity"
    if named:  # a known name, but of something else: say what, not that it is unknown
        others = ", ".join(f"the {kind_of(graph, node)} {curie(node.value)}" for node in named)
        raise InputError(f"{what} {shown(value)}: no{kind} has that name; it names {others}")
    suggestions = (similar_names(plain, class_names(graph, entity_class)) if entity_class
                   else list(dict.fromkeys(name for name, _ in kept_names_like(graph, plain)))[:5])
    if suggestions:
        raise InputError(f"{what} {shown(value)}: no{kind} has that name; did you mean: "
                         f"{', '.join(suggestions)}?")
    # the name of something else (--country Mitsubishi): say what it is
    others = [f"{name} is the {kind_of(graph, node)} {curie(node.value)}" for name, node in
              (kept_names_like(graph, plain, misspelt=False) if entity_class else ())][:3]
    raise InputError(f"{what} {shown(value)}: no{kind} has that name"
                     + (f"; {', '.join(others)}" if others else ""))


def similar_names(typed: str, names: dict[str, str], misspelt: bool = True) -> list[str]:
    """Up to five of `names` (by their lower-case form) like the `typed` one: those that
    begin with the typed words (Mitsubishi) or that they begin with (THAAD system), then
    those that hold them all ("U.S.-Israel MoU" for "US-Israel MoU on a decade-long
    defense package (2016)"). If the name may be `misspelt`, then the nearest by
    difflib's ratio (which misses the others when the lengths differ much), and if none
    of these is found, those that hold the known words nearest to the typed ones
    ("missles")."""
    typed = typed.lower()
    partial = sorted(name for name in names
                     if f"{name} ".startswith(f"{typed} ") or typed.startswith(f"{name} "))
    found = partial + names_holding(set(words(typed)), names)
    if misspelt:
        found += close_matches(typed, list(names), n=5)
    if misspelt and not found:
        # words of four letters or more, and near: "xanadu" is not a misspelt "and"
        known_words = sorted({word for name in names for word in words(name) if len(word) > 3})
        found = names_holding({word if word in known_words or len(word) < 4 else next(
            iter(close_matches(word, known_words, n=1, cutoff=0.8)), word)
            for word in words(typed)}, names)
    return [names[name] for name in dict.fromkeys(found)][:5]


def names_holding(typed_words: set[str], names) -> list[str]:
    """The names that hold all the words, shortest first (none for no words: `--threat
    ?` was offered every name)."""
    if not typed_words:
        return []
    return sorted((name for name in names if typed_words <= set(words(name))), key=len)


def named_by(graph, text: str) -> list[ox.NamedNode]:
    """The nodes `text` names as a CURIE or IRI, else as a label or local name; else
    those the graph matches to the Wikidata item it names, or the country of the ISO code
    it is."""
    prefix, colon, local = text.partition(":")
    iri = expand(prefix.lower() + colon + local) or (text if re.match(r"https?://", text) else None)
    if iri:
        namespace = next((ns for ns in PROJECT_NAMESPACES if iri.startswith(ns)), None)
        named = (named_in(graph, namespace, iri[len(namespace):]) if namespace
                 else existing(graph, iri))
    else:
        named = named_as_written(graph, text)
    return named or matched_to_wikidata(graph, text) or coded(graph, text)


def named_as_written(graph, text: str) -> list[ox.NamedNode]:
    """The nodes `text` names as a label or local name."""
    # index lookups first: the exact label, then the local name; only then a scan
    return (labelled(graph, text) or locally_named(graph, text)
            or labelled_ignoring_case(graph, text))


def named_in_singular(graph, text: str) -> list[ox.NamedNode]:
    """The nodes a plural name names in the singular, as an article writes it
    ("ballistic missiles", "Patriots"); not a CURIE or IRI, whose `s` is part of the name,
    nor a Wikidata ID or ISO code, which has no plural ("its" is not Italy's IT)."""
    if len(text) < 3 or text[-1] not in "sS" or ":" in text:
        return []
    return named_as_written(graph, text[:-1])


# A Wikidata item as an analyst may give it: Q17, wd:Q17, its IRI or its page's URL.
WIKIDATA_ITEM = re.compile(r"(?:wd:|https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[0-9]+)",
                           re.IGNORECASE)
EXACT_MATCH = ox.NamedNode(PREFIXES["skos"] + "exactMatch")


def matched_to_wikidata(graph, text: str) -> list[ox.NamedNode]:
    """The entities the graph gives as the same (skos:exactMatch) as the Wikidata item
    `text` names."""
    item = WIKIDATA_ITEM.fullmatch(text)
    return subjects_with(graph, EXACT_MATCH, ox.NamedNode(PREFIXES["wd"] + item[1].upper())
                         ) if item else []


ISO_CODE = ox.NamedNode(PREFIXES["ak"] + "iso3166Alpha2")


def coded(graph, text: str) -> list[ox.NamedNode]:
    """The country whose ISO 3166-1 alpha-2 code `text` is, in any case (JP, kr)."""
    return subjects_with(graph, ISO_CODE, ox.Literal(text.upper())
                         ) if re.fullmatch(r"[A-Za-z]{2}", text) else []


def subjects_with(graph, predicate: ox.NamedNode, value) -> list[ox.NamedNode]:
    """The named subjects of (?, predicate, value): an index lookup."""
    return sorted({q.subject for q in graph.store.quads_for_pattern(None, predicate, value)
                   if isinstance(q.subject, ox.NamedNode)}, key=lambda n: n.value)


# What a name copied from an article, a PDF or a word processor holds where the graph's
# labels have ASCII: typographic dashes (a no-break hyphen in "PAC‑3", an en dash, a minus
# sign) and quotes ("David’s Sling"). NFKC first makes full-width letters and no-break
# spaces plain ones.
TYPOGRAPHIC = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
                             **dict.fromkeys("\u2018\u2019\u201b\u2032", "'"),
                             **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')})


def plain_name(text: str) -> str:
    """`text` in the plain characters labels are written in, with single spaces and
    without the quotes around it that a copied name may keep (“PAC-3”, ‘PAC-3’, 'PAC-3')."""
    plain = " ".join(unicodedata.normalize("NFKC", text).translate(TYPOGRAPHIC).split())
    if len(plain) > 2 and plain[0] == plain[-1] and plain[0] in "\"'":
        plain = plain[1:-1].strip()
    return plain


def label_key(label) -> str:
    """A label as kg reads a name (see resolve): in any case, typographic dashes and
    quotes as plain ones, runs of spaces as one. Two labels with one key name one thing
    to `kg describe`: "David’s Sling", copied from an article, is "David's Sling"."""
    return plain_name(str(label)).casefold()


def existing(graph, iri: str) -> list[ox.NamedNode]:
    """[the node] if the graph describes it, else [] (also for text that is no valid IRI)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return []
    return [node] if next(graph.store.quads_for_pattern(node, None, None), None) else []


def locally_named(graph, text: str) -> list[ox.NamedNode]:
    """The entities and concepts whose local name is `text`: `pac-3`, `drone`."""
    return sorted({node for namespace in PROJECT_NAMESPACES
                   for node in named_in(graph, namespace, text)}, key=lambda n: n.value)


def named_in(graph, namespace: str, local: str) -> list[ox.NamedNode]:
    """[the node namespace + local], the local name as given or in lower case (the
    project's local names are lower case: akd:PAC-3 names akd:pac-3), else []."""
    return existing(graph, namespace + local) or existing(graph, namespace + local.lower())


NAME_PREDICATES = [ox.NamedNode(PREFIXES[prefix] + local) for prefix, local in
                   (("rdfs", "label"), ("skos", "prefLabel"), ("skos", "altLabel"))]


def labelled(graph, text: str) -> list[ox.NamedNode]:
    """The IRIs with exactly the label `text` (plain or @en): an index lookup."""
    exact = {q.subject for literal in (ox.Literal(text), ox.Literal(text, language="en"))
             for predicate in NAME_PREDICATES
             for q in graph.store.quads_for_pattern(None, predicate, literal)
             if isinstance(q.subject, ox.NamedNode)}
    return sorted(exact, key=lambda n: n.value)


def labelled_ignoring_case(graph, text: str) -> list[ox.NamedNode]:
    """The IRIs with the label `text` read as a name (label_key), with or without full
    stops (U.S. or US, as sources and analysts write it). Project nodes are found by the
    keys the build kept of their labels, the ontology's by the labels of the graph's
    context: a query comparing every label took 0.6-1.4 s at 1M triples. Read as a name,
    a label also matches with typographic dashes and quotes typed as plain ones."""
    def dotless(key: str) -> str:
        return key.replace(".", "")

    wanted = dotless(label_key(text))
    named = {iri for key, iris in graph.kept_label_keys.items() if dotless(key) == wanted
             for iri in iris}
    named |= {triple.subject.value for triple in graph.context()
              if triple.predicate in NAME_PREDICATES and isinstance(triple.subject, ox.NamedNode)
              and isinstance(triple.object, ox.Literal)
              and dotless(label_key(triple.object.value)) == wanted}
    return kept_nodes(graph, named)


def kept_names_like(graph, plain: str, misspelt: bool = True) -> list[tuple[str, ox.NamedNode]]:
    """The project's names like `plain` (see similar_names), each with a node it names,
    found by the label keys the build kept: a query of every label of the graph took
    1.8 s at a million triples, before `--country Japan` there was refused."""
    keys = graph.kept_label_keys
    found = []
    # the typed name read as the keys were made (Straße is strasse)
    for key in similar_names(label_key(plain), dict(zip(keys, keys)), misspelt):
        for node in kept_nodes(graph, keys[key]):
            written = [quad.object.value for predicate in NAME_PREDICATES
                       for quad in graph.store.quads_for_pattern(node, predicate, None)
                       if label_key(quad.object.value) == key]
            found += [(min(written), node)] if written else []  # none: a damaged key
    return found


def kept_nodes(graph, iris) -> list[ox.NamedNode]:
    """IRIs the build kept (of its label keys, or in its context.nt), as nodes in IRI
    order."""
    try:
        return sorted(map(ox.NamedNode, iris), key=lambda n: n.value)
    except ValueError as exc:  # no IRI: the kept keys were edited or damaged
        raise graph.damaged(LABELS_FILE, exc) from None


def kind_of(graph, node: ox.NamedNode) -> str:
    """What the node is, by the label of a class it is asserted to be in (`company`):
    inferred types would add every superclass."""
    types = sorted(graph.label(q.object) for q in graph.store.quads_for_pattern(
        node, RDF_TYPE, None, ASSERTED) if isinstance(q.object, ox.NamedNode))
    return " and ".join(types) or "entity"


def is_class(graph, entity_class: str) -> bool:
    cls = ox.NamedNode(expand(entity_class) or entity_class)
    return any(next(graph.store.quads_for_pattern(cls, RDF_TYPE, kind), None) is not None
               for kind in CLASS_KINDS)


def is_instance(graph, node: ox.NamedNode, entity_class: str) -> bool:
    cls = ox.NamedNode(expand(entity_class) or entity_class)
    return next(graph.store.quads_for_pattern(node, RDF_TYPE, cls),
                None) is not None


def words(name: str) -> list[str]:
    """The words of a name, in lower case, abbreviations without their full stops (U.S. is
    us)."""
    return re.findall(r"[^\W_]+", name.lower().replace(".", ""))


def class_names(graph, entity_class: str) -> dict[str, str]:
    """Labels and alternative labels of the class's project entities and concepts, by
    their lower-case form: the names worth suggesting, compared in any case."""
    # the class first, an index lookup (at 1M triples 0.7 s instead of 2 s for all labels);
    # ?cls projected, as Oxigraph substitutes only the variables of the SELECT clause
    _, rows = graph.select(
        "SELECT DISTINCT ?l ?cls WHERE { ?s a ?cls . "
        "?s rdfs:label|skos:prefLabel|skos:altLabel ?l . "
        "FILTER(STRSTARTS(STR(?s), STR(akd:)) || STRSTARTS(STR(?s), STR(akc:))) }",
        {ox.Variable("cls"): ox.NamedNode(expand(entity_class) or entity_class)})
    return {row[0].value.lower(): row[0].value for row in rows}
