//! The login service's memory: authorization codes, access tokens, and refresh-token
//! families (for rotation with reuse detection).

use crate::clock::Millis;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// A code handed out by the authorize step.
#[derive(Debug)]
struct CodeGrant {
    redirect_uri: String,
    expires_at: Millis,
    used: bool,
}

/// An access token.
#[derive(Debug)]
pub struct AccessGrant {
    pub expires_at: Millis,
    pub family: u64,
}

/// A refresh token. Superseded tokens are kept to detect reuse.
#[derive(Debug)]
struct RefreshGrant {
    family: u64,
    superseded: bool,
}

/// A granted token pair.
#[derive(Debug)]
pub struct Granted {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

/// Why the token endpoint refuses (RFC 6749 §5.2 `error` values).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, used or expired code, or a redirect URI that differs from the authorize call.
    InvalidGrant(&'static str),
    /// Unknown, revoked or reused refresh token (Sonos documents `invalid_request`).
    InvalidRequest(&'static str),
}

/// See the module documentation.
#[derive(Default)]
pub struct Tokens {
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    next_family: u64,
}

/// A token in the UUID shape Sonos uses, from the seeded stream.
pub fn uuid(rng: &mut ChaCha8Rng) -> String {
    let b: [u8; 16] = rng.gen();
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
    )
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are live secrets: only counts are shown.
        f.debug_struct("Tokens")
            .field("codes", &self.codes.len())
            .field("access", &self.access.len())
            .field("refresh", &self.refresh.len())
            .finish()
    }
}

impl Tokens {
    /// Every access and refresh token the simulator knows (live, expired or used): for tests
    /// that look for them where they must not be (a file, a log).
    pub fn granted(&self) -> Vec<String> {
        self.access
            .keys()
            .chain(self.refresh.keys())
            .cloned()
            .collect()
    }

    pub fn issue_code(
        &mut self,
        rng: &mut ChaCha8Rng,
        redirect_uri: &str,
        expires_at: Millis,
    ) -> String {
        let code = uuid(rng);
        self.codes.insert(
            code.clone(),
            CodeGrant {
                redirect_uri: redirect_uri.to_owned(),
                expires_at,
                used: false,
            },
        );
        code
    }

    fn grant(
        &mut self,
        rng: &mut ChaCha8Rng,
        family: u64,
        now: Millis,
        lifetime_secs: u64,
    ) -> Granted {
        let access_token = uuid(rng);
        let refresh_token = uuid(rng);
        self.access.insert(
            access_token.clone(),
            AccessGrant {
                expires_at: now + lifetime_secs as i64 * 1000,
                family,
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshGrant {
                family,
                superseded: false,
            },
        );
        Granted {
            access_token,
            refresh_token,
            expires_in: lifetime_secs,
        }
    }

    /// A fresh token family, as after a completed sign-in.
    pub fn grant_new(&mut self, rng: &mut ChaCha8Rng, now: Millis, lifetime_secs: u64) -> Granted {
        self.next_family += 1;
        self.grant(rng, self.next_family, now, lifetime_secs)
    }

    /// authorization_code grant: single use, unexpired, same redirect URI.
    pub fn redeem_code(
        &mut self,
        rng: &mut ChaCha8Rng,
        code: &str,
        redirect_uri: Option<&str>,
        now: Millis,
        lifetime_secs: u64,
    ) -> Result<Granted, Refusal> {
        let grant = self
            .codes
            .get_mut(code)
            .ok_or(Refusal::InvalidGrant("unknown authorization code"))?;
        if grant.used {
            return Err(Refusal::InvalidGrant("authorization code already used"));
        }
        grant.used = true;
        if grant.expires_at <= now {
            return Err(Refusal::InvalidGrant("authorization code expired"));
        }
        if redirect_uri != Some(grant.redirect_uri.as_str()) {
            return Err(Refusal::InvalidGrant(
                "redirect_uri does not match the authorize request",
            ));
        }
        Ok(self.grant_new(rng, now, lifetime_secs))
    }

    /// refresh_token grant. With rotation, the old refresh token is superseded and a reuse
    /// revokes the whole family; without, the same refresh token comes back.
    pub fn refresh(
        &mut self,
        rng: &mut ChaCha8Rng,
        token: &str,
        rotate: bool,
        now: Millis,
        lifetime_secs: u64,
    ) -> Result<Granted, Refusal> {
        let grant = self
            .refresh
            .get(token)
            .ok_or(Refusal::InvalidRequest("invalid refresh token"))?;
        let family = grant.family;
        if grant.superseded {
            self.revoke_family(family);
            return Err(Refusal::InvalidRequest(
                "refresh token was already used; every token of this sign-in is revoked",
            ));
        }
        if rotate {
            self.refresh.get_mut(token).expect("present").superseded = true;
            Ok(self.grant(rng, family, now, lifetime_secs))
        } else {
            let access_token = uuid(rng);
            self.access.insert(
                access_token.clone(),
                AccessGrant {
                    expires_at: now + lifetime_secs as i64 * 1000,
                    family,
                },
            );
            Ok(Granted {
                access_token,
                refresh_token: token.to_owned(),
                expires_in: lifetime_secs,
            })
        }
    }

    /// Whether `token` is a live access token.
    pub fn check_access(&self, token: &str, now: Millis) -> bool {
        self.owner(token, now).is_some()
    }

    /// The sign-in (token family) a live access token belongs to.
    pub fn owner(&self, token: &str, now: Millis) -> Option<u64> {
        self.access
            .get(token)
            .filter(|g| g.expires_at > now)
            .map(|g| g.family)
    }

    /// Admin: the given access token (or every one) expires now.
    pub fn expire_access(&mut self, token: Option<&str>, now: Millis) -> usize {
        let mut count = 0;
        for (key, grant) in &mut self.access {
            if token.is_none_or(|t| t == key) && grant.expires_at > now {
                grant.expires_at = now;
                count += 1;
            }
        }
        count
    }

    /// Admin: revokes the sign-in `refresh_token` belongs to (or every sign-in).
    pub fn revoke(&mut self, refresh_token: Option<&str>) -> usize {
        let families: Vec<u64> = match refresh_token {
            Some(t) => self
                .refresh
                .get(t)
                .map(|g| vec![g.family])
                .unwrap_or_default(),
            None => self.refresh.values().map(|g| g.family).collect(),
        };
        let before = self.refresh.len();
        for family in families {
            self.revoke_family(family);
        }
        before - self.refresh.len()
    }

    fn revoke_family(&mut self, family: u64) {
        self.access.retain(|_, g| g.family != family);
        self.refresh.retain(|_, g| g.family != family);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    #[test]
    fn codes_are_single_use_expiring_and_bound_to_the_redirect() {
        let mut rng = rng();
        let mut tokens = Tokens::default();
        let code = tokens.issue_code(&mut rng, "https://r/cb", 1_000);
        assert_eq!(
            tokens
                .redeem_code(&mut rng, &code, Some("https://other/cb"), 0, 60)
                .unwrap_err(),
            Refusal::InvalidGrant("redirect_uri does not match the authorize request")
        );
        let code = tokens.issue_code(&mut rng, "https://r/cb", 1_000);
        assert!(tokens
            .redeem_code(&mut rng, &code, Some("https://r/cb"), 0, 60)
            .is_ok());
        assert!(tokens
            .redeem_code(&mut rng, &code, Some("https://r/cb"), 0, 60)
            .is_err());
        let late = tokens.issue_code(&mut rng, "https://r/cb", 1_000);
        assert_eq!(
            tokens
                .redeem_code(&mut rng, &late, Some("https://r/cb"), 1_000, 60)
                .unwrap_err(),
            Refusal::InvalidGrant("authorization code expired")
        );
    }

    #[test]
    fn rotation_reuse_revokes_the_family() {
        let mut rng = rng();
        let mut tokens = Tokens::default();
        let first = tokens.grant_new(&mut rng, 0, 60);
        let second = tokens
            .refresh(&mut rng, &first.refresh_token, true, 0, 60)
            .unwrap();
        assert_ne!(second.refresh_token, first.refresh_token);
        assert!(tokens.check_access(&second.access_token, 0));
        assert!(tokens
            .refresh(&mut rng, &first.refresh_token, true, 0, 60)
            .is_err());
        assert!(
            !tokens.check_access(&second.access_token, 0),
            "reuse revoked the family"
        );
        assert!(tokens
            .refresh(&mut rng, &second.refresh_token, true, 0, 60)
            .is_err());
    }

    #[test]
    fn without_rotation_the_refresh_token_stays() {
        let mut rng = rng();
        let mut tokens = Tokens::default();
        let first = tokens.grant_new(&mut rng, 0, 60);
        let again = tokens
            .refresh(&mut rng, &first.refresh_token, false, 0, 60)
            .unwrap();
        assert_eq!(again.refresh_token, first.refresh_token);
        assert!(tokens
            .refresh(&mut rng, &first.refresh_token, false, 0, 60)
            .is_ok());
    }

    #[test]
    fn access_tokens_expire_by_the_clock() {
        let mut rng = rng();
        let mut tokens = Tokens::default();
        let grant = tokens.grant_new(&mut rng, 0, 60);
        assert!(tokens.check_access(&grant.access_token, 59_999));
        assert!(!tokens.check_access(&grant.access_token, 60_000));
    }
}
