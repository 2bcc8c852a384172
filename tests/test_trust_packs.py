"""Trust at the boundary, for packs (issue 19, §1, §6 and §7).

"From a pack, nums takes the submission it wrote, that submission's recorded assessment for
display only, and the evidence files the submission cites, each under a name nums chooses;
nothing else is unpacked or read. The edition is always one the assessor has installed (by
name, never a path from the pack); a pack naming an edition that is not installed is refused
in words."
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from nums import packfile
from nums.cli import cli
from nums.errors import NumsError
from nums.evidence import file_facts
from nums.packfile import read_pack, unpack
from nums.standard import Edition
from nums.submission import load_submission
from tests.builders import dump_yaml, submission_data, write_submission
from tests.conftest import RULES_EDITION
from tests.web_support import bearer, client_for, copy_examples

TEST_EDITION = Path(__file__).parent / "editions" / "four-levels"
SUBSTITUTE = "Substitute Mentoring"


def run(*args: str) -> tuple[int, str]:
    """The CLI as a person runs it: exit 0 or 2, never a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def pdf_with(pairs: list[tuple[str, bytes]]) -> bytes:
    """A PDF embedding each (name, bytes) pair in order, the same name as often as given."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    for name, data in pairs:
        writer.add_attachment(name, data)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_pdf(folder: Path, pairs: list[tuple[str, bytes]], name: str = "sent.pdf") -> Path:
    path = folder / name
    path.write_bytes(pdf_with(pairs))
    return path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document(submission: dict[str, Any], evidence: list[dict[str, Any]] | None = None, **extra: Any) -> bytes:
    """A ``submission.json`` as nums writes it (format, edition, submission, evidence index)."""
    whole = {
        "format": "nums-pack/1",
        "edition": "nums-2021",
        "submission": submission,
        "evidence": evidence or [],
    }
    return json.dumps({**whole, **extra}, default=str).encode()


def citing(
    files: dict[str, bytes], *, new_layout: bool = True
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """A submission whose aims.1 cites each of ``files``, and the pack's embedded files for it
    (under nums' own names, or, ``new_layout`` False, under their paths as earlier packs did)."""
    data = submission_data(["aims.1"])
    rows, pairs = [], []
    for number, (written, content) in enumerate(files.items(), start=1):
        data["criteria"]["aims.1"]["evidence"].append({"title": f"File {number}", "file": written})
        name = f"evidence-{number:03d}-file" if new_layout else written
        rows.append(
            {"criterion": "aims.1", "file": written, "sha256": sha(content)}
            | ({"attachment": name} if new_layout else {})
        )
        pairs.append((name, content))
    return data, [("submission.json", document(data, rows)), *pairs]


def pack(submission: Path, target: Path, *extra: str) -> Path:
    code, output = run("pack", str(submission), "-o", str(target), "--attach-evidence", *extra)
    assert code == 0, output
    return target


def review_init(pack_path: Path, folder: Path) -> tuple[int, str]:
    return run("review", "--init", str(pack_path), "-o", str(folder / "rv.yaml"), "--force")


REVIEW = "reviewer: {name: A. Assessor}\ndate: 2026-03-20\ndecisions:\n  aims.1: {decision: accepted}\n"


def review(pack_path: Path, folder: Path) -> tuple[int, str]:
    """``nums review PACK REVIEW`` with one decision: aims.1 accepted."""
    (folder / "decided.yaml").write_text(REVIEW)
    return run("review", str(pack_path), str(folder / "decided.yaml"))


# --- §1: the submission nums wrote, and nothing the applicant names ---------------------


def test_an_evidence_file_named_like_the_submission_is_never_taken_for_it(tmp_path: Path) -> None:
    """'An evidence file the applicant names submission.json ... is attached under the same name
    as the real submission, and `nums review pack.pdf` then reviews the applicant's substitute.'"""
    folder = tmp_path / "programme"
    data = submission_data(["aims.1"])
    substitute = document(submission_data(["aims.1"]) | {"programme": {"name": SUBSTITUTE}})
    evidence = data["criteria"]["aims.1"]["evidence"]
    for written in ("submission.json", "evidence/submission.json", "evidence-001-handbook.txt"):
        evidence.append({"title": "Looks like nums' own", "file": written})
    path = write_submission(folder, data)
    for written in ("submission.json", "evidence/submission.json", "evidence-001-handbook.txt"):
        (folder / written).write_bytes(substitute)
    target = pack(path, tmp_path / "pack.pdf")
    names = list(PdfReader(str(target)).attachments)
    assert names.count("submission.json") == 1
    assert all(name.startswith("evidence-") for name in names if name != "submission.json")
    code, output = review_init(target, tmp_path)
    assert code == 0, output
    assert SUBSTITUTE not in (tmp_path / "rv.yaml").read_text()
    code, output = review(target, tmp_path)
    assert code == 0 and "Review of Test Peer Mentoring" in output and SUBSTITUTE not in output
    assert "ignored" not in output and "not unpacked" not in output


def test_a_pdf_with_two_files_named_submission_json_is_refused(tmp_path: Path) -> None:
    """Packs nums wrote before it chose the evidence names could hold an applicant's
    submission.json beside its own: which is which cannot be told, so it is refused."""
    real = document(submission_data(["aims.1"]))
    fake = document(submission_data(["aims.1"]) | {"programme": {"name": SUBSTITUTE}})
    path = write_pdf(tmp_path, [("submission.json", real), ("submission.json", fake)])
    code, output = review_init(path, tmp_path)
    assert code == 2
    assert (
        "sent.pdf: this PDF embeds 2 files named submission.json, so nums cannot tell which is the "
        "submission it wrote (ask for the pack again, written by this version of `nums pack`, or for "
        "the submission.yaml)"
    ) in output


def test_packs_written_before_nums_chose_the_names_still_read(tmp_path: Path, edition: Edition) -> None:
    """The earlier layout (each evidence file embedded under its path) is unambiguous when one
    file is named submission.json: such packs still read, evidence and all."""
    files = {
        "evidence/handbook.txt": b"Our mentoring handbook.\n",
        "evidence/a:b\\c.md": b"colon and backslash",
    }
    _, pairs = citing(files, new_layout=False)
    path = write_pdf(tmp_path, pairs)
    code, output = review_init(path, tmp_path)
    assert code == 0 and "warning" not in output, output
    (tmp_path / "out").mkdir()
    unpacked = unpack(path, tmp_path / "out")
    assert sorted(unpacked.evidence) == sorted(files)
    for written, content in files.items():
        assert (tmp_path / "out" / written).read_bytes() == content
    sub = load_submission(unpacked.submission, edition)
    assert all(sub.check(item).usable for item in sub.claims["aims.1"].evidence)


def test_nothing_the_submission_does_not_cite_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'A pack carrying review.yaml, files under .nums/history/, or anything else is ignored',
    and a warning names what was ignored; none of it is even decompressed."""
    _, pairs = citing({"evidence/handbook.txt": b"Our mentoring handbook.\n"})
    planted = [
        ("review.yaml", b"reviewer: {name: Planted}\n"),
        (".nums/history/submission/2026-01-01.yaml", b"planted: true\n"),
        ("../../outside.txt", b"x"),
        ("extra-1", b"1"),
        ("extra-2", b"2"),
        ("extra-3", b"3"),
    ]
    path = write_pdf(tmp_path, pairs + planted)
    inflated: list[str] = []
    original = packfile._inflate

    def counting(entry: Any, *args: Any) -> bytes:
        inflated.append(entry.name)
        return original(entry, *args)

    monkeypatch.setattr(packfile, "_inflate", counting)
    code, output = review_init(path, tmp_path)
    assert code == 0, output
    assert (
        "warning: "
        + str(path)
        + ": ignored 6 embedded files the submission does not cite: '../../outside.txt', "
        "'.nums/history/submission/2026-01-01.yaml', 'extra-1', 'extra-2', 'extra-3' and 1 more "
        "(nums reads only the submission it wrote and the evidence that submission cites)"
    ) in output
    assert sorted(inflated) == ["evidence-001-file", "submission.json"]
    assert not (tmp_path.parent / "outside.txt").exists()


@pytest.mark.parametrize(
    "written",
    [
        "review.yaml",
        "Review.YAML",
        "pack.pdf",
        "submission.yaml",
        ".nums/history/submission/x.yaml",
        "evidence/.nums/x",
        "evidence/other/submission.yaml",
        "evidence/../review.yaml",
    ],
)
def test_evidence_cited_where_nums_keeps_its_own_files_is_not_unpacked(tmp_path: Path, written: str) -> None:
    """Evidence is written only where the submission cites it, and never over nums' own files:
    the review, the pack, the history under .nums/, or a submission (a folder holding one would
    become a programme of its own)."""
    _, pairs = citing({written: b"reviewer: {name: Planted}\n"})
    path = write_pdf(tmp_path, pairs)
    folder = tmp_path / "out"
    folder.mkdir()
    unpacked = unpack(path, folder)
    assert [str(w) for w in unpacked.warnings] == [
        f"{path}: the evidence file {written!r} is not unpacked: nums keeps its own files under that name"
    ]
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*")] == ["submission.yaml"]


def _unpacked_warnings(tmp_path: Path, pairs: list[tuple[str, bytes]]) -> list[str]:
    folder = tmp_path / "out"
    folder.mkdir()
    return [str(w) for w in unpack(write_pdf(tmp_path, pairs), folder).warnings]


def test_a_cited_name_longer_than_file_systems_take_is_not_unpacked(tmp_path: Path) -> None:
    written = "evidence/" + "n" * 256
    _, pairs = citing({written: b"x"})
    assert _unpacked_warnings(tmp_path, pairs) == [
        f"{tmp_path / 'sent.pdf'}: the evidence file {packfile._shown(written)} is not unpacked: its name is "
        "longer than the 255 bytes file systems take"
    ]


def test_an_earlier_pack_without_a_recorded_sha256_is_not_unpacked(tmp_path: Path) -> None:
    _, pairs = citing({"evidence/handbook.txt": b"Our mentoring handbook.\n"}, new_layout=False)
    content = json.loads(pairs[0][1])
    content["evidence"] = []
    pairs[0] = ("submission.json", json.dumps(content).encode())
    assert _unpacked_warnings(tmp_path, pairs) == [
        f"{tmp_path / 'sent.pdf'}: the evidence file 'evidence/handbook.txt' is not unpacked: the pack records "
        "no SHA-256 for it"
    ]


def test_evidence_that_cannot_sit_beside_the_other_files_is_not_unpacked(tmp_path: Path) -> None:
    """Two cited files where one would have to be a folder (only a made-up pack does this)."""
    _, pairs = citing({"evidence/a": b"file", "evidence/a/b": b"inside"})
    assert _unpacked_warnings(tmp_path, pairs) == [
        f"{tmp_path / 'sent.pdf'}: the evidence file 'evidence/a/b' is not unpacked: it cannot be written "
        "beside the pack's other files"
    ]


def test_a_pack_unpacked_where_nothing_can_be_written_says_so(tmp_path: Path) -> None:
    _, pairs = citing({})
    path = write_pdf(tmp_path, pairs)
    with pytest.raises(NumsError) as raised:
        unpack(path, tmp_path / "no-such-folder")
    assert str(raised.value) == f"{path}: cannot be unpacked: No such file or directory"


def test_a_file_cited_by_a_path_through_its_folders_parent_is_refused_when_the_pack_is_made(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "programme"
    data = submission_data(["aims.1"])
    data["criteria"]["aims.1"]["evidence"].append(
        {"title": "Roundabout", "file": "../programme/evidence/handbook.txt"}
    )
    code, output = run(
        "pack", str(write_submission(folder, data)), "-o", str(tmp_path / "p.pdf"), "--attach-evidence"
    )
    assert code == 2
    assert (
        "../programme/evidence/handbook.txt cannot be attached: it is cited by a path that leaves the "
        "submission's folder, and `nums review` would not unpack it there"
    ) in output


def test_nums_pack_refuses_to_attach_what_it_could_not_unpack(tmp_path: Path) -> None:
    """'What nums writes, nums reads': a file nums would not unpack is refused when the pack is made."""
    folder = tmp_path / "programme"
    data = submission_data(["aims.1"])
    data["criteria"]["aims.1"]["evidence"].append({"title": "Last year's review", "file": "review.yaml"})
    path = write_submission(folder, data)
    (folder / "review.yaml").write_text("reviewer: {name: Last Year}\n")
    code, output = run("pack", str(path), "-o", str(tmp_path / "pack.pdf"), "--attach-evidence")
    assert code == 2
    assert (
        "criteria.aims.1.evidence[1].file: review.yaml cannot be attached: nums keeps its own files under "
        "that name, and `nums review` would not unpack it there (rename the file (and cite it by its new "
        "name), or make the pack without --attach-evidence)"
    ) in output
    assert not (tmp_path / "pack.pdf").exists()


def test_a_cited_file_that_does_not_match_its_recorded_sha256_is_not_unpacked(tmp_path: Path) -> None:
    _, pairs = citing({"evidence/handbook.txt": b"Our mentoring handbook.\n"})
    pairs[1] = (pairs[1][0], b"Something else entirely.\n")
    code, output = review_init(write_pdf(tmp_path, pairs), tmp_path)
    assert code == 0
    assert (
        "the evidence file 'evidence/handbook.txt' is not unpacked: its bytes do not match the SHA-256 "
        "the pack records"
    ) in output


# --- §1: the edition is installed, and named by id --------------------------------------


def _with_standard(tmp_path: Path, standard: str | None, recorded: str | None = "nums-2021") -> Path:
    """A pack whose submission names ``standard`` (None: no ``standard:``) and records ``recorded``."""
    data = submission_data(["aims.1"])
    if standard is None:
        del data["standard"]
    else:
        data["standard"] = standard
    content = json.loads(document(data))
    if recorded is None:
        del content["edition"]
    else:
        content["edition"] = recorded
    return write_pdf(tmp_path, [("submission.json", json.dumps(content).encode())])


def test_a_pack_naming_an_edition_that_is_not_installed_is_refused_in_words(tmp_path: Path) -> None:
    code, output = review_init(_with_standard(tmp_path, "nums-2099"), tmp_path)
    assert code == 2
    assert (
        "(its embedded submission.json):2: standard: names the edition 'nums-2099', which is not installed "
        "here; nums reads a pack only by an edition installed with it, chosen by id, never by rules from "
        "elsewhere (installed editions: nums-2021)"
    ) in output


def test_a_standard_that_is_a_folder_is_never_followed_from_a_pack(tmp_path: Path) -> None:
    """'a `standard:` that points into the pack itself, so the pack's own rules decide its level':
    a folder is never an installed edition's id, so it is refused, even when the folder exists."""
    rules = tmp_path / "rules"
    shutil.copytree(TEST_EDITION, rules)
    for standard in (str(rules), "./rules", "../rules"):
        code, output = review_init(_with_standard(tmp_path, standard, recorded=None), tmp_path)
        assert code == 2, output
        assert f"standard: names the edition {standard!r}, which is not installed here" in output
        assert "test-four-levels" not in output


def test_a_folder_standard_from_an_honest_pack_reads_by_the_edition_it_records(tmp_path: Path) -> None:
    """A coordinator may name the edition by its folder; the pack records the edition's id, and
    the assessor's installed edition of that id is the one used."""
    code, output = review_init(_with_standard(tmp_path, "../standards/nums-2021"), tmp_path)
    assert code == 0, output
    assert "Wrote" in output


def test_a_pack_without_standard_is_read_by_the_edition_it_records(tmp_path: Path) -> None:
    code, output = review_init(_with_standard(tmp_path, None, recorded="nums-2000"), tmp_path)
    assert code == 2 and "names the edition 'nums-2000', which is not installed here" in output
    code, output = review_init(_with_standard(tmp_path, None, recorded=None), tmp_path)
    assert code == 0, output


def test_standard_option_must_be_the_edition_the_pack_names(tmp_path: Path) -> None:
    path = _with_standard(tmp_path, "nums-2021")
    code, output = run(
        "--standard", str(TEST_EDITION), "review", "--init", str(path), "-o", str(tmp_path / "r")
    )
    assert code == 2
    assert "the file names edition 'nums-2021' but --standard loads 'test-four-levels'" in output


# --- §1: what `nums serve` takes from a received pack -------------------------------------


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def upload(client: Any, data: bytes, name: str = "sent.pdf") -> Any:
    return client.post("/api/packs", files={"file": (name, data, "application/pdf")}, headers=bearer())


def test_a_received_pack_brings_no_review_no_history_and_no_rules(root: Path, tmp_path: Path) -> None:
    """'the review page opens already final, "accepted" ticked throughout, with a planted reviewer),
    files under .nums/history/ (offered for restore), and a standard: that points into the pack'."""
    _, pairs = citing({"evidence/handbook.txt": b"Our mentoring handbook.\n", "review.yaml": b"x: 1\n"})
    planted = [
        ("review.yaml", b"reviewer: {name: Planted Reviewer}\ndate: 2026-03-20\ndecisions: {}\n"),
        (".nums/history/submission/20260101T000000.yaml", b"programme: {name: Old}\n"),
        (".nums/received-edition", b"../../rules\n"),
    ]
    client, _ = client_for(root)
    got = upload(client, pdf_with(pairs + planted))
    assert got.status_code == 201, got.json()
    messages = [w["message"] for w in got.json()["warnings"]]
    assert (
        "the evidence file 'review.yaml' is not unpacked: nums keeps its own files under that name"
        in messages
    )
    assert (
        "ignored 3 embedded files the submission does not cite: '.nums/history/submission/20260101T000000.yaml', "
        "'.nums/received-edition', 'review.yaml' (nums reads only the submission it wrote and the evidence that "
        "submission cites)"
    ) in messages
    folder = root / got.json()["id"]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".nums/received-edition",
        ".nums/received-pack",
        "evidence/handbook.txt",
        "pack.pdf",
        "submission.yaml",
    ]
    assert (folder / ".nums" / "received-edition").read_text() == "nums-2021\n"
    page = client.get(f"/p/{got.json()['id']}/review").text
    assert "Planted Reviewer" not in page


def test_a_received_pack_naming_an_edition_not_installed_is_422(root: Path, tmp_path: Path) -> None:
    client, _ = client_for(root)
    got = upload(client, _with_standard(tmp_path, "nums-2099").read_bytes())
    assert got.status_code == 422
    assert got.json()["error"] == (
        "sent.pdf: names the edition 'nums-2099', which is not installed here; nums reads a pack only by an "
        "edition installed with it, chosen by id, never by rules from elsewhere (installed editions: nums-2021)"
    )
    assert not (root / "received").exists() or not any((root / "received").iterdir())


def test_a_received_folder_is_read_by_its_installed_edition_whatever_its_file_says(
    root: Path, tmp_path: Path
) -> None:
    """A received folder's submission is judged by the installed edition chosen when it was received,
    even when its file is later changed to name a folder of rules."""
    from nums.workspace import Workspace

    client, _ = client_for(root)
    got = upload(client, _with_standard(tmp_path, "nums-2021").read_bytes())
    folder = root / got.json()["id"]
    rules = folder / "rules"
    shutil.copytree(TEST_EDITION, rules)
    text = (
        (folder / "submission.yaml").read_text().replace('"standard": "nums-2021"', f'"standard": "{rules}"')
    )
    (folder / "submission.yaml").write_text(text)
    workspace = Workspace(root)
    loaded = workspace.load(workspace.programme_at(got.json()["id"]))  # type: ignore[arg-type]
    assert loaded.edition is not None and loaded.edition.id == "nums-2021"
    (folder / ".nums" / "received-edition").unlink()  # received by an earlier nums: by id only
    loaded = workspace.load(workspace.programme_at(got.json()["id"]))  # type: ignore[arg-type]
    assert loaded.edition is None
    assert str(loaded.problems[0]).startswith(
        f"{folder / 'submission.yaml'}:2: standard: names the edition '"
    )
    assert "which is not installed here" in str(loaded.problems[0])


# --- §6: every part of a pack is bounded ---------------------------------------------------


def pdf_with_shared_stream(pairs: list[tuple[str, bytes]], shared: bytes, names: int) -> bytes:
    """A PDF whose name tree gives one compressed stream ``names`` names (a few KB, inflating
    ``names`` times over if each name were read)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    for name, data in pairs:
        writer.add_attachment(name, data)
    stream = DecodedStreamObject()
    stream.set_data(shared)
    compressed = writer._add_object(stream.flate_encode())
    spec = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Filespec"),
                NameObject("/EF"): DictionaryObject({NameObject("/F"): compressed}),
            }
        )
    )
    tree = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    for number in range(names):
        tree.extend([TextStringObject(f"evidence-{number}"), spec])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_one_stream_under_many_names_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    """'Many embedded-file names pointing at one compressed stream inflate it once per name: an 85 KB
    pack took 52 s and 6.4 GB.'"""
    _, pairs = citing({"evidence/handbook.txt": b"Our mentoring handbook.\n"})
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_with_shared_stream(pairs, b"\0" * (8 * 1024 * 1024), 400))
    assert path.stat().st_size < 100_000
    code, output = review_init(path, tmp_path)
    assert code == 2
    assert (
        "bomb.pdf: the embedded files 'evidence-0' and 'evidence-1' are one stored file under two names; nums "
        "never writes a pack like that, so it is not read (ask for the pack again, written by `nums pack`)"
    ) in output


def test_the_total_decompressed_is_bounded_not_only_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packfile, "MAX_UNPACKED_BYTES", 1024 * 1024)
    files = {f"evidence/part-{n}.bin": bytes([n]) * (400 * 1024) for n in range(3)}
    _, pairs = citing(files)
    code, output = review_init(write_pdf(tmp_path, pairs), tmp_path)
    assert code == 2
    assert (
        "sent.pdf: its embedded files come to more than 1 MiB once decompressed; nums does not unpack it"
        in output
    )


def test_the_number_of_embedded_files_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packfile, "MAX_EMBEDDED_FILES", 3)
    _, pairs = citing({f"evidence/{n}.txt": b"x" for n in range(4)})
    code, output = review_init(write_pdf(tmp_path, pairs), tmp_path)
    assert code == 2 and "sent.pdf: embeds more than 3 files; not a nums pack" in output


def _pdf_with_stream(tmp_path: Path, stream: Any) -> Path:
    """A PDF embedding one stream, as given, named submission.json."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    files = DictionaryObject({NameObject("/F"): writer._add_object(stream)})
    spec = writer._add_object(DictionaryObject({NameObject("/EF"): files}))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("submission.json"), spec])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/EmbeddedFiles"): writer._add_object(tree)}
    )
    path = tmp_path / "odd.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_a_compression_nums_never_uses_is_not_inflated(tmp_path: Path) -> None:
    stream = DecodedStreamObject()
    stream.set_data(b"7b7d")
    stream[NameObject("/Filter")] = NameObject("/ASCIIHexDecode")
    code, output = review_init(_pdf_with_stream(tmp_path, stream), tmp_path)
    assert code == 2
    assert "odd.pdf: the embedded file 'submission.json' uses a compression nums packs never use" in output


def test_a_damaged_stream_is_a_damaged_pdf(tmp_path: Path) -> None:
    stream = DecodedStreamObject()
    stream.set_data(b"this is not deflated")
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    code, output = review_init(_pdf_with_stream(tmp_path, stream), tmp_path)
    assert code == 2
    assert output == (
        f"error: {tmp_path / 'odd.pdf'}: cannot be read as a PDF: it is damaged, truncated or not a PDF "
        "(write the pack again with `nums pack`, or give the submission.yaml)\n"
    )


def test_a_pdf_larger_than_nums_reads_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packfile, "MAX_PDF_BYTES", 1024 * 1024)
    path = write_pdf(tmp_path, [("submission.json", document(submission_data(["aims.1"])))])
    with path.open("ab") as handle:
        handle.write(b"\0" * (2 * 1024 * 1024))
    code, output = review_init(path, tmp_path)
    assert code == 2 and "sent.pdf: is 2 MiB; nums reads packs of at most 1 MiB" in output


WRONG_ASSESSMENTS = [
    [],
    "Gold",
    {"pillars": 5},
    {"pillars": {"aims": "Gold"}},
    {"pillars": {"aims": {"level": ["gold"]}}},
    {"pillars": {"aims": {"level": "platinum"}}},
    {"pillars": {"aims": {}}},
]


@pytest.mark.parametrize("assessment", WRONG_ASSESSMENTS)
def test_an_assessment_of_the_wrong_shape_is_dropped_with_a_warning(tmp_path: Path, assessment: Any) -> None:
    """'A pack's embedded assessment of the wrong shape crashes `nums review` with a traceback.'
    It is for display only: dropped, with a word, and worked out again."""
    content = document(submission_data(["aims.1"]), assessment=assessment)
    path = write_pdf(tmp_path, [("submission.json", content)])
    code, output = review_init(path, tmp_path)
    assert code == 0, output
    code, output = review(path, tmp_path)
    assert code == 0, output
    assert (
        f"warning: {path}: the assessment recorded in the pack is not of the form nums writes, so it is not "
        "shown; the evidence levels are worked out again from the submission"
    ) in output


def test_an_honest_recorded_assessment_is_used_without_a_word(tmp_path: Path) -> None:
    folder = tmp_path / "programme"
    target = pack(write_submission(folder, submission_data(["aims.1"])), tmp_path / "pack.pdf")
    assert isinstance(read_pack(target)["assessment"]["pillars"], dict)
    code, output = review_init(target, tmp_path)
    assert code == 0 and "warning" not in output, output


def _submission_json(value: str) -> bytes:
    return b'{"submission": {"programme": {"name": "x", "mentors": ' + value.encode() + b"}}}"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            _submission_json("9" * 5000),
            "holds a number of 5,000 digits, which cannot be read as a whole number",
        ),
        (
            _submission_json("-" + "9" * 5000),
            "holds a number of 5,001 digits, which cannot be read as a whole number",
        ),
        (_submission_json("NaN"), "holds NaN, which is not a number a submission can hold"),
        (_submission_json("-Infinity"), "holds -Infinity, which is not a number a submission can hold"),
        (_submission_json("1e999"), "holds the number 1e999, which is too large to be read"),
        (
            _submission_json("1" * 400 + ".5e999"),
            "holds the number of 406 characters, which is too large to be read",
        ),
        (b'{"submission": {"a": 1, "a": 2}}', "holds the key 'a' twice in one mapping"),
        (b'{"submission": "\xff"}', "the embedded submission.json is not valid JSON text"),
        (
            b'{"submission": {"programme": ' + b"[" * 60 + b"]" * 60 + b"}}",
            "(its embedded submission.json):41: is nested more than 40 levels deep; a submission file needs "
            "only a few",
        ),
    ],
)
def test_the_embedded_json_is_read_with_the_limits_of_the_yaml_reader(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    """'A 5,000-digit number inside a pack's submission.json must be a message, not a traceback.'"""
    code, output = review_init(write_pdf(tmp_path, [("submission.json", content)]), tmp_path)
    assert code == 2
    assert expected in output, output
    assert output.startswith("error: ")


# --- §7: what nums writes, nums reads --------------------------------------------------


def test_the_attachment_listing_stays_readable(tmp_path: Path) -> None:
    """Embedded names are nums' own, short and plain; the description keeps the file's own name."""
    folder = tmp_path / "programme"
    data = submission_data(["aims.1"])
    data["criteria"]["aims.1"]["evidence"].append(
        {"title": "Report", "file": "evidence/Année: 1\\2 report.md"}
    )
    path = write_submission(folder, data)
    (folder / "evidence" / "Année: 1\\2 report.md").write_text("report")
    reader = PdfReader(str(pack(path, tmp_path / "pack.pdf")))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    assert "each file under the name shown beside it" in text
    assert "attached as evidence-002-Ann-e-1-2-report.md" in text
    assert list(reader.attachments) == [
        "submission.json",
        "evidence-001-handbook.txt",
        "evidence-002-Ann-e-1-2-report.md",
    ]
    specs = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"][1::2]
    descriptions = [spec.get_object()["/Desc"] for spec in specs]
    assert descriptions[2] == (
        "Evidence: evidence/Année: 1\\2 report.md, Report (SHA-256 " + sha(b"report") + ")"
    )


_PIECES = [
    ":",
    "\\",
    " ",
    ".",
    "..",
    "-",
    "é",
    "報告",
    "🙂",
    "\u202e",
    "\t",
    "~",
    "$",
    "'",
    '"',
    "#",
    "%",
    "&",
    "*",
    "?",
    "<",
    ">",
    "|",
    "submission.json",
    "review.yaml",
    "evidence-001-x.md",
    "ä" * 40,
    "x" * 60,
]
_TEXT = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="/")


hostile_names = st.one_of(
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(_TEXT, max_size=8)), min_size=1, max_size=8).map(
        "".join
    ),
    st.integers(1, 255).map(lambda n: "y" * n),
    st.integers(1, 127).map(lambda n: "é" * n + "."),
    st.builds(lambda n: "." + "z" * n, st.integers(0, 254)),
).filter(
    lambda name: (
        name not in {"", ".", ".."}
        and len(name.encode("utf-8")) <= 255
        and name.casefold() != "submission.yaml"
    )
)


def _hostile_programme(folder: Path, names: list[str]) -> tuple[Path, dict[str, bytes]]:
    """A submission citing ``evidence/NAME`` for each name, each file holding its own bytes."""
    data = submission_data(["aims.1"])
    contents: dict[str, bytes] = {}
    for number, name in enumerate(names):
        written = f"evidence/{name}"
        data["criteria"]["aims.1"]["evidence"].append({"title": f"File {number}", "file": written})
        contents[written] = f"evidence {number}: {name}".encode()
    path = write_submission(folder, data)
    for written, content in contents.items():
        (folder / written).write_bytes(content)
    return path, contents


def _reads_back_whole(target: Path, contents: dict[str, bytes], scratch: Path) -> None:
    """`nums review` of the pack says nothing was left out, and unpacking it finds every cited
    file, each with the bytes it had (the same SHA-256)."""
    from nums.edition_loading import load_edition

    code, output = review_init(target, scratch)
    assert code == 0 and "warning" not in output, output
    (scratch / "out").mkdir()
    unpacked = unpack(target, scratch / "out")
    assert unpacked.warnings == ()
    sub = load_submission(unpacked.submission, load_edition(RULES_EDITION))
    for item in sub.claims["aims.1"].evidence:
        check = sub.check(item)
        assert check.usable and check.path is not None, (item.file, check.problem)
        if item.file in contents:
            assert file_facts(check.path).sha256 == sha(contents[item.file])


HOSTILE_NAMES = [
    "a:b.md",
    "back\\slash.md",
    "y" * 255,
    "é" * 127 + ".",
    ".hidden",
    " spaced name .txt",
    "日本語 ファイル.pdf",
    "\u202ertl.txt",
    "submission.json",
    "evidence-001-handbook.txt",
    "review.yaml",
    "pack.pdf",
]


def test_every_pack_nums_writes_reads_back_with_each_evidence_file(tmp_path: Path) -> None:
    """'`nums pack` writes packs its own reader refuses: evidence names holding : or \\, or long
    names that the temporary name pushes past the file system's limit.'"""
    path, contents = _hostile_programme(tmp_path / "programme", HOSTILE_NAMES)
    _reads_back_whole(pack(path, tmp_path / "pack.pdf"), contents, tmp_path)


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(hostile_names, min_size=1, max_size=5, unique_by=str.casefold))
def test_any_evidence_names_read_back(names: list[str]) -> None:
    """The property, for file names drawn from hostile text: the attachments exactly as
    `nums pack --attach-evidence` embeds them (``pack_document``), written by WeasyPrint around
    one short page instead of the pack's thirty, read back whole."""
    import dataclasses
    import tempfile

    from nums.edition_loading import load_edition
    from nums.evaluation import assess
    from nums.render.pack_pdf import pack_document
    from nums.render.pdf import render_pdf

    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        path, contents = _hostile_programme(tmp / "programme", names)
        edition = load_edition(RULES_EDITION)
        document = pack_document(assess(edition, load_submission(path, edition)), attach_evidence=True)
        target = tmp / "pack.pdf"
        target.write_bytes(render_pdf(dataclasses.replace(document, html="<p>Pack</p>")))
        _reads_back_whole(target, contents, tmp)


def test_dump_yaml_keeps_hostile_names() -> None:
    """The property above writes its submissions with the test builder: names survive it."""
    from nums.yamlsource import parse_yaml

    name = "a:b\\c \u202e é .md"
    assert parse_yaml(dump_yaml({"file": name}), "x.yaml").data == {"file": name}
