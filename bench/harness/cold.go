package harness

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// coldKind is one row group of the cold scenario: paths no server has fetched
// yet, each fetched once per server, one at a time.
type coldKind struct {
	name  string
	paths []string
	// primed are documents each server fetches (until it says it holds them)
	// before the timed fetches: the tarball-miss rows time a tarball whose
	// packument is already cached.
	primed []string
	// upstream is the origin row's server when it is not the origin's own.
	upstream *Server
	// token: the origin row pulls through the registry token flow.
	token bool
}

// Cold kind names the report and its targets refer to.
const (
	coldMeta1K   = "maven-metadata.xml 1 KB"
	coldNpm1K    = "npm packument 1 KB"
	coldOCITag   = "OCI manifest by tag"
	coldOCIToken = "OCI manifest by tag, token flow"
	coldNpm200K  = "npm packument 200 KB, unpaced"
	coldNpm5M    = "npm packument 5 MB, unpaced"
	coldNpm20M   = "npm packument 20 MB, unpaced"
	coldTgz20K   = "npm tarball, its 20 KB packument cached"
	coldTgz20M   = "npm tarball, its 20 MB packument cached"
	coldBlob     = "blob"
	coldBlobFast = "blob, unpaced"
	coldOCILayer = "OCI layer"
	coldGem      = ".gem 100 KB, with its /info"
	coldNupkg    = "NuGet .nupkg 100 KB, its registration fetched with it"
	coldNuVers   = "NuGet versions index"
)

func (h *harness) coldKinds() []coldKind {
	var meta, npm1K, tag, tok, p200K, p5M, p20M, blobs, fast []string
	for i := 0; i < h.cfg.Cold; i++ {
		meta = append(meta, coldMetaPath(i))
		npm1K = append(npm1K, coldNpmPath(i))
		tag = append(tag, coldOCITagPath(i))
		tok = append(tok, coldOCITokenPath(i))
		p200K = append(p200K, doc200K.path(i))
	}
	for i := 0; i < h.cfg.ColdDocs; i++ {
		p5M = append(p5M, doc5M.path(i))
		p20M = append(p20M, doc20M.path(i))
	}
	for i := 0; i < h.cfg.ColdBlobs; i++ {
		blobs = append(blobs, coldBlobPath(i))
		fast = append(fast, coldUnpacedBlobPath(i))
	}
	var nupkgs, nuVers []string
	for i := 0; i < h.cfg.Cold; i++ {
		nupkgs = append(nupkgs, coldNupkgPath(i))
		nuVers = append(nuVers, coldNuVersionsPath(i))
	}
	var small20K, gems []string
	for i := 0; i < h.cfg.Cold; i++ {
		small20K = append(small20K, doc20K.path(i))
		gems = append(gems, coldGemPath(i))
	}
	return []coldKind{
		{name: coldMeta1K, paths: meta},
		{name: coldNpm1K, paths: npm1K},
		{name: coldNpm200K, paths: p200K},
		{name: coldNpm5M, paths: p5M},
		{name: coldNpm20M, paths: p20M},
		{name: coldTgz20K, paths: smallDocTarballs(h.cfg.Cold), primed: small20K},
		{name: coldTgz20M, paths: docTarballs(h.cfg.Cold), primed: []string{pathDoc20M}},
		{name: coldOCITag, paths: tag, upstream: h.ociUp},
		{name: coldOCIToken, paths: tok, upstream: h.ociTokUp, token: true},
		{name: coldBlob, paths: blobs},
		{name: coldBlobFast, paths: fast},
		{name: coldOCILayer, paths: []string{pathOCIColdBlob}, upstream: h.ociUp},
		{name: coldGem, paths: gems},
		{name: coldNupkg, paths: nupkgs},
		{name: coldNuVers, paths: nuVers},
	}
}

// cold: content no cache holds yet, fetched one at a time, against the origin.
func (h *harness) cold(ctx context.Context) error {
	for _, k := range h.coldKinds() {
		if len(k.paths) == 0 {
			continue
		}
		targets := []*Server{h.origin}
		if isOCI(k.paths[0]) {
			if k.upstream == nil {
				continue // no OCI in this run
			}
			targets = []*Server{k.upstream}
		}
		for _, s := range h.servers {
			if s.Name != reference { // it has no miss
				targets = append(targets, s)
			}
		}
		if k.token && h.regTok != nil {
			targets = append(targets, h.regTok)
		}
		for _, s := range targets {
			if err := h.coldOne(s, k); err != nil {
				return fmt.Errorf("%s: %w", s.Name, err)
			}
		}
	}
	return nil
}

func (h *harness) coldOne(s *Server, k coldKind) error {
	if _, ok := s.Path(k.paths[0]); !ok {
		return nil
	}
	if s.Name != "origin" { // the origin itself holds everything
		client := &http.Client{Timeout: 2 * time.Minute}
		for _, p := range k.primed {
			if mp, ok := s.Path(p); ok {
				if err := primeOne(client, s, mp, itemHeader(p)); err != nil {
					// One server failing to cache a big document leaves its row
					// out, not the whole run.
					h.logf("%s: %v (row %q left out)", s.Name, err, k.name)
					h.rep.notes = append(h.rep.notes, fmt.Sprintf("%s has no %q row: priming failed: %s", s.Name, k.name, firstLine(err.Error())))
					return nil
				}
			}
		}
	}
	fetch := oneByOne
	if k.token && s.Name == "origin" {
		fetch = tokenOneByOne
	}
	// The server's own CPU and peak memory over the fetches (not the origin's:
	// it is not under test).
	pid := 0
	var sampler *anonSampler
	var cpu0 float64
	if s.Name != "origin" && s.Proc != nil {
		pid = s.Proc.PID()
		ResetPeakRSS(pid)
		sampler = sampleAnon(pid)
		cpu0 = CPUSeconds(pid)
	}
	docs0, err := h.originRequestsFor(k.primed)
	if err != nil {
		return err
	}
	rs, err := fetch(s, k.paths, itemHeader(k.paths[0]))
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	row := coldRow{kind: k.name, server: s.Name, st: summarise(rs), docFetches: -1}
	if len(k.primed) > 0 && s.Name != "origin" {
		docs1, err := h.originRequestsFor(k.primed)
		if err != nil {
			return err
		}
		row.docFetches = docs1 - docs0
	}
	if pid != 0 {
		row.cpu = (CPUSeconds(pid) - cpu0) / float64(len(rs))
		row.peak, row.peakAnon = PeakRSS(pid), sampler.Peak()
	}
	h.logf("%-14s cold %-42s ok %d/%d ttfb p50 %v total p50 %v cpu %.1f ms/fetch peak RSS %d MB", s.Name, k.name, row.st.OK, row.st.N,
		row.st.TTFB50, row.st.Tot50, row.cpu*1000, row.peak>>20)
	h.rep.cold = append(h.rep.cold, row)
	return nil
}

// originRequestsFor sums the origin's request counts for paths: a tarball miss
// that fetches its packument again shows here.
func (h *harness) originRequestsFor(paths []string) (int64, error) {
	var n int64
	for _, p := range paths {
		c, err := originRequests(h.origin.Addr, p)
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// warmDoc: the cached 20 MB packument at BlobConc, every server once per round,
// with CPU per request and peak memory.
func (h *harness) warmDoc(ctx context.Context) error {
	for round := range h.cfg.runCount() {
		for _, s := range h.servers {
			if _, ok := s.Path(pathDoc20M); !ok {
				continue
			}
			res, err := h.measure(ctx, s, []string{pathDoc20M}, h.cfg.BlobConc, true, h.profileName(s, fmt.Sprintf("warm-doc20m-run%d", round+1)))
			if err != nil {
				return fmt.Errorf("%s: %w", s.Name, err)
			}
			h.logf("%-12s 20 MB packument c=%d run %d: %.1f rps cpu %.1f ms/req peak RSS %d MB errors %d", s.Name, h.cfg.BlobConc, round+1,
				res.Stats.RPS(), res.CPUPerReq()/1000, res.PeakRSS>>20, res.Stats.Errors)
			h.rep.doc = append(h.rep.doc, loadRow{item: itemName(pathDoc20M), conc: h.cfg.BlobConc, server: s.Name, round: round, res: res})
		}
	}
	return nil
}
