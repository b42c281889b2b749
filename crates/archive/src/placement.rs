//! Placing a document in the hierarchy: by inventory, by folder names, by file name.

use std::path::Path;

use kartoteka_model::{Placement, Reference};

/// Finds a reference in the folders between `root` and the file and in the file name.
///
/// Folders give upper levels ("ф. 17/оп. 171/"), the file name the rest ("д. 409.pdf") or
/// the whole code ("f17_op171_d409.pdf"). A folder level must be the one that follows the
/// previous folder's; a file name that repeats the folders' levels wins over them.
pub fn place_by_path(root: &Path, file: &Path) -> (Option<Reference>, Placement) {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let mut components: Vec<String> = relative
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let name = components.pop().unwrap_or_default();
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or(name);

    // Join the folder names and see what reference they spell together.
    let folders = components.join(" / ");
    let from_folders = if folders.is_empty() {
        None
    } else {
        Reference::find_in(&folders)
    };
    let from_name = Reference::find_in(&stem)
        .filter(|r| r.level() > kartoteka_model::Level::Fonds || !glued_marker(&stem));
    match (from_folders, from_name) {
        (None, None) => (None, Placement::Unplaced),
        (None, Some(n)) => (Some(n), Placement::FileName),
        (Some(f), n) => {
            // "ф. 17/оп. 171/д. 409.txt": the name continues the folders' reference.
            let joined = Reference::find_in(&format!("{folders} / {stem}"))
                .filter(|j| j.level() > f.level());
            match (joined, n) {
                (Some(j), Some(n)) if n.level() >= j.level() => (Some(n), Placement::FileName),
                (Some(j), _) => (Some(j), Placement::FolderAndFileName),
                (None, Some(n)) => (Some(n), Placement::FileName),
                (None, None) => (Some(f), Placement::Folder),
            }
        }
    }
}

/// Whether a name writes a level's letters glued to a number ("f00123", "d7"): in the
/// whole-code form ("f17_op171_d409") that is how codes are written, but a name that is
/// nothing more is as likely a clerk's or a scanner's numbering as a fonds, so it does
/// not place a document on its own.
fn glued_marker(stem: &str) -> bool {
    let chars: Vec<char> = stem.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_alphabetic() && w[1].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(path: &str) -> (Option<String>, Placement) {
        let (r, p) = place_by_path(Path::new("/in"), Path::new(path));
        (r.map(|r| r.to_string()), p)
    }

    #[test]
    fn folders_names_and_both() {
        assert_eq!(
            place("/in/ф. 17/оп. 171/д. 409/scan.pdf"),
            (Some("ф. 17, оп. 171, д. 409".into()), Placement::Folder)
        );
        assert_eq!(
            place("/in/misc/f17_op171_d409.pdf"),
            (Some("ф. 17, оп. 171, д. 409".into()), Placement::FileName)
        );
        assert_eq!(
            place("/in/fonds 17/inventory 171/д. 409, л. 3.txt"),
            (
                Some("ф. 17, оп. 171, д. 409, л. 3".into()),
                Placement::FolderAndFileName
            )
        );
        assert_eq!(place("/in/notes/letter.txt"), (None, Placement::Unplaced));
    }

    #[test]
    fn a_name_that_is_only_a_letter_and_a_number_places_nothing() {
        for name in ["/in/f00123.txt", "/in/scans/f12.pdf", "/in/F7.txt"] {
            assert_eq!(place(name), (None, Placement::Unplaced), "{name}");
        }
        // Written as a reference, a fonds alone is one.
        assert_eq!(
            place("/in/ф. 123.txt"),
            (Some("ф. 123".into()), Placement::FileName)
        );
        assert_eq!(
            place("/in/fond 123.txt"),
            (Some("ф. 123".into()), Placement::FileName)
        );
    }
}
