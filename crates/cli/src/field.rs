//! `langso field …`: the volunteer's side on a laptop, over the client engine. Everything
//! but `enroll` and `sync` works offline from the device database.

use anyhow::{Context, Result, anyhow, bail};
use chrono::DateTime;
use clap::{Args, Subcommand};
use langso_client::{Backoff, Config, Engine, NewEvent, Status, SyncReport};
use langso_domain::{EventId, KindCode, VillageId};
use std::path::PathBuf;

#[derive(Args)]
pub struct FieldArgs {
    /// The device database: outbox, tokens, reference data (created at enrollment).
    #[arg(
        long,
        env = "LANGSO_DEVICE_DB",
        default_value = "langso-device.db",
        global = true
    )]
    device_db: PathBuf,
    #[command(subcommand)]
    command: FieldCommand,
}

#[derive(Subcommand)]
enum FieldCommand {
    /// Enroll this device with a one-time code from a team leader, then fetch the team's
    /// villages and the activity kinds.
    Enroll {
        /// The server's address, e.g. https://langso.example.vn
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// A name for this device, shown to administrators.
        #[arg(long, default_value = "langso field")]
        name: String,
    },
    /// Record one activity on the device (no network needed; `sync` sends it).
    Record {
        /// Activity kind code, e.g. vneid_activation (see `langso field kinds`).
        #[arg(long)]
        kind: String,
        /// Village id (V000123) or a name that matches exactly one of the team's villages.
        #[arg(long)]
        village: String,
        #[arg(long)]
        count: i64,
        #[arg(long)]
        note: Option<String>,
        /// The event id this one corrects (count 0 voids it).
        #[arg(long)]
        corrects: Option<String>,
        /// When it happened (RFC 3339 with offset); default: now.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Push queued events and pull reference data.
    Sync {
        /// Use (and remember) this server address instead of the stored one.
        #[arg(long)]
        server: Option<String>,
        /// Attempts per request before giving up (network errors, 5xx, 503 …).
        #[arg(long, default_value_t = 8)]
        attempts: u32,
        #[arg(long)]
        json: bool,
    },
    /// Queued events, rejected ones with their reasons, last sync, server generation.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The team's villages; QUERY matches village, commune or district names, diacritics
    /// ignored ("dong ngu" finds "Đông Ngũ").
    Villages {
        query: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// The activity kinds.
    Kinds {
        #[arg(long)]
        json: bool,
    },
    /// Hide a rejected or conflicting event from the status list.
    Dismiss { event_id: String },
}

fn open(args: &FieldArgs, config: Config) -> Result<Engine> {
    Engine::open(&args.device_db, config)
        .with_context(|| format!("opening device database {}", args.device_db.display()))
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub fn run(args: FieldArgs) -> Result<()> {
    match &args.command {
        FieldCommand::Enroll { server, code, name } => {
            let mut engine = open(&args, Config::default())?;
            let e = engine.enroll(server, code, name)?;
            outln!(
                "enrolled device {} (member {}, team {})",
                e.device_id,
                e.member_id,
                e.team_id
            );
            if e.carried_over > 0 {
                outln!(
                    "{} held event(s) carried over, to be pushed again",
                    e.carried_over
                );
            }
            match engine.sync() {
                Ok(r) => outln!("fetched {} reference item(s)", r.pulled),
                Err(err) => {
                    eprintln!("warning: first sync failed ({err}); run `langso field sync`")
                }
            }
            Ok(())
        }
        FieldCommand::Record {
            kind,
            village,
            count,
            note,
            corrects,
            at,
            json,
        } => {
            let mut engine = open(&args, Config::default())?;
            let event = new_event(&engine, kind, village, *count, note, corrects, at)?;
            let r = engine.record(event)?;
            if *json {
                return print_json(&r);
            }
            outln!(
                "recorded {} (seq {}) at {}",
                r.event_id,
                r.seq,
                r.occurred_at
            );
            Ok(())
        }
        FieldCommand::Sync {
            server,
            attempts,
            json,
        } => {
            let config = Config {
                backoff: Backoff {
                    max_attempts: (*attempts).max(1),
                    ..Backoff::default()
                },
                ..Config::default()
            };
            let mut engine = open(&args, config)?;
            if let Some(s) = server {
                engine.set_server(s)?;
            }
            let report = engine.sync()?;
            let problems = engine.status()?.problems;
            if *json {
                return print_json(&serde_json::json!({"report": report, "problems": problems}));
            }
            print_report(&report);
            print_problems(&problems);
            Ok(())
        }
        FieldCommand::Status { json } => {
            let status = open(&args, Config::default())?.status()?;
            if *json {
                return print_json(&status);
            }
            print_status(&status);
            Ok(())
        }
        FieldCommand::Villages { query, json } => {
            let villages = open(&args, Config::default())?.villages(&query.join(" "))?;
            if *json {
                return print_json(&villages);
            }
            for v in &villages {
                outln!("{}  {}  ({})", v.id, v.name, v.commune_name);
            }
            eprintln!("{} village(s)", villages.len());
            Ok(())
        }
        FieldCommand::Kinds { json } => {
            let kinds = open(&args, Config::default())?.kinds()?;
            if *json {
                return print_json(&kinds);
            }
            for k in kinds.iter().filter(|k| k.active) {
                outln!("{:<22} {} / {}", k.code, k.label_vi, k.label_en);
            }
            Ok(())
        }
        FieldCommand::Dismiss { event_id } => {
            let id = EventId::parse(event_id)
                .ok_or_else(|| anyhow!("'{event_id}' is not an event id"))?;
            if !open(&args, Config::default())?.dismiss(&id)? {
                bail!("no rejected or conflicting event {id} on this device");
            }
            outln!("dismissed {id}");
            Ok(())
        }
    }
}

fn new_event(
    engine: &Engine,
    kind: &str,
    village: &str,
    count: i64,
    note: &Option<String>,
    corrects: &Option<String>,
    at: &Option<String>,
) -> Result<NewEvent> {
    let kind_code = KindCode::parse(kind)
        .ok_or_else(|| anyhow!("'{kind}' is not a kind code (see `langso field kinds`)"))?;
    let kinds = engine.kinds()?;
    if !kinds.is_empty() && !kinds.iter().any(|k| k.code == kind) {
        eprintln!("warning: '{kind}' is not in this device's catalogue; the server may reject it");
    }
    let village_id = match VillageId::parse(village) {
        Some(v) => v,
        None => {
            let found = engine.villages(village)?;
            match found.as_slice() {
                [one] => VillageId::parse(&one.id).ok_or_else(|| anyhow!("bad village id"))?,
                [] => bail!("no village of this team matches '{village}'"),
                many => bail!(
                    "'{village}' matches {} villages: {}; give the id",
                    many.len(),
                    many.iter()
                        .map(|v| format!("{} {}", v.id, v.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    if !engine.team_villages()?.is_empty()
        && !engine
            .team_villages()?
            .iter()
            .any(|v| v == village_id.as_str())
    {
        eprintln!(
            "warning: {village_id} is not one of this team's villages; the server may reject it"
        );
    }
    let corrects = corrects
        .as_deref()
        .map(|c| EventId::parse(c).ok_or_else(|| anyhow!("'{c}' is not an event id")))
        .transpose()?;
    let occurred_at = at
        .as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t).map_err(|_| {
                anyhow!("--at must be RFC 3339 with an offset, e.g. 2026-11-28T09:30:00+07:00")
            })
        })
        .transpose()?;
    Ok(NewEvent {
        kind: kind_code,
        village: village_id,
        count,
        note: note.clone(),
        corrects,
        occurred_at,
    })
}

fn print_report(r: &SyncReport) {
    outln!(
        "pushed {} event(s) in {} batch(es): {} accepted, {} duplicate, {} rejected, {} conflict",
        r.pushed,
        r.batches,
        r.accepted,
        r.duplicate,
        r.rejected,
        r.conflict
    );
    if r.waiting > 0 {
        outln!(
            "{} correction(s) wait for their target to reach the server: sent again at the next sync",
            r.waiting
        );
    }
    outln!(
        "pulled {} change(s); {} still queued; {} request(s), {} retried{}{}",
        r.pulled,
        r.queued,
        r.requests,
        r.retries,
        if r.refreshed { "; token refreshed" } else { "" },
        if r.generation_changed {
            "; server was restored: held events pushed again"
        } else {
            ""
        }
    );
}

fn print_problems(problems: &[langso_client::HeldEvent]) {
    if problems.is_empty() {
        return;
    }
    outln!("needs your attention ({}):", problems.len());
    for p in problems {
        outln!(
            "  {} seq {} {} ×{} at {} on {}: {} {}: {}",
            p.event_id,
            p.seq,
            p.kind,
            p.count,
            p.village_id,
            p.occurred_at,
            p.state.as_str(),
            p.code.as_deref().unwrap_or_default(),
            p.message.as_deref().unwrap_or_default()
        );
    }
    outln!("fix by recording a new event, or `langso field dismiss EVENT_ID`");
}

fn print_status(s: &Status) {
    match (&s.device_id, &s.server) {
        (Some(d), Some(server)) => outln!(
            "device {d} (member {}, team {}) syncing with {server}",
            s.member_id.as_deref().unwrap_or("?"),
            s.team_id.as_deref().unwrap_or("?")
        ),
        _ => outln!("not enrolled: run `langso field enroll --server URL --code CODE`"),
    }
    outln!("queued: {} event(s) waiting to sync", s.queued);
    if s.waiting > 0 {
        outln!(
            "waiting: {} correction(s) whose target has not reached the server yet",
            s.waiting
        );
    }
    outln!("held: {} event(s) on this device", s.held);
    outln!("last sync: {}", s.last_sync.as_deref().unwrap_or("never"));
    outln!(
        "server generation: {}",
        s.generation.as_deref().unwrap_or("unknown")
    );
    if let Some(t) = &s.team_totals
        && let Some(today) = t["today"]["totals"].as_object()
        && !today.is_empty()
    {
        let parts: Vec<String> = today.iter().map(|(k, v)| format!("{k} {v}")).collect();
        outln!("team today: {}", parts.join(", "));
    }
    print_problems(&s.problems);
}
