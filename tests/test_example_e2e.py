"""The bundled example end to end at a reduced size: curate → train (a few steps) → evalkit (a few
items), with the real SmolLM2, exactly as `make demo` runs it. Checks the artefacts a user opens,
the accounting identity, and both HTML reports in a real headless Chromium when one is installed.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "support-desk" / "demo.py"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    done = subprocess.run([sys.executable, str(DEMO), "--quick", "--work", str(work)],
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return work, done.stdout


def test_curate_accounts_for_every_row_and_writes_the_splits(demo_run):
    work, _ = demo_run
    manifest = json.loads((work / "clean" / "manifest.json").read_text())
    counts = {s: sum(1 for _ in open(work / "clean" / f"{s}.jsonl", encoding="utf-8"))
              for s in ("train", "validation", "test", "rejects")}
    assert all(counts[s] > 0 for s in ("train", "validation", "test"))
    copies = sum(1 for line in open(work / "clean" / "train.jsonl", encoding="utf-8")
                 if "copy_of" in json.loads(line)["meta"])
    # rows read = rows in splits (balancing copies excluded) + rejects
    rows_read = manifest["accounting"]["rows_read"]
    assert rows_read == counts["train"] + counts["validation"] + counts["test"] - copies + counts["rejects"]
    assert (work / "clean" / "report.html").stat().st_size > 10_000


def test_no_planted_contact_detail_reaches_the_curated_files(demo_run):
    work, _ = demo_run
    text = "".join((work / "clean" / name).read_text(encoding="utf-8")
                   for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl"))
    raw = (ROOT / "examples" / "support-desk" / "raw" / "crm_export_2025-04.csv").read_text(encoding="utf-8-sig")
    emails = {w.strip('",<>') for w in raw.split(",") if "@" in w and "sahayakbank" not in w and " " not in w.strip()}
    assert emails, "the example plants customer e-mails in the CRM export"
    assert [e for e in emails if e in text] == []
    assert "care@sahayakbank.in" in text          # the allow-listed support address survives


def test_no_customer_name_column_value_reaches_the_clean_folder(demo_run):
    """Bare "First Last" values of the `customer_name` column (meta) used to leak: spaCy reads a
    name without a sentence around it as anything or nothing. The column name decides now."""
    work, _ = demo_run
    raw = ROOT / "examples" / "support-desk" / "raw" / "tickets_2025q1.jsonl"
    names = set()
    for line in raw.read_text(encoding="utf-8").splitlines():
        try:
            names.add(json.loads(line).get("customer_name"))
        except (ValueError, AttributeError):
            continue                                  # the example's planted malformed lines
    names.discard(None)
    text = "".join(f.read_text(encoding="utf-8") for f in (work / "clean").iterdir() if f.is_file())
    assert len(names) > 50 and sorted(n for n in names if n in text) == []


# Planted values the pii pass is known to miss (README, Limitations). The localities it used to
# miss ("Indiranagar, Bengaluru" tagged ORG in Hinglish, "कोथरूड, पुणे" in Devanagari) are found
# since places of residence are read from the statement of residence (curate/pii/places.py).
KNOWN_MISSES: set[str] = set()


def test_every_planted_pii_value_is_gone_but_the_known_misses(demo_run, tmp_path):
    import re

    sys.path.insert(0, str(ROOT / "examples" / "support-desk"))
    import make_data

    plan = make_data.generate(tmp_path / "raw")
    work, _ = demo_run
    text = "".join(f.read_text(encoding="utf-8") for f in (work / "clean").iterdir() if f.is_file())
    squeezed = re.sub(r"[\s-]", "", text)
    found = {value for _, _, value in plan.pii_values
             if value in text or (len(re.sub(r"\D", "", value)) >= 8 and re.sub(r"\D", "", value) in squeezed)}
    assert len(plan.pii_values) == 144
    assert found - KNOWN_MISSES == set()


def test_training_and_evaluation_leave_their_artefacts(demo_run):
    work, stdout = demo_run
    card = json.loads((work / "runs" / "support-v1" / "run.json").read_text())
    assert card["steps"] == 4 and (work / "runs" / "support-v1" / "adapter").is_dir()
    eval_dir = work / "evals" / "support-v1"
    metrics = json.loads((eval_dir / "metrics.json").read_text())
    assert set(metrics["systems"]) == {"zero-shot", "few-shot", "rag", "fine-tuned"}
    rows = [json.loads(line) for line in open(eval_dir / "results.jsonl", encoding="utf-8")]
    assert len(rows) == 4 * metrics["n_items"] == 4 * 8
    # 8 items cannot support a verdict, and 4 steps stopped on the cap are flagged as undertrained
    # when the validation loss was still falling (the reason then says so)
    assert metrics["verdict"]["decision"].startswith("cannot tell")
    assert card["stop"]["reason"] == "max_steps" and metrics["verdict"]["training"]["stop_reason"] == "max_steps"
    assert "Verdict" in stdout and "report.html" in stdout


def test_both_reports_load_cleanly_in_a_real_browser(demo_run, tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from check_reports import check_reports, find_chromium

    if find_chromium() is None:
        pytest.skip("chromium is not installed (`.ci/run` installs it: apt-get install chromium)")
    work, _ = demo_run
    reports = [work / "clean" / "report.html", work / "evals" / "support-v1" / "report.html"]
    problems = check_reports(reports, shots_dir=tmp_path)
    assert problems == {str(p): [] for p in reports}
    assert len(list(tmp_path.glob("*.png"))) == 2
