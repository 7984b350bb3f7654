"""In-process cost of a new quiz: ranking with every reason, and encoding the API body, for one source tree.

    git archive main | tar -x -C /tmp/main       # the code to compare against
    .venv/bin/python benchmarks/compare_request_path.py /tmp/main
    .venv/bin/python benchmarks/compare_request_path.py .

Trains the bundled catalogue with the given tree's code, then prints medians over 3,000 random
quizzes of an uncached recommendation and of its API body. Run both trees in the same minute: the
machine's load moves these figures more than small changes do.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import orjson  # noqa: E402
from bench_ranking import random_answers  # noqa: E402

from recommender.domain.catalog import load_catalogs, load_programs  # noqa: E402
from recommender.ml.pipeline import train  # noqa: E402
from recommender.services import recommendations  # noqa: E402


def median_us(call, items) -> float:
    times = []
    for item in items:
        start = time.perf_counter_ns()
        call(item)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main() -> None:
    recommender = train(load_programs(), load_catalogs(), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).recommender
    rng = random.Random(5)
    quizzes = [random_answers(rng) for _ in range(3000)]
    for answers in quizzes[:300]:
        recommender._recommend(answers, 10)
    encode = getattr(recommendations, "to_api_bytes", None) or (
        lambda rec, url: orjson.dumps(recommendations.to_api(rec, url))
    )
    done = {id(a): recommender._recommend(a, 10) for a in quizzes}
    rank = median_us(lambda a: recommender._recommend(a, 10), quizzes)
    body = median_us(lambda a: encode(done[id(a)], "/results/x"), quizzes)
    print(f"{ROOT}: new recommendation {rank:.0f} us, API body {body:.0f} us, together {rank + body:.0f} us")


if __name__ == "__main__":
    main()
