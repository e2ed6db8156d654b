//! SORT and SORT_RO over TCP: replies compared byte for byte with what redis-server
//! 7.0.15 answered to the same requests (recorded in `tests/transcripts/`, in
//! order, on one connection of a fresh server).

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/sort.txt");

use super::transcript::run_transcript;
#[test]
fn sort_without_sorting_follows_redis() {
    run_transcript(TRANSCRIPT, "sort_without_sorting_follows_redis");
}

#[test]
fn sort_replies_match_redis() {
    run_transcript(TRANSCRIPT, "sort_replies_match_redis");
}

#[test]
fn sort_weights_and_side_effects_match_redis() {
    run_transcript(TRANSCRIPT, "sort_weights_and_side_effects_match_redis");
}
