//! Custody: where a unit is kept, who moved it, and the transfers that moved it.

use serde::{Deserialize, Serialize};

/// A place where holdings are kept, from the repository down to the box.
///
/// Written as its parts joined by " / ": `ГАРФ / корпус 2 / комн. 14 / к. 7`. Parts may be
/// left off from the end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The repository (an archive, a service, a vendor).
    pub repository: String,
    /// The building.
    pub building: Option<String>,
    /// The room or store.
    pub room: Option<String>,
    /// The box or shelf.
    #[serde(rename = "box")]
    pub container: Option<String>,
}

/// A location that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("location {0:?}: expected \"repository / building / room / box\" (building, room and box may be left off)")]
pub struct LocationError(pub String);

impl std::str::FromStr for Location {
    type Err = LocationError;

    fn from_str(text: &str) -> Result<Location, LocationError> {
        let parts: Vec<&str> = text.split('/').map(str::trim).collect();
        if parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
            return Err(LocationError(text.to_string()));
        }
        let part = |i: usize| parts.get(i).map(|s| s.to_string());
        Ok(Location {
            repository: parts[0].to_string(),
            building: part(1),
            room: part(2),
            container: part(3),
        })
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repository)?;
        for p in [&self.building, &self.room, &self.container]
            .into_iter()
            .flatten()
        {
            write!(f, " / {p}")?;
        }
        Ok(())
    }
}

/// Which way a transfer went, seen from this archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Holdings arrived.
    In,
    /// Holdings left (a copy was sent as a bag).
    Out,
}

impl Direction {
    /// "in" or "out".
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// A transfer of holdings as a bag, with both ends recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The transfer's number in this archive (0 before it is recorded).
    pub id: i64,
    /// In or out.
    pub direction: Direction,
    /// The bag's identity: the SHA-256 of its SHA-256 payload manifest.
    pub bag_id: String,
    /// Where the bag was read or written.
    pub bag_path: String,
    /// The sending organisation (bag-info Source-Organization).
    pub source: Option<String>,
    /// Where the holdings were before.
    pub from: Option<String>,
    /// Where they went.
    pub to: Option<String>,
    /// The units the bag carries (bag-info External-Identifier).
    pub units: Vec<String>,
    /// Payload files.
    pub files: u64,
    /// Payload bytes.
    pub bytes: u64,
    /// Who made it.
    pub actor: String,
    /// When it was recorded (RFC 3339, UTC).
    pub at: String,
}

/// One stretch of a unit's custody: where it was from when to when, who put it there, and
/// by which transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// The unit's reference code.
    pub unit: String,
    /// Where it was kept.
    pub location: Location,
    /// From when (RFC 3339).
    pub from: String,
    /// Until when; open while it is still there.
    pub until: Option<String>,
    /// Who moved it there.
    pub moved_by: String,
    /// The transfer that brought it, if one did.
    pub transfer: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_and_print_the_same() {
        let l: Location = "ГАРФ / корпус 2 / комн. 14 / к. 7".parse().unwrap();
        assert_eq!(l.repository, "ГАРФ");
        assert_eq!(l.container.as_deref(), Some("к. 7"));
        assert_eq!(l.to_string(), "ГАРФ / корпус 2 / комн. 14 / к. 7");
        let short: Location = "Churchill Archives Centre".parse().unwrap();
        assert_eq!(short.building, None);
        assert!("a / / b".parse::<Location>().is_err());
        assert!("".parse::<Location>().is_err());
        assert!("a/b/c/d/e".parse::<Location>().is_err());
    }
}
