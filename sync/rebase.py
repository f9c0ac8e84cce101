"""Rebase: carry an op made at version v onto the document at version w > v, or refuse it.

Seed 001's rule, made precise: "if the target range has already been modified, the operation is
adjusted to the remaining valid range or rejected with a conflict notification". The document
stamps every target (word status, word text, pause, section name, section order) with the
version that last changed it, so "modified since v" is a lookup, not a replay of history:

* ``delete`` / ``restore`` shrink to the words that are still in the state they had at v and
  that no concurrent op touched (first writer wins on contested words). Nothing left -> a no-op
  (an empty ``Compound``): the intent is already met. A range that now crosses a section
  boundary after sections moved is refused: "from word a to word b" no longer means the same.
* ``correct``, ``set_pause``, ``rename_section`` are refused when a concurrent op changed the
  same word text / gap / name (two people disagreeing; last-writer-wins would silently drop one).
* ``reorder_section`` is refused after any concurrent change to the section list (indices no
  longer mean the same); ``merge_section`` likewise, and ``split_section`` after sections moved.
* ``remove_overdub`` / ``remove_transcript`` of something already gone become no-ops.
* Anything whose target no longer exists, or that no longer validates, is refused.
* A ``compound`` is rebased part by part (each seeing the earlier parts) and refused whole if any
  part is: one undoable unit stays one unit.

``RULES`` is the table of every (rebased op, concurrent op) pair; ``docs/operations.md`` renders
it and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sync.document import Document, id_runs
from sync.errors import Conflict, OpError, StaleVersion, UnknownTarget
from sync.ops import (
    LEAD,
    OP_TYPES,
    AddTranscript,
    Compound,
    Correct,
    Delete,
    InsertOverdub,
    MergeSection,
    Op,
    RemoveOverdub,
    RemoveTranscript,
    RenameSection,
    ReorderSection,
    Restore,
    SetPause,
    SplitSection,
    type_name,
    walk,
    with_base,
)

OK, ADJUST, CONFLICT = "ok", "adjust", "conflict"
"""Cell values: applies unchanged / narrowed or turned into a no-op (never refused) / may be
refused with ``Conflict`` (the reject table)."""

LEAF_TYPES = tuple(name for name in OP_TYPES if name != "compound")

_EXCEPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "delete": {
        "delete": (ADJUST, "skips words already deleted"),
        "restore": (ADJUST, "skips words restored concurrently"),
        "add_transcript": (ADJUST, "skips words that did not exist at v"),
        "reorder_section": (CONFLICT, "range crosses a section boundary"),
        "split_section": (CONFLICT, "range crosses sections moved by an undone merge"),
        "merge_section": (CONFLICT, "range crosses sections, or its section absorbed another"),
        "remove_transcript": (CONFLICT, "an end word was removed"),
    },
    "restore": {
        "delete": (ADJUST, "skips words deleted concurrently"),
        "restore": (ADJUST, "skips words already restored"),
        "add_transcript": (ADJUST, "skips words that did not exist at v"),
        "reorder_section": (CONFLICT, "range crosses a section boundary"),
        "split_section": (CONFLICT, "range crosses sections moved by an undone merge"),
        "merge_section": (CONFLICT, "range crosses sections, or its section absorbed another"),
        "remove_transcript": (CONFLICT, "an end word was removed"),
    },
    "correct": {
        "correct": (CONFLICT, "same word corrected"),
        "remove_transcript": (CONFLICT, "the word was removed"),
    },
    "insert_overdub": {
        "insert_overdub": (CONFLICT, "same overdub id"),
        "remove_transcript": (CONFLICT, "the anchor word was removed"),
    },
    "remove_overdub": {
        "remove_overdub": (ADJUST, "no-op if already removed"),
        "remove_transcript": (ADJUST, "no-op if removed with its anchor"),
    },
    "reorder_section": {
        "reorder_section": (CONFLICT, "section order changed"),
        "split_section": (CONFLICT, "section order changed"),
        "merge_section": (CONFLICT, "section order changed"),
    },
    "split_section": {
        "reorder_section": (CONFLICT, "sections moved"),
        "split_section": (CONFLICT, "same word, or same new id"),
        "merge_section": (CONFLICT, "sections moved"),
        "remove_transcript": (CONFLICT, "the word was removed"),
    },
    "merge_section": {
        "reorder_section": (CONFLICT, "section order changed"),
        "split_section": (CONFLICT, "section order changed"),
        "merge_section": (CONFLICT, "section order changed"),
    },
    "rename_section": {
        "rename_section": (CONFLICT, "same section renamed"),
        "merge_section": (CONFLICT, "the section was merged away"),
    },
    "set_pause": {
        "set_pause": (CONFLICT, "same gap edited"),
        "add_transcript": (CONFLICT, "the gap became shorter than the pause"),
        "remove_transcript": (CONFLICT, "the word was removed"),
    },
    "add_transcript": {
        "add_transcript": (CONFLICT, "same track or word ids"),
    },
    "remove_transcript": {
        "remove_transcript": (ADJUST, "no-op if already removed"),
    },
}

RULES: dict[tuple[str, str], tuple[str, str]] = {
    (a, b): _EXCEPTIONS.get(a, {}).get(b, (OK, "")) for a in LEAF_TYPES for b in LEAF_TYPES
}
"""``(rebased op type, concurrent op type) -> (OK | ADJUST | CONFLICT, when)``. A compound
follows the cells of its parts."""


def may_conflict(rebased: Op, concurrent: Sequence[Op]) -> bool:
    """Whether the table allows ``rebased`` to be refused after ``concurrent`` (for tests)."""
    kinds = {type_name(c) for op in concurrent for c in walk(op)}
    return any(RULES[(type_name(r), k)][0] == CONFLICT for r in walk(rebased) for k in kinds)


def rebase(op: Op, concurrent: Sequence[Op], doc: Document) -> Op:
    """``op`` made at ``op.base_version``, carried onto ``doc`` after ``concurrent``.

    ``concurrent`` are the ops applied since that version, in order (the document's own stamps
    say what they changed; the list is checked for completeness). Returns the op to apply, with
    ``base_version`` set to ``doc.version``; raises ``Conflict`` with a reason, or
    ``StaleVersion`` when the base is in the future or the concurrent ops are not all given.
    """
    v = op.base_version
    if v is None:
        return with_base(op, doc.version)
    if v > doc.version:
        raise StaleVersion(
            f"{type_name(op)} was made at version {v}, after this document's {doc.version}"
        )
    if len(concurrent) != doc.version - v:
        raise StaleVersion(
            f"rebasing from version {v} to {doc.version} needs the {doc.version - v} ops "
            f"applied since, not {len(concurrent)}"
        )
    if v == doc.version:
        return op
    if isinstance(op, Compound):
        with doc.scratch(v) as perform:
            out = _compound(op, v, doc, perform)
    else:
        out = _leaf(op, v, doc)
    return with_base(out, doc.version)


def _noop(op: Op, why: str) -> Compound:
    return Compound(f"{type_name(op)}: {why}", ())


def _compound(op: Compound, v: int, doc: Document, perform: Callable[[Op], None]) -> Op:
    parts: list[Op] = []
    for part in op.ops:
        if isinstance(part, Compound):
            new = _compound(part, v, doc, perform)
        else:
            new = _leaf(part, v, doc)
        perform(new)
        if isinstance(new, Compound) and not isinstance(part, Compound):
            parts.extend(new.ops)  # a narrowed leaf: spliced, so rebasing never adds nesting
        elif not (isinstance(new, Compound) and not new.ops):
            parts.append(new)
    return Compound(op.label, tuple(parts))


def _refuse(op: Op, exc: OpError) -> Conflict:
    return Conflict(f"{type_name(op)} no longer applies: {exc}")


def _leaf(op: Op, v: int, doc: Document) -> Op:
    try:
        out = _transform(op, v, doc)
        if not (isinstance(out, Compound) and not out.ops):
            doc.validate(with_base(out, None))
    except Conflict:
        raise
    except OpError as exc:
        raise _refuse(op, exc) from None
    return out


def _transform(op: Op, v: int, doc: Document) -> Op:
    s = doc.stamps
    match op:
        case Delete() | Restore():
            return _range(op, v, doc)
        case Correct():
            doc.word(op.word)
            if s.text.get(op.word, 0) > v:
                raise Conflict(f"word {op.word!r} was corrected concurrently")
        case RemoveOverdub():
            try:
                doc.overdub(op.overdub_id)
            except UnknownTarget:
                return _noop(op, "already removed")
        case ReorderSection() | MergeSection():
            doc.section(op.section)
            if s.order > v:
                raise Conflict("the sections were changed concurrently")
        case SplitSection():
            if s.moved > v or (op.index is not None and s.order > v):
                raise Conflict("the sections were moved concurrently")
        case RenameSection():
            doc.section(op.section)
            if s.name.get(op.section, 0) > v:
                raise Conflict(f"section {op.section!r} was renamed concurrently")
        case SetPause():
            if op.after_word != LEAD:
                doc.word(op.after_word)
            if s.pause.get(op.after_word, 0) > v:
                raise Conflict(f"the pause after {op.after_word!r} was edited concurrently")
        case RemoveTranscript():
            try:
                doc.track(op.track_id)
            except UnknownTarget:
                return _noop(op, "already removed")
        case InsertOverdub() | AddTranscript() | Compound():
            pass
    return op


def _range(op: Delete | Restore, v: int, doc: Document) -> Op:
    ids = doc.range_ids(op.start_word, op.end_word)
    s = doc.stamps
    if s.moved > v:
        first, last = doc.section_of(op.start_word), doc.section_of(op.end_word)
        if first.id != last.id or s.extent.get(first.id, 0) > v:
            raise Conflict(
                f"{type_name(op)} {op.start_word!r}..{op.end_word!r} spans sections that "
                "were moved concurrently"
            )
    deleting = isinstance(op, Delete)
    deleted, status, words = doc.deleted, s.status, doc.words_by_id()
    # Tracks added after v: their words were not there for the author to mean.
    young = {t for t, at in s.created.items() if at > v}

    def pick(i: str) -> bool | None:
        if (i in deleted) == deleting:
            return None  # already in the wanted state: spanned, not changed
        # A word someone else changed (or that did not exist at v) ends the run: the first
        # writer wins on it.
        return status.get(i, 0) <= v and not (young and words[i].track in young)

    runs = id_runs(ids, pick)
    if not runs:
        return _noop(op, "every word is already in that state")
    kind: type[Delete] | type[Restore] = type(op)
    if len(runs) == 1 and runs[0] == (op.start_word, op.end_word):
        return op
    made = tuple(kind(a, b) for a, b in runs)
    return made[0] if len(made) == 1 else Compound(f"{type_name(op)} (rebased)", made)


def was_adjusted(original: Op, rebased: Op) -> bool:
    """Whether rebasing changed what ``original`` does (the author should be told)."""
    return with_base(original, None) != with_base(rebased, None)


_MARK = {OK: "·", ADJUST: "A", CONFLICT: "C"}


def rules_markdown() -> str:
    """``RULES`` as the Markdown matrix and notes published in ``docs/operations.md``."""
    cols = [f"c{k + 1}" for k in range(len(LEAF_TYPES))]
    lines = [
        "| rebased ↓ / concurrent → | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for a in LEAF_TYPES:
        cells = [_MARK[RULES[(a, b)][0]] for b in LEAF_TYPES]
        lines.append(f"| `{a}` | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Columns: " + ", ".join(f"c{k + 1} = `{b}`" for k, b in enumerate(LEAF_TYPES)) + "."
    )
    lines.append("")
    lines.append("| rebased op | concurrent op | rule | when |")
    lines.append("|---|---|---|---|")
    for a in LEAF_TYPES:
        for b in LEAF_TYPES:
            kind, when = RULES[(a, b)]
            if kind != OK:
                lines.append(f"| `{a}` | `{b}` | {kind} | {when} |")
    return "\n".join(lines) + "\n"
