package proxy

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"hoard/configs"
)

// As many cold artifacts at once as max_conns_per_host allows must still complete:
// each fill holds its artifact's connection while it fetches the .sha1, so those
// checksum requests must not wait for a connection only the artifacts could free.
func TestConcurrentFillsAtTheConnectionLimitComplete(t *testing.T) {
	const conns = 2
	o := newOrigin(t)
	jar := randomBytes(t, 64<<10)
	arrived := make(chan struct{}, conns)
	allArrived := make(chan struct{})
	var once sync.Once
	paths := make([]string, conns)
	for i := range paths {
		paths[i] = fmt.Sprintf("/com/example/lib/%d.0/lib-%d.0.jar", i, i)
		o.publish(paths[i], jar)
		// Every artifact answers only once all have been asked for, so every fill
		// holds a connection when it goes for its checksum.
		o.fault(paths[i], func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			if len(arrived) == conns {
				once.Do(func() { close(allArrived) })
			}
			select {
			case <-allArrived:
			case <-r.Context().Done():
				return
			}
			serveBytes("application/java-archive", jar)(w, r)
		})
	}
	e := newEnv(t, o, func(c *configs.Config) { c.Upstream.MaxConnsPerHost = conns })

	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := tryDo(http.MethodGet, e.url(p), nil, nil)
			if err == nil && (!r.clean() || !bytes.Equal(r.body, jar)) {
				err = fmt.Errorf("status %d, read error %v", r.status, r.readErr)
			}
			if err != nil {
				errs <- fmt.Errorf("GET %s: %w", p, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
