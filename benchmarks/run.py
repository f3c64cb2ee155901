"""Time kg's commands as cold processes on the shipped graph and synthetic graphs.

    python benchmarks/run.py                      # shipped, 10k, 100k and 1M triples
    python benchmarks/run.py --sizes shipped 10k  # a quick run (CI: --sizes 10k --runs 1)
    python benchmarks/run.py --sizes 1M --runs 1 --skip validate

Prints a Markdown table: for each command and size, the median, min and max wall time of
--runs cold runs, the peak memory (see run_once), and the median as a multiple
of `python -c "import rdflib"` timed in the same run. `build` is the first command after
a data change (parse, infer, store, from an empty cache). Each command runs without the
results kept from slow queries (kg.results); the listings of the whole graph then run
again with the results they kept, if any, as "(kept)". Needs `kg` installed in the
running Python's environment, as users get it: `pip install .` compiles its modules to
bytecode, which an editable install under PYTHONDONTWRITEBYTECODE never does (every cold
run then compiles kg's modules, about 15 ms; the script warns).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from generate import write_working_copy

SIZES = {"shipped": None, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}
KG = [sys.executable, "-m", "kg"]
BASELINE = [sys.executable, "-c", "import rdflib"]
# Commands timed a second time, reading the results their first runs kept
KEPT = ("query co-production", "query timeline --from 2000", "stats")
SAMPLE_EVERY = 0.25  # seconds; each sample walks the page tables of every process


def run_once(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one command; fails loudly on a non-zero exit.

    The peak is the larger of the peak RSS of its biggest process and, on Linux, the
    largest sum of the PSS of all its processes, sampled every SAMPLE_EVERY seconds:
    `kg validate` works in forked copies, which share most of their memory (PSS
    counts a shared page once, split among its sharers; RSS counts it in each).
    """
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples = [0]
    ended = threading.Event()

    def sample():  # beside the wait, which must see the end at once
        while not ended.wait(SAMPLE_EVERY):
            samples.append(sum(map(pss_kib, process_tree(process.pid))))

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    ended.set()
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # kg validate exits 1 when it finds problems
        raise SystemExit(f"{' '.join(argv)} exited {code}: {process.stderr.read().decode()}")
    return elapsed, max(usage.ru_maxrss, max(samples)) / 1024


def process_tree(pid: int) -> list[int]:
    """The process and its descendants, from /proc (only the process elsewhere)."""
    tree = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            tree += [p for child in children.read_text().split() for p in process_tree(int(child))]
        except OSError:  # ended meanwhile
            pass
    return tree


def pss_kib(pid: int) -> int:
    """A process's proportional set size in KiB (0 where /proc does not tell it)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines()
                 if line.startswith("Pss:")), 0)


def measure(argv: list[str], env: dict, runs: int, before=None) -> dict:
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        elapsed, peak = run_once(argv, env)
        times.append(elapsed)
        peaks.append(peak)
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "peak": max(peaks)}


def commands(names: dict[str, str], candidate: Path) -> dict[str, list[str]]:
    system, country = names["system"], names["country"]
    return {
        "query co-production": KG + ["query", "co-production"],
        "query co-production --system": KG + ["query", "co-production", "--system", system],
        "query systems --country": KG + ["query", "systems", "--country", country],
        "query timeline --country": KG + ["query", "timeline", "--country", country],
        "query funding --country": KG + ["query", "funding", "--country", country],
        "query partners --country": KG + ["query", "partners", "--country", country],
        "query timeline --from 2000": KG + ["query", "timeline", "--from", "2000"],
        "sparql (count by class)": KG + ["sparql", "SELECT ?c (COUNT(*) AS ?n) "
                                         "WHERE { ?x a ?c } GROUP BY ?c"],
        "describe": KG + ["describe", system],
        "stats": KG + ["stats"],
        "validate": KG + ["validate"],
        "validate candidate": KG + ["validate", str(candidate)],
    }


# What the parameterised commands name: entities that exist at every size, and the
# nodes a candidate links to.
NAMES = {"shipped": {"system": "PAC-3", "country": "Japan", "countries": ("japan", "south-korea"),
                     "source": "source-jt-2023"},
         "synthetic": {"system": "Synthetic system 9", "country": "Synthetic country 3",
                       "countries": ("syn-country-3", "syn-country-4"), "source": "syn-source-0"}}
# 23 triples of new facts between two countries, as a curator checks them before kg add
CANDIDATE = """\
@prefix ak: <https://w3id.org/alliance-kg/ontology#> .
@prefix akc: <https://w3id.org/alliance-kg/concept/> .
@prefix akd: <https://w3id.org/alliance-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

akd:bench-mou a ak:Agreement ; rdfs:label "Benchmark memorandum (2020)"@en ;
    rdfs:comment "A memorandum the benchmark adds."@en ;
    ak:agreementType akc:mou ; ak:party akd:{0} , akd:{1} ; ak:date "2020"^^xsd:gYear ;
    ak:citation [ ak:inSource akd:{2} ; ak:quote "The two countries signed a memorandum." ] .
akd:bench-exercise a ak:Event ; rdfs:label "Benchmark exercise (May 2021)"@en ;
    rdfs:comment "An exercise the benchmark adds."@en ;
    ak:eventType akc:exercise ; ak:actor akd:{0} , akd:{1} ; ak:date "2021-05"^^xsd:gYearMonth ;
    ak:citation [ ak:inSource akd:{2} ; ak:quote "The two navies held a joint exercise." ] .
akd:{0} ak:citation [ ak:inSource akd:{2} ; ak:quote "The two countries signed a memorandum." ] .
"""


def bench_size(name: str, triples: int | None, runs: int, work: Path, skip=()) -> list[tuple]:
    data = None if triples is None else write_working_copy(work / name, triples, seed=1)
    cache = work / f"cache-{name}"
    env = {**os.environ, "KG_CACHE_DIR": str(cache)}
    if data:
        env["KG_DATA"] = str(data)
    else:
        env.pop("KG_DATA", None)

    def empty_cache():
        shutil.rmtree(cache, ignore_errors=True)

    def forget_results():
        for kept in cache.glob("*/results"):
            shutil.rmtree(kept)

    names = NAMES["shipped" if data is None else "synthetic"]
    candidate = work / f"candidate-{name}.ttl"
    candidate.write_text(CANDIDATE.format(*names["countries"], names["source"]))
    rows = [(name, "build", measure(KG + ["stats"], env, runs, before=empty_cache))]
    for label, argv in commands(names, candidate).items():
        if label.split(" ")[0] not in skip:
            rows.append((name, label, measure(argv, env, runs, before=forget_results)))
            if label in KEPT and any(cache.glob("*/results/*.tsv")):  # what they kept
                rows.append((name, f"{label} (kept)", measure(argv, env, runs)))
    return rows


def uncompiled_warning(source: str, environ) -> str | None:
    """A warning when every cold run would compile the package of `source` before running."""
    if environ.get("PYTHONDONTWRITEBYTECODE") and not Path(
            importlib.util.cache_from_source(source)).exists():
        return (f"warning: {Path(source).parent} has no compiled bytecode and "
                f"PYTHONDONTWRITEBYTECODE is set, so each run compiles kg's modules: "
                f"time an installed kg (pip install .)")
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES),
                        help="graphs to time (default: all of them, 1M included)")
    parser.add_argument("--runs", type=int, default=5, help="cold runs of each command")
    # a misspelt name left every command in
    skippable = sorted({label.split(" ")[0] for label in commands(NAMES["shipped"], Path())})
    parser.add_argument("--skip", nargs="+", default=[], choices=skippable, metavar="COMMAND",
                        help=f"kg commands to leave out ({', '.join(skippable)}), e.g. "
                             f"validate (slow at 1M)")
    args = parser.parse_args()
    warning = uncompiled_warning(importlib.util.find_spec("kg").origin, os.environ)
    if warning:
        print(warning, file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        # `python -m kg` imports from the current folder first; from a neutral one it
        # times the installed kg (the one uncompiled_warning checked), not a checkout.
        os.chdir(tmp)
        baseline = measure(BASELINE, dict(os.environ), args.runs)
        rows = [row for size in args.sizes
                for row in bench_size(size, SIZES[size], args.runs, Path(tmp), args.skip)]
    print(f"`python -c \"import rdflib\"`: median {baseline['median']:.3f} s "
          f"(min {baseline['min']:.3f}, max {baseline['max']:.3f}), {args.runs} runs each\n")
    print("| size | command | median s | min s | max s | peak MiB | × import rdflib |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for size, label, m in rows:
        print(f"| {size} | {label} | {m['median']:.3f} | {m['min']:.3f} | {m['max']:.3f} | "
              f"{m['peak']:.0f} | {m['median'] / baseline['median']:.2f} |")


if __name__ == "__main__":
    main()
