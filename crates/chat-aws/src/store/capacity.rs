//! Consumed capacity, recorded per task. Store functions ask DynamoDB for the capacity every
//! request consumes (`ReturnConsumedCapacity::Total`, free of charge) and add it to the meter of
//! the surrounding [`measure`] call, if any, so a whole domain operation — however many requests
//! it makes, concurrently or not — can be costed without threading counters through every
//! signature. Outside `measure` recording is a no-op.

use std::cell::RefCell;
use std::future::Future;

use aws_sdk_dynamodb::types::ConsumedCapacity;

/// Capacity units consumed: reads (GetItem, Query, BatchGetItem) and writes (PutItem,
/// UpdateItem, DeleteItem, TransactWriteItems).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Capacity {
    pub rcu: f64,
    pub wcu: f64,
}

tokio::task_local! {
    static METER: RefCell<Capacity>;
}

/// Runs `fut` and returns what it produced with the capacity its requests consumed. Requests
/// must run within `fut`'s task (joined or buffered futures do; spawned tasks do not).
pub async fn measure<F: Future>(fut: F) -> (F::Output, Capacity) {
    METER
        .scope(RefCell::new(Capacity::default()), async move {
            let out = fut.await;
            let used = METER.with(|m| *m.borrow());
            (out, used)
        })
        .await
}

fn units<'a>(consumed: impl IntoIterator<Item = &'a ConsumedCapacity>) -> f64 {
    consumed.into_iter().filter_map(|c| c.capacity_units).sum()
}

pub(crate) fn read<'a>(consumed: impl IntoIterator<Item = &'a ConsumedCapacity>) {
    let units = units(consumed);
    let _ = METER.try_with(|m| m.borrow_mut().rcu += units);
}

pub(crate) fn write<'a>(consumed: impl IntoIterator<Item = &'a ConsumedCapacity>) {
    let units = units(consumed);
    let _ = METER.try_with(|m| m.borrow_mut().wcu += units);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumed(units: f64) -> ConsumedCapacity {
        ConsumedCapacity::builder().capacity_units(units).build()
    }

    #[tokio::test]
    async fn adds_up_reads_and_writes_inside_measure_only() {
        read([&consumed(5.0)]);
        let ((), used) = measure(async {
            read([&consumed(0.5)]);
            futures::join!(async { write([&consumed(1.0)]) }, async {
                write(&[consumed(2.0), consumed(1.0)])
            });
        })
        .await;
        assert_eq!(used, Capacity { rcu: 0.5, wcu: 4.0 });
    }
}
