//! Secret newtypes. Tokens, codes and the client secret print `[redacted]` under `Debug`,
//! have no `PartialEq` (compare them with [`Secret::ct_eq`], in constant time), and give up
//! their value only through the explicit [`Secret::expose`].

use serde::{Deserialize, Serialize};
use std::fmt;
use subtle::ConstantTimeEq;

/// Behaviour shared by every secret newtype.
pub trait Secret {
    /// The secret value. Call it only where the value must go on the wire or into the keychain.
    fn expose(&self) -> &str;

    /// Constant-time equality, for checking a presented secret against a stored one.
    fn ct_eq(&self, other: &str) -> bool {
        let a = self.expose().as_bytes();
        let b = other.as_bytes();
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }
}

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
        }

        impl Secret for $name {
            fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}([redacted])", stringify!($name))
            }
        }
    };
}

secret_type!(
    /// An OAuth access token, sent as `Authorization: Bearer …` on every Control API call.
    AccessToken
);
secret_type!(
    /// An OAuth refresh token, traded for a new access token at the login service.
    RefreshToken
);
secret_type!(
    /// A one-time authorization code from the login service's redirect.
    AuthorizationCode
);
secret_type!(
    /// An `Authorization` value for an audio clip's stream host.
    StreamAuthorization
);
secret_type!(
    /// The integration's client secret. It belongs on a server (the relay), never in the app.
    ClientSecret
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let token = AccessToken::new("d7cdf58d-d43c-412c-8887-6d7f95b6557e");
        let printed = format!("{token:?} {:?}", ClientSecret::new("hunter2"));
        assert!(!printed.contains("d7cdf58d"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn constant_time_equality_compares_whole_values() {
        let code = AuthorizationCode::new("abc");
        assert!(code.ct_eq("abc"));
        assert!(!code.ct_eq("abd"));
        assert!(!code.ct_eq("ab"));
        assert!(!code.ct_eq("abcd"));
    }
}
