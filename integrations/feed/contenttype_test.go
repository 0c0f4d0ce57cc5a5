package feed_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// genericTypes are the content types that say nothing about a document,
// as object stores (S3, Google Cloud Storage), CDNs and plain file servers
// answer for a file uploaded without one; "" sends no Content-Type.
var genericTypes = []string{"application/octet-stream", "binary/octet-stream", "text/plain", "text/plain; charset=utf-8", ""}

// genericFeed serves body under a generic content type ("": none).
func genericFeed(body []byte, contentType string) feedtest.Feed {
	return feedtest.Feed{Body: body, ContentType: contentType, NoContentType: contentType == ""}
}

// TestFetchRecognisesAFeedServedAsAGenericType: a JSON or XML document
// served as a generic type is read in the format its first characters
// show (after space and a byte order mark), whatever the URL's extension.
func TestFetchRecognisesAFeedServedAsAGenericType(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	jsonDoc := feedtest.Document("json", feedtest.Items(2, 1))
	xmlDoc := feedtest.Document("xml", feedtest.Items(2, 1))
	docs := []struct {
		path   string
		body   []byte
		format feed.Format
	}{
		{"/feed.json", jsonDoc, feed.JSON},
		{"/feed.xml", xmlDoc, feed.XML},
		{"/export", append([]byte("\ufeff \r\n\t"), jsonDoc...), feed.JSON},
		{"/export.php", append([]byte("\n\n"), xmlDoc...), feed.XML},
		{"/feed.xml.txt", jsonDoc, feed.JSON}, // the document, not the extension, decides
		{"/object", []byte(`{"products":[]}`), feed.JSON},
		// A script's output after its includes' blank lines: more space
		// than a first look ahead (512 bytes) reads.
		{"/export-lines.php", append(bytes.Repeat([]byte("\n"), 600), xmlDoc...), feed.XML},
		{"/export-spaces", append(bytes.Repeat([]byte(" \r\n"), 3000), jsonDoc...), feed.JSON},
	}
	f := devFetcher()
	for _, contentType := range genericTypes {
		for _, d := range docs {
			host.Set(d.path, genericFeed(d.body, contentType))
			doc, err := f.Fetch(ctx, host.URL(d.path), nil, feed.Validators{})
			if err != nil {
				t.Fatalf("%s served as %q: %v", d.path, contentType, err)
			}
			body, err := io.ReadAll(doc.Body)
			doc.Body.Close()
			if doc.Format != d.format || err != nil || !bytes.Equal(body, d.body) {
				t.Fatalf("%s served as %q: %s, %d bytes, %v; want %s and the %d-byte document", d.path, contentType, doc.Format, len(body), err, d.format, len(d.body))
			}
		}
	}
}

// TestFetchRefusesWhatIsNotAFeed: an HTML page (an error or login page
// answered 200), a compressed file, text or nothing served as a generic
// type is refused with what was received; an HTML page is refused under a
// JSON or XML type too.
func TestFetchRefusesWhatIsNotAFeed(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	var gz bytes.Buffer
	z := gzip.NewWriter(&gz)
	z.Write(feedtest.Document("json", feedtest.Items(2, 1)))
	z.Close()
	login := []byte("\n  <!DOCTYPE html>\n<html lang=\"en\"><head><title>Sign in to your account</title></head><body><form>…</form></body></html>")
	errorPage := []byte("<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD><BODY>The requested URL was not found.</BODY></HTML>")
	cases := []struct {
		body    []byte
		types   []string
		reasons []string
	}{
		{login, append(genericTypes, "application/json", "application/xml"), []string{"is an HTML page", "not a JSON or XML feed", `"<!DOCTYPE html>\n<html lang=\"en\"><head><title>Sign in`}},
		{errorPage, genericTypes, []string{"is an HTML page", "404 Not Found"}},
		{gz.Bytes(), genericTypes, []string{"is a gzip-compressed file", "Content-Encoding: gzip"}},
		{[]byte("id,inventory_quantity\nA,1\n"), genericTypes, []string{`starts with "id,inventory_quantity\n`, "neither a JSON array nor XML"}},
		{[]byte(" \n "), genericTypes, []string{"is empty"}},
		{bytes.Repeat([]byte(" "), 1000), genericTypes, []string{"is empty"}},
		{[]byte("\xff\xfe<\x00P\x00r\x00o\x00"), append(genericTypes, "application/xml"), []string{"is encoded in UTF-16", "serve it in UTF-8"}},
		{[]byte("\xfe\xff\x00[\x00{"), append(genericTypes, "application/json"), []string{"is encoded in UTF-16", "serve it in UTF-8"}},
		// Past the first 512 bytes read ahead, the page is still named.
		{append(bytes.Repeat([]byte("\n"), 600), errorPage...), append(genericTypes, "application/xml"), []string{"is an HTML page", "404 Not Found"}},
	}
	f := devFetcher()
	for _, c := range cases {
		for _, contentType := range c.types {
			host.Set("/feed", genericFeed(c.body, contentType))
			_, err := f.Fetch(ctx, host.URL("/feed"), nil, feed.Validators{})
			served := "served without a content type"
			if contentType != "" {
				served = "served as " + strings.TrimSpace(strings.Split(contentType, ";")[0])
			}
			for _, reason := range append(c.reasons, served) {
				wantFetchError(t, err, reason)
			}
		}
	}
}

// TestSyncReadsFeedsServedAsGenericTypes: on each database, a JSON feed
// and an XML feed served as octet-stream or without a type sync like any
// other; a login page served as octet-stream fails the sync naming it,
// and changes nothing.
func TestSyncReadsFeedsServedAsGenericTypes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		feeds := []feedtest.Feed{
			genericFeed(feedtest.Document("json", feedtest.Items(3, 4)), "application/octet-stream"),
			genericFeed(feedtest.Document("xml", feedtest.Items(3, 5)), "binary/octet-stream"),
			genericFeed(feedtest.Document("json", feedtest.Items(3, 6)), ""),
		}
		shop := e.connect("/feed", nil)
		for i, f := range feeds {
			e.host.Set("/feed", f)
			if r := e.sync(shop); r.Failed() || r.Items != 3 {
				t.Fatalf("feed %d: sync = %+v", i, r)
			}
			if v := e.variant(shop, feedtest.Items(3, 0)[2].ID); v.Stock != 4+i {
				t.Fatalf("feed %d: stock %d, want %d", i, v.Stock, 4+i)
			}
		}
		e.host.Set("/feed", genericFeed([]byte("<!doctype html><title>Log in</title>"), "application/octet-stream"))
		r := e.sync(shop)
		if !r.Failed() || !strings.Contains(r.Failure, "is an HTML page") || r.Changed != 0 {
			t.Fatalf("login page: sync = %+v", r)
		}
		if kind, d := e.lastLog(shop); kind != stockbell.EventSyncFailed || !strings.Contains(d["reason"].(string), "Log in") {
			t.Fatalf("login page: sync log = %s %v", kind, d)
		}
		if v := e.variant(shop, feedtest.Items(3, 0)[2].ID); v.Stock != 6 || !v.Published {
			t.Fatalf("after the login page, the item = %+v", v)
		}
	})
}
