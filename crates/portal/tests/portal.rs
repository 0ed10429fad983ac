//! The portal client against the stand-in portal (`roomtone-standin-portal`) on a private
//! D-Bus daemon of its own: each test starts its own bus, so they share nothing.
#![cfg(target_os = "linux")]

use futures_util::StreamExt;
use roomtone_portal::{Binding, Bound, Event, Portal, PortalError, Wanted};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const APP_ID: &str = "com.roomtone.desktop";
/// How long a line from the stand-in may take: a bound for a broken test, not a measure.
const PATIENCE: Duration = Duration::from_secs(30);

/// A private session bus, ended with the test.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Self {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (Debian's dbus package) starts");
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the bus's address");
        Self {
            daemon,
            address: line.trim().to_owned(),
        }
    }

    async fn connect(&self) -> zbus::Connection {
        zbus::connection::Builder::address(self.address.as_str())
            .expect("an address")
            .build()
            .await
            .expect("a connection to the private bus")
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The stand-in portal on a bus: what it says, line by line, and its commands.
struct Standin {
    child: Child,
    input: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Standin {
    fn start(bus: &Bus, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roomtone-standin-portal"))
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the stand-in portal starts");
        let input = child.stdin.take().expect("stdin");
        let out = BufReader::new(child.stdout.take().expect("stdout"));
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut standin = Self {
            child,
            input,
            lines,
        };
        standin.expect("ready");
        standin
    }

    /// The next line that starts with `start`, skipping the others.
    fn expect(&mut self, start: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("the stand-in never said {start:?}"));
            if line.starts_with(start) {
                return line;
            }
        }
    }

    fn command(&mut self, line: &str) {
        writeln!(self.input, "{line}").expect("a command to the stand-in");
        let verb = line.split(' ').next().unwrap_or_default();
        self.expect(&format!("done {verb}"));
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wanted() -> Vec<Wanted> {
    [
        ("play-pause", "Play or pause", Some("CTRL+ALT+p")),
        ("next", "Next track", Some("CTRL+ALT+Right")),
        ("mute", "Mute", None),
    ]
    .into_iter()
    .map(|(id, description, trigger)| Wanted {
        id: id.into(),
        description: description.into(),
        trigger: trigger.map(Into::into),
    })
    .collect()
}

fn bound(pairs: &[(&str, &str)]) -> Vec<Bound> {
    pairs
        .iter()
        .map(|(id, trigger)| Bound {
            id: (*id).into(),
            trigger: (*trigger).into(),
        })
        .collect()
}

async fn next_event(events: &mut (impl futures_util::Stream<Item = Event> + Unpin)) -> Event {
    tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("an event from the portal")
        .expect("the stream goes on")
}

/// A portal on a bus of its own, the stand-in started with `args`, and `wanted()` bound.
async fn bound_on_a_bus(args: &[&str]) -> (Bus, Standin, Binding) {
    let bus = Bus::start();
    let standin = Standin::start(&bus, args);
    let portal = Portal::with_connection(bus.connect().await, APP_ID)
        .await
        .expect("the portal");
    let binding = portal.bind(&wanted()).await.expect("bound");
    (bus, standin, binding)
}

/// The session's end, then nothing more.
async fn ends(events: &mut (impl futures_util::Stream<Item = Event> + Unpin)) {
    assert_eq!(next_event(events).await, Event::Ended);
    let after = tokio::time::timeout(PATIENCE, events.next()).await;
    assert_eq!(after.expect("the stream ends"), None);
}

#[tokio::test]
async fn shortcuts_are_asked_for_bound_and_pressed() {
    let bus = Bus::start();
    let mut standin = Standin::start(&bus, &[]);
    let portal = Portal::with_connection(bus.connect().await, APP_ID)
        .await
        .expect("the portal");
    assert_eq!(standin.expect("registered"), format!("registered {APP_ID}"));

    let mut binding = portal.bind(&wanted()).await.expect("bound");
    let session = standin.expect("session ");
    let session = session.trim_start_matches("session ");
    assert_eq!(
        standin.expect("asked"),
        format!("asked {session} play-pause=CTRL+ALT+p next=CTRL+ALT+Right mute=")
    );
    assert_eq!(
        binding.bound,
        bound(&[
            ("play-pause", "CTRL+ALT+p"),
            ("next", "CTRL+ALT+Right"),
            ("mute", "Not assigned")
        ])
    );

    let mut events = binding.events();
    // A press in a session that is not this one is not this app's.
    standin.command("press-foreign play-pause");
    standin.command("press next");
    assert_eq!(next_event(&mut events).await, Event::Pressed("next".into()));
    standin.command("change play-pause=Super+P next=Super+N");
    assert_eq!(
        next_event(&mut events).await,
        Event::Changed(bound(&[("play-pause", "Super+P"), ("next", "Super+N")]))
    );

    binding.close().await;
    assert_eq!(standin.expect("closed"), format!("closed {session}"));
}

#[tokio::test]
async fn a_press_right_after_the_answer_is_not_missed() {
    let (_bus, mut standin, mut binding) = bound_on_a_bus(&[]).await;
    // Pressed before the app asks for its events: they were listened to before the bind.
    standin.command("press play-pause");
    let mut events = binding.events();
    assert_eq!(
        next_event(&mut events).await,
        Event::Pressed("play-pause".into())
    );
}

#[tokio::test]
async fn the_portal_leaving_the_bus_ends_the_session_and_its_events() {
    let (_bus, standin, mut binding) = bound_on_a_bus(&[]).await;
    let mut events = binding.events();
    drop(standin);
    ends(&mut events).await;
}

#[tokio::test]
async fn the_desktop_closing_the_session_ends_its_events() {
    let (_bus, mut standin, mut binding) = bound_on_a_bus(&[]).await;
    let mut events = binding.events();
    standin.command("end");
    ends(&mut events).await;
}

#[tokio::test]
async fn shortcuts_the_desktop_leaves_out_are_not_bound() {
    let (_bus, _standin, binding) = bound_on_a_bus(&["--refuse", "next,mute"]).await;
    assert_eq!(binding.bound, bound(&[("play-pause", "CTRL+ALT+p")]));
}

#[tokio::test]
async fn a_cancelled_dialog_binds_nothing_and_closes_the_session() {
    let bus = Bus::start();
    let mut standin = Standin::start(&bus, &["--cancel"]);
    let portal = Portal::with_connection(bus.connect().await, APP_ID)
        .await
        .expect("the portal");
    let err = portal.bind(&wanted()).await.expect_err("cancelled");
    assert_eq!(err, PortalError::Cancelled);
    let session = standin.expect("session ");
    assert_eq!(
        standin.expect("closed"),
        session.replacen("session", "closed", 1)
    );
}

#[tokio::test]
async fn an_older_portal_without_the_registry_still_binds() {
    let (_bus, _standin, binding) = bound_on_a_bus(&["--no-registry"]).await;
    assert_eq!(binding.bound.len(), 3);
}

#[tokio::test]
async fn no_portal_on_the_bus_is_said_plainly() {
    let bus = Bus::start();
    let err = Portal::with_connection(bus.connect().await, APP_ID)
        .await
        .expect_err("no portal");
    assert_eq!(err, PortalError::Absent);
    assert_eq!(
        err.to_string(),
        "this desktop has no global-shortcuts portal"
    );
}
