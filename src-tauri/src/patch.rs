//! What changed between two snapshots, as the webview applies it: the values that differ,
//! each at its path, so an event carries a volume and not the whole household, and the
//! window updates only what shows it.

use serde::Serialize;
use serde_json::{Map, Value};
use specta::Type;

/// One step of a path into the snapshot: a field of an object, or an index into a list.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(untagged)]
pub enum Key {
    Field(String),
    Index(u32),
}

/// One change: a value set at a path (a new field, or a list that changed its length, set
/// whole), or a field removed.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Op {
    Set {
        path: Vec<Key>,
        /// Any part of the snapshot (its type is the snapshot's, at `path`).
        #[specta(type = specta_typescript::Unknown)]
        value: Value,
    },
    Remove {
        path: Vec<Key>,
    },
}

/// The changes that make `before` into `after`: none when they are equal. Objects are
/// compared field by field and lists of one length item by item; a list whose length
/// changed (a room joined a group, a group went) is set whole.
pub fn diff(before: &Value, after: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut path = Vec::new();
    walk(before, after, &mut path, &mut ops);
    ops
}

fn walk(before: &Value, after: &Value, path: &mut Vec<Key>, ops: &mut Vec<Op>) {
    match (before, after) {
        _ if before == after => {}
        (Value::Object(a), Value::Object(b)) => fields(a, b, path, ops),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(Key::Index(i as u32));
                walk(x, y, path, ops);
                path.pop();
            }
        }
        _ => ops.push(Op::Set {
            path: path.clone(),
            value: after.clone(),
        }),
    }
}

fn fields(a: &Map<String, Value>, b: &Map<String, Value>, path: &mut Vec<Key>, ops: &mut Vec<Op>) {
    for (name, y) in b {
        path.push(Key::Field(name.clone()));
        match a.get(name) {
            Some(x) => walk(x, y, path, ops),
            None => ops.push(Op::Set {
                path: path.clone(),
                value: y.clone(),
            }),
        }
        path.pop();
    }
    for name in a.keys().filter(|name| !b.contains_key(*name)) {
        let mut gone = path.clone();
        gone.push(Key::Field(name.clone()));
        ops.push(Op::Remove { path: gone });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the webview does with the ops (`ui/src/lib/patch.ts`), for the tests.
    fn apply(mut value: Value, ops: &[Op]) -> Value {
        for op in ops {
            let (path, new) = match op {
                Op::Set { path, value } => (path, Some(value.clone())),
                Op::Remove { path } => (path, None),
            };
            let Some((last, parents)) = path.split_last() else {
                value = new.expect("the root is only ever set");
                continue;
            };
            let mut at = &mut value;
            for key in parents {
                at = match key {
                    Key::Field(name) => &mut at[name.as_str()],
                    Key::Index(i) => &mut at[*i as usize],
                };
            }
            match (last, new) {
                (Key::Field(name), Some(new)) => {
                    at.as_object_mut().unwrap().insert(name.clone(), new);
                }
                (Key::Field(name), None) => {
                    at.as_object_mut().unwrap().remove(name);
                }
                (Key::Index(i), Some(new)) => at[*i as usize] = new,
                (Key::Index(_), None) => unreachable!("only fields are removed"),
            }
        }
        value
    }

    fn household(volume: u32, rooms: &[&str]) -> Value {
        json!({
            "revision": volume,
            "households": [{
                "id": "H",
                "groups": [
                    { "id": "G1", "volume": { "volume": volume, "muted": false }, "rooms": rooms },
                    { "id": "G2", "volume": { "volume": 5, "muted": true }, "rooms": ["Den"] },
                ],
            }],
            "refused": null,
        })
    }

    #[test]
    fn a_volume_change_is_the_volume_and_the_revision_only() {
        let (before, after) = (household(10, &["Kitchen"]), household(11, &["Kitchen"]));
        let ops = diff(&before, &after);
        let path = |keys: &[Key]| keys.to_vec();
        let f = |s: &str| Key::Field(s.into());
        assert_eq!(
            ops,
            [
                Op::Set {
                    path: path(&[
                        f("households"),
                        Key::Index(0),
                        f("groups"),
                        Key::Index(0),
                        f("volume"),
                        f("volume")
                    ]),
                    value: json!(11)
                },
                Op::Set {
                    path: path(&[f("revision")]),
                    value: json!(11)
                },
            ]
        );
        assert_eq!(apply(before, &ops), after);
    }

    #[test]
    fn equal_values_change_nothing() {
        assert!(diff(&household(3, &["A"]), &household(3, &["A"])).is_empty());
    }

    #[test]
    fn a_list_that_changed_its_length_is_set_whole_and_fields_come_and_go() {
        let before = household(10, &["Kitchen"]);
        let mut after = household(10, &["Kitchen", "Hall"]);
        after["refused"] = json!({ "kind": "gone", "message": "no" });
        after.as_object_mut().unwrap().remove("revision");
        after["focus"] = json!("G1");
        let ops = diff(&before, &after);
        assert!(ops.contains(&Op::Set {
            path: vec![
                Key::Field("households".into()),
                Key::Index(0),
                Key::Field("groups".into()),
                Key::Index(0),
                Key::Field("rooms".into()),
            ],
            value: json!(["Kitchen", "Hall"]),
        }));
        assert!(ops.contains(&Op::Remove {
            path: vec![Key::Field("revision".into())]
        }));
        assert_eq!(apply(before, &ops), after);
    }

    #[test]
    fn a_value_of_another_kind_replaces_the_old_one_and_the_root_can_be_set() {
        let ops = diff(
            &json!({ "sync": { "state": "idle" } }),
            &json!({ "sync": "ready" }),
        );
        assert_eq!(
            apply(json!({ "sync": { "state": "idle" } }), &ops),
            json!({ "sync": "ready" })
        );
        let ops = diff(&json!([1, 2]), &json!({ "a": 1 }));
        assert_eq!(
            ops,
            [Op::Set {
                path: vec![],
                value: json!({ "a": 1 })
            }]
        );
    }
}
