package server

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime/metrics"

	"github.com/gin-gonic/gin"
)

// runtimeMetrics are the Go runtime's figures /metrics reports, by the name it reports
// them under: enough to see memory grow or not under load.
var runtimeMetrics = []struct{ name, runtime, help string }{
	{"go_memory_total_bytes", "/memory/classes/total:bytes", "All memory mapped by the Go runtime."},
	{"go_heap_objects_bytes", "/memory/classes/heap/objects:bytes", "Memory occupied by live and not yet swept heap objects."},
	{"go_goroutines", "/sched/goroutines:goroutines", "Goroutines that exist."},
	{"go_gc_cycles_total", "/gc/cycles/total:gc-cycles", "Completed garbage collection cycles."},
}

// metrics serves GET /metrics in the Prometheus text format: the public page cache's size,
// bound and traffic, and the runtime's memory. Counts only: nothing about any person or
// request.
func (s *Server) metrics(c *gin.Context) {
	var b bytes.Buffer
	put := func(name, kind, help string, v any) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n%s %v\n", name, help, name, kind, name, v)
	}
	if s.pages != nil {
		st := s.pages.stats()
		put("portal_page_cache_bytes", "gauge", "Bytes held by the public page cache.", st.Bytes)
		put("portal_page_cache_max_bytes", "gauge", "The bound of the public page cache.", st.Max)
		put("portal_page_cache_entries", "gauge", "Pages held by the public page cache.", st.Entries)
		put("portal_page_cache_hits_total", "counter", "Public pages served from the cache.", st.Hits)
		put("portal_page_cache_misses_total", "counter", "Public pages not found in the cache at their stamp.", st.Misses)
		put("portal_page_cache_stale_total", "counter", "Out-of-date pages served while their new rendering was made.", st.Stale)
		put("portal_page_cache_stores_total", "counter", "Pages rendered and kept.", st.Stores)
		put("portal_page_cache_evictions_total", "counter", "Pages dropped to stay within the bound.", st.Evictions)
	}
	samples := make([]metrics.Sample, len(runtimeMetrics))
	for i, m := range runtimeMetrics {
		samples[i].Name = m.runtime
	}
	metrics.Read(samples)
	for i, m := range runtimeMetrics {
		var v uint64
		if samples[i].Value.Kind() == metrics.KindUint64 {
			v = samples[i].Value.Uint64()
		}
		kind := "gauge"
		if m.name == "go_gc_cycles_total" {
			kind = "counter"
		}
		put(m.name, kind, m.help, v)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", b.Bytes())
}
