//! Import and export of the registries (监管对象, 许可证, 医务人员, 执法人员)
//! and of responsibility lists (权责清单) as CSV and XLSX files.
//!
//! An import reads the whole file, validates EVERY row (and the file: its
//! headers, keys repeated within it), and writes nothing unless the file is
//! clean — or, when the user chose `clean_rows_only`, only the rows without
//! problems. Writes go in batches, one transaction and one audit event per
//! batch, and are idempotent on each registry's natural key: importing the
//! same file twice creates nothing the second time. Imports run as background
//! jobs whose progress is kept in `import_jobs`.

pub mod duty_lists;
pub mod entities;
pub mod file;
pub mod holders;
pub mod inspectors;
pub mod jobs;
pub mod licences;
pub mod practitioners;
pub mod report;
pub mod sheet;

pub use file::{FileError, Format, Table};
pub use jobs::{Import, Mode, Progress, Scope};
pub use sheet::{Column, ExportQuery, RowProblem, Sheet};

use weijian_domain::authz::{require, Permission};
use weijian_domain::{DomainError, DomainResult};
use weijian_store::{Actor, Store};

/// The registries that can be imported and exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Entities,
    Licences,
    Practitioners,
    Inspectors,
    /// One unit's list version at a time (see [`duty_lists`]).
    DutyLists,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Entities, Kind::Licences, Kind::Practitioners, Kind::Inspectors, Kind::DutyLists];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Entities => "entities",
            Kind::Licences => "licences",
            Kind::Practitioners => "practitioners",
            Kind::Inspectors => "inspectors",
            Kind::DutyLists => "duty-lists",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Entities => entities::EntitySheet.label(),
            Kind::Licences => licences::LicenceSheet.label(),
            Kind::Practitioners => practitioners::PractitionerSheet.label(),
            Kind::Inspectors => inspectors::InspectorSheet.label(),
            Kind::DutyLists => duty_lists::LABEL,
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn columns(self) -> Vec<Column> {
        match self {
            Kind::Entities => entities::EntitySheet.columns(),
            Kind::Licences => licences::LicenceSheet.columns(),
            Kind::Practitioners => practitioners::PractitionerSheet.columns(),
            Kind::Inspectors => inspectors::InspectorSheet.columns(),
            Kind::DutyLists => duty_lists::columns(),
        }
    }

    /// Who may import this kind: the registry's managers; the inspector
    /// directory's keepers for inspectors; the duty lists' editors for them.
    pub fn manage_permission(self) -> Permission {
        match self {
            Kind::Inspectors => Permission::ManageInspectors,
            Kind::DutyLists => Permission::ManageDutyLists,
            _ => Permission::ManageRegistry,
        }
    }

    /// Who may export this kind.
    pub fn view_permission(self) -> Permission {
        match self {
            Kind::DutyLists => Permission::ViewDutyLists,
            _ => Permission::ViewRegistry,
        }
    }

    /// Whether the actor may import some kind (and so follow import jobs).
    pub fn any_importable(actor: &Actor) -> bool {
        Kind::ALL.iter().any(|k| weijian_domain::authz::allows(actor, k.manage_permission()))
    }

    pub fn headers(self) -> Vec<String> {
        self.columns().into_iter().map(|c| c.header).collect()
    }

    fn example(self) -> Vec<String> {
        match self {
            Kind::Entities => entities::EntitySheet.example(),
            Kind::Licences => licences::LicenceSheet.example(),
            Kind::Practitioners => practitioners::PractitionerSheet.example(),
            Kind::Inspectors => inspectors::InspectorSheet.example(),
            Kind::DutyLists => duty_lists::example_rows().into_iter().next().unwrap_or_default(),
        }
    }
}

/// A file to download: its name, content type and bytes.
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

fn file_error(e: FileError) -> DomainError {
    DomainError::invalid(e.code, "file", e.message)
}

/// The template of a kind: the header row and one example row.
/// Duty lists: a worksheet per part in XLSX, the stacked parts in CSV.
pub fn template(kind: Kind, format: Format) -> DomainResult<Download> {
    let bytes = match (kind, format) {
        (Kind::DutyLists, Format::Xlsx) => duty_lists::workbook(None),
        (Kind::DutyLists, Format::Csv) => Ok(file::write_csv(&kind.headers(), &duty_lists::example_rows())),
        _ => file::write(format, kind.label(), &kind.headers(), &[kind.example()]),
    }
    .map_err(file_error)?;
    Ok(Download {
        file_name: format!("{}导入模板.{}", kind.label(), format.extension()),
        content_type: format.content_type(),
        bytes,
    })
}

/// Everything of a kind the actor may see, filtered, as a file that imports
/// back unchanged — except practitioners, whose 身份证号 are exported masked.
/// Duty lists: one version (`duty_list_id`, else the newest of `unit_id`).
pub async fn export(
    store: &Store,
    actor: &Actor,
    kind: Kind,
    format: Format,
    query: &ExportQuery,
) -> DomainResult<Download> {
    require(actor, kind.view_permission())?;
    let rows = match kind {
        Kind::Entities => entities::EntitySheet.export(store, actor, query).await?,
        Kind::Licences => licences::LicenceSheet.export(store, actor, query).await?,
        Kind::Practitioners => practitioners::PractitionerSheet.export(store, actor, query).await?,
        Kind::Inspectors => inspectors::InspectorSheet.export(store, actor, query).await?,
        Kind::DutyLists => return export_duty_list(store, actor, format, query).await,
    };
    let bytes = file::write(format, kind.label(), &kind.headers(), &rows).map_err(file_error)?;
    let stamp = weijian_domain::input::today().format("%Y%m%d");
    Ok(Download {
        file_name: format!("{}{stamp}.{}", kind.label(), format.extension()),
        content_type: format.content_type(),
        bytes,
    })
}

async fn export_duty_list(store: &Store, actor: &Actor, format: Format, query: &ExportQuery) -> DomainResult<Download> {
    let list = duty_lists::version_to_export(store, actor, query).await?;
    let bytes = match format {
        Format::Xlsx => duty_lists::workbook(Some(&list.content)).map_err(file_error)?,
        Format::Csv => file::write_csv(&duty_lists::headers(), &duty_lists::all_rows(&list.content)),
    };
    let state = if list.is_published() { "" } else { "草稿" };
    Ok(Download {
        file_name: format!("{}权责清单第{}版{state}.{}", list.unit_name, list.version_no, format.extension()),
        content_type: format.content_type(),
        bytes,
    })
}
