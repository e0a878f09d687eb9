package server

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gobidialogue/portal/themes"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0, *;q=0.5", false},
		{"deflate, *;q=0.5", true},
		{"*;q=0", false},
		{"*", true},
		{"identity", false},
		{"x-gzip-nope", false},
		{"<script>gzip</script>", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.header != "" {
			r.Header.Set("Accept-Encoding", tt.header)
		}
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// A part deflated before (themes.Deflate) and spliced into a compressed answer between
// parts compressed as they come gives a gzip stream the standard library decompresses to
// the whole answer: over the window's 32 KB, with the parts repeating one another (so that
// a compressor which kept its history across the splice would refer to the wrong bytes),
// with the part first, last or twice, and empty parts.
func TestGzipWriterSplicesDeflatedParts(t *testing.T) {
	var long strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&long, "<p id=\"p-%d\">Жолооч %d, driver %d.</p>\n", i%97, i, i*7)
	}
	menu := strings.Repeat("<a href=\"/guidelines\">Удирдамж · Guidelines</a>\n", 40) // long enough to be matched
	head, main, tail := "<!doctype html><header>"+menu+"</header><main>", long.String(), "</main><footer>"+menu+"</footer>"
	tests := []struct {
		name  string
		parts []string // "*" is the deflated main part
	}{
		{"between", []string{head, "*", tail}},
		{"first", []string{"*", tail}},
		{"last", []string{head, "*"}},
		{"twice", []string{head, "*", head, "*", tail}},
		{"empty parts", []string{"", head, "*", "", tail, ""}},
		{"alone", []string{"*"}},
	}
	deflated := themes.Deflate([]byte(main))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, enc := range []string{"gzip", ""} {
				rec := httptest.NewRecorder()
				c, _ := gin.CreateTestContext(rec)
				c.Request = httptest.NewRequest("GET", "/", nil)
				c.Header("Content-Type", "text/html; charset=utf-8")
				w := &gzipWriter{ResponseWriter: c.Writer}
				if enc == "" {
					w.decided = true // as decide does for a client that takes no gzip
				}
				var want strings.Builder
				for _, p := range tt.parts {
					var err error
					if p == "*" {
						err = w.WriteDeflated([]byte(main), deflated)
						p = main
					} else {
						_, err = w.Write([]byte(p))
					}
					if err != nil {
						t.Fatal(err)
					}
					want.WriteString(p)
				}
				w.close()
				body := rec.Body.Bytes()
				if enc == "gzip" {
					if rec.Header().Get("Content-Encoding") != "gzip" {
						t.Fatal("not compressed")
					}
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					if body, err = io.ReadAll(zr); err != nil {
						t.Fatalf("the stream does not decompress: %v", err)
					}
				}
				if string(body) != want.String() {
					t.Fatalf("%s: got %d bytes, want %d", enc, len(body), want.Len())
				}
			}
		})
	}
}
