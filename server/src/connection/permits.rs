//! The connection caps: at most `max_total` open connections, and at most
//! `max_per_address` from one client address, counted from accept until the connection
//! closes — including a WebSocket, whose permit travels with the upgraded socket. Without
//! it one host can exhaust the process's file descriptors and lock everybody out.

use crate::locks::lock;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds `max_total` connections.
    ServerFull,
    /// This address holds `max_per_address` connections.
    AddressFull,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// The open-connection counts of one server.
#[derive(Debug)]
pub struct ConnectionCaps {
    max_total: usize,
    max_per_address: usize,
    counts: Mutex<Counts>,
}

/// One open connection's place in the budget; released when dropped.
#[derive(Debug)]
pub struct Permit {
    budget: Arc<ConnectionCaps>,
    address: IpAddr,
}

/// A permit shared by a connection and whatever outlives its HTTP part (an upgraded
/// WebSocket holds a clone), in the request's extensions.
#[derive(Debug, Clone)]
pub struct ConnectionPermit(pub Arc<Permit>);

impl ConnectionCaps {
    /// A budget of `max_total` connections, `max_per_address` per address.
    pub fn new(max_total: usize, max_per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total,
            max_per_address,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// A permit for a new connection from `address`, or why not.
    pub fn acquire(self: &Arc<Self>, address: IpAddr) -> Result<Permit, Refusal> {
        let mut counts = lock(&self.counts);
        if counts.total >= self.max_total {
            return Err(Refusal::ServerFull);
        }
        let from_address = counts.per_address.entry(address).or_default();
        if *from_address >= self.max_per_address {
            return Err(Refusal::AddressFull);
        }
        *from_address += 1;
        counts.total += 1;
        Ok(Permit {
            budget: self.clone(),
            address,
        })
    }

    /// The cap on all connections.
    pub fn max_total(&self) -> usize {
        self.max_total
    }

    /// The cap on one address's connections.
    pub fn max_per_address(&self) -> usize {
        self.max_per_address
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        lock(&self.counts).total
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = lock(&self.budget.counts);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                counts.per_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_and_permits_give_their_place_back() {
        let budget = ConnectionCaps::new(3, 2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let a1 = budget.acquire(a).unwrap();
        let _a2 = budget.acquire(a).unwrap();
        assert_eq!(budget.acquire(a).unwrap_err(), Refusal::AddressFull);
        let _b1 = budget.acquire(b).unwrap();
        assert_eq!(budget.acquire(b).unwrap_err(), Refusal::ServerFull);
        drop(a1);
        assert_eq!(budget.open(), 2);
        assert!(
            budget.acquire(a).is_ok(),
            "a closed connection frees its place"
        );
    }
}
