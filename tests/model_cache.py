"""Trained models for the tests, kept in pytest's cache between runs and keyed by the nlu/ sources.

Training is the costliest thing a test asks for, and its result depends only on nlu/ (code, configs,
seed corpus): each model is trained once per change there, not once per run or per xdist worker.
A lock file beside each model makes a second process (a worker, or a colleague's run in the same
tree) wait for the first one's training instead of training into the same folder.
"""

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from nlu.model import NluModel

ROOT = Path(__file__).resolve().parents[1]
CACHE_ENV = "MINSHENG_TEST_CACHE"  # set by tests/conftest.py to pytest's cache folder
DONE = "BUILT"  # beside files/, once build() has returned


@lru_cache(maxsize=1)
def nlu_digest() -> str:
    """What a trained model depends on: every source, config and seed file under nlu/."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "nlu").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".cfg", ".jsonl", ".toml"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Held by one process at a time; released when the holder ends, however it ends."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_folder(cache: Path, name: str) -> Path:
    """`cache/<name>-<digest>`, with the folders of older nlu/ sources removed (hold the lock)."""
    folder = cache / f"{name}-{nlu_digest()}"
    for stale in cache.glob(f"{name}-*"):
        if stale != folder and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return folder


@contextmanager
def _kept(name: str, build: Callable[[Path], object]) -> Iterator[Path]:
    """The folder `build` fills, from pytest's cache (built there first if need be), held locked."""
    cache = Path(os.environ[CACHE_ENV])
    with exclusive(cache / f"{name}.lock"):
        kept = current_folder(cache, name)
        if not (kept / DONE).exists():
            shutil.rmtree(kept, ignore_errors=True)
            build(kept / "files")
            (kept / DONE).touch()
        yield kept / "files"


def stored_model(name: str, build: Callable[[], NluModel]) -> NluModel:
    """`build()`'s model as saved and loaded again, so every run and worker reads the same files;
    built in memory when pytest's cache is off (no CACHE_ENV)."""
    if CACHE_ENV not in os.environ:
        return build()
    with _kept(name, lambda folder: build().save(folder)) as files:
        return NluModel.load(files)


def stored_folder(name: str, folder: Path, build: Callable[[Path], object]) -> Path:
    """`folder` holding what `build(folder)` writes, copied from pytest's cache after the first
    time (a model registry, which the test may then change); built in place when the cache is off."""
    if CACHE_ENV not in os.environ:
        build(folder)
        return folder
    with _kept(name, build) as files:
        shutil.copytree(files, folder, dirs_exist_ok=True)
    return folder
