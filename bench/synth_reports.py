#!/usr/bin/env python3
"""Reports against a synthetic archive's ground truth: `kartoteka synth`, then ingest,
extract, resolve and `report build --all`, scored against truth/people.jsonl.

For each planted agent that the documents name, with a cover name: is there a report on
them (its subject carries the agent's surname), does it give the planted cover names the
documents state, the planted case officer, and the agent's country? And of the people the
reports name beside their subjects, how many does the ground truth support (the subject's
case officer, or an agent that officer handles)?

    bench/synth_reports.py [KARTOTEKA_BINARY] [DOCS] [SEED]"""
import json
import os
import re
import subprocess
import sys
from functools import lru_cache

import synth_archive


def main():
    binary, docs, seed = synth_archive.arguments("1000")
    synth, k = synth_archive.extracted(binary, docs, seed, "kartoteka-synth-reports-")
    k("resolve")
    built = k("report", "build", "--all", "--json", json_out=True)
    reports = [json.loads(k("report", "show", r["id"], "--format", "json").stdout)
               for r in k("reports", "--json", json_out=True)["reports"]]
    people = {p["id"]: p for p in (json.loads(l) for l in (synth / "truth/people.jsonl").read_text().splitlines())}

    @lru_cache(maxsize=None)
    def same(name, surname):
        out = subprocess.run([binary, "match-names", name, surname, "--json"], capture_output=True)
        m = json.loads(out.stdout)
        return m["verdict"] != "different" and any(r.startswith("same surname") for r in m["reasons"])

    @lru_cache(maxsize=None)
    def same_full(name, full):
        out = subprocess.run([binary, "match-names", name, full, "--json"], capture_output=True)
        return json.loads(out.stdout)["verdict"] == "same"

    def full_same(name, truth):
        return same_full(name, f"{truth['surname']} {truth['given']} {truth['patronymic']}")

    def carries(names, truth):
        return any(same(n, truth["surname"]) for n in names)

    # Which agents and cover names the documents state: a document names the agent, and
    # a cover name counts when a document of its period names both.
    named = set()
    stated = set()
    for line in (synth / "truth/documents.jsonl").read_text().splitlines():
        d = json.loads(line)
        text = (synth / d["path"]).read_bytes().decode(d.get("encoding") or "utf-8", errors="replace")
        for m in d.get("mentions", []):
            named.add(m["person"])
            for c in people[m["person"]].get("cover_names", []):
                if c["from"] <= (d.get("year") or 0) <= c["to"] and \
                        re.search(rf"(?<![\w-]){re.escape(c['name'])}(?![\w-])", text):
                    stated.add((c["name"], m["person"]))
    agents = [p for p in people.values() if p["role"] == "agent" and p["id"] in named and p["cover_names"]]
    got = covers_ok = covers_all = officer_ok = country_ok = 0
    for a in agents:
        mine = [r for r in reports if full_same(r["subject_name"], a)] or \
            [r for r in reports if carries([r["subject_name"]], a)]
        if not mine:
            continue
        got += 1
        r = mine[0]
        planted = {c["name"] for c in a["cover_names"] if (c["name"], a["id"]) in stated}
        covers_all += len(planted)
        covers_ok += len(planted & set(r["cover_names"]))
        officer = people.get(a.get("handler") or "")
        if officer and any(carries([x["name"]], officer) for x in r["related"]):
            officer_ok += 1
        if a["country"] in r["countries"]:
            country_ok += 1
    supported = named_total = 0
    for r in reports:
        # The planted person the subject is: the full name the same, else the surname.
        subject = next((p for p in people.values() if full_same(r["subject_name"], p)), None) or \
            next((p for p in people.values() if carries([r["subject_name"]], p)), None)
        allowed = []
        if subject:
            if subject.get("handler"):
                allowed.append(people[subject["handler"]])
            allowed += [p for p in people.values() if p.get("handler") == subject["id"]]
        for x in r["related"]:
            named_total += 1
            if any(carries([x["name"]], p) for p in allowed):
                supported += 1
            elif os.environ.get("VERBOSE"):
                print(f"  unsupported: {r['subject_name']} -> {x['relation']} {x['name']} "
                      f"(truth: {subject and subject['id']}; allowed {[p['surname'] for p in allowed]})")
    n = len(agents)
    print(f"synthetic archive, {docs} documents (seed {seed}): {len(reports)} reports "
          f"({len(built['created'])} built); {n} planted agents named with cover names")
    print(f"  agents with a report: {got}/{n} ({got / n if n else 1:.3f}); planted cover names in them "
          f"{covers_ok}/{covers_all} ({covers_ok / covers_all if covers_all else 1:.3f}); case officer named "
          f"{officer_ok}/{got}; country {country_ok}/{got}")
    print(f"  people named beside the subject whom the truth supports: {supported}/{named_total} "
          f"({supported / named_total if named_total else 1:.3f})")


if __name__ == "__main__":
    main()
