//! The user's own accelerators: named hardware documents kept in this
//! browser (localStorage, written by the page), listed beside the presets.

use super::{Action, Doc, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// At most this many saved accelerators, each at most
/// [`MAX_USER_PRESET_CHARS`] long (the presets are below 60 KB), so what is
/// read back from storage stays bounded.
pub const MAX_USER_PRESETS: usize = 50;
pub const MAX_USER_PRESET_CHARS: usize = 1 << 20;
/// Key of the saved accelerators in localStorage.
pub const USER_PRESETS_KEY: &str = "defines-playground/accelerators/v1";

/// Named hardware documents, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserPresets(pub Vec<(String, String)>);

impl UserPresets {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }

    /// Adds or replaces `name`; refused beyond [`MAX_USER_PRESETS`].
    fn put(&mut self, name: String, text: String) -> Result<(), String> {
        if let Some(slot) = self.0.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = text;
            return Ok(());
        }
        if text.len() > MAX_USER_PRESET_CHARS {
            return Err(format!(
                "this accelerator is {} characters long, more than the {MAX_USER_PRESET_CHARS} a saved one may have",
                text.len()
            ));
        }
        if self.0.len() >= MAX_USER_PRESETS {
            return Err(format!(
                "{MAX_USER_PRESETS} accelerators are saved already; delete one first"
            ));
        }
        self.0.push((name, text));
        defines_model::small_sort::sort(&mut self.0);
        Ok(())
    }

    /// The stored text; anything unreadable (or too large) is an empty
    /// list, never a failure.
    pub fn decode(text: &str) -> UserPresets {
        if text.len() > MAX_USER_PRESETS * MAX_USER_PRESET_CHARS {
            return UserPresets::default();
        }
        let mut p: UserPresets = serde_json::from_str(text).unwrap_or_default();
        p.0.retain(|(n, t)| valid_name(n).is_ok() && t.len() <= MAX_USER_PRESET_CHARS);
        p.0.truncate(MAX_USER_PRESETS);
        defines_model::small_sort::sort(&mut p.0);
        p.0.dedup_by(|a, b| a.0 == b.0);
        p
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A name people can read back: 1 to 64 letters, digits, `_`, `-`, `.` or
/// spaces.
pub fn valid_name(name: &str) -> Result<(), String> {
    let ok = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ');
    if name.trim().is_empty() || name.chars().count() > 64 || !name.chars().all(ok) {
        return Err(format!(
            "`{name}` cannot name an accelerator: use 1 to 64 letters, digits, spaces, _ - or ."
        ));
    }
    Ok(())
}

impl State {
    /// Saves the current hardware under `name` (also written into the
    /// document's `name`, so the summary and exports show it).
    pub(super) fn save_preset(&mut self, name: String) {
        let name = name.trim().to_string();
        if let Err(e) = valid_name(&name) {
            self.form_error = Some(e);
            return;
        }
        let text = self.scenario.text(Doc::Hardware);
        let renamed = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|mut v| {
                v.as_object_mut()?
                    .insert("name".into(), Value::String(name.clone()));
                serde_json::to_string_pretty(&v).ok()
            })
            .unwrap_or(text);
        match self.user_presets.put(name, renamed.clone()) {
            Ok(()) => {
                self.form_error = None;
                self.apply(Action::Edit(Doc::Hardware, renamed));
            }
            Err(e) => self.form_error = Some(e),
        }
    }
}
