package magentotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// oauthRequest is the OAuth 1.0a protocol parameters of a request with
// every parameter the signature covers.
type oauthRequest struct {
	protocol map[string]string // oauth_* from the Authorization header
	signed   [][2]string       // every signed parameter, oauth_signature aside
}

// parseOAuth reads the Authorization header, the query and a form body.
// It is written from RFC 5849 independently of the library the server
// signs with, so the two check each other.
func parseOAuth(r *http.Request) (*oauthRequest, bool) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "OAuth ")
	if !ok {
		return nil, false
	}
	req := &oauthRequest{protocol: map[string]string{}}
	for _, part := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, false
		}
		key, _ := url.PathUnescape(k)
		value, _ := url.PathUnescape(strings.Trim(v, `"`))
		req.protocol[key] = value
		if key != "oauth_signature" && key != "realm" {
			req.signed = append(req.signed, [2]string{key, value})
		}
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			req.signed = append(req.signed, [2]string{k, v})
		}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.ParseForm()
		for k, vs := range r.PostForm {
			for _, v := range vs {
				req.signed = append(req.signed, [2]string{k, v})
			}
		}
	}
	return req, true
}

// valid checks the signature with the consumer and token secrets, by the
// request's method among those accepted.
func (o *oauthRequest) valid(r *http.Request, consumerSecret, tokenSecret string, accepted []string) bool {
	var h func() hash.Hash
	method := o.protocol["oauth_signature_method"]
	switch method {
	case "HMAC-SHA1":
		h = sha1.New
	case "HMAC-SHA256":
		h = sha256.New
	}
	if h == nil || !contains(accepted, method) {
		return false
	}
	mac := hmac.New(h, []byte(encode(consumerSecret)+"&"+encode(tokenSecret)))
	mac.Write([]byte(baseString(r, o.signed)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(o.protocol["oauth_signature"]))
}

// baseString is RFC 5849 3.4.1.
func baseString(r *http.Request, params [][2]string) string {
	pairs := make([][2]string, len(params))
	for i, p := range params {
		pairs[i] = [2]string{encode(p[0]), encode(p[1])}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	encoded := make([]string, len(pairs))
	for i, p := range pairs {
		encoded[i] = p[0] + "=" + p[1]
	}
	uri := baseStringURI(r)
	return r.Method + "&" + encode(uri) + "&" + encode(strings.Join(encoded, "&"))
}

// encode is RFC 3986 percent-encoding: everything but unreserved bytes.
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// baseStringURI is the request's URI as its signature base string writes
// it (RFC 5849 3.4.1.2): scheme and host in lower case, without the
// scheme's default port.
func baseStringURI(r *http.Request) string {
	scheme, host := "http", strings.ToLower(r.Host)
	if r.TLS != nil {
		scheme = "https"
	}
	if _, port, err := net.SplitHostPort(host); err == nil && (scheme == "https" && port == "443" || scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host + r.URL.EscapedPath()
}
