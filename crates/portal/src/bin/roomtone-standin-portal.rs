//! A stand-in for the XDG desktop portal's global shortcuts, on the session bus it is given
//! (`DBUS_SESSION_BUS_ADDRESS`): for tests, on a private bus. It answers as
//! xdg-desktop-portal does (a Request object per call, its `Response` signal to the
//! caller, sessions at their documented paths) and binds each shortcut to its preferred
//! trigger, as a desktop does when the user accepts.
//!
//! Options: `--cancel` (the user cancels the dialog), `--refuse ID,ID` (those are left
//! unbound), `--no-registry` (an older portal, without `org.freedesktop.host.portal.Registry`).
//!
//! It says what happened on standard output, a line each: `ready`, `registered APP_ID`,
//! `session PATH`, `asked PATH ID=TRIGGER …`, `closed PATH`. It takes commands on standard
//! input, a line each: `press ID` (the shortcut's Activated signal for the latest session),
//! `press-foreign ID` (for a session that is not the caller's), `change ID=TRIGGER …`
//! (ShortcutsChanged), `end` (the desktop closes the latest session: its `Closed` signal).
//! It ends at the end of its input.

#[cfg(target_os = "linux")]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    standin::run().await
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the desktop portal is a Linux desktop's");
    std::process::exit(2);
}

#[cfg(target_os = "linux")]
mod standin {
    use roomtone_portal::PORTAL;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, BufReader};
    use zbus::message::Header;
    use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};
    use zbus::{interface, Connection};

    const DESKTOP: &str = "/org/freedesktop/portal/desktop";
    const SHORTCUTS: &str = "org.freedesktop.portal.GlobalShortcuts";

    #[derive(Default)]
    struct Options {
        cancel: bool,
        refuse: Vec<String>,
        registry: bool,
    }

    /// The latest session, and whose it is.
    #[derive(Default)]
    struct Latest {
        owner: String,
        session: Option<OwnedObjectPath>,
    }

    type Shared = Arc<Mutex<Latest>>;

    struct Registry;

    #[interface(name = "org.freedesktop.host.portal.Registry")]
    impl Registry {
        fn register(&self, app_id: String, _options: HashMap<String, OwnedValue>) {
            println!("registered {app_id}");
        }

        #[zbus(property)]
        fn version(&self) -> u32 {
            1
        }
    }

    struct Shortcuts {
        options: Arc<Options>,
        latest: Shared,
    }

    /// `:1.42` as a path element: `1_42`.
    fn element(sender: &str) -> String {
        sender.trim_start_matches(':').replace('.', "_")
    }

    /// Who called: the sender of the message.
    fn caller(header: &Header<'_>) -> String {
        header.sender().map(|s| s.to_string()).unwrap_or_default()
    }

    /// The object the caller's token names, as the portal makes it:
    /// `/org/freedesktop/portal/desktop/{kind}/{caller}/{token}`.
    fn handle(
        kind: &str,
        caller: &str,
        options: &HashMap<String, OwnedValue>,
        key: &str,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        let token = options
            .get(key)
            .and_then(|v| v.downcast_ref::<String>().ok())
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no {key}")))?;
        path(&format!("{DESKTOP}/{kind}/{}/{token}", element(caller)))
    }

    /// The caller's request object: answered by its `Response` signal, after the reply.
    fn respond(
        connection: &Connection,
        caller: String,
        path: OwnedObjectPath,
        code: u32,
        results: HashMap<String, OwnedValue>,
    ) {
        let connection = connection.clone();
        tokio::spawn(async move {
            let sent = connection
                .emit_signal(
                    Some(caller.as_str()),
                    &path,
                    "org.freedesktop.portal.Request",
                    "Response",
                    &(code, results),
                )
                .await;
            if let Err(err) = sent {
                eprintln!("standin: a response was not sent: {err}");
            }
        });
    }

    /// Bound shortcuts as the portal sends them: `a(sa{sv})`.
    type ShortcutList = Vec<(String, HashMap<String, OwnedValue>)>;

    fn shortcut_list(bound: &[(String, String)]) -> zbus::fdo::Result<ShortcutList> {
        bound
            .iter()
            .map(|(id, trigger)| {
                let mut info = HashMap::new();
                info.insert("description".to_owned(), owned(Value::from(id.as_str()))?);
                info.insert(
                    "trigger_description".to_owned(),
                    owned(Value::from(trigger.as_str()))?,
                );
                Ok((id.clone(), info))
            })
            .collect()
    }

    fn owned(value: Value<'_>) -> zbus::fdo::Result<OwnedValue> {
        value
            .try_to_owned()
            .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))
    }

    #[interface(name = "org.freedesktop.portal.GlobalShortcuts")]
    impl Shortcuts {
        async fn create_session(
            &self,
            options: HashMap<String, OwnedValue>,
            #[zbus(header)] header: Header<'_>,
            #[zbus(connection)] connection: &Connection,
        ) -> zbus::fdo::Result<OwnedObjectPath> {
            let caller = caller(&header);
            let request = handle("request", &caller, &options, "handle_token")?;
            let session = handle("session", &caller, &options, "session_handle_token")?;
            connection
                .object_server()
                .at(&session, SessionObject)
                .await?;
            println!("session {}", session.as_str());
            {
                let mut latest = self.latest.lock().expect("latest");
                latest.owner.clone_from(&caller);
                latest.session = Some(session.clone());
            }
            let mut results = HashMap::new();
            results.insert(
                "session_handle".to_owned(),
                owned(Value::from(session.as_str()))?,
            );
            respond(connection, caller, request.clone(), 0, results);
            Ok(request)
        }

        async fn bind_shortcuts(
            &self,
            session_handle: OwnedObjectPath,
            shortcuts: ShortcutList,
            _parent_window: String,
            options: HashMap<String, OwnedValue>,
            #[zbus(header)] header: Header<'_>,
            #[zbus(connection)] connection: &Connection,
        ) -> zbus::fdo::Result<OwnedObjectPath> {
            let caller = caller(&header);
            let request = handle("request", &caller, &options, "handle_token")?;
            let asked: Vec<(String, String)> = shortcuts
                .iter()
                .map(|(id, info)| {
                    let trigger = info
                        .get("preferred_trigger")
                        .and_then(|v| v.downcast_ref::<String>().ok())
                        .unwrap_or_default();
                    (id.clone(), trigger)
                })
                .collect();
            let words: Vec<String> = asked.iter().map(|(i, t)| format!("{i}={t}")).collect();
            println!("asked {} {}", session_handle.as_str(), words.join(" "));
            if self.options.cancel {
                respond(connection, caller, request.clone(), 1, HashMap::new());
                return Ok(request);
            }
            let bound: Vec<(String, String)> = asked
                .into_iter()
                .filter(|(id, _)| !self.options.refuse.contains(id))
                .map(|(id, trigger)| {
                    let shown = if trigger.is_empty() {
                        "Not assigned".to_owned()
                    } else {
                        trigger
                    };
                    (id, shown)
                })
                .collect();
            let mut results = HashMap::new();
            results.insert(
                "shortcuts".to_owned(),
                owned(Value::from(shortcut_list(&bound)?))?,
            );
            respond(connection, caller, request.clone(), 0, results);
            Ok(request)
        }

        #[zbus(property)]
        fn version(&self) -> u32 {
            1
        }
    }

    struct SessionObject;

    #[interface(name = "org.freedesktop.portal.Session")]
    impl SessionObject {
        async fn close(
            &self,
            #[zbus(header)] header: Header<'_>,
            #[zbus(object_server)] server: &zbus::ObjectServer,
        ) -> zbus::fdo::Result<()> {
            if let Some(path) = header.path() {
                println!("closed {}", path.as_str());
                server.remove::<Self, _>(path.to_owned()).await?;
            }
            Ok(())
        }

        #[zbus(property)]
        fn version(&self) -> u32 {
            1
        }
    }

    fn path(text: &str) -> zbus::fdo::Result<OwnedObjectPath> {
        ObjectPath::try_from(text)
            .map(OwnedObjectPath::from)
            .map_err(|e| zbus::fdo::Error::InvalidArgs(e.to_string()))
    }

    pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
        let mut options = Options {
            registry: true,
            ..Options::default()
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--cancel" => options.cancel = true,
                "--no-registry" => options.registry = false,
                "--refuse" => {
                    let ids = args.next().ok_or("--refuse needs IDs")?;
                    options.refuse = ids.split(',').map(str::to_owned).collect();
                }
                other => return Err(format!("unknown option {other}").into()),
            }
        }
        let latest = Shared::default();
        let registry = options.registry;
        let shortcuts = Shortcuts {
            options: Arc::new(options),
            latest: latest.clone(),
        };
        let mut builder = zbus::connection::Builder::session()?.serve_at(DESKTOP, shortcuts)?;
        if registry {
            builder = builder.serve_at(DESKTOP, Registry)?;
        }
        let connection = builder.name(PORTAL)?.build().await?;
        println!("ready");

        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Some(line) = lines.next_line().await? {
            let (command, rest) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
            let (owner, session) = {
                let latest = latest.lock().expect("latest");
                (latest.owner.clone(), latest.session.clone())
            };
            let Some(session) = session else {
                eprintln!("standin: no session yet for {command}");
                continue;
            };
            match command {
                "press" | "press-foreign" => {
                    let on = if command == "press" {
                        session
                    } else {
                        path(&format!("{DESKTOP}/session/1_999/forged"))?
                    };
                    let timestamp: u64 = 1;
                    let body = (on, rest, timestamp, HashMap::<String, OwnedValue>::new());
                    connection
                        .emit_signal(Some(owner.as_str()), DESKTOP, SHORTCUTS, "Activated", &body)
                        .await?;
                    connection
                        .emit_signal(
                            Some(owner.as_str()),
                            DESKTOP,
                            SHORTCUTS,
                            "Deactivated",
                            &body,
                        )
                        .await?;
                }
                "change" => {
                    let bound: Vec<(String, String)> = rest
                        .split_whitespace()
                        .filter_map(|w| w.split_once('='))
                        .map(|(i, t)| (i.to_owned(), t.to_owned()))
                        .collect();
                    let list = shortcut_list(&bound)?;
                    connection
                        .emit_signal(
                            Some(owner.as_str()),
                            DESKTOP,
                            SHORTCUTS,
                            "ShortcutsChanged",
                            &(session, list),
                        )
                        .await?;
                }
                "end" => {
                    let no_details = HashMap::<String, OwnedValue>::new();
                    connection
                        .emit_signal(
                            Some(owner.as_str()),
                            &session,
                            "org.freedesktop.portal.Session",
                            "Closed",
                            &(no_details,),
                        )
                        .await?;
                    connection
                        .object_server()
                        .remove::<SessionObject, _>(&session)
                        .await?;
                }
                other => eprintln!("standin: unknown command {other}"),
            }
            println!("done {command}");
        }
        Ok(())
    }
}
