package fleet

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"testing"

	"hoard/cache"
)

// The rows README's "A fleet of Hoards" quotes: a warm hit read from the local
// disk against one the shared tier answers (the local copy gone: another node
// filled it), and a cold fill committed locally against one also published to
// the bucket. The bucket is versitygw on loopback over a temp directory, so
// the S3 rows are a floor: a real object store adds its network round trips.

var benchSizes = []int{64 << 10, 1 << 20}

func benchBody(size, i int) []byte {
	b := bytes.Repeat([]byte{byte(i)}, size)
	binary.BigEndian.PutUint64(b, uint64(i))
	return b
}

func BenchmarkWarmHitLocalDisk(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			s := openStore(b)
			e := commit(b, s, "maven/a.jar", benchBody(size, 0), cache.Entry{})
			b.SetBytes(int64(size))
			b.ResetTimer()
			for range b.N {
				readEntry(b, s, e.Key)
			}
		})
	}
}

func BenchmarkWarmHitFromS3Tier(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			bucket, _ := s3Bucket(b)
			a, other := newTier(b, bucket, "a"), newTier(b, bucket, "b")
			e := commit(b, a.o.Store, "maven/a.jar", benchBody(size, 0), cache.Entry{})
			if err := a.Publish(context.Background(), e); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			for range b.N {
				if _, err := other.Import(context.Background(), e.Key); err != nil {
					b.Fatal(err)
				}
				readEntry(b, other.o.Store, e.Key)
				b.StopTimer()
				if err := other.o.Store.Delete(e.Key); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

func BenchmarkColdFillLocalOnly(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			s := openStore(b)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := range b.N {
				commit(b, s, fmt.Sprintf("maven/%d.jar", i), benchBody(size, i+1), cache.Entry{})
			}
		})
	}
}

func BenchmarkColdFillThroughS3Tier(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			bucket, _ := s3Bucket(b)
			tier := newTier(b, bucket, "a")
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := range b.N {
				key := fmt.Sprintf("maven/%d.jar", i)
				_, found, release := tier.Claim(context.Background(), key)
				if found {
					b.Fatal("found a key never filled")
				}
				e := commit(b, tier.o.Store, key, benchBody(size, i+1), cache.Entry{})
				if err := tier.Publish(context.Background(), e); err != nil {
					b.Fatal(err)
				}
				release()
			}
		})
	}
}

func readEntry(b testing.TB, s *cache.Store, key string) {
	e, err := s.Lookup(key)
	if err != nil {
		b.Fatal(err)
	}
	f, err := s.OpenBlob(e)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		b.Fatal(err)
	}
}
