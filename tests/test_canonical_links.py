"""One result, one address: other spellings of a result code redirect or are refused (issue 10.12)."""

from __future__ import annotations

import base64
import string

from tests.test_pages import feedback_rows, results_url, vote

ALPHABET = string.ascii_letters + string.digits + "-_"


def _raw(code: str) -> bytes:
    return base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))


def other_spellings(url: str) -> list[str]:
    """Every results address that differs from `url` only in the unused bits of the code's last character."""
    prefix, code = url.rsplit(".", 1)
    same = [c for c in ALPHABET if c != code[-1] and _raw(code[:-1] + c) == _raw(code)]
    return [f"{prefix}.{code[:-1]}{c}" for c in same]


def test_every_other_spelling_redirects_permanently_to_the_canonical_link(client):
    url = results_url(client)
    spellings = other_spellings(url)
    assert len(spellings) == 15, "13 bytes in 18 characters leave 4 unused bits in the last one"
    for spelling in spellings:
        response = client.get(spelling)
        assert response.status_code == 301, spelling
        assert response.headers["Location"] == url
    assert client.get(url).status_code == 200


def test_feedback_and_compare_take_only_the_canonical_link(app, client):
    url = results_url(client)
    html = client.get(url).text
    spelling = other_spellings(url)[0]
    forged = html.replace(f'action="{url}/feedback"', f'action="{spelling}/feedback"')
    assert vote(client, forged, "specialization", "operations_supply_chain", "yes").status_code == 404
    assert feedback_rows(app) == []
    assert vote(client, html, "specialization", "operations_supply_chain", "yes").status_code == 303
    assert feedback_rows(app) == [("specialization", "operations_supply_chain", True)]
    token = spelling.rsplit("/", 1)[1]
    assert client.get("/compare", query_string={"token": token, "ids": ["a", "b"]}).status_code == 404


def test_codes_that_do_not_decode_still_answer_404(client):
    url = results_url(client)
    for bad in (url[:-1], url + "A", url.replace(".", ".!", 1), url[:-1] + "=", "/results/x.AAAAAAAAAAAAAAAAAA"):
        assert client.get(bad).status_code == 404, bad
