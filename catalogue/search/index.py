"""The search index: a tantivy index beside the store, derived from it and rebuilt at will.

Why tantivy (Rust, PyPI ``tantivy``) rather than SQLite FTS5 (stdlib): measured on the
generated catalogue (FACTS.md of the team's shared reference data), a keyword query with
top 20 and count takes 0.03-0.09 ms at 10k solutions and 0.05-0.46 ms at 100k with tantivy, against
1.1-1.7 ms and 10.5-12.4 ms with FTS5; building the index takes 0.45 s / 3.9 s against
1.0 s / 15.3 s. tantivy also has Snowball stemmers for most EU languages, ASCII folding,
and term aggregations over fast fields, which give facet counts without SPARQL (facet
counts by SPARQL take 0.8-8.7 s at 100k). FTS5 has only a Porter (English) stemmer and
no facet counts short of one GROUP BY per facet.

Text is analysed twice: once per language with that language's stemmer (``title_fr``,
``text_de`` ...) and once, for every language, without stemming (``title_any``,
``text_any``); both lower-cased and ASCII-folded, so ``electronique`` finds
``électronique`` and ``facture`` finds ``facturation`` in French titles. Title fields are
boosted so that title matches rank first.

Layout on disk: ``{store}-search/`` holds the tantivy files, ``labels.json`` (display
names of facet values), ``hidden.json`` (the records that duplicate another source's, left
out of every search: see ``catalogue/pages/duplicates.py``) and ``VERSION`` (the schema version:
another version is wiped and must be rebuilt with ``catalogue index``).

Several processes share one index directory (``catalogue serve --workers N`` on one
machine): one writes at a time (``.writer.lock``, an ``flock`` a writer waits for, so a
refresh after an ingest is never dropped because another process was writing), and every
reader reloads when a commit landed (:meth:`SearchIndex.refresh` compares the files' stamps,
not only the data version: a reader may see the new version before the writer committed).
``built.json`` records the data version and each source's graph the index was written from,
so a process can tell that it is behind and catch up (catalogue/search/upkeep.py).

Duplicates are left out when searching rather than when writing documents: a per-source
refresh rewrites only that source's documents, yet may change which record of *another*
source is shown, so the whole hidden set is rewritten with every commit instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tantivy

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.labels import best
from catalogue.search.documents import FACETS, Record

SCHEMA_VERSION = "4"  # 2: the licencetype facet; 3: quality (facet and quality_score); 4: specifications
STEMMERS = {"da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
            "de": "german", "el": "greek", "hu": "hungarian", "it": "italian", "pt": "portuguese",
            "ro": "romanian", "sv": "swedish", "es": "spanish"}
TITLE_BOOST = 5.0
WRITER_HEAP = 64_000_000
WRITER_WAIT = 300.0  # seconds a writer waits for another process's write (a full rebuild at 100k)
STAMPED = ("meta.json", "labels.json", "hidden.json", "built.json")  # a commit changes one of them
GENERATION_TTL = 1.0  # seconds a generation is trusted (another process may write the index)
_generations: dict[Path, tuple[float, str]] = {}  # index path -> (when looked, generation)


class SearchIndexError(CatalogueError, RuntimeError):
    """The index cannot be written (e.g. another process is writing it): rebuild it later
    with ``catalogue index``; the store itself is unaffected."""

    error_kind = ErrorKind.UNAVAILABLE
    public_message = False  # names the index's path


@lru_cache(maxsize=16)
def index_path(store_path: str) -> Path:
    """Where the index of the store at ``store_path`` lives: its sibling ``{store}-search``
    (kept: a page asks it a score of times)."""
    return Path(f"{os.path.normpath(store_path)}-search")


@contextmanager
def file_lock(path: Path, *, wait: float) -> Iterator[bool]:
    """``with file_lock(p, wait=s) as got:`` an exclusive ``flock`` on ``p`` (created), waited
    for up to ``wait`` seconds (0: not at all); ``got`` says whether it is held. Held by an
    open file, so it excludes other processes and other threads alike, and ends with them."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                got = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    got = False
                    break
                time.sleep(0.05)
        try:
            yield got
        finally:
            if got:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _analyzer(stemmer: str | None) -> tantivy.TextAnalyzer:
    b = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
        tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
    if stemmer:
        b = b.filter(tantivy.Filter.stemmer(stemmer))
    return b.filter(tantivy.Filter.ascii_fold()).build()


def text_fields() -> tuple[list[str], list[str]]:
    """(title fields, other text fields), one of each per stemmed language plus ``_any``."""
    langs = [*STEMMERS, "any"]
    return [f"title_{lang}" for lang in langs], [f"text_{lang}" for lang in langs]


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("iri", stored=True, tokenizer_name="raw")
    sb.add_text_field("source", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("summary", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("sort_title", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_date_field("modified", stored=True, fast=True)
    sb.add_integer_field("quality_score", stored=True, fast=True, indexed=True)
    for name in FACETS:
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    titles, texts = text_fields()
    for name in titles + texts:
        sb.add_text_field(name, tokenizer_name=f"an_{name.split('_', 1)[1]}")
    return sb.build()


def _document(rec: Record) -> tantivy.Document:
    doc = tantivy.Document(iri=rec.iri, source=rec.source, title=rec.title, summary=rec.summary,
                           sort_title=" ".join(rec.title.lower().split()))
    if rec.modified is not None:
        doc.add_date("modified", rec.modified)
    if rec.quality is not None:
        doc.add_integer("quality_score", rec.quality)
    for name in FACETS:
        for value in sorted(rec.facets.get(name, ())):
            doc.add_text(name, value)
    for prefix, texts in (("title", rec.titles), ("text", rec.texts)):
        for lang, text in texts:
            stem = STEMMERS.get(lang.split("-", 1)[0].lower())
            if stem:
                doc.add_text(f"{prefix}_{lang.split('-', 1)[0].lower()}", text)
            doc.add_text(f"{prefix}_any", text)
    return doc


@dataclass(frozen=True)
class Hidden:
    """The documents no search shows (records duplicating another source's record).

    ``iris``: IRIs none of whose documents is shown (the usual case, one fast term-set
    filter); ``pairs``: single ``(source, iri)`` documents of an IRI that another source's
    document of the same IRI stands for (the same IRI published by two sources).
    """

    iris: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, hidden: Iterable[tuple[str, str]], shown: Iterable[str]) -> Hidden:
        """From the hidden ``(source, iri)`` documents and the IRIs shown (canonical)."""
        canonical, docs = set(shown), set(hidden)
        return cls(frozenset(i for _, i in docs if i not in canonical),
                   frozenset(d for d in docs if d[1] in canonical))

    def as_json(self) -> dict:
        return {"iris": sorted(self.iris), "pairs": sorted(list(p) for p in self.pairs)}

    @classmethod
    def from_json(cls, data: dict) -> Hidden:
        return cls(frozenset(data.get("iris", ())), frozenset(tuple(p) for p in data.get("pairs", ())))

    def __bool__(self) -> bool:
        return bool(self.iris or self.pairs)


class SearchIndex:
    """One per index directory and process (see :func:`open_index`): thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._token: str | None = None
        self._stamp: tuple = ()
        # facet counts by (words, filters): they depend on neither sort nor page, and a
        # state is often seen sorted or paged several ways; emptied when the index changes
        self.counts_cache: dict[tuple, dict[str, dict[str, int]]] = {}
        version = path / "VERSION"
        if path.exists() and (not version.exists() or version.read_text().strip() != SCHEMA_VERSION):
            shutil.rmtree(path)  # derived data of an older layout: start afresh
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        for lang in [*STEMMERS, "any"]:
            self.index.register_tokenizer(f"an_{lang}", _analyzer(STEMMERS.get(lang)))
        version.write_text(SCHEMA_VERSION)
        self.labels: dict[str, dict[str, str]] = self._read_labels()
        self._chosen_labels: dict[tuple[str, ...], dict[str, tuple[str, str | None]]] = {}
        self.hidden: Hidden = self._read_hidden()

    def _read_labels(self) -> dict[str, dict[str, str]]:
        """IRI -> {language: label}; an index written before labels had languages holds
        one label per IRI, read as untagged."""
        try:
            raw = json.loads((self.path / "labels.json").read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return {k: (v if isinstance(v, dict) else {"": v}) for k, v in raw.items()}

    def _read_hidden(self) -> Hidden:
        try:
            return Hidden.from_json(json.loads((self.path / "hidden.json").read_text()))
        except (FileNotFoundError, ValueError, TypeError, AttributeError):
            return Hidden()

    def _write_hidden(self, hidden: Hidden) -> Path:
        tmp = self.path / "hidden.json.tmp"
        tmp.write_text(json.dumps(hidden.as_json(), ensure_ascii=False))
        return tmp

    def built(self) -> dict:
        """What the index was last written from: ``{"token": data version or None,
        "sources": {slug: graph IRI}}`` (empty: unknown, e.g. an index of an older release)."""
        try:
            found = json.loads((self.path / "built.json").read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def replace(self, records: Mapping[str, Iterable[Record]], labels: Mapping[str, Mapping[str, str]], *,
                everything: bool = False, hidden: Hidden | None = None,
                built: Callable[[dict], dict] | None = None) -> int:
        """Replace the documents of the given sources (``everything``: of all sources) in one
        commit; merge ``labels`` into the stored labels; ``hidden`` (of every source, not
        only those given) replaces the hidden set; ``built`` turns the recorded
        :meth:`built` into the new one (called while the writer lock is held). Returns the
        documents written. Waits up to ``WRITER_WAIT`` seconds for another process writing.

        :raise SearchIndexError: another process held the index's writer lock all that time.
        """
        with self._write_lock, file_lock(self.path / ".writer.lock", wait=WRITER_WAIT) as got:
            try:
                if not got:
                    raise ValueError(f"still locked after {WRITER_WAIT:g} s")
                writer = self.index.writer(WRITER_HEAP, 1)
            except ValueError as exc:
                raise SearchIndexError(f"the search index at {self.path} is being written by "
                                       f"another process: {exc}") from exc
            if everything:
                writer.delete_all_documents()
            n = 0
            for source, recs in records.items():
                if not everything:
                    writer.delete_documents_by_term("source", source)
                for rec in recs:
                    writer.add_document(_document(rec))
                    n += 1
            merged: dict[str, Mapping[str, str]] = {} if everything else dict(self._read_labels())
            merged.update(labels)
            tmp = self.path / "labels.json.tmp"
            tmp.write_text(json.dumps(merged, ensure_ascii=False, sort_keys=True))
            hidden_tmp = self._write_hidden(hidden) if hidden is not None else None
            built_tmp = None
            if built is not None:
                built_tmp = self.path / "built.json.tmp"
                built_tmp.write_text(json.dumps(built(self.built()), sort_keys=True))
            writer.commit()
            writer.wait_merging_threads()
            os.replace(tmp, self.path / "labels.json")
            if hidden_tmp is not None:
                os.replace(hidden_tmp, self.path / "hidden.json")
            if built_tmp is not None:
                os.replace(built_tmp, self.path / "built.json")
                forget_generations()  # seen at once by this process
            self.refresh(None)
            return n

    def _stamps(self) -> tuple:
        stamps: list[tuple[int, int, int] | None] = []
        for name in STAMPED:
            try:
                st = os.stat(self.path / name)
                stamps.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamps.append(None)
        return tuple(stamps)

    def refresh(self, token: str | None) -> None:
        """Pick up commits (from this or another process) when the data version changed or a
        commit landed since the last look (four ``stat`` calls)."""
        stamp = self._stamps()
        if token is not None and token == self._token and stamp == self._stamp:
            return
        self.index.reload()
        self.counts_cache = {}
        self.labels = self._read_labels()
        self._chosen_labels = {}
        self.hidden = self._read_hidden()
        # noted once reloaded: another thread that looks meanwhile reloads too rather than
        # search the old commit under the new stamp (which caches keyed on it would keep)
        self._stamp = stamp
        self._token = token

    def label(self, value: str, languages: Sequence[str] = ()) -> tuple[str, str | None]:
        """The label of a facet value and its language: the first of ``languages`` it has,
        else English, untagged, any (``best``); the value itself if it has no label.

        Kept per (languages, value) until the index changes: a search page labels every
        value it shows, and the same few hundred come back on every page."""
        memo = self._chosen_labels.setdefault(tuple(languages), {})
        chosen = memo.get(value)
        if chosen is None:
            chosen = memo[value] = self._choose_label(value, languages)
        return chosen

    def _choose_label(self, value: str, languages: Sequence[str]) -> tuple[str, str | None]:
        found = self.labels.get(value)
        if not found:
            return value, None
        for lang in languages:
            if lang in found:
                return found[lang], lang
        chosen = best([(lang, text) for lang, text in found.items()])
        return chosen, next((lang for lang, text in found.items() if text == chosen), None)

    def num_docs(self) -> int:
        return self.index.searcher().num_docs


def generation(path: Path) -> str:
    """Which write of the index at ``path`` is the latest: the stamp of its ``built.json``,
    replaced last by every rebuild, per-source refresh, hidden-set rewrite and catch-up
    (``""``: none yet). What is derived from the index and kept per data version is kept
    per generation too: on a remote store the index may be written after the data version
    moved (a catch-up rewrites it under the same one).

    Looked at once per ``GENERATION_TTL`` seconds (a cold page asked it ~20 times, one
    ``stat`` each), and at once after this process writes (:meth:`SearchIndex.replace`):
    another process's write is seen within the TTL, as its data version is. Read before
    what it keys is computed, a stale generation is never newer than the index read."""
    now = time.monotonic()
    seen = _generations.get(path)
    if seen is not None and now - seen[0] < GENERATION_TTL:
        return seen[1]
    try:
        st = os.stat(path / "built.json")
    except FileNotFoundError:
        found = ""
    else:
        found = f"{st.st_ino:x}.{st.st_mtime_ns:x}.{st.st_size:x}"
    _generations[path] = (now, found)
    return found


def forget_generations() -> None:
    """Look at every index's generation again on next asking (this process wrote one, or
    was told another did)."""
    _generations.clear()


_open: dict[Path, SearchIndex] = {}
_open_lock = threading.Lock()


def open_index(path: Path) -> SearchIndex:
    """The process's one :class:`SearchIndex` for ``path`` (created empty if absent)."""
    key = path.resolve()
    with _open_lock:
        if key not in _open:
            _open[key] = SearchIndex(key)
        return _open[key]
