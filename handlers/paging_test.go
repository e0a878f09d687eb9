package handlers_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestPageNumbers: a page number that is none is a 400 naming it, on every paged list, the
// search page included; a page past the end is a 404 that says how many pages there are,
// worded for the count in both languages ("fill 1 pages" is wrong in English, and so is any
// count when nothing matched).
func TestPageNumbers(t *testing.T) {
	h := searchServer(t, nil).Router
	tests := []struct {
		name, target string
		status       int
		message      string // the error's text contains it
	}{
		{"search page zero", "/search?page=0&lang=en", 400, "“0” is not a page number."},
		{"search page zero with words", "/search?q=shelter&page=0&lang=en", 400, "“0” is not a page number."},
		{"search page negative", "/search?q=shelter&page=-1&lang=mn", 400, "“-1” нь хуудасны дугаар биш."},
		{"search page not a number", "/search?q=shelter&page=two&lang=en", 400, "“two” is not a page number."},
		{"search page too large", "/search?q=shelter&page=99999999999999999999&lang=en", 400, "is not a page number."},
		{"search past the end", "/search?q=Umnugovi&page=400&lang=en", 404, "There is no page 400: the results fill"},
		{"search past the served pages", "/search?q=shelter&page=5000&lang=en", 404, "There is no page 5000"},
		{"search past one page", "/search?q=cab+card&kind=guideline&page=3&lang=en", 404, "There is no page 3: the results fit on one page."},
		{"search nothing found", "/search?q=qqqzzzxxx&page=2&lang=en", 404, "There is no page 2: nothing matches."},
		{"search nothing found mn", "/search?q=qqqzzzxxx&page=2&lang=mn", 404, "2-р хуудас байхгүй: илэрц олдсонгүй."},
		{"search page two", "/search?q=shelter&page=2&lang=en", 200, ""},
		{"guidelines past one page", "/guidelines?page=2&lang=en", 404, "There is no page 2: the results fit on one page."},
		{"guidelines past one page mn", "/guidelines?page=2&lang=mn", 404, "2-р хуудас байхгүй: илэрц нэг хуудсанд багтсан."},
		{"guidelines page zero", "/guidelines?page=0&lang=en", 400, "“0” is not a page number."},
		{"directory nothing found", "/directory?q=qqqzzzxxx&page=2&lang=en", 404, "There is no page 2: nothing matches."},
		{"directory past the end", "/directory?page=90&lang=en", 404, "There is no page 90: the results fill "},
		{"directory past one page mn", "/directory?aimag=umnugovi&type=shelter&page=3&lang=mn", 404, "3-р хуудас байхгүй: илэрц нэг хуудсанд багтсан."},
		{"escaping: the page number is text", "/search?q=x&page=" + url.QueryEscape(`<script>alert(1)</script>`) + "&lang=en", 400,
			"“<script>alert(1)</script>” is not a page number."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, "GET", tt.target)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d\n%.1500s", r.Code, tt.status, r.text("main"))
			}
			if strings.Contains(r.body, "<script>alert") || r.doc.Find("main script").Length() > 0 {
				t.Fatal("markup from the query reached the page")
			}
			msg := r.text(".form-error, .error .detail")
			if tt.status != 200 && msg == "" {
				t.Fatalf("no message on the page:\n%.1500s", r.text("main"))
			}
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q, want %q", msg, tt.message)
			}
			if strings.Contains(msg, " 1 pages") || strings.Contains(msg, " 0 pages") {
				t.Errorf("message %q: the count is worded wrong", msg)
			}
		})
	}
}
