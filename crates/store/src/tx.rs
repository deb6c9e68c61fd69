use crate::{StoreError, StoreResult};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

/// A write transaction. It refuses to commit a state change that wrote no
/// audit event, so "every change is audited" holds by construction.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    pub(crate) audited: bool,
}

impl WriteTx {
    pub(crate) async fn begin(pool: &AnyPool) -> StoreResult<WriteTx> {
        Ok(WriteTx { tx: pool.begin().await?, audited: false })
    }

    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> StoreResult<()> {
        if !self.audited {
            // Dropping the transaction rolls it back.
            return Err(StoreError::Corrupt("状态变更未写入审计事件，已回滚".into()));
        }
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
