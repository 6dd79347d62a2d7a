package admission

import (
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// answer is one upstream access check's result.
type answer struct {
	status int
	from   string
	err    error
}

// flight runs one access check per key at a time; callers asking for the same key
// meanwhile wait for its answer instead of asking the upstream again.
type flight struct {
	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done    chan struct{}
	res     answer
	waiters int // callers waiting for this answer besides the one asking (tests read it)
}

func (f *flight) do(key string, check func() answer) answer {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		c.waiters++
		f.mu.Unlock()
		<-c.done
		return c.res
	}
	if f.calls == nil {
		f.calls = map[string]*call{}
	}
	c := &call{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.res = check()
	return c.res
}

// lives holds, per caller key, when the upstream said the token stops working: the
// time of a 401, or its GitHub-Authentication-Token-Expiration. Entries live as long
// as access answers, which is all they bound.
type lives struct {
	end *expirable.LRU[string, time.Time]
}

func newLives(accessTTL time.Duration) *lives {
	return &lives{end: expirable.NewLRU[string, time.Time](entriesKept, nil, accessTTL)}
}

// alive reports whether who's token may still be working at now, as far as known.
func (l *lives) alive(who string, now time.Time) bool {
	if l == nil {
		return true
	}
	end, ok := l.end.Get(who)
	return !ok || now.Before(end)
}

// Learn records what an upstream's answer to an access check of the caller who
// says of its token's life.
func (a *Access) Learn(who string, status int, header http.Header) {
	if a == nil || a.life == nil {
		return
	}
	now := a.now()
	if status == http.StatusUnauthorized {
		a.life.end.Add(who, now)
		return
	}
	if end, ok := tokenExpiration(header); ok {
		a.life.end.Add(who, end)
	}
}

// tokenExpiration reads GitHub-Authentication-Token-Expiration ("2021-10-07 19:07:53
// UTC"), which GitHub sends for tokens that expire.
func tokenExpiration(h http.Header) (time.Time, bool) {
	v := h.Get("GitHub-Authentication-Token-Expiration")
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
