"""The synthetic graphs the benchmarks time are as sound as the curated data, and the
benchmark times what users install."""

import re

from generate import generate, write_working_copy

from kg.store import open_graph
from kg.validation import check


def test_each_country_has_its_own_iso_code():
    # 4,000 units once made 1,000 countries, more than there are two-letter codes.
    codes = re.findall(r'ak:iso3166Alpha2 "([^"]*)"', generate(units=4000, seed=1))
    assert len(codes) == len(set(codes)) == 26 * 26
    assert all(re.fullmatch("[A-Z]{2}", code) for code in codes)


def test_a_synthetic_graph_has_no_violations(tmp_path):
    report = check(open_graph(write_working_copy(tmp_path / "syn", 10_000, seed=3)))
    assert report.problems  # warnings and hints, as in the curated data
    assert report.at_or_above("violation") == []


def test_the_benchmark_warns_when_each_run_would_compile_kg(tmp_path):
    import py_compile

    from run import uncompiled_warning

    source = tmp_path / "kg" / "__init__.py"
    source.parent.mkdir()
    source.write_text("")
    no_bytecode = {"PYTHONDONTWRITEBYTECODE": "1"}
    assert "has no compiled bytecode" in uncompiled_warning(str(source), no_bytecode)
    assert uncompiled_warning(str(source), {}) is None  # the first run writes it
    py_compile.compile(str(source))
    assert uncompiled_warning(str(source), no_bytecode) is None
