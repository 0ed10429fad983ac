//! Contract: `households`.

mod common;

#[tokio::test]
async fn lists_both_households_without_names() {
    let setup = common::Setup::new().await;
    let households = setup.client.households().list().await.unwrap();
    assert_eq!(households.households.len(), 2);
    for household in &households.households {
        assert!(
            household.id.as_str().starts_with("Sonos_"),
            "{:?}",
            household.id
        );
        assert!(household.id.as_str().len() <= 64);
        assert_eq!(household.name, None, "Sonos sends no household names");
    }
}
