//! Password hashing (argon2id) and the password policy.

use crate::error::{DomainError, DomainResult};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification, so an unknown username answers as slowly as a known one.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("weijian-dummy-password"));
    let _ = verify(password, h);
}

pub const MIN_LEN: usize = 10;

/// At least 10 characters, three of four classes (lower, upper, digit, other),
/// and not containing the username.
pub fn check_policy(password: &str, username: &str) -> DomainResult<()> {
    let weak = |m: &str| DomainError::invalid("auth.weak_password", "password", m.to_string());
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(weak(&format!("密码至少需要{MIN_LEN}个字符")));
    }
    if len > 128 {
        return Err(weak("密码不能超过128个字符"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(weak("密码须包含小写字母、大写字母、数字、符号中的至少三类"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(weak("密码不能包含用户名"));
    }
    Ok(())
}

/// A random password that satisfies the policy (for demo accounts and resets).
pub fn generate() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    let mut pick =
        |set: &[u8], n: usize| -> String { (0..n).map(|_| set[rng.gen_range(0..set.len())] as char).collect() };
    format!("{}{}-{}{}", pick(UPPER, 2), pick(LOWER, 5), pick(DIGIT, 4), pick(LOWER, 2))
}

/// A random token: 32 bytes as hex.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_boundaries() {
        assert!(check_policy("Abcdefgh1", "u").is_err(), "9 characters");
        assert!(check_policy("Abcdefgh12", "u").is_ok(), "10 characters, three classes");
        assert!(check_policy("abcdefgh12", "u").is_err(), "two classes");
        assert!(check_policy("abcdefgh1!", "u").is_ok(), "lower, digit, symbol");
        assert!(check_policy("Zq_Inspector1!", "zq_inspector").is_err(), "contains the username");
    }

    #[test]
    fn generated_passwords_pass_and_verify() {
        for _ in 0..20 {
            let p = generate();
            check_policy(&p, "someone").unwrap();
        }
        let p = generate();
        let h = hash(&p);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&p, &h));
        assert!(!verify("wrong", &h));
    }
}
