//! Presenter mode's keyboard: what a key does, as an action (pure, tested
//! natively; the page listens to the keys while presenting, and never while
//! the focus is in a text field).

use super::{tile_choices, Action, State};
use crate::embed::View;
use defines_model::Overlap;

/// The views presenter mode steps through with Tab, in order.
pub const PRESENT_VIEWS: [View; 6] = [
    View::Energy,
    View::Latency,
    View::Metrics,
    View::Heatmaps,
    View::Pareto,
    View::Fuse,
];

/// The shortcuts, for the card `?` shows: (keys, what they do).
pub const SHORTCUTS: [(&str, &str); 7] = [
    (
        "1 2 3",
        "overlap mode: fully recompute, H-cached V-recompute, fully cached",
    ),
    (
        "← →",
        "tile width: the next smaller or larger sensible size",
    ),
    (
        "↑ ↓",
        "tile height: the next larger or smaller sensible size",
    ),
    ("space", "run the sweep, or cancel it while it runs"),
    ("Tab / shift+Tab", "next / previous view"),
    ("?", "show or hide this card"),
    ("Esc", "hide this card; again: leave presenter mode"),
];

/// The next sensible tile size after (`up`) or before `now`.
fn step(now: u64, full: u64, up: bool) -> u64 {
    let c = tile_choices(full);
    if up {
        c.iter().copied().find(|v| *v > now).unwrap_or(now)
    } else {
        c.iter().rev().copied().find(|v| *v < now).unwrap_or(now)
    }
}

/// The action of a key (`KeyboardEvent.key`, with shift) in presenter mode.
pub fn shortcut_action(key: &str, shift: bool, s: &State) -> Option<Action> {
    let full = s.derived.full;
    let t = s.scenario.tile;
    Some(match key {
        "1" | "2" | "3" => Action::SetOverlap(Overlap::from_mode(key.parse().ok()?)?),
        "ArrowRight" => Action::SetTileX(step(t.x, full.x, true)),
        "ArrowLeft" => Action::SetTileX(step(t.x, full.x, false)),
        "ArrowUp" => Action::SetTileY(step(t.y, full.y, true)),
        "ArrowDown" => Action::SetTileY(step(t.y, full.y, false)),
        " " if s.sweep.as_ref().is_some_and(|w| w.running) => Action::CancelSweep,
        " " => Action::StartSweep(s.grid),
        "Tab" => Action::NextView(if shift { -1 } else { 1 }),
        "?" => Action::ShowShortcuts(!s.shortcuts),
        "Escape" if s.shortcuts => Action::ShowShortcuts(false),
        "Escape" => Action::SetPresent(false),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Grid;
    use defines_model::Tile;

    #[test]
    fn keys_change_mode_tile_sweep_and_view() {
        let mut s = State::default();
        assert_eq!(s.scenario.tile, Tile { x: 16, y: 18 });
        assert_eq!(
            shortcut_action("1", false, &s),
            Some(Action::SetOverlap(Overlap::FullyRecompute))
        );
        assert_eq!(
            shortcut_action("ArrowRight", false, &s),
            Some(Action::SetTileX(18))
        );
        assert_eq!(
            shortcut_action("ArrowLeft", false, &s),
            Some(Action::SetTileX(8))
        );
        assert_eq!(
            shortcut_action("ArrowUp", false, &s),
            Some(Action::SetTileY(32))
        );
        assert_eq!(
            shortcut_action("ArrowDown", false, &s),
            Some(Action::SetTileY(16))
        );
        assert_eq!(
            shortcut_action(" ", false, &s),
            Some(Action::StartSweep(Grid::CaseStudy1))
        );
        assert_eq!(shortcut_action("Tab", true, &s), Some(Action::NextView(-1)));
        assert_eq!(shortcut_action("x", false, &s), None);
        assert_eq!(
            shortcut_action("Escape", false, &s),
            Some(Action::SetPresent(false))
        );
        s.apply(Action::ShowShortcuts(true));
        assert_eq!(
            shortcut_action("Escape", false, &s),
            Some(Action::ShowShortcuts(false))
        );
        // Views wrap around both ways.
        s.apply(Action::NextView(-1));
        assert_eq!(s.present_view, PRESENT_VIEWS.len() - 1);
        s.apply(Action::NextView(1));
        assert_eq!(s.present_view, 0);
        // At the full size there is no larger step.
        s.apply(Action::SetTileX(970));
        assert_eq!(
            shortcut_action("ArrowRight", false, &s),
            Some(Action::SetTileX(970))
        );
    }
}
