package proxy

import "sync"

// warmBuffers keeps, for each size class (docClass) a rewritten document was
// lately joined in, one buffer whose pages are already touched. A document
// rewritten in memory is the hot tier's once answered, so every cold miss grows
// the heap by its size, into pages never touched. On the virtual machines the
// benchmarks run on, the guest reports freed memory to its host, which backs a
// page again only when it is next touched: about 15 µs a page, 0.5 ms of a
// 200 KB packument's miss, spent while its client waits. The pages are touched
// instead once a fill's document is answered and committed (prewarm), and the
// next document of the class is joined into them.
//
// Readied instead while the next fill waited on its upstream, the buffer cost
// that fill more than it saved on the benchmark's machine: the page faults on
// Hoard's CPU delayed the origin's answer, on the other CPU, by 0.7 ms (the
// virtual CPUs seem to share their host's).
//
// A buffer taken is the taker's for good, as a new allocation would be; it is
// never handed out twice.
type warmBuffers struct {
	mu     sync.Mutex
	ready  map[int64][]byte // by class, each of that capacity
	wanted map[int64]bool   // classes taken from (or missed) since last warmed
	held   int64            // bytes in ready
	warmed int64            // buffers taken ready, for tests
}

// warmBuffersMax bounds what the buffers hold, waiting for documents of their class.
const warmBuffersMax = 4 << 20

// take is a buffer of n bytes (its contents are not zeroed), one already
// touched when its class has one ready.
func (b *warmBuffers) take(n int64) []byte {
	class := docClass(n)
	b.mu.Lock()
	buf, ok := b.ready[class]
	if ok {
		delete(b.ready, class)
		b.held -= class
		b.warmed++
	}
	if b.wanted == nil {
		b.wanted = map[int64]bool{}
	}
	b.wanted[class] = true
	b.mu.Unlock()
	if !ok {
		return make([]byte, n)
	}
	return buf[:n:n]
}

// join is pieces joined, in a warm buffer when the result is big enough to
// have a class; one piece is returned as it is.
func (b *warmBuffers) join(pieces [][]byte) []byte {
	if len(pieces) == 1 {
		return pieces[0]
	}
	n := 0
	for _, p := range pieces {
		n += len(p)
	}
	var out []byte
	if n >= docBufferMin {
		out = b.take(int64(n))[:0]
	} else {
		out = make([]byte, 0, n)
	}
	for _, p := range pieces {
		out = append(out, p...)
	}
	return out
}

// prewarm readies a buffer for each class wanted, within warmBuffersMax,
// touching every page of it.
func (b *warmBuffers) prewarm() {
	for {
		class := b.nextWanted()
		if class == 0 {
			return
		}
		buf := make([]byte, class)
		for i := 0; i < len(buf); i += 4096 {
			// A write, and not of a zero: a read would map the kernel's shared
			// zero page, and a zero stored into new memory the compiler may drop.
			buf[i] = 1
		}
		b.mu.Lock()
		if _, ok := b.ready[class]; !ok && b.held+class <= warmBuffersMax {
			if b.ready == nil {
				b.ready = map[int64][]byte{}
			}
			b.ready[class] = buf
			b.held += class
		}
		b.mu.Unlock()
	}
}

// nextWanted claims a wanted class that has room, or 0 when none is left.
func (b *warmBuffers) nextWanted() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	for class := range b.wanted {
		delete(b.wanted, class)
		if _, ok := b.ready[class]; !ok && b.held+class <= warmBuffersMax {
			return class
		}
	}
	return 0
}
