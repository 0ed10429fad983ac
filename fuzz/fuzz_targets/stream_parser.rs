//! The event-stream parser (the core reads the relay's stream with it) with any bytes, cut
//! into chunks anywhere: never panics, holds no more than a frame's limit, and reads the
//! same frames however the bytes arrive.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roomtone_sonos::stream::{SseParser, MAX_FRAME_BYTES};

fuzz_target!(|input: (Vec<u16>, &[u8])| {
    let (cuts, bytes) = input;
    let mut whole = SseParser::default();
    let at_once = whole.push(bytes);
    assert!(whole.pending() <= MAX_FRAME_BYTES);

    let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c as usize % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunked = SseParser::default();
    let mut frames = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        frames.extend(chunked.push(&bytes[from..cut]));
        assert!(chunked.pending() <= MAX_FRAME_BYTES);
        from = cut;
    }
    assert_eq!(frames, at_once, "the same frames in chunks as at once");
    assert_eq!(chunked.pending(), whole.pending());
});
