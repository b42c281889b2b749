//! What the bag tests share: whether bagit-python, the peer, is here.

use std::process::Command;

/// Whether bagit-python is installed; without it a test skips with a message, unless
/// KARTOTEKA_REQUIRE_PEERS says every peer must be here.
pub fn bagit_python() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import bagit"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("KARTOTEKA_REQUIRE_PEERS").is_none(),
            "bagit-python is required (pip install bagit)"
        );
        eprintln!("skipping: bagit-python is not installed (pip install bagit)");
    }
    ok
}
