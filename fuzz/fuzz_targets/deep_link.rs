//! The app's deep-link handling and the `state` parser with any input: errors, never
//! panics, and with no sign-in waiting nothing is ever accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roomtone_core::{Mode, SignIn, SystemClock};
use roomtone_sonos::broker::{BrokerClient, LoginState};
use roomtone_sonos::LoginService;
use std::sync::{Arc, OnceLock};

fn sign_in() -> &'static Arc<SignIn> {
    static SIGN_IN: OnceLock<Arc<SignIn>> = OnceLock::new();
    SIGN_IN.get_or_init(|| {
        let login = LoginService::new("https://login.example/login/v3/oauth", "fuzz-client").unwrap();
        SignIn::new(login, Mode::Broker(BrokerClient::new("https://relay.example").unwrap()), Arc::new(SystemClock))
    })
}

fuzz_target!(|link: &str| {
    assert!(sign_in().handle_deep_link(link).is_err(), "accepted with no sign-in waiting: {link:?}");
    if let Some(state) = LoginState::parse(link) {
        assert_eq!(LoginState::parse(&state.encode()).as_ref(), Some(&state), "parse and encode agree");
    }
});
