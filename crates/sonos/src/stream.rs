//! The relay's event stream, `GET /events/stream` (Server-Sent Events): the frames the
//! relay writes and the core reads, defined once for both and for the tests.
//!
//! Three named frames: `ready` when the stream opens (the households the token sees),
//! `sonos` for each Sonos event ([`StreamEvent`], with the sequence ID as the frame's `id`),
//! and `cutoff` when the relay ends the stream ([`CutOff`]: a reason). Anything else (a
//! heartbeat comment, a name a later relay adds) is [`Frame::Other`].
//!
//! Reading is [`SseParser`]: bytes in as they arrive, messages out, with lines ended by LF,
//! CR or CRLF (also split across chunks), a character split across chunks decoded whole,
//! and no message longer than [`MAX_FRAME_BYTES`] held.

use crate::events::{Namespace, TargetType};
use serde::{Deserialize, Serialize};

/// The stream's path on the relay.
pub const PATH: &str = "/events/stream";

/// The frames' `event:` names.
pub mod name {
    pub const READY: &str = "ready";
    pub const SONOS: &str = "sonos";
    pub const CUTOFF: &str = "cutoff";
}

/// `ready`'s data: the stream is open, for these households.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    pub households: Vec<String>,
}

/// `cutoff`'s data: why the relay ended the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutOff {
    pub reason: String,
}

/// `sonos`'s data: one Sonos event as the app receives it — the headers that say what it
/// is about, and the body. Fields a reader does not need may be missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamEvent {
    pub household_id: String,
    pub seq_id: String,
    pub namespace: Namespace,
    #[serde(rename = "type", default)]
    pub event_type: String,
    #[serde(default = "unknown_target")]
    pub target_type: TargetType,
    pub target_value: String,
    #[serde(default)]
    pub body: serde_json::Value,
}

fn unknown_target() -> TargetType {
    TargetType::Other(String::new())
}

/// The longest field an event may carry into a frame.
const MAX_FIELD: usize = 256;

impl StreamEvent {
    /// Whether every field can go into a frame as it is: no CR, LF or NUL (which would end
    /// a field or a line: axum refuses such an id by panicking), nothing overlong. A
    /// webhook's fields come from HTTP headers, which cannot hold them; events from
    /// elsewhere (another relay instance) are checked before they reach a stream.
    pub fn is_clean(&self) -> bool {
        [
            self.household_id.as_str(),
            self.seq_id.as_str(),
            self.namespace.as_str(),
            self.event_type.as_str(),
            self.target_type.as_str(),
            self.target_value.as_str(),
        ]
        .iter()
        .all(|field| field.len() <= MAX_FIELD && !field.contains(['\r', '\n', '\0']))
    }
}

/// One message of the stream, as read: its `event:` name (`message` when it has none) and
/// its `data:` lines joined by LF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub event: String,
    pub data: String,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The stream is open (the relay checked the token).
    Ready,
    /// A Sonos event.
    Event(StreamEvent),
    /// The relay ended the stream, and why.
    CutOff(String),
    /// Something a reader does not use (a heartbeat, an unknown or unreadable frame).
    Other,
}

impl From<&Message> for Frame {
    fn from(message: &Message) -> Self {
        match message.event.as_str() {
            name::READY => Frame::Ready,
            name::SONOS => serde_json::from_str(&message.data)
                .map(Frame::Event)
                .unwrap_or(Frame::Other),
            name::CUTOFF => Frame::CutOff(
                serde_json::from_str::<CutOff>(&message.data)
                    .map(|c| c.reason)
                    .unwrap_or_else(|_| "the relay ended the stream".into()),
            ),
            _ => Frame::Other,
        }
    }
}

/// The longest message the stream may send: a Sonos event is a few kilobytes. A longer one
/// is skipped to its end (and read as a message with no name and no data), so a relay gone
/// wrong cannot make a reader hold an unbounded buffer.
pub const MAX_FRAME_BYTES: usize = 1 << 20;

/// Splits a Server-Sent Events byte stream into messages as it arrives. See the module
/// documentation.
#[derive(Debug, Default)]
pub struct SseParser {
    /// The current message's bytes, line ends made LF.
    buffer: Vec<u8>,
    /// The last byte was a CR: an LF next belongs to it.
    after_cr: bool,
    /// The current message is too long: skipped until its end.
    skipping: bool,
}

impl SseParser {
    /// Adds `chunk`; returns the messages it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Message> {
        let mut messages = Vec::new();
        for &byte in chunk {
            let byte = match (byte, self.after_cr) {
                (b'\n', true) => {
                    self.after_cr = false;
                    continue;
                }
                (b'\r', _) => {
                    self.after_cr = true;
                    b'\n'
                }
                (b, _) => {
                    self.after_cr = false;
                    b
                }
            };
            let ends = byte == b'\n' && self.buffer.last() == Some(&b'\n');
            if self.skipping {
                // Only the last byte matters while skipping: is the message over?
                self.buffer.clear();
                if ends {
                    self.skipping = false;
                    messages.push(Message {
                        event: String::new(),
                        data: String::new(),
                    });
                } else {
                    self.buffer.push(byte);
                }
                continue;
            }
            if ends {
                let block = std::mem::take(&mut self.buffer);
                messages.push(message(&String::from_utf8_lossy(&block)));
            } else if self.buffer.len() >= MAX_FRAME_BYTES {
                tracing::warn!(
                    "the event stream sent a message over {MAX_FRAME_BYTES} bytes; skipped"
                );
                self.buffer.clear();
                self.buffer.push(byte);
                self.skipping = true;
            } else {
                self.buffer.push(byte);
            }
        }
        messages
    }

    /// Adds `chunk`; returns what the messages it completed say.
    pub fn frames(&mut self, chunk: &[u8]) -> Vec<Frame> {
        self.push(chunk).iter().map(Frame::from).collect()
    }

    /// Bytes held for a message not yet complete (at most [`MAX_FRAME_BYTES`]).
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}

/// One message's text (its lines, without the blank line that ended it).
fn message(block: &str) -> Message {
    let (mut event, mut data) = (String::from("message"), None::<String>);
    for line in block.lines() {
        // "field: value", with one space after the colon dropped; a line starting with a
        // colon is a comment.
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => event = value.to_owned(),
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    Message {
        event,
        data: data.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_across_chunk_boundaries_and_heartbeats_skipped() {
        let mut p = SseParser::default();
        assert_eq!(
            p.frames(b"event: ready\ndata: {\"households\":[]}\n\n: keep-alive\n\nevent: son"),
            vec![Frame::Ready, Frame::Other]
        );
        let frames = p.frames(b"os\nid: 7\ndata: {\"householdId\":\"H\",\"seqId\":\"7\",\"namespace\":\"groupVolume\",\"type\":\"groupVolume\",\"targetType\":\"groupId\",\"targetValue\":\"G\",\"body\":{}}\n\n");
        assert_eq!(
            frames,
            vec![Frame::Event(StreamEvent {
                household_id: "H".into(),
                seq_id: "7".into(),
                namespace: Namespace::GroupVolume,
                event_type: "groupVolume".into(),
                target_type: TargetType::GroupId,
                target_value: "G".into(),
                body: serde_json::json!({}),
            })]
        );
        assert_eq!(
            p.frames(b"event: cutoff\r\ndata: {\"reason\":\"too slow\"}\r\n\r\n"),
            vec![Frame::CutOff("too slow".into())]
        );
    }

    #[test]
    fn a_character_or_a_crlf_split_across_chunks_arrives_whole() {
        let text = "event: cutoff\r\ndata: {\"reason\":\"Café — 日本\"}\r\n\r\n".as_bytes();
        // Every split point, through the middle of "é", "—", "日" and each CRLF.
        for at in 0..text.len() {
            let mut p = SseParser::default();
            let mut frames = p.frames(&text[..at]);
            frames.extend(p.frames(&text[at..]));
            assert_eq!(
                frames,
                vec![Frame::CutOff("Café — 日本".into())],
                "split at {at}"
            );
            assert_eq!(p.pending(), 0);
        }
        // Bare CRs end lines too, and several data lines are one value.
        let mut p = SseParser::default();
        assert_eq!(
            p.frames(b"event: cutoff\rdata: {\"reason\":\rdata: \"two lines\"}\r\r"),
            vec![Frame::CutOff("two lines".into())]
        );
    }

    #[test]
    fn an_endless_frame_is_skipped_with_bounded_memory() {
        let mut p = SseParser::default();
        let line = vec![b'x'; 64 * 1024];
        let mut frames = p.frames(b"event: sonos\ndata: ");
        for _ in 0..(4 * MAX_FRAME_BYTES / line.len()) {
            frames.extend(p.frames(&line));
            assert!(p.pending() <= MAX_FRAME_BYTES, "{}", p.pending());
        }
        assert!(frames.is_empty());
        // Its end is a frame of nothing useful; the next one is read as ever.
        assert_eq!(
            p.frames(b"\n\nevent: ready\ndata: {}\n\n"),
            vec![Frame::Other, Frame::Ready]
        );
    }

    #[test]
    fn what_the_relay_writes_is_what_a_reader_reads() {
        let event = StreamEvent {
            household_id: "H".into(),
            seq_id: "3".into(),
            namespace: Namespace::Other("somethingNew".into()),
            event_type: "x".into(),
            target_type: TargetType::PlayerId,
            target_value: "P".into(),
            body: serde_json::json!({"a": [1, "é"]}),
        };
        let data = serde_json::to_string(&event).unwrap();
        let wire = format!("event: {}\nid: 3\ndata: {data}\n\n", name::SONOS);
        let mut p = SseParser::default();
        assert_eq!(p.frames(wire.as_bytes()), vec![Frame::Event(event.clone())]);
        assert!(event.is_clean());
        let dirty = StreamEvent {
            seq_id: "3\nevent: x".into(),
            ..event
        };
        assert!(!dirty.is_clean());
    }
}
