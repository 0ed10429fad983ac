//! `groups` (REFERENCE §4.2): listing and regrouping.

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{GroupId, HouseholdId};
use crate::models::{CreateGroup, GroupInfo, Groups, ModifyGroupMembers, SetGroupMembers};

/// `groups`.
#[derive(Debug)]
pub struct GroupsHandler<'c> {
    pub(crate) client: &'c Client,
}

impl GroupsHandler<'_> {
    /// getGroups: every group and player of the household, with each group's play state.
    pub async fn list(&self, household: &HouseholdId) -> Result<Groups> {
        self.client
            .send(Target::Household(household).get(&["groups"], "groups"))
            .await
    }

    /// createGroup: a new group of `request.player_ids`. Sonos may answer with an existing
    /// group that already has exactly these players.
    pub async fn create(
        &self,
        household: &HouseholdId,
        request: &CreateGroup,
    ) -> Result<GroupInfo> {
        let call = Target::Household(household)
            .post(&["groups", "createGroup"], false)
            .json(request)
            .expecting("groupInfo");
        self.client.send(call).await
    }

    /// modifyGroupMembers: adds, then removes players. The group ID changes: use the answer's.
    /// Not retried: a lost answer to a change that happened would make the retry a 410.
    pub async fn modify_members(
        &self,
        group: &GroupId,
        request: &ModifyGroupMembers,
    ) -> Result<GroupInfo> {
        let call = Target::Group(group)
            .post(&["groups", "modifyGroupMembers"], false)
            .json(request)
            .expecting("groupInfo");
        self.client.send(call).await
    }

    /// setGroupMembers: the group becomes exactly `request.player_ids`.
    pub async fn set_members(
        &self,
        group: &GroupId,
        request: &SetGroupMembers,
    ) -> Result<GroupInfo> {
        let call = Target::Group(group)
            .post(&["groups", "setGroupMembers"], false)
            .json(request)
            .expecting("groupInfo");
        self.client.send(call).await
    }

    subscription!("groups", HouseholdId, Household);
}
