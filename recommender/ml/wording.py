"""The words of a recommendation, from one version's tables: reasons, fit notes, roles and the runner-up.

A `Ranked` holds only numbers; everything a person reads about it is looked up here, in tables made
once per version (`explain`, `fit`) or kept the first time a combination is met. Each lookup also
exists without the objects around it (`specialization_reasons`, `program_fit`, `program_reasons`),
so the API can encode straight from the tables while pages get the same words as match objects.
"""

from __future__ import annotations

from recommender.domain import quiz
from recommender.domain.catalog import Program, Role, Specialization
from recommender.ml import explain, fit, reasons
from recommender.ml.fit import FITS
from recommender.ml.results import ProgramMatch, Ranked, Recommendation, SpecializationMatch

MAX_REASONS = explain.MAX_REASONS
GENERAL_BELOW = 12  # a grounding level under this: the program names none of the user's best specializations
BANDS_BY_LEVEL: tuple[str, ...] = tuple(reasons.program_band(level) for level in range(64))
KEPT = 200_000  # combinations kept per table before it starts again; far above what a day meets


class VersionWording:
    """One version's words, as `Recommendation` asks for them."""

    def __init__(
        self,
        programs: tuple[Program, ...],
        specializations: tuple[Specialization, ...],
        roles_by_id: dict[str, Role],
        explainer: explain.Explainer,
        answer_keys: tuple[str, ...],
        named_counts: list[int],
    ):
        self.programs = programs
        self.specializations = specializations
        self.roles_by_id = roles_by_id
        self.explainer = explainer
        self.named_counts = named_counts
        self.spec_reasons = explainer.specialization_reasons(answer_keys)
        self._fits: dict[tuple[int, tuple[object, ...]], tuple] = {}
        self._roles: dict[tuple[str, tuple[int, ...]], tuple[Role, ...]] = {}
        self._runner_up: dict[tuple[int, int, str, tuple[str, ...]], str] = {}

    # ------------------------------------------------------------- specializations

    def specialization_reasons(self, ranked: Ranked, index: int) -> tuple[str, ...]:
        """Up to four sentences: the answers that gave most of one specialization's score."""
        keys, parts, table = ranked.keys, ranked.parts[index], self.spec_reasons
        floor = reasons.REASON_FLOOR
        said = tuple(table[index, keys[j]] for j in ranked.ranked_answers[index][:MAX_REASONS] if parts[j] >= floor)
        return said or (explain.GENERIC_REASON,)

    def specialization_matches(self, recommendation: Recommendation) -> tuple[SpecializationMatch, ...]:
        ranked = recommendation.ranked
        matches = []
        for index in ranked.spec_order:
            shown = reasons.display(ranked.spec_scores[index])
            matches.append(
                SpecializationMatch(
                    self.specializations[index],
                    shown,
                    self.specialization_reasons(ranked, index),
                    dict(zip(ranked.keys, ranked.parts[index], strict=True)),
                    reasons.specialization_band(shown),
                )
            )
        return tuple(matches)

    # ------------------------------------------------------------- programs

    def program_fit(self, ranked: Ranked, answers: quiz.Answers, index: int) -> tuple:
        """(fit, misses, unknowns, notes) of one program for the limits the user set; kept per combination."""
        key = (index, ranked.constraints)
        found = self._fits.get(key)
        if found is None:
            if len(self._fits) > KEPT:
                self._fits.clear()
            per = tuple((c, int(status[index])) for c, status in ranked.columns)
            missed = fit.NAMES_BY_BITS[sum(1 << c for c, s in per if s == fit.STATUS_MISSES)]
            unknown = fit.NAMES_BY_BITS[sum(1 << c for c, s in per if s == fit.STATUS_UNKNOWN)]
            notes = fit.notes_from_table(self.explainer.program(index).notes, answers, per)
            found = self._fits[key] = (FITS[2 if missed else 1 if unknown else 0], missed, unknown, notes)
        return found

    def program_reasons(self, ranked: Ranked, index: int) -> tuple[str, ...]:
        """What the program's own words name among the user's best specializations."""
        return self.explainer.fit_reasons(index, ranked.top)

    def program_matches(self, recommendation: Recommendation) -> tuple[ProgramMatch, ...]:
        ranked, answers = recommendation.ranked, recommendation.answers
        matches = []
        for index, score, level in zip(ranked.order, ranked.scores, ranked.levels, strict=True):
            found = self.program_fit(ranked, answers, index)
            matches.append(
                ProgramMatch(
                    self.programs[index],
                    reasons.display(score),
                    BANDS_BY_LEVEL[level],
                    found[0],
                    found[1],
                    found[2],
                    self.program_reasons(ranked, index),
                    found[3],
                    self.explainer.program(index).evidence,
                    level < GENERAL_BELOW,
                )
            )
        return tuple(matches)

    # ------------------------------------------------------------- the rest

    def roles(self, recommendation: Recommendation) -> tuple[Role, ...]:
        """The user's goal first, then the roles the top specializations lead to, up the ladder."""
        goal, top = recommendation.answers.goal, tuple(recommendation.ranked.spec_order[:3])
        found = self._roles.get((goal, top))
        if found is None:
            found = self._roles[goal, top] = self._roles_for(goal, [self.specializations[i] for i in top])
        return found

    def _roles_for(self, goal_id: str, top: list[Specialization]) -> tuple[Role, ...]:
        goal = self.roles_by_id[goal_id]
        seen = {goal.id}
        related: list[Role] = []
        for spec in top:
            for role_id in spec.roles:
                if role_id in self.roles_by_id and role_id not in seen:
                    seen.add(role_id)
                    related.append(self.roles_by_id[role_id])
        return (goal, *sorted(related, key=lambda r: r.ladder_step))

    def coverage_notes(self, recommendation: Recommendation) -> tuple[str, ...]:
        """How many programs name the best specialization, and how many of those fit."""
        ranked = recommendation.ranked
        best = ranked.top[0]
        return self.explainer.coverage_notes(best, self.named_counts[best], len(self.programs), ranked.fitting)

    def runner_up_note(self, recommendation: Recommendation) -> str:
        """`reasons.runner_up_note` for the top two, kept per (pair, deciding answer, supporting answers).

        The note reads only which answer separates the two most and which answers support the
        second (each answer's label follows from its key), so those keys decide the sentence.
        """
        ranked = recommendation.ranked
        first, second = ranked.spec_order[0], ranked.spec_order[1]
        keys, a, b = ranked.keys, ranked.parts[first], ranked.parts[second]
        decider = max(zip([x - y for x, y in zip(a, b, strict=True)], keys, strict=True))[1]
        # Largest share first, equal shares in the query's order, as `reasons.runner_up_note` sorts.
        floor = reasons.REASON_FLOOR
        by_share = sorted(zip([-x for x in b], range(len(keys)), keys, strict=True))
        support = tuple(k for neg, _, k in by_share if -neg >= floor)
        key = (first, second, decider, support[:2])
        found = self._runner_up.get(key)
        if found is None:
            if len(self._runner_up) > KEPT:
                self._runner_up.clear()
            found = self._runner_up[key] = reasons.runner_up_note(
                recommendation.answers,
                reasons.Contribution(self.specializations[first], 0.0, dict(zip(keys, a, strict=True))),
                reasons.Contribution(self.specializations[second], 0.0, dict(zip(keys, b, strict=True))),
            )
        return found
