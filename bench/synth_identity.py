#!/usr/bin/env python3
"""True-name identification of cover names on a synthetic archive with ground truth:
`kartoteka synth`, then ingest, extract, resolve, and `cover-names --json`, scored against
truth/people.jsonl. A holder found for a cover name is right when the ground truth gives
that cover name to a person whose surname the holder's names carry (in any case or
spelling). Precision: right holders / holders found; recall: planted (cover name, agent)
pairs found / planted pairs that documents state.

    bench/synth_identity.py [KARTOTEKA_BINARY] [DOCS] [SEED]"""
import json
import re
import subprocess
import sys
import time

import synth_archive


def main():
    binary, docs, seed = synth_archive.arguments("2000")
    synth, k = synth_archive.extracted(binary, docs, seed, "kartoteka-synth-identity-")
    started = time.perf_counter()
    resolved = k("resolve", "--json", json_out=True)
    seconds = time.perf_counter() - started
    covers = k("cover-names", "--json", json_out=True)["cover_names"]
    persons = {p["id"]: p for p in k("persons", "--json", json_out=True)["persons"]}
    people = [json.loads(l) for l in (synth / "truth/people.jsonl").read_text().splitlines()]
    holders_of = {}
    for p in people:
        for c in p.get("cover_names", []):
            holders_of.setdefault(c["name"], []).append(p)

    def carries(person, truth):
        # The holder's names include the true surname (any case, any romanisation).
        names = person["names"] if person else []
        for n in names:
            out = subprocess.run([binary, "match-names", n, f"{truth['given']} {truth['surname']}", "--json"],
                                 capture_output=True)
            m = json.loads(out.stdout)
            if m["verdict"] == "same" or (
                m["verdict"] == "unsure" and any(r.startswith("same surname") for r in m["reasons"])
            ):
                return True
        return False

    found = right = 0
    pairs_found = set()
    for c in covers:
        truth = holders_of.get(c["name"], [])
        for h in c["holders"]:
            found += 1
            match = next((t for t in truth if carries(persons.get(h["person"]), t)), None)
            if match:
                right += 1
                pairs_found.add((c["name"], match["id"]))
    planted = {(c["name"], p["id"]) for p in people for c in p.get("cover_names", [])
               if p.get("role") == "agent"}
    # A pair is stated when one document, dated within the cover name's period, names both
    # the agent and the cover name (a cover name given to an agent in no document cannot be
    # found; one reused by another agent is no evidence for the first).
    period = {(c["name"], p["id"]): (c["from"], c["to"]) for p in people for c in p.get("cover_names", [])}
    stated = set()
    for line in (synth / "truth/documents.jsonl").read_text().splitlines():
        d = json.loads(line)
        text = (synth / d["path"]).read_bytes().decode(d.get("encoding") or "utf-8", errors="replace")
        for m in d.get("mentions", []):
            for (name, pid), (start, end) in period.items():
                if pid == m["person"] and (name, pid) in planted and start <= (d.get("year") or 0) <= end \
                        and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                    stated.add((name, pid))
    precision = right / found if found else 1.0
    recall = len(pairs_found & stated) / len(stated) if stated else 1.0
    print(f"synthetic archive, {docs} documents (seed {seed}): {resolved['mentions']} person mentions -> "
          f"{resolved['persons']} persons in {seconds:.1f} s")
    print(f"  true-name identification of cover names: precision {precision:.3f} ({right}/{found}), "
          f"recall {recall:.3f} ({len(pairs_found & stated)}/{len(stated)} planted pairs a document states)")


if __name__ == "__main__":
    main()
