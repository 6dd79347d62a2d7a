package configs

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// BlobStore is cache.blob_store: where blobs live behind the local disk. "local"
// (the default) is the disk alone; "s3" adds a bucket several nodes share, so a
// fill on one is a hit on the others.
type BlobStore struct {
	Type      string `yaml:"type"`       // local or s3
	Endpoint  string `yaml:"endpoint"`   // base URL of an S3-compatible server; empty is AWS
	Bucket    string `yaml:"bucket"`     //
	Prefix    string `yaml:"prefix"`     // key prefix within the bucket, to share one
	Region    string `yaml:"region"`     // default us-east-1
	PathStyle bool   `yaml:"path_style"` // bucket in the path: most self-hosted servers
	// Credentials is env:NAME or file:PATH holding ACCESS:SECRET; empty takes the
	// standard AWS chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles, roles).
	Credentials string `yaml:"credentials"`
	// Node names this node in records and leases (default: the host name).
	Node string `yaml:"node"`
	// LeaseTTL: how long a node killed mid-fill holds up the others' fills of
	// that key before they take it over.
	LeaseTTL Duration `yaml:"lease_ttl"`
	// GCGrace: the shared GC never removes a blob uploaded or referenced anew
	// within it.
	GCGrace Duration `yaml:"gc_grace"`
	// Retention: the shared GC removes entry records older than this (0 keeps them).
	Retention Duration `yaml:"retention"`
}

// Shared reports whether blobs go to a shared bucket.
func (b BlobStore) Shared() bool { return b.Type == "s3" }

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
var keyPrefix = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?$`)

// validate returns every problem, each to be named by its key.
func (b BlobStore) validate() []error {
	switch b.Type {
	case "", "local":
		return nil
	case "s3":
	default:
		return []error{fmt.Errorf("type %q is not one of local, s3", b.Type)}
	}
	var errs []error
	if !bucketName.MatchString(b.Bucket) {
		errs = append(errs, fmt.Errorf("bucket %q is not an S3 bucket name", b.Bucket))
	}
	if b.Prefix != "" && (!keyPrefix.MatchString(b.Prefix) || strings.Contains("/"+b.Prefix+"/", "/../")) {
		errs = append(errs, fmt.Errorf("prefix %q must be path segments of letters, digits, '.', '_' or '-'", b.Prefix))
	}
	if b.Endpoint != "" {
		if u, err := url.Parse(b.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			errs = append(errs, fmt.Errorf("endpoint %q is not an http(s) URL without credentials", b.Endpoint))
		}
	}
	if c := b.Credentials; c != "" && !strings.HasPrefix(c, "env:") && !strings.HasPrefix(c, "file:") {
		errs = append(errs, errors.New(`credentials must be "env:NAME" or "file:PATH" (holding ACCESS:SECRET), or left out for the AWS chain`))
	}
	if b.LeaseTTL < 0 || b.GCGrace < 0 || b.Retention < 0 {
		errs = append(errs, errors.New("lease_ttl, gc_grace and retention must not be negative"))
	}
	if b.LeaseTTL != 0 && b.LeaseTTL.D().Seconds() < 2 {
		errs = append(errs, errors.New("lease_ttl must be at least 2s: servers date objects to the second"))
	}
	return errs
}
