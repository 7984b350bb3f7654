"""The programs file format: a bad file is refused whole, with every bad row, column and reason."""

from __future__ import annotations

import csv
import io

import pytest

from recommender.domain.catalog import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    PROGRAM_COLUMNS,
    CatalogError,
    load_programs,
    parse_programs,
)

GOOD = {
    "id": "example-mem",
    "university": "Example University",
    "program": "Master of Engineering Management",
    "country": "USA",
    "region": "us_west",
    "domains": "example.edu",
    "source": "https://example.edu/mem",
}


def csv_bytes(rows: list[dict[str, str]], columns=PROGRAM_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode()


def errors_of(raw: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(CatalogError) as info:
        parse_programs(raw)
    return [(e.line, e.column, e.message) for e in info.value.errors]


def test_minimal_good_row_parses_with_unknowns_empty():
    program = parse_programs(csv_bytes([GOOD])).programs[0]
    assert program.tuition_usd is None and program.formats == () and program.url == ""
    assert program.tuition_source == "" and program.tuition_source_kind is None
    assert program.source_list() == [{"url": "https://example.edu/mem", "kind": "official", "host": "example.edu"}]


def test_bundled_catalogue_is_valid():
    assert len(load_programs().programs) == 120


def test_a_bom_is_accepted():
    assert parse_programs(b"\xef\xbb\xbf" + csv_bytes([GOOD])).programs[0].id == "example-mem"


def test_every_bad_row_is_named_with_its_column_and_reason():
    rows = [
        GOOD,
        {**GOOD, "id": "Bad Id"},
        {**GOOD, "id": "b", "region": "mars"},
        {**GOOD, "id": "c", "formats": "online;telepathy", "tuition_usd": "lots"},
        {**GOOD, "id": "d", "url": "http://insecure.example.edu"},
        {**GOOD, "id": "e", "source": ""},
        {**GOOD, "id": "example-mem"},
        {**GOOD, "id": "f", "paces": "accelerated", "duration_months": "24"},
        {**GOOD, "id": "g", "tuition_year": "2024-25"},
        {**GOOD, "id": "h", "description": '=HYPERLINK("http://x")'},
        {**GOOD, "id": "i", "last_verified": "2999-01-01"},
        {**GOOD, "id": "j", "specializations": "underwater_basketry"},
        {**GOOD, "id": "k", "gre_required": "maybe"},
    ]
    found = errors_of(csv_bytes(rows))
    lines = {line for line, _, _ in found}
    assert lines == set(range(3, 15))  # header is line 1, the good row line 2
    by_line = {line: (column, message) for line, column, message in found}
    assert by_line[3][0] == "id" and "slug" in by_line[3][1]
    assert by_line[4][0] == "region" and "'mars'" in by_line[4][1]
    assert {c for line, c, _ in found if line == 5} == {"formats", "tuition_usd"}
    assert by_line[6][0] == "url" and "https://" in by_line[6][1]
    assert by_line[7] == ("source", "is required")
    assert by_line[8][0] == "id" and "row 2" in by_line[8][1]
    assert by_line[9][0] == "paces" and "12 months" in by_line[9][1]
    assert by_line[10][0] == "tuition_year"
    assert by_line[11][0] == "description" and "formula" in by_line[11][1]
    assert by_line[12][0] == "last_verified"
    assert by_line[13][0] == "specializations"
    assert by_line[14][0] == "gre_required"


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "@SUM(A1)", "-2+3", "\tx"])
def test_formula_cells_are_refused(cell):
    assert any("formula" in m for _, _, m in errors_of(csv_bytes([{**GOOD, "program": cell}])))


def test_extra_columns_are_refused_not_dropped():
    raw = csv_bytes([{**GOOD, "ranking": "1"}], columns=(*PROGRAM_COLUMNS, "ranking"))
    assert errors_of(raw) == [(1, "ranking", "unknown column (extra columns are refused)")]


def test_missing_required_column_is_named():
    columns = tuple(c for c in PROGRAM_COLUMNS if c != "region")
    assert (1, "region", "required column is missing") in errors_of(csv_bytes([GOOD], columns=columns))


def test_optional_columns_may_be_left_out():
    columns = ("id", "university", "program", "country", "domains", "region", "source")
    assert parse_programs(csv_bytes([GOOD], columns=columns)).programs[0].id == "example-mem"


def test_ragged_rows_and_binary_and_empty_files_are_refused():
    raw = csv_bytes([GOOD]) + b"only,three,cells\n"
    assert "cells" in errors_of(raw)[0][2]
    assert "UTF-8" in errors_of(b"\xff\xfe\x00bad")[0][2]
    assert "empty" in errors_of(b"")[0][2]
    assert "no programs" in errors_of(csv_bytes([]))[0][2]


def test_size_and_row_limits():
    big = csv_bytes([GOOD]) + b"x" * MAX_FILE_BYTES
    assert "limit" in errors_of(big)[0][2]
    many = csv_bytes([{**GOOD, "id": f"p{i}"} for i in range(MAX_ROWS + 1)])
    assert f"{MAX_ROWS:,}" in errors_of(many)[0][2]


def test_lists_and_numbers_are_normalised():
    program = parse_programs(
        csv_bytes(
            [
                {
                    **GOOD,
                    "formats": "online; hybrid",
                    "paces": "part_time",
                    "tuition_usd": "43200",
                    "duration_months": "12",
                    "concentrations": "A;B",
                }
            ]
        )
    ).programs[0]
    assert program.formats == ("online", "hybrid")
    assert program.tuition_usd == 43200 and program.duration_months == 12
    assert program.concentrations == ("A", "B")


# GOOD plus what a later catalogue version may require, so these tests name only their own column.
FULL = {**GOOD, **({"domains": "example.edu"} if "domains" in PROGRAM_COLUMNS else {})}


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("tuition_usd", "٣٠٠٠٠"),
        ("tuition_usd", "３００００"),
        ("duration_months", "١٢"),
        ("duration_months", "¹²"),
        ("tuition_year", "٢٠٢٥"),
        ("last_verified", "٢٠٢٥-01-01"),
    ],
)
def test_numbers_are_written_in_ascii_digits(column, cell):
    """`\\d` and int() also take Arabic-Indic, full-width and superscript digits; a file may not."""
    problems = errors_of(csv_bytes([{**FULL, "tuition_usd": "30000", "tuition_year": "2025", column: cell}]))
    assert column in [c for _, c, _ in problems], problems


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("concentrations", 'Data;=HYPERLINK("https://evil.example","x")'),
        ("core_courses", "Finance; +cmd|' /C calc'!A0"),
        ("formats", "online;@SUM(A1)"),
        ("source", 'https://example.edu/mem;=HYPERLINK("x")'),
        ("specializations", "data_analytics;-2+3"),
    ],
)
def test_a_formula_inside_a_list_is_refused(column, cell):
    problems = errors_of(csv_bytes([{**FULL, column: cell}]))
    assert any(c == column and "formula" in m for _, c, m in problems), problems


@pytest.mark.parametrize("cell", ["9" * 5000, "0" * 4301 + "7", "9" * 3999])
def test_a_number_too_long_for_int_is_named_not_raised(cell):
    """int() refuses over 4,300 digits with Python's own ValueError, which became a 500 on upload."""
    problems = errors_of(csv_bytes([{**FULL, "tuition_usd": cell}]))
    assert [c for _, c, _ in problems] == ["tuition_usd"], problems
    assert "is outside 0 to 1,000,000" in problems[0][2] or "the limit is 4,000" in problems[0][2]


def test_a_program_id_has_at_most_64_characters():
    assert parse_programs(csv_bytes([{**FULL, "id": "a" * 64}])).programs[0].id == "a" * 64
    problems = errors_of(csv_bytes([{**FULL, "id": "a" * 65}]))
    assert problems == [(2, "id", "is 65 characters; an id has at most 64 characters")], problems


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ('"' + "U" * 200_000 + '"', "a cell is longer than 131,072 characters"),
        ('"Example"x', "a quoted cell has more text after its closing quote"),
        ('"Example', "a quoted cell is never closed: the file ends inside it"),
    ],
)
def test_a_malformed_csv_is_described_in_plain_words_not_the_csv_modules(cell, said):
    """The refusal quoted Python's csv module: "field larger than field limit (131072)",
    "',' expected after '\"'", "unexpected end of data"."""
    raw = csv_bytes([FULL]).replace(b"Example University", cell.encode(), 1)
    [(_, column, message)] = errors_of(raw)
    assert (column, message) == ("", f"unreadable CSV: {said}")


def test_a_negative_number_inside_a_list_is_not_a_formula():
    program = parse_programs(csv_bytes([{**FULL, "concentrations": "Data; -1; Operations"}])).programs[0]
    assert program.concentrations == ("Data", "-1", "Operations")


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        ("", "is required"),
        ("https://example.edu", "not a bare domain name"),
        ("Example.edu", "not a bare domain name"),
        ("example", "not a bare domain name"),
        ("example.edu;example.edu", "more than once"),
    ],
)
def test_bad_domains_are_refused(domains, message):
    errors = errors_of(csv_bytes([{**GOOD, "domains": domains}]))
    assert [(line, column) for line, column, _ in errors] == [(2, "domains")]
    assert message in errors[0][2]


@pytest.mark.parametrize(
    "url", ["https://example.com/mem", "https://notexample.edu/mem", "https://example.edu.evil.com/"]
)
def test_a_program_page_off_its_domains_is_refused(url):
    errors = errors_of(csv_bytes([{**GOOD, "url": url}]))
    assert errors == [(2, "url", errors[0][2])] and "not on the program's domains" in errors[0][2]


def test_a_program_page_on_a_subdomain_is_accepted_and_its_sources_get_their_kind():
    row = {**GOOD, "url": "https://mem.example.edu/", "source": "https://www.example.edu/mem;https://blog.other.com/x"}
    program = parse_programs(csv_bytes([row])).programs[0]
    assert program.url == "https://mem.example.edu/"
    kinds = {s["url"]: (s["kind"], s["host"]) for s in program.to_dict()["sources"]}
    assert kinds == {
        "https://www.example.edu/mem": ("official", "example.edu"),
        "https://blog.other.com/x": ("third-party", "blog.other.com"),
    }


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"tuition_usd": "50000", "tuition_source": "https://other.org/fees"}, "must be one of the row's source"),
        ({"tuition_source": "https://example.edu/mem"}, "tuition_usd is empty"),
        ({"tuition_usd": "50000", "tuition_source": "https://example.edu/mem;https://example.edu/fees"}, "not a list"),
    ],
)
def test_a_tuition_source_must_be_one_of_the_row_sources_for_a_given_tuition(extra, message):
    row = {**GOOD, "source": "https://example.edu/mem;https://example.edu/fees", **extra}
    errors = errors_of(csv_bytes([row]))
    assert [(line, column) for line, column, _ in errors] == [(2, "tuition_source")]
    assert message in errors[0][2]


def test_tuition_source_kind_follows_the_named_source():
    row = {**GOOD, "tuition_usd": "50000", "source": "https://example.edu/mem;https://rankings.example.com/mem"}
    official = parse_programs(csv_bytes([{**row, "tuition_source": "https://example.edu/mem"}])).programs[0]
    third = parse_programs(csv_bytes([{**row, "tuition_source": "https://rankings.example.com/mem"}])).programs[0]
    assert (official.tuition_source_kind, third.tuition_source_kind) == ("official", "third-party")
