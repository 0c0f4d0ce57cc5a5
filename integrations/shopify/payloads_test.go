package shopify_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
)

// topicOf names the topic of a testdata file (inventory_levels_update.json
// → inventory_levels/update).
func topicOf(file string) string {
	name := strings.TrimSuffix(file, ".json")
	for _, prefix := range []string{"inventory_levels", "inventory_items", "products", "customers", "shop", "app", "orders"} {
		if rest, ok := strings.CutPrefix(name, prefix+"_"); ok {
			return prefix + "/" + rest
		}
	}
	return name
}

func TestParseWebhookTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 10 {
		t.Fatalf("only %d testdata payloads", len(files))
	}
	for _, f := range files {
		topic := topicOf(filepath.Base(f))
		body, _ := os.ReadFile(f)
		if _, err := shopify.ParseWebhook(topic, body); err != nil {
			t.Errorf("%s as %s: %v", f, topic, err)
		}
	}
}

// TestParseWebhookIDs keeps ids above 2^53 exact and refuses non-integers.
func TestParseWebhookIDs(t *testing.T) {
	hook, err := shopify.ParseWebhook(shopify.TopicInventoryLevelsUpdate, readTestdata(t, "inventory_levels_update.json"))
	if err != nil {
		t.Fatal(err)
	}
	if hook.InventoryLevel.InventoryItemID != "271878346596884015" {
		t.Fatalf("item id = %s", hook.InventoryLevel.InventoryItemID)
	}
	cases := map[string]string{
		`{"inventory_item_id":2.71878346596884e17,"location_id":1,"available":1}`:   "body",
		`{"location_id":1,"available":1}`:                                           "inventory_item_id",
		`{"inventory_item_id":1,"available":1}`:                                     "location_id",
		`{"inventory_item_id":1,"location_id":1}`:                                   "available",
		`{"inventory_item_id":1,"location_id":1,"available":1,"updated_at":"soon"}`: "updated_at",
		`[1,2]`: "body",
	}
	for body, field := range cases {
		_, err := shopify.ParseWebhook(shopify.TopicInventoryLevelsUpdate, []byte(body))
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != field {
			t.Errorf("%s: err %v, want EINVALID on %s", body, err, field)
		}
	}
	if _, err := shopify.ParseWebhook("orders/paid", []byte(`{}`)); stockbell.ErrorField(err) != "topic" {
		t.Errorf("unknown topic: %v", err)
	}
}

// FuzzParseWebhook: the parser never panics, and whatever it accepts has
// exact decimal ids.
func FuzzParseWebhook(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		body, _ := os.ReadFile(file)
		f.Add(topicOf(filepath.Base(file)), body)
	}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		hook, err := shopify.ParseWebhook(topic, body)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EINVALID {
				t.Fatalf("error code %s: %v", stockbell.ErrorCode(err), err)
			}
			return
		}
		for _, id := range idsOf(hook) {
			if _, err := strconv.ParseUint(string(id), 10, 64); err != nil && id != "" {
				t.Fatalf("accepted id %q", id)
			}
		}
	})
}

func idsOf(h *shopify.Webhook) []shopify.ID {
	switch {
	case h.InventoryLevel != nil:
		return []shopify.ID{h.InventoryLevel.InventoryItemID, h.InventoryLevel.LocationID}
	case h.Product != nil:
		ids := []shopify.ID{h.Product.ID}
		for _, v := range h.Product.Variants {
			ids = append(ids, v.ID, v.InventoryItemID)
		}
		return ids
	case h.Customer != nil:
		return []shopify.ID{h.Customer.Customer.ID, h.Customer.DataRequest.ID}
	}
	return nil
}
