package snippet

import "regexp"

var hashedPath = regexp.MustCompile(`^/snippet/([0-9a-f]{16})\.js$`)

// Resolve names the file of the bundle served at a URL path, by its content
// hash: /snippet.js and /snippet/{hash}.js serve the bundle. immutable is
// true only for the bundle's own content-hashed path; a well-formed hash
// other than the current one (a page cached across a release) gets the
// current bundle under the short cache, so storefronts keep working. Any
// other path names no file (""). The server serves what Resolve names with
// Content.
func (b *Bundle) Resolve(urlPath string) (hash string, immutable bool) {
	if urlPath == "/snippet.js" {
		return b.Hash, false
	}
	if m := hashedPath.FindStringSubmatch(urlPath); m != nil {
		return b.Hash, m[1] == b.Hash
	}
	return "", false
}

// Content returns the file with that content hash in a content coding: ""
// for the script itself, "gzip" or "br" for its precompressed forms; nil
// for an unknown hash or coding.
func (b *Bundle) Content(hash, coding string) []byte {
	if hash != b.Hash {
		return nil
	}
	if coding == "" {
		return b.JS
	}
	return b.encodings[coding]
}
