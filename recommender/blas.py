"""One BLAS kernel on every x86-64 machine, so that the same answers rank the same everywhere.

NumPy's and SciPy's wheels bundle an OpenBLAS built for many CPUs (DYNAMIC_ARCH) that picks its
kernels by the CPU it loads on. The kernels add up a dot product in different orders, so the
same model's scores differ in their last bits between, say, an AVX2 and an AVX-512 machine; where
two programs' scores lie within that noise of a 1e-6 step, their order swaps (one of the 1,000
golden quizzes, `tests/test_golden_answers.py`). A permanent link must show the same order on
every worker and machine, so before NumPy loads, a CPU that can run OpenBLAS's Haswell kernels
(AVX2 and FMA, x86-64 since 2013) is told to use them through `OPENBLAS_CORETYPE`, OpenBLAS's own
switch. A value already set is kept; other CPUs keep OpenBLAS's own choice (README, "The model").

Imported first by the package, before anything imports NumPy; `check` says when that was too late.
"""

from __future__ import annotations

import functools
import logging
import os
import platform
from collections.abc import Iterable, MutableMapping

KERNEL = "Haswell"
NEEDS = frozenset({"avx2", "fma"})
VARIABLE = "OPENBLAS_CORETYPE"

log = logging.getLogger(__name__)


def cpu_flags(path: str = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags as Linux lists them; empty where there is no such file."""
    try:
        with open(path, encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def pin(
    environ: MutableMapping[str, str] = os.environ,
    *,
    machine: str | None = None,
    flags: frozenset[str] | None = None,
) -> str | None:
    """The kernel OpenBLAS should run here, asked for in `environ`; None to leave it OpenBLAS's choice.

    A value the environment already holds is kept and returned. Otherwise Haswell on an x86-64 CPU
    with AVX2 and FMA, None on any other. Asking works only before NumPy loads its OpenBLAS;
    `check` tells when it was too late.
    """
    if environ.get(VARIABLE):
        return environ[VARIABLE]
    if (machine or platform.machine()).lower() not in ("x86_64", "amd64"):
        return None
    if not NEEDS.issubset(cpu_flags() if flags is None else flags):
        return None
    environ[VARIABLE] = KERNEL
    return KERNEL


@functools.cache
def kernels_in_use() -> tuple[str, ...]:
    """The kernel of each OpenBLAS loaded in this process when first asked (NumPy's; SciPy's if loaded by then)."""
    from threadpoolctl import threadpool_info

    return tuple(sorted({i["architecture"] for i in threadpool_info() if i.get("internal_api") == "openblas"}))


def check(asked: str | None, in_use: Iterable[str]) -> str | None:
    """A warning when OpenBLAS runs other kernels than the one asked for, else None."""
    others = sorted({k for k in in_use if k.lower() != (asked or "").lower()})
    if asked is None or not others:
        return None
    return (
        f"OpenBLAS runs {', '.join(others)} kernels, not {asked} (NumPy was loaded before the app set "
        f"{VARIABLE}, or OpenBLAS does not know that name), so programs whose scores are within float "
        f"noise of each other may be ordered differently here than on other machines. Set "
        f"{VARIABLE}={asked} in the environment."
    )


ASKED = pin()


@functools.cache
def warn_if_unpinned() -> None:
    """Log `check`'s warning, once per process, if OpenBLAS did not take the kernel asked for."""
    if ASKED is not None and (message := check(ASKED, kernels_in_use())) is not None:
        log.warning(message, extra={"event": "blas_kernel_mismatch"})
