"""A synthetic archive made, ingested and extracted for the benchmarks that score against its
ground truth (synth_identity.py, synth_reports.py)."""
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def arguments(default_docs):
    """KARTOTEKA_BINARY, DOCS and SEED from the command line."""
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/kartoteka")
    docs = sys.argv[2] if len(sys.argv) > 2 else default_docs
    seed = sys.argv[3] if len(sys.argv) > 3 else "7"
    return binary, docs, seed


def extracted(binary, docs, seed, prefix):
    """Writes `kartoteka synth`, ingests and extracts it; returns (synth folder, k), where
    k(*args, json_out=False) runs a command on the archive (exit 0 or 1, else it stops)."""
    work = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    synth, archive = work / "synth", work / "archive"

    def k(*args, json_out=False):
        out = subprocess.run([binary, "--archive", str(archive), *args], capture_output=True,
                             check=False, env={"KARTOTEKA_OCR": "off", "PATH": "/usr/bin:/bin"})
        if out.returncode not in (0, 1):
            sys.exit(f"{args}: {out.stderr.decode()}")
        return json.loads(out.stdout) if json_out else out

    subprocess.run([binary, "synth", "--out", str(synth), "--docs", docs, "--seed", seed],
                   check=True, capture_output=True)
    k("ingest", str(synth / "documents"), "--inventory", str(synth / "opis.csv"))
    k("extract")
    return synth, k
