//! Checks responses against api-spec/openapi.yaml, the contract phones code against.
//!
//! The spec is loaded once. A response is checked by finding the operation (path template
//! and method), then the response for the status (exact, then `4XX`-style range, then
//! `default`; an undocumented status fails), and validating the body against its
//! `application/json` schema with JSON Schema 2020-12 (formats asserted). `$ref`s into
//! `#/components/...` resolve because the schema is wrapped in a document that carries the
//! spec's `components` at its root.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Where the spec lives, relative to this crate.
pub fn spec_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api-spec/openapi.yaml")
}

/// The parsed spec (loaded and parsed once per process).
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_yaml::from_str::<Value>(&text)
            .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
    })
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every documented operation as (upper-case method, path template), sorted.
pub fn documented_operations() -> Vec<(String, String)> {
    let mut ops = Vec::new();
    if let Some(paths) = spec().get("paths").and_then(Value::as_object) {
        for (template, item) in paths {
            for m in METHODS {
                if item.get(m).is_some() {
                    ops.push((m.to_ascii_uppercase(), template.clone()));
                }
            }
        }
    }
    ops.sort();
    ops
}

/// Resolves a local `$ref` (`#/a/b`) against the spec; other values are returned as is.
fn deref(v: &Value) -> &Value {
    let mut v = v;
    for _ in 0..16 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            return v;
        };
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $refs are supported in the spec, got {r}"));
        v = spec()
            .pointer(pointer)
            .unwrap_or_else(|| panic!("$ref {r} does not resolve in the spec"));
    }
    panic!("$ref chain too long in the spec")
}

/// The spec's path template matching a concrete path (query string ignored). Literal
/// segments beat `{param}` segments when several templates match.
pub fn match_path(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segs: Vec<&str> = path.split('/').collect();
    let paths = spec().get("paths")?.as_object()?;
    paths
        .keys()
        .filter_map(|template| {
            let tsegs: Vec<&str> = template.split('/').collect();
            if tsegs.len() != segs.len() {
                return None;
            }
            let mut literal = 0usize;
            for (t, s) in tsegs.iter().zip(&segs) {
                if t.starts_with('{') && t.ends_with('}') {
                    if s.is_empty() {
                        return None;
                    }
                } else if t == s {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, template))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, t)| t.clone())
}

/// The response object documented for `status` (exact, `NXX` range, then `default`).
fn response_for(responses: &Value, status: u16) -> Option<(&Value, String)> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    for key in [exact.as_str(), range.as_str(), "default"] {
        if let Some(r) = responses.get(key) {
            return Some((deref(r), key.to_owned()));
        }
    }
    None
}

/// A validator for `schema` (a schema object from the spec), with the spec's components
/// reachable at `#/components`.
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    let mut wrapper = json!({ "allOf": [schema] });
    if let Some(components) = spec().get("components") {
        wrapper["components"] = components.clone();
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&wrapper)
        .map_err(|e| format!("the schema does not compile: {e}"))
}

/// The validation errors of `body` against `schema`, each as "at <instance path>: <error>".
pub fn errors_against(schema: &Value, body: &Value) -> Result<Vec<String>, String> {
    let validator = compile(schema)?;
    Ok(collect_errors(&validator, body))
}

fn collect_errors(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    validator
        .iter_errors(body)
        .map(|e| {
            let at = e.instance_path.as_str();
            let at = if at.is_empty() { "(root)" } else { at };
            format!("at {at}: {e} (schema {})", e.schema_path)
        })
        .collect()
}

/// Compiled validators, per (method, template, response key).
fn validators() -> &'static Mutex<HashMap<String, Arc<jsonschema::Validator>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The body for a failure message, cut at 16 KiB (a pull page can be large).
fn pretty(body: &Value) -> String {
    const MAX: usize = 16 * 1024;
    let text = serde_json::to_string_pretty(body).unwrap_or_else(|_| body.to_string());
    if text.len() <= MAX {
        return text;
    }
    let mut cut = MAX;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n... ({} more bytes)", &text[..cut], text.len() - cut)
}

/// Panics with a clear message if `body`, answered with `status` to `method path`, does not
/// match the response schema in api-spec/openapi.yaml. `path` is the concrete request path
/// (a query string is allowed and ignored); it is matched against the spec's paths.
pub fn assert_conforms(method: &str, path: &str, status: u16, body: &serde_json::Value) {
    let method_lc = method.to_ascii_lowercase();
    let upper = method.to_ascii_uppercase();
    let fail = |why: String| -> ! {
        panic!(
            "{upper} {path} answered {status}: {why}\nbody: {}",
            pretty(body)
        )
    };
    let Some(template) = match_path(path) else {
        fail("no path of api-spec/openapi.yaml matches".into())
    };
    let item = deref(&spec()["paths"][&template]);
    let Some(op) = item.get(&method_lc) else {
        fail(format!("{template} documents no {upper} operation"))
    };
    let Some((response, key)) = op.get("responses").and_then(|r| response_for(r, status)) else {
        fail(format!(
            "status {status} is not documented for {upper} {template} (and no default response)"
        ))
    };
    // A text answer (GET /metrics) is checked against its text/plain schema.
    let text = (body.is_string())
        .then(|| response.pointer("/content/text~1plain/schema"))
        .flatten();
    let Some(schema) = text.or_else(|| response.pointer("/content/application~1json/schema"))
    else {
        if response.get("content").is_none() && body.is_null() {
            return;
        }
        fail(format!(
            "response {key} of {upper} {template} documents no application/json schema"
        ))
    };
    let cache_key = format!("{upper} {template} {key}");
    let validator = {
        let cached = validators()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&cache_key)
            .cloned();
        match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(compile(schema).unwrap_or_else(|e| {
                    fail(format!("response {key} of {upper} {template}: {e}"))
                }));
                validators()
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(cache_key, v.clone());
                v
            }
        }
    };
    let errors = collect_errors(&validator, body);
    if !errors.is_empty() {
        fail(format!(
            "the body does not match response {key} of {upper} {template} in api-spec/openapi.yaml:\n  {}",
            errors.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests;
