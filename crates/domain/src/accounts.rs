//! User accounts as an admin manages them.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use crate::passwords;
use weijian_store::ids::{EntityId, UnitId, UserId};
use weijian_store::users::{self, NewUser, User};
use weijian_store::{entities, units, Actor, Role, Store};

pub struct CreateUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    /// Staff belong to a unit; institution users to a supervised entity.
    pub unit_id: Option<UnitId>,
    pub entity_id: Option<EntityId>,
    pub phone: Option<String>,
    /// None: a password is generated. Either way it must be changed at first sign-in.
    pub password: Option<String>,
}

pub struct Created {
    pub user: User,
    /// The initial password, to hand to the person once.
    pub initial_password: String,
}

pub fn check_username(username: &str) -> DomainResult<()> {
    let ok = (3..=32).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        && username.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "user.invalid_username",
            "username",
            "用户名须为3至32位小写字母、数字、下划线、点或连字符，且以字母开头",
        ))
    }
}

pub async fn create(store: &Store, actor: &Actor, input: CreateUser) -> DomainResult<Created> {
    create_with(store, actor, input, true).await
}

/// As [`create`]; `must_change` false only for accounts whose password the operator chose
/// and handed over by a channel of their own (the demo).
pub async fn create_with(store: &Store, actor: &Actor, input: CreateUser, must_change: bool) -> DomainResult<Created> {
    require(actor, Permission::ManageUsers)?;
    check_username(&input.username)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(DomainError::invalid("user.invalid_name", "name", "姓名不能为空且不超过50个字"));
    }
    let region_code = match (input.role, input.unit_id, input.entity_id) {
        (Role::Institution, _, Some(entity)) => entities::get(store, actor, entity).await?.data.region_code,
        (Role::Institution, _, None) => {
            return Err(DomainError::invalid("user.entity_required", "entity_id", "机构用户须关联一个监管对象"))
        }
        (_, Some(unit), _) => units::get(store, actor, unit).await?.region_code,
        (_, None, _) => return Err(DomainError::invalid("user.unit_required", "unit_id", "工作人员须属于一个单位")),
    };
    let password = match input.password {
        Some(p) => {
            passwords::check_policy(&p, &input.username)?;
            p
        }
        None => passwords::generate(),
    };
    let user = users::create(
        store,
        actor,
        NewUser {
            username: &input.username,
            name,
            role: input.role,
            region_code: &region_code,
            unit_id: if input.role == Role::Institution { None } else { input.unit_id },
            section_id: None,
            entity_id: if input.role == Role::Institution { input.entity_id } else { None },
            phone: input.phone.as_deref(),
            password_hash: &passwords::hash(&password),
            must_change_password: must_change,
        },
    )
    .await?;
    Ok(Created { user, initial_password: password })
}

pub async fn get(store: &Store, actor: &Actor, id: UserId) -> DomainResult<User> {
    require(actor, Permission::ViewUsers)?;
    Ok(users::get(store, actor, id).await?)
}

pub async fn list(store: &Store, actor: &Actor) -> DomainResult<Vec<User>> {
    require(actor, Permission::ViewUsers)?;
    Ok(users::list(store, actor).await?)
}

/// An admin resets a password: a new one is generated and must be changed at next sign-in.
pub async fn reset_password(store: &Store, actor: &Actor, id: UserId) -> DomainResult<String> {
    require(actor, Permission::ManageUsers)?;
    let password = passwords::generate();
    users::set_password(store, actor, id, &passwords::hash(&password), true).await?;
    Ok(password)
}
