"""The search index's postings: the packed bit stream equals the format ``site.js`` decodes."""

from __future__ import annotations

import json
import random
from array import array
from pathlib import Path

import pytest

from curriculum.content import changes_path
from curriculum.site._postings import (
    BITS,
    POSTINGS,
    KeptPostings,
    Postings,
    _block,
    _digest,
    _packed,
    encode,
    keep_postings,
    patch,
    read_kept,
    read_postings,
    rice,
    stream,
    write_postings,
)


def _postings(lists: list[list[int]], sections: int) -> str:
    return stream("".join(_block(ids, sections) for ids in lists))


def _reference(lists: list[list[int]], sections: int) -> str:
    """The format written out bit by bit, as the comment above ``BITS`` and ``search.test.js`` state it."""
    bits = ""
    for ids in lists:
        k = len(ids)
        bits += "0" * (k.bit_length() - 1) + format(k, "b")
        b = rice(k, sections)
        previous = -1
        for i in ids:
            gap = i - previous - 1
            bits += "1" * (gap >> b) + "0" + (format(gap & ((1 << b) - 1), f"0{b}b") if b else "")
            previous = i
    bits += "0" * (-len(bits) % 6)
    return "".join(BITS[int(bits[n : n + 6], 2)] for n in range(0, len(bits), 6))


def test_the_stream_is_the_documented_format_for_any_lists() -> None:
    rng = random.Random(7)
    for sections in (1, 2, 7, 8, 64, 1000, 5000):
        for _ in range(20):
            lists = [
                sorted(rng.sample(range(sections), rng.randint(1, min(sections, 40))))
                for _ in range(rng.randint(0, 30))
            ]
            assert _postings(lists, sections) == _reference(lists, sections)


def test_edge_cases_and_the_worked_example_of_the_script_tests() -> None:
    assert _postings([], 10) == ""
    assert _postings([[0]], 1) == _reference([[0]], 1)
    assert _postings([[4999]], 5000) == _reference([[4999]], 5000)  # one long quotient
    # the bits search.test.js decodes: 010 01 101 00100 0000 (then zeros to six-bit chunks)
    bits = "010" + "01" + "101" + "00100" + "0000" + "0"
    assert _postings([[1, 5], [0, 1, 2, 3]], 8) == "".join(BITS[int(bits[n : n + 6], 2)] for n in (0, 6, 12))


def _sections(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    return [" ".join(sorted(rng.sample(vocabulary, rng.randint(0, 12)))) for _ in range(count)]


def _changed(before: list[str], after: list[str]) -> tuple[dict[int, str], dict[int, str]]:
    """The sections an edit changed, by number: their words before and after."""
    changed = [n for n, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    return {n: before[n] for n in changed}, {n: after[n] for n in changed}


def test_postings_patched_equal_postings_encoded_whole() -> None:
    """Edits of some sections (words added, removed, new to the index, gone from it) reuse the rest."""
    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(300)]
    for count in (1, 8, 40, 400):
        words = _sections(rng, vocabulary, count)
        previous = encode(words)
        for _ in range(30):
            edited = list(words)
            for n in rng.sample(range(count), rng.randint(1, max(1, count // rng.choice((1, 2, 8))))):
                kept = [w for w in edited[n].split() if rng.random() < 0.7]
                fresh = rng.sample([*vocabulary, "brand-new", f"new{rng.randint(0, 9)}"], rng.randint(0, 5))
                edited[n] = " ".join(sorted(set(kept + fresh)))
            again = patch(previous, *_changed(words, edited))
            assert again == encode(edited), count  # the same words, the same blocks, so the same stream
            assert again.stream == encode(edited).stream
            previous, words = again, edited
    assert patch(encode(["a1 b2"]), {}, {}) == encode(["a1 b2"])  # nothing changed
    assert patch(encode(["a1", "b2"]), {0: "a1", 1: "b2"}, {0: "", 1: ""}) == encode(["", ""])  # all gone


def test_postings_that_cannot_be_patched_say_so() -> None:
    """Damaged postings, or sections not in the index, raise ValueError: the index is encoded whole."""
    words = ["alpha beta", "beta gamma", "gamma", "delta", "alpha", "beta", "gamma", "delta"]
    previous = encode(words)
    for before, now in (({8: ""}, {8: "alpha"}), ({-1: ""}, {-1: "alpha"}), ({7: "delta"}, {6: "delta"})):
        with pytest.raises(ValueError):
            patch(previous, before, now)
    delta = previous.terms.index("delta")
    for damaged_block in ("1", "0", "11", previous.blocks[delta] + "0", "010" * 4):
        blocks = list(previous.blocks)
        blocks[delta] = damaged_block  # the block of a word the edit moves: it does not read back
        bits = "".join(blocks)
        packed = _packed(int(bits, 2), len(bits))
        damaged = Postings(8, previous.terms, packed, tuple(map(len, blocks)), previous.coded)
        with pytest.raises(ValueError):  # section 7 loses delta
            patch(damaged, {7: "delta"}, {7: "epsilon"})


def test_kept_postings_are_read_back_only_under_their_key_and_in_shape(tmp_path: Path) -> None:
    path = tmp_path / "search-postings"
    postings = encode(["alpha beta", "beta", "", "gamma alpha", "\u00e9t\u00e9"])
    assert postings.sections == 5
    assert sum(postings.widths) % 6  # the last character of the stream has bits beyond the blocks
    write_postings(path, postings, "key")
    assert read_postings(path, "key") == postings
    assert read_postings(path, "another key") is None
    for empty in (encode([]), encode(["", ""])):  # no sections, or sections without words
        write_postings(path, empty, "key")
        assert read_postings(path, "key") == empty
    write_postings(path, postings, "key")
    written = path.read_bytes()
    header = json.loads(written.partition(b"\n")[0])
    width = sum(postings.widths)
    packed = (int("".join(postings.blocks), 2) << (-width % 24)).to_bytes((width + -width % 24) // 8, "big")
    parts = {
        "terms": "alpha\nbeta\ngamma\n\u00e9t\u00e9".encode(),
        "coded": "!alpha\n!beta\n!gamma\n!\u00e9t\u00e9".encode(),
        "widths": array("I", postings.widths).tobytes(),
        "packed": packed,  # the bits, then zeros to a group of three bytes
    }
    assert written.partition(b"\n")[2] == b"".join(parts.values())  # the layout as_record documents

    def record(sections: int = 5, **changed: bytes) -> bytes:
        """The record with some parts changed, in shape for its hash and sizes: only the layout is wrong."""
        body = {**parts, **changed}
        sizes = [len(body[name]) for name in ("terms", "coded", "widths")]
        fields = {**header, "sections": sections, "sizes": sizes}
        fields["digest"] = _digest(fields, b"".join(body.values()))
        return json.dumps(fields).encode() + b"\n" + b"".join(body.values())

    def widths(*numbers: int) -> bytes:
        return array("I", numbers).tobytes()

    path.write_bytes(record())
    assert read_postings(path, "key") == postings
    last = packed[-1]
    for damaged in (
        written.replace(b"gamma", b"gammb", 1),  # damaged in place
        written.replace(b'"format":3', b'"format":2'),  # the layout of another version
        written.replace(b'"sizes":[', b'"sizes":[1,', 1),  # a part too many
        record(terms="beta\nalpha\ngamma\n\u00e9t\u00e9".encode()),  # words out of order
        record(terms="alpha\nalpha\ngamma\n\u00e9t\u00e9".encode()),  # a word twice
        record(terms=b"alpha\nbeta\ngamma"),  # fewer words than widths
        record(sections=-1),  # a number of sections that is none
        record(widths=widths(0, *postings.widths[1:])),  # an empty block
        record(widths=widths(*postings.widths, 9)),  # more widths than words
        record(widths=parts["widths"][:-1]),  # not whole widths
        record(coded=b"!alpha\n!beta\n!gamma"),  # a word without its front code
        record(widths=widths(*postings.widths[:-1], postings.widths[-1] + 99)),  # more bits than packed
        record(packed=packed + bytes(3)),  # more bytes than the bits need
        record(packed=packed[:-1] + bytes([last | 1])),  # bits set beyond the last block
        record(terms=b"\xff" + parts["terms"][1:]),  # not UTF-8
        b'{"key": "key", "format": 1}\n',
        b"not json\n",
    ):
        path.write_bytes(damaged)
        assert read_postings(path, "key") is None, damaged
    assert read_postings(tmp_path / "missing", "key") is None


def test_postings_kept_by_an_earlier_version_go_when_new_ones_are_written(tmp_path: Path) -> None:
    formerly = tmp_path / "search-postings.json"
    formerly.write_text('{"key": "key"}', encoding="utf-8")
    write_postings(tmp_path / "search-postings", encode(["alpha"]), "key")
    assert not formerly.exists()


def test_a_reference_page_is_indexed_by_its_members_not_its_docstrings_parts() -> None:
    """ "Parameters" or "Returns" names no member: such a section is part of the one before it."""
    from curriculum.site._search import SearchIndex

    index = SearchIndex()
    sections = [
        ("curriculum.quiz", "quiz", "What it shows."),
        ("parameters", "Parameters", "ident: the quiz"),
        ("returns", "Returns", "Its widget."),
        ("keep", "keep", "Keep it."),
        ("raises", "Raises", "ValueError"),
    ]
    index.add("quiz", "reference/quiz.html", 0, sections)
    index.add("Guide", "docs/guide.html", 0, sections)  # a page read for its words keeps every section
    assert [heading for page, _, heading in index.sections if page == 0] == ["quiz", "keep"]
    assert [heading for page, _, heading in index.sections if page == 1] == [s[1] for s in sections]
    texts = index._pages[0].texts()
    assert texts == [
        "What it shows. Parameters ident: the quiz Returns Its widget.",
        "Keep it. Raises ValueError",
    ]


def test_the_index_script_puts_the_words_and_postings_in_as_json_writes_them() -> None:
    from curriculum.site._search import _INDEX, IndexHeads, _script

    words = ["caf\u00e9 \u00e9t\u00e9 zoo", "a1 b2 \u0391\u03b2\u03b3 \u4e2d\u6587", "", "zoo zoom zoomed"]
    heads = IndexHeads(
        [['A "quoted" </title>', "a/b", 0, 2], ["\u00c9t\u00e9\\", "c", 1, 2]],
        ["</script> one", 'two "2"', "three\u2028", "four"],
        {"1": "x</y"},
    )
    for postings in (encode(words), encode([]), encode(["", "word"])):
        assert heads.script(postings) == _script(_INDEX, heads.index(postings))


def test_postings_patched_are_put_together_from_the_runs_in_order() -> None:
    rng = random.Random(11)
    words = [" ".join(rng.sample([f"w{n}" for n in range(60)], rng.randrange(1, 20))) for _ in range(40)]
    previous = encode(words)
    for run in ((0, 1), (0, len(previous.terms)), (3, 17), (len(previous.terms) - 1, len(previous.terms))):
        bits, width = previous.run(*run)
        assert format(bits, f"0{width}b") == "".join(previous.blocks[run[0] : run[1]])


def _kept_words() -> list[str]:
    rng = random.Random(5)
    vocabulary = [f"w{n:03}" for n in range(400)]
    return [" ".join(sorted(rng.sample(vocabulary, 30))) for _ in range(60)]


def _kept_base(path: Path) -> tuple[list[str], KeptPostings]:
    """Keep postings of :func:`_kept_words` as a base (key ``index 1``); return the words and them read."""
    words = _kept_words()
    write_postings(path, encode(words), "index 1")
    kept = read_kept(path, "index 1")
    assert kept is not None
    return words, kept


def test_an_edit_keeps_the_blocks_it_changed_not_the_whole_postings(tmp_path: Path) -> None:
    path = tmp_path / POSTINGS
    words = _kept_words()
    write_postings(path, encode(words), "index 1")
    base = path.read_bytes()
    kept = read_kept(path, "index 1")
    assert kept is not None and kept.changes == {}
    edited = {**dict(enumerate(words)), 7: words[7].replace("w", "x", 2)}
    edit = kept.patched({7: words[7]}, {7: edited[7]})
    assert set(edit.changes) == set(words[7].split()[:2]) | set(edited[7].split()[:2])
    keep_postings(path, edit, "index 2")
    changes = path.with_name(f"{POSTINGS}.changes").read_bytes()
    assert path.read_bytes() == base  # the base is neither read again nor written
    assert len(changes) * 10 < len(base)  # the changes only
    assert read_postings(path, "index 2") == encode([edited[n] for n in range(len(words))])
    assert read_postings(path, "index 1") is None  # the changes name what the postings are now
    again = read_kept(path, "index 2")
    assert again is not None and again.changes == edit.changes
    back = again.patched({7: edited[7]}, {7: words[7]})
    assert back.changes == {}  # blocks as the base's are no change
    assert back.postings == encode(words)


def test_changes_of_another_base_are_not_applied_and_damaged_ones_are_no_record(tmp_path: Path) -> None:
    path = tmp_path / POSTINGS
    words, kept = _kept_base(path)
    edited = words[3].replace("w", "x", 1)
    keep_postings(path, kept.patched({3: words[3]}, {3: edited}), "index 2")
    changes = path.with_name(f"{POSTINGS}.changes")
    written = changes.read_bytes()
    for damaged in (written[:-1] + bytes([written[-1] ^ 1]), written.replace(b'"gone":[', b'"gone":[7,', 1)):
        changes.write_bytes(damaged)
        assert read_kept(path, "index 2") is None
        assert read_postings(path, "index 1") == encode(words)  # the base alone is what it names
    changes.write_bytes(written)
    write_postings(path, encode(words[:-1]), "index 3")  # a new base ...
    assert not changes.exists()
    changes.write_bytes(written)  # ... and the changes an interrupted one left behind
    assert read_postings(path, "index 3") == encode(words[:-1])
    assert read_kept(path, "index 2") is None


def test_changes_grown_large_beside_the_base_are_kept_as_a_new_base(tmp_path: Path) -> None:
    path = tmp_path / POSTINGS
    words, kept = _kept_base(path)
    renamed = {n: text.replace("w", "y") for n, text in enumerate(words) if n < 40}
    big = kept.patched({n: words[n] for n in renamed}, renamed)
    keep_postings(path, big, "index 2")
    assert not path.with_name(f"{POSTINGS}.changes").exists()
    again = read_kept(path, "index 2")
    assert again is not None and again.changes == {} and again.generation != kept.generation
    assert again.postings == encode([renamed.get(n, text) for n, text in enumerate(words)])


def test_changes_in_the_base_s_place_are_no_record(tmp_path: Path) -> None:
    """A base is never taken for changes, nor changes for a base (they have one layout)."""
    path = tmp_path / POSTINGS
    words, kept = _kept_base(path)
    keep_postings(path, kept.patched({3: words[3]}, {3: "newword"}), "index 2")
    changes = changes_path(path)
    assert read_kept(path, "index 2") is not None and changes.is_file()
    path.write_bytes(changes.read_bytes())
    changes.unlink()
    assert read_kept(path, "index 2") is None
    write_postings(path, encode(words), "index 1")
    changes.write_bytes(path.read_bytes())  # the base as its own changes: not applied
    base = read_kept(path, "index 1")
    assert base is not None and base.changes == {}


def test_postings_kept_on_another_computer_are_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest is keyed by the computer's key: a record planted, or hashed again by hand, is none."""
    from curriculum.site import _postings

    path = tmp_path / POSTINGS
    words = _kept_words()
    monkeypatch.setattr(_postings, "machine_key", lambda: "another computer")
    write_postings(path, encode(words), "index 1")
    assert read_postings(path, "index 1") == encode(words)
    monkeypatch.undo()
    assert read_kept(path, "index 1") is None


def test_bits_copied_in_runs_are_the_bits_packed_whole() -> None:
    """Runs of bits copied at any place, and blocks put between them, pack as the bits written out whole."""
    from curriculum.site._postings import _Packing

    rng = random.Random(11)
    for _ in range(300):
        source = "".join(rng.choice("01") for _ in range(rng.randint(0, 2000)))
        packed = _packed(int(source, 2) if source else 0, len(source))
        packing, written = _Packing(), ""
        for _ in range(rng.randint(0, 8)):
            if source and rng.random() < 0.5:
                begin = rng.randint(0, len(source))
                end = rng.randint(begin, len(source))
                packing.copy(packed, begin, end)
                written += source[begin:end]
            else:
                width = rng.randint(1, 40)
                bits = rng.getrandbits(width)
                packing.put((bits, width))
                written += format(bits, f"0{width}b")
        assert packing.packed() == _packed(int(written, 2) if written else 0, len(written))
        assert packing.width == len(written)


def test_postings_files_with_the_stamps_they_were_kept_with_are_read_without_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose stamp is one given back is read as it is; any other file is checked by its digest."""
    import os

    from curriculum.site import _postings

    path = tmp_path / POSTINGS
    words = _kept_words()
    stamps = write_postings(path, encode(words), "index 1")
    assert len(stamps) == 1 and stamps[0][0] == path.stat().st_size
    hashed: list[int] = []
    digest = _postings._digest
    monkeypatch.setattr(
        _postings, "_digest", lambda header, body: hashed.append(len(body)) or digest(header, body)
    )
    kept = read_kept(path, "index 1", stamps)
    assert kept is not None and kept.postings == encode(words) and not hashed  # neither hashed nor checked
    assert kept.stamps == stamps
    assert read_kept(path, "index 2", stamps) is None  # the key is still what it is kept under
    edited = words[3].replace("w", "x", 1)
    stamps = keep_postings(path, kept.patched({3: words[3]}, {3: edited}), "index 2")
    assert len(stamps) == 2 and stamps[0] == kept.stamps[0]  # the base stays; its changes are written
    hashed.clear()
    again = read_kept(path, "index 2", stamps)
    assert again is not None and again.stamps == stamps and not hashed
    assert again.postings == encode([edited if n == 3 else text for n, text in enumerate(words)])
    # changed in place, the same size, its time set back: the change time is another, so it is hashed
    info = path.stat()
    written = path.read_bytes()
    path.write_bytes(written.replace(b"w001", b"w00!", 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert read_kept(path, "index 2", stamps) is None and hashed
    hashed.clear()
    path.write_bytes(written)  # the same bytes, but not the file that was stamped: checked, and taken
    assert read_kept(path, "index 2", stamps) == again and hashed
