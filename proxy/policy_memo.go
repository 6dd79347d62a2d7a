package proxy

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"hoard/formats"
	policygate "hoard/policy/gate"
)

// judgeVersion is the policy's verdict on one version of one package.
type judgeVersion = func(version string, released time.Time) policygate.Reason

// maxMemoDocs bounds the documents kept filtered; past it the oldest goes.
const maxMemoDocs = 1024

// docMemo keeps filtered package documents so that an index listing many
// packages (RubyGems' /versions names the MD5 of each /info as filtered) does
// not filter each again on every answer. An entry is keyed by the document's
// digest and the policy in force (a reload compiles a new one), and holds until
// the first version it hides for its age comes of age.
type docMemo struct {
	mu    sync.Mutex
	docs  map[memoKey]filteredDoc
	order []memoKey
}

type memoKey struct {
	mount, key string
	sum        [32]byte
	gate       *policygate.Gate
}

type filteredDoc struct {
	doc    []byte
	hidden []formats.Hidden
	until  time.Time // zero: as long as the document and the policy are the same
}

func (d *docMemo) get(k memoKey, now time.Time) (filteredDoc, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, ok := d.docs[k]
	if ok && !f.until.IsZero() && !now.Before(f.until) {
		delete(d.docs, k)
		ok = false
	}
	return f, ok
}

func (d *docMemo) put(k memoKey, f filteredDoc) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.docs == nil {
		d.docs = map[memoKey]filteredDoc{}
	}
	if _, ok := d.docs[k]; !ok {
		d.order = append(d.order, k)
	}
	d.docs[k] = f
	for len(d.docs) > maxMemoDocs && len(d.order) > 0 {
		delete(d.docs, d.order[0])
		d.order = d.order[1:]
	}
	if len(d.order) > 2*maxMemoDocs { // keys dropped on expiry linger in order
		kept := d.order[:0]
		for _, k := range d.order {
			if _, ok := d.docs[k]; ok {
				kept = append(kept, k)
			}
		}
		d.order = kept
	}
}

// filterMemo filters body, name's document at rt, by the policy g through run,
// or returns what it gave for the same document and policy before. Versions
// the document does not date are dated by their dating document or, failing
// that, by when Hoard first saw them, as serveFiltered dates them.
func (s *Server) filterMemo(m *mount, g *policygate.Gate, rt formats.Route, name string, body []byte, now time.Time,
	run func(judgeVersion) ([]byte, []formats.Hidden, error), r *http.Request) (filteredDoc, error) {
	k := memoKey{mount: m.name, key: rt.Key, sum: sha256.Sum256(body), gate: g}
	if f, ok := s.filteredDocs.get(k, now); ok {
		return f, nil
	}
	var dated map[string]time.Time
	var until time.Time
	judge := func(version string, released time.Time) policygate.Reason {
		if released.IsZero() && g.NeedsTime(name) {
			if dated == nil {
				if dated = s.releaseTimes(r, m, rt); dated == nil {
					dated = map[string]time.Time{}
				}
			}
			if released = dated[version]; released.IsZero() {
				released = s.seenTime(m, name, version, now)
			}
		}
		reason := g.Decide(policygate.Version{Name: name, Version: version, Time: released}, now)
		if reason.Rule == "min_age" {
			if due := released.Add(g.MinAge()); until.IsZero() || due.Before(until) {
				until = due
			}
		}
		return reason
	}
	doc, hidden, err := run(judge)
	if err != nil {
		return filteredDoc{}, err
	}
	f := filteredDoc{doc: doc, hidden: hidden, until: until}
	s.filteredDocs.put(k, f)
	return f, nil
}
