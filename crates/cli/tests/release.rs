//! `kartoteka keys`, `partner`, `partners` and `release plan`: partners added with their
//! keys and refused on bad input with nothing recorded, suspended and resumed in the
//! audit chain, and the plan that says which approved report goes to whom and why.

mod common;

use std::path::Path;

use common::json;
use serde_json::Value;

/// A partner's keys, made as a partner would: (recipient, verify key).
fn keys(dir: &Path, name: &str) -> (String, String) {
    let out = dir.join(name);
    let made = json(
        common::kartoteka(dir)
            .args(["keys", "generate", "--json", "--out"])
            .arg(&out),
    );
    (
        made["recipient"].as_str().unwrap().to_string(),
        made["verify_key"].as_str().unwrap().to_string(),
    )
}

fn add(
    archive: &Path,
    country: &str,
    service: &str,
    clearance: &str,
    keys: &(String, String),
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    common::kartoteka(archive)
        .args([
            "partner",
            "add",
            country,
            "--service",
            service,
            "--clearance",
            clearance,
        ])
        .args([
            "--recipient",
            &keys.0,
            "--verify-key",
            &keys.1,
            "--why",
            "agreement",
        ])
        .args(extra)
        .assert()
}

fn partners(archive: &Path) -> Vec<Value> {
    json(common::kartoteka(archive).args(["partners", "--json"]))["partners"]
        .as_array()
        .unwrap()
        .clone()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn keys_are_made_once_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let (recipient, verify) = keys(dir.path(), "mi5.keys");
    assert!(recipient.starts_with("age1"), "{recipient}");
    assert_eq!(verify.len(), 64);
    let file = dir.path().join("mi5.keys");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&recipient) && text.contains("AGE-SECRET-KEY-1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    let again = common::kartoteka(dir.path())
        .args(["keys", "generate", "--out"])
        .arg(&file)
        .assert()
        .code(2);
    assert!(stderr(&again).contains("never overwritten"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn partners_are_checked_added_suspended_and_resumed_in_the_audit_chain() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::kartoteka(&archive).arg("init").assert().success();
    let mi5 = keys(dir.path(), "mi5.keys");
    let added = json(
        common::kartoteka(&archive)
            .args([
                "partner",
                "add",
                "gbr",
                "--service",
                "MI5",
                "--clearance",
                "secret",
            ])
            .args([
                "--recipient",
                &mi5.0,
                "--verify-key",
                &mi5.1,
                "--why",
                "agreement 1994/7",
            ])
            .args([
                "--group",
                "nato",
                "--caveat",
                "orcon",
                "--need-to-know",
                "UKR",
            ])
            .args(["--need-to-know", "topic:Illegals", "--json"]),
    );
    assert_eq!(added["id"], "GBR-MI5");
    assert_eq!(added["country"], "GBR");
    assert_eq!(added["clearance"], "SECRET");
    assert_eq!(added["groups"], serde_json::json!(["NATO"]));
    assert_eq!(added["caveats"], serde_json::json!(["ORCON"]));
    assert_eq!(
        added["need_to_know"]["countries"],
        serde_json::json!(["UKR"])
    );
    assert_eq!(
        added["need_to_know"]["topics"],
        serde_json::json!(["illegals"])
    );
    assert_eq!(added["state"], "active");

    // Each bad description is refused with what is wrong, and nothing is recorded.
    let bnd = keys(dir.path(), "bnd.keys");
    let other = keys(dir.path(), "other.keys");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["GBX", "BND", "SECRET"], "GBX"),
        (vec!["DEU", "BND", "SEKRET"], "SEKRET"),
        (vec!["DEU", "", "SECRET"], "name of its service"),
    ];
    for (args, says) in cases {
        let a = add(&archive, args[0], args[1], args[2], &bnd, &[]).code(2);
        assert!(stderr(&a).contains(says), "{args:?}: {}", stderr(&a));
    }
    let bad_keys: Vec<((String, String), &str)> = vec![
        (
            ("age1qqqq".to_string(), bnd.1.clone()),
            "not an age X25519 recipient",
        ),
        ((bnd.0.clone(), "abcd".to_string()), "64 hex digits"),
        ((bnd.0.clone(), bnd.0.clone()), "64 hex digits"),
    ];
    for (k, says) in &bad_keys {
        let a = add(&archive, "DEU", "BND", "SECRET", k, &[]).code(2);
        assert!(stderr(&a).contains(says), "{k:?}: {}", stderr(&a));
    }
    for (extra, says) in [
        (vec!["--group", "FVEY"], "FVEY is the countries"),
        (vec!["--group", "a-b"], "a group's name"),
        (vec!["--caveat", "NOFORN"], "not a caveat"),
        (vec!["--need-to-know", "XXX"], "ISO 3166"),
    ] {
        let a = add(&archive, "DEU", "BND", "SECRET", &bnd, &extra).code(2);
        assert!(stderr(&a).contains(says), "{extra:?}: {}", stderr(&a));
    }
    let twice = add(&archive, "gbr", "mi5", "SECRET", &other, &[]).code(2);
    assert!(
        stderr(&twice).contains("exists already"),
        "{}",
        stderr(&twice)
    );
    assert_eq!(partners(&archive).len(), 1);

    // Suspended and resumed, each with its reason; the unknown and the repeated refused.
    let k = || common::kartoteka(&archive);
    k().args(["partner", "suspend", "gbr-mi5", "--why", "keys compromised"])
        .assert()
        .success();
    assert_eq!(partners(&archive)[0]["state"], "suspended");
    let again = k()
        .args(["partner", "suspend", "GBR-MI5", "--why", "again"])
        .assert()
        .code(2);
    assert!(stderr(&again).contains("suspended already"));
    k().args(["partner", "suspend", "DEU-BND", "--why", "x"])
        .assert()
        .code(3);
    k().args(["partner", "resume", "GBR-MI5", "--why", "new keys checked"])
        .assert()
        .success();
    assert_eq!(partners(&archive)[0]["state"], "active");
    // Changed: a new clearance and keys, checked as when it was added.
    let new_keys = keys(dir.path(), "mi5-new.keys");
    let changed = json(
        k().args([
            "partner",
            "change",
            "GBR-MI5",
            "--clearance",
            "confidential",
        ])
        .args(["--recipient", &new_keys.0, "--verify-key", &new_keys.1])
        .args(["--no-groups", "--why", "keys replaced", "--json"]),
    );
    assert_eq!(changed["clearance"], "CONFIDENTIAL");
    assert_eq!(changed["recipient"], new_keys.0.as_str());
    assert_eq!(changed["groups"], serde_json::json!([]));
    assert_eq!(changed["state"], "active");
    assert_eq!(
        changed["need_to_know"]["countries"],
        serde_json::json!(["UKR"])
    );
    let a = k()
        .args([
            "partner",
            "change",
            "GBR-MI5",
            "--clearance",
            "CONFIDENTIAL",
            "--why",
            "again",
        ])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("nothing to change"), "{}", stderr(&a));
    let a = k()
        .args([
            "partner",
            "change",
            "GBR-MI5",
            "--recipient",
            "age1zzz",
            "--why",
            "x",
        ])
        .assert()
        .code(2);
    assert!(
        stderr(&a).contains("not an age X25519 recipient"),
        "{}",
        stderr(&a)
    );
    assert_eq!(partners(&archive)[0]["clearance"], "CONFIDENTIAL");
    let log = json(k().args(["audit", "log", "--action", "partner", "--json"]));
    let changes: Vec<String> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let detail: Value = serde_json::from_str(e["detail"].as_str().unwrap()).unwrap();
            detail["change"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        changes,
        [
            "added",
            "suspended",
            "resumed",
            "changed clearance, groups, recipient, verify key"
        ]
    );
    k().args(["audit", "verify"]).assert().success();
}

/// The cell of a plan for a partner and report.
fn cell<'a>(plan: &'a Value, partner: &str, report: &str) -> &'a Value {
    plan["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["partner"] == partner && c["report"] == report)
        .unwrap_or_else(|| panic!("no cell {partner} {report} in {plan}"))
}

fn reasons(cell: &Value) -> Vec<String> {
    cell["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reason"].as_str().unwrap().to_string())
        .collect()
}

/// The sample, extracted, resolved, with the partner fonds marked SECRET for Britain and
/// the US and every report built: the archive, every report's id, and the id of a report
/// on Britain that the marking rule sets.
fn reported_sample() -> (tempfile::TempDir, Vec<String>, String) {
    let sample = common::sample_archive();
    let k = || common::kartoteka(sample.path());
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args(["marking", "set", "ф. 9002", "SECRET//REL TO GBR, USA"])
        .args(["--why", "agreement"])
        .assert()
        .success();
    k().args(["report", "build", "--all"]).assert().success();
    let reports = json(k().args(["reports", "--json"]));
    let list = reports["reports"].as_array().unwrap();
    let subject = list
        .iter()
        .find(|r| {
            r["countries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "GBR")
                && r["marking"] == "SECRET//REL TO GBR, USA"
        })
        .expect("a report on Britain")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ids = list
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    (sample, ids, subject)
}

#[test]
fn the_plan_sends_approved_reports_to_whom_they_concern_and_says_why_not_to_others() {
    let dir = tempfile::tempdir().unwrap();
    let (sample, _, subject) = reported_sample();
    let archive = sample.path();
    let k = || common::kartoteka(archive);
    add(
        archive,
        "GBR",
        "MI5",
        "SECRET",
        &keys(dir.path(), "mi5.keys"),
        &[],
    )
    .success();
    add(
        archive,
        "DEU",
        "BND",
        "TOP SECRET",
        &keys(dir.path(), "bnd.keys"),
        &["--need-to-know", "GBR"],
    )
    .success();
    add(
        archive,
        "USA",
        "CIA",
        "CONFIDENTIAL",
        &keys(dir.path(), "cia.keys"),
        &["--need-to-know", "GBR"],
    )
    .success();

    // Nothing is approved: nothing goes, and each cell says so.
    let plan = json(k().args(["release", "plan", "--json"]));
    assert!(plan["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["send"] == false));
    assert!(reasons(cell(&plan, "GBR-MI5", &subject)).contains(&"not_approved".to_string()));

    k().args(["report", "review", &subject]).assert().success();
    k().args(["report", "approve", &subject]).assert().success();
    let plan = json(k().args(["release", "plan", "--json"]));
    let mi5 = cell(&plan, "GBR-MI5", &subject);
    assert_eq!(mi5["send"], true, "{mi5}");
    assert_eq!(reasons(mi5), ["concerns"]);
    assert!(mi5["version"].as_u64().unwrap() >= 3);
    // Germany needs it, but the paragraphs resting on the fonds are for Britain and the US
    // only: its variant would not say whom it is about.
    let bnd = cell(&plan, "DEU-BND", &subject);
    assert_eq!(bnd["send"], false, "{bnd}");
    assert!(reasons(bnd).contains(&"needs_country".to_string()));
    assert!(
        reasons(bnd).contains(&"loses_subject".to_string())
            || reasons(bnd).contains(&"nothing_releasable".to_string())
    );
    let dropped = bnd["loss"]["dropped"].as_array().unwrap();
    assert!(
        dropped
            .iter()
            .any(|d| d["withheld"]["reason"] == "not_on_release_list"),
        "{bnd}"
    );
    // The US is on the list but cleared too low.
    let cia = cell(&plan, "USA-CIA", &subject);
    assert!(
        cia["loss"]["dropped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["withheld"]["reason"] == "classification"),
        "{cia}"
    );

    // A release officer holds it back from Britain; the latest decision stands.
    k().args([
        "release",
        "route",
        &subject,
        "--partner",
        "GBR-MI5",
        "--hold",
        "--why",
        "under review",
    ])
    .assert()
    .success();
    let plan = json(k().args(["release", "plan", "--partner", "gbr-mi5", "--json"]));
    assert_eq!(plan["partners"], serde_json::json!(["GBR-MI5"]));
    let mi5 = cell(&plan, "GBR-MI5", &subject);
    assert_eq!(mi5["send"], false);
    assert!(reasons(mi5).contains(&"held_by_hand".to_string()));
    k().args([
        "release",
        "route",
        &subject,
        "--partner",
        "GBR-MI5",
        "--send",
        "--why",
        "review done",
    ])
    .assert()
    .success();
    // A suspended partner gets nothing.
    k().args(["partner", "suspend", "GBR-MI5", "--why", "keys compromised"])
        .assert()
        .success();
    let plan = json(k().args(["release", "plan", "--json"]));
    assert!(plan["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["partner"] == "GBR-MI5")
        .all(|c| c["send"] == false));
    k().args(["partner", "resume", "GBR-MI5", "--why", "new keys"])
        .assert()
        .success();
    let text = k().args(["release", "plan"]).assert().success();
    let out = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(out.contains(&format!("send {subject}")), "{out}");

    // Bad input: an unknown partner or report, routing without a reason.
    k().args(["release", "plan", "--partner", "FRA-DGSE"])
        .assert()
        .code(3);
    k().args([
        "release",
        "route",
        "R-P999",
        "--partner",
        "GBR-MI5",
        "--send",
        "--why",
        "x",
    ])
    .assert()
    .code(3);
    k().args([
        "release",
        "route",
        &subject,
        "--partner",
        "GBR-MI5",
        "--send",
        "--why",
        " ",
    ])
    .assert()
    .code(2);
    k().args(["release", "route", &subject, "--partner", "GBR-MI5"])
        .assert()
        .code(2);
}

/// Every file of a folder, by its path inside it.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn a_package_opens_only_for_its_partner_holds_only_what_it_may_and_is_receipted_and_recalled() {
    let dir = tempfile::tempdir().unwrap();
    let (sample, ids, subject) = reported_sample();
    let archive = sample.path();
    let k = || common::kartoteka(archive);
    let draft = ids
        .into_iter()
        .find(|id| *id != subject)
        .expect("a second report");
    // A reviewer lowers the identification to CONFIDENTIAL for Britain, with a reason (a
    // marking is never lowered without one); the rest stays SECRET for Britain and the US.
    let a = k()
        .args(["report", "edit", &subject, "--paragraph", "1"])
        .args(["--marking", "CONFIDENTIAL//REL TO GBR"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("needs a reason"), "{}", stderr(&a));
    k().args(["report", "edit", &subject, "--paragraph", "1"])
        .args([
            "--marking",
            "CONFIDENTIAL//REL TO GBR",
            "--why",
            "from an open source",
        ])
        .assert()
        .success();
    k().args(["report", "review", &subject]).assert().success();
    k().args(["report", "approve", &subject]).assert().success();
    let approved = json(k().args(["report", "show", &subject, "--format", "json"]));
    let mi5_keys = keys(dir.path(), "mi5.keys");
    let gchq_keys = keys(dir.path(), "gchq.keys");
    add(archive, "GBR", "MI5", "CONFIDENTIAL", &mi5_keys, &[]).success();
    add(archive, "GBR", "GCHQ", "SECRET", &gchq_keys, &[]).success();
    // A draft sent by hand is still not sent.
    k().args([
        "release",
        "route",
        &draft,
        "--partner",
        "GBR-MI5",
        "--send",
        "--why",
        "asked",
    ])
    .assert()
    .success();

    let outbox = dir.path().join("outbox");
    let sent = json(
        k().args(["release", "send", "--all", "--json", "--out"])
            .arg(&outbox),
    );
    let packages = sent["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 2, "{sent}");
    let path_of = |partner: &str| -> std::path::PathBuf {
        packages.iter().find(|p| p["partner"] == partner).unwrap()["path"]
            .as_str()
            .unwrap()
            .into()
    };
    let mi5 = path_of("GBR-MI5");
    for p in packages {
        let ids: Vec<&str> = p["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [subject.as_str()], "{p}");
    }
    let archive_key = json(k().args(["keys", "show", "--json"]))["verify_key"]
        .as_str()
        .unwrap()
        .to_string();
    let open = |package: &Path, identity: &str, key: &str, out: &Path| {
        common::kartoteka(dir.path())
            .args(["release", "open"])
            .arg(package)
            .arg("--identity")
            .arg(dir.path().join(identity))
            .args(["--archive-key", key, "--out"])
            .arg(out)
            .assert()
    };
    // Another partner's keys, the wrong archive key, a changed byte: refused, nothing out.
    let out = dir.path().join("opened");
    let a = open(&mi5, "gchq.keys", &archive_key, &out).code(1);
    assert!(
        stderr(&a).contains("not encrypted to these keys"),
        "{}",
        stderr(&a)
    );
    let a = open(&mi5, "mi5.keys", &mi5_keys.1, &out).code(1);
    assert!(
        stderr(&a).contains("signature does not hold"),
        "{}",
        stderr(&a)
    );
    let mut bytes = std::fs::read(&mi5).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let tampered = dir.path().join("tampered.zip.age");
    std::fs::write(&tampered, &bytes).unwrap();
    open(&tampered, "mi5.keys", &archive_key, &out).code(1);
    assert!(!out.exists());
    let a = open(&mi5, "mi5.keys", "not-a-key", &out).code(2);
    assert!(stderr(&a).contains("64 hex digits"), "{}", stderr(&a));

    // The partner's keys file is age's own: the age tool opens the package with it.
    if common::age_tool() {
        let plain = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(dir.path().join("mi5.keys"))
            .arg(&mi5)
            .output()
            .unwrap();
        assert!(
            plain.status.success(),
            "{}",
            String::from_utf8_lossy(&plain.stderr)
        );
        assert!(plain.stdout.starts_with(b"PK"), "a zip");
    }
    let opened = open(&mi5, "mi5.keys", &archive_key, &out).success();
    let said = String::from_utf8_lossy(&opened.get_output().stdout).into_owned();
    assert!(said.contains("signature and bag hold"), "{said}");
    if common::bagit_python() {
        common::bagit_py(&["--validate"], &out);
    }
    // The variant holds the paragraph the partner may have and none of the others, in
    // every format but the PDF (whose text is in font subsets; the same report is its
    // source).
    let files = files_in(&out);
    let text_files: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(name, _)| name.starts_with("data/") && !name.ends_with(".pdf"))
        .collect();
    assert!(files.iter().any(|(n, _)| n.ends_with(".pdf")));
    let paragraphs = approved["paragraphs"].as_array().unwrap();
    let md = text_files
        .iter()
        .find(|(n, _)| n.ends_with(".md"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap();
    assert!(md.contains("CONFIDENTIAL//REL TO GBR"), "{md}");
    // What a CONFIDENTIAL partner in Britain may have, read off the marking apart from
    // the program's rule.
    let may_have = common::confidential_gbr_may_have;
    let kept: Vec<&str> = paragraphs
        .iter()
        .filter(|p| may_have(p))
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(!kept.is_empty() && kept.len() < paragraphs.len());
    for text in &kept {
        assert!(md.contains(text), "kept {text:?} missing: {md}");
    }
    let mut withheld = 0;
    for p in paragraphs.iter().filter(|p| !may_have(p)) {
        let text = p["text"].as_str().unwrap();
        if kept.iter().any(|k| k.contains(text)) {
            continue;
        }
        withheld += 1;
        for (name, bytes) in &text_files {
            assert!(
                !String::from_utf8_lossy(bytes).contains(text),
                "{name} holds a paragraph the partner may not have: {text}"
            );
        }
    }
    assert!(withheld > 0);
    // The PDF, read back with poppler, holds the same: the kept identification, none of
    // the withheld paragraphs.
    if common::poppler() {
        let pdf = files
            .iter()
            .find(|(n, _)| n.ends_with(".pdf"))
            .map(|(n, _)| out.join(n))
            .unwrap();
        let read = std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        assert!(read.status.success());
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = flat(&String::from_utf8_lossy(&read.stdout));
        assert!(text.contains("CONFIDENTIAL//REL TO GBR"), "{text}");
        let name = approved["subject_name"].as_str().unwrap();
        assert!(text.contains(&flat(name)), "{name} not in {text}");
        for p in paragraphs.iter().filter(|p| !may_have(p)) {
            let t = flat(p["text"].as_str().unwrap());
            if kept.iter().any(|k| flat(k).contains(&t)) {
                continue;
            }
            assert!(
                !text.contains(&t),
                "the PDF holds a withheld paragraph: {t}"
            );
        }
    }

    // The receipt: recorded once, under the partner's key only.
    let receipt = dir.path().join("opened.receipt.json");
    let r: Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    assert_eq!(r["partner"], "GBR-MI5");
    let mut forged = r.clone();
    forged["received_at"] = Value::from("2030-01-01T00:00:00Z");
    let forged_file = dir.path().join("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let a = k()
        .args(["release", "receipt"])
        .arg(&forged_file)
        .assert()
        .code(2);
    assert!(
        stderr(&a).contains("signature does not hold"),
        "{}",
        stderr(&a)
    );
    k().args(["release", "receipt"])
        .arg(&receipt)
        .assert()
        .success();
    let register = json(k().args(["release", "register", "--json"]));
    let receipts: Vec<(String, bool)> = register["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["partner"].as_str().unwrap().to_string(),
                !p["receipt"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        receipts,
        [
            ("GBR-MI5".to_string(), true),
            ("GBR-GCHQ".to_string(), false)
        ]
    );

    // In the portal, MI5's liaison reads exactly what its package holds, file by file, and
    // its search finds only what MI5 may have; GCHQ's liaison finds MI5's package as it
    // finds none at all.
    let id_of = |partner: &str| -> String {
        packages.iter().find(|p| p["partner"] == partner).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mi5_id = id_of("GBR-MI5");
    common::add_liaisons(archive, &[("mi5", "GBR-MI5"), ("gchq", "GBR-GCHQ")]);
    let bearer = |user: &str| {
        let made = json(k().args(["token", "create", user, "--scope", "read", "--json"]));
        format!("Bearer {}", made["token"].as_str().unwrap())
    };
    let (mi5_bearer, gchq_bearer) = (bearer("mi5"), bearer("gchq"));
    let server = common::serve(archive);
    let get = |path: &str, bearer: &str| {
        common::http_bytes(&server.addr, "GET", path, &[("Authorization", bearer)], "")
    };
    let variant_files: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(n, _)| n.starts_with(&format!("data/{subject}/")))
        .collect();
    assert!(variant_files.len() >= 5, "md, html, json, stix, pdf");
    for (name, bytes) in &variant_files {
        let file = name.rsplit('/').next().unwrap();
        let path = format!("/packages/{mi5_id}/reports/{subject}/{file}");
        let (status, served) = get(&path, &mi5_bearer);
        assert_eq!(status, 200, "{path}");
        assert!(
            served == *bytes,
            "{path} differs from {name} in the package"
        );
        let (status, theirs) = get(&path, &gchq_bearer);
        let (_, none) = get(
            &format!("/packages/PKG-GBR-MI5-99/reports/{subject}/{file}"),
            &gchq_bearer,
        );
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            String::from_utf8_lossy(&theirs).replace(&mi5_id, "ID"),
            String::from_utf8_lossy(&none).replace("PKG-GBR-MI5-99", "ID")
        );
    }
    let packaged_json = &variant_files
        .iter()
        .find(|(n, _)| n.ends_with(&format!("/{subject}.json")))
        .unwrap()
        .1;
    let (status, served) = get(
        &format!("/api/packages/{mi5_id}/reports/{subject}"),
        &mi5_bearer,
    );
    assert_eq!(status, 200);
    assert!(served == *packaged_json, "the API's JSON is the package's");
    let (status, page) = common::http(
        &server.addr,
        "GET",
        &format!("/packages/{mi5_id}/reports/{subject}"),
        &[("Authorization", &mi5_bearer)],
        "",
    );
    assert_eq!(status, 200);
    for text in &kept {
        let escaped = text
            .trim()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
        assert!(
            page.contains(&escaped),
            "{text:?} not on the variant's page"
        );
    }
    // Search: every hit of MI5's liaison is in its package and is text it may have, for
    // the words of the paragraphs it may have and of those it may not.
    let unmarked = |snippet: &str| -> Vec<String> {
        snippet
            .replace("<b>", "")
            .replace("</b>", "")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
            .split('…')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut found_kept = 0;
    for p in paragraphs {
        let text = p["text"].as_str().unwrap();
        let query: Vec<&str> = text.split_whitespace().take(6).collect();
        let q: String = query
            .join(" ")
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        let (status, body) = common::http(
            &server.addr,
            "GET",
            &format!("/api/search?q={q}&limit=100"),
            &[("Authorization", &mi5_bearer)],
            "",
        );
        assert_eq!(status, 200, "{body}");
        let found: Value = serde_json::from_str(&body).unwrap();
        for hit in found["hits"].as_array().unwrap() {
            assert_eq!(hit["package"], mi5_id.as_str(), "{hit}");
            for piece in unmarked(hit["snippet"].as_str().unwrap()) {
                assert!(
                    kept.iter().any(|k| k.contains(&piece)),
                    "a hit shows text MI5 may not have: {piece}"
                );
            }
        }
        if may_have(p) {
            assert!(found["total"].as_u64().unwrap() >= 1, "{text}: {found}");
            found_kept += 1;
        }
    }
    assert!(found_kept > 0);
    drop(server);

    // A later version approved makes what both hold outdated.
    let outdated = |k: &dyn Fn() -> assert_cmd::Command| -> Vec<(String, String)> {
        json(k().args(["release", "outdated", "--json"]))["outdated"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["partner"].as_str().unwrap().to_string(),
                    o["why"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(outdated(&k).is_empty());
    k().args([
        "report",
        "edit",
        &subject,
        "--paragraph",
        "2",
        "--text",
        "Recruited in 1937.",
    ])
    .args(["--new-version", "--why", "clearer"])
    .assert()
    .success();
    assert!(outdated(&k).is_empty(), "a draft outdates nothing");
    k().args(["report", "review", &subject]).assert().success();
    k().args(["report", "approve", &subject]).assert().success();
    let now = outdated(&k);
    let holders: Vec<&str> = now.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(holders, ["GBR-MI5", "GBR-GCHQ"]);
    assert!(now[0].1.contains("approved since"), "{now:?}");

    // Recall: exactly the partners holding it, a notice each.
    let recall = json(
        k().args([
            "release",
            "recall",
            &subject,
            "--why",
            "misidentified",
            "--json",
            "--out",
        ])
        .arg(&outbox),
    );
    let holders: Vec<&str> = recall["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap())
        .collect();
    assert_eq!(holders, ["GBR-MI5", "GBR-GCHQ"]);
    assert_eq!(recall["notices"].as_array().unwrap().len(), 2);
    assert!(outdated(&k).is_empty(), "recalled from both");
    let nobody = json(k().args(["release", "recall", &draft, "--why", "x", "--json"]));
    assert!(nobody["holders"].as_array().unwrap().is_empty());
    k().args(["release", "recall", "R-P999", "--why", "x"])
        .assert()
        .code(3);

    // A suspended partner is refused by name; nothing is added to the register.
    k().args(["partner", "suspend", "GBR-MI5", "--why", "keys lost"])
        .assert()
        .success();
    let before = json(k().args(["release", "register", "--json"]))["packages"]
        .as_array()
        .unwrap()
        .len();
    let a = k()
        .args(["release", "send", "--partner", "GBR-MI5", "--out"])
        .arg(&outbox)
        .assert()
        .code(2);
    assert!(stderr(&a).contains("suspended"), "{}", stderr(&a));
    k().args(["release", "send", "--partner", "NOR-PST", "--out"])
        .arg(&outbox)
        .assert()
        .code(3);
    let after = json(k().args(["release", "register", "--json"]))["packages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
    k().args(["audit", "verify"]).assert().success();
}

#[test]
fn a_release_officer_plans_and_sends_a_round_from_the_desk_and_each_liaison_reads_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (sample, _, subject) = reported_sample();
    let archive = sample.path();
    let k = || common::kartoteka(archive);
    // The identification is lowered to CONFIDENTIAL for Britain, so that MI5 (cleared
    // to CONFIDENTIAL) gets a variant of it; GCHQ (SECRET) gets more.
    k().args(["report", "edit", &subject, "--paragraph", "1"])
        .args(["--marking", "CONFIDENTIAL//REL TO GBR"])
        .args(["--why", "from an open source"])
        .assert()
        .success();
    k().args(["report", "review", &subject]).assert().success();
    k().args(["report", "approve", &subject]).assert().success();
    add(
        archive,
        "GBR",
        "MI5",
        "CONFIDENTIAL",
        &keys(dir.path(), "mi5.keys"),
        &[],
    )
    .success();
    add(
        archive,
        "GBR",
        "GCHQ",
        "SECRET",
        &keys(dir.path(), "gchq.keys"),
        &[],
    )
    .success();
    k().args(["user", "add", "olga", "--role", "release-officer"])
        .assert()
        .success();
    common::add_liaisons(archive, &[("mi5", "GBR-MI5"), ("gchq", "GBR-GCHQ")]);
    let bearer = |user: &str, scopes: &[&str]| {
        let mut cmd = k();
        cmd.args(["token", "create", user, "--json"]);
        for s in scopes {
            cmd.args(["--scope", s]);
        }
        format!("Bearer {}", json(&mut cmd)["token"].as_str().unwrap())
    };
    let olga = bearer("olga", &["read", "write"]);
    let olga_read = bearer("olga", &["read"]);
    let (mi5, gchq) = (bearer("mi5", &["read"]), bearer("gchq", &["read"]));
    let server = common::serve(archive);
    let call = |method: &str, path: &str, who: &str, body: &str| {
        let (status, text) = common::http(
            &server.addr,
            method,
            path,
            &[("Authorization", who), ("Content-Type", "application/json")],
            body,
        );
        (
            status,
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            text,
        )
    };

    // The plan says the subject goes to both, and what MI5's variant (cleared to
    // CONFIDENTIAL) loses that GCHQ's (SECRET) keeps.
    let (status, plan, _) = call("GET", "/api/release/plan", &olga_read, "");
    assert_eq!(status, 200);
    let partner_ids: Vec<&str> = plan["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(partner_ids, ["GBR-MI5", "GBR-GCHQ"]);
    let cell = |partner: &str| {
        plan["plan"]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["partner"] == partner && c["report"] == subject.as_str())
            .unwrap()
            .clone()
    };
    let dropped = |c: &Value| c["loss"]["dropped"].as_array().unwrap().len();
    assert_eq!(cell("GBR-MI5")["send"], true);
    assert_eq!(cell("GBR-GCHQ")["send"], true);
    assert!(dropped(&cell("GBR-MI5")) > dropped(&cell("GBR-GCHQ")));
    // The page shows the same matrix.
    let (status, _, page) = call("GET", "/release", &olga_read, "");
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            r#"<td class="cell on" data-partner="GBR-MI5" data-report="{subject}">"#
        )),
        "{page}"
    );

    // Bad rounds are refused at once and start nothing.
    for (body, want) in [
        (r#"{"partners": []}"#, 400),
        (r#"{"partners": ["NOR-PST"]}"#, 400),
        (r#"{"partners": ["<script>"]}"#, 400),
        (r#"{"partners": "GBR-MI5"}"#, 400),
    ] {
        let (status, _, text) = call("POST", "/api/release/rounds", &olga, body);
        assert_eq!(status, want, "{body}: {text}");
    }
    // A read token may not send.
    let (status, _, _) = call(
        "POST",
        "/api/release/rounds",
        &olga_read,
        r#"{"partners": ["GBR-MI5"]}"#,
    );
    assert_eq!(status, 403);
    let (_, jobs, _) = call("GET", "/api/jobs", &olga_read, "");
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 0, "{jobs}");

    // A round to both, followed to its end.
    let (status, job, text) = call(
        "POST",
        "/api/release/rounds",
        &olga,
        r#"{"partners": ["GBR-MI5", "gbr-gchq"]}"#,
    );
    assert_eq!(status, 202, "{text}");
    let id = job["id"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let done = loop {
        let (_, job, _) = call("GET", &format!("/api/jobs/{id}"), &olga_read, "");
        if job["state"] != "running" && job["state"] != "queued" {
            break job;
        }
        assert!(
            started.elapsed().as_secs() < 120,
            "the round did not end: {job}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["partners"], serde_json::json!(["GBR-MI5", "GBR-GCHQ"]));
    assert_eq!(done["done"], done["total"]);
    let sent = done["result"]["packages"].as_array().unwrap();
    assert_eq!(sent.len(), 2, "{done}");
    for p in sent {
        let path = std::path::PathBuf::from(p["path"].as_str().unwrap());
        assert!(
            path.starts_with(archive.join("outbox")),
            "{}",
            path.display()
        );
        assert!(path.is_file());
    }
    let id_of = |partner: &str| {
        sent.iter().find(|p| p["partner"] == partner).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (mi5_pkg, gchq_pkg) = (id_of("GBR-MI5"), id_of("GBR-GCHQ"));

    // Each liaison reads its own variant and finds the other's as none; the two variants
    // differ as the plan said.
    let variant = |pkg: &str, who: &str| {
        call(
            "GET",
            &format!("/api/packages/{pkg}/reports/{subject}"),
            who,
            "",
        )
    };
    let (status, mine, _) = variant(&mi5_pkg, &mi5);
    assert_eq!(status, 200);
    let (status, theirs, _) = variant(&gchq_pkg, &gchq);
    assert_eq!(status, 200);
    let paragraphs = |v: &Value| v["paragraphs"].as_array().unwrap().len();
    assert!(paragraphs(&mine) < paragraphs(&theirs));
    let (status, _, across) = variant(&gchq_pkg, &mi5);
    let (_, _, none) = variant("PKG-GBR-MI5-99", &mi5);
    assert_eq!(status, 404);
    assert_eq!(
        across.replace(&gchq_pkg, "ID"),
        none.replace("PKG-GBR-MI5-99", "ID")
    );
    // A liaison sees nothing of the desk, nor the round's job.
    let (status, _, _) = call("GET", "/api/release/plan", &mi5, "");
    assert_eq!(status, 403);
    let (status, _, _) = call("GET", &format!("/api/jobs/{id}"), &mi5, "");
    assert_eq!(status, 403);

    // MI5 opens its package from the outbox and signs a receipt; the officer records it
    // through the API, once, and only as signed.
    let mi5_path = sent.iter().find(|p| p["partner"] == "GBR-MI5").unwrap()["path"]
        .as_str()
        .unwrap()
        .to_string();
    let archive_key = json(k().args(["keys", "show", "--json"]))["verify_key"]
        .as_str()
        .unwrap()
        .to_string();
    common::kartoteka(dir.path())
        .args(["release", "open", &mi5_path, "--identity"])
        .arg(dir.path().join("mi5.keys"))
        .args(["--archive-key", &archive_key, "--out"])
        .arg(dir.path().join("opened"))
        .assert()
        .success();
    let receipt = std::fs::read_to_string(dir.path().join("opened.receipt.json")).unwrap();
    let mut forged: Value = serde_json::from_str(&receipt).unwrap();
    forged["received_at"] = Value::from("2030-01-01T00:00:00Z");
    let (status, _, text) = call("POST", "/api/release/receipts", &olga, &forged.to_string());
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("signature does not hold"), "{text}");
    let (status, _, text) = call("POST", "/api/release/receipts", &olga_read, &receipt);
    assert_eq!(status, 403, "{text}");
    let (status, recorded, text) = call("POST", "/api/release/receipts", &olga, &receipt);
    assert_eq!(status, 201, "{text}");
    assert_eq!(recorded["id"], mi5_pkg.as_str());
    let (status, _, text) = call("POST", "/api/release/receipts", &olga, &receipt);
    assert_eq!(status, 409, "recorded once: {text}");
    let (_, mine, _) = call("GET", &format!("/api/packages/{mi5_pkg}"), &mi5, "");
    assert!(mine["received_at"].is_string(), "{mine}");

    // The report is recalled from both through the API; each liaison sees the notice, and
    // its search marks what it holds as recalled.
    let (status, recall, text) = call(
        "POST",
        "/api/release/recalls",
        &olga,
        &serde_json::json!({"report": subject, "why": "a source withdrew"}).to_string(),
    );
    assert_eq!(status, 201, "{text}");
    assert_eq!(recall["notices"].as_array().unwrap().len(), 2, "{recall}");
    for who in [&mi5, &gchq] {
        let (_, list, _) = call("GET", "/api/packages", who, "");
        let kinds: Vec<&str> = list["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["release", "recall"], "{list}");
    }
    let word = mine["variants"][0]["report"].as_str().unwrap().to_string();
    assert_eq!(word, subject);
    let (_, variant_json, _) = variant(&mi5_pkg, &mi5);
    let first_word: String = variant_json["paragraphs"][0]["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.chars().count() > 4 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_string();
    let q: String = first_word.bytes().map(|b| format!("%{b:02X}")).collect();
    let (_, found, _) = call("GET", &format!("/api/search?q={q}"), &mi5, "");
    assert!(found["total"].as_u64().unwrap() >= 1, "{found}");
    assert!(
        found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["recalled"] == true),
        "{found}"
    );
    drop(server);
    k().args(["audit", "verify"]).assert().success();

    // Fixity covers what partners were sent: every kept file holds, until one changes.
    let fixity = json(k().args(["verify", "--json"]));
    assert!(fixity["kept_checked"].as_u64().unwrap() >= 10, "{fixity}");
    assert_eq!(fixity["kept_problems"], serde_json::json!([]));
    let md = mine["variants"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().ends_with(".md"))
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let blob = archive.join("blobs").join(&md[..2]).join(&md);
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let a = k().arg("verify").assert().code(1);
    let said = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        said.contains(&format!("KEPT {md}")) && said.contains(&format!("{mi5_pkg}: {subject}.md")),
        "{said}"
    );
}
