"""Every quote in the graph appears in the article its citation names."""

import pytest
from rdflib import Namespace

from conftest import SEEDS
from kg.lint import article_words, normalise

AK = Namespace("https://w3id.org/alliance-kg/ontology#")


def citations():
    from kg.loading import find_inputs, parse_turtle

    graph = parse_turtle(find_inputs().graph_files)
    for node, citation in [*graph.subject_objects(AK.citation), *graph.subject_objects(AK.disputedBy)]:
        source = graph.value(citation, AK.inSource)
        yield (str(node), str(graph.value(source, AK.fileName)), str(graph.value(citation, AK.quote)))


ALL = sorted(set(citations()))


def test_the_graph_has_citations_from_several_sources():
    assert len(ALL) > 100
    assert len({file for _, file, _ in ALL}) >= 2


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
@pytest.mark.parametrize("node, file, quote", ALL, ids=[f"{n.rsplit('/', 1)[-1]}" for n, _, _ in ALL])
def test_quote_appears_in_the_cited_article(node, file, quote):
    article = article_words((SEEDS / file).read_text(encoding="utf-8"))
    assert normalise(quote) in article, f"{node}: quote not found in {file}: {quote!r}"


def test_normalising_is_not_loose():
    assert normalise("a  \n b \u201cc\u201d") == 'a b "c"'
    assert normalise("Abc") != normalise("abc")


def test_a_markdown_link_reads_as_its_words():
    text = "Another option would be to purchase the [Terminal High Altitude Area Defense](#) (THAAD) system."
    assert article_words(text) == ("Another option would be to purchase the Terminal High "
                                   "Altitude Area Defense (THAAD) system.")
    assert article_words("[Aegis](#)-equipped and [a](b) [c](d)") == "Aegis-equipped and a c"
    assert article_words("a [footnote] (not a link)") == "a [footnote] (not a link)"


def test_an_escaped_punctuation_mark_reads_as_the_mark():
    """003 writes "\\$431" and footnotes "[\\[12\\]](#)": a quote of "$431 million" was not
    found, and a quote could not hold the "\\$" (no escape in Turtle)."""
    text = r"saved the United States \$431 million so far. Lockheed Martin.[\[12\]](#) This"
    assert article_words(text) == ("saved the United States $431 million so far. Lockheed "
                                   "Martin.[12] This")
    assert article_words(r"a\\b \a") == r"a\b \a"  # an escaped backslash; no escape of a letter
