// Command npmbig serves generated npm packages of real shape and size (see
// npmreg.BigRegistry) as a registry upstream, for end-to-end tests and benchmarks:
// "big" (many versions, a packument of about 21 MB with the defaults) depending on
// "small", and "@scope/wide" (a scoped package of a few hundred versions).
// GET /-/requests prints how many requests it has served (that one excluded), and
// GET /-/requests?path=/big how many were for that escaped path.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"hoard/bench/internal/daemon"
	"hoard/bench/npmreg"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8082", "address to listen on")
	versions := flag.Int("versions", 3000, `versions of "big"`)
	readme := flag.Int("readme", 2<<20, `bytes of "big"'s readme`)
	latency := flag.Duration("latency", 0, "delay before each answer")
	flag.Parse()

	start := time.Now()
	reg, err := npmreg.NewBigRegistry(
		npmreg.BigSpec{Name: "small", Versions: 3},
		npmreg.BigSpec{Name: "@scope/wide", Versions: 300, Deps: map[string]string{"small": "^1.0.0"}},
		npmreg.BigSpec{Name: "big", Versions: *versions, ReadmeBytes: *readme, Deps: map[string]string{"small": "^1.0.0"}},
	)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /-/requests", func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Query().Get("path"); p != "" {
			fmt.Fprintln(w, reg.RequestsFor(p))
			return
		}
		fmt.Fprintln(w, reg.Requests())
	})
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *latency > 0 {
			time.Sleep(*latency)
		}
		reg.ServeHTTP(w, r)
	}))
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("npmbig: big is %d bytes (%d versions), generated in %v; serving on http://%s",
		len(reg.Packument("big", false)), *versions, time.Since(start).Round(time.Millisecond), *listen)
	if err := daemon.Serve(srv); err != nil {
		log.Fatal(err)
	}
}
