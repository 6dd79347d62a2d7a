package fleet

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"hoard/cache"
)

// Claim coalesces a cold fill of key across the fleet. It returns either the
// entry another node filled meanwhile (imported into the local store), or a
// release func: this node holds the lease and should fetch upstream, then
// publish, then release. A lease is an object created with If-None-Match: *, so
// exactly one node creates it; its holder renews it while the fill runs, and a
// lease left unrenewed for LeaseTTL (a node killed mid-fill) is taken over.
// Errors of the bucket end the wait: the fill goes upstream, a duplicate at worst.
func (t *Tier) Claim(ctx context.Context, key string) (e cache.Entry, found bool, release func()) {
	noop := func() {}
	wait := 50 * time.Millisecond
	waited := false
	for {
		lctx, cancel := context.WithTimeout(ctx, t.o.CallTimeout)
		held, stop, err := t.tryLease(lctx, key)
		cancel()
		if err != nil {
			t.stats.errors.Add(1)
			t.log.Warn().Err(err).Str("key", key).Msg("fill lease failed; filling without one")
			return cache.Entry{}, false, noop
		}
		if held {
			// Another node may have finished just before the lease was free.
			if e, err := t.importWithin(ctx, key); err == nil {
				stop()
				return e, true, noop
			}
			return cache.Entry{}, false, stop
		}
		if !waited {
			t.stats.leaseWaits.Add(1)
			waited = true
		}
		select {
		case <-ctx.Done():
			return cache.Entry{}, false, noop
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
		if e, err := t.importWithin(ctx, key); err == nil {
			return e, true, noop
		}
	}
}

// importWithin is Import bounded by CallTimeout: a large import outlives it,
// and the next call joins the same import rather than starting another.
func (t *Tier) importWithin(ctx context.Context, key string) (cache.Entry, error) {
	ctx, cancel := context.WithTimeout(ctx, t.o.CallTimeout)
	defer cancel()
	return t.Import(ctx, key)
}

// tryLease creates key's lease, or takes over one gone stale. held is false when
// a live lease is another's; stop ends the renewal and removes the lease.
func (t *Tier) tryLease(ctx context.Context, key string) (held bool, stop func(), err error) {
	obj := leaseObject(key)
	err = t.o.Bucket.Put(ctx, obj, strings.NewReader(t.o.Node), int64(len(t.o.Node)), PutOptions{IfAbsent: true})
	if errors.Is(err, ErrExists) {
		cur, herr := t.o.Bucket.Head(ctx, obj)
		switch {
		case errors.Is(herr, ErrNotFound):
			return false, nil, nil // released just now: the next round creates it
		case herr != nil:
			return false, nil, herr
		case time.Since(cur.LastModified) < t.o.LeaseTTL:
			return false, nil, nil
		}
		// Stale: remove exactly that lease (a server that ignores If-Match may
		// remove a fresh one another taker just made, a bounded duplicate) and
		// race for it again.
		t.stats.leaseTakeovers.Add(1)
		if err := t.o.Bucket.Delete(ctx, obj, cur.ETag); err != nil {
			return false, nil, err
		}
		err = t.o.Bucket.Put(ctx, obj, strings.NewReader(t.o.Node), int64(len(t.o.Node)), PutOptions{IfAbsent: true})
		if errors.Is(err, ErrExists) {
			return false, nil, nil
		}
	}
	if err != nil {
		return false, nil, err
	}
	return true, t.renew(obj), nil
}

// renew keeps the lease fresh until stop, which then deletes it.
func (t *Tier) renew(obj string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(t.o.LeaseTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), t.o.LeaseTTL/3)
				err := t.o.Bucket.Put(ctx, obj, strings.NewReader(t.o.Node), int64(len(t.o.Node)), PutOptions{})
				if err != nil {
					t.log.Warn().Err(err).Msg("renewing a fill lease")
				}
				cancel()
			}
		}
	}()
	return sync.OnceFunc(func() {
		close(done)
		wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), t.o.LeaseTTL)
		defer cancel()
		if err := t.o.Bucket.Delete(ctx, obj, ""); err != nil {
			t.log.Warn().Err(err).Msg("releasing a fill lease")
		}
	})
}
