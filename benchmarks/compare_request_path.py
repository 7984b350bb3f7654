"""In-process cost of a new quiz's API answer (rank, words, JSON), two source trees side by side.

    git archive <ref> | tar -x -C /tmp/ref       # the code to compare against
    .venv/bin/python benchmarks/compare_request_path.py /tmp/ref . [--rounds 5] [--quizzes 3000]

Each tree trains the bundled catalogue with its own code in its own process; the two run in
alternating rounds, so both see the same machine. Each round prints, per tree, the median over
`--quizzes` random new quizzes of `to_api_bytes(recommender._recommend(answers))` (nothing cached
but the per-version tables a serving process keeps, warmed on 500 other quizzes), then the median
ratio over the rounds. A tree whose recommendation builds its words eagerly pays for them in
`_recommend`; a lazy one in the encoding: the sum is the like-for-like figure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import datetime as dt, random, statistics, sys, time
root = sys.argv[1]
sys.path[:0] = [root, root + "/benchmarks"]
import recommender
assert recommender.__file__.startswith(root), recommender.__file__
from bench_ranking import random_answers
from recommender.domain.catalog import load_catalogs, load_programs
from recommender.ml.pipeline import train
from recommender.services import recommendations
rec = train(load_programs(), load_catalogs(), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).recommender
rng = random.Random(5)
quizzes = [random_answers(rng) for _ in range(500 + int(sys.argv[2]))]
times = []
for i, answers in enumerate(quizzes):
    start = time.perf_counter_ns()
    recommendations.to_api_bytes(rec._recommend(answers, 10), "/results/x")
    if i >= 500:
        times.append(time.perf_counter_ns() - start)
print(statistics.median(times) / 1000)
"""


def measure(tree: Path, quizzes: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(quizzes)], capture_output=True, text=True, check=True, cwd=tree
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quizzes", type=int, default=3000)
    args = parser.parse_args()
    before, after = args.before.resolve(), args.after.resolve()
    ratios = []
    for round_no in range(1, args.rounds + 1):
        old, new = measure(before, args.quizzes), measure(after, args.quizzes)
        ratios.append(old / new)
        print(f"round {round_no}: {before}: {old:.0f} us | {after}: {new:.0f} us | before/after {old / new:.2f}")
    print(f"median before/after over {args.rounds} rounds: {statistics.median(ratios):.2f} (a new quiz's API answer)")


if __name__ == "__main__":
    main()
