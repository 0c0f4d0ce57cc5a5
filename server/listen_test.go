package main

import (
	"net"
	"strings"
	"testing"
)

// TestAPortInUseNamesItsSetting starts serve on an address another
// process holds and checks that the error names the variable the address
// came from: PORT, as Shopify CLI passes it, when STOCKBELL_ADDR is unset.
func TestAPortInUseNamesItsSetting(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	addr := held.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	cases := []struct {
		setting string
		vars    map[string]string
	}{
		{"STOCKBELL_ADDR", map[string]string{"STOCKBELL_ADDR": addr}},
		{"PORT", map[string]string{"STOCKBELL_ADDR": "", "PORT": port}},
		{"STOCKBELL_METRICS_ADDR", map[string]string{"STOCKBELL_METRICS_ADDR": addr}},
	}
	for _, c := range cases {
		t.Run(c.setting, func(t *testing.T) {
			code, _, stderr := run(t, testEnv(t, c.vars), "serve")
			last := stderr[strings.LastIndex(strings.TrimRight(stderr, "\n"), "\n")+1:]
			if code != 1 || !strings.HasPrefix(last, "error: "+c.setting+": ") || !strings.Contains(last, "address already in use") {
				t.Fatalf("want exit 1 and an error naming %s, got %d and %q", c.setting, code, last)
			}
		})
	}
}
