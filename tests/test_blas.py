"""One BLAS kernel on every x86-64 machine (recommender/blas.py): asked for before NumPy loads, and checked."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from recommender import blas

ROOT = Path(__file__).resolve().parents[1]
HASWELL_CAPABLE = platform.machine().lower() in ("x86_64", "amd64") and blas.NEEDS.issubset(blas.cpu_flags())
needs_haswell_cpu = pytest.mark.skipif(not HASWELL_CAPABLE, reason="this CPU is not x86-64 with AVX2 and FMA")


def test_an_avx2_fma_x86_cpu_is_asked_for_haswell_kernels() -> None:
    environ: dict[str, str] = {}
    assert blas.pin(environ, machine="x86_64", flags=frozenset({"sse2", "avx", "avx2", "fma", "avx512f"})) == "Haswell"
    assert environ == {"OPENBLAS_CORETYPE": "Haswell"}


@pytest.mark.parametrize(
    ("machine", "flags"),
    [
        ("x86_64", frozenset({"sse2", "avx"})),  # no AVX2: Haswell kernels would not run
        ("x86_64", frozenset({"avx2"})),  # AVX2 without FMA
        ("aarch64", frozenset({"avx2", "fma"})),  # not x86: OpenBLAS's names differ
        ("x86_64", frozenset()),  # no /proc/cpuinfo
    ],
)
def test_other_cpus_keep_openblas_own_choice(machine: str, flags: frozenset[str]) -> None:
    environ: dict[str, str] = {}
    assert blas.pin(environ, machine=machine, flags=flags) is None
    assert environ == {}


def test_a_kernel_the_environment_names_is_kept() -> None:
    environ = {"OPENBLAS_CORETYPE": "SkylakeX"}
    assert blas.pin(environ, machine="x86_64", flags=frozenset({"avx2", "fma"})) == "SkylakeX"
    assert environ == {"OPENBLAS_CORETYPE": "SkylakeX"}


def test_cpu_flags_are_read_from_the_flags_line(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx2 fma\nbugs\t\t: spectre_v1\n")
    assert blas.cpu_flags(str(info)) == {"fpu", "sse2", "avx2", "fma"}
    assert blas.cpu_flags(str(tmp_path / "missing")) == frozenset()


def test_check_names_the_kernels_running_instead_of_the_one_asked_for() -> None:
    assert blas.check("Haswell", ["Haswell"]) is None
    assert blas.check("haswell", ["Haswell"]) is None  # OpenBLAS takes the name in any case
    assert blas.check(None, ["SkylakeX"]) is None  # nothing asked: nothing to warn of
    warning = blas.check("Haswell", ["Haswell", "SkylakeX"])
    assert warning is not None
    assert "SkylakeX" in warning and "OPENBLAS_CORETYPE=Haswell" in warning


def _child(code: str, *, drop: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if not (drop and k == "OPENBLAS_CORETYPE")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_haswell_cpu
def test_importing_the_package_first_makes_numpy_and_scipy_run_haswell_kernels() -> None:
    """What every entry point does (wsgi.py, the CLI, the RQ worker): the package before NumPy."""
    got = _child(
        "import json, recommender, scipy.linalg, threadpoolctl\n"
        "print(json.dumps(sorted({(i['prefix'], i['architecture']) for i in threadpoolctl.threadpool_info()"
        " if i.get('internal_api') == 'openblas'})))"
    )
    assert got, "no OpenBLAS found loaded"
    assert {kernel for _, kernel in got} == {"Haswell"}, got


@needs_haswell_cpu
def test_this_test_process_serves_with_the_pinned_kernel() -> None:
    """So the golden answers are checked here with the kernel production runs."""
    assert os.environ["OPENBLAS_CORETYPE"] == blas.ASKED
    assert blas.kernels_in_use(), "no OpenBLAS found loaded"
    assert blas.check(blas.ASKED, blas.kernels_in_use()) is None, blas.kernels_in_use()


@needs_haswell_cpu
def test_numpy_loaded_before_the_app_is_logged_as_a_warning() -> None:
    got = _child(
        "import json, logging, numpy\n"
        "records = []\n"
        "class Keep(logging.Handler):\n"
        "    def emit(self, record): records.append(record.getMessage())\n"
        "logging.getLogger('recommender.blas').addHandler(Keep())\n"
        "from recommender import blas\n"
        "blas.warn_if_unpinned(); blas.warn_if_unpinned()\n"
        "print(json.dumps([blas.ASKED, list(blas.kernels_in_use()), records]))"
    )
    asked, in_use, records = got
    assert asked == "Haswell"
    if in_use == ["Haswell"]:
        pytest.skip("OpenBLAS chose Haswell itself on this CPU: there is no mismatch to see")
    assert len(records) == 1 and "OPENBLAS_CORETYPE=Haswell" in records[0], records
