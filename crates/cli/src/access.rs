//! The reading room from the command line: `serve` runs it; `user` and `token` manage who
//! may enter it and what machines may do.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use kartoteka_archive::Archive;
use kartoteka_model::{Role, Scope};

use crate::{input_error, output, usage, Failure, EXIT_OK};

/// `kartoteka user ...`.
#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// Add a person who may sign in to the reading room, with their role.
    #[command(
        after_help = "ROLES: archivist (ingest, transfers, fixity), researcher (search, read, notes), \
analyst (also judges whether two names are one person), reviewer, release-officer, liaison (a partner \
service's person: bound to one partner with --partner, sees only what was released to it), administrator \
(users and tokens).\n\nThe password is read from the first line of --password-file (- for standard input) \
and kept only as its Argon2id hash. Without it the user can use tokens only.\n\nExamples:\n  \
kartoteka user add vera --role researcher --password-file pw.txt\n  \
kartoteka user add mi5 --role liaison --partner GBR-MI5"
    )]
    Add {
        /// Their sign-in name: letters, digits and . _ - @.
        name: String,
        /// What they do: archivist, researcher, analyst, reviewer, release-officer,
        /// liaison, administrator.
        #[arg(long)]
        role: String,
        /// The partner service a liaison speaks for (an id from `kartoteka partners`).
        #[arg(long, value_name = "ID")]
        partner: Option<String>,
        /// A file whose first line is the password (- reads standard input).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Print the user as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the users.
    List {
        /// Print JSON: {"users": [{"name", "role", "partner", "disabled", "password", "by", "at"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: their sessions and tokens stop working at once.
    Disable {
        /// The user.
        name: String,
    },
    /// Set a user's password.
    Password {
        /// The user.
        name: String,
        /// A file whose first line is the password (- reads standard input).
        #[arg(long, value_name = "FILE")]
        password_file: PathBuf,
    },
}

/// `kartoteka token ...`.
#[derive(Subcommand)]
pub(crate) enum TokenCommand {
    /// Make a token for a user, for machines: sent as `Authorization: Bearer TOKEN`. It is
    /// printed this once; only its hash is kept.
    #[command(
        after_help = "SCOPES: read (search, documents, persons), write (notes, judgements, ingest), \
admin (users and tokens). The user's role still bounds what the token may do.\n\nExample:\n  \
kartoteka token create vera --scope read --json"
    )]
    Create {
        /// The user it acts for.
        name: String,
        /// What it may be used for (repeat, or separate with commas).
        #[arg(
            long = "scope",
            value_name = "SCOPE",
            required = true,
            value_delimiter = ','
        )]
        scopes: Vec<String>,
        /// Print JSON: {"id", "token", "user", "scopes"}.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id (T3): it authenticates nothing from now on.
    Revoke {
        /// The token's id, from `token list`.
        id: String,
    },
    /// List the tokens (never their secrets).
    List {
        /// Print JSON: {"tokens": [{"id", "user", "scopes", "revoked", "by", "at"}]}.
        #[arg(long)]
        json: bool,
    },
}

/// Reads a password from the first line of a file, or of standard input for `-`.
fn read_password(path: &Path) -> Result<String, Failure> {
    let text = if path == Path::new("-") {
        if std::io::stdin().is_terminal() {
            eprintln!("password (then Enter; it is shown as typed):");
        }
        let mut s = String::new();
        std::io::stdin()
            .take(4096)
            .read_to_string(&mut s)
            .map_err(|e| usage(format!("reading the password from standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| usage(format!("--password-file {}: {e}", path.display())))?
    };
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(usage(format!(
            "--password-file {}: its first line is empty",
            path.display()
        )));
    }
    Ok(line.to_string())
}

/// Runs a `user` command.
pub(crate) fn user(command: UserCommand, archive: &Archive) -> Result<u8, Failure> {
    let access = archive.access();
    match command {
        UserCommand::Add {
            name,
            role,
            partner,
            password_file,
            json,
        } => {
            let role: Role = role.parse().map_err(|e| usage(format!("--role: {e}")))?;
            let password = password_file.as_deref().map(read_password).transpose()?;
            let user = access
                .add_user(&name, role, partner.as_deref(), password.as_deref())
                .map_err(input_error)?;
            if json {
                output::print_json(&user_json(&user))?;
            } else {
                say!(
                    "Added {} as {}{}{}.",
                    user.name,
                    user.role,
                    user.partner
                        .as_deref()
                        .map(|p| format!(" of {p}"))
                        .unwrap_or_default(),
                    if user.password_hash.is_some() {
                        ""
                    } else {
                        " (no password: tokens only)"
                    }
                );
            }
            Ok(EXIT_OK)
        }
        UserCommand::List { json } => {
            let users = access.users()?;
            if json {
                let list: Vec<_> = users.iter().map(user_json).collect();
                output::print_json(&serde_json::json!({ "users": list }))?;
            } else if users.is_empty() {
                say!("No users yet: add one with `kartoteka user add NAME --role ROLE`.");
            } else {
                for u in &users {
                    say!(
                        "{:<20} {:<16} {:<10} {}{}",
                        u.name,
                        u.role,
                        u.partner.as_deref().unwrap_or("-"),
                        if u.disabled { "disabled" } else { "enabled" },
                        if u.password_hash.is_some() {
                            ""
                        } else {
                            ", tokens only"
                        }
                    );
                }
            }
            Ok(EXIT_OK)
        }
        UserCommand::Disable { name } => {
            let user = access.disable_user(&name).map_err(input_error)?;
            say!(
                "Disabled {}: their sessions and tokens no longer work.",
                user.name
            );
            Ok(EXIT_OK)
        }
        UserCommand::Password {
            name,
            password_file,
        } => {
            let password = read_password(&password_file)?;
            let user = access.set_password(&name, &password).map_err(input_error)?;
            say!("Set the password of {}.", user.name);
            Ok(EXIT_OK)
        }
    }
}

/// A user as `--json` shows them: never the password's hash, only whether there is one.
fn user_json(u: &kartoteka_model::User) -> serde_json::Value {
    serde_json::to_value(u.card()).unwrap_or_default()
}

/// Runs a `token` command.
pub(crate) fn token(command: TokenCommand, archive: &Archive) -> Result<u8, Failure> {
    let access = archive.access();
    match command {
        TokenCommand::Create { name, scopes, json } => {
            let scopes = scopes
                .iter()
                .map(|s| {
                    s.parse::<Scope>()
                        .map_err(|e| usage(format!("--scope: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let (token, secret) = access.create_token(&name, &scopes).map_err(input_error)?;
            if json {
                output::print_json(&serde_json::json!({
                    "id": token.id,
                    "token": secret,
                    "user": token.user,
                    "scopes": token.scopes,
                }))?;
            } else {
                say!(
                    "Token {} for {} ({}):",
                    token.id,
                    token.user,
                    kartoteka_model::scope_list(&token.scopes)
                );
                say!("{secret}");
                say!("It is shown this once; send it as `Authorization: Bearer TOKEN`.");
            }
            Ok(EXIT_OK)
        }
        TokenCommand::Revoke { id } => {
            let token = access.revoke_token(&id).map_err(input_error)?;
            say!("Revoked {} of {}.", token.id, token.user);
            Ok(EXIT_OK)
        }
        TokenCommand::List { json } => {
            let tokens = access.tokens()?;
            if json {
                let list: Vec<_> = tokens.iter().map(|t| t.card()).collect();
                output::print_json(&serde_json::json!({ "tokens": list }))?;
            } else if tokens.is_empty() {
                say!("No tokens yet: make one with `kartoteka token create NAME --scope read`.");
            } else {
                for t in &tokens {
                    say!(
                        "{:<5} {:<20} {:<18} {}",
                        t.id,
                        t.user,
                        kartoteka_model::scope_list(&t.scopes),
                        if t.revoked { "revoked" } else { "active" }
                    );
                }
            }
            Ok(EXIT_OK)
        }
    }
}

/// Runs the reading room until it is stopped.
pub(crate) fn serve(
    archive: Archive,
    keys: &kartoteka_archive::HeadKeys,
    addr: &str,
    job_lease_seconds: u64,
) -> Result<u8, Failure> {
    let addr: std::net::SocketAddr = addr.parse().map_err(|e| {
        usage(format!(
            "--addr {addr:?}: {e} (expected HOST:PORT, e.g. 127.0.0.1:8080)"
        ))
    })?;
    let users = archive.access().users()?;
    let root = archive.root().display().to_string();
    let config = kartoteka_server::Config {
        job_lease: std::time::Duration::from_secs(job_lease_seconds),
        ..kartoteka_server::Config::default()
    };
    let app = kartoteka_server::App::new(archive, keys.clone(), config)
        .map_err(|e| anyhow::anyhow!("opening the reading room of {root}: {e}"))?;
    // The server stops gracefully on Ctrl-C and SIGTERM by itself; it runs no OCR.
    kartoteka_archive::formats::restore_default_signal_actions();
    kartoteka_server::serve(app, addr, |at| {
        // Written, not printed: a server whose output was closed (a supervisor gone, a
        // pipe read only to its first line) keeps serving.
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let mut line = |text: String| {
            let _ = writeln!(out, "{}", output::printable(&text));
        };
        line(format!("The reading room of {root} is open at http://{at}/"));
        if users.is_empty() {
            line("No one can sign in yet: add a user with `kartoteka user add NAME --role researcher --password-file FILE`.".into());
        }
        line(format!("The API is described at http://{at}/api/openapi.json. Ctrl-C closes the room."));
        let _ = out.flush();
    })
    .map_err(|e| anyhow::anyhow!("serving on {addr}: {e}"))?;
    Ok(EXIT_OK)
}
