package configs

import (
	"strings"
	"testing"
)

func TestBlobStoreValidation(t *testing.T) {
	ok := BlobStore{Type: "s3", Bucket: "hoard-ci", Endpoint: "https://s3.example", Prefix: "eu/ci", Credentials: "env:S3_KEYS"}
	if errs := ok.validate(); len(errs) != 0 {
		t.Fatalf("valid store refused: %v", errs)
	}
	if errs := (BlobStore{}).validate(); len(errs) != 0 {
		t.Fatalf("the local default refused: %v", errs)
	}
	for _, c := range []struct {
		name string
		b    BlobStore
		want string
	}{
		{"type", BlobStore{Type: "gcs"}, "not one of local, s3"},
		{"bucket", BlobStore{Type: "s3", Bucket: "Bad_Name"}, "not an S3 bucket name"},
		{"endpoint", BlobStore{Type: "s3", Bucket: "b-1", Endpoint: "http://user:pw@s3"}, "without credentials"},
		{"prefix", BlobStore{Type: "s3", Bucket: "b-1", Prefix: "a/../b"}, "prefix"},
		{"credentials", BlobStore{Type: "s3", Bucket: "b-1", Credentials: "AKIA:secret"}, "env:NAME"},
		{"lease", BlobStore{Type: "s3", Bucket: "b-1", LeaseTTL: Duration(500e6)}, "at least 2s"},
	} {
		errs := c.b.validate()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%s: %v, want one error with %q", c.name, errs, c.want)
		}
	}
}
