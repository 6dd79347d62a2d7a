package fleet

import (
	"crypto/sha256"
	"encoding/hex"
)

// The bucket's layout under the tier's prefix:
//
//	sha256/ab/<hex>   a blob, named by the sha256 of its bytes, never overwritten
//	entries/ab/<hash> an entry record: which blob a cache key names (hash = sha256 of the key)
//	leases/<hash>     a fill of that key in progress on some node
//	refs/ab/<hex>     when a blob was last referenced anew (see Publish)
//
// A blob's own LastModified is when it was uploaded; re-referencing an old blob
// writes its small refs object rather than touching the blob, which S3 can do
// only by copying it, and which some servers do without moving LastModified.
const (
	blobPrefix  = "sha256/"
	entryPrefix = "entries/"
	leasePrefix = "leases/"
	refPrefix   = "refs/"
)

// blobObject is where the blob with this (validated, lower-case) hex digest lives.
func blobObject(hexDigest string) string {
	return blobPrefix + hexDigest[:2] + "/" + hexDigest
}

// keyHash names a cache key in the bucket: cache keys hold characters an object
// key should not, and the hash spreads records over the listing.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func refObject(hexDigest string) string {
	return refPrefix + hexDigest[:2] + "/" + hexDigest
}

func entryObject(key string) string {
	h := keyHash(key)
	return entryPrefix + h[:2] + "/" + h
}

func leaseObject(key string) string { return leasePrefix + keyHash(key) }

// validHex: 64 lower-case hex digits, the only blob names the tier reads or writes.
func validHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
