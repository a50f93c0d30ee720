//! `langso`: the sync server and its operator commands.

#[macro_use]
mod out;
mod accounts;
mod activity;
mod audit;
mod bench;
mod bench_reports;
mod commands;
mod demo;
mod evidence;
mod field;
mod groupings;
mod keys;
mod kinds;
mod loopback;
mod map;
mod maps;
mod people;
mod roster;
mod serve;
mod simulate;
mod targets;

use clap::{Parser, Subcommand};
use langso_domain::scope::UnitKind;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "langso",
    version,
    about = "Sync backend for community digital technology teams"
)]
struct Cli {
    /// The master key file that seals the database's signing keys and refresh secret
    /// (64 hex digits; created, mode 0600, when missing and the database is not sealed
    /// yet). Default: LANGSO_MASTER_KEY if set, else the database's path + ".key".
    #[arg(long, global = true, env = "LANGSO_KEY_FILE", value_name = "FILE")]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(serve::ServeArgs),
    /// Load one administrative-unit hierarchy version from a JSON file (with --current,
    /// switch to it as `switch-map` does).
    ImportUnits(map::ImportUnitsArgs),
    /// Make an imported hierarchy version current: every village placed in it by the
    /// successions, history re-rolled along it, teams, leaders and targets carried.
    SwitchMap(map::SwitchMapArgs),
    /// Give a leader a new scope (and role) of the current map.
    RescopeUser(map::RescopeArgs),
    /// Replace the current map's groupings of communes (clusters, former districts): from
    /// a CSV file, or derived with --former-districts. All or nothing.
    ImportGroupings(groupings::ImportGroupingsArgs),
    /// Build the deterministic demo: villages, teams and members (each with a phone) and
    /// their activity since 2024-09, through the 177-, 171- and 54-commune maps; today's
    /// is current.
    Demo {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        #[arg(long, default_value_t = langso_domain::demo::DEFAULT_SEED)]
        seed: u64,
        /// End the history on an earlier built-in map (quang-ninh-2024-09 or
        /// quang-ninh-2024-11, which have districts) instead of today's.
        #[arg(long, value_name = "NAME", default_value = demo::TODAY)]
        map: String,
        /// Events in the generated history (0: teams and members only, no phones' history).
        #[arg(long, default_value_t = demo::EVENTS)]
        events: usize,
    },
    /// List teams.
    Teams {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        /// Print JSON (the only format for now).
        #[arg(long)]
        json: bool,
    },
    /// List the units of the current map with their codes and names.
    Units {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        /// Only units of this level (province, district, commune, … as the map has them),
        /// or `grouping`: the current map's groupings of communes.
        #[arg(long)]
        level: Option<String>,
        /// Only the units under this one (its code), or the communes of this grouping (its
        /// code: `langso units --level grouping` lists them).
        #[arg(long, value_name = "CODE")]
        under: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List members (people) with their devices and last push: one team's, or every team's.
    Members {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Give a device to another member of its team. Its past events stay with who recorded
    /// them, unless --past-events-follow (the device was bound to the wrong member).
    MoveDevice {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        device_id: String,
        #[arg(long)]
        member: String,
        #[arg(long)]
        past_events_follow: bool,
    },
    /// Merge an unassigned member (made by an enrollment code bound to no member) into a
    /// member of its team: devices and history included.
    MergeMember {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        /// The unassigned member.
        #[arg(long)]
        member: String,
        /// The member that takes its devices and history.
        #[arg(long)]
        into: String,
    },
    /// Print a one-time enrollment code for a team, alone on stdout.
    Invite {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        #[arg(long)]
        team: String,
        /// Bind the device to this member (otherwise enrollment creates an unassigned member,
        /// to merge into a roster member later with `langso merge-member`).
        #[arg(long)]
        member: Option<String>,
    },
    /// Create a leader account; prints its one-time password-setting code (7 days) alone on
    /// stdout. The scope is a team id for team_leader, else a commune, grouping, district or
    /// province code of the current hierarchy matching the role.
    CreateUser {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        /// team_leader, commune_leader, grouping_leader, district_leader or province_admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: String,
        #[arg(long)]
        username: String,
    },
    /// Forget a leader's failed logins, lifting any lockout of that username at once.
    UnlockUser {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// List leader accounts: role, scope, state (active, disabled, locked,
    /// awaiting_password), last login.
    Users(accounts::UsersArgs),
    /// Disable a leader: no login, every session ended at once.
    DisableUser(accounts::UserArgs),
    /// Enable a disabled leader again.
    EnableUser(accounts::UserArgs),
    /// Reset a leader's password: prints a new one-time code; the old password and every
    /// session end.
    ResetPassword(accounts::UserArgs),
    /// A team's devices and their last sync; --stale-days N: those quiet for N days.
    Devices(accounts::DevicesArgs),
    /// Un-revoke a device: it may sync again with the tokens it held.
    UnrevokeDevice(accounts::DeviceArgs),
    /// What a team's revoked devices pushed, kept for review (one JSON object a line).
    Quarantine(accounts::QuarantineArgs),
    /// Count or discard one quarantined batch, with a reason (decided once).
    ReviewQuarantine(accounts::ReviewArgs),
    /// Revoke a device: its requests are refused from now on.
    RevokeDevice {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        device_id: String,
    },
    /// Add a new JWT signing key (older keys keep verifying until their tokens expire);
    /// with --new-key-file, also re-seal every secret under a new master key (server
    /// stopped).
    #[command(alias = "rotate-key")]
    RotateKeys {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        /// The new master key's file: read if it exists, else generated there (0600).
        #[arg(long, value_name = "FILE")]
        new_key_file: Option<PathBuf>,
    },
    /// Replace the set of villages a team covers.
    TeamVillages {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        #[arg(long)]
        team: String,
        villages: Vec<String>,
    },
    /// Load the province's villages, teams and members from CSV or XLSX files (all or
    /// nothing; the same files twice change nothing). Exit 1 with every problem listed.
    ImportRoster(roster::ImportArgs),
    /// Write the current roster (or, with --template, an empty one) as an XLSX file.
    ExportRoster(roster::ExportArgs),
    /// Set a target for one unit and kind (or the default): a count, or a share of its
    /// population, adults or households.
    Target(targets::TargetArgs),
    /// The activity catalogue: list, add, edit (labels, units, weight from a day),
    /// deactivate or reactivate kinds.
    Kinds(kinds::KindsArgs),
    /// Print the audit log of administrative acts (or write it as CSV/XLSX); verify checks
    /// that it is intact.
    Audit(audit::AuditArgs),
    /// The rule teams qualify for a monthly stipend by: at least N activity days and M
    /// active members (`set`, `list`).
    EvidenceRule(evidence::EvidenceRuleArgs),
    /// Recompute every tally from the event log; exit 1 on any difference.
    Verify {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
    },
    /// Write a consistent copy of a live database; restoring it changes the generation.
    Backup {
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup in place of a database (stop the server first): checks the backup,
    /// gives the restored database a fresh generation so every phone re-pushes what it
    /// holds, and keeps the replaced file as PATH.replaced-<UTC time>.
    Restore {
        /// The backup file (made by `langso backup`).
        #[arg(long)]
        from: PathBuf,
        /// The database to replace (created if missing).
        #[arg(long, env = "LANGSO_DB")]
        db: PathBuf,
    },
    /// The volunteer's device: enroll, record, sync, status, villages (over langso-client).
    Field(field::FieldArgs),
    /// Replay an evening burst of many devices with faults; check nothing is lost or double-counted.
    Simulate(simulate::SimulateArgs),
    /// Benchmarks (figures, not tests).
    Bench {
        #[command(subcommand)]
        which: bench::BenchCommand,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LANGSO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    keys::set_key_file(cli.key_file);
    let result = match cli.command {
        Command::Serve(a) => match serve::config(&a) {
            Ok(config) => commands::serve(a.db, config, a.demo, a.max_db_mb),
            Err(code) => return code,
        },
        Command::ImportUnits(args) => map::import_units(args),
        Command::SwitchMap(args) => map::switch_map(args),
        Command::RescopeUser(args) => map::rescope_user(args),
        Command::ImportGroupings(args) => groupings::import(args),
        Command::Units {
            db,
            level,
            under: None,
            json,
        } if level.as_deref() == Some(UnitKind::Grouping.as_str()) => groupings::list(&db, json),
        Command::Units {
            db,
            level,
            under,
            json,
        } => maps::units(&db, level.as_deref(), under.as_deref(), json),
        Command::Members { db, team, json } => people::members(&db, team.as_deref(), json),
        Command::MoveDevice {
            db,
            device_id,
            member,
            past_events_follow,
        } => people::move_device(&db, &device_id, &member, past_events_follow),
        Command::MergeMember { db, member, into } => people::merge_member(&db, &member, &into),
        Command::Demo {
            db,
            seed,
            map,
            events,
        } => demo::build(&db, seed, &map, events).map(|_| ()),
        Command::Teams { db, json: _ } => commands::teams(&db),
        Command::Invite { db, team, member } => commands::invite(&db, &team, member.as_deref()),
        Command::CreateUser {
            db,
            role,
            scope,
            username,
        } => commands::create_user(&db, &role, &scope, &username),
        Command::UnlockUser { db, username } => commands::unlock_user(&db, &username),
        Command::Users(a) => accounts::users(a),
        Command::DisableUser(a) => accounts::disable_user(a),
        Command::EnableUser(a) => accounts::enable_user(a),
        Command::ResetPassword(a) => accounts::reset_password(a),
        Command::Devices(a) => accounts::devices(a),
        Command::UnrevokeDevice(a) => accounts::unrevoke_device(a),
        Command::Quarantine(a) => accounts::quarantine(a),
        Command::ReviewQuarantine(a) => accounts::review_quarantine(a),
        Command::RevokeDevice { db, device_id } => commands::revoke_device(&db, &device_id),
        Command::RotateKeys { db, new_key_file } => keys::rotate(&db, new_key_file.as_deref()),
        Command::TeamVillages { db, team, villages } => {
            commands::team_villages(&db, &team, &villages)
        }
        Command::ImportRoster(args) => roster::import(args),
        Command::ExportRoster(args) => roster::export(args),
        Command::Target(args) => targets::run(args),
        Command::Kinds(args) => kinds::run(args),
        Command::Audit(args) => audit::run(args),
        Command::EvidenceRule(args) => evidence::run(args),
        Command::Verify { db } => return commands::verify(&db),
        Command::Backup { db, out } => commands::backup(&db, &out),
        Command::Restore { from, db } => commands::restore(&from, &db),
        Command::Field(args) => field::run(args),
        Command::Simulate(args) => return simulate::run(args),
        Command::Bench { which } => bench::run(which),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            commands::exit_code(&e)
        }
    }
}
