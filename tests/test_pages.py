"""The results page, its permanent link, compare, feedback, and the friendly error pages."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from recommender.domain import quiz
from recommender.domain.catalog import LEVELS
from recommender.extensions import db
from recommender.orm import Feedback
from recommender.services import recommendations
from recommender.web import pages, presenters
from tests.conftest import csrf_token_from, make_app, valid_answers
from tests.test_pages_helpers import (
    checked,
    form_answers,
    inputs,
    quiz_post,
    ranked_names,
    section,
    visible_text,
)

ONET_CREDIT = (
    "includes information from O*NET OnLine by the U.S. Department of Labor, Employment and Training "
    "Administration (USDOL/ETA), used under the CC BY 4.0 license"
)


def results_url(client, **overrides) -> str:
    """Answer the quiz through the web form and return the results page address."""
    token = csrf_token_from(client.get("/").text)
    response = client.post("/", data=form_answers(valid_answers(**overrides), token))
    assert response.status_code == 303, response.text[:500]
    return response.headers["Location"]


def api(client, **overrides) -> dict:
    return client.post("/api/v1/recommendations", json=valid_answers(**overrides)).get_json()


def strip_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def feedback_votes(html: str) -> tuple[str, list[dict[str, str]]]:
    """The page's one feedback form address, and (kind, item, useful) of every vote button sent to it."""
    action = re.search(r'<form method="post" action="([^"]+/feedback)" id="feedback-form"', html).group(1)
    votes = re.findall(r'<button form="feedback-form" name="vote" value="([a-z]+):([^":]+):(yes|no)"', html)
    return action, [{"kind": k, "item": i, "useful": u} for k, i, u in votes]


def vote(client, html: str, kind: str, item: str, useful: str):
    action, votes = feedback_votes(html)
    assert {"kind": kind, "item": item, "useful": useful} in votes
    return client.post(action, data={"csrf_token": csrf_token_from(html), "vote": f"{kind}:{item}:{useful}"})


def feedback_rows(app) -> list[tuple[str, str, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(Feedback).order_by(Feedback.id))
        return [(f.item_kind, f.item_id, f.useful) for f in rows]


# ----------------------------------------------------------------------------- results


def test_results_rank_all_specializations_as_the_api_does(client):
    html = client.get(results_url(client)).text
    expected = [s["name"] for s in api(client)["specializations"]]
    assert ranked_names(html, "specs") == expected
    assert len(expected) == 8


def test_matches_are_shown_as_bands_not_percentages(client):
    html = client.get(results_url(client)).text
    block = section(html, "specializations")
    for spec in api(client)["specializations"]:
        label = {"strong": "Strong match", "good": "Good match", "some": "Some match", "little": "Little match"}
        assert re.search(rf'id="(?:sn|spec)-{spec["id"]}".*?band-{spec["band"]}">{label[spec["band"]]}<', block, re.S)
    assert not re.search(r"\d+% match", visible_text(html))
    assert " style=" not in html and "<style" not in html


def test_reasons_quote_the_users_own_answers_and_the_runner_up_is_explained(client):
    text = visible_text(section(client.get(results_url(client)).text, "specializations"))
    assert "Your goal is “Supply chain manager”" in text
    assert "You chose “Improving operations”" in text
    assert "Why it came second:" in text
    # The label says it once; the sentence the API gives ("<name> came second: it ...") follows it.
    assert "Why it came second: It also matches" in text or "Why it came second: It matches fewer" in text
    assert "Analytics & Data Science came second" not in text


def test_the_runner_up_note_loses_only_its_opening_under_the_label():
    from recommender.web.presenters import why_second

    note = "Energy & Sustainability came second: it also matches “Construction”, but “X” points more strongly to Y."
    assert why_second(note, "Energy & Sustainability") == (
        "It also matches “Construction”, but “X” points more strongly to Y."
    )
    assert why_second(note, "Project Management") == note  # another card's name: left whole


def test_programs_show_their_facts_link_sources_with_their_kind_and_unpublished_cost(client):
    html = client.get(results_url(client)).text
    block = section(html, "programs")
    body = api(client)
    assert ranked_names(html, "programs") == [p["program"] for p in body["programs"]]
    for program in body["programs"]:
        card = re.search(rf'<li class="card program[^"]*" id="program-{program["id"]}">.*?\n</li>', block, re.S).group(
            0
        )
        if program["url"]:
            assert f'href="{escape(program["url"])}"' in card and "Program page" in card
        else:
            assert "Program page" not in card  # no page of its own: only its sources, each with its kind
        for source in program["sources"]:
            if source["url"].startswith("http"):
                href = re.escape(str(escape(source["url"])))
                assert re.search(rf'href="{href}">[^<]*</a> <span class="kind kind-{source["kind"]}">', card)
        text = visible_text(card)
        if program["tuition_usd"] is None:
            assert "Not published" in text
        else:
            assert f"${program['tuition_usd']:,}" in text
    for label in ("Format", "Pace", "Length", "Tuition", "Where"):
        assert label in visible_text(block)


def test_a_programs_source_links_can_be_told_apart(client):
    # MIT SDM lists three pages on sdm.mit.edu: each link now reads its path too.
    answers = {"background": "software", "goal": "engineering_manager", "interests": ["designing_systems"]}
    html = client.get(results_url(client, **answers)).text
    cards = re.findall(r'<li class="card program[^"]*" id="program-([^"]+)">(.*?)\n</li>', html, re.S)
    assert "mit-sdm" in dict(cards)
    for program_id, card in cards:
        links = re.findall(r'<ul class="source-list">(.*?)</ul>', card, re.S)[0]
        pairs = {(href, visible_text(text)) for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', links)}
        texts = [t for _, t in pairs]
        same_page = {re.sub(r"^https?://(www\.)?|/$", "", h) for h, _ in pairs}
        assert len(set(texts)) == min(len(texts), len(same_page)), (program_id, sorted(pairs))
    sdm = visible_text(dict(cards)["mit-sdm"])
    assert "sdm.mit.edu/admission/tuition" in sdm and "sdm.mit.edu/programs/flexible-degree-options" in sdm


def test_where_and_degree_read_as_words_not_as_the_files_cells(client):
    # Canadian programs: the region label is the country, so "Canada · Canada" said it twice;
    # Alberta's degree cell is the list "MEng;MSc".
    answers = {"region": "canada", "goal": "engineering_manager", "interests": ["leading_projects"]}
    html = client.get(results_url(client, **answers)).text
    cards = dict(re.findall(r'<li class="card program[^"]*" id="program-([^"]+)">(.*?)\n</li>', html, re.S))
    assert "ualberta-em" in cards
    alberta = visible_text(cards["ualberta-em"])
    assert "Edmonton, AB, Canada" in alberta and "Canada · Canada" not in alberta
    assert "· MEng / MSc" in alberta and "MEng;MSc" not in alberta
    assert not [i for i, card in cards.items() if "Canada · Canada" in visible_text(card)]
    elsewhere = visible_text(section(client.get(results_url(client)).text, "programs"))
    assert re.search(r", USA · US [A-Z][a-z]+", elsewhere)  # in the US the region still says which part
    table = client.get(compare_url(results_url(client, **answers), ["ualberta-em", next(iter(cards))])).text
    assert "MEng / MSc" in visible_text(table) and "Canada · Canada" not in visible_text(table)


def test_programs_are_grouped_by_fit_with_catalogue_wide_counts(client):
    answers = {"max_budget_usd": 50_000, "format": "online"}
    html = client.get(results_url(client, **answers)).text
    body = api(client, **answers)
    counts = body["fit_counts"]
    block = section(html, "programs")
    text = visible_text(block)
    assert f"{counts['meets']} fit your limits" in text or f"{counts['meets']} fits your limits" in text
    assert f"{counts['unknown']} might fit: facts not published" in text
    assert f"{counts['misses']} are outside your limits" in text
    shown = {p["fit"] for p in body["programs"]}
    headings = re.findall(r'<h3 class="group-title group-([a-z]+)"', block)
    assert headings == [f for f in ("meets", "unknown", "misses") if f in shown]
    for program in body["programs"]:
        card = re.search(rf'id="program-{program["id"]}">.*?\n</li>', block, re.S).group(0)
        assert f"fit-{program['fit']}" in re.search(
            r'<li class="card program ([^"]+)"', html[html.index(card) - 60 :]
        ).group(1)
        if program["fit"] == "misses":
            assert "Outside your limits" in visible_text(card)
        elif program["fit"] == "unknown":
            assert "Might fit: its" in visible_text(card)
    for note in body["coverage"]:
        assert str(escape(note)) in block


def test_limit_notes_name_the_programs_tuition_never_a_budget_of_its_own(client):
    # The budget is the student's; what a program publishes, or does not, is its tuition.
    html = client.get(results_url(client, max_budget_usd=30_000, format="online")).text
    notes = [visible_text(n) for n in re.findall(r'<p class="(?:miss|unknown-note)">(.*?)</p>', html, re.S)]
    assert "Might fit: its format and tuition are not published — check with the program." in notes
    assert notes and not [n for n in notes if "budget" in n], notes
    missed = SimpleNamespace(constraint_misses=("budget", "region"), constraint_unknowns=())
    view = presenters.ProgramView(missed, 1, (), ())
    assert view.misses_text == "Outside your limits: its published tuition and region do not match."


def test_no_program_meeting_every_limit_is_said_plainly(client):
    answers = {"format": "hybrid", "pace": "accelerated", "max_budget_usd": 20_000, "region": "canada"}
    body = api(client, **answers)
    assert body["fit_counts"]["meets"] == 0, "this persona was chosen because nothing fits it"
    text = visible_text(client.get(results_url(client, **answers)).text)
    assert "0 fit your limits" in text
    assert "No program fits all your limits; the closest" in text or "None is known to fit all your limits" in text


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"format": "hybrid", "pace": "accelerated", "max_budget_usd": 20_000, "region": "canada"},
        {"background": "civil", "goal": "construction_manager", "interests": ["building_infrastructure"],
         "format": "online", "max_budget_usd": 20_000},
    ],
    ids=["no-limits", "nothing-fits", "civil-online-low-budget"],
)  # fmt: skip
def test_every_link_within_the_results_page_has_somewhere_to_go(client, answers):
    html = client.get(results_url(client, **answers)).text
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and targets <= ids, sorted(targets - ids)
    # A count of none is said, not linked: there is no group to jump to.
    counts = re.search(r'<p class="fit-counts">(.*?)</p>', html, re.S).group(1)
    assert not re.search(r"<a [^>]*>0 ", counts)


def test_career_roles_sit_on_the_ladder_with_pay_as_bls_shows_it(client, catalogs):
    html = client.get(results_url(client)).text
    block = section(html, "careers")
    levels = re.findall(r'<li class="rung[^"]*">\s*<h3>([^<]+)', block)
    assert [lvl.strip() for lvl in levels] == ["Entry level", "Mid-level", "Senior", "Executive"]
    assert len(LEVELS) == len(levels)
    text = visible_text(block)
    goal = catalogs.roles_by_id["supply_chain_manager"]
    assert "Supply Chain Manager Your goal" in text
    assert f"${goal.median_pay_usd:,} median" in text
    low, high = goal.middle_range
    assert f"${goal.median_pay_usd:,} median, middle half ${low:,}–${high:,} (all experience levels)" in text
    start, top = goal.starting_range
    assert f"Usual starting range ${start:,}–${top:,} (10th–25th percentile)" in text
    assert "BLS OEWS, May 2025" in text
    for url in (goal.pay_url, goal.onet_url, goal.bls_url):
        assert f'href="{url}"' in block
    # an O*NET-level occupation says whose figures it carries
    assert "O*NET’s Supply Chain Managers has no BLS wages of its own: these are the parent occupation’s" in text
    assert goal.pay_parent.split(" ", 1)[1] in text
    no_pay = catalogs.roles_by_id["data_science_manager"]
    assert no_pay.median_pay_usd is None
    assert "No BLS figure." in text and no_pay.pay_note in text
    # four years of experience: the user is placed on the entry rung
    assert re.search(r'<li class="rung here">\s*<h3>Entry level', block)


def test_each_occupations_pay_is_said_once_for_all_its_roles(client, catalogs):
    block = section(client.get(results_url(client)).text, "careers")
    shown = re.findall(r'<li class="occupation" id="occ-([0-9-]+)">', block)
    assert shown and len(shown) == len(set(shown))
    pm = catalogs.roles_by_id["project_manager"]
    card = re.search(rf'id="occ-{pm.soc_code}">.*?</li>', block, re.S)
    if card:  # project roles are among this persona's: all of them share one occupation
        assert block.count(f'id="occ-{pm.soc_code}"') == 1


def test_only_certifications_that_fit_the_top_specializations_are_shown(client, catalogs):
    html = client.get(results_url(client)).text
    top = {s["id"] for s in api(client)["specializations"][:3]}
    text = visible_text(section(html, "certifications"))
    for cert in catalogs.certifications:
        fits = bool(top & set(cert.specializations))
        assert (cert.name in text) == fits, cert.id
    assert "Lean Six Sigma" in text


def test_results_carry_the_statement_the_credit_and_a_print_stylesheet(client):
    html = client.get(results_url(client)).text
    text = visible_text(html)
    assert "No sign-up, no paid placement, nothing sold." in text
    assert ONET_CREDIT in text
    assert re.search(r'<link rel="stylesheet" href="/static/css/print.css" media="print">', html)
    stylesheet = client.get("/static/css/print.css")
    assert stylesheet.status_code == 200 and b"@media" not in stylesheet.data  # linked with media="print"
    stylesheet.close()


def test_the_permanent_link_reproduces_what_the_user_saw(app, client):
    url = results_url(client, format="online")
    first = client.get(url).text
    stranger = app.test_client()  # another browser, no session
    again = stranger.get(url).text
    assert strip_tokens(first) == strip_tokens(again)
    assert f"http://localhost{url}" in visible_text(first)


def test_change_an_answer_is_the_pages_one_compact_form_prefilled(client):
    url = results_url(client, region="europe", max_budget_usd=75_000)
    html = client.get(url).text
    assert html.count('action="/"') == 1, "one form of answers on the page, no second copy of the quiz"
    change = re.search(r'<details class="recap" id="change".*?</details>', html, re.S).group(0)
    assert "Update my matches" in change and "Change an answer" in change
    assert f'name="from" value="{url.rsplit("/", 1)[1]}"' in change
    assert checked(html) == {
        "background": ["industrial"],
        "experience_years": ["4"],
        "goal": ["supply_chain_manager"],
        "interests": ["improving_operations", "analyzing_data"],
        "industry": ["manufacturing"],
        "format": ["any"],
        "pace": ["any"],
        "max_budget_usd": ["75000"],
        "region": ["europe"],
    }
    # the recap comes before the answer, and the answer before the details
    assert html.index('class="recap"') < html.index('class="best"') < html.index('id="specializations"')


def test_sending_the_prefilled_form_unchanged_keeps_the_same_link(client):
    # An API answer with values the form does not offer as ranges or steps still round-trips.
    url = client.post(
        "/api/v1/recommendations", json=valid_answers(experience_years=7, max_budget_usd=65_000)
    ).get_json()["result_url"]
    html = client.get(url).text
    assert "Up to $65,000 (your earlier answer)" in html
    response = client.post("/", data=quiz_post(html))
    assert response.headers["Location"] == url


def test_changing_one_answer_moves_the_ranking_and_says_what_changed(client):
    first_url = results_url(client)
    html = client.get(first_url).text
    assert ranked_names(html, "specs")[0] == "Operations & Supply Chain Management"
    assert "What changed" not in html
    response = client.post("/", data=quiz_post(html, goal="data_science_manager"))
    assert response.status_code == 303
    location = response.headers["Location"]
    new_url, _, query = location.partition("?")
    assert new_url != first_url and query == f"from={first_url.rsplit('/', 1)[1]}"
    moved = client.get(location).text
    assert ranked_names(moved, "specs")[0] == "Engineering Analytics & Data Science"
    assert ranked_names(moved, "programs") != ranked_names(html, "programs")
    changed = visible_text(re.search(r'<div class="changed".*?</div>', moved, re.S).group(0))
    assert "Aiming for : Supply chain manager → Data science manager" in changed
    assert "Best fit is now Engineering Analytics & Data Science (was Operations & Supply Chain Management)." in changed
    assert re.search(r"\d+ programs? fits? your limits, against \d+ before\.", changed)
    assert "New in the top three:" in changed or "Same top three programs." in changed
    # the permanent link itself reads cleanly: no comparison without the `from` it came with
    assert "What changed" not in client.get(new_url).text


@pytest.mark.parametrize("came_from", ["nope", "<script>x</script>", "x" * 300, "20991231-000000-deadbeef.AAAA"])
def test_a_from_that_is_not_one_of_our_results_is_dropped(client, came_from):
    url = results_url(client)
    html = client.get(url).text
    data = quiz_post(html, goal="founder")
    data.setlist("from", [came_from])
    location = client.post("/", data=data).headers["Location"]
    if "?" in location:  # a well-formed token of a version this database lacks is kept...
        page = client.get(location)
        assert page.status_code == 200 and "What changed" not in page.text  # ...and shows no comparison
    assert "<script>" not in location
    direct = client.get(f"{url}?from={came_from}")
    assert direct.status_code == 200 and "What changed" not in direct.text


def test_the_same_answers_sent_again_say_nothing_changed(client):
    url = results_url(client)
    token = url.rsplit("/", 1)[1]
    other = results_url(client, goal="founder")
    page = client.get(f"{other}?from={token}").text
    assert "What changed" in page
    same = client.get(f"{url}?from={token}").text
    assert "What changed" not in same  # a page compared with itself shows nothing to compare


@pytest.mark.parametrize(
    "token",
    ["nope", "20991231-000000-deadbeef.ARIDBggBAwcBAADDUA", "x" * 300, "a.b.c", "%3Cscript%3E"],
)
def test_unknown_result_links_get_the_friendly_404(client, token):
    response = client.get(f"/results/{token}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = visible_text(response.text)
    assert "We could not find that page" in text and "Take the 60-second quiz" in text
    assert "<script>" not in response.text


# ----------------------------------------------------------------------------- compare


def compare_url(url: str, ids: list[str]) -> str:
    token = url.rsplit("/", 1)[1]
    return "/compare?" + "&".join([f"token={token}", *(f"ids={i}" for i in ids)])


def test_compare_shows_two_or_three_programs_side_by_side(client):
    url = results_url(client, max_budget_usd=50_000)
    html = client.get(url).text
    boxes = [i for i in inputs(html) if i.name == "ids"]
    assert len(boxes) == len(api(client)["programs"]) and all(b.form == "compare-form" for b in boxes)
    ranked = api(client, max_budget_usd=50_000)["programs"]
    # One that fits the budget and two whose cost is not published, in ranked order.
    programs = [next(p for p in ranked if p["fit"] == "meets"), *[p for p in ranked if p["fit"] == "unknown"][:2]]
    ids = [p["id"] for p in programs]
    response = client.get(compare_url(url, ids))
    assert response.status_code == 200
    table = re.search(r"<table.*</table>", response.text, re.S).group(0)
    headers = re.findall(r'<th scope="col">(.*?)</th>', table, re.S)
    assert len(headers) == 3
    for header, program in zip(headers, programs, strict=True):
        assert program["program"] in visible_text(header)
    text = visible_text(table)
    assert "Tuition" in text and "Match" in text and "Meets all of them" in text
    assert "Might fit: its tuition is not published — check with the program." in text
    for program in programs:
        assert ("Not published" in text) if program["tuition_usd"] is None else (f"${program['tuition_usd']:,}" in text)
        kinds = {s["kind"] for s in program["sources"]}
        assert all(f"kind-{k}" in table for k in kinds)


def test_compare_without_limits_does_not_say_a_program_meets_them(client):
    url = results_url(client)  # format, pace, budget and region all left open
    ids = [p["id"] for p in api(client)["programs"][:3]]
    table = re.search(r"<table.*</table>", client.get(compare_url(url, ids)).text, re.S).group(0)
    row = visible_text(re.search(r"<tr><th scope=\"row\">Your limits</th>.*?</tr>", table, re.S).group(0))
    assert row == "Your limits You set none You set none You set none"


def test_compare_refuses_more_than_three_and_keeps_the_ticks(client):
    url = results_url(client)
    ids = [i.value for i in inputs(client.get(url).text) if i.name == "ids"][:4]
    response = client.get(compare_url(url, ids))
    assert response.status_code == 400
    assert "You can compare up to 3 programs at a time, and you chose 4." in visible_text(response.text)
    assert re.search(r'id="compare-error"[^>]*role="alert"', response.text)
    ticked = [i.value for i in inputs(response.text) if i.name == "ids" and i.checked]
    assert ticked == ids


@pytest.mark.parametrize(
    ("ids", "message"),
    [([], "Choose two or three programs to compare."), (["<b>x</b>", "y"], "Only programs from these results")],
)
def test_compare_refuses_too_few_or_foreign_programs(client, ids, message):
    url = results_url(client)
    one = [i.value for i in inputs(client.get(url).text) if i.name == "ids"][:1]
    response = client.get(compare_url(url, ids or one))
    assert response.status_code == 400
    assert message in visible_text(response.text)
    assert "<b>x</b>" not in response.text


def test_compare_with_an_unknown_token_is_404(client):
    assert client.get("/compare?token=nope&ids=a&ids=b").status_code == 404


# ----------------------------------------------------------------------------- feedback


def test_useful_and_not_for_me_are_stored_with_a_thank_you(app, client):
    url = results_url(client)
    html = client.get(url).text
    action, votes = feedback_votes(html)
    assert action == f"{url}/feedback" and html.count('id="feedback-form"') == 1
    items = {(v["kind"], v["item"]) for v in votes}
    assert {k for k, _ in items} == {"specialization", "program"}
    assert len(items) == 3 + len(api(client)["programs"])  # the top three specializations and every program
    program_id = api(client)["programs"][0]["id"]

    response = vote(client, html, "specialization", "operations_supply_chain", "yes")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"{url}?noted=specialization:operations_supply_chain#spec-operations_supply_chain"
    )
    thanked = client.get(response.headers["Location"]).text
    assert "Thank you, your feedback is saved." in visible_text(thanked)
    assert vote(client, html, "program", program_id, "no").status_code == 303
    assert feedback_rows(app) == [
        ("specialization", "operations_supply_chain", True),
        ("program", program_id, False),
    ]


@pytest.mark.parametrize(
    "bad", ["program", "program::yes", ":x:yes", "program:x", "a:b:c:d", "specialization:data_analytics:maybe"]
)
def test_a_malformed_vote_is_refused(app, client, bad):
    url = results_url(client)
    token = csrf_token_from(client.get(url).text)
    assert client.post(f"{url}/feedback", data={"csrf_token": token, "vote": bad}).status_code == 400
    assert feedback_rows(app) == []


def test_feedback_without_csrf_token_is_refused(app, client):
    url = results_url(client)
    response = client.post(
        f"{url}/feedback", data={"kind": "specialization", "item": "data_analytics", "useful": "yes"}
    )
    assert response.status_code == 400
    assert "This form had expired" in response.text
    assert feedback_rows(app) == []


@pytest.mark.parametrize(
    ("kind", "item", "useful"),
    [("program", "not-on-this-page", "yes"), ("role", "cto", "yes"), ("specialization", "data_analytics", "maybe")],
)
def test_feedback_on_things_not_shown_is_refused(app, client, kind, item, useful):
    url = results_url(client)
    token = csrf_token_from(client.get(url).text)
    response = client.post(f"{url}/feedback", data={"csrf_token": token, "kind": kind, "item": item, "useful": useful})
    assert response.status_code == 400
    assert feedback_rows(app) == []


def test_feedback_on_an_unknown_link_is_404(client):
    token = csrf_token_from(client.get("/").text)
    data = {"csrf_token": token, "kind": "specialization", "item": "data_analytics", "useful": "yes"}
    assert client.post("/results/nope/feedback", data=data).status_code == 404


# ----------------------------------------------------------------------------- errors


def test_unknown_address_gets_the_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert 'href="/"' in response.text


def test_a_crash_shows_the_friendly_500_page_without_details(client, monkeypatch):
    url = results_url(client)

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(pages.presenters, "answer_summary", boom)
    response = client.get(url)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_database_down_shows_the_friendly_503_page(client, monkeypatch):
    url = results_url(client)

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(recommendations, "find_result", down)
    response = client.get(url)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "MEM Match is taking a short break" in response.text
    assert "connection refused" not in response.text


def test_a_link_from_a_version_this_database_lacks_is_404(client, tmp_path):
    url = results_url(client)
    other = make_app((f"sqlite:///{tmp_path / 'other.sqlite3'}", {"connect_args": {"timeout": 15}}), tmp_path / "other")
    try:
        response = other.test_client().get(url)
        assert response.status_code == 404
        assert "We could not find that page" in response.text
    finally:
        with other.app_context():
            db.engine.dispose()


def test_every_page_keeps_the_strict_csp(client):
    url = results_url(client)
    token = url.rsplit("/", 1)[1]
    ids = [i.value for i in inputs(client.get(url).text) if i.name == "ids"][:2]
    for page in ("/", url, compare_url(url, ids), "/nope", f"/compare?token={token}"):
        response = client.get(page)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), page
        assert " style=" not in response.text and "<style" not in response.text, page


def test_answer_labels_on_the_page_are_the_quiz_labels(client):
    text = visible_text(client.get(results_url(client)).text)
    for field in ("background", "goal", "industry"):
        assert quiz.CHOICE_FIELDS[field][valid_answers()[field]] in text
    assert "1–4 years" in text
