//! A running or finished schedule sweep.

use super::Grid;
use crate::protocol::SweepPoint;

#[derive(Clone, Debug, PartialEq)]
pub struct SweepState {
    pub run_id: u64,
    pub grid: Grid,
    pub total: u32,
    pub points: Vec<SweepPoint>,
    pub running: bool,
    pub cancelled: bool,
    /// Sweep workers that have not yet finished their share.
    pub workers_left: usize,
}
