"""The results page, its permanent link, compare, feedback, and the friendly error pages."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from recommender.domain import quiz
from recommender.domain.catalog import LEVELS
from recommender.extensions import db
from recommender.orm import Feedback
from recommender.services import recommendations
from recommender.web import pages
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


def feedback_forms(html: str) -> list[dict[str, str]]:
    """(kind, item, action) of every feedback form on a results page."""
    forms = re.findall(r'<form method="post" action="([^"]+/feedback)" class="feedback">(.*?)</form>', html, re.S)
    out = []
    for action, body in forms:
        fields = dict(re.findall(r'name="(kind|item)" value="([^"]+)"', body))
        out.append({"action": action, **fields})
    return out


def vote(client, html: str, kind: str, item: str, useful: str):
    form = next(f for f in feedback_forms(html) if f["kind"] == kind and f["item"] == item)
    data = {"csrf_token": csrf_token_from(html), "kind": kind, "item": item, "useful": useful}
    return client.post(form["action"], data=data)


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


def test_score_bars_are_server_rendered_svg_widths_matching_the_score(client):
    html = client.get(results_url(client)).text
    first = api(client)["specializations"][0]
    pct = round(first["score"] * 100)
    block = section(html, "specializations")
    assert f'<rect class="bar-fill" width="{pct}" height="8"/>' in block
    assert f"{pct}% match" in visible_text(block)
    assert " style=" not in html and "<style" not in html


def test_reasons_quote_the_users_own_answers_and_the_runner_up_is_explained(client):
    text = visible_text(section(client.get(results_url(client)).text, "specializations"))
    assert "Your goal is “Supply chain manager”" in text
    assert "You chose “Improving operations”" in text
    assert "Why it came second:" in text
    assert "Engineering Analytics & Data Science came second" in text


def test_programs_show_their_facts_link_sources_and_unknown_cost(client):
    html = client.get(results_url(client)).text
    block = section(html, "programs")
    body = api(client)
    assert ranked_names(html, "programs") == [p["program"] for p in body["programs"]]
    for program in body["programs"]:
        if program["url"]:
            assert f'href="{escape(program["url"])}"' in block
        for source in program["sources"]:
            assert f'href="{escape(source["url"])}"' in block
    text = visible_text(block)
    # Most programs publish no whole-program tuition: each says so, never a guess.
    unknown = [p for p in body["programs"] if p["tuition_usd"] is None]
    assert unknown and text.count("Not published — check with the program") >= len(unknown)
    assert "(official)" in text and "(third-party)" in text
    known = next(p for p in body["programs"] if p["tuition_usd"] is not None)
    assert f"${known['tuition_usd']:,}" in text
    assert "Last verified Not recorded" in text
    for label in ("Format", "Pace", "Duration", "Tuition", "Where"):
        assert label in text


def test_a_program_that_misses_a_limit_says_which(client):
    html = client.get(results_url(client, max_budget_usd=50_000, format="online")).text
    body = api(client, max_budget_usd=50_000, format="online")
    unknown = [p for p in body["programs"] if p["constraint_unknowns"]]
    assert unknown, "this persona's results include programs whose cost or format is not published"
    text = visible_text(section(html, "programs"))
    assert "Cost not published — check with the program." in text
    assert "Might fit: its budget is not published — check with the program." in text
    assert "Offered online, as you asked." in text
    counts = body["fit_counts"]
    assert (
        f"{counts['meets']} fit your limits · {counts['unknown']} might fit: facts not published · "
        f"{counts['misses']} are outside your limits"
    ) in text
    assert "over your" not in " ".join(r for p in unknown for r in p["reasons"] if "budget" in p["constraint_unknowns"])


def test_no_program_meeting_every_limit_is_said_plainly(client):
    html = client.get(results_url(client, format="hybrid", pace="accelerated", max_budget_usd=30_000)).text
    assert "No program in our catalogue is known to meet all of your limits." in visible_text(html)


def test_career_roles_sit_on_the_ladder_with_pay_source_and_links(client, catalogs):
    html = client.get(results_url(client)).text
    block = section(html, "careers")
    levels = re.findall(r'<li class="rung[^"]*">\s*<h3>([^<]+)', block)
    assert [lvl.strip() for lvl in levels] == ["Entry level", "Mid-level", "Senior", "Executive"]
    assert len(LEVELS) == len(levels)
    text = visible_text(block)
    goal = catalogs.roles_by_id["supply_chain_manager"]
    assert "Supply Chain Manager Your goal" in text
    assert f"${goal.median_pay_usd:,} median pay ({goal.pay_year})" in text
    assert goal.pay_source in text
    assert f'href="{goal.onet_url}"' in block and f'href="{goal.bls_url}"' in block
    no_pay = catalogs.roles_by_id["data_science_manager"]
    assert no_pay.median_pay_usd is None
    assert "No BLS figure." in text and no_pay.pay_note in text
    # four years of experience: the user is placed on the entry rung
    assert re.search(r'<li class="rung here">\s*<h3>Entry level', block)


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


def test_change_an_answer_is_the_quiz_prefilled(client):
    html = client.get(results_url(client, region="europe", max_budget_usd=75_000)).text
    change = section(html, "change")
    assert 'action="/"' in change and "Update my matches" in change
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


def test_sending_the_prefilled_form_unchanged_keeps_the_same_link(client):
    # An API answer with values the form does not offer as ranges or steps still round-trips.
    url = client.post(
        "/api/v1/recommendations", json=valid_answers(experience_years=7, max_budget_usd=60_000)
    ).get_json()["result_url"]
    html = client.get(url).text
    assert "Up to $60,000 (your earlier answer)" in html
    response = client.post("/", data=quiz_post(html))
    assert response.headers["Location"] == url


def test_changing_one_answer_moves_the_ranking(client):
    first_url = results_url(client)
    html = client.get(first_url).text
    assert ranked_names(html, "specs")[0] == "Operations & Supply Chain Management"
    response = client.post("/", data=quiz_post(html, goal="data_science_manager"))
    assert response.status_code == 303 and response.headers["Location"] != first_url
    moved = client.get(response.headers["Location"]).text
    assert ranked_names(moved, "specs")[0] == "Engineering Analytics & Data Science"
    assert ranked_names(moved, "programs") != ranked_names(html, "programs")


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
    assert "Tuition" in text and "Not published — check with the program" in text and "Meets all of them" in text
    assert "Might fit: its budget is not published — check with the program." in text


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
    forms = feedback_forms(html)
    assert {f["kind"] for f in forms} == {"specialization", "program"}
    assert len(forms) == 8 + len(api(client)["programs"])
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
