//! Response headers every answer of `serve` shares: the security headers
//! and the cache lifetime of immutable content.

use axum::http::{HeaderMap, HeaderValue, header};

/// The cache lifetime of what never changes (a capture's bytes, its text).
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Sets the headers that keep a browser from running or framing anything
/// the archive serves: the content security policy `csp`, no sniffing, no
/// referrer.
pub fn secure(h: &mut HeaderMap, csp: &'static str) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}
