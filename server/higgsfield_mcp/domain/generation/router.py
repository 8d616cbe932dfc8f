"""pick_model: from what someone asked for to the model (or tool) that should make it.

Routing is scoring over features, with the words and the weights kept as data
(`skill/routing.json`). A request is read once into a set of features: what its words say
(people, product, ad, cinematic, cheap, one continuous shot, ...) and what inputs come with
it (start/end frames, reference images, videos or audio, a Soul id, a library character, a
duration). Every rule of the request's kind is scored against that set, and the best score
picks the model; the rule that won is the one-line `why`. When the top two are close, or the
request says too little to choose, the answer is marked `unsure` with both candidates and the
one question that decides. The model named in the request still wins (unless a rule is
written to override that name), and the planned inputs must fit the model, or the next one in
line that takes them is used. Matching is on whole words after light normalisation (case,
accents, plural `s`, spelling variants and other languages through synonyms), and a word
right after "no"/"not"/"without", or after one of them and an article ("not a cartoon"), does
not count. No network, no model calls.
"""

from __future__ import annotations

import json
import re
import unicodedata
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...bundle import bundle_path
from .catalogue import Catalogue, ModelInfo, Trap
from .validation import MediaProblem, media_problems, media_role

RouteKind = Literal["image", "video", "audio", "3d"]
KINDS: tuple[RouteKind, ...] = ("image", "video", "audio", "3d")


# --- the public shapes -------------------------------------------------------------------------


class RouteRequest(BaseModel):
    """What the agent knows about the job: the words, and the inputs it will pass."""

    request: str = Field(description="What the user asked for, in their words.")
    kind: RouteKind | None = Field(default=None, description="Output kind if already known.")
    start_image: bool = Field(default=False, description="A first frame will be passed.")
    end_image: bool = Field(default=False, description="A last frame will be passed.")
    reference_images: int = Field(default=0, ge=0, description="Reference images that will be passed.")
    reference_videos: int = Field(default=0, ge=0, description="Reference videos that will be passed.")
    audio_references: int = Field(default=0, ge=0, description="Reference audio files that will be passed.")
    character_soul_ids: dict[str, str] = Field(
        default_factory=dict,
        description='A library character\'s Soul ids per variant: {"soul_2": id, "soul_cinematic": id}.',
    )
    character_has_references: bool = Field(default=False, description="The library character has reference images.")
    model: str | None = Field(default=None, description="A model the user named (id, display or marketing name).")
    duration: bool = Field(default=False, description="A duration in seconds will be passed (a clip, or audio).")


class Alternative(BaseModel):
    model: str
    display_name: str
    when: str = Field(description="When this one is the better choice.")


class Unsure(BaseModel):
    """Ask the user `question` before generating; `options` are the two candidates."""

    question: str
    options: list[Alternative]


class Pick(BaseModel):
    """The answer, with enough reasoning for the agent to explain it in one line."""

    model: str
    display_name: str
    kind: str
    why: str = Field(description="One line: why this model for this request.")
    alternatives: list[Alternative] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict, description="Params worth setting (soul_id, mode, ...).")
    checklist: list[str] = Field(default_factory=list, description="What a good prompt for this model includes.")
    tool: str | None = Field(default=None, description="Another tool is the right way in (e.g. marketing_ad).")
    tool_hint: str | None = None
    rule: str = Field(description="The routing rule that decided (for explaining and debugging).")
    unsure: Unsure | None = None


# --- words ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_RAW_ID = re.compile(r"[a-z0-9_]+")
_SECONDS = re.compile(r"^\d+(?:s|sec|secs)$")


def _stem(token: str) -> str:
    """Plural to singular, crudely but identically for rules and requests ("pins" → "pin", "stories" → "story")."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("ches", "shes", "sses", "xes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def fold(text: str) -> str:
    """Lower case without accents ("vídeo" → "video", "Schönes" → "schones", "ß" → "ss")."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str, synonyms: Mapping[str, str]) -> list[str]:
    """Words, stemmed, with synonyms applied; a synonym may stand for several words ("werbevideo" → "ad video")."""
    out: list[str] = []
    for raw in _TOKEN.findall(fold(text)):
        word = synonyms.get(raw) or synonyms.get(_stem(raw)) or raw
        out.extend(_stem(w) for w in word.split())
    return out


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    prefix: tuple[bool, ...]
    text: str


class _Text:
    """A request's words with positions, for whole-word phrase lookup."""

    def __init__(
        self, text: str, synonyms: Mapping[str, str], negations: frozenset[str], skips: frozenset[str] = frozenset()
    ) -> None:
        self.raw = text
        self.words = _words(text, synonyms)
        self.at: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            self.at.setdefault(word, []).append(i)
        self._negations = negations
        self._skips = skips

    def negated(self, start: int) -> bool:
        """Right after a negation, or after a negation and an article ("not a cartoon", "sans une")."""
        before = self.words[max(0, start - 2) : start]
        if before and before[-1] in self._negations:
            return True
        return len(before) == 2 and before[1] in self._skips and before[0] in self._negations

    def spans(self, phrase: _Phrase) -> Iterable[int]:
        """Start positions of `phrase`, skipping negated ones."""
        first, n = phrase.words[0], len(phrase.words)
        starts: Iterable[int]
        if phrase.prefix[0]:
            starts = (i for i, w in enumerate(self.words) if w.startswith(first))
        else:
            starts = self.at.get(first, ())
        for start in starts:
            if start + n > len(self.words) or self.negated(start):
                continue
            if all(
                (
                    self.words[start + k].startswith(phrase.words[k])
                    if phrase.prefix[k]
                    else self.words[start + k] == phrase.words[k]
                )
                for k in range(1, n)
            ):
                yield start

    def could(self, phrase: _Phrase) -> bool:
        """Cheap pre-check: most phrases fail on their first word, so skip the generator for them."""
        return phrase.prefix[0] or phrase.words[0] in self.at

    def first(self, phrases: Sequence[_Phrase]) -> int | None:
        best: int | None = None
        for phrase in phrases:
            if not self.could(phrase):
                continue
            for start in self.spans(phrase):
                if best is None or start < best:
                    best = start
                break
        return best

    def has(self, phrases: Sequence[_Phrase]) -> bool:
        for phrase in phrases:
            if self.could(phrase):
                for _ in self.spans(phrase):
                    return True
        return False

    def has_duration(self) -> bool:
        """ "10 seconds", "8s", "5 sec": a length in seconds means video."""
        for i, word in enumerate(self.words):
            if _SECONDS.match(word):
                return True
            if word.isdigit() and i + 1 < len(self.words) and self.words[i + 1] in ("second", "sec"):
                return True
        return False


# --- the rules, compiled once ------------------------------------------------------------------


@dataclass(frozen=True)
class _Alt:
    model: str
    when: str


# Features the inputs give (the words' features are named in routing.json "features").
INPUT_FEATURES = frozenset(
    {
        "start_image",
        "end_image",
        "image_refs",
        "video_refs",
        "audio_refs",
        "soul_id",
        "library_character",
        "duration",
    }
)


@dataclass(frozen=True)
class Rule:
    """One routing rule from routing.json: when it may apply, and how much each feature counts for it.

    `any`/`and`/`unless` are the rule's own phrases (at least one of `any`, one of `and`, none
    of `unless`); `needs` are features that must all be there (each entry any of its
    alternatives), `avoid` features that rule it out. Its score is `weight` plus the
    `signals` of the features present, so shared features such as "cheap" or "one
    continuous shot" settle between rules that all apply.
    """

    id: str
    kind: RouteKind
    model: str
    why: str
    alternatives: tuple[_Alt, ...]
    params: Mapping[str, Any]
    checklist: str | None
    tool: str | None = None
    loose: bool = False
    any: tuple[_Phrase, ...] = ()
    and_: tuple[_Phrase, ...] = ()
    unless: tuple[_Phrase, ...] = ()
    when: str | None = None
    weight: float = 0.0
    signals: Mapping[str, float] = field(default_factory=dict)
    needs: tuple[frozenset[str], ...] = ()
    avoid: frozenset[str] = frozenset()
    overrides: frozenset[str] = frozenset()
    any_kind: bool = False

    @property
    def is_default(self) -> bool:
        return not (self.any or self.and_ or self.needs)

    def eligible(self, kind: RouteKind | None) -> bool:
        """Image is the default kind, so image rules (and `loose` ones, like ads) apply when the kind is unknown."""
        if self.any_kind:
            return True
        if kind is None:
            return self.kind == "image" or self.loose
        return self.kind == kind

    def matches(self, text: _Text, features: frozenset[str] = frozenset()) -> bool:
        if self.any and not text.has(self.any):
            return False
        if self.and_ and not text.has(self.and_):
            return False
        if any(not (group & features) for group in self.needs) or self.avoid & features:
            return False
        return not (self.unless and text.has(self.unless))

    def score(self, features: frozenset[str]) -> float:
        return self.weight + sum(self.signals.get(name, 0.0) for name in features)


@dataclass(frozen=True)
class Rules:
    """routing.json, compiled."""

    rules: tuple[Rule, ...]
    synonyms: Mapping[str, str]
    negations: frozenset[str]
    kind_3d: tuple[_Phrase, ...]
    kind_video_always: tuple[_Phrase, ...]
    kind_first: Mapping[RouteKind, tuple[_Phrase, ...]]
    not_mentions: frozenset[tuple[str, ...]]
    fallbacks: Mapping[str, tuple[str, ...]]
    tool_hints: Mapping[str, str]
    character: Mapping[str, Rule]
    cinematic_rules: frozenset[str]
    stylised_rules: frozenset[str]
    defaults: Mapping[str, Rule] = field(default_factory=dict)
    features: Mapping[str, tuple[_Phrase, ...]] = field(default_factory=dict)
    kind_video_hints: tuple[_Phrase, ...] = ()
    negation_skips: frozenset[str] = frozenset()
    vague: frozenset[str] = frozenset()
    close_margin: float = 0.0
    thin_question: str = ""
    questions: Mapping[frozenset[str], str] = field(default_factory=dict)
    ask_template: str = "{a} or {b}?"

    def all_rules(self) -> list[Rule]:
        return [*self.rules, *self.character.values()]


def _phrases(
    items: Iterable[str], lists: Mapping[str, Sequence[str]], synonyms: Mapping[str, str]
) -> tuple[_Phrase, ...]:
    out: list[_Phrase] = []
    for item in items:
        if item.startswith("@"):
            out.extend(_phrases(lists[item[1:]], lists, synonyms))
            continue
        parts = item.split()
        prefix = tuple(p.endswith("*") for p in parts)
        words = tuple(_words(" ".join(p.rstrip("*") for p in parts), synonyms))
        if len(words) != len(parts):  # punctuation split a word ("children's" → children s): match as written
            prefix = (False,) * len(words)
        if words:
            out.append(_Phrase(words, prefix, item))
    return tuple(out)


def _feature_names(names: Iterable[str], known: frozenset[str], rule_id: str) -> list[str]:
    out = list(names)
    unknown = [n for n in out if n not in known]
    if unknown:
        raise ValueError(f"routing rule {rule_id!r} names unknown features {unknown}")
    return out


def _rule(
    raw: Mapping[str, Any],
    lists: Mapping[str, Sequence[str]],
    synonyms: Mapping[str, str],
    known: frozenset[str] = INPUT_FEATURES,
) -> Rule:
    rule_id = raw["id"]
    needs = tuple(frozenset(_feature_names(entry.split("|"), known, rule_id)) for entry in raw.get("needs", ()))
    matchers = bool(raw.get("any") or raw.get("and") or needs)
    return Rule(
        id=rule_id,
        kind=raw["kind"],
        model=raw["model"],
        why=raw["why"],
        alternatives=tuple(_Alt(a["model"], a["when"]) for a in raw.get("alternatives", ())),
        params=dict(raw.get("params", {})),
        checklist=raw.get("checklist"),
        tool=raw.get("tool"),
        loose=bool(raw.get("loose", False)),
        any=_phrases(raw.get("any", ()), lists, synonyms),
        and_=_phrases(raw.get("and", ()), lists, synonyms),
        unless=_phrases(raw.get("unless", ()), lists, synonyms),
        when=raw.get("when"),
        weight=float(raw.get("weight", 10.0 if matchers else 0.0)),
        signals={
            name: float(value)
            for name, value in zip(
                _feature_names(raw.get("signals", {}), known, rule_id), raw.get("signals", {}).values(), strict=True
            )
        },
        needs=needs,
        avoid=frozenset(_feature_names(raw.get("avoid", ()), known, rule_id)),
        overrides=frozenset(raw.get("overrides", ())),
        any_kind=bool(raw.get("any_kind", False)),
    )


def compile_rules(data: Mapping[str, Any]) -> Rules:
    synonyms = {fold(k): fold(v) for k, v in data.get("synonyms", {}).items()}
    lists = data.get("lists", {})
    features = {name: _phrases(items, lists, synonyms) for name, items in data.get("features", {}).items()}
    known = INPUT_FEATURES | frozenset(features)
    rules = tuple(_rule(r, lists, synonyms, known) for r in data["rules"])
    kinds = data.get("kinds", {})
    character = data.get("character", {})
    unsure = data.get("unsure", {})
    return Rules(
        rules=rules,
        synonyms=synonyms,
        negations=frozenset(fold(n) for n in data.get("negations", ())),
        kind_3d=_phrases(kinds.get("3d", ()), lists, synonyms),
        kind_video_always=_phrases(kinds.get("video_always", ()), lists, synonyms),
        kind_first={k: _phrases(v, lists, synonyms) for k, v in kinds.get("first_mention", {}).items()},
        not_mentions=frozenset(tuple(_words(n, synonyms)) for n in data.get("not_mentions", ())),
        fallbacks={k: tuple(v) for k, v in data.get("fallbacks", {}).items()},
        tool_hints=dict(data.get("tool_hints", {})),
        character={
            key: _rule(character[key], lists, synonyms, known) for key in ("soul_2", "soul_cinematic", "references")
        },
        cinematic_rules=frozenset(character.get("cinematic_rules", ())),
        stylised_rules=frozenset(character.get("stylised_rules", ())),
        defaults={r.kind: r for r in rules if r.is_default and not r.any_kind},
        features=features,
        kind_video_hints=_phrases(kinds.get("video_hints", ()), lists, synonyms),
        negation_skips=frozenset(fold(w) for w in data.get("negation_skips", ())),
        vague=frozenset(w for item in unsure.get("vague", ()) for w in _words(item, synonyms)),
        close_margin=float(unsure.get("close_margin", 0.0)),
        thin_question=unsure.get("thin_question", ""),
        questions={frozenset(q["between"]): q["ask"] for q in unsure.get("questions", ())},
        ask_template=unsure.get("template", "{a} or {b}?"),
    )


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> Rules:
    """The compiled routing rules (bundled unless a path is given); parsed once per process."""
    source = path or bundle_path("skill", "routing.json")
    return compile_rules(json.loads(source.read_text(encoding="utf-8")))


# --- model mentions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Named:
    model: ModelInfo
    said: str
    trap: Trap | None = None


@dataclass(frozen=True)
class _Mentions:
    phrases: list[tuple[_Phrase, str]]
    ids: frozenset[str]


_MENTIONS: weakref.WeakKeyDictionary[Catalogue, _Mentions] = weakref.WeakKeyDictionary()


def _mention_index(catalogue: Catalogue, rules: Rules) -> _Mentions:
    """Every name a request may mention, as phrases → model id or trap name; built once per catalogue."""
    cached = _MENTIONS.get(catalogue)
    if cached is not None:
        return cached
    index: list[tuple[_Phrase, str]] = []
    seen: set[tuple[str, ...]] = set()

    def add(name: str, target: str) -> None:
        words = tuple(_words(name, rules.synonyms))
        if words and words not in seen and words not in rules.not_mentions:
            seen.add(words)
            index.append((_Phrase(words, (False,) * len(words), name), target))

    for trap in catalogue.traps:
        add(trap.name, f"trap:{trap.name}")
    for model in catalogue:
        for name in (model.display_name, *model.names):
            add(name, model.id)
    index.sort(key=lambda item: -len(item[0].words))
    mentions = _Mentions(index, frozenset(m.id for m in catalogue))
    _MENTIONS[catalogue] = mentions
    return mentions


def _resolve_trap(trap: Trap, catalogue: Catalogue, said: str) -> _Named | None:
    target = trap.id or trap.instead
    model = catalogue.find(target) if target else None
    return _Named(model, said, trap) if model else None


def _mentioned(text: _Text, catalogue: Catalogue, rules: Rules) -> _Named | None:
    """The model the request names, if any: an exact id first, else the longest name, earliest if several."""
    mentions = _mention_index(catalogue, rules)
    for raw in _RAW_ID.findall(text.raw.lower()):
        if raw in mentions.ids and ("_" in raw or any(c.isdigit() for c in raw)):
            return _Named(catalogue.get(raw), raw)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, str]] = []
    for phrase, target in mentions.phrases:
        if not text.could(phrase):
            continue
        n = len(phrase.words)
        for start in text.spans(phrase):
            if start > 1 and text.words[start - 2 : start] == ["instead", "of"]:
                continue
            if any(start < end and begin < start + n for begin, end in taken):
                continue
            taken.append((start, start + n))
            found.append((start, target, phrase.text))
    for _, target, said in sorted(found):
        if target.startswith("trap:"):
            trap = catalogue.trap(target[5:])
            named = _resolve_trap(trap, catalogue, said) if trap else None
        else:
            named = _Named(catalogue.get(target), said, catalogue.trap(said))
        if named is not None:
            return named
    return None


def _named_field(name: str, catalogue: Catalogue) -> _Named:
    model = catalogue.find(name)
    if model is not None:
        return _Named(model, name, catalogue.trap(name))
    trap = catalogue.trap(name)
    named = _resolve_trap(trap, catalogue, name) if trap else None
    if named is not None:
        return named
    catalogue.get(name)  # raises UnknownModel with suggestions
    raise AssertionError("unreachable")  # pragma: no cover


# --- kind and inputs ---------------------------------------------------------------------------------


def infer_kind(req: RouteRequest, text: _Text, rules: Rules) -> RouteKind | None:
    """The output kind: as given, else a 3D phrase, frames (video), words like "animate", then whichever kind
    is named first ("a thumbnail for my video" is an image); a duration means video unless audio is named.
    Failing all that, words that only film uses (shot, cut, sequence, pan, footage, seconds) and reference
    videos or audio mean video."""
    if req.kind is not None:
        return req.kind
    if text.has(rules.kind_3d):
        return "3d"
    if req.start_image or req.end_image or text.has(rules.kind_video_always):
        return "video"
    best: tuple[int, RouteKind] | None = None
    for kind, phrases in rules.kind_first.items():
        at = text.first(phrases)
        if at is not None and (best is None or at < best[0]):
            best = (at, kind)
    if req.duration and (best is None or best[1] != "audio"):
        return "video"
    if best is not None:
        return best[1]
    if text.has_duration() or text.has(rules.kind_video_hints) or req.reference_videos or req.audio_references:
        return "video"
    return None


def features_of(req: RouteRequest, text: _Text, rules: Rules) -> frozenset[str]:
    """The request's features: the named word features its words show, and the inputs it brings."""
    found = {name for name, phrases in rules.features.items() if text.has(phrases)}
    inputs = {
        "start_image": req.start_image,
        "end_image": req.end_image,
        "image_refs": req.reference_images > 0,
        "video_refs": req.reference_videos > 0,
        "audio_refs": req.audio_references > 0,
        "soul_id": bool(_soul_ids(req.character_soul_ids)),
        "library_character": bool(req.character_soul_ids) or req.character_has_references,
        "duration": req.duration or text.has_duration(),
    }
    found.update(name for name, present in inputs.items() if present)
    return frozenset(found)


def _soul_ids(ids: Mapping[str, str]) -> dict[str, str]:
    """Soul ids keyed by variant, whatever spelling the caller used for the variant."""
    out: dict[str, str] = {}
    for key, value in ids.items():
        if not value:
            continue
        k = key.lower().replace("-", "_")
        if k in ("soul_2", "soul2", "soul_v2", "text2image_soul_v2", "soul"):
            out["soul_2"] = value
        elif k in ("soul_cinematic", "soul_cinema", "cinematic", "soul_cinema_studio"):
            out["soul_cinematic"] = value
    return out


def _inputs(req: RouteRequest, references: int) -> list[str]:
    roles = ["start_image"] * req.start_image + ["end_image"] * req.end_image
    return [*roles, *["image"] * references, *["video"] * req.reference_videos, *["audio"] * req.audio_references]


def _fit(model: ModelInfo, inputs: Sequence[str]) -> list[MediaProblem]:
    """How the planned inputs fail to fit; an unknown maximum counts as one (never promise what nobody confirmed)."""
    roles = [media_role(model, role) for role in inputs]
    return media_problems(model, roles, prompt_given=True, unknown_max=1)


def _auto_ok(model: ModelInfo) -> bool:
    """Whether the router may substitute this model unasked: known schema and not missing from the user's CLI."""
    return model.media is not None and model.params_known and model.in_cli is not False


# --- picking -------------------------------------------------------------------------------------


def _alternatives(
    pairs: Iterable[tuple[str, str]], catalogue: Catalogue, exclude: str, limit: int = 2
) -> list[Alternative]:
    out: list[Alternative] = []
    for model_id, when in pairs:
        model = catalogue.find(model_id)
        if model is None or model.id == exclude or any(a.model == model.id for a in out):
            continue
        out.append(Alternative(model=model.id, display_name=model.display_name, when=when))
        if len(out) == limit:
            break
    return out


def _checklist(catalogue: Catalogue, key: str | None, model: ModelInfo) -> list[str]:
    return catalogue.checklist(key or model.checklist) or catalogue.checklist(model.checklist)


def _params_for(model: ModelInfo, params: Mapping[str, Any]) -> dict[str, Any]:
    if not model.params_known:
        return dict(params)
    return {name: value for name, value in params.items() if name in model.params}


@dataclass(frozen=True)
class _Decision:
    rule: Rule
    runner_up: Rule | None
    unsure: bool
    thin: bool = False


def _ranked(text: _Text, kind: RouteKind | None, rules: Rules, features: frozenset[str]) -> list[Rule]:
    """Every rule that applies, best score first; equal scores keep the file's order."""
    scored = [
        (-rule.score(features), order, rule)
        for order, rule in enumerate(rules.rules)
        if rule.eligible(kind) and (rule.is_default or rule.matches(text, features))
    ]
    return [rule for _, _, rule in sorted(scored, key=lambda item: item[:2])]


def _thin(req: RouteRequest, text: _Text, rules: Rules) -> bool:
    """Nothing to go on: no kind, no inputs, and every word is filler ("make something cool")."""
    if req.kind is not None or req.start_image or req.end_image or req.duration:
        return False
    if req.reference_images or req.reference_videos or req.audio_references:
        return False
    if req.character_has_references or req.character_soul_ids:
        return False
    return all(word in rules.vague for word in text.words)


def _decide(
    req: RouteRequest, text: _Text, kind: RouteKind | None, rules: Rules, features: frozenset[str]
) -> _Decision:
    ranked = _ranked(text, kind, rules, features)
    default = rules.defaults[kind or "image"]
    top = ranked[0] if ranked else default
    if top.is_default and _thin(req, text, rules):
        return _Decision(default, rules.defaults.get("video"), unsure=True, thin=True)
    runner = next((r for r in ranked[1:] if (r.model, r.tool) != (top.model, top.tool)), None)
    close = (
        runner is not None
        and not top.is_default
        and not runner.is_default
        and top.score(features) - runner.score(features) <= rules.close_margin
    )
    return _Decision(top, runner, unsure=close)


def _when(rule: Rule, catalogue: Catalogue) -> str:
    if rule.when:
        return rule.when
    model = catalogue.get(rule.model)
    return model.strengths.rstrip(".") or model.display_name


def _unsure(decision: _Decision, catalogue: Catalogue, rules: Rules) -> Unsure | None:
    """Both candidates with when each fits, and the question that decides between them."""
    first, second = decision.rule, decision.runner_up
    if not decision.unsure or second is None:
        return None
    options = []
    for rule in (first, second):
        model = catalogue.get(rule.model)
        label = f"{rule.tool} ({model.display_name})" if rule.tool and rule.tool != "generate" else model.display_name
        options.append(Alternative(model=model.id, display_name=label, when=_when(rule, catalogue)))
    if decision.thin:
        question = rules.thin_question
    else:
        question = rules.questions.get(frozenset({first.id, second.id})) or rules.ask_template.format(
            a=options[0].when, b=options[1].when
        )
    return Unsure(question=question, options=options)


def _tool_pick(rule: Rule, catalogue: Catalogue, rules: Rules) -> Pick:
    model = catalogue.get(rule.model)
    return Pick(
        model=model.id,
        display_name=model.display_name,
        kind=model.kind,
        why=rule.why,
        # the same model called directly (without the tool) is a real alternative here
        alternatives=_alternatives(((a.model, a.when) for a in rule.alternatives), catalogue, exclude=""),
        params=dict(rule.params),
        checklist=_checklist(catalogue, rule.checklist, model),
        tool=rule.tool,
        tool_hint=rules.tool_hints.get(rule.tool or ""),
        rule=rule.id,
    )


def _choose(rule: Rule, inputs: Sequence[str], catalogue: Catalogue, rules: Rules) -> tuple[ModelInfo, str]:
    """The rule's model unless the planned inputs include something it cannot take (or the CLI lacks it);
    then the first of its alternatives and the kind's fallbacks that takes them, with a note why.

    Inputs that are merely missing never move the pick ("score this video" before the video
    is attached is still the Virality Predictor); they are named in the note instead.
    """
    first = catalogue.get(rule.model)
    first_problems = _fit(first, inputs) if first.media is not None else []  # unknown roles: the CLI checks
    blocking = [p for p in first_problems if p.kind != "missing"]
    if not blocking and first.in_cli is not False:
        return first, _needs(first, first_problems)
    for model_id in [a.model for a in rule.alternatives] + list(rules.fallbacks.get(rule.kind, ())):
        model = catalogue.find(model_id)
        if model is None or model.id == first.id or model.kind != first.kind or not _auto_ok(model):
            continue
        problems = _fit(model, inputs)
        if any(p.kind != "missing" for p in problems):
            continue
        reason = (
            f"your CLI does not list {first.display_name}"
            if not blocking
            else f"{first.display_name} {blocking[0].message}"
        )
        return model, f" But {reason}, so {model.display_name} instead.{_needs(model, problems)}"
    if blocking:
        return first, f" Note: it {'; '.join(dict.fromkeys(p.message for p in blocking))}."
    return first, _needs(first, first_problems)


def _needs(model: ModelInfo, problems: Sequence[MediaProblem]) -> str:
    missing = [p.message for p in problems if p.kind == "missing"]
    return f" It {'; '.join(dict.fromkeys(missing))}." if missing else ""


def _model_pick(
    rule: Rule,
    inputs: Sequence[str],
    catalogue: Catalogue,
    rules: Rules,
    *,
    extra_params: Mapping[str, Any] | None = None,
    note: str = "",
) -> Pick:
    model, fit_note = _choose(rule, inputs, catalogue, rules)
    pairs = [(a.model, a.when) for a in rule.alternatives]
    if model.id != rule.model:
        first = catalogue.get(rule.model)
        pairs.insert(
            0, (first.id, f"the usual pick here ({first.strengths.rstrip('.').lower()}), without these inputs")
        )
    default = rules.defaults.get(model.kind)
    if default is not None:
        pairs.append((default.model, f"the all-round {model.kind} default"))
    params = _params_for(model, {**rule.params, **(extra_params or {})})
    return Pick(
        model=model.id,
        display_name=model.display_name,
        kind=model.kind,
        why=(rule.why + fit_note + note).strip(),
        alternatives=_alternatives(pairs, catalogue, model.id),
        params=params,
        checklist=_checklist(catalogue, rule.checklist if model.id == rule.model else None, model),
        tool=model.tool,
        tool_hint=rules.tool_hints.get(model.tool or ""),
        rule=rule.id,
    )


def _routed(req: RouteRequest, text: _Text, kind: RouteKind | None, catalogue: Catalogue, rules: Rules) -> Pick:
    decision = _decide(req, text, kind, rules, features_of(req, text, rules))
    pick = _rule_pick(decision.rule, req, catalogue, rules)
    unsure = _unsure(decision, catalogue, rules)
    return pick.model_copy(update={"unsure": unsure}) if unsure else pick


DIRECT_TOOLS = ("generate", "edit")
"""Tools whose rule model `generate` can also run as it is: `edit` only adds "the newest result" as source."""


def _rule_pick(rule: Rule, req: RouteRequest, catalogue: Catalogue, rules: Rules) -> Pick:
    if rule.tool and rule.tool not in DIRECT_TOOLS:  # "generate" is the direct path: the model's own tool, if any
        return _tool_pick(rule, catalogue, rules)
    pick = _direct_pick(rule, req, catalogue, rules)
    if rule.tool == "edit":
        return pick.model_copy(update={"tool": rule.tool, "tool_hint": rules.tool_hints.get(rule.tool)})
    return pick


def _direct_pick(rule: Rule, req: RouteRequest, catalogue: Catalogue, rules: Rules) -> Pick:
    souls = _soul_ids(req.character_soul_ids)
    has_refs = req.character_has_references
    references = max(req.reference_images, 1) if has_refs else req.reference_images
    if rule.kind == "image" and (souls or has_refs):
        return _character_pick(req, rule, souls, catalogue, rules)
    note = ""
    if rule.kind == "video" and souls and not has_refs:
        note = " Soul ids work for stills: make the first frame with Soul 2.0 (soul_id) and pass it as start_image."
    elif rule.kind == "video" and has_refs:
        note = " Pass the character's reference images as image references."
    return _model_pick(rule, _inputs(req, references), catalogue, rules, note=note)


def _character_pick(
    req: RouteRequest, rule: Rule, souls: Mapping[str, str], catalogue: Catalogue, rules: Rules
) -> Pick:
    """A library character in a still: its Soul id on a Soul model, else its reference images.

    Soul ids lose likeness in stylised looks (the course notes: consistency holds within
    the photoreal range), so a cartoon request with references uses the references.
    """
    has_refs = req.character_has_references
    stylised = rule.id in rules.stylised_rules
    if souls and not (stylised and has_refs):
        cinematic = rule.id in rules.cinematic_rules or rule.model == "soul_cinematic"
        variant = "soul_cinematic" if (cinematic and "soul_cinematic" in souls) or "soul_2" not in souls else "soul_2"
        soul_rule = rules.character[variant]
        base = rule if rule.model == soul_rule.model else soul_rule
        note = ""
        if variant == "soul_cinematic" and not cinematic:
            note = " Only a Soul Cinema id is trained; train a soul_2 id for Soul 2.0 stills."
        return _model_pick(
            base,
            _inputs(req, req.reference_images),
            catalogue,
            rules,
            extra_params={"soul_id": souls[variant]},
            note=note,
        )
    inputs = _inputs(req, max(req.reference_images, 1))
    note = " Pass the character's reference images."
    if souls:
        note = " Soul ids lose likeness in stylised looks, so pass the character's reference images instead."
    is_default = rule.is_default
    if not is_default and not _fit(catalogue.get(rule.model), inputs):
        return _model_pick(rule, inputs, catalogue, rules, note=note)
    return _model_pick(rules.character["references"], inputs, catalogue, rules, note=note if souls else "")


def _named_pick(
    named: _Named, req: RouteRequest, text: _Text, kind: RouteKind | None, catalogue: Catalogue, rules: Rules
) -> Pick:
    model, trap = named.model, named.trap
    if trap is not None and trap.id is None:
        why = (
            f"{named.said} is not in the Higgsfield CLI ({trap.why.rstrip('.')}); {model.display_name} is the closest."
        )
    else:
        said = f"{named.said}, " if _name_differs(named.said, model) else ""
        why = f"You asked for {said}{model.display_name} ({model.id})." + (f" {trap.why}" if trap else "")
    souls = _soul_ids(req.character_soul_ids)
    references = req.reference_images
    params: dict[str, Any] = {}
    variant = {"text2image_soul_v2": "soul_2", "soul_cinematic": "soul_cinematic"}.get(model.id)
    if variant and variant in souls:
        params["soul_id"] = souls[variant]
    elif req.character_has_references:
        references = max(references, 1)
    problems = _fit(model, _inputs(req, references)) if model.media is not None else []
    if problems:
        why += f" Note: it {'; '.join(dict.fromkeys(p.message for p in problems))}."
    routed = _routed(req, text, kind if kind is not None else _kind_of(model), catalogue, rules)
    pairs = [(routed.model, "the pick for this request if you had not named a model")]
    pairs += [(a.model, a.when) for a in routed.alternatives]
    return Pick(
        model=model.id,
        display_name=model.display_name,
        kind=model.kind,
        why=why,
        alternatives=_alternatives(pairs, catalogue, model.id),
        params=params,
        checklist=_checklist(catalogue, None, model),
        tool=model.tool,
        tool_hint=rules.tool_hints.get(model.tool or ""),
        rule="named",
    )


def _name_differs(said: str, model: ModelInfo) -> bool:
    return said.strip().lower() not in (model.id.lower(), model.display_name.lower())


_ROUTE_KINDS: dict[str, RouteKind] = {kind: kind for kind in KINDS}


def _kind_of(model: ModelInfo) -> RouteKind | None:
    return _ROUTE_KINDS.get(model.kind)


def pick_model(req: RouteRequest, catalogue: Catalogue | None = None, *, rules: Rules | None = None) -> Pick:
    """The model (or tool) for a request; deterministic, offline, about half a millisecond.

    Raises UnknownModel only when `req.model` names something no catalogue or trap knows.
    """
    catalogue = catalogue if catalogue is not None else Catalogue.bundled()
    rules = rules if rules is not None else load_rules()
    text = _Text(req.request, rules.synonyms, rules.negations, rules.negation_skips)
    kind = infer_kind(req, text, rules)
    asked = (req.model or "").strip()
    if asked.lower() == "auto":  # "let the router pick", as generate spells it; Image Auto is `image_auto`
        asked = ""
    named = _named_field(asked, catalogue) if asked else _mentioned(text, catalogue, rules)
    if named is not None:
        overriding = _overriding(named.model.id, req, text, kind, rules)
        if overriding is None:
            return _named_pick(named, req, text, kind, catalogue, rules)
        pick = _rule_pick(overriding, req, catalogue, rules)
        return pick.model_copy(update={"why": f"{pick.why} (You named {named.said}.)"})
    return _routed(req, text, kind, catalogue, rules)


def _overriding(model_id: str, req: RouteRequest, text: _Text, kind: RouteKind | None, rules: Rules) -> Rule | None:
    """A rule written to beat this named model when it applies (Soul Cast asked to hold a face)."""
    features = features_of(req, text, rules)
    for rule in rules.rules:
        if model_id in rule.overrides and rule.eligible(kind) and rule.matches(text, features):
            return rule
    return None
