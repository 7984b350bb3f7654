"""Writing a catalogue back to a programs file, and diffing two catalogues."""

from __future__ import annotations

import dataclasses

from recommender.domain.catalog import load_programs, parse_programs
from recommender.domain.catalog.revisions import diff_programs, line_of, program_row, programs_csv


def test_the_bundled_catalogue_written_back_parses_to_the_same_programs():
    programs = load_programs().programs
    again = parse_programs(programs_csv(program_row(p) for p in programs)).programs
    assert again == programs


def test_line_of_matches_the_line_the_parser_names():
    rows = [program_row(p) for p in load_programs().programs[:5]]
    rows[1]["description"] = "two\nlines"
    rows[3]["region"] = "mars"
    try:
        parse_programs(programs_csv(rows))
    except ValueError as exc:
        assert {e.line for e in exc.errors} == {line_of(rows, 3)}
        assert line_of(rows, 3) == 6  # header, rows 0 and 2 one line each, row 1 two lines, row 3
    else:
        raise AssertionError("a bad region was accepted")


def test_diff_names_added_removed_and_changed_columns():
    programs = load_programs().programs
    first, second, third = programs[:3]
    edited = dataclasses.replace(second, tuition_usd=12345, tuition_year="2025-26")
    diff = diff_programs([first, second, third], [edited, third, programs[3]])
    assert [p.id for p in diff.added] == [programs[3].id]
    assert [p.id for p in diff.removed] == [first.id]
    assert [c.program_id for c in diff.changed] == [second.id]
    columns = {f.column: (f.before, f.after) for f in diff.changed[0].fields}
    assert columns["tuition_usd"] == (str(second.tuition_usd or ""), "12345")
    assert set(columns) <= {"tuition_usd", "tuition_year"} and not diff.empty
    assert diff_programs(programs, programs).empty
