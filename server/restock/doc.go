// Package restock is Stockbell's restock engine and back-in-stock flow.
//
// When a variant's stock changes, Decide applies the shop's rules: the
// minimum inventory, customers to notify per unit restocked, and the wait
// between batches. A batch notifies the oldest queued subscribers (by
// subscription time, ties by id). After a batch sized by customers per
// unit the variant waits, even when the batch took everyone queued:
// restocks and sign-ups during the wait send nothing, and at its end stock
// is counted again. A change to a variant no one is queued for does not reach the
// engine: the store, which sees the empty queue in the change's own
// transaction, queues no job, as Decide would do nothing (see
// stockbell.VariantStockChangedJob). Each claimed subscriber then walks
// the shop's flow: one to three email or SMS steps, with delays,
// skip-if-out-of-stock and smart sending. A subscriber whose alert (the
// first step) is skipped because the item sold out again was told nothing
// and goes back in the queue in their place (stockbell.RequeuesAfter).
//
// The engine sees storage, the queue and the senders only through the root
// package's interfaces (stockbell.RestockStore, stockbell.MessageStore,
// stockbell.Renderer, stockbell.Sender) and takes a stockbell.Clock. Its
// decisions are pure functions of state and time (Decide, SkipMessage), so
// the rules are table-tested with nothing but a clock.
//
// Sending: a send job carries up to stockbell.SendJobMessages messages of
// one chunk; the Messenger reads them in one go and sends them in turn,
// recording each outcome in the transaction that leases the next message,
// so a worker never holds more than one lease (see docs/delivery.md).
//
// Durability: every decision is one store transaction that records its
// events and inserts its follow-up jobs, and every handler is idempotent,
// because jobs run at least once.
package restock
