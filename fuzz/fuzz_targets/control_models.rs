//! Every Control API model decoded from any bytes: never a panic; what decodes encodes
//! again and decodes to the same value (unknown enum values are kept, REFERENCE §5).
#![no_main]

use libfuzzer_sys::fuzz_target;
use roomtone_sonos::models::*;
use serde::{de::DeserializeOwned, Serialize};

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    let Ok(first) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let again: T = serde_json::from_value(serde_json::to_value(&first).expect("encodes"))
        .unwrap_or_else(|e| panic!("{} decoded, then failed to decode itself: {e}", std::any::type_name::<T>()));
    assert_eq!(first, again, "{}", std::any::type_name::<T>());
}

fuzz_target!(|bytes: &[u8]| {
    round_trip::<Households>(bytes);
    round_trip::<Groups>(bytes);
    round_trip::<GroupInfo>(bytes);
    round_trip::<GroupCoordinatorChanged>(bytes);
    round_trip::<PlaybackStatus>(bytes);
    round_trip::<MetadataStatus>(bytes);
    round_trip::<Volume>(bytes);
    round_trip::<FavoritesList>(bytes);
    round_trip::<PlaylistsList>(bytes);
    round_trip::<PlaylistSummary>(bytes);
    round_trip::<HomeTheaterOptions>(bytes);
    round_trip::<AudioClipStatus>(bytes);
    round_trip::<PlayerSettings>(bytes);
    round_trip::<VersionChanged>(bytes);
    round_trip::<GlobalError>(bytes);
    round_trip::<PlaybackError>(bytes);
    round_trip::<SessionError>(bytes);
});
