//! Signing in and out, sessions, API tokens, throttling.

use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::passwords;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use weijian_store::audit::Change;
use weijian_store::ids::{TokenId, UserId};
use weijian_store::sessions::{self, NewSession};
use weijian_store::users::{self, User, UserStatus};
use weijian_store::{login_failures, time, tokens, Actor, Store};

#[derive(Clone, Debug)]
pub struct AuthPolicy {
    /// A session unused this long expires.
    pub idle: Duration,
    /// A session expires this long after sign-in, however active.
    pub absolute: Duration,
    pub max_failures_per_account: i64,
    pub max_failures_per_ip: i64,
    pub failure_window: Duration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            idle: Duration::minutes(120),
            absolute: Duration::hours(12),
            max_failures_per_account: 5,
            max_failures_per_ip: 30,
            failure_window: Duration::minutes(15),
        }
    }
}

/// Where a request came from; carried into audit events.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

pub struct SignedIn {
    /// The raw session token for the cookie; only its hash is stored.
    pub session_token: String,
    pub csrf_token: String,
    pub user: User,
}

fn invalid_credentials() -> DomainError {
    DomainError::new(ErrorKind::Unauthorized, "auth.invalid_credentials", "用户名或密码错误")
}

pub async fn login(
    store: &Store,
    policy: &AuthPolicy,
    username: &str,
    password: &str,
    origin: &Origin,
) -> DomainResult<SignedIn> {
    let ip = origin.ip.clone().unwrap_or_default();
    let (by_user, by_ip) =
        login_failures::count_since(store, username, &ip, time::now() - policy.failure_window).await?;
    if by_user >= policy.max_failures_per_account || by_ip >= policy.max_failures_per_ip {
        return Err(DomainError::new(
            ErrorKind::Throttled,
            "auth.too_many_attempts",
            format!("登录失败次数过多，请{}分钟后再试", policy.failure_window.num_minutes()),
        ));
    }
    let found = users::credentials(store, username).await?;
    let user = match found {
        Some((user, hash)) if passwords::verify(password, &hash) && user.status == UserStatus::Active => user,
        Some(_) => {
            login_failures::record(store, username, &ip).await?;
            return Err(invalid_credentials());
        }
        None => {
            passwords::verify_dummy(password);
            login_failures::record(store, username, &ip).await?;
            return Err(invalid_credentials());
        }
    };
    login_failures::clear_user(store, username).await?;
    start_session(store, policy, user, origin, "auth.login", "登录").await
}

async fn start_session(
    store: &Store,
    policy: &AuthPolicy,
    user: User,
    origin: &Origin,
    action: &str,
    verb: &str,
) -> DomainResult<SignedIn> {
    let (_, actor) = users::actor_for(store, user.id, origin.ip.clone(), origin.request_id.clone()).await?;
    let session_token = passwords::random_token();
    let csrf_token = passwords::random_token();
    let now = time::now();
    let mut tx = store.begin().await?;
    sessions::insert(
        &mut tx,
        NewSession {
            id_hash: &passwords::sha256_hex(&session_token),
            user_id: user.id,
            csrf_token: &csrf_token,
            now,
            expires_at: now + policy.absolute,
            ip: origin.ip.as_deref(),
            user_agent: origin.user_agent.as_deref(),
        },
    )
    .await?;
    tx.audit(
        &actor,
        Change {
            action,
            object_type: "user",
            object_id: user.id.to_string(),
            region_code: Some(user.region_code.clone()),
            summary: format!("{} {}", user.username, verb),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SignedIn { session_token, csrf_token, user })
}

/// A signed-in request's identity.
pub struct Authenticated {
    pub user: User,
    pub actor: Actor,
    /// Set for cookie sessions (CSRF applies); None for API tokens.
    pub session: Option<SessionInfo>,
}

pub struct SessionInfo {
    pub id_hash: String,
    pub csrf_token: String,
}

fn expired() -> DomainError {
    DomainError::new(ErrorKind::Unauthorized, "auth.session_expired", "登录已过期，请重新登录")
}

pub async fn authenticate_session(
    store: &Store,
    policy: &AuthPolicy,
    token: &str,
    origin: &Origin,
) -> DomainResult<Authenticated> {
    authenticate_session_at(store, policy, token, origin, time::now()).await
}

/// As [`authenticate_session`], at a given instant (tests move the clock).
pub async fn authenticate_session_at(
    store: &Store,
    policy: &AuthPolicy,
    token: &str,
    origin: &Origin,
    now: DateTime<Utc>,
) -> DomainResult<Authenticated> {
    let id_hash = passwords::sha256_hex(token);
    let s = sessions::find(store, &id_hash).await?.ok_or_else(expired)?;
    if s.revoked || now >= s.expires_at || now - s.last_seen_at >= policy.idle {
        return Err(expired());
    }
    let (user, actor) = users::actor_for(store, s.user_id, origin.ip.clone(), origin.request_id.clone()).await?;
    if user.status != UserStatus::Active {
        return Err(expired());
    }
    // Writing on every request would serialise readers behind the writer.
    if now - s.last_seen_at > Duration::seconds(60) {
        sessions::touch(store, &id_hash, now).await?;
    }
    Ok(Authenticated { user, actor, session: Some(SessionInfo { id_hash, csrf_token: s.csrf_token }) })
}

pub async fn authenticate_token(store: &Store, token: &str, origin: &Origin) -> DomainResult<Authenticated> {
    let invalid = || DomainError::new(ErrorKind::Unauthorized, "auth.invalid_token", "API 令牌无效或已撤销");
    let (token_id, user_id) = tokens::user_for(store, &passwords::sha256_hex(token)).await?.ok_or_else(invalid)?;
    let (user, actor) = users::actor_for(store, user_id, origin.ip.clone(), origin.request_id.clone()).await?;
    if user.status != UserStatus::Active {
        return Err(invalid());
    }
    tokens::touch(store, token_id).await?;
    Ok(Authenticated { user, actor, session: None })
}

pub async fn logout(store: &Store, auth: &Authenticated) -> DomainResult<()> {
    let Some(s) = &auth.session else {
        return Ok(());
    };
    let mut tx = store.begin().await?;
    sessions::revoke(&mut tx, &s.id_hash, time::now()).await?;
    tx.audit(
        &auth.actor,
        Change {
            action: "auth.logout",
            object_type: "user",
            object_id: auth.user.id.to_string(),
            region_code: Some(auth.user.region_code.clone()),
            summary: format!("{} 退出登录", auth.user.username),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes one's own password. Every session of the account ends; a new one
/// is returned so the person stays signed in.
pub async fn change_password(
    store: &Store,
    policy: &AuthPolicy,
    auth: &Authenticated,
    current: &str,
    new: &str,
    origin: &Origin,
) -> DomainResult<SignedIn> {
    let (user, hash) = users::credentials(store, &auth.user.username).await?.ok_or_else(DomainError::not_found)?;
    if !passwords::verify(current, &hash) {
        return Err(DomainError::invalid("auth.wrong_current_password", "current_password", "当前密码不正确"));
    }
    passwords::check_policy(new, &user.username)?;
    if current == new {
        return Err(DomainError::invalid("auth.password_unchanged", "new_password", "新密码不能与当前密码相同"));
    }
    users::set_password(store, &auth.actor, user.id, &passwords::hash(new), false).await?;
    let user = users::get(store, &auth.actor, user.id).await?;
    start_session(store, policy, user, origin, "auth.login", "修改密码后重新登录").await
}

/// Issues an API token for a user; it is shown once and stored hashed.
pub async fn issue_token(store: &Store, actor: &Actor, user_id: UserId, name: &str) -> DomainResult<String> {
    let user = users::get(store, actor, user_id).await?;
    if !actor.is_system() && actor.user_id() != Some(user_id) {
        crate::authz::require(actor, crate::authz::Permission::ManageUsers)?;
    }
    let raw = format!("wj_{}", passwords::random_token());
    let id = TokenId::new();
    let mut tx = store.begin().await?;
    tokens::insert(&mut tx, id, user.id, &passwords::sha256_hex(&raw), name).await?;
    tx.audit(
        actor,
        Change {
            action: "api_token.create",
            object_type: "api_token",
            object_id: id.to_string(),
            region_code: Some(user.region_code.clone()),
            summary: format!("为用户 {} 签发 API 令牌“{name}”", user.username),
            before: None,
            after: Some(json!({"user_id": user.id, "name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(raw)
}
