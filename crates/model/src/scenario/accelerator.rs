//! The accelerator as the depth-first stage trims it (docs/model.md §1.3):
//! [`Hardware::remove_top`], [`Hardware::trim_to`] and the add-layer
//! duplication [`Hardware::duplicate_for_add`] (Q31). The type itself and
//! its parsing live in [`crate::input::hardware`].

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::input::hardware::{Hardware, OperandSlot, PortFn};

impl Hardware {
    /// `remove_top(op)` of §1.3: the level currently on top of `mem_op`
    /// stops storing it (its port functions disappear); a level left
    /// without operands is deleted. Returns false when `mem_op` has no level.
    pub fn remove_top(&mut self, mem_op: &str) -> bool {
        let Some(mo) = self.mem_op_index(mem_op) else {
            return false;
        };
        let Some(&top) = self.levels_of(mo).last() else {
            return false;
        };
        let level = &mut self.levels[top];
        level.slots.retain(|s| s.mem_op != mo);
        for p in &mut level.ports {
            p.serves.retain(|f| f.mem_op != mo);
        }
        if level.slots.is_empty() {
            self.levels.remove(top);
        }
        true
    }

    /// Removes tops of `mem_op` until the level named `level_name` is its
    /// top. Returns false (and leaves `self` unchanged) when that level does
    /// not store `mem_op`.
    pub fn trim_to(&mut self, mem_op: &str, level_name: &str) -> bool {
        let Some(mo) = self.mem_op_index(mem_op) else {
            return false;
        };
        let levels = self.levels_of(mo);
        let Some(pos) = levels
            .iter()
            .position(|&i| self.levels[i].name == level_name)
        else {
            return false;
        };
        for _ in pos + 1..levels.len() {
            self.remove_top(mem_op);
        }
        true
    }

    /// Add-layer duplication of §1.3 (Q31): every `second` level is removed,
    /// then every level storing `first` also stores `second` with the same
    /// ports; `second` is appended to the level's operand list and its port
    /// functions to the end of each port's function list.
    pub fn duplicate_for_add(&mut self, first: &str, second: &str) {
        while self.remove_top(second) {}
        let Some(a) = self.mem_op_index(first) else {
            return;
        };
        let b = match self.mem_op_index(second) {
            Some(b) => b,
            None => {
                self.mem_ops.push(second.to_string());
                self.mem_ops.len() - 1
            }
        };
        for level in &mut self.levels {
            let Some(slot) = level.slot(a).cloned() else {
                continue;
            };
            level.slots.push(OperandSlot {
                mem_op: b,
                ports: slot.ports,
            });
            for p in &mut level.ports {
                let extra: Vec<PortFn> = p
                    .serves
                    .iter()
                    .filter(|f| f.mem_op == a)
                    .map(|f| PortFn { mem_op: b, ..*f })
                    .collect();
                p.serves.extend(extra);
            }
        }
    }
}
