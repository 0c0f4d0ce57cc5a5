package stockbell

// skipReasonWords say, in the merchant's words, why nobody (or no
// message) was sent: the admin's timeline and Reports page and the
// scheduled report emails write them.
var skipReasonWords = map[SkipReason]string{
	SkipBelowMinimum:     "the stock was below the minimum inventory",
	SkipWaitingPeriod:    "a wait between batches was running",
	SkipShopUninstalled:  "Stockbell was not installed on the shop",
	SkipProductDeleted:   "the product was deleted",
	SkipVariantDeleted:   "the variant was removed from its product",
	SkipProductHidden:    "the product was not published",
	SkipFlowDraft:        "the flow was a draft",
	SkipUnsubscribed:     "the subscriber had unsubscribed",
	SkipOutOfStockAgain:  "the item had sold out again (this message is sent only while it is in stock)",
	SkipSmartSending:     "smart sending: the subscriber had received another message shortly before",
	SkipNoContact:        "the subscriber left no contact for this channel",
	SkipStepRemoved:      "this message was removed from the flow",
	SkipDiscarded:        "its batch was discarded in manual mode",
	SkipRemoved:          "the subscriber was removed from their batch before it was approved",
	SkipSubscriptionGone: "the subscriber was no longer waiting for this item",
	SkipSoldOutAgain:     "the item had sold out again when the wait between batches ended, so no batch followed",
}

// Words is the reason in the merchant's words ("the stock was below the
// minimum inventory"), or its code when it has none.
func (r SkipReason) Words() string {
	if text, ok := skipReasonWords[r]; ok {
		return text
	}
	return string(r)
}
