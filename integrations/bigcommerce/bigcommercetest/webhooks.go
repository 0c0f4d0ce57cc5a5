package bigcommercetest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
)

// Delivery is one webhook as BigCommerce posts it: the body and the
// headers of the hook it was delivered for.
type Delivery struct {
	Scope   string
	Body    []byte
	Headers map[string]string
}

// Event builds the delivery of an event of the store: the payload
// {scope, store_id, data, hash, created_at, producer}, where hash is the
// SHA-1 of the JSON payload, and the custom headers of the store's active
// hook for the scope (none when there is no such hook: BigCommerce would
// not deliver at all).
func (f *Fake) Event(hash, scope string, data any) (*Delivery, error) {
	payload := map[string]any{"scope": scope, "store_id": "1025646", "data": data,
		"created_at": f.Now().Unix(), "producer": "stores/" + hash}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(raw)
	payload["hash"] = hex.EncodeToString(sum[:])
	body, _ := json.Marshal(payload)
	d := &Delivery{Scope: scope, Body: body}
	f.Do(hash, func(s *Store) {
		for _, h := range s.Hooks {
			if h.Scope == scope && h.Active {
				d.Headers = h.Headers
				return
			}
		}
	})
	if d.Headers == nil {
		return nil, fmt.Errorf("store %s has no active hook for %s", hash, scope)
	}
	return d, nil
}

// Post delivers d to url; BigCommerce counts only a 2xx answer.
func (d *Delivery) Post(url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "BigCommerce Webhooks")
	for k, v := range d.Headers {
		req.Header.Set(k, v)
	}
	return http.DefaultClient.Do(req)
}

// SKUInventory is the data of store/sku/inventory/updated (method
// absolute) and store/sku/inventory/order/updated (method relative).
func SKUInventory(skuID, productID, variantID int64, method string, value int) map[string]any {
	return map[string]any{"type": "sku", "id": skuID, "inventory": map[string]any{
		"product_id": productID, "method": method, "value": value, "variant_id": variantID}}
}

// ProductInventory is the data of store/product/inventory/updated and
// store/product/inventory/order/updated.
func ProductInventory(productID int64, method string, value int) map[string]any {
	return map[string]any{"type": "product", "id": productID, "inventory": map[string]any{
		"product_id": productID, "method": method, "value": value}}
}

// SKUDeleted is the data of store/sku/deleted: the SKU's id, with its
// product and variant under "sku" (no inventory).
func SKUDeleted(skuID, productID, variantID int64) map[string]any {
	return map[string]any{"type": "sku", "id": skuID, "sku": map[string]any{
		"product_id": productID, "variant_id": variantID}}
}

// ProductEvent is the data of store/product/created, updated and deleted.
func ProductEvent(productID int64) map[string]any {
	return map[string]any{"type": "product", "id": productID}
}

// OrderEvent is the data of store/order/created.
func OrderEvent(orderID int64) map[string]any {
	return map[string]any{"type": "order", "id": orderID}
}
