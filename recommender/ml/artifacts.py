"""Artifacts without pickle: arrays in `.npz` (loaded with allow_pickle=False) plus JSON metadata.

The pair is content-hashed; a loader refuses any artifact whose bytes do not match the hash the
database recorded when the version was trained.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import platform
import stat
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 2
STORE_PLAIN_BYTES = 64 * 1024 * 1024
# The largest cache file read back (MODEL_CACHE_MAX_BYTES); the database copy is used beyond it.
CACHE_MAX_BYTES = 64 * 1024 * 1024
REQUIRED_ARRAYS: frozenset[str] = frozenset(
    {
        "answer_keys",
        "answer_rows",
        "block_split",
        "query_blocks",
        "item_rows",
        "specialization_ids",
        "program_ids",
        "program_id_rank",
        "format_mask",
        "pace_mask",
        "accelerated_unknown",
        "region",
        "tuition",
        "grounding_kind",
        "grounding_item",
        "grounding_start",
        "grounding_end",
    }
)


class ArtifactError(ValueError):
    """An artifact that is missing, corrupt, tampered with, or inconsistent."""


@dataclass(frozen=True)
class Artifact:
    """The serialised form of one model version."""

    npz: bytes
    meta_json: bytes

    @property
    def sha256(self) -> str:
        """The content hash of arrays and metadata together."""
        return content_hash(self.npz, self.meta_json)

    @property
    def meta(self) -> dict[str, Any]:
        return json.loads(self.meta_json)


def content_hash(npz: bytes, meta_json: bytes) -> str:
    """sha256 over both files, length-prefixed so bytes cannot shift between them."""
    digest = hashlib.sha256()
    for part in (npz, meta_json):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """The versions that produced an artifact, recorded as the scikit-learn guide advises."""
    # Read from package metadata: importing scikit-learn here would load it on the request path.
    return {
        "python": platform.python_version(),
        **{name: metadata.version(name) for name in ("numpy", "scipy", "scikit-learn")},
    }


def dump(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Artifact:
    """Serialise arrays and metadata; refuses object arrays, which would need pickle."""
    for name, array in arrays.items():
        if array.dtype == object:
            raise ArtifactError(f"array {name!r} has dtype object, which would need pickle")
    buffer = io.BytesIO()
    # Compressing ~100 MB of float32 rows (a 100k-program catalogue) costs seconds and saves a
    # quarter; such artifacts are stored plain. np.load reads either.
    raw = sum(array.nbytes for array in arrays.values())
    (np.savez if raw > STORE_PLAIN_BYTES else np.savez_compressed)(buffer, **arrays)
    meta = {**meta, "format_version": FORMAT_VERSION}
    meta_json = json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1).encode()
    return Artifact(buffer.getvalue(), meta_json)


def load(artifact: Artifact, expected_sha256: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Verify and open an artifact, returning its arrays and metadata."""
    if artifact.sha256 != expected_sha256:
        raise ArtifactError("artifact content does not match its recorded sha256 (corrupt or tampered)")
    try:
        with np.load(io.BytesIO(artifact.npz), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(artifact.meta_json)
    except (ValueError, OSError, KeyError) as exc:  # zip, npy and JSON errors
        raise ArtifactError(f"artifact cannot be read: {exc}") from exc
    missing = REQUIRED_ARRAYS - arrays.keys()
    if missing:
        raise ArtifactError(f"artifact lacks arrays: {sorted(missing)}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"artifact format {meta.get('format_version')!r} is not {FORMAT_VERSION}")
    n_programs, n_specs = len(arrays["program_ids"]), len(arrays["specialization_ids"])
    if arrays["item_rows"].shape[0] != n_specs + n_programs:
        raise ArtifactError("artifact item rows do not match its specializations and programs")
    if arrays["answer_rows"].shape[1] != arrays["item_rows"].shape[1]:
        raise ArtifactError("artifact answer rows and item rows have different widths")
    for name in ("grounding_kind", "grounding_item", "grounding_start", "grounding_end"):
        if arrays[name].shape != (n_programs, n_specs):
            raise ArtifactError(f"artifact {name} does not cover every program and specialization")
    if int(arrays["grounding_kind"].max(initial=0)) > 5 or int(arrays["grounding_kind"].min(initial=0)) < 0:
        raise ArtifactError("artifact grounding_kind holds an unknown kind")
    return arrays, meta


def write_cache(directory: Path, version_id: str, artifact: Artifact) -> Path:
    """Keep a copy of a version under models/, for inspection and quicker loading.

    Each file is written beside its target and renamed over it: a reader never sees half a file,
    and whatever stood at the name before (even a FIFO, which a plain open would block on) is
    replaced rather than opened.
    """
    target = directory / version_id
    target.mkdir(parents=True, exist_ok=True)
    for name, data in (("arrays.npz", artifact.npz), ("meta.json", artifact.meta_json)):
        descriptor, temporary = tempfile.mkstemp(dir=target, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, target / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    return target


class CacheRefused(OSError):
    """A cache file that is not read: not a regular file, or larger than the limit."""


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path` if it is a regular file of at most `max_bytes`; raises OSError otherwise.

    Opened with O_NONBLOCK so that a FIFO (or a device) answers at once instead of blocking the
    process until a writer appears, then checked with fstat on the open descriptor (no race with
    a rename), and read no further than the limit even if the file grows meanwhile.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb", buffering=0) as file:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise CacheRefused(f"{path.name} is not a regular file")
        if info.st_size > max_bytes:
            raise CacheRefused(f"{path.name} is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit")
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise CacheRefused(f"{path.name} grew past the {max_bytes:,}-byte limit while it was read")
    return data


def read_cache(directory: Path, version_id: str, *, max_bytes: int = CACHE_MAX_BYTES) -> Artifact | None:
    """A cached copy under models/, or None when there is none (callers verify its hash).

    Raises `CacheRefused` for a file that is there but must not be read (see `read_bounded`).
    """
    target = directory / version_id
    try:
        return Artifact(read_bounded(target / "arrays.npz", max_bytes), read_bounded(target / "meta.json", max_bytes))
    except CacheRefused:
        raise
    except OSError:
        return None
