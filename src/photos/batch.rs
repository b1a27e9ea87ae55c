//! A batch of face photos (`importFacePhotos`): files named `[Employee ID].jpg|.jpeg|.png`
//! matched to employees, normalised a bounded number at a time, stored, and reported in the
//! order sent. A bad file fails alone.

use std::collections::HashMap;

use entity::employee;
use futures_util::StreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    decode::{FacePhotoRejection, normalize_all},
    service::{IncomingFile, Outcome, code_from_file_name, store},
};
use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// One file of the batch as it goes through.
struct Entry {
    name: String,
    code: Option<String>,
    outcome: Option<Outcome>,
}

/// Imports a batch for the company. `on_file` is called as each file finishes.
pub async fn import(
    app: &AppState,
    company_id: Uuid,
    uploaded_by: Option<Uuid>,
    files: Vec<IncomingFile>,
    on_file: &(dyn Fn(&str, &Outcome) + Sync),
) -> ApiResult<Vec<(String, Outcome)>> {
    let mut entries: Vec<Entry> = files
        .iter()
        .map(|file| match code_from_file_name(&file.name) {
            Ok(code) => Entry {
                name: file.name.clone(),
                code: Some(code),
                outcome: None,
            },
            Err(rejection) => Entry {
                name: file.name.clone(),
                code: None,
                outcome: Some(Err(rejection)),
            },
        })
        .collect();
    let mut per_code: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if let Some(code) = &entry.code {
            per_code.entry(code.clone()).or_default().push(i);
        }
    }
    for indices in per_code.values().filter(|v| v.len() > 1) {
        let listed = indices
            .iter()
            .filter_map(|i| entries.get(*i))
            .map(|e| e.name.trim())
            .collect::<Vec<_>>()
            .join(", ");
        for i in indices {
            if let Some(entry) = entries.get_mut(*i) {
                entry.outcome = Some(Err((
                    FacePhotoRejection::DuplicateInBatch,
                    format!(
                        "several files for the same employee in this batch ({listed}); send one"
                    ),
                )));
            }
        }
    }
    let wanted: Vec<String> = per_code
        .iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(c, _)| c.clone())
        .collect();
    let employees: HashMap<String, employee::Model> = employee::Entity::find()
        .filter(employee::Column::CompanyId.eq(company_id))
        .filter(employee::Column::EmployeeCodeKey.is_in(wanted))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|e| (e.employee_code_key.clone(), e))
        .collect();

    let mut todo = Vec::new();
    let mut todo_files = Vec::new();
    for ((i, entry), file) in entries.iter_mut().enumerate().zip(files) {
        if entry.outcome.is_some() {
            continue;
        }
        let Some(code) = &entry.code else { continue };
        match employees.get(code) {
            Some(employee) => {
                todo.push((i, employee.clone()));
                todo_files.push(file);
            }
            None => {
                entry.outcome = Some(Err((
                    FacePhotoRejection::UnknownEmployee,
                    format!(
                        "no employee has the ID {:?}",
                        code_from_name_display(&entry.name)
                    ),
                )))
            }
        }
    }
    for entry in &entries {
        if let Some(outcome) = &entry.outcome {
            on_file(&entry.name, outcome);
        }
    }
    let mut normalized = std::pin::pin!(normalize_all(app, todo_files));
    for (i, employee) in todo {
        let Some(result) = normalized.next().await else {
            break;
        };
        let Some(entry) = entries.get_mut(i) else {
            continue;
        };
        let outcome = match result {
            // A storage failure fails this file only; the others go on.
            Ok(photo) => store(app, employee, photo, &entry.name, uploaded_by)
                .await
                .map_err(|e| {
                    if let ApiError::Internal(cause) = &e {
                        tracing::error!(
                            error = format!("{cause:#}"),
                            file = entry.name,
                            "storing a face photo failed"
                        );
                    }
                    (
                        FacePhotoRejection::StorageFailed,
                        "the photo could not be stored; send it again".to_owned(),
                    )
                }),
            Err(rejection) => Err(rejection),
        };
        on_file(&entry.name, &outcome);
        entry.outcome = Some(outcome);
    }
    Ok(entries
        .into_iter()
        .map(|entry| {
            (
                entry.name,
                entry.outcome.unwrap_or_else(|| {
                    Err((
                        FacePhotoRejection::UnreadableImage,
                        "not processed".to_owned(),
                    ))
                }),
            )
        })
        .collect())
}

fn code_from_name_display(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    base.rsplit_once('.')
        .map_or(base, |(stem, _)| stem)
        .trim()
        .to_owned()
}
