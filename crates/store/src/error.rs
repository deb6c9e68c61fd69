use thiserror::Error;

/// Typed store errors; the web layer maps them to statuses in one place.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The object does not exist, or lies outside the actor's jurisdiction:
    /// the two are indistinguishable on purpose, so existence does not leak.
    #[error("对象不存在")]
    NotFound,
    /// A write outside what the actor's role and region allow.
    #[error("{0}")]
    Forbidden(String),
    /// A uniqueness or state conflict, with a stable code and Chinese message.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("配置错误：{0}")]
    Config(String),
    #[error("数据损坏：{0}")]
    Corrupt(String),
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(String),
    #[error("文件读写失败：{0}")]
    Io(#[from] std::io::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// A unique-constraint violation becomes the given conflict; anything else stays as it is.
    pub fn on_unique(self, code: &'static str, message: impl FnOnce() -> String) -> StoreError {
        if self.is_unique_violation() {
            StoreError::Conflict { code, message: message() }
        } else {
            self
        }
    }

    /// True when the database rejected a row for a unique constraint, on either backend.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation)
            }
            _ => false,
        }
    }
}
