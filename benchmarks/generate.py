"""Synthetic alliance-kg data of the shipped graph's shape, at any size, from a seed.

    python benchmarks/generate.py --triples 100000 --seed 1 --out /tmp/kg-100k

writes a working copy (ontology/ and queries/ copied from this repository, data/ generated)
that `kg --data /tmp/kg-100k ...` reads. The mix of node kinds follows the curated data:
countries, companies with their country, systems with variants, programs with roles,
agreements, events, holdings, memberships and money figures, each with a cited quote.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PREFIXES = """@prefix ak: <https://w3id.org/alliance-kg/ontology#> .
@prefix akc: <https://w3id.org/alliance-kg/concept/> .
@prefix akd: <https://w3id.org/alliance-kg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

"""
KINDS = ["InterceptorMissile", "WeaponSystem", "Sensor", "DirectedEnergyWeapon", "StrikeMissile"]
PROGRAMS = ["CoDevelopmentProgram", "CoProductionProgram", "LicensedProductionProgram",
            "ProcurementProgram"]
AGREEMENT_TYPES = ["mou", "project-arrangement", "joint-statement", "data-sharing", "aid-package",
                   "purchase"]
EVENT_TYPES = ["missile-launch", "nuclear-test", "attack", "interception", "deployment", "exercise",
               "summit", "policy-decision"]
THREATS = ["short-range-ballistic-missile", "medium-range-ballistic-missile", "cruise-missile",
           "hypersonic-glide-vehicle", "drone", "rocket"]
# Roughly how many asserted triples one "unit" below produces; used to size the output.
TRIPLES_PER_UNIT = 56


def cite(rng: random.Random, source: int) -> str:
    return (f'    ak:citation [ ak:inSource akd:syn-source-{source} ; '
            f'ak:quote "Synthetic quote {rng.randrange(10**9)}." ] .\n')


def date(rng: random.Random) -> str:
    year = rng.randrange(1990, 2025)
    form = rng.randrange(3)
    if form == 0:
        return f'"{year}"^^xsd:gYear'
    if form == 1:
        return f'"{year}-{rng.randrange(1, 13):02d}"^^xsd:gYearMonth'
    return f'"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"^^xsd:date'


def generate(units: int, seed: int) -> str:
    """Turtle for `units` groups of nodes (one country, company, system, program, ...)."""
    rng = random.Random(seed)
    sources = max(5, units // 50)
    # One distinct two-letter ISO code per country, as in the curated data (26 x 26 codes;
    # the world has fewer than 250 countries, so a larger graph only adds facts about them).
    countries = min(26 * 26, max(4, units // 4))
    out = [PREFIXES]
    for s in range(sources):
        out.append(f'akd:syn-source-{s} a ak:Source ; rdfs:label "Synthetic source {s}"@en ; '
                   f'dcterms:title "Synthetic {s}" ; dcterms:publisher "Synthetic" ; '
                   f'dcterms:creator "Synthetic" ; dcterms:date "2020"^^xsd:gYear ; '
                   f'ak:fileName "syn-{s}.txt" .\n')
    for c in range(countries):
        out.append(f'akd:syn-country-{c} a ak:Country ; rdfs:label "Synthetic country {c}"@en ; '
                   f'ak:iso3166Alpha2 "{chr(65 + c // 26)}{chr(65 + c % 26)}" .\n')
    for u in range(units):
        src = rng.randrange(sources)
        c1, c2 = rng.sample(range(countries), 2)
        kind = rng.choice(KINDS)
        out.append(f'akd:syn-company-{u} a ak:Company ; rdfs:label "Synthetic company {u}"@en ; '
                   f'ak:country akd:syn-country-{c1} ;\n' + cite(rng, src))
        variant = f" ; ak:variantOf akd:syn-system-{rng.randrange(u)}" if u and rng.random() < 0.3 else ""
        out.append(f'akd:syn-system-{u} a ak:{kind} ; rdfs:label "Synthetic system {u}"@en ; '
                   f'skos:altLabel "SYN-{u}"@en ; ak:counters akc:{rng.choice(THREATS)} ; '
                   f'ak:defenseTier akc:{rng.choice(["upper-tier", "lower-tier"])}{variant} ;\n'
                   + cite(rng, src))
        program = rng.choice(PROGRAMS)
        roles = {"LicensedProductionProgram": ("licensor", "licensee"),
                 "ProcurementProgram": ("supplier", "buyer")}.get(program, ("developer", "producer"))
        out.append(f'akd:syn-program-{u} a ak:{program} ; rdfs:label "Synthetic program {u}"@en ; '
                   f'ak:concernsSystem akd:syn-system-{u} ; ak:{roles[0]} akd:syn-company-{u} ; '
                   f'ak:{roles[1]} akd:syn-country-{c2} ; ak:startDate {date(rng)} ;\n'
                   + cite(rng, src))
        out.append(f'akd:syn-agreement-{u} a ak:Agreement ; rdfs:label "Synthetic agreement {u}"@en ; '
                   f'ak:agreementType akc:{rng.choice(AGREEMENT_TYPES)} ; '
                   f'ak:party akd:syn-country-{c1} , akd:syn-country-{c2} ; ak:date {date(rng)} ;\n'
                   + cite(rng, src))
        out.append(f'akd:syn-event-{u} a ak:Event ; rdfs:label "Synthetic event {u}"@en ; '
                   f'ak:eventType akc:{rng.choice(EVENT_TYPES)} ; ak:actor akd:syn-country-{c1} ; '
                   f'ak:concernsSystem akd:syn-system-{u} ; ak:date {date(rng)} ;\n' + cite(rng, src))
        out.append(f'akd:syn-holding-{u} a ak:Holding ; rdfs:label "Synthetic holding {u}"@en ; '
                   f'ak:operator akd:syn-country-{c2} ; ak:concernsSystem akd:syn-system-{u} ; '
                   f'ak:quantity "{rng.randrange(1, 500)}"^^xsd:nonNegativeInteger ; '
                   f'ak:unit "battery" ; ak:asOf {date(rng)} ; ak:status akc:in-service ;\n'
                   + cite(rng, src))
        if u % 10 == 0:
            out.append(f'akd:syn-grouping-{u} a ak:Alliance ; rdfs:label "Synthetic alliance {u}"@en ;\n'
                       + cite(rng, src))
            for member in (c1, c2):
                out.append(f'akd:syn-membership-{u}-{member} a ak:Membership ; '
                           f'rdfs:label "Synthetic membership {u}-{member}"@en ; '
                           f'ak:member akd:syn-country-{member} ; ak:organization akd:syn-grouping-{u} ;\n'
                           + cite(rng, src))
        if u % 5 == 0:
            out.append(f'akd:syn-figure-{u} a ak:MonetaryFigure ; rdfs:label "Synthetic figure {u}"@en ; '
                       f'ak:figureType akc:budget ; ak:amount {rng.randrange(10**6, 10**10)}.0 ; '
                       f'ak:currency "USD" ; ak:about akd:syn-program-{u} ; '
                       f'ak:funder akd:syn-country-{c1} ;\n' + cite(rng, src))
    return "".join(out)


def write_working_copy(out: Path, triples: int, seed: int) -> Path:
    """A working copy at `out` with about `triples` asserted data triples."""
    if out.exists():
        shutil.rmtree(out)
    for name in ("ontology", "queries"):
        shutil.copytree(REPO / name, out / name)
    (out / "data").mkdir(parents=True)
    units = max(1, triples // TRIPLES_PER_UNIT)
    (out / "data" / "synthetic.ttl").write_text(generate(units, seed), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000, help="approximate size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder of the working copy")
    args = parser.parse_args()
    write_working_copy(args.out, args.triples, args.seed)
    print(args.out)


if __name__ == "__main__":
    main()
