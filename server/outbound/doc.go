// Package outbound tells merchants' own systems what happens in their
// shop: it registers a shop's webhook endpoints (refusing, in production,
// URLs on loopback, private or link-local addresses) and delivers the
// events the store queues for them (WebhookDeliveryJob), signed as the
// Standard Webhooks specification says (webhook-id, webhook-timestamp,
// webhook-signature: v1,<base64 HMAC-SHA256>), retried with the job
// queue's backoff; an endpoint whose every attempt at a message failed is
// disabled and the shop's admin users are told by email.
//
// It sees storage and senders only through the root package's interfaces,
// and dials through package netguard.
package outbound
