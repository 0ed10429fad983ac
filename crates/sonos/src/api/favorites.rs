//! `favorites` (REFERENCE §4.7).

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{GroupId, HouseholdId};
use crate::models::{FavoritesList, LoadAction, LoadFavorite};

/// `favorites`.
#[derive(Debug)]
pub struct FavoritesHandler<'c> {
    pub(crate) client: &'c Client,
}

impl FavoritesHandler<'_> {
    /// getFavorites: at most 70.
    pub async fn list(&self, household: &HouseholdId) -> Result<FavoritesList> {
        self.client
            .send(Target::Household(household).get(&["favorites"], "favoritesList"))
            .await
    }

    /// loadFavorite into a group. Only `REPLACE` is retried: appending twice adds twice.
    pub async fn load(&self, group: &GroupId, request: &LoadFavorite) -> Result<()> {
        let idempotent = request.action == Some(LoadAction::Replace);
        let call = Target::Group(group)
            .post(&["favorites"], idempotent)
            .json(request);
        self.client.send_ok(call).await
    }

    subscription!("favorites", HouseholdId, Household);
}
