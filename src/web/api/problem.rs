//! Errors as `application/problem+json` (RFC 9457): the status comes from
//! the error's [`ErrorKind`]; `detail` says what went wrong and what to do.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::ErrorKind;
use crate::query::paging::PagingError;
use crate::query::{ProofQueryError, SimilarError};
use crate::republish::IndexError;
use crate::search::{SearchError, SearchErrorKind};
use crate::store::{AddressError, StoreError};

/// The media type of an error's body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer (RFC 9457 problem details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(rename = "ProblemDetails")]
pub struct Problem {
    /// `urn:vellum:problem:KIND`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do next.
    pub detail: String,
    /// The error's kind: not_found, ambiguous, damaged, busy,
    /// invalid_input or io.
    pub kind: String,
}

/// Why an API request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub detail: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            detail: detail.into(),
        }
    }

    pub fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::InvalidInput, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::NotFound, detail)
    }

    /// The HTTP status of this kind of error.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Ambiguous => StatusCode::CONFLICT,
            ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorKind::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Damaged | ErrorKind::Io => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem details this error answers with.
    pub fn problem(&self) -> Problem {
        self.problem_as(self.status())
    }

    /// The problem details, answered with `status` rather than the kind's
    /// (405, where the request's method is what is wrong).
    pub fn problem_as(&self, status: StatusCode) -> Problem {
        let kind = serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Problem {
            type_: format!("urn:vellum:problem:{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            kind,
        }
    }

    /// The problem answer with `status`.
    pub fn response_as(&self, status: StatusCode) -> Response {
        let body = serde_json::to_vec(&self.problem_as(status)).unwrap_or_default();
        let mut r = Response::new(Body::from(body));
        *r.status_mut() = status;
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.response_as(self.status())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let advice = match e.kind() {
            ErrorKind::NotFound => " GET /api/v1/documents lists the documents.",
            ErrorKind::Ambiguous => " Use more digits of the capture id.",
            ErrorKind::Busy => " Try again in a moment.",
            ErrorKind::Damaged => {
                " Run `vellum verify` on the store for a full report; `vellum reindex` rebuilds a damaged catalog."
            }
            _ => "",
        };
        ApiError::new(e.kind(), format!("{e}.{advice}"))
    }
}

impl From<AddressError> for ApiError {
    fn from(e: AddressError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<PagingError> for ApiError {
    fn from(e: PagingError) -> Self {
        ApiError::new(e.kind(), e.to_string())
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match (e.kind(), e) {
            (_, SearchError::Store(s)) => s.into(),
            (SearchErrorKind::InvalidQuery, e) => ApiError::invalid(e.to_string()),
            (SearchErrorKind::NotFound, e) => {
                ApiError::not_found(format!("{e}; GET /api/v1/documents lists the documents"))
            }
            (SearchErrorKind::Store, e) => ApiError::new(
                ErrorKind::Damaged,
                format!("{e}; `vellum reindex` rebuilds the search index"),
            ),
        }
    }
}

impl From<SimilarError> for ApiError {
    fn from(e: SimilarError) -> Self {
        match e {
            SimilarError::Store(s) => s.into(),
            e => ApiError::new(e.kind(), e.to_string()),
        }
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        ApiError::new(
            e.kind(),
            format!("similarity index: {e}; `vellum reindex` rebuilds it"),
        )
    }
}

impl From<ProofQueryError> for ApiError {
    fn from(e: ProofQueryError) -> Self {
        match e {
            ProofQueryError::Store(s) => s.into(),
            e => ApiError::new(e.kind(), e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_and_type_follow_the_kind() {
        let p = ApiError::not_found("no such document").problem();
        assert_eq!(
            (
                p.status,
                p.type_.as_str(),
                p.kind.as_str(),
                p.title.as_str()
            ),
            (
                404,
                "urn:vellum:problem:not_found",
                "not_found",
                "Not Found"
            )
        );
        let busy = ApiError::new(ErrorKind::Busy, "later");
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            ApiError::new(ErrorKind::Ambiguous, "x").problem().status,
            409
        );
    }
}
