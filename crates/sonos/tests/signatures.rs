//! Event signatures match fixtures computed by an independent implementation
//! (`fixtures/make_signatures.py`, Python's hashlib), and verification is exact.

use roomtone_sonos::events::{signature, EventHeaders, TargetType};
use roomtone_sonos::{ClientSecret, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fixture {
    seq_id: String,
    namespace: String,
    #[serde(rename = "type")]
    event_type: String,
    target_type: String,
    target_value: String,
    client_key: String,
    client_secret: String,
    signature: String,
}

fn fixtures() -> Vec<Fixture> {
    serde_json::from_str(include_str!("fixtures/signatures.json")).unwrap()
}

#[test]
fn signatures_match_the_independent_fixtures() {
    let all = fixtures();
    assert!(all.len() >= 5);
    for f in all {
        let computed = signature(
            &f.seq_id,
            &f.namespace,
            &f.event_type,
            &f.target_type,
            &f.target_value,
            &f.client_key,
            &ClientSecret::new(f.client_secret.clone()),
        );
        assert_eq!(computed, f.signature, "seq {}", f.seq_id);
        assert!(
            !computed.contains('=') && !computed.contains('+') && !computed.contains('/'),
            "URL-safe, unpadded"
        );
    }
}

#[test]
fn verification_accepts_the_fixture_and_rejects_any_change() {
    let f = &fixtures()[0];
    let secret = ClientSecret::new(f.client_secret.clone());
    let headers = EventHeaders {
        household_id: "Sonos_1234567890".into(),
        seq_id: f.seq_id.clone(),
        signature: f.signature.clone(),
        namespace: f.namespace.clone().into(),
        event_type: f.event_type.clone(),
        target_type: TargetType::from(f.target_type.as_str()),
        target_value: f.target_value.clone(),
    };
    headers.verify(&f.client_key, &secret).unwrap();
    let mut tampered = headers.clone();
    tampered.seq_id = "1235".into();
    assert!(matches!(
        tampered.verify(&f.client_key, &secret),
        Err(Error::BadEventSignature)
    ));
    let mut truncated = headers.clone();
    truncated.signature.pop();
    assert!(matches!(
        truncated.verify(&f.client_key, &secret),
        Err(Error::BadEventSignature)
    ));
    assert!(matches!(
        headers.verify("another-key", &secret),
        Err(Error::BadEventSignature)
    ));
    // The household header is not part of the signature.
    let mut other_household = headers.clone();
    other_household.household_id = "Sonos_other".into();
    other_household.verify(&f.client_key, &secret).unwrap();
}
