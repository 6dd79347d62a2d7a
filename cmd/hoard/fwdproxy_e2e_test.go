package main_test

// Forward-proxy mode end to end: npm, mvn, bundler, crane and curl with nothing
// but the proxy and Hoard's CA set reach TLS upstreams on loopback through the real
// hoard binary; the second round is served from the cache, the third with every
// upstream stopped. A host no mount fronts is tunnelled, not decrypted.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hoard/bench/fakegithub"
	"hoard/bench/npmreg"
	"hoard/bench/origin"
)

// Registry names only the proxy knows, from the mounts' intercept lists; the
// proxy never resolves them. Go clients never send loopback addresses through a
// proxy, so crane needs one; npm (Node) checks an address against a certificate's
// DNS names only behind a proxy, so it gets one too, as real registries have.
// Maven reaches its upstream by address: the upstream's own host is intercepted.
const (
	ociAlias  = "registry.hoard.test"
	npmAlias  = "npm.hoard.test"
	gemsAlias = "rubygems.hoard.test"
)

type fwdRig struct {
	hoard               *hoardProc
	proxyURL, hoardCA   string
	npm, maven, oci     *tlsFront
	gems                *tlsFront
	gemToken            string
	registry            *registryProc
	npmProject, project string
}

func TestForwardProxyClients(t *testing.T) {
	requireNpmTools(t)
	requireMaven(t)
	requireTools(t, "curl", "keytool")
	requireRubyTools(t)
	crane := ociTool(t, "crane")
	rig := newFwdRig(t, crane)

	for _, round := range []string{"cold", "warm", "upstreams-stopped"} {
		if round == "warm" {
			rig.npm.Reset()
			rig.maven.Reset()
			rig.oci.Reset()
			rig.gems.Reset()
		}
		if round == "upstreams-stopped" {
			rig.npm.Close()
			rig.maven.Close()
			rig.oci.Close()
			rig.gems.Close()
		}
		if !t.Run(round, func(t *testing.T) { rig.clientsRound(t, crane) }) {
			return
		}
		if round == "cold" && len(rig.npm.Requests()) == 0 {
			t.Fatal("the npm upstream saw nothing: the install did not go through Hoard")
		}
		if round == "warm" {
			rig.assertWarm(t)
		}
	}
}

// newFwdRig seeds Verdaccio and a CNCF registry, puts TLS fronts before them and
// the Maven origin, and starts hoard with the forward proxy.
func newFwdRig(t *testing.T, crane string) *fwdRig {
	pki := newTestPKI(t)
	v, token := startVerdaccio(t)
	seedFwdNpm(t, v.URL, token)
	reg := startRegistry(t, "")
	runOCI(t, crane, "append", "--insecure", "-f", randomTar(t, 200<<10), "-t", reg.Addr+"/e2e/img:v1")
	o := origin.New(origin.Options{Root: debianMavenRepo, Checksums: true})
	r := &fwdRig{
		npm:      startTLSFront(t, pki, reverseTo(t, v.URL)),
		maven:    startTLSFront(t, pki, http.StripPrefix(originBase, o)),
		oci:      startTLSFront(t, pki, reverseTo(t, reg.URL())),
		registry: reg,
	}
	r.gems, r.gemToken = startFwdGems(t, pki)
	proxyAddr := freeAddr(t)
	r.proxyURL = "http://" + proxyAddr
	// The gems are private (filled with the caller's token): the upstream's "this
	// token may read it" is trusted for the whole test, stopped upstreams included.
	cfg := fmt.Sprintf(`data_dir: unused
auth: {access_ttl: 1h}
forward_proxy: {listen: %q, idle_timeout: 30s}
mounts:
  - {name: npm, format: npm, upstream: %q, intercept: [%s], ttl: {packument: 1h}}
  - {name: maven, format: maven, upstream: %q}
  - {name: ghcr, format: oci, upstream: %q, intercept: [%s], ttl: {tag: 1h}}
  - {name: rubygems, format: rubygems, upstream: %q, intercept: [%s], ttl: {versions: 1h, info: 1h, specs: 1h}}
`, proxyAddr, r.npm.URL+"/", npmAlias, r.maven.URL+originBase, r.oci.URL, ociAlias, r.gems.URL, gemsAlias)
	path := filepath.Join(t.TempDir(), "hoard.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", pki.caFile) // Hoard trusts the upstreams' CA
	data := t.TempDir()
	r.hoard = startHoard(t, data, "--config", path)
	r.hoardCA = filepath.Join(t.TempDir(), "hoard-ca.pem")
	if out, err := hoardCmd(t, "ca", "export", "--data-dir", data, "--out", r.hoardCA); err != nil {
		t.Fatalf("hoard ca export: %v\n%s", err, out)
	}
	r.npmProject = writeProject(t, map[string]string{"hoard-fp-app": "^1.0.0", "@hoard-fp/util": "1.0.0"})
	return r
}

func seedFwdNpm(t *testing.T, registry, token string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, p := range []npmreg.Package{
		{Name: "hoard-fp-leaf", Version: "1.0.0"},
		{Name: "hoard-fp-leaf", Version: "1.1.0"},
		{Name: "@hoard-fp/util", Version: "1.0.0"},
		{Name: "hoard-fp-app", Version: "1.0.0", Dependencies: map[string]string{"hoard-fp-leaf": "^1.0.0"}},
	} {
		if err := npmreg.Publish(ctx, registry, token, p); err != nil {
			t.Fatal(err)
		}
	}
}

func reverseTo(t *testing.T, target string) http.Handler {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	return httputil.NewSingleHostReverseProxy(u)
}

// clientsRound runs every client once, each from empty client caches, configured
// with the upstreams' own URLs: only the proxy setting sends them to Hoard.
func (r *fwdRig) clientsRound(t *testing.T, crane string) {
	t.Run("npm", func(t *testing.T) {
		c := newNpmClient(t, "https://"+npmAlias+"/", "")
		t.Setenv("HTTPS_PROXY", r.proxyURL)
		// npm's own way to trust a CA (it does not read NODE_EXTRA_CA_CERTS for
		// its registry requests).
		rc, err := os.OpenFile(filepath.Join(c.home, ".npmrc"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(rc, "cafile=%s\n", r.hoardCA)
		rc.Close()
		if _, err := c.install(r.npmProject, "npm"); err != nil {
			t.Fatal(err)
		}
		got := installed(t, r.npmProject, "hoard-fp-", "@hoard-fp/")
		for _, want := range []string{"hoard-fp-app@1.0.0", "hoard-fp-leaf@1.1.0", "@hoard-fp/util@1.0.0"} {
			if !got[want] {
				t.Errorf("npm did not install %s: %v", want, keys(got))
			}
		}
	})
	t.Run("mvn", func(t *testing.T) { r.mvnPackage(t) })
	t.Run("bundle", func(t *testing.T) { r.bundleInstall(t) })
	t.Run("crane", func(t *testing.T) { r.cranePull(t, crane) })
}

// mvnPackage builds the hello project with its repositories mirrored to the Maven
// upstream's own URL and an https proxy in settings.xml (Maven reads no
// HTTPS_PROXY); Java trusts Hoard's CA through a trust store.
func (r *fwdRig) mvnPackage(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "trust.jks")
	if err := runTool(t, time.Minute, dir, filepath.Join(dir, "keytool.log"), nil, "keytool", "-importcert", "-noprompt",
		"-alias", "hoard", "-file", r.hoardCA, "-keystore", store, "-storepass", "changeit"); err != nil {
		t.Fatal(err)
	}
	proxy, _ := url.Parse(r.proxyURL)
	settings := filepath.Join(dir, "settings.xml")
	xml := fmt.Sprintf(`<settings>
  <proxies><proxy><id>hoard</id><active>true</active><protocol>https</protocol><host>%s</host><port>%s</port></proxy></proxies>
  <mirrors><mirror><id>upstream</id><mirrorOf>*</mirrorOf><url>%s%s/</url></mirror></mirrors>
</settings>
`, proxy.Hostname(), proxy.Port(), r.maven.URL, originBase)
	if err := os.WriteFile(settings, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	project := copyProject(t)
	env := []string{"MAVEN_OPTS=-Djavax.net.ssl.trustStore=" + store + " -Djavax.net.ssl.trustStorePassword=changeit"}
	args := []string{"-B", "-ntp", "-C", "-s", settings, "-Dmaven.repo.local=" + filepath.Join(dir, "m2"), "package"}
	if err := runTool(t, mvnTimeout, project, filepath.Join(dir, "mvn.log"), env, "mvn", args...); err != nil {
		t.Fatal(err)
	}
	assertTestsRan(t, filepath.Join(project, surefireReport))
}

// startFwdGems is GitHub's RubyGems registry (played by fakegithub) behind a TLS
// front, with an app gem and its dependency; it returns the front and a token.
func startFwdGems(t *testing.T, pki *testPKI) (*tlsFront, string) {
	gh, token := startGemRegistry(t, "hoard-fp")
	return startTLSFront(t, pki, reverseTo(t, gh.URL(fakegithub.Rubygems))), token
}

// bundleInstall installs the app gem from the registry's own URL (by its alias),
// with the proxy in the environment and Ruby's SSL_CERT_FILE naming Hoard's CA.
func (r *fwdRig) bundleInstall(t *testing.T) {
	c := newRubyClient(t)
	t.Setenv("HTTPS_PROXY", r.proxyURL)
	t.Setenv("HTTP_PROXY", r.proxyURL) // Bundler reads http_proxy for https too
	t.Setenv("SSL_CERT_FILE", r.hoardCA)
	source := "https://acme:" + r.gemToken + "@" + gemsAlias + "/acme/"
	out, lock, err := c.bundleInstall(t.TempDir(), source, map[string]string{"hoard-fp-app": ""})
	if err != nil {
		t.Fatalf("%v\n--- first lines ---\n%s", err, out[:min(len(out), 3000)])
	}
	mustLock(t, lock, "hoard-fp-app (1.0.0)", "hoard-fp-leaf (1.0.0)")
}

// cranePull pulls the image by the alias and checks its digest against the one
// the registry holds.
func (r *fwdRig) cranePull(t *testing.T, crane string) {
	env := []string{"HTTPS_PROXY=" + r.proxyURL, "SSL_CERT_FILE=" + r.hoardCA, "HOME=" + t.TempDir(), "DOCKER_CONFIG=" + t.TempDir()}
	dir := t.TempDir()
	ref := ociAlias + "/e2e/img:v1"
	if err := runTool(t, 5*time.Minute, dir, filepath.Join(dir, "pull.log"), env, crane, "pull", ref, filepath.Join(dir, "img.tar")); err != nil {
		t.Fatal(err)
	}
	if err := runTool(t, time.Minute, dir, filepath.Join(dir, "digest.log"), env, crane, "digest", ref); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "digest.log"))
	if want := r.registryDigest(t, crane); strings.TrimSpace(string(got)) != want {
		t.Fatalf("digest through the proxy %q, the registry's %q", got, want)
	}
}

var fwdRegistryDigest string

func (r *fwdRig) registryDigest(t *testing.T, crane string) string {
	if fwdRegistryDigest == "" {
		fwdRegistryDigest = strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", r.registry.Addr+"/e2e/img:v1"))
	}
	return fwdRegistryDigest
}

// assertWarm checks the warm round cost the upstreams nothing but what metadata
// revalidation may ask.
func (r *fwdRig) assertWarm(t *testing.T) {
	if reqs := r.npm.Requests(); len(reqs) != 0 {
		t.Errorf("warm npm install reached the upstream: %v", reqs)
	}
	if reqs := r.oci.Requests(); len(reqs) != 0 {
		t.Errorf("warm crane pull reached the upstream: %v", reqs)
	}
	if reqs := r.gems.Requests(); len(reqs) != 0 {
		t.Errorf("warm bundle install reached the upstream: %v", reqs)
	}
	for _, req := range r.maven.Requests() {
		if !strings.Contains(req, "maven-metadata.xml") {
			t.Errorf("warm mvn build fetched %s from the upstream", req)
		}
	}
}

// TestForwardProxyTunnelsOtherHosts: curl through the proxy to a TLS host no mount
// fronts sees that host's own certificate; trusting only Hoard's CA, it fails. A
// fronted upstream whose certificate Hoard does not trust is refused.
func TestForwardProxyTunnelsOtherHosts(t *testing.T) {
	needE2E(t)
	requireTools(t, "curl")
	pki := newTestPKI(t)
	other := startTLSFront(t, pki, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "other host") }))
	untrusted := startTLSFront(t, pki, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	proxyAddr := freeAddr(t)
	data := t.TempDir()
	// Hoard is not given the test CA: the npm mount's upstream is untrusted.
	startHoard(t, data, "--proxy-listen", proxyAddr, "--mount", "npm=npm,"+untrusted.URL+"/")
	hoardCA := filepath.Join(t.TempDir(), "hoard-ca.pem")
	if out, err := hoardCmd(t, "ca", "export", "--data-dir", data, "--out", hoardCA); err != nil {
		t.Fatalf("hoard ca export: %v\n%s", err, out)
	}
	dir := t.TempDir()
	curl := func(ca, target string) (string, error) {
		logPath := filepath.Join(dir, "curl.log")
		err := runTool(t, time.Minute, dir, logPath, nil, "curl", "-sS", "-w", "%{http_code}", "--proxy", "http://"+proxyAddr,
			"--cacert", ca, "-o", filepath.Join(dir, "body"), "-D", filepath.Join(dir, "head"), target)
		code, _ := os.ReadFile(logPath)
		return string(code), err
	}
	if code, err := curl(pki.caFile, other.URL+"/x"); err != nil || code != "200" {
		t.Fatalf("tunnelled request with the origin's CA: %s %v", code, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "body")); string(b) != "other host" {
		t.Fatalf("tunnelled body %q", b)
	}
	if _, err := curl(hoardCA, other.URL+"/x"); err == nil {
		t.Fatal("curl trusting only Hoard's CA reached a host no mount fronts: the tunnel was decrypted")
	}
	// The fronted host is intercepted (curl, with OpenSSL's checks, accepts Hoard's
	// leaf for an address), and Hoard refuses the upstream's certificate.
	code, err := curl(hoardCA, untrusted.URL+"/hoard-fp-x")
	if err != nil {
		t.Fatalf("intercepted request: %v", err)
	}
	head, _ := os.ReadFile(filepath.Join(dir, "head"))
	if code != "502" || !strings.Contains(string(head), "X-Hoard-Cache") {
		t.Fatalf("a fronted upstream with an untrusted certificate answered %s:\n%s", code, head)
	}
	if n := len(untrusted.Requests()); n != 0 {
		t.Fatalf("the untrusted upstream answered %d requests", n)
	}
}
