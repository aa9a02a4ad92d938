//! `/api/v1/diff?a=ADDR&b=ADDR&ignore=case,whitespace,typography,markup`:
//! the diff model of any two addresses (what `vellum diff --json` prints).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::Params;
use super::problem::ApiError;
use super::respond::{Json, json_response, with_archive};
use crate::diff::DiffOptions;
use crate::store::Address;
use crate::web::app::{App, DIFF_DEADLINE};

/// The normalizations `ignore` may name.
pub const IGNORE: &[&str] = &["case", "whitespace", "typography", "markup"];

/// Longest address read (names are at most 128 bytes, a time a few dozen;
/// an archived URL may be longer).
const MAX_ADDR: usize = 2048;

fn address(p: &Params, key: &str) -> Result<Address, ApiError> {
    let v = p.required(key, "DOC@1")?;
    if v.len() > MAX_ADDR {
        return Err(ApiError::invalid(format!(
            "{key} is {} bytes long; an address is DOC, DOC@N, DOC@-K, DOC@TIME, a capture id or an archived URL",
            v.len()
        )));
    }
    // A relative time (DOC@1d) counts back from the clock (`VELLUM_NOW`, else the system's).
    Ok(crate::when::anchored(v).parse::<Address>()?)
}

/// The diff options `ignore` (a comma-separated list) names; the diff
/// engine's deadline bounds the time one request may take.
pub fn options(ignore: Option<&str>) -> Result<DiffOptions, ApiError> {
    let mut o = DiffOptions {
        deadline: Some(DIFF_DEADLINE),
        ..DiffOptions::default()
    };
    for word in ignore.unwrap_or("").split(',').map(str::trim) {
        match word {
            "" => {}
            "case" => o.ignore_case = true,
            "whitespace" => o.ignore_whitespace = true,
            "typography" => o.ignore_typography = true,
            "markup" => o.ignore_markup = true,
            other => {
                return Err(ApiError::invalid(format!(
                    "ignore={:?}: name any of {} (comma-separated)",
                    other.chars().take(40).collect::<String>(),
                    IGNORE.join(", ")
                )));
            }
        }
    }
    Ok(o)
}

pub async fn diff(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["a", "b", "ignore"])?;
    let (a, b) = (address(&p, "a")?, address(&p, "b")?);
    let opts = options(p.get("ignore"))?;
    let json = with_archive(&app, move |_, archive| {
        let d = crate::query::diff_addresses(archive, &a, &b, &opts)?;
        let (old, new) = (d.old.rendered(), d.new.rendered());
        Json::of(&crate::render::json::Document::new(&d.diff, &old, &new))
    })
    .await?;
    Ok(json_response(&req, json, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_names_normalizations() {
        let o = options(Some("case, markup")).unwrap();
        assert!(o.ignore_case && o.ignore_markup && !o.ignore_whitespace);
        assert_eq!(o.deadline, Some(DIFF_DEADLINE));
        assert!(options(Some("case,colour")).is_err());
        assert!(!options(None).unwrap().ignore_case);
    }
}
