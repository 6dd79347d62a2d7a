package main

import (
	"context"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/cache/fleet"
	"hoard/configs"
)

// openShared builds the shared blob tier cache.blob_store names, or nil for
// type local. It contacts nothing: a bucket that is down costs misses, not a
// refused start.
func openShared(cfg configs.Config, store *cache.Store, log zerolog.Logger) (*fleet.Tier, error) {
	bs := cfg.Cache.BlobStore
	if !bs.Shared() {
		return nil, nil
	}
	bucket, err := fleet.NewS3Bucket(context.Background(), fleet.S3Options{
		Endpoint: bs.Endpoint, Bucket: bs.Bucket, Prefix: bs.Prefix, Region: bs.Region, PathStyle: bs.PathStyle,
		Credentials: bs.Credentials,
	})
	if err != nil {
		return nil, fmt.Errorf("cache.blob_store: %w", err)
	}
	node := bs.Node
	if node == "" {
		node, _ = os.Hostname()
	}
	return fleet.New(fleet.Options{Bucket: bucket, Store: store, Node: node, LeaseTTL: bs.LeaseTTL.D(),
		Grace: bs.GCGrace.D(), Retention: bs.Retention.D(), MaxSize: int64(cfg.Cache.MaxArtifactSize), Logger: log})
}

// gcShared is `hoard gc-shared`: the shared bucket's GC, safe while nodes run.
func gcShared(args []string) error {
	cfg, _, err := parseServe(args)
	if err != nil {
		return err
	}
	if !cfg.Cache.BlobStore.Shared() {
		return fmt.Errorf("cache.blob_store.type is %q: there is no shared blob store to collect", cfg.Cache.BlobStore.Type)
	}
	tier, err := openShared(cfg, nil, consoleLogger(cfg.Log.Level))
	if err != nil {
		return err
	}
	rep, err := tier.GC(context.Background())
	if err != nil {
		return err
	}
	fmt.Printf("gc-shared: %d entry records (%d past retention removed), %d blobs: removed %d unreferenced (%d bytes), %d stale leases\n",
		rep.Entries, rep.EntriesRemoved, rep.Blobs, rep.BlobsRemoved, rep.BytesRemoved, rep.LeasesRemoved)
	return nil
}
