//! Enums with a stable key (API, database) and a Chinese label (UI, files).

/// What every keyed enum offers, for code generic over them (the lifecycle).
pub trait Keyed: Sized + 'static {
    fn all() -> &'static [Self];
    fn key(self) -> &'static str;
    fn label(self) -> &'static str;
}

/// Gives an enum `ALL`, `key()`, `label()`, `parse(key)` and
/// `parse_key_or_label(text)` from one table, so the three never drift apart.
#[macro_export]
macro_rules! keyed_enum {
    ($name:ident { $($variant:ident => ($key:literal, $label:literal)),* $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn parse(key: &str) -> Option<$name> {
                match key { $($key => Some($name::$variant),)* _ => None }
            }

            /// Files and forms may carry either the key or the Chinese label.
            pub fn parse_key_or_label(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::parse(s).or_else(|| Self::ALL.iter().copied().find(|v| v.label() == s))
            }
        }

        impl $crate::keyed::Keyed for $name {
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn key(self) -> &'static str {
                $name::key(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }
    };
}
