package restock_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRestockLogLinesNameTheShop: the lines an operator reads, or alerts
// on, during a restock (a batch started, a message sent again after an
// attempt whose outcome is unknown) name the shop, so that with many shops
// on one deployment the line says whose restock it is.
func TestRestockLogLinesNameTheShop(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, nil))
		h.engine.Logger, h.msgr.Logger = logger, logger
		h.sender.unknownTimes, h.allowFailures = 1, 1
		v := h.variant("v1")
		h.subscribe(v, 1, "u")
		h.stock("v1", "warehouse", 5)
		h.run()
		shop := fmt.Sprintf("shop=%d ", h.shop.ID)
		for _, msg := range []string{"restock batch started", "sending a message again"} {
			line := ""
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, msg) {
					line = l
				}
			}
			if !strings.Contains(line, shop) {
				t.Errorf("the line %q does not name the shop (%s):\n%s", msg, shop, logs.String())
			}
		}
	})
}
