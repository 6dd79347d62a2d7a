package harness

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// placement keeps the load generator off the cores of the server it measures.
// Unpinned on a 2-core machine, the generator competes with each server for
// both cores, and the comparison then says as much about how a server copes
// with that competition as about what a request costs it: Go's scheduler,
// which spins and steals work across cores, loses more to it than nginx's
// single-threaded workers do. Pinned, the harness (generator, origin and
// upstream registry) runs on the first half of the CPUs and every server under
// test on the rest. The zero placement pins nothing.
type placement struct {
	harness []int // CPUs of this process and the upstreams it starts
	servers []int // CPUs of the servers under test
}

// planPlacement splits the CPUs this process may use; it pins nothing when
// pin is false or there is only one CPU to split.
func planPlacement(pin bool) (placement, error) {
	if !pin {
		return placement{}, nil
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return placement{}, fmt.Errorf("read CPU affinity: %w", err)
	}
	var cpus []int
	for c := 0; c < len(set)*64 && len(cpus) < set.Count(); c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) < 2 {
		return placement{}, nil
	}
	half := len(cpus) / 2
	return placement{harness: cpus[:half], servers: cpus[half:]}, nil
}

func (p placement) pinned() bool { return len(p.servers) > 0 }

// pinHarness moves every thread of this process onto the harness CPUs. Threads
// the runtime starts later inherit the affinity of the thread that starts
// them, so passes repeat until one finds no thread left to move.
func (p placement) pinHarness() error {
	if !p.pinned() {
		return nil
	}
	var want unix.CPUSet
	for _, c := range p.harness {
		want.Set(c)
	}
	for pass := 0; pass < 10; pass++ {
		moved, err := pinThreads(want)
		if err != nil {
			return err
		}
		if moved == 0 {
			runtime.GOMAXPROCS(len(p.harness))
			return nil
		}
	}
	return fmt.Errorf("pin harness: threads kept appearing")
}

// pinThreads sets want on every thread of this process that lacks it and
// reports how many it changed.
func pinThreads(want unix.CPUSet) (int, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, fmt.Errorf("list threads: %w", err)
	}
	moved := 0
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		var have unix.CPUSet
		if unix.SchedGetaffinity(tid, &have) == nil && have == want {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &want); err != nil {
			return 0, fmt.Errorf("pin thread %d: %w", tid, err)
		}
		moved++
	}
	return moved, nil
}

// command starts bin on the servers' CPUs (taskset execs it, so the PID is
// the server's own).
func (p placement) command(bin string, args []string) (string, []string) {
	if !p.pinned() {
		return bin, args
	}
	return "taskset", append([]string{"--cpu-list", cpuList(p.servers), bin}, args...)
}

// workers is how many worker processes nginx should run: one per CPU it may use.
func (p placement) workers() string {
	if !p.pinned() {
		return "auto"
	}
	return strconv.Itoa(len(p.servers))
}

func (p placement) describe() string {
	if !p.pinned() {
		return "unpinned: the load generator and the servers share every CPU (-pin=false, or a single CPU)"
	}
	return fmt.Sprintf("pinned: load generator, origin and upstream registry on CPU %s; each server under test on CPU %s (taskset; `-pin=false` shares them)",
		cpuList(p.harness), cpuList(p.servers))
}

func cpuList(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}
