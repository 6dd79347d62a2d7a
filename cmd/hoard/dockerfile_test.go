package main

// No container engine runs where the tests do, so the Dockerfile is linted here: its
// directives are parsed and checked against what the binary does, and the
// entrypoint's logic (defaults from ENV, arguments added to them) runs as a unit.

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hoard/configs"
)

type directive struct {
	line int
	name string // upper case
	args string
}

// parseDockerfile reads directives, joining continued lines and dropping comments.
func parseDockerfile(t *testing.T, path string) []directive {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []directive
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		name, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, directive{line: start, name: strings.ToUpper(name), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Errorf("%s ends inside a continued line", path)
	}
	return out
}

// execForm reads a JSON array argument; shell form runs /bin/sh, which scratch lacks.
func execForm(t *testing.T, d directive, args string) []string {
	t.Helper()
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil || len(argv) == 0 {
		t.Errorf("line %d: %s %s is not in exec form (a JSON array): a scratch image has no shell", d.line, d.name, args)
	}
	return argv
}

// finalStage is the directives after the last FROM, and the stage names before it.
func finalStage(t *testing.T, ds []directive) ([]directive, []string) {
	var stages []string
	last := -1
	for i, d := range ds {
		if d.name == "FROM" {
			last = i
			if f := strings.Fields(d.args); len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stages = append(stages, f[2])
			}
		}
	}
	if last < 0 {
		t.Fatal("no FROM")
	}
	return ds[last:], stages
}

func one(t *testing.T, ds []directive, name string) directive {
	t.Helper()
	var found []directive
	for _, d := range ds {
		if d.name == name {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("final stage has %d %s directives, want 1", len(found), name)
	}
	return found[0]
}

func TestDockerfileLint(t *testing.T) {
	known := []string{"FROM", "ARG", "WORKDIR", "COPY", "RUN", "USER", "VOLUME", "EXPOSE", "ENV", "STOPSIGNAL",
		"HEALTHCHECK", "ENTRYPOINT", "CMD", "LABEL"}
	all := parseDockerfile(t, "../../Dockerfile")
	for _, d := range all {
		if !slices.Contains(known, d.name) {
			t.Errorf("line %d: unknown directive %s", d.line, d.name)
		}
	}
	final, stages := finalStage(t, all)
	if final[0].args != "scratch" {
		t.Errorf("final stage FROM %s, want scratch", final[0].args)
	}
	binary := ""
	for _, d := range final {
		if d.name != "COPY" {
			continue
		}
		f := strings.Fields(d.args)
		if from, ok := strings.CutPrefix(f[0], "--from="); !ok || !slices.Contains(stages, from) {
			t.Errorf("line %d: COPY %s does not copy from a named build stage", d.line, d.args)
		}
		if strings.HasSuffix(f[len(f)-1], "/hoard") {
			binary = f[len(f)-1]
		}
	}
	if binary == "" {
		t.Fatal("the final stage copies no hoard binary")
	}
	if ep := execForm(t, one(t, final, "ENTRYPOINT"), one(t, final, "ENTRYPOINT").args); !slices.Equal(ep, []string{binary}) {
		t.Errorf("ENTRYPOINT %v, want [%s]: arguments then add to the defaults", ep, binary)
	}
	if cmd := execForm(t, one(t, final, "CMD"), one(t, final, "CMD").args); !slices.Equal(cmd, []string{"serve"}) {
		t.Errorf("CMD %v, want [serve]", cmd)
	}
	hc := one(t, final, "HEALTHCHECK")
	_, hcCmd, ok := strings.Cut(hc.args, "CMD ")
	if argv := execForm(t, hc, hcCmd); !ok || len(argv) < 2 || argv[0] != binary || argv[1] != "health" {
		t.Errorf("HEALTHCHECK %s, want CMD [%q, \"health\"]", hc.args, binary)
	}
	if s := one(t, final, "STOPSIGNAL").args; s != "SIGTERM" {
		t.Errorf("STOPSIGNAL %s; hoard serve drains on SIGTERM", s)
	}
	if u := one(t, final, "USER").args; strings.HasPrefix(u, "0") || strings.HasPrefix(u, "root") {
		t.Errorf("USER %s: the image must not run as root", u)
	}
	env := envOf(one(t, final, "ENV"))
	var volume []string
	_ = json.Unmarshal([]byte(one(t, final, "VOLUME").args), &volume)
	if !slices.Contains(volume, env["HOARD_DATA_DIR"]) {
		t.Errorf("HOARD_DATA_DIR=%q is not the VOLUME %v", env["HOARD_DATA_DIR"], volume)
	}
	if _, port, _ := strings.Cut(env["HOARD_LISTEN"], ":"); port != one(t, final, "EXPOSE").args {
		t.Errorf("HOARD_LISTEN=%q does not listen on the EXPOSEd port %s", env["HOARD_LISTEN"], one(t, final, "EXPOSE").args)
	}
	checkStopTimeout(t)
}

// envOf reads ENV KEY=VALUE pairs.
func envOf(d directive) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Fields(d.args) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

var stopTimeout = regexp.MustCompile(`--stop-timeout (\d+)`)

// checkStopTimeout: docker stop's grace (10 s unless told) must outlast the drain,
// or in-flight transfers are killed; every --stop-timeout shown must.
func checkStopTimeout(t *testing.T) {
	drain := configs.Default().DrainTimeout.D()
	for _, f := range []string{"../../Dockerfile", "../../README.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ms := stopTimeout.FindAllStringSubmatch(string(b), -1)
		if len(ms) == 0 {
			t.Errorf("%s shows no docker run --stop-timeout: docker stop's default 10 s cuts a %v drain short", f, drain)
		}
		for _, m := range ms {
			if n, _ := strconv.Atoi(m[1]); time.Duration(n)*time.Second <= drain {
				t.Errorf("%s: --stop-timeout %s is not longer than drain_timeout %v", f, m[1], drain)
			}
		}
	}
}

// The entrypoint as the image runs it: ENV from the Dockerfile, then whatever
// `docker run IMAGE ...` adds.
func TestImageEntrypointAddsArgumentsToDefaults(t *testing.T) {
	final, _ := finalStage(t, parseDockerfile(t, "../../Dockerfile"))
	for k, v := range envOf(one(t, final, "ENV")) {
		t.Setenv(k, v)
	}
	args := entryArgs([]string{"--offline", "--auth", "local"})
	if args[0] != "serve" {
		t.Fatalf("docker run IMAGE --offline ran %v, want serve", args)
	}
	cfg, _, err := parseServe(args[1:])
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/data" || cfg.Listen != ":8080" || !cfg.Offline || cfg.Auth.Mode != "local" {
		t.Errorf("config %+v: want the image's /data and :8080 with the added flags", cfg)
	}
	cfg, _, err = parseServe([]string{"--data-dir", "/elsewhere"})
	if err != nil || cfg.DataDir != "/elsewhere" {
		t.Errorf("a flag must win over the image's ENV: data_dir %q, %v", cfg.DataDir, err)
	}
	for _, c := range [][2][]string{
		{{}, {}},
		{{"serve"}, {"serve"}},
		{{"verify", "--data-dir", "/data"}, {"verify", "--data-dir", "/data"}},
		{{"--version"}, {"--version"}},
		{{"-h"}, {"-h"}},
		{{"--listen", ":9090"}, {"serve", "--listen", ":9090"}},
	} {
		if got := entryArgs(c[0]); !slices.Equal(got, c[1]) {
			t.Errorf("entryArgs(%v) = %v, want %v", c[0], got, c[1])
		}
	}
}

func TestEnvironmentSetsFlagsButFlagsWin(t *testing.T) {
	t.Setenv("HOARD_LOG_LEVEL", "warn")
	t.Setenv("HOARD_LISTEN", "127.0.0.1:7000")
	cfg, _, err := parseServe([]string{"--listen", "127.0.0.1:7001"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Log.Level != "warn" || cfg.Listen != "127.0.0.1:7001" {
		t.Errorf("log.level %q listen %q", cfg.Log.Level, cfg.Listen)
	}
	t.Setenv("HOARD_OFFLINE", "perhaps")
	if _, _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "HOARD_OFFLINE") {
		t.Errorf("a bad HOARD_OFFLINE: %v", err)
	}
}

func TestHealthURL(t *testing.T) {
	for listen, want := range map[string]string{
		":8080": "http://127.0.0.1:8080/healthz", "0.0.0.0:80": "http://127.0.0.1:80/healthz",
		"[::]:8080": "http://[::1]:8080/healthz", "10.0.0.5:8080": "http://10.0.0.5:8080/healthz",
	} {
		if got, err := healthURL(listen); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
}
