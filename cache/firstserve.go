package cache

import (
	"encoding/hex"

	lru "github.com/hashicorp/golang-lru/v2"
)

// A blob on disk may have changed since it was written: a bit flipped by the disk,
// a file edited by hand. Hoard hashes each blob the first time it serves it after
// the store opens (the proxy verifies it as it streams, see proxy/firstserve.go),
// and serves it from its file without hashing from then on. The store remembers
// which blobs were hashed since it opened; a blob placed by a commit was hashed
// on its way in.

// verifiedKept bounds that memory (a 32-byte digest each, about 100 bytes with
// the LRU's bookkeeping); a forgotten blob is only hashed once more.
const verifiedKept = 1 << 17

func newVerified() *lru.Cache[[32]byte, struct{}] {
	c, _ := lru.New[[32]byte, struct{}](verifiedKept) // fails only for a size < 1
	return c
}

func verifiedKey(hx string) ([32]byte, bool) {
	var k [32]byte
	n, err := hex.Decode(k[:], []byte(hx))
	return k, err == nil && n == len(k)
}

// VerifiedSinceOpen reports whether e's blob was hashed since the store opened.
func (s *Store) VerifiedSinceOpen(e Entry) bool {
	k, ok := verifiedKey(e.Digest.Hex())
	return ok && s.verified.Contains(k)
}

// MarkVerified records that e's blob was hashed and matched its digest.
func (s *Store) MarkVerified(e Entry) { s.markVerified(e.Digest.Hex()) }

func (s *Store) markVerified(hx string) {
	if k, ok := verifiedKey(hx); ok {
		s.verified.Add(k, struct{}{})
	}
}

// DropCorrupt removes e's blob, found not to match its digest, with every entry
// referencing it, so the next request fetches it again. It returns how many
// entries it dropped.
func (s *Store) DropCorrupt(e Entry) int {
	hx := e.Digest.Hex()
	if hx == "" {
		return 0
	}
	k, _ := verifiedKey(hx)
	s.verified.Remove(k)
	s.log.Error().Str("digest", hx).Str("key", e.Key).Msg("blob does not match its digest; dropped")
	return s.dropDigest(hx, nil)
}
