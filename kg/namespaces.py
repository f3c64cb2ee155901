"""The project's namespaces and the prefixes every query and display may use."""

import functools
import re

AK = "https://w3id.org/alliance-kg/ontology#"
AKC = "https://w3id.org/alliance-kg/concept/"
AKD = "https://w3id.org/alliance-kg/id/"
AKS = "https://w3id.org/alliance-kg/shapes#"
# kg's own terms: its lint rules (kg:schema-in-data) and kg:unset, a canned query's unset
# parameter; the IRI keeps the name of the rules it first held
KG = "https://w3id.org/alliance-kg/lint#"
GRAPHS = "https://w3id.org/alliance-kg/graph/"

PREFIXES = {
    "ak": AK,
    "akc": AKC,
    "akd": AKD,
    "aks": AKS,
    "kg": KG,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}


def curie(iri: str) -> str:
    """`akd:japan` for a known namespace, else the IRI unchanged."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def expand(name: str) -> str | None:
    """The IRI of a CURIE with a known prefix, else None."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return None


def nearest(term, known) -> str:
    """' (did you mean a, b?)' with the names in `known` (IRIs) closest to a mistyped
    IRI `term` as CURIEs, or ''."""
    return Names(known).nearest(term)


class Names:
    """Known IRIs, to name the nearest ones to a mistyped one (never itself). Each typo
    is looked up once: one repeated over thousands of statements took seconds each time."""

    def __init__(self, known, labelled: dict | None = None):
        """`labelled` maps names as kg reads them (kg.catalog.label_key) to the nodes they
        name: a mistyped node named after one of its labels (akd:dprk) is offered it."""
        self.by_curie = {curie(str(d)): d for d in known}
        self.labelled = labelled or {}
        self.suggested: dict = {}

    def nearest(self, term) -> str:
        if term not in self.suggested:
            self.suggested[term] = self.suggestion(term)
        return self.suggested[term]

    def suggestion(self, term) -> str:
        from kg.errors import close_matches

        typed = curie(str(term))
        # without the name itself, which would set the bar the others are kept by
        close = close_matches(typed, [name for name in self.by_curie if name != typed], n=3)
        # the right name under a mistyped namespace (ontology/ for ontology#, http for https)
        same_name = [name for name in self.by_local_name.get(local_name(str(term)), [])
                     if name != typed]
        if same_name and not close:
            return f" (did you mean {', '.join(same_name)}? check the prefix declarations)"
        alike = [name for name in self.named_alike(local_name(str(term))) if name != typed]
        close = list(dict.fromkeys(alike + close))[:3]
        return f" (did you mean {', '.join(close)}?)" if close else ""

    def named_alike(self, local: str) -> list[str]:
        """The names that difflib's ratio misses: of a node with a label of the local
        name's words (akd:dprk: "DPRK"), with the same words in another order
        (akd:kishi-nobuo), or with the first words of the local name (akd:nobuo-kishi for
        akd:nobuo-kishi-defense-minister) or the local name as its first words."""
        words = [word for word in re.split(r"[-_]+", local.lower()) if word]
        if not words:
            return []
        labelled = sorted(curie(str(node)) for node in self.labelled.get(" ".join(words), ()))
        alike = []
        for name, iri in sorted(self.by_curie.items()):
            theirs = [word for word in re.split(r"[-_]+", local_name(str(iri)).lower()) if word]
            if theirs != words and (sorted(theirs) == sorted(words)
                                    or theirs == words[:len(theirs)] and len(theirs) > 1
                                    or words == theirs[:len(words)] and len(words) > 1):
                alike.append(name)
        return labelled + sorted(alike, key=len)

    @functools.cached_property
    def by_local_name(self) -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for name, iri in sorted(self.by_curie.items()):
            names.setdefault(local_name(str(iri)), []).append(name)
        return names


def local_name(iri: str) -> str:
    """What follows the IRI's last # or /."""
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1:]
