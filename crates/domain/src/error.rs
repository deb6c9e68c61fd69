use weijian_store::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Throttled,
    /// Something the machine lacks (e.g. a CJK font): the operator can fix it.
    Unavailable,
    Internal,
}

/// A use case's failure: a kind (the web layer maps it to a status), a stable
/// code `area.reason`, a Chinese message, and the offending field if any.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DomainError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        DomainError { kind, code, message: message.into(), field: None }
    }

    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        DomainError { kind: ErrorKind::Invalid, code, message: message.into(), field: Some(field.to_string()) }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        DomainError::new(ErrorKind::Forbidden, "auth.forbidden", message)
    }

    pub fn not_found() -> Self {
        DomainError::new(ErrorKind::NotFound, "not_found", "对象不存在或不在您的辖区内")
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => DomainError::not_found(),
            StoreError::Forbidden(m) => DomainError::new(ErrorKind::Forbidden, "jurisdiction.forbidden", m),
            StoreError::Conflict { code, message } => DomainError::new(ErrorKind::Conflict, code, message),
            other => {
                tracing::error!(error = %other, "store failure");
                DomainError::new(ErrorKind::Internal, "internal", "服务器内部错误，请稍后重试")
            }
        }
    }
}
