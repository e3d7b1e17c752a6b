//! The network simulator's hands: the transports pass every frame, handshake and HTTP
//! request through here, and this carries out what the pure
//! [`NetSim`](tether_core::sync::netsim::NetSim) decides — at once, later (in order, one
//! queue per direction), held while a black hole lasts, dropped, or failed.
//!
//! One simulator per page (the dev-tools panel sets its mode). With no fault chosen every
//! frame goes through synchronously, exactly as without it.

use crate::browser::{now, random};
use gloo_timers::{callback::Timeout, future::TimeoutFuture};
use std::{cell::RefCell, collections::VecDeque};
use tether_core::sync::netsim::{Direction, Fate, NetSim, SimMode};

/// How often a held handshake or request asks again whether the black hole is over.
const HOLD_RECHECK_MS: u32 = 250;

type Delivery = Box<dyn FnOnce()>;

/// Frames given a time, in the order they were given it.
#[derive(Default)]
struct Pipe {
    queue: VecDeque<(f64, Delivery)>,
    timer: Option<Timeout>,
}

#[derive(Default)]
struct Simulator {
    sim: NetSim,
    /// `[up, down]`.
    pipes: [Pipe; 2],
}

thread_local! {
    static SIMULATOR: RefCell<Simulator> = RefCell::new(Simulator::default());
}

fn decide<T>(decision: impl FnOnce(&mut NetSim) -> T) -> T {
    SIMULATOR.with(|s| decision(&mut s.borrow_mut().sim))
}

/// The mode in force.
pub fn mode() -> SimMode {
    decide(|sim| sim.mode())
}

/// Switches the simulated network to `mode`; `Online` also clears the simulator.
pub fn set_mode(mode: SimMode) {
    decide(|sim| match mode {
        SimMode::Online => sim.reset(),
        other => sim.set_mode(other),
    });
}

/// Runs `deliver` when a frame of `bytes` going `direction` gets through; never if the
/// simulated network loses it.
pub fn pass(direction: Direction, bytes: usize, deliver: impl FnOnce() + 'static) {
    if let Fate::At(at) = decide(|sim| sim.frame(direction, now(), random(), bytes)) {
        deliver_in_order(direction, at, Box::new(deliver));
    }
}

/// Runs `deliver` when the end of a connection (its close) gets through: like a frame, but
/// a black hole holds it rather than losing it — TCP retransmits a FIN until the hole is
/// over, and a transport still open then must learn that its connection is gone.
pub fn pass_close(deliver: impl FnOnce() + 'static) {
    if mode() == SimMode::BlackHole {
        Timeout::new(HOLD_RECHECK_MS, move || pass_close(deliver)).forget();
    } else {
        pass(Direction::Down, 0, deliver);
    }
}

/// A transport's connection opened for real: runs `opened` once the simulated network
/// lets the handshake through, or `failed` if it fails it. `alive` says whether the
/// transport still wants to hear (an abandoned one does not).
pub fn handshake(
    alive: impl Fn() -> bool + 'static,
    opened: impl FnOnce() + 'static,
    failed: impl FnOnce() + 'static,
) {
    if !alive() {
        return;
    }
    match decide(|sim| sim.connect(now())) {
        Fate::At(at) => after(at, move || {
            if alive() {
                opened()
            }
        }),
        Fate::Fail | Fate::Drop => failed(),
        Fate::Hold => {
            Timeout::new(HOLD_RECHECK_MS, move || handshake(alive, opened, failed)).forget();
        }
    }
}

/// Waits until an HTTP request carrying `bytes` may leave; `false` if the simulated
/// network fails it or the caller gave up (`gone`) while it was held.
pub async fn request(bytes: usize, gone: impl Fn() -> bool) -> bool {
    loop {
        if gone() {
            return false;
        }
        match decide(|sim| sim.request(now(), random(), bytes)) {
            Fate::At(at) => {
                sleep_until(at).await;
                return !gone();
            }
            Fate::Fail | Fate::Drop => return false,
            Fate::Hold => TimeoutFuture::new(HOLD_RECHECK_MS).await,
        }
    }
}

/// Waits until a response body of `bytes` arrives; `false` if the network went away
/// meanwhile or the caller gave up. In a black hole it hangs, as a real one would.
pub async fn response(bytes: usize, gone: impl Fn() -> bool) -> bool {
    loop {
        if gone() {
            return false;
        }
        match decide(|sim| sim.frame(Direction::Down, now(), random(), bytes)) {
            Fate::At(at) => {
                sleep_until(at).await;
                return !gone();
            }
            Fate::Drop if mode() == SimMode::BlackHole => TimeoutFuture::new(HOLD_RECHECK_MS).await,
            Fate::Drop | Fate::Fail | Fate::Hold => return false,
        }
    }
}

async fn sleep_until(at: f64) {
    let wait = at - now();
    if wait >= 1.0 {
        TimeoutFuture::new(wait.min(u32::MAX as f64) as u32).await;
    }
}

fn after(at: f64, run: impl FnOnce() + 'static) {
    let wait = at - now();
    if wait < 1.0 {
        run();
    } else {
        Timeout::new(wait as u32, run).forget();
    }
}

fn slot(direction: Direction) -> usize {
    match direction {
        Direction::Up => 0,
        Direction::Down => 1,
    }
}

/// Delivers at `at`, but never before a frame queued earlier on the same direction (a
/// late timer must not let a later frame overtake).
fn deliver_in_order(direction: Direction, at: f64, delivery: Delivery) {
    let run_now = SIMULATOR.with(|s| {
        let mut simulator = s.borrow_mut();
        let pipe = &mut simulator.pipes[slot(direction)];
        if pipe.queue.is_empty() && at - now() < 1.0 {
            return Some(delivery);
        }
        pipe.queue.push_back((at, delivery));
        None
    });
    match run_now {
        Some(delivery) => delivery(),
        None => arm(direction),
    }
}

/// Runs every frame that is due, in order, then waits for the next one.
fn drain(direction: Direction) {
    loop {
        let due = SIMULATOR.with(|s| {
            let mut simulator = s.borrow_mut();
            let pipe = &mut simulator.pipes[slot(direction)];
            pipe.timer = None;
            match pipe.queue.front() {
                Some((at, _)) if *at - now() < 1.0 => pipe.queue.pop_front().map(|(_, d)| d),
                _ => None,
            }
        });
        // Run outside the borrow: a delivery may send (and so queue) another frame.
        match due {
            Some(delivery) => delivery(),
            None => break,
        }
    }
    arm(direction);
}

fn arm(direction: Direction) {
    SIMULATOR.with(|s| {
        let mut simulator = s.borrow_mut();
        let pipe = &mut simulator.pipes[slot(direction)];
        if pipe.timer.is_some() {
            return;
        }
        if let Some((at, _)) = pipe.queue.front() {
            let wait = (at - now()).max(0.0) as u32;
            pipe.timer = Some(Timeout::new(wait, move || drain(direction)));
        }
    });
}
