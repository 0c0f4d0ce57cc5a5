package web

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestConnectWithinBoundsOnlyTheConnecting: the page check's dial has its
// own limit to connect, and a connection made within it stays usable after.
func TestConnectWithinBoundsOnlyTheConnecting(t *testing.T) {
	var deadline time.Time
	limited := connectWithin(50*time.Millisecond, func(ctx context.Context, network, address string) (net.Conn, error) {
		deadline, _ = ctx.Deadline()
		return (&net.Dialer{}).DialContext(ctx, network, address)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			defer c.Close()
			buf := make([]byte, 4)
			if n, err := c.Read(buf); err == nil {
				_, _ = c.Write(buf[:n])
			}
		}
	}()
	start := time.Now()
	conn, err := limited(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if deadline.IsZero() || deadline.After(start.Add(50*time.Millisecond+time.Since(start))) {
		t.Errorf("the dial's deadline is %v after it began, want 50ms", deadline.Sub(start))
	}
	time.Sleep(100 * time.Millisecond)
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("ping")); err != nil {
		t.Fatalf("the connection is closed once the limit passed: %v", err)
	}
	buf := make([]byte, 4)
	if _, err := conn.Read(buf); err != nil || string(buf) != "ping" {
		t.Fatalf("the connection answers %q, %v after the limit passed", buf, err)
	}
}
