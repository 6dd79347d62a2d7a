package rubygems

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"hoard/formats"
)

// DocumentHeaders implements formats.DocumentHeaderer. Bundler keeps its copies of
// /versions and /info/NAME and asks for them with If-None-Match (the quoted MD5 of
// its copy) and Range (only the appended tail); it then checks its copy, tail
// appended, against the ETag, which must be the quoted MD5 of the whole file, or
// against Repr-Digest, the SHA-256 of the whole file (RFC 9530), where newer
// versions look first. Both describe the bytes Hoard serves, whatever validator
// the upstream used.
func (Format) DocumentHeaders(_ formats.Route, body []byte) map[string]string {
	m := md5.Sum(body)
	s := sha256.Sum256(body)
	return map[string]string{
		"ETag":        `"` + hex.EncodeToString(m[:]) + `"`,
		"Repr-Digest": "sha-256=:" + base64.StdEncoding.EncodeToString(s[:]) + ":",
	}
}
