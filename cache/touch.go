package cache

import (
	"errors"
	"hash/maphash"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

const (
	// maxPendingTouches bounds the flusher's map between flushes; touches of
	// further distinct keys are dropped (the LRU order is a hint, not a promise).
	maxPendingTouches = 1 << 16
	// touchTxnKeys keeps each flush transaction well under badger's size limit.
	touchTxnKeys = 500
	// touchSlots sizes the table of recently queued keys (8 bytes per slot).
	touchSlots = 1 << 16
)

// Touch records that key was just served, for the LRU order. It never
// blocks: when the queue is full the touch is dropped. Times reach the index
// in batches every TouchFlush (and at Close). A key is queued at most once per
// TouchResolution, so a hot key costs one index write per interval, not one
// per hit.
func (s *Store) Touch(key string) {
	if s.opts.ReadOnly {
		return
	}
	slot, mark := s.touchSlot(key)
	if slot.Load() == mark {
		return // already queued in this interval
	}
	select {
	case s.touchCh <- key:
		slot.Store(mark)
	default:
	}
}

// touchSlot returns key's slot in s.touched and the value that marks it as
// queued in the current interval: the key's hash with the interval number in
// its low 16 bits. Keys sharing a slot just overwrite each other's marks, which
// costs an extra write, never a lost one (unless 48 bits of hash collide too).
func (s *Store) touchSlot(key string) (*atomic.Uint64, uint64) {
	h := maphash.String(s.seed, key)
	interval := uint64(time.Now().UnixNano() / int64(s.opts.TouchResolution))
	return &s.touched[h%touchSlots], h&^0xffff | interval&0xffff
}

// flusher owns the pending access times; it is the only writer of a/ keys
// besides commits.
func (s *Store) flusher() {
	defer s.bg.Done()
	t := time.NewTicker(s.opts.TouchFlush)
	defer t.Stop()
	pending := map[string]int64{}
	for {
		select {
		case k := <-s.touchCh:
			if len(pending) < maxPendingTouches {
				pending[k] = time.Now().UnixNano()
			}
		case <-t.C:
			pending = s.writeTouches(pending)
		case ack := <-s.flushReq:
			pending = s.writeTouches(s.drainTouches(pending))
			close(ack)
		case <-s.stop:
			s.writeTouches(s.drainTouches(pending))
			return
		}
	}
}

// drainTouches moves whatever is queued into pending without waiting.
func (s *Store) drainTouches(pending map[string]int64) map[string]int64 {
	for {
		select {
		case k := <-s.touchCh:
			if len(pending) < maxPendingTouches {
				pending[k] = time.Now().UnixNano()
			}
		default:
			return pending
		}
	}
}

// writeTouches stores the access times of keys that still have an entry
// (a deleted key must not leave an a/ record behind) and returns an empty map.
func (s *Store) writeTouches(pending map[string]int64) map[string]int64 {
	if len(pending) == 0 {
		return pending
	}
	keys := make([]string, 0, len(pending))
	for k := range pending {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		n := min(len(keys), touchTxnKeys)
		batch := keys[:n]
		keys = keys[n:]
		err := s.update(func(txn *badger.Txn) error {
			for _, k := range batch {
				if validKey(k) != nil {
					continue
				}
				if _, err := txn.Get(entryKey(k)); errors.Is(err, badger.ErrKeyNotFound) {
					continue
				} else if err != nil {
					return err
				}
				if err := txn.Set(accessKey(k), putInt(pending[k])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.log.Warn().Err(err).Int("keys", len(batch)).Msg("write access times failed")
		}
	}
	return map[string]int64{}
}

// flushTouches writes every queued access time now; tests use it instead of
// sleeping past TouchFlush.
func (s *Store) flushTouches() {
	ack := make(chan struct{})
	select {
	case s.flushReq <- ack:
		<-ack
	case <-s.stop:
	}
}
