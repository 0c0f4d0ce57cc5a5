package snippet

// Resolve names the file of the bundle served at a URL path, by its content
// hash. /snippet.js and /snippet/{hash}.js serve the first-load script,
// /snippet/{name}.{hash}.js a lazy file. immutable is true only for a
// file's own content-hashed path. A well-formed path of a known name with
// another hash (a page cached across a release) names the current file of
// that name, with immutable false so that it is cached briefly: storefronts
// keep working, an older first-load script getting the current form. Any
// other path names no file (""). The server serves what Resolve names with
// Content.
func (b *Bundle) Resolve(urlPath string) (hash string, immutable bool) {
	if urlPath == "/snippet.js" {
		return b.Hash, false
	}
	name, hash, ok := parseHashedPath(urlPath)
	if !ok {
		return "", false
	}
	for _, f := range b.Files() {
		if f.Name == name {
			return f.Hash, f.Hash == hash
		}
	}
	return "", false
}

// Content returns the file with that content hash in a content coding: ""
// for the script itself, "gzip" or "br" for its precompressed forms; nil
// for an unknown hash or coding.
func (b *Bundle) Content(hash, coding string) []byte {
	for _, f := range b.Files() {
		if f.Hash != hash {
			continue
		}
		if coding == "" {
			return f.JS
		}
		return f.Compressed(coding)
	}
	return nil
}
