//! Attachment storage on both backends: content addressing, refusals that
//! leave nothing behind, office documents, linking and the audit trail.

use std::path::Path;
use weijian_rules::attachments::AttachmentKind;
use weijian_store::attachments::{self, BlobDir, UploadError};
use weijian_store::entities::{self, EntityData};
use weijian_store::{audit, both_backends, Actor, Store, StoreError};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn entity(store: &Store) -> entities::Entity {
    weijian_store::testing::regions(store, &weijian_store::testing::TWO_PROVINCES[..3]).await;
    entities::create(store, &Actor::system(), &EntityData::named("131127", "枣强县某诊所")).await.unwrap()
}

async fn upload(
    store: &Store,
    blobs: &BlobDir,
    e: &entities::Entity,
    kind: AttachmentKind,
    chunks: &[&[u8]],
    limit: u64,
) -> Result<attachments::Attachment, UploadError> {
    let mut up = blobs.upload(kind, limit);
    for c in chunks {
        up.push(c).await?;
    }
    let staged = up.finish().await?;
    let owner = attachments::owner_for(store, &Actor::system(), Some(e.id)).await?;
    Ok(attachments::create(store, &Actor::system(), blobs, staged, &owner, "现场.png").await?)
}

/// Every file under the attachments directory.
fn files(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().to_string());
            }
        }
    }
    out.sort();
    out
}

async fn rows(store: &Store) -> i64 {
    sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM attachments").fetch_one(store.reader()).await.unwrap().0
}

/// A minimal ZIP of empty stored entries.
fn zip(names: &[&str]) -> Vec<u8> {
    let (mut out, mut dir) = (Vec::new(), Vec::new());
    for n in names {
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[0; 22]);
        out.extend_from_slice(&(n.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(n.as_bytes());
        dir.extend_from_slice(b"PK\x01\x02");
        dir.extend_from_slice(&[0; 24]);
        dir.extend_from_slice(&(n.len() as u16).to_le_bytes());
        dir.extend_from_slice(&[0; 12]);
        dir.extend_from_slice(&offset.to_le_bytes());
        dir.extend_from_slice(n.as_bytes());
    }
    let dir_offset = out.len() as u32;
    out.extend_from_slice(&dir);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

both_backends! {
    async fn identical_content_is_one_blob_named_by_two_rows(db: &TestDb) {
        let e = entity(&db.store).await;
        let blobs = BlobDir::new(db.dir.join("attachments"));
        // Chunks split inside the sniffed head still make one file.
        let a = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[&PNG[..5], &PNG[5..]], 1024).await.unwrap();
        let b = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[PNG], 1024).await.unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(a.sha256, b.sha256);
        let h = a.sha256.as_str();
        assert_eq!(files(blobs.root()), vec![format!("sha256/{}/{}/{h}", &h[..2], &h[2..4])]);
        assert_eq!(std::fs::read(blobs.path_of(&a.sha256)).unwrap(), PNG);
        assert_eq!((a.media_type.as_str(), a.size), ("image/png", PNG.len() as i64));
        assert_eq!(rows(&db.store).await, 2);
    }

    async fn the_upload_audit_event_carries_the_hash(db: &TestDb) {
        let e = entity(&db.store).await;
        let blobs = BlobDir::new(db.dir.join("attachments"));
        let a = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[PNG], 1024).await.unwrap();
        let events = audit::history(&db.store, &Actor::system(), "attachment", &a.id.to_string()).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "attachment.upload");
        assert!(events[0].summary.contains(a.sha256.as_str()), "{}", events[0].summary);
        let after = serde_json::to_value(&a).unwrap();
        assert_eq!(after["sha256"], a.sha256.as_str());
        assert_eq!(events[0].after_digest.as_deref(), Some(audit::digest(&after).as_str()));
    }

    async fn refusals_leave_no_row_and_no_file(db: &TestDb) {
        let e = entity(&db.store).await;
        let blobs = BlobDir::new(db.dir.join("attachments"));
        let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
        pe.resize(512, 0);
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        let r = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[&pe], 1024).await;
        assert!(matches!(r, Err(UploadError::Refused(ref x)) if x.code() == "attachment.unsupported_type"), "{r:?}");
        let r = upload(&db.store, &blobs, &e, AttachmentKind::Audio, &[PNG], 1024).await;
        assert!(matches!(r, Err(UploadError::Refused(ref x)) if x.code() == "attachment.type_mismatch"), "{r:?}");
        // Over the limit in the third chunk: refused there, the partial file removed.
        let big = vec![0xAB; 400];
        let r = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[PNG, &big, &big, &big], 1024).await;
        assert!(matches!(r, Err(UploadError::TooLarge { limit: 1024, .. })), "{r:?}");
        let r = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[], 1024).await;
        assert!(matches!(r, Err(UploadError::Empty)), "{r:?}");
        assert_eq!(files(blobs.root()), Vec::<String>::new());
        assert_eq!(rows(&db.store).await, 0);
    }

    async fn office_documents_are_accepted_only_without_macros(db: &TestDb) {
        let e = entity(&db.store).await;
        let blobs = BlobDir::new(db.dir.join("attachments"));
        let docx = zip(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        let a = upload(&db.store, &blobs, &e, AttachmentKind::Document, &[&docx], 4096).await.unwrap();
        assert_eq!(a.media_type, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        let docm = zip(&["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"]);
        let r = upload(&db.store, &blobs, &e, AttachmentKind::Document, &[&docm], 4096).await;
        assert!(matches!(r, Err(UploadError::Refused(_))), "{r:?}");
        let archive = zip(&["payload.exe"]);
        let r = upload(&db.store, &blobs, &e, AttachmentKind::Document, &[&archive], 4096).await;
        assert!(matches!(r, Err(UploadError::Refused(_))), "{r:?}");
        assert_eq!(rows(&db.store).await, 1);
        assert_eq!(files(blobs.root()).len(), 1);
    }

    async fn an_attachment_links_to_one_record_only(db: &TestDb) {
        let e = entity(&db.store).await;
        let blobs = BlobDir::new(db.dir.join("attachments"));
        let a = upload(&db.store, &blobs, &e, AttachmentKind::Photo, &[PNG], 1024).await.unwrap();
        let sys = Actor::system();
        let mut tx = db.store.begin().await.unwrap();
        let linked = attachments::link(&mut tx, &sys, a.id, "inspection", "insp-1").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((linked.owner_type.as_deref(), linked.owner_id.as_deref()), (Some("inspection"), Some("insp-1")));
        let of = attachments::of_owner(&db.store, &sys, "inspection", "insp-1").await.unwrap();
        assert_eq!(of.iter().map(|x| x.id).collect::<Vec<_>>(), vec![a.id]);
        let mut tx = db.store.begin().await.unwrap();
        let err = attachments::link(&mut tx, &sys, a.id, "rectification", "r-1").await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { code: "attachment.already_linked", .. }), "{err:?}");
        tx.rollback().await.unwrap();
    }
}

#[test]
fn blob_paths_come_from_the_hash_alone() {
    let blobs = BlobDir::new("/var/lib/weijian/attachments");
    let h: attachments::Sha256Hex = "ab".repeat(32).parse().unwrap();
    assert_eq!(blobs.path_of(&h), Path::new("/var/lib/weijian/attachments/sha256/ab/ab").join("ab".repeat(32)));
    for bad in ["../../etc/passwd", &"AB".repeat(32), &"ab".repeat(31), &format!("{}/x", "a".repeat(62))] {
        assert!(bad.parse::<attachments::Sha256Hex>().is_err(), "{bad}");
    }
}
