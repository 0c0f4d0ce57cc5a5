package store

// Lock order on PostgreSQL. Two transactions that lock the same rows in
// opposite orders each wait for the other, and PostgreSQL aborts one
// (40P01). Every store transaction that locks rows of several tables, or
// several rows of one, takes them in this order (SQLite's immediate
// transactions hold its single write lock, and need none of it):
//
//	rows of one table   in id order. A multi-row UPDATE or DELETE locks rows in the
//	                    order its plan finds them, which an update that moved a row
//	                    makes other than id order: rows another transaction may hold
//	                    are locked first with SELECT … ORDER BY id FOR UPDATE
//	                    (lockMessagesInOrder, lockVariantsInOrder, the locked CTE of
//	                    advanceSendStepsQuery), unless the statement's rows are its
//	                    own (just inserted, or claimed with SKIP LOCKED)
//	messages            before their subscriptions, and a transaction that locks
//	                    several takes all its messages before any subscription: a
//	                    send step and its group (advanceSendSteps, then
//	                    followOutcomes), an approval or a discard (all of a held
//	                    batch's messages, then their subscribers, lockHeldRows),
//	                    Unsubscribe, RemoveSubscription, StopSMS (all its texts,
//	                    then all its subscriptions), RedactContact, a shop's erase
//	subscriptions       before their confirmations (lockConfirmation, a repeat
//	                    sign-up, "Send the confirmation again", RedactContact);
//	                    ConfirmReply takes one subscription and its confirmation at
//	                    a time, in subscription id order
//	products            before their variants (UpsertProduct, deleteProduct); a
//	                    feed's writers take the sync's lease row first (shared by
//	                    its batches, held alone by UnpublishFeedItems), and a feed
//	                    item has a product of its own, so batches share no product
//	variants, update    in id order, by every catalog writer (stock changes and
//	                    batches, upserts, feeds); inventory_levels are written only
//	                    under their variant's update lock
//	variants, key share (a subscription's insert, findVariantForSubscription,
//	                    requeueSubscriber, lockBatchVariants) before or after a
//	                    subscription's lock: a transaction holding a variant for
//	                    update waits for no subscription or message (a stock change
//	                    reads the queue unlocked; a claim skips locked subscribers)
//	shops               a row locked for (no key) update is its transaction's first
//	                    lock (updateFlow, RenewShopToken, uninstalling,
//	                    holdShopToErase); a key share (a foreign key's check,
//	                    holdShopForQueueing, holdShop) may come at any point,
//	                    which a no-key update lock does not block; a flow leaving draft
//	                    (recheckWaitingVariants) then locks the row for update, to
//	                    wait for those key shares, and waits for nothing after it
//	a shop's erase      DeleteShop needs a shop's row, and its variants, for update
//	                    and then waits for their rows, which blocks key shares;
//	                    writers take those after their subscriptions and messages
//	                    (a confirmation, a send step), and a sign-up takes its
//	                    variant's before a subscription. So the erase commits the
//	                    shoppers' rows first (eraseShoppers: messages, then
//	                    subscriptions, each in id order), and only then, in a
//	                    second transaction, locks products and variants in id
//	                    order and deletes the shop (eraseShop), holding no row
//	                    such a writer waits for. A writer of the shop's own rows
//	                    (settings, API keys, report schedules, users, origins,
//	                    webhook endpoints and secrets, the sync log, sign-in
//	                    links) takes the shop's key share first (holdShop): the
//	                    delete waits for its commit, or it waits for the erase's
//	                    and finds the shop gone (ENOTFOUND) rather than failing
//	                    its insert's foreign key. Holding the key share it
//	                    locks at most its own row (the settings' row, which
//	                    the erase's cascade reaches only after the delete it
//	                    waits with; a shop user's), none the erase holds, so a
//	                    first settings update racing an erase cannot deadlock.
//	                    A flow's save takes the shop's no-key update lock first
//	                    (updateFlow), as the erase does: they take turns. A
//	                    catalog writer cannot take the key share first (it
//	                    locks products and variants, which the erase locks
//	                    before the shop's row): its insert's foreign key
//	                    waits for the erase and fails, and it reads the shop
//	                    afresh, answering ENOTFOUND (shopGoneOr). Nor does a
//	                    batch of webhook receipts, a hot path that locks
//	                    nothing: a batch failing a foreign key runs again
//	                    without the receipts of a shop found gone, which
//	                    answer ENOTFOUND (insertWithoutGoneShops; in a
//	                    PostgreSQL transaction, aborted, markGoneShops).
//	                    A scheduled report's claim (ClaimReportPeriod)
//	                    holds only its report's key share, the one its
//	                    delivery's key takes, which the erase's cascade
//	                    waits for: begun after, it waits and finds the
//	                    report gone. A shopper's click (RecordClick)
//	                    likewise reads its message with the key share its
//	                    click's key takes, which the shoppers' erase (and
//	                    RedactContact) waits for, waiting for nothing after;
//	                    an order's attribution (RecordOrder) its notified
//	                    subscriptions, in id order, then only the key
//	                    shares of its conversions' variant and shop.
//	                    A feed's writers (ApplyFeedItems, UnpublishFeedItems)
//	                    hold its feed's row before products and variants, and
//	                    the delete's cascade would lock that row after the
//	                    erase holds them. A feed shop is erased once an
//	                    operator disconnected it (`stockbell shop disconnect`,
//	                    then `shop erase`), so the erase locks the feed's row
//	                    for update before the products (lockShopFeed), in the
//	                    order the feed's writers take: a batch begun first is
//	                    waited for, one begun after waits for the erase and
//	                    finds the shop gone (ENOTFOUND).
//
// Tests: *_lock_order_test.go (shops_lock_order_test.go and
// shop_erase_race_test.go for the erase) and
// TestHeldShopperRemovedWhileApproved hold
// one row as the other writer would, let the store call wait for it, then
// take the row the call would have taken out of order (beginFirstToDeadlock).
