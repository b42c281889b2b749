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
    assert_eq!(changes, ["added", "suspended", "resumed"]);
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

#[test]
fn the_plan_sends_approved_reports_to_whom_they_concern_and_says_why_not_to_others() {
    let dir = tempfile::tempdir().unwrap();
    let sample = common::sample_archive();
    let archive = sample.path();
    let k = || common::kartoteka(archive);
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args([
        "marking",
        "set",
        "ф. 9002",
        "SECRET//REL TO GBR, USA",
        "--why",
        "agreement",
    ])
    .assert()
    .success();
    k().args(["report", "build", "--all"]).assert().success();
    let reports = json(k().args(["reports", "--json"]));
    // A report concerning Britain whose marking the sample's rule sets.
    let subject = reports["reports"]
        .as_array()
        .unwrap()
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
