//! A deterministic generator of synthetic archives with ground truth.
//!
//! # Brief overview
//!
//! [`generate`] writes, from a seed, a fictional archive of any size: fonds / inventory /
//! file folders of documents in Russian (in UTF-8, Windows-1251, KOI8-R, CP866 and UTF-16)
//! and English, about agents with cover names (some changed over time, some reused for
//! another agent later), their case officers, countries and dates, with names in inflected
//! forms and several romanisations; an inventory CSV in which some files are missing and
//! some empty; and a ground truth (`truth/`) saying who is who and which document mentions
//! whom in which form, so that later stages can be measured.
//!
//! Everything is streamed: a million documents need no more memory than a thousand.
//! Every name is invented by combining parts; any likeness to a real person is chance.

mod names;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

pub use names::{inflect_given, inflect_surname, invent, romanise, Case, Gender, Scheme};

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Folder to write into.
    pub out: PathBuf,
    /// Number of documents.
    pub docs: u64,
    /// Seed: the same seed writes the same archive, byte for byte.
    pub seed: u64,
}

/// What was generated.
#[derive(Clone, Debug, Serialize)]
pub struct SynthSummary {
    /// Documents written.
    pub documents: u64,
    /// Agents invented.
    pub agents: u64,
    /// Cover names issued (counting each holder of a reused name).
    pub cover_names: u64,
    /// Inventory rows whose file was not written.
    pub missing_files: u64,
    /// Files written empty.
    pub empty_files: u64,
    /// The inventory CSV.
    pub inventory: PathBuf,
    /// The ground-truth folder.
    pub truth: PathBuf,
}

/// Errors of generation.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Serialising the ground truth failed.
    #[error("ground truth: {0}")]
    Json(#[from] serde_json::Error),
}

fn io<T>(path: &Path, r: std::io::Result<T>) -> Result<T, SynthError> {
    r.map_err(|source| SynthError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A cover name held by one person for a period.
#[derive(Clone, Debug, Serialize)]
pub struct CoverName {
    /// The name, in capitals as files write it.
    pub name: String,
    /// First year held.
    pub from: u32,
    /// Last year held.
    pub to: u32,
    /// The service that issued it.
    pub service: &'static str,
}

/// A person of the ground truth.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    /// Stable identifier ("P000042").
    pub id: String,
    /// Role: agent, case_officer.
    pub role: &'static str,
    /// Surname in the nominative.
    pub surname: String,
    /// Given name.
    pub given: String,
    /// Patronymic.
    pub patronymic: String,
    /// Gender, which decides the surname's form.
    pub gender: Gender,
    /// Year of birth.
    pub born: u32,
    /// Country of activity, ISO 3166-1 alpha-3.
    pub country: &'static str,
    /// Year recruited (agents).
    pub recruited: Option<u32>,
    /// The case officer's id (agents).
    pub handler: Option<String>,
    /// Cover names in sequence.
    pub cover_names: Vec<CoverName>,
}

/// One mention of a person in a document, as the ground truth records it.
#[derive(Clone, Debug, Serialize)]
pub struct Mention {
    /// The person.
    pub person: String,
    /// The text as written in the document.
    pub surface: String,
    /// How it was written: "nominative", "genitive", ..., or a romanisation scheme.
    pub form: String,
}

/// A document of the ground truth.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentTruth {
    /// Path relative to the archive folder.
    pub path: String,
    /// Reference code.
    pub reference: String,
    /// Language.
    pub language: &'static str,
    /// Encoding written.
    pub encoding: &'static str,
    /// Year the document is dated.
    pub year: u32,
    /// Who it mentions and how.
    pub mentions: Vec<Mention>,
}

const COUNTRIES: &[(&str, &str, &str)] = &[
    ("GBR", "Лондоне", "London"),
    ("USA", "Вашингтоне", "Washington"),
    ("FRA", "Париже", "Paris"),
    ("DEU", "Бонне", "Bonn"),
    ("AUT", "Вене", "Vienna"),
    ("ITA", "Риме", "Rome"),
    ("CAN", "Оттаве", "Ottawa"),
    ("SWE", "Стокгольме", "Stockholm"),
    ("JPN", "Токио", "Tokyo"),
    ("IND", "Дели", "Delhi"),
    ("MEX", "Мехико", "Mexico City"),
    ("FIN", "Хельсинки", "Helsinki"),
];

const TOPICS: &[(&str, &str)] = &[
    ("атомном проекте", "the atomic project"),
    ("военно-морской базе", "the naval base"),
    ("министерстве иностранных дел", "the foreign ministry"),
    ("радиолокации", "radar research"),
    ("шифрах посольства", "embassy ciphers"),
    ("эмигрантских организациях", "emigre organisations"),
];

const SERVICES: &[&str] = &["NKVD", "NKGB", "MGB", "KGB"];

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn invent_person(rng: &mut impl Rng, id: u64, role: &'static str) -> Person {
    let gender = if role == "agent" && rng.random_bool(0.3) {
        Gender::Female
    } else {
        Gender::Male
    };
    let (surname, given, patronymic) = names::invent(rng, gender);
    let born = rng.random_range(1890..1935);
    Person {
        id: format!("P{id:06}"),
        role,
        surname,
        given,
        patronymic,
        gender,
        born,
        country: pick(rng, COUNTRIES).0,
        recruited: None,
        handler: None,
        cover_names: Vec::new(),
    }
}

/// Encodings Russian documents are written in, with their weights.
const ENCODINGS: &[(&encoding_rs::Encoding, &str, u32)] = &[
    (encoding_rs::UTF_8, "UTF-8", 40),
    (encoding_rs::WINDOWS_1251, "windows-1251", 30),
    (encoding_rs::KOI8_R, "KOI8-R", 12),
    (encoding_rs::IBM866, "IBM866", 10),
    (encoding_rs::UTF_16LE, "UTF-16LE", 8),
];

fn encode(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    if encoding == encoding_rs::UTF_16LE {
        let mut out = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        return out;
    }
    let (bytes, _, _) = encoding.encode(text);
    bytes.into_owned()
}

/// Writes the archive.
pub fn generate(options: &SynthOptions) -> Result<SynthSummary, SynthError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let out = &options.out;
    io(out, fs::create_dir_all(out.join("truth")))?;

    // People: about one agent per 20 documents, one case officer per 5 agents.
    let agent_count = (options.docs / 20).max(4);
    let officer_count = (agent_count / 5).max(2);
    let mut people: Vec<Person> = Vec::with_capacity((agent_count + officer_count) as usize);
    for i in 0..officer_count {
        let mut p = invent_person(&mut rng, i, "case_officer");
        p.born = rng.random_range(1895..1925);
        people.push(p);
    }
    let mut cover_pool = names::cover_names();
    let mut cover_total = 0u64;
    // Cover names released by agents whose period ended, ready to be reused.
    let mut released: Vec<(String, u32)> = Vec::new();
    for i in 0..agent_count {
        let mut p = invent_person(&mut rng, officer_count + i, "agent");
        let recruited = rng.random_range((p.born + 18).max(1930)..=(p.born + 45).min(1985));
        p.recruited = Some(recruited);
        p.handler = Some(
            people[rng.random_range(0..officer_count as usize)]
                .id
                .clone(),
        );
        let mut year = recruited;
        let service = *pick(&mut rng, SERVICES);
        for _ in 0..rng.random_range(1..=3) {
            let until = year + rng.random_range(2..12);
            // Reuse a released name (given out again after its holder's period) a tenth of the time.
            let reuse = released.iter().position(|(_, free_from)| *free_from < year);
            let name = match reuse {
                Some(idx) if rng.random_bool(0.1) => released.swap_remove(idx).0,
                _ => match cover_pool.pop() {
                    Some(n) => n,
                    None => format!("{}-{}", pick(&mut rng, &names::cover_names()), cover_total),
                },
            };
            p.cover_names.push(CoverName {
                name: name.clone(),
                from: year,
                to: until,
                service,
            });
            released.push((name, until));
            cover_total += 1;
            year = until + 1;
        }
        people.push(p);
    }
    let truth_dir = out.join("truth");
    {
        let path = truth_dir.join("people.jsonl");
        let mut w = BufWriter::new(io(&path, File::create(&path))?);
        for p in &people {
            io(&path, writeln!(w, "{}", serde_json::to_string(p)?))?;
        }
        io(&path, w.flush())?;
    }

    // Documents, filed 1-3 to a file, 50-500 files to an inventory, 1-20 inventories to a fonds.
    let inventory_path = out.join("opis.csv");
    let mut inventory = BufWriter::new(io(&inventory_path, File::create(&inventory_path))?);
    io(
        &inventory_path,
        writeln!(inventory, "reference,path,title,dates,sheets"),
    )?;
    let docs_path = truth_dir.join("documents.jsonl");
    let mut docs_truth = BufWriter::new(io(&docs_path, File::create(&docs_path))?);
    // The gaps planted on purpose, for tests of `kartoteka gaps`.
    let gaps_path = truth_dir.join("gaps.jsonl");
    let mut gaps_truth = BufWriter::new(io(&gaps_path, File::create(&gaps_path))?);
    let (mut written, mut missing, mut empty) = (0u64, 0u64, 0u64);
    let (mut fonds, mut inv, mut file) = (rng.random_range(1..300u32), 1u32, 0u32);
    let mut files_left_in_inventory = rng.random_range(50..500u32);
    let mut inventories_left = rng.random_range(1..20u32);
    let agents = &people[officer_count as usize..];
    while written < options.docs {
        file += 1;
        files_left_in_inventory -= 1;
        if files_left_in_inventory == 0 {
            inv += 1;
            file = 1;
            files_left_in_inventory = rng.random_range(50..500);
            inventories_left -= 1;
            if inventories_left == 0 {
                fonds += rng.random_range(1..40);
                inv = 1;
                inventories_left = rng.random_range(1..20);
            }
        }
        let folder = format!("documents/ф. {fonds}/оп. {inv}/д. {file}");
        let reference = format!("ф. {fonds}, оп. {inv}, д. {file}");
        let agent = &agents[rng.random_range(0..agents.len())];
        let handler = people
            .iter()
            .find(|p| Some(&p.id) == agent.handler.as_ref())
            .unwrap_or(&people[0]);
        let title = format!("Дело агента «{}»", agent.cover_names[0].name);
        let year = agent.recruited.unwrap_or(1940) + rng.random_range(0..10);
        let roll = rng.random_range(0..100);
        if roll < 2 {
            // Listed in the inventory, never delivered.
            missing += 1;
            io(
                &gaps_path,
                writeln!(
                    gaps_truth,
                    "{}",
                    serde_json::json!({"kind": "missing", "reference": reference})
                ),
            )?;
            io(
                &inventory_path,
                writeln!(
                    inventory,
                    "\"{reference}\",\"{folder}\",\"{title}\",{year},{}",
                    rng.random_range(1..40)
                ),
            )?;
            continue;
        }
        let in_file = rng.random_range(1..=3u64).min(options.docs - written);
        if roll < 4 {
            // Delivered with nothing in it.
            empty += 1;
            io(
                &gaps_path,
                writeln!(
                    gaps_truth,
                    "{}",
                    serde_json::json!({"kind": "empty", "reference": reference})
                ),
            )?;
        }
        let mut sheet = 1u32;
        io(&out.join(&folder), fs::create_dir_all(out.join(&folder)))?;
        for _ in 0..in_file {
            let sheets = rng.random_range(1..4u32);
            let name = format!("л. {sheet}.txt");
            let path = out.join(&folder).join(&name);
            let is_empty = roll < 4;
            let (bytes, truth) = if is_empty {
                (
                    Vec::new(),
                    DocumentTruth {
                        path: format!("{folder}/{name}"),
                        reference: format!("{reference}, л. {sheet}"),
                        language: "und",
                        encoding: "empty",
                        year,
                        mentions: Vec::new(),
                    },
                )
            } else {
                document(
                    &mut rng,
                    agent,
                    handler,
                    year,
                    sheet,
                    sheets,
                    &format!("{folder}/{name}"),
                    &format!("{reference}, л. {sheet}"),
                    written + 1,
                )
            };
            io(&path, fs::write(&path, bytes))?;
            io(
                &docs_path,
                writeln!(docs_truth, "{}", serde_json::to_string(&truth)?),
            )?;
            sheet += sheets;
            written += 1;
        }
        // The inventory declares what the file should hold; an emptied file still declares it.
        io(
            &inventory_path,
            writeln!(
                inventory,
                "\"{reference}\",\"{folder}\",\"{title}\",{year},{}",
                sheet - 1
            ),
        )?;
    }
    io(&inventory_path, inventory.flush())?;
    io(&docs_path, docs_truth.flush())?;
    io(&gaps_path, gaps_truth.flush())?;
    let readme = out.join("README.txt");
    io(
        &readme,
        fs::write(
            &readme,
            format!(
                "Synthetic archive written by `kartoteka synth --docs {} --seed {}`. Every person, cover name and\n\
                 event in it is invented. Ingest it with\n\n    kartoteka ingest documents --inventory opis.csv\n\n\
                 truth/people.jsonl and truth/documents.jsonl say who is who and who is mentioned where, in\n\
                 which form. The inventory lists some files that are missing and some that are empty;\n\
                 truth/gaps.jsonl names them.\n",
                options.docs, options.seed
            ),
        ),
    )?;
    Ok(SynthSummary {
        documents: written,
        agents: agent_count,
        cover_names: cover_total,
        missing_files: missing,
        empty_files: empty,
        inventory: inventory_path,
        truth: truth_dir,
    })
}

/// One document about `agent`, in Russian or English.
#[allow(clippy::too_many_arguments)]
fn document(
    rng: &mut impl Rng,
    agent: &Person,
    handler: &Person,
    year: u32,
    first_sheet: u32,
    sheets: u32,
    path: &str,
    reference: &str,
    number: u64,
) -> (Vec<u8>, DocumentTruth) {
    let cover = agent
        .cover_names
        .iter()
        .find(|c| c.from <= year && year <= c.to)
        .unwrap_or(&agent.cover_names[0]);
    let (country, city_prep, city_en) = *COUNTRIES
        .iter()
        .find(|c| c.0 == agent.country)
        .unwrap_or(&COUNTRIES[0]);
    let _ = country;
    let (topic_ru, topic_en) = *pick(rng, TOPICS);
    let mut mentions = Vec::new();
    let mut mention = |person: &Person, surface: String, form: &str| {
        mentions.push(Mention {
            person: person.id.clone(),
            surface: surface.clone(),
            form: form.to_string(),
        });
        surface
    };
    let english = rng.random_bool(0.3);
    let mut text = String::new();
    if english {
        let scheme = *pick(rng, &Scheme::ALL);
        let agent_name = mention(agent, romanise(&agent.surname, scheme), scheme.name());
        let handler_name = mention(handler, romanise(&handler.surname, scheme), scheme.name());
        let given = romanise(&agent.given, scheme);
        for s in 0..sheets {
            text.push_str(&format!("Sheet {}\n", first_sheet + s));
            if s == 0 {
                // A registration number, as real papers carry: no two documents are the same bytes.
                text.push_str(&format!("Reg. no. {number}\n"));
            }
            match (s + rng.random_range(0..3)) % 3 {
                0 => text.push_str(&format!(
                    "Source {} ({given} {agent_name}) was recruited in {} in {city_en} by case officer {handler_name}.\n",
                    cover.name,
                    agent.recruited.unwrap_or(year)
                )),
                1 => text.push_str(&format!(
                    "In {year} {agent_name}, code-named {}, passed material on {topic_en} to {handler_name}.\n",
                    cover.name
                )),
                _ => text.push_str(&format!("Memorandum: meetings with {} continued in {city_en} through {}.\n", cover.name, year + 1)),
            }
        }
        let truth = DocumentTruth {
            path: path.into(),
            reference: reference.into(),
            language: "en",
            encoding: "UTF-8",
            year,
            mentions,
        };
        return (text.into_bytes(), truth);
    }
    let a = |case| inflect_surname(&agent.surname, agent.gender, case);
    let h = |case| inflect_surname(&handler.surname, handler.gender, case);
    let verb_suffix = if agent.gender == Gender::Female {
        "а"
    } else {
        ""
    };
    for s in 0..sheets {
        text.push_str(&format!("л. {}\n", first_sheet + s));
        if s == 0 {
            text.push_str(&format!("Вх. № {number}\n"));
        }
        match (s + rng.random_range(0..3)) % 3 {
            0 => {
                let who = mention(agent, a(Case::Nominative), "nominative");
                let given = inflect_given(&agent.given, agent.gender, Case::Nominative);
                let officer = mention(handler, h(Case::Instrumental), "instrumental");
                text.push_str(&format!(
                    "Агент «{}» ({who} {given} {}, {} г.р.) завербован{verb_suffix} в {} году в {city_prep} оперработником {officer}.\n",
                    cover.name,
                    agent.patronymic,
                    agent.born,
                    agent.recruited.unwrap_or(year)
                ));
            }
            1 => {
                let officer = mention(handler, h(Case::Genitive), "genitive");
                let who = mention(agent, a(Case::Nominative), "nominative");
                text.push_str(&format!(
                    "В {year} году состоялась встреча {officer} с источником «{}». {who} передал{verb_suffix} сведения о {topic_ru}.\n",
                    cover.name
                ));
            }
            _ => {
                let who = mention(agent, a(Case::Instrumental), "instrumental");
                let dative = mention(handler, h(Case::Dative), "dative");
                text.push_str(&format!(
                    "Связь с {who} поддерживалась через резидентуру в {city_prep}. Материалы переданы {dative} в {} году.\n",
                    year + 1
                ));
            }
        }
    }
    let weights: u32 = ENCODINGS.iter().map(|e| e.2).sum();
    let mut roll = rng.random_range(0..weights);
    let (encoding, name) = ENCODINGS
        .iter()
        .find(|e| {
            if roll < e.2 {
                true
            } else {
                roll -= e.2;
                false
            }
        })
        .map(|e| (e.0, e.1))
        .unwrap_or((encoding_rs::UTF_8, "UTF-8"));
    let truth = DocumentTruth {
        path: path.into(),
        reference: reference.into(),
        language: "ru",
        encoding: name,
        year,
        mentions,
    };
    (encode(&text, encoding), truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((
                        p.strip_prefix(dir).unwrap().display().to_string(),
                        fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_same_seed_writes_the_same_archive() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let sa = generate(&SynthOptions {
            out: a.path().into(),
            docs: 120,
            seed: 7,
        })
        .unwrap();
        generate(&SynthOptions {
            out: b.path().into(),
            docs: 120,
            seed: 7,
        })
        .unwrap();
        generate(&SynthOptions {
            out: c.path().into(),
            docs: 120,
            seed: 8,
        })
        .unwrap();
        assert_eq!(sa.documents, 120);
        assert_eq!(tree(a.path()), tree(b.path()));
        assert_ne!(tree(a.path()), tree(c.path()));
    }

    #[test]
    fn truth_names_the_people_and_their_forms() {
        let dir = tempfile::tempdir().unwrap();
        let s = generate(&SynthOptions {
            out: dir.path().into(),
            docs: 400,
            seed: 1,
        })
        .unwrap();
        let docs = fs::read_to_string(s.truth.join("documents.jsonl")).unwrap();
        assert_eq!(docs.lines().count(), 400);
        assert!(
            docs.contains("\"instrumental\""),
            "inflected forms are recorded"
        );
        assert!(
            docs.contains("KOI8-R") && docs.contains("IBM866"),
            "mixed encodings"
        );
        let inventory = fs::read_to_string(&s.inventory).unwrap();
        assert!(inventory.lines().count() > 100);
        assert!(
            s.missing_files + s.empty_files > 0,
            "some files are missing or empty"
        );
    }
}
