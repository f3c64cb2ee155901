"""Each canned query answers a question from the articles with the exact expected rows."""

import re

import pyoxigraph as ox
import pytest

from kg.api import run_query
from kg.errors import InputError
from kg.namespaces import AK, AKC, AKD, PREFIXES

AAF = AKD + "source-aaf-2015"
JT = AKD + "source-jt-2023"


def rows(graph, name, **params):
    return run_query(name, params, graph).to_dicts()


def pairs(result, *columns):
    return {tuple(row[c].rsplit("/", 1)[-1].rsplit("#", 1)[-1] for c in columns) for row in result}


def test_who_produces_pac3_under_licence(graph):
    result = rows(graph, "co-production", system="PAC-3")
    assert pairs(result, "participant", "role") == {
        ("mitsubishi-heavy-industries", "licensee"), ("mitsubishi-heavy-industries", "producer"),
        ("japan", "licensee"), ("united-states", "licensor")}  # not Lockheed Martin, the U.S. producer
    assert {row["source"] for row in result} == {AAF}
    assert all(row["quote"] for row in result)


def test_sm3_includes_the_block_iia_co_development_with_its_contractors(graph):
    result = rows(graph, "co-production", system="SM-3")
    assert {row["system"] for row in result} == {AKD + "sm-3-block-iia"}
    contractors = {row["participant"] for row in result if row["role"] == AK + "contractor"}
    assert contractors == {AKD + "raytheon", AKD + "mitsubishi-heavy-industries"}


def test_japanese_participants_only(graph):
    result = rows(graph, "co-production", country="Japan")
    assert {row["country"] for row in result} == {AKD + "japan"}
    assert {row["participant"] for row in result} == {AKD + "japan", AKD + "mitsubishi-heavy-industries"}


def test_co_development_whose_source_names_no_system_is_listed_last(graph):
    """003 names Germany and Italy as U.S. co-development partners, but no system."""
    germany = rows(graph, "co-production", country="Germany")
    assert [(row["system"], row["program"], row["participant"], row["role"]) for row in germany] == [
        (None, AKD + "us-co-development-germany", AKD + "germany", AK + "developer")]
    programs = [(row["system"], row["program"]) for row in rows(graph, "co-production")]
    assert programs[-1][0] is None and programs[0][0] is not None
    assert (None, AKD + "us-co-development-italy") in programs
    assert (None, AKD + "us-japan-joint-bmd-research-and-development") in programs


def test_us_japan_agreements_of_1999(graph):
    result = rows(graph, "agreements", country="Japan", to="1999")
    assert [(row["agreement"], row["type"], row["date"]) for row in result] == [
        (AKD + "mou-1999-us-japan-bmd", AKC + "mou", "1999")]
    assert result[0]["quote"].startswith("In 1999, the two countries signed a Memorandum")


def test_agreements_include_the_licensing_deal_and_the_joint_commitments(graph):
    kinds = {row["agreement"]: row["type"] for row in rows(graph, "agreements", country="US")}
    assert kinds[AKD + "us-japan-licensed-production-agreement"] == AKC + "licensing-agreement"
    assert kinds[AKD + "trilateral-multiyear-training-plan-decision-2023"] == AKC + "joint-commitment"
    assert kinds[AKD + "trilateral-cyber-consultations-decision-2023"] == AKC + "joint-commitment"


def test_an_undated_agreement_known_as_of_a_year_counts_as_running_then_for_both_bounds(graph):
    """The early-warning sharing, undated and known as of December 2015, passed --from 2015
    but failed any --to: adding --to 2030 to --from 2015 lost it."""
    sharing = AKD + "us-japan-early-warning-information-sharing"

    def listed(**years):
        return sharing in {row["agreement"] for row in rows(graph, "agreements", **years)}

    assert listed(**{"from": "2015"}) and listed(**{"from": "2015", "to": "2030"})
    assert listed(to="2015") and not listed(to="2014") and not listed(**{"from": "2016"})


@pytest.mark.parametrize("name, column", [("agreements", "agreement"), ("timeline", "what")])
def test_a_decade_long_mou_runs_for_its_decade(graph, name, column):
    """The 2016 MoU, "over the next decade" (P10Y), was not running for --from 2020."""
    mou = AKD + "us-israel-mou-2016"

    def listed(year):
        return mou in {row[column] for row in rows(graph, name, country="Israel", **{"from": year})}

    assert listed("2020") and listed("2026") and not listed("2027")


def test_trilateral_data_sharing_agreed_on_sunday_12_november_2023(graph):
    result = rows(graph, "agreements", country="South Korea", **{"from": "2023"})
    sharing = [row for row in result if row["type"] == AKC + "data-sharing"]
    assert [(row["agreement"], row["date"], row["source"]) for row in sharing] == [
        (AKD + "trilateral-missile-warning-data-sharing-2023", "2023-11-12", JT)]


def test_parties_are_listed_in_alphabetical_order_by_both_queries(graph):
    camp_david = AKD + "camp-david-trilateral-pact-2023"
    agreement = next(r for r in rows(graph, "agreements") if r["agreement"] == camp_david)
    event = next(r for r in rows(graph, "timeline") if r["what"] == camp_david)
    assert agreement["parties"] == event["participants"] == "Japan, South Korea, United States"



def test_parties_are_those_with_a_role_not_who_only_took_part(graph):
    """The leaders who agreed for their countries, and a command that hosts a platform,
    are participants, not parties (the timeline still lists them)."""
    by_iri = {r["agreement"]: r for r in rows(graph, "agreements", country="US", partner="Japan")}
    kishida = by_iri[AKD + "biden-kishida-iamd-agreement-2024"]
    assert kishida["parties"] == "Japan, United States"
    sharing = by_iri[AKD + "trilateral-missile-warning-data-sharing-2023"]
    assert sharing["parties"] == "Japan, South Korea, United States"
    event = next(r for r in rows(graph, "timeline")
                 if r["what"] == AKD + "biden-kishida-iamd-agreement-2024")
    assert "Joe Biden" in event["participants"]


def test_timeline_is_in_date_order_and_filters_by_year(graph):
    result = rows(graph, "timeline", country="North Korea", to="2009")
    dates = [row["date"] for row in result]
    assert dates == sorted(dates)
    assert dates[0] == "1998" and all(d[:4] <= "2009" for d in dates)
    assert AKC + "nuclear-test" in {row["type"] for row in result}


def test_a_countrys_timeline_includes_events_about_it(graph):
    """000: "the transfer of Israeli responsibility from European Command to US Central
    Command": Israel is what was transferred, neither a participant nor a target."""
    result = rows(graph, "timeline", country="Israel", **{"from": "2021", "to": "2021"})
    assert {row["what"] for row in result} == {AKD + "israel-transfer-eucom-to-centcom-2021",
                                               AKD + "us-israel-biannual-exercises",  # since 2001
                                               AKD + "us-israel-mou-2016"}  # for a decade


def test_the_april_2023_exercise_is_labelled_as_trilateral_not_as_between_two_of_its_parties(graph):
    """The Japan Times caption places it "in international waters between South Korea and
    Japan"; the label "exercise between South Korea and Japan" read as a bilateral one."""
    labelled = run_query("timeline", {"country": "US", "from": "2023", "to": "2023"},
                         graph).to_dicts(label=graph.label)
    [row] = [r for r in labelled if r["what"].startswith("Trilateral naval missile defense")]
    assert row["what"] == ("Trilateral naval missile defense exercise in waters between "
                           "South Korea and Japan (April 2023)")
    assert row["participants"] == "Japan, South Korea, United States"


def test_germany_and_italy_are_partners_of_the_us_not_of_each_other(graph):
    """The article names them together, "such as Germany and Italy", as two partners."""
    partners = {row["partner"] for row in rows(graph, "partners", country="Germany")}
    assert partners == {AKD + "united-states"}


def test_the_first_north_korean_nuclear_test_is_dated_october_2006(graph):
    dates = {row["what"]: row["date"] for row in rows(graph, "timeline", country="North Korea")}
    assert dates[AKD + "north-korea-first-nuclear-test"] == "2006-10"


def test_a_timeline_row_quotes_what_states_its_date(graph):
    """The 2023-11-12 data-sharing row quoted the Phnom Penh statement "in November 2022",
    and the August 2023 summit an undated photo caption: the quotes that state the dates
    now say so (ak:supports ak:date)."""
    quote = {row["what"].rsplit("/", 1)[-1]: row["quote"]
             for row in rows(graph, "timeline", **{"from": "2023", "to": "2023"})}
    assert quote["trilateral-missile-warning-data-sharing-2023"].startswith(
        "with the three countries agreeing Sunday to start sharing")
    assert "August's Camp David summit" in quote["camp-david-summit-2023"]


def test_a_timeline_row_says_how_its_date_was_read(graph):
    """Kono's decision is dated from background knowledge, not from the article: the row
    says so, where a date the article prints has no note."""
    note = {row["what"].rsplit("/", 1)[-1]: row["dateNote"]
            for row in rows(graph, "timeline", **{"from": "2020", "to": "2022"})}
    assert note["japan-decision-suspend-aegis-ashore"].startswith("Background, not in the article")
    assert note["phnom-penh-joint-statement-2022"] is None


def test_a_countrys_timeline_includes_what_takes_place_in_it(graph):
    """The 2006 U.S. deployment to its bases in Japan was missing from Japan's timeline: Japan
    neither takes part nor is targeted; the bases lie in Japan."""
    def found(country):
        return {row["what"].rsplit("/", 1)[-1] for row in rows(graph, "timeline", country=country)}

    assert "us-bmd-deployment-japan-2006" in found("Japan")
    assert found("Romania") == {"aegis-ashore-romania-inauguration-2016"}


def test_a_span_is_in_the_timeline_of_every_year_it_is_known_to_run(graph):
    """--from 2004 --to 2005 found nothing, though the 2003-2006 tests ran then: a span
    was matched by its start year only. One with a start only runs to its asOf date."""
    def found(start, end):
        return {row["what"].rsplit("/", 1)[-1]
                for row in rows(graph, "timeline", **{"from": start, "to": end})}

    assert "north-korea-missile-tests-2003-2006" in found("2004", "2005")
    assert "north-korea-missile-tests-2003-2006" not in found("2007", "2008")
    assert "us-israel-biannual-exercises" in found("2010", "2012")
    assert "north-korea-missile-tests-toward-japan-since-1998" not in found("2016", "2020")


def test_timeline_lists_undated_events_last_unless_years_are_given(graph):
    deployment = AKD + "aegis-ashore-deployment-japan"  # the article gives no date
    result = rows(graph, "timeline", country="Japan")
    dated = [row["date"] is not None for row in result]
    assert dated == sorted(dated, reverse=True) and not all(dated)
    assert deployment in {row["what"] for row in result if row["date"] is None}
    since_2000 = {row["what"]: row["date"] for row in rows(graph, "timeline", country="Japan",
                                                            **{"from": "2000"})}
    assert deployment not in since_2000
    # dated from background knowledge, which its date note says
    assert since_2000[AKD + "japan-decision-suspend-aegis-ashore"] == "2020-06-15"


def test_timeline_without_filters_includes_undated_system_free_events(graph):
    whats = {row["what"] for row in rows(graph, "timeline")}
    assert AKD + "mou-1999-us-japan-bmd" in whats
    assert AKD + "camp-david-trilateral-pact-2023" in whats


def test_cruise_missiles_are_countered_by_pac3_mse_and_israels_layers(graph):
    result = rows(graph, "counters", threat="cruise missile")
    assert pairs(result, "system", "threat") == {
        ("pac-3-mse", "cruise-missile"), ("israel-multilayered-air-defense", "cruise-missile")}


def test_a_counters_row_quotes_the_sentence_that_names_its_threat(graph):
    # PAC-3 MSE has two citations; the other names no threat ("... the next generation
    # Missile Segment Enhancement (MSE) interceptors.")
    [row] = rows(graph, "counters", system="PAC-3 MSE", threat="cruise missile")
    assert row["quote"] == ("Once equipped with these advanced interceptor missiles, PAC-3 can be "
                            "used to protect against cruise missiles in addition to ballistic missiles.")


@pytest.mark.parametrize("name, params, row, quote", [
    # names the threat in a coordination, where the other quote ("toolbox") does not
    ("counters", {"threat": "cruise missile"}, {"system": AKD + "israel-multilayered-air-defense"},
     "Each defense system layer is designed to counter a specific aerial threat, from drones and "
     "rockets to cruise and ballistic missiles."),
    # names the tier, where no PAC-3 quote names the threat
    ("counters", {"system": "PAC-3"}, {"system": AKD + "pac-3"},
     "SM-3 provides upper-tier interception capability, and PAC-3 provides the capability to "
     "intercept missiles in the lower-tier."),
    # backs the actor (Kono's decision), where a photo caption says only "Japanese" and
    # another quote names Japan only as the Japan Sea
    ("systems", {"country": "Japan"}, {"fact": AKD + "japan-decision-suspend-aegis-ashore",
                                       "agent": AKD + "japan", "system": AKD + "aegis-ashore"},
     "They were surprised by then Defense Minister Taro Kono’s decision to suspend the Aegis "
     "Onshore program."),
    # names the participants, where the alphabetically first quote names neither
    ("timeline", {"country": "Israel"}, {"what": AKD + "us-israel-biannual-exercises"},
     "Since 2001, the US and Israel have conducted biannual exercises to prepare for exactly "
     "the type of attack we saw last month."),
    # states the year, where the quote naming Japan does not mention the legislation
    ("timeline", {"country": "Japan", "from": "2015", "to": "2015"},
     {"what": AKD + "japan-defense-legislation-changes-2015"},
     "They welcomed the 2015 changes in Japanese defense legislation to allow that to happen, "
     "at least in theory."),
    ("partners", {"country": "Australia", "partner": "Japan"}, {"through": AKD + "quad"},
     "reenergized Quad (Australia, India, Japan, and the US)"),
    # the curated ak:supports and ak:mentions: Japan co-develops ("the two countries"), where
    # the quote naming Japan is about spending; Raytheon develops ("both companies"), where
    # the quote naming it is about contracting
    ("co-production", {"system": "SM-3 Block IIA"},
     {"participant": AKD + "japan", "role": AK + "developer"},
     "Currently, the two countries are co-developing SM-3 Block IIA interceptors to upgrade "
     "Aegis-equipped destroyers."),
    ("co-production", {"system": "SM-3 Block IIA"},
     {"participant": AKD + "raytheon", "role": AK + "developer"},
     "Both companies were responsible for developing specific parts of the program."),
    ("co-production", {"system": "SM-3 Block IIA"},
     {"participant": AKD + "raytheon", "role": AK + "contractor"},
     "The U.S. government contracted with Raytheon, and the Japanese government contracted "
     "with Mitsubishi Heavy Industries."),
    ("systems", {"country": "United States"},
     {"fact": AKD + "us-israel-missile-defense-cooperation", "role": AK + "funder"},
     "Given that funding for Israeli missile defense comes out of the same account as US "
     "domestic missile defense programs, additional support for Israel means fewer resources "
     "are available for critical US programs at a time when the missile threat from North "
     "Korea is increasing."),
    # backs the date ("last week"), where the alphabetically first quote naming Israel
    # says only what the ministry added
    ("timeline", {"country": "Israel", "from": "2017", "to": "2017"},
     {"what": AKD + "liberman-washington-meetings-2017"},
     "Meeting with senior Trump administration officials in Washington last week, Defense "
     "Minister Avigdor Liberman twice referenced the growing threat posed by North Korea’s "
     "missile programs preoccupying the White House in its first days on the job."),
    # states the amount
    ("funding", {"country": "Israel"}, {"figure": AKD + "us-missile-defense-aid-israel-mou-2016"},
     "The MoU guarantees $5 billion in US aid for Israel’s missile defense over the next decade."),
    # backs ak:counters ("That's why"), where the quote naming drones does not name Iron Beam
    ("counters", {"threat": "drone"}, {"system": AKD + "iron-beam"},
     "That's why the US and Israel are working together on the Iron Beam defense system, a "
     "high-energy laser that costs a fraction of conventional interceptors and flips the "
     "cost-benefit ratio on its head."),
    # backs the buyer ("Japanese procurement"), where the quotes naming Japan are about
    # licensed production and assets in general
    ("systems", {"country": "Japan"}, {"fact": AKD + "procurement-aegis-bmd-japan",
                                       "role": AK + "buyer"},
     "The Japanese procurement of the Aegis BMD system was the first time a missile defense "
     "capability produced by the U.S. Missile Defense Agency was sold to a military ally."),
    # backs the role of each partner, where the funding quote names both as well
    ("partners", {"country": "Israel", "partner": "United States"},
     {"through": AKD + "us-israel-missile-defense-cooperation"},
     "The US and Israel have worked together for years to mitigate missile threats from Iran "
     "and North Korea, which have in turn worked jointly to advance their programs."),
    # states the meeting's year, where the quote naming all four countries is about the Quad
    ("partners", {"country": "India", "partner": "Japan"},
     {"through": AKD + "quad-leaders-meeting-2023-05-20"},
     "The Quad leaders meet on the sidelines of the G7 summit in Hiroshima, on May 20, 2023."),
    # backs Japan as the actor of the option ("Another option"), where the quote naming
    # Japan names no system
    ("timeline", {"country": "Japan", "from": "2015", "to": "2015"},
     {"what": AKD + "japan-option-thaad-2015"},
     "Another option would be to purchase the Terminal High Altitude Area Defense (THAAD) "
     "system."),
    ("systems", {"country": "Japan", "system": "Aegis Ashore"},
     {"fact": AKD + "japan-option-interceptors-on-ships-2020", "role": AK + "actor"},
     "One option is to move the missile interceptors off the land, setting them up on ships "
     "or on platforms like oil rigs, leaving the radar onshore."),
    # backs the date ("Sunday"), where the alphabetically first quote is about the 2022 plan
    ("agreements", {"country": "Japan", "from": "2023"},
     {"agreement": AKD + "trilateral-missile-warning-data-sharing-2023"},
     "with the three countries agreeing Sunday to start sharing real-time missile-warning data "
     "next month to better detect and assess North Korea's increasingly frequent ballistic "
     "missile launches."),
])
def test_a_row_quotes_the_sentence_that_names_what_it_is_about(graph, name, params, row, quote):
    [found] = [r for r in rows(graph, name, **params) if row.items() <= r.items()]
    assert found["quote"] == quote


def test_a_quote_that_mentions_the_agreement_is_preferred(working_copy):
    # "The MoU" is this agreement, though no label of it occurs in the quote; without the
    # mention, the alphabetically first quote naming Israel wins. The MoU's date and its
    # citations' ak:supports are left out on both sides, or the quotes that state its year
    # or back its parties would come first.
    from kg.store import open_graph

    path = working_copy / "data" / "002-jpost-2017.ttl"
    quote = "The MoU guarantees $5 billion in US aid for Israel’s missile defense over the next decade."
    line = f'            ak:quote "{quote}" ;\n'
    text = path.read_text(encoding="utf-8")
    start = text.index("\nakd:us-israel-mou-2016\n")  # the quote also backs the aid figure
    end = text.index("\n.\n", start)
    text = (text[:start] + re.sub(r"\n *ak:(date|dateNote|supports) [^\n]*", "",
                                  text[start:end]) + text[end:])
    path.write_text(text, encoding="utf-8")
    before = {row["agreement"]: row["quote"] for row in rows(open_graph(working_copy), "agreements")}
    at = text.index(line, start) + len(line)
    path.write_text(text[:at] + "            ak:mentions akd:us-israel-mou-2016 ;\n" + text[at:],
                    encoding="utf-8")
    after = {row["agreement"]: row["quote"] for row in rows(open_graph(working_copy), "agreements")}
    mou = AKD + "us-israel-mou-2016"
    assert before[mou] != quote and after[mou] == quote
    assert {k: v for k, v in after.items() if k != mou} == {
        k: v for k, v in before.items() if k != mou}


def test_hypersonic_threats_are_countered_by_the_glide_phase_interceptor(graph):
    result = rows(graph, "counters", threat="hypersonic missile")
    assert pairs(result, "system", "threat", "phase") == {
        ("glide-phase-interceptor", "hypersonic-missile", "glide-phase")}


def test_upper_and_lower_tier(graph):
    result = rows(graph, "counters", threat="ballistic missile")
    tiers = {row["system"]: row["tier"] for row in result if row["tier"]}
    assert tiers == {AKD + "sm-3": AKC + "upper-tier", AKD + "pac-3": AKC + "lower-tier"}


def test_trilateral_partnership_members(graph):
    result = rows(graph, "members", country="South Korea")
    groupings = {}
    for row in result:
        groupings.setdefault(row["grouping"].rsplit("/", 1)[-1], set()).add(
            row["member"].rsplit("/", 1)[-1])
    assert groupings["us-japan-rok-trilateral"] == {"united-states", "japan", "south-korea"}
    assert "us-japan-alliance" not in groupings


def test_japan_operates_pac3_since_its_2009_deployment(graph):
    result = rows(graph, "systems", country="Japan", system="PAC-3")
    facts = {row["fact"].rsplit("/", 1)[-1] for row in result if row["role"] == AK + "operator"}
    assert facts == {"holding-japan-pac-3-batteries-2015", "japan-bmd-deployment-2009"}


def test_a_state_known_as_of_an_articles_date_is_not_given_as_the_facts_date(graph):
    """The THAAD deployment in South Korea showed the date 2023-11-13, its article's
    (ak:asOf), as if it were deployed then; the article dates no deployment."""
    thaad = [row for row in rows(graph, "systems", country="South Korea")
             + rows(graph, "evidence", entity="THAAD")
             if row["fact"] == AKD + "thaad-deployment-south-korea"]
    assert thaad and {(row["date"], row["asOf"]) for row in thaad} == {(None, "2023-11-13")}


@pytest.mark.parametrize("name", ["co-production", "systems", "agreements", "timeline",
                                  "counters", "members", "partners", "funding", "inventory"])
def test_every_row_carries_its_source_and_quote(graph, name):
    result = rows(graph, name)
    assert result
    assert all(row["source"].startswith(AKD + "source-") and row["quote"] for row in result)


def test_each_row_quotes_the_passage_naming_its_participant(graph):
    """Each licence role by the quote that names its holder: MHI's by the sentence on its
    production, Japan's and the United States' by the deal the two countries made (the
    quote on MHI, which says "in the United States", was the licensor's)."""
    quotes = {row["participant"].rsplit("/", 1)[-1]: row["quote"]
              for row in rows(graph, "co-production", system="PAC-3") if row["role"] != AK + "producer"}
    assert quotes["mitsubishi-heavy-industries"] == (
        "Under this agreement, Mitsubishi Heavy Industries was able to produce PAC-3 interceptor "
        "missiles, which are produced in the United States by Lockheed Martin.")
    assert quotes["japan"] == quotes["united-states"] == (
        "In addition to Foreign Military Sales, the two countries also negotiated a deal to "
        "allow Japan licensed production of BMD systems developed in the United States.")


def test_funding_the_sm3_block_iia_saving(graph):
    [saving] = [row for row in rows(graph, "funding", country="Japan") if row["kind"] == AKC + "saving"]
    assert (saving["amount"], saving["currency"], saving["share"]) == ("431000000", "USD", "0.18")
    # Japan's spending spares the United States: it pays the United States nothing
    assert (saving["funder"], saving["recipient"], saving["beneficiary"]) == (
        AKD + "japan", None, AKD + "united-states")
    assert saving["quote"] == ("In total then, cooperation with the Japanese has saved the United "
                               "States $431 million so far—or 18 percent of the total program cost "
                               "to date.")


@pytest.mark.parametrize("params, figures", [
    ({"system": "SM-3 Block IIA"}, {"saving-sm-3-block-iia-2015"}),
    ({"system": "SM-3"}, {"saving-sm-3-block-iia-2015"}),  # a variant's figure
    ({"system": "SM-3 Block IIA", "country": "Japan"}, {"saving-sm-3-block-iia-2015"}),
    ({"system": "SM-3 Block IIA", "country": "Israel"}, set()),
])
def test_funding_by_system(graph, params, figures):
    """The $431 million saving hangs off the SM-3 Block IIA program, so asking by the
    system needed the program's name."""
    assert {row["figure"].rsplit("/", 1)[-1] for row in rows(graph, "funding", **params)} == figures


def test_japan_s_defense_budget_is_about_one_percent_of_gdp(graph):
    """001: "a precision strike capability on a 1% of GDP budget" was in a person's
    description only, and funding --country Japan gave the SM-3 saving alone."""
    [budget] = [row for row in rows(graph, "funding", country="Japan") if row["kind"] == AKC + "budget"]
    assert (budget["share"], budget["approximate"], budget["funder"], budget["asOf"]) == (
        "0.01", "true", AKD + "japan", "2020-10")
    assert "1% of GDP budget" in budget["quote"]


def test_a_figure_may_give_only_a_share(graph):
    """002: Israel draws "nearly 10% of the Pentagon's own missile defense budget", with no
    amount; it was left in a comment, so `funding --country Israel` did not show it."""
    [share] = [row for row in rows(graph, "funding", country="Israel") if row["share"]]
    # "nearly": the share was shown as exactly 0.1
    assert (share["amount"], share["currency"], share["share"], share["approximate"]) == (
        None, None, "0.1", "true")
    assert (share["date"], share["asOf"]) == ("2014", "2017")  # drawn since 2014, as of 2017
    assert share["funder"] == AKD + "us-department-of-defense"
    assert "nearly 10% of the Pentagon’s own missile defense budget" in share["quote"]


def test_japan_inventory_as_of_december_2015(graph):
    result = [row for row in rows(graph, "inventory", country="Japan") if row["asOf"] == "2015-12-02"]
    assert {(row["system"].rsplit("/", 1)[-1], row["quantity"], row["unit"],
             row["status"].rsplit("/", 1)[-1]) for row in result} == {
        ("pac-3", "17", "battery", "in-service"),
        ("aegis-destroyer", "4", "destroyer", "in-service"),
        ("aegis-destroyer", "4", "destroyer", "planned")}


def test_the_platforms_that_carry_a_system_are_its_inventory(graph):
    """--system SM-3 found nothing: Japan's SM-3 are counted as destroyers that carry them."""
    result = rows(graph, "inventory", system="SM-3")
    assert {(row["holding"].rsplit("/", 1)[-1], row["quantity"]) for row in result} == {
        ("holding-japan-aegis-destroyers-2015", "4"),
        ("holding-japan-aegis-destroyers-planned-2015", "4")}
    assert {row["system"] for row in rows(graph, "inventory", system="PAC-3")} == {AKD + "pac-3"}


def test_two_counts_of_one_arsenal_are_told_apart_by_their_holding(graph):
    """003 gives North Korea "hundreds of ballistic missiles" and "around 100 ... capable of
    hitting Japan", both as of 2015-12-02: without the holding the rows contradict."""
    result = rows(graph, "inventory", country="North Korea")
    counts = {(row["holding"].rsplit("/", 1)[-1], row["quantity"], row["atLeast"],
               row["approximate"]) for row in result}
    assert counts == {  # "around 100": approximate
        ("holding-north-korea-ballistic-missiles-2015", None, "200", None),
        ("holding-north-korea-ballistic-missiles-in-range-of-japan-2015", "100", None, "true")}


def test_japan_and_south_korea_are_partners_through_camp_david(graph):
    result = rows(graph, "partners", country="Japan", partner="South Korea")
    through = {row["through"].rsplit("/", 1)[-1]: row["kind"] for row in result}
    assert through["camp-david-trilateral-pact-2023"] == AKC + "joint-statement"
    assert through["us-japan-rok-trilateral"] == AK + "Partnership"
    assert {row["partner"] for row in result} == {AKD + "south-korea"}


def test_partners_lists_each_partners_dated_links_first_in_order_of_date(graph):
    """As the timeline and the agreements do: the undated links of a partner follow its
    dated ones (Japan and the United States share both)."""
    result = rows(graph, "partners", country="Japan", partner="United States")
    dates = [row["date"] for row in result]
    undated_from = dates.index(None)
    assert undated_from > 0 and all(date is None for date in dates[undated_from:])
    assert dates[:undated_from] == sorted(dates[:undated_from])


def test_search_finds_names_descriptions_and_quotes_in_any_case(graph):
    """An analyst looking for USFF: the command's alternative label first, then the
    descriptions and quotes that hold it, each quote with its source."""
    result = rows(graph, "search", text="usff")
    assert [row["field"] for row in result][:2] == ["alternative label", "description"]
    quoted = {row["node"]: row["source"] for row in result if row["field"] == "quote"}
    assert quoted[AKD + "us-fleet-forces-command"] == AKD + "source-jf-2024"
    assert all(row["source"] is None for row in result if row["field"] != "quote")
    # the article's typographic apostrophe is the one typed
    typed = rows(graph, "search", text="Israel's short, intermediate")
    assert AKD + "hamas" in {row["node"] for row in typed if row["field"] == "quote"}
    # one row a text, though ak:variantOf has two classes
    labels = [row for row in rows(graph, "search", text="variant of") if row["field"] == "label"]
    assert [(row["node"], row["kind"]) for row in labels] == [
        (AK + "variantOf", "http://www.w3.org/2002/07/owl#ObjectProperty")]


@pytest.mark.parametrize("text", ["", "  "])
def test_search_refuses_blank_text(graph, text):
    """It listed every text of the graph."""
    with pytest.raises(InputError, match=f"^--text '{text}': empty; give some text$"):
        rows(graph, "search", text=text)


def test_evidence_shows_what_an_entitys_own_citation_backs(graph):
    """Every own citation was shown as relation `citation`, the one that backs a statement too."""
    result = rows(graph, "evidence", entity="Bruce Klingner")
    assert {(row["relation"], row["quote"][:20]) for row in result} == {
        (AK + "citation", "Would Japan actually"), (AK + "officialRole", "asks Bruce Klinger, ")}


def test_evidence_names_every_relation_by_its_label(graph):
    """Israel's transfer between commands read `dcterms:subject`, every other relation a label."""
    relations = {row["relation"] for row in rows(graph, "evidence", entity="Israel")}
    assert PREFIXES["dcterms"] + "subject" in relations
    labels = {graph.label(ox.NamedNode(relation)) for relation in relations}
    assert not any(":" in label for label in labels), labels


def test_evidence_gives_every_quote_behind_an_entity(graph):
    result = rows(graph, "evidence", entity="MHI")
    licensee = {row["quote"] for row in result
                if row["relation"] == AK + "licensee"}
    assert "Under this agreement, Mitsubishi Heavy Industries was able to produce PAC-3 " \
           "interceptor missiles, which are produced in the United States by Lockheed Martin." in licensee
    assert len(result) == len({tuple(row.values()) for row in result}), "no duplicate rows"


def test_evidence_shows_a_role_with_the_quotes_that_back_it_as_describe_does(graph):
    """Raytheon was `contractor` by all five of the program's quotes, "The two countries
    agreed to equitably share the financing" among them, though one citation says it
    backs ak:contractor."""
    result = rows(graph, "evidence", entity="Raytheon")
    contractor = [row["quote"] for row in result if row["relation"] == AK + "contractor"]
    assert contractor == ["The U.S. government contracted with Raytheon, and the Japanese "
                          "government contracted with Mitsubishi Heavy Industries."]
    # and `developer` by the one of the two that back it that mentions it (the other is
    # on the two countries)
    assert [row["quote"] for row in result if row["relation"] == AK + "developer"] == [
        "Both companies were responsible for developing specific parts of the program."]
    # a role no citation names keeps every quote of its fact
    licensee = [row for row in rows(graph, "evidence", entity="MHI")
                if row["relation"] == AK + "licensee"]
    assert len(licensee) == len({row["quote"] for row in licensee}) > 1


def test_a_component_is_evidenced_by_the_quote_that_names_it(graph):
    """Iron Dome is a component of Israel's network by the one quote that names it, not by
    the network's other quotes, one of them from an article that never names Iron Dome."""
    result = rows(graph, "evidence", entity="Iron Dome")
    assert [row["quote"] for row in result if row["relation"] == AK + "component"] == [
        "Commentators have appropriately focused on the potent effect of Iron Dome, David's "
        "Sling, and the other layers of Israel's sophisticated air-defense network."]


def test_the_source_that_dates_the_iranian_attack_to_march_stays_visible(graph):
    result = rows(graph, "evidence", entity="akd:iran-attack-on-israel-2024-04-13")
    own = [row for row in result if row["relation"] == AK + "citation"]
    assert {row["date"] for row in own} == {"2024-04-13"}
    assert [row["quote"] for row in own if row["stance"] == "disputes"] == [
        "an Iranian barrage of more than 300 missiles and attack drones in March"]
