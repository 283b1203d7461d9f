//! A planted bug found only under duplication: the bank credits every `Deposit` message it
//! receives, so a duplicated message is credited twice. A clean (even reordering) network never
//! shows it; a network that duplicates 10 % of messages does.

use musil::prelude::*;

pub(crate) const DEPOSITS: u64 = 5;
pub(crate) const AMOUNT: u64 = 10;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Msg {
    Deposit(u64),
}

/// Sends `DEPOSITS` deposits of `AMOUNT`, once each.
#[derive(Debug, Default)]
pub(crate) struct Customer {
    deposited: u64,
}

impl Node<Msg> for Customer {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        for _ in 0..DEPOSITS {
            self.deposited += AMOUNT;
            ctx.send("bank", Msg::Deposit(AMOUNT));
        }
    }
}

/// The bug: deposits carry no id, so the bank cannot tell a duplicate from a new deposit.
#[derive(Debug, Default)]
pub(crate) struct Bank {
    balance: u64,
}

impl Node<Msg> for Bank {
    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, Msg::Deposit(amount): Msg) {
        self.balance += amount;
    }
}

#[derive(System, Debug, Default)]
pub(crate) struct Branch {
    customer: Customer,
    bank: Bank,
}

#[invariant]
fn balance_never_exceeds_deposits(w: &Branch) -> Result<(), String> {
    if w.bank.balance > w.customer.deposited {
        return Err(format!(
            "balance {} exceeds the {} deposited",
            w.bank.balance, w.customer.deposited
        ));
    }
    Ok(())
}

pub(crate) fn duplicating() -> NetworkModel<Msg> {
    NetworkModel::reliable().duplicate(0.1).latency(1, 4)
}

#[musil::scenario(seeds = 0..50, network = NetworkModel::reliable().latency(1, 4))]
fn deposits_add_up_without_duplication() -> Branch {
    Branch::default()
}

#[musil::scenario(seeds = 0..50, network = duplicating(), should_fail = invariant)]
fn duplication_double_credits_a_deposit() -> Branch {
    Branch::default()
}
