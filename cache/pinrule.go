package cache

import "github.com/dgraph-io/badger/v4"

// PinRule pins entries by their key, as the configuration names them (a
// policy's pins), beside the pins an operator sets one key at a time (Pin):
// eviction passes by an entry either covers, filled now or later.
type PinRule func(key string) bool

// SetPinRule puts rule in force (nil: none), replacing the one before: a
// reloaded configuration swaps it whole.
func (s *Store) SetPinRule(rule PinRule) {
	if rule == nil {
		s.pinRule.Store(nil)
		return
	}
	s.pinRule.Store(&rule)
}

func (r *PinRule) covers(key []byte) bool {
	return r != nil && (*r)(string(key))
}

// ruledPins adds to st the entries the pin rule covers that no Pin marks.
func (s *Store) ruledPins(txn *badger.Txn, st *PinStats) error {
	rule := s.pinRule.Load()
	if rule == nil {
		return nil
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pfxEntry)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		key := it.Item().Key()[len(pfxEntry):]
		if !rule.covers(key) || isPinned(txn, string(key)) {
			continue
		}
		var e Entry
		err := it.Item().Value(func(v []byte) (err error) {
			e, err = decodeEntry(v)
			return err
		})
		if err != nil {
			continue // an undecodable entry is verify's business
		}
		st.Entries++
		st.Bytes += e.Size
	}
	return nil
}
