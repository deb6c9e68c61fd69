//! Enforcement documents (执法文书) for the modules that issue them: the
//! document number (文号), taken in the issuing transaction, and the PDF.
//!
//! A module issuing, say, a 卫生监督意见书 does, in one transaction:
//! `let n = documents::allocate_number(&mut tx, actor, unit, DocumentKind::SupervisionOpinion, date, "inspection", id)`,
//! stores `n.doc_number` with its record and commits; the PDF is rendered from
//! the stored data whenever it is asked for (the same data gives the same bytes).

use crate::{DomainError, DomainResult, ErrorKind};
use chrono::{Datelike, NaiveDate};
use std::sync::{Arc, Mutex};
use weijian_store::documents::{self as store_documents, IssuedNumber, Issuer, NumberRequest};
use weijian_store::ids::UnitId;
use weijian_store::{Actor, Store, WriteTx};

pub use weijian_documents::{
    chinese_date, sample_opinion, sample_site_record, CheckResult, CheckRow, DocumentError, FontConfig, Fonts,
    Inspector, Inspectors, OpinionData, Party, PartySignature, PresentPerson, Rectification, SiteRecordData,
};
pub use weijian_rules::documents::{DocNumber, DocumentKind, IssuerCode};

impl From<DocumentError> for DomainError {
    fn from(e: DocumentError) -> Self {
        let kind = match e {
            DocumentError::FontMissing | DocumentError::FontUnusable { .. } => ErrorKind::Unavailable,
            DocumentError::Invalid(_) => ErrorKind::Invalid,
            DocumentError::Pdf(_) => ErrorKind::Internal,
        };
        if kind != ErrorKind::Invalid {
            tracing::error!(error = %e, "document generation failed");
        }
        DomainError::new(kind, e.code(), e.to_string())
    }
}

/// Renders documents with fonts found on first use. A missing font is not
/// remembered: installing fonts-noto-cjk fixes a running server.
pub struct Documents {
    config: FontConfig,
    fonts: Mutex<Option<Arc<Fonts>>>,
}

impl Documents {
    pub fn new(config: FontConfig) -> Documents {
        Documents { config, fonts: Mutex::new(None) }
    }

    pub fn fonts(&self) -> DomainResult<Arc<Fonts>> {
        let mut cached = self.fonts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = cached.as_ref() {
            return Ok(f.clone());
        }
        let fonts = Arc::new(Fonts::discover(&self.config)?);
        *cached = Some(fonts.clone());
        Ok(fonts)
    }

    /// CPU-bound (tens of milliseconds): call it from `spawn_blocking` in a server.
    pub fn supervision_opinion(&self, data: &OpinionData) -> DomainResult<Vec<u8>> {
        Ok(weijian_documents::render_supervision_opinion(&*self.fonts()?, data)?)
    }

    /// CPU-bound, like [`Documents::supervision_opinion`].
    pub fn site_record(&self, data: &SiteRecordData) -> DomainResult<Vec<u8>> {
        Ok(weijian_documents::render_site_record(&*self.fonts()?, data)?)
    }
}

/// Takes the next number for a document of `kind` dated `date`, inside the
/// caller's transaction (rolled back with it), with its audit event.
pub async fn allocate_number(
    tx: &mut WriteTx,
    actor: &Actor,
    unit_id: UnitId,
    kind: DocumentKind,
    date: NaiveDate,
    object_type: &str,
    object_id: String,
) -> DomainResult<IssuedNumber> {
    let req = NumberRequest { unit_id, kind, year: date.year(), object_type, object_id };
    Ok(store_documents::allocate(tx, actor, req).await?)
}

/// Sets a unit's code in document numbers (机关代字, e.g. 枣卫).
pub async fn set_issuer_code(store: &Store, actor: &Actor, unit_id: UnitId, code: &str) -> DomainResult<Issuer> {
    let code = IssuerCode::parse(code).map_err(|e| DomainError::invalid(e.code(), "code", e.to_string()))?;
    Ok(store_documents::set_issuer_code(store, actor, unit_id, &code).await?)
}

/// The unit that numbers `unit_id`'s documents, with its code.
pub async fn issuer_for(store: &Store, actor: &Actor, unit_id: UnitId) -> DomainResult<Issuer> {
    Ok(store_documents::issuer_for(store, actor, unit_id).await?)
}
