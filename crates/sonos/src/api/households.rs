//! `households` (REFERENCE §4.1).

use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::Households;

/// `households`.
#[derive(Debug)]
pub struct HouseholdsHandler<'c> {
    pub(crate) client: &'c Client,
}

impl HouseholdsHandler<'_> {
    /// getHouseholds: the households the signed-in user can control.
    pub async fn list(&self) -> Result<Households> {
        let call = Call::get("households".into(), vec!["households".into()], "households");
        self.client.send(call).await
    }
}
